// keel/strategy/pairs.hpp — statistical-arbitrage pairs trading on log prices, one or more pairs
// (y, x), each trading the spread s_t = ln y_t − (c + β ln x_t). docs/EQUITY_STRATEGIES.md
// ("pairs") states the rules, the keys and a worked example.
//
// Contract (per pair, each session close at which both legs have a bar; sessions where one leg
// has none are skipped for that pair):
// - method = "engle_granger": β, c and the p-value from analytics::engle_granger on the trailing
//   `lookback` log prices of both legs up to and including today's close, first when `lookback`
//   sessions are known, then every `refit` sessions; between fits they are held. The pair trades
//   only while p ≤ max_pvalue and β > 0; otherwise it is flattened. z = (s_t − mean) / sd over
//   the last `z_window` spreads, all computed with the current β and c (sample sd; none when sd
//   is 0).
//   method = "kalman": analytics::KalmanHedge on (ln x_t, ln y_t), one update per session (δ =
//   `delta`, V_e = `observation_variance`); z = e_t / √S_t (its one-step forecast error over its
//   predicted std: state ≤ t−1, data at t) and β the filtered β_t, used after `burn_in`
//   observations and only while β > 0.
// - Decisions (pairs_step): in a position, exit when the spread reverts to within exit_z (z ≥
//   −exit_z long, z ≤ exit_z short), stop when |z| ≥ stop_z (then no entry until |z| < entry_z),
//   exit after max_hold sessions (0 = no limit); flat, short the spread when entry_z ≤ z <
//   stop_z (short y, long β x), long it when −stop_z < z ≤ −entry_z; |z| ≥ stop_z while flat
//   locks entries too. Never an exit and an entry on one session. No decision during warm-up.
// - Sizing at entry (pair_shares): gross G = capital × equity, y-leg value V_y = G / (1 + β),
//   n_y = floor(V_y / P_y) (toward zero), n_x = nearest integer to β n_y P_y / P_x (ties away
//   from zero), so the x leg's value is β times the y leg's within half an x share. The counts
//   are held until the exit (β updates do not resize). Each session every leg is traded to its
//   target (held count, or 0 when flat) by market DAY orders, sells first; working orders on the
//   legs are canceled first; a refused order is logged and retried the next session.
// - A symbol belongs to one pair only; Σ capital over pairs ≤ max_gross. Short legs need a
//   margin account (rules.allow_short is always set; the registry refuses a cash account).
// Validated by pairs_test.cpp (hand-worked z-scores, decisions, share counts; EG windows use
// only data ≤ t; the p-value gate flattens; Kalman equals analytics::KalmanHedge driven by
// hand; config errors) and tests/equity_strategies_test.cpp (examples/pairs.toml end to end).
// Thread safety: one instance per run, on the engine's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "keel/analytics/kalman_hedge.hpp"
#include "keel/strategy/rebalance.hpp"

namespace keel::strategy {

enum class HedgeMethod : std::uint8_t { kEngleGranger, kKalman };

struct PairSpec {
  std::string y;  // the dependent leg
  std::string x;  // the hedge leg
};

struct PairsConfig {
  std::vector<PairSpec> pairs;         // required, >= 1
  std::vector<std::string> symbols;    // derived: y, x of each pair in order
  HedgeMethod method = HedgeMethod::kEngleGranger;
  int lookback = 120;                  // [20, 2520] sessions (EG window)
  int refit = 20;                      // [1, 2520] sessions between EG fits
  double max_pvalue = 0.05;            // (0, 1]
  int z_window = 30;                   // [2, lookback] sessions (EG z-score window)
  double delta = 1e-8;                 // [0, 1) Kalman state noise (see docs: keep it tiny)
  double observation_variance = 5e-4;  // (0, 1] Kalman V_e (about the spread's variance)
  int burn_in = 60;                    // [1, 2520] Kalman observations before trading
  double entry_z = 2.0;                // (exit_z, stop_z)
  double exit_z = 0.5;                 // [0, entry_z)
  double stop_z = 4.0;                 // (entry_z, 100]
  int max_hold = 30;                   // [0, 2520] sessions, 0 = no limit
  double capital = 0.5;                // (0, 1]: gross fraction of equity per pair
  RebalanceRules rules{0.0, 0.0, 0.0, 1.0, true};  // max_gross caps Σ capital; allow_short set
  Status validate() const;
};

Result<PairsConfig> parse_pairs_config(const toml::table& table, std::string_view source);

// The decision state of one pair: side +1 long the spread (long y, short x), −1 short, 0 flat;
// `held` sessions since entry; `locked` after a stop until |z| < entry_z.
struct PairPosition {
  int side = 0;
  int held = 0;
  bool locked = false;
};

// One session's decision (see the contract). `tradable` false (gate failed, β ≤ 0, no fit)
// flattens; no z keeps the position (max_hold still applies). `held` is the count including
// today's session. Returns the new position.
PairPosition pairs_step(const PairsConfig& config, PairPosition p, std::optional<double> z, bool tradable);

// (s_last − mean) / sample sd of `spread`; nullopt for fewer than 2 values or sd == 0.
std::optional<double> window_z(std::span<const double> spread);

// Signed target shares of one pair (y, x) for `side` ±1 (see the contract); {0, 0} when either
// leg rounds to 0 shares. Requires β > 0, prices > 0, gross >= 0.
struct PairShares {
  std::int64_t y = 0;
  std::int64_t x = 0;
};
PairShares pair_shares(int side, double gross, double beta, double price_y, double price_x);

// What the strategy knows of one pair after a session (for tests and logs).
struct PairState {
  PairPosition position;
  PairShares target;                // held share counts (0 when flat)
  std::optional<double> z;          // today's z-score
  double beta = 0.0;                // current hedge ratio (EG: last fit; Kalman: filtered β_t)
  double intercept = 0.0;           // c (EG) or α_t (Kalman)
  std::optional<double> p_value;    // EG: last fit's MacKinnon p-value
  bool tradable = false;
  std::size_t observations = 0;     // sessions with both legs
  std::optional<Date> last_fit;     // EG: session of the last fit
};

class PairsStrategy final : public ScheduledStrategy {
 public:
  explicit PairsStrategy(PairsConfig config);
  std::string_view name() const override { return "pairs"; }
  const PairState& state(std::size_t pair) const { return pairs_[pair].state; }

 protected:
  Status on_symbol_bar(Context& ctx, std::size_t i, const Bar& bar) override;
  Status on_session(Context& ctx, bool rebalance_day) override;

 private:
  struct Pair {
    std::size_t iy = 0, ix = 0;  // universe indexes
    std::vector<double> log_y, log_x;  // aligned sessions, trailing
    std::optional<analytics::KalmanHedge> kalman;
    std::int64_t sessions_since_fit = 0;
    PairState state;
  };
  Status update_signal(Context& ctx, Pair& p);
  PairsConfig config_;
  std::vector<Pair> pairs_;
  std::vector<std::optional<double>> close_today_;  // per universe symbol, this session's close
};

}  // namespace keel::strategy
