// keel/execution/order.hpp — orders, their validation, the lifecycle state machine, fills and
// client order ids.
//
// Contract:
// - An Order is a plain record: ClientOrderId, instrument (or combo legs), side, type, time in
//   force, a positive Quantity, optional limit/stop Prices, the filled Quantity, the average fill
//   Price and timestamps. No double anywhere.
// - validate() checks a new order's static invariants and names the client id and the field.
// - The lifecycle is ONE constexpr transition table (from, event) -> to; transition() looks it
//   up and returns an error naming the illegal pair. Terminal states (rejected, filled,
//   canceled, expired) have no outgoing rows, so e.g. no "canceled after filled"
//   (NautilusTrader issue #4157 is that bug).
// - apply_fill() is the only way filled quantity and average price change. It refuses
//   non-positive quantities, overfills, partial fills of all-or-none/FOK orders and fills in
//   terminal states; on any error the order is left untouched (strong guarantee).
// - Average price is exact: the order keeps the exact sum of price.raw x qty.raw (i128, units of
//   1e-16) and the average is that sum / filled.raw rounded ONCE, half away from zero, to 1e-8.
//   Bounds: |sum| <= max|price.raw| x filled.raw <= 2^63 x 2^63 = 2^126 < 2^127, so no overflow.
// - ClientOrderIdGenerator gives "<PREFIX>-<counter>" ids, counter zero-padded to a minimum
//   width and strictly increasing, so an id is never produced twice by one generator.
// Thread safety: plain value types; a generator must not be shared across threads unguarded.
// Validated by order_test.cpp: every legal transition and every illegal (from, event) pair by
// hand, hand-worked averages, and a rapidcheck property over random event/fill sequences.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keel/core/fixed_point.hpp"
#include "keel/core/ids.hpp"
#include "keel/core/int128.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"

