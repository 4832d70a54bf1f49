// `keel price` and `keel iv` end to end, against Hull's textbook example (Options, Futures and
// Other Derivatives, Example 15.6: S = 42, K = 40, r = 10%, sigma = 20%, T = 0.5 -> call 4.76,
// put 0.81) and an implied-vol round trip.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "keel/analytics/black76.hpp"
#include "tests/cli_support.hpp"
#include <nlohmann/json.hpp>
#include <algorithm>
#include "keel/testkit/temp_dir.hpp"

namespace keel {
namespace {

using testing_cli::keel_cli;

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

namespace keel {
namespace {

TEST(AnalyticsCli, VolOnDaxMatchesPublishedGarchFit) {
  // tseries::garch on diff(log(EuStockMarkets))[,"DAX"] (as printed in broom's tidy.garch
  // reference): a0 = 4.639289e-06, a1 = 0.06832875, b1 = 0.8890666, SEs 7.56e-07 / 0.0113 / 0.0165.
  const std::string path = std::string(KEEL_SOURCE_DIR) + "/tests/data/eustockmarkets.csv";
  std::string out, err;
  ASSERT_EQ(keel_cli({"vol", "--in", path, "--close", "DAX", "--json"}, &out, &err), 0) << err;
  const auto j = nlohmann::json::parse(out);
  const auto& est = j["garch"]["estimates"];
  EXPECT_NEAR(est[0]["value"].get<double>(), 4.639289e-06, 7.56e-07);
  EXPECT_NEAR(est[1]["value"].get<double>(), 0.06832875, 0.0113);
  EXPECT_NEAR(est[2]["value"].get<double>(), 0.8890666, 0.0165);
  EXPECT_EQ(j["observations"].get<int>(), 1860);
  EXPECT_EQ(keel_cli({"vol", "--in", path, "--close", "NOPE"}, &out, &err), 1);
  EXPECT_NE(err.find("no column 'NOPE'"), std::string::npos);
}

TEST(AnalyticsCli, SurfaceFitFromCsvChain) {
  // A chain priced by Black-76 at a flat 20% vol, F = 100, D = 1: every fitted slice must give
  // an ATM vol of 20% and no arbitrage.
  testkit::TempDir dir("keel-surface");
  const std::string path = dir.file("chain.csv");
  {
    std::ofstream f(path);
    f << "expiry,strike,right,bid,ask\n";
    for (const char* expiry : {"2024-03-15", "2024-06-21"}) {
      const double t = std::string(expiry) == "2024-03-15" ? 74.0 / 365 : 172.0 / 365;
      for (int k = 80; k <= 120; k += 5) {
        for (const OptionRight r : {OptionRight::kCall, OptionRight::kPut}) {
          const double p = analytics::black76_price(100.0, k, t, 0.2, 1.0, r);
          char line[128];
          std::snprintf(line, sizeof line, "%s,%d,%s,%.4f,%.4f\n", expiry, k, r == OptionRight::kCall ? "C" : "P",
                        std::max(0.0001, p - 0.0001), p + 0.0001);
          f << line;
        }
      }
    }
  }
  std::string out, err;
  ASSERT_EQ(keel_cli({"surface", "fit", "--in", path, "--date", "2024-01-01", "--json"}, &out, &err), 0) << err;
  const auto j = nlohmann::json::parse(out);
  ASSERT_EQ(j["slices"].size(), 2u);
  for (const auto& s : j["slices"]) {
    EXPECT_NEAR(s["atm_vol"].get<double>(), 0.2, 2e-3) << s.dump();
    EXPECT_NEAR(s["forward"].get<double>(), 100.0, 1e-3);
  }
  // Per-slice SVI fitted to a flat smile on |k| <= 0.2 leaves its far wings free, so the
  // calendar check over |k| <= 3 is only guaranteed for the joint SSVI surface.
  ASSERT_EQ(keel_cli({"surface", "fit", "--in", path, "--date", "2024-01-01", "--model", "ssvi", "--json"}, &out, &err), 0)
      << err;
  const auto js = nlohmann::json::parse(out);
  EXPECT_TRUE(js["calendar"]["arbitrage_free"].get<bool>());
  for (const auto& s : js["slices"]) EXPECT_NEAR(s["atm_vol"].get<double>(), 0.2, 2e-3) << s.dump();
  EXPECT_EQ(keel_cli({"surface", "fit", "--in", path}, &out, &err), 2);  // --date is required
}

}  // namespace
}  // namespace keel
