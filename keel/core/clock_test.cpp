#include "keel/core/clock.hpp"

#include <gtest/gtest.h>

namespace keel {
namespace {

TEST(SimulatedClock, AdvancesMonotonically) {
  SimulatedClock clock(Timestamp::from_ns(10));
  clock.advance_to(Timestamp::from_ns(10));
  clock.advance_to(Timestamp::from_ns(20));
  EXPECT_EQ(clock.now().ns(), 20);
  EXPECT_DEATH(clock.advance_to(Timestamp::from_ns(5)), "backwards");
}

TEST(WallClock, IsAfter2020) {
  // The wall clock is a real clock: it reads a time after this code was written.
  EXPECT_GT(WallClock{}.now(), *Timestamp::parse("2020-01-01"));
}

}  // namespace
}  // namespace keel
