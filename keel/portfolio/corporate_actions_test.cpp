// Tests for dividends and splits in keel/portfolio/portfolio.hpp (E5). Expected figures are
// worked by hand in the comments; the rules are in docs/PORTFOLIO.md.
#include <gtest/gtest.h>

#include <string>

#include "keel/portfolio/portfolio.hpp"
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

Instrument option(std::int64_t id, OptionRight right, const char* strike, const char* underlying = "ACME",
                  std::int64_t multiplier = 100) {
  return testkit::option_contract(id, right, strike, Date::ymd(2024, 3, 15), underlying, multiplier);
}

Fill fill(const Instrument& i, OrderSide side, const char* q, const char* p) {
  Fill f;
  f.order_id = ClientOrderId("T-1");
  f.instrument = i.id;
  f.side = side;
  f.quantity = qty(q);
  f.price = px(p);
  f.commission = money("0");
  f.regulatory_fees = money("0");
  f.ts = at(2024, 1, 2);
  return f;
}

void expect_identities(const Portfolio& p) {
  Money mv = Money::zero(2);
  for (const auto& [id, pos] : p.positions()) mv += pos.market_value();
  EXPECT_EQ(p.equity(), p.cash() + p.dividends_receivable() + mv);
  EXPECT_EQ(p.realized_pnl() + p.unrealized_pnl(), p.equity() - p.starting_cash());
}

const SplitMapper kNoOptions = [](const Instrument& old) -> Result<SplitMapping> {
  return make_error(ErrorCode::kNotFound, "no mapping for " + old.symbol);
};

// ---- dividends ----------------------------------------------------------------------------------

TEST(PortfolioDividends, LongReceivesOnPayDate) {
  Portfolio p(money("10000"), AccountType::kCash);
  const Instrument s = stock(1);
  ASSERT_TRUE(p.apply_fill(fill(s, OrderSide::kBuy, "200", "40"), s, "").ok());
  p.mark(s.id, px("41"));
  const Money equity_before = p.equity();  // 2,000 + 200 x 41 = 10,200
  EXPECT_EQ(equity_before, money("10200"));
  ASSERT_TRUE(p.dividend_ex_date(s, money("0.50"), Date::ymd(2024, 2, 15), at(2024, 2, 1, 14)).ok());
  // Entitled to 200 x 0.50 = 100.00, receivable; the stock trades ex-dividend at 41 - 0.50.
  EXPECT_EQ(p.dividends_receivable(), money("100"));
  EXPECT_EQ(p.equity(), equity_before);
  EXPECT_EQ(p.position(s.id)->mark, px("40.50"));
  EXPECT_EQ(p.cash(), money("2000"));
  EXPECT_EQ(p.realized_pnl(), money("100"));
  EXPECT_EQ(p.bookings().back().kind, BookingKind::kDividend);
  EXPECT_EQ(p.bookings().back().cash_change, money("0"));
  expect_identities(p);
  // Before the pay date nothing moves.
  p.settle_dividends(Date::ymd(2024, 2, 14), at(2024, 2, 14, 21));
  EXPECT_EQ(p.cash(), money("2000"));
  // Pay date: cash +100, receivable 0, equity unchanged.
  p.settle_dividends(Date::ymd(2024, 2, 15), at(2024, 2, 15, 14));
  EXPECT_EQ(p.cash(), money("2100"));
  EXPECT_EQ(p.dividends_receivable(), money("0"));
  EXPECT_EQ(p.dividends_received(), money("100"));
  EXPECT_EQ(p.equity(), equity_before);
  EXPECT_EQ(p.bookings().back().cash_change, money("100"));
  expect_identities(p);
  // Paid once only.
  p.settle_dividends(Date::ymd(2024, 2, 16), at(2024, 2, 16, 14));
  EXPECT_EQ(p.cash(), money("2100"));
  // Selling the shares at the marked 40.50 after the dividend: trade P&L
  // 200 x (40.50 - 40) + 100 dividend = 200.
  ASSERT_TRUE(p.apply_fill(fill(s, OrderSide::kSell, "200", "40.50"), s, "").ok());
  EXPECT_EQ(p.closed_trades().back().pnl, money("200"));
}

