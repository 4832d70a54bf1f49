// keel/portfolio/portfolio.hpp — the ledger: cash, positions, realized and unrealized P&L,
// fees, dividends, the option lifecycle's bookings, splits, the wheel's premium-adjusted basis,
// and the account's rules (cash account and Reg-T margin) as a pre-trade check.
//
// Contract (docs/PORTFOLIO.md explains every rule):
// - Everything is fixed point (Money, Price, Quantity); no double in any balance.
// - Identity at all times: equity() == cash() + dividends_receivable() + sum over positions of
//   quantity x mark x multiplier. A position's mark is the last price given to mark(), or its
//   average open price until then. And realized_pnl() + unrealized_pnl() == equity() -
//   starting_cash() exactly (dividends are realized on the ex-date, see below).
// - Average-cost method: a position keeps the signed total cost of its open quantity
//   (cost_basis; fees are NOT in it, they are booked separately in fees_paid and in realized
//   P&L). Reducing a position realizes (exit price - average cost) x qty x multiplier;
//   crossing through zero closes the old side and opens the new one at the fill price.
// - Each fill: cash -= signed qty x price x multiplier + fees; fees_paid += fees;
//   realized_pnl -= fees. A position that reaches zero is removed and reported as a ClosedTrade.
//   The cost leaving with a partial close is basis x closed/held in i128, rounded once half away
//   from zero; a full close removes the remaining basis exactly, so a round trip realizes
//   proceeds - cost - fees to the cent. premium_collected counts SELL-TO-OPEN option credits.
// - Options lifecycle (called by the engine's lifecycle rules, never by strategies):
//   expire_worthless closes at price 0; exercise_or_assign closes the option at price 0 and
//   books the stock at the strike (physical: strike x 100 x contracts for contracts x multiplier
//   shares, as the strike of an adjusted series stays quoted on 100 shares, see
//   deliverable_strike) or pays intrinsic x multiplier in cash (cash
//   settled; one booking closing the option at its intrinsic value). For physical settlement a
//   positive settlement_price (the underlying's price) marks the delivered stock. The option's
//   premium thus becomes realized P&L on the option; the shares' plain
//   basis is the strike. (Tax basis would fold the premium into the shares; keel reports the
//   premium-adjusted figure separately as the wheel basis.)
// - Wheel basis: per underlying, a cycle starts when the first option or share position on it
//   opens while none was open, and ends when the last one closes. cycle_premium = net option
//   premium received in the cycle (credits - debits) minus option fees. wheel_basis_per_share =
//   (share cost basis - cycle_premium) / shares; plain_basis_per_share = cost basis / shares.
// - Dividends: on the ex-date (before the session) holders of record (the position held at the
//   previous close) are entitled to amount x shares: a long position books a receivable, a
//   short one a payable (negative receivable); cash moves on the pay date. The entitlement is
//   income (realized_pnl, and the position's own realized P&L) on the ex-date, and the stock's
//   mark drops by the dividend (the ex-date reference price), so the booking leaves equity
//   unchanged. dividends_received() counts the cash when it is paid.
// - Splits (E5): apply_split multiplies the stock quantity by to/from keeping the total basis;
//   a fractional share left over is paid in cash at `reference_price` (cash in lieu) and its
//   basis share realized; option positions on the underlying move to the contracts given by
//   the caller's OCC mapping (new instrument, quantity factor), keeping total basis.
// - Account rules (check_order): kCash — stock purchases fully paid; a short put reserves
//   strike x multiplier x contracts of cash (cash-secured; strike x 100 x contracts for an
//   adjusted series); a short call must be covered by
//   shares not already covering another short call; long options paid in full; a defined-risk
//   vertical (same underlying, right, expiry, one long and one short leg) reserves its max
//   loss. kMargin (Reg-T) — stock 50% initial; naked short options 20% of the underlying
//   minus the out-of-the-money amount, at least 10% of the strike (puts) / underlying (calls),
//   plus the premium; spreads their max loss. The check assumes every working order fills
//   (at its limit, or the price estimate given), so two orders cannot spend the same cash.
//   Credits (premiums, sale proceeds) of orders not yet filled are not counted: cash received
//   counts once received. kCash: needs = reserves + purchases, has = cash. kMargin: needs =
//   gross requirement + purchases - the loan value they add, has = cash + receivable + long
//   stock value. An order that does not raise the requirement (a closing trade) passes even in
//   an account that is already short. A failed check returns kRejected with a reason naming
//   the order, the rule, the need and the available amount. Orders are never resized.
// - buying_power: kCash cash - reserves; kMargin cash + receivable + long stock value - gross
//   requirement (= equity - the requirement net of the option and short-stock values equity
//   already deducts).
// Thread safety: single-threaded, owned by the engine. check_order reuses per-thread scratch
// buffers (portfolios on different threads do not share them).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "keel/core/append_log.hpp"
#include "keel/core/fixed_point.hpp"
#include "keel/core/id_index.hpp"
#include "keel/core/not_copied.hpp"
#include "keel/core/ids.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"
#include "keel/execution/order.hpp"
#include "keel/execution/sim_venue.hpp"
#include "keel/model/instrument.hpp"

