// The account through the whole kernel: sleeves (SPEC S5) — a MultiStrategy of two scripted
// children, each in its own sleeve with a share of the capital, checked against its own ledger;
// gates by account size and by regime — and interest on cash. Expected figures are worked out by
// hand in the comments.
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "keel/engine/engine.hpp"
#include "keel/engine/script_feed_test_support.hpp"
#include "keel/strategy/multi_strategy.hpp"
#include "keel/testkit/trading_fixtures.hpp"

namespace keel::engine {
namespace {

using strategy::Context;
using testkit::money;
using testkit::px;

Quantity shares(std::int64_t n) { return Quantity::from_raw(n * kFixedScale, 0); }
using test_support::close_of;

const Date kD1 = Date::ymd(2024, 3, 4);
const Date kD2 = Date::ymd(2024, 3, 5);
const Date kD3 = Date::ymd(2024, 3, 6);

// Daily bars of ACME (id 1) and BETA (id 2) at given closes; optional open-slice actions.
class TwoStockFeed final : public test_support::ScriptFeed {
 public:
  TwoStockFeed() { instruments = {testkit::stock(1, "ACME"), testkit::stock(2, "BETA")}; }
  void session(Date d, const char* acme, const char* beta) {
    MarketSlice s;
    s.reset(close_of(d), d, SlicePhase::kClose);
    add_bar(s, 1, px(acme), shares(1'000'000));
    add_bar(s, 2, px(beta), shares(1'000'000));
    slices.push_back(std::move(s));
  }
  // An action announced and taking effect at the open of `d`.
  void open_action(Date d, CorporateAction a) {
    actions.push_back(a);
    open_actions(d, {a});
  }
};

// A child whose actions per session date are lambdas; records what it is told.
class Child final : public strategy::Strategy {
 public:
  explicit Child(std::string symbol) : symbol_(std::move(symbol)) {}
  std::map<Date, std::function<Status(Context&)>> on_day;
  std::vector<execution::Fill> fills;
  std::vector<std::string> bars_seen;
  std::vector<std::string> submit_errors;

  std::string_view name() const override { return "child"; }
  std::vector<std::string> symbols() const override { return {symbol_}; }
  Status on_bar(Context& ctx, const Bar& bar) override {
    bars_seen.push_back(ctx.instrument(bar.instrument)->symbol);
    auto it = on_day.find(ctx.today());
    return it == on_day.end() ? Status() : it->second(ctx);
  }
  Status on_fill(Context&, const execution::Fill& f) override {
    fills.push_back(f);
    return {};
  }
  // Submits a market order and remembers a refusal (refusals are outcomes here, not failures).
  std::function<Status(Context&)> trade(execution::OrderSide side, std::int64_t n) {
    return [this, side, n](Context& ctx) -> Status {
      strategy::OrderRequest r;
      r.instrument = ctx.find_instrument(symbol_)->id;
      r.side = side;
      r.type = execution::OrderType::kMarket;
      r.quantity = shares(n);
      auto id = ctx.submit(r);
      if (!id) submit_errors.push_back(id.error().message);
      return {};
    };
  }

