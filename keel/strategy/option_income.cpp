#include "keel/strategy/option_income.hpp"

#include <algorithm>
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

// Per-share raw dollars x 100 shares -> Money per contract.
Money per_contract(i128 per_share_raw) { return Money::from_raw(static_cast<std::int64_t>(per_share_raw * kStrikeShares), 2); }

// The listed strikes beyond `short_row` (puts: lower, calls: higher; `any_side`: every strike
// but the short one), nearest first.
std::vector<const OptionRow*> beyond(const std::vector<const OptionRow*>& rows, const OptionRow& short_row,
                                     bool any_side) {
  std::vector<const OptionRow*> out;
  const Price ks = short_row.strike();
  for (const OptionRow* r : rows) {
    if (r->strike() == ks) continue;
    const bool far_side = short_row.right() == OptionRight::kPut ? r->strike() < ks : r->strike() > ks;
    if (any_side || far_side) out.push_back(r);
  }
  std::stable_sort(out.begin(), out.end(), [&ks](const OptionRow* a, const OptionRow* b) {
    const Price da = a->strike() > ks ? a->strike() - ks : ks - a->strike();
    const Price db = b->strike() > ks ? b->strike() - ks : ks - b->strike();
    return da < db;
  });
  return out;
}

std::string leg_text(const OptionIncomeStrategy::Leg& l) {
  return std::string(l.side == OrderSide::kSell ? "-" : "+") + (l.row->right() == OptionRight::kPut ? "P" : "C") +
         money(l.row->strike()) + " " + l.row->expiry().to_string();
}

}  // namespace

OptionIncomeStrategy::OptionIncomeStrategy(OptionIncomeConfig config, portfolio::AccountType account)
    : config_(std::move(config)), account_(account) {
  const Status st = config_.validate(account_);
  KEEL_ASSERT(st.ok(), st.ok() ? "" : st.error().message.c_str());
  for (const std::string& u : config_.underlyings) {
    states_.emplace(u, State{DailyIvRank(static_cast<std::size_t>(config_.iv_rank_lookback))});
  }
}

std::optional<double> OptionIncomeStrategy::iv_rank(std::string_view underlying) const {
  const auto it = states_.find(underlying);
  return it == states_.end() ? std::nullopt : it->second.iv.rank();
}

// The long leg of a wing: by width in dollars, by strikes out, or by |delta|.
static const OptionRow* pick_wing(const OptionIncomeConfig& c, const std::vector<const OptionRow*>& rows,
                                  const OptionRow& short_row, bool any_side) {
  if (c.long_delta > 0.0) return detail::closest_abs_delta(beyond(rows, short_row, any_side), c.long_delta);
  const std::vector<const OptionRow*> out = beyond(rows, short_row, false);
  if (c.wing_strikes > 0) {
    return out.size() >= static_cast<std::size_t>(c.wing_strikes) ? out[static_cast<std::size_t>(c.wing_strikes) - 1]
                                                                   : nullptr;
  }
  const Price target = short_row.right() == OptionRight::kPut ? short_row.strike() - c.wing_width
                                                              : short_row.strike() + c.wing_width;
  const OptionRow* best = nullptr;
  Price best_d;
  for (const OptionRow* r : out) {
    const Price d = r->strike() > target ? r->strike() - target : target - r->strike();
    if (best == nullptr || d < best_d) {
      best = r;
      best_d = d;
    }
  }
  return best;
}

