// keel/strategy/multi_strategy_config.hpp — the [multi] table: several built-in strategies in
// one account (multi_strategy.hpp), each in a sleeve, optionally gated by account size and by an
// HMM regime.
//
//   [backtest]
//   strategy = "multi"
//   [multi.regime]              # optional: HmmRegime (hmm_regime.hpp keys)
//   symbol = "ARGO"
//   [[multi.sleeve]]
//   name = "income"             # unique
//   strategy = "wheel"          # any registered strategy but "multi"
//   weight = 0.5                # fraction of the capital, (0, 1]; weights sum to <= 1
//   regimes = [0]               # optional: trade only in these regimes (needs [multi.regime])
//   min_equity = 0              # optional: account equity tier [min_equity, max_equity)
//   max_equity = 1e9
//   [multi.sleeve.wheel]        # the child's own table, as at top level
//   underlyings = ["ACME"]
//
// Contract: unknown keys are errors naming file, line and key; the children's tables go through
// the registry (strategy_registry.hpp) exactly as a single strategy's would; a sleeve's
// underlyings are its strategy's; overlapping underlyings, weights over 1, regimes without a
// [multi.regime] table and nested "multi" are errors naming the sleeve.
// Thread safety: pure.
#pragma once

#include <string_view>

#include <toml++/toml.h>

#include "keel/core/result.hpp"
#include "keel/portfolio/portfolio.hpp"
#include "keel/strategy/strategy_registry.hpp"

namespace keel::strategy {

Result<StrategyFactory> parse_multi_strategy(const toml::table& multi, std::string_view source,
                                             portfolio::AccountType account);

}  // namespace keel::strategy
