// keel/execution/sim_venue.hpp — the simulated venue: working orders matched against bars and
// quotes under a fill model chosen per run, with participation caps, slippage, square-root
// market impact and fees.
//
// Contract (docs/EXECUTION.md explains each model and switch):
// - The venue holds its own copy of each working order (like an exchange) and reports what
//   happens as VenueEvents; the engine applies them to its order book through the order state
//   machine (order.hpp). The venue never sees the portfolio: risk checks happen before submit.
// - Market state: the latest Bar per instrument (on_bar; of it, what later fills read: its
//   times, close, high, low and volume) and the latest OptionQuote per option contract
//   (on_option_quotes, one chain snapshot at a time). Equity quotes (Quote) may be fed
//   with on_quote. An option quote is "current" while it belongs to the latest snapshot of its
//   underlying. A stock fill needs at least one bar of the instrument (its volume sets the
//   participation cap).
// - No look-ahead: a resting stock order is matched only against bars whose interval begins at
//   or after its submission (ts_event >= submitted; a bar known at submission always began
//   earlier), an option order only against snapshots stamped after it (ts > submitted).
//   Fills found on a bar are reported at the bar's ts_recv (when the venue sees it), at the
//   price the model gives (e.g. the open).
// - Fill models (FillModel):
//     kNextOpen  stock orders fill at the open of the first such bar (market) or when that bar
//                trades through the limit/stop; option orders fill against the first chain
//                snapshot after submission.
//     kBarClose  a marketable order (market, or a limit the price satisfies, <= for a buy)
//                fills at once against the state known at submission: the last bar's close for
//                stock, the current snapshot's bid/ask for options; resting orders are matched
//                against later bars/snapshots as in kNextOpen.
//     kQuote     like kBarClose, but stock fills at the latest Quote's ask (buy) / bid (sell)
//                when one is known and not older than the last bar, else at the last close;
//                resting stock market/limit orders are also matched on later quotes.
//   Options always fill at the quoted ask (buy) / bid (sell); with OptionPriceModel
//   kMidPlusFraction at mid +/- fraction x half-spread (fraction in [0,1], documented as
//   optimistic), rounded to the tick away from the trader (penny-pilot tick: $0.01 below
//   $3.00, $0.05 at or above unless the quote is off the nickel grid) and never beyond the
//   touch; an option limit is compared with that model price. A zero bid never fills a sell.
// - Limit orders fill only when the market trades through: stock buy limit L fills on a bar
//   with low < L at min(open, L) (a gap through the limit fills at the open), sells mirrored;
//   option buy limit L fills when ask <= L at the ask, sell when bid >= L at the bid. Stops
//   trigger when the bar's high >= stop (buy) / low <= stop (sell) and then fill at
//   max(open, stop) (buy) / min(open, stop) (sell); stop-limits then behave as limits (on the
//   trigger bar: from the open after a gap through the stop, else at the stop only when it is
//   strictly inside the limit). Option stops trigger on the quote (ask >= stop for a buy, bid
//   <= stop for a sell). Market-on-open fills at the open of the first bar of the next session;
//   market-on-close at the close of the last bar of the session in which it was submitted (or
//   the next one when submitted at or after that close): daily bars in on_bar, intraday bars
//   in on_session_close. MOO/MOC are stock-only.
// - Combos (all-or-none by nature): option legs only, one multiplier; filled only when every
//   leg has a quote in the current snapshot; each leg at its own ask (bought) / bid (sold); the
//   combo's net price per unit (order.hpp sign convention) must satisfy the net limit. One
//   VenueEvent carries one Fill per leg (quantity = combo units x ratio).
// - Participation: a stock fill is at most participation_cap x the bar's volume (whole
//   shares, floor), shared by all orders filled against that bar; the remainder keeps working
//   (IOC: canceled; FOK / all-or-none: no fill unless the whole quantity fits). Option fills
//   are capped at the displayed size at the touch, shared within a snapshot, when
//   cap_options_at_displayed_size is set (and the size is known, > 0).
// - Costs: slippage_bps moves stock fill prices against the trader; the square-root impact
//   model adds impact_coefficient x sigma x sqrt(qty / volume) x price, sigma being the bar's
//   (high - low) / close (a one-bar range proxy); prices are rounded to the tick against the
//   trader; a limit order's price stops at its limit. A cost that would take a sale to a price
//   <= 0 cancels the order with the reason. Fees come from the FeeCalculator (fees.hpp), with
//   minimums per order across partial fills and combo legs.
// - Time in force: DAY orders submitted before `ts` expire at on_session_close(ts) (an order
//   submitted at or after the close belongs to the next session); IOC remainders are canceled
//   right after the matching attempt at submission (kBarClose/kQuote) or at the first matching
//   attempt (the first later bar/quote/snapshot of the instrument); FOK likewise but
//   all-or-nothing; GTC stay until canceled.
// - Rejections (kRejected event with a reason naming the order): unknown instrument, an index,
//   invalid orders (validate() fails), a duplicate client order id (an id is spent once seen),
//   option MOO/MOC, fractional contracts, combos with non-option legs or mixed multipliers. No
//   market data yet for a kBarClose/kQuote marketable order is NOT a rejection (it waits).
// - Splits (on_split): see the function; afterwards working_orders() holds the adjusted
//   orders, which the engine copies over its own. Market state of the underlying is dropped.
// - Deterministic: events are produced in submission order of the orders they concern.
// Thread safety: single-threaded, owned by the engine.
// Validated by sim_venue_test.cpp: hand-built bars and quotes with hand-worked fills, and
// rapidcheck properties (limits never traded through, no overfill, participation bound).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "keel/core/fixed_point.hpp"
#include "keel/core/id_index.hpp"
#include "keel/core/not_copied.hpp"
#include "keel/core/ids.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"
#include "keel/execution/fees.hpp"
#include "keel/execution/order.hpp"
#include "keel/model/instrument.hpp"
#include "keel/model/market_data.hpp"

