// keel/strategy/rebalance_config.hpp — reading a strategy's TOML table for the equity
// strategies (ts_momentum, xs_momentum, mean_reversion, target_weights, pairs): a small checked
// reader and the rebalancing keys they share.
//
// Contract:
// - Errors name "<source>:<line>: <table>.<key> ...": unknown keys, wrong types (an integer is
//   accepted where a number is expected, never the other way round), out-of-range values, a
//   choice outside its list, a missing required key (naming the table's line). Nothing is
//   clamped or defaulted silently: an absent optional key keeps the default in the struct.
// - Shared keys (parse_rebalance_keys): rebalance = "daily" | "weekly" | "monthly", rebalance_on
//   = "first" | "last", cash_buffer [0, 1), drift_band [0, 1), min_trade_value [0, 1e9],
//   max_gross (0, 10].
// Validated by the strategies' config tests (ts_momentum_test.cpp and the others).
// Thread safety: a reader is used by one thread; it only reads the table.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "keel/core/result.hpp"
#include "keel/strategy/rebalance.hpp"

namespace keel::strategy {

class ConfigReader {
 public:
  ConfigReader(const toml::table& table, std::string_view source, std::string table_name);

  // Every key of the table must be in `known` (plus the shared rebalancing keys when
  // `with_rebalance_keys`).
  Status known(std::initializer_list<std::string_view> known, bool with_rebalance_keys) const;
  Status number(std::string_view key, double& field, double lo, double hi, bool lo_open = false, bool hi_open = false) const;
  Status integer(std::string_view key, int& field, int lo, int hi) const;
  Status boolean(std::string_view key, bool& field) const;
  Status text(std::string_view key, std::string& field, bool required) const;
  // One of `choices`; `index` receives its position.
  Status choice(std::string_view key, int& index, std::initializer_list<std::string_view> choices) const;
  // An array of distinct tickers (A-Z, 0-9, '.', '-', '_'), non-empty when required.
  Status symbols(std::string_view key, std::vector<std::string>& field, bool required) const;

  Error error_at(std::string_view key, const std::string& message) const;  // "<source>:<line>: message"
  std::string name(std::string_view key) const { return table_name_ + "." + std::string(key); }
  bool has(std::string_view key) const { return table_.get(key) != nullptr; }

 private:
  std::string at(const toml::node* node) const;
  const toml::table& table_;
  std::string source_;
  std::string table_name_;
};

Status parse_rebalance_keys(const ConfigReader& reader, Schedule& schedule, RebalanceRules& rules);

}  // namespace keel::strategy
