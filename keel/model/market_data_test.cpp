// Tests for keel/model/market_data.hpp: the validate() invariants of the header contract, one
// broken field at a time, each error naming that field and its value.
#include "keel/model/market_data.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

namespace keel {
namespace {

Price px(const char* text) { return Price::parse(text).value(); }
Quantity qty(const char* text) { return Quantity::parse(text).value(); }
const Timestamp kT0 = Timestamp::from_utc(2024, 1, 19, 14, 30).value();

void expect_invalid(const Status& s, std::string_view needle) {
  ASSERT_FALSE(s.ok()) << "accepted; expected an error naming " << needle;
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(s.error().message.find(needle), std::string::npos) << s.error().message;
}

// Illustrative one-minute bar; the checks only need low <= open, close <= high.
Bar good_bar() {
  Bar b;
  b.instrument = InstrumentId(1);
  b.timeframe = kOneMinute;
  b.ts_event = kT0;
  b.ts_recv = kT0 + kOneMinute;
  b.open = px("189.33");
  b.high = px("191.95");
  b.low = px("188.82");
  b.close = px("191.56");
  b.volume = qty("68741000");
  return b;
}

Quote good_quote() {
  Quote q;
  q.instrument = InstrumentId(1);
  q.ts_event = kT0;
  q.ts_recv = kT0 + std::chrono::microseconds(150);
  q.bid = px("191.55");
  q.ask = px("191.57");
  q.bid_size = qty("300");
  q.ask_size = qty("200");
  return q;
}

OptionQuote good_option_quote() {
  OptionQuote q;
  q.instrument = InstrumentId(7);
  q.ts_event = kT0;
  q.ts_recv = kT0;
  q.bid = px("2.05");
  q.ask = px("2.10");
  q.last = px("2.07");
  q.bid_size = qty("12");
  q.ask_size = qty("40");
  q.volume = qty("15320");
  q.open_interest = qty("48211");
  q.underlying_price = px("191.56");
  return q;
}

TEST(Bar, ValidBarPasses) {
  EXPECT_TRUE(good_bar().validate().ok());
  Bar flat = good_bar();  // o = h = l = c is a legal (illiquid) bar
  flat.open = flat.high = flat.low = flat.close = px("10");
  flat.volume = qty("0");
  EXPECT_TRUE(flat.validate().ok());
}

TEST(Bar, RejectsEachBrokenInvariant) {
  Bar b = good_bar();
  b.high = px("188.00");  // below the low 188.82
  expect_invalid(b.validate(), "high 188.00 < low 188.82");

  for (const char* bad : {"0", "-1.5"}) {
    b = good_bar();
    b.open = px(bad);
    expect_invalid(b.validate(), std::string("open ") + bad + " is not positive");
    b = good_bar();
    b.high = px(bad);
    expect_invalid(b.validate(), std::string("high ") + bad + " is not positive");
    b = good_bar();
    b.low = px(bad);
    expect_invalid(b.validate(), std::string("low ") + bad + " is not positive");
    b = good_bar();
    b.close = px(bad);
    expect_invalid(b.validate(), std::string("close ") + bad + " is not positive");
  }

  b = good_bar();
  b.open = px("192.00");
  expect_invalid(b.validate(), "open 192.00 outside [low 188.82, high 191.95]");
  b = good_bar();
  b.close = px("188.81");
  expect_invalid(b.validate(), "close 188.81 outside");
  b = good_bar();
  b.volume = qty("-1");
  expect_invalid(b.validate(), "negative volume -1");
  b = good_bar();
  b.trade_count = -3;
  expect_invalid(b.validate(), "negative trade_count -3");
  b = good_bar();
  b.timeframe = Duration::zero();
  expect_invalid(b.validate(), "timeframe 0 ns");
  b = good_bar();
  b.ts_recv = b.ts_event - std::chrono::seconds(1);
  expect_invalid(b.validate(), "ts_recv 2024-01-19T14:29:59Z before ts_event 2024-01-19T14:30:00Z");
}

TEST(Quote, ValidQuotesPass) {
  EXPECT_TRUE(good_quote().validate().ok());
  Quote locked = good_quote();  // bid == ask (locked) is allowed; only crossed is refused
  locked.bid = locked.ask;
  EXPECT_TRUE(locked.validate().ok());
  Quote no_bid = good_quote();
  no_bid.bid = Price::zero(2);
  EXPECT_TRUE(no_bid.validate().ok());
}

TEST(Quote, RejectsEachBrokenInvariant) {
  Quote q = good_quote();
  q.bid = px("191.58");
  expect_invalid(q.validate(), "crossed: bid 191.58 > ask 191.57");
  q = good_quote();
  q.bid = px("-0.01");
  expect_invalid(q.validate(), "negative bid -0.01");
  q = good_quote();
  q.ask = Price::zero(2);
  q.bid = Price::zero(2);
  expect_invalid(q.validate(), "ask 0.00 is not positive");
  q = good_quote();
  q.bid_size = qty("-100");
  expect_invalid(q.validate(), "negative bid_size -100");
  q = good_quote();
  q.ask_size = qty("-5");
  expect_invalid(q.validate(), "negative ask_size -5");
  q = good_quote();
  q.ts_recv = q.ts_event - std::chrono::nanoseconds(1);
  expect_invalid(q.validate(), "ts_recv");
}

TEST(Trade, ValidatesPriceSizeAndTimes) {
  Trade t;
  t.ts_event = kT0;
  t.ts_recv = kT0;
  t.price = px("191.56");
  t.size = qty("100");
  EXPECT_TRUE(t.validate().ok());
  Trade bad = t;
  bad.price = Price::zero(2);
  expect_invalid(bad.validate(), "price 0.00 is not positive");
  bad = t;
  bad.size = qty("0");
  expect_invalid(bad.validate(), "size 0 is not positive");
  bad = t;
  bad.ts_recv = kT0 - std::chrono::milliseconds(1);
  expect_invalid(bad.validate(), "ts_recv");
}

TEST(OptionQuote, ValidQuotesPass) {
  EXPECT_TRUE(good_option_quote().validate().ok());
  // Far out-of-the-money contracts often have no bid, never traded and an unknown underlying.
  OptionQuote q = good_option_quote();
  q.bid = Price::zero(2);
  q.bid_size = qty("0");
  q.last = Price::zero(2);
  q.volume = qty("0");
  q.underlying_price = Price::zero(2);
  EXPECT_TRUE(q.validate().ok());
}

TEST(OptionQuote, RejectsEachBrokenInvariant) {
  OptionQuote q = good_option_quote();
  q.bid = px("2.15");
  expect_invalid(q.validate(), "crossed: bid 2.15 > ask 2.10");
  q = good_option_quote();
  q.ask = Price::zero(2);
  q.bid = Price::zero(2);
  expect_invalid(q.validate(), "ask 0.00 is not positive");
  q = good_option_quote();
  q.bid = px("-0.05");
  expect_invalid(q.validate(), "negative bid -0.05");
  q = good_option_quote();
  q.last = px("-1");
  expect_invalid(q.validate(), "negative last -1");
  q = good_option_quote();
  q.bid_size = qty("-1");
  expect_invalid(q.validate(), "negative bid_size -1");
  q = good_option_quote();
  q.ask_size = qty("-1");
  expect_invalid(q.validate(), "negative ask_size -1");
  q = good_option_quote();
  q.volume = qty("-10");
  expect_invalid(q.validate(), "negative volume -10");
  q = good_option_quote();
  q.open_interest = qty("-10");
  expect_invalid(q.validate(), "negative open_interest -10");
  q = good_option_quote();
  q.underlying_price = px("-191.56");
  expect_invalid(q.validate(), "negative underlying_price -191.56");
  q = good_option_quote();
  q.ts_recv = q.ts_event - std::chrono::hours(1);
  expect_invalid(q.validate(), "ts_recv");
}

// A bar built from any four positive prices by taking high = max and low = min is valid; swapping
// high and low (when they differ) never is.
RC_GTEST_PROP(BarProp, OrderedPricesValidateSwappedDoNot, ()) {
  const auto gen_raw = rc::gen::inRange<std::int64_t>(1, 1'000'000'000'000);
  std::int64_t p[4] = {*gen_raw, *gen_raw, *gen_raw, *gen_raw};
  std::int64_t lo = p[0], hi = p[0];
  for (std::int64_t v : p) {
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  Bar b = good_bar();
  b.open = Price::from_raw(p[0], 8);
  b.close = Price::from_raw(p[1], 8);
  b.high = Price::from_raw(hi, 8);
  b.low = Price::from_raw(lo, 8);
  RC_ASSERT(b.validate().ok());
  if (hi != lo) {
    std::swap(b.high, b.low);
    RC_ASSERT(!b.validate().ok());
  }
}

// Mids worked by hand: (1.00 + 1.05) / 2 = 1.025 exactly, shown with one more digit;
// (0 + 0.05) / 2 = 0.025; raw 1 and 2 (1e-8 and 2e-8) average 1.5e-8, half up -> 2e-8.
TEST(MidPrice, ExactHalfUpOnTheGrid) {
  EXPECT_EQ(mid_price(*Price::parse("1.00"), *Price::parse("1.05")), *Price::parse("1.025"));
  EXPECT_EQ(mid_price(*Price::parse("1.00"), *Price::parse("1.05")).precision(), 3);
  EXPECT_EQ(mid_price(Price::from_raw(0, 2), *Price::parse("0.05")), *Price::parse("0.025"));
  EXPECT_EQ(mid_price(Price::from_raw(1, 8), Price::from_raw(2, 8)).raw(), 2);
  OptionQuote q;
  q.bid = *Price::parse("2.10");
  q.ask = *Price::parse("2.20");
  EXPECT_EQ(q.mid(), *Price::parse("2.15"));
}

}  // namespace
}  // namespace keel
