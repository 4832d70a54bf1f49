#include "keel/analytics/indicators.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "keel/core/assert.hpp"

namespace keel::analytics {
namespace {

Error invalid(std::string_view indicator, const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument, std::string(indicator) + ": " + what);
}

Status check_period(std::string_view indicator, std::string_view param, int value, int min = 1) {
  if (value < min) {
    return invalid(indicator, std::string(param) + " must be >= " + std::to_string(min) +
                                  ", got " + std::to_string(value));
  }
  return ok_status();
}

Error non_finite(std::string_view indicator, std::string_view column, std::size_t i, double v) {
  return invalid(indicator, std::string(column) + "[" + std::to_string(i) + "] is " +
                                (std::isnan(v) ? "NaN" : "infinite"));
}

Status check_finite(std::string_view indicator, std::string_view column, std::span<const double> x) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) return non_finite(indicator, column, i, x[i]);
  }
  return ok_status();
}

// `bars_needed` is how many bars one output needs (the period, or period+1 for indicators on
// bar-to-bar changes).
Status check_length(std::string_view indicator, std::string_view param, int period, std::size_t n,
                    int bars_needed = 0) {
  const int need = bars_needed > 0 ? bars_needed : period;
  if (static_cast<std::size_t>(need) > n) {
    std::string msg = std::string(param) + " " + std::to_string(period);
    if (need != period) msg += " needs " + std::to_string(need) + " bars but only";
    else msg += " is longer than the";
    return invalid(indicator, msg + " " + std::to_string(n) + " bars given");
  }
  return ok_status();
}

Status check_same_length(std::string_view indicator, std::string_view a, std::size_t na,
                         std::string_view b, std::size_t nb) {
  if (na != nb) {
    return invalid(indicator, std::string(b) + " has " + std::to_string(nb) + " values but " +
                                  std::string(a) + " has " + std::to_string(na));
  }
  return ok_status();
}

// Runs a single-input streaming indicator over x.
template <class Ind>
IndicatorSeries run_single(Ind ind, std::span<const double> x) {
  IndicatorSeries out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = ind.update(x[i]);
  return out;
}

template <class Ind>
IndicatorSeries run_hlc(Ind ind, std::span<const double> h, std::span<const double> l,
                        std::span<const double> c) {
  IndicatorSeries out(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) out[i] = ind.update(h[i], l[i], c[i]);
  return out;
}

Status check_hlc(std::string_view name, std::span<const double> high, std::span<const double> low,
                 std::span<const double> close, int period) {
  KEEL_TRY_STATUS(check_period(name, "period", period));
  KEEL_TRY_STATUS(check_same_length(name, "close", close.size(), "high", high.size()));
  KEEL_TRY_STATUS(check_same_length(name, "close", close.size(), "low", low.size()));
  KEEL_TRY_STATUS(check_finite(name, "high", high));
  KEEL_TRY_STATUS(check_finite(name, "low", low));
  KEEL_TRY_STATUS(check_finite(name, "close", close));
  for (std::size_t i = 0; i < close.size(); ++i) {
    if (high[i] < low[i]) {
      return invalid(name, "high[" + std::to_string(i) + "] = " + std::to_string(high[i]) +
                               " is below low " + std::to_string(low[i]));
    }
  }
  return check_length(name, "period", period, close.size());
}

Status check_out(std::string_view indicator, std::string_view buffer, std::size_t n_out,
                 std::size_t n_x) {
  if (n_out != n_x) {
    return invalid(indicator, std::string(buffer) + " has " + std::to_string(n_out) +
                                  " values but x has " + std::to_string(n_x));
  }
  return ok_status();
}

}  // namespace

namespace detail {

double MonotonicWindow::push(double x) noexcept {
  const std::size_t seq = next_++;
  // Drop the front if it fell out of the window.
  if (count_ > 0 && seq - seq_[head_] >= window_) {
    head_ = head_ + 1 == window_ ? 0 : head_ + 1;
    --count_;
  }
  // Drop from the back every value x dominates: they can never be the extreme again.
  while (count_ > 0) {
    std::size_t back = head_ + count_ - 1;
    if (back >= window_) back -= window_;
    if (!dominates(x, val_[back])) break;
    --count_;
  }
  std::size_t pos = head_ + count_;
  if (pos >= window_) pos -= window_;
  seq_[pos] = seq;
  val_[pos] = x;
  ++count_;
  return val_[head_];
}

}  // namespace detail

// ---- SMA
Result<Sma> Sma::create(int period) {
  KEEL_TRY_STATUS(check_period("sma", "period", period));
  return Sma(period);
}

// The hot batch forms (SMA, EMA, Bollinger) are tight loops that perform exactly the streaming
// class's operations in the same order (so results stay bit-identical; the property test checks
// it), with the finiteness check fused into the pass.
Result<IndicatorSeries> sma(std::span<const double> x, int period) {
  KEEL_TRY_STATUS(check_period("sma", "period", period));
  KEEL_TRY_STATUS(check_length("sma", "period", period, x.size()));
  const std::size_t p = static_cast<std::size_t>(period);
  IndicatorSeries out;
  out.reserve(x.size());
  double sum = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) return non_finite("sma", "x", i, x[i]);
    if (i >= p) sum -= x[i - p];
    sum += x[i];
    if (i + 1 >= p) {
      out.emplace_back(sum / period);
    } else {
      out.emplace_back(std::nullopt);
    }
  }
  return out;
}

Result<std::size_t> sma_into(std::span<const double> x, int period, std::span<double> out) {
  KEEL_TRY_STATUS(check_period("sma_into", "period", period));
  KEEL_TRY_STATUS(check_length("sma_into", "period", period, x.size()));
  KEEL_TRY_STATUS(check_out("sma_into", "out", out.size(), x.size()));
  // sma()'s loop split at the warm-up boundary so the steady-state loop has no branch besides
  // the finiteness check; the sum sees the same operations in the same order.
  const std::size_t p = static_cast<std::size_t>(period);
  const std::size_t n = x.size();
  const double* xs = x.data();
  double* o = out.data();
  double sum = 0.0;
  for (std::size_t i = 0; i < p; ++i) {
    if (!std::isfinite(xs[i])) return non_finite("sma_into", "x", i, xs[i]);
    sum += xs[i];
  }
  o[p - 1] = sum / period;
  for (std::size_t i = p; i < n; ++i) {
    if (!std::isfinite(xs[i])) return non_finite("sma_into", "x", i, xs[i]);
    sum -= xs[i - p];
    sum += xs[i];
    o[i] = sum / period;
  }
  return p - 1;
}

