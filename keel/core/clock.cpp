#include "keel/core/clock.hpp"

#include <chrono>

namespace keel {

Timestamp WallClock::now() const {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return Timestamp::from_ns(ns.count());
}

}  // namespace keel
