// Tests for keel/core/time.hpp. Reference instants are Unix epoch values computed independently
// (e.g. `date -u -d 2024-01-19T14:30:00Z +%s` = 1705674600), weekdays from the published
// calendar.
#include "keel/core/time.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <ctime>

namespace keel {
namespace {

TEST(Date, CivilConversions) {
  EXPECT_EQ(Date::ymd(1970, 1, 1).days(), 0);
  EXPECT_EQ(Date::ymd(2000, 3, 1).days(), 11017);
  EXPECT_EQ(Date::ymd(2024, 1, 19).weekday(), Weekday::kFriday);
  EXPECT_EQ(Date::ymd(2001, 9, 11).weekday(), Weekday::kTuesday);
  EXPECT_EQ(Date::ymd(1969, 12, 31).weekday(), Weekday::kWednesday);
  int y, m, d;
  Date::ymd(2024, 2, 29).to_ymd(y, m, d);
  EXPECT_EQ(y * 10000 + m * 100 + d, 20240229);
  EXPECT_EQ((Date::ymd(2024, 3, 1) - 1).to_string(), "2024-02-29");
  EXPECT_FALSE(Date::from_ymd(2023, 2, 29).ok());
  EXPECT_FALSE(Date::from_ymd(2023, 13, 1).ok());
  EXPECT_TRUE(Date::parse("20240119").ok());
  EXPECT_FALSE(Date::parse("2024-1-19").ok());
  EXPECT_FALSE(Date::parse("2024-02-30").ok());
}

TEST(Timestamp, ParseAndFormat) {
  auto t = Timestamp::parse("2024-01-19T14:30:00Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->ns(), 1'705'674'600LL * kNanosPerSecond);
  EXPECT_EQ(t->to_string(), "2024-01-19T14:30:00Z");
  EXPECT_EQ(Timestamp::parse("2024-01-19 09:30:00-05:00")->ns(), t->ns());  // 09:30 EST is 14:30 UTC
  EXPECT_EQ(Timestamp::parse("2024-01-19T14:30:00.5Z")->to_string(), "2024-01-19T14:30:00.500Z");
  EXPECT_EQ(Timestamp::parse("2024-01-19T14:30:00.000000001Z")->to_string(), "2024-01-19T14:30:00.000000001Z");
  EXPECT_EQ(Timestamp::parse("2024-01-19")->ns(), 1'705'622'400LL * kNanosPerSecond);
  EXPECT_EQ(Timestamp::parse("1969-12-31T23:59:59Z")->ns(), -kNanosPerSecond);
  EXPECT_EQ(Timestamp::parse("1969-12-31T23:59:59Z")->utc_date(), Date::ymd(1969, 12, 31));
}

TEST(Timestamp, RejectsBadText) {
  for (const char* bad : {"", "2024", "2024-01-19T", "2024-01-19T25:00:00Z", "2024-01-19T10:61:00Z", "2024-13-01",
                          "2024-01-19X10:00:00", "2024-01-19T10:00:00.Z", "2024-01-19T10:00:00.1234567890Z",
                          "2024-01-19T10:00:00+5", "2024-01-19T10:00:00ZZ"}) {
    EXPECT_FALSE(Timestamp::parse(bad).ok()) << bad;
  }
  EXPECT_EQ(Timestamp::parse("2300-01-01").error().code, ErrorCode::kOutOfRange);
  EXPECT_EQ(Timestamp::parse("1600-01-01").error().code, ErrorCode::kOutOfRange);
  EXPECT_FALSE(Timestamp::from_unix_seconds(INT64_MAX / 10).ok());
}

TEST(Duration, ParseAndFormat) {
  EXPECT_EQ(*parse_duration("1d"), std::chrono::hours(24));
  EXPECT_EQ(*parse_duration("5m"), std::chrono::minutes(5));
  EXPECT_EQ(*parse_duration("30s"), std::chrono::seconds(30));
  for (const char* bad : {"", "d", "0m", "-1m", "1x", "1.5h", "m5"}) EXPECT_FALSE(parse_duration(bad).ok()) << bad;
  EXPECT_EQ(format_duration(std::chrono::hours(24)), "1d");
  EXPECT_EQ(format_duration(std::chrono::minutes(90)), "90m");
  EXPECT_EQ(format_duration(std::chrono::nanoseconds(7)), "7ns");
}

// Property: our civil conversion agrees with the C library's timegm/gmtime_r (an independent
// implementation) for every instant in 1900..2200.
RC_GTEST_PROP(TimestampProperty, AgreesWithGmtime, (std::int32_t seed)) {
  const std::int64_t secs = static_cast<std::int64_t>(seed) * 3;  // about +-204 years around 1970
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  RC_ASSERT(gmtime_r(&tt, &tm) != nullptr);
  auto ts = Timestamp::from_utc(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  RC_ASSERT(ts.ok());
  RC_ASSERT(ts->ns() == secs * kNanosPerSecond);
  RC_ASSERT(static_cast<int>(ts->utc_date().weekday()) == tm.tm_wday);
  auto back = Timestamp::parse(ts->to_string());
  RC_ASSERT(back.ok());
  RC_ASSERT(back->ns() == ts->ns());
}

}  // namespace
}  // namespace keel
