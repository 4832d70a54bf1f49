// keel/analytics/indicators.hpp — technical indicators (SPEC Q7), each in two forms that give
// bit-identical results: a streaming class (O(1) amortized per bar; the object used in backtest
// and live) and a batch function over std::span<const double>.
//
// Contract (all indicators):
// - Output: one entry per input bar. Entry t is std::nullopt while the indicator is "not ready"
//   (warm-up) and a value from then on — never a zero or NaN placeholder. The number of leading
//   nullopt entries equals TA-Lib's lookback for the same parameters (listed per indicator as
//   "lookback"); the streaming class reports it through lookback().
// - Parameters: every period is an int; a period <= 0 (or below an indicator's stated minimum) is
//   a kInvalidArgument error naming the indicator and the parameter, e.g. "sma: period must be
//   >= 1, got 0". Streaming classes are built through create(...) for that reason.
// - Batch input checks (kInvalidArgument, naming indicator, column and index): a value that is
//   not finite ("rsi: close[17] is NaN"); columns of different lengths; a period longer than the
//   data ("period 30 is longer than the 20 bars given"); indicator-specific domains (positive
//   prices for log returns, a non-zero reference for ROC, non-zero close for NATR).
// - Streaming update(...) takes the same domain as a precondition (KEEL_ASSERT): the engine's
//   bars have passed data QC; code with untrusted input checks first or uses the batch form.
// - Streaming == batch: each batch function validates its input, then drives the streaming class
//   over it, except the hot SMA, EMA and Bollinger batch forms, which are tight loops doing the
//   same operations in the same order; either way the two agree bit for bit (the build uses
//   -ffp-contract=off), and indicators_test.cpp checks it on random data.
// - Batch outputs are freshly allocated vectors of std::optional<double> (16 bytes a bar); on
//   1 M bars first-touching that memory is a large part of the batch cost (bench/indicators.cpp).
//   For the hot SMA, EMA and Bollinger there are also TA-Lib-style "_into" forms that write plain
//   doubles into caller-provided buffers (see sma_into below), with values identical to the
//   optional-returning batch forms.
// - Cost: every streaming update is O(1) (amortized where a periodic exact recomputation guards
//   against rounding drift), except CCI, which is O(n) per bar by design (see Cci).
// - Arithmetic follows TA-Lib's own recurrences (running sums, same operation order) so results
//   match TA-Lib to rounding; deliberate differences are marked "Differs from TA-Lib".
// Thread safety: streaming objects are plain values (one per thread); batch functions are pure.
// Validated (indicators_test.cpp): hand-worked short series with the arithmetic in comments, the
// StockCharts ChartSchool RSI worksheet, warm-up counts against TA-Lib's lookbacks, streaming ==
// batch and "_into" == batch properties (rapidcheck), and the windowed indicators (z-score,
// moments, CCI, co-movement, ...) against a from-scratch two-pass recomputation of each window.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "keel/core/assert.hpp"
#include "keel/core/result.hpp"

namespace keel::analytics {

using IndicatorSeries = std::vector<std::optional<double>>;

namespace detail {

// Fixed-capacity FIFO of the last `capacity` values.
class Ring {
 public:
  explicit Ring(std::size_t capacity = 1) : buf_(capacity) {}
  std::size_t size() const noexcept { return size_; }
  bool full() const noexcept { return size_ == buf_.size(); }
  // Appends x; when full, first drops and returns the oldest value through *evicted.
  void push(double x, double* evicted) noexcept {
    if (full()) {
      *evicted = buf_[head_];
      buf_[head_] = x;
      head_ = head_ + 1 == buf_.size() ? 0 : head_ + 1;
    } else {
      std::size_t pos = head_ + size_;
      if (pos >= buf_.size()) pos -= buf_.size();
      buf_[pos] = x;
      ++size_;
    }
  }
  // Oldest value held (requires size() > 0).
  double front() const noexcept { return buf_[head_]; }
  // The i-th value held, oldest first (requires i < size()).
  double at(std::size_t i) const noexcept {
    std::size_t pos = head_ + i;
    if (pos >= buf_.size()) pos -= buf_.size();
    return buf_[pos];
  }
  // Calls f(value) oldest first.
  template <class F>
  void for_each(F f) const {
    std::size_t pos = head_;
    for (std::size_t i = 0; i < size_; ++i) {
      f(buf_[pos]);
      pos = pos + 1 == buf_.size() ? 0 : pos + 1;
    }
  }

