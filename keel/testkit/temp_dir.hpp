// keel/testkit/temp_dir.hpp — a unique scratch directory under /tmp for one test, removed with
// everything in it when the TempDir is destroyed.
//
// Contract: the directory exists from construction (mkdtemp, so two tests never share one) to
// destruction; path() has no trailing slash. Failure to create it aborts (a broken test
// environment, not an expected failure). Thread safety: none needed; one owner.
#pragma once

#include <string>

namespace keel::testkit {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "keel-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const noexcept { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace keel::testkit
