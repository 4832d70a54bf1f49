// Tests for keel/analytics/implied_vol.hpp. Independent values: 40-digit mpmath evaluations of
// the normalised Black formula (b = e^{x/2} N(x/s + s/2) - e^{-x/2} N(x/s - s/2), computed with
// mpmath.ncdf at 40 digits), Hull's implied-volatility example, and round trips.
#include "keel/analytics/implied_vol.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <cstring>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "keel/analytics/black_scholes.hpp"

namespace keel::analytics {
namespace {

constexpr OptionRight kCall = OptionRight::kCall;
constexpr OptionRight kPut = OptionRight::kPut;

TEST(ImpliedVol, NormalisedBlackMatchesMpmath) {
  struct Point {
    double x, s, call, put;
  };
  // {x, s, call, put}: mpmath 40-digit values of the formula above (mp.dps = 40).
  const Point pts[] = {
      {0.0, 0.2, 7.9655674554057967338e-2, 7.9655674554057967338e-2},
      {-0.5, 0.01, 0.0 /* 2.16e-549: underflows */, 5.0522463361633661583e-1},
      {-0.5, 0.3, 5.8982326105348201846e-3, 5.1112286622687143601e-1},
      {-3.0, 0.5, 7.5884598023150894145e-11, 4.2585589102655195917},
      {-3.0, 5.0, 2.123861328126686806e-1, 4.4709450430023036743},
      {-0.0001, 0.001, 3.5093531481124886436e-4, 4.5093531485291553583e-4},
      {-2.0, 0.12, 8.1715961757580420334e-65, 2.3504023872876029138},
      {1.0, 0.25, 1.0421923846481836611, 1.7736606889378078902e-6},
      {-0.05, 11.0, 9.7530987404957762083e-1, 1.0253150825456737957},
  };
  for (const Point& p : pts) {
    const double c = normalised_black(p.x, p.s, kCall);
    const double q = normalised_black(p.x, p.s, kPut);
    if (p.call > 1e-300) {
      EXPECT_NEAR(c / p.call, 1.0, 2e-14) << p.x << " " << p.s;
    } else {
      EXPECT_EQ(c, 0.0);  // underflows, like the double it should be
    }
    EXPECT_NEAR(q / p.put, 1.0, 2e-14) << p.x << " " << p.s;
  }
  EXPECT_EQ(normalised_black(0.7, 0.0, kCall), 2.0 * std::sinh(0.35));  // s = 0: intrinsic
}

// Hull (8th ed.), section 15.11: a European call worth 1.875 with S0 = 21, K = 20, r = 10%,
// T = 0.25 has implied volatility 0.235 (mpmath root: 0.23451291399764378655).
TEST(ImpliedVol, HullExample) {
  const double v = implied_vol_bsm(BsmIvInput{kCall, 1.875, 21, 20, 0.25, 0.1, 0.0}).value();
  EXPECT_NEAR(v, 0.23451291399764378655, 1e-14);
  // The put with the same vol, by parity, gives the same vol back.
  const double put = bsm_price(BsmInput{kPut, 21, 20, 0.25, v, 0.1, 0.0}).value();
  EXPECT_NEAR(implied_vol_bsm(BsmIvInput{kPut, put, 21, 20, 0.25, 0.1, 0.0}).value(), v, 1e-12);
}

// Round trip in normalised coordinates over the domain: |x| <= 3, vol 1%..500%, expiry
// 1 day..5 years. Prices whose time value underflows (b < 1e-300) are not representable and are
// skipped; they are covered by the kAtIntrinsic test below.
RC_GTEST_PROP(ImpliedVol, RoundTripNormalised, ()) {
  const double x = *rc::gen::inRange(-300000, 300001) / 100000.0;
  const double vol = 0.01 + *rc::gen::inRange(0, 1000001) / 1000000.0 * 4.99;
  const double T = 1.0 / 365.0 + *rc::gen::inRange(0, 1000001) / 1000000.0 * (5.0 - 1.0 / 365.0);
  const OptionRight right = *rc::gen::element(kCall, kPut);
  const double s = vol * std::sqrt(T);
  const double b = normalised_black(x, s, right);
  const double intrinsic = (right == kCall ? x : -x) > 0 ? 2.0 * std::sinh(0.5 * std::fabs(x)) : 0.0;
  RC_PRE(b - intrinsic > 1e-300);
  const IvResult iv = implied_total_vol(b, x, right);
  if (iv.status == IvStatus::kAtIntrinsic) {
    // Legitimate only when the time value is within rounding of an in-the-money price.
    RC_ASSERT(b - intrinsic <= 8.0 * DBL_EPSILON * b);
    return;
  }
  RC_ASSERT(iv.status == IvStatus::kOk);
  const double back = normalised_black(x, iv.vol, right);
  RC_ASSERT(std::fabs(back / b - 1.0) <= 1e-12);
}

// The same domain on a deterministic grid (includes the corners), through the public
// Black-76 API with forward 100 and a discount factor.
TEST(ImpliedVol, RoundTripGrid) {
  int checked = 0;
  double worst = 0.0;
  for (double x0 = -3.0; x0 <= 3.0; x0 += 0.125) {
    for (double vol : {0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.5, 3.0, 5.0}) {
      for (double T : {1.0 / 365, 7.0 / 365, 0.1, 0.5, 1.0, 2.0, 5.0}) {
        for (OptionRight right : {kCall, kPut}) {
          const double F = 100.0, K = F * std::exp(-x0), D = 0.97;
          // The problem actually posed is x = ln(F/K) of the rounded K: a deep out-of-the-money
          // price moves by |h|/s ~ 5e3 relative per unit of x, so the round trip must use it.
          const double x = std::log(F / K);
          const double s = vol * std::sqrt(T);
          const double b = normalised_black(x, s, right);
          const double intrinsic = (right == kCall ? x : -x) > 0 ? 2.0 * std::sinh(0.5 * std::fabs(x)) : 0.0;
          if (!(b - intrinsic > 1e-300)) continue;
          const double price = D * std::sqrt(F * K) * b;
          const auto v = implied_vol_black(BlackIvInput{right, price, F, K, T, D});
          if (!v.ok()) {
            // Only an in-the-money price whose time value is lost in its own rounding may fail.
            EXPECT_EQ(v.error().code, ErrorCode::kOutOfRange) << v.error().message;
            EXPECT_LT(b - intrinsic, 1e-15 * b) << x0 << " " << vol << " " << T;
            continue;
          }
          const double back = D * std::sqrt(F * K) * normalised_black(x, *v * std::sqrt(T), right);
          const double err = std::fabs(back / price - 1.0);
          EXPECT_LE(err, 1e-12) << x0 << " " << vol << " " << T << " " << (right == kCall ? "call" : "put") << " b=" << b;
          worst = std::max(worst, err);
          ++checked;
        }
      }
    }
  }
  EXPECT_LE(worst, 1e-12);
  EXPECT_GT(checked, 3500);
}

// Through the BSM pricer of black_scholes.hpp (whose own relative error is larger only for deep
// out-of-the-money prices with tiny total vol, see its header): price -> vol -> price over
// 20,000 seeded random cases.
TEST(ImpliedVol, RoundTripThroughBsmPricer) {
  std::mt19937_64 rng(7);
  auto uni = [&](double lo, double hi) { return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53); };
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    const double S = 100.0, K = S * std::exp(uni(-1.0, 1.0));
    const double vol = uni(0.05, 2.0), T = uni(7.0 / 365.0, 2.0), r = uni(0.0, 0.1), q = uni(0.0, 0.05);
    const OptionRight right = (rng() & 1) ? kCall : kPut;
    const double p = bsm_price(BsmInput{right, S, K, T, vol, r, q}).value();
    const double other = bsm_price(BsmInput{right == kCall ? kPut : kCall, S, K, T, vol, r, q}).value();
    if (!(std::min(p, other) > 1e-6 * S)) continue;  // time value (the out-of-the-money price) negligible
    const auto v = implied_vol_bsm(BsmIvInput{right, p, S, K, T, r, q});
    ASSERT_TRUE(v.ok()) << v.error().message;
    const double back = bsm_price(BsmInput{right, S, K, T, *v, r, q}).value();
    ASSERT_LE(std::fabs(back / p - 1.0), 1e-12) << S << " " << K << " " << T << " " << vol;
    ++checked;
  }
  EXPECT_GT(checked, 15000);
}