namespace keel::portfolio {

enum class AccountType : std::uint8_t { kCash, kMargin };
std::string_view to_string(AccountType t) noexcept;
Result<AccountType> parse_account_type(std::string_view text);  // "cash", "margin"

struct Position {
  InstrumentRef instrument;  // shared with its bookings and closed trade
  Quantity quantity;     // signed: > 0 long, < 0 short; never 0 (closed positions are removed)
  Money cost_basis;      // signed total cost of the open quantity (short: negative), no fees
  Price mark;            // last mark, per share / per deliverable share
  Timestamp opened;      // when the current position opened
  Money realized_pnl;    // realized on this instrument since it opened, fees included
  std::int64_t multiplier() const noexcept;  // 1 for non-options
  Money market_value() const;                // quantity x mark x multiplier
  Money unrealized_pnl() const;              // market_value - cost_basis
  Price average_price() const;               // |cost_basis| / |quantity| / multiplier
};

// Why a booking happened; reports group by it.
enum class BookingKind : std::uint8_t {
  kFill, kExpiry, kExercise, kAssignment, kCashSettlement, kDividend, kSplit, kCashInLieu, kInterest
};
std::string_view to_string(BookingKind k) noexcept;

// One line of the trade log: every change to cash or positions. (kind and side sit together in
// one padded word rather than two: 8 bytes less per booking, and the log keeps one per fill.)
struct Booking {
  Timestamp ts;
  BookingKind kind = BookingKind::kFill;
  execution::OrderSide side = execution::OrderSide::kBuy;
  std::string order_id;     // empty for non-fill bookings
  InstrumentRef instrument;
  Quantity quantity;        // > 0 (direction: side)
  Price price;
  Money commission, regulatory_fees;
  Money cash_change;        // signed effect on cash (receivables for dividends: 0 until paid)
  Money realized_pnl;       // realized by this booking, fees included
  std::string reason;       // from the order's tag, or the lifecycle rule that fired
};

// A position from open to flat.
struct ClosedTrade {
  InstrumentRef instrument;
  Timestamp opened, closed;
  Quantity max_quantity;     // largest absolute size held
  Money pnl;                 // realized over its life, fees included
  BookingKind closed_by = BookingKind::kFill;
};

struct WheelBasis {
  std::string underlying;
  Quantity shares;
  Money cycle_premium;       // net option premium in the current cycle, option fees deducted
  std::optional<Price> plain_basis_per_share;  // empty with no shares
  std::optional<Price> wheel_basis_per_share;
};

// Price used by check_order for orders without a limit: the venue's current estimate (the ask
// for a buy, the bid for a sell); nullopt when unknown (then the order is rejected: keel does
// not guess a price it cannot see).
using PriceEstimate = std::function<std::optional<Price>(InstrumentId, execution::OrderSide)>;
// Underlying's last price for margin formulas.
using UnderlyingPrice = std::function<std::optional<Price>(std::string_view underlying)>;
// OCC mapping of an option contract on a split: the instrument it becomes and the quantity
// factor (2 for a 2:1 conversion to strike/2; 1 for an adjusted-deliverable series).
struct SplitMapping {
  Instrument new_instrument;
  std::int64_t quantity_factor = 1;
};
using SplitMapper = std::function<Result<SplitMapping>(const Instrument& old_option)>;

class Portfolio {
 public:
  Portfolio(Money starting_cash, AccountType type);

