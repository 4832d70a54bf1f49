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

Status check_finite(std::string_view indicator, std::string_view column, std::span<const double> x) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      return invalid(indicator, std::string(column) + "[" + std::to_string(i) + "] is " +
                                    (std::isnan(x[i]) ? "NaN" : "infinite"));
    }
  }
  return ok_status();
}

Status check_length(std::string_view indicator, std::string_view param, int period, std::size_t n) {
  if (static_cast<std::size_t>(period) > n) {
    return invalid(indicator, std::string(param) + " " + std::to_string(period) +
                                  " is longer than the " + std::to_string(n) + " bars given");
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

std::optional<double> Sma::update(double x) noexcept {
  KEEL_ASSERT(std::isfinite(x), "sma: input must be finite");
  double evicted = 0.0;
  const bool was_full = ring_.full();
  ring_.push(x, &evicted);
  if (was_full) sum_ -= evicted;  // TA-Lib order: drop the trailing value, then add the new one
  sum_ += x;
  if (!ring_.full()) return std::nullopt;
  return sum_ / period_;
}

Result<IndicatorSeries> sma(std::span<const double> x, int period) {
  KEEL_TRY(ind, Sma::create(period));
  KEEL_TRY_STATUS(check_finite("sma", "x", x));
  KEEL_TRY_STATUS(check_length("sma", "period", period, x.size()));
  return run_single(ind, x);
}

// ---- EMA
Result<Ema> Ema::create(int period) {
  KEEL_TRY_STATUS(check_period("ema", "period", period));
  return Ema(period);
}

std::optional<double> Ema::update(double x) noexcept {
  KEEL_ASSERT(std::isfinite(x), "ema: input must be finite");
  if (count_ < period_) {
    value_ += x;
    if (++count_ < period_) return std::nullopt;
    value_ /= period_;
    return value_;
  }
  value_ = (x - value_) * k_ + value_;
  return value_;
}

Result<IndicatorSeries> ema(std::span<const double> x, int period) {
  KEEL_TRY(ind, Ema::create(period));
  KEEL_TRY_STATUS(check_finite("ema", "x", x));
  KEEL_TRY_STATUS(check_length("ema", "period", period, x.size()));
  return run_single(ind, x);
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
  KEEL_TRY(ind, Bollinger::create(period, k));
  KEEL_TRY_STATUS(check_finite("bollinger", "x", x));
  KEEL_TRY_STATUS(check_length("bollinger", "period", period, x.size()));
  BandsSeries out{IndicatorSeries(x.size()), IndicatorSeries(x.size()), IndicatorSeries(x.size())};
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (auto v = ind.update(x[i])) {
      out.upper[i] = v->upper;
      out.middle[i] = v->middle;
      out.lower[i] = v->lower;
    }
  }
  return out;
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
  KEEL_TRY_STATUS(check_length("rolling_volatility", "period", period + 1, price.size()));
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
  KEEL_TRY_STATUS(check_length("momentum", "period", period + 1, x.size()));
  return run_single(ind, x);
}

Result<IndicatorSeries> roc(std::span<const double> x, int period) {
  KEEL_TRY(ind, Roc::create(period));
  KEEL_TRY_STATUS(check_finite("roc", "x", x));
  KEEL_TRY_STATUS(check_length("roc", "period", period + 1, x.size()));
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

}  // namespace keel::analytics
