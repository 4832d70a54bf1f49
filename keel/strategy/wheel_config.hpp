// keel/strategy/wheel_config.hpp — the wheel's parameters and their parser for the [wheel] table
// of a backtest TOML file.
//
// Contract:
// - WheelConfig holds every rule of the wheel (docs/WHEEL.md lists each key with its default,
//   range and meaning). The defaults follow the seeds' positions.json wheel section
//   (min_premium_yield 0.01, DTE window 7-45, capital_at_risk_limit 0.25) and extend it.
// - parse_wheel_config() reads the [wheel] table: `underlyings` is required, every other key is
//   optional with the default below; integers are accepted where a number is expected, never
//   the other way round. Unknown keys, wrong types, out-of-range values and inconsistent pairs
//   (min_dte > max_dte, target_dte outside the window) are errors that name the source, the line
//   and the key, e.g. "examples/wheel.toml:14: wheel.put_delta = 1.4 out of range (0, 1)". A
//   missing required key names the table's line. Nothing is clamped or defaulted silently.
// - validate() applies the same ranges to a config built in code (tests, custom strategies).
// Validated by wheel_config_test.cpp: every error kind with its message and line, a full example.
// Thread safety: plain value type and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "keel/core/fixed_point.hpp"
#include "keel/core/result.hpp"

namespace keel::strategy {

// How the short put's strike is chosen: |delta| closest to put_delta, or the risk-neutral
// probability of finishing out of the money (1 - prob_itm) closest to put_probability_otm.
enum class PutSelection : std::uint8_t { kDelta, kProbability };
std::string_view to_string(PutSelection s) noexcept;

// Which strikes a covered call may use: at or above the premium-adjusted (wheel) basis per
// share, at or above the plain basis (the assignment strike), or any strike (delta only).
enum class CallStrikePolicy : std::uint8_t { kAdjustedBasis, kPlainBasis, kDeltaOnly };
std::string_view to_string(CallStrikePolicy p) noexcept;

struct WheelConfig {
  std::vector<std::string> underlyings;          // required, distinct tickers
  PutSelection put_selection = PutSelection::kDelta;
  double put_delta = 0.30;                       // (0, 1): target |delta| of the short put
  double put_probability_otm = 0.70;             // (0, 1): target 1 - prob_itm (probability mode)
  int min_dte = 7;                               // [0, 730]
  int max_dte = 45;                              // [0, 730], >= min_dte
  int target_dte = 30;                           // [min_dte, max_dte]: preferred expiry
  double min_premium_yield = 0.01;               // [0, 1): bid / strike of a new put
  double iv_rank_min = 0.0;                      // [0, 100]: 0 = filter off
  int iv_rank_lookback = 252;                    // [2, 2520] sessions
  int contracts_max = 10;                        // [1, 100000] per position
  double capital_at_risk_limit = 0.25;           // (0, 1]: strike x mult x contracts / equity
  double cash_buffer = 0.05;                     // [0, 1): fraction of equity kept free
  CallStrikePolicy call_strike_policy = CallStrikePolicy::kAdjustedBasis;
  double call_delta = 0.30;                      // (0, 1): target delta of covered calls
  // [0, 1000] per share: a covered call is sold only for at least this bid, so the wheel does
  // not write calls whose premium the commission eats (0.04 x 100 = $4 against $0.65 + fees).
  Price min_call_premium = Price::from_raw(5'000'000, 2);  // 0.05
  double profit_take = 0.50;                     // [0, 1): buy back at ask <= (1 - x) credit; 0 = off
  double stop_loss_multiple = 2.0;               // 0 = off, else (1, 100]: buy back at ask >= x credit
  int roll_dte = 5;                              // [0, 365]
  double roll_delta = 0.50;                      // (0, 1]
  bool roll_for_credit_only = true;
  Price roll_min_credit = Price::zero(2);        // [0, 1000] per share
  bool allow_roll_down_up = true;                // false: roll to the same strike
  bool close_before_expiry = false;              // true: buy back on the expiration day

  // The same ranges as the parser; kInvalidArgument naming the field and value.
  Status validate() const;
};

// Parses the [wheel] table `wheel` of a file called `source_name` (used in messages only).
Result<WheelConfig> parse_wheel_config(const toml::table& wheel, std::string_view source_name);

}  // namespace keel::strategy
