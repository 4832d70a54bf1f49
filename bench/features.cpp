// bench/features.cpp — ns per bar for the feature layer over 1 M bars: the example spec of
// issue 5 Q8 (25 indicators, 44 columns) through compute_features (batch forms) and through
// FeatureStream (bar by bar), the triple-barrier labeller (with its trailing volatility), and, as
// the in-run anchor, the same 25 indicators' batch forms called directly (what compute_features
// costs beyond them is the spec dispatch and the two derived Bollinger columns).
// The "per_bar" counter is seconds per bar (printed with an SI prefix: "120n" = 120 ns).
// Run: build/<dir>/bench/bench_features --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "keel/analytics/feature_spec.hpp"
#include "keel/analytics/labels.hpp"

namespace {

namespace ka = keel::analytics;
constexpr std::size_t kBars = 1'000'000;
constexpr const char* kSpec =
    "rsi:14,macd:12:26:9,bbands:20:2,atr:14,sma:50,ema:20,roc:10,zscore:20,vol:21,adx:14,"
    "stoch:14:3:3,cci:20,mfi:14,obv,vwap,willr:14,donchian:20,keltner:20:2,natr:14,wma:10,"
    "dema:10,tema:10,mom:10,skew:20,kurt:20";

struct Bars {
  std::vector<double> high, low, close, volume;
};

const Bars& bars() {
  static const Bars b = [] {
    std::mt19937_64 rng(20260101);
    auto u = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
    Bars out;
    double c = 100.0;
    for (std::size_t i = 0; i < kBars; ++i) {
      c *= std::exp((u() - 0.5) * 0.02);
      out.close.push_back(c);
      out.high.push_back(c * (1.0 + 0.01 * u()));
      out.low.push_back(c * (1.0 - 0.01 * u()));
      out.volume.push_back(1000.0 + std::floor(1e5 * u()));
    }
    return out;
  }();
  return b;
}

void per_bar(benchmark::State& state) {
  state.counters["per_bar"] = benchmark::Counter(static_cast<double>(kBars),
                                                 benchmark::Counter::kIsIterationInvariantRate |
                                                     benchmark::Counter::kInvert);
}

ka::OhlcvInput input() {
  const auto& b = bars();
  return {{}, b.high, b.low, b.close, b.volume, {}};
}

void BM_AnchorIndicatorBatchForms(benchmark::State& state) {
  const auto& b = bars();
  const auto &h = b.high, &l = b.low, &c = b.close, &v = b.volume;
  std::vector<double> tp(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) tp[i] = (h[i] + l[i] + c[i]) / 3.0;
  const std::vector<std::int64_t> session(c.size(), 0);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ka::rsi(c, 14));
    benchmark::DoNotOptimize(ka::macd(c, 12, 26, 9));
    benchmark::DoNotOptimize(ka::bollinger(c, 20, 2.0));
    benchmark::DoNotOptimize(ka::atr(h, l, c, 14));
    benchmark::DoNotOptimize(ka::sma(c, 50));
    benchmark::DoNotOptimize(ka::ema(c, 20));
    benchmark::DoNotOptimize(ka::roc(c, 10));
    benchmark::DoNotOptimize(ka::rolling_zscore(c, 20));
    benchmark::DoNotOptimize(ka::rolling_volatility(c, 21, 252.0));
    benchmark::DoNotOptimize(ka::adx(h, l, c, 14));
    benchmark::DoNotOptimize(ka::stochastic(h, l, c, 14, 3, 3));
    benchmark::DoNotOptimize(ka::cci(h, l, c, 20));
    benchmark::DoNotOptimize(ka::mfi(h, l, c, v, 14));
    benchmark::DoNotOptimize(ka::obv(c, v));
    benchmark::DoNotOptimize(ka::vwap(tp, v, session));
    benchmark::DoNotOptimize(ka::williams_r(h, l, c, 14));
    benchmark::DoNotOptimize(ka::donchian(h, l, 20));
    benchmark::DoNotOptimize(ka::keltner(h, l, c, 20, 10, 2.0));
    benchmark::DoNotOptimize(ka::natr(h, l, c, 14));
    benchmark::DoNotOptimize(ka::wma(c, 10));
    benchmark::DoNotOptimize(ka::dema(c, 10));
    benchmark::DoNotOptimize(ka::tema(c, 10));
    benchmark::DoNotOptimize(ka::momentum(c, 10));
    benchmark::DoNotOptimize(ka::rolling_moments(c, 20));
    benchmark::DoNotOptimize(ka::rolling_moments(c, 20));
  }
  per_bar(state);
}

void BM_ExampleSpecBatch(benchmark::State& state) {
  const auto spec = ka::parse_feature_spec(kSpec).value();
  const auto in = input();
  for (auto _ : state) {
    auto t = ka::compute_features(spec, in);
    benchmark::DoNotOptimize(t);
  }
  per_bar(state);
}

void BM_ExampleSpecStream(benchmark::State& state) {
  const auto spec = ka::parse_feature_spec(kSpec).value();
  const auto& b = bars();
  for (auto _ : state) {
    auto s = ka::FeatureStream::create(spec, true, true).value();
    std::vector<std::optional<double>> row(s.width());
    for (std::size_t i = 0; i < kBars; ++i) {
      auto st = s.update(b.high[i], b.low[i], b.close[i], b.volume[i], false, row);
      benchmark::DoNotOptimize(st);
      benchmark::DoNotOptimize(row.data());
    }
  }
  per_bar(state);
}

void BM_TripleBarrier(benchmark::State& state) {
  const auto& c = bars().close;
  for (auto _ : state) {
    auto vol = ka::trailing_volatility(c, 20).value();
    auto labels = ka::triple_barrier(c, vol, {2.0, 1.0, 10});
    benchmark::DoNotOptimize(labels);
  }
  per_bar(state);
}

void BM_TripleBarrierWithWeights(benchmark::State& state) {
  const auto& c = bars().close;
  for (auto _ : state) {
    auto vol = ka::trailing_volatility(c, 20).value();
    auto labels = ka::triple_barrier(c, vol, {2.0, 1.0, 10}).value();
    const auto spans = ka::label_spans(labels);
    auto u = ka::average_uniqueness(spans, c.size());
    auto w = ka::return_attribution_weights(spans, c);
    benchmark::DoNotOptimize(u);
    benchmark::DoNotOptimize(w);
  }
  per_bar(state);
}

BENCHMARK(BM_AnchorIndicatorBatchForms)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExampleSpecBatch)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExampleSpecStream)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TripleBarrier)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TripleBarrierWithWeights)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
