#include "keel/testkit/temp_dir.hpp"

#include <stdlib.h>

#include <filesystem>
#include <system_error>
#include <vector>

#include "keel/core/assert.hpp"

namespace keel::testkit {

TempDir::TempDir(const std::string& prefix) {
  std::string pattern = "/tmp/" + prefix + "-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  KEEL_ASSERT(::mkdtemp(buf.data()) != nullptr, "TempDir: mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace keel::testkit
