// keel/testkit/memory_store.hpp — MemoryStore: a plain std::map implementation of
// keel::data::Store for tests, and the oracle the SQLite store is property-tested against.
//
// Contract: exactly the semantics of keel/data/store.hpp plus the details listed in
// keel/data/store_util.hpp (revisions, idempotence, as-of reads, error codes, orderings). It is
// written to be obviously correct, not fast: every key keeps a map ingested_at → revision;
// begin() copies the whole state so that a transaction destroyed without commit() restores it;
// a put_*() call decides every row before it applies any, so a failing call changes nothing.
// Lineage is kept per revision and can be read back with bar_lineage() for tests.
// Thread safety: none; one thread at a time (as for every Store). A WriteTransaction must not
// outlive its MemoryStore.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "keel/data/store.hpp"

namespace keel::testkit {

class MemoryStore final : public data::Store {
 public:
  MemoryStore() = default;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  Result<std::unique_ptr<data::WriteTransaction>> begin(const data::Lineage& lineage) override;

  Result<std::optional<Instrument>> find_instrument(std::string_view symbol) override;
  Result<Instrument> instrument(InstrumentId id) override;
  Result<std::vector<Instrument>> instruments() override;
  Result<std::vector<Instrument>> option_contracts(std::string_view underlying, Date from) override;

  Result<BarColumns> load_bars(InstrumentId id, Duration timeframe, Timestamp from, Timestamp to,
                               data::AsOf as_of = data::AsOf::latest()) override;
  Result<OptionQuoteColumns> load_option_quotes(std::string_view underlying, Timestamp from, Timestamp to,
                                                data::AsOf as_of = data::AsOf::latest()) override;
  Result<std::vector<CorporateAction>> corporate_actions(InstrumentId id,
                                                         data::AsOf as_of = data::AsOf::latest()) override;

  Result<std::vector<data::SeriesSummary>> summary() override;

  // Test helpers: the lineage of the latest revision of a bar key visible at `as_of`, and the
  // number of stored revisions (all keys, all kinds).
  std::optional<data::Lineage> bar_lineage(InstrumentId id, Duration timeframe, Timestamp ts_event,
                                           data::AsOf as_of = data::AsOf::latest()) const;
  std::int64_t revision_count() const;

 private:
  friend class MemoryTransaction;

  template <class Record>
  struct Revision {
    Record record;
    std::string source_uri;
    std::string transform_id;
  };
  template <class Record>
  using History = std::map<std::int64_t, Revision<Record>>;  // ingested_at → revision

  using BarKey = std::tuple<std::int64_t, std::int64_t, std::int64_t>;  // instrument, timeframe ns, ts_event
  using QuoteKey = std::tuple<std::int64_t, std::int64_t>;              // instrument, ts_event
  using ActionKey = std::tuple<std::int64_t, int, std::int32_t>;        // instrument, kind, ex_date days

  struct StoredInstrument {
    Instrument instrument;
    data::Lineage lineage;
  };

  struct State {
    std::map<std::int64_t, StoredInstrument> instruments;
    std::map<std::string, std::int64_t, std::less<>> by_symbol;
    std::map<BarKey, History<Bar>> bars;
    std::map<QuoteKey, History<OptionQuote>> quotes;
    std::map<ActionKey, History<CorporateAction>> actions;
  };

  // The revision of `history` visible at `as_of`, or nullptr.
  template <class Record>
  static const Revision<Record>* visible(const History<Record>& history, data::AsOf as_of);

  State state_;
  bool transaction_open_ = false;
};

}  // namespace keel::testkit
