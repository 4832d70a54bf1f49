// Tests for keel/core/calendar.hpp.
//
// Independent sources:
// - tests/data/nyse_holidays.csv: every full-day closure, early close and late opening of
//   1990–2028 transcribed from published lists (NYSE Group's yearly holiday and early-closings
//   announcements, QuantConnect LEAN's market-hours database, pandas_market_calendars' NYSE
//   holiday data from the NYSE history of closings; see the file's header). The calendar must
//   agree with it on every day of those years: no extra holidays, none missing.
// - glibc's localtime_r with TZ=America/New_York (the system's IANA zoneinfo) as the oracle for
//   the rule-based New York time functions.
// - Cboe's published SPX expiration list of August 2016 for index Monday/Wednesday expirations.
// - Hand-worked arithmetic (in comments) for trading-day counts and UTC session times.
#include "keel/core/calendar.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace keel {
namespace {

const ExchangeCalendar& cal() { return ExchangeCalendar::us_equities(); }

Date d(int y, int m, int day) { return Date::ymd(y, m, day); }

Timestamp utc(const char* text) {
  auto t = Timestamp::parse(text);
  KEEL_ASSERT(t.ok(), "bad timestamp literal in test");
  return *t;
}

// The oracle: glibc's America/New_York (tzdata) conversion of a UTC second.
void use_new_york_zoneinfo() {
  static const bool done = [] {
    setenv("TZ", "America/New_York", 1);
    tzset();
    return true;
  }();
  (void)done;
}

std::tm glibc_local(std::int64_t utc_seconds) {
  use_new_york_zoneinfo();
  const auto t = static_cast<std::time_t>(utc_seconds);
  std::tm tm{};
  KEEL_ASSERT(localtime_r(&t, &tm) != nullptr, "localtime_r failed");
  return tm;
}

std::int64_t seconds(Timestamp t) { return t.ns() / kNanosPerSecond; }

// ---------------------------------------------------------------------------------------------
// The published list.

struct Listed {
  bool closed = false;
  int close_minute = 16 * 60;
  int open_minute = 9 * 60 + 30;
};

std::string source_dir() {
  if (const char* env = std::getenv("KEEL_SOURCE_DIR"); env != nullptr && *env != '\0') return env;
  return KEEL_SOURCE_DIR;
}

int parse_hhmm(const std::string& s) {
  KEEL_ASSERT(s.size() == 5 && s[2] == ':', "time field is not HH:MM");
  return std::stoi(s.substr(0, 2)) * 60 + std::stoi(s.substr(3, 2));
}

constexpr int kListFirstYear = 1990;
constexpr int kListLastYear = 2028;

std::map<std::int32_t, Listed> load_published_list() {
  const std::string path = source_dir() + "/tests/data/nyse_holidays.csv";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::map<std::int32_t, Listed> out;
  std::string line;
  int line_no = 0;
  bool header_seen = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    if (!header_seen) {
      EXPECT_EQ(line, "date,type,time,name") << path << ":" << line_no;
      header_seen = true;
      continue;
    }
    std::stringstream ss(line);
    std::string date_text, type, time, name;
    std::getline(ss, date_text, ',');
    std::getline(ss, type, ',');
    std::getline(ss, time, ',');
    std::getline(ss, name);
    auto date = Date::parse(date_text);
    EXPECT_TRUE(date.ok()) << path << ":" << line_no << ": " << line;
    if (!date.ok()) continue;
    EXPECT_FALSE(date->is_weekend()) << path << ":" << line_no << ": weekend date " << date_text;
    EXPECT_FALSE(name.empty()) << path << ":" << line_no;
    Listed& e = out[date->days()];
    if (type == "closed") {
      EXPECT_TRUE(time.empty()) << path << ":" << line_no;
      e.closed = true;
    } else if (type == "early_close") {
      e.close_minute = parse_hhmm(time);
    } else if (type == "late_open") {
      e.open_minute = parse_hhmm(time);
    } else {
      ADD_FAILURE() << path << ":" << line_no << ": unknown type '" << type << "'";
    }
  }
  EXPECT_TRUE(header_seen) << path;
  return out;
}

