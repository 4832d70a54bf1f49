#include "keel/data/quality_check.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

namespace keel::data {
namespace {

class Collector {
 public:
  Collector(QualityReport& report, int max_examples) : report_(report), max_examples_(max_examples) {}
  void add(const std::string& kind, const std::string& example) {
    QualityIssue& issue = report_.issues[kind];
    issue.kind = kind;
    ++issue.count;
    if (static_cast<int>(issue.examples.size()) < max_examples_) issue.examples.push_back(example);
  }

 private:
  QualityReport& report_;
  int max_examples_;
};

std::string price_text(std::int64_t raw) { return Price::from_raw(raw, 2).to_string(); }

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  double m = *mid;
  if (v.size() % 2 == 0) {
    m = (m + *std::max_element(v.begin(), mid)) / 2.0;
  }
  return m;
}

// Splits change the price scale on their ex-date: factor[i] is what close[i-1] must be
// multiplied by to compare with close[i] (old/new shares), 1 on other days.
std::vector<double> split_factors(const BarColumns& bars, const std::vector<CorporateAction>& actions) {
  std::vector<double> factor(bars.size(), 1.0);
  for (const CorporateAction& a : actions) {
    if (a.kind != CorporateActionKind::kSplit) continue;
    const std::int64_t ex_ns = Timestamp::from_date(a.ex_date).ns();
    const auto it = std::lower_bound(bars.ts_event.begin(), bars.ts_event.end(), ex_ns);
    if (it == bars.ts_event.end()) continue;
    factor[static_cast<std::size_t>(it - bars.ts_event.begin())] *=
        static_cast<double>(a.ratio_from) / static_cast<double>(a.ratio_to);
  }
  return factor;
}

void check_daily_bars(const Instrument& inst, const BarColumns& bars, const std::vector<CorporateAction>& actions,
                      const QualityOptions& opt, const ExchangeCalendar& calendar, Collector& out) {
  const std::string& sym = inst.symbol;
  const std::size_t n = bars.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Date d = Timestamp::from_ns(bars.ts_event[i]).utc_date();
    const std::string where = sym + " " + d.to_string();
    if (i > 0 && bars.ts_event[i] <= bars.ts_event[i - 1]) {
      out.add(bars.ts_event[i] == bars.ts_event[i - 1] ? "duplicate_bar" : "out_of_order_bar", where);
    }
    if (calendar.in_range(d) && !calendar.is_trading_day(d)) out.add("bar_on_non_trading_day", where);
    if (bars.open[i] <= 0 || bars.high[i] <= 0 || bars.low[i] <= 0 || bars.close[i] <= 0) {
      out.add("non_positive_price", where + " close " + price_text(bars.close[i]));
    }
    if (bars.high[i] < bars.low[i]) {
      out.add("high_below_low", where + " high " + price_text(bars.high[i]) + " < low " + price_text(bars.low[i]));
    } else if (bars.open[i] < bars.low[i] || bars.open[i] > bars.high[i] || bars.close[i] < bars.low[i] ||
               bars.close[i] > bars.high[i]) {
      out.add("open_close_outside_range", where);
    }
    if (bars.volume[i] < 0) out.add("negative_volume", where);
  }
  if (n == 0) return;

  // Gaps: every trading day between the first and last bar must have a bar.
  const Date first = Timestamp::from_ns(bars.ts_event.front()).utc_date();
  const Date last = Timestamp::from_ns(bars.ts_event.back()).utc_date();
  if (calendar.in_range(first) && calendar.in_range(last)) {
    std::set<std::int32_t> have;
    for (std::size_t i = 0; i < n; ++i) have.insert(Timestamp::from_ns(bars.ts_event[i]).utc_date().days());
    auto days = calendar.trading_days(first, last);
    if (days.ok()) {
      for (const Date d : *days) {
        if (!have.count(d.days())) out.add("gap", sym + " " + d.to_string() + " (trading day without a bar)");
      }
    }
  }

  // Stale runs of an unchanged close.
  int run = 1;
  for (std::size_t i = 1; i <= n; ++i) {
    if (i < n && bars.close[i] == bars.close[i - 1]) {
      ++run;
      continue;
    }
    if (run >= opt.stale_run) {
      out.add("stale", sym + " close " + price_text(bars.close[i - 1]) + " unchanged for " + std::to_string(run) +
                           " bars ending " + Timestamp::from_ns(bars.ts_event[i - 1]).utc_date().to_string());
    }
    run = 1;
  }

