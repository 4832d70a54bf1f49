// Tests of BarFileParser (CSV rows → validated Bars, no store): time formats, daily and intraday
// timestamps against the NYSE calendar (session closes worked out by hand from the UTC offsets
// of New York: EST = UTC−5, EDT = UTC−4), every kind of rejected row with its exact
// "file:line: reason", duplicate detection in sorted and unsorted files, and the fast decimal
// path against Price::parse, the exact parser it must agree with.
#include "keel/data/csv_import.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "keel/testkit/gzip_file.hpp"
#include "keel/testkit/temp_dir.hpp"

namespace keel::data {
namespace {

struct Parsed {
  std::vector<ParsedBar> bars;
  std::vector<std::string> errors;
  std::vector<std::int64_t> error_lines;
  std::vector<FileSymbol> symbols;
  std::int64_t rows_read = 0;
};

Result<Parsed> parse_text(std::string text, BarParserConfig cfg, std::size_t batch = 3) {
  if (cfg.path.empty()) cfg.path = "t.csv";
  const std::string name = cfg.path;
  KEEL_TRY(parser, BarFileParser::open(std::move(cfg), InputFile::from_memory(std::move(text), name)));
  Parsed out;
  std::vector<ParsedBar> rows;
  std::vector<RowError> rejected;
  for (bool more = true; more;) {
    KEEL_TRY(m, parser.next_batch(rows, batch, rejected));
    more = m;
    EXPECT_LE(rows.size(), batch);
    out.bars.insert(out.bars.end(), rows.begin(), rows.end());
  }
  for (auto& r : rejected) {
    out.errors.push_back(r.error.message);
    out.error_lines.push_back(r.line);
  }
  out.symbols = parser.symbols();
  out.rows_read = parser.rows_read();
  return out;
}

BarParserConfig long_format() {
  BarParserConfig cfg;
  cfg.mapping.symbol = "symbol";
  return cfg;
}

Timestamp utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) { return *Timestamp::from_utc(y, mo, d, h, mi, s); }
Price px(const char* s) { return *Price::parse(s); }

constexpr const char* kHeader = "symbol,date,open,high,low,close,volume\n";

TEST(BarFileParser, DailyBarsGetMidnightUtcAndTheSessionClose) {
  const std::string text = std::string(kHeader) +
                           "AAPL,2024-01-02,187.15,188.44,183.885,185.64,82488700\n"  // EST
                           "AAPL,2024-07-01,212.09,217.51,211.92,216.75,60402900\n"   // EDT
                           "AAPL,2024-07-03,220.00,221.55,219.03,221.55,37369800\n"   // early close
                           "AAPL,20241129,235.00,237.81,233.97,237.33,28481400\n";    // early close, YYYYMMDD
  auto p = parse_text(text, long_format());
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_TRUE(p->errors.empty()) << p->errors[0];
  ASSERT_EQ(p->bars.size(), 4u);
  const Bar& b = p->bars[0].bar;
  EXPECT_EQ(p->bars[0].line, 2);
  EXPECT_EQ(b.timeframe, kOneDay);
  EXPECT_EQ(b.ts_event, utc(2024, 1, 2));
  EXPECT_EQ(b.ts_recv, utc(2024, 1, 2, 21));  // 16:00 EST
  EXPECT_EQ(b.open, px("187.15"));
  EXPECT_EQ(b.high, px("188.44"));
  EXPECT_EQ(b.low.raw(), 18388500000);  // 183.885 x 1e8
  EXPECT_EQ(b.low.precision(), 3);
  EXPECT_EQ(b.close, px("185.64"));
  EXPECT_EQ(b.volume, *Quantity::parse("82488700"));
  EXPECT_EQ(p->bars[1].bar.ts_recv, utc(2024, 7, 1, 20));  // 16:00 EDT
  EXPECT_EQ(p->bars[2].bar.ts_recv, utc(2024, 7, 3, 17));  // 13:00 EDT, day before Independence Day
  EXPECT_EQ(p->bars[3].bar.ts_event, utc(2024, 11, 29));
  EXPECT_EQ(p->bars[3].bar.ts_recv, utc(2024, 11, 29, 18));  // 13:00 EST, day after Thanksgiving
  ASSERT_EQ(p->symbols.size(), 1u);
  EXPECT_EQ(p->symbols[0].instrument.symbol, "AAPL");
  EXPECT_EQ(p->symbols[0].instrument.asset_class, AssetClass::kEquity);
}

TEST(BarFileParser, EveryBadRowIsReportedWithFileAndLine) {
  const std::string text = std::string(kHeader) +
                           "AAPL,2024-01-02,100,101,99,100.5,1000\n"        // 2 ok
                           "AAPL,2024-01-03,abc,101,99,100,1000\n"          // 3 non-numeric
                           "AAPL,2024-01-04,100,99,101,100,1000\n"          // 4 high < low
                           "AAPL,2024-01-05,0,101,99,100,1000\n"            // 5 non-positive
                           "AAPL,2024-13-01,100,101,99,100,1000\n"          // 6 bad date
                           "AAPL,2024-01-02,100,101,99,100,1000\n"          // 7 duplicate of 2
                           "AAPL,2024-01-08,100,101,99,100\n"               // 8 column count
                           "AAPL,2024-01-09,1\"00,101,99,100,1000\n"        // 9 bad quoting
                           "AAPL,2024-01-06,100,101,99,100,1000\n"          // 10 Saturday
                           "AAPL,1985-01-02,100,101,99,100,1000\n"          // 11 outside calendar
                           "AAPL,2024-01-10,100,101,99,100,-5\n"            // 12 negative volume
                           "AAPL,2024-01-11,100.123456789,101,99,100,1\n"   // 13 9 decimals
                           ",2024-01-12,100,101,99,100,1000\n"              // 14 empty symbol
                           "AAPL,2024-01-12,100,101,99,100,1000\n"          // 15 ok
                           "AAPL,2024-01-01,100,101,99,100,1000\n"          // 16 New Year's Day
                           "AAPL,2024-01-16,100,101,99,102,1000\n";         // 17 close > high
  auto p = parse_text(text, long_format());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->rows_read, 16);
  ASSERT_EQ(p->bars.size(), 2u);
  EXPECT_EQ(p->bars[0].line, 2);
  EXPECT_EQ(p->bars[1].line, 15);
  const std::vector<std::string> expected = {
      "t.csv:3: open: invalid price 'abc': not a decimal number",
      "t.csv:4: bar: high 99 < low 101",
      "t.csv:5: bar: open 0 is not positive",
      "t.csv:6: date: invalid date 2024-13-01",
      "t.csv:7: duplicate 2024-01-02 for AAPL (first at line 2)",
      "t.csv:8: expected 7 fields, found 6",
      "t.csv:9: field 3: quote inside an unquoted field",
      "t.csv:10: 2024-01-06 is not a trading day",
      "t.csv:11: date 1985-01-02 outside the exchange calendar (1990-01-01..2099-12-31)",
      "t.csv:12: bar: negative volume -5",
      "t.csv:13: open: invalid price '100.123456789': more than 8 decimal places",
      "t.csv:14: symbol '': empty symbol",
      "t.csv:16: 2024-01-01 is not a trading day",
      "t.csv:17: bar: close 102 outside [low 99, high 101]",
  };
  // Rejections of one batch come in reading order; batches are in order too.
  EXPECT_EQ(p->errors, expected);
  EXPECT_EQ(p->error_lines, (std::vector<std::int64_t>{3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17}));
}

