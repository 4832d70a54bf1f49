// Tests for div_round: the hardware fast path (x86-64) gives what the plain 128-bit division
// and remainder give, over random and edge-case numerators and denominators, and hand-worked
// roundings half away from zero.
#include "keel/core/int128.hpp"

#include <gtest/gtest.h>

#include <random>

namespace keel {
namespace {

// Independent reference: the compiler's 128-bit / and %, rounded half away from zero by hand.
i128 reference(i128 n, i128 d) {
  const i128 q = n / d;
  const i128 r = n % d;
  const i128 twice = 2 * (r < 0 ? -r : r);
  if (twice >= d) return n < 0 ? q - 1 : q + 1;
  return q;
}

TEST(DivRound, HandWorkedHalvesAwayFromZero) {
  EXPECT_EQ(div_round(15, 10), 2);    // 1.5 -> 2
  EXPECT_EQ(div_round(-15, 10), -2);  // -1.5 -> -2
  EXPECT_EQ(div_round(14, 10), 1);
  EXPECT_EQ(div_round(-14, 10), -1);
  EXPECT_EQ(div_round(0, 7), 0);
  EXPECT_EQ(div_round(7, 7), 1);
  EXPECT_EQ(div_round(-7, 7), -1);
  // 123.45678901 x 250 shares at 1e8 scale: 12345678901 x 25000000000 / 1e8 = 3086419725250
  // (the exact product 308641972525000000000 needs 69 bits: the hardware path's case).
  EXPECT_EQ(div_round(static_cast<i128>(12'345'678'901) * 25'000'000'000, 100'000'000), 3'086'419'725'250);
  static_assert(div_round(25, 10) == 3 && div_round(-25, 10) == -3);  // compile time: generic path
}

TEST(DivRound, FastPathMatchesThe128BitDivision) {
  std::mt19937_64 rng(20261207);
  const i128 ds[] = {1, 2, 3, 10, 100'000'000, 1'000'000'007, (i128{1} << 32) + 1, (i128{1} << 63) - 1,
                     static_cast<i128>(UINT64_MAX), static_cast<i128>(UINT64_MAX) + 1, i128{1} << 100};
  for (int i = 0; i < 200'000; ++i) {
    const i128 d = (i % 3 == 0) ? ds[i % (sizeof ds / sizeof ds[0])] : static_cast<i128>(rng() >> (rng() % 64)) + 1;
    // Numerators around the fast path's limit |n| < d * 2^64 and far from it, of both signs.
    i128 n = 0;
    switch (i % 4) {
      case 0: n = static_cast<i128>(rng()); break;
      case 1: n = (static_cast<i128>(rng() >> (1 + rng() % 63)) << 64) | static_cast<i128>(rng()); break;
      case 2: n = d < (i128{1} << 64) ? d * static_cast<i128>(rng() >> 1) + static_cast<i128>(rng() % 3) - 1 : d - 1; break;
      default:  // just under d * 2^64 (where that fits in 127 bits)
        n = d < (i128{1} << 62) ? (d << 64) - 1 - static_cast<i128>(rng() % 5) : static_cast<i128>(rng());
        break;
    }
    if (rng() & 1) n = -n;
    ASSERT_EQ(div_round(n, d), reference(n, d)) << "case " << i;
  }
}

}  // namespace
}  // namespace keel
