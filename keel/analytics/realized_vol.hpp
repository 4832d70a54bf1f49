// keel/analytics/realized_vol.hpp — historical (realized) volatility estimators over daily OHLC
// bars: close-to-close, Parkinson, Garman–Klass, Rogers–Satchell, Yang–Zhang, and the RiskMetrics
// EWMA. Each comes as a rolling-window series and as a whole-sample estimate.
//
// Contract (n = window, periods i = t-n+1..t ending at bar t; logs are natural):
// - close-to-close: r_i = ln(C_i/C_{i-1}); σ² = Σ(r_i - r̄)²/(n-1)          (needs bar t-n)
// - Parkinson (1980): σ² = Σ ln²(H_i/L_i) / (4 ln 2 · n)
// - Garman–Klass (1980), the "best analytic" form without the opening jump:
//       σ² = (1/n) Σ [ ½ ln²(H_i/L_i) - (2 ln 2 - 1) ln²(C_i/O_i) ]
// - Rogers–Satchell (1991): σ² = (1/n) Σ [ ln(H_i/C_i) ln(H_i/O_i) + ln(L_i/C_i) ln(L_i/O_i) ]
// - Yang–Zhang (2000): σ² = σ²_o + k σ²_c + (1-k) σ²_RS, with overnight o_i = ln(O_i/C_{i-1})
//   and open-to-close c_i = ln(C_i/O_i), σ²_o, σ²_c their sample variances (divisor n-1),
//   σ²_RS as above, k = 0.34 / (1.34 + (n+1)/(n-1))                          (needs bar t-n)
// - EWMA (RiskMetrics Technical Document, 1996, §5.2.1; λ = 0.94 for daily data): on zero-mean
//   log returns r_t = ln(C_t/C_{t-1}), seeded at bar t = m (the seed window) by
//   s²_m = Σ_{i=1..m} r_i²/m, then s²_t = λ s²_{t-1} + (1-λ) r_t². s²_t uses returns up to and
//   including bar t: it is the variance forecast for bar t+1. The whole-sample EWMA estimate is
//   s² at the last bar.
// - Results are annualized volatilities √(A σ²), A = `annualization` periods per year (252 by
//   default for trading days); pass A = 1 for the per-period volatility.
// - Warm-up: rolling outputs have one entry per input bar; entry t is std::nullopt while the
//   window ending at t is incomplete (t < n for close-to-close, Yang–Zhang and EWMA, whose
//   periods need the previous close; t < n-1 for Parkinson, Garman–Klass, Rogers–Satchell),
//   and a value from then on. Never NaN.
// - Input checks, each an kInvalidArgument error naming the column and index: a needed column
//   empty or of a different length from the others; a price not finite or <= 0; high < low;
//   open or close outside [low, high] (range estimators); window <= 1 or longer than the data
//   (naming the window and the number of periods available); annualization not finite or <= 0;
//   λ outside (0, 1). Only the columns an estimator uses are read (close-to-close and EWMA read
//   close only; Parkinson high and low), so the others may be left empty.
// Complexity: O(N·n) per rolling series (each window summed afresh — no running sums whose
// rounding drifts over long series).
// Validated (realized_vol_test.cpp) against hand-worked examples, the EWMA recursion by hand,
// and, on simulated geometric Brownian motion with known σ, agreement of every estimator with σ
// inside sampling bands computed in the test (and the efficiency ordering of Parkinson and
// Garman–Klass over close-to-close). Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "keel/core/result.hpp"

namespace keel::analytics {

enum class VolEstimator {
  kCloseToClose,
  kParkinson,
  kGarmanKlass,
  kRogersSatchell,
  kYangZhang,
};

std::string_view to_string(VolEstimator estimator) noexcept;

// Column views over OHLC bars in time order (oldest first). Columns an estimator does not use
// may be empty.
struct OhlcSpan {
  std::span<const double> open;
  std::span<const double> high;
  std::span<const double> low;
  std::span<const double> close;
};

inline constexpr double kTradingDaysPerYear = 252.0;
inline constexpr double kRiskMetricsLambda = 0.94;

// One entry per bar: std::nullopt during warm-up (see the contract above), the annualized
// volatility of the window ending at that bar afterwards.
using VolSeries = std::vector<std::optional<double>>;

// Rolling estimate over windows of `window` periods.
Result<VolSeries> rolling_realized_vol(VolEstimator estimator, const OhlcSpan& bars,
                                       std::size_t window,
                                       double annualization = kTradingDaysPerYear);

// Whole-sample estimate: one window covering every period the bars provide (N-1 periods for
// close-to-close and Yang–Zhang, N for the range estimators).
Result<double> realized_vol(VolEstimator estimator, const OhlcSpan& bars,
                            double annualization = kTradingDaysPerYear);

// EWMA volatility series from closes, seeded over the first `seed_window` returns.
Result<VolSeries> rolling_ewma_vol(std::span<const double> close, std::size_t seed_window,
                                   double lambda = kRiskMetricsLambda,
                                   double annualization = kTradingDaysPerYear);

// The EWMA volatility at the last bar (the forecast for the next one).
Result<double> ewma_vol(std::span<const double> close, std::size_t seed_window,
                        double lambda = kRiskMetricsLambda,
                        double annualization = kTradingDaysPerYear);

}  // namespace keel::analytics
