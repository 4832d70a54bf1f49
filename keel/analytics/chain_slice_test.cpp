// chain_slice: a chain priced by Black-76 from a known forward, discount factor and SVI smile
// (the Gatheral–Jacquier JW example's arbitrage-free repair is not needed: any valid raw SVI
// slice will do) must give back the forward, the discount and the smile's vols.
#include "keel/analytics/chain_slice.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "keel/analytics/black76.hpp"

namespace keel::analytics {
namespace {

const SviRaw kSmile{0.02, 0.1, 0.05, -0.5, 0.2};  // a, b, m, rho, sigma: a typical equity skew

std::vector<StrikeQuotes> priced_chain(double F, double D, double t, double half_spread) {
  std::vector<StrikeQuotes> chain;
  for (double K = 0.7 * F; K <= 1.3 * F; K += 0.025 * F) {
    const double vol = std::sqrt(svi_total_variance(kSmile, std::log(K / F)) / t);
    const double c = black76_price(F, K, t, vol, D, OptionRight::kCall);
    const double p = black76_price(F, K, t, vol, D, OptionRight::kPut);
    chain.push_back({K, c - half_spread, c + half_spread, p - half_spread, p + half_spread});
  }
  return chain;
}

TEST(ChainSlice, RecoversForwardDiscountAndSmile) {
  const double F = 101.3, D = std::exp(-0.04 * 0.5), t = 0.5;
  auto slice = chain_slice(priced_chain(F, D, t, 0.0), t, "test");
  ASSERT_TRUE(slice.ok()) << slice.error().message;
  EXPECT_NEAR(slice->parity.forward, F, 1e-9);
  EXPECT_NEAR(slice->parity.discount, D, 1e-12);
  ASSERT_GE(slice->quotes.size(), 20u);
  for (const SliceQuote& q : slice->quotes) {
    EXPECT_NEAR(q.vol, std::sqrt(svi_total_variance(kSmile, q.k) / t), 1e-9) << q.k;
  }
  // And an SVI fit to those quotes gives the smile back.
  auto fit = fit_svi_slice(slice->quotes, t);
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  EXPECT_LT(fit->rmse_vol, 1e-6);
}

TEST(ChainSlice, SpreadsGiveBidBelowAskVols) {
  const double F = 50, D = 0.99, t = 0.25;
  auto slice = chain_slice(priced_chain(F, D, t, 0.01), t);
  ASSERT_TRUE(slice.ok()) << slice.error().message;
  EXPECT_NEAR(slice->parity.forward, F, 1e-6);
  for (const SliceQuote& q : slice->quotes) {
    EXPECT_LT(q.bid_vol, q.vol);
    EXPECT_LT(q.vol, q.ask_vol);
  }
}

TEST(ChainSlice, TooFewPairsIsAnErrorNamingTheSlice) {
  std::vector<StrikeQuotes> two = {{100, 5, 5.2, 4, 4.2}, {105, 3, 3.2, 6, 6.2}};
  auto r = chain_slice(two, 0.5, "2024-06-21");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("slice '2024-06-21'"), std::string::npos);
  EXPECT_FALSE(chain_slice(priced_chain(100, 1, 0.5, 0), 0.0, "x").ok());
}

}  // namespace
}  // namespace keel::analytics
