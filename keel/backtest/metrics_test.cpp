// Tests for keel/backtest/metrics.hpp. Each expected figure is worked by hand (exact fractions
// in the comment beside it) from the definitions in docs/REPORTS.md; the properties check the
// drawdown against a brute-force O(n^2) search and the returns against the total return.
#include "keel/backtest/metrics.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace keel::backtest {
namespace {

Money money(double v) { return *Money::from_double(v, 2); }

// A run with starting capital `capital` and one day per (date, equity); the benchmark is left
// unnamed unless a test sets it.
RunRecord make_run(double capital, const std::vector<std::pair<Date, double>>& days) {
  RunRecord r;
  r.strategy = "test";
  r.starting_capital = money(capital);
  for (const auto& [date, equity] : days) {
    DailyRecord d;
    d.date = date;
    d.equity = money(equity);
    d.cash = money(equity);
    d.benchmark_equity = money(capital);
    r.days.push_back(d);
  }
  if (!r.days.empty()) {
    r.start = r.days.front().date;
    r.end = r.days.back().date;
  }
  return r;
}

portfolio::ClosedTrade trade(double pnl) {
  portfolio::ClosedTrade t;
  Instrument acme;
  acme.symbol = "ACME";
  t.instrument = acme;
  t.pnl = money(pnl);
  return t;
}

bool has_note(const Metrics& m, const std::string& part) {
  for (const auto& n : m.notes) {
    if (n.find(part) != std::string::npos) return true;
  }
  return false;
}

// The brief's example: capital 100, closes 100, 110, 99, 120.
// Curve 100 | 100, 110, 99, 120 -> returns 0, 1/10, -1/10, 120/99 - 1 = 21/99 = 7/33.
// mean = (0 + 1/10 - 1/10 + 7/33) / 4 = 7/132.
// deviations from 7/132 in 1320ths: -70, 62, -202, 210; squares 4900 + 3844 + 40804 + 44100 =
// 93648, so the sample variance is 93648 / 1320^2 / 3 = 1951/108900 and stdev = sqrt(1951)/330.
// vol = sqrt(1951)/330 x sqrt(252) = 2.12478487...
// Sharpe(rf 0) = (7/132) / (sqrt(1951)/330) x sqrt(252) = 17.5 / sqrt(1951) x sqrt(252)
//              = 17.5 x sqrt(252/1951) = 6.28940677...
// Sortino: downside squares over all 4 days = (0 + 0 + 1/100 + 0) / 4, DD = sqrt(1/400) = 1/20;
//          (7/132) / (1/20) x sqrt(252) = (35/33) x sqrt(252) = 16.83659925...
// Max drawdown: peak 110 (day 1), trough 99 (day 2): 11/110 = 10%; 120 >= 110 on day 3.
// Dates 2020-01-01, 2021-01-01, 2022-06-01, 2024-01-01: 1461 days = 4 x 365.25, so years = 4
// and CAGR = 1.2^(1/4) - 1 = 0.04663513939...; Calmar = CAGR / 0.10. Drawdown length
// 2021-01-01 .. 2024-01-01 = 365 + 365 + 365 = 1095 days.
TEST(Metrics, HandWorkedFourDaySeries) {
  const RunRecord run = make_run(100, {{Date::ymd(2020, 1, 1), 100},
                                       {Date::ymd(2021, 1, 1), 110},
                                       {Date::ymd(2022, 6, 1), 99},
                                       {Date::ymd(2024, 1, 1), 120}});
  auto m = compute_metrics(run);
  ASSERT_TRUE(m.ok()) << m.error().message;
  const ReturnRisk& s = m->strategy;
  ASSERT_EQ(m->strategy_series.returns.size(), 4u);
  EXPECT_DOUBLE_EQ(*m->strategy_series.returns[0], 0.0);
  EXPECT_NEAR(*m->strategy_series.returns[1], 0.10, 1e-15);
  EXPECT_NEAR(*m->strategy_series.returns[2], -0.10, 1e-15);
  EXPECT_NEAR(*m->strategy_series.returns[3], 7.0 / 33.0, 1e-15);
  EXPECT_NEAR(*s.total_return, 0.2, 1e-15);
  EXPECT_DOUBLE_EQ(m->years, 4.0);
  EXPECT_NEAR(*s.cagr, std::pow(1.2, 0.25) - 1.0, 1e-15);
  EXPECT_NEAR(*s.cagr, 0.0466351393921, 1e-12);
  EXPECT_NEAR(*s.volatility, std::sqrt(1951.0) / 330.0 * std::sqrt(252.0), 1e-12);
  EXPECT_NEAR(*s.volatility, 2.12478487000488, 1e-12);
  EXPECT_NEAR(*s.sharpe, 17.5 * std::sqrt(252.0 / 1951.0), 1e-12);
  EXPECT_NEAR(*s.sharpe, 6.28940677820512, 1e-12);
  EXPECT_NEAR(*s.sortino, 35.0 / 33.0 * std::sqrt(252.0), 1e-12);
  EXPECT_NEAR(*s.sortino, 16.8365992522292, 1e-12);
  EXPECT_NEAR(s.max_drawdown.depth, 0.10, 1e-15);
  EXPECT_EQ(s.max_drawdown.peak, Date::ymd(2021, 1, 1));
  EXPECT_EQ(s.max_drawdown.trough, Date::ymd(2022, 6, 1));
  EXPECT_EQ(s.max_drawdown.recovery, Date::ymd(2024, 1, 1));
  EXPECT_EQ(s.max_drawdown.duration_days, 1095);
  EXPECT_NEAR(*s.calmar, (std::pow(1.2, 0.25) - 1.0) / 0.10, 1e-12);
  // Drawdown series: 0, 0, 99/110 - 1 = -0.1, 0.
  EXPECT_EQ(m->strategy_series.drawdown[0], 0.0);
  EXPECT_EQ(m->strategy_series.drawdown[1], 0.0);
  EXPECT_NEAR(m->strategy_series.drawdown[2], -0.10, 1e-15);
  EXPECT_EQ(m->strategy_series.drawdown[3], 0.0);
  EXPECT_EQ(m->net_pnl, money(20));
  EXPECT_EQ(s.final_value, money(120));
}

// Same returns with rf = 3% a year: rf_d = 1.03^(1/252) - 1 = 0.000117303713834...;
// excess returns have the same stdev, so Sharpe = (7/132 - rf_d) / (sqrt(1951)/330) x sqrt(252)
// = 6.27549452934... The Sortino ratio keeps its target 0 and does not change.
TEST(Metrics, SharpeSubtractsTheDailyRiskFreeRate) {
  const RunRecord run = make_run(100, {{Date::ymd(2024, 1, 2), 100},
                                       {Date::ymd(2024, 1, 3), 110},
                                       {Date::ymd(2024, 1, 4), 99},
                                       {Date::ymd(2024, 1, 5), 120}});
  auto m = compute_metrics(run, 0.03);
  ASSERT_TRUE(m.ok()) << m.error().message;
  const double rf_d = std::pow(1.03, 1.0 / 252.0) - 1.0;
  EXPECT_NEAR(rf_d, 0.000117303713834449, 1e-15);
  EXPECT_NEAR(*m->strategy.sharpe, (7.0 / 132.0 - rf_d) / (std::sqrt(1951.0) / 330.0) * std::sqrt(252.0), 1e-12);
  EXPECT_NEAR(*m->strategy.sharpe, 6.27549452934473, 1e-11);
  EXPECT_NEAR(*m->strategy.sortino, 35.0 / 33.0 * std::sqrt(252.0), 1e-12);
  // Three calendar days: CAGR = 1.2^(365.25/3) - 1, an absurd but finite 4.368e9.
  EXPECT_NEAR(*m->strategy.cagr / (std::pow(1.2, 365.25 / 3.0) - 1.0), 1.0, 1e-12);
}

// A constant curve: every return is exactly 0, so the volatility is 0 and the ratios that
// divide by it are n/a (never inf or NaN); no drawdown, so Calmar is n/a too.
TEST(Metrics, ConstantSeriesHasZeroVolatilityAndNoRatios) {
  const RunRecord run = make_run(1000, {{Date::ymd(2024, 1, 2), 1000},
                                        {Date::ymd(2024, 1, 3), 1000},
                                        {Date::ymd(2024, 1, 4), 1000}});
  auto m = compute_metrics(run);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(*m->strategy.total_return, 0.0);
  EXPECT_EQ(*m->strategy.cagr, 0.0);
  EXPECT_EQ(*m->strategy.volatility, 0.0);
  EXPECT_FALSE(m->strategy.sharpe.has_value());
  EXPECT_FALSE(m->strategy.sortino.has_value());
  EXPECT_FALSE(m->strategy.calmar.has_value());
  EXPECT_EQ(m->strategy.max_drawdown.depth, 0.0);
  EXPECT_FALSE(m->strategy.max_drawdown.peak.has_value());
  EXPECT_TRUE(has_note(*m, "Sharpe n/a: zero volatility"));
  EXPECT_TRUE(has_note(*m, "Sortino n/a"));
}

// A monotone rise 100 | 101, 103, 106: returns 0.01, 2/101, 3/103, all > 0: no drawdown, no
// downside (Sortino n/a), Sharpe defined. mean = (0.01 + 0.0198019802 + 0.0291262136)/3
// = 0.0196427313; sample stdev 0.0095641012; Sharpe = mean/stdev x sqrt(252) = 32.6030314
// (Python's statistics.stdev gives the same figures).
TEST(Metrics, MonotoneSeriesHasNoDrawdown) {
  const RunRecord run = make_run(100, {{Date::ymd(2024, 1, 2), 101},
                                       {Date::ymd(2024, 1, 3), 103},
                                       {Date::ymd(2024, 1, 4), 106}});
  auto m = compute_metrics(run);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->strategy.max_drawdown.depth, 0.0);
  EXPECT_FALSE(m->strategy.max_drawdown.peak.has_value());
  EXPECT_FALSE(m->strategy.max_drawdown.trough.has_value());
  EXPECT_FALSE(m->strategy.max_drawdown.recovery.has_value());
  EXPECT_EQ(m->strategy.max_drawdown.duration_days, 0);
  for (double d : m->strategy_series.drawdown) EXPECT_EQ(d, 0.0);
  EXPECT_FALSE(m->strategy.sortino.has_value());
  EXPECT_FALSE(m->strategy.calmar.has_value());
  const double r1 = 0.01, r2 = 2.0 / 101.0, r3 = 3.0 / 103.0, mean = (r1 + r2 + r3) / 3.0;
  const double d1 = r1 - mean, d2 = r2 - mean, d3 = r3 - mean;
  const double sd = std::sqrt((d1 * d1 + d2 * d2 + d3 * d3) / 2.0);
  EXPECT_NEAR(mean, 0.0196427313, 1e-10);
  EXPECT_NEAR(*m->strategy.sharpe, mean / sd * std::sqrt(252.0), 1e-10);
  EXPECT_NEAR(*m->strategy.sharpe, 32.6030314237, 1e-9);
  EXPECT_NEAR(*m->strategy.total_return, 0.06, 1e-15);
}

