// Engle–Granger against simulation with known parameters: a cointegrated pair recovers its
// hedge ratio and rejects, independent random walks reject at about the nominal rate, and the
// half-life of a simulated AR(1) spread matches −ln 2 / ln φ within sampling error.
#include "keel/analytics/cointegration.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

namespace keel::analytics {
namespace {

std::vector<double> random_walk(std::size_t n, std::mt19937_64& rng, double start = 50.0) {
  std::normal_distribution<double> z(0.0, 1.0);
  std::vector<double> v(n);
  double s = start;
  for (auto& e : v) e = (s += z(rng));
  return v;
}

std::vector<double> ar1(std::size_t n, double phi, std::mt19937_64& rng, double sd = 1.0) {
  std::normal_distribution<double> z(0.0, sd);
  std::vector<double> v(n);
  double s = 0;
  for (auto& e : v) e = (s = phi * s + z(rng));
  return v;
}

TEST(EngleGranger, CointegratedPairRecoversHedgeRatioAndRejects) {
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    std::mt19937_64 rng(seed);
    const std::size_t n = 1000;
    const auto x = random_walk(n, rng);
    const auto u = ar1(n, 0.8, rng);
    std::vector<double> y(n);
    for (std::size_t t = 0; t < n; ++t) y[t] = 2.0 + 1.5 * x[t] + u[t];
    auto r = engle_granger(y, x);
    ASSERT_TRUE(r.ok()) << r.error().message;
    // β̂ is superconsistent (error O(1/n)): with Var(u) = 1/(1 − 0.64) ≈ 2.8 and Σ(x − x̄)² of
    // order n²/6, its s.d. is ≈ 0.01; 0.05 is a wide band.
    EXPECT_NEAR(r->hedge_ratios[0], 1.5, 0.05) << seed;
    EXPECT_LT(r->p_value, 0.01) << seed;
    EXPECT_LT(r->statistic, r->critical_values[0]) << seed;
    EXPECT_EQ(r->num_series, 2);
    ASSERT_TRUE(r->half_life.half_life.has_value());
    // Spread φ ≈ 0.8 → half-life ≈ 3.1 observations.
    EXPECT_NEAR(r->half_life.phi, 0.8, 0.06) << seed;
  }
}

TEST(EngleGranger, IndependentRandomWalksRejectAtAboutTheNominalRate) {
  const int seeds = 200;
  int rejections = 0;
  for (int s = 0; s < seeds; ++s) {
    std::mt19937_64 rng(900 + s);
    const auto x = random_walk(500, rng);
    const auto y = random_walk(500, rng);
    auto r = engle_granger(y, x);
    ASSERT_TRUE(r.ok()) << r.error().message;
    rejections += r->statistic < r->critical_values[1];
  }
  std::printf("Engle-Granger 5%% rejection rate, independent random walks, %d seeds: %.3f\n", seeds,
              rejections / double(seeds));
  // Binomial s.d. at 5% over 200 draws is 1.5%; [1%, 10%] is > 3 s.d. either side. (The plain
  // ADF critical values would over-reject: OLS residuals are fitted to look stationary.)
  EXPECT_GE(rejections, 2);
  EXPECT_LE(rejections, 20);
}

TEST(EngleGranger, HalfLifeOfKnownAr1Spread) {
  // φ = 0.9 → half-life −ln 2/ln 0.9 = 6.5788 observations. With n = 20,000, s.d.(φ̂) ≈
  // √((1 − φ²)/n) = 0.0031 and the half-life's ≈ ln 2/(φ ln²φ) · 0.0031 = 0.21: 3 s.d. = 0.65.
  std::mt19937_64 rng(42);
  const auto s = ar1(20000, 0.9, rng);
  auto h = spread_half_life(s);
  ASSERT_TRUE(h.ok());
  EXPECT_NEAR(h->phi, 0.9, 3 * 0.0031);
  ASSERT_TRUE(h->half_life.has_value());
  EXPECT_NEAR(*h->half_life, -std::log(2.0) / std::log(0.9), 0.65);
  // A random walk has φ ≈ 1; an explosive path φ > 1: no half-life.
  std::vector<double> expl(50);
  for (std::size_t t = 0; t < expl.size(); ++t) expl[t] = std::pow(1.1, static_cast<double>(t));
  auto e = spread_half_life(expl);
  ASSERT_TRUE(e.ok());
  EXPECT_GT(e->phi, 1.0);
  EXPECT_FALSE(e->half_life.has_value());
}

TEST(EngleGranger, ThreeVariablesUseTheNEqualsThreeTable) {
  std::mt19937_64 rng(8);
  const std::size_t n = 800;
  const auto x1 = random_walk(n, rng), x2 = random_walk(n, rng);
  const auto u = ar1(n, 0.5, rng);
  std::vector<double> y(n);
  for (std::size_t t = 0; t < n; ++t) y[t] = 1.0 + 0.7 * x1[t] - 0.4 * x2[t] + u[t];
  const std::vector<std::vector<double>> x{x1, x2};
  auto r = engle_granger(y, x);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->num_series, 3);
  EXPECT_NEAR(r->hedge_ratios[0], 0.7, 0.05);
  EXPECT_NEAR(r->hedge_ratios[1], -0.4, 0.05);
  auto cv = mackinnon_critical_values(AdfRegression::kConstant, 3, r->num_observations);
  EXPECT_EQ(r->critical_values, *cv);
  EXPECT_LT(r->p_value, 0.01);
}

TEST(EngleGranger, MisalignedInputsAreNamed) {
  std::vector<double> y(100, 1.0), x(99, 1.0);
  EngleGrangerOptions o;
  o.y_name = "KO";
  o.x_names = {"PEP"};
  auto r = engle_granger(y, x, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("'KO' has 100 values but 'PEP' has 99"), std::string::npos) << r.error().message;
  std::mt19937_64 rng(1);
  auto a = random_walk(100, rng), b = random_walk(100, rng);
  b[40] = NAN;
  auto nan = engle_granger(a, b, o);
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.error().message.find("'PEP' row 40"), std::string::npos) << nan.error().message;
}

}  // namespace
}  // namespace keel::analytics
