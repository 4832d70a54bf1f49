// Every examples/*.toml runs end to end on a synthetic market (docs/SYNTHETIC_MARKET.md, the
// default ACME and ZEPH, 2019 only here to keep the test short): it completes, trades, and the
// ledger adds up — the P&L attribution's rows sum exactly to final equity - starting capital
// (the portfolio's identity realized + unrealized == equity - starting cash, portfolio.hpp),
// cash equals the starting capital plus every booking's cash change, and the last day's
// recorded equity is the run's final equity to the cent. Also the registry's config errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "keel/backtest/backtest_config.hpp"
#include "keel/backtest/metrics.hpp"
#include "keel/backtest/report.hpp"
#include "keel/backtest/runner.hpp"
#include "keel/data/synthetic_market.hpp"
#include "keel/testkit/memory_store.hpp"
#include "keel/testkit/trading_fixtures.hpp"

namespace keel {
namespace {

testkit::MemoryStore& market() {
  static testkit::MemoryStore* store = [] {
    data::SynthConfig c = data::SynthConfig::default_config();
    c.end = Date::ymd(2019, 12, 31);
    auto* s = new testkit::MemoryStore();
    auto r = data::generate_market(c, *s, Timestamp::from_date(Date::ymd(2024, 1, 2)));
    EXPECT_TRUE(r.ok()) << (r ? "" : r.error().message);
    return s;
  }();
  return *store;
}

std::vector<std::filesystem::path> examples() {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(KEEL_SOURCE_DIR) + "/examples")) {
    if (e.path().extension() == ".toml") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Strategies, EveryExampleCompletesTradesAndBalances) {
  const auto files = examples();
  ASSERT_GE(files.size(), 11u);  // wheel + nine option_income structures + delta_hedged_vol
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    auto cfg = backtest::load_backtest_config(path);
    ASSERT_TRUE(cfg.ok()) << cfg.error().message;
    // The equity strategies' examples have their own scenario test (equity_strategies_test.cpp).
    if (cfg->strategy != "wheel" && cfg->strategy != "option_income" && cfg->strategy != "delta_hedged_vol") continue;
    backtest::RunOverrides o;
    o.end = Date::ymd(2019, 12, 31);
    ASSERT_TRUE(backtest::apply_overrides(*cfg, o).ok());
    auto run = backtest::run_backtest(*cfg, market());
    ASSERT_TRUE(run.ok()) << run.error().message;
    ASSERT_FALSE(run->days.empty());
    EXPECT_EQ(run->strategy, cfg->strategy);

    int option_fills = 0;
    Money cash_flow = run->starting_capital;
    for (const auto& b : run->bookings) {
      if (b.kind == portfolio::BookingKind::kFill && b.instrument->is_option()) ++option_fills;
      cash_flow += b.cash_change;
    }
    EXPECT_GT(option_fills, 4) << "the example hardly trades";

    Money attributed = Money::zero(2);
    for (const auto& a : run->attribution) {
      EXPECT_FALSE(a.fees.is_negative()) << a.underlying << " " << a.kind;
      attributed += a.total();
    }
    EXPECT_EQ(attributed, run->final_equity - run->starting_capital)
        << "attribution " << attributed.to_string() << " vs net P&L "
        << (run->final_equity - run->starting_capital).to_string();
    EXPECT_EQ(run->final_equity.rounded(2), run->days.back().equity);
    // Dividends receivable are not in any booking's cash change until paid: allow only that.
    EXPECT_EQ(cash_flow.rounded(2), run->days.back().cash);

    auto metrics = backtest::compute_metrics(*run);
    ASSERT_TRUE(metrics.ok()) << metrics.error().message;
    const auto summary = backtest::summary_json(*run, *metrics);
    EXPECT_EQ(summary["attribution"]["total"].get<std::string>(), backtest::money_text(attributed));
  }
}

