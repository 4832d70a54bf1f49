// Tests for keel/execution/fees.hpp. Expected figures are IBKR's own published worked examples
// (US stock and option commission pages) or hand arithmetic written beside each assertion,
// with the 2024 regulatory rates cited in fees.cpp: SEC $27.80 per million of sales, FINRA TAF
// $0.000166/share sold (max $8.30) and $0.00279/contract sold, ORF $0.02685/contract, OCC
// $0.02/contract (max $55.00). Every regulatory component is rounded to the cent on its own.
#include "keel/execution/fees.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace keel::execution {
namespace {

Price px(const char* t) { return *Price::parse(t); }
Quantity qty(const char* t) { return *Quantity::parse(t); }
Money usd(const char* t) { return *Money::parse(t); }

FeeCalculator calc(const char* preset) { return FeeCalculator(*fee_preset(preset)); }

FeeInput stock(OrderSide side, const char* q, const char* p) {
  FeeInput in;
  in.asset_class = AssetClass::kEquity;
  in.side = side;
  in.quantity = qty(q);
  in.price = px(p);
  return in;
}

FeeInput option(OrderSide side, const char* contracts, const char* premium) {
  FeeInput in;
  in.asset_class = AssetClass::kOption;
  in.side = side;
  in.quantity = qty(contracts);
  in.price = px(premium);
  in.multiplier = 100;
  return in;
}

constexpr int kMay2024 = 202405;
constexpr int kJun2024 = 202406;

TEST(FeePresets, NamesAndLookup) {
  const std::vector<std::string> expected{"zero", "retail", "ibkr_tiered", "ibkr_fixed"};
  EXPECT_EQ(fee_preset_names(), expected);
  for (const std::string& name : expected) {
    auto s = fee_preset(name);
    ASSERT_TRUE(s.ok()) << name;
    EXPECT_EQ(s->name, name);
    EXPECT_TRUE(validate(*s).ok()) << name;
  }
  auto bad = fee_preset("robinhood");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kNotFound);
  EXPECT_NE(bad.error().message.find("'robinhood'"), std::string::npos);
  EXPECT_NE(bad.error().message.find("ibkr_tiered"), std::string::npos);
}

TEST(FeePresets, ZeroChargesNothing) {
  auto c = calc("zero");
  auto f = c.charge(stock(OrderSide::kSell, "1000", "123.45"), kMay2024);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->commission, usd("0"));
  EXPECT_EQ(f->regulatory, usd("0"));
  auto o = c.charge(option(OrderSide::kSell, "10", "2.50"), kMay2024);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->total(), usd("0"));
}

TEST(RetailFees, OneContractSoldAt125) {
  auto c = calc("retail");
  auto f = c.charge(option(OrderSide::kSell, "1", "1.25"), kMay2024);
  ASSERT_TRUE(f.ok()) << f.error().message;
  // Commission: 1 x $0.65 = $0.65.
  EXPECT_EQ(f->commission, usd("0.65"));
  // SEC: 1.25 x 100 = $125 x 0.0000278 = $0.003475 -> $0.00; TAF: 1 x 0.00279 -> $0.00;
  // ORF/OCC included in the $0.65.
  EXPECT_EQ(f->regulatory, usd("0.00"));
  EXPECT_EQ(f->total(), usd("0.65"));
  EXPECT_EQ(f->trade_value, usd("125"));
}

TEST(RetailFees, TenContractsSoldAt125) {
  auto c = calc("retail");
  auto f = c.charge(option(OrderSide::kSell, "10", "1.25"), kMay2024);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->commission, usd("6.50"));  // 10 x 0.65
  // SEC: $1,250 x 0.0000278 = 0.03475 -> 0.03; TAF: 10 x 0.00279 = 0.0279 -> 0.03.
  EXPECT_EQ(f->regulatory, usd("0.06"));
  // Bought instead: no SEC fee, no TAF.
  auto b = c.charge(option(OrderSide::kBuy, "10", "1.25"), kMay2024);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->commission, usd("6.50"));
  EXPECT_EQ(b->regulatory, usd("0"));
}

