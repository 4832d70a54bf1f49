// bench/store.cpp — SqliteStore bulk insert and bar loads (issue 2 goals: import into SQLite
// >= 1 M rows/s; load 10 M bars into columnar memory >= 20 M rows/s).
//
// Benchmarks (items_per_second = rows/s):
//   BM_PutBars/N            N one-minute bars into a fresh database through
//                           WriteTransaction::put_bars, one transaction, commit included.
//   BM_PutBarsUnchanged/N   re-importing the same N bars (every row checked, nothing added).
//   BM_RawSqliteInsert/N    anchor: the same rows through a bare prepared INSERT into an
//                           identical table, no checks (the floor SQLite itself sets).
//   BM_LoadBarsCache/10M    load_bars of a 10 M-bar series from the columnar cache (warm OS
//                           page cache, the cache file written by an earlier load).
//   BM_LoadBarsSqlite/10M   the same load with the cache disabled (one SQLite range scan).
//   BM_ReadFileAnchor/10M   anchor: read() of the cache file into one buffer (memory-bandwidth
//                           floor for the cache path).
//   BM_LoadOptionQuotesSqlite  ten years of daily chains on one underlying (~1,000 quotes a
//                           session, 20,160 contracts, 2.46 M quotes) loaded one calendar year
//                           at a time, as the backtest feed does, with the caches off (one index
//                           seek per contract per year, then a sort).
//   BM_LoadOptionQuotesCache   the same ten loads from the option quote cache (warm file).
// The databases live in a fresh /tmp/keel-bench-store-XXXXXX directory, removed at exit.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "keel/data/sqlite_store.hpp"

