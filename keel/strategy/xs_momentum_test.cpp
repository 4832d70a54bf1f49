#include "keel/strategy/xs_momentum.hpp"

#include <gtest/gtest.h>

namespace keel::strategy {
namespace {

std::vector<Bar> two_closes(double from, double to) {
  std::vector<Bar> out(2);
  out[0].close = *Price::from_double(from, 2);
  out[1].close = *Price::from_double(to, 2);
  return out;
}

TEST(XsMomentum, RanksAndWeights) {
  XsMomentumConfig c;
  c.symbols = {"A", "B", "C", "D"};
  c.lookback = 1;
  c.skip = 0;
  c.top_n = 2;
  // Returns: A +10%, B -5%, C +20%, D 0%. Top 2: C, A; equal weights 0.5 each.
  const std::vector<std::vector<Bar>> h{two_closes(100, 110), two_closes(100, 95), two_closes(50, 60), two_closes(10, 10)};
  const std::vector<std::span<const Bar>> spans(h.begin(), h.end());
  auto w = xs_momentum_weights(c, spans);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_DOUBLE_EQ(w["C"], 0.5);
  EXPECT_DOUBLE_EQ(w["A"], 0.5);
  // Long-short, top/bottom 1: C +0.5, B -0.5 (each leg max_gross / 2).
  c.top_n = 1;
  c.short_bottom = true;
  c.rules.allow_short = true;
  w = xs_momentum_weights(c, spans);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_DOUBLE_EQ(w["C"], 0.5);
  EXPECT_DOUBLE_EQ(w["B"], -0.5);
  // Quantile: floor(0.5 x 4) = 2 per leg; a symbol with too little history is not ranked.
  c.top_n = 0;
  c.quantile = 0.5;
  std::vector<std::span<const Bar>> short_d = spans;
  short_d[3] = short_d[3].first(1);
  w = xs_momentum_weights(c, short_d);  // 3 ranked: k = floor(1.5) = 1; 2k <= 3: C +0.5, B -0.5
  ASSERT_EQ(w.size(), 2u);
  EXPECT_DOUBLE_EQ(w["C"], 0.5);
  EXPECT_DOUBLE_EQ(w["B"], -0.5);
}

TEST(XsMomentum, ConfigErrors) {
  auto one = parse_xs_momentum_config(toml::parse("symbols = [\"A\"]\n"), "x.toml");
  EXPECT_EQ(one.error().message, "x.toml:1: xs_momentum.symbols needs at least 2 tickers to rank");
  auto w = parse_xs_momentum_config(toml::parse("symbols = [\"A\", \"B\"]\nweighting = \"cap\"\n"), "x.toml");
  EXPECT_EQ(w.error().message, "x.toml:2: xs_momentum.weighting = \"cap\" is not one of \"equal\", \"inverse_vol\"");
  auto ok = parse_xs_momentum_config(toml::parse("symbols = [\"A\", \"B\"]\nshort_bottom = true\n"), "x.toml");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_TRUE(ok->rules.allow_short);
}

}  // namespace
}  // namespace keel::strategy
