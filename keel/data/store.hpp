// keel/data/store.hpp — the storage interface every backend implements (SQLite now,
// PostgreSQL later) and every importer, generator and loader goes through.
//
// Contract:
// - Lineage on every data row: ingested_at (when keel stored it), source_uri (file path, URL or
//   "synth://..."), transform_id (importer/generator name and version, e.g. "csv-yahoo/1").
// - Writes happen inside a WriteTransaction: it commits whole or, if commit() is never called
//   (error, early return, exception), rolls back and leaves no trace.
// - Idempotence: writing a row whose key (instrument, timeframe, ts_event for bars; instrument,
//   ts_event for option quotes; instrument, kind, ex_date for corporate actions) already holds
//   identical values adds nothing and counts as `unchanged`. Different values for an existing
//   key add a new *revision* with the transaction's ingested_at; the old one stays, so
//   point-in-time reads can still see it.
// - Point-in-time (as-of) reads: a read with `as_of = T` sees, for each key, the latest revision
//   with ingested_at <= T, exactly what keel knew at T. AsOf::latest() sees everything.
// - Bulk loads return columnar series (model/columns.hpp) sorted by ts_event.
// - A Store is used from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keel/core/result.hpp"
#include "keel/core/time.hpp"
#include "keel/model/columns.hpp"
#include "keel/model/corporate_action.hpp"
#include "keel/model/instrument.hpp"
#include "keel/model/market_data.hpp"

namespace keel::data {

struct Lineage {
  Timestamp ingested_at;
  std::string source_uri;
  std::string transform_id;
};

struct AsOf {
  Timestamp knowledge_time = Timestamp::max();
  static AsOf latest() { return AsOf{}; }
  static AsOf at(Timestamp t) { return AsOf{t}; }
};

struct WriteCounts {
  std::int64_t added = 0;      // new keys
  std::int64_t unchanged = 0;  // identical to what the store already had
  std::int64_t revised = 0;    // new revision of an existing key
  WriteCounts& operator+=(const WriteCounts& o) {
    added += o.added;
    unchanged += o.unchanged;
    revised += o.revised;
    return *this;
  }
};

// What `keel data list` shows: one line per instrument and series kind.
struct SeriesSummary {
  Instrument instrument;
  std::string kind;  // "bars:1d", "bars:1m", "option_quotes", "corporate_actions"
  std::int64_t rows = 0;
  Timestamp first, last;  // ts_event range
};

class WriteTransaction {
 public:
  virtual ~WriteTransaction() = default;  // rolls back unless committed
  // Returns the instrument's id, inserting it if its symbol is new. An existing symbol whose
  // definition differs is a kConflict error.
  virtual Result<InstrumentId> upsert_instrument(const Instrument& instrument) = 0;
  virtual Result<WriteCounts> put_bars(std::span<const Bar> bars) = 0;
  virtual Result<WriteCounts> put_option_quotes(std::span<const OptionQuote> quotes) = 0;
  virtual Result<WriteCounts> put_corporate_actions(std::span<const CorporateAction> actions) = 0;
  virtual Status commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual Result<std::unique_ptr<WriteTransaction>> begin(const Lineage& lineage) = 0;

  virtual Result<std::optional<Instrument>> find_instrument(std::string_view symbol) = 0;
  virtual Result<Instrument> instrument(InstrumentId id) = 0;
  virtual Result<std::vector<Instrument>> instruments() = 0;
  // Option contracts on `underlying` (a ticker) that expire on or after `from`.
  virtual Result<std::vector<Instrument>> option_contracts(std::string_view underlying, Date from) = 0;

  // Bars with from <= ts_event <= to.
  virtual Result<BarColumns> load_bars(InstrumentId id, Duration timeframe, Timestamp from, Timestamp to,
                                       AsOf as_of = AsOf::latest()) = 0;
  // Quotes of every option contract on `underlying` with from <= ts_event <= to, sorted by
  // (ts_event, instrument).
  virtual Result<OptionQuoteColumns> load_option_quotes(std::string_view underlying, Timestamp from, Timestamp to,
                                                        AsOf as_of = AsOf::latest()) = 0;
  virtual Result<std::vector<CorporateAction>> corporate_actions(InstrumentId id, AsOf as_of = AsOf::latest()) = 0;

  virtual Result<std::vector<SeriesSummary>> summary() = 0;
};

}  // namespace keel::data
