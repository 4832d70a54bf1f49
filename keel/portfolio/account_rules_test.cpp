// Tests for the account rules of keel/portfolio/portfolio.hpp: the cash account (cash-secured
// puts, covered calls, fully paid purchases, defined-risk spreads) and Reg-T margin (stock 50%,
// naked options by the CBOE 20%/10% formula, spreads' max loss). Every requirement is worked by
// hand in the comment beside it. Reg-T numbers follow the CBOE Margin Manual (naked equity
// options: 100% of the premium + 20% of the underlying less the out-of-the-money amount, at
// least premium + 10% of the strike for puts / of the underlying for calls; spreads: the
// strike difference).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "keel/portfolio/portfolio.hpp"
#include "keel/testkit/trading_fixtures.hpp"

namespace keel::portfolio {
namespace {

using execution::ComboLeg;
using execution::Fill;
using execution::Order;
using execution::OrderSide;
using execution::OrderStatus;
using execution::OrderType;

constexpr auto kBuy = OrderSide::kBuy;
constexpr auto kSell = OrderSide::kSell;

using testkit::at;
using testkit::money;
using testkit::px;
using testkit::qty;
using testkit::stock;

Instrument option(std::int64_t id, OptionRight right, const char* strike, Date expiry = Date::ymd(2024, 2, 16),
                  std::int64_t multiplier = 100) {
  return testkit::option_contract(id, right, strike, expiry, "ACME", multiplier);
}

Order single(const char* id, const Instrument& inst, OrderSide side, const char* q, std::optional<const char*> limit) {
  Order o;
  o.id = ClientOrderId(id);
  o.instrument = inst.id;
  o.side = side;
  o.type = limit ? OrderType::kLimit : OrderType::kMarket;
  o.quantity = qty(q);
  if (limit) o.limit_price = px(*limit);
  return o;
}

Order working(Order o) {
  o.status = OrderStatus::kAccepted;
  return o;
}

Fill fill(const Instrument& i, OrderSide side, const char* q, const char* p) {
  Fill f;
  f.order_id = ClientOrderId("F-1");
  f.instrument = i.id;
  f.side = side;
  f.quantity = qty(q);
  f.price = px(p);
  f.commission = money("0");
  f.regulatory_fees = money("0");
  f.ts = at(2024, 1, 2);
  return f;
}

// The world the check sees: instruments, quotes and underlying prices.
struct World {
  std::map<std::int64_t, Instrument> instruments;
  std::map<std::int64_t, Price> quotes;
  std::map<std::string, Price> underlying;