// ---- EMA
Result<Ema> Ema::create(int period) {
  KEEL_TRY_STATUS(check_period("ema", "period", period));
  return Ema(period);
}

Result<IndicatorSeries> ema(std::span<const double> x, int period) {
  KEEL_TRY_STATUS(check_period("ema", "period", period));
  KEEL_TRY_STATUS(check_length("ema", "period", period, x.size()));
  const std::size_t p = static_cast<std::size_t>(period);
  const double k = 2.0 / (period + 1.0);
  IndicatorSeries out;
  out.reserve(x.size());
  double v = 0.0;
  for (std::size_t i = 0; i < p; ++i) {
    if (!std::isfinite(x[i])) return non_finite("ema", "x", i, x[i]);
    v += x[i];
    if (i + 1 < p) out.emplace_back(std::nullopt);
  }
  v /= period;
  out.emplace_back(v);
  for (std::size_t i = p; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) return non_finite("ema", "x", i, x[i]);
    v = (x[i] - v) * k + v;
    out.emplace_back(v);
  }
  return out;
}

// ---- WMA
Result<Wma> Wma::create(int period) {
  KEEL_TRY_STATUS(check_period("wma", "period", period));
  return Wma(period);
}

std::optional<double> Wma::update(double x) noexcept {
  KEEL_ASSERT(std::isfinite(x), "wma: input must be finite");
  double evicted = 0.0;
  const bool was_full = ring_.full();
  const double n = period_;
  if (!was_full) {
    // Warm-up: the value's weight is its 1-based position in the first window.
    weighted_ += x * static_cast<double>(ring_.size() + 1);
    sum_ += x;
    ring_.push(x, &evicted);
    if (!ring_.full()) return std::nullopt;
  } else {
    // Every held value loses one weight step (W - S), the new one enters with weight n.
    weighted_ = weighted_ - sum_ + x * n;
    ring_.push(x, &evicted);
    sum_ = sum_ - evicted + x;
  }
  return weighted_ / (n * (n + 1.0) / 2.0);
}

Result<IndicatorSeries> wma(std::span<const double> x, int period) {
  KEEL_TRY(ind, Wma::create(period));
  KEEL_TRY_STATUS(check_finite("wma", "x", x));
  KEEL_TRY_STATUS(check_length("wma", "period", period, x.size()));
  return run_single(ind, x);
}

// ---- RSI
Result<Rsi> Rsi::create(int period) {
  KEEL_TRY_STATUS(check_period("rsi", "period", period));
  return Rsi(period);
}

std::optional<double> Rsi::update(double close) noexcept {
  KEEL_ASSERT(std::isfinite(close), "rsi: input must be finite");
  if (count_ == 0) {
    prev_ = close;
    ++count_;
    return std::nullopt;
  }
  const double change = close - prev_;
  prev_ = close;
  const double gain = change > 0.0 ? change : 0.0;
  const double loss = change < 0.0 ? -change : 0.0;
  if (count_ <= period_) {
    gain_ += gain;
    loss_ += loss;
    if (count_++ < period_) return std::nullopt;
    gain_ /= period_;
    loss_ /= period_;
  } else {
    gain_ = (gain_ * (period_ - 1) + gain) / period_;
    loss_ = (loss_ * (period_ - 1) + loss) / period_;
  }
  const double total = gain_ + loss_;
  return total > 0.0 ? 100.0 * (gain_ / total) : 50.0;
}

Result<IndicatorSeries> rsi(std::span<const double> close, int period) {
  KEEL_TRY(ind, Rsi::create(period));
  KEEL_TRY_STATUS(check_finite("rsi", "close", close));
  KEEL_TRY_STATUS(check_length("rsi", "period", period, close.size()));
  return run_single(ind, close);
}

// ---- MACD
Result<Macd> Macd::create(int fast, int slow, int signal) {
  KEEL_TRY_STATUS(check_period("macd", "fast period", fast));
  KEEL_TRY_STATUS(check_period("macd", "slow period", slow));
  KEEL_TRY_STATUS(check_period("macd", "signal period", signal));
  if (fast >= slow) {
    return invalid("macd", "fast period " + std::to_string(fast) +
                               " must be shorter than slow period " + std::to_string(slow));
  }
  KEEL_TRY(f, Ema::create(fast));
  KEEL_TRY(s, Ema::create(slow));
  KEEL_TRY(g, Ema::create(signal));
  return Macd(f, s, g, fast, slow, signal);
}

std::optional<MacdValue> Macd::update(double x) noexcept {
  KEEL_ASSERT(std::isfinite(x), "macd: input must be finite");
  const int t = count_++;
  const std::optional<double> slow = slow_ema_.update(x);
  // TA-Lib alignment: the fast EMA starts so that its seed window ends at bar slow-1 too.
  std::optional<double> fast;
  if (t >= slow_ - fast_period_) fast = fast_.update(x);
  if (!slow) return std::nullopt;
  KEEL_ASSERT(fast.has_value(), "macd: fast EMA must be ready with the slow one");
  const double line = *fast - *slow;
  const std::optional<double> signal = signal_ema_.update(line);
  if (!signal) return std::nullopt;
  return MacdValue{line, *signal, line - *signal};
}

Result<MacdSeries> macd(std::span<const double> x, int fast, int slow, int signal) {
  KEEL_TRY(ind, Macd::create(fast, slow, signal));
  KEEL_TRY_STATUS(check_finite("macd", "x", x));
  KEEL_TRY_STATUS(check_length("macd", "slow period", slow, x.size()));
  MacdSeries out{IndicatorSeries(x.size()), IndicatorSeries(x.size()), IndicatorSeries(x.size())};
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (auto v = ind.update(x[i])) {
      out.line[i] = v->line;
      out.signal[i] = v->signal;
      out.histogram[i] = v->histogram;
    }
  }
  return out;
}

