#include "keel/testkit/memory_store.hpp"

#include <algorithm>
#include <utility>

#include "keel/data/store_util.hpp"

namespace keel::testkit {
namespace {

Error finished_error() {
  return make_error(ErrorCode::kInvalidArgument, "write transaction already committed or failed to commit");
}


// Decides every row of one put_*() call against the table plus the call's own earlier rows,
// then applies the new revisions only if no row failed.
template <class Table, class Record, class KeyFn, class CheckFn, class DescribeFn>
Result<data::WriteCounts> put_rows(Table& table, std::span<const Record> rows, const data::Lineage& lineage,
                                   const char* what, KeyFn key_of, CheckFn check, DescribeFn describe) {
  using Key = typename Table::key_type;
  const std::int64_t t = lineage.ingested_at.ns();
  data::WriteCounts counts;
  std::map<Key, const Record*> pending;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Record& row = rows[i];
    auto context = [&] { return std::string(what) + " row " + std::to_string(i) + " (" + describe(row) + ")"; };
    if (Status s = row.validate(); !s.ok()) return s.error().with_context(context());
    if (Status s = check(row); !s.ok()) return s.error().with_context(context());
    const Key key = key_of(row);
    const Record* latest = nullptr;
    std::int64_t latest_t = 0;
    if (auto p = pending.find(key); p != pending.end()) {
      latest = p->second;
      latest_t = t;
    } else if (auto h = table.find(key); h != table.end() && !h->second.empty()) {
      latest = &h->second.rbegin()->second.record;
      latest_t = h->second.rbegin()->first;
    }
    if (latest == nullptr) {
      ++counts.added;
      pending[key] = &row;
    } else if (*latest == row) {
      ++counts.unchanged;
    } else if (t > latest_t) {
      ++counts.revised;
      pending[key] = &row;
    } else {
      return make_error(ErrorCode::kConflict,
                        context() + ": different values for a key whose latest revision was ingested at " +
                            Timestamp::from_ns(latest_t).to_string() + ", not before this transaction's " +
                            lineage.ingested_at.to_string());
    }
  }
  for (const auto& [key, record] : pending) {
    table[key][t] = {*record, lineage.source_uri, lineage.transform_id};
  }
  return counts;
}

}  // namespace

class MemoryTransaction final : public data::WriteTransaction {
 public:
  MemoryTransaction(MemoryStore& store, data::Lineage lineage)
      : store_(store), lineage_(std::move(lineage)), backup_(store.state_) {}
  ~MemoryTransaction() override {
    if (finished_) return;  // committed: the store may already be in a newer transaction
    store_.state_ = std::move(backup_);
    store_.transaction_open_ = false;
  }

  Result<InstrumentId> upsert_instrument(const Instrument& instrument) override {
    if (finished_) return finished_error();
    KEEL_TRY_STATUS(instrument.validate());
    auto& st = store_.state_;
    if (auto it = st.by_symbol.find(instrument.symbol); it != st.by_symbol.end()) {
      const Instrument& existing = st.instruments.at(it->second).instrument;
      if (!data::same_definition(existing, instrument)) {
        return make_error(ErrorCode::kConflict, "instrument '" + instrument.symbol +
                                                    "' already exists with a different definition (id " +
                                                    std::to_string(it->second) + ")");
      }
      return InstrumentId(it->second);
    }
    const std::int64_t id = st.instruments.empty() ? 1 : st.instruments.rbegin()->first + 1;
    Instrument stored = instrument;
    stored.id = InstrumentId(id);
    st.instruments[id] = {stored, lineage_};
    st.by_symbol[stored.symbol] = id;
    return stored.id;
  }

  Result<data::WriteCounts> put_bars(std::span<const Bar> bars) override {
    if (finished_) return finished_error();
    auto& st = store_.state_;
    return put_rows(
        st.bars, bars, lineage_, "put_bars",
        [](const Bar& b) { return MemoryStore::BarKey{b.instrument.value(), b.timeframe.count(), b.ts_event.ns()}; },
        [&](const Bar& b) -> Status {
          if (!st.instruments.contains(b.instrument.value())) return unknown(b.instrument);
          return ok_status();
        },
        data::bar_key_text);
  }

  Result<data::WriteCounts> put_option_quotes(std::span<const OptionQuote> quotes) override {
    if (finished_) return finished_error();
    auto& st = store_.state_;
    return put_rows(
        st.quotes, quotes, lineage_, "put_option_quotes",
        [](const OptionQuote& q) { return MemoryStore::QuoteKey{q.instrument.value(), q.ts_event.ns()}; },
        [&](const OptionQuote& q) -> Status {
          auto it = st.instruments.find(q.instrument.value());
          if (it == st.instruments.end()) return unknown(q.instrument);
          if (!it->second.instrument.is_option()) {
            return make_error(ErrorCode::kInvalidArgument,
                              "instrument '" + it->second.instrument.symbol + "' is not an option contract");
          }
          return ok_status();
        },
        data::quote_key_text);
  }

