// Hand-checkable scenarios through the whole kernel: a scripted feed, a scripted strategy, the
// simulated venue (bar_close fills, no fees so the arithmetic stays readable) and the cash
// account. Every expected figure is worked out in the comments from the quotes the test sets.
#include "keel/engine/engine.hpp"
#include "keel/engine/script_feed_test_support.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "keel/testkit/trading_fixtures.hpp"

namespace keel::engine {
namespace {

using execution::ComboLeg;
using execution::OrderSide;
using execution::OrderType;
using strategy::Context;
using strategy::OptionEventKind;
using strategy::OrderRequest;

Status sent(const Result<ClientOrderId>& r) { return r ? Status() : Status(r.error()); }
using testkit::money;
using testkit::px;
Quantity qty(std::int64_t n) { return Quantity::from_raw(n * kFixedScale, 0); }

using test_support::close_of;

constexpr std::int64_t kStock = 1;

Instrument stock() { return testkit::stock(kStock); }

Instrument option(std::int64_t id, OptionRight right, const char* strike, Date expiry) {
  return testkit::option_contract(id, right, strike, expiry);
}

// A feed of hand-built sessions of the stock and its options.
class ScriptFeed final : public test_support::ScriptFeed {
 public:
  const Instrument& find(std::int64_t id) const {
    for (const auto& i : instruments) {
      if (i.id.value() == id) return i;
    }
    throw std::logic_error("unknown id");
  }

  // A close session with the stock's bar and option quotes {id, bid, ask}.
  void session(Date d, const char* close, std::vector<std::tuple<std::int64_t, const char*, const char*>> quotes = {}) {
    MarketSlice s;
    s.reset(close_of(d), d, SlicePhase::kClose);
    add_bar(s, kStock, px(close), qty(1'000'000));
    if (!quotes.empty()) {
      ChainSnapshot snap;
      snap.underlying = "ACME";
      for (const auto& [id, bid, ask] : quotes) {
        OptionQuote q;
        q.instrument = InstrumentId(id);
        q.ts_event = q.ts_recv = s.ts;
        q.bid = px(bid);
        q.ask = px(ask);
        q.volume = qty(100);
        q.open_interest = qty(1000);
        snap.instruments.push_back(&find(id));
        snap.quotes.push_back(q);
      }
      s.chains.push_back(std::move(snap));
    }
    slices.push_back(std::move(s));
  }
};

// A strategy whose behaviour per session date is a lambda; records what it is told.
class Script final : public strategy::Strategy {
 public:
  std::map<Date, std::function<Status(Context&)>> on_day;
  std::vector<strategy::OptionEvent> events;
  std::vector<execution::Order> updates;
  std::vector<execution::Fill> fills;

