// StoreFeed over a hand-built store: slices in time order, corporate actions at the ex-date's
// open, bars and chain snapshots at the close they were received, gaps reported (never filled
// in), quotes received after the close kept out of that session's snapshot, and ranges outside
// the data named. Session times are the exchange calendar's (core/calendar.hpp).
#include "keel/engine/market_feed.hpp"

#include <gtest/gtest.h>

#include "keel/core/calendar.hpp"
#include "keel/testkit/memory_store.hpp"

namespace keel::engine {
namespace {

Price px(const char* t) { return *Price::parse(t); }
Timestamp close_of(Date d) { return ExchangeCalendar::us_equities().session(d)->close; }
Timestamp open_of(Date d) { return ExchangeCalendar::us_equities().session(d)->open; }

// Every slice the feed delivers, in order (the test fails on a feed error).
std::vector<MarketSlice> drain(MarketFeed& feed) {
  std::vector<MarketSlice> out;
  while (true) {
    MarketSlice slice;
    auto more = feed.next(slice);
    EXPECT_TRUE(more.ok()) << (more ? "" : more.error().message);
    if (!more || !*more) return out;
    out.push_back(std::move(slice));
  }
}

const Date kD1 = Date::ymd(2024, 3, 4);  // Mon
const Date kD2 = Date::ymd(2024, 3, 5);  // Tue: no bar (a gap)
const Date kD3 = Date::ymd(2024, 3, 6);  // Wed: ex-dividend
const Date kD4 = Date::ymd(2024, 3, 7);  // Thu

struct Fixture {
  testkit::MemoryStore store;
  InstrumentId stock, call;

