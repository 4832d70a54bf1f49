#include "keel/data/sqlite_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <utility>

#include "keel/data/store_util.hpp"

namespace keel::data {
namespace {

// ---------------------------------------------------------------------------------------------
// Schema. Migration N brings a database from user_version N-1 to N; each runs in one
// transaction. Never edit a released migration: add the next one.
// Money-like values are raw int64 fixed point (1e-8); dates are days since 1970-01-01;
// timestamps are int64 ns UTC; enums are their keel text names so the rows read well in the
// sqlite3 shell and carry over to PostgreSQL unchanged.
constexpr const char* kMigration1 = R"sql(
CREATE TABLE instruments (
  id                  INTEGER PRIMARY KEY,
  symbol              TEXT NOT NULL UNIQUE,
  asset_class         TEXT NOT NULL CHECK (asset_class IN ('equity', 'etf', 'index', 'option')),
  currency            TEXT NOT NULL,
  tick_size           INTEGER NOT NULL,
  tick_size_precision INTEGER NOT NULL,
  underlying          TEXT,
  expiry              INTEGER,
  strike              INTEGER,
  strike_precision    INTEGER,
  option_right        TEXT CHECK (option_right IN ('call', 'put')),
  multiplier          INTEGER,
  exercise            TEXT CHECK (exercise IN ('american', 'european')),
  settlement          TEXT CHECK (settlement IN ('physical', 'cash')),
  ingested_at         INTEGER NOT NULL,
  source_uri          TEXT NOT NULL,
  transform_id        TEXT NOT NULL,
  CHECK ((asset_class = 'option') = (underlying IS NOT NULL AND expiry IS NOT NULL AND strike IS NOT NULL AND
         strike_precision IS NOT NULL AND option_right IS NOT NULL AND multiplier IS NOT NULL AND
         exercise IS NOT NULL AND settlement IS NOT NULL))
);
CREATE INDEX instruments_by_underlying ON instruments (underlying, expiry) WHERE underlying IS NOT NULL;

CREATE TABLE bars (
  instrument_id INTEGER NOT NULL REFERENCES instruments (id),
  timeframe_ns  INTEGER NOT NULL,
  ts_event      INTEGER NOT NULL,
  ingested_at   INTEGER NOT NULL,
  ts_recv       INTEGER NOT NULL,
  open          INTEGER NOT NULL,
  high          INTEGER NOT NULL,
  low           INTEGER NOT NULL,
  close         INTEGER NOT NULL,
  volume        INTEGER NOT NULL,
  trade_count   INTEGER NOT NULL,
  source_uri    TEXT NOT NULL,
  transform_id  TEXT NOT NULL,
  PRIMARY KEY (instrument_id, timeframe_ns, ts_event, ingested_at)
) WITHOUT ROWID;

-- One row per bar series: its key count and ts_event range in the latest view (used to skip
-- the existence check for rows outside the range, and by summary()) and its content version.
CREATE TABLE bar_series (
  instrument_id INTEGER NOT NULL REFERENCES instruments (id),
  timeframe_ns  INTEGER NOT NULL,
  keys          INTEGER NOT NULL,
  first_ts      INTEGER NOT NULL,
  last_ts       INTEGER NOT NULL,
  data_version  INTEGER NOT NULL,
  PRIMARY KEY (instrument_id, timeframe_ns)
) WITHOUT ROWID;

-- The distinct ingestion times of each bar series: the canonical knowledge times of its views.
CREATE TABLE bar_series_ingests (
  instrument_id INTEGER NOT NULL,
  timeframe_ns  INTEGER NOT NULL,
  ingested_at   INTEGER NOT NULL,
  PRIMARY KEY (instrument_id, timeframe_ns, ingested_at),
  FOREIGN KEY (instrument_id, timeframe_ns) REFERENCES bar_series (instrument_id, timeframe_ns)
) WITHOUT ROWID;

CREATE TABLE option_quotes (
  instrument_id    INTEGER NOT NULL REFERENCES instruments (id),
  ts_event         INTEGER NOT NULL,
  ingested_at      INTEGER NOT NULL,
  ts_recv          INTEGER NOT NULL,
  bid              INTEGER NOT NULL,
  ask              INTEGER NOT NULL,
  last             INTEGER NOT NULL,
  bid_size         INTEGER NOT NULL,
  ask_size         INTEGER NOT NULL,
  volume           INTEGER NOT NULL,
  open_interest    INTEGER NOT NULL,
  underlying_price INTEGER NOT NULL,
  source_uri       TEXT NOT NULL,
  transform_id     TEXT NOT NULL,
  PRIMARY KEY (instrument_id, ts_event, ingested_at)
) WITHOUT ROWID;

CREATE TABLE corporate_actions (
  instrument_id    INTEGER NOT NULL REFERENCES instruments (id),
  kind             TEXT NOT NULL CHECK (kind IN ('split', 'dividend', 'symbol_change', 'delisting')),
  ex_date          INTEGER NOT NULL,
  ingested_at      INTEGER NOT NULL,
  record_date      INTEGER NOT NULL,
  pay_date         INTEGER NOT NULL,
  amount           INTEGER NOT NULL,
  amount_precision INTEGER NOT NULL,
  ratio_to         INTEGER NOT NULL,
  ratio_from       INTEGER NOT NULL,
  new_symbol       TEXT NOT NULL,
  ts_recv          INTEGER NOT NULL,
  source_uri       TEXT NOT NULL,
  transform_id     TEXT NOT NULL,
  PRIMARY KEY (instrument_id, kind, ex_date, ingested_at)
) WITHOUT ROWID;

-- One row per committed write transaction (an import, a synthesis run): what it changed.
CREATE TABLE ingests (
  id                  INTEGER PRIMARY KEY,
  ingested_at         INTEGER NOT NULL,
  source_uri          TEXT NOT NULL,
  transform_id        TEXT NOT NULL,
  instruments_added   INTEGER NOT NULL,
  bars_added          INTEGER NOT NULL,
  bars_unchanged      INTEGER NOT NULL,
  bars_revised        INTEGER NOT NULL,
  quotes_added        INTEGER NOT NULL,
  quotes_unchanged    INTEGER NOT NULL,
  quotes_revised      INTEGER NOT NULL,
  actions_added       INTEGER NOT NULL,
  actions_unchanged   INTEGER NOT NULL,
  actions_revised     INTEGER NOT NULL
);
)sql";

// Option quotes are cached per underlying: one row per underlying (the `underlying` text of
// its contracts, not an instrument id: quotes of contracts whose underlying is not itself an
// instrument are cached too) with its key count, ts_event range and content version, and the
// distinct ingestion times of its quotes (the canonical knowledge times of its views).
constexpr const char* kMigration2 = R"sql(
CREATE TABLE option_quote_series (
  underlying    TEXT NOT NULL PRIMARY KEY,
  keys          INTEGER NOT NULL,
  first_ts      INTEGER NOT NULL,
  last_ts       INTEGER NOT NULL,
  data_version  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE option_quote_series_ingests (
  underlying  TEXT NOT NULL REFERENCES option_quote_series (underlying),
  ingested_at INTEGER NOT NULL,
  PRIMARY KEY (underlying, ingested_at)
) WITHOUT ROWID;
)sql";

// The words a quote revision adds to its series' version chain (every stored field but the
// lineage text), shared by put_option_quotes and migration 2.
constexpr std::size_t kQuoteVersionWords = 12;

// Migration 2, after its tables exist: the option quote series of the quotes already stored, in
// the database's own order (contract id, ts_event, ingested_at), chained from version 0 as
// put_option_quotes would chain them.
Status backfill_quote_series(sqlite3* db, const std::string& path);

struct Migration {
  int version;
  const char* sql;
  Status (*after)(sqlite3* db, const std::string& path);  // runs in the migration's transaction
};
constexpr Migration kMigrations[] = {{1, kMigration1, nullptr}, {2, kMigration2, &backfill_quote_series}};
static_assert(std::size(kMigrations) == SqliteStore::kSchemaVersion, "one migration per schema version");

// A database's page size is fixed when its first table is created. 16 KiB pages: a 1 M-row
// bar insert took ~13% fewer CPU cycles than with the 4 KiB default; 64 KiB measured no better
// and makes every point lookup read more.
constexpr int kPageSize = 16384;

constexpr const char* kInstrumentColumns =
    "id, symbol, asset_class, currency, tick_size, tick_size_precision, underlying, expiry, strike, "
    "strike_precision, option_right, multiplier, exercise, settlement";

// New bar rows are inserted kBarBatch at a time by one multi-row INSERT: it runs the VDBE
// program once per batch instead of once per row (measured ~30% fewer cycles per row).
constexpr int kBarBatch = 64;
constexpr int kBarParams = 13;

std::string bar_insert_many_sql() {
  std::string sql =
      "INSERT INTO bars (instrument_id, timeframe_ns, ts_event, ingested_at, ts_recv, open, high, low, close, "
      "volume, trade_count, source_uri, transform_id) VALUES ";
  for (int r = 0; r < kBarBatch; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (int c = 1; c <= kBarParams; ++c) {
      sql += "?" + std::to_string(r * kBarParams + c) + (c < kBarParams ? ", " : ")");
    }
  }
  return sql;
}

ErrorCode code_for(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return ErrorCode::kCorrupt;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM: return ErrorCode::kIo;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CONSTRAINT: return ErrorCode::kConflict;
    default: return ErrorCode::kInternal;
  }
}

// Owns one prepared statement.
class Stmt {
 public:
  Stmt() = default;
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt* get() const noexcept { return s_; }
  sqlite3_stmt** out() noexcept { return &s_; }

 private:
  sqlite3_stmt* s_ = nullptr;
};

// Resets a statement when the scope ends, so that no read transaction stays open and the
// statement can be stepped again.
class Use {
 public:
  explicit Use(const Stmt& s) : s_(s.get()) {}
  ~Use() { sqlite3_reset(s_); }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  sqlite3_stmt* operator*() const noexcept { return s_; }

 private:
  sqlite3_stmt* s_;
};

