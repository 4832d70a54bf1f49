// keel/analytics/american.cpp — see american.hpp. Implemented from the papers' formulas (and
// Haug's statement of them in "The Complete Guide to Option Pricing Formulas", 2nd ed.).
#include "keel/analytics/american.hpp"

#include <algorithm>
#include <array>
#include <cmath>
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

// Generalised Black–Scholes (carry b) European price, accurate erfc-based normal CDF.
// The normal CDF, exp and log are vector_math.hpp's kernels (relative error ~1e-15; several
// times cheaper than erfc-based norm_cdf, which matters inside the approximations' iterations).
using vmath::k_exp;
using vmath::k_log;
using vmath::k_ncdf;
using vmath::k_npdf;

double gbs(bool call, double S, double X, double T, double r, double b, double v) {
  const double sv = v * std::sqrt(T);
  const double d1 = (k_log(S / X) + (b + 0.5 * v * v) * T) / sv;
  const double d2 = d1 - sv;
  const double fq = k_exp((b - r) * T), dr = k_exp(-r * T);
  return call ? S * fq * k_ncdf(d1) - X * dr * k_ncdf(d2) : X * dr * k_ncdf(-d2) - S * fq * k_ncdf(-d1);
}

// ---- Barone-Adesi & Whaley ----------------------------------------------------------------------
// M/K of the paper with K = 1 - e^{-rT}; its limit 2/(v^2 T) at r = 0.
double m_over_k(double r, double v, double T) {
  if (r == 0.0) return 2.0 / (v * v * T);
  return 2.0 * r / (v * v * -std::expm1(-r * T));
}

// European value with N(w d1) and phi(d1), the pieces BAW's iteration needs, from one log and
// one exponential (w = +1 call, -1 put): S e^{(b-r)T} phi(d1) = X e^{-rT} phi(d2) exactly, so the
// density at the larger |d| is the other times a ratio <= 1 (no overflow, no underflow of the
// one that is kept).
struct Euro {
  double value, n1, pdf1, d1;
};
// The iteration's critical path runs through euro(): 1/X and 1/sv are taken once here so that
// it divides only inside k_log and the normal CDF.
struct Carry {
  double T, r, b, v, sv, fq, dr, inv_sv, inv_x;  // fq = e^{(b-r)T}, dr = e^{-rT}
  Carry(double T_, double r_, double b_, double v_, double X)
      : T(T_), r(r_), b(b_), v(v_), sv(v_ * std::sqrt(T_)), fq(k_exp((b_ - r_) * T_)), dr(k_exp(-r_ * T_)),
        inv_sv(1.0 / sv), inv_x(1.0 / X) {}
};
Euro euro(double w, double S, double X, const Carry& c) {
  const double d1 = (k_log(S * c.inv_x) + (c.b + 0.5 * c.v * c.v) * c.T) * c.inv_sv;
  const double d2 = d1 - c.sv;
  const double sq = S * c.fq, kr = X * c.dr;
  double pdf1, pdf2;
  if (std::fabs(d1) <= std::fabs(d2)) {
    pdf1 = k_npdf(d1);
    pdf2 = pdf1 * (sq / kr);
  } else {
    pdf2 = k_npdf(d2);
    pdf1 = pdf2 * (kr / sq);
  }
  const double n1 = vmath::ncdf_from_pdf(w * d1, pdf1);
  const double n2 = vmath::ncdf_from_pdf(w * d2, pdf2);
  return Euro{w * (sq * n1 - kr * n2), n1, pdf1, d1};
}