TEST(ImpliedVol, OutOfBoundsPricesAreErrors) {
  const double S = 100, K = 90, T = 0.5, r = 0.05, q = 0.0;
  const double D = std::exp(-r * T), F = S * std::exp((r - q) * T);
  const double intrinsic = D * (F - K);
  // Below intrinsic.
  auto e = implied_vol_bsm(BsmIvInput{kCall, intrinsic * 0.999, S, K, T, r, q});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::kOutOfRange);
  EXPECT_NE(e.error().message.find("below the intrinsic value"), std::string::npos) << e.error().message;
  // Exactly intrinsic: no time value.
  e = implied_vol_black(BlackIvInput{kCall, D * (F - K), F, K, T, D});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("equals the intrinsic value"), std::string::npos) << e.error().message;
  // An out-of-the-money option priced at 0.
  e = implied_vol_bsm(BsmIvInput{kPut, 0.0, S, K, T, r, q});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("intrinsic"), std::string::npos);
  // At and above the upper bound (call: discounted forward; put: discounted strike).
  e = implied_vol_black(BlackIvInput{kCall, D * F, F, K, T, D});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("upper bound"), std::string::npos) << e.error().message;
  e = implied_vol_black(BlackIvInput{kPut, D * K * 1.01, F, K, T, D});
  EXPECT_NE(e.error().message.find("upper bound"), std::string::npos);
  // Bad inputs name the field.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(implied_vol_bsm(BsmIvInput{kCall, -1.0, S, K, T, r, q}).error().message.find("price"), std::string::npos);
  EXPECT_NE(implied_vol_bsm(BsmIvInput{kCall, nan, S, K, T, r, q}).error().message.find("price"), std::string::npos);
  EXPECT_NE(implied_vol_bsm(BsmIvInput{kCall, 5.0, -S, K, T, r, q}).error().message.find("spot"), std::string::npos);
  EXPECT_NE(implied_vol_bsm(BsmIvInput{kCall, 5.0, S, 0.0, T, r, q}).error().message.find("strike"),
            std::string::npos);
  EXPECT_NE(implied_vol_bsm(BsmIvInput{kCall, 5.0, S, K, 0.0, r, q}).error().message.find("time"), std::string::npos);
  EXPECT_NE(implied_vol_bsm(BsmIvInput{kCall, 5.0, S, K, T, nan, q}).error().message.find("rate"), std::string::npos);
  EXPECT_NE(implied_vol_black(BlackIvInput{kCall, 5.0, 100, 100, 1, 0.0}).error().message.find("discount"),
            std::string::npos);
  // The normalised entry point reports statuses, never NaN.
  EXPECT_EQ(implied_total_vol(nan, 0.1, kCall).status, IvStatus::kBadPrice);
  EXPECT_EQ(implied_total_vol(2.0, 0.0, kCall).status, IvStatus::kAboveUpperBound);
  EXPECT_EQ(implied_total_vol(0.0, 0.0, kCall).status, IvStatus::kAtIntrinsic);
}

