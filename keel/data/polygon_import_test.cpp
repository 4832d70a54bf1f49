// Tests of the Polygon (Massive) flat-file mapping on the example rows published in the flat-file
// docs (https://massive.com/docs/flat-files/options/day-aggregates.md), with the window_start
// instants converted by hand, plus option roots and contract definitions.
#include "keel/data/polygon_import.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "keel/data/importer.hpp"
#include "keel/testkit/gzip_file.hpp"
#include "keel/testkit/memory_store.hpp"
#include "keel/testkit/temp_dir.hpp"

namespace keel::data {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Timestamp utc(int y, int mo, int d, int h = 0, int mi = 0) { return *Timestamp::from_utc(y, mo, d, h, mi); }

// The three example rows of the options day-aggregates page, verbatim.
constexpr const char* kOptionsDayDocs =
    "ticker,volume,open,close,high,low,window_start,transactions\n"
    "O:SPY230327P00390000,200,11.82,9.83,11.82,8.09,1678680000000000000,62\n"
    "O:IWM230327C00137000,1,35.77,35.77,35.77,35.77,1679889600000000000,1\n"
    "O:NANOS230327C00400000,2,1.17,0.26,1.17,0.26,1679889600000000000,2\n";

struct Parsed {
  std::vector<ParsedBar> bars;
  std::vector<std::string> errors;
  std::vector<FileSymbol> symbols;
  std::vector<Instrument> underlyings;
  std::vector<std::string> warnings;
};

Parsed parse(PolygonDataset ds, std::string text) {
  BarParserConfig cfg = polygon_parser_config(ds, "p.csv");
  auto parser = BarFileParser::open(std::move(cfg), InputFile::from_memory(std::move(text), "p.csv"));
  EXPECT_TRUE(parser.ok()) << parser.error().message;
  Parsed out;
  if (!parser.ok()) return out;
  std::vector<RowError> rejected;
  auto more = parser->next_batch(out.bars, 1000, rejected);
  EXPECT_TRUE(more.ok());
  for (auto& r : rejected) out.errors.push_back(r.error.message);
  out.symbols = parser->symbols();
  out.underlyings = parser->underlyings();
  out.warnings = parser->take_warnings();
  return out;
}

TEST(Polygon, TransformIdsAndTimeframes) {
  EXPECT_EQ(transform_id(PolygonDataset::kStocksDay), "polygon-stocks-day/1");
  EXPECT_EQ(transform_id(PolygonDataset::kStocksMinute), "polygon-stocks-minute/1");
  EXPECT_EQ(transform_id(PolygonDataset::kOptionsDay), "polygon-options-day/1");
  EXPECT_EQ(polygon_timeframe(PolygonDataset::kStocksMinute), kOneMinute);
  EXPECT_EQ(polygon_timeframe(PolygonDataset::kOptionsDay), kOneDay);
}

TEST(Polygon, OptionRoots) {
  const OptionRoot spxw = option_root("SPXW");
  EXPECT_EQ(spxw.underlying, "SPX");
  EXPECT_EQ(spxw.underlying_class, AssetClass::kIndex);
  EXPECT_EQ(spxw.exercise, ExerciseStyle::kEuropean);
  EXPECT_EQ(spxw.settlement, Settlement::kCash);
  EXPECT_FALSE(spxw.adjusted);
  EXPECT_EQ(option_root("NDXP").underlying, "NDX");
  const OptionRoot spy = option_root("SPY");
  EXPECT_EQ(spy.underlying, "SPY");
  EXPECT_EQ(spy.underlying_class, AssetClass::kEquity);
  EXPECT_EQ(spy.exercise, ExerciseStyle::kAmerican);
  EXPECT_EQ(spy.settlement, Settlement::kPhysical);
  const OptionRoot adj = option_root("AAPL1");
  EXPECT_EQ(adj.underlying, "AAPL");
  EXPECT_TRUE(adj.adjusted);
}

TEST(Polygon, OptionDefinitionFromVendorTicker) {
  auto def = option_symbol_definition("O:SPY230327P00390000");
  ASSERT_TRUE(def.ok()) << def.error().message;
  const Instrument& c = def->instrument;
  EXPECT_EQ(c.symbol, "SPY   230327P00390000");  // OSI: root padded to 6
  EXPECT_EQ(c.asset_class, AssetClass::kOption);
  ASSERT_TRUE(c.option.has_value());
  EXPECT_EQ(c.option->underlying, "SPY");
  EXPECT_EQ(c.option->expiry, Date::ymd(2023, 3, 27));
  EXPECT_EQ(c.option->strike, *Price::parse("390"));
  EXPECT_EQ(c.option->right, OptionRight::kPut);
  EXPECT_EQ(c.option->multiplier, 100);
  ASSERT_TRUE(def->underlying.has_value());
  EXPECT_EQ(def->underlying->symbol, "SPY");
  EXPECT_TRUE(def->warning.empty());

  auto spxw = option_symbol_definition("O:SPXW240119C04800000");
  ASSERT_TRUE(spxw.ok());
  EXPECT_EQ(spxw->instrument.symbol, "SPXW  240119C04800000");
  EXPECT_EQ(spxw->instrument.option->underlying, "SPX");
  EXPECT_EQ(spxw->instrument.option->exercise, ExerciseStyle::kEuropean);
  EXPECT_EQ(spxw->underlying->asset_class, AssetClass::kIndex);

  auto adj = option_symbol_definition("O:AAPL1240119C00190000");
  ASSERT_TRUE(adj.ok());
  EXPECT_EQ(adj->instrument.symbol, "AAPL1 240119C00190000");
  EXPECT_EQ(adj->instrument.option->underlying, "AAPL");
  EXPECT_THAT(adj->warning, HasSubstr("adjusted option root AAPL1"));

  // The OSI form is accepted too (generic CSV with option symbols).
  auto osi = option_symbol_definition("SPY   230327P00390000");
  ASSERT_TRUE(osi.ok());
  EXPECT_EQ(osi->instrument, def->instrument);

  auto bad = option_symbol_definition("O:SPY231327P00390000");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kParse);
}