std::optional<OptionIncomeStrategy::Candidate> OptionIncomeStrategy::build(const OptionChain& chain, Date near,
                                                                           std::optional<Date> far,
                                                                           std::string& why) const {
  const Price spot = chain.underlying_price();
  const bool cash = account_ == portfolio::AccountType::kCash;
  Candidate c;
  c.dte = near - chain.date();
  const std::string at = " on " + near.to_string();
  auto short_leg = [&](OptionRight right, Date expiry) -> const OptionRow* {
    const OptionRow* r = detail::closest_abs_delta(detail::rows_on(chain, expiry, right), config_.short_delta);
    if (r == nullptr) why = "no " + std::string(detail::right_word(right)) + " with a bid and an implied vol" + at;
    return r;
  };
  auto wing = [&](const OptionRow& s, Date expiry, bool any_side) -> const OptionRow* {
    const OptionRow* r = pick_wing(config_, detail::rows_on(chain, expiry, s.right()), s, any_side);
    if (r == nullptr) why = "no long " + std::string(detail::right_word(s.right())) + " wing with a bid beyond " + money(s.strike()) + " on " + expiry.to_string();
    return r;
  };
  auto add = [&c](const OptionRow* r, OrderSide side) { c.legs.push_back({r, side}); };

  switch (config_.structure) {
    case IncomeStructure::kCashSecuredPut: {
      const OptionRow* p = short_leg(OptionRight::kPut, near);
      if (p == nullptr) return std::nullopt;
      add(p, OrderSide::kSell);
      c.max_loss = per_contract(p->strike().raw());
      c.requirement = cash ? c.max_loss : per_contract(naked_per_share(*p, spot));
      break;
    }
    case IncomeStructure::kCoveredCall: {
      const OptionRow* k = short_leg(OptionRight::kCall, near);
      if (k == nullptr) return std::nullopt;
      add(k, OrderSide::kSell);
      c.max_loss = per_contract(spot.raw());
      c.requirement = cash ? c.max_loss : per_contract(static_cast<i128>(spot.raw()) / 2);
      break;
    }
    case IncomeStructure::kBullPut:
    case IncomeStructure::kBearCall:
    case IncomeStructure::kIronCondor: {
      i128 wp = 0, wc = 0;
      if (config_.structure != IncomeStructure::kBearCall) {
        const OptionRow* sp = short_leg(OptionRight::kPut, near);
        if (sp == nullptr) return std::nullopt;
        const OptionRow* lp = wing(*sp, near, false);
        if (lp == nullptr) return std::nullopt;
        add(sp, OrderSide::kSell);
        add(lp, OrderSide::kBuy);
        wp = static_cast<i128>(sp->strike().raw()) - lp->strike().raw();
      }
      if (config_.structure != IncomeStructure::kBullPut) {
        const OptionRow* sc = short_leg(OptionRight::kCall, near);
        if (sc == nullptr) return std::nullopt;
        const OptionRow* lc = wing(*sc, near, false);
        if (lc == nullptr) return std::nullopt;
        if (!c.legs.empty() && !(c.legs.front().row->strike() < sc->strike())) {
          why = "short put " + money(c.legs.front().row->strike()) + " is not below short call " + money(sc->strike()) + at;
          return std::nullopt;
        }
        add(sc, OrderSide::kSell);
        add(lc, OrderSide::kBuy);
        wc = static_cast<i128>(lc->strike().raw()) - sc->strike().raw();
      }
      c.width = price_of(std::max(wp, wc));
      c.requirement = per_contract(wp + wc);
      break;
    }
    case IncomeStructure::kShortStrangle: {
      const OptionRow* p = short_leg(OptionRight::kPut, near);
      const OptionRow* k = p != nullptr ? short_leg(OptionRight::kCall, near) : nullptr;
      if (k == nullptr) return std::nullopt;
      if (!(p->strike() <= k->strike())) {
        why = "short put " + money(p->strike()) + " is above short call " + money(k->strike()) + at;
        return std::nullopt;
      }
      add(p, OrderSide::kSell);
      add(k, OrderSide::kSell);
      break;
    }
    case IncomeStructure::kShortStraddle: {
      const OptionRow* best_p = nullptr;
      const OptionRow* best_c = nullptr;
      Price best_d;
      for (const OptionRow* p : detail::rows_on(chain, near, OptionRight::kPut)) {
        const OptionRow* k = chain.find(near, OptionRight::kCall, p->strike());
        if (k == nullptr || !k->bid.is_positive()) continue;
        const Price d = p->strike() > spot ? p->strike() - spot : spot - p->strike();
        if (best_p == nullptr || d < best_d) {
          best_p = p;
          best_c = k;
          best_d = d;
        }
      }
      if (best_p == nullptr) {
        why = "no strike with a put and a call bid" + at;
        return std::nullopt;
      }
      add(best_p, OrderSide::kSell);
      add(best_c, OrderSide::kSell);
      break;
    }
    case IncomeStructure::kCalendar:
    case IncomeStructure::kDiagonal: {
      const OptionRow* s = short_leg(config_.right, near);
      if (s == nullptr) return std::nullopt;
      const OptionRow* l = nullptr;
      if (config_.structure == IncomeStructure::kCalendar) {
        l = chain.find(*far, config_.right, s->strike());
        if (l == nullptr || !l->bid.is_positive()) {
          why = "no " + std::string(detail::right_word(config_.right)) + " " + money(s->strike()) + " with a bid on " +
                far->to_string();
          return std::nullopt;
        }
      } else {
        l = wing(*s, *far, true);
        if (l == nullptr) return std::nullopt;
      }
      add(s, OrderSide::kSell);
      add(l, OrderSide::kBuy);
      const i128 adverse = std::max<i128>(0, config_.right == OptionRight::kPut
                                                 ? static_cast<i128>(s->strike().raw()) - l->strike().raw()
                                                 : static_cast<i128>(l->strike().raw()) - s->strike().raw());
      c.width = price_of(adverse);
      c.requirement = per_contract((cash ? static_cast<i128>(s->strike().raw()) : naked_per_share(*s, spot)) + l->ask.raw());
      break;
    }
  }

  i128 net = 0;
  for (const Leg& l : c.legs) net += l.side == OrderSide::kBuy ? l.row->ask.raw() : -static_cast<i128>(l.row->bid.raw());
  c.net = price_of(net);
  const std::string legs_text = [&] {
    std::string s;
    for (const Leg& l : c.legs) s += (s.empty() ? "" : " ") + leg_text(l);
    return s;
  }();
  if (is_debit_structure(config_.structure)) {
    if (net <= 0) {
      why = legs_text + ": net " + money(price_of(-net)) + " credit; a " + std::string(to_string(config_.structure)) +
            " is opened for a debit";
      return std::nullopt;
    }
    if (config_.max_debit.is_positive() && net > config_.max_debit.raw()) {
      why = legs_text + ": debit " + money(c.net) + " above max_debit " + money(config_.max_debit);
      return std::nullopt;
    }
    c.max_loss = per_contract(net + c.width.raw());
    return c;
  }
  const i128 credit = -net;
  if (credit <= 0 || credit < config_.min_credit.raw()) {
    why = legs_text + ": credit " + money(price_of(credit)) + " below min_credit " + money(config_.min_credit);
    return std::nullopt;
  }
  switch (config_.structure) {
    case IncomeStructure::kBullPut:
    case IncomeStructure::kBearCall:
    case IncomeStructure::kIronCondor: {
      const i128 width = c.width.raw();
      if (credit >= width) {
        why = legs_text + ": credit " + money(price_of(credit)) + " is not below the width " + money(c.width) +
              " (crossed quotes)";
        return std::nullopt;
      }
      // credit / width >= min_credit_to_width, exactly: credit x 1e8 >= width x ratio.
      if (credit * kScale < width * frac_raw(config_.min_credit_to_width)) {
        why = legs_text + ": credit " + money(price_of(credit)) + " is " + fixed(100.0 * static_cast<double>(credit) / static_cast<double>(width), 1) +
              "% of width " + money(c.width) + ", below min_credit_to_width " + fixed(100.0 * config_.min_credit_to_width, 1) + "%";
        return std::nullopt;
      }
      c.max_loss = per_contract(width - credit);
      break;
    }
    case IncomeStructure::kShortStrangle:
    case IncomeStructure::kShortStraddle: {
      const OptionRow& p = *c.legs[0].row;
      const OptionRow& k = *c.legs[1].row;
      const i128 rp = naked_per_share(p, spot), rc = naked_per_share(k, spot);
      // CBOE short combination: the greater requirement plus the other side's premium.
      c.max_loss = per_contract(rp >= rc ? rp + k.bid.raw() : rc + p.bid.raw());
      c.requirement = per_contract(rp + rc);
      break;
    }
    default: break;
  }
  return c;
}

