// Tests for keel/execution/sim_venue.hpp. Every market is hand-built (daily bars stamped at
// 00:00 UTC with ts_recv at 20:00 UTC, the 16:00 New York close in daylight time; option chain
// snapshots at one instant) and every expected fill is worked by hand in the comment beside it,
// from the rules in the header's contract. Fees use the rates cited in fees.cpp.
#include "keel/execution/sim_venue.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <sstream>

namespace keel::execution {
namespace {

Price px(const char* t) { return *Price::parse(t); }
Quantity qty(const char* t) { return *Quantity::parse(t); }
Money usd(const char* t) { return *Money::parse(t); }

constexpr std::int64_t kAapl = 1;
constexpr std::int64_t kXyz = 2;
constexpr std::int64_t kSpx = 9;
constexpr std::int64_t kP100 = 101;  // AAPL put, strike 100
constexpr std::int64_t kP95 = 102;   // AAPL put, strike 95
constexpr std::int64_t kC110 = 103;  // AAPL call, strike 110

const Date kD1 = Date::ymd(2024, 3, 4);  // a Monday
Timestamp day_start(int n) { return Timestamp::from_date(kD1 + n); }
Timestamp day_close(int n) { return day_start(n) + 20h; }  // 16:00 EDT

class Universe {
 public:
  Universe() {
    add_stock(kAapl, "AAPL");
    add_stock(kXyz, "XYZ");
    Instrument spx;
    spx.id = InstrumentId(kSpx);
    spx.symbol = "SPX";
    spx.asset_class = AssetClass::kIndex;
    map_[kSpx] = spx;
    add_option(kP100, "100", OptionRight::kPut);
    add_option(kP95, "95", OptionRight::kPut);
    add_option(kC110, "110", OptionRight::kCall);
  }
  SimulatedVenue::InstrumentLookup lookup() const {
    return [this](InstrumentId id) -> const Instrument* {
      auto it = map_.find(id.value());
      return it == map_.end() ? nullptr : &it->second;
    };
  }