// CAGR over a whole number of 365.25-day years: 2020-01-01 .. 2024-01-01 is 366 + 3 x 365 =
// 1461 days = exactly 4 x 365.25, so doubling gives 2^(1/4) - 1 = 0.189207115002721.
// Over 2023-01-01 .. 2024-01-01 (365 days = 365/365.25 years) +10% gives
// 1.1^(365.25/365) - 1 = 0.10007181138... (Python: 1.1**(365.25/365) - 1).
TEST(Metrics, CagrUsesCalendarDaysOver365Point25) {
  auto four = compute_metrics(make_run(100, {{Date::ymd(2020, 1, 1), 100}, {Date::ymd(2024, 1, 1), 200}}));
  ASSERT_TRUE(four.ok());
  EXPECT_DOUBLE_EQ(four->years, 4.0);
  EXPECT_NEAR(*four->strategy.cagr, 0.189207115002721, 1e-14);
  auto one = compute_metrics(make_run(100, {{Date::ymd(2023, 1, 1), 100}, {Date::ymd(2024, 1, 1), 110}}));
  ASSERT_TRUE(one.ok());
  EXPECT_NEAR(one->years, 365.0 / 365.25, 1e-15);
  EXPECT_NEAR(*one->strategy.cagr, std::exp(std::log(1.1) * 365.25 / 365.0) - 1.0, 1e-14);
  EXPECT_NEAR(*one->strategy.cagr, 0.1000718113835, 1e-12);
  // A single day spans 0 calendar days: CAGR n/a; one return only: volatility n/a.
  auto single = compute_metrics(make_run(100, {{Date::ymd(2024, 1, 2), 101}}));
  ASSERT_TRUE(single.ok());
  EXPECT_NEAR(*single->strategy.total_return, 0.01, 1e-15);
  EXPECT_FALSE(single->strategy.cagr.has_value());
  EXPECT_FALSE(single->strategy.volatility.has_value());
  EXPECT_FALSE(single->strategy.sharpe.has_value());
  EXPECT_TRUE(has_note(*single, "CAGR n/a"));
}