  std::string_view name() const override { return "script"; }
  std::vector<std::string> symbols() const override { return {"ACME"}; }
  Status on_bar(Context& ctx, const Bar&) override {
    auto it = on_day.find(ctx.today());
    return it == on_day.end() ? Status() : it->second(ctx);
  }
  Status on_fill(Context&, const execution::Fill& f) override {
    fills.push_back(f);
    return {};
  }
  Status on_order_update(Context&, const execution::Order& o) override {
    updates.push_back(o);
    return {};
  }
  Status on_option_event(Context&, const strategy::OptionEvent& e) override {
    events.push_back(e);
    return {};
  }
};

// Checks the ledger identity at every session end and records lifecycle kinds.
class Checker final : public EngineObserver {
 public:
  std::vector<std::string> kinds;
  int sessions = 0;
  Status on_session_end(const Engine& e, Date) override {
    ++sessions;
    const auto& p = e.portfolio();
    Money mv = Money::from_raw(0, 2);
    for (const auto& [id, pos] : p.positions()) {
      mv = mv + pos.market_value();
      // No option outlives its expiry.
      if (pos.instrument->option) {
        EXPECT_GT(pos.instrument->option->expiry, e.today()) << pos.instrument->symbol;
      }
    }
    EXPECT_EQ(p.equity(), p.cash() + p.dividends_receivable() + mv);
    return {};
  }
  void on_option_event(const Engine&, const strategy::OptionEvent& ev, bool called_away) override {
    kinds.push_back(called_away ? "called_away" : std::string(strategy::to_string(ev.kind)));
  }
};

EngineConfig config(const char* capital = "100000") {
  EngineConfig c;
  c.start = Date::ymd(2024, 1, 2);
  c.capital = money(capital);
  c.account = portfolio::AccountType::kCash;
  c.execution.fill_model = execution::FillModel::kBarClose;
  c.execution.fees = *execution::fee_preset("zero");
  c.rate = 0.03;
  return c;
}

OrderRequest sell(std::int64_t id, const char* limit, std::int64_t n = 1, std::string reason = "test") {
  OrderRequest r;
  r.instrument = InstrumentId(id);
  r.side = OrderSide::kSell;
  r.type = OrderType::kLimit;
  r.quantity = qty(n);
  r.limit_price = px(limit);
  r.reason = std::move(reason);
  return r;
}

// A market order for shares of the stock (bar_close: filled at the session's close).
OrderRequest buy_shares(std::int64_t n) {
  OrderRequest r;
  r.instrument = InstrumentId(kStock);
  r.side = OrderSide::kBuy;
  r.type = OrderType::kMarket;
  r.quantity = qty(n);
  return r;
}

const Date kJan2 = Date::ymd(2024, 1, 2);
const Date kJan19 = Date::ymd(2024, 1, 19);  // monthly expiration
const Date kJan22 = Date::ymd(2024, 1, 22);
const Date kFeb16 = Date::ymd(2024, 2, 16);

ScriptFeed base_feed() {
  ScriptFeed f;
  f.instruments = {stock(), option(10, OptionRight::kPut, "95", kJan19), option(11, OptionRight::kCall, "95", kFeb16),
                   option(12, OptionRight::kPut, "95", kFeb16), option(13, OptionRight::kPut, "90", kJan19)};
  return f;
}

TEST(EngineScenario, PutExpiresWorthless) {
  ScriptFeed feed = base_feed();
  // Jan 2: sell 1 put K95 at the bid 1.00 -> cash 100,000 + 1.00 x 100 = 100,100.
  feed.session(kJan2, "100", {{10, "1.00", "1.10"}});
  // Jan 19 (expiry): close 98 > 95 -> expires worthless. Realized 100, equity 100,100.
  feed.session(kJan19, "98", {{10, "0.00", "0.05"}});
  Script s;
  s.on_day[kJan2] = [](Context& ctx) { return sent(ctx.submit(sell(10, "1.00"))); };
  Checker check;
  auto e = Engine::create(config(), feed, s, &check);
  ASSERT_TRUE(e.ok()) << e.error().message;
  ASSERT_TRUE((*e)->run().ok());
  const auto& p = (*e)->portfolio();
  EXPECT_EQ(p.cash(), money("100100"));
  EXPECT_EQ(p.equity(), money("100100"));
  EXPECT_TRUE(p.positions().empty());
  EXPECT_EQ(p.realized_pnl(), money("100"));
  ASSERT_EQ(check.kinds.size(), 1u);
  EXPECT_EQ(check.kinds[0], "expired_worthless");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].kind, OptionEventKind::kExpiredWorthless);
  ASSERT_EQ(p.closed_trades().size(), 1u);
  EXPECT_EQ(p.closed_trades()[0].pnl, money("100"));
  EXPECT_EQ(check.sessions, 2);
}