namespace keel::execution {

enum class FillModel : std::uint8_t { kNextOpen, kBarClose, kQuote };
enum class OptionPriceModel : std::uint8_t { kBidAsk, kMidPlusFraction };

std::string_view to_string(FillModel m) noexcept;
Result<FillModel> parse_fill_model(std::string_view text);  // "next_open", "bar_close", "quote"
std::string_view to_string(OptionPriceModel m) noexcept;
Result<OptionPriceModel> parse_option_price_model(std::string_view text);  // "bid_ask", "mid_plus_fraction"

struct ExecutionConfig {
  FillModel fill_model = FillModel::kBarClose;
  OptionPriceModel option_price = OptionPriceModel::kBidAsk;
  double mid_fraction = 0.5;          // kMidPlusFraction: 0 = mid, 1 = the touch
  double participation_cap = 0.10;    // of a bar's volume, (0, 1]
  bool cap_options_at_displayed_size = true;
  double slippage_bps = 0.0;          // >= 0, stock only
  double impact_coefficient = 0.0;    // >= 0, square-root model, stock only
  FeeSchedule fees;                   // default: no fees (use fee_preset)
  Status validate() const;            // names the field
};

// One execution of one instrument (for a combo: one leg).
struct Fill {
  ClientOrderId order_id;
  InstrumentId instrument;
  OrderSide side = OrderSide::kBuy;  // the leg's own direction
  Quantity quantity;                 // > 0, shares or contracts
  Price price;                       // per share; an option's premium per deliverable share
  Money commission;
  Money regulatory_fees;
  Timestamp ts;
  Money fees() const { return commission + regulatory_fees; }
};

enum class VenueEventKind : std::uint8_t { kAccepted, kRejected, kFilled, kCanceled, kExpired };
std::string_view to_string(VenueEventKind k) noexcept;

// The fills of one venue event: a single-leg fill is kept inline (no allocation, the common
// case on every order); a combo's legs move to a vector. Contiguous either way.
class FillList {
 public:
  void push_back(Fill f) {
    if (count_ == 0) {
      first_ = std::move(f);
    } else {
      if (count_ == 1) more_.push_back(std::move(first_));
      more_.push_back(std::move(f));
    }
    ++count_;
  }
  // Appends a default Fill and returns it, to be written in place.
  Fill& emplace_back() {
    ++count_;
    if (count_ == 1) return first_;  // first_ is still default-made while the list is empty
    if (count_ == 2) more_.push_back(std::move(first_));
    return more_.emplace_back();
  }
  std::size_t size() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }
  Fill* begin() noexcept { return count_ <= 1 ? &first_ : more_.data(); }
  Fill* end() noexcept { return begin() + count_; }
  const Fill* begin() const noexcept { return count_ <= 1 ? &first_ : more_.data(); }
  const Fill* end() const noexcept { return begin() + count_; }
  Fill& operator[](std::size_t i) noexcept { return begin()[i]; }
  const Fill& operator[](std::size_t i) const noexcept { return begin()[i]; }

 private:
  Fill first_;
  std::vector<Fill> more_;
  std::size_t count_ = 0;
};

struct VenueEvent {
  // Member by member: with a defaulted constructor, emplace_back() (value-initialization) would
  // first zero the whole record (a `rep stos` of its 264 bytes on every acceptance and fill).
  VenueEvent() noexcept {}
  VenueEventKind kind = VenueEventKind::kAccepted;
  ClientOrderId order_id;
  Timestamp ts;
  std::string reason;           // rejected / canceled / expired: why
  Quantity order_quantity;      // kFilled: in order units (shares, contracts or combo units)
  Price order_price;            // kFilled: per order unit; combo: signed net per unit
  FillList fills;               // kFilled: one per instrument touched (combo: one per leg)
};