TEST(RetailFees, HundredShareStockSale) {
  auto c = calc("retail");
  auto f = c.charge(stock(OrderSide::kSell, "100", "150.00"), kMay2024);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->commission, usd("0"));
  // SEC: 100 x 150 = $15,000 x 0.0000278 = $0.417 -> $0.42; TAF: 100 x 0.000166 = 0.0166 -> 0.02.
  EXPECT_EQ(f->regulatory, usd("0.44"));
  auto b = c.charge(stock(OrderSide::kBuy, "100", "150.00"), kMay2024);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->total(), usd("0"));  // purchases pay neither SEC fee nor TAF
}

TEST(RetailFees, TafCappedPerTrade) {
  auto c = calc("retail");
  auto f = c.charge(stock(OrderSide::kSell, "60000", "1.00"), kMay2024);
  ASSERT_TRUE(f.ok());
  // TAF: 60,000 x 0.000166 = $9.96 -> cap $8.30; SEC: $60,000 x 0.0000278 = $1.668 -> $1.67.
  EXPECT_EQ(f->regulatory, usd("9.97"));
  // Exactly at the cap: 50,000 x 0.000166 = $8.30; SEC: $50,000 x 0.0000278 = $1.39.
  auto g = c.charge(stock(OrderSide::kSell, "50000", "1.00"), kMay2024);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->regulatory, usd("9.69"));
}

// IBKR's published examples for US options, tiered, <= 10,000 contracts a month.
TEST(IbkrTieredFees, PublishedOptionExamples) {
  struct Case {
    const char* contracts;
    const char* premium;
    const char* commission;
  };
  const Case cases[] = {
      {"1", "2", "1.00"},      // 0.65 -> minimum $1.00
      {"2", "5", "1.30"},      // 2 x 0.65
      {"3", "0.075", "1.50"},  // 3 x 0.50
      {"5", "0.03", "1.25"},   // 5 x 0.25
  };
  for (const Case& k : cases) {
    auto c = calc("ibkr_tiered");
    auto f = c.charge(option(OrderSide::kBuy, k.contracts, k.premium), kMay2024);
    ASSERT_TRUE(f.ok()) << k.contracts << " @ " << k.premium;
    EXPECT_EQ(f->commission, usd(k.commission)) << k.contracts << " @ " << k.premium;
  }
  // Regulatory on a 1-lot purchase: ORF 0.02685 -> 0.03, OCC 0.02.
  auto c = calc("ibkr_tiered");
  auto f = c.charge(option(OrderSide::kBuy, "1", "2"), kMay2024);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->regulatory, usd("0.05"));
}

TEST(IbkrTieredFees, PremiumBoundaries) {
  // $0.05 is in the $0.50 band ("$0.05 <= premium < $0.10"), $0.10 in the $0.65 band.
  auto c = calc("ibkr_tiered");
  EXPECT_EQ(c.charge(option(OrderSide::kBuy, "10", "0.05"), kMay2024)->commission, usd("5.00"));
  EXPECT_EQ(c.charge(option(OrderSide::kBuy, "10", "0.10"), kMay2024)->commission, usd("6.50"));
  EXPECT_EQ(c.charge(option(OrderSide::kBuy, "10", "0.0499"), kMay2024)->commission, usd("2.50"));
}

TEST(IbkrTieredFees, OptionSaleRegulatory) {
  auto c = calc("ibkr_tiered");
  auto f = c.charge(option(OrderSide::kSell, "10", "3.00"), kMay2024);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->commission, usd("6.50"));
  // SEC: $3,000 x 0.0000278 = 0.0834 -> 0.08; TAF 10 x 0.00279 = 0.0279 -> 0.03;
  // ORF 10 x 0.02685 = 0.2685 -> 0.27; OCC 10 x 0.02 = 0.20. Sum 0.58.
  EXPECT_EQ(f->regulatory, usd("0.58"));
}

TEST(IbkrTieredFees, OccCappedPerTrade) {
  auto c = calc("ibkr_tiered");
  auto f = c.charge(option(OrderSide::kBuy, "3000", "1.00"), kMay2024);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->commission, usd("1950.00"));  // 3,000 x 0.65 (month-to-date 0 < 10,000)
  // ORF 3,000 x 0.02685 = 80.55; OCC 3,000 x 0.02 = 60.00 -> cap 55.00.
  EXPECT_EQ(f->regulatory, usd("135.55"));
}

