// keel/data/csv_import.hpp — turning the rows of a CSV file into validated Bars, without a store.
//
// Contract:
// - A CsvMapping says which column holds each bar field. Columns are named by header text
//   (matched ignoring case and surrounding spaces) or by "#N", the 1-based position (the only
//   form allowed without a header). The symbol comes from a column or is fixed by the caller.
//   open/high/low are all mapped or all left out (close-only series such as index closes:
//   open = high = low = close); volume and trade count default to 0 when not mapped.
// - Times (TimeFormat): "date" YYYY-MM-DD or YYYYMMDD; "iso" ISO 8601 as Timestamp::parse reads
//   it; "epoch-s"/"epoch-ms"/"epoch-ns" integer Unix times; "trading-day-index" N >= 1 meaning
//   the N-th trading day (US equities calendar) counted from `day_index_origin` (the origin
//   itself when it trades) — for series sampled in business time that carry no dates.
// - Daily bars (timeframe 1 day): ts_event = 00:00 UTC of the trading date, ts_recv = that
//   date's session close (ExchangeCalendar::session). A timestamp for a daily bar must be a
//   date, or an instant at midnight UTC or at midnight New York time (Polygon's day windows
//   start at midnight New York); its date must be a trading day of the calendar (1990–2099).
//   Intraday bars (timeframe below a day): ts_event = the instant, ts_recv = ts_event +
//   timeframe. Longer timeframes are kUnsupported.
// - Numbers are exact decimals parsed into fixed point (Price::parse / Quantity::parse give the
//   error text; a fast path computes the same raw value for plain decimals). Zeros beyond the
//   8th fractional digit are accepted and dropped (they change nothing: Polygon writes index
//   values as "96.76700000000000"); any other digit beyond the 8th is a rejected row, never
//   rounded. Surrounding spaces around numbers and times are ignored.
// - A row is rejected (with "file:line: reason", line = where the record starts) for: malformed
//   CSV or a wrong column count; an empty or invalid symbol (the SymbolDefiner decides, e.g. an
//   invalid OCC symbol); a non-numeric or out-of-range field; an unparseable or out-of-range
//   time; a daily bar on a non-trading day; Bar::validate() failing (non-positive prices, high <
//   low, open/close outside [low, high], negative volume); an option bar after its contract's
//   expiry; a timestamp that repeats an earlier row of the same symbol in this file (the message
//   names the earlier line).
// - Symbols are interned: ParsedBar::symbol indexes symbols(), whose instrument ids are unset;
//   the importer (importer.hpp) maps them to store ids. Underlyings are interned too.
// - Memory: per distinct symbol one Instrument and a few words (plus a timestamp history only
//   for symbols with more than one row); rows themselves are handed out batch by batch.
// Thread safety: a BarFileParser is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "keel/core/calendar.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"
#include "keel/data/csv_reader.hpp"
#include "keel/model/instrument.hpp"
#include "keel/model/market_data.hpp"

