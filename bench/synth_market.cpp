// bench/synth_market.cpp — generating the default synthetic market (docs/SYNTHETIC_MARKET.md):
// 2 underlyings x 5 years, ~1.04 M option quotes, into a fresh SQLite file per iteration (the
// figure `make demo` pays), and the same generation again into the filled file (every row
// compared and found `unchanged`). Wall-clock seconds; the anchor is the same work's first run.
// Run: build/<dir>/bench/bench_synth_market
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <unistd.h>

#include "keel/data/sqlite_store.hpp"
#include "keel/data/synthetic_market.hpp"

namespace {

std::filesystem::path bench_db() {
  return std::filesystem::temp_directory_path() / ("keel-bench-synth-" + std::to_string(::getpid()) + ".db");
}

void remove_db(const std::filesystem::path& db) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(db.string() + suffix);
  std::filesystem::remove_all(db.string() + ".cache");
}

const keel::Timestamp kIngested = keel::Timestamp::from_ns(1'700'000'000'000'000'000);

void BM_GenerateDefaultIntoNewSqlite(benchmark::State& state) {
  const auto config = keel::data::SynthConfig::default_config();
  const auto db = bench_db();
  std::int64_t quotes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    remove_db(db);
    state.ResumeTiming();
    auto store = keel::data::SqliteStore::open(db.string());
    if (!store) {
      state.SkipWithError(store.error().message.c_str());
      return;
    }
    auto report = keel::data::generate_market(config, **store, kIngested);
    if (!report) {
      state.SkipWithError(report.error().message.c_str());
      return;
    }
    quotes = report->option_quotes.added;
  }
  state.counters["option_quotes"] = static_cast<double>(quotes);
  remove_db(db);
}
BENCHMARK(BM_GenerateDefaultIntoNewSqlite)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

void BM_RegenerateDefaultIntoFilledSqlite(benchmark::State& state) {
  const auto config = keel::data::SynthConfig::default_config();
  const auto db = bench_db();
  remove_db(db);
  auto store = keel::data::SqliteStore::open(db.string());
  if (!store || !keel::data::generate_market(config, **store, kIngested)) {
    state.SkipWithError("first generation failed");
    return;
  }
  for (auto _ : state) {
    auto report = keel::data::generate_market(config, **store, kIngested);
    if (!report || report->option_quotes.added != 0) {
      state.SkipWithError("regeneration failed or added rows");
      return;
    }
  }
  store->reset();
  remove_db(db);
}
BENCHMARK(BM_RegenerateDefaultIntoFilledSqlite)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
