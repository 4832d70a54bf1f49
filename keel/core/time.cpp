#include "keel/core/time.hpp"
#include "keel/core/int128.hpp"

#include <charconv>
#include <cstdio>
#include <limits>

namespace keel {
namespace {

struct Civil {
  int y, m, d;
};

// Inverse of days_from_civil (Hinnant, "civil_from_days").
Civil civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m), static_cast<int>(d)};
}

bool parse_fixed_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

Error parse_error(std::string_view what, std::string_view text) {
  return make_error(ErrorCode::kParse, std::string("invalid ") + std::string(what) + " '" + std::string(text) + "'");
}

}  // namespace

bool is_leap_year(int year) noexcept { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) noexcept {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

Result<Date> Date::from_ymd(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "invalid date %04d-%02d-%02d", year, month, day);
    return make_error(ErrorCode::kOutOfRange, buf);
  }
  return Date(days_from_civil(year, month, day));
}

Result<Date> Date::parse(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-' && parse_fixed_int(text, 0, 4, y) &&
      parse_fixed_int(text, 5, 2, m) && parse_fixed_int(text, 8, 2, d)) {
  } else if (text.size() == 8 && parse_fixed_int(text, 0, 4, y) && parse_fixed_int(text, 4, 2, m) &&
             parse_fixed_int(text, 6, 2, d)) {
  } else {
    return parse_error("date", text);
  }
  auto r = from_ymd(y, m, d);
  if (!r) return make_error(ErrorCode::kParse, r.error().message);
  return r;
}

void Date::to_ymd(int& year, int& month, int& day) const noexcept {
  const Civil c = civil_from_days(days_);
  year = c.y;
  month = c.m;
  day = c.d;
}
int Date::year() const noexcept { return civil_from_days(days_).y; }
int Date::month() const noexcept { return civil_from_days(days_).m; }
int Date::day() const noexcept { return civil_from_days(days_).d; }

std::string Date::to_string() const {
  const Civil c = civil_from_days(days_);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.y, c.m, c.d);
  return buf;
}

Result<Timestamp> Timestamp::from_utc(int year, int month, int day, int hour, int minute, int second,
                                      std::int64_t nanos) {
  auto date = Date::from_ymd(year, month, day);
  if (!date) return date.error();
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || nanos < 0 ||
      nanos >= kNanosPerSecond) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "invalid time %02d:%02d:%02d.%09lld", hour, minute, second,
                  static_cast<long long>(nanos));
    return make_error(ErrorCode::kOutOfRange, buf);
  }
  // int64 ns spans about +-292 years around 1970.
  const i128 ns = static_cast<i128>(date->days()) * kNanosPerDay +
                      static_cast<i128>(hour * 3600 + minute * 60 + second) * kNanosPerSecond + nanos;
  if (ns > std::numeric_limits<std::int64_t>::max() || ns < std::numeric_limits<std::int64_t>::min()) {
    return make_error(ErrorCode::kOutOfRange, "timestamp " + date->to_string() + " outside 1677-09-21..2262-04-11");
  }
  return Timestamp(static_cast<std::int64_t>(ns));
}

Result<Timestamp> Timestamp::from_unix_seconds(std::int64_t seconds) {
  if (seconds > INT64_MAX / kNanosPerSecond || seconds < INT64_MIN / kNanosPerSecond) {
    return make_error(ErrorCode::kOutOfRange, "unix seconds " + std::to_string(seconds) + " out of range");
  }
  return Timestamp(seconds * kNanosPerSecond);
}

Result<Timestamp> Timestamp::from_unix_millis(std::int64_t millis) {
  if (millis > INT64_MAX / 1'000'000 || millis < INT64_MIN / 1'000'000) {
    return make_error(ErrorCode::kOutOfRange, "unix milliseconds " + std::to_string(millis) + " out of range");
  }
  return Timestamp(millis * 1'000'000);
}

