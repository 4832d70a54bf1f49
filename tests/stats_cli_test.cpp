// `keel stats adf|coint|hmm` end to end on R's EuStockMarkets (tests/data/eustockmarkets.csv:
// day,DAX,SMI,CAC,FTSE, 1,860 daily closes 1991-1998): exit codes, --json fields, values checked
// against closed forms computed here (MacKinnon's response surface, the two-parameter OLS
// slope, fᵀA), a misaligned pair from the store, and usage errors.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "keel/testkit/temp_dir.hpp"
#include "tests/cli_support.hpp"

namespace keel {
namespace {

using nlohmann::json;
using testing_cli::keel_cli;

std::string data_file() {
  const char* env = std::getenv("KEEL_SOURCE_DIR");
  const std::string root = env != nullptr && *env != '\0' ? env : KEEL_SOURCE_DIR;
  return root + "/tests/data/eustockmarkets.csv";
}

std::vector<double> column(int index) {
  std::ifstream in(data_file());
  std::string line;
  std::getline(in, line);
  std::vector<double> v;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string cell;
    for (int i = 0; i <= index; ++i) std::getline(ss, cell, ',');
    v.push_back(std::stod(cell));
  }
  return v;
}

TEST(StatsCli, AdfJsonOnDax) {
  std::string out, err;
  ASSERT_EQ(keel_cli({"stats", "adf", "--in", data_file(), "--column", "DAX", "--log", "--lags", "2", "--json"}, &out, &err), 0)
      << err;
  const json j = json::parse(out);
  EXPECT_EQ(j["series"], "DAX");
  EXPECT_EQ(j["regression"], "c");
  EXPECT_EQ(j["lags"], 2);
  // 1,860 prices, 2 lags: T = 1860 − 1 − 2 = 1857 regression rows.
  EXPECT_EQ(j["observations"], 1857);
  // MacKinnon (2010) Table 2, N = 1, constant, 5%: −2.86154 − 2.8903/T − 4.234/T² − 40.040/T³.
  const double T = 1857;
  EXPECT_NEAR(j["critical_values"]["5%"].get<double>(), -2.86154 - 2.8903 / T - 4.234 / (T * T) - 40.040 / (T * T * T), 1e-12);
  // A stock index in logs: the unit root is not rejected (τ above the 10% value, p > 0.1).
  EXPECT_GT(j["statistic"].get<double>(), j["critical_values"]["10%"].get<double>());
  EXPECT_GT(j["p_value"].get<double>(), 0.1);
  EXPECT_FALSE(j["reject_unit_root_5pct"].get<bool>());
  // Text output too.
  ASSERT_EQ(keel_cli({"stats", "adf", "--in", data_file(), "--column", "DAX"}, &out), 0);
  EXPECT_NE(out.find("unit root not rejected at 5%"), std::string::npos) << out;
}

TEST(StatsCli, CointHedgeRatioIsTheOlsSlope) {
  std::string out, err;
  ASSERT_EQ(keel_cli({"stats", "coint", "--in", data_file(), "--y", "DAX", "--x", "CAC", "--log", "--json"}, &out, &err), 0)
      << err;
  const json j = json::parse(out);
  // The hedge ratio is the slope of log DAX on log CAC: Sxy/Sxx, computed here.
  const auto dax = column(1), cac = column(3);
  const double n = static_cast<double>(dax.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < dax.size(); ++i) mx += std::log(cac[i]) / n, my += std::log(dax[i]) / n;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < dax.size(); ++i) {
    sxx += (std::log(cac[i]) - mx) * (std::log(cac[i]) - mx);
    sxy += (std::log(cac[i]) - mx) * (std::log(dax[i]) - my);
  }
  EXPECT_NEAR(j["hedge_ratio"].get<double>(), sxy / sxx, 1e-9);
  EXPECT_NEAR(j["intercept"].get<double>(), my - sxy / sxx * mx, 1e-8);
  EXPECT_EQ(j["observations"], 1860);
  for (const char* f : {"statistic", "p_value", "critical_values", "lags", "spread_ar1", "half_life", "r_squared"}) {
    EXPECT_TRUE(j.contains(f)) << f;
  }
  // N = 2 critical values (MacKinnon 2010, constant, 5%: β∞ = −3.33613) — stricter than ADF's.
  EXPECT_LT(j["critical_values"]["5%"].get<double>(), -3.33);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

TEST(StatsCli, MisalignedPairFromTheStoreNamesTheDate) {
  testkit::TempDir dir("keel-stats");
  const std::string db = dir.file("k.db"), a = dir.file("a.csv"), b = dir.file("b.csv");
  const std::string header = "Date,Open,High,Low,Close,Adj Close,Volume\n";
  write_file(a, header + "2024-01-02,472.16,473.67,470.49,472.65,466.53,123623700\n"
                         "2024-01-03,470.43,471.19,468.17,468.79,462.72,103585900\n"
                         "2024-01-04,468.30,470.96,467.05,467.28,461.23,84232200\n"
                         "2024-01-05,467.49,470.44,466.43,467.92,461.86,86060800\n");
  write_file(b, header + "2024-01-02,402.16,403.67,400.49,402.65,402.65,53623700\n"
                         "2024-01-03,400.43,401.19,398.17,398.79,398.79,43585900\n"
                         "2024-01-05,397.49,400.44,396.43,397.92,397.92,46060800\n");
  std::string out, err;
  ASSERT_EQ(keel_cli({"data", "import", "--db", db, "--format", "yahoo", "--symbol", "SPY", a}, &out, &err), 0) << err;
  ASSERT_EQ(keel_cli({"data", "import", "--db", db, "--format", "yahoo", "--symbol", "QQQ", b}, &out, &err), 0) << err;
  EXPECT_EQ(keel_cli({"stats", "coint", "--db", db, "--symbol", "SPY", "--symbol2", "QQQ"}, &out, &err), 1);
  EXPECT_NE(err.find("2024-01-04 is in SPY but not in QQQ"), std::string::npos) << err;
  EXPECT_EQ(keel_cli({"stats", "coint", "--db", db, "--symbol", "QQQ", "--symbol2", "SPY"}, &out, &err), 1);
  EXPECT_NE(err.find("2024-01-04 is in SPY but not in QQQ"), std::string::npos) << err;
  EXPECT_EQ(keel_cli({"stats", "coint", "--db", db, "--symbol", "SPY"}, &out, &err), 2);  // no --symbol2
}

TEST(StatsCli, HmmJsonFieldsAndConsistency) {
  std::string out, err;
  const std::vector<std::string> args = {"stats", "hmm", "--in", data_file(), "--column", "DAX", "--states", "2",
                                         "--restarts", "4", "--seed", "7", "--json"};
  ASSERT_EQ(keel_cli(args, &out, &err), 0) << err;
  const json j = json::parse(out);
  EXPECT_EQ(j["observations"], 1859);  // returns of 1,860 prices
  EXPECT_EQ(j["states"], 2);
  EXPECT_EQ(j["parameters"], 7);
  const double ll = j["log_likelihood"];
  EXPECT_NEAR(j["aic"].get<double>(), 2 * 7 - 2 * ll, 1e-9);
  EXPECT_NEAR(j["bic"].get<double>(), 7 * std::log(1859.0) - 2 * ll, 1e-9);
  const auto f = j["filtered_last"].get<std::vector<double>>();
  const auto A = j["transition"].get<std::vector<std::vector<double>>>();
  const auto next = j["next_state_probabilities"].get<std::vector<double>>();
  EXPECT_NEAR(f[0] + f[1], 1.0, 1e-12);
  for (int k = 0; k < 2; ++k) EXPECT_NEAR(next[k], f[0] * A[0][k] + f[1] * A[1][k], 1e-12);
  // Ordered by mean return.
  EXPECT_LT(j["state"][0]["mean"][0].get<double>(), j["state"][1]["mean"][0].get<double>());
  // Same seed, same output, bit for bit.
  std::string again;
  ASSERT_EQ(keel_cli(args, &again), 0);
  EXPECT_EQ(out, again);
  // With a volatility feature: two features, first row after a 21-day window.
  ASSERT_EQ(keel_cli({"stats", "hmm", "--in", data_file(), "--column", "DAX", "--vol-window", "21", "--restarts", "2",
                      "--json"},
                     &out, &err),
            0)
      << err;
  const json v = json::parse(out);
  EXPECT_EQ(v["features"].size(), 2u);
  EXPECT_EQ(v["observations"], 1859 - 20);
}

TEST(StatsCli, UsageAndDataErrors) {
  std::string out, err;
  EXPECT_EQ(keel_cli({"stats", "hmm", "--in", data_file(), "--column", "DAX", "--states", "7"}, &out, &err), 2);
  EXPECT_EQ(keel_cli({"stats", "hmm", "--in", data_file(), "--column", "DAX", "--states", "1"}, &out, &err), 2);
  EXPECT_EQ(keel_cli({"stats", "adf", "--in", data_file(), "--column", "DAX", "--regression", "q"}, &out, &err), 2);
  EXPECT_EQ(keel_cli({"stats", "adf", "--in", data_file(), "--column", "DAX", "--lags", "two"}, &out, &err), 2);
  EXPECT_EQ(keel_cli({"stats", "adf", "--column", "DAX"}, &out, &err), 2);  // no source
  EXPECT_EQ(keel_cli({"stats"}, &out, &err), 2);
  EXPECT_EQ(keel_cli({"stats", "adf", "--in", data_file(), "--column", "NIKKEI"}, &out, &err), 1);
  EXPECT_NE(err.find("no column 'NIKKEI'"), std::string::npos) << err;
  EXPECT_EQ(keel_cli({"stats", "coint", "--in", data_file(), "--y", "DAX"}, &out, &err), 2);  // no --x
  EXPECT_EQ(keel_cli({"stats", "adf", "--in", data_file(), "--column", "DAX", "--lags", "1000"}, &out, &err), 1);
  EXPECT_NE(err.find("too few"), std::string::npos) << err;
}

}  // namespace
}  // namespace keel