// Extremes of the supported domain converge (finite, positive) in the two fixed iterations.
TEST(ImpliedVol, ExtremesConverge) {
  for (double x : {-30.0, -10.0, -1e-12, 0.0, 1e-12, 10.0}) {
    for (double s : {1e-4, 1e-2, 1.0, 20.0, 60.0}) {
      for (OptionRight right : {kCall, kPut}) {
        const double b = normalised_black(x, s, right);
        const double intrinsic = (right == kCall ? x : -x) > 0 ? 2.0 * std::sinh(0.5 * std::fabs(x)) : 0.0;
        const double upper = std::exp(0.5 * (right == kCall ? x : -x));
        if (!(b - intrinsic > 1e-300) || !(b < upper)) continue;
        const IvResult iv = implied_total_vol(b, x, right);
        if (iv.status != IvStatus::kOk) {
          EXPECT_EQ(iv.status, IvStatus::kAtIntrinsic) << x << " " << s;  // time value lost to rounding
          continue;
        }
        ASSERT_TRUE(std::isfinite(iv.vol) && iv.vol > 0) << x << " " << s;
        EXPECT_NEAR(normalised_black(x, iv.vol, right) / b, 1.0, 1e-12) << x << " " << s;
      }
    }
  }
}

// The batch runs the vectorized lane solver, the scalar API the branching one: statuses agree,
// and both vols reprice to within 1e-12 (the contract), not necessarily to the same bits.
TEST(ImpliedVol, BatchAgreesWithScalar) {
  std::vector<OptionRight> right;
  std::vector<double> price, spot, strike, time, rate, div;
  for (int i = 0; i < 300; ++i) {
    const OptionRight rr = i % 2 ? kCall : kPut;
    const double S = 100, K = 60 + i * 0.27, T = 0.05 + (i % 7) * 0.3, v = 0.1 + (i % 11) * 0.07;
    double p = bsm_price(BsmInput{rr, S, K, T, v, 0.03, 0.01}).value();
    if (i % 37 == 3) p = -1.0;                     // bad price
    if (i % 41 == 5) p = 1000.0;                    // above the upper bound
    right.push_back(rr);
    price.push_back(p);
    spot.push_back(S);
    strike.push_back(K);
    time.push_back(T);
    rate.push_back(0.03);
    div.push_back(0.01);
  }
  std::vector<double> vol(price.size());
  std::vector<IvStatus> status(price.size());
  const std::size_t good = implied_vol_bsm_batch(BsmIvColumns{right, price, spot, strike, time, rate, div}, vol, status);
  std::size_t expect_good = 0;
  for (std::size_t i = 0; i < price.size(); ++i) {
    const auto v = implied_vol_bsm(BsmIvInput{right[i], price[i], spot[i], strike[i], time[i], rate[i], div[i]});
    if (v.ok()) {
      ++expect_good;
      ASSERT_EQ(status[i], IvStatus::kOk) << i;
      const double back = bsm_price(BsmInput{right[i], spot[i], strike[i], time[i], vol[i], rate[i], div[i]}).value();
      EXPECT_LE(std::fabs(back / price[i] - 1.0), 1e-12) << i;
      // (The vols themselves may differ where the price hardly depends on vol, deep in the money.)
    } else {
      EXPECT_NE(status[i], IvStatus::kOk);
      EXPECT_EQ(vol[i], 0.0);
    }
  }
  EXPECT_EQ(good, expect_good);
  EXPECT_EQ(status[3], IvStatus::kBadPrice);
  EXPECT_EQ(status[5], IvStatus::kAboveUpperBound);
}

