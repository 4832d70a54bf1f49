// Tests for keel/core/string_equal.hpp: equal_strings agrees with std::string_view's == on
// random strings of every length from 0 to 40, equal ones and ones that differ in one byte at
// every position (the first and last bytes of the two 8-byte words included).
#include "keel/core/string_equal.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

namespace keel {
namespace {

TEST(EqualStrings, AgreesWithEqualityAtEveryLengthAndPosition) {
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'x');
    for (std::size_t i = 0; i < n; ++i) a[i] = static_cast<char>('A' + (i * 7) % 26);
    const std::string same = a;
    EXPECT_TRUE(equal_strings(a, same)) << n;
    EXPECT_FALSE(equal_strings(a, a + "y")) << n;
    for (std::size_t i = 0; i < n; ++i) {
      std::string b = a;
      b[i] = static_cast<char>(b[i] ^ 0x01);
      EXPECT_FALSE(equal_strings(a, b)) << "length " << n << ", byte " << i;
    }
  }
  EXPECT_TRUE(equal_strings("BT-000017", "BT-000017"));
  EXPECT_FALSE(equal_strings("BT-000017", "BT-000018"));
  EXPECT_FALSE(equal_strings("BT-000017", "CT-000017"));
}

RC_GTEST_PROP(EqualStringsProp, AgreesWithEquality, ()) {
  const auto n = *rc::gen::inRange<std::size_t>(0, 41);
  const auto a = *rc::gen::container<std::string>(n, rc::gen::inRange<char>('a', 'd'));
  const auto b = *rc::gen::container<std::string>(n, rc::gen::inRange<char>('a', 'd'));
  RC_ASSERT(equal_strings(a, b) == (a == b));
  RC_ASSERT(equal_strings(a, a));
}

}  // namespace
}  // namespace keel
