// keel/strategy/ts_momentum.hpp — time-series momentum (Moskowitz, Ooi & Pedersen 2012): hold
// each symbol long while its own skip-adjusted return is positive, flat (or short) otherwise,
// optionally sized by volatility targeting. docs/EQUITY_STRATEGIES.md states the rules and keys.
//
// Contract:
// - Signal on a rebalance session t (schedule: rebalance / rebalance_on): r = close[t-skip] /
//   close[t-lookback] - 1 on sessions of the symbol's own history (default 12-1 months: 252 and
//   21); fewer than lookback+1 bars: no position. r > 0: long; r <= 0: flat, or short when
//   negative = "short" (which needs a margin account).
// - Weight: base = max_gross / N (N = number of symbols). With vol_target > 0: w = base x
//   min(vol_target / σ, max_leverage), σ the annualised realized vol of the last vol_lookback
//   daily log returns (no σ yet: no position); if Σ|w| > max_gross all weights are scaled by
//   max_gross / Σ|w|. Orders through rebalance() (rebalance.hpp): whole shares, drift band,
//   sells first, cash buffer.
// - No look-ahead: only bars with ts_recv <= now (Context::history).
// Validated by ts_momentum_test.cpp (hand-worked 12-1 returns, vol weights, config errors) and
// tests/equity_strategies_test.cpp (whole runs, no look-ahead, ledger identity).
// Thread safety: one instance per run, on the engine's thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "keel/strategy/rebalance.hpp"

namespace keel::strategy {

struct TsMomentumConfig {
  std::vector<std::string> symbols;  // required
  int lookback = 252;                // [2, 2520] sessions
  int skip = 21;                     // [0, lookback)
  bool short_negative = false;       // negative = "flat" (false) | "short" (true)
  double vol_target = 0.0;           // 0 = off, else (0, 5] annualised
  int vol_lookback = 63;             // [2, 2520] sessions
  double max_leverage = 2.0;         // (0, 10]: cap on vol_target / σ
  Schedule schedule;                 // default: monthly, last session
  RebalanceRules rules;
  Status validate() const;
};

Result<TsMomentumConfig> parse_ts_momentum_config(const toml::table& table, std::string_view source);

// Target weights for one rebalance (pure): `history[i]` the bars of symbols[i] up to now.
std::map<std::string, double, std::less<>> ts_momentum_weights(const TsMomentumConfig& config,
                                                               const std::vector<std::span<const Bar>>& history);

class TsMomentumStrategy final : public ScheduledStrategy {
 public:
  explicit TsMomentumStrategy(TsMomentumConfig config);
  std::string_view name() const override { return "ts_momentum"; }
  const TsMomentumConfig& config() const noexcept { return config_; }

 protected:
  Status on_session(Context& ctx, bool rebalance_day) override;

 private:
  TsMomentumConfig config_;
};

}  // namespace keel::strategy
