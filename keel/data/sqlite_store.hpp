// keel/data/sqlite_store.hpp — SqliteStore: the embedded default Store (SPEC D3), one SQLite
// database file in WAL mode plus a columnar bar cache beside it.
//
// Contract:
// - Semantics: exactly store.hpp plus the details in store_util.hpp; property-tested against
//   keel::testkit::MemoryStore (random write sequences give identical reads).
// - Ownership: a keel database carries PRAGMA application_id = kApplicationId ('KEEL') and
//   PRAGMA user_version = its schema version. open() inspects an existing file's header bytes
//   before SQLite touches it: a file that is not SQLite, or SQLite with another application_id,
//   is a kCorrupt error naming the path and is left byte-identical. A 0-byte or missing file is
//   initialised. A schema newer than kSchemaVersion is kUnsupported (never downgraded); older
//   schemas are migrated, each migration in its own transaction. Connection settings:
//   journal_mode=WAL, synchronous=NORMAL, foreign_keys=ON, a large page cache, reads through a
//   memory map of the file (mmap_size).
// - Lineage columns (ingested_at, source_uri, transform_id) are on every data row (instruments,
//   bars, option_quotes, corporate_actions); every committed WriteTransaction also leaves one row
//   in the `ingests` log with its counts.
// - Revisions: bars, option quotes and corporate actions are WITHOUT ROWID tables keyed by
//   (natural key..., ingested_at), so as-of reads are one ordered range scan. A write checks for
//   an existing revision only when the key can exist (its ts_event lies inside the series' known
//   range), which keeps appends to a series at one B-tree insert per row.
// - Bar loads go through the BarCache (bar_cache.hpp) unless disabled: the first load of a
//   series at a knowledge time reads the whole series from SQLite and writes it to
//   <db>.cache/; later loads read the file. The series' data_version (a checksum chained over
//   every added or revised row) invalidates stale files; loads inside an open transaction and
//   ":memory:" databases bypass the cache. Cache write failures do not fail the load; they are
//   counted in bar_cache_stats().
// - Option quote loads go through the OptionQuoteCache (option_quote_cache.hpp) the same way,
//   with the same switch and directory: one file per (underlying, canonical as-of) holds the
//   underlying's whole series; a load of [from, to] reads only the file's blocks that cover it.
//   option_quote_series keeps each underlying's content version (a checksum chained over every
//   added or revised quote of its contracts, maintained by put_option_quotes in the same
//   transaction) and option_quote_series_ingests its ingestion times; migration 2 computed
//   both over the quotes already stored. Stats are in quote_cache_stats(). Cached and uncached
//   loads return identical columns (property-tested).
// - Each WriteTransaction is one SQLite transaction (BEGIN IMMEDIATE); each put_*() call runs in
//   a savepoint so that a failing call changes nothing.
// - Reads that take several statements (load_bars with its cache lookups, load_option_quotes,
//   corporate_actions, summary) run in one read transaction, so a writer in another process
//   never shows them half of its work.
// - Performance (bench/store.cpp): new bars go in 64 per multi-row INSERT; the cache reads a
//   10 M-bar series with a few large reads into huge-page-backed columns. A bar load through
//   the cache materialises the whole series once, then slices [from, to] from it; a quote load
//   reads only the file blocks covering [from, to]. Uncached quote loads seek each contract of
//   the underlying once, then sort (ts_event, row) pairs.
// Thread safety: one thread at a time per SqliteStore (SQLITE_OPEN_NOMUTEX); other processes may
// read and write concurrently (WAL; a writer waits up to 5 s for another's lock, then gets
// kConflict). A WriteTransaction must not outlive its store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "keel/data/bar_cache.hpp"
#include "keel/data/option_quote_cache.hpp"
#include "keel/data/store.hpp"

struct sqlite3;

