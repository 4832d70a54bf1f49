#include "keel/analytics/feature_pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <set>

#include "keel/analytics/iv_rank.hpp"
#include "keel/analytics/realized_vol.hpp"

namespace keel::analytics {
namespace {

Error invalid(const std::string& what) { return make_error(ErrorCode::kInvalidArgument, what); }

Status check_increasing(std::span<const Timestamp> ts, const char* what) {
  for (std::size_t i = 1; i < ts.size(); ++i) {
    if (!(ts[i - 1] < ts[i])) {
      return invalid(std::string(what) + "[" + std::to_string(i) + "] = " + ts[i].to_string() +
                     " is not after the previous " + ts[i - 1].to_string());
    }
  }
  return ok_status();
}

Status check_panel(std::span<const FeatureColumn> panel) {
  for (std::size_t j = 1; j < panel.size(); ++j) {
    if (panel[j].size() != panel[0].size()) {
      return invalid("cross-section: column " + std::to_string(j) + " has " + std::to_string(panel[j].size()) +
                     " rows, column 0 has " + std::to_string(panel[0].size()));
    }
  }
  for (std::size_t j = 0; j < panel.size(); ++j) {
    for (std::size_t t = 0; t < panel[j].size(); ++t) {
      if (panel[j][t] && !std::isfinite(*panel[j][t])) {
        return invalid("cross-section: column " + std::to_string(j) + " row " + std::to_string(t) + " is not finite");
      }
    }
  }
  return ok_status();
}

}  // namespace

// ---- Frame
Result<Frame> Frame::create(std::vector<Timestamp> ts) {
  KEEL_TRY_STATUS(check_increasing(ts, "frame ts"));
  Frame f;
  f.ts_ = std::move(ts);
  return f;
}

Status Frame::add(std::string name, FeatureColumn column) {
  if (name.empty()) return invalid("frame: empty column name");
  if (std::find(names_.begin(), names_.end(), name) != names_.end()) {
    return make_error(ErrorCode::kConflict, "frame: column '" + name + "' already exists");
  }
  if (column.size() != ts_.size()) {
    return invalid("frame: column '" + name + "' has " + std::to_string(column.size()) + " values for " +
                   std::to_string(ts_.size()) + " rows");
  }
  for (std::size_t i = 0; i < column.size(); ++i) {
    if (column[i] && !std::isfinite(*column[i])) {
      return invalid("frame: column '" + name + "' row " + std::to_string(i) + " is not finite");
    }
  }
  names_.push_back(std::move(name));
  columns_.push_back(std::move(column));
  return ok_status();
}

Status Frame::add(std::string name, std::span<const double> values) {
  return add(std::move(name), FeatureColumn(values.begin(), values.end()));
}

Result<std::size_t> Frame::index_of(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return i;
  }
  return make_error(ErrorCode::kNotFound, "frame has no column '" + std::string(name) + "'");
}

Result<const FeatureColumn*> Frame::column(std::string_view name) const {
  KEEL_TRY(i, index_of(name));
  return &columns_[i];
}

std::span<const std::optional<double>> FrameView::input(std::size_t i) const {
  KEEL_ASSERT(i < inputs_.size(), "FrameView::input: not a declared input");
  return std::span<const std::optional<double>>(frame_->columns()[inputs_[i]]).first(rows_);
}

