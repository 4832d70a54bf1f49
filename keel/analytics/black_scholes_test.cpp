// Tests for keel/analytics/black_scholes.hpp. Expected values come from Hull's and Haug's worked
// examples (cited per test), from identities (put–call parity, reflection principle), from
// central finite differences of the price, and from keel/analytics/normal.hpp and
// keel/analytics/black76.hpp, which are independent implementations (erfc-based).
#include "keel/analytics/black_scholes.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "keel/analytics/black76.hpp"
#include "keel/analytics/normal.hpp"
#include "keel/analytics/vector_math.hpp"

namespace keel::analytics {
namespace {

constexpr OptionRight kCall = OptionRight::kCall;
constexpr OptionRight kPut = OptionRight::kPut;

Greeks greeks(OptionRight right, double S, double K, double T, double vol, double r, double q = 0.0) {
  auto g = bsm_greeks(BsmInput{right, S, K, T, vol, r, q});
  EXPECT_TRUE(g.ok()) << (g.ok() ? "" : g.error().message);
  return g.value_or(Greeks{});
}

double price(OptionRight right, double S, double K, double T, double vol, double r, double q = 0.0) {
  return bsm_price(BsmInput{right, S, K, T, vol, r, q}).value();
}

// Hull, "Options, Futures, and Other Derivatives" (8th ed.), Example 15.6: S0 = 42, K = 40,
// r = 10%, sigma = 20%, T = 0.5: c = 4.76, p = 0.81 (d1 = 0.7693, d2 = 0.6278).
TEST(BlackScholes, HullExample15_6) {
  const Greeks c = greeks(kCall, 42, 40, 0.5, 0.2, 0.1);
  const Greeks p = greeks(kPut, 42, 40, 0.5, 0.2, 0.1);
  EXPECT_NEAR(c.price, 4.76, 0.005);
  EXPECT_NEAR(p.price, 0.81, 0.005);
  EXPECT_NEAR(c.prob_itm, norm_cdf(0.6278), 1e-4);  // N(d2)
}

// Hull (8th ed.), ch. 19 "The Greek Letters": S0 = 49, K = 50, r = 5%, sigma = 20%, T = 20
// weeks = 0.3846 years, no dividend. The text gives price 2.40, delta 0.522, gamma 0.066,
// vega 12.1 (per unit of vol), theta -4.31 per year (-0.0118 per calendar day), rho 8.91.
TEST(BlackScholes, HullGreeksExample) {
  const Greeks g = greeks(kCall, 49, 50, 0.3846, 0.2, 0.05);
  EXPECT_NEAR(g.price, 2.40, 0.005);
  EXPECT_NEAR(g.delta, 0.522, 0.0005);
  EXPECT_NEAR(g.gamma, 0.066, 0.0005);
  EXPECT_NEAR(g.vega, 12.1, 0.05);
  EXPECT_NEAR(g.theta, -4.31, 0.005);
  EXPECT_NEAR(g.theta_per_day, -0.0118, 0.00005);
  EXPECT_NEAR(g.rho, 8.91, 0.005);
}

// Haug, "The Complete Guide to Option Pricing Formulas" (2nd ed., 2007), ch. 1-2 examples.
TEST(BlackScholes, HaugExamples) {
  // Generalized BSM example: S = 60, X = 65, T = 0.25, r = 8%, b = 8%, v = 30%: call 2.1334.
  EXPECT_NEAR(price(kCall, 60, 65, 0.25, 0.3, 0.08), 2.1334, 5e-5);
  // Merton (1973) example: S = 100, X = 95, T = 0.5, r = 10%, q = 5%, v = 20%: put 2.4648.
  EXPECT_NEAR(price(kPut, 100, 95, 0.5, 0.2, 0.1, 0.05), 2.4648, 5e-5);
  // Black (1976) example: F = 19, X = 19, T = 0.75, r = 10%, v = 28%: call = put = 1.7011.
  const auto c76 = black76_greeks(Black76Input{kCall, 19, 19, 0.75, 0.28, 0.1});
  const auto p76 = black76_greeks(Black76Input{kPut, 19, 19, 0.75, 0.28, 0.1});
  EXPECT_NEAR(c76->price, 1.7011, 5e-5);
  EXPECT_NEAR(p76->price, 1.7011, 5e-5);
  // Delta (futures option, b = 0): S = 105, X = 100, T = 0.5, r = 10%, v = 36%:
  // call delta 0.5946, put delta -0.3566.
  EXPECT_NEAR(black76_greeks(Black76Input{kCall, 105, 100, 0.5, 0.36, 0.1})->delta, 0.5946, 5e-5);
  EXPECT_NEAR(black76_greeks(Black76Input{kPut, 105, 100, 0.5, 0.36, 0.1})->delta, -0.3566, 5e-5);
  // Gamma: S = 55, X = 60, T = 0.75, r = b = 10%, v = 30%: gamma 0.0278.
  EXPECT_NEAR(greeks(kCall, 55, 60, 0.75, 0.3, 0.1).gamma, 0.0278, 5e-5);
  // Theta: S = 430, X = 405, T = 0.0833, r = 7%, b = 2% (q = 5%), v = 20%: put theta -31.1924.
  EXPECT_NEAR(greeks(kPut, 430, 405, 0.0833, 0.2, 0.07, 0.05).theta, -31.1924, 5e-5);
  // Rho: S = 72, X = 75, T = 1, r = b = 9%, v = 19%: call rho 38.7325.
  EXPECT_NEAR(greeks(kCall, 72, 75, 1.0, 0.19, 0.09).rho, 38.7325, 5e-5);
}

// Black-76 against keel/analytics/black76.hpp (a separate, erfc-based implementation) and the
// identity Black-76 = BSM with S = F and q = r, except rho, which holds F fixed: rho = -T V.
TEST(BlackScholes, Black76AgreesWithIndependentImplementation) {
  for (double F : {50.0, 100.0, 180.0}) {
    for (double T : {0.01, 0.5, 3.0}) {
      for (OptionRight right : {kCall, kPut}) {
        const double K = 100, vol = 0.3, r = 0.04;
        const Greeks g = black76_greeks(Black76Input{right, F, K, T, vol, r}).value();
        const double ref = black76_price(F, K, T, vol, std::exp(-r * T), right);
        EXPECT_NEAR(g.price, ref, 1e-13 * F);
        const Greeks b = greeks(right, F, K, T, vol, r, r);
        EXPECT_NEAR(g.delta, b.delta, 1e-14);
        EXPECT_NEAR(g.gamma, b.gamma, 1e-14);
        EXPECT_NEAR(g.vega, b.vega, 1e-12);
        EXPECT_NEAR(g.theta, b.theta, 1e-12);
        EXPECT_NEAR(g.rho, -T * g.price, 1e-12);
      }
    }
  }
}

struct Case {
  OptionRight right;
  double S, K, T, vol, r, q;
};

// Random valid inputs over a wide but ordinary domain.
rc::Gen<Case> gen_case() {
  return rc::gen::map(rc::gen::tuple(rc::gen::inRange(0, 2), rc::gen::inRange(1, 100001), rc::gen::inRange(1, 100001),
                                     rc::gen::inRange(1, 100001), rc::gen::inRange(1, 100001),
                                     rc::gen::inRange(0, 100001), rc::gen::inRange(0, 100001)),
                      [](const auto& t) {
                        const auto [c, s, k, tt, v, r, q] = t;
                        Case x;
                        x.right = c == 0 ? kCall : kPut;
                        x.S = 100.0;
                        x.K = 100.0 * std::exp((k - 50000) / 50000.0 * 1.5);  // ln(S/K) in [-1.5, 1.5]
                        (void)s;
                        x.T = 1.0 / 365.0 + tt / 100000.0 * 5.0;  // 1 day .. 5 years
                        x.vol = 0.01 + v / 100000.0 * 2.0;        // 1% .. 201%
                        x.r = (r - 50000) / 50000.0 * 0.1;        // -10% .. 10%
                        x.q = (q - 50000) / 50000.0 * 0.1;
                        return x;
                      });
}

// Put–call parity (Hull eq. 17.3 with a dividend yield): C - P = S e^{-qT} - K e^{-rT}.
RC_GTEST_PROP(BlackScholes, PutCallParity, ()) {
  const Case c = *gen_case();
  const Greeks call = greeks(kCall, c.S, c.K, c.T, c.vol, c.r, c.q);
  const Greeks put = greeks(kPut, c.S, c.K, c.T, c.vol, c.r, c.q);
  const double fwd = c.S * std::exp(-c.q * c.T) - c.K * std::exp(-c.r * c.T);
  RC_ASSERT(std::fabs((call.price - put.price) - fwd) <= 1e-12 * (c.S + c.K));
  RC_ASSERT(std::fabs((call.delta - put.delta) - std::exp(-c.q * c.T)) <= 1e-14);
  RC_ASSERT(std::fabs(call.gamma - put.gamma) <= 1e-12 * std::fabs(call.gamma) + 1e-300);
  RC_ASSERT(std::fabs(call.vega - put.vega) <= 1e-12 * std::fabs(call.vega) + 1e-300);
  RC_ASSERT(std::fabs(call.prob_itm + put.prob_itm - 1.0) <= 1e-14);
}

// The private normal CDF kernel, seen through prob_itm = N(d2), against normal.hpp's erfc-based
// norm_cdf. With S = K, r = q = 0 and T = 100, d2 = -vol sqrt(T) / 2 = -5 vol exactly, so the
// comparison covers the lower tail down to N(-37) ~ 6e-300 without input rounding.
TEST(BlackScholes, NormalCdfKernelMatchesNormCdf) {
  double worst = 0.0;
  for (int i = 1; i <= 3700; ++i) {
    const double vol = i / 500.0;  // d2 from -0.01 to -37
    const Greeks call = greeks(kCall, 1.0, 1.0, 100.0, vol, 0.0, 0.0);
    const Greeks put = greeks(kPut, 1.0, 1.0, 100.0, vol, 0.0, 0.0);
    const double d2 = -0.5 * (vol * 10.0);
    worst = std::max(worst, std::fabs(call.prob_itm / norm_cdf(d2) - 1.0));
    worst = std::max(worst, std::fabs(put.prob_itm / norm_cdf(-d2) - 1.0));
  }
  EXPECT_LT(worst, 1e-14);
}

// Every Greek against a five-point central difference (truncation error O(h^4)) of the price,
// or of delta / vega for the second-order Greeks.
template <class F>
double fd(F f, double x, double h) {
  return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h);
}

TEST(BlackScholes, GreeksMatchFiniteDifferences) {
  for (OptionRight right : {kCall, kPut}) {
    for (double K : {70.0, 100.0, 135.0}) {
      for (double T : {0.05, 0.7, 4.0}) {
        for (double vol : {0.08, 0.35, 1.2}) {
          const double S = 100, r = 0.03, q = 0.015;
          const Greeks g = greeks(right, S, K, T, vol, r, q);
          auto at = [&](double s, double t, double v, double rr) { return greeks(right, s, K, t, v, rr, q); };
          const double hS = 1e-3 * S * vol * std::sqrt(T), hv = 1e-3 * vol, ht = 1e-3 * T, hr = 1e-4;
          // Tolerances relative to each Greek's natural scale (price scale / input scale).
          const double ps = std::max(g.price, 1e-3 * S);
          auto near = [](double a, double b, double tol) { return std::fabs(a - b) <= tol; };
          EXPECT_PRED3(near, g.delta, fd([&](double s) { return at(s, T, vol, r).price; }, S, hS), 1e-8 * ps);
          EXPECT_PRED3(near, g.gamma, fd([&](double s) { return at(s, T, vol, r).delta; }, S, hS), 1e-9);
          EXPECT_PRED3(near, g.vega, fd([&](double v) { return at(S, T, v, r).price; }, vol, hv), 1e-7 * ps / vol);
          EXPECT_PRED3(near, g.theta, -fd([&](double t) { return at(S, t, vol, r).price; }, T, ht), 1e-7 * ps / T);
          EXPECT_PRED3(near, g.rho, fd([&](double rr) { return at(S, T, vol, rr).price; }, r, hr), 1e-6 * ps);
          EXPECT_PRED3(near, g.vanna, fd([&](double v) { return at(S, T, v, r).delta; }, vol, hv), 1e-7 / vol);
          EXPECT_PRED3(near, g.volga, fd([&](double v) { return at(S, T, v, r).vega; }, vol, hv), 1e-7 * ps / (vol * vol));
          EXPECT_PRED3(near, g.charm, -fd([&](double t) { return at(S, t, vol, r).delta; }, T, ht), 1e-7 / T);
          EXPECT_DOUBLE_EQ(g.theta_per_day, g.theta / 365.0);
        }
      }
    }
  }
}

// Touch probability. With drift m = r - q - vol^2/2 = 0 the reflection principle gives
// P(touch) = 2 P(finish beyond the barrier) = 2 N(-|ln(K/S)| / (vol sqrt T)).
TEST(BlackScholes, TouchProbabilityReflectionPrinciple) {
  const double vol = 0.3, q = 0.0, r = 0.5 * vol * vol;  // m = 0
  for (double K : {60.0, 90.0, 110.0, 150.0}) {
    const OptionRight right = K > 100 ? kCall : kPut;
    const Greeks g = greeks(right, 100, K, 0.5, vol, r, q);
    const double expected = 2.0 * norm_cdf(-std::fabs(std::log(K / 100.0)) / (vol * std::sqrt(0.5)));
    EXPECT_NEAR(g.prob_touch, expected, 1e-14) << K;
  }
}

// With drift, against the first-passage formula for Brownian motion with drift (e.g. Shreve,
// "Stochastic Calculus for Finance II", eq. 7.2.2 / Harrison), evaluated here directly with
// std::exp and norm_cdf; touch >= finish-in-the-money; already in the money: 1.
TEST(BlackScholes, TouchProbabilityWithDrift) {
  for (double r : {-0.02, 0.0, 0.05, 0.3}) {
    for (double vol : {0.05, 0.2, 0.9}) {
      for (double K : {70.0, 99.0, 101.0, 130.0}) {
        const double S = 100, T = 0.75, q = 0.01;
        const OptionRight right = K > S ? kCall : kPut;
        const Greeks g = greeks(right, S, K, T, vol, r, q);
        const double w = right == kCall ? 1.0 : -1.0;
        const double D = w * std::log(K / S);
        const double m = w * (r - q - 0.5 * vol * vol);
        const double s = vol * std::sqrt(T);
        const double expected =
            norm_cdf((-D + m * T) / s) + std::exp(2 * m * D / (vol * vol)) * norm_cdf((-D - m * T) / s);
        EXPECT_NEAR(g.prob_touch, expected, 1e-12) << r << " " << vol << " " << K;
        EXPECT_GE(g.prob_touch, g.prob_itm - 1e-15);
      }
    }
  }
  EXPECT_EQ(greeks(kCall, 100, 90, 0.5, 0.2, 0.01).prob_touch, 1.0);
  EXPECT_EQ(greeks(kPut, 100, 110, 0.5, 0.2, 0.01).prob_touch, 1.0);
}

// S = 100, vol = 20%, T = 0.25: one sigma = 100 * 0.2 * 0.5 = 10; bounds 100 e^{-+0.1}.
TEST(BlackScholes, ExpectedMove) {
  const ExpectedMove m = expected_move(100, 0.2, 0.25).value();
  EXPECT_DOUBLE_EQ(m.one_sigma, 10.0);
  EXPECT_NEAR(m.lower, 90.48374180359595, 1e-12);
  EXPECT_NEAR(m.upper, 110.51709180756477, 1e-12);
  EXPECT_FALSE(expected_move(-1, 0.2, 0.25).ok());
  EXPECT_NE(expected_move(100, 0.0, 0.25).error().message.find("vol"), std::string::npos);
  EXPECT_NE(expected_move(100, 0.2, std::nan("")).error().message.find("time"), std::string::npos);
}

TEST(BlackScholes, BadInputsNameTheField) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  struct Bad {
    BsmInput in;
    const char* field;
  };
  const Bad bad[] = {
      {{kCall, -100, 100, 1, 0.2, 0.01, 0}, "spot"},    {{kCall, 0, 100, 1, 0.2, 0.01, 0}, "spot"},
      {{kCall, nan, 100, 1, 0.2, 0.01, 0}, "spot"},     {{kCall, 100, 0, 1, 0.2, 0.01, 0}, "strike"},
      {{kCall, 100, inf, 1, 0.2, 0.01, 0}, "strike"},   {{kCall, 100, 100, 0, 0.2, 0.01, 0}, "time"},
      {{kCall, 100, 100, -1, 0.2, 0.01, 0}, "time"},    {{kCall, 100, 100, 1, 0, 0.01, 0}, "vol"},
      {{kCall, 100, 100, 1, -0.2, 0.01, 0}, "vol"},     {{kCall, 100, 100, 1, nan, 0.01, 0}, "vol"},
      {{kCall, 100, 100, 1, 0.2, nan, 0}, "rate"},      {{kCall, 100, 100, 1, 0.2, inf, 0}, "rate"},
      {{kCall, 100, 100, 1, 0.2, 0.01, -inf}, "dividend"},
  };
  for (const Bad& b : bad) {
    const auto g = bsm_greeks(b.in);
    ASSERT_FALSE(g.ok()) << b.field;
    EXPECT_EQ(g.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(g.error().message.find(b.field), std::string::npos) << g.error().message;
    EXPECT_FALSE(bsm_price(b.in).ok());
  }
  BsmInput odd{static_cast<OptionRight>(7), 100, 100, 1, 0.2, 0.01, 0};
  EXPECT_NE(bsm_greeks(odd).error().message.find("right"), std::string::npos);
  EXPECT_NE(black76_greeks(Black76Input{kCall, -1, 100, 1, 0.2, 0.01}).error().message.find("forward"),
            std::string::npos);
}

// Extreme but valid inputs never produce a NaN or an infinity.
TEST(BlackScholes, ExtremesStayFinite) {
  for (double S : {1e-12, 1e-3, 1.0, 1e6, 1e12}) {
    for (double K : {1e-12, 1.0, 1e12}) {
      for (double T : {1e-8, 1.0, 100.0}) {
        for (double vol : {1e-8, 0.2, 100.0}) {
          for (double r : {-5.0, 0.0, 5.0}) {
            for (OptionRight right : {kCall, kPut}) {
              const Greeks g = greeks(right, S, K, T, vol, r, -r);
              for (double v : {g.price, g.delta, g.gamma, g.vega, g.theta, g.rho, g.vanna, g.volga, g.charm,
                               g.prob_itm, g.prob_touch}) {
                ASSERT_TRUE(std::isfinite(v)) << S << " " << K << " " << T << " " << vol << " " << r;
              }
              ASSERT_GE(g.price, 0.0);
              ASSERT_LE(g.prob_touch, 1.0);
            }
          }
        }
      }
    }
  }
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// The batch kernel (vectorized, possibly the AVX2 clone) and the scalar API give the same bits;
// invalid elements get a status and zeros; lengths need not be multiples of the block size.
TEST(BlackScholes, BatchMatchesScalarBitForBit) {
  std::mt19937_64 rng(20240611);
  auto uni = [&](double lo, double hi) {
    return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53);
  };
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{200},
                        std::size_t{1000}}) {
    std::vector<OptionRight> right(n);
    std::vector<double> S(n), K(n), T(n), vol(n), r(n), q(n);
    for (std::size_t i = 0; i < n; ++i) {
      right[i] = (rng() & 1) ? kCall : kPut;
      S[i] = uni(10, 500);
      K[i] = S[i] * std::exp(uni(-2, 2));
      T[i] = uni(1.0 / 365, 5);
      vol[i] = uni(0.01, 3);
      r[i] = uni(-0.05, 0.2);
      q[i] = uni(-0.05, 0.2);
      if (i % 17 == 5) vol[i] = -1.0;                                        // invalid
      if (i % 23 == 7) S[i] = std::numeric_limits<double>::quiet_NaN();      // invalid
      if (i % 29 == 11) T[i] = std::numeric_limits<double>::infinity();      // invalid
    }
    std::vector<double> price_(n), delta(n), gamma(n), vega(n), theta(n), rho(n), vanna(n), volga(n), charm(n),
        itm(n), touch(n);
    std::vector<PricingStatus> status(n);
    const std::size_t good = bsm_batch(BsmColumns{right, S, K, T, vol, r, q},
                                       GreeksColumns{price_, delta, gamma, vega, theta, rho, vanna, volga, charm,
                                                     itm, touch, status});
    std::size_t expect_good = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto g = bsm_greeks(BsmInput{right[i], S[i], K[i], T[i], vol[i], r[i], q[i]});
      if (!g.ok()) {
        EXPECT_NE(status[i], PricingStatus::kOk);
        for (double v : {price_[i], delta[i], gamma[i], vega[i], theta[i], rho[i], vanna[i], volga[i], charm[i],
                         itm[i], touch[i]}) {
          EXPECT_TRUE(same_bits(v, 0.0));
        }
        continue;
      }
      ++expect_good;
      ASSERT_EQ(status[i], PricingStatus::kOk);
      EXPECT_TRUE(same_bits(price_[i], g->price)) << i;
      EXPECT_TRUE(same_bits(delta[i], g->delta)) << i;
      EXPECT_TRUE(same_bits(gamma[i], g->gamma)) << i;
      EXPECT_TRUE(same_bits(vega[i], g->vega)) << i;
      EXPECT_TRUE(same_bits(theta[i], g->theta)) << i;
      EXPECT_TRUE(same_bits(rho[i], g->rho)) << i;
      EXPECT_TRUE(same_bits(vanna[i], g->vanna)) << i;
      EXPECT_TRUE(same_bits(volga[i], g->volga)) << i;
      EXPECT_TRUE(same_bits(charm[i], g->charm)) << i;
      EXPECT_TRUE(same_bits(itm[i], g->prob_itm)) << i;
      EXPECT_TRUE(same_bits(touch[i], g->prob_touch)) << i;
      const double p = bsm_price(BsmInput{right[i], S[i], K[i], T[i], vol[i], r[i], q[i]}).value();
      EXPECT_TRUE(same_bits(p, g->price)) << i;
    }
    EXPECT_EQ(good, expect_good);
    // The price-only batch and Black-76 batch (forward = S, prob_touch skipped).
    std::vector<double> p2(n);
    std::vector<PricingStatus> st2(n);
    EXPECT_EQ(bsm_price_batch(BsmColumns{right, S, K, T, vol, r, q}, p2, st2), good);
    for (std::size_t i = 0; i < n; ++i) EXPECT_TRUE(same_bits(p2[i], price_[i])) << i;
    black76_batch(BsmColumns{right, S, K, T, vol, r, {}},
                  GreeksColumns{price_, delta, gamma, vega, theta, rho, vanna, volga, charm, itm, {}, status});
    for (std::size_t i = 0; i < n; ++i) {
      const auto g = black76_greeks(Black76Input{right[i], S[i], K[i], T[i], vol[i], r[i]});
      if (!g.ok()) continue;
      EXPECT_TRUE(same_bits(price_[i], g->price)) << i;
      EXPECT_TRUE(same_bits(rho[i], g->rho)) << i;
      EXPECT_TRUE(same_bits(charm[i], g->charm)) << i;
    }
  }
}