 private:
  std::vector<double> buf_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

// Sliding-window maximum (kMax) or minimum over the last `window` pushes, amortized O(1):
// a monotonic deque of (sequence number, value) in a ring of `window` slots.
class MonotonicWindow {
 public:
  enum class Kind { kMax, kMin };
  MonotonicWindow(std::size_t window = 1, Kind kind = Kind::kMax)
      : seq_(window), val_(window), window_(window), kind_(kind) {}
  // Adds x and returns the extreme of the last `window` values (including x).
  double push(double x) noexcept;

 private:
  bool dominates(double a, double b) const noexcept { return kind_ == Kind::kMax ? a >= b : a <= b; }
  std::vector<std::size_t> seq_;
  std::vector<double> val_;
  std::size_t window_;
  Kind kind_;
  std::size_t head_ = 0;  // ring index of the front (the extreme)
  std::size_t count_ = 0;  // entries in the deque
  std::size_t next_ = 0;  // sequence number of the next push
};

}  // namespace detail

// ---- SMA — simple moving average. mean of the last n values, by TA-Lib's running sum.
// lookback n-1.
class Sma {
 public:
  static Result<Sma> create(int period);
  // Inline (as Ema's), so that a caller's loop keeps the value in registers: out of line, GCC
  // returns the std::optional<double> through the stack, writing the flag with a 1-byte store
  // that an 8-byte load reads back, which stalls store forwarding on every call (on the
  // event-loop benchmark the hand-written loop ran 145 M bars/s before, ~200 M after; the
  // engine 17.0 -> 17.5 M).
  std::optional<double> update(double x) noexcept {
    KEEL_ASSERT(std::isfinite(x), "sma: input must be finite");
    double evicted = 0.0;
    const bool was_full = ring_.full();
    ring_.push(x, &evicted);
    if (was_full) sum_ -= evicted;  // TA-Lib order: drop the trailing value, then add the new one
    sum_ += x;
    if (!ring_.full()) return std::nullopt;
    return sum_ / period_;
  }
  int lookback() const noexcept { return period_ - 1; }

 private:
  explicit Sma(int period) : ring_(static_cast<std::size_t>(period)), period_(period) {}
  detail::Ring ring_;
  double sum_ = 0.0;
  int period_;
};
Result<IndicatorSeries> sma(std::span<const double> x, int period);

// ---- "_into" batch forms (TA-Lib style, no std::optional, no allocation): write the indicator
// into caller-provided buffers of exactly x.size() doubles and return the first valid index (the
// lookback, period-1 for all three). Only out[lookback..size) is written; out[0..lookback) is left
// untouched — never a NaN or zero placeholder — so callers read values from the returned index on.
// Values are bit-identical to sma()/ema()/bollinger() at the same indices (same operations in the
// same order; tested). Errors as the batch forms (bad period, period longer than the data, a
// non-finite x[i] naming i), plus a buffer whose size differs from x.size(). The finiteness check
// is fused into the single pass, so on a non-finite input the error is returned after
// out[lookback..i) has been written: treat the buffers' contents as unspecified after an error.
Result<std::size_t> sma_into(std::span<const double> x, int period, std::span<double> out);

// ---- EMA — exponential moving average, k = 2/(n+1); seeded (TA-Lib default) with the SMA of
// the first n values, then ema += (x - ema)·k. lookback n-1.
class Ema {
 public:
  static Result<Ema> create(int period);
  std::optional<double> update(double x) noexcept {  // inline for the reason given at Sma::update
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
  int lookback() const noexcept { return period_ - 1; }

 private:
  explicit Ema(int period) : k_(2.0 / (period + 1.0)), period_(period) {}
  double k_;
  double value_ = 0.0;  // the running sum during warm-up, the EMA afterwards
  int period_;
  int count_ = 0;
};
Result<IndicatorSeries> ema(std::span<const double> x, int period);
// See sma_into: writes out[period-1..size), returns period-1.
Result<std::size_t> ema_into(std::span<const double> x, int period, std::span<double> out);

// ---- WMA — linearly weighted moving average, weights 1..n (newest n) over n(n+1)/2, kept with
// TA-Lib's running weighted sum (W ← W - S + n·x, S the plain window sum). lookback n-1.
class Wma {
 public:
  static Result<Wma> create(int period);
  std::optional<double> update(double x) noexcept;
  int lookback() const noexcept { return period_ - 1; }

