// examples/multi.toml end to end (SPEC S5): three strategies in one account, each in a sleeve
// with its own ledger, one gated by an HMM regime and one by account size. Checks that the
// sleeves' ledgers add up to the account, that gated sleeves only open positions while their
// gate is open, and that two runs are identical.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "keel/backtest/backtest_config.hpp"
#include "keel/backtest/runner.hpp"
#include "keel/data/synthetic_market.hpp"
#include "keel/testkit/memory_store.hpp"

namespace keel {
namespace {

constexpr Date kEnd = Date::ymd(2021, 6, 30);

testkit::MemoryStore& market() {
  static testkit::MemoryStore* store = [] {
    data::SynthConfig c = data::SynthConfig::default_config();
    c.end = kEnd;
    auto* s = new testkit::MemoryStore();
    auto r = data::generate_market(c, *s, Timestamp::from_date(Date::ymd(2024, 1, 2)));
    EXPECT_TRUE(r.ok()) << (r ? "" : r.error().message);
    return s;
  }();
  return *store;
}

Result<backtest::RunRecord> run_example() {
  KEEL_TRY(cfg, backtest::load_backtest_config(std::string(KEEL_SOURCE_DIR) + "/examples/multi.toml"));
  backtest::RunOverrides o;
  o.end = kEnd;
  KEEL_TRY_STATUS(backtest::apply_overrides(cfg, o));
  return backtest::run_backtest(cfg, market());
}

// The gate state of a sleeve in force at `ts`, from the run log ("<ts> sleeve '<name>' enabled"
// / "... disabled: ..."); sleeves start enabled.
bool enabled_at(const std::vector<std::string>& log, const std::string& sleeve, Timestamp ts) {
  bool state = true;
  const std::string on = "sleeve '" + sleeve + "' enabled", off = "sleeve '" + sleeve + "' disabled";
  const std::string stamp = ts.to_string();
  for (const std::string& line : log) {
    if (line.substr(0, stamp.size()) > stamp) break;  // lines are in time order, stamped first
    if (line.find(on) != std::string::npos) state = true;
    if (line.find(off) != std::string::npos) state = false;
  }
  return state;
}

TEST(MultiStrategy, SleevesAddUpGatesHoldAndRunsRepeat) {
  auto run = run_example();
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->strategy, "multi");
  ASSERT_EQ(run->sleeves.size(), 3u);
  EXPECT_EQ(run->sleeves[0].name, "income");
  EXPECT_EQ(run->sleeves[1].name, "momentum");
  EXPECT_EQ(run->sleeves[2].name, "reversion");

  // The sleeves' trading P&L is the account's: every fill, fee, expiry, dividend and split is
  // booked in both; only interest is computed per ledger (each on its own cash, rounded to the
  // cent). sum(equity - interest) + unallocated capital = account equity - account interest.
  Money sleeves = Money::zero(2), allocated = Money::zero(2);
  for (const auto& s : run->sleeves) {
    sleeves += s.final_equity - s.interest;
    allocated += s.starting_cash;
    EXPECT_TRUE(s.interest.is_positive()) << s.name;  // cash earns the configured rate
  }
  EXPECT_EQ(allocated, run->starting_capital);  // weights 0.5 + 0.4 + 0.1
  EXPECT_EQ(sleeves, run->final_equity - run->interest);

