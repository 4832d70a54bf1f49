// `keel features` and `keel labels` end to end: on the EuStockMarkets DAX closes (R's datasets
// package, tests/data/eustockmarkets.csv) and on a synthetic store; header, empty warm-up cells,
// values against hand arithmetic, calendar columns on known dates, and errors naming the item.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "keel/testkit/temp_dir.hpp"
#include "tests/cli_support.hpp"

namespace keel {
namespace {

using testing_cli::keel_cli;

const std::string kEu = std::string(KEEL_SOURCE_DIR) + "/tests/data/eustockmarkets.csv";

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::string f;
    std::istringstream ls(line);
    while (std::getline(ls, f, ',')) fields.push_back(f);
    if (!line.empty() && line.back() == ',') fields.push_back("");
    rows.push_back(fields);
  }
  return rows;
}

std::size_t col(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

TEST(FeaturesCli, DaxHeaderWarmUpAndHandValues) {
  std::string out, err;
  ASSERT_EQ(keel_cli({"features", "--in", kEu, "--key", "day", "--close", "DAX", "--spec", "sma:3,macd:12:26:9,rsi:14"},
                     &out, &err),
            0)
      << err;
  const auto rows = parse_csv(out);
  ASSERT_EQ(rows.size(), 1861u);  // header + 1860 trading days
  EXPECT_EQ(rows[0], (std::vector<std::string>{"key", "close", "sma_3", "macd_12_26_9", "macd_signal_12_26_9",
                                               "macd_hist_12_26_9", "rsi_14"}));
  ASSERT_EQ(rows[1].size(), 7u);
  // Warm-up cells are empty: sma_3 on days 1-2, rsi_14 on days 1-14, MACD on days 1-33.
  EXPECT_EQ(rows[1][2], "");
  EXPECT_EQ(rows[2][2], "");
  EXPECT_EQ(rows[14][6], "");
  EXPECT_NE(rows[15][6], "");
  EXPECT_EQ(rows[33][3], "");
  EXPECT_NE(rows[34][3], "");
  // Day 3: (1628.75 + 1613.63 + 1606.51)/3 = 4848.89/3 = 1616.29666...
  EXPECT_EQ(rows[3][0], "3");
  EXPECT_NEAR(std::stod(rows[3][2]), 4848.89 / 3.0, 1e-9);
}

TEST(FeaturesCli, BadSpecsAndMissingColumns) {
  std::string out, err;
  EXPECT_EQ(keel_cli({"features", "--in", kEu, "--key", "day", "--close", "DAX", "--spec", "rsi:14,rsx:3"}, &out, &err), 1);
  EXPECT_NE(err.find("unknown indicator 'rsx' in spec at item 2"), std::string::npos) << err;
  EXPECT_EQ(keel_cli({"features", "--in", kEu, "--key", "day", "--close", "DAX", "--spec", "macd:12:26"}, &out, &err), 1);
  EXPECT_NE(err.find("macd takes 3 arguments"), std::string::npos) << err;
  EXPECT_EQ(keel_cli({"features", "--in", kEu, "--key", "day", "--close", "DAX", "--spec", "sma:0"}, &out, &err), 1);
  EXPECT_NE(err.find("positive integer period, got '0'"), std::string::npos) << err;
  EXPECT_EQ(keel_cli({"features", "--in", kEu, "--key", "day", "--close", "DAX", "--spec", "atr:14"}, &out, &err), 1);
  EXPECT_NE(err.find("needs column 'high'"), std::string::npos) << err;
  EXPECT_EQ(keel_cli({"features", "--in", kEu, "--key", "day", "--close", "NOPE", "--spec", "sma:3"}, &out, &err), 1);
  EXPECT_NE(err.find("no column 'NOPE'"), std::string::npos) << err;
  // Keys 1, 2, ... are not dates: --calendar says so.
  EXPECT_EQ(keel_cli({"features", "--in", kEu, "--key", "day", "--close", "DAX", "--spec", "sma:3", "--calendar"}, &out, &err), 1);
  EXPECT_NE(err.find("row 1 key '1' is not a date"), std::string::npos) << err;
  EXPECT_EQ(keel_cli({"features", "--in", kEu, "--close", "DAX"}, &out, &err), 2);  // --spec missing: usage
}

TEST(FeaturesCli, SynthStoreWithCalendarAndOutFile) {
  testkit::TempDir dir("keel-features");
  const std::string db = dir.file("k.db"), path = dir.file("f.csv");
  std::string out, err;
  ASSERT_EQ(keel_cli({"data", "synth", "--db", db, "--start", "2023-01-03", "--end", "2023-03-31"}, &out, &err), 0) << err;
  ASSERT_EQ(keel_cli({"features", "--db", db, "--symbol", "ACME", "--spec", "atr:14,obv,vwap,adx:5", "--calendar",
                      "--out", path},
                     &out, &err),
            0)
      << err;
  std::ifstream f(path);
  const auto rows = parse_csv(std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>()));
  ASSERT_EQ(rows.size(), 63u);  // header + 62 sessions (see tests/cli_test.cpp)
  const auto& h = rows[0];
  EXPECT_EQ(h[2], "atr_14");
  EXPECT_EQ(rows[1][0], "2023-01-03");
  EXPECT_EQ(rows[1][col(h, "atr_14")], "");
  EXPECT_NE(rows[15][col(h, "atr_14")], "");  // ATR(14) is ready at bar 14 (row 15)
  EXPECT_NE(rows[1][col(h, "obv")], "");      // OBV and VWAP have no warm-up
  for (const auto& r : rows) {
    if (r[0] == "2023-02-17") {
      // The third Friday of February 2023: a monthly expiration, weekday 5.
      EXPECT_EQ(r[col(h, "day_of_week")], "5");
      EXPECT_EQ(r[col(h, "days_to_monthly_expiration")], "0");
    }
    if (r[0] == "2023-02-21") {
      // Tuesday after Presidents' Day (Mon 2023-02-20): previous session Fri 02-17, 4 days.
      EXPECT_EQ(r[col(h, "days_since_prev_session")], "4");
      // Feb 22, 23, 24, 27, 28 remain in the month.
      EXPECT_EQ(r[col(h, "days_to_month_end")], "5");
    }
  }
}