// Named "param", not "bind": an unqualified bind(stmt, i, std::string) would find std::bind by
// argument-dependent lookup and silently bind nothing.
inline void param(sqlite3_stmt* s, int i, std::int64_t v) { sqlite3_bind_int64(s, i, v); }
inline void param(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
// For strings that outlive every step of the statement (the transaction's lineage).
inline void bind_static(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}
inline std::int64_t i64(sqlite3_stmt* s, int i) { return sqlite3_column_int64(s, i); }
inline std::string text(sqlite3_stmt* s, int i) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return p == nullptr ? std::string() : std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

// Looks at an existing file's first 100 bytes (the SQLite header) without SQLite, so that a
// file that is not ours is never opened, let alone modified. Returns whether the file is new
// (missing or 0 bytes).
Result<bool> inspect_file(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return true;
    return make_error(ErrorCode::kIo, path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return make_error(ErrorCode::kIo, path + ": not a regular file");
  if (st.st_size == 0) return true;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::kIo, path + ": " + std::strerror(errno));
  std::array<unsigned char, 100> header{};
  std::size_t got = 0;
  while (got < header.size()) {
    const ssize_t r = ::read(fd, header.data() + got, header.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  ::close(fd);
  // "SQLite format 3\0" opens every SQLite 3 database (sqlite.org/fileformat.html, 1.3).
  static constexpr char kSqliteMagic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f', 'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};
  if (got < header.size() || std::memcmp(header.data(), kSqliteMagic, sizeof kSqliteMagic) != 0) {
    return make_error(ErrorCode::kCorrupt, path + ": not a keel database (not an SQLite file)");
  }
  // The application ID is the big-endian 4-byte integer at offset 68 (fileformat.html, 1.3.15).
  const std::uint32_t app_id = (std::uint32_t{header[68]} << 24) | (std::uint32_t{header[69]} << 16) |
                               (std::uint32_t{header[70]} << 8) | std::uint32_t{header[71]};
  if (app_id != SqliteStore::kApplicationId) {
    return make_error(ErrorCode::kCorrupt, path + ": not a keel database (SQLite application_id " + hex32(app_id) +
                                               ", keel's is " + hex32(SqliteStore::kApplicationId) + ")");
  }
  return false;
}

Error finished_error() {
  return make_error(ErrorCode::kInvalidArgument, "write transaction already committed or failed to commit");
}


Error conflict_error(const std::string& context, std::int64_t latest_t, Timestamp t) {
  return make_error(ErrorCode::kConflict, context + ": different values for a key whose latest revision was ingested at " +
                                              Timestamp::from_ns(latest_t).to_string() +
                                              ", not before this transaction's " + t.to_string());
}

}  // namespace

// ---------------------------------------------------------------------------------------------
struct SqliteStore::Statements {
  Stmt begin, begin_read, commit, rollback, savepoint, release, rollback_to;
  Stmt instrument_by_symbol, instrument_by_id, instrument_exists, instrument_insert, instruments_all;
  Stmt option_contracts, contract_ids;
  Stmt bar_insert, bar_insert_many, bar_latest, bars_range, series_get, series_put, series_ingest_put, series_as_of;
  Stmt quote_insert, quote_latest, quote_first, quote_last, quotes_range;
  Stmt instrument_underlying, quote_series_get, quote_series_put, quote_series_ingest_put, quote_series_as_of;
  Stmt action_insert, action_latest, actions_of;
  Stmt ingest_insert;
};

// Makes a read that runs several statements see one snapshot of the database (WAL readers
// are isolated from writers in other processes). Inside an open write transaction the reads
// already share one view; then it does nothing.
class SqliteStore::ReadSnapshot {
 public:
  explicit ReadSnapshot(SqliteStore& store) : store_(store) {
    if (sqlite3_get_autocommit(store_.db_) == 0) return;
    Use u(store_.st_->begin_read);
    active_ = sqlite3_step(*u) == SQLITE_DONE;
  }
  ~ReadSnapshot() {
    if (!active_) return;
    Use u(store_.st_->commit);
    sqlite3_step(*u);
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  SqliteStore& store_;
  bool active_ = false;
};

Error SqliteStore::sqlite_error(const std::string& what) const {
  return make_error(code_for(sqlite3_extended_errcode(db_)), path_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

namespace {

Status exec(sqlite3* db, const std::string& path, const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return make_error(code_for(rc), path + ": " + msg);
  }
  return ok_status();
}

Result<std::int64_t> pragma_int(sqlite3* db, const std::string& path, const char* sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
  if (rc != SQLITE_OK) return make_error(code_for(rc), path + ": " + sqlite3_errmsg(db));
  rc = sqlite3_step(s);
  std::int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  const bool ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
  sqlite3_finalize(s);
  if (!ok) return make_error(code_for(rc), path + ": " + sqlite3_errmsg(db));
  return v;
}

Status backfill_quote_series(sqlite3* db, const std::string& path) {
  auto fail = [&](const std::string& what) {
    return make_error(code_for(sqlite3_extended_errcode(db)), path + ": " + what + ": " + sqlite3_errmsg(db));
  };
  Stmt rows, put, put_ingest;
  if (sqlite3_prepare_v2(db,
                         "SELECT i.underlying, q.instrument_id, q.ts_event, q.ingested_at, q.ts_recv, q.bid, q.ask, "
                         "q.last, q.bid_size, q.ask_size, q.volume, q.open_interest, q.underlying_price "
                         "FROM instruments i JOIN option_quotes q ON q.instrument_id = i.id "
                         "WHERE i.underlying IS NOT NULL "
                         "ORDER BY i.underlying, q.instrument_id, q.ts_event, q.ingested_at",
                         -1, rows.out(), nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db,
                         "INSERT INTO option_quote_series (underlying, keys, first_ts, last_ts, data_version) "
                         "VALUES (?1, ?2, ?3, ?4, ?5)",
                         -1, put.out(), nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "INSERT INTO option_quote_series_ingests (underlying, ingested_at) VALUES (?1, ?2)", -1,
                         put_ingest.out(), nullptr) != SQLITE_OK) {
    return fail("prepare the option quote series backfill");
  }
  struct Acc {
    std::string underlying;
    std::int64_t keys = 0, first_ts = 0, last_ts = 0, key_id = 0, key_ts = 0;
    Checksum64 chain;
    std::set<std::int64_t> ingests;
  };
  std::optional<Acc> acc;
  auto flush = [&]() -> Status {
    if (!acc) return ok_status();
    sqlite3_stmt* p = put.get();
    sqlite3_reset(p);
    param(p, 1, acc->underlying);
    param(p, 2, acc->keys);
    param(p, 3, acc->first_ts);
    param(p, 4, acc->last_ts);
    param(p, 5, static_cast<std::int64_t>(acc->chain.digest()));
    if (sqlite3_step(p) != SQLITE_DONE) return fail("backfill option_quote_series");
    for (std::int64_t t : acc->ingests) {
      sqlite3_stmt* g = put_ingest.get();
      sqlite3_reset(g);
      param(g, 1, acc->underlying);
      param(g, 2, t);
      if (sqlite3_step(g) != SQLITE_DONE) return fail("backfill option_quote_series_ingests");
    }
    acc.reset();
    return ok_status();
  };
  sqlite3_stmt* r = rows.get();
  int rc;
  while ((rc = sqlite3_step(r)) == SQLITE_ROW) {
    const auto* u = reinterpret_cast<const char*>(sqlite3_column_text(r, 0));
    const std::string_view underlying(u, static_cast<std::size_t>(sqlite3_column_bytes(r, 0)));
    if (acc && acc->underlying != underlying) KEEL_TRY_STATUS(flush());
    const std::int64_t id = i64(r, 1), ts = i64(r, 2);
    if (!acc) {
      acc.emplace();
      acc->underlying = std::string(underlying);
      acc->chain.update(std::uint64_t{0});  // the version before any quote, as put_option_quotes chains
    }
    if (acc->keys == 0 || id != acc->key_id || ts != acc->key_ts) {  // revisions of a key are adjacent
      acc->first_ts = acc->keys == 0 ? ts : std::min(acc->first_ts, ts);
      acc->last_ts = acc->keys == 0 ? ts : std::max(acc->last_ts, ts);
      ++acc->keys;
      acc->key_id = id;
      acc->key_ts = ts;
    }
    std::int64_t words[kQuoteVersionWords];
    for (std::size_t c = 0; c < kQuoteVersionWords; ++c) words[c] = i64(r, static_cast<int>(c) + 1);
    acc->chain.update(words, kQuoteVersionWords);
    acc->ingests.insert(i64(r, 3));
  }
  if (rc != SQLITE_DONE) return fail("backfill option quote series");
  return flush();
}

Result<Instrument> read_instrument(sqlite3_stmt* s, const std::string& path) {
  Instrument inst;
  inst.id = InstrumentId(i64(s, 0));
  inst.symbol = text(s, 1);
  auto bad = [&](const Error& e) {
    return make_error(ErrorCode::kCorrupt, path + ": instruments row id " + std::to_string(inst.id.value()) + ": " +
                                               e.message);
  };
  auto ac = parse_asset_class(text(s, 2));
  if (!ac.ok()) return bad(ac.error());
  inst.asset_class = *ac;
  inst.currency = text(s, 3);
  inst.tick_size = Price::from_raw(i64(s, 4), static_cast<int>(i64(s, 5)));
  if (sqlite3_column_type(s, 6) != SQLITE_NULL) {
    OptionSpec spec;
    spec.underlying = text(s, 6);
    spec.expiry = Date::from_days(static_cast<std::int32_t>(i64(s, 7)));
    spec.strike = Price::from_raw(i64(s, 8), static_cast<int>(i64(s, 9)));
    auto right = parse_option_right(text(s, 10));
    if (!right.ok()) return bad(right.error());
    spec.right = *right;
    spec.multiplier = i64(s, 11);
    auto ex = parse_exercise_style(text(s, 12));
    if (!ex.ok()) return bad(ex.error());
    spec.exercise = *ex;
    auto se = parse_settlement(text(s, 13));
    if (!se.ok()) return bad(se.error());
    spec.settlement = *se;
    inst.option = spec;
  }
  return inst;
}

// Sorts quotes read contract by contract (ascending id, each by ts_event) into (ts_event,
// instrument) order. Sorting (ts_event, row) pairs gives the stable order by ts_event without
// an indirect comparison; each column is then gathered in one pass.
OptionQuoteColumns sort_quotes(OptionQuoteColumns rows) {
  const std::size_t n = rows.size();
  bool sorted = true;
  for (std::size_t i = 1; i < n && sorted; ++i) sorted = rows.ts_event[i - 1] <= rows.ts_event[i];
  if (sorted) return rows;  // one contract, or contracts that do not overlap in time
  std::vector<std::pair<std::int64_t, std::size_t>> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = {rows.ts_event[i], i};
  std::sort(order.begin(), order.end());
  OptionQuoteColumns out;
  auto gather = [&](std::vector<std::int64_t>& from, std::vector<std::int64_t>& to) {
    reserve_huge(to, n);
    for (const auto& [ts, i] : order) to.push_back(from[i]);
    std::vector<std::int64_t>().swap(from);
  };
  gather(rows.instrument, out.instrument);
  gather(rows.ts_event, out.ts_event);
  gather(rows.ts_recv, out.ts_recv);
  gather(rows.bid, out.bid);
  gather(rows.ask, out.ask);
  gather(rows.last, out.last);
  gather(rows.volume, out.volume);
  gather(rows.open_interest, out.open_interest);
  gather(rows.underlying_price, out.underlying_price);
  return out;
}

// The rows with from <= ts_event <= to of quotes sorted by ts_event.
OptionQuoteColumns quotes_between(const OptionQuoteColumns& q, Timestamp from, Timestamp to) {
  const auto b = std::lower_bound(q.ts_event.begin(), q.ts_event.end(), from.ns());
  const auto e = std::upper_bound(b, q.ts_event.end(), to.ns());
  const auto lo = b - q.ts_event.begin(), hi = e - q.ts_event.begin();
  auto cut = [&](const std::vector<std::int64_t>& v) { return std::vector<std::int64_t>(v.begin() + lo, v.begin() + hi); };
  OptionQuoteColumns out;
  out.instrument = cut(q.instrument);
  out.ts_event = cut(q.ts_event);
  out.ts_recv = cut(q.ts_recv);
  out.bid = cut(q.bid);
  out.ask = cut(q.ask);
  out.last = cut(q.last);
  out.volume = cut(q.volume);
  out.open_interest = cut(q.open_interest);
  out.underlying_price = cut(q.underlying_price);
  return out;
}

// A capacity hint for a load of [from, to]: the underlying's key count scaled by the part of
// its ts_event range asked for (exact for a whole-series load; only ever a hint).
std::size_t quote_rows_hint(std::int64_t keys, std::int64_t first_ts, std::int64_t last_ts, Timestamp from,
                            Timestamp to) {
  if (keys <= 0 || last_ts < first_ts) return 0;
  const std::int64_t lo = std::max(first_ts, from.ns()), hi = std::min(last_ts, to.ns());
  if (hi < lo) return 0;
  const double span = static_cast<double>(last_ts) - static_cast<double>(first_ts);
  const double part = span <= 0 ? 1.0 : (static_cast<double>(hi) - static_cast<double>(lo)) / span;
  return static_cast<std::size_t>(static_cast<double>(keys) * std::min(1.0, part * 1.05 + 0.01));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
class SqliteTransaction final : public WriteTransaction {
 public:
  SqliteTransaction(SqliteStore& store, Lineage lineage) : store_(store), lineage_(std::move(lineage)) {}

  ~SqliteTransaction() override {
    if (finished_) return;
    if (sqlite3_get_autocommit(store_.db_) == 0) {
      sqlite3_step(store_.st_->rollback.get());
      sqlite3_reset(store_.st_->rollback.get());
    }
    finish();
  }

  Result<InstrumentId> upsert_instrument(const Instrument& inst) override;
  Result<WriteCounts> put_bars(std::span<const Bar> bars) override;
  Result<WriteCounts> put_option_quotes(std::span<const OptionQuote> quotes) override;
  Result<WriteCounts> put_corporate_actions(std::span<const CorporateAction> actions) override;
  Status commit() override;

  // Writes the bar_series rows the transaction has changed so far (reads of series metadata
  // inside the transaction call it first).
  Status flush_series();

 private:
  using SeriesKey = std::pair<std::int64_t, std::int64_t>;  // instrument, timeframe ns
  struct Series {
    std::int64_t keys = 0, first_ts = 0, last_ts = 0;
    std::uint64_t version = 0;            // as stored
    std::optional<Checksum64> chain;      // set once the transaction changed the series
    bool dirty = false;                   // changed since the last flush
  };
  struct QuoteRange {
    bool any = false;
    std::int64_t first = 0, last = 0;  // may be wider than the truth after a failed call: safe
  };

  // Every call first checks that the transaction can still write: not finished, and the SQLite
  // transaction still open (SQLite rolls a transaction back by itself after some I/O errors;
  // writing on would then autocommit row by row).
  Status usable();
  // Ends the transaction's hold on the store and drops the statement bindings that point into
  // this transaction's lineage strings (bound with SQLITE_STATIC).
  void finish();
  template <class Fn>
  Result<WriteCounts> in_savepoint(Fn&& fn);
  Result<bool> instrument_is_option(std::int64_t id);  // kNotFound when unknown
  Result<Series*> series(const SeriesKey& key, std::map<SeriesKey, std::optional<Series>>& undo);
  Result<WriteCounts> put_bars_impl(std::span<const Bar> bars, std::map<SeriesKey, std::optional<Series>>& undo);
  Result<Series*> quote_series(std::int64_t contract, std::map<std::string, std::optional<Series>>& undo);
  Result<WriteCounts> put_quotes_impl(std::span<const OptionQuote> quotes,
                                      std::map<std::string, std::optional<Series>>& undo);
  Result<WriteCounts> put_actions_impl(std::span<const CorporateAction> actions);

  SqliteStore& store_;
  Lineage lineage_;
  bool finished_ = false;
  std::map<std::int64_t, bool> instruments_;  // id → is option, for ids seen in this transaction
  std::map<SeriesKey, Series> series_;
  std::map<std::int64_t, QuoteRange> quote_ranges_;
  std::map<std::string, Series> quote_series_;              // underlying → its option quote series
  std::map<std::int64_t, std::string> contract_underlying_;  // option contract id → underlying
  std::int64_t instruments_added_ = 0;
  WriteCounts bar_counts_, quote_counts_, action_counts_;
};

Status SqliteTransaction::usable() {
  if (finished_) return finished_error();
  if (sqlite3_get_autocommit(store_.db_) != 0) {
    finish();
    return make_error(ErrorCode::kIo, store_.path_ + ": the write transaction was rolled back after an earlier error");
  }
  return ok_status();
}

void SqliteTransaction::finish() {
  finished_ = true;
  store_.open_transaction_ = nullptr;
  auto& st = *store_.st_;
  for (const Stmt* s : {&st.bar_insert, &st.bar_insert_many, &st.quote_insert}) sqlite3_clear_bindings(s->get());
}

template <class Fn>
Result<WriteCounts> SqliteTransaction::in_savepoint(Fn&& fn) {
  auto& st = *store_.st_;
  {
    Use u(st.savepoint);
    if (sqlite3_step(*u) != SQLITE_DONE) return store_.sqlite_error("savepoint");
  }
  Result<WriteCounts> r = fn();
  if (r.ok()) {
    Use u(st.release);
    if (sqlite3_step(*u) == SQLITE_DONE) return r;
    r = store_.sqlite_error("release savepoint");
  }
  {
    Use u(st.rollback_to);
    sqlite3_step(*u);
  }
  {
    Use u(st.release);
    sqlite3_step(*u);
  }
  return r;
}

Result<bool> SqliteTransaction::instrument_is_option(std::int64_t id) {
  if (auto it = instruments_.find(id); it != instruments_.end()) return it->second;
  Use u(store_.st_->instrument_exists);
  param(*u, 1, id);
  const int rc = sqlite3_step(*u);
  if (rc == SQLITE_DONE) return make_error(ErrorCode::kNotFound, "unknown instrument id " + std::to_string(id));
  if (rc != SQLITE_ROW) return store_.sqlite_error("instrument lookup");
  const bool is_option = text(*u, 0) == "option";
  instruments_[id] = is_option;
  return is_option;
}

Result<InstrumentId> SqliteTransaction::upsert_instrument(const Instrument& inst) {
  KEEL_TRY_STATUS(usable());
  KEEL_TRY_STATUS(inst.validate());
  auto& st = *store_.st_;
  {
    Use u(st.instrument_by_symbol);
    param(*u, 1, inst.symbol);
    const int rc = sqlite3_step(*u);
    if (rc == SQLITE_ROW) {
      KEEL_TRY(existing, read_instrument(*u, store_.path_));
      if (!same_definition(existing, inst)) {
        return make_error(ErrorCode::kConflict, "instrument '" + inst.symbol +
                                                    "' already exists with a different definition (id " +
                                                    std::to_string(existing.id.value()) + ")");
      }
      return existing.id;
    }
    if (rc != SQLITE_DONE) return store_.sqlite_error("instrument lookup");
  }
  Use u(st.instrument_insert);
  sqlite3_stmt* s = *u;
  param(s, 1, inst.symbol);
  param(s, 2, to_string(inst.asset_class));
  param(s, 3, inst.currency);
  param(s, 4, inst.tick_size.raw());
  param(s, 5, inst.tick_size.precision());
  if (inst.option) {
    const OptionSpec& o = *inst.option;
    param(s, 6, o.underlying);
    param(s, 7, o.expiry.days());
    param(s, 8, o.strike.raw());
    param(s, 9, o.strike.precision());
    param(s, 10, to_string(o.right));
    param(s, 11, o.multiplier);
    param(s, 12, to_string(o.exercise));
    param(s, 13, to_string(o.settlement));
  } else {
    for (int i = 6; i <= 13; ++i) sqlite3_bind_null(s, i);
  }
  param(s, 14, lineage_.ingested_at.ns());
  param(s, 15, lineage_.source_uri);
  param(s, 16, lineage_.transform_id);
  if (sqlite3_step(s) != SQLITE_DONE) return store_.sqlite_error("insert instrument '" + inst.symbol + "'");
  const std::int64_t id = sqlite3_last_insert_rowid(store_.db_);
  instruments_[id] = inst.is_option();
  ++instruments_added_;
  return InstrumentId(id);
}

namespace {

// Series caches of a transaction (bars by (instrument, timeframe), option quotes by underlying):
// the entry for `key`, with its state before the current put_* call remembered in `undo` the
// first time the call touches it, so a failed call can be rolled back by restore().
template <class K, class S>
typename std::map<K, S>::iterator remember(std::map<K, S>& cache, std::map<K, std::optional<S>>& undo, const K& key) {
  auto it = cache.find(key);
  if (!undo.contains(key)) undo[key] = it == cache.end() ? std::nullopt : std::optional<S>(it->second);
  return it;
}

template <class K, class S>
void restore(std::map<K, S>& cache, std::map<K, std::optional<S>>& undo) {
  for (auto& [key, before] : undo) {
    if (before) {
      cache[key] = *before;
    } else {
      cache.erase(key);
    }
  }
}

// A series row as stored: keys, first_ts, last_ts, data_version in columns 0..3.
template <class S>
void read_series_row(sqlite3_stmt* row, S& s) {
  s.keys = i64(row, 0);
  s.first_ts = i64(row, 1);
  s.last_ts = i64(row, 2);
  s.version = static_cast<std::uint64_t>(i64(row, 3));
}

}  // namespace

Result<SqliteTransaction::Series*> SqliteTransaction::series(const SeriesKey& key,
                                                            std::map<SeriesKey, std::optional<Series>>& undo) {
  auto it = remember(series_, undo, key);
  if (it != series_.end()) return &it->second;
  Series s;
  Use u(store_.st_->series_get);
  param(*u, 1, key.first);
  param(*u, 2, key.second);
  const int rc = sqlite3_step(*u);
  if (rc == SQLITE_ROW) {
    read_series_row(*u, s);
  } else if (rc != SQLITE_DONE) {
    return store_.sqlite_error("bar series lookup");
  }
  return &series_.emplace(key, s).first->second;
}

Result<WriteCounts> SqliteTransaction::put_bars(std::span<const Bar> bars) {
  KEEL_TRY_STATUS(usable());
  std::map<SeriesKey, std::optional<Series>> undo;
  auto r = in_savepoint([&] { return put_bars_impl(bars, undo); });
  if (!r.ok()) {
    restore(series_, undo);
    return r;
  }
  bar_counts_ += *r;
  return r;
}

Result<WriteCounts> SqliteTransaction::put_bars_impl(std::span<const Bar> bars,
                                                     std::map<SeriesKey, std::optional<Series>>& undo) {
  auto& st = *store_.st_;
  const std::int64_t t = lineage_.ingested_at.ns();
  sqlite3_stmt* one = st.bar_insert.get();
  sqlite3_stmt* many = st.bar_insert_many.get();
  param(one, 4, t);
  bind_static(one, 12, lineage_.source_uri);
  bind_static(one, 13, lineage_.transform_id);
  for (int r = 0; r < kBarBatch; ++r) {
    param(many, r * kBarParams + 4, t);
    bind_static(many, r * kBarParams + 12, lineage_.source_uri);
    bind_static(many, r * kBarParams + 13, lineage_.transform_id);
  }
  auto bind_row = [](sqlite3_stmt* s, int base, const Bar& b) {
    param(s, base + 1, b.instrument.value());
    param(s, base + 2, b.timeframe.count());
    param(s, base + 3, b.ts_event.ns());
    param(s, base + 5, b.ts_recv.ns());
    param(s, base + 6, b.open.raw());
    param(s, base + 7, b.high.raw());
    param(s, base + 8, b.low.raw());
    param(s, base + 9, b.close.raw());
    param(s, base + 10, b.volume.raw());
    param(s, base + 11, b.trade_count);
  };
  // Rows decided "insert" wait here; they are written before any lookup, so a lookup always
  // sees every earlier row of the call.
  std::array<std::size_t, kBarBatch> pending{};
  int npending = 0;
  auto flush = [&]() -> Status {
    if (npending == kBarBatch) {
      for (int r = 0; r < kBarBatch; ++r) bind_row(many, r * kBarParams, bars[pending[r]]);
      const int rc = sqlite3_step(many);
      sqlite3_reset(many);
      if (rc != SQLITE_DONE) {
        return store_.sqlite_error("put_bars rows " + std::to_string(pending[0]) + ".." +
                                   std::to_string(pending[kBarBatch - 1]));
      }
    } else {
      for (int r = 0; r < npending; ++r) {
        bind_row(one, 0, bars[pending[r]]);
        const int rc = sqlite3_step(one);
        sqlite3_reset(one);
        if (rc != SQLITE_DONE) {
          return store_.sqlite_error("put_bars row " + std::to_string(pending[r]) + " (" +
                                     bar_key_text(bars[pending[r]]) + ")");
        }
      }
    }
    npending = 0;
    return ok_status();
  };

  WriteCounts counts;
  Series* cur = nullptr;
  SeriesKey cur_key{0, 0};
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    auto context = [&] { return "put_bars row " + std::to_string(i) + " (" + bar_key_text(b) + ")"; };
    if (Status s = b.validate(); !s.ok()) return s.error().with_context(context());
    const SeriesKey key{b.instrument.value(), b.timeframe.count()};
    if (cur == nullptr || key != cur_key) {
      if (auto known = instrument_is_option(key.first); !known.ok()) return known.error().with_context(context());
      KEEL_TRY(s, series(key, undo));
      cur = s;
      cur_key = key;
    }
    const std::int64_t ts = b.ts_event.ns();
    bool revised = false;
    if (cur->keys > 0 && ts >= cur->first_ts && ts <= cur->last_ts) {
      // The key may exist: compare with its latest revision.
      KEEL_TRY_STATUS(flush());
      Use u(st.bar_latest);
      param(*u, 1, key.first);
      param(*u, 2, key.second);
      param(*u, 3, ts);
      const int rc = sqlite3_step(*u);
      if (rc == SQLITE_ROW) {
        const std::int64_t latest_t = i64(*u, 0);
        const bool same = i64(*u, 1) == b.ts_recv.ns() && i64(*u, 2) == b.open.raw() && i64(*u, 3) == b.high.raw() &&
                          i64(*u, 4) == b.low.raw() && i64(*u, 5) == b.close.raw() &&
                          i64(*u, 6) == b.volume.raw() && i64(*u, 7) == b.trade_count;
        if (same) {
          ++counts.unchanged;
          continue;
        }
        if (t <= latest_t) return conflict_error(context(), latest_t, lineage_.ingested_at);
        revised = true;
      } else if (rc != SQLITE_DONE) {
        return store_.sqlite_error(context());
      }
    }
    pending[npending++] = i;
    if (npending == kBarBatch) KEEL_TRY_STATUS(flush());
    if (revised) {
      ++counts.revised;
    } else {
      ++counts.added;
      if (cur->keys == 0) {
        cur->first_ts = cur->last_ts = ts;
      } else {
        cur->first_ts = std::min(cur->first_ts, ts);
        cur->last_ts = std::max(cur->last_ts, ts);
      }
      ++cur->keys;
    }
    if (!cur->chain) {
      cur->chain.emplace();
      cur->chain->update(cur->version);
    }
    const std::int64_t words[] = {ts, t, b.ts_recv.ns(), b.open.raw(), b.high.raw(), b.low.raw(),
                                  b.close.raw(), b.volume.raw(), b.trade_count};
    cur->chain->update(words, std::size(words));
    cur->dirty = true;
  }
  KEEL_TRY_STATUS(flush());
  return counts;
}

Result<SqliteTransaction::Series*> SqliteTransaction::quote_series(std::int64_t contract,
                                                                  std::map<std::string, std::optional<Series>>& undo) {
  auto name = contract_underlying_.find(contract);
  if (name == contract_underlying_.end()) {
    Use u(store_.st_->instrument_underlying);
    param(*u, 1, contract);
    if (sqlite3_step(*u) != SQLITE_ROW) return store_.sqlite_error("underlying of contract " + std::to_string(contract));
    name = contract_underlying_.emplace(contract, text(*u, 0)).first;
  }
  const std::string& underlying = name->second;
  auto it = remember(quote_series_, undo, underlying);
  if (it != quote_series_.end()) return &it->second;
  Series s;
  Use u(store_.st_->quote_series_get);
  param(*u, 1, underlying);
  const int rc = sqlite3_step(*u);
  if (rc == SQLITE_ROW) {
    read_series_row(*u, s);
  } else if (rc != SQLITE_DONE) {
    return store_.sqlite_error("option quote series lookup");
  }
  return &quote_series_.emplace(underlying, s).first->second;
}

Result<WriteCounts> SqliteTransaction::put_option_quotes(std::span<const OptionQuote> quotes) {
  KEEL_TRY_STATUS(usable());
  std::map<std::string, std::optional<Series>> undo;
  auto r = in_savepoint([&] { return put_quotes_impl(quotes, undo); });
  if (!r.ok()) {
    restore(quote_series_, undo);
    return r;
  }
  quote_counts_ += *r;
  return r;
}

Result<WriteCounts> SqliteTransaction::put_quotes_impl(std::span<const OptionQuote> quotes,
                                                       std::map<std::string, std::optional<Series>>& undo) {
  auto& st = *store_.st_;
  const std::int64_t t = lineage_.ingested_at.ns();
  sqlite3_stmt* ins = st.quote_insert.get();
  param(ins, 3, t);
  bind_static(ins, 13, lineage_.source_uri);
  bind_static(ins, 14, lineage_.transform_id);
  WriteCounts counts;
  Series* series = nullptr;  // of the underlying of contract series_id
  std::int64_t series_id = 0;
  std::map<std::int64_t, Series*> series_of;  // contract → its underlying's series, for this call
  for (std::size_t i = 0; i < quotes.size(); ++i) {
    const OptionQuote& q = quotes[i];
    auto context = [&] { return "put_option_quotes row " + std::to_string(i) + " (" + quote_key_text(q) + ")"; };
    if (Status s = q.validate(); !s.ok()) return s.error().with_context(context());
    const std::int64_t id = q.instrument.value();
    auto is_option = instrument_is_option(id);
    if (!is_option.ok()) return is_option.error().with_context(context());
    if (!*is_option) {
      return make_error(ErrorCode::kInvalidArgument,
                        context() + ": instrument id " + std::to_string(id) + " is not an option contract");
    }
    auto range_it = quote_ranges_.find(id);
    if (range_it == quote_ranges_.end()) {
      QuoteRange r;
      for (const Stmt* stmt : {&st.quote_first, &st.quote_last}) {
        Use u(*stmt);
        param(*u, 1, id);
        const int rc = sqlite3_step(*u);
        if (rc == SQLITE_ROW) {
          r.any = true;
          (stmt == &st.quote_first ? r.first : r.last) = i64(*u, 0);
        } else if (rc != SQLITE_DONE) {
          return store_.sqlite_error(context());
        }
      }
      range_it = quote_ranges_.emplace(id, r).first;
    }
    QuoteRange& range = range_it->second;
    const std::int64_t ts = q.ts_event.ns();
    bool revised = false;
    if (range.any && ts >= range.first && ts <= range.last) {
      Use u(st.quote_latest);
      param(*u, 1, id);
      param(*u, 2, ts);
      const int rc = sqlite3_step(*u);
      if (rc == SQLITE_ROW) {
        const std::int64_t latest_t = i64(*u, 0);
        const bool same = i64(*u, 1) == q.ts_recv.ns() && i64(*u, 2) == q.bid.raw() && i64(*u, 3) == q.ask.raw() &&
                          i64(*u, 4) == q.last.raw() && i64(*u, 5) == q.bid_size.raw() &&
                          i64(*u, 6) == q.ask_size.raw() && i64(*u, 7) == q.volume.raw() &&
                          i64(*u, 8) == q.open_interest.raw() && i64(*u, 9) == q.underlying_price.raw();
        if (same) {
          ++counts.unchanged;
          continue;
        }
        if (t <= latest_t) return conflict_error(context(), latest_t, lineage_.ingested_at);
        revised = true;
      } else if (rc != SQLITE_DONE) {
        return store_.sqlite_error(context());
      }
    }
    if (series == nullptr || id != series_id) {
      auto& known = series_of[id];  // the map nodes stay put for the whole call
      if (known == nullptr) {
        auto found = quote_series(id, undo);
        if (!found.ok()) return found.error().with_context(context());
        known = *found;
      }
      series = known;
      series_id = id;
    }
    param(ins, 1, id);
    param(ins, 2, ts);
    param(ins, 4, q.ts_recv.ns());
    param(ins, 5, q.bid.raw());
    param(ins, 6, q.ask.raw());
    param(ins, 7, q.last.raw());
    param(ins, 8, q.bid_size.raw());
    param(ins, 9, q.ask_size.raw());
    param(ins, 10, q.volume.raw());
    param(ins, 11, q.open_interest.raw());
    param(ins, 12, q.underlying_price.raw());
    const int rc = sqlite3_step(ins);
    sqlite3_reset(ins);
    if (rc != SQLITE_DONE) return store_.sqlite_error(context());
    if (revised) {
      ++counts.revised;
    } else {
      ++counts.added;
      if (!range.any) {
        range.any = true;
        range.first = range.last = ts;
      } else {
        range.first = std::min(range.first, ts);
        range.last = std::max(range.last, ts);
      }
      series->first_ts = series->keys == 0 ? ts : std::min(series->first_ts, ts);
      series->last_ts = series->keys == 0 ? ts : std::max(series->last_ts, ts);
      ++series->keys;
    }
    if (!series->chain) {
      series->chain.emplace();
      series->chain->update(series->version);
    }
    const std::int64_t words[kQuoteVersionWords] = {
        id,          ts,          t,           q.ts_recv.ns(), q.bid.raw(),           q.ask.raw(),
        q.last.raw(), q.bid_size.raw(), q.ask_size.raw(), q.volume.raw(), q.open_interest.raw(), q.underlying_price.raw()};
    series->chain->update(words, kQuoteVersionWords);
    series->dirty = true;
  }
  return counts;
}

Result<WriteCounts> SqliteTransaction::put_corporate_actions(std::span<const CorporateAction> actions) {
  KEEL_TRY_STATUS(usable());
  auto r = in_savepoint([&] { return put_actions_impl(actions); });
  if (r.ok()) action_counts_ += *r;
  return r;
}

Result<WriteCounts> SqliteTransaction::put_actions_impl(std::span<const CorporateAction> actions) {
  auto& st = *store_.st_;
  const std::int64_t t = lineage_.ingested_at.ns();
  WriteCounts counts;
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const CorporateAction& a = actions[i];
    auto context = [&] { return "put_corporate_actions row " + std::to_string(i) + " (" + action_key_text(a) + ")"; };
    if (Status s = a.validate(); !s.ok()) return s.error().with_context(context());
    if (auto known = instrument_is_option(a.instrument.value()); !known.ok()) {
      return known.error().with_context(context());
    }
    const std::string_view kind = to_string(a.kind);
    bool revised = false;
    {
      Use u(st.action_latest);
      param(*u, 1, a.instrument.value());
      param(*u, 2, kind);
      param(*u, 3, a.ex_date.days());
      const int rc = sqlite3_step(*u);
      if (rc == SQLITE_ROW) {
        const std::int64_t latest_t = i64(*u, 0);
        const bool same = i64(*u, 1) == a.record_date.days() && i64(*u, 2) == a.pay_date.days() &&
                          i64(*u, 3) == a.amount.raw() && i64(*u, 4) == a.ratio_to && i64(*u, 5) == a.ratio_from &&
                          text(*u, 6) == a.new_symbol && i64(*u, 7) == a.ts_recv.ns();
        if (same) {
          ++counts.unchanged;
          continue;
        }
        if (t <= latest_t) return conflict_error(context(), latest_t, lineage_.ingested_at);
        revised = true;
      } else if (rc != SQLITE_DONE) {
        return store_.sqlite_error(context());
      }
    }
    Use u(st.action_insert);
    sqlite3_stmt* s = *u;
    param(s, 1, a.instrument.value());
    param(s, 2, kind);
    param(s, 3, a.ex_date.days());
    param(s, 4, t);
    param(s, 5, a.record_date.days());
    param(s, 6, a.pay_date.days());
    param(s, 7, a.amount.raw());
    param(s, 8, a.amount.precision());
    param(s, 9, a.ratio_to);
    param(s, 10, a.ratio_from);
    param(s, 11, a.new_symbol);
    param(s, 12, a.ts_recv.ns());
    param(s, 13, lineage_.source_uri);
    param(s, 14, lineage_.transform_id);
    if (sqlite3_step(s) != SQLITE_DONE) return store_.sqlite_error(context());
    ++(revised ? counts.revised : counts.added);
  }
  return counts;
}

Status SqliteTransaction::flush_series() {
  // Never write outside the SQLite transaction (it may have been rolled back after an error).
  if (finished_ || sqlite3_get_autocommit(store_.db_) != 0) return ok_status();
  auto& st = *store_.st_;
  const std::int64_t t = lineage_.ingested_at.ns();
  for (auto& [key, s] : series_) {
    if (!s.dirty) continue;
    {
      Use u(st.series_put);
      param(*u, 1, key.first);
      param(*u, 2, key.second);
      param(*u, 3, s.keys);
      param(*u, 4, s.first_ts);
      param(*u, 5, s.last_ts);
      param(*u, 6, static_cast<std::int64_t>(s.chain->digest()));
      if (sqlite3_step(*u) != SQLITE_DONE) return store_.sqlite_error("update bar series");
    }
    {
      Use u(st.series_ingest_put);
      param(*u, 1, key.first);
      param(*u, 2, key.second);
      param(*u, 3, t);
      if (sqlite3_step(*u) != SQLITE_DONE) return store_.sqlite_error("record bar series ingest");
    }
    s.dirty = false;
  }
  for (auto& [underlying, s] : quote_series_) {
    if (!s.dirty) continue;
    {
      Use u(st.quote_series_put);
      param(*u, 1, underlying);
      param(*u, 2, s.keys);
      param(*u, 3, s.first_ts);
      param(*u, 4, s.last_ts);
      param(*u, 5, static_cast<std::int64_t>(s.chain->digest()));
      if (sqlite3_step(*u) != SQLITE_DONE) return store_.sqlite_error("update option quote series");
    }
    {
      Use u(st.quote_series_ingest_put);
      param(*u, 1, underlying);
      param(*u, 2, t);
      if (sqlite3_step(*u) != SQLITE_DONE) return store_.sqlite_error("record option quote series ingest");
    }
    s.dirty = false;
  }
  return ok_status();
}

Status SqliteTransaction::commit() {
  KEEL_TRY_STATUS(usable());
  auto& st = *store_.st_;
  Status s = flush_series();
  if (s.ok()) {
    Use u(st.ingest_insert);
    param(*u, 1, lineage_.ingested_at.ns());
    param(*u, 2, lineage_.source_uri);
    param(*u, 3, lineage_.transform_id);
    const std::int64_t values[] = {instruments_added_,   bar_counts_.added,      bar_counts_.unchanged,
                                   bar_counts_.revised,  quote_counts_.added,    quote_counts_.unchanged,
                                   quote_counts_.revised, action_counts_.added,  action_counts_.unchanged,
                                   action_counts_.revised};
    for (int i = 0; i < static_cast<int>(std::size(values)); ++i) param(*u, 4 + i, values[i]);
    if (sqlite3_step(*u) != SQLITE_DONE) s = store_.sqlite_error("record ingest");
  }
  if (s.ok()) {
    Use u(st.commit);
    if (sqlite3_step(*u) != SQLITE_DONE) s = store_.sqlite_error("commit");
  }
  if (!s.ok() && sqlite3_get_autocommit(store_.db_) == 0) {
    Use u(st.rollback);
    sqlite3_step(*u);
  }
  finish();
  return s;
}

// ---------------------------------------------------------------------------------------------
SqliteStore::SqliteStore(std::string path, sqlite3* db, const SqliteStoreOptions& options)
    : path_(std::move(path)), db_(db), options_(options), st_(std::make_unique<Statements>()) {}

SqliteStore::~SqliteStore() {
  KEEL_ASSERT(open_transaction_ == nullptr, "SqliteStore destroyed while a WriteTransaction is open");
  st_.reset();  // finalize every statement before closing
  sqlite3_close(db_);
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
  return open(path, SqliteStoreOptions{});
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, const SqliteStoreOptions& options) {
  if (path.empty()) return make_error(ErrorCode::kInvalidArgument, "database path is empty");
  const bool memory = path == ":memory:";
  bool is_new = true;
  if (!memory) {
    KEEL_TRY(fresh, inspect_file(path));
    is_new = fresh;
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    const std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return make_error(ErrorCode::kIo, path + ": cannot open: " + msg);
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, db, options));
  KEEL_TRY_STATUS(store->init_connection(is_new));
  KEEL_TRY_STATUS(store->prepare_statements());
  if (options.bar_cache && !memory) {
    store->cache_ = std::make_unique<BarCache>(options.cache_directory.empty() ? path + ".cache"
                                                                               : options.cache_directory);
    store->quote_cache_ = std::make_unique<OptionQuoteCache>(store->cache_->directory());
    store->cache_enabled_ = true;
  }
  return store;
}

Status SqliteStore::init_connection(bool is_new) {
  sqlite3_busy_timeout(db_, 5000);
  int version = 0;
  if (is_new) {
    // Page size, application_id and the first migration are written in rollback-journal mode,
    // straight into the main file, before WAL is switched on: so the file's own header always
    // says it is ours, even if a crash leaves a WAL file behind later.
    KEEL_TRY_STATUS(exec(db_, path_, ("PRAGMA page_size = " + std::to_string(kPageSize)).c_str()));
    const std::string first = "BEGIN IMMEDIATE; PRAGMA application_id = " + std::to_string(kApplicationId) + "; " +
                              kMigrations[0].sql + "; PRAGMA user_version = 1; COMMIT;";
    if (Status s = exec(db_, path_, first.c_str()); !s.ok()) {
      (void)exec(db_, path_, "ROLLBACK");
      return s.error().with_context("creating the schema");
    }
    version = 1;
  } else {
    KEEL_TRY(app_id, pragma_int(db_, path_, "PRAGMA application_id"));
    if (static_cast<std::uint32_t>(app_id) != kApplicationId) {
      return make_error(ErrorCode::kCorrupt, path_ + ": not a keel database (SQLite application_id " +
                                                 hex32(static_cast<std::uint32_t>(app_id)) + ")");
    }
    KEEL_TRY(v, pragma_int(db_, path_, "PRAGMA user_version"));
    if (v > kSchemaVersion) {
      return make_error(ErrorCode::kUnsupported,
                        path_ + ": schema version " + std::to_string(v) + " is newer than this keel supports (" +
                            std::to_string(kSchemaVersion) + "); use a newer keel");
    }
    if (v < 0) return make_error(ErrorCode::kCorrupt, path_ + ": negative schema version " + std::to_string(v));
    version = static_cast<int>(v);
  }
  KEEL_TRY_STATUS(exec(db_, path_, "PRAGMA journal_mode = WAL"));
  KEEL_TRY_STATUS(exec(db_, path_, "PRAGMA synchronous = NORMAL"));
  KEEL_TRY_STATUS(exec(db_, path_, "PRAGMA foreign_keys = ON"));
  KEEL_TRY_STATUS(exec(db_, path_, "PRAGMA temp_store = MEMORY"));
  // Reads of a memory-mapped file skip the copy into the page cache: ten yearly quote loads
  // of a 2.5 M-quote underlying took 30% fewer CPU cycles (bench/store.cpp).
  KEEL_TRY_STATUS(exec(db_, path_, ("PRAGMA mmap_size = " + std::to_string(options_.mmap_bytes)).c_str()));
  KEEL_TRY_STATUS(exec(db_, path_, ("PRAGMA cache_size = -" + std::to_string(options_.page_cache_kib)).c_str()));
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    Status s = exec(db_, path_, (std::string("BEGIN IMMEDIATE; ") + m.sql).c_str());
    if (s.ok() && m.after != nullptr) s = m.after(db_, path_);
    if (s.ok()) s = exec(db_, path_, ("PRAGMA user_version = " + std::to_string(m.version) + "; COMMIT;").c_str());
    if (!s.ok()) {
      (void)exec(db_, path_, "ROLLBACK");
      return s.error().with_context("migration to schema version " + std::to_string(m.version));
    }
    version = m.version;
  }
  schema_version_ = version;
  return ok_status();
}

Status SqliteStore::prepare_statements() {
  auto& s = *st_;
  const std::string inst_cols = kInstrumentColumns;
  const std::pair<Stmt*, std::string> all[] = {
      {&s.begin, "BEGIN IMMEDIATE"},
      {&s.begin_read, "BEGIN DEFERRED"},
      {&s.commit, "COMMIT"},
      {&s.rollback, "ROLLBACK"},
      {&s.savepoint, "SAVEPOINT keel_put"},
      {&s.release, "RELEASE keel_put"},
      {&s.rollback_to, "ROLLBACK TO keel_put"},
      {&s.instrument_by_symbol, "SELECT " + inst_cols + " FROM instruments WHERE symbol = ?1"},
      {&s.instrument_by_id, "SELECT " + inst_cols + " FROM instruments WHERE id = ?1"},
      {&s.instrument_exists, "SELECT asset_class FROM instruments WHERE id = ?1"},
      {&s.instrument_insert,
       "INSERT INTO instruments (symbol, asset_class, currency, tick_size, tick_size_precision, underlying, expiry, "
       "strike, strike_precision, option_right, multiplier, exercise, settlement, ingested_at, source_uri, "
       "transform_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"},
      {&s.instruments_all, "SELECT " + inst_cols + " FROM instruments ORDER BY id"},
      {&s.option_contracts, "SELECT " + inst_cols +
                                " FROM instruments WHERE underlying = ?1 AND asset_class = 'option' AND expiry >= ?2 "
                                "ORDER BY expiry, strike, option_right, symbol"},
      {&s.contract_ids, "SELECT id FROM instruments WHERE underlying = ?1 AND asset_class = 'option' ORDER BY id"},
      {&s.bar_insert,
       "INSERT INTO bars (instrument_id, timeframe_ns, ts_event, ingested_at, ts_recv, open, high, low, close, "
       "volume, trade_count, source_uri, transform_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"},
      {&s.bar_insert_many, bar_insert_many_sql()},
      {&s.bar_latest,
       "SELECT ingested_at, ts_recv, open, high, low, close, volume, trade_count FROM bars "
       "WHERE instrument_id = ?1 AND timeframe_ns = ?2 AND ts_event = ?3 ORDER BY ingested_at DESC LIMIT 1"},
      {&s.bars_range,
       "SELECT ts_event, ts_recv, open, high, low, close, volume FROM bars "
       "WHERE instrument_id = ?1 AND timeframe_ns = ?2 AND ts_event BETWEEN ?3 AND ?4 AND ingested_at <= ?5 "
       "ORDER BY ts_event, ingested_at"},
      {&s.series_get,
       "SELECT keys, first_ts, last_ts, data_version FROM bar_series WHERE instrument_id = ?1 AND timeframe_ns = ?2"},
      {&s.series_put,
       "INSERT INTO bar_series (instrument_id, timeframe_ns, keys, first_ts, last_ts, data_version) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (instrument_id, timeframe_ns) DO UPDATE SET "
       "keys = excluded.keys, first_ts = excluded.first_ts, last_ts = excluded.last_ts, "
       "data_version = excluded.data_version"},
      {&s.series_ingest_put,
       "INSERT OR IGNORE INTO bar_series_ingests (instrument_id, timeframe_ns, ingested_at) VALUES (?1, ?2, ?3)"},
      {&s.series_as_of,
       "SELECT max(ingested_at) FROM bar_series_ingests WHERE instrument_id = ?1 AND timeframe_ns = ?2 "
       "AND ingested_at <= ?3"},
      {&s.quote_insert,
       "INSERT INTO option_quotes (instrument_id, ts_event, ingested_at, ts_recv, bid, ask, last, bid_size, ask_size, "
       "volume, open_interest, underlying_price, source_uri, transform_id) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"},
      {&s.quote_latest,
       "SELECT ingested_at, ts_recv, bid, ask, last, bid_size, ask_size, volume, open_interest, underlying_price "
       "FROM option_quotes WHERE instrument_id = ?1 AND ts_event = ?2 ORDER BY ingested_at DESC LIMIT 1"},
      {&s.quote_first, "SELECT ts_event FROM option_quotes WHERE instrument_id = ?1 ORDER BY ts_event LIMIT 1"},
      {&s.quote_last, "SELECT ts_event FROM option_quotes WHERE instrument_id = ?1 ORDER BY ts_event DESC LIMIT 1"},
      {&s.quotes_range,
       "SELECT ts_event, ts_recv, bid, ask, last, volume, open_interest, underlying_price FROM option_quotes "
       "WHERE instrument_id = ?1 AND ts_event BETWEEN ?2 AND ?3 AND ingested_at <= ?4 ORDER BY ts_event, ingested_at"},
      {&s.instrument_underlying, "SELECT underlying FROM instruments WHERE id = ?1"},
      {&s.quote_series_get,
       "SELECT keys, first_ts, last_ts, data_version FROM option_quote_series WHERE underlying = ?1"},
      {&s.quote_series_put,
       "INSERT INTO option_quote_series (underlying, keys, first_ts, last_ts, data_version) "
       "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (underlying) DO UPDATE SET "
       "keys = excluded.keys, first_ts = excluded.first_ts, last_ts = excluded.last_ts, "
       "data_version = excluded.data_version"},
      {&s.quote_series_ingest_put,
       "INSERT OR IGNORE INTO option_quote_series_ingests (underlying, ingested_at) VALUES (?1, ?2)"},
      {&s.quote_series_as_of,
       "SELECT max(ingested_at) FROM option_quote_series_ingests WHERE underlying = ?1 AND ingested_at <= ?2"},
      {&s.action_insert,
       "INSERT INTO corporate_actions (instrument_id, kind, ex_date, ingested_at, record_date, pay_date, amount, "
       "amount_precision, ratio_to, ratio_from, new_symbol, ts_recv, source_uri, transform_id) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"},
      {&s.action_latest,
       "SELECT ingested_at, record_date, pay_date, amount, ratio_to, ratio_from, new_symbol, ts_recv "
       "FROM corporate_actions WHERE instrument_id = ?1 AND kind = ?2 AND ex_date = ?3 "
       "ORDER BY ingested_at DESC LIMIT 1"},
      {&s.actions_of,
       "SELECT kind, ex_date, record_date, pay_date, amount, amount_precision, ratio_to, ratio_from, new_symbol, "
       "ts_recv FROM corporate_actions WHERE instrument_id = ?1 AND ingested_at <= ?2 "
       "ORDER BY kind, ex_date, ingested_at"},
      {&s.ingest_insert,
       "INSERT INTO ingests (ingested_at, source_uri, transform_id, instruments_added, bars_added, bars_unchanged, "
       "bars_revised, quotes_added, quotes_unchanged, quotes_revised, actions_added, actions_unchanged, "
       "actions_revised) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"},
  };
  for (const auto& [stmt, sql] : all) {
    if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, stmt->out(), nullptr) != SQLITE_OK) {
      return sqlite_error("prepare '" + sql + "'");
    }
  }
  return ok_status();
}

