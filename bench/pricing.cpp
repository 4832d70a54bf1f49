// bench/pricing.cpp — European pricing and Greeks: keel's batch and scalar APIs against
// QuantLib (Debian) in the same run: blackFormula (price only) and BlackCalculator (price and
// Greeks). Inputs: 1,024 options with random strikes (|ln S/K| <= 0.5), expiries 1 day..2 years,
// vols 5%..100%, half calls, half puts, seeded (std::mt19937_64), all in L2 cache.
// Run: cmake --preset bench && cmake --build --preset bench --target bench_pricing &&
//      build/bench/bench/bench_pricing --benchmark_min_time=0.5 --benchmark_repetitions=3
// (the AtSimdLevel runs show each dispatch level; level 0, the SSE2 baseline, computes the
// kernels' fused multiply-adds with the C library's fma, several times slower than the others)
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include <ql/pricingengines/blackcalculator.hpp>
#include <ql/pricingengines/blackformula.hpp>

#include "keel/analytics/black_scholes.hpp"

namespace {

using keel::OptionRight;
namespace ka = keel::analytics;

struct Inputs {
  std::vector<OptionRight> right;
  std::vector<double> spot, strike, time, vol, rate, div;
  explicit Inputs(std::size_t n) {
    std::mt19937_64 rng(42);
    auto uni = [&](double lo, double hi) {
      return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53);
    };
    for (std::size_t i = 0; i < n; ++i) {
      right.push_back(i % 2 ? OptionRight::kCall : OptionRight::kPut);
      spot.push_back(100.0);
      strike.push_back(100.0 * std::exp(uni(-0.5, 0.5)));
      time.push_back(uni(1.0 / 365.0, 2.0));
      vol.push_back(uni(0.05, 1.0));
      rate.push_back(uni(0.0, 0.06));
      div.push_back(uni(0.0, 0.03));
    }
  }
};

constexpr std::size_t kN = 1024;

struct Outputs {
  std::vector<double> price, delta, gamma, vega, theta, rho, vanna, volga, charm, itm, touch;
  std::vector<ka::PricingStatus> status;
  explicit Outputs(std::size_t n)
      : price(n), delta(n), gamma(n), vega(n), theta(n), rho(n), vanna(n), volga(n), charm(n), itm(n), touch(n),
        status(n) {}
};