TEST(IbkrTieredFees, OptionVolumeBands) {
  auto c = calc("ibkr_tiered");
  ASSERT_TRUE(c.charge(option(OrderSide::kBuy, "10000", "1.00"), kMay2024).ok());
  EXPECT_EQ(c.month_contracts(), 10000);
  // Month-to-date 10,000: the 10,001-50,000 band, $0.50 for premium >= $0.05.
  EXPECT_EQ(c.charge(option(OrderSide::kBuy, "10", "1.00"), kMay2024)->commission, usd("5.00"));
}

TEST(IbkrTieredFees, MinimumOnFirstPartialFillOnly) {
  auto c = calc("ibkr_tiered");
  // An order for 200 shares @ $50 filled as 50 + 150.
  FeeInput first = stock(OrderSide::kBuy, "50", "50");
  auto f1 = c.charge(first, kMay2024);
  ASSERT_TRUE(f1.ok());
  // 50 x 0.0035 = 0.175 < minimum 0.35: the first fill pays the minimum.
  EXPECT_EQ(f1->commission, usd("0.35"));
  EXPECT_EQ(f1->base_commission, usd("0.175"));
  FeeInput second = stock(OrderSide::kBuy, "150", "50");
  second.commission_already_charged = f1->commission;
  second.base_commission_already = f1->base_commission;
  second.value_already = f1->trade_value;
  auto f2 = c.charge(second, kMay2024);
  ASSERT_TRUE(f2.ok());
  // Order total 200 x 0.0035 = 0.70; 0.35 already paid.
  EXPECT_EQ(f2->commission, usd("0.35"));
  EXPECT_EQ(f1->commission + f2->commission, usd("0.70"));

  // 50 + 50: the order's 0.35 stays below the minimum, the second fill pays nothing.
  auto d = calc("ibkr_tiered");
  auto g1 = d.charge(stock(OrderSide::kBuy, "50", "50"), kMay2024);
  FeeInput g2in = stock(OrderSide::kBuy, "50", "50");
  g2in.commission_already_charged = g1->commission;
  g2in.base_commission_already = g1->base_commission;
  g2in.value_already = g1->trade_value;
  auto g2 = d.charge(g2in, kMay2024);
  ASSERT_TRUE(g2.ok());
  EXPECT_EQ(g1->commission, usd("0.35"));
  EXPECT_EQ(g2->commission, usd("0"));
}

TEST(IbkrTieredFees, StockTierSwitchAtMonthlyBoundary) {
  auto c = calc("ibkr_tiered");
  auto big = c.charge(stock(OrderSide::kBuy, "299999", "10"), kMay2024);
  ASSERT_TRUE(big.ok());
  // 299,999 x 0.0035 = 1,049.9965 -> 1,050.00 (1% cap 29,999.99 does not bind).
  EXPECT_EQ(big->commission, usd("1050.00"));
  // Month-to-date 299,999 < 300,000: the whole next fill is still in the first tier.
  EXPECT_EQ(c.charge(stock(OrderSide::kBuy, "1000", "10"), kMay2024)->commission, usd("3.50"));
  // Month-to-date 300,999: second tier, 1,000 x 0.0020.
  EXPECT_EQ(c.charge(stock(OrderSide::kBuy, "1000", "10"), kMay2024)->commission, usd("2.00"));
  EXPECT_EQ(c.month_shares(), qty("301999"));
  // New month: counters reset, first tier again.
  EXPECT_EQ(c.charge(stock(OrderSide::kBuy, "1000", "10"), kJun2024)->commission, usd("3.50"));
  EXPECT_EQ(c.month_shares(), qty("1000"));
  EXPECT_EQ(c.month(), kJun2024);
  // Going back to May is an error and changes nothing.
  auto back = c.charge(stock(OrderSide::kBuy, "1", "10"), kMay2024);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.error().message.find("202405"), std::string::npos);
  EXPECT_EQ(c.month_shares(), qty("1000"));
}

TEST(IbkrTieredFees, MaximumBelowMinimumWins) {
  // 100 shares @ $0.20: 100 x 0.0035 = 0.35 = minimum; 1% of $20 = $0.20 wins.
  auto c = calc("ibkr_tiered");
  EXPECT_EQ(c.charge(stock(OrderSide::kBuy, "100", "0.20"), kMay2024)->commission, usd("0.20"));
}

