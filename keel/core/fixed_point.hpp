// keel/core/fixed_point.hpp — fixed-point Price, Quantity and Money.
//
// Contract:
// - A value is an int64 `raw` count of 1e-8 units (kScale = 10^8) plus a display precision
//   0..8 (digits after the point). Range: +-92,233,720,368.54775807, enough for any account
//   keel targets; every operation that could leave that range is checked.
// - Parsing is exact decimal: "123.4567" is raw 12345670000 with precision 4. More than 8
//   fractional digits, exponents, signs in odd places, empty text or overflow are errors, never
//   silently rounded. Formatting prints exactly `precision` digits and round-trips via parse.
// - Equality and ordering compare raw values only (1.50 == 1.5); precision is for display.
// - Mixed arithmetic keeps the larger precision. `+`/`-` assert on overflow (a programming
//   error with values already validated); checked_* return std::nullopt instead.
// - from_double rounds half away from zero at the requested precision and rejects NaN/inf.
// - No double appears in orders, fills, positions or the ledger; analytics reach a double only
//   through to_double().
// Thread safety: plain value types.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "keel/core/assert.hpp"
#include "keel/core/result.hpp"

namespace keel {

inline constexpr int kFixedMaxPrecision = 8;
inline constexpr std::int64_t kFixedScale = 100'000'000;

namespace detail {
// Shared, non-template implementation pieces.
Result<std::int64_t> parse_fixed_raw(std::string_view text, std::uint8_t& precision, const char* type_name);
Result<std::int64_t> fixed_raw_from_double(double value, int precision, const char* type_name);
std::string format_fixed(std::int64_t raw, int precision);
std::int64_t pow10_i64(int n) noexcept;
}  // namespace detail

template <class Tag>
class Fixed {
 public:
  static constexpr std::int64_t kScale = kFixedScale;
  static constexpr int kMaxPrecision = kFixedMaxPrecision;

  constexpr Fixed() = default;

  static constexpr Fixed from_raw(std::int64_t raw, int precision = kMaxPrecision) noexcept {
    return Fixed(raw, static_cast<std::uint8_t>(precision < 0 ? 0 : precision > kMaxPrecision ? kMaxPrecision : precision));
  }
  static Result<Fixed> from_int(std::int64_t units, int precision = 0) {
    if (units > INT64_MAX / kScale || units < INT64_MIN / kScale) {
      return make_error(ErrorCode::kOverflow, std::string(Tag::kName) + " " + std::to_string(units) + " out of range");
    }
    return from_raw(units * kScale, precision);
  }
  static Result<Fixed> parse(std::string_view text) {
    std::uint8_t precision = 0;
    auto raw = detail::parse_fixed_raw(text, precision, Tag::kName);
    if (!raw) return raw.error();
    return Fixed(*raw, precision);
  }
  static Result<Fixed> from_double(double value, int precision) {
    auto raw = detail::fixed_raw_from_double(value, precision, Tag::kName);
    if (!raw) return raw.error();
    return Fixed(*raw, static_cast<std::uint8_t>(precision));
  }
  static constexpr Fixed zero(int precision = 0) noexcept { return from_raw(0, precision); }

  constexpr std::int64_t raw() const noexcept { return raw_; }
  constexpr int precision() const noexcept { return precision_; }
  double to_double() const noexcept { return static_cast<double>(raw_) / static_cast<double>(kScale); }
  std::string to_string() const { return detail::format_fixed(raw_, precision_); }

  constexpr bool is_zero() const noexcept { return raw_ == 0; }
  constexpr bool is_positive() const noexcept { return raw_ > 0; }
  constexpr bool is_negative() const noexcept { return raw_ < 0; }

  std::optional<Fixed> checked_add(Fixed o) const noexcept {
    std::int64_t r;
    if (__builtin_add_overflow(raw_, o.raw_, &r)) return std::nullopt;
    return Fixed(r, max_prec(o));
  }
  std::optional<Fixed> checked_sub(Fixed o) const noexcept {
    std::int64_t r;
    if (__builtin_sub_overflow(raw_, o.raw_, &r)) return std::nullopt;
    return Fixed(r, max_prec(o));
  }
  // Multiply by an integer count (e.g. contracts x multiplier).
  std::optional<Fixed> checked_mul(std::int64_t k) const noexcept {
    std::int64_t r;
    if (__builtin_mul_overflow(raw_, k, &r)) return std::nullopt;
    return Fixed(r, precision_);
  }
  // Whether this value is representable at `precision` digits exactly (e.g. on a cent grid).
  bool is_multiple_of_precision(int precision) const noexcept {
    return precision >= kMaxPrecision || raw_ % detail::pow10_i64(kMaxPrecision - precision) == 0;
  }
  // Rounds half away from zero to `precision` digits.
  Fixed rounded(int precision) const noexcept {
    KEEL_ASSERT(precision >= 0 && precision <= kMaxPrecision, "precision out of range");
    const std::int64_t unit = detail::pow10_i64(kMaxPrecision - precision);
    std::int64_t q = raw_ / unit;
    const std::int64_t rem = raw_ % unit;
    if (2 * (rem < 0 ? -rem : rem) >= unit) q += raw_ < 0 ? -1 : 1;
    return Fixed(q * unit, static_cast<std::uint8_t>(precision));
  }

  Fixed operator+(Fixed o) const noexcept {
    auto r = checked_add(o);
    KEEL_ASSERT(r.has_value(), "fixed-point overflow in +");
    return *r;
  }
  Fixed operator-(Fixed o) const noexcept {
    auto r = checked_sub(o);
    KEEL_ASSERT(r.has_value(), "fixed-point overflow in -");
    return *r;
  }
  Fixed operator-() const noexcept {
    KEEL_ASSERT(raw_ != INT64_MIN, "fixed-point overflow in unary -");
    return Fixed(-raw_, precision_);
  }
  Fixed& operator+=(Fixed o) noexcept { return *this = *this + o; }
  Fixed& operator-=(Fixed o) noexcept { return *this = *this - o; }

  friend constexpr bool operator==(Fixed a, Fixed b) noexcept { return a.raw_ == b.raw_; }
  friend constexpr std::strong_ordering operator<=>(Fixed a, Fixed b) noexcept { return a.raw_ <=> b.raw_; }

 private:
  constexpr Fixed(std::int64_t raw, std::uint8_t precision) : raw_(raw), precision_(precision) {}
  constexpr std::uint8_t max_prec(Fixed o) const noexcept { return precision_ > o.precision_ ? precision_ : o.precision_; }

  std::int64_t raw_ = 0;
  std::uint8_t precision_ = 0;
};

struct PriceTag { static constexpr const char* kName = "price"; };
struct QuantityTag { static constexpr const char* kName = "quantity"; };
struct MoneyTag { static constexpr const char* kName = "money"; };

using Price = Fixed<PriceTag>;        // per-unit price; may be negative (combo net prices)
using Quantity = Fixed<QuantityTag>;  // signed: negative means short where a position uses it
using Money = Fixed<MoneyTag>;        // cash amounts, P&L, fees

// price x quantity x multiplier as Money, exact before the final rounding to 8 digits (half
// away from zero); kOverflow when the result leaves the Money range. Precision of the result:
// 2 (cents) unless the inputs need more.
Result<Money> notional(Price price, Quantity quantity, std::int64_t multiplier = 1);

// Money scaled by a rational num/den (splits, pro-rata fees), rounded half away from zero.
Result<Money> scale(Money amount, std::int64_t num, std::int64_t den);

}  // namespace keel