  AccountType account_type() const noexcept { return type_; }
  Money cash() const noexcept { return cash_; }
  Money dividends_receivable() const noexcept { return receivable_; }
  Money equity() const;
  Money realized_pnl() const noexcept { return realized_; }  // fees included
  Money unrealized_pnl() const;
  Money fees_paid() const noexcept { return fees_; }
  Money starting_cash() const noexcept { return start_cash_; }
  Money dividends_received() const noexcept { return dividends_; }  // net of short payments
  Money premium_collected() const noexcept { return premium_; }     // gross credits from selling options
  // Net interest on cash: credited on positive balances, charged on negative ones (margin
  // loans), accrued daily and posted monthly (accrue_interest); accrued-not-posted included.
  Money interest() const noexcept { return interest_; }
  Money interest_accrued() const noexcept { return interest_accrued_; }  // not yet posted to cash

  const std::map<std::int64_t, Position>& positions() const noexcept { return positions_; }
  const Position* position(InstrumentId id) const;
  Quantity quantity(InstrumentId id) const;  // 0 when flat
  const AppendLog<Booking>& bookings() const noexcept { return bookings_; }
  const AppendLog<ClosedTrade>& closed_trades() const noexcept { return closed_; }
  WheelBasis wheel_basis(std::string_view underlying) const;

  // Cash the account rules leave free after the requirements of the positions held
  // (kCash: cash - reserves; kMargin: equity - Reg-T requirement).
  Money buying_power(const UnderlyingPrice& underlying_price) const;

  // Pre-trade check of `order` given the other working orders (assumed to fill). `instrument`
  // resolves ids (legs of combos too). OK or kRejected "order <id>: <rule>: needs X, has Y".
  // Validated::kYes: the caller ran execution::validate(order) (it passed); otherwise it runs here.
  Status check_order(const execution::Order& order, std::span<const execution::Order> working,
                     const std::function<const Instrument*(InstrumentId)>& instrument,
                     const PriceEstimate& estimate, const UnderlyingPrice& underlying_price,
                     execution::Validated validated = execution::Validated::kNo) const;

  // Bookings. Each validates first and changes nothing on error (strong guarantee).
  Status apply_fill(const execution::Fill& fill, const Instrument& instrument, std::string_view reason);
  void mark(InstrumentId id, Price price) { set_mark(id, price, true); }
  // mark() when the position is not an option (stock marks come from bars, options' from quotes).
  void mark_if_not_option(InstrumentId id, Price price) { set_mark(id, price, false); }
  // mark() for every position at once: price_of(id, instrument) -> std::optional<Price> (nullopt
  // leaves the mark). One pass over the positions, no lookups (the engine marks every slice).
  // True when every position has been marked since it opened (mark() or mark_each()).
  bool all_marked() const noexcept { return unmarked_ == 0; }
  template <class PriceOf>
  void mark_each(PriceOf&& price_of) {
    for (auto& [id, pos] : positions_) {
      if (std::optional<Price> px = price_of(id, pos.instrument)) {
        pos.mark = *px;
        note_marked(id);
      }
    }
  }
  Status expire_worthless(InstrumentId option, Timestamp ts, std::string_view reason);
  // Exercise (long) or assignment (short) of `contracts` (> 0, <= |position|) of `option`;
  // physical settlement books the stock `underlying` at the strike; cash settlement pays
  // (settlement_price - strike)+ for calls / (strike - settlement_price)+ for puts.
  Status exercise_or_assign(InstrumentId option, Quantity contracts, const Instrument& underlying,
                            Price settlement_price, Timestamp ts, std::string_view reason);
  // Ex-date entitlement (books the receivable/payable) and, later, its payment: settle_dividends
  // moves every entitlement whose pay date is on or before `today` into cash.
  Status dividend_ex_date(const Instrument& stock, Money per_share, Date pay_date, Timestamp ts);
  void settle_dividends(Date today, Timestamp ts) {
    if (!pending_dividends_.empty()) settle_due_dividends(today, ts);  // called at every close slice
  }
  Status apply_split(const Instrument& stock, std::int64_t ratio_to, std::int64_t ratio_from,
                     Price reference_price, const SplitMapper& mapper, Timestamp ts);
  // Interest on the cash balance at `ts` for `days` calendar days (ACT/360, the USD money-market
  // convention brokers use): credit_rate on a positive balance, debit_rate on a negative one
  // (annual, e.g. 0.03), rounded half away from zero to the cent. The amount accrues as a
  // receivable (payable) — income counted in equity and realized P&L at once — until
  // post_interest moves everything accrued into cash with one kInterest booking. Errors:
  // days < 0, a rate that is not finite or outside [0, 1).
  Status accrue_interest(int days, double credit_rate, double debit_rate, Timestamp ts);
  void post_interest(Timestamp ts, std::string_view reason);

