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
#include <optional>
#include <span>
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

// ---- Signals on bar history (raw closes: a split inside the window shows as a return) ----

// Skip-adjusted momentum: close[n-1-skip] / close[n-1-lookback] - 1 over the last lookback+1
// bars (bars.back() is today); nullopt with fewer bars. 0 <= skip < lookback.
std::optional<double> momentum_return(std::span<const Bar> bars, int lookback, int skip);
// Annualised (x √252) sample standard deviation of the last `window` daily log returns;
// nullopt with fewer than window+1 bars or window < 2.
std::optional<double> realized_vol(std::span<const Bar> bars, int window);

// Base of the equity strategies: acts once per bar instant (a session close), on the first
// on_bar call of that instant, when every bar of the instant is already in history (the engine
// stores a slice's bars before calling on_bar). It first hands each universe symbol's bar of
// this instant to on_symbol_bar (in universe order), then calls on_session with whether the
// schedule rebalances today. Warm-up sessions run too (indicators fill); orders are the
// subclass's business (rebalance() is refused by the engine during warm-up, so subclasses
// check ctx.warming_up()).
class ScheduledStrategy : public Strategy {
 public:
  std::vector<std::string> symbols() const override { return universe_; }
  std::vector<std::string> option_symbols() const override { return {}; }  // stock only
  Status on_bar(Context& ctx, const Bar& bar) final;

 protected:
  ScheduledStrategy(std::vector<std::string> universe, Schedule schedule)
      : universe_(std::move(universe)), schedule_(schedule) {}
  virtual Status on_symbol_bar(Context&, std::size_t /*symbol_index*/, const Bar&) { return ok_status(); }
  virtual Status on_session(Context& ctx, bool rebalance_day) = 0;
  std::span<const Bar> bars(Context& ctx, std::size_t symbol_index, std::size_t n) const;

  std::vector<std::string> universe_;
  Schedule schedule_;

 private:
  std::optional<Timestamp> last_instant_;
};

}  // namespace keel::strategy
