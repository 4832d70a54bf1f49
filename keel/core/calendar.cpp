// keel/core/calendar.cpp — NYSE holidays, early closes and America/New_York time by rule.
//
// Sources for the rules (each cited where it is used):
// - NYSE Rule 7.2 (holidays; a Saturday holiday is observed on the Friday before unless that Friday
//   ends a monthly or yearly accounting period, hence no New Year's Day observance on Dec 31) and
//   NYSE Group's yearly "Holiday and Early Closings Calendar" announcements.
// - The NYSE history of closings ("NYSE Closings" document, as transcribed in
//   pandas_market_calendars' NYSE holiday notes) for unscheduled closures, the 14:00 closes of
//   1990–1992, the July 3/July 5 early-close rules and the irregular sessions listed below.
// - Time zone: 15 U.S.C. 260a (Uniform Time Act of 1966, as amended 1986 and by the Energy Policy
//   Act of 2005); the 1974/1975 starts from the Emergency Daylight Saving Time Energy
//   Conservation Act of 1973; New York's own 1955–1966 rule (last Sunday of April to last Sunday
//   of October), all as recorded in the IANA tz database (northamerica file).
#include "keel/core/calendar.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>

namespace keel {
namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr int kEstOffset = -5 * 3600;
constexpr int kEdtOffset = -4 * 3600;

constexpr std::uint8_t kTrading = 1u << 0;
constexpr std::uint8_t kEarly = 1u << 1;
constexpr std::uint8_t kSpecial = 1u << 2;

constexpr int kOpenMinute = 9 * 60 + 30;
constexpr int kCloseMinute = 16 * 60;
constexpr int kEarlyCloseMinute = 13 * 60;

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// The n-th (n >= 1) given weekday of a month.
Date nth_weekday(int year, int month, Weekday wd, int n) noexcept {
  const Date first = Date::ymd(year, month, 1);
  const int delta = (static_cast<int>(wd) - static_cast<int>(first.weekday()) + 7) % 7;
  return first + (delta + 7 * (n - 1));
}

Date last_weekday(int year, int month, Weekday wd) noexcept {
  const Date last = Date::ymd(year, month, days_in_month(year, month));
  const int delta = (static_cast<int>(last.weekday()) - static_cast<int>(wd) + 7) % 7;
  return last - delta;
}

// Easter Sunday of the Gregorian calendar: the anonymous algorithm published by Meeus
// ("Astronomical Algorithms", ch. 8; also Jones 1876, Butcher 1876).
Date easter_sunday(int y) noexcept {
  const int a = y % 19;
  const int b = y / 100;
  const int c = y % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return Date::ymd(y, month, day);
}

// Sunday holidays move to Monday, Saturday ones to Friday (NYSE Rule 7.2).
Date observed(Date d) noexcept {
  switch (d.weekday()) {
    case Weekday::kSaturday: return d - 1;
    case Weekday::kSunday: return d + 1;
    default: return d;
  }
}

// Local (New York) dates of the Sundays that start and end daylight saving time in a year; both
// switches happen at 02:00 local time.
struct DstSundays {
  Date start;
  Date end;
};

DstSundays dst_sundays(int y) noexcept {
  if (y >= 2007) return {nth_weekday(y, 3, Weekday::kSunday, 2), nth_weekday(y, 11, Weekday::kSunday, 1)};
  if (y >= 1987) return {nth_weekday(y, 4, Weekday::kSunday, 1), last_weekday(y, 10, Weekday::kSunday)};
  if (y == 1975) return {Date::ymd(1975, 2, 23), last_weekday(y, 10, Weekday::kSunday)};
  if (y == 1974) return {Date::ymd(1974, 1, 6), last_weekday(y, 10, Weekday::kSunday)};
  // 1976–1986 (US), 1967–1973 (US) and 1955–1966 (New York) share the rule.
  return {last_weekday(y, 4, Weekday::kSunday), last_weekday(y, 10, Weekday::kSunday)};
}

int offset_at_seconds(std::int64_t utc_seconds) noexcept {
  const auto day = static_cast<std::int32_t>(floor_div(utc_seconds, kSecondsPerDay));
  const DstSundays s = dst_sundays(Date::from_days(day).year());
  // 02:00 EST is 07:00 UTC; 02:00 EDT is 06:00 UTC.
  const std::int64_t start = static_cast<std::int64_t>(s.start.days()) * kSecondsPerDay + 7 * 3600;
  const std::int64_t end = static_cast<std::int64_t>(s.end.days()) * kSecondsPerDay + 6 * 3600;
  return utc_seconds >= start && utc_seconds < end ? kEdtOffset : kEstOffset;
}

std::string range_text() {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d-01-01..%d-12-31", ExchangeCalendar::kFirstYear, ExchangeCalendar::kLastYear);
  return buf;
}

Error out_of_range(Date d) {
  return make_error(ErrorCode::kOutOfRange,
                    "date " + d.to_string() + " is outside the exchange calendar range " + range_text());
}

// Full-day closures outside the yearly rules (NYSE history of closings).
constexpr std::array<Date, 10> kUnscheduledClosures = {
    Date::ymd(1994, 4, 27),   // funeral of President Nixon
    Date::ymd(2001, 9, 11),   // September 11 attacks, 11–14
    Date::ymd(2001, 9, 12),
    Date::ymd(2001, 9, 13),
    Date::ymd(2001, 9, 14),
    Date::ymd(2004, 6, 11),   // national day of mourning, President Reagan
    Date::ymd(2007, 1, 2),    // national day of mourning, President Ford
    Date::ymd(2012, 10, 29),  // Hurricane Sandy, 29–30
    Date::ymd(2012, 10, 30),
    Date::ymd(2018, 12, 5),   // national day of mourning, President George H. W. Bush
};
constexpr Date kCarterMourning = Date::ymd(2025, 1, 9);  // national day of mourning, President Carter

struct ListedHours {
  Date date;
  int open_minute;
  int close_minute;
};

// Unscheduled late openings and short sessions 1990–2035 from the NYSE history of closings.
constexpr std::array<ListedHours, 14> kListedHours = {{
    {Date::ymd(1990, 12, 27), 9 * 60 + 31, kCloseMinute},   // Con Edison transformer explosion
    {Date::ymd(1991, 1, 17), 9 * 60 + 31, kCloseMinute},    // Gulf War moment of silence
    {Date::ymd(1991, 2, 25), 9 * 60 + 31, kCloseMinute},    // Gulf War moment of silence
    {Date::ymd(1994, 2, 11), kOpenMinute, 14 * 60 + 30},    // snowstorm
    {Date::ymd(1995, 12, 18), 10 * 60 + 30, kCloseMinute},  // computer systems trouble
    {Date::ymd(1996, 1, 8), 11 * 60, 14 * 60},              // blizzard
    {Date::ymd(1997, 10, 27), kOpenMinute, 15 * 60 + 30},   // circuit breaker halt
    {Date::ymd(2001, 9, 17), 9 * 60 + 33, kCloseMinute},    // reopening, moment of silence
    {Date::ymd(2001, 10, 8), 9 * 60 + 31, kCloseMinute},    // Enduring Freedom moment of silence
    {Date::ymd(2002, 9, 11), 12 * 60, kCloseMinute},        // anniversary of September 11
    {Date::ymd(2003, 3, 20), 9 * 60 + 32, kCloseMinute},    // Iraqi Freedom moment of silence
    {Date::ymd(2004, 6, 7), 9 * 60 + 32, kCloseMinute},     // President Reagan moment of silence
    {Date::ymd(2005, 6, 1), kOpenMinute, 15 * 60 + 56},     // systems communication problem
    {Date::ymd(2006, 12, 27), 9 * 60 + 32, kCloseMinute},   // President Ford moment of silence
}};

}  // namespace