  const Instrument& add(Instrument i) { return instruments[i.id.value()] = std::move(i); }
  std::function<const Instrument*(InstrumentId)> lookup() const {
    return [this](InstrumentId id) -> const Instrument* {
      auto it = instruments.find(id.value());
      return it == instruments.end() ? nullptr : &it->second;
    };
  }
  PriceEstimate estimate() const {
    return [this](InstrumentId id, OrderSide) -> std::optional<Price> {
      auto it = quotes.find(id.value());
      if (it == quotes.end()) return std::nullopt;
      return it->second;
    };
  }
  UnderlyingPrice uprice() const {
    return [this](std::string_view u) -> std::optional<Price> {
      auto it = underlying.find(std::string(u));
      if (it == underlying.end()) return std::nullopt;
      return it->second;
    };
  }
  Status check(const Portfolio& p, const Order& o, const std::vector<Order>& w = {}) const {
    return p.check_order(o, w, lookup(), estimate(), uprice());
  }
};

void expect_rejected(const Status& st, const std::vector<std::string>& parts) {
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kRejected);
  for (const std::string& part : parts) {
    EXPECT_NE(st.error().message.find(part), std::string::npos)
        << "missing '" << part << "' in: " << st.error().message;
  }
}

// ---- cash account ---------------------------------------------------------------------------------

TEST(CashAccount, CashSecuredPutsCannotSpendTheSameCashTwice) {
  World w;
  const Instrument& put = w.add(option(2, OptionRight::kPut, "50"));
  w.underlying["ACME"] = px("52");
  Portfolio p(money("10000"), AccountType::kCash);
  // One put K=50 reserves 50 x 100 x 1 = 5,000 <= 10,000.
  EXPECT_TRUE(w.check(p, single("T-1", put, kSell, "1", "1.00")).ok());
  // A second one while the first works: 10,000 <= 10,000.
  const std::vector<Order> one{working(single("T-1", put, kSell, "1", "1.00"))};
  EXPECT_TRUE(w.check(p, single("T-2", put, kSell, "1", "1.00"), one).ok());
  // A third: 15,000 > 10,000. The premiums (3 x 100) are not counted before they are received.
  const std::vector<Order> two{working(single("T-1", put, kSell, "1", "1.00")),
                               working(single("T-2", put, kSell, "1", "1.00"))};
  expect_rejected(w.check(p, single("T-3", put, kSell, "1", "1.00"), two),
                  {"order T-3", "cash-secured put", "needs 15000.00, has 10000.00"});
  // A filled put reserves the same: after selling one at 1.00, cash is 10,100 and buying power
  // 10,100 - 5,000 = 5,100.
  ASSERT_TRUE(p.apply_fill(fill(put, kSell, "1", "1.00"), put, "").ok());
  EXPECT_EQ(p.buying_power(w.uprice()), money("5100"));
  // Terminal working orders do not count; the order itself in the list is not counted twice.
  Order done = working(single("T-9", put, kSell, "1", "1.00"));
  done.status = OrderStatus::kCanceled;
  const std::vector<Order> mixed{done, working(single("T-4", put, kSell, "1", "1.00"))};
  EXPECT_TRUE(w.check(p, single("T-4", put, kSell, "1", "1.00"), mixed).ok());
}

TEST(CashAccount, ShortCallsMustBeCoveredOnce) {
  World w;
  const Instrument& acme = w.add(stock(1));
  const Instrument& call = w.add(option(3, OptionRight::kCall, "55"));
  const Instrument& call2 = w.add(option(4, OptionRight::kCall, "60"));
  w.underlying["ACME"] = px("52");
  Portfolio p(money("10000"), AccountType::kCash);
  expect_rejected(w.check(p, single("T-1", call, kSell, "1", "0.80")),
                  {"order T-1", "covered by shares", "needs 100 shares, has 0"});
  ASSERT_TRUE(p.apply_fill(fill(acme, kBuy, "100", "50"), acme, "").ok());
  EXPECT_TRUE(w.check(p, single("T-2", call, kSell, "1", "0.80")).ok());
  // The 100 shares already cover a working short call: a second one is uncovered.
  const std::vector<Order> one{working(single("T-2", call, kSell, "1", "0.80"))};
  expect_rejected(w.check(p, single("T-3", call2, kSell, "1", "0.50"), one),
                  {"order T-3", "needs 200 shares, has 100"});
  // Same when the first call is held rather than working.
  ASSERT_TRUE(p.apply_fill(fill(call, kSell, "1", "0.80"), call, "").ok());
  expect_rejected(w.check(p, single("T-4", call2, kSell, "1", "0.50")), {"needs 200 shares, has 100"});
  // Selling the covering shares would leave the call naked.
  expect_rejected(w.check(p, single("T-5", acme, kSell, "100", "51")), {"order T-5", "needs 100 shares, has 0"});
  // Buying the call back is always fine.
  EXPECT_TRUE(w.check(p, single("T-6", call, kBuy, "1", "0.40")).ok());
  // A long call at a lower strike makes the second short call a vertical: allowed, reserving
  // its max loss (K_long 50 < K_short 60: nothing to lose at expiry).
  const Instrument& call50 = w.add(option(5, OptionRight::kCall, "50"));
  ASSERT_TRUE(p.apply_fill(fill(call50, kBuy, "1", "3.00"), call50, "").ok());
  EXPECT_TRUE(w.check(p, single("T-7", call2, kSell, "1", "0.50")).ok());
}

TEST(CashAccount, NoShortStockAndPurchasesPaidInFull) {
  World w;
  const Instrument& acme = w.add(stock(1));
  const Instrument& put = w.add(option(2, OptionRight::kPut, "50"));
  w.underlying["ACME"] = px("99");
  Portfolio p(money("10000"), AccountType::kCash);
  expect_rejected(w.check(p, single("T-1", acme, kSell, "50", "100")),
                  {"order T-1", "no short sales", "needs 50 shares of ACME, has 0"});
  // 100 x 120 = 12,000 > 10,000.
  expect_rejected(w.check(p, single("T-2", acme, kBuy, "100", "120")),
                  {"order T-2", "paid in full", "needs 12000.00, has 10000.00"});
  // A market order is checked at the estimate: 100 x 99 = 9,900; none known -> rejected.
  expect_rejected(w.check(p, single("T-3", acme, kBuy, "100", std::nullopt)),
                  {"order T-3", "no price estimate", "ACME"});
  w.quotes[acme.id.value()] = px("99");
  EXPECT_TRUE(w.check(p, single("T-3", acme, kBuy, "100", std::nullopt)).ok());
  // With a short put held (reserve 5,000; cash 10,100 after its 100 credit) 60 shares at 90 =
  // 5,400 need 10,400 in all.
  ASSERT_TRUE(p.apply_fill(fill(put, kSell, "1", "1.00"), put, "").ok());
  expect_rejected(w.check(p, single("T-4", acme, kBuy, "60", "90")), {"needs 10400.00, has 10100.00"});
  EXPECT_TRUE(w.check(p, single("T-5", acme, kBuy, "50", "90")).ok());  // 4,500 + 5,000 <= 10,100
}

TEST(CashAccount, DefinedRiskSpreadReservesMaxLoss) {
  World w;
  const Instrument& p50 = w.add(option(2, OptionRight::kPut, "50"));
  const Instrument& p45 = w.add(option(3, OptionRight::kPut, "45"));
  w.underlying["ACME"] = px("52");
  // Bull put spread 50/45 x1 for a 1.00 credit: legs as written, bought at a net -1.00.
  Order spread;
  spread.id = ClientOrderId("T-1");
  spread.legs = {ComboLeg{p50.id, 1, kSell}, ComboLeg{p45.id, 1, kBuy}};
  spread.side = kBuy;
  spread.type = OrderType::kLimit;
  spread.quantity = qty("1");
  spread.limit_price = px("-1.00");
  // Max loss (50 - 45) x 100 = 500; the 100 credit does not count before it is received.
  EXPECT_TRUE(w.check(Portfolio(money("500"), AccountType::kCash), spread).ok());
  expect_rejected(w.check(Portfolio(money("499.99"), AccountType::kCash), spread),
                  {"order T-1", "max loss", "needs 500.00, has 499.99"});
  // The same spread written the other way round and sold for a 1.00 credit.
  Order sold = spread;
  sold.legs = {ComboLeg{p50.id, 1, kBuy}, ComboLeg{p45.id, 1, kSell}};
  sold.side = kSell;
  sold.limit_price = px("1.00");
  expect_rejected(w.check(Portfolio(money("499.99"), AccountType::kCash), sold), {"needs 500.00, has 499.99"});
  // Filled: cash 10,000 + 200 - 100 = 10,100; buying power 10,100 - 500 = 9,600 (the account
  // can lose 400 more at worst).
  Portfolio p(money("10000"), AccountType::kCash);
  ASSERT_TRUE(p.apply_fill(fill(p50, kSell, "1", "2.00"), p50, "").ok());
  ASSERT_TRUE(p.apply_fill(fill(p45, kBuy, "1", "1.00"), p45, "").ok());
  EXPECT_EQ(p.buying_power(w.uprice()), money("9600"));
  // Two units with a debit-spread limit price: a net debit of 0.50 x 2 x 100 = 100 is paid.
  Order debit = spread;
  debit.quantity = qty("2");
  debit.limit_price = px("0.50");
  expect_rejected(w.check(Portfolio(money("1099"), AccountType::kCash), debit), {"needs 1100.00, has 1099.00"});
}

TEST(CashAccount, ClosingTradesStayAllowedWhenShort) {
  World w;
  const Instrument& put = w.add(option(2, OptionRight::kPut, "50"));
  w.underlying["ACME"] = px("52");
  // Two puts held with only 200 of cash (the ledger books what the venue fills).
  Portfolio p(money("0"), AccountType::kCash);
  ASSERT_TRUE(p.apply_fill(fill(put, kSell, "2", "1.00"), put, "").ok());
  EXPECT_EQ(p.buying_power(w.uprice()), money("-9800"));
  // Buying one back lowers the requirement from 10,000 to 5,000 + 50: allowed though still short.
  EXPECT_TRUE(w.check(p, single("T-1", put, kBuy, "1", "0.50")).ok());
  expect_rejected(w.check(p, single("T-2", put, kSell, "1", "0.50")), {"needs 15000.00, has 200.00"});
}

// ---- Reg-T margin ---------------------------------------------------------------------------------

TEST(MarginAccount, NakedShortPutTwentyPercentRule) {
  World w;
  const Instrument& put = w.add(option(2, OptionRight::kPut, "95"));
  w.underlying["ACME"] = px("100");
  // 20% x 100 x 100 - OTM (100 - 95) x 100 + premium 2.00 x 100 = 2,000 - 500 + 200 = 1,700;
  // minimum 10% x 95 x 100 + 200 = 1,150 -> 1,700.
  const Order o = single("T-1", put, kSell, "1", "2.00");
  EXPECT_TRUE(w.check(Portfolio(money("1700"), AccountType::kMargin), o).ok());
  expect_rejected(w.check(Portfolio(money("1699.99"), AccountType::kMargin), o),
                  {"order T-1", "naked short options", "needs 1700.00, has 1699.99"});
  // Filled in a 10,000 account: cash 10,200, requirement 1,700 -> buying power 8,500, i.e. the
  // put uses 1,500 of the account's own money once its premium is in.
  Portfolio p(money("10000"), AccountType::kMargin);
  ASSERT_TRUE(p.apply_fill(fill(put, kSell, "1", "2.00"), put, "").ok());
  EXPECT_EQ(p.buying_power(w.uprice()), money("8500"));
  // No underlying price: rejected, never guessed.
  World blind = w;
  blind.underlying.clear();
  expect_rejected(blind.check(Portfolio(money("10000"), AccountType::kMargin), o),
                  {"order T-1", "no price for the underlying ACME"});
}

TEST(MarginAccount, TenPercentMinimumAndNakedCalls) {
  World w;
  const Instrument& put = w.add(option(2, OptionRight::kPut, "70"));
  const Instrument& call = w.add(option(3, OptionRight::kCall, "110"));
  w.underlying["ACME"] = px("100");
  // Far OTM put: 20% x 10,000 - 30 x 100 = -1,000 < 10% x 70 x 100 = 700 -> 700 + 0.10 x 100 = 710.
  const Order far = single("T-1", put, kSell, "1", "0.10");
  EXPECT_TRUE(w.check(Portfolio(money("710"), AccountType::kMargin), far).ok());
  expect_rejected(w.check(Portfolio(money("709.99"), AccountType::kMargin), far), {"needs 710.00"});
  // Call K=110: 2,000 - (110 - 100) x 100 = 1,000 vs 10% x 100 x 100 = 1,000 -> 1,000 + 150 = 1,150.
  const Order c = single("T-2", call, kSell, "1", "1.50");
  EXPECT_TRUE(w.check(Portfolio(money("1150"), AccountType::kMargin), c).ok());
  expect_rejected(w.check(Portfolio(money("1149.99"), AccountType::kMargin), c), {"needs 1150.00"});
  // Two contracts double it: 2 x 1,150 = 2,300.
  expect_rejected(w.check(Portfolio(money("2299.99"), AccountType::kMargin), single("T-3", call, kSell, "2", "1.50")),
                  {"needs 2300.00"});
}

TEST(MarginAccount, StockFiftyPercentInitial) {
  World w;
  const Instrument& acme = w.add(stock(1));
  w.underlying["ACME"] = px("100");
  // 100 x 100 = 10,000 at 50% = 5,000.
  const Order o = single("T-1", acme, kBuy, "100", "100");
  expect_rejected(w.check(Portfolio(money("4999"), AccountType::kMargin), o),
                  {"order T-1", "stock needs 50%", "needs 5000.00, has 4999.00"});
  Portfolio p(money("5000"), AccountType::kMargin);
  EXPECT_TRUE(w.check(p, o).ok());
  ASSERT_TRUE(p.apply_fill(fill(acme, kBuy, "100", "100"), acme, "").ok());
  // Cash -5,000 (a margin loan) + stock 10,000 - 5,000 requirement = 0 left.
  EXPECT_EQ(p.buying_power(w.uprice()), money("0"));
  // A covered call on those shares needs nothing more; a naked second one does.
  const Instrument& call = w.add(option(3, OptionRight::kCall, "110"));
  EXPECT_TRUE(w.check(p, single("T-2", call, kSell, "1", "1.50")).ok());
  const std::vector<Order> one{working(single("T-2", call, kSell, "1", "1.50"))};
  expect_rejected(w.check(p, single("T-3", call, kSell, "1", "1.50"), one),
                  {"naked short options", "needs 6150.00, has 5000.00"});
  // A long option is paid in full: 1 x 2.00 x 100 = 200 > 0 available.
  expect_rejected(w.check(p, single("T-4", call, kBuy, "1", "2.00")),
                  {"option purchases are paid in full", "needs 5200.00, has 5000.00"});
}

// The requirement sums over underlyings: an order on one name must see what the others hold.
TEST(CashAccount, OtherUnderlyingsReservesCount) {
  World w;
  const Instrument& acme_put = w.add(option(2, OptionRight::kPut, "50"));
  const Instrument& zeph = w.add(stock(5, "ZEPH"));
  const Instrument& zeph_put60 = w.add(testkit::option_contract(6, OptionRight::kPut, "60", Date::ymd(2024, 2, 16), "ZEPH"));
  const Instrument& zeph_put50 = w.add(testkit::option_contract(7, OptionRight::kPut, "50", Date::ymd(2024, 2, 16), "ZEPH"));
  w.underlying["ACME"] = px("52");
  w.underlying["ZEPH"] = px("100");
  w.quotes[zeph.id.value()] = px("100");
  Portfolio p(money("20000"), AccountType::kCash);
  // Sold 1 ACME put K=50 at 1.00: cash 20,100, reserve 50 x 100 = 5,000.
  ASSERT_TRUE(p.apply_fill(fill(acme_put, kSell, "1", "1.00"), acme_put, "").ok());
  // Working: buy 100 ZEPH at 100 = 10,000. A ZEPH put K=60 reserves 6,000:
  // 5,000 + 10,000 + 6,000 = 21,000 > 20,100.
  const std::vector<Order> buying{working(single("T-1", zeph, kBuy, "100", "100"))};
  expect_rejected(w.check(p, single("T-2", zeph_put60, kSell, "1", "1.00"), buying),
                  {"order T-2", "cash-secured put", "needs 21000.00, has 20100.00"});
  // K=50 reserves 5,000: 20,000 <= 20,100.
  EXPECT_TRUE(w.check(p, single("T-3", zeph_put50, kSell, "1", "1.00"), buying).ok());
}

TEST(MarginAccount, OtherUnderlyingsRequirementCounts) {
  World w;
  const Instrument& acme = w.add(stock(1));
  const Instrument& zeph = w.add(stock(5, "ZEPH"));
  w.underlying["ACME"] = px("100");
  w.underlying["ZEPH"] = px("100");
  Portfolio p(money("10000"), AccountType::kMargin);
  // 100 ACME at 100: cash 0, loan value 10,000, requirement 5,000.
  ASSERT_TRUE(p.apply_fill(fill(acme, kBuy, "100", "100"), acme, "").ok());
  // 120 ZEPH at 100: requirement 5,000 + 6,000, plus the debit 12,000 less the loan value it
  // adds (12,000): needs 11,000, has 0 + 10,000.
  expect_rejected(w.check(p, single("T-1", zeph, kBuy, "120", "100")),
                  {"order T-1", "stock needs 50%", "needs 11000.00, has 10000.00"});
  // 100 ZEPH: 5,000 + 5,000 = 10,000 <= 10,000.
  EXPECT_TRUE(w.check(p, single("T-2", zeph, kBuy, "100", "100")).ok());
}

TEST(MarginAccount, SpreadNeedsMaxLoss) {
  World w;
  const Instrument& p50 = w.add(option(2, OptionRight::kPut, "50"));
  const Instrument& p45 = w.add(option(3, OptionRight::kPut, "45"));
  const Instrument& p45_later = w.add(option(4, OptionRight::kPut, "45", Date::ymd(2024, 3, 15)));
  w.underlying["ACME"] = px("52");
  Order spread;
  spread.id = ClientOrderId("T-1");
  spread.legs = {ComboLeg{p50.id, 1, kSell}, ComboLeg{p45.id, 1, kBuy}};
  spread.side = kBuy;
  spread.type = OrderType::kLimit;
  spread.quantity = qty("3");
  spread.limit_price = px("-1.00");
  // (50 - 45) x 100 x 3 = 1,500, whatever the underlying.
  EXPECT_TRUE(w.check(Portfolio(money("1500"), AccountType::kMargin), spread).ok());
  expect_rejected(w.check(Portfolio(money("1499"), AccountType::kMargin), spread),
                  {"order T-1", "spreads need their max loss", "needs 1500.00, has 1499.00"});
  // A long leg in another expiry is no vertical: the short put is margined naked. With no quote
  // for the legs their premium is valued at 0, and the combo's net is a credit (nothing paid).
  // Naked put K=50, U=52: 20% x 5,200 - (52 - 50) x 100 = 840 vs 10% x 5,000 = 500 -> 840 per
  // contract, x 3 = 2,520.
  Order diagonal = spread;
  diagonal.legs = {ComboLeg{p50.id, 1, kSell}, ComboLeg{p45_later.id, 1, kBuy}};
  expect_rejected(w.check(Portfolio(money("2519"), AccountType::kMargin), diagonal),
                  {"naked short options", "needs 2520.00"});
}

TEST(AccountRules, AdjustedSeriesUseTheHundredShareStrike) {
  // After a 3:2 split an adjusted contract delivers 150 shares; its strike stays quoted on 100
  // shares (OCC), so K=90 is 60 a delivered share.
  World w;
  const Instrument& acme = w.add(stock(1));
  const Instrument& put = w.add(option(2, OptionRight::kPut, "90", Date::ymd(2024, 2, 16), 150));
  const Instrument& call = w.add(option(3, OptionRight::kCall, "90", Date::ymd(2024, 2, 16), 150));
  w.underlying["ACME"] = px("60");
  // Cash-secured: 90 x 100 = 9,000 (the cost of 150 shares at 60), not 90 x 150.
  const Order o = single("T-1", put, kSell, "1", "1.00");
  EXPECT_TRUE(w.check(Portfolio(money("9000"), AccountType::kCash), o).ok());
  expect_rejected(w.check(Portfolio(money("8999"), AccountType::kCash), o), {"needs 9000.00, has 8999.00"});
  // Reg-T, at the money: 20% x 60 x 150 = 1,800 - 0 OTM vs 10% x 9,000 = 900 -> 1,800 + 1.00 x
  // 150 premium = 1,950.
  expect_rejected(w.check(Portfolio(money("1949"), AccountType::kMargin), o), {"needs 1950.00, has 1949.00"});
  // A covered call on it needs the 150 delivered shares.
  Portfolio p(money("20000"), AccountType::kCash);
  ASSERT_TRUE(p.apply_fill(fill(acme, kBuy, "100", "60"), acme, "").ok());
  expect_rejected(w.check(p, single("T-2", call, kSell, "1", "1.00")), {"needs 150 shares, has 100"});
  ASSERT_TRUE(p.apply_fill(fill(acme, kBuy, "50", "60"), acme, "").ok());
  EXPECT_TRUE(w.check(p, single("T-3", call, kSell, "1", "1.00")).ok());
}

// ---- property: sequential checks never over-commit cash ------------------------------------------

RC_GTEST_PROP(AccountRulesProperties, CashSecuredPutsNeverExceedCash, ()) {
  World w;
  w.underlying["ACME"] = px("100");
  std::vector<Instrument> puts;
  for (int k = 0; k < 4; ++k) {
    const std::int64_t strike = *rc::gen::inRange<std::int64_t>(1, 200);
    puts.push_back(w.add(option(10 + k, OptionRight::kPut, std::to_string(strike).c_str())));
  }
  const std::int64_t cash = *rc::gen::inRange<std::int64_t>(0, 100'000);
  Portfolio p(*Money::from_int(cash, 2), AccountType::kCash);
  std::vector<Order> accepted;
  std::int64_t reserved = 0;  // dollars: strike x 100 x contracts, summed independently
  const int n = *rc::gen::inRange(1, 20);
  for (int k = 0; k < n; ++k) {
    const Instrument& put = puts[static_cast<std::size_t>(*rc::gen::inRange(0, 4))];
    const std::int64_t contracts = *rc::gen::inRange<std::int64_t>(1, 4);
    const std::int64_t reserve = put.option->strike.raw() / kFixedScale * 100 * contracts;
    Order o = single(("T-" + std::to_string(k)).c_str(), put, kSell, std::to_string(contracts).c_str(), "1.00");
    const Status st = w.check(p, o, accepted);
    // Accepted exactly when the reserves of everything working fit in the cash.
    RC_ASSERT(st.ok() == (reserved + reserve <= cash));
    if (st.ok()) {
      accepted.push_back(working(o));
      reserved += reserve;
    } else {
      RC_ASSERT(st.error().code == ErrorCode::kRejected);
      RC_ASSERT(st.error().message.find("order T-" + std::to_string(k)) != std::string::npos);
    }
  }
  RC_ASSERT(reserved <= cash);
}

// A cash account holding long stock only, a stock order, no other working order: the rules of
// docs/PORTFOLIO.md decide it in a few lines, written here on their own (prices in cents,
// whole shares, so every amount is exact): no price for a market order without an estimate ->
// rejected; shares of the order's symbol below zero afterwards -> rejected (no short sales);
// a purchase -> accepted iff its cost <= cash; a sale -> accepted. Books with two instruments
// of one symbol (ids 1 and 5 are both ACME) and marks away from the cost are drawn too.
RC_GTEST_PROP(AccountRulesProperties, CashAccountStockOrdersFollowTheRules, ()) {
  World w;
  const char* symbols[] = {"ACME", "ZEPH", "BOLT", "KITE", "ACME"};
  for (int i = 0; i < 5; ++i) w.add(stock(i + 1, symbols[i]));
  auto cents = [](std::int64_t c) { return Price::from_raw(c * 1'000'000, 2); };
  const std::int64_t cash0 = *rc::gen::inRange<std::int64_t>(0, 200'000);
  Portfolio p(*Money::from_int(cash0, 2), AccountType::kCash);
  std::int64_t cash_cents = cash0 * 100;
  std::map<std::string, std::int64_t> shares;  // by symbol
  const int n = *rc::gen::inRange(0, 5);
  for (int k = 0; k < n; ++k) {
    const Instrument& inst = w.instruments.at(*rc::gen::inRange<std::int64_t>(1, 6));
    const std::int64_t q = *rc::gen::inRange<std::int64_t>(1, 300);
    const std::int64_t c = *rc::gen::inRange<std::int64_t>(100, 50'000);
    Fill f = fill(inst, kBuy, std::to_string(q).c_str(), "1");
    f.price = cents(c);
    RC_ASSERT(p.apply_fill(f, inst, "").ok());
    cash_cents -= q * c;
    shares[inst.symbol] += q;
    if (*rc::gen::inRange(0, 2) == 0) p.mark(inst.id, cents(*rc::gen::inRange<std::int64_t>(1, 90'000)));
  }
  const Instrument& inst = w.instruments.at(*rc::gen::inRange<std::int64_t>(1, 6));
  const bool buy = *rc::gen::arbitrary<bool>();
  const std::int64_t q = *rc::gen::inRange<std::int64_t>(1, 400);
  const bool limit = *rc::gen::arbitrary<bool>();
  const std::int64_t limit_cents = *rc::gen::inRange<std::int64_t>(1, 60'000);
  const bool quoted = *rc::gen::inRange(0, 3) != 0;
  const std::int64_t quote_cents = *rc::gen::inRange<std::int64_t>(1, 60'000);
  if (quoted) w.quotes[inst.id.value()] = cents(quote_cents);
  Order o = single("T-1", inst, buy ? kBuy : kSell, std::to_string(q).c_str(), std::nullopt);
  if (limit) {
    o.type = OrderType::kLimit;
    o.limit_price = cents(limit_cents);
  }
  // A finished order and one with nothing left must not count.
  Order done = working(single("T-0", inst, kBuy, "5", "1"));
  done.status = OrderStatus::kFilled;
  const std::vector<Order> others = {done};
  const Status st = w.check(p, o, others);

  std::string expected;  // empty: accepted
  if (!limit && !quoted) {
    expected = "no price estimate";
  } else if (shares[inst.symbol] + (buy ? q : -q) < 0) {
    expected = "no short sales";
  } else if (buy && (limit ? limit_cents : quote_cents) * q > cash_cents) {
    expected = "purchases are paid in full";
  }
  RC_ASSERT(st.ok() == expected.empty());
  if (!st.ok()) {
    RC_ASSERT(st.error().code == ErrorCode::kRejected);
    RC_ASSERT(st.error().message.find(expected) != std::string::npos);
    RC_ASSERT(st.error().message.find("order T-1") != std::string::npos);
  }
}


// The check keeps per-thread buffers (holdings, groups and each group's requirement) from call to
// call. A check on a thread that has just run checks of other books, of other shapes (options
// and stock on two underlyings, both account types, working orders), must decide exactly as the
// same check on a fresh thread, whose buffers are new: same verdict, same message.
RC_GTEST_PROP(AccountRulesProperties, ReusedBuffersDecideAsFreshOnes, ()) {
  World w;
  w.add(stock(1, "ACME"));
  w.add(stock(2, "ZEPH"));
  const Date exp = Date::ymd(2024, 2, 16);
  const char* strikes[] = {"90", "100", "110"};
  std::vector<std::int64_t> ids = {1, 2};
  for (int k = 0; k < 3; ++k) {
    w.add(testkit::option_contract(10 + k, OptionRight::kCall, strikes[k], exp, "ACME"));
    w.add(testkit::option_contract(20 + k, OptionRight::kPut, strikes[k], exp, "ACME"));
    w.add(testkit::option_contract(30 + k, OptionRight::kPut, strikes[k], exp, "ZEPH"));
    ids.insert(ids.end(), {10 + k, 20 + k, 30 + k});
  }
  auto cents = [](std::int64_t c) { return Price::from_raw(c * 1'000'000, 2); };
  auto pick = [&] { return ids[static_cast<std::size_t>(*rc::gen::inRange<std::size_t>(0, ids.size()))]; };
  for (std::int64_t id : ids) {
    if (*rc::gen::inRange(0, 4) != 0) w.quotes[id] = cents(*rc::gen::inRange<std::int64_t>(1, 2'000));
  }
  if (*rc::gen::inRange(0, 4) != 0) w.underlying["ACME"] = cents(*rc::gen::inRange<std::int64_t>(5'000, 15'000));
  if (*rc::gen::inRange(0, 4) != 0) w.underlying["ZEPH"] = cents(*rc::gen::inRange<std::int64_t>(5'000, 15'000));

  struct Book {
    Portfolio p;
    std::vector<Order> working;
  };
  std::vector<Book> books;
  for (int b = 0; b < 2; ++b) {
    const AccountType type = *rc::gen::arbitrary<bool>() ? AccountType::kCash : AccountType::kMargin;
    Book book{Portfolio(*Money::from_int(*rc::gen::inRange<std::int64_t>(0, 100'000), 2), type), {}};
    const int fills = *rc::gen::inRange(0, 6);
    for (int k = 0; k < fills; ++k) {
      const Instrument& inst = w.instruments.at(pick());
      Fill f = fill(inst, *rc::gen::arbitrary<bool>() ? kBuy : kSell, "1", "1");
      f.quantity = Quantity::from_raw(*rc::gen::inRange<std::int64_t>(1, 300) * kFixedScale, 0);
      f.price = cents(*rc::gen::inRange<std::int64_t>(1, 15'000));
      RC_ASSERT(book.p.apply_fill(f, inst, "").ok());
    }
    const int orders = *rc::gen::inRange(0, 4);
    for (int k = 0; k < orders; ++k) {
      const Instrument& inst = w.instruments.at(pick());
      Order o = single(("W-" + std::to_string(k)).c_str(), inst, *rc::gen::arbitrary<bool>() ? kBuy : kSell,
                       std::to_string(*rc::gen::inRange(1, 200)).c_str(), "1");
      o.limit_price = cents(*rc::gen::inRange<std::int64_t>(1, 15'000));
      book.working.push_back(working(o));
    }
    books.push_back(std::move(book));
  }
  const int checks = *rc::gen::inRange(1, 12);
  for (int k = 0; k < checks; ++k) {
    const Book& book = books[static_cast<std::size_t>(*rc::gen::inRange(0, 2))];
    const Instrument& inst = w.instruments.at(pick());
    Order o = single(("T-" + std::to_string(k)).c_str(), inst, *rc::gen::arbitrary<bool>() ? kBuy : kSell,
                     std::to_string(*rc::gen::inRange(1, 400)).c_str(), std::nullopt);
    if (*rc::gen::arbitrary<bool>()) {
      o.type = OrderType::kLimit;
      o.limit_price = cents(*rc::gen::inRange<std::int64_t>(1, 15'000));
    }
    const Status here = w.check(book.p, o, book.working);
    std::optional<Status> fresh;
    std::thread([&] { fresh = w.check(book.p, o, book.working); }).join();
    RC_ASSERT(here.ok() == fresh->ok());
    if (!here.ok()) RC_ASSERT(here.error().message == fresh->error().message);
  }
}

}  // namespace
}  // namespace keel::portfolio
