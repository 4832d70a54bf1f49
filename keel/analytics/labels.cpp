#include "keel/analytics/labels.hpp"

#include <cmath>
#include <string>

namespace keel::analytics {
namespace {

Error invalid(const std::string& what) { return make_error(ErrorCode::kInvalidArgument, what); }

Status check_close(std::span<const double> close) {
  for (std::size_t i = 0; i < close.size(); ++i) {
    if (!std::isfinite(close[i])) return invalid("labels: close[" + std::to_string(i) + "] is not finite");
    if (close[i] <= 0.0) {
      return invalid("labels: close[" + std::to_string(i) + "] = " + std::to_string(close[i]) + " is not > 0");
    }
  }
  return ok_status();
}

}  // namespace

const char* to_string(Barrier barrier) noexcept {
  switch (barrier) {
    case Barrier::kProfitTake: return "profit_take";
    case Barrier::kStopLoss: return "stop_loss";
    case Barrier::kVertical: return "vertical";
  }
  return "?";
}

Result<std::vector<IndicatorSeries>> forward_returns(std::span<const double> close, std::span<const int> horizons) {
  KEEL_TRY_STATUS(check_close(close));
  std::vector<IndicatorSeries> out;
  for (std::size_t k = 0; k < horizons.size(); ++k) {
    const int h = horizons[k];
    if (h <= 0) return invalid("forward_returns: horizon " + std::to_string(k + 1) + " is " + std::to_string(h) + ", must be >= 1");
    IndicatorSeries col(close.size());
    for (std::size_t t = 0; t + static_cast<std::size_t>(h) < close.size(); ++t) {
      col[t] = close[t + static_cast<std::size_t>(h)] / close[t] - 1.0;
    }
    out.push_back(std::move(col));
  }
  return out;
}

Result<IndicatorSeries> trailing_volatility(std::span<const double> close, int window) {
  if (window < 2) return invalid("trailing_volatility: window must be >= 2, got " + std::to_string(window));
  KEEL_TRY_STATUS(check_close(close));
  // The streaming RollingVolatility with annualization 1 (per-bar σ); no length requirement:
  // a series shorter than the window is simply never ready.
  KEEL_TRY(ind, RollingVolatility::create(window, 1.0));
  IndicatorSeries out(close.size());
  for (std::size_t i = 0; i < close.size(); ++i) out[i] = ind.update(close[i]);
  return out;
}

Result<std::vector<std::optional<BarrierLabel>>> triple_barrier(std::span<const double> close,
                                                                std::span<const std::optional<double>> volatility,
                                                                const BarrierOptions& o, std::span<const int> side) {
  if (!std::isfinite(o.profit_take) || o.profit_take <= 0.0) {
    return invalid("triple_barrier: profit-take multiple must be finite and > 0, got " + std::to_string(o.profit_take));
  }
  if (!std::isfinite(o.stop_loss) || o.stop_loss <= 0.0) {
    return invalid("triple_barrier: stop-loss multiple must be finite and > 0, got " + std::to_string(o.stop_loss));
  }
  if (o.horizon <= 0) return invalid("triple_barrier: horizon must be >= 1, got " + std::to_string(o.horizon));
  if (volatility.size() != close.size()) {
    return invalid("triple_barrier: volatility has " + std::to_string(volatility.size()) + " values, close has " +
                   std::to_string(close.size()));
  }
  if (!side.empty() && side.size() != close.size()) {
    return invalid("triple_barrier: side has " + std::to_string(side.size()) + " values, close has " +
                   std::to_string(close.size()));
  }
  KEEL_TRY_STATUS(check_close(close));
  for (std::size_t i = 0; i < volatility.size(); ++i) {
    if (volatility[i] && !(std::isfinite(*volatility[i]) && *volatility[i] >= 0.0)) {
      return invalid("triple_barrier: volatility[" + std::to_string(i) + "] is not finite and >= 0");
    }
    if (!side.empty() && side[i] != -1 && side[i] != 0 && side[i] != 1) {
      return invalid("triple_barrier: side[" + std::to_string(i) + "] = " + std::to_string(side[i]) +
                     ", expected -1, 0 or 1");
    }
  }
  const std::size_t n = close.size();
  const auto h = static_cast<std::size_t>(o.horizon);
  std::vector<std::optional<BarrierLabel>> out(n);
  for (std::size_t t = 0; t + h < n; ++t) {
    if (!volatility[t] || *volatility[t] <= 0.0) continue;
    const double s = side.empty() ? 1.0 : static_cast<double>(side[t]);
    if (s == 0.0) continue;
    const double sigma = *volatility[t];
    const double up = o.profit_take * sigma, down = -o.stop_loss * sigma;
    BarrierLabel lab;
    lab.volatility = sigma;
    lab.touch = t + h;
    for (std::size_t i = t + 1; i <= t + h; ++i) {
      const double r = s * std::log(close[i] / close[t]);
      if (r >= up) {
        lab.label = 1, lab.touch = i, lab.barrier = Barrier::kProfitTake;
        break;
      }
      if (r <= down) {
        lab.label = -1, lab.touch = i, lab.barrier = Barrier::kStopLoss;
        break;
      }
    }
    lab.ret = s * (close[lab.touch] / close[t] - 1.0);
    out[t] = lab;
  }
  return out;
}

std::vector<std::optional<int>> meta_labels(std::span<const std::optional<BarrierLabel>> labels) {
  std::vector<std::optional<int>> out(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i]) out[i] = labels[i]->ret > 0.0 ? 1 : 0;
  }
  return out;
}

