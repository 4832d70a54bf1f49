// The Kalman hedge filter against independent values: with δ = 0 it is recursive least squares,
// whose posterior mean has a closed form (computed here with a 2×2 inverse); with tiny δ and a
// diffuse prior it converges to the OLS slope; streaming equals batch; no look-ahead.
#include "keel/analytics/kalman_hedge.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace keel::analytics {
namespace {

struct Pair {
  std::vector<double> x, y;
};

Pair simulate(std::size_t n, double beta, double alpha, double noise, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 1.0);
  Pair p;
  double x = 40.0;
  for (std::size_t t = 0; t < n; ++t) {
    x += z(rng);
    p.x.push_back(x);
    p.y.push_back(alpha + beta * x + noise * z(rng));
  }
  return p;
}

TEST(KalmanHedge, DeltaZeroIsRecursiveLeastSquaresClosedForm) {
  // Q = 0: θ_n = (P0⁻¹ + X'X/Ve)⁻¹ (P0⁻¹ θ0 + X'y/Ve), X rows [x_t, 1].
  const Pair p = simulate(200, 1.3, 5.0, 0.5, 1);
  KalmanHedgeOptions o;
  o.delta = 0.0;
  o.observation_variance = 0.25;
  o.initial_variance = 10.0;
  o.initial_beta = 0.5;
  o.initial_alpha = -1.0;
  auto steps = kalman_hedge(p.y, p.x, o);
  ASSERT_TRUE(steps.ok()) << steps.error().message;
  for (std::size_t n : {1u, 2u, 10u, 200u}) {
    double a00 = 1 / o.initial_variance, a01 = 0, a11 = 1 / o.initial_variance;
    double b0 = o.initial_beta / o.initial_variance, b1 = o.initial_alpha / o.initial_variance;
    for (std::size_t t = 0; t < n; ++t) {
      a00 += p.x[t] * p.x[t] / o.observation_variance;
      a01 += p.x[t] / o.observation_variance;
      a11 += 1 / o.observation_variance;
      b0 += p.x[t] * p.y[t] / o.observation_variance;
      b1 += p.y[t] / o.observation_variance;
    }
    const double det = a00 * a11 - a01 * a01;
    const double beta = (a11 * b0 - a01 * b1) / det;
    const double alpha = (-a01 * b0 + a00 * b1) / det;
    const auto& s = (*steps)[n - 1];
    EXPECT_NEAR(s.beta, beta, 1e-8 * (1 + std::abs(beta))) << n;
    EXPECT_NEAR(s.alpha, alpha, 1e-7 * (1 + std::abs(alpha))) << n;
    // Posterior covariance: (P0⁻¹ + X'X/Ve)⁻¹; its [0][0] is a11/det.
    EXPECT_NEAR(s.beta_std, std::sqrt(a11 / det), 1e-6 * std::sqrt(a11 / det)) << n;
  }
  // The first spread uses only the prior: e_1 = y_1 − (0.5 x_1 − 1), S_1 = 10 x_1² + 10 + 0.25.
  const auto& first = (*steps)[0];
  EXPECT_NEAR(first.spread, p.y[0] - (0.5 * p.x[0] - 1.0), 1e-12);
  EXPECT_NEAR(first.spread_std, std::sqrt(10 * p.x[0] * p.x[0] + 10 + 0.25), 1e-12);
}

