#include "keel/backtest/report.hpp"

#include <cerrno>
#include <cstdio>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <system_error>

#include "keel/execution/order.hpp"
#include "keel/model/instrument.hpp"

namespace keel::backtest {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string fixed_text(double v, int decimals) {
  KEEL_ASSERT(std::isfinite(v), "fixed_text of a non-finite value");
  // 309 integer digits is the most a finite double needs in fixed notation.
  char buf[512];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  KEEL_ASSERT(r.ec == std::errc(), "to_chars failed");
  std::string s(buf, r.ptr);
  if (!s.empty() && s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

std::string shortest_text(double v) {
  KEEL_ASSERT(std::isfinite(v), "shortest_text of a non-finite value");
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  KEEL_ASSERT(r.ec == std::errc(), "to_chars failed");
  std::string s(buf, r.ptr);
  if (s == "-0") s = "0";
  return s;
}

std::string money_text(Money m) {
  return Money::from_raw(m.raw(), m.precision() < 2 ? 2 : m.precision()).to_string();
}

namespace {

std::string opt_text(const std::optional<double>& v) { return v ? shortest_text(*v) : std::string(); }

Status check_finite(double v, std::size_t k, Date date, const char* field) {
  if (std::isfinite(v)) return ok_status();
  return make_error(ErrorCode::kInvalidArgument, "report: days[" + std::to_string(k) + "] " + date.to_string() + ": " +
                                                     field + " is not finite");
}

Status check_metrics_match(const RunRecord& run, const Metrics& m) {
  const std::size_t n = run.days.size();
  const bool bench_ok = !m.benchmark_series || (m.benchmark_series->returns.size() == n &&
                                                m.benchmark_series->drawdown.size() == n);
  if (m.sessions != static_cast<int>(n) || m.strategy_series.returns.size() != n ||
      m.strategy_series.drawdown.size() != n || !bench_ok) {
    return make_error(ErrorCode::kInvalidArgument, "report: the metrics were computed for another run (" +
                                                       std::to_string(m.sessions) + " sessions, the run has " +
                                                       std::to_string(n) + ")");
  }
  return ok_status();
}

Status write_file_atomic(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      return make_error(ErrorCode::kIo, tmp.string() + ": cannot open for writing: " + std::strerror(errno));
    }
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      const std::string why = std::strerror(errno);
      out.close();
      std::error_code ignore;
      std::filesystem::remove(tmp, ignore);
      return make_error(ErrorCode::kIo, tmp.string() + ": write failed: " + why);
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignore;
    std::filesystem::remove(tmp, ignore);
    return make_error(ErrorCode::kIo, path.string() + ": cannot rename " + tmp.filename().string() + " over it: " +
                                          ec.message());
  }
  return ok_status();
}

nlohmann::json opt_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }
nlohmann::json opt_json(const std::optional<Date>& d) {
  return d ? nlohmann::json(d->to_string()) : nlohmann::json(nullptr);
}

std::string month_key(int year, int month) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
  return buf;
}

nlohmann::json curve_json(const ReturnRisk& r, const CurveSeries& s) {
  nlohmann::json j;
  j["final_value"] = money_text(r.final_value);
  j["total_return"] = opt_json(r.total_return);
  j["cagr"] = opt_json(r.cagr);
  j["volatility"] = opt_json(r.volatility);
  j["sharpe"] = opt_json(r.sharpe);
  j["sortino"] = opt_json(r.sortino);
  j["calmar"] = opt_json(r.calmar);
  nlohmann::json dd;
  dd["depth"] = r.max_drawdown.depth;
  dd["peak"] = opt_json(r.max_drawdown.peak);
  dd["trough"] = opt_json(r.max_drawdown.trough);
  dd["recovery"] = opt_json(r.max_drawdown.recovery);
  dd["duration_days"] = r.max_drawdown.duration_days;
  j["max_drawdown"] = dd;
  nlohmann::json monthly = nlohmann::json::object();
  for (const MonthlyReturn& mr : s.monthly) monthly[month_key(mr.year, mr.month)] = opt_json(mr.value);
  j["monthly_returns"] = monthly;
  nlohmann::json yearly = nlohmann::json::object();
  for (const YearlyReturn& yr : s.yearly) yearly[std::to_string(yr.year)] = opt_json(yr.value);
  j["yearly_returns"] = yearly;
  return j;
}

// Fixed-width text helpers for summary_text.
std::string pad_right(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}
std::string pad_left(std::string s, std::size_t width) {
  if (s.size() < width) s.insert(0, width - s.size(), ' ');
  return s;
}
std::string pct(const std::optional<double>& v) { return v ? fixed_text(*v * 100.0, 2) + "%" : "n/a"; }
std::string ratio(const std::optional<double>& v) { return v ? fixed_text(*v, 2) : "n/a"; }
std::string date_or(const std::optional<Date>& d, const char* none) { return d ? d->to_string() : none; }
// For people: to the cent (the CSV and JSON files keep every digit).
std::string cents(Money m) { return money_text(m.rounded(2)); }

}  // namespace