TEST(CalendarPublishedList, AgreesOnEveryDay1990To2028) {
  const auto listed = load_published_list();
  ASSERT_GT(listed.size(), 400u);
  std::map<int, int> closures_per_year;
  for (const auto& [day, e] : listed) {
    if (e.closed) ++closures_per_year[Date::from_days(day).year()];
  }
  // Every covered year has its regular holidays in the file (at least 8 weekday closures).
  for (int y = kListFirstYear; y <= kListLastYear; ++y) EXPECT_GE(closures_per_year[y], 8) << y;

  int checked_sessions = 0;
  for (Date day = d(kListFirstYear, 1, 1); day <= d(kListLastYear, 12, 31); day = day + 1) {
    const std::string where = day.to_string();
    if (day.is_weekend()) {
      EXPECT_FALSE(cal().is_trading_day(day)) << where;
      EXPECT_FALSE(cal().is_holiday(day)) << where;
      continue;
    }
    const auto it = listed.find(day.days());
    const Listed e = it == listed.end() ? Listed{} : it->second;
    EXPECT_EQ(cal().is_holiday(day), e.closed) << where;
    if (cal().is_trading_day(day) == e.closed) {
      ADD_FAILURE() << where << (e.closed ? " is listed closed but trades" : " trades per the list but is closed");
      continue;
    }
    if (e.closed) {
      EXPECT_FALSE(cal().is_early_close(day)) << where;
      EXPECT_EQ(cal().session(day).error().code, ErrorCode::kInvalidArgument) << where;
      continue;
    }
    EXPECT_EQ(cal().is_early_close(day), e.close_minute < 16 * 60) << where;
    auto s = cal().session(day);
    ASSERT_TRUE(s.ok()) << where;
    EXPECT_EQ(s->date, day);
    EXPECT_EQ(s->early_close, e.close_minute < 16 * 60) << where;
    // Session hours read back through glibc's zoneinfo, not through our own offset rule.
    const std::tm open = glibc_local(seconds(s->open));
    const std::tm close = glibc_local(seconds(s->close));
    EXPECT_EQ(open.tm_hour * 60 + open.tm_min, e.open_minute) << where;
    EXPECT_EQ(close.tm_hour * 60 + close.tm_min, e.close_minute) << where;
    EXPECT_EQ(open.tm_sec, 0);
    EXPECT_EQ(open.tm_mday, day.day()) << where;
    EXPECT_EQ(close.tm_mday, day.day()) << where;
    ++checked_sessions;
  }
  EXPECT_GT(checked_sessions, 9000);

  // The list queries return exactly the listed closures and short sessions.
  std::set<std::int32_t> want_holidays, want_early;
  for (const auto& [day, e] : listed) {
    if (e.closed) want_holidays.insert(day);
    if (!e.closed && e.close_minute < 16 * 60) want_early.insert(day);
  }
  std::set<std::int32_t> got_holidays, got_early;
  for (Date h : cal().holidays(d(kListFirstYear, 1, 1), d(kListLastYear, 12, 31))) got_holidays.insert(h.days());
  for (Date h : cal().early_closes(d(kListFirstYear, 1, 1), d(kListLastYear, 12, 31))) got_early.insert(h.days());
  EXPECT_EQ(got_holidays, want_holidays);
  EXPECT_EQ(got_early, want_early);
}

// ---------------------------------------------------------------------------------------------
// Individual rules, each checked against a published fact.

TEST(Calendar, SaturdayNewYearIsNotObserved) {
  // NYSE Rule 7.2; e.g. NYSE's 2022 calendar lists no New Year's holiday and 2021-12-31 traded.
  for (int y : {1994, 2000, 2005, 2011, 2022, 2028, 2033}) {
    EXPECT_EQ(d(y, 1, 1).weekday(), Weekday::kSaturday) << y;
    EXPECT_TRUE(cal().is_trading_day(d(y - 1, 12, 31))) << y;
    EXPECT_FALSE(cal().is_early_close(d(y - 1, 12, 31))) << y;
  }
  EXPECT_FALSE(cal().is_trading_day(d(2023, 1, 2)));  // Sunday New Year -> Monday
}

TEST(Calendar, RuleChanges) {
  EXPECT_TRUE(cal().is_trading_day(d(1997, 1, 20)));   // MLK Day traded before 1998
  EXPECT_FALSE(cal().is_trading_day(d(1998, 1, 19)));  // first NYSE MLK holiday
  EXPECT_TRUE(cal().is_trading_day(d(2021, 6, 18)));   // Juneteenth law came too late for 2021
  EXPECT_FALSE(cal().is_trading_day(d(2022, 6, 20)));  // Sunday Juneteenth observed Monday
  EXPECT_FALSE(cal().is_trading_day(d(2027, 6, 18)));  // Saturday Juneteenth observed Friday
  // Wednesday July 3: full day with a short Friday July 5 in 2002, short itself from 2013.
  EXPECT_FALSE(cal().is_early_close(d(2002, 7, 3)));
  EXPECT_TRUE(cal().is_early_close(d(2002, 7, 5)));
  EXPECT_TRUE(cal().is_early_close(d(2013, 7, 3)));
  EXPECT_FALSE(cal().is_early_close(d(2013, 7, 5)));
  EXPECT_TRUE(cal().is_early_close(d(2024, 7, 3)));
  EXPECT_FALSE(cal().is_early_close(d(1990, 7, 3)));  // no July 3 early close before 1995
  EXPECT_FALSE(cal().is_early_close(d(1991, 11, 29)));  // day after Thanksgiving: full day
  EXPECT_TRUE(cal().is_early_close(d(1993, 11, 26)));
  EXPECT_FALSE(cal().is_trading_day(d(2014, 4, 18)));   // Good Friday
}

