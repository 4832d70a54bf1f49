// keel/analytics/labels.hpp — supervised-learning labels over a close series: forward returns,
// triple-barrier labels, meta-labels and sample-uniqueness weights (López de Prado, "Advances in
// Financial Machine Learning", Wiley 2018, ch. 3 and 4).
//
// Contract:
// - Labels look FORWARD by definition (the label at t uses closes t..t+h); they are targets, never
//   features. Every label whose window runs past the last bar is "not available" (std::nullopt),
//   never 0: the last h rows of an h-bar forward return, and triple-barrier labels whose vertical
//   barrier t+h is past the end (even when a horizontal barrier was already touched, so that the
//   labels near the end are not biased towards touches).
// - Forward return over h bars: close[t+h]/close[t] - 1 (simple return).
// - Triple barrier at t (ch. 3.4): σ_t is a trailing volatility known at t (trailing_volatility:
//   the sample standard deviation of the last `window` log returns ending at t, per bar). With
//   r_i = ln(close[i]/close[t]) for i = t+1..t+h, the first i with r_i >= pt·σ_t touches the
//   profit-take (label +1), the first with r_i <= -sl·σ_t the stop-loss (label -1); if neither
//   is touched by t+h the vertical barrier ends the label at t+h (label 0). Closes only: a bar is
//   one price, so at most one barrier is touched at a bar. The reported return is the simple return
//   close[touch]/close[t] - 1. Rows whose σ_t is not ready (or 0) get no label.
// - With a side series (the primary model's bet, +1 long, -1 short, 0 no bet: ch. 3.6) the
//   barriers apply to the side-adjusted return s·r, the reported return is s times the simple
//   return, and the meta-label is 1 when that return is > 0, else 0. Side 0 gives no label.
// - Uniqueness (ch. 4.3-4.5): for labels spanning [t0, t1] (bar indices, inclusive), the
//   concurrency c_t is the number of labels whose span contains t; a label's average uniqueness
//   is the mean of 1/c_t over its span. Return-attribution weights (ch. 4.5): w̃_i =
//   |Σ_{t in (t0, t1]} ln(close_t/close_{t-1}) / c_t|, scaled so that the weights sum to the number
//   of labels. (The book sums over [t0, t1], which adds the return into t0, realized before the
//   label starts; keel sums the returns the label itself earns.)
// - Errors (kInvalidArgument): horizon <= 0, a barrier multiple not finite or <= 0, a window < 2,
//   mismatched lengths (naming both), a close not finite or <= 0 or a side not in {-1, 0, 1}
//   (naming the index), a span outside the bars or with t1 < t0 (naming the label).
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "keel/analytics/indicators.hpp"
#include "keel/core/result.hpp"

namespace keel::analytics {

// One column per horizon, in the order given; entry t is close[t+h]/close[t] - 1 or nullopt.
Result<std::vector<IndicatorSeries>> forward_returns(std::span<const double> close,
                                                     std::span<const int> horizons);

// Per-bar sample standard deviation of the last `window` log returns ending at t (not annualized);
// nullopt for t < window.
Result<IndicatorSeries> trailing_volatility(std::span<const double> close, int window);

enum class Barrier : std::uint8_t { kProfitTake, kStopLoss, kVertical };
const char* to_string(Barrier barrier) noexcept;

struct BarrierOptions {
  double profit_take = 1.0;  // multiple of σ_t
  double stop_loss = 1.0;    // multiple of σ_t
  int horizon = 10;          // vertical barrier, bars after t
};

struct BarrierLabel {
  int label = 0;            // +1 profit-take, -1 stop-loss, 0 vertical barrier
  std::size_t touch = 0;    // bar index where the label ends (t1)
  Barrier barrier = Barrier::kVertical;
  double ret = 0.0;         // (side ·) (close[touch]/close[t] - 1)
  double volatility = 0.0;  // σ_t used for the barriers
};

// volatility: σ_t per bar (e.g. trailing_volatility); side: empty (long every bar) or per bar.
Result<std::vector<std::optional<BarrierLabel>>> triple_barrier(std::span<const double> close,
                                                                std::span<const std::optional<double>> volatility,
                                                                const BarrierOptions& options,
                                                                std::span<const int> side = {});

// Meta-labels from side-adjusted triple-barrier labels: 1 when ret > 0, else 0; nullopt where
// there is no label.
std::vector<std::optional<int>> meta_labels(std::span<const std::optional<BarrierLabel>> labels);

struct LabelSpan {
  std::size_t t0 = 0;
  std::size_t t1 = 0;  // inclusive
};

// The spans [t, touch] of the available labels, in bar order, and the bars they start at.
std::vector<LabelSpan> label_spans(std::span<const std::optional<BarrierLabel>> labels);

// Concurrency c_t for t in [0, bars).
Result<std::vector<int>> label_concurrency(std::span<const LabelSpan> spans, std::size_t bars);
// Average uniqueness of each label.
Result<std::vector<double>> average_uniqueness(std::span<const LabelSpan> spans, std::size_t bars);
// Return-attribution sample weights (sum = spans.size()). A label set whose attributed returns
// are all 0 gives equal weights 1.
Result<std::vector<double>> return_attribution_weights(std::span<const LabelSpan> spans,
                                                       std::span<const double> close);

}  // namespace keel::analytics
