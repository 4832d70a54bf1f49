// bench/wheel_backtest.cpp — issue 4's end-to-end figure: the wheel over 10 years of daily
// option chains on one underlying with about 1,000 quoted contracts a day, from the SQLite
// store to the written report (load, chains with IV and Greeks, venue, ledger, lifecycle,
// metrics, tear sheet). The market is keel's synthetic one (docs/SYNTHETIC_MARKET.md) with a
// wider strike range and longer expiries than the default, generated once into a temporary
// database before timing. Goal (issue 4): under 2 s end to end.
// Run: build/bench/bench/bench_wheel_backtest
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

#include "keel/backtest/metrics.hpp"
#include "keel/backtest/report.hpp"
#include "keel/backtest/runner.hpp"
#include "keel/data/sqlite_store.hpp"
#include "keel/data/synthetic_market.hpp"

namespace {

using namespace keel;

const std::string& database(std::int64_t& quotes) {
  static std::int64_t n_quotes = 0;
  static const std::string path = [] {
    const std::string p = (std::filesystem::temp_directory_path() / "keel_bench_wheel.db").string();
    for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(p + ext);
    std::filesystem::remove_all(p + ".cache");
    data::SynthConfig c = data::SynthConfig::default_config();
    c.start = Date::ymd(2014, 1, 2);
    c.end = Date::ymd(2023, 12, 29);
    c.underlyings.resize(1);
    c.underlyings[0].split.reset();
    c.chain.strike_coverage = 0.45;
    c.chain.monthly_min_days = 120;
    auto store = data::SqliteStore::open(p);
    auto report = data::generate_market(c, **store, Timestamp::from_date(Date::ymd(2024, 1, 2)));
    if (!report) std::abort();
    n_quotes = report->option_quotes.added;
    return p;
  }();
  quotes = n_quotes;
  return path;
}

constexpr const char* kConfig = R"(
[backtest]
strategy = "wheel"
start = 2014-03-03
end = 2023-12-29
warmup_days = 40
capital = 100000
fees = "retail"

[wheel]
underlyings = ["ACME"]
put_delta = 0.30
stop_loss_multiple = 0.0
iv_rank_lookback = 20
)";

void BM_WheelTenYears(benchmark::State& state) {
  std::int64_t quotes = 0;
  const std::string& db = database(quotes);
  auto config = backtest::parse_backtest_config(kConfig, "bench.toml");
  if (!config) {
    state.SkipWithError(config.error().message.c_str());
    return;
  }
  const auto out = std::filesystem::temp_directory_path() / "keel_bench_wheel_report";
  std::size_t days = 0;
  for (auto _ : state) {
    auto store = data::SqliteStore::open(db);
    auto run = backtest::run_backtest(*config, **store);
    if (!run) {
      state.SkipWithError(run.error().message.c_str());
      return;
    }
    auto m = backtest::compute_metrics(*run);
    auto html = backtest::write_report(*run, *m, out);
    if (!html) {
      state.SkipWithError(html.error().message.c_str());
      return;
    }
    days = run->days.size();
  }
  state.counters["sessions"] = static_cast<double>(days);
  state.counters["quotes"] = static_cast<double>(quotes);
  state.counters["quotes_per_session"] = days > 0 ? static_cast<double>(quotes) / static_cast<double>(days) : 0.0;
}
BENCHMARK(BM_WheelTenYears)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