  Result<data::WriteCounts> put_corporate_actions(std::span<const CorporateAction> actions) override {
    if (finished_) return finished_error();
    auto& st = store_.state_;
    return put_rows(
        st.actions, actions, lineage_, "put_corporate_actions",
        [](const CorporateAction& a) {
          return MemoryStore::ActionKey{a.instrument.value(), static_cast<int>(a.kind), a.ex_date.days()};
        },
        [&](const CorporateAction& a) -> Status {
          if (!st.instruments.contains(a.instrument.value())) return unknown(a.instrument);
          return ok_status();
        },
        data::action_key_text);
  }

  Status commit() override {
    if (finished_) return finished_error();
    finished_ = true;
    backup_ = {};
    store_.transaction_open_ = false;
    return ok_status();
  }

 private:
  static Error unknown(InstrumentId id) {
    return make_error(ErrorCode::kNotFound, "unknown instrument id " + std::to_string(id.value()));
  }

  MemoryStore& store_;
  data::Lineage lineage_;
  MemoryStore::State backup_;
  bool finished_ = false;
};

template <class Record>
const MemoryStore::Revision<Record>* MemoryStore::visible(const History<Record>& history, data::AsOf as_of) {
  auto it = history.upper_bound(as_of.knowledge_time.ns());
  if (it == history.begin()) return nullptr;
  return &std::prev(it)->second;
}

Result<std::unique_ptr<data::WriteTransaction>> MemoryStore::begin(const data::Lineage& lineage) {
  if (lineage.source_uri.empty()) return make_error(ErrorCode::kInvalidArgument, "lineage: empty source_uri");
  if (lineage.transform_id.empty()) return make_error(ErrorCode::kInvalidArgument, "lineage: empty transform_id");
  if (transaction_open_) {
    return make_error(ErrorCode::kConflict, "a write transaction is already open on this store");
  }
  transaction_open_ = true;
  return std::unique_ptr<data::WriteTransaction>(std::make_unique<MemoryTransaction>(*this, lineage));
}

Result<std::optional<Instrument>> MemoryStore::find_instrument(std::string_view symbol) {
  auto it = state_.by_symbol.find(symbol);
  if (it == state_.by_symbol.end()) return std::optional<Instrument>{};
  return std::optional<Instrument>{state_.instruments.at(it->second).instrument};
}

Result<Instrument> MemoryStore::instrument(InstrumentId id) {
  auto it = state_.instruments.find(id.value());
  if (it == state_.instruments.end()) {
    return make_error(ErrorCode::kNotFound, "unknown instrument id " + std::to_string(id.value()));
  }
  return it->second.instrument;
}

Result<std::vector<Instrument>> MemoryStore::instruments() {
  std::vector<Instrument> out;
  for (const auto& [id, s] : state_.instruments) out.push_back(s.instrument);
  return out;
}

Result<std::vector<Instrument>> MemoryStore::option_contracts(std::string_view underlying, Date from) {
  std::vector<Instrument> out;
  for (const auto& [id, s] : state_.instruments) {
    const auto& opt = s.instrument.option;
    if (s.instrument.is_option() && opt && opt->underlying == underlying && opt->expiry >= from) {
      out.push_back(s.instrument);
    }
  }
  std::sort(out.begin(), out.end(), [](const Instrument& a, const Instrument& b) {
    return std::tuple(a.option->expiry, a.option->strike.raw(), static_cast<int>(a.option->right), a.symbol) <
           std::tuple(b.option->expiry, b.option->strike.raw(), static_cast<int>(b.option->right), b.symbol);
  });
  return out;
}

Result<BarColumns> MemoryStore::load_bars(InstrumentId id, Duration timeframe, Timestamp from, Timestamp to,
                                          data::AsOf as_of) {
  if (!state_.instruments.contains(id.value())) {
    return make_error(ErrorCode::kNotFound, "load_bars: unknown instrument id " + std::to_string(id.value()));
  }
  if (timeframe.count() <= 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "load_bars: timeframe " + std::to_string(timeframe.count()) + "ns is not positive");
  }
  BarColumns out;
  out.instrument = id;
  out.timeframe = timeframe;
  if (from > to) return out;
  auto it = state_.bars.lower_bound(BarKey{id.value(), timeframe.count(), from.ns()});
  auto end = state_.bars.upper_bound(BarKey{id.value(), timeframe.count(), to.ns()});
  for (; it != end; ++it) {
    if (const auto* rev = visible(it->second, as_of)) out.push_back(rev->record);
  }
  return out;
}

