// keel/core/assert.hpp — KEEL_ASSERT for broken invariants (programming errors).
//
// Error policy (docs/ARCHITECTURE.md): a broken invariant aborts with file and line; an
// expected failure (bad input, I/O, rejection) is a Result<T> value instead. KEEL_ASSERT is
// active in every build type: a trading engine that carries on with a broken invariant is
// worse than one that stops.
#pragma once

namespace keel::detail {
[[noreturn]] void assert_fail(const char* expr, const char* msg, const char* file, int line) noexcept;
}  // namespace keel::detail

#define KEEL_ASSERT(cond, msg)                                              \
  do {                                                                      \
    if (!(cond)) [[unlikely]] {                                             \
      ::keel::detail::assert_fail(#cond, (msg), __FILE__, __LINE__);       \
    }                                                                       \
  } while (false)