TEST(EngineScenario, PutAssignedThenCallCalledAway) {
  ScriptFeed feed = base_feed();
  feed.session(kJan2, "100", {{10, "2.00", "2.10"}});
  // Jan 19: close 90 < 95 -> assigned: buy 100 at 95. Cash 100,200 - 9,500 = 90,700.
  feed.session(kJan19, "90", {{10, "4.95", "5.05"}});
  // Jan 22: sell the Feb 95 call at 1.50, covered by the 100 shares: cash 90,850.
  feed.session(kJan22, "91", {{11, "1.50", "1.60"}});
  // Feb 16: close 97 > 95 -> called away at 95: cash 90,850 + 9,500 = 100,350.
  feed.session(kFeb16, "97", {{11, "1.95", "2.05"}});
  Script s;
  s.on_day[kJan2] = [](Context& ctx) { return sent(ctx.submit(sell(10, "2.00"))); };
  s.on_day[kJan22] = [](Context& ctx) -> Status {
    // The wheel basis after assignment: (9,500 - 200 premium) / 100 = 93.00; plain 95.00.
    const auto wb = ctx.portfolio().wheel_basis("ACME");
    EXPECT_EQ(wb.shares, qty(100));
    EXPECT_EQ(wb.plain_basis_per_share, px("95"));
    EXPECT_EQ(wb.wheel_basis_per_share, px("93"));
    return sent(ctx.submit(sell(11, "1.50")));
  };
  Checker check;
  auto e = Engine::create(config(), feed, s, &check);
  ASSERT_TRUE(e.ok());
  Status st = (*e)->run();
  ASSERT_TRUE(st.ok()) << st.error().message;
  const auto& p = (*e)->portfolio();
  EXPECT_EQ(p.cash(), money("100350"));
  EXPECT_EQ(p.equity(), money("100350"));
  EXPECT_TRUE(p.positions().empty());
  ASSERT_EQ(check.kinds.size(), 2u);
  EXPECT_EQ(check.kinds[0], "assigned");
  EXPECT_EQ(check.kinds[1], "called_away");
  // Premium collected: 200 + 150.
  EXPECT_EQ(p.premium_collected(), money("350"));
}

TEST(EngineScenario, RollForACredit) {
  ScriptFeed feed = base_feed();
  // Jan 2: sell the Jan 95 put at 1.00 -> cash 100,100.
  feed.session(kJan2, "100", {{10, "1.00", "1.10"}});
  // Jan 16: roll: buy back Jan 95 at its ask 1.10, sell Feb 95 at its bid 2.50. As one combo
  // bought with legs [buy Jan95, sell Feb95]: net = +1.10 - 2.50 = -1.40 (a credit, order.hpp
  // sign convention); limit -1.30 is satisfied (a bought combo fills at or below its limit).
  // Cash 100,100 - 110 + 250 = 100,240.
  const Date jan16 = Date::ymd(2024, 1, 16);
  feed.session(jan16, "95.5", {{10, "1.00", "1.10"}, {12, "2.50", "2.60"}});
  Script s;
  s.on_day[kJan2] = [](Context& ctx) { return sent(ctx.submit(sell(10, "1.00"))); };
  s.on_day[jan16] = [](Context& ctx) -> Status {
    OrderRequest roll;
    roll.legs = {ComboLeg{InstrumentId(10), 1, OrderSide::kBuy}, ComboLeg{InstrumentId(12), 1, OrderSide::kSell}};
    roll.side = OrderSide::kBuy;
    roll.type = OrderType::kLimit;
    roll.quantity = qty(1);
    roll.limit_price = px("-1.30");
    roll.reason = "roll out for a credit";
    return sent(ctx.submit(roll));
  };
  Checker check;
  auto e = Engine::create(config(), feed, s, &check);
  ASSERT_TRUE(e.ok());
  Status st = (*e)->run();
  ASSERT_TRUE(st.ok()) << st.error().message;
  const auto& p = (*e)->portfolio();
  EXPECT_EQ(p.cash(), money("100240"));
  EXPECT_TRUE(p.quantity(InstrumentId(10)).is_zero());
  EXPECT_EQ(p.quantity(InstrumentId(12)), Quantity::zero() - qty(1));
}