// ---- Bollinger
Result<std::size_t> ema_into(std::span<const double> x, int period, std::span<double> out) {
  KEEL_TRY_STATUS(check_period("ema_into", "period", period));
  KEEL_TRY_STATUS(check_length("ema_into", "period", period, x.size()));
  KEEL_TRY_STATUS(check_out("ema_into", "out", out.size(), x.size()));
  const std::size_t p = static_cast<std::size_t>(period);
  const std::size_t n = x.size();
  const double k = 2.0 / (period + 1.0);
  const double* xs = x.data();
  double* o = out.data();
  double v = 0.0;
  for (std::size_t i = 0; i < p; ++i) {
    if (!std::isfinite(xs[i])) return non_finite("ema_into", "x", i, xs[i]);
    v += xs[i];
  }
  v /= period;
  o[p - 1] = v;
  for (std::size_t i = p; i < n; ++i) {
    if (!std::isfinite(xs[i])) return non_finite("ema_into", "x", i, xs[i]);
    v = (xs[i] - v) * k + v;
    o[i] = v;
  }
  return p - 1;
}

Result<Bollinger> Bollinger::create(int period, double k) {
  KEEL_TRY_STATUS(check_period("bollinger", "period", period));
  if (!std::isfinite(k) || k < 0.0) {
    return invalid("bollinger", "k must be finite and >= 0, got " + std::to_string(k));
  }
  return Bollinger(period, k);
}

std::optional<BandsValue> Bollinger::update(double x) noexcept {
  KEEL_ASSERT(std::isfinite(x), "bollinger: input must be finite");
  double evicted = 0.0;
  const bool was_full = ring_.full();
  ring_.push(x, &evicted);
  if (was_full) {
    sum_ -= evicted;
    sum2_ -= evicted * evicted;
  }
  sum_ += x;
  sum2_ += x * x;
  if (!ring_.full()) return std::nullopt;
  const double mean = sum_ / period_;
  const double var = sum2_ / period_ - mean * mean;
  const double sd = var > 0.0 ? std::sqrt(var) : 0.0;
  return BandsValue{mean + k_ * sd, mean, mean - k_ * sd};
}

Result<BandsSeries> bollinger(std::span<const double> x, int period, double k) {
  KEEL_TRY_STATUS(Bollinger::create(period, k));
  KEEL_TRY_STATUS(check_length("bollinger", "period", period, x.size()));
  const std::size_t p = static_cast<std::size_t>(period);
  BandsSeries out;
  out.upper.reserve(x.size());
  out.middle.reserve(x.size());
  out.lower.reserve(x.size());
  double sum = 0.0;
  double sum2 = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) return non_finite("bollinger", "x", i, x[i]);
    if (i >= p) {
      const double e = x[i - p];
      sum -= e;
      sum2 -= e * e;
    }
    sum += x[i];
    sum2 += x[i] * x[i];
    if (i + 1 < p) {
      out.upper.emplace_back(std::nullopt);
      out.middle.emplace_back(std::nullopt);
      out.lower.emplace_back(std::nullopt);
      continue;
    }
    const double mean = sum / period;
    const double var = sum2 / period - mean * mean;
    const double sd = var > 0.0 ? std::sqrt(var) : 0.0;
    out.upper.emplace_back(mean + k * sd);
    out.middle.emplace_back(mean);
    out.lower.emplace_back(mean - k * sd);
  }
  return out;
}

Result<std::size_t> bollinger_into(std::span<const double> x, int period, double k,
                                   std::span<double> upper, std::span<double> middle,
                                   std::span<double> lower) {
  KEEL_TRY_STATUS(Bollinger::create(period, k));
  KEEL_TRY_STATUS(check_length("bollinger_into", "period", period, x.size()));
  KEEL_TRY_STATUS(check_out("bollinger_into", "upper", upper.size(), x.size()));
  KEEL_TRY_STATUS(check_out("bollinger_into", "middle", middle.size(), x.size()));
  KEEL_TRY_STATUS(check_out("bollinger_into", "lower", lower.size(), x.size()));
  const std::size_t p = static_cast<std::size_t>(period);
  const std::size_t n = x.size();
  const double* xs = x.data();
  double* up = upper.data();
  double* mid = middle.data();
  double* lo = lower.data();
  double sum = 0.0;
  double sum2 = 0.0;
  // Same operations, same order as bollinger(): the warm-up pass only accumulates.
  for (std::size_t i = 0; i + 1 < p; ++i) {
    if (!std::isfinite(xs[i])) return non_finite("bollinger_into", "x", i, xs[i]);
    sum += xs[i];
    sum2 += xs[i] * xs[i];
  }
  for (std::size_t i = p - 1; i < n; ++i) {
    const double xi = xs[i];
    if (!std::isfinite(xi)) return non_finite("bollinger_into", "x", i, xi);
    if (i >= p) {
      const double e = xs[i - p];
      sum -= e;
      sum2 -= e * e;
    }
    sum += xi;
    sum2 += xi * xi;
    const double mean = sum / period;
    const double var = sum2 / period - mean * mean;
    const double sd = var > 0.0 ? std::sqrt(var) : 0.0;
    up[i] = mean + k * sd;
    mid[i] = mean;
    lo[i] = mean - k * sd;
  }
  return p - 1;
}

// ---- ATR / NATR
Result<Atr> Atr::create(int period) {
  KEEL_TRY_STATUS(check_period("atr", "period", period));
  return Atr(period);
}

std::optional<double> Atr::update(double high, double low, double close) noexcept {
  KEEL_ASSERT(std::isfinite(high) && std::isfinite(low) && std::isfinite(close) && high >= low,
              "atr: inputs must be finite with high >= low");
  if (count_ == 0) {
    prev_close_ = close;
    ++count_;
    return std::nullopt;
  }
  const double tr = std::max({high - low, std::fabs(high - prev_close_), std::fabs(low - prev_close_)});
  prev_close_ = close;
  if (count_ <= period_) {
    value_ += tr;
    if (count_++ < period_) return std::nullopt;
    value_ /= period_;
    return value_;
  }
  value_ = (value_ * (period_ - 1) + tr) / period_;
  return value_;
}

Result<Natr> Natr::create(int period) {
  KEEL_TRY_STATUS(check_period("natr", "period", period));
  KEEL_TRY(a, Atr::create(period));
  return Natr(a);
}