int new_york_utc_offset_seconds(Timestamp utc) noexcept {
  return offset_at_seconds(floor_div(utc.ns(), kNanosPerSecond));
}

Timestamp new_york_to_utc(Date date, int hour, int minute, int second) noexcept {
  const std::int64_t local =
      static_cast<std::int64_t>(date.days()) * kSecondsPerDay + hour * 3600 + minute * 60 + second;
  const std::int64_t as_edt = local - kEdtOffset;
  const std::int64_t as_est = local - kEstOffset;
  std::int64_t utc = as_est;  // also the answer inside the spring-forward gap: one hour later on the wall clock
  if (offset_at_seconds(as_edt) == kEdtOffset) {
    utc = as_edt;  // valid EDT time; when ambiguous, EDT is the earlier instant
  }
  return Timestamp::from_ns(utc * kNanosPerSecond);
}

Date new_york_date(Timestamp utc) noexcept {
  const std::int64_t s = floor_div(utc.ns(), kNanosPerSecond);
  return Date::from_days(static_cast<std::int32_t>(floor_div(s + offset_at_seconds(s), kSecondsPerDay)));
}

const ExchangeCalendar& ExchangeCalendar::us_equities() {
  static const ExchangeCalendar calendar;
  return calendar;
}

ExchangeCalendar::ExchangeCalendar() {
  first_day_ = Date::ymd(kFirstYear, 1, 1).days();
  const std::int32_t last_day = Date::ymd(kLastYear, 12, 31).days();
  flags_.assign(static_cast<std::size_t>(last_day - first_day_ + 1), 0);
  for (std::size_t i = 0; i < flags_.size(); ++i) {
    if (!date_at(i).is_weekend()) flags_[i] = kTrading;
  }
  auto at = [this](Date d) -> std::uint8_t& {
    KEEL_ASSERT(in_range(d), "calendar rule produced a date outside the range");
    return flags_[static_cast<std::size_t>(d.days() - first_day_)];
  };
  auto close = [&](Date d) { at(d) = static_cast<std::uint8_t>(at(d) & ~kTrading); };
  // Marks an early close on d when d is a trading day (rules name candidate days, e.g. a
  // Christmas Eve that is itself the observed Christmas holiday is skipped).
  auto early = [&](Date d, int close_minute) {
    if (!(at(d) & kTrading)) return;
    at(d) = static_cast<std::uint8_t>(at(d) | kEarly);
    if (close_minute != kEarlyCloseMinute) {
      at(d) = static_cast<std::uint8_t>(at(d) | kSpecial);
      special_.push_back({d.days(), static_cast<std::int16_t>(kOpenMinute), static_cast<std::int16_t>(close_minute)});
    }
  };

  for (int y = kFirstYear; y <= kLastYear; ++y) {
    // New Year's Day: Sunday -> Monday; Saturday -> not observed (Dec 31 closes the year).
    const Date new_year = Date::ymd(y, 1, 1);
    if (new_year.weekday() != Weekday::kSaturday) close(observed(new_year));
    // Martin Luther King Jr. Day, third Monday of January, an NYSE holiday since 1998.
    if (y >= 1998) close(nth_weekday(y, 1, Weekday::kMonday, 3));
    close(nth_weekday(y, 2, Weekday::kMonday, 3));  // Washington's Birthday
    close(easter_sunday(y) - 2);                     // Good Friday
    close(last_weekday(y, 5, Weekday::kMonday));     // Memorial Day
    if (y >= 2022) close(observed(Date::ymd(y, 6, 19)));  // Juneteenth, first observed 2022-06-20
    close(observed(Date::ymd(y, 7, 4)));              // Independence Day
    close(nth_weekday(y, 9, Weekday::kMonday, 1));    // Labor Day
    const Date thanksgiving = nth_weekday(y, 11, Weekday::kThursday, 4);
    close(thanksgiving);
    close(observed(Date::ymd(y, 12, 25)));  // Christmas
  }
  for (const Date d : kUnscheduledClosures) close(d);
  close(kCarterMourning);

  for (int y = kFirstYear; y <= kLastYear; ++y) {
    // Day before Independence Day: from 1995 a Monday, Tuesday or Thursday July 3 closes at 13:00.
    // When July 4 is a Thursday the short day was Friday July 5 in 1996–2012 and has been
    // Wednesday July 3 since 2013. Before 1995 there was no early close.
    const Date july3 = Date::ymd(y, 7, 3);
    if (y >= 1995) {
      const Weekday wd = july3.weekday();
      if (wd == Weekday::kMonday || wd == Weekday::kTuesday || wd == Weekday::kThursday) {
        early(july3, kEarlyCloseMinute);
      } else if (wd == Weekday::kWednesday) {
        early(y >= 2013 ? july3 : july3 + 2, kEarlyCloseMinute);
      }
    }
    // Day after Thanksgiving: 14:00 in 1992, 13:00 since 1993, a full day before 1992.
    const Date black_friday = nth_weekday(y, 11, Weekday::kThursday, 4) + 1;
    if (y >= 1992) early(black_friday, y == 1992 ? 14 * 60 : kEarlyCloseMinute);
    // Christmas Eve on a weekday trading day: 14:00 through 1992, 13:00 since 1993.
    const Date christmas_eve = Date::ymd(y, 12, 24);
    if (!christmas_eve.is_weekend()) early(christmas_eve, y <= 1992 ? 14 * 60 : kEarlyCloseMinute);
  }
  early(Date::ymd(1997, 12, 26), kEarlyCloseMinute);  // days after Christmas (NYSE history of closings)
  early(Date::ymd(2003, 12, 26), kEarlyCloseMinute);

  for (const ListedHours& h : kListedHours) {
    std::uint8_t& f = at(h.date);
    KEEL_ASSERT((f & kTrading) && !(f & kSpecial), "listed session hours on a closed or already special day");
    f = static_cast<std::uint8_t>(f | kSpecial | (h.close_minute < kCloseMinute ? kEarly : 0));
    special_.push_back(
        {h.date.days(), static_cast<std::int16_t>(h.open_minute), static_cast<std::int16_t>(h.close_minute)});
  }
  std::sort(special_.begin(), special_.end(),
            [](const SpecialHours& a, const SpecialHours& b) { return a.day < b.day; });

  trading_before_.assign(flags_.size() + 1, 0);
  for (std::size_t i = 0; i < flags_.size(); ++i) trading_before_[i + 1] = trading_before_[i] + (flags_[i] & kTrading);
}

