#include "keel/engine/market_feed.hpp"

#include <algorithm>

#include "keel/core/calendar.hpp"

namespace keel::engine {
namespace {

// Option quotes are read one calendar year at a time: the store answers a range query with
// one index seek per contract of the underlying, so fewer, larger ranges cost far less
// (a month at a time spent most of a 5-year run in SQLite), while a year of daily chains stays
// small (about 250 k rows, 18 MB, for 1,000 contracts a day).
Date chunk_start(Date d) { return Date::ymd(d.year(), 1, 1); }
Date next_chunk(Date d) { return Date::ymd(d.year() + 1, 1, 1); }

}  // namespace

Result<std::unique_ptr<StoreFeed>> StoreFeed::create(data::Store& store, std::vector<std::string> symbols, Date from,
                                                     Date to, data::AsOf as_of,
                                                     std::optional<std::vector<std::string>> chain_symbols) {
  if (symbols.empty()) return make_error(ErrorCode::kInvalidArgument, "market feed: no symbols");
  if (from > to) {
    return make_error(ErrorCode::kInvalidArgument,
                      "market feed: start " + from.to_string() + " is after end " + to.to_string());
  }
  const ExchangeCalendar& cal = ExchangeCalendar::us_equities();
  if (!cal.in_range(from) || !cal.in_range(to)) {
    return make_error(ErrorCode::kOutOfRange, "market feed: " + from.to_string() + ".." + to.to_string() +
                                                  " is outside the exchange calendar's range");
  }
  std::unique_ptr<StoreFeed> feed(new StoreFeed(store, as_of));
  feed->symbols_ = std::move(symbols);
  KEEL_TRY(days, cal.trading_days(from, to));
  if (days.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "market feed: no trading day in " + from.to_string() + ".." + to.to_string());
  }
  for (const std::string& symbol : feed->symbols_) {
    KEEL_TRY(found, store.find_instrument(symbol));
    if (!found) return make_error(ErrorCode::kNotFound, "market feed: unknown symbol '" + symbol + "'");
    if (found->is_option()) {
      return make_error(ErrorCode::kInvalidArgument, "market feed: '" + symbol + "' is an option, not an underlying");
    }
    // The symbol's whole daily series (the columnar cache makes this one read), to name its
    // range when the run asks for more, then the run's slice of it.
    KEEL_TRY(all, store.load_bars(found->id, kOneDay, Timestamp::min(), Timestamp::max(), as_of));
    if (all.size() == 0) return make_error(ErrorCode::kNotFound, "market feed: " + symbol + " has no daily bars");
    const Date have_first = Timestamp::from_ns(all.ts_event.front()).utc_date();
    const Date have_last = Timestamp::from_ns(all.ts_event.back()).utc_date();
    if (days.front() < have_first || days.back() > have_last) {
      return make_error(ErrorCode::kOutOfRange, "market feed: date range " + days.front().to_string() + ".." +
                                                    days.back().to_string() + " is outside the data: " + symbol +
                                                    " has daily bars " + have_first.to_string() + ".." +
                                                    have_last.to_string());
    }
    BarColumns bars = all.between(Timestamp::from_date(from), Timestamp::from_date(to));
    // Gaps: every trading day must have a bar; a missing one is reported (the engine then has
    // no price for that session and keeps the previous marks), never filled in.
    {
      std::size_t j = 0;
      for (Date d : days) {
        while (j < bars.size() && Timestamp::from_ns(bars.ts_event[j]).utc_date() < d) ++j;
        if (j >= bars.size() || Timestamp::from_ns(bars.ts_event[j]).utc_date() != d) {
          feed->warnings_.push_back(symbol + ": no daily bar on " + d.to_string() + " (a trading day)");
        }
      }
    }
    feed->universe_.push_back(*found);
    feed->bars_.push_back(std::move(bars));
    feed->bar_pos_.push_back(0);
    KEEL_TRY(actions, store.corporate_actions(found->id, as_of));
    for (auto& a : actions) feed->actions_.push_back(std::move(a));
    const bool wants = !chain_symbols ||
                       std::find(chain_symbols->begin(), chain_symbols->end(), symbol) != chain_symbols->end();
    feed->wants_chain_.push_back(wants);
    if (!wants) continue;
    KEEL_TRY(contracts, store.option_contracts(symbol, from));
    for (auto& c : contracts) feed->universe_.push_back(std::move(c));
  }
  std::stable_sort(feed->actions_.begin(), feed->actions_.end(), [](const CorporateAction& a, const CorporateAction& b) {
    if (a.ex_date != b.ex_date) return a.ex_date < b.ex_date;
    return a.instrument.value() < b.instrument.value();
  });
  while (feed->action_pos_ < feed->actions_.size() && feed->actions_[feed->action_pos_].ex_date < days.front()) {
    ++feed->action_pos_;
  }
  // universe_ is final from here on: id_index_ and the snapshots point into it.
  for (const Instrument& i : feed->universe_) feed->id_index_.insert_or_assign(i.id.value(), &i);
  feed->snapshot_size_.assign(feed->symbols_.size(), 0);
  feed->chunk_quotes_.resize(feed->symbols_.size());
  feed->quote_pos_.assign(feed->symbols_.size(), 0);
  feed->snapshots_.assign(feed->symbols_.size(), 0);
  feed->days_ = std::move(days);
  return feed;
}

