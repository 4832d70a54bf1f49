// keel/analytics/vector_math.hpp — branch-free double-precision kernels (exp, log, sqrt, the
// normal density and CDF via the Mills ratio) that GCC can vectorize at -O2 without -march.
//
// Contract:
// - Internal to the analytics layer (black_scholes.cpp's kernels, implied_vol.cpp, american.cpp's
//   bivariate normal sum and approximations). Inline so that a loop calling them vectorizes; the
//   same code run scalar or in SIMD lanes rounds identically (IEEE operations only, no FP
//   contraction; the *_fma kernels fuse exactly where their source calls fma(), which rounds
//   once at every level — see "Fused kernels" below).
// - Why not <cmath>: GCC vectorizes a loop only if every call in it is inlined or has a SIMD
//   variant, glibc's vector math (libmvec) is used only under -ffast-math, which keel does not
//   allow (determinism), and std::sqrt's errno side exit alone blocks vectorization at -O2.
// - Every select is made on bit patterns: under the default -ftrapping-math GCC will not
//   speculate a floating-point operation the source guards by a condition, and jump threading
//   turns comparisons back into branches; either stops the vectorizer.
// - Accuracy (vector_math is tested through black_scholes_test.cpp against std::exp, std::log
//   and normal.hpp's erfc-based norm_cdf): exp, log, sqrt within about 1 ulp; ncdf relative
//   error < 2e-15 down to Phi(-37) ~ 6e-300. The fused kernels: k_exp_fma, k_exp_normal_fma,
//   k_log_fma, k_sqrt_fma within 1 ulp of std::exp/std::log/std::sqrt, k_log_ratio_fma(a, b)
//   within 2 ulps of ln(a/b) itself, k_ncdf_fma relative error < 2e-15 on [-37, 8] (tested on
//   dense grids and random points, and bit for bit across the SIMD levels).
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace keel::analytics::vmath {

constexpr double kShift = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
constexpr double kInvLn2 = 1.4426950408889634;
// ln 2 split so that k * kLn2Hi is exact for |k| < 2^21 (kLn2Hi has 32 significant bits).
constexpr double kLn2Hi = 0.6931471803691238;
constexpr double kLn2Lo = 1.9082149292705878e-10;
constexpr double kInvSqrt2Pi = 0.39894228040143268;

inline std::uint64_t to_bits(double x) { return std::bit_cast<std::uint64_t>(x); }
inline double from_bits(std::uint64_t b) { return std::bit_cast<double>(b); }

// All selects in the kernels are done on bit patterns: under the default -ftrapping-math GCC
// will not speculate a floating-point operation that the source guards by a condition, and jump
// threading turns comparisons back into branches, either of which stops the vectorizer.
// mask_below(x, limit_bits) is all ones when |x| < the positive double whose bits are limit_bits.
inline std::uint64_t mask_below(double x, std::uint64_t limit_bits) {
  const std::uint64_t ax = to_bits(x) & 0x7fffffffffffffffULL;
  return std::uint64_t{0} - ((ax - limit_bits) >> 63);
}
inline double select_bits(std::uint64_t mask, double a, double b) {
  return from_bits((to_bits(a) & mask) | (to_bits(b) & ~mask));
}
inline double keep_if(std::uint64_t mask, double a) { return from_bits(to_bits(a) & mask); }
// All ones when x's sign bit is set (x < 0 or -0), else zero.
inline std::uint64_t sign_mask(double x) { return std::uint64_t{0} - (to_bits(x) >> 63); }
// max(x, +0.0) for finite x, and min(x, 1.0) for finite x >= 0, on the bits.
inline double non_negative(double x) { return keep_if((to_bits(x) >> 63) - 1, x); }
inline double at_most_one(double x) {
  const std::uint64_t over = (0x3ff0000000000000ULL - to_bits(x)) >> 63;  // x > 1 (x >= 0)
  return select_bits(over - 1, x, 1.0);
}

// e^x. Range reduction x = k ln2 + r, |r| <= ln2/2, then the degree-13 Taylor polynomial of
// e^r (truncation error < 4e-18) evaluated by Estrin's scheme (short dependency chains), then
// scaling by 2^k in two steps so that subnormal results are exact products too. Valid for
// x <= 709; an |x| >= 1024 is taken as -1024 (result 0): callers pass huge negative arguments
// (-d^2/2 for far tails) but never large positive ones.
inline double k_exp(double x) {
  x = select_bits(mask_below(x, 0x4090000000000000ULL), x, -1024.0);
  const double kd = x * kInvLn2 + kShift;
  const double kf = kd - kShift;
  const double r = (x - kf * kLn2Hi) - kf * kLn2Lo;
  constexpr double c2 = 1.0 / 2, c3 = 1.0 / 6, c4 = 1.0 / 24, c5 = 1.0 / 120, c6 = 1.0 / 720,
                   c7 = 1.0 / 5040, c8 = 1.0 / 40320, c9 = 1.0 / 362880, c10 = 1.0 / 3628800,
                   c11 = 1.0 / 39916800, c12 = 1.0 / 479001600, c13 = 1.0 / 6227020800;
  const double r2 = r * r;
  const double r4 = r2 * r2;
  const double r8 = r4 * r4;
  // e^r = 1 + r + r^2 T(r), T(r) = c2 + c3 r + ... + c13 r^11 by Estrin's scheme.
  const double p23 = c2 + c3 * r;
  const double p45 = c4 + c5 * r;
  const double p67 = c6 + c7 * r;
  const double p89 = c8 + c9 * r;
  const double p1011 = c10 + c11 * r;
  const double p1213 = c12 + c13 * r;
  const double q0 = p23 + p45 * r2;
  const double q1 = p67 + p89 * r2;
  const double q2 = p1011 + p1213 * r2;
  const double tail = (q0 + q1 * r4) + q2 * r8;
  const double p = 1.0 + (r + r2 * tail);
  const auto k = static_cast<std::int64_t>(to_bits(kd) - to_bits(kShift));
  const auto k1 = static_cast<std::int64_t>(to_bits(kf * 0.5 + kShift) - to_bits(kShift));
  const std::int64_t k2 = k - k1;
  const double s1 = from_bits(static_cast<std::uint64_t>(k1 + 1023) << 52);
  const double s2 = from_bits(static_cast<std::uint64_t>(k2 + 1023) << 52);
  return p * s1 * s2;
}

// The logarithms' range reduction: x = 2^e m with m in [sqrt(1/2), sqrt(2)), f = m - 1 and
// s = f / (2 + f), so that ln x = e ln 2 + 2 atanh(s) (exact up to the one rounding of s).
struct LogReduced {
  double e, f, s;
};
inline LogReduced reduce_log(double x) {
  constexpr std::uint64_t kSqrtHalfBits = 0x3fe6a09e667f3bcdULL;  // sqrt(1/2)
  constexpr std::uint64_t kOneBits = 0x3ff0000000000000ULL;
  const std::uint64_t b = to_bits(x) + (kOneBits - kSqrtHalfBits);
  const double e = from_bits((b >> 52) | 0x4330000000000000ULL) - (4503599627370496.0 + 1023.0);
  const double f = from_bits((b & 0x000fffffffffffffULL) + kSqrtHalfBits) - 1.0;
  return LogReduced{e, f, f / (2.0 + f)};
}

// ln x for finite normal x > 0. x = 2^e m with m in [sqrt(1/2), sqrt(2)); with f = m - 1 and
// s = f / (2 + f), ln m = 2 atanh(s) = f - (f^2/2 - s (f^2/2 + R(s^2))) where
// R(z) = sum_{k>=1} 2 z^k / (2k + 1), |s| <= 0.1716 (Taylor terms to z^9: error < 1e-17).
inline double k_log(double x) {
  const auto [e, f, s] = reduce_log(x);
  const double z = s * s;
  const double z2 = z * z;
  const double z4 = z2 * z2;
  constexpr double a1 = 2.0 / 3, a2 = 2.0 / 5, a3 = 2.0 / 7, a4 = 2.0 / 9, a5 = 2.0 / 11, a6 = 2.0 / 13,
                   a7 = 2.0 / 15, a8 = 2.0 / 17, a9 = 2.0 / 19;
  const double r12 = a1 + a2 * z;
  const double r34 = a3 + a4 * z;
  const double r56 = a5 + a6 * z;
  const double r78 = a7 + a8 * z;
  const double big = (r56 + r78 * z2) + a9 * z4;
  const double R = z * ((r12 + r34 * z2) + big * z4);
  const double hfsq = 0.5 * f * f;
  return e * kLn2Hi - ((hfsq - (s * (hfsq + R) + e * kLn2Lo)) - f);
}

// sqrt(x) for finite x > 0 in arithmetic only: std::sqrt may set errno, and that side exit stops
// GCC from vectorizing at -O2 (keel builds without -fno-math-errno). A bit-level first guess of
// 1/sqrt(x) (relative error < 3.5%), four Newton steps (quadratic: error < 1e-20), then one
// Newton correction of x * y; the result is within an ulp of the true root.
// k_sqrt<3> stops after three Newton steps (3.5e-2 -> 1.8e-3 -> 5e-6 -> 4e-11, the closing
// correction squares that): a shorter dependency chain where a few ulps do not matter (the
// implied-vol lanes' initial guess).
template <int kNewtonSteps = 4>
inline double k_sqrt(double x) {
  static_assert(kNewtonSteps == 3 || kNewtonSteps == 4, "k_sqrt: 3 or 4 Newton steps");
  double y = from_bits(0x5fe6eb50c7b537a9ULL - (to_bits(x) >> 1));
  const double hx = 0.5 * x;
  y = y * (1.5 - hx * y * y);
  y = y * (1.5 - hx * y * y);
  y = y * (1.5 - hx * y * y);
  if constexpr (kNewtonSteps == 4) y = y * (1.5 - hx * y * y);
  const double s = x * y;
  return s + 0.5 * y * (x - s * s);
}

// Mills ratio M(z) = Phi(-z) / phi(z) for z >= 0, as a degree-24 polynomial in
// t = (5 - z) / (5 + z), which maps [0, inf) onto (-1, 1]. Coefficients: Chebyshev interpolation
// of M(z(t)) at 25 Chebyshev nodes computed with mpmath at 50 digits, converted to monomials;
// measured relative error in double arithmetic < 3e-15 on [0, 40].
inline constexpr std::array<double, 25> kMillsCoefficients = {
    1.9280810471531576e-1,  3.5959476423421172e-1,  2.9094136567628261e-1,  2.0274581371204608e-1,
    1.1995557912792479e-1,  5.8689944981832402e-2,  2.2538023649908347e-2,  5.9628785254489609e-3,
    5.5033208489766741e-4,  -3.3658213078902824e-4, -1.5146922316833153e-4, -2.4096544976033776e-6,
    1.6655030966343531e-5,  3.1837066006586938e-6,  -1.6919967272241786e-6, -6.1030234352961671e-7,
    1.9299724882377844e-7,  9.88250095130962e-8,    -2.7334704969041727e-8, -1.5044680406696297e-8,
    4.5734845814076604e-9,  1.9604656651528077e-9,  -7.093340743047831e-10, -1.5555431042094022e-10,
    6.5655803124746095e-11};
inline double k_mills(double z) {
  const auto& c = kMillsCoefficients;
  const double t = (5.0 - z) / (5.0 + z);
  const double t2 = t * t;
  const double t4 = t2 * t2;
  const double t8 = t4 * t4;
  // Estrin's scheme: pairs, then quads, octets, and the 16..24 block.
  const double p0 = c[0] + c[1] * t, p2 = c[2] + c[3] * t, p4 = c[4] + c[5] * t, p6 = c[6] + c[7] * t;
  const double p8 = c[8] + c[9] * t, p10 = c[10] + c[11] * t, p12 = c[12] + c[13] * t,
               p14 = c[14] + c[15] * t;
  const double p16 = c[16] + c[17] * t, p18 = c[18] + c[19] * t, p20 = c[20] + c[21] * t,
               p22 = c[22] + c[23] * t;
  const double q0 = p0 + p2 * t2, q4 = p4 + p6 * t2, q8 = p8 + p10 * t2, q12 = p12 + p14 * t2;
  const double q16 = p16 + p18 * t2, q20 = p20 + p22 * t2;
  const double o0 = q0 + q4 * t4, o8 = q8 + q12 * t4, o16 = q16 + q20 * t4;
  const double top = o16 + (c[24] * t8);
  return o0 + (o8 + top * t8) * t8;
}

// phi(x) = e^{-x^2/2} / sqrt(2 pi). In the far tail the rounding of x*x alone would cost
// x^2/2 ulps (5e-14 relative at x = 34), so the exact square hh + err is formed with Veltkamp's
// split (no FMA: -ffp-contract=off) and e^{-err/2} applied to first order.
inline double k_npdf(double x) {
  const double c = 134217729.0 * x;  // 2^27 + 1
  const double hi = c - (c - x);
  const double lo = x - hi;
  const double hh = x * x;
  const double err = ((hi * hi - hh) + 2.0 * hi * lo) + lo * lo;
  return kInvSqrt2Pi * k_exp(-0.5 * hh) * (1.0 - 0.5 * err);
}

// pick(f, a, b) with f in {0, 1} is a select written as arithmetic; it rounds exactly like the
// select when a and b are finite.
// neg_flag(x) is 1.0 when x's sign bit is set, else 0.0, computed with integer operations only
// (a comparison could be turned back into a branch by jump threading).
inline double neg_flag(double x) {
  return from_bits((to_bits(x) >> 63) | 0x4330000000000000ULL) - 4503599627370496.0;
}
inline double pick(double f, double a, double b) { return f * a + (1.0 - f) * b; }

// Standard normal CDF: Phi(-|x|) = phi(x) M(|x|) without cancellation, Phi(|x|) = 1 - that.
// ncdf_from_pdf takes phi(x), when the caller has it already.
inline double ncdf_from_pdf(double x, double pdf) {
  const double tail = pdf * k_mills(std::fabs(x));
  return pick(neg_flag(x), tail, 1.0 - tail);
}
inline double k_ncdf(double x) { return ncdf_from_pdf(x, k_npdf(x)); }

// a * b + c rounded once (IEEE 754 fusedMultiplyAdd). Inside for_lanes at the AVX2 and AVX-512
// levels it is one vfmadd instruction; elsewhere (the baseline level, scalar callers) it is the C
// library's fma, which glibc rounds correctly in software where the CPU lacks FMA: the same bits
// everywhere, only slower. -ffp-contract=off still forbids the compiler from fusing on its own,
// so a kernel fuses exactly where its source says so.
inline double fma(double a, double b, double c) { return __builtin_fma(a, b, c); }

// ---- Fused kernels ------------------------------------------------------------------------------
// The same functions written with fma(): each polynomial step a*x + b is one rounding instead of
// two, and one operation instead of two, which roughly halves the vector operations of a kernel.
// They are separate functions (not changes to the ones above) because their results differ in
// the last bit from the unfused kernels, which implied_vol.cpp and american.cpp keep using
// (their scalar paths run outside for_lanes, where fma() is a library call). Called inside
// for_lanes at the AVX2/AVX-512 levels each fma() is one vfmadd; at the baseline level and in
// plain scalar code it is the C library's correctly rounded fma: the same bits at every level,
// but slow there, so a scalar caller should run them through for_lanes<1>(best_simd(), ...).
// Accuracy bars as above (tested in black_scholes_test.cpp against std::exp, std::log, std::sqrt
// and normal.hpp's norm_cdf over dense grids and random points, and bit for bit across levels).

// e^r for |r| <= ln2/2 (slightly more is fine) as 1 + r + r^2 T(r), with T the degree-9
// Chebyshev interpolant of (e^r - 1 - r) / r^2 on [-ln2/2, ln2/2] (10 nodes, computed with
// mpmath at 50 digits, converted to monomials; approximation error of e^r < 1.7e-17 relative,
// where the degree-13 Taylor polynomial of k_exp needs three more terms), by a second-order
// Horner scheme with fma (even and odd coefficients in r^2: chains half as long).
inline double exp_reduced_fma(double r) {
  constexpr double c0 = 0.50000000000000011, c1 = 0.16666666666666669, c2 = 0.041666666666624164,
                   c3 = 0.008333333333330065, c4 = 0.001388888891719689, c5 = 0.00019841269863040675,
                   c6 = 2.480152132210459e-05, c7 = 2.7557268480106926e-06, c8 = 2.7620076005631382e-07,
                   c9 = 2.5100375929185925e-08;
  const double r2 = r * r;
  const double even = fma(fma(fma(fma(c8, r2, c6), r2, c4), r2, c2), r2, c0);
  const double odd = fma(fma(fma(fma(c9, r2, c7), r2, c5), r2, c3), r2, c1);
  return 1.0 + fma(r2, fma(odd, r, even), r);
}

// e^x for x <= 709 (not NaN), as k_exp: the reduction x = k ln2 + r in two fused steps (each
// exact up to its one rounding), exp_reduced_fma, and scaling by 2^k in two steps, 2^(k >> 1)
// then 2^(k - (k >> 1)), so that a subnormal result is rounded once, like k_exp's. An
// x < -1024 is taken as -1024 (result 0), by an unsigned minimum of the bit patterns (negative
// doubles order like their bits; positive ones stay below the sign bit and pass through).
inline double k_exp_fma(double x) {
  x = from_bits(std::min(to_bits(x), std::uint64_t{0xc090000000000000ULL}));  // max(x, -1024)
  const double kd = fma(x, kInvLn2, kShift);
  const double kf = kd - kShift;
  const double p = exp_reduced_fma(fma(-kf, kLn2Lo, fma(-kf, kLn2Hi, x)));
  const auto k = static_cast<std::int64_t>(to_bits(kd) - to_bits(kShift));
  const std::int64_t k1 = k >> 1;  // floor(k / 2): both halves stay within [-740, 512]
  const double s1 = from_bits(static_cast<std::uint64_t>(k1 + 1023) << 52);
  const double s2 = from_bits(static_cast<std::uint64_t>(k - k1 + 1023) << 52);
  return p * s1 * s2;
}

// e^x for |x| <= 708 (a normal result: discount factors e^{-rT}), as k_exp_fma without the
// clamp and with one scaling: kd = 1.5 2^52 + k holds k in its low bits, and (bits + 1023) << 52
// is the exponent field of 2^k (the high bits shift out).
inline double k_exp_normal_fma(double x) {
  const double kd = fma(x, kInvLn2, kShift);
  const double kf = kd - kShift;
  const double p = exp_reduced_fma(fma(-kf, kLn2Lo, fma(-kf, kLn2Hi, x)));
  return p * from_bits((to_bits(kd) + 1023) << 52);
}

// ln x for finite normal x > 0, as k_log (same reduction and reconstruction, fused), with
// R(z) = z P(z), P the degree-6 Chebyshev interpolant of R(z)/z = sum_{k>=1} 2 z^(k-1)/(2k+1) on
// [0, (3 - 2 sqrt 2)^2] (7 nodes, mpmath at 40 digits; relative error of ln m < 5e-18, where the
// Taylor series needs two more terms).
inline double k_log_fma(double x) {
  const auto [e, f, s] = reduce_log(x);
  const double z = s * s;
  const double z2 = z * z;
  constexpr double b0 = 0.66666666666666696, b1 = 0.39999999999899505, b2 = 0.28571428625975487,
                   b3 = 0.22222211134795034, b4 = 0.18182889125265025, b5 = 0.15331721600446224,
                   b6 = 0.14616449686400795;
  const double even = fma(fma(fma(b6, z2, b4), z2, b2), z2, b0);
  const double odd = fma(fma(b5, z2, b3), z2, b1);
  const double R = z * fma(odd, z, even);
  const double hfsq = 0.5 * f * f;
  return fma(e, kLn2Hi, -((hfsq - fma(s, hfsq + R, e * kLn2Lo)) - f));
}

// ln(a / b) for positive normal a, b with 2^-1000 < a / b < 2^1000, without the division a / b
// (one division, not two as in k_log_fma(a / b)), and accurate relative to the result even
// when a / b is close to 1 (a / b would round first, costing up to |1 / ln(a/b)| ulps there).
// bits(a) - bits(b) + bits(1) is the bit pattern of a piecewise-linear approximation of a / b
// that is 1 to 1.125 times the ratio; its exponent, rounded at 0.75, is e, so that
// r = (a 2^-e) / b lies in [2/3, 3/2]. Then a 2^-e - b is exact (Sterbenz), u = (r - 1)/(r + 1)
// in [-1/5, 1/5] and ln r = 2 atanh(u) = 2u + u z P(z), z = u^2, with P the degree-7 Chebyshev
// interpolant of (2 atanh(u) - 2u) / (u z) on [0, 1/25] (8 nodes, mpmath at 40 digits;
// relative error of ln r < 1e-18).
inline double k_log_ratio_fma(double a, double b) {
  constexpr std::uint64_t kOneBits = 0x3ff0000000000000ULL;
  constexpr std::uint64_t kRound = kOneBits - 0x3fe8000000000000ULL;  // 1 - 0.75 in the bits
  const std::uint64_t eb = (to_bits(a) - to_bits(b) + (kOneBits + kRound)) >> 52;  // e + 1023
  const double e = from_bits(eb | 0x4330000000000000ULL) - (4503599627370496.0 + 1023.0);
  const double as = a * from_bits((2046 - eb) << 52);  // a 2^-e, exact
  const double u = (as - b) / (as + b);
  const double z = u * u;
  const double z2 = z * z;
  constexpr double b0 = 0.66666666666666663, b1 = 0.40000000000007802, b2 = 0.28571428567339141,
                   b3 = 0.22222223037815633, b4 = 0.18181738454062912, b5 = 0.15388834704232282,
                   b6 = 0.13210359964103738, b7 = 0.13604019717882709;
  const double even = fma(fma(fma(b6, z2, b4), z2, b2), z2, b0);
  const double odd = fma(fma(fma(b7, z2, b5), z2, b3), z2, b1);
  const double tail = fma(u * z, fma(odd, z, even), e * kLn2Lo);
  return fma(e, kLn2Hi, (u + u) + tail);
}

// sqrt(x) for finite x > 0, as k_sqrt but fused: the bit-level guess of 1/sqrt(x), three Newton
// steps (3.5e-2 -> 1.8e-3 -> 5e-6 -> 4e-11), then s = x y corrected by the exact residual
// x - s^2 (one fma): the error of y enters squared (~1e-21), so the result is within an ulp.
inline double k_sqrt_fma(double x) {
  double y = from_bits(0x5fe6eb50c7b537a9ULL - (to_bits(x) >> 1));
  const double hx = 0.5 * x;
  y = y * fma(-hx, y * y, 1.5);
  y = y * fma(-hx, y * y, 1.5);
  y = y * fma(-hx, y * y, 1.5);
  const double s = x * y;
  return fma(0.5 * y, fma(-s, s, x), s);
}

// Mills ratio M(z) = Phi(-z) / phi(z) for z >= 0, built like k_mills with t = (6 - z) / (6 + z)
// and degree 22 (two terms fewer): Chebyshev interpolation of M(z(t)) at 23 nodes on [-1, 1]
// (mpmath, 40 digits), coefficients rounded to double; relative error in exact arithmetic
// 4.4e-16 on [0, 40] (k_mills: 4.9e-16) and 1.3e-14 on [40, 1000] (k_mills: 1.9e-14), where
// M(z) ~ 1/z and only its absolute error matters. Estrin's scheme with fma: short chains.
inline double k_mills_fma(double z) {
  constexpr std::array<double, 23> c = {
      0.16237766089686745,    0.30880841542554271,    0.26528021382937605,     0.20530799522372098,
      0.14243452104794557,    0.087868700680837492,   0.047595052996494365,    0.022174726434630612,
      0.0085674749821656581,  0.0025403478321261506,  0.00045212799767687523,  -3.1017564807782105e-05,
      -5.14097632532517e-05,  -1.3750270297572917e-05, 1.1960451443708568e-06, 1.7951829699659936e-06,
      2.8439898727275357e-07, -1.5394308990069915e-07, -6.1287391427973919e-08, 1.0064755064623016e-08,
      8.1581109155422273e-09, -4.086376004737053e-10,  -6.4437375569415952e-10};
  const double t = (6.0 - z) / (6.0 + z);
  const double t2 = t * t;
  const double t4 = t2 * t2;
  const double t8 = t4 * t4;
  const double p0 = fma(c[1], t, c[0]), p2 = fma(c[3], t, c[2]), p4 = fma(c[5], t, c[4]),
               p6 = fma(c[7], t, c[6]), p8 = fma(c[9], t, c[8]), p10 = fma(c[11], t, c[10]),
               p12 = fma(c[13], t, c[12]), p14 = fma(c[15], t, c[14]), p16 = fma(c[17], t, c[16]),
               p18 = fma(c[19], t, c[18]), p20 = fma(c[21], t, c[20]);
  const double q0 = fma(p2, t2, p0), q4 = fma(p6, t2, p4), q8 = fma(p10, t2, p8), q12 = fma(p14, t2, p12),
               q16 = fma(p18, t2, p16), q20 = fma(c[22], t2, p20);
  const double o0 = fma(q4, t4, q0), o8 = fma(q12, t4, q8), o16 = fma(q20, t4, q16);
  return fma(fma(o16, t8, o8), t8, o0);
}

// phi(x) = e^{-x^2/2} / sqrt(2 pi) with the exact square: x^2 = hh + err, err = fma(x, x, -hh)
// exactly, and e^{-err/2} applied to first order (as k_npdf, which needs Veltkamp's split).
inline double k_npdf_fma(double x) {
  const double hh = x * x;
  const double err = fma(x, x, -hh);
  const double e = kInvSqrt2Pi * k_exp_fma(-0.5 * hh);
  return fma(e, -0.5 * err, e);
}

// F Phi(x) from the scaled density F phi(x), for a factor F > 0 (F = 1: the standard normal CDF,
// as k_ncdf, from the fused kernels): F phi(x) M(|x|) for x < 0, F minus that otherwise. A bit
// select, so an F that overflows in the branch not taken does no harm.
inline double scaled_ncdf_from_pdf_fma(double x, double scaled_pdf, double factor) {
  const double tail = scaled_pdf * k_mills_fma(std::fabs(x));
  return select_bits(sign_mask(x), tail, factor - tail);
}
inline double ncdf_from_pdf_fma(double x, double pdf) { return scaled_ncdf_from_pdf_fma(x, pdf, 1.0); }
inline double k_ncdf_fma(double x) { return ncdf_from_pdf_fma(x, k_npdf_fma(x)); }

// ---- Run-time dispatched lane loops -------------------------------------------------------------
// for_lanes<kN>(level, body) runs body(0) .. body(kN - 1) in a loop compiled three times: for the
// x86-64 baseline (SSE2), with AVX2 + FMA and with AVX-512F + FMA enabled (GCC's target attribute; keel builds
// without -march). The body must be written for the vectorizer (the kernels above, selects on
// bits, a constant trip count: GCC's -O2 "very cheap" cost model vectorizes only loops that need
// no runtime checks). Without FP contraction (-ffp-contract=off, no -ffast-math) every level
// performs the same IEEE operations on each lane, so all levels give the same bits: the level
// is a speed choice only. best_simd() is the widest level the CPU and OS support
// (__builtin_cpu_supports checks the OS-enabled register state too); callers may pass a lower
// level (tests run every level the machine has and compare the bits). Other compilers and
// architectures get the baseline loop only.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define KEEL_VMATH_X86_CLONES 1
#endif

enum class Simd : int { kBaseline = 0, kAvx2 = 1, kAvx512 = 2 };

inline Simd detect_simd() noexcept {
#ifdef KEEL_VMATH_X86_CLONES
  // FMA is required with both wide levels (every AVX2 or AVX-512 CPU keel targets has it): the
  // kernels may use fused multiply-add (fma() below), which the baseline level runs through the
  // C library's correctly rounded fma, so every level still gives the same bits.
  const bool fma = __builtin_cpu_supports("fma");
  if (fma && __builtin_cpu_supports("avx512f")) return Simd::kAvx512;
  if (fma && __builtin_cpu_supports("avx2")) return Simd::kAvx2;
#endif
  return Simd::kBaseline;
}
inline Simd best_simd() noexcept {
  static const Simd level = detect_simd();
  return level;
}

template <std::size_t kN, class Body>
[[gnu::flatten]] void for_lanes_baseline(Body body) {
  for (std::size_t i = 0; i < kN; ++i) body(i);
}
#ifdef KEEL_VMATH_X86_CLONES
template <std::size_t kN, class Body>
[[gnu::flatten, gnu::target("avx2,fma")]] void for_lanes_avx2(Body body) {
  for (std::size_t i = 0; i < kN; ++i) body(i);
}
template <std::size_t kN, class Body>
[[gnu::flatten, gnu::target("avx512f,fma")]] void for_lanes_avx512(Body body) {
  for (std::size_t i = 0; i < kN; ++i) body(i);
}
#endif

// A level above best_simd() is lowered to it (never an illegal instruction).
template <std::size_t kN, class Body>
void for_lanes(Simd level, Body body) {
  const Simd best = best_simd();
  if (static_cast<int>(level) > static_cast<int>(best)) level = best;
#ifdef KEEL_VMATH_X86_CLONES
  if (level == Simd::kAvx512) return for_lanes_avx512<kN>(body);
  if (level == Simd::kAvx2) return for_lanes_avx2<kN>(body);
#endif
  for_lanes_baseline<kN>(body);
}

}  // namespace keel::analytics::vmath