class SimulatedVenue {
 public:
  // `instrument` resolves an id to its definition (asset class, multiplier, tick size); the
  // engine passes a lookup over its universe. The pointers it returns must stay valid (and the
  // instruments unchanged) while the venue lives: working orders keep them. Config is
  // validated by create().
  using InstrumentLookup = std::function<const Instrument*(InstrumentId)>;
  static Result<SimulatedVenue> create(ExecutionConfig config, InstrumentLookup instrument);

  const ExecutionConfig& config() const noexcept { return config_; }

  // Accepts (kAccepted) or rejects the order; under kBarClose/kQuote a marketable order may
  // fill at once (kFilled events follow the kAccepted one).
  std::vector<VenueEvent> submit(const Order& order, Timestamp now);
  // The same, appending the events to `out` (a caller's reused buffer: no allocation per order).
  // Validated::kYes: the caller ran validate(order) (it passed), so the venue skips it.
  void submit(const Order& order, Timestamp now, std::vector<VenueEvent>& out, Validated validated = Validated::kNo);
  // Cancels a working order (kCanceled), or nothing if it is not working (already filled,
  // unknown): the engine's state machine decides what that means.
  std::vector<VenueEvent> cancel(const ClientOrderId& id, Timestamp now);

  // Market data. Each call updates the state and matches the working orders it concerns.
  std::vector<VenueEvent> on_bar(const Bar& bar);
  void on_bar(const Bar& bar, std::vector<VenueEvent>& out);  // appends to `out`
  std::vector<VenueEvent> on_quote(const Quote& quote);
  // One snapshot: every quote has the same ts_recv (`ts`).
  std::vector<VenueEvent> on_option_quotes(std::span<const OptionQuote> quotes, Timestamp ts);
  // Session end: DAY orders still working expire (kExpired).
  std::vector<VenueEvent> on_session_close(Timestamp ts);

  // Corporate action on a stock (E5): open orders on `underlying` get quantity x to/from and
  // limit/stop prices x from/to (rounded to the tick, toward the less aggressive side); working
  // orders on its options are canceled (kCanceled, reason names the split). Quantities that
  // become fractional are rounded down to whole shares (the unfilled part; a part already
  // filled is scaled exactly, its average price x from/to, both rounded to 1e-8); an order
  // left with less than one share is canceled.
  std::vector<VenueEvent> on_split(InstrumentId underlying, std::string_view underlying_symbol,
                                   std::int64_t ratio_to, std::int64_t ratio_from, Timestamp ts);

  // Working orders (for tests and the engine's consistency checks), in submission order.
  std::vector<Order> working_orders() const;
  const FeeCalculator& fee_calculator() const noexcept { return fees_; }

 private:
  SimulatedVenue(ExecutionConfig config, InstrumentLookup instrument);

  struct Working {
    explicit Working(const Order& o) : order(o) {}
    Order order;
    Timestamp submitted;
    const Instrument* instrument = nullptr;         // single-leg orders (from the lookup)
    std::vector<const Instrument*> leg_instruments;  // combos: one per leg, in leg order
    Money commission_charged;  // commission already charged on earlier fills (per-order minimums)
    Money base_commission_charged;  // per-unit commission of earlier fills before min/max
    Money value_charged;            // trade value of earlier fills (the 1%-of-value maximum)
    bool triggered = false;    // stop / stop-limit has triggered
    bool attempted = false;    // a matching attempt happened (IOC/FOK end there)
    bool done = false;         // terminal: removed after the current call
  };
  struct OptionState {
    OptionQuote quote;
    Timestamp snapshot;      // ts of the snapshot that carried it
    Quantity used_bid;       // contracts sold into the bid in this snapshot
    Quantity used_ask;       // contracts bought from the ask in this snapshot
  };
  // What the venue keeps of an instrument's bar once it has passed: the fields later fills
  // read (a submission at its close, a quote, the session's close: costs and participation)
  // and the next bar's session test. The open, timeframe and trade count are not read again.
  // Every bar of a run is kept, most with nothing working, so the copy is small and field by
  // field, each load as wide as the store that wrote it: a wide load over the 8- and 1-byte
  // stores of a bar the feed has just written stalls until those stores retire. Prices other
  // than the close are read only through to_double(), which needs their raw values alone.
  struct KeptBar {
    Timestamp ts_recv;
    Timestamp ts_event;
    std::int64_t close_raw = 0;
    std::int64_t high_raw = 0;
    std::int64_t low_raw = 0;
    std::int64_t volume_raw = 0;
    std::uint8_t close_precision = 0;
    // Participation: the shares filled so far against the bar that began at use_bar, shared by
    // every order filled on it (keep() leaves these two alone: a fill on a later bar starts
    // again from 0).
    Timestamp use_bar;
    Quantity used;