 private:
  explicit Wma(int period) : ring_(static_cast<std::size_t>(period)), period_(period) {}
  detail::Ring ring_;
  double sum_ = 0.0;       // S: plain sum of the window
  double weighted_ = 0.0;  // W: Σ weight·x
  int period_;
};
Result<IndicatorSeries> wma(std::span<const double> x, int period);

// ---- RSI — Wilder's relative strength index. Gains/losses are the close-to-close changes from
// bar 1 on; the first averages are the simple means of the first n gains and losses (bars
// 1..n), then Wilder smoothing avg ← (avg·(n-1) + cur)/n; RSI = 100·G/(G+L). First output at
// index n: lookback n. Differs from TA-Lib: when G+L = 0 (a flat window) TA-Lib outputs 0, which
// reads as maximally oversold; keel outputs the neutral 50.
class Rsi {
 public:
  static Result<Rsi> create(int period);
  std::optional<double> update(double close) noexcept;
  int lookback() const noexcept { return period_; }

 private:
  explicit Rsi(int period) : period_(period) {}
  double prev_ = 0.0;
  double gain_ = 0.0;
  double loss_ = 0.0;
  int period_;
  int count_ = 0;
};
Result<IndicatorSeries> rsi(std::span<const double> close, int period);

// ---- MACD — line = EMA_fast - EMA_slow, signal = EMA_signal(line), histogram = line - signal;
// EMAs as Ema above. TA-Lib's alignment: both EMAs are seeded at bar slow-1, the fast one with
// the SMA of the `fast` values ending there (bars slow-fast..slow-1), not of the first `fast`
// bars; the signal EMA is seeded with the SMA of the first `signal` line values. lookback
// (slow-1) + (signal-1), 33 for 12/26/9. Requires 1 <= fast < slow (TA-Lib swaps them silently;
// keel reports it) and signal >= 1.
struct MacdValue {
  double line;
  double signal;
  double histogram;
};
class Macd {
 public:
  static Result<Macd> create(int fast, int slow, int signal);
  std::optional<MacdValue> update(double x) noexcept;
  int lookback() const noexcept { return slow_ - 1 + signal_ - 1; }

 private:
  Macd(Ema fast, Ema slow, Ema signal, int fast_period, int slow_period, int signal_period)
      : fast_(fast), slow_ema_(slow), signal_ema_(signal), fast_period_(fast_period),
        slow_(slow_period), signal_(signal_period) {}
  Ema fast_;
  Ema slow_ema_;
  Ema signal_ema_;
  int fast_period_;
  int slow_;
  int signal_;
  int count_ = 0;
};
struct MacdSeries {
  IndicatorSeries line;
  IndicatorSeries signal;
  IndicatorSeries histogram;
};
Result<MacdSeries> macd(std::span<const double> x, int fast = 12, int slow = 26, int signal = 9);

// ---- Bollinger Bands — middle = SMA_n; upper/lower = middle ± k·σ with σ the POPULATION
// standard deviation of the window, computed as TA-Lib does from running sums:
// σ² = Σx²/n - middle² (a rounding-negative σ² gives σ = 0). lookback n-1. k must be finite
// and >= 0.
struct BandsValue {
  double upper;
  double middle;
  double lower;
};
struct BandsSeries {
  IndicatorSeries upper;
  IndicatorSeries middle;
  IndicatorSeries lower;
};
class Bollinger {
 public:
  static Result<Bollinger> create(int period, double k = 2.0);
  std::optional<BandsValue> update(double x) noexcept;
  int lookback() const noexcept { return period_ - 1; }

 private:
  Bollinger(int period, double k) : ring_(static_cast<std::size_t>(period)), k_(k), period_(period) {}
  detail::Ring ring_;
  double sum_ = 0.0;
  double sum2_ = 0.0;
  double k_;
  int period_;
};
Result<BandsSeries> bollinger(std::span<const double> x, int period = 20, double k = 2.0);
// See sma_into: writes upper/middle/lower[period-1..size), returns period-1.
Result<std::size_t> bollinger_into(std::span<const double> x, int period, double k,
                                   std::span<double> upper, std::span<double> middle,
                                   std::span<double> lower);

// ---- ATR — average true range. TR_t = max(H_t - L_t, |H_t - C_{t-1}|, |L_t - C_{t-1}|) is
// defined from bar 1 (it uses the previous close; bar 0 has none). ATR at bar n is the SMA of
// TR_1..TR_n, then Wilder smoothing atr ← (atr·(n-1) + TR)/n. lookback n.
// NATR = 100·ATR/C_t (TA-Lib NATR), same lookback; C_t must be non-zero.
class Atr {
 public:
  static Result<Atr> create(int period);
  std::optional<double> update(double high, double low, double close) noexcept;
  int lookback() const noexcept { return period_; }

