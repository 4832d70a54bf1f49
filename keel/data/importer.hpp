// keel/data/importer.hpp — importing a bar file (generic CSV, Yahoo CSV, Polygon flat files)
// into a Store in one transaction.
//
// Contract:
// - One import = one WriteTransaction with lineage {ingested_at = the caller's time (the data
//   layer never reads the wall clock), source_uri = the path as given, transform_id =
//   transform_id(format), e.g. "csv-yahoo/1"}. Instruments the file introduces are created in
//   the same transaction; a symbol the store already knows keeps its stored definition.
// - Every row is validated (csv_import.hpp lists the reasons a row is rejected); rows the store
//   refuses (e.g. kConflict: a different value for a key at a knowledge time not later than the
//   stored one) are rejected rows too. Every rejection is reported as "file:line: reason", in
//   line order within each batch: streamed to on_reject (all of them) and kept in
//   ImportReport::messages (the first max_messages); ImportReport::rejected counts them all.
// - Default policy, all or nothing: if any row is rejected nothing is committed — the store is
//   unchanged — and the result is an error whose code is the first rejection's code and whose
//   message gives the count and the first rejection. skip_bad_rows commits the good rows and
//   still reports every rejected one. dry_run validates and counts what would be written, then
//   rolls back.
// - Idempotent: re-importing the same file (any ingested_at) adds nothing; every row counts as
//   unchanged (store.hpp). A changed value under a later ingested_at is a revision.
// - A fatal problem (missing or unreadable file: kNotFound/kIo naming it; corrupt gzip: kIo; a
//   missing column or bad mapping: kInvalidArgument; a store failure) rolls back and returns the
//   error. Whenever nothing is committed the report keeps rows_read, rejected and messages, and
//   added/unchanged/revised/instruments_created are 0 (except for a successful dry run).
// - ImportReport::elapsed is measured with std::chrono::steady_clock (a duration for the user,
//   never stored, never part of any data).
// Thread safety: one import per Store at a time (a Store is single-threaded).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "keel/core/calendar.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"
#include "keel/data/csv_import.hpp"
#include "keel/data/polygon_import.hpp"
#include "keel/data/store.hpp"
#include "keel/model/instrument.hpp"

namespace keel::data {

enum class ImportFormat : std::uint8_t { kCsv, kYahoo, kPolygonStocksDay, kPolygonStocksMinute, kPolygonOptionsDay };

std::string_view to_string(ImportFormat format) noexcept;  // "csv", "yahoo", "polygon-stocks-day", ...
// Unknown names are kInvalidArgument listing the known ones.
Result<ImportFormat> parse_import_format(std::string_view name);
std::vector<std::string_view> import_format_names();
std::string_view transform_id(ImportFormat format) noexcept;  // "csv/1", "csv-yahoo/1", "polygon-...-/1"

struct ImportSpec {
  ImportFormat format = ImportFormat::kCsv;
  std::string path;
  // Fixed symbol for every row: required by yahoo, used by csv when the mapping has no symbol
  // column, refused by the polygon formats (their rows name the ticker).
  std::string symbol;
  // csv/yahoo: asset class of instruments the import creates. kOption: symbols are OCC option
  // symbols (OSI or "O:" vendor form) and become contracts, as in the Polygon options import.
  AssetClass asset_class = AssetClass::kEquity;
  Duration timeframe = kOneDay;  // csv only (yahoo and polygon fix theirs)
  CsvMapping mapping;            // csv only
};

struct ImportOptions {
  Timestamp ingested_at = Timestamp::min();  // required: when keel learns these rows
  bool skip_bad_rows = false;
  bool dry_run = false;
  std::size_t max_messages = 1000;
  std::size_t batch_rows = 1 << 16;
  // Called after each batch with file bytes consumed and the file size (compressed bytes for
  // gzip; total 0 when unknown), and once at the end with done == total.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
  // Every rejection's "file:line: reason", as it is found.
  std::function<void(const std::string& message)> on_reject;
  const ExchangeCalendar* calendar = nullptr;  // default ExchangeCalendar::us_equities()
};

struct ImportReport {
  std::string source_uri;
  std::string transform_id;
  std::int64_t rows_read = 0;  // data records, rejected ones included (header and blank lines not)
  std::int64_t added = 0;      // written (or, for a dry run, that would be written)
  std::int64_t unchanged = 0;
  std::int64_t revised = 0;
  std::int64_t rejected = 0;
  std::int64_t instruments_created = 0;
  std::vector<std::string> messages;  // first max_messages rejections, "file:line: reason"
  std::vector<std::string> warnings;  // e.g. adjusted option contracts
  bool committed = false;
  Duration elapsed{};

  // One line, e.g. "a.csv: 252 rows read, 250 added, 0 unchanged, 0 revised, 2 rejected;
  // committed in 0.01 s".
  std::string summary() const;
};

// The parser configuration an import of `spec` uses (benchmarks and dry runs build it without a
// store). kInvalidArgument for an inconsistent spec.
Result<BarParserConfig> parser_config(const ImportSpec& spec);

// Fills `report` in every case; returns the error that stopped or rolled back the import.
Status import_file(Store& store, const ImportSpec& spec, const ImportOptions& options, ImportReport& report);
// The same, for callers that need the report only on success.
Result<ImportReport> import_file(Store& store, const ImportSpec& spec, const ImportOptions& options);

}  // namespace keel::data
