// Tests for keel/core/fixed_point.hpp. Expected values are worked by hand from the decimal
// definition (raw = value x 10^8); properties check round trips against integer arithmetic.
#include "keel/core/fixed_point.hpp"
#include "keel/core/int128.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace keel {
namespace {

TEST(FixedPoint, ParsesExactDecimals) {
  auto p = Price::parse("123.4567");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->raw(), 12'345'670'000);
  EXPECT_EQ(p->precision(), 4);
  EXPECT_EQ(p->to_string(), "123.4567");
  EXPECT_EQ(Price::parse("-0.01")->raw(), -1'000'000);
  EXPECT_EQ(Price::parse("+5")->raw(), 500'000'000);
  EXPECT_EQ(Price::parse(".5")->raw(), 50'000'000);
  EXPECT_EQ(Price::parse("0.00000001")->raw(), 1);
  // 0.1 + 0.2 is exactly 0.3 in fixed point, unlike double.
  EXPECT_EQ(*Price::parse("0.1") + *Price::parse("0.2"), *Price::parse("0.3"));
}

TEST(FixedPoint, RejectsBadText) {
  for (const char* bad : {"", "-", "+", ".", "1.", "1.2.3", "1e5", "abc", "12a", " 1", "1 ", "0.000000001", "--1",
                          "92233720368.54775808", "100000000000"}) {
    EXPECT_FALSE(Price::parse(bad).ok()) << bad;
  }
  EXPECT_EQ(Price::parse("92233720368.54775808").error().code, ErrorCode::kOverflow);
  EXPECT_TRUE(Price::parse("92233720368.54775807").ok());
  EXPECT_TRUE(Price::parse("-92233720368.54775808").ok());
  // Error names the type and the text.
  EXPECT_NE(Quantity::parse("x1").error().message.find("quantity 'x1'"), std::string::npos);
}

TEST(FixedPoint, ArithmeticAndOverflow) {
  const Money a = Money::from_raw(INT64_MAX, 2);
  EXPECT_FALSE(a.checked_add(Money::from_raw(1)).has_value());
  EXPECT_FALSE(Money::from_raw(INT64_MIN).checked_sub(Money::from_raw(1)).has_value());
  EXPECT_FALSE(a.checked_mul(2).has_value());
  EXPECT_EQ((Money::from_raw(150'000'000, 2) - Money::from_raw(50'000'000, 2)).to_string(), "1.00");
  EXPECT_DEATH((void)(a + Money::from_raw(1)), "overflow");
}

TEST(FixedPoint, FromDoubleRoundsHalfAwayFromZero) {
  EXPECT_EQ(Price::from_double(1.005, 2)->to_string(), "1.00");  // 1.005 is 1.00499999... in binary
  EXPECT_EQ(Price::from_double(2.5, 0)->to_string(), "3");
  EXPECT_EQ(Price::from_double(-2.5, 0)->to_string(), "-3");
  EXPECT_EQ(Price::from_double(190.0, 2)->raw(), 19'000'000'000);
  EXPECT_FALSE(Price::from_double(std::nan(""), 2).ok());
  EXPECT_FALSE(Price::from_double(1e300, 2).ok());
  EXPECT_FALSE(Price::from_double(1.0, 9).ok());
}

TEST(FixedPoint, RoundedAndGrid) {
  EXPECT_EQ(Price::parse("1.125")->rounded(2).to_string(), "1.13");
  EXPECT_EQ(Price::parse("-1.125")->rounded(2).to_string(), "-1.13");
  EXPECT_EQ(Price::parse("1.124")->rounded(2).to_string(), "1.12");
  EXPECT_TRUE(Price::parse("1.10")->is_multiple_of_precision(1));
  EXPECT_FALSE(Price::parse("1.15")->is_multiple_of_precision(1));
}

TEST(FixedPoint, Notional) {
  // 2 option contracts at 1.25 with multiplier 100: 250.00 dollars.
  auto m = notional(*Price::parse("1.25"), *Quantity::parse("2"), 100);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->to_string(), "250.00");
  // 1/3 share at 0.01 rounds at 1e-8: 0.0033333333.. -> 0.00333333.
  auto f = notional(*Price::parse("0.01"), *Quantity::parse("0.33333333"));
  EXPECT_EQ(f->raw(), 333'333);
  EXPECT_FALSE(notional(*Price::parse("90000000000"), *Quantity::parse("1000"), 100).ok());
}

TEST(FixedPoint, ScaleBySplitRatio) {
  // A 7-for-1 split of a $700 basis position: each new share carries 100.00 (LEAN #5765 is the
  // rounding bug this guards against on the quantity side).
  EXPECT_EQ(scale(*Money::parse("700.00"), 1, 7)->to_string(), "100.00");
  EXPECT_EQ(scale(*Money::parse("1.00"), 2, 3)->raw(), 66'666'667);
  EXPECT_FALSE(scale(*Money::parse("1"), 1, 0).ok());
}

RC_GTEST_PROP(FixedPointProperty, FormatParseRoundTrip, (std::int64_t raw, std::uint8_t p)) {
  const int precision = p % 9;
  const Price x = Price::from_raw(raw, precision);
  auto back = Price::parse(x.to_string());
  RC_ASSERT(back.ok());
  RC_ASSERT(back->raw() == raw);
}

RC_GTEST_PROP(FixedPointProperty, AdditionMatchesIntegerArithmetic, (std::int32_t a, std::int32_t b)) {
  // With 32-bit inputs there is no overflow: fixed add must equal exact integer add.
  const Money x = Money::from_raw(a), y = Money::from_raw(b);
  RC_ASSERT((x + y).raw() == static_cast<std::int64_t>(a) + b);
  RC_ASSERT((x - y).raw() == static_cast<std::int64_t>(a) - b);
  RC_ASSERT((x + y) - y == x);
}

RC_GTEST_PROP(FixedPointProperty, CheckedAddDetectsOverflowExactly, (std::int64_t a, std::int64_t b)) {
  const i128 exact = static_cast<i128>(a) + b;
  const bool fits = exact >= INT64_MIN && exact <= INT64_MAX;
  const auto r = Money::from_raw(a).checked_add(Money::from_raw(b));
  RC_ASSERT(r.has_value() == fits);
  if (fits) RC_ASSERT(r->raw() == static_cast<std::int64_t>(exact));
}

RC_GTEST_PROP(FixedPointProperty, ParseOfIntegerAndFractionText, (std::uint32_t ip, std::uint32_t fp)) {
  const unsigned frac = fp % 100'000'000u;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%u.%08u", ip, frac);
  auto q = Quantity::parse(buf);
  RC_ASSERT(q.ok());
  RC_ASSERT(q->raw() == static_cast<std::int64_t>(ip) * kFixedScale + frac);
}

}  // namespace
}  // namespace keel