 private:
  explicit Atr(int period) : period_(period) {}
  double prev_close_ = 0.0;
  double value_ = 0.0;  // the TR sum during warm-up, the ATR afterwards
  int period_;
  int count_ = 0;
};
class Natr {
 public:
  static Result<Natr> create(int period);
  std::optional<double> update(double high, double low, double close) noexcept;
  int lookback() const noexcept { return atr_.lookback(); }

 private:
  explicit Natr(Atr atr) : atr_(atr) {}
  Atr atr_;
};
Result<IndicatorSeries> atr(std::span<const double> high, std::span<const double> low,
                            std::span<const double> close, int period = 14);
Result<IndicatorSeries> natr(std::span<const double> high, std::span<const double> low,
                             std::span<const double> close, int period = 14);

// ---- Rolling z-score — z_t = (x_t - mean)/s over the last n values including x_t, s the SAMPLE
// standard deviation (divisor n-1, as pandas' rolling std and pairs-trading practice), kept with
// a sliding Welford update (no Σx² cancellation on price-level data), recomputed exactly
// (two-pass over the window) every n bars so rounding cannot accumulate over long series: O(1)
// amortized. Each sliding step still rounds at about ε·|x|·|Δx|, so on windows whose σ is tiny
// next to the price level (σ/|x| below ~1e-5) z carries a visible relative error. A window with
// s = 0 gives z = 0 (x_t equals the mean). Not in TA-Lib; lookback n-1 by the same convention.
// n >= 2.
class RollingZScore {
 public:
  static Result<RollingZScore> create(int period);
  std::optional<double> update(double x) noexcept;
  int lookback() const noexcept { return period_ - 1; }

 private:
  explicit RollingZScore(int period) : ring_(static_cast<std::size_t>(period)), period_(period) {}
  detail::Ring ring_;
  double mean_ = 0.0;
  double m2_ = 0.0;
  int period_;
  int since_exact_ = 0;  // sliding steps since the last exact recomputation
};
Result<IndicatorSeries> rolling_zscore(std::span<const double> x, int period);

// ---- Rolling skewness and excess kurtosis over the last n values including x_t, as POPULATION
// moments of the window (the biased g1, g2 of Joanes & Gill 1998; scipy.stats.skew/kurtosis with
// their defaults bias=True, fisher=True): with m_k = Σ(x_i - mean)^k / n,
//   skewness = m3 / m2^(3/2),   excess kurtosis = m4 / m2² - 3.
// Chosen over the sample-adjusted G1/G2 (pandas' rolling skew/kurt) because g1/g2 are defined for
// every n >= 3 without small-sample correction factors and are the textbook method-of-moments
// estimators; G1 = g1·√(n(n-1))/(n-2) and G2 = ((n+1)g2 + 6)(n-1)/((n-2)(n-3)) convert if needed.
// Computation: power sums S_k = Σ(x_i - c)^k, k = 1..4, about a shift c, slid in O(1) per bar
// (add the new value's powers, remove the evicted one's); central moments follow from the raw
// moments about c. Shifting by c (the window mean at the last exact recomputation) removes the
// price-level cancellation a plain Σx^k would suffer; every n bars (and when the window first
// fills) c is reset to the window mean and the sums are recomputed exactly (two-pass), so rounding
// cannot accumulate: O(1) amortized, as the rolling z-score. Remaining error is about
// ε·(|d|/σ)^k relative, d the drift of the mean away from c within n bars. A window whose m2 is
// at the rounding floor (m2 <= 1e-10·S2/n, e.g. a constant window) has no measurable shape:
// skewness and excess kurtosis are both 0 there. Not in TA-Lib; lookback n-1 by the common
// convention. n >= 3 (with two values the shape is fixed: g1 = 0, g2 = -2).
struct MomentsValue {
  double skewness;
  double kurtosis;  // excess kurtosis (0 for a normal distribution)
};
struct MomentsSeries {
  IndicatorSeries skewness;
  IndicatorSeries kurtosis;
};
class RollingMoments {
 public:
  static Result<RollingMoments> create(int period);
  std::optional<MomentsValue> update(double x) noexcept;
  int lookback() const noexcept { return period_ - 1; }