// The property over the full domain for the batch path: 1 to 150 random problems per
// case (full blocks of 64 and a padded tail), each repriced with the 1e-12 relative bound.
RC_GTEST_PROP(ImpliedVol, BatchRoundTripNormalised, ()) {
  const int n = *rc::gen::inRange(1, 151);
  std::vector<double> beta, x;
  std::vector<OptionRight> right;
  for (int i = 0; i < n; ++i) {
    const double xi = *rc::gen::inRange(-300000, 300001) / 100000.0;
    const double vol = 0.01 + *rc::gen::inRange(0, 1000001) / 1000000.0 * 4.99;
    const double T = 1.0 / 365.0 + *rc::gen::inRange(0, 1000001) / 1000000.0 * (5.0 - 1.0 / 365.0);
    const OptionRight r = *rc::gen::element(kCall, kPut);
    const double b = normalised_black(xi, vol * std::sqrt(T), r);
    const double intrinsic = (r == kCall ? xi : -xi) > 0 ? 2.0 * std::sinh(0.5 * std::fabs(xi)) : 0.0;
    if (!(b - intrinsic > 1e-300)) continue;  // time value not representable
    beta.push_back(b);
    x.push_back(xi);
    right.push_back(r);
  }
  std::vector<double> s(beta.size());
  std::vector<IvStatus> st(beta.size());
  implied_total_vol_batch(beta, x, right, s, st);
  for (std::size_t i = 0; i < beta.size(); ++i) {
    const double intrinsic = (right[i] == kCall ? x[i] : -x[i]) > 0 ? 2.0 * std::sinh(0.5 * std::fabs(x[i])) : 0.0;
    if (st[i] == IvStatus::kAtIntrinsic) {
      RC_ASSERT(beta[i] - intrinsic <= 8.0 * DBL_EPSILON * beta[i]);
      continue;
    }
    RC_ASSERT(st[i] == IvStatus::kOk);
    RC_ASSERT(std::fabs(normalised_black(x[i], s[i], right[i]) / beta[i] - 1.0) <= 1e-12);
  }
}

