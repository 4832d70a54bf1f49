// Interest on cash: ACT/360 accruals worked by hand, rounding to the cent, posting, errors.
#include <gtest/gtest.h>

#include <cmath>

#include "keel/portfolio/portfolio.hpp"
#include "keel/testkit/trading_fixtures.hpp"

namespace keel::portfolio {
namespace {

using testkit::at;
using testkit::money;

TEST(Interest, AccruesActOver360AndPostsToCash) {
  Portfolio p(money("100000"), AccountType::kCash);
  // 100,000 x 3% x 3 / 360 = 25.00 (a weekend).
  ASSERT_TRUE(p.accrue_interest(3, 0.03, 0.08, at(2024, 3, 1, 21)).ok());
  EXPECT_EQ(p.interest_accrued(), money("25"));
  EXPECT_EQ(p.cash(), money("100000"));
  EXPECT_EQ(p.equity(), money("100025"));
  EXPECT_EQ(p.realized_pnl(), money("25"));
  // One more day: 100,000 x 3% / 360 = 8.3333... -> 8.33.
  ASSERT_TRUE(p.accrue_interest(1, 0.03, 0.08, at(2024, 3, 4, 21)).ok());
  EXPECT_EQ(p.interest_accrued(), money("33.33"));
  p.post_interest(at(2024, 4, 1, 21), "interest on cash to 2024-03-28");
  EXPECT_EQ(p.cash(), money("100033.33"));
  EXPECT_EQ(p.interest_accrued(), money("0"));
  EXPECT_EQ(p.interest(), money("33.33"));
  EXPECT_EQ(p.equity(), money("100033.33"));
  ASSERT_EQ(p.bookings().size(), 1u);
  EXPECT_EQ(p.bookings()[0].kind, BookingKind::kInterest);
  EXPECT_EQ(p.bookings()[0].cash_change, money("33.33"));
  EXPECT_EQ(to_string(BookingKind::kInterest), "interest");
  // Posting with nothing accrued books nothing.
  p.post_interest(at(2024, 5, 1, 21), "none");
  EXPECT_EQ(p.bookings().size(), 1u);
}

TEST(Interest, RoundsHalfAwayFromZeroAndChargesDebitBalances) {
  // 90 x 1% x 2 / 360 = 0.005 exactly -> 0.01.
  Portfolio small(money("90"), AccountType::kCash);
  ASSERT_TRUE(small.accrue_interest(2, 0.01, 0.0, at(2024, 3, 1)).ok());
  EXPECT_EQ(small.interest_accrued(), money("0.01"));
  // A margin loan: cash -50,000 at 8% for one day = -11.111... -> -11.11 (a charge).
  Portfolio debit(money("-50000"), AccountType::kMargin);
  ASSERT_TRUE(debit.accrue_interest(1, 0.03, 0.08, at(2024, 3, 1)).ok());
  EXPECT_EQ(debit.interest_accrued(), money("-11.11"));
  // -90 x 1% x 2 / 360 = -0.005 -> -0.01 (half away from zero on both sides).
  Portfolio neg(money("-90"), AccountType::kMargin);
  ASSERT_TRUE(neg.accrue_interest(2, 0.0, 0.01, at(2024, 3, 1)).ok());
  EXPECT_EQ(neg.interest_accrued(), money("-0.01"));
}

TEST(Interest, RejectsBadInput) {
  Portfolio p(money("1000"), AccountType::kCash);
  EXPECT_FALSE(p.accrue_interest(-1, 0.03, 0.03, at(2024, 3, 1)).ok());
  EXPECT_FALSE(p.accrue_interest(1, std::nan(""), 0.03, at(2024, 3, 1)).ok());
  EXPECT_FALSE(p.accrue_interest(1, 0.03, 1.0, at(2024, 3, 1)).ok());
  EXPECT_FALSE(p.accrue_interest(1, -0.01, 0.03, at(2024, 3, 1)).ok());
  EXPECT_EQ(p.interest_accrued(), money("0"));
}

}  // namespace
}  // namespace keel::portfolio
