// keel/engine/engine.hpp — the event kernel: merges the market feed, timers and the venue's
// reports in time order under a simulated clock, keeps the order book through the order state
// machine, books fills in the portfolio, applies corporate actions and the option lifecycle,
// and implements the strategy Context. The same kernel will run live with a live feed, clock
// and broker behind the interfaces it uses.
//
// Order of processing within one instant (docs/ENGINE.md):
//   open slice (ex-date of corporate actions): splits (venue orders, portfolio, OCC mapping of
//     option positions), dividend entitlements, dividend payments due.
//   close slice: timers due before it -> bars to the venue (resting orders match) -> option
//     snapshots to the venue -> the previous session's DAY orders expire -> marks -> strategy
//     on_bar (each bar) and on_chain (each snapshot) -> lifecycle: ex-dividend early assignment
//     of short calls, deep-ITM put early assignment, expiry of contracts expiring today (working
//     orders on them canceled first) -> interest on cash (posted on a new month, accrued to the
//     next session) -> marks -> observer's session end.
// - No look-ahead: the strategy sees only what the feed has delivered (ts_recv <= now) and the
//   corporate actions whose announcement ts_recv <= now.
// - Notifications to the strategy (fills, order updates, option events) raised while one of its
//   callbacks runs are queued and delivered after it returns, in the order they happened, so a
//   callback is never re-entered.
// - Accounting errors (a fill the portfolio cannot book) stop the run with the error: an order
//   that passed the pre-trade check must book. A strategy callback's error stops the run too,
//   prefixed with the time.
// Thread safety: single-threaded.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <variant>
#include <vector>

#include "keel/core/append_log.hpp"
#include "keel/core/calendar.hpp"
#include "keel/core/clock.hpp"
#include "keel/core/id_index.hpp"
#include "keel/core/result.hpp"
#include "keel/engine/bar_history.hpp"
#include "keel/engine/lifecycle.hpp"
#include "keel/engine/market_feed.hpp"
#include "keel/execution/order.hpp"
#include "keel/execution/sim_venue.hpp"
#include "keel/portfolio/portfolio.hpp"
#include "keel/strategy/option_chain.hpp"
#include "keel/strategy/strategy.hpp"

namespace keel::engine {

// Every instrument the run knows. A deque keeps addresses stable as instruments are added
// (a snapshot may bring a contract the feed had not listed), so Instrument pointers handed out
// stay valid for the whole run.
struct Universe {
  std::deque<Instrument> instruments;
  IdMap<const Instrument*> by_id;
  std::map<std::string, const Instrument*, std::less<>> by_symbol;
  const Instrument* find(InstrumentId id) const;
  const Instrument* find(std::string_view symbol) const;
  void add(const Instrument& instrument);  // no-op when the id is known
};

struct EngineConfig {
  Date start;                 // first session that trades (earlier sessions are warm-up)
  Money capital;              // starting cash, > 0
  portfolio::AccountType account = portfolio::AccountType::kCash;
  execution::ExecutionConfig execution;
  LifecycleConfig lifecycle;
  double rate = 0.03;           // risk-free rate for implied vols and Greeks (continuous)
  double dividend_yield = 0.0;  // continuous yield for implied vols and Greeks
  // Interest on cash (Portfolio::accrue_interest): accrued at each trading session's end on the
  // closing balance for the calendar days to the next session (ACT/360), posted to cash at the
  // first session of each month. cash_rate on a positive balance, margin_rate on a negative
  // one; 0 = none (the default here; the backtest config sets them, docs/BACKTEST.md).
  double cash_rate = 0.0;
  double margin_rate = 0.0;
  std::string order_id_prefix = "BT";
  // Where now() comes from. Null (the backtest): the engine's own SimulatedClock, advanced to
  // each slice's and timer's time. Live trading passes a WallClock (core/clock.hpp); the engine
  // then never moves time itself and processes slices as the feed delivers them.
  const Clock* clock = nullptr;
  // Bars kept per instrument for Context::history (>= 1): at least this many once as many have
  // come; the oldest are dropped in blocks beyond it (BarHistory, bar_history.hpp).
  std::size_t history_limit = 100'000;
  Status validate() const;
};

class Engine;

// What the backtest (or live monitor) records. Called on the engine's thread.
class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  // After every close slice of a trading (non-warm-up) session.
  virtual Status on_session_end(const Engine&, Date) { return {}; }
  // `called_away`: a short call assigned against shares we held.
  virtual void on_option_event(const Engine&, const strategy::OptionEvent&, bool /*called_away*/) {}
  virtual void on_log(Timestamp, std::string_view) {}
};

class Engine final : public strategy::Context {
 public:
  static Result<std::unique_ptr<Engine>> create(EngineConfig config, MarketFeed& feed, strategy::Strategy& strategy,
                                                EngineObserver* observer = nullptr);

