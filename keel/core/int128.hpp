// keel/core/int128.hpp — 128-bit integers for exact intermediate products (price x quantity x
// multiplier, nanosecond range checks). GCC and clang provide them as an extension. Also the
// one rounding division every fixed-point computation uses, and the int64 range check.
#pragma once

#include <cstdint>

namespace keel {
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

// n / d rounded half away from zero (the rounding of fixed_point.hpp); d > 0 (callers pass
// positive scales and ratios).
constexpr i128 div_round(i128 n, i128 d) noexcept {
  i128 q = n / d;
  const i128 r = n % d;
  if (2 * (r < 0 ? -r : r) >= d) q += n < 0 ? -1 : 1;
  return q;
}

// Whether v fits in an int64 (a fixed-point raw value).
constexpr bool fits_i64(i128 v) noexcept { return v >= INT64_MIN && v <= INT64_MAX; }
}  // namespace keel