// 200,000 random normalised problems (rng seed 11) over |x| <= 3, vol 0.01-5, 1 day-5 years,
// puts and calls, keeping prices with time value above rounding.
struct NormalisedProblems {
  std::vector<double> beta, x;
  std::vector<OptionRight> right;
};
NormalisedProblems random_normalised_problems() {
  NormalisedProblems p;
  std::vector<double>& beta = p.beta;
  std::vector<double>& x = p.x;
  std::vector<OptionRight>& right = p.right;
  std::mt19937_64 rng(11);
  auto uni = [&](double lo, double hi) { return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53); };
  while (beta.size() < 200000) {
    const double xi = uni(-3, 3), vol = uni(0.01, 5), T = uni(1.0 / 365, 5);
    const OptionRight r = (rng() & 1) ? kCall : kPut;
    const double b = normalised_black(xi, vol * std::sqrt(T), r);
    const double intrinsic = (r == kCall ? xi : -xi) > 0 ? 2.0 * std::sinh(0.5 * std::fabs(xi)) : 0.0;
    if (!(b - intrinsic > 8.0 * DBL_EPSILON * b) || !(b - intrinsic > 1e-300)) continue;
    beta.push_back(b);
    x.push_back(xi);
    right.push_back(r);
  }
  return p;
}

// The same, deterministic and larger: 200,000 problems through the normalised batch, and the
// worst error over all of them.
TEST(ImpliedVol, BatchRoundTripRandom) {
  const NormalisedProblems p = random_normalised_problems();
  const std::vector<double>& beta = p.beta;
  const std::vector<double>& x = p.x;
  const std::vector<OptionRight>& right = p.right;
  std::vector<double> s(beta.size());
  std::vector<IvStatus> st(beta.size());
  EXPECT_EQ(implied_total_vol_batch(beta, x, right, s, st), beta.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < beta.size(); ++i) {
    worst = std::max(worst, std::fabs(normalised_black(x[i], s[i], right[i]) / beta[i] - 1.0));
  }
  EXPECT_LE(worst, 1e-12);
  std::printf("worst round-trip relative price error: %.3g\n", worst);
}

// The lanes' guess (with the lowest branch's correction) is close enough for one step almost
// everywhere: over the random problems of BatchRoundTripRandom's domain (rng seed 11; puts and
// in-the-money prices included), at most 0.5% of the lanes fail the check after one step and take
// the second, and at most 1e-4 go on to the scalar solver (measured: 26 and 3 of the 200,000;
// with Householder(3) steps and no correction, 27% of these lanes and 45% of bench_implied_vol's
// took the second step). The same counts at every instruction-set level (the lanes give the same bits).
TEST(ImpliedVol, BatchLanesNeedOneStepAlmostEverywhere) {
  const NormalisedProblems p = random_normalised_problems();
  const std::vector<double>& beta = p.beta;
  const std::vector<double>& x = p.x;
  const std::vector<OptionRight>& right = p.right;
  const detail::BatchLaneCounts c = detail::implied_total_vol_batch_lane_counts(SimdLevel::kAvx512, beta, x, right);
  EXPECT_EQ(c.solved, beta.size());
  EXPECT_LE(c.second_step, beta.size() / 200);
  EXPECT_LE(c.scalar, beta.size() / 10000);
  for (const SimdLevel level : {SimdLevel::kBaseline, SimdLevel::kAvx2}) {
    const detail::BatchLaneCounts d = detail::implied_total_vol_batch_lane_counts(level, beta, x, right);
    EXPECT_EQ(d.solved, c.solved);
    EXPECT_EQ(d.second_step, c.second_step);
    EXPECT_EQ(d.scalar, c.scalar);
  }
  std::printf("lanes: %zu solved, %zu took the second step, %zu the scalar solver\n", c.solved, c.second_step,
              c.scalar);
}

