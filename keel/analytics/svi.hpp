// keel/analytics/svi.hpp — Gatheral's SVI implied total variance smile: the raw and the
// "jump-wings" (SVI-JW) parametrizations, conversions both ways, derivatives, Durrleman's density
// term g(k), a butterfly-arbitrage scan and the Gatheral–Jacquier butterfly repair.
// Source: J. Gatheral and A. Jacquier, "Arbitrage-free SVI volatility surfaces", Quantitative
// Finance 14(1), 2014 (arXiv:1204.0646), sections 3.1, 3.3, 2.1 and 5.2.
//
// Contract:
// - k = ln(K/F) is log-moneyness against the forward of the slice's expiry t (years); w(k) is
//   total implied variance σ_BS(k)²·t.
// - Raw SVI (paper eq. 3.1): w(k) = a + b(ρ(k - m) + √((k - m)² + σ²)). A raw slice is valid
//   (SviRaw::validate) when every field is finite, b >= 0, |ρ| < 1, σ > 0 and the minimum of w,
//   a + bσ√(1 - ρ²), is >= 0.
// - SVI-JW (paper section 3.3) at expiry t: v = w(0)/t (ATM variance), ψ = ∂√w/∂k at k = 0
//   = b/(2√w(0))·(ρ - m/√(m² + σ²)) (ATM skew, √t·∂σ_BS/∂k), p and c the left and right wing
//   slopes b(1 ∓ ρ)/√w(0), ṽ = (a + bσ√(1 - ρ²))/t the minimum variance. A JW set
//   maps back to a raw set (Lemma 3.2) exactly when t > 0, v > 0, p > 0, c > 0,
//   -p/2 < ψ < c/2 (so that |β| < 1), 0 <= ṽ <= v, and the recovered σ is > 0; v = ṽ with
//   m = 0 is the only degenerate case (σ is then fixed by v - ṽ = bσ(1 - √(1 - ρ²))/t and is
//   undetermined when also ρ = 0, reported as an error). Conditioning: when the minimum of w
//   lies near k = 0, v - ṽ is quadratic in its offset and JW pins m and σ down only to ~√eps
//   relative (the smile itself, w(k), stays accurate to ~1e-12 once (v - ṽ)/v > 1e-3).
// - Butterfly arbitrage: the slice is free of it iff g(k) >= 0 for every k (paper eq. 2.1,
//   keel::analytics::density_g in ssvi.hpp) and w(k) > 0. svi_butterfly_check scans a k range
//   on a grid, refines the worst point by golden-section search, and adds Roger Lee's wing
//   condition b(1 + |ρ|) <= 2 (needed for g >= 0 as |k| -> ∞, where g -> 1/4 - slope²/16).
// - Repair (section 5.2): keep v, ψ, p; set c' = p + 2ψ and ṽ' = v·4pc'/(p + c')². The result is
//   the SVI form of the SSVI slice with θ = vt, ρ = (c' - p)/(c' + p), φ = (p + c')/√θ (same ATM
//   variance, skew and put wing); it is free of butterfly arbitrage when that slice meets the
//   paper's Theorem 4.2 (θφ(1 + |ρ|) < 4, θφ²(1 + |ρ|) <= 4), as the paper's example does.
//   Callers re-check with svi_butterfly_check (vol_surface.hpp's repair does).
// Validated (svi_test.cpp) against the paper: the Vogt slice's JW values and its repair
// (c', ṽ') = (0.3493158, 0.01548182) to the published digits, the Vogt slice's g < 0 near
// k ≈ 0.7–1.0, raw ↔ JW round trips (rapidcheck), derivatives against finite differences, and
// the SSVI ↔ SVI identity (Lemma 3.3 of the paper) against ssvi.hpp.
// Thread safety: pure functions on plain value types.
#pragma once

#include <cstddef>

#include "keel/core/result.hpp"

namespace keel::analytics {

struct SviRaw {
  double a = 0.0;
  double b = 0.0;
  double m = 0.0;
  double rho = 0.0;
  double sigma = 0.1;

  // Domain checks listed in the header contract; the message names the field and its value.
  Status validate() const;
  // min_k w(k) = a + bσ√(1 - ρ²), attained at k = m - ρσ/√(1 - ρ²).
  double min_total_variance() const noexcept;
};

struct SviJw {
  double v = 0.0;        // ATM variance w(0)/t
  double psi = 0.0;      // ATM skew
  double p = 0.0;        // left (put) wing slope
  double c = 0.0;        // right (call) wing slope
  double v_tilde = 0.0;  // minimum variance min_k w(k)/t
  double t = 1.0;        // expiry in years

  // Finite fields, t > 0, v > 0, p > 0, c > 0, -p/2 < ψ < c/2, 0 <= ṽ <= v.
  Status validate() const;
};

struct SviPoint {
  double w = 0.0;
  double dw_dk = 0.0;
  double d2w_dk2 = 0.0;
};

// Preconditions (KEEL_ASSERT) for the evaluation functions: finite k, σ > 0.
double svi_total_variance(const SviRaw& s, double k) noexcept;
// w, w', w'' in closed form: w' = b(ρ + x/R), w'' = bσ²/R³ with x = k - m, R = √(x² + σ²).
SviPoint svi_point(const SviRaw& s, double k) noexcept;
// σ_BS(k) = √(w(k)/t); KEEL_ASSERT t > 0 and w(k) >= 0 (a validated slice never has w < 0).
double svi_implied_vol(const SviRaw& s, double k, double t) noexcept;
// Durrleman's g(k); KEEL_ASSERT w(k) > 0.
double svi_density_g(const SviRaw& s, double k) noexcept;

// Conversions. raw -> JW needs a valid raw set, t > 0 and w(0) > 0; JW -> raw needs a valid JW
// set. Errors name the field.
Result<SviJw> svi_raw_to_jw(const SviRaw& s, double t);
Result<SviRaw> svi_jw_to_raw(const SviJw& j);

// The raw SVI form of an SSVI slice with ATM total variance θ, correlation ρ and curvature φ
// (paper Lemma 3.3 / section 4): a = θ(1 - ρ²)/2, b = θφ/2, m = -ρ/φ, ρ, σ = √(1 - ρ²)/φ.
SviRaw svi_from_ssvi_slice(double theta, double rho, double phi) noexcept;

struct ButterflyCheckOptions {
  double k_min = -3.0;
  double k_max = 3.0;
  std::size_t points = 601;  // grid points before refinement, >= 3
};

struct ButterflyReport {
  bool arbitrage_free = true;  // g >= 0 over the range, w > 0 there, and wings within Lee's bound
  double worst_g = 0.0;        // minimum of g over [k_min, k_max]; -inf if w <= 0 at worst_k
  double worst_k = 0.0;        // where it is attained
  double left_wing_slope = 0.0;   // b(1 - ρ): lim w(k)/|k| as k -> -∞
  double right_wing_slope = 0.0;  // b(1 + ρ): lim w(k)/k as k -> +∞
  bool wings_ok = true;           // both slopes <= 2 (Lee's moment formula)
  bool variance_positive = true;  // w(k) > 0 over the range
};

// Scans g over the options' range (error if the range or point count is invalid or the slice
// fails validate()).
Result<ButterflyReport> svi_butterfly_check(const SviRaw& s, const ButterflyCheckOptions& opt = {});

// Gatheral–Jacquier section 5.2: c' = p + 2ψ, ṽ' = v·4pc'/(p + c')², other fields unchanged.
// Error if the JW set is invalid.
Result<SviJw> svi_jw_butterfly_repair(const SviJw& j);

}  // namespace keel::analytics
