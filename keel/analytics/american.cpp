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
// two exponentials (w = +1 call, -1 put).
struct Euro {
  double value, n1, pdf1;
};
struct Carry {
  double T, r, b, v, sv, fq, dr;  // fq = e^{(b-r)T}, dr = e^{-rT}
  Carry(double T_, double r_, double b_, double v_)
      : T(T_), r(r_), b(b_), v(v_), sv(v_ * std::sqrt(T_)), fq(k_exp((b_ - r_) * T_)), dr(k_exp(-r_ * T_)) {}
};
Euro euro(double w, double S, double X, const Carry& c) {
  const double d1 = (k_log(S / X) + (c.b + 0.5 * c.v * c.v) * c.T) / c.sv;
  const double d2 = d1 - c.sv;
  const double pdf1 = k_npdf(d1);
  const double n1 = vmath::ncdf_from_pdf(w * d1, pdf1);
  const double n2 = k_ncdf(w * d2);
  return Euro{w * (S * c.fq * n1 - X * c.dr * n2), n1, pdf1};
}

// Returns the BAW value; `european` receives the European value at S (for the floor).
double baw_call(double S, double X, double T, double r, double b, double v, double& european) {
  const Carry c(T, r, b, v);
  const Euro at_s = euro(1.0, S, X, c);
  european = at_s.value;
  if (b >= r) return at_s.value;  // never optimal to exercise early
  const double N = 2.0 * b / (v * v), M = 2.0 * r / (v * v);
  const double q2 = 0.5 * (-(N - 1.0) + std::sqrt((N - 1.0) * (N - 1.0) + 4.0 * m_over_k(r, v, T)));
  // Seed (BAW 1987, section III): the perpetual critical price blended towards X.
  const double q2inf = 0.5 * (-(N - 1.0) + std::sqrt((N - 1.0) * (N - 1.0) + 4.0 * M));
  const double sinf = X / (1.0 - 1.0 / q2inf);
  const double h2 = -(b * T + 2.0 * c.sv) * X / (sinf - X);
  double si = X + (sinf - X) * (1.0 - k_exp(h2));
  if (!(si > X) || !std::isfinite(si)) si = X * 1.5;
  // Newton's method on S* - X = c(S*) + (1 - e^{(b-r)T} N(d1(S*))) S* / q2.
  Euro e = euro(1.0, si, X, c);
  for (int it = 0; it < 100; ++it) {
    const double rhs = e.value + (1.0 - c.fq * e.n1) * si / q2;
    if (std::fabs((si - X) - rhs) <= 1e-13 * X) break;
    const double slope = c.fq * e.n1 * (1.0 - 1.0 / q2) + (1.0 - c.fq * e.pdf1 / c.sv) / q2;
    const double next = (X + rhs - slope * si) / (1.0 - slope);
    if (!(next > 0.0) || !std::isfinite(next)) break;
    si = next;
    e = euro(1.0, si, X, c);
  }
  if (S >= si) return S - X;
  const double a2 = si / q2 * (1.0 - c.fq * e.n1);
  return at_s.value + a2 * std::pow(S / si, q2);
}