TEST(PortfolioDividends, ShortPaysAndNonHoldersGetNothing) {
  Portfolio p(money("10000"), AccountType::kMargin);
  const Instrument s = stock(1);
  const Instrument other = stock(2, "OTHR");
  ASSERT_TRUE(p.apply_fill(fill(s, OrderSide::kSell, "100", "30"), s, "").ok());
  ASSERT_TRUE(p.dividend_ex_date(s, money("0.50"), Date::ymd(2024, 2, 15), at(2024, 2, 1, 14)).ok());
  // Short 100 owes 100 x 0.50 = 50.00.
  EXPECT_EQ(p.dividends_receivable(), money("-50"));
  EXPECT_EQ(p.bookings().back().reason.find("short") != std::string::npos, true);
  p.settle_dividends(Date::ymd(2024, 2, 15), at(2024, 2, 15, 14));
  // Cash 10,000 + 3,000 - 50.
  EXPECT_EQ(p.cash(), money("12950"));
  EXPECT_EQ(p.dividends_received(), money("-50"));
  expect_identities(p);
  const std::size_t n = p.bookings().size();
  ASSERT_TRUE(p.dividend_ex_date(other, money("1"), Date::ymd(2024, 2, 15), at(2024, 2, 1, 14)).ok());
  EXPECT_EQ(p.bookings().size(), n);
  EXPECT_FALSE(p.dividend_ex_date(s, money("0"), Date::ymd(2024, 2, 15), at(2024, 2, 1, 14)).ok());
  EXPECT_FALSE(
      p.dividend_ex_date(option(3, OptionRight::kCall, "30"), money("1"), Date::ymd(2024, 2, 15), at(2024, 2, 1, 14))
          .ok());
}

// ---- splits -------------------------------------------------------------------------------------

TEST(PortfolioSplits, ThreeForTwoKeepsBasis) {
  Portfolio p(money("10000"), AccountType::kCash);
  const Instrument s = stock(1);
  ASSERT_TRUE(p.apply_fill(fill(s, OrderSide::kBuy, "100", "90"), s, "").ok());
  const Money equity_before = p.equity();
  ASSERT_TRUE(p.apply_split(s, 3, 2, px("60"), kNoOptions, at(2024, 3, 1, 14)).ok());
  // 100 x 3/2 = 150 shares; basis 9,000 kept (60.00 a share); mark 90 x 2/3 = 60.
  EXPECT_EQ(p.quantity(s.id), qty("150"));
  EXPECT_EQ(p.position(s.id)->cost_basis, money("9000"));
  EXPECT_EQ(p.position(s.id)->average_price(), px("60"));
  EXPECT_EQ(p.position(s.id)->mark, px("60"));
  EXPECT_EQ(p.equity(), equity_before);
  EXPECT_EQ(p.cash(), money("1000"));
  EXPECT_EQ(p.bookings().back().kind, BookingKind::kSplit);
  expect_identities(p);
}

