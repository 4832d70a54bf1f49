// Tests for the ledger in keel/portfolio/portfolio.hpp: average-cost P&L, fees, crossing
// through zero, closed trades, the option lifecycle's bookings and the wheel basis. Every
// expected figure is worked by hand in the comment beside it (decimal arithmetic on the
// inputs, not the code's output); the property at the end checks the ledger identities and an
// independent cash/quantity model over random sequences.
#include "keel/portfolio/portfolio.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <memory>
#include <string>

#include "keel/testkit/trading_fixtures.hpp"

namespace keel::portfolio {
namespace {

using execution::Fill;
using execution::OrderSide;

using testkit::at;
using testkit::money;
using testkit::px;
using testkit::qty;
using testkit::stock;

Instrument option(std::int64_t id, OptionRight right, const char* strike, Date expiry = Date::ymd(2024, 1, 19),
                  const char* underlying = "ACME", std::int64_t multiplier = 100,
                  Settlement settlement = Settlement::kPhysical) {
  return testkit::option_contract(id, right, strike, expiry, underlying, multiplier, settlement);
}

Fill fill(const Instrument& i, OrderSide side, const char* q, const char* p, const char* commission = "0",
          const char* reg = "0", Timestamp ts = at(2024, 1, 2), const char* oid = "T-1") {
  Fill f;
  f.order_id = ClientOrderId(oid);
  f.instrument = i.id;
  f.side = side;
  f.quantity = qty(q);
  f.price = px(p);
  f.commission = money(commission);
  f.regulatory_fees = money(reg);
  f.ts = ts;
  return f;
}

constexpr auto kBuy = OrderSide::kBuy;
constexpr auto kSell = OrderSide::kSell;

void expect_identities(const Portfolio& p) {
  Money mv = Money::zero(2);
  for (const auto& [id, pos] : p.positions()) mv += pos.market_value();
  EXPECT_EQ(p.equity(), p.cash() + p.dividends_receivable() + mv);
  EXPECT_EQ(p.realized_pnl() + p.unrealized_pnl(), p.equity() - p.starting_cash());
}

TEST(PortfolioNames, RoundTrip) {
  EXPECT_EQ(to_string(AccountType::kCash), "cash");
  EXPECT_EQ(*parse_account_type("margin"), AccountType::kMargin);
  EXPECT_FALSE(parse_account_type("reg-t").ok());
  EXPECT_EQ(to_string(BookingKind::kCashInLieu), "cash_in_lieu");
}

// all_marked(): every position marked since it opened. Kept as a count of unmarked positions,
// so this walks the transitions by hand: an open is unmarked, a mark marks it, an add keeps
// the flag, a close forgets it, a reopen is unmarked again, mark_each marks what it prices.
TEST(PortfolioMarks, AllMarkedFollowsOpensMarksAndCloses) {
  Portfolio p(money("100000"), AccountType::kCash);
  const Instrument a = stock(1), b = stock(2, "ZEPH");
  EXPECT_TRUE(p.all_marked());  // nothing held
  ASSERT_TRUE(p.apply_fill(fill(a, kBuy, "10", "10.00"), a, "").ok());
  EXPECT_FALSE(p.all_marked());  // a opened, never marked
  p.mark(a.id, px("10.50"));
  EXPECT_TRUE(p.all_marked());
  ASSERT_TRUE(p.apply_fill(fill(b, kBuy, "5", "20.00"), b, "").ok());
  EXPECT_FALSE(p.all_marked());  // b unmarked
  p.mark(a.id, px("10.60"));     // marking a again leaves b unmarked
  EXPECT_FALSE(p.all_marked());
  ASSERT_TRUE(p.apply_fill(fill(a, kBuy, "10", "10.60"), a, "").ok());
  EXPECT_EQ(p.position(a.id)->mark, px("10.60"));  // an add keeps a's mark (it was marked)
  ASSERT_TRUE(p.apply_fill(fill(b, kSell, "5", "20.00"), b, "").ok());
  EXPECT_TRUE(p.all_marked());  // the unmarked b closed: only the marked a is left
  ASSERT_TRUE(p.apply_fill(fill(b, kBuy, "5", "21.00"), b, "").ok());
  EXPECT_FALSE(p.all_marked());  // b reopened: unmarked again
  EXPECT_EQ(p.position(b.id)->mark, px("21"));  // at its average price until marked
  p.mark_each([&](std::int64_t id, const Instrument&) -> std::optional<Price> {
    return id == b.id.value() ? std::optional<Price>(px("21.25")) : std::nullopt;
  });
  EXPECT_TRUE(p.all_marked());
  EXPECT_EQ(p.position(b.id)->mark, px("21.25"));
  EXPECT_EQ(p.position(a.id)->mark, px("10.60"));
  ASSERT_TRUE(p.apply_fill(fill(a, kSell, "20", "11.00"), a, "").ok());
  ASSERT_TRUE(p.apply_fill(fill(b, kSell, "5", "21.00"), b, "").ok());
  EXPECT_TRUE(p.positions().empty());
  EXPECT_TRUE(p.all_marked());
}

TEST(PortfolioLedger, AverageCostWithFees) {
  Portfolio p(money("100000"), AccountType::kMargin);
  const Instrument s = stock(1);
  ASSERT_TRUE(p.apply_fill(fill(s, kBuy, "100", "10.00", "1.00"), s, "entry").ok());
  ASSERT_TRUE(p.apply_fill(fill(s, kBuy, "50", "13.00", "1.00"), s, "add").ok());
  // 150 shares, basis 1,000 + 650 = 1,650, average 11.00.
  ASSERT_NE(p.position(s.id), nullptr);
  EXPECT_EQ(p.quantity(s.id), qty("150"));
  EXPECT_EQ(p.position(s.id)->cost_basis, money("1650"));
  EXPECT_EQ(p.position(s.id)->average_price(), px("11"));
  // Never marked: the mark is the average open price, so nothing is unrealized.
  EXPECT_EQ(p.position(s.id)->mark, px("11"));
  ASSERT_TRUE(p.apply_fill(fill(s, kSell, "60", "12.50", "1.00"), s, "trim").ok());
  // Sell 60: basis leaving = 1,650 x 60/150 = 660; proceeds 750; gain 90, less the 1.00 fee = 89.
  EXPECT_EQ(p.bookings().back().realized_pnl, money("89"));
  // Realized over all: -1 - 1 + 89 = 87; fees 3; cash 100,000 - 1,001 - 651 + 749 = 99,097.
  EXPECT_EQ(p.realized_pnl(), money("87"));
  EXPECT_EQ(p.fees_paid(), money("3"));
  EXPECT_EQ(p.cash(), money("99097"));
  EXPECT_EQ(p.position(s.id)->cost_basis, money("990"));
  EXPECT_EQ(p.position(s.id)->realized_pnl, money("87"));
  expect_identities(p);
  p.mark(s.id, px("12"));
  // 90 x 12 = 1,080 against a basis of 990.
  EXPECT_EQ(p.unrealized_pnl(), money("90"));
  EXPECT_EQ(p.equity(), money("100177"));
  expect_identities(p);
}

TEST(PortfolioLedger, RoundsOnceAndRoundTripIsExact) {
  Portfolio p(money("100"), AccountType::kCash);
  const Instrument s = stock(1);
  ASSERT_TRUE(p.apply_fill(fill(s, kBuy, "1", "0.01"), s, "").ok());
  ASSERT_TRUE(p.apply_fill(fill(s, kBuy, "2", "0.02"), s, "").ok());
  // Basis 0.05 for 3 shares. Selling 1 at 0.02 removes 0.05/3 = 0.016666..., rounded half away
  // from zero to 0.01666667; realized 0.02 - 0.01666667 = 0.00333333.
  ASSERT_TRUE(p.apply_fill(fill(s, kSell, "1", "0.02"), s, "").ok());
  EXPECT_EQ(p.bookings().back().realized_pnl, money("0.00333333"));
  EXPECT_EQ(p.position(s.id)->cost_basis, money("0.03333333"));
  // Closing the rest removes the remaining basis exactly: 0.04 - 0.03333333 = 0.00666667, and
  // the round trip realizes proceeds - cost = 0.06 - 0.05 = 0.01 exactly.
  ASSERT_TRUE(p.apply_fill(fill(s, kSell, "2", "0.02"), s, "").ok());
  EXPECT_EQ(p.bookings().back().realized_pnl, money("0.00666667"));
  EXPECT_EQ(p.realized_pnl(), money("0.01"));
  EXPECT_TRUE(p.positions().empty());
  ASSERT_EQ(p.closed_trades().size(), 1u);
  EXPECT_EQ(p.closed_trades()[0].pnl, money("0.01"));
  EXPECT_EQ(p.closed_trades()[0].max_quantity, qty("3"));
}

TEST(PortfolioLedger, LargeProductsStayExact) {
  // basis.raw x part.raw = 9e18 x 3e16 = 2.7e35: beyond int64, inside i128.
  Portfolio p(money("0"), AccountType::kMargin);
  const Instrument s = stock(1);
  ASSERT_TRUE(p.apply_fill(fill(s, kBuy, "900000000", "100.00"), s, "").ok());
  EXPECT_EQ(p.position(s.id)->cost_basis, money("90000000000"));
  ASSERT_TRUE(p.apply_fill(fill(s, kSell, "300000000", "100.01"), s, "").ok());
  // 300e6 x 0.01 = 3,000,000 realized; basis left 60e9.
  EXPECT_EQ(p.realized_pnl(), money("3000000"));
  EXPECT_EQ(p.position(s.id)->cost_basis, money("60000000000"));
  expect_identities(p);
}

TEST(PortfolioLedger, CrossingThroughZeroClosesAndReopens) {
  Portfolio p(money("10000"), AccountType::kMargin);
  const Instrument s = stock(1);
  ASSERT_TRUE(p.apply_fill(fill(s, kBuy, "100", "10", "0", "0", at(2024, 1, 2)), s, "").ok());
  ASSERT_TRUE(p.apply_fill(fill(s, kSell, "150", "12", "1.50", "0", at(2024, 1, 3)), s, "").ok());
  // 100 close: 1,200 - 1,000 - fee share 1.50 x 100/150 = 1.00 -> 199. 50 open short at 12:
  // basis -600, its fee share 0.50 realized at once.
  ASSERT_EQ(p.closed_trades().size(), 1u);
  EXPECT_EQ(p.closed_trades()[0].pnl, money("199"));
  EXPECT_EQ(p.closed_trades()[0].opened, at(2024, 1, 2));
  EXPECT_EQ(p.closed_trades()[0].closed, at(2024, 1, 3));
  const Position* pos = p.position(s.id);
  ASSERT_NE(pos, nullptr);
  EXPECT_EQ(pos->quantity, qty("-50"));
  EXPECT_EQ(pos->cost_basis, money("-600"));
  EXPECT_EQ(pos->realized_pnl, money("-0.50"));
  EXPECT_EQ(pos->opened, at(2024, 1, 3));
  EXPECT_EQ(p.realized_pnl(), money("198.50"));
  // Cash: 10,000 - 1,000 + 1,800 - 1.50 = 10,798.50.
  EXPECT_EQ(p.cash(), money("10798.50"));
  // Short 50 marked at 11: value -550 against basis -600 -> +50 unrealized.
  p.mark(s.id, px("11"));
  EXPECT_EQ(p.unrealized_pnl(), money("50"));
  expect_identities(p);
}

// Positions opened and closed in turn on different instruments (and on a copy taken while one
// is flat): each open position sits under its own id with its own figures, whatever position
// was closed before it.
TEST(PortfolioLedger, RoundTripsOnDifferentInstrumentsInTurn) {
  const Instrument acme = stock(1);
  const Instrument zeph = stock(7, "ZEPH");
  Portfolio p(money("10000"), AccountType::kCash);
  ASSERT_TRUE(p.apply_fill(fill(acme, kBuy, "10", "50"), acme, "").ok());
  ASSERT_TRUE(p.apply_fill(fill(acme, kSell, "10", "55"), acme, "").ok());  // +50
  ASSERT_TRUE(p.apply_fill(fill(zeph, kBuy, "4", "20"), zeph, "").ok());
  ASSERT_EQ(p.positions().size(), 1u);
  EXPECT_EQ(p.positions().begin()->first, 7);
  EXPECT_EQ(p.positions().begin()->second.instrument->symbol, "ZEPH");
  EXPECT_EQ(p.positions().begin()->second.quantity, qty("4"));
  EXPECT_EQ(p.positions().begin()->second.cost_basis, money("80"));  // 4 x 20
  EXPECT_EQ(p.position(acme.id), nullptr);
  ASSERT_TRUE(p.apply_fill(fill(zeph, kSell, "4", "19"), zeph, "").ok());  // -4
  Portfolio copy = p;  // flat
  ASSERT_TRUE(copy.apply_fill(fill(acme, kBuy, "2", "60"), acme, "").ok());
  ASSERT_TRUE(p.apply_fill(fill(zeph, kBuy, "3", "21"), zeph, "").ok());
  ASSERT_EQ(copy.positions().size(), 1u);
  EXPECT_EQ(copy.position(acme.id)->cost_basis, money("120"));  // 2 x 60
  EXPECT_EQ(copy.position(acme.id)->opened, at(2024, 1, 2));
  ASSERT_EQ(p.positions().size(), 1u);
  EXPECT_EQ(p.position(zeph.id)->cost_basis, money("63"));  // 3 x 21
  // Realized: +50 on ACME, -4 on ZEPH; cash 10,000 + 46 - 63 = 9,983 (p), 10,046 - 120 = 9,926 (copy).
  EXPECT_EQ(p.realized_pnl(), money("46"));
  EXPECT_EQ(p.cash(), money("9983"));
  EXPECT_EQ(copy.cash(), money("9926"));
  ASSERT_EQ(p.closed_trades().size(), 2u);
  EXPECT_EQ(p.closed_trades()[1].pnl, money("-4"));
  expect_identities(p);
  expect_identities(copy);
}

TEST(PortfolioLedger, PremiumCollectedCountsSellToOpenOnly) {
  Portfolio p(money("10000"), AccountType::kMargin);
  const Instrument put = option(2, OptionRight::kPut, "50");
  const Instrument call = option(3, OptionRight::kCall, "55");
  // Sell to open 1 put at 1.20 with 0.65 + 0.01 fees: cash +120 - 0.66.
  ASSERT_TRUE(p.apply_fill(fill(put, kSell, "1", "1.20", "0.65", "0.01"), put, "open").ok());
  EXPECT_EQ(p.premium_collected(), money("120"));
  EXPECT_EQ(p.cash(), money("10119.34"));
  // Buy to close at 0.50 (fees 0.66): not premium. Trade P&L 120 - 50 - 1.32 = 68.68.
  ASSERT_TRUE(p.apply_fill(fill(put, kBuy, "1", "0.50", "0.65", "0.01"), put, "close").ok());
  EXPECT_EQ(p.premium_collected(), money("120"));
  ASSERT_EQ(p.closed_trades().size(), 1u);
  EXPECT_EQ(p.closed_trades()[0].pnl, money("68.68"));
  EXPECT_EQ(p.closed_trades()[0].closed_by, BookingKind::kFill);
  // Long 1 call, then sell 3 at 2.00: 1 closes (sell to close), 2 open short -> 2 x 200 = 400.
  ASSERT_TRUE(p.apply_fill(fill(call, kBuy, "1", "1.00"), call, "").ok());
  ASSERT_TRUE(p.apply_fill(fill(call, kSell, "3", "2.00"), call, "").ok());
  EXPECT_EQ(p.premium_collected(), money("520"));
  EXPECT_EQ(p.quantity(call.id), qty("-2"));
  EXPECT_EQ(p.position(call.id)->cost_basis, money("-400"));
  expect_identities(p);
}

TEST(PortfolioLedger, RejectsBadFillsAndChangesNothing) {
  Portfolio p(money("1000"), AccountType::kCash);
  const Instrument s = stock(1);
  Fill f = fill(s, kBuy, "1", "10");
  f.quantity = qty("0");
  EXPECT_FALSE(p.apply_fill(f, s, "").ok());
  f = fill(s, kBuy, "1", "-1");
  EXPECT_FALSE(p.apply_fill(f, s, "").ok());
  f = fill(s, kBuy, "1", "10", "-0.01");
  EXPECT_FALSE(p.apply_fill(f, s, "").ok());
  f = fill(s, kBuy, "1", "10");
  f.instrument = InstrumentId(99);
  Status st = p.apply_fill(f, s, "");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("T-1"), std::string::npos) << st.error().message;
  EXPECT_TRUE(p.bookings().empty());
  EXPECT_EQ(p.cash(), money("1000"));
  // Same id, another symbol: a conflict, not a silent merge.
  ASSERT_TRUE(p.apply_fill(fill(s, kBuy, "1", "10"), s, "").ok());
  Instrument other = stock(1, "OTHR");
  EXPECT_EQ(p.apply_fill(fill(other, kBuy, "1", "10"), other, "").error().code, ErrorCode::kConflict);
  EXPECT_EQ(p.bookings().size(), 1u);
}

// ---- options lifecycle --------------------------------------------------------------------------

TEST(PortfolioLifecycle, ShortPutExpiresWorthless) {
  Portfolio p(money("10000"), AccountType::kCash);
  const Instrument put = option(2, OptionRight::kPut, "50");
  ASSERT_TRUE(p.apply_fill(fill(put, kSell, "1", "1.20", "0.65", "0.01"), put, "open").ok());
  // Not before its expiration date.
  EXPECT_FALSE(p.expire_worthless(put.id, at(2024, 1, 18, 21), "early").ok());
  ASSERT_TRUE(p.expire_worthless(put.id, at(2024, 1, 19, 21), "expired OTM").ok());
  EXPECT_TRUE(p.positions().empty());
  // The whole premium less fees is realized on the option: 120 - 0.66.
  EXPECT_EQ(p.realized_pnl(), money("119.34"));
  ASSERT_EQ(p.closed_trades().size(), 1u);
  EXPECT_EQ(p.closed_trades()[0].closed_by, BookingKind::kExpiry);
  EXPECT_EQ(p.closed_trades()[0].pnl, money("119.34"));
  const Booking& b = p.bookings().back();
  EXPECT_EQ(b.kind, BookingKind::kExpiry);
  EXPECT_EQ(b.side, kBuy);
  EXPECT_EQ(b.price, px("0"));
  EXPECT_EQ(b.cash_change, money("0"));
  EXPECT_EQ(b.reason, "expired OTM");
  EXPECT_FALSE(p.expire_worthless(put.id, at(2024, 1, 19, 21), "again").ok());
}

TEST(PortfolioLifecycle, WheelCycleAssignedThenCalledAway) {
  Portfolio p(money("10000"), AccountType::kCash);
  const Instrument acme = stock(1);
  const Instrument put = option(2, OptionRight::kPut, "50");
  const Instrument call = option(3, OptionRight::kCall, "52", Date::ymd(2024, 2, 16));
  ASSERT_TRUE(p.apply_fill(fill(put, kSell, "1", "1.20", "0.65", "0.01"), put, "sell put").ok());
  // Assigned at the 50 strike, the stock closing at 48.
  ASSERT_TRUE(p.exercise_or_assign(put.id, qty("1"), acme, px("48"), at(2024, 1, 19, 21), "assigned").ok());
  WheelBasis w = p.wheel_basis("ACME");
  EXPECT_EQ(w.shares, qty("100"));
  // Plain basis: 5,000 / 100 = 50.00. Cycle premium: 120 - 0.66 = 119.34.
  // Wheel basis: (5,000 - 119.34) / 100 = 48.8066.
  EXPECT_EQ(w.plain_basis_per_share, px("50"));
  EXPECT_EQ(w.cycle_premium, money("119.34"));
  EXPECT_EQ(w.wheel_basis_per_share, px("48.8066"));
  // Cash: 10,000 + 119.34 - 5,000 = 5,119.34. The stock is marked at the settlement price 48:
  // equity 5,119.34 + 4,800 = 9,919.34 = 10,000 + 119.34 realized - 200 unrealized.
  EXPECT_EQ(p.cash(), money("5119.34"));
  EXPECT_EQ(p.equity(), money("9919.34"));
  EXPECT_EQ(p.realized_pnl(), money("119.34"));
  ASSERT_EQ(p.closed_trades().size(), 1u);
  EXPECT_EQ(p.closed_trades()[0].closed_by, BookingKind::kAssignment);
  EXPECT_EQ(p.closed_trades()[0].pnl, money("119.34"));
  expect_identities(p);

  // Covered call at 0.80 (fees 0.66): cycle premium 119.34 + 80 - 0.66 = 198.68; wheel basis
  // (5,000 - 198.68) / 100 = 48.0132.
  ASSERT_TRUE(p.apply_fill(fill(call, kSell, "1", "0.80", "0.65", "0.01", at(2024, 1, 22)), call, "sell call").ok());
  w = p.wheel_basis("ACME");
  EXPECT_EQ(w.cycle_premium, money("198.68"));
  EXPECT_EQ(w.wheel_basis_per_share, px("48.0132"));
  EXPECT_EQ(w.plain_basis_per_share, px("50"));

  // Called away at 52: stock 5,200 - 5,000 = 200 realized; the call keeps 80 - 0.66 = 79.34.
  ASSERT_TRUE(p.exercise_or_assign(call.id, qty("1"), acme, px("53"), at(2024, 2, 16, 21), "called away").ok());
  EXPECT_TRUE(p.positions().empty());
  // Cash: 5,119.34 + 79.34 + 5,200 = 10,398.68; realized 119.34 + 79.34 + 200 = 398.68.
  EXPECT_EQ(p.cash(), money("10398.68"));
  EXPECT_EQ(p.realized_pnl(), money("398.68"));
  EXPECT_EQ(p.premium_collected(), money("200"));
  ASSERT_EQ(p.closed_trades().size(), 3u);
  EXPECT_EQ(p.closed_trades()[1].instrument->symbol, call.symbol);
  EXPECT_EQ(p.closed_trades()[1].pnl, money("79.34"));
  EXPECT_EQ(p.closed_trades()[2].instrument->symbol, "ACME");
  EXPECT_EQ(p.closed_trades()[2].pnl, money("200"));
  EXPECT_EQ(p.closed_trades()[2].closed_by, BookingKind::kAssignment);
  // The ended cycle's premium stays readable; no shares, no per-share basis.
  w = p.wheel_basis("ACME");
  EXPECT_EQ(w.shares, qty("0"));
  EXPECT_EQ(w.cycle_premium, money("198.68"));
  EXPECT_FALSE(w.plain_basis_per_share.has_value());
  EXPECT_FALSE(w.wheel_basis_per_share.has_value());
  // Trade log: fill, assignment (option), assignment (stock at 50, bought), fill, assignment
  // (option), assignment (stock at 52, sold).
  ASSERT_EQ(p.bookings().size(), 6u);
  EXPECT_EQ(p.bookings()[2].kind, BookingKind::kAssignment);
  EXPECT_EQ(p.bookings()[2].side, kBuy);
  EXPECT_EQ(p.bookings()[2].price, px("50"));
  EXPECT_EQ(p.bookings()[2].cash_change, money("-5000"));
  EXPECT_EQ(p.bookings()[5].side, kSell);
  EXPECT_EQ(p.bookings()[5].price, px("52"));
  EXPECT_EQ(p.bookings()[5].realized_pnl, money("200"));
  // A new put starts a new cycle: its premium alone, 1.00 x 100 = 100.
  const Instrument put2 = option(4, OptionRight::kPut, "50", Date::ymd(2024, 3, 15));
  ASSERT_TRUE(p.apply_fill(fill(put2, kSell, "1", "1.00", "0", "0", at(2024, 2, 20)), put2, "sell put").ok());
  EXPECT_EQ(p.wheel_basis("ACME").cycle_premium, money("100"));
  expect_identities(p);
}

// The wheel cycles of two underlyings booked in turn, and a portfolio copied (and assigned)
// mid-cycle: each copy keeps adding to its own cycles, whatever the other books afterwards and
// after the other is gone. Premiums are contracts x price x 100, no fees.
TEST(PortfolioLifecycle, WheelCyclesPerUnderlyingSurviveCopies) {
  const Instrument acme_put = option(2, OptionRight::kPut, "50");
  const Instrument zeph_put = option(3, OptionRight::kPut, "20", Date::ymd(2024, 1, 19), "ZEPH");
  const Instrument acme_put2 = option(4, OptionRight::kPut, "45");
  const Instrument acme_put3 = option(5, OptionRight::kPut, "40");
  auto original = std::make_unique<Portfolio>(money("100000"), AccountType::kMargin);
  ASSERT_TRUE(original->apply_fill(fill(acme_put, kSell, "1", "1.20"), acme_put, "").ok());   // ACME 120
  ASSERT_TRUE(original->apply_fill(fill(zeph_put, kSell, "1", "2.00"), zeph_put, "").ok());   // ZEPH 200
  ASSERT_TRUE(original->apply_fill(fill(acme_put2, kSell, "1", "0.50"), acme_put2, "").ok()); // ACME 120 + 50
  EXPECT_EQ(original->wheel_basis("ACME").cycle_premium, money("170"));
  EXPECT_EQ(original->wheel_basis("ZEPH").cycle_premium, money("200"));

  Portfolio copy = *original;
  Portfolio assigned(money("1"), AccountType::kCash);
  assigned = *original;
  // The original books 0.30 more on ACME: 200 there, the copies stay at 170.
  ASSERT_TRUE(original->apply_fill(fill(acme_put3, kSell, "1", "0.30"), acme_put3, "").ok());
  EXPECT_EQ(original->wheel_basis("ACME").cycle_premium, money("200"));
  EXPECT_EQ(copy.wheel_basis("ACME").cycle_premium, money("170"));
  original.reset();
  // Each copy books on its own: buying back the 45 put at 0.10 costs 10 (170 - 10 = 160);
  // selling the 40 put at 0.25 brings 25 (170 + 25 = 195).
  ASSERT_TRUE(copy.apply_fill(fill(acme_put2, kBuy, "1", "0.10"), acme_put2, "").ok());
  ASSERT_TRUE(assigned.apply_fill(fill(acme_put3, kSell, "1", "0.25"), acme_put3, "").ok());
  EXPECT_EQ(copy.wheel_basis("ACME").cycle_premium, money("160"));
  EXPECT_EQ(assigned.wheel_basis("ACME").cycle_premium, money("195"));
  ASSERT_TRUE(copy.apply_fill(fill(zeph_put, kBuy, "1", "0.50"), zeph_put, "").ok());  // ZEPH 200 - 50
  EXPECT_EQ(copy.wheel_basis("ZEPH").cycle_premium, money("150"));
  EXPECT_EQ(assigned.wheel_basis("ZEPH").cycle_premium, money("200"));
  expect_identities(copy);
  expect_identities(assigned);
}

TEST(PortfolioLifecycle, LongExerciseAndUncoveredAssignment) {
  Portfolio p(money("10000"), AccountType::kMargin);
  const Instrument acme = stock(1);
  const Instrument call = option(2, OptionRight::kCall, "40");
  const Instrument put = option(3, OptionRight::kPut, "45");
  const Instrument short_call = option(4, OptionRight::kCall, "60");
  // Long call bought at 3.00, exercised: buy 100 at 40. Option realized -300.
  ASSERT_TRUE(p.apply_fill(fill(call, kBuy, "1", "3.00"), call, "").ok());
  ASSERT_TRUE(p.exercise_or_assign(call.id, qty("1"), acme, px("44"), at(2024, 1, 19, 21), "ITM").ok());
  EXPECT_EQ(p.quantity(acme.id), qty("100"));
  EXPECT_EQ(p.position(acme.id)->cost_basis, money("4000"));
  EXPECT_EQ(p.closed_trades().back().closed_by, BookingKind::kExercise);
  EXPECT_EQ(p.closed_trades().back().pnl, money("-300"));
  // Long put bought at 1.00, exercised: the 100 shares go at 45, realizing 45 x 100 - 4,000 = 500.
  ASSERT_TRUE(p.apply_fill(fill(put, kBuy, "1", "1.00"), put, "").ok());
  ASSERT_TRUE(p.exercise_or_assign(put.id, qty("1"), acme, px("43"), at(2024, 1, 19, 21), "ITM").ok());
  EXPECT_EQ(p.quantity(acme.id), qty("0"));
  EXPECT_EQ(p.closed_trades().back().instrument->symbol, "ACME");
  EXPECT_EQ(p.closed_trades().back().pnl, money("500"));
  // A short call assigned with no shares held: short 100 at 60 (basis -6,000).
  ASSERT_TRUE(p.apply_fill(fill(short_call, kSell, "1", "2.00"), short_call, "").ok());
  ASSERT_TRUE(p.exercise_or_assign(short_call.id, qty("1"), acme, px("65"), at(2024, 1, 19, 21), "ITM").ok());
  EXPECT_EQ(p.quantity(acme.id), qty("-100"));
  EXPECT_EQ(p.position(acme.id)->cost_basis, money("-6000"));
  // Cash: 10,000 - 300 - 4,000 - 100 + 4,500 + 200 + 6,000 = 16,300.
  EXPECT_EQ(p.cash(), money("16300"));
  expect_identities(p);
  // Wrong deliverable, too many contracts: errors, nothing changes.
  const Instrument call2 = option(5, OptionRight::kCall, "40");
  ASSERT_TRUE(p.apply_fill(fill(call2, kBuy, "2", "1.00"), call2, "").ok());
  const std::size_t n = p.bookings().size();
  EXPECT_FALSE(p.exercise_or_assign(call2.id, qty("3"), acme, px("44"), at(2024, 1, 19, 21), "").ok());
  EXPECT_FALSE(p.exercise_or_assign(call2.id, qty("1"), stock(9, "OTHR"), px("44"), at(2024, 1, 19, 21), "").ok());
  EXPECT_EQ(p.bookings().size(), n);
  // A partial exercise leaves 1 contract with half the basis (200 / 2 = 100).
  ASSERT_TRUE(p.exercise_or_assign(call2.id, qty("1"), acme, px("44"), at(2024, 1, 19, 21), "").ok());
  EXPECT_EQ(p.quantity(call2.id), qty("1"));
  EXPECT_EQ(p.position(call2.id)->cost_basis, money("100"));
  expect_identities(p);
}

TEST(PortfolioLifecycle, CashSettlement) {
  Portfolio p(money("100000"), AccountType::kMargin);
  const Instrument spx = stock(1, "SPX");
  const Instrument call = option(2, OptionRight::kCall, "4000", Date::ymd(2024, 1, 19), "SPX", 100, Settlement::kCash);
  const Instrument put = option(3, OptionRight::kPut, "4000", Date::ymd(2024, 1, 19), "SPX", 100, Settlement::kCash);
  ASSERT_TRUE(p.apply_fill(fill(call, kBuy, "2", "50.00"), call, "").ok());
  ASSERT_TRUE(p.apply_fill(fill(put, kSell, "1", "30.00"), put, "").ok());
  // Settlement 4,075: the calls receive (4,075 - 4,000) x 100 x 2 = 15,000; bought for 10,000.
  ASSERT_TRUE(p.exercise_or_assign(call.id, qty("2"), spx, px("4075"), at(2024, 1, 19, 21), "settle").ok());
  EXPECT_EQ(p.closed_trades().back().closed_by, BookingKind::kCashSettlement);
  EXPECT_EQ(p.closed_trades().back().pnl, money("5000"));
  EXPECT_EQ(p.bookings().back().cash_change, money("15000"));
  // The put is out of the money at 4,075: it settles for nothing and keeps its 3,000 premium.
  ASSERT_TRUE(p.exercise_or_assign(put.id, qty("1"), spx, px("4075"), at(2024, 1, 19, 21), "settle").ok());
  EXPECT_EQ(p.closed_trades().back().pnl, money("3000"));
  // Cash: 100,000 - 10,000 + 3,000 + 15,000 = 108,000; no stock was delivered.
  EXPECT_EQ(p.cash(), money("108000"));
  EXPECT_TRUE(p.positions().empty());
  // A short put settled in the money pays: sold at 30, settles at 3,950 -> pays 50 x 100.
  const Instrument put2 = option(4, OptionRight::kPut, "4000", Date::ymd(2024, 2, 16), "SPX", 100, Settlement::kCash);
  ASSERT_TRUE(p.apply_fill(fill(put2, kSell, "1", "30.00"), put2, "").ok());
  ASSERT_TRUE(p.exercise_or_assign(put2.id, qty("1"), spx, px("3950"), at(2024, 2, 16, 21), "settle").ok());
  EXPECT_EQ(p.closed_trades().back().pnl, money("-2000"));
  EXPECT_EQ(p.cash(), money("106000"));
  EXPECT_FALSE(p.exercise_or_assign(put2.id, qty("1"), spx, px("0"), at(2024, 2, 16, 21), "").ok());
}

TEST(PortfolioLifecycle, AdjustedSeriesSettleOnTheHundredShareStrike) {
  // An OCC-adjusted put after a 3:2 split: strike 95 quoted on 100 shares, 150 shares delivered.
  // Assignment buys 150 shares for 95 x 100 = 9,500 exactly, i.e. 63.33333333 a share (95 x
  // 100 / 150 = 63.333..., shown rounded; the cash and basis are not).
  Portfolio p(money("20000"), AccountType::kCash);
  const Instrument acme = stock(1);
  const Instrument put = option(2, OptionRight::kPut, "95", Date::ymd(2024, 1, 19), "ACME", 150);
  ASSERT_TRUE(p.apply_fill(fill(put, kSell, "1", "1.00"), put, "").ok());  // 1.00 x 150 = 150
  ASSERT_TRUE(p.exercise_or_assign(put.id, qty("1"), acme, px("60"), at(2024, 1, 19, 21), "assigned").ok());
  EXPECT_EQ(p.quantity(acme.id), qty("150"));
  EXPECT_EQ(p.position(acme.id)->cost_basis, money("9500"));
  EXPECT_EQ(p.bookings().back().price, px("63.33333333"));
  EXPECT_EQ(p.cash(), money("10650"));  // 20,000 + 150 - 9,500
  // Wheel basis: (9,500 - 150) / 150 = 62.33333333...
  EXPECT_EQ(p.wheel_basis("ACME").wheel_basis_per_share, Price::from_raw(6'233'333'333, 4));
  expect_identities(p);
  // A cash-settled adjusted call: S = 70, strike 95 on 100 shares, 150 delivered:
  // 70 x 150 - 95 x 100 = 1,000 per contract.
  const Instrument call = option(3, OptionRight::kCall, "95", Date::ymd(2024, 1, 19), "ACME", 150, Settlement::kCash);
  ASSERT_TRUE(p.apply_fill(fill(call, kBuy, "2", "6.00"), call, "").ok());  // 2 x 6 x 150 = 1,800
  ASSERT_TRUE(p.exercise_or_assign(call.id, qty("2"), acme, px("70"), at(2024, 1, 19, 21), "settle").ok());
  EXPECT_EQ(p.bookings().back().cash_change, money("2000"));
  EXPECT_EQ(p.closed_trades().back().pnl, money("200"));
  expect_identities(p);
}

// ---- property: identities and an independent cash/quantity model --------------------------------

RC_GTEST_PROP(PortfolioProperties, LedgerIdentitiesHoldAfterEveryBooking, ()) {
  const Money start = Money::from_raw(*rc::gen::inRange<std::int64_t>(0, 1'000'000) * kFixedScale, 2);
  Portfolio p(start, *rc::gen::element(AccountType::kCash, AccountType::kMargin));
  const Instrument s = stock(1);
  // The option expires far away so expiry/assignment can happen on any step.
  const Instrument o = option(2, *rc::gen::element(OptionRight::kCall, OptionRight::kPut), "50", Date::ymd(2024, 1, 2));
  Money model_cash = start;  // independent: notional and fees as the fills say
  Money model_fees = Money::zero(2);
  Money model_dividends = Money::zero(2);
  Quantity model_stock = Quantity::zero(), model_option = Quantity::zero();
  const int steps = *rc::gen::inRange(1, 60);
  for (int k = 0; k < steps; ++k) {
    const int action = *rc::gen::inRange(0, 10);
    const Timestamp ts = at(2024, 1, 2) + Duration(k);
    if (action <= 4) {
      const bool on_option = *rc::gen::arbitrary<bool>();
      const Instrument& inst = on_option ? o : s;
      const OrderSide side = *rc::gen::arbitrary<bool>() ? kBuy : kSell;
      const std::int64_t units = *rc::gen::inRange<std::int64_t>(1, on_option ? 6 : 500);
      const std::int64_t cents = *rc::gen::inRange<std::int64_t>(on_option ? 0 : 1, on_option ? 2000 : 20000);
      Fill f;
      f.order_id = ClientOrderId("P-" + std::to_string(k));
      f.instrument = inst.id;
      f.side = side;
      f.quantity = *Quantity::from_int(units);
      f.price = Price::from_raw(cents * 1'000'000, 2);
      f.commission = Money::from_raw(*rc::gen::inRange<std::int64_t>(0, 200) * 1'000'000, 2);
      f.regulatory_fees = Money::from_raw(*rc::gen::inRange<std::int64_t>(0, 5) * 1'000'000, 2);
      f.ts = ts;
      RC_ASSERT(p.apply_fill(f, inst, "random").ok());
      const Money gross = *notional(f.price, f.quantity, on_option ? 100 : 1);
      model_cash = model_cash - (side == kBuy ? gross : -gross) - f.fees();
      model_fees += f.fees();
      (on_option ? model_option : model_stock) += side == kBuy ? f.quantity : -f.quantity;
    } else if (action == 5) {
      const bool on_option = *rc::gen::arbitrary<bool>();
      p.mark(on_option ? o.id : s.id, Price::from_raw(*rc::gen::inRange<std::int64_t>(100, 20000) * 1'000'000, 2));
    } else if (action == 6 && !model_stock.is_zero() && p.position(s.id)->mark > px("0.50")) {
      RC_ASSERT(p.dividend_ex_date(s, money("0.25"), Date::ymd(2024, 1, 3), ts).ok());
    } else if (action == 7) {
      const Money receivable = p.dividends_receivable();
      p.settle_dividends(Date::ymd(2024, 1, 3), ts);
      model_cash += receivable;
      model_dividends += receivable;
    } else if (action == 8 && !model_option.is_zero()) {
      RC_ASSERT(p.expire_worthless(o.id, ts, "expiry").ok());
      model_option = Quantity::zero();
    } else if (action == 9 && !model_option.is_zero()) {
      const bool is_long = model_option.is_positive();
      const Quantity contracts = is_long ? model_option : -model_option;
      RC_ASSERT(p.exercise_or_assign(o.id, contracts, s, Price::zero(), ts, "settle").ok());
      const bool receives = (o.option->right == OptionRight::kCall) == is_long;
      const Quantity shares = *contracts.checked_mul(100);
      const Money value = *notional(px("50"), shares, 1);
      model_cash += receives ? -value : value;
      model_stock += receives ? shares : -shares;
      model_option = Quantity::zero();
    }
    // Identities.
    Money mv = Money::zero(2);
    for (const auto& [id, pos] : p.positions()) {
      RC_ASSERT(!pos.quantity.is_zero());
      mv += pos.market_value();
    }
    RC_ASSERT(p.equity() == p.cash() + p.dividends_receivable() + mv);
    RC_ASSERT(p.realized_pnl() + p.unrealized_pnl() == p.equity() - start);
    // Independent model.
    RC_ASSERT(p.cash() == model_cash);
    RC_ASSERT(p.fees_paid() == model_fees);
    RC_ASSERT(p.dividends_received() == model_dividends);
    RC_ASSERT(p.quantity(s.id) == model_stock);
    RC_ASSERT(p.quantity(o.id) == model_option);
    // Realized P&L is accounted for trade by trade: closed trades plus open positions.
    Money by_trade = Money::zero(2);
    for (const ClosedTrade& t : p.closed_trades()) by_trade += t.pnl;
    for (const auto& [id, pos] : p.positions()) by_trade += pos.realized_pnl;
    RC_ASSERT(by_trade == p.realized_pnl());
    Money booked = Money::zero(2);
    for (const Booking& b : p.bookings()) booked += b.realized_pnl;
    RC_ASSERT(booked == p.realized_pnl());
  }
}

}  // namespace
}  // namespace keel::portfolio
