// keel/analytics/normal.hpp — the standard normal distribution: density, cumulative
// distribution and its inverse, to full double precision.
//
// Contract:
// - norm_pdf(x) = exp(-x²/2)/√(2π).
// - norm_cdf(x) = Φ(x) = erfc(-x/√2)/2, with the rounding error of the argument -x/√2 carried
//   by a first-order correction (the exact product is split into a double and a remainder, and
//   erfc'(z) = -2/√π·exp(-z²) absorbs the remainder). This keeps the relative error within a
//   few ulp in the far lower tail too, where the plain formula loses about 2z² ulp (~200 ulp at
//   x = -10). Φ(x) underflows to 0 below x ≈ -38.5 and rounds to 1 above x ≈ 8.3.
// - norm_inv_cdf(p) = Φ⁻¹(p): P. J. Acklam's rational approximation (relative error below
//   1.15e-9) refined by one Halley step on the lower half (q = min(p, 1-p), which is exact in
//   floating point), so the result is accurate to a few ulp for every p in (0, 1), subnormal p
//   included (there a Newton step on ln Φ with the asymptotic Mills-ratio series). p = 0 gives
//   -inf and p = 1 gives +inf; p outside [0, 1] or NaN is a programming error (KEEL_ASSERT);
//   checked_norm_inv_cdf returns an error value for input that comes from a user.
// Validated (normal_test.cpp) against tabulated values (Abramowitz & Stegun table 26.1, Wichura's
// AS 241 test values) and 40-digit values from mpmath, plus round trips Φ(Φ⁻¹(p)) = p.
// Thread safety: pure functions.
#pragma once

#include "keel/core/result.hpp"

namespace keel::analytics {

inline constexpr double kOneOverSqrtTwoPi = 0.398942280401432677939946059934;  // 1/√(2π)
inline constexpr double kSqrtTwoPi = 2.50662827463100050241576528481;          // √(2π)

double norm_pdf(double x) noexcept;
double norm_cdf(double x) noexcept;
double norm_inv_cdf(double p) noexcept;

// Acklam's approximation below, unrefined (relative error < 1.15e-9), for 0 < p < 1: a starting
// guess where norm_inv_cdf's refinement would buy nothing (the implied-vol solver's).
double norm_inv_cdf_approx(double p) noexcept;

// P. J. Acklam, "An algorithm for computing the inverse normal cumulative distribution
// function" (2003): rational approximations with relative error below 1.15e-9 — central for
// |p - 1/2| <= 1/2 - kPLow (numerator kA in r = (p - 1/2)^2 times p - 1/2, denominator kB),
// tails in q = sqrt(-2 ln p) (kC over kD). norm_inv_cdf refines it to full precision; the
// implied-vol lanes evaluate it branch-free from these coefficients.
namespace acklam {
inline constexpr double kA[6] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
inline constexpr double kB[5] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01,  -1.328068155288572e+01};
inline constexpr double kC[6] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
inline constexpr double kD[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
inline constexpr double kPLow = 0.02425;
}  // namespace acklam
// As norm_inv_cdf, but p outside (0, 1) or NaN is a kInvalidArgument error naming the value.
Result<double> checked_norm_inv_cdf(double p);

}  // namespace keel::analytics
