// tests/cli_support.hpp — runs the `keel` CLI in-process for scenario tests, capturing stdout
// and stderr.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "keel/apps/cli.hpp"

namespace keel::testing_cli {

inline int keel_cli(std::vector<std::string> args, std::string* out = nullptr, std::string* err = nullptr) {
  args.insert(args.begin(), "keel");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  const int rc = apps::run_cli(static_cast<int>(args.size()), argv.data());
  const std::string o = testing::internal::GetCapturedStdout();
  const std::string e = testing::internal::GetCapturedStderr();
  if (out) *out = o;
  if (err) *err = e;
  return rc;
}

}  // namespace keel::testing_cli
