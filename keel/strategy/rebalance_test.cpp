#include "keel/strategy/rebalance.hpp"

#include <gtest/gtest.h>

#include "keel/strategy/rebalance_config.hpp"

namespace keel::strategy {
namespace {

using execution::OrderSide;

Money usd(std::int64_t dollars) { return *Money::from_int(dollars, 2); }
Price px(double p) { return *Price::from_double(p, 2); }
Holding hold(const std::string& s, std::int64_t id, std::int64_t shares, double close) {
  return Holding{s, InstrumentId(id), shares, px(close)};
}
using Targets = std::map<std::string, double, std::less<>>;

TEST(Rebalance, RoundsTowardZeroAfterTheCashBuffer) {
  RebalanceRules r;
  r.cash_buffer = 0.02;
  r.drift_band = 0.0;
  // Investable = 100,000 x 0.98 = 98,000. A: 0.5 x 98,000 / 33.33 = 1470.15 -> 1470 shares;
  // B: 0.3 x 98,000 / 250 = 117.6 -> 117 (never above the weight).
  auto plan = plan_rebalance(Targets{{"A", 0.5}, {"B", 0.3}}, {hold("A", 1, 0, 33.33), hold("B", 2, 0, 250.0)},
                             usd(100'000), usd(100'000), r);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  ASSERT_EQ(plan->size(), 2u);
  EXPECT_EQ((*plan)[0].symbol, "A");
  EXPECT_EQ((*plan)[0].side, OrderSide::kBuy);
  EXPECT_EQ((*plan)[0].shares, 1470);
  EXPECT_EQ((*plan)[1].symbol, "B");
  EXPECT_EQ((*plan)[1].shares, 117);
}

TEST(Rebalance, DriftBandSkipsSmallChangesButNeverAnExit) {
  RebalanceRules r;
  r.cash_buffer = 0.0;
  r.drift_band = 0.02;  // 2% of 100,000 = 2,000
  const std::vector<Holding> h{hold("A", 1, 1000, 50.0)};
  // 0.51 -> 1020 shares: +20 x 50 = 1,000 < 2,000: no trade.
  auto small = plan_rebalance(Targets{{"A", 0.51}}, h, usd(100'000), usd(50'000), r);
  ASSERT_TRUE(small.ok());
  EXPECT_TRUE(small->empty());
  // 0.53 -> 1060 shares: +60 x 50 = 3,000 >= 2,000: buy 60.
  auto big = plan_rebalance(Targets{{"A", 0.53}}, h, usd(100'000), usd(50'000), r);
  ASSERT_EQ(big->size(), 1u);
  EXPECT_EQ((*big)[0].shares, 60);
  EXPECT_EQ((*big)[0].target_shares, 1060);
  // Not targeted: exit in full even under a huge band.
  r.drift_band = 0.9;
  auto out = plan_rebalance(Targets{}, h, usd(100'000), usd(50'000), r);
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].side, OrderSide::kSell);
  EXPECT_EQ((*out)[0].shares, 1000);
  // min_trade_value works the same way: 3,000 < 5,000.
  r.drift_band = 0.0;
  r.min_trade_value = 5000.0;
  EXPECT_TRUE(plan_rebalance(Targets{{"A", 0.53}}, h, usd(100'000), usd(50'000), r)->empty());
}

