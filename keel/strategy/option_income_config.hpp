// keel/strategy/option_income_config.hpp — the parameters of the option income strategy
// (option_income.hpp) and their parser for the [option_income] table of a backtest TOML file.
//
// Contract:
// - OptionIncomeConfig holds every rule; docs/STRATEGIES.md lists each key with its default,
//   range and meaning per structure. `underlyings` and `structure` are required.
// - Strike selection: short legs by |delta| closest to short_delta (a straddle's strikes are
//   the listed strike nearest the underlying). Long legs (wings) by exactly one of: wing_width
//   (dollars from the short strike, the listed strike nearest it on the far side), wing_strikes
//   (that many listed strikes further out), long_delta (|delta| closest, further out than the
//   short strike for verticals/condors; any strike other than the short one on the far expiry
//   for a diagonal). Structures with wings need one of them; others must not set any.
// - Exits compare P&L per share (entry net credit - current cost to close at bid/ask) with the
//   entry premium |net|: profit_target (P&L >= x premium; for credit structures x <= 1),
//   loss_limit (loss >= x premium; for debit structures x <= 1), exit_dte (nearest leg's DTE <=
//   it; -1 holds to expiry), tested (exit_when_tested: the underlying at or through a short
//   strike within tested_band x strike).
// - Undefined-risk structures (short_strangle, short_straddle) and call calendars/diagonals
//   (keel's cash account pairs only same-expiry verticals, so the near short call would be
//   uncovered) are refused at config time for a cash account, naming the key and the account.
// - validate() applies the same ranges to a config built in code; parse errors name
//   "<file>:<line>: option_income.<key>".
// Validated by option_income_test.cpp (parser errors, each structure end to end on hand chains).
// Thread safety: plain value type and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "keel/core/fixed_point.hpp"
#include "keel/core/result.hpp"
#include "keel/model/instrument.hpp"
#include "keel/portfolio/portfolio.hpp"

namespace keel::strategy {

enum class IncomeStructure : std::uint8_t {
  kCoveredCall,
  kCashSecuredPut,
  kBullPut,
  kBearCall,
  kIronCondor,
  kShortStrangle,
  kShortStraddle,
  kCalendar,
  kDiagonal,
};
std::string_view to_string(IncomeStructure s) noexcept;
bool has_wings(IncomeStructure s) noexcept;           // bull_put, bear_call, iron_condor, diagonal
bool is_undefined_risk(IncomeStructure s) noexcept;   // short_strangle, short_straddle
bool is_two_expiry(IncomeStructure s) noexcept;       // calendar, diagonal
bool is_debit_structure(IncomeStructure s) noexcept;  // calendar, diagonal

struct OptionIncomeConfig {
  std::vector<std::string> underlyings;            // required, distinct tickers
  IncomeStructure structure = IncomeStructure::kIronCondor;  // required in the file
  OptionRight right = OptionRight::kPut;           // calendar / diagonal only
  // Entry expiry (the near leg of a calendar/diagonal): dte in [min_dte, max_dte], closest to
  // target_dte, then the next closest in turn.
  int min_dte = 25, max_dte = 60, target_dte = 45;  // [0, 730]
  // Far leg of calendar / diagonal: strictly later than the near expiry.
  int far_min_dte = 50, far_max_dte = 120, far_target_dte = 75;
  double short_delta = 0.20;                       // (0, 1)
  Price wing_width = Price::zero(2);               // 0 = unused; (0, 10000] dollars per share
  int wing_strikes = 0;                            // 0 = unused; [1, 50]
  double long_delta = 0.0;                         // 0 = unused; (0, 1)
  Price min_credit = Price::from_raw(10'000'000, 2);  // [0, 10000] per share: credit structures
  double min_credit_to_width = 0.0;                // [0, 1): verticals and condors (credit / width)
  Price max_debit = Price::zero(2);                // 0 = off; debit structures: most paid per share
  double iv_rank_min = 0.0;                        // [0, 100]: 0 = filter off
  int iv_rank_lookback = 252;                      // [2, 2520] sessions
  int contracts_max = 10;                          // [1, 100000] per position
  double capital_at_risk = 0.10;                   // (0, 1]: max loss per position / equity
  double profit_target = 0.50;                     // 0 = off, else (0, 100]
  double loss_limit = 2.0;                         // 0 = off, else (0, 100]; debit: (0, 1], parsed default 0.5
  int exit_dte = 7;                                // [-1, 730]: -1 = hold to expiry
  bool exit_when_tested = false;
  double tested_band = 0.0;                        // [0, 0.5]: fraction of the short strike

  // Same ranges as the parser, and the account rule above; kInvalidArgument naming the field.
  Status validate(portfolio::AccountType account = portfolio::AccountType::kMargin) const;
};

// Parses the [option_income] table of a file called `source_name` for a run in `account`.
Result<OptionIncomeConfig> parse_option_income_config(const toml::table& table, std::string_view source_name,
                                                      portfolio::AccountType account);

}  // namespace keel::strategy