// Every instruction-set level the machine has (baseline SSE2, AVX2, AVX-512F; a level it lacks runs
// the best it has) gives the same bits as the baseline loop, for the full, first-order and
// price-only batches; the first-order batch equals the full batch in its six fields, and an
// element's result does not depend on its neighbours or on whether it sits in a full
// (vectorized) block or in the element-by-element tail.
TEST(BlackScholes, SimdLevelsAndFirstOrderBatchAgreeBitForBit) {
  std::mt19937_64 rng(99);
  auto uni = [&](double lo, double hi) { return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53); };
  const std::size_t n = 517;  // eight full blocks of 64 and a tail of 5
  std::vector<OptionRight> right(n);
  std::vector<double> S(n), K(n), T(n), vol(n), r(n), q(n);
  for (std::size_t i = 0; i < n; ++i) {
    right[i] = (rng() & 1) ? kCall : kPut;
    S[i] = uni(1, 1000);
    K[i] = S[i] * std::exp(uni(-3, 3));
    T[i] = std::exp(uni(std::log(1e-4), std::log(30.0)));
    vol[i] = uni(0.005, 4);
    r[i] = uni(-0.1, 0.3);
    q[i] = uni(-0.1, 0.3);
    if (i % 31 == 2) vol[i] = 0.0;  // invalid
  }
  const BsmColumns in{right, S, K, T, vol, r, q};
  struct Full {
    std::vector<double> c[10];
    std::vector<PricingStatus> st;
    explicit Full(std::size_t m) : st(m) {
      for (auto& v : c) v.assign(m, -1.0);
    }
    GreeksColumns cols() {
      return GreeksColumns{c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], {}, st};
    }
  };
  Full base(n);
  const std::size_t good = detail::bsm_batch_at(SimdLevel::kBaseline, in, base.cols());
  for (SimdLevel level : {SimdLevel::kBaseline, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    Full f(n);
    EXPECT_EQ(detail::bsm_batch_at(level, in, f.cols()), good);
    std::vector<double> fo[6];
    for (auto& v : fo) v.assign(n, -1.0);
    std::vector<PricingStatus> st(n);
    EXPECT_EQ(detail::bsm_first_order_batch_at(level, in, FirstOrderColumns{fo[0], fo[1], fo[2], fo[3], fo[4], fo[5], st}),
              good);
    std::vector<double> p(n);
    std::vector<PricingStatus> pst(n);
    EXPECT_EQ(detail::bsm_price_batch_at(level, in, p, pst), good);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(f.st[i], base.st[i]);
      EXPECT_EQ(st[i], base.st[i]);
      for (int k = 0; k < 10; ++k) EXPECT_TRUE(same_bits(f.c[k][i], base.c[k][i])) << static_cast<int>(level) << " " << k << " " << i;
      for (int k = 0; k < 6; ++k) EXPECT_TRUE(same_bits(fo[k][i], base.c[k][i])) << static_cast<int>(level) << " " << k << " " << i;
      EXPECT_TRUE(same_bits(p[i], base.c[0][i])) << i;
    }
  }
  // Position independence: each element alone (a batch of one runs the tail path) and the whole
  // column rotated by 7 (every element moves to another block and lane).
  for (std::size_t i = 0; i < n; i += 13) {
    std::vector<double> fo[6];
    for (auto& v : fo) v.assign(1, -1.0);
    std::vector<PricingStatus> st(1);
    bsm_first_order_batch(BsmColumns{{&right[i], 1}, {&S[i], 1}, {&K[i], 1}, {&T[i], 1}, {&vol[i], 1}, {&r[i], 1}, {&q[i], 1}},
                          FirstOrderColumns{fo[0], fo[1], fo[2], fo[3], fo[4], fo[5], st});
    for (int k = 0; k < 6; ++k) EXPECT_TRUE(same_bits(fo[k][0], base.c[k][i])) << k << " " << i;
  }
  auto rot = [](auto v) {
    std::rotate(v.begin(), v.begin() + 7, v.end());
    return v;
  };
  const auto right2 = rot(right);
  const auto S2 = rot(S), K2 = rot(K), T2 = rot(T), vol2 = rot(vol), r2 = rot(r), q2 = rot(q);
  Full f(n);
  bsm_batch(BsmColumns{right2, S2, K2, T2, vol2, r2, q2}, f.cols());
  for (std::size_t i = 0; i < n; ++i) {
    for (int k = 0; k < 10; ++k) EXPECT_TRUE(same_bits(f.c[k][i], base.c[k][(i + 7) % n])) << k << " " << i;
  }
}

