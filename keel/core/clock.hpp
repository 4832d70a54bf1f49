// keel/core/clock.hpp — the one way keel code learns the time.
//
// Contract: components that need "now" take a Clock& (passed in, never global). SimulatedClock
// is advanced by the backtest kernel; WallClock is the live clock and the only place in keel
// that reads std::chrono::system_clock. Thread safety: SimulatedClock is single-threaded;
// WallClock is stateless and thread-safe.
#pragma once

#include "keel/core/assert.hpp"
#include "keel/core/time.hpp"

namespace keel {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

class WallClock final : public Clock {
 public:
  Timestamp now() const override;
};

class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(Timestamp start = Timestamp{}) : now_(start) {}
  Timestamp now() const override { return now_; }
  // Time never runs backwards: advancing to an earlier instant is a programming error.
  // (Inline: the kernel advances it at every slice.)
  void advance_to(Timestamp t) {
    KEEL_ASSERT(t >= now_, "simulated clock moved backwards");
    now_ = t;
  }

 private:
  Timestamp now_;
};

}  // namespace keel
