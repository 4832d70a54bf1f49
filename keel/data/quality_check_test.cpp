// Tests for keel/data/quality_check.hpp on hand-built series whose defects are planted at known
// dates. Trading days are those of the published NYSE calendar (2024-01-15 was Martin Luther
// King Jr. Day, 2024-01-13/14 a weekend).
#include "keel/data/quality_check.hpp"

#include <gtest/gtest.h>

#include "keel/testkit/memory_store.hpp"
#include "keel/testkit/store_samples.hpp"

namespace keel::data {
namespace {

using testkit::sample_bar;
using testkit::sample_equity;
using testkit::sample_lineage;

Bar daily(InstrumentId id, Date d, std::int64_t close_c) {
  Bar b = sample_bar(id, kOneDay, Timestamp::from_date(d), close_c, close_c + 50, close_c - 50, close_c, 1000);
  b.ts_recv = ExchangeCalendar::us_equities().session(d)->close;
  return b;
}

class QualityCheckTest : public ::testing::Test {
 protected:
  // Writes `bars` (closes in cents on consecutive trading days from `start`, skipping the dates
  // in `skip`) for symbol ACME and returns its id.
  InstrumentId write_series(const std::vector<std::int64_t>& closes, Date start, const std::vector<Date>& skip = {},
                            const std::vector<CorporateAction>& actions = {}) {
    auto tx = store_.begin(sample_lineage(1));
    EXPECT_TRUE(tx.ok());
    auto id = (*tx)->upsert_instrument(sample_equity("ACME"));
    EXPECT_TRUE(id.ok());
    std::vector<Bar> bars;
    Date d = *calendar().this_or_next_trading_day(start);
    for (std::int64_t c : closes) {
      while (std::find(skip.begin(), skip.end(), d) != skip.end()) d = *calendar().next_trading_day(d);
      bars.push_back(daily(*id, d, c));
      d = *calendar().next_trading_day(d);
    }
    EXPECT_TRUE((*tx)->put_bars(bars).ok());
    std::vector<CorporateAction> acts = actions;
    for (auto& a : acts) a.instrument = *id;
    if (!acts.empty()) {
      EXPECT_TRUE((*tx)->put_corporate_actions(acts).ok());
    }
    EXPECT_TRUE((*tx)->commit().ok());
    return *id;
  }
  static const ExchangeCalendar& calendar() { return ExchangeCalendar::us_equities(); }
  // A gently moving series: no gaps, no stale runs, no outliers.
  static std::vector<std::int64_t> wavy(int n) {
    std::vector<std::int64_t> v;
    for (int i = 0; i < n; ++i) v.push_back(10'000 + (i % 7) * 37 - (i % 3) * 11);
    return v;
  }
  testkit::MemoryStore store_;
};

TEST_F(QualityCheckTest, CleanSeriesHasNoIssues) {
  write_series(wavy(60), Date::ymd(2024, 1, 2));
  auto report = check_quality(store_, {});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->clean());
  EXPECT_EQ(report->bars_checked, 60);
}

TEST_F(QualityCheckTest, FindsAGapAgainstTheCalendar) {
  // 2024-01-16 (the Tuesday after MLK Day) is missing; the holiday itself is not a gap.
  write_series(wavy(30), Date::ymd(2024, 1, 2), {Date::ymd(2024, 1, 16)});
  auto report = check_quality(store_, {});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->issues.count("gap"), 1u);
  EXPECT_EQ(report->issues.at("gap").count, 1);
  EXPECT_NE(report->issues.at("gap").examples[0].find("ACME 2024-01-16"), std::string::npos);
}

TEST_F(QualityCheckTest, FindsStaleRunsAndOutliers) {
  std::vector<std::int64_t> closes = wavy(60);
  for (int i = 20; i < 26; ++i) closes[static_cast<std::size_t>(i)] = 10'500;  // 6 equal closes
  closes[40] = closes[39] * 13 / 10;                                           // +30% in a day
  write_series(closes, Date::ymd(2024, 1, 2));
  auto report = check_quality(store_, {});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->issues.count("stale"), 1u);
  EXPECT_EQ(report->issues.at("stale").count, 1);
  ASSERT_EQ(report->issues.count("outlier"), 1u);
  // The jump up and the fall back the next day are both outliers.
  EXPECT_EQ(report->issues.at("outlier").count, 2);
}

TEST_F(QualityCheckTest, SplitIsNotAnOutlier) {
  // A 2:1 split halves the price on its ex-date: split-adjusted, that day's return is ordinary.
  std::vector<std::int64_t> closes = wavy(60);
  for (std::size_t i = 30; i < closes.size(); ++i) closes[i] /= 2;
  Date d = *calendar().this_or_next_trading_day(Date::ymd(2024, 1, 2));
  d = *calendar().add_trading_days(d, 30);
  write_series(closes, Date::ymd(2024, 1, 2), {}, {testkit::sample_split(InstrumentId(0), d, 2, 1)});
  auto report = check_quality(store_, {});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->issues.count("outlier"), 0u);
}

TEST_F(QualityCheckTest, FindsLockedQuotesAndQuotesAfterExpiry) {
  auto tx = store_.begin(sample_lineage(1));
  ASSERT_TRUE(tx.ok());
  ASSERT_TRUE((*tx)->upsert_instrument(sample_equity("ACME")).ok());
  auto call = (*tx)->upsert_instrument(testkit::sample_option("ACME", Date::ymd(2024, 1, 19), 100, OptionRight::kCall));
  ASSERT_TRUE(call.ok());
  std::vector<OptionQuote> quotes = {
      testkit::sample_quote(*call, Timestamp::from_date(Date::ymd(2024, 1, 17)), 120, 130),
      testkit::sample_quote(*call, Timestamp::from_date(Date::ymd(2024, 1, 18)), 125, 125),  // locked
      testkit::sample_quote(*call, Timestamp::from_date(Date::ymd(2024, 1, 22)), 0, 5),      // after expiry
  };
  ASSERT_TRUE((*tx)->put_option_quotes(quotes).ok());
  ASSERT_TRUE((*tx)->commit().ok());
  auto report = check_quality(store_, {});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->option_quotes_checked, 3);
  ASSERT_EQ(report->issues.count("locked_quote"), 1u);
  EXPECT_NE(report->issues.at("locked_quote").examples[0].find("2024-01-18"), std::string::npos);
  ASSERT_EQ(report->issues.count("quote_after_expiry"), 1u);
  EXPECT_NE(report->issues.at("quote_after_expiry").examples[0].find("expired 2024-01-19"), std::string::npos);
}

TEST_F(QualityCheckTest, UnknownSymbolIsAnError) {
  write_series(wavy(5), Date::ymd(2024, 1, 2));
  QualityOptions opt;
  opt.symbol = "NOPE";
  auto report = check_quality(store_, opt);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, ErrorCode::kNotFound);
  EXPECT_NE(report.error().message.find("NOPE"), std::string::npos);
}

}  // namespace
}  // namespace keel::data