Date ExchangeCalendar::date_at(std::size_t index) const noexcept {
  return Date::from_days(first_day_ + static_cast<std::int32_t>(index));
}

Result<std::size_t> ExchangeCalendar::index_of(Date d) const {
  if (!in_range(d)) return out_of_range(d);
  return static_cast<std::size_t>(d.days() - first_day_);
}

bool ExchangeCalendar::in_range(Date d) const noexcept {
  return d.days() >= first_day_ && d.days() - first_day_ < static_cast<std::int32_t>(flags_.size());
}

bool ExchangeCalendar::is_trading_day(Date d) const noexcept {
  return in_range(d) && (flags_[static_cast<std::size_t>(d.days() - first_day_)] & kTrading);
}

bool ExchangeCalendar::is_holiday(Date d) const noexcept {
  return in_range(d) && !d.is_weekend() && !(flags_[static_cast<std::size_t>(d.days() - first_day_)] & kTrading);
}

bool ExchangeCalendar::is_early_close(Date d) const noexcept {
  return in_range(d) && (flags_[static_cast<std::size_t>(d.days() - first_day_)] & kEarly);
}

Result<Session> ExchangeCalendar::session(Date d) const {
  KEEL_TRY(i, index_of(d));
  const std::uint8_t f = flags_[i];
  if (!(f & kTrading)) {
    return make_error(ErrorCode::kInvalidArgument, "no session on " + d.to_string() + " (" +
                                                       (d.is_weekend() ? "weekend" : "exchange holiday") + ")");
  }
  int open = kOpenMinute;
  int close = (f & kEarly) ? kEarlyCloseMinute : kCloseMinute;
  if (f & kSpecial) {
    const auto it = std::lower_bound(special_.begin(), special_.end(), d.days(),
                                     [](const SpecialHours& h, std::int32_t day) { return h.day < day; });
    KEEL_ASSERT(it != special_.end() && it->day == d.days(), "special session flag without listed hours");
    open = it->open_minute;
    close = it->close_minute;
  }
  return Session{d, new_york_to_utc(d, open / 60, open % 60), new_york_to_utc(d, close / 60, close % 60),
                 (f & kEarly) != 0};
}