  // Runs the feed to its end: on_start, every slice, on_end.
  Status run();

  // strategy::Context
  Timestamp now() const override { return clock_->now(); }
  Date today() const override { return today_; }
  const ExchangeCalendar& calendar() const override { return ExchangeCalendar::us_equities(); }
  bool warming_up() const override { return today_ < config_.start; }
  const Instrument* instrument(InstrumentId id) const override;
  const Instrument* find_instrument(std::string_view symbol) const override;
  std::span<const Bar> history(InstrumentId id, std::size_t n) const override;
  const strategy::OptionChain* chain(std::string_view underlying) const override;
  const portfolio::Portfolio& portfolio() const override { return portfolio_; }
  const portfolio::Portfolio& book(std::string_view underlying) const override;
  std::vector<execution::Order> open_orders() const override;
  const execution::Order* order(const ClientOrderId& id) const override;
  Result<ClientOrderId> submit(const strategy::OrderRequest& request) override;
  Status cancel(const ClientOrderId& id) override;
  Status set_timer(Timestamp at, std::string tag) override;
  void log(std::string_view message) override;

  // For observers and reports.
  const EngineConfig& config() const noexcept { return config_; }
  // The strategy's sleeves (empty for a single strategy) and their ledgers, in the same order.
  const std::vector<strategy::SleeveSpec>& sleeves() const noexcept { return sleeves_; }
  const std::vector<portfolio::Portfolio>& sleeve_books() const noexcept { return books_; }
  std::optional<Price> last_close(InstrumentId id) const;

 private:
  Engine(EngineConfig config, MarketFeed& feed, strategy::Strategy& strategy, EngineObserver* observer,
         std::shared_ptr<Universe> universe, execution::SimulatedVenue venue, execution::ClientOrderIdGenerator ids);

  Status process_open(const MarketSlice& slice);
  Status process_close(MarketSlice& slice);
  // The timers due before (or at, when inclusive) up_to, each followed by a drain.
  Status deliver_timers(Timestamp up_to, bool inclusive) {
    if (timers_.empty() || timers_.top().at > up_to) return ok_status();
    return deliver_due_timers(up_to, inclusive);
  }
  Status deliver_due_timers(Timestamp up_to, bool inclusive);
  Status apply_venue_events(std::vector<execution::VenueEvent> events) {
    if (events.empty()) return ok_status();
    return apply_events(events);
  }
  struct BookEntry;
  // `known`: the book entry the events most likely concern (nullptr: look each order up). The
  // events are spent: their fills are moved into the notification queue.
  Status apply_events(std::vector<execution::VenueEvent>& events, BookEntry* known = nullptr);
  // Delivers queued notifications to the strategy (none while one of its callbacks runs).
  // Inlined (GCC otherwise calls it out of line from the large slice handlers): the common
  // nothing-to-deliver case is two compares at every call site.
  [[gnu::always_inline]] Status drain() {
    if (in_callback_ || pending_head_ == pending_.size()) return ok_status();
    return drain_pending();
  }
  Status drain_pending();
  Status apply_split(const CorporateAction& action);
  Status run_lifecycle();
  Status accrue_interest();  // session end: post at a new month, accrue to the next session
  // Tells the observer and queues the strategy's on_option_event.
  void report_option_event(strategy::OptionEventKind kind, const Instrument& option, Quantity contracts,
                           Price underlying_price, std::string rule, bool called_away);
  Status settle_option(const Instrument& option, Quantity position, ExpiryAction action, Price underlying_price,
                       strategy::OptionEventKind kind, const std::string& rule);
  Status cancel_orders_on(InstrumentId id, std::string_view reason);
  void mark_positions();
  // mark_positions() for what the slice changed; inlined into process_close, its one caller (a
  // call frame per slice less).
  [[gnu::always_inline]] inline void mark_changed(const MarketSlice& slice);
  // An option's mark: the mid of its quote when the quote is stamped now (this slice's snapshot).
  std::optional<Price> option_mark(std::int64_t id) const;
  void copy_working_orders(std::vector<execution::Order>& out) const;  // open_orders() into `out`
  std::optional<Price> option_mid(InstrumentId id) const;
  const Instrument* underlying_of(const Instrument& option) const;
  std::optional<Price> underlying_price(std::string_view underlying) const;
  Result<portfolio::SplitMapping> map_option_on_split(const Instrument& old, std::int64_t to, std::int64_t from) const;
  // The status of a strategy callback; an error gets the time and the callback's name.
  Status strategy_call(Status status, std::string_view what) {
    if (status) [[likely]] return status;
    return strategy_error(status, what);
  }
  Status strategy_error(const Status& status, std::string_view what) const;
  // The sleeve ledger booking `underlying` (nullptr without sleeves or when no sleeve owns it).
  portfolio::Portfolio* sleeve_book(std::string_view underlying);
  // Applies to the owning sleeve's ledger what was just booked in the account; a sleeve that
  // cannot book it is an internal error (its ledger is a subset of the account's).
  template <class Booking>
  Status mirror(std::string_view underlying, Booking&& booking) {
    if (books_.empty()) return ok_status();  // no sleeves: nothing to mirror
    return mirror_into(underlying, std::function<Status(portfolio::Portfolio&)>(std::forward<Booking>(booking)));
  }
  Status mirror_into(std::string_view underlying, const std::function<Status(portfolio::Portfolio&)>& booking);
  // The sleeve check of a new order (ok without sleeves).
  Status check_sleeve(const execution::Order& order, const std::vector<execution::Order>& working,
                      const portfolio::PriceEstimate& estimate, const portfolio::UnderlyingPrice& uprice) const;

