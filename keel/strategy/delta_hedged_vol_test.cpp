// Tests for keel/strategy/delta_hedged_vol.hpp with the FakeContext of
// strategy_test_context.hpp. Chain: S = 100, vol 0.30, r = 3%, DTE 32; by an independent
// Python BSM (math.erf normal CDF): put 100 price 3.4081 delta -0.4705, call 100 price 3.6708
// delta 0.5295 (bid/ask = price -+ 0.05).
#include "keel/strategy/delta_hedged_vol.hpp"

#include <gtest/gtest.h>

#include <toml++/toml.h>

#include "keel/strategy/strategy_test_context.hpp"

namespace keel::strategy {
namespace {

using namespace keel::strategy::testing;  // NOLINT: test helpers
using Side = FakeContext::OptionSide;

const Date kDate = Date::ymd(2024, 6, 3);
const Date kExp32 = Date::ymd(2024, 7, 5);

const OptionChain& chain(FakeContext& ctx, Date date = kDate) {
  ChainBuilder b{ctx, "ACME", 100.0, date};
  for (double k : {95.0, 100.0, 105.0}) {
    b.priced(kExp32, kPut, k, 0.30);
    b.priced(kExp32, kCall, k, 0.30);
  }
  return b.build();
}

DeltaHedgedVolConfig config(HedgeMode mode) {
  DeltaHedgedVolConfig c;
  c.underlyings = {"ACME"};
  c.direction = VolDirection::kLong;
  c.hedge = mode;
  c.exit_dte = -1;
  c.contracts_max = 2;
  c.capital_at_risk = 0.5;
  return c;
}

TEST(DeltaHedgedVol, HedgeSharesRoundsToWholeSharesHalvesAwayFromZero) {
  using S = DeltaHedgedVolStrategy;
  // Target stock = -round(D): D = +53.2 -> -53; D = -12.5 -> +13 (half away from zero).
  EXPECT_EQ(S::hedge_shares(53.2, 0, HedgeMode::kDaily, 0.0, true), -53);
  EXPECT_EQ(S::hedge_shares(-12.5, 0, HedgeMode::kDaily, 0.0, true), 13);
  EXPECT_EQ(S::hedge_shares(53.2, -50, HedgeMode::kDaily, 0.0, true), -3);
  // Daily: only the first snapshot of a session.
  EXPECT_EQ(S::hedge_shares(53.2, 0, HedgeMode::kDaily, 0.0, false), 0);
  // Threshold 25: D = 30 with -10 held leaves 20 uncovered (no order); D = 40: 30 > 25, trade
  // to -40, i.e. sell 30.
  EXPECT_EQ(S::hedge_shares(30.0, -10, HedgeMode::kThreshold, 25.0, true), 0);
  EXPECT_EQ(S::hedge_shares(40.0, -10, HedgeMode::kThreshold, 25.0, false), -30);
  EXPECT_EQ(S::hedge_shares(-40.0, 10, HedgeMode::kThreshold, 25.0, false), 30);
}

TEST(DeltaHedgedVol, OpensTheAtmStraddleAsOneCombo) {
  FakeContext ctx(usd(100'000), portfolio::AccountType::kMargin);
  ctx.add_stock("ACME");
  DeltaHedgedVolStrategy s(config(HedgeMode::kDaily));
  ASSERT_TRUE(s.on_chain(ctx, chain(ctx)).ok());
  ASSERT_EQ(ctx.submitted.size(), 1u) << (ctx.logs.empty() ? "" : ctx.logs.back());
  const OrderRequest& r = ctx.submitted[0];
  ASSERT_EQ(r.legs.size(), 2u);
  EXPECT_EQ(ctx.instrument(r.legs[0].instrument)->option->strike, px(100.0));
  EXPECT_EQ(ctx.instrument(r.legs[1].instrument)->option->strike, px(100.0));
  EXPECT_EQ(r.legs[0].side, OrderSide::kBuy);
  EXPECT_EQ(r.legs[1].side, OrderSide::kBuy);
  // Debit = put ask + call ask = 3.4581 + 3.7208 = 7.1789; 2 contracts (contracts_max).
  EXPECT_NEAR(r.limit_price->to_double(), 7.1789, 1e-4);
  EXPECT_EQ(r.quantity, qty(2));
}

TEST(DeltaHedgedVol, HedgesTheHeldStraddleDailyAndOnThreshold) {
  for (HedgeMode mode : {HedgeMode::kDaily, HedgeMode::kThreshold}) {
    FakeContext ctx(usd(100'000), portfolio::AccountType::kMargin);
    const Instrument& stock = ctx.add_stock("ACME");
    DeltaHedgedVolConfig c = config(mode);
    if (mode == HedgeMode::kThreshold) c.hedge_threshold = 10.0;
    DeltaHedgedVolStrategy s(c);
    ctx.fill(ctx.add_option("ACME", kExp32, kPut, 100.0), Side::kBuy, 2, 3.45);
    ctx.fill(ctx.add_option("ACME", kExp32, kCall, 100.0), Side::kBuy, 2, 3.72);
    // D = 2 x 100 x (0.5295 - 0.4705) = 11.8 shares: sell round(11.8) = 12.
    ASSERT_TRUE(s.on_chain(ctx, chain(ctx)).ok());
    ASSERT_EQ(ctx.submitted.size(), 1u) << to_string(mode);
    const OrderRequest& r = ctx.submitted[0];
    EXPECT_EQ(r.instrument, stock.id);
    EXPECT_EQ(r.side, OrderSide::kSell);
    EXPECT_EQ(r.type, OrderType::kMarket);
    EXPECT_EQ(r.quantity, qty(12));
    // With the hedge held (-12 shares) the residual is -0.2 shares: daily mode on a later
    // session re-sends nothing (target - held = 0), threshold mode sees |-0.2| <= 10.
    ctx.submitted.clear();
    execution::Fill f;
    f.order_id = ClientOrderId("H-1");
    f.instrument = stock.id;
    f.side = OrderSide::kSell;
    f.quantity = qty(12);
    f.price = px(100.0);
    f.commission = Money::zero(2);
    f.regulatory_fees = Money::zero(2);
    f.ts = ctx.now();
    ASSERT_TRUE(ctx.pf.apply_fill(f, stock, "hedge").ok());
    ASSERT_TRUE(s.on_chain(ctx, chain(ctx, Date::ymd(2024, 6, 4))).ok());
    EXPECT_TRUE(ctx.submitted.empty()) << ctx.submitted[0].reason;
  }
}

TEST(DeltaHedgedVol, CashAccountIsRefusedAtConfigTime) {
  const char* text = "[delta_hedged_vol]\nunderlyings = [\"ACME\"]\ndirection = \"short\"\nhedge = \"threshold\"\n";
  const toml::table root = toml::parse(std::string_view(text), std::string_view("v.toml"));
  auto cash = parse_delta_hedged_vol_config(*root["delta_hedged_vol"].as_table(), "v.toml", portfolio::AccountType::kCash);
  ASSERT_FALSE(cash.ok());
  EXPECT_EQ(cash.error().message,
            "v.toml:3: delta_hedged_vol needs backtest.account = \"margin\": its hedge sells shares short when the "
            "options' delta is positive, and a short straddle/strangle has undefined risk");
  auto margin = parse_delta_hedged_vol_config(*root["delta_hedged_vol"].as_table(), "v.toml", portfolio::AccountType::kMargin);
  ASSERT_TRUE(margin.ok()) << margin.error().message;
  EXPECT_EQ(margin->direction, VolDirection::kShort);
  EXPECT_EQ(margin->hedge, HedgeMode::kThreshold);
}

}  // namespace
}  // namespace keel::strategy