std::optional<OptionIncomeStrategy::Candidate> OptionIncomeStrategy::plan_entry(const OptionChain& chain,
                                                                                std::string& why) const {
  why = "no expiry in DTE " + std::to_string(config_.min_dte) + ".." + std::to_string(config_.max_dte);
  for (const auto& [near, dte] :
       detail::preferred_expiries(chain, config_.min_dte, config_.max_dte, config_.target_dte)) {
    if (!is_two_expiry(config_.structure)) {
      if (auto c = build(chain, near, std::nullopt, why)) return c;
      continue;
    }
    const auto fars =
        detail::preferred_expiries(chain, config_.far_min_dte, config_.far_max_dte, config_.far_target_dte, near);
    if (fars.empty()) why = "no far expiry in DTE " + std::to_string(config_.far_min_dte) + ".." + std::to_string(config_.far_max_dte) + " after " + near.to_string();
    for (const auto& [far, far_dte] : fars) {
      if (auto c = build(chain, near, far, why)) return c;
    }
  }
  return std::nullopt;
}

bool OptionIncomeStrategy::rank_allows(Context& ctx, const std::string& u, const State& state) const {
  if (config_.iv_rank_min <= 0.0) return true;
  const std::optional<double> rank = state.iv.rank();
  if (!rank) {
    ctx.log(u + ": " + state.iv.unknown_reason() + "; no new " + std::string(to_string(config_.structure)));
    return false;
  }
  if (*rank < config_.iv_rank_min) {
    ctx.log(u + ": IV rank " + fixed(*rank, 1) + " below iv_rank_min " + fixed(config_.iv_rank_min, 1) + "; no new " +
            std::string(to_string(config_.structure)));
    return false;
  }
  return true;
}

