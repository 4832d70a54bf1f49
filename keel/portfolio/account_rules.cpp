// keel/portfolio/account_rules.cpp — the cash-account and Reg-T rules: buying power and the
// pre-trade check. docs/PORTFOLIO.md ("Account rules") states each rule with worked numbers.
//
// One requirement function serves both: it takes a set of holdings (the positions, plus the
// working orders and the new order as if filled) and returns what the account's rules need,
// by category, and the cash account's structural breaches (uncovered short calls, short stock).
#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include "keel/core/int128.hpp"
#include "keel/core/string_equal.hpp"
#include "keel/portfolio/portfolio.hpp"

namespace keel::portfolio {

namespace {

using execution::Order;
using execution::OrderSide;
using execution::OrderType;

std::int64_t multiplier_of(const Instrument& i) { return i.is_option() ? i.option->multiplier : 1; }
OrderSide opposite(OrderSide s) { return s == OrderSide::kBuy ? OrderSide::kSell : OrderSide::kBuy; }
Money zero_money() { return Money::zero(2); }

// Cents when the amount lies on the cent grid (it nearly always does), else every digit: a
// message never rounds a shortfall away.
std::string show(Money m) { return Money::from_raw(m.raw(), m.is_multiple_of_precision(2) ? 2 : 8).to_string(); }

struct Holding {
  const Instrument* inst = nullptr;
  Quantity qty;  // signed
  Price px;      // valuation per share / per deliverable share
};
// Sorted by instrument id, one entry per instrument (the order the rules below have always seen
// the holdings in: option lots with equal sort keys keep it).
using Holdings = std::vector<Holding>;

void add_holding(Holdings& holdings, const Instrument* inst, Quantity qty, Price px) {
  const std::int64_t id = inst->id.value();
  auto it = std::lower_bound(holdings.begin(), holdings.end(), id,
                             [](const Holding& h, std::int64_t key) { return h.inst->id.value() < key; });
  if (it != holdings.end() && it->inst->id.value() == id) {
    it->qty += qty;  // an existing holding keeps its valuation
  } else {
    holdings.insert(it, Holding{inst, qty, px});
  }
}

// The positions as holdings, in id order (replaces `out`'s contents, keeping its buffer).
void holdings_of(const std::map<std::int64_t, Position>& positions, Holdings& out) {
  out.clear();
  for (const auto& [id, p] : positions) out.push_back(Holding{&p.instrument.get(), p.quantity, p.mark});
}

// A cash-account breach on one underlying.
struct Breach {
  std::int64_t uncovered_call_contracts_raw = 0;  // short calls neither covered by shares nor in a vertical
  Quantity call_shares_needed;                    // shares the non-vertical short calls need
  Quantity shares_held;                           // long shares available to cover them
  Quantity short_shares;                          // > 0: short stock in a cash account
};

// The requirement of one underlying's holdings, or of several summed.
struct Requirement {
  Money csp = zero_money();         // cash: short puts, strike x 100 x contracts
  Money spreads = zero_money();     // verticals: strike width x 100 x contracts
  Money naked = zero_money();       // margin: naked short options; cash: cover cost of uncovered calls
  Money stock = zero_money();       // margin: 50% long / 150% short; cash: cover cost of short stock
  Money loan_value = zero_money();  // margin: long stock value, which counts toward "has"
  Money total() const { return csp + spreads + naked + stock; }
  Requirement& operator+=(const Requirement& o) {
    add(csp, o.csp);
    add(spreads, o.spreads);
    add(naked, o.naked);
    add(stock, o.stock);
    add(loan_value, o.loan_value);
    return *this;
  }
  // x += y, skipped when y is a zero whose precision x already has (x would stay as it is,
  // digits included): most fields of a group's requirement are zero (a cash account's long
  // stock needs nothing at all), and this runs for every group of every check.
  static void add(Money& x, Money y) {
    if (y.raw() != 0 || y.precision() > x.precision()) x += y;
  }
};

struct OptLot {
  Price strike;            // quoted on 100 shares (kStrikeShares), also for adjusted series
  Price per_share_strike;  // deliverable_strike(): the stand-in when no underlying price is known
  Date expiry;
  std::int64_t mult = 100;
  std::int64_t n = 0;  // remaining contracts, raw (1e-8), > 0
  Price px;
};

// One group's requirement and its cash-account breach (if any).
struct GroupRequirement {
  Requirement req;
  std::optional<Breach> breach;
};

struct Group {
  std::string_view underlying;  // points into an Instrument that outlives the group
  Quantity shares = Quantity::zero();
  Price stock_px;
  bool has_stock = false;
  bool touched = false;  // check_order: the new order has a leg on this underlying
  std::vector<OptLot> short_calls, long_calls, short_puts, long_puts;
  GroupRequirement result;  // written by group_requirement (kept in place: no copy per group)
  bool stock_only() const noexcept {
    return short_calls.empty() && long_calls.empty() && short_puts.empty() && long_puts.empty();
  }
};

// Underlying names compared by equal_strings (short names without a memcmp call).
inline bool contains(std::span<const std::string_view> names, std::string_view u) noexcept {
  for (std::string_view n : names) {
    if (equal_strings(n, u)) return true;
  }
  return false;
}

Result<Money> amount(Price p, std::int64_t n_raw, std::int64_t mult) {
  return notional(p, Quantity::from_raw(n_raw, 8), mult);
}

Price max0(Price p) { return p.is_negative() ? Price::zero(p.precision()) : p; }

// Pairs short options with long ones of the same expiry and multiplier (verticals) and adds
// each pair's max loss before credit: the strike width. Puts: short K_s, long K_l lose at most
// (K_s - K_l)+; calls: (K_l - K_s)+. Lots are pre-sorted so the cheapest pairing comes first.
Status pair_verticals(std::vector<OptLot>& shorts, std::vector<OptLot>& longs, bool puts, Money& spreads) {
  for (OptLot& s : shorts) {
    for (OptLot& l : longs) {
      if (s.n == 0) break;
      if (l.n == 0 || l.expiry != s.expiry || l.mult != s.mult) continue;
      const std::int64_t p = std::min(s.n, l.n);
      const Price width = max0(puts ? s.strike - l.strike : l.strike - s.strike);
      KEEL_TRY(loss, amount(width, p, kStrikeShares));  // strikes are quoted on 100 shares
      spreads += loss;
      s.n -= p;
      l.n -= p;
    }
  }
  return ok_status();
}

// Reg-T / CBOE naked short option: premium + max(20% x underlying - OTM amount,
// 10% x (strike for puts, underlying for calls)), per contract x contracts.
// The deliverable's value is underlying x multiplier, the strike's strike x 100 (OCC quotes the
// strike of an adjusted series on 100 shares while it delivers e.g. 150), so the OTM amount is
// their difference, exact for standard and adjusted contracts alike.
Result<Money> naked_requirement(const OptLot& lot, bool put, Price underlying) {
  KEEL_TRY(u_value, amount(underlying, lot.n, lot.mult));
  KEEL_TRY(k_value, amount(lot.strike, lot.n, kStrikeShares));
  KEEL_TRY(twenty, scale(u_value, 1, 5));
  const Money diff = put ? u_value - k_value : k_value - u_value;
  const Money otm_value = diff.is_negative() ? zero_money() : diff;
  KEEL_TRY(ten, scale(put ? k_value : u_value, 1, 10));
  KEEL_TRY(premium, amount(lot.px, lot.n, lot.mult));
  return std::max(twenty - otm_value, ten) + premium;
}

// The holdings grouped by underlying, groups in name order (as the messages have always named
// the first failing underlying). `only`: when non-empty, just the groups of these underlyings.
// Groups kept for reuse: clear() empties them without freeing their lot buffers, so the
// pre-trade check allocates nothing per order once warm.
struct GroupSet {
  std::vector<Group> pool;
  std::size_t size = 0;
  std::span<Group> groups() { return {pool.data(), size}; }
  void clear() { size = 0; }
  Group& add(std::string_view underlying) {
    if (size == pool.size()) pool.emplace_back();
    Group& g = pool[size++];
    g.underlying = underlying;
    g.shares = Quantity::zero();
    g.stock_px = Price{};
    g.has_stock = false;
    g.touched = false;
    g.short_calls.clear();
    g.long_calls.clear();
    g.short_puts.clear();
    g.long_puts.clear();
    return g;
  }
};

void make_groups(const Holdings& holdings, GroupSet& set, std::span<const std::string_view> only = {}) {
  set.clear();
  for (const Holding& h : holdings) {
    if (h.qty.is_zero()) continue;
    const std::string_view u = underlying_symbol(*h.inst);
    if (!only.empty() && !contains(only, u)) continue;
    const std::span<Group> existing = set.groups();
    auto git = std::find_if(existing.begin(), existing.end(), [&](const Group& g) { return equal_strings(g.underlying, u); });
    Group& g = git == existing.end() ? set.add(u) : *git;
    if (!h.inst->is_option()) {
      g.shares += h.qty;
      g.stock_px = h.px;
      g.has_stock = true;
      continue;
    }
    const OptionSpec& o = *h.inst->option;
    OptLot lot{
        o.strike, deliverable_strike(o), o.expiry, o.multiplier, h.qty.is_negative() ? -h.qty.raw() : h.qty.raw(),
        h.px};
    const bool is_short = h.qty.is_negative();
    if (o.right == OptionRight::kCall) {
      (is_short ? g.short_calls : g.long_calls).push_back(lot);
    } else {
      (is_short ? g.short_puts : g.long_puts).push_back(lot);
    }
  }
  const std::span<Group> all = set.groups();
  if (all.size() > 1) {
    std::sort(all.begin(), all.end(), [](const Group& x, const Group& y) { return x.underlying < y.underlying; });
  }
}

// The stock part of a group's requirement (group_requirement, below).
Status stock_requirement(const Group& g, AccountType type, GroupRequirement& out) {
  if (g.shares.is_zero()) return ok_status();
  Requirement& req = out.req;
  KEEL_TRY(value, notional(g.stock_px, g.shares, 1));
  const Money abs_value = value.is_negative() ? -value : value;
  if (type == AccountType::kCash) {
    if (g.shares.is_negative()) {
      if (!out.breach) out.breach.emplace();
      out.breach->short_shares = -g.shares;
      req.stock += abs_value;
    }
  } else if (g.shares.is_positive()) {
    KEEL_TRY(half, scale(value, 1, 2));
    req.stock += half;
    req.loan_value += value;
  } else {
    KEEL_TRY(one_half, scale(abs_value, 3, 2));
    req.stock += one_half;
  }
  return ok_status();
}

// One group's requirement and its cash-account breach (if any), into g.result. `strict`: an
// unknown underlying price is an error (the pre-trade check); otherwise the held stock's price,
// else the option's strike, stands in (buying power, a report). Consumes the group's lots.
Status group_requirement(Group& g, AccountType type, const UnderlyingPrice& uprice, bool strict) {
  GroupRequirement& out = g.result;
  out.req = Requirement{};
  out.breach.reset();
  // A stock-only group (the common case, checked on every stock order): the option rules below
  // add nothing and read no price, so only the stock part is computed.
  if (g.stock_only()) return stock_requirement(g, type, out);
  Requirement& req = out.req;
  const std::string_view u = g.underlying;
  auto underlying_price = [&](Price fallback) -> Result<Price> {
    if (uprice) {
      if (auto p = uprice(u); p && p->is_positive()) return *p;
    }
    if (g.has_stock && g.stock_px.is_positive()) return g.stock_px;
    if (strict) return make_error(ErrorCode::kRejected, "no price for the underlying " + std::string(u));
    return fallback;
  };
  auto by_strike_asc = [](const OptLot& a, const OptLot& b) {
    return a.strike != b.strike ? a.strike < b.strike : a.expiry < b.expiry;
  };
  auto by_strike_desc = [](const OptLot& a, const OptLot& b) {
    return a.strike != b.strike ? a.strike > b.strike : a.expiry < b.expiry;
  };
  std::sort(g.short_calls.begin(), g.short_calls.end(), by_strike_asc);
  std::sort(g.long_calls.begin(), g.long_calls.end(), by_strike_asc);
  std::sort(g.short_puts.begin(), g.short_puts.end(), by_strike_desc);
  std::sort(g.long_puts.begin(), g.long_puts.end(), by_strike_desc);

  // Calls: covered by long shares first (each share covers one call only), then verticals.
  const Quantity held = g.shares.is_positive() ? g.shares : Quantity::zero();
  std::int64_t avail = held.raw();
  std::int64_t covered_shares = 0;
  for (OptLot& s : g.short_calls) {
    const std::int64_t whole_contracts = (avail / s.mult) / kFixedScale * kFixedScale;
    const std::int64_t c = std::min(s.n, whole_contracts);
    s.n -= c;
    avail -= c * s.mult;
    covered_shares += c * s.mult;
  }
  KEEL_TRY_STATUS(pair_verticals(g.short_calls, g.long_calls, false, req.spreads));
  std::int64_t naked_calls = 0;
  for (const OptLot& s : g.short_calls) {
    if (s.n == 0) continue;
    naked_calls += s.n;
    KEEL_TRY(up, underlying_price(s.per_share_strike));
    if (type == AccountType::kCash) {
      // Only reachable through a lifecycle event (the check refuses it): reserve the cost of
      // buying the shares the call may have to deliver.
      KEEL_TRY(cover, amount(up, s.n, s.mult));
      req.naked += cover;
    } else {
      KEEL_TRY(r, naked_requirement(s, false, up));
      req.naked += r;
    }
  }
  if (type == AccountType::kCash && naked_calls > 0) {
    if (!out.breach) out.breach.emplace();
    Breach& b = *out.breach;
    b.uncovered_call_contracts_raw = naked_calls;
    std::int64_t need_raw = covered_shares;
    for (const OptLot& s : g.short_calls) need_raw += s.n * s.mult;
    b.call_shares_needed = Quantity::from_raw(need_raw, 0);
    b.shares_held = held;
  }

  // Puts: verticals first, then cash-secured (cash) or naked (margin).
  KEEL_TRY_STATUS(pair_verticals(g.short_puts, g.long_puts, true, req.spreads));
  for (const OptLot& s : g.short_puts) {
    if (s.n == 0) continue;
    if (type == AccountType::kCash) {
      KEEL_TRY(reserve, amount(s.strike, s.n, kStrikeShares));  // strike x 100 x contracts
      req.csp += reserve;
    } else {
      KEEL_TRY(up, underlying_price(s.per_share_strike));
      KEEL_TRY(r, naked_requirement(s, true, up));
      req.naked += r;
    }
  }

  return stock_requirement(g, type, out);
}

// The summed requirement of every group (the account as held, or with orders as if filled).
Result<Requirement> requirement(const Holdings& holdings, AccountType type, const UnderlyingPrice& uprice,
                                bool strict) {
  Requirement total;
  GroupSet set;
  make_groups(holdings, set);
  for (Group& g : set.groups()) {
    KEEL_TRY_STATUS(group_requirement(g, type, uprice, strict));
    total += g.result.req;
  }
  return total;
}

// What an order does to the holdings if it fills: its legs and the cash it would pay (debits;
// credits are not counted before they are received).
struct Hypothetical {
  struct Leg {
    const Instrument* inst;
    Quantity signed_qty;
    Price px;
  };
  std::vector<Leg> legs;
  Money debit = zero_money();
};

// Fills `h` (its buffers reused).
Status hypothetical(const Order& order, Quantity qty, const std::function<const Instrument*(InstrumentId)>& lookup,
                    const PriceEstimate& estimate, const std::map<std::int64_t, Position>& positions,
                    Hypothetical& h) {
  h.legs.clear();
  h.debit = zero_money();
  auto who = [&] { return "order " + order.id.value(); };  // built only for an error
  auto est = [&](InstrumentId id, OrderSide side) -> std::optional<Price> {
    if (!estimate) return std::nullopt;
    return estimate(id, side);
  };
  auto find = [&](InstrumentId id) -> const Instrument* { return lookup ? lookup(id) : nullptr; };
  auto unknown = [&](InstrumentId id) {
    return make_error(ErrorCode::kRejected, who() + ": unknown instrument id " + std::to_string(id.value()));
  };
  if (!order.is_combo()) {
    const Instrument* inst = find(order.instrument);
    if (inst == nullptr) return unknown(order.instrument);
    std::optional<Price> px;
    switch (order.type) {
      case OrderType::kLimit:
      case OrderType::kStopLimit:
        px = order.limit_price;
        break;
      case OrderType::kStop: {
        // A stop fills at or beyond its stop price: the worse of the stop and the estimate.
        px = order.stop_price;
        if (auto e = est(order.instrument, order.side); e && px) {
          px = order.side == OrderSide::kBuy ? std::max(*px, *e) : std::min(*px, *e);
        }
        break;
      }
      default:
        px = est(order.instrument, order.side);
        break;
    }
    if (!px) {
      return make_error(ErrorCode::kRejected, who() + ": no price estimate for " + inst->symbol +
                                                  " (a market order is checked at the venue's current price)");
    }
    const bool buy = order.side == OrderSide::kBuy;
    h.legs.push_back({inst, buy ? qty : -qty, *px});
    if (buy) {
      KEEL_TRY(cost, notional(*px, qty, multiplier_of(*inst)));
      h.debit = cost;
    }
    return ok_status();
  }
  // Combo: legs as written when bought, reversed when sold; net price per unit per order.hpp.
  std::optional<std::int64_t> mult;
  i128 net_estimate = 0;
  bool all_estimated = true;
  for (const execution::ComboLeg& leg : order.legs) {
    const Instrument* inst = find(leg.instrument);
    if (inst == nullptr) return unknown(leg.instrument);
    const std::int64_t m = multiplier_of(*inst);
    if (mult && *mult != m) {
      return make_error(ErrorCode::kRejected, who() + ": combo legs with different multipliers (" +
                                                  std::to_string(*mult) + " and " + std::to_string(m) +
                                                  ") cannot be priced from one net price by the account check");
    }
    mult = m;
    const OrderSide side = order.side == OrderSide::kBuy ? leg.side : opposite(leg.side);
    auto q = qty.checked_mul(leg.ratio);
    if (!q) return make_error(ErrorCode::kOverflow, who() + ": leg quantity out of range");
    std::optional<Price> e = est(leg.instrument, side);
    if (e) {
      net_estimate += static_cast<i128>(leg.side == OrderSide::kBuy ? 1 : -1) * leg.ratio * e->raw();
    } else {
      all_estimated = false;
    }
    // Valuation of the leg: its estimate, else the position's mark, else 0 (no value is
    // invented; see docs/PORTFOLIO.md).
    Price px = Price::zero(2);
    if (e) {
      px = *e;
    } else if (auto it = positions.find(leg.instrument.value()); it != positions.end()) {
      px = it->second.mark;
    }
    h.legs.push_back({inst, side == OrderSide::kBuy ? *q : -*q, px});
  }
  Price net;
  if (order.limit_price) {
    net = *order.limit_price;
  } else {
    if (!all_estimated) return make_error(ErrorCode::kRejected, who() + ": no price estimate for every leg of the combo");
    if (net_estimate > INT64_MAX || net_estimate < INT64_MIN)
      return make_error(ErrorCode::kOverflow, who() + ": net price out of range");
    net = Price::from_raw(static_cast<std::int64_t>(net_estimate), 8);
  }
  KEEL_TRY(net_value, notional(net, qty, *mult));  // signed: + = debit per the legs as written
  const Money pays = order.side == OrderSide::kBuy ? net_value : -net_value;
  if (pays.is_positive()) h.debit = pays;
  return ok_status();
}

void add_to_holdings(Holdings& holdings, const Hypothetical& h) {
  for (const Hypothetical::Leg& leg : h.legs) add_holding(holdings, leg.inst, leg.signed_qty, leg.px);
}

// The pre-trade check's working buffers (reused: no allocation per order once warm).
struct CheckScratch {
  Holdings holdings;
  Hypothetical leg_buffer, mine;
  GroupSet groups_a, groups_b;
  std::vector<std::string_view> touched;
};

struct Category {
  const char* rule;
  Money a, b;
};

}  // namespace

Money Portfolio::buying_power(const UnderlyingPrice& underlying_price) const {
  Holdings holdings;
  holdings_of(positions_, holdings);
  auto req = requirement(holdings, type_, underlying_price, false);
  KEEL_ASSERT(req.ok(), "buying power: requirement out of the Money range");
  if (type_ == AccountType::kCash) return cash_ - req->total();
  return cash_ + receivable_ + req->loan_value - req->total();
}

Status Portfolio::check_order(const execution::Order& order, std::span<const execution::Order> working,
                              const std::function<const Instrument*(InstrumentId)>& instrument,
                              const PriceEstimate& estimate, const UnderlyingPrice& underlying_price,
                              execution::Validated validated) const {
  if (validated == execution::Validated::kNo) KEEL_TRY_STATUS(execution::validate(order));
  // The buffers are reused from call to call (per thread: a Portfolio is single-threaded, and
  // the check does not re-enter itself).
  thread_local CheckScratch scratch;
  auto who = [&] { return "order " + order.id.value(); };  // built only for a rejection
  const char* account = type_ == AccountType::kCash ? "cash account" : "Reg-T";

  // a: the positions and the working orders as if filled; b: a plus this order.
  Holdings& holdings = scratch.holdings;
  holdings_of(positions_, holdings);
  Money debits_a = zero_money();
  Hypothetical& h = scratch.leg_buffer;
  for (const Order& w : working) {
    if (w.id == order.id || execution::is_terminal(w.status)) continue;
    const Quantity leaves = w.leaves_quantity();
    if (!leaves.is_positive()) continue;
    if (Status st = hypothetical(w, leaves, instrument, estimate, positions_, h); !st) {
      return make_error(st.error().code, who() + ": working " + st.error().message);
    }
    add_to_holdings(holdings, h);
    debits_a += h.debit;
  }
  // The requirement is a sum over underlyings: b differs from a only in the groups of the
  // underlyings this order touches, so only those are computed twice.
  // Each group's requirement stays in the group (Group::result).
  auto in_account = [&](const Status& st) {  // a group's error, named (built only then)
    return make_error(st.error().code, who() + ": " + account + ": " + st.error().message);
  };
  GroupSet& groups_a = scratch.groups_a;
  make_groups(holdings, groups_a);
  for (Group& g : groups_a.groups()) {
    if (Status st = group_requirement(g, type_, underlying_price, true); !st) return in_account(st);
  }

  Hypothetical& mine = scratch.mine;
  KEEL_TRY_STATUS(hypothetical(order, order.leaves_quantity(), instrument, estimate, positions_, mine));
  add_to_holdings(holdings, mine);
  const Money debits_b = debits_a + mine.debit;
  std::vector<std::string_view>& touched = scratch.touched;
  touched.clear();
  for (const Hypothetical::Leg& leg : mine.legs) {
    const std::string_view u = underlying_symbol(*leg.inst);
    if (!contains(touched, u)) touched.push_back(u);
  }
  GroupSet& groups_b = scratch.groups_b;
  make_groups(holdings, groups_b, touched);
  for (Group& g : groups_b.groups()) {
    if (Status st = group_requirement(g, type_, underlying_price, true); !st) return in_account(st);
  }
  Requirement total_b;
  for (Group& g : groups_a.groups()) {
    g.touched = contains(touched, g.underlying);
    if (!g.touched) total_b += g.result.req;
  }
  for (const Group& g : groups_b.groups()) total_b += g.result.req;

  // Cash account: has = cash; needs = reserves + purchases. Reg-T: has = cash + receivable +
  // loan value of the long stock held now; needs = requirement + purchases - the loan value the
  // purchases add (a stock bought on margin brings half its price back as requirement only).
  const bool cash_account = type_ == AccountType::kCash;
  Money loan_now = zero_money();
  if (!cash_account) {
    for (const auto& [id, p] : positions_) {
      if (!p.instrument->is_option() && p.quantity.is_positive()) loan_now += p.market_value();
    }
  }
  const Money has = cash_account ? cash_ : cash_ + receivable_ + loan_now;
  auto need_of = [&](const Requirement& r, Money debits) {
    return cash_account ? r.total() + debits : r.total() + debits - (r.loan_value - loan_now);
  };
  const Money need_b = need_of(total_b, debits_b);

  // Structural breaches of the cash account that this order creates or deepens (only the
  // touched underlyings can have changed), in underlying name order.
  for (const Group& gb : groups_b.groups()) {
    if (!gb.result.breach) continue;
    const std::string_view u = gb.underlying;
    const Breach& b = *gb.result.breach;
    Breach before;
    for (const Group& ga : groups_a.groups()) {
      if (ga.touched && ga.underlying == u && ga.result.breach) before = *ga.result.breach;
    }
    if (b.uncovered_call_contracts_raw > before.uncovered_call_contracts_raw) {
      return make_error(ErrorCode::kRejected, who() + ": cash account: short calls on " + std::string(u) +
                                                  " must be covered by shares not already covering another call (or "
                                                  "be the short leg of a vertical): needs " +
                                                  b.call_shares_needed.to_string() + " shares, has " +
                                                  b.shares_held.to_string());
    }
    if (b.short_shares > before.short_shares) {
      Quantity held_a = Quantity::zero();
      for (const auto& [id, p] : positions_) {
        if (!p.instrument->is_option() && p.instrument->symbol == u && p.quantity.is_positive()) held_a += p.quantity;
      }
      return make_error(ErrorCode::kRejected, who() + ": cash account: no short sales of stock: needs " +
                                                  (held_a + b.short_shares).to_string() + " shares of " + std::string(u) + ", has " +
                                                  held_a.to_string());
    }
  }
  if (need_b <= has) return ok_status();
  // Only a check that fails so far needs the account without this order (a's totals).
  Requirement total_a;
  for (const Group& g : groups_a.groups()) total_a += g.result.req;
  const Money need_a = need_of(total_a, debits_a);
  // Orders that do not raise the requirement (closing trades) stay allowed in an account that is
  // already short: refusing them would trap the position.
  if (need_b <= need_a) return ok_status();

  // Name the rule whose requirement this order raised most.
  std::vector<Category> cats;
  if (cash_account) {
    cats = {{"cash account: cash-secured puts reserve strike x 100 x contracts", total_a.csp, total_b.csp},
            {"cash account: defined-risk spreads reserve their max loss (strike width x 100 x contracts; "
             "credits count once received)",
             total_a.spreads, total_b.spreads},
            {"cash account: purchases are paid in full", debits_a, debits_b},
            {"cash account: uncovered short calls reserve the cost of the shares", total_a.naked, total_b.naked},
            {"cash account: short stock reserves its cover cost", total_a.stock, total_b.stock}};
  } else {
    cats = {{"Reg-T: naked short options need 20% of the underlying less the out-of-the-money amount (at least 10% "
             "of the strike for puts, of the underlying for calls) plus the premium",
             total_a.naked, total_b.naked},
            {"Reg-T: spreads need their max loss (strike width x 100 x contracts)", total_a.spreads, total_b.spreads},
            {"Reg-T: stock needs 50% initial margin (short sales 150%)", total_a.stock, total_b.stock},
            {"Reg-T: option purchases are paid in full", debits_a - total_a.loan_value, debits_b - total_b.loan_value}};
  }
  const char* rule = cash_account ? "cash account: requirements exceed cash" : "Reg-T: requirements exceed equity";
  Money best = zero_money();
  for (const Category& c : cats) {
    const Money inc = c.b - c.a;
    if (inc > best) {
      best = inc;
      rule = c.rule;
    }
  }
  return make_error(ErrorCode::kRejected, who() + ": " + rule + ": needs " + show(need_b) + ", has " + show(has));
}

}  // namespace keel::portfolio