 private:
  explicit RollingMoments(int period) : ring_(static_cast<std::size_t>(period)), period_(period) {}
  void recompute() noexcept;
  detail::Ring ring_;
  double c_ = 0.0;  // shift: the window mean at the last exact recomputation
  double s1_ = 0.0;
  double s2_ = 0.0;
  double s3_ = 0.0;
  double s4_ = 0.0;
  int period_;
  int since_exact_ = 0;
};
Result<MomentsSeries> rolling_moments(std::span<const double> x, int period);

// ---- Rolling volatility — sample standard deviation (divisor n-1) of the last n log returns
// r_t = ln(x_t/x_{t-1}), times √annualization (252 for daily bars; pass 1 for per-bar). Sliding
// sums of r and r² (returns are small and centred near 0, so no harmful cancellation). Needs
// n+1 prices: lookback n. n >= 2; prices > 0; annualization finite and > 0. (For OHLC range
// estimators see realized_vol.hpp.)
class RollingVolatility {
 public:
  static Result<RollingVolatility> create(int period, double annualization = 252.0);
  std::optional<double> update(double price) noexcept;
  int lookback() const noexcept { return period_; }

 private:
  RollingVolatility(int period, double scale)
      : ring_(static_cast<std::size_t>(period)), scale_(scale), period_(period) {}
  detail::Ring ring_;
  double prev_ = 0.0;
  double sum_ = 0.0;
  double sum2_ = 0.0;
  double scale_;  // √annualization
  int period_;
  bool has_prev_ = false;
};
Result<IndicatorSeries> rolling_volatility(std::span<const double> price, int period,
                                           double annualization = 252.0);

// ---- Momentum and ROC (TA-Lib MOM and ROC): MOM_t = x_t - x_{t-n};
// ROC_t = (x_t/x_{t-n} - 1)·100. lookback n. ROC needs x_{t-n} != 0 (TA-Lib outputs 0 there;
// keel's batch form reports an error naming the index).
class Momentum {
 public:
  static Result<Momentum> create(int period);
  std::optional<double> update(double x) noexcept;
  int lookback() const noexcept { return period_; }

 private:
  explicit Momentum(int period) : ring_(static_cast<std::size_t>(period) + 1), period_(period) {}
  detail::Ring ring_;
  int period_;
};
class Roc {
 public:
  static Result<Roc> create(int period);
  std::optional<double> update(double x) noexcept;
  int lookback() const noexcept { return period_; }

 private:
  explicit Roc(int period) : ring_(static_cast<std::size_t>(period) + 1), period_(period) {}
  detail::Ring ring_;
  int period_;
};
Result<IndicatorSeries> momentum(std::span<const double> x, int period = 10);
Result<IndicatorSeries> roc(std::span<const double> x, int period = 10);

// ---- Williams %R (TA-Lib WILLR): -100·(HH - C_t)/(HH - LL), HH/LL the highest high and lowest
// low of the last n bars including bar t. lookback n-1. Differs from TA-Lib: when HH = LL TA-Lib
// outputs 0 (reads as overbought); keel outputs the neutral -50.
class WilliamsR {
 public:
  static Result<WilliamsR> create(int period);
  std::optional<double> update(double high, double low, double close) noexcept;
  int lookback() const noexcept { return period_ - 1; }

 private:
  explicit WilliamsR(int period)
      : highs_(static_cast<std::size_t>(period), detail::MonotonicWindow::Kind::kMax),
        lows_(static_cast<std::size_t>(period), detail::MonotonicWindow::Kind::kMin),
        period_(period) {}
  detail::MonotonicWindow highs_;
  detail::MonotonicWindow lows_;
  int period_;
  int count_ = 0;
};
Result<IndicatorSeries> williams_r(std::span<const double> high, std::span<const double> low,
                                   std::span<const double> close, int period = 14);

// ---- OBV — on-balance volume (TA-Lib OBV): OBV_0 = V_0; then + V_t if C_t > C_{t-1}, - V_t if
// C_t < C_{t-1}, unchanged if equal. lookback 0.
class Obv {
 public:
  std::optional<double> update(double close, double volume) noexcept;
  int lookback() const noexcept { return 0; }