TEST(Strategies, RegistryErrorsNameTheFileLineAndKey) {
  const std::string head = "[backtest]\nstart = 2019-04-01\nend = 2019-06-28\ncapital = 100000\n";
  auto unknown = backtest::parse_backtest_config(head + "strategy = \"butterfly\"\n", "t.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message,
            "t.toml:5: backtest.strategy 'butterfly' is not known (known: wheel, option_income, delta_hedged_vol, "
            "ts_momentum, xs_momentum, mean_reversion, target_weights, pairs, multi)");

  auto missing = backtest::parse_backtest_config(head + "strategy = \"option_income\"\n", "t.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "t.toml: backtest.strategy = \"option_income\" needs a [option_income] table");

  auto other = backtest::parse_backtest_config(
      head + "strategy = \"option_income\"\n[option_income]\nunderlyings = [\"ACME\"]\nstructure = \"bull_put\"\n"
             "wing_width = 5\n[wheel]\nunderlyings = [\"ACME\"]\n",
      "t.toml");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().message, "t.toml:10: [wheel] is not used: backtest.strategy = \"option_income\"");

  auto typo = backtest::parse_backtest_config(
      head + "strategy = \"option_income\"\n[option_income]\nunderlyings = [\"ACME\"]\nstructure = \"bull_put\"\n"
             "wing_widht = 5\n",
      "t.toml");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().message, "t.toml:9: unknown key option_income.wing_widht");

  // Undefined risk in a cash account (the default account) is refused at config time.
  auto naked = backtest::parse_backtest_config(
      head + "strategy = \"option_income\"\n[option_income]\nunderlyings = [\"ACME\"]\nstructure = "
             "\"short_strangle\"\n",
      "t.toml");
  ASSERT_FALSE(naked.ok());
  EXPECT_EQ(naked.error().message,
            "t.toml:8: option_income.structure = \"short_strangle\" has undefined risk (a naked short call) and needs "
            "backtest.account = \"margin\"; the cash account cannot hold it");
  auto margin = backtest::parse_backtest_config(
      head + "account = \"margin\"\nstrategy = \"option_income\"\n[option_income]\nunderlyings = [\"ACME\"]\n"
             "structure = \"short_strangle\"\n",
      "t.toml");
  ASSERT_TRUE(margin.ok()) << margin.error().message;
  EXPECT_EQ(margin->symbols(), std::vector<std::string>{"ACME"});
  auto strategy = margin->make_strategy();
  ASSERT_TRUE(strategy.ok());
  EXPECT_EQ((*strategy)->name(), "option_income");

  auto vol_cash = backtest::parse_backtest_config(
      head + "strategy = \"delta_hedged_vol\"\n[delta_hedged_vol]\nunderlyings = [\"ACME\"]\ndirection = \"long\"\n",
      "t.toml");
  ASSERT_FALSE(vol_cash.ok());
  EXPECT_NE(vol_cash.error().message.find("t.toml:8: delta_hedged_vol needs backtest.account = \"margin\""),
            std::string::npos)
      << vol_cash.error().message;
}

// Hand-worked attribution (margin account, 100,000 to start):
//   buy 1 call 100 at 2.00 (fee 0.65), sell it at 3.00 (fee 0.65): option realized +100.00
//   sell 10 ACME short at 100.00, buy them back at 101.00 (no fees): stock realized -10.00
//   buy 1 put 95 at 1.50 (fee 0.65), marked at 1.20: option unrealized -30.00
// options: realized 100.00, fees 1.95, unrealized -30.00, total 68.05; stock: -10.00.
// Net 58.05 = equity - 100,000: cash 100,000 - 200.65 + 1,000 + 299.35 - 1,010 - 150.65 =
// 99,938.05, plus the put's 120.00 = 100,058.05.
TEST(Strategies, AttributionSplitsOptionsFromStockAndAddsUp) {
  using testkit::money;
  using testkit::px;
  using testkit::qty;
  portfolio::Portfolio pf(money("100000"), portfolio::AccountType::kMargin);
  const Instrument acme = testkit::stock(1);
  const Instrument call = testkit::option_contract(2, OptionRight::kCall, "100", Date::ymd(2024, 7, 19));
  const Instrument put = testkit::option_contract(3, OptionRight::kPut, "95", Date::ymd(2024, 7, 19));
  int n = 0;
  auto fill = [&](const Instrument& inst, execution::OrderSide side, const char* q, const char* price, const char* fee) {
    execution::Fill f;
    f.order_id = ClientOrderId("O-" + std::to_string(++n));
    f.instrument = inst.id;
    f.side = side;
    f.quantity = qty(q);
    f.price = px(price);
    f.commission = money(fee);
    f.regulatory_fees = money("0");
    f.ts = testkit::at(2024, 6, 3);
    const Status st = pf.apply_fill(f, inst, "test");
    ASSERT_TRUE(st.ok()) << st.error().message;
  };
  fill(call, execution::OrderSide::kBuy, "1", "2.00", "0.65");
  fill(acme, execution::OrderSide::kSell, "10", "100.00", "0");
  fill(call, execution::OrderSide::kSell, "1", "3.00", "0.65");
  fill(acme, execution::OrderSide::kBuy, "10", "101.00", "0");
  fill(put, execution::OrderSide::kBuy, "1", "1.50", "0.65");
  pf.mark(put.id, px("1.20"));

  const auto rows = backtest::attribute_pnl(pf.bookings(), pf.positions());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].underlying, "ACME");
  EXPECT_EQ(rows[0].kind, "option");
  EXPECT_EQ(rows[0].realized, money("100.00"));
  EXPECT_EQ(rows[0].fees, money("1.95"));
  EXPECT_EQ(rows[0].unrealized, money("-30.00"));
  EXPECT_EQ(rows[0].total(), money("68.05"));
  EXPECT_EQ(rows[1].kind, "stock");
  EXPECT_EQ(rows[1].realized, money("-10.00"));
  EXPECT_EQ(rows[1].fees, money("0"));
  EXPECT_EQ(rows[1].total(), money("-10.00"));
  EXPECT_EQ(pf.equity(), money("100058.05"));
  EXPECT_EQ(rows[0].total() + rows[1].total(), pf.equity() - pf.starting_cash());
}

}  // namespace
}  // namespace keel
