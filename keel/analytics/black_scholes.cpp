// keel/analytics/black_scholes.cpp — see black_scholes.hpp for the contract.
//
// Why hand-written exp/log/normal-CDF kernels: GCC vectorizes a loop only if every call in it is
// inlined or has a SIMD variant, and glibc's vector math (libmvec) is used only under
// -ffast-math, which keel does not allow (determinism). The kernels below are branch-free
// arithmetic and integer bit manipulation, so the batch loop vectorizes and the scalar API,
// which runs the very same code one element at a time, produces the same bits.
#include "keel/analytics/black_scholes.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <string>

namespace keel::analytics {
namespace {

// ---- Elementary kernels ---------------------------------------------------------------------

constexpr double kShift = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
constexpr double kInvLn2 = 1.4426950408889634;
// ln 2 split so that k * kLn2Hi is exact for |k| < 2^21 (kLn2Hi has 32 significant bits).
constexpr double kLn2Hi = 0.6931471803691238;
constexpr double kLn2Lo = 1.9082149292705878e-10;
constexpr double kInvSqrt2Pi = 0.39894228040143268;

inline std::uint64_t to_bits(double x) { return std::bit_cast<std::uint64_t>(x); }
inline double from_bits(std::uint64_t b) { return std::bit_cast<double>(b); }

// e^x. Range reduction x = k ln2 + r, |r| <= ln2/2, then the degree-13 Taylor polynomial of
// e^r (truncation error < 4e-18) evaluated by Estrin's scheme (short dependency chains), then
// scaling by 2^k in two steps so that subnormal results are exact products too. Arguments are
// kept inside [-746, 709]: below, the true result rounds to zero; the callers never go above.
inline double k_exp(double x) {
  x = x < -746.0 ? -746.0 : x;
  x = x > 709.0 ? 709.0 : x;
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

// ln x for finite normal x > 0. x = 2^e m with m in [sqrt(1/2), sqrt(2)); with f = m - 1 and
// s = f / (2 + f), ln m = 2 atanh(s) = f - (f^2/2 - s (f^2/2 + R(s^2))) where
// R(z) = sum_{k>=1} 2 z^k / (2k + 1), |s| <= 0.1716 (Taylor terms to z^9: error < 1e-17).
inline double k_log(double x) {
  constexpr std::uint64_t kSqrtHalfBits = 0x3fe6a09e667f3bcdULL;  // sqrt(1/2)
  constexpr std::uint64_t kOneBits = 0x3ff0000000000000ULL;
  const std::uint64_t b = to_bits(x) + (kOneBits - kSqrtHalfBits);
  const double e = from_bits((b >> 52) | 0x4330000000000000ULL) - (4503599627370496.0 + 1023.0);
  const double m = from_bits((b & 0x000fffffffffffffULL) + kSqrtHalfBits);
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
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
inline double k_sqrt(double x) {
  double y = from_bits(0x5fe6eb50c7b537a9ULL - (to_bits(x) >> 1));
  const double hx = 0.5 * x;
  y = y * (1.5 - hx * y * y);
  y = y * (1.5 - hx * y * y);
  y = y * (1.5 - hx * y * y);
  y = y * (1.5 - hx * y * y);
  const double s = x * y;
  return s + 0.5 * y * (x - s * s);
}

// Mills ratio M(z) = Phi(-z) / phi(z) for z >= 0, as a degree-24 polynomial in
// t = (5 - z) / (5 + z), which maps [0, inf) onto (-1, 1]. Coefficients: Chebyshev interpolation
// of M(z(t)) at 25 Chebyshev nodes computed with mpmath at 50 digits, converted to monomials;
// measured relative error in double arithmetic < 3e-15 on [0, 40].
inline double k_mills(double z) {
  constexpr std::array<double, 25> c = {
      1.9280810471531576e-1,  3.5959476423421172e-1,  2.9094136567628261e-1,  2.0274581371204608e-1,
      1.1995557912792479e-1,  5.8689944981832402e-2,  2.2538023649908347e-2,  5.9628785254489609e-3,
      5.5033208489766741e-4,  -3.3658213078902824e-4, -1.5146922316833153e-4, -2.4096544976033776e-6,
      1.6655030966343531e-5,  3.1837066006586938e-6,  -1.6919967272241786e-6, -6.1030234352961671e-7,
      1.9299724882377844e-7,  9.88250095130962e-8,    -2.7334704969041727e-8, -1.5044680406696297e-8,
      4.5734845814076604e-9,  1.9604656651528077e-9,  -7.093340743047831e-10, -1.5555431042094022e-10,
      6.5655803124746095e-11};
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

inline double k_npdf(double x) { return kInvSqrt2Pi * k_exp(-0.5 * (x * x)); }

// Standard normal CDF: Phi(-|x|) = phi(x) M(|x|) without cancellation, Phi(|x|) = 1 - that.
inline double k_ncdf(double x) {
  const double z = std::fabs(x);
  const double tail = k_npdf(z) * k_mills(z);
  return x < 0.0 ? tail : 1.0 - tail;
}

// ---- Option kernels ---------------------------------------------------------------------------

struct KernelOut {
  double price, delta, gamma, vega, theta, rho, vanna, volga, charm, prob_itm;
};

// Generalised Black–Scholes with carry b = r - q; kFutures selects Black-76 (b = 0, q = r,
// rho with the forward held fixed).
template <bool kFutures>
inline KernelOut greeks_kernel(double w, double S, double K, double T, double vol, double r, double q) {
  const double sqrt_t = k_sqrt(T);
  const double s = vol * sqrt_t;
  const double b = kFutures ? 0.0 : r - q;
  const double dr = k_exp(-r * T);
  const double dq = kFutures ? dr : k_exp(-q * T);
  const double qq = kFutures ? r : q;
  const double d1 = (k_log(S / K) + b * T) / s + 0.5 * s;
  const double d2 = d1 - s;
  const double n1 = k_ncdf(w * d1);
  const double n2 = k_ncdf(w * d2);
  const double pdf1 = k_npdf(d1);
  const double sq = S * dq;
  const double kr = K * dr;
  KernelOut o;
  // Rounding can push a worthless option a few ulps below zero; a price is never negative.
  o.price = std::max(w * (sq * n1 - kr * n2), 0.0);
  o.delta = w * dq * n1;
  o.gamma = dq * pdf1 / (S * s);
  o.vega = sq * pdf1 * sqrt_t;
  o.theta = -sq * pdf1 * vol / (2.0 * sqrt_t) - w * r * kr * n2 + w * qq * sq * n1;
  o.rho = kFutures ? -T * o.price : w * T * kr * n2;
  o.vanna = -dq * pdf1 * d2 / vol;
  o.volga = o.vega * d1 * d2 / vol;
  o.charm = w * qq * dq * n1 - dq * pdf1 * (2.0 * b * T - d2 * s) / (2.0 * T * s);
  o.prob_itm = n2;
  return o;
}

template <bool kFutures>
inline double price_kernel(double w, double S, double K, double T, double vol, double r, double q) {
  const double s = vol * k_sqrt(T);
  const double b = kFutures ? 0.0 : r - q;
  const double dr = k_exp(-r * T);
  const double dq = kFutures ? dr : k_exp(-q * T);
  const double d1 = (k_log(S / K) + b * T) / s + 0.5 * s;
  const double d2 = d1 - s;
  return std::max(w * (S * dq * k_ncdf(w * d1) - K * dr * k_ncdf(w * d2)), 0.0);
}

// Risk-neutral probability that the underlying touches K before T. With D = w ln(K/S) (the
// distance still to travel, >= 0 unless already touched) and drift m = w (b - vol^2/2) of the
// log price towards the strike, the reflection principle gives
//   P = Phi((-D + m T)/s) + exp(2 m D / vol^2) Phi((-D - m T)/s).
// The second term is evaluated as phi(y1) M(y2) (y1, y2 the two arguments' magnitudes), which
// is the same number without the overflow of exp(2 m D / vol^2) for small vol.
template <bool kFutures>
inline double touch_kernel(double w, double S, double K, double T, double vol, double r, double q) {
  const double s = vol * k_sqrt(T);
  const double b = kFutures ? 0.0 : r - q;
  const double D = w * k_log(K / S);
  const double mT = w * (b - 0.5 * vol * vol) * T;
  const double y1 = (D - mT) / s;
  const double y2 = (D + mT) / s;
  const double term1 = k_ncdf(-y1);
  const double phi1 = k_npdf(y1);
  const double expo = std::min(2.0 * mT * D / (s * s), 0.0);
  const double term2 = y2 >= 0.0 ? phi1 * k_mills(y2) : k_exp(expo) - phi1 * k_mills(-y2);
  const double p = std::min(term1 + term2, 1.0);
  return D <= 0.0 ? 1.0 : p;
}

// ---- Validation ---------------------------------------------------------------------------------

constexpr double kMinPrice = 1e-12, kMaxPrice = 1e12;
constexpr double kMinVol = 1e-8, kMaxVol = 100.0;
constexpr double kMinTime = 1e-8, kMaxTime = 100.0;
constexpr double kMaxRate = 5.0;

inline bool within(double x, double lo, double hi) { return x >= lo && x <= hi; }  // NaN: false

inline PricingStatus validate(OptionRight right, double S, double K, double T, double vol, double r,
                              double q) {
  if (right != OptionRight::kCall && right != OptionRight::kPut) return PricingStatus::kBadRight;
  if (!within(S, kMinPrice, kMaxPrice)) return PricingStatus::kBadSpot;
  if (!within(K, kMinPrice, kMaxPrice)) return PricingStatus::kBadStrike;
  if (!within(T, kMinTime, kMaxTime)) return PricingStatus::kBadTime;
  if (!within(vol, kMinVol, kMaxVol)) return PricingStatus::kBadVol;
  if (!within(r, -kMaxRate, kMaxRate)) return PricingStatus::kBadRate;
  if (!within(q, -kMaxRate, kMaxRate)) return PricingStatus::kBadDividend;
  return PricingStatus::kOk;
}

std::string fmt_double(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

Error status_error(std::string_view what, PricingStatus st, double S, double K, double T, double vol,
                   double r, double q, std::string_view spot_name) {
  std::string msg(what);
  msg += ": ";
  switch (st) {
    case PricingStatus::kBadRight: msg += "option right must be call or put"; break;
    case PricingStatus::kBadSpot:
      msg += std::string(spot_name) + " must be finite and within [1e-12, 1e12], got " + fmt_double(S);
      break;
    case PricingStatus::kBadStrike: msg += "strike must be finite and within [1e-12, 1e12], got " + fmt_double(K); break;
    case PricingStatus::kBadTime: msg += "time must be finite and within [1e-8, 100] years, got " + fmt_double(T); break;
    case PricingStatus::kBadVol: msg += "vol must be finite and within [1e-8, 100], got " + fmt_double(vol); break;
    case PricingStatus::kBadRate: msg += "rate must be finite with |rate| <= 5, got " + fmt_double(r); break;
    case PricingStatus::kBadDividend:
      msg += "dividend yield must be finite with |yield| <= 5, got " + fmt_double(q);
      break;
    case PricingStatus::kOk: msg += "ok"; break;
  }
  return make_error(ErrorCode::kInvalidArgument, std::move(msg));
}

inline double sign_of(OptionRight right) { return right == OptionRight::kCall ? 1.0 : -1.0; }

template <bool kFutures>
Greeks to_greeks(const KernelOut& k, double touch) {
  Greeks g;
  g.price = k.price;
  g.delta = k.delta;
  g.gamma = k.gamma;
  g.vega = k.vega;
  g.theta = k.theta;
  g.theta_per_day = k.theta / 365.0;
  g.rho = k.rho;
  g.vanna = k.vanna;
  g.volga = k.volga;
  g.charm = k.charm;
  g.prob_itm = k.prob_itm;
  g.prob_touch = touch;
  return g;
}

// ---- Batch machinery ----------------------------------------------------------------------------
// Work proceeds in blocks of kBlock elements: a short validation pass (mixed uint8/double types,
// cheap) writes the status column and per-block sign/validity buffers of doubles; the pricing
// pass then sees only doubles, which keeps the vectorization factor at the double width. Its trip
// count is the constant kBlock, because GCC's -O2 cost model ("very cheap") vectorizes only
// loops that need no runtime checks; a final partial block runs the same body element by
// element, which rounds identically. Invalid elements are priced on harmless substitute inputs
// and their outputs overwritten by zeros, branch-free.

constexpr std::size_t kBlock = 64;

struct ChunkIn {
  const double* __restrict w;   // +1 call, -1 put
  const double* __restrict ok;  // 1 valid, 0 invalid
  const double* __restrict S;
  const double* __restrict K;
  const double* __restrict T;
  const double* __restrict vol;
  const double* __restrict r;
  const double* __restrict q;  // == r for Black-76
};

struct ChunkOut {
  double* __restrict price;
  double* __restrict delta;
  double* __restrict gamma;
  double* __restrict vega;
  double* __restrict theta;
  double* __restrict rho;
  double* __restrict vanna;
  double* __restrict volga;
  double* __restrict charm;
  double* __restrict prob_itm;
};

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
// AVX2 without FMA contraction (-ffp-contract=off) performs the same IEEE operations as SSE2,
// four lanes at a time, so the clone's results are bit-identical to the default one.
#define KEEL_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define KEEL_CLONES
#endif

struct SafeInputs {
  double S, K, T, vol, r, q;
};

// The loads are unconditional so that the selects if-convert (a conditional load is control flow).
inline SafeInputs safe_inputs(const ChunkIn& in, std::size_t i, bool ok) {
  const double S = in.S[i], K = in.K[i], T = in.T[i], vol = in.vol[i], r = in.r[i], q = in.q[i];
  return SafeInputs{ok ? S : 1.0, ok ? K : 1.0, ok ? T : 1.0, ok ? vol : 0.2, ok ? r : 0.0, ok ? q : 0.0};
}

template <bool kFutures>
inline void greeks_one(const ChunkIn& in, const ChunkOut& out, std::size_t i) {
  const bool ok = in.ok[i] != 0.0;
  const SafeInputs x = safe_inputs(in, i, ok);
  const KernelOut k = greeks_kernel<kFutures>(in.w[i], x.S, x.K, x.T, x.vol, x.r, x.q);
  out.price[i] = ok ? k.price : 0.0;
  out.delta[i] = ok ? k.delta : 0.0;
  out.gamma[i] = ok ? k.gamma : 0.0;
  out.vega[i] = ok ? k.vega : 0.0;
  out.theta[i] = ok ? k.theta : 0.0;
  out.rho[i] = ok ? k.rho : 0.0;
  out.vanna[i] = ok ? k.vanna : 0.0;
  out.volga[i] = ok ? k.volga : 0.0;
  out.charm[i] = ok ? k.charm : 0.0;
  out.prob_itm[i] = ok ? k.prob_itm : 0.0;
}

template <bool kFutures>
inline void touch_one(const ChunkIn& in, double* __restrict touch, std::size_t i) {
  const bool ok = in.ok[i] != 0.0;
  const SafeInputs x = safe_inputs(in, i, ok);
  const double p = touch_kernel<kFutures>(in.w[i], x.S, x.K, x.T, x.vol, x.r, x.q);
  touch[i] = ok ? p : 0.0;
}

inline void price_one(const ChunkIn& in, double* __restrict price, std::size_t i) {
  const bool ok = in.ok[i] != 0.0;
  const SafeInputs x = safe_inputs(in, i, ok);
  const double p = price_kernel<false>(in.w[i], x.S, x.K, x.T, x.vol, x.r, x.q);
  price[i] = ok ? p : 0.0;
}

template <bool kFutures>
KEEL_CLONES void greeks_block(ChunkIn in, ChunkOut out) {
  for (std::size_t i = 0; i < kBlock; ++i) greeks_one<kFutures>(in, out, i);
}
template <bool kFutures>
KEEL_CLONES void touch_block(ChunkIn in, double* __restrict touch) {
  for (std::size_t i = 0; i < kBlock; ++i) touch_one<kFutures>(in, touch, i);
}
KEEL_CLONES void price_block(ChunkIn in, double* __restrict price) {
  for (std::size_t i = 0; i < kBlock; ++i) price_one(in, price, i);
}

template <bool kFutures>
void greeks_chunk(const ChunkIn& in, const ChunkOut& out, std::size_t n) {
  if (n == kBlock) return greeks_block<kFutures>(in, out);
  for (std::size_t i = 0; i < n; ++i) greeks_one<kFutures>(in, out, i);
}
template <bool kFutures>
void touch_chunk(const ChunkIn& in, double* __restrict touch, std::size_t n) {
  if (n == kBlock) return touch_block<kFutures>(in, touch);
  for (std::size_t i = 0; i < n; ++i) touch_one<kFutures>(in, touch, i);
}
void price_chunk(const ChunkIn& in, double* __restrict price, std::size_t n) {
  if (n == kBlock) return price_block(in, price);
  for (std::size_t i = 0; i < n; ++i) price_one(in, price, i);
}

// Validates elements [begin, begin + n) into status and the chunk buffers; returns #valid.
template <bool kFutures>
std::size_t validate_chunk(const BsmColumns& in, std::size_t begin, std::size_t n, PricingStatus* status,
                           double* w, double* ok) {
  std::size_t good = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const std::size_t i = begin + j;
    const double r = in.rate[i];
    const double q = kFutures ? r : in.dividend_yield[i];
    const PricingStatus st = validate(in.right[i], in.spot[i], in.strike[i], in.time[i], in.vol[i], r, q);
    status[i] = st;
    w[j] = sign_of(in.right[i]);
    ok[j] = st == PricingStatus::kOk ? 1.0 : 0.0;
    good += st == PricingStatus::kOk ? 1 : 0;
  }
  return good;
}

template <bool kFutures>
void check_lengths(const BsmColumns& in, std::size_t n) {
  KEEL_ASSERT(in.right.size() == n && in.strike.size() == n && in.time.size() == n && in.vol.size() == n &&
                  in.rate.size() == n,
              "bsm batch: input columns differ in length");
  if constexpr (!kFutures) {
    KEEL_ASSERT(in.dividend_yield.size() == n, "bsm batch: dividend_yield column differs in length");
  }
}

template <bool kFutures>
std::size_t greeks_batch(const BsmColumns& in, const GreeksColumns& out) {
  const std::size_t n = in.spot.size();
  check_lengths<kFutures>(in, n);
  KEEL_ASSERT(out.price.size() == n && out.delta.size() == n && out.gamma.size() == n && out.vega.size() == n &&
                  out.theta.size() == n && out.rho.size() == n && out.vanna.size() == n && out.volga.size() == n &&
                  out.charm.size() == n && out.prob_itm.size() == n && out.status.size() == n,
              "bsm batch: output columns differ in length from the inputs");
  KEEL_ASSERT(out.prob_touch.empty() || out.prob_touch.size() == n, "bsm batch: prob_touch length");
  alignas(64) double w[kBlock];
  alignas(64) double ok[kBlock];
  std::size_t good = 0;
  for (std::size_t begin = 0; begin < n; begin += kBlock) {
    const std::size_t m = std::min(kBlock, n - begin);
    good += validate_chunk<kFutures>(in, begin, m, out.status.data(), w, ok);
    const double* q = kFutures ? in.rate.data() + begin : in.dividend_yield.data() + begin;
    const ChunkIn ci{w, ok, in.spot.data() + begin, in.strike.data() + begin, in.time.data() + begin,
                     in.vol.data() + begin, in.rate.data() + begin, q};
    const ChunkOut co{out.price.data() + begin, out.delta.data() + begin, out.gamma.data() + begin,
                      out.vega.data() + begin,  out.theta.data() + begin, out.rho.data() + begin,
                      out.vanna.data() + begin, out.volga.data() + begin, out.charm.data() + begin,
                      out.prob_itm.data() + begin};
    greeks_chunk<kFutures>(ci, co, m);
    if (!out.prob_touch.empty()) touch_chunk<kFutures>(ci, out.prob_touch.data() + begin, m);
  }
  return good;
}

template <bool kFutures>
Result<Greeks> scalar_greeks(std::string_view what, std::string_view spot_name, OptionRight right, double S,
                             double K, double T, double vol, double r, double q) {
  const PricingStatus st = validate(right, S, K, T, vol, r, q);
  if (st != PricingStatus::kOk) return status_error(what, st, S, K, T, vol, r, q, spot_name);
  const double w = sign_of(right);
  return to_greeks<kFutures>(greeks_kernel<kFutures>(w, S, K, T, vol, r, q),
                             touch_kernel<kFutures>(w, S, K, T, vol, r, q));
}

}  // namespace

std::string_view to_string(PricingStatus status) noexcept {
  switch (status) {
    case PricingStatus::kOk: return "ok";
    case PricingStatus::kBadRight: return "bad option right";
    case PricingStatus::kBadSpot: return "bad spot";
    case PricingStatus::kBadStrike: return "bad strike";
    case PricingStatus::kBadTime: return "bad time";
    case PricingStatus::kBadVol: return "bad vol";
    case PricingStatus::kBadRate: return "bad rate";
    case PricingStatus::kBadDividend: return "bad dividend yield";
  }
  return "unknown status";
}

Result<Greeks> bsm_greeks(const BsmInput& in) {
  return scalar_greeks<false>("bsm", "spot", in.right, in.spot, in.strike, in.time, in.vol, in.rate,
                              in.dividend_yield);
}

Result<double> bsm_price(const BsmInput& in) {
  const PricingStatus st = validate(in.right, in.spot, in.strike, in.time, in.vol, in.rate, in.dividend_yield);
  if (st != PricingStatus::kOk) {
    return status_error("bsm", st, in.spot, in.strike, in.time, in.vol, in.rate, in.dividend_yield, "spot");
  }
  return price_kernel<false>(sign_of(in.right), in.spot, in.strike, in.time, in.vol, in.rate, in.dividend_yield);
}

Result<Greeks> black76_greeks(const Black76Input& in) {
  return scalar_greeks<true>("black76", "forward", in.right, in.forward, in.strike, in.time, in.vol, in.rate,
                             in.rate);
}

Result<ExpectedMove> expected_move(double spot, double vol, double time) {
  if (!within(spot, kMinPrice, kMaxPrice)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "expected_move: spot must be finite and within [1e-12, 1e12], got " + fmt_double(spot));
  }
  if (!within(vol, kMinVol, kMaxVol)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "expected_move: vol must be finite and within [1e-8, 100], got " + fmt_double(vol));
  }
  if (!within(time, kMinTime, kMaxTime)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "expected_move: time must be finite and within [1e-8, 100] years, got " + fmt_double(time));
  }
  const double s = vol * std::sqrt(time);
  return ExpectedMove{spot * s, spot * std::exp(-s), spot * std::exp(s)};
}

std::size_t bsm_batch(const BsmColumns& in, const GreeksColumns& out) { return greeks_batch<false>(in, out); }

std::size_t black76_batch(const BsmColumns& in, const GreeksColumns& out) { return greeks_batch<true>(in, out); }

std::size_t bsm_price_batch(const BsmColumns& in, std::span<double> price, std::span<PricingStatus> status) {
  const std::size_t n = in.spot.size();
  check_lengths<false>(in, n);
  KEEL_ASSERT(price.size() == n && status.size() == n, "bsm_price_batch: output columns differ in length");
  alignas(64) double w[kBlock];
  alignas(64) double ok[kBlock];
  std::size_t good = 0;
  for (std::size_t begin = 0; begin < n; begin += kBlock) {
    const std::size_t m = std::min(kBlock, n - begin);
    good += validate_chunk<false>(in, begin, m, status.data(), w, ok);
    const ChunkIn ci{w,
                     ok,
                     in.spot.data() + begin,
                     in.strike.data() + begin,
                     in.time.data() + begin,
                     in.vol.data() + begin,
                     in.rate.data() + begin,
                     in.dividend_yield.data() + begin};
    price_chunk(ci, price.data() + begin, m);
  }
  return good;
}

}  // namespace keel::analytics