 private:
  std::string symbol_;
};

class Logger final : public EngineObserver {
 public:
  std::vector<std::string> lines;
  void on_log(Timestamp, std::string_view m) override { lines.emplace_back(m); }
};

// Regime 0 on kD1, 1 from kD2 on.
class ScriptedRegime final : public strategy::RegimeSource {
 public:
  std::vector<std::string> symbols() const override { return {}; }
  std::optional<int> regime(Context& ctx) override { return ctx.today() < kD2 ? 0 : 1; }
};

struct SleeveRun {
  Child* a = nullptr;
  Child* b = nullptr;
  std::unique_ptr<strategy::MultiStrategy> multi;
  Logger log;
  std::unique_ptr<Engine> engine;
};

// Sleeve "a" owns ACME with 60% of 100,000; sleeve "b" owns BETA with 40%.
void build(SleeveRun& run, TwoStockFeed& feed, strategy::SleeveGate gate_a = {}, strategy::SleeveGate gate_b = {},
           std::shared_ptr<strategy::RegimeSource> regime = nullptr, double cash_rate = 0.0) {
  auto a = std::make_unique<Child>("ACME");
  auto b = std::make_unique<Child>("BETA");
  run.a = a.get();
  run.b = b.get();
  std::vector<strategy::Sleeve> sleeves;
  sleeves.push_back(strategy::Sleeve{{"a", {"ACME"}, 0.6}, std::move(a), gate_a});
  sleeves.push_back(strategy::Sleeve{{"b", {"BETA"}, 0.4}, std::move(b), gate_b});
  auto multi = strategy::MultiStrategy::create(std::move(sleeves), std::move(regime));
  ASSERT_TRUE(multi.ok()) << multi.error().message;
  run.multi = std::move(*multi);
  EngineConfig cfg;
  cfg.start = feed.slices.front().date;  // no warm-up
  cfg.capital = money("100000");
  cfg.execution.fill_model = execution::FillModel::kBarClose;
  cfg.execution.fees = *execution::fee_preset("zero");
  cfg.cash_rate = cash_rate;
  auto e = Engine::create(cfg, feed, *run.multi, &run.log);
  ASSERT_TRUE(e.ok()) << e.error().message;
  run.engine = std::move(*e);
}

TEST(Sleeves, EachSleeveSpendsOnlyItsOwnCash) {
  TwoStockFeed feed;
  feed.session(kD1, "100", "100");
  feed.session(kD2, "110", "100");
  SleeveRun run;
  build(run, feed);
  // a: 500 ACME x 100 = 50,000 <= its 60,000. b: 500 BETA x 100 = 50,000 > its 40,000, though
  // the account would still have 50,000 free: refused by b's ledger, never resized.
  run.a->on_day[kD1] = run.a->trade(execution::OrderSide::kBuy, 500);
  run.b->on_day[kD1] = run.b->trade(execution::OrderSide::kBuy, 500);
  ASSERT_TRUE(run.engine->run().ok());

  ASSERT_EQ(run.a->fills.size(), 1u);
  EXPECT_TRUE(run.b->fills.empty());
  ASSERT_EQ(run.b->submit_errors.size(), 1u);
  EXPECT_NE(run.b->submit_errors[0].find("sleeve 'b'"), std::string::npos) << run.b->submit_errors[0];
  // Routing: each child saw only its own underlying's bars (2 sessions).
  EXPECT_EQ(run.a->bars_seen, (std::vector<std::string>{"ACME", "ACME"}));
  EXPECT_EQ(run.b->bars_seen, (std::vector<std::string>{"BETA", "BETA"}));

  const auto& books = run.engine->sleeve_books();
  ASSERT_EQ(books.size(), 2u);
  // a: cash 60,000 - 50,000 = 10,000; 500 ACME marked at 110 = 55,000; equity 65,000.
  EXPECT_EQ(books[0].cash(), money("10000"));
  EXPECT_EQ(books[0].equity(), money("65000"));
  EXPECT_EQ(books[1].cash(), money("40000"));
  EXPECT_EQ(books[1].equity(), money("40000"));
  // The account: 100,000 - 50,000 = 50,000 cash, equity 105,000 = the sleeves' 65,000 + 40,000.
  EXPECT_EQ(run.engine->portfolio().cash(), money("50000"));
  EXPECT_EQ(run.engine->portfolio().equity(), money("105000"));
  EXPECT_EQ(run.engine->book("ACME").cash(), money("10000"));
  EXPECT_EQ(run.engine->book("ZZZ").cash(), money("50000"));  // no sleeve owns it: the account
}

TEST(Sleeves, AccountSizeGateAllowsOnlyReducingOrders) {
  TwoStockFeed feed;
  feed.session(kD1, "100", "100");
  feed.session(kD2, "100", "100");
  feed.session(kD3, "100", "100");
  SleeveRun run;
  // b is for accounts of 150,000 and more: with 100,000 it is disabled from the start.
  strategy::SleeveGate big;
  big.min_equity = 150'000.0;
  build(run, feed, {}, big);
  run.b->on_day[kD1] = run.b->trade(execution::OrderSide::kBuy, 10);
  run.b->on_day[kD2] = run.b->trade(execution::OrderSide::kSell, 10);  // nothing held: opens a short
  ASSERT_TRUE(run.engine->run().ok());
  ASSERT_EQ(run.b->submit_errors.size(), 2u);
  EXPECT_NE(run.b->submit_errors[0].find("sleeve 'b' is disabled (account equity 100000.00 is below min_equity "
                                         "150000.00)"),
            std::string::npos)
      << run.b->submit_errors[0];
  EXPECT_TRUE(run.b->fills.empty());
  bool logged = false;
  for (const auto& l : run.log.lines) logged = logged || l.find("sleeve 'b' disabled: account equity") != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST(Sleeves, RegimeGateStopsNewExposureButLetsPositionsClose) {
  TwoStockFeed feed;
  feed.session(kD1, "100", "100");
  feed.session(kD2, "100", "100");
  feed.session(kD3, "100", "100");
  SleeveRun run;
  strategy::SleeveGate calm;
  calm.regimes = {0};
  build(run, feed, calm, {}, std::make_shared<ScriptedRegime>());
  // kD1 (regime 0): buy 100. kD2 (regime 1): buying more is refused; kD3: selling 60 of the 100
  // held reduces the position and is accepted.
  run.a->on_day[kD1] = run.a->trade(execution::OrderSide::kBuy, 100);
  run.a->on_day[kD2] = run.a->trade(execution::OrderSide::kBuy, 100);
  run.a->on_day[kD3] = run.a->trade(execution::OrderSide::kSell, 60);
  ASSERT_TRUE(run.engine->run().ok());
  ASSERT_EQ(run.a->submit_errors.size(), 1u);
  EXPECT_NE(run.a->submit_errors[0].find("regime 1 is not in [0]"), std::string::npos) << run.a->submit_errors[0];
  ASSERT_EQ(run.a->fills.size(), 2u);
  EXPECT_EQ(run.engine->sleeve_books()[0].quantity(InstrumentId(1)), shares(40));
  EXPECT_EQ(run.engine->portfolio().quantity(InstrumentId(1)), shares(40));
}

TEST(Sleeves, SplitsAndDividendsReachTheSleeveLedger) {
  TwoStockFeed feed;
  feed.session(kD1, "100", "100");
  CorporateAction split;
  split.instrument = InstrumentId(1);
  split.kind = CorporateActionKind::kSplit;
  split.ex_date = kD2;
  split.ratio_to = 2;
  split.ratio_from = 1;
  split.ts_recv = close_of(kD1) - std::chrono::hours(48);
  feed.open_action(kD2, split);
  feed.session(kD2, "50", "100");
  CorporateAction div;
  div.instrument = InstrumentId(1);
  div.kind = CorporateActionKind::kCashDividend;
  div.ex_date = kD3;
  div.pay_date = kD3;
  div.amount = money("0.25");
  div.ts_recv = close_of(kD1) - std::chrono::hours(48);
  feed.open_action(kD3, div);
  feed.session(kD3, "50", "100");
  SleeveRun run;
  build(run, feed);
  run.a->on_day[kD1] = run.a->trade(execution::OrderSide::kBuy, 100);
  ASSERT_TRUE(run.engine->run().ok());
  // 100 shares bought at 100 (10,000) become 200 after the 2:1 split; the 0.25 dividend on 200
  // shares pays 50 on kD3. Sleeve a: 60,000 - 10,000 + 50 = 50,050 cash; the account the same
  // plus b's untouched 40,000.
  const auto& a = run.engine->sleeve_books()[0];
  EXPECT_EQ(a.quantity(InstrumentId(1)), shares(200));
  EXPECT_EQ(a.cash(), money("50050"));
  EXPECT_EQ(run.engine->portfolio().cash(), money("90050"));
}

TEST(Interest, AccruesDailyOverWeekendsAndPostsMonthly) {
  const Date thu = Date::ymd(2024, 2, 29), fri = Date::ymd(2024, 3, 1), mon = Date::ymd(2024, 3, 4);
  TwoStockFeed feed;
  feed.session(thu, "100", "100");
  feed.session(fri, "100", "100");
  feed.session(mon, "100", "100");
  SleeveRun run;
  // 3.6% ACT/360 on 100,000 is 10.00 a day (sleeves: 6.00 on a's 60,000, 4.00 on b's 40,000).
  build(run, feed, {}, {}, nullptr, 0.036);
  ASSERT_TRUE(run.engine->run().ok());
  // Thu 29 Feb: 1 day to Friday -> 10.00 accrued. Fri 1 Mar: a new month posts the 10.00 to
  // cash, then 3 days to Monday on 100,010: 100,010 x 0.036 x 3 / 360 = 30.003 -> 30.00.
  // Mon 4 Mar: 1 day on 100,010 = 10.001 -> 10.00. Cash 100,010.00, accrued 40.00.
  const portfolio::Portfolio& acct = run.engine->portfolio();
  EXPECT_EQ(acct.cash(), money("100010"));
  EXPECT_EQ(acct.interest_accrued(), money("40"));
  EXPECT_EQ(acct.interest(), money("50"));
  EXPECT_EQ(acct.equity(), money("100050"));
  int postings = 0;
  for (const auto& b : acct.bookings()) {
    if (b.kind != portfolio::BookingKind::kInterest) continue;
    ++postings;
    EXPECT_EQ(b.cash_change, money("10"));
    EXPECT_EQ(b.reason, "interest on cash to 2024-02-29");
  }
  EXPECT_EQ(postings, 1);
  // Sleeve a: 6.00 posted; 60,006 x 0.036 x 3 / 360 = 18.0018 -> 18.00; then 6.0006 -> 6.00.
  const portfolio::Portfolio& a = run.engine->sleeve_books()[0];
  EXPECT_EQ(a.cash(), money("60006"));
  EXPECT_EQ(a.interest_accrued(), money("24"));
  EXPECT_EQ(a.equity(), money("60030"));
}

TEST(Sleeves, ConfigurationErrorsNameTheProblem) {
  TwoStockFeed feed;
  feed.session(kD1, "100", "100");
  EngineConfig cfg;
  cfg.start = kD1;
  cfg.capital = money("100000");
  auto attempt = [&](std::vector<strategy::Sleeve> sleeves) -> std::string {
    auto multi = strategy::MultiStrategy::create(std::move(sleeves));
    if (!multi) return multi.error().message;
    auto e = Engine::create(cfg, feed, **multi);
    return e ? std::string() : e.error().message;
  };
  auto sleeve = [](std::string name, std::string symbol, double w) {
    return strategy::Sleeve{{std::move(name), {symbol}, w}, std::make_unique<Child>(symbol), {}};
  };
  std::vector<strategy::Sleeve> overlap;
  overlap.push_back(sleeve("a", "ACME", 0.5));
  overlap.push_back(sleeve("b", "ACME", 0.5));
  EXPECT_NE(attempt(std::move(overlap)).find("ACME is owned by two sleeves ('a' and 'b')"), std::string::npos);
  std::vector<strategy::Sleeve> heavy;
  heavy.push_back(sleeve("a", "ACME", 0.7));
  heavy.push_back(sleeve("b", "BETA", 0.4));
  EXPECT_NE(attempt(std::move(heavy)).find("weights add up to more than the capital"), std::string::npos);
  std::vector<strategy::Sleeve> foreign;
  foreign.push_back(strategy::Sleeve{{"a", {"ACME"}, 0.5}, std::make_unique<Child>("BETA"), {}});
  EXPECT_NE(attempt(std::move(foreign)).find("its strategy trades BETA"), std::string::npos);
  std::vector<strategy::Sleeve> regimes;
  regimes.push_back(sleeve("a", "ACME", 0.5));
  regimes[0].gate.regimes = {1};
  EXPECT_NE(attempt(std::move(regimes)).find("lists regimes but no regime source"), std::string::npos);
}

}  // namespace
}  // namespace keel::engine
