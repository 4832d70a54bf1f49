// Interest on cash (portfolio.hpp: accrue_interest, post_interest).
#include <cmath>

#include "keel/core/int128.hpp"
#include "keel/portfolio/portfolio.hpp"

namespace keel::portfolio {

Status Portfolio::accrue_interest(int days, double credit_rate, double debit_rate, Timestamp ts) {
  (void)ts;
  if (days < 0) return make_error(ErrorCode::kInvalidArgument, "interest: days " + std::to_string(days) + " < 0");
  for (double r : {credit_rate, debit_rate}) {
    if (!std::isfinite(r) || r < 0.0 || r >= 1.0) {
      return make_error(ErrorCode::kInvalidArgument, "interest: rate " + std::to_string(r) + " is not in [0, 1)");
    }
  }
  if (days == 0 || cash_.is_zero()) return ok_status();
  const double rate = cash_.is_positive() ? credit_rate : debit_rate;
  // The rate in units of 1e-10 (exact for rates given to 10 decimals); the amount is
  // cash x rate x days / 360 in exact integer arithmetic, rounded once to the cent.
  const i128 rate_units = static_cast<i128>(std::llround(rate * 1e10));
  const i128 cent = static_cast<i128>(kFixedScale) / 100;
  const i128 raw = div_round(static_cast<i128>(cash_.raw()) * rate_units * days, i128{360} * 10'000'000'000LL * cent) * cent;
  if (!fits_i64(raw)) return make_error(ErrorCode::kOverflow, "interest: amount out of range");
  const Money amount = Money::from_raw(static_cast<std::int64_t>(raw), 2);
  auto accrued = interest_accrued_.checked_add(amount);
  auto total = interest_.checked_add(amount);
  auto realized = realized_.checked_add(amount);
  if (!accrued || !total || !realized) return make_error(ErrorCode::kOverflow, "interest: accrual out of range");
  interest_accrued_ = *accrued;
  interest_ = *total;
  realized_ = *realized;
  return ok_status();
}

void Portfolio::post_interest(Timestamp ts, std::string_view reason) {
  if (interest_accrued_.is_zero()) return;
  cash_ += interest_accrued_;
  Booking b;
  b.ts = ts;
  b.kind = BookingKind::kInterest;
  static const InstrumentRef usd = [] {  // cash: no instrument id
    Instrument i;
    i.symbol = "USD";
    return InstrumentRef(std::move(i));
  }();
  b.instrument = usd;
  b.side = interest_accrued_.is_positive() ? execution::OrderSide::kBuy : execution::OrderSide::kSell;
  b.quantity = Quantity::zero();
  b.price = Price::zero(2);
  b.commission = Money::zero(2);
  b.regulatory_fees = Money::zero(2);
  b.cash_change = interest_accrued_;
  b.realized_pnl = Money::zero(2);  // realized as it accrued
  b.reason = std::string(reason);
  bookings_.push_back(std::move(b));
  interest_accrued_ = Money::zero(2);
}

}  // namespace keel::portfolio
