#include "keel/core/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace keel::detail {
void assert_fail(const char* expr, const char* msg, const char* file, int line) noexcept {
  std::fprintf(stderr, "keel: internal error: %s:%d: assertion `%s` failed: %s\n", file, line, expr,
               msg ? msg : "");
  std::fflush(stderr);
  std::abort();
}
}  // namespace keel::detail
