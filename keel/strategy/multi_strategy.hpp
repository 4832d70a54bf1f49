// keel/strategy/multi_strategy.hpp — several strategies in one account (SPEC S5): each runs in
// a sleeve with its own share of the capital and its own ledger, and may be switched on and off
// by the account's size and by the market regime.
//
// Contract:
// - Sleeves own disjoint sets of underlyings (SleeveSpec, strategy.hpp). The engine keeps one
//   ledger per sleeve beside the account (engine.hpp): a sleeve starts with weight x capital of
//   cash, and every fill, expiry, assignment, dividend and split of its underlyings is booked in
//   its ledger as in the account. Every order is checked against the sleeve's ledger (its cash,
//   its shares) and against the account, so a sleeve cannot spend another's cash.
// - Each child strategy sees a Context whose portfolio() is its sleeve's ledger and whose
//   open_orders() are its own; everything else (time, history, chains, instruments) is the
//   account's Context. Callbacks are routed by underlying: bars and chains of an underlying, and
//   fills, order updates and option events on it or its options, go to the sleeve owning it;
//   bars of an underlying no sleeve owns (a regime reference index) go to no child. Timers go
//   back to the sleeve that set them. on_start and on_end go to every child, in sleeve order.
// - Gates (SleeveGate), evaluated before each routed market callback (bar, chain, timer) from
//   what is known at now(): the account's equity within [min_equity, max_equity) (an account
//   size tier), and the regime (RegimeSource) in the sleeve's list. A sleeve whose gate is
//   closed keeps receiving callbacks, so it can manage what it holds, but may only reduce
//   positions: an order that opens or adds to a position is refused with a reason naming the
//   gate ("sleeve 'condor' is disabled: regime 2 not in [0, 1]"). Changes of state are logged.
//   With an unknown regime (the source is not ready) a sleeve that lists regimes is disabled.
// - Deterministic; the children's order is the sleeves' order.
// Thread safety: one instance per run, called on the engine's thread.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keel/strategy/strategy.hpp"

namespace keel::strategy {

// The current market regime, from data known at ctx.now() only.
class RegimeSource {
 public:
  virtual ~RegimeSource() = default;
  // Underlyings whose bars the source needs (loaded by the engine; owned by no sleeve).
  virtual std::vector<std::string> symbols() const = 0;
  // The regime at ctx.now() (0-based state), or nullopt while not known yet.
  virtual std::optional<int> regime(Context& ctx) = 0;
};

struct SleeveGate {
  std::optional<double> min_equity;  // enabled while account equity >= min_equity
  std::optional<double> max_equity;  // ... and < max_equity
  std::vector<int> regimes;          // enabled in these regimes only; empty: in any regime
};

struct Sleeve {
  SleeveSpec spec;  // name, underlyings, weight
  std::unique_ptr<Strategy> strategy;
  SleeveGate gate;
};

class MultiStrategy final : public Strategy {
 public:
  // Errors: no sleeve; a sleeve without a strategy; a child whose symbols() are not all in its
  // sleeve's underlyings; regimes listed without a regime source; min_equity >= max_equity.
  static Result<std::unique_ptr<MultiStrategy>> create(std::vector<Sleeve> sleeves,
                                                       std::shared_ptr<RegimeSource> regime = nullptr);
  ~MultiStrategy() override;

  std::string_view name() const override { return "multi"; }
  std::vector<std::string> symbols() const override;
  std::vector<std::string> option_symbols() const override;  // the children's
  std::vector<SleeveSpec> sleeves() const override;

  Status on_start(Context& ctx) override;
  Status on_bar(Context& ctx, const Bar& bar) override;
  Status on_chain(Context& ctx, const OptionChain& chain) override;
  Status on_fill(Context& ctx, const execution::Fill& fill) override;
  Status on_order_update(Context& ctx, const execution::Order& order) override;
  Status on_timer(Context& ctx, const Timer& timer) override;
  Status on_option_event(Context& ctx, const OptionEvent& event) override;
  Status on_end(Context& ctx) override;

  std::size_t size() const noexcept { return sleeves_.size(); }
  const Sleeve& sleeve(std::size_t i) const { return sleeves_[i]; }
  // Whether sleeve i's gate was open at its last evaluation (true before any).
  bool enabled(std::size_t i) const { return !disabled_[i].has_value(); }

 private:
  class SleeveContext;
  MultiStrategy(std::vector<Sleeve> sleeves, std::shared_ptr<RegimeSource> regime);
  std::optional<std::size_t> owner_of(std::string_view underlying) const;
  std::optional<std::size_t> owner_of(const Context& ctx, InstrumentId id) const;
  // Re-evaluates sleeve i's gate (logging a change) and returns its context.
  SleeveContext& enter(Context& ctx, std::size_t i, bool evaluate_gate);

  std::vector<Sleeve> sleeves_;
  std::shared_ptr<RegimeSource> regime_;
  std::vector<std::unique_ptr<SleeveContext>> contexts_;
  std::vector<std::optional<std::string>> disabled_;  // per sleeve: why its gate is closed
};

}  // namespace keel::strategy
