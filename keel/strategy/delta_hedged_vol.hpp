// keel/strategy/delta_hedged_vol.hpp — a volatility sleeve: a long or short straddle/strangle
// per underlying, delta-hedged with the underlying's shares (delta_hedged_vol_config.hpp).
//
// Contract (per underlying, at each chain snapshot; the portfolio is the state):
// - Entry (no option position on the underlying): the expiry of [min_dte, max_dte] closest to
//   target_dte; straddle: the strike nearest the underlying price with a put and a call bid
//   (ties: the lower strike); strangle: the put and the call whose |delta| is closest to
//   strangle_delta. ONE all-or-none combo (long: both bought at the ask; short: both sold at
//   the bid; net limit per order.hpp). Contracts = min(contracts_max, floor(capital_at_risk x
//   equity / max loss per contract)); max loss: long the debit x 100, short the CBOE short
//   combination requirement (the greater side's naked requirement plus the other side's bid,
//   x 100; see option_income.hpp).
// - Hedge: options delta in shares D = sum qty x multiplier x delta (the chain's BSM delta at
//   the row's implied vol); target stock = round(-D) (nearest, halves away from zero); the order
//   is target - shares held, a market DAY order on the stock, when (daily) this is the first
//   snapshot of the session and the order is not 0, or (threshold) |D + shares held| >
//   hedge_threshold. hedge_shares() is that rule as a pure function. Right after an entry that
//   fills at once, the new position is hedged in the same snapshot.
// - Exit: options P&L per share (entry net - net to close at the touch, as option_income)
//   against the premium: profit_target, loss_limit; or the expiry's DTE <= exit_dte. The options
//   close as ONE combo and the stock hedge is flattened by a market order in the same snapshot.
//   Shares left with no option position are flattened.
// - Nothing is ordered during warm-up or while an order on the underlying is working.
// The report attributes P&L to options and stock per underlying (run_record.hpp), so the
// hedge's P&L is seen apart from the options'.
// Thread safety: one instance per run, called on the engine's thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keel/strategy/delta_hedged_vol_config.hpp"
#include "keel/strategy/strategy.hpp"

namespace keel::strategy {

class DeltaHedgedVolStrategy final : public Strategy {
 public:
  explicit DeltaHedgedVolStrategy(DeltaHedgedVolConfig config);

  std::string_view name() const override { return "delta_hedged_vol"; }
  std::vector<std::string> symbols() const override { return config_.underlyings; }
  const DeltaHedgedVolConfig& config() const noexcept { return config_; }

  Status on_chain(Context& ctx, const OptionChain& chain) override;
  Status on_option_event(Context& ctx, const OptionEvent& event) override;

  // Shares to buy (> 0) or sell (< 0) to hedge; 0 when no order is due.
  static std::int64_t hedge_shares(double options_delta_shares, std::int64_t shares_held, HedgeMode mode,
                                   double threshold, bool first_snapshot_of_session);

 private:
  struct State {
    std::optional<Date> last_date;
  };
  Status enter(Context& ctx, const OptionChain& chain);
  Status hedge(Context& ctx, const OptionChain& chain, const std::vector<portfolio::Position>& legs, bool new_session);
  Status flatten(Context& ctx, const OptionChain& chain, std::int64_t shares, const std::string& why);

  DeltaHedgedVolConfig config_;
  std::map<std::string, State, std::less<>> states_;
};

}  // namespace keel::strategy
