// keel/core/int128.hpp — 128-bit integers for exact intermediate products (price x quantity x
// multiplier, nanosecond range checks). GCC and clang provide them as an extension.
#pragma once

namespace keel {
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;
}  // namespace keel
