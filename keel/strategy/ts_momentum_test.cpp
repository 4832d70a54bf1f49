#include "keel/strategy/ts_momentum.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace keel::strategy {
namespace {

std::vector<Bar> path(const std::vector<double>& closes) {
  std::vector<Bar> out;
  for (std::size_t i = 0; i < closes.size(); ++i) {
    Bar b;
    b.ts_event = Timestamp::from_date(Date::ymd(2023, 1, 2) + static_cast<int>(i));
    b.ts_recv = b.ts_event;
    b.close = *Price::from_double(closes[i], 2);
    b.open = b.high = b.low = b.close;
    out.push_back(b);
  }
  return out;
}

TsMomentumConfig config(int lookback, int skip) {
  TsMomentumConfig c;
  c.symbols = {"A", "B"};
  c.lookback = lookback;
  c.skip = skip;
  return c;
}

TEST(TsMomentum, SkipAdjustedReturnDecides) {
  // Closes 100, 90, 95, 99, 110, 120 (today). lookback 5, skip 2: 99 / 100 - 1 = -1%: flat,
  // although today's close is 20% above the start. skip 0: 120 / 100 - 1 = +20%: long.
  const auto a = path({100, 90, 95, 99, 110, 120});
  const auto b = path({50, 50, 50, 50, 50, 55});  // skip 2: 50/50 - 1 = 0: not positive, flat
  EXPECT_NEAR(*momentum_return(a, 5, 2), -0.01, 1e-12);
  EXPECT_NEAR(*momentum_return(a, 5, 0), 0.20, 1e-12);
  EXPECT_FALSE(momentum_return(std::span<const Bar>(a).first(5), 5, 2).has_value());  // 5 bars < 6
  auto w = ts_momentum_weights(config(5, 2), {a, b});
  EXPECT_TRUE(w.empty());
  w = ts_momentum_weights(config(5, 0), {a, b});
  ASSERT_EQ(w.size(), 2u);  // B: 55/50 - 1 = 10% > 0 too
  EXPECT_DOUBLE_EQ(w["A"], 0.5);  // max_gross 1 / 2 symbols
  EXPECT_DOUBLE_EQ(w["B"], 0.5);
  TsMomentumConfig s = config(5, 2);
  s.short_negative = true;
  s.rules.allow_short = true;
  w = ts_momentum_weights(s, {a, b});
  ASSERT_EQ(w.size(), 2u);
  EXPECT_DOUBLE_EQ(w["A"], -0.5);
  EXPECT_DOUBLE_EQ(w["B"], -0.5);  // r = 0 is not positive: short in short mode
}

TEST(TsMomentum, VolatilityTargeting) {
  // Closes alternate 100, 110: log returns ±a, a = ln 1.1. Window 4: mean 0, sample variance
  // 4a²/3, so σ = a·√(4/3)·√252.
  const auto a = path({100, 110, 100, 110, 100, 110});
  const double sigma = std::log(1.1) * std::sqrt(4.0 / 3.0) * std::sqrt(252.0);
  EXPECT_NEAR(*realized_vol(a, 4), sigma, 1e-12);
  TsMomentumConfig c = config(5, 0);  // 110/100 - 1 > 0: long
  c.symbols = {"A"};
  c.vol_lookback = 4;
  c.vol_target = 0.5;
  c.max_leverage = 10.0;
  auto w = ts_momentum_weights(c, {a});
  EXPECT_NEAR(w["A"], 0.5 / sigma, 1e-12);  // σ ≈ 1.747 > target: scaled down
  c.vol_target = 5.0;
  c.max_leverage = 2.0;  // 5/1.747 = 2.86 capped at 2, then gross 2 > max_gross 1: scaled to 1
  w = ts_momentum_weights(c, {a});
  EXPECT_DOUBLE_EQ(w["A"], 1.0);
}

TEST(TsMomentum, ConfigKeysAndErrors) {
  const toml::table t = toml::parse(
      "symbols = [\"A\", \"B\"]\nlookback = 120\nskip = 5\nnegative = \"flat\"\nvol_target = 0.1\nrebalance = \"weekly\"\n");
  auto c = parse_ts_momentum_config(t, "x.toml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->lookback, 120);
  EXPECT_EQ(c->skip, 5);
  EXPECT_EQ(c->schedule.frequency, RebalanceFrequency::kWeekly);
  auto bad = parse_ts_momentum_config(toml::parse("symbols = [\"A\"]\nlookback = 10\n\nskip = 10\n"), "x.toml");
  EXPECT_EQ(bad.error().message, "x.toml:4: ts_momentum.skip = 10 must be below lookback 10");
  auto missing = parse_ts_momentum_config(toml::parse("lookback = 10\n"), "x.toml");
  EXPECT_NE(missing.error().message.find("missing required key ts_momentum.symbols"), std::string::npos);
  auto unknown = parse_ts_momentum_config(toml::parse("symbols = [\"A\"]\nlokback = 10\n"), "x.toml");
  EXPECT_EQ(unknown.error().message, "x.toml:2: unknown key ts_momentum.lokback");
  auto type = parse_ts_momentum_config(toml::parse("symbols = [\"A\"]\nlookback = 1.5\n"), "x.toml");
  EXPECT_EQ(type.error().message, "x.toml:2: ts_momentum.lookback: expected an integer, got a floating-point number");
}

}  // namespace
}  // namespace keel::strategy