// Determinism: every instruction-set level gives the same bits; an element's result does not
// depend on its neighbours (invalid ones included) or on its position (alone, rotated).
TEST(ImpliedVol, BatchIsPositionAndSimdIndependent) {
  std::mt19937_64 rng(5);
  auto uni = [&](double lo, double hi) { return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53); };
  const std::size_t n = 333;
  std::vector<OptionRight> right(n);
  std::vector<double> price(n), spot(n), strike(n), time(n), rate(n), div(n);
  for (std::size_t i = 0; i < n; ++i) {
    right[i] = (rng() & 1) ? kCall : kPut;
    spot[i] = uni(10, 500);
    strike[i] = spot[i] * std::exp(uni(-1.5, 1.5));
    time[i] = uni(1.0 / 365, 4);
    rate[i] = uni(-0.02, 0.1);
    div[i] = uni(0, 0.05);
    price[i] = bsm_price(BsmInput{right[i], spot[i], strike[i], time[i], uni(0.03, 2.5), rate[i], div[i]}).value();
    if (i % 19 == 4) price[i] = -price[i] - 1.0;  // invalid neighbours
  }
  const BsmIvColumns in{right, price, spot, strike, time, rate, div};
  std::vector<double> base(n);
  std::vector<IvStatus> base_st(n);
  detail::implied_vol_bsm_batch_at(SimdLevel::kBaseline, in, base, base_st);
  for (SimdLevel level : {SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    std::vector<double> v(n);
    std::vector<IvStatus> st(n);
    detail::implied_vol_bsm_batch_at(level, in, v, st);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(st[i], base_st[i]);
      EXPECT_TRUE(std::memcmp(&v[i], &base[i], sizeof(double)) == 0) << static_cast<int>(level) << " " << i;
    }
  }
  for (std::size_t i = 0; i < n; i += 7) {
    double v = -1.0;
    IvStatus st{};
    implied_vol_bsm_batch(BsmIvColumns{{&right[i], 1}, {&price[i], 1}, {&spot[i], 1}, {&strike[i], 1}, {&time[i], 1},
                                       {&rate[i], 1}, {&div[i], 1}},
                          {&v, 1}, {&st, 1});
    EXPECT_EQ(st, base_st[i]);
    EXPECT_TRUE(std::memcmp(&v, &base[i], sizeof(double)) == 0) << i;
  }
  auto rot = [](auto v) {
    std::rotate(v.begin(), v.begin() + 29, v.end());
    return v;
  };
  const auto right2 = rot(right);
  const auto price2 = rot(price), spot2 = rot(spot), strike2 = rot(strike), time2 = rot(time), rate2 = rot(rate),
             div2 = rot(div);
  std::vector<double> v(n);
  std::vector<IvStatus> st(n);
  implied_vol_bsm_batch(BsmIvColumns{right2, price2, spot2, strike2, time2, rate2, div2}, v, st);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(st[i], base_st[(i + 29) % n]);
    EXPECT_TRUE(std::memcmp(&v[i], &base[(i + 29) % n], sizeof(double)) == 0) << i;
  }
}