  EngineConfig config_;
  MarketFeed& feed_;
  strategy::Strategy& strategy_;
  EngineObserver* observer_;
  SimulatedClock sim_clock_;
  const Clock* clock_;              // &sim_clock_ unless the config names another clock
  void advance_clock(Timestamp t);  // moves the simulated clock; a no-op for an external one
  Date today_;
  std::optional<Date> last_accrual_;  // the last session interest was accrued for
  portfolio::Portfolio portfolio_;
  // Sleeves (strategy.hpp SleeveSpec): a ledger per sleeve, and the sleeve owning each underlying.
  std::vector<strategy::SleeveSpec> sleeves_;
  std::vector<portfolio::Portfolio> books_;
  std::map<std::string, std::size_t, std::less<>> owner_;
  execution::SimulatedVenue venue_;
  execution::ClientOrderIdGenerator ids_;

  std::shared_ptr<Universe> universe_;  // shared with the venue's instrument lookup
  IdMap<BarHistory> history_;  // by instrument
  std::map<std::string, strategy::OptionChain, std::less<>> chains_;
  IdMap<OptionQuote> last_option_quote_;

  // The order book: every order of the run in submission order (an AppendLog: stable addresses),
  // with the strategy's reason. Working (non-terminal) orders are also listed in working_ (in
  // submission order), so open_orders() and the lifecycle's cancellations cost O(working), not
  // O(every order of the run). Ids come from ids_ as "<prefix>-<counter>", and by_counter_
  // maps counter - first_counter_ to the entry's index in book_ (kNoEntry for an id spent on a
  // request that failed validation), so finding an order by id parses its counter instead of
  // hashing a string.
  struct BookEntry {
    // A constructor (not an aggregate): emplace_back builds the entry in place with
    // parenthesized arguments, which clang before 16 accepts only for a class with one.
    BookEntry(execution::Order&& o, const std::string& r, bool w) : order(std::move(o)), reason(r), working(w) {}
    execution::Order order;
    std::string reason;
    bool working = false;  // listed in working_
  };
  AppendLog<BookEntry> book_;
  std::vector<std::uint32_t> by_counter_;
  std::uint64_t first_counter_ = 1;
  static constexpr std::uint32_t kNoEntry = 0xffffffffu;
  std::vector<BookEntry*> working_;  // the working orders, in submission order
  BookEntry* find_entry(std::string_view id);
  const BookEntry* find_entry(std::string_view id) const;
  // Records the order whose id ids_ issued last.
  BookEntry& add_entry(execution::Order&& order, const std::string& reason, bool working);
  void track(BookEntry& entry);  // keeps working_ in step with the order's status

  struct PendingTimer {
    Timestamp at;
    std::uint64_t seq;
    std::string tag;
    bool operator>(const PendingTimer& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  std::priority_queue<PendingTimer, std::vector<PendingTimer>, std::greater<>> timers_;
  std::uint64_t timer_seq_ = 0;

  // A queued callback: a fill, an order update (the book entry's current state is delivered)
  // or an option event.
  using Notification = std::variant<execution::Fill, const execution::Order*, strategy::OptionEvent>;
  // A queue in a vector: pending_[pending_head_..] are undelivered; emptied (capacity kept)
  // whenever everything has been delivered, so a notification costs no allocation.
  std::vector<Notification> pending_;
  std::size_t pending_head_ = 0;
  // Buffers reused across slices and orders (no allocation per bar or order once grown).
  MarketSlice slice_;
  std::vector<execution::VenueEvent> submit_events_;
  std::vector<execution::VenueEvent> bar_events_;
  std::vector<execution::Order> working_orders_;  // submit(): the working orders for the checks
  // submit()'s pre-trade lookups (universe, price estimate, underlying price), built once.
  std::function<const Instrument*(InstrumentId)> lookup_fn_;
  portfolio::PriceEstimate estimate_fn_;
  portfolio::UnderlyingPrice uprice_fn_;
  bool in_callback_ = false;
};

}  // namespace keel::engine