std::optional<double> Natr::update(double high, double low, double close) noexcept {
  KEEL_ASSERT(close != 0.0, "natr: close must be non-zero");
  const std::optional<double> a = atr_.update(high, low, close);
  if (!a) return std::nullopt;
  return (*a / close) * 100.0;
}

Result<IndicatorSeries> atr(std::span<const double> high, std::span<const double> low,
                            std::span<const double> close, int period) {
  KEEL_TRY_STATUS(check_hlc("atr", high, low, close, period));
  KEEL_TRY(ind, Atr::create(period));
  return run_hlc(ind, high, low, close);
}

Result<IndicatorSeries> natr(std::span<const double> high, std::span<const double> low,
                             std::span<const double> close, int period) {
  KEEL_TRY_STATUS(check_hlc("natr", high, low, close, period));
  for (std::size_t i = 0; i < close.size(); ++i) {
    if (close[i] == 0.0) return invalid("natr", "close[" + std::to_string(i) + "] is 0");
  }
  KEEL_TRY(ind, Natr::create(period));
  return run_hlc(ind, high, low, close);
}

// ---- Rolling z-score
Result<RollingZScore> RollingZScore::create(int period) {
  KEEL_TRY_STATUS(check_period("rolling_zscore", "period", period, 2));
  return RollingZScore(period);
}

std::optional<double> RollingZScore::update(double x) noexcept {
  KEEL_ASSERT(std::isfinite(x), "rolling_zscore: input must be finite");
  double evicted = 0.0;
  const bool was_full = ring_.full();
  ring_.push(x, &evicted);
  if (!was_full) {
    // Welford's incremental mean and M2 while the window fills.
    const double k = static_cast<double>(ring_.size());
    const double delta = x - mean_;
    mean_ += delta / k;
    m2_ += delta * (x - mean_);
    if (!ring_.full()) return std::nullopt;
  } else {
    // Replace `evicted` by x at constant count (sliding Welford).
    const double old_mean = mean_;
    mean_ += (x - evicted) / period_;
    m2_ += (x - evicted) * (x - mean_ + evicted - old_mean);
    if (m2_ < 0.0) m2_ = 0.0;  // rounding only: M2 is a sum of squares
    if (++since_exact_ == period_) {
      since_exact_ = 0;
      double sum = 0.0;
      ring_.for_each([&](double v) { sum += v; });
      mean_ = sum / period_;
      double m2 = 0.0;
      ring_.for_each([&](double v) { m2 += (v - mean_) * (v - mean_); });
      m2_ = m2;
    }
  }
  const double var = m2_ / (period_ - 1);
  if (!(var > 0.0)) return 0.0;
  return (x - mean_) / std::sqrt(var);
}

Result<IndicatorSeries> rolling_zscore(std::span<const double> x, int period) {
  KEEL_TRY(ind, RollingZScore::create(period));
  KEEL_TRY_STATUS(check_finite("rolling_zscore", "x", x));
  KEEL_TRY_STATUS(check_length("rolling_zscore", "period", period, x.size()));
  return run_single(ind, x);
}

// ---- Rolling skewness / kurtosis
Result<RollingMoments> RollingMoments::create(int period) {
  KEEL_TRY_STATUS(check_period("rolling_moments", "period", period, 3));
  return RollingMoments(period);
}

void RollingMoments::recompute() noexcept {
  double sum = 0.0;
  ring_.for_each([&](double v) { sum += v; });
  c_ = sum / period_;
  double s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0;
  ring_.for_each([&](double v) {
    const double a = v - c_;
    const double a2 = a * a;
    s1 += a;
    s2 += a2;
    s3 += a2 * a;
    s4 += a2 * a2;
  });
  s1_ = s1;
  s2_ = s2;
  s3_ = s3;
  s4_ = s4;
}

std::optional<MomentsValue> RollingMoments::update(double x) noexcept {
  KEEL_ASSERT(std::isfinite(x), "rolling_moments: input must be finite");
  double evicted = 0.0;
  const bool was_full = ring_.full();
  ring_.push(x, &evicted);
  if (!was_full) {
    // Nothing to slide while filling: the first full window is summed exactly.
    if (!ring_.full()) return std::nullopt;
    recompute();
  } else if (++since_exact_ == period_) {
    since_exact_ = 0;
    recompute();
  } else {
    const double a = x - c_;
    const double e = evicted - c_;
    const double a2 = a * a;
    const double e2 = e * e;
    s1_ += a - e;
    s2_ += a2 - e2;
    s3_ += a2 * a - e2 * e;
    s4_ += a2 * a2 - e2 * e2;
  }
  // Raw moments about c, then central moments: with d = mean - c,
  // m2 = r2 - d², m3 = r3 - 3d·r2 + 2d³, m4 = r4 - 4d·r3 + 6d²·r2 - 3d⁴.
  const double d = s1_ / period_;
  const double r2 = s2_ / period_;
  const double r3 = s3_ / period_;
  const double r4 = s4_ / period_;
  const double d2 = d * d;
  const double m2 = r2 - d2;
  if (!(m2 > 1e-10 * r2)) return MomentsValue{0.0, 0.0};
  const double m3 = r3 - 3.0 * d * r2 + 2.0 * d2 * d;
  const double m4 = r4 - 4.0 * d * r3 + 6.0 * d2 * r2 - 3.0 * d2 * d2;
  return MomentsValue{m3 / (m2 * std::sqrt(m2)), m4 / (m2 * m2) - 3.0};
}

Result<MomentsSeries> rolling_moments(std::span<const double> x, int period) {
  KEEL_TRY(ind, RollingMoments::create(period));
  KEEL_TRY_STATUS(check_finite("rolling_moments", "x", x));
  KEEL_TRY_STATUS(check_length("rolling_moments", "period", period, x.size()));
  MomentsSeries out;
  out.skewness.reserve(x.size());
  out.kurtosis.reserve(x.size());
  for (const double v : x) {
    const auto m = ind.update(v);
    out.skewness.push_back(m ? std::optional<double>(m->skewness) : std::nullopt);
    out.kurtosis.push_back(m ? std::optional<double>(m->kurtosis) : std::nullopt);
  }
  return out;
}