  // Outliers: robust z-score of split-adjusted log returns.
  const std::vector<double> factor = split_factors(bars, actions);
  std::vector<double> r;
  r.reserve(n);
  for (std::size_t i = 1; i < n; ++i) {
    if (bars.close[i] > 0 && bars.close[i - 1] > 0)
      r.push_back(std::log(static_cast<double>(bars.close[i]) / (static_cast<double>(bars.close[i - 1]) * factor[i])));
    else
      r.push_back(0.0);
  }
  if (r.size() >= 20) {
    const double med = median(r);
    std::vector<double> dev(r.size());
    for (std::size_t i = 0; i < r.size(); ++i) dev[i] = std::fabs(r[i] - med);
    const double sigma = 1.4826 * median(dev);
    for (std::size_t i = 0; i < r.size(); ++i) {
      const double move = std::fabs(r[i] - med);
      if (sigma > 0 && move > opt.outlier_sigmas * sigma && std::fabs(std::expm1(r[i])) > opt.outlier_min_move) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " return %+.1f%% (%.0f robust sigmas)", 100.0 * std::expm1(r[i]), move / sigma);
        out.add("outlier", sym + " " + Timestamp::from_ns(bars.ts_event[i + 1]).utc_date().to_string() + buf);
      }
    }
  }
}

void check_option_quotes(const std::string& underlying, const OptionQuoteColumns& q,
                         const std::unordered_map<std::int64_t, Instrument>& contracts, Collector& out) {
  for (std::size_t i = 0; i < q.size(); ++i) {
    const auto it = contracts.find(q.instrument[i]);
    const std::string sym = it != contracts.end() ? it->second.symbol : underlying + " contract #" + std::to_string(q.instrument[i]);
    const Date d = Timestamp::from_ns(q.ts_event[i]).utc_date();
    const std::string where = sym + " " + d.to_string();
    if (q.ask[i] <= 0) {
      out.add("non_positive_ask", where + " ask " + price_text(q.ask[i]));
    } else if (q.bid[i] > q.ask[i]) {
      out.add("crossed_quote", where + " bid " + price_text(q.bid[i]) + " > ask " + price_text(q.ask[i]));
    } else if (q.bid[i] == q.ask[i]) {
      out.add("locked_quote", where + " bid = ask = " + price_text(q.ask[i]));
    }
    if (q.bid[i] < 0) out.add("negative_bid", where);
    if (q.volume[i] < 0 || q.open_interest[i] < 0) out.add("negative_volume_or_open_interest", where);
    if (it != contracts.end() && it->second.option && d > it->second.option->expiry) {
      out.add("quote_after_expiry", where + " (expired " + it->second.option->expiry.to_string() + ")");
    }
  }
}

}  // namespace

std::int64_t QualityReport::total_issues() const {
  std::int64_t total = 0;
  for (const auto& [kind, issue] : issues) total += issue.count;
  return total;
}

Result<QualityReport> check_quality(Store& store, const QualityOptions& options, const ExchangeCalendar& calendar) {
  QualityReport report;
  Collector out(report, options.max_examples);
  KEEL_TRY(all, store.instruments());
  bool found = options.symbol.empty();
  std::set<std::string> underlyings;
  std::unordered_map<std::int64_t, Instrument> contracts;
  for (const Instrument& inst : all) {
    if (inst.is_option()) {
      if (options.symbol.empty() || inst.option->underlying == options.symbol) {
        underlyings.insert(inst.option->underlying);
        contracts.emplace(inst.id.value(), inst);
      }
      continue;
    }
    if (!options.symbol.empty() && inst.symbol != options.symbol) continue;
    found = true;
    KEEL_TRY(bars, store.load_bars(inst.id, kOneDay, Timestamp::min(), Timestamp::max()));
    if (bars.size() > 0) {
      ++report.series_checked;
      report.bars_checked += static_cast<std::int64_t>(bars.size());
      KEEL_TRY(actions, store.corporate_actions(inst.id));
      check_daily_bars(inst, bars, actions, options, calendar, out);
    }
  }
  if (!found && underlyings.empty()) {
    return make_error(ErrorCode::kNotFound, "no instrument '" + options.symbol + "' in the store");
  }
  for (const std::string& u : underlyings) {
    KEEL_TRY(quotes, store.load_option_quotes(u, Timestamp::min(), Timestamp::max()));
    if (quotes.size() == 0) continue;
    ++report.series_checked;
    report.option_quotes_checked += static_cast<std::int64_t>(quotes.size());
    check_option_quotes(u, quotes, contracts, out);
  }
  return report;
}

}  // namespace keel::data