Result<std::unique_ptr<WriteTransaction>> SqliteStore::begin(const Lineage& lineage) {
  if (lineage.source_uri.empty()) return make_error(ErrorCode::kInvalidArgument, "lineage: empty source_uri");
  if (lineage.transform_id.empty()) return make_error(ErrorCode::kInvalidArgument, "lineage: empty transform_id");
  if (open_transaction_ != nullptr) {
    return make_error(ErrorCode::kConflict, "a write transaction is already open on this store");
  }
  {
    Use u(st_->begin);
    if (sqlite3_step(*u) != SQLITE_DONE) return sqlite_error("begin transaction");
  }
  auto tx = std::make_unique<SqliteTransaction>(*this, lineage);
  open_transaction_ = tx.get();
  return std::unique_ptr<WriteTransaction>(std::move(tx));
}

Result<std::optional<Instrument>> SqliteStore::find_instrument(std::string_view symbol) {
  Use u(st_->instrument_by_symbol);
  param(*u, 1, symbol);
  const int rc = sqlite3_step(*u);
  if (rc == SQLITE_DONE) return std::optional<Instrument>{};
  if (rc != SQLITE_ROW) return sqlite_error("find instrument '" + std::string(symbol) + "'");
  KEEL_TRY(inst, read_instrument(*u, path_));
  return std::optional<Instrument>{std::move(inst)};
}