// ---- Rolling volatility
Result<RollingVolatility> RollingVolatility::create(int period, double annualization) {
  KEEL_TRY_STATUS(check_period("rolling_volatility", "period", period, 2));
  if (!std::isfinite(annualization) || annualization <= 0.0) {
    return invalid("rolling_volatility",
                   "annualization must be finite and > 0, got " + std::to_string(annualization));
  }
  return RollingVolatility(period, std::sqrt(annualization));
}

std::optional<double> RollingVolatility::update(double price) noexcept {
  KEEL_ASSERT(std::isfinite(price) && price > 0.0, "rolling_volatility: price must be finite and > 0");
  if (!has_prev_) {
    prev_ = price;
    has_prev_ = true;
    return std::nullopt;
  }
  const double r = std::log(price / prev_);
  prev_ = price;
  double evicted = 0.0;
  const bool was_full = ring_.full();
  ring_.push(r, &evicted);
  if (was_full) {
    sum_ -= evicted;
    sum2_ -= evicted * evicted;
  }
  sum_ += r;
  sum2_ += r * r;
  if (!ring_.full()) return std::nullopt;
  const double n = period_;
  const double var = (sum2_ - sum_ * sum_ / n) / (n - 1.0);
  return var > 0.0 ? std::sqrt(var) * scale_ : 0.0;
}

Result<IndicatorSeries> rolling_volatility(std::span<const double> price, int period,
                                           double annualization) {
  KEEL_TRY(ind, RollingVolatility::create(period, annualization));
  KEEL_TRY_STATUS(check_finite("rolling_volatility", "price", price));
  for (std::size_t i = 0; i < price.size(); ++i) {
    if (price[i] <= 0.0) {
      return invalid("rolling_volatility",
                     "price[" + std::to_string(i) + "] = " + std::to_string(price[i]) + " is not > 0");
    }
  }
  // n returns need n+1 prices.
  KEEL_TRY_STATUS(check_length("rolling_volatility", "period", period, price.size(), period + 1));
  return run_single(ind, price);
}

// ---- Momentum / ROC
Result<Momentum> Momentum::create(int period) {
  KEEL_TRY_STATUS(check_period("momentum", "period", period));
  return Momentum(period);
}

std::optional<double> Momentum::update(double x) noexcept {
  KEEL_ASSERT(std::isfinite(x), "momentum: input must be finite");
  double evicted = 0.0;
  ring_.push(x, &evicted);
  if (!ring_.full()) return std::nullopt;
  return x - ring_.front();  // the ring holds x_{t-n}..x_t
}

Result<Roc> Roc::create(int period) {
  KEEL_TRY_STATUS(check_period("roc", "period", period));
  return Roc(period);
}

std::optional<double> Roc::update(double x) noexcept {
  KEEL_ASSERT(std::isfinite(x), "roc: input must be finite");
  double evicted = 0.0;
  ring_.push(x, &evicted);
  if (!ring_.full()) return std::nullopt;
  const double ref = ring_.front();
  KEEL_ASSERT(ref != 0.0, "roc: reference value must be non-zero");
  return (x / ref - 1.0) * 100.0;
}

Result<IndicatorSeries> momentum(std::span<const double> x, int period) {
  KEEL_TRY(ind, Momentum::create(period));
  KEEL_TRY_STATUS(check_finite("momentum", "x", x));
  KEEL_TRY_STATUS(check_length("momentum", "period", period, x.size(), period + 1));
  return run_single(ind, x);
}

Result<IndicatorSeries> roc(std::span<const double> x, int period) {
  KEEL_TRY(ind, Roc::create(period));
  KEEL_TRY_STATUS(check_finite("roc", "x", x));
  KEEL_TRY_STATUS(check_length("roc", "period", period, x.size(), period + 1));
  // Only values that serve as a reference (x_{t-n} for some t) must be non-zero.
  for (std::size_t i = 0; i + static_cast<std::size_t>(period) < x.size(); ++i) {
    if (x[i] == 0.0) return invalid("roc", "x[" + std::to_string(i) + "] is 0, a ROC reference");
  }
  return run_single(ind, x);
}

// ---- Williams %R
Result<WilliamsR> WilliamsR::create(int period) {
  KEEL_TRY_STATUS(check_period("williams_r", "period", period));
  return WilliamsR(period);
}

std::optional<double> WilliamsR::update(double high, double low, double close) noexcept {
  KEEL_ASSERT(std::isfinite(high) && std::isfinite(low) && std::isfinite(close) && high >= low,
              "williams_r: inputs must be finite with high >= low");
  const double hh = highs_.push(high);
  const double ll = lows_.push(low);
  if (count_ < period_ - 1) {
    ++count_;
    return std::nullopt;
  }
  const double range = hh - ll;
  return range > 0.0 ? (hh - close) / range * -100.0 : -50.0;
}

Result<IndicatorSeries> williams_r(std::span<const double> high, std::span<const double> low,
                                   std::span<const double> close, int period) {
  KEEL_TRY_STATUS(check_hlc("williams_r", high, low, close, period));
  KEEL_TRY(ind, WilliamsR::create(period));
  return run_hlc(ind, high, low, close);
}

// ---- OBV
std::optional<double> Obv::update(double close, double volume) noexcept {
  KEEL_ASSERT(std::isfinite(close) && std::isfinite(volume), "obv: inputs must be finite");
  if (!started_) {
    started_ = true;
    value_ = volume;
  } else if (close > prev_close_) {
    value_ += volume;
  } else if (close < prev_close_) {
    value_ -= volume;
  }
  prev_close_ = close;
  return value_;
}

Result<IndicatorSeries> obv(std::span<const double> close, std::span<const double> volume) {
  KEEL_TRY_STATUS(check_same_length("obv", "close", close.size(), "volume", volume.size()));
  KEEL_TRY_STATUS(check_finite("obv", "close", close));
  KEEL_TRY_STATUS(check_finite("obv", "volume", volume));
  Obv ind;
  IndicatorSeries out(close.size());
  for (std::size_t i = 0; i < close.size(); ++i) out[i] = ind.update(close[i], volume[i]);
  return out;
}

// ---- Donchian
Result<Donchian> Donchian::create(int period) {
  KEEL_TRY_STATUS(check_period("donchian", "period", period));
  return Donchian(period);
}