Result<Date> ExchangeCalendar::next_trading_day(Date d) const {
  KEEL_TRY(i, index_of(d));
  for (std::size_t j = i + 1; j < flags_.size(); ++j) {
    if (flags_[j] & kTrading) return date_at(j);
  }
  return make_error(ErrorCode::kOutOfRange, "no trading day after " + d.to_string() + " within " + range_text());
}

Result<Date> ExchangeCalendar::previous_trading_day(Date d) const {
  KEEL_TRY(i, index_of(d));
  for (std::size_t j = i; j-- > 0;) {
    if (flags_[j] & kTrading) return date_at(j);
  }
  return make_error(ErrorCode::kOutOfRange, "no trading day before " + d.to_string() + " within " + range_text());
}

Result<Date> ExchangeCalendar::this_or_next_trading_day(Date d) const {
  KEEL_TRY(i, index_of(d));
  if (flags_[i] & kTrading) return d;
  return next_trading_day(d);
}

Result<Date> ExchangeCalendar::add_trading_days(Date d, int n) const {
  KEEL_TRY(i, index_of(d));
  if (n == 0) return d;
  // A trading day at index k has zero-based ordinal trading_before_[k]. Those after d start at
  // ordinal trading_before_[i + 1], those before d end at trading_before_[i] - 1.
  const std::int64_t target = n > 0 ? static_cast<std::int64_t>(trading_before_[i + 1]) + n - 1
                                    : static_cast<std::int64_t>(trading_before_[i]) + n;
  const std::int64_t total = trading_before_.back();
  if (target < 0 || target >= total) {
    return make_error(ErrorCode::kOutOfRange, "moving " + std::to_string(n) + " trading days from " + d.to_string() +
                                                  " leaves the calendar range " + range_text());
  }
  // The trading day with zero-based ordinal `target`: the first j whose prefix count exceeds it.
  const auto it =
      std::upper_bound(trading_before_.begin() + 1, trading_before_.end(), static_cast<std::int32_t>(target));
  const auto j = static_cast<std::size_t>(it - (trading_before_.begin() + 1));
  return date_at(j);
}