// The starting capital is the first peak: 100 | 90, 95, 100 falls 10% on the first day and
// recovers on the third; the peak is dated the first session.
TEST(Metrics, DrawdownFromTheStartingCapital) {
  auto m = compute_metrics(make_run(100, {{Date::ymd(2024, 1, 2), 90},
                                          {Date::ymd(2024, 1, 3), 95},
                                          {Date::ymd(2024, 1, 4), 100}}));
  ASSERT_TRUE(m.ok());
  const Drawdown& d = m->strategy.max_drawdown;
  EXPECT_NEAR(d.depth, 0.10, 1e-15);
  EXPECT_EQ(d.peak, Date::ymd(2024, 1, 2));
  EXPECT_EQ(d.trough, Date::ymd(2024, 1, 2));
  EXPECT_EQ(d.recovery, Date::ymd(2024, 1, 4));
  EXPECT_EQ(d.duration_days, 2);
  EXPECT_NEAR(*m->strategy_series.returns[0], -0.10, 1e-15);
}

// 100 | 100, 120, 90, 100: the deepest fall is 120 -> 90 = 30/120 = 25%, not recovered by the
// end; its length runs from the peak (01-03) to the last day (01-10): 7 days. A later equal
// fall does not replace the earlier one: 100 | 110, 99, 110, 99 has two 10% falls, the first
// (peak 01-02, trough 01-03, recovered 01-04) is reported.
TEST(Metrics, DrawdownNotRecoveredAndTies) {
  auto m = compute_metrics(make_run(100, {{Date::ymd(2024, 1, 2), 100},
                                          {Date::ymd(2024, 1, 3), 120},
                                          {Date::ymd(2024, 1, 4), 90},
                                          {Date::ymd(2024, 1, 10), 100}}));
  ASSERT_TRUE(m.ok());
  const Drawdown& d = m->strategy.max_drawdown;
  EXPECT_NEAR(d.depth, 0.25, 1e-15);
  EXPECT_EQ(d.peak, Date::ymd(2024, 1, 3));
  EXPECT_EQ(d.trough, Date::ymd(2024, 1, 4));
  EXPECT_FALSE(d.recovery.has_value());
  EXPECT_EQ(d.duration_days, 7);

  auto t = compute_metrics(make_run(100, {{Date::ymd(2024, 1, 2), 110},
                                          {Date::ymd(2024, 1, 3), 99},
                                          {Date::ymd(2024, 1, 4), 110},
                                          {Date::ymd(2024, 1, 5), 99}}));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->strategy.max_drawdown.peak, Date::ymd(2024, 1, 2));
  EXPECT_EQ(t->strategy.max_drawdown.trough, Date::ymd(2024, 1, 3));
  EXPECT_EQ(t->strategy.max_drawdown.recovery, Date::ymd(2024, 1, 4));
}