std::optional<BandsValue> Donchian::update(double high, double low) noexcept {
  KEEL_ASSERT(std::isfinite(high) && std::isfinite(low) && high >= low,
              "donchian: inputs must be finite with high >= low");
  const double hh = highs_.push(high);
  const double ll = lows_.push(low);
  if (count_ < period_ - 1) {
    ++count_;
    return std::nullopt;
  }
  return BandsValue{hh, (hh + ll) / 2.0, ll};
}

Result<BandsSeries> donchian(std::span<const double> high, std::span<const double> low, int period) {
  KEEL_TRY_STATUS(check_hlc("donchian", high, low, low, period));
  KEEL_TRY(ind, Donchian::create(period));
  BandsSeries out{IndicatorSeries(low.size()), IndicatorSeries(low.size()), IndicatorSeries(low.size())};
  for (std::size_t i = 0; i < low.size(); ++i) {
    if (auto v = ind.update(high[i], low[i])) {
      out.upper[i] = v->upper;
      out.middle[i] = v->middle;
      out.lower[i] = v->lower;
    }
  }
  return out;
}

// ---- Stochastic
Result<Stochastic> Stochastic::create(int k_period, int k_slowing, int d_period) {
  KEEL_TRY_STATUS(check_period("stochastic", "k period", k_period));
  KEEL_TRY_STATUS(check_period("stochastic", "k slowing", k_slowing));
  KEEL_TRY_STATUS(check_period("stochastic", "d period", d_period));
  KEEL_TRY(k, Sma::create(k_slowing));
  KEEL_TRY(d, Sma::create(d_period));
  return Stochastic(k_period, k_slowing, d_period, k, d);
}

std::optional<StochValue> Stochastic::update(double high, double low, double close) noexcept {
  KEEL_ASSERT(std::isfinite(high) && std::isfinite(low) && std::isfinite(close) && high >= low,
              "stochastic: inputs must be finite with high >= low");
  const double hh = highs_.push(high);
  const double ll = lows_.push(low);
  if (count_ < k_period_ - 1) {
    ++count_;
    return std::nullopt;
  }
  const double range = hh - ll;
  const double raw = range > 0.0 ? (close - ll) / range * 100.0 : 50.0;
  const std::optional<double> k = k_sma_.update(raw);
  if (!k) return std::nullopt;
  const std::optional<double> d = d_sma_.update(*k);
  if (!d) return std::nullopt;
  return StochValue{*k, *d};
}

Result<StochSeries> stochastic(std::span<const double> high, std::span<const double> low,
                               std::span<const double> close, int k_period, int k_slowing,
                               int d_period) {
  KEEL_TRY(ind, Stochastic::create(k_period, k_slowing, d_period));
  KEEL_TRY_STATUS(check_hlc("stochastic", high, low, close, k_period));
  StochSeries out{IndicatorSeries(close.size()), IndicatorSeries(close.size())};
  for (std::size_t i = 0; i < close.size(); ++i) {
    if (auto v = ind.update(high[i], low[i], close[i])) {
      out.k[i] = v->k;
      out.d[i] = v->d;
    }
  }
  return out;
}

// ---- DEMA / TEMA
Result<Dema> Dema::create(int period) {
  KEEL_TRY_STATUS(check_period("dema", "period", period));
  KEEL_TRY(e, Ema::create(period));
  return Dema(e, period);
}

std::optional<double> Dema::update(double x) noexcept {
  const std::optional<double> e1 = e1_.update(x);
  if (!e1) return std::nullopt;
  const std::optional<double> e2 = e2_.update(*e1);
  if (!e2) return std::nullopt;
  return (2.0 * *e1) - *e2;
}

Result<Tema> Tema::create(int period) {
  KEEL_TRY_STATUS(check_period("tema", "period", period));
  KEEL_TRY(e, Ema::create(period));
  return Tema(e, period);
}

std::optional<double> Tema::update(double x) noexcept {
  const std::optional<double> e1 = e1_.update(x);
  if (!e1) return std::nullopt;
  const std::optional<double> e2 = e2_.update(*e1);
  if (!e2) return std::nullopt;
  const std::optional<double> e3 = e3_.update(*e2);
  if (!e3) return std::nullopt;
  return *e3 + ((3.0 * *e1) - (3.0 * *e2));
}

Result<IndicatorSeries> dema(std::span<const double> x, int period) {
  KEEL_TRY(ind, Dema::create(period));
  KEEL_TRY_STATUS(check_finite("dema", "x", x));
  KEEL_TRY_STATUS(check_length("dema", "period", period, x.size()));
  return run_single(ind, x);
}

Result<IndicatorSeries> tema(std::span<const double> x, int period) {
  KEEL_TRY(ind, Tema::create(period));
  KEEL_TRY_STATUS(check_finite("tema", "x", x));
  KEEL_TRY_STATUS(check_length("tema", "period", period, x.size()));
  return run_single(ind, x);
}

// ---- Keltner
Result<Keltner> Keltner::create(int period, int atr_period, double multiplier) {
  KEEL_TRY_STATUS(check_period("keltner", "period", period));
  KEEL_TRY_STATUS(check_period("keltner", "atr period", atr_period));
  if (!std::isfinite(multiplier) || multiplier < 0.0) {
    return invalid("keltner", "multiplier must be finite and >= 0, got " + std::to_string(multiplier));
  }
  KEEL_TRY(e, Ema::create(period));
  KEEL_TRY(a, Atr::create(atr_period));
  return Keltner(e, a, period, atr_period, multiplier);
}

std::optional<BandsValue> Keltner::update(double high, double low, double close) noexcept {
  const std::optional<double> mid = ema_.update(close);
  const std::optional<double> range = atr_.update(high, low, close);
  if (!mid || !range) return std::nullopt;
  return BandsValue{*mid + m_ * *range, *mid, *mid - m_ * *range};
}

