// keel/analytics/cointegration.hpp — the Engle–Granger (1987) two-step cointegration test, the
// hedge ratio it estimates, and the half-life of mean reversion of the spread.
//
// Step 1: OLS (with a constant) of y on the regressors x1..x_m (m = 1..5, so N = m + 1 ≤ 6
// variables): y_t = c + Σ β_j x_{j,t} + u_t. The hedge ratio is β (β_1 for a pair) and the
// spread is the residual u_t.
// Step 2: ADF regression of the residuals with no deterministic terms (they have mean zero by
// construction), lags fixed or chosen by AIC/BIC exactly as adf.hpp. The τ statistic is
// compared with MacKinnon's cointegration critical values for N variables and a constant in the
// cointegrating regression (MacKinnon 2010, Table 2, "c", N = m + 1; T = observations in the
// ADF regression) and its p-value from MacKinnon (1994) (same case) — not the plain ADF table,
// because the residuals are fitted to look stationary. statsmodels' coint() uses the same.
// Half-life: OLS of Δu_t = a + b u_{t−1} + ε_t; φ = 1 + b is the AR(1) coefficient of the spread
// and the half-life −ln 2 / ln φ (in observations); std::nullopt when φ ≥ 1 or φ ≤ 0 (no
// monotone mean reversion).
// Errors (kInvalidArgument): a regressor whose length differs from y's (naming both series and
// lengths), no regressors or more than 5, non-finite values (naming series and row), and
// everything fit_ols/adf_test reject (collinear regressors, too few rows for the lags).
// Validated (cointegration_test.cpp): a simulated cointegrated pair recovers β and rejects;
// independent random walks reject at about the nominal rate across seeds; the half-life of a
// simulated AR(1) spread matches −ln 2 / ln φ within sampling error.
// Thread safety: pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "keel/analytics/adf.hpp"
#include "keel/core/result.hpp"

namespace keel::analytics {

struct EngleGrangerOptions {
  LagSelection lag_selection = LagSelection::kAic;
  std::size_t lags = 0;                 // kFixed
  std::optional<std::size_t> max_lags;  // auto; default as adf.hpp
  std::string y_name = "y";
  std::vector<std::string> x_names;  // default x1, x2, ...
};

struct HalfLife {
  double phi = 0.0;                 // AR(1) coefficient of the spread, 1 + b
  std::optional<double> half_life;  // −ln 2 / ln φ for 0 < φ < 1
};

struct EngleGrangerResult {
  double intercept = 0.0;
  std::vector<double> hedge_ratios;  // β_j, one per regressor
  std::vector<double> hedge_ratio_std_errors;  // classical OLS SEs (not valid for inference
                                               // under cointegration: superconsistent β)
  double r_squared = 0.0;
  std::vector<double> spread;  // residuals u_t
  double statistic = 0.0;      // ADF τ on the residuals
  double p_value = 0.0;        // MacKinnon (1994), N variables, constant
  std::array<double, 3> critical_values{};  // 1%, 5%, 10%: MacKinnon (2010)
  std::size_t lags = 0;
  std::size_t num_observations = 0;  // T of the ADF regression
  int num_series = 2;                // N
  HalfLife half_life;
};

Result<EngleGrangerResult> engle_granger(std::span<const double> y, std::span<const std::vector<double>> x,
                                         const EngleGrangerOptions& options = {});

// Pair convenience: x a single series.
Result<EngleGrangerResult> engle_granger(std::span<const double> y, std::span<const double> x,
                                         const EngleGrangerOptions& options = {});

// AR(1) mean reversion of a spread (see above). Errors: fewer than 3 values, non-finite values,
// a constant spread.
Result<HalfLife> spread_half_life(std::span<const double> spread, const std::string& name = "spread");

}  // namespace keel::analytics
