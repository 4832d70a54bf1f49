#include "keel/core/fixed_point.hpp"
#include "keel/core/int128.hpp"

#include <cmath>
#include <cstdio>

namespace keel::detail {

std::int64_t pow10_i64(int n) noexcept {
  static constexpr std::int64_t kPow[] = {1,         10,         100,         1000,         10000,        100000,
                                          1000000,   10000000,   100000000,   1000000000,   10000000000,  100000000000,
                                          1000000000000, 10000000000000, 100000000000000, 1000000000000000,
                                          10000000000000000, 100000000000000000, 1000000000000000000};
  KEEL_ASSERT(n >= 0 && n <= 18, "pow10 out of range");
  return kPow[n];
}

Result<std::int64_t> parse_fixed_raw(std::string_view text, std::uint8_t& precision, const char* type_name) {
  auto fail = [&](const char* why) {
    return make_error(ErrorCode::kParse, std::string("invalid ") + type_name + " '" + std::string(text) + "': " + why);
  };
  if (text.empty()) return fail("empty");
  std::size_t i = 0;
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    ++i;
  }
  if (i == text.size()) return fail("no digits");
  // Accumulate as a non-negative unsigned 128-bit magnitude in 1e-8 units.
  u128 mag = 0;
  int int_digits = 0, frac_digits = 0;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      if (seen_point) return fail("two decimal points");
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') return fail("not a decimal number");
    if (seen_point) {
      if (frac_digits == kFixedMaxPrecision) return fail("more than 8 decimal places");
      ++frac_digits;
    } else {
      ++int_digits;
    }
    mag = mag * 10 + static_cast<unsigned>(c - '0');
    if (mag > (static_cast<u128>(1) << 64)) return fail("out of range");
  }
  if (int_digits == 0 && frac_digits == 0) return fail("no digits");
  if (seen_point && frac_digits == 0) return fail("no digits after the decimal point");
  mag *= static_cast<u128>(pow10_i64(kFixedMaxPrecision - frac_digits));
  const u128 limit = negative ? static_cast<u128>(INT64_MAX) + 1 : INT64_MAX;
  if (mag > limit) return make_error(ErrorCode::kOverflow, std::string(type_name) + " '" + std::string(text) + "' out of range");
  precision = static_cast<std::uint8_t>(frac_digits);
  if (negative) return static_cast<std::int64_t>(-static_cast<i128>(mag));
  return static_cast<std::int64_t>(mag);
}

Result<std::int64_t> fixed_raw_from_double(double value, int precision, const char* type_name) {
  if (precision < 0 || precision > kFixedMaxPrecision) {
    return make_error(ErrorCode::kOutOfRange, std::string(type_name) + " precision " + std::to_string(precision) + " not in 0..8");
  }
  if (!std::isfinite(value)) {
    return make_error(ErrorCode::kInvalidArgument, std::string(type_name) + " from a non-finite double");
  }
  const double units = std::round(value * static_cast<double>(pow10_i64(precision)));  // half away from zero
  const double limit = 9.2233720368547e18 / static_cast<double>(pow10_i64(kFixedMaxPrecision - precision));
  if (!(std::fabs(units) < limit)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    return make_error(ErrorCode::kOverflow, std::string(type_name) + " " + buf + " out of range");
  }
  return static_cast<std::int64_t>(units) * pow10_i64(kFixedMaxPrecision - precision);
}

std::string format_fixed(std::int64_t raw, int precision) {
  const bool negative = raw < 0;
  const unsigned long long mag = negative ? 0ULL - static_cast<unsigned long long>(raw) : static_cast<unsigned long long>(raw);
  const unsigned long long scale = static_cast<unsigned long long>(kFixedScale);
  std::string out = negative ? "-" : "";
  out += std::to_string(mag / scale);
  unsigned long long fp = mag % scale;
  if (precision > 0 || fp != 0) {
    // Digits beyond `precision` are shown too if they are non-zero: formatting never hides value.
    int shown = precision;
    while (shown < kFixedMaxPrecision && fp % static_cast<unsigned long long>(pow10_i64(kFixedMaxPrecision - shown)) != 0) ++shown;
    fp /= static_cast<unsigned long long>(pow10_i64(kFixedMaxPrecision - shown));
    const std::string digits = std::to_string(fp);
    out += '.';
    out.append(static_cast<std::size_t>(shown) - digits.size(), '0');
    out += digits;
  }
  return out;
}

}  // namespace keel::detail

namespace keel {
Result<Money> notional(Price price, Quantity quantity, std::int64_t multiplier) {
  const i128 prod = static_cast<i128>(price.raw()) * quantity.raw() * multiplier;
  const i128 raw = div_round(prod, kFixedScale);
  if (raw > INT64_MAX || raw < INT64_MIN) {
    return make_error(ErrorCode::kOverflow, "notional of " + price.to_string() + " x " + quantity.to_string() + " x " +
                                                std::to_string(multiplier) + " out of range");
  }
  int precision = price.precision() + quantity.precision();
  if (precision < 2) precision = 2;
  if (precision > kFixedMaxPrecision) precision = kFixedMaxPrecision;
  return Money::from_raw(static_cast<std::int64_t>(raw), precision);
}

Result<Money> scale(Money amount, std::int64_t num, std::int64_t den) {
  if (den == 0) return make_error(ErrorCode::kInvalidArgument, "scale by a zero denominator");
  i128 n = static_cast<i128>(amount.raw()) * num;
  i128 d = den;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  const i128 raw = div_round(n, d);
  if (raw > INT64_MAX || raw < INT64_MIN) return make_error(ErrorCode::kOverflow, "scaled money out of range");
  return Money::from_raw(static_cast<std::int64_t>(raw), amount.precision());
}

}  // namespace keel