// Barone-Adesi & Whaley's critical price S* for w = +1 (call, q = q2 > 0) or w = -1 (put,
// q = q1 < 0) solves g(S) = w (S - X) - c_w(S) - w (1 - fq N(w d1(S))) S / q = 0 (their eqs. 24
// and 27). Halley's method with the analytic derivatives (with A = 1 - 1/q):
//   g'  = w - w fq N(w d1) A - (w - fq phi(d1)/sv) / q        [= w - d/dS of the rest]
//   g'' = -fq phi(d1) / (S sv) (A + d1 / (sv q)),
// from the seeds below. Cubic convergence takes a seed's ~1e-2 to the 1e-13 X stopping test in
// two or three steps where Newton needed four to six. The step
//   g / g' / (1 - g g'' / (2 g'^2)) = 2 g g' S / (2 g'^2 S - g (g'' S))
// is formed with one division (the iteration is a chain of dependent operations; divisions are
// its slowest links). Returns S* and leaves euro(S*) in `e` (for the A coefficient).
double baw_critical(double w, double X, double q, double seed, const Carry& c, Euro& e) {
  double si = seed;
  e = euro(w, si, X, c);
  const double inv_q = 1.0 / q;
  const double a = 1.0 - inv_q, d_scale = c.inv_sv * inv_q;
  for (int it = 0; it < 100; ++it) {
    const double g = w * (si - X) - e.value - w * (1.0 - c.fq * e.n1) * si * inv_q;
    if (std::fabs(g) <= 1e-13 * X) break;
    const double fphi = c.fq * e.pdf1 * c.inv_sv;
    const double g1 = w - w * c.fq * e.n1 * a - (w - fphi) * inv_q;
    const double g2s = -fphi * (a + e.d1 * d_scale);  // g'' S
    const double g1sq = g1 * g1;
    const double den = 2.0 * g1sq * si - g * g2s;    // 2 g'^2 S (1 - g g'' / (2 g'^2))
    // Halley's correction unless it misbehaves far from the root (1 - g g''/(2 g'^2) outside
    // (1/2, 2)); Newton is then the safe step.
    const bool halley = den > g1sq * si && den < 4.0 * g1sq * si;
    double next = si - (halley ? 2.0 * g * g1 * si / den : g / g1);
    // Where Halley's step overshoots past zero (small r, large q: the curvature term is large
    // far from the root), Newton's step; where that does too, halve S.
    if (!(next > 0.0) || !std::isfinite(next)) next = si - g / g1;
    if (!(next > 0.0) || !std::isfinite(next)) next = 0.5 * si;
    // A Halley step this small is the last one: with cubic convergence the error it leaves is
    // about (step/S)^3 S / sv^2 (g varies on the scale d1 ~ ln S / sv), below 1e-15 sv S once
    // |step| <= 1e-5 sv S, far inside the 1e-13 X stopping test. Then the Euro at the new point
    // is not evaluated again: with delta = ln(next/si)/sv (|delta| <= 1e-5, three terms of the
    // log series), N(w d1) moves by w phi (delta - d1 delta^2 / 2 + (d1^2 - 1) delta^3 / 6)
    // (Taylor; the next term is below 1e-21). Callers read only n1. Against the full iteration
    // over 200,000 random calls and puts (S 50..150, X 100, T 0.01..5, vol 5%..150%, r and q
    // -2%..15%) the BAW price moved by at most 2.9e-16 X; the instruction count fell by
    // 8.5% (a tenfold looser bound saved 2% more but moved prices by 1.2e-13 X).
    if (halley && std::fabs(next - si) <= 1e-5 * c.sv * si) {
      const double eps = (next - si) / si;
      const double delta = (eps - eps * eps * (0.5 - eps * (1.0 / 3.0))) * c.inv_sv;
      e.value += w * c.fq * e.n1 * (next - si);  // first order: dc_w/dS = w fq N(w d1)
      e.n1 += w * e.pdf1 * delta * (1.0 - 0.5 * e.d1 * delta + (e.d1 * e.d1 - 1.0) * delta * delta * (1.0 / 6.0));
      e.pdf1 *= 1.0 - e.d1 * delta;
      e.d1 += delta;
      return next;
    }
    si = next;
    e = euro(w, si, X, c);
  }
  return si;
}

// Returns the BAW value; `european` receives the European value at S (for the floor).
double baw_call(double S, double X, double T, double r, double b, double v, double& european) {
  const Carry c(T, r, b, v, X);
  const Euro at_s = euro(1.0, S, X, c);
  european = at_s.value;
  if (b >= r) return at_s.value;  // never optimal to exercise early
  const double N = 2.0 * b / (v * v), M = 2.0 * r / (v * v);
  const double q2 = 0.5 * (-(N - 1.0) + std::sqrt((N - 1.0) * (N - 1.0) + 4.0 * m_over_k(r, v, T)));
  // Seed: Bjerksund & Stensland's (2002) flat trigger price for the whole life, the perpetual
  // critical price blended towards the lower bound b0 = max(X, r X / (r - b)) (for small dividend
  // yields b0 is far above X, where BAW's own seed, blended towards X, starts: one or two
  // Halley steps fewer there).
  const double q2inf = 0.5 * (-(N - 1.0) + std::sqrt((N - 1.0) * (N - 1.0) + 4.0 * M));
  const double sinf = X / (1.0 - 1.0 / q2inf);
  const double b0 = std::max(X, r / (r - b) * X);
  const double h2 = -(b * T + 2.0 * c.sv) * X * X / ((sinf - b0) * b0);
  double si = b0 + (sinf - b0) * (1.0 - k_exp(h2));
  if (!(si > X) || !std::isfinite(si)) si = X * 1.5;
  Euro e;
  si = baw_critical(1.0, X, q2, si, c, e);
  if (S >= si) return S - X;
  const double a2 = si / q2 * (1.0 - c.fq * e.n1);
  return at_s.value + a2 * k_exp(q2 * k_log(S / si));
}

