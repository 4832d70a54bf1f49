// End-to-end tests of the `keel` command line: exit codes (0 ok, 1 user error, 2 usage error),
// import atomicity and idempotence seen through the CLI, and the synth -> list -> check -> show
// path of `make demo`. run_cli is called in-process with a real argv.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/cli_support.hpp"
#include "keel/data/sqlite_store.hpp"
#include "keel/testkit/temp_dir.hpp"

namespace keel {
namespace {

using testing_cli::keel_cli;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

// Real trading days (2024-01-02..05 were sessions; 2024-01-01 was New Year's Day).
const char* kGoodYahoo =
    "Date,Open,High,Low,Close,Adj Close,Volume\n"
    "2024-01-02,472.16,473.67,470.49,472.65,466.53,123623700\n"
    "2024-01-03,470.43,471.19,468.17,468.79,462.72,103585900\n"
    "2024-01-04,468.30,470.96,467.05,467.28,461.23,84232200\n"
    "2024-01-05,467.49,470.44,466.43,467.92,461.86,86060800\n";

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(keel_cli({}), 2);
  EXPECT_EQ(keel_cli({"frobnicate"}), 2);
  EXPECT_EQ(keel_cli({"data"}), 2);
  EXPECT_EQ(keel_cli({"data", "import"}), 2);                 // no file
  EXPECT_EQ(keel_cli({"data", "list", "--bogus-flag"}), 2);
  EXPECT_EQ(keel_cli({"data", "--help"}), 0);
  EXPECT_EQ(keel_cli({"data", "import", "--help"}), 0);
}

TEST(Cli, ImportIsAtomicAndIdempotent) {
  testkit::TempDir dir("keel-cli");
  const std::string db = dir.file("k.db");
  const std::string good = dir.file("spy.csv");
  const std::string bad = dir.file("bad.csv");
  write_file(good, kGoodYahoo);
  // Line 3 has high < low: the whole file must be refused and nothing stored.
  write_file(bad, std::string(kGoodYahoo).replace(std::string(kGoodYahoo).find("471.19"), 6, "460.00"));

  std::string out, err;
  EXPECT_EQ(keel_cli({"data", "import", "--db", db, "--format", "yahoo", "--symbol", "SPY", bad}, &out, &err), 1);
  EXPECT_NE(err.find(bad + ":3:"), std::string::npos) << err;
  EXPECT_NE(err.find("keel: error:"), std::string::npos) << err;
  {
    auto store = data::SqliteStore::open(db);
    ASSERT_TRUE(store.ok());
    EXPECT_TRUE((*store)->summary()->empty());
  }

  EXPECT_EQ(keel_cli({"data", "import", "--db", db, "--format", "yahoo", "--symbol", "SPY", good}, &out), 0);
  EXPECT_NE(out.find("4 added"), std::string::npos) << out;
  EXPECT_EQ(keel_cli({"data", "import", "--db", db, "--format", "yahoo", "--symbol", "SPY", good}, &out), 0);
  EXPECT_NE(out.find("0 added"), std::string::npos) << out;
  EXPECT_NE(out.find("4 unchanged"), std::string::npos) << out;

  EXPECT_EQ(keel_cli({"data", "show", "--db", db, "SPY"}, &out), 0);
  EXPECT_NE(out.find("2024-01-03  470.43  471.19  468.17  468.79"), std::string::npos) << out;
  EXPECT_EQ(keel_cli({"data", "show", "--db", db, "QQQ"}, &out, &err), 1);
  EXPECT_NE(err.find("no instrument 'QQQ'"), std::string::npos);
}

TEST(Cli, UserErrorsExitOneWithOneLine) {
  testkit::TempDir dir("keel-cli");
  const std::string db = dir.file("k.db");
  std::string out, err;
  EXPECT_EQ(keel_cli({"data", "import", "--db", db, "--format", "yahoo", "--symbol", "SPY", dir.file("missing.csv")}, &out, &err), 1);
  EXPECT_NE(err.find("missing.csv"), std::string::npos) << err;
  EXPECT_EQ(keel_cli({"data", "import", "--db", db, "--format", "nosuch", dir.file("x.csv")}, &out, &err), 1);
  EXPECT_NE(err.find("nosuch"), std::string::npos) << err;
  // A database file that is not ours is refused and left alone.
  const std::string foreign = dir.file("notes.db");
  write_file(foreign, "just some text, not a database\n");
  EXPECT_EQ(keel_cli({"data", "list", "--db", foreign}, &out, &err), 1);
  std::ifstream f(foreign);
  std::string content((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "just some text, not a database\n");
}

TEST(Cli, SynthListCheckShow) {
  testkit::TempDir dir("keel-cli");
  const std::string db = dir.file("k.db");
  std::string out, err;
  ASSERT_EQ(keel_cli({"data", "synth", "--db", db, "--start", "2023-01-03", "--end", "2023-03-31", "--ingested-at",
                      "2024-01-01T00:00:00Z"},
                     &out, &err),
            0)
      << err;
  EXPECT_NE(out.find("ACME"), std::string::npos) << out;
  ASSERT_EQ(keel_cli({"data", "list", "--db", db}, &out), 0);
  // 2023-01-03..2023-03-31 holds 62 NYSE sessions (Jan 20, Feb 19, Mar 23 by the published
  // calendar: 2023-01-16 MLK and 2023-02-20 Presidents' Day closed).
  EXPECT_NE(out.find("62"), std::string::npos) << out;
  ASSERT_EQ(keel_cli({"data", "check", "--db", db, "--strict"}, &out, &err), 0) << out << err;
  EXPECT_NE(out.find("no issues found"), std::string::npos) << out;
  ASSERT_EQ(keel_cli({"data", "show", "--db", db, "ACME", "--chain", "2023-03-01", "--json"}, &out), 0);
  EXPECT_NE(out.find("\"expiry\""), std::string::npos);
  // Regenerating the same market adds nothing.
  ASSERT_EQ(keel_cli({"data", "synth", "--db", db, "--start", "2023-01-03", "--end", "2023-03-31"}, &out), 0);
  EXPECT_NE(out.find("bars: 0 added"), std::string::npos) << out;
}

}  // namespace
}  // namespace keel