// Trades +30, -10, +5, 0: wins 2 (the 0 is neither), losses 1; win rate 2/4 = 0.5; profit
// factor 35/10 = 3.5; average (30 - 10 + 5 + 0)/4 = 6.25.
TEST(Metrics, TradeStatisticsWithLosses) {
  RunRecord run = make_run(100, {{Date::ymd(2024, 1, 2), 100}, {Date::ymd(2024, 1, 3), 100}});
  run.closed_trades = {trade(30), trade(-10), trade(5), trade(0)};
  auto m = compute_metrics(run);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->closed_trades, 4);
  EXPECT_EQ(m->winning_trades, 2);
  EXPECT_EQ(m->losing_trades, 1);
  EXPECT_EQ(*m->win_rate, 0.5);
  EXPECT_EQ(*m->profit_factor, 3.5);
  EXPECT_EQ(*m->average_trade, *Money::parse("6.25"));
  EXPECT_EQ(m->gross_wins, money(35));
  EXPECT_EQ(m->gross_losses, money(-10));
}

// Wins only (+10, +20): profit factor n/a (no loss to divide by), win rate 1, average 15.
// No trades at all: all three n/a.
TEST(Metrics, TradeStatisticsWithoutLosses) {
  RunRecord run = make_run(100, {{Date::ymd(2024, 1, 2), 100}, {Date::ymd(2024, 1, 3), 100}});
  run.closed_trades = {trade(10), trade(20)};
  auto m = compute_metrics(run);
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->profit_factor.has_value());
  EXPECT_EQ(*m->win_rate, 1.0);
  EXPECT_EQ(*m->average_trade, money(15));
  EXPECT_TRUE(has_note(*m, "profit factor n/a: no losing trade"));

  run.closed_trades.clear();
  auto none = compute_metrics(run);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->win_rate.has_value());
  EXPECT_FALSE(none->profit_factor.has_value());
  EXPECT_FALSE(none->average_trade.has_value());
}