    explicit KeptBar(const Bar& bar) noexcept { keep(bar); }
    void keep(const Bar& bar) noexcept {
      ts_recv = bar.ts_recv;
      ts_event = bar.ts_event;
      close_raw = bar.close.raw();
      high_raw = bar.high.raw();
      low_raw = bar.low.raw();
      volume_raw = bar.volume.raw();
      close_precision = static_cast<std::uint8_t>(bar.close.precision());
    }
    Price close() const noexcept { return Price::from_raw(close_raw, close_precision); }
    Quantity volume() const noexcept { return Quantity::from_raw(volume_raw); }  // raw value only
  };

  // on_bar past its common case (the memo names another instrument, or orders are working):
  // finds or adds the instrument's kept bar, and matches the working orders.
  [[gnu::noinline]] void match_bar(const Bar& bar, std::vector<VenueEvent>& out);
  // Matching, one order against one piece of market data; each may append events.
  // `kept`: what the venue keeps of `bar` (already kept: the fills record their volume in it).
  void match_stock_bar(Working& w, const Bar& bar, KeptBar& kept, bool session_first_bar, std::vector<VenueEvent>& out);
  void match_stock_quote(Working& w, const Quote& quote, Timestamp ts, std::vector<VenueEvent>& out);
  void match_option(Working& w, Timestamp ts, std::vector<VenueEvent>& out);
  void match_combo(Working& w, Timestamp ts, std::vector<VenueEvent>& out);
  void match_at_submission(Working& w, Timestamp now, std::vector<VenueEvent>& out);
  void fill_moc(Working& w, KeptBar& bar, Timestamp ts, std::vector<VenueEvent>& out);
  // Fills `qty` of a stock order at `base` plus costs computed from `bar`.
  void fill_stock(Working& w, Quantity qty_wanted, Price base, KeptBar& bar, Timestamp ts,
                  std::vector<VenueEvent>& out);
  // A stock fill's price after costs; an error (its message the cancellation's reason) when the
  // costs make the fill impossible.
  Result<Price> stock_price_with_costs(const Working& w, Price base, Quantity qty, const KeptBar& bar) const;
  // Option execution price of one side of a quote under the configured model; nullopt when the
  // side cannot trade (zero bid for a sell, no ask for a buy).
  std::optional<Price> option_price(const OptionQuote& q, OrderSide side) const;
  bool option_quote_current(const Instrument& option) const;
  Result<FeeBreakdown> charge_fees(Working& w, const Instrument& instrument, OrderSide side, Quantity qty,
                                   Price price, Timestamp ts);
  void finish_attempt(Working& w, Timestamp ts, std::vector<VenueEvent>& out);
  void cancel_order(Working& w, Timestamp ts, std::string reason, std::vector<VenueEvent>& out);
  void erase_done();

  ExecutionConfig config_;
  InstrumentLookup instrument_;
  // The fee schedule's month (YYYYMM) of a fill, cached for the days [first, end) of that month.
  int month_of(Timestamp ts);
  int month_yyyymm_ = 0;
  std::int32_t month_first_day_ = 0, month_end_day_ = 0;
  FeeCalculator fees_;
  std::int64_t participation_e8_ = 0;  // participation_cap on the 1e-8 grid (exact from here on)
  std::int64_t mid_fraction_e8_ = 0;   // mid_fraction on the 1e-8 grid
  std::vector<Working> working_;  // submission order
  StringSet seen_ids_;  // every client order id submitted (ids are spent once seen)
  // Per-instrument market state by dense slot (keel/core/id_index.hpp): one probe per bar.
  IdMap<KeptBar> last_bar_;
  // The slot of last_bar_ that on_bar used last: bars of one instrument in a row skip the
  // lookup. Emptied wherever last_bar_ gains or loses a slot (which may move the slots) and
  // when the venue is copied or moved, so that it never points at another venue's slot.
  // `quiet` is `bar` while nothing is working and null otherwise (set where working_ gains an
  // order, in submit, and where it may lose its last, in erase_done): on_bar's common case is
  // then one compare of the key and one test of `quiet`.
  struct BarMemo {
    std::int64_t key = 0;
    KeptBar* bar = nullptr;
    KeptBar* quiet = nullptr;
  };
  NotCopied<BarMemo> last_bar_memo_;
  IdMap<Quote> last_quote_;
  IdMap<OptionState> last_option_quote_;
  std::unordered_map<std::string, Timestamp> snapshot_ts_;  // latest snapshot per underlying symbol
};

}  // namespace keel::execution
