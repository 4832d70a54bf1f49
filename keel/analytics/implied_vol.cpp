// keel/analytics/implied_vol.cpp — see implied_vol.hpp. Implemented from the formulas of
// P. Jäckel, "Let's Be Rational" (Wilmott 2015, 75: 40-53); no code was copied.
#include "keel/analytics/implied_vol.hpp"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "keel/analytics/normal.hpp"
#include "keel/analytics/vector_math.hpp"

namespace keel::analytics {
namespace {

constexpr double kInvSqrt2Pi = 0.39894228040143268;  // 1/sqrt(2 pi)
constexpr double kSqrt2Pi = 2.5066282746310002;
constexpr double kLnSqrt2Pi = 0.91893853320467274;  // ln sqrt(2 pi)
constexpr double kSqrt3 = 1.7320508075688772;
constexpr double kTwoPi = 6.2831853071795865;

// ---- The Mills ratio M(z) = Phi(-z)/phi(z) (= sqrt(pi/2) erfcx(z/sqrt 2)) on z >= -1 ----------
// M(z) = P(tau), tau = (4 - z)/(6 + z) maps [-1, inf) onto (-1, 1]. P: Chebyshev interpolation of
// M(z(tau)) at 27 nodes, computed with mpmath at 50 digits and converted to monomials. Relative
// error in double arithmetic < 3.1e-15.
constexpr std::size_t kMillsN = 27;
constexpr std::array<double, kMillsN> kMills = {
    2.3665238291356067e-1,  5.3390468345757334e-1,  6.2062079306899683e-1,  6.2800349196925191e-1,
    5.5186175894348654e-1,  4.1802500784746508e-1,  2.6899642030131955e-1,  1.431265628231274e-1,
    5.9625535060760478e-2,  1.6880354003778502e-2,  1.364961163886755e-3,   -1.4090811294220278e-3,
    -6.759563764237359e-4,  -2.4773515280515221e-5, 8.8160617986077293e-5,  2.4123998531568881e-5,
    -8.8856730162149386e-6, -5.2940636482131958e-6, 8.0093503849073985e-7,  9.7613347449054404e-7,
    -7.24775945584416e-8,   -1.6772255548589947e-7, 8.5514464921389974e-9,  2.407186645611556e-8,
    -1.3126642066283349e-9, -2.0223152761304609e-9, 1.3506406509759974e-10};

inline double tau_of(double z) { return (4.0 - z) / (6.0 + z); }

// Estrin's scheme over the 27 coefficients: 14 first-level terms (the last is the constant
// c_26 alone), then 7, 4 (the odd one carried up unchanged), 2, 1. (Padding to 32 with zeros
// gave the same bits at 13% more operations: without -ffast-math, 0 + 0 t is not folded.)
static_assert(kMillsN % 2 == 1);
constexpr int kLevel0 = static_cast<int>(kMillsN + 1) / 2;

// P at one point.
double mills_tau(double t) {
  std::array<double, kLevel0> v;
#pragma GCC unroll 16
  for (int i = 0; i < kLevel0 - 1; ++i) v[i] = kMills[2 * i] + kMills[2 * i + 1] * t;
  v[kLevel0 - 1] = kMills[kMillsN - 1];
  double p = t * t;
#pragma GCC unroll 4
  for (int n = kLevel0; n > 1; n = (n + 1) / 2) {
#pragma GCC unroll 8
    for (int i = 0; i < n / 2; ++i) v[i] = v[2 * i] + p * v[2 * i + 1];
    if (n % 2 == 1) v[n / 2] = v[n - 1];
    p = p * p;
  }
  return v[0];
}
double mills(double z) { return mills_tau(tau_of(z)); }

// Two lanes of doubles (GCC/Clang vector extension: SSE2 on x86-64, plain pairs elsewhere). The
// lane operations are the IEEE operations of the scalar code, so results do not depend on how
// the compiler maps them. The auto-vectorizer left the two-point Estrin scheme below mostly
// scalar, at twice the instructions.
typedef double V2 __attribute__((vector_size(16)));

// P at two points in lock step.
struct Two {
  double a, b;
};
Two mills_tau2(double ta, double tb) {
  const V2 t = {ta, tb};
  V2 v[kLevel0];
#pragma GCC unroll 16
  for (int i = 0; i < kLevel0 - 1; ++i) v[i] = kMills[2 * i] + kMills[2 * i + 1] * t;
  v[kLevel0 - 1] = V2{kMills[kMillsN - 1], kMills[kMillsN - 1]};
  V2 p = t * t;
#pragma GCC unroll 4
  for (int n = kLevel0; n > 1; n = (n + 1) / 2) {
#pragma GCC unroll 8
    for (int i = 0; i < n / 2; ++i) v[i] = v[2 * i] + p * v[2 * i + 1];
    if (n % 2 == 1) v[n / 2] = v[n - 1];
    p = p * p;
  }
  return Two{v[0][0], v[0][1]};
}

// P at two points a, b and the divided difference (P(a) - P(b)) / (a - b), by the same pairwise
// scheme: for P = L + y^m H, (y^m H)[a,b] = a^m H[a,b] + H(b) (y^m)[a,b] (Leibniz rule for
// divided differences) and (y^2m)[a,b] = (y^m)[a,b] (a^m + b^m). No difference of nearly equal
// values is ever formed, so M(u - t) - M(u + t) keeps its relative precision for tiny t.
struct Pair {
  double va, vb, dd;
};
Pair mills_pair(double ta, double tb) {
  const V2 t = {ta, tb};
  V2 v[kLevel0];
  double dd[kLevel0];
#pragma GCC unroll 16
  for (int i = 0; i < kLevel0 - 1; ++i) {
    v[i] = kMills[2 * i] + kMills[2 * i + 1] * t;
    dd[i] = kMills[2 * i + 1];
  }
  v[kLevel0 - 1] = V2{kMills[kMillsN - 1], kMills[kMillsN - 1]};
  dd[kLevel0 - 1] = 0.0;  // a constant's divided difference
  V2 p = t * t;
  double pd = ta + tb;
#pragma GCC unroll 4
  for (int n = kLevel0; n > 1; n = (n + 1) / 2) {
#pragma GCC unroll 8
    for (int i = 0; i < n / 2; ++i) {
      dd[i] = dd[2 * i] + p[0] * dd[2 * i + 1] + v[2 * i + 1][1] * pd;
      v[i] = v[2 * i] + p * v[2 * i + 1];
    }
    if (n % 2 == 1) {
      dd[n / 2] = dd[n - 1];
      v[n / 2] = v[n - 1];
    }
    pd = pd * (p[0] + p[1]);
    p = p * p;
  }
  return Pair{v[0][0], v[0][1], dd[0]};
}

// ---- The normalised Black function for an out-of-the-money call (x <= 0) ---------------------
// With u = -x/s >= 0 and t = s/2: b = E [M(u - t) - M(u + t)], E = e^{-(u^2+t^2)/2}/sqrt(2 pi)
// = db/ds. When u - t < -1, M(u - t) = sqrt(2 pi) e^{(t-u)^2/2} - M(t - u) turns this into
// b = b_max - E [M(t - u) + M(t + u)], b_max = e^{x/2}, without cancellation there (b > b_max/2).
struct Eval {
  double b;             // normalised price
  double bmax_minus_b;  // b_max - b, accurate in both regimes
  double ln_b;          // ln b, finite even where b underflows (only when asked for)
  double vega;          // db/ds
  double lambda;        // (db/ds) / b
  double mu;            // (db/ds) / (b_max - b)
  double inv_lambda;    // 1/lambda
  double inv_mu;        // 1/mu
};

// M at two points z_a <= z_b (both >= -1) and D = M(z_a) - M(z_b). When z_b = z_a + 2t the
// plain difference loses about log2((z_b + 1.25) / (2t)) bits (M's log-derivative is about
// -1/(z + 1.25)); beyond 3 bits the divided-difference form (mills_pair), which loses none, is
// taken (an infinite t asks for the two values only). Arguments are capped at 1e150 (M is then
// ~1e-150 and every caller multiplies it by e^{-z^2/2} = 0) so that the product of the
// denominators in the divided difference's factor stays finite.
struct MillsTwo {
  double ma, mb, diff;
};
MillsTwo mills_two(double za, double zb, double t) {
  za = std::min(za, 1e150);
  zb = std::min(zb, 1e150);
  const double ta = tau_of(za), tb = tau_of(zb);
  if (zb + 1.25 > 16.0 * t) {
    const Pair p = mills_pair(ta, tb);
    return MillsTwo{p.va, p.vb, (20.0 * t / ((6.0 + za) * (6.0 + zb))) * p.dd};
  }
  const Two m = mills_tau2(ta, tb);
  return MillsTwo{m.a, m.b, m.a - m.b};
}

Eval eval_otm_call(double x, double s, double bmax, bool want_log = false) {
  const double t = 0.5 * s;
  const double u = -x / s;
  const double expo = -0.5 * (u * u + t * t);
  const double E = vmath::k_exp(expo) * kInvSqrt2Pi;
  Eval e{};
  e.vega = E;
  const double z1 = u - t;
  if (z1 >= -1.0) {
    const double D = mills_two(z1, u + t, t).diff;
    e.b = E * D;
    // vmath::k_log: within an ulp like std::log (D is a normal double: M(z) > 1e-151).
    e.ln_b = want_log ? (expo - kLnSqrt2Pi) + vmath::k_log(D) : 0.0;
    e.bmax_minus_b = bmax - e.b;
    e.lambda = 1.0 / D;
    e.mu = E / e.bmax_minus_b;
    e.inv_lambda = D;
    e.inv_mu = e.bmax_minus_b / E;
  } else {
    // The sum only: an infinite half-gap selects the plain two-point pass.
    const MillsTwo two = mills_two(t - u, t + u, std::numeric_limits<double>::infinity());
    const double m = two.ma + two.mb;
    e.bmax_minus_b = E * m;
    e.b = bmax - e.bmax_minus_b;
    e.ln_b = want_log ? vmath::k_log(e.b) : 0.0;
    e.lambda = E / e.b;
    e.mu = 1.0 / m;
    e.inv_lambda = e.b / E;
    e.inv_mu = m;
  }
  return e;
}

// Cube root for a starting guess only (its result feeds norm_inv_cdf_approx, itself good to 1.15e-9):
// a bit-level first guess (relative error < 3.2%), then four Newton steps y <- (2 y + a / y^2)/3
// (quadratic: 3.2e-2 -> 1e-3 -> 1e-6 -> 1e-12 -> rounding). For a normal a > 0; anything else
// goes to std::cbrt. glibc's cbrt (frexp, ldexp) cost ~130 instructions per lowest-branch solve.
double cbrt_guess(double a) {
  if (!(a >= DBL_MIN && a <= DBL_MAX)) return std::cbrt(a);
  double y = vmath::from_bits(0x2a9f7893782da1ceULL + vmath::to_bits(a) / 3);
  for (int i = 0; i < 4; ++i) y = (2.0 * y + a / (y * y)) * (1.0 / 3.0);
  return y;
}

// ---- Rational cubic interpolation (Delbourgo & Gregory 1983, as used by Jäckel) --------------
constexpr double kMinR = -(1.0 - 1.4901161193847656e-08);  // keeps 1 + (r-3) t(1-t) > 0
constexpr double kMaxR = 2.0 / (DBL_EPSILON * DBL_EPSILON);  // effectively linear

double rational_cubic(double x, double xl, double xr, double yl, double yr, double dl, double dr, double r) {
  const double h = xr - xl;
  if (!(h > 0.0)) return 0.5 * (yl + yr);
  const double t = (x - xl) / h;
  const double omt = 1.0 - t;
  if (r >= kMaxR) return yr * t + yl * omt;
  const double t2 = t * t, omt2 = omt * omt;
  return (yr * t2 * t + (r * yr - h * dr) * t2 * omt + (r * yl + h * dl) * t * omt2 + yl * omt2 * omt) /
         (1.0 + (r - 3.0) * t * omt);
}

// Smallest r that keeps the interpolant monotone (r >= (d_l + d_r)/s) and convex or concave
// (r >= |d_r - d_l| / |d_r - s|, |d_r - d_l| / |s - d_l|) where the data are.
double minimum_control(double dl, double dr, double s) {
  const bool monotonic = dl * s >= 0.0 && dr * s >= 0.0;
  const bool convex = dl <= s && s <= dr;
  const bool concave = dl >= s && s >= dr;
  if (!monotonic && !convex && !concave) return kMinR;
  double r = kMinR;
  if (monotonic) {
    if (s != 0.0) {
      r = std::max(r, (dr + dl) / s);
    } else if (dl != 0.0 || dr != 0.0) {
      r = kMaxR;
    }
  }
  if (convex || concave) {
    const double drs = dr - s, dsl = s - dl, ds = dr - dl;
    if (drs != 0.0 && dsl != 0.0) {
      r = std::max(r, std::max(std::fabs(ds / drs), std::fabs(ds / dsl)));
    } else if (ds != 0.0) {
      r = kMaxR;
    }
  }
  return r;
}

double clamp_control(double r, double dl, double dr, double s) {
  const double rmin = minimum_control(dl, dr, s);
  if (!(r == r)) r = rmin;  // NaN from 0/0 in the fit
  return std::clamp(std::max(r, rmin), kMinR, kMaxR);
}

// r such that the interpolant's second derivative at the right (left) end is `second`, then
// raised to the shape-preserving minimum.
double control_right(double xl, double xr, double yl, double yr, double dl, double dr, double second) {
  const double h = xr - xl, s = (yr - yl) / h;
  const double num = 0.5 * h * second + (dr - dl), den = dr - s;
  const double r = den != 0.0 ? num / den : (num > 0.0 ? kMaxR : kMinR);
  return clamp_control(r, dl, dr, s);
}
double control_left(double xl, double xr, double yl, double yr, double dl, double dr, double second) {
  const double h = xr - xl, s = (yr - yl) / h;
  const double num = 0.5 * h * second + (dr - dl), den = s - dl;
  const double r = den != 0.0 ? num / den : (num > 0.0 ? kMaxR : kMinR);
  return clamp_control(r, dl, dr, s);
}

// ---- The solver ----------------------------------------------------------------------------------
enum class Objective { kLog, kPlain, kUpper };

// Householder step of order 3 from the Newton step nu and h2 = g''/g', h3 = g'''/g'.
double householder(double nu, double h2, double h3) {
  // (1/6 as a factor: a division by 6 would sit on the iteration's critical path.)
  const double den = 1.0 + nu * (h2 + h3 * nu * (1.0 / 6.0));
  const double num = 1.0 + 0.5 * h2 * nu;
  const double f = num / den;
  // Far from the root the correction can misbehave; Newton is then the safer step.
  return (den > 0.0 && f > 0.0 && f < 4.0) ? nu * f : nu;
}

double solve_otm_call(double beta, double x, double bmax) {
  const double sc = std::sqrt(-2.0 * x);
  const double vc = bmax * kInvSqrt2Pi;  // db/ds at s_c = e^{x/2}/sqrt(2 pi)
  // At s_c, u = t = sqrt(|x|/2): b_c = v_c [M(0) - M(s_c)].
  const double bc = x == 0.0 ? 0.0 : vc * mills_two(0.0, sc, 0.5 * sc).diff;
  double s = 0.0;
  Objective obj = Objective::kPlain;
  if (beta < bc) {
    double sl = sc - bc / vc;
    if (!(sl > 0.0)) sl = 0.5 * sc;  // convexity puts s_l in (0, s_c); rounding safety only
    const Eval el = eval_otm_call(x, sl, bmax);
    if (beta < el.b) {
      // Lowest branch: interpolate the lower map f(s) = 2 pi |x| / (3 sqrt 3) Phi(z)^3,
      // z = -|x| / (sqrt(3) s), as a function of beta on [0, b_l]; f ~ b as s -> 0, so df/db = 1 at 0.
      const double ax = -x;
      const double z = -ax / (kSqrt3 * sl);
      const double tl = 0.5 * sl, hl = x / sl;
      const double Mz = mills(-z);
      const double phi_z = kInvSqrt2Pi * vmath::k_exp(-0.5 * z * z) * Mz;  // Phi(z) = phi(z) M(-z)
      const double fl = kTwoPi * ax / (3.0 * kSqrt3) * phi_z * phi_z * phi_z;
      // df/db = f'/b' and d2f/db2 = (f'' - f' b''/b') / b'^2, with the Gaussian factors cancelled
      // analytically (Phi(z) = phi(z) M(-z), 3 z^2 / 2 = x^2 / (2 s^2)) to avoid underflow.
      const double dfdb = x * x * Mz * Mz * vmath::k_exp(0.5 * tl * tl) / (3.0 * sl * sl);
      const double p2 = (hl * hl - tl * tl) / sl;
      const double d2fdb2 = kSqrt2Pi * x * x / (3.0 * sl * sl) * vmath::k_exp(0.5 * hl * hl + tl * tl) * Mz *
                            ((-2.0 * z + (z * z - 2.0) * Mz) / sl - Mz * p2);
      const double r = control_right(0.0, el.b, 0.0, fl, 1.0, dfdb, d2fdb2);
      const double f = rational_cubic(beta, 0.0, el.b, 0.0, fl, 1.0, dfdb, r);
      const double cdf = cbrt_guess(3.0 * kSqrt3 * f / (kTwoPi * ax));
      const double zz = cdf > 0.0 ? norm_inv_cdf_approx(std::min(cdf, 0.5)) : -38.0;
      s = zz < 0.0 ? -ax / (kSqrt3 * zz) : sl;
      if (!(s > 0.0) || !(s <= sl)) s = std::clamp(s, 1e-3 * sl, sl);
      obj = Objective::kLog;
    } else {
      const double r = control_right(el.b, bc, sl, sc, 1.0 / el.vega, 1.0 / vc, 0.0);
      s = rational_cubic(beta, el.b, bc, sl, sc, 1.0 / el.vega, 1.0 / vc, r);
    }
  } else {
    const double su = sc + (bmax - bc) / vc;
    const Eval eu = eval_otm_call(x, su, bmax);
    if (beta <= eu.b) {
      const double r = control_left(bc, eu.b, sc, su, 1.0 / vc, 1.0 / eu.vega, 0.0);
      s = rational_cubic(beta, bc, eu.b, sc, su, 1.0 / vc, 1.0 / eu.vega, r);
    } else {
      // Highest branch: interpolate the upper map f(s) = Phi(-s/2) on [b_u, b_max]; as s -> inf,
      // b_max - b ~ 2 Phi(-s/2), so df/db = -1/2 at b_max.
      const double tu = 0.5 * su, hu = x / su;
      const double fu = kInvSqrt2Pi * vmath::k_exp(-0.5 * tu * tu) * mills(tu);  // Phi(-t_u)
      const double dfdb = -0.5 * vmath::k_exp(0.5 * hu * hu);
      const double p2 = (hu * hu - tu * tu) / su;
      const double d2fdb2 = kSqrt2Pi * vmath::k_exp(hu * hu + 0.5 * tu * tu) * (su / 8.0 + 0.5 * p2);
      const double r = control_left(eu.b, bmax, fu, 0.0, dfdb, -0.5, d2fdb2);
      const double f = rational_cubic(beta, eu.b, bmax, fu, 0.0, dfdb, -0.5, r);
      s = f > 0.0 ? -2.0 * norm_inv_cdf_approx(std::min(f, fu)) : 2.0 * su;
      if (!(s >= su)) s = su;
      obj = Objective::kUpper;
    }
  }
  if (!(s > 0.0)) s = sc > 0.0 ? sc : 1.0;

  // vmath::k_log is within an ulp like std::log, at half the instructions (beta is a normal double:
  // b < 1e-300 prices are out of the domain).
  const double ln_beta = obj == Objective::kLog ? vmath::k_log(beta) : 0.0;
  const double inv_ln_beta = 1.0 / ln_beta;  // inf where unused
  const double inv_bmax_minus_beta = 1.0 / (bmax - beta);
  const double inv_bmax = 1.0 / bmax;
  for (int iter = 0; iter < 2; ++iter) {
    const Eval e = eval_otm_call(x, s, bmax, obj == Objective::kLog);
    const double inv_s = 1.0 / s;
    const double h = x * inv_s, t = 0.5 * s;
    const double p2 = (h * h - t * t) * inv_s;                           // b''/b'
    const double p3 = p2 * p2 - 3.0 * (h * inv_s) * (h * inv_s) - 0.25;  // b'''/b'
    double step = 0.0;
    switch (obj) {
      case Objective::kLog: {
        // g = 1/ln b - 1/ln beta; with L = ln b and lambda = b'/b:
        // nu = (ln beta - L) L / (ln beta lambda), g''/g' = p2 - lambda - 2 lambda / L,
        // g'''/g' = p3 - 3 lambda p2 + 2 lambda^2 - 6 (lambda p2 - lambda^2) / L + 6 lambda^2 / L^2.
        // (1/lambda = b/b' and 1/ln beta are at hand: only 1/L is divided out here.)
        const double L = e.ln_b, l = e.lambda, inv_l = 1.0 / L;
        const double nu = (ln_beta - L) * L * e.inv_lambda * inv_ln_beta;
        const double h2 = p2 - l - 2.0 * l * inv_l;
        const double h3 = p3 - 3.0 * l * p2 + 2.0 * l * l - 6.0 * (l * p2 - l * l) * inv_l + 6.0 * l * l * (inv_l * inv_l);
        step = householder(nu, h2, h3);
        break;
      }
      case Objective::kUpper: {
        // g = ln(b_max - beta) - ln(b_max - b); mu = b'/(b_max - b).
        // (1/mu = (b_max - b)/b' and 1/(b_max - beta) are at hand: no division on the path.)
        const double m = e.mu;
        const double nu = vmath::k_log(e.bmax_minus_b * inv_bmax_minus_beta) * e.inv_mu;
        step = householder(nu, p2 + m, p3 + 3.0 * m * p2 + 2.0 * m * m);
        break;
      }
      case Objective::kPlain: {
        // householder(nu, p2, p3) with nu = N / V over one division: with R = V (V + p2 N / 2)
        // and Q = V^2 + p2 N V + p3 N^2 / 6, den = Q / V^2, num = R / V^2 and the step
        // nu num / den = N R / (V Q). N and V are scaled by 1/b_max: V / b_max = phi(u - t),
        // which the middle branches keep far from underflow.
        const double N = (beta - e.b) * inv_bmax, V = e.vega * inv_bmax;
        const double R = V * (V + 0.5 * p2 * N);
        const double Q = V * V + p2 * N * V + p3 * N * N * (1.0 / 6.0);
        step = (Q > 0.0 && R > 0.0 && R < 4.0 * Q) ? N * R / (V * Q) : N / V;
        break;
      }
    }
    const double next = s + step;
    const double s_prev = s;
    s = next > 0.0 && std::isfinite(next) ? next : 0.5 * s;
    // Skip the second step when the first proves it unnecessary. Householder(3) converges with
    // order 4: the error left after a step of relative size r = step/s is about C r^4 s, which
    // moves the price by (s b'/b) C r^4 relative. Over 10^6 random cases of the property test's
    // domain the measured constant C (error after one step / (r^4 max(1, s b'/b))) stayed below
    // 2.6 on the middle branches and 0.13 on the highest; 30 and 2 leave a margin of more than
    // 10, so a skip leaves a price error below 1e-13 plus rounding (measured: <= 7.6e-15). The
    // lowest branch's constant spreads over decades, so it always takes both steps.
    if (iter == 0 && obj != Objective::kLog) {
      const double r = step / s_prev, r2 = r * r;
      const double est = (obj == Objective::kPlain ? 30.0 : 2.0) * (r2 * r2) * std::max(1.0, s_prev * e.lambda);
      if (est <= 1e-13) break;
    }
  }
  return s;
}

// ---- The lane solver: the same method, branch-free, for SIMD lanes -----------------------------
// solve_otm_call above takes the branches of Let's Be Rational one problem at a time. The lane
// solver below computes the same initial guess (the four branches' rational cubic interpolations,
// the lower and upper maps) with every per-problem decision made by a bit-mask select: each lane
// evaluates the one side (s_l or s_u) and the one outer map its price needs, with arguments
// chosen per lane, so a loop of lanes has no branches and GCC vectorizes it (the AVX2 and
// AVX-512F levels of vmath::for_lanes). The batch runs the part every branch shares (guess_head:
// the branch and its interpolation) on all lanes, then groups the lanes by branch, and each
// group's loops compute only that branch's formulas (guess_middle/lower/upper, the lowest
// branch's correction, the step on the branch's objective). Polynomials and range reductions use
// fused multiply-add (vmath::fma: one rounding, so every level still gives the same bits).
// Then, unlike the scalar path:
// - the lowest branch's guess (off by up to ~5e-2 after the lower map's interpolation) is
//   corrected by one Householder(3) step on ln b with a cheap b (mills_guess1, ~3e-7), which
//   leaves it within ~1e-6 (lowest_correction);
// - one Householder step of order 5 (step_lane) on b - beta, or on ln(b_max - b) on the highest
//   branch: from guesses within ~7e-3 (the middle and upper branches' worst, measured) it lands
//   within the check's bound;
// - the result is checked on an exact evaluation of b, not predicted from the step size:
//   |b(s1) - beta| <= kLaneTolerance beta accepts s1; otherwise the lane takes a second step and
//   is checked again (verify_lane), and a lane that fails that (extreme wings, where rounding in
//   the objective stalls the iteration) is solved by solve_otm_call. Measured over 200,000 random
//   problems of the property test's domain (BatchLanesNeedOneStepAlmostEverywhere): 26 lanes take
//   the second step and 3 go on to solve_otm_call (none of bench_implied_vol's 1,024); with
//   Householder(3) steps and no correction 27% of them (45% of the benchmark's) took the second.
// The guess's interpolation nodes use mills_guess1 too; b in the steps is always a divided
// difference in the lower regime. Only the batches use the lanes (a scalar call would pay for
// every branch); each lane's arithmetic is independent of the others', so a batch result never
// depends on its neighbours, its position in the batch or the instruction set (IEEE operations,
// no contraction).
namespace lane {

using vmath::from_bits;
using vmath::select_bits;
using vmath::to_bits;
using vmath::fma;  // one vfmadd at the wide levels, the C library's fma at the baseline: same bits

inline std::uint64_t m_of(bool c) { return std::uint64_t{0} - static_cast<std::uint64_t>(c); }
inline double sel(bool c, double a, double b) { return select_bits(m_of(c), a, b); }
inline double vmin(double a, double b) { return sel(a < b, a, b); }
inline double vmax(double a, double b) { return sel(b < a, a, b); }
inline double vabs(double a) { return from_bits(to_bits(a) & 0x7fffffffffffffffULL); }
inline bool finite(double a) { return (to_bits(a) & 0x7fffffffffffffffULL) < 0x7ff0000000000000ULL; }

// A cheaper M for the guess's interpolation nodes, where ~1e-6 is plenty: M(z(tau)) = (1 + tau) R(tau)
// (M ~ 1/z and 1 + tau = 10/(6 + z) as z -> inf, so R stays finite and a relative fit of R is one
// of M); R: Chebyshev interpolation of mills_tau / (1 + tau) at 12 nodes on [-1, 1], converted to
// monomials; relative error < 3e-7 against mills_tau (checked on a 20,000-point grid).
constexpr std::array<double, 12> kMillsGuess = {0.23665239501085433, 0.29725227647583341, 0.32336761361843697, 0.30463673412577497, 0.24723749168984369, 0.17077790341764695, 0.098148065280239546, 0.045016142723376167, 0.014810411443572164, 0.0020104691918673514, -0.00095301858671822015, -0.00043059535582271968};
inline double mills_guess1(double t) {
  const auto& c = kMillsGuess;
  const double t2 = t * t, t4 = t2 * t2, t8 = t4 * t4;
  const double a0 = fma(c[1], t, c[0]), a1 = fma(c[3], t, c[2]), a2 = fma(c[5], t, c[4]), a3 = fma(c[7], t, c[6]);
  const double a4 = fma(c[9], t, c[8]), a5 = fma(c[11], t, c[10]);
  const double b0 = fma(a1, t2, a0), b1 = fma(a3, t2, a2), b2 = fma(a5, t2, a4);
  return (1.0 + t) * fma(b2, t8, fma(b1, t4, b0));
}
constexpr double kMillsAtZero = 1.2533141373155001;  // M(0) = sqrt(pi / 2)

// P at a and b and the divided difference (P(a) - P(b)) / (a - b): mills_pair's scheme for P(b)
// and the divided difference on plain doubles, written out, and P(a) = P(b) + (a - b) P[a,b]: for P = L + y^m H, (y^m H)[a,b] = a^m H[a,b] + H(b) (y^m)[a,b] and
// (y^2m)[a,b] = (y^m)[a,b] (a^m + b^m).
struct PairL {
  double va, vb, dd;
};
inline PairL mills_pair1(double ta, double tb) {
  const auto& c = kMills;
  const double pa1 = ta * ta, pb1 = tb * tb, pd1 = ta + tb;
  const double pa2 = pa1 * pa1, pb2 = pb1 * pb1, pd2 = pd1 * (pa1 + pb1);
  const double pa3 = pa2 * pa2, pb3 = pb2 * pb2, pd3 = pd2 * (pa2 + pb2);
  const double pa4 = pa3 * pa3, pb4 = pb3 * pb3, pd4 = pd3 * (pa3 + pb3);
  // level 0: c_2i + c_2i+1 y at a and b; the divided difference of that pair is c_2i+1 itself
  const double b0 = fma(c[1], tb, c[0]);
  const double b1 = fma(c[3], tb, c[2]);
  const double b2 = fma(c[5], tb, c[4]);
  const double b3 = fma(c[7], tb, c[6]);
  const double b4 = fma(c[9], tb, c[8]);
  const double b5 = fma(c[11], tb, c[10]);
  const double b6 = fma(c[13], tb, c[12]);
  const double b7 = fma(c[15], tb, c[14]);
  const double b8 = fma(c[17], tb, c[16]);
  const double b9 = fma(c[19], tb, c[18]);
  const double b10 = fma(c[21], tb, c[20]);
  const double b11 = fma(c[23], tb, c[22]);
  const double b12 = fma(c[25], tb, c[24]);
  const double b13 = c[26];
  // level 1 (y^2 = pa1, pb1): L + y^2 H; (y^2 H)[a,b] = a^2 H[a,b] + H(b) (y^2)[a,b]
  const double l1g0 = fma(b1, pd1, fma(pa1, c[3], c[1]));
  const double l1b0 = fma(pb1, b1, b0);
  const double l1g1 = fma(b3, pd1, fma(pa1, c[7], c[5]));
  const double l1b1 = fma(pb1, b3, b2);
  const double l1g2 = fma(b5, pd1, fma(pa1, c[11], c[9]));
  const double l1b2 = fma(pb1, b5, b4);
  const double l1g3 = fma(b7, pd1, fma(pa1, c[15], c[13]));
  const double l1b3 = fma(pb1, b7, b6);
  const double l1g4 = fma(b9, pd1, fma(pa1, c[19], c[17]));
  const double l1b4 = fma(pb1, b9, b8);
  const double l1g5 = fma(b11, pd1, fma(pa1, c[23], c[21]));
  const double l1b5 = fma(pb1, b11, b10);
  const double l1g6 = fma(b13, pd1, c[25]);  // H = c_26, a constant: H[a,b] = 0
  const double l1b6 = fma(pb1, b13, b12);
  // level 2 (y^4)
  const double l2g0 = fma(l1b1, pd2, fma(pa2, l1g1, l1g0));
  const double l2b0 = fma(pb2, l1b1, l1b0);
  const double l2g1 = fma(l1b3, pd2, fma(pa2, l1g3, l1g2));
  const double l2b1 = fma(pb2, l1b3, l1b2);
  const double l2g2 = fma(l1b5, pd2, fma(pa2, l1g5, l1g4));
  const double l2b2 = fma(pb2, l1b5, l1b4);
  const double l2g3 = l1g6, l2b3 = l1b6;
  // level 3 (y^8)
  const double l3g0 = fma(l2b1, pd3, fma(pa3, l2g1, l2g0));
  const double l3b0 = fma(pb3, l2b1, l2b0);
  const double l3g1 = fma(l2b3, pd3, fma(pa3, l2g3, l2g2));
  const double l3b1 = fma(pb3, l2b3, l2b2);
  // level 4 (y^16)
  const double dd = fma(l3b1, pd4, fma(pa4, l3g1, l3g0));
  const double vb = fma(pb4, l3b1, l3b0);
  // P(a) = P(b) + (a - b) P[a,b]: one fused step instead of a third evaluation chain (the callers
  // add P(a) to P(b) > 0, both positive: no cancellation).
  return PairL{fma(ta - tb, dd, vb), vb, dd};
}

// eval_otm_call for a lane: b, b_max - b, b' = E and what the lane's objective needs; the
// regime (z1 = u - t >= -1 or not) is chosen per lane, and M(za) - M(zb) is a divided
// difference (full relative precision for small t). `obj_log` / `obj_up` pick the reciprocals
// the lane's objective needs (plain: 1/b'; ln b: lambda = b'/b and 1/lambda; ln(b_max - b): mu
// = b'/(b_max - b) and 1/mu), and `log_arg` is what that objective takes the log of. Each case
// gets its reciprocals from one division: 1/E (plain), 1/D (ln b, lower regime: lambda = 1/D),
// 1/m (ln(b_max - b), upper regime: mu = 1/m), else 1/(E b) or 1/(E (b_max - b)); and 1/s with
// tau's denominators from 1/(s (6 + za) (6 + zb)). The check, which needs b alone, divides twice
// (u and that one).
struct EvalL {
  double b, bmb, vega, inv_vega, inv_s, lambda, inv_lambda, mu, inv_mu, log_arg, log_off;
};
inline EvalL eval1(double x, double s, double bmax, bool obj_log = false, bool obj_up = false,
                   double inv_bmax_minus_beta = 0.0) {
  const double t = 0.5 * s;
  const double u = -x / s;  // not -x * (1/s): b moves by u^2 ulps per ulp of u (deep wings)
  const double expo = -0.5 * (u * u + t * t);
  const double E = vmath::k_exp_fma(expo) * kInvSqrt2Pi;
  const double z1 = u - t;
  const bool lower = !(z1 < -1.0);
  const double za = vmin(sel(lower, z1, -z1), 1e150), zb = vmin(u + t, 1e150);
  // tau(za), tau(zb), the divided difference's factor and 1/s over one division.
  const double ga = 6.0 + za, gb = 6.0 + zb;
  const double gab = ga * gb;
  const double inv_sg = 1.0 / (s * gab);
  const double inv_g = s * inv_sg;
  const double ta = (4.0 - za) * (gb * inv_g), tb = (4.0 - zb) * (ga * inv_g);
  const PairL p = mills_pair1(ta, tb);
  const double D = (20.0 * t * inv_g) * p.dd;  // M(za) - M(zb)
  const double m = p.va + p.vb;                // M(t - u) + M(t + u), upper regime
  EvalL e;
  e.vega = E;
  e.inv_s = gab * inv_sg;
  const double b_lo = E * D;
  const double bmb_up = E * m;
  e.b = sel(lower, b_lo, bmax - bmb_up);
  e.bmb = sel(lower, bmax - b_lo, bmb_up);
  const bool plain = !obj_log & !obj_up;
  const bool alone = (obj_log & lower) | (obj_up & !lower);  // 1/D or 1/m
  const double other = sel(obj_log, e.b, e.bmb);               // E b or E (b_max - b)
  const double w = 1.0 / sel(plain, E, sel(alone, sel(lower, D, m), E * other));
  // plain: w = 1/E; ln b: lambda = 1/D (lower) or E/b = E^2 w, 1/lambda = D or b/E = b^2 w;
  // ln(b_max - b): mu = E/(b_max - b) = E^2 w (lower) or 1/m, 1/mu = (b_max - b)/E or m. (E^2
  // underflows only where E < 1e-154, far outside the regimes these cases occur in; a lane whose
  // step went wrong is caught by the check.)
  e.inv_vega = sel(plain, w, other * w);  // 1/E where the objective uses it
  e.lambda = sel(lower, w, E * (E * w));
  e.inv_lambda = sel(lower, D, e.b * e.inv_vega);
  e.mu = sel(lower, E * (E * w), w);
  e.inv_mu = sel(lower, e.bmb * e.inv_vega, m);
  e.log_arg = sel(obj_up, e.bmb * inv_bmax_minus_beta, sel(lower, D, e.b));
  e.log_off = sel(lower, expo - kLnSqrt2Pi, 0.0);
  return e;
}

// The rational cubic interpolation at x between (xl, yl) and (xr, yr) with end slopes dl, dr,
// its control r chosen as in control_right (right = true) or control_left from the second
// derivative at that end, then raised to the shape-preserving minimum (minimum_control) and
// clamped: the scalar rational_cubic(x, ..., control_right/left(...)), branch-free. A vector
// division costs ~2 cycles of the divider per lane and ~20 cycles of latency on the guess's
// dependency chain, so the scalar code's seven are five here: 1/h is shared by the slope and the
// abscissa, and max(|ds/drs|, |ds/dsl|) = |ds| / min(|drs|, |dsl|). (Folding the three control
// ratios into one division measured slower on bench_implied_vol, 44.6 vs 44.1 ns per option:
// this loop is not bound by the divider.)
inline double interp1(bool right, double x, double xl, double xr, double yl, double yr, double dl, double dr,
                      double second) {
  const double h = xr - xl;
  const double inv_h = 1.0 / h;
  const double s = (yr - yl) * inv_h;
  // minimum_control
  const bool monotonic = (dl * s >= 0.0) & (dr * s >= 0.0);
  const bool convex = (dl <= s) & (s <= dr);
  const bool concave = (dl >= s) & (s >= dr);
  const double r_mono =
      sel(s != 0.0, vmax(kMinR, (dr + dl) / s), sel((dl != 0.0) | (dr != 0.0), kMaxR, kMinR));
  const double r0 = sel(monotonic, r_mono, kMinR);
  const double drs = dr - s, dsl = s - dl, ds = dr - dl;
  const double r_conv =
      sel((drs != 0.0) & (dsl != 0.0), vmax(r0, vabs(ds) / vmin(vabs(drs), vabs(dsl))), sel(ds != 0.0, kMaxR, r0));
  const double rmin = sel(convex | concave, r_conv, r0);
  // control_right / control_left, clamped
  const double num = 0.5 * h * second + (dr - dl), den = sel(right, dr - s, s - dl);
  double r = sel(den != 0.0, num / den, sel(num > 0.0, kMaxR, kMinR));
  r = sel(r == r, r, rmin);
  r = vmin(vmax(vmax(r, rmin), kMinR), kMaxR);
  // rational_cubic
  const double t = (x - xl) * inv_h;
  const double omt = 1.0 - t;
  const double t2 = t * t, omt2 = omt * omt;
  const double cubic = (yr * t2 * t + (r * yr - h * dr) * t2 * omt + (r * yl + h * dl) * t * omt2 + yl * omt2 * omt) /
                       (1.0 + (r - 3.0) * t * omt);
  const double linear = yr * t + yl * omt;
  return sel(!(h > 0.0), 0.5 * (yl + yr), sel(r >= kMaxR, linear, cubic));
}

inline double householder4(double nu, double h2, double h3, double h4) {
  const double num = fma(nu, fma(h3 * (1.0 / 6.0), nu, h2), 1.0);
  const double den = fma(nu, fma(1.5, h2, nu * fma(h4 * (1.0 / 24.0), nu, fma(0.25 * h2, h2, h3 * (1.0 / 3.0)))), 1.0);
  const double f = num / den;
  return sel((den > 0.0) & (f > 0.0) & (f < 4.0), nu * f, nu);
}

// sqrt for the guess: three Newton steps (vector_math.hpp), a shorter dependency chain on the
// guess's critical path.
inline double sqrt_guess(double x) { return vmath::k_sqrt<3>(x); }

// norm_inv_cdf_approx for 0 < p <= 1/2 given ln p (Acklam's two branches) as a numerator and a
// denominator: the caller needs both Phi^-1(p) and its reciprocal, from one division.
struct Ratio {
  double num, den;
};
inline Ratio inv_norm1(double p, double ln_p) {
  using acklam::kA;
  using acklam::kB;
  using acklam::kC;
  using acklam::kD;
  const bool tail = p < acklam::kPLow;
  const double q = sqrt_guess(vmax(-2.0 * ln_p, 1e-300));
  const double tn = fma(fma(fma(fma(fma(kC[0], q, kC[1]), q, kC[2]), q, kC[3]), q, kC[4]), q, kC[5]);
  const double td = fma(fma(fma(fma(kD[0], q, kD[1]), q, kD[2]), q, kD[3]), q, 1.0);
  const double h = p - 0.5, r = h * h;
  const double cn = fma(fma(fma(fma(fma(kA[0], r, kA[1]), r, kA[2]), r, kA[3]), r, kA[4]), r, kA[5]) * h;
  const double cd = fma(fma(fma(fma(fma(kB[0], r, kB[1]), r, kB[2]), r, kB[3]), r, kB[4]), r, 1.0);
  return Ratio{sel(tail, tn, cn), sel(tail, td, cd)};
}

// The lane's acceptance bound on |b(s) - beta| / beta: a factor 5 inside the contract's 1e-12, for
// the rounding of b itself (a few ulps, but u^2 ulps per ulp of u in the deep wings) and of the
// caller's own evaluation. Measured over 10^6 random problems of the property test's domain: the
// accepted lanes' round-trip error through normalised_black() stays <= 2.02e-13.
constexpr double kLaneTolerance = 2e-13;

// Lane outcome codes, carried as doubles so that a lane loop holds one element width.
constexpr double kCodeOk = 0.0, kCodeBelow = 1.0, kCodeAt = 2.0, kCodeAbove = 3.0;

// The initial guess, in two parts. guess_head, for every lane: the branch (its objective: kObjLog
// for the lowest branch, corrected on ln b by lowest_correction, then stepped like kObjPlain on b;
// kObjUp for the highest, stepped on ln(b_max - b); kObjPlain for the two middle ones) and the
// branch's interpolation f at beta (in s on the middle branches, in the lower or upper map's
// variable on the outer ones), with what the branch's tail needs: s_l (lowest) or s_u (highest)
// as `side`, Phi(-s_u/2) as fu, s_c. Then the batch groups lanes by branch (see ClassQueue), so
// only the outer branches' lanes pay for mapping f back to s (guess_lower, guess_upper) and only
// the lowest branch's for its correction.
constexpr double kObjPlain = 0.0, kObjLog = 1.0, kObjUp = 2.0;
struct Head {
  double f, obj, side, fu;
};
// sc = s_c = sqrt(2 |x|) and inv_gc = 1/(6 + s_c) are the normalisation's (bsm_pre).
inline Head guess_head(double beta, double x, double bmax, double inv_bmax, double sc, double inv_gc) {
  constexpr double kTwoPiOver3Sqrt3 = kTwoPi / (3.0 * kSqrt3);
  const double ax = -x;
  const double vc = bmax * kInvSqrt2Pi;
  const double inv_vc = kSqrt2Pi * inv_bmax;
  // b_c = v_c [M(0) - M(s_c)] (a guess's node: the plain difference).
  const double bc = vc * (kMillsAtZero - mills_guess1((4.0 - sc) * inv_gc));
  const bool low = beta < bc;
  const double sl0 = sc - bc * inv_vc;
  const double sl = sel(sl0 > 0.0, sl0, 0.5 * sc);
  const double su = sc + (bmax - bc) * inv_vc;
  // The one side node a lane needs, s_n = s_l (low) or s_u, with t = s_n/2 and u = |x|/s_n there
  // (u as |x| (1/s_n): a node of the guess, where an ulp does not matter).
  const double sn = sel(low, sl, su);
  const double inv_sn = 1.0 / sn;
  const double tn = 0.5 * sn, un = ax * inv_sn;
  // The outer maps' Gaussian factors: e1 = e^{-z^2/2} (z = -u/sqrt 3, low) or e^{-t^2/2}, and
  // e2 = e^{t^2/2} (low) or e^{u^2/2}. The density at the node is E = e^{-(u^2+t^2)/2}/sqrt(2 pi)
  // = e1^3/e2 (low) or e1/e2 over sqrt(2 pi), so two exponentials and one division (1/(e1 e2))
  // give E, 1/E and e3 = e^{h^2/2 + t^2} (low: e2^2/e1^3) or e^{h^2 + t^2/2} (e2^2/e1).
  const double z = un * (-1.0 / kSqrt3);
  const double e1 = vmath::k_exp_fma(sel(low, -0.5 * z * z, -0.5 * tn * tn));
  const double e2 = vmath::k_exp_fma(sel(low, 0.5 * tn * tn, 0.5 * un * un));
  // One division for 1/(e1 e2), tau's denominators at the node (6 + za)(6 + zb) and for the outer
  // map's Mills ratio (6 + zo), zo = -z (low) or t_u.
  const double z1 = un - tn;
  const bool lower = !(z1 < -1.0);
  const double za = vmin(sel(lower, z1, -z1), 1e150), zb = vmin(un + tn, 1e150);
  const double zo = vmin(sel(low, -z, tn), 1e150);
  const double ga = 6.0 + za, gb = 6.0 + zb, go = 6.0 + zo;
  const double e12 = e1 * e2, gab = ga * gb;
  const double w3 = 1.0 / (e12 * (gab * go));
  const double inv_e12 = (gab * go) * w3, inv_g = (e12 * go) * w3, inv_go = (e12 * gab) * w3;
  const double inv_e1 = e2 * inv_e12, inv_e2 = e1 * inv_e12;
  const double inv_e1_cube = inv_e1 * sel(low, inv_e1 * inv_e1, 1.0);
  const double E = kInvSqrt2Pi * (e1 * sel(low, e1 * e1, 1.0)) * inv_e2;
  const double inv_vn = kSqrt2Pi * e2 * inv_e1_cube;
  const double e3 = e2 * e2 * inv_e1_cube;
  // b at the node (mills_guess1: a node of the guess), regime chosen per lane as in eval1.
  const double va = mills_guess1((4.0 - za) * (gb * inv_g)), vb = mills_guess1((4.0 - zb) * (ga * inv_g));
  const double bn = sel(lower, E * (va - vb), bmax - E * (va + vb));
  const bool outer = (low & (beta < bn)) | (!low & (beta > bn));
  // ---- outer branches: the lower map (low) or the upper map, interpolated in beta.
  const double Mo = mills_guess1((4.0 - zo) * inv_go);  // M(-z) or M(t_u)
  const double phi = kInvSqrt2Pi * e1 * Mo;               // Phi(z) (low) or Phi(-t_u)
  const double fl = kTwoPiOver3Sqrt3 * ax * phi * phi * phi;
  const double x2_3sl2 = un * un * (1.0 / 3.0);  // x^2 / (3 s_l^2)
  const double dfdb_l = x2_3sl2 * Mo * Mo * e2;
  const double p2n = (un * un - tn * tn) * inv_sn;  // b''/b' at the node
  const double d2_l = kSqrt2Pi * x2_3sl2 * e3 * Mo * ((-2.0 * z + (z * z - 2.0) * Mo) * inv_sn - Mo * p2n);
  const double fu = phi;
  const double dfdb_u = -0.5 * e2;
  const double d2_u = kSqrt2Pi * e3 * (sn * 0.125 + 0.5 * p2n);
  // ---- one interpolation per lane: the middle branches' rational cubic in (b, s) between
  // (b_l, s_l) and (b_c, s_c), or (b_c, s_c) and (b_u, s_u), slopes 1/b', or the outer map's.
  const double m_xl = sel(low, bn, bc), m_xr = sel(low, bc, bn);
  const double m_yl = sel(low, sl, sc), m_yr = sel(low, sc, su);
  const double m_dl = sel(low, inv_vn, inv_vc), m_dr = sel(low, inv_vc, inv_vn);
  const double o_xl = sel(low, 0.0, bn), o_xr = sel(low, bn, bmax);
  const double o_yl = sel(low, 0.0, fu), o_yr = sel(low, fl, 0.0);
  const double o_dl = sel(low, 1.0, dfdb_u), o_dr = sel(low, dfdb_l, -0.5);
  const double f = interp1(low, beta, sel(outer, o_xl, m_xl), sel(outer, o_xr, m_xr), sel(outer, o_yl, m_yl),
                           sel(outer, o_yr, m_yr), sel(outer, o_dl, m_dl), sel(outer, o_dr, m_dr),
                           sel(outer, sel(low, d2_l, d2_u), 0.0));
  return Head{f, sel(outer, sel(low, kObjLog, kObjUp), kObjPlain), sel(low, sl, su), fu};
}

// A guess that is not positive (rounding at the edges of the domain) falls back to s_c, or 1.
inline double guess_fallback(double s, double sc) { return sel(!(s > 0.0), sel(sc > 0.0, sc, 1.0), s); }

// The middle branches: f is s.
inline double guess_middle(double f, double sc) { return guess_fallback(f, sc); }

// The lowest branch, back from the lower map: s = -|x| / (sqrt 3 Phi^-1(cbrt(3 sqrt 3 f / (2 pi |x|)))),
// cbrt(v) = e^{ln v / 3}, kept within (0, s_l].
inline double guess_lower(double f, double x, double sl, double sc) {
  constexpr double kTwoPiOver3Sqrt3 = kTwoPi / (3.0 * kSqrt3);
  const double ax = -x;
  const double v = f / (kTwoPiOver3Sqrt3 * ax);
  const double lg = vmath::k_log_fma(vmax(v, 1e-300)) * (1.0 / 3.0);
  const double cdf = vmath::k_exp_fma(lg);
  const Ratio zr = inv_norm1(vmin(cdf, 0.5), sel(cdf > 0.5, -0.69314718055994531, lg));
  const double inv_zz = sel(f > 0.0, zr.den / zr.num, -1.0 / 38.0);  // 1 / Phi^-1
  double s = sel(inv_zz < 0.0, ax * (-1.0 / kSqrt3) * inv_zz, sl);
  s = sel(!(s > 0.0) | !(s <= sl), vmin(vmax(s, 1e-3 * sl), sl), s);
  return guess_fallback(s, sc);
}

// The highest branch, back from the upper map: s = -2 Phi^-1(min(f, f_u)), kept >= s_u.
inline double guess_upper(double f, double fu, double su, double sc) {
  const double fmin = vmin(f, fu);
  const double lg = vmath::k_log_fma(vmax(fmin, 1e-300));
  const Ratio zr = inv_norm1(fmin, lg);
  double s = sel(f > 0.0, -2.0 * (zr.num / zr.den), 2.0 * su);
  s = sel(!(s >= su), su, s);
  return guess_fallback(s, sc);
}


// The lowest branch's guess (obj == kObjLog; off by up to ~5e-2 after the lower map's
// interpolation) corrected by one Householder(3) step on ln b - ln beta with a cheap b: with
// u = |x|/s, t = s/2, ln b = -(u^2 + t^2)/2 - ln sqrt(2 pi) + ln D, D = M(u - t) - M(u + t) as a
// plain difference of mills_guess1 (its ~3e-7 error grows by ~u/(2t) there, which the ln
// objective divides by s b'/b ~ u^2), and d(ln b)/ds = b'/b = 1/D (lambda); the objective's
// g''/g' = p2 - lambda, g'''/g' = p3 - 3 lambda p2 + 2 lambda^2 (p_k = b^(k)/b' as in step_lane).
// Measured: the guess is then within 7.4e-7 over 200,000 random problems of the property test's
// domain. A step that is not finite, moves by half of s or more, or leaves (0, s_l] is not taken.
inline double lowest_correction(double ln_beta, double x, double s, double sl) {
  const double ax = -x;
  // One division for 1/s and tau's denominators: with za = max(u - t, 0), zb = u + t,
  // G = s (6 + za) = 6 s + max(|x| - s^2/2, 0) and H = s (6 + zb) = 6 s + |x| + s^2/2 need none,
  // tau(za) = (4 s - s za) / G and tau(zb) = (4 s - s zb) / H.
  const double half_s2 = 0.5 * s * s;
  const double sza = vmax(ax - half_s2, 0.0), szb = ax + half_s2;
  const double G = fma(6.0, s, sza), H = fma(6.0, s, szb);
  const double w = 1.0 / (s * (G * H));
  const double inv_s = (G * H) * w, sw = s * w;
  const double uc = ax * inv_s, tc = 0.5 * s;
  const double Dc = mills_guess1(fma(4.0, s, -sza) * (H * sw)) - mills_guess1(fma(4.0, s, -szb) * (G * sw));
  const double Lc = -0.5 * fma(uc, uc, tc * tc) - kLnSqrt2Pi + vmath::k_log_fma(vmax(Dc, 1e-300));
  const double hs = uc * inv_s;  // |x| / s^2
  const double p2c = (uc * uc - tc * tc) * inv_s;
  const double p3c = fma(p2c, p2c, fma(-3.0 * hs, hs, -0.25));
  // The Householder(3) step nu (1 + h2 nu / 2) / (1 + h2 nu + h3 nu^2 / 6) (Newton's nu where that
  // factor is not in (0, 4)) with h2 = p2c - lambda, h3 = p3c - 3 lambda p2c + 2 lambda^2,
  // nu = dL D, lambda = 1/D, dL = ln beta - L: nu lambda = dL, so nu h2 = nu p2c - dL and
  // nu^2 h3 = nu^2 p3c - 3 nu dL p2c + 2 dL^2, without dividing by D.
  const double dL = ln_beta - Lc;
  const double nu = dL * Dc;
  const double a = fma(nu, p2c, -dL);
  const double b = fma(nu * nu, p3c, dL * fma(-3.0 * nu, p2c, 2.0 * dL));
  const double den = 1.0 + fma(b, 1.0 / 6.0, a);
  const double fh = fma(0.5, a, 1.0) / den;
  const double corr = sel((den > 0.0) & (fh > 0.0) & (fh < 4.0), nu * fh, nu);
  const double sc2 = s + corr;
  return sel((Dc > 0.0) & (vabs(corr) < 0.5 * s) & (sc2 > 0.0) & (sc2 <= sl), sc2, s);
}

// One Householder step of order 5 (Householder's method with d = 4: g and its first four
// derivatives) from s0 on the lane's objective: ln(b_max - beta) - ln(b_max - b) on the highest
// branch, b - beta elsewhere (the lowest branch's guess, corrected by lowest_correction to ~1e-6,
// is close enough for the plain objective). Also returns b(s0).
// With q = ln b' = -(x^2/s^2 + s^2/4)/2 - ln sqrt(2 pi): q' = (h^2 - t^2)/s (h = x/s, t = s/2),
// q'' = -3 h^2/s^2 - 1/4, q''' = 12 h^2/s^3, and p_k = b^(k)/b' (p_k = p_{k-1}' + p_{k-1} q'):
// p2 = q', p3 = q'^2 + q'', p4 = q'^3 + 3 q' q'' + q'''. For g = -ln(c - b), mu = b'/(c - b), the
// ratios h_k = g^(k)/g' are h2 = p2 + mu, h3 = p3 + 3 mu p2 + 2 mu^2,
// h4 = p4 + 4 mu p3 + 3 mu p2^2 + 12 mu^2 p2 + 6 mu^3 (derived with sympy, as was householder4).
struct Step {
  double next, b;
};
inline Step step_lane(double beta, double x, double bmax, double obj, double inv_bmax_minus_beta, double s0) {
  const bool obj_up = obj == kObjUp;
  const EvalL e = eval1(x, s0, bmax, false, obj_up, inv_bmax_minus_beta);
  const double inv_s = e.inv_s;
  const double h = x * inv_s, t = 0.5 * s0;
  const double hs = h * inv_s, hs2 = hs * hs;
  const double p2 = (h * h - t * t) * inv_s;
  const double q2 = -3.0 * hs2 - 0.25;
  const double p3 = p2 * p2 + q2;
  const double p4 = p2 * (p2 * p2 + 3.0 * q2) + 12.0 * hs2 * inv_s;
  // kUpper: g = ln(b_max - beta) - ln(b_max - b).
  const double mu = e.mu;
  const double nu_up = vmath::k_log_fma(vmax(e.log_arg, 1e-300)) * e.inv_mu;
  const double h2_up = p2 + mu, h3_up = p3 + 3.0 * mu * p2 + 2.0 * mu * mu;
  const double h4_up = p4 + mu * (4.0 * p3 + 3.0 * p2 * p2) + mu * mu * (12.0 * p2 + 6.0 * mu);
  // kPlain: g = b - beta.
  const double nu_pl = (beta - e.b) * e.inv_vega;
  const double nu = sel(obj_up, nu_up, nu_pl);
  const double next = s0 + householder4(nu, sel(obj_up, h2_up, p2), sel(obj_up, h3_up, p3), sel(obj_up, h4_up, p4));
  return Step{sel((next > 0.0) & finite(next), next, 0.5 * s0), e.b};
}

// step_lane's step on b - beta for the middle branches over one division: with N = (beta - b) / b_max
// and V = b' / b_max (= phi(u - t), which the middle branches keep far from underflow), nu = N / V
// and householder4's factor num / den, A = V^2 num and B = V^3 den are polynomials and the step is
// nu num / den = N A / B (Newton's N / V where the factor A V / B is not in (0, 4) or B <= 0).
inline double step_middle(double beta, double x, double bmax, double inv_bmax, double s0) {
  const EvalL e = eval1(x, s0, bmax);
  const double inv_s = e.inv_s;
  const double h = x * inv_s, t = 0.5 * s0;
  const double hs = h * inv_s, hs2 = hs * hs;
  const double p2 = (h * h - t * t) * inv_s;
  const double q2 = -3.0 * hs2 - 0.25;
  const double p3 = p2 * p2 + q2;
  const double p4 = p2 * (p2 * p2 + 3.0 * q2) + 12.0 * hs2 * inv_s;
  const double N = (beta - e.b) * inv_bmax, V = e.vega * inv_bmax;
  const double V2 = V * V;
  const double A = fma(N, fma(p2, V, p3 * (1.0 / 6.0) * N), V2);
  const double B = fma(N, fma(1.5 * p2, V2, N * fma(fma(0.25 * p2, p2, p3 * (1.0 / 3.0)), V, p4 * (1.0 / 24.0) * N)),
                       V2 * V);
  const bool ok = (B > 0.0) & (A > 0.0) & (A * V < 4.0 * B);
  const double next = s0 + sel(ok, N * A, N) / sel(ok, B, V);
  return sel((next > 0.0) & finite(next), next, 0.5 * s0);
}

// The check of a lane's result: b(s) within kLaneTolerance of beta.
inline double verify_lane(double beta, double x, double bmax, double s) {
  const EvalL e = eval1(x, s, bmax);
  return sel(vabs(e.b - beta) <= kLaneTolerance * beta, 1.0, 0.0);
}

// 2 sinh(y) for y = |x|/2 >= 0: the odd Taylor polynomial to y^15 for y <= 1/2 (truncation
// < 3e-17 relative), e^y - e^-y above (no cancellation there beyond a few ulps).
inline double two_sinh1(double y, double ey, double emy) {
  const double y2 = y * y;
  const double inner = fma(fma(fma(fma(fma(fma(1.0 / 1307674368000.0, y2, 1.0 / 6227020800.0), y2, 1.0 / 39916800), y2,
                                         1.0 / 362880),
                                     y2, 1.0 / 5040),
                                 y2, 1.0 / 120),
                             y2, 1.0 / 6);
  const double poly = fma(y * y2, inner, y);  // y + y^3 (1/6 + y^2 (1/120 + ...))
  return sel(y <= 0.5, 2.0 * poly, ey - emy);
}

// The normalised problem of one lane: beta = undiscounted price / sqrt(F K), x = ln(F/K), w = +1
// call, -1 put; bmax = e^{-|x|/2} and ebig = 1/bmax are the caller's (the BSM lane has them).
// Bounds and the move to an out-of-the-money call: the problem the solver is given (a harmless
// substitute where the price is out of bounds) and kCodeOk, or the out-of-bounds code.
struct Pre {
  double otm, q, bmax, inv_bmax, code;
};
inline Pre pre_lane(double beta, double x, double w, double bmax, double ebig) {
  const double q = -vabs(x);
  const bool itm = w * x > 0.0;
  const double intrinsic = sel(itm, two_sinh1(-0.5 * q, ebig, bmax), 0.0);
  const double upper = sel(itm, ebig, bmax);
  const double otm = beta - intrinsic;
  // The lane's intrinsic value (two_sinh1) may differ from 2 sinh(|x|/2) by an ulp or two: a price
  // within the at-intrinsic band below it is at the intrinsic value (in double precision), not
  // below it (seen with a time value under an ulp of an in-the-money price).
  const bool below = otm < -4.0 * DBL_EPSILON * intrinsic;
  const bool above = (beta >= upper) | (otm >= bmax);
  const bool at = !(otm > 4.0 * DBL_EPSILON * intrinsic);
  const bool bad = below | above | at;
  return Pre{sel(bad, 0.1, otm), sel(bad, -0.5, q), sel(bad, 0.77880078307140488, bmax),  // e^{-1/4}
             sel(bad, 1.2840254166877415, ebig),                                           // e^{1/4}
             sel(bad, sel(below, kCodeBelow, sel(above, kCodeAbove, kCodeAt)), kCodeOk)};
}

// A problem that fails validation carries kCodeInvalid + its IvStatus.
constexpr double kCodeInvalid = 16.0;

// The IvStatus of a lane code, as a double (kOk for kCodeOk).
static_assert(static_cast<int>(IvStatus::kBelowIntrinsic) == 7 && static_cast<int>(IvStatus::kAtIntrinsic) == 8 &&
              static_cast<int>(IvStatus::kAboveUpperBound) == 9);
inline double status_of(double code) {
  const bool bound = (code >= kCodeBelow) & (code <= kCodeAbove);  // 1, 2, 3 -> 7, 8, 9
  return sel(code >= kCodeInvalid, code - kCodeInvalid, sel(bound, code + 6.0, 0.0));
}

// validate_bsm (below) in a lane: 0 if the problem is valid, else kCodeInvalid + the status of the
// first check it fails (w = 0 marks a right that is neither call nor put). NaN fails every range.
inline double bsm_invalid_code(double w, double price, double S, double K, double T, double r, double q) {
  constexpr double kLo = 1e-12, kHi = 1e12;
  auto within1 = [](double v, double lo, double hi) { return (v >= lo) & (v <= hi); };
  const bool bad_rate = !(within1(r, -5.0, 5.0) & within1(q, -5.0, 5.0));
  double c = sel(bad_rate, kCodeInvalid + static_cast<double>(IvStatus::kBadRate), 0.0);
  c = sel(!within1(T, 1e-8, 100.0), kCodeInvalid + static_cast<double>(IvStatus::kBadTime), c);
  c = sel(!within1(K, kLo, kHi), kCodeInvalid + static_cast<double>(IvStatus::kBadStrike), c);
  c = sel(!within1(S, kLo, kHi), kCodeInvalid + static_cast<double>(IvStatus::kBadForward), c);
  c = sel(!(price >= 0.0) | !finite(price), kCodeInvalid + static_cast<double>(IvStatus::kBadPrice), c);
  return sel(w == 0.0, kCodeInvalid + static_cast<double>(IvStatus::kBadRight), c);
}

// BSM: x = ln(S/K) + (r - q) T (the forward's log-moneyness, without forming F), D = e^{-r T},
// and D sqrt(F K) = K e^{x/2 - r T} from one exponential.
// The guess's s_c = sqrt(2 |x|) and 1/(6 + s_c) (tau(s_c)'s denominator) come with the problem,
// the reciprocal from the normalisation's division (guess_head takes them): for a lane out of
// bounds they belong to its x, not to pre_lane's substitute, but such a lane's guess is discarded.
struct PreG {
  Pre p;
  double sc, inv_gc;
};
inline PreG bsm_pre(double w, double price, double S, double K, double T, double r, double q) {
  const double x = vmath::k_log_fma(S / K) + (r - q) * T;
  const double bmax = vmath::k_exp_fma(-0.5 * vabs(x));
  const double g = K * vmath::k_exp_fma(fma(0.5, x, -r * T));  // D sqrt(F K) = e^{-r T} K e^{x/2}
  const double sc = sqrt_guess(vmax(2.0 * vabs(x), 1e-300));
  // 1/b_max, 1/g and 1/(6 + s_c) from one division (a few ulps on beta: a price's relative
  // rounding, far inside the round trip's 1e-12).
  const double d = bmax * g, g6 = 6.0 + sc;
  const double inv = 1.0 / (d * g6);
  const double inv_d = g6 * inv;
  return PreG{pre_lane(price * (bmax * inv_d), x, w, bmax, g * inv_d), sc, d * inv};
}

}  // namespace lane


std::string fmt(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

constexpr double kMinPrice = 1e-12, kMaxPrice = 1e12;
constexpr double kMinTime = 1e-8, kMaxTime = 100.0;
constexpr double kMaxRate = 5.0;
inline bool within(double x, double lo, double hi) { return x >= lo && x <= hi; }

// Validation of a Black-76 problem; rate-type failures are reported by the caller's wording.
IvStatus validate_black(OptionRight right, double price, double F, double K, double T, double D) {
  if (right != OptionRight::kCall && right != OptionRight::kPut) return IvStatus::kBadRight;
  if (!(price >= 0.0) || !std::isfinite(price)) return IvStatus::kBadPrice;
  if (!within(F, kMinPrice, kMaxPrice)) return IvStatus::kBadForward;
  if (!within(K, kMinPrice, kMaxPrice)) return IvStatus::kBadStrike;
  if (!within(T, kMinTime, kMaxTime)) return IvStatus::kBadTime;
  if (!within(D, std::numeric_limits<double>::min(), 1e3)) return IvStatus::kBadRate;
  return IvStatus::kOk;
}

struct Solved {
  double vol;
  IvStatus status;
};

inline double sign_of(OptionRight right) { return right == OptionRight::kCall ? 1.0 : -1.0; }

Solved solve_black(OptionRight right, double price, double F, double K, double T, double D) {
  const double x = std::log(F / K);
  const double beta = price / (D * std::sqrt(F) * std::sqrt(K));
  const IvResult r = implied_total_vol(beta, x, right);
  return Solved{r.status == IvStatus::kOk ? r.vol / std::sqrt(T) : 0.0, r.status};
}

Error iv_error(IvStatus st, OptionRight right, double price, double F, double K, double D, std::string_view fwd_name) {
  const bool call = right == OptionRight::kCall;
  const double intrinsic = D * std::max(call ? F - K : K - F, 0.0);
  const double upper = D * (call ? F : K);
  std::string m = "implied vol: ";
  switch (st) {
    case IvStatus::kBadRight: m += "option right must be call or put"; break;
    case IvStatus::kBadPrice: m += "price must be finite and >= 0, got " + fmt(price); break;
    case IvStatus::kBadForward:
      m += std::string(fwd_name) + " must be finite and within [1e-12, 1e12], got " + fmt(F);
      break;
    case IvStatus::kBadStrike: m += "strike must be finite and within [1e-12, 1e12], got " + fmt(K); break;
    case IvStatus::kBadTime: m += "time must be finite and within [1e-8, 100] years"; break;
    case IvStatus::kBadRate: m += "rate, dividend yield or discount factor out of range"; break;
    case IvStatus::kBelowIntrinsic:
      m += "price " + fmt(price) + " is below the intrinsic value " + fmt(intrinsic) + " (" +
           (call ? "call" : "put") + ", " + std::string(fwd_name) + " " + fmt(F) + ", strike " + fmt(K) + ")";
      break;
    case IvStatus::kAtIntrinsic:
      m += "price " + fmt(price) + " equals the intrinsic value " + fmt(intrinsic) +
           ": no time value left, the implied vol is zero or not determined";
      break;
    case IvStatus::kAboveUpperBound:
      m += "price " + fmt(price) + " is at or above the upper bound " + fmt(upper) + " (" +
           (call ? "discounted forward" : "discounted strike") + ")";
      break;
    case IvStatus::kOk: m += "ok"; break;
  }
  return make_error(st == IvStatus::kBadPrice || st == IvStatus::kBelowIntrinsic || st == IvStatus::kAtIntrinsic ||
                            st == IvStatus::kAboveUpperBound
                        ? ErrorCode::kOutOfRange
                        : ErrorCode::kInvalidArgument,
                    std::move(m));
}

IvStatus validate_bsm(const BsmIvInput& in) {
  if (in.right != OptionRight::kCall && in.right != OptionRight::kPut) return IvStatus::kBadRight;
  if (!(in.price >= 0.0) || !std::isfinite(in.price)) return IvStatus::kBadPrice;
  if (!within(in.spot, kMinPrice, kMaxPrice)) return IvStatus::kBadForward;
  if (!within(in.strike, kMinPrice, kMaxPrice)) return IvStatus::kBadStrike;
  if (!within(in.time, kMinTime, kMaxTime)) return IvStatus::kBadTime;
  if (!within(in.rate, -kMaxRate, kMaxRate) || !within(in.dividend_yield, -kMaxRate, kMaxRate)) {
    return IvStatus::kBadRate;
  }
  return IvStatus::kOk;
}

Solved solve_bsm(const BsmIvInput& in, double& F, double& D) {
  F = in.spot * std::exp((in.rate - in.dividend_yield) * in.time);
  D = std::exp(-in.rate * in.time);
  return solve_black(in.right, in.price, F, in.strike, in.time, D);
}

// ---- Batch: blocks of kIvBlock lanes, then queues by branch ---------------------------------------
// Per block: the call/put signs (a lane loop for a full BSM block); the BSM lanes read a full
// block's numeric inputs from the caller's columns in place, while a short last block, and every
// normalised block (its scalar pass validates), is copied into local columns and padded with
// zeros, which fail validation, so every element runs the same vectorized code wherever it sits;
// then two dispatched lane loops: validation (BSM) and normalisation (with s_c and 1/(6 + s_c) for
// the guess, from the normalisation's one division); the guess's common part (guess_head: the
// branch and its interpolation). A scalar pass then writes the statuses of the lanes out of bounds
// and moves each solvable lane into its branch's queue (ClassQueue); a full queue runs its
// branch's lane loops: the rest of the guess (the outer branches map back to s; the lowest takes
// its correction), one step on the branch's objective, the check and vol = s / sqrt(T). Lanes whose
// check failed wait in Pending. Grouping by branch means a lane computes only its own branch's
// formulas after the head, not every branch's under a mask (measured on bench_implied_vol's BSM
// batch: 56 -> 50 ns per option). Each lane's arithmetic depends on its own inputs only (a queue's padding
// repeats its first lane and is discarded), so results do not depend on neighbours or positions.
// Short loops rather than one long one: each keeps more of its live values in registers
// (measured: one loop for normalisation and guess, 0.4 ns per option slower). Invalid elements run
// the block's lanes on substitute inputs; their results are discarded.
constexpr std::size_t kIvBlock = 64;

struct IvBlock {
  // inputs (BSM: all; normalised: beta in price, x in S)
  alignas(64) double w[kIvBlock], price[kIvBlock], S[kIvBlock], K[kIvBlock], T[kIvBlock], r[kIvBlock], q[kIvBlock];
  alignas(64) double invalid[kIvBlock];  // normalised batch: its scalar validation's code (0: valid)
  // the normalised problem and the guess's common part
  alignas(64) double otm[kIvBlock], xq[kIvBlock], bmax[kIvBlock], inv_bmax[kIvBlock], sqrt_t[kIvBlock];
  alignas(64) double f[kIvBlock], side[kIvBlock], fu[kIvBlock], sc[kIvBlock], inv_gc[kIvBlock];
  // Codes and objectives as floats on purpose: a 32-bit column doubles GCC's vectorization factor
  // (16 lanes per AVX-512 loop iteration, two registers per double operation), which interleaves
  // two independent dependency chains (measured: 92 vs 117 ns per option on AVX-512, 120 vs 161 on
  // AVX2, before the loops were split). A 16-bit column (four chains) spilled registers.
  alignas(64) float code[kIvBlock], obj[kIvBlock];
};

// After the per-problem normalisation: the problem and its code.
inline void stage_pre(IvBlock* __restrict b, std::size_t i, const lane::PreG& pg, double sqrt_t, double invalid) {
  const lane::Pre& p = pg.p;
  b->sc[i] = pg.sc;
  b->inv_gc[i] = pg.inv_gc;
  b->otm[i] = p.otm;
  b->xq[i] = p.q;
  b->bmax[i] = p.bmax;
  b->inv_bmax[i] = p.inv_bmax;
  b->sqrt_t[i] = sqrt_t;
  b->code[i] = static_cast<float>(lane::sel(invalid != 0.0, invalid, p.code));
}

// Where a BSM block's numeric inputs are read from: the caller's columns for a full block (no
// copy), the block's own padded copies for a short last one. Read only.
struct BsmBlockIn {
  const double* __restrict price;
  const double* __restrict S;
  const double* __restrict K;
  const double* __restrict T;
  const double* __restrict r;
  const double* __restrict q;
};

void solve_block(vmath::Simd level, IvBlock* __restrict b, const BsmBlockIn* in) {
  using vmath::select_bits;
  if (in != nullptr) {
    const BsmBlockIn c = *in;
    vmath::for_lanes<kIvBlock>(level, [b, c](std::size_t i) {
      const double invalid = lane::bsm_invalid_code(b->w[i], c.price[i], c.S[i], c.K[i], c.T[i], c.r[i], c.q[i]);
      const std::uint64_t m = lane::m_of(invalid == 0.0);
      const lane::PreG p = lane::bsm_pre(b->w[i], select_bits(m, c.price[i], 0.1), select_bits(m, c.S[i], 1.0),
                                        select_bits(m, c.K[i], 1.0), select_bits(m, c.T[i], 1.0),
                                        select_bits(m, c.r[i], 0.0), select_bits(m, c.q[i], 0.0));
      stage_pre(b, i, p, vmath::k_sqrt(select_bits(m, c.T[i], 1.0)), invalid);
    });
  } else {
    vmath::for_lanes<kIvBlock>(level, [b](std::size_t i) {
      const double invalid = b->invalid[i];
      const std::uint64_t m = lane::m_of(invalid == 0.0);
      const double x = select_bits(m, b->S[i], -0.5);
      const double bmax = vmath::k_exp_fma(-0.5 * lane::vabs(x));
      // 1/b_max and 1/(6 + s_c) from one division (see lane::bsm_pre).
      const double sc = lane::sqrt_guess(lane::vmax(2.0 * lane::vabs(x), 1e-300));
      const double g6 = 6.0 + sc;
      const double inv = 1.0 / (bmax * g6);
      const lane::Pre p =
          lane::pre_lane(select_bits(m, b->price[i], 0.1), x, select_bits(m, b->w[i], 1.0), bmax, g6 * inv);
      stage_pre(b, i, lane::PreG{p, sc, bmax * inv}, 1.0, invalid);
    });
  }
  vmath::for_lanes<kIvBlock>(level, [b](std::size_t i) {
    const lane::Head h = lane::guess_head(b->otm[i], b->xq[i], b->bmax[i], b->inv_bmax[i], b->sc[i], b->inv_gc[i]);
    b->f[i] = h.f;
    b->side[i] = h.side;
    b->fu[i] = h.fu;
    b->obj[i] = static_cast<float>(h.obj);
  });
}

// One branch's solvable lanes, gathered from the blocks (the branch is its objective: kObjPlain,
// kObjLog or kObjUp). kQueue lanes: two AVX-512 loop iterations at the float column's factor 16
// (measured on bench_implied_vol's BSM batch, alternating binaries: 42.6 ns per option against
// 44.0 with 16 lanes, though the end of a batch pads more: a batch of a few options runs up to
// three queues of 32 lanes).
constexpr std::size_t kQueue = 32;
struct ClassQueue {
  alignas(64) double otm[kQueue], xq[kQueue], bmax[kQueue], inv_bmax[kQueue], sqrt_t[kQueue];
  alignas(64) double f[kQueue], side[kQueue], fu[kQueue], sc[kQueue];
  alignas(64) double s[kQueue], aux[kQueue], vol[kQueue];  // aux: 1/(b_max - beta) on the highest branch
  alignas(64) float ok[kQueue];
  // s rounded to float after the lowest branch's guess and correction, never read: a 32-bit column
  // doubles that loop's vectorization factor (see IvBlock; two registers per operation, two
  // interleaved dependency chains for a loop bound by the latency of its divisions and polynomial
  // chains: measured 1.5-2 ns per option on bench_implied_vol; the step loops were faster without).
  alignas(64) float s32[kQueue];
  std::size_t index[kQueue];
  std::size_t n = 0;
};

// Lanes whose check after one step failed wait here (across blocks) for their second step and its
// check, vectorized; a full buffer, and the end of the batch, flush it. Each pending lane is
// checked by the same lane code wherever it sits, so results stay position-independent.
struct Pending {
  alignas(64) double otm[kIvBlock], xq[kIvBlock], bmax[kIvBlock], s[kIvBlock], sqrt_t[kIvBlock];
  alignas(64) double inv_bmb[kIvBlock], obj[kIvBlock];
  alignas(64) float ok[kIvBlock];
  std::size_t index[kIvBlock];
  std::size_t n = 0;
};

// The pending lanes' second step and its check (sets p.s and p.ok).
void second_step(vmath::Simd level, Pending& p) {
  for (std::size_t j = p.n; j < kIvBlock; ++j) {  // padding: a harmless problem
    p.otm[j] = 0.1;
    p.xq[j] = -0.5;
    p.bmax[j] = 0.77880078307140488;
    p.s[j] = 1.0;
    p.inv_bmb[j] = 1.0 / (p.bmax[j] - p.otm[j]);
    p.obj[j] = lane::kObjPlain;
  }
  Pending* __restrict q = &p;
  vmath::for_lanes<kIvBlock>(level, [q](std::size_t j) {
    const double s2 = lane::step_lane(q->otm[j], q->xq[j], q->bmax[j], q->obj[j], q->inv_bmb[j], q->s[j]).next;
    q->s[j] = s2;
    q->ok[j] = static_cast<float>(lane::verify_lane(q->otm[j], q->xq[j], q->bmax[j], s2));
  });
}

// The rest of a branch's solve on a queue's lanes (sets s, vol and ok): the guess's branch part,
// one step, the check. A short queue is padded with copies of its first lane.
template <int kObj>
void run_queue(vmath::Simd level, ClassQueue& queue) {
  for (std::size_t j = queue.n; j < kQueue; ++j) {
    queue.otm[j] = queue.otm[0];
    queue.xq[j] = queue.xq[0];
    queue.bmax[j] = queue.bmax[0];
    queue.inv_bmax[j] = queue.inv_bmax[0];
    queue.sqrt_t[j] = queue.sqrt_t[0];
    queue.f[j] = queue.f[0];
    queue.side[j] = queue.side[0];
    queue.fu[j] = queue.fu[0];
    queue.sc[j] = queue.sc[0];
  }
  constexpr double obj = static_cast<double>(kObj);
  ClassQueue* __restrict q = &queue;
  if constexpr (obj == lane::kObjPlain) {
    vmath::for_lanes<kQueue>(level, [q](std::size_t i) {
      const double s0 = lane::guess_middle(q->f[i], q->sc[i]);
      q->s[i] = lane::step_middle(q->otm[i], q->xq[i], q->bmax[i], q->inv_bmax[i], s0);
    });
  } else if constexpr (obj == lane::kObjLog) {
    vmath::for_lanes<kQueue>(level, [q](std::size_t i) {
      const double s0 = lane::guess_lower(q->f[i], q->xq[i], q->side[i], q->sc[i]);
      const double ln_beta = vmath::k_log_fma(lane::vmax(q->otm[i], 1e-300));  // beta >= 1e-300 in the domain
      const double s1 = lane::lowest_correction(ln_beta, q->xq[i], s0, q->side[i]);
      q->s[i] = s1;
      q->s32[i] = static_cast<float>(s1);
    });
    vmath::for_lanes<kQueue>(level, [q](std::size_t i) {
      q->s[i] = lane::step_lane(q->otm[i], q->xq[i], q->bmax[i], obj, 0.0, q->s[i]).next;
    });
  } else {
    vmath::for_lanes<kQueue>(level, [q](std::size_t i) {
      const double s0 = lane::guess_upper(q->f[i], q->fu[i], q->side[i], q->sc[i]);
      const double aux = 1.0 / (q->bmax[i] - q->otm[i]);  // b_max - beta in (0, 1)
      q->aux[i] = aux;
      q->s[i] = lane::step_lane(q->otm[i], q->xq[i], q->bmax[i], obj, aux, s0).next;
    });
  }
  vmath::for_lanes<kQueue>(level, [q](std::size_t i) {
    const double s = q->s[i];
    const double ok = lane::verify_lane(q->otm[i], q->xq[i], q->bmax[i], s);
    q->ok[i] = static_cast<float>(ok);
    q->vol[i] = s / q->sqrt_t[i];
  });
}

// Runs a batch: blocks in, results out by element index; counts what detail::*_lane_counts reports.
struct Driver {
  vmath::Simd level;
  std::span<double> vol;
  std::span<IvStatus> status;
  std::size_t good = 0;
  detail::BatchLaneCounts counts;
  ClassQueue queues[3]{};  // zeroed: aux is written on the highest branch only
  Pending pending;

  Driver(vmath::Simd l, std::span<double> v, std::span<IvStatus> st) : level(l), vol(v), status(st) {}

  void flush_pending() {
    if (pending.n == 0) return;
    second_step(level, pending);
    counts.second_step += pending.n;
    for (std::size_t j = 0; j < pending.n; ++j) {
      const bool ok = pending.ok[j] != 0.0f;
      counts.scalar += ok ? 0 : 1;
      const double total = ok ? pending.s[j] : solve_otm_call(pending.otm[j], pending.xq[j], pending.bmax[j]);
      vol[pending.index[j]] = total / pending.sqrt_t[j];
      status[pending.index[j]] = IvStatus::kOk;
      ++good;
    }
    pending.n = 0;
  }

  void run(int obj) {
    ClassQueue& q = queues[obj];
    if (q.n == 0) return;
    if (obj == 0) run_queue<0>(level, q);
    if (obj == 1) run_queue<1>(level, q);
    if (obj == 2) run_queue<2>(level, q);
    for (std::size_t j = 0; j < q.n; ++j) {
      const std::size_t i = q.index[j];
      if (q.ok[j] != 0.0f) {
        vol[i] = q.vol[j];
        status[i] = IvStatus::kOk;
        ++good;
        continue;
      }
      const std::size_t k = pending.n++;
      pending.otm[k] = q.otm[j];
      pending.xq[k] = q.xq[j];
      pending.bmax[k] = q.bmax[j];
      pending.s[k] = q.s[j];
      pending.sqrt_t[k] = q.sqrt_t[j];
      pending.inv_bmb[k] = q.aux[j];
      pending.obj[k] = static_cast<double>(obj);
      pending.index[k] = i;
      if (pending.n == kIvBlock) flush_pending();
    }
    q.n = 0;
  }

  // A solved block (elements begin .. begin + m - 1): statuses of the lanes out of bounds, the
  // others into their branch's queue.
  void take(const IvBlock& b, std::size_t begin, std::size_t m) {
    for (std::size_t j = 0; j < m; ++j) {
      const double code = static_cast<double>(b.code[j]);
      if (code != lane::kCodeOk) {
        vol[begin + j] = 0.0;
        status[begin + j] = static_cast<IvStatus>(static_cast<std::uint8_t>(lane::status_of(code)));
        continue;
      }
      const int obj = static_cast<int>(b.obj[j]);
      ClassQueue& q = queues[obj];
      const std::size_t k = q.n++;
      q.otm[k] = b.otm[j];
      q.xq[k] = b.xq[j];
      q.bmax[k] = b.bmax[j];
      q.sqrt_t[k] = b.sqrt_t[j];
      q.f[k] = b.f[j];
      q.sc[k] = b.sc[j];
      // Every column, whichever the branch reads: a branch on obj here would be mispredicted
      // about as often as the branches alternate.
      q.inv_bmax[k] = b.inv_bmax[j];
      q.side[k] = b.side[j];
      q.fu[k] = b.fu[j];
      q.index[k] = begin + j;
      if (q.n == kQueue) run(obj);
    }
  }

  std::size_t finish() {
    for (int obj = 0; obj < 3; ++obj) run(obj);
    flush_pending();
    return good;
  }
};

std::size_t iv_bsm_batch(vmath::Simd level, const BsmIvColumns& in, std::span<double> vol, std::span<IvStatus> status) {
  const std::size_t n = in.price.size();
  KEEL_ASSERT(in.right.size() == n && in.spot.size() == n && in.strike.size() == n && in.time.size() == n &&
                  in.rate.size() == n && in.dividend_yield.size() == n && vol.size() == n && status.size() == n,
              "implied_vol_bsm_batch: columns differ in length");
  IvBlock b;
  Driver d(level, vol, status);
  for (std::size_t begin = 0; begin < n; begin += kIvBlock) {
    const std::size_t m = std::min(kIvBlock, n - begin);
    // A full block's lanes read the caller's columns (validation runs in the lanes); a short last
    // block's inputs are copied and padded with zeros, which fail validation and are discarded.
    BsmBlockIn src{in.price.data() + begin, in.spot.data() + begin, in.strike.data() + begin,
                   in.time.data() + begin,  in.rate.data() + begin, in.dividend_yield.data() + begin};
    if (m < kIvBlock) {
      const auto copy = [&](const double* from, double* to) {
        std::copy_n(from, m, to);
        std::fill(to + m, to + kIvBlock, 0.0);
      };
      copy(src.price, b.price);
      copy(src.S, b.S);
      copy(src.K, b.K);
      copy(src.T, b.T);
      copy(src.r, b.r);
      copy(src.q, b.q);
      src = BsmBlockIn{b.price, b.S, b.K, b.T, b.r, b.q};
    }
    // The call/put sign w: +1 call, -1 put, 0 neither (fails validation in the lanes). A full
    // block converts in a lane loop of its own (the byte column would multiply the main loop's
    // vectorization factor by eight).
    if (m == kIvBlock) {
      const OptionRight* __restrict rights = in.right.data() + begin;
      double* __restrict w = b.w;
      vmath::for_lanes<kIvBlock>(level, [rights, w](std::size_t j) {
        const auto rr = static_cast<std::uint8_t>(rights[j]);
        w[j] = static_cast<double>(static_cast<int>(rr == static_cast<std::uint8_t>(OptionRight::kCall)) -
                                   static_cast<int>(rr == static_cast<std::uint8_t>(OptionRight::kPut)));
      });
    } else {
      for (std::size_t j = 0; j < m; ++j) {
        const auto rr = static_cast<std::uint8_t>(in.right[begin + j]);
        b.w[j] = rr == static_cast<std::uint8_t>(OptionRight::kCall)  ? 1.0
                 : rr == static_cast<std::uint8_t>(OptionRight::kPut) ? -1.0
                                                                       : 0.0;
      }
      std::fill(b.w + m, b.w + kIvBlock, 0.0);
    }
    solve_block(level, &b, &src);
    d.take(b, begin, m);
  }
  return d.finish();
}

// The normalised batch's scalar pass over a block: statuses of the checks that need no solving,
// and the inputs copied into the block (a short last block padded with invalid lanes).
void fill_normalised(IvBlock& b, std::size_t begin, std::size_t m, std::span<const double> beta,
                     std::span<const double> x, std::span<const OptionRight> right) {
  for (std::size_t j = 0; j < kIvBlock; ++j) {
    IvStatus st = IvStatus::kBadRight;
    if (j < m) {
      const std::size_t i = begin + j;
      st = right[i] != OptionRight::kCall && right[i] != OptionRight::kPut ? IvStatus::kBadRight
           : !(beta[i] >= 0.0) || !std::isfinite(beta[i])                  ? IvStatus::kBadPrice
           : !std::isfinite(x[i])                                          ? IvStatus::kBadForward
                                                                           : IvStatus::kOk;
      b.w[j] = sign_of(right[i]);
      b.price[j] = beta[i];
      b.S[j] = x[i];
    } else {
      b.w[j] = 1.0;
      b.price[j] = b.S[j] = 0.0;
    }
    b.invalid[j] = st == IvStatus::kOk ? 0.0 : lane::kCodeInvalid + static_cast<double>(st);
  }
}

// The normalised batch; its counts for detail::implied_total_vol_batch_lane_counts.
detail::BatchLaneCounts iv_normalised(vmath::Simd level, std::span<const double> beta, std::span<const double> x,
                                      std::span<const OptionRight> right, std::span<double> total_vol,
                                      std::span<IvStatus> status) {
  const std::size_t n = beta.size();
  KEEL_ASSERT(x.size() == n && right.size() == n && total_vol.size() == n && status.size() == n,
              "implied_total_vol_batch: columns differ in length");
  IvBlock b;
  Driver d(level, total_vol, status);
  for (std::size_t begin = 0; begin < n; begin += kIvBlock) {
    const std::size_t m = std::min(kIvBlock, n - begin);
    fill_normalised(b, begin, m, beta, x, right);
    solve_block(level, &b, nullptr);
    d.take(b, begin, m);
  }
  d.counts.solved = d.finish();
  return d.counts;
}

std::size_t iv_normalised_batch(vmath::Simd level, std::span<const double> beta, std::span<const double> x,
                                std::span<const OptionRight> right, std::span<double> total_vol,
                                std::span<IvStatus> status) {
  return iv_normalised(level, beta, x, right, total_vol, status).solved;
}

// detail::implied_total_vol_batch_lane_counts: the normalised batch, run as iv_normalised_batch runs
// it, into scratch columns.
detail::BatchLaneCounts lane_counts(vmath::Simd level, std::span<const double> beta, std::span<const double> x,
                                    std::span<const OptionRight> right) {
  KEEL_ASSERT(x.size() == beta.size() && right.size() == beta.size(),
              "implied_total_vol_batch_lane_counts: columns differ in length");
  std::vector<double> total_vol(beta.size());
  std::vector<IvStatus> status(beta.size());
  return iv_normalised(level, beta, x, right, total_vol, status);
}

}  // namespace

std::string_view to_string(IvStatus status) noexcept {
  switch (status) {
    case IvStatus::kOk: return "ok";
    case IvStatus::kBadRight: return "bad option right";
    case IvStatus::kBadPrice: return "bad price";
    case IvStatus::kBadForward: return "bad spot or forward";
    case IvStatus::kBadStrike: return "bad strike";
    case IvStatus::kBadTime: return "bad time";
    case IvStatus::kBadRate: return "bad rate, dividend yield or discount factor";
    case IvStatus::kBelowIntrinsic: return "price below intrinsic value";
    case IvStatus::kAtIntrinsic: return "price equals intrinsic value";
    case IvStatus::kAboveUpperBound: return "price at or above upper bound";
  }
  return "unknown status";
}

double normalised_black(double x, double s, OptionRight right) {
  KEEL_ASSERT(std::isfinite(x) && std::isfinite(s) && s >= 0.0, "normalised_black: x and s must be finite, s >= 0");
  const double theta = right == OptionRight::kCall ? 1.0 : -1.0;
  const double intrinsic = theta * x > 0.0 ? 2.0 * std::sinh(0.5 * std::fabs(x)) : 0.0;
  if (s == 0.0) return intrinsic;
  const double q = -std::fabs(x);
  return intrinsic + eval_otm_call(q, s, std::exp(0.5 * q)).b;
}

IvResult implied_total_vol(double beta, double x, OptionRight right) {
  if (right != OptionRight::kCall && right != OptionRight::kPut) return IvResult{0.0, IvStatus::kBadRight};
  if (!(beta >= 0.0) || !std::isfinite(beta)) return IvResult{0.0, IvStatus::kBadPrice};
  if (!std::isfinite(x)) return IvResult{0.0, IvStatus::kBadForward};
  const bool call = right == OptionRight::kCall;
  const double theta = call ? 1.0 : -1.0;
  const double intrinsic = theta * x > 0.0 ? 2.0 * std::sinh(0.5 * std::fabs(x)) : 0.0;
  const double q = -std::fabs(x);
  const double bmax = vmath::k_exp(0.5 * q);
  // F/sqrt(FK) for a call, K/sqrt(FK) for a put: b_max itself out of the money (theta x = q).
  const double upper = theta * x > 0.0 ? vmath::k_exp(0.5 * theta * x) : bmax;
  if (beta < intrinsic) return IvResult{0.0, IvStatus::kBelowIntrinsic};
  if (beta >= upper) return IvResult{0.0, IvStatus::kAboveUpperBound};
  // Put–call parity moves an in-the-money price to the out-of-the-money option, and the symmetry
  // b(x, s, call) = b(-x, s, put) to an out-of-the-money call at -|x|.
  // A time value within a few ulps of an in-the-money price is rounding noise, not information.
  const double otm = beta - intrinsic;
  if (!(otm > 4.0 * DBL_EPSILON * intrinsic)) return IvResult{0.0, IvStatus::kAtIntrinsic};
  if (otm >= bmax) return IvResult{0.0, IvStatus::kAboveUpperBound};
  return IvResult{solve_otm_call(otm, q, bmax), IvStatus::kOk};
}

Result<double> implied_vol_black(const BlackIvInput& in) {
  const IvStatus st = validate_black(in.right, in.price, in.forward, in.strike, in.time, in.discount);
  if (st != IvStatus::kOk) return iv_error(st, in.right, in.price, in.forward, in.strike, in.discount, "forward");
  const Solved s = solve_black(in.right, in.price, in.forward, in.strike, in.time, in.discount);
  if (s.status != IvStatus::kOk) {
    return iv_error(s.status, in.right, in.price, in.forward, in.strike, in.discount, "forward");
  }
  return s.vol;
}

Result<double> implied_vol_bsm(const BsmIvInput& in) {
  const IvStatus st = validate_bsm(in);
  if (st != IvStatus::kOk) return iv_error(st, in.right, in.price, in.spot, in.strike, 1.0, "spot");
  double F = 0.0, D = 0.0;
  const Solved s = solve_bsm(in, F, D);
  if (s.status != IvStatus::kOk) return iv_error(s.status, in.right, in.price, F, in.strike, D, "forward");
  return s.vol;
}

std::size_t implied_vol_bsm_batch(const BsmIvColumns& in, std::span<double> vol, std::span<IvStatus> status) {
  return iv_bsm_batch(vmath::best_simd(), in, vol, status);
}

std::size_t implied_total_vol_batch(std::span<const double> beta, std::span<const double> x,
                                   std::span<const OptionRight> right, std::span<double> total_vol,
                                   std::span<IvStatus> status) {
  return iv_normalised_batch(vmath::best_simd(), beta, x, right, total_vol, status);
}

namespace detail {
std::size_t implied_total_vol_batch_at(SimdLevel level, std::span<const double> beta, std::span<const double> x,
                                       std::span<const OptionRight> right, std::span<double> total_vol,
                                       std::span<IvStatus> status) {
  return iv_normalised_batch(static_cast<vmath::Simd>(level), beta, x, right, total_vol, status);
}
std::size_t implied_vol_bsm_batch_at(SimdLevel level, const BsmIvColumns& in, std::span<double> vol,
                                     std::span<IvStatus> status) {
  return iv_bsm_batch(static_cast<vmath::Simd>(level), in, vol, status);
}
BatchLaneCounts implied_total_vol_batch_lane_counts(SimdLevel level, std::span<const double> beta,
                                                    std::span<const double> x, std::span<const OptionRight> right) {
  return lane_counts(static_cast<vmath::Simd>(level), beta, x, right);
}
}  // namespace detail

}  // namespace keel::analytics
