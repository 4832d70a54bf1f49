// keel/backtest/metrics.hpp — V1 performance metrics of a backtest, computed from a RunRecord
// alone (so a saved record can be re-measured), for the strategy and its buy-and-hold benchmark.
//
// Contract (docs/REPORTS.md defines every figure with a worked example):
// - The equity curve of a run is v_0 = starting_capital (the value at the open of the first
//   session, dated that session) followed by each day's equity at the close: v_1..v_n for the
//   n recorded days. Day k's return is r_k = v_k / v_{k-1} - 1 (k = 1..n), so the first
//   session's fees and spread are in the figures, and prod(1 + r_k) = v_n / v_0 exactly in
//   real arithmetic. The benchmark's curve is the same with benchmark_equity (its first close
//   equals the capital, so its first return is 0: it holds nothing during the first session).
// - Figures that cannot be defined (fewer than two returns, zero volatility, no losing trade,
//   a non-positive equity to divide by, a zero-length period) are std::nullopt ("n/a"), with
//   a line in Metrics::notes saying why. No NaN or infinity is ever stored.
// - Inputs that are not a run at all (no days, days out of order, a non-positive starting
//   capital, a risk-free rate that is not finite or <= -100%) are a Result error naming the
//   field, day or value.
// - Money figures stay fixed point (exact); ratios are double.
// Validated by metrics_test.cpp against hand-worked series (values in comments) and
// rapidcheck properties (compounded returns equal the total return; drawdowns lie in [0, 1)
// for positive curves; scaling a curve changes no ratio).
// Thread safety: pure functions of their arguments.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keel/backtest/run_record.hpp"
#include "keel/core/fixed_point.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"

namespace keel::backtest {

inline constexpr double kTradingDaysPerYear = 252.0;  // annualisation of daily figures
inline constexpr double kDaysPerYear = 365.25;        // calendar years for CAGR
// A daily standard deviation below this (one cent per ten billion) counts as zero volatility:
// the ratio it would divide is reported n/a, not as a meaningless 1e15.
inline constexpr double kZeroVolatility = 1e-12;

// The deepest fall of a curve from a running peak.
struct Drawdown {
  // (peak - trough) / peak, >= 0 (0.10 = 10%); 0 when the curve never falls below a peak.
  double depth = 0.0;
  // The day the peak value was last reached before the trough (the first session when the
  // peak is the starting capital), the day of the lowest value after it, and the first day
  // after the trough whose value is >= the peak again (empty: not recovered by the end).
  // All empty when depth == 0. Ties: the earliest deepest episode.
  std::optional<Date> peak, trough, recovery;
  // Calendar days from peak to recovery, or to the last day when not recovered; 0 when none.
  int duration_days = 0;
};

// Return and risk of one curve (the strategy's or the benchmark's).
struct ReturnRisk {
  Money final_value;                    // v_n
  std::optional<double> total_return;   // v_n / v_0 - 1
  // (v_n / v_0)^(1 / years) - 1 with years = (last date - first date) / 365.25;
  // n/a for a zero-length period or v_n <= 0.
  std::optional<double> cagr;
  // Sample standard deviation (n - 1) of the daily returns x sqrt(252); n/a below 2 returns.
  std::optional<double> volatility;
  // mean(r_k - rf_d) / stdev(r_k - rf_d) x sqrt(252), rf_d = (1 + rf)^(1/252) - 1 (sample
  // stdev; n/a below 2 returns or at zero volatility).
  std::optional<double> sharpe;
  // mean(r_k) / DD x sqrt(252) with the target 0 and DD = sqrt(sum_k min(0, r_k)^2 / N) over
  // all N days (Sortino & Price 1994; Rollinger & Hoffman, "Sortino: A Sharper Ratio", Red
  // Rock Capital); n/a with no losing day.
  std::optional<double> sortino;
  std::optional<double> calmar;         // cagr / max_drawdown.depth; n/a when either is 0/n/a
  Drawdown max_drawdown;
};

struct MonthlyReturn {
  int year = 0, month = 0;              // calendar month of the run
  // Last value of the month / last value of the previous month - 1 (the starting capital for
  // the first month); n/a when that base is not positive.
  std::optional<double> value;
};

struct YearlyReturn {
  int year = 0;
  std::optional<double> value;          // same rule, by calendar year
};

// One curve's per-day series, aligned with RunRecord::days.
struct CurveSeries {
  std::vector<std::optional<double>> returns;  // r_k; n/a after a non-positive value
  std::vector<double> drawdown;                // v_k / running peak - 1, <= 0
  std::vector<MonthlyReturn> monthly;
  std::vector<YearlyReturn> yearly;
};

struct Metrics {
  double risk_free_rate = 0.0;          // annual, as given
  int sessions = 0;                     // number of recorded days
  double years = 0.0;                   // (last date - first date) / 365.25
  Money starting_capital;
  Money net_pnl;                        // final equity - starting capital

  ReturnRisk strategy;
  std::optional<ReturnRisk> benchmark;  // empty when the run names no benchmark

  // Closed trades (RunRecord::closed_trades; pnl includes fees): a win has pnl > 0, a loss
  // pnl < 0; a trade at exactly 0 is neither.
  int closed_trades = 0, winning_trades = 0, losing_trades = 0;
  Money gross_wins, gross_losses;       // sums of pnl over wins (>= 0) and over losses (<= 0)
  std::optional<double> win_rate;       // wins / closed trades; n/a with none
  std::optional<double> profit_factor;  // gross_wins / |gross_losses|; n/a with no loss
  std::optional<Money> average_trade;   // sum of pnl / closed trades (to 1e-8, half away)

  // traded_notional / mean(day equity) x 252 / sessions: times the average equity traded per
  // year; n/a when the mean equity is not positive.
  std::optional<double> turnover;
  // Mean over days of gross_exposure / equity; n/a when any day's equity is not positive.
  std::optional<double> average_exposure;
  double time_in_market = 0.0;          // fraction of days with open_positions > 0

  Money premium_collected;              // last day's cumulative premium_collected
  Money fees_paid;                      // last day's cumulative fees_paid
  Money traded_notional;
  int assignments = 0;                  // lifecycle kinds "assigned" and "early_assigned"
  int called_away = 0;                  // lifecycle kind "called_away" (not in assignments)

  CurveSeries strategy_series;
  std::optional<CurveSeries> benchmark_series;

  std::vector<std::string> notes;       // why each n/a figure is n/a
};

// All figures of `run`. `risk_free_rate` is annual (0.03 = 3%), used by the Sharpe ratios.
Result<Metrics> compute_metrics(const RunRecord& run, double risk_free_rate = 0.0);

// The pieces, exposed for tests and for other curves (e.g. a walk-forward fold).
// Daily returns of the curve {start, values...}; n/a after a non-positive value.
std::vector<std::optional<double>> curve_returns(double start, const std::vector<double>& values);
// Deepest drawdown of the curve {start at dates[0], values at dates}, and the per-day series.
// Requires start > 0 and dates.size() == values.size() >= 1.
Drawdown max_drawdown(double start, const std::vector<double>& values, const std::vector<Date>& dates,
                      std::vector<double>* series = nullptr);

}  // namespace keel::backtest