double baw_put(double S, double X, double T, double r, double b, double v, double& european) {
  const Carry c(T, r, b, v);
  const Euro at_s = euro(-1.0, S, X, c);
  european = at_s.value;
  if (r <= 0.0) return at_s.value;  // never optimal to exercise early
  const double N = 2.0 * b / (v * v), M = 2.0 * r / (v * v);
  const double q1 = 0.5 * (-(N - 1.0) - std::sqrt((N - 1.0) * (N - 1.0) + 4.0 * m_over_k(r, v, T)));
  const double q1inf = 0.5 * (-(N - 1.0) - std::sqrt((N - 1.0) * (N - 1.0) + 4.0 * M));
  const double sinf = X / (1.0 - 1.0 / q1inf);
  const double h1 = (b * T - 2.0 * c.sv) * X / (X - sinf);
  double si = sinf + (X - sinf) * k_exp(h1);
  if (!(si > 0.0 && si < X) || !std::isfinite(si)) si = 0.5 * X;
  // Newton's method on X - S** = p(S**) - (1 - e^{(b-r)T} N(-d1(S**))) S** / q1.
  Euro e = euro(-1.0, si, X, c);
  for (int it = 0; it < 100; ++it) {
    const double rhs = e.value - (1.0 - c.fq * e.n1) * si / q1;
    if (std::fabs((X - si) - rhs) <= 1e-13 * X) break;
    const double slope = -c.fq * e.n1 * (1.0 - 1.0 / q1) - (1.0 + c.fq * e.pdf1 / c.sv) / q1;
    const double next = (X - rhs + slope * si) / (1.0 + slope);
    if (!(next > 0.0) || !std::isfinite(next)) break;
    si = next;
    e = euro(-1.0, si, X, c);
  }
  if (S <= si) return X - S;
  const double a1 = -si / q1 * (1.0 - c.fq * e.n1);
  return at_s.value + a1 * std::pow(S / si, q1);
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

// For Bjerksund–Stensland's fixed correlation rho = sqrt(t1/T) = sqrt((sqrt 5 - 1)/2):
// asin(rho) and sin(asin(rho)(1 -+ x_i)/2) at the nodes (mpmath, 30 digits).
constexpr double kBjsAsr = 0.90455689430238136;
constexpr std::array<std::array<double, 2>, 10> kBjsSin = {{
    {4.0562924682346302e-1, 4.6787933456224088e-1},
    {3.4219864653391822e-1, 5.2719916280123859e-1},
    {2.7948648328202279e-1, 5.8209080582330918e-1},
    {2.1942426297223606e-1, 6.3138085195917788e-1},
    {1.6386275803491719e-1, 6.7425233008260223e-1},
    {1.1447708818931852e-1, 7.1023239964366176e-1},
    {7.2699733973250002e-2, 7.3914021507488501e-1},
    {3.968405321502543e-2, 7.6100601509325219e-1},
    {1.6293999704091966e-2, 7.7597676579545029e-1},
    {3.1077814876463047e-3, 7.8422686671408741e-1},
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
struct BjsNodes {
  std::array<double, 20> sn{}, w{}, inv{};  // sin(t_i), weight, 1/(1 - sin^2 t_i)
};
constexpr BjsNodes make_bjs_nodes() {
  BjsNodes n;
  for (std::size_t i = 0; i < 10; ++i) {
    for (std::size_t j = 0; j < 2; ++j) {
      const double s = kBjsSin[i][j];
      n.sn[2 * i + j] = s;
      n.w[2 * i + j] = kGl20[i][1];
      n.inv[2 * i + j] = 1.0 / (1.0 - s * s);
    }
  }
  return n;
}
constexpr BjsNodes kBjsNodes = make_bjs_nodes();

double bvn_bjs(double a, double b, double sign) {
  const double h = -a, k = -b;
  const double hk = sign * (h * k), hs = 0.5 * (h * h + k * k);
  std::array<double, 20> term;
  for (std::size_t i = 0; i < 20; ++i) {
    term[i] = kBjsNodes.w[i] * k_exp((kBjsNodes.sn[i] * hk - hs) * kBjsNodes.inv[i]);
  }
  double sum = 0.0;
  for (double t : term) sum += t;
  return sum * (sign * kBjsAsr) / (2.0 * kTwoPi) + k_ncdf(-h) * k_ncdf(-k);
}

// ---- Bjerksund & Stensland (2002) -----------------------------------------------------------------
double bjs_phi(double S, double T, double gamma, double H, double I, double r, double b, double v) {
  const double sv = v * std::sqrt(T);
  const double lambda = (-r + gamma * b + 0.5 * gamma * (gamma - 1.0) * v * v) * T;
  const double d = -(k_log(S / H) + (b + (gamma - 0.5) * v * v) * T) / sv;
  const double kappa = 2.0 * b / (v * v) + 2.0 * gamma - 1.0;
  return k_exp(lambda + gamma * k_log(S)) *
         (k_ncdf(d) - k_exp(kappa * k_log(I / S)) * k_ncdf(d - 2.0 * k_log(I / S) / sv));
}

double bjs_psi(double S, double T2, double gamma, double H, double I2, double I1, double T1, double r, double b,
               double v) {
  const double s1 = v * std::sqrt(T1), s2 = v * std::sqrt(T2);
  const double drift = b + (gamma - 0.5) * v * v;
  const double lnS = k_log(S);
  const double e1 = (lnS - k_log(I1) + drift * T1) / s1;
  const double e2 = (2.0 * k_log(I2) - lnS - k_log(I1) + drift * T1) / s1;
  const double e3 = (lnS - k_log(I1) - drift * T1) / s1;
  const double e4 = (2.0 * k_log(I2) - lnS - k_log(I1) - drift * T1) / s1;
  const double f1 = (lnS - k_log(H) + drift * T2) / s2;
  const double f2 = (2.0 * k_log(I2) - lnS - k_log(H) + drift * T2) / s2;
  const double f3 = (2.0 * k_log(I1) - lnS - k_log(H) + drift * T2) / s2;
  const double f4 = (lnS + 2.0 * k_log(I1) - k_log(H) - 2.0 * k_log(I2) + drift * T2) / s2;
  const double lambda = -r + gamma * b + 0.5 * gamma * (gamma - 1.0) * v * v;
  const double kappa = 2.0 * b / (v * v) + 2.0 * gamma - 1.0;
  return k_exp(lambda * T2 + gamma * lnS) *
         (bvn_bjs(-e1, -f1, 1.0) - k_exp(kappa * (k_log(I2) - lnS)) * bvn_bjs(-e2, -f2, 1.0) -
          k_exp(kappa * (k_log(I1) - lnS)) * bvn_bjs(-e3, -f3, -1.0) +
          k_exp(kappa * (k_log(I1) - k_log(I2))) * bvn_bjs(-e4, -f4, -1.0));
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
  const double a1 = (I1 - X) * k_exp(-beta * k_log(I1));
  const double a2 = (I2 - X) * k_exp(-beta * k_log(I2));
  return a2 * k_exp(beta * k_log(S)) - a2 * bjs_phi(S, t1, beta, I2, I2, r, b, v) +
         bjs_phi(S, t1, 1.0, I2, I2, r, b, v) - bjs_phi(S, t1, 1.0, I1, I2, r, b, v) -
         X * bjs_phi(S, t1, 0.0, I2, I2, r, b, v) + X * bjs_phi(S, t1, 0.0, I1, I2, r, b, v) +
         a1 * bjs_phi(S, t1, beta, I1, I2, r, b, v) - a1 * bjs_psi(S, T, beta, I1, I2, I1, t1, r, b, v) +
         bjs_psi(S, T, 1.0, I1, I2, I1, t1, r, b, v) - bjs_psi(S, T, 1.0, X, I2, I1, t1, r, b, v) -
         X * bjs_psi(S, T, 0.0, I1, I2, I1, t1, r, b, v) + X * bjs_psi(S, T, 0.0, X, I2, I1, t1, r, b, v);
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
