// keel/execution/order.cpp — see order.hpp for the contract.
#include "keel/execution/order.hpp"

#include <charconv>
#include <set>
#include <string>

#include "keel/core/int128.hpp"

namespace keel::execution {

namespace {

// The table's own invariants, checked by the compiler: no (from, event) pair twice (the lookup
// would otherwise depend on row order) and no row out of a terminal state.
constexpr bool table_is_well_formed() {
  for (std::size_t i = 0; i < kOrderTransitions.size(); ++i) {
    if (is_terminal(kOrderTransitions[i].from)) return false;
    for (std::size_t j = i + 1; j < kOrderTransitions.size(); ++j) {
      if (kOrderTransitions[i].from == kOrderTransitions[j].from &&
          kOrderTransitions[i].event == kOrderTransitions[j].event) {
        return false;
      }
    }
  }
  return true;
}
static_assert(table_is_well_formed(), "kOrderTransitions: duplicate (from, event) or a row out of a terminal state");

// The table as a dense (from, event) -> to lookup, built at compile time from kOrderTransitions:
// transition() is on every order's path (submit, accept, each fill), and a scan of the 27 rows
// cost more than the rest of apply_event. kNoRow marks an illegal pair.
constexpr std::uint8_t kNoRow = 0xff;
using TransitionLookup = std::array<std::array<std::uint8_t, kOrderEventCount>, kOrderStatusCount>;
constexpr TransitionLookup make_lookup() {
  TransitionLookup t{};
  for (auto& row : t) row.fill(kNoRow);
  for (const OrderTransition& r : kOrderTransitions) {
    t[static_cast<std::size_t>(r.from)][static_cast<std::size_t>(r.event)] = static_cast<std::uint8_t>(r.to);
  }
  return t;
}
constexpr TransitionLookup kLookup = make_lookup();

// The lookup itself: false for an illegal pair (transition() then says why). apply_event and
// apply_fill use it in place, so that a legal step costs no Result and no call.
inline bool next_status(OrderStatus from, OrderEvent e, OrderStatus& to) noexcept {
  const auto f = static_cast<std::size_t>(from);
  const auto ev = static_cast<std::size_t>(e);
  if (f < kLookup.size() && ev < kLookup[f].size() && kLookup[f][ev] != kNoRow) {
    to = static_cast<OrderStatus>(kLookup[f][ev]);
    return true;
  }
  return false;
}

std::string order_prefix(const Order& order) { return "order " + order.id.value() + ": "; }

Error order_error(ErrorCode code, const Order& order, const std::string& what) {
  return make_error(code, order_prefix(order) + what);
}


bool is_valid_prefix_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

}  // namespace

std::string_view to_string(OrderSide side) noexcept {
  switch (side) {
    case OrderSide::kBuy: return "buy";
    case OrderSide::kSell: return "sell";
  }
  return "?";
}

std::string_view to_string(OrderType type) noexcept {
  switch (type) {
    case OrderType::kMarket: return "market";
    case OrderType::kLimit: return "limit";
    case OrderType::kStop: return "stop";
    case OrderType::kStopLimit: return "stop-limit";
    case OrderType::kMarketOnOpen: return "market-on-open";
    case OrderType::kMarketOnClose: return "market-on-close";
  }
  return "?";
}

std::string_view to_string(TimeInForce tif) noexcept {
  switch (tif) {
    case TimeInForce::kDay: return "DAY";
    case TimeInForce::kGtc: return "GTC";
    case TimeInForce::kIoc: return "IOC";
    case TimeInForce::kFok: return "FOK";
  }
  return "?";
}

std::string_view to_string(OrderStatus status) noexcept {
  switch (status) {
    case OrderStatus::kInitialized: return "initialized";
    case OrderStatus::kSubmitted: return "submitted";
    case OrderStatus::kAccepted: return "accepted";
    case OrderStatus::kRejected: return "rejected";
    case OrderStatus::kPartiallyFilled: return "partially_filled";
    case OrderStatus::kFilled: return "filled";
    case OrderStatus::kPendingCancel: return "pending_cancel";
    case OrderStatus::kCanceled: return "canceled";
    case OrderStatus::kExpired: return "expired";
  }
  return "?";
}

std::string_view to_string(OrderEvent event) noexcept {
  switch (event) {
    case OrderEvent::kSubmit: return "submit";
    case OrderEvent::kAccept: return "accept";
    case OrderEvent::kReject: return "reject";
    case OrderEvent::kFillPartial: return "fill_partial";
    case OrderEvent::kFillFull: return "fill_full";
    case OrderEvent::kRequestCancel: return "request_cancel";
    case OrderEvent::kCancel: return "cancel";
    case OrderEvent::kExpire: return "expire";
  }
  return "?";
}

std::span<const OrderTransition> order_transitions() noexcept { return kOrderTransitions; }

Result<OrderStatus> transition(OrderStatus from, OrderEvent e) {
  if (OrderStatus to{}; next_status(from, e, to)) return to;
  std::string msg = "illegal order transition: " + std::string(to_string(from)) + " --" +
                    std::string(to_string(e)) + "-->";
  if (is_terminal(from)) msg += " (" + std::string(to_string(from)) + " is terminal)";
  return make_error(ErrorCode::kInvalidArgument, std::move(msg));
}

Status validate(const Order& order) {
  if (order.id.value().empty()) return make_error(ErrorCode::kInvalidArgument, "order <no id>: id is empty");
  if (!order.quantity.is_positive()) {
    return order_error(ErrorCode::kInvalidArgument, order, "quantity must be > 0, got " + order.quantity.to_string());
  }
  if (order.filled_quantity.is_negative() || order.filled_quantity > order.quantity) {
    return order_error(ErrorCode::kInvalidArgument, order,
                       "filled_quantity " + order.filled_quantity.to_string() + " outside [0, quantity " +
                           order.quantity.to_string() + "]");
  }

  if (order.is_combo()) {
    if (order.instrument.value() != 0) {
      return order_error(ErrorCode::kInvalidArgument, order,
                         "instrument must be unassigned (0) for a combo, got " + std::to_string(order.instrument.value()));
    }
    if (order.legs.size() < 2) {
      return order_error(ErrorCode::kInvalidArgument, order, "legs: a combo needs at least 2 legs, got " + std::to_string(order.legs.size()));
    }
    std::set<std::int64_t> seen;
    for (std::size_t i = 0; i < order.legs.size(); ++i) {
      const ComboLeg& leg = order.legs[i];
      const std::string where = "legs[" + std::to_string(i) + "]";
      if (leg.instrument.value() == 0) {
        return order_error(ErrorCode::kInvalidArgument, order, where + ".instrument is unassigned");
      }
      if (leg.ratio <= 0) {
        return order_error(ErrorCode::kInvalidArgument, order,
                           where + ".ratio must be > 0, got " + std::to_string(leg.ratio));
      }
      if (!seen.insert(leg.instrument.value()).second) {
        return order_error(ErrorCode::kInvalidArgument, order,
                           where + ".instrument " + std::to_string(leg.instrument.value()) + " appears twice");
      }
    }
    if (order.type != OrderType::kMarket && order.type != OrderType::kLimit) {
      return order_error(ErrorCode::kInvalidArgument, order,
                         "type " + std::string(to_string(order.type)) + " is not supported for combos (market or limit)");
    }
  } else if (order.instrument.value() == 0) {
    return order_error(ErrorCode::kInvalidArgument, order, "instrument is unassigned");
  }

  const bool needs_limit = order.type == OrderType::kLimit || order.type == OrderType::kStopLimit;
  const bool needs_stop = order.type == OrderType::kStop || order.type == OrderType::kStopLimit;
  // Built only for a message (validate() runs on every order).
  const auto type_name = [&order] { return std::string(to_string(order.type)); };
  if (needs_limit && !order.limit_price) {
    return order_error(ErrorCode::kInvalidArgument, order, "limit_price missing for a " + type_name() + " order");
  }
  if (!needs_limit && order.limit_price) {
    return order_error(ErrorCode::kInvalidArgument, order, "limit_price given for a " + type_name() + " order");
  }
  if (order.limit_price && !order.is_combo() && !order.limit_price->is_positive()) {
    return order_error(ErrorCode::kInvalidArgument, order,
                       "limit_price must be > 0, got " + order.limit_price->to_string());
  }
  if (needs_stop && !order.stop_price) {
    return order_error(ErrorCode::kInvalidArgument, order, "stop_price missing for a " + type_name() + " order");
  }
  if (!needs_stop && order.stop_price) {
    return order_error(ErrorCode::kInvalidArgument, order, "stop_price given for a " + type_name() + " order");
  }
  if (order.stop_price && !order.stop_price->is_positive()) {
    return order_error(ErrorCode::kInvalidArgument, order,
                       "stop_price must be > 0, got " + order.stop_price->to_string());
  }

  const bool immediate = order.tif == TimeInForce::kIoc || order.tif == TimeInForce::kFok;
  if (immediate && order.type != OrderType::kMarket && order.type != OrderType::kLimit) {
    return order_error(ErrorCode::kInvalidArgument, order,
                       "tif " + std::string(to_string(order.tif)) + " is not allowed for a " + type_name() +
                           " order (IOC/FOK need market or limit)");
  }
  const bool auction = order.type == OrderType::kMarketOnOpen || order.type == OrderType::kMarketOnClose;
  if (auction && order.tif != TimeInForce::kDay) {
    return order_error(ErrorCode::kInvalidArgument, order,
                       "tif " + std::string(to_string(order.tif)) + " is not allowed for a " + type_name() +
                           " order (DAY only)");
  }
  return ok_status();
}

Status apply_event(Order& order, OrderEvent event, Timestamp ts) {
  if (event == OrderEvent::kFillPartial || event == OrderEvent::kFillFull) {
    return order_error(ErrorCode::kInvalidArgument, order,
                       "event " + std::string(to_string(event)) + " must be applied with apply_fill");
  }
  OrderStatus next{};
  if (!next_status(order.status, event, next)) {
    const auto refused = transition(order.status, event);  // the error naming the pair
    return order_error(refused.error().code, order, refused.error().message);
  }
  order.status = next;
  order.ts_last = ts;
  return ok_status();
}

Status apply_fill(Order& order, Quantity qty, Price px, Timestamp ts) {
  if (is_terminal(order.status)) {
    return order_error(ErrorCode::kInvalidArgument, order,
                       "fill of " + qty.to_string() + " @ " + px.to_string() + " in terminal state " +
                           std::string(to_string(order.status)));
  }
  if (!qty.is_positive()) {
    return order_error(ErrorCode::kInvalidArgument, order, "fill quantity must be > 0, got " + qty.to_string());
  }
  if (!order.is_combo() && !px.is_positive()) {
    return order_error(ErrorCode::kInvalidArgument, order, "fill price must be > 0, got " + px.to_string());
  }
  const auto new_filled = order.filled_quantity.checked_add(qty);
  if (!new_filled || *new_filled > order.quantity) {
    return order_error(ErrorCode::kInvalidArgument, order,
                       "fill of " + qty.to_string() + " would overfill: filled " + order.filled_quantity.to_string() +
                           " + " + qty.to_string() + " > quantity " + order.quantity.to_string());
  }
  const bool complete = *new_filled == order.quantity;
  if (!complete && (order.all_or_none || order.tif == TimeInForce::kFok)) {
    return order_error(ErrorCode::kRejected, order,
                       "partial fill of " + qty.to_string() + " refused: order is " +
                           (order.tif == TimeInForce::kFok ? "FOK" : "all-or-none") + " (quantity " +
                           order.quantity.to_string() + ")");
  }
  const OrderEvent event = complete ? OrderEvent::kFillFull : OrderEvent::kFillPartial;
  OrderStatus next{};
  if (!next_status(order.status, event, next)) {
    const auto refused = transition(order.status, event);  // the error naming the pair
    return order_error(refused.error().code, order, refused.error().message);
  }

  // Exact: see the bound in order.hpp's contract.
  const i128 value = order.fill_value + static_cast<i128>(px.raw()) * static_cast<i128>(qty.raw());
  // An order's first fill (nothing filled, no value yet) averages px x qty / qty = px exactly:
  // no division needed.
  const bool first = order.fill_value == 0 && order.filled_quantity.is_zero();
  const i128 avg = first ? static_cast<i128>(px.raw()) : div_round(value, static_cast<i128>(new_filled->raw()));
  KEEL_ASSERT(avg >= INT64_MIN && avg <= INT64_MAX, "average fill price outside the price range");
  const int precision = order.filled_quantity.is_zero()
                            ? px.precision()
                            : (px.precision() > order.avg_fill_price.precision() ? px.precision()
                                                                                  : order.avg_fill_price.precision());

  order.fill_value = value;
  order.avg_fill_price = Price::from_raw(static_cast<std::int64_t>(avg), precision);
  order.filled_quantity = *new_filled;
  order.status = next;
  order.ts_last = ts;
  return ok_status();
}

Result<ClientOrderIdGenerator> ClientOrderIdGenerator::create(const StrategyId& prefix, std::uint64_t first,
                                                              int min_width) {
  const std::string& p = prefix.value();
  if (p.empty() || p.size() > 32) {
    return make_error(ErrorCode::kInvalidArgument,
                      "client order id prefix '" + p + "': length must be 1..32, got " + std::to_string(p.size()));
  }
  for (char c : p) {
    if (!is_valid_prefix_char(c)) {
      return make_error(ErrorCode::kInvalidArgument, "client order id prefix '" + p + "': character '" +
                                                         std::string(1, c) + "' not in [A-Za-z0-9_.]");
    }
  }
  if (first == 0) {
    return make_error(ErrorCode::kInvalidArgument, "client order id prefix '" + p + "': first counter must be >= 1");
  }
  if (min_width < 1 || min_width > 20) {
    return make_error(ErrorCode::kInvalidArgument,
                      "client order id min_width must be 1..20, got " + std::to_string(min_width));
  }
  return ClientOrderIdGenerator(p, first, min_width);
}

std::string ClientOrderIdGenerator::format(std::uint64_t counter) const {
  // "<prefix>-<counter zero-padded to min_width>".
  char digits[20];  // UINT64_MAX has 20 digits
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, counter);
  const auto n = static_cast<std::size_t>(end - digits);
  const std::size_t pad = n < static_cast<std::size_t>(min_width_) ? static_cast<std::size_t>(min_width_) - n : 0;
  std::string id;
  id.reserve(prefix_.size() + 1 + pad + n);
  id.append(prefix_).push_back('-');
  id.append(pad, '0').append(digits, n);
  return id;
}

Result<ClientOrderId> ClientOrderIdGenerator::next() {
  if (exhausted_) {
    return make_error(ErrorCode::kOverflow, "client order id counter for '" + prefix_ + "' is exhausted");
  }
  ClientOrderId id(next_id_);
  if (next_ == UINT64_MAX) {
    exhausted_ = true;
    return id;
  }
  ++next_;
  // next_id_ becomes next_'s id by a decimal increment of its digits (zero padding included:
  // the padded decimal of n + 1 is the padded decimal of n plus one); only a carry out of every
  // digit (999999 -> 1000000) needs the wider id formatted afresh.
  for (std::size_t i = next_id_.size(); i-- > prefix_.size() + 1;) {
    if (next_id_[i] != '9') {
      ++next_id_[i];
      return id;
    }
    next_id_[i] = '0';
  }
  next_id_ = format(next_);
  return id;
}

}  // namespace keel::execution
