// Tests for keel/model/columns.hpp: rows go in and come back unchanged (values compare by raw
// fixed-point amount), columns stay the same length, and the raw column values are the
// fixed-point definition (value x 10^8), worked by hand below.
#include "keel/model/columns.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <vector>

namespace keel {
namespace {

Bar make_bar(std::int64_t i) {
  Bar b;
  b.instrument = InstrumentId(3);
  b.timeframe = kOneDay;
  b.ts_event = Timestamp::from_date(Date::ymd(2024, 1, 2) + static_cast<int>(i));
  b.ts_recv = b.ts_event + std::chrono::hours(21);
  b.open = Price::from_raw(10'000'000'000 + i * 1'000'000, 2);  // 100.00 + i cents
  b.high = Price::from_raw(10'100'000'000 + i * 1'000'000, 2);
  b.low = Price::from_raw(9'900'000'000 + i * 1'000'000, 2);
  b.close = Price::from_raw(10'050'000'000 + i * 1'000'000, 2);
  b.volume = Quantity::from_raw((1'000 + i) * kFixedScale, 0);
  return b;
}

TEST(BarColumns, HoldsRawFixedPointValues) {
  BarColumns c;
  c.instrument = InstrumentId(3);
  Bar b = make_bar(0);
  b.open = Price::parse("189.33").value();
  b.volume = Quantity::parse("68741000").value();
  c.push_back(b);
  ASSERT_EQ(c.size(), 1u);
  // 189.33 x 10^8 = 18,933,000,000; 68,741,000 x 10^8 = 6,874,100,000,000,000.
  EXPECT_EQ(c.open[0], 18'933'000'000);
  EXPECT_EQ(c.volume[0], 6'874'100'000'000'000);
  // 2024-01-02 is 19,724 days after 1970-01-01: 19,724 x 86,400 x 10^9 ns.
  EXPECT_EQ(c.ts_event[0], 19'724LL * 86'400 * 1'000'000'000);
  EXPECT_EQ(c.row(0).open.to_string(), "189.33");
  EXPECT_EQ(c.row(0).volume.to_string(), "68741000");
}

TEST(BarColumns, RowsRoundTripAndColumnsStayAligned) {
  BarColumns c;
  c.instrument = InstrumentId(3);
  c.timeframe = kOneDay;
  c.reserve(50);
  for (std::int64_t i = 0; i < 50; ++i) c.push_back(make_bar(i));
  ASSERT_EQ(c.size(), 50u);
  for (const auto* v : {&c.ts_event, &c.ts_recv, &c.open, &c.high, &c.low, &c.close, &c.volume}) {
    EXPECT_EQ(v->size(), 50u);
  }
  for (std::size_t i = 0; i < c.size(); ++i) EXPECT_EQ(c.row(i), make_bar(static_cast<std::int64_t>(i))) << i;

  BarColumns copy = c;
  EXPECT_EQ(copy, c);
  copy.close[7] += 1;
  EXPECT_NE(copy, c);
}

TEST(BarColumns, RowCarriesTheSeriesInstrumentAndTimeframe) {
  BarColumns c;
  c.instrument = InstrumentId(9);
  c.timeframe = kOneMinute;
  Bar b = make_bar(1);
  b.instrument = InstrumentId(9);
  b.timeframe = kOneMinute;
  c.push_back(b);
  EXPECT_EQ(c.row(0).instrument, InstrumentId(9));
  EXPECT_EQ(c.row(0).timeframe, kOneMinute);
}

OptionQuote make_quote(std::int64_t i) {
  OptionQuote q;
  q.instrument = InstrumentId(100 + i % 3);
  q.ts_event = Timestamp::from_date(Date::ymd(2024, 1, 19)) + std::chrono::hours(21) + std::chrono::minutes(i);
  q.ts_recv = q.ts_event;
  q.bid = Price::from_raw(i * 5'000'000, 2);  // 0.05 steps
  q.ask = Price::from_raw(i * 5'000'000 + 10'000'000, 2);
  q.last = Price::from_raw(i * 5'000'000 + 5'000'000, 2);
  q.volume = Quantity::from_raw(i * 10 * kFixedScale, 0);
  q.open_interest = Quantity::from_raw(i * 100 * kFixedScale, 0);
  q.underlying_price = Price::from_raw(19'156'000'000, 2);
  return q;
}

TEST(OptionQuoteColumns, RowsRoundTrip) {
  OptionQuoteColumns c;
  c.reserve(30);
  for (std::int64_t i = 0; i < 30; ++i) c.push_back(make_quote(i));
  ASSERT_EQ(c.size(), 30u);
  for (const auto* v : {&c.instrument, &c.ts_event, &c.ts_recv, &c.bid, &c.ask, &c.last, &c.volume,
                        &c.open_interest, &c.underlying_price}) {
    EXPECT_EQ(v->size(), 30u);
  }
  for (std::size_t i = 0; i < c.size(); ++i) EXPECT_EQ(c.row(i), make_quote(static_cast<std::int64_t>(i))) << i;
  EXPECT_EQ(c.instrument[4], 101);
  EXPECT_EQ(c.underlying_price[0], 19'156'000'000);  // 191.56 x 10^8
  EXPECT_EQ(c.row(0).underlying_price.to_string(), "191.56");
}

// Any sequence of bars with cent prices and whole-share volumes comes back row for row.
RC_GTEST_PROP(BarColumnsProp, PushThenRowIsIdentity, ()) {
  const auto n = *rc::gen::inRange<std::size_t>(0, 40);
  std::vector<Bar> bars;
  BarColumns c;
  c.instrument = InstrumentId(5);
  for (std::size_t i = 0; i < n; ++i) {
    Bar b;
    b.instrument = c.instrument;
    b.timeframe = c.timeframe;
    b.ts_event = Timestamp::from_ns(*rc::gen::inRange<std::int64_t>(0, 4'000'000'000'000'000'000));
    b.ts_recv = b.ts_event + kOneDay;
    const auto cents = rc::gen::inRange<std::int64_t>(1, 100'000'000);
    b.open = Price::from_raw(*cents * 1'000'000, 2);
    b.high = Price::from_raw(*cents * 1'000'000, 2);
    b.low = Price::from_raw(*cents * 1'000'000, 2);
    b.close = Price::from_raw(*cents * 1'000'000, 2);
    b.volume = Quantity::from_raw(*rc::gen::inRange<std::int64_t>(0, 10'000'000'000) * kFixedScale, 0);
    bars.push_back(b);
    c.push_back(b);
  }
  RC_ASSERT(c.size() == n);
  for (std::size_t i = 0; i < n; ++i) RC_ASSERT(c.row(i) == bars[i]);
}

// between() keeps from <= ts_event <= to, both ends inclusive, every column aligned.
TEST(BarColumns, BetweenSlicesByEventTimeInclusive) {
  BarColumns c;
  c.instrument = InstrumentId(7);
  for (int d = 1; d <= 5; ++d) {
    Bar b;
    b.instrument = InstrumentId(7);
    b.ts_event = Timestamp::from_date(Date::ymd(2024, 1, d));
    b.ts_recv = b.ts_event + std::chrono::hours(21);
    b.open = b.high = b.low = b.close = Price::from_raw(d * kFixedScale, 2);
    b.volume = Quantity::from_raw(d * 10 * kFixedScale, 0);
    c.push_back(b);
  }
  const BarColumns mid = c.between(Timestamp::from_date(Date::ymd(2024, 1, 2)), Timestamp::from_date(Date::ymd(2024, 1, 4)));
  ASSERT_EQ(mid.size(), 3u);
  EXPECT_EQ(mid.instrument, InstrumentId(7));
  EXPECT_EQ(mid.close.front(), 2 * kFixedScale);
  EXPECT_EQ(mid.volume.back(), 40 * kFixedScale);
  EXPECT_EQ(mid.ts_recv.size(), 3u);
  EXPECT_EQ(c.between(Timestamp::from_date(Date::ymd(2024, 2, 1)), Timestamp::max()).size(), 0u);
  EXPECT_EQ(c.between(Timestamp::from_date(Date::ymd(2024, 1, 4)), Timestamp::from_date(Date::ymd(2024, 1, 2))).size(), 0u);
}

}  // namespace
}  // namespace keel
