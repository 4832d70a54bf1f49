// keel/portfolio/portfolio.cpp — the ledger: fills, average cost, the option lifecycle's
// bookings, the wheel cycles. Dividends and splits are in corporate_actions.cpp, the account
// rules in account_rules.cpp; docs/PORTFOLIO.md explains every rule with worked numbers.
#include "keel/portfolio/portfolio.hpp"

#include <algorithm>
#include <utility>

#include "keel/core/int128.hpp"
#include "keel/core/string_equal.hpp"

namespace keel::portfolio {

namespace {

using execution::OrderSide;

std::int64_t multiplier_of(const Instrument& i) { return i.is_option() ? i.option->multiplier : 1; }


Quantity abs_qty(Quantity q) { return q.is_negative() ? -q : q; }


[[gnu::cold, gnu::noinline]] Error add_overflow(Money a, Money b, std::string_view what, std::string_view of) {
  return make_error(ErrorCode::kOverflow, std::string(what) + std::string(of) + ": " + a.to_string() + " + " +
                                              b.to_string() + " leaves the Money range");
}

// sum = a + b; false (sum untouched) when that leaves the Money range. The caller then returns
// add_overflow(a, b, ...), whose message is built only on failure, out of line: this runs
// several times on every booking, so nothing but the two raw values is carried on the way.
inline bool add_into(Money& sum, Money a, Money b) noexcept {
  const std::optional<Money> s = a.checked_add(b);
  if (!s) [[unlikely]] return false;
  sum = *s;
  return true;
}

// basis x part / whole (raw quantities, whole > 0), rounded once, half away from zero: the
// share of a position's cost that leaves with `part` of it under the average-cost method.
Result<Money> pro_rata(Money basis, std::int64_t part_raw, std::int64_t whole_raw) {
  const i128 v = div_round(static_cast<i128>(basis.raw()) * part_raw, whole_raw);
  if (v > INT64_MAX || v < INT64_MIN) return make_error(ErrorCode::kOverflow, "pro-rata cost basis out of range");
  return Money::from_raw(static_cast<std::int64_t>(v), std::max(basis.precision(), 2));
}

}  // namespace

// ---- names ------------------------------------------------------------------------------------

std::string_view to_string(AccountType t) noexcept {
  switch (t) {
    case AccountType::kCash:
      return "cash";
    case AccountType::kMargin:
      return "margin";
  }
  return "?";
}

Result<AccountType> parse_account_type(std::string_view text) {
  if (text == "cash") return AccountType::kCash;
  if (text == "margin") return AccountType::kMargin;
  return make_error(ErrorCode::kParse, "account type '" + std::string(text) + "': expected cash or margin");
}

std::string_view to_string(BookingKind k) noexcept {
  switch (k) {
    case BookingKind::kFill:
      return "fill";
    case BookingKind::kExpiry:
      return "expiry";
    case BookingKind::kExercise:
      return "exercise";
    case BookingKind::kAssignment:
      return "assignment";
    case BookingKind::kCashSettlement:
      return "cash_settlement";
    case BookingKind::kDividend:
      return "dividend";
    case BookingKind::kSplit:
      return "split";
    case BookingKind::kCashInLieu:
      return "cash_in_lieu";
    case BookingKind::kInterest:
      return "interest";
  }
  return "?";
}

// ---- Position ---------------------------------------------------------------------------------

std::int64_t Position::multiplier() const noexcept { return multiplier_of(instrument); }

Money Position::market_value() const {
  auto v = notional(mark, quantity, multiplier());
  // Positions are built from values that passed notional() at booking time; a mark that takes
  // the value out of the +-92 billion range is a programming error upstream.
  KEEL_ASSERT(v.ok(), "position market value out of the Money range");
  return *v;
}

Money Position::unrealized_pnl() const { return market_value() - cost_basis; }

Price Position::average_price() const {
  if (quantity.is_zero()) return Price::zero(4);
  const i128 basis = cost_basis.raw() < 0 ? -static_cast<i128>(cost_basis.raw()) : static_cast<i128>(cost_basis.raw());
  const i128 q = quantity.raw() < 0 ? -static_cast<i128>(quantity.raw()) : static_cast<i128>(quantity.raw());
  const i128 v = div_round(basis * kFixedScale, q * multiplier());
  KEEL_ASSERT(v <= INT64_MAX, "average price out of range");
  return Price::from_raw(static_cast<std::int64_t>(v), 4);
}

// ---- Portfolio --------------------------------------------------------------------------------

Portfolio::Portfolio(Money starting_cash, AccountType type)
    : type_(type),
      start_cash_(starting_cash),
      cash_(starting_cash),
      receivable_(Money::zero(2)),
      realized_(Money::zero(2)),
      fees_(Money::zero(2)),
      dividends_(Money::zero(2)),
      premium_(Money::zero(2)) {}

Money Portfolio::equity() const {
  Money e = cash_ + receivable_ + interest_accrued_;
  for (const auto& [id, p] : positions_) e += p.market_value();
  return e;
}

Money Portfolio::unrealized_pnl() const {
  Money u = Money::zero(2);
  for (const auto& [id, p] : positions_) u += p.unrealized_pnl();
  return u;
}

const Position* Portfolio::position(InstrumentId id) const {
  auto it = positions_.find(id.value());
  return it == positions_.end() ? nullptr : &it->second;
}

Quantity Portfolio::quantity(InstrumentId id) const {
  const Position* p = position(id);
  return p == nullptr ? Quantity::zero() : p->quantity;
}

WheelBasis Portfolio::wheel_basis(std::string_view underlying) const {
  WheelBasis w;
  w.underlying = std::string(underlying);
  w.shares = Quantity::zero();
  w.cycle_premium = Money::zero(2);
  Money cost = Money::zero(2);
  for (const auto& [id, p] : positions_) {
    if (!p.instrument->is_option() && p.instrument->symbol == underlying) {
      w.shares += p.quantity;
      cost += p.cost_basis;
    }
  }
  if (auto it = cycles_.find(underlying); it != cycles_.end()) w.cycle_premium = it->second.premium;
  if (!w.shares.is_zero()) {
    // Per-share figures: one rounding (half away from zero) of the exact quotient.
    auto per_share = [&](Money m) {
      const i128 v = div_round(static_cast<i128>(m.raw()) * kFixedScale, w.shares.raw());
      KEEL_ASSERT(v <= INT64_MAX && v >= INT64_MIN, "basis per share out of range");
      return Price::from_raw(static_cast<std::int64_t>(v), 4);
    };
    w.plain_basis_per_share = per_share(cost);
    w.wheel_basis_per_share = per_share(cost - w.cycle_premium);
  }
  return w;
}


void Portfolio::put_meta(std::int64_t key, PositionMeta meta) {
  if (PositionMeta* old = meta_.find(key); old != nullptr) {
    if (!old->marked) --unmarked_;
    *old = meta;
  } else {
    meta_.insert_or_assign(key, meta);
  }
  if (!meta.marked) ++unmarked_;
}

void Portfolio::drop_meta(std::int64_t key) {
  if (const PositionMeta* old = meta_.find(key); old != nullptr && !old->marked) --unmarked_;
  meta_.erase(key);
}

void Portfolio::note_marked(std::int64_t key) {
  if (unmarked_ == 0) return;  // every position is marked already: nothing to record
  PositionMeta& m = *meta_.find(key);  // meta_ has exactly positions_' keys
  if (!m.marked) {
    m.marked = true;
    --unmarked_;
  }
}

// ---- trade planning ---------------------------------------------------------------------------

struct Portfolio::TradeInput {
  // The caller's interned or held copy, which outlives the commit; the booking, the position and
  // its closed trade share it (pointed to here: no reference-count traffic for the input itself).
  const InstrumentRef* instrument = nullptr;
  OrderSide side = OrderSide::kBuy;
  Quantity quantity;  // > 0
  Price price;        // >= 0
  // The exact total when price x quantity x multiplier is not (an adjusted series' strike per
  // deliverable share may be a rounded quotient; the cash is strike x 100 x contracts).
  std::optional<Money> gross;
  Money commission, regulatory_fees;
  Timestamp ts;
  BookingKind kind = BookingKind::kFill;
  std::string_view order_id;  // both outlive plan_trade (callers' arguments)
  std::string_view reason;
};

struct Portfolio::TradePlan {
  // The trade (its booking is written once, straight into the log, at the commit).
  const TradeInput* in = nullptr;
  std::int64_t key = 0;
  std::string_view underlying;  // into the TradeInput's instrument, which outlives the commit
  // The position before the trade (end(): none). A node of positions_: it stays where it is
  // until this plan's own commit (other plans touch other keys), so the commit changes it in
  // place instead of copying it into the plan and back.
  std::map<std::int64_t, Position>::const_iterator cur;
  enum class After : std::uint8_t {
    kFlat,    // closed: the position is removed
    kOpen,    // `opened` is the position afterwards (new, or replacing the old side on a cross)
    kUpdate,  // the same position with quantity_after / basis_after / position_realized_after
  };
  After after = After::kFlat;
  Position opened;
  Quantity quantity_after;
  Money basis_after, position_realized_after;
  PositionMeta meta_after;
  std::optional<ClosedTrade> closed;
  Money cash_delta, realized_delta, fees_delta, premium_collected_delta, cycle_premium_delta;
  // Set by check_totals: cash, realized P&L, fees paid and premium collected after this plan's
  // commit (and every plan's checked before it).
  struct Totals {
    Money cash, realized, fees, premium;
  };
  std::optional<Totals> totals_after;
};

Status Portfolio::plan_trade(const TradeInput& in, TradePlan& plan) const {
  return plan_trade(in, positions_.find(in.instrument->get().id.value()), plan);
}

Status Portfolio::plan_trade(const TradeInput& in, PositionIt found, TradePlan& plan) const {
  const InstrumentRef& ref = *in.instrument;
  const Instrument& inst = *ref;
  const std::int64_t mult = multiplier_of(inst);
  const Money zero = Money::zero(2);

  KEEL_TRY(computed, notional(in.price, in.quantity, mult));  // >= 0: price >= 0, quantity > 0
  const Money gross = in.gross ? *in.gross : computed;
  const bool buy = in.side == OrderSide::kBuy;
  const Money signed_gross = buy ? gross : -gross;  // N: what the trade costs (+) or brings (-)
  const Quantity signed_qty = buy ? in.quantity : -in.quantity;
  Money fees, minus_n, cash_delta;
  if (!add_into(fees, in.commission, in.regulatory_fees)) {
    return add_overflow(in.commission, in.regulatory_fees, "fees of ", inst.symbol);
  }
  if (!add_into(minus_n, zero, -signed_gross)) return add_overflow(zero, -signed_gross, "cash change", {});
  if (!add_into(cash_delta, minus_n, -fees)) return add_overflow(minus_n, -fees, "cash change of ", inst.symbol);

  plan.in = &in;
  plan.key = inst.id.value();
  plan.underlying = underlying_symbol(inst);
  plan.cash_delta = cash_delta;
  plan.fees_delta = fees;
  plan.premium_collected_delta = zero;
  // Net option premium of the wheel cycle: credits minus debits of option FILLS, minus their
  // fees. Lifecycle closings (expiry, exercise, assignment at 0; cash settlement) are not
  // premium: they are the option's outcome.
  plan.cycle_premium_delta = (inst.is_option() && in.kind == BookingKind::kFill) ? cash_delta : zero;

  plan.cur = found;
  const Position* cur = plan.cur == positions_.end() ? nullptr : &plan.cur->second;
  const PositionMeta cur_meta = cur == nullptr ? PositionMeta{} : *meta_.find(plan.key);


  // The position opened, written in place into the plan (no temporary Position and its
  // reference count moved in and out).
  auto open_position = [&](Quantity q_signed, Money basis, Money opening_fees) {
    Position& p = plan.opened;
    p.instrument = ref;
    p.quantity = q_signed;
    p.cost_basis = basis;
    p.opened = in.ts;
    p.realized_pnl = -opening_fees;
    p.mark = p.average_price();
  };

  if (cur == nullptr) {
    // Opening a new position.
    open_position(signed_qty, signed_gross, fees);
    plan.after = TradePlan::After::kOpen;
    plan.meta_after = PositionMeta{in.quantity, false};
    plan.realized_delta = -fees;
    if (inst.is_option() && !buy && in.kind == BookingKind::kFill) plan.premium_collected_delta = gross;
  } else if (cur->quantity.is_positive() == buy) {
    // Adding to the position on the same side: the cost simply accumulates.
    plan.after = TradePlan::After::kUpdate;
    plan.quantity_after = cur->quantity + signed_qty;
    if (!add_into(plan.basis_after, cur->cost_basis, signed_gross)) {
      return add_overflow(cur->cost_basis, signed_gross, "cost basis of ", inst.symbol);
    }
    if (!add_into(plan.position_realized_after, cur->realized_pnl, -fees)) {
      return add_overflow(cur->realized_pnl, -fees, "realized P&L of ", inst.symbol);
    }
    plan.meta_after = PositionMeta{std::max(cur_meta.max_abs, abs_qty(plan.quantity_after)), cur_meta.marked};
    plan.realized_delta = -fees;
    if (inst.is_option() && !buy && in.kind == BookingKind::kFill) plan.premium_collected_delta = gross;
  } else {
    // Reducing, closing or crossing through zero.
    const Quantity held = abs_qty(cur->quantity);
    const Quantity closing = std::min(in.quantity, held);
    const Quantity opening = in.quantity - closing;
    Money n_open = zero;  // signed notional of the part that opens the new side
    if (opening.is_positive()) {
      Money g;
      if (in.gross) {
        KEEL_TRY(share, scale(gross, opening.raw(), in.quantity.raw()));
        g = share;
      } else {
        KEEL_TRY(part, notional(in.price, opening, mult));
        g = part;
      }
      n_open = buy ? g : -g;
    }
    // The two parts' notionals add up to the one the cash moved by, exactly.
    const Money n_close = signed_gross - n_open;
    Money removed = cur->cost_basis;
    if (closing != held) {
      KEEL_TRY(r, pro_rata(cur->cost_basis, closing.raw(), held.raw()));
      removed = r;
    }
    Money fee_close = fees;
    if (opening.is_positive()) {
      KEEL_TRY(fc, scale(fees, closing.raw(), in.quantity.raw()));
      fee_close = fc;
    }
    const Money fee_open = fees - fee_close;
    // (exit - average cost) x qty x multiplier, fees included: -N_close is what the closing
    // part brings in (a sale) or costs (a buy-back); `removed` is its share of the cost basis.
    Money gain, realized_close, life;
    if (!add_into(gain, -n_close, -removed)) return add_overflow(-n_close, -removed, "realized P&L of ", inst.symbol);
    if (!add_into(realized_close, gain, -fee_close)) {
      return add_overflow(gain, -fee_close, "realized P&L of ", inst.symbol);
    }
    if (!add_into(life, cur->realized_pnl, realized_close)) {
      return add_overflow(cur->realized_pnl, realized_close, "realized P&L of ", inst.symbol);
    }
    plan.realized_delta = realized_close - fee_open;
    if (closing == held) {
      ClosedTrade& ct = plan.closed.emplace();
      ct.instrument = cur->instrument;
      ct.opened = cur->opened;
      ct.closed = in.ts;
      ct.max_quantity = cur_meta.max_abs;
      ct.pnl = life;
      ct.closed_by = in.kind;
      if (opening.is_positive()) {
        open_position(buy ? opening : -opening, n_open, fee_open);
        plan.after = TradePlan::After::kOpen;
        plan.meta_after = PositionMeta{opening, false};
        if (inst.is_option() && !buy && in.kind == BookingKind::kFill) plan.premium_collected_delta = -n_open;
      }
    } else {
      plan.after = TradePlan::After::kUpdate;
      plan.quantity_after = cur->quantity + signed_qty;
      plan.basis_after = cur->cost_basis - removed;
      plan.position_realized_after = life;
      plan.meta_after = cur_meta;
    }
  }
  return ok_status();
}

Status Portfolio::check_totals(std::span<TradePlan> plans) const {
  Money cash = cash_, realized = realized_, fees = fees_, premium = premium_;
  // Each total plus its change, in place (untouched on failure, so the error names it as it was).
  for (TradePlan& p : plans) {
    if (!add_into(cash, cash, p.cash_delta)) return add_overflow(cash, p.cash_delta, "cash", {});
    if (!add_into(realized, realized, p.realized_delta)) {
      return add_overflow(realized, p.realized_delta, "realized P&L", {});
    }
    if (!add_into(fees, fees, p.fees_delta)) return add_overflow(fees, p.fees_delta, "fees paid", {});
    if (!add_into(premium, premium, p.premium_collected_delta)) {
      return add_overflow(premium, p.premium_collected_delta, "premium collected", {});
    }
    // The totals once this plan is committed (the plans are committed in this order): the
    // commit assigns them instead of adding the changes again.
    p.totals_after = TradePlan::Totals{cash, realized, fees, premium};
    if (p.cycle_premium_delta.is_zero()) continue;  // stock trades, lifecycle closings: nothing to add
    auto cyc = cycles_.find(p.underlying);
    const Money cycle_premium = (cyc != cycles_.end() && cyc->second.open) ? cyc->second.premium : Money::zero(2);
    if (Money sum; !add_into(sum, cycle_premium, p.cycle_premium_delta)) {
      return add_overflow(cycle_premium, p.cycle_premium_delta, "wheel cycle premium", {});
    }
  }
  return ok_status();
}

Portfolio::Cycle& Portfolio::commit(TradePlan&& plan) {
  Cycle* cycle = last_cycle_->cycle;
  if (cycle == nullptr || last_cycle_->name != plan.underlying) {
    auto cyc = cycles_.find(plan.underlying);
    if (cyc == cycles_.end()) cyc = cycles_.emplace(plan.underlying, Cycle{Money::zero(2), false}).first;
    last_cycle_->name = cyc->first;  // the node's own key: stays valid with the node
    last_cycle_->cycle = cycle = &cyc->second;
  }
  if (!cycle->open) {
    // First position on the underlying while none was open: a new cycle.
    cycle->premium = Money::zero(2);
    cycle->open = true;
  }
  cycle->premium += plan.cycle_premium_delta;  // checked by check_totals
  KEEL_ASSERT(plan.totals_after.has_value(), "commit: the plan's totals were not checked");
  cash_ = plan.totals_after->cash;
  realized_ = plan.totals_after->realized;
  fees_ = plan.totals_after->fees;
  premium_ = plan.totals_after->premium;
  if (plan.closed) closed_.push_back(std::move(*plan.closed));

  const TradeInput& in = *plan.in;
  Booking& b = bookings_.emplace_back();
  b.ts = in.ts;
  b.kind = in.kind;
  b.order_id.append(in.order_id);  // into the empty string just made (cheaper than a replace)
  b.instrument = *in.instrument;
  b.side = in.side;
  b.quantity = in.quantity;
  b.price = in.price;
  b.commission = in.commission;
  b.regulatory_fees = in.regulatory_fees;
  b.cash_change = plan.cash_delta;
  b.realized_pnl = plan.realized_delta;
  b.reason.append(in.reason);

  switch (plan.after) {
    case TradePlan::After::kFlat:
      *spare_position_ = positions_.extract(plan.cur);  // frees the previous spare, if any
      drop_meta(plan.key);
      break;
    case TradePlan::After::kOpen:
      if (plan.cur != positions_.end()) {
        // Crossing through zero: the new side replaces the old one under the same key. The
        // node is this map's own (plan_trade only had const access to it).
        const_cast<Position&>(plan.cur->second) = std::move(plan.opened);
      } else if (*spare_position_) {
        spare_position_->key() = plan.key;
        spare_position_->mapped() = std::move(plan.opened);
        positions_.insert(std::move(*spare_position_));  // the key is absent: the node goes in
      } else {
        positions_.emplace(plan.key, std::move(plan.opened));
      }
      put_meta(plan.key, plan.meta_after);
      break;
    case TradePlan::After::kUpdate: {
      Position& p = const_cast<Position&>(plan.cur->second);  // this map's own node, see above
      p.quantity = plan.quantity_after;
      p.cost_basis = plan.basis_after;
      p.realized_pnl = plan.position_realized_after;
      if (!plan.meta_after.marked) p.mark = p.average_price();  // never marked: the average price
      put_meta(plan.key, plan.meta_after);
      break;
    }
  }
  return *cycle;
}

void Portfolio::close_cycle_if_flat(std::string_view underlying) {
  auto cyc = cycles_.find(underlying);
  if (cyc != cycles_.end()) close_cycle_if_flat(cyc->second, underlying);
}

void Portfolio::close_cycle_if_flat(Cycle& cycle, std::string_view underlying) {
  if (!cycle.open) return;
  for (const auto& [id, p] : positions_) {
    if (underlying_symbol(p.instrument) == underlying) return;
  }
  // The cycle's premium stays readable (wheel_basis) until the next cycle starts.
  cycle.open = false;
}

// ---- fills ------------------------------------------------------------------------------------

const InstrumentRef& Portfolio::intern(const Instrument& instrument) {
  if (InstrumentRef* known = instruments_.find(instrument.id.value()); known != nullptr && known->get() == instrument) {
    return *known;
  }
  return instruments_.insert_or_assign(instrument.id.value(), InstrumentRef(instrument));
}

namespace {

// Errors start with "instrument ..."; callers add what was being booked.
Status check_instrument(const Instrument& instrument) {
  if (instrument.id.value() == 0) {
    return make_error(ErrorCode::kInvalidArgument, "instrument " + instrument.symbol + " has no id");
  }
  Status st = instrument.validate();
  if (!st) return st.error().with_context("instrument " + instrument.symbol);
  return ok_status();
}

Status check_same_instrument(const Position* cur, const Instrument& instrument) {
  if (cur != nullptr &&
      (!equal_strings(cur->instrument->symbol, instrument.symbol) || cur->instrument->asset_class != instrument.asset_class)) {
    return make_error(ErrorCode::kConflict, "instrument id " +
                                                std::to_string(instrument.id.value()) + " is " + instrument.symbol +
                                                " but the position holds " + cur->instrument->symbol);
  }
  return ok_status();
}

}  // namespace

Status Portfolio::apply_fill(const execution::Fill& fill, const Instrument& instrument, std::string_view reason) {
  // The context is built only when something fails: this runs on every fill.
  auto what = [&fill] { return "fill of order " + fill.order_id.value(); };
  // An instrument interned before passed check_instrument then (intern runs only after it): an
  // unchanged one is not validated again on every fill.
  const InstrumentRef* known = instruments_.find(instrument.id.value());
  const bool interned = known != nullptr && known->get() == instrument;
  if (!interned) {
    if (Status st = check_instrument(instrument); !st) return st.error().with_context(what());
  }
  if (fill.instrument != instrument.id) {
    return make_error(ErrorCode::kInvalidArgument,
                      what() + ": fill instrument id " + std::to_string(fill.instrument.value()) + " differs from " +
                          instrument.symbol + " (id " + std::to_string(instrument.id.value()) + ")");
  }
  if (!fill.quantity.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument,
                      what() + ": quantity " + fill.quantity.to_string() + " is not positive");
  }
  if (fill.price.is_negative()) {
    return make_error(ErrorCode::kInvalidArgument, what() + ": price " + fill.price.to_string() + " is negative");
  }
  if (fill.commission.is_negative() || fill.regulatory_fees.is_negative()) {
    return make_error(ErrorCode::kInvalidArgument, what() + ": negative fees (commission " +
                                                       fill.commission.to_string() + ", regulatory " +
                                                       fill.regulatory_fees.to_string() + ")");
  }
  const PositionIt found = positions_.find(instrument.id.value());
  if (Status st = check_same_instrument(found == positions_.end() ? nullptr : &found->second, instrument); !st) {
    return st.error().with_context(what());
  }
  TradeInput in;
  in.instrument = interned ? known : &intern(instrument);
  in.side = fill.side;
  in.quantity = fill.quantity;
  in.price = fill.price;
  in.commission = fill.commission;
  in.regulatory_fees = fill.regulatory_fees;
  in.ts = fill.ts;
  in.kind = BookingKind::kFill;
  in.order_id = fill.order_id.value();
  in.reason = reason;
  TradePlan plan;
  if (Status planned = plan_trade(in, found, plan); !planned) return planned.error().with_context(what());
  KEEL_TRY_STATUS(check_totals(std::span<TradePlan>(&plan, 1)));
  // A fill that leaves its position open leaves the underlying held: its cycle stays open.
  const bool flat_after = plan.after == TradePlan::After::kFlat;
  Cycle& cycle = commit(std::move(plan));
  if (flat_after) close_cycle_if_flat(cycle, underlying_symbol(instrument));  // the caller's instrument: still alive
  return ok_status();
}