// IBKR's published examples for US stocks, fixed pricing.
TEST(IbkrFixedFees, PublishedStockExamples) {
  struct Case {
    const char* shares;
    const char* price;
    const char* commission;
  };
  const Case cases[] = {
      {"100", "25", "1.00"},    // 0.50 -> minimum $1.00
      {"1000", "25", "5.00"},   // 1,000 x 0.005
      {"1000", "0.25", "2.50"}, // 5.00 capped at 1% of $250
  };
  for (const Case& k : cases) {
    auto c = calc("ibkr_fixed");
    auto f = c.charge(stock(OrderSide::kBuy, k.shares, k.price), kMay2024);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->commission, usd(k.commission)) << k.shares << " @ " << k.price;
    EXPECT_EQ(f->regulatory, usd("0"));
  }
}

TEST(FeeCalculatorErrors, BadInputsNameTheField) {
  auto c = calc("ibkr_tiered");
  auto e1 = c.charge(stock(OrderSide::kBuy, "0", "10"), kMay2024);
  ASSERT_FALSE(e1.ok());
  EXPECT_NE(e1.error().message.find("quantity"), std::string::npos);
  auto e2 = c.charge(stock(OrderSide::kBuy, "1", "0"), kMay2024);
  ASSERT_FALSE(e2.ok());
  EXPECT_NE(e2.error().message.find("price"), std::string::npos);
  auto e3 = c.charge(option(OrderSide::kBuy, "1.5", "1"), kMay2024);
  ASSERT_FALSE(e3.ok());
  EXPECT_NE(e3.error().message.find("whole contracts"), std::string::npos);
  auto e4 = c.charge(stock(OrderSide::kBuy, "1", "10"), 202413);
  ASSERT_FALSE(e4.ok());
  EXPECT_NE(e4.error().message.find("202413"), std::string::npos);
  FeeInput neg = option(OrderSide::kBuy, "1", "1");
  neg.multiplier = 0;
  EXPECT_FALSE(c.charge(neg, kMay2024).ok());
  // None of the failures recorded volume.
  EXPECT_EQ(c.month_shares(), qty("0"));
  EXPECT_EQ(c.month_contracts(), 0);
}

TEST(FeeScheduleValidate, NamesTheField) {
  FeeSchedule s = *fee_preset("ibkr_tiered");
  s.stock_per_share[1].rate = usd("-0.001");
  auto e = validate(s);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("stock_per_share[1].rate"), std::string::npos);

  s = *fee_preset("ibkr_tiered");
  s.stock_per_share[2].up_to = 100;
  e = validate(s);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("stock_per_share[2].up_to"), std::string::npos);

  s = *fee_preset("retail");
  s.sec_fee_rate = 27.80;  // per million written without the division
  e = validate(s);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("sec_fee_rate"), std::string::npos);

  s = *fee_preset("retail");
  s.stock_max_fraction_of_value = 1.5;
  EXPECT_FALSE(validate(s).ok());
}