// Average trade of 3 trades summing to 1.00: 0.33333333 (Money's 1e-8, half away from zero).
TEST(Metrics, AverageTradeRoundsHalfAwayFromZero) {
  RunRecord run = make_run(100, {{Date::ymd(2024, 1, 2), 100}});
  run.closed_trades = {trade(0.5), trade(0.25), trade(0.25)};
  auto m = compute_metrics(run);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->average_trade->raw(), 33'333'333);
  run.closed_trades = {trade(-0.5), trade(-0.5), trade(-1)};  // -2/3 -> -0.66666667
  auto neg = compute_metrics(run);
  ASSERT_TRUE(neg.ok());
  EXPECT_EQ(neg->average_trade->raw(), -66'666'667);
}

// Turnover: 1,000 traded over 2 sessions with mean equity (100 + 100)/2 = 100:
// 1000/100 x 252/2 = 1260 times a year. Exposure: gross 50 and 0 over equity 100 -> mean
// (0.5 + 0)/2 = 0.25; in the market 1 day of 2 = 0.5. Premium and fees: the last day's.
// Lifecycle: assigned + early_assigned = 2 assignments, 1 called away, expiries not counted.
TEST(Metrics, TurnoverExposureAndLifecycleCounts) {
  RunRecord run = make_run(100, {{Date::ymd(2024, 1, 2), 100}, {Date::ymd(2024, 1, 3), 100}});
  run.traded_notional = money(1000);
  run.days[0].gross_exposure = money(50);
  run.days[0].open_positions = 1;
  run.days[0].premium_collected = money(3);
  run.days[1].premium_collected = money(7.5);
  run.days[0].fees_paid = money(0.65);
  run.days[1].fees_paid = money(1.30);
  for (const char* kind : {"assigned", "early_assigned", "called_away", "expired_worthless", "pin_risk"}) {
    LifecycleRecord r;
    r.kind = kind;
    run.lifecycle.push_back(r);
  }
  auto m = compute_metrics(run);
  ASSERT_TRUE(m.ok());
  EXPECT_DOUBLE_EQ(*m->turnover, 1260.0);
  EXPECT_DOUBLE_EQ(*m->average_exposure, 0.25);
  EXPECT_DOUBLE_EQ(m->time_in_market, 0.5);
  EXPECT_EQ(m->premium_collected, money(7.5));
  EXPECT_EQ(m->fees_paid, money(1.30));
  EXPECT_EQ(m->assignments, 2);
  EXPECT_EQ(m->called_away, 1);
}