 private:
  double prev_close_ = 0.0;
  double value_ = 0.0;
  bool started_ = false;
};
Result<IndicatorSeries> obv(std::span<const double> close, std::span<const double> volume);

// ---- Donchian channel — upper = highest high, lower = lowest low of the last n bars including
// bar t, middle = (upper + lower)/2 (TA-Lib MAX/MIN conventions). lookback n-1.
class Donchian {
 public:
  static Result<Donchian> create(int period);
  std::optional<BandsValue> update(double high, double low) noexcept;
  int lookback() const noexcept { return period_ - 1; }

 private:
  explicit Donchian(int period)
      : highs_(static_cast<std::size_t>(period), detail::MonotonicWindow::Kind::kMax),
        lows_(static_cast<std::size_t>(period), detail::MonotonicWindow::Kind::kMin),
        period_(period) {}
  detail::MonotonicWindow highs_;
  detail::MonotonicWindow lows_;
  int period_;
  int count_ = 0;
};
Result<BandsSeries> donchian(std::span<const double> high, std::span<const double> low,
                             int period = 20);

// ---- Stochastic oscillator (TA-Lib STOCH/STOCHF with SMA smoothing):
// raw %K_t = 100·(C_t - LL)/(HH - LL) over the last k_period bars; %K = SMA_{k_slowing}(raw %K);
// %D = SMA_{d_period}(%K). Both outputs start together, as in TA-Lib: lookback
// (k_period-1) + (k_slowing-1) + (d_period-1). The slow stochastic is (14, 3, 3) or TA-Lib's
// default (5, 3, 3); k_slowing = 1 gives the fast stochastic (STOCHF: %K raw, %D its SMA).
// Differs from TA-Lib: when HH = LL TA-Lib's raw %K is 0; keel's is the neutral 50.
struct StochValue {
  double k;
  double d;
};
struct StochSeries {
  IndicatorSeries k;
  IndicatorSeries d;
};
class Stochastic {
 public:
  static Result<Stochastic> create(int k_period, int k_slowing, int d_period);
  std::optional<StochValue> update(double high, double low, double close) noexcept;
  int lookback() const noexcept { return k_period_ - 1 + k_slowing_ - 1 + d_period_ - 1; }

 private:
  Stochastic(int k_period, int k_slowing, int d_period, Sma k_sma, Sma d_sma)
      : highs_(static_cast<std::size_t>(k_period), detail::MonotonicWindow::Kind::kMax),
        lows_(static_cast<std::size_t>(k_period), detail::MonotonicWindow::Kind::kMin),
        k_sma_(k_sma), d_sma_(d_sma), k_period_(k_period), k_slowing_(k_slowing),
        d_period_(d_period) {}
  detail::MonotonicWindow highs_;
  detail::MonotonicWindow lows_;
  Sma k_sma_;
  Sma d_sma_;
  int k_period_;
  int k_slowing_;
  int d_period_;
  int count_ = 0;
};
Result<StochSeries> stochastic(std::span<const double> high, std::span<const double> low,
                               std::span<const double> close, int k_period = 14,
                               int k_slowing = 3, int d_period = 3);

// ---- DEMA and TEMA (Mulloy 1994; TA-Lib DEMA/TEMA): e1 = EMA_n(x), e2 = EMA_n(e1),
// e3 = EMA_n(e2), each EMA seeded with the SMA of its first n inputs (the first n values of the
// EMA below it). DEMA = 2·e1 - e2, lookback 2(n-1); TEMA = e3 + (3·e1 - 3·e2), lookback 3(n-1).
class Dema {
 public:
  static Result<Dema> create(int period);
  std::optional<double> update(double x) noexcept;
  int lookback() const noexcept { return 2 * (period_ - 1); }

 private:
  Dema(Ema e, int period) : e1_(e), e2_(e), period_(period) {}
  Ema e1_;
  Ema e2_;
  int period_;
};
class Tema {
 public:
  static Result<Tema> create(int period);
  std::optional<double> update(double x) noexcept;
  int lookback() const noexcept { return 3 * (period_ - 1); }

