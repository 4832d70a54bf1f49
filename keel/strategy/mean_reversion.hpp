// keel/strategy/mean_reversion.hpp — short-horizon mean reversion on Wilder's RSI and/or
// Bollinger bands, one position per symbol. docs/EQUITY_STRATEGIES.md states the rules and keys.
//
// Contract (per symbol, each session close; indicators from analytics/indicators.hpp, fed one
// bar per session of the symbol's own history, warm-up included):
// - signal = "rsi": enter long when RSI < rsi_entry; exit when RSI > rsi_exit.
//   signal = "bollinger": enter long when close < lower band; exit when close >= middle band.
//   signal = "either": enter on either entry; exit on either exit.
//   Every position also exits after max_hold sessions (0 = no limit).
// - With allow_short the mirror image: short when RSI > 100 - rsi_entry / close > upper band,
//   cover when RSI < 100 - rsi_exit / close <= middle band.
// - An exit and an entry are never taken on the same session for one symbol. Decisions are
//   made only on rebalance sessions (default daily) outside warm-up; each held symbol gets
//   weight ±position_weight, all scaled down together when Σ|w| > max_gross; orders through
//   rebalance() (rebalance.hpp).
// Validated by mean_reversion_test.cpp (hand-worked RSI crossing, band crossing, max hold,
// config errors) and tests/equity_strategies_test.cpp.
// Thread safety: one instance per run, on the engine's thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "keel/analytics/indicators.hpp"
#include "keel/strategy/rebalance.hpp"

namespace keel::strategy {

enum class ReversionSignal : std::uint8_t { kRsi, kBollinger, kEither };

struct MeanReversionConfig {
  std::vector<std::string> symbols;  // required
  ReversionSignal signal = ReversionSignal::kRsi;
  int rsi_period = 14;               // [2, 500]
  double rsi_entry = 30.0;           // (0, 50)
  double rsi_exit = 50.0;            // (rsi_entry, 100)
  int bollinger_period = 20;         // [2, 500]
  double bollinger_k = 2.0;          // (0, 10]
  int max_hold = 10;                 // [0, 2520] sessions, 0 = no limit
  double position_weight = 0.2;      // (0, 1]
  Schedule schedule{RebalanceFrequency::kDaily, RebalanceSession::kLast};
  RebalanceRules rules;
  Status validate() const;
};

Result<MeanReversionConfig> parse_mean_reversion_config(const toml::table& table, std::string_view source);

// One symbol's decision: `side` the current position (+1 long, -1 short, 0 flat), `held` the
// sessions since entry; returns the new side.
struct ReversionInputs {
  double close = 0.0;
  std::optional<double> rsi;
  std::optional<analytics::BandsValue> bands;
};
int mean_reversion_step(const MeanReversionConfig& config, int side, int held, const ReversionInputs& in);

class MeanReversionStrategy final : public ScheduledStrategy {
 public:
  explicit MeanReversionStrategy(MeanReversionConfig config);
  std::string_view name() const override { return "mean_reversion"; }
  int side(std::string_view symbol) const;  // the current intent: +1, -1, 0

 protected:
  Status on_symbol_bar(Context& ctx, std::size_t i, const Bar& bar) override;
  Status on_session(Context& ctx, bool rebalance_day) override;

 private:
  struct State {
    analytics::Rsi rsi;
    analytics::Bollinger bands;
    ReversionInputs last;
    bool fresh = false;  // a bar arrived this session
    int side = 0;
    int held = 0;
  };
  MeanReversionConfig config_;
  std::vector<State> states_;
};

}  // namespace keel::strategy
