// SqliteStore: the Store contract suite (with and without the bar cache), file ownership and
// schema versioning, lineage columns, the bar cache's invalidation, and a property test against
// the in-memory oracle (keel::testkit::MemoryStore).
#include "keel/data/sqlite_store.hpp"

#include <gtest/gtest.h>

#include "keel/testkit/gzip_file.hpp"
#include "keel/testkit/temp_dir.hpp"
#include <rapidcheck/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <random>
#include <fstream>
#include <sstream>

#include "keel/testkit/memory_store.hpp"
#include "keel/testkit/store_contract_tests.hpp"

namespace keel::data {
namespace {

using testkit::sample_bar;
using testkit::sample_equity;
using testkit::sample_lineage;
using testkit::TempDir;

std::unique_ptr<Store> make_cached(const std::string& dir) {
  auto s = SqliteStore::open(dir + "/keel.db");
  KEEL_ASSERT(s.ok(), "open");
  return std::move(*s);
}
std::unique_ptr<Store> make_uncached(const std::string& dir) {
  SqliteStoreOptions o;
  o.bar_cache = false;
  auto s = SqliteStore::open(dir + "/keel.db", o);
  KEEL_ASSERT(s.ok(), "open");
  return std::move(*s);
}

using testkit::StoreContractTest;
INSTANTIATE_TEST_SUITE_P(SqliteCached, StoreContractTest, ::testing::Values(&make_cached));
INSTANTIATE_TEST_SUITE_P(SqliteUncached, StoreContractTest, ::testing::Values(&make_uncached));

// Runs SQL on a database with the plain SQLite API (an independent view of the file).
void raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

std::vector<std::vector<std::string>> raw_query(const std::string& path, const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  while (sqlite3_step(s) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(s); ++i) {
      const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
      row.emplace_back(t ? t : "NULL");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return rows;
}

std::string raw_scalar(const std::string& path, const std::string& sql) {
  auto rows = raw_query(path, sql);
  return rows.empty() || rows[0].empty() ? "" : rows[0][0];
}

Timestamp day(int d) { return Timestamp::from_date(Date::ymd(2024, 1, d)); }
constexpr std::int64_t kT1 = 1000, kT2 = 2000;

TEST(SqliteStoreFile, CreatesTheSchemaInAMissingOrEmptyFile) {
  TempDir dir;
  for (const std::string name : {"missing.db", "empty.db"}) {
    const std::string path = dir.file(name);
    if (name == "empty.db") testkit::write_file(path, "");
    {
      auto store = SqliteStore::open(path);
      ASSERT_TRUE(store.ok()) << store.error().message;
      EXPECT_EQ((*store)->schema_version(), SqliteStore::kSchemaVersion);
    }
    // 0x4B45454C = 75*2^24 + 69*2^16 + 69*2^8 + 76 = 1262830924 ("KEEL").
    EXPECT_EQ(raw_scalar(path, "PRAGMA application_id"), "1262830924");
    EXPECT_EQ(raw_scalar(path, "PRAGMA user_version"), std::to_string(SqliteStore::kSchemaVersion));
    EXPECT_EQ(raw_scalar(path, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(raw_scalar(path, "PRAGMA page_size"), "16384");
    EXPECT_EQ(raw_scalar(path, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master "
                               "WHERE type = 'table' ORDER BY name)"),
              "bar_series,bar_series_ingests,bars,corporate_actions,ingests,instruments,option_quote_series,"
              "option_quote_series_ingests,option_quotes");
    // Reopening an existing keel database migrates nothing and keeps it.
    auto again = SqliteStore::open(path);
    ASSERT_TRUE(again.ok()) << again.error().message;
  }
}

TEST(SqliteStoreFile, MigratesAnOlderKeelDatabase) {
  // A keel database at schema version 0 (our application_id, no tables yet) is brought up to
  // the current version by the migrations.
  TempDir dir;
  const std::string path = dir.file("v0.db");
  raw_exec(path, "PRAGMA application_id = 1262830924; PRAGMA user_version = 0; CREATE TABLE scratch (x);");
  auto store = SqliteStore::open(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ((*store)->schema_version(), SqliteStore::kSchemaVersion);
  store = make_error(ErrorCode::kInternal, "close");
  EXPECT_EQ(raw_scalar(path, "PRAGMA user_version"), std::to_string(SqliteStore::kSchemaVersion));
  EXPECT_EQ(raw_scalar(path, "SELECT count(*) FROM sqlite_master WHERE name = 'bars'"), "1");
}

TEST(SqliteStoreFile, InMemoryDatabaseAndUnopenablePaths) {
  auto mem = SqliteStore::open(":memory:");
  ASSERT_TRUE(mem.ok()) << mem.error().message;
  EXPECT_FALSE((*mem)->bar_cache_enabled());  // nowhere to put the files
  auto tx = (*mem)->begin(sample_lineage(1));
  ASSERT_TRUE(tx.ok());
  EXPECT_TRUE((*tx)->upsert_instrument(sample_equity("AAPL")).ok());
  EXPECT_TRUE((*tx)->commit().ok());
  auto missing_dir = SqliteStore::open("/tmp/keel-no-such-directory-for-tests/x/keel.db");
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_EQ(missing_dir.error().code, ErrorCode::kIo);
  EXPECT_NE(missing_dir.error().message.find("/tmp/keel-no-such-directory-for-tests/x/keel.db"), std::string::npos);
  EXPECT_EQ(SqliteStore::open("").error().code, ErrorCode::kInvalidArgument);
}

TEST(SqliteStoreFile, DataSurvivesReopen) {
  TempDir dir;
  const std::string path = dir.file("keel.db");
  InstrumentId id;
  {
    auto store = SqliteStore::open(path);
    ASSERT_TRUE(store.ok());
    auto tx = (*store)->begin(sample_lineage(100));
    ASSERT_TRUE(tx.ok());
    auto r = (*tx)->upsert_instrument(sample_equity("SPY"));
    ASSERT_TRUE(r.ok());
    id = *r;
    std::vector<Bar> bars = {sample_bar(id, kOneDay, day(2), 47000, 47500, 46900, 47200, 1000)};
    ASSERT_TRUE((*tx)->put_bars(bars).ok());
    ASSERT_TRUE((*tx)->commit().ok());
  }
  auto store = SqliteStore::open(path);
  ASSERT_TRUE(store.ok());
  auto bars = (*store)->load_bars(id, kOneDay, Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(bars.ok());
  ASSERT_EQ(bars->size(), 1u);
  EXPECT_EQ(bars->close[0], std::int64_t{47200} * 1'000'000);  // 472.00
}

TEST(SqliteStoreFile, ForeignFilesAreRejectedAndLeftByteIdentical) {
  TempDir dir;
  const std::string text = dir.file("prices.csv");
  testkit::write_file(text, "date,open,high,low,close\n2024-01-02,1,2,0.5,1.5\n");
  const std::string tiny = dir.file("tiny.db");
  testkit::write_file(tiny, "SQLite");
  const std::string other = dir.file("other.db");
  raw_exec(other, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
  const std::string other_id = dir.file("other_id.db");
  raw_exec(other_id, "PRAGMA application_id = 305419896; CREATE TABLE t (x);");  // 0x12345678
  for (const std::string& path : {text, tiny, other, other_id}) {
    const std::string before = testkit::read_file(path);
    auto store = SqliteStore::open(path);
    ASSERT_FALSE(store.ok()) << path;
    EXPECT_EQ(store.error().code, ErrorCode::kCorrupt);
    EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
    EXPECT_EQ(testkit::read_file(path), before) << path;
    EXPECT_FALSE(std::filesystem::exists(path + "-wal")) << path;
    EXPECT_FALSE(std::filesystem::exists(path + "-journal")) << path;
    EXPECT_FALSE(std::filesystem::exists(path + ".cache")) << path;
  }
  auto r = SqliteStore::open(other_id);
  EXPECT_NE(r.error().message.find("0x12345678"), std::string::npos) << r.error().message;
  auto dir_as_db = SqliteStore::open(dir.path());
  ASSERT_FALSE(dir_as_db.ok());
  EXPECT_EQ(dir_as_db.error().code, ErrorCode::kIo);
}

TEST(SqliteStoreFile, NewerSchemaIsUnsupportedAndUntouched) {
  TempDir dir;
  const std::string path = dir.file("keel.db");
  ASSERT_TRUE(SqliteStore::open(path).ok());
  raw_exec(path, "PRAGMA user_version = 99");
  const std::string before = testkit::read_file(path);
  auto store = SqliteStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(store.error().message.find("99"), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
  EXPECT_EQ(testkit::read_file(path), before);
}

TEST(SqliteStoreFile, LineageColumnsOnEveryRowAndTheIngestLog) {
  TempDir dir;
  const std::string path = dir.file("keel.db");
  {
    auto store = SqliteStore::open(path);
    ASSERT_TRUE(store.ok());
    auto tx = (*store)->begin(Lineage{Timestamp::from_ns(1000), "file:///data/aapl.csv", "csv-yahoo/1"});
    ASSERT_TRUE(tx.ok());
    auto aapl = (*tx)->upsert_instrument(sample_equity("AAPL"));
    auto call = (*tx)->upsert_instrument(testkit::sample_option("AAPL", Date::ymd(2024, 1, 19), 190, OptionRight::kCall));
    ASSERT_TRUE(aapl.ok() && call.ok());
    std::vector<Bar> bars = {sample_bar(*aapl, kOneDay, day(2), 100, 110, 90, 100, 1),
                             sample_bar(*aapl, kOneDay, day(3), 100, 110, 90, 100, 1)};
    std::vector<OptionQuote> quotes = {testkit::sample_quote(*call, day(2), 100, 110)};
    std::vector<CorporateAction> acts = {testkit::sample_dividend(*aapl, Date::ymd(2024, 2, 9), 24)};
    ASSERT_TRUE((*tx)->put_bars(bars).ok());
    ASSERT_TRUE((*tx)->put_bars(bars).ok());  // 2 unchanged
    ASSERT_TRUE((*tx)->put_option_quotes(quotes).ok());
    ASSERT_TRUE((*tx)->put_corporate_actions(acts).ok());
    ASSERT_TRUE((*tx)->commit().ok());
    auto tx2 = (*store)->begin(Lineage{Timestamp::from_ns(2000), "synth://fix", "fixer/2"});
    ASSERT_TRUE(tx2.ok());
    std::vector<Bar> fix = {sample_bar(*aapl, kOneDay, day(3), 100, 110, 90, 101, 1)};
    ASSERT_TRUE((*tx2)->put_bars(fix).ok());
    ASSERT_TRUE((*tx2)->commit().ok());
  }
  for (const char* table : {"instruments", "bars", "option_quotes", "corporate_actions"}) {
    EXPECT_EQ(raw_scalar(path, std::string("SELECT count(*) FROM ") + table +
                                   " WHERE ingested_at = 1000 AND source_uri = 'file:///data/aapl.csv' AND "
                                   "transform_id = 'csv-yahoo/1'"),
              std::string(table) == "instruments" ? "2" : std::string(table) == "bars" ? "2" : "1")
        << table;
  }
  // The revision is a third bars row with its own lineage; the original stays.
  EXPECT_EQ(raw_scalar(path, "SELECT count(*) FROM bars"), "3");
  EXPECT_EQ(raw_scalar(path, "SELECT source_uri || ' ' || transform_id || ' ' || close FROM bars WHERE ingested_at = 2000"),
            "synth://fix fixer/2 101000000");  // 1.01 = 101 cents x 10^6 raw units per cent
  auto log = raw_query(path, "SELECT ingested_at, source_uri, instruments_added, bars_added, bars_unchanged, "
                             "bars_revised, quotes_added, actions_added FROM ingests ORDER BY id");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0], (std::vector<std::string>{"1000", "file:///data/aapl.csv", "2", "2", "2", "0", "1", "1"}));
  EXPECT_EQ(log[1], (std::vector<std::string>{"2000", "synth://fix", "0", "0", "0", "1", "0", "0"}));
}

TEST(SqliteStoreFile, RollbackLeavesTheFileUnchanged) {
  TempDir dir;
  const std::string path = dir.file("keel.db");
  auto store = SqliteStore::open(path);
  ASSERT_TRUE(store.ok());
  {
    auto tx = (*store)->begin(sample_lineage(5));
    ASSERT_TRUE(tx.ok());
    auto id = (*tx)->upsert_instrument(sample_equity("AAPL"));
    ASSERT_TRUE(id.ok());
    std::vector<Bar> bars = {sample_bar(*id, kOneDay, day(2), 100, 110, 90, 100, 1)};
    ASSERT_TRUE((*tx)->put_bars(bars).ok());
  }
  for (const char* table : {"instruments", "bars", "bar_series", "bar_series_ingests", "ingests"}) {
    EXPECT_EQ(raw_scalar(path, std::string("SELECT count(*) FROM ") + table), "0") << table;
  }
}

TEST(SqliteStoreBatches, LargeShuffledCallsMatchTheOracle) {
  // Calls far longer than the 64-row multi-row INSERT, in shuffled order, with repeats inside a
  // call (near and far apart) and rows that need the existence check mixed with rows that do
  // not; counts are worked out by construction and reads are compared with MemoryStore.
  TempDir dir;
  auto opened = SqliteStore::open(dir.file("keel.db"));
  ASSERT_TRUE(opened.ok());
  SqliteStore& sql = **opened;
  testkit::MemoryStore mem;
  std::mt19937_64 rng(7);
  auto shuffle = [&](std::vector<Bar>& v) {  // Fisher-Yates with our own index draw
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng() % i]);
  };
  auto minute = [](int i) { return day(1) + kOneMinute * i; };
  auto run = [&](std::int64_t t, const std::vector<Instrument>& insts, const std::vector<Bar>& bars) {
    auto ta = sql.begin(sample_lineage(t));
    auto tb = mem.begin(sample_lineage(t));
    EXPECT_TRUE(ta.ok() && tb.ok());
    for (const Instrument& i : insts) {
      EXPECT_TRUE((*ta)->upsert_instrument(i).ok());
      EXPECT_TRUE((*tb)->upsert_instrument(i).ok());
    }
    auto ca = (*ta)->put_bars(bars);
    auto cb = (*tb)->put_bars(bars);
    EXPECT_TRUE(ca.ok() && cb.ok()) << (ca.ok() ? "" : ca.error().message);
    EXPECT_TRUE((*ta)->commit().ok());
    EXPECT_TRUE((*tb)->commit().ok());
    EXPECT_EQ(ca->added, cb->added);
    EXPECT_EQ(ca->unchanged, cb->unchanged);
    EXPECT_EQ(ca->revised, cb->revised);
    return *ca;
  };
  std::vector<Bar> first;
  for (int i = 0; i < 1000; ++i) first.push_back(sample_bar(InstrumentId(1), kOneMinute, minute(i), 100, 110, 90, 105, i));
  shuffle(first);
  first.insert(first.begin() + 10, first[3]);    // a repeat 7 rows later
  first.insert(first.begin() + 500, first[20]);  // and one ~480 rows later
  const WriteCounts c1 = run(kT1, {sample_equity("AAPL"), sample_equity("MSFT")}, first);
  EXPECT_EQ(c1.added, 1000);
  EXPECT_EQ(c1.unchanged, 2);
  EXPECT_EQ(c1.revised, 0);

  std::vector<Bar> second;
  for (int i = 0; i < 1500; ++i) {
    // 0..499 revised (close 106), 500..999 unchanged, 1000..1499 new; and 300 new rows of MSFT.
    second.push_back(sample_bar(InstrumentId(1), kOneMinute, minute(i), 100, 110, 90, i < 500 ? 106 : 105, i));
  }
  for (int i = 0; i < 300; ++i) second.push_back(sample_bar(InstrumentId(2), kOneMinute, minute(i), 50, 60, 40, 55, i));
  shuffle(second);
  const WriteCounts c2 = run(kT2, {}, second);
  EXPECT_EQ(c2.added, 800);
  EXPECT_EQ(c2.unchanged, 500);
  EXPECT_EQ(c2.revised, 500);

  for (std::int64_t id : {1, 2}) {
    for (AsOf v : {AsOf::latest(), AsOf::at(Timestamp::from_ns(kT1)), AsOf::at(Timestamp::from_ns(kT2 - 1))}) {
      auto a = sql.load_bars(InstrumentId(id), kOneMinute, Timestamp::min(), Timestamp::max(), v);
      auto b = mem.load_bars(InstrumentId(id), kOneMinute, Timestamp::min(), Timestamp::max(), v);
      ASSERT_TRUE(a.ok() && b.ok());
      EXPECT_EQ(*a, *b);
    }
  }
  auto latest = sql.load_bars(InstrumentId(1), kOneMinute, Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ(latest->size(), 1500u);
  EXPECT_EQ(latest->close[499], std::int64_t{106} * 1'000'000);
  EXPECT_EQ(latest->close[500], std::int64_t{105} * 1'000'000);
}

// ---------------------------------------------------------------------------------------------
// The bar cache behind load_bars.

class SqliteBarCache : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteStore::open(path_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    auto tx = store_->begin(sample_lineage(kT1));
    ASSERT_TRUE(tx.ok());
    auto id = (*tx)->upsert_instrument(sample_equity("AAPL"));
    ASSERT_TRUE(id.ok());
    id_ = *id;
    std::vector<Bar> bars;
    for (int d = 1; d <= 20; ++d) bars.push_back(sample_bar(id_, kOneDay, day(d), 100 + d, 120 + d, 90 + d, 110 + d, d));
    ASSERT_TRUE((*tx)->put_bars(bars).ok());
    ASSERT_TRUE((*tx)->commit().ok());
  }
  BarColumns load(AsOf as_of = AsOf::latest(), Timestamp from = Timestamp::min(), Timestamp to = Timestamp::max()) {
    auto r = store_->load_bars(id_, kOneDay, from, to, as_of);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : BarColumns{};
  }
  std::string cache_file(std::int64_t as_of) const {
    return BarCache(path_ + ".cache").file_path(id_, kOneDay, Timestamp::from_ns(as_of));
  }

  TempDir dir_;
  std::string path_ = dir_.file("keel.db");
  std::unique_ptr<SqliteStore> store_;
  InstrumentId id_;
};

TEST_F(SqliteBarCache, FirstLoadWritesTheFileLaterLoadsReadIt) {
  const BarColumns first = load();
  EXPECT_EQ(store_->bar_cache_stats().misses, 1);
  EXPECT_EQ(store_->bar_cache_stats().writes, 1);
  EXPECT_TRUE(std::filesystem::exists(cache_file(kT1)));
  // 96-byte header + 20 rows x 7 columns x 8 bytes.
  EXPECT_EQ(std::filesystem::file_size(cache_file(kT1)), 96u + 20u * 7u * 8u);
  const BarColumns second = load();
  EXPECT_EQ(store_->bar_cache_stats().hits, 1);
  EXPECT_EQ(second, first);
  ASSERT_EQ(second.size(), 20u);
  EXPECT_EQ(second.close[4], std::int64_t{115} * 1'000'000);  // day 5: close 110 + 5 cents
  // A sub-range is cut from the cached series: days 5..7.
  const BarColumns sub = load(AsOf::latest(), day(5), day(7));
  EXPECT_EQ(store_->bar_cache_stats().hits, 2);
  ASSERT_EQ(sub.size(), 3u);
  EXPECT_EQ(sub.ts_event[0], day(5).ns());
  EXPECT_EQ(sub.ts_event[2], day(7).ns());
  // Any knowledge time at or after kT1 shares the kT1 file; before kT1 nothing is known.
  EXPECT_EQ(load(AsOf::at(Timestamp::from_ns(kT1 + 500))), first);
  EXPECT_EQ(store_->bar_cache_stats().hits, 3);
  EXPECT_EQ(load(AsOf::at(Timestamp::from_ns(kT1 - 1))).size(), 0u);
}

TEST_F(SqliteBarCache, ARevisionInvalidatesTheFile) {
  const BarColumns before = load();
  auto v1 = store_->bar_series_version(id_, kOneDay);
  ASSERT_TRUE(v1.ok());
  auto tx = store_->begin(sample_lineage(kT2));
  ASSERT_TRUE(tx.ok());
  std::vector<Bar> fix = {sample_bar(id_, kOneDay, day(5), 105, 125, 95, 120, 5)};  // close 115 -> 120
  ASSERT_TRUE((*tx)->put_bars(fix).ok());
  // Inside the transaction the cache is bypassed and the uncommitted revision is visible.
  auto inside = store_->load_bars(id_, kOneDay, day(5), day(5));
  ASSERT_TRUE(inside.ok());
  EXPECT_EQ(inside->close[0], std::int64_t{120} * 1'000'000);
  ASSERT_TRUE((*tx)->commit().ok());
  auto v2 = store_->bar_series_version(id_, kOneDay);
  ASSERT_TRUE(v2.ok());
  EXPECT_NE(*v1, *v2);

  // The kT1 view is still the old data, but its file was written for the old version.
  const BarColumns old_view = load(AsOf::at(Timestamp::from_ns(kT1)));
  EXPECT_EQ(store_->bar_cache_stats().stale, 1);
  EXPECT_EQ(old_view, before);
  const BarColumns now = load();
  EXPECT_EQ(now.close[4], std::int64_t{120} * 1'000'000);
  EXPECT_EQ(now.close[3], before.close[3]);
  EXPECT_TRUE(std::filesystem::exists(cache_file(kT2)));
  EXPECT_EQ(load(), now);
  EXPECT_EQ(store_->bar_cache_stats().hits, 1);
}

TEST_F(SqliteBarCache, UnchangedRewriteKeepsTheFileValid) {
  load();
  auto tx = store_->begin(sample_lineage(kT2));
  ASSERT_TRUE(tx.ok());
  std::vector<Bar> same = {sample_bar(id_, kOneDay, day(5), 105, 125, 95, 115, 5)};
  auto c = (*tx)->put_bars(same);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->unchanged, 1);
  ASSERT_TRUE((*tx)->commit().ok());
  load();
  EXPECT_EQ(store_->bar_cache_stats().hits, 1);
}

TEST_F(SqliteBarCache, DamagedFilesAreIgnoredAndRewritten) {
  const BarColumns good = load();
  const std::string file = cache_file(kT1);
  const std::string original = testkit::read_file(file);
  struct Damage {
    const char* what;
    std::string bytes;
  };
  std::string flipped = original;
  flipped[96 + 8 * 20 * 4 + 3] ^= 0x01;  // one bit of a low price
  std::string header = original;
  header[50] ^= 0x40;  // inside the row count
  const Damage damages[] = {{"payload bit", flipped},
                            {"header bit", header},
                            {"truncated", original.substr(0, original.size() - 8)},
                            {"too long", original + "x"},
                            {"empty", ""},
                            {"text", "not a cache file at all"}};
  std::int64_t damaged = 0;
  for (const Damage& d : damages) {
    testkit::write_file(file, d.bytes);
    EXPECT_EQ(load(), good) << d.what;
    EXPECT_EQ(store_->bar_cache_stats().damaged, ++damaged) << d.what << ": " << store_->bar_cache_stats().last_problem;
    EXPECT_EQ(testkit::read_file(file), original) << d.what << ": rewritten whole";
  }
}

TEST_F(SqliteBarCache, ADifferentDatabaseAtTheSamePathNeverReusesTheFile) {
  const BarColumns first = load();
  store_.reset();
  std::filesystem::remove(path_);
  std::filesystem::remove(path_ + "-wal");
  std::filesystem::remove(path_ + "-shm");
  auto s = SqliteStore::open(path_);
  ASSERT_TRUE(s.ok());
  store_ = std::move(*s);
  auto tx = store_->begin(sample_lineage(kT1));  // same instrument id, timeframe and knowledge time
  ASSERT_TRUE(tx.ok());
  auto id = (*tx)->upsert_instrument(sample_equity("AAPL"));
  ASSERT_TRUE(id.ok());
  ASSERT_EQ(*id, id_);
  std::vector<Bar> bars = {sample_bar(id_, kOneDay, day(1), 500, 600, 400, 550, 1)};
  ASSERT_TRUE((*tx)->put_bars(bars).ok());
  ASSERT_TRUE((*tx)->commit().ok());
  const BarColumns second = load();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second.close[0], std::int64_t{550} * 1'000'000);
  EXPECT_EQ(store_->bar_cache_stats().stale, 1);
}

TEST_F(SqliteBarCache, AWriteThroughAnotherConnectionInvalidatesTheFile) {
  const BarColumns before = load();
  auto other = SqliteStore::open(path_);  // e.g. an import running in another process
  ASSERT_TRUE(other.ok());
  auto tx = (*other)->begin(sample_lineage(kT2));
  ASSERT_TRUE(tx.ok());
  std::vector<Bar> more = {sample_bar(id_, kOneDay, day(21), 100, 120, 90, 110, 1)};
  ASSERT_TRUE((*tx)->put_bars(more).ok());
  EXPECT_EQ(load(), before);  // not committed yet: this connection still sees the old series
  ASSERT_TRUE((*tx)->commit().ok());
  const BarColumns after = load();
  ASSERT_EQ(after.size(), 21u);
  EXPECT_EQ(after.ts_event[20], day(21).ns());
  // The kT1 view is unchanged but its file was written for the old version: rewritten once.
  EXPECT_EQ(load(AsOf::at(Timestamp::from_ns(kT1))), before);
  EXPECT_EQ(store_->bar_cache_stats().stale, 1);
}

TEST_F(SqliteBarCache, DisabledCacheWritesNoFiles) {
  store_->set_bar_cache_enabled(false);
  EXPECT_FALSE(store_->bar_cache_enabled());
  EXPECT_EQ(load().size(), 20u);
  EXPECT_FALSE(std::filesystem::exists(path_ + ".cache"));
  EXPECT_EQ(store_->bar_cache_stats().misses, 0);
}

TEST_F(SqliteBarCache, UnwritableCacheDirectoryStillLoads) {
  testkit::write_file(path_ + ".cache", "a file where the directory should be");
  EXPECT_EQ(load().size(), 20u);
  EXPECT_EQ(store_->bar_cache_stats().write_failures, 1);
  EXPECT_NE(store_->bar_cache_stats().last_problem.find(".cache"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// The option quote cache behind load_option_quotes.

class SqliteQuoteCache : public ::testing::Test {
 protected:
  static constexpr std::int64_t kCent = 1'000'000;  // raw units per cent
  void SetUp() override {
    open_store();
    auto tx = store_->begin(sample_lineage(kT1));
    ASSERT_TRUE(tx.ok());
    for (int c = 1; c <= 3; ++c) {
      auto id = (*tx)->upsert_instrument(testkit::sample_option("ACME", Date::ymd(2024, 3, 15), 100 + c, OptionRight::kCall));
      ASSERT_TRUE(id.ok());
      ASSERT_EQ(id->value(), c);
    }
    ASSERT_TRUE((*tx)->upsert_instrument(testkit::sample_option("OTHR", Date::ymd(2024, 3, 15), 50, OptionRight::kPut)).ok());
    // In (contract, ts_event) order, the order migration 2 chains existing quotes in.
    std::vector<OptionQuote> quotes;
    for (int c = 1; c <= 4; ++c) {
      for (int d = 1; d <= 10; ++d) quotes.push_back(testkit::sample_quote(InstrumentId(c), day(d), 100 * c + d, 100 * c + d + 10));
    }
    ASSERT_TRUE((*tx)->put_option_quotes(quotes).ok());
    ASSERT_TRUE((*tx)->commit().ok());
  }
  void open_store() {
    store_.reset();
    auto s = SqliteStore::open(path_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }
  OptionQuoteColumns load(AsOf as_of = AsOf::latest(), Timestamp from = Timestamp::min(),
                          Timestamp to = Timestamp::max()) {
    auto r = store_->load_option_quotes("ACME", from, to, as_of);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : OptionQuoteColumns{};
  }
  // The same load through SQLite only (the cache switched off for one call).
  OptionQuoteColumns load_uncached(AsOf as_of = AsOf::latest(), Timestamp from = Timestamp::min(),
                                   Timestamp to = Timestamp::max()) {
    store_->set_bar_cache_enabled(false);
    OptionQuoteColumns r = load(as_of, from, to);
    store_->set_bar_cache_enabled(true);
    return r;
  }
  std::string cache_file(std::int64_t as_of) const {
    return OptionQuoteCache(path_ + ".cache").file_path("ACME", Timestamp::from_ns(as_of));
  }

  TempDir dir_;
  std::string path_ = dir_.file("keel.db");
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteQuoteCache, FirstLoadWritesTheFileLaterLoadsReadIt) {
  const OptionQuoteColumns first = load();
  EXPECT_EQ(store_->quote_cache_stats().misses, 1);
  EXPECT_EQ(store_->quote_cache_stats().writes, 1);
  EXPECT_TRUE(std::filesystem::exists(cache_file(kT1)));
  // 3 contracts x 10 days, by (day, contract): row 4 is day 2 of contract 2, bid 200 + 2 cents.
  ASSERT_EQ(first.size(), 30u);
  EXPECT_EQ(first.ts_event[4], day(2).ns());
  EXPECT_EQ(first.instrument[4], 2);
  EXPECT_EQ(first.bid[4], 202 * kCent);
  EXPECT_EQ(first.ask[4], 212 * kCent);
  EXPECT_EQ(first, load_uncached());
  EXPECT_EQ(load(), first);
  EXPECT_EQ(store_->quote_cache_stats().hits, 1);
  // Days 3..4 from the file: 6 rows, the same as SQLite gives.
  const OptionQuoteColumns sub = load(AsOf::latest(), day(3), day(4));
  EXPECT_EQ(store_->quote_cache_stats().hits, 2);
  ASSERT_EQ(sub.size(), 6u);
  EXPECT_EQ(sub.ts_event.front(), day(3).ns());
  EXPECT_EQ(sub.ts_event.back(), day(4).ns());
  EXPECT_EQ(sub, load_uncached(AsOf::latest(), day(3), day(4)));
  // Any knowledge time at or after kT1 shares the kT1 file; before kT1 nothing is known.
  EXPECT_EQ(load(AsOf::at(Timestamp::from_ns(kT1 + 500))), first);
  EXPECT_EQ(store_->quote_cache_stats().hits, 3);
  EXPECT_EQ(load(AsOf::at(Timestamp::from_ns(kT1 - 1))).size(), 0u);
  EXPECT_EQ(load_uncached(AsOf::at(Timestamp::from_ns(kT1 - 1))).size(), 0u);
  // Another underlying has its own file; an unknown one is empty either way.
  auto other = store_->load_option_quotes("OTHR", Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->size(), 10u);
  EXPECT_EQ(store_->quote_cache_stats().misses, 2);
  auto none = store_->load_option_quotes("NONE", Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->size(), 0u);
}

TEST_F(SqliteQuoteCache, NewOrRevisedQuotesMakeTheFileStale) {
  const OptionQuoteColumns before = load();
  auto v1 = store_->option_quote_series_version("ACME");
  auto other1 = store_->option_quote_series_version("OTHR");
  ASSERT_TRUE(v1.ok() && other1.ok());
  EXPECT_NE(*v1, 0u);
  auto tx = store_->begin(sample_lineage(kT2));
  ASSERT_TRUE(tx.ok());
  // Contract 2 on day 5 revised (bid 207 -> 209), contract 1 quoted on a new day 11.
  std::vector<OptionQuote> fix = {testkit::sample_quote(InstrumentId(2), day(5), 209, 215),
                                  testkit::sample_quote(InstrumentId(1), day(11), 111, 121)};
  auto counts = (*tx)->put_option_quotes(fix);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->revised, 1);
  EXPECT_EQ(counts->added, 1);
  // Inside the transaction the cache is bypassed and the uncommitted rows are visible.
  const OptionQuoteColumns inside = load(AsOf::latest(), day(5), day(5));
  ASSERT_EQ(inside.size(), 3u);
  EXPECT_EQ(inside.bid[1], 209 * kCent);
  EXPECT_EQ(store_->quote_cache_stats().hits + store_->quote_cache_stats().misses, 1);
  ASSERT_TRUE((*tx)->commit().ok());
  auto v2 = store_->option_quote_series_version("ACME");
  auto other2 = store_->option_quote_series_version("OTHR");
  ASSERT_TRUE(v2.ok() && other2.ok());
  EXPECT_NE(*v1, *v2);
  EXPECT_EQ(*other1, *other2);  // untouched underlyings keep their files
  EXPECT_EQ(raw_scalar(path_, "SELECT keys || ' ' || (last_ts = " + std::to_string(day(11).ns()) +
                                  ") FROM option_quote_series WHERE underlying = 'ACME'"),
            "31 1");
  // The kT1 view is still the old data, but its file was written for the old version.
  EXPECT_EQ(load(AsOf::at(Timestamp::from_ns(kT1))), before);
  EXPECT_EQ(store_->quote_cache_stats().stale, 1);
  const OptionQuoteColumns now = load();
  ASSERT_EQ(now.size(), 31u);
  EXPECT_EQ(now.bid[13], 209 * kCent);  // day 5 starts at row 12; contract 2 is its second row
  EXPECT_EQ(now.ts_event[30], day(11).ns());
  EXPECT_EQ(now, load_uncached());
  EXPECT_TRUE(std::filesystem::exists(cache_file(kT2)));
  EXPECT_EQ(load(), now);
  EXPECT_EQ(store_->quote_cache_stats().hits, 1);
  // Rewriting identical quotes changes nothing: the file stays valid.
  auto tx3 = store_->begin(sample_lineage(3000));
  ASSERT_TRUE(tx3.ok());
  auto same = (*tx3)->put_option_quotes(fix);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->unchanged, 2);
  ASSERT_TRUE((*tx3)->commit().ok());
  EXPECT_EQ(load(), now);
  EXPECT_EQ(store_->quote_cache_stats().hits, 2);
}

TEST_F(SqliteQuoteCache, FilesOfSupersededVersionsAreDeleted) {
  load();
  load(AsOf::at(Timestamp::from_ns(kT1 + 1)));  // the same kT1 file
  ASSERT_TRUE(store_->load_option_quotes("OTHR", Timestamp::min(), Timestamp::max()).ok());
  const std::string other = OptionQuoteCache(path_ + ".cache").file_path("OTHR", Timestamp::from_ns(kT1));
  const std::string in_flight = cache_file(kT1) + ".tmp.999999";  // another process writing
  testkit::write_file(in_flight, "partial");
  EXPECT_EQ(store_->quote_cache_stats().removed, 0);
  auto tx = store_->begin(sample_lineage(kT2));
  ASSERT_TRUE(tx.ok());
  std::vector<OptionQuote> fix = {testkit::sample_quote(InstrumentId(1), day(1), 150, 160)};
  ASSERT_TRUE((*tx)->put_option_quotes(fix).ok());
  ASSERT_TRUE((*tx)->commit().ok());
  // The kT2 view is written at the new version; the kT1 file (old version) goes, OTHR's file
  // and the temporary file stay.
  EXPECT_EQ(load().bid[0], 150 * kCent);
  EXPECT_EQ(store_->quote_cache_stats().removed, 1);
  EXPECT_FALSE(std::filesystem::exists(cache_file(kT1)));
  EXPECT_TRUE(std::filesystem::exists(cache_file(kT2)));
  EXPECT_TRUE(std::filesystem::exists(other));
  EXPECT_TRUE(std::filesystem::exists(in_flight));
  // The kT1 view at the new version is rebuilt and kept beside the kT2 file.
  EXPECT_EQ(load(AsOf::at(Timestamp::from_ns(kT1))).bid[0], 101 * kCent);
  EXPECT_TRUE(std::filesystem::exists(cache_file(kT1)));
  EXPECT_TRUE(std::filesystem::exists(cache_file(kT2)));
  EXPECT_EQ(store_->quote_cache_stats().removed, 1);
}

TEST_F(SqliteQuoteCache, AFailedCallLeavesTheVersionAsItWas) {
  auto v1 = store_->option_quote_series_version("ACME");
  ASSERT_TRUE(v1.ok());
  auto tx = store_->begin(sample_lineage(kT2));
  ASSERT_TRUE(tx.ok());
  // A good revision, then a quote of an unknown contract: the call fails and changes nothing.
  std::vector<OptionQuote> bad = {testkit::sample_quote(InstrumentId(1), day(1), 150, 160),
                                  testkit::sample_quote(InstrumentId(99), day(1), 150, 160)};
  EXPECT_FALSE((*tx)->put_option_quotes(bad).ok());
  auto inside = store_->option_quote_series_version("ACME");
  ASSERT_TRUE(inside.ok());
  EXPECT_EQ(*inside, *v1);
  ASSERT_TRUE((*tx)->commit().ok());
  EXPECT_EQ(*store_->option_quote_series_version("ACME"), *v1);
  EXPECT_EQ(raw_scalar(path_, "SELECT count(*) FROM option_quote_series_ingests"), "2");  // kT1 for ACME, OTHR
}

TEST_F(SqliteQuoteCache, DamagedFileIsReloadedAndRewritten) {
  const OptionQuoteColumns good = load();
  const std::string file = cache_file(kT1);
  const std::string original = testkit::read_file(file);
  for (std::size_t pos : {std::size_t{20}, std::size_t{140}, original.size() - 3}) {  // header, name, last column
    std::string bad = original;
    bad[pos] ^= 0x04;
    testkit::write_file(file, bad);
    EXPECT_EQ(load(), good) << pos;
    EXPECT_EQ(testkit::read_file(file), original) << pos << ": rewritten whole";
  }
  EXPECT_EQ(store_->quote_cache_stats().damaged, 3);
  EXPECT_EQ(store_->quote_cache_stats().writes, 4);
}

TEST_F(SqliteQuoteCache, OldDatabaseIsMigratedWithTheSameVersion) {
  auto v = store_->option_quote_series_version("ACME");
  ASSERT_TRUE(v.ok());
  const OptionQuoteColumns before = load_uncached();
  store_.reset();
  // Back to schema 1: the tables migration 2 adds are gone.
  raw_exec(path_, "DROP TABLE option_quote_series_ingests; DROP TABLE option_quote_series; PRAGMA user_version = 1;");
  open_store();
  EXPECT_EQ(store_->schema_version(), 2);
  // The quotes were written in one transaction in (contract, ts_event) order, the order the
  // migration chains them in, so it recomputes exactly the version put_option_quotes kept.
  auto migrated = store_->option_quote_series_version("ACME");
  ASSERT_TRUE(migrated.ok());
  EXPECT_EQ(*migrated, *v);
  EXPECT_EQ(raw_scalar(path_, "SELECT group_concat(underlying || ':' || keys || ':' || (first_ts = " +
                                  std::to_string(day(1).ns()) + ") || (last_ts = " + std::to_string(day(10).ns()) +
                                  "), ' ') FROM (SELECT * FROM option_quote_series ORDER BY underlying)"),
            "ACME:30:11 OTHR:10:11");
  EXPECT_EQ(raw_scalar(path_, "SELECT group_concat(underlying || '@' || ingested_at, ' ') FROM "
                              "(SELECT * FROM option_quote_series_ingests ORDER BY underlying)"),
            "ACME@1000 OTHR@1000");
  EXPECT_EQ(load(), before);
  EXPECT_EQ(load(), before);
  EXPECT_EQ(store_->quote_cache_stats().hits, 1);
  // A revision after the migration chains on from the migrated version.
  auto tx = store_->begin(sample_lineage(kT2));
  ASSERT_TRUE(tx.ok());
  std::vector<OptionQuote> fix = {testkit::sample_quote(InstrumentId(3), day(10), 1, 2)};
  ASSERT_TRUE((*tx)->put_option_quotes(fix).ok());
  ASSERT_TRUE((*tx)->commit().ok());
  EXPECT_NE(*store_->option_quote_series_version("ACME"), *v);
  EXPECT_EQ(load(), load_uncached());
  EXPECT_EQ(load().bid.back(), 1 * kCent);
}

// ---------------------------------------------------------------------------------------------
// Property: any sequence of transactions gives identical results and reads on SqliteStore
// (cache on) and on the in-memory oracle. Operations are decoded from a list of random words,
// so rapidcheck shrinks a failure to a short sequence.

class Decoder {
 public:
  explicit Decoder(const std::vector<std::uint32_t>& w) : w_(w) {}
  bool done() const { return i_ >= w_.size(); }
  std::uint32_t next(std::uint32_t n) { return i_ < w_.size() ? w_[i_++] % n : 0; }

 private:
  const std::vector<std::uint32_t>& w_;
  std::size_t i_ = 0;
};

template <class T>
void check_same(const Result<T>& a, const Result<T>& b, const std::string& what) {
  RC_ASSERT(a.ok() == b.ok());
  if (!a.ok()) {
    RC_ASSERT(a.error().code == b.error().code);
    return;
  }
  if constexpr (std::is_same_v<T, WriteCounts>) {
    RC_ASSERT(a->added == b->added);
    RC_ASSERT(a->unchanged == b->unchanged);
    RC_ASSERT(a->revised == b->revised);
  } else if constexpr (std::is_same_v<T, std::vector<SeriesSummary>>) {
    RC_ASSERT(a->size() == b->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
      RC_ASSERT((*a)[i].instrument == (*b)[i].instrument);
      RC_ASSERT((*a)[i].kind == (*b)[i].kind);
      RC_ASSERT((*a)[i].rows == (*b)[i].rows);
      RC_ASSERT((*a)[i].first == (*b)[i].first);
      RC_ASSERT((*a)[i].last == (*b)[i].last);
    }
  } else {
    RC_ASSERT(*a == *b);
  }
  (void)what;
}

Instrument pool_instrument(std::uint32_t k) {
  switch (k) {
    case 0: return sample_equity("AAPL");
    case 1: return sample_equity("MSFT");
    case 2: {
      Instrument i = sample_equity("AAPL");
      i.currency = "EUR";  // conflicts with case 0
      return i;
    }
    case 3: return testkit::sample_option("AAPL", Date::ymd(2024, 1, 19), 190, OptionRight::kCall);
    case 4: return testkit::sample_option("AAPL", Date::ymd(2024, 2, 16), 180, OptionRight::kPut);
    default: return testkit::sample_option("MSFT", Date::ymd(2024, 1, 19), 400, OptionRight::kCall);
  }
}

void compare_reads(Store& a, Store& b, const std::vector<std::int64_t>& times) {
  check_same(a.instruments(), b.instruments(), "instruments");
  check_same(a.summary(), b.summary(), "summary");
  for (const char* u : {"AAPL", "MSFT"}) {
    check_same(a.option_contracts(u, Date::ymd(2024, 1, 20)), b.option_contracts(u, Date::ymd(2024, 1, 20)), "chain");
  }
  std::vector<AsOf> views = {AsOf::latest()};
  for (std::int64_t t : times) {
    views.push_back(AsOf::at(Timestamp::from_ns(t)));
    views.push_back(AsOf::at(Timestamp::from_ns(t - 1)));
  }
  for (const AsOf& v : views) {
    for (std::int64_t id = 1; id <= 7; ++id) {
      for (Duration tf : {kOneDay, kOneMinute}) {
        check_same(a.load_bars(InstrumentId(id), tf, Timestamp::min(), Timestamp::max(), v),
                   b.load_bars(InstrumentId(id), tf, Timestamp::min(), Timestamp::max(), v), "bars");
        check_same(a.load_bars(InstrumentId(id), tf, day(2), day(3), v),
                   b.load_bars(InstrumentId(id), tf, day(2), day(3), v), "bar range");
      }
      check_same(a.corporate_actions(InstrumentId(id), v), b.corporate_actions(InstrumentId(id), v), "actions");
    }
    for (const char* u : {"AAPL", "MSFT"}) {
      check_same(a.load_option_quotes(u, Timestamp::min(), Timestamp::max(), v),
                 b.load_option_quotes(u, Timestamp::min(), Timestamp::max(), v), "quotes");
      for (auto [from, to] : {std::pair{day(3), day(4)}, std::pair{day(1), day(1)}, std::pair{day(5), day(2)},
                              std::pair{Timestamp::min(), day(2)}, std::pair{day(4), Timestamp::max()}}) {
        check_same(a.load_option_quotes(u, from, to, v), b.load_option_quotes(u, from, to, v), "quote range");
      }
    }
  }
}

RC_GTEST_PROP(SqliteStoreProperty, MatchesTheMemoryOracle, ()) {
  const auto words = *rc::gen::resize(400, rc::gen::arbitrary<std::vector<std::uint32_t>>());
  TempDir dir;
  auto opened = SqliteStore::open(dir.file("keel.db"));
  RC_ASSERT(opened.ok());
  SqliteStore& sql = **opened;
  testkit::MemoryStore mem;
  // A second connection to the same file with the caches off: committed reads through the
  // caches must equal plain SQLite reads.
  SqliteStoreOptions no_cache;
  no_cache.bar_cache = false;
  auto plain_opened = SqliteStore::open(dir.file("keel.db"), no_cache);
  RC_ASSERT(plain_opened.ok());
  SqliteStore& plain = **plain_opened;
  {
    // Instruments 1..5 exist from the start (ids 6 and 7 never do); upserts below may repeat
    // them or try the conflicting definition.
    auto ta = sql.begin(sample_lineage(500));
    auto tb = mem.begin(sample_lineage(500));
    RC_ASSERT(ta.ok() && tb.ok());
    for (std::uint32_t k : {0u, 1u, 3u, 4u, 5u}) {
      check_same((*ta)->upsert_instrument(pool_instrument(k)), (*tb)->upsert_instrument(pool_instrument(k)), "setup");
    }
    RC_ASSERT((*ta)->commit().ok() && (*tb)->commit().ok());
  }
  Decoder in(words);
  std::vector<std::int64_t> times;
  bool revised = false, conflict = false, rolled_back = false;
  auto note = [&](const Result<WriteCounts>& r) {
    if (r.ok() && r->revised > 0) revised = true;
    if (!r.ok() && r.error().code == ErrorCode::kConflict) conflict = true;
  };
  while (!in.done()) {
    // Mostly later than every earlier transaction (revisions), sometimes a repeat of an earlier
    // time or an earlier one (conflicts).
    const std::int64_t t = in.next(4) != 0 || times.empty() ? 1000 * (static_cast<std::int64_t>(times.size()) + 1)
                                                            : times[in.next(static_cast<std::uint32_t>(times.size()))];
    if (std::find(times.begin(), times.end(), t) == times.end()) times.push_back(t);
    auto ta = sql.begin(sample_lineage(t));
    auto tb = mem.begin(sample_lineage(t));
    RC_ASSERT(ta.ok() && tb.ok());
    bool open = true;
    while (open && !in.done()) {
      const std::uint32_t op = in.next(10);
      // Ids 1..5 exist (3..5 are options); 6 never does.
      const std::int64_t id = in.next(16) == 0 ? 6 : op == 4 || op == 5 ? 3 + in.next(3) : 1 + in.next(5);
      const std::size_t n = in.next(6);
      if (op == 0) {
        const Instrument inst = pool_instrument(in.next(6));
        check_same((*ta)->upsert_instrument(inst), (*tb)->upsert_instrument(inst), "upsert");
      } else if (op <= 3) {
        std::vector<Bar> bars;
        for (std::size_t k = 0; k < n; ++k) {
          // Values mostly fixed per key, so rewrites are usually unchanged and sometimes revisions.
          const std::int64_t change = in.next(5) == 0 ? 1 : 0;
          Bar b = sample_bar(InstrumentId(id), in.next(2) ? kOneDay : kOneMinute, day(1 + static_cast<int>(in.next(5))),
                             92, 95, 90, 93 + change, 1 + change, 0);
          if (in.next(25) == 0) b.high = Price::from_raw(1, 2);  // invalid: high < low
          bars.push_back(b);
        }
        auto ra = (*ta)->put_bars(bars);
        note(ra);
        check_same(ra, (*tb)->put_bars(bars), "bars");
      } else if (op <= 5) {
        std::vector<OptionQuote> quotes;
        for (std::size_t k = 0; k < n; ++k) {
          const std::int64_t change = in.next(5) == 0 ? 1 : 0;
          quotes.push_back(testkit::sample_quote(InstrumentId(id), day(1 + static_cast<int>(in.next(5))), 100,
                                                 110 + change, 5, 50 + change, 0));
        }
        auto ra = (*ta)->put_option_quotes(quotes);
        note(ra);
        check_same(ra, (*tb)->put_option_quotes(quotes), "quotes");
      } else if (op == 6) {
        std::vector<CorporateAction> acts;
        for (std::size_t k = 0; k < n; ++k) {
          const Date ex = Date::ymd(2024, 3, 1 + static_cast<int>(in.next(3)));
          const std::int64_t change = in.next(5) == 0 ? 1 : 0;
          acts.push_back(in.next(2) ? testkit::sample_dividend(InstrumentId(id), ex, 10 + change)
                                    : testkit::sample_split(InstrumentId(id), ex, 2 + change, 1));
        }
        auto ra = (*ta)->put_corporate_actions(acts);
        note(ra);
        check_same(ra, (*tb)->put_corporate_actions(acts), "actions");
      } else if (op == 7) {
        compare_reads(sql, mem, times);  // reads inside the open transaction
      } else {
        if (in.next(3) != 0) {
          const Status ca = (*ta)->commit();
          const Status cb = (*tb)->commit();
          RC_ASSERT(ca.ok() && cb.ok());
        } else {
          rolled_back = true;
        }
        open = false;
      }
    }
    ta = make_error(ErrorCode::kInternal, "end");  // destroys the transaction (rolls back if open)
    tb = make_error(ErrorCode::kInternal, "end");
    compare_reads(sql, mem, times);
    compare_reads(sql, plain, times);
  }
  RC_CLASSIFY(sql.quote_cache_stats().hits > 0, "quote cache hits");
  RC_CLASSIFY(sql.quote_cache_stats().stale > 0, "stale quote files");
  RC_CLASSIFY(revised, "revision");
  RC_CLASSIFY(conflict, "conflict");
  RC_CLASSIFY(rolled_back, "rollback");
}

}  // namespace
}  // namespace keel::data