namespace keel::execution {

enum class OrderSide : std::uint8_t { kBuy, kSell };

enum class OrderType : std::uint8_t {
  kMarket,
  kLimit,
  kStop,            // becomes a market order once the stop price trades
  kStopLimit,       // becomes a limit order once the stop price trades
  kMarketOnOpen,    // executes in the opening auction
  kMarketOnClose,   // executes in the closing auction
};

// DAY: expires at the session close; GTC: until canceled; IOC: fill what can be filled at once,
// cancel the rest; FOK: fill the whole quantity at once or nothing.
enum class TimeInForce : std::uint8_t { kDay, kGtc, kIoc, kFok };

// Minimal complete set. Each state answers a question the rest of keel asks:
//   initialized      built locally, not yet sent (risk checks run here)
//   submitted        sent, no venue acknowledgement yet (cancel/fill may still race the ack)
//   accepted         working at the venue, nothing filled
//   partially_filled working, 0 < filled < quantity
//   pending_cancel   a cancel request is in flight; fills can still arrive until it is acked
//   rejected, filled, canceled, expired — terminal: the order can never change again.
// Left out on purpose: "triggered" (a stop's trigger changes nothing keel books: the order is
// still working and unfilled; the venue models it), "pending_update"/modify (keel replaces an
// order by cancel + new order, each with a fresh client id), and a separate "denied" (a
// pre-trade risk refusal is `reject` from initialized; the message says which rule).
enum class OrderStatus : std::uint8_t {
  kInitialized,
  kSubmitted,
  kAccepted,
  kRejected,
  kPartiallyFilled,
  kFilled,
  kPendingCancel,
  kCanceled,
  kExpired,
};
inline constexpr int kOrderStatusCount = 9;

enum class OrderEvent : std::uint8_t {
  kSubmit,
  kAccept,
  kReject,
  kFillPartial,
  kFillFull,
  kRequestCancel,
  kCancel,
  kExpire,
};
inline constexpr int kOrderEventCount = 8;

std::string_view to_string(OrderSide side) noexcept;
std::string_view to_string(OrderType type) noexcept;
std::string_view to_string(TimeInForce tif) noexcept;
std::string_view to_string(OrderStatus status) noexcept;
std::string_view to_string(OrderEvent event) noexcept;

constexpr bool is_terminal(OrderStatus s) noexcept {
  return s == OrderStatus::kRejected || s == OrderStatus::kFilled || s == OrderStatus::kCanceled ||
         s == OrderStatus::kExpired;
}

struct OrderTransition {
  OrderStatus from;
  OrderEvent event;
  OrderStatus to;
};

// THE lifecycle. Why the less obvious rows exist:
// - initialized --reject--> rejected: pre-trade risk refusal before anything is sent.
// - initialized --cancel--> canceled: the strategy withdraws an order it never sent.
// - submitted --fill_*-->: a marketable order's fill can overtake the venue's ack (brokers
//   stream them on different channels).
// - submitted/accepted/partially_filled --cancel-->: venue-initiated cancel (IOC remainder, FOK
//   miss, halt) with no request of ours in flight.
// - pending_cancel --fill_partial--> pending_cancel: a fill raced our cancel request; we still
//   await the cancel ack, the filled quantity records the fill. --fill_full--> filled: the fill
//   won the race, the cancel will be refused by the venue.
// - Not listed on purpose: a repeated submit (would hide a double send), a repeated ack of an
//   accepted order, and anything out of a terminal state (an adapter drops late events for a
//   terminal order). A venue's refusal of our cancel ("cancel reject") is not an event here: it
//   needs the state before pending_cancel, which the table does not keep; the order stays
//   pending_cancel until a fill, cancel or expiry resolves it.
inline constexpr std::array<OrderTransition, 27> kOrderTransitions{{
    {OrderStatus::kInitialized, OrderEvent::kSubmit, OrderStatus::kSubmitted},
    {OrderStatus::kInitialized, OrderEvent::kReject, OrderStatus::kRejected},
    {OrderStatus::kInitialized, OrderEvent::kCancel, OrderStatus::kCanceled},

    {OrderStatus::kSubmitted, OrderEvent::kAccept, OrderStatus::kAccepted},
    {OrderStatus::kSubmitted, OrderEvent::kReject, OrderStatus::kRejected},
    {OrderStatus::kSubmitted, OrderEvent::kFillPartial, OrderStatus::kPartiallyFilled},
    {OrderStatus::kSubmitted, OrderEvent::kFillFull, OrderStatus::kFilled},
    {OrderStatus::kSubmitted, OrderEvent::kRequestCancel, OrderStatus::kPendingCancel},
    {OrderStatus::kSubmitted, OrderEvent::kCancel, OrderStatus::kCanceled},
    {OrderStatus::kSubmitted, OrderEvent::kExpire, OrderStatus::kExpired},

    {OrderStatus::kAccepted, OrderEvent::kFillPartial, OrderStatus::kPartiallyFilled},
    {OrderStatus::kAccepted, OrderEvent::kFillFull, OrderStatus::kFilled},
    {OrderStatus::kAccepted, OrderEvent::kRequestCancel, OrderStatus::kPendingCancel},
    {OrderStatus::kAccepted, OrderEvent::kCancel, OrderStatus::kCanceled},
    {OrderStatus::kAccepted, OrderEvent::kExpire, OrderStatus::kExpired},

    {OrderStatus::kPartiallyFilled, OrderEvent::kFillPartial, OrderStatus::kPartiallyFilled},
    {OrderStatus::kPartiallyFilled, OrderEvent::kFillFull, OrderStatus::kFilled},
    {OrderStatus::kPartiallyFilled, OrderEvent::kRequestCancel, OrderStatus::kPendingCancel},
    {OrderStatus::kPartiallyFilled, OrderEvent::kCancel, OrderStatus::kCanceled},
    {OrderStatus::kPartiallyFilled, OrderEvent::kExpire, OrderStatus::kExpired},

    {OrderStatus::kPendingCancel, OrderEvent::kFillPartial, OrderStatus::kPendingCancel},
    {OrderStatus::kPendingCancel, OrderEvent::kFillFull, OrderStatus::kFilled},
    {OrderStatus::kPendingCancel, OrderEvent::kCancel, OrderStatus::kCanceled},
    {OrderStatus::kPendingCancel, OrderEvent::kExpire, OrderStatus::kExpired},
    // The venue rejects an order whose cancel we requested before it acked the order itself.
    {OrderStatus::kPendingCancel, OrderEvent::kReject, OrderStatus::kRejected},
    // A late ack (after a fill or a cancel request overtook it) keeps the state it finds.
    {OrderStatus::kPartiallyFilled, OrderEvent::kAccept, OrderStatus::kPartiallyFilled},
    {OrderStatus::kPendingCancel, OrderEvent::kAccept, OrderStatus::kPendingCancel},
}};

// The table as a span (for tests and documentation generators).
std::span<const OrderTransition> order_transitions() noexcept;

// Looks (from, e) up in kOrderTransitions; kInvalidArgument naming both states and the event
// when the pair is not listed, e.g. "illegal order transition: filled --cancel-->
// (filled is terminal)".
Result<OrderStatus> transition(OrderStatus from, OrderEvent e);

// One leg of a multi-leg (combo) order. The leg is executed as written when the combo is bought
// and reversed when the combo is sold.
struct ComboLeg {
  InstrumentId instrument;
  std::int32_t ratio = 1;  // contracts of this leg per one combo unit; > 0
  OrderSide side = OrderSide::kBuy;
};

struct Order {
  ClientOrderId id;
  // Single-instrument orders: the instrument, and `legs` empty. Combos: instrument stays
  // unassigned (0) and `legs` holds >= 2 legs; the combo is identified by its legs.
  InstrumentId instrument;
  std::vector<ComboLeg> legs;
  OrderSide side = OrderSide::kBuy;
  OrderType type = OrderType::kMarket;
  TimeInForce tif = TimeInForce::kDay;
  Quantity quantity;  // > 0; direction is `side`. For combos: number of combo units.
  // Present exactly for limit and stop-limit orders. Single-leg: > 0. Combo net limit price per
  // combo unit, the sign convention Interactive Brokers uses for combo (BAG) orders: the net of
  // the legs as written, positive = a net debit paid, negative = a net credit received. A bought
  // combo fills at or below the limit (pays at most / receives at least |limit|), a sold one at
  // or above it.
  std::optional<Price> limit_price;
  std::optional<Price> stop_price;  // present exactly for stop and stop-limit orders; > 0
  bool all_or_none = false;         // no partial fills (always the case for FOK)

