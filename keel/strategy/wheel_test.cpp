// Tests for keel/strategy/wheel.hpp with a FakeContext (strategy_test_context.hpp: the engine's
// Context as a test double) and a real portfolio::Portfolio for positions, cash and the wheel basis.
//
// Chains are built by build_chain from quotes priced by Black–Scholes at known vols (bid/ask
// 0.05 around the price), so every row has the delta the tables below give. The tables were
// computed independently (Python, math.erf normal CDF, BSM with r = 3%, q = 0, T = dte/365):
//
//   Puts, S = 100, vol 0.30, DTE 32            Puts, S = 100, vol 0.80, DTE 11
//   K      price   delta    P(OTM)             K      price   delta    bid/K
//   90     0.4568  -0.1038  0.8793             90     1.6803  -0.2020  1.811%
//   92.5   0.8450  -0.1706  0.8059             92.5   2.3689  -0.2620  2.507%
//   95     1.4410  -0.2574  0.7132             95     3.2283  -0.3281  3.346%
//   97.5   2.2871  -0.3598  0.6065             97.5   4.2673  -0.3981  4.325%
//   100    3.4081  -0.4705  0.4941
//   (bid/K of the 95 put at DTE 32: (1.4410 - 0.05) / 95 = 1.464%)
//
//   Calls, S = 48, vol 0.10, DTE 32
//   K      price   delta
//   48.5   0.4022  0.4027
//   49     0.2389  0.2767
//   49.5   0.1319  0.1747
//   50     0.0674  0.1011
#include "keel/strategy/wheel.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "keel/analytics/black_scholes.hpp"
#include "keel/core/calendar.hpp"
#include "keel/strategy/strategy_test_context.hpp"

