// Gaussian HMM against independent values: brute-force enumeration of every state path on a
// tiny case (likelihood, filtered and smoothed probabilities), parameter recovery from
// simulations with known parameters, Viterbi accuracy, and no look-ahead in the filter.
#include "keel/analytics/hmm.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

namespace keel::analytics {
namespace {

GaussianHmm two_state_model() {
  GaussianHmm m;
  m.states = 2;
  m.dim = 1;
  m.initial = {0.6, 0.4};
  m.transition = {0.7, 0.3, 0.2, 0.8};
  m.means = {{-1.0}, {2.0}};
  m.covariances = {{0.5}, {1.5}};
  return m;
}

double npdf(double x, double mu, double var) {
  return std::exp(-0.5 * (x - mu) * (x - mu) / var) / std::sqrt(2 * 3.14159265358979323846 * var);
}

// Joint density of states s_1..s_n and x_1..x_n under the model (direct product).
double path_density(const GaussianHmm& m, const std::vector<double>& x, const std::vector<int>& s) {
  double p = m.initial[s[0]] * npdf(x[0], m.means[s[0]][0], m.covariances[s[0]][0]);
  for (std::size_t t = 1; t < s.size(); ++t) {
    p *= m.transition_at(s[t - 1], s[t]) * npdf(x[t], m.means[s[t]][0], m.covariances[s[t]][0]);
  }
  return p;
}

TEST(Hmm, ForwardMatchesBruteForceEnumeration) {
  const GaussianHmm m = two_state_model();
  const std::vector<double> x = {0.3, -1.2, 2.5, 1.1};
  // Likelihood = Σ over all 2⁴ = 16 paths of the joint density.
  double total = 0, marg[4][2] = {};
  for (int code = 0; code < 16; ++code) {
    std::vector<int> s(4);
    for (int t = 0; t < 4; ++t) s[t] = (code >> t) & 1;
    const double p = path_density(m, x, s);
    total += p;
    for (int t = 0; t < 4; ++t) marg[t][s[t]] += p;
  }
  const auto rows = as_rows(x);
  auto ll = hmm_log_likelihood(m, rows);
  ASSERT_TRUE(ll.ok()) << ll.error().message;
  EXPECT_NEAR(*ll, std::log(total), 1e-12);
  // Smoothed: P(s_t | x_1..x_4) = Σ_{paths with s_t = k} / total.
  auto smooth = hmm_smoothed_probabilities(m, rows);
  ASSERT_TRUE(smooth.ok());
  for (int t = 0; t < 4; ++t)
    for (int k = 0; k < 2; ++k) EXPECT_NEAR((*smooth)[t][k], marg[t][k] / total, 1e-12) << t << k;
  // Filtered: P(s_t | x_1..x_t) by enumerating the paths of length t + 1 only.
  auto filt = hmm_filtered_probabilities(m, rows);
  ASSERT_TRUE(filt.ok());
  for (int t = 0; t < 4; ++t) {
    const std::vector<double> prefix(x.begin(), x.begin() + t + 1);
    double tot = 0, last[2] = {};
    for (int code = 0; code < (1 << (t + 1)); ++code) {
      std::vector<int> s(t + 1);
      for (int u = 0; u <= t; ++u) s[u] = (code >> u) & 1;
      const double p = path_density(m, prefix, s);
      tot += p;
      last[s[t]] += p;
    }
    for (int k = 0; k < 2; ++k) EXPECT_NEAR((*filt)[t][k], last[k] / tot, 1e-12) << t << k;
  }
  // Viterbi: the path with the largest joint density.
  int best = 0;
  double best_p = -1;
  for (int code = 0; code < 16; ++code) {
    std::vector<int> s(4);
    for (int t = 0; t < 4; ++t) s[t] = (code >> t) & 1;
    const double p = path_density(m, x, s);
    if (p > best_p) best_p = p, best = code;
  }
  auto vit = hmm_viterbi(m, rows);
  ASSERT_TRUE(vit.ok());
  for (int t = 0; t < 4; ++t) EXPECT_EQ((*vit)[t], static_cast<std::size_t>((best >> t) & 1)) << t;
  // Next state: f_4ᵀ A.
  auto next = hmm_predict_next(m, (*filt)[3]);
  ASSERT_TRUE(next.ok());
  EXPECT_NEAR((*next)[0], (*filt)[3][0] * 0.7 + (*filt)[3][1] * 0.2, 1e-15);
  EXPECT_NEAR((*next)[1], (*filt)[3][0] * 0.3 + (*filt)[3][1] * 0.8, 1e-15);
}

struct Simulated {
  std::vector<std::vector<double>> x;
  std::vector<std::size_t> states;
};

// Univariate or diagonal-free simulation: state k emits μ_k + L_k z (L_k lower Cholesky, d×d).
Simulated simulate(const std::vector<std::vector<double>>& A, const std::vector<std::vector<double>>& mu,
                   const std::vector<std::vector<double>>& chol, std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 1.0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const std::size_t K = A.size(), d = mu[0].size();
  Simulated s;
  std::size_t st = 0;
  for (std::size_t t = 0; t < n; ++t) {
    if (t > 0) {
      const double r = u(rng);
      double c = 0;
      std::size_t next = K - 1;
      for (std::size_t j = 0; j < K; ++j) {
        c += A[st][j];
        if (r < c) {
          next = j;
          break;
        }
      }
      st = next;
    }
    std::vector<double> e(d);
    for (auto& v : e) v = z(rng);
    std::vector<double> x(d);
    for (std::size_t a = 0; a < d; ++a) {
      x[a] = mu[st][a];
      for (std::size_t b = 0; b <= a; ++b) x[a] += chol[st][a * d + b] * e[b];
    }
    s.x.push_back(x);
    s.states.push_back(st);
  }
  return s;
}

TEST(Hmm, RecoversTwoStateParametersAndViterbiPath) {
  const std::vector<std::vector<double>> A = {{0.95, 0.05}, {0.10, 0.90}};
  const std::vector<std::vector<double>> mu = {{-1.0}, {2.0}};
  const std::vector<std::vector<double>> chol = {{0.8}, {1.2}};  // s.d.
  const Simulated s = simulate(A, mu, chol, 3000, 11);
  HmmOptions o;
  o.states = 2;
  o.restarts = 5;
  auto fit = fit_hmm(std::span<const std::vector<double>>(s.x), o);
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  const auto& m = fit->model;
  // With 3,000 points (≈ 2,000 in state 0, 1,000 in state 1), the means' s.e. are ≈ 0.02–0.04
  // and the variances' ≈ 0.02–0.07; transition probabilities' ≈ 0.005–0.01. Tolerances ≈ 4 s.e.
  EXPECT_NEAR(m.means[0][0], -1.0, 0.1);
  EXPECT_NEAR(m.means[1][0], 2.0, 0.15);
  EXPECT_NEAR(std::sqrt(m.covariances[0][0]), 0.8, 0.06);
  EXPECT_NEAR(std::sqrt(m.covariances[1][0]), 1.2, 0.08);
  EXPECT_NEAR(m.transition_at(0, 1), 0.05, 0.02);
  EXPECT_NEAR(m.transition_at(1, 0), 0.10, 0.03);
  EXPECT_TRUE(fit->converged);
  EXPECT_EQ(fit->num_parameters, 7u);
  EXPECT_NEAR(fit->aic, 2 * 7 - 2 * fit->log_likelihood, 1e-9);
  EXPECT_NEAR(fit->bic, 7 * std::log(3000.0) - 2 * fit->log_likelihood, 1e-9);
  auto path = hmm_viterbi(m, s.x);
  ASSERT_TRUE(path.ok());
  std::size_t hits = 0;
  for (std::size_t t = 0; t < s.states.size(); ++t) hits += (*path)[t] == s.states[t];
  const double acc = static_cast<double>(hits) / static_cast<double>(s.states.size());
  std::printf("2-state Viterbi accuracy %.4f\n", acc);
  EXPECT_GT(acc, 0.9);
}

TEST(Hmm, RecoversThreeStateParameters) {
  const std::vector<std::vector<double>> A = {{0.90, 0.05, 0.05}, {0.05, 0.90, 0.05}, {0.04, 0.06, 0.90}};
  const std::vector<std::vector<double>> mu = {{-2.0}, {0.0}, {2.5}};
  const std::vector<std::vector<double>> chol = {{0.5}, {0.7}, {0.6}};
  const Simulated s = simulate(A, mu, chol, 4000, 5);
  HmmOptions o;
  o.states = 3;
  o.restarts = 5;
  o.seed = 99;
  auto fit = fit_hmm(std::span<const std::vector<double>>(s.x), o);
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  const auto& m = fit->model;
  // ≈ 1,300 points per state: means' s.e. ≈ 0.02, s.d.s' ≈ 0.015, transitions' ≈ 0.008.
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(m.means[k][0], mu[k][0], 0.1) << k;
    EXPECT_NEAR(std::sqrt(m.covariances[k][0]), chol[k][0], 0.06) << k;
    for (std::size_t j = 0; j < 3; ++j) EXPECT_NEAR(m.transition_at(k, j), A[k][j], 0.035) << k << j;
  }
  auto path = hmm_viterbi(m, s.x);
  ASSERT_TRUE(path.ok());
  std::size_t hits = 0;
  for (std::size_t t = 0; t < s.states.size(); ++t) hits += (*path)[t] == s.states[t];
  const double acc = static_cast<double>(hits) / static_cast<double>(s.states.size());
  std::printf("3-state Viterbi accuracy %.4f\n", acc);
  EXPECT_GT(acc, 0.9);
}

TEST(Hmm, RecoversFullCovarianceBivariateModel) {
  // State 0: s.d. (1, 0.5), correlation 0.6 → L = [[1, 0], [0.3, 0.4]]; state 1: uncorrelated.
  const std::vector<std::vector<double>> A = {{0.97, 0.03}, {0.04, 0.96}};
  const std::vector<std::vector<double>> mu = {{-1.0, 0.5}, {1.5, -0.5}};
  const std::vector<std::vector<double>> chol = {{1.0, 0.0, 0.3, 0.4}, {0.7, 0.0, 0.0, 0.9}};
  const Simulated s = simulate(A, mu, chol, 3000, 3);
  HmmOptions o;
  o.covariance = HmmCovariance::kFull;
  o.restarts = 4;
  auto fit = fit_hmm(std::span<const std::vector<double>>(s.x), o);
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  const auto& m = fit->model;
  EXPECT_EQ(fit->num_parameters, 1u + 2u + 4u + 6u);
  EXPECT_NEAR(m.means[0][0], -1.0, 0.1);
  EXPECT_NEAR(m.means[0][1], 0.5, 0.1);
  EXPECT_NEAR(m.means[1][0], 1.5, 0.1);
  const double c = m.covariances[0][1] / std::sqrt(m.covariances[0][0] * m.covariances[0][3]);
  EXPECT_NEAR(c, 0.6, 0.06);  // s.e. of a correlation at n ≈ 1,700 is ≈ (1 − 0.36)/√n ≈ 0.016
  EXPECT_NEAR(m.covariances[1][1], 0.0, 0.06);
  EXPECT_NEAR(m.covariances[1][3], 0.81, 0.08);
  // The diagonal model on the same data has fewer parameters and a lower likelihood.
  o.covariance = HmmCovariance::kDiagonal;
  auto diag = fit_hmm(std::span<const std::vector<double>>(s.x), o);
  ASSERT_TRUE(diag.ok());
  EXPECT_EQ(diag->num_parameters, 1u + 2u + 4u + 4u);
  EXPECT_LT(diag->log_likelihood, fit->log_likelihood);
  EXPECT_EQ(diag->model.covariances[0][1], 0.0);
}

TEST(Hmm, FilteredProbabilitiesHaveNoLookAhead) {
  const std::vector<std::vector<double>> A = {{0.95, 0.05}, {0.10, 0.90}};
  Simulated s = simulate(A, {{-1.0}, {2.0}}, {{0.8}, {1.2}}, 500, 21);
  const GaussianHmm m = two_state_model();
  auto before = hmm_filtered_probabilities(m, s.x);
  const std::size_t T = 300;
  for (std::size_t t = T + 1; t < s.x.size(); ++t) s.x[t][0] = 10.0 - s.x[t][0];  // perturb after T
  auto after = hmm_filtered_probabilities(m, s.x);
  auto smooth_before = hmm_smoothed_probabilities(m, std::vector<std::vector<double>>(s.x.begin(), s.x.begin() + T + 1));
  ASSERT_TRUE(before.ok() && after.ok() && smooth_before.ok());
  for (std::size_t t = 0; t <= T; ++t) EXPECT_EQ((*before)[t], (*after)[t]) << t;
  EXPECT_NE((*before)[T + 1], (*after)[T + 1]);
  // At the last observation filtered and smoothed agree (both condition on x_1..x_T).
  EXPECT_NEAR((*smooth_before)[T][0], (*before)[T][0], 1e-12);
}

TEST(Hmm, DeterministicAndCanonicallyOrdered) {
  const std::vector<std::vector<double>> A = {{0.9, 0.1}, {0.1, 0.9}};
  const Simulated s = simulate(A, {{3.0}, {-3.0}}, {{1.0}, {1.0}}, 600, 8);
  HmmOptions o;
  o.seed = 123;
  auto a = fit_hmm(std::span<const std::vector<double>>(s.x), o);
  auto b = fit_hmm(std::span<const std::vector<double>>(s.x), o);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->log_likelihood, b->log_likelihood);
  EXPECT_EQ(a->model.means, b->model.means);
  EXPECT_EQ(a->model.transition, b->model.transition);
  EXPECT_LT(a->model.means[0][0], a->model.means[1][0]);  // ordered by mean
}