TEST(PortfolioSplits, FractionalShareIsPaidInCash) {
  Portfolio p(money("10000"), AccountType::kCash);
  const Instrument s = stock(1);
  ASSERT_TRUE(p.apply_fill(fill(s, OrderSide::kBuy, "101", "90"), s, "").ok());  // basis 9,090
  ASSERT_TRUE(p.apply_split(s, 3, 2, px("61"), kNoOptions, at(2024, 3, 1, 14)).ok());
  // 101 x 3/2 = 151.5: 151 shares stay, 0.5 is paid at 61.00 = 30.50. Its basis share is
  // 9,090 x 0.5 / 151.5 = 30.00, so 0.50 is realized; 9,060 stays on 151 shares (60.00 each).
  EXPECT_EQ(p.quantity(s.id), qty("151"));
  EXPECT_EQ(p.position(s.id)->cost_basis, money("9060"));
  EXPECT_EQ(p.cash(), money("940.50"));  // 10,000 - 9,090 + 30.50
  EXPECT_EQ(p.realized_pnl(), money("0.50"));
  const Booking& b = p.bookings().back();
  EXPECT_EQ(b.kind, BookingKind::kCashInLieu);
  EXPECT_EQ(b.quantity, qty("0.5"));
  EXPECT_EQ(b.cash_change, money("30.50"));
  EXPECT_EQ(b.realized_pnl, money("0.50"));
  expect_identities(p);
}

TEST(PortfolioSplits, OneForSevenReverseSplit) {
  Portfolio p(money("10000"), AccountType::kCash);
  const Instrument s = stock(1);
  ASSERT_TRUE(p.apply_fill(fill(s, OrderSide::kBuy, "100", "70"), s, "").ok());  // basis 7,000
  ASSERT_TRUE(p.apply_split(s, 1, 7, px("497"), kNoOptions, at(2024, 3, 1, 14)).ok());
  // 100 / 7 = 14 2/7: 14 shares; 2/7 x 497 = 142.00 in cash. Basis of the fraction:
  // 7,000 x (2/7) / (100/7) = 140.00 -> realized 2.00; 6,860 left = 490.00 a share (70 x 7).
  EXPECT_EQ(p.quantity(s.id), qty("14"));
  EXPECT_EQ(p.position(s.id)->cost_basis, money("6860"));
  EXPECT_EQ(p.position(s.id)->average_price(), px("490"));
  EXPECT_EQ(p.cash(), money("3142"));
  EXPECT_EQ(p.realized_pnl(), money("2"));
  expect_identities(p);
  // A holding smaller than one new share is paid out entirely: 3 shares -> 3/7 share at 497 =
  // 213.00, all of the 210.00 basis leaves; the trade closes by cash in lieu.
  Portfolio q(money("1000"), AccountType::kCash);
  ASSERT_TRUE(q.apply_fill(fill(s, OrderSide::kBuy, "3", "70"), s, "").ok());
  ASSERT_TRUE(q.apply_split(s, 1, 7, px("497"), kNoOptions, at(2024, 3, 1, 14)).ok());
  EXPECT_TRUE(q.positions().empty());
  ASSERT_EQ(q.closed_trades().size(), 1u);
  EXPECT_EQ(q.closed_trades()[0].closed_by, BookingKind::kCashInLieu);
  EXPECT_EQ(q.closed_trades()[0].pnl, money("3"));
  EXPECT_EQ(q.cash(), money("1003"));
  // A fraction needs a reference price.
  Portfolio r(money("1000"), AccountType::kCash);
  ASSERT_TRUE(r.apply_fill(fill(s, OrderSide::kBuy, "3", "70"), s, "").ok());
  EXPECT_FALSE(r.apply_split(s, 1, 7, px("0"), kNoOptions, at(2024, 3, 1, 14)).ok());
  EXPECT_EQ(r.quantity(s.id), qty("3"));
}