Result<Instrument> SqliteStore::instrument(InstrumentId id) {
  Use u(st_->instrument_by_id);
  param(*u, 1, id.value());
  const int rc = sqlite3_step(*u);
  if (rc == SQLITE_DONE) return make_error(ErrorCode::kNotFound, "unknown instrument id " + std::to_string(id.value()));
  if (rc != SQLITE_ROW) return sqlite_error("instrument " + std::to_string(id.value()));
  return read_instrument(*u, path_);
}

Result<bool> SqliteStore::instrument_exists(InstrumentId id) {
  Use u(st_->instrument_exists);
  param(*u, 1, id.value());
  const int rc = sqlite3_step(*u);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error("instrument " + std::to_string(id.value()));
}

Result<std::vector<Instrument>> SqliteStore::instruments() {
  Use u(st_->instruments_all);
  std::vector<Instrument> out;
  int rc;
  while ((rc = sqlite3_step(*u)) == SQLITE_ROW) {
    KEEL_TRY(inst, read_instrument(*u, path_));
    out.push_back(std::move(inst));
  }
  if (rc != SQLITE_DONE) return sqlite_error("list instruments");
  return out;
}

Result<std::vector<Instrument>> SqliteStore::option_contracts(std::string_view underlying, Date from) {
  Use u(st_->option_contracts);
  param(*u, 1, underlying);
  param(*u, 2, from.days());
  std::vector<Instrument> out;
  int rc;
  while ((rc = sqlite3_step(*u)) == SQLITE_ROW) {
    KEEL_TRY(inst, read_instrument(*u, path_));
    out.push_back(std::move(inst));
  }
  if (rc != SQLITE_DONE) return sqlite_error("option contracts on '" + std::string(underlying) + "'");
  return out;
}