Result<std::string> equity_csv(const RunRecord& run, const Metrics& m) {
  KEEL_TRY_STATUS(check_metrics_match(run, m));
  std::string out =
      "date,equity,cash,benchmark_equity,premium_collected,fees_paid,gross_exposure,cash_reserved,"
      "delta_dollars,gamma_dollars,vega_dollars,theta_dollars,open_positions,daily_return,drawdown,"
      "benchmark_daily_return,benchmark_drawdown\n";
  for (std::size_t k = 0; k < run.days.size(); ++k) {
    const DailyRecord& d = run.days[k];
    KEEL_TRY_STATUS(check_finite(d.delta_dollars, k, d.date, "delta_dollars"));
    KEEL_TRY_STATUS(check_finite(d.gamma_dollars, k, d.date, "gamma_dollars"));
    KEEL_TRY_STATUS(check_finite(d.vega_dollars, k, d.date, "vega_dollars"));
    KEEL_TRY_STATUS(check_finite(d.theta_dollars, k, d.date, "theta_dollars"));
    out += d.date.to_string();
    for (Money v : {d.equity, d.cash, d.benchmark_equity, d.premium_collected, d.fees_paid, d.gross_exposure,
                    d.cash_reserved}) {
      out += ',';
      out += money_text(v);
    }
    for (double v : {d.delta_dollars, d.gamma_dollars, d.vega_dollars, d.theta_dollars}) {
      out += ',';
      out += shortest_text(v);
    }
    out += ',' + std::to_string(d.open_positions);
    out += ',' + opt_text(m.strategy_series.returns[k]);
    out += ',' + shortest_text(m.strategy_series.drawdown[k]);
    if (m.benchmark_series) {
      out += ',' + opt_text(m.benchmark_series->returns[k]);
      out += ',' + shortest_text(m.benchmark_series->drawdown[k]);
    } else {
      out += ",,";
    }
    out += '\n';
  }
  return out;
}

std::string trades_csv(const RunRecord& run) {
  std::string out =
      "ts,kind,order_id,symbol,underlying,right,strike,expiry,multiplier,side,quantity,price,commission,"
      "regulatory_fees,cash_change,realized_pnl,reason\n";
  for (const portfolio::Booking& b : run.bookings) {
    const auto& opt = b.instrument->option;
    out += b.ts.to_string();
    out += ',' + std::string(portfolio::to_string(b.kind));
    out += ',' + csv_field(b.order_id);
    out += ',' + csv_field(b.instrument->symbol);
    out += ',' + csv_field(opt ? opt->underlying : b.instrument->symbol);
    out += ',' + (opt ? std::string(to_string(opt->right)) : std::string());
    out += ',' + (opt ? opt->strike.to_string() : std::string());
    out += ',' + (opt ? opt->expiry.to_string() : std::string());
    out += ',' + std::to_string(opt ? opt->multiplier : 1);
    out += ',' + std::string(execution::to_string(b.side));
    out += ',' + b.quantity.to_string();
    out += ',' + b.price.to_string();
    out += ',' + money_text(b.commission);
    out += ',' + money_text(b.regulatory_fees);
    out += ',' + money_text(b.cash_change);
    out += ',' + money_text(b.realized_pnl);
    out += ',' + csv_field(b.reason);
    out += '\n';
  }
  return out;
}

std::string closed_trades_csv(const RunRecord& run) {
  std::string out = "symbol,underlying,opened,closed,max_quantity,pnl,closed_by\n";
  for (const portfolio::ClosedTrade& t : run.closed_trades) {
    const auto& opt = t.instrument->option;
    out += csv_field(t.instrument->symbol);
    out += ',' + csv_field(opt ? opt->underlying : t.instrument->symbol);
    out += ',' + t.opened.to_string();
    out += ',' + t.closed.to_string();
    out += ',' + t.max_quantity.to_string();
    out += ',' + money_text(t.pnl);
    out += ',' + std::string(portfolio::to_string(t.closed_by));
    out += '\n';
  }
  return out;
}

Result<std::string> positions_csv(const RunRecord& run) {
  std::string out = "date,symbol,underlying,quantity,mark,market_value,unrealized_pnl,delta\n";
  for (std::size_t k = 0; k < run.positions.size(); ++k) {
    const PositionSnapshot& p = run.positions[k];
    if (!std::isfinite(p.delta)) {
      return make_error(ErrorCode::kInvalidArgument, "report: positions[" + std::to_string(k) + "] " +
                                                         p.date.to_string() + " " + p.symbol +
                                                         ": delta is not finite");
    }
    out += p.date.to_string();
    out += ',' + csv_field(p.symbol);
    out += ',' + csv_field(p.underlying);
    out += ',' + p.quantity.to_string();
    out += ',' + p.mark.to_string();
    out += ',' + money_text(p.market_value);
    out += ',' + money_text(p.unrealized_pnl);
    out += ',' + shortest_text(p.delta);
    out += '\n';
  }
  return out;
}

