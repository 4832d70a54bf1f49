// The equity strategies' example configs (examples/{ts_momentum,xs_momentum,mean_reversion,
// target_weights,pairs}.toml) run end to end on the default synthetic market's stock-only tickers:
// each completes and trades, the ledger identity holds every day, and no data after a date T
// changes any booking up to T (look-ahead). Each file is loaded as `keel backtest` loads it.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>

#include "keel/backtest/backtest_config.hpp"
#include "keel/backtest/runner.hpp"
#include "keel/data/synthetic_market.hpp"
#include "keel/testkit/memory_store.hpp"

namespace keel {
namespace {

constexpr Date kDataEnd = Date::ymd(2021, 6, 30);

// The default market's stock-only underlyings (ACME and ZEPH dropped: their chains are slow to
// generate and these strategies do not trade them), 2019-01-02..end.
data::SynthConfig stock_market(Date end) {
  data::SynthConfig c = data::SynthConfig::default_config();
  c.underlyings.erase(c.underlyings.begin(), c.underlyings.begin() + 2);
  c.end = end;
  return c;
}

testkit::MemoryStore& market(Date end) {
  static std::map<std::int32_t, std::unique_ptr<testkit::MemoryStore>> stores;
  auto& slot = stores[end.days()];
  if (!slot) {
    slot = std::make_unique<testkit::MemoryStore>();
    auto r = data::generate_market(stock_market(end), *slot, Timestamp::from_date(Date::ymd(2024, 1, 2)));
    EXPECT_TRUE(r.ok()) << (r ? "" : r.error().message);
  }
  return *slot;
}

struct Example {
  backtest::BacktestConfig config;
  std::function<std::unique_ptr<strategy::Strategy>()> make;
};

Example load_example(const std::string& name) {
  const std::string path = std::string(KEEL_SOURCE_DIR) + "/examples/" + name + ".toml";
  Example ex;
  auto cfg = backtest::load_backtest_config(path);
  EXPECT_TRUE(cfg.ok()) << cfg.error().message;
  if (!cfg) return ex;
  EXPECT_EQ(cfg->strategy, name);
  ex.config = *cfg;
  ex.make = [c = *cfg] {
    auto s = c.make_strategy();
    return s ? std::move(*s) : nullptr;
  };
  return ex;
}

std::vector<std::string> fills(const backtest::RunRecord& run, Timestamp up_to = Timestamp::max()) {
  std::vector<std::string> out;
  for (const auto& b : run.bookings) {
    if (b.ts > up_to) continue;
    out.push_back(b.ts.to_string() + " " + std::string(portfolio::to_string(b.kind)) + " " + b.instrument->symbol + " " +
                  std::string(execution::to_string(b.side)) + " " + b.quantity.to_string() + " @ " + b.price.to_string());
  }
  return out;
}

Result<backtest::RunRecord> run(const Example& ex, Date end, Date data_end) {
  backtest::BacktestConfig c = ex.config;
  backtest::RunOverrides o;
  o.end = end;
  if (c.start > end - 60) o.start = end - 200;
  KEEL_TRY_STATUS(backtest::apply_overrides(c, o));
  auto strategy = ex.make();
  return backtest::run_backtest(c, market(data_end), *strategy);
}

class EquityExample : public ::testing::TestWithParam<const char*> {};

TEST_P(EquityExample, RunsTradesKeepsTheLedgerAndNeverLooksAhead) {
  const std::string name = GetParam();
  const Example ex = load_example(name);
  ASSERT_TRUE(ex.make);
  auto full = run(ex, kDataEnd, kDataEnd);
  ASSERT_TRUE(full.ok()) << full.error().message;
  ASSERT_FALSE(full->days.empty());
  const auto all = fills(*full);
  EXPECT_GT(all.size(), 5u) << name << " hardly trades";
  std::printf("  %s: %zu bookings, %s..%s, equity %s -> %s\n", name.c_str(), all.size(),
              full->days.front().date.to_string().c_str(), full->days.back().date.to_string().c_str(),
              full->starting_capital.to_string().c_str(), full->days.back().equity.to_string().c_str());
  for (const auto& b : full->bookings) {
    if (b.kind != portfolio::BookingKind::kFill) continue;
    EXPECT_EQ(b.quantity.raw() % kFixedScale, 0) << "fractional shares: " << b.quantity.to_string();
  }
  // Ledger identity each day: equity = cash + receivables + the marked positions; and the last day's cash =
  // capital + every booking's cash change.
  std::map<std::int32_t, Money> marked;
  for (const auto& p : full->positions) {
    auto& m = marked[p.date.days()];
    m = m + p.market_value;
  }
  for (const auto& d : full->days) {
    const Money positions = marked.count(d.date.days()) ? marked[d.date.days()] : Money::zero(2);
    EXPECT_EQ((d.cash + d.receivables + positions).raw(), d.equity.raw()) << name << " " << d.date.to_string();
    EXPECT_FALSE(d.cash.is_negative()) << name << " " << d.date.to_string();
  }
  Money cash = full->starting_capital;
  for (const auto& b : full->bookings) cash = cash + b.cash_change;
  EXPECT_EQ(cash.rounded(2).raw(), full->days.back().cash.raw()) << name;

  // Look-ahead: the market generated only up to T (the same streams give the same bars up to
  // T) and a run ending at T book exactly the same fills up to T's close.
  const Date t = Date::ymd(2021, 2, 26);
  auto cut = run(ex, t, t);
  ASSERT_TRUE(cut.ok()) << cut.error().message;
  const Timestamp t_close = ExchangeCalendar::us_equities().session(t)->close;
  const auto before = fills(*full, t_close);
  EXPECT_GT(before.size(), 0u) << name;
  EXPECT_EQ(before, fills(*cut, t_close)) << name;

  // Deterministic: the same run twice books the same fills.
  auto again = run(ex, kDataEnd, kDataEnd);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(all, fills(*again));
}

INSTANTIATE_TEST_SUITE_P(Examples, EquityExample,
                         ::testing::Values("ts_momentum", "xs_momentum", "mean_reversion", "target_weights",
                                           "pairs"));

}  // namespace
}  // namespace keel
