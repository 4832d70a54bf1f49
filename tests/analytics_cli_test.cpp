// `keel price` and `keel iv` end to end, against Hull's textbook example (Options, Futures and
// Other Derivatives, Example 15.6: S = 42, K = 40, r = 10%, sigma = 20%, T = 0.5 -> call 4.76,
// put 0.81) and an implied-vol round trip.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "keel/apps/cli.hpp"
#include "keel/testkit/temp_dir.hpp"

namespace keel {
namespace {

int keel_cli(std::vector<std::string> args, std::string* out = nullptr, std::string* err = nullptr) {
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

double field(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string key;
  double v = 0;
  while (in >> key >> v) {
    if (key == name) return v;
  }
  ADD_FAILURE() << name << " not in " << text;
  return 0;
}

TEST(AnalyticsCli, PriceMatchesHull) {
  std::string out;
  ASSERT_EQ(keel_cli({"price", "--spot", "42", "--strike", "40", "--time", "0.5", "--vol", "0.2", "--rate", "0.1"}, &out), 0);
  EXPECT_NEAR(field(out, "price"), 4.76, 0.005);
  ASSERT_EQ(keel_cli({"price", "--right", "put", "--spot", "42", "--strike", "40", "--time", "0.5", "--vol", "0.2", "--rate", "0.1"}, &out), 0);
  EXPECT_NEAR(field(out, "price"), 0.81, 0.005);
}

TEST(AnalyticsCli, ImpliedVolRoundTrip) {
  std::string out;
  // 4.759422392871535 is the closed-form BSM call value of Hull's example at sigma = 0.2.
  ASSERT_EQ(keel_cli({"iv", "--spot", "42", "--strike", "40", "--time", "0.5", "--rate", "0.1", "--price", "4.759422392871535"}, &out), 0);
  EXPECT_NEAR(field(out, "implied_vol"), 0.2, 1e-9);
}

TEST(AnalyticsCli, BadInputExitsOne) {
  std::string out, err;
  EXPECT_EQ(keel_cli({"price", "--spot", "-1", "--strike", "40", "--time", "0.5", "--vol", "0.2"}, &out, &err), 1);
  EXPECT_NE(err.find("spot"), std::string::npos) << err;
  EXPECT_EQ(keel_cli({"iv", "--spot", "42", "--strike", "40", "--time", "0.5", "--rate", "0.1", "--price", "1"}, &out, &err), 1);
  EXPECT_NE(err.find("intrinsic"), std::string::npos) << err;
  EXPECT_EQ(keel_cli({"price", "--model", "heston", "--spot", "1"}, &out, &err), 1);
  EXPECT_EQ(keel_cli({"price", "--spot", "abc"}, &out, &err), 2);  // not a number: usage error
}

TEST(AnalyticsCli, CsvBatchKeepsGoodRowsAndNamesBadOnes) {
  testkit::TempDir dir("keel-price");
  const std::string in = dir.file("in.csv"), res = dir.file("out.csv");
  {
    std::ofstream f(in);
    f << "right,spot,strike,time,vol,rate\ncall,42,40,0.5,0.2,0.1\nput,42,abc,0.5,0.2,0.1\nput,42,40,0.5,0.2,0.1\n";
  }
  std::string out, err;
  EXPECT_EQ(keel_cli({"price", "--in", in, "--out", res}, &out, &err), 1);
  EXPECT_NE(err.find("in.csv:3: strike 'abc'"), std::string::npos) << err;
  std::ifstream f(res);
  std::vector<std::string> lines;
  for (std::string line; std::getline(f, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[1].rfind("call,42,40,0.5,0.2,0.1,4.7594", 0), 0u) << lines[1];
  EXPECT_NE(lines[2].find("strike 'abc' is not a finite number"), std::string::npos);
  EXPECT_EQ(lines[3].rfind("put,42,40,0.5,0.2,0.1,0.8085", 0), 0u) << lines[3];
}

}  // namespace
}  // namespace keel
