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

std::string bar_key_text(const Bar& b) {
  return "instrument " + std::to_string(b.instrument.value()) + ", timeframe " + timeframe_label(b.timeframe) +
         ", ts_event " + b.ts_event.to_string();
}
std::string quote_key_text(const OptionQuote& q) {
  return "instrument " + std::to_string(q.instrument.value()) + ", ts_event " + q.ts_event.to_string();
}
std::string action_key_text(const CorporateAction& a) {
  return "instrument " + std::to_string(a.instrument.value()) + ", " + std::string(to_string(a.kind)) +
         ", ex_date " + a.ex_date.to_string();
}

}  // namespace keel::data
