// keel/strategy/rebalance_config.hpp — the rebalancing keys shared by the equity strategies'
// TOML tables (ts_momentum, xs_momentum, mean_reversion, target_weights, pairs), read with the
// one config reader (ConfigReader, config_reader.hpp, whose contract gives the message formats).
//
// Contract:
// - parse_rebalance_keys reads: rebalance = "daily" | "weekly" | "monthly", rebalance_on =
//   "first" | "last", cash_buffer [0, 1), drift_band [0, 1), min_trade_value [0, 1e9],
//   max_gross (0, 10]. An absent key keeps the value already in `schedule` / `rules`.
// - rebalance_keys() lists those keys; ConfigReader::known(keys, true) admits them.
// Validated by rebalance_test.cpp and the strategies' config tests (ts_momentum_test.cpp, ...).
// Thread safety: pure functions.
#pragma once

#include <span>
#include <string_view>

#include "keel/core/result.hpp"
#include "keel/strategy/config_reader.hpp"
#include "keel/strategy/rebalance.hpp"

namespace keel::strategy {

std::span<const std::string_view> rebalance_keys();

Status parse_rebalance_keys(const ConfigReader& reader, Schedule& schedule, RebalanceRules& rules);

}  // namespace keel::strategy