Status StoreFeed::load_chunk(Date first_day) {
  const Timestamp from = Timestamp::from_date(first_day);
  const Timestamp to = Timestamp::from_date(next_chunk(first_day)) - Duration(1);
  for (std::size_t s = 0; s < symbols_.size(); ++s) {
    if (!wants_chain_[s]) continue;
    KEEL_TRY(quotes, store_.load_option_quotes(symbols_[s], from, to, as_of_));
    chunk_quotes_[s] = std::move(quotes);
    quote_pos_[s] = 0;
  }
  loaded_chunk_ = first_day;
  chunk_loaded_ = true;
  return ok_status();
}

Result<bool> StoreFeed::next(MarketSlice& slice) {
  const ExchangeCalendar& cal = ExchangeCalendar::us_equities();
  while (day_pos_ < days_.size()) {
    const Date d = days_[day_pos_];
    KEEL_TRY(session, cal.session(d));
    if (!open_done_) {
      open_done_ = true;
      slice.reset(session.open, d, SlicePhase::kOpen);
      while (action_pos_ < actions_.size() && actions_[action_pos_].ex_date <= d) {
        slice.actions.push_back(actions_[action_pos_++]);
      }
      if (!slice.actions.empty()) return true;
    }
    slice.reset(session.close, d, SlicePhase::kClose);
    for (std::size_t s = 0; s < symbols_.size(); ++s) {
      BarColumns& bars = bars_[s];
      std::size_t& p = bar_pos_[s];
      while (p < bars.size() && bars.ts_recv[p] <= session.close.ns()) {
        if (Timestamp::from_ns(bars.ts_event[p]).utc_date() == d) {
          Bar bar = bars.row(p);
          bar.instrument = bars.instrument;
          bar.timeframe = bars.timeframe;
          slice.bars.push_back(bar);
        }
        ++p;
      }
    }
    if (!chunk_loaded_ || chunk_start(d) != loaded_chunk_) KEEL_TRY_STATUS(load_chunk(chunk_start(d)));
    for (std::size_t s = 0; s < symbols_.size(); ++s) {
      const OptionQuoteColumns& q = chunk_quotes_[s];
      std::size_t& p = quote_pos_[s];
      ChainSnapshot snap;
      snap.underlying = symbols_[s];
      snap.instruments.reserve(snapshot_size_[s]);  // chains change little from day to day
      snap.quotes.reserve(snapshot_size_[s]);
      while (p < q.size() && q.ts_event[p] <= session.close.ns()) {
        // Quotes stamped inside this session and known by its close belong to its snapshot;
        // one known only later (ts_recv after the close) would be look-ahead here: skip it and
        // say so (vendor end-of-day data is stamped at or before the close).
        if (q.ts_recv[p] > session.close.ns()) {
          warnings_.push_back(symbols_[s] + ": option quote of instrument " + std::to_string(q.instrument[p]) +
                              " received after the close of " + d.to_string() + " skipped");
          ++p;
          continue;
        }
        if (Timestamp::from_ns(q.ts_event[p]).utc_date() != d) {
          ++p;  // a quote from an earlier session not delivered then (none in a well-formed store)
          continue;
        }
        const std::int64_t id = q.instrument[p];
        const Instrument* const* known = id_index_.find(id);
        const Instrument* contract = known != nullptr ? *known : nullptr;
        if (contract == nullptr) {
          KEEL_TRY(inst, store_.instrument(InstrumentId(id)));
          extra_.push_back(std::move(inst));
          contract = &extra_.back();
          id_index_.insert_or_assign(id, contract);
        }
        snap.instruments.push_back(contract);
        OptionQuote oq = q.row(p);
        snap.quotes.push_back(oq);
        ++p;
      }
      snapshot_size_[s] = snap.quotes.size();
      if (!snap.quotes.empty()) {
        ++snapshots_[s];
        slice.chains.push_back(std::move(snap));
      }
    }
    ++day_pos_;
    open_done_ = false;
    return true;
  }
  if (!end_reported_) {
    // A symbol without a single option snapshot in the run: an options strategy on it cannot
    // have traded, and the user should hear why rather than see an empty trade log.
    end_reported_ = true;
    for (std::size_t s = 0; s < symbols_.size(); ++s) {
      if (snapshots_[s] == 0 && wants_chain_[s]) {
        warnings_.push_back(symbols_[s] + ": no option quotes in " + days_.front().to_string() + ".." + days_.back().to_string() +
                            " (no option chain was delivered)");
      }
    }
  }
  return false;
}

}  // namespace keel::engine