// ---- Features
Result<Feature> spec_feature(const FeatureSpec& spec, int lag, const SpecColumns& cols, std::string_view prefix) {
  const bool hl = spec.needs_high_low(), vol = spec.needs_volume();
  KEEL_TRY(probe, FeatureStream::create(spec, hl, vol));  // names a column the spec needs
  (void)probe;
  Feature f;
  for (const auto& name : spec.columns()) f.outputs.push_back(std::string(prefix) + name);
  f.inputs.push_back(cols.close);
  if (hl) f.inputs.push_back(cols.high), f.inputs.push_back(cols.low);
  if (vol) f.inputs.push_back(cols.volume);
  f.lag = lag;
  auto shared_spec = std::make_shared<const FeatureSpec>(spec);
  auto names = std::make_shared<const std::vector<std::string>>(f.inputs);
  f.make_step = [shared_spec, names, hl, vol]() -> FeatureStep {
    auto stream = std::make_shared<FeatureStream>(FeatureStream::create(*shared_spec, hl, vol).value());
    return [stream, names, hl, vol](const FrameView& view, std::span<std::optional<double>> out) -> Status {
      const std::size_t t = view.rows() - 1;  // the newest row this feature may see
      auto get = [&](std::size_t i, double& v) -> Status {
        const auto& x = view.input(i)[t];
        if (!x) return invalid("input '" + (*names)[i] + "' is not ready at row " + std::to_string(t));
        v = *x;
        return ok_status();
      };
      double c = 0, h = 0, l = 0, v = 0;
      KEEL_TRY_STATUS(get(0, c));
      if (hl) {
        KEEL_TRY_STATUS(get(1, h));
        KEEL_TRY_STATUS(get(2, l));
      }
      if (vol) KEEL_TRY_STATUS(get(hl ? 3 : 1, v));
      auto st = stream->update(h, l, c, v, false, out);
      if (!st) return st.error().with_context("row " + std::to_string(t));
      return ok_status();
    };
  };
  return f;
}

Feature lagged(std::string input, int lag, std::string output) {
  Feature f;
  f.outputs.push_back(std::move(output));
  f.inputs.push_back(std::move(input));
  f.lag = lag;
  f.make_step = [] {
    return [](const FrameView& view, std::span<std::optional<double>> out) -> Status {
      out[0] = view.input(0)[view.rows() - 1];
      return ok_status();
    };
  };
  return f;
}

Status FeaturePipeline::add(Feature f) {
  if (f.outputs.empty()) return invalid("pipeline: a feature without outputs");
  const std::string& first = f.outputs.front();
  if (f.lag < 0) return invalid("pipeline: feature '" + first + "' lag " + std::to_string(f.lag) + " is negative");
  if (!f.make_step) return invalid("pipeline: feature '" + first + "' has no step");
  std::set<std::string> taken;
  for (const auto& g : features_) taken.insert(g.outputs.begin(), g.outputs.end());
  for (const auto& name : f.outputs) {
    if (!taken.insert(name).second) return make_error(ErrorCode::kConflict, "pipeline: output '" + name + "' repeats");
  }
  features_.push_back(std::move(f));
  return ok_status();
}

Result<Frame> FeaturePipeline::run(const Frame& input) const {
  KEEL_TRY(out, Frame::create(std::vector<Timestamp>(input.ts().begin(), input.ts().end())));
  const std::size_t n = input.rows();
  for (const auto& f : features_) {
    std::vector<std::size_t> idx;
    for (const auto& name : f.inputs) {
      auto i = input.index_of(name);
      if (!i) return i.error().with_context("feature '" + f.outputs.front() + "'");
      idx.push_back(*i);
    }
    std::vector<FeatureColumn> cols(f.outputs.size(), FeatureColumn(n));
    std::vector<std::optional<double>> row(f.outputs.size());
    FeatureStep step = f.make_step();
    const auto lag = static_cast<std::size_t>(f.lag);
    // Row s is the newest row the step sees; its outputs belong to row s + lag.
    for (std::size_t s = 0; s + lag < n; ++s) {
      std::fill(row.begin(), row.end(), std::nullopt);
      const FrameView view(&input, idx, s + 1);
      const std::size_t t = s + lag;
      auto where = [&] {
        return "feature '" + f.outputs.front() + "' at row " + std::to_string(t) + " (" + input.ts()[t].to_string() + ")";
      };
      auto st = step(view, row);
      if (!st) return st.error().with_context(where());
      for (std::size_t k = 0; k < row.size(); ++k) {
        if (row[k] && !std::isfinite(*row[k])) return invalid(where() + ": output '" + f.outputs[k] + "' is not finite");
        cols[k][t] = row[k];
      }
    }
    for (std::size_t k = 0; k < cols.size(); ++k) KEEL_TRY_STATUS(out.add(f.outputs[k], std::move(cols[k])));
  }
  return out;
}

