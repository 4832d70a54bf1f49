// keel/analytics/garch.hpp — GARCH(1,1) (Bollerslev 1986) and GJR-GARCH(1,1) (Glosten,
// Jagannathan & Runkle 1993) fitted by maximum likelihood, with standard errors, information
// criteria and h-step variance forecasts.
//
// Model, for returns r_1..r_n and residuals e_t = r_t - μ:
//   σ²_t = ω + (α + γ·1[e_{t-1} < 0]) e²_{t-1} + β σ²_{t-1},   e_t = σ_t z_t,  z_t iid (0, 1)
// with γ = 0 for plain GARCH. μ is 0 (MeanModel::kZero) or the sample mean (kSampleMean,
// subtracted before the variance fit: a two-step estimate, so the standard errors are
// conditional on it). The recursion starts from σ²_1 = (1/n) Σ e²_t — tseries::garch's choice,
// which makes the likelihood's argmax identical to that package's — and the log-likelihood sums
// over t = 1..n:
//   Gaussian:  ℓ_t = -½ [ln 2π + ln σ²_t + e²_t/σ²_t]
//   Student-t: ℓ_t = ln Γ((ν+1)/2) - ln Γ(ν/2) - ½ ln(π(ν-2)) - ½ ln σ²_t
//                    - (ν+1)/2 · ln(1 + e²_t/((ν-2) σ²_t))          (unit-variance t, ν > 2)
// Constraints: ω > 0, α ≥ 0, β ≥ 0, γ ≥ 0, persistence P = α + β + γ/2 < 1 (γ/2 because
// E[1(z<0) z²] = ½ for a symmetric z), 2 < ν ≤ 500.
//
// Estimation: the returns are scaled to unit second moment (so ω is O(1) for the optimizer);
// Nelder–Mead from four starting points runs on an unconstrained map of the parameters
// (P = P_max·logistic(u₁), the split of P among α, β, γ/2 a softmax, ω = e^{u₀},
// ν = 2 + 498·logistic(u)), then Newton steps with a central-difference gradient and Hessian
// polish the best point in the natural parameters, backtracking to stay feasible.
// Variance targeting (optional) fixes ω = (1 - P)·(1/n)Σe² and estimates the rest.
// Standard errors (in the original units): from the inverse of the negative numerical Hessian of
// ℓ; Bollerslev–Wooldridge (1992) robust sandwich H⁻¹JH⁻¹ with J = Σ s_t s_tᵀ of the
// per-observation scores; and the outer-product-of-gradients J⁻¹ (tseries::garch's choice).
// Each is std::nullopt where the matrix is not positive definite, and ω has none under variance
// targeting. `at_boundary` flags estimates within 1e-6 of α, β or γ = 0 or of P = P_max, where
// the usual asymptotic standard errors do not apply. AIC = 2k - 2ℓ, BIC = k ln n - 2ℓ, with k the
// number of parameters including ω under variance targeting and μ when it is the sample mean.
// Forecasts: σ²_{T+h} = σ̄² + P^{h-1} (σ²_{T+1} - σ̄²), σ̄² = ω/(1 - P) (exact for both models
// and both innovation laws); the annualized vol for horizon h is √(A/h · Σ_{i=1..h} σ²_{T+i}).
// Errors (kInvalidArgument, naming the series): fewer than `min_observations` (100) returns, a
// non-finite return (naming its index), a constant series (zero sample variance); invalid
// parameters passed to the forecast or likelihood functions name the field.
// Validated (garch_test.cpp): parameters recovered from 20,000 simulated returns within 3
// standard errors, the Hessian standard errors against the spread over replications, forecasts
// against the recursion by hand, and the DAX fit of R's tseries::garch on EuStockMarkets.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keel/core/result.hpp"

namespace keel::analytics {

enum class GarchModel { kGarch, kGjr };
enum class Innovations { kGaussian, kStudentT };
enum class MeanModel { kZero, kSampleMean };

struct GarchParams {
  double omega = 0.0;
  double alpha = 0.0;
  double beta = 0.0;
  double gamma = 0.0;  // GJR leverage term; 0 for plain GARCH
  double nu = 0.0;     // Student-t degrees of freedom; ignored for Gaussian innovations

  double persistence() const noexcept { return alpha + beta + 0.5 * gamma; }
  // σ̄² = ω/(1 - P); meaningful only when P < 1 (validate() first).
  double unconditional_variance() const noexcept { return omega / (1.0 - persistence()); }
  // Checks the constraints above for the given innovation law; the message names the field.
  Status validate(Innovations innovations = Innovations::kGaussian) const;
};

struct GarchOptions {
  GarchModel model = GarchModel::kGarch;
  Innovations innovations = Innovations::kGaussian;
  MeanModel mean = MeanModel::kZero;
  bool variance_targeting = false;
  std::size_t min_observations = 100;
  std::string series_name = "returns";  // used in error messages
};

struct GarchEstimate {
  std::string_view name;  // "omega", "alpha", "beta", "gamma", "nu"
  double value = 0.0;
  std::optional<double> std_error;         // inverse Hessian
  std::optional<double> robust_std_error;  // Bollerslev–Wooldridge sandwich
  std::optional<double> opg_std_error;     // outer product of gradients
};

struct GarchFit {
  GarchOptions options;
  GarchParams params;
  std::vector<GarchEstimate> estimates;  // omega, alpha, beta, [gamma], [nu]
  double mean = 0.0;                     // μ subtracted from the returns
  double log_likelihood = 0.0;
  double aic = 0.0;
  double bic = 0.0;
  std::size_t num_observations = 0;
  std::size_t num_parameters = 0;
  std::vector<double> conditional_variance;  // σ²_t for t = 1..n
  double next_variance = 0.0;                // σ²_{n+1}
  bool at_boundary = false;
  int function_evaluations = 0;

  const GarchEstimate* find(std::string_view name) const;
};

Result<GarchFit> fit_garch(std::span<const double> returns, const GarchOptions& options = {});

// ℓ at given parameters (same recursion, start and mean handling as fit_garch).
Result<double> garch_log_likelihood(std::span<const double> returns, const GarchParams& params,
                                    const GarchOptions& options = {});

// σ²_{T+1}, ..., σ²_{T+horizon} from σ²_{T+1} = next_variance.
Result<std::vector<double>> garch_variance_forecast(const GarchParams& params, double next_variance,
                                                    std::size_t horizon);

// Annualized vol √(A/h Σ_{i=1..h} σ²_{T+i}) for each h in `horizons` (each ≥ 1).
Result<std::vector<double>> garch_vol_term_structure(const GarchParams& params, double next_variance,
                                                     std::span<const std::size_t> horizons,
                                                     double annualization = 252.0);

}  // namespace keel::analytics