namespace keel::strategy {
namespace {

using namespace keel::strategy::testing;  // FakeContext, ChainBuilder, px, qty, usd, close_of, kCall, kPut, kRate

const Date kDate = kContextDate;             // Monday 2024-06-03
const Date kExp11 = Date::ymd(2024, 6, 14);  // DTE 11
const Date kExp32 = Date::ymd(2024, 7, 5);   // DTE 32
const Date kExp74 = Date::ymd(2024, 8, 16);  // DTE 74: outside the default window
const Date kExp4 = Date::ymd(2024, 6, 7);    // DTE 4: inside roll_dte 5

// Puts of the tables above: DTE 11 at vol 0.80, DTE 32 and 74 at vol 0.30.
const OptionChain& acme_put_chain(FakeContext& ctx) {
  ChainBuilder b{ctx, "ACME", 100.0};
  for (double k : {85.0, 87.5, 90.0, 92.5, 95.0, 97.5, 100.0}) {
    b.priced(kExp11, kPut, k, 0.80);
    b.priced(kExp32, kPut, k, 0.30);
    b.priced(kExp74, kPut, k, 0.30);
  }
  return b.build();
}

WheelConfig config(std::vector<std::string> u = {"ACME"}) {
  WheelConfig c;
  c.underlyings = std::move(u);
  // The hand-built call chain quotes far strikes at a few cents; the premium floor has its own
  // test (MinCallPremiumKeepsCheapCallsUnsold).
  c.min_call_premium = Price::zero(2);
  return c;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(Wheel, SymbolsAreTheUnderlyings) {
  WheelStrategy w(config({"ACME", "ZEPH"}));
  EXPECT_EQ(w.symbols(), (std::vector<std::string>{"ACME", "ZEPH"}));
  EXPECT_EQ(w.name(), "wheel");
}

TEST(Wheel, SellsThePutClosestToTheTargetDeltaOnThePreferredExpiry) {
  FakeContext ctx(usd(100'000));
  ctx.add_stock("ACME");
  WheelStrategy w(config());
  const OptionChain& chain = acme_put_chain(ctx);
  ASSERT_TRUE(w.on_chain(ctx, chain).ok());
  // Window 7..45, target 30: DTE 32 (|32-30| = 2) beats DTE 11 (19); DTE 74 is outside.
  // |delta| closest to 0.30 at DTE 32: 95 (0.2574, off by 0.0426) beats 97.5 (0.3598, 0.0598).
  // Yield (1.4410 - 0.05) / 95 = 1.464% >= 1%.
  ASSERT_EQ(ctx.submitted.size(), 1u);
  const OrderRequest& r = ctx.submitted[0];
  const Instrument* inst = ctx.instrument(r.instrument);
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(inst->option->expiry, kExp32);
  EXPECT_EQ(inst->option->right, kPut);
  EXPECT_EQ(inst->option->strike, px(95));
  EXPECT_EQ(r.side, OrderSide::kSell);
  EXPECT_EQ(r.type, OrderType::kLimit);
  EXPECT_EQ(r.tif, execution::TimeInForce::kDay);
  EXPECT_EQ(*r.limit_price, chain.find(inst->id)->bid);  // sells at the bid
  EXPECT_EQ(r.reason, "wheel: sell put 95.00 delta 0.26 DTE 32 yield 1.5%");
}

TEST(Wheel, ProbabilitySelectionUsesOneMinusProbItm) {
  FakeContext ctx(usd(100'000));
  WheelConfig c = config();
  c.put_selection = PutSelection::kProbability;
  c.put_probability_otm = 0.62;
  WheelStrategy w(c);
  ASSERT_TRUE(w.on_chain(ctx, acme_put_chain(ctx)).ok());
  // P(OTM) closest to 0.62 at DTE 32: 97.5 (0.6065, off 0.0135) beats 95 (0.7132, off 0.0932).
  ASSERT_EQ(ctx.submitted.size(), 1u);
  const Instrument* inst = ctx.instrument(ctx.submitted[0].instrument);
  EXPECT_EQ(inst->option->strike, px(97.5));
  EXPECT_EQ(inst->option->expiry, kExp32);
  EXPECT_TRUE(contains(ctx.submitted[0].reason, "P(OTM) 0.61 delta 0.36 DTE 32")) << ctx.submitted[0].reason;
}

TEST(Wheel, PremiumYieldFilterFallsBackToTheNextExpiry) {
  FakeContext ctx(usd(100'000));
  WheelConfig c = config();
  c.min_premium_yield = 0.02;
  WheelStrategy w(c);
  ASSERT_TRUE(w.on_chain(ctx, acme_put_chain(ctx)).ok());
  // DTE 32's 95 put yields 1.464% < 2%; next preferred is DTE 11 (vol 0.80), whose closest to
  // 0.30 is 95 (0.3281, off 0.0281; 92.5 is off 0.0380) yielding 3.346%.
  ASSERT_EQ(ctx.submitted.size(), 1u);
  const Instrument* inst = ctx.instrument(ctx.submitted[0].instrument);
  EXPECT_EQ(inst->option->expiry, kExp11);
  EXPECT_EQ(inst->option->strike, px(95));

  FakeContext ctx2(usd(100'000));
  c.min_premium_yield = 0.05;  // nothing yields 5%
  WheelStrategy w2(c);
  ASSERT_TRUE(w2.on_chain(ctx2, acme_put_chain(ctx2)).ok());
  EXPECT_TRUE(ctx2.submitted.empty());
  EXPECT_TRUE(ctx2.logged("ACME: no put passes min_premium_yield 5.0%"));
}

// One put, K = 50, DTE 32, spot 53: the only candidate.
const OptionChain& fifty_put_chain(FakeContext& ctx) {
  ChainBuilder b{ctx, "ACME", 53.0};
  b.priced(kExp32, kPut, 50, 0.40);
  return b.build();
}

TEST(Wheel, SizingByCapitalAtRisk) {
  FakeContext ctx(usd(100'000));
  WheelConfig c = config();
  c.min_premium_yield = 0.0;
  WheelStrategy w(c);
  ASSERT_TRUE(w.on_chain(ctx, fifty_put_chain(ctx)).ok());
  // Equity 100,000; one contract at K = 50 secures 50 x 100 = 5,000.
  // capital_at_risk_limit 25% -> 25,000 / 5,000 = 5; cash (100,000 - 5% buffer 5,000) / 5,000 =
  // 19; contracts_max 10 -> min(10, 5, 19) = 5.
  ASSERT_EQ(ctx.submitted.size(), 1u);
  EXPECT_EQ(ctx.submitted[0].quantity, qty(5));

  FakeContext ctx2(usd(100'000));
  c.contracts_max = 3;
  WheelStrategy w2(c);
  ASSERT_TRUE(w2.on_chain(ctx2, fifty_put_chain(ctx2)).ok());
  ASSERT_EQ(ctx2.submitted.size(), 1u);
  EXPECT_EQ(ctx2.submitted[0].quantity, qty(3));
}

TEST(Wheel, SizingByFreeCash) {
  FakeContext ctx(usd(100'000));
  // 5 short ZEPH puts K = 170 sold at 2.00: cash 100,000 + 1,000 = 101,000, reserve
  // 170 x 100 x 5 = 85,000, buying power 16,000; equity 101,000 - 5 x 2.00 x 100 = 100,000.
  const Instrument& zeph = ctx.add_option("ZEPH", kExp32, kPut, 170);
  ctx.fill(zeph, Side::kSell, 5, 2.00);
  ASSERT_EQ(ctx.pf.equity(), usd(100'000));
  WheelConfig c = config({"ACME", "ZEPH"});
  c.min_premium_yield = 0.0;
  WheelStrategy w(c);
  ASSERT_TRUE(w.on_chain(ctx, fifty_put_chain(ctx)).ok());
  // Cap: 25,000 / 5,000 = 5. Cash: (16,000 - 5,000 buffer) / 5,000 = 2.2 -> 2.
  ASSERT_EQ(ctx.submitted.size(), 1u);
  EXPECT_EQ(ctx.submitted[0].quantity, qty(2));

  // A working order elsewhere takes its collateral too: a ZEPH-like put sale of 2 x K = 40
  // (8,000) leaves (16,000 - 8,000 - 5,000) / 5,000 = 0.6 -> no put, logged.
  FakeContext ctx2(usd(100'000));
  const Instrument& zeph2 = ctx2.add_option("ZEPH", kExp32, kPut, 170);
  ctx2.fill(zeph2, Side::kSell, 5, 2.00);
  const Instrument& other = ctx2.add_option("ZEPH", kExp32, kPut, 40);
  execution::Order o;
  o.id = ClientOrderId("W-1");
  o.instrument = other.id;
  o.side = OrderSide::kSell;
  o.type = OrderType::kLimit;
  o.quantity = qty(2);
  o.limit_price = px(1.0);
  o.status = execution::OrderStatus::kAccepted;
  ctx2.working.push_back(o);
  WheelStrategy w2(c);
  ASSERT_TRUE(w2.on_chain(ctx2, fifty_put_chain(ctx2)).ok());
  EXPECT_TRUE(ctx2.submitted.empty());
  EXPECT_TRUE(ctx2.logged("ACME: no put sized")) << (ctx2.logs.empty() ? "" : ctx2.logs.back());
}

RC_GTEST_PROP(Wheel, SizingIsTheSmallestOfTheThreeLimits, ()) {
  // Independent oracle in integer cents: with cash C dollars and nothing else held, equity and
  // buying power are C; one contract secures K x 100.
  const std::int64_t cash = *rc::gen::inRange<std::int64_t>(1'000, 2'000'000);
  const std::int64_t cap_bp = *rc::gen::inRange<std::int64_t>(1, 10'001);
  const std::int64_t buffer_bp = *rc::gen::inRange<std::int64_t>(0, 5'000);
  const int max_contracts = *rc::gen::inRange(1, 50);
  const std::int64_t strike_cents = *rc::gen::element<std::int64_t>(2'000, 3'550, 5'000, 8'000, 12'025);
  const std::int64_t per_contract_cents = strike_cents * 100;
  const std::int64_t n_cap = cash * 100 * cap_bp / 10'000 / per_contract_cents;
  const std::int64_t n_cash = (cash * 100 * (10'000 - buffer_bp) / 10'000) / per_contract_cents;
  const std::int64_t expected = std::min<std::int64_t>({max_contracts, n_cap, n_cash});

  FakeContext ctx(usd(cash));
  WheelConfig c = config();
  c.min_premium_yield = 0.0;
  c.capital_at_risk_limit = static_cast<double>(cap_bp) / 10'000.0;
  c.cash_buffer = static_cast<double>(buffer_bp) / 10'000.0;
  c.contracts_max = max_contracts;
  WheelStrategy w(c);
  const double k = static_cast<double>(strike_cents) / 100.0;
  ChainBuilder b{ctx, "ACME", k * 1.06};
  b.priced(kExp32, kPut, k, 0.40);
  RC_ASSERT(w.on_chain(ctx, b.build()).ok());
  if (expected <= 0) {
    RC_ASSERT(ctx.submitted.empty());
    RC_ASSERT(ctx.logged("ACME: no put sized"));
  } else {
    RC_ASSERT(ctx.submitted.size() == 1u);
    RC_ASSERT(ctx.submitted[0].quantity == qty(expected));
  }
}

// A chain whose ATM IV is `vol` (all strikes at one vol, one expiry) on date d.
const OptionChain& flat_chain(FakeContext& ctx, Date d, double vol) {
  ChainBuilder b{ctx, "ACME", 100.0, d};
  for (double k : {90.0, 95.0, 100.0}) b.priced(kExp32, kPut, k, vol);
  b.priced(kExp32, kCall, 100.0, vol);
  return b.build();
}

TEST(Wheel, NoPutWhileIvRankIsBelowTheMinimum) {
  FakeContext ctx(usd(100'000));
  WheelConfig c = config();
  c.iv_rank_min = 50;
  c.iv_rank_lookback = 3;
  c.min_premium_yield = 0.0;
  WheelStrategy w(c);
  // Sessions: ATM IV 0.40, 0.50 (window not full: rank unknown), then 0.30: window {0.40, 0.50,
  // 0.30}, rank = (0.30 - 0.30) / (0.50 - 0.30) = 0 < 50.
  ASSERT_TRUE(w.on_chain(ctx, flat_chain(ctx, Date::ymd(2024, 6, 3), 0.40)).ok());
  EXPECT_TRUE(ctx.logged("IV rank unknown (1 of 3 sessions"));
  ASSERT_TRUE(w.on_chain(ctx, flat_chain(ctx, Date::ymd(2024, 6, 4), 0.50)).ok());
  ASSERT_TRUE(w.on_chain(ctx, flat_chain(ctx, Date::ymd(2024, 6, 5), 0.30)).ok());
  EXPECT_TRUE(ctx.submitted.empty());
  ASSERT_TRUE(w.iv_rank("ACME").has_value());
  EXPECT_NEAR(*w.iv_rank("ACME"), 0.0, 1e-6);
  EXPECT_TRUE(ctx.logged("ACME: IV rank 0.0 below iv_rank_min 50.0; no put"));
  // Next session 0.45: window {0.50, 0.30, 0.45}, rank = 0.15 / 0.20 = 75 >= 50: trade.
  ASSERT_TRUE(w.on_chain(ctx, flat_chain(ctx, Date::ymd(2024, 6, 6), 0.45)).ok());
  EXPECT_NEAR(*w.iv_rank("ACME"), 75.0, 1e-5);
  ASSERT_EQ(ctx.submitted.size(), 1u);
  EXPECT_TRUE(contains(ctx.submitted[0].reason, "IV rank 75.0"));
  // A second snapshot on the same session adds no observation.
  ctx.submitted.clear();
  ASSERT_TRUE(w.on_chain(ctx, flat_chain(ctx, Date::ymd(2024, 6, 6), 0.10)).ok());
  EXPECT_NEAR(*w.iv_rank("ACME"), 75.0, 1e-5);
}

TEST(Wheel, NoOrdersDuringWarmUpButIvRankFills) {
  FakeContext ctx(usd(100'000));
  ctx.warm = true;
  WheelConfig c = config();
  c.iv_rank_lookback = 2;
  WheelStrategy w(c);
  ASSERT_TRUE(w.on_chain(ctx, flat_chain(ctx, Date::ymd(2024, 6, 3), 0.20)).ok());
  ASSERT_TRUE(w.on_chain(ctx, flat_chain(ctx, Date::ymd(2024, 6, 4), 0.30)).ok());
  EXPECT_TRUE(ctx.submitted.empty());
  EXPECT_TRUE(ctx.logs.empty());
  // Window {0.20, 0.30}: rank of 0.30 = 100.
  ASSERT_TRUE(w.iv_rank("ACME").has_value());
  EXPECT_NEAR(*w.iv_rank("ACME"), 100.0, 1e-6);
  ctx.warm = false;
  ASSERT_TRUE(w.on_chain(ctx, acme_put_chain(ctx)).ok());
  EXPECT_EQ(ctx.submitted.size(), 1u);
}

// A short put K = 95, DTE 32, sold at 1.20, and a chain quoting it at (bid, ask).
const OptionChain& short_put_at(FakeContext& ctx, double bid, double ask, int contracts = 2) {
  const Instrument& put = ctx.add_option("ACME", kExp32, kPut, 95);
  if (ctx.pf.positions().empty()) ctx.fill(put, Side::kSell, contracts, 1.20);
  ChainBuilder b{ctx, "ACME", 100.0};
  b.quoted(kExp32, kPut, 95, bid, ask);
  b.priced(kExp32, kPut, 90, 0.30);
  return b.build();
}

TEST(Wheel, ProfitTakeFiresAtHalfTheCredit) {
  // Credit 1.20, profit_take 0.50: buy back when ask <= 0.60.
  FakeContext ctx(usd(100'000));
  WheelStrategy w(config());
  ASSERT_TRUE(w.on_chain(ctx, short_put_at(ctx, 0.55, 0.61)).ok());
  EXPECT_TRUE(ctx.submitted.empty());
  ASSERT_TRUE(w.on_chain(ctx, short_put_at(ctx, 0.55, 0.60)).ok());
  ASSERT_EQ(ctx.submitted.size(), 1u);
  const OrderRequest& r = ctx.submitted[0];
  EXPECT_EQ(r.side, OrderSide::kBuy);
  EXPECT_EQ(*r.limit_price, px(0.60));  // buys at the ask
  EXPECT_EQ(r.quantity, qty(2));
  EXPECT_EQ(ctx.instrument(r.instrument)->option->strike, px(95));
  EXPECT_EQ(r.reason, "wheel: profit take 50% of credit 1.20 (put ask 0.60)");
}

TEST(Wheel, StopFiresAtTwiceTheCredit) {
  // Credit 1.20, stop_loss_multiple 2.0: buy back when ask >= 2.40.
  FakeContext ctx(usd(100'000));
  WheelStrategy w(config());
  ASSERT_TRUE(w.on_chain(ctx, short_put_at(ctx, 2.30, 2.39)).ok());
  EXPECT_TRUE(ctx.submitted.empty());
  ASSERT_TRUE(w.on_chain(ctx, short_put_at(ctx, 2.30, 2.40)).ok());
  ASSERT_EQ(ctx.submitted.size(), 1u);
  EXPECT_EQ(*ctx.submitted[0].limit_price, px(2.40));
  EXPECT_EQ(ctx.submitted[0].reason, "wheel: stop 2.0x credit 1.20 (put ask 2.40)");

  FakeContext off(usd(100'000));
  WheelConfig c = config();
  c.stop_loss_multiple = 0.0;  // switched off
  WheelStrategy w2(c);
  ASSERT_TRUE(w2.on_chain(off, short_put_at(off, 4.00, 4.20)).ok());
  EXPECT_TRUE(off.submitted.empty());
}

// A short put K = 100 at DTE 4 sold at 2.00 (profit take at ask <= 1.00, stop at ask >= 4.00);
// spot 97: in the money by 3.
struct RollSetup {
  const Instrument* old_put = nullptr;
};
RollSetup short_tested_put(FakeContext& ctx) {
  const Instrument& put = ctx.add_option("ACME", kExp4, kPut, 100);
  ctx.fill(put, Side::kSell, 2, 2.00);
  return {&put};
}

TEST(Wheel, RollOutForACreditIsOneCombo) {
  FakeContext ctx(usd(100'000));
  const RollSetup s = short_tested_put(ctx);
  WheelConfig c = config();
  c.allow_roll_down_up = false;  // same strike, later expiry
  WheelStrategy w(c);
  ChainBuilder b{ctx, "ACME", 97.0};
  b.quoted(kExp4, kPut, 100, 3.00, 3.20);   // the tested put
  b.quoted(kExp32, kPut, 100, 4.90, 5.10);  // same strike, DTE 32
  b.quoted(kExp11, kPut, 100, 3.70, 3.90);  // DTE 11: further from the target
  ASSERT_TRUE(w.on_chain(ctx, b.build()).ok());
  // DTE 4 <= roll_dte 5 and in the money (100 > 97). New leg: the 100 put at DTE 32 (closest to
  // 30). Net per share: sell at the bid 4.90, buy back at the ask 3.20 -> credit 1.70; the combo
  // (buy old, sell new) is priced as written: 3.20 - 4.90 = -1.70 (negative = credit).
  ASSERT_EQ(ctx.submitted.size(), 1u);
  const OrderRequest& r = ctx.submitted[0];
  ASSERT_EQ(r.legs.size(), 2u);
  EXPECT_EQ(r.legs[0].instrument, s.old_put->id);
  EXPECT_EQ(r.legs[0].side, OrderSide::kBuy);
  EXPECT_EQ(r.legs[0].ratio, 1);
  const Instrument* next = ctx.instrument(r.legs[1].instrument);
  EXPECT_EQ(next->option->expiry, kExp32);
  EXPECT_EQ(next->option->strike, px(100));
  EXPECT_EQ(r.legs[1].side, OrderSide::kSell);
  EXPECT_EQ(r.side, OrderSide::kBuy);
  EXPECT_EQ(r.type, OrderType::kLimit);
  EXPECT_EQ(*r.limit_price, px(-1.70));
  EXPECT_EQ(r.quantity, qty(2));
  EXPECT_EQ(r.reason, "wheel: roll out for net credit 1.70 (put 100.00 DTE 4 in the money -> 100.00 DTE 32)");
}

TEST(Wheel, RollThatWouldBeADebitIsSkipped) {
  FakeContext ctx(usd(100'000));
  short_tested_put(ctx);
  WheelStrategy w(config());  // allow_roll_down_up: the new strike is re-selected by delta
  ChainBuilder b{ctx, "ACME", 97.0};
  b.quoted(kExp4, kPut, 100, 3.00, 3.20);
  b.priced(kExp32, kPut, 90, 0.30);  // the only put at DTE 32 (S = 97: price ~ 0.9)
  const OptionChain& chain = b.build();
  const OptionRow* new_leg = chain.find(kExp32, kPut, px(90));
  ASSERT_NE(new_leg, nullptr);
  ASSERT_LT(new_leg->bid, px(3.20));
  ASSERT_TRUE(w.on_chain(ctx, chain).ok());
  EXPECT_TRUE(ctx.submitted.empty());
  EXPECT_TRUE(ctx.logged("roll of ACME  240607P00100000 skipped: best net credit -")) << ctx.logs.back();

  // roll_for_credit_only = false rolls anyway, for a debit (positive net limit).
  FakeContext ctx2(usd(100'000));
  short_tested_put(ctx2);
  WheelConfig c = config();
  c.roll_for_credit_only = false;
  WheelStrategy w2(c);
  ChainBuilder b2{ctx2, "ACME", 97.0};
  b2.quoted(kExp4, kPut, 100, 3.00, 3.20);
  b2.priced(kExp32, kPut, 90, 0.30);
  const OptionChain& chain2 = b2.build();
  ASSERT_TRUE(w2.on_chain(ctx2, chain2).ok());
  ASSERT_EQ(ctx2.submitted.size(), 1u);
  const Price bid = chain2.find(kExp32, kPut, px(90))->bid;
  EXPECT_EQ(*ctx2.submitted[0].limit_price, px(3.20) - bid);
  EXPECT_TRUE(ctx2.submitted[0].limit_price->is_positive());
  EXPECT_TRUE(contains(ctx2.submitted[0].reason, "roll out and down for net debit")) << ctx2.submitted[0].reason;
}

TEST(Wheel, RollNeedsTheMinimumCredit) {
  FakeContext ctx(usd(100'000));
  short_tested_put(ctx);
  WheelConfig c = config();
  c.allow_roll_down_up = false;
  c.roll_min_credit = px(0.35);
  WheelStrategy w(c);
  ChainBuilder b{ctx, "ACME", 97.0};
  b.quoted(kExp4, kPut, 100, 3.00, 3.20);
  b.quoted(kExp32, kPut, 100, 3.50, 3.60);  // net credit 0.30 < 0.35
  ASSERT_TRUE(w.on_chain(ctx, b.build()).ok());
  EXPECT_TRUE(ctx.submitted.empty());
  EXPECT_TRUE(ctx.logged("best net credit 0.30 is not a credit of at least 0.35"));
}

TEST(Wheel, CloseBeforeExpiryBuysBackOnTheLastDay) {
  FakeContext ctx(usd(100'000));
  const Instrument& put = ctx.add_option("ACME", kExp4, kPut, 90);
  ctx.fill(put, Side::kSell, 1, 0.50);
  WheelConfig c = config();
  c.close_before_expiry = true;
  c.profit_take = 0.0;
  WheelStrategy w(c);
  ChainBuilder b{ctx, "ACME", 100.0, kExp4};  // snapshot on the expiration day: DTE 0
  b.quoted(kExp4, kPut, 90, 0.00, 0.05);      // far out of the money: no roll
  ASSERT_TRUE(w.on_chain(ctx, b.build()).ok());
  ASSERT_EQ(ctx.submitted.size(), 1u);
  EXPECT_EQ(ctx.submitted[0].side, OrderSide::kBuy);
  EXPECT_EQ(*ctx.submitted[0].limit_price, px(0.05));
  EXPECT_EQ(ctx.submitted[0].reason, "wheel: close before expiry (put ask 0.05)");
}

// Calls of the table above (S = 48, vol 0.10, DTE 32) plus a put so the chain has both rights.
const OptionChain& call_chain(FakeContext& ctx) {
  ChainBuilder b{ctx, "ACME", 48.0};
  for (double k : {48.5, 49.0, 49.5, 50.0}) b.priced(kExp32, kCall, k, 0.10);
  b.priced(kExp32, kPut, 47.0, 0.10);
  return b.build();
}

// Sells `n` puts K = 50 at 1.20 and has them assigned at 48: n x 100 shares at 50, cycle
// premium n x 120, wheel basis (n x 5,000 - n x 120) / (n x 100) = 48.80.
void assigned_put(FakeContext& ctx, WheelStrategy& w, std::int64_t n) {
  const Instrument& stock = ctx.find_instrument("ACME") ? *ctx.find_instrument("ACME") : ctx.add_stock("ACME");
  const Instrument& put = ctx.add_option("ACME", kExp11, kPut, 50);
  ctx.fill(put, Side::kSell, n, 1.20);
  const Status st = ctx.pf.exercise_or_assign(put.id, qty(n), stock, px(48), ctx.now(), "assigned at expiry");
  ASSERT_TRUE(st.ok()) << st.error().message;
  OptionEvent ev;
  ev.kind = OptionEventKind::kAssigned;
  ev.ts = ctx.now();
  ev.option = put;
  ev.contracts = qty(n);
  ev.underlying_price = px(48);
  ev.rule = "ITM at expiry";
  ASSERT_TRUE(w.on_option_event(ctx, ev).ok());
}

TEST(Wheel, AfterAssignmentSellsACallAtOrAboveTheWheelBasis) {
  FakeContext ctx(usd(100'000));
  WheelConfig c = config();
  c.call_delta = 0.40;  // unconstrained, 48.5 (delta 0.4027) would be closest
  WheelStrategy w(c);
  assigned_put(ctx, w, 1);
  const portfolio::WheelBasis basis = ctx.pf.wheel_basis("ACME");
  ASSERT_EQ(basis.shares, qty(100));
  ASSERT_EQ(*basis.wheel_basis_per_share, px(48.80));
  ASSERT_EQ(*basis.plain_basis_per_share, px(50));
  EXPECT_EQ(w.counts("ACME").puts_assigned, 1);
  EXPECT_TRUE(ctx.logged("holding 100 shares, wheel basis 48.80 (plain 50.00)"));

  ASSERT_TRUE(w.on_chain(ctx, call_chain(ctx)).ok());
  // Strikes >= 48.80: 49 (0.2767, off 0.1233), 49.5 (0.1747), 50 (0.1011) -> 49.
  ASSERT_EQ(ctx.submitted.size(), 1u);
  const OrderRequest& r = ctx.submitted[0];
  const Instrument* call = ctx.instrument(r.instrument);
  EXPECT_EQ(call->option->right, kCall);
  EXPECT_EQ(call->option->strike, px(49));
  EXPECT_EQ(r.side, OrderSide::kSell);
  EXPECT_EQ(r.quantity, qty(1));  // one contract per 100 shares
  EXPECT_EQ(r.reason, "wheel: covered call 49.00 delta 0.28 DTE 32 above basis 48.80");
}

TEST(Wheel, CallStrikePolicies) {
  for (auto [policy, strike] : {std::pair{CallStrikePolicy::kPlainBasis, 50.0}, std::pair{CallStrikePolicy::kDeltaOnly, 48.5}}) {
    FakeContext ctx(usd(100'000));
    WheelConfig c = config();
    c.call_delta = 0.40;
    c.call_strike_policy = policy;
    WheelStrategy w(c);
    assigned_put(ctx, w, 1);
    ASSERT_TRUE(w.on_chain(ctx, call_chain(ctx)).ok());
    ASSERT_EQ(ctx.submitted.size(), 1u);
    // plain_basis: strikes >= 50 -> only 50. delta_only: 48.5 (0.4027) is closest to 0.40.
    EXPECT_EQ(ctx.instrument(ctx.submitted[0].instrument)->option->strike, px(strike)) << to_string(policy);
  }
}

TEST(Wheel, MinCallPremiumKeepsCheapCallsUnsold) {
  FakeContext ctx(usd(100'000));
  WheelConfig c = config();
  c.min_call_premium = px(100);  // above every bid in the chain
  WheelStrategy w(c);
  assigned_put(ctx, w, 1);
  ASSERT_TRUE(w.on_chain(ctx, call_chain(ctx)).ok());
  EXPECT_TRUE(ctx.submitted.empty());
  EXPECT_TRUE(ctx.logged("with a bid of at least 100.00"));
}

TEST(Wheel, NoCallOnSharesAlreadyCovered) {
  FakeContext ctx(usd(100'000));
  WheelStrategy w(config());
  assigned_put(ctx, w, 2);  // 200 shares
  const Instrument& call49 = ctx.add_option("ACME", kExp32, kCall, 49);
  ctx.fill(call49, Side::kSell, 1, 0.25);  // covers 100; ask 0.2889 is neither 50% profit nor 2x
  ASSERT_TRUE(w.on_chain(ctx, call_chain(ctx)).ok());
  ASSERT_EQ(ctx.submitted.size(), 1u);  // one more call for the other 100
  EXPECT_EQ(ctx.submitted[0].quantity, qty(1));

  ctx.submitted.clear();
  ctx.fill(call49, Side::kSell, 1, 0.25);  // now 2 calls cover all 200 shares
  ASSERT_TRUE(w.on_chain(ctx, call_chain(ctx)).ok());
  EXPECT_TRUE(ctx.submitted.empty());
}

TEST(Wheel, WorkingOrderOnTheUnderlyingBlocksNewActions) {
  FakeContext ctx(usd(100'000));
  WheelStrategy w(config());
  const OptionChain& chain = acme_put_chain(ctx);
  execution::Order o;
  o.id = ClientOrderId("W-7");
  o.instrument = chain.rows()[0].instrument.id;
  o.side = OrderSide::kSell;
  o.type = OrderType::kLimit;
  o.quantity = qty(1);
  o.limit_price = px(1.0);
  ctx.working.push_back(o);
  ASSERT_TRUE(w.on_chain(ctx, chain).ok());
  EXPECT_TRUE(ctx.submitted.empty());
  EXPECT_TRUE(ctx.logged("ACME: order W-7 still working"));
}

TEST(Wheel, FullCycleCalledAwayThenPutsAgain) {
  FakeContext ctx(usd(100'000));
  WheelStrategy w(config());
  assigned_put(ctx, w, 1);
  const Instrument& stock = *ctx.find_instrument("ACME");
  const Instrument& call49 = ctx.add_option("ACME", kExp32, kCall, 49);
  ctx.fill(call49, Side::kSell, 1, 0.25);
  // Called away at 49: the shares go, the cycle ends.
  ASSERT_TRUE(ctx.pf.exercise_or_assign(call49.id, qty(1), stock, px(51), ctx.now(), "ITM at expiry").ok());
  OptionEvent ev;
  ev.kind = OptionEventKind::kAssigned;
  ev.option = call49;
  ev.contracts = qty(1);
  ev.underlying_price = px(51);
  ev.rule = "ITM at expiry";
  ASSERT_TRUE(w.on_option_event(ctx, ev).ok());
  EXPECT_EQ(w.counts("ACME").calls_assigned, 1);
  EXPECT_TRUE(ctx.logged("shares called away at 49.00; 0 shares left"));
  EXPECT_TRUE(ctx.pf.quantity(stock.id).is_zero());
  ASSERT_TRUE(w.on_chain(ctx, acme_put_chain(ctx)).ok());
  ASSERT_EQ(ctx.submitted.size(), 1u);
  EXPECT_EQ(ctx.instrument(ctx.submitted[0].instrument)->option->right, kPut);
}

}  // namespace
}  // namespace keel::strategy