// ---- As-of join
Result<FeatureColumn> asof_join(std::span<const Timestamp> event_ts, std::span<const Timestamp> known_at,
                                std::span<const double> values, std::span<const Timestamp> target,
                                const AsofOptions& o) {
  const std::size_t m = event_ts.size();
  if (values.size() != m) {
    return invalid("asof_join: " + std::to_string(values.size()) + " values for " + std::to_string(m) + " event times");
  }
  if (!known_at.empty() && known_at.size() != m) {
    return invalid("asof_join: " + std::to_string(known_at.size()) + " known times for " + std::to_string(m) +
                   " event times");
  }
  if (o.max_staleness && o.max_staleness->count() < 0) return invalid("asof_join: max staleness is negative");
  KEEL_TRY_STATUS(check_increasing(event_ts, "asof_join event_ts"));
  KEEL_TRY_STATUS(check_increasing(target, "asof_join target"));
  for (std::size_t i = 0; i < m; ++i) {
    if (!std::isfinite(values[i])) return invalid("asof_join: value[" + std::to_string(i) + "] is not finite");
    if (!known_at.empty() && known_at[i] < event_ts[i]) {
      return invalid("asof_join: known_at[" + std::to_string(i) + "] = " + known_at[i].to_string() +
                     " is before its event time " + event_ts[i].to_string());
    }
  }
  // Source indices in the order they become known (stable: equal times keep input order).
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (!known_at.empty()) {
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return known_at[a] < known_at[b]; });
  }
  auto known = [&](std::size_t i) { return known_at.empty() ? event_ts[i] : known_at[i]; };
  FeatureColumn out(target.size());
  std::size_t next = 0;
  std::optional<std::size_t> best;  // the latest event among the values known so far
  for (std::size_t t = 0; t < target.size(); ++t) {
    while (next < m && known(order[next]) <= target[t]) {
      if (!best || order[next] >= *best) best = order[next];
      ++next;
    }
    if (!best) continue;
    if (o.max_staleness && target[t] - event_ts[*best] > *o.max_staleness) continue;
    out[t] = values[*best];
  }
  return out;
}

// ---- Cross-section
Result<std::vector<FeatureColumn>> cross_sectional_rank(std::span<const FeatureColumn> panel) {
  KEEL_TRY_STATUS(check_panel(panel));
  const std::size_t rows = panel.empty() ? 0 : panel[0].size();
  std::vector<FeatureColumn> out(panel.size(), FeatureColumn(rows));
  std::vector<std::pair<double, std::size_t>> xs;
  for (std::size_t t = 0; t < rows; ++t) {
    xs.clear();
    for (std::size_t j = 0; j < panel.size(); ++j) {
      if (panel[j][t]) xs.emplace_back(*panel[j][t], j);
    }
    const std::size_t m = xs.size();
    if (m < 2) continue;
    std::sort(xs.begin(), xs.end());
    for (std::size_t a = 0; a < m;) {
      std::size_t b = a;
      while (b + 1 < m && xs[b + 1].first == xs[a].first) ++b;
      // Tied values a..b share the average of the 1-based ranks a+1..b+1.
      const double rank = (static_cast<double>(a + b) / 2.0 + 1.0);
      const double scaled = (rank - 1.0) / static_cast<double>(m - 1);
      for (std::size_t k = a; k <= b; ++k) out[xs[k].second][t] = scaled;
      a = b + 1;
    }
  }
  return out;
}

