// bench/garch.cpp — GARCH(1,1) and GJR-GARCH(1,1) maximum-likelihood fit time (optimizer,
// Newton polish and all three sets of standard errors) on 2,000 simulated returns
// (ω = 2e-6, α = 0.08, β = 0.90, Gaussian, seeded), and on the 1,859 DAX returns in
// tests/data/eustockmarkets.csv when run from the repository root. No QuantLib anchor: QuantLib
// has no GARCH estimator with this interface. Counter: evals = likelihood evaluations per fit.
// Run: build/<dir>/bench/bench_garch --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "keel/analytics/garch.hpp"

namespace {

namespace ka = keel::analytics;

std::vector<double> simulate(std::size_t n) {
  std::mt19937_64 rng(12345);
  auto uniform = [&] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
  const double omega = 2e-6, alpha = 0.08, beta = 0.90;
  double s2 = omega / (1.0 - alpha - beta);
  std::vector<double> out;
  for (std::size_t t = 0; t < n + 500; ++t) {
    // Box–Muller, one normal per pair of uniforms (simple; speed is irrelevant here).
    const double z = std::sqrt(-2.0 * std::log(uniform())) * std::cos(6.283185307179586 * uniform());
    const double e = std::sqrt(s2) * z;
    if (t >= 500) out.push_back(e);
    s2 = omega + alpha * e * e + beta * s2;
  }
  return out;
}

void run(benchmark::State& state, const std::vector<double>& r, ka::GarchOptions o) {
  int evals = 0;
  for (auto _ : state) {
    auto fit = ka::fit_garch(r, o);
    if (!fit.ok()) {
      state.SkipWithError(fit.error().message.c_str());
      return;
    }
    evals = fit->function_evaluations;
    benchmark::DoNotOptimize(fit->log_likelihood);
  }
  state.counters["evals"] = evals;
}

void BM_Garch2000(benchmark::State& state) {
  static const std::vector<double> r = simulate(2000);
  run(state, r, {});
}
BENCHMARK(BM_Garch2000)->Unit(benchmark::kMillisecond);

void BM_Gjr2000(benchmark::State& state) {
  static const std::vector<double> r = simulate(2000);
  ka::GarchOptions o;
  o.model = ka::GarchModel::kGjr;
  run(state, r, o);
}
BENCHMARK(BM_Gjr2000)->Unit(benchmark::kMillisecond);

void BM_GarchStudentT2000(benchmark::State& state) {
  static const std::vector<double> r = simulate(2000);
  ka::GarchOptions o;
  o.innovations = ka::Innovations::kStudentT;
  run(state, r, o);
}
BENCHMARK(BM_GarchStudentT2000)->Unit(benchmark::kMillisecond);

void BM_GarchDax(benchmark::State& state) {
  std::ifstream in("tests/data/eustockmarkets.csv");
  if (!in) {
    state.SkipWithError("run from the repository root: tests/data/eustockmarkets.csv not found");
    return;
  }
  std::string line;
  std::getline(in, line);
  std::vector<double> close;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string day, dax;
    std::getline(ss, day, ',');
    std::getline(ss, dax, ',');
    close.push_back(std::stod(dax));
  }
  std::vector<double> r;
  for (std::size_t i = 1; i < close.size(); ++i) r.push_back(std::log(close[i] / close[i - 1]));
  run(state, r, {});
}
BENCHMARK(BM_GarchDax)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