namespace keel::data {

struct SqliteStoreOptions {
  bool bar_cache = true;          // use and maintain the columnar bar and option quote caches
  std::string cache_directory;    // empty: "<database path>.cache"
  std::int64_t page_cache_kib = 256 * 1024;  // SQLite page cache per connection
  // PRAGMA mmap_size: how much of the database file reads may memory-map (0: none). SQLite
  // caps it at its compile-time SQLITE_MAX_MMAP_SIZE.
  std::int64_t mmap_bytes = std::int64_t{4} << 30;
};

struct CacheStats {
  std::int64_t hits = 0;
  std::int64_t misses = 0;   // no file for the series yet
  std::int64_t stale = 0;    // a file written for another data version or format
  std::int64_t damaged = 0;  // a file that failed its size or checksum checks
  std::int64_t writes = 0;
  std::int64_t write_failures = 0;
  std::int64_t removed = 0;  // files of superseded versions deleted (option quotes)
  std::string last_problem;  // why the last file was not used or could not be written
};
using BarCacheStats = CacheStats;

class SqliteTransaction;

class SqliteStore final : public Store {
 public:
  static constexpr std::uint32_t kApplicationId = 0x4B45454C;  // 'KEEL'
  static constexpr int kSchemaVersion = 2;

  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path);
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path, const SqliteStoreOptions& options);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<std::unique_ptr<WriteTransaction>> begin(const Lineage& lineage) override;

  Result<std::optional<Instrument>> find_instrument(std::string_view symbol) override;
  Result<Instrument> instrument(InstrumentId id) override;
  Result<std::vector<Instrument>> instruments() override;
  Result<std::vector<Instrument>> option_contracts(std::string_view underlying, Date from) override;

  Result<BarColumns> load_bars(InstrumentId id, Duration timeframe, Timestamp from, Timestamp to,
                               AsOf as_of = AsOf::latest()) override;
  Result<OptionQuoteColumns> load_option_quotes(std::string_view underlying, Timestamp from, Timestamp to,
                                                AsOf as_of = AsOf::latest()) override;
  Result<std::vector<CorporateAction>> corporate_actions(InstrumentId id, AsOf as_of = AsOf::latest()) override;

  Result<std::vector<SeriesSummary>> summary() override;

  const std::string& path() const noexcept { return path_; }
  int schema_version() const noexcept { return schema_version_; }
  // Switches both caches (bars and option quotes).
  void set_bar_cache_enabled(bool enabled) noexcept { cache_enabled_ = enabled && cache_ != nullptr; }
  bool bar_cache_enabled() const noexcept { return cache_enabled_; }
  const CacheStats& bar_cache_stats() const noexcept { return cache_stats_; }
  const CacheStats& quote_cache_stats() const noexcept { return quote_cache_stats_; }
  // The series' content version (0 when it has no rows); it changes with every write that adds
  // or revises a bar of the series.
  Result<std::uint64_t> bar_series_version(InstrumentId id, Duration timeframe);
  // The content version of the quotes of every option contract on `underlying` (0 when it has
  // none); it changes with every write that adds or revises such a quote.
  Result<std::uint64_t> option_quote_series_version(std::string_view underlying);

 private:
  friend class SqliteTransaction;
  struct Statements;
  class ReadSnapshot;

  SqliteStore(std::string path, sqlite3* db, const SqliteStoreOptions& options);
  Status init_connection(bool is_new);
  Status prepare_statements();
  Result<BarColumns> load_bars_sqlite(InstrumentId id, Duration timeframe, Timestamp from, Timestamp to,
                                      Timestamp as_of, std::size_t reserve);
  Result<OptionQuoteColumns> load_option_quotes_sqlite(std::string_view underlying, Timestamp from, Timestamp to,
                                                       Timestamp as_of, std::size_t reserve);
  Result<bool> instrument_exists(InstrumentId id);
  Error sqlite_error(const std::string& what) const;

  std::string path_;
  sqlite3* db_ = nullptr;
  SqliteStoreOptions options_;
  std::unique_ptr<Statements> st_;
  std::unique_ptr<BarCache> cache_;
  bool cache_enabled_ = false;
  CacheStats cache_stats_;
  std::unique_ptr<OptionQuoteCache> quote_cache_;
  CacheStats quote_cache_stats_;
  int schema_version_ = 0;
  SqliteTransaction* open_transaction_ = nullptr;
};

}  // namespace keel::data
