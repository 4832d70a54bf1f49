// keel/strategy/option_income.hpp — one configurable strategy for defined option structures:
// covered_call, cash_secured_put, bull_put, bear_call, iron_condor, short_strangle,
// short_straddle, calendar, diagonal (option_income_config.hpp holds the rules; docs/
// STRATEGIES.md states each structure's legs, exits and sizing with a worked example).
//
// Contract (per underlying, at each chain snapshot; the portfolio is the state):
// - IV rank exactly as the wheel: the first snapshot of each session pushes chain.atm_iv(30)
//   into an analytics::IvRankTracker (also during warm-up); a new position opens only when the
//   rank (percent) is >= iv_rank_min (0 = off; unknown rank = no entry).
// - One position per underlying. Nothing is ordered during warm-up or while an order on the
//   underlying or one of its options is working. One action per snapshot per underlying.
// - The open position is what the portfolio holds on the underlying: its entry premium is the
//   legs' cost basis (net per share, positive = debit paid), its value to close the touch
//   (shorts at the ask, longs at the bid). P&L per share = -(entry net) - (net to close).
//   Exits in this order: profit_target, loss_limit, tested short strike, exit_dte. A position
//   that no longer has the structure's legs in equal size (after an assignment or a one-sided
//   expiry), and shares left by an assignment (other than the covered call's), are closed.
// - Entries: for each expiry of the DTE window, best first (two-expiry structures: each far
//   expiry of the far window after it), the structure's legs are chosen (option_income_config
//   .hpp) and the first candidate that passes min_credit / min_credit_to_width (credit
//   structures) or max_debit (debit structures) is ordered. Every leg needs a bid.
// - Every multi-leg entry and exit is ONE all-or-none combo, bought with its legs as written:
//   net limit = sum of the asks of the legs bought - sum of the bids of the legs sold
//   (order.hpp: negative = credit). Single legs: limit at the bid (sell) / ask (buy).
// - Sizing: contracts = min(contracts_max, floor(capital_at_risk x equity / max loss per
//   contract), floor(buying power / the account's requirement per contract)). Max loss per
//   contract (x 100 per share): vertical width - credit; condor the wider wing - credit; cash-
//   secured put strike; covered call the shares' cost (underlying price); calendar the debit;
//   diagonal the debit + the strike width against it; strangle / straddle (margin only) the
//   Reg-T/CBOE short-combination requirement: the greater side's naked requirement (20% of the
//   underlying - OTM amount, at least 10% of the strike (put) / underlying (call), + its bid)
//   + the other side's bid. Integer arithmetic on fixed point.
// - Covered call: with no shares it buys contracts x 100 shares (limit at the underlying's price;
//   sized by the shares' cost); with shares, one call per 100 shares not yet covered.
// Thread safety: one instance per run, called on the engine's thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keel/analytics/iv_rank.hpp"
#include "keel/strategy/option_income_config.hpp"
#include "keel/strategy/daily_iv_rank.hpp"
#include "keel/strategy/strategy.hpp"

namespace keel::strategy {

class OptionIncomeStrategy final : public Strategy {
 public:
  // `config` must validate() for `account` (parse_option_income_config guarantees it); an
  // invalid one is a programming error (KEEL_ASSERT naming the field).
  explicit OptionIncomeStrategy(OptionIncomeConfig config,
                                portfolio::AccountType account = portfolio::AccountType::kMargin);

  std::string_view name() const override { return "option_income"; }
  std::vector<std::string> symbols() const override { return config_.underlyings; }
  const OptionIncomeConfig& config() const noexcept { return config_; }

  Status on_chain(Context& ctx, const OptionChain& chain) override;
  Status on_option_event(Context& ctx, const OptionEvent& event) override;

  std::optional<double> iv_rank(std::string_view underlying) const;  // percent; nullopt unknown

  // A structure chosen on a chain (before sizing).
  struct Leg {
    const OptionRow* row = nullptr;
    execution::OrderSide side = execution::OrderSide::kSell;
  };
  struct Candidate {
    std::vector<Leg> legs;
    Price net;              // per share, legs as written: sum ask (bought) - sum bid (sold)
    Price width;            // verticals: the wing; condor: the wider wing; diagonal: adverse width
    Money max_loss;         // per contract
    Money requirement;      // per contract, the account's rule (for the buying-power cap)
    int dte = 0;            // of the nearest leg
  };
  // The entry the strategy would order on `chain` (legs, net, risk); nullopt with `why` set.
  std::optional<Candidate> plan_entry(const OptionChain& chain, std::string& why) const;

 private:
  struct State {
    DailyIvRank iv;
  };

  Status manage(Context& ctx, const OptionChain& chain, const std::vector<portfolio::Position>& legs, bool& acted);
  Status enter(Context& ctx, const OptionChain& chain, const State& state);
  Status covered_call(Context& ctx, const OptionChain& chain, const State& state, std::int64_t shares,
                      const std::vector<portfolio::Position>& legs);
  std::optional<Candidate> build(const OptionChain& chain, Date near, std::optional<Date> far, std::string& why) const;
  bool rank_allows(Context& ctx, const std::string& u, const State& state) const;

  OptionIncomeConfig config_;
  portfolio::AccountType account_;
  std::map<std::string, State, std::less<>> states_;
};

}  // namespace keel::strategy