// --options: features from the store's option chains. The synthetic ACME smile is an SSVI power
// law with rho = -0.6 (data/synthetic_market.hpp default_config): puts are richer than calls, so
// the 25-delta risk reversal (call IV - put IV) must be negative every day; its variance process
// starts at and reverts to theta = 0.04 (20% vol), so the 30-day ATM vol sits near 20%.
TEST(FeaturesCli, OptionFeaturesFromTheStoresChains) {
  testkit::TempDir dir("keel-features-opt");
  const std::string db = dir.file("k.db"), path = dir.file("f.csv");
  std::string out, err;
  ASSERT_EQ(keel_cli({"data", "synth", "--db", db, "--start", "2023-01-03", "--end", "2023-03-31"}, &out, &err), 0) << err;
  ASSERT_EQ(keel_cli({"features", "--db", db, "--symbol", "ACME", "--spec", "sma:5", "--options", "--out", path}, &out,
                     &err),
            0)
      << err;
  std::ifstream f(path);
  const auto rows = parse_csv(std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>()));
  ASSERT_EQ(rows.size(), 63u);
  const auto& h = rows[0];
  int days = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const std::string iv = rows[i][col(h, "iv_cm")], rr = rows[i][col(h, "rr25")];
    ASSERT_FALSE(iv.empty()) << rows[i][0];  // weeklies and monthlies bracket 30 days every day
    EXPECT_GT(std::stod(iv), 0.08) << rows[i][0];
    EXPECT_LT(std::stod(iv), 0.60) << rows[i][0];
    if (!rr.empty()) {
      EXPECT_LT(std::stod(rr), 0.0) << rows[i][0];
      ++days;
    }
    EXPECT_EQ(rows[i][col(h, "iv_rank")], "");  // 252 observations needed: not ready in 62 days
  }
  EXPECT_GT(days, 50);
  EXPECT_EQ(keel_cli({"features", "--in", path, "--close", "close", "--spec", "sma:5", "--options"}, &out, &err), 1);
  EXPECT_NE(err.find("--options needs --symbol"), std::string::npos) << err;
}