TEST(BarFileParser, DuplicatesInDescendingAndUnsortedFiles) {
  // Descending (newest first, as some downloads come): 5, 4, 3, then 4 again.
  auto desc = parse_text(std::string(kHeader) +
                             "X,2024-01-05,1,1,1,1,1\nX,2024-01-04,1,1,1,1,1\nX,2024-01-03,1,1,1,1,1\n"
                             "X,2024-01-04,1,1,1,1,1\n",
                         long_format());
  ASSERT_TRUE(desc.ok());
  EXPECT_EQ(desc->errors, (std::vector<std::string>{"t.csv:5: duplicate 2024-01-04 for X (first at line 3)"}));
  // Unsorted: 3, 5, 4 (direction changes), then 5 again; another symbol's dates are its own.
  auto mixed = parse_text(std::string(kHeader) +
                              "X,2024-01-03,1,1,1,1,1\nX,2024-01-05,1,1,1,1,1\nY,2024-01-05,1,1,1,1,1\n"
                              "X,2024-01-04,1,1,1,1,1\nX,2024-01-05,1,1,1,1,1\nX,2024-01-02,1,1,1,1,1\n",
                          long_format());
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed->errors, (std::vector<std::string>{"t.csv:6: duplicate 2024-01-05 for X (first at line 3)"}));
  EXPECT_EQ(mixed->bars.size(), 5u);
  ASSERT_EQ(mixed->symbols.size(), 2u);
  EXPECT_EQ(mixed->bars[2].symbol, 1u);
}