// Over any split of an order into fills, the commissions add up to the commission of one fill
// of the whole order (minimums and maximums are per order).
RC_GTEST_PROP(FeeProp, SplitOrderPaysLikeOneFill, ()) {
  const auto preset = *rc::gen::element(std::string("ibkr_tiered"), std::string("ibkr_fixed"));
  const auto price_cents = *rc::gen::inRange<std::int64_t>(1, 50'000);
  const auto parts = *rc::gen::container<std::vector<std::int64_t>>(*rc::gen::inRange<std::size_t>(1, 6),
                                                                     rc::gen::inRange<std::int64_t>(1, 3'000));
  const Price p = Price::from_raw(price_cents * 1'000'000, 2);
  FeeCalculator split(*fee_preset(preset));
  FeeInput in;
  in.side = OrderSide::kBuy;
  in.price = p;
  Money paid;
  std::int64_t total = 0;
  for (std::int64_t q : parts) {
    in.quantity = *Quantity::from_int(q);
    auto f = split.charge(in, kMay2024);
    RC_ASSERT(f.ok());
    RC_ASSERT(!f->commission.is_negative());
    paid += f->commission;
    in.commission_already_charged = in.commission_already_charged + f->commission;
    in.base_commission_already = in.base_commission_already + f->base_commission;
    in.value_already = in.value_already + f->trade_value;
    total += q;
  }
  FeeCalculator whole(*fee_preset(preset));
  FeeInput one;
  one.side = OrderSide::kBuy;
  one.price = p;
  one.quantity = *Quantity::from_int(total);
  RC_ASSERT(whole.charge(one, kMay2024)->commission == paid);
}

// The two breakdowns' commission, regulatory fees and base commission are equal, digits included.
void assert_same_fees(const FeeBreakdown& a, const FeeBreakdown& b) {
  RC_ASSERT(a.commission.raw() == b.commission.raw());
  RC_ASSERT(a.commission.precision() == b.commission.precision());
  RC_ASSERT(a.regulatory.raw() == b.regulatory.raw());
  RC_ASSERT(a.regulatory.precision() == b.regulatory.precision());
  RC_ASSERT(a.base_commission.raw() == b.base_commission.raw());
  RC_ASSERT(a.base_commission.precision() == b.base_commission.precision());
}

// The zero schedule skips the commission and regulatory arithmetic; a schedule that charges
// zero through that arithmetic (one explicit tier at $0 per share and per contract) must give
// the same breakdown bit for bit, the same errors (checked before the skip) and the same
// month-to-date counters, fill after fill.

RC_GTEST_PROP(FeeProp, ZeroScheduleMatchesExplicitZeroRates, ()) {
  FeeSchedule explicit_zero;
  explicit_zero.name = "explicit zero";
  explicit_zero.stock_per_share = {VolumeTier{INT64_MAX, Money::zero(2)}};
  explicit_zero.option_per_contract = {VolumeTier{INT64_MAX, Money::zero(2)}};
  FeeCalculator fast(*fee_preset("zero"));
  FeeCalculator general(explicit_zero);
  const auto n = *rc::gen::inRange<int>(1, 12);
  int month = kMay2024;
  for (int i = 0; i < n; ++i) {
    FeeInput in;
    in.asset_class = *rc::gen::element(AssetClass::kEquity, AssetClass::kOption);
    in.side = *rc::gen::element(OrderSide::kBuy, OrderSide::kSell);
    in.quantity = Quantity::from_raw(*rc::gen::inRange<std::int64_t>(-2, 5'000) * 50'000'000, 8);  // halves
    in.price = Price::from_raw(*rc::gen::inRange<std::int64_t>(-1, 100'000) * 1'000'000, 2);
    in.multiplier = in.asset_class == AssetClass::kOption ? 100 : 1;
    if (*rc::gen::inRange(0, 4) == 0) month = month == kMay2024 ? kJun2024 : kMay2024;  // some out of order
    auto a = fast.charge(in, month);
    auto b = general.charge(in, month);
    RC_ASSERT(a.ok() == b.ok());
    if (a.ok()) {
      assert_same_fees(*a, *b);
      RC_ASSERT(a->trade_value == b->trade_value);
      RC_ASSERT(a->trade_value.precision() == b->trade_value.precision());
    } else {
      RC_ASSERT(a.error().message == b.error().message);
    }
    RC_ASSERT(fast.month() == general.month());
    RC_ASSERT(fast.month_shares() == general.month_shares());
    RC_ASSERT(fast.month_contracts() == general.month_contracts());
  }
}

// The range check by hand: 1e9 shares at $100,000,000 is a trade value of 1e17 dollars, 1e25
// raw, beyond the Money range (about 9.2e10 dollars); 1e9 shares at $10, 1e10 dollars, is
// inside it (raw product 1e17 x 1e9 = 1e26, under the 9.2e26 bound).
TEST(FeeCalculatorErrors, ZeroScheduleRefusesAValueOutsideTheMoneyRange) {
  FeeCalculator c(*fee_preset("zero"));
  auto bad = c.charge(stock(OrderSide::kBuy, "1000000000", "100000000"), kMay2024);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kOverflow);
  EXPECT_EQ(c.month_shares(), Quantity{});  // nothing recorded
  auto good = c.charge(stock(OrderSide::kBuy, "1000000000", "10"), kMay2024);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->commission, usd("0.00"));
  EXPECT_EQ(c.month_shares(), qty("1000000000"));
}

}  // namespace
}  // namespace keel::execution
