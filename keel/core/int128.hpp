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
constexpr i128 div_round_generic(i128 n, i128 d) noexcept {
  i128 q = n / d;
  const i128 r = n % d;
  if (2 * (r < 0 ? -r : r) >= d) q += n < 0 ? -1 : 1;
  return q;
}

// Fast path (x86-64 with GCC or clang, at run time): when d fits in 64 bits and |n| / d in 64
// bits — every fixed-point product whose result fits the int64 raw value does — one hardware
// 128-by-64-bit division (divq) replaces the C runtime's two 128-bit divisions (__divti3 and
// __modti3: about 400 instructions per order on the event-loop benchmark). Same results: the
// quotient and remainder are exact either way (int128_test.cpp compares the two paths).
constexpr i128 div_round(i128 n, i128 d) noexcept {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (!__builtin_is_constant_evaluated() && d > 0 && static_cast<u128>(d) <= UINT64_MAX) {
    const u128 an = n < 0 ? u128{0} - static_cast<u128>(n) : static_cast<u128>(n);
    const auto hi = static_cast<std::uint64_t>(an >> 64);
    const auto lo = static_cast<std::uint64_t>(an);
    const auto dd = static_cast<std::uint64_t>(d);
    if (hi < dd) {  // the quotient fits in 64 bits: divq cannot fault
      std::uint64_t q = 0, r = 0;
      __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(dd) : "cc");
      const u128 rounded = static_cast<u128>(q) + (r >= dd - r ? 1u : 0u);  // 2r >= d, no overflow
      return n < 0 ? -static_cast<i128>(rounded) : static_cast<i128>(rounded);
    }
  }
#endif
  return div_round_generic(n, d);
}

// Whether v fits in an int64 (a fixed-point raw value).
constexpr bool fits_i64(i128 v) noexcept { return v >= INT64_MIN && v <= INT64_MAX; }
}  // namespace keel