// The batch through the BSM pricer (as RoundTripThroughBsmPricer for the scalar API).
TEST(ImpliedVol, BatchRoundTripThroughBsmPricer) {
  std::mt19937_64 rng(7);
  auto uni = [&](double lo, double hi) { return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53); };
  std::vector<OptionRight> right;
  std::vector<double> price, spot, strike, time, rate, div;
  while (price.size() < 20000) {
    const double S = 100.0, K = S * std::exp(uni(-1.0, 1.0));
    const double vol = uni(0.05, 2.0), T = uni(7.0 / 365.0, 2.0), r = uni(0.0, 0.1), q = uni(0.0, 0.05);
    const OptionRight rr = (rng() & 1) ? kCall : kPut;
    const double p = bsm_price(BsmInput{rr, S, K, T, vol, r, q}).value();
    const double other = bsm_price(BsmInput{rr == kCall ? kPut : kCall, S, K, T, vol, r, q}).value();
    if (!(std::min(p, other) > 1e-6 * S)) continue;
    right.push_back(rr);
    price.push_back(p);
    spot.push_back(S);
    strike.push_back(K);
    time.push_back(T);
    rate.push_back(r);
    div.push_back(q);
  }
  std::vector<double> vol(price.size());
  std::vector<IvStatus> st(price.size());
  EXPECT_EQ(implied_vol_bsm_batch(BsmIvColumns{right, price, spot, strike, time, rate, div}, vol, st), price.size());
  for (std::size_t i = 0; i < price.size(); ++i) {
    const double back = bsm_price(BsmInput{right[i], spot[i], strike[i], time[i], vol[i], rate[i], div[i]}).value();
    ASSERT_LE(std::fabs(back / price[i] - 1.0), 1e-12) << i;
  }
}

// Invalid inputs in full blocks (read from the caller's columns, signs converted in a lane loop)
// and in the short last block (copied): each element gets the status of its own first failed
// check, in validate order (right, price, spot, strike, time, rate), and the valid elements around
// them round-trip through the BSM pricer. 150 elements: blocks of 64, 64 and 22.
TEST(ImpliedVol, BatchStatusesInFullAndShortBlocks) {
  const auto bad_right = static_cast<OptionRight>(7);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<OptionRight> right;
  std::vector<double> price, spot, strike, time, rate, div;
  for (int i = 0; i < 150; ++i) {
    const OptionRight rr = i % 3 ? kCall : kPut;
    const double S = 100.0, K = 70.0 + 0.4 * i, T = 0.1 + 0.01 * i;
    right.push_back(rr);
    price.push_back(bsm_price(BsmInput{rr, S, K, T, 0.2 + 0.002 * i, 0.02, 0.01}).value());
    spot.push_back(S);
    strike.push_back(K);
    time.push_back(T);
    rate.push_back(0.02);
    div.push_back(0.01);
  }
  std::vector<IvStatus> expect(150, IvStatus::kOk);
  for (int i : {5, 70, 140}) right[i] = bad_right, expect[i] = IvStatus::kBadRight;
  for (int i : {6, 141}) price[i] = nan, expect[i] = IvStatus::kBadPrice;
  for (int i : {7, 142}) spot[i] = 0.0, expect[i] = IvStatus::kBadForward;
  for (int i : {8, 130}) strike[i] = -1.0, expect[i] = IvStatus::kBadStrike;
  for (int i : {20, 143}) time[i] = 0.0, expect[i] = IvStatus::kBadTime;
  for (int i : {30, 144}) rate[i] = nan, expect[i] = IvStatus::kBadRate;
  right[63] = bad_right, price[63] = nan;  // the right is checked first
  expect[63] = IvStatus::kBadRight;
  std::vector<double> vol(150, -1.0);
  std::vector<IvStatus> st(150);
  const std::size_t good = implied_vol_bsm_batch(BsmIvColumns{right, price, spot, strike, time, rate, div}, vol, st);
  EXPECT_EQ(good, static_cast<std::size_t>(std::count(expect.begin(), expect.end(), IvStatus::kOk)));
  for (std::size_t i = 0; i < 150; ++i) {
    ASSERT_EQ(st[i], expect[i]) << i;
    if (expect[i] != IvStatus::kOk) {
      EXPECT_EQ(vol[i], 0.0) << i;
      continue;
    }
    const double back = bsm_price(BsmInput{right[i], spot[i], strike[i], time[i], vol[i], rate[i], div[i]}).value();
    EXPECT_LE(std::fabs(back / price[i] - 1.0), 1e-12) << i;
  }
}

}  // namespace
}  // namespace keel::analytics
