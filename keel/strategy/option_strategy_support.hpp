// keel/strategy/option_strategy_support.hpp — chain, order and number-text helpers shared by the
// option strategies (wheel, option_income, delta_hedged_vol) and the multi-strategy's messages
// (internal to keel/strategy).
//
// Contract: pure functions of their arguments. Prices are compared in exact integer arithmetic
// on the fixed-point raw values (1e-8); configured fractions (at most 8 decimals) become raw
// integers by frac_raw. Rows are chosen only among standard (100-share) series, and by delta
// only among rows whose Greeks come from an implied vol (an intrinsic fallback delta says
// nothing about the strike's risk).
// Thread safety: stateless.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keel/core/int128.hpp"
#include "keel/strategy/strategy.hpp"

namespace keel::strategy::detail {

inline std::int64_t frac_raw(double x) { return std::llround(x * static_cast<double>(kFixedScale)); }
inline std::int64_t whole(Quantity q) { return q.raw() / kFixedScale; }
inline Quantity units(std::int64_t n) { return Quantity::from_raw(n * kFixedScale, 0); }
inline std::string money(Price p) { return p.rounded(2).to_string(); }
inline std::string fixed(double v, int digits) {
  char b[48];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}
inline std::string_view right_word(OptionRight r) { return r == OptionRight::kPut ? "put" : "call"; }

// Expiries with dte in [lo, hi] (strictly after `after` when given), best first: closest to
// `target`, then the nearer one.
inline std::vector<std::pair<Date, int>> preferred_expiries(const OptionChain& chain, int lo, int hi, int target,
                                                            std::optional<Date> after = std::nullopt) {
  std::vector<std::pair<Date, int>> out;
  for (Date e : chain.expiries()) {
    const int dte = e - chain.date();
    if (dte < lo || dte > hi) continue;
    if (after && !(e > *after)) continue;
    out.emplace_back(e, dte);
  }
  std::stable_sort(out.begin(), out.end(), [target](const auto& a, const auto& b) {
    const int da = std::abs(a.second - target);
    const int db = std::abs(b.second - target);
    return da != db ? da < db : a.second < b.second;
  });
  return out;
}

// Standard rows of `right` on `expiry` with a bid, strike ascending.
inline std::vector<const OptionRow*> rows_on(const OptionChain& chain, Date expiry, OptionRight right) {
  ChainFilter f;
  f.right = right;
  f.min_dte = expiry - chain.date();
  f.max_dte = f.min_dte;
  std::vector<const OptionRow*> out;
  for (const OptionRow* r : chain.select(f)) {
    if (r->expiry() == expiry) out.push_back(r);
  }
  return out;
}

// Among `rows` (with Greeks from an IV) the one whose |delta| is closest to `target`; ties go
// to the first (the lower strike). nullptr when none.
inline const OptionRow* closest_abs_delta(const std::vector<const OptionRow*>& rows, double target) {
  const OptionRow* best = nullptr;
  double best_distance = std::numeric_limits<double>::infinity();
  for (const OptionRow* r : rows) {
    if (!r->greeks_from_iv) continue;
    const double d = std::fabs(std::fabs(r->delta) - target);
    if (d < best_distance) {
      best = r;
      best_distance = d;
    }
  }
  return best;
}

// Short text of a configured or computed number ("%.6g") for logs and config errors.
inline std::string short_num(double v) {
  char b[48];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

// A price from a raw (1e-8) amount computed in i128 from prices (it fits an int64).
inline Price price_of(i128 raw) { return Price::from_raw(static_cast<std::int64_t>(raw), 8); }

// Reg-T / CBOE naked short option requirement per share (raw 1e-8 dollars): max(20% of the
// underlying - the out-of-the-money amount, 10% of the strike (put) / underlying (call)) + bid.
// The strategies' sizing estimate; the account's own check is Portfolio::check_order.
inline i128 naked_per_share(const OptionRow& r, Price spot) {
  const i128 s = spot.raw();
  const i128 k = r.strike().raw();
  const bool put = r.right() == OptionRight::kPut;
  const i128 otm = std::max<i128>(0, put ? s - k : k - s);
  return std::max<i128>(s / 5 - otm, (put ? k : s) / 10) + r.bid.raw();
}

// Submits `request`; a refusal is an outcome, not a failure of the strategy: it is logged
// ("<underlying>: order refused (<reason>): <why>") and false is returned.
inline bool submit_or_log(Context& ctx, const OrderRequest& request, std::string_view underlying) {
  auto id = ctx.submit(request);
  if (!id) {
    ctx.log(std::string(underlying) + ": order refused (" + request.reason + "): " + id.error().message);
    return false;
  }
  return true;
}

// Whether an order is working on `u` (the stock or one of its options, combos by any leg).
inline std::optional<std::string> working_on(const Context& ctx, std::string_view u) {
  for (const execution::Order& o : ctx.open_orders()) {
    std::vector<InstrumentId> ids;
    if (o.is_combo()) {
      for (const execution::ComboLeg& l : o.legs) ids.push_back(l.instrument);
    } else {
      ids.push_back(o.instrument);
    }
    for (InstrumentId id : ids) {
      const Instrument* inst = ctx.instrument(id);
      if (inst == nullptr) continue;
      if (inst->is_option() ? inst->option->underlying == u : inst->symbol == u) return o.id.value();
    }
  }
  return std::nullopt;
}

// One thing at a time per underlying: true (and logged) while an order on `u` is working.
inline bool waiting_for_order(Context& ctx, std::string_view u) {
  const std::optional<std::string> working = working_on(ctx, u);
  if (working) ctx.log(std::string(u) + ": order " + *working + " still working; no new action");
  return working.has_value();
}

// The option positions on `u` (copies: a marketable order fills inside submit()).
inline std::vector<portfolio::Position> option_positions(const portfolio::Portfolio& pf, std::string_view u) {
  std::vector<portfolio::Position> out;
  for (const auto& [raw, pos] : pf.positions()) {
    if (pos.instrument->is_option() && pos.instrument->option->underlying == u) out.push_back(pos);
  }
  return out;
}

// Closing all `positions` (each held in the same number of contracts for a combo) at the
// touch: shorts bought at the ask, longs sold at the bid. One leg: a single limit order; more:
// one all-or-none combo bought with the legs as written, net limit = sum of asks paid - sum of
// bids received (order.hpp: positive = debit). nullopt (with `missing` set to the symbol) when
// a position has no row in the chain.
struct ClosePlan {
  OrderRequest request;
  Price net;  // per share, as written: positive = we pay to close
};
inline std::optional<ClosePlan> close_at_touch(const OptionChain& chain, const std::vector<portfolio::Position>& positions,
                                               std::string& missing) {
  ClosePlan plan;
  plan.net = Price::zero(2);
  OrderRequest& r = plan.request;
  r.type = execution::OrderType::kLimit;
  r.tif = execution::TimeInForce::kDay;
  for (const portfolio::Position& p : positions) {
    const OptionRow* row = chain.find(p.instrument->id);
    if (row == nullptr) {
      missing = p.instrument->symbol;
      return std::nullopt;
    }
    const bool is_short = p.quantity.is_negative();
    const execution::OrderSide side = is_short ? execution::OrderSide::kBuy : execution::OrderSide::kSell;
    plan.net = is_short ? plan.net + row->ask : plan.net - row->bid;
    r.legs.push_back(execution::ComboLeg{p.instrument->id, 1, side});
  }
  const Quantity n = positions.front().quantity.is_negative() ? -positions.front().quantity : positions.front().quantity;
  r.quantity = n;
  if (r.legs.size() == 1) {
    r.instrument = r.legs.front().instrument;
    r.side = r.legs.front().side;
    r.legs.clear();
    r.limit_price = r.side == execution::OrderSide::kBuy ? plan.net : -plan.net;
  } else {
    r.side = execution::OrderSide::kBuy;
    r.all_or_none = true;
    r.limit_price = plan.net;
  }
  return plan;
}

}  // namespace keel::strategy::detail