// ---- The fused vector_math kernels (k_*_fma) the Greeks kernels use ----------------------------
// Independent references: the C library's std::exp, std::log, std::sqrt, and normal.hpp's
// erfc-based norm_cdf (a few ulps down to the far tail). Errors are measured in ulps of the
// reference (for exp and log) or relatively (for the CDF). Run as plain scalar code, fma() is
// the C library's correctly rounded fma: the same bits as in the vector lanes (tested below).

// Distance in ulps between two finite doubles of the same sign (the integer distance of their
// bit patterns, which counts the representable doubles between them, subnormals included).
double ulps(double a, double b) {
  const auto ia = static_cast<std::int64_t>(vmath::to_bits(a) & 0x7fffffffffffffffULL);
  const auto ib = static_cast<std::int64_t>(vmath::to_bits(b) & 0x7fffffffffffffffULL);
  if ((a < 0) != (b < 0)) return static_cast<double>(ia + ib);
  return static_cast<double>(ia > ib ? ia - ib : ib - ia);
}

// A dense grid of [lo, hi] (n + 1 points) and n random points in it (fixed seed).
std::vector<double> grid_and_random(double lo, double hi, int n, std::uint64_t seed) {
  std::vector<double> x;
  for (int i = 0; i <= n; ++i) x.push_back(lo + (hi - lo) * i / n);
  std::mt19937_64 rng(seed);
  for (int i = 0; i < n; ++i) x.push_back(lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53));
  return x;
}