std::vector<LabelSpan> label_spans(std::span<const std::optional<BarrierLabel>> labels) {
  std::vector<LabelSpan> out;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i]) out.push_back({i, labels[i]->touch});
  }
  return out;
}

Result<std::vector<int>> label_concurrency(std::span<const LabelSpan> spans, std::size_t bars) {
  // Difference array: +1 at t0, -1 after t1; a prefix sum gives c_t in O(bars + labels).
  std::vector<int> diff(bars + 1, 0);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (spans[i].t1 < spans[i].t0 || spans[i].t1 >= bars) {
      return invalid("uniqueness: label " + std::to_string(i) + " spans [" + std::to_string(spans[i].t0) + ", " +
                     std::to_string(spans[i].t1) + "], outside [0, " + std::to_string(bars) + ") or reversed");
    }
    ++diff[spans[i].t0];
    --diff[spans[i].t1 + 1];
  }
  std::vector<int> c(bars);
  int run = 0;
  for (std::size_t t = 0; t < bars; ++t) c[t] = run += diff[t];
  return c;
}

Result<std::vector<double>> average_uniqueness(std::span<const LabelSpan> spans, std::size_t bars) {
  KEEL_TRY(c, label_concurrency(spans, bars));
  std::vector<double> out(spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) {
    double sum = 0.0;
    for (std::size_t t = spans[i].t0; t <= spans[i].t1; ++t) sum += 1.0 / c[t];
    out[i] = sum / static_cast<double>(spans[i].t1 - spans[i].t0 + 1);
  }
  return out;
}

Result<std::vector<double>> return_attribution_weights(std::span<const LabelSpan> spans, std::span<const double> close) {
  KEEL_TRY_STATUS(check_close(close));
  KEEL_TRY(c, label_concurrency(spans, close.size()));
  std::vector<double> w(spans.size());
  double total = 0.0;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    double sum = 0.0;
    for (std::size_t t = spans[i].t0 + 1; t <= spans[i].t1; ++t) sum += std::log(close[t] / close[t - 1]) / c[t];
    w[i] = std::fabs(sum);
    total += w[i];
  }
  const double n = static_cast<double>(spans.size());
  for (double& x : w) x = total > 0.0 ? x * n / total : 1.0;
  return w;
}

}  // namespace keel::analytics
