// keel/backtest/run_record.hpp — everything one backtest run produced, as plain data: the
// daily equity record, the trade log (bookings), closed trades, daily positions, lifecycle
// events and the run's settings. Metrics (metrics.hpp) and the report writers (report.hpp)
// read only this, so a report can be regenerated from a saved record.
//
// Contract:
// - days are in date order, one per trading session of the run, taken after that session's
//   close and every booking of the day (marks at the close / snapshot mid).
// - Greeks are portfolio dollar Greeks: delta_dollars = sum qty x multiplier x delta x S
//   (stock: qty x S), gamma_dollars = sum qty x mult x gamma x S^2 / 100 (per 1% move),
//   vega_dollars per vol point, theta_dollars per calendar day.
// Thread safety: plain data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "keel/core/fixed_point.hpp"
#include "keel/core/time.hpp"
#include "keel/portfolio/portfolio.hpp"

namespace keel::backtest {

struct DailyRecord {
  Date date;
  Money equity;
  Money cash;
  Money receivables;          // dividends receivable + interest accrued: in equity, not yet cash
  Money benchmark_equity;     // buy-and-hold of the benchmark with the same starting capital
  Money premium_collected;    // cumulative gross option credits
  Money fees_paid;            // cumulative
  Money gross_exposure;       // sum |market value| of positions
  Money cash_reserved;        // cash the account rules hold against positions (cash account)
  double delta_dollars = 0.0, gamma_dollars = 0.0, vega_dollars = 0.0, theta_dollars = 0.0;
  int open_positions = 0;
};

struct PositionSnapshot {
  Date date;
  std::string symbol;
  std::string underlying;  // the ticker itself for stock
  Quantity quantity;
  Price mark;
  Money market_value;
  Money unrealized_pnl;
  double delta = 0.0;  // per share (1 for stock)
};

struct LifecycleRecord {
  Date date;
  std::string kind;        // strategy::to_string(OptionEventKind), or "called_away"
  std::string symbol;      // the option
  std::string underlying;
  Quantity contracts;
  Price strike;
  Price underlying_price;
  std::string rule;
};

// P&L of one instrument kind on one underlying over the run (docs/REPORTS.md, "P&L
// attribution"): realized from the bookings (fills, expiries, exercise and assignment,
// dividends, splits' cash in lieu) with fees added back, the fees themselves, and the
// unrealized P&L of the positions still open at the end (marked as the last day). Identity:
// the sum of total() over all rows == final equity - starting capital, exactly.
struct PnlAttribution {
  std::string underlying;    // "USD" for interest on cash
  std::string kind;          // "option", "stock" or "interest"
  Money realized;            // before fees
  Money fees;                // commission + regulatory fees (>= 0)
  Money unrealized;
  Money total() const { return realized - fees + unrealized; }
};

// One sleeve of a multi-strategy run (engine.hpp sleeves) at the end of the run, from its own
// ledger. The sleeves' trading P&L adds up to the account's: sum over sleeves of (equity -
// interest) = account (equity - interest) - the unallocated capital.
struct SleeveRecord {
  std::string name;
  std::vector<std::string> underlyings;
  double weight = 0.0;
  Money starting_cash;   // weight x capital
  Money final_equity;
  Money cash;
  Money interest;        // posted and accrued on the sleeve's own cash
  Money fees;
  Money premium_collected;
};

struct RunRecord {
  std::string strategy;            // name
  std::string config_path;
  std::string config_text;         // the TOML as read (embedded in the report)
  std::string fill_model, fee_schedule, account_type;
  std::uint64_t seed = 0;
  Date start, end;
  Money starting_capital;
  std::string benchmark;           // symbol of the buy-and-hold benchmark
  std::vector<DailyRecord> days;
  std::vector<portfolio::Booking> bookings;
  std::vector<portfolio::ClosedTrade> closed_trades;
  std::vector<PositionSnapshot> positions;   // one row per open position per day
  std::vector<LifecycleRecord> lifecycle;
  std::vector<std::string> log;              // strategy log lines, "YYYY-MM-DD HH:MM:SS message"
  std::vector<std::string> data_warnings;    // gaps and other data problems found during the run
  Money traded_notional;                     // sum |qty x price x multiplier| over fills
  std::vector<PnlAttribution> attribution;   // by (underlying, kind), sorted
  Money final_equity;                        // the portfolio's equity after the last session, exact
  double risk_free_rate = 0.0;               // the run's rate (annual): the Sharpe ratios' hurdle
  std::vector<SleeveRecord> sleeves;         // multi-strategy runs only, in sleeve order
  Money interest;                            // net interest on cash (posted and accrued)
};

}  // namespace keel::backtest
