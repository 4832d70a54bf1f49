// bench/svi.cpp — one SVI slice fit of 50 quotes: keel's quasi-explicit calibration
// (keel/analytics/vol_surface.hpp) against QuantLib's SviInterpolation (Levenberg–Marquardt on
// all five parameters, ql/experimental/volatility/sviinterpolation.hpp) in the same run, on the
// same quotes: t = 0.5, forward 100, 50 strikes at k = ln(K/F) in [-1, 0.6], vols from the raw
// SVI slice (a, b, m, ρ, σ) = (0.02, 0.4, 0.1, -0.5, 0.2), exact ("Exact") or with seeded
// N(0, 0.002²) noise on each vol ("Noisy"). Equal weights in both libraries.
// Counters: rmse_vol = RMS of fitted minus quoted vol (what the fit achieved); the goal is
// <= 1 ms per fit (issue 3, SPEC Q4).
// Run: build/h-surface-bench/bench/bench_svi --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include <ql/experimental/volatility/sviinterpolation.hpp>

#include "keel/analytics/svi.hpp"
#include "keel/analytics/vol_surface.hpp"

namespace {

namespace ka = keel::analytics;

constexpr double kT = 0.5, kF = 100.0;
const ka::SviRaw kTrue{0.02, 0.4, 0.1, -0.5, 0.2};

std::vector<ka::SliceQuote> make_quotes(bool noisy) {
  std::mt19937_64 rng(11);
  auto uni = [&] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
  std::vector<ka::SliceQuote> q;
  for (int i = 0; i < 50; ++i) {
    const double k = -1.0 + 1.6 * i / 49.0;
    double vol = ka::svi_implied_vol(kTrue, k, kT);
    if (noisy) {
      const double z = std::sqrt(-2.0 * std::log(uni())) * std::cos(6.283185307179586 * uni());
      vol += 0.002 * z;
    }
    q.push_back(ka::SliceQuote{k, vol});
  }
  return q;
}

void keel_fit(benchmark::State& state, bool noisy) {
  const auto q = make_quotes(noisy);
  const ka::SviFitOptions opt{ka::SliceWeighting::kEqual};
  double rmse = 0.0;
  int iters = 0;
  for (auto _ : state) {
    auto fit = ka::fit_svi_slice(q, kT, opt);
    benchmark::DoNotOptimize(fit);
    rmse = fit->rmse_vol;
    iters = fit->iterations;
  }
  state.counters["rmse_vol"] = rmse;
  state.counters["nm_iters"] = iters;
}

void quantlib_fit(benchmark::State& state, bool noisy) {
  const auto q = make_quotes(noisy);
  std::vector<double> strikes, vols;
  for (const auto& x : q) {
    strikes.push_back(kF * std::exp(x.k));
    vols.push_back(x.vol);
  }
  double rmse = 0.0;
  for (auto _ : state) {
    // A neutral start (a, b, σ, ρ, m) = (0.01, 0.1, 0.1, 0, 0); QuantLib restarts from Halton
    // points while the RMS error exceeds errorAccept (default 0.002).
    QuantLib::SviInterpolation svi(strikes.begin(), strikes.end(), vols.begin(), kT, kF, 0.01, 0.1, 0.1, 0.0, 0.0,
                                   false, false, false, false, false, false);
    svi.update();
    benchmark::DoNotOptimize(svi.a());
    double ss = 0.0;
    for (std::size_t i = 0; i < strikes.size(); ++i) {
      const double e = svi(strikes[i]) - vols[i];
      ss += e * e;
    }
    rmse = std::sqrt(ss / static_cast<double>(strikes.size()));
  }
  state.counters["rmse_vol"] = rmse;
}

void BM_Keel_SviFit_Exact(benchmark::State& s) { keel_fit(s, false); }
void BM_Keel_SviFit_Noisy(benchmark::State& s) { keel_fit(s, true); }
void BM_QuantLib_SviInterpolation_Exact(benchmark::State& s) { quantlib_fit(s, false); }
void BM_QuantLib_SviInterpolation_Noisy(benchmark::State& s) { quantlib_fit(s, true); }

BENCHMARK(BM_Keel_SviFit_Exact)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QuantLib_SviInterpolation_Exact)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Keel_SviFit_Noisy)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QuantLib_SviInterpolation_Noisy)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
