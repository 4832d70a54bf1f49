// keel/strategy/xs_momentum.hpp — cross-sectional momentum (Jegadeesh & Titman 1993): rank the
// universe by its skip-adjusted return, hold the winners long and optionally the losers short.
// docs/EQUITY_STRATEGIES.md states the rules and keys.
//
// Contract:
// - On a rebalance session: r_i = close[t-skip] / close[t-lookback] - 1 (default 12-1: 252,
//   21) for every symbol with lookback+1 bars (others are not ranked). Ranked by r descending,
//   ties by symbol. Long the top k, k = top_n, or when top_n = 0, k = max(1, floor(quantile x
//   ranked)); with short_bottom also short the bottom k (only when 2k <= ranked).
// - Weights: each leg's gross is max_gross (long-only) or max_gross / 2 (long-short), split
//   equally or in proportion to 1/σ_i (weighting = "inverse_vol", σ the realized vol of the
//   last vol_lookback log returns; a symbol without σ is dropped from its leg).
// - Orders through rebalance() (rebalance.hpp). No look-ahead: Context::history only.
// Validated by xs_momentum_test.cpp (hand-built ranks and weights, config errors) and
// tests/equity_strategies_test.cpp.
// Thread safety: one instance per run, on the engine's thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "keel/strategy/rebalance.hpp"

namespace keel::strategy {

struct XsMomentumConfig {
  std::vector<std::string> symbols;  // required, >= 2
  int lookback = 252;                // [2, 2520]
  int skip = 21;                     // [0, lookback)
  int top_n = 3;                     // [0, 1000]; 0 = use quantile
  double quantile = 0.2;             // (0, 0.5]
  bool short_bottom = false;
  bool inverse_vol = false;          // weighting = "equal" | "inverse_vol"
  int vol_lookback = 63;             // [2, 2520]
  Schedule schedule;
  RebalanceRules rules;
  Status validate() const;
};

Result<XsMomentumConfig> parse_xs_momentum_config(const toml::table& table, std::string_view source);

std::map<std::string, double, std::less<>> xs_momentum_weights(const XsMomentumConfig& config,
                                                               const std::vector<std::span<const Bar>>& history);

class XsMomentumStrategy final : public ScheduledStrategy {
 public:
  explicit XsMomentumStrategy(XsMomentumConfig config);
  std::string_view name() const override { return "xs_momentum"; }

 protected:
  Status on_session(Context& ctx, bool rebalance_day) override;

 private:
  XsMomentumConfig config_;
};

}  // namespace keel::strategy
