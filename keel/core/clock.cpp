#include "keel/core/clock.hpp"

#include <chrono>

namespace keel {

Timestamp WallClock::now() const {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return Timestamp::from_ns(ns.count());
}

void SimulatedClock::advance_to(Timestamp t) {
  KEEL_ASSERT(t >= now_, "simulated clock moved backwards");
  now_ = t;
}

}  // namespace keel