Result<BarColumns> SqliteStore::load_bars_sqlite(InstrumentId id, Duration timeframe, Timestamp from, Timestamp to,
                                                 Timestamp as_of, std::size_t reserve) {
  BarColumns out;
  out.instrument = id;
  out.timeframe = timeframe;
  reserve_columns(out, reserve);
  Use u(st_->bars_range);
  sqlite3_stmt* s = *u;
  param(s, 1, id.value());
  param(s, 2, timeframe.count());
  param(s, 3, from.ns());
  param(s, 4, to.ns());
  param(s, 5, as_of.ns());
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const std::int64_t ts = sqlite3_column_int64(s, 0);
    // Rows come in (ts_event, ingested_at) order: a later revision of the same key replaces
    // the one just appended.
    if (!out.ts_event.empty() && out.ts_event.back() == ts) {
      out.ts_recv.back() = sqlite3_column_int64(s, 1);
      out.open.back() = sqlite3_column_int64(s, 2);
      out.high.back() = sqlite3_column_int64(s, 3);
      out.low.back() = sqlite3_column_int64(s, 4);
      out.close.back() = sqlite3_column_int64(s, 5);
      out.volume.back() = sqlite3_column_int64(s, 6);
      continue;
    }
    out.ts_event.push_back(ts);
    out.ts_recv.push_back(sqlite3_column_int64(s, 1));
    out.open.push_back(sqlite3_column_int64(s, 2));
    out.high.push_back(sqlite3_column_int64(s, 3));
    out.low.push_back(sqlite3_column_int64(s, 4));
    out.close.push_back(sqlite3_column_int64(s, 5));
    out.volume.push_back(sqlite3_column_int64(s, 6));
  }
  if (rc != SQLITE_DONE) return sqlite_error("load bars of instrument " + std::to_string(id.value()));
  return out;
}

