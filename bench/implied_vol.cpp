// bench/implied_vol.cpp — implied volatility: keel (Jäckel's "Let's Be Rational" method)
// against QuantLib's blackFormulaImpliedStdDev in the same run, on the same 1,024 Black-76
// out-of-the-money prices (forward 100, |ln F/K| <= 1, vol 5%..100%, expiry 1 week..2 years,
// seeded). Counters: max_rel_err = max |price(vol) / price - 1| after the round trip, computed
// with the exact normalised Black formula, so all rows are judged by one yardstick.
// Run: build/h-pricing-bench/bench/bench_implied_vol --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include <ql/pricingengines/blackformula.hpp>

#include "keel/analytics/implied_vol.hpp"

namespace {

using keel::OptionRight;
namespace ka = keel::analytics;

struct Case {
  OptionRight right;
  double forward, strike, time, price;
};

std::vector<Case> make_cases(std::size_t n) {
  std::mt19937_64 rng(42);
  auto uni = [&](double lo, double hi) { return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53); };
  std::vector<Case> cases;
  while (cases.size() < n) {
    const double x = uni(-1.0, 1.0);  // ln(F/K)
    const double vol = uni(0.05, 1.0), T = uni(7.0 / 365.0, 2.0);
    const double F = 100.0, K = F * std::exp(-x);
    const OptionRight right = K >= F ? OptionRight::kCall : OptionRight::kPut;  // out of the money
    const double xe = std::log(F / K);
    const double price = std::sqrt(F * K) * ka::normalised_black(xe, vol * std::sqrt(T), right);
    if (price < 1e-10) continue;  // QuantLib's solver gives up on prices this small
    cases.push_back(Case{right, F, K, T, price});
  }
  return cases;
}

double rel_err(const Case& c, double vol) {
  const double back =
      std::sqrt(c.forward * c.strike) * ka::normalised_black(std::log(c.forward / c.strike), vol * std::sqrt(c.time), c.right);
  return std::fabs(back / c.price - 1.0);
}

constexpr std::size_t kN = 1024;

void BM_Keel_ImpliedVol(benchmark::State& state) {
  const auto cases = make_cases(kN);
  double worst = 0.0;
  for (const Case& c : cases) {
    worst = std::max(worst, rel_err(c, ka::implied_vol_black({c.right, c.price, c.forward, c.strike, c.time, 1.0}).value()));
  }
  for (auto _ : state) {
    for (const Case& c : cases) {
      auto v = ka::implied_vol_black(ka::BlackIvInput{c.right, c.price, c.forward, c.strike, c.time, 1.0});
      benchmark::DoNotOptimize(v);
    }
  }
  state.counters["max_rel_err"] = worst;
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases.size()));
}
BENCHMARK(BM_Keel_ImpliedVol);

// The normalised core (no input validation, no Result): what a batch loop pays per element.
void BM_Keel_ImpliedTotalVol_Normalised(benchmark::State& state) {
  const auto cases = make_cases(kN);
  std::vector<double> beta, x;
  for (const Case& c : cases) {
    beta.push_back(c.price / std::sqrt(c.forward * c.strike));
    x.push_back(std::log(c.forward / c.strike));
  }
  for (auto _ : state) {
    for (std::size_t i = 0; i < cases.size(); ++i) {
      auto r = ka::implied_total_vol(beta[i], x[i], cases[i].right);
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases.size()));
}
BENCHMARK(BM_Keel_ImpliedTotalVol_Normalised);

// The normalised batch (the vectorized lane solver on beta, x columns): compare with the loop above.
void BM_Keel_ImpliedTotalVolBatch_Normalised(benchmark::State& state) {
  const auto cases = make_cases(kN);
  std::vector<double> beta, x, s(cases.size());
  std::vector<OptionRight> right;
  std::vector<ka::IvStatus> status(cases.size());
  for (const Case& c : cases) {
    beta.push_back(c.price / std::sqrt(c.forward * c.strike));
    x.push_back(std::log(c.forward / c.strike));
    right.push_back(c.right);
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(ka::implied_total_vol_batch(beta, x, right, s, status));
    benchmark::ClobberMemory();
  }
  double worst = 0.0;
  for (std::size_t i = 0; i < cases.size(); ++i) worst = std::max(worst, rel_err(cases[i], s[i] / std::sqrt(cases[i].time)));
  state.counters["max_rel_err"] = worst;
  // The share of lanes whose check after one step failed (they take a second step) and of those
  // solved by the scalar method after that (counted by a separate run, not in the timed loop).
  const auto counts = ka::detail::implied_total_vol_batch_lane_counts(ka::best_simd_level(), beta, x, right);
  state.counters["second_step_frac"] = static_cast<double>(counts.second_step) / static_cast<double>(cases.size());
  state.counters["scalar_frac"] = static_cast<double>(counts.scalar) / static_cast<double>(cases.size());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases.size()));
}
BENCHMARK(BM_Keel_ImpliedTotalVolBatch_Normalised);

