#include "keel/analytics/labels.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace keel::analytics {
namespace {

TEST(Labels, ForwardReturnsByHand) {
  // close 100, 110, 99, 121. h = 1: 110/100 - 1 = 0.1, 99/110 - 1 = -0.1, 121/99 - 1 = 2/9, then
  // not available. h = 2: 99/100 - 1 = -0.01, 121/110 - 1 = 0.1, then two rows not available.
  const std::vector<double> close{100, 110, 99, 121};
  const std::vector<int> horizons{1, 2};
  auto r = forward_returns(close, horizons);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NEAR(*(*r)[0][0], 0.1, 1e-15);
  EXPECT_NEAR(*(*r)[0][1], -0.1, 1e-15);
  EXPECT_NEAR(*(*r)[0][2], 2.0 / 9.0, 1e-15);
  EXPECT_FALSE((*r)[0][3].has_value());
  EXPECT_NEAR(*(*r)[1][0], -0.01, 1e-15);
  EXPECT_NEAR(*(*r)[1][1], 0.1, 1e-15);
  EXPECT_FALSE((*r)[1][2].has_value());
  EXPECT_FALSE((*r)[1][3].has_value());
}

TEST(Labels, Errors) {
  const std::vector<double> close{100, 110, NAN, 121};
  const std::vector<int> bad_h{1, 0};
  const std::vector<double> ok_close{100, 110, 99, 121};
  EXPECT_EQ(forward_returns(ok_close, bad_h).error().message, "forward_returns: horizon 2 is 0, must be >= 1");
  const std::vector<int> h1{1};
  EXPECT_EQ(forward_returns(close, h1).error().message, "labels: close[2] is not finite");
  const std::vector<std::optional<double>> vol(4, 0.1), short_vol(3, 0.1);
  EXPECT_NE(triple_barrier(ok_close, vol, {0.0, 1.0, 2}).error().message.find("profit-take"), std::string::npos);
  EXPECT_NE(triple_barrier(ok_close, vol, {1.0, -1.0, 2}).error().message.find("stop-loss"), std::string::npos);
  EXPECT_NE(triple_barrier(ok_close, vol, {1.0, 1.0, 0}).error().message.find("horizon"), std::string::npos);
  EXPECT_EQ(triple_barrier(ok_close, short_vol, {1.0, 1.0, 2}).error().message,
            "triple_barrier: volatility has 3 values, close has 4");
  const std::vector<int> side{1, 2, 1, 1};
  EXPECT_EQ(triple_barrier(ok_close, vol, {1.0, 1.0, 2}, side).error().message,
            "triple_barrier: side[1] = 2, expected -1, 0 or 1");
  EXPECT_FALSE(trailing_volatility(ok_close, 1).ok());
  const std::vector<LabelSpan> reversed{{3, 1}};
  EXPECT_FALSE(average_uniqueness(reversed, 4).ok());
}

TEST(Labels, TrailingVolatilityByHand) {
  // Log returns 0.1 and 0.3: mean 0.2, sample variance ((-0.1)² + 0.1²)/1 = 0.02.
  const std::vector<double> close{1.0, std::exp(0.1), std::exp(0.4)};
  auto v = trailing_volatility(close, 2);
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE((*v)[1].has_value());
  EXPECT_NEAR(*(*v)[2], std::sqrt(0.02), 1e-12);
}

// A path on which each barrier is touched first in turn; σ = 0.1 every bar, pt = sl = 1, h = 3.
// Barriers on the log return from close[t]: >= +0.1 (close >= close[t]·e^0.1) or <= -0.1.
const std::vector<double> kPath{100, 105, 112, 100, 89, 95, 95, 95, 95};

TEST(Labels, TripleBarrierEachBarrierInTurn) {
  const std::vector<std::optional<double>> vol(kPath.size(), 0.1);
  auto r = triple_barrier(kPath, vol, {1.0, 1.0, 3});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& L = *r;
  // t=0: up at 100·e^0.1 = 110.52; bar 1 (105) no, bar 2 (112, ln 1.12 = 0.113) profit-take.
  ASSERT_TRUE(L[0]);
  EXPECT_EQ(L[0]->label, 1);
  EXPECT_EQ(L[0]->touch, 2u);
  EXPECT_EQ(L[0]->barrier, Barrier::kProfitTake);
  EXPECT_NEAR(L[0]->ret, 0.12, 1e-15);
  // t=1: down at 105·e^-0.1 = 95.01; 112, 100 inside; bar 4 (89) stop-loss; 89/105 - 1.
  EXPECT_EQ(L[1]->label, -1);
  EXPECT_EQ(L[1]->touch, 4u);
  EXPECT_EQ(L[1]->barrier, Barrier::kStopLoss);
  EXPECT_NEAR(L[1]->ret, 89.0 / 105.0 - 1.0, 1e-15);
  // t=2: down at 112·e^-0.1 = 101.34; bar 3 (100) stop-loss.
  EXPECT_EQ(L[2]->label, -1);
  EXPECT_EQ(L[2]->touch, 3u);
  // t=3: bar 4 (89): ln 0.89 = -0.1165 <= -0.1, stop-loss.
  EXPECT_EQ(L[3]->touch, 4u);
  EXPECT_EQ(L[3]->barrier, Barrier::kStopLoss);
  // t=4: from 89 the barriers are 98.36 and 80.53; 95, 95, 95 stay inside: vertical at bar 7.
  EXPECT_EQ(L[4]->label, 0);
  EXPECT_EQ(L[4]->touch, 7u);
  EXPECT_EQ(L[4]->barrier, Barrier::kVertical);
  EXPECT_NEAR(L[4]->ret, 95.0 / 89.0 - 1.0, 1e-15);
  // t=5: flat, vertical at bar 8 with return 0.
  EXPECT_EQ(L[5]->barrier, Barrier::kVertical);
  EXPECT_EQ(L[5]->ret, 0.0);
  // t=6..8: the vertical barrier t+3 is past the last bar: not available (not 0).
  EXPECT_FALSE(L[6]);
  EXPECT_FALSE(L[7]);
  EXPECT_FALSE(L[8]);
}

TEST(Labels, NoLabelWithoutVolatility) {
  std::vector<std::optional<double>> vol(kPath.size(), 0.1);
  vol[0] = std::nullopt;
  vol[1] = 0.0;
  auto r = triple_barrier(kPath, vol, {1.0, 1.0, 3});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE((*r)[0]);
  EXPECT_FALSE((*r)[1]);
  EXPECT_TRUE((*r)[2]);
}

TEST(Labels, MetaLabelsFollowTheSide) {
  const std::vector<std::optional<double>> vol(kPath.size(), 0.1);
  std::vector<int> side(kPath.size(), 1);
  side[0] = -1;  // short at 100: -ln(112/100) = -0.113 at bar 2 touches the stop-loss; ret -0.12
  side[1] = -1;  // short at 105: -ln(89/105) = 0.165 at bar 4 touches the profit-take
  side[2] = 0;   // no bet: no label
  auto r = triple_barrier(kPath, vol, {1.0, 1.0, 3}, side);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& L = *r;
  EXPECT_EQ(L[0]->barrier, Barrier::kStopLoss);
  EXPECT_EQ(L[0]->touch, 2u);
  EXPECT_NEAR(L[0]->ret, -0.12, 1e-15);
  EXPECT_EQ(L[1]->barrier, Barrier::kProfitTake);
  EXPECT_EQ(L[1]->touch, 4u);
  EXPECT_NEAR(L[1]->ret, 1.0 - 89.0 / 105.0, 1e-15);
  EXPECT_FALSE(L[2]);
  const auto meta = meta_labels(L);
  EXPECT_EQ(meta[0], 0);
  EXPECT_EQ(meta[1], 1);
  EXPECT_FALSE(meta[2]);
  EXPECT_EQ(meta[3], 0);  // long at 100, stopped at 89: ret < 0
  EXPECT_EQ(meta[5], 0);  // vertical with return 0 is not > 0
}

// López de Prado ch. 4 style toy: three labels over bars 0..5, A = [0, 2], B = [1, 3], C = [4, 5].
// Concurrency c = 1, 2, 2, 1, 1, 1. Average uniqueness: A = (1 + 1/2 + 1/2)/3 = 2/3,
// B = (1/2 + 1/2 + 1)/3 = 2/3, C = (1 + 1)/2 = 1.
TEST(Labels, UniquenessToyExample) {
  const std::vector<LabelSpan> spans{{0, 2}, {1, 3}, {4, 5}};
  auto c = label_concurrency(spans, 6);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, (std::vector<int>{1, 2, 2, 1, 1, 1}));
  auto u = average_uniqueness(spans, 6);
  ASSERT_TRUE(u.ok());
  EXPECT_NEAR((*u)[0], 2.0 / 3.0, 1e-15);
  EXPECT_NEAR((*u)[1], 2.0 / 3.0, 1e-15);
  EXPECT_NEAR((*u)[2], 1.0, 1e-15);
  // Return attribution with log returns r1..r5 = 0.1, 0.2, -0.1, 0.05, 0.3 (close = e^Σr):
  // A earns r1/c1 + r2/c2 = 0.05 + 0.1 = 0.15; B earns r2/c2 + r3/c3 = 0.1 - 0.1 = 0;
  // C earns r5/c5 = 0.3. Total 0.45, scaled to sum 3: 1, 0, 2.
  const std::vector<double> close{1.0, std::exp(0.1), std::exp(0.3), std::exp(0.2), std::exp(0.25), std::exp(0.55)};
  auto w = return_attribution_weights(spans, close);
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_NEAR((*w)[0], 1.0, 1e-12);
  EXPECT_NEAR((*w)[1], 0.0, 1e-12);
  EXPECT_NEAR((*w)[2], 2.0, 1e-12);
}

TEST(Labels, SpansOfBarrierLabels) {
  const std::vector<std::optional<double>> vol(kPath.size(), 0.1);
  auto r = triple_barrier(kPath, vol, {1.0, 1.0, 3});
  ASSERT_TRUE(r.ok());
  const auto spans = label_spans(*r);
  ASSERT_EQ(spans.size(), 6u);
  EXPECT_EQ(spans[1].t0, 1u);
  EXPECT_EQ(spans[1].t1, 4u);
}

}  // namespace
}  // namespace keel::analytics
