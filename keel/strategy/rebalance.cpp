#include "keel/strategy/rebalance.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "keel/core/assert.hpp"
#include "keel/strategy/option_strategy_support.hpp"

namespace keel::strategy {
namespace {

using execution::OrderSide;

Error invalid(const std::string& what) { return make_error(ErrorCode::kInvalidArgument, what); }

// Monday of d's week (weeks start on Monday).
Date week_start(Date d) {
  const int w = static_cast<int>(d.weekday());  // Sunday = 0
  return d - ((w + 6) % 7);
}

bool same_period(Date a, Date b, RebalanceFrequency f) {
  switch (f) {
    case RebalanceFrequency::kDaily: return a == b;
    case RebalanceFrequency::kWeekly: return week_start(a) == week_start(b);
    case RebalanceFrequency::kMonthly: return a.year() == b.year() && a.month() == b.month();
  }
  return false;
}

}  // namespace

std::string_view to_string(RebalanceFrequency f) noexcept {
  switch (f) {
    case RebalanceFrequency::kDaily: return "daily";
    case RebalanceFrequency::kWeekly: return "weekly";
    case RebalanceFrequency::kMonthly: return "monthly";
  }
  return "?";
}

std::string_view to_string(RebalanceSession s) noexcept { return s == RebalanceSession::kFirst ? "first" : "last"; }

Result<bool> is_rebalance_session(const ExchangeCalendar& calendar, Date d, const Schedule& schedule) {
  if (!calendar.is_trading_day(d)) return invalid("rebalance schedule: " + d.to_string() + " is not a trading day");
  if (schedule.frequency == RebalanceFrequency::kDaily) return true;
  if (schedule.session == RebalanceSession::kFirst) {
    KEEL_TRY(prev, calendar.previous_trading_day(d));
    return !same_period(prev, d, schedule.frequency);
  }
  KEEL_TRY(next, calendar.next_trading_day(d));
  return !same_period(next, d, schedule.frequency);
}

Status RebalanceRules::validate() const {
  if (!(cash_buffer >= 0.0 && cash_buffer < 1.0)) return invalid("cash_buffer " + detail::short_num(cash_buffer) + " out of range [0, 1)");
  if (!(drift_band >= 0.0 && drift_band < 1.0)) return invalid("drift_band " + detail::short_num(drift_band) + " out of range [0, 1)");
  if (!(min_trade_value >= 0.0 && min_trade_value <= 1e9)) {
    return invalid("min_trade_value " + detail::short_num(min_trade_value) + " out of range [0, 1e9]");
  }
  if (!(max_gross > 0.0 && max_gross <= 10.0)) return invalid("max_gross " + detail::short_num(max_gross) + " out of range (0, 10]");
  return ok_status();
}

Result<std::vector<PlannedOrder>> plan_rebalance(const std::map<std::string, double, std::less<>>& targets,
                                                 const std::vector<Holding>& holdings, Money equity, Money cash,
                                                 const RebalanceRules& rules) {
  KEEL_TRY_STATUS(rules.validate());
  if (!equity.is_positive()) return invalid("rebalance: equity " + equity.to_string() + " is not positive");
  double gross = 0.0;
  for (const auto& [symbol, w] : targets) {
    if (!std::isfinite(w)) return invalid("rebalance: weight of " + symbol + " is not finite");
    if (w < 0.0 && !rules.allow_short) {
      return invalid("rebalance: weight of " + symbol + " is " + detail::short_num(w) + " < 0 but short selling is off");
    }
    gross += std::fabs(w);
    // (A named copy: lambdas may not capture structured bindings before C++20 as clang 14 reads it.)
    const std::string& name = symbol;
    if (std::none_of(holdings.begin(), holdings.end(), [&name](const Holding& h) { return h.symbol == name; })) {
      return invalid("rebalance: no close for targeted symbol " + symbol);
    }
  }
  if (gross > rules.max_gross + 1e-12) {
    return invalid("rebalance: gross weight " + detail::short_num(gross) + " exceeds max_gross " + detail::short_num(rules.max_gross));
  }
  const double eq = equity.to_double();
  const double investable = eq * (1.0 - rules.cash_buffer);
  std::vector<PlannedOrder> sells, buys;
  std::set<std::string> seen;
  for (const Holding& h : holdings) {
    if (!seen.insert(h.symbol).second) return invalid("rebalance: " + h.symbol + " listed twice in the holdings");
    if (!h.close.is_positive()) return invalid("rebalance: close of " + h.symbol + " is not positive");
    const auto it = targets.find(h.symbol);
    const double w = it == targets.end() ? 0.0 : it->second;
    const double close = h.close.to_double();
    // Toward zero; the 1e-9 keeps an exact multiple (0.5 x 1000 / 50 = 10) from flooring to 9.
    const double raw = std::floor(std::fabs(w) * investable / close + 1e-9);
    const std::int64_t target = (w < 0.0 ? -1 : 1) * static_cast<std::int64_t>(raw);
    const std::int64_t delta = target - h.shares;
    if (delta == 0) continue;
    const double value = static_cast<double>(delta < 0 ? -delta : delta) * close;
    const bool exit = target == 0;
    if (!exit && (value < rules.drift_band * eq || value < rules.min_trade_value)) continue;
    PlannedOrder o;
    o.symbol = h.symbol;
    o.id = h.id;
    o.side = delta > 0 ? OrderSide::kBuy : OrderSide::kSell;
    o.shares = delta > 0 ? delta : -delta;
    o.target_shares = target;
    o.weight = w;
    (delta > 0 ? buys : sells).push_back(std::move(o));
  }
  auto by_symbol = [](const PlannedOrder& a, const PlannedOrder& b) { return a.symbol < b.symbol; };
  std::sort(sells.begin(), sells.end(), by_symbol);
  std::sort(buys.begin(), buys.end(), by_symbol);
  // Cash check on the closes: buys are paid from cash, what the sells bring, less the buffer.
  auto close_of = [&holdings](const std::string& s) {
    for (const Holding& h : holdings) {
      if (h.symbol == s) return h.close.to_double();
    }
    return 0.0;
  };
  double available = cash.to_double() - rules.cash_buffer * eq;
  for (const PlannedOrder& o : sells) available += static_cast<double>(o.shares) * close_of(o.symbol);
  double needed = 0.0;
  for (const PlannedOrder& o : buys) needed += static_cast<double>(o.shares) * close_of(o.symbol);
  std::vector<PlannedOrder> out = std::move(sells);
  if (needed > available) {
    const double ratio = available > 0.0 ? available / needed : 0.0;
    for (PlannedOrder& o : buys) o.shares = static_cast<std::int64_t>(std::floor(static_cast<double>(o.shares) * ratio));
  }
  for (PlannedOrder& o : buys) {
    if (o.shares > 0) out.push_back(std::move(o));
  }
  return out;
}

Result<int> rebalance(Context& ctx, const std::map<std::string, double, std::less<>>& targets,
                      const std::vector<std::string>& universe, const RebalanceRules& rules, std::string_view reason) {
  const portfolio::Portfolio& pf = ctx.portfolio();
  std::vector<Holding> holdings;
  std::map<std::string, double, std::less<>> usable;
  std::set<std::int64_t> ids;
  for (const std::string& s : universe) {
    const Instrument* inst = ctx.find_instrument(s);
    if (inst == nullptr) continue;
    const auto bars = ctx.history(inst->id, 1);
    const Quantity q = pf.quantity(inst->id);
    const auto it = targets.find(s);
    if (bars.empty()) {
      if (it != targets.end() && it->second != 0.0) ctx.log(s + ": no bar yet; weight " + detail::short_num(it->second) + " dropped");
      continue;
    }
    Holding h;
    h.symbol = s;
    h.id = inst->id;
    h.shares = q.raw() / kFixedScale;
    h.close = bars.back().close;
    holdings.push_back(h);
    ids.insert(inst->id.value());
    if (it != targets.end()) usable.emplace(s, it->second);
  }
  for (const auto& [s, w] : targets) {
    const std::string& name = s;  // clang 14 does not capture structured bindings
    if (std::none_of(universe.begin(), universe.end(), [&name](const std::string& u) { return u == name; })) {
      return invalid("rebalance: targeted symbol " + s + " is not in the strategy's universe");
    }
  }
  for (const execution::Order& o : ctx.open_orders()) {
    if (!o.is_combo() && ids.count(o.instrument.value())) KEEL_TRY_STATUS(ctx.cancel(o.id));
  }
  KEEL_TRY(plan, plan_rebalance(usable, holdings, pf.equity(), pf.cash(), rules));
  int submitted = 0;
  for (const PlannedOrder& p : plan) {
    OrderRequest r;
    r.instrument = p.id;
    r.side = p.side;
    r.type = execution::OrderType::kMarket;
    r.tif = execution::TimeInForce::kDay;
    KEEL_TRY(qty, Quantity::from_int(p.shares, 0));
    r.quantity = qty;
    r.reason = std::string(reason) + ": " + p.symbol + " to " + std::to_string(p.target_shares) + " shares (weight " +
               detail::short_num(p.weight) + ")";
    auto id = ctx.submit(r);
    if (!id) {
      ctx.log(p.symbol + ": order refused (" + r.reason + "): " + id.error().message);
      continue;
    }
    ++submitted;
  }
  return submitted;
}

std::optional<double> momentum_return(std::span<const Bar> bars, int lookback, int skip) {
  KEEL_ASSERT(lookback >= 1 && skip >= 0 && skip < lookback, "momentum_return: need 0 <= skip < lookback");
  const auto need = static_cast<std::size_t>(lookback) + 1;
  if (bars.size() < need) return std::nullopt;
  const std::size_t n = bars.size();
  const double from = bars[n - 1 - static_cast<std::size_t>(lookback)].close.to_double();
  const double to = bars[n - 1 - static_cast<std::size_t>(skip)].close.to_double();
  if (!(from > 0.0) || !(to > 0.0)) return std::nullopt;
  return to / from - 1.0;
}

std::optional<double> realized_vol(std::span<const Bar> bars, int window) {
  if (window < 2 || bars.size() < static_cast<std::size_t>(window) + 1) return std::nullopt;
  const std::size_t n = bars.size();
  double sum = 0.0, sum2 = 0.0;
  std::vector<double> r;
  r.reserve(static_cast<std::size_t>(window));
  for (std::size_t i = n - static_cast<std::size_t>(window); i < n; ++i) {
    const double a = bars[i - 1].close.to_double(), b = bars[i].close.to_double();
    if (!(a > 0.0) || !(b > 0.0)) return std::nullopt;
    r.push_back(std::log(b / a));
    sum += r.back();
  }
  const double mean = sum / window;
  for (double x : r) sum2 += (x - mean) * (x - mean);
  return std::sqrt(sum2 / (window - 1) * 252.0);
}

Status ScheduledStrategy::on_bar(Context& ctx, const Bar&) {
  if (last_instant_ && *last_instant_ == ctx.now()) return ok_status();
  last_instant_ = ctx.now();
  for (std::size_t i = 0; i < universe_.size(); ++i) {
    const auto b = bars(ctx, i, 1);
    if (!b.empty() && b.back().ts_recv == ctx.now()) KEEL_TRY_STATUS(on_symbol_bar(ctx, i, b.back()));
  }
  KEEL_TRY(day, is_rebalance_session(ctx.calendar(), ctx.today(), schedule_));
  return on_session(ctx, day);
}

std::span<const Bar> ScheduledStrategy::bars(Context& ctx, std::size_t symbol_index, std::size_t n) const {
  const Instrument* inst = ctx.find_instrument(universe_[symbol_index]);
  if (inst == nullptr) return {};
  return ctx.history(inst->id, n);
}

}  // namespace keel::strategy