Result<BarColumns> SqliteStore::load_bars(InstrumentId id, Duration timeframe, Timestamp from, Timestamp to,
                                          AsOf as_of) {
  ReadSnapshot snapshot(*this);
  KEEL_TRY(exists, instrument_exists(id));
  if (!exists) return make_error(ErrorCode::kNotFound, "load_bars: unknown instrument id " + std::to_string(id.value()));
  if (timeframe.count() <= 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "load_bars: timeframe " + std::to_string(timeframe.count()) + "ns is not positive");
  }
  BarColumns empty;
  empty.instrument = id;
  empty.timeframe = timeframe;
  if (from > to) return empty;
  if (!cache_enabled_ || open_transaction_ != nullptr) {
    return load_bars_sqlite(id, timeframe, from, to, as_of.knowledge_time, 0);
  }
  // The view at as_of equals the view at the latest ingestion time of the series not after it:
  // that canonical time names the cache file, so any as_of between two ingests shares one file.
  std::int64_t keys = 0;
  std::uint64_t version = 0;
  {
    Use u(st_->series_get);
    param(*u, 1, id.value());
    param(*u, 2, timeframe.count());
    const int rc = sqlite3_step(*u);
    if (rc == SQLITE_DONE) return empty;
    if (rc != SQLITE_ROW) return sqlite_error("bar series lookup");
    keys = i64(*u, 0);
    version = static_cast<std::uint64_t>(i64(*u, 3));
  }
  Timestamp canonical;
  {
    Use u(st_->series_as_of);
    param(*u, 1, id.value());
    param(*u, 2, timeframe.count());
    param(*u, 3, as_of.knowledge_time.ns());
    const int rc = sqlite3_step(*u);
    if (rc != SQLITE_ROW) return sqlite_error("bar series knowledge time");
    if (sqlite3_column_type(*u, 0) == SQLITE_NULL) return empty;  // nothing known yet at as_of
    canonical = Timestamp::from_ns(i64(*u, 0));
  }
  const BarCacheKey key{id, timeframe, canonical, version};
  BarColumns full;
  std::string detail;
  const BarCacheRead outcome = cache_->read(key, &full, &detail);
  switch (outcome) {
    case BarCacheRead::kHit: ++cache_stats_.hits; break;
    case BarCacheRead::kMissing: ++cache_stats_.misses; break;
    case BarCacheRead::kStale: ++cache_stats_.stale; cache_stats_.last_problem = detail; break;
    case BarCacheRead::kDamaged: ++cache_stats_.damaged; cache_stats_.last_problem = detail; break;
  }
  if (outcome != BarCacheRead::kHit) {
    KEEL_TRY(loaded, load_bars_sqlite(id, timeframe, Timestamp::min(), Timestamp::max(), canonical,
                                      static_cast<std::size_t>(keys)));
    full = std::move(loaded);
    if (Status s = cache_->write(key, full); s.ok()) {
      ++cache_stats_.writes;
    } else {
      ++cache_stats_.write_failures;
      cache_stats_.last_problem = s.error().message;
    }
  }
  // The whole series asked for (the common bulk load) is returned without a copy.
  if (full.size() == 0 || (full.ts_event.front() >= from.ns() && full.ts_event.back() <= to.ns())) return full;
  return full.between(from, to);
}

