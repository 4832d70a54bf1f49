// keel/analytics/iv_rank.hpp — IV rank and IV percentile of the current implied volatility
// against a trailing lookback window (e.g. 252 trading days), streaming and batch.
//
// Conventions (the same in both APIs):
// - The window is the `lookback` most recent observations, the current one included.
// - IV rank = (current - min) / (max - min) over the window, in [0, 1]. When every value in the
//   window is equal, max = min and the rank is undefined: `rank` is then empty (never NaN, never
//   a made-up 0 or 0.5).
// - IV percentile = #{observations in the window strictly below current} / (lookback - 1): the
//   fraction of the *other* days in the window on which IV was lower than today (today cannot be
//   below itself, so it is left out of the denominator), in [0, 1]. Ties count as not below.
// - Inputs must be finite and >= 0 (an implied vol); lookback >= 2. Anything else is an error
//   naming the index and value; a rejected streaming input leaves the window unchanged.
// Cost: O(lookback) per streaming update (a sorted copy of the window, memmove insert/erase), so
// a 252-day window updates in well under a microsecond; batch is n updates.
// Validated (iv_rank_test.cpp) against hand-worked windows and a brute-force recount.
// Thread safety: IvRankTracker is a plain value; one instance must not be shared between threads
// without external locking. The batch function is pure.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "keel/core/result.hpp"

namespace keel::analytics {

struct IvRankValue {
  double current = 0.0;
  double min = 0.0;
  double max = 0.0;
  std::optional<double> rank;  // empty when max == min
  double percentile = 0.0;
};

class IvRankTracker {
 public:
  // lookback >= 2 (KEEL_ASSERT: a programming constant; use make() for user input).
  explicit IvRankTracker(std::size_t lookback);
  static Result<IvRankTracker> make(std::size_t lookback);

  // Adds one observation. Returns nullopt until `lookback` observations have been seen, then the
  // rank and percentile of this observation against the window ending with it. An invalid value
  // is an error and is not added.
  Result<std::optional<IvRankValue>> push(double iv);

  std::size_t lookback() const noexcept { return lookback_; }
  std::size_t size() const noexcept { return window_.size(); }

 private:
  std::size_t lookback_;
  std::deque<double> window_;   // arrival order
  std::vector<double> sorted_;  // the same values, ascending
};

// Batch over a series: element j of the result belongs to series index j + lookback - 1 (the
// first index with a full window); the result has size() - lookback + 1 elements. Errors: lookback
// < 2, a series shorter than lookback, or an invalid value (named by index).
Result<std::vector<IvRankValue>> iv_rank_batch(std::span<const double> series, std::size_t lookback);

}  // namespace keel::analytics