Result<OptionQuoteColumns> MemoryStore::load_option_quotes(std::string_view underlying, Timestamp from, Timestamp to,
                                                           data::AsOf as_of) {
  std::vector<std::tuple<std::int64_t, std::int64_t, const OptionQuote*>> rows;  // ts_event, instrument, quote
  if (from <= to) {
    for (const auto& [id, s] : state_.instruments) {
      if (!s.instrument.is_option() || s.instrument.option->underlying != underlying) continue;
      auto it = state_.quotes.lower_bound(QuoteKey{id, from.ns()});
      auto end = state_.quotes.upper_bound(QuoteKey{id, to.ns()});
      for (; it != end; ++it) {
        if (const auto* rev = visible(it->second, as_of)) rows.emplace_back(rev->record.ts_event.ns(), id, &rev->record);
      }
    }
  }
  std::sort(rows.begin(), rows.end());
  OptionQuoteColumns out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(*std::get<2>(row));
  return out;
}

Result<std::vector<CorporateAction>> MemoryStore::corporate_actions(InstrumentId id, data::AsOf as_of) {
  if (!state_.instruments.contains(id.value())) {
    return make_error(ErrorCode::kNotFound, "corporate_actions: unknown instrument id " + std::to_string(id.value()));
  }
  std::vector<CorporateAction> out;
  for (const auto& [key, history] : state_.actions) {
    if (std::get<0>(key) != id.value()) continue;
    if (const auto* rev = visible(history, as_of)) out.push_back(rev->record);
  }
  std::sort(out.begin(), out.end(), [](const CorporateAction& a, const CorporateAction& b) {
    return std::pair(a.ex_date, static_cast<int>(a.kind)) < std::pair(b.ex_date, static_cast<int>(b.kind));
  });
  return out;
}

Result<std::vector<data::SeriesSummary>> MemoryStore::summary() {
  std::vector<data::SeriesSummary> out;
  for (const auto& [id, s] : state_.instruments) {
    // Bars: the map is ordered by (instrument, timeframe, ts_event), so each timeframe is a run.
    for (auto it = state_.bars.lower_bound(BarKey{id, INT64_MIN, INT64_MIN});
         it != state_.bars.end() && std::get<0>(it->first) == id; ++it) {
      const std::int64_t tf = std::get<1>(it->first);
      const std::int64_t ts = std::get<2>(it->first);
      if (out.empty() || out.back().instrument.id.value() != id || out.back().kind != "bars:" + data::timeframe_label(Duration(tf))) {
        out.push_back({s.instrument, "bars:" + data::timeframe_label(Duration(tf)), 0, Timestamp::from_ns(ts),
                       Timestamp::from_ns(ts)});
      }
      ++out.back().rows;
      out.back().last = Timestamp::from_ns(ts);
    }
    data::SeriesSummary quotes{s.instrument, "option_quotes", 0, Timestamp::max(), Timestamp::min()};
    for (auto it = state_.quotes.lower_bound(QuoteKey{id, INT64_MIN});
         it != state_.quotes.end() && std::get<0>(it->first) == id; ++it) {
      ++quotes.rows;
      quotes.first = std::min(quotes.first, Timestamp::from_ns(std::get<1>(it->first)));
      quotes.last = std::max(quotes.last, Timestamp::from_ns(std::get<1>(it->first)));
    }
    if (quotes.rows > 0) out.push_back(quotes);
    data::SeriesSummary actions{s.instrument, "corporate_actions", 0, Timestamp::max(), Timestamp::min()};
    for (const auto& [key, history] : state_.actions) {
      if (std::get<0>(key) != id) continue;
      const Timestamp ex = Timestamp::from_date(Date::from_days(std::get<2>(key)));
      ++actions.rows;
      actions.first = std::min(actions.first, ex);
      actions.last = std::max(actions.last, ex);
    }
    if (actions.rows > 0) out.push_back(actions);
  }
  return out;
}

std::optional<data::Lineage> MemoryStore::bar_lineage(InstrumentId id, Duration timeframe, Timestamp ts_event,
                                                      data::AsOf as_of) const {
  auto it = state_.bars.find(BarKey{id.value(), timeframe.count(), ts_event.ns()});
  if (it == state_.bars.end()) return std::nullopt;
  auto rev = it->second.upper_bound(as_of.knowledge_time.ns());
  if (rev == it->second.begin()) return std::nullopt;
  --rev;
  return data::Lineage{Timestamp::from_ns(rev->first), rev->second.source_uri, rev->second.transform_id};
}

std::int64_t MemoryStore::revision_count() const {
  std::int64_t n = 0;
  for (const auto& [k, h] : state_.bars) n += static_cast<std::int64_t>(h.size());
  for (const auto& [k, h] : state_.quotes) n += static_cast<std::int64_t>(h.size());
  for (const auto& [k, h] : state_.actions) n += static_cast<std::int64_t>(h.size());
  return n;
}

}  // namespace keel::testkit
