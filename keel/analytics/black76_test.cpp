#include "keel/analytics/black76.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>

namespace keel::analytics {
namespace {

constexpr OptionRight kCall = OptionRight::kCall;
constexpr OptionRight kPut = OptionRight::kPut;

TEST(Black76, HullStockOptionExample) {
  // Hull, "Options, Futures, and Other Derivatives" (8th ed.), ch. 15, the worked
  // Black–Scholes–Merton example: S = 42, K = 40,
  // r = 10%, σ = 20%, T = 0.5 gives c = 4.76 and p = 0.81. Black–Scholes is Black-76 on the
  // forward F = S·e^{rT} with D = e^{-rT}. 40-digit values (mpmath): 4.7594223928715332,
  // 0.80859937290009358.
  const double T = 0.5, r = 0.10;
  const double F = 42.0 * std::exp(r * T), D = std::exp(-r * T);
  const double c = black76_price(F, 40.0, T, 0.20, D, kCall);
  const double p = black76_price(F, 40.0, T, 0.20, D, kPut);
  EXPECT_NEAR(c, 4.76, 0.005);
  EXPECT_NEAR(p, 0.81, 0.005);
  EXPECT_NEAR(c, 4.7594223928715332, 1e-13);
  EXPECT_NEAR(p, 0.80859937290009358, 1e-13);
}

TEST(Black76, HullFuturesOptionExample) {
  // Hull (8th ed.), ch. 18, the worked Black's-model example: European put on crude-oil
  // futures, F = K = 20, T = 4 months,
  // r = 9%, σ = 25%: p = 1.12 (mpmath: 1.1166414565589435).
  const double T = 4.0 / 12.0;
  const double p = black76_price(20.0, 20.0, T, 0.25, std::exp(-0.09 * T), kPut);
  EXPECT_NEAR(p, 1.12, 0.005);
  EXPECT_NEAR(p, 1.1166414565589435, 1e-13);
}

TEST(Black76, HaugExample) {
  // Haug, "The Complete Guide to Option Pricing Formulas" (2nd ed.), section 1.1.2 (Black-76):
  // F = X = 19, T = 0.75, r = 10%, σ = 28%: c = p = 1.7011 (mpmath: 1.7010507252362671).
  const double D = std::exp(-0.10 * 0.75);
  EXPECT_NEAR(black76_price(19.0, 19.0, 0.75, 0.28, D, kCall), 1.7011, 5e-5);
  EXPECT_NEAR(black76_price(19.0, 19.0, 0.75, 0.28, D, kPut), 1.7010507252362671, 1e-13);
}

TEST(Black76, OutOfTheMoneyValues) {
  // mpmath at 40 digits.
  EXPECT_NEAR(black76_price(100.0, 160.0, 1.0, 0.3, 0.97, kCall), 0.91743845560752060, 1e-13);
  EXPECT_NEAR(black76_price(100.0, 60.0, 1.0, 0.3, 0.97, kPut), 0.40601888650603834, 1e-13);
  const double tiny = black76_price(100.0, 300.0, 0.25, 0.2, 1.0, kCall);  // 3.4529165077418786e-28
  EXPECT_GE(tiny, 0.0);
  EXPECT_LT(tiny, 1e-12);
}

TEST(Black76, ZeroVolatilityOrExpiryGivesDiscountedIntrinsic) {
  EXPECT_DOUBLE_EQ(black76_price(110.0, 100.0, 0.0, 0.3, 0.99, kCall), 0.99 * 10.0);
  EXPECT_EQ(black76_price(110.0, 100.0, 0.0, 0.3, 0.99, kPut), 0.0);
  EXPECT_DOUBLE_EQ(black76_price(90.0, 100.0, 1.0, 0.0, 0.95, kPut), 0.95 * 10.0);
  EXPECT_EQ(black76_price(90.0, 100.0, 1.0, 0.0, 0.95, kCall), 0.0);
}

TEST(Black76, DeathOnInvalidInput) {
  EXPECT_DEATH((void)black76_price(-1.0, 100.0, 1.0, 0.2, 1.0, kCall), "forward");
  EXPECT_DEATH((void)black76_price(100.0, 0.0, 1.0, 0.2, 1.0, kCall), "strike");
  EXPECT_DEATH((void)black76_price(100.0, 100.0, NAN, 0.2, 1.0, kCall), "T must");
}

struct Inputs {
  double F, K, T, vol, D;
};

rc::Gen<Inputs> gen_inputs() {
  return rc::gen::apply(
      [](int f, int k, int t, int v, int d) {
        const double F = f * 0.01;
        return Inputs{F, F * std::exp(k * 1e-3), t / 365.0, v * 1e-3, d * 1e-3};
      },
      rc::gen::inRange(100, 100000), rc::gen::inRange(-1500, 1500), rc::gen::inRange(1, 3650),
      rc::gen::inRange(10, 2000), rc::gen::inRange(500, 1001));
}

// Put–call parity for European options on a forward: C - P = D(F - K) (Hull, 8th ed., ch. 18).
RC_GTEST_PROP(Black76, PutCallParity, ()) {
  const Inputs in = *gen_inputs();
  const double c = black76_price(in.F, in.K, in.T, in.vol, in.D, kCall);
  const double p = black76_price(in.F, in.K, in.T, in.vol, in.D, kPut);
  const double scale = in.D * (in.F + in.K);
  RC_ASSERT(std::fabs((c - p) - in.D * (in.F - in.K)) <= 1e-13 * scale);
}

// No-arbitrage bounds: D·max(F-K, 0) <= C <= D·F; C non-increasing in K and non-decreasing in σ.
RC_GTEST_PROP(Black76, BoundsAndMonotonicity, ()) {
  const Inputs in = *gen_inputs();
  const double c = black76_price(in.F, in.K, in.T, in.vol, in.D, kCall);
  const double tol = 1e-13 * in.D * (in.F + in.K);
  RC_ASSERT(c >= in.D * std::max(in.F - in.K, 0.0) - tol);
  RC_ASSERT(c <= in.D * in.F + tol);
  RC_ASSERT(black76_price(in.F, in.K * 1.01, in.T, in.vol, in.D, kCall) <= c + tol);
  RC_ASSERT(black76_price(in.F, in.K, in.T, in.vol * 1.01, in.D, kCall) >= c - tol);
}

}  // namespace
}  // namespace keel::analytics
