// keel/strategy/wheel.hpp — the wheel: sell cash-secured puts, take assignment, sell covered
// calls on the shares, get called away, repeat; with profit taking, a stop, rolling and an
// IV-rank filter. docs/WHEEL.md states every rule with a worked example.
//
// Contract (per underlying, at each chain snapshot; the portfolio is the state):
// - IV rank: the first snapshot of each session pushes chain.atm_iv(30) into an
//   analytics::IvRankTracker (iv_rank_lookback sessions), also during warm-up. The rank is in
//   percent (0..100); it is unknown until the window is full or while the window is flat.
// - Nothing is ordered during warm-up, or while an order on the underlying (or one of its
//   options) is still working.
// - Short options (each position, in instrument order): profit take when ask <= (1 -
//   profit_take) x credit; stop when ask >= stop_loss_multiple x credit; roll when dte <=
//   roll_dte and the option is in the money or |delta| >= roll_delta — one combo order, buy to
//   close the old leg and sell to open the new one (a later expiry in the DTE window, closest
//   to target_dte; strike by delta, or the same strike when allow_roll_down_up is false), net
//   limit = old ask - new bid (order.hpp: negative = credit), only for a net credit >=
//   roll_min_credit (and > 0) unless roll_for_credit_only is false; when no roll is made and
//   close_before_expiry is set, buy back on the expiration day. The credit is the position's
//   average open price. One action per snapshot per underlying.
// - Shares (after assignment): one call per 100 shares not already covered by a short call
//   (no order is working on the underlying at this point), strike >= the wheel basis
//   (adjusted_basis), the plain basis (plain_basis) or any (delta_only); delta closest to
//   call_delta; same expiry preference.
// - No shares and no short put: sell a put, |delta| closest to put_delta (or 1 - prob_itm
//   closest to put_probability_otm) on the expiry closest to target_dte inside [min_dte,
//   max_dte], the next-closest expiries tried in turn when the candidate's bid / strike is below
//   min_premium_yield; only when the IV rank is >= iv_rank_min (filter off at 0). Contracts =
//   min(contracts_max, floor(capital_at_risk_limit x equity / (strike x mult)), floor((free cash
//   - cash_buffer x equity) / (strike x mult))), free cash = buying power less what working
//   orders would take. Integer arithmetic on the fixed-point values: no rounding drift.
// - Orders: limit, DAY; sells at the bid, buys at the ask; each with a reason saying what and
//   why. Skips are logged with ctx.log ("ACME: no put passes min_premium_yield ...").
// Thread safety: one instance per run, called on the engine's thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keel/strategy/daily_iv_rank.hpp"
#include "keel/strategy/strategy.hpp"
#include "keel/strategy/wheel_config.hpp"

namespace keel::strategy {

class WheelStrategy final : public Strategy {
 public:
  // `config` must validate() (parse_wheel_config guarantees it); an invalid one is a programming
  // error (KEEL_ASSERT naming the field).
  explicit WheelStrategy(WheelConfig config);

  std::string_view name() const override { return "wheel"; }
  std::vector<std::string> symbols() const override { return config_.underlyings; }
  const WheelConfig& config() const noexcept { return config_; }

  Status on_chain(Context& ctx, const OptionChain& chain) override;
  Status on_option_event(Context& ctx, const OptionEvent& event) override;

  // Current IV rank (percent, 0..100) of an underlying; nullopt while unknown.
  std::optional<double> iv_rank(std::string_view underlying) const;

  // Lifecycle counts per underlying, from on_option_event.
  struct Counts {
    int puts_assigned = 0;
    int calls_assigned = 0;  // called away
    int expired_worthless = 0;
  };
  Counts counts(std::string_view underlying) const;

 private:
  struct State {
    DailyIvRank iv;
    Counts counts;
  };

  Status manage(Context& ctx, const OptionChain& chain, const portfolio::Position& pos, bool& acted);
  Status sell_calls(Context& ctx, const OptionChain& chain, std::int64_t lots);
  Status sell_put(Context& ctx, const OptionChain& chain, State& state);

  WheelConfig config_;
  std::map<std::string, State, std::less<>> states_;
};

}  // namespace keel::strategy
