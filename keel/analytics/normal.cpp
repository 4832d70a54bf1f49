#include "keel/analytics/normal.hpp"

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "keel/core/assert.hpp"

namespace keel::analytics {
namespace {

// 1/√2 as a double plus the remainder 1/√2 - kInvSqrt2 (40-digit value from mpmath).
constexpr double kInvSqrt2 = 0.70710678118654752440084436210484903928;
constexpr double kInvSqrt2Lo = -4.8336466567264565186e-17;
constexpr double kOneOverSqrtPi = 0.564189583547756286948079451560772586;  // 1/√π

// Veltkamp split of a into a_hi + a_lo, each with at most 26 significant bits, so products of
// halves are exact. Needs round-to-nearest and no FMA contraction (-ffp-contract=off).
inline void split(double a, double& hi, double& lo) noexcept {
  const double t = 134217729.0 * a;  // 2^27 + 1
  hi = t - (t - a);
  lo = a - hi;
}

// Dekker's TwoProduct: a*b = p + err exactly (for |a*b| far from overflow and underflow).
inline double product_error(double a, double b, double p) noexcept {
  double ah, al, bh, bl;
  split(a, ah, al);
  split(b, bh, bl);
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

using acklam::kA;
using acklam::kB;
using acklam::kC;
using acklam::kD;
using acklam::kPLow;

// Lower-tail approximation for 0 < q < kPLow (negative result).
double acklam_tail(double q) noexcept {
  const double s = std::sqrt(-2.0 * std::log(q));
  return (((((kC[0] * s + kC[1]) * s + kC[2]) * s + kC[3]) * s + kC[4]) * s + kC[5]) /
         ((((kD[0] * s + kD[1]) * s + kD[2]) * s + kD[3]) * s + 1.0);
}

// Central approximation for r = p - 1/2, |r| <= 1/2 - kPLow.
double acklam_central(double r) noexcept {
  const double t = r * r;
  return (((((kA[0] * t + kA[1]) * t + kA[2]) * t + kA[3]) * t + kA[4]) * t + kA[5]) * r /
         (((((kB[0] * t + kB[1]) * t + kB[2]) * t + kB[3]) * t + kB[4]) * t + 1.0);
}

// One Halley step for f(x) = F(x) - target with F' = φ, given e = F(x) - target.
double halley(double x, double e) noexcept {
  const double u = e * kSqrtTwoPi * std::exp(0.5 * x * x);
  return x - u / (1.0 + 0.5 * x * u);
}

// ln Φ(x) for x <= -37 from the asymptotic Mills-ratio series
// Φ(x) = φ(x)/|x| · (1 - 1/x² + 3/x⁴ - 15/x⁶ + ...) (Abramowitz & Stegun 26.2.12); the terms
// shrink below 1e-16 by the seventh for |x| >= 37. Also returns the series sum.
double log_cdf_far_tail(double x, double& series) noexcept {
  const double y = 1.0 / (x * x);
  series = 1.0 + y * (-1.0 + y * (3.0 + y * (-15.0 + y * (105.0 + y * (-945.0 + y * (10395.0 + y * -135135.0))))));
  return -0.5 * x * x - std::log(-x) - std::log(kSqrtTwoPi) + std::log(series);
}

// Refines x ≈ Φ⁻¹(q) for a lower-tail q (x < 0).
double refine_lower_tail(double x, double q) noexcept {
  if (q >= DBL_MIN) return halley(x, norm_cdf(x) - q);
  // Subnormal q: Φ(x) and φ(x) are subnormal too, so work with logarithms; Newton on
  // ln Φ(x) - ln q, whose derivative is φ(x)/Φ(x) = |x|/series.
  const double log_q = std::log(q);
  for (int i = 0; i < 3; ++i) {
    double series = 0.0;
    const double g = log_cdf_far_tail(x, series) - log_q;
    x -= g * series / (-x);
  }
  return x;
}

}  // namespace

double norm_inv_cdf_approx(double p) noexcept {
  if (p < kPLow) return acklam_tail(p);
  if (p > 1.0 - kPLow) return -acklam_tail(1.0 - p);
  return acklam_central(p - 0.5);
}

double norm_pdf(double x) noexcept { return kOneOverSqrtTwoPi * std::exp(-0.5 * x * x); }

double norm_cdf(double x) noexcept {
  const double z = -x * kInvSqrt2;
  const double half_erfc = 0.5 * std::erfc(z);
  if (!(std::fabs(x) <= 38.0)) return half_erfc;  // beyond: 0 or 1 (or NaN passed through)
  // The exact argument is -x/√2 = z + dz; erfc(z + dz) ≈ erfc(z) - dz·(2/√π)·exp(-z²).
  const double dz = product_error(-x, kInvSqrt2, z) + (-x) * kInvSqrt2Lo;
  return half_erfc - dz * kOneOverSqrtPi * std::exp(-z * z);
}

double norm_inv_cdf(double p) noexcept {
  KEEL_ASSERT(p >= 0.0 && p <= 1.0, "norm_inv_cdf: p must lie in [0, 1]");
  if (p == 0.0) return -std::numeric_limits<double>::infinity();
  if (p == 1.0) return std::numeric_limits<double>::infinity();
  if (p < kPLow) return refine_lower_tail(acklam_tail(p), p);
  if (p > 1.0 - kPLow) {
    const double q = 1.0 - p;  // exact for p >= 1/2 (Sterbenz)
    return -refine_lower_tail(acklam_tail(q), q);
  }
  // Central region: the residual Φ(x) - p = erf(x/√2)/2 - (p - 1/2) keeps its relative
  // accuracy for x near 0, where Φ(x) - p would cancel down to absolute precision.
  const double r = p - 0.5;
  const double x = acklam_central(r);
  return halley(x, 0.5 * std::erf(x * kInvSqrt2) - r);
}

Result<double> checked_norm_inv_cdf(double p) {
  if (!(p > 0.0 && p < 1.0)) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", p);
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("inverse normal cdf: probability ") + text + " is not in (0, 1)");
  }
  return norm_inv_cdf(p);
}

}  // namespace keel::analytics