// n random positive normal doubles, uniform in exponent (2^-1020 .. 2^1019) and mantissa.
std::vector<double> random_normal_doubles(int n, std::uint64_t seed) {
  std::vector<double> x;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < n; ++i) {
    x.push_back(std::ldexp(1.0 + static_cast<double>(rng() >> 11) * 0x1.0p-53, static_cast<int>(rng() % 2040) - 1020));
  }
  return x;
}

TEST(VectorMathFma, ExpWithinOneUlpOfStdExp) {
  double worst = 0.0, worst_normal = 0.0;
  // Normal results, the subnormal range (two-step scaling) and the underflow to zero.
  for (double x : grid_and_random(-760.0, 709.0, 400000, 1)) {
    const double ref = std::exp(x);
    worst = std::max(worst, ulps(vmath::k_exp_fma(x), ref));
    if (x >= -708.0 && x <= 708.0) worst_normal = std::max(worst_normal, ulps(vmath::k_exp_normal_fma(x), ref));
  }
  // Near zero, where e^x ~ 1 + x: the reduction and the leading terms matter most.
  for (double x : grid_and_random(-1e-3, 1e-3, 100000, 2)) {
    worst = std::max(worst, ulps(vmath::k_exp_fma(x), std::exp(x)));
    worst_normal = std::max(worst_normal, ulps(vmath::k_exp_normal_fma(x), std::exp(x)));
  }
  EXPECT_LE(worst, 1.0);
  EXPECT_LE(worst_normal, 1.0);
  // Exact values: e^0 = 1, e^{k ln 2} for the reduction's integers, and the clamp far below.
  EXPECT_EQ(vmath::k_exp_fma(0.0), 1.0);
  EXPECT_EQ(vmath::k_exp_normal_fma(0.0), 1.0);
  EXPECT_EQ(vmath::k_exp_fma(-2000.0), 0.0);
  EXPECT_EQ(vmath::k_exp_fma(-746.0), 0.0);  // e^-746 < 2^-1075: rounds to zero
}

