// keel/data/polygon_import.hpp — Polygon.io (now Massive) flat files: stocks day and minute
// aggregates, options day aggregates, plain or gzip.
//
// Format (Massive flat-file docs, https://massive.com/docs/flat-files/options/day-aggregates.md
// and https://massive.com/docs/flat-files/stocks/day-aggregates, S3 prefix
// us_stocks_sip/day_aggs_v1; minute files are the minute_aggs_v1 sets): a header line, then
// ticker,volume,open,close,high,low,window_start,transactions, where window_start is the
// window's start in Unix nanoseconds. Day windows start at midnight New York time (the docs'
// example 1679889600000000000 is 2023-03-27 04:00 UTC = 00:00 EDT). Columns are found by header
// name, so a reordered file still reads. Flat files are not split-adjusted (Massive knowledge
// base, "why doesn't a bar from the REST API match the flat files"), which is what keel wants:
// raw prices, corporate actions applied separately.
//
// Mapping to keel:
// - Stocks day aggregates → daily Bars (timeframe 1d) of the ticker (an equity unless the store
//   already knows the symbol, e.g. as an ETF); minute aggregates → 1-minute Bars, pre- and
//   post-market windows included.
// - Options day aggregates are OHLCV bars of each contract's trades, not quotes (no bid or ask),
//   so they are stored as daily Bars of the option instrument — not as OptionQuote rows. Each
//   ticker in the vendor form "O:SPY230327P00390000" becomes a contract (occ_symbol.hpp) whose
//   keel symbol is the 21-character OSI form; its underlying is created too when missing.
// - Option roots: index roots map to their index (SPX and SPXW → SPX, NDX and NDXP → NDX, RUT
//   and RUTW → RUT, VIX and VIXW → VIX, XSP, DJX), European-style and cash-settled (Cboe product
//   specifications); other roots are American-style, physically settled equity/ETF options of
//   the ticker with the same name. A root ending in digits ("AAPL1") is an adjusted contract
//   after a corporate action: its underlying is the root without the digits and its multiplier
//   is recorded as 100, but its real deliverable is not in the flat file, so the definition
//   carries a warning the import report repeats.
// - Invalid option tickers are rejected rows (the message names the ticker and the field).
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "keel/core/result.hpp"
#include "keel/core/time.hpp"
#include "keel/data/csv_import.hpp"
#include "keel/model/instrument.hpp"
#include "keel/model/occ_symbol.hpp"

namespace keel::data {

enum class PolygonDataset : std::uint8_t { kStocksDay, kStocksMinute, kOptionsDay };

std::string_view transform_id(PolygonDataset dataset) noexcept;  // "polygon-stocks-day/1", ...
Duration polygon_timeframe(PolygonDataset dataset) noexcept;
// ticker / window_start (epoch-ns) / open / high / low / close / volume / transactions.
CsvMapping polygon_mapping();

struct OptionRoot {
  std::string underlying;
  AssetClass underlying_class = AssetClass::kEquity;
  ExerciseStyle exercise = ExerciseStyle::kAmerican;
  Settlement settlement = Settlement::kPhysical;
  bool adjusted = false;  // root with trailing digits
};
OptionRoot option_root(std::string_view root);

// An option contract and its underlying from an OCC symbol in either form (OSI or "O:...").
Result<SymbolDefinition> option_symbol_definition(std::string_view symbol);
SymbolDefiner option_symbol_definer();

BarParserConfig polygon_parser_config(PolygonDataset dataset, std::string path);

}  // namespace keel::data
