// keel/apps/series_input.hpp — one daily price series for the research commands (`keel vol`,
// `keel stats`, `keel features`, `keel labels`): from the store (an instrument's daily bars) or
// from a CSV with a header row.
//
// Contract:
// - Store: bars of `symbol` with from <= date <= to; keys are the bars' dates (YYYY-MM-DD). A
//   split inside the range is an error (prices on two scales would fake a return), naming the
//   date and asking for a range on one side of it.
// - CSV: `close_col` is required; open/high/low are read only when all three are named; volume
//   when named. The key of each row is the value of `key_col` (default: the first column), kept
//   as text; keys must be unique (a repeated key is an error naming both lines). A value that
//   does not parse is an error naming file:line and column. Nothing is skipped.
// - open/high/low are empty when only closes are known (estimators that need them say so
//   rather than faking them); volume is empty when not known.
// Thread safety: plain functions.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "keel/core/result.hpp"

namespace keel::apps {

struct SeriesSource {
  std::string db;                 // store path (with symbol)
  std::string symbol, from, to;   // store: instrument and optional date range
  std::string in;                 // CSV path (instead of the store)
  std::string key_col;            // CSV: row key column (default: the first column)
  std::string close_col = "close";
  std::string open_col, high_col, low_col, volume_col;
};

struct PriceSeries {
  std::string name;               // the symbol, or the CSV close column
  std::vector<std::string> keys;  // dates (store) or the CSV key column's values
  std::vector<double> open, high, low, close, volume;
  bool has_ohlc() const noexcept { return !high.empty(); }
};

// Adds --db, --symbol, --from, --to, --in, --key, --close, --open, --high, --low, --volume.
void add_series_options(CLI::App* cmd, SeriesSource& source);

// Checks that exactly one of --symbol and --in was given.
Status check_series_source(const SeriesSource& source);

Result<PriceSeries> load_series(const SeriesSource& source);

}  // namespace keel::apps