Status OptionIncomeStrategy::on_chain(Context& ctx, const OptionChain& chain) {
  const auto it = states_.find(chain.underlying());
  if (it == states_.end()) return {};
  State& state = it->second;
  const std::string& u = it->first;

  KEEL_TRY_STATUS(state.iv.observe(ctx, chain));
  if (ctx.warming_up()) return {};
  if (detail::waiting_for_order(ctx, u)) return {};

  const portfolio::Portfolio& pf = ctx.portfolio();
  const Instrument* stock = ctx.find_instrument(u);
  const std::int64_t shares = stock != nullptr ? whole(pf.quantity(stock->id)) : 0;
  const std::vector<portfolio::Position> legs = detail::option_positions(pf, u);
  if (config_.structure == IncomeStructure::kCoveredCall) return covered_call(ctx, chain, state, shares, legs);

  if (shares != 0 && stock != nullptr) {
    OrderRequest r;
    r.instrument = stock->id;
    r.side = shares > 0 ? OrderSide::kSell : OrderSide::kBuy;
    r.type = OrderType::kLimit;
    r.tif = TimeInForce::kDay;
    r.quantity = units(shares > 0 ? shares : -shares);
    r.limit_price = chain.underlying_price();
    r.reason = "option_income: close " + std::to_string(shares) + " shares left by an assignment at " +
               money(chain.underlying_price());
    submit_or_log(ctx, r, u);
    return {};
  }
  if (legs.empty()) return enter(ctx, chain, state);

  std::size_t expected = 2;
  if (config_.structure == IncomeStructure::kCashSecuredPut) expected = 1;
  if (config_.structure == IncomeStructure::kIronCondor) expected = 4;
  bool equal = true;
  for (const portfolio::Position& p : legs) equal = equal && (p.quantity.is_negative() ? -p.quantity : p.quantity) ==
                                                                 (legs.front().quantity.is_negative() ? -legs.front().quantity : legs.front().quantity);
  if (legs.size() != expected || !equal) {
    const std::vector<portfolio::Position> part = equal ? legs : std::vector<portfolio::Position>{legs.front()};
    std::string missing;
    auto plan = detail::close_at_touch(chain, part, missing);
    if (!plan) {
      ctx.log(u + ": no quote for " + missing + " in today's chain; incomplete position not closed");
      return {};
    }
    plan->request.reason = "option_income: close what is left of the " + std::string(to_string(config_.structure)) +
                           " (" + std::to_string(legs.size()) + " of " + std::to_string(expected) +
                           " legs held) for net " + money(plan->net);
    if (plan->request.legs.empty() && !plan->request.limit_price->is_positive()) {
      ctx.log(u + ": " + part.front().instrument->symbol + " has no bid; left to expire");
      return {};
    }
    submit_or_log(ctx, plan->request, u);
    return {};
  }
  bool acted = false;
  return manage(ctx, chain, legs, acted);
}