double baw_put(double S, double X, double T, double r, double b, double v, double& european) {
  const Carry c(T, r, b, v, X);
  const Euro at_s = euro(-1.0, S, X, c);
  european = at_s.value;
  if (r <= 0.0) return at_s.value;  // never optimal to exercise early
  const double N = 2.0 * b / (v * v), M = 2.0 * r / (v * v);
  const double q1 = 0.5 * (-(N - 1.0) - std::sqrt((N - 1.0) * (N - 1.0) + 4.0 * m_over_k(r, v, T)));
  // Seed (BAW 1987, section III): the perpetual critical price blended towards X.
  const double q1inf = 0.5 * (-(N - 1.0) - std::sqrt((N - 1.0) * (N - 1.0) + 4.0 * M));
  const double sinf = X / (1.0 - 1.0 / q1inf);
  const double h1 = (b * T - 2.0 * c.sv) * X / (X - sinf);
  double si = sinf + (X - sinf) * k_exp(h1);
  if (!(si > 0.0 && si < X) || !std::isfinite(si)) si = 0.5 * X;
  Euro e;
  si = baw_critical(-1.0, X, q1, si, c, e);
  if (S <= si) return X - S;
  const double a1 = -si / q1 * (1.0 - c.fq * e.n1);
  return at_s.value + a1 * k_exp(q1 * k_log(S / si));
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
// integrand is analytic on [0, asin rho] and 12 Gauss–Legendre nodes suffice: against a 40-node
// sum, the absolute error of P(X > h, Y > k) at +-rho stayed below 1.1e-15 on the grid
// h, k in [-8, 8] step 0.5 (10 nodes: 2e-13, 14 nodes: 3e-17). Genz (2004) takes 20 nodes for
// every |rho| in [0.75, 0.925); bivariate_normal_cdf below keeps them, and the test checks the
// Bjerksund–Stensland price against one computed with it. Nodes and weights of P_12 (mpmath,
// 40 digits); asin(rho) and sin(asin(rho)(1 -+ x_i)/2) at the nodes.
constexpr std::array<std::array<double, 2>, 6> kGl12 = {{
    {1.2523340851146892e-1, 2.4914704581340279e-1},
    {3.6783149899818019e-1, 2.3349253653835481e-1},
    {5.8731795428661745e-1, 2.0316742672306592e-1},
    {7.6990267419430469e-1, 1.6007832854334623e-1},
    {9.0411725637047486e-1, 1.0693932599531843e-1},
    {9.8156063424671925e-1, 4.7175336386511827e-2},
}};
constexpr double kBjsAsr = 0.90455689430238136;
constexpr std::array<std::array<double, 2>, 6> kBjsSin = {{
    {3.8539705203616326e-1, 4.8723336668350765e-1},
    {2.8203656363285332e-1, 5.7992832426159041e-1},
    {1.8556537073255426e-1, 6.5781173268159951e-1},
    {1.0388031725346503e-1, 7.1769657847292734e-1},
    {4.3352107537062392e-2, 7.5861920588243054e-1},
    {8.3396310368682077e-3, 7.8096986365131838e-1},
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
// so that the 20 exponentials run through vector_math's kernel in SIMD lanes.
constexpr std::size_t kBjsNodeCount = 2 * kGl12.size();
struct BjsNodes {
  std::array<double, kBjsNodeCount> sn{}, w{}, inv{};  // sin(t_i), weight, 1/(1 - sin^2 t_i)
};
constexpr BjsNodes make_bjs_nodes() {
  BjsNodes n;
  for (std::size_t i = 0; i < kGl12.size(); ++i) {
    for (std::size_t j = 0; j < 2; ++j) {
      const double s = kBjsSin[i][j];
      n.sn[2 * i + j] = s;
      n.w[2 * i + j] = kGl12[i][1];
      n.inv[2 * i + j] = 1.0 / (1.0 - s * s);
    }
  }
  return n;
}
constexpr BjsNodes kBjsNodes = make_bjs_nodes();

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
// AVX2 without FMA contraction (-ffp-contract=off) performs the same IEEE operations as SSE2,
// four lanes at a time, so the clone's results are bit-identical to the default one (as in
// black_scholes.cpp's batch kernel).
#define KEEL_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define KEEL_CLONES
#endif

// Bjerksund–Stensland 2002 needs 20 bivariate normals (five psi terms of four each). They are
// evaluated together: lane j holds P(X > h_j, Y > k_j) at correlation sign_j * rho_BjS, the outer
// loop runs over the 12 nodes and the inner one over the lanes, so the 240 exponentials go through
// vector_math's kernel four (AVX2) or two (SSE2) lanes at a time. Each lane adds its node terms
// in node order, exactly as a one-at-a-time sum would, so the result does not depend on the
// lane count. Unused lanes hold h = k = 0.
constexpr std::size_t kBvnLanes = 20;
struct BvnBatch {
  alignas(32) std::array<double, kBvnLanes> h{}, k{}, sign{}, out{};
};

[[gnu::flatten]] KEEL_CLONES void bvn_bjs_batch(BvnBatch& x) {
  alignas(32) double hk[kBvnLanes], hs[kBvnLanes], acc[kBvnLanes];
  for (std::size_t j = 0; j < kBvnLanes; ++j) {
    hk[j] = x.sign[j] * (x.h[j] * x.k[j]);
    hs[j] = 0.5 * (x.h[j] * x.h[j] + x.k[j] * x.k[j]);
    acc[j] = 0.0;
  }
  for (std::size_t i = 0; i < kBjsNodeCount; ++i) {
    const double sn = kBjsNodes.sn[i], w = kBjsNodes.w[i], inv = kBjsNodes.inv[i];
    for (std::size_t j = 0; j < kBvnLanes; ++j) acc[j] += w * k_exp((sn * hk[j] - hs[j]) * inv);
  }
  for (std::size_t j = 0; j < kBvnLanes; ++j) {
    x.out[j] = acc[j] * (x.sign[j] * kBjsAsr) / (2.0 * kTwoPi) + k_ncdf(-x.h[j]) * k_ncdf(-x.k[j]);
  }
}

// ---- Bjerksund & Stensland (2002) -----------------------------------------------------------------
// phi of Bjerksund & Stensland (2002) for one (gamma, H, I) in two parts: the setup writes the
// arguments of its two normal CDFs into lanes 2 slot and 2 slot + 1 (the six phi terms then
// share one vectorised pass of the CDF kernel) and returns the factors.
// The formula's 32 exponential factors (four per psi, two per phi) are likewise collected as
// arguments and exponentiated in one vectorised pass: lanes [4 slot, 4 slot + 4) for psi,
// [20 + 2 slot, 20 + 2 slot + 2) for phi.
constexpr std::size_t kPhiLanes = 12, kExpLanes = 32, kPhiExp = 20;
using ExpLanes = std::array<double, kExpLanes>;
[[gnu::flatten]] KEEL_CLONES void exp_batch(ExpLanes& x) {
  for (std::size_t j = 0; j < kExpLanes; ++j) x[j] = k_exp(x[j]);
}
void bjs_phi_setup(double lnS, double T, double gamma, double lnH, double lnI, double r, double b, double v,
                   std::array<double, kPhiLanes>& args, ExpLanes& ex, std::size_t slot) {
  const double sv = v * std::sqrt(T);
  const double lambda = (-r + gamma * b + 0.5 * gamma * (gamma - 1.0) * v * v) * T;
  const double d = -((lnS - lnH) + (b + (gamma - 0.5) * v * v) * T) / sv;
  const double kappa = 2.0 * b / (v * v) + 2.0 * gamma - 1.0;
  const double lnIS = lnI - lnS;
  args[2 * slot] = d;
  args[2 * slot + 1] = d - 2.0 * lnIS / sv;
  ex[kPhiExp + 2 * slot] = lambda + gamma * lnS;
  ex[kPhiExp + 2 * slot + 1] = kappa * lnIS;
}
double bjs_phi_finish(const ExpLanes& ex, const std::array<double, kPhiLanes>& cdf, std::size_t slot) {
  return ex[kPhiExp + 2 * slot] * (cdf[2 * slot] - ex[kPhiExp + 2 * slot + 1] * cdf[2 * slot + 1]);
}
[[gnu::flatten]] KEEL_CLONES void ncdf_batch(std::array<double, kPhiLanes>& x) {
  for (std::size_t j = 0; j < kPhiLanes; ++j) x[j] = k_ncdf(x[j]);
}

// The arguments of psi's four bivariate normals (Bjerksund & Stensland 2002, eq. for psi) for
// one (gamma, H), written into lanes [4 slot, 4 slot + 4) of the batch, and psi's prefactors.
struct PsiLogs {
  double lnS, lnI1, lnI2, t1, T, s1, s2, r, b, vv;
};
void bjs_psi_setup(const PsiLogs& L, double gamma, double lnH, BvnBatch& batch, ExpLanes& ex, std::size_t slot) {
  const double drift = L.b + (gamma - 0.5) * L.vv;
  const double lnS = L.lnS, lnI1 = L.lnI1, lnI2 = L.lnI2;
  const double e1 = (lnS - lnI1 + drift * L.t1) / L.s1;
  const double e2 = (2.0 * lnI2 - lnS - lnI1 + drift * L.t1) / L.s1;
  const double e3 = (lnS - lnI1 - drift * L.t1) / L.s1;
  const double e4 = (2.0 * lnI2 - lnS - lnI1 - drift * L.t1) / L.s1;
  const double f1 = (lnS - lnH + drift * L.T) / L.s2;
  const double f2 = (2.0 * lnI2 - lnS - lnH + drift * L.T) / L.s2;
  const double f3 = (2.0 * lnI1 - lnS - lnH + drift * L.T) / L.s2;
  const double f4 = (lnS + 2.0 * lnI1 - lnH - 2.0 * lnI2 + drift * L.T) / L.s2;
  // bvn(-e, -f, sign) of the one-at-a-time form is P(X > e, Y > f) at correlation sign * rho.
  const double hs[4] = {e1, e2, e3, e4}, ks[4] = {f1, f2, f3, f4}, sg[4] = {1.0, 1.0, -1.0, -1.0};
  for (std::size_t m = 0; m < 4; ++m) {
    batch.h[4 * slot + m] = hs[m];
    batch.k[4 * slot + m] = ks[m];
    batch.sign[4 * slot + m] = sg[m];
  }
  const double lambda = -L.r + gamma * L.b + 0.5 * gamma * (gamma - 1.0) * L.vv;
  const double kappa = 2.0 * L.b / L.vv + 2.0 * gamma - 1.0;
  ex[4 * slot] = lambda * L.T + gamma * lnS;
  ex[4 * slot + 1] = kappa * (lnI2 - lnS);
  ex[4 * slot + 2] = kappa * (lnI1 - lnS);
  ex[4 * slot + 3] = kappa * (lnI1 - lnI2);
}
double bjs_psi_finish(const ExpLanes& ex, const BvnBatch& batch, std::size_t slot) {
  const double* o = batch.out.data() + 4 * slot;
  const double* f = ex.data() + 4 * slot;
  return f[0] * (o[0] - f[1] * o[1] - f[2] * o[2] + f[3] * o[3]);
}

double bjs_call(double S, double X, double T, double r, double b, double v) {
  if (b >= r) return gbs(true, S, X, T, r, b, v);
  const double t1 = 0.5 * (std::sqrt(5.0) - 1.0) * T;
  const double vv = v * v;
  const double beta = (0.5 - b / vv) + std::sqrt((b / vv - 0.5) * (b / vv - 0.5) + 2.0 * r / vv);
  const double binf = beta / (beta - 1.0) * X;
  const double b0 = std::max(X, r / (r - b) * X);
  const double scale = X * X / ((binf - b0) * b0);
  const double h1 = -(b * t1 + 2.0 * v * std::sqrt(t1)) * scale;
  const double h2 = -(b * T + 2.0 * v * std::sqrt(T)) * scale;
  const double I1 = b0 + (binf - b0) * (1.0 - k_exp(h1));
  const double I2 = b0 + (binf - b0) * (1.0 - k_exp(h2));
  if (S >= I2) return S - X;
  const double lnI1 = k_log(I1), lnI2 = k_log(I2), lnX = k_log(X);
  const double a1 = (I1 - X) * k_exp(-beta * lnI1);
  const double a2 = (I2 - X) * k_exp(-beta * lnI2);
  // The five psi terms share one batch of 20 bivariate normals, the six phi terms one batch of
  // twelve normal CDFs, and all eleven their 32 exponential factors.
  const PsiLogs L{k_log(S), lnI1, lnI2, t1, T, v * std::sqrt(t1), v * std::sqrt(T), r, b, vv};
  BvnBatch batch;
  ExpLanes ex{};
  std::array<double, kPhiLanes> cdf{};
  const double lnS = L.lnS;
  bjs_psi_setup(L, beta, lnI1, batch, ex, 0);
  bjs_psi_setup(L, 1.0, lnI1, batch, ex, 1);
  bjs_psi_setup(L, 1.0, lnX, batch, ex, 2);
  bjs_psi_setup(L, 0.0, lnI1, batch, ex, 3);
  bjs_psi_setup(L, 0.0, lnX, batch, ex, 4);
  bjs_phi_setup(lnS, t1, beta, lnI2, lnI2, r, b, v, cdf, ex, 0);
  bjs_phi_setup(lnS, t1, 1.0, lnI2, lnI2, r, b, v, cdf, ex, 1);
  bjs_phi_setup(lnS, t1, 1.0, lnI1, lnI2, r, b, v, cdf, ex, 2);
  bjs_phi_setup(lnS, t1, 0.0, lnI2, lnI2, r, b, v, cdf, ex, 3);
  bjs_phi_setup(lnS, t1, 0.0, lnI1, lnI2, r, b, v, cdf, ex, 4);
  bjs_phi_setup(lnS, t1, beta, lnI1, lnI2, r, b, v, cdf, ex, 5);
  bvn_bjs_batch(batch);
  ncdf_batch(cdf);
  exp_batch(ex);
  return a2 * k_exp(beta * lnS) - a2 * bjs_phi_finish(ex, cdf, 0) + bjs_phi_finish(ex, cdf, 1) -
         bjs_phi_finish(ex, cdf, 2) - X * bjs_phi_finish(ex, cdf, 3) + X * bjs_phi_finish(ex, cdf, 4) +
         a1 * bjs_phi_finish(ex, cdf, 5) - a1 * bjs_psi_finish(ex, batch, 0) + bjs_psi_finish(ex, batch, 1) -
         bjs_psi_finish(ex, batch, 2) - X * bjs_psi_finish(ex, batch, 3) + X * bjs_psi_finish(ex, batch, 4);
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

// An American option is worth at least immediate exercise and its European twin. The
// approximations' exercise boundaries are estimates; where one is too low (deep in the money,
// short expiry, b = 0) they return S - K below the European value, so both bounds apply.
double no_arbitrage_floor(double v, bool call, double S, const AmericanInput& in, double b) {
  const double intrinsic = std::max(call ? S - in.strike : in.strike - S, 0.0);
  const double euro = gbs(call, S, in.strike, in.time, in.rate, b, in.vol);
  return std::max(v, std::max(intrinsic, euro));
}

}  // namespace

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
  const double b = in.rate - in.dividend_yield;
  const bool call = in.right == OptionRight::kCall;
  double european = 0.0;
  const double v = call ? baw_call(S, in.strike, in.time, in.rate, b, in.vol, european)
                        : baw_put(S, in.strike, in.time, in.rate, b, in.vol, european);
  // An American option is worth at least immediate exercise and its European twin (see below).
  return std::max(v, std::max(std::max(call ? S - in.strike : in.strike - S, 0.0), european));
}

Result<double> bjerksund_stensland_price(const AmericanInput& in, std::span<const CashDividend> dividends) {
  KEEL_TRY_STATUS(validate(in, dividends, true, "bjerksund_stensland"));
  const double S = in.spot - escrow(dividends, 0.0, in.time, in.rate);
  const double b = in.rate - in.dividend_yield;
  const bool call = in.right == OptionRight::kCall;
  // Put–call transformation (Bjerksund & Stensland 1993): P(S, X, r, b) = C(X, S, r - b, -b).
  const double v = call ? bjs_call(S, in.strike, in.time, in.rate, b, in.vol)
                        : bjs_call(in.strike, S, in.time, in.rate - b, -b, in.vol);
  return no_arbitrage_floor(v, call, S, in, b);
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