nlohmann::json summary_json(const RunRecord& run, const Metrics& m) {
  nlohmann::json j;
  nlohmann::json r;
  r["strategy"] = run.strategy;
  r["config_path"] = run.config_path;
  r["start"] = run.start.to_string();
  r["end"] = run.end.to_string();
  r["first_day"] = run.days.empty() ? nlohmann::json(nullptr) : nlohmann::json(run.days.front().date.to_string());
  r["last_day"] = run.days.empty() ? nlohmann::json(nullptr) : nlohmann::json(run.days.back().date.to_string());
  r["sessions"] = m.sessions;
  r["years"] = m.years;
  r["starting_capital"] = money_text(run.starting_capital);
  r["benchmark"] = run.benchmark;
  r["fill_model"] = run.fill_model;
  r["fee_schedule"] = run.fee_schedule;
  r["account_type"] = run.account_type;
  r["seed"] = run.seed;
  r["risk_free_rate"] = m.risk_free_rate;
  r["bookings"] = run.bookings.size();
  r["lifecycle_events"] = run.lifecycle.size();
  r["data_warnings"] = run.data_warnings.size();
  j["run"] = r;

  j["strategy"] = curve_json(m.strategy, m.strategy_series);
  j["strategy"]["net_pnl"] = money_text(m.net_pnl);
  j["benchmark"] = m.benchmark && m.benchmark_series ? curve_json(*m.benchmark, *m.benchmark_series)
                                                     : nlohmann::json(nullptr);

  nlohmann::json t;
  t["closed_trades"] = m.closed_trades;
  t["winning_trades"] = m.winning_trades;
  t["losing_trades"] = m.losing_trades;
  t["win_rate"] = opt_json(m.win_rate);
  t["profit_factor"] = opt_json(m.profit_factor);
  t["average_trade"] = m.average_trade ? nlohmann::json(money_text(*m.average_trade)) : nlohmann::json(nullptr);
  t["gross_wins"] = money_text(m.gross_wins);
  t["gross_losses"] = money_text(m.gross_losses);
  j["trades"] = t;

  nlohmann::json a;
  a["turnover"] = opt_json(m.turnover);
  a["average_exposure"] = opt_json(m.average_exposure);
  a["time_in_market"] = m.time_in_market;
  a["premium_collected"] = money_text(m.premium_collected);
  a["fees_paid"] = money_text(m.fees_paid);
  a["traded_notional"] = money_text(m.traded_notional);
  a["assignments"] = m.assignments;
  a["called_away"] = m.called_away;
  j["activity"] = a;

  // P&L by instrument kind per underlying (options vs stock: a hedge's P&L apart from the
  // options'); the totals add up to net P&L.
  nlohmann::json attribution = nlohmann::json::array();
  Money attributed = Money::zero(2);
  for (const PnlAttribution& p : run.attribution) {
    nlohmann::json row;
    row["underlying"] = p.underlying;
    row["kind"] = p.kind;
    row["realized"] = money_text(p.realized);
    row["fees"] = money_text(p.fees);
    row["unrealized"] = money_text(p.unrealized);
    row["total"] = money_text(p.total());
    attribution.push_back(row);
    attributed += p.total();
  }
  j["attribution"] = nlohmann::json{{"rows", attribution}, {"total", money_text(attributed)}};

  // Sleeves of a multi-strategy run, each from its own ledger.
  nlohmann::json sleeves = nlohmann::json::array();
  for (const SleeveRecord& s : run.sleeves) {
    nlohmann::json row;
    row["name"] = s.name;
    row["underlyings"] = s.underlyings;
    row["weight"] = s.weight;
    row["starting_cash"] = money_text(s.starting_cash);
    row["final_equity"] = money_text(s.final_equity);
    row["net_pnl"] = money_text(s.final_equity - s.starting_cash);
    row["cash"] = money_text(s.cash);
    row["interest"] = money_text(s.interest);
    row["fees"] = money_text(s.fees);
    row["premium_collected"] = money_text(s.premium_collected);
    sleeves.push_back(row);
  }
  if (!run.sleeves.empty()) j["sleeves"] = sleeves;

  j["notes"] = m.notes;
  return j;
}