  Fixture() {
    auto begun = store.begin(data::Lineage{Timestamp::from_date(Date::ymd(2024, 6, 1)), "test://feed", "test/1"});
    EXPECT_TRUE(begun.ok());
    auto tx = std::move(*begun);
    Instrument s;
    s.symbol = "ACME";
    stock = *tx->upsert_instrument(s);
    OptionSpec spec;
    spec.underlying = "ACME";
    spec.expiry = Date::ymd(2024, 3, 15);
    spec.strike = px("100");
    spec.right = OptionRight::kCall;
    call = *tx->upsert_instrument(*make_option_instrument(spec));
    std::vector<Bar> bars;
    for (Date d : {kD1, kD3, kD4}) {
      Bar b;
      b.instrument = stock;
      b.ts_event = Timestamp::from_date(d);
      b.ts_recv = close_of(d);
      b.open = b.high = b.low = b.close = px("100");
      b.volume = Quantity::from_raw(1000 * kFixedScale, 0);
      bars.push_back(b);
    }
    EXPECT_TRUE(tx->put_bars(bars).ok());
    std::vector<OptionQuote> quotes;
    for (Date d : {kD1, kD3}) {
      OptionQuote q;
      q.instrument = call;
      q.ts_event = q.ts_recv = close_of(d);
      q.bid = px("1.00");
      q.ask = px("1.10");
      quotes.push_back(q);
    }
    // A quote stamped in D4's session but received the next morning: not part of D4's snapshot.
    OptionQuote late;
    late.instrument = call;
    late.ts_event = close_of(kD4) - std::chrono::hours(1);
    late.ts_recv = close_of(kD4) + std::chrono::hours(14);
    late.bid = px("2.00");
    late.ask = px("2.10");
    quotes.push_back(late);
    EXPECT_TRUE(tx->put_option_quotes(quotes).ok());
    CorporateAction div;
    div.instrument = stock;
    div.kind = CorporateActionKind::kCashDividend;
    div.ex_date = kD3;
    div.record_date = kD3;
    div.pay_date = Date::ymd(2024, 3, 20);
    div.amount = *Money::parse("0.25");
    div.ts_recv = close_of(Date::ymd(2024, 2, 20));
    std::vector<CorporateAction> actions{div};
    EXPECT_TRUE(tx->put_corporate_actions(actions).ok());
    EXPECT_TRUE(tx->commit().ok());
  }
};

TEST(StoreFeed, SlicesInTimeOrderWithActionsAtTheOpenAndGapsReported) {
  Fixture f;
  auto feed = StoreFeed::create(f.store, {"ACME"}, kD1, kD4);
  ASSERT_TRUE(feed.ok()) << feed.error().message;
  // The gap is reported, not filled in.
  ASSERT_EQ((*feed)->warnings().size(), 1u);
  EXPECT_EQ((*feed)->warnings()[0], "ACME: no daily bar on 2024-03-05 (a trading day)");
  EXPECT_EQ((*feed)->universe().size(), 2u);  // the stock and its contract

  const std::vector<MarketSlice> slices = drain(**feed);
  // D1 close, D2 close (no bar), D3 open (dividend), D3 close, D4 close.
  ASSERT_EQ(slices.size(), 5u);
  for (std::size_t i = 1; i < slices.size(); ++i) EXPECT_LT(slices[i - 1].ts, slices[i].ts);
  EXPECT_EQ(slices[0].ts, close_of(kD1));
  EXPECT_EQ(slices[0].bars.size(), 1u);
  ASSERT_EQ(slices[0].chains.size(), 1u);
  EXPECT_EQ(slices[0].chains[0].quotes.size(), 1u);
  EXPECT_EQ(slices[0].chains[0].instruments[0]->id, f.call);
  EXPECT_EQ(slices[1].ts, close_of(kD2));
  EXPECT_TRUE(slices[1].bars.empty());
  EXPECT_EQ(slices[2].phase, SlicePhase::kOpen);
  EXPECT_EQ(slices[2].ts, open_of(kD3));
  ASSERT_EQ(slices[2].actions.size(), 1u);
  EXPECT_EQ(slices[2].actions[0].kind, CorporateActionKind::kCashDividend);
  EXPECT_EQ(slices[3].ts, close_of(kD3));
  EXPECT_EQ(slices[3].chains.size(), 1u);
  // D4: the quote received after the close is not in D4's snapshot, and says so.
  EXPECT_EQ(slices[4].ts, close_of(kD4));
  EXPECT_TRUE(slices[4].chains.empty());
  ASSERT_EQ((*feed)->warnings().size(), 2u);
  EXPECT_NE((*feed)->warnings()[1].find("received after the close of 2024-03-07"), std::string::npos);
}

TEST(StoreFeed, ASymbolWithoutOptionQuotesIsReported) {
  Fixture f;
  auto feed = StoreFeed::create(f.store, {"ACME"}, kD1, kD1);
  ASSERT_TRUE(feed.ok());
  drain(**feed);
  EXPECT_TRUE((*feed)->warnings().empty());  // D1 has a snapshot
  auto bare = StoreFeed::create(f.store, {"ACME"}, kD4, kD4);
  ASSERT_TRUE(bare.ok());
  drain(**bare);
  // D4's only quote arrives after its close: no snapshot at all in the run.
  ASSERT_EQ((*bare)->warnings().size(), 2u);
  EXPECT_EQ((*bare)->warnings()[1], "ACME: no option quotes in 2024-03-07..2024-03-07 (no option chain was delivered)");
}

TEST(StoreFeed, SymbolsWithoutChainsGetBarsOnly) {
  Fixture f;
  // A stock-only strategy asks for no chains: no contract in the universe, no snapshot, and no
  // "no option quotes" warning (D4 would have had one: its only quote arrives late).
  auto feed = StoreFeed::create(f.store, {"ACME"}, kD3, kD4, data::AsOf::latest(), std::vector<std::string>{});
  ASSERT_TRUE(feed.ok()) << feed.error().message;
  EXPECT_EQ((*feed)->universe().size(), 1u);
  const std::vector<MarketSlice> slices = drain(**feed);
  for (const MarketSlice& s : slices) EXPECT_TRUE(s.chains.empty());
  EXPECT_EQ(slices.back().bars.size(), 1u);
  EXPECT_TRUE((*feed)->warnings().empty());
}

TEST(StoreFeed, RangeOutsideTheDataAndUnknownSymbolsAreNamed) {
  Fixture f;
  auto outside = StoreFeed::create(f.store, {"ACME"}, kD1, Date::ymd(2024, 3, 29));
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.error().message.find("ACME has daily bars 2024-03-04..2024-03-07"), std::string::npos)
      << outside.error().message;
  auto unknown = StoreFeed::create(f.store, {"NOPE"}, kD1, kD4);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown symbol 'NOPE'"), std::string::npos);
  auto reversed = StoreFeed::create(f.store, {"ACME"}, kD4, kD1);
  ASSERT_FALSE(reversed.ok());
}

}  // namespace
}  // namespace keel::engine