// The cases as BSM columns: spot = forward, rate = dividend yield = 0.
struct BsmProblems {
  std::vector<OptionRight> right;
  std::vector<double> price, spot, strike, time, zero;
  explicit BsmProblems(const std::vector<Case>& cases) : zero(cases.size(), 0.0) {
    for (const Case& c : cases) {
      right.push_back(c.right);
      price.push_back(c.price);
      spot.push_back(c.forward);
      strike.push_back(c.strike);
      time.push_back(c.time);
    }
  }
  ka::BsmIvColumns columns() const { return ka::BsmIvColumns{right, price, spot, strike, time, zero, zero}; }
};

// The batch API (BSM columns: validation, forward and discount per element, then the solver) on
// the same problems posed as spot = forward, rate = dividend yield = 0.
void BM_Keel_ImpliedVolBsmBatch(benchmark::State& state) {
  const auto cases = make_cases(kN);
  const BsmProblems p(cases);
  const ka::BsmIvColumns cols = p.columns();
  std::vector<double> vol(cases.size());
  std::vector<ka::IvStatus> status(cases.size());
  for (auto _ : state) {
    benchmark::DoNotOptimize(ka::implied_vol_bsm_batch(cols, vol, status));
    benchmark::ClobberMemory();
  }
  double worst = 0.0;
  for (std::size_t i = 0; i < cases.size(); ++i) worst = std::max(worst, rel_err(cases[i], vol[i]));
  state.counters["max_rel_err"] = worst;
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases.size()));
}
BENCHMARK(BM_Keel_ImpliedVolBsmBatch);

// The BSM batch at each instruction-set level (0 baseline SSE2, 1 AVX2, 2 AVX-512F; a level the
// CPU lacks runs the best it has).
void BM_Keel_ImpliedVolBsmBatch_AtSimdLevel(benchmark::State& state) {
  const auto cases = make_cases(kN);
  const BsmProblems p(cases);
  const ka::BsmIvColumns cols = p.columns();
  std::vector<double> vol(cases.size());
  std::vector<ka::IvStatus> status(cases.size());
  const auto level = static_cast<ka::SimdLevel>(state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(ka::detail::implied_vol_bsm_batch_at(level, cols, vol, status));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases.size()));
}
BENCHMARK(BM_Keel_ImpliedVolBsmBatch_AtSimdLevel)->Arg(0)->Arg(1)->Arg(2);

void quantlib_iv(benchmark::State& state, double accuracy) {
  const auto cases = make_cases(kN);
  auto type = [](OptionRight r) { return r == OptionRight::kCall ? QuantLib::Option::Call : QuantLib::Option::Put; };
  double worst = 0.0;
  for (const Case& c : cases) {
    const double sd = QuantLib::blackFormulaImpliedStdDev(type(c.right), c.strike, c.forward, c.price, 1.0, 0.0,
                                                          QuantLib::Null<QuantLib::Real>(), accuracy, 100);
    worst = std::max(worst, rel_err(c, sd / std::sqrt(c.time)));
  }
  for (auto _ : state) {
    for (const Case& c : cases) {
      const double sd = QuantLib::blackFormulaImpliedStdDev(type(c.right), c.strike, c.forward, c.price, 1.0, 0.0,
                                                            QuantLib::Null<QuantLib::Real>(), accuracy, 100);
      benchmark::DoNotOptimize(sd);
    }
  }
  state.counters["max_rel_err"] = worst;
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases.size()));
}

// QuantLib's default accuracy (1e-6 on the price), and a tight one for an equal-accuracy comparison.
void BM_QuantLib_BlackFormulaImpliedStdDev_Default(benchmark::State& state) { quantlib_iv(state, 1e-6); }
BENCHMARK(BM_QuantLib_BlackFormulaImpliedStdDev_Default);
void BM_QuantLib_BlackFormulaImpliedStdDev_Accuracy1e12(benchmark::State& state) { quantlib_iv(state, 1e-12); }
BENCHMARK(BM_QuantLib_BlackFormulaImpliedStdDev_Accuracy1e12);

}  // namespace

BENCHMARK_MAIN();
