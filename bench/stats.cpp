// bench/stats.cpp — time of the Q6 statistics: OLS (QR, classical + HC0/HC1 SEs) on 1,000 rows
// × 5 regressors, the ADF test on 2,000 points (constant, lags by AIC over 0..25), and a
// 3-state Gaussian HMM fit (Baum–Welch, 5 restarts) on 2,000 simulated returns. No anchor
// library runs here (no statsmodels/R on the build machines); figures are absolute.
// Run: build/bench/bench/bench_stats --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "keel/analytics/adf.hpp"
#include "keel/analytics/hmm.hpp"
#include "keel/analytics/regression.hpp"

namespace {

namespace ka = keel::analytics;

void BM_Ols1000x5(benchmark::State& state) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> z(0.0, 1.0);
  std::vector<std::vector<double>> x(5, std::vector<double>(1000));
  std::vector<double> y(1000);
  for (std::size_t i = 0; i < 1000; ++i) {
    double s = 1.0;
    for (std::size_t j = 0; j < 5; ++j) s += (x[j][i] = z(rng)) * static_cast<double>(j + 1);
    y[i] = s + z(rng);
  }
  for (auto _ : state) {
    auto fit = ka::fit_ols(y, x);
    benchmark::DoNotOptimize(fit);
  }
}
BENCHMARK(BM_Ols1000x5)->Unit(benchmark::kMicrosecond);

void BM_Adf2000(benchmark::State& state) {
  std::mt19937_64 rng(2);
  std::normal_distribution<double> z(0.0, 1.0);
  std::vector<double> y(2000);
  double v = 0;
  for (auto& e : y) e = (v = 0.98 * v + z(rng));
  for (auto _ : state) {
    auto r = ka::adf_test(y);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Adf2000)->Unit(benchmark::kMillisecond);

void BM_Hmm3x2000(benchmark::State& state) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> z(0.0, 1.0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double mu[3] = {-0.01, 0.0, 0.01}, sd[3] = {0.02, 0.008, 0.012};
  std::vector<double> r(2000);
  int s = 1;
  for (auto& e : r) {
    if (u(rng) < 0.05) s = static_cast<int>(u(rng) * 3.0) % 3;
    e = mu[s] + sd[s] * z(rng);
  }
  ka::HmmOptions o;
  o.states = 3;
  o.restarts = 5;
  for (auto _ : state) {
    auto fit = ka::fit_hmm(r, o);
    benchmark::DoNotOptimize(fit);
  }
}
BENCHMARK(BM_Hmm3x2000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
