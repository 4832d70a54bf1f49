// The ADF test against independent values: the τ of a lag-0 regression by the closed form of a
// two-parameter regression, Fuller's (1976) Dickey–Fuller table, the agreement of MacKinnon's
// 1994 p-value surfaces with his 2010 critical values, and rejection rates on simulated series.
#include "keel/analytics/adf.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

namespace keel::analytics {
namespace {

AdfOptions fixed(AdfRegression reg, std::size_t lags) {
  AdfOptions o;
  o.regression = reg;
  o.lag_selection = LagSelection::kFixed;
  o.lags = lags;
  return o;
}

TEST(Adf, LagZeroConstantMatchesTwoParameterClosedForm) {
  const std::vector<double> y = {1, 3, 2, 5, 4, 4.5, 3, 6, 5.5, 7};
  // Regress Δy_t on (1, y_{t−1}), t = 1..9: slope g = Sxy/Sxx, SE = √(RSS/(T−2)/Sxx).
  std::vector<double> X, Y;
  for (std::size_t t = 1; t < y.size(); ++t) {
    X.push_back(y[t - 1]);
    Y.push_back(y[t] - y[t - 1]);
  }
  const double T = static_cast<double>(X.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < X.size(); ++i) mx += X[i] / T, my += Y[i] / T;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < X.size(); ++i) sxx += (X[i] - mx) * (X[i] - mx), sxy += (X[i] - mx) * (Y[i] - my);
  const double g = sxy / sxx, a = my - g * mx;
  double rss = 0;
  for (std::size_t i = 0; i < X.size(); ++i) rss += std::pow(Y[i] - a - g * X[i], 2);
  const double tau = g / std::sqrt(rss / (T - 2) / sxx);

  auto r = adf_test(y, fixed(AdfRegression::kConstant, 0));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NEAR(r->gamma, g, 1e-12);
  EXPECT_NEAR(r->statistic, tau, 1e-12);
  EXPECT_EQ(r->num_observations, 9u);
  EXPECT_EQ(r->lags, 0u);
}

TEST(Adf, LagZeroNoConstantMatchesClosedForm) {
  const std::vector<double> y = {1, 3, 2, 5, 4, 4.5, 3, 6, 5.5, 7};
  // Δy_t = g y_{t−1}: g = Σxy/Σx², SE = √(RSS/(T−1)/Σx²).
  double sxx = 0, sxy = 0;
  for (std::size_t t = 1; t < y.size(); ++t) sxx += y[t - 1] * y[t - 1], sxy += y[t - 1] * (y[t] - y[t - 1]);
  const double g = sxy / sxx;
  double rss = 0;
  for (std::size_t t = 1; t < y.size(); ++t) rss += std::pow(y[t] - y[t - 1] - g * y[t - 1], 2);
  auto r = adf_test(y, fixed(AdfRegression::kNone, 0));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NEAR(r->statistic, g / std::sqrt(rss / 8.0 / sxx), 1e-12);
}

TEST(Adf, CriticalValuesAgreeWithFullersTable) {
  // Fuller (1976), Introduction to Statistical Time Series, Table 8.5.2 (Hamilton 1994,
  // Table B.6, Case 2 and Case 4): sample size 100 → τ_μ 1% −3.51, 5% −2.89, 10% −2.58;
  // ∞ → −3.43, −2.86, −2.57; τ_τ at 100: −4.04, −3.45, −3.15; τ (no constant) at 100: −2.60,
  // −1.95, −1.61. Fuller's Monte Carlo and MacKinnon's response surfaces agree to ~0.02.
  auto c100 = mackinnon_critical_values(AdfRegression::kConstant, 1, 100);
  auto cinf = mackinnon_critical_values(AdfRegression::kConstant, 1, 0);
  auto t100 = mackinnon_critical_values(AdfRegression::kConstantTrend, 1, 100);
  auto n100 = mackinnon_critical_values(AdfRegression::kNone, 1, 100);
  ASSERT_TRUE(c100.ok() && cinf.ok() && t100.ok() && n100.ok());
  const double tol = 0.02;
  EXPECT_NEAR((*c100)[0], -3.51, tol);
  EXPECT_NEAR((*c100)[1], -2.89, tol);
  EXPECT_NEAR((*c100)[2], -2.58, tol);
  EXPECT_NEAR((*cinf)[0], -3.43, 0.005);
  EXPECT_NEAR((*cinf)[1], -2.86, 0.005);
  EXPECT_NEAR((*cinf)[2], -2.57, 0.005);
  EXPECT_NEAR((*t100)[0], -4.04, tol);
  EXPECT_NEAR((*t100)[1], -3.45, tol);
  EXPECT_NEAR((*t100)[2], -3.15, tol);
  EXPECT_NEAR((*n100)[0], -2.60, tol);
  EXPECT_NEAR((*n100)[1], -1.95, tol);
  EXPECT_NEAR((*n100)[2], -1.61, tol);
  // MacKinnon (2010) Table 2 itself, 5% constant, T = 100: −2.86154 − 2.8903/100 − 4.234/100²
  // − 40.040/100³ = −2.8909064.
  EXPECT_NEAR((*c100)[1], -2.8909064, 1e-7);
}

TEST(Adf, PValuesAtCriticalValuesAreTheNominalLevels) {
  // Two independent MacKinnon tables: the 1994 p-value surface evaluated at the 2010 asymptotic
  // critical values gives back ≈ 1%, 5%, 10% (the 1994 surfaces fit the tails to ~0.002).
  for (auto reg : {AdfRegression::kConstant, AdfRegression::kConstantTrend}) {
    for (int n = 1; n <= 6; ++n) {
      auto cv = mackinnon_critical_values(reg, n, 0);
      ASSERT_TRUE(cv.ok());
      const double levels[3] = {0.01, 0.05, 0.10};
      for (int j = 0; j < 3; ++j) {
        auto p = mackinnon_p_value((*cv)[j], reg, n);
        ASSERT_TRUE(p.ok());
        EXPECT_NEAR(*p, levels[j], 0.1 * levels[j] + 0.002) << to_string(reg) << " N=" << n << " level " << levels[j];
      }
    }
  }
  auto cv = mackinnon_critical_values(AdfRegression::kNone, 1, 0);
  ASSERT_TRUE(cv.ok());
  EXPECT_NEAR(*mackinnon_p_value((*cv)[1], AdfRegression::kNone, 1), 0.05, 0.006);
  // Tails: far below τ_min is 0, far above τ_max is 1; monotone in between.
  EXPECT_EQ(*mackinnon_p_value(-30, AdfRegression::kConstant, 1), 0.0);
  EXPECT_EQ(*mackinnon_p_value(3, AdfRegression::kConstant, 1), 1.0);
  double prev = 0;
  for (double tau = -6; tau < 2.7; tau += 0.05) {
    const double p = *mackinnon_p_value(tau, AdfRegression::kConstant, 1);
    EXPECT_GE(p, prev - 1e-12) << tau;
    prev = p;
  }
  EXPECT_FALSE(mackinnon_p_value(-3, AdfRegression::kConstant, 7).ok());
  EXPECT_FALSE(mackinnon_critical_values(AdfRegression::kNone, 2, 100).ok());
}

std::vector<double> ar1(std::size_t n, double phi, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 1.0);
  std::vector<double> y(n);
  double v = 0;
  for (std::size_t t = 0; t < n; ++t) {
    v = phi * v + z(rng);
    y[t] = 100 + v;
  }
  return y;
}

