// keel/analytics/adf.hpp — the augmented Dickey–Fuller unit-root test, with MacKinnon's
// critical values and p-values (also used by the Engle–Granger test in cointegration.hpp).
//
// Regression (OLS, by QR: regression.hpp), for t = t0..n−1 (0-based, Δy_t = y_t − y_{t−1}):
//   Δy_t = [α] + [δ·t] + γ y_{t−1} + Σ_{i=1..p} φ_i Δy_{t−i} + e_t
// with the deterministic terms of AdfRegression: kNone (neither), kConstant (α),
// kConstantTrend (α and δ). The statistic is τ = γ̂/SE(γ̂) (classical SE); H0: γ = 0 (a unit
// root), rejected for τ below the critical value.
// Lags: fixed p, or chosen by AIC or BIC (ℓ = Gaussian OLS log-likelihood, k regressors:
// AIC = 2k − 2ℓ, BIC = k ln T − 2ℓ) over p = 0..p_max on the common sample t0 = 1 + p_max,
// after which the chosen p is refitted on its full sample t0 = 1 + p (statsmodels' adfuller does
// the same). Default p_max = ⌊12 (n/100)^{1/4}⌋ (Schwert 1989; Ng & Perron 1995), capped at
// ⌊(n−1)/2⌋ − d − 1 (d deterministic terms) so that every candidate keeps degrees of freedom.
// Critical values (1%, 5%, 10%): MacKinnon (2010), "Critical Values for Cointegration Tests",
// Queen's Economics Department Working Paper 1227, Table 2 ("c" and "ct", N = 1..6):
// c(T) = β∞ + β1/T + β2/T² + β3/T³ with T the number of observations in the test regression;
// the no-constant case ("nc", N = 1 only) from MacKinnon (1996, J. Applied Econometrics 11,
// 601–618), the values statsmodels uses. P-values: MacKinnon (1994), "Approximate Asymptotic
// Distribution Functions for Unit-Root and Cointegration Tests", JBES 12(2), 167–176, Table 3:
// p = Φ(Σ γ_j τ^j), with the small-p polynomial (degree 2) for τ ≤ τ*, the large-p one (degree
// 3) above, 0 below τ_min and 1 above τ_max. These are asymptotic p-values (the 1994 surfaces
// have no T term), so near the 5% line a finite-sample p-value can sit slightly off 0.05 while
// the critical values carry the finite-sample correction.
// Errors (kInvalidArgument, naming `series_name`): a non-finite value (naming its index), a
// constant series, a series too short for the requested lags and deterministic terms (naming
// n, p and the minimum), num_series outside 1..6 (or ≠ 1 for the no-constant critical values).
// Validated (adf_test.cpp): the regression's τ against the two-parameter closed form on a tiny
// series; MacKinnon's tabulated values (−2.86 asymptotic and ≈ −2.89 at T = 100, constant, 5%);
// p-values at the critical values ≈ the nominal levels (1994 vs 2010 tables, independent
// sources); rejection rates across seeds for random walks (≈ 5%) and AR(1), φ = 0.5 (100%).
// Thread safety: pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "keel/core/result.hpp"

namespace keel::analytics {

enum class AdfRegression { kNone, kConstant, kConstantTrend };
enum class LagSelection { kFixed, kAic, kBic };

std::string_view to_string(AdfRegression r) noexcept;  // "n", "c", "ct"
std::string_view to_string(LagSelection s) noexcept;   // "fixed", "aic", "bic"

struct AdfOptions {
  AdfRegression regression = AdfRegression::kConstant;
  LagSelection lag_selection = LagSelection::kAic;
  std::size_t lags = 0;                 // used when lag_selection == kFixed
  std::optional<std::size_t> max_lags;  // for kAic/kBic; default ⌊12 (n/100)^{1/4}⌋ (capped)
  std::string series_name = "series";
};

struct AdfResult {
  double statistic = 0.0;                   // τ = γ̂/SE(γ̂)
  double p_value = 0.0;                     // MacKinnon (1994)
  std::array<double, 3> critical_values{};  // 1%, 5%, 10%: MacKinnon (2010)
  double gamma = 0.0;                       // coefficient on y_{t−1}
  std::size_t lags = 0;
  std::size_t max_lags = 0;                 // searched (equals lags when fixed)
  std::size_t num_observations = 0;         // T of the final regression
  AdfRegression regression = AdfRegression::kConstant;
  LagSelection lag_selection = LagSelection::kAic;
  std::optional<double> information_criterion;  // of the chosen lag on the common sample
};

Result<AdfResult> adf_test(std::span<const double> y, const AdfOptions& options = {});

// The τ-statistic's regression alone, for callers that need it with other critical values
// (Engle–Granger residuals): fixed or selected lags exactly as adf_test; critical values and
// p-value are left for the caller (zero in the result).
Result<AdfResult> adf_statistic(std::span<const double> y, const AdfOptions& options = {});

// MacKinnon (1994) p-value of τ for `num_series` = N (1 for ADF, the number of variables in the
// cointegrating regression for Engle–Granger), N in 1..6.
Result<double> mackinnon_p_value(double tau, AdfRegression regression, int num_series);

// MacKinnon (2010) critical values at 1%, 5%, 10% for T = num_observations (0: asymptotic).
Result<std::array<double, 3>> mackinnon_critical_values(AdfRegression regression, int num_series,
                                                         std::size_t num_observations);

}  // namespace keel::analytics
