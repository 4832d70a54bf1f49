// examples/custom_strategy.cpp — a strategy written against keel's public interface only
// (keel/strategy/strategy.hpp) and run through the backtester (keel/backtest/runner.hpp).
// docs/STRATEGIES.md walks through it.
//
// The strategy: a 20/50-day moving-average crossover on one stock, all in when the fast
// average is above the slow one, flat otherwise, using keel's streaming SMA indicator.
//
// Build: part of the default build (target example_custom_strategy).
// Run:   build/release/examples/example_custom_strategy out/demo/keel.db ACME
#include <cstdio>
#include <string>

#include "keel/analytics/indicators.hpp"
#include "keel/backtest/metrics.hpp"
#include "keel/backtest/report.hpp"
#include "keel/backtest/runner.hpp"
#include "keel/data/sqlite_store.hpp"
#include "keel/strategy/strategy.hpp"

namespace {

using keel::Result;
using keel::Status;
namespace ks = keel::strategy;

class SmaCross final : public ks::Strategy {
 public:
  explicit SmaCross(std::string symbol)
      : symbol_(std::move(symbol)), fast_(*keel::analytics::Sma::create(20)), slow_(*keel::analytics::Sma::create(50)) {}

  std::string_view name() const override { return "sma_cross"; }
  std::vector<std::string> symbols() const override { return {symbol_}; }

  Status on_bar(ks::Context& ctx, const keel::Bar& bar) override {
    const keel::Instrument* stock = ctx.find_instrument(symbol_);
    if (stock == nullptr || bar.instrument != stock->id) return {};
    const double close = bar.close.to_double();
    const auto fast = fast_.update(close);
    const auto slow = slow_.update(close);
    if (!fast || !slow || ctx.warming_up()) return {};  // indicators not ready: no signal
    const keel::Quantity held = ctx.portfolio().quantity(stock->id);
    if (!ctx.open_orders().empty()) return {};
    if (*fast > *slow && held.is_zero()) {
      // Whole shares the free cash buys at the close, keeping 2% aside for price moves.
      const double cash = ctx.portfolio().cash().to_double() * 0.98;
      const auto shares = static_cast<std::int64_t>(cash / close);
      if (shares <= 0) return {};
      ks::OrderRequest buy;
      buy.instrument = stock->id;
      buy.side = keel::execution::OrderSide::kBuy;
      buy.type = keel::execution::OrderType::kMarket;
      buy.quantity = keel::Quantity::from_raw(shares * keel::kFixedScale, 0);
      buy.reason = "sma_cross: fast above slow";
      auto id = ctx.submit(buy);
      if (!id) ctx.log("buy refused: " + id.error().message);
    } else if (*fast < *slow && held.is_positive()) {
      ks::OrderRequest sell;
      sell.instrument = stock->id;
      sell.side = keel::execution::OrderSide::kSell;
      sell.type = keel::execution::OrderType::kMarket;
      sell.quantity = held;
      sell.reason = "sma_cross: fast below slow";
      auto id = ctx.submit(sell);
      if (!id) ctx.log("sell refused: " + id.error().message);
    }
    return {};
  }

 private:
  std::string symbol_;
  keel::analytics::Sma fast_, slow_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DB SYMBOL\n", argv[0]);
    return 2;
  }
  auto store = keel::data::SqliteStore::open(argv[1]);
  if (!store) {
    std::fprintf(stderr, "error: %s\n", store.error().message.c_str());
    return 1;
  }
  keel::backtest::BacktestConfig config;
  config.path = "examples/custom_strategy.cpp";
  config.start = keel::Date::ymd(2019, 6, 3);
  config.end = keel::Date::ymd(2023, 12, 29);
  config.warmup_days = 90;  // fills the 50-day average before trading starts
  config.engine.capital = keel::Money::from_raw(100'000 * keel::kFixedScale, 2);
  config.engine.execution.fill_model = keel::execution::FillModel::kNextOpen;
  config.fee_preset = "retail";
  auto fees = keel::execution::fee_preset(config.fee_preset);
  if (!fees) return 1;
  config.engine.execution.fees = *fees;

  SmaCross strategy(argv[2]);
  auto run = keel::backtest::run_backtest(config, **store, strategy);
  if (!run) {
    std::fprintf(stderr, "error: %s\n", run.error().message.c_str());
    return 1;
  }
  auto metrics = keel::backtest::compute_metrics(*run);
  if (!metrics) {
    std::fprintf(stderr, "error: %s\n", metrics.error().message.c_str());
    return 1;
  }
  std::printf("%s", keel::backtest::summary_text(*run, *metrics).c_str());
  return 0;
}
