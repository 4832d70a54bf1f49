// keel/testkit/gzip_file.hpp — writing test files, plain or gzip-compressed with zlib.
//
// Contract: gzip_bytes() returns one complete gzip member (RFC 1952: header, deflate data, CRC-32
// and length trailer) made by zlib's deflate with a gzip wrapper, so readers are tested against
// the reference implementation's output. write_file() writes bytes exactly and aborts on failure
// (a broken test environment, not an expected failure).
// Thread safety: pure functions (write_file touches only its path).
#pragma once

#include <string>
#include <string_view>

namespace keel::testkit {

std::string gzip_bytes(std::string_view data, int level = 6);
void write_file(const std::string& path, std::string_view bytes);
std::string read_file(const std::string& path);

}  // namespace keel::testkit