TEST(Adf, RandomWalkRarelyRejectsStationaryAr1AlwaysDoes) {
  // Size: under H0 (random walk) the 5% test rejects ≈ 5% of the time; 200 seeds give a binomial
  // s.d. of 1.5%, so [1%, 10%] is a > 3 s.d. band. Power: AR(1) with φ = 0.5 and n = 500 has
  // τ ≈ −11, far beyond −2.87, so every seed rejects.
  const int seeds = 200;
  int rw_reject = 0, ar_reject = 0;
  for (int s = 0; s < seeds; ++s) {
    AdfOptions o;  // constant, lags by AIC
    auto rw = adf_test(ar1(500, 1.0, 1000 + s), o);
    auto st = adf_test(ar1(500, 0.5, 5000 + s), o);
    ASSERT_TRUE(rw.ok() && st.ok());
    rw_reject += rw->statistic < rw->critical_values[1];
    ar_reject += st->p_value < 0.05;
  }
  RecordProperty("random_walk_rejection_rate", std::to_string(rw_reject / double(seeds)));
  RecordProperty("ar1_rejection_rate", std::to_string(ar_reject / double(seeds)));
  std::printf("5%% rejection rates over %d seeds: random walk %.3f, AR(1) phi=0.5 %.3f\n", seeds,
              rw_reject / double(seeds), ar_reject / double(seeds));
  EXPECT_GE(rw_reject, 2);
  EXPECT_LE(rw_reject, 20);
  EXPECT_EQ(ar_reject, seeds);
}

TEST(Adf, AutomaticLagFindsTheAr2Structure) {
  // y_t = 1.2 y_{t−1} − 0.5 y_{t−2} + e_t (stationary; Δy needs one lagged difference): BIC,
  // which is consistent for the order, picks p = 1 on 2,000 points.
  std::mt19937_64 rng(17);
  std::normal_distribution<double> z(0.0, 1.0);
  std::vector<double> y(2000, 0.0);
  for (std::size_t t = 2; t < y.size(); ++t) y[t] = 1.2 * y[t - 1] - 0.5 * y[t - 2] + z(rng);
  AdfOptions o;
  o.lag_selection = LagSelection::kBic;
  auto r = adf_test(y, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lags, 1u);
  // Default p_max = ⌊12 (2000/100)^{1/4}⌋ = ⌊25.37⌋ = 25.
  EXPECT_EQ(r->max_lags, 25u);
  EXPECT_EQ(r->num_observations, 2000u - 2u);
  EXPECT_LT(r->p_value, 0.001);
}

TEST(Adf, ErrorsNameTheSeries) {
  AdfOptions o = fixed(AdfRegression::kConstant, 3);
  o.series_name = "SPY";
  std::vector<double> y = {1, 2, 3, 2, 1, 2, 3, 4};
  auto short_r = adf_test(y, o);  // needs 2·3 + 1 + 3 = 10 values
  ASSERT_FALSE(short_r.ok());
  EXPECT_NE(short_r.error().message.find("SPY: 8 values are too few"), std::string::npos) << short_r.error().message;
  y.assign(20, 5.0);
  auto flat = adf_test(y, o);
  ASSERT_FALSE(flat.ok());
  EXPECT_NE(flat.error().message.find("constant series"), std::string::npos);
  y[7] = NAN;
  auto nan = adf_test(y, o);
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.error().message.find("SPY: value at index 7"), std::string::npos) << nan.error().message;
}

TEST(Adf, Deterministic) {
  const auto y = ar1(300, 0.9, 3);
  auto a = adf_test(y), b = adf_test(y);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->statistic, b->statistic);
  EXPECT_EQ(a->lags, b->lags);
}

}  // namespace
}  // namespace keel::analytics