Result<std::vector<FeatureColumn>> cross_sectional_zscore(std::span<const FeatureColumn> panel) {
  KEEL_TRY_STATUS(check_panel(panel));
  const std::size_t rows = panel.empty() ? 0 : panel[0].size();
  std::vector<FeatureColumn> out(panel.size(), FeatureColumn(rows));
  for (std::size_t t = 0; t < rows; ++t) {
    double sum = 0.0;
    std::size_t m = 0;
    for (const auto& col : panel) {
      if (col[t]) sum += *col[t], ++m;
    }
    if (m < 2) continue;
    const double mean = sum / static_cast<double>(m);
    double ss = 0.0;
    for (const auto& col : panel) {
      if (col[t]) ss += (*col[t] - mean) * (*col[t] - mean);
    }
    const double sd = std::sqrt(ss / static_cast<double>(m - 1));
    for (std::size_t j = 0; j < panel.size(); ++j) {
      if (panel[j][t]) out[j][t] = sd > 0.0 ? (*panel[j][t] - mean) / sd : 0.0;
    }
  }
  return out;
}

// ---- Calendar
const std::vector<std::string>& CalendarFeatures::names() {
  static const std::vector<std::string> n{"day_of_week",      "month",        "day_of_month",
                                          "days_to_month_end", "days_to_monthly_expiration",
                                          "days_since_prev_session", "early_close", "next_session_early_close"};
  return n;
}

Result<CalendarFeatures> calendar_features(std::span<const Date> dates, const ExchangeCalendar& cal) {
  CalendarFeatures out;
  out.columns.assign(CalendarFeatures::names().size(), FeatureColumn(dates.size()));
  auto& c = out.columns;
  for (std::size_t i = 0; i < dates.size(); ++i) {
    const Date d = dates[i];
    auto ctx = [&](const Error& e) { return e.with_context("calendar features: date[" + std::to_string(i) + "] " + d.to_string()); };
    if (!cal.in_range(d)) {
      return ctx(make_error(ErrorCode::kOutOfRange, "outside the calendar's years " +
                                                        std::to_string(ExchangeCalendar::kFirstYear) + ".." +
                                                        std::to_string(ExchangeCalendar::kLastYear)));
    }
    const int y = d.year(), mo = d.month();
    c[0][i] = static_cast<double>(d.weekday());
    c[1][i] = mo;
    c[2][i] = d.day();
    const Date month_end = Date::ymd(y, mo, days_in_month(y, mo));
    auto to_end = cal.trading_days_between(d, month_end);
    if (!to_end) return ctx(to_end.error());
    c[3][i] = *to_end;
    auto exp = cal.monthly_expiration(y, mo);
    if (!exp) return ctx(exp.error());
    Date e = *exp;
    if (e < d) {
      auto next = cal.monthly_expiration(mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1);
      if (!next) return ctx(next.error());
      e = *next;
    }
    auto to_exp = cal.trading_days_between(d, e);
    if (!to_exp) return ctx(to_exp.error());
    c[4][i] = *to_exp;
    auto prev = cal.previous_trading_day(d);
    if (!prev) return ctx(prev.error());
    c[5][i] = d - *prev;
    c[6][i] = cal.is_early_close(d) ? 1.0 : 0.0;
    auto next = cal.next_trading_day(d);
    if (!next) return ctx(next.error());
    c[7][i] = cal.is_early_close(*next) ? 1.0 : 0.0;
  }
  return out;
}

// ---- Options
const std::vector<std::string>& OptionFeatures::names() {
  static const std::vector<std::string> n{"iv_cm", "iv_rank", "iv_percentile", "rr25", "bf25", "term_slope", "vrp"};
  return n;
}