Result<Timestamp> Timestamp::parse(std::string_view text) {
  int y = 0, mo = 0, d = 0;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !parse_fixed_int(text, 0, 4, y) ||
      !parse_fixed_int(text, 5, 2, mo) || !parse_fixed_int(text, 8, 2, d)) {
    return parse_error("timestamp", text);
  }
  int h = 0, mi = 0, s = 0;
  std::int64_t nanos = 0;
  int offset_minutes = 0;
  std::size_t pos = 10;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != ' ') return parse_error("timestamp", text);
    ++pos;
    if (!parse_fixed_int(text, pos, 2, h) || pos + 2 >= text.size() || text[pos + 2] != ':' ||
        !parse_fixed_int(text, pos + 3, 2, mi)) {
      return parse_error("timestamp", text);
    }
    pos += 5;
    if (pos < text.size() && text[pos] == ':') {
      if (!parse_fixed_int(text, pos + 1, 2, s)) return parse_error("timestamp", text);
      pos += 3;
      if (pos < text.size() && text[pos] == '.') {
        ++pos;
        int digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (digits == 9) return parse_error("timestamp (more than 9 fractional digits)", text);
          nanos = nanos * 10 + (text[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0) return parse_error("timestamp", text);
        for (int i = digits; i < 9; ++i) nanos *= 10;
      }
    }
    if (pos < text.size()) {
      if (text[pos] == 'Z' && pos + 1 == text.size()) {
        ++pos;
      } else if ((text[pos] == '+' || text[pos] == '-') && pos + 6 == text.size() && text[pos + 3] == ':') {
        int oh = 0, om = 0;
        if (!parse_fixed_int(text, pos + 1, 2, oh) || !parse_fixed_int(text, pos + 4, 2, om) || oh > 23 ||
            om > 59) {
          return parse_error("timestamp offset", text);
        }
        offset_minutes = (text[pos] == '+' ? 1 : -1) * (oh * 60 + om);
        pos = text.size();
      } else {
        return parse_error("timestamp", text);
      }
    }
  }
  auto ts = from_utc(y, mo, d, h, mi, s, nanos);
  if (!ts) return ts.error().code == ErrorCode::kOutOfRange && ts.error().message.rfind("invalid", 0) == 0
                      ? make_error(ErrorCode::kParse, ts.error().message + " in '" + std::string(text) + "'")
                      : ts.error();
  const i128 adjusted = static_cast<i128>(ts->ns()) - static_cast<i128>(offset_minutes) * 60 * kNanosPerSecond;
  if (adjusted > INT64_MAX || adjusted < INT64_MIN) {
    return make_error(ErrorCode::kOutOfRange, "timestamp '" + std::string(text) + "' out of range");
  }
  return Timestamp(static_cast<std::int64_t>(adjusted));
}

Result<Duration> parse_duration(std::string_view text) {
  auto fail = [&] {
    return make_error(ErrorCode::kParse, "invalid duration '" + std::string(text) + "' (expected e.g. 30s, 1m, 5m, 1h, 1d)");
  };
  if (text.size() < 2) return fail();
  std::int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
  if (ec != std::errc() || ptr != text.data() + text.size() - 1 || n <= 0 || n > 100'000) return fail();
  switch (text.back()) {
    case 's': return Duration(n * kNanosPerSecond);
    case 'm': return Duration(n * 60 * kNanosPerSecond);
    case 'h': return Duration(n * 3600 * kNanosPerSecond);
    case 'd': return Duration(n * kNanosPerDay);
    default: return fail();
  }
}

std::string format_duration(Duration d) {
  const std::int64_t ns = d.count();
  if (ns > 0 && ns % kNanosPerDay == 0) return std::to_string(ns / kNanosPerDay) + "d";
  if (ns > 0 && ns % (3600 * kNanosPerSecond) == 0) return std::to_string(ns / (3600 * kNanosPerSecond)) + "h";
  if (ns > 0 && ns % (60 * kNanosPerSecond) == 0) return std::to_string(ns / (60 * kNanosPerSecond)) + "m";
  if (ns > 0 && ns % kNanosPerSecond == 0) return std::to_string(ns / kNanosPerSecond) + "s";
  return std::to_string(ns) + "ns";
}

std::string Timestamp::to_string() const {
  const Date date = utc_date();
  const std::int64_t tod = ns_of_day();
  const std::int64_t secs = tod / kNanosPerSecond;
  const std::int64_t frac = tod % kNanosPerSecond;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lld", date.to_string().c_str(),
                        static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                        static_cast<long long>(secs % 60));
  if (frac != 0) {
    if (frac % 1'000'000 == 0) {
      n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%03lld", static_cast<long long>(frac / 1'000'000));
    } else if (frac % 1'000 == 0) {
      n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%06lld", static_cast<long long>(frac / 1'000));
    } else {
      n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%09lld", static_cast<long long>(frac));
    }
  }
  std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), "Z");
  return buf;
}

}  // namespace keel
