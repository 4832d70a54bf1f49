// Tests for keel/engine/bar_history.hpp against a model that keeps every bar pushed: the bars
// kept are the last w of them, where w follows the documented rule (w grows by one per push;
// a push at w == 2 x limit first drops to limit - 1), and
// recent(n) is the last min(n, w). Reads come at random moments with random n, so they cross
// the growth, the drops, the ring's wrap and the rotations; spans read earlier in the same
// slice are checked again after later reads.
#include "keel/engine/bar_history.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace keel::engine {
namespace {

Bar numbered(std::int64_t k) {
  Bar b;
  b.instrument = InstrumentId(7);
  b.ts_event = Timestamp::from_ns(k);
  b.ts_recv = Timestamp::from_ns(k + 1);
  b.close = Price::from_raw(k, 8);
  b.volume = Quantity::from_raw(3 * k, 8);
  return b;
}

// The bar pushed k-th (0-based) has ts_event k.
void expect_last(std::span<const Bar> got, std::int64_t pushed, std::size_t k) {
  ASSERT_EQ(got.size(), k);
  for (std::size_t i = 0; i < k; ++i) {
    const std::int64_t want = pushed - static_cast<std::int64_t>(k) + static_cast<std::int64_t>(i);
    ASSERT_EQ(got[i], numbered(want)) << "bar " << i << " of " << k << " after " << pushed << " pushes";
  }
}

void run(std::size_t limit, std::int64_t pushes, std::uint64_t seed, int read_one_in) {
  BarHistory h(limit);
  const std::size_t cap = 2 * limit;
  std::size_t w = 0;  // the model's count of bars kept
  std::mt19937_64 rng(seed);
  for (std::int64_t k = 0; k < pushes; ++k) {
    h.push(numbered(k));
    if (w == cap) w = limit - 1;
    ++w;
    ASSERT_EQ(h.size(), w);
    ASSERT_EQ(h.last(), numbered(k));
    if (static_cast<int>(rng() % static_cast<std::uint64_t>(read_one_in)) != 0) continue;
    // Two reads in one slice: the first span must survive the second read.
    const std::size_t n1 = rng() % (cap + 10);
    const std::size_t n2 = rng() % 3 == 0 ? cap + 5 : rng() % (limit + 2);
    const std::span<const Bar> a = h.recent(n1);
    const std::span<const Bar> b = h.recent(n2);
    expect_last(a, k + 1, std::min(n1, w));
    expect_last(b, k + 1, std::min(n2, w));
    ASSERT_EQ(h.last(), numbered(k));
  }
}

TEST(BarHistory, KeepsTheRecentBarsInOrder) {
  // Before anything is pushed: empty spans.
  BarHistory h(5);
  EXPECT_TRUE(h.empty());
  EXPECT_TRUE(h.recent(3).empty());
  // limit 3: 6 slots. After 6 pushes all are kept; the 7th drops to 2 and appends: the bars
  // pushed 4, 5 and 6 (0-based) remain.
  BarHistory g(3);
  for (std::int64_t k = 0; k < 6; ++k) g.push(numbered(k));
  EXPECT_EQ(g.size(), 6u);
  g.push(numbered(6));
  EXPECT_EQ(g.size(), 3u);
  expect_last(g.recent(10), 7, 3);
  expect_last(g.recent(2), 7, 2);
}

TEST(BarHistory, MatchesTheModelAcrossDropsAndWraps) {
  run(1, 9'000, 1, 3);
  run(2, 9'000, 2, 1);      // a read after every push
  run(7, 13'000, 3, 50);
  run(1'000, 16'000, 4, 200);
  run(1'000, 16'000, 5, 1'000'000);  // (almost) never read: the ring wraps many times unread
  run(5'000, 31'000, 6, 700);
}

RC_GTEST_PROP(BarHistoryProp, MatchesTheModel, ()) {
  const auto limit = *rc::gen::inRange<std::size_t>(1, 40);
  const auto pushes = *rc::gen::inRange<std::int64_t>(0, 12'000);
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const auto read_one_in = *rc::gen::inRange(1, 400);
  run(limit, pushes, seed, read_one_in);
  RC_ASSERT(!::testing::Test::HasFailure());
}

}  // namespace
}  // namespace keel::engine