TEST(Polygon, OptionsDayAggregatesFromTheDocsBecomeDailyBarsOfTheContracts) {
  const Parsed p = parse(PolygonDataset::kOptionsDay, kOptionsDayDocs);
  ASSERT_TRUE(p.errors.empty()) << p.errors[0];
  ASSERT_EQ(p.bars.size(), 3u);
  // 1678680000 s = 2023-03-13 04:00 UTC = 00:00 EDT (DST began 2023-03-12): trading date 03-13.
  const Bar& spy = p.bars[0].bar;
  EXPECT_EQ(spy.timeframe, kOneDay);
  EXPECT_EQ(spy.ts_event, utc(2023, 3, 13));
  EXPECT_EQ(spy.ts_recv, utc(2023, 3, 13, 20));  // 16:00 EDT
  EXPECT_EQ(spy.open, *Price::parse("11.82"));
  EXPECT_EQ(spy.high, *Price::parse("11.82"));
  EXPECT_EQ(spy.low, *Price::parse("8.09"));
  EXPECT_EQ(spy.close, *Price::parse("9.83"));
  EXPECT_EQ(spy.volume, *Quantity::parse("200"));
  EXPECT_EQ(spy.trade_count, 62);
  // 1679889600 s = 2023-03-27 04:00 UTC = 00:00 EDT: trading date 03-27, the expiry day.
  EXPECT_EQ(p.bars[1].bar.ts_event, utc(2023, 3, 27));
  ASSERT_EQ(p.symbols.size(), 3u);
  EXPECT_EQ(p.symbols[2].instrument.symbol, "NANOS 230327C00400000");
  ASSERT_EQ(p.symbols[2].underlying, 2);
  ASSERT_EQ(p.underlyings.size(), 3u);
  EXPECT_EQ(p.underlyings[2].symbol, "NANOS");
  EXPECT_TRUE(p.warnings.empty());
}

