// keel/strategy/daily_iv_rank.hpp — one IV-rank observation per session for an option strategy:
// the first chain snapshot of each session pushes its 30-day ATM implied vol
// (OptionChain::atm_iv(30)) into an analytics::IvRankTracker, warm-up included, so the rank is
// ready when trading starts. Used by the wheel and option_income for their IV-rank filters.
//
// Contract: rank() is in percent (0..100), nullopt until `lookback` sessions are observed, on a
// flat window, or on a session whose chain has no ATM implied vol (logged outside warm-up).
// Thread safety: one instance per underlying, on the engine's thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "keel/analytics/iv_rank.hpp"
#include "keel/strategy/strategy.hpp"

namespace keel::strategy {

class DailyIvRank {
 public:
  explicit DailyIvRank(std::size_t lookback) : tracker_(lookback) {}

  // The session's observation (a no-op for later snapshots of the same session).
  Status observe(Context& ctx, const OptionChain& chain) {
    if (last_date_ && *last_date_ == chain.date()) return ok_status();
    last_date_ = chain.date();
    rank_.reset();
    if (const auto atm = chain.atm_iv(30)) {
      KEEL_TRY(value, tracker_.push(*atm));
      ++observations_;
      if (value && value->rank) rank_ = *value->rank * 100.0;
    } else if (!ctx.warming_up()) {
      ctx.log(chain.underlying() + ": no ATM implied vol in today's chain; IV rank unknown today");
    }
    return ok_status();
  }

  std::optional<double> rank() const noexcept { return rank_; }
  // Why rank() is unknown: "IV rank unknown (12 of 40 sessions, or a flat window)".
  std::string unknown_reason() const {
    const std::size_t n = tracker_.lookback();
    return "IV rank unknown (" + std::to_string(observations_ < n ? observations_ : n) + " of " + std::to_string(n) +
           " sessions, or a flat window)";
  }

 private:
  analytics::IvRankTracker tracker_;
  std::optional<Date> last_date_;
  std::optional<double> rank_;
  std::size_t observations_ = 0;
};

}  // namespace keel::strategy
