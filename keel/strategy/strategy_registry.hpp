// keel/strategy/strategy_registry.hpp — the built-in strategies by name: for the
// `backtest.strategy` of a TOML file, parse that strategy's own table and return a factory for
// it and the underlyings it trades. The backtest config (keel/backtest/backtest_config.cpp) asks
// only this; a new built-in strategy is one entry in strategy_registry.cpp.
//
// Contract:
// - Each strategy owns the root table named like itself ([wheel], [option_income],
//   [delta_hedged_vol]). Its parser reports unknown keys, wrong types and out-of-range values
//   naming the file, the line and the key; a missing table names the strategy.
// - `account` is the run's account type: a strategy whose structure needs a margin account
//   (undefined risk, short stock) is refused at config time with the reason.
// - The factory builds a fresh strategy each call (a run owns its instance).
// Validated by strategy_registry_test.cpp (every name, the missing-table and unknown-name
// errors) and by tests/strategies_test.cpp (every examples/*.toml runs).
// Thread safety: pure functions over immutable tables.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "keel/core/result.hpp"
#include "keel/portfolio/portfolio.hpp"
#include "keel/strategy/strategy.hpp"

namespace keel::strategy {

struct StrategyFactory {
  std::string name;                                      // "wheel", "option_income", ...
  std::function<std::unique_ptr<Strategy>()> make;       // never empty on success
  std::vector<std::string> underlyings;                  // what the strategy trades
};

// Registered names in a fixed order (each is also the name of its TOML table).
std::vector<std::string_view> strategy_names();
bool is_strategy_name(std::string_view name);

// Parses the table `[name]` of `root` (a file called `source`, for messages). Errors: the name is
// not registered ("backtest.strategy 'x' is not known (known: ...)", prefixed with
// `name_where`), the table is missing, or the strategy's own parser fails.
Result<StrategyFactory> make_strategy_factory(std::string_view name, const toml::table& root, std::string_view source,
                                              portfolio::AccountType account, std::string_view name_where = {});

}  // namespace keel::strategy
