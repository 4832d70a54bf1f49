// bench/american.cpp — American options: keel's Barone-Adesi–Whaley, Bjerksund–Stensland
// (2002), Leisen–Reimer lattice and American implied vol, against QuantLib (Debian 1.29) in the
// same run: BaroneAdesiWhaleyApproximationEngine, BjerksundStenslandApproximationEngine (the
// 1993 method in this QuantLib version) and VanillaOption::impliedVolatility with the BAW engine.
// 256 puts and calls on S = 100 with strikes 80..120, expiries 1 month..1 year, vols 15%..60%,
// r = 5%, q = 2%, seeded. QuantLib figures include its engine/instrument machinery, which is
// how a QuantLib user pays for a price.
// The batch APIs (baw_price_batch, bjerksund_stensland_price_batch) price the same 256 options
// from SoA columns in one call, vectorized across options.
// Run: build/bench/bench/bench_american --benchmark_min_time=0.5 --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include <ql/exercise.hpp>
#include <ql/instruments/vanillaoption.hpp>
#include <ql/pricingengines/vanilla/baroneadesiwhaleyengine.hpp>
#include <ql/pricingengines/vanilla/bjerksundstenslandengine.hpp>
#include <ql/processes/blackscholesprocess.hpp>
#include <ql/quotes/simplequote.hpp>
#include <ql/settings.hpp>
#include <ql/termstructures/volatility/equityfx/blackconstantvol.hpp>
#include <ql/termstructures/yield/flatforward.hpp>
#include <ql/time/calendars/nullcalendar.hpp>
#include <ql/time/daycounters/actual365fixed.hpp>

#include "keel/analytics/american.hpp"

namespace {

using keel::OptionRight;
namespace ka = keel::analytics;
namespace ql = QuantLib;

constexpr double kRate = 0.05, kDiv = 0.02;

struct Case {
  OptionRight right;
  double strike;
  int days;
  double vol;
};

std::vector<Case> make_cases(std::size_t n) {
  std::mt19937_64 rng(42);
  auto uni = [&](double lo, double hi) { return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53); };
  std::vector<Case> c;
  for (std::size_t i = 0; i < n; ++i) {
    c.push_back(Case{i % 2 ? OptionRight::kCall : OptionRight::kPut, uni(80, 120),
                     static_cast<int>(uni(30, 365)), uni(0.15, 0.6)});
  }
  return c;
}

ka::AmericanInput keel_input(const Case& c) {
  return ka::AmericanInput{c.right, 100.0, c.strike, c.days / 365.0, c.vol, kRate, kDiv};
}

constexpr std::size_t kN = 256;

template <class F>
void keel_loop(benchmark::State& state, F price) {
  const auto cases = make_cases(kN);
  for (auto _ : state) {
    for (const Case& c : cases) benchmark::DoNotOptimize(price(keel_input(c)));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases.size()));
}

void BM_Keel_BaroneAdesiWhaley(benchmark::State& state) {
  keel_loop(state, [](const ka::AmericanInput& in) { return ka::baw_price(in); });
}
BENCHMARK(BM_Keel_BaroneAdesiWhaley);

void BM_Keel_BjerksundStensland2002(benchmark::State& state) {
  keel_loop(state, [](const ka::AmericanInput& in) { return ka::bjerksund_stensland_price(in); });
}
BENCHMARK(BM_Keel_BjerksundStensland2002);

// The batch APIs on the same 256 options as SoA columns (one call prices all of them).
template <class Batch>
void keel_batch(benchmark::State& state, Batch batch) {
  const auto cases = make_cases(kN);
  std::vector<OptionRight> right;
  std::vector<double> spot, strike, time, vol, rate, q, price(cases.size());
  std::vector<ka::PricingStatus> status(cases.size());
  for (const Case& c : cases) {
    const ka::AmericanInput in = keel_input(c);
    right.push_back(in.right), spot.push_back(in.spot), strike.push_back(in.strike), time.push_back(in.time);
    vol.push_back(in.vol), rate.push_back(in.rate), q.push_back(in.dividend_yield);
  }
  const ka::BsmColumns cols{right, spot, strike, time, vol, rate, q};
  for (auto _ : state) {
    benchmark::DoNotOptimize(batch(cols, price, status));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases.size()));
}

void BM_Keel_BaroneAdesiWhaley_Batch(benchmark::State& state) { keel_batch(state, ka::baw_price_batch); }
BENCHMARK(BM_Keel_BaroneAdesiWhaley_Batch);

void BM_Keel_BjerksundStensland2002_Batch(benchmark::State& state) {
  keel_batch(state, ka::bjerksund_stensland_price_batch);
}
BENCHMARK(BM_Keel_BjerksundStensland2002_Batch);

void BM_Keel_LeisenReimer201(benchmark::State& state) {
  keel_loop(state, [](const ka::AmericanInput& in) { return ka::lattice_price(in); });
}
BENCHMARK(BM_Keel_LeisenReimer201);

