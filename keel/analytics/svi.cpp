#include "keel/analytics/svi.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "keel/analytics/ssvi.hpp"
#include "keel/core/assert.hpp"

namespace keel::analytics {
namespace {

std::string fmt(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

Error bad(const char* what, const std::string& detail) {
  return make_error(ErrorCode::kInvalidArgument, std::string(what) + " " + detail);
}

Status finite_field(const char* kind, const char* name, double v) {
  if (!std::isfinite(v)) return bad(kind, std::string(name) + " " + fmt(v) + " is not finite");
  return ok_status();
}

}  // namespace

Status SviRaw::validate() const {
  KEEL_TRY_STATUS(finite_field("SVI raw", "a", a));
  KEEL_TRY_STATUS(finite_field("SVI raw", "b", b));
  KEEL_TRY_STATUS(finite_field("SVI raw", "m", m));
  KEEL_TRY_STATUS(finite_field("SVI raw", "rho", rho));
  KEEL_TRY_STATUS(finite_field("SVI raw", "sigma", sigma));
  if (!(b >= 0.0)) return bad("SVI raw", "b " + fmt(b) + " must be >= 0");
  if (!(std::fabs(rho) < 1.0)) return bad("SVI raw", "rho " + fmt(rho) + " must satisfy |rho| < 1");
  if (!(sigma > 0.0)) return bad("SVI raw", "sigma " + fmt(sigma) + " must be > 0");
  const double wmin = min_total_variance();
  if (!(wmin >= 0.0)) {
    return bad("SVI raw", "minimum total variance a + b*sigma*sqrt(1-rho^2) = " + fmt(wmin) + " is negative (a " +
                              fmt(a) + ")");
  }
  return ok_status();
}

double SviRaw::min_total_variance() const noexcept { return a + b * sigma * std::sqrt(1.0 - rho * rho); }

Status SviJw::validate() const {
  KEEL_TRY_STATUS(finite_field("SVI-JW", "v", v));
  KEEL_TRY_STATUS(finite_field("SVI-JW", "psi", psi));
  KEEL_TRY_STATUS(finite_field("SVI-JW", "p", p));
  KEEL_TRY_STATUS(finite_field("SVI-JW", "c", c));
  KEEL_TRY_STATUS(finite_field("SVI-JW", "v_tilde", v_tilde));
  KEEL_TRY_STATUS(finite_field("SVI-JW", "t", t));
  if (!(t > 0.0)) return bad("SVI-JW", "t " + fmt(t) + " must be > 0");
  if (!(v > 0.0)) return bad("SVI-JW", "v " + fmt(v) + " must be > 0");
  if (!(p > 0.0)) return bad("SVI-JW", "p " + fmt(p) + " must be > 0");
  if (!(c > 0.0)) return bad("SVI-JW", "c " + fmt(c) + " must be > 0");
  // β = (c - p - 4ψ)/(c + p) must lie in (-1, 1).
  if (!(psi > -0.5 * p && psi < 0.5 * c)) {
    return bad("SVI-JW", "psi " + fmt(psi) + " must lie in (-p/2, c/2) = (" + fmt(-0.5 * p) + ", " + fmt(0.5 * c) + ")");
  }
  if (!(v_tilde >= 0.0)) return bad("SVI-JW", "v_tilde " + fmt(v_tilde) + " must be >= 0");
  if (!(v_tilde <= v)) return bad("SVI-JW", "v_tilde " + fmt(v_tilde) + " exceeds v " + fmt(v));
  return ok_status();
}

double svi_total_variance(const SviRaw& s, double k) noexcept {
  KEEL_ASSERT(std::isfinite(k) && s.sigma > 0.0, "SVI: k finite and sigma > 0");
  const double x = k - s.m;
  return s.a + s.b * (s.rho * x + std::sqrt(x * x + s.sigma * s.sigma));
}

SviPoint svi_point(const SviRaw& s, double k) noexcept {
  KEEL_ASSERT(std::isfinite(k) && s.sigma > 0.0, "SVI: k finite and sigma > 0");
  const double x = k - s.m;
  const double r = std::sqrt(x * x + s.sigma * s.sigma);
  SviPoint out;
  out.w = s.a + s.b * (s.rho * x + r);
  out.dw_dk = s.b * (s.rho + x / r);
  out.d2w_dk2 = s.b * s.sigma * s.sigma / (r * r * r);
  return out;
}

double svi_implied_vol(const SviRaw& s, double k, double t) noexcept {
  KEEL_ASSERT(std::isfinite(t) && t > 0.0, "SVI: t must be positive");
  const double w = svi_total_variance(s, k);
  KEEL_ASSERT(w >= 0.0, "SVI: negative total variance (slice not validated)");
  return std::sqrt(w / t);
}

double svi_density_g(const SviRaw& s, double k) noexcept {
  const SviPoint p = svi_point(s, k);
  KEEL_ASSERT(p.w > 0.0, "SVI: g(k) needs w(k) > 0");
  return density_g(p.w, p.dw_dk, p.d2w_dk2, k);
}

Result<SviJw> svi_raw_to_jw(const SviRaw& s, double t) {
  KEEL_TRY_STATUS(s.validate());
  if (!std::isfinite(t) || !(t > 0.0)) return bad("SVI raw->JW:", "t " + fmt(t) + " must be positive");
  const double r0 = std::sqrt(s.m * s.m + s.sigma * s.sigma);
  const double w0 = s.a + s.b * (-s.rho * s.m + r0);
  if (!(w0 > 0.0)) return bad("SVI raw->JW:", "ATM total variance w(0) " + fmt(w0) + " must be > 0");
  const double sw = std::sqrt(w0);
  SviJw j;
  j.t = t;
  j.v = w0 / t;
  j.psi = s.b / (2.0 * sw) * (s.rho - s.m / r0);
  j.p = s.b * (1.0 - s.rho) / sw;
  j.c = s.b * (1.0 + s.rho) / sw;
  j.v_tilde = s.min_total_variance() / t;
  if (!(j.p > 0.0 && j.c > 0.0)) return bad("SVI raw->JW:", "b " + fmt(s.b) + " must be > 0 for a JW representation");
  return j;
}

Result<SviRaw> svi_jw_to_raw(const SviJw& j) {
  KEEL_TRY_STATUS(j.validate());
  // Paper Lemma 3.2, with w = v t.
  const double w = j.v * j.t;
  const double sw = std::sqrt(w);
  SviRaw s;
  s.b = 0.5 * sw * (j.c + j.p);
  s.rho = (j.c - j.p) / (j.c + j.p);  // = 1 - p√w/b, written without cancellation
  const double beta = (j.c - j.p - 4.0 * j.psi) / (j.c + j.p);  // = ρ - 2ψ√w/b = m/√(m² + σ²)
  const double dv = (j.v - j.v_tilde) * j.t;                    // = b(-ρm + √(m²+σ²) - σ√(1-ρ²))
  const double sq = std::sqrt(1.0 - s.rho * s.rho);
  if (beta == 0.0) {
    // m = 0: dv = bσ(1 - √(1 - ρ²)).
    s.m = 0.0;
    const double denom = s.b * (1.0 - sq);
    if (!(denom > 0.0)) {
      return bad("SVI-JW->raw:", "v == v_tilde with psi = (c - p)/4 and rho = 0 leaves sigma undetermined");
    }
    s.sigma = dv / denom;
  } else {
    const double alpha = std::copysign(std::sqrt((1.0 - beta) * (1.0 + beta)) / std::fabs(beta), beta);  // σ/m
    // d = -ρ + sign(α)√(1+α²) - α√(1-ρ²) loses digits to cancellation when ρ ≈ m/√(m²+σ²);
    // since (1+α²) - (ρ + α√(1-ρ²))² = (√(1-ρ²) - αρ)², the same value is
    // sign(α)(√(1-ρ²) - αρ)² / (√(1+α²) + sign(α)(ρ + α√(1-ρ²))), free of that cancellation.
    const double sgn = alpha > 0.0 ? 1.0 : -1.0;
    const double num = sq - alpha * s.rho;
    const double d = sgn * num * num / (std::sqrt(1.0 + alpha * alpha) + sgn * (s.rho + alpha * sq));
    if (dv == 0.0 || d == 0.0) {
      return bad("SVI-JW->raw:", "v == v_tilde (" + fmt(j.v) + ") is inconsistent with psi " + fmt(j.psi) +
                                     " (the minimum of w would lie away from k = 0)");
    }
    s.m = dv / (s.b * d);
    s.sigma = alpha * s.m;
  }
  if (!(s.sigma > 0.0) || !std::isfinite(s.sigma)) {
    return bad("SVI-JW->raw:", "recovered sigma " + fmt(s.sigma) + " is not positive");
  }
  s.a = j.v_tilde * j.t - s.b * s.sigma * sq;
  KEEL_TRY_STATUS(s.validate());
  return s;
}

SviRaw svi_from_ssvi_slice(double theta, double rho, double phi) noexcept {
  KEEL_ASSERT(theta > 0.0 && phi > 0.0 && std::fabs(rho) < 1.0, "SSVI slice: theta > 0, phi > 0, |rho| < 1");
  const double sq = std::sqrt(1.0 - rho * rho);
  return SviRaw{0.5 * theta * (1.0 - rho * rho), 0.5 * theta * phi, -rho / phi, rho, sq / phi};
}

Result<ButterflyReport> svi_butterfly_check(const SviRaw& s, const ButterflyCheckOptions& opt) {
  KEEL_TRY_STATUS(s.validate());
  if (!std::isfinite(opt.k_min) || !std::isfinite(opt.k_max) || !(opt.k_min < opt.k_max)) {
    return bad("SVI butterfly check:", "k range [" + fmt(opt.k_min) + ", " + fmt(opt.k_max) + "] is empty or not finite");
  }
  if (opt.points < 3) return bad("SVI butterfly check:", "points " + std::to_string(opt.points) + " must be >= 3");
  ButterflyReport r;
  r.left_wing_slope = s.b * (1.0 - s.rho);
  r.right_wing_slope = s.b * (1.0 + s.rho);
  r.wings_ok = r.left_wing_slope <= 2.0 && r.right_wing_slope <= 2.0;

  // g is undefined where w <= 0 (it divides by w): such a slice stops the scan there and is
  // reported with variance_positive = false, worst_k at that point and worst_g = -inf.
  const double h = (opt.k_max - opt.k_min) / static_cast<double>(opt.points - 1);
  std::size_t worst_i = 0;
  double worst = INFINITY;
  for (std::size_t i = 0; i < opt.points; ++i) {
    const double k = i + 1 == opt.points ? opt.k_max : opt.k_min + h * static_cast<double>(i);
    const SviPoint p = svi_point(s, k);
    if (!(p.w > 0.0)) {
      r.variance_positive = false;
      r.arbitrage_free = false;
      r.worst_k = k;
      r.worst_g = -INFINITY;
      return r;
    }
    const double g = density_g(p.w, p.dw_dk, p.d2w_dk2, k);
    if (g < worst) {
      worst = g;
      worst_i = i;
    }
  }
  // Golden-section search for the minimum between the grid neighbours of the worst node.
  double lo = opt.k_min + h * static_cast<double>(worst_i == 0 ? 0 : worst_i - 1);
  double hi = std::min(opt.k_max, opt.k_min + h * static_cast<double>(worst_i + 1));
  double best_k = opt.k_min + h * static_cast<double>(worst_i);
  if (worst_i + 1 == opt.points) best_k = opt.k_max;
  double best_g = worst;
  const double inv_phi = 0.6180339887498949;
  double x1 = hi - inv_phi * (hi - lo), x2 = lo + inv_phi * (hi - lo);
  double g1 = svi_density_g(s, x1), g2 = svi_density_g(s, x2);
  for (int it = 0; it < 60 && hi - lo > 1e-12; ++it) {
    if (g1 < g2) {
      hi = x2;
      x2 = x1;
      g2 = g1;
      x1 = hi - inv_phi * (hi - lo);
      g1 = svi_density_g(s, x1);
    } else {
      lo = x1;
      x1 = x2;
      g1 = g2;
      x2 = lo + inv_phi * (hi - lo);
      g2 = svi_density_g(s, x2);
    }
  }
  if (g1 < best_g) {
    best_g = g1;
    best_k = x1;
  }
  if (g2 < best_g) {
    best_g = g2;
    best_k = x2;
  }
  r.worst_g = best_g;
  r.worst_k = best_k;
  r.arbitrage_free = best_g >= 0.0 && r.wings_ok;
  return r;
}

Result<SviJw> svi_jw_butterfly_repair(const SviJw& j) {
  KEEL_TRY_STATUS(j.validate());
  SviJw out = j;
  out.c = j.p + 2.0 * j.psi;
  const double sum = j.p + out.c;
  out.v_tilde = j.v * 4.0 * j.p * out.c / (sum * sum);
  return out;
}

}  // namespace keel::analytics