Result<OptionQuoteColumns> SqliteStore::load_option_quotes_sqlite(std::string_view underlying, Timestamp from,
                                                                  Timestamp to, Timestamp as_of, std::size_t reserve) {
  OptionQuoteColumns rows;  // contract by contract, each by ts_event
  reserve_columns(rows, reserve);
  std::vector<std::int64_t> contracts;
  {
    Use u(st_->contract_ids);
    param(*u, 1, underlying);
    int rc;
    while ((rc = sqlite3_step(*u)) == SQLITE_ROW) contracts.push_back(i64(*u, 0));
    if (rc != SQLITE_DONE) return sqlite_error("option contracts on '" + std::string(underlying) + "'");
  }
  for (std::int64_t id : contracts) {
    Use u(st_->quotes_range);
    sqlite3_stmt* s = *u;
    param(s, 1, id);
    param(s, 2, from.ns());
    param(s, 3, to.ns());
    param(s, 4, as_of.ns());
    const std::size_t start = rows.size();
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      const std::int64_t ts = i64(s, 0);
      if (rows.size() > start && rows.ts_event.back() == ts) {  // a later revision of the same key
        rows.ts_recv.back() = i64(s, 1);
        rows.bid.back() = i64(s, 2);
        rows.ask.back() = i64(s, 3);
        rows.last.back() = i64(s, 4);
        rows.volume.back() = i64(s, 5);
        rows.open_interest.back() = i64(s, 6);
        rows.underlying_price.back() = i64(s, 7);
        continue;
      }
      rows.instrument.push_back(id);
      rows.ts_event.push_back(ts);
      rows.ts_recv.push_back(i64(s, 1));
      rows.bid.push_back(i64(s, 2));
      rows.ask.push_back(i64(s, 3));
      rows.last.push_back(i64(s, 4));
      rows.volume.push_back(i64(s, 5));
      rows.open_interest.push_back(i64(s, 6));
      rows.underlying_price.push_back(i64(s, 7));
    }
    if (rc != SQLITE_DONE) return sqlite_error("load option quotes of instrument " + std::to_string(id));
  }
  return sort_quotes(std::move(rows));
}