TEST(Polygon, InvalidOptionTickersAndBarsAfterExpiryAreRejected) {
  const Parsed p = parse(PolygonDataset::kOptionsDay,
                         "ticker,volume,open,close,high,low,window_start,transactions\n"
                         "O:SPY230327P00390000,200,11.82,9.83,11.82,8.09,1678680000000000000,62\n"
                         "O:SPY231327P00390000,1,1,1,1,1,1678680000000000000,1\n"
                         "SPY,1,1,1,1,1,1678680000000000000,1\n"
                         // 1680062400 s = 2023-03-29 04:00 UTC = midnight EDT, after the 03-27 expiry.
                         "O:SPY230327P00390000,1,1,1,1,1,1680062400000000000,1\n");
  ASSERT_EQ(p.bars.size(), 1u);
  ASSERT_EQ(p.errors.size(), 3u);
  EXPECT_THAT(p.errors[0], StartsWith("p.csv:3: ticker 'O:SPY231327P00390000': invalid vendor option symbol"));
  EXPECT_THAT(p.errors[0], HasSubstr("expiry '231327' is not a calendar date"));
  EXPECT_THAT(p.errors[1], StartsWith("p.csv:4: ticker 'SPY': invalid option symbol 'SPY'"));
  EXPECT_EQ(p.errors[2], "p.csv:5: bar on 2023-03-29 after the expiry 2023-03-27 of SPY   230327P00390000");
}