Status OptionIncomeStrategy::manage(Context& ctx, const OptionChain& chain, const std::vector<portfolio::Position>& legs,
                                    bool& acted) {
  const std::string& u = chain.underlying();
  std::string missing;
  auto plan = detail::close_at_touch(chain, legs, missing);
  if (!plan) {
    ctx.log(u + ": no quote for " + missing + " in today's chain; position not managed");
    return {};
  }
  const portfolio::Position& first = legs.front();
  const i128 n = whole(first.quantity.is_negative() ? -first.quantity : first.quantity);
  i128 cost = 0;
  for (const portfolio::Position& p : legs) cost += p.cost_basis.raw();
  const i128 entry_net = cost / (n * first.multiplier());  // per share, positive = debit paid
  const i128 pnl = -entry_net - plan->net.raw();
  const i128 premium = entry_net < 0 ? -entry_net : entry_net;
  const Price spot = chain.underlying_price();
  std::string what = std::string(to_string(config_.structure)) + " entry " +
                     (entry_net < 0 ? "credit " + money(price_of(-entry_net)) : "debit " + money(price_of(entry_net))) +
                     ", to close " + (plan->net.is_negative() ? "credit " + money(-plan->net) : "debit " + money(plan->net)) +
                     ", P&L " + money(price_of(pnl)) + "/sh";
  std::optional<std::string> reason;
  if (config_.profit_target > 0.0 && premium > 0 && pnl * kScale >= premium * frac_raw(config_.profit_target)) {
    reason = "profit target " + fixed(100.0 * config_.profit_target, 0) + "% of premium";
  } else if (config_.loss_limit > 0.0 && premium > 0 && -pnl * kScale >= premium * frac_raw(config_.loss_limit)) {
    reason = "loss limit " + fixed(config_.loss_limit, 2) + "x premium";
  }
  int min_dte = 100000;
  for (const portfolio::Position& p : legs) {
    const OptionRow* row = chain.find(p.instrument->id);
    min_dte = std::min(min_dte, row->dte);
    if (reason || !config_.exit_when_tested || !p.quantity.is_negative()) continue;
    const i128 s = static_cast<i128>(spot.raw()) * kScale;
    const i128 k = p.instrument->option->strike.raw();
    const bool put = p.instrument->option->right == OptionRight::kPut;
    const bool tested = put ? s <= k * (kScale + frac_raw(config_.tested_band)) : s >= k * (kScale - frac_raw(config_.tested_band));
    if (tested) {
      reason = "short " + std::string(detail::right_word(p.instrument->option->right)) + " " +
               money(p.instrument->option->strike) + " tested (underlying " + money(spot) + ", band " +
               fixed(100.0 * config_.tested_band, 1) + "%)";
    }
  }
  if (!reason && config_.exit_dte >= 0 && min_dte <= config_.exit_dte) {
    reason = "DTE " + std::to_string(min_dte) + " <= exit_dte " + std::to_string(config_.exit_dte);
  }
  if (!reason) return {};
  if (plan->request.legs.empty() && !plan->request.limit_price->is_positive()) {
    ctx.log(u + ": " + reason.value() + " but " + first.instrument->symbol + " has no bid; left to expire");
    return {};
  }
  plan->request.reason = "option_income: close " + what + ": " + *reason;
  acted = submit_or_log(ctx, plan->request, u);
  return {};
}