Result<OptionQuoteColumns> SqliteStore::load_option_quotes(std::string_view underlying, Timestamp from, Timestamp to,
                                                           AsOf as_of) {
  ReadSnapshot snapshot(*this);
  if (from > to) return OptionQuoteColumns{};
  // The underlying's series row: a capacity hint for any load, and the key of its cache files.
  bool known = false;
  std::int64_t keys = 0, first_ts = 0, last_ts = 0;
  std::uint64_t version = 0;
  {
    Use u(st_->quote_series_get);
    param(*u, 1, underlying);
    const int rc = sqlite3_step(*u);
    if (rc == SQLITE_ROW) {
      known = true;
      keys = i64(*u, 0);
      first_ts = i64(*u, 1);
      last_ts = i64(*u, 2);
      version = static_cast<std::uint64_t>(i64(*u, 3));
    } else if (rc != SQLITE_DONE) {
      return sqlite_error("option quote series lookup");
    }
  }
  if (!known || !cache_enabled_ || open_transaction_ != nullptr ||
      underlying.size() > OptionQuoteCache::kMaxUnderlyingBytes) {
    return load_option_quotes_sqlite(underlying, from, to, as_of.knowledge_time,
                                     quote_rows_hint(keys, first_ts, last_ts, from, to));
  }
  // As for bars: the view at as_of equals the view at the latest ingestion time of the
  // underlying's quotes not after it, and that canonical time names the file.
  Timestamp canonical;
  {
    Use u(st_->quote_series_as_of);
    param(*u, 1, underlying);
    param(*u, 2, as_of.knowledge_time.ns());
    const int rc = sqlite3_step(*u);
    if (rc != SQLITE_ROW) return sqlite_error("option quote series knowledge time");
    if (sqlite3_column_type(*u, 0) == SQLITE_NULL) return OptionQuoteColumns{};  // nothing known yet at as_of
    canonical = Timestamp::from_ns(i64(*u, 0));
  }
  const OptionQuoteCacheKey key{std::string(underlying), canonical, version};
  OptionQuoteColumns out;
  std::string detail;
  const CacheRead outcome = quote_cache_->read(key, from, to, &out, &detail);
  switch (outcome) {
    case CacheRead::kHit: ++quote_cache_stats_.hits; return out;
    case CacheRead::kMissing: ++quote_cache_stats_.misses; break;
    case CacheRead::kStale: ++quote_cache_stats_.stale; quote_cache_stats_.last_problem = detail; break;
    case CacheRead::kDamaged: ++quote_cache_stats_.damaged; quote_cache_stats_.last_problem = detail; break;
  }
  KEEL_TRY(full, load_option_quotes_sqlite(underlying, Timestamp::min(), Timestamp::max(), canonical,
                                           static_cast<std::size_t>(keys)));
  if (Status s = quote_cache_->write(key, full); s.ok()) {
    ++quote_cache_stats_.writes;
    quote_cache_stats_.removed += quote_cache_->remove_other_versions(underlying, version);
  } else {
    ++quote_cache_stats_.write_failures;
    quote_cache_stats_.last_problem = s.error().message;
  }
  // The whole series asked for (the common bulk load) is returned without a copy.
  if (full.size() == 0 || (full.ts_event.front() >= from.ns() && full.ts_event.back() <= to.ns())) return full;
  return quotes_between(full, from, to);
}

Result<std::uint64_t> SqliteStore::option_quote_series_version(std::string_view underlying) {
  if (open_transaction_ != nullptr) KEEL_TRY_STATUS(open_transaction_->flush_series());
  Use u(st_->quote_series_get);
  param(*u, 1, underlying);
  const int rc = sqlite3_step(*u);
  if (rc == SQLITE_DONE) return std::uint64_t{0};
  if (rc != SQLITE_ROW) return sqlite_error("option quote series lookup");
  return static_cast<std::uint64_t>(i64(*u, 3));
}

Result<std::vector<CorporateAction>> SqliteStore::corporate_actions(InstrumentId id, AsOf as_of) {
  ReadSnapshot snapshot(*this);
  KEEL_TRY(exists, instrument_exists(id));
  if (!exists) {
    return make_error(ErrorCode::kNotFound, "corporate_actions: unknown instrument id " + std::to_string(id.value()));
  }
  std::vector<CorporateAction> out;
  Use u(st_->actions_of);
  sqlite3_stmt* s = *u;
  param(s, 1, id.value());
  param(s, 2, as_of.knowledge_time.ns());
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    auto kind = parse_corporate_action_kind(text(s, 0));
    if (!kind.ok()) {
      return make_error(ErrorCode::kCorrupt, path_ + ": corporate_actions row of instrument " +
                                                 std::to_string(id.value()) + ": " + kind.error().message);
    }
    CorporateAction a;
    a.instrument = id;
    a.kind = *kind;
    a.ex_date = Date::from_days(static_cast<std::int32_t>(i64(s, 1)));
    a.record_date = Date::from_days(static_cast<std::int32_t>(i64(s, 2)));
    a.pay_date = Date::from_days(static_cast<std::int32_t>(i64(s, 3)));
    a.amount = Money::from_raw(i64(s, 4), static_cast<int>(i64(s, 5)));
    a.ratio_to = i64(s, 6);
    a.ratio_from = i64(s, 7);
    a.new_symbol = text(s, 8);
    a.ts_recv = Timestamp::from_ns(i64(s, 9));
    // Rows come in (kind, ex_date, ingested_at) order: a later revision replaces the last one.
    if (!out.empty() && out.back().kind == a.kind && out.back().ex_date == a.ex_date) {
      out.back() = std::move(a);
    } else {
      out.push_back(std::move(a));
    }
  }
  if (rc != SQLITE_DONE) return sqlite_error("corporate actions of instrument " + std::to_string(id.value()));
  std::stable_sort(out.begin(), out.end(), [](const CorporateAction& a, const CorporateAction& b) {
    return std::pair(a.ex_date, static_cast<int>(a.kind)) < std::pair(b.ex_date, static_cast<int>(b.kind));
  });
  return out;
}

Result<std::uint64_t> SqliteStore::bar_series_version(InstrumentId id, Duration timeframe) {
  if (open_transaction_ != nullptr) KEEL_TRY_STATUS(open_transaction_->flush_series());
  Use u(st_->series_get);
  param(*u, 1, id.value());
  param(*u, 2, timeframe.count());
  const int rc = sqlite3_step(*u);
  if (rc == SQLITE_DONE) return std::uint64_t{0};
  if (rc != SQLITE_ROW) return sqlite_error("bar series lookup");
  return static_cast<std::uint64_t>(i64(*u, 3));
}

Result<std::vector<SeriesSummary>> SqliteStore::summary() {
  if (open_transaction_ != nullptr) KEEL_TRY_STATUS(open_transaction_->flush_series());
  ReadSnapshot snapshot(*this);
  KEEL_TRY(all, instruments());
  std::map<std::int64_t, std::vector<SeriesSummary>> by_instrument;
  std::map<std::int64_t, const Instrument*> index;
  for (const Instrument& inst : all) index[inst.id.value()] = &inst;
  auto collect = [&](const char* sql, auto&& make) -> Status {
    Stmt stmt;
    if (sqlite3_prepare_v2(db_, sql, -1, stmt.out(), nullptr) != SQLITE_OK) return sqlite_error("summary");
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      const std::int64_t id = i64(stmt.get(), 0);
      auto it = index.find(id);
      if (it == index.end()) {
        return make_error(ErrorCode::kCorrupt, path_ + ": rows for missing instrument id " + std::to_string(id));
      }
      by_instrument[id].push_back(make(stmt.get(), *it->second));
    }
    if (rc != SQLITE_DONE) return sqlite_error("summary");
    return ok_status();
  };
  // Pushed in the order of the summary kinds: bars by timeframe, quotes, corporate actions.
  KEEL_TRY_STATUS(collect(
      "SELECT instrument_id, timeframe_ns, keys, first_ts, last_ts FROM bar_series WHERE keys > 0 "
      "ORDER BY instrument_id, timeframe_ns",
      [](sqlite3_stmt* s, const Instrument& inst) {
        return SeriesSummary{inst, "bars:" + timeframe_label(Duration(i64(s, 1))), i64(s, 2),
                             Timestamp::from_ns(i64(s, 3)), Timestamp::from_ns(i64(s, 4))};
      }));
  {
    // One ordered walk of the quote table's primary key (no temporary B-tree): keys are the
    // distinct (instrument, ts_event) pairs, revisions of a key are adjacent.
    Stmt stmt;
    if (sqlite3_prepare_v2(db_, "SELECT instrument_id, ts_event FROM option_quotes ORDER BY instrument_id, ts_event",
                           -1, stmt.out(), nullptr) != SQLITE_OK) {
      return sqlite_error("summary");
    }
    SeriesSummary* line = nullptr;
    std::int64_t line_id = 0;
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      const std::int64_t id = i64(stmt.get(), 0);
      const Timestamp ts = Timestamp::from_ns(i64(stmt.get(), 1));
      if (line == nullptr || id != line_id) {
        auto it = index.find(id);
        if (it == index.end()) {
          return make_error(ErrorCode::kCorrupt, path_ + ": rows for missing instrument id " + std::to_string(id));
        }
        by_instrument[id].push_back(SeriesSummary{*it->second, "option_quotes", 1, ts, ts});
        line = &by_instrument[id].back();
        line_id = id;
      } else if (ts != line->last) {
        ++line->rows;
        line->last = ts;
      }
    }
    if (rc != SQLITE_DONE) return sqlite_error("summary");
  }
  KEEL_TRY_STATUS(collect(
      "SELECT instrument_id, count(*), min(ex_date), max(ex_date) FROM "
      "(SELECT DISTINCT instrument_id, kind, ex_date FROM corporate_actions) GROUP BY instrument_id",
      [](sqlite3_stmt* s, const Instrument& inst) {
        return SeriesSummary{inst, "corporate_actions", i64(s, 1),
                             Timestamp::from_date(Date::from_days(static_cast<std::int32_t>(i64(s, 2)))),
                             Timestamp::from_date(Date::from_days(static_cast<std::int32_t>(i64(s, 3))))};
      }));
  std::vector<SeriesSummary> out;
  for (auto& [id, lines] : by_instrument) {
    for (auto& line : lines) out.push_back(std::move(line));
  }
  return out;
}

}  // namespace keel::data