  // Each sleeve traded only its own underlyings; gated sleeves bought only while enabled.
  std::map<std::string, std::string> owner;
  for (const auto& s : run->sleeves) {
    for (const auto& u : s.underlyings) owner[u] = s.name;
  }
  int momentum_buys = 0, income_fills = 0;
  for (const auto& b : run->bookings) {
    if (b.kind != portfolio::BookingKind::kFill) continue;
    const std::string u = b.instrument->option ? b.instrument->option->underlying : b.instrument->symbol;
    ASSERT_TRUE(owner.count(u)) << u << " is traded by no sleeve";
    if (owner[u] == "income") ++income_fills;
    if (owner[u] == "momentum" && b.side == execution::OrderSide::kBuy) {
      ++momentum_buys;
      EXPECT_TRUE(enabled_at(run->log, "momentum", b.ts)) << "momentum bought " << b.instrument->symbol << " at "
                                                         << b.ts.to_string() << " while disabled";
    }
    if (owner[u] == "reversion" && b.side == execution::OrderSide::kBuy) {
      EXPECT_TRUE(enabled_at(run->log, "reversion", b.ts)) << "reversion bought at " << b.ts.to_string();
    }
  }
  EXPECT_GT(income_fills, 4);
  EXPECT_GT(momentum_buys, 0);
  // The account starts at 100,000 < min_equity 115,000: the reversion sleeve starts disabled.
  bool tier_logged = false;
  for (const auto& line : run->log) {
    tier_logged = tier_logged || line.find("sleeve 'reversion' disabled: account equity") != std::string::npos;
  }
  EXPECT_TRUE(tier_logged);

  auto again = run_example();
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->bookings.size(), run->bookings.size());
  for (std::size_t i = 0; i < run->bookings.size(); ++i) {
    EXPECT_EQ(again->bookings[i].ts, run->bookings[i].ts);
    EXPECT_EQ(again->bookings[i].cash_change, run->bookings[i].cash_change);
  }
  EXPECT_EQ(again->final_equity, run->final_equity);
}

TEST(MultiStrategy, ConfigErrorsNameTheSleeve) {
  const std::string head =
      "[backtest]\nstrategy = \"multi\"\nstart = 2020-03-02\nend = 2020-06-30\ncapital = 100000\n";
  auto overlap = backtest::parse_backtest_config(head +
                                                     "[[multi.sleeve]]\nname = \"a\"\nstrategy = \"wheel\"\nweight = 0.5\n"
                                                     "[multi.sleeve.wheel]\nunderlyings = [\"ACME\"]\n"
                                                     "[[multi.sleeve]]\nname = \"b\"\nstrategy = \"wheel\"\nweight = 0.5\n"
                                                     "[multi.sleeve.wheel]\nunderlyings = [\"ACME\"]\n",
                                                 "m.toml");
  ASSERT_FALSE(overlap.ok());
  EXPECT_NE(overlap.error().message.find("sleeve 'b': ACME is traded by another sleeve too"), std::string::npos)
      << overlap.error().message;
  auto heavy = backtest::parse_backtest_config(head +
                                                   "[[multi.sleeve]]\nname = \"a\"\nstrategy = \"wheel\"\nweight = 0.7\n"
                                                   "[multi.sleeve.wheel]\nunderlyings = [\"ACME\"]\n"
                                                   "[[multi.sleeve]]\nname = \"b\"\nstrategy = \"wheel\"\nweight = 0.5\n"
                                                   "[multi.sleeve.wheel]\nunderlyings = [\"ZEPH\"]\n",
                                               "m.toml");
  ASSERT_FALSE(heavy.ok());
  EXPECT_NE(heavy.error().message.find("weights add up to 1.2"), std::string::npos) << heavy.error().message;
  auto regimes = backtest::parse_backtest_config(head +
                                                     "[[multi.sleeve]]\nname = \"a\"\nstrategy = \"wheel\"\nweight = 0.5\n"
                                                     "regimes = [0]\n[multi.sleeve.wheel]\nunderlyings = [\"ACME\"]\n",
                                                 "m.toml");
  ASSERT_FALSE(regimes.ok());
  EXPECT_NE(regimes.error().message.find("lists regimes but there is no [multi.regime] table"), std::string::npos)
      << regimes.error().message;
  auto unknown = backtest::parse_backtest_config(head +
                                                     "[[multi.sleeve]]\nname = \"a\"\nstrategy = \"wheel\"\nweigth = 0.5\n"
                                                     "[multi.sleeve.wheel]\nunderlyings = [\"ACME\"]\n",
                                                 "m.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("m.toml:9: unknown key multi.sleeve[1].weigth"), std::string::npos)
      << unknown.error().message;
}

}  // namespace
}  // namespace keel
