#include "keel/strategy/wheel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

#include "keel/core/assert.hpp"
#include "keel/core/int128.hpp"
#include "keel/strategy/option_strategy_support.hpp"

namespace keel::strategy {
namespace {

using execution::OrderSide;
using execution::OrderType;
using execution::TimeInForce;

constexpr std::int64_t kScale = kFixedScale;  // 1e8: fractions as integers of 1e-8

// A configured fraction (0.25, 0.50, ...) as an integer count of 1e-8, so that comparisons with
// fixed-point prices are exact: the configs are decimals with at most 8 digits.
std::int64_t frac_raw(double x) { return std::llround(x * static_cast<double>(kScale)); }

std::string f2(double v) {
  char b[48];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}
std::string f1(double v) {
  char b[48];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}
std::string money(Price p) { return p.rounded(2).to_string(); }

std::int64_t whole(Quantity q) { return q.raw() / kScale; }
Quantity contracts_qty(std::int64_t n) { return Quantity::from_raw(n * kScale, 0); }

using detail::preferred_expiries;

enum class Metric : std::uint8_t { kAbsDelta, kProbOtm };

// Among the standard, bid rows of `right` on `expiry` with Greeks from an IV (an intrinsic
// fallback delta says nothing about the strike's risk) and strike >= min_strike, the one whose
// metric is closest to `target`; ties go to the lower strike (rows are strike-ascending).
const OptionRow* pick(const OptionChain& chain, OptionRight right, Date expiry, Metric metric, double target,
                      std::optional<Price> min_strike) {
  ChainFilter f;
  f.right = right;
  f.min_dte = expiry - chain.date();
  f.max_dte = f.min_dte;
  f.min_strike = min_strike;
  const OptionRow* best = nullptr;
  double best_distance = std::numeric_limits<double>::infinity();
  for (const OptionRow* r : chain.select(f)) {
    if (!r->greeks_from_iv || r->expiry() != expiry) continue;
    const double value = metric == Metric::kAbsDelta ? std::fabs(r->delta) : 1.0 - r->prob_itm;
    const double distance = std::fabs(value - target);
    if (distance < best_distance) {
      best = r;
      best_distance = distance;
    }
  }
  return best;
}

bool in_the_money(const OptionRow& r, Price spot) {
  const Price k = deliverable_strike(r.spec());
  return r.right() == OptionRight::kPut ? k > spot : k < spot;
}

std::string_view right_word(OptionRight r) { return r == OptionRight::kPut ? "put" : "call"; }

}  // namespace

WheelStrategy::WheelStrategy(WheelConfig config) : config_(std::move(config)) {
  const Status st = config_.validate();
  KEEL_ASSERT(st.ok(), st.ok() ? "" : st.error().message.c_str());
  for (const std::string& u : config_.underlyings) {
    states_.emplace(u, State{DailyIvRank(static_cast<std::size_t>(config_.iv_rank_lookback)), {}});
  }
}

std::optional<double> WheelStrategy::iv_rank(std::string_view underlying) const {
  const auto it = states_.find(underlying);
  return it == states_.end() ? std::nullopt : it->second.iv.rank();
}

WheelStrategy::Counts WheelStrategy::counts(std::string_view underlying) const {
  const auto it = states_.find(underlying);
  return it == states_.end() ? Counts{} : it->second.counts;
}

Status WheelStrategy::on_chain(Context& ctx, const OptionChain& chain) {
  const auto it = states_.find(chain.underlying());
  if (it == states_.end()) return {};
  State& state = it->second;
  const std::string& u = it->first;

  // IV rank: one observation per session (its first snapshot), warm-up included.
  KEEL_TRY_STATUS(state.iv.observe(ctx, chain));
  if (ctx.warming_up()) return {};

  if (detail::waiting_for_order(ctx, u)) return {};

  const portfolio::Portfolio& pf = ctx.portfolio();
  // Copies: a marketable order fills inside submit(), which changes the positions map.
  std::vector<portfolio::Position> shorts;
  for (const auto& [raw_id, pos] : pf.positions()) {
    if (pos.instrument->is_option() && pos.instrument->option->underlying == u && pos.quantity.is_negative()) {
      shorts.push_back(pos);
    }
  }
  bool short_put = false;
  std::int64_t covered_shares = 0;
  for (const portfolio::Position& pos : shorts) {
    bool acted = false;
    KEEL_TRY_STATUS(manage(ctx, chain, pos, acted));
    if (acted) return {};
    if (pos.instrument->option->right == OptionRight::kPut) {
      short_put = true;
    } else {
      covered_shares += whole(-pos.quantity) * pos.instrument->option->multiplier;
    }
  }

  const Instrument* stock = ctx.find_instrument(u);
  const std::int64_t shares = stock != nullptr ? whole(pf.quantity(stock->id)) : 0;
  if (shares > 0) {
    const std::int64_t lots = (shares - covered_shares) / kStrikeShares;
    if (lots > 0) return sell_calls(ctx, chain, lots);
    if (covered_shares == 0) {
      ctx.log(u + ": " + std::to_string(shares) + " shares, fewer than one contract's 100; no call to sell");
    }
    return {};
  }
  if (shares < 0) {
    ctx.log(u + ": short " + std::to_string(-shares) + " shares; the wheel does not trade against a short stock position");
    return {};
  }
  if (!short_put) return sell_put(ctx, chain, state);
  return {};
}

Status WheelStrategy::manage(Context& ctx, const OptionChain& chain, const portfolio::Position& pos, bool& acted) {
  const std::string& u = chain.underlying();
  const Instrument& inst = pos.instrument;
  const OptionRow* row = chain.find(inst.id);
  if (row == nullptr) {
    ctx.log(u + ": no quote for " + inst.symbol + " in today's chain; position not managed");
    return {};
  }
  const Price credit = pos.average_price();
  const Quantity qty = -pos.quantity;
  const Price ask = row->ask;

  auto buy_back = [&](std::string reason) {
    OrderRequest r;
    r.instrument = inst.id;
    r.side = OrderSide::kBuy;
    r.type = OrderType::kLimit;
    r.tif = TimeInForce::kDay;
    r.quantity = qty;
    r.limit_price = ask;
    r.reason = std::move(reason);
    acted = detail::submit_or_log(ctx, r, u);
  };

  // Profit take: ask <= (1 - profit_take) x credit, exactly: ask x 1e8 <= credit x (1e8 - pt).
  if (config_.profit_take > 0.0) {
    const i128 lhs = static_cast<i128>(ask.raw()) * kScale;
    const i128 rhs = static_cast<i128>(credit.raw()) * (kScale - frac_raw(config_.profit_take));
    if (lhs <= rhs) {
      const double captured = 100.0 * (credit.to_double() - ask.to_double()) / credit.to_double();
      buy_back("wheel: profit take " + std::to_string(std::lround(captured)) + "% of credit " + money(credit) +
               " (" + std::string(right_word(row->right())) + " ask " + money(ask) + ")");
      return {};
    }
  }
  // Stop: ask >= stop_loss_multiple x credit.
  if (config_.stop_loss_multiple > 0.0) {
    const i128 lhs = static_cast<i128>(ask.raw()) * kScale;
    const i128 rhs = static_cast<i128>(credit.raw()) * frac_raw(config_.stop_loss_multiple);
    if (lhs >= rhs) {
      buy_back("wheel: stop " + f1(config_.stop_loss_multiple) + "x credit " + money(credit) + " (" +
               std::string(right_word(row->right())) + " ask " + money(ask) + ")");
      return {};
    }
  }
  // Roll when near expiry and tested.
  const bool itm = in_the_money(*row, chain.underlying_price());
  if (row->dte <= config_.roll_dte && (itm || std::fabs(row->delta) >= config_.roll_delta)) {
    std::optional<Price> floor;
    Metric metric = Metric::kAbsDelta;
    double target = config_.put_delta;
    if (row->right() == OptionRight::kCall) {
      target = config_.call_delta;
      if (config_.call_strike_policy != CallStrikePolicy::kDeltaOnly) {
        const portfolio::WheelBasis basis = ctx.portfolio().wheel_basis(u);
        floor = config_.call_strike_policy == CallStrikePolicy::kAdjustedBasis ? basis.wheel_basis_per_share
                                                                               : basis.plain_basis_per_share;
      }
    } else if (config_.put_selection == PutSelection::kProbability) {
      metric = Metric::kProbOtm;
      target = config_.put_probability_otm;
    }
    std::optional<Price> best_net;
    for (const auto& [expiry, dte] :
         preferred_expiries(chain, config_.min_dte, config_.max_dte, config_.target_dte, row->expiry())) {
      const OptionRow* next = nullptr;
      if (config_.allow_roll_down_up) {
        next = pick(chain, row->right(), expiry, metric, target, floor);
      } else {
        next = chain.find(expiry, row->right(), row->strike());
        if (next != nullptr && !next->bid.is_positive()) next = nullptr;
      }
      if (next == nullptr) continue;
      const Price net = next->bid - ask;  // credit per share received by the roll
      if (config_.roll_for_credit_only && !(net.is_positive() && net >= config_.roll_min_credit)) {
        if (!best_net || net > *best_net) best_net = net;
        continue;
      }
      std::string how = "roll out";
      if (next->strike() < row->strike()) how += " and down";
      if (next->strike() > row->strike()) how += " and up";
      OrderRequest r;
      r.legs = {execution::ComboLeg{inst.id, 1, OrderSide::kBuy}, execution::ComboLeg{next->instrument.id, 1, OrderSide::kSell}};
      r.side = OrderSide::kBuy;
      r.type = OrderType::kLimit;
      r.tif = TimeInForce::kDay;
      r.quantity = qty;
      r.limit_price = ask - next->bid;  // order.hpp: the legs' net as written, negative = credit
      r.all_or_none = true;
      r.reason = "wheel: " + how + " for net " + (net.is_negative() ? "debit " + money(-net) : "credit " + money(net)) +
                 " (" + std::string(right_word(row->right())) + " " + money(row->strike()) + " DTE " +
                 std::to_string(row->dte) + " " + (itm ? "in the money" : "delta " + f2(std::fabs(row->delta))) +
                 " -> " + money(next->strike()) + " DTE " + std::to_string(dte) + ")";
      acted = detail::submit_or_log(ctx, r, u);
      return {};
    }
    if (best_net) {
      ctx.log(u + ": roll of " + inst.symbol + " skipped: best net credit " + money(*best_net) +
              " is not a credit of at least " + money(config_.roll_min_credit));
    } else {
      ctx.log(u + ": roll of " + inst.symbol + " skipped: no contract to roll to in DTE " +
              std::to_string(config_.min_dte) + ".." + std::to_string(config_.max_dte));
    }
  }
  if (config_.close_before_expiry && row->dte == 0) {
    buy_back("wheel: close before expiry (" + std::string(right_word(row->right())) + " ask " + money(ask) + ")");
  }
  return {};
}

Status WheelStrategy::sell_calls(Context& ctx, const OptionChain& chain, std::int64_t lots) {
  const std::string& u = chain.underlying();
  const portfolio::WheelBasis basis = ctx.portfolio().wheel_basis(u);
  std::optional<Price> floor;
  std::string floor_text;
  switch (config_.call_strike_policy) {
    case CallStrikePolicy::kAdjustedBasis:
      floor = basis.wheel_basis_per_share;
      floor_text = "above basis ";
      break;
    case CallStrikePolicy::kPlainBasis:
      floor = basis.plain_basis_per_share;
      floor_text = "above plain basis ";
      break;
    case CallStrikePolicy::kDeltaOnly: break;
  }
  if (config_.call_strike_policy != CallStrikePolicy::kDeltaOnly && !floor) {
    ctx.log(u + ": no share basis known; no covered call");
    return {};
  }
  for (const auto& [expiry, dte] : preferred_expiries(chain, config_.min_dte, config_.max_dte, config_.target_dte, {})) {
    const OptionRow* row = pick(chain, OptionRight::kCall, expiry, Metric::kAbsDelta, config_.call_delta, floor);
    if (row == nullptr) continue;
    if (row->bid < config_.min_call_premium) continue;  // not worth its commission: try the next expiry
    OrderRequest r;
    r.instrument = row->instrument.id;
    r.side = OrderSide::kSell;
    r.type = OrderType::kLimit;
    r.tif = TimeInForce::kDay;
    r.quantity = contracts_qty(lots);
    r.limit_price = row->bid;
    r.reason = "wheel: covered call " + money(row->strike()) + " delta " + f2(row->delta) + " DTE " +
               std::to_string(dte) + " " +
               (floor ? floor_text + money(*floor)
                      : std::string("(delta only; basis ") +
                            (basis.wheel_basis_per_share ? money(*basis.wheel_basis_per_share) : "n/a") + ")");
    detail::submit_or_log(ctx, r, u);
    return {};
  }
  ctx.log(u + ": no call " + (floor ? "at or above " + money(*floor) + " " : std::string()) + "with a bid of at least " +
          money(config_.min_call_premium) + " in DTE " +
          std::to_string(config_.min_dte) + ".." + std::to_string(config_.max_dte) + "; shares stay uncovered today");
  return {};
}

Status WheelStrategy::sell_put(Context& ctx, const OptionChain& chain, State& state) {
  const std::string& u = chain.underlying();
  if (config_.iv_rank_min > 0.0) {
    const std::optional<double> rank = state.iv.rank();
    if (!rank) {
      ctx.log(u + ": " + state.iv.unknown_reason() + "; no put");
      return {};
    }
    if (*rank < config_.iv_rank_min) {
      ctx.log(u + ": IV rank " + f1(*rank) + " below iv_rank_min " + f1(config_.iv_rank_min) + "; no put");
      return {};
    }
  }
  const Metric metric = config_.put_selection == PutSelection::kDelta ? Metric::kAbsDelta : Metric::kProbOtm;
  const double target = metric == Metric::kAbsDelta ? config_.put_delta : config_.put_probability_otm;
  const std::int64_t yield_raw = frac_raw(config_.min_premium_yield);
  const OptionRow* chosen = nullptr;
  int chosen_dte = 0;
  bool any_candidate = false;
  for (const auto& [expiry, dte] : preferred_expiries(chain, config_.min_dte, config_.max_dte, config_.target_dte, {})) {
    const OptionRow* row = pick(chain, OptionRight::kPut, expiry, metric, target, std::nullopt);
    if (row == nullptr) continue;
    any_candidate = true;
    // bid / strike >= min_premium_yield, exactly: bid x 1e8 >= strike x yield.
    if (static_cast<i128>(row->bid.raw()) * kScale >= static_cast<i128>(row->strike().raw()) * yield_raw) {
      chosen = row;
      chosen_dte = dte;
      break;
    }
  }
  if (chosen == nullptr) {
    ctx.log(u + (any_candidate ? ": no put passes min_premium_yield " + f1(100.0 * config_.min_premium_yield) + "%"
                               : ": no put with a bid and an implied vol in DTE " + std::to_string(config_.min_dte) +
                                     ".." + std::to_string(config_.max_dte)));
    return {};
  }

  // Sizing in integers of 1e-8 dollars. Collateral of one contract: strike x 100 (the strike's
  // unit, kStrikeShares; standard series only are chosen here).
  const portfolio::Portfolio& pf = ctx.portfolio();
  const i128 per_contract = static_cast<i128>(chosen->strike().raw()) * kStrikeShares;
  const i128 equity = pf.equity().raw();
  const i128 cap = equity * frac_raw(config_.capital_at_risk_limit) / kScale;
  const i128 buffer = equity * frac_raw(config_.cash_buffer) / kScale;
  auto underlying_price = [&ctx](std::string_view name) -> std::optional<Price> {
    if (const OptionChain* c = ctx.chain(name)) return c->underlying_price();
    if (const Instrument* s = ctx.find_instrument(name)) {
      const auto bars = ctx.history(s->id, 1);
      if (!bars.empty()) return bars.back().close;
    }
    return std::nullopt;
  };
  i128 free = pf.buying_power(underlying_price).raw();
  // Working orders of other underlyings will take cash when they fill (the pre-trade check
  // counts them too): a short put its collateral, a purchase its limit.
  for (const execution::Order& o : ctx.open_orders()) {
    if (o.is_combo()) continue;
    const Instrument* inst = ctx.instrument(o.instrument);
    if (inst == nullptr) continue;
    const i128 leaves = o.leaves_quantity().raw() / kScale;
    if (inst->is_option() && o.side == OrderSide::kSell && inst->option->right == OptionRight::kPut) {
      free -= static_cast<i128>(inst->option->strike.raw()) * kStrikeShares * leaves;
    } else if (o.side == OrderSide::kBuy && o.limit_price) {
      const std::int64_t mult = inst->is_option() ? inst->option->multiplier : 1;
      free -= static_cast<i128>(o.limit_price->raw()) * mult * leaves;
    }
  }
  const i128 n_cap = cap / per_contract;
  const i128 n_cash = free > buffer ? (free - buffer) / per_contract : 0;
  const i128 n = std::min<i128>({static_cast<i128>(config_.contracts_max), n_cap, n_cash});
  if (n <= 0) {
    ctx.log(u + ": no put sized: strike " + money(chosen->strike()) + " x 100 = " +
            money(Price::from_raw(static_cast<std::int64_t>(per_contract), 8)) + " per contract; " +
            std::to_string(static_cast<std::int64_t>(n_cap)) + " by capital_at_risk_limit, " +
            std::to_string(static_cast<std::int64_t>(n_cash)) + " by free cash after the buffer");
    return {};
  }

  const double yield = 100.0 * chosen->bid.to_double() / chosen->strike().to_double();
  OrderRequest r;
  r.instrument = chosen->instrument.id;
  r.side = OrderSide::kSell;
  r.type = OrderType::kLimit;
  r.tif = TimeInForce::kDay;
  r.quantity = contracts_qty(static_cast<std::int64_t>(n));
  r.limit_price = chosen->bid;
  r.reason = "wheel: sell put " + money(chosen->strike()) + " " +
             (metric == Metric::kProbOtm ? "P(OTM) " + f2(1.0 - chosen->prob_itm) + " " : std::string()) + "delta " +
             f2(std::fabs(chosen->delta)) + " DTE " + std::to_string(chosen_dte) + " yield " + f1(yield) + "%" +
             (state.iv.rank() ? " IV rank " + f1(*state.iv.rank()) : std::string());
  detail::submit_or_log(ctx, r, u);
  return {};
}

Status WheelStrategy::on_option_event(Context& ctx, const OptionEvent& event) {
  if (!event.option.option) return {};
  const std::string& u = event.option.option->underlying;
  const auto it = states_.find(u);
  if (it == states_.end()) return {};
  State& state = it->second;
  const bool put = event.option.option->right == OptionRight::kPut;
  const std::string what = u + ": " + std::string(right_word(event.option.option->right)) + " " + event.option.symbol +
                           " x" + std::to_string(whole(event.contracts)) + " " + std::string(to_string(event.kind)) +
                           " at " + money(event.underlying_price) + " (" + event.rule + ")";
  switch (event.kind) {
    case OptionEventKind::kAssigned:
    case OptionEventKind::kEarlyAssigned: {
      const portfolio::WheelBasis b = ctx.portfolio().wheel_basis(u);
      if (put) {
        ++state.counts.puts_assigned;
        ctx.log(what + ": holding " + std::to_string(whole(b.shares)) + " shares, wheel basis " +
                (b.wheel_basis_per_share ? money(*b.wheel_basis_per_share) : "n/a") + " (plain " +
                (b.plain_basis_per_share ? money(*b.plain_basis_per_share) : "n/a") + "); covered calls next");
      } else {
        ++state.counts.calls_assigned;
        ctx.log(what + ": shares called away at " + money(event.option.option->strike) + "; " +
                std::to_string(whole(b.shares)) + " shares left");
      }
      break;
    }
    case OptionEventKind::kExpiredWorthless:
      ++state.counts.expired_worthless;
      ctx.log(what + ": premium kept");
      break;
    default: ctx.log(what); break;
  }
  return {};
}

}  // namespace keel::strategy
