// keel/analytics/feature_pipeline.hpp — the point-in-time feature pipeline (SPEC Q8): features
// computed row by row on one clock with a declared lag, as-of joins of series on other clocks
// (other instruments, other frequencies, publication delays), cross-sectional rank and z-score
// over a panel, exchange-calendar features, and option-implied-volatility features.
//
// Contract — no look-ahead, by construction:
// - A Frame is a clock (strictly increasing Timestamps) with named columns of optional values
//   (std::nullopt = not known / not ready; a present value is always finite).
// - A Feature declares its output names, the frame columns it reads and a lag L >= 0 (bars). Its
//   value at row t uses only the inputs at rows <= t - L (timestamps <= ts[t - L]): the pipeline
//   hands its step function a FrameView that ENDS at row t - L and exposes only the declared
//   inputs, so the feature cannot read past its lag. Rows t < L are not ready. The step is called
//   once per row, in row order, on views one row longer each time, and may keep state between
//   calls (e.g. a streaming indicator); make_step builds a fresh state for every run, so runs are
//   repeatable and deterministic. A step that writes a NaN or infinity is an error naming the
//   feature and row.
// - asof_join: a source series whose value i describes event time event_ts[i] and becomes known
//   at known_at[i] >= event_ts[i] (publication delay; known_at = event_ts when there is none) is
//   put on a target clock: the value at target time t is the one with the latest event time among
//   those known at or before t (ties: the later one given); with max_staleness, a value whose
//   event time is older than t - max_staleness is not ready. Values known only after t are never
//   used, whatever their event time.
// - Cross-sectional transforms (rank, z-score) act on each row of a panel of columns on one clock
//   (one column per instrument); an instrument whose value is not ready at a row is left out of
//   that row's cross-section and gets not-ready there. Rank: average ranks for ties (1-based,
//   ascending), scaled to [0, 1] by (rank - 1)/(m - 1) over the m instruments present; z-score:
//   (x - mean)/s with s the sample standard deviation (divisor m - 1), 0 for every instrument
//   when s = 0. A row with fewer than two instruments present is not ready for both.
// - Calendar features use only the exchange calendar (keel/core/calendar.hpp), which lists the
//   scheduled sessions in advance. Caveat: the calendar also lists UNSCHEDULED closures (e.g.
//   2012-10-29/30, Hurricane Sandy), which were not known days before; counts that reach past
//   such a closure (trading days to month end or to expiration) know it early.
// - Option features come from per-date inputs the caller reads from that date's chains (ATM IV
//   per expiry and 25-delta put/call IVs); everything is trailing except the expiries' own
//   forward-looking IVs, which are that date's market prices. The variance risk premium is
//   IV30² - trailing realized variance (close-to-close over the last `rv_window` returns ending
//   at the date, annualized): trailing only; the forward realized variance would look ahead and
//   belongs in labels.
// Validation (feature_pipeline_test.cpp): hand-built as-of joins with holidays and publication
// delays, a hand-worked cross-section with ties and a missing value, calendar features on known
// dates, a hand-worked constant-maturity interpolation, and a perturbation test: every input
// stamped after T is replaced by noise and every feature value at t <= T stays bit-identical.
// Thread safety: Frame and FeaturePipeline are plain values; run() is const and may run
// concurrently on different frames if the features' make_step functions are thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keel/analytics/feature_spec.hpp"
#include "keel/analytics/indicators.hpp"
#include "keel/core/calendar.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"

namespace keel::analytics {

using FeatureColumn = IndicatorSeries;

class Frame {
 public:
  // ts strictly increasing (an error names the first index that is not).
  static Result<Frame> create(std::vector<Timestamp> ts);
  // A column of rows() values; present values must be finite; names must be unique and non-empty.
  Status add(std::string name, FeatureColumn column);
  Status add(std::string name, std::span<const double> values);  // every value present

  std::size_t rows() const noexcept { return ts_.size(); }
  std::span<const Timestamp> ts() const noexcept { return ts_; }
  const std::vector<std::string>& names() const noexcept { return names_; }
  const std::vector<FeatureColumn>& columns() const noexcept { return columns_; }
  // kNotFound naming the column.
  Result<std::size_t> index_of(std::string_view name) const;
  Result<const FeatureColumn*> column(std::string_view name) const;

 private:
  std::vector<Timestamp> ts_;
  std::vector<std::string> names_;
  std::vector<FeatureColumn> columns_;
};

// What a feature sees at one step: its declared inputs over rows [0, rows()), ending at the last
// row its lag allows.
class FrameView {
 public:
  std::size_t rows() const noexcept { return rows_; }
  std::span<const Timestamp> ts() const noexcept { return frame_->ts().first(rows_); }
  std::size_t input_count() const noexcept { return inputs_.size(); }
  // The i-th declared input (declaration order), rows() values.
  std::span<const std::optional<double>> input(std::size_t i) const;