TEST(BarFileParser, IntradayIsoAndEpochTimes) {
  BarParserConfig cfg = long_format();
  cfg.timeframe = kOneMinute;
  cfg.mapping.time = "ts";
  cfg.mapping.time_format = TimeFormat::kIso;
  auto iso = parse_text(
      "symbol,ts,open,high,low,close,volume\n"
      "SPY,2024-01-02T14:30:00Z,472.16,472.5,472.0,472.3,1000\n"
      "SPY,2024-01-02 09:31:00-05:00,472.3,472.4,472.1,472.2,900\n",
      cfg);
  ASSERT_TRUE(iso.ok());
  ASSERT_TRUE(iso->errors.empty()) << iso->errors[0];
  ASSERT_EQ(iso->bars.size(), 2u);
  EXPECT_EQ(iso->bars[0].bar.ts_event, utc(2024, 1, 2, 14, 30));
  EXPECT_EQ(iso->bars[0].bar.ts_recv, utc(2024, 1, 2, 14, 31));
  EXPECT_EQ(iso->bars[1].bar.ts_event, utc(2024, 1, 2, 14, 31));  // 09:31 EST
  EXPECT_EQ(iso->bars[0].bar.timeframe, kOneMinute);

  // 1704205800 s = 2024-01-02 14:30:00 UTC (1704153600 is midnight UTC, plus 14.5 h).
  cfg.mapping.time_format = TimeFormat::kEpochSeconds;
  auto secs = parse_text("symbol,ts,open,high,low,close,volume\nSPY,1704205800,1,1,1,1,1\nSPY,x17,1,1,1,1,1\n"
                         "SPY,9300000000,1,1,1,1,1\nSPY,99999999999999999999,1,1,1,1,1\n",
                         cfg);
  ASSERT_TRUE(secs.ok());
  ASSERT_EQ(secs->bars.size(), 1u);
  EXPECT_EQ(secs->bars[0].bar.ts_event, utc(2024, 1, 2, 14, 30));
  EXPECT_EQ(secs->errors, (std::vector<std::string>{"t.csv:3: ts: invalid epoch-s time 'x17'",
                                                    "t.csv:4: ts: unix seconds 9300000000 out of range",
                                                    "t.csv:5: ts: out-of-range epoch-s time '99999999999999999999'"}));
  cfg.mapping.time_format = TimeFormat::kEpochMillis;
  auto ms = parse_text("symbol,ts,open,high,low,close,volume\nSPY,1704205860000,1,1,1,1,1\n", cfg);
  ASSERT_TRUE(ms.ok());
  ASSERT_EQ(ms->bars.size(), 1u);
  EXPECT_EQ(ms->bars[0].bar.ts_event, utc(2024, 1, 2, 14, 31));
  cfg.mapping.time_format = TimeFormat::kEpochNanos;
  auto ns = parse_text("symbol,ts,open,high,low,close,volume\nSPY,1704205920000000000,1,1,1,1,1\n", cfg);
  ASSERT_TRUE(ns.ok());
  ASSERT_EQ(ns->bars.size(), 1u);
  EXPECT_EQ(ns->bars[0].bar.ts_event, utc(2024, 1, 2, 14, 32));
}