TEST(VectorMathFma, LogWithinOneUlpOfStdLog) {
  double worst = 0.0;
  for (double x : random_normal_doubles(400000, 3)) worst = std::max(worst, ulps(vmath::k_log_fma(x), std::log(x)));
  // Dense around 1 (moneyness S/K), where the result is small and its ulp tiny.
  for (double x : grid_and_random(0.5, 2.0, 400000, 4)) worst = std::max(worst, ulps(vmath::k_log_fma(x), std::log(x)));
  for (double x : grid_and_random(1.0 - 1e-6, 1.0 + 1e-6, 100000, 5)) {
    worst = std::max(worst, ulps(vmath::k_log_fma(x), std::log(x)));
  }
  EXPECT_LE(worst, 1.0);
  EXPECT_EQ(vmath::k_log_fma(1.0), 0.0);
  EXPECT_EQ(vmath::k_log_fma(2.0), std::log(2.0));
}

// ln(a/b) without the division, against the C library's long double log1p (|ln(a/b)| < ln 2,
// where log1p((a - b)/b) is accurate to ~1e-19) or the difference of long double logs (elsewhere,
// where the result is large and the cancellation harmless): within 2 ulps of ln(a/b) itself,
// also for ratios within 1e-6 of 1, where k_log_fma(a / b) inherits the rounding of a / b
// (|ln(a/b)| ~ 1e-6: up to ~1e10 ulps).
TEST(VectorMathFma, LogRatioWithinTwoUlpsOfLongDoubleReference) {
  if (std::numeric_limits<long double>::digits < 64) GTEST_SKIP() << "needs an extended long double reference";
  std::mt19937_64 rng(10);
  auto uni = [&](double lo, double hi) { return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53); };
  double worst = 0.0;
  for (int i = 0; i < 300000; ++i) {
    const double a = std::exp(uni(std::log(1e-12), std::log(1e12)));
    double b = std::exp(uni(std::log(1e-12), std::log(1e12)));  // the batch domain: spot, strike
    if (i % 3 == 1) b = a * std::exp(uni(-1.0, 1.0));
    if (i % 3 == 2) b = a * (1.0 + uni(-1e-6, 1e-6));
    const long double ratio = static_cast<long double>(a) / b;
    const long double ref = (ratio > 0.5L && ratio < 2.0L) ? std::log1p((static_cast<long double>(a) - b) / b)
                                                           : std::log(static_cast<long double>(a)) - std::log(static_cast<long double>(b));
    const double got = vmath::k_log_ratio_fma(a, b);
    if (a == b) {
      EXPECT_EQ(got, 0.0);
      continue;
    }
    worst = std::max(worst, ulps(got, static_cast<double>(ref)));
  }
  EXPECT_LE(worst, 2.0);
  EXPECT_EQ(vmath::k_log_ratio_fma(42.0, 42.0), 0.0);
  EXPECT_EQ(vmath::k_log_ratio_fma(8.0, 1.0), std::log(8.0));  // e = 3: 3 ln 2, rounded once
  EXPECT_EQ(vmath::k_log_ratio_fma(1.0, 8.0), -std::log(8.0));
}