Result<BandsSeries> keltner(std::span<const double> high, std::span<const double> low,
                            std::span<const double> close, int period, int atr_period,
                            double multiplier) {
  KEEL_TRY(ind, Keltner::create(period, atr_period, multiplier));
  KEEL_TRY_STATUS(check_hlc("keltner", high, low, close, period));
  KEEL_TRY_STATUS(check_length("keltner", "atr period", atr_period, close.size()));
  BandsSeries out{IndicatorSeries(close.size()), IndicatorSeries(close.size()),
                  IndicatorSeries(close.size())};
  for (std::size_t i = 0; i < close.size(); ++i) {
    if (auto v = ind.update(high[i], low[i], close[i])) {
      out.upper[i] = v->upper;
      out.middle[i] = v->middle;
      out.lower[i] = v->lower;
    }
  }
  return out;
}

// ---- MFI
Result<Mfi> Mfi::create(int period) {
  KEEL_TRY_STATUS(check_period("mfi", "period", period));
  return Mfi(period);
}

std::optional<double> Mfi::update(double high, double low, double close, double volume) noexcept {
  KEEL_ASSERT(std::isfinite(high) && std::isfinite(low) && std::isfinite(close) &&
                  std::isfinite(volume) && high >= low && volume >= 0.0,
              "mfi: inputs must be finite with high >= low and volume >= 0");
  const double tp = (high + low + close) / 3.0;
  if (!has_prev_) {
    has_prev_ = true;
    prev_tp_ = tp;
    return std::nullopt;
  }
  const double flow = tp * volume;
  const double pos = tp > prev_tp_ ? flow : 0.0;
  const double neg = tp < prev_tp_ ? flow : 0.0;
  prev_tp_ = tp;
  double evicted_pos = 0.0;
  double evicted_neg = 0.0;
  const bool was_full = pos_ring_.full();
  pos_ring_.push(pos, &evicted_pos);
  neg_ring_.push(neg, &evicted_neg);
  if (was_full) {
    pos_ -= evicted_pos;
    neg_ -= evicted_neg;
  }
  pos_ += pos;
  neg_ += neg;
  if (!pos_ring_.full()) return std::nullopt;
  const double total = pos_ + neg_;
  return total > 0.0 ? 100.0 * (pos_ / total) : 50.0;
}

Result<IndicatorSeries> mfi(std::span<const double> high, std::span<const double> low,
                            std::span<const double> close, std::span<const double> volume,
                            int period) {
  KEEL_TRY(ind, Mfi::create(period));
  KEEL_TRY_STATUS(check_same_length("mfi", "close", close.size(), "volume", volume.size()));
  KEEL_TRY_STATUS(check_finite("mfi", "volume", volume));
  for (std::size_t i = 0; i < volume.size(); ++i) {
    if (volume[i] < 0.0) {
      return invalid("mfi", "volume[" + std::to_string(i) + "] = " + std::to_string(volume[i]) +
                                " is negative");
    }
  }
  // n flows need n+1 bars.
  KEEL_TRY_STATUS(check_hlc("mfi", high, low, close, period));
  KEEL_TRY_STATUS(check_length("mfi", "period", period, close.size(), period + 1));
  IndicatorSeries out(close.size());
  for (std::size_t i = 0; i < close.size(); ++i) out[i] = ind.update(high[i], low[i], close[i], volume[i]);
  return out;
}

// ---- ADX / DI
Result<Adx> Adx::create(int period) {
  KEEL_TRY_STATUS(check_period("adx", "period", period, 2));
  return Adx(period);
}

std::optional<DmiValue> Adx::update(double high, double low, double close) noexcept {
  KEEL_ASSERT(std::isfinite(high) && std::isfinite(low) && std::isfinite(close) && high >= low,
              "adx: inputs must be finite with high >= low");
  const int t = count_++;
  if (t == 0) {
    prev_high_ = high;
    prev_low_ = low;
    prev_close_ = close;
    return std::nullopt;
  }
  const double up = high - prev_high_;
  const double down = prev_low_ - low;
  double plus = 0.0;
  double minus = 0.0;
  if (down > 0.0 && up < down) {
    minus = down;
  } else if (up > 0.0 && up > down) {
    plus = up;
  }
  const double tr = std::max({high - low, std::fabs(high - prev_close_), std::fabs(low - prev_close_)});
  prev_high_ = high;
  prev_low_ = low;
  prev_close_ = close;
  const double n = period_;
  if (t < period_) {
    plus_dm_ += plus;
    minus_dm_ += minus;
    tr_ += tr;
    return std::nullopt;
  }
  plus_dm_ = plus_dm_ - plus_dm_ / n + plus;
  minus_dm_ = minus_dm_ - minus_dm_ / n + minus;
  tr_ = tr_ - tr_ / n + tr;
  DmiValue out{0.0, 0.0, std::nullopt};
  if (tr_ != 0.0) {
    out.plus_di = 100.0 * (plus_dm_ / tr_);
    out.minus_di = 100.0 * (minus_dm_ / tr_);
  }
  const double di_sum = out.plus_di + out.minus_di;
  const bool dx_defined = di_sum != 0.0;
  const double dx = dx_defined ? 100.0 * (std::fabs(out.minus_di - out.plus_di) / di_sum) : 0.0;
  if (t < 2 * period_ - 1) {
    adx_ += dx;
  } else if (t == 2 * period_ - 1) {
    adx_ = (adx_ + dx) / n;
    out.adx = adx_;
  } else {
    if (dx_defined) adx_ = (adx_ * (n - 1.0) + dx) / n;
    out.adx = adx_;
  }
  return out;
}

Result<DmiSeries> adx(std::span<const double> high, std::span<const double> low,
                      std::span<const double> close, int period) {
  KEEL_TRY(ind, Adx::create(period));
  KEEL_TRY_STATUS(check_hlc("adx", high, low, close, period));
  DmiSeries out{IndicatorSeries(close.size()), IndicatorSeries(close.size()),
                IndicatorSeries(close.size())};
  for (std::size_t i = 0; i < close.size(); ++i) {
    if (auto v = ind.update(high[i], low[i], close[i])) {
      out.plus_di[i] = v->plus_di;
      out.minus_di[i] = v->minus_di;
      out.adx[i] = v->adx;
    }
  }
  return out;
}

// ---- CCI
Result<Cci> Cci::create(int period) {
  KEEL_TRY_STATUS(check_period("cci", "period", period, 2));
  return Cci(period);
}