TEST(BarFileParser, DailyBarsFromInstantsMustBeMidnightUtcOrNewYork) {
  BarParserConfig cfg = long_format();
  cfg.mapping.time = "ts";
  cfg.mapping.time_format = TimeFormat::kEpochNanos;
  // 1704171600e9 = 2024-01-02 05:00 UTC = midnight EST; 1704153600e9 = midnight UTC;
  // 1704205800e9 = 14:30 UTC (neither).
  auto p = parse_text("symbol,ts,open,high,low,close,volume\n"
                      "A,1704171600000000000,1,1,1,1,1\n"
                      "B,1704153600000000000,1,1,1,1,1\n"
                      "C,1704205800000000000,1,1,1,1,1\n",
                      cfg);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->bars.size(), 2u);
  EXPECT_EQ(p->bars[0].bar.ts_event, utc(2024, 1, 2));
  EXPECT_EQ(p->bars[1].bar.ts_event, utc(2024, 1, 2));
  EXPECT_EQ(p->errors, (std::vector<std::string>{
                           "t.csv:4: ts: daily bar time 2024-01-02T14:30:00Z is neither midnight UTC nor midnight New York time"}));
}

TEST(BarFileParser, TradingDayIndexAndCloseOnlyColumns) {
  // EuStockMarkets-like: a business-day index and one close column per index, no dates.
  BarParserConfig cfg;
  cfg.fixed_symbol = "DAX";
  cfg.mapping.time = "day";
  cfg.mapping.time_format = TimeFormat::kTradingDayIndex;
  cfg.mapping.day_index_origin = Date::ymd(2024, 1, 1);  // a holiday: index 1 is the next trading day
  cfg.mapping.open = cfg.mapping.high = cfg.mapping.low = cfg.mapping.volume = "";
  cfg.mapping.close = "DAX";
  cfg.define_symbol = plain_symbol_definer(AssetClass::kIndex);
  auto p = parse_text("day,DAX,SMI\n1,1628.75,1678.1\n2,1613.63,1688.5\n5,1621.04,1684.1\n0,1,1\n", cfg);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->bars.size(), 3u);
  // Trading days of January 2024: 2, 3, 4, 5, 8 (Jan 1 is New Year's Day, 6–7 a weekend).
  EXPECT_EQ(p->bars[0].bar.ts_event, utc(2024, 1, 2));
  EXPECT_EQ(p->bars[1].bar.ts_event, utc(2024, 1, 3));
  EXPECT_EQ(p->bars[2].bar.ts_event, utc(2024, 1, 8));
  const Bar& b = p->bars[0].bar;
  EXPECT_EQ(b.close.raw(), 162875000000);
  EXPECT_EQ(b.open, b.close);
  EXPECT_EQ(b.high, b.close);
  EXPECT_EQ(b.low, b.close);
  EXPECT_TRUE(b.volume.is_zero());
  EXPECT_EQ(p->symbols[0].instrument.asset_class, AssetClass::kIndex);
  EXPECT_EQ(p->errors, (std::vector<std::string>{"t.csv:5: day: invalid trading-day index '0'"}));
}

TEST(BarFileParser, ColumnsByPositionWithoutHeader) {
  BarParserConfig cfg;
  cfg.fixed_symbol = "QQQ";
  cfg.mapping.has_header = false;
  cfg.mapping.delimiter = ';';
  cfg.mapping.time = "#1";
  cfg.mapping.open = "#2";
  cfg.mapping.high = "#3";
  cfg.mapping.low = "#4";
  cfg.mapping.close = "#5";
  cfg.mapping.volume = "";
  auto p = parse_text("2024-01-02;400;401;399;400.5\n2024-01-03;400;401;399;400.25\n", cfg);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->bars.size(), 2u);
  EXPECT_EQ(p->bars[0].line, 1);
  EXPECT_EQ(p->bars[1].bar.close, px("400.25"));
}