TEST(LabelsCli, ForwardReturnsBarriersAndMetaLabels) {
  std::string out, err;
  ASSERT_EQ(keel_cli({"labels", "--in", kEu, "--key", "day", "--close", "DAX", "--horizons", "1,5", "--barrier", "2:1:10",
                      "--vol-window", "20"},
                     &out, &err),
            0)
      << err;
  const auto rows = parse_csv(out);
  ASSERT_EQ(rows.size(), 1861u);
  const auto& h = rows[0];
  EXPECT_EQ(h, (std::vector<std::string>{"key", "close", "fwd_ret_1", "fwd_ret_5", "tb_vol", "tb_label", "tb_barrier",
                                         "tb_touch", "tb_return", "tb_uniqueness", "tb_weight"}));
  // Day 1: 1613.63/1628.75 - 1.
  EXPECT_NEAR(std::stod(rows[1][2]), 1613.63 / 1628.75 - 1.0, 1e-15);
  // The last row has no forward return (empty, not 0); the last 5 rows no 5-day return.
  EXPECT_EQ(rows[1860][2], "");
  EXPECT_EQ(rows[1856][3], "");
  EXPECT_NE(rows[1855][3], "");
  // No trailing vol before 20 returns (day 21), so no barrier label either; the last 10 rows have
  // no label (the vertical barrier is past the data).
  EXPECT_EQ(rows[20][col(h, "tb_label")], "");
  EXPECT_NE(rows[21][col(h, "tb_label")], "");
  EXPECT_EQ(rows[1851][col(h, "tb_label")], "");
  EXPECT_NE(rows[1850][col(h, "tb_label")], "");
  // Uniqueness is in (0, 1].
  const double u = std::stod(rows[21][col(h, "tb_uniqueness")]);
  EXPECT_GT(u, 0.0);
  EXPECT_LE(u, 1.0);

  // Meta-labels from a side column.
  testkit::TempDir dir("keel-labels");
  const std::string path = dir.file("side.csv");
  {
    std::ofstream f(path);
    f << "date,close,side\n";
    const double px[] = {100, 101, 99, 102, 104, 103, 101, 98, 97, 99, 100, 103, 106, 104, 107};
    for (int i = 0; i < 15; ++i) f << "2024-01-" << (i < 9 ? "0" : "") << i + 1 << "," << px[i] << "," << (i % 3 == 2 ? 0 : (i % 2 ? -1 : 1)) << "\n";
  }
  ASSERT_EQ(keel_cli({"labels", "--in", path, "--horizons", "1", "--barrier", "1:1:3", "--vol-window", "3", "--side-col",
                      "side"},
                     &out, &err),
            0)
      << err;
  const auto m = parse_csv(out);
  const auto& mh = m[0];
  EXPECT_EQ(mh.back(), "meta_label");
  for (std::size_t i = 1; i < m.size(); ++i) {
    const std::string& side = m[i][col(mh, "side")];
    const std::string& meta = m[i][col(mh, "meta_label")];
    EXPECT_TRUE(meta.empty() || meta == "0" || meta == "1");
    if (side == "0") {
      EXPECT_EQ(meta, "");
    }
    if (!meta.empty()) {
      EXPECT_EQ(meta == "1", std::stod(m[i][col(mh, "tb_return")]) > 0.0);
    }
  }
  EXPECT_NE(m[5][col(mh, "meta_label")], "");  // 2024-01-05: vol ready (3 returns), side +1
}

TEST(LabelsCli, Errors) {
  std::string out, err;
  EXPECT_EQ(keel_cli({"labels", "--in", kEu, "--key", "day", "--close", "DAX", "--horizons", "1,x"}, &out, &err), 1);
  EXPECT_NE(err.find("--horizons item 2 'x'"), std::string::npos) << err;
  EXPECT_EQ(keel_cli({"labels", "--in", kEu, "--key", "day", "--close", "DAX", "--barrier", "2:1"}, &out, &err), 1);
  EXPECT_NE(err.find("expected PT:SL:H"), std::string::npos) << err;
  EXPECT_EQ(keel_cli({"labels", "--in", kEu, "--key", "day", "--close", "DAX", "--barrier", "0:1:5"}, &out, &err), 1);
  EXPECT_NE(err.find("profit-take"), std::string::npos) << err;
  EXPECT_EQ(keel_cli({"labels", "--in", kEu, "--key", "day", "--close", "DAX", "--barrier", "1:1:5", "--side-col", "SMI"},
                     &out, &err),
            1);
  EXPECT_NE(err.find("SMI '"), std::string::npos) << err;  // 1678.1 is not a side
}

}  // namespace
}  // namespace keel
