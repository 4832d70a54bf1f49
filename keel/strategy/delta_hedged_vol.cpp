#include "keel/strategy/delta_hedged_vol.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "keel/core/assert.hpp"
#include "keel/strategy/option_strategy_support.hpp"

namespace keel::strategy {
namespace {

using detail::fixed;
using detail::frac_raw;
using detail::money;
using detail::naked_per_share;
using detail::price_of;
using detail::submit_or_log;
using detail::units;
using detail::whole;
using execution::OrderSide;
using execution::OrderType;
using execution::TimeInForce;

constexpr std::int64_t kScale = kFixedScale;

// A DAY market order for |shares| of `stock`: a buy when shares > 0, a sale when < 0.
OrderRequest stock_order(const Instrument& stock, std::int64_t shares, std::string reason) {
  OrderRequest r;
  r.instrument = stock.id;
  r.side = shares > 0 ? OrderSide::kBuy : OrderSide::kSell;
  r.type = OrderType::kMarket;
  r.tif = TimeInForce::kDay;
  r.quantity = units(shares > 0 ? shares : -shares);
  r.reason = std::move(reason);
  return r;
}

}  // namespace

DeltaHedgedVolStrategy::DeltaHedgedVolStrategy(DeltaHedgedVolConfig config) : config_(std::move(config)) {
  const Status st = config_.validate();
  KEEL_ASSERT(st.ok(), st.ok() ? "" : st.error().message.c_str());
  for (const std::string& u : config_.underlyings) states_.emplace(u, State{});
}

std::int64_t DeltaHedgedVolStrategy::hedge_shares(double options_delta_shares, std::int64_t shares_held, HedgeMode mode,
                                                  double threshold, bool first_snapshot_of_session) {
  const std::int64_t target = -std::llround(options_delta_shares);  // llround: halves away from zero
  if (mode == HedgeMode::kDaily) return first_snapshot_of_session ? target - shares_held : 0;
  const double net = options_delta_shares + static_cast<double>(shares_held);
  return std::fabs(net) > threshold ? target - shares_held : 0;
}

Status DeltaHedgedVolStrategy::flatten(Context& ctx, const OptionChain& chain, std::int64_t shares,
                                       const std::string& why) {
  const std::string& u = chain.underlying();
  const Instrument* stock = ctx.find_instrument(u);
  if (stock == nullptr || shares == 0) return {};
  submit_or_log(ctx,
                stock_order(*stock, -shares, "delta_hedged_vol: flatten the hedge (" + std::to_string(shares) + " shares): " + why),
                u);
  return {};
}

Status DeltaHedgedVolStrategy::on_chain(Context& ctx, const OptionChain& chain) {
  const auto it = states_.find(chain.underlying());
  if (it == states_.end()) return {};
  const std::string& u = it->first;
  const bool new_session = !it->second.last_date || *it->second.last_date != chain.date();
  it->second.last_date = chain.date();
  if (ctx.warming_up()) return {};
  if (detail::waiting_for_order(ctx, u)) return {};
  const Instrument* stock = ctx.find_instrument(u);
  const std::int64_t shares = stock != nullptr ? whole(ctx.portfolio().quantity(stock->id)) : 0;
  std::vector<portfolio::Position> legs = detail::option_positions(ctx.portfolio(), u);
  if (legs.empty()) {
    if (shares != 0) return flatten(ctx, chain, shares, "no option position left");
    KEEL_TRY_STATUS(enter(ctx, chain));
    legs = detail::option_positions(ctx.portfolio(), u);
    if (legs.empty() || detail::working_on(ctx, u)) return {};
    return hedge(ctx, chain, legs, true);
  }

  // Exit rules on the options alone.
  std::string missing;
  auto plan = detail::close_at_touch(chain, legs, missing);
  if (!plan) {
    ctx.log(u + ": no quote for " + missing + " in today's chain; position not managed or hedged");
    return {};
  }
  const portfolio::Position& first = legs.front();
  const i128 n = whole(first.quantity.is_negative() ? -first.quantity : first.quantity);
  i128 cost = 0;
  int min_dte = 100000;
  for (const portfolio::Position& p : legs) {
    cost += p.cost_basis.raw();
    min_dte = std::min(min_dte, chain.find(p.instrument->id)->dte);
  }
  const i128 entry_net = cost / (n * first.multiplier());
  const i128 pnl = -entry_net - plan->net.raw();
  const i128 premium = entry_net < 0 ? -entry_net : entry_net;
  std::optional<std::string> reason;
  if (config_.profit_target > 0.0 && premium > 0 && pnl * kScale >= premium * frac_raw(config_.profit_target)) {
    reason = "profit target " + fixed(100.0 * config_.profit_target, 0) + "% of premium";
  } else if (config_.loss_limit > 0.0 && premium > 0 && -pnl * kScale >= premium * frac_raw(config_.loss_limit)) {
    reason = "loss limit " + fixed(100.0 * config_.loss_limit, 0) + "% of premium";
  } else if (config_.exit_dte >= 0 && min_dte <= config_.exit_dte) {
    reason = "DTE " + std::to_string(min_dte) + " <= exit_dte " + std::to_string(config_.exit_dte);
  }
  if (reason) {
    if (plan->request.legs.empty() && !plan->request.limit_price->is_positive()) {
      ctx.log(u + ": " + *reason + " but " + first.instrument->symbol + " has no bid; left to expire");
    } else {
      plan->request.reason = "delta_hedged_vol: close " + std::string(to_string(config_.direction)) + " " +
                             std::string(to_string(config_.structure)) + " (options P&L " + money(price_of(pnl)) +
                             "/sh on premium " + money(price_of(premium)) + "): " + *reason;
      if (!submit_or_log(ctx, plan->request, u)) return {};
    }
    return flatten(ctx, chain, shares, *reason);
  }
  return hedge(ctx, chain, legs, new_session);
}

Status DeltaHedgedVolStrategy::hedge(Context& ctx, const OptionChain& chain, const std::vector<portfolio::Position>& legs,
                                     bool new_session) {
  const std::string& u = chain.underlying();
  const Instrument* stock = ctx.find_instrument(u);
  if (stock == nullptr) {
    ctx.log(u + ": no stock instrument to hedge with");
    return {};
  }
  double d = 0.0;
  for (const portfolio::Position& p : legs) {
    const OptionRow* row = chain.find(p.instrument->id);
    if (row == nullptr) {
      ctx.log(u + ": no quote for " + p.instrument->symbol + "; no hedge today");
      return {};
    }
    d += p.quantity.to_double() * static_cast<double>(p.multiplier()) * row->delta;
  }
  const std::int64_t held = whole(ctx.portfolio().quantity(stock->id));
  const std::int64_t trade = hedge_shares(d, held, config_.hedge, config_.hedge_threshold, new_session);
  if (trade == 0) return {};
  const std::string reason = "delta_hedged_vol: hedge " + std::string(trade > 0 ? "buy " : "sell ") + std::to_string(trade > 0 ? trade : -trade) +
             " shares (options delta " + fixed(d, 1) + " sh, stock " + std::to_string(held) + " -> " +
             std::to_string(held + trade) + ", " + std::string(to_string(config_.hedge)) + ")";
  submit_or_log(ctx, stock_order(*stock, trade, reason), u);
  return {};
}

Status DeltaHedgedVolStrategy::enter(Context& ctx, const OptionChain& chain) {
  const std::string& u = chain.underlying();
  const Price spot = chain.underlying_price();
  const OptionRow* put = nullptr;
  const OptionRow* call = nullptr;
  int dte = 0;
  for (const auto& [expiry, e_dte] :
       detail::preferred_expiries(chain, config_.min_dte, config_.max_dte, config_.target_dte)) {
    if (config_.structure == VolStructure::kStraddle) {
      Price best;
      for (const OptionRow* p : detail::rows_on(chain, expiry, OptionRight::kPut)) {
        const OptionRow* c = chain.find(expiry, OptionRight::kCall, p->strike());
        if (c == nullptr || !c->bid.is_positive()) continue;
        const Price dist = p->strike() > spot ? p->strike() - spot : spot - p->strike();
        if (put == nullptr || dist < best) {
          put = p;
          call = c;
          best = dist;
        }
      }
    } else {
      put = detail::closest_abs_delta(detail::rows_on(chain, expiry, OptionRight::kPut), config_.strangle_delta);
      call = detail::closest_abs_delta(detail::rows_on(chain, expiry, OptionRight::kCall), config_.strangle_delta);
      if (put != nullptr && call != nullptr && call->strike() < put->strike()) put = call = nullptr;
    }
    if (put != nullptr && call != nullptr) {
      dte = e_dte;
      break;
    }
    put = call = nullptr;
  }
  if (put == nullptr) {
    ctx.log(u + ": no " + std::string(to_string(config_.structure)) + " with bids in DTE " +
            std::to_string(config_.min_dte) + ".." + std::to_string(config_.max_dte));
    return {};
  }
  const bool is_long = config_.direction == VolDirection::kLong;
  const OrderSide side = is_long ? OrderSide::kBuy : OrderSide::kSell;
  const i128 net = is_long ? static_cast<i128>(put->ask.raw()) + call->ask.raw()
                           : -static_cast<i128>(put->bid.raw()) - call->bid.raw();
  i128 loss_per_share = net;
  if (!is_long) {
    const i128 rp = naked_per_share(*put, spot), rc = naked_per_share(*call, spot);
    loss_per_share = rp >= rc ? rp + call->bid.raw() : rc + put->bid.raw();
  }
  const i128 loss = loss_per_share * kStrikeShares;
  const i128 cap = static_cast<i128>(ctx.portfolio().equity().raw()) * frac_raw(config_.capital_at_risk) / kScale;
  const i128 n = std::min<i128>(config_.contracts_max, loss > 0 ? cap / loss : 0);
  const std::string what = std::string(to_string(config_.direction)) + " " + std::string(to_string(config_.structure)) +
                           " P" + money(put->strike()) + "/C" + money(call->strike()) + " " +
                           put->expiry().to_string() + " DTE " + std::to_string(dte);
  if (n <= 0) {
    ctx.log(u + ": no " + what + " sized: max loss " + Money::from_raw(static_cast<std::int64_t>(loss), 2).to_string() +
            " per contract above capital_at_risk x equity");
    return {};
  }
  OrderRequest r;
  r.legs = {execution::ComboLeg{put->instrument.id, 1, side}, execution::ComboLeg{call->instrument.id, 1, side}};
  r.side = OrderSide::kBuy;
  r.type = OrderType::kLimit;
  r.tif = TimeInForce::kDay;
  r.quantity = units(static_cast<std::int64_t>(n));
  r.limit_price = price_of(net);
  r.all_or_none = true;
  r.reason = "delta_hedged_vol: open " + what + " " + (net > 0 ? "debit " : "credit ") +
             money(price_of(net > 0 ? net : -net)) + " x" + std::to_string(static_cast<std::int64_t>(n));
  submit_or_log(ctx, r, u);
  return {};
}

Status DeltaHedgedVolStrategy::on_option_event(Context& ctx, const OptionEvent& event) {
  if (!event.option.option || states_.find(event.option.option->underlying) == states_.end()) return {};
  ctx.log(event.option.option->underlying + ": " + event.option.symbol + " x" + std::to_string(whole(event.contracts)) +
          " " + std::string(to_string(event.kind)) + " at " + money(event.underlying_price) + " (" + event.rule + ")");
  return {};
}

}  // namespace keel::strategy