TEST(BarFileParser, SpacesAroundNumbersAndExcessZerosAreAccepted) {
  auto p = parse_text(std::string(kHeader) + "I, 2024-01-02 , 96.76700000000000 ,100.40650000000000,95.5217,99.2175, 0 \n",
                      long_format());
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->errors.empty()) << p->errors[0];
  EXPECT_EQ(p->bars[0].bar.open.raw(), 9676700000);
  EXPECT_EQ(p->bars[0].bar.high.raw(), 10040650000);
}

TEST(BarFileParser, TradeCountColumn) {
  BarParserConfig cfg = long_format();
  cfg.mapping.trade_count = "n";
  auto p = parse_text("symbol,date,open,high,low,close,volume,n\nA,2024-01-02,1,1,1,1,1,62\nA,2024-01-03,1,1,1,1,1,6.5\n", cfg);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->bars.size(), 1u);
  EXPECT_EQ(p->bars[0].bar.trade_count, 62);
  EXPECT_EQ(p->errors, (std::vector<std::string>{"t.csv:3: n: invalid trade count '6.5'"}));
}

TEST(BarFileParser, MappingErrorsComeBeforeAnyRow) {
  BarParserConfig cfg = long_format();
  cfg.mapping.close = "Last";
  auto missing = parse_text(kHeader, cfg);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(missing.error().message,
            "t.csv:1: no close column 'Last' in the header (columns: symbol, date, open, high, low, close, volume)");

  BarParserConfig partial = long_format();
  partial.mapping.high = "";
  EXPECT_EQ(parse_text(kHeader, partial).error().code, ErrorCode::kInvalidArgument);

  BarParserConfig nosym;
  EXPECT_EQ(parse_text(kHeader, nosym).error().message, "no symbol: map a symbol column or give a fixed symbol");

  BarParserConfig intraday_dates = long_format();
  intraday_dates.timeframe = kOneMinute;
  EXPECT_EQ(parse_text(kHeader, intraday_dates).error().code, ErrorCode::kInvalidArgument);

  BarParserConfig weekly = long_format();
  weekly.timeframe = 7 * kOneDay;
  EXPECT_EQ(parse_text(kHeader, weekly).error().code, ErrorCode::kUnsupported);

  auto empty = parse_text("", long_format());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message, "t.csv: empty file (no header line)");

  BarParserConfig named_no_header = long_format();
  named_no_header.mapping.has_header = false;
  EXPECT_EQ(parse_text("a,b\n", named_no_header).error().code, ErrorCode::kInvalidArgument);
}

TEST(BarFileParser, HeaderNamesMatchIgnoringCaseAndSpaces) {
  auto p = parse_text("Symbol , DATE,Open,High,Low,Close,Volume\nA,2024-01-02,1,2,1,2,3\n", long_format());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->bars.size(), 1u);
}

TEST(BarFileParser, ReadsGzipFromDisk) {
  testkit::TempDir dir;
  std::string text = kHeader;
  for (int d = 2; d <= 5; ++d) text += "A,2024-01-0" + std::to_string(d) + ",1,2,1,2,3\n";
  testkit::write_file(dir.file("a.csv.gz"), testkit::gzip_bytes(text));
  BarParserConfig cfg = long_format();
  cfg.path = dir.file("a.csv.gz");
  auto parser = BarFileParser::open(cfg);
  ASSERT_TRUE(parser.ok()) << parser.error().message;
  std::vector<ParsedBar> rows;
  std::vector<RowError> rejected;
  auto more = parser->next_batch(rows, 100, rejected);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
  EXPECT_EQ(rows.size(), 4u);
  EXPECT_TRUE(rejected.empty());
  EXPECT_EQ(parser->bytes_done(), parser->bytes_total());
}

TEST(BarFileParser, ControlCharactersInMessagesAreEscaped) {
  auto p = parse_text(std::string(kHeader) + "A,2024-01-02,\"1\n2\",1,1,1,1\n", long_format());
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->errors.size(), 1u);
  EXPECT_EQ(p->errors[0], "t.csv:2: open: invalid price '1\\x0a2': not a decimal number");
}

TEST(CsvPreset, YahooAndUnknown) {
  auto y = csv_preset("yahoo");
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->time, "Date");
  EXPECT_EQ(y->close, "Close");
  EXPECT_TRUE(y->symbol.empty());
  auto bad = csv_preset("google");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message, "unknown CSV preset 'google' (known: yahoo)");
}

