// keel/strategy/rebalance.hpp — the rebalancing shared by the equity strategies: a schedule
// (which sessions rebalance) and the arithmetic that turns target weights into whole-share
// orders (docs/EQUITY_STRATEGIES.md, "Rebalancing").
//
// Contract:
// - Schedule: daily, weekly (Monday-based weeks) or monthly; the first or the last session of
//   the period by the exchange calendar (a published calendar, so knowing that tomorrow is in a
//   new month is not look-ahead). Holidays move the boundary: the first session of a month
//   whose 1st is a holiday is the next trading day.
// - plan_rebalance(): target weight w (fraction of equity; < 0 short, only with allow_short)
//   per symbol; symbols held but not targeted go to 0. Investable equity E' = equity x (1 -
//   cash_buffer). Target shares n* = sign(w) x floor(|w| x E' / close): rounding toward zero,
//   so no position exceeds its weight. A change n* - n is traded only when its value |n* - n| x
//   close is >= drift_band x equity and >= min_trade_value (no churn); a full exit (n* = 0) is
//   always traded. Sells (long reductions, short sales) come first, then buys, each group in
//   symbol order. Buys are paid from cash + sell proceeds - cash_buffer x equity; when they
//   need more, every buy is cut to floor(shares x available / needed) (proportional, whole
//   shares) and a buy cut to 0 is dropped. Weights must be finite with gross sum |w| <= max_gross.
// - rebalance(): the same on a Context: positions and equity from the portfolio, the close from
//   the last bar in history (<= now), working orders on the symbols canceled first, then market
//   DAY orders submitted sells first. A refused order is logged and skipped.
// Errors name the symbol or rule (kInvalidArgument). Deterministic; double arithmetic only in
// the share counts, every value is re-derived from the fixed-point closes.
// Validated by rebalance_test.cpp: hand-worked plans (rounding, band, exits, order, cash cut,
// buffer, shorts) and schedule boundaries around holidays.
// Thread safety: pure functions; rebalance() acts on the Context of the calling strategy.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "keel/core/calendar.hpp"
#include "keel/core/result.hpp"
#include "keel/strategy/strategy.hpp"

namespace keel::strategy {

enum class RebalanceFrequency : std::uint8_t { kDaily, kWeekly, kMonthly };
enum class RebalanceSession : std::uint8_t { kFirst, kLast };
std::string_view to_string(RebalanceFrequency f) noexcept;
std::string_view to_string(RebalanceSession s) noexcept;

struct Schedule {
  RebalanceFrequency frequency = RebalanceFrequency::kMonthly;
  RebalanceSession session = RebalanceSession::kLast;
};

// Whether trading day `d` is a rebalance session of `schedule`; an error when d is not a
// trading day or lies outside the calendar.
Result<bool> is_rebalance_session(const ExchangeCalendar& calendar, Date d, const Schedule& schedule);

struct RebalanceRules {
  double cash_buffer = 0.02;     // [0, 1): fraction of equity kept in cash
  double drift_band = 0.01;      // [0, 1): trade a change only when its value >= band x equity
  double min_trade_value = 0.0;  // [0, 1e9] dollars
  double max_gross = 1.0;        // (0, 10]: sum |w| allowed
  bool allow_short = false;
  Status validate() const;
};

struct Holding {
  std::string symbol;
  InstrumentId id;
  std::int64_t shares = 0;  // signed
  Price close;              // > 0
};

struct PlannedOrder {
  std::string symbol;
  InstrumentId id;
  execution::OrderSide side = execution::OrderSide::kBuy;
  std::int64_t shares = 0;         // > 0
  std::int64_t target_shares = 0;  // n* before any cash cut
  double weight = 0.0;             // the target weight
};

// `holdings` has one entry per symbol that is held or targeted (a targeted symbol needs one,
// with its close); `targets` maps symbols to weights.
Result<std::vector<PlannedOrder>> plan_rebalance(const std::map<std::string, double, std::less<>>& targets,
                                                 const std::vector<Holding>& holdings, Money equity, Money cash,
                                                 const RebalanceRules& rules);

// Plans against the Context and submits (see the contract). `universe`: the strategy's symbols
// (held ones not in `targets` are closed). Returns the number of orders submitted. Symbols
// without a bar yet are left out (a weight on one is logged and dropped).
Result<int> rebalance(Context& ctx, const std::map<std::string, double, std::less<>>& targets,
                      const std::vector<std::string>& universe, const RebalanceRules& rules, std::string_view reason);

}  // namespace keel::strategy