std::optional<double> Cci::update(double high, double low, double close) noexcept {
  KEEL_ASSERT(std::isfinite(high) && std::isfinite(low) && std::isfinite(close),
              "cci: inputs must be finite");
  const double tp = (high + low + close) / 3.0;
  double evicted = 0.0;
  ring_.push(tp, &evicted);
  if (!ring_.full()) return std::nullopt;
  double sum = 0.0;
  ring_.for_each([&](double v) { sum += v; });
  const double mean = sum / period_;
  double dev = 0.0;
  ring_.for_each([&](double v) { dev += std::fabs(v - mean); });
  const double md = dev / period_;
  const double diff = tp - mean;
  if (diff == 0.0 || md == 0.0) return 0.0;
  return diff / (0.015 * md);
}

Result<IndicatorSeries> cci(std::span<const double> high, std::span<const double> low,
                            std::span<const double> close, int period) {
  KEEL_TRY(ind, Cci::create(period));
  KEEL_TRY_STATUS(check_hlc("cci", high, low, close, period));
  return run_hlc(ind, high, low, close);
}

// ---- VWAP
std::optional<double> Vwap::update(double price, double volume, bool new_session) noexcept {
  KEEL_ASSERT(std::isfinite(price) && std::isfinite(volume) && volume >= 0.0,
              "vwap: inputs must be finite with volume >= 0");
  if (new_session) {
    pv_ = 0.0;
    v_ = 0.0;
  }
  pv_ += price * volume;
  v_ += volume;
  if (!(v_ > 0.0)) return std::nullopt;
  return pv_ / v_;
}

Result<IndicatorSeries> vwap(std::span<const double> price, std::span<const double> volume,
                             std::span<const std::int64_t> session) {
  KEEL_TRY_STATUS(check_same_length("vwap", "price", price.size(), "volume", volume.size()));
  KEEL_TRY_STATUS(check_same_length("vwap", "price", price.size(), "session", session.size()));
  KEEL_TRY_STATUS(check_finite("vwap", "price", price));
  KEEL_TRY_STATUS(check_finite("vwap", "volume", volume));
  for (std::size_t i = 0; i < volume.size(); ++i) {
    if (volume[i] < 0.0) {
      return invalid("vwap", "volume[" + std::to_string(i) + "] = " + std::to_string(volume[i]) +
                                 " is negative");
    }
  }
  Vwap ind;
  IndicatorSeries out(price.size());
  for (std::size_t i = 0; i < price.size(); ++i) {
    out[i] = ind.update(price[i], volume[i], i == 0 || session[i] != session[i - 1]);
  }
  return out;
}

// ---- Rolling covariance / correlation / beta
Result<RollingCoMovement> RollingCoMovement::create(int period) {
  KEEL_TRY_STATUS(check_period("rolling_comovement", "period", period, 2));
  return RollingCoMovement(period);
}

void RollingCoMovement::recompute() noexcept {
  const double n = static_cast<double>(xs_.size());
  double sx = 0.0;
  double sy = 0.0;
  xs_.for_each([&](double v) { sx += v; });
  ys_.for_each([&](double v) { sy += v; });
  mx_ = sx / n;
  my_ = sy / n;
  cxx_ = 0.0;
  cyy_ = 0.0;
  cxy_ = 0.0;
  for (std::size_t i = 0; i < xs_.size(); ++i) {
    const double dx = xs_.at(i) - mx_;
    const double dy = ys_.at(i) - my_;
    cxx_ += dx * dx;
    cyy_ += dy * dy;
    cxy_ += dx * dy;
  }
}

std::optional<CoMoveValue> RollingCoMovement::update(double x, double y) noexcept {
  KEEL_ASSERT(std::isfinite(x) && std::isfinite(y), "rolling_comovement: inputs must be finite");
  double ex = 0.0;
  double ey = 0.0;
  const bool was_full = xs_.full();
  xs_.push(x, &ex);
  ys_.push(y, &ey);
  if (was_full) {
    // Remove the evicted pair (count n → n-1), inverting Welford's add step.
    const double n = period_;
    const double mx_old = mx_;
    const double my_old = my_;
    mx_ = (n * mx_old - ex) / (n - 1.0);
    my_ = (n * my_old - ey) / (n - 1.0);
    cxx_ -= (ex - mx_) * (ex - mx_old);
    cyy_ -= (ey - my_) * (ey - my_old);
    cxy_ -= (ex - mx_) * (ey - my_old);
  }
  // Add the new pair (count k-1 → k).
  const double k = static_cast<double>(xs_.size());
  const double dx = x - mx_;
  const double dy = y - my_;
  mx_ += dx / k;
  my_ += dy / k;
  cxx_ += dx * (x - mx_);
  cyy_ += dy * (y - my_);
  cxy_ += dx * (y - my_);
  if (was_full && ++since_exact_ == period_) {
    since_exact_ = 0;
    recompute();
  }
  if (!xs_.full()) return std::nullopt;
  if (cxx_ < 0.0) cxx_ = 0.0;  // rounding only: sums of squares
  if (cyy_ < 0.0) cyy_ = 0.0;
  CoMoveValue out{cxy_ / (period_ - 1), 0.0, 0.0};
  if (cxx_ > 0.0 && cyy_ > 0.0) out.correlation = cxy_ / std::sqrt(cxx_ * cyy_);
  if (cxx_ > 0.0) out.beta = cxy_ / cxx_;
  return out;
}

Result<CoMoveSeries> rolling_comovement(std::span<const double> x, std::span<const double> y,
                                        int period) {
  KEEL_TRY(ind, RollingCoMovement::create(period));
  KEEL_TRY_STATUS(check_same_length("rolling_comovement", "x", x.size(), "y", y.size()));
  KEEL_TRY_STATUS(check_finite("rolling_comovement", "x", x));
  KEEL_TRY_STATUS(check_finite("rolling_comovement", "y", y));
  KEEL_TRY_STATUS(check_length("rolling_comovement", "period", period, x.size()));
  CoMoveSeries out{IndicatorSeries(x.size()), IndicatorSeries(x.size()), IndicatorSeries(x.size())};
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (auto v = ind.update(x[i], y[i])) {
      out.covariance[i] = v->covariance;
      out.correlation[i] = v->correlation;
      out.beta[i] = v->beta;
    }
  }
  return out;
}

}  // namespace keel::analytics
