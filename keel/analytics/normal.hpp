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
// As norm_inv_cdf, but p outside (0, 1) or NaN is a kInvalidArgument error naming the value.
Result<double> checked_norm_inv_cdf(double p);

}  // namespace keel::analytics
