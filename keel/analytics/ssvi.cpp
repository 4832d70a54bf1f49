#include "keel/analytics/ssvi.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "keel/core/assert.hpp"

namespace keel::analytics {
namespace {

std::string fmt(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

void check_theta(double theta) {
  KEEL_ASSERT(std::isfinite(theta) && theta > 0.0, "SSVI: theta must be positive and finite");
}

// √((φk + ρ)² + 1 - ρ²) written as √(1 + φk(φk + 2ρ)): exactly 1 at k = 0, and the radicand
// stays >= 1 - ρ² > 0 for every k.
double radical(double phik, double rho) noexcept { return std::sqrt(1.0 + phik * (phik + 2.0 * rho)); }

}  // namespace

Status SsviPowerLaw::validate() const {
  if (!std::isfinite(rho) || !(std::fabs(rho) < 1.0)) {
    return make_error(ErrorCode::kInvalidArgument, "SSVI rho " + fmt(rho) + " must satisfy |rho| < 1");
  }
  if (!std::isfinite(eta) || !(eta > 0.0)) {
    return make_error(ErrorCode::kInvalidArgument, "SSVI eta " + fmt(eta) + " must be positive");
  }
  if (!std::isfinite(gamma) || !(gamma > 0.0 && gamma < 1.0)) {
    return make_error(ErrorCode::kInvalidArgument, "SSVI gamma " + fmt(gamma) + " must lie in (0, 1)");
  }
  return ok_status();
}

bool SsviPowerLaw::static_arbitrage_free() const noexcept {
  return validate().ok() && gamma <= 0.5 && eta * (1.0 + std::fabs(rho)) <= 2.0;
}

Status SsviPowerLaw::validate_static_arbitrage_free() const {
  KEEL_TRY_STATUS(validate());
  if (gamma > 0.5) {
    return make_error(ErrorCode::kInvalidArgument,
                      "SSVI gamma " + fmt(gamma) + " exceeds 1/2 (Gatheral-Jacquier Remark 4.4 needs 0 < gamma <= 1/2)");
  }
  if (eta * (1.0 + std::fabs(rho)) > 2.0) {
    return make_error(ErrorCode::kInvalidArgument, "SSVI eta*(1+|rho|) = " + fmt(eta * (1.0 + std::fabs(rho))) +
                                                       " exceeds 2 (Gatheral-Jacquier Remark 4.4), eta " + fmt(eta) +
                                                       ", rho " + fmt(rho));
  }
  return ok_status();
}

double SsviPowerLaw::phi(double theta) const noexcept {
  check_theta(theta);
  return eta / (std::pow(theta, gamma) * std::pow(1.0 + theta, 1.0 - gamma));
}

double SsviPowerLaw::dphi_dtheta(double theta) const noexcept {
  return -phi(theta) * (gamma / theta + (1.0 - gamma) / (1.0 + theta));
}

double ssvi_total_variance(double k, double theta, double rho, double phi) noexcept {
  check_theta(theta);
  const double phik = phi * k;
  return 0.5 * theta * (1.0 + rho * phik + radical(phik, rho));
}

double ssvi_total_variance(double k, double theta, const SsviPowerLaw& p) noexcept {
  return ssvi_total_variance(k, theta, p.rho, p.phi(theta));
}

double ssvi_implied_vol(double k, double theta, double tau, const SsviPowerLaw& p) noexcept {
  KEEL_ASSERT(std::isfinite(tau) && tau > 0.0, "SSVI: tau must be positive and finite");
  return std::sqrt(ssvi_total_variance(k, theta, p) / tau);
}

SsviSlicePoint ssvi_slice_point(double k, double theta, double rho, double phi) noexcept {
  check_theta(theta);
  const double phik = phi * k;
  const double r = radical(phik, rho);
  // With a = φk + ρ and R = √(a² + 1 - ρ²): w' = θ/2·(ρφ + φa/R), w'' = θ/2·φ²(1-ρ²)/R³.
  SsviSlicePoint out;
  out.w = 0.5 * theta * (1.0 + rho * phik + r);
  out.dw_dk = 0.5 * theta * phi * (rho + (phik + rho) / r);
  out.d2w_dk2 = 0.5 * theta * phi * phi * (1.0 - rho * rho) / (r * r * r);
  return out;
}

double density_g(double w, double dw_dk, double d2w_dk2, double k) noexcept {
  const double a = 1.0 - k * dw_dk / (2.0 * w);
  return a * a - 0.25 * dw_dk * dw_dk * (1.0 / w + 0.25) + 0.5 * d2w_dk2;
}

double ssvi_density_g(double k, double theta, double rho, double phi) noexcept {
  const SsviSlicePoint s = ssvi_slice_point(k, theta, rho, phi);
  return density_g(s.w, s.dw_dk, s.d2w_dk2, k);
}

bool ssvi_butterfly_condition(double theta, double rho, double phi) noexcept {
  const double m = 1.0 + std::fabs(rho);
  return theta * phi * m < 4.0 && theta * phi * phi * m <= 4.0;
}

double ssvi_dw_dtheta(double k, double theta, double rho, double phi, double dphi_dtheta) noexcept {
  check_theta(theta);
  // With ψ = θφ: w = ½(θ + ρψk + √(ψ²k² + 2ρψkθ + θ²)); differentiate at fixed k.
  const double psi = theta * phi;
  const double dpsi = phi + theta * dphi_dtheta;
  const double radicand = psi * k * (psi * k + 2.0 * rho * theta) + theta * theta;
  const double droot = (psi * k * dpsi * k + rho * (dpsi * k * theta + psi * k) + theta) / std::sqrt(radicand);
  return 0.5 * (1.0 + rho * dpsi * k + droot);
}

double ssvi_dw_dtheta(double k, double theta, const SsviPowerLaw& p) noexcept {
  return ssvi_dw_dtheta(k, theta, p.rho, p.phi(theta), p.dphi_dtheta(theta));
}

}  // namespace keel::analytics