// ---- options lifecycle ------------------------------------------------------------------------

Status Portfolio::expire_worthless(InstrumentId option, Timestamp ts, std::string_view reason) {
  const Position* cur = position(option);
  if (cur == nullptr) {
    return make_error(ErrorCode::kNotFound,
                      "expire_worthless: no position in instrument id " + std::to_string(option.value()));
  }
  if (!cur->instrument->is_option()) {
    return make_error(ErrorCode::kInvalidArgument, "expire_worthless: " + cur->instrument->symbol + " is not an option");
  }
  if (ts.utc_date() < cur->instrument->option->expiry) {
    return make_error(ErrorCode::kInvalidArgument, "expire_worthless: " + cur->instrument->symbol + " expires on " +
                                                       cur->instrument->option->expiry.to_string() + ", not on " +
                                                       ts.utc_date().to_string());
  }
  const InstrumentRef held = cur->instrument;  // the position goes: keep its instrument alive
  const Instrument& inst = *held;
  TradeInput in;
  in.instrument = &held;
  in.side = cur->quantity.is_positive() ? OrderSide::kSell : OrderSide::kBuy;
  in.quantity = abs_qty(cur->quantity);
  in.price = Price::zero(2);
  in.commission = Money::zero(2);
  in.regulatory_fees = Money::zero(2);
  in.ts = ts;
  in.kind = BookingKind::kExpiry;
  in.reason = reason;
  TradePlan plan;
  KEEL_TRY_STATUS(plan_trade(in, plan));
  KEEL_TRY_STATUS(check_totals(std::span<TradePlan>(&plan, 1)));
  commit(std::move(plan));
  close_cycle_if_flat(underlying_symbol(inst));  // `held` keeps the closed position's instrument
  return ok_status();
}