 private:
  Tema(Ema e, int period) : e1_(e), e2_(e), e3_(e), period_(period) {}
  Ema e1_;
  Ema e2_;
  Ema e3_;
  int period_;
};
Result<IndicatorSeries> dema(std::span<const double> x, int period);
Result<IndicatorSeries> tema(std::span<const double> x, int period);

// ---- Keltner channel (not in TA-Lib; StockCharts' modern form after Raschke): middle =
// EMA_n(close), upper/lower = middle ± m·ATR_{atr_period} (ATR as above). Ready when both are:
// lookback max(n-1, atr_period). Defaults 20, 10, 2 as StockCharts. m finite and >= 0.
class Keltner {
 public:
  static Result<Keltner> create(int period, int atr_period, double multiplier);
  std::optional<BandsValue> update(double high, double low, double close) noexcept;
  int lookback() const noexcept { return period_ - 1 > atr_period_ ? period_ - 1 : atr_period_; }

 private:
  Keltner(Ema ema, Atr atr, int period, int atr_period, double m)
      : ema_(ema), atr_(atr), m_(m), period_(period), atr_period_(atr_period) {}
  Ema ema_;
  Atr atr_;
  double m_;
  int period_;
  int atr_period_;
};
Result<BandsSeries> keltner(std::span<const double> high, std::span<const double> low,
                            std::span<const double> close, int period = 20, int atr_period = 10,
                            double multiplier = 2.0);

// ---- MFI — money flow index (TA-Lib MFI): TP_t = (H+L+C)/3, flow_t = TP_t·V_t, positive when
// TP_t > TP_{t-1}, negative when lower, neither when equal; MFI = 100·P/(P+N) over the last n
// flows (running sums). The first flow needs bar 0's TP: lookback n. Volumes must be >= 0.
// Differs from TA-Lib: a window with no flow at all (P+N = 0) gives the neutral 50, not 0.
class Mfi {
 public:
  static Result<Mfi> create(int period);
  std::optional<double> update(double high, double low, double close, double volume) noexcept;
  int lookback() const noexcept { return period_; }

 private:
  explicit Mfi(int period)
      : pos_ring_(static_cast<std::size_t>(period)), neg_ring_(static_cast<std::size_t>(period)),
        period_(period) {}
  detail::Ring pos_ring_;
  detail::Ring neg_ring_;
  double pos_ = 0.0;
  double neg_ = 0.0;
  double prev_tp_ = 0.0;
  int period_;
  bool has_prev_ = false;
};
Result<IndicatorSeries> mfi(std::span<const double> high, std::span<const double> low,
                            std::span<const double> close, std::span<const double> volume,
                            int period = 14);

// ---- ADX with +DI/−DI (Wilder 1978, TA-Lib ADX/PLUS_DI/MINUS_DI). From bar 1:
// up = H_t - H_{t-1}, down = L_{t-1} - L_t; -DM = down if down > 0 and up < down, else +DM = up
// if up > 0 and up > down (at most one is non-zero); TR as for ATR. TA-Lib's seeding: raw sums
// of DM± and TR over bars 1..n-1, then from bar n Wilder's running sum S ← S - S/n + v.
// ±DI = 100·S±/S_TR (0 when S_TR = 0, as TA-Lib), first at bar n: lookback n.
// DX = 100·|DI+ - DI-|/(DI+ + DI-); ADX at bar 2n-1 is the mean of DX over bars n..2n-1, then
// ADX ← (ADX·(n-1) + DX)/n: lookback 2n-1 (27 for n = 14). When DI+ + DI- = 0 DX is undefined and,
// as in TA-Lib, contributes 0 to the seed sum and leaves ADX unchanged afterwards. TA-Lib
// compares with |v| < 1e-8 for "zero"; keel compares with exact 0. n >= 2 (TA-Lib's minimum).
struct DmiValue {
  double plus_di;
  double minus_di;
  std::optional<double> adx;  // nullopt until bar 2n-1
};
struct DmiSeries {
  IndicatorSeries plus_di;
  IndicatorSeries minus_di;
  IndicatorSeries adx;
};
class Adx {
 public:
  static Result<Adx> create(int period);
  std::optional<DmiValue> update(double high, double low, double close) noexcept;
  int di_lookback() const noexcept { return period_; }
  int lookback() const noexcept { return 2 * period_ - 1; }