 private:
  // A planned change to one position, computed without touching the ledger (so that every
  // booking can validate everything first and then commit without a failure point).
  struct TradePlan;
  struct TradeInput;
  using PositionIt = std::map<std::int64_t, Position>::const_iterator;
  Status plan_trade(const TradeInput& in, TradePlan& plan) const;  // plan: default-constructed
  // The same, with `cur` = positions_.find(the instrument's id) already looked up by the caller.
  Status plan_trade(const TradeInput& in, PositionIt cur, TradePlan& plan) const;
  struct Cycle;
  Cycle& commit(TradePlan&& plan);  // returns the wheel cycle of the plan's underlying
  // Checks that the plans' changes keep every total in range and records in each plan the
  // totals after it (commit assigns them): commit the plans in this order, nothing between.
  Status check_totals(std::span<TradePlan> plans) const;
  void settle_due_dividends(Date today, Timestamp ts);
  // Ends the underlying's wheel cycle when nothing on it is held any more.
  void close_cycle_if_flat(std::string_view underlying);
  void close_cycle_if_flat(Cycle& cycle, std::string_view underlying);  // `cycle`: the underlying's

  AccountType type_;
  Money start_cash_;
  Money cash_, receivable_, realized_, fees_, dividends_, premium_;
  Money interest_ = Money::zero(2), interest_accrued_ = Money::zero(2);
  std::map<std::int64_t, Position> positions_;
  // The node of the position a fill closed last, kept for the next position a fill opens (a
  // strategy that goes flat and back reuses one node: no allocation and free per round trip).
  // Emptied when the portfolio is copied or moved (a node belongs to its own map's allocator).
  NotCopied<std::map<std::int64_t, Position>::node_type> spare_position_;
  struct PositionMeta {
    Quantity max_abs;     // largest |quantity| since the position opened
    bool marked = false;  // mark() was called since it opened (else mark = average price)
  };
  IdMap<PositionMeta> meta_;  // exactly positions_' keys (a dense map: no node per position)
  // meta_ changes only through these, which keep unmarked_ = the number of positions not marked
  // since they opened: all_marked() is then one compare, and marking when every position is
  // marked already (every slice's mark of a held stock) needs no lookup.
  void put_meta(std::int64_t key, PositionMeta meta);
  void drop_meta(std::int64_t key);
  void note_marked(std::int64_t key);  // the position's mark was just set
  std::size_t unmarked_ = 0;
  // One shared copy per instrument booked (replaced when an id comes with a changed definition):
  // a position opened again reuses it instead of copying the instrument.
  IdMap<InstrumentRef> instruments_;
  const InstrumentRef& intern(const Instrument& instrument);
  // mark() / mark_if_not_option(), inline: the engine marks every held stock on every bar.
  void set_mark(InstrumentId id, Price price, bool options_too) {
    auto it = positions_.find(id.value());
    if (it == positions_.end() || (!options_too && it->second.instrument->is_option())) return;
    it->second.mark = price;
    if (unmarked_ != 0) note_marked(id.value());  // else every position is marked already
  }
  AppendLog<Booking> bookings_;
  AppendLog<ClosedTrade> closed_;
  struct Cycle {
    Money premium;
    bool open = false;
  };
  std::map<std::string, Cycle, std::less<>> cycles_;  // never erases a cycle
  // The cycle commit() used last (a node of cycles_): the next booking on the same underlying,
  // the common case, skips the search by name. Emptied when the portfolio is copied or moved,
  // so that it never points into another portfolio's map.
  struct CycleMemo {
    std::string_view name;  // the node's own key
    Cycle* cycle = nullptr;
  };
  NotCopied<CycleMemo> last_cycle_;
  struct PendingDividend {
    Instrument stock;
    Date pay_date;
    Money amount;  // signed: long receives, short pays
    Quantity shares;
    Money per_share;
  };
  std::vector<PendingDividend> pending_dividends_;
};

}  // namespace keel::portfolio