TEST(Hmm, Errors) {
  std::vector<double> x(200);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<double>(i));
  HmmOptions o;
  o.states = 6;
  EXPECT_NE(fit_hmm(x, o).error().message.find("states 6 outside 2..5"), std::string::npos);
  o.states = 1;
  EXPECT_FALSE(fit_hmm(x, o).ok());
  o.states = 2;
  std::vector<double> few(20, 1.0);
  few[3] = 2;
  EXPECT_NE(fit_hmm(few, o).error().message.find("20 observations"), std::string::npos);
  x[17] = NAN;
  EXPECT_NE(fit_hmm(x, o).error().message.find("row 17 column 0"), std::string::npos);
  std::vector<double> flat(200, 1.5);
  EXPECT_NE(fit_hmm(flat, o).error().message.find("constant"), std::string::npos);
  GaussianHmm bad = two_state_model();
  bad.transition = {0.7, 0.4, 0.2, 0.8};
  EXPECT_NE(bad.validate().error().message.find("transition row 0"), std::string::npos);
  std::vector<std::vector<double>> ragged = {{1.0}, {1.0, 2.0}};
  EXPECT_NE(hmm_log_likelihood(two_state_model(), ragged).error().message.find("row 1"), std::string::npos);
}

TEST(Hmm, VarianceFloorOnADegenerateState) {
  // Half the data sits exactly on one value: that state's variance collapses and is floored.
  std::mt19937_64 rng(4);
  std::normal_distribution<double> z(0.0, 1.0);
  std::vector<double> x;
  for (int b = 0; b < 10; ++b) {
    for (int i = 0; i < 50; ++i) x.push_back(0.0);
    for (int i = 0; i < 50; ++i) x.push_back(3.0 + z(rng));
  }
  HmmOptions o;
  auto fit = fit_hmm(x, o);
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  EXPECT_TRUE(fit->variance_floored);
  double mean = 0, var = 0;
  for (double v : x) mean += v / x.size();
  for (double v : x) var += (v - mean) * (v - mean) / x.size();
  EXPECT_NEAR(fit->model.covariances[0][0], 1e-6 * var, 1e-12);
  EXPECT_TRUE(std::isfinite(fit->log_likelihood));
}

}  // namespace
}  // namespace keel::analytics