namespace {

using keel::Bar;
using keel::InstrumentId;
using keel::Timestamp;
using keel::data::Lineage;
using keel::data::SqliteStore;

class ScratchDir {
 public:
  ScratchDir() {
    char tmpl[] = "/tmp/keel-bench-store-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

ScratchDir& scratch() {
  static ScratchDir dir;
  return dir;
}

// A seeded random walk of one-minute bars (integer cents, so no floating point is involved).
std::vector<Bar> make_bars(std::size_t n, InstrumentId id) {
  std::mt19937_64 rng(42);
  std::vector<Bar> bars(n);
  std::int64_t price = 10'000;  // cents
  const std::int64_t cent = 1'000'000;
  const Timestamp start = Timestamp::from_date(keel::Date::ymd(2000, 1, 3));
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t step = static_cast<std::int64_t>(rng() % 21) - 10;
    const std::int64_t open = price;
    price = std::max<std::int64_t>(100, price + step);
    const std::int64_t hi = std::max(open, price) + static_cast<std::int64_t>(rng() % 5);
    const std::int64_t lo = std::max<std::int64_t>(1, std::min(open, price) - static_cast<std::int64_t>(rng() % 5));
    Bar& b = bars[i];
    b.instrument = id;
    b.timeframe = keel::kOneMinute;
    b.ts_event = start + keel::kOneMinute * static_cast<std::int64_t>(i);
    b.ts_recv = b.ts_event + keel::kOneMinute;
    b.open = keel::Price::from_raw(open * cent, 2);
    b.high = keel::Price::from_raw(hi * cent, 2);
    b.low = keel::Price::from_raw(lo * cent, 2);
    b.close = keel::Price::from_raw(price * cent, 2);
    b.volume = keel::Quantity::from_raw(static_cast<std::int64_t>(rng() % 100'000) * keel::kFixedScale, 0);
    b.trade_count = static_cast<std::int64_t>(rng() % 1000);
  }
  return bars;
}

const std::vector<Bar>& bars_for(std::size_t n) {
  static std::vector<Bar> cached;
  if (cached.size() != n) cached = make_bars(n, InstrumentId(1));
  return cached;
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "bench_store: %s failed\n", what);
    std::abort();
  }
}

// Inserts `bars` into a store in one transaction (instrument 1 = "BENCH").
void import(SqliteStore& store, const std::vector<Bar>& bars, std::int64_t ingested_at) {
  auto tx = store.begin(Lineage{Timestamp::from_ns(ingested_at), "synth://bench", "bench/1"});
  check(tx.ok(), "begin");
  keel::Instrument inst;
  inst.symbol = "BENCH";
  auto id = (*tx)->upsert_instrument(inst);
  check(id.ok() && id->value() == 1, "upsert_instrument");
  auto counts = (*tx)->put_bars(bars);
  check(counts.ok(), "put_bars");
  check((*tx)->commit().ok(), "commit");
}

void remove_db(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix, ec);
  std::filesystem::remove_all(path + ".cache", ec);
}

void BM_PutBars(benchmark::State& state) {
  const auto& bars = bars_for(static_cast<std::size_t>(state.range(0)));
  const std::string path = scratch().path() + "/put.db";
  for (auto _ : state) {
    state.PauseTiming();
    remove_db(path);
    auto store = SqliteStore::open(path);
    check(store.ok(), "open");
    state.ResumeTiming();
    import(**store, bars, 1000);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  remove_db(path);
}
BENCHMARK(BM_PutBars)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void BM_PutBarsUnchanged(benchmark::State& state) {
  const auto& bars = bars_for(static_cast<std::size_t>(state.range(0)));
  const std::string path = scratch().path() + "/unchanged.db";
  remove_db(path);
  auto store = SqliteStore::open(path);
  check(store.ok(), "open");
  import(**store, bars, 1000);
  std::int64_t t = 2000;
  for (auto _ : state) import(**store, bars, t++);
  state.SetItemsProcessed(state.iterations() * state.range(0));
  store->reset();
  remove_db(path);
}
BENCHMARK(BM_PutBarsUnchanged)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void BM_RawSqliteInsert(benchmark::State& state) {
  const auto& bars = bars_for(static_cast<std::size_t>(state.range(0)));
  const std::string path = scratch().path() + "/raw.db";
  for (auto _ : state) {
    state.PauseTiming();
    remove_db(path);
    sqlite3* db = nullptr;
    check(sqlite3_open(path.c_str(), &db) == SQLITE_OK, "raw open");
    check(sqlite3_exec(db,
                       "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                       "PRAGMA cache_size = -262144; "
                       "CREATE TABLE bars (instrument_id INTEGER NOT NULL, timeframe_ns INTEGER NOT NULL, "
                       "ts_event INTEGER NOT NULL, ingested_at INTEGER NOT NULL, ts_recv INTEGER NOT NULL, "
                       "open INTEGER NOT NULL, high INTEGER NOT NULL, low INTEGER NOT NULL, close INTEGER NOT NULL, "
                       "volume INTEGER NOT NULL, trade_count INTEGER NOT NULL, source_uri TEXT NOT NULL, "
                       "transform_id TEXT NOT NULL, PRIMARY KEY (instrument_id, timeframe_ns, ts_event, "
                       "ingested_at)) WITHOUT ROWID;",
                       nullptr, nullptr, nullptr) == SQLITE_OK,
          "raw schema");
    sqlite3_stmt* ins = nullptr;
    check(sqlite3_prepare_v2(db, "INSERT INTO bars VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)", -1,
                             &ins, nullptr) == SQLITE_OK,
          "raw prepare");
    state.ResumeTiming();
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_bind_int64(ins, 4, 1000);
    sqlite3_bind_text(ins, 12, "synth://bench", -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 13, "bench/1", -1, SQLITE_STATIC);
    for (const Bar& b : bars) {
      sqlite3_bind_int64(ins, 1, b.instrument.value());
      sqlite3_bind_int64(ins, 2, b.timeframe.count());
      sqlite3_bind_int64(ins, 3, b.ts_event.ns());
      sqlite3_bind_int64(ins, 5, b.ts_recv.ns());
      sqlite3_bind_int64(ins, 6, b.open.raw());
      sqlite3_bind_int64(ins, 7, b.high.raw());
      sqlite3_bind_int64(ins, 8, b.low.raw());
      sqlite3_bind_int64(ins, 9, b.close.raw());
      sqlite3_bind_int64(ins, 10, b.volume.raw());
      sqlite3_bind_int64(ins, 11, b.trade_count);
      check(sqlite3_step(ins) == SQLITE_DONE, "raw insert");
      sqlite3_reset(ins);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_finalize(ins);
    sqlite3_close(db);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  remove_db(path);
}
BENCHMARK(BM_RawSqliteInsert)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// One database with a 10 M-bar series, built on first use and shared by the load benchmarks.
SqliteStore& big_store(std::size_t n) {
  static std::unique_ptr<SqliteStore> store;
  if (!store) {
    const std::string path = scratch().path() + "/big.db";
    auto s = SqliteStore::open(path);
    check(s.ok(), "open big");
    store = std::move(*s);
    const auto bars = make_bars(n, InstrumentId(1));
    import(*store, bars, 1000);
  }
  return *store;
}

void BM_LoadBarsCache(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  SqliteStore& store = big_store(n);
  store.set_bar_cache_enabled(true);
  auto warm = store.load_bars(InstrumentId(1), keel::kOneMinute, Timestamp::min(), Timestamp::max());  // writes the file
  check(warm.ok() && warm->size() == n, "warm load");
  const auto hits_before = store.bar_cache_stats().hits;
  for (auto _ : state) {
    auto r = store.load_bars(InstrumentId(1), keel::kOneMinute, Timestamp::min(), Timestamp::max());
    check(r.ok() && r->size() == n, "load");
    benchmark::DoNotOptimize(r->close.data());
  }
  check(store.bar_cache_stats().hits - hits_before == static_cast<std::int64_t>(state.iterations()), "cache hits");
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_LoadBarsCache)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

void BM_LoadBarsSqlite(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  SqliteStore& store = big_store(n);
  store.set_bar_cache_enabled(false);
  for (auto _ : state) {
    auto r = store.load_bars(InstrumentId(1), keel::kOneMinute, Timestamp::min(), Timestamp::max());
    check(r.ok() && r->size() == n, "load");
    benchmark::DoNotOptimize(r->close.data());
  }
  store.set_bar_cache_enabled(true);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_LoadBarsSqlite)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void BM_ReadFileAnchor(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  SqliteStore& store = big_store(n);
  store.set_bar_cache_enabled(true);
  check(store.load_bars(InstrumentId(1), keel::kOneMinute, Timestamp::min(), Timestamp::max()).ok(), "warm");
  keel::data::BarCache cache(store.path() + ".cache");
  const std::string file = cache.file_path(InstrumentId(1), keel::kOneMinute, Timestamp::from_ns(1000));
  const std::size_t bytes = std::filesystem::file_size(file);
  for (auto _ : state) {
    std::unique_ptr<char[]> buf(new char[bytes]);  // fresh, untouched memory, as a load gets
    const int fd = ::open(file.c_str(), O_RDONLY);
    std::size_t done = 0;
    while (done < bytes) {
      const ssize_t r = ::read(fd, buf.get() + done, std::min<std::size_t>(bytes - done, 4u << 20));
      check(r > 0, "read");
      done += static_cast<std::size_t>(r);
    }
    ::close(fd);
    benchmark::DoNotOptimize(buf.get());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ReadFileAnchor)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

// Ten years of daily chains on "CHAIN": every 5 sessions 40 contracts are listed (20 strikes x
// call/put) that are quoted for 125 sessions, so about 1,000 contracts are quoted a session.
constexpr int kQuoteSessions = 2520;
SqliteStore& quote_store() {
  static std::unique_ptr<SqliteStore> store;
  if (store) return *store;
  const std::string path = scratch().path() + "/quotes.db";
  auto s = SqliteStore::open(path);
  check(s.ok(), "open quotes");
  store = std::move(*s);
  auto tx = store->begin(Lineage{Timestamp::from_ns(1000), "synth://bench-quotes", "bench/1"});
  check(tx.ok(), "begin quotes");
  const keel::Date first = keel::Date::ymd(2014, 1, 2);
  struct Listing {
    int first_session;
    std::vector<InstrumentId> ids;
  };
  std::vector<Listing> listings;
  for (int l = 0; l * 5 < kQuoteSessions; ++l) {
    Listing listing{l * 5, {}};
    for (int k = 0; k < 40; ++k) {
      keel::OptionSpec spec;
      spec.underlying = "CHAIN";
      spec.expiry = keel::Date::from_days(first.days() + l * 7 + 180);
      spec.strike = keel::Price::from_raw((50 + k / 2) * keel::kFixedScale, 0);
      spec.right = k % 2 == 0 ? keel::OptionRight::kCall : keel::OptionRight::kPut;
      auto inst = keel::make_option_instrument(spec);
      check(inst.ok(), "option instrument");
      auto id = (*tx)->upsert_instrument(*inst);
      check(id.ok(), "upsert option");
      listing.ids.push_back(*id);
    }
    listings.push_back(std::move(listing));
  }
  std::vector<keel::OptionQuote> quotes;
  for (int d = 0; d < kQuoteSessions; ++d) {
    quotes.clear();
    const Timestamp ts = Timestamp::from_date(keel::Date::from_days(first.days() + d / 5 * 7 + d % 5));  // 5 a week
    for (const Listing& l : listings) {
      if (d < l.first_session || d >= l.first_session + 125) continue;
      for (InstrumentId id : l.ids) {
        keel::OptionQuote q;
        q.instrument = id;
        q.ts_event = ts;
        q.ts_recv = ts + keel::kOneMinute;
        const std::int64_t c = 100 + (id.value() * 7 + d) % 500;  // cents
        q.bid = keel::Price::from_raw(c * 1'000'000, 2);
        q.ask = keel::Price::from_raw((c + 5) * 1'000'000, 2);
        q.last = q.bid;
        q.bid_size = q.ask_size = keel::Quantity::from_raw(10 * keel::kFixedScale, 0);
        q.volume = keel::Quantity::from_raw(d % 100 * keel::kFixedScale, 0);
        q.open_interest = keel::Quantity::from_raw(1000 * keel::kFixedScale, 0);
        q.underlying_price = keel::Price::from_raw(std::int64_t{7500} * 1'000'000, 2);
        quotes.push_back(q);
      }
    }
    check((*tx)->put_option_quotes(quotes).ok(), "put quotes");
  }
  check((*tx)->commit().ok(), "commit quotes");
  return *store;
}

// The ten calendar-year loads (the sessions span 2014-01-02 to 2023-08) of the backtest feed; returns the rows loaded.
std::size_t load_quote_years(SqliteStore& store, std::vector<keel::OptionQuoteColumns>* keep = nullptr) {
  std::size_t rows = 0;
  for (int y = 2014; y <= 2023; ++y) {
    const Timestamp from = Timestamp::from_date(keel::Date::ymd(y, 1, 1));
    const Timestamp to = Timestamp::from_date(keel::Date::ymd(y + 1, 1, 1)) - keel::Duration(1);
    auto r = store.load_option_quotes("CHAIN", from, to);
    check(r.ok(), "load quotes");
    rows += r->size();
    benchmark::DoNotOptimize(r->bid.data());
    if (keep != nullptr) keep->push_back(std::move(*r));
  }
  return rows;
}

void BM_LoadOptionQuotesSqlite(benchmark::State& state) {
  SqliteStore& store = quote_store();
  store.set_bar_cache_enabled(false);
  std::size_t rows = 0;
  for (auto _ : state) rows += load_quote_years(store);
  store.set_bar_cache_enabled(true);
  state.SetItemsProcessed(static_cast<std::int64_t>(rows));
}
BENCHMARK(BM_LoadOptionQuotesSqlite)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_LoadOptionQuotesCache(benchmark::State& state) {
  SqliteStore& store = quote_store();
  // Before timing: the cached loads (the first one writes the file) equal the SQLite ones.
  std::vector<keel::OptionQuoteColumns> cached, plain;
  store.set_bar_cache_enabled(true);
  load_quote_years(store, &cached);
  store.set_bar_cache_enabled(false);
  check(load_quote_years(store, &plain) == 2'460'000, "quote count");
  store.set_bar_cache_enabled(true);
  check(cached == plain, "cached loads equal SQLite loads");
  const auto hits_before = store.quote_cache_stats().hits;
  std::size_t rows = 0;
  for (auto _ : state) rows += load_quote_years(store);
  check(store.quote_cache_stats().hits - hits_before == 10 * static_cast<std::int64_t>(state.iterations()), "hits");
  state.SetItemsProcessed(static_cast<std::int64_t>(rows));
}
BENCHMARK(BM_LoadOptionQuotesCache)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
