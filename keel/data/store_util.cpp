#include "keel/data/store_util.hpp"

#include <cstdint>

namespace keel::data {

std::string timeframe_label(Duration timeframe) {
  const std::int64_t ns = timeframe.count();
  struct Unit {
    std::int64_t ns;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {{kNanosPerDay, "d"},   {3'600 * kNanosPerSecond, "h"}, {60 * kNanosPerSecond, "m"},
                                    {kNanosPerSecond, "s"}, {1'000'000, "ms"},               {1'000, "us"}};
  if (ns != 0) {
    for (const Unit& u : kUnits) {
      if (ns % u.ns == 0) return std::to_string(ns / u.ns) + u.suffix;
    }
  }
  return std::to_string(ns) + "ns";
}

bool same_definition(const Instrument& a, const Instrument& b) {
  Instrument x = a;
  Instrument y = b;
  x.id = InstrumentId{};
  y.id = InstrumentId{};
  return x == y;
}

}  // namespace keel::data
