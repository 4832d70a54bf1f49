// End-to-end invariants of the backtester on a synthetic market (docs/SYNTHETIC_MARKET.md):
// the wheel runs a full cycle, runs are deterministic to the byte, and no data after a date T
// can change any order or fill up to T (look-ahead). Also the config and CLI error paths.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cli_support.hpp"
#include "keel/backtest/backtest_config.hpp"
#include "keel/backtest/metrics.hpp"
#include "keel/backtest/report.hpp"
#include "keel/backtest/runner.hpp"
#include "keel/data/synthetic_market.hpp"
#include "keel/testkit/memory_store.hpp"
#include "keel/testkit/gzip_file.hpp"
#include "keel/testkit/temp_dir.hpp"

namespace keel {
namespace {

// ACME only, 2019-01-02..2020-03-31, with a 3:2 split on 2019-09-03 so that the wheel meets
// an adjusted-deliverable conversion.
data::SynthConfig small_market() {
  data::SynthConfig c = data::SynthConfig::default_config();
  c.end = Date::ymd(2020, 3, 31);
  c.underlyings.resize(1);
  c.underlyings[0].split = data::SplitSpec{Date::ymd(2019, 9, 3), 3, 2};
  return c;
}

testkit::MemoryStore& market() {
  static testkit::MemoryStore* store = [] {
    auto* s = new testkit::MemoryStore();
    auto r = data::generate_market(small_market(), *s, Timestamp::from_date(Date::ymd(2024, 1, 2)));
    EXPECT_TRUE(r.ok()) << (r ? "" : r.error().message);
    return s;
  }();
  return *store;
}

constexpr const char* kConfig = R"(
[backtest]
strategy = "wheel"
start = 2019-02-01
end = 2020-03-31
warmup_days = 20
capital = 100000
fees = "retail"
fill_model = "bar_close"

[wheel]
underlyings = ["ACME"]
put_delta = 0.50
call_delta = 0.50
min_dte = 7
max_dte = 45
min_premium_yield = 0.002
iv_rank_lookback = 10
profit_take = 0.0
stop_loss_multiple = 0.0
roll_dte = 0
)";

backtest::BacktestConfig config() {
  auto c = backtest::parse_backtest_config(kConfig, "test.toml");
  EXPECT_TRUE(c.ok()) << (c ? "" : c.error().message);
  return *c;
}

std::vector<std::string> booking_lines(const backtest::RunRecord& run, Timestamp up_to = Timestamp::max()) {
  std::vector<std::string> out;
  for (const auto& b : run.bookings) {
    if (b.ts > up_to) continue;
    out.push_back(b.ts.to_string() + " " + std::string(portfolio::to_string(b.kind)) + " " + b.instrument->symbol +
                  " " + std::string(execution::to_string(b.side)) + " " + b.quantity.to_string() + " @ " +
                  b.price.to_string() + " fees " + (b.commission + b.regulatory_fees).to_string() + " " + b.reason);
  }
  return out;
}

TEST(Backtest, WheelRunsAFullCycleWithConsistentAccounts) {
  auto run = backtest::run_backtest(config(), market());
  ASSERT_TRUE(run.ok()) << run.error().message;
  ASSERT_FALSE(run->days.empty());
  // The cycle appears: puts sold, and at least one put expired or was assigned.
  int put_sales = 0;
  for (const auto& b : run->bookings) {
    if (b.kind == portfolio::BookingKind::kFill && b.instrument->option &&
        b.instrument->option->right == OptionRight::kPut && b.side == execution::OrderSide::kSell) {
      ++put_sales;
    }
  }
  EXPECT_GT(put_sales, 3);
  // Without profit taking, stops or rolls every option meets its fate: the full cycle appears.
  std::map<std::string, int> kinds;
  for (const auto& l : run->lifecycle) ++kinds[l.kind];
  EXPECT_GT(kinds["expired_worthless"], 0);
  EXPECT_GT(kinds["assigned"] + kinds["early_assigned"], 0);
  EXPECT_GT(kinds["called_away"], 0);
  for (const auto& [k, n] : kinds) std::printf("  %s: %d\n", k.c_str(), n);
  // Equity = cash + marked positions each day (receivables aside, checked in the engine tests):
  // here the day's gross exposure can never exceed equity plus cash reserve in a cash account.
  for (const auto& d : run->days) {
    EXPECT_TRUE(d.equity.is_positive()) << d.date.to_string();
    EXPECT_FALSE(d.cash.is_negative()) << d.date.to_string() << " cash " << d.cash.to_string();
  }
  auto metrics = backtest::compute_metrics(*run);
  ASSERT_TRUE(metrics.ok()) << metrics.error().message;
}

TEST(Backtest, TwoRunsWriteByteIdenticalReports) {
  testkit::TempDir dir;
  std::vector<std::string> files = {"equity.csv", "trades.csv", "positions.csv", "summary.json", "tearsheet.html"};
  std::map<std::string, std::string> first;
  for (int i = 0; i < 2; ++i) {
    auto run = backtest::run_backtest(config(), market());
    ASSERT_TRUE(run.ok()) << run.error().message;
    auto m = backtest::compute_metrics(*run);
    ASSERT_TRUE(m.ok());
    const std::string out = dir.file("run" + std::to_string(i));
    auto html = backtest::write_report(*run, *m, out);
    ASSERT_TRUE(html.ok()) << html.error().message;
    for (const auto& f : files) {
      const std::string text = testkit::read_file(out + "/" + f);
      EXPECT_FALSE(text.empty()) << f;
      if (i == 0) {
        first[f] = text;
      } else {
        EXPECT_EQ(first[f], text) << f << " differs between two identical runs";
      }
    }
  }
}

// Copies `from` into `to`, multiplying every price of every bar and quote stamped after `cut`
// by 11/10: a different future.
void copy_with_changed_future(data::Store& from, data::Store& to, Timestamp cut) {
  auto tx = to.begin(data::Lineage{Timestamp::from_date(Date::ymd(2024, 1, 2)), "test://perturbed", "test/1"});
  ASSERT_TRUE(tx.ok());
  auto scale = [](std::int64_t raw) { return (raw / 1'000'000 * 11 / 10) * 1'000'000; };  // cents, floor
  auto instruments = from.instruments();
  ASSERT_TRUE(instruments.ok());
  std::map<std::int64_t, InstrumentId> ids;
  for (Instrument i : *instruments) {
    const std::int64_t old = i.id.value();
    i.id = InstrumentId();
    auto id = (*tx)->upsert_instrument(i);
    ASSERT_TRUE(id.ok()) << id.error().message;
    ids[old] = *id;
  }
  for (const Instrument& i : *instruments) {
    if (i.is_option()) continue;
    auto bars = from.load_bars(i.id, kOneDay, Timestamp::min(), Timestamp::max());
    ASSERT_TRUE(bars.ok());
    std::vector<Bar> rows;
    for (std::size_t k = 0; k < bars->size(); ++k) {
      Bar b = bars->row(k);
      b.instrument = ids[i.id.value()];
      if (b.ts_recv > cut) {
        b.open = Price::from_raw(scale(b.open.raw()), 2);
        b.high = Price::from_raw(scale(b.high.raw()), 2);
        b.low = Price::from_raw(scale(b.low.raw()), 2);
        b.close = Price::from_raw(scale(b.close.raw()), 2);
      }
      rows.push_back(b);
    }
    ASSERT_TRUE((*tx)->put_bars(rows).ok());
    auto quotes = from.load_option_quotes(i.symbol, Timestamp::min(), Timestamp::max());
    ASSERT_TRUE(quotes.ok());
    std::vector<OptionQuote> qs;
    for (std::size_t k = 0; k < quotes->size(); ++k) {
      OptionQuote q = quotes->row(k);
      q.instrument = ids[q.instrument.value()];
      if (q.ts_recv > cut) {
        q.bid = Price::from_raw(scale(q.bid.raw()), 2);
        q.ask = Price::from_raw(std::max(scale(q.ask.raw()), q.bid.raw() + 1'000'000), 2);
        q.underlying_price = Price::from_raw(scale(q.underlying_price.raw()), 2);
      }
      qs.push_back(q);
    }
    ASSERT_TRUE((*tx)->put_option_quotes(qs).ok());
    auto actions = from.corporate_actions(i.id);
    ASSERT_TRUE(actions.ok());
    std::vector<CorporateAction> as;
    for (CorporateAction a : *actions) {
      a.instrument = ids[a.instrument.value()];
      as.push_back(a);
    }
    ASSERT_TRUE((*tx)->put_corporate_actions(as).ok());
  }
  ASSERT_TRUE((*tx)->commit().ok());
}

TEST(Backtest, NoLookAheadDataAfterTChangesNothingUpToT) {
  const Timestamp cut = ExchangeCalendar::us_equities().session(Date::ymd(2019, 11, 15))->close;
  testkit::MemoryStore changed;
  copy_with_changed_future(market(), changed, cut);
  auto a = backtest::run_backtest(config(), market());
  auto b = backtest::run_backtest(config(), changed);
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  const auto la = booking_lines(*a, cut), lb = booking_lines(*b, cut);
  EXPECT_FALSE(la.empty());
  EXPECT_EQ(la, lb);
  // The changed future did change what came after (the test would prove nothing otherwise).
  EXPECT_NE(a->days.back().equity, b->days.back().equity);
}

TEST(Backtest, DateRangeOutsideTheDataIsNamed) {
  backtest::BacktestConfig c = config();
  c.end = Date::ymd(2021, 6, 30);
  auto run = backtest::run_backtest(c, market());
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error().message.find("outside the data"), std::string::npos) << run.error().message;
  EXPECT_NE(run.error().message.find("ACME"), std::string::npos);
}

