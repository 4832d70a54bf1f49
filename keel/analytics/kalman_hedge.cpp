#include "keel/analytics/kalman_hedge.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace keel::analytics {
namespace {

Error invalid(std::string message) { return make_error(ErrorCode::kInvalidArgument, std::move(message)); }

std::string fmt(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

KalmanHedge::KalmanHedge(const KalmanHedgeOptions& o)
    : q_(o.delta / (1.0 - o.delta)),
      ve_(o.observation_variance),
      beta_(o.initial_beta),
      alpha_(o.initial_alpha),
      p00_(o.initial_variance),
      p01_(0.0),
      p11_(o.initial_variance) {}

Result<KalmanHedge> KalmanHedge::create(const KalmanHedgeOptions& o) {
  if (!(o.delta >= 0.0 && o.delta < 1.0)) return invalid("Kalman hedge: delta " + fmt(o.delta) + " must be in [0, 1)");
  if (!std::isfinite(o.observation_variance) || !(o.observation_variance > 0.0)) {
    return invalid("Kalman hedge: observation_variance " + fmt(o.observation_variance) + " must be finite and > 0");
  }
  if (!std::isfinite(o.initial_variance) || !(o.initial_variance > 0.0)) {
    return invalid("Kalman hedge: initial_variance " + fmt(o.initial_variance) + " must be finite and > 0");
  }
  if (!std::isfinite(o.initial_beta) || !std::isfinite(o.initial_alpha)) {
    return invalid("Kalman hedge: initial_beta and initial_alpha must be finite");
  }
  return KalmanHedge(o);
}

Result<KalmanHedgeStep> KalmanHedge::update(double x, double y) {
  if (!std::isfinite(x) || !std::isfinite(y)) {
    return invalid("Kalman hedge: observation " + std::to_string(count_) + " (x " + fmt(x) + ", y " + fmt(y) +
                   ") is not finite");
  }
  // Predict: R = P + Q.
  const double r00 = p00_ + q_, r01 = p01_, r11 = p11_ + q_;
  const double forecast = beta_ * x + alpha_;
  const double e = y - forecast;
  // R F' with F = [x, 1].
  const double rf0 = r00 * x + r01;
  const double rf1 = r01 * x + r11;
  const double s = x * rf0 + rf1 + ve_;
  const double k0 = rf0 / s, k1 = rf1 / s;
  beta_ += k0 * e;
  alpha_ += k1 * e;
  p00_ = r00 - s * k0 * k0;
  p01_ = r01 - s * k0 * k1;
  p11_ = r11 - s * k1 * k1;
  ++count_;
  KalmanHedgeStep st;
  st.beta = beta_;
  st.alpha = alpha_;
  st.beta_std = std::sqrt(std::max(p00_, 0.0));
  st.alpha_std = std::sqrt(std::max(p11_, 0.0));
  st.forecast = forecast;
  st.spread = e;
  st.spread_std = std::sqrt(s);
  st.z_score = e / st.spread_std;
  return st;
}

Result<std::vector<KalmanHedgeStep>> kalman_hedge(std::span<const double> y, std::span<const double> x,
                                                  const KalmanHedgeOptions& options) {
  if (y.size() != x.size()) {
    return invalid("Kalman hedge: y has " + std::to_string(y.size()) + " values but x has " + std::to_string(x.size()));
  }
  KEEL_TRY(kf, KalmanHedge::create(options));
  std::vector<KalmanHedgeStep> out;
  out.reserve(y.size());
  for (std::size_t t = 0; t < y.size(); ++t) {
    KEEL_TRY(step, kf.update(x[t], y[t]));
    out.push_back(step);
  }
  return out;
}

}  // namespace keel::analytics