TEST(Polygon, ContractsShareTheirUnderlyingAndAdjustedRootsWarn) {
  const Parsed p = parse(PolygonDataset::kOptionsDay,
                         "ticker,volume,open,close,high,low,window_start,transactions\n"
                         "O:SPY230327P00390000,1,1,1,1,1,1678680000000000000,1\n"
                         "O:SPY230327C00390000,1,1,1,1,1,1678680000000000000,1\n"
                         "O:SPY1230327C00390000,1,1,1,1,1,1678680000000000000,1\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0];
  ASSERT_EQ(p.symbols.size(), 3u);
  ASSERT_EQ(p.underlyings.size(), 1u);
  EXPECT_EQ(p.symbols[0].underlying, 0);
  EXPECT_EQ(p.symbols[1].underlying, 0);
  EXPECT_EQ(p.symbols[2].underlying, 0);
  EXPECT_EQ(p.symbols[2].instrument.symbol, "SPY1  230327C00390000");
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_THAT(p.warnings[0], HasSubstr("adjusted option root SPY1"));
}

TEST(Polygon, StocksMinuteAggregates) {
  // 1704205800e9 ns = 2024-01-02 14:30 UTC = 09:30 EST.
  const Parsed p = parse(PolygonDataset::kStocksMinute,
                         "ticker,volume,open,close,high,low,window_start,transactions\n"
                         "AAPL,4096,187.15,187.3,187.4,187.1,1704205800000000000,120\n"
                         "AAPL,2048,187.3,187.2,187.35,187.15,1704205860000000000,80\n"
                         "AAPL,1,187.3,187.2,187.35,187.15,1704205860000000000,1\n");
  ASSERT_EQ(p.bars.size(), 2u);
  EXPECT_EQ(p.bars[0].bar.timeframe, kOneMinute);
  EXPECT_EQ(p.bars[0].bar.ts_event, utc(2024, 1, 2, 14, 30));
  EXPECT_EQ(p.bars[0].bar.ts_recv, utc(2024, 1, 2, 14, 31));
  EXPECT_EQ(p.errors, (std::vector<std::string>{"p.csv:4: duplicate 2024-01-02T14:31:00Z for AAPL (first at line 3)"}));
}

TEST(Polygon, StocksDayAggregatesWithColumnsReordered) {
  // Columns are found by name: a file with another order reads the same.
  const Parsed p = parse(PolygonDataset::kStocksDay,
                         "window_start,ticker,open,high,low,close,volume,transactions\n"
                         "1704171600000000000,AAPL,187.15,188.44,183.885,185.64,82488700,1008871\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0];
  ASSERT_EQ(p.bars.size(), 1u);
  EXPECT_EQ(p.bars[0].bar.ts_event, utc(2024, 1, 2));
  EXPECT_EQ(p.bars[0].bar.ts_recv, utc(2024, 1, 2, 21));
  EXPECT_EQ(p.bars[0].bar.trade_count, 1008871);
  EXPECT_EQ(p.symbols[0].instrument.asset_class, AssetClass::kEquity);
}

TEST(Polygon, MissingColumnIsAnErrorBeforeAnyRow) {
  auto parser = BarFileParser::open(polygon_parser_config(PolygonDataset::kStocksDay, "p.csv"),
                                    InputFile::from_memory("ticker,volume,open,close,high,low\n", "p.csv"));
  ASSERT_FALSE(parser.ok());
  EXPECT_EQ(parser.error().message,
            "p.csv:1: no time column 'window_start' in the header (columns: ticker, volume, open, close, high, low)");
}

TEST(Polygon, OptionsImportCreatesUnderlyingsAndContracts) {
  testkit::TempDir dir;
  const std::string path = dir.file("2023-03-27.csv.gz");
  testkit::write_file(path, testkit::gzip_bytes(kOptionsDayDocs));
  testkit::MemoryStore store;
  ImportSpec spec;
  spec.format = ImportFormat::kPolygonOptionsDay;
  spec.path = path;
  ImportOptions opt;
  opt.ingested_at = utc(2023, 3, 28, 16);
  auto rep = import_file(store, spec, opt);
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(rep->rows_read, 3);
  EXPECT_EQ(rep->added, 3);
  EXPECT_EQ(rep->instruments_created, 6);  // SPY, IWM, NANOS and one contract each
  EXPECT_EQ(rep->transform_id, "polygon-options-day/1");
  auto contracts = store.option_contracts("SPY", Date::ymd(2023, 3, 1));
  ASSERT_TRUE(contracts.ok());
  ASSERT_EQ(contracts->size(), 1u);
  EXPECT_EQ((*contracts)[0].symbol, "SPY   230327P00390000");
  auto bars = store.load_bars((*contracts)[0].id, kOneDay, utc(2023, 3, 1), utc(2023, 4, 1));
  ASSERT_TRUE(bars.ok());
  ASSERT_EQ(bars->size(), 1u);
  EXPECT_EQ(bars->close[0], 983000000);  // 9.83 x 1e8
  auto underlying = store.find_instrument("SPY");
  ASSERT_TRUE(underlying.ok());
  ASSERT_TRUE(underlying->has_value());
  EXPECT_EQ((*underlying)->asset_class, AssetClass::kEquity);
}

TEST(Polygon, ImportReportsAdjustedContracts) {
  testkit::TempDir dir;
  const std::string path = dir.file("adj.csv");
  testkit::write_file(path,
                      "ticker,volume,open,close,high,low,window_start,transactions\n"
                      "O:SPY1230327C00390000,1,1,1,1,1,1678680000000000000,1\n");
  testkit::MemoryStore store;
  ImportSpec spec;
  spec.format = ImportFormat::kPolygonOptionsDay;
  spec.path = path;
  ImportOptions opt;
  opt.ingested_at = utc(2023, 3, 28, 16);
  auto rep = import_file(store, spec, opt);
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  ASSERT_EQ(rep->warnings.size(), 1u);
  EXPECT_EQ(rep->warnings[0],
            "adjusted option root SPY1 (SPY1  230327C00390000): deliverable not in the file, recorded as 100 shares of SPY");
}

TEST(Polygon, ImportRefusesAFixedSymbol) {
  ImportSpec spec;
  spec.format = ImportFormat::kPolygonStocksDay;
  spec.path = "x.csv";
  spec.symbol = "AAPL";
  auto cfg = parser_config(spec);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace keel::data
