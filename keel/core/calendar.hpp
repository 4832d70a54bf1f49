// keel/core/calendar.hpp — the US equities and options exchange calendar (NYSE/Cboe), 1990–2035,
// and America/New_York time.
//
// Contract:
// - Trading days: weekdays that are not full-day holidays. Holidays follow the NYSE rules of each
//   year (New Year's Day with the Saturday rule, MLK Day from 1998, Presidents' Day, Good Friday,
//   Memorial Day, Juneteenth from 2022, Independence Day, Labor Day, Thanksgiving, Christmas;
//   Sunday holidays observed Monday, Saturday holidays observed Friday except New Year's Day)
//   plus unscheduled closures (e.g. 1994-04-27 Nixon, 2001-09-11..14, 2004-06-11 Reagan,
//   2007-01-02 Ford, 2012-10-29/30 Sandy, 2018-12-05 Bush, 2025-01-09 Carter).
// - Early closes at 13:00 New York time (day before Independence Day, day after Thanksgiving,
//   Christmas Eve, per the NYSE rules of each year).
// - Sessions are [09:30, 16:00) New York time (13:00 close on early-close days), returned as UTC
//   instants with the DST rules of each year (Energy Policy Act of 2005 from 2007).
// - Option expirations: the standard monthly expiration is the third Friday of the month, or the
//   Thursday before when that Friday is a holiday; weeklies expire every Friday (Thursday when
//   Friday is a holiday); index (SPXW-style) weeklies also expire on Mondays and Wednesdays
//   (moved to the previous trading day on a holiday).
// - Dates outside [1990-01-01, 2035-12-31] give kOutOfRange from the checked functions.
// - The calendar is validated against an independent published list (see calendar_test.cpp).
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
  Timestamp open;   // 09:30 New York, UTC instant
  Timestamp close;  // 16:00 or 13:00 New York, UTC instant
  bool early_close = false;
};

enum class ExpirationKind : std::uint8_t { kMonthly, kWeekly, kIndexMonday, kIndexWednesday };

class ExchangeCalendar {
 public:
  static constexpr int kFirstYear = 1990;
  static constexpr int kLastYear = 2035;

  // The US equities/options calendar (one shared immutable instance).
  static const ExchangeCalendar& us_equities();

  bool in_range(Date d) const noexcept;
  bool is_trading_day(Date d) const noexcept;  // false outside the range
  bool is_holiday(Date d) const noexcept;      // a weekday with no session
  bool is_early_close(Date d) const noexcept;
  Result<Session> session(Date d) const;  // kInvalidArgument when d is not a trading day

  // Trading-day arithmetic. next/previous return the nearest trading day strictly after/before.
  Result<Date> next_trading_day(Date d) const;
  Result<Date> previous_trading_day(Date d) const;
  // d itself if it trades, else the next trading day.
  Result<Date> this_or_next_trading_day(Date d) const;
  // Moves n trading days (n may be negative) from d; d need not be a trading day.
  Result<Date> add_trading_days(Date d, int n) const;
  // Number of trading days in (from, to]; negative when to < from.
  Result<int> trading_days_between(Date from, Date to) const;
  // All trading days in [from, to].
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
  ExchangeCalendar();
  std::vector<std::uint8_t> flags_;  // per day since kFirstYear-01-01: bit0 trading, bit1 early close
  std::int32_t first_day_ = 0;
};

}  // namespace keel