 private:
  friend class FeaturePipeline;
  FrameView(const Frame* frame, std::span<const std::size_t> inputs, std::size_t rows)
      : frame_(frame), inputs_(inputs), rows_(rows) {}
  const Frame* frame_;
  std::span<const std::size_t> inputs_;
  std::size_t rows_;
};

// Writes one value per output name into out (all nullopt on entry); an error stops the run.
using FeatureStep = std::function<Status(const FrameView& view, std::span<std::optional<double>> out)>;

struct Feature {
  std::vector<std::string> outputs;
  std::vector<std::string> inputs;
  int lag = 0;
  std::function<FeatureStep()> make_step;
};

// The spec's indicators on the frame's OHLCV columns, streamed bar by bar (values bit-identical
// to compute_features at lag 0). high/low/volume names are needed only if the spec uses them;
// a row with a not-ready input is an error naming the column and row. A vwap item is anchored at
// the frame's first row (one session).
struct SpecColumns {
  std::string close = "close";
  std::string high = "high";
  std::string low = "low";
  std::string volume = "volume";
};
Result<Feature> spec_feature(const FeatureSpec& spec, int lag, const SpecColumns& columns = {},
                             std::string_view output_prefix = "");

// The input column itself, lagged: value at t = input at t - lag.
Feature lagged(std::string input, int lag, std::string output);

class FeaturePipeline {
 public:
  // Errors: no outputs, a lag < 0, no make_step, an output name already used.
  Status add(Feature feature);
  // One output column per declared output, on the input frame's clock. Errors: a missing input
  // column, a step error or non-finite value (naming feature, row and timestamp).
  Result<Frame> run(const Frame& input) const;

 private:
  std::vector<Feature> features_;
};

// ---- As-of joins.
struct AsofOptions {
  std::optional<Duration> max_staleness;  // measured from the value's event time
};
// known_at may be empty (known at the event time). event_ts strictly increasing; known_at[i] >=
// event_ts[i]; target strictly increasing; values finite (errors name the index).
Result<FeatureColumn> asof_join(std::span<const Timestamp> event_ts, std::span<const Timestamp> known_at,
                                std::span<const double> values, std::span<const Timestamp> target,
                                const AsofOptions& options = {});

// ---- Cross-sectional transforms: panel[j] is instrument j's column; all of the same length.
Result<std::vector<FeatureColumn>> cross_sectional_rank(std::span<const FeatureColumn> panel);
Result<std::vector<FeatureColumn>> cross_sectional_zscore(std::span<const FeatureColumn> panel);

// ---- Calendar features, one value per date (New York exchange dates; any date in the
// calendar's range, trading day or not).
//   day_of_week                 0 = Sunday .. 6 = Saturday
//   month, day_of_month         1..12, 1..31
//   days_to_month_end           trading days in (d, last day of d's month]: 0 on the last session
//   days_to_monthly_expiration  trading days in (d, next standard monthly expiration on or after d]
//   days_since_prev_session     calendar days since the previous trading day (3 on a Monday, 4
//                               after a Monday holiday)
//   early_close                 1 when d is an early-close session, else 0
//   next_session_early_close    1 when the next trading day after d closes early, else 0
struct CalendarFeatures {
  static const std::vector<std::string>& names();
  std::vector<FeatureColumn> columns;  // in names() order
};
Result<CalendarFeatures> calendar_features(std::span<const Date> dates,
                                           const ExchangeCalendar& calendar = ExchangeCalendar::us_equities());

// ---- Option features.
struct ExpiryVols {
  double years = 0.0;   // time to expiry, ACT/365
  double atm_iv = 0.0;  // at-the-money implied vol
  std::optional<double> put25_iv;   // 25-delta put
  std::optional<double> call25_iv;  // 25-delta call
};
struct OptionDay {
  std::vector<ExpiryVols> expiries;  // strictly increasing years; empty = no chain that day
};
struct OptionFeatureOptions {
  double short_days = 30.0;        // constant maturity of iv (calendar days / 365)
  double long_days = 90.0;         // second maturity for the term-structure slope
  std::size_t rank_lookback = 252; // IV rank / percentile window (observations of iv)
  std::size_t rv_window = 21;      // trailing realized-variance window (returns)
  double annualization = 252.0;    // for the realized variance
};
// Columns (names in OptionFeatures::names()):
//   iv_cm          constant-maturity ATM IV at short_days: total variance w = σ²T interpolated
//                  linearly in T between the two expiries bracketing it, σ = √(w/T); an expiry
//                  at exactly T is used as is; not ready unless bracketed.
//   iv_rank, iv_percentile   of iv_cm over the last rank_lookback days it was ready (iv_rank.hpp)
//   rr25, bf25     risk reversal IV25c - IV25p and butterfly (IV25c + IV25p)/2 - iv_cm, the wings
//                  interpolated in total variance as the ATM IV (not ready if a bracketing expiry
//                  lacks a wing)
//   term_slope     iv at long_days minus iv at short_days
//   vrp            iv_cm² - trailing realized variance (annualized; trailing only)
struct OptionFeatures {
  static const std::vector<std::string>& names();
  std::vector<FeatureColumn> columns;
};
// The constant-maturity IV at `years` from one day's expiries (nullopt when not bracketed), and
// the same interpolation for the wings when `wing` is set: 0 ATM, -1 the 25-delta put, +1 call.
Result<std::optional<double>> constant_maturity_iv(std::span<const ExpiryVols> expiries, double years, int wing = 0);
// days and close one per row (close > 0, finite).
Result<OptionFeatures> option_features(std::span<const OptionDay> days, std::span<const double> close,
                                       const OptionFeatureOptions& options = {});

}  // namespace keel::analytics