TEST(VectorMathFma, SqrtWithinOneUlpOfStdSqrt) {
  double worst = 0.0;
  for (double x : random_normal_doubles(400000, 6)) worst = std::max(worst, ulps(vmath::k_sqrt_fma(x), std::sqrt(x)));
  for (double x : grid_and_random(1e-8, 100.0, 400000, 7)) worst = std::max(worst, ulps(vmath::k_sqrt_fma(x), std::sqrt(x)));
  EXPECT_LE(worst, 1.0);
  // Perfect squares come out exact: 4 -> 2, 1e-8 -> 1e-4 is not a perfect square in binary, 0.25 -> 0.5.
  EXPECT_EQ(vmath::k_sqrt_fma(4.0), 2.0);
  EXPECT_EQ(vmath::k_sqrt_fma(0.25), 0.5);
  EXPECT_EQ(vmath::k_sqrt_fma(144.0), 12.0);
}

// Phi(x) against norm_cdf: relative error < 2e-15 on [-37, 8] (Phi(-37) ~ 6e-300; above 8.3
// Phi rounds to 1); the density against std::exp(-x^2/2)/sqrt(2 pi) evaluated in long double.
TEST(VectorMathFma, NormalCdfAndDensityMatchReferences) {
  double worst_cdf = 0.0, worst_pdf = 0.0;
  for (double x : grid_and_random(-37.0, 8.0, 400000, 8)) {
    worst_cdf = std::max(worst_cdf, std::fabs(vmath::k_ncdf_fma(x) / norm_cdf(x) - 1.0));
    const long double lx = x;
    const auto ref = static_cast<double>(std::exp(-0.5L * lx * lx) / std::sqrt(2.0L * 3.14159265358979323846264338327950288L));
    worst_pdf = std::max(worst_pdf, std::fabs(vmath::k_npdf_fma(x) / ref - 1.0));
  }
  EXPECT_LT(worst_cdf, 2e-15);
  EXPECT_LT(worst_pdf, 2e-15);
  // The Mills ratio beyond the CDF's range: M(z) -> 1/z (1 - 1/z^2 + 3/z^4 - ...), the
  // asymptotic series (Abramowitz & Stegun 26.2.12), to 1e-13 at z = 100..1000 (five terms:
  // truncation < 105/z^10 < 1e-18).
  for (double z : {100.0, 250.0, 1000.0}) {
    const double u = 1.0 / (z * z);
    const double series = (1.0 - u * (1.0 - 3.0 * u * (1.0 - 5.0 * u * (1.0 - 7.0 * u)))) / z;
    EXPECT_NEAR(vmath::k_mills_fma(z) / series, 1.0, 1e-13) << z;
  }
}