Status OptionIncomeStrategy::enter(Context& ctx, const OptionChain& chain, const State& state) {
  const std::string& u = chain.underlying();
  if (!rank_allows(ctx, u, state)) return {};
  std::string why;
  const auto c = plan_entry(chain, why);
  if (!c) {
    ctx.log(u + ": no " + std::string(to_string(config_.structure)) + ": " + why);
    return {};
  }
  const portfolio::Portfolio& pf = ctx.portfolio();
  const i128 equity = pf.equity().raw();
  const i128 cap = equity * frac_raw(config_.capital_at_risk) / kScale;
  auto uprice = [&ctx](std::string_view name) -> std::optional<Price> {
    if (const OptionChain* ch = ctx.chain(name)) return ch->underlying_price();
    return std::nullopt;
  };
  const i128 bp = pf.buying_power(uprice).raw();
  const i128 loss = c->max_loss.raw(), req = c->requirement.raw();
  const i128 n_risk = loss > 0 ? cap / loss : 0;
  const i128 n_bp = req > 0 && bp > 0 ? bp / req : 0;
  const i128 n = std::min<i128>({static_cast<i128>(config_.contracts_max), n_risk, n_bp});
  std::string legs_text;
  for (const Leg& l : c->legs) legs_text += (legs_text.empty() ? "" : " ") + leg_text(l);
  if (n <= 0) {
    ctx.log(u + ": no " + std::string(to_string(config_.structure)) + " sized (" + legs_text + "): max loss " +
            c->max_loss.to_string() + " per contract allows " + std::to_string(static_cast<std::int64_t>(n_risk)) +
            " by capital_at_risk, requirement " + c->requirement.to_string() + " allows " +
            std::to_string(static_cast<std::int64_t>(n_bp)) + " by buying power");
    return {};
  }
  const std::string rank = state.iv.rank() ? " IV rank " + fixed(*state.iv.rank(), 1) : std::string();
  if (config_.structure == IncomeStructure::kCoveredCall) {
    const Instrument* stock = ctx.find_instrument(u);
    if (stock == nullptr) {
      ctx.log(u + ": no stock instrument; no covered call");
      return {};
    }
    OrderRequest r;
    r.instrument = stock->id;
    r.side = OrderSide::kBuy;
    r.type = OrderType::kLimit;
    r.tif = TimeInForce::kDay;
    r.quantity = units(static_cast<std::int64_t>(n) * kStrikeShares);
    r.limit_price = chain.underlying_price();
    r.reason = "option_income: buy " + std::to_string(static_cast<std::int64_t>(n) * kStrikeShares) + " shares at " +
               money(chain.underlying_price()) + " to write covered calls (" + legs_text + " bid " +
               money(c->legs.front().row->bid) + ")" + rank;
    submit_or_log(ctx, r, u);
    return {};
  }
  OrderRequest r;
  r.type = OrderType::kLimit;
  r.tif = TimeInForce::kDay;
  r.quantity = units(static_cast<std::int64_t>(n));
  if (c->legs.size() == 1) {
    r.instrument = c->legs.front().row->instrument.id;
    r.side = OrderSide::kSell;
    r.limit_price = c->legs.front().row->bid;
  } else {
    for (const Leg& l : c->legs) r.legs.push_back(execution::ComboLeg{l.row->instrument.id, 1, l.side});
    r.side = OrderSide::kBuy;
    r.limit_price = c->net;
    r.all_or_none = true;
  }
  r.reason = "option_income: open " + std::string(to_string(config_.structure)) + " " + legs_text + " DTE " +
             std::to_string(c->dte) + " " +
             (c->net.is_negative() ? "credit " + money(-c->net) : "debit " + money(c->net)) +
             (c->width.is_positive() ? " width " + money(c->width) : std::string()) + " max loss " +
             c->max_loss.to_string() + "/contract" + rank;
  submit_or_log(ctx, r, u);
  return {};
}