TEST(EngineScenario, OrderRejectedForLackOfCash) {
  ScriptFeed feed = base_feed();
  feed.session(kJan2, "100", {{10, "1.00", "1.10"}});
  Script s;
  Status refused;
  // A cash-secured put K 95 needs 9,500; the account has 5,000: refused, never resized.
  s.on_day[kJan2] = [&refused](Context& ctx) -> Status {
    auto r = ctx.submit(sell(10, "1.00"));
    EXPECT_FALSE(r.ok());
    if (!r.ok()) refused = r.error();
    return {};
  };
  auto e = Engine::create(config("5000"), feed, s);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE((*e)->run().ok());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kRejected);
  EXPECT_TRUE((*e)->portfolio().positions().empty());
  ASSERT_EQ(s.updates.size(), 1u);
  EXPECT_EQ(s.updates[0].status, execution::OrderStatus::kRejected);
  EXPECT_EQ((*e)->portfolio().cash(), money("5000"));
}

TEST(EngineScenario, EarlyAssignmentBeforeExDividend) {
  ScriptFeed feed = base_feed();
  feed.instruments.push_back(option(14, OptionRight::kCall, "40", kFeb16));
  // A $0.50 dividend, ex-date Jan 23, announced in December.
  CorporateAction div;
  div.instrument = InstrumentId(kStock);
  div.kind = CorporateActionKind::kCashDividend;
  div.ex_date = Date::ymd(2024, 1, 23);
  div.record_date = div.ex_date;
  div.pay_date = Date::ymd(2024, 2, 5);
  div.amount = money("0.50");
  div.ts_recv = close_of(Date::ymd(2023, 12, 15));
  feed.actions = {div};
  // Jan 2: buy 100 shares at 50 (market, bar_close -> the close): cash 95,000. Sell the K40
  // call at 10.20: cash 96,020.
  feed.session(kJan2, "50", {{14, "10.20", "10.40"}});
  // Jan 22, the last cum-dividend session: close 50, call mid (10.10 + 10.30) / 2 = 10.20,
  // intrinsic 10, time value 0.20 < dividend 0.50 -> assigned at this close: the shares go at
  // 40: cash 96,020 + 4,000 = 100,020. On the ex-date we hold nothing: no dividend.
  feed.session(kJan22, "50", {{14, "10.10", "10.30"}});
  feed.open_actions(Date::ymd(2024, 1, 23), {div});
  feed.session(Date::ymd(2024, 1, 23), "49.50", {});
  Script s;
  s.on_day[kJan2] = [](Context& ctx) -> Status {
    KEEL_TRY_STATUS(sent(ctx.submit(buy_shares(100))));
    return sent(ctx.submit(sell(14, "10.20")));
  };
  Checker check;
  auto e = Engine::create(config(), feed, s, &check);
  ASSERT_TRUE(e.ok());
  Status st = (*e)->run();
  ASSERT_TRUE(st.ok()) << st.error().message;
  const auto& p = (*e)->portfolio();
  ASSERT_EQ(check.kinds.size(), 1u);
  EXPECT_EQ(check.kinds[0], "called_away");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].kind, OptionEventKind::kEarlyAssigned);
  EXPECT_TRUE(p.positions().empty());
  EXPECT_EQ(p.cash(), money("100020"));
  EXPECT_TRUE(p.dividends_receivable().is_zero());
}

