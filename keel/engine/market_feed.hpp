// keel/engine/market_feed.hpp — the data source behind the engine: time slices of market data
// in time order. The backtest reads a Store (StoreFeed); live trading will plug a broker stream
// behind the same interface.
//
// Contract:
// - next(slice) overwrites `slice` with the next slice (false at the end), in strictly
//   increasing ts; the engine passes the same object every time so its buffers are reused
//   (no allocation per slice once they have grown). A slice holds what becomes known at ts:
//   corporate actions taking effect at a session open (phase kOpen: ts = the open of their
//   ex-date), or the bars and option chain snapshots of a session close (phase kClose: records
//   whose ts_recv == ts). No record is ever delivered before its ts_recv.
// - universe() lists every instrument the feed can deliver (underlyings and their option
//   contracts); announcements() every corporate action with its ts_recv, so the engine can tell
//   what was known when (an action is known at now iff ts_recv <= now).
// - warnings() lists data problems found while loading (a session without a bar for a symbol),
//   reported, never papered over.
// Thread safety: single-threaded.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keel/core/id_index.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"
#include "keel/data/store.hpp"
#include "keel/model/corporate_action.hpp"
#include "keel/model/instrument.hpp"
#include "keel/model/market_data.hpp"

namespace keel::engine {

struct ChainSnapshot {
  std::string underlying;
  // instruments[i] is the contract of quotes[i]; the pointers stay valid as long as the feed.
  std::vector<const Instrument*> instruments;
  std::vector<OptionQuote> quotes;
};

enum class SlicePhase : std::uint8_t { kOpen, kClose };

struct MarketSlice {
  Timestamp ts;
  Date date;  // trading date
  SlicePhase phase = SlicePhase::kClose;
  // kClose only: the last slice of its session (always so for daily data). Intraday feeds set
  // it on the session's final bar; session-end work (DAY expiry, the option lifecycle, the
  // daily record) runs only then.
  bool session_end = true;
  std::vector<CorporateAction> actions;  // kOpen: taking effect now
  std::vector<Bar> bars;                 // kClose
  std::vector<ChainSnapshot> chains;     // kClose
  // Empties the slice for a new instant, keeping the buffers' capacity.
  void reset(Timestamp at, Date on, SlicePhase p) {
    ts = at;
    date = on;
    phase = p;
    session_end = true;
    actions.clear();
    bars.clear();
    chains.clear();
  }
};

class MarketFeed {
 public:
  virtual ~MarketFeed() = default;
  // The next slice into `slice`; false (slice unspecified) when the feed has ended.
  virtual Result<bool> next(MarketSlice& slice) = 0;
  virtual const std::vector<Instrument>& universe() const = 0;
  virtual const std::vector<CorporateAction>& announcements() const = 0;
  virtual const std::vector<std::string>& warnings() const = 0;
};

// Daily bars, daily option chains and corporate actions of `symbols` from a Store, for the
// trading days in [from, to] (as-of `as_of`). Option chains only for `chain_symbols` (all of
// `symbols` when not given): no quotes are read, and no missing chain reported, for the others. Errors: an unknown symbol; a symbol without bars;
// a range outside the symbol's data ("ACME has daily bars 2019-01-02..2023-12-29"); from > to.
// Option quotes are loaded one calendar year at a time to bound memory.
class StoreFeed final : public MarketFeed {
 public:
  static Result<std::unique_ptr<StoreFeed>> create(data::Store& store, std::vector<std::string> symbols, Date from,
                                                   Date to, data::AsOf as_of = data::AsOf::latest(),
                                                   std::optional<std::vector<std::string>> chain_symbols = std::nullopt);

  Result<bool> next(MarketSlice& slice) override;
  const std::vector<Instrument>& universe() const override { return universe_; }
  const std::vector<CorporateAction>& announcements() const override { return actions_; }
  const std::vector<std::string>& warnings() const override { return warnings_; }
  // The last trading date of the run.
  Date last_date() const noexcept { return days_.back(); }

 private:
  StoreFeed(data::Store& store, data::AsOf as_of) : store_(store), as_of_(as_of) {}
  Status load_chunk(Date month_start);

  data::Store& store_;
  data::AsOf as_of_;
  std::vector<std::string> symbols_;
  std::vector<Instrument> universe_;
  std::vector<CorporateAction> actions_;       // sorted by (ex_date, instrument)
  std::vector<std::string> warnings_;
  std::vector<BarColumns> bars_;               // per symbol
  std::vector<std::size_t> bar_pos_;           // next bar per symbol
  std::vector<Date> days_;                     // trading days of the run
  std::size_t day_pos_ = 0;
  bool open_done_ = false;                     // the current day's kOpen slice was considered
  std::size_t action_pos_ = 0;
  // Option quotes of the loaded year, per symbol, and the read position.
  Date loaded_chunk_;
  bool chunk_loaded_ = false;
  std::vector<OptionQuoteColumns> chunk_quotes_;
  std::vector<std::size_t> quote_pos_;
  IdMap<const Instrument*> id_index_;  // by instrument id
  std::vector<std::size_t> snapshot_size_;  // per symbol: the last snapshot's size (to reserve)
  std::deque<Instrument> extra_;  // contracts met in quotes but not listed at create (stable addresses)
  std::vector<std::int64_t> snapshots_;  // per symbol: sessions with an option snapshot
  std::vector<bool> wants_chain_;        // per symbol: load its option chains
  bool end_reported_ = false;
};

}  // namespace keel::engine