TEST(Calendar, HurricaneSandy) {
  EXPECT_TRUE(cal().is_trading_day(d(2012, 10, 26)));
  EXPECT_TRUE(cal().is_holiday(d(2012, 10, 29)));
  EXPECT_TRUE(cal().is_holiday(d(2012, 10, 30)));
  EXPECT_EQ(*cal().next_trading_day(d(2012, 10, 26)), d(2012, 10, 31));
  EXPECT_EQ(*cal().previous_trading_day(d(2012, 10, 31)), d(2012, 10, 26));
  EXPECT_EQ(*cal().this_or_next_trading_day(d(2012, 10, 29)), d(2012, 10, 31));
  // Reopening Wednesday under EDT (DST ended 2012-11-04): 09:30 EDT = 13:30 UTC.
  auto s = cal().session(d(2012, 10, 31));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->open, utc("2012-10-31T13:30:00Z"));
  EXPECT_EQ(s->close, utc("2012-10-31T20:00:00Z"));
  auto closed = cal().session(d(2012, 10, 29));
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(closed.error().message.find("2012-10-29"), std::string::npos);
  EXPECT_EQ(*cal().trading_days_between(d(2012, 10, 26), d(2012, 10, 31)), 1);
}

TEST(Calendar, TradingDayCountsPerYear) {
  // Weekdays in a year: 52 weeks give 260, plus the weekday(s) of the extra day(s); minus the
  // weekday closures listed by NYSE for that year.
  // 2001: starts Monday, 365 days -> 261 weekdays; 13 closures (9 holidays + 4 for Sept 11) -> 248.
  // 2012: leap, starts Sunday -> 260 + Monday = 261; 9 holidays + 2 Sandy days -> 250.
  // 2019: starts Tuesday -> 261; 9 holidays -> 252.
  // 2020: leap, starts Wednesday -> 262; 9 holidays -> 253.
  // 2022: starts Saturday -> 260; 9 holidays (no New Year's Day, Juneteenth added) -> 251.
  // 2025: starts Wednesday -> 261; 10 holidays + 2025-01-09 -> 250.
  const std::pair<int, int> counts[] = {{2001, 248}, {2012, 250}, {2019, 252}, {2020, 253}, {2022, 251}, {2025, 250}};
  for (const auto& [year, n] : counts) {
    auto days = cal().trading_days(d(year, 1, 1), d(year, 12, 31));
    ASSERT_TRUE(days.ok());
    EXPECT_EQ(static_cast<int>(days->size()), n) << year;
    EXPECT_EQ(*cal().trading_days_between(d(year - 1, 12, 31), d(year, 12, 31)), n) << year;
  }
}

// ---------------------------------------------------------------------------------------------
// New York time: hand-checked transition days, then glibc's zoneinfo over 1955–2200.

