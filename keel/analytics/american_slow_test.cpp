// Slow tests for keel/analytics/american.hpp (ctest label "slow"): the two closed-form
// approximations against 5,000-step lattices, which converge to the true American value.
#include <gtest/gtest.h>

#include <cmath>

#include "keel/analytics/american.hpp"

namespace keel::analytics {
namespace {

// Haug's grid (S = 90/100/110, K = 100, T = 0.1/0.5, vol 15/25/35%) with three carries:
// b = 0 (futures), b = r - q > 0 (dividend-paying stock), b = r (no dividend; puts only matter).
TEST(AmericanSlow, ApproximationsConvergeTowardsLattice) {
  double worst_baw = 0.0, worst_bjs = 0.0, worst_lr_crr = 0.0;
  for (OptionRight right : {OptionRight::kCall, OptionRight::kPut}) {
    for (double q : {0.10, 0.04, 0.0}) {
      for (double T : {0.1, 0.5}) {
        for (double vol : {0.15, 0.25, 0.35}) {
          for (double S : {90.0, 100.0, 110.0}) {
            const AmericanInput in{right, S, 100.0, T, vol, 0.10, q};
            LatticeOptions lr;
            lr.kind = LatticeKind::kLeisenReimer;
            lr.steps = 5001;
            LatticeOptions crr;
            crr.kind = LatticeKind::kCrr;
            crr.steps = 5000;
            const double lat = lattice_price(in, {}, lr)->price;
            const double lat_crr = lattice_price(in, {}, crr)->price;
            const double baw = baw_price(in).value();
            const double bjs = bjerksund_stensland_price(in).value();
            worst_lr_crr = std::max(worst_lr_crr, std::fabs(lat - lat_crr));
            // Tolerances: both are approximations whose error grows with the rate and the
            // expiry; on this grid (r = 10%) the worst seen are BAW +1.8% and BjS -1.9% (puts,
            // T = 0.5, q = 0), hence 2.5% of the price with a floor of a few cents for cheap
            // out-of-the-money options.
            worst_baw = std::max(worst_baw, std::fabs(baw - lat) / std::max(0.025 * lat, 0.05));
            worst_bjs = std::max(worst_bjs, (lat - bjs) / std::max(0.025 * lat, 0.03));
            // Bjerksund–Stensland follows a feasible (sub-optimal) exercise policy: a lower bound.
            EXPECT_LE(bjs, lat + 2e-4) << S << " " << T << " " << vol << " " << q;
          }
        }
      }
    }
  }
  // Two 5,000-step lattices of different construction agree to within their discretisation.
  EXPECT_LT(worst_lr_crr, 2e-3);
  EXPECT_LE(worst_baw, 1.0);
  EXPECT_LE(worst_bjs, 1.0);
}

}  // namespace
}  // namespace keel::analytics
