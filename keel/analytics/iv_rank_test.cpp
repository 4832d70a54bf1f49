#include "keel/analytics/iv_rank.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <vector>

namespace keel::analytics {
namespace {

TEST(IvRank, HandWorkedWindow) {
  // Lookback 5 over 0.20 0.30 0.25 0.40 0.35:
  // window {0.20, 0.30, 0.25, 0.40, 0.35}, current 0.35, min 0.20, max 0.40:
  //   rank = (0.35 - 0.20)/(0.40 - 0.20) = 0.75; below 0.35: {0.20, 0.30, 0.25} -> 3/4 = 0.75.
  // Next 0.22: window {0.30, 0.25, 0.40, 0.35, 0.22}: rank = (0.22-0.22)/(0.40-0.22) = 0,
  //   below 0.22: none -> 0.
  // Next 0.50: window {0.25, 0.40, 0.35, 0.22, 0.50}: rank = 1, below: 4 -> 1.
  // Next 0.30: window {0.40, 0.35, 0.22, 0.50, 0.30}: rank = (0.30-0.22)/(0.50-0.22) = 2/7,
  //   below 0.30: {0.22} -> 1/4.
  const std::vector<double> s{0.20, 0.30, 0.25, 0.40, 0.35, 0.22, 0.50, 0.30};
  auto r = iv_rank_batch(s, 5);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 4u);
  EXPECT_NEAR(*(*r)[0].rank, 0.75, 1e-15);
  EXPECT_DOUBLE_EQ((*r)[0].percentile, 0.75);
  EXPECT_DOUBLE_EQ((*r)[0].min, 0.20);
  EXPECT_DOUBLE_EQ((*r)[0].max, 0.40);
  EXPECT_DOUBLE_EQ(*(*r)[1].rank, 0.0);
  EXPECT_DOUBLE_EQ((*r)[1].percentile, 0.0);
  EXPECT_DOUBLE_EQ(*(*r)[2].rank, 1.0);
  EXPECT_DOUBLE_EQ((*r)[2].percentile, 1.0);
  EXPECT_NEAR(*(*r)[3].rank, 2.0 / 7.0, 1e-15);
  EXPECT_DOUBLE_EQ((*r)[3].percentile, 0.25);
}

TEST(IvRank, TiesAndFlatWindow) {
  // Window {0.3, 0.3, 0.3}: max == min, rank undefined, nothing strictly below -> 0.
  IvRankTracker t(3);
  ASSERT_FALSE(t.push(0.3)->has_value());
  ASSERT_FALSE(t.push(0.3)->has_value());
  auto v = t.push(0.3);
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->has_value());
  EXPECT_FALSE((*v)->rank.has_value());
  EXPECT_DOUBLE_EQ((*v)->percentile, 0.0);
  // Window {0.3, 0.3, 0.4}: rank 1, below 0.4: two -> 2/2 = 1. Then {0.3, 0.4, 0.3}: rank 0,
  // below 0.3 strictly: none -> 0 (ties are not below).
  auto w = t.push(0.4);
  EXPECT_DOUBLE_EQ(*(*w)->rank, 1.0);
  EXPECT_DOUBLE_EQ((*w)->percentile, 1.0);
  auto x = t.push(0.3);
  EXPECT_DOUBLE_EQ(*(*x)->rank, 0.0);
  EXPECT_DOUBLE_EQ((*x)->percentile, 0.0);
}

TEST(IvRank, Errors) {
  EXPECT_FALSE(IvRankTracker::make(1).ok());
  auto short_series = iv_rank_batch(std::vector<double>{0.2, 0.3}, 3);
  ASSERT_FALSE(short_series.ok());
  EXPECT_NE(short_series.error().message.find("shorter than the lookback 3"), std::string::npos);
  auto bad = iv_rank_batch(std::vector<double>{0.2, 0.3, -0.1, 0.4}, 2);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("index 2"), std::string::npos);
  EXPECT_NE(bad.error().message.find("-0.1"), std::string::npos);
  // A rejected value leaves the window as it was.
  IvRankTracker t(2);
  ASSERT_TRUE(t.push(0.2).ok());
  EXPECT_FALSE(t.push(NAN).ok());
  EXPECT_EQ(t.size(), 1u);
  auto v = t.push(0.4);
  EXPECT_DOUBLE_EQ(*(*v)->rank, 1.0);
}

RC_GTEST_PROP(IvRankProp, StreamingMatchesBruteForce, ()) {
  const auto lookback = static_cast<std::size_t>(*rc::gen::inRange(2, 30));
  const auto raw = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 50));
  RC_PRE(raw.size() >= lookback);
  std::vector<double> s;
  for (int x : raw) s.push_back(0.1 + x * 0.01);  // coarse grid so ties occur
  auto r = iv_rank_batch(s, lookback);
  RC_ASSERT(r.ok());
  RC_ASSERT(r->size() == s.size() - lookback + 1);
  for (std::size_t j = 0; j < r->size(); ++j) {
    const std::size_t i = j + lookback - 1;
    double lo = s[i], hi = s[i];
    int below = 0;
    for (std::size_t q = i + 1 - lookback; q <= i; ++q) {
      lo = std::min(lo, s[q]);
      hi = std::max(hi, s[q]);
      below += s[q] < s[i] ? 1 : 0;
    }
    const IvRankValue& v = (*r)[j];
    RC_ASSERT(v.min == lo && v.max == hi && v.current == s[i]);
    RC_ASSERT(v.percentile == static_cast<double>(below) / static_cast<double>(lookback - 1));
    if (hi > lo) {
      RC_ASSERT(v.rank.has_value() && *v.rank == (s[i] - lo) / (hi - lo));
    } else {
      RC_ASSERT(!v.rank.has_value());
    }
  }
}

}  // namespace
}  // namespace keel::analytics
