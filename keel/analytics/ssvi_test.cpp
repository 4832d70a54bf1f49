#include "keel/analytics/ssvi.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <functional>

namespace keel::analytics {
namespace {

// g(k) from w alone by central finite differences (independent of the closed-form
// derivatives): w' ≈ (w(k+h) - w(k-h))/2h, w'' ≈ (w(k+h) - 2w(k) + w(k-h))/h².
double fd_density_g(const std::function<double(double)>& w, double k) {
  const double h = 1e-4;
  const double wp = w(k + h), w0 = w(k), wm = w(k - h);
  return density_g(w0, (wp - wm) / (2.0 * h), (wp - 2.0 * w0 + wm) / (h * h), k);
}

double min_fd_g(double theta, double rho, double phi, double k_lo, double k_hi, double step) {
  auto w = [&](double k) { return ssvi_total_variance(k, theta, rho, phi); };
  double m = INFINITY;
  for (double k = k_lo; k <= k_hi; k += step) m = std::min(m, fd_density_g(w, k));
  return m;
}

TEST(Ssvi, HandWorkedValues) {
  // θ = 0.04, η = 1, γ = 1/2, ρ = -0.4: φ = 1/(√0.04·√1.04) = 4.9029033784546008; then
  // w(k) = 0.02·(1 - 0.4φk + √((φk - 0.4)² + 0.84)). 40-digit values from mpmath.
  const SsviPowerLaw p{-0.4, 1.0, 0.5};
  EXPECT_NEAR(p.phi(0.04), 4.902903378454600798, 1e-14);
  EXPECT_NEAR(ssvi_total_variance(0.5, 0.04, p), 0.04532591660626516286, 1e-16);
  EXPECT_NEAR(ssvi_total_variance(-0.5, 0.04, p), 0.09951412343117403626, 1e-16);
  EXPECT_NEAR(ssvi_total_variance(2.0, 0.04, p), 0.1305606365506809487, 1e-16);
  EXPECT_NEAR(ssvi_total_variance(-3.0, 0.04, p), 0.4403993439535613276, 1e-15);
  EXPECT_NEAR(ssvi_implied_vol(0.5, 0.04, 1.0, p), 0.2128988412515792977, 1e-15);
  EXPECT_NEAR(ssvi_implied_vol(-0.5, 0.04, 0.25, p), 0.3154585922608132674 * 2.0, 1e-14);

  // θ = 0.25, η = 1.2, γ = 0.3, ρ = -0.6 (mpmath, including mpmath.diff for ∂θ w).
  const SsviPowerLaw q{-0.6, 1.2, 0.3};
  EXPECT_NEAR(q.phi(0.25), 1.555830332825051938, 1e-14);
  EXPECT_NEAR(ssvi_total_variance(-1.0, 0.25, q), 0.5291221704145430488, 1e-15);
  EXPECT_NEAR(ssvi_total_variance(0.3, 0.25, q), 0.1913714995344849999, 1e-15);
  EXPECT_NEAR(ssvi_dw_dtheta(-1.0, 0.25, q), 1.590218857794896734, 1e-13);
  EXPECT_NEAR(ssvi_dw_dtheta(0.3, 0.25, q), 0.8439680017642922718, 1e-13);
}

TEST(Ssvi, AtTheMoneyTotalVarianceIsTheta) {
  for (double theta : {1e-6, 0.0123, 0.04, 0.3, 1.0, 7.5}) {
    for (double rho : {-0.95, -0.4, 0.0, 0.7}) {
      const SsviPowerLaw p{rho, 1.1, 0.4};
      EXPECT_EQ(ssvi_total_variance(0.0, theta, p), theta) << theta << " " << rho;
    }
  }
}

TEST(Ssvi, ClosedFormDerivativesMatchFiniteDifferences) {
  const double theta = 0.09, rho = -0.55, phi = 3.2;
  const double h = 1e-5;
  for (double k = -2.0; k <= 2.0; k += 0.25) {
    const SsviSlicePoint s = ssvi_slice_point(k, theta, rho, phi);
    const double wp = ssvi_total_variance(k + h, theta, rho, phi), wm = ssvi_total_variance(k - h, theta, rho, phi);
    EXPECT_NEAR(s.w, ssvi_total_variance(k, theta, rho, phi), 1e-16);
    EXPECT_NEAR(s.dw_dk, (wp - wm) / (2.0 * h), 1e-9) << k;
    EXPECT_NEAR(s.d2w_dk2, (wp - 2.0 * s.w + wm) / (h * h), 2e-5) << k;
    EXPECT_NEAR(ssvi_density_g(k, theta, rho, phi), density_g(s.w, s.dw_dk, s.d2w_dk2, k), 0.0);
  }
  const SsviPowerLaw p{-0.55, 1.25, 0.35};
  for (double theta2 : {0.01, 0.2, 1.5}) {
    const double ht = 1e-6 * theta2;
    EXPECT_NEAR(p.dphi_dtheta(theta2), (p.phi(theta2 + ht) - p.phi(theta2 - ht)) / (2.0 * ht), 1e-6 * p.phi(theta2) / theta2);
    for (double k = -1.5; k <= 1.5; k += 0.5) {
      const double fd = (ssvi_total_variance(k, theta2 + ht, p) - ssvi_total_variance(k, theta2 - ht, p)) / (2.0 * ht);
      EXPECT_NEAR(ssvi_dw_dtheta(k, theta2, p), fd, 1e-6) << k << " " << theta2;
    }
  }
}

TEST(Ssvi, ButterflyConditionTheorem42) {
  // Hand arithmetic: θ = 1, ρ = 0, φ = 5 gives θφ(1+|ρ|) = 5 >= 4 (fails the first inequality);
  // θ = 0.04, ρ = -0.5, φ = 20 gives 0.04·20·1.5 = 1.2 < 4 but 0.04·400·1.5 = 24 > 4 (fails the
  // second); θ = 0.04, ρ = -0.5, φ = 4 gives 0.24 and 0.96 (passes both).
  EXPECT_FALSE(ssvi_butterfly_condition(1.0, 0.0, 5.0));
  EXPECT_FALSE(ssvi_butterfly_condition(0.04, -0.5, 20.0));
  EXPECT_TRUE(ssvi_butterfly_condition(0.04, -0.5, 4.0));
  // Boundary: θφ²(1+|ρ|) = 4 exactly is allowed (<=), θφ(1+|ρ|) = 4 is not (<).
  EXPECT_TRUE(ssvi_butterfly_condition(1.0, 0.0, 2.0));   // 2 < 4, 4 <= 4
  EXPECT_FALSE(ssvi_butterfly_condition(4.0, 0.0, 1.0));  // 4 < 4 fails
}

TEST(Ssvi, DensityNonNegativeWhenConditionsHold) {
  // Power-law surfaces meeting Remark 4.4 (γ <= 1/2, η(1+|ρ|) <= 2), a wide range of θ:
  // every slice meets Theorem 4.2, so g(k) >= 0 (finite differences, up to their error).
  for (double rho : {-0.9, -0.6, -0.2, 0.0, 0.5}) {
    for (double gamma : {0.1, 0.3, 0.5}) {
      const SsviPowerLaw p{rho, 2.0 / (1.0 + std::fabs(rho)), gamma};  // η at the bound
      ASSERT_TRUE(p.static_arbitrage_free());
      for (double theta : {1e-4, 1e-3, 0.01, 0.05, 0.2, 1.0, 3.0}) {
        const double phi = p.phi(theta);
        ASSERT_TRUE(ssvi_butterfly_condition(theta, rho, phi)) << rho << " " << gamma << " " << theta;
        EXPECT_GE(min_fd_g(theta, rho, phi, -6.0, 6.0, 0.01), -1e-6) << rho << " " << gamma << " " << theta;
      }
    }
  }
}

TEST(Ssvi, DensityNegativeSomewhereWhenConditionsFail) {
  // First inequality broken: the wings grow faster than Roger Lee's bound allows.
  EXPECT_LT(min_fd_g(1.0, 0.0, 5.0, -5.0, 5.0, 0.005), -0.1);
  EXPECT_LT(min_fd_g(1.0, -0.5, 3.0, -5.0, 5.0, 0.005), -0.1);
  // Second inequality broken (first holds): too much curvature at the money for a short slice.
  EXPECT_LT(min_fd_g(0.04, -0.5, 20.0, -2.0, 2.0, 0.001), -0.1);
  EXPECT_LT(min_fd_g(0.04, -0.7, 30.0, -2.0, 2.0, 0.001), -0.1);
  // Theorem 4.2 is sufficient, not necessary: θ = 0.04, ρ = -0.5, φ = 12 breaks the second
  // inequality (0.04·144·1.5 = 8.64 > 4) yet its density stays positive.
  EXPECT_FALSE(ssvi_butterfly_condition(0.04, -0.5, 12.0));
  EXPECT_GT(min_fd_g(0.04, -0.5, 12.0, -3.0, 3.0, 0.001), 0.0);
}

TEST(Ssvi, PowerLawHasNoCalendarArbitrage) {
  // ∂θ w >= 0 by finite differences in θ (independent of ssvi_dw_dtheta) on a grid.
  for (double rho : {-0.9, -0.3, 0.4}) {
    for (double gamma : {0.2, 0.5}) {
      const SsviPowerLaw p{rho, 2.0 / (1.0 + std::fabs(rho)), gamma};
      for (double theta = 0.002; theta < 4.0; theta *= 1.7) {
        const double ht = 1e-6 * theta;
        for (double k = -4.0; k <= 4.0; k += 0.1) {
          const double fd = (ssvi_total_variance(k, theta + ht, p) - ssvi_total_variance(k, theta - ht, p)) / (2.0 * ht);
          EXPECT_GE(fd, -1e-7) << rho << " " << gamma << " " << theta << " " << k;
          EXPECT_GE(ssvi_dw_dtheta(k, theta, p), -1e-12);
        }
      }
    }
  }
}

TEST(Ssvi, DecreasingThetaPhiHasCalendarArbitrage) {
  // φ(θ) = 0.05/θ² makes θφ(θ) = 0.05/θ decreasing, breaking Theorem 4.1's first condition:
  // the wings of a later slice fall below an earlier one's. Finite differences find ∂θ w < 0.
  const double rho = -0.3;
  auto phi = [](double theta) { return 0.05 / (theta * theta); };
  double worst = INFINITY;
  for (double theta = 0.05; theta < 1.0; theta += 0.05) {
    const double ht = 1e-6;
    for (double k = -3.0; k <= 3.0; k += 0.1) {
      const double fd = (ssvi_total_variance(k, theta + ht, rho, phi(theta + ht)) -
                         ssvi_total_variance(k, theta - ht, rho, phi(theta - ht))) /
                        (2.0 * ht);
      worst = std::min(worst, fd);
      const double dphi = -2.0 * 0.05 / (theta * theta * theta);
      EXPECT_NEAR(ssvi_dw_dtheta(k, theta, rho, phi(theta), dphi), fd, 1e-5 * (1.0 + std::fabs(fd)));
    }
  }
  EXPECT_LT(worst, -0.1);
}

TEST(Ssvi, ParameterValidation) {
  EXPECT_TRUE(SsviPowerLaw({-0.7, 1.1, 0.45}).validate().ok());
  EXPECT_TRUE(SsviPowerLaw({-0.7, 1.1, 0.45}).validate_static_arbitrage_free().ok());  // 1.1·1.7 = 1.87
  auto bad_rho = SsviPowerLaw({1.0, 1.0, 0.5}).validate();
  ASSERT_FALSE(bad_rho.ok());
  EXPECT_NE(bad_rho.error().message.find("rho"), std::string::npos);
  auto bad_eta = SsviPowerLaw({0.0, -1.0, 0.5}).validate();
  ASSERT_FALSE(bad_eta.ok());
  EXPECT_NE(bad_eta.error().message.find("eta"), std::string::npos);
  auto bad_gamma = SsviPowerLaw({0.0, 1.0, 1.0}).validate();
  ASSERT_FALSE(bad_gamma.ok());
  EXPECT_NE(bad_gamma.error().message.find("gamma"), std::string::npos);
  EXPECT_FALSE(SsviPowerLaw({0.0, 1.0, NAN}).validate().ok());
  // Remark 4.4 violations: η(1+|ρ|) = 1.5·1.5 = 2.25 > 2; γ = 0.6 > 1/2.
  auto too_steep = SsviPowerLaw({-0.5, 1.5, 0.4}).validate_static_arbitrage_free();
  ASSERT_FALSE(too_steep.ok());
  EXPECT_NE(too_steep.error().message.find("Remark 4.4"), std::string::npos);
  EXPECT_FALSE(SsviPowerLaw({-0.5, 1.5, 0.4}).static_arbitrage_free());
  EXPECT_FALSE(SsviPowerLaw({-0.5, 1.0, 0.6}).static_arbitrage_free());
  EXPECT_TRUE(SsviPowerLaw({-0.5, 1.0, 0.6}).validate().ok());
}

// Property: any Remark-4.4 parameter set gives slices meeting Theorem 4.2 at any θ (the
// argument of Remark 4.4: θφ = η(θ/(1+θ))^{1-γ} < η and θφ² <= η²).
RC_GTEST_PROP(Ssvi, RemarkImpliesTheorem42, ()) {
  const double rho = *rc::gen::inRange(-990, 991) * 1e-3;
  const double gamma = *rc::gen::inRange(1, 501) * 1e-3;
  const double eta = 2.0 / (1.0 + std::fabs(rho)) * (*rc::gen::inRange(1, 1001) * 1e-3);
  const double theta = std::pow(10.0, *rc::gen::inRange(-6000, 1000) * 1e-3);
  const SsviPowerLaw p{rho, eta, gamma};
  RC_ASSERT(p.static_arbitrage_free());
  RC_ASSERT(ssvi_butterfly_condition(theta, rho, p.phi(theta)));
}

}  // namespace
}  // namespace keel::analytics
