// keel/portfolio/corporate_actions.cpp — the ledger side of cash dividends and splits (E5).
// docs/PORTFOLIO.md works the examples by hand.
#include <algorithm>
#include <utility>

#include "keel/core/int128.hpp"
#include "keel/portfolio/portfolio.hpp"

namespace keel::portfolio {

namespace {

using execution::OrderSide;


bool fits_i64(i128 v) { return v <= INT64_MAX && v >= INT64_MIN; }

std::string ratio_text(std::int64_t to, std::int64_t from) { return std::to_string(to) + ":" + std::to_string(from); }

}  // namespace

// ---- dividends --------------------------------------------------------------------------------

Status Portfolio::dividend_ex_date(const Instrument& stock, Money per_share, Date pay_date, Timestamp ts) {
  const std::string what = "dividend on " + stock.symbol;
  if (stock.is_option()) return make_error(ErrorCode::kInvalidArgument, what + ": an option pays no dividend");
  if (!per_share.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument,
                      what + ": amount per share " + per_share.to_string() + " is not positive");
  }
  auto it = positions_.find(stock.id.value());
  if (it == positions_.end()) return ok_status();  // not a holder of record: nothing to book
  Position& pos = it->second;
  const Price per_share_px = Price::from_raw(per_share.raw(), per_share.precision());
  if (per_share_px > pos.mark) {
    return make_error(ErrorCode::kInvalidArgument,
                      what + ": " + per_share.to_string() + " per share exceeds the mark " + pos.mark.to_string());
  }
  // Signed entitlement: a long holder receives, a short seller owes it to the lender.
  KEEL_TRY(amount, notional(per_share_px, pos.quantity, 1));
  auto receivable = receivable_.checked_add(amount);
  auto realized = realized_.checked_add(amount);
  auto life = pos.realized_pnl.checked_add(amount);
  if (!receivable || !realized || !life) return make_error(ErrorCode::kOverflow, what + ": entitlement out of range");

  // Accrual: the entitlement is income (realized) on the ex-date, held as a receivable until the
  // pay date. The stock trades ex-dividend from today, so its reference price is the previous
  // close less the dividend (the exchanges' ex-date adjustment): the mark moves down by the
  // dividend and the booking by itself leaves equity unchanged.
  pos.mark = pos.mark - per_share_px;
  note_marked(stock.id.value());
  pos.realized_pnl = *life;
  receivable_ = *receivable;
  realized_ = *realized;
  pending_dividends_.push_back(PendingDividend{stock, pay_date, amount, pos.quantity, per_share});

  Booking b;
  b.ts = ts;
  b.kind = BookingKind::kDividend;
  b.instrument = stock;
  b.side = pos.quantity.is_positive() ? OrderSide::kBuy : OrderSide::kSell;
  b.quantity = pos.quantity.is_negative() ? -pos.quantity : pos.quantity;
  b.price = per_share_px;
  b.commission = Money::zero(2);
  b.regulatory_fees = Money::zero(2);
  b.cash_change = Money::zero(2);
  b.realized_pnl = amount;
  b.reason = "ex-dividend " + per_share.to_string() + " per share, payable " + pay_date.to_string() +
             (pos.quantity.is_negative() ? " (short: owed)" : "");
  bookings_.push_back(std::move(b));
  return ok_status();
}

void Portfolio::settle_due_dividends(Date today, Timestamp ts) {
  std::vector<PendingDividend> keep;
  for (PendingDividend& d : pending_dividends_) {
    if (d.pay_date > today) {
      keep.push_back(std::move(d));
      continue;
    }
    cash_ += d.amount;
    receivable_ -= d.amount;
    dividends_ += d.amount;
    Booking b;
    b.ts = ts;
    b.kind = BookingKind::kDividend;
    b.instrument = d.stock;
    b.side = d.shares.is_positive() ? OrderSide::kBuy : OrderSide::kSell;
    b.quantity = d.shares.is_negative() ? -d.shares : d.shares;
    b.price = Price::from_raw(d.per_share.raw(), d.per_share.precision());
    b.commission = Money::zero(2);
    b.regulatory_fees = Money::zero(2);
    b.cash_change = d.amount;
    b.realized_pnl = Money::zero(2);
    b.reason = d.amount.is_negative() ? "dividend paid on short position" : "dividend received";
    bookings_.push_back(std::move(b));
  }
  pending_dividends_ = std::move(keep);
}