TEST(Backtest, ARangeWithoutASessionIsNamed) {
  backtest::BacktestConfig c = config();
  c.start = Date::ymd(2019, 12, 28);  // Saturday
  c.end = Date::ymd(2019, 12, 29);    // Sunday
  auto run = backtest::run_backtest(c, market());
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error().message, "no trading session between start 2019-12-28 and end 2019-12-29");
}

TEST(BacktestConfig, ErrorsNameTheKeyAndLine) {
  auto bad = [](const std::string& text) {
    auto c = backtest::parse_backtest_config(text, "bad.toml");
    EXPECT_FALSE(c.ok());
    return c ? std::string() : c.error().message;
  };
  const std::string base = "[backtest]\nstrategy = \"wheel\"\nstart = 2019-02-01\nend = 2019-12-31\ncapital = 1000\n";
  const std::string wheel = "[wheel]\nunderlyings = [\"ACME\"]\n";
  EXPECT_NE(bad(base + "fil_model = \"x\"\n" + wheel).find("bad.toml:6: unknown key backtest.fil_model"),
            std::string::npos);
  EXPECT_NE(bad("[backtest]\nstrategy = \"wheel\"\nend = 2019-12-31\ncapital = 1\n" + wheel).find("backtest.start"),
            std::string::npos);
  EXPECT_NE(bad(base + "participation_cap = 1.5\n" + wheel).find("bad.toml:6: backtest.participation_cap"),
            std::string::npos);
  EXPECT_NE(bad(base + "fill_model = \"teleport\"\n" + wheel).find("bad.toml:6"), std::string::npos);
  EXPECT_NE(bad(base + wheel + "[risk]\nx = 1\n").find("unknown table"), std::string::npos);
  EXPECT_NE(bad(base).find("[wheel]"), std::string::npos);
  EXPECT_NE(bad("[backtest\n").find("bad.toml:1"), std::string::npos);
}

TEST(BacktestCli, MissingConfigAndMissingDatabaseFailWithExitOne) {
  std::string out, err;
  EXPECT_EQ(testing_cli::keel_cli({"backtest", "--config", "/nonexistent/wheel.toml"}, &out, &err), 1);
  EXPECT_NE(err.find("/nonexistent/wheel.toml"), std::string::npos) << err;
  testkit::TempDir dir;
  {
    std::ofstream f(dir.file("w.toml"));
    f << kConfig;
  }
  EXPECT_EQ(testing_cli::keel_cli({"backtest", "--config", dir.file("w.toml"), "--db", dir.file("none.db")}, &out, &err),
            1);
  EXPECT_NE(err.find("no such database"), std::string::npos) << err;
}

}  // namespace
}  // namespace keel