TEST(EngineScenario, SplitDuringACoveredCall) {
  ScriptFeed feed = base_feed();
  // Call K 110 (Feb 16) and, after a 2:1 split, the standard contract K 55 it becomes.
  feed.instruments.push_back(option(15, OptionRight::kCall, "110", kFeb16));
  feed.instruments.push_back(option(16, OptionRight::kCall, "55", kFeb16));
  CorporateAction split;
  split.instrument = InstrumentId(kStock);
  split.kind = CorporateActionKind::kSplit;
  split.ex_date = split.record_date = split.pay_date = Date::ymd(2024, 1, 3);
  split.ratio_to = 2;
  split.ratio_from = 1;
  split.ts_recv = close_of(Date::ymd(2023, 11, 15));
  feed.actions = {split};
  // Jan 2: buy 100 at 100 (cash 90,000), sell 1 call K110 at 2.00 (cash 90,200).
  feed.session(kJan2, "100", {{15, "2.00", "2.10"}});
  // Jan 3 open: 2:1 -> 200 shares, same 10,000 basis; the short call becomes 2 x K55.
  feed.open_actions(Date::ymd(2024, 1, 3), {split});
  // Jan 3 close 50.50; K55 call quoted 1.00 / 1.10 (mid 1.05): equity = 90,200 + 200 x 50.50
  // - 2 x 100 x 1.05 = 90,200 + 10,100 - 210 = 100,090.
  feed.session(Date::ymd(2024, 1, 3), "50.50", {{16, "1.00", "1.10"}});
  Script s;
  s.on_day[kJan2] = [](Context& ctx) -> Status {
    KEEL_TRY_STATUS(sent(ctx.submit(buy_shares(100))));
    return sent(ctx.submit(sell(15, "2.00")));
  };
  Checker check;
  auto e = Engine::create(config(), feed, s, &check);
  ASSERT_TRUE(e.ok());
  Status st = (*e)->run();
  ASSERT_TRUE(st.ok()) << st.error().message;
  const auto& p = (*e)->portfolio();
  EXPECT_EQ(p.quantity(InstrumentId(kStock)), qty(200));
  EXPECT_EQ(p.position(InstrumentId(kStock))->cost_basis, money("10000"));
  EXPECT_TRUE(p.quantity(InstrumentId(15)).is_zero());
  EXPECT_EQ(p.quantity(InstrumentId(16)), Quantity::zero() - qty(2));
  EXPECT_EQ(p.cash(), money("90200"));
  EXPECT_EQ(p.equity(), money("100090"));
}

TEST(EngineScenario, WarmUpRefusesOrdersAndTimersFire) {
  ScriptFeed feed = base_feed();
  feed.session(Date::ymd(2023, 12, 29), "100", {{10, "1.00", "1.10"}});
  feed.session(kJan2, "100", {{10, "1.00", "1.10"}});
  Script s;
  bool refused = false;
  s.on_day[Date::ymd(2023, 12, 29)] = [&refused](Context& ctx) -> Status {
    EXPECT_TRUE(ctx.warming_up());
    refused = !ctx.submit(sell(10, "1.00")).ok();
    return {};
  };
  auto e = Engine::create(config(), feed, s);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE((*e)->run().ok());
  EXPECT_TRUE(refused);
  EXPECT_TRUE((*e)->portfolio().positions().empty());
}