// QuantLib market objects for one case at a time (quotes are updated in place, as a user would).
struct QlWorld {
  ql::Date today{15, ql::May, 2024};
  ql::DayCounter dc = ql::Actual365Fixed();
  QuantLib::ext::shared_ptr<ql::SimpleQuote> spot = QuantLib::ext::make_shared<ql::SimpleQuote>(100.0);
  QuantLib::ext::shared_ptr<ql::SimpleQuote> vol = QuantLib::ext::make_shared<ql::SimpleQuote>(0.2);
  QuantLib::ext::shared_ptr<ql::BlackScholesMertonProcess> process;
  QlWorld() {
    ql::Settings::instance().evaluationDate() = today;
    ql::Handle<ql::YieldTermStructure> r(QuantLib::ext::make_shared<ql::FlatForward>(today, kRate, dc));
    ql::Handle<ql::YieldTermStructure> q(QuantLib::ext::make_shared<ql::FlatForward>(today, kDiv, dc));
    ql::Handle<ql::BlackVolTermStructure> v(
        QuantLib::ext::make_shared<ql::BlackConstantVol>(today, ql::NullCalendar(), ql::Handle<ql::Quote>(vol), dc));
    process = QuantLib::ext::make_shared<ql::BlackScholesMertonProcess>(ql::Handle<ql::Quote>(spot), q, r, v);
  }
  QuantLib::ext::shared_ptr<ql::VanillaOption> option(const Case& c) const {
    auto payoff = QuantLib::ext::make_shared<ql::PlainVanillaPayoff>(
        c.right == OptionRight::kCall ? ql::Option::Call : ql::Option::Put, c.strike);
    auto ex = QuantLib::ext::make_shared<ql::AmericanExercise>(today, today + c.days);
    return QuantLib::ext::make_shared<ql::VanillaOption>(payoff, ex);
  }
};

template <class Engine>
void quantlib_price(benchmark::State& state) {
  QlWorld w;
  const auto cases = make_cases(kN);
  std::vector<QuantLib::ext::shared_ptr<ql::VanillaOption>> options;
  auto engine = QuantLib::ext::make_shared<Engine>(w.process);
  for (const Case& c : cases) {
    options.push_back(w.option(c));
    options.back()->setPricingEngine(engine);
  }
  for (auto _ : state) {
    for (std::size_t i = 0; i < cases.size(); ++i) {
      w.vol->setValue(cases[i].vol);  // invalidates the cached NPV, as a market update would
      benchmark::DoNotOptimize(options[i]->NPV());
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases.size()));
}

void BM_QuantLib_BaroneAdesiWhaleyEngine(benchmark::State& state) {
  quantlib_price<ql::BaroneAdesiWhaleyApproximationEngine>(state);
}
BENCHMARK(BM_QuantLib_BaroneAdesiWhaleyEngine);

void BM_QuantLib_BjerksundStenslandEngine1993(benchmark::State& state) {
  quantlib_price<ql::BjerksundStenslandApproximationEngine>(state);
}
BENCHMARK(BM_QuantLib_BjerksundStenslandEngine1993);

// American implied vol on the BAW pricer: the targets are BAW prices at each case's vol.
void BM_Keel_AmericanImpliedVol_BAW(benchmark::State& state) {
  const auto cases = make_cases(kN);
  std::vector<double> target;
  for (const Case& c : cases) target.push_back(ka::baw_price(keel_input(c)).value());
  // Deep in-the-money puts priced at their exercise value have no implied vol (every low vol
  // fits); keel reports those as errors, counted here, and the error is taken over the rest.
  double worst = 0.0;
  int undetermined = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto v = ka::american_implied_vol(keel_input(cases[i]), target[i]);
    if (v.ok()) {
      worst = std::max(worst, std::fabs(*v - cases[i].vol));
    } else {
      ++undetermined;
    }
  }
  state.counters["undetermined"] = undetermined;
  for (auto _ : state) {
    for (std::size_t i = 0; i < cases.size(); ++i) {
      benchmark::DoNotOptimize(ka::american_implied_vol(keel_input(cases[i]), target[i]));
    }
  }
  state.counters["max_vol_err"] = worst;
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases.size()));
}
BENCHMARK(BM_Keel_AmericanImpliedVol_BAW);

void quantlib_american_iv(benchmark::State& state, double accuracy) {
  QlWorld w;
  const auto cases = make_cases(kN);
  auto engine = QuantLib::ext::make_shared<ql::BaroneAdesiWhaleyApproximationEngine>(w.process);
  std::vector<QuantLib::ext::shared_ptr<ql::VanillaOption>> options;
  std::vector<double> target;
  for (const Case& c : cases) {
    options.push_back(w.option(c));
    options.back()->setPricingEngine(engine);
    w.vol->setValue(c.vol);
    target.push_back(options.back()->NPV());
  }
  double worst = 0.0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const double v = options[i]->impliedVolatility(target[i], w.process, accuracy, 200, 1e-7, 4.0);
    worst = std::max(worst, std::fabs(v - cases[i].vol));
  }
  for (auto _ : state) {
    for (std::size_t i = 0; i < cases.size(); ++i) {
      benchmark::DoNotOptimize(options[i]->impliedVolatility(target[i], w.process, accuracy, 200, 1e-7, 4.0));
    }
  }
  state.counters["max_vol_err"] = worst;
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases.size()));
}
// 1e-9: about the accuracy keel's solver asks for on the price (1e-10 relative of ~5); 1e-4:
// QuantLib's default.
void BM_QuantLib_AmericanImpliedVol_BAW_Accuracy1e9(benchmark::State& state) { quantlib_american_iv(state, 1e-9); }
BENCHMARK(BM_QuantLib_AmericanImpliedVol_BAW_Accuracy1e9);
void BM_QuantLib_AmericanImpliedVol_BAW_Default(benchmark::State& state) { quantlib_american_iv(state, 1e-4); }
BENCHMARK(BM_QuantLib_AmericanImpliedVol_BAW_Default);

}  // namespace

BENCHMARK_MAIN();
