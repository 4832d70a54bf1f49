// keel/strategy/target_weights.hpp — portfolio weights from a score per symbol: an indicator
// computed on each symbol's history, or a CSV file of (date, symbol, score) read point in time.
// docs/EQUITY_STRATEGIES.md states the rules and keys.
//
// Contract:
// - Scores on a rebalance session t: indicator = "return": close[t] / close[t-window] - 1;
//   "zscore_return": that return / (σ_d √window), σ_d the sample stdev of the last vol_window
//   daily log returns. CSV: for each symbol the row with the latest date <= t (a score dated d
//   is usable from d's close on, never before); rows for symbols outside `symbols` are errors.
//   A symbol without a score is not held.
// - Weights (G = max_gross, the gross leverage cap): weighting = "proportional": long-only
//   w = G·s/Σ s over the positive scores; long-short w = G·s/Σ|s|. weighting = "rank": ranks
//   1..n by ascending score (ties by symbol); long-only w = G·rank/Σ rank; long-short
//   w = G·c/Σ|c| with c = rank - (n+1)/2. Orders through rebalance() (rebalance.hpp).
// - The CSV is read once, by the parser: header "date,symbol,score", dates YYYY-MM-DD, finite
//   scores, at most one row per (date, symbol); errors name the file and line.
// Validated by target_weights_test.cpp (hand-worked weights, the point-in-time rule, CSV and
// config errors) and tests/equity_strategies_test.cpp.
// Thread safety: one instance per run, on the engine's thread.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "keel/strategy/rebalance.hpp"

namespace keel::strategy {

enum class ScoreSource : std::uint8_t { kReturn, kZscoreReturn, kCsv };
enum class ScoreWeighting : std::uint8_t { kProportional, kRank };

struct ScoreRow {
  Date date;
  std::string symbol;
  double score = 0.0;
};

struct TargetWeightsConfig {
  std::vector<std::string> symbols;  // required
  ScoreSource source = ScoreSource::kZscoreReturn;
  int window = 20;                   // [1, 2520] sessions
  int vol_window = 60;               // [2, 2520] sessions
  std::string csv_path;              // source = csv
  std::vector<ScoreRow> scores;      // source = csv: sorted by (date, symbol)
  ScoreWeighting weighting = ScoreWeighting::kProportional;
  bool long_only = true;
  Schedule schedule;
  RebalanceRules rules;
  Status validate() const;
};

// Keys: symbols, source ("indicator" | "csv"), indicator ("return" | "zscore_return"),
// window, vol_window, csv (path, read now), weighting, long_only, plus the rebalancing keys.
Result<TargetWeightsConfig> parse_target_weights_config(const toml::table& table, std::string_view source);
// The CSV format above; `name` is used in messages.
Result<std::vector<ScoreRow>> parse_score_csv(std::string_view text, std::string_view name);

// Scores known at the close of `d` (CSV rows dated <= d), per symbol.
std::map<std::string, double, std::less<>> scores_as_of(const std::vector<ScoreRow>& rows, Date d);
std::map<std::string, double, std::less<>> weights_from_scores(const std::map<std::string, double, std::less<>>& scores,
                                                               ScoreWeighting weighting, bool long_only, double gross);

class TargetWeightsStrategy final : public ScheduledStrategy {
 public:
  explicit TargetWeightsStrategy(TargetWeightsConfig config);
  std::string_view name() const override { return "target_weights"; }
  // The weights of the last rebalance (for tests and logs).
  const std::map<std::string, double, std::less<>>& last_weights() const noexcept { return last_; }

 protected:
  Status on_session(Context& ctx, bool rebalance_day) override;

 private:
  TargetWeightsConfig config_;
  std::map<std::string, double, std::less<>> last_;
};

}  // namespace keel::strategy
