// keel/backtest/backtest_config.hpp — the backtest TOML file: run settings ([backtest]),
// lifecycle switches ([lifecycle]) and the strategy's own table (e.g. [wheel]).
//
// Contract:
// - Every key is known: an unknown key or table is an error naming the file, line and key
//   ("examples/wheel.toml:7: unknown key backtest.fil_model"); a value of the wrong type or
//   out of range names its key and line; a missing required key names its table.
// - Dates are TOML dates (2021-01-04) or strings in the same form.
// - [backtest] keys: strategy (required: a name of strategy_registry.hpp, whose table is then
//   required and no other strategy's table is allowed), start, end (required), capital (required,
//   > 0), warmup_days (calendar days of data replayed before start without trading; default
//   0), fill_model ("bar_close" | "next_open" | "quote"), option_price ("bid_ask" |
//   "mid_plus_fraction"), mid_fraction, participation_cap, slippage_bps, impact_coefficient,
//   fees (a preset name, fees.hpp), account ("cash" | "margin"), rate, dividend_yield,
//   benchmark (a symbol; default the strategy's first underlying), seed (recorded in the report;
//   keel's simulation itself draws no random numbers), db (the store path; the CLI's --db wins
//   over it, and it wins over the KEEL_DB environment variable).
// - [lifecycle] keys: auto_exercise, exercise_threshold, early_assignment_dividend,
//   early_assignment_deep_itm_put, pin_band (lifecycle.hpp).
// Thread safety: plain data.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "keel/core/result.hpp"
#include "keel/core/time.hpp"
#include "keel/engine/engine.hpp"
#include "keel/strategy/strategy.hpp"
#include "keel/strategy/strategy_registry.hpp"

namespace keel::backtest {

struct BacktestConfig {
  std::string path;           // the file it came from (for messages)
  std::string text;           // the file's text (embedded in the report)
  std::string strategy;       // a strategy_registry.hpp name: "wheel", "option_income", ...
  Date start, end;
  int warmup_days = 0;
  engine::EngineConfig engine;  // start, capital, account, execution, lifecycle, rate, yield
  std::string fee_preset = "retail";
  std::string benchmark;      // empty: the strategy's first underlying
  std::uint64_t seed = 1;
  std::string db;             // empty: not given in the file
  // The strategy named by backtest.strategy, parsed from its own table (strategy_registry.hpp).
  std::optional<strategy::StrategyFactory> factory;

  // The strategy object this config describes.
  Result<std::unique_ptr<strategy::Strategy>> make_strategy() const;
  std::vector<std::string> symbols() const;  // the strategy's underlyings
};

Result<BacktestConfig> parse_backtest_config(std::string_view text, std::string_view source_name);
Result<BacktestConfig> load_backtest_config(const std::filesystem::path& path);

}  // namespace keel::backtest