void BM_Keel_BsmBatch_PriceAndGreeks(benchmark::State& state) {
  const Inputs in(kN);
  Outputs out(kN);
  for (auto _ : state) {
    ka::bsm_batch(ka::BsmColumns{in.right, in.spot, in.strike, in.time, in.vol, in.rate, in.div},
                  ka::GreeksColumns{out.price, out.delta, out.gamma, out.vega, out.theta, out.rho, out.vanna,
                                    out.volga, out.charm, out.itm, {}, out.status});
    benchmark::DoNotOptimize(out.price.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_Keel_BsmBatch_PriceAndGreeks);

void BM_Keel_BsmBatch_WithTouchProbability(benchmark::State& state) {
  const Inputs in(kN);
  Outputs out(kN);
  for (auto _ : state) {
    ka::bsm_batch(ka::BsmColumns{in.right, in.spot, in.strike, in.time, in.vol, in.rate, in.div},
                  ka::GreeksColumns{out.price, out.delta, out.gamma, out.vega, out.theta, out.rho, out.vanna,
                                    out.volga, out.charm, out.itm, out.touch, out.status});
    benchmark::DoNotOptimize(out.price.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_Keel_BsmBatch_WithTouchProbability);

// Price and first-order Greeks only: the same outputs as BlackCalculator below.
void BM_Keel_BsmFirstOrderBatch_PriceAndGreeks(benchmark::State& state) {
  const Inputs in(kN);
  Outputs out(kN);
  for (auto _ : state) {
    ka::bsm_first_order_batch(ka::BsmColumns{in.right, in.spot, in.strike, in.time, in.vol, in.rate, in.div},
                              ka::FirstOrderColumns{out.price, out.delta, out.gamma, out.vega, out.theta, out.rho,
                                                    out.status});
    benchmark::DoNotOptimize(out.price.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_Keel_BsmFirstOrderBatch_PriceAndGreeks);

// The same at each instruction-set level the machine has (0 baseline SSE2, 1 AVX2, 2 AVX-512F),
// to show what the run-time dispatch buys; levels above the CPU's run the best one it has.
void BM_Keel_BsmFirstOrderBatch_AtSimdLevel(benchmark::State& state) {
  const Inputs in(kN);
  Outputs out(kN);
  const auto level = static_cast<ka::SimdLevel>(state.range(0));
  for (auto _ : state) {
    ka::detail::bsm_first_order_batch_at(
        level, ka::BsmColumns{in.right, in.spot, in.strike, in.time, in.vol, in.rate, in.div},
        ka::FirstOrderColumns{out.price, out.delta, out.gamma, out.vega, out.theta, out.rho, out.status});
    benchmark::DoNotOptimize(out.price.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_Keel_BsmFirstOrderBatch_AtSimdLevel)->Arg(0)->Arg(1)->Arg(2);

void BM_Keel_BsmBatch_AtSimdLevel(benchmark::State& state) {
  const Inputs in(kN);
  Outputs out(kN);
  const auto level = static_cast<ka::SimdLevel>(state.range(0));
  for (auto _ : state) {
    ka::detail::bsm_batch_at(level, ka::BsmColumns{in.right, in.spot, in.strike, in.time, in.vol, in.rate, in.div},
                             ka::GreeksColumns{out.price, out.delta, out.gamma, out.vega, out.theta, out.rho,
                                               out.vanna, out.volga, out.charm, out.itm, {}, out.status});
    benchmark::DoNotOptimize(out.price.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_Keel_BsmBatch_AtSimdLevel)->Arg(0)->Arg(1)->Arg(2);

void BM_Keel_BsmBatch_PriceOnly(benchmark::State& state) {
  const Inputs in(kN);
  Outputs out(kN);
  for (auto _ : state) {
    ka::bsm_price_batch(ka::BsmColumns{in.right, in.spot, in.strike, in.time, in.vol, in.rate, in.div}, out.price,
                        out.status);
    benchmark::DoNotOptimize(out.price.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_Keel_BsmBatch_PriceOnly);

void BM_Keel_BsmScalar_Greeks(benchmark::State& state) {
  const Inputs in(kN);
  for (auto _ : state) {
    for (std::size_t i = 0; i < kN; ++i) {
      auto g = ka::bsm_greeks(
          ka::BsmInput{in.right[i], in.spot[i], in.strike[i], in.time[i], in.vol[i], in.rate[i], in.div[i]});
      benchmark::DoNotOptimize(g);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_Keel_BsmScalar_Greeks);

void BM_QuantLib_BlackFormula_PriceOnly(benchmark::State& state) {
  const Inputs in(kN);
  for (auto _ : state) {
    for (std::size_t i = 0; i < kN; ++i) {
      const double T = in.time[i];
      const double fwd = in.spot[i] * std::exp((in.rate[i] - in.div[i]) * T);
      const double p = QuantLib::blackFormula(in.right[i] == OptionRight::kCall ? QuantLib::Option::Call
                                                                                 : QuantLib::Option::Put,
                                              in.strike[i], fwd, in.vol[i] * std::sqrt(T), std::exp(-in.rate[i] * T));
      benchmark::DoNotOptimize(p);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_QuantLib_BlackFormula_PriceOnly);

// QuantLib's BlackCalculator: price, delta, gamma, vega, theta, rho (first-order Greeks plus
// gamma) — the like-for-like anchor for the batch above (which also gives vanna, volga, charm).
void BM_QuantLib_BlackCalculator_PriceAndGreeks(benchmark::State& state) {
  const Inputs in(kN);
  for (auto _ : state) {
    for (std::size_t i = 0; i < kN; ++i) {
      const double T = in.time[i];
      const double growth = std::exp((in.rate[i] - in.div[i]) * T);
      const double df = std::exp(-in.rate[i] * T);
      QuantLib::BlackCalculator c(in.right[i] == OptionRight::kCall ? QuantLib::Option::Call : QuantLib::Option::Put,
                                  in.strike[i], in.spot[i] * growth, in.vol[i] * std::sqrt(T), df);
      const double s = in.spot[i];
      benchmark::DoNotOptimize(c.value());
      benchmark::DoNotOptimize(c.delta(s));
      benchmark::DoNotOptimize(c.gamma(s));
      benchmark::DoNotOptimize(c.vega(T));
      benchmark::DoNotOptimize(c.theta(s, T));
      benchmark::DoNotOptimize(c.rho(T));
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_QuantLib_BlackCalculator_PriceAndGreeks);

}  // namespace

BENCHMARK_MAIN();