TEST(Rebalance, SellsFirstAndTheirProceedsPayTheBuys) {
  RebalanceRules r;
  r.cash_buffer = 0.1;
  r.drift_band = 0.0;
  // Equity 11,000 = cash 1,000 + A 100 x 100. B at 20: 1.0 x 9,900 / 20 = 495 shares = 9,900;
  // available = 1,000 - 1,100 (buffer) + 10,000 (sale of A) = 9,900: exactly enough.
  auto plan = plan_rebalance(Targets{{"B", 1.0}}, {hold("B", 2, 0, 20.0), hold("A", 1, 100, 100.0)}, usd(11'000),
                             usd(1'000), r);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  ASSERT_EQ(plan->size(), 2u);
  EXPECT_EQ((*plan)[0].symbol, "A");
  EXPECT_EQ((*plan)[0].side, OrderSide::kSell);
  EXPECT_EQ((*plan)[1].symbol, "B");
  EXPECT_EQ((*plan)[1].shares, 495);
}

TEST(Rebalance, BuysCutProportionallyWhenCashIsShort) {
  RebalanceRules r;
  r.cash_buffer = 0.0;
  r.drift_band = 0.0;
  // Equity 12,000 (of which 3,000 outside the universe), cash 0, A 90 x 100 = 9,000 sold.
  // B 0.5 x 12,000 / 20 = 300, C 0.5 x 12,000 / 10 = 600: 12,000 needed, 9,000 available,
  // ratio 0.75: B 225, C 450.
  auto plan = plan_rebalance(Targets{{"B", 0.5}, {"C", 0.5}},
                             {hold("A", 1, 90, 100.0), hold("B", 2, 0, 20.0), hold("C", 3, 0, 10.0)}, usd(12'000),
                             usd(0), r);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  ASSERT_EQ(plan->size(), 3u);
  EXPECT_EQ((*plan)[0].shares, 90);
  EXPECT_EQ((*plan)[1].shares, 225);
  EXPECT_EQ((*plan)[1].target_shares, 300);
  EXPECT_EQ((*plan)[2].shares, 450);
}

TEST(Rebalance, ShortsOnlyWhenAllowed) {
  RebalanceRules r;
  r.cash_buffer = 0.0;
  r.drift_band = 0.0;
  auto refused = plan_rebalance(Targets{{"S", -0.25}}, {hold("S", 1, 0, 40.0)}, usd(10'000), usd(10'000), r);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("weight of S is -0.25 < 0 but short selling is off"), std::string::npos);
  r.allow_short = true;
  // -0.25 x 10,000 / 40 = -62.5 -> -62 (toward zero): sell 62.
  auto plan = plan_rebalance(Targets{{"S", -0.25}}, {hold("S", 1, 0, 40.0)}, usd(10'000), usd(10'000), r);
  ASSERT_EQ(plan->size(), 1u);
  EXPECT_EQ((*plan)[0].side, OrderSide::kSell);
  EXPECT_EQ((*plan)[0].shares, 62);
  EXPECT_EQ((*plan)[0].target_shares, -62);
  // Covering a short is a buy.
  auto cover = plan_rebalance(Targets{}, {hold("S", 1, -62, 40.0)}, usd(10'000), usd(12'480), r);
  ASSERT_EQ(cover->size(), 1u);
  EXPECT_EQ((*cover)[0].side, OrderSide::kBuy);
  EXPECT_EQ((*cover)[0].shares, 62);
}

TEST(Rebalance, BadInputsNameTheSymbolOrRule) {
  RebalanceRules r;
  auto gross = plan_rebalance(Targets{{"A", 0.7}, {"B", 0.6}}, {hold("A", 1, 0, 10.0), hold("B", 2, 0, 10.0)},
                              usd(1000), usd(1000), r);
  EXPECT_NE(gross.error().message.find("gross weight 1.3 exceeds max_gross 1"), std::string::npos);
  auto missing = plan_rebalance(Targets{{"Z", 0.1}}, {}, usd(1000), usd(1000), r);
  EXPECT_NE(missing.error().message.find("no close for targeted symbol Z"), std::string::npos);
  auto nan = plan_rebalance(Targets{{"A", std::nan("")}}, {hold("A", 1, 0, 10.0)}, usd(1000), usd(1000), r);
  EXPECT_NE(nan.error().message.find("weight of A is not finite"), std::string::npos);
  r.cash_buffer = 1.0;
  EXPECT_NE(plan_rebalance(Targets{}, {}, usd(1000), usd(1000), r).error().message.find("cash_buffer 1 out of range"),
            std::string::npos);
}

// Dates from the NYSE's published 2022-2023 holiday calendar.
TEST(RebalanceSchedule, BoundariesMoveAroundHolidays) {
  const auto& cal = ExchangeCalendar::us_equities();
  auto on = [&](Date d, RebalanceFrequency f, RebalanceSession s) { return *is_rebalance_session(cal, d, {f, s}); };
  using F = RebalanceFrequency;
  using S = RebalanceSession;
  // 2023-01-02 (Mon) is New Year's Day observed: January's first session is Tue 2023-01-03.
  EXPECT_TRUE(on(Date::ymd(2023, 1, 3), F::kMonthly, S::kFirst));
  EXPECT_FALSE(on(Date::ymd(2023, 1, 4), F::kMonthly, S::kFirst));
  // Last session of December 2022: Fri 2022-12-30.
  EXPECT_TRUE(on(Date::ymd(2022, 12, 30), F::kMonthly, S::kLast));
  EXPECT_FALSE(on(Date::ymd(2022, 12, 29), F::kMonthly, S::kLast));
  // MLK Day 2023-01-16 (Mon): the week's first session is Tue 2023-01-17.
  EXPECT_TRUE(on(Date::ymd(2023, 1, 17), F::kWeekly, S::kFirst));
  EXPECT_FALSE(on(Date::ymd(2023, 1, 18), F::kWeekly, S::kFirst));
  // Good Friday 2023-04-07: the week's last session is Thu 2023-04-06.
  EXPECT_TRUE(on(Date::ymd(2023, 4, 6), F::kWeekly, S::kLast));
  EXPECT_FALSE(on(Date::ymd(2023, 4, 5), F::kWeekly, S::kLast));
  // March 2021's last session is Wed 2021-03-31 (Good Friday fell on 2021-04-02).
  EXPECT_TRUE(on(Date::ymd(2021, 3, 31), F::kMonthly, S::kLast));
  EXPECT_TRUE(on(Date::ymd(2023, 4, 5), F::kDaily, S::kLast));
  auto bad = is_rebalance_session(cal, Date::ymd(2023, 1, 2), {F::kMonthly, S::kFirst});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("2023-01-02 is not a trading day"), std::string::npos);
}

TEST(RebalanceConfig, KeysParseAndErrorsNameLineAndKey) {
  const toml::table t = toml::parse("rebalance = \"weekly\"\nrebalance_on = \"first\"\ncash_buffer = 0.05\n"
                                    "drift_band = 0\nmax_gross = 1.5\n");
  ConfigReader reader(t, "x.toml", "ts_momentum");
  Schedule s;
  RebalanceRules r;
  ASSERT_TRUE(parse_rebalance_keys(reader, s, r).ok());
  EXPECT_EQ(s.frequency, RebalanceFrequency::kWeekly);
  EXPECT_EQ(s.session, RebalanceSession::kFirst);
  EXPECT_EQ(r.cash_buffer, 0.05);
  EXPECT_EQ(r.drift_band, 0.0);
  EXPECT_EQ(r.max_gross, 1.5);
  const toml::table bad = toml::parse("cash_buffer = 0.1\nrebalance = \"hourly\"\n");
  ConfigReader br(bad, "x.toml", "ts_momentum");
  auto st = parse_rebalance_keys(br, s, r);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message,
            "x.toml:2: ts_momentum.rebalance = \"hourly\" is not one of \"daily\", \"weekly\", \"monthly\"");
  const toml::table unknown = toml::parse("cash_bufer = 0.1\n");
  auto uk = ConfigReader(unknown, "x.toml", "ts_momentum").known({}, true);
  EXPECT_EQ(uk.error().message, "x.toml:1: unknown key ts_momentum.cash_bufer");
}

}  // namespace
}  // namespace keel::strategy
