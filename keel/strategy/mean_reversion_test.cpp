#include "keel/strategy/mean_reversion.hpp"

#include <gtest/gtest.h>

namespace keel::strategy {
namespace {

// Wilder RSI, period 2, on closes 10, 11, 10, 9, 12 (changes +1, -1, -1, +3):
//   bar 2: avg gain (1+0)/2 = 0.5, avg loss (0+1)/2 = 0.5 -> RSI 50
//   bar 3: gain (0.5·1 + 0)/2 = 0.25, loss (0.5·1 + 1)/2 = 0.75 -> RS 1/3 -> RSI 25
//   bar 4: gain (0.25 + 3)/2 = 1.625, loss (0.75 + 0)/2 = 0.375 -> RS 4.333 -> RSI 81.25
TEST(MeanReversion, RsiCrossingEntersAndExitsAtTheKnownBars) {
  MeanReversionConfig c;
  c.symbols = {"A"};
  c.rsi_period = 2;
  c.rsi_entry = 30;
  c.rsi_exit = 50;
  c.max_hold = 0;
  auto rsi = *analytics::Rsi::create(2);
  const double closes[] = {10, 11, 10, 9, 12};
  const std::optional<double> expected[] = {std::nullopt, std::nullopt, 50.0, 25.0, 81.25};
  const int sides[] = {0, 0, 0, 1, 0};
  int side = 0;
  for (int i = 0; i < 5; ++i) {
    ReversionInputs in;
    in.close = closes[i];
    in.rsi = rsi.update(closes[i]);
    ASSERT_EQ(in.rsi.has_value(), expected[i].has_value()) << i;
    if (in.rsi) {
      EXPECT_NEAR(*in.rsi, *expected[i], 1e-12) << i;
    }
    side = mean_reversion_step(c, side, 1, in);
    EXPECT_EQ(side, sides[i]) << "bar " << i;
  }
}

TEST(MeanReversion, BandsShortsAndMaxHold) {
  MeanReversionConfig c;
  c.symbols = {"A"};
  c.signal = ReversionSignal::kBollinger;
  c.max_hold = 3;
  ReversionInputs in;
  in.bands = analytics::BandsValue{110.0, 100.0, 90.0};
  in.close = 89.0;  // below the lower band: long
  EXPECT_EQ(mean_reversion_step(c, 0, 0, in), 1);
  in.close = 99.0;  // below the middle: hold
  EXPECT_EQ(mean_reversion_step(c, 1, 2, in), 1);
  EXPECT_EQ(mean_reversion_step(c, 1, 3, in), 0);  // held 3 sessions = max_hold: exit
  in.close = 100.0;  // at the middle: exit
  EXPECT_EQ(mean_reversion_step(c, 1, 1, in), 0);
  in.close = 111.0;  // above the upper band: short only when allowed
  EXPECT_EQ(mean_reversion_step(c, 0, 0, in), 0);
  c.rules.allow_short = true;
  EXPECT_EQ(mean_reversion_step(c, 0, 0, in), -1);
  in.close = 100.0;
  EXPECT_EQ(mean_reversion_step(c, -1, 1, in), 0);  // back to the middle: cover
}

TEST(MeanReversion, ConfigErrors) {
  auto e = parse_mean_reversion_config(toml::parse("symbols = [\"A\"]\nrsi_entry = 40\nrsi_exit = 35\n"), "m.toml");
  EXPECT_NE(e.error().message.find("m.toml:3: mean_reversion.rsi_exit must be above rsi_entry"), std::string::npos)
      << e.error().message;
  auto s = parse_mean_reversion_config(toml::parse("symbols = [\"A\"]\nsignal = \"macd\"\n"), "m.toml");
  EXPECT_EQ(s.error().message,
            "m.toml:2: mean_reversion.signal = \"macd\" is not one of \"rsi\", \"bollinger\", \"either\"");
  auto ok = parse_mean_reversion_config(toml::parse("symbols = [\"A\"]\n"), "m.toml");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->schedule.frequency, RebalanceFrequency::kDaily);
}

}  // namespace
}  // namespace keel::strategy