Status OptionIncomeStrategy::covered_call(Context& ctx, const OptionChain& chain, const State& state,
                                          std::int64_t shares, const std::vector<portfolio::Position>& legs) {
  const std::string& u = chain.underlying();
  std::int64_t covered = 0;
  for (const portfolio::Position& p : legs) {
    const bool short_call = p.quantity.is_negative() && p.instrument->option->right == OptionRight::kCall;
    std::string missing;
    if (!short_call) {  // not part of a covered call: close it
      auto plan = detail::close_at_touch(chain, {p}, missing);
      if (plan && plan->request.limit_price->is_positive()) {
        plan->request.reason = "option_income: close " + p.instrument->symbol + " (not part of a covered call)";
        submit_or_log(ctx, plan->request, u);
        return {};
      }
      continue;
    }
    bool acted = false;
    KEEL_TRY_STATUS(manage(ctx, chain, {p}, acted));
    if (acted) return {};
    covered += whole(-p.quantity) * p.instrument->option->multiplier;
  }
  if (shares < 0) {
    OrderRequest r;
    r.instrument = ctx.find_instrument(u)->id;
    r.side = OrderSide::kBuy;
    r.type = OrderType::kLimit;
    r.tif = TimeInForce::kDay;
    r.quantity = units(-shares);
    r.limit_price = chain.underlying_price();
    r.reason = "option_income: buy back " + std::to_string(-shares) + " short shares";
    submit_or_log(ctx, r, u);
    return {};
  }
  if (shares == 0) {
    if (covered == 0) return enter(ctx, chain, state);
    return {};
  }
  const std::int64_t lots = (shares - covered) / kStrikeShares;
  if (lots <= 0) {
    if (covered == 0) ctx.log(u + ": " + std::to_string(shares) + " shares, fewer than one contract's 100; no call");
    return {};
  }
  for (const auto& [expiry, dte] :
       detail::preferred_expiries(chain, config_.min_dte, config_.max_dte, config_.target_dte)) {
    const OptionRow* row = detail::closest_abs_delta(detail::rows_on(chain, expiry, OptionRight::kCall), config_.short_delta);
    if (row == nullptr || row->bid < config_.min_credit || !row->bid.is_positive()) continue;
    OrderRequest r;
    r.instrument = row->instrument.id;
    r.side = OrderSide::kSell;
    r.type = OrderType::kLimit;
    r.tif = TimeInForce::kDay;
    r.quantity = units(lots);
    r.limit_price = row->bid;
    r.reason = "option_income: covered call " + money(row->strike()) + " delta " + fixed(row->delta, 2) + " DTE " +
               std::to_string(dte) + " bid " + money(row->bid) + " on " + std::to_string(lots * kStrikeShares) + " shares";
    submit_or_log(ctx, r, u);
    return {};
  }
  ctx.log(u + ": no call with a bid of at least min_credit " + money(config_.min_credit) + " in DTE " +
          std::to_string(config_.min_dte) + ".." + std::to_string(config_.max_dte) + "; shares stay uncovered today");
  return {};
}

Status OptionIncomeStrategy::on_option_event(Context& ctx, const OptionEvent& event) {
  if (!event.option.option || states_.find(event.option.option->underlying) == states_.end()) return {};
  ctx.log(event.option.option->underlying + ": " + event.option.symbol + " x" + std::to_string(whole(event.contracts)) +
          " " + std::string(to_string(event.kind)) + " at " + money(event.underlying_price) + " (" + event.rule + ")");
  return {};
}

}  // namespace keel::strategy