TEST(KalmanHedge, TinyDeltaConvergesToOlsBeta) {
  const Pair p = simulate(2000, 0.8, 3.0, 1.0, 7);
  // OLS slope and intercept by the closed form of a two-parameter regression.
  const double n = static_cast<double>(p.x.size());
  double mx = 0, my = 0;
  for (std::size_t t = 0; t < p.x.size(); ++t) mx += p.x[t] / n, my += p.y[t] / n;
  double sxx = 0, sxy = 0;
  for (std::size_t t = 0; t < p.x.size(); ++t) sxx += (p.x[t] - mx) * (p.x[t] - mx), sxy += (p.x[t] - mx) * (p.y[t] - my);
  const double ols_beta = sxy / sxx, ols_alpha = my - ols_beta * mx;
  KalmanHedgeOptions o;
  o.delta = 1e-12;
  o.observation_variance = 1.0;
  o.initial_variance = 1e6;  // near-diffuse
  auto steps = kalman_hedge(p.y, p.x, o);
  ASSERT_TRUE(steps.ok());
  EXPECT_NEAR(steps->back().beta, ols_beta, 1e-4);
  EXPECT_NEAR(steps->back().alpha, ols_alpha, 5e-3);
  EXPECT_NEAR(steps->back().beta, 0.8, 0.05);  // and the true β within sampling error
}

TEST(KalmanHedge, StreamingEqualsBatchAndNoLookAhead) {
  Pair p = simulate(300, 1.1, 0.0, 0.3, 3);
  KalmanHedgeOptions o;
  auto batch = kalman_hedge(p.y, p.x, o);
  ASSERT_TRUE(batch.ok());
  auto kf = KalmanHedge::create(o);
  ASSERT_TRUE(kf.ok());
  for (std::size_t t = 0; t < p.x.size(); ++t) {
    auto s = kf->update(p.x[t], p.y[t]);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->beta, (*batch)[t].beta);
    EXPECT_EQ(s->alpha, (*batch)[t].alpha);
    EXPECT_EQ(s->spread, (*batch)[t].spread);
    EXPECT_EQ(s->spread_std, (*batch)[t].spread_std);
  }
  EXPECT_EQ(kf->observations(), 300u);
  // Change everything after t = 149: outputs 0..149 are identical bit for bit.
  for (std::size_t t = 150; t < p.x.size(); ++t) p.y[t] *= 3.0, p.x[t] += 7.0;
  auto changed = kalman_hedge(p.y, p.x, o);
  ASSERT_TRUE(changed.ok());
  for (std::size_t t = 0; t < 150; ++t) {
    EXPECT_EQ((*changed)[t].beta, (*batch)[t].beta) << t;
    EXPECT_EQ((*changed)[t].z_score, (*batch)[t].z_score) << t;
  }
  EXPECT_NE((*changed)[150].spread, (*batch)[150].spread);
}

TEST(KalmanHedge, TracksAStepChangeInBeta) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> z(0.0, 1.0);
  KalmanHedgeOptions o;
  o.delta = 1e-4;
  o.observation_variance = 0.01;
  auto kf = KalmanHedge::create(o);
  ASSERT_TRUE(kf.ok());
  double x = 50;
  KalmanHedgeStep last;
  for (int t = 0; t < 1000; ++t) {
    x += z(rng);
    const double beta = t < 500 ? 1.0 : 2.0;
    last = *kf->update(x, beta * x + 0.1 * z(rng));
    if (t == 499) {
      EXPECT_NEAR(last.beta, 1.0, 0.05);
    }
  }
  EXPECT_NEAR(last.beta, 2.0, 0.05);
}

TEST(KalmanHedge, Errors) {
  KalmanHedgeOptions o;
  o.delta = 1.0;
  EXPECT_NE(KalmanHedge::create(o).error().message.find("delta"), std::string::npos);
  o.delta = 1e-4;
  o.observation_variance = 0;
  EXPECT_NE(KalmanHedge::create(o).error().message.find("observation_variance"), std::string::npos);
  o.observation_variance = 1e-3;
  std::vector<double> y = {1, 2, NAN}, x = {1, 2, 3};
  auto r = kalman_hedge(y, x, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("observation 2"), std::string::npos) << r.error().message;
  std::vector<double> x2 = {1, 2};
  EXPECT_FALSE(kalman_hedge(y, x2, o).ok());
}

}  // namespace
}  // namespace keel::analytics
