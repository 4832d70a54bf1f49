// keel/analytics/ssvi.hpp — the SSVI ("surface SVI") implied total variance surface of
// Gatheral & Jacquier, "Arbitrage-free SVI volatility surfaces", Quantitative Finance 14(1),
// 2014 (arXiv:1204.0646), and its no-arbitrage conditions.
//
// Contract:
// - Total implied variance at log-moneyness k = ln(K/F) and ATM total variance θ > 0:
//     w(k, θ) = θ/2 · (1 + ρφk + √((φk + ρ)² + 1 - ρ²)),      φ = φ(θ), |ρ| < 1   (paper eq. 4.1)
//   computed as θ/2 · (1 + ρφk + √(1 + φk(φk + 2ρ))), the same polynomial, so w(0, θ) = θ
//   exactly. Implied volatility σ(k) = √(w/τ) for a slice of time to expiry τ.
// - Power-law curvature φ(θ) = η / (θ^γ (1 + θ)^{1-γ}) (paper section 4.4, Remark 4.4), η > 0,
//   0 < γ < 1.
// - Butterfly (Theorem 4.2): a slice is free of butterfly arbitrage if θφ(1 + |ρ|) < 4 and
//   θφ²(1 + |ρ|) <= 4. Equivalent statement used by the checks: the density term
//     g(k) = (1 - k w'/(2w))² - w'²/4 · (1/w + 1/4) + w''/2   (paper eq. 2.1)
//   is non-negative for all k.
// - Calendar (section 4.1): no calendar spread arbitrage iff ∂θ w(k, θ) >= 0 for every k; for
//   SSVI this holds when θφ(θ) is non-decreasing and φ(θ) non-increasing, as for the power law
//   with 0 < γ < 1 (Theorem 4.1). ssvi_dw_dtheta gives the derivative for explicit checks.
// - Remark 4.4: the power law with 0 < γ <= 1/2 and η(1 + |ρ|) <= 2 meets both conditions for
//   every θ > 0, so the whole surface is free of static arbitrage (power_law_static_arbitrage_free).
// - Functions taking θ require θ > 0 and finite inputs (KEEL_ASSERT); parameter sets coming
//   from users are checked by SsviPowerLaw::validate(), which names the offending field.
// Validated (ssvi_test.cpp) against hand-worked values (mpmath), finite differences of w in k
// and θ, g(k) >= 0 on a grid where Theorem 4.2 holds and g(k) < 0 somewhere where it fails.
// Thread safety: pure functions and plain value types.
#pragma once

#include "keel/core/result.hpp"

namespace keel::analytics {

struct SsviPowerLaw {
  double rho = 0.0;    // spot–vol correlation-like skew parameter, |ρ| < 1
  double eta = 1.0;    // curvature level, > 0
  double gamma = 0.5;  // curvature decay exponent, in (0, 1)

  // Domain checks: finite, |ρ| < 1, η > 0, 0 < γ < 1. The message names the field and value.
  Status validate() const;
  // Remark 4.4: γ in (0, 1/2] and η(1 + |ρ|) <= 2 — a sufficient condition for a surface free
  // of static (butterfly and calendar) arbitrage at every θ > 0.
  bool static_arbitrage_free() const noexcept;
  // validate() plus Remark 4.4, with an error naming the violated inequality.
  Status validate_static_arbitrage_free() const;

  double phi(double theta) const noexcept;        // φ(θ)
  double dphi_dtheta(double theta) const noexcept;  // φ'(θ) = -φ(θ)·(γ/θ + (1-γ)/(1+θ))
};

// w(k, θ) for a given curvature value φ = φ(θ).
double ssvi_total_variance(double k, double theta, double rho, double phi) noexcept;
double ssvi_total_variance(double k, double theta, const SsviPowerLaw& p) noexcept;
// σ(k) = √(w/τ), τ > 0.
double ssvi_implied_vol(double k, double theta, double tau, const SsviPowerLaw& p) noexcept;

// w and its first two derivatives in k, in closed form (paper section 4.2).
struct SsviSlicePoint {
  double w = 0.0;
  double dw_dk = 0.0;
  double d2w_dk2 = 0.0;
};
SsviSlicePoint ssvi_slice_point(double k, double theta, double rho, double phi) noexcept;

// Gatheral's density term g(k) from w, w', w'' (eq. 2.1); the risk-neutral density of the
// log-strike is non-negative wherever g >= 0.
double density_g(double w, double dw_dk, double d2w_dk2, double k) noexcept;
double ssvi_density_g(double k, double theta, double rho, double phi) noexcept;

// Theorem 4.2's sufficient condition for one slice: θφ(1+|ρ|) < 4 and θφ²(1+|ρ|) <= 4.
bool ssvi_butterfly_condition(double theta, double rho, double phi) noexcept;

// ∂w/∂θ at fixed k for the power law (calendar arbitrage is ∂θ w < 0 somewhere).
double ssvi_dw_dtheta(double k, double theta, const SsviPowerLaw& p) noexcept;
// ∂w/∂θ for a general φ given φ(θ) and φ'(θ).
double ssvi_dw_dtheta(double k, double theta, double rho, double phi, double dphi_dtheta) noexcept;

}  // namespace keel::analytics
