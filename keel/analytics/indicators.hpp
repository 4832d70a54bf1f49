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
//   over it, so the two agree bit for bit; indicators_test.cpp checks this on random data.
// - Arithmetic follows TA-Lib's own recurrences (running sums, same operation order) so results
//   match TA-Lib to rounding; deliberate differences are marked "Differs from TA-Lib".
// Thread safety: streaming objects are plain values (one per thread); batch functions are pure.
// Validated (indicators_test.cpp): hand-worked short series with the arithmetic in comments, the
// StockCharts ChartSchool RSI worksheet, warm-up counts against TA-Lib's lookbacks, and
// streaming == batch properties (rapidcheck).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

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
  std::optional<double> update(double x) noexcept;
  int lookback() const noexcept { return period_ - 1; }

 private:
  explicit Sma(int period) : ring_(static_cast<std::size_t>(period)), period_(period) {}
  detail::Ring ring_;
  double sum_ = 0.0;
  int period_;
};
Result<IndicatorSeries> sma(std::span<const double> x, int period);

// ---- EMA — exponential moving average, k = 2/(n+1); seeded (TA-Lib default) with the SMA of
// the first n values, then ema += (x - ema)·k. lookback n-1.
class Ema {
 public:
  static Result<Ema> create(int period);
  std::optional<double> update(double x) noexcept;
  int lookback() const noexcept { return period_ - 1; }

 private:
  explicit Ema(int period) : k_(2.0 / (period + 1.0)), period_(period) {}
  double k_;
  double value_ = 0.0;  // the running sum during warm-up, the EMA afterwards
  int period_;
  int count_ = 0;
};
Result<IndicatorSeries> ema(std::span<const double> x, int period);

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
// a sliding Welford update (no Σx² cancellation on price-level data). A window with s = 0 gives
// z = 0 (x_t equals the mean). Not in TA-Lib; lookback n-1 by the same convention. n >= 2.
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
};
Result<IndicatorSeries> rolling_zscore(std::span<const double> x, int period);

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

}  // namespace keel::analytics