TEST(EngineScenario, BadOrdersAreRefusedWithTheirReason) {
  ScriptFeed feed = base_feed();
  feed.session(kJan2, "100", {{10, "1.00", "1.10"}});
  Script s;
  std::vector<std::string> errors;
  s.on_day[kJan2] = [&errors](Context& ctx) -> Status {
    auto record = [&errors](const Result<ClientOrderId>& r) {
      errors.push_back(r ? std::string("accepted") : r.error().message);
    };
    record(ctx.submit(sell(999, "1.00")));  // a contract that does not exist
    OrderRequest negative = sell(10, "1.00");
    negative.quantity = Quantity::zero() - qty(1);
    record(ctx.submit(negative));
    record(ctx.submit(sell(10, "0")));  // non-positive limit
    return {};
  };
  auto e = Engine::create(config(), feed, s);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE((*e)->run().ok());
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_NE(errors[0].find("unknown instrument id 999"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find("quantity"), std::string::npos) << errors[1];
  EXPECT_NE(errors[2].find("limit"), std::string::npos) << errors[2];
  EXPECT_TRUE((*e)->portfolio().positions().empty());
}

TEST(EngineScenario, SpreadReservesItsMaxLossInACashAccount) {
  ScriptFeed feed = base_feed();
  // Bull put spread: sell Jan 95 put at its bid 2.00, buy Jan 90 put at its ask 0.60, as one
  // combo sold: legs as written [sell 95, buy 90] -> net = -2.00 + 0.60 = -1.40 (a credit);
  // limit -1.30; a bought combo fills at or below its limit. Max loss = (95 - 90) x 100 = 500:
  // with 450 of cash it is refused, with 600 accepted (the 140 credit then sits in cash).
  feed.session(kJan2, "100", {{10, "2.00", "2.10"}, {13, "0.50", "0.60"}});
  auto spread = [] {
    OrderRequest r;
    r.legs = {ComboLeg{InstrumentId(10), 1, OrderSide::kSell}, ComboLeg{InstrumentId(13), 1, OrderSide::kBuy}};
    r.side = OrderSide::kBuy;
    r.type = OrderType::kLimit;
    r.quantity = qty(1);
    r.limit_price = px("-1.30");
    r.reason = "bull put spread";
    return r;
  };
  for (const char* capital : {"450", "600"}) {
    ScriptFeed f = feed;
    Script s;
    Status result;
    s.on_day[kJan2] = [&](Context& ctx) -> Status {
      result = sent(ctx.submit(spread()));
      return {};
    };
    auto e = Engine::create(config(capital), f, s);
    ASSERT_TRUE(e.ok());
    ASSERT_TRUE((*e)->run().ok());
    const auto& p = (*e)->portfolio();
    if (std::string(capital) == "450") {
      ASSERT_FALSE(result.ok());
      EXPECT_EQ(result.error().code, ErrorCode::kRejected) << result.error().message;
      EXPECT_TRUE(p.positions().empty());
    } else {
      ASSERT_TRUE(result.ok()) << result.error().message;
      EXPECT_EQ(p.cash(), money("740"));  // 600 + 200 - 60
      EXPECT_EQ(p.quantity(InstrumentId(10)), Quantity::zero() - qty(1));
      EXPECT_EQ(p.quantity(InstrumentId(13)), qty(1));
    }
  }
}

TEST(EngineScenario, CoveredCallRollIsAcceptedAsOneCombo) {
  ScriptFeed feed = base_feed();
  const Date mar15 = Date::ymd(2024, 3, 15);
  feed.instruments.push_back(option(17, OptionRight::kCall, "100", mar15));
  // Jan 2: buy 100 shares at 94 (cash 90,600) and sell the Feb 95 call at 1.50 (cash 90,750).
  feed.session(kJan2, "94", {{11, "1.50", "1.60"}});
  // Feb 12: roll the call up and out as ONE combo bought with legs [buy Feb95 call at 2.20,
  // sell Mar100 call at 2.60]: net 2.20 - 2.60 = -0.40 (a credit), limit -0.30. The shares
  // cover the new call once the old one is bought back, so a cash account accepts it.
  // Cash 90,750 - 220 + 260 = 90,790.
  const Date feb12 = Date::ymd(2024, 2, 12);
  feed.session(feb12, "96", {{11, "2.10", "2.20"}, {17, "2.60", "2.70"}});
  Script s;
  s.on_day[kJan2] = [](Context& ctx) -> Status {
    KEEL_TRY_STATUS(sent(ctx.submit(buy_shares(100))));
    return sent(ctx.submit(sell(11, "1.50")));
  };
  Status roll_result;
  s.on_day[feb12] = [&roll_result](Context& ctx) -> Status {
    OrderRequest roll;
    roll.legs = {ComboLeg{InstrumentId(11), 1, OrderSide::kBuy}, ComboLeg{InstrumentId(17), 1, OrderSide::kSell}};
    roll.side = OrderSide::kBuy;
    roll.type = OrderType::kLimit;
    roll.quantity = qty(1);
    roll.limit_price = px("-0.30");
    roll_result = sent(ctx.submit(roll));
    return {};
  };
  auto e = Engine::create(config(), feed, s);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE((*e)->run().ok());
  ASSERT_TRUE(roll_result.ok()) << roll_result.error().message;
  const auto& p = (*e)->portfolio();
  EXPECT_EQ(p.cash(), money("90790"));
  EXPECT_TRUE(p.quantity(InstrumentId(11)).is_zero());
  EXPECT_EQ(p.quantity(InstrumentId(17)), Quantity::zero() - qty(1));
  EXPECT_EQ(p.quantity(InstrumentId(kStock)), qty(100));
}

TEST(EngineScenario, AnExternalClockIsTheStrategysNow) {
  // Live trading passes its own clock: the engine must read it, not move it.
  class FixedClock final : public Clock {
   public:
    Timestamp now() const override { return Timestamp::from_date(Date::ymd(2030, 1, 1)); }
  };
  FixedClock fixed;
  ScriptFeed feed = base_feed();
  feed.session(kJan2, "100", {});
  Script s;
  Timestamp seen;
  s.on_day[kJan2] = [&seen](Context& ctx) -> Status {
    seen = ctx.now();
    return {};
  };
  EngineConfig c = config();
  c.clock = &fixed;
  auto e = Engine::create(c, feed, s);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE((*e)->run().ok());
  EXPECT_EQ(seen, fixed.now());
}

TEST(EngineScenario, SameInputsSameBookings) {
  auto run_once = [] {
    ScriptFeed feed = base_feed();
    feed.session(kJan2, "100", {{10, "2.00", "2.10"}});
    feed.session(kJan19, "90", {{10, "4.95", "5.05"}});
    Script s;
    s.on_day[kJan2] = [](Context& ctx) { return sent(ctx.submit(sell(10, "2.00"))); };
    auto e = Engine::create(config(), feed, s);
    EXPECT_TRUE(e.ok());
    EXPECT_TRUE((*e)->run().ok());
    std::vector<std::string> lines;
    for (const auto& b : (*e)->portfolio().bookings()) {
      lines.push_back(b.ts.to_string() + " " + std::string(portfolio::to_string(b.kind)) + " " + b.instrument->symbol +
                      " " + b.quantity.to_string() + " " + b.price.to_string() + " " + b.cash_change.to_string());
    }
    return lines;
  };
  const auto a = run_once();
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, run_once());
}

