// keel/core/string_equal.hpp — equality of two strings without a library call for short ones.
//
// Contract: equal_strings(a, b) == (a == b) for every pair of byte strings. Strings of 8 to 16
// bytes (a client order id such as "BT-000017") are compared as two overlapping 8-byte words,
// shorter ones byte by byte; longer ones go to std::string_view's comparison. Why: GCC compiles
// std::string equality into a size test and a call to memcmp, and the kernel compares order ids
// a few times per order (docs/PERFORMANCE.md, session 8: ~1% of the event-loop benchmark).
// Validated by string_equal_test.cpp against == over random strings of every length to 40.
// Thread safety: a pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace keel {

inline bool equal_strings(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  if (n <= 16) {  // the first and the last 8 bytes cover all of them
    std::uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a.data(), 8);
    std::memcpy(&b0, b.data(), 8);
    std::memcpy(&a1, a.data() + n - 8, 8);
    std::memcpy(&b1, b.data() + n - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  return a == b;
}

}  // namespace keel
