// keel/strategy/delta_hedged_vol_config.hpp — the parameters of the delta-hedged volatility
// sleeve (delta_hedged_vol.hpp) and their parser for the [delta_hedged_vol] table.
//
// Contract:
// - `underlyings` and `direction` ("long" | "short") are required; every other key has the
//   default below. Unknown keys, wrong types and out-of-range values are errors naming
//   "<file>:<line>: delta_hedged_vol.<key>".
// - The sleeve needs backtest.account = "margin" in both directions: the hedge sells shares
//   short whenever the options' delta is positive, and a short straddle is undefined risk. A
//   cash account is refused at config time.
// - hedge = "daily": at the first snapshot of each session the stock is set to
//   round(-options delta in shares); "threshold": only when |options delta + shares held| >
//   hedge_threshold shares. round = nearest whole share, halves away from zero.
// Validated by delta_hedged_vol_test.cpp.
// Thread safety: plain value type and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "keel/core/result.hpp"
#include "keel/portfolio/portfolio.hpp"

namespace keel::strategy {

enum class VolDirection : std::uint8_t { kLong, kShort };
enum class VolStructure : std::uint8_t { kStraddle, kStrangle };
enum class HedgeMode : std::uint8_t { kDaily, kThreshold };
std::string_view to_string(VolDirection d) noexcept;
std::string_view to_string(VolStructure s) noexcept;
std::string_view to_string(HedgeMode m) noexcept;

struct DeltaHedgedVolConfig {
  std::vector<std::string> underlyings;        // required
  VolDirection direction = VolDirection::kLong;  // required in the file
  VolStructure structure = VolStructure::kStraddle;
  double strangle_delta = 0.25;                // (0, 0.5): |delta| of each strangle leg
  int min_dte = 20, max_dte = 60, target_dte = 30;  // [0, 730]
  int contracts_max = 10;                      // [1, 100000]
  double capital_at_risk = 0.10;               // (0, 1]: max loss (long: debit) per position / equity
  HedgeMode hedge = HedgeMode::kDaily;
  double hedge_threshold = 50.0;               // (0, 1e6] shares (threshold mode)
  int exit_dte = 5;                            // [-1, 730]: -1 = hold to expiry
  double profit_target = 0.0;                  // 0 = off, else (0, 100]: option P&L >= x premium
  double loss_limit = 0.0;                     // 0 = off, else (0, 100]: option loss >= x premium

  Status validate(portfolio::AccountType account = portfolio::AccountType::kMargin) const;
};

Result<DeltaHedgedVolConfig> parse_delta_hedged_vol_config(const toml::table& table, std::string_view source_name,
                                                           portfolio::AccountType account);

}  // namespace keel::strategy
