#include "keel/core/result.hpp"

#include <gtest/gtest.h>

#include "keel/core/ids.hpp"

namespace keel {
namespace {

Result<int> half(int x) {
  if (x % 2 != 0) return make_error(ErrorCode::kInvalidArgument, "odd input " + std::to_string(x));
  return x / 2;
}
Result<int> quarter(int x) {
  KEEL_TRY(h, half(x));
  KEEL_TRY(q, half(h));
  return q;
}

TEST(Result, PropagatesErrorsWithContext) {
  EXPECT_EQ(*quarter(8), 2);
  auto r = quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "odd input 3");
  EXPECT_EQ(r.error().with_context("in.csv:4").message, "in.csv:4: odd input 3");
  EXPECT_EQ(r.value_or(-1), -1);
  EXPECT_DEATH((void)r.value(), "Result::value\\(\\) on an error");
}

TEST(StrongId, DistinctTypesCompareByValue) {
  static_assert(!std::is_convertible_v<InstrumentId, StrategyId>);
  static_assert(!std::is_convertible_v<std::int64_t, InstrumentId>);
  EXPECT_LT(InstrumentId(1), InstrumentId(2));
  EXPECT_EQ(ClientOrderId("a-1"), ClientOrderId("a-1"));
  EXPECT_EQ(std::hash<InstrumentId>{}(InstrumentId(7)), std::hash<std::int64_t>{}(7));
}

}  // namespace
}  // namespace keel
