// keel/strategy/strategy.hpp — the one strategy interface, used unchanged by the backtester and
// (later) live trading, and the Context through which a strategy sees the world and acts.
//
// Contract:
// - A strategy reacts to callbacks; it never pulls data by itself and never reads the wall
//   clock: Context::now() is the only time it knows (simulated in a backtest).
// - As-of only: everything the Context returns was known at now() (bars with ts_recv <= now,
//   the latest chain snapshot with ts_recv <= now, the portfolio after every event up to now).
// - Orders go through Context::submit, which assigns the client order id, runs the account's
//   pre-trade check (portfolio.hpp) and returns the id or a kRejected/kInvalidArgument error
//   naming the order and the rule. A rejected order also reaches on_order_update in state
//   rejected. Orders are never resized.
// - During warm-up (Context::warming_up()) callbacks run so that indicators can fill, but
//   submit() refuses orders.
// - A callback returning an error stops the run; the error is reported with the time.
// Writing a strategy: docs/STRATEGIES.md and examples/custom_strategy.cpp.
// Thread safety: callbacks run on the engine's thread, one at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keel/core/calendar.hpp"
#include "keel/core/fixed_point.hpp"
#include "keel/core/ids.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"
#include "keel/execution/order.hpp"
#include "keel/execution/sim_venue.hpp"
#include "keel/model/instrument.hpp"
#include "keel/model/market_data.hpp"
#include "keel/portfolio/portfolio.hpp"
#include "keel/strategy/option_chain.hpp"

namespace keel::strategy {

struct OrderRequest {
  InstrumentId instrument;                 // single-leg orders
  std::vector<execution::ComboLeg> legs;   // combos (>= 2 legs); instrument left unassigned
  execution::OrderSide side = execution::OrderSide::kBuy;
  execution::OrderType type = execution::OrderType::kLimit;
  execution::TimeInForce tif = execution::TimeInForce::kDay;
  Quantity quantity;
  std::optional<Price> limit_price;
  std::optional<Price> stop_price;
  bool all_or_none = false;
  std::string reason;  // shown in the trade log ("wheel: sell put 0.30 delta 35 DTE")
};

enum class OptionEventKind : std::uint8_t {
  kExpiredWorthless,  // long or short, out of the money at expiry
  kExercised,         // our long option, automatically at expiry (ITM by >= $0.01) or by us
  kAssigned,          // our short option, at expiry
  kEarlyAssigned,     // our short option, before expiry (ex-dividend call, deep ITM put)
  kCashSettled,       // index option settled in cash
  kPinRisk,           // the underlying closed within the pin band of a short strike on expiry day
};
std::string_view to_string(OptionEventKind k) noexcept;

struct OptionEvent {
  OptionEventKind kind = OptionEventKind::kExpiredWorthless;
  Timestamp ts;
  Instrument option;
  Quantity contracts;           // > 0
  Price underlying_price;       // the settlement / reference price
  std::string rule;             // the rule that fired, e.g. "auto-exercise: ITM by >= 0.01"
};

struct Timer {
  Timestamp ts;
  std::string tag;
};

// A sleeve (SPEC S5): one strategy's share of the account. Each sleeve owns a set of
// underlyings (disjoint between sleeves) and a fraction of the starting capital; the engine
// keeps a ledger per sleeve beside the account's (engine.hpp), and checks every order against
// the ledger of the sleeve that owns its instruments as well as against the account.
struct SleeveSpec {
  std::string name;
  std::vector<std::string> underlyings;
  double weight = 0.0;  // fraction of the starting capital, in (0, 1]; weights sum to <= 1
};

class Context {
 public:
  virtual ~Context() = default;

  virtual Timestamp now() const = 0;
  virtual Date today() const = 0;  // the exchange trading date of now()
  virtual const ExchangeCalendar& calendar() const = 0;
  virtual bool warming_up() const = 0;

  // Universe (every instrument the run knows, options included).
  virtual const Instrument* instrument(InstrumentId id) const = 0;
  virtual const Instrument* find_instrument(std::string_view symbol) const = 0;

  // The last `n` bars (fewer at the start, and at most the engine's history_limit, 100,000 by
  // default) of `id` with ts_recv <= now(), oldest first. The span stays valid until the
  // callback returns.
  virtual std::span<const Bar> history(InstrumentId id, std::size_t n) const = 0;
  // The latest chain snapshot of `underlying` known at now(); nullptr when none yet.
  virtual const OptionChain* chain(std::string_view underlying) const = 0;

  // The account: every position and all the cash.
  virtual const portfolio::Portfolio& portfolio() const = 0;
  // The ledger that books `underlying` and its options: its sleeve's when the run has sleeves
  // (a sleeve's cash is its allocation plus its own P&L), else the account. An underlying no
  // sleeve owns gets the account.
  virtual const portfolio::Portfolio& book(std::string_view underlying) const {
    (void)underlying;
    return portfolio();
  }
  // Working orders (not terminal), in submission order.
  virtual std::vector<execution::Order> open_orders() const = 0;
  virtual const execution::Order* order(const ClientOrderId& id) const = 0;

  virtual Result<ClientOrderId> submit(const OrderRequest& request) = 0;
  virtual Status cancel(const ClientOrderId& id) = 0;
  // A timer callback at `at` (> now()); delivered in time order with the data.
  virtual Status set_timer(Timestamp at, std::string tag) = 0;
  // A line in the run log (report and CLI), stamped with now().
  virtual void log(std::string_view message) = 0;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string_view name() const = 0;
  // Underlyings whose bars and chains the strategy needs (the engine loads them).
  virtual std::vector<std::string> symbols() const = 0;
  // Underlyings whose option chains the strategy needs (default: every one of symbols()); the
  // backtest loads no option quotes for the others and does not report their absence.
  virtual std::vector<std::string> option_symbols() const { return symbols(); }
  // Sleeves for the engine to keep ledgers for (a multi-strategy portfolio); none by default.
  virtual std::vector<SleeveSpec> sleeves() const { return {}; }

  virtual Status on_start(Context&) { return {}; }
  virtual Status on_bar(Context&, const Bar&) { return {}; }
  // After all bars of the same instant have been delivered.
  virtual Status on_chain(Context&, const OptionChain&) { return {}; }
  virtual Status on_fill(Context&, const execution::Fill&) { return {}; }
  virtual Status on_order_update(Context&, const execution::Order&) { return {}; }
  virtual Status on_timer(Context&, const Timer&) { return {}; }
  virtual Status on_option_event(Context&, const OptionEvent&) { return {}; }
  virtual Status on_end(Context&) { return {}; }
};

}  // namespace keel::strategy