TEST(TimeFormatNames, RoundTrip) {
  for (TimeFormat f : {TimeFormat::kDate, TimeFormat::kIso, TimeFormat::kEpochSeconds, TimeFormat::kEpochMillis,
                       TimeFormat::kEpochNanos, TimeFormat::kTradingDayIndex}) {
    EXPECT_EQ(*parse_time_format(to_string(f)), f);
  }
  EXPECT_EQ(parse_time_format("unix").error().code, ErrorCode::kInvalidArgument);
}

TEST(FastFixed, KnownValues) {
  std::int64_t raw = 0;
  int prec = -1;
  ASSERT_TRUE(detail::fast_fixed_raw("123.4567", raw, prec));
  EXPECT_EQ(raw, 12345670000);
  EXPECT_EQ(prec, 4);
  ASSERT_TRUE(detail::fast_fixed_raw("-0.00000001", raw, prec));
  EXPECT_EQ(raw, -1);
  EXPECT_EQ(prec, 8);
  ASSERT_TRUE(detail::fast_fixed_raw("92233720368.54775807", raw, prec));  // INT64_MAX
  EXPECT_EQ(raw, INT64_MAX);
  ASSERT_TRUE(detail::fast_fixed_raw("-92233720368.54775808", raw, prec));  // INT64_MIN
  EXPECT_EQ(raw, INT64_MIN);
  EXPECT_FALSE(detail::fast_fixed_raw("92233720368.54775808", raw, prec));
  EXPECT_FALSE(detail::fast_fixed_raw("1.", raw, prec));
  EXPECT_FALSE(detail::fast_fixed_raw("", raw, prec));
  EXPECT_FALSE(detail::fast_fixed_raw("1e5", raw, prec));
  EXPECT_FALSE(detail::fast_fixed_raw("1.123456789", raw, prec));
}

// Whenever the fast path answers, Price::parse (the exact reference) gives the same raw value
// and precision; on text the fast path declines, the import falls back to Price::parse anyway.
RC_GTEST_PROP(FastFixed, AgreesWithPriceParseOnArbitraryText, ()) {
  const auto text = *rc::gen::container<std::string>(rc::gen::element('0', '1', '5', '9', '.', '-', '+', 'e', ' '));
  std::int64_t raw = 0;
  int prec = 0;
  if (detail::fast_fixed_raw(text, raw, prec)) {
    auto ref = Price::parse(text);
    RC_ASSERT(ref.ok());
    RC_ASSERT(ref->raw() == raw);
    RC_ASSERT(ref->precision() == prec);
  }
}

RC_GTEST_PROP(FastFixed, ParsesEveryFormattedValue, (std::int64_t raw_in)) {
  const int precision = *rc::gen::inRange(0, 9);
  const Price p = Price::from_raw(raw_in, precision);
  const std::string text = p.to_string();  // exact, may show more digits than `precision`
  std::int64_t raw = 0;
  int prec = 0;
  RC_ASSERT(detail::fast_fixed_raw(text, raw, prec));
  RC_ASSERT(raw == raw_in);
  auto ref = Price::parse(text);
  RC_ASSERT(ref.ok());
  RC_ASSERT(ref->precision() == prec);
}

// The parser's allocation-free bar check must accept exactly what Bar::validate accepts.
RC_GTEST_PROP(BarCheck, AgreesWithBarValidate, ()) {
  auto small = rc::gen::inRange<std::int64_t>(-3, 4);
  Bar b;
  b.open = Price::from_raw(*small);
  b.high = Price::from_raw(*small);
  b.low = Price::from_raw(*small);
  b.close = Price::from_raw(*small);
  b.volume = Quantity::from_raw(*small);
  b.trade_count = *small;
  b.timeframe = Duration(*small);
  b.ts_event = Timestamp::from_ns(*small);
  b.ts_recv = Timestamp::from_ns(*small);
  RC_ASSERT(detail::bar_is_valid(b) == b.validate().ok());
}

}  // namespace
}  // namespace keel::data