TEST(NewYorkTime, TransitionInstants) {
  // 2024: DST 2024-03-10 02:00 EST (07:00 UTC) .. 2024-11-03 02:00 EDT (06:00 UTC).
  EXPECT_EQ(new_york_utc_offset_seconds(utc("2024-03-10T06:59:59Z")), -18000);
  EXPECT_EQ(new_york_utc_offset_seconds(utc("2024-03-10T07:00:00Z")), -14400);
  EXPECT_EQ(new_york_utc_offset_seconds(utc("2024-11-03T05:59:59Z")), -14400);
  EXPECT_EQ(new_york_utc_offset_seconds(utc("2024-11-03T06:00:00Z")), -18000);
  // 2006 (1987–2006 rule): first Sunday of April, last Sunday of October.
  EXPECT_EQ(new_york_utc_offset_seconds(utc("2006-04-02T06:59:59Z")), -18000);
  EXPECT_EQ(new_york_utc_offset_seconds(utc("2006-04-02T07:00:00Z")), -14400);
  EXPECT_EQ(new_york_utc_offset_seconds(utc("2006-10-29T05:59:59Z")), -14400);
  EXPECT_EQ(new_york_utc_offset_seconds(utc("2006-10-29T06:00:00Z")), -18000);
  // 2007-03-12 was EDT only because of the Energy Policy Act of 2005.
  EXPECT_EQ(new_york_utc_offset_seconds(utc("2007-03-12T14:00:00Z")), -14400);
  EXPECT_EQ(new_york_utc_offset_seconds(utc("2006-03-13T14:00:00Z")), -18000);

  // Wall clock to UTC: the gap maps forward an hour, the repeated hour takes EDT.
  EXPECT_EQ(new_york_to_utc(d(2024, 3, 10), 1, 59, 59), utc("2024-03-10T06:59:59Z"));
  EXPECT_EQ(new_york_to_utc(d(2024, 3, 10), 2, 30), utc("2024-03-10T07:30:00Z"));  // = 03:30 EDT
  EXPECT_EQ(new_york_to_utc(d(2024, 3, 10), 3, 0), utc("2024-03-10T07:00:00Z"));
  EXPECT_EQ(new_york_to_utc(d(2024, 11, 3), 1, 30), utc("2024-11-03T05:30:00Z"));  // first 01:30 (EDT)
  EXPECT_EQ(new_york_to_utc(d(2024, 11, 3), 2, 0), utc("2024-11-03T07:00:00Z"));
  EXPECT_EQ(new_york_to_utc(d(2006, 4, 2), 2, 15), utc("2006-04-02T07:15:00Z"));
  EXPECT_EQ(new_york_to_utc(d(2006, 10, 29), 1, 0), utc("2006-10-29T05:00:00Z"));

  EXPECT_EQ(new_york_date(utc("2024-01-19T04:59:59Z")), d(2024, 1, 18));
  EXPECT_EQ(new_york_date(utc("2024-01-19T05:00:00Z")), d(2024, 1, 19));
  EXPECT_EQ(new_york_date(utc("2024-07-19T03:59:59Z")), d(2024, 7, 18));
  EXPECT_EQ(new_york_date(utc("2024-07-19T04:00:00Z")), d(2024, 7, 19));
}

