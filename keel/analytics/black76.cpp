#include "keel/analytics/black76.hpp"

#include <cmath>

#include "keel/analytics/normal.hpp"
#include "keel/core/assert.hpp"

namespace keel::analytics {

double black76_price(double forward, double strike, double T, double vol, double discount, OptionRight right) {
  KEEL_ASSERT(std::isfinite(forward) && forward > 0.0, "black76_price: forward must be positive and finite");
  KEEL_ASSERT(std::isfinite(strike) && strike > 0.0, "black76_price: strike must be positive and finite");
  KEEL_ASSERT(std::isfinite(T) && T >= 0.0, "black76_price: T must be non-negative and finite");
  KEEL_ASSERT(std::isfinite(vol) && vol >= 0.0, "black76_price: vol must be non-negative and finite");
  KEEL_ASSERT(std::isfinite(discount) && discount > 0.0, "black76_price: discount must be positive and finite");
  const double sd = vol * std::sqrt(T);
  if (sd == 0.0) {
    const double intrinsic = right == OptionRight::kCall ? forward - strike : strike - forward;
    return intrinsic > 0.0 ? discount * intrinsic : 0.0;
  }
  const double d1 = std::log(forward / strike) / sd + 0.5 * sd;
  const double d2 = d1 - sd;
  const double value = right == OptionRight::kCall ? forward * norm_cdf(d1) - strike * norm_cdf(d2)
                                                   : strike * norm_cdf(-d2) - forward * norm_cdf(-d1);
  // Far out of the money the two terms cancel to rounding noise that can dip below zero.
  return value > 0.0 ? discount * value : 0.0;
}

}  // namespace keel::analytics