Result<int> ExchangeCalendar::trading_days_between(Date from, Date to) const {
  KEEL_TRY(i, index_of(from));
  KEEL_TRY(j, index_of(to));
  // Days in (from, to] = prefix(to + 1) - prefix(from + 1).
  return trading_before_[j + 1] - trading_before_[i + 1];
}

Result<std::vector<Date>> ExchangeCalendar::trading_days(Date from, Date to) const {
  KEEL_TRY(i, index_of(from));
  KEEL_TRY(j, index_of(to));
  if (i > j) {
    return make_error(ErrorCode::kInvalidArgument,
                      "trading_days: from " + from.to_string() + " is after to " + to.to_string());
  }
  std::vector<Date> out;
  out.reserve(static_cast<std::size_t>(trading_before_[j + 1] - trading_before_[i]));
  for (std::size_t k = i; k <= j; ++k) {
    if (flags_[k] & kTrading) out.push_back(date_at(k));
  }
  return out;
}

std::vector<Date> ExchangeCalendar::holidays(Date from, Date to) const {
  std::vector<Date> out;
  const std::int32_t lo = std::max(from.days(), first_day_);
  const std::int32_t hi = std::min(to.days(), first_day_ + static_cast<std::int32_t>(flags_.size()) - 1);
  for (std::int32_t day = lo; day <= hi; ++day) {
    if (is_holiday(Date::from_days(day))) out.push_back(Date::from_days(day));
  }
  return out;
}

