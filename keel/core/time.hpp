// keel/core/time.hpp — Timestamp (int64 nanoseconds since the Unix epoch, UTC), Duration, Date.
//
// Contract:
// - Timestamp is an instant, never a local time; it covers 1677-09-21 .. 2262-04-11 (int64 ns).
//   Conversions to America/New_York live in keel/core/calendar.hpp.
// - Date is a proleptic Gregorian civil date stored as days since 1970-01-01; valid years are
//   1..9999 for parsing and formatting.
// - Parsing is strict: "2024-01-19", "2024-01-19T14:30:00Z", "2024-01-19 14:30:00.123456789",
//   with an optional "Z" or "+HH:MM"/"-HH:MM" offset; anything else is a kParse error, and an
//   instant outside the int64-ns range is kOutOfRange.
// - Civil-date arithmetic uses Howard Hinnant's days_from_civil / civil_from_days algorithms
//   ("chrono-Compatible Low-Level Date Algorithms", howardhinnant.github.io/date_algorithms.html).
// Thread safety: plain value types and pure functions.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "keel/core/result.hpp"

namespace keel {

using Duration = std::chrono::nanoseconds;
using namespace std::chrono_literals;  // 5min, 1h, 24h ... for Durations

inline constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr std::int64_t kNanosPerDay = 86'400 * kNanosPerSecond;

enum class Weekday : std::uint8_t { kSunday = 0, kMonday, kTuesday, kWednesday, kThursday, kFriday, kSaturday };

class Date {
 public:
  constexpr Date() = default;
  static constexpr Date from_days(std::int32_t days_since_epoch) { return Date(days_since_epoch); }
  // Checked: month 1..12, day valid for the month, year 1..9999.
  static Result<Date> from_ymd(int year, int month, int day);
  // Unchecked constexpr form for literals known to be valid (asserts in debug).
  static constexpr Date ymd(int year, int month, int day) { return Date(days_from_civil(year, month, day)); }
  // "YYYY-MM-DD" or "YYYYMMDD".
  static Result<Date> parse(std::string_view text);

  constexpr std::int32_t days() const noexcept { return days_; }
  int year() const noexcept;
  int month() const noexcept;
  int day() const noexcept;
  void to_ymd(int& year, int& month, int& day) const noexcept;
  constexpr Weekday weekday() const noexcept {
    // 1970-01-01 was a Thursday.
    const int w = static_cast<int>((static_cast<std::int64_t>(days_) % 7 + 11) % 7);
    return static_cast<Weekday>(w);
  }
  constexpr bool is_weekend() const noexcept {
    const Weekday w = weekday();
    return w == Weekday::kSaturday || w == Weekday::kSunday;
  }
  constexpr Date operator+(int days) const noexcept { return Date(days_ + days); }
  constexpr Date operator-(int days) const noexcept { return Date(days_ - days); }
  constexpr int operator-(Date other) const noexcept { return days_ - other.days_; }
  friend constexpr auto operator<=>(Date, Date) = default;
  friend constexpr bool operator==(Date, Date) = default;

  std::string to_string() const;  // "YYYY-MM-DD"

  static constexpr std::int32_t days_from_civil(int y, int m, int d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153u * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2u) / 5u + static_cast<unsigned>(d) - 1u;
    const unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
    return era * 146097 + static_cast<int>(doe) - 719468;
  }

 private:
  constexpr explicit Date(std::int32_t days) : days_(days) {}
  std::int32_t days_ = 0;
};

bool is_leap_year(int year) noexcept;
int days_in_month(int year, int month) noexcept;

class Timestamp {
 public:
  constexpr Timestamp() = default;
  static constexpr Timestamp from_ns(std::int64_t ns) noexcept { return Timestamp(ns); }
  static constexpr Timestamp min() noexcept { return Timestamp(INT64_MIN); }
  static constexpr Timestamp max() noexcept { return Timestamp(INT64_MAX); }
  // Midnight UTC of a date.
  static constexpr Timestamp from_date(Date d) noexcept { return Timestamp(static_cast<std::int64_t>(d.days()) * kNanosPerDay); }
  // Checked construction from UTC civil fields; kOutOfRange outside the int64-ns range.
  static Result<Timestamp> from_utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0,
                                    std::int64_t nanos = 0);
  static Result<Timestamp> from_unix_seconds(std::int64_t seconds);
  static Result<Timestamp> from_unix_millis(std::int64_t millis);
  static Result<Timestamp> parse(std::string_view text);

  constexpr std::int64_t ns() const noexcept { return ns_; }
  // UTC calendar date of the instant (floor division, correct before 1970 too).
  constexpr Date utc_date() const noexcept {
    std::int64_t d = ns_ / kNanosPerDay;
    if (ns_ % kNanosPerDay < 0) --d;
    return Date::from_days(static_cast<std::int32_t>(d));
  }
  // Nanoseconds since UTC midnight, in [0, 86400e9).
  constexpr std::int64_t ns_of_day() const noexcept {
    const std::int64_t r = ns_ % kNanosPerDay;
    return r < 0 ? r + kNanosPerDay : r;
  }

  constexpr Timestamp operator+(Duration d) const noexcept { return Timestamp(ns_ + d.count()); }
  constexpr Timestamp operator-(Duration d) const noexcept { return Timestamp(ns_ - d.count()); }
  constexpr Duration operator-(Timestamp o) const noexcept { return Duration(ns_ - o.ns_); }
  Timestamp& operator+=(Duration d) noexcept { ns_ += d.count(); return *this; }
  friend constexpr auto operator<=>(Timestamp, Timestamp) = default;
  friend constexpr bool operator==(Timestamp, Timestamp) = default;

  // ISO 8601 UTC: "2024-01-19T14:30:00Z", with 3, 6 or 9 fractional digits when needed.
  std::string to_string() const;

 private:
  constexpr explicit Timestamp(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

// A positive duration written as <count><unit>, unit s, m, h or d: "30s", "1m", "5m", "1h", "1d".
Result<Duration> parse_duration(std::string_view text);
// The inverse for whole units: 86400e9 ns -> "1d", 300e9 -> "5m"; other values as "<n>ns".
std::string format_duration(Duration d);

// Years as a double between two instants on an ACT/365 basis (used for option time to expiry).
inline double year_fraction_act365(Timestamp from, Timestamp to) noexcept {
  return static_cast<double>((to - from).count()) / (365.0 * static_cast<double>(kNanosPerDay));
}

}  // namespace keel