 private:
  void add_stock(std::int64_t id, const char* symbol) {
    Instrument s;
    s.id = InstrumentId(id);
    s.symbol = symbol;
    map_[id] = s;
  }
  void add_option(std::int64_t id, const char* strike, OptionRight right) {
    OptionSpec spec;
    spec.underlying = "AAPL";
    spec.expiry = Date::ymd(2024, 4, 19);
    spec.strike = px(strike);
    spec.right = right;
    Instrument o = *make_option_instrument(spec);
    o.id = InstrumentId(id);
    map_[id] = o;
  }
  std::map<std::int64_t, Instrument> map_;
};

Bar daily(std::int64_t id, int day, const char* o, const char* h, const char* l, const char* c, const char* vol) {
  Bar b;
  b.instrument = InstrumentId(id);
  b.timeframe = kOneDay;
  b.ts_event = day_start(day);
  b.ts_recv = day_close(day);
  b.open = px(o);
  b.high = px(h);
  b.low = px(l);
  b.close = px(c);
  b.volume = qty(vol);
  return b;
}

Bar minute(std::int64_t id, Timestamp start, const char* o, const char* h, const char* l, const char* c, const char* vol) {
  Bar b = daily(id, 0, o, h, l, c, vol);
  b.timeframe = kOneMinute;
  b.ts_event = start;
  b.ts_recv = start + kOneMinute;
  return b;
}

OptionQuote oq(std::int64_t id, const char* bid, const char* ask, const char* size = "1000") {
  OptionQuote q;
  q.instrument = InstrumentId(id);
  q.bid = px(bid);
  q.ask = px(ask);
  q.bid_size = qty(size);
  q.ask_size = qty(size);
  return q;
}

Order order(const char* id, std::int64_t instrument, OrderSide side, OrderType type, const char* quantity) {
  Order o;
  o.id = ClientOrderId(id);
  o.instrument = InstrumentId(instrument);
  o.side = side;
  o.type = type;
  o.quantity = qty(quantity);
  return o;
}
Order market(const char* id, std::int64_t ins, OrderSide side, const char* q) {
  return order(id, ins, side, OrderType::kMarket, q);
}
Order limit(const char* id, std::int64_t ins, OrderSide side, const char* q, const char* lim) {
  Order o = order(id, ins, side, OrderType::kLimit, q);
  o.limit_price = px(lim);
  return o;
}

constexpr auto kBuy = OrderSide::kBuy;
constexpr auto kSell = OrderSide::kSell;
using K = VenueEventKind;

struct Fixture {
  Universe universe;
  ExecutionConfig config;
  Fixture() {
    config.participation_cap = 1.0;  // most tests: volume never binds
  }
  SimulatedVenue venue(FillModel model) {
    config.fill_model = model;
    auto v = SimulatedVenue::create(config, universe.lookup());
    KEEL_ASSERT(v.ok(), "test venue config");
    return std::move(v).value();
  }
};

std::vector<VenueEvent> of_kind(const std::vector<VenueEvent>& events, K kind) {
  std::vector<VenueEvent> out;
  for (const auto& e : events) {
    if (e.kind == kind) out.push_back(e);
  }
  return out;
}

// The price of the one fill among `events`; Price{} (0, which no test expects) when there is
// none or more than one.
Price fill_price(const std::vector<VenueEvent>& events) {
  const auto fills = of_kind(events, K::kFilled);
  return fills.size() == 1 ? fills[0].order_price : Price{};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---------------------------------------------------------------------------------------------
// Fill models for stock.

TEST(SimVenueNextOpen, MarketBuyFillsAtTheNextBarsOpenNeverAtAKnownBar) {
  Fixture f;
  auto v = f.venue(FillModel::kNextOpen);
  EXPECT_TRUE(v.on_bar(daily(kAapl, 0, "100", "102", "99", "101", "1000000")).empty());
  auto ev = v.submit(market("A-1", kAapl, kBuy, "100"), day_close(0));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::kAccepted);  // the day-0 bar is known: no fill at its close
  ev = v.on_bar(daily(kAapl, 1, "103", "105", "102", "104", "1000000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::kFilled);
  EXPECT_EQ(ev[0].order_quantity, qty("100"));
  EXPECT_EQ(ev[0].order_price, px("103"));  // day 1's open
  EXPECT_EQ(ev[0].ts, day_close(1));        // reported when the bar is seen
  ASSERT_EQ(ev[0].fills.size(), 1u);
  EXPECT_EQ(ev[0].fills[0].instrument, InstrumentId(kAapl));
  EXPECT_TRUE(v.working_orders().empty());
}

TEST(SimVenueNextOpen, BarThatBeganBeforeSubmissionIsSkipped) {
  Fixture f;
  auto v = f.venue(FillModel::kNextOpen);
  // Submitted at 15:00 UTC of day 1; day 1's bar began at 00:00 UTC: it must not fill it.
  (void)v.submit(market("A-1", kAapl, kBuy, "10"), day_start(1) + 15h);
  EXPECT_TRUE(v.on_bar(daily(kAapl, 1, "103", "105", "102", "104", "1000")).empty());
  auto ev = v.on_bar(daily(kAapl, 2, "106", "107", "105", "106", "1000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("106"));
}

TEST(SimVenueBarClose, MarketFillsAtTheLastCloseAtOnce) {
  Fixture f;
  auto v = f.venue(FillModel::kBarClose);
  (void)v.on_bar(daily(kAapl, 0, "100", "102", "99", "101.37", "1000000"));
  auto ev = v.submit(market("A-1", kAapl, kSell, "100"), day_close(0));
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, K::kAccepted);
  EXPECT_EQ(ev[1].kind, K::kFilled);
  EXPECT_EQ(ev[1].order_price, px("101.37"));
  EXPECT_EQ(ev[1].ts, day_close(0));
}

TEST(SimVenueBarClose, NoDataYetWaitsThenFillsAtTheNextOpen) {
  Fixture f;
  auto v = f.venue(FillModel::kBarClose);
  auto ev = v.submit(market("A-1", kAapl, kBuy, "5"), day_close(0));
  ASSERT_EQ(ev.size(), 1u);  // accepted, not rejected: it waits
  EXPECT_EQ(ev[0].kind, K::kAccepted);
  ev = v.on_bar(daily(kAapl, 1, "50", "51", "49", "50.5", "1000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("50"));
}

TEST(SimVenueBarClose, LimitMarketableAtTheCloseFillsElseRests) {
  Fixture f;
  auto v = f.venue(FillModel::kBarClose);
  (void)v.on_bar(daily(kAapl, 0, "100", "102", "99", "101", "1000000"));
  // Buy limit 101 with the close at 101: marketable (close <= limit), fills at 101.
  auto ev = v.submit(limit("A-1", kAapl, kBuy, "1", "101"), day_close(0));
  ASSERT_EQ(of_kind(ev, K::kFilled).size(), 1u);
  EXPECT_EQ(of_kind(ev, K::kFilled)[0].order_price, px("101"));
  // Buy limit 100.99: not marketable, rests.
  ev = v.submit(limit("A-2", kAapl, kBuy, "1", "100.99"), day_close(0));
  EXPECT_TRUE(of_kind(ev, K::kFilled).empty());
  EXPECT_EQ(v.working_orders().size(), 1u);
}

TEST(SimVenueQuote, StockFillsAtTheQuoteWhenNotOlderThanTheBar) {
  Fixture f;
  auto v = f.venue(FillModel::kQuote);
  (void)v.on_bar(daily(kAapl, 0, "100", "102", "99", "101", "1000000"));
  Quote q;
  q.instrument = InstrumentId(kAapl);
  q.ts_event = q.ts_recv = day_close(0) + 1s;
  q.bid = px("100.98");
  q.ask = px("101.03");
  (void)v.on_quote(q);
  auto ev = of_kind(v.submit(market("A-1", kAapl, kBuy, "10"), day_close(0) + 2s), K::kFilled);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("101.03"));  // the ask
  ev = of_kind(v.submit(market("A-2", kAapl, kSell, "10"), day_close(0) + 2s), K::kFilled);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("100.98"));  // the bid
  // A newer bar makes the quote stale: back to the close.
  (void)v.on_bar(daily(kAapl, 1, "102", "103", "101", "102.5", "1000000"));
  ev = of_kind(v.submit(market("A-3", kAapl, kBuy, "10"), day_close(1)), K::kFilled);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("102.5"));
}

TEST(SimVenueQuote, RestingLimitFillsOnALaterQuoteAtTheAsk) {
  Fixture f;
  auto v = f.venue(FillModel::kQuote);
  (void)v.on_bar(daily(kAapl, 0, "100", "102", "99", "101", "1000000"));
  (void)v.submit(limit("A-1", kAapl, kBuy, "10", "100.50"), day_close(0));
  Quote q;
  q.instrument = InstrumentId(kAapl);
  q.ts_event = q.ts_recv = day_close(0) + 60s;
  q.bid = px("100.40");
  q.ask = px("100.51");
  EXPECT_TRUE(of_kind(v.on_quote(q), K::kFilled).empty());  // ask above the limit
  q.ts_recv = q.ts_event = day_close(0) + 120s;
  q.ask = px("100.45");
  auto ev = of_kind(v.on_quote(q), K::kFilled);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("100.45"));
}

// ---------------------------------------------------------------------------------------------
// Limits, stops, auctions.

TEST(SimVenueLimits, TouchDoesNotFillTradeThroughDoes) {
  Fixture f;
  auto v = f.venue(FillModel::kNextOpen);
  (void)v.submit(limit("B-1", kAapl, kBuy, "10", "99.00"), day_close(0));
  // Low exactly 99.00: a touch, no fill.
  EXPECT_TRUE(v.on_bar(daily(kAapl, 1, "100", "101", "99.00", "100", "1000")).empty());
  // Low 98.50 goes through: fills at min(open 100, limit 99) = 99.00.
  auto ev = v.on_bar(daily(kAapl, 2, "100", "101", "98.50", "99.5", "1000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("99.00"));

  (void)v.submit(limit("S-1", kAapl, kSell, "10", "105.00"), day_close(2));
  EXPECT_TRUE(v.on_bar(daily(kAapl, 3, "104", "105.00", "103", "104", "1000")).empty());
  ev = v.on_bar(daily(kAapl, 4, "104", "105.50", "103", "105", "1000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("105.00"));  // max(open 104, limit 105)
}

TEST(SimVenueLimits, GapThroughFillsAtTheOpen) {
  Fixture f;
  auto v = f.venue(FillModel::kNextOpen);
  (void)v.submit(limit("B-1", kAapl, kBuy, "10", "99.00"), day_close(0));
  (void)v.submit(limit("S-1", kXyz, kSell, "10", "50.00"), day_close(0));
  auto ev = v.on_bar(daily(kAapl, 1, "97.00", "98", "96", "97", "1000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("97.00"));  // gapped below the buy limit: the open is better
  ev = v.on_bar(daily(kXyz, 1, "52.00", "53", "51", "52", "1000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("52.00"));
}

TEST(SimVenueStops, StopTriggersAndFillsAtStopOrWorseOpen) {
  Fixture f;
  auto v = f.venue(FillModel::kNextOpen);
  Order bs = order("B-1", kAapl, kBuy, OrderType::kStop, "10");
  bs.stop_price = px("105");
  (void)v.submit(bs, day_close(0));
  EXPECT_TRUE(v.on_bar(daily(kAapl, 1, "103", "104.99", "102", "104", "1000")).empty());
  auto ev = v.on_bar(daily(kAapl, 2, "103", "106", "102", "105", "1000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("105"));  // max(open 103, stop 105)

  Order gap = bs;
  gap.id = ClientOrderId("B-2");
  (void)v.submit(gap, day_close(2));
  ev = v.on_bar(daily(kAapl, 3, "107", "108", "106.5", "107", "1000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("107"));  // gapped over the stop: the open

  Order ss = order("S-1", kXyz, kSell, OrderType::kStop, "10");
  ss.stop_price = px("95");
  (void)v.submit(ss, day_close(0));
  ev = v.on_bar(daily(kXyz, 1, "97", "98", "94", "95.5", "1000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("95"));  // min(open 97, stop 95)
}

TEST(SimVenueStops, StopLimitOnTheTriggerBar) {
  Fixture f;
  auto v = f.venue(FillModel::kNextOpen);
  Order a = order("B-1", kAapl, kBuy, OrderType::kStopLimit, "10");
  a.stop_price = px("105");
  a.limit_price = px("106");
  (void)v.submit(a, day_close(0));
  // Triggered inside the bar (open 103 < 105 <= high 107) with the stop inside the limit:
  // fills at the stop, 105.
  auto ev = v.on_bar(daily(kAapl, 1, "103", "107", "102", "106", "1000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("105"));

  Order b = order("B-2", kXyz, kBuy, OrderType::kStopLimit, "10");
  b.stop_price = px("105");
  b.limit_price = px("105");
  (void)v.submit(b, day_close(0));
  // Stop = limit: triggered intrabar, no fill on that bar (the path is unknown) ...
  EXPECT_TRUE(v.on_bar(daily(kXyz, 1, "103", "107", "102", "106", "1000")).empty());
  // ... then a plain limit at 105: low 103.50 < 105 fills at min(open 104, 105) = 104.
  ev = v.on_bar(daily(kXyz, 2, "104", "106", "103.50", "105", "1000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("104"));
}

TEST(SimVenueAuctions, MarketOnOpenAndOnCloseDailyBars) {
  Fixture f;
  auto v = f.venue(FillModel::kBarClose);
  (void)v.on_bar(daily(kAapl, 0, "100", "102", "99", "101", "1000"));
  auto moo = order("O-1", kAapl, kBuy, OrderType::kMarketOnOpen, "10");
  auto ev = v.submit(moo, day_close(0));
  EXPECT_TRUE(of_kind(ev, K::kFilled).empty());  // never at submission
  ev = v.on_bar(daily(kAapl, 1, "102.50", "104", "102", "103", "1000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("102.50"));  // day 1's open

  // MOC submitted during day 2 (14:00 UTC): fills at day 2's close when its bar arrives.
  auto moc = order("C-1", kAapl, kSell, OrderType::kMarketOnClose, "10");
  (void)v.submit(moc, day_start(2) + 14h);
  ev = v.on_bar(daily(kAapl, 2, "103", "105", "102", "104.25", "1000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("104.25"));

  // MOC submitted at day 2's close belongs to day 3: survives day 2's session close.
  auto late = order("C-2", kAapl, kSell, OrderType::kMarketOnClose, "10");
  (void)v.submit(late, day_close(2));
  EXPECT_TRUE(v.on_session_close(day_close(2)).empty());
  ev = v.on_bar(daily(kAapl, 3, "104", "106", "103", "105.75", "1000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("105.75"));
}

TEST(SimVenueAuctions, IntradayOpenAndClose) {
  Fixture f;
  auto v = f.venue(FillModel::kNextOpen);
  const Timestamp open0 = day_start(0) + 13h + 30min;  // 09:30 EDT
  (void)v.on_bar(minute(kAapl, open0 + 388min, "100", "100.2", "99.9", "100.1", "5000"));  // 15:58
  auto moc = order("C-1", kAapl, kSell, OrderType::kMarketOnClose, "10");
  (void)v.submit(moc, open0 + 388min + 30s);
  EXPECT_TRUE(v.on_bar(minute(kAapl, open0 + 389min, "100.1", "100.3", "100", "100.22", "5000")).empty());
  auto ev = v.on_session_close(day_close(0));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::kFilled);
  EXPECT_EQ(ev[0].order_price, px("100.22"));  // the session's last bar's close

  auto moo = order("O-1", kAapl, kBuy, OrderType::kMarketOnOpen, "10");
  (void)v.submit(moo, day_close(0) + 30min);
  const Timestamp open1 = day_start(1) + 13h + 30min;
  ev = v.on_bar(minute(kAapl, open1, "101", "101.5", "100.8", "101.2", "5000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("101"));  // the first bar of the next session
}

TEST(SimVenueAuctions, MooAfterTheFirstBarWaitsForTheNextSession) {
  Fixture f;
  auto v = f.venue(FillModel::kNextOpen);
  const Timestamp open0 = day_start(0) + 13h + 30min;
  (void)v.on_bar(minute(kAapl, open0, "100", "100.2", "99.9", "100.1", "5000"));
  auto moo = order("O-1", kAapl, kBuy, OrderType::kMarketOnOpen, "10");
  (void)v.submit(moo, open0 + 1min);
  EXPECT_TRUE(v.on_bar(minute(kAapl, open0 + 1min, "100.1", "100.3", "100", "100.2", "5000")).empty());
  auto ev = v.on_session_close(day_close(0));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::kExpired);  // a DAY auction order for a session already open
}

// ---------------------------------------------------------------------------------------------
// Options.

TEST(SimVenueOptions, BuyAtAskSellAtBid) {
  Fixture f;
  auto v = f.venue(FillModel::kBarClose);
  const std::vector<OptionQuote> chain{oq(kP100, "2.00", "2.10"), oq(kP95, "0.80", "0.90")};
  (void)v.on_option_quotes(chain, day_close(0));
  auto ev = of_kind(v.submit(market("O-1", kP100, kBuy, "1"), day_close(0)), K::kFilled);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("2.10"));
  ev = of_kind(v.submit(market("O-2", kP95, kSell, "3"), day_close(0)), K::kFilled);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("0.80"));
  EXPECT_EQ(ev[0].order_quantity, qty("3"));
}

TEST(SimVenueOptions, NextOpenUsesTheNextSnapshotOnly) {
  Fixture f;
  auto v = f.venue(FillModel::kNextOpen);
  const std::vector<OptionQuote> day0{oq(kP100, "2.00", "2.10")};
  (void)v.on_option_quotes(day0, day_close(0));
  EXPECT_TRUE(of_kind(v.submit(market("O-1", kP100, kBuy, "1"), day_close(0)), K::kFilled).empty());
  const std::vector<OptionQuote> day1{oq(kP100, "1.70", "1.80")};
  auto ev = v.on_option_quotes(day1, day_close(1));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("1.80"));
  EXPECT_EQ(ev[0].ts, day_close(1));
}

TEST(SimVenueOptions, ZeroBidNeverFillsASell) {
  Fixture f;
  auto v = f.venue(FillModel::kBarClose);
  const std::vector<OptionQuote> chain{oq(kC110, "0.00", "0.05")};
  (void)v.on_option_quotes(chain, day_close(0));
  auto ev = v.submit(market("O-1", kC110, kSell, "1"), day_close(0));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::kAccepted);  // rests, unfilled
  // The same under IOC: canceled after the attempt, still unfilled.
  Order ioc = market("O-2", kC110, kSell, "1");
  ioc.tif = TimeInForce::kIoc;
  ev = v.submit(ioc, day_close(0));
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[1].kind, K::kCanceled);
  EXPECT_TRUE(contains(ev[1].reason, "IOC"));
  // Under mid-plus-fraction too.
  f.config.option_price = OptionPriceModel::kMidPlusFraction;
  auto m = f.venue(FillModel::kBarClose);
  (void)m.on_option_quotes(chain, day_close(0));
  EXPECT_TRUE(of_kind(m.submit(market("O-3", kC110, kSell, "1"), day_close(0)), K::kFilled).empty());
}

TEST(SimVenueOptions, OptionLimitAgainstTheTouch) {
  Fixture f;
  auto v = f.venue(FillModel::kNextOpen);
  (void)v.submit(limit("O-1", kP100, kSell, "2", "2.05"), day_close(0));
  const std::vector<OptionQuote> d1{oq(kP100, "2.00", "2.10")};
  EXPECT_TRUE(v.on_option_quotes(d1, day_close(1)).empty());  // bid 2.00 < limit 2.05
  const std::vector<OptionQuote> d2{oq(kP100, "2.05", "2.15")};
  auto ev = v.on_option_quotes(d2, day_close(2));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("2.05"));  // bid >= limit: at the bid
}

TEST(SimVenueOptions, MidPlusFractionArithmetic) {
  struct Case {
    const char* bid;
    const char* ask;
    double f;
    const char* buy;
    const char* sell;
  };
  const Case cases[] = {
      // mid 1.05, half-spread 0.05: buy 1.05 + 0.5 x 0.05 = 1.075 -> up to 1.08;
      // sell 1.025 -> down to 1.02.
      {"1.00", "1.10", 0.5, "1.08", "1.02"},
      {"1.00", "1.10", 0.0, "1.05", "1.05"},  // mid, on the penny grid
      {"1.00", "1.10", 1.0, "1.10", "1.00"},  // the touch
      // >= $3.00 on a nickel-quoted class: mid 3.15, half 0.15: buy 3.225 -> 3.25; sell 3.075 -> 3.05.
      {"3.00", "3.30", 0.5, "3.25", "3.05"},
      // Quote off the nickel grid: penny ticks. mid 3.165, half 0.145: buy 3.2375 -> 3.24;
      // sell 3.0925 -> 3.09.
      {"3.02", "3.31", 0.5, "3.24", "3.09"},
      // mid 1.005, half 0.005: f 0.25 -> buy 1.00625 -> 1.01; sell 1.00375 -> 1.00.
      {"1.00", "1.01", 0.25, "1.01", "1.00"},
  };
  for (const Case& c : cases) {
    Fixture fx;
    fx.config.option_price = OptionPriceModel::kMidPlusFraction;
    fx.config.mid_fraction = c.f;
    auto v = fx.venue(FillModel::kBarClose);
    const std::vector<OptionQuote> chain{oq(kP100, c.bid, c.ask)};
    (void)v.on_option_quotes(chain, day_close(0));
    auto b = of_kind(v.submit(market("M-1", kP100, kBuy, "1"), day_close(0)), K::kFilled);
    auto s = of_kind(v.submit(market("M-2", kP100, kSell, "1"), day_close(0)), K::kFilled);
    ASSERT_EQ(b.size(), 1u);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(b[0].order_price, px(c.buy)) << c.bid << "/" << c.ask << " f=" << c.f;
    EXPECT_EQ(s[0].order_price, px(c.sell)) << c.bid << "/" << c.ask << " f=" << c.f;
  }
}

TEST(SimVenueOptions, DisplayedSizeCapsAndIsShared) {
  Fixture f;
  auto v = f.venue(FillModel::kBarClose);
  const std::vector<OptionQuote> chain{oq(kP100, "2.00", "2.10", "5")};
  (void)v.on_option_quotes(chain, day_close(0));
  auto ev = of_kind(v.submit(market("O-1", kP100, kBuy, "3"), day_close(0)), K::kFilled);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_quantity, qty("3"));
  ev = of_kind(v.submit(market("O-2", kP100, kBuy, "4"), day_close(0)), K::kFilled);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_quantity, qty("2"));  // 5 shown, 3 taken already
  ASSERT_EQ(v.working_orders().size(), 1u);
  EXPECT_EQ(v.working_orders()[0].leaves_quantity(), qty("2"));
}

// ---------------------------------------------------------------------------------------------
// Combos.

Order bull_put_as_credit(const char* id, const char* net_limit) {
  // Written as sell P100 / buy P95 and BOUGHT: the legs execute as written; the net as
  // written is -bid(P100) + ask(P95), negative = a credit (order.hpp).
  Order o;
  o.id = ClientOrderId(id);
  o.legs = {{InstrumentId(kP100), 1, kSell}, {InstrumentId(kP95), 1, kBuy}};
  o.side = kBuy;
  o.type = OrderType::kLimit;
  o.quantity = qty("2");
  o.limit_price = px(net_limit);
  return o;
}

TEST(SimVenueCombos, BullPutSpreadSoldForACredit) {
  Fixture f;
  auto v = f.venue(FillModel::kBarClose);
  const std::vector<OptionQuote> chain{oq(kP100, "2.00", "2.10"), oq(kP95, "0.80", "0.90")};
  (void)v.on_option_quotes(chain, day_close(0));
  // Net = -2.00 + 0.90 = -1.10 (a 1.10 credit). Limit -1.15 asks for more credit: no fill.
  auto ev = v.submit(bull_put_as_credit("K-1", "-1.15"), day_close(0));
  EXPECT_TRUE(of_kind(ev, K::kFilled).empty());
  // Limit -1.10: net -1.10 <= -1.10, fills.
  ev = of_kind(v.submit(bull_put_as_credit("K-2", "-1.10"), day_close(0)), K::kFilled);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("-1.10"));
  EXPECT_EQ(ev[0].order_quantity, qty("2"));
  ASSERT_EQ(ev[0].fills.size(), 2u);
  EXPECT_EQ(ev[0].fills[0].instrument, InstrumentId(kP100));
  EXPECT_EQ(ev[0].fills[0].side, kSell);
  EXPECT_EQ(ev[0].fills[0].price, px("2.00"));
  EXPECT_EQ(ev[0].fills[0].quantity, qty("2"));
  EXPECT_EQ(ev[0].fills[1].instrument, InstrumentId(kP95));
  EXPECT_EQ(ev[0].fills[1].side, kBuy);
  EXPECT_EQ(ev[0].fills[1].price, px("0.90"));
}

TEST(SimVenueCombos, SameSpreadWrittenAsADebitAndSold) {
  Fixture f;
  auto v = f.venue(FillModel::kBarClose);
  const std::vector<OptionQuote> chain{oq(kP100, "2.00", "2.10"), oq(kP95, "0.80", "0.90")};
  (void)v.on_option_quotes(chain, day_close(0));
  // Written buy P100 / sell P95 and SOLD: legs reversed (sell P100 at 2.00, buy P95 at 0.90);
  // the net as written is +2.00 - 0.90 = +1.10, and a sold combo needs net >= limit.
  Order o;
  o.id = ClientOrderId("K-3");
  o.legs = {{InstrumentId(kP100), 1, kBuy}, {InstrumentId(kP95), 1, kSell}};
  o.side = kSell;
  o.type = OrderType::kLimit;
  o.quantity = qty("1");
  o.limit_price = px("1.15");
  EXPECT_TRUE(of_kind(v.submit(o, day_close(0)), K::kFilled).empty());
  o.id = ClientOrderId("K-4");
  o.limit_price = px("1.10");
  auto ev = of_kind(v.submit(o, day_close(0)), K::kFilled);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("1.10"));
  EXPECT_EQ(ev[0].fills[0].side, kSell);
  EXPECT_EQ(ev[0].fills[0].price, px("2.00"));
  EXPECT_EQ(ev[0].fills[1].side, kBuy);
  EXPECT_EQ(ev[0].fills[1].price, px("0.90"));
}

TEST(SimVenueCombos, EveryLegMustBeQuotedInTheSnapshot) {
  Fixture f;
  auto v = f.venue(FillModel::kNextOpen);
  (void)v.submit(bull_put_as_credit("K-1", "-1.00"), day_close(0));
  const std::vector<OptionQuote> partial{oq(kP100, "2.00", "2.10")};
  EXPECT_TRUE(v.on_option_quotes(partial, day_close(1)).empty());  // P95 missing: waits
  const std::vector<OptionQuote> full{oq(kP100, "2.00", "2.10"), oq(kP95, "0.80", "0.90")};
  auto ev = v.on_option_quotes(full, day_close(2));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("-1.10"));
}

TEST(SimVenueCombos, FeesPerLegWithOneMinimumPerOrder) {
  Fixture f;
  f.config.fees = *fee_preset("ibkr_tiered");
  auto v = f.venue(FillModel::kBarClose);
  const std::vector<OptionQuote> chain{oq(kP100, "2.00", "2.10"), oq(kP95, "0.80", "0.90")};
  (void)v.on_option_quotes(chain, day_close(0));
  Order o = bull_put_as_credit("K-1", "-1.10");
  o.quantity = qty("1");
  auto ev = of_kind(v.submit(o, day_close(0)), K::kFilled);
  ASSERT_EQ(ev.size(), 1u);
  // Leg 1 (sell 1 P100 @ 2.00): 0.65 -> the order minimum 1.00. Leg 2 (buy 1 P95 @ 0.90): the
  // order's per-contract total is now 1.30, 1.00 paid: 0.30.
  EXPECT_EQ(ev[0].fills[0].commission, usd("1.00"));
  EXPECT_EQ(ev[0].fills[1].commission, usd("0.30"));
  // Leg 1 regulatory: SEC $200 x 0.0000278 = 0.00556 -> 0.01; TAF 0.00279 -> 0.00;
  // ORF 0.02685 -> 0.03; OCC 0.02. = 0.06. Leg 2 (a buy): ORF 0.03 + OCC 0.02 = 0.05.
  EXPECT_EQ(ev[0].fills[0].regulatory_fees, usd("0.06"));
  EXPECT_EQ(ev[0].fills[1].regulatory_fees, usd("0.05"));
}

TEST(SimVenueCombos, RejectsNonOptionLegs) {
  Fixture f;
  auto v = f.venue(FillModel::kBarClose);
  Order o = bull_put_as_credit("K-1", "-1.10");
  o.legs[1].instrument = InstrumentId(kAapl);
  auto ev = v.submit(o, day_close(0));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::kRejected);
  EXPECT_TRUE(contains(ev[0].reason, "K-1"));
  EXPECT_TRUE(contains(ev[0].reason, "legs[1]"));
}

// The last bar of each instrument is what a bar_close order fills at, through bars of one
// instrument in a row, of two in turn, a copy of the venue fed differently afterwards, and a
// split that drops the underlying's bar (the order then waits for the next bar's open).
TEST(SimVenueBarClose, FillsAtEachInstrumentsLastCloseAcrossCopiesAndSplits) {
  Fixture f;
  auto v = f.venue(FillModel::kBarClose);
  EXPECT_TRUE(v.on_bar(daily(kAapl, 0, "100", "102", "99", "101", "1000000")).empty());
  EXPECT_TRUE(v.on_bar(daily(kAapl, 1, "101", "103", "100", "102", "1000000")).empty());
  EXPECT_TRUE(v.on_bar(daily(kXyz, 1, "20", "21", "19", "20", "1000000")).empty());
  EXPECT_TRUE(v.on_bar(daily(kAapl, 2, "102", "104", "101", "103", "1000000")).empty());
  SimulatedVenue copy = v;
  EXPECT_TRUE(v.on_bar(daily(kAapl, 3, "103", "111", "102", "110", "1000000")).empty());
  EXPECT_TRUE(copy.on_bar(daily(kAapl, 3, "103", "105", "102", "104", "1000000")).empty());
  EXPECT_EQ(fill_price(v.submit(market("C-1", kAapl, kBuy, "10"), day_close(3))), px("110"));
  EXPECT_EQ(fill_price(copy.submit(market("C-1", kAapl, kBuy, "10"), day_close(3))), px("104"));
  EXPECT_EQ(fill_price(v.submit(market("C-2", kXyz, kBuy, "10"), day_close(3))), px("20"));
  // After the split AAPL has no bar: accepted, not filled; the next bar fills it at its open.
  (void)v.on_split(InstrumentId(kAapl), "AAPL", 2, 1, day_start(4));
  auto ev = v.submit(market("C-3", kAapl, kBuy, "10"), day_start(4) + 1h);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::kAccepted);
  EXPECT_EQ(fill_price(v.on_bar(daily(kAapl, 5, "55", "56", "54", "55.50", "1000000"))), px("55"));
  EXPECT_EQ(fill_price(v.submit(market("C-4", kAapl, kBuy, "10"), day_close(5))), px("55.50"));
}

// ---------------------------------------------------------------------------------------------
// Participation, time in force.

TEST(SimVenueParticipation, CappedFillsRemainderWorksThenExpires) {
  Fixture f;
  f.config.participation_cap = 0.10;
  auto v = f.venue(FillModel::kNextOpen);
  (void)v.submit(market("P-1", kAapl, kBuy, "250"), day_close(0));
  // floor(0.10 x 1,005) = 100 shares.
  auto ev = v.on_bar(daily(kAapl, 1, "50", "51", "49", "50", "1005"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_quantity, qty("100"));
  // Submitted before day 1's close: the DAY remainder of 150 expires there.
  ev = v.on_session_close(day_close(1));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::kExpired);
  EXPECT_TRUE(contains(ev[0].reason, "150"));
  EXPECT_TRUE(v.working_orders().empty());
}

TEST(SimVenueParticipation, GtcRemainderKeepsWorkingAcrossBars) {
  Fixture f;
  f.config.participation_cap = 0.10;
  auto v = f.venue(FillModel::kNextOpen);
  Order o = market("P-1", kAapl, kBuy, "250");
  o.tif = TimeInForce::kGtc;
  (void)v.submit(o, day_close(0));
  EXPECT_EQ(v.on_bar(daily(kAapl, 1, "50", "51", "49", "50", "1000"))[0].order_quantity, qty("100"));
  EXPECT_TRUE(v.on_session_close(day_close(1)).empty());
  EXPECT_EQ(v.on_bar(daily(kAapl, 2, "51", "52", "50", "51", "1000"))[0].order_quantity, qty("100"));
  auto ev = v.on_bar(daily(kAapl, 3, "52", "53", "51", "52", "1000"));
  EXPECT_EQ(ev[0].order_quantity, qty("50"));
  EXPECT_EQ(ev[0].order_price, px("52"));
  EXPECT_TRUE(v.working_orders().empty());
}

TEST(SimVenueParticipation, IocRemainderCanceledFokAllOrNothing) {
  Fixture f;
  f.config.participation_cap = 0.10;
  auto v = f.venue(FillModel::kNextOpen);
  Order ioc = market("I-1", kAapl, kBuy, "250");
  ioc.tif = TimeInForce::kIoc;
  (void)v.submit(ioc, day_close(0));
  Order fok = market("F-1", kXyz, kBuy, "250");
  fok.tif = TimeInForce::kFok;
  (void)v.submit(fok, day_close(0));
  auto ev = v.on_bar(daily(kAapl, 1, "50", "51", "49", "50", "1000"));
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, K::kFilled);
  EXPECT_EQ(ev[0].order_quantity, qty("100"));
  EXPECT_EQ(ev[1].kind, K::kCanceled);
  EXPECT_TRUE(contains(ev[1].reason, "150"));
  ev = v.on_bar(daily(kXyz, 1, "20", "21", "19", "20", "1000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::kCanceled);  // 100 of 250 possible: FOK takes nothing
  EXPECT_TRUE(contains(ev[0].reason, "FOK"));
  // FOK that fits: 2,500 volume -> 250 cap.
  Order fok2 = market("F-2", kXyz, kBuy, "250");
  fok2.tif = TimeInForce::kFok;
  (void)v.submit(fok2, day_close(1));
  ev = v.on_bar(daily(kXyz, 2, "20", "21", "19", "20", "2500"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_quantity, qty("250"));
}

TEST(SimVenueParticipation, CapIsSharedByOrdersOnTheSameBar) {
  Fixture f;
  f.config.participation_cap = 0.10;
  auto v = f.venue(FillModel::kNextOpen);
  (void)v.submit(market("P-1", kAapl, kBuy, "80"), day_close(0));
  (void)v.submit(market("P-2", kAapl, kSell, "80"), day_close(0));
  auto ev = v.on_bar(daily(kAapl, 1, "50", "51", "49", "50", "1000"));
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].order_id, ClientOrderId("P-1"));  // submission order
  EXPECT_EQ(ev[0].order_quantity, qty("80"));
  EXPECT_EQ(ev[1].order_quantity, qty("20"));  // 100 - 80
}

TEST(SimVenueParticipation, AllOrNoneWaitsForABarThatFits) {
  Fixture f;
  f.config.participation_cap = 0.10;
  auto v = f.venue(FillModel::kNextOpen);
  Order o = market("A-1", kAapl, kBuy, "150");
  o.all_or_none = true;
  o.tif = TimeInForce::kGtc;
  (void)v.submit(o, day_close(0));
  EXPECT_TRUE(v.on_bar(daily(kAapl, 1, "50", "51", "49", "50", "1000")).empty());
  auto ev = v.on_bar(daily(kAapl, 2, "50", "51", "49", "50", "1500"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_quantity, qty("150"));
}

// ---------------------------------------------------------------------------------------------
// Costs.

TEST(SimVenueCosts, SlippageBps) {
  Fixture f;
  f.config.slippage_bps = 10.0;
  auto v = f.venue(FillModel::kNextOpen);
  (void)v.submit(market("S-1", kAapl, kBuy, "100"), day_close(0));
  (void)v.submit(market("S-2", kXyz, kSell, "100"), day_close(0));
  // 100.00 x (1 + 0.0010) = 100.10; 100.00 x (1 - 0.0010) = 99.90.
  EXPECT_EQ(v.on_bar(daily(kAapl, 1, "100", "101", "99", "100", "1000000"))[0].order_price, px("100.10"));
  EXPECT_EQ(v.on_bar(daily(kXyz, 1, "100", "101", "99", "100", "1000000"))[0].order_price, px("99.90"));
}

TEST(SimVenueCosts, SlippageRoundsToTheTickAgainstTheTrader) {
  Fixture f;
  f.config.slippage_bps = 7.5;
  auto v = f.venue(FillModel::kNextOpen);
  (void)v.submit(market("S-1", kAapl, kBuy, "100"), day_close(0));
  (void)v.submit(market("S-2", kXyz, kSell, "100"), day_close(0));
  // 100.00 x 0.00075 = 0.075: buy 100.075 -> up to 100.08; sell 99.925 -> down to 99.92.
  EXPECT_EQ(v.on_bar(daily(kAapl, 1, "100", "101", "99", "100", "1000000"))[0].order_price, px("100.08"));
  EXPECT_EQ(v.on_bar(daily(kXyz, 1, "100", "101", "99", "100", "1000000"))[0].order_price, px("99.92"));
}

TEST(SimVenueCosts, SquareRootImpact) {
  Fixture f;
  f.config.impact_coefficient = 0.5;
  f.config.slippage_bps = 5.0;
  auto v = f.venue(FillModel::kNextOpen);
  (void)v.submit(market("I-1", kAapl, kBuy, "100"), day_close(0));
  // sigma = (102 - 98) / 100 = 0.04; sqrt(100 / 10,000) = 0.1; impact = 0.5 x 0.04 x 0.1
  // = 0.002; plus 5 bps = 0.0025 of 100.00 = 0.25 -> 100.25.
  auto ev = v.on_bar(daily(kAapl, 1, "100", "102", "98", "100", "10000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("100.25"));
}

TEST(SimVenueCosts, LimitCapsTheCostedPrice) {
  Fixture f;
  f.config.slippage_bps = 10.0;
  auto v = f.venue(FillModel::kNextOpen);
  (void)v.submit(limit("L-1", kAapl, kBuy, "100", "100.05"), day_close(0));
  // Trade-through (low 99 < 100.05) at min(open 100, 100.05) = 100.00; + 10 bps = 100.10 is
  // above the limit: the fill stops at 100.05.
  auto ev = v.on_bar(daily(kAapl, 1, "100", "101", "99", "100", "1000000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("100.05"));
}

TEST(SimVenueCosts, FeesRideOnEveryFill) {
  Fixture f;
  f.config.fees = *fee_preset("retail");
  auto v = f.venue(FillModel::kBarClose);
  (void)v.on_bar(daily(kAapl, 0, "150", "151", "149", "150.00", "1000000"));
  auto ev = of_kind(v.submit(market("F-1", kAapl, kSell, "100"), day_close(0)), K::kFilled);
  ASSERT_EQ(ev.size(), 1u);
  // SEC $15,000 x 0.0000278 = 0.417 -> 0.42; TAF 100 x 0.000166 -> 0.02.
  EXPECT_EQ(ev[0].fills[0].commission, usd("0"));
  EXPECT_EQ(ev[0].fills[0].regulatory_fees, usd("0.44"));
  const std::vector<OptionQuote> chain{oq(kP100, "1.25", "1.35")};
  (void)v.on_option_quotes(chain, day_close(0));
  ev = of_kind(v.submit(market("F-2", kP100, kSell, "1"), day_close(0)), K::kFilled);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].fills[0].price, px("1.25"));
  EXPECT_EQ(ev[0].fills[0].commission, usd("0.65"));
  EXPECT_EQ(ev[0].fills[0].fees(), usd("0.65"));  // SEC 0.003475 and TAF 0.00279 round to 0
}

TEST(SimVenueCosts, IbkrMinimumOnTheFirstPartialFillOnly) {
  Fixture f;
  f.config.fees = *fee_preset("ibkr_tiered");
  f.config.participation_cap = 0.10;
  auto v = f.venue(FillModel::kNextOpen);
  Order o = market("M-1", kAapl, kBuy, "100");
  o.tif = TimeInForce::kGtc;
  (void)v.submit(o, day_close(0));
  // 50 shares a bar (10% of 500). First: 50 x 0.0035 = 0.175 -> minimum 0.35. Second: the
  // order's 100 x 0.0035 = 0.35 is covered already: 0.00.
  auto a = v.on_bar(daily(kAapl, 1, "20", "21", "19", "20", "500"));
  auto b = v.on_bar(daily(kAapl, 2, "20", "21", "19", "20", "500"));
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].fills[0].commission, usd("0.35"));
  EXPECT_EQ(b[0].fills[0].commission, usd("0"));
}

TEST(SimVenueCosts, ImpactAtSubmissionReadsTheLastBarOfItsInstrument) {
  // kBarClose fills at once against what the venue kept of the last bar: its close (the base),
  // high, low and volume (the impact), never its open. Bars of another instrument in between.
  Fixture f;
  f.config.impact_coefficient = 0.1;
  auto v = f.venue(FillModel::kBarClose);
  (void)v.on_bar(daily(kAapl, 0, "90", "104", "96", "100", "10000"));
  (void)v.on_bar(daily(kXyz, 0, "10", "11", "9", "10", "500"));
  // sigma = (104 - 96) / 100 = 0.08; sqrt(100 / 10,000) = 0.1; impact 0.1 x 0.08 x 0.1 = 0.0008
  // of 100.00 = 0.08 -> 100.08 (a buy, on the cent grid already).
  EXPECT_EQ(fill_price(v.submit(market("K-1", kAapl, kBuy, "100"), day_close(0))), px("100.08"));
  (void)v.on_bar(daily(kAapl, 1, "150", "110", "100", "105", "2500"));
  (void)v.on_bar(daily(kXyz, 1, "10", "11", "9", "10", "500"));
  // sigma = 10 / 105; sqrt(100 / 2,500) = 0.2; impact 0.1 x (10 / 105) x 0.2 of 105.00 = 0.20
  // -> a sale at 104.80.
  EXPECT_EQ(fill_price(v.submit(market("K-2", kAapl, kSell, "100"), day_close(1))), px("104.80"));
  // XYZ: sigma = 2 / 10 = 0.2; sqrt(5 / 500) = 0.1; 0.1 x 0.2 x 0.1 = 0.002 of 10.00 = 0.02.
  EXPECT_EQ(fill_price(v.submit(market("K-3", kXyz, kBuy, "5"), day_close(1))), px("10.02"));
  EXPECT_TRUE(v.working_orders().empty());
}

TEST(SimVenueBarClose, LastCloseKeptWhileOrdersComeAndGo) {
  // on_bar keeps each bar whether or not orders are working, and whichever way the last working
  // order goes (canceled, filled on a bar): a market order then fills at the latest close.
  Fixture f;
  auto v = f.venue(FillModel::kBarClose);
  (void)v.on_bar(daily(kAapl, 0, "50", "51", "49", "50", "1000"));
  EXPECT_TRUE(of_kind(v.submit(limit("Q-1", kAapl, kBuy, "10", "40"), day_close(0)), K::kFilled).empty());
  (void)v.on_bar(daily(kAapl, 1, "51", "52", "50", "51", "1000"));  // low 50: no trade-through of 40
  (void)v.on_bar(daily(kAapl, 2, "52", "53", "51", "52", "1000"));
  ASSERT_EQ(v.cancel(ClientOrderId("Q-1"), day_close(2)).size(), 1u);  // nothing working now
  (void)v.on_bar(daily(kAapl, 3, "53", "54", "52", "53", "1000"));
  EXPECT_EQ(fill_price(v.submit(market("Q-2", kAapl, kBuy, "10"), day_close(3))), px("53"));
  // A resting limit at 52.50 filled by day 4's trade-through (low 52 < 52.50) at min(open
  // 53.50, 52.50) = 52.50; then day 5's close, 55, is the one a market order gets.
  EXPECT_TRUE(of_kind(v.submit(limit("Q-3", kAapl, kBuy, "10", "52.50"), day_close(3)), K::kFilled).empty());
  EXPECT_EQ(fill_price(v.on_bar(daily(kAapl, 4, "53.50", "54", "52", "54", "1000"))), px("52.50"));
  EXPECT_TRUE(v.working_orders().empty());
  (void)v.on_bar(daily(kAapl, 5, "54", "56", "53", "55", "1000"));
  EXPECT_EQ(fill_price(v.submit(market("Q-4", kAapl, kSell, "10"), day_close(5))), px("55"));
}

TEST(SimVenueParticipation, PartFilledAtSubmissionKeepsItsStateBesideLaterSubmissions) {
  // An order partly filled at submission keeps working with what it was charged; orders
  // submitted after it (one filled whole at once, one left resting) do not disturb it.
  Fixture f;
  f.config.fees = *fee_preset("ibkr_tiered");
  f.config.participation_cap = 0.10;
  auto v = f.venue(FillModel::kBarClose);
  (void)v.on_bar(daily(kAapl, 0, "20", "21", "19", "20", "500"));
  Order a = market("S-1", kAapl, kBuy, "80");
  a.tif = TimeInForce::kGtc;
  // Cap floor(0.10 x 500) = 50 shares on this bar: 50 of 80 at 20, 50 x 0.0035 = 0.175 ->
  // the 0.35 minimum.
  auto ev = of_kind(v.submit(a, day_close(0)), K::kFilled);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_quantity, qty("50"));
  EXPECT_EQ(ev[0].fills[0].commission, usd("0.35"));
  // The bar's cap is spent: a second order rests whole; a limit far below rests too.
  Order b = market("S-2", kAapl, kBuy, "10");
  b.tif = TimeInForce::kGtc;
  EXPECT_TRUE(of_kind(v.submit(b, day_close(0)), K::kFilled).empty());
  EXPECT_TRUE(of_kind(v.submit(limit("S-3", kAapl, kBuy, "5", "1.00"), day_close(0)), K::kFilled).empty());
  auto working = v.working_orders();
  ASSERT_EQ(working.size(), 3u);
  EXPECT_EQ(working[0].id.value(), "S-1");
  EXPECT_EQ(working[0].filled_quantity, qty("50"));
  EXPECT_EQ(working[1].id.value(), "S-2");
  EXPECT_EQ(working[2].id.value(), "S-3");
  // Next bar, cap 50 again, in submission order: S-1's 30 at the open 21 (the order's 80 x
  // 0.0035 = 0.28 is under the 0.35 it paid: 0.00), then S-2's 10 (its own minimum, 0.35).
  ev = v.on_bar(daily(kAapl, 1, "21", "22", "20.50", "21", "500"));
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].order_id.value(), "S-1");
  EXPECT_EQ(ev[0].order_quantity, qty("30"));
  EXPECT_EQ(ev[0].order_price, px("21"));
  EXPECT_EQ(ev[0].fills[0].commission, usd("0"));
  EXPECT_EQ(ev[1].order_id.value(), "S-2");
  EXPECT_EQ(ev[1].order_quantity, qty("10"));
  EXPECT_EQ(ev[1].fills[0].commission, usd("0.35"));
  working = v.working_orders();
  ASSERT_EQ(working.size(), 1u);
  EXPECT_EQ(working[0].id.value(), "S-3");
  // A new submission filled whole at once leaves the resting limit as it was.
  (void)v.on_bar(daily(kAapl, 2, "21", "22", "20.50", "21", "500"));
  ev = of_kind(v.submit(market("S-4", kAapl, kSell, "20"), day_close(2)), K::kFilled);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("21"));
  working = v.working_orders();
  ASSERT_EQ(working.size(), 1u);
  EXPECT_EQ(working[0].id.value(), "S-3");
  EXPECT_EQ(working[0].quantity, qty("5"));
  EXPECT_TRUE(working[0].filled_quantity.is_zero());
}

// ---------------------------------------------------------------------------------------------
// Rejections, cancels.

TEST(SimVenueRejections, DuplicateUnknownInvalid) {
  Fixture f;
  auto v = f.venue(FillModel::kNextOpen);
  EXPECT_EQ(v.submit(market("D-1", kAapl, kBuy, "1"), day_close(0))[0].kind, K::kAccepted);
  auto ev = v.submit(market("D-1", kXyz, kBuy, "1"), day_close(0));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::kRejected);
  EXPECT_TRUE(contains(ev[0].reason, "D-1"));
  EXPECT_TRUE(contains(ev[0].reason, "duplicate"));
  // Still the first order working, untouched.
  ASSERT_EQ(v.working_orders().size(), 1u);
  EXPECT_EQ(v.working_orders()[0].instrument, InstrumentId(kAapl));

  ev = v.submit(market("D-2", 777, kBuy, "1"), day_close(0));
  EXPECT_EQ(ev[0].kind, K::kRejected);
  EXPECT_TRUE(contains(ev[0].reason, "777"));
  ev = v.submit(market("D-3", kAapl, kBuy, "0"), day_close(0));
  EXPECT_EQ(ev[0].kind, K::kRejected);
  EXPECT_TRUE(contains(ev[0].reason, "quantity"));
  ev = v.submit(market("D-4", kSpx, kBuy, "1"), day_close(0));
  EXPECT_EQ(ev[0].kind, K::kRejected);
  EXPECT_TRUE(contains(ev[0].reason, "index"));
  ev = v.submit(market("D-5", kP100, kBuy, "1.5"), day_close(0));
  EXPECT_EQ(ev[0].kind, K::kRejected);
  EXPECT_TRUE(contains(ev[0].reason, "whole"));
  ev = v.submit(order("D-6", kP100, kBuy, OrderType::kMarketOnClose, "1"), day_close(0));
  EXPECT_EQ(ev[0].kind, K::kRejected);
}

TEST(SimVenueCancel, CancelWorkingAndUnknown) {
  Fixture f;
  auto v = f.venue(FillModel::kNextOpen);
  (void)v.submit(limit("C-1", kAapl, kBuy, "1", "10"), day_close(0));
  auto ev = v.cancel(ClientOrderId("C-1"), day_close(0) + 1s);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::kCanceled);
  EXPECT_TRUE(v.working_orders().empty());
  EXPECT_TRUE(v.cancel(ClientOrderId("C-1"), day_close(0) + 2s).empty());
  EXPECT_TRUE(v.cancel(ClientOrderId("nope"), day_close(0) + 2s).empty());
}

// ---------------------------------------------------------------------------------------------
// Splits.

TEST(SimVenueSplit, ThreeForTwoAdjustsRestingStockOrdersCancelsOptionOrders) {
  Fixture f;
  auto v = f.venue(FillModel::kNextOpen);
  Order buy = limit("X-1", kAapl, kBuy, "100", "90.00");
  buy.tif = TimeInForce::kGtc;
  Order sell = limit("X-2", kAapl, kSell, "101", "100.00");
  sell.tif = TimeInForce::kGtc;
  Order opt = limit("X-3", kP100, kSell, "1", "2.00");
  opt.tif = TimeInForce::kGtc;
  Order other = limit("X-4", kXyz, kBuy, "10", "20.00");
  other.tif = TimeInForce::kGtc;
  (void)v.submit(buy, day_close(0));
  (void)v.submit(sell, day_close(0));
  (void)v.submit(opt, day_close(0));
  (void)v.submit(other, day_close(0));
  auto ev = v.on_split(InstrumentId(kAapl), "AAPL", 3, 2, day_start(1));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::kCanceled);
  EXPECT_EQ(ev[0].order_id, ClientOrderId("X-3"));
  EXPECT_TRUE(contains(ev[0].reason, "split 3:2 of AAPL"));
  const auto w = v.working_orders();
  ASSERT_EQ(w.size(), 3u);
  // 100 x 3/2 = 150 shares at 90.00 x 2/3 = 60.00.
  EXPECT_EQ(w[0].quantity, qty("150"));
  EXPECT_EQ(*w[0].limit_price, px("60.00"));
  // 101 x 3/2 = 151.5 -> 151 whole shares; 100.00 x 2/3 = 66.666... -> a sell rounds up: 66.67.
  EXPECT_EQ(w[1].quantity, qty("151"));
  EXPECT_EQ(*w[1].limit_price, px("66.67"));
  // Another stock is untouched.
  EXPECT_EQ(w[2].quantity, qty("10"));
  EXPECT_EQ(*w[2].limit_price, px("20.00"));
}

TEST(SimVenueSplit, ReverseOneForSeven) {
  Fixture f;
  auto v = f.venue(FillModel::kNextOpen);
  Order buy = limit("R-1", kAapl, kBuy, "100", "10.01");
  buy.tif = TimeInForce::kGtc;
  Order tiny = limit("R-2", kAapl, kBuy, "6", "10.00");
  tiny.tif = TimeInForce::kGtc;
  (void)v.submit(buy, day_close(0));
  (void)v.submit(tiny, day_close(0));
  auto ev = v.on_split(InstrumentId(kAapl), "AAPL", 1, 7, day_start(1));
  // 6 / 7 of a share is less than one: canceled.
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_id, ClientOrderId("R-2"));
  const auto w = v.working_orders();
  ASSERT_EQ(w.size(), 1u);
  // 100 / 7 = 14.28... -> 14 shares; 10.01 x 7 = 70.07 exactly.
  EXPECT_EQ(w[0].quantity, qty("14"));
  EXPECT_EQ(*w[0].limit_price, px("70.07"));
}

TEST(SimVenueSplit, PreSplitBarIsForgotten) {
  Fixture f;
  auto v = f.venue(FillModel::kBarClose);
  (void)v.on_bar(daily(kAapl, 0, "150", "151", "149", "150", "1000000"));
  (void)v.on_split(InstrumentId(kAapl), "AAPL", 2, 1, day_start(1));
  // No pre-split close to fill at: the order waits for the next bar.
  auto ev = v.submit(market("Z-1", kAapl, kBuy, "10"), day_start(1));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::kAccepted);
  ev = v.on_bar(daily(kAapl, 1, "75.10", "76", "74", "75", "1000000"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_price, px("75.10"));
}

// ---------------------------------------------------------------------------------------------
// Config, names, determinism.

TEST(SimVenueConfig, ValidateNamesTheField) {
  ExecutionConfig c;
  c.participation_cap = 0.0;
  EXPECT_TRUE(contains(c.validate().error().message, "participation_cap"));
  c = ExecutionConfig{};
  c.mid_fraction = 1.5;
  EXPECT_TRUE(contains(c.validate().error().message, "mid_fraction"));
  c = ExecutionConfig{};
  c.slippage_bps = -1;
  EXPECT_TRUE(contains(c.validate().error().message, "slippage_bps"));
  c = ExecutionConfig{};
  c.impact_coefficient = std::nan("");
  EXPECT_TRUE(contains(c.validate().error().message, "impact_coefficient"));
  c = ExecutionConfig{};
  c.fees = *fee_preset("retail");
  c.fees.option_per_contract[0].rate = usd("-1");
  EXPECT_TRUE(contains(c.validate().error().message, "option_per_contract[0].rate"));
  EXPECT_TRUE(ExecutionConfig{}.validate().ok());
  EXPECT_FALSE(SimulatedVenue::create(ExecutionConfig{}, nullptr).ok());
}

TEST(SimVenueConfig, NamesRoundTrip) {
  for (FillModel m : {FillModel::kNextOpen, FillModel::kBarClose, FillModel::kQuote}) {
    EXPECT_EQ(*parse_fill_model(to_string(m)), m);
  }
  for (OptionPriceModel m : {OptionPriceModel::kBidAsk, OptionPriceModel::kMidPlusFraction}) {
    EXPECT_EQ(*parse_option_price_model(to_string(m)), m);
  }
  EXPECT_TRUE(contains(parse_fill_model("close").error().message, "next_open"));
  EXPECT_FALSE(parse_option_price_model("mid").ok());
  EXPECT_EQ(to_string(VenueEventKind::kExpired), "expired");
}

std::string serialize(const std::vector<VenueEvent>& events) {
  std::ostringstream s;
  for (const VenueEvent& e : events) {
    s << to_string(e.kind) << '|' << e.order_id.value() << '|' << e.ts.ns() << '|' << e.reason << '|'
      << e.order_quantity.to_string() << '|' << e.order_price.to_string();
    for (const Fill& f : e.fills) {
      s << '[' << f.instrument.value() << ' ' << to_string(f.side) << ' ' << f.quantity.to_string() << '@'
        << f.price.to_string() << ' ' << f.commission.to_string() << '+' << f.regulatory_fees.to_string() << ']';
    }
    s << '\n';
  }
  return s.str();
}

std::string scripted_run() {
  Fixture f;
  f.config.participation_cap = 0.2;
  f.config.slippage_bps = 3;
  f.config.impact_coefficient = 0.3;
  f.config.fees = *fee_preset("ibkr_tiered");
  auto v = f.venue(FillModel::kNextOpen);
  std::vector<VenueEvent> all;
  auto take = [&](std::vector<VenueEvent> ev) { all.insert(all.end(), ev.begin(), ev.end()); };
  take(v.submit(market("A-1", kAapl, kBuy, "500"), day_close(0)));
  take(v.submit(limit("A-2", kAapl, kSell, "300", "101.50"), day_close(0)));
  take(v.submit(bull_put_as_credit("A-3", "-1.00"), day_close(0)));
  for (int d = 1; d <= 5; ++d) {
    take(v.on_bar(daily(kAapl, d, "100", "102.5", "98.7", "101", "1700")));
    const std::vector<OptionQuote> chain{oq(kP100, "2.00", "2.10"), oq(kP95, "0.80", "0.90")};
    take(v.on_option_quotes(chain, day_close(d)));
    take(v.on_session_close(day_close(d)));
  }
  return serialize(all);
}

TEST(SimVenueDeterminism, SameInputsSameEvents) {
  const std::string a = scripted_run();
  const std::string b = scripted_run();
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
}

// The participation cap in whole shares is floor(cap x volume) exactly, for any volume the
// fixed-point range holds (fractional ones too): checked against the plain 128-bit formula
// floor(cap_e8 x volume_raw / 1e16), the caps chosen exact on the 1e-8 grid. A market order
// larger than any cap fills exactly that many shares at submission (bar_close).
RC_GTEST_PROP(SimVenueProp, ParticipationCapIsTheExactFloor, ()) {
  Universe universe;
  ExecutionConfig config;
  config.fill_model = FillModel::kBarClose;
  const std::int64_t cap_e8 = *rc::gen::element<std::int64_t>(1, 7'000'000, 10'000'000, 25'000'000, 99'999'999,
                                                                100'000'000);
  config.participation_cap = static_cast<double>(cap_e8) / 1e8;
  auto venue = SimulatedVenue::create(config, universe.lookup());
  RC_ASSERT(venue.ok());
  SimulatedVenue& v = *venue;
  const std::int64_t volume_raw = *rc::gen::oneOf(rc::gen::inRange<std::int64_t>(0, 1'000'000'000'000),
                                                  rc::gen::inRange<std::int64_t>(0, INT64_MAX));
  Bar bar = daily(kAapl, 0, "0.01", "0.01", "0.01", "0.01", "0");
  bar.volume = Quantity::from_raw(volume_raw, 8);
  RC_ASSERT(v.on_bar(bar).empty());
  Order o = market("P-1", kAapl, kBuy, "1");
  o.quantity = Quantity::from_raw(INT64_MAX / kFixedScale * kFixedScale, 0);  // above any cap
  const auto events = v.submit(o, day_close(0));
  const i128 expected_shares = static_cast<i128>(cap_e8) * volume_raw / (static_cast<i128>(kFixedScale) * kFixedScale);
  const auto fills = of_kind(events, K::kFilled);
  RC_CLASSIFY(expected_shares > 0, "capped fill");
  if (expected_shares == 0) {
    RC_ASSERT(fills.empty());
  } else {
    RC_ASSERT(fills.size() == 1u);
    RC_ASSERT(static_cast<i128>(fills[0].order_quantity.raw()) == expected_shares * kFixedScale);
  }
}

// ---------------------------------------------------------------------------------------------
// Properties over random bars and random limit orders.

RC_GTEST_PROP(SimVenueProp, LimitsNeverTradeThroughAndCapsHold, ()) {
  Universe universe;
  ExecutionConfig config;
  config.fill_model = *rc::gen::element(FillModel::kNextOpen, FillModel::kBarClose);
  config.participation_cap = *rc::gen::element(0.01, 0.05, 0.1, 0.25, 1.0);
  config.slippage_bps = *rc::gen::element(0.0, 2.5, 10.0, 50.0);
  config.impact_coefficient = *rc::gen::element(0.0, 0.1, 1.0);
  auto venue = SimulatedVenue::create(config, universe.lookup());
  RC_ASSERT(venue.ok());
  SimulatedVenue& v = *venue;

  struct Spec {
    OrderSide side;
    Price limit;
    Quantity quantity;
  };
  std::map<std::string, Spec> specs;
  std::map<std::string, Quantity> filled;
  std::int64_t mid_cents = 10'000;  // $100.00
  int next_id = 0;
  const int days = *rc::gen::inRange(2, 12);
  for (int d = 0; d < days; ++d) {
    // A random bar around the last price, in cents.
    const std::int64_t o = std::max<std::int64_t>(100, mid_cents + *rc::gen::inRange(-300, 301));
    const std::int64_t c = std::max<std::int64_t>(100, mid_cents + *rc::gen::inRange(-300, 301));
    const std::int64_t h = std::max(o, c) + *rc::gen::inRange(0, 200);
    const std::int64_t l = std::max<std::int64_t>(1, std::min(o, c) - *rc::gen::inRange(0, 200));
    const std::int64_t vol = *rc::gen::inRange(0, 5'000);
    mid_cents = c;
    Bar bar;
    bar.instrument = InstrumentId(kAapl);
    bar.ts_event = day_start(d);
    bar.ts_recv = day_close(d);
    bar.open = Price::from_raw(o * 1'000'000, 2);
    bar.high = Price::from_raw(h * 1'000'000, 2);
    bar.low = Price::from_raw(l * 1'000'000, 2);
    bar.close = Price::from_raw(c * 1'000'000, 2);
    bar.volume = *Quantity::from_int(vol);
    const std::int64_t cap_shares = static_cast<std::int64_t>(std::floor(config.participation_cap * static_cast<double>(vol) + 1e-9));

    std::vector<VenueEvent> events = v.on_bar(bar);
    auto check = [&](const std::vector<VenueEvent>& evs, Quantity& bar_total) {
      for (const VenueEvent& e : evs) {
        if (e.kind != VenueEventKind::kFilled) continue;
        const Spec& s = specs.at(e.order_id.value());
        RC_ASSERT(e.order_quantity.is_positive());
        if (s.side == OrderSide::kBuy) RC_ASSERT(e.order_price <= s.limit);
        if (s.side == OrderSide::kSell) RC_ASSERT(e.order_price >= s.limit);
        RC_ASSERT(e.order_price.is_positive());
        Quantity& total = filled[e.order_id.value()];
        total += e.order_quantity;
        RC_ASSERT(total <= s.quantity);
        bar_total += e.order_quantity;
      }
    };
    Quantity on_this_bar;
    check(events, on_this_bar);
    // Participation: fills against this bar (resting orders now, and marketable orders
    // submitted after it under bar_close) stay within floor(cap x volume) (+1 share slack).
    const int orders_today = *rc::gen::inRange(0, 4);
    for (int i = 0; i < orders_today; ++i) {
      const std::string id = "R-" + std::to_string(next_id++);
      const OrderSide side = *rc::gen::element(OrderSide::kBuy, OrderSide::kSell);
      const std::int64_t lim = std::max<std::int64_t>(1, c + *rc::gen::inRange(-400, 401));
      const std::int64_t q = *rc::gen::inRange(1, 3'000);
      Order o2 = limit(id.c_str(), kAapl, side, "1", "1");
      o2.quantity = *Quantity::from_int(q);
      o2.limit_price = Price::from_raw(lim * 1'000'000, 2);
      o2.tif = *rc::gen::element(TimeInForce::kDay, TimeInForce::kGtc, TimeInForce::kIoc, TimeInForce::kFok);
      specs[id] = Spec{side, *o2.limit_price, o2.quantity};
      check(v.submit(o2, day_close(d)), on_this_bar);
    }
    RC_ASSERT(on_this_bar <= *Quantity::from_int(cap_shares + 1));
    check(v.on_session_close(day_close(d)), on_this_bar);
  }
  // Shows in the run's output that the property is not vacuous.
  std::int64_t orders_filled = 0;
  for (const auto& [id, q] : filled) orders_filled += q.is_positive() ? 1 : 0;
  RC_TAG(orders_filled > 0 ? "some fills" : "no fills");
}

}  // namespace
}  // namespace keel::execution
