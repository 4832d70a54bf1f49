// bench/event_loop.cpp — the kernel's throughput on the issue-4 benchmark: a 10/30 moving-average
// crossover over one-minute bars of one stock (390 a session), trading 100 shares at the bar's
// close (bar_close fill model, no fees), through the whole engine: feed -> venue -> portfolio ->
// strategy callbacks -> order state machine. The anchor in the same run is a hand-written loop
// computing the same trades (same SMA arithmetic, same crossing rule) on a plain array; both
// report the number of trades so a reader can see they did the same work.
// Goal (issue 4): >= 20 M bars/s and within 3x of the hand-written loop.
// Run: build/bench/bench/bench_event_loop --benchmark_min_time=2 (figures: docs/PERFORMANCE.md)
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "keel/analytics/indicators.hpp"
#include "keel/engine/engine.hpp"

namespace {

using namespace keel;

constexpr int kBarsPerSession = 390;

struct MinuteBars {
  std::vector<std::int64_t> close_raw;  // cents x 1e6 (fixed point raw)
  std::vector<Date> day;
  std::vector<Timestamp> ts;
  std::vector<std::uint8_t> last_of_session;  // bytes: a vector<bool> read costs bit arithmetic per bar
};

const MinuteBars& minute_bars(std::size_t n) {
  static std::map<std::size_t, MinuteBars> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  MinuteBars b;
  std::mt19937_64 rng(20261122);
  auto u = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  const ExchangeCalendar& cal = ExchangeCalendar::us_equities();
  Date d = Date::ymd(1990, 1, 2);
  double c = 100.0;
  std::size_t i = 0;
  while (i < n) {
    const Session s = *cal.session(d);
    for (int m = 0; m < kBarsPerSession && i < n; ++m, ++i) {
      c *= std::exp((u() - 0.5) * 0.002);
      b.close_raw.push_back(static_cast<std::int64_t>(std::llround(c * 100.0)) * 1'000'000);
      b.day.push_back(d);
      b.ts.push_back(s.open + std::chrono::minutes(m + 1));
      b.last_of_session.push_back(m == kBarsPerSession - 1 || i + 1 == n ? 1 : 0);
    }
    d = *cal.next_trading_day(d);
  }
  return cache.emplace(n, std::move(b)).first->second;
}

class MinuteFeed final : public engine::MarketFeed {
 public:
  explicit MinuteFeed(const MinuteBars& bars) : bars_(bars) {
    Instrument i;
    i.id = InstrumentId(1);
    i.symbol = "MIN";
    universe_.push_back(i);
    template_.instrument = i.id;
    template_.timeframe = kOneMinute;
    template_.volume = Quantity::from_raw(1'000'000 * kFixedScale, 0);
  }
  Result<bool> next(engine::MarketSlice& s) override {
    if (pos_ >= bars_.close_raw.size()) return false;
    s.reset(bars_.ts[pos_], bars_.day[pos_], engine::SlicePhase::kClose);
    s.session_end = bars_.last_of_session[pos_] != 0;
    // Copied from a template built once, then the changing fields set in place: a Bar built on
    // the stack and copied in stalls on store forwarding (byte-wide precision stores read back
    // by 16-byte loads), and a value-initialized one pays a `rep stos` per bar.
    Bar& bar = s.bars.emplace_back(template_);
    bar.ts_event = s.ts - kOneMinute;
    bar.ts_recv = s.ts;
    bar.open = bar.high = bar.low = bar.close = Price::from_raw(bars_.close_raw[pos_], 2);
    ++pos_;
    return true;
  }
  const std::vector<Instrument>& universe() const override { return universe_; }
  const std::vector<CorporateAction>& announcements() const override { return none_; }
  const std::vector<std::string>& warnings() const override { return no_warnings_; }