TEST(NewYorkTime, SessionsAroundDstChanges) {
  // 09:30 EST = 14:30 UTC, 16:00 EST = 21:00 UTC; 09:30 EDT = 13:30 UTC, 16:00 EDT = 20:00 UTC.
  struct Case {
    Date date;
    const char* open;
    const char* close;
  };
  const Case cases[] = {
      {d(2024, 3, 8), "2024-03-08T14:30:00Z", "2024-03-08T21:00:00Z"},
      {d(2024, 3, 11), "2024-03-11T13:30:00Z", "2024-03-11T20:00:00Z"},
      {d(2024, 11, 1), "2024-11-01T13:30:00Z", "2024-11-01T20:00:00Z"},
      {d(2024, 11, 4), "2024-11-04T14:30:00Z", "2024-11-04T21:00:00Z"},
      {d(2006, 3, 31), "2006-03-31T14:30:00Z", "2006-03-31T21:00:00Z"},
      {d(2006, 4, 3), "2006-04-03T13:30:00Z", "2006-04-03T20:00:00Z"},
      {d(2006, 10, 27), "2006-10-27T13:30:00Z", "2006-10-27T20:00:00Z"},
      {d(2006, 10, 30), "2006-10-30T14:30:00Z", "2006-10-30T21:00:00Z"},
      {d(2007, 3, 12), "2007-03-12T13:30:00Z", "2007-03-12T20:00:00Z"},
      {d(2007, 11, 2), "2007-11-02T13:30:00Z", "2007-11-02T20:00:00Z"},
      // Early closes: 13:00 EDT = 17:00 UTC, 13:00 EST = 18:00 UTC, 14:00 EST = 19:00 UTC.
      {d(2024, 7, 3), "2024-07-03T13:30:00Z", "2024-07-03T17:00:00Z"},
      {d(2024, 11, 29), "2024-11-29T14:30:00Z", "2024-11-29T18:00:00Z"},
      {d(1990, 12, 24), "1990-12-24T14:30:00Z", "1990-12-24T19:00:00Z"},
      // Late opening at 12:00 EDT on the first anniversary of September 11.
      {d(2002, 9, 11), "2002-09-11T16:00:00Z", "2002-09-11T20:00:00Z"},
  };
  for (const Case& c : cases) {
    auto s = cal().session(c.date);
    ASSERT_TRUE(s.ok()) << c.date.to_string();
    EXPECT_EQ(s->open, utc(c.open)) << c.date.to_string();
    EXPECT_EQ(s->close, utc(c.close)) << c.date.to_string();
  }
  for (Date sunday : {d(2024, 3, 10), d(2024, 11, 3), d(2006, 4, 2), d(2006, 10, 29)}) {
    EXPECT_FALSE(cal().is_trading_day(sunday));
    EXPECT_EQ(cal().session(sunday).error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(NewYorkTime, OffsetAgreesWithZoneinfoHourlyAndAtEveryTransition) {
  const std::int64_t from = seconds(utc("1955-01-01T00:00:00Z"));
  const std::int64_t to = seconds(utc("2200-01-01T00:00:00Z"));
  int transitions = 0;
  long mismatches = 0;
  long prev_offset = glibc_local(from).tm_gmtoff;
  for (std::int64_t t = from; t < to; t += 3600) {
    const long off = glibc_local(t).tm_gmtoff;
    if (new_york_utc_offset_seconds(Timestamp::from_ns(t * kNanosPerSecond)) != off && ++mismatches <= 5) {
      ADD_FAILURE() << "offset differs at " << Timestamp::from_ns(t * kNanosPerSecond).to_string();
    }
    if (off != prev_offset) {
      // Find glibc's exact switching second in (t - 3600, t] and compare on both sides of it.
      std::int64_t lo = t - 3600, hi = t;
      while (hi - lo > 1) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        (glibc_local(mid).tm_gmtoff == off ? hi : lo) = mid;
      }
      EXPECT_EQ(new_york_utc_offset_seconds(Timestamp::from_ns(hi * kNanosPerSecond)), off);
      EXPECT_EQ(new_york_utc_offset_seconds(Timestamp::from_ns((hi - 1) * kNanosPerSecond)), prev_offset);
      ++transitions;
    }
    prev_offset = off;
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(transitions, 2 * (2199 - 1955 + 1));  // two switches every year
}

// The oracle for wall clock -> UTC: the candidates local+4h (EDT) and local+5h (EST) that glibc
// renders back to the same wall clock; the earlier one when both do; local+5h in the gap.
std::int64_t zoneinfo_to_utc(Date date, int h, int m, int s) {
  const std::int64_t local = static_cast<std::int64_t>(date.days()) * 86400 + h * 3600 + m * 60 + s;
  for (std::int64_t candidate : {local + 4 * 3600, local + 5 * 3600}) {
    const std::tm tm = glibc_local(candidate);
    int y = 0, mo = 0, dd = 0;
    date.to_ymd(y, mo, dd);
    if (tm.tm_year + 1900 == y && tm.tm_mon + 1 == mo && tm.tm_mday == dd && tm.tm_hour == h && tm.tm_min == m &&
        tm.tm_sec == s) {
      return candidate;
    }
  }
  return local + 5 * 3600;
}

RC_GTEST_PROP(NewYorkTimeProperty, WallClockAgreesWithZoneinfo, ()) {
  const Date date = Date::from_days(*rc::gen::inRange(Date::ymd(1955, 1, 1).days(), Date::ymd(2200, 1, 1).days()));
  const int h = *rc::gen::inRange(0, 24);
  const int m = *rc::gen::inRange(0, 60);
  const int s = *rc::gen::inRange(0, 60);
  RC_ASSERT(seconds(new_york_to_utc(date, h, m, s)) == zoneinfo_to_utc(date, h, m, s));
}

TEST(NewYorkTime, WallClockAgreesWithZoneinfoOnEveryTransitionDay) {
  // Every 5 minutes of every DST-switch Sunday 1990–2099 (the gap and the repeated hour included).
  int switch_days = 0;
  for (int y = 1990; y <= 2099; ++y) {
    for (Date day = d(y, 1, 1); day <= d(y, 12, 31); day = day + 1) {
      if (day.weekday() != Weekday::kSunday) continue;
      const std::int64_t noon = static_cast<std::int64_t>(day.days()) * 86400 + 17 * 3600;
      if (glibc_local(noon - 86400).tm_isdst == glibc_local(noon).tm_isdst) continue;
      ++switch_days;
      for (int minute = 0; minute < 24 * 60; minute += 5) {
        EXPECT_EQ(seconds(new_york_to_utc(day, minute / 60, minute % 60)),
                  zoneinfo_to_utc(day, minute / 60, minute % 60, 0))
            << day.to_string() << " minute " << minute;
      }
    }
  }
  EXPECT_EQ(switch_days, 2 * (2099 - 1990 + 1));
}

RC_GTEST_PROP(NewYorkTimeProperty, DateAgreesWithZoneinfo, ()) {
  const std::int64_t t = *rc::gen::inRange(seconds(utc("1955-01-01T00:00:00Z")), seconds(utc("2200-01-01T00:00:00Z")));
  const std::tm tm = glibc_local(t);
  const Date got = new_york_date(Timestamp::from_ns(t * kNanosPerSecond));
  RC_ASSERT(got == Date::ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday));
}

// ---------------------------------------------------------------------------------------------
// Trading-day arithmetic.

Date random_date_in_range() {
  return Date::from_days(*rc::gen::inRange(Date::ymd(1990, 1, 1).days(), Date::ymd(2099, 12, 31).days() + 1));
}

RC_GTEST_PROP(CalendarProperty, AddTradingDaysRoundTrips, ()) {
  const Date start = random_date_in_range();
  const Date day = *cal().this_or_next_trading_day(start);
  const int n = *rc::gen::inRange(-600, 601);
  auto moved = cal().add_trading_days(day, n);
  if (!moved.ok()) {  // only near the ends of the range
    RC_ASSERT(moved.error().code == ErrorCode::kOutOfRange);
    RC_ASSERT(moved.error().message.find(day.to_string()) != std::string::npos);
    return;
  }
  RC_ASSERT(cal().is_trading_day(*moved));
  RC_ASSERT(*cal().add_trading_days(*moved, -n) == day);
  RC_ASSERT(*cal().trading_days_between(day, *moved) == n);
  RC_ASSERT(*cal().trading_days_between(*moved, day) == -n);
}

RC_GTEST_PROP(CalendarProperty, AddTradingDaysEqualsRepeatedSteps, ()) {
  // From any date (trading or not), n steps of next/previous_trading_day.
  const Date start = random_date_in_range();
  const int n = *rc::gen::inRange(-40, 41);
  auto moved = cal().add_trading_days(start, n);
  Date step = start;
  for (int i = 0; i < (n < 0 ? -n : n); ++i) {
    auto next = n > 0 ? cal().next_trading_day(step) : cal().previous_trading_day(step);
    if (!next.ok()) {
      RC_ASSERT(!moved.ok());
      return;
    }
    step = *next;
  }
  RC_ASSERT(moved.ok());
  RC_ASSERT(*moved == step);
  if (n > 0) RC_ASSERT(*cal().trading_days_between(start, *moved) == n);
}

RC_GTEST_PROP(CalendarProperty, TradingDaysBetweenCountsTheList, ()) {
  const Date a = random_date_in_range();
  const Date b = a + *rc::gen::inRange(0, 400);
  if (!cal().in_range(b)) return;
  if (b == a) {
    RC_ASSERT(*cal().trading_days_between(a, b) == 0);
    return;
  }
  auto list = cal().trading_days(a + 1, b);
  RC_ASSERT(list.ok());
  RC_ASSERT(*cal().trading_days_between(a, b) == static_cast<int>(list->size()));
  RC_ASSERT(*cal().trading_days_between(b, a) == -static_cast<int>(list->size()));
  for (Date x : *list) RC_ASSERT(cal().is_trading_day(x));
}

TEST(Calendar, TradingDayArithmeticExamples) {
  // Thanksgiving week 2024: Wed 27 -> Fri 29 (Thu 28 closed); Fri 29 + 1 -> Mon Dec 2.
  EXPECT_EQ(*cal().add_trading_days(d(2024, 11, 27), 1), d(2024, 11, 29));
  EXPECT_EQ(*cal().add_trading_days(d(2024, 11, 29), 1), d(2024, 12, 2));
  EXPECT_EQ(*cal().add_trading_days(d(2024, 12, 2), -2), d(2024, 11, 27));
  EXPECT_EQ(*cal().add_trading_days(d(2024, 11, 28), 0), d(2024, 11, 28));
  EXPECT_EQ(*cal().add_trading_days(d(2024, 11, 28), -1), d(2024, 11, 27));
  // 2001-09-10 + 1 trading day = 2001-09-17 (11–14 closed).
  EXPECT_EQ(*cal().add_trading_days(d(2001, 9, 10), 1), d(2001, 9, 17));
  EXPECT_EQ(*cal().previous_trading_day(d(2001, 9, 17)), d(2001, 9, 10));
  EXPECT_EQ(*cal().trading_days_between(d(2001, 9, 10), d(2001, 9, 17)), 1);
  EXPECT_EQ(*cal().trading_days_between(d(2001, 9, 17), d(2001, 9, 10)), -1);
  // First and last trading days of the range.
  EXPECT_EQ(*cal().this_or_next_trading_day(d(1990, 1, 1)), d(1990, 1, 2));
  EXPECT_EQ(cal().previous_trading_day(d(1990, 1, 2)).error().code, ErrorCode::kOutOfRange);
  EXPECT_EQ(cal().next_trading_day(d(2099, 12, 31)).error().code, ErrorCode::kOutOfRange);
  auto days = cal().trading_days(d(2024, 12, 23), d(2024, 12, 27));
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(*days, (std::vector<Date>{d(2024, 12, 23), d(2024, 12, 24), d(2024, 12, 26), d(2024, 12, 27)}));
}

TEST(Calendar, OutOfRangeDatesAreErrorsNamingTheDate) {
  const Date before = d(1989, 12, 29);
  const Date after = d(2100, 1, 4);
  EXPECT_FALSE(cal().in_range(before));
  EXPECT_FALSE(cal().in_range(after));
  EXPECT_TRUE(cal().in_range(d(1990, 1, 1)));
  EXPECT_TRUE(cal().in_range(d(2099, 12, 31)));
  EXPECT_FALSE(cal().is_trading_day(before));
  EXPECT_FALSE(cal().is_holiday(after));
  EXPECT_FALSE(cal().is_early_close(after));
  for (const Date x : {before, after}) {
    const std::string text = x.to_string();
    auto check = [&](const Error& e) {
      EXPECT_EQ(e.code, ErrorCode::kOutOfRange) << e.message;
      EXPECT_NE(e.message.find(text), std::string::npos) << e.message;
    };
    check(cal().session(x).error());
    check(cal().next_trading_day(x).error());
    check(cal().previous_trading_day(x).error());
    check(cal().this_or_next_trading_day(x).error());
    check(cal().add_trading_days(x, 3).error());
    check(cal().trading_days_between(x, d(2000, 1, 3)).error());
    check(cal().trading_days_between(d(2000, 1, 3), x).error());
    check(cal().trading_days(x, d(2000, 1, 3)).error());
    check(cal().expirations(x, d(2000, 1, 3), {ExpirationKind::kMonthly}).error());
  }
  auto far = cal().add_trading_days(d(2099, 12, 20), 30);
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.error().code, ErrorCode::kOutOfRange);
  EXPECT_NE(far.error().message.find("2099-12-20"), std::string::npos);
  auto year = cal().monthly_expiration(2100, 1);
  ASSERT_FALSE(year.ok());
  EXPECT_EQ(year.error().code, ErrorCode::kOutOfRange);
  EXPECT_NE(year.error().message.find("2100-01"), std::string::npos);
  EXPECT_EQ(cal().monthly_expiration(2024, 13).error().code, ErrorCode::kInvalidArgument);
  auto reversed = cal().trading_days(d(2024, 2, 1), d(2024, 1, 1));
  ASSERT_FALSE(reversed.ok());
  EXPECT_EQ(reversed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(reversed.error().message.find("2024-02-01"), std::string::npos);
  // The unchecked list queries hold no dates outside the range.
  EXPECT_TRUE(cal().holidays(d(1980, 1, 1), d(1989, 12, 31)).empty());
  EXPECT_EQ(cal().holidays(d(1989, 12, 1), d(1990, 1, 31)), std::vector<Date>{d(1990, 1, 1)});
}

TEST(Calendar, SharedInstance) { EXPECT_EQ(&ExchangeCalendar::us_equities(), &ExchangeCalendar::us_equities()); }

// ---------------------------------------------------------------------------------------------
// Option expirations.

TEST(Expirations, MonthlyThirdFridayOrThursdayBeforeAHoliday) {
  // OCC/Cboe: April 2014 and April 2025 options expired Thursday because of Good Friday.
  EXPECT_EQ(*cal().monthly_expiration(2014, 4), d(2014, 4, 17));
  EXPECT_EQ(*cal().monthly_expiration(2025, 4), d(2025, 4, 17));
  EXPECT_EQ(*cal().monthly_expiration(2019, 4), d(2019, 4, 18));  // Good Friday 2019-04-19
  EXPECT_EQ(*cal().monthly_expiration(2022, 4), d(2022, 4, 14));  // Good Friday 2022-04-15
  EXPECT_EQ(*cal().monthly_expiration(2026, 6), d(2026, 6, 18));  // Juneteenth Friday 2026-06-19
  EXPECT_EQ(*cal().monthly_expiration(2024, 1), d(2024, 1, 19));
  EXPECT_EQ(*cal().monthly_expiration(2024, 3), d(2024, 3, 15));
  EXPECT_EQ(*cal().monthly_expiration(2025, 6), d(2025, 6, 20));  // Juneteenth was the Thursday
  EXPECT_TRUE(cal().is_monthly_expiration(d(2014, 4, 17)));
  EXPECT_FALSE(cal().is_monthly_expiration(d(2014, 4, 18)));
  EXPECT_FALSE(cal().is_monthly_expiration(d(2024, 1, 12)));
  EXPECT_TRUE(cal().is_monthly_expiration(d(2040, 1, 20)));   // third Friday, projected by rule
  EXPECT_FALSE(cal().is_monthly_expiration(d(2100, 1, 15)));  // a third Friday past the range
  auto months = cal().expirations(d(2024, 1, 1), d(2024, 6, 30), {ExpirationKind::kMonthly});
  ASSERT_TRUE(months.ok());
  EXPECT_EQ(*months, (std::vector<Date>{d(2024, 1, 19), d(2024, 2, 16), d(2024, 3, 15), d(2024, 4, 19),
                                        d(2024, 5, 17), d(2024, 6, 21)}));
}

TEST(Expirations, WeekliesMoveBeforeFridayHolidays) {
  auto w = cal().expirations(d(2025, 6, 30), d(2025, 7, 12), {ExpirationKind::kWeekly});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, (std::vector<Date>{d(2025, 7, 3), d(2025, 7, 11)}));  // July 4 2025 is a Friday
  w = cal().expirations(d(2026, 6, 29), d(2026, 7, 10), {ExpirationKind::kWeekly});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, (std::vector<Date>{d(2026, 7, 2), d(2026, 7, 10)}));  // 2026-07-03 observed holiday
  // 2001-09-14 (Friday) and 09-13 were closed: that week's expiry is Monday 2001-09-10.
  w = cal().expirations(d(2001, 9, 8), d(2001, 9, 22), {ExpirationKind::kWeekly});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, (std::vector<Date>{d(2001, 9, 10), d(2001, 9, 21)}));
  // A moved expiry belongs to [from, to] by its adjusted date.
  w = cal().expirations(d(2025, 7, 4), d(2025, 7, 10), {ExpirationKind::kWeekly});
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->empty());
}