// Benchmark 100 | 100, 100, 105: total return 5%, returns 0, 0, 0.05; no drawdown.
// Calendar returns of the strategy: 100 | 105 (01-30), 110 (01-31), 99 (02-01), 121 (02-29),
// 121 (03-01): January 110/100 - 1 = 10%, February 121/110 - 1 = 10%, March 0; 2024: 21%.
TEST(Metrics, BenchmarkAndCalendarReturns) {
  RunRecord run = make_run(100, {{Date::ymd(2024, 1, 30), 105},
                                 {Date::ymd(2024, 1, 31), 110},
                                 {Date::ymd(2024, 2, 1), 99},
                                 {Date::ymd(2024, 2, 29), 121},
                                 {Date::ymd(2024, 3, 1), 121}});
  run.benchmark = "SPY";
  const double bench[] = {100, 100, 100, 100, 105};
  for (std::size_t k = 0; k < run.days.size(); ++k) run.days[k].benchmark_equity = money(bench[k]);
  auto m = compute_metrics(run);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->benchmark.has_value());
  EXPECT_NEAR(*m->benchmark->total_return, 0.05, 1e-15);
  EXPECT_EQ(m->benchmark->max_drawdown.depth, 0.0);
  EXPECT_EQ(*m->benchmark_series->returns[0], 0.0);
  EXPECT_NEAR(*m->benchmark_series->returns[4], 0.05, 1e-15);
  const auto& mo = m->strategy_series.monthly;
  ASSERT_EQ(mo.size(), 3u);
  EXPECT_EQ(mo[0].year, 2024);
  EXPECT_EQ(mo[0].month, 1);
  EXPECT_NEAR(*mo[0].value, 0.10, 1e-15);
  EXPECT_EQ(mo[1].month, 2);
  EXPECT_NEAR(*mo[1].value, 0.10, 1e-15);
  EXPECT_EQ(*mo[2].value, 0.0);
  ASSERT_EQ(m->strategy_series.yearly.size(), 1u);
  EXPECT_NEAR(*m->strategy_series.yearly[0].value, 0.21, 1e-15);
  // Without a benchmark symbol there are no benchmark figures.
  run.benchmark.clear();
  auto nb = compute_metrics(run);
  ASSERT_TRUE(nb.ok());
  EXPECT_FALSE(nb->benchmark.has_value());
  EXPECT_FALSE(nb->benchmark_series.has_value());
}

// An account that reaches 0: 100 | 100, 0, 50. The return after the 0 is undefined, so the
// figures built on returns are n/a with a note; the drawdown is 100% (peak 100 -> 0).
TEST(Metrics, NonPositiveEquityMakesReturnFiguresNotAvailable) {
  auto m = compute_metrics(make_run(100, {{Date::ymd(2024, 1, 2), 100},
                                          {Date::ymd(2024, 1, 3), 0},
                                          {Date::ymd(2024, 1, 4), 50}}));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_FALSE(m->strategy_series.returns[2].has_value());
  EXPECT_FALSE(m->strategy.volatility.has_value());
  EXPECT_FALSE(m->strategy.sharpe.has_value());
  EXPECT_FALSE(m->average_exposure.has_value());
  EXPECT_NEAR(*m->strategy.total_return, -0.5, 1e-15);
  EXPECT_EQ(m->strategy.max_drawdown.depth, 1.0);
  EXPECT_TRUE(has_note(*m, "not positive on 2024-01-03"));
}

TEST(Metrics, InputsThatAreNotARunAreErrorsNamingTheField) {
  RunRecord empty;
  empty.starting_capital = money(100);
  auto e = compute_metrics(empty);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("no days"), std::string::npos);

  RunRecord order = make_run(100, {{Date::ymd(2024, 1, 3), 100}, {Date::ymd(2024, 1, 3), 100}});
  auto o = compute_metrics(order);
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.error().message.find("days[1] 2024-01-03 is not after days[0] 2024-01-03"), std::string::npos)
      << o.error().message;

  RunRecord zero = make_run(100, {{Date::ymd(2024, 1, 2), 100}});
  zero.starting_capital = money(0);
  auto z = compute_metrics(zero);
  ASSERT_FALSE(z.ok());
  EXPECT_NE(z.error().message.find("starting_capital"), std::string::npos);

  auto rf = compute_metrics(make_run(100, {{Date::ymd(2024, 1, 2), 100}}), std::nan(""));
  ASSERT_FALSE(rf.ok());
  EXPECT_NE(rf.error().message.find("risk-free rate"), std::string::npos);
  EXPECT_FALSE(compute_metrics(make_run(100, {{Date::ymd(2024, 1, 2), 100}}), -1.0).ok());
}

