// keel/analytics/american.cpp — see american.hpp. Implemented from the papers' formulas (and
// Haug's statement of them in "The Complete Guide to Option Pricing Formulas", 2nd ed.).
#include "keel/analytics/american.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

#include "keel/analytics/implied_vol.hpp"
#include "keel/analytics/normal.hpp"
#include "keel/analytics/vector_math.hpp"

namespace keel::analytics {
namespace {

constexpr double kTwoPi = 6.2831853071795865;

std::string fmt(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

inline bool within(double x, double lo, double hi) { return x >= lo && x <= hi; }

Status validate(const AmericanInput& in, std::span<const CashDividend> divs, bool need_vol, const char* what) {
  auto bad = [&](const std::string& m) { return make_error(ErrorCode::kInvalidArgument, std::string(what) + ": " + m); };
  if (in.right != OptionRight::kCall && in.right != OptionRight::kPut) return bad("option right must be call or put");
  if (!within(in.spot, 1e-12, 1e12)) return bad("spot must be finite and within [1e-12, 1e12], got " + fmt(in.spot));
  if (!within(in.strike, 1e-12, 1e12)) {
    return bad("strike must be finite and within [1e-12, 1e12], got " + fmt(in.strike));
  }
  if (!within(in.time, 1e-8, 100.0)) return bad("time must be finite and within [1e-8, 100] years, got " + fmt(in.time));
  if (need_vol && !within(in.vol, 1e-8, 100.0)) return bad("vol must be finite and within [1e-8, 100], got " + fmt(in.vol));
  if (!within(in.rate, -5.0, 5.0)) return bad("rate must be finite with |rate| <= 5, got " + fmt(in.rate));
  if (!within(in.dividend_yield, -5.0, 5.0)) {
    return bad("dividend yield must be finite with |yield| <= 5, got " + fmt(in.dividend_yield));
  }
  double pv = 0.0;
  for (std::size_t i = 0; i < divs.size(); ++i) {
    const CashDividend& d = divs[i];
    if (!(d.time > 0.0) || !std::isfinite(d.time)) {
      return bad("dividend " + std::to_string(i) + " time must be finite and > 0, got " + fmt(d.time));
    }
    if (!(d.amount >= 0.0) || !std::isfinite(d.amount)) {
      return bad("dividend " + std::to_string(i) + " amount must be finite and >= 0, got " + fmt(d.amount));
    }
    if (d.time <= in.time) pv += d.amount * std::exp(-in.rate * d.time);
  }
  if (!(pv < in.spot)) {
    return bad("present value of the dividends " + fmt(pv) + " is not below the spot " + fmt(in.spot));
  }
  return ok_status();
}

// PV at time t of the dividends paid after t and no later than expiry T.
double escrow(std::span<const CashDividend> divs, double t, double T, double r) {
  double pv = 0.0;
  for (const CashDividend& d : divs) {
    if (d.time > t && d.time <= T) pv += d.amount * std::exp(-r * (d.time - t));
  }
  return pv;
}

// exp, log and the normal CDF are vector_math.hpp's kernels (relative error ~1e-15; several
// times cheaper than erfc-based norm_cdf, and vectorizable, which the lane kernels need).
using vmath::k_exp;

// ---- Shared by the scalar and the batch paths -----------------------------------------------------
// Every pricing runs in three parts: a per-option setup in plain scalar code (validation,
// square roots, expm1, the early exits), lane kernels that GCC vectorizes, and a per-option
// finish. The scalar API runs the lane code on one option, the batch API on blocks of options
// (SIMD lanes across options); both call the same inline functions, which perform the same IEEE
// operations in the same order (no FP contraction, selects on bit masks rather than branches),
// so the two give identical bits. Both methods' lane code runs on vmath::for_lanes (baseline, AVX2
// + FMA, AVX-512F + FMA; explicit fma only, see the fused lane kernels), the scalar API as a
// one-lane loop at the best level, so every level gives the same bits (since session 7 for BAW,
// whose lanes were GCC target clones without fma before).

inline std::uint64_t mask_of(bool c) { return std::uint64_t{0} - static_cast<std::uint64_t>(c); }
using vmath::select_bits;

// Options per block in the batch kernels: a multiple of every vector width (2, 4, 8 doubles),
// because GCC's -O2 cost model vectorizes only loops whose trip count needs no remainder.
constexpr std::size_t kBlock = 16;

// ---- Barone-Adesi & Whaley ----------------------------------------------------------------------
// M/K of the paper with K = 1 - e^{-rT}; its limit 2/(v^2 T) at r = 0.
double m_over_k(double r, double v, double T) {
  if (r == 0.0) return 2.0 / (v * v * T);
  return 2.0 * r / (v * v * -std::expm1(-r * T));
}

// The pieces of the European value BAW's iteration needs, as functions of S, with 1/X, 1/sv and
// the drift term (b + v^2/2) T taken once per option so that the iteration divides only inside
// k_log, the normal CDF and the density ratio below.
struct Carry {
  double sv, fq, dr, inv_sv, inv_x, mu;  // fq = e^{(b-r)T}, dr = e^{-rT}, mu = (b + v^2/2) T
};
Carry make_carry(double T, double r, double b, double v, double X) {
  const double sv = v * std::sqrt(T);
  return Carry{sv, k_exp((b - r) * T), k_exp(-r * T), 1.0 / sv, 1.0 / X, (b + 0.5 * v * v) * T};
}

// European value with N(w d1) and phi(d1) from one log and one exponential (w = +1 call, -1
// put): S e^{(b-r)T} phi(d1) = X e^{-rT} phi(d2) exactly, so the density at the larger |d| is the
// other times a ratio <= 1 (no overflow, no underflow of the one that is kept). Branch-free: the
// choice is a select on bits, so that a loop over options vectorizes.
struct Euro {
  double value, n1, pdf1, d1;
};
inline Euro euro(double w, double S, double X, const Carry& c) {
  const double d1 = (vmath::k_log_fma(S * c.inv_x) + c.mu) * c.inv_sv;
  const double d2 = d1 - c.sv;
  const double sq = S * c.fq, kr = X * c.dr;
  const std::uint64_t first = mask_of(std::fabs(d1) <= std::fabs(d2));
  const double p = vmath::k_npdf_fma(select_bits(first, d1, d2));
  const double other = p * (select_bits(first, sq, kr) / select_bits(first, kr, sq));
  const double pdf1 = select_bits(first, p, other), pdf2 = select_bits(first, other, p);
  const double n1 = vmath::ncdf_from_pdf_fma(w * d1, pdf1);
  const double n2 = vmath::ncdf_from_pdf_fma(w * d2, pdf2);
  return Euro{w * (sq * n1 - kr * n2), n1, pdf1, d1};
}

// Per-option constants of BAW's critical-price iteration and its finish.
struct BawConst {
  double w, S, X, q, inv_q, a, d_scale, tol, intrinsic;
  Carry c;
  std::uint64_t exercise_never;  // all ones: call with b >= r or put with r <= 0 (European value)
};

// Barone-Adesi & Whaley's critical price S* for w = +1 (call, q = q2 > 0) or w = -1 (put,
// q = q1 < 0) solves g(S) = w (S - X) - c_w(S) - w (1 - fq N(w d1(S))) S / q = 0 (their eqs. 24
// and 27). The seeds: for calls Bjerksund & Stensland's (2002) flat trigger price for the whole
// life, the perpetual critical price blended towards the lower bound b0 = max(X, r X / (r - b))
// (for small dividend yields b0 is far above X, where BAW's own seed, blended towards X, starts:
// one or two Halley steps fewer there); for puts BAW's own (1987, section III), the perpetual
// critical price blended towards X.
BawConst baw_setup(bool call, double S, double X, double T, double r, double b, double v, double& seed) {
  BawConst k{};
  k.w = call ? 1.0 : -1.0;
  k.S = S;
  k.X = X;
  k.c = make_carry(T, r, b, v, X);
  k.intrinsic = std::max(call ? S - X : X - S, 0.0);
  k.tol = 1e-13 * X;
  k.exercise_never = mask_of(call ? b >= r : r <= 0.0);
  const double N = 2.0 * b / (v * v), M = 2.0 * r / (v * v);
  const double root = std::sqrt((N - 1.0) * (N - 1.0) + 4.0 * (k.exercise_never ? M : m_over_k(r, v, T)));
  const double root_inf = std::sqrt((N - 1.0) * (N - 1.0) + 4.0 * M);
  k.q = 0.5 * (-(N - 1.0) + k.w * root);
  const double q_inf = 0.5 * (-(N - 1.0) + k.w * root_inf);
  const double sinf = X / (1.0 - 1.0 / q_inf);
  if (call) {
    const double b0 = std::max(X, r / (r - b) * X);
    const double h2 = -(b * T + 2.0 * k.c.sv) * X * X / ((sinf - b0) * b0);
    seed = b0 + (sinf - b0) * (1.0 - k_exp(h2));
    if (!(seed > X) || !std::isfinite(seed)) seed = X * 1.5;
  } else {
    const double h1 = (b * T - 2.0 * k.c.sv) * X / (X - sinf);
    seed = sinf + (X - sinf) * k_exp(h1);
    if (!(seed > 0.0 && seed < X) || !std::isfinite(seed)) seed = 0.5 * X;
  }
  if (k.exercise_never != 0 || !(k.q != 0.0) || !std::isfinite(k.q)) {
    k.exercise_never = ~std::uint64_t{0};  // no iteration; harmless constants for the lanes
    k.q = k.w;
    seed = X;
  }
  k.inv_q = 1.0 / k.q;
  k.a = 1.0 - k.inv_q;
  k.d_scale = k.c.inv_sv * k.inv_q;
  return k;
}

// One step of Halley's method on g with the analytic derivatives (A = 1 - 1/q):
//   g'  = w - w fq N(w d1) A - (w - fq phi(d1)/sv) / q        [= w - d/dS of the rest]
//   g'' = -fq phi(d1) / (S sv) (A + d1 / (sv q)).
// Cubic convergence takes a seed's ~1e-2 to the 1e-13 X stopping test in two or three steps
// where Newton needed four to six. The step
//   g / g' / (1 - g g'' / (2 g'^2)) = 2 g g' S / (2 g'^2 S - g (g'' S))
// is formed with one division (the iteration is a chain of dependent operations; divisions are
// its slowest links).
struct BawStep {
  double next;
  Euro shortcut;        // Euro at `next` by Taylor expansion when `last`
  std::uint64_t conv;   // |g| <= tol: si is the critical price, nothing changes
  std::uint64_t last;   // a small Halley step: `next` with `shortcut` ends the iteration
};
inline BawStep baw_step(const BawConst& k, double si, const Euro& e) {
  const double w = k.w, X = k.X, inv_q = k.inv_q;
  const Carry& c = k.c;
  const double g = w * (si - X) - e.value - w * (1.0 - c.fq * e.n1) * si * inv_q;
  BawStep s{};
  s.conv = mask_of(std::fabs(g) <= k.tol);
  const double fphi = c.fq * e.pdf1 * c.inv_sv;
  const double g1 = w - w * c.fq * e.n1 * k.a - (w - fphi) * inv_q;
  const double g2s = -fphi * (k.a + e.d1 * k.d_scale);  // g'' S
  const double g1sq = g1 * g1;
  const double den = 2.0 * g1sq * si - g * g2s;  // 2 g'^2 S (1 - g g'' / (2 g'^2))
  // Halley's correction unless it misbehaves far from the root (1 - g g''/(2 g'^2) outside
  // (1/2, 2)); Newton is then the safe step. Where Halley's step overshoots past zero (small r,
  // large q: the curvature term is large far from the root), Newton's step; where that does
  // too, halve S.
  const std::uint64_t halley = mask_of((den > g1sq * si) & (den < 4.0 * g1sq * si));
  const double newton = si - g / g1;
  const double halley_next = si - 2.0 * g * g1 * si / den;
  double next = select_bits(halley, halley_next, newton);
  const std::uint64_t bad = mask_of(!((next > 0.0) & (next <= std::numeric_limits<double>::max())));
  next = select_bits(bad, newton, next);
  const std::uint64_t bad2 = mask_of(!((next > 0.0) & (next <= std::numeric_limits<double>::max())));
  next = select_bits(bad2, 0.5 * si, next);
  s.next = next;
  // A Halley step this small is the last one: with cubic convergence the error it leaves is
  // about (step/S)^3 S / sv^2 (g varies on the scale d1 ~ ln S / sv), below 1e-15 sv S once
  // |step| <= 1e-5 sv S, far inside the 1e-13 X stopping test. Then the Euro at the new point
  // is not evaluated again: with delta = ln(next/si)/sv (|delta| <= 1e-5, three terms of the
  // log series), N(w d1) moves by w phi (delta - d1 delta^2 / 2 + (d1^2 - 1) delta^3 / 6)
  // (Taylor; the next term is below 1e-21). The finish reads only n1. Against the full iteration
  // over 200,000 random calls and puts (S 50..150, X 100, T 0.01..5, vol 5%..150%, r and q
  // -2%..15%) the BAW price moved by at most 2.9e-16 X.
  s.last = halley & ~bad & mask_of(std::fabs(next - si) <= 1e-5 * c.sv * si);
  const double eps = (next - si) / si;
  const double delta = (eps - eps * eps * (0.5 - eps * (1.0 / 3.0))) * c.inv_sv;
  s.shortcut.value = e.value + w * c.fq * e.n1 * (next - si);  // first order: dc_w/dS = w fq N(w d1)
  s.shortcut.n1 =
      e.n1 + w * e.pdf1 * delta * (1.0 - 0.5 * e.d1 * delta + (e.d1 * e.d1 - 1.0) * delta * delta * (1.0 / 6.0));
  s.shortcut.pdf1 = e.pdf1 * (1.0 - e.d1 * delta);
  s.shortcut.d1 = e.d1 + delta;
  return s;
}

// The BAW value from the critical price S* (n1 = N(w d1(S*))) and the European value at S:
// c_w(S) + A (S/S*)^q with A = w S*/q (1 - fq N(w d1(S*))), or the exercise value beyond S*;
// then at least max(exercise value, European value) (see baw_price).
inline double baw_finish(const BawConst& k, double si, double n1, double euro_at_s) {
  const double A = k.w * si * k.inv_q * (1.0 - k.c.fq * n1);
  const double v = euro_at_s + A * vmath::k_exp_fma(k.q * vmath::k_log_fma(k.S / si));
  const std::uint64_t beyond = mask_of(k.w * (k.S - si) >= 0.0);
  double raw = select_bits(beyond, k.w * (k.S - k.X), v);
  raw = select_bits(k.exercise_never, euro_at_s, raw);
  return std::max(raw, std::max(k.intrinsic, euro_at_s));
}

constexpr int kBawMaxSteps = 100;

// The scalar API: the lane code on one option inside a one-lane loop at `level` (the FMA levels
// run the fused operations as instructions).
double baw_one(vmath::Simd level, bool call, double S, double X, double T, double r, double b, double v) {
  double si = 0.0;
  const BawConst k = baw_setup(call, S, X, T, r, b, v, si);
  double out = 0.0;
  double* const po = &out;
  vmath::for_lanes<1>(level, [=, &k](std::size_t) {
    double x = si;
    const Euro at_s = euro(k.w, k.S, X, k.c);
    if (k.exercise_never != 0) {
      *po = baw_finish(k, x, 0.0, at_s.value);
      return;
    }
    Euro e = euro(k.w, x, X, k.c);
    for (int it = 0; it < kBawMaxSteps; ++it) {
      const BawStep s = baw_step(k, x, e);
      if (s.conv) break;
      x = s.next;
      if (s.last) {
        e = s.shortcut;
        break;
      }
      e = euro(k.w, x, X, k.c);
    }
    *po = baw_finish(k, x, e.n1, at_s.value);
  });
  return out;
}

// A block of kBlock options in lanes, structure of arrays: the same steps as baw_one, each lane
// frozen (by selects) once its own iteration has ended, so that a lane sees exactly the
// operations baw_one performs.
struct BawBlock {
  alignas(64) double w[kBlock], S[kBlock], X[kBlock], q[kBlock], inv_q[kBlock], a[kBlock], d_scale[kBlock],
      tol[kBlock], intrinsic[kBlock];
  alignas(64) double sv[kBlock], fq[kBlock], dr[kBlock], inv_sv[kBlock], inv_x[kBlock], mu[kBlock];
  alignas(64) std::uint64_t never[kBlock], active[kBlock];
  alignas(64) double si[kBlock], value[kBlock], n1[kBlock], pdf1[kBlock], d1[kBlock], at_s[kBlock], out[kBlock];

  void store(std::size_t j, const BawConst& k) {
    w[j] = k.w, S[j] = k.S, X[j] = k.X, q[j] = k.q, inv_q[j] = k.inv_q, a[j] = k.a, d_scale[j] = k.d_scale;
    tol[j] = k.tol, intrinsic[j] = k.intrinsic, never[j] = k.exercise_never;
    sv[j] = k.c.sv, fq[j] = k.c.fq, dr[j] = k.c.dr, inv_sv[j] = k.c.inv_sv, inv_x[j] = k.c.inv_x, mu[j] = k.c.mu;
  }
  BawConst load(std::size_t j) const {
    return BawConst{w[j],         S[j],         X[j], q[j], inv_q[j], a[j], d_scale[j], tol[j], intrinsic[j],
                    Carry{sv[j], fq[j], dr[j], inv_sv[j], inv_x[j], mu[j]}, never[j]};
  }
};

void baw_block_start(vmath::Simd level, BawBlock* __restrict pb) {
  vmath::for_lanes<kBlock>(level, [pb](std::size_t j) {
    BawBlock& b = *pb;
    const BawConst k = b.load(j);
    b.at_s[j] = euro(k.w, k.S, k.X, k.c).value;
    const Euro e = euro(k.w, b.si[j], k.X, k.c);
    b.value[j] = e.value;
    b.n1[j] = e.n1;
    b.pdf1[j] = e.pdf1;
    b.d1[j] = e.d1;
  });
}

// One step on every lane (lanes whose iteration has ended keep their values).
void baw_block_step(vmath::Simd level, BawBlock* __restrict pb) {
  vmath::for_lanes<kBlock>(level, [pb](std::size_t j) {
    BawBlock& b = *pb;
    const BawConst k = b.load(j);
    const double si = b.si[j];
    const Euro e{b.value[j], b.n1[j], b.pdf1[j], b.d1[j]};
    const BawStep s = baw_step(k, si, e);
    const Euro en = euro(k.w, s.next, k.X, k.c);
    const std::uint64_t live = b.active[j];
    const std::uint64_t move = live & ~s.conv;  // si becomes next
    const std::uint64_t fresh = move & ~s.last;   // Euro evaluated at next
    const std::uint64_t cut = move & s.last;      // Euro from the shortcut
    b.si[j] = select_bits(move, s.next, si);
    b.value[j] = select_bits(fresh, en.value, select_bits(cut, s.shortcut.value, e.value));
    b.n1[j] = select_bits(fresh, en.n1, select_bits(cut, s.shortcut.n1, e.n1));
    b.pdf1[j] = select_bits(fresh, en.pdf1, select_bits(cut, s.shortcut.pdf1, e.pdf1));
    b.d1[j] = select_bits(fresh, en.d1, select_bits(cut, s.shortcut.d1, e.d1));
    b.active[j] = fresh;
  });
}

void baw_block_finish(vmath::Simd level, BawBlock* __restrict pb) {
  vmath::for_lanes<kBlock>(level, [pb](std::size_t j) {
    BawBlock& b = *pb;
    b.out[j] = baw_finish(b.load(j), b.si[j], b.n1[j], b.at_s[j]);
  });
}

// ---- Bivariate normal (Genz 2004: Drezner–Wesolowsky integral by Gauss–Legendre) ----------------
// P(X > h, Y > k) = Phi(-h) Phi(-k) + 1/(2 pi) int_0^{asin rho} exp(-(h^2 + k^2 - 2 h k sin t)
// / (2 cos^2 t)) dt, with t = asin(rho) (1 +- x_i) / 2 at the 20 Gauss–Legendre nodes.
// Nodes and weights computed with mpmath (roots of P_20).
constexpr std::array<std::array<double, 2>, 10> kGl20 = {{
    {7.6526521133497334e-2, 1.5275338713072585e-1},
    {2.2778585114164508e-1, 1.4917298647260375e-1},
    {3.7370608871541956e-1, 1.4209610931838205e-1},
    {5.108670019508271e-1, 1.3168863844917663e-1},
    {6.3605368072651503e-1, 1.1819453196151842e-1},
    {7.4633190646015079e-1, 1.0193011981724044e-1},
    {8.3911697182221882e-1, 8.3276741576704749e-2},
    {9.1223442825132591e-1, 6.2672048334109064e-2},
    {9.6397192727791379e-1, 4.0601429800386941e-2},
    {9.9312859918509492e-1, 1.7614007139152118e-2},
}};

// For Bjerksund–Stensland's fixed correlation rho = sqrt(t1/T) = sqrt((sqrt 5 - 1)/2) ~ 0.786 the
// integrand is analytic on [0, asin rho]; its nearest singularity is theta = pi/2 (cos theta = 0),
// where exp(-(h^2 + k^2 - 2 h k sin theta) / (2 cos^2 theta)) varies fastest, and Gauss–Legendre
// in theta needs 12 nodes for an absolute error near 1e-15 (10 nodes: 2e-13, 11: 9.2e-15). The
// substitution theta = pi/2 - D e^tau, D = pi/2 - asin(rho), tau in [0, ln(pi / (2 D))], sends
// that singularity to tau = -inf, and 10 Gauss–Legendre nodes in tau then give an absolute error
// of P(X > h, Y > k) at +-rho below 1.2e-14 against a 40-node sum in theta, measured on the grid
// h, k in [-8, 8] step 0.5 (11 nodes: 7e-16; 9 nodes: 2e-13). On the price, against the
// term-by-term reference with Genz's 20 nodes (american_test.cpp), the worst error measured is
// 4.9e-14 of the strike on the test's 4000 options and 5.6e-14 on 200,000 (11 nodes: 3.3e-15 and
// 3.8e-15); the test's bound is 1e-13. Genz (2004) takes 20 nodes in theta for every |rho| in
// [0.75, 0.925); bivariate_normal_cdf below keeps them. Per node, in increasing theta:
// sin(theta_i) and its weight in theta, W_i = w_i (L / 2) D e^tau_i, with w_i, x_i those of P_10
// on [-1, 1] and tau_i = L (1 + x_i) / 2, L = ln(pi / (2 D)) (mpmath, 50 digits; the W_i sum to
// asin rho).
constexpr std::array<std::array<double, 2>, 10> kBjsGl = {{
    {1.7478404343444131e-2, 4.4411873604591842e-2},
    {8.8202272578852304e-2, 9.5014142510194994e-2},
    {2.0040439920141779e-1, 1.2862539127173061e-1},
    {3.3240017693904472e-1, 1.4225750560151339e-1},
    {4.6209431899839778e-1, 1.3819586163967434e-1},
    {5.7374301570578317e-1, 1.2163005509206537e-1},
    {6.6036737605414652e-1, 9.8093433661296218e-2},
    {7.2177588652240332e-1, 7.182138056207227e-2},
    {7.6100861696511266e-1, 4.5244020941040087e-2},
    {7.8149585637911459e-1, 1.9263229418202235e-2},
}};

// P(X > h, Y > k) given asin(rho) and the sines at the nodes (sign = -1 flips rho).
double bvn_upper(double h, double k, double asr, const std::array<std::array<double, 2>, 10>& sn, double sign) {
  const double hk = h * k, hs = 0.5 * (h * h + k * k);
  double sum = 0.0;
  for (std::size_t i = 0; i < kGl20.size(); ++i) {
    for (int j = 0; j < 2; ++j) {
      const double s = sign * sn[i][j];
      sum += kGl20[i][1] * std::exp((s * hk - hs) / (1.0 - s * s));
    }
  }
  return sum * (sign * asr) / (2.0 * kTwoPi) + norm_cdf(-h) * norm_cdf(-k);
}

// The same sum for Bjerksund–Stensland's fixed correlation, with the node constants laid out flat
// so that the 10 node terms of a lane run in one unrolled sequence while the lanes run in SIMD.
constexpr std::size_t kBjsNodeCount = kBjsGl.size();

// 2^u = 1 + u Q(u) on [-1/2, 1/2], Q the interpolant of (2^u - 1)/u at the 10 Chebyshev nodes
// of [-1/2, 1/2] (mpmath, 50 digits, monomial coefficients; its relative error on 2^u is below
// 5.9e-16 on a 2001-point grid; w_i 2^u as evaluated below (fused Horner steps), against long
// double exp2l at 2e6 random u per weight: relative error < 7.4e-16). The node terms need an
// absolute 1e-16: they are at most the weights, below 0.15, and the sum's quadrature error is
// 1.2e-14.
constexpr std::array<double, 10> kExp2Q = {
    0.69314718055994616,    0.24022650695910076,    0.055504108664651672,  0.0096181291076186656,
    0.0013333558200794593,  0.00015403530424776528, 1.5252672924850736e-5, 1.3215451633221434e-6,
    1.0205905413765596e-7,  7.0709778665081386e-9};

struct BjsNodes {
  // sin(theta_i) and 1/((1 - sin^2 theta_i) ln 2) of node i; its weight w_i (kBjsGl's W_i) and w_i kExp2Q[m] (the
  // weight folded into the polynomial: w_i 2^u = w_i + u (w_i Q(u)), one multiplication fewer).
  std::array<double, kBjsNodeCount> sn{}, inv{}, w{};
  std::array<std::array<double, kExp2Q.size()>, kBjsNodeCount> wq{};
};
constexpr BjsNodes make_bjs_nodes() {
  BjsNodes n;
  for (std::size_t m = 0; m < kBjsNodeCount; ++m) {
    const double s = kBjsGl[m][0], w = kBjsGl[m][1];
    n.sn[m] = s;
    n.w[m] = w;
    n.inv[m] = 1.0 / ((1.0 - s * s) * 0.69314718055994531);
    for (std::size_t c = 0; c < kExp2Q.size(); ++c) n.wq[m][c] = w * kExp2Q[c];
  }
  return n;
}
constexpr BjsNodes kBjsNodes = make_bjs_nodes();

// Node exponents y = x / ln 2 below -1017 are taken as -1017: w_i 2^y (w_i in [0.019, 0.15]) then
// stays normal, so 2^n can be applied by adding n to the exponent bits, and a term below 2^-1017 w_i
// (< 2e-307) becomes 2^-1017 w_i, an absolute change below 2e-307. The exponents carry the
// logarithm of the factor (I/S)^kappa that multiplies the bivariate normal in psi (lb, in base 2),
// so a term is that factor times its integral term, and the floor is never multiplied by a factor
// afterwards (it was until session 7: 2e-307 times a factor near e^700 put errors of 1e-3 on
// prices). On the bits of a negative exponent the clamp is an unsigned minimum, one instruction
// with AVX-512; a positive exponent (a factor above the term's reciprocal) has smaller bits and
// passes. Lanes whose h, k are not finite (options whose formula is not used) are evaluated at
// hk = 0, hs = 1e300, lb = 0 (every term 2^-1017 w_i) so that they stay finite.
constexpr double kBvnMinY = -1017.0, kBvnHugeHs = 1e300;

// ---- Fused lane kernels ------------------------------------------------------------------------------
// The Bjerksund–Stensland lanes run on vmath::for_lanes (baseline, AVX2 + FMA, AVX-512F + FMA) and
// use fused multiply-add where their source says so (vmath::fma: one vfmadd at the wide levels,
// the C library's correctly rounded fma at the baseline), so every level and the scalar API give
// the same bits. Nothing else fuses (-ffp-contract=off).
using vmath::fma;

// w_i 2^y for the node terms of the sum, y = x / ln 2 for the exponents x = (s hk - hs) / (1 - s^2),
// which are <= 0 (h^2 + k^2 >= 2 |h k| and |s| < 1): the terms lie in [0, 1] and the sum needs
// them to an absolute 1e-16, not to an ulp of their own size. Cheaper than vmath::k_exp: the
// node constants carry the 1/ln 2, so the reduction y = n + u, |u| <= 1/2, is exact with no
// Cody-Waite split (y = fma(s, hk, -hs) / ((1 - s^2) ln 2) is within about an ulp of y: below
// 6e-15 relative on a term above 4e-18, i.e. below 1e-17 absolute once weighted);
// w_i 2^u = w_i + u (w_i Q(u)) by Horner's rule in fused steps (the 10 node terms of a lane are
// independent, so the out-of-order core overlaps their chains; Horner takes the fewest
// operations), and 2^n is applied by adding n to the exponent bits, exact (equal to the product
// by 2^n) while the result is normal, which kBvnMinY guarantees.
inline double bvn_node_term(std::size_t i, double hk, double hs, double lb) {
  const std::uint64_t yb = vmath::to_bits(fma(fma(kBjsNodes.sn[i], hk, -hs), kBjsNodes.inv[i], lb));
  constexpr std::uint64_t kMinYBits = std::bit_cast<std::uint64_t>(kBvnMinY);
  const double y = vmath::from_bits(yb < kMinYBits ? yb : kMinYBits);
  const double kd = y + vmath::kShift;
  const double kf = kd - vmath::kShift;
  const double u = y - kf;
  const std::array<double, kExp2Q.size()>& c = kBjsNodes.wq[i];
  double q = c[9];
#pragma GCC unroll 9
  for (std::size_t m = 9; m-- > 0;) q = fma(q, u, c[m]);
  const double p = fma(q, u, kBjsNodes.w[i]);
  // The low bits of kd hold n (two's complement); shifted by 52 they are n in the exponent field.
  return vmath::from_bits(vmath::to_bits(p) + (vmath::to_bits(kd) << 52));
}

// F Phi(x) for a factor F of the formula (F = 1 for most rows): F phi(x) M(|x|) for x <= 0 and
// F minus that for x > 0, M the Mills ratio Phi(-z) / phi(z): vmath::k_ncdf_fma's method with
// vmath::k_mills_fma (degree 22 in t = (6 - z) / (6 + z)); vmath::scaled_ncdf_from_pdf_fma takes
// the scaled density F phi(x). ncdf_f computes it as
// e^{ln F - hh/2} (1 - err/2) / sqrt(2 pi): the exact square x^2 = hh + err comes from one fma and
// e^{-err/2} is applied to first order (for F = 1, ln F - hh/2 = -hh/2 exactly);
// vmath::k_exp_normal_fma (one scaling by 2^k) takes the exponent clamped at -708 (on the bits of
// a negative double, an unsigned minimum) and a density whose exponent is below -708 is flushed
// to zero: its tail is below 3.5e-310, an absolute change far below the bivariate normals' floor
// (kBvnMinY: 2e-307). (Until session 7 such densities were raised to the floor instead and then
// multiplied by factors up to e^700.) ncdf_f also stores the density it used in `dens`.
inline double ncdf_f(double x, double lf, double one, double& dens) {
  const double hh = x * x;
  const double err = fma(x, x, -hh);
  constexpr std::uint64_t kMinArgBits = std::bit_cast<std::uint64_t>(-708.0);
  const std::uint64_t ab = vmath::to_bits(lf - 0.5 * hh);
  const std::uint64_t keep = mask_of(ab <= kMinArgBits);  // arg >= -708 (or positive)
  const double arg = vmath::from_bits(std::min(ab, kMinArgBits));
  const double e = vmath::keep_if(keep, vmath::kInvSqrt2Pi * vmath::k_exp_normal_fma(arg));
  dens = fma(-0.5 * err, e, e);
  return vmath::scaled_ncdf_from_pdf_fma(x, dens, one);
}

// Rows of the 40 distinct normal CDFs of Bjerksund–Stensland (see that section): Phi(-e) of psi by
// gamma group (beta, 1, 0; e1..e4 each), Phi(-f) of the 20 bivariate normals, the two of each phi
// term with H = I2 (d, d'; groups beta, 1, 0), the European value's two.
constexpr std::size_t kBjsCdf = 40, kECdf = 0, kFCdf = 12, kPhiCdf = 32, kEuroCdf = 38;
// Nine of them are always multiplied by a factor F of the formula and are computed as F Phi(x)
// (ncdf_f): Phi(-e2), Phi(-e3), Phi(-e4) of each gamma group by (I2/S)^kappa, (I1/S)^kappa,
// (I1/I2)^kappa, and phi's Phi(d') by (I2/S)^kappa. Six of these take their scaled density F phi(x)
// from another row's plain density (reflection; the densities are symmetric, so the signs of the
// CDF arguments do not matter). With drift = b + (gamma - 1/2) v^2 and
// kappa = 2 drift / v^2 = 2 b / v^2 + 2 gamma - 1 (psi's and phi's exponent):
// - psi: e1, e3 = (ln(S / I1) +- drift t1) / (v sqrt t1), so e1^2 - e3^2 = 2 kappa ln(S / I1) and
//   (I1 / S)^kappa phi(e3) = phi(e1);
// - phi with H = I = I2: d = (ln(I2 / S) - drift t1) / (v sqrt t1), d' = d - 2 ln(I2 / S) /
//   (v sqrt t1), so d^2 - d'^2 = -2 kappa ln(I2 / S) and (I2 / S)^kappa phi(d') = phi(d)
//   (Haug 2007, sec. 3.1.2, writes both identities' terms).
// Each reflected CDF then costs a Mills ratio and a product instead of a Mills ratio and an
// exponential; a partner density flushed to zero (below e^-708 / sqrt(2 pi)) leaves its reflected
// value an absolute error below 3.5e-310. Listed per reflected row (increasing): its partner row
// and the row of the factor among the exponentials (F for x > 0).
constexpr std::size_t kReflN = 6, kDirectCdf = kBjsCdf - kReflN;
constexpr std::array<std::size_t, kReflN> kReflRow = {kECdf + 2,   kECdf + 6,   kECdf + 10,
                                                      kPhiCdf + 1, kPhiCdf + 3, kPhiCdf + 5};
constexpr std::array<std::size_t, kReflN> kReflPartner = {kECdf, kECdf + 4, kECdf + 8, kPhiCdf, kPhiCdf + 2, kPhiCdf + 4};
constexpr std::array<std::size_t, kReflN> kReflExp = {2, 6, 10, 1, 5, 9};  // psi's (I1/S)^k, (I2/S)^k
// Where row m is stored (BjsArrays::cdf_at): the reflected row i at kDirectCdf + i (i.e. row i
// of BjsArrays::refl), its partner at i, the other direct rows in order from kReflN.
constexpr std::size_t kBjsExp = 19;
// make_phys: rows `front` at 0..5, rows `back` (where given) at N - 6.., the others in order.
template <std::size_t N>
constexpr std::array<std::size_t, N> make_phys(const std::array<std::size_t, kReflN>& front,
                                               const std::array<std::size_t, kReflN>* back) {
  std::array<std::size_t, N> p{};
  std::size_t next = kReflN;
  for (std::size_t m = 0; m < N; ++m) {
    bool placed = false;
    for (std::size_t i = 0; i < kReflN; ++i) {
      if (front[i] == m) p[m] = i, placed = true;
      if (back != nullptr && (*back)[i] == m) p[m] = N - kReflN + i, placed = true;
    }
    if (!placed) p[m] = next++;
  }
  return p;
}
constexpr std::array<std::size_t, kBjsCdf> kCdfPhys = make_phys<kBjsCdf>(kReflPartner, &kReflRow);
// The exponential factors likewise (BjsArrays::ex_at): reflected row i's factor at i, the others
// in order (their meaning: kPhiExp.. in the Bjerksund–Stensland section).
constexpr std::array<std::size_t, kBjsExp> kExpPhys = make_phys<kBjsExp>(kReflExp, nullptr);
static_assert(kCdfPhys[kECdf] == 0 && kCdfPhys[kPhiCdf + 5] == kBjsCdf - 1 &&
              kCdfPhys[kEuroCdf + 1] == kDirectCdf - 1);
static_assert(kExpPhys[10] == 2 && kExpPhys[9] == 5 && kExpPhys[0] == kReflN && kExpPhys[kBjsExp - 1] == kBjsExp - 1);
// The directly computed CDF rows that carry a factor: Phi(-e2) x (I2/S)^kappa and
// Phi(-e4) x (I1/I2)^kappa of each gamma group, and the rows of their factors.
constexpr std::size_t kScaledN = 6;
constexpr std::array<std::size_t, kScaledN> kScaledRow = {kECdf + 1, kECdf + 3, kECdf + 5, kECdf + 7, kECdf + 9, kECdf + 11};
constexpr std::array<std::size_t, kScaledN> kScaledExp = {1, 3, 5, 7, 9, 11};

// Lane kernels over N independent lanes (N a multiple of 8) of a BjsArrays. bvn_lanes: lane j
// gets the integral part of P(X > h_j, Y > k_j) at correlation sign_j * rho_BjS (the caller adds
// Phi(-h_j) Phi(-k_j), whose factors it shares between lanes); each lane's 10 node terms are
// unrolled and the loop over the lanes runs eight (AVX-512), four (AVX2) or two (SSE2) lanes at
// a time. Each lane adds its node terms in node order, exactly as a one-at-a-time sum would, so a
// lane's result depends neither on the lane count nor on its position. Padding lanes hold
// h = k = 0. The kernels take the arrays through one pointer, so that the vectorizer sees the
// rows as disjoint members of one object (no run-time alias checks, which -O2 does not add).
constexpr double kBjsScale = 1.0 / kTwoPi;
template <class A>
void bvn_lanes(vmath::Simd level, A* __restrict a) {
  static_assert(A::kBvnN % 8 == 0);
  vmath::for_lanes<A::kBvnN>(level, [a](std::size_t j) {
    const double h = a->h[j], k = a->k[j], sign = a->sign[j];
    const double hk0 = sign * (h * k);
    const double hs0 = 0.5 * fma(h, h, k * k);
    const std::uint64_t finite = vmath::mask_below(hs0, std::bit_cast<std::uint64_t>(kBvnHugeHs));
    const double hk = vmath::keep_if(finite, hk0), hs = select_bits(finite, hs0, kBvnHugeHs);
    const double lb = vmath::keep_if(finite, a->lb[j]);
    double acc = 0.0;
#pragma GCC unroll 10
    for (std::size_t i = 0; i < kBjsNodeCount; ++i) acc += bvn_node_term(i, hk, hs, lb);
    a->out[j] = acc * (sign * kBjsScale);
  });
}
template <class A>
void ncdf_lanes(vmath::Simd level, A* __restrict a) {
  static_assert(A::kCdfN % 8 == 0);
  vmath::for_lanes<A::kCdfN>(level,
                             [a](std::size_t j) { a->cdf[j] = ncdf_f(a->cdf[j], a->lf[j], a->one[j], a->dens[j]); });
}
// The reflected CDFs (kReflRow) from their partners' densities and the exponential factors (run
// after ncdf_lanes and exp_lanes): reflected row i, its partner and its factor are all stored as
// row i of their arrays, so lane l of refl, dens and ex belong together.
template <class A>
void reflect_lanes(vmath::Simd level, A* __restrict a) {
  static_assert(A::kReflLanes % 8 == 0 && A::kReflLanes <= A::kCdfN && A::kReflLanes <= A::kExpN);
  vmath::for_lanes<A::kReflLanes>(level, [a](std::size_t l) {
    a->refl[l] = vmath::scaled_ncdf_from_pdf_fma(a->refl[l], a->dens[l], a->ex[l]);
  });
}
template <class A>
void exp_lanes(vmath::Simd level, A* __restrict a) {
  static_assert(A::kExpN % 8 == 0);
  vmath::for_lanes<A::kExpN>(level, [a](std::size_t j) { a->ex[j] = vmath::k_exp_fma(a->ex[j]); });
}

// ---- Bjerksund & Stensland (2002) -----------------------------------------------------------------
// One option's work in lanes: 20 bivariate normals (five psi terms of four each), 40 normal CDFs
// and 19 exponential factors. The CDFs without repeats: a bivariate normal P(X > e, Y > f) is its
// integral part plus Phi(-e) Phi(-f); psi's e-arguments depend on gamma but not on H, so the five
// psi terms (gamma = beta, 1, 1, 0, 0) have 12 distinct Phi(-e) and 20 Phi(-f); a phi term with
// H = I1 (and I = I2) has d = -e1 and d - 2 ln(I2/S)/(v sqrt t1) = -e2 of the psi terms with its
// gamma, so only the three phi terms with H = I2 add CDFs (six); and N(w d1), N(w d2) of the
// European value; six of the 40 (kReflRow) take their density from another CDF's (reflection),
// so only 34 need an exponential of their own. The exponential factors without repeats: psi's
// four depend on gamma only (12: the first with a1's I1^-beta folded in for gamma = beta; the other
// three, (I/S)^kappa, enter the CDFs and node terms as logarithms and are needed as values only
// for F Phi(x) at x > 0), phi's first on gamma only (3, with a2's I2^-beta folded in for gamma =
// beta) plus phi(t1, beta, I1, I2)'s with a1's (1), e^{(b-r)T} and e^{-rT} of the European value,
// and a2's (S/I2)^beta: 19. Powers are formed as (S/I)^beta <= 1, never S^beta and I^-beta apart,
// which can overflow and underflow. BjsArrays<W> holds W options: row m of option j
// at p * W + j, p the row's storage place (kCdfPhys, kExpPhys; W = 1 for the scalar API, rows padded
// to a multiple of 8 lanes; W = kBlock for the batch).
// The setup and the finish are branch-free too (square roots by vector_math's k_sqrt, the
// formula's cases as bit masks), so that for a block they vectorize across options.
constexpr std::size_t kBjsBvn = 20;
// cdf rows: kECdf.. above (34 of them in cdf, the six reflected ones in refl: kCdfPhys).
// exp rows (stored as kExpPhys says): psi's four factors by gamma group (beta, 1, 0), phi's first
// factor by gamma group (its second, (I2/S)^kappa, is psi's second of the same gamma), the
// European value's two, (S/I2)^beta, phi(t1, beta, I1, I2)'s first factor.
constexpr std::size_t kPhiExp = 12, kEuroExp = 15, kPowExp = 17, kPhiA1Exp = 18;
constexpr std::size_t round_up8(std::size_t n) { return (n + 7) / 8 * 8; }
// Rows of the per-option values the finish needs.
enum BjsFin : std::size_t { kFinW, kFinS, kFinX, kFinFS, kFinFX, kFinI1, kFinI2, kFinIntrinsic, kFinRows };

template <std::size_t W>
struct BjsArrays {
  static constexpr std::size_t kBvnN = round_up8(kBjsBvn * W), kCdfN = round_up8(kDirectCdf * W),
                               kExpN = round_up8(kBjsExp * W), kReflLanes = round_up8(kReflN * W);
  alignas(64) double h[kBvnN], k[kBvnN], sign[kBvnN], lb[kBvnN], out[kBvnN];
  alignas(64) double cdf[kCdfN], lf[kCdfN], one[kCdfN], dens[kCdfN], ex[kExpN];
  alignas(64) double refl[kReflLanes];  // the reflected CDFs' arguments, then their values
  alignas(64) double fin[kFinRows * W];
  alignas(64) std::uint64_t formula[W], exercise[W];  // all ones: the formula's value / S - X
  alignas(64) std::uint64_t bad[W];                   // all ones: not computable (NaN)
  // CDF row m (kECdf..) of option j: its argument before the kernels, its value after.
  double& cdf_at(std::size_t m, std::size_t j) {
    const std::size_t p = kCdfPhys[m];
    return p < kDirectCdf ? cdf[p * W + j] : refl[(p - kDirectCdf) * W + j];
  }
  double cdf_at(std::size_t m, std::size_t j) const {
    const std::size_t p = kCdfPhys[m];
    return p < kDirectCdf ? cdf[p * W + j] : refl[(p - kDirectCdf) * W + j];
  }
  double& ex_at(std::size_t m, std::size_t j) { return ex[kExpPhys[m] * W + j]; }
  double ex_at(std::size_t m, std::size_t j) const { return ex[kExpPhys[m] * W + j]; }
  // Every direct CDF row unscaled (log-factor 0, "one" 1): run once before the first setup; the
  // setup then writes the scaled rows' log-factors and scale_rows their factors.
  void init_unscaled() {
    for (double& x : lf) x = 0.0;
    for (double& x : one) x = 1.0;
  }
  // After exp_lanes: the scaled rows' factors, which their CDFs return for x > 0 (F - F tail).
  void scale_rows() {
    for (std::size_t i = 0; i < kScaledN; ++i) {
      double* dst = one + kCdfPhys[kScaledRow[i]] * W;
      const double* src = ex + kExpPhys[kScaledExp[i]] * W;
      for (std::size_t j = 0; j < W; ++j) dst[j] = src[j];
    }
  }
};

// phi of Bjerksund & Stensland (2002) for one (gamma, H, I = I2) at t1: the arguments of its two
// normal CDFs and of its first exponential factor e^{lambda t1} S^gamma (its second, (I2/S)^kappa,
// is psi's of the same gamma).
struct PhiConst {
  double lnS, lnI1, t, inv_sv, r, b, vv, two_b_vv;
};
// `row` is the phi term's first cdf row, or none (~0) where its CDFs are psi's Phi(-e1), Phi(-e2);
// the terms with H = I2 (those with a row) are the first of their gamma group `group`, and they
// write the group's exponential factor.
constexpr std::size_t kNoRow = ~std::size_t{0};
template <std::size_t W>
inline void bjs_phi_setup(const PhiConst& P, double gamma, double lnH, double lnI, BjsArrays<W>& A, std::size_t j,
                          std::size_t group, std::size_t row, double shift) {
  if (row == kNoRow) return;
  const double lambda = (-P.r + gamma * P.b + 0.5 * gamma * (gamma - 1.0) * P.vv) * P.t;
  const double d = -((P.lnS - lnH) + (P.b + (gamma - 0.5) * P.vv) * P.t) * P.inv_sv;
  const double lnIS = lnI - P.lnS;
  A.cdf_at(row, j) = d;
  A.cdf_at(row + 1, j) = d - 2.0 * lnIS * P.inv_sv;
  A.ex_at(kPhiExp + group, j) = lambda + gamma * P.lnS + shift;
  // phi(t1, beta, I1, I2)'s factor with a1's I1^-beta (only the beta group has a shift).
  if (group == 0) A.ex_at(kPhiA1Exp, j) = lambda + gamma * (P.lnS - P.lnI1);
}

// The arguments of psi's four bivariate normals (Bjerksund & Stensland 2002, eq. for psi) for
// one (gamma, H); the CDF arguments -f of its bivariate normals and, where `erow` is not kNoRow
// (the first psi term of its gamma), -e and its four exponential factors, which depend on gamma
// only (rows 4 g.., g = (erow - kECdf) / 4 the gamma group).
struct PsiConst {
  double lnS, lnI1, lnI2, t1, T, inv_s1, inv_s2, r, b, vv, two_b_vv;
};
template <std::size_t W>
inline void bjs_psi_setup(const PsiConst& P, double gamma, double lnH, BjsArrays<W>& A, std::size_t j,
                          std::size_t slot, std::size_t erow, double shift) {
  const double drift = P.b + (gamma - 0.5) * P.vv;
  const double lnS = P.lnS, lnI1 = P.lnI1, lnI2 = P.lnI2;
  const double e1 = (lnS - lnI1 + drift * P.t1) * P.inv_s1;
  const double e2 = (2.0 * lnI2 - lnS - lnI1 + drift * P.t1) * P.inv_s1;
  const double e3 = (lnS - lnI1 - drift * P.t1) * P.inv_s1;
  const double e4 = (2.0 * lnI2 - lnS - lnI1 - drift * P.t1) * P.inv_s1;
  const double f1 = (lnS - lnH + drift * P.T) * P.inv_s2;
  const double f2 = (2.0 * lnI2 - lnS - lnH + drift * P.T) * P.inv_s2;
  const double f3 = (2.0 * lnI1 - lnS - lnH + drift * P.T) * P.inv_s2;
  const double f4 = (lnS + 2.0 * lnI1 - lnH - 2.0 * lnI2 + drift * P.T) * P.inv_s2;
  // bvn(-e, -f, sign) of the one-at-a-time form is P(X > e, Y > f) at correlation sign * rho.
  const std::size_t m = 4 * slot;
  A.h[m * W + j] = e1, A.k[m * W + j] = f1, A.sign[m * W + j] = 1.0;
  A.h[(m + 1) * W + j] = e2, A.k[(m + 1) * W + j] = f2, A.sign[(m + 1) * W + j] = 1.0;
  A.h[(m + 2) * W + j] = e3, A.k[(m + 2) * W + j] = f3, A.sign[(m + 2) * W + j] = -1.0;
  A.h[(m + 3) * W + j] = e4, A.k[(m + 3) * W + j] = f4, A.sign[(m + 3) * W + j] = -1.0;
  A.cdf_at(kFCdf + m, j) = -f1, A.cdf_at(kFCdf + m + 1, j) = -f2;
  A.cdf_at(kFCdf + m + 2, j) = -f3, A.cdf_at(kFCdf + m + 3, j) = -f4;
  // The factors' logarithms: (I2/S)^kappa, (I1/S)^kappa, (I1/I2)^kappa multiply the second, third
  // and fourth bivariate normals; in base 2 they join the node terms' exponents.
  const double kappa = P.two_b_vv + 2.0 * gamma - 1.0;
  const double l1 = kappa * (lnI2 - lnS), l2 = kappa * (lnI1 - lnS), l3 = kappa * (lnI1 - lnI2);
  A.lb[m * W + j] = 0.0;
  A.lb[(m + 1) * W + j] = l1 * vmath::kInvLn2;
  A.lb[(m + 2) * W + j] = l2 * vmath::kInvLn2;
  A.lb[(m + 3) * W + j] = l3 * vmath::kInvLn2;
  if (erow == kNoRow) return;
  A.cdf_at(erow, j) = -e1, A.cdf_at(erow + 1, j) = -e2;
  A.cdf_at(erow + 2, j) = -e3, A.cdf_at(erow + 3, j) = -e4;
  A.lf[kCdfPhys[erow + 1] * W + j] = l1;  // Phi(-e2) (I2/S)^kappa
  A.lf[kCdfPhys[erow + 3] * W + j] = l3;  // Phi(-e4) (I1/I2)^kappa; Phi(-e3) (I1/S)^kappa by reflection
  const double lambda = -P.r + gamma * P.b + 0.5 * gamma * (gamma - 1.0) * P.vv;
  const std::size_t g = erow - kECdf;  // 4 x the gamma group
  A.ex_at(g, j) = lambda * P.T + gamma * lnS + shift;
  A.ex_at(g + 1, j) = l1;
  A.ex_at(g + 2, j) = l2;
  A.ex_at(g + 3, j) = l3;
}

constexpr double kBjsFarZ = 40.0, kBjsMaxLogFactor = 650.0;

// Setup of option j (w = +1 call, -1 put; puts by the put–call transformation of Bjerksund &
// Stensland 1993, P(S, X, r, b) = C(X, S, r - b, -b)). Where the formula is not used (b >= r:
// never exercised early; S at or beyond the trigger I2: exercised at once) its lanes hold
// whatever the arithmetic gives (possibly NaN); the finish selects them away by bit masks.
template <std::size_t W>
inline void bjs_setup(double w, double S, double X, double T, double r, double b, double v, BjsArrays<W>& A,
                      std::size_t j) {
  const std::uint64_t call = mask_of(w > 0.0);
  const double vv = v * v, sqrt_t = vmath::k_sqrt(T), sv = v * sqrt_t;
  // The European value in the original coordinates (floor of the American value).
  const double inv_sv = 1.0 / sv, inv_vv = 1.0 / vv;
  const double d1 = fma(0.5 * vv + b, T, vmath::k_log_fma(S / X)) * inv_sv;
  A.cdf_at(kEuroCdf, j) = w * d1;
  A.cdf_at(kEuroCdf + 1, j) = w * (d1 - sv);
  A.ex_at(kEuroExp, j) = (b - r) * T;
  A.ex_at(kEuroExp + 1, j) = -r * T;
  // The call formula on (fS, fX, fr, fb).
  const double fS = select_bits(call, S, X), fX = select_bits(call, X, S);
  const double fr = select_bits(call, r, r - b), fb = select_bits(call, b, -b);
  const std::uint64_t early = mask_of(fb < fr);
  // t1 = (sqrt 5 - 1) / 2 T, the golden-section split of Bjerksund & Stensland (2002).
  constexpr double kGolden = 0.6180339887498949, kSqrtGolden = 0.78615137775742328;
  const double t1 = kGolden * T, sqrt_t1 = kSqrtGolden * sqrt_t;
  const double fb_vv = fb * inv_vv;
  const double beta = (0.5 - fb_vv) + vmath::k_sqrt(fma(fb_vv - 0.5, fb_vv - 0.5, 2.0 * fr * inv_vv));
  const double binf = beta / (beta - 1.0) * fX;
  const double b0 = std::max(fX, fr / (fr - fb) * fX);
  const double scale = fX * fX / ((binf - b0) * b0);
  const double h1 = -(fb * t1 + 2.0 * v * sqrt_t1) * scale;
  const double h2 = -(fb * T + 2.0 * sv) * scale;
  const double I1 = b0 + (binf - b0) * (1.0 - vmath::k_exp_fma(h1));
  const double I2 = b0 + (binf - b0) * (1.0 - vmath::k_exp_fma(h2));
  const std::uint64_t at_once = mask_of(fS >= I2);
  const double lnI1 = vmath::k_log_fma(I1), lnI2 = vmath::k_log_fma(I2), lnX = vmath::k_log_fma(fX), lnS = vmath::k_log_fma(fS);
  // The trigger out of reach: I1 (the lower of the two) at least kBjsFarZ standard deviations
  // above S after the largest drift of the formula's measures (b + (gamma - 1/2) v^2, gamma in
  // {0, 1, beta}) over the whole life: every term that involves hitting it carries a probability
  // below Phi(-kBjsFarZ) ~ 4e-350, and the formula equals the European value to that (the
  // finish's floor); its terms there pair factors (I/S)^kappa near the overflow threshold with
  // underflowing probabilities, which double precision cannot resolve.
  const double drift_max = vmath::non_negative(fb + (std::max(beta, 1.0) - 0.5) * vv);
  const std::uint64_t reachable = mask_of((lnI1 - lnS - drift_max * T) * inv_sv < kBjsFarZ);
  const std::uint64_t formula = early & ~at_once & reachable;
  A.formula[j] = formula;
  A.exercise[j] = early & at_once;
  // The factors (I1/S)^kappa, (I2/S)^kappa, (I1/I2)^kappa as powers of e, at their largest over
  // gamma in [0, beta] (kappa is linear in gamma; beta > 1 where the formula is used): up to
  // e^kBjsMaxLogFactor the kernels resolve every product of a factor with a probability (a
  // probability flushed to zero below 3.5e-310 then changes the price by less than 1e-27); above
  // it, and at e^709.8 where a factor overflows, double precision cannot evaluate the formula
  // (a vol tiny for the carry over the expiry: b sqrt(T) / v in the tens), and the price is
  // reported as not computable (NaN from the finish, turned into an error by the callers).
  {
    const double k_lo = 2.0 * fb_vv - 1.0, k_hi = fma(2.0, beta, 2.0 * fb_vv - 1.0);
    const double x1 = lnI1 - lnS, x2 = lnI2 - lnS, x3 = lnI1 - lnI2;
    auto over = [](double l) { return mask_of(!(l <= kBjsMaxLogFactor)); };  // NaN too
    A.bad[j] = formula & (over(k_lo * x1) | over(k_hi * x1) | over(k_lo * x2) | over(k_hi * x2) |
                          over(k_lo * x3) | over(k_hi * x3));
  }
  A.ex_at(kPowExp, j) = beta * (lnS - lnI2);
  const double two_b_vv = 2.0 * fb_vv;
  constexpr double kInvSqrtGolden = 1.272019649514069;  // 1 / sqrt(t1 / T)
  const PsiConst P{lnS, lnI1, lnI2, t1, T, inv_sv * kInvSqrtGolden, inv_sv, fr, fb, vv, two_b_vv};
  // a1 = (I1 - X) I1^-beta multiplies the psi term with gamma = beta, a2 = (I2 - X) I2^-beta
  // phi(t1, beta, I2, I2) and S^beta: their powers join those terms' factors (shift), so that
  // (S/I)^beta <= 1 is formed rather than S^beta and I^-beta, which can overflow and underflow.
  bjs_psi_setup(P, beta, lnI1, A, j, 0, kECdf, -beta * lnI1);
  bjs_psi_setup(P, 1.0, lnI1, A, j, 1, kECdf + 4, 0.0);
  bjs_psi_setup(P, 1.0, lnX, A, j, 2, kNoRow, 0.0);
  bjs_psi_setup(P, 0.0, lnI1, A, j, 3, kECdf + 8, 0.0);
  bjs_psi_setup(P, 0.0, lnX, A, j, 4, kNoRow, 0.0);
  const PhiConst Q{lnS, lnI1, t1, P.inv_s1, fr, fb, vv, two_b_vv};
  // phi(t1, gamma, I1, I2) adds nothing: its CDFs are psi's Phi(-e1), Phi(-e2) and its exponential
  // factors those of phi(t1, gamma, I2, I2) and psi.
  bjs_phi_setup(Q, beta, lnI2, lnI2, A, j, 0, kPhiCdf, -beta * lnI2);
  bjs_phi_setup(Q, 1.0, lnI2, lnI2, A, j, 1, kPhiCdf + 2, 0.0);
  bjs_phi_setup(Q, 0.0, lnI2, lnI2, A, j, 2, kPhiCdf + 4, 0.0);
  A.fin[kFinW * W + j] = w;
  A.fin[kFinS * W + j] = S;
  A.fin[kFinX * W + j] = X;
  A.fin[kFinFS * W + j] = fS;
  A.fin[kFinFX * W + j] = fX;
  A.fin[kFinI1 * W + j] = I1;
  A.fin[kFinI2 * W + j] = I2;
  A.fin[kFinIntrinsic * W + j] = std::max(w * (S - X), 0.0);
}

// The price of option j from the evaluated lanes: Bjerksund & Stensland's formula
//   a2 S^beta - a2 phi(t1, beta, I2, I2) + phi(t1, 1, I2, I2) - phi(t1, 1, I1, I2)
//   - X phi(t1, 0, I2, I2) + X phi(t1, 0, I1, I2) + a1 phi(t1, beta, I1, I2) - a1 psi(T, beta, I1)
//   + psi(T, 1, I1) - psi(T, 1, X) - X psi(T, 0, I1) + X psi(T, 0, X),
// a_i = (I_i - X) I_i^-beta (the power inside the terms' factors), then at least max(exercise
// value, European value): the estimated boundary can be too low (deep in the money, short
// expiry), where the raw formula would fall below those bounds; NaN where the setup found the
// formula not computable (A.bad). The lanes hold the factored products: bivariate normal i of a
// psi term is F_i (integral part + Phi(-e_i) Phi(-f_i)) with F_i in its node terms and in
// Phi(-e_i), phi's second CDF is (I2/S)^kappa Phi(.).
template <std::size_t W>
inline double bjs_finish(const BjsArrays<W>& A, std::size_t j) {
  auto ex = [&](std::size_t m) { return A.ex_at(m, j); };
  auto cdf = [&](std::size_t m) { return A.cdf_at(m, j); };
  // Psi term s's gamma group (beta, 1, 1, 0, 0) and phi term s's first cdf row (psi's Phi(-e1),
  // Phi(-e2) of its gamma where H = I1).
  constexpr std::size_t kGroup[5] = {0, 1, 1, 2, 2};
  constexpr std::size_t kPhiRow[6] = {kPhiCdf, kPhiCdf + 2, kECdf + 4, kPhiCdf + 4, kECdf + 8, kECdf};
  auto bv = [&](std::size_t s, std::size_t i) {
    const std::size_t m = 4 * s + i;
    return A.out[m * W + j] + cdf(kECdf + 4 * kGroup[s] + i) * cdf(kFCdf + m);
  };
  auto fin = [&](std::size_t m) { return A.fin[m * W + j]; };
  const double euro = fin(kFinW) * (fin(kFinS) * ex(kEuroExp) * cdf(kEuroCdf) -
                                    fin(kFinX) * ex(kEuroExp + 1) * cdf(kEuroCdf + 1));
  // Each phi term's factor row (phi(t1, beta, I1, I2) has its own: a1's power folded in).
  constexpr std::size_t kPhiFactor[6] = {kPhiExp, kPhiExp + 1, kPhiExp + 1, kPhiExp + 2, kPhiExp + 2, kPhiA1Exp};
  auto phi = [&](std::size_t s) { return ex(kPhiFactor[s]) * (cdf(kPhiRow[s]) - cdf(kPhiRow[s] + 1)); };
  auto psi = [&](std::size_t s) {
    const std::size_t g = 4 * kGroup[s];
    return ex(g) * (bv(s, 0) - bv(s, 1) - bv(s, 2) + bv(s, 3));
  };
  const double X = fin(kFinFX);
  const double a1 = fin(kFinI1) - X, a2 = fin(kFinI2) - X;
  const double formula = a2 * ex(kPowExp) - a2 * phi(0) + phi(1) - phi(2) - X * phi(3) + X * phi(4) + a1 * phi(5) -
                         a1 * psi(0) + psi(1) - psi(2) - X * psi(3) + X * psi(4);
  const double raw = select_bits(A.formula[j], formula, select_bits(A.exercise[j], fin(kFinFS) - X, 0.0));
  return select_bits(A.bad[j], std::numeric_limits<double>::quiet_NaN(),
                     std::max(raw, std::max(fin(kFinIntrinsic), euro)));
}

// The scalar API: the setup and the finish of one option in a one-lane loop, the lane kernels
// over its rows, all at `level` (the FMA levels run the fused operations as instructions).
double bjs_one(vmath::Simd level, bool call, double S, double X, double T, double r, double b, double v) {
  BjsArrays<1> A;
  BjsArrays<1>* const a = &A;
  // Padding lanes: h = k = 0 and arguments 0 (harmless, never read by the finish).
  for (std::size_t m = kBjsBvn; m < A.kBvnN; ++m) A.h[m] = A.k[m] = 0.0, A.sign[m] = 1.0;
  for (std::size_t m = kDirectCdf; m < A.kCdfN; ++m) A.cdf[m] = 0.0;
  for (std::size_t m = kReflN; m < A.kReflLanes; ++m) A.refl[m] = 0.0;
  for (std::size_t m = kBjsExp; m < A.kExpN; ++m) A.ex[m] = 0.0;
  for (std::size_t m = kBjsBvn; m < A.kBvnN; ++m) A.lb[m] = 0.0;
  A.init_unscaled();
  const double w = call ? 1.0 : -1.0;
  vmath::for_lanes<1>(level, [=](std::size_t) { bjs_setup(w, S, X, T, r, b, v, *a, 0); });
  if (A.formula[0] != 0) {
    bvn_lanes(level, a);
  } else {
    for (double& o : A.out) o = 0.0;  // read by the finish, then selected away
  }
  exp_lanes(level, a);
  A.scale_rows();
  ncdf_lanes(level, a);
  reflect_lanes(level, a);
  double out = 0.0;
  double* const po = &out;
  vmath::for_lanes<1>(level, [=](std::size_t) { *po = bjs_finish(*a, 0); });
  return out;
}

// A block of kBlock options: setup and finish vectorized across the options, the lane kernels
// over all rows at once.
using BjsBlock = BjsArrays<kBlock>;
struct BjsBlockIn {
  alignas(64) double w[kBlock], S[kBlock], X[kBlock], T[kBlock], r[kBlock], b[kBlock], v[kBlock], out[kBlock];
};
void bjs_block(vmath::Simd level, BjsBlock* __restrict a, BjsBlockIn* __restrict in) {
  vmath::for_lanes<kBlock>(level, [a, in](std::size_t j) {
    bjs_setup(in->w[j], in->S[j], in->X[j], in->T[j], in->r[j], in->b[j], in->v[j], *a, j);
  });
  bvn_lanes(level, a);
  exp_lanes(level, a);
  a->scale_rows();
  ncdf_lanes(level, a);
  reflect_lanes(level, a);
  vmath::for_lanes<kBlock>(level, [a, in](std::size_t j) { in->out[j] = bjs_finish(*a, j); });
}

// ---- Lattices -------------------------------------------------------------------------------------
// Peizer–Pratt inversion, method 2 (Leisen & Reimer 1996, eq. 12) for n steps.
double peizer_pratt(double z, double n) {
  const double a = z / (n + 1.0 / 3.0 + 0.1 / (n + 1.0));
  const double h = 0.5 * std::sqrt(1.0 - std::exp(-a * a * (n + 1.0 / 6.0)));
  return z >= 0.0 ? 0.5 + h : 0.5 - h;
}

struct Tree {
  int n = 0;
  double dt = 0.0, u = 0.0, d = 0.0, p = 0.0, disc = 0.0, s0 = 0.0;  // s0: escrowed spot S*
};

Result<Tree> build_tree(const AmericanInput& in, std::span<const CashDividend> divs, const LatticeOptions& o) {
  if (o.steps < 2 || o.steps > 100000) {
    return make_error(ErrorCode::kInvalidArgument, "lattice: steps must be within [2, 100000], got " +
                                                       std::to_string(o.steps));
  }
  Tree t;
  t.n = o.kind == LatticeKind::kLeisenReimer && o.steps % 2 == 0 ? o.steps + 1 : o.steps;
  t.dt = in.time / t.n;
  t.disc = std::exp(-in.rate * t.dt);
  t.s0 = in.spot - escrow(divs, 0.0, in.time, in.rate);
  const double growth = std::exp((in.rate - in.dividend_yield) * t.dt);
  if (o.kind == LatticeKind::kCrr) {
    t.u = std::exp(in.vol * std::sqrt(t.dt));
    t.d = 1.0 / t.u;
    t.p = (growth - t.d) / (t.u - t.d);
  } else {
    const double sv = in.vol * std::sqrt(in.time);
    const double d1 = (std::log(t.s0 / in.strike) + (in.rate - in.dividend_yield + 0.5 * in.vol * in.vol) * in.time) / sv;
    const double d2 = d1 - sv;
    t.p = peizer_pratt(d2, t.n);
    const double pbar = peizer_pratt(d1, t.n);
    t.u = growth * pbar / t.p;
    t.d = (growth - t.p * t.u) / (1.0 - t.p);
  }
  if (!(t.p > 0.0 && t.p < 1.0) || !(t.d > 0.0) || !(t.u > t.d)) {
    return make_error(ErrorCode::kOutOfRange, "lattice: no valid probabilities for these inputs with " +
                                                  std::to_string(t.n) + " steps (carry too large for vol * sqrt(dt))");
  }
  return t;
}

// Backward induction. Calls `visit(i, t, values, spots)` after each time step i (values at step
// i, spots the actual stock prices of its nodes) so that callers can read Greeks or the boundary.
template <class Visit>
void roll_back(const AmericanInput& in, std::span<const CashDividend> divs, const Tree& tr, bool american,
               std::vector<double>& v, std::vector<double>& s, std::vector<unsigned char>& exercised, Visit visit) {
  const int n = tr.n;
  const double w = in.right == OptionRight::kCall ? 1.0 : -1.0;
  const double ratio = tr.u / tr.d;
  v.assign(n + 1, 0.0);
  s.assign(n + 1, 0.0);
  exercised.assign(n + 1, 0);
  {
    double node = tr.s0 * std::pow(tr.d, n);
    for (int j = 0; j <= n; ++j, node *= ratio) v[j] = std::max(w * (node - in.strike), 0.0);
  }
  for (int i = n - 1; i >= 0; --i) {
    const double t = i * tr.dt;
    const double esc = divs.empty() ? 0.0 : escrow(divs, t, in.time, in.rate);
    double node = tr.s0 * std::pow(tr.d, i);
    for (int j = 0; j <= i; ++j, node *= ratio) {
      const double cont = tr.disc * (tr.p * v[j + 1] + (1.0 - tr.p) * v[j]);
      const double spot = node + esc;
      const double ex = w * (spot - in.strike);
      const bool early = american && ex > cont;
      v[j] = early ? ex : cont;
      s[j] = spot;
      exercised[j] = early ? 1 : 0;
    }
    visit(i, t, v, s, exercised);
  }
}

// Brent's method (Brent 1973, "Algorithms for Minimization without Derivatives", ch. 4) for a
// root of f in [a, b] with f(a) f(b) <= 0.
template <class F>
double brent(F f, double a, double b, double fa, double fb, double xtol, double ftol, int max_iter) {
  if (std::fabs(fa) < std::fabs(fb)) {
    std::swap(a, b);
    std::swap(fa, fb);
  }
  double c = a, fc = fa, d = b - a, e = d;
  for (int it = 0; it < max_iter; ++it) {
    if (std::fabs(fb) <= ftol) return b;
    if ((fb > 0.0) == (fc > 0.0)) {
      c = a;
      fc = fa;
      d = e = b - a;
    }
    if (std::fabs(fc) < std::fabs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const double tol = 2.0 * std::numeric_limits<double>::epsilon() * std::fabs(b) + 0.5 * xtol;
    const double m = 0.5 * (c - b);
    if (std::fabs(m) <= tol) return b;
    if (std::fabs(e) >= tol && std::fabs(fa) > std::fabs(fb)) {
      double p, q;
      const double s = fb / fa;
      if (a == c) {
        p = 2.0 * m * s;
        q = 1.0 - s;
      } else {
        const double qq = fa / fc, r = fb / fc;
        p = s * (2.0 * m * qq * (qq - r) - (b - a) * (r - 1.0));
        q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
      }
      if (p > 0.0) q = -q;
      p = std::fabs(p);
      if (2.0 * p < std::min(3.0 * m * q - std::fabs(tol * q), std::fabs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += std::fabs(d) > tol ? d : (m > 0.0 ? tol : -tol);
    fb = f(b);
  }
  return b;
}


// ---- Batch machinery --------------------------------------------------------------------------------
// The same checks as validate() without dividends, as a per-option status (first failure in the
// order of the columns, as black_scholes.hpp's batch API reports it).
PricingStatus batch_status(OptionRight right, double S, double K, double T, double vol, double r, double q) {
  if (right != OptionRight::kCall && right != OptionRight::kPut) return PricingStatus::kBadRight;
  if (!within(S, 1e-12, 1e12)) return PricingStatus::kBadSpot;
  if (!within(K, 1e-12, 1e12)) return PricingStatus::kBadStrike;
  if (!within(T, 1e-8, 100.0)) return PricingStatus::kBadTime;
  if (!within(vol, 1e-8, 100.0)) return PricingStatus::kBadVol;
  if (!within(r, -5.0, 5.0)) return PricingStatus::kBadRate;
  if (!within(q, -5.0, 5.0)) return PricingStatus::kBadDividend;
  return PricingStatus::kOk;
}

void check_batch_lengths(const BsmColumns& in, std::span<double> price, std::span<PricingStatus> status,
                         const char* what) {
  const std::size_t n = in.spot.size();
  KEEL_ASSERT(in.right.size() == n && in.strike.size() == n && in.time.size() == n && in.vol.size() == n &&
                  in.rate.size() == n && in.dividend_yield.size() == n,
              what);
  KEEL_ASSERT(price.size() == n && status.size() == n, what);
}

// Runs `setup(j, i)` for the valid options i = begin + j of each block (`skip(j)` for the rest
// and for the padding of a last partial block), then `run()` on the block and `finish(j, i)`
// for each valid option; invalid ones get price 0.0.
template <class Setup, class Skip, class Run, class Finish>
std::size_t run_blocks(const BsmColumns& in, std::span<double> price, std::span<PricingStatus> status, Setup setup,
                       Skip skip, Run run, Finish finish) {
  const std::size_t n = in.spot.size();
  std::size_t good = 0;
  bool ok[kBlock];
  for (std::size_t begin = 0; begin < n; begin += kBlock) {
    const std::size_t m = std::min(kBlock, n - begin);
    for (std::size_t j = 0; j < kBlock; ++j) {
      ok[j] = false;
      if (j < m) {
        const std::size_t i = begin + j;
        const PricingStatus st = batch_status(in.right[i], in.spot[i], in.strike[i], in.time[i], in.vol[i],
                                              in.rate[i], in.dividend_yield[i]);
        status[i] = st;
        ok[j] = st == PricingStatus::kOk;
      }
      if (ok[j]) {
        setup(j, begin + j);
        ++good;
      } else {
        skip(j);
      }
    }
    run();
    for (std::size_t j = 0; j < m; ++j) {
      const double p = ok[j] ? finish(j) : 0.0;
      if (std::isfinite(p)) {
        price[begin + j] = p;
      } else {  // never a NaN passed on: see kNotComputable
        price[begin + j] = 0.0;
        status[begin + j] = PricingStatus::kNotComputable;
        --good;
      }
    }
  }
  return good;
}

}  // namespace

namespace {
std::size_t baw_batch(vmath::Simd level, const BsmColumns& in, std::span<double> price,
                      std::span<PricingStatus> status) {
  check_batch_lengths(in, price, status, "baw_price_batch: columns differ in length");
  BawBlock blk;
  auto setup = [&](std::size_t j, std::size_t i) {
    const double r = in.rate[i], b = r - in.dividend_yield[i];
    const BawConst k = baw_setup(in.right[i] == OptionRight::kCall, in.spot[i], in.strike[i], in.time[i], r, b,
                                 in.vol[i], blk.si[j]);
    blk.store(j, k);
    blk.active[j] = ~k.exercise_never;
  };
  auto skip = [&](std::size_t j) {  // a put at r = 0: never exercised, no iteration
    blk.store(j, baw_setup(false, 1.0, 1.0, 1.0, 0.0, 0.0, 0.2, blk.si[j]));
    blk.active[j] = 0;
  };
  auto run = [&] {
    baw_block_start(level, &blk);
    std::uint64_t live = 0;
    for (std::size_t j = 0; j < kBlock; ++j) live |= blk.active[j];
    for (int it = 0; it < kBawMaxSteps && live != 0; ++it) {
      baw_block_step(level, &blk);
      live = 0;
      for (std::size_t j = 0; j < kBlock; ++j) live |= blk.active[j];
    }
    baw_block_finish(level, &blk);
  };
  return run_blocks(in, price, status, setup, skip, run, [&](std::size_t j) { return blk.out[j]; });
}
}  // namespace

std::size_t baw_price_batch(const BsmColumns& in, std::span<double> price, std::span<PricingStatus> status) {
  return baw_batch(vmath::best_simd(), in, price, status);
}

namespace {
std::size_t bjs_batch(vmath::Simd level, const BsmColumns& in, std::span<double> price,
                      std::span<PricingStatus> status) {
  check_batch_lengths(in, price, status, "bjerksund_stensland_price_batch: columns differ in length");
  BjsBlock blk;
  blk.init_unscaled();
  BjsBlockIn x;
  auto setup = [&](std::size_t j, std::size_t i) {
    x.w[j] = in.right[i] == OptionRight::kCall ? 1.0 : -1.0;
    x.S[j] = in.spot[i], x.X[j] = in.strike[i], x.T[j] = in.time[i], x.r[j] = in.rate[i];
    x.b[j] = in.rate[i] - in.dividend_yield[i], x.v[j] = in.vol[i];
  };
  // A call at b = r (never exercised early) in the lanes of invalid options and padding.
  auto skip = [&](std::size_t j) {
    x.w[j] = 1.0, x.S[j] = x.X[j] = x.T[j] = 1.0, x.r[j] = x.b[j] = 0.0, x.v[j] = 0.2;
  };
  auto run = [&] { bjs_block(level, &blk, &x); };
  return run_blocks(in, price, status, setup, skip, run, [&](std::size_t j) { return x.out[j]; });
}
}  // namespace

std::size_t bjerksund_stensland_price_batch(const BsmColumns& in, std::span<double> price,
                                            std::span<PricingStatus> status) {
  return bjs_batch(vmath::best_simd(), in, price, status);
}

namespace {
// bjs_one with its not-computable result (NaN, see kBjsMaxLogFactor) as an error naming the inputs.
Result<double> bjs_checked(vmath::Simd level, const AmericanInput& in, double S) {
  const double p = bjs_one(level, in.right == OptionRight::kCall, S, in.strike, in.time, in.rate,
                           in.rate - in.dividend_yield, in.vol);
  if (std::isfinite(p)) return p;
  return make_error(ErrorCode::kOutOfRange,
                    "bjerksund_stensland: not computable in double precision at vol " + fmt(in.vol) + ", time " +
                        fmt(in.time) + ", carry " + fmt(in.rate - in.dividend_yield) +
                        " (a factor (I/S)^kappa of the formula exceeds e^650: the vol is too low for the carry "
                        "over the expiry); use lattice_price");
}
}  // namespace

namespace detail {
std::size_t baw_price_batch_at(SimdLevel level, const BsmColumns& in, std::span<double> price,
                               std::span<PricingStatus> status) {
  return baw_batch(static_cast<vmath::Simd>(level), in, price, status);
}
Result<double> baw_price_at(SimdLevel level, const AmericanInput& in) {
  KEEL_TRY_STATUS(validate(in, {}, true, "baw"));
  return baw_one(static_cast<vmath::Simd>(level), in.right == OptionRight::kCall, in.spot, in.strike, in.time,
                 in.rate, in.rate - in.dividend_yield, in.vol);
}
std::size_t bjerksund_stensland_price_batch_at(SimdLevel level, const BsmColumns& in, std::span<double> price,
                                               std::span<PricingStatus> status) {
  return bjs_batch(static_cast<vmath::Simd>(level), in, price, status);
}
Result<double> bjerksund_stensland_price_at(SimdLevel level, const AmericanInput& in) {
  KEEL_TRY_STATUS(validate(in, {}, true, "bjerksund_stensland"));
  return bjs_checked(static_cast<vmath::Simd>(level), in, in.spot);
}
}  // namespace detail


double bivariate_normal_cdf(double a, double b, double rho) {
  KEEL_ASSERT(std::fabs(rho) < 0.925, "bivariate_normal_cdf: |rho| must be < 0.925");
  const double asr = std::asin(rho);
  std::array<std::array<double, 2>, 10> sn{};
  for (std::size_t i = 0; i < kGl20.size(); ++i) {
    sn[i][0] = std::sin(0.5 * asr * (1.0 - kGl20[i][0]));
    sn[i][1] = std::sin(0.5 * asr * (1.0 + kGl20[i][0]));
  }
  return bvn_upper(-a, -b, asr, sn, 1.0);
}

Result<double> baw_price(const AmericanInput& in, std::span<const CashDividend> dividends) {
  KEEL_TRY_STATUS(validate(in, dividends, true, "baw"));
  const double S = in.spot - escrow(dividends, 0.0, in.time, in.rate);
  return baw_one(vmath::best_simd(), in.right == OptionRight::kCall, S, in.strike, in.time, in.rate,
                 in.rate - in.dividend_yield, in.vol);
}

Result<double> bjerksund_stensland_price(const AmericanInput& in, std::span<const CashDividend> dividends) {
  KEEL_TRY_STATUS(validate(in, dividends, true, "bjerksund_stensland"));
  const double S = in.spot - escrow(dividends, 0.0, in.time, in.rate);
  return bjs_checked(vmath::best_simd(), in, S);
}

Result<LatticeResult> lattice_price(const AmericanInput& in, std::span<const CashDividend> dividends,
                                    const LatticeOptions& options) {
  KEEL_TRY_STATUS(validate(in, dividends, true, "lattice"));
  KEEL_TRY(tree, build_tree(in, dividends, options));
  std::vector<double> v, s;
  std::vector<unsigned char> ex;
  LatticeResult out;
  double v1[2] = {0, 0}, s1[2] = {0, 0}, v2[3] = {0, 0, 0}, s2[3] = {0, 0, 0};
  roll_back(in, dividends, tree, options.american, v, s, ex,
            [&](int i, double, const std::vector<double>& vv, const std::vector<double>& ss,
                const std::vector<unsigned char>&) {
              if (i == 2) {
                for (int j = 0; j < 3; ++j) {
                  v2[j] = vv[j];
                  s2[j] = ss[j];
                }
              } else if (i == 1) {
                v1[0] = vv[0];
                v1[1] = vv[1];
                s1[0] = ss[0];
                s1[1] = ss[1];
              }
            });
  out.price = v[0];
  out.delta = (v1[1] - v1[0]) / (s1[1] - s1[0]);
  const double du = (v2[2] - v2[1]) / (s2[2] - s2[1]), dd = (v2[1] - v2[0]) / (s2[1] - s2[0]);
  out.gamma = (du - dd) / (0.5 * (s2[2] - s2[0]));
  return out;
}

Result<std::vector<BoundaryPoint>> exercise_boundary(const AmericanInput& in, std::span<const CashDividend> dividends,
                                                     const LatticeOptions& options) {
  KEEL_TRY_STATUS(validate(in, dividends, true, "exercise_boundary"));
  LatticeOptions o = options;
  o.american = true;
  KEEL_TRY(tree, build_tree(in, dividends, o));
  std::vector<BoundaryPoint> out(static_cast<std::size_t>(tree.n));
  std::vector<double> v, s;
  std::vector<unsigned char> ex;
  const bool call = in.right == OptionRight::kCall;
  roll_back(in, dividends, tree, true, v, s, ex,
            [&](int i, double t, const std::vector<double>&, const std::vector<double>& ss,
                const std::vector<unsigned char>& e) {
              BoundaryPoint& bp = out[static_cast<std::size_t>(i)];
              bp.time = t;
              // Nodes are in increasing price; a put exercises at the low end, a call at the high.
              if (call) {
                for (int j = i; j >= 0 && e[j]; --j) {
                  bp.exercise = true;
                  bp.spot = ss[j];
                }
              } else {
                for (int j = 0; j <= i && e[j]; ++j) {
                  bp.exercise = true;
                  bp.spot = ss[j];
                }
              }
            });
  return out;
}

Result<double> american_implied_vol(const AmericanInput& in, double price, std::span<const CashDividend> dividends,
                                    const AmericanIvOptions& options) {
  AmericanInput x = in;
  x.vol = 0.2;
  KEEL_TRY_STATUS(validate(x, dividends, false, "american_implied_vol"));
  if (!(price >= 0.0) || !std::isfinite(price)) {
    return make_error(ErrorCode::kOutOfRange, "american_implied_vol: price must be finite and >= 0, got " + fmt(price));
  }
  const bool call = in.right == OptionRight::kCall;
  const double intrinsic = std::max(call ? in.spot - in.strike : in.strike - in.spot, 0.0);
  const double upper = call ? in.spot : in.strike;
  if (price < intrinsic) {
    return make_error(ErrorCode::kOutOfRange, "american_implied_vol: price " + fmt(price) +
                                                  " is below the exercise value " + fmt(intrinsic));
  }
  if (price <= intrinsic * (1.0 + 4.0 * std::numeric_limits<double>::epsilon()) && intrinsic > 0.0) {
    return make_error(ErrorCode::kOutOfRange, "american_implied_vol: price " + fmt(price) +
                                                  " equals the exercise value: immediate exercise, the vol is "
                                                  "not determined");
  }
  if (price >= upper) {
    return make_error(ErrorCode::kOutOfRange, "american_implied_vol: price " + fmt(price) +
                                                  " is at or above the upper bound " + fmt(upper) +
                                                  (call ? " (spot)" : " (strike)"));
  }
  auto model = [&](double vol) -> double {
    AmericanInput y = in;
    y.vol = vol;
    Result<double> p = make_error(ErrorCode::kInternal, "");
    switch (options.model) {
      case AmericanModel::kBaroneAdesiWhaley: p = baw_price(y, dividends); break;
      case AmericanModel::kBjerksundStensland: p = bjerksund_stensland_price(y, dividends); break;
      case AmericanModel::kLattice: {
        auto l = lattice_price(y, dividends, options.lattice);
        p = l.ok() ? Result<double>(l->price) : Result<double>(l.error());
        break;
      }
    }
    return p.ok() ? p.value() : std::numeric_limits<double>::quiet_NaN();
  };
  const double ftol = options.price_tolerance * std::max(price, 1e-300);
  // The European implied vol of the same price (escrowed spot) bounds the American vol from
  // above, since an American option is worth at least its European twin at every vol.
  const double s_esc = in.spot - escrow(dividends, 0.0, in.time, in.rate);
  double hi = 1.0;
  if (auto e = implied_vol_bsm(BsmIvInput{in.right, price, s_esc, in.strike, in.time, in.rate, in.dividend_yield});
      e.ok()) {
    hi = std::min(std::max(*e * 1.0001, 1e-4), 100.0);
  }
  double fhi = model(hi) - price;
  while (fhi < 0.0 && hi < 100.0) {
    hi = std::min(hi * 2.0, 100.0);
    fhi = model(hi) - price;
  }
  double lo = std::max(hi * 0.5, 1e-8);
  double flo = model(lo) - price;
  while (flo > 0.0 && lo > 1e-8) {
    lo = std::max(lo * 0.25, 1e-8);
    flo = model(lo) - price;
  }
  if (!std::isfinite(flo) || !std::isfinite(fhi)) {
    return make_error(ErrorCode::kInternal, "american_implied_vol: the pricer failed inside the search bracket");
  }
  if (flo > ftol) {
    return make_error(ErrorCode::kOutOfRange, "american_implied_vol: price " + fmt(price) +
                                                  " is below the model value at the smallest vol 1e-8 (" +
                                                  fmt(flo + price) + ")");
  }
  if (fhi < -ftol) {
    return make_error(ErrorCode::kOutOfRange, "american_implied_vol: price " + fmt(price) +
                                                  " is above the model value at vol 100 (" + fmt(fhi + price) + ")");
  }
  return brent([&](double vol) { return model(vol) - price; }, lo, hi, flo, fhi, 1e-14, ftol, 200);
}

}  // namespace keel::analytics