  OrderStatus status = OrderStatus::kInitialized;
  Quantity filled_quantity;  // 0 <= filled <= quantity; status == filled iff filled == quantity
  Price avg_fill_price;      // exact mean of fill prices weighted by quantity; 0 before any fill
  // Sum over fills of price.raw x qty.raw (units of 1e-16): kept so the average is one rounding
  // of the exact mean, never a rounding of a rounded average.
  i128 fill_value = 0;

  Timestamp ts_init;  // when the order was created
  Timestamp ts_last;  // time of the last applied event

  bool is_combo() const noexcept { return !legs.empty(); }
  Quantity leaves_quantity() const noexcept { return quantity - filled_quantity; }
};

// Static checks on a new order; kInvalidArgument "order <id>: <field> ..." on the first failure.
//  - id non-empty; quantity > 0; 0 <= filled_quantity <= quantity
//  - single-leg: instrument assigned; combo: instrument unassigned, >= 2 legs, each with an
//    assigned instrument, ratio > 0, no instrument twice; combos only market or limit
//  - limit_price present iff type is limit/stop-limit; > 0 except a combo's net limit (any sign)
//  - stop_price present iff type is stop/stop-limit; > 0
//  - IOC/FOK only for market and limit orders (a stop rests until triggered; auction orders
//    execute at one instant by construction); market-on-open/close only with DAY (the auction
//    of the current session)
Status validate(const Order& order);

// Whether the caller has already run validate() on an order it passes on. The engine validates
// each new order once and says so to the pre-trade check (Portfolio::check_order) and the venue
// (SimulatedVenue::submit), which otherwise validate it themselves: one run instead of three on
// every order's path.
enum class Validated : bool { kNo, kYes };

// Non-fill lifecycle events (submit, accept, reject, request_cancel, cancel, expire): moves the
// status through the table and sets ts_last. Fill events must go through apply_fill (error).
Status apply_event(Order& order, OrderEvent event, Timestamp ts);

// Books a fill of `qty` at `px`: qty > 0; px > 0 for single-leg orders (a combo's net fill price
// may have either sign); not in a terminal state; filled + qty <= quantity; for all-or-none or
// FOK orders filled + qty == quantity (kRejected otherwise). The event is fill_full when the
// order becomes complete, fill_partial otherwise, and goes through transition(). Updates
// filled_quantity, fill_value, avg_fill_price (precision: the larger of the fills' precisions),
// status and ts_last; on error changes nothing.
Status apply_fill(Order& order, Quantity qty, Price px, Timestamp ts);

// Deterministic client order ids "<prefix>-<n>", n = 1, 2, ... zero-padded to `min_width`
// digits (wider when it outgrows them: zero-padded decimals of distinct numbers differ, so ids
// stay unique). `first` lets a restarted live session continue after the highest counter it
// persisted, so an id is never reused within an account (Alpaca refuses reuse even after a
// cancel). Prefix: 1..32 characters of [A-Za-z0-9_.], no '-' so the counter splits off
// unambiguously.
class ClientOrderIdGenerator {
 public:
  static Result<ClientOrderIdGenerator> create(const StrategyId& prefix, std::uint64_t first = 1, int min_width = 6);

  // kOverflow once the counter is exhausted (after UINT64_MAX), never a wrap to an old id.
  Result<ClientOrderId> next();
  std::uint64_t peek_counter() const noexcept { return next_; }

 private:
  ClientOrderIdGenerator(std::string prefix, std::uint64_t first, int min_width)
      : prefix_(std::move(prefix)), next_(first), min_width_(min_width), next_id_(format(first)) {}
  std::string format(std::uint64_t counter) const;  // the id of `counter`
  std::string prefix_;
  std::uint64_t next_;
  int min_width_;
  std::string next_id_;  // the id next() returns next (kept up to date by a decimal increment)
  bool exhausted_ = false;
};

}  // namespace keel::execution