// A random positive curve of 1..60 days (cents from 0.01 to 10,000.00).
std::vector<double> gen_curve(double& start) {
  start = *rc::gen::inRange(1, 1'000'001) / 100.0;
  const auto cents = *rc::gen::container<std::vector<int>>(*rc::gen::inRange<std::size_t>(1, 61),
                                                           rc::gen::inRange(1, 1'000'001));
  std::vector<double> v;
  for (int c : cents) v.push_back(c / 100.0);
  return v;
}

std::vector<Date> consecutive_dates(std::size_t n) {
  std::vector<Date> d;
  for (std::size_t k = 0; k < n; ++k) d.push_back(Date::ymd(2024, 1, 1) + static_cast<int>(k));
  return d;
}

// The deepest drawdown equals a brute-force search over all pairs i < j of the curve
// {start, values...} of (v_i - v_j) / v_i, and the per-day series reaches exactly -depth.
RC_GTEST_PROP(MetricsProperties, DrawdownMatchesBruteForce, ()) {
  double start = 0.0;
  const std::vector<double> values = gen_curve(start);
  std::vector<double> curve{start};
  curve.insert(curve.end(), values.begin(), values.end());
  double brute = 0.0;
  for (std::size_t i = 0; i < curve.size(); ++i) {
    for (std::size_t j = i + 1; j < curve.size(); ++j) brute = std::max(brute, (curve[i] - curve[j]) / curve[i]);
  }
  std::vector<double> series;
  const Drawdown d = max_drawdown(start, values, consecutive_dates(values.size()), &series);
  RC_ASSERT(std::fabs(d.depth - brute) <= 1e-12);
  RC_ASSERT(d.depth >= 0.0);
  RC_ASSERT(d.depth < 1.0);
  double lowest = 0.0;
  for (double s : series) lowest = std::min(lowest, s);
  RC_ASSERT(std::fabs(lowest + d.depth) <= 1e-12);
  if (d.depth > 0.0) {
    RC_ASSERT(d.peak.has_value() && d.trough.has_value());
    RC_ASSERT(*d.peak <= *d.trough);
    if (d.recovery) RC_ASSERT(*d.recovery > *d.trough);
  }
}

// Compounding the daily returns gives back the total return; scaling the whole curve (capital
// included) by an integer changes no ratio.
RC_GTEST_PROP(MetricsProperties, ReturnsCompoundToTheTotalAndRatiosAreScaleFree, ()) {
  double start = 0.0;
  const std::vector<double> values = gen_curve(start);
  const auto dates = consecutive_dates(values.size());
  std::vector<std::pair<Date, double>> days, scaled;
  const int k = *rc::gen::inRange(2, 1000);
  for (std::size_t i = 0; i < values.size(); ++i) {
    days.emplace_back(dates[i], values[i]);
    scaled.emplace_back(dates[i], values[i] * k);
  }
  auto a = compute_metrics(make_run(start, days));
  auto b = compute_metrics(make_run(start * k, scaled));
  RC_ASSERT(a.ok() && b.ok());
  double prod = 1.0;
  for (const auto& r : a->strategy_series.returns) prod *= 1.0 + *r;
  RC_ASSERT(std::fabs(prod - (1.0 + *a->strategy.total_return)) <= 1e-9 * (1.0 + *a->strategy.total_return));
  RC_ASSERT(std::fabs(*a->strategy.total_return - *b->strategy.total_return) <=
            1e-12 * (1.0 + std::fabs(*a->strategy.total_return)));
  RC_ASSERT(std::fabs(a->strategy.max_drawdown.depth - b->strategy.max_drawdown.depth) <= 1e-12);
  RC_ASSERT(a->strategy.sharpe.has_value() == b->strategy.sharpe.has_value());
  if (a->strategy.sharpe) {
    RC_ASSERT(std::fabs(*a->strategy.sharpe - *b->strategy.sharpe) <= 1e-9 * (1.0 + std::fabs(*a->strategy.sharpe)));
  }
  // Never NaN or infinity.
  for (const auto& v : {a->strategy.cagr, a->strategy.volatility, a->strategy.sharpe, a->strategy.sortino,
                        a->strategy.calmar}) {
    if (v) RC_ASSERT(std::isfinite(*v));
  }
}

}  // namespace
}  // namespace keel::backtest
