// Tests of import_file against both stores (the MemoryStore oracle and SqliteStore): atomicity
// (a bad row in the middle leaves the store exactly as it was, even after earlier batches were
// written), skip_bad_rows, idempotent re-imports, revisions and the store's refusal of a
// revision "in the past", lineage, the Yahoo preset, the EuStockMarkets dataset from R, gzip,
// corrupt and missing files, progress and message caps, dry runs.
#include "keel/data/importer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "keel/data/sqlite_store.hpp"
#include "keel/data/store_util.hpp"
#include "keel/testkit/gzip_file.hpp"
#include "keel/testkit/memory_store.hpp"
#include "keel/testkit/temp_dir.hpp"

namespace keel::data {
namespace {

using ::testing::HasSubstr;
using testkit::TempDir;
using testkit::write_file;

Timestamp utc(int y, int mo, int d, int h = 0) { return *Timestamp::from_utc(y, mo, d, h); }
Timestamp at(std::int64_t ns) { return Timestamp::from_ns(ns); }

// Everything a reader can see in a store, for before/after comparisons.
struct Snapshot {
  std::vector<Instrument> instruments;
  std::vector<std::string> series;  // "symbol kind rows first last"
  std::vector<BarColumns> bars;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

Snapshot snapshot(Store& s) {
  Snapshot out;
  auto inst = s.instruments();
  EXPECT_TRUE(inst.ok());
  out.instruments = *inst;
  auto sum = s.summary();
  EXPECT_TRUE(sum.ok());
  for (const auto& x : *sum) {
    out.series.push_back(x.instrument.symbol + " " + x.kind + " " + std::to_string(x.rows) + " " + x.first.to_string() +
                         " " + x.last.to_string());
  }
  for (const auto& i : out.instruments) {
    for (Duration tf : {kOneDay, kOneMinute}) {
      auto b = s.load_bars(i.id, tf, Timestamp::min(), Timestamp::max());
      EXPECT_TRUE(b.ok());
      out.bars.push_back(*b);
    }
  }
  return out;
}

std::string eustock_path() {
  const char* env = std::getenv("KEEL_SOURCE_DIR");
  const std::string root = env != nullptr && *env != '\0' ? env : KEEL_SOURCE_DIR;
  return root + "/../shared/data/eustockmarkets.csv";
}

std::string fixture(const std::string& name) {
  const char* env = std::getenv("KEEL_SOURCE_DIR");
  const std::string root = env != nullptr && *env != '\0' ? env : KEEL_SOURCE_DIR;
  return root + "/tests/data/" + name;
}

constexpr const char* kHeader = "symbol,date,open,high,low,close,volume\n";
// Three good AAPL days.
const std::string kFileA = std::string(kHeader) +
                           "AAPL,2024-01-02,100,102,99,101,1000\n"
                           "AAPL,2024-01-03,101,103,100,102,1100\n"
                           "AAPL,2024-01-04,102,104,101,103,1200\n";
// New rows, a new instrument, a changed row and a bad row (line 4: high < low).
const std::string kFileB = std::string(kHeader) +
                           "AAPL,2024-01-05,103,105,102,104,1300\n"
                           "MSFT,2024-01-02,370,375,369,372,500\n"
                           "AAPL,2024-01-08,104,1,2,104,1400\n"
                           "AAPL,2024-01-09,104,106,103,105,1500\n"
                           "AAPL,2024-01-03,101,103,100,102.5,1100\n";

ImportSpec csv_spec(const std::string& path) {
  ImportSpec spec;
  spec.path = path;
  spec.mapping.symbol = "symbol";
  return spec;
}

ImportOptions options_at(Timestamp t) {
  ImportOptions o;
  o.ingested_at = t;
  return o;
}

class ImportTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      store_ = std::make_unique<testkit::MemoryStore>();
    } else {
      auto s = SqliteStore::open(dir_.file("keel.db"));
      ASSERT_TRUE(s.ok()) << s.error().message;
      store_ = std::move(*s);
    }
  }
  std::string write(const std::string& name, const std::string& text) {
    write_file(dir_.file(name), text);
    return dir_.file(name);
  }
  std::optional<Instrument> find(const std::string& symbol) {
    auto r = store_->find_instrument(symbol);
    EXPECT_TRUE(r.ok());
    return *r;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Stores, ImportTest, ::testing::Values("memory", "sqlite"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST_P(ImportTest, BadRowInTheMiddleLeavesTheStoreUnchanged) {
  const std::string a = write("a.csv", kFileA);
  ASSERT_TRUE(import_file(*store_, csv_spec(a), options_at(at(100))).ok());
  const Snapshot before = snapshot(*store_);

  const std::string b = write("b.csv", kFileB);
  ImportOptions opt = options_at(at(200));
  opt.batch_rows = 2;  // the first batch (lines 2–3, MSFT included) is written before line 4 fails
  ImportReport rep;
  Status s = import_file(*store_, csv_spec(b), opt, rep);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.error().message, b + ": 1 of 5 rows rejected, nothing imported (first: " + b +
                                   ":4: bar: high 1 < low 2)");
  EXPECT_FALSE(rep.committed);
  EXPECT_EQ(rep.rows_read, 5);
  EXPECT_EQ(rep.rejected, 1);
  EXPECT_EQ(rep.added, 0);
  EXPECT_EQ(rep.instruments_created, 0);
  EXPECT_EQ(rep.messages, (std::vector<std::string>{b + ":4: bar: high 1 < low 2"}));
  EXPECT_EQ(snapshot(*store_), before);
  EXPECT_FALSE(find("MSFT").has_value());
}

TEST_P(ImportTest, SkipBadRowsCommitsTheGoodOnesAndReportsTheBad) {
  const std::string a = write("a.csv", kFileA);
  ASSERT_TRUE(import_file(*store_, csv_spec(a), options_at(at(100))).ok());
  const std::string b = write("b.csv", kFileB);
  ImportOptions opt = options_at(at(200));
  opt.skip_bad_rows = true;
  opt.batch_rows = 2;
  auto rep = import_file(*store_, csv_spec(b), opt);
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_TRUE(rep->committed);
  EXPECT_EQ(rep->rows_read, 5);
  EXPECT_EQ(rep->added, 3);    // AAPL 01-05, MSFT 01-02, AAPL 01-09
  EXPECT_EQ(rep->revised, 1);  // AAPL 01-03 close 102 → 102.5
  EXPECT_EQ(rep->unchanged, 0);
  EXPECT_EQ(rep->rejected, 1);
  EXPECT_EQ(rep->instruments_created, 1);
  EXPECT_EQ(rep->messages, (std::vector<std::string>{b + ":4: bar: high 1 < low 2"}));
  auto aapl = find("AAPL");
  ASSERT_TRUE(aapl.has_value());
  auto bars = store_->load_bars(aapl->id, kOneDay, utc(2024, 1, 1), utc(2024, 2, 1));
  ASSERT_TRUE(bars.ok());
  EXPECT_EQ(bars->size(), 5u);  // 2, 3, 4, 5, 9
  EXPECT_EQ(bars->close[1], 10250000000);
  // As of the first import, 01-03 still closes at 102.
  auto then = store_->load_bars(aapl->id, kOneDay, utc(2024, 1, 1), utc(2024, 2, 1), AsOf::at(at(150)));
  ASSERT_TRUE(then.ok());
  ASSERT_EQ(then->size(), 3u);
  EXPECT_EQ(then->close[1], 10200000000);
}

TEST_P(ImportTest, ReimportingTheSameFileAddsNothing) {
  const std::string a = write("a.csv", kFileA);
  auto first = import_file(*store_, csv_spec(a), options_at(at(100)));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->added, 3);
  EXPECT_EQ(first->instruments_created, 1);
  const Snapshot before = snapshot(*store_);
  auto again = import_file(*store_, csv_spec(a), options_at(at(200)));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->added, 0);
  EXPECT_EQ(again->unchanged, 3);
  EXPECT_EQ(again->revised, 0);
  EXPECT_EQ(again->instruments_created, 0);
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(ImportTest, ARevisionBeforeWhatTheStoreKnewIsRefusedRowByRow) {
  const std::string a = write("a.csv", kFileA);
  ASSERT_TRUE(import_file(*store_, csv_spec(a), options_at(at(200))).ok());
  const Snapshot before = snapshot(*store_);
  // Same keys, one changed value, but an earlier knowledge time: the store refuses that row.
  std::string changed = kFileA;
  changed.replace(changed.find("102,1100"), 8, "102.5,1100");
  const std::string c = write("c.csv", changed);
  ImportReport rep;
  Status s = import_file(*store_, csv_spec(c), options_at(at(100)), rep);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
  ASSERT_EQ(rep.messages.size(), 1u);
  EXPECT_THAT(rep.messages[0], ::testing::StartsWith(c + ":3: store refused the row: "));
  EXPECT_EQ(snapshot(*store_), before);

  ImportOptions skip = options_at(at(100));
  skip.skip_bad_rows = true;
  auto rep2 = import_file(*store_, csv_spec(c), skip);
  ASSERT_TRUE(rep2.ok());
  EXPECT_EQ(rep2->unchanged, 2);
  EXPECT_EQ(rep2->rejected, 1);
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(ImportTest, YahooPreset) {
  // Yahoo Finance's daily download layout; Adj Close is ignored (raw prices are stored).
  const std::string y = write("AAPL.csv",
                              "Date,Open,High,Low,Close,Adj Close,Volume\n"
                              "2024-01-02,187.149994,188.440002,183.889999,185.639999,184.938217,82488700\n"
                              "2024-01-03,184.220001,185.880005,183.429993,184.250000,183.553467,58414500\n");
  ImportSpec spec;
  spec.format = ImportFormat::kYahoo;
  spec.path = y;
  spec.symbol = "AAPL";
  auto rep = import_file(*store_, spec, options_at(at(100)));
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(rep->transform_id, "csv-yahoo/1");
  EXPECT_EQ(rep->added, 2);
  auto aapl = find("AAPL");
  ASSERT_TRUE(aapl.has_value());
  auto bars = store_->load_bars(aapl->id, kOneDay, utc(2024, 1, 1), utc(2024, 2, 1));
  ASSERT_TRUE(bars.ok());
  ASSERT_EQ(bars->size(), 2u);
  EXPECT_EQ(bars->ts_event[0], utc(2024, 1, 2).ns());
  EXPECT_EQ(bars->ts_recv[0], utc(2024, 1, 2, 21).ns());  // 16:00 EST
  EXPECT_EQ(bars->open[0], 18714999400);                   // 187.149994 x 1e8
  EXPECT_EQ(bars->close[1], 18425000000);
  EXPECT_EQ(bars->volume[1], 5841450000000000);

  spec.symbol.clear();
  auto nosym = import_file(*store_, spec, options_at(at(100)));
  ASSERT_FALSE(nosym.ok());
  EXPECT_EQ(nosym.error().code, ErrorCode::kInvalidArgument);
}

// R's datasets::EuStockMarkets: daily closes of DAX, SMI, CAC and FTSE, 1991–1998, 1860 rows
// "in business time" (no dates). The first and last rows in R's documentation (head/tail):
// 1628.75 1678.1 1772.8 2443.6 and 5473.72 7676.3 3995.0 5455.0. Dates come from the
// trading-day index on the US calendar from 1991-07-01 (approximate for European markets; the
// series itself carries none).
void import_eustock(Store& store, const std::string& path, std::int64_t rows, Timestamp t) {
  const char* columns[] = {"DAX", "SMI", "CAC", "FTSE"};
  for (const char* col : columns) {
    ImportSpec spec;
    spec.path = path;
    spec.symbol = col;
    spec.asset_class = AssetClass::kIndex;
    spec.mapping.time = "day";
    spec.mapping.time_format = TimeFormat::kTradingDayIndex;
    spec.mapping.day_index_origin = Date::ymd(1991, 7, 1);
    spec.mapping.open = spec.mapping.high = spec.mapping.low = spec.mapping.volume = "";
    spec.mapping.close = col;
    auto rep = import_file(store, spec, options_at(t));
    ASSERT_TRUE(rep.ok()) << rep.error().message;
    EXPECT_EQ(rep->rows_read, rows);
    EXPECT_EQ(rep->rejected, 0);
    EXPECT_EQ(rep->added + rep->unchanged, rows);
  }
}

TEST_P(ImportTest, EuStockMarketsExcerptWithTheGenericMapping) {
  const std::string path = fixture("eustockmarkets_head.csv");
  import_eustock(*store_, path, 30, at(100));
  auto dax = find("DAX");
  ASSERT_TRUE(dax.has_value());
  EXPECT_EQ(dax->asset_class, AssetClass::kIndex);
  auto bars = store_->load_bars(dax->id, kOneDay, Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(bars.ok());
  ASSERT_EQ(bars->size(), 30u);
  EXPECT_EQ(bars->close[0], 162875000000);  // 1628.75
  EXPECT_EQ(bars->open[0], 162875000000);   // close-only: open = high = low = close
  EXPECT_EQ(bars->ts_event[0], utc(1991, 7, 1).ns());
  // 1991-07-04 is Independence Day: index 4 is Friday 07-05.
  EXPECT_EQ(bars->ts_event[3], utc(1991, 7, 5).ns());
  auto ftse = find("FTSE");
  ASSERT_TRUE(ftse.has_value());
  auto fb = store_->load_bars(ftse->id, kOneDay, Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(fb.ok());
  EXPECT_EQ(fb->close[0], 244360000000);  // 2443.6
}

TEST_P(ImportTest, EuStockMarketsFullDatasetAndReimport) {
  const std::string path = eustock_path();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) GTEST_SKIP() << "shared dataset not present: " << path;
  import_eustock(*store_, path, 1860, at(100));
  for (const auto& [sym, first, last] : {std::tuple{"DAX", 162875000000, 547372000000},
                                         std::tuple{"SMI", 167810000000, 767630000000},
                                         std::tuple{"CAC", 177280000000, 399500000000},
                                         std::tuple{"FTSE", 244360000000, 545500000000}}) {
    auto inst = find(sym);
    ASSERT_TRUE(inst.has_value());
    auto bars = store_->load_bars(inst->id, kOneDay, Timestamp::min(), Timestamp::max());
    ASSERT_TRUE(bars.ok());
    ASSERT_EQ(bars->size(), 1860u) << sym;
    EXPECT_EQ(bars->close.front(), first) << sym;
    EXPECT_EQ(bars->close.back(), last) << sym;
  }
  const Snapshot before = snapshot(*store_);
  import_eustock(*store_, path, 1860, at(200));  // every row unchanged
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(ImportTest, GzipImportEqualsPlainImport) {
  std::string text = kHeader;
  for (int d = 2; d <= 31; ++d) {
    const Date date = Date::ymd(2024, 1, d);
    if (date.is_weekend() || d == 15) continue;  // 2024-01-15 is Martin Luther King Jr. Day
    text += "XYZ," + date.to_string() + ",10,12,9," + std::to_string(10 + d % 2) + "," + std::to_string(d * 10) + "\n";
  }
  const std::string gz = write("x.csv.gz", testkit::gzip_bytes(text));
  auto rep = import_file(*store_, csv_spec(gz), options_at(at(100)));
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(rep->added, 21);  // January 2024 had 21 trading days
  testkit::MemoryStore plain_store;
  const std::string plain = write("x.csv", text);
  ASSERT_TRUE(import_file(plain_store, csv_spec(plain), options_at(at(100))).ok());
  EXPECT_EQ(snapshot(*store_), snapshot(plain_store));
}

TEST_P(ImportTest, CorruptGzipFailsCleanly) {
  std::string text = kHeader;
  for (int i = 0; i < 2000; ++i) text += "AAPL,2024-01-02,1,1,1,1," + std::to_string(i) + "\n";
  std::string gz = testkit::gzip_bytes(text);
  for (std::size_t i = gz.size() / 2; i < gz.size() / 2 + 8; ++i) gz[i] = static_cast<char>(~gz[i]);
  const std::string path = write("bad.csv.gz", gz);
  ImportReport rep;
  Status s = import_file(*store_, csv_spec(path), options_at(at(100)), rep);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_THAT(s.error().message, HasSubstr(path));
  EXPECT_FALSE(rep.committed);
  EXPECT_EQ(snapshot(*store_), Snapshot{});
}

TEST_P(ImportTest, MissingFileIsNotFound) {
  const std::string path = dir_.file("missing.csv");
  auto r = import_file(*store_, csv_spec(path), options_at(at(100)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(r.error().message, HasSubstr(path));
}

TEST_P(ImportTest, DryRunCountsButWritesNothing) {
  const std::string a = write("a.csv", kFileA);
  ImportOptions opt = options_at(at(100));
  opt.dry_run = true;
  auto rep = import_file(*store_, csv_spec(a), opt);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->added, 3);
  EXPECT_FALSE(rep->committed);
  EXPECT_EQ(snapshot(*store_), Snapshot{});
}

TEST_P(ImportTest, ExistingDefinitionOfASymbolIsKept) {
  {
    auto tx = store_->begin(Lineage{at(50), "manual://", "test/1"});
    ASSERT_TRUE(tx.ok());
    Instrument spy;
    spy.symbol = "SPY";
    spy.asset_class = AssetClass::kEtf;
    ASSERT_TRUE((*tx)->upsert_instrument(spy).ok());
    ASSERT_TRUE((*tx)->commit().ok());
  }
  const std::string p = write("day.csv",
                              "ticker,volume,open,close,high,low,window_start,transactions\n"
                              "SPY,1000,472.16,472.65,473.67,470.49,1704171600000000000,9\n");
  ImportSpec spec;
  spec.format = ImportFormat::kPolygonStocksDay;
  spec.path = p;
  auto rep = import_file(*store_, spec, options_at(at(100)));
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(rep->instruments_created, 0);
  EXPECT_EQ(rep->added, 1);
  EXPECT_EQ(find("SPY")->asset_class, AssetClass::kEtf);
}

TEST_P(ImportTest, GenericCsvWithOptionSymbols) {
  // OSI symbols in a generic CSV become contracts; an invalid one is a rejected row.
  const std::string p = write("opts.csv",
                              "symbol,date,open,high,low,close,volume\n"
                              "AAPL  240119C00190000,2024-01-02,3.1,3.5,2.9,3.2,150\n"
                              "AAPL  240119C0019000X,2024-01-02,3.1,3.5,2.9,3.2,150\n");
  ImportSpec spec = csv_spec(p);
  spec.asset_class = AssetClass::kOption;
  ImportReport rep;
  Status s = import_file(*store_, spec, options_at(at(100)), rep);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kParse);
  ASSERT_EQ(rep.messages.size(), 1u);
  EXPECT_THAT(rep.messages[0], ::testing::StartsWith(p + ":3: symbol 'AAPL  240119C0019000X': invalid OSI option symbol"));
  EXPECT_EQ(snapshot(*store_), Snapshot{});

  ImportOptions skip = options_at(at(100));
  skip.skip_bad_rows = true;
  auto ok = import_file(*store_, spec, skip);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->added, 1);
  EXPECT_EQ(ok->instruments_created, 2);  // AAPL and the contract
  auto contract = find("AAPL  240119C00190000");
  ASSERT_TRUE(contract.has_value());
  EXPECT_EQ(contract->option->strike, *Price::parse("190"));
}

TEST(Importer, ProgressRejectStreamAndMessageCap) {
  TempDir dir;
  std::string text = std::string(kHeader) + "A,2024-01-02,1,1,1,1,1\n";
  for (int i = 0; i < 5; ++i) text += "A,2024-01-03,x,1,1,1,1\n";
  write_file(dir.file("p.csv"), text);
  testkit::MemoryStore store;
  ImportOptions opt = options_at(at(100));
  opt.skip_bad_rows = true;
  opt.max_messages = 2;
  opt.batch_rows = 2;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> progress;
  std::vector<std::string> streamed;
  opt.progress = [&](std::uint64_t done, std::uint64_t total) { progress.emplace_back(done, total); };
  opt.on_reject = [&](const std::string& m) { streamed.push_back(m); };
  auto rep = import_file(store, csv_spec(dir.file("p.csv")), opt);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->rejected, 5);
  EXPECT_EQ(rep->added, 1);
  ASSERT_EQ(rep->messages.size(), 2u);
  ASSERT_EQ(streamed.size(), 5u);
  EXPECT_EQ(streamed[4], dir.file("p.csv") + ":7: open: invalid price 'x': not a decimal number");
  ASSERT_FALSE(progress.empty());
  for (std::size_t i = 1; i < progress.size(); ++i) EXPECT_GE(progress[i].first, progress[i - 1].first);
  EXPECT_EQ(progress.back(), std::make_pair(std::uint64_t{text.size()}, std::uint64_t{text.size()}));
}

TEST(Importer, LineageNamesTheFileAndTheTransform) {
  TempDir dir;
  write_file(dir.file("a.csv"), kFileA);
  testkit::MemoryStore store;
  ASSERT_TRUE(import_file(store, csv_spec(dir.file("a.csv")), options_at(at(12345))).ok());
  auto aapl = store.find_instrument("AAPL");
  ASSERT_TRUE(aapl.ok() && aapl->has_value());
  auto lin = store.bar_lineage((*aapl)->id, kOneDay, utc(2024, 1, 3));
  ASSERT_TRUE(lin.has_value());
  EXPECT_EQ(lin->source_uri, dir.file("a.csv"));
  EXPECT_EQ(lin->transform_id, "csv/1");
  EXPECT_EQ(lin->ingested_at, at(12345));
}

TEST(Importer, RequiresIngestedAt) {
  testkit::MemoryStore store;
  auto r = import_file(store, csv_spec("/tmp/x.csv"), ImportOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(Importer, FormatNames) {
  for (std::string_view n : import_format_names()) EXPECT_EQ(to_string(*parse_import_format(n)), n);
  auto bad = parse_import_format("google");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message,
            "unknown import format or preset 'google' (known: csv, yahoo, polygon-stocks-day, polygon-stocks-minute, "
            "polygon-options-day)");
  EXPECT_EQ(transform_id(ImportFormat::kCsv), "csv/1");
  EXPECT_EQ(transform_id(ImportFormat::kYahoo), "csv-yahoo/1");
  EXPECT_EQ(transform_id(ImportFormat::kPolygonStocksMinute), "polygon-stocks-minute/1");
}

TEST(Importer, SummaryLine) {
  ImportReport r;
  r.source_uri = "a.csv";
  r.rows_read = 252;
  r.added = 250;
  r.rejected = 2;
  r.committed = true;
  r.elapsed = std::chrono::milliseconds(1234);
  EXPECT_EQ(r.summary(), "a.csv: 252 rows read, 250 added, 0 unchanged, 0 revised, 2 rejected; committed in 1.23 s");
}

}  // namespace
}  // namespace keel::data