std::string summary_text(const RunRecord& run, const Metrics& m) {
  std::string out;
  const std::string first = run.days.empty() ? run.start.to_string() : run.days.front().date.to_string();
  const std::string last = run.days.empty() ? run.end.to_string() : run.days.back().date.to_string();
  out += run.strategy + "  " + first + " .. " + last + "  (" + std::to_string(m.sessions) + " sessions, " +
         fixed_text(m.years, 2) + " years)\n";
  out += "capital " + cents(run.starting_capital) + "  final equity " + cents(m.strategy.final_value) +
         "  net P&L " + cents(m.net_pnl) + "\n";
  out += "fill model " + run.fill_model + ", fees " + run.fee_schedule + ", account " + run.account_type + "\n\n";

  const bool has_bench = m.benchmark.has_value();
  const std::size_t w0 = 24, w1 = 14;
  out += pad_right("", w0) + pad_left("strategy", w1);
  if (has_bench) out += pad_left("benchmark " + run.benchmark, w1 + 6);
  out += '\n';
  auto row = [&](const std::string& name, const std::string& s, const std::string& b) {
    out += pad_right(name, w0) + pad_left(s, w1);
    if (has_bench) out += pad_left(b, w1 + 6);
    out += '\n';
  };
  const ReturnRisk none;
  const ReturnRisk& b = has_bench ? *m.benchmark : none;
  row("total return", pct(m.strategy.total_return), pct(b.total_return));
  row("CAGR", pct(m.strategy.cagr), pct(b.cagr));
  row("volatility (annual)", pct(m.strategy.volatility), pct(b.volatility));
  row("Sharpe (rf " + fixed_text(m.risk_free_rate * 100.0, 2) + "%)", ratio(m.strategy.sharpe), ratio(b.sharpe));
  row("Sortino", ratio(m.strategy.sortino), ratio(b.sortino));
  row("Calmar", ratio(m.strategy.calmar), ratio(b.calmar));
  row("max drawdown", fixed_text(-m.strategy.max_drawdown.depth * 100.0, 2) + "%",
      fixed_text(-b.max_drawdown.depth * 100.0, 2) + "%");
  row("  drawdown days", std::to_string(m.strategy.max_drawdown.duration_days),
      std::to_string(b.max_drawdown.duration_days));
  const Drawdown& dd = m.strategy.max_drawdown;
  if (dd.depth > 0.0) {
    out += "  strategy drawdown: peak " + date_or(dd.peak, "-") + ", trough " + date_or(dd.trough, "-") +
           ", recovered " + date_or(dd.recovery, "not yet") + "\n";
  }
  out += "\n";
  out += "closed trades " + std::to_string(m.closed_trades) + " (" + std::to_string(m.winning_trades) + " won, " +
         std::to_string(m.losing_trades) + " lost), win rate " + pct(m.win_rate) + ", profit factor " +
         ratio(m.profit_factor) + ", average trade " + (m.average_trade ? cents(*m.average_trade) : "n/a") + "\n";
  out += "turnover " + (m.turnover ? fixed_text(*m.turnover, 2) + "x/year" : std::string("n/a")) +
         ", average exposure " + pct(m.average_exposure) + " of equity, in the market " +
         fixed_text(m.time_in_market * 100.0, 1) + "% of days\n";
  out += "premium collected " + cents(m.premium_collected) + ", fees " + cents(m.fees_paid) +
         ", assignments " + std::to_string(m.assignments) + ", called away " + std::to_string(m.called_away) + "\n";
  if (!run.data_warnings.empty()) {
    out += std::to_string(run.data_warnings.size()) + " data warning(s): see the tear sheet\n";
  }
  return out;
}

Result<std::filesystem::path> write_report(const RunRecord& run, const Metrics& m, const std::filesystem::path& dir) {
  KEEL_TRY_STATUS(check_metrics_match(run, m));
  // Everything is formatted before anything is written, so a bad record leaves no files.
  KEEL_TRY(equity, equity_csv(run, m));
  KEEL_TRY(positions, positions_csv(run));
  KEEL_TRY(html, tear_sheet_html(run, m));
  const std::string trades = trades_csv(run);
  const std::string closed = closed_trades_csv(run);
  const std::string summary = summary_json(run, m).dump(2) + "\n";

  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::kIo, dir.string() + ": cannot create the report directory: " + ec.message());
  KEEL_TRY_STATUS(write_file_atomic(dir / "equity.csv", equity));
  KEEL_TRY_STATUS(write_file_atomic(dir / "trades.csv", trades));
  KEEL_TRY_STATUS(write_file_atomic(dir / "closed_trades.csv", closed));
  KEEL_TRY_STATUS(write_file_atomic(dir / "positions.csv", positions));
  KEEL_TRY_STATUS(write_file_atomic(dir / "summary.json", summary));
  const std::filesystem::path html_path = dir / "tearsheet.html";
  KEEL_TRY_STATUS(write_file_atomic(html_path, html));
  return html_path;
}

}  // namespace keel::backtest