 private:
  const MinuteBars& bars_;
  std::size_t pos_ = 0;
  Bar template_;
  std::vector<Instrument> universe_;
  std::vector<CorporateAction> none_;
  std::vector<std::string> no_warnings_;
};

class Crossover final : public strategy::Strategy {
 public:
  explicit Crossover(bool trade = true)
      : trade_(trade), fast_(*analytics::Sma::create(10)), slow_(*analytics::Sma::create(30)) {}
  std::string_view name() const override { return "ma_cross"; }
  std::vector<std::string> symbols() const override { return {"MIN"}; }
  Status on_bar(strategy::Context& ctx, const Bar& bar) override {
    const double c = bar.close.to_double();  // as the hand loop: one conversion per bar
    const auto f = fast_.update(c);
    const auto s = slow_.update(c);
    if (!f || !s) return {};
    const bool up = *f > *s;
    if (up == long_) return {};
    if (!trade_) {
      long_ = up;
      ++trades;
      return {};
    }
    strategy::OrderRequest r;
    r.instrument = bar.instrument;
    r.side = up ? execution::OrderSide::kBuy : execution::OrderSide::kSell;
    r.type = execution::OrderType::kMarket;
    r.quantity = Quantity::from_raw(100 * kFixedScale, 0);
    auto id = ctx.submit(r);
    if (!id) return id.error();
    long_ = up;
    ++trades;
    return {};
  }
  std::int64_t trades = 0;

 private:
  bool trade_;
  analytics::Sma fast_, slow_;
  bool long_ = false;
};

void BM_EngineMaCross(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const bool trade = state.range(1) != 0;
  const MinuteBars& bars = minute_bars(n);
  std::int64_t trades = 0;
  for (auto _ : state) {
    MinuteFeed feed(bars);
    Crossover strat(trade);
    engine::EngineConfig cfg;
    cfg.start = bars.day.front();
    cfg.capital = Money::from_raw(1'000'000'000 * kFixedScale, 2);
    cfg.execution.fill_model = execution::FillModel::kBarClose;
    cfg.execution.participation_cap = 1.0;
    cfg.execution.fees = *execution::fee_preset("zero");
    // Context::history keeps the last 1,000 bars (2.5 sessions; the strategy keeps its own
    // averages). The default, 100,000, suits daily data: on minute bars its ring (2 x limit
    // slots of 120 bytes) would be 24 MB.
    cfg.history_limit = 1'000;
    auto e = engine::Engine::create(cfg, feed, strat);
    if (!e) {
      state.SkipWithError(e.error().message.c_str());
      return;
    }
    Status st = (*e)->run();
    if (!st) {
      state.SkipWithError(st.error().message.c_str());
      return;
    }
    trades = strat.trades;
  }
  state.counters["bars_per_s"] = benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                                                    benchmark::Counter::kIsRate);
  state.counters["trades"] = static_cast<double>(trades);
}
// Args: bars, and whether the strategy submits its orders (0: the same signals, no orders — the
// kernel's per-bar cost alone).
// At scale: the 10 M bars (1990-2092 on the bundled calendar, ~390,000 trades).
BENCHMARK(BM_EngineMaCross)
    ->Args({1'000'000, 1})
    ->Args({1'000'000, 0})
    ->Args({10'000'000, 1})
    ->Unit(benchmark::kMillisecond);

// The anchor: the same trades from a plain loop over the closes.
void BM_HandLoopMaCross(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const MinuteBars& bars = minute_bars(n);
  std::int64_t trades = 0;
  for (auto _ : state) {
    analytics::Sma fast = *analytics::Sma::create(10), slow = *analytics::Sma::create(30);
    bool is_long = false;
    std::int64_t t = 0, cash = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double c = static_cast<double>(bars.close_raw[i]) / static_cast<double>(kFixedScale);
      const auto f = fast.update(c);
      const auto s = slow.update(c);
      if (!f || !s) continue;
      const bool up = *f > *s;
      if (up == is_long) continue;
      cash += (up ? -100 : 100) * bars.close_raw[i];
      is_long = up;
      ++t;
    }
    benchmark::DoNotOptimize(cash);
    trades = t;
  }
  state.counters["bars_per_s"] = benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                                                    benchmark::Counter::kIsRate);
  state.counters["trades"] = static_cast<double>(trades);
}
BENCHMARK(BM_HandLoopMaCross)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
