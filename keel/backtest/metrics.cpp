#include "keel/backtest/metrics.hpp"

#include <cmath>
#include <string_view>

namespace keel::backtest {
namespace {

// Mean and sample standard deviation in two passes: the one-pass sum-of-squares formula
// cancels catastrophically for returns that are nearly equal, and can even go negative.
struct MeanStdev {
  double mean = 0.0;
  std::optional<double> stdev;  // n/a below 2 values
};

MeanStdev mean_stdev(const std::vector<double>& x) {
  MeanStdev out;
  if (x.empty()) return out;
  double sum = 0.0;
  for (double v : x) sum += v;
  out.mean = sum / static_cast<double>(x.size());
  if (x.size() < 2) return out;
  double ss = 0.0;
  for (double v : x) {
    const double d = v - out.mean;
    ss += d * d;
  }
  out.stdev = std::sqrt(ss / static_cast<double>(x.size() - 1));
  return out;
}

// Everything about one curve: its returns, drawdown, ratios and calendar returns.
struct CurveResult {
  ReturnRisk rr;
  CurveSeries series;
};

CurveResult measure_curve(std::string_view name, double start, const std::vector<double>& values, Money final_value,
                          const std::vector<Date>& dates, double years, double rf_daily,
                          std::vector<std::string>& notes) {
  CurveResult out;
  ReturnRisk& rr = out.rr;
  rr.final_value = final_value;
  const std::string who(name);

  out.series.returns = curve_returns(start, values);
  std::vector<double> returns;
  returns.reserve(values.size());
  std::optional<Date> undefined_after;
  for (std::size_t k = 0; k < out.series.returns.size(); ++k) {
    if (out.series.returns[k]) {
      returns.push_back(*out.series.returns[k]);
    } else if (!undefined_after) {
      undefined_after = k == 0 ? dates[0] : dates[k - 1];
    }
  }

  const double last = values.back();
  rr.total_return = last / start - 1.0;
  if (years <= 0.0) {
    notes.push_back(who + " CAGR n/a: the run spans 0 calendar days");
  } else if (last <= 0.0) {
    notes.push_back(who + " CAGR n/a: final value " + final_value.to_string() + " is not positive");
  } else {
    const double cagr = std::pow(last / start, 1.0 / years) - 1.0;
    if (std::isfinite(cagr)) {
      rr.cagr = cagr;
    } else {
      notes.push_back(who + " CAGR n/a: the growth rate over so short a period exceeds a double");
    }
  }

  rr.max_drawdown = max_drawdown(start, values, dates, &out.series.drawdown);

  if (undefined_after) {
    notes.push_back(who + " volatility, Sharpe and Sortino n/a: the value is not positive on " +
                    undefined_after->to_string() + ", so the next daily return is undefined");
  } else if (returns.size() < 2) {
    notes.push_back(who + " volatility, Sharpe and Sortino n/a: " + std::to_string(returns.size()) +
                    " daily return(s); at least 2 are needed");
  } else {
    const MeanStdev ms = mean_stdev(returns);
    rr.volatility = *ms.stdev * std::sqrt(kTradingDaysPerYear);
    std::vector<double> excess(returns.size());
    for (std::size_t k = 0; k < returns.size(); ++k) excess[k] = returns[k] - rf_daily;
    const MeanStdev ex = mean_stdev(excess);
    if (*ex.stdev < kZeroVolatility) {
      notes.push_back(who + " Sharpe n/a: zero volatility of daily returns");
    } else {
      rr.sharpe = ex.mean / *ex.stdev * std::sqrt(kTradingDaysPerYear);
    }
    // Downside deviation over ALL days (non-negative days contribute 0), target 0.
    double down = 0.0;
    for (double r : returns) {
      if (r < 0.0) down += r * r;
    }
    const double dd = std::sqrt(down / static_cast<double>(returns.size()));
    if (dd < kZeroVolatility) {
      notes.push_back(who + " Sortino n/a: no day with a negative return (downside deviation 0)");
    } else {
      rr.sortino = ms.mean / dd * std::sqrt(kTradingDaysPerYear);
    }
  }

  if (rr.cagr && rr.max_drawdown.depth > 0.0) {
    rr.calmar = *rr.cagr / rr.max_drawdown.depth;
  } else if (rr.cagr) {
    notes.push_back(who + " Calmar n/a: no drawdown");
  } else {
    notes.push_back(who + " Calmar n/a: CAGR n/a");
  }

  // Calendar months and years: the last value of each against the last value before it.
  double base = start;
  for (std::size_t k = 0; k < values.size(); ++k) {
    const int y = dates[k].year(), m = dates[k].month();
    const bool month_end = k + 1 == values.size() || dates[k + 1].year() != y || dates[k + 1].month() != m;
    if (!month_end) continue;
    MonthlyReturn mr{y, m, std::nullopt};
    if (base > 0.0) mr.value = values[k] / base - 1.0;
    out.series.monthly.push_back(mr);
    base = values[k];
  }
  base = start;
  for (std::size_t k = 0; k < values.size(); ++k) {
    const int y = dates[k].year();
    const bool year_end = k + 1 == values.size() || dates[k + 1].year() != y;
    if (!year_end) continue;
    YearlyReturn yr{y, std::nullopt};
    if (base > 0.0) yr.value = values[k] / base - 1.0;
    out.series.yearly.push_back(yr);
    base = values[k];
  }
  return out;
}

}  // namespace

std::vector<std::optional<double>> curve_returns(double start, const std::vector<double>& values) {
  std::vector<std::optional<double>> out;
  out.reserve(values.size());
  double prev = start;
  for (double v : values) {
    out.push_back(prev > 0.0 ? std::optional<double>(v / prev - 1.0) : std::nullopt);
    prev = v;
  }
  return out;
}

Drawdown max_drawdown(double start, const std::vector<double>& values, const std::vector<Date>& dates,
                      std::vector<double>* series) {
  KEEL_ASSERT(start > 0.0, "max_drawdown needs a positive start");
  KEEL_ASSERT(!values.empty() && values.size() == dates.size(), "max_drawdown: one date per value");
  // Point 0 is the start (dated the first day); point k >= 1 is values[k - 1].
  auto value_at = [&](std::size_t i) { return i == 0 ? start : values[i - 1]; };
  auto date_at = [&](std::size_t i) { return i == 0 ? dates[0] : dates[i - 1]; };
  const std::size_t points = values.size() + 1;

  double peak = start;
  std::size_t peak_i = 0;
  double best = 0.0;
  std::size_t best_peak = 0, best_trough = 0;
  if (series != nullptr) series->assign(values.size(), 0.0);
  for (std::size_t i = 0; i < points; ++i) {
    const double v = value_at(i);
    if (v >= peak) {
      peak = v;
      peak_i = i;
    } else {
      const double depth = (peak - v) / peak;
      if (depth > best) {
        best = depth;
        best_peak = peak_i;
        best_trough = i;
      }
    }
    if (series != nullptr && i > 0) (*series)[i - 1] = (v - peak) / peak;
  }
  Drawdown d;
  if (best <= 0.0) return d;
  d.depth = best;
  d.peak = date_at(best_peak);
  d.trough = date_at(best_trough);
  const double peak_value = value_at(best_peak);
  for (std::size_t i = best_trough + 1; i < points; ++i) {
    if (value_at(i) >= peak_value) {
      d.recovery = date_at(i);
      break;
    }
  }
  d.duration_days = (d.recovery ? *d.recovery : dates.back()) - *d.peak;
  return d;
}

Result<Metrics> compute_metrics(const RunRecord& run, double risk_free_rate) {
  if (run.days.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "backtest metrics: the run has no days (" + run.start.to_string() +
                                                       " .. " + run.end.to_string() + ")");
  }
  if (!run.starting_capital.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "backtest metrics: starting_capital " + run.starting_capital.to_string() + " must be positive");
  }
  if (!std::isfinite(risk_free_rate) || risk_free_rate <= -1.0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "backtest metrics: risk-free rate " + std::to_string(risk_free_rate) +
                          " must be finite and above -1");
  }
  for (std::size_t k = 1; k < run.days.size(); ++k) {
    if (!(run.days[k - 1].date < run.days[k].date)) {
      return make_error(ErrorCode::kInvalidArgument, "backtest metrics: days[" + std::to_string(k) + "] " +
                                                         run.days[k].date.to_string() + " is not after days[" +
                                                         std::to_string(k - 1) + "] " +
                                                         run.days[k - 1].date.to_string());
    }
  }

  Metrics m;
  m.risk_free_rate = risk_free_rate;
  m.sessions = static_cast<int>(run.days.size());
  const DailyRecord& first = run.days.front();
  const DailyRecord& last = run.days.back();
  m.years = static_cast<double>(last.date - first.date) / kDaysPerYear;
  m.starting_capital = run.starting_capital;
  m.net_pnl = last.equity - run.starting_capital;

  std::vector<Date> dates;
  std::vector<double> equity, bench;
  dates.reserve(run.days.size());
  equity.reserve(run.days.size());
  bench.reserve(run.days.size());
  for (const DailyRecord& d : run.days) {
    dates.push_back(d.date);
    equity.push_back(d.equity.to_double());
    bench.push_back(d.benchmark_equity.to_double());
  }
  const double start = run.starting_capital.to_double();
  const double rf_daily = std::pow(1.0 + risk_free_rate, 1.0 / kTradingDaysPerYear) - 1.0;

  CurveResult s = measure_curve("strategy", start, equity, last.equity, dates, m.years, rf_daily, m.notes);
  m.strategy = std::move(s.rr);
  m.strategy_series = std::move(s.series);
  if (!run.benchmark.empty()) {
    CurveResult b = measure_curve("benchmark " + run.benchmark, start, bench, last.benchmark_equity, dates, m.years,
                                  rf_daily, m.notes);
    m.benchmark = std::move(b.rr);
    m.benchmark_series = std::move(b.series);
  }

  // Closed trades.
  Money total = Money::from_raw(0, 2);
  m.gross_wins = Money::from_raw(0, 2);
  m.gross_losses = Money::from_raw(0, 2);
  for (const portfolio::ClosedTrade& t : run.closed_trades) {
    ++m.closed_trades;
    auto sum = total.checked_add(t.pnl);
    if (!sum) return make_error(ErrorCode::kOverflow, "backtest metrics: sum of closed trades' pnl overflows");
    total = *sum;
    if (t.pnl.is_positive()) {
      ++m.winning_trades;
      m.gross_wins = m.gross_wins + t.pnl;
    } else if (t.pnl.is_negative()) {
      ++m.losing_trades;
      m.gross_losses = m.gross_losses + t.pnl;
    }
  }
  if (m.closed_trades == 0) {
    m.notes.push_back("win rate, profit factor and average trade n/a: no closed trades");
  } else {
    m.win_rate = static_cast<double>(m.winning_trades) / static_cast<double>(m.closed_trades);
    KEEL_TRY(avg, scale(total, 1, m.closed_trades));
    m.average_trade = avg;
    if (m.losing_trades == 0) {
      m.notes.push_back("profit factor n/a: no losing trade");
    } else {
      m.profit_factor = m.gross_wins.to_double() / -m.gross_losses.to_double();
    }
  }

  // Turnover and exposure.
  double equity_sum = 0.0, exposure_sum = 0.0;
  int in_market = 0;
  std::optional<Date> nonpositive_day;
  for (const DailyRecord& d : run.days) {
    const double e = d.equity.to_double();
    equity_sum += e;
    if (e > 0.0) {
      exposure_sum += d.gross_exposure.to_double() / e;
    } else if (!nonpositive_day) {
      nonpositive_day = d.date;
    }
    if (d.open_positions > 0) ++in_market;
  }
  const double mean_equity = equity_sum / static_cast<double>(run.days.size());
  m.traded_notional = run.traded_notional;
  if (mean_equity > 0.0) {
    m.turnover = run.traded_notional.to_double() / mean_equity * kTradingDaysPerYear / static_cast<double>(m.sessions);
  } else {
    auto shown = Money::from_double(mean_equity, 2);
    m.notes.push_back("turnover n/a: mean equity " + (shown ? shown->to_string() : std::string("?")) +
                      " is not positive");
  }
  if (nonpositive_day) {
    m.notes.push_back("average exposure n/a: equity is not positive on " + nonpositive_day->to_string());
  } else {
    m.average_exposure = exposure_sum / static_cast<double>(run.days.size());
  }
  m.time_in_market = static_cast<double>(in_market) / static_cast<double>(run.days.size());

  m.premium_collected = last.premium_collected;
  m.fees_paid = last.fees_paid;
  for (const LifecycleRecord& r : run.lifecycle) {
    if (r.kind == "assigned" || r.kind == "early_assigned") ++m.assignments;
    if (r.kind == "called_away") ++m.called_away;
  }
  return m;
}

}  // namespace keel::backtest