// ---- splits -----------------------------------------------------------------------------------

Status Portfolio::apply_split(const Instrument& stock, std::int64_t ratio_to, std::int64_t ratio_from,
                              Price reference_price, const SplitMapper& mapper, Timestamp ts) {
  const std::string what = "split " + ratio_text(ratio_to, ratio_from) + " of " + stock.symbol;
  if (stock.is_option()) return make_error(ErrorCode::kInvalidArgument, what + ": not a stock");
  if (ratio_to <= 0 || ratio_from <= 0)
    return make_error(ErrorCode::kInvalidArgument, what + ": ratio terms must be positive");

  // ---- plan the stock side (nothing is changed until every step has succeeded) ----
  struct StockPlan {
    std::int64_t key = 0;
    Position after;
    bool flat = false;
    PositionMeta meta;
    Money cash_in_lieu;  // signed cash change
    Money realized;      // realized by the cash in lieu
    Quantity fraction;   // fractional share paid in cash (display, rounded to 1e-8)
    bool has_fraction = false;
  };
  std::optional<StockPlan> sp;
  if (auto it = positions_.find(stock.id.value()); it != positions_.end()) {
    const Position& pos = it->second;
    if (pos.instrument->is_option() || pos.instrument->symbol != stock.symbol) {
      return make_error(ErrorCode::kConflict, what + ": instrument id " + std::to_string(stock.id.value()) + " holds " +
                                                  pos.instrument->symbol);
    }
    const i128 held =
        pos.quantity.raw() < 0 ? -static_cast<i128>(pos.quantity.raw()) : static_cast<i128>(pos.quantity.raw());
    const int sign = pos.quantity.is_negative() ? -1 : 1;
    // New holding, exactly: held x to / from shares (in 1e-8 units). Whole shares stay; the
    // fraction, fnum / (from x 1e8) of a share, is paid in cash.
    const i128 scaled_num = held * ratio_to;  // < 2^63 x 2^63
    const i128 whole_shares = scaled_num / (static_cast<i128>(ratio_from) * kFixedScale);
    const i128 whole_raw = whole_shares * kFixedScale;
    const i128 fnum = scaled_num - whole_raw * ratio_from;  // in [0, from x 1e8)
    if (!fits_i64(whole_raw)) return make_error(ErrorCode::kOverflow, what + ": post-split quantity out of range");
    StockPlan p;
    p.key = stock.id.value();
    p.after = pos;
    p.meta = *meta_.find(p.key);
    p.cash_in_lieu = Money::zero(2);
    p.realized = Money::zero(2);
    Money basis_fraction = Money::zero(2);
    if (fnum > 0) {
      if (!reference_price.is_positive()) {
        return make_error(ErrorCode::kInvalidArgument,
                          what + ": " + pos.quantity.to_string() +
                              " shares leave a fraction to pay in cash, but the reference price is " +
                              reference_price.to_string());
      }
      // cash = fraction x reference price = fnum x ref.raw / (from x 1e8), rounded once.
      i128 prod;
      if (__builtin_mul_overflow(fnum, static_cast<i128>(reference_price.raw()), &prod)) {
        return make_error(ErrorCode::kOverflow, what + ": cash in lieu out of range");
      }
      const i128 cil = div_round(prod, static_cast<i128>(ratio_from) * kFixedScale);
      // The fraction's share of the cost basis: basis x fraction / new exact holding
      //   = basis x fnum / (held x to).
      i128 bprod;
      if (__builtin_mul_overflow(static_cast<i128>(pos.cost_basis.raw()), fnum, &bprod)) {
        return make_error(ErrorCode::kOverflow, what + ": basis of the fraction out of range");
      }
      const i128 bf = div_round(bprod, scaled_num);
      if (!fits_i64(cil) || !fits_i64(bf))
        return make_error(ErrorCode::kOverflow, what + ": cash in lieu out of range");
      // A long holder sells the fraction; a short seller buys it back.
      p.cash_in_lieu = Money::from_raw(static_cast<std::int64_t>(sign * cil), 2);
      basis_fraction = Money::from_raw(static_cast<std::int64_t>(bf), std::max(pos.cost_basis.precision(), 2));
      auto r = p.cash_in_lieu.checked_sub(basis_fraction);
      if (!r) return make_error(ErrorCode::kOverflow, what + ": realized P&L out of range");
      p.realized = *r;
      p.fraction = Quantity::from_raw(static_cast<std::int64_t>(div_round(fnum, ratio_from)), 8);
      p.has_fraction = true;
    }
    p.after.quantity = Quantity::from_raw(static_cast<std::int64_t>(sign * whole_raw), pos.quantity.precision());
    p.after.cost_basis = pos.cost_basis - basis_fraction;
    auto life = pos.realized_pnl.checked_add(p.realized);
    if (!life) return make_error(ErrorCode::kOverflow, what + ": realized P&L out of range");
    p.after.realized_pnl = *life;
    // The price scales by from/to so the holding's value is unchanged.
    const i128 new_mark = div_round(static_cast<i128>(pos.mark.raw()) * ratio_from, ratio_to);
    p.after.mark = Price::from_raw(static_cast<std::int64_t>(new_mark), std::max(pos.mark.precision(), 4));
    const i128 max_scaled = static_cast<i128>(p.meta.max_abs.raw()) * ratio_to / ratio_from;
    p.meta.max_abs =
        std::max(Quantity::from_raw(static_cast<std::int64_t>(fits_i64(max_scaled) ? max_scaled : INT64_MAX), 0),
                 Quantity::from_raw(static_cast<std::int64_t>(whole_raw), 0));
    p.flat = whole_raw == 0;
    auto cash = cash_.checked_add(p.cash_in_lieu);
    auto realized = realized_.checked_add(p.realized);
    if (!cash || !realized) return make_error(ErrorCode::kOverflow, what + ": cash out of range");
    sp = std::move(p);
  }

  // ---- plan the options on the underlying: the caller's OCC mapping ----
  struct OptionPlan {
    std::int64_t old_key = 0;
    std::int64_t new_key = 0;
    Position after;
    PositionMeta meta;
    std::int64_t factor = 1;
  };
  std::vector<OptionPlan> ops;
  for (const auto& [key, pos] : positions_) {
    if (!pos.instrument->is_option() || pos.instrument->option->underlying != stock.symbol) continue;
    if (!mapper) return make_error(ErrorCode::kInvalidArgument, what + ": option positions held but no mapper given");
    auto mapped = mapper(pos.instrument);
    if (!mapped) return mapped.error().with_context(what + ": " + pos.instrument->symbol);
    const SplitMapping& m = *mapped;
    if (!m.new_instrument.is_option() || m.new_instrument.id.value() == 0 || m.quantity_factor <= 0) {
      return make_error(ErrorCode::kInvalidArgument, what + ": mapping of " + pos.instrument->symbol +
                                                         " must give an option with an id and a positive factor");
    }
    Status valid = m.new_instrument.validate();
    if (!valid) return valid.error().with_context(what + ": mapped contract of " + pos.instrument->symbol);
    auto q = pos.quantity.checked_mul(m.quantity_factor);
    if (!q) return make_error(ErrorCode::kOverflow, what + ": contracts of " + pos.instrument->symbol + " out of range");
    OptionPlan op;
    op.old_key = key;
    op.new_key = m.new_instrument.id.value();
    op.factor = m.quantity_factor;
    op.after = pos;
    op.after.instrument = m.new_instrument;
    op.after.quantity = *q;
    // Value kept: qty x mark x multiplier is the same before and after.
    const i128 num = static_cast<i128>(pos.mark.raw()) * pos.instrument->option->multiplier;
    const i128 den = static_cast<i128>(m.quantity_factor) * m.new_instrument.option->multiplier;
    const i128 nm = div_round(num, den);
    if (!fits_i64(nm)) return make_error(ErrorCode::kOverflow, what + ": mark of " + pos.instrument->symbol);
    op.after.mark = Price::from_raw(static_cast<std::int64_t>(nm), std::max(pos.mark.precision(), 4));
    op.meta = *meta_.find(key);
    auto mq = op.meta.max_abs.checked_mul(m.quantity_factor);
    op.meta.max_abs = mq ? *mq : (q->is_negative() ? -*q : *q);
    ops.push_back(std::move(op));
  }
  // Two positions may not land on one contract, nor on a contract held outside the split.
  for (std::size_t i = 0; i < ops.size(); ++i) {
    for (std::size_t j = i + 1; j < ops.size(); ++j) {
      if (ops[i].new_key == ops[j].new_key) {
        return make_error(ErrorCode::kConflict, what + ": two positions map to " + ops[i].after.instrument->symbol);
      }
    }
    const bool moved_away =
        std::any_of(ops.begin(), ops.end(), [&](const OptionPlan& o) { return o.old_key == ops[i].new_key; });
    if (positions_.count(ops[i].new_key) != 0 && !moved_away) {
      return make_error(ErrorCode::kConflict, what + ": " + ops[i].after.instrument->symbol + " is already held");
    }
  }

  // ---- commit ----
  const std::string ratio = ratio_text(ratio_to, ratio_from);
  if (sp) {
    const Position before = positions_.at(sp->key);
    if (!sp->flat) {
      Booking b;
      b.ts = ts;
      b.kind = BookingKind::kSplit;
      b.instrument = stock;
      b.side = sp->after.quantity.is_positive() ? OrderSide::kBuy : OrderSide::kSell;
      b.quantity = sp->after.quantity.is_negative() ? -sp->after.quantity : sp->after.quantity;
      b.price = sp->after.average_price();
      b.commission = Money::zero(2);
      b.regulatory_fees = Money::zero(2);
      b.cash_change = Money::zero(2);
      b.realized_pnl = Money::zero(2);
      b.reason = "split " + ratio + ": " + before.quantity.to_string() + " -> " + sp->after.quantity.to_string() +
                 " shares, total basis kept";
      bookings_.push_back(std::move(b));
    }
    if (sp->has_fraction) {
      Booking b;
      b.ts = ts;
      b.kind = BookingKind::kCashInLieu;
      b.instrument = stock;
      b.side = before.quantity.is_positive() ? OrderSide::kSell : OrderSide::kBuy;
      b.quantity = sp->fraction;
      b.price = reference_price;
      b.commission = Money::zero(2);
      b.regulatory_fees = Money::zero(2);
      b.cash_change = sp->cash_in_lieu;
      b.realized_pnl = sp->realized;
      b.reason = "split " + ratio + ": cash in lieu of a fractional share";
      bookings_.push_back(std::move(b));
    }
    cash_ += sp->cash_in_lieu;
    realized_ += sp->realized;
    if (sp->flat) {
      ClosedTrade ct;
      ct.instrument = before.instrument;
      ct.opened = before.opened;
      ct.closed = ts;
      ct.max_quantity = sp->meta.max_abs;
      ct.pnl = sp->after.realized_pnl;
      ct.closed_by = BookingKind::kCashInLieu;
      closed_.push_back(std::move(ct));
      positions_.erase(sp->key);
      drop_meta(sp->key);
    } else {
      positions_[sp->key] = sp->after;
      put_meta(sp->key, sp->meta);
    }
  }
  for (const OptionPlan& op : ops) {
    positions_.erase(op.old_key);
    drop_meta(op.old_key);
  }
  for (OptionPlan& op : ops) {
    Booking b;
    b.ts = ts;
    b.kind = BookingKind::kSplit;
    b.instrument = op.after.instrument;
    b.side = op.after.quantity.is_positive() ? OrderSide::kBuy : OrderSide::kSell;
    b.quantity = op.after.quantity.is_negative() ? -op.after.quantity : op.after.quantity;
    b.price = op.after.average_price();
    b.commission = Money::zero(2);
    b.regulatory_fees = Money::zero(2);
    b.cash_change = Money::zero(2);
    b.realized_pnl = Money::zero(2);
    b.reason = "split " + ratio + ": contract adjusted to " + op.after.instrument->symbol + " (x" +
               std::to_string(op.factor) + " contracts, multiplier " +
               std::to_string(op.after.instrument->option->multiplier) + ", total basis kept)";
    bookings_.push_back(std::move(b));
    positions_[op.new_key] = std::move(op.after);
    put_meta(op.new_key, op.meta);
  }
  close_cycle_if_flat(stock.symbol);
  return ok_status();
}

}  // namespace keel::portfolio