namespace keel::data {

enum class TimeFormat : std::uint8_t { kDate, kIso, kEpochSeconds, kEpochMillis, kEpochNanos, kTradingDayIndex };

std::string_view to_string(TimeFormat f) noexcept;  // "date", "iso", "epoch-s", ...
Result<TimeFormat> parse_time_format(std::string_view text);

struct CsvMapping {
  bool has_header = true;
  char delimiter = ',';
  std::string symbol;  // column of the symbol; empty: every row gets the fixed symbol
  std::string time = "date";
  TimeFormat time_format = TimeFormat::kDate;
  Date day_index_origin{};  // kTradingDayIndex only
  std::string open = "open", high = "high", low = "low";  // all set, or all empty
  std::string close = "close";
  std::string volume = "volume";  // empty: volume 0
  std::string trade_count;        // empty: 0
};

// Named mappings for common CSV layouts. "yahoo": Date,Open,High,Low,Close,Adj Close,Volume
// (Yahoo Finance's daily download; Adj Close is ignored: keel stores raw prices and applies
// corporate actions itself), one symbol per file, so a fixed symbol is required.
Result<CsvMapping> csv_preset(std::string_view name);  // unknown: kInvalidArgument listing them
std::vector<std::string_view> csv_preset_names();

// What one distinct symbol of a file becomes in the store.
struct SymbolDefinition {
  Instrument instrument;                 // id unset
  std::optional<Instrument> underlying;  // options: their underlying, created if missing
  std::string warning;                   // non-empty: something the report should mention
};
// Called once per distinct symbol text; an error rejects every row with that symbol.
using SymbolDefiner = std::function<Result<SymbolDefinition>(std::string_view symbol)>;

// Tickers as they are: Instrument{symbol, asset_class}. Rejects symbols with spaces or
// control characters.
SymbolDefiner plain_symbol_definer(AssetClass asset_class);

struct BarParserConfig {
  std::string path;
  CsvMapping mapping;
  std::string fixed_symbol;  // required when mapping.symbol is empty
  Duration timeframe = kOneDay;
  SymbolDefiner define_symbol;                // default: plain_symbol_definer(kEquity)
  const ExchangeCalendar* calendar = nullptr;  // default: ExchangeCalendar::us_equities()
  CsvOptions csv;                              // delimiter is taken from the mapping
};

// One distinct symbol of a file as the parser keeps it: contracts share their underlying's
// entry, so an options file with a million contracts holds a few hundred underlyings.
struct FileSymbol {
  Instrument instrument;         // id unset
  std::int32_t underlying = -1;  // index into BarFileParser::underlyings(), -1 for none
};

struct ParsedBar {
  std::uint32_t symbol = 0;  // index into BarFileParser::symbols()
  std::int64_t line = 0;
  Bar bar;  // bar.instrument unset
};

// A rejected row: where it starts and why ("file:line: reason").
struct RowError {
  std::int64_t line = 0;
  Error error;
};

class BarFileParser {
 public:
  // Opens the file, reads the header and resolves the mapping: a missing file, a missing
  // column or an inconsistent mapping is an error here, before any row.
  static Result<BarFileParser> open(BarParserConfig config);
  // The same over bytes in memory (tests, fuzzing).
  static Result<BarFileParser> open(BarParserConfig config, InputFile input);

  BarFileParser(BarFileParser&&) noexcept;
  BarFileParser& operator=(BarFileParser&&) noexcept;
  ~BarFileParser();

  // Clears `out`, then parses rows until it holds `max_rows` bars or the file ends. Each
  // rejected row is appended to `rejected`. Returns false
  // once the file is exhausted (`out` may still hold the last rows). Errors are fatal (I/O,
  // corrupt gzip): the import must stop.
  Result<bool> next_batch(std::vector<ParsedBar>& out, std::size_t max_rows, std::vector<RowError>& rejected);

  const std::vector<FileSymbol>& symbols() const noexcept;
  const std::vector<Instrument>& underlyings() const noexcept;
  // Warnings of the symbols defined since the last call (SymbolDefinition::warning).
  std::vector<std::string> take_warnings();
  std::int64_t rows_read() const noexcept;  // data records seen, rejected ones included
  std::uint64_t bytes_done() const noexcept;
  std::uint64_t bytes_total() const noexcept;
  const std::string& path() const noexcept;

 private:
  struct Impl;
  explicit BarFileParser(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

namespace detail {
// Exact decimal text → raw fixed point (1e-8 units), the same value and precision as
// Fixed::parse, or false when the text is not a plain decimal that fast path handles (the
// caller then asks Fixed::parse for the value or the error). Exposed for tests.
bool fast_fixed_raw(std::string_view text, std::int64_t& raw, int& precision) noexcept;
// True exactly when bar.validate() succeeds, without building strings: Bar::validate formats
// its "outside [low, high]" text before testing, which costs more than parsing the row. The
// parser calls validate() only when this says no, for the message; csv_import_test.cpp checks
// the equivalence on random bars.
bool bar_is_valid(const Bar& bar) noexcept;
}  // namespace detail

}  // namespace keel::data