Status Portfolio::exercise_or_assign(InstrumentId option, Quantity contracts, const Instrument& underlying,
                                     Price settlement_price, Timestamp ts, std::string_view reason) {
  const Position* cur = position(option);
  if (cur == nullptr) {
    return make_error(ErrorCode::kNotFound,
                      "exercise_or_assign: no position in instrument id " + std::to_string(option.value()));
  }
  const InstrumentRef held = cur->instrument;  // the position may go: keep its instrument alive
  const Instrument& inst = *held;
  const std::string what = "exercise_or_assign " + inst.symbol;
  if (!inst.is_option()) return make_error(ErrorCode::kInvalidArgument, what + ": not an option");
  const OptionSpec& spec = *inst.option;
  if (!contracts.is_positive() || contracts > abs_qty(cur->quantity)) {
    return make_error(ErrorCode::kInvalidArgument, what + ": contracts " + contracts.to_string() + " outside (0, " +
                                                       abs_qty(cur->quantity).to_string() + "]");
  }
  const bool is_long = cur->quantity.is_positive();
  const BookingKind kind = is_long ? BookingKind::kExercise : BookingKind::kAssignment;
  const OrderSide closing = is_long ? OrderSide::kSell : OrderSide::kBuy;

  TradeInput opt;
  opt.instrument = &held;
  opt.side = closing;
  opt.quantity = contracts;
  opt.price = Price::zero(2);
  opt.commission = Money::zero(2);
  opt.regulatory_fees = Money::zero(2);
  opt.ts = ts;
  opt.kind = kind;
  opt.reason = reason;

  if (spec.settlement == Settlement::kCash) {
    if (!settlement_price.is_positive()) {
      return make_error(
          ErrorCode::kInvalidArgument,
          what + ": cash settlement needs a positive settlement price, got " + settlement_price.to_string());
    }
    // Closing the option at its intrinsic value is the same cash as closing it at 0 and paying
    // the intrinsic value: one booking, so the trade's P&L carries the settlement. Exactly:
    // (S x deliverable - K x 100)+ per contract for calls, (K x 100 - S x deliverable)+ for puts
    // (the strike is quoted on 100 shares, also for adjusted series).
    KEEL_TRY(s_value, notional(settlement_price, contracts, spec.multiplier));
    KEEL_TRY(k_value, notional(spec.strike, contracts, kStrikeShares));
    const Money intrinsic = spec.right == OptionRight::kCall ? s_value - k_value : k_value - s_value;
    const Price strike = deliverable_strike(spec);
    const Price diff = spec.right == OptionRight::kCall ? settlement_price - strike : strike - settlement_price;
    opt.price = diff.is_positive() ? diff : Price::zero(2);
    opt.gross = intrinsic.is_positive() ? intrinsic : Money::zero(2);
    opt.kind = BookingKind::kCashSettlement;
    TradePlan plan;
    KEEL_TRY_STATUS(plan_trade(opt, plan));
    KEEL_TRY_STATUS(check_totals(std::span<TradePlan>(&plan, 1)));
    commit(std::move(plan));
    close_cycle_if_flat(spec.underlying);
    return ok_status();
  }

  if (Status st = check_instrument(underlying); !st) return st.error().with_context(what);
  if (underlying.is_option() || underlying.symbol != spec.underlying) {
    return make_error(ErrorCode::kInvalidArgument,
                      what + ": deliverable " + underlying.symbol + " is not the underlying " + spec.underlying);
  }
  if (Status st = check_same_instrument(position(underlying.id), underlying); !st) return st.error().with_context(what);
  auto shares = contracts.checked_mul(spec.multiplier);
  if (!shares) return make_error(ErrorCode::kOverflow, what + ": deliverable shares out of range");
  // Calls deliver shares to the long side; puts to the short side.
  const bool receives_shares = (spec.right == OptionRight::kCall) == is_long;
  TradeInput stock;
  stock.instrument = &intern(underlying);
  stock.side = receives_shares ? OrderSide::kBuy : OrderSide::kSell;
  stock.quantity = *shares;
  // Per deliverable share: strike x 100 / deliverable (the strike itself for a standard
  // contract); the cash is strike x 100 x contracts exactly.
  stock.price = deliverable_strike(spec);
  KEEL_TRY(strike_value, notional(spec.strike, contracts, kStrikeShares));
  stock.gross = strike_value;
  stock.commission = Money::zero(2);
  stock.regulatory_fees = Money::zero(2);
  stock.ts = ts;
  stock.kind = kind;
  stock.reason = reason;

  // Both plans read the state before either is committed; they touch different positions.
  std::vector<TradePlan> plans(2);
  KEEL_TRY_STATUS(plan_trade(opt, plans[0]));
  KEEL_TRY_STATUS(plan_trade(stock, plans[1]));
  KEEL_TRY_STATUS(check_totals(plans));
  for (TradePlan& p : plans) commit(std::move(p));
  if (settlement_price.is_positive()) mark(underlying.id, settlement_price);
  close_cycle_if_flat(spec.underlying);
  return ok_status();
}

}  // namespace keel::portfolio