 private:
  explicit Adx(int period) : period_(period) {}
  double prev_high_ = 0.0;
  double prev_low_ = 0.0;
  double prev_close_ = 0.0;
  double plus_dm_ = 0.0;
  double minus_dm_ = 0.0;
  double tr_ = 0.0;
  double adx_ = 0.0;  // the DX sum while seeding, the ADX afterwards
  int period_;
  int count_ = 0;
};
Result<DmiSeries> adx(std::span<const double> high, std::span<const double> low,
                      std::span<const double> close, int period = 14);

// ---- CCI — commodity channel index (Lambert 1980; TA-Lib CCI): TP_t = (H+L+C)/3; over the last
// n typical prices, mean = SMA_n(TP) and MD = Σ|TP_i - mean|/n (mean absolute deviation);
// CCI = (TP_t - mean)/(0.015·MD). When TP_t = mean or MD = 0 the output is 0, as TA-Lib.
// lookback n-1; n >= 2 (TA-Lib's minimum).
// Cost: O(n) per bar — the one deliberate exception to the O(1)-per-update rule of issue 5 Q7.
// MD is taken about the CURRENT mean, so every term |TP_i - mean| changes when the mean moves,
// and the terms change sign individually as the mean crosses them: there is no running-sum
// update. An exact O(log n) form would need an order-statistics tree (split the window at the
// mean); for the usual n = 14..20 the plain pass over the window is faster than that and is what
// TA-Lib does. Like TA-Lib, the mean is also re-summed over the window each bar (oldest first;
// TA-Lib sums its circular buffer in storage order, so the two agree to rounding).
class Cci {
 public:
  static Result<Cci> create(int period);
  std::optional<double> update(double high, double low, double close) noexcept;
  int lookback() const noexcept { return period_ - 1; }

 private:
  explicit Cci(int period) : ring_(static_cast<std::size_t>(period)), period_(period) {}
  detail::Ring ring_;  // typical prices
  int period_;
};
Result<IndicatorSeries> cci(std::span<const double> high, std::span<const double> low,
                            std::span<const double> close, int period = 14);

// ---- VWAP, session-anchored (not in TA-Lib): VWAP_t = Σ p_i·v_i / Σ v_i over the bars of the
// current session up to and including t, p usually the typical price (H+L+C)/3 or the bar's own
// VWAP. A new session starts the sums afresh. Not ready (nullopt) while the session has traded
// no volume yet (Σv = 0: VWAP undefined), so lookback 0 on bars with volume. Volumes >= 0.
// Batch: a new session starts at bar 0 and wherever session[t] != session[t-1] (e.g. the
// exchange date of each bar).
class Vwap {
 public:
  std::optional<double> update(double price, double volume, bool new_session) noexcept;
  int lookback() const noexcept { return 0; }

 private:
  double pv_ = 0.0;
  double v_ = 0.0;
};
Result<IndicatorSeries> vwap(std::span<const double> price, std::span<const double> volume,
                             std::span<const std::int64_t> session);

// ---- Rolling correlation and beta of y on x over the last n pairs (TA-Lib CORREL and BETA use
// other conventions — BETA regresses returns it computes itself — so these are keel's own; pass
// returns, not price levels). Sample covariance s_xy = C_xy/(n-1) with centred co-moments kept by
// a sliding Welford update (remove the oldest pair, add the new one) and recomputed exactly
// (two-pass) every n bars; correlation = C_xy/√(C_xx·C_yy), beta = C_xy/C_xx. When C_xx or C_yy
// is 0 (a constant series in the window) correlation is 0, and beta is 0 when C_xx = 0: no
// co-movement is measurable. lookback n-1; n >= 2.
struct CoMoveValue {
  double covariance;
  double correlation;
  double beta;  // of y on x
};
struct CoMoveSeries {
  IndicatorSeries covariance;
  IndicatorSeries correlation;
  IndicatorSeries beta;
};
class RollingCoMovement {
 public:
  static Result<RollingCoMovement> create(int period);
  std::optional<CoMoveValue> update(double x, double y) noexcept;
  int lookback() const noexcept { return period_ - 1; }

 private:
  explicit RollingCoMovement(int period)
      : xs_(static_cast<std::size_t>(period)), ys_(static_cast<std::size_t>(period)), period_(period) {}
  void recompute() noexcept;
  detail::Ring xs_;
  detail::Ring ys_;
  double mx_ = 0.0;
  double my_ = 0.0;
  double cxx_ = 0.0;
  double cyy_ = 0.0;
  double cxy_ = 0.0;
  int period_;
  int since_exact_ = 0;
};
Result<CoMoveSeries> rolling_comovement(std::span<const double> x, std::span<const double> y,
                                        int period);

}  // namespace keel::analytics
