// keel/core/calendar.hpp — the US equities and options exchange calendar (NYSE/Cboe), 1990–2099,
// and America/New_York time.
//
// Contract:
// - Trading days: weekdays that are not full-day holidays. Holidays follow the NYSE rules of each
//   year (New Year's Day with the Saturday rule, MLK Day from 1998, Presidents' Day, Good Friday,
//   Memorial Day, Juneteenth from 2022, Independence Day, Labor Day, Thanksgiving, Christmas;
//   Sunday holidays observed Monday, Saturday holidays observed Friday except New Year's Day)
//   plus unscheduled closures (1994-04-27 Nixon, 2001-09-11..14, 2004-06-11 Reagan,
//   2007-01-02 Ford, 2012-10-29/30 Sandy, 2018-12-05 Bush, 2025-01-09 Carter).
// - Early closes (per the NYSE rules of each year): 13:00 New York time on the day before
//   Independence Day (Mon/Tue/Thu July 3 from 1995; Wednesday July 3 from 2013, Friday July 5 in
//   1996–2012), the day after Thanksgiving (from 1993; 14:00 in 1992) and Christmas Eve on a
//   weekday trading day (14:00 through 1992), 13:00 on 1997-12-26 and 2003-12-26. A handful of
//   unscheduled short sessions (1994-02-11 14:30, 1996-01-08 11:00–14:00, 1997-10-27 15:30,
//   2005-06-01 15:56) and late openings (e.g. 2002-09-11 at 12:00) come from the NYSE record of
//   closings; session() reports their actual hours. is_early_close() means "closed before 16:00".
// - Sessions are [09:30, 16:00) New York time unless listed above, returned as UTC instants with
//   the DST rules of each year (Energy Policy Act of 2005 from 2007).
// - Option expirations: the standard monthly expiration is the third Friday of the month, or the
//   previous trading day (the Thursday) when that Friday is a holiday; weeklies expire every Friday
//   (previous trading day on a holiday); index (SPXW-style) weeklies also expire on Mondays (moved
//   to the next trading day when the Monday is a holiday, Cboe's rule, e.g. Tue 2016-09-06) and
//   Wednesdays (moved to the previous trading day). The dates follow the rule over the whole range;
//   whether a product was listed then (Weeklys from 2005, SPXW Wednesdays and Mondays from 2016) is
//   for the instrument layer to decide.
// - Years after the NYSE's published schedules (which run two to three years ahead) follow the
//   same rules: a projection, as any calendar of future sessions is.
// - Dates outside [1990-01-01, 2099-12-31] give kOutOfRange from the checked functions; the
//   unchecked queries answer false (is_*) or leave such dates out (holidays, early_closes).
// - New York time is computed by rule (no tz database): exact for 1955 onward (the 1955–1966 New
//   York rule equals the 1967–1973 US rule; 1974 and 1975 special starts; 1987; 2007); earlier
//   instants use the 1955 rule.
// - Validated against independent published lists (tests/data/nyse_holidays.csv, sources named
//   there) and against glibc's America/New_York zoneinfo (see calendar_test.cpp).
// Thread safety: immutable after construction; safe to share.
#pragma once

#include <cstdint>
#include <vector>

#include "keel/core/result.hpp"
#include "keel/core/time.hpp"

namespace keel {

// America/New_York offset from UTC at a UTC instant, in seconds (-18000 EST or -14400 EDT).
int new_york_utc_offset_seconds(Timestamp utc) noexcept;
// UTC instant of a New York wall-clock time on a date. Nonexistent local times (the spring-
// forward gap) map forward by an hour; ambiguous ones (fall back) take the earlier (EDT) instant.
Timestamp new_york_to_utc(Date date, int hour, int minute, int second = 0) noexcept;
// New York calendar date of a UTC instant.
Date new_york_date(Timestamp utc) noexcept;

struct Session {
  Date date;
  Timestamp open;   // 09:30 New York (later on a few historical days), UTC instant
  Timestamp close;  // 16:00 or 13:00 New York (other times on a few historical days), UTC instant
  bool early_close = false;
};

enum class ExpirationKind : std::uint8_t { kMonthly, kWeekly, kIndexMonday, kIndexWednesday };

class ExchangeCalendar {
 public:
  static constexpr int kFirstYear = 1990;
  static constexpr int kLastYear = 2099;

  // The US equities/options calendar (one shared immutable instance).
  static const ExchangeCalendar& us_equities();

  bool in_range(Date d) const noexcept;
  bool is_trading_day(Date d) const noexcept;  // false outside the range
  bool is_holiday(Date d) const noexcept;      // a weekday with no session
  bool is_early_close(Date d) const noexcept;  // a session that closes before 16:00
  Result<Session> session(Date d) const;  // kInvalidArgument when d is not a trading day

  // Trading-day arithmetic. next/previous return the nearest trading day strictly after/before.
  Result<Date> next_trading_day(Date d) const;
  Result<Date> previous_trading_day(Date d) const;
  // d itself if it trades, else the next trading day.
  Result<Date> this_or_next_trading_day(Date d) const;
  // Moves n trading days (n may be negative) from d; d need not be a trading day. n > 0 gives
  // the n-th trading day after d, n < 0 the |n|-th before d, n == 0 gives d unchanged.
  Result<Date> add_trading_days(Date d, int n) const;
  // Number of trading days in (from, to]; negative when to < from (minus the count in (to, from]),
  // so trading_days_between(d, add_trading_days(d, n)) == n for a trading day d.
  Result<int> trading_days_between(Date from, Date to) const;
  // All trading days in [from, to] (kInvalidArgument when from > to).
  Result<std::vector<Date>> trading_days(Date from, Date to) const;
  // Holidays (weekday closures) in [from, to], and early-close days.
  std::vector<Date> holidays(Date from, Date to) const;
  std::vector<Date> early_closes(Date from, Date to) const;

  // Standard monthly option expiration of a month (third Friday, or the Thursday before when
  // that Friday is a holiday).
  Result<Date> monthly_expiration(int year, int month) const;
  bool is_monthly_expiration(Date d) const noexcept;
  // Expiration dates of the given kinds in [from, to], sorted, without duplicates.
  Result<std::vector<Date>> expirations(Date from, Date to, std::vector<ExpirationKind> kinds) const;

 private:
  // A session whose hours are not 09:30–16:00 or 09:30–13:00 (minutes after New York midnight).
  struct SpecialHours {
    std::int32_t day;
    std::int16_t open_minute;
    std::int16_t close_minute;
  };

  ExchangeCalendar();
  Result<std::size_t> index_of(Date d) const;  // kOutOfRange naming d outside the range
  Date date_at(std::size_t index) const noexcept;

  std::vector<std::uint8_t> flags_;  // per day since kFirstYear-01-01: bit0 trading, bit1 early
                                     // close, bit2 hours listed in special_
  std::vector<std::int32_t> trading_before_;  // trading days in [first day, first day + i)
  std::vector<SpecialHours> special_;         // sorted by day
  std::int32_t first_day_ = 0;
};

}  // namespace keel
