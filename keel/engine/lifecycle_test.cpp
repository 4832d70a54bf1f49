// Tests of the option lifecycle rules. Expected values are worked by hand in the comments; the
// early-exercise facts are textbook results (Hull, "Options, Futures and Other Derivatives",
// ch. 11: an American call on a non-dividend stock is never exercised early, an American put
// with r = 0 and no dividends is never exercised early, a put deep enough in the money is).
#include "keel/engine/lifecycle.hpp"

#include <gtest/gtest.h>

namespace keel::engine {
namespace {

Price px(const char* text) { return *Price::parse(text); }

OptionSpec spec(OptionRight right, const char* strike, std::int64_t multiplier = 100,
                Settlement settlement = Settlement::kPhysical) {
  OptionSpec s;
  s.underlying = "ACME";
  s.expiry = Date::ymd(2024, 1, 19);
  s.right = right;
  s.strike = px(strike);
  s.multiplier = multiplier;
  s.settlement = settlement;
  return s;
}

TEST(Expiry, ShortPutInTheMoneyByOneCentIsAssigned) {
  // K 50, S 49.99: intrinsic 0.01 >= threshold 0.01 -> assigned.
  const auto d = decide_expiry(spec(OptionRight::kPut, "50"), false, px("49.99"), LifecycleConfig{});
  EXPECT_EQ(d.action, ExpiryAction::kAssign);
  EXPECT_EQ(d.intrinsic, px("0.01"));
  // Within 1% of the strike (|49.99 - 50| = 0.01 <= 0.50): pin risk reported.
  EXPECT_TRUE(d.pin_risk);
}

TEST(Expiry, LessThanOneCentInTheMoneyExpires) {
  // S 49.995: intrinsic 0.005 < 0.01 -> no exercise by exception.
  const auto d = decide_expiry(spec(OptionRight::kPut, "50"), false, px("49.995"), LifecycleConfig{});
  EXPECT_EQ(d.action, ExpiryAction::kExpireWorthless);
}

TEST(Expiry, OutOfTheMoneyExpiresAndFarFromStrikeIsNoPin) {
  // S 56 vs K 50 put: |6| > 1% x 50 = 0.50 -> no pin.
  const auto d = decide_expiry(spec(OptionRight::kPut, "50"), false, px("56"), LifecycleConfig{});
  EXPECT_EQ(d.action, ExpiryAction::kExpireWorthless);
  EXPECT_FALSE(d.pin_risk);
  EXPECT_TRUE(d.intrinsic.is_zero());
}

TEST(Expiry, LongCallExercisedUnlessAutoExerciseIsOff) {
  auto d = decide_expiry(spec(OptionRight::kCall, "100"), true, px("100.01"), LifecycleConfig{});
  EXPECT_EQ(d.action, ExpiryAction::kExercise);
  EXPECT_FALSE(d.pin_risk);  // pin risk concerns short options only
  LifecycleConfig off;
  off.auto_exercise = false;
  d = decide_expiry(spec(OptionRight::kCall, "100"), true, px("105"), off);
  EXPECT_EQ(d.action, ExpiryAction::kExpireWorthless);
  // A short is assigned whatever our switch says: the holder decides.
  d = decide_expiry(spec(OptionRight::kCall, "100"), false, px("105"), off);
  EXPECT_EQ(d.action, ExpiryAction::kAssign);
}

TEST(Expiry, CashSettledIndexOption) {
  // SPX-style call K 4000, settlement 4010.50: cash at intrinsic 10.50.
  auto s = spec(OptionRight::kCall, "4000", 100, Settlement::kCash);
  auto d = decide_expiry(s, true, px("4010.50"), LifecycleConfig{});
  EXPECT_EQ(d.action, ExpiryAction::kCashSettle);
  EXPECT_EQ(d.intrinsic, px("10.5"));
  d = decide_expiry(s, true, px("3999"), LifecycleConfig{});
  EXPECT_EQ(d.action, ExpiryAction::kExpireWorthless);
}

TEST(Expiry, AdjustedSeriesUsesTheStrikePerDeliverableShare) {
  // After a 3:2 split a K 90 put delivers 150 shares: strike per share 90 x 100 / 150 = 60.
  // S 59: intrinsic 1.00 -> assigned; S 61 -> expires (it would look deep ITM against 90).
  auto s = spec(OptionRight::kPut, "90", 150);
  EXPECT_EQ(intrinsic_value(s, px("59")), px("1"));
  EXPECT_EQ(decide_expiry(s, false, px("59"), LifecycleConfig{}).action, ExpiryAction::kAssign);
  EXPECT_EQ(decide_expiry(s, false, px("61"), LifecycleConfig{}).action, ExpiryAction::kExpireWorthless);
}

TEST(DividendRule, CallWithTimeValueBelowTheDividendIsAssigned) {
  // K 40, S 50: intrinsic 10. Mid 10.20 -> time value 0.20 < dividend 0.50 -> assigned.
  const auto s = spec(OptionRight::kCall, "40");
  const Money div = *Money::parse("0.50");
  EXPECT_TRUE(dividend_early_assignment(s, px("50"), px("10.20"), div, LifecycleConfig{}).has_value());
  // Mid 10.60 -> time value 0.60 >= 0.50 -> the holder keeps the option.
  EXPECT_FALSE(dividend_early_assignment(s, px("50"), px("10.60"), div, LifecycleConfig{}).has_value());
  // Out of the money: never.
  EXPECT_FALSE(dividend_early_assignment(s, px("39"), px("0.10"), div, LifecycleConfig{}).has_value());
  // Puts are not concerned; the switch turns the rule off.
  EXPECT_FALSE(dividend_early_assignment(spec(OptionRight::kPut, "60"), px("50"), px("10"), div, LifecycleConfig{}));
  LifecycleConfig off;
  off.early_assignment_dividend = false;
  EXPECT_FALSE(dividend_early_assignment(s, px("50"), px("10.20"), div, off).has_value());
}

TEST(PutRule, DeepInTheMoneyPutIsExercisedAtTheMoneyIsNot) {
  const auto s = spec(OptionRight::kPut, "100");
  // S 50, K 100, r 5%, vol 20%, 0.5 y: the European put is worth about 100 e^{-0.025} - 50 =
  // 47.53 < intrinsic 50, so holding is worse than exercising: exercise is optimal.
  auto r = put_early_assignment(s, px("50"), 0.20, 0.5, 0.05, 0.0, LifecycleConfig{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->has_value());
  // At the money: time value is large, no exercise.
  r = put_early_assignment(s, px("99"), 0.20, 0.5, 0.05, 0.0, LifecycleConfig{});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  // r = 0, no dividends: an American put is never exercised early, however deep.
  r = put_early_assignment(s, px("20"), 0.20, 0.5, 0.0, 0.0, LifecycleConfig{});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  // Switch off.
  LifecycleConfig off;
  off.early_assignment_deep_itm_put = false;
  r = put_early_assignment(s, px("50"), 0.20, 0.5, 0.05, 0.0, off);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(Config, RejectsOutOfRangeValues) {
  LifecycleConfig c;
  c.pin_band = -0.1;
  EXPECT_FALSE(c.validate());
  c.pin_band = 0.01;
  c.exercise_threshold = Price::from_raw(-1, 2);
  EXPECT_FALSE(c.validate());
}

}  // namespace
}  // namespace keel::engine