// Each fused kernel gives the same bits in the vector lanes of every level (AVX2, AVX-512F:
// vfmadd instructions) as at the baseline level (the C library's fma), on arguments that cover
// the reduction branches (signs, tiny and huge magnitudes, subnormal exp results).
TEST(VectorMathFma, SameBitsAtEverySimdLevel) {
  static constexpr std::size_t kN = 256;
  std::mt19937_64 rng(9);
  auto uni = [&](double lo, double hi) { return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53); };
  std::array<double, kN> ex{}, pos{}, cdf{};
  for (std::size_t i = 0; i < kN; ++i) {
    ex[i] = uni(-750.0, 708.0);
    pos[i] = std::ldexp(uni(1.0, 2.0), static_cast<int>(rng() % 1000) - 500);
    cdf[i] = uni(-40.0, 10.0);
  }
  ex[0] = 0.0;
  ex[1] = -1e-300;
  ex[2] = -745.0;
  using Out = std::array<std::array<double, kN>, 9>;
  auto run = [&](vmath::Simd level) {
    Out o{};
    vmath::for_lanes<kN>(level, [&o, &ex, &pos, &cdf](std::size_t i) {
      o[0][i] = vmath::k_exp_fma(ex[i]);
      o[1][i] = vmath::k_exp_normal_fma(std::fabs(ex[i]) > 708.0 ? 1.0 : ex[i]);
      o[2][i] = vmath::k_log_fma(pos[i]);
      o[8][i] = vmath::k_log_ratio_fma(pos[i], pos[(i * 7 + 3) % kN]);
      o[3][i] = vmath::k_sqrt_fma(pos[i]);
      o[4][i] = vmath::k_mills_fma(std::fabs(cdf[i]));
      o[5][i] = vmath::k_npdf_fma(cdf[i]);
      o[6][i] = vmath::k_ncdf_fma(cdf[i]);
      o[7][i] = vmath::exp_reduced_fma(cdf[i] * 0.0086);  // |r| <= 0.344
    });
    return o;
  };
  const Out base = run(vmath::Simd::kBaseline);
  for (vmath::Simd level : {vmath::Simd::kAvx2, vmath::Simd::kAvx512}) {
    const Out o = run(level);
    for (std::size_t k = 0; k < base.size(); ++k) {
      for (std::size_t i = 0; i < kN; ++i) {
        EXPECT_TRUE(same_bits(o[k][i], base[k][i])) << static_cast<int>(level) << " kernel " << k << " i " << i;
      }
    }
  }
  // And plain scalar code (outside for_lanes) gives the baseline's bits too.
  for (std::size_t i = 0; i < kN; ++i) {
    EXPECT_TRUE(same_bits(vmath::k_exp_fma(ex[i]), base[0][i])) << i;
    EXPECT_TRUE(same_bits(vmath::k_ncdf_fma(cdf[i]), base[6][i])) << i;
  }
}

