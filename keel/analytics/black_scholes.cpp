// keel/analytics/black_scholes.cpp — see black_scholes.hpp for the contract.
//
// The arithmetic comes from keel/analytics/vector_math.hpp (branch-free kernels GCC vectorizes,
// see there why), in its fused form (k_*_fma: vfmadd inside the AVX2/AVX-512 lane loops, the C
// library's correctly rounded fma at the baseline level); the scalar API runs the very same code
// as one lane of vmath::for_lanes, so it produces the same bits as the batch at every level.
#include "keel/analytics/black_scholes.hpp"

#include "keel/analytics/vector_math.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <string>

namespace keel::analytics {
namespace {

using namespace vmath;  // NOLINT: the kernels are this file's vocabulary

// ---- Option kernels ---------------------------------------------------------------------------
// One formulation for the price-only, first-order and full kernels, so that every API gives the
// same bits for the same output. It is built around one shared exponential:
//   A = S e^{-qT} phi(d1) = K e^{-rT} phi(d2)   (an identity of the lognormal model),
// evaluated at whichever of d1, d2 is nearer zero (so it underflows only where both products
// do). With the Mills ratio M(z) = Phi(-z)/phi(z), S e^{-qT} Phi(-|d1|) = A M(|d1|) and
// K e^{-rT} Phi(-|d2|) = A M(|d2|): the price needs no division by a discount factor, and
// vega = A sqrt(T), gamma = A / (S^2 s) and theta's first term A vol^2 / (2 s) follow without
// another exponential. Divisions are the costliest vector operations left (one per Mills
// ratio, one in the log): 1/s and 1/S are formed once and multiplied.

// The kernel runs in two stages: the front (sqrt T, the discount factors, the log and d1, d2)
// and the back (the density, both Mills ratios and the outputs). The batch loops run them as
// two passes over a block, through a small buffer: each pass is a shorter dependency chain than
// the whole, so the CPU overlaps more loop iterations (one pass of the whole kernel was
// latency-bound: two passes took bsm_first_order_batch from 13.0 to 11.0 us per 1,024 options
// in bench_pricing, AVX-512). The scalar API runs the two stages back to back; the values are
// the same either way.
struct Front {
  double sqrt_t, s, inv_s, dr, dq, d1, d2;
};

struct Core : Front {
  double sq, kr, A, sqn1, krn2;
};

// Generalised Black–Scholes with carry b = r - q; kFutures selects Black-76 (b = 0, q = r).
template <bool kFutures>
inline Front front_kernel(double S, double K, double T, double vol, double r, double q) {
  Front c;
  c.sqrt_t = k_sqrt_fma(T);
  c.s = vol * c.sqrt_t;
  c.inv_s = 1.0 / c.s;
  c.dr = k_exp_normal_fma(-r * T);  // |rT| <= 500 (validated inputs): normal results
  c.dq = kFutures ? c.dr : k_exp_normal_fma(-q * T);
  const double log_fk = kFutures ? k_log_ratio_fma(S, K) : fma(r - q, T, k_log_ratio_fma(S, K));  // ln(F/K)
  c.d1 = fma(log_fk, c.inv_s, 0.5 * c.s);
  c.d2 = c.d1 - c.s;
  return c;
}

// sqn1 = S e^{-qT} N(w d1), krn2 = K e^{-rT} N(w d2).
inline Core back_kernel(double w, double S, double K, const Front& f) {
  Core c;
  static_cast<Front&>(c) = f;
  c.sq = S * c.dq;
  c.kr = K * c.dr;
  // |d1| < |d2| exactly when d1 + d2 < 0 (d1 - d2 = s > 0); the sum's sign is exact (where
  // d1 ~ -d2 the addition is exact).
  const std::uint64_t d1_nearer = sign_mask(c.d1 + c.d2);
  c.A = select_bits(d1_nearer, c.sq, c.kr) * k_npdf_fma(select_bits(d1_nearer, c.d1, c.d2));
  const double t1 = c.A * k_mills_fma(std::fabs(c.d1));  // S e^{-qT} Phi(-|d1|)
  const double t2 = c.A * k_mills_fma(std::fabs(c.d2));  // K e^{-rT} Phi(-|d2|)
  c.sqn1 = select_bits(sign_mask(w * c.d1), t1, c.sq - t1);
  c.krn2 = select_bits(sign_mask(w * c.d2), t2, c.kr - t2);
  return c;
}

template <bool kFutures>
inline Core core_kernel(double w, double S, double K, double T, double vol, double r, double q) {
  return back_kernel(w, S, K, front_kernel<kFutures>(S, K, T, vol, r, q));
}

// Rounding can push a worthless option a few ulps below zero; a price is never negative.
inline double price_of(double w, const Core& c) { return non_negative(w * (c.sqn1 - c.krn2)); }

struct FirstOut {
  double price, delta, gamma, vega, theta, rho;
};

template <bool kFutures>
inline FirstOut first_order(double w, double S, double vol, double T, double r, double q, const Core& c) {
  const double qq = kFutures ? r : q;
  const double inv_S = 1.0 / S;
  const double a_s = c.A * inv_S;  // e^{-qT} phi(d1)
  FirstOut o;
  o.price = price_of(w, c);
  o.delta = w * c.sqn1 * inv_S;
  o.gamma = a_s * inv_S * c.inv_s;
  o.vega = c.A * c.sqrt_t;
  // vol / (2 sqrt T) = vol^2 / (2 s)
  o.theta = fma(w * qq, c.sqn1, fma(-w * r, c.krn2, -0.5 * c.A * (vol * vol) * c.inv_s));
  o.rho = kFutures ? -T * o.price : w * T * c.krn2;
  return o;
}

struct KernelOut {
  double price, delta, gamma, vega, theta, rho, vanna, volga, charm, prob_itm;
};

// The back stage and the outputs, from the front stage's values.
template <bool kFutures>
inline KernelOut greeks_back(double w, double S, double K, double T, double vol, double r, double q,
                             const Front& front) {
  const Core c = back_kernel(w, S, K, front);
  const FirstOut f = first_order<kFutures>(w, S, vol, T, r, q, c);
  const double b = kFutures ? 0.0 : r - q;
  const double qq = kFutures ? r : q;
  const double a_s = c.A / S;                // e^{-qT} phi(d1)
  const double inv_vol = c.sqrt_t * c.inv_s;  // 1 / vol
  KernelOut o;
  o.price = f.price;
  o.delta = f.delta;
  o.gamma = f.gamma;
  o.vega = f.vega;
  o.theta = f.theta;
  o.rho = f.rho;
  o.vanna = -a_s * c.d2 * inv_vol;
  o.volga = f.vega * c.d1 * c.d2 * inv_vol;
  o.charm = w * qq * c.sqn1 / S - a_s * (2.0 * b * T - c.d2 * c.s) / (2.0 * T * c.s);
  o.prob_itm = c.krn2 / c.kr;
  return o;
}

template <bool kFutures>
inline KernelOut greeks_kernel(double w, double S, double K, double T, double vol, double r, double q) {
  return greeks_back<kFutures>(w, S, K, T, vol, r, q, front_kernel<kFutures>(S, K, T, vol, r, q));
}

inline FirstOut first_order_back(double w, double S, double K, double T, double vol, double r, double q,
                                 const Front& front) {
  return first_order<false>(w, S, vol, T, r, q, back_kernel(w, S, K, front));
}

inline double price_back(double w, double S, double K, const Front& front) {
  return price_of(w, back_kernel(w, S, K, front));
}

template <bool kFutures>
inline double price_kernel(double w, double S, double K, double T, double vol, double r, double q) {
  return price_of(w, core_kernel<kFutures>(w, S, K, T, vol, r, q));
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
  // Computed on |D| so that every intermediate stays finite when the result is 1 anyway.
  const double Da = std::fabs(D);
  const double mT = w * (b - 0.5 * vol * vol) * T;
  const double y1 = (Da - mT) / s;
  const double y2 = (Da + mT) / s;
  const double term1 = k_ncdf(-y1);
  const double a = k_npdf(y1) * k_mills(std::fabs(y2));
  // exp(2 m D / vol^2) is needed only when y2 < 0, i.e. m < 0, where it is <= 1.
  const double expo = -std::fabs(2.0 * mT * Da / (s * s));
  const double term2 = pick(neg_flag(y2), k_exp(expo) - a, a);
  const double p = at_most_one(term1 + term2);
  return pick(neg_flag(D), 1.0, p);
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
    case PricingStatus::kNotComputable: msg += "the method cannot evaluate these inputs in double precision"; break;
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
// and their outputs replaced by +0.0, by bit masks rather than branches.

constexpr std::size_t kBlock = 64;

struct ChunkIn {
  const double* __restrict w;   // +1 call, -1 put
  const std::uint64_t* __restrict mask;  // all ones: valid, zero: invalid
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

struct SafeInputs {
  double S, K, T, vol, r, q;
};

// Each input or a harmless substitute, selected on bits: NaN-proof and branch-free.

inline SafeInputs safe_inputs(const ChunkIn& in, std::size_t i, std::uint64_t m) {
  return SafeInputs{select_bits(m, in.S[i], 1.0),   select_bits(m, in.K[i], 1.0),
                    select_bits(m, in.T[i], 1.0),   select_bits(m, in.vol[i], 0.2),
                    select_bits(m, in.r[i], 0.0),   select_bits(m, in.q[i], 0.0)};
}

// Price and first-order Greeks of one option into the outputs (0 where the mask rejects it; the
// caller reports its status).
template <class Kernel>
inline void store_first_order(const ChunkOut& out, std::size_t i, std::uint64_t m, const Kernel& k) {
  out.price[i] = keep_if(m, k.price);
  out.delta[i] = keep_if(m, k.delta);
  out.gamma[i] = keep_if(m, k.gamma);
  out.vega[i] = keep_if(m, k.vega);
  out.theta[i] = keep_if(m, k.theta);
  out.rho[i] = keep_if(m, k.rho);
}

// The front stage's values of a block, between the two passes (see Front).
struct FrontCols {
  double* __restrict sqrt_t;
  double* __restrict s;
  double* __restrict inv_s;
  double* __restrict dr;
  double* __restrict dq;
  double* __restrict d1;
  double* __restrict d2;
};
struct FrontBuffer {
  alignas(64) double col[7][kBlock];
  FrontCols cols() { return FrontCols{col[0], col[1], col[2], col[3], col[4], col[5], col[6]}; }
};
inline void store_front(const FrontCols& fc, std::size_t i, const Front& f) {
  fc.sqrt_t[i] = f.sqrt_t;
  fc.s[i] = f.s;
  fc.inv_s[i] = f.inv_s;
  fc.dr[i] = f.dr;
  fc.dq[i] = f.dq;
  fc.d1[i] = f.d1;
  fc.d2[i] = f.d2;
}
inline Front load_front(const FrontCols& fc, std::size_t i) {
  return Front{fc.sqrt_t[i], fc.s[i], fc.inv_s[i], fc.dr[i], fc.dq[i], fc.d1[i], fc.d2[i]};
}

template <bool kFutures>
inline void front_one(const ChunkIn& in, const FrontCols& fc, std::size_t i) {
  const SafeInputs x = safe_inputs(in, i, in.mask[i]);
  store_front(fc, i, front_kernel<kFutures>(x.S, x.K, x.T, x.vol, x.r, x.q));
}

template <bool kFutures>
inline void greeks_one(const ChunkIn& in, const FrontCols& fc, const ChunkOut& out, std::size_t i) {
  const std::uint64_t m = in.mask[i];
  // The back stage reads the raw inputs: a rejected element's outputs are masked to +0.0
  // whatever they compute (its front-stage values came from the harmless substitutes).
  const KernelOut k = greeks_back<kFutures>(in.w[i], in.S[i], in.K[i], in.T[i], in.vol[i], in.r[i], in.q[i],
                                            load_front(fc, i));
  store_first_order(out, i, m, k);
  out.vanna[i] = keep_if(m, k.vanna);
  out.volga[i] = keep_if(m, k.volga);
  out.charm[i] = keep_if(m, k.charm);
  out.prob_itm[i] = keep_if(m, k.prob_itm);
}

template <bool kFutures>
inline void touch_one(const ChunkIn& in, double* __restrict touch, std::size_t i) {
  const std::uint64_t m = in.mask[i];
  const SafeInputs x = safe_inputs(in, i, m);
  touch[i] = keep_if(m, touch_kernel<kFutures>(in.w[i], x.S, x.K, x.T, x.vol, x.r, x.q));
}

inline void price_one(const ChunkIn& in, const FrontCols& fc, double* __restrict price, std::size_t i) {
  const std::uint64_t m = in.mask[i];
  price[i] = keep_if(m, price_back(in.w[i], in.S[i], in.K[i], load_front(fc, i)));  // raw inputs: see greeks_one
}

inline void first_one(const ChunkIn& in, const FrontCols& fc, const ChunkOut& out, std::size_t i) {
  const std::uint64_t m = in.mask[i];
  store_first_order(out, i, m,  // raw inputs: see greeks_one
                    first_order_back(in.w[i], in.S[i], in.K[i], in.T[i], in.vol[i], in.r[i], in.q[i], load_front(fc, i)));
}

// A full block runs the dispatched (vectorized) loop, a partial one the same body element by
// element, which rounds identically.
template <class Body>
void run_chunk(Simd level, std::size_t n, Body body) {
  if (n == kBlock) return for_lanes<kBlock>(level, body);
  for (std::size_t i = 0; i < n; ++i) body(i);
}

// The two passes of the option kernels over a chunk: the front stage into the buffer, then the
// back stage from it.
template <bool kFutures, class Back>
void run_stages(Simd level, std::size_t n, const ChunkIn& ci, const FrontCols& fc, Back back) {
  run_chunk(level, n, [ci, fc](std::size_t i) { front_one<kFutures>(ci, fc, i); });
  run_chunk(level, n, back);
}

// Range checks of the six double inputs of kBlock elements as lane masks: doubles only, no
// branches, so the loop vectorizes (the comparisons are made on every lane regardless).
struct RangeIn {
  const double* __restrict S;
  const double* __restrict K;
  const double* __restrict T;
  const double* __restrict vol;
  const double* __restrict r;
  const double* __restrict q;
};
void range_mask_block(Simd level, RangeIn in, std::uint64_t* __restrict mask) {
  for_lanes<kBlock>(level, [in, mask](std::size_t j) {
    const bool ok = (in.S[j] >= kMinPrice) & (in.S[j] <= kMaxPrice) & (in.K[j] >= kMinPrice) &
                    (in.K[j] <= kMaxPrice) & (in.T[j] >= kMinTime) & (in.T[j] <= kMaxTime) &
                    (in.vol[j] >= kMinVol) & (in.vol[j] <= kMaxVol) & (in.r[j] >= -kMaxRate) &
                    (in.r[j] <= kMaxRate) & (in.q[j] >= -kMaxRate) & (in.q[j] <= kMaxRate);
    mask[j] = std::uint64_t{0} - static_cast<std::uint64_t>(ok);
  });
}

// Validates elements [begin, begin + n) into status and the chunk buffers; returns #valid.
// A full block takes the vectorized range pass first; the per-element pass then runs the
// (ordered, naming) validate() only where a range check failed or the right is not call/put.
template <bool kFutures>
std::size_t validate_chunk(Simd level, const BsmColumns& in, std::size_t begin, std::size_t n,
                           PricingStatus* status, double* w, std::uint64_t* mask) {
  const double* q = kFutures ? in.rate.data() + begin : in.dividend_yield.data() + begin;
  if (n == kBlock) {
    range_mask_block(level, RangeIn{in.spot.data() + begin, in.strike.data() + begin, in.time.data() + begin,
                                    in.vol.data() + begin, in.rate.data() + begin, q},
                     mask);
  } else {
    for (std::size_t j = 0; j < n; ++j) mask[j] = 0;  // every element takes the full check below
  }
  std::size_t good = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const std::size_t i = begin + j;
    const OptionRight right = in.right[i];
    PricingStatus st = PricingStatus::kOk;
    if (mask[j] == 0 || (right != OptionRight::kCall && right != OptionRight::kPut)) {
      st = validate(right, in.spot[i], in.strike[i], in.time[i], in.vol[i], in.rate[i], q[j]);
    }
    status[i] = st;
    w[j] = sign_of(right);
    mask[j] = st == PricingStatus::kOk ? ~std::uint64_t{0} : std::uint64_t{0};
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
std::size_t greeks_batch(Simd level, const BsmColumns& in, const GreeksColumns& out) {
  const std::size_t n = in.spot.size();
  check_lengths<kFutures>(in, n);
  KEEL_ASSERT(out.price.size() == n && out.delta.size() == n && out.gamma.size() == n && out.vega.size() == n &&
                  out.theta.size() == n && out.rho.size() == n && out.vanna.size() == n && out.volga.size() == n &&
                  out.charm.size() == n && out.prob_itm.size() == n && out.status.size() == n,
              "bsm batch: output columns differ in length from the inputs");
  KEEL_ASSERT(out.prob_touch.empty() || out.prob_touch.size() == n, "bsm batch: prob_touch length");
  alignas(64) double w[kBlock];
  alignas(64) std::uint64_t mask[kBlock];
  FrontBuffer front;
  std::size_t good = 0;
  for (std::size_t begin = 0; begin < n; begin += kBlock) {
    const std::size_t m = std::min(kBlock, n - begin);
    good += validate_chunk<kFutures>(level, in, begin, m, out.status.data(), w, mask);
    const double* q = kFutures ? in.rate.data() + begin : in.dividend_yield.data() + begin;
    const ChunkIn ci{w, mask, in.spot.data() + begin, in.strike.data() + begin, in.time.data() + begin,
                     in.vol.data() + begin, in.rate.data() + begin, q};
    const ChunkOut co{out.price.data() + begin, out.delta.data() + begin, out.gamma.data() + begin,
                      out.vega.data() + begin,  out.theta.data() + begin, out.rho.data() + begin,
                      out.vanna.data() + begin, out.volga.data() + begin, out.charm.data() + begin,
                      out.prob_itm.data() + begin};
    const FrontCols fc = front.cols();
    run_stages<kFutures>(level, m, ci, fc, [ci, fc, co](std::size_t i) { greeks_one<kFutures>(ci, fc, co, i); });
    if (!out.prob_touch.empty()) {
      double* __restrict touch = out.prob_touch.data() + begin;
      run_chunk(level, m, [ci, touch](std::size_t i) { touch_one<kFutures>(ci, touch, i); });
    }
  }
  return good;
}

template <bool kFutures>
Result<Greeks> scalar_greeks(std::string_view what, std::string_view spot_name, OptionRight right, double S,
                             double K, double T, double vol, double r, double q) {
  const PricingStatus st = validate(right, S, K, T, vol, r, q);
  if (st != PricingStatus::kOk) return status_error(what, st, S, K, T, vol, r, q, spot_name);
  const double w = sign_of(right);
  // One lane of the dispatched loop: the kernels' fma() is then one instruction on CPUs with FMA
  // (a library call otherwise), with the same bits as the batch at every level.
  KernelOut k;
  double touch = 0.0;
  for_lanes<1>(best_simd(), [&](std::size_t) {
    k = greeks_kernel<kFutures>(w, S, K, T, vol, r, q);
    touch = touch_kernel<kFutures>(w, S, K, T, vol, r, q);
  });
  return to_greeks<kFutures>(k, touch);
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
    case PricingStatus::kNotComputable: return "not computable in double precision";
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
  double p = 0.0;
  for_lanes<1>(best_simd(), [&](std::size_t) {  // as scalar_greeks: fma() one instruction where it can be
    p = price_kernel<false>(sign_of(in.right), in.spot, in.strike, in.time, in.vol, in.rate, in.dividend_yield);
  });
  return p;
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

SimdLevel best_simd_level() noexcept { return static_cast<SimdLevel>(best_simd()); }

std::size_t bsm_batch(const BsmColumns& in, const GreeksColumns& out) {
  return greeks_batch<false>(best_simd(), in, out);
}

std::size_t black76_batch(const BsmColumns& in, const GreeksColumns& out) {
  return greeks_batch<true>(best_simd(), in, out);
}

std::size_t bsm_first_order_batch(const BsmColumns& in, const FirstOrderColumns& out) {
  return detail::bsm_first_order_batch_at(best_simd_level(), in, out);
}

std::size_t bsm_price_batch(const BsmColumns& in, std::span<double> price, std::span<PricingStatus> status) {
  return detail::bsm_price_batch_at(best_simd_level(), in, price, status);
}

namespace detail {

std::size_t bsm_batch_at(SimdLevel level, const BsmColumns& in, const GreeksColumns& out) {
  return greeks_batch<false>(static_cast<Simd>(level), in, out);
}

std::size_t bsm_first_order_batch_at(SimdLevel simd, const BsmColumns& in, const FirstOrderColumns& out) {
  const Simd level = static_cast<Simd>(simd);
  const std::size_t n = in.spot.size();
  check_lengths<false>(in, n);
  KEEL_ASSERT(out.price.size() == n && out.delta.size() == n && out.gamma.size() == n && out.vega.size() == n &&
                  out.theta.size() == n && out.rho.size() == n && out.status.size() == n,
              "bsm_first_order_batch: output columns differ in length from the inputs");
  alignas(64) double w[kBlock];
  alignas(64) std::uint64_t mask[kBlock];
  FrontBuffer front;
  std::size_t good = 0;
  for (std::size_t begin = 0; begin < n; begin += kBlock) {
    const std::size_t m = std::min(kBlock, n - begin);
    good += validate_chunk<false>(level, in, begin, m, out.status.data(), w, mask);
    const ChunkIn ci{w,
                     mask,
                     in.spot.data() + begin,
                     in.strike.data() + begin,
                     in.time.data() + begin,
                     in.vol.data() + begin,
                     in.rate.data() + begin,
                     in.dividend_yield.data() + begin};
    const ChunkOut co{out.price.data() + begin, out.delta.data() + begin, out.gamma.data() + begin,
                      out.vega.data() + begin,  out.theta.data() + begin, out.rho.data() + begin,
                      nullptr,                  nullptr,                  nullptr,
                      nullptr};
    const FrontCols fc = front.cols();
    run_stages<false>(level, m, ci, fc, [ci, fc, co](std::size_t i) { first_one(ci, fc, co, i); });
  }
  return good;
}

std::size_t bsm_price_batch_at(SimdLevel simd, const BsmColumns& in, std::span<double> price,
                               std::span<PricingStatus> status) {
  const Simd level = static_cast<Simd>(simd);
  const std::size_t n = in.spot.size();
  check_lengths<false>(in, n);
  KEEL_ASSERT(price.size() == n && status.size() == n, "bsm_price_batch: output columns differ in length");
  alignas(64) double w[kBlock];
  alignas(64) std::uint64_t mask[kBlock];
  FrontBuffer front;
  std::size_t good = 0;
  for (std::size_t begin = 0; begin < n; begin += kBlock) {
    const std::size_t m = std::min(kBlock, n - begin);
    good += validate_chunk<false>(level, in, begin, m, status.data(), w, mask);
    const ChunkIn ci{w,
                     mask,
                     in.spot.data() + begin,
                     in.strike.data() + begin,
                     in.time.data() + begin,
                     in.vol.data() + begin,
                     in.rate.data() + begin,
                     in.dividend_yield.data() + begin};
    double* __restrict p = price.data() + begin;
    const FrontCols fc = front.cols();
    run_stages<false>(level, m, ci, fc, [ci, fc, p](std::size_t i) { price_one(ci, fc, p, i); });
  }
  return good;
}

}  // namespace detail

}  // namespace keel::analytics