TEST(Expirations, IndexMondayWednesdayAgainstCboeList) {
  // Cboe Options Hub, 2016-08-17 ("Successful launch of new SPX Monday-expiring Weeklys"): SPX
  // expirations Wed Aug 17, Fri Aug 19 (SPX), Mon Aug 22, Wed Aug 24, Fri Aug 26, Mon Aug 29,
  // Wed Aug 31, Fri Sep 2, Tue Sep 6 (Monday Sep 5 is Labor Day), Wed Sep 7, Fri Sep 9.
  auto e = cal().expirations(d(2016, 8, 17), d(2016, 9, 9),
                             {ExpirationKind::kIndexMonday, ExpirationKind::kIndexWednesday, ExpirationKind::kWeekly,
                              ExpirationKind::kMonthly});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, (std::vector<Date>{d(2016, 8, 17), d(2016, 8, 19), d(2016, 8, 22), d(2016, 8, 24), d(2016, 8, 26),
                                   d(2016, 8, 29), d(2016, 8, 31), d(2016, 9, 2), d(2016, 9, 6), d(2016, 9, 7),
                                   d(2016, 9, 9)}));
  // Wednesday holidays move to Tuesday (Juneteenth 2024, Christmas 2024).
  auto wed = cal().expirations(d(2024, 6, 17), d(2024, 6, 21), {ExpirationKind::kIndexWednesday});
  ASSERT_TRUE(wed.ok());
  EXPECT_EQ(*wed, std::vector<Date>{d(2024, 6, 18)});
  wed = cal().expirations(d(2024, 12, 23), d(2024, 12, 27), {ExpirationKind::kIndexWednesday});
  ASSERT_TRUE(wed.ok());
  EXPECT_EQ(*wed, std::vector<Date>{d(2024, 12, 24)});
  // Monday holiday -> Tuesday, e.g. MLK Day 2024-01-15 -> 2024-01-16; Sandy pushed 2012-10-29 to Wednesday.
  auto mon = cal().expirations(d(2024, 1, 14), d(2024, 1, 20), {ExpirationKind::kIndexMonday});
  ASSERT_TRUE(mon.ok());
  EXPECT_EQ(*mon, std::vector<Date>{d(2024, 1, 16)});
  mon = cal().expirations(d(2012, 10, 28), d(2012, 11, 3),
                          {ExpirationKind::kIndexMonday, ExpirationKind::kIndexWednesday});
  ASSERT_TRUE(mon.ok());
  EXPECT_EQ(*mon, std::vector<Date>{d(2012, 10, 31)});
  // The first Monday of the range, New Year's Day 1990, moves to Tuesday 1990-01-02.
  mon = cal().expirations(d(1990, 1, 1), d(1990, 1, 3), {ExpirationKind::kIndexMonday});
  ASSERT_TRUE(mon.ok());
  EXPECT_EQ(*mon, std::vector<Date>{d(1990, 1, 2)});
  auto none = cal().expirations(d(2024, 1, 1), d(2024, 12, 31), {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(cal().expirations(d(2024, 2, 1), d(2024, 1, 1), {ExpirationKind::kWeekly}).error().code,
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace keel