Result<std::optional<double>> constant_maturity_iv(std::span<const ExpiryVols> ex, double years, int wing) {
  if (!(std::isfinite(years) && years > 0.0)) return invalid("constant maturity: years must be finite and > 0");
  auto iv = [&](const ExpiryVols& e) -> std::optional<double> {
    return wing == 0 ? std::optional<double>(e.atm_iv) : wing < 0 ? e.put25_iv : e.call25_iv;
  };
  for (std::size_t k = 0; k < ex.size(); ++k) {
    if (ex[k].years == years) return iv(ex[k]);
    if (k + 1 < ex.size() && ex[k].years < years && years < ex[k + 1].years) {
      const auto v1 = iv(ex[k]), v2 = iv(ex[k + 1]);
      if (!v1 || !v2) return std::optional<double>();
      const double t1 = ex[k].years, t2 = ex[k + 1].years;
      const double w1 = *v1 * *v1 * t1, w2 = *v2 * *v2 * t2;
      const double w = w1 + (w2 - w1) * (years - t1) / (t2 - t1);
      return std::optional<double>(std::sqrt(w / years));
    }
  }
  return std::optional<double>();
}

Result<OptionFeatures> option_features(std::span<const OptionDay> days, std::span<const double> close,
                                       const OptionFeatureOptions& o) {
  if (days.size() != close.size()) {
    return invalid("option features: " + std::to_string(days.size()) + " option days for " +
                   std::to_string(close.size()) + " closes");
  }
  if (!(o.short_days > 0.0 && o.long_days > o.short_days)) {
    return invalid("option features: need 0 < short_days < long_days");
  }
  for (std::size_t i = 0; i < days.size(); ++i) {
    const auto& ex = days[i].expiries;
    for (std::size_t k = 0; k < ex.size(); ++k) {
      const std::string where = "option features: day " + std::to_string(i) + " expiry " + std::to_string(k);
      auto good = [](std::optional<double> v) { return !v || (std::isfinite(*v) && *v > 0.0); };
      if (!(std::isfinite(ex[k].years) && ex[k].years > 0.0)) return invalid(where + ": years must be finite and > 0");
      if (k > 0 && !(ex[k - 1].years < ex[k].years)) return invalid(where + ": expiries must be in increasing years");
      if (!(std::isfinite(ex[k].atm_iv) && ex[k].atm_iv > 0.0)) return invalid(where + ": ATM IV must be finite and > 0");
      if (!good(ex[k].put25_iv) || !good(ex[k].call25_iv)) return invalid(where + ": 25-delta IV must be finite and > 0");
    }
  }
  const std::size_t n = close.size();
  OptionFeatures out;
  out.columns.assign(OptionFeatures::names().size(), FeatureColumn(n));
  auto& c = out.columns;
  // Trailing realized variance; a series no longer than the window is never ready.
  VolSeries rv(n);
  if (n > o.rv_window) {
    KEEL_TRY(r, rolling_realized_vol(VolEstimator::kCloseToClose, OhlcSpan{{}, {}, {}, close}, o.rv_window,
                                     o.annualization));
    rv = std::move(r);
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      if (!(std::isfinite(close[i]) && close[i] > 0.0)) {
        return invalid("option features: close[" + std::to_string(i) + "] is not finite and > 0");
      }
    }
  }
  KEEL_TRY(tracker, IvRankTracker::make(o.rank_lookback));
  const double ts = o.short_days / 365.0, tl = o.long_days / 365.0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& ex = days[i].expiries;
    KEEL_TRY(iv, constant_maturity_iv(ex, ts));
    if (!iv) continue;
    c[0][i] = *iv;
    KEEL_TRY(r, tracker.push(*iv));
    if (r) {
      c[1][i] = r->rank;
      c[2][i] = r->percentile;
    }
    KEEL_TRY(put, constant_maturity_iv(ex, ts, -1));
    KEEL_TRY(call, constant_maturity_iv(ex, ts, 1));
    if (put && call) {
      c[3][i] = *call - *put;
      c[4][i] = (*call + *put) / 2.0 - *iv;
    }
    KEEL_TRY(iv_long, constant_maturity_iv(ex, tl));
    if (iv_long) c[5][i] = *iv_long - *iv;
    if (rv[i]) c[6][i] = *iv * *iv - *rv[i] * *rv[i];
  }
  return out;
}

}  // namespace keel::analytics