TEST(BlackScholes, BatchStatusCodes) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<OptionRight> right = {kCall, kCall, kCall, kCall, kCall, kCall, kCall, static_cast<OptionRight>(3)};
  std::vector<double> S = {100, -1, 100, 100, 100, 100, 100, 100};
  std::vector<double> K = {100, 100, nan, 100, 100, 100, 100, 100};
  std::vector<double> T = {1, 1, 1, 0, 1, 1, 1, 1};
  std::vector<double> vol = {0.2, 0.2, 0.2, 0.2, 1e9, 0.2, 0.2, 0.2};
  std::vector<double> r = {0.01, 0.01, 0.01, 0.01, 0.01, 7.0, 0.01, 0.01};
  std::vector<double> q = {0, 0, 0, 0, 0, 0, nan, 0};
  const std::size_t n = S.size();
  std::vector<double> o(n * 11);
  std::vector<PricingStatus> status(n);
  auto col = [&](int k) { return std::span<double>(o.data() + k * n, n); };
  EXPECT_EQ(bsm_batch(BsmColumns{right, S, K, T, vol, r, q},
                      GreeksColumns{col(0), col(1), col(2), col(3), col(4), col(5), col(6), col(7), col(8), col(9),
                                    col(10), status}),
            1u);
  const PricingStatus expected[] = {PricingStatus::kOk,      PricingStatus::kBadSpot, PricingStatus::kBadStrike,
                                    PricingStatus::kBadTime, PricingStatus::kBadVol,  PricingStatus::kBadRate,
                                    PricingStatus::kBadDividend, PricingStatus::kBadRight};
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(status[i], expected[i]) << i << " " << to_string(status[i]);
    for (int k = 0; k < 11; ++k) EXPECT_FALSE(std::isnan(o[k * n + i]));
  }
}

}  // namespace
}  // namespace keel::analytics