std::vector<Date> ExchangeCalendar::early_closes(Date from, Date to) const {
  std::vector<Date> out;
  const std::int32_t lo = std::max(from.days(), first_day_);
  const std::int32_t hi = std::min(to.days(), first_day_ + static_cast<std::int32_t>(flags_.size()) - 1);
  for (std::int32_t day = lo; day <= hi; ++day) {
    if (is_early_close(Date::from_days(day))) out.push_back(Date::from_days(day));
  }
  return out;
}

Result<Date> ExchangeCalendar::monthly_expiration(int year, int month) const {
  if (month < 1 || month > 12) {
    return make_error(ErrorCode::kInvalidArgument, "monthly_expiration: month " + std::to_string(month) + " of " +
                                                       std::to_string(year) + " is not 1..12");
  }
  if (year < kFirstYear || year > kLastYear) {
    return make_error(ErrorCode::kOutOfRange, "monthly_expiration: " + std::to_string(year) + "-" +
                                                  (month < 10 ? "0" : "") + std::to_string(month) +
                                                  " is outside the exchange calendar range " + range_text());
  }
  const Date third_friday = nth_weekday(year, month, Weekday::kFriday, 3);
  if (is_trading_day(third_friday)) return third_friday;
  return previous_trading_day(third_friday);
}

bool ExchangeCalendar::is_monthly_expiration(Date d) const noexcept {
  if (!in_range(d)) return false;
  int y = 0, m = 0, day = 0;
  d.to_ymd(y, m, day);
  const auto r = monthly_expiration(y, m);
  return r.ok() && *r == d;
}

Result<std::vector<Date>> ExchangeCalendar::expirations(Date from, Date to, std::vector<ExpirationKind> kinds) const {
  KEEL_TRY(i, index_of(from));
  KEEL_TRY(j, index_of(to));
  if (i > j) {
    return make_error(ErrorCode::kInvalidArgument,
                      "expirations: from " + from.to_string() + " is after to " + to.to_string());
  }
  std::vector<Date> out;
  auto add = [&](Date d) {
    if (d >= from && d <= to) out.push_back(d);
  };
  // A nominal expiry that is a holiday moves at most a few days (e.g. 2001-09-14 -> 09-10), so
  // scanning nominal dates a week beyond [from, to] finds every adjusted date inside it.
  const Date scan_from = from - 7;
  const Date scan_to = to + 7;
  for (const ExpirationKind kind : kinds) {
    switch (kind) {
      case ExpirationKind::kMonthly: {
        int y0 = 0, m0 = 0, d0 = 0, y1 = 0, m1 = 0, d1 = 0;
        from.to_ymd(y0, m0, d0);
        to.to_ymd(y1, m1, d1);
        for (int ym = y0 * 12 + (m0 - 1); ym <= y1 * 12 + (m1 - 1); ++ym) {
          KEEL_TRY(e, monthly_expiration(ym / 12, ym % 12 + 1));
          add(e);
        }
        break;
      }
      case ExpirationKind::kWeekly:
      case ExpirationKind::kIndexWednesday: {
        const Weekday wd = kind == ExpirationKind::kWeekly ? Weekday::kFriday : Weekday::kWednesday;
        Date d = scan_from + (static_cast<int>(wd) - static_cast<int>(scan_from.weekday()) + 7) % 7;
        for (; d <= scan_to; d = d + 7) {
          // Nominal dates outside the range are skipped: the nearest ones never move into it
          // (Monday 1989-12-25 moves to 1989-12-26; Wednesday 2036-01-02 and Friday 2036-01-04
          // are ordinary trading days).
          if (!in_range(d)) continue;
          if (is_trading_day(d)) {
            add(d);
          } else {
            KEEL_TRY(p, previous_trading_day(d));
            add(p);
          }
        }
        break;
      }
      case ExpirationKind::kIndexMonday: {
        Date d = scan_from + (static_cast<int>(Weekday::kMonday) - static_cast<int>(scan_from.weekday()) + 7) % 7;
        for (; d <= scan_to; d = d + 7) {
          if (!in_range(d)) continue;
          if (is_trading_day(d)) {
            add(d);
          } else {
            KEEL_TRY(nx, next_trading_day(d));
            add(nx);
          }
        }
        break;
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace keel
