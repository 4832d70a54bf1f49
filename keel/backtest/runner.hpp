// keel/backtest/runner.hpp — one backtest run: a StoreFeed over the configured dates (plus
// warm-up), the engine with the configured venue, account and lifecycle rules, the strategy,
// and a recorder that turns the run into a RunRecord (run_record.hpp) for metrics and reports.
//
// Contract:
// - Deterministic: the same store contents, config and strategy give an identical RunRecord
//   (and so byte-identical report files).
// - The benchmark is a buy-and-hold of `benchmark` (default: the first underlying): the
//   starting capital buys shares at the first session's close (fractional shares allowed: it is
//   a yardstick, not an account), splits multiply the shares, cash dividends are kept as cash
//   from their ex-date. Computed in double, reported to the cent.
// - Warm-up: data from start - warmup_days (calendar) is replayed with orders refused, so
//   indicators and IV rank can fill; nothing before start is recorded.
// Thread safety: single-threaded.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "keel/backtest/backtest_config.hpp"
#include "keel/backtest/run_record.hpp"
#include "keel/data/store.hpp"
#include "keel/strategy/strategy.hpp"

namespace keel::backtest {

// Command-line overrides of the config file.
struct RunOverrides {
  std::optional<Date> start, end;
  std::optional<Money> capital;
  std::optional<execution::FillModel> fill_model;
  std::optional<std::uint64_t> seed;
};
Status apply_overrides(BacktestConfig& config, const RunOverrides& overrides);

// Progress: sessions done of the run's total (warm-up excluded).
using ProgressFn = std::function<void(std::int64_t done, std::int64_t total)>;

// P&L attribution by (underlying, instrument kind) from a run's bookings and the positions
// open at its end (run_record.hpp PnlAttribution), plus one ("USD", "interest") row for the net
// interest on cash (Portfolio::interest(): posted and accrued) when it is not zero.
std::vector<PnlAttribution> attribute_pnl(const AppendLog<portfolio::Booking>& bookings,
                                          const std::map<std::int64_t, portfolio::Position>& open,
                                          Money interest = Money::zero(2));

// Runs `strategy` under `config` (config.strategy / config.factory are ignored here).
Result<RunRecord> run_backtest(const BacktestConfig& config, data::Store& store, strategy::Strategy& strategy,
                               const ProgressFn& progress = {});
// Runs the strategy the config describes.
Result<RunRecord> run_backtest(const BacktestConfig& config, data::Store& store, const ProgressFn& progress = {});

}  // namespace keel::backtest
