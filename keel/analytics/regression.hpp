// keel/analytics/regression.hpp — linear regression: ordinary least squares with classical and
// White (HC0/HC1) standard errors, ridge regression, and rolling OLS over a trailing window.
//
// Model: y = Xβ + e, X the n×k design (a leading column of ones when `intercept`, then the
// regressors in the order given). Regressors are passed as columns (one std::vector per
// variable, each of length n), the natural layout for time series.
// - OLS: β̂ solves min ||y − Xβ|| by a column-pivoting Householder QR of X with its columns
//   scaled to unit length (never the normal equations, whose condition number is the square
//   of X's). Residuals e = y − Xβ̂, σ̂² = e'e/(n − k).
//   Classical covariance σ̂²(X'X)⁻¹, computed as σ̂² R⁻¹R⁻ᵀ from the QR factor.
//   HC0 (White 1980): (X'X)⁻¹ X' diag(e²) X (X'X)⁻¹; HC1 = n/(n − k) · HC0 (MacKinnon & White
//   1985). t = β̂/SE (classical). R² = 1 − e'e/TSS with TSS centred when there is an intercept
//   and uncentred (Σy²) when there is not (R's summary.lm convention);
//   adjusted R² = 1 − (1 − R²)(n − i)/(n − k), i = 1 with an intercept, else 0.
// - Ridge: min ||y − a − Xb||² + λ||b||², λ ≥ 0, the intercept a not penalized (X and y are
//   centred when there is an intercept). With `standardize`, each regressor is divided by its
//   sample standard deviation (divisor n − 1) before the fit, so λ penalizes standardized
//   coefficients; reported coefficients are always on the original scale. Solved by the SVD
//   X̃ = UDVᵀ of the centred (scaled) design: b = V diag(d/(d²+λ)) Uᵀỹ.
//   Standard errors (stated form): the sandwich for a linear smoother with homoskedastic
//   errors, conditional on λ: Var(b) = σ̂² (X̃'X̃+λI)⁻¹ X̃'X̃ (X̃'X̃+λI)⁻¹
//   = σ̂² V diag(d²/(d²+λ)²) Vᵀ, with σ̂² = e'e/(n − i − df(λ)), df(λ) = Σ d²/(d²+λ) the
//   effective degrees of freedom (Hoerl & Kennard 1970; Hastie, Tibshirani & Friedman, ESL
//   §3.4.1). The intercept a = ȳ − x̄'b has Var(a) = σ̂²/n + x̄'Var(b)x̄ (ȳ and b are
//   uncorrelated because X̃ is centred). λ = 0 gives OLS and its classical SEs.
// - Rolling OLS: entry t (0-based) of the output is the OLS fit on rows [t−w+1, t] only, and
//   std::nullopt for t < w−1 (not ready; never a zero). Each window is fitted afresh by QR.
// Errors (kInvalidArgument): empty y; a regressor's length different from y's (naming it);
// a non-finite value (naming the variable and row, 0-based); no more rows than parameters (or a
// window that short: no residual degrees of freedom); a rank-deficient design — a constant regressor alongside the
// intercept, or collinear regressors — naming the column(s) the pivoted QR found dependent
// (relative pivot below 1e-10); λ negative or not finite; a ridge fit with no residual degrees
// of freedom (n − i − df(λ) ≤ 0); a regressor with zero variance when
// standardizing.
// Validated (regression_test.cpp): NIST StRD Longley and Norris certified values, HC0 on a
// hand-worked three-point case, ridge against the closed form (X'X + λI)⁻¹X'y solved in the
// test, λ → 0 equal to OLS, rolling windows equal to OLS on each window.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "keel/core/result.hpp"

namespace keel::analytics {

struct OlsOptions {
  bool intercept = true;
  // Names of the regressors for results and messages; default x1, x2, ...
  std::vector<std::string> names;
  std::string response_name = "y";
  bool robust = true;  // compute HC0/HC1 (O(n·k²) extra)
};

struct OlsFit {
  std::vector<std::string> names;  // "const" (with an intercept), then the regressors
  std::vector<double> coefficients;
  std::vector<double> std_errors;      // classical
  std::vector<double> t_stats;         // coefficient / classical SE
  std::vector<double> hc0_std_errors;  // empty when !robust
  std::vector<double> hc1_std_errors;  // empty when !robust
  std::vector<double> covariance;      // classical, k×k row-major
  std::vector<double> residuals;
  std::vector<double> fitted;
  double rss = 0.0;           // e'e
  double tss = 0.0;           // centred with an intercept, else Σy²
  double sigma = 0.0;         // √(e'e/(n − k))
  double r_squared = 0.0;
  double adj_r_squared = 0.0;
  double log_likelihood = 0.0;  // Gaussian: −n/2 (ln 2π + ln(e'e/n) + 1)
  std::size_t num_observations = 0;
  std::size_t num_parameters = 0;
  std::size_t dof_resid = 0;  // n − k
};

Result<OlsFit> fit_ols(std::span<const double> y, std::span<const std::vector<double>> x,
                       const OlsOptions& options = {});

struct RidgeOptions {
  double lambda = 0.0;
  bool intercept = true;
  bool standardize = false;
  std::vector<std::string> names;
  std::string response_name = "y";
};

struct RidgeFit {
  std::vector<std::string> names;  // "const" (with an intercept), then the regressors
  std::vector<double> coefficients;  // original scale
  std::vector<double> std_errors;    // sandwich form, see the header comment
  std::vector<double> residuals;
  double rss = 0.0;
  double effective_dof = 0.0;  // df(λ) = Σ d²/(d²+λ), excluding the intercept
  double sigma = 0.0;          // √(e'e/(n − i − df(λ)))
  double r_squared = 0.0;
  std::size_t num_observations = 0;
};

Result<RidgeFit> fit_ridge(std::span<const double> y, std::span<const std::vector<double>> x,
                           const RidgeOptions& options = {});

struct RollingOlsPoint {
  std::vector<double> coefficients;
  std::vector<double> std_errors;  // classical
  double r_squared = 0.0;
  double sigma = 0.0;
};

// One entry per row; std::nullopt for rows 0..w−2 (fewer than w rows so far).
Result<std::vector<std::optional<RollingOlsPoint>>> rolling_ols(std::span<const double> y,
                                                                std::span<const std::vector<double>> x,
                                                                std::size_t window,
                                                                const OlsOptions& options = {});

}  // namespace keel::analytics