// Context::history returns at most history_limit bars (strategy.hpp), the newest, oldest first,
// whatever the engine's ring keeps beyond the limit: with a limit of 3, after eight sessions
// closing 100..107 a request for 100 bars gets the closes 105, 106, 107 (today's bar included:
// its ts_recv is the clock's time).
TEST(EngineScenario, HistoryIsCappedAtTheLimit) {
  ScriptFeed feed = base_feed();
  const Date days[] = {Date::ymd(2024, 1, 2), Date::ymd(2024, 1, 3), Date::ymd(2024, 1, 4), Date::ymd(2024, 1, 5),
                       Date::ymd(2024, 1, 8), Date::ymd(2024, 1, 9), Date::ymd(2024, 1, 10), Date::ymd(2024, 1, 11)};
  const char* closes[] = {"100", "101", "102", "103", "104", "105", "106", "107"};
  for (int i = 0; i < 8; ++i) feed.session(days[i], closes[i]);
  Script s;
  std::vector<Price> seen;
  std::size_t two = 0;
  s.on_day[days[7]] = [&](Context& ctx) {
    for (const Bar& b : ctx.history(InstrumentId(kStock), 100)) seen.push_back(b.close);
    two = ctx.history(InstrumentId(kStock), 2).size();
    return Status();
  };
  EngineConfig c = config();
  c.history_limit = 3;
  auto e = Engine::create(c, feed, s);
  ASSERT_TRUE(e.ok()) << e.error().message;
  ASSERT_TRUE((*e)->run().ok());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], px("105"));
  EXPECT_EQ(seen[1], px("106"));
  EXPECT_EQ(seen[2], px("107"));
  EXPECT_EQ(two, 2u);
}

}  // namespace
}  // namespace keel::engine