TEST(PortfolioSplits, OptionsFollowTheCallersMapping) {
  Portfolio p(money("20000"), AccountType::kCash);
  const Instrument s = stock(1);
  const Instrument call = option(2, OptionRight::kCall, "90");
  ASSERT_TRUE(p.apply_fill(fill(s, OrderSide::kBuy, "100", "90"), s, "").ok());
  ASSERT_TRUE(p.apply_fill(fill(call, OrderSide::kSell, "1", "3.00"), call, "covered call").ok());
  const WheelBasis before = p.wheel_basis("ACME");
  // 3:2: OCC adjusts the contract to deliver 150 shares (root ACME1, same strike).
  Instrument adjusted = option(12, OptionRight::kCall, "90", "ACME", 150);
  adjusted.symbol = "ACME1 240315C00090000";
  const SplitMapper mapper = [&](const Instrument& old) -> Result<SplitMapping> {
    EXPECT_EQ(old.symbol, call.symbol);
    return SplitMapping{adjusted, 1};
  };
  const Money equity_before = p.equity();
  ASSERT_TRUE(p.apply_split(s, 3, 2, px("59"), mapper, at(2024, 3, 1, 14)).ok());
  EXPECT_EQ(p.position(call.id), nullptr);
  const Position* o = p.position(adjusted.id);
  ASSERT_NE(o, nullptr);
  // -1 contract, basis -300 kept, mark 3.00 x 100 / 150 = 2.00 (value -300 kept).
  EXPECT_EQ(o->quantity, qty("-1"));
  EXPECT_EQ(o->cost_basis, money("-300"));
  EXPECT_EQ(o->mark, px("2"));
  EXPECT_EQ(p.quantity(s.id), qty("150"));
  EXPECT_EQ(p.equity(), equity_before);
  // Stock: 150 shares marked 90 x 2/3 = 60. The wheel cycle goes on: same premium (300), basis
  // now per 150 shares: plain 9,000 / 150 = 60.00, wheel (9,000 - 300) / 150 = 58.00.
  EXPECT_EQ(p.position(s.id)->mark, px("60"));
  const WheelBasis after = p.wheel_basis("ACME");
  EXPECT_EQ(after.cycle_premium, before.cycle_premium);
  EXPECT_EQ(after.cycle_premium, money("300"));
  EXPECT_EQ(after.plain_basis_per_share, px("60"));
  EXPECT_EQ(after.wheel_basis_per_share, px("58"));
  expect_identities(p);

  // 2:1 with the standard contract: 2 contracts at strike 45 for each old one.
  Portfolio q(money("20000"), AccountType::kMargin);
  ASSERT_TRUE(q.apply_fill(fill(call, OrderSide::kSell, "1", "3.00"), call, "").ok());
  Instrument standard = option(13, OptionRight::kCall, "45");
  const SplitMapper two_for_one = [&](const Instrument&) -> Result<SplitMapping> { return SplitMapping{standard, 2}; };
  ASSERT_TRUE(q.apply_split(s, 2, 1, px("44"), two_for_one, at(2024, 3, 1, 14)).ok());
  EXPECT_EQ(q.quantity(standard.id), qty("-2"));
  EXPECT_EQ(q.position(standard.id)->cost_basis, money("-300"));
  EXPECT_EQ(q.position(standard.id)->mark, px("1.50"));
  expect_identities(q);
}

TEST(PortfolioSplits, FailedMappingChangesNothing) {
  Portfolio p(money("20000"), AccountType::kCash);
  const Instrument s = stock(1);
  const Instrument call = option(2, OptionRight::kCall, "90");
  ASSERT_TRUE(p.apply_fill(fill(s, OrderSide::kBuy, "101", "88"), s, "").ok());
  ASSERT_TRUE(p.apply_fill(fill(call, OrderSide::kSell, "1", "3.00"), call, "").ok());
  const std::size_t n = p.bookings().size();
  Status st = p.apply_split(s, 3, 2, px("59"), kNoOptions, at(2024, 3, 1, 14));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find(call.symbol), std::string::npos) << st.error().message;
  EXPECT_EQ(p.quantity(s.id), qty("101"));
  EXPECT_EQ(p.quantity(call.id), qty("-1"));
  EXPECT_EQ(p.cash(), money("11412"));  // 20,000 - 8,888 + 300, untouched by the failed split
  EXPECT_EQ(p.bookings().size(), n);
  EXPECT_FALSE(p.apply_split(s, 0, 2, px("59"), kNoOptions, at(2024, 3, 1, 14)).ok());
}

}  // namespace
}  // namespace keel::portfolio
