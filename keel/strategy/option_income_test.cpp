// Tests for keel/strategy/option_income.hpp and its config, with the FakeContext of
// strategy_test_context.hpp (a real Portfolio; orders recorded, filled by hand).
//
// Chains are priced by Black–Scholes at vol 0.30 (bid/ask = price -+ 0.05), S = 100, r = 3%,
// q = 0, T = dte/365, so each row has the delta below. The table was computed independently
// (Python, math.erf normal CDF):
//
//   DTE 32      put price  put delta   call price  call delta
//   K 85        0.1004     -0.0285     15.3236     0.9715
//   K 90        0.4568     -0.1038     10.6932     0.8962
//   K 95        1.4410     -0.2574      6.6905     0.7426
//   K 100       3.4081     -0.4705      3.6708     0.5295
//   K 105       6.4668     -0.6827      1.7426     0.3173
//   K 110      10.4239     -0.8411      0.7128     0.1589
//   K 115      14.9499     -0.9331      0.2519     0.0669
//   DTE 74: put 100 5.0707 (delta -0.4552)
#include "keel/strategy/option_income.hpp"

#include <gtest/gtest.h>

#include <toml++/toml.h>

#include "keel/strategy/strategy_test_context.hpp"

namespace keel::strategy {
namespace {

using namespace keel::strategy::testing;  // NOLINT: test helpers
using Side = FakeContext::OptionSide;

const Date kDate = Date::ymd(2024, 6, 3);    // Monday
const Date kExp7 = Date::ymd(2024, 6, 10);   // DTE 7
const Date kExp32 = Date::ymd(2024, 7, 5);   // DTE 32
const Date kExp74 = Date::ymd(2024, 8, 16);  // DTE 74

// Puts and calls 85..115 on DTE 32 (and the 100 put on DTE 74) at vol 0.30.
const OptionChain& chain_32(FakeContext& ctx, double spot = 100.0, double vol = 0.30, Date date = kDate) {
  ChainBuilder b{ctx, "ACME", spot, date};
  for (double k : {85.0, 90.0, 95.0, 100.0, 105.0, 110.0, 115.0}) {
    b.priced(kExp32, kPut, k, vol);
    b.priced(kExp32, kCall, k, vol);
  }
  b.priced(kExp74, kPut, 100.0, vol);
  return b.build();
}

OptionIncomeConfig config(IncomeStructure s) {
  OptionIncomeConfig c;
  c.underlyings = {"ACME"};
  c.structure = s;
  c.min_dte = 20;
  c.max_dte = 45;
  c.target_dte = 30;
  c.contracts_max = 100;
  c.min_credit = Price::zero(2);
  c.exit_dte = -1;
  c.profit_target = 0.0;
  c.loss_limit = 0.0;
  return c;
}

double leg_net(const OrderRequest& r) { return r.limit_price->to_double(); }

// Runs `c` once on the DTE-32 chain in ctx's account; the one order it submitted, or nullptr
// (a test failure naming what the strategy said) when it did not submit exactly one.
const OrderRequest* enter_once(FakeContext& ctx, const OptionIncomeConfig& c) {
  OptionIncomeStrategy s(c, ctx.portfolio().account_type());
  const Status st = s.on_chain(ctx, chain_32(ctx));
  if (!st.ok()) {
    ADD_FAILURE() << st.error().message;
    return nullptr;
  }
  if (ctx.submitted.size() != 1) {
    ADD_FAILURE() << ctx.submitted.size() << " orders; last log: " << (ctx.logs.empty() ? "" : ctx.logs.back());
    return nullptr;
  }
  return &ctx.submitted[0];
}

TEST(OptionIncome, BullPutSellsTheDeltaPutAndBuysTheWingAsOneCombo) {
  FakeContext ctx(usd(100'000));
  ctx.add_stock("ACME");
  OptionIncomeConfig c = config(IncomeStructure::kBullPut);
  c.short_delta = 0.25;
  c.wing_width = Price::parse("5").value();
  c.capital_at_risk = 0.05;
  const OrderRequest* entered = enter_once(ctx, c);
  ASSERT_NE(entered, nullptr);
  const OrderRequest& r = *entered;
  ASSERT_EQ(r.legs.size(), 2u);
  // |delta| 0.2574 (95) is closest to 0.25; the wing $5 below is the 90 put.
  EXPECT_EQ(ctx.instrument(r.legs[0].instrument)->option->strike, px(95.0));
  EXPECT_EQ(r.legs[0].side, OrderSide::kSell);
  EXPECT_EQ(ctx.instrument(r.legs[1].instrument)->option->strike, px(90.0));
  EXPECT_EQ(r.legs[1].side, OrderSide::kBuy);
  EXPECT_EQ(r.side, OrderSide::kBuy);
  EXPECT_TRUE(r.all_or_none);
  // Net = 90 ask - 95 bid = (0.4568 + 0.05) - (1.4410 - 0.05) = -0.8842 (a credit).
  EXPECT_NEAR(leg_net(r), -0.8842, 1e-4);
  // Max loss (5 - 0.8842) x 100 = 411.58; 5% of 100,000 = 5,000 -> floor(12.15) = 12 contracts
  // (buying power: 100,000 / (5 x 100) = 200).
  EXPECT_EQ(r.quantity, qty(12));
}

TEST(OptionIncome, IronCondorLegsNetAndMaxLossSizing) {
  FakeContext ctx(usd(100'000));
  ctx.add_stock("ACME");
  OptionIncomeConfig c = config(IncomeStructure::kIronCondor);
  c.short_delta = 0.16;
  c.wing_width = Price::parse("5").value();
  c.capital_at_risk = 0.05;
  const OrderRequest* entered = enter_once(ctx, c);
  ASSERT_NE(entered, nullptr);
  const OrderRequest& r = *entered;
  ASSERT_EQ(r.legs.size(), 4u);
  // Puts: |delta| 0.1038 (90) is closer to 0.16 than 0.2574 (95); calls: 0.1589 (110).
  const double strikes[] = {90, 85, 110, 115};
  const OrderSide sides[] = {OrderSide::kSell, OrderSide::kBuy, OrderSide::kSell, OrderSide::kBuy};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(ctx.instrument(r.legs[i].instrument)->option->strike, px(strikes[i])) << i;
    EXPECT_EQ(r.legs[i].side, sides[i]) << i;
  }
  // Credit = (0.4568 - 0.05) + (0.7128 - 0.05) - (0.1004 + 0.05) - (0.2519 + 0.05) = 0.6173.
  EXPECT_NEAR(leg_net(r), -0.6173, 1e-4);
  // Max loss (5 - 0.6173) x 100 = 438.27 -> floor(5,000 / 438.27) = 11.
  EXPECT_EQ(r.quantity, qty(11));
}

TEST(OptionIncome, ShortStrangleIsSizedByTheRegTCombinationRequirement) {
  FakeContext ctx(usd(100'000), portfolio::AccountType::kMargin);
  ctx.add_stock("ACME");
  OptionIncomeConfig c = config(IncomeStructure::kShortStrangle);
  c.short_delta = 0.16;
  c.capital_at_risk = 0.10;
  const OrderRequest* entered = enter_once(ctx, c);
  ASSERT_NE(entered, nullptr);
  const OrderRequest& r = *entered;
  ASSERT_EQ(r.legs.size(), 2u);
  EXPECT_EQ(ctx.instrument(r.legs[0].instrument)->option->strike, px(90.0));
  EXPECT_EQ(ctx.instrument(r.legs[1].instrument)->option->strike, px(110.0));
  EXPECT_NEAR(leg_net(r), -(0.4068 + 0.6628), 1e-4);
  // Naked put: max(20 - 10 OTM, 9) + 0.4068 = 10.4068; naked call: max(20 - 10, 10) + 0.6628 =
  // 10.6628. Combination: 10.6628 + 0.4068 = 11.0696 -> 1,106.96 per contract;
  // floor(10,000 / 1,106.96) = 9.
  EXPECT_EQ(r.quantity, qty(9));
}

TEST(OptionIncome, CashSecuredPutReservesTheStrike) {
  FakeContext ctx(usd(100'000));
  ctx.add_stock("ACME");
  OptionIncomeConfig c = config(IncomeStructure::kCashSecuredPut);
  c.short_delta = 0.25;
  c.capital_at_risk = 0.30;
  const OrderRequest* entered = enter_once(ctx, c);
  ASSERT_NE(entered, nullptr);
  const OrderRequest& r = *entered;
  EXPECT_TRUE(r.legs.empty());
  EXPECT_EQ(ctx.instrument(r.instrument)->option->strike, px(95.0));
  EXPECT_EQ(r.side, OrderSide::kSell);
  EXPECT_NEAR(r.limit_price->to_double(), 1.4410 - 0.05, 1e-4);
  // 95 x 100 = 9,500 per contract; 30% of 100,000 = 30,000 -> 3.
  EXPECT_EQ(r.quantity, qty(3));
}

TEST(OptionIncome, CalendarBuysTheSameStrikeFarAndIsCappedByBuyingPower) {
  FakeContext ctx(usd(100'000));
  ctx.add_stock("ACME");
  OptionIncomeConfig c = config(IncomeStructure::kCalendar);
  c.right = kPut;
  c.short_delta = 0.50;
  c.far_min_dte = 50;
  c.far_max_dte = 100;
  c.far_target_dte = 70;
  c.capital_at_risk = 0.03;
  const OrderRequest* entered = enter_once(ctx, c);
  ASSERT_NE(entered, nullptr);
  const OrderRequest& r = *entered;
  ASSERT_EQ(r.legs.size(), 2u);
  EXPECT_EQ(ctx.instrument(r.legs[0].instrument)->option->expiry, kExp32);
  EXPECT_EQ(ctx.instrument(r.legs[1].instrument)->option->expiry, kExp74);
  EXPECT_EQ(ctx.instrument(r.legs[1].instrument)->option->strike, px(100.0));
  // Debit = far ask - near bid = (5.0707 + 0.05) - (3.4081 - 0.05) = 1.7626.
  EXPECT_NEAR(leg_net(r), 1.7626, 1e-4);
  // Max loss 176.26 allows floor(3,000 / 176.26) = 17, but the cash account needs the near
  // put's strike (10,000) plus the far ask (512.07): floor(100,000 / 10,512.07) = 9.
  EXPECT_EQ(r.quantity, qty(9));
}

TEST(OptionIncome, MinCreditToWidthAndMinCreditSkip) {
  FakeContext ctx(usd(100'000));
  ctx.add_stock("ACME");
  OptionIncomeConfig c = config(IncomeStructure::kBullPut);
  c.short_delta = 0.25;
  c.wing_width = Price::parse("5").value();
  c.min_credit_to_width = 0.18;  // 0.8842 / 5 = 17.7%
  OptionIncomeStrategy s(c, portfolio::AccountType::kCash);
  ASSERT_TRUE(s.on_chain(ctx, chain_32(ctx)).ok());
  EXPECT_TRUE(ctx.submitted.empty());
  EXPECT_TRUE(ctx.logged("17.7% of width 5.00, below min_credit_to_width 18.0%")) << ctx.logs.back();

  c.min_credit_to_width = 0.17;
  c.min_credit = Price::parse("0.90").value();
  OptionIncomeStrategy s2(c, portfolio::AccountType::kCash);
  ASSERT_TRUE(s2.on_chain(ctx, chain_32(ctx)).ok());
  EXPECT_TRUE(ctx.submitted.empty());
  EXPECT_TRUE(ctx.logged("credit 0.88 below min_credit 0.90")) << ctx.logs.back();
}

// A bull put held 2x: sold the 95 put at 1.50, bought the 90 at 0.50: entry credit 1.00.
struct HeldBullPut {
  explicit HeldBullPut(OptionIncomeConfig c) : ctx(usd(100'000)), strategy((c.wing_width = Price::parse("5").value(), c),
                                                                            portfolio::AccountType::kCash) {
    ctx.add_stock("ACME");
    ctx.fill(ctx.add_option("ACME", kExp32, kPut, 95.0), Side::kSell, 2, 1.50);
    ctx.fill(ctx.add_option("ACME", kExp32, kPut, 90.0), Side::kBuy, 2, 0.50);
  }
  const OptionChain& chain(double spot, double short_bid, double short_ask, double long_bid, double long_ask,
                           Date expiry = kExp32) {
    ChainBuilder b{ctx, "ACME", spot, kDate};
    b.quoted(expiry, kPut, 95.0, short_bid, short_ask);
    b.quoted(expiry, kPut, 90.0, long_bid, long_ask);
    return b.build();
  }
  FakeContext ctx;
  OptionIncomeStrategy strategy;
};

TEST(OptionIncome, ProfitTargetClosesAsOneComboAtTheTouch) {
  OptionIncomeConfig c = config(IncomeStructure::kBullPut);
  c.profit_target = 0.50;
  HeldBullPut h(c);
  // To close: 95 ask 0.70 - 90 bid 0.15 = 0.55; P&L 1.00 - 0.55 = 0.45 < 0.50: hold.
  ASSERT_TRUE(h.strategy.on_chain(h.ctx, h.chain(100.0, 0.60, 0.70, 0.15, 0.20)).ok());
  EXPECT_TRUE(h.ctx.submitted.empty());
  // 0.60 - 0.15 = 0.45 to close; P&L 0.55 >= 0.50 x 1.00: close.
  ASSERT_TRUE(h.strategy.on_chain(h.ctx, h.chain(100.0, 0.55, 0.60, 0.15, 0.20)).ok());
  ASSERT_EQ(h.ctx.submitted.size(), 1u);
  const OrderRequest& r = h.ctx.submitted[0];
  ASSERT_EQ(r.legs.size(), 2u);
  EXPECT_EQ(h.ctx.instrument(r.legs[0].instrument)->option->strike, px(95.0));
  EXPECT_EQ(r.legs[0].side, OrderSide::kBuy);
  EXPECT_EQ(r.legs[1].side, OrderSide::kSell);
  EXPECT_EQ(r.side, OrderSide::kBuy);
  EXPECT_EQ(*r.limit_price, px(0.45));
  EXPECT_EQ(r.quantity, qty(2));
  EXPECT_TRUE(r.all_or_none);
  EXPECT_NE(r.reason.find("profit target 50% of premium"), std::string::npos) << r.reason;
}

TEST(OptionIncome, LossLimitFiresAtAMultipleOfTheCredit) {
  OptionIncomeConfig c = config(IncomeStructure::kBullPut);
  c.loss_limit = 2.0;
  HeldBullPut h(c);
  // 3.25 - 0.30 = 2.95 to close: loss 1.95 < 2.00: hold.
  ASSERT_TRUE(h.strategy.on_chain(h.ctx, h.chain(96.0, 3.20, 3.25, 0.30, 0.35)).ok());
  EXPECT_TRUE(h.ctx.submitted.empty());
  // 3.30 - 0.30 = 3.00: loss 2.00 >= 2 x 1.00.
  ASSERT_TRUE(h.strategy.on_chain(h.ctx, h.chain(96.0, 3.20, 3.30, 0.30, 0.35)).ok());
  ASSERT_EQ(h.ctx.submitted.size(), 1u);
  EXPECT_EQ(*h.ctx.submitted[0].limit_price, px(3.00));
  EXPECT_NE(h.ctx.submitted[0].reason.find("loss limit 2.00x premium"), std::string::npos);
}

TEST(OptionIncome, DteExitAndTestedStrike) {
  OptionIncomeConfig c = config(IncomeStructure::kBullPut);
  c.exit_when_tested = true;
  c.tested_band = 0.01;
  {
    HeldBullPut h(c);
    // 95 x 1.01 = 95.95: the underlying at 96.00 is outside the band; at 95.95 it is tested.
    ASSERT_TRUE(h.strategy.on_chain(h.ctx, h.chain(96.00, 1.00, 1.10, 0.20, 0.25)).ok());
    EXPECT_TRUE(h.ctx.submitted.empty());
    ASSERT_TRUE(h.strategy.on_chain(h.ctx, h.chain(95.95, 1.00, 1.10, 0.20, 0.25)).ok());
    ASSERT_EQ(h.ctx.submitted.size(), 1u);
    EXPECT_NE(h.ctx.submitted[0].reason.find("short put 95.00 tested"), std::string::npos);
  }
  c.exit_when_tested = false;
  c.tested_band = 0.0;
  c.exit_dte = 7;
  HeldBullPut h(c);
  // The same legs expiring 2024-06-10, DTE 7 <= exit_dte 7.
  h.ctx.fill(h.ctx.add_option("ACME", kExp32, kPut, 95.0), Side::kBuy, 2, 1.50);
  h.ctx.fill(h.ctx.add_option("ACME", kExp32, kPut, 90.0), Side::kSell, 2, 0.50);
  h.ctx.fill(h.ctx.add_option("ACME", kExp7, kPut, 95.0), Side::kSell, 2, 1.50);
  h.ctx.fill(h.ctx.add_option("ACME", kExp7, kPut, 90.0), Side::kBuy, 2, 0.50);
  ASSERT_TRUE(h.strategy.on_chain(h.ctx, h.chain(100.0, 1.00, 1.10, 0.20, 0.25, kExp7)).ok());
  ASSERT_EQ(h.ctx.submitted.size(), 1u);
  EXPECT_NE(h.ctx.submitted[0].reason.find("DTE 7 <= exit_dte 7"), std::string::npos) << h.ctx.submitted[0].reason;
}

TEST(OptionIncome, IvRankFilterGatesEntries) {
  OptionIncomeConfig c = config(IncomeStructure::kCashSecuredPut);
  c.short_delta = 0.25;
  c.capital_at_risk = 0.30;
  c.iv_rank_min = 50.0;
  c.iv_rank_lookback = 2;
  const Date next = Date::ymd(2024, 6, 4);
  {
    // ATM vol 0.40 then 0.30: rank (0.30 - 0.30) / (0.40 - 0.30) = 0% < 50%: no entry.
    FakeContext ctx(usd(100'000));
    ctx.add_stock("ACME");
    OptionIncomeStrategy s(c, portfolio::AccountType::kCash);
    ctx.warm = true;
    ASSERT_TRUE(s.on_chain(ctx, chain_32(ctx, 100.0, 0.40, kDate)).ok());
    ctx.warm = false;
    ASSERT_TRUE(s.on_chain(ctx, chain_32(ctx, 100.0, 0.30, next)).ok());
    EXPECT_TRUE(ctx.submitted.empty());
    EXPECT_TRUE(ctx.logged("IV rank 0.0 below iv_rank_min 50.0")) << ctx.logs.back();
  }
  // 0.30 then 0.40: rank 100%: the put is sold.
  FakeContext ctx(usd(100'000));
  ctx.add_stock("ACME");
  OptionIncomeStrategy s(c, portfolio::AccountType::kCash);
  ctx.warm = true;
  ASSERT_TRUE(s.on_chain(ctx, chain_32(ctx, 100.0, 0.30, kDate)).ok());
  ctx.warm = false;
  ASSERT_TRUE(s.on_chain(ctx, chain_32(ctx, 100.0, 0.40, next)).ok());
  ASSERT_EQ(ctx.submitted.size(), 1u);
  ASSERT_TRUE(s.iv_rank("ACME").has_value());
  EXPECT_NEAR(*s.iv_rank("ACME"), 100.0, 1e-6);
}

TEST(OptionIncome, ConfigErrorsNameTheLineAndKey) {
  auto parse = [](const char* text, portfolio::AccountType a = portfolio::AccountType::kCash) {
    return parse_option_income_config(*toml::parse(std::string_view(text), std::string_view("x.toml"))["option_income"].as_table(), "x.toml", a);
  };
  auto ok = parse("[option_income]\nunderlyings = [\"ACME\"]\nstructure = \"iron_condor\"\nwing_strikes = 2\n");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->wing_strikes, 2);
  auto no_wing = parse("[option_income]\nunderlyings = [\"ACME\"]\nstructure = \"bull_put\"\n");
  ASSERT_FALSE(no_wing.ok());
  EXPECT_EQ(no_wing.error().message,
            "x.toml:1: option_income: structure = \"bull_put\" needs exactly one of wing_width, wing_strikes, "
            "long_delta to place its long leg (0 given)");
  auto range = parse("[option_income]\nunderlyings = [\"ACME\"]\nstructure = \"cash_secured_put\"\nshort_delta = 1.5\n");
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.error().message, "x.toml:4: option_income.short_delta = 1.5 out of range (0, 1)");
  auto call_cal = parse("[option_income]\nunderlyings = [\"ACME\"]\nstructure = \"calendar\"\nright = \"call\"\n");
  ASSERT_FALSE(call_cal.ok());
  EXPECT_NE(call_cal.error().message.find("x.toml:4: option_income: a call calendar needs backtest.account = \"margin\""),
            std::string::npos)
      << call_cal.error().message;
  auto call_cal_margin = parse("[option_income]\nunderlyings = [\"ACME\"]\nstructure = \"calendar\"\nright = \"call\"\n",
                               portfolio::AccountType::kMargin);
  EXPECT_TRUE(call_cal_margin.ok());
  auto pt = parse("[option_income]\nunderlyings = [\"ACME\"]\nstructure = \"short_straddle\"\n",
                  portfolio::AccountType::kMargin);
  EXPECT_TRUE(pt.ok());
  auto big_pt = parse("[option_income]\nunderlyings = [\"ACME\"]\nstructure = \"cash_secured_put\"\nprofit_target = 1.5\n");
  ASSERT_FALSE(big_pt.ok());
  EXPECT_EQ(big_pt.error().message, "x.toml:4: option_income.profit_target = 1.5 out of range 0 or (0, 1]");
}

}  // namespace
}  // namespace keel::strategy
