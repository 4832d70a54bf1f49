#include "keel/strategy/pairs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "keel/analytics/cointegration.hpp"
#include "keel/core/assert.hpp"
#include "keel/strategy/config_reader.hpp"
#include "keel/strategy/option_strategy_support.hpp"
#include "keel/strategy/rebalance_config.hpp"

namespace keel::strategy {
namespace {

Status parse_pair_table(const toml::node& node, std::size_t i, std::string_view source, const ConfigReader& outer,
                        std::set<std::string>& seen, PairSpec& out) {
  const std::string name = "pairs.pair[" + std::to_string(i) + "]";
  const toml::table* t = node.as_table();
  if (t == nullptr) return outer.error_at("pair", name + " must be a table with keys y and x");
  ConfigReader r(*t, source, name);
  KEEL_TRY_STATUS(r.known({"y", "x"}, false));
  KEEL_TRY_STATUS(r.text("y", out.y, true));
  KEEL_TRY_STATUS(r.text("x", out.x, true));
  for (std::string_view key : {"y", "x"}) {
    const std::string& v = key == "y" ? out.y : out.x;
    if (!is_ticker(v)) {
      return r.error_at(key, r.name(key) + " = \"" + v + "\" is not a ticker (A-Z, 0-9, '.', '-', '_')");
    }
  }
  if (out.y == out.x) return r.error_at("x", r.name("x") + " = \"" + out.x + "\" is the same symbol as y");
  for (std::string_view key : {"y", "x"}) {
    const std::string& v = key == "y" ? out.y : out.x;
    if (!seen.insert(v).second) {
      return r.error_at(key, r.name(key) + " = \"" + v + "\" is already in another pair (a symbol belongs to one pair)");
    }
  }
  return ok_status();
}

}  // namespace

Status PairsConfig::validate() const {
  auto bad = [](const std::string& m) { return make_error(ErrorCode::kInvalidArgument, "pairs." + m); };
  if (pairs.empty()) return bad("pair: no pairs");
  std::set<std::string> seen;
  for (const PairSpec& p : pairs) {
    if (!is_ticker(p.y) || !is_ticker(p.x)) return bad("pair: '" + p.y + "'/'" + p.x + "' is not a pair of tickers");
    if (p.y == p.x) return bad("pair: " + p.y + " paired with itself");
    if (!seen.insert(p.y).second) return bad("pair: " + p.y + " is in two pairs");
    if (!seen.insert(p.x).second) return bad("pair: " + p.x + " is in two pairs");
  }
  if (symbols.size() != 2 * pairs.size()) return bad("symbols do not match the pairs");
  if (lookback < 20 || lookback > 2520) return bad("lookback out of range [20, 2520]");
  if (refit < 1 || refit > 2520) return bad("refit out of range [1, 2520]");
  if (!(max_pvalue > 0.0 && max_pvalue <= 1.0)) return bad("max_pvalue out of range (0, 1]");
  if (z_window < 2 || z_window > lookback) return bad("z_window out of range [2, lookback]");
  if (!(delta >= 0.0 && delta < 1.0)) return bad("delta out of range [0, 1)");
  if (!(observation_variance > 0.0 && observation_variance <= 1.0)) {
    return bad("observation_variance out of range (0, 1]");
  }
  if (burn_in < 1 || burn_in > 2520) return bad("burn_in out of range [1, 2520]");
  if (!(exit_z >= 0.0 && exit_z < entry_z && entry_z < stop_z && stop_z <= 100.0)) {
    return bad("thresholds need 0 <= exit_z < entry_z < stop_z <= 100");
  }
  if (max_hold < 0 || max_hold > 2520) return bad("max_hold out of range [0, 2520]");
  if (!(capital > 0.0 && capital <= 1.0)) return bad("capital out of range (0, 1]");
  if (!rules.allow_short) return bad("rules.allow_short must be set (one leg is always short)");
  KEEL_TRY_STATUS(rules.validate());
  if (capital * static_cast<double>(pairs.size()) > rules.max_gross + 1e-12) {
    return bad("capital x pairs " + detail::short_num(capital * static_cast<double>(pairs.size())) + " exceeds max_gross " +
               detail::short_num(rules.max_gross));
  }
  return ok_status();
}

Result<PairsConfig> parse_pairs_config(const toml::table& table, std::string_view source) {
  ConfigReader r(table, source, "pairs");
  KEEL_TRY_STATUS(r.known({"pair", "method", "lookback", "refit", "max_pvalue", "z_window", "delta",
                           "observation_variance", "burn_in", "entry_z", "exit_z", "stop_z", "max_hold", "capital",
                           "max_gross"},
                          false));
  PairsConfig c;
  const toml::node* pn = table.get("pair");
  if (pn == nullptr) return r.error_at("pair", "[pairs] needs at least one [[pairs.pair]] table (keys y, x)");
  const toml::array* arr = pn->as_array();
  if (arr == nullptr || arr->empty()) {
    return r.error_at("pair", "pairs.pair must be one or more [[pairs.pair]] tables (keys y, x)");
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    PairSpec p;
    KEEL_TRY_STATUS(parse_pair_table((*arr)[i], i, source, r, seen, p));
    c.symbols.push_back(p.y);
    c.symbols.push_back(p.x);
    c.pairs.push_back(std::move(p));
  }
  int method = 0;
  KEEL_TRY_STATUS(r.choice("method", method, {"engle_granger", "kalman"}));
  c.method = static_cast<HedgeMethod>(method);
  KEEL_TRY_STATUS(r.integer("lookback", c.lookback, 20, 2520));
  KEEL_TRY_STATUS(r.integer("refit", c.refit, 1, 2520));
  KEEL_TRY_STATUS(r.number("max_pvalue", c.max_pvalue, 0.0, 1.0, true, false));
  KEEL_TRY_STATUS(r.integer("z_window", c.z_window, 2, 2520));
  if (c.z_window > c.lookback) {
    return r.error_at("z_window", r.name("z_window") + " = " + std::to_string(c.z_window) + " exceeds lookback " +
                                      std::to_string(c.lookback));
  }
  KEEL_TRY_STATUS(r.number("delta", c.delta, 0.0, 1.0, false, true));
  KEEL_TRY_STATUS(r.number("observation_variance", c.observation_variance, 0.0, 1.0, true, false));
  KEEL_TRY_STATUS(r.integer("burn_in", c.burn_in, 1, 2520));
  KEEL_TRY_STATUS(r.number("entry_z", c.entry_z, 0.0, 100.0, true, false));
  KEEL_TRY_STATUS(r.number("exit_z", c.exit_z, 0.0, 100.0));
  KEEL_TRY_STATUS(r.number("stop_z", c.stop_z, 0.0, 100.0, true, false));
  if (!(c.exit_z < c.entry_z)) {
    return r.error_at(r.has("exit_z") ? "exit_z" : "entry_z",
                      "pairs.exit_z " + detail::short_num(c.exit_z) + " must be below entry_z " + detail::short_num(c.entry_z));
  }
  if (!(c.stop_z > c.entry_z)) {
    return r.error_at(r.has("stop_z") ? "stop_z" : "entry_z",
                      "pairs.stop_z " + detail::short_num(c.stop_z) + " must be above entry_z " + detail::short_num(c.entry_z));
  }
  KEEL_TRY_STATUS(r.integer("max_hold", c.max_hold, 0, 2520));
  KEEL_TRY_STATUS(r.number("capital", c.capital, 0.0, 1.0, true, false));
  KEEL_TRY_STATUS(r.number("max_gross", c.rules.max_gross, 0.0, 10.0, true, false));
  const double gross = c.capital * static_cast<double>(c.pairs.size());
  if (gross > c.rules.max_gross + 1e-12) {
    return r.error_at(r.has("capital") ? "capital" : "pair",
                      "pairs.capital " + detail::short_num(c.capital) + " x " + std::to_string(c.pairs.size()) + " pairs = " +
                          detail::short_num(gross) + " exceeds max_gross " + detail::short_num(c.rules.max_gross));
  }
  c.rules.allow_short = true;
  KEEL_TRY_STATUS(c.validate());
  return c;
}

PairPosition pairs_step(const PairsConfig& c, PairPosition p, std::optional<double> z, bool tradable) {
  const bool below_entry = z.has_value() && std::fabs(*z) < c.entry_z;
  if (!tradable) {
    p.side = 0;
    p.held = 0;
    if (below_entry) p.locked = false;
    return p;
  }
  if (!z) {
    if (p.side != 0 && c.max_hold > 0 && p.held >= c.max_hold) p = PairPosition{0, 0, p.locked};
    return p;
  }
  const double a = std::fabs(*z);
  if (p.side != 0) {
    if (a >= c.stop_z) return PairPosition{0, 0, true};
    if ((p.side > 0 && *z >= -c.exit_z) || (p.side < 0 && *z <= c.exit_z)) return PairPosition{0, 0, p.locked};
    if (c.max_hold > 0 && p.held >= c.max_hold) return PairPosition{0, 0, p.locked};
    return p;
  }
  if (a >= c.stop_z) {
    p.locked = true;
    return p;
  }
  if (p.locked) {
    if (below_entry) p.locked = false;
    return p;
  }
  if (*z >= c.entry_z) return PairPosition{-1, 0, false};
  if (*z <= -c.entry_z) return PairPosition{1, 0, false};
  return p;
}

std::optional<double> window_z(std::span<const double> spread) {
  const std::size_t n = spread.size();
  if (n < 2) return std::nullopt;
  double sum = 0.0;
  for (double s : spread) sum += s;
  const double mean = sum / static_cast<double>(n);
  double ss = 0.0;
  for (double s : spread) ss += (s - mean) * (s - mean);
  const double sd = std::sqrt(ss / static_cast<double>(n - 1));
  if (!(sd > 0.0) || !std::isfinite(sd)) return std::nullopt;
  return (spread.back() - mean) / sd;
}

PairShares pair_shares(int side, double gross, double beta, double price_y, double price_x) {
  KEEL_ASSERT(side == 1 || side == -1, "pair_shares: side must be +1 or -1");
  KEEL_ASSERT(beta > 0.0 && price_y > 0.0 && price_x > 0.0 && gross >= 0.0, "pair_shares: bad inputs");
  const double value_y = gross / (1.0 + beta);
  // Toward zero; the 1e-9 keeps an exact multiple from flooring one share short (as plan_rebalance).
  const auto ny = static_cast<std::int64_t>(std::floor(value_y / price_y + 1e-9));
  const std::int64_t nx = std::llround(beta * static_cast<double>(ny) * price_y / price_x);
  if (ny == 0 || nx == 0) return {};
  return PairShares{side * ny, -side * nx};
}

PairsStrategy::PairsStrategy(PairsConfig config)
    : ScheduledStrategy(config.symbols, Schedule{RebalanceFrequency::kDaily, RebalanceSession::kLast}),
      config_(std::move(config)) {
  const Status st = config_.validate();
  KEEL_ASSERT(st.ok(), st.ok() ? "" : st.error().message.c_str());
  for (std::size_t i = 0; i < config_.pairs.size(); ++i) {
    Pair p;
    p.iy = 2 * i;
    p.ix = 2 * i + 1;
    if (config_.method == HedgeMethod::kKalman) {
      analytics::KalmanHedgeOptions o;
      o.delta = config_.delta;
      o.observation_variance = config_.observation_variance;
      auto k = analytics::KalmanHedge::create(o);
      KEEL_ASSERT(k.ok(), "pairs: Kalman options validated above");
      p.kalman.emplace(std::move(*k));
    }
    pairs_.push_back(std::move(p));
  }
  close_today_.assign(universe_.size(), std::nullopt);
}

Status PairsStrategy::on_symbol_bar(Context&, std::size_t i, const Bar& bar) {
  close_today_[i] = bar.close.to_double();
  return ok_status();
}

Status PairsStrategy::update_signal(Context& ctx, Pair& p) {
  PairState& st = p.state;
  ++st.observations;
  const double ly = p.log_y.back(), lx = p.log_x.back();
  if (config_.method == HedgeMethod::kKalman) {
    KEEL_TRY(step, p.kalman->update(lx, ly));
    st.beta = step.beta;
    st.intercept = step.alpha;
    const bool ready = st.observations > static_cast<std::size_t>(config_.burn_in);
    st.z = ready ? std::optional<double>(step.z_score) : std::nullopt;
    st.tradable = ready && st.beta > 0.0;
    return ok_status();
  }
  ++p.sessions_since_fit;
  const auto lookback = static_cast<std::size_t>(config_.lookback);
  const std::size_t n = p.log_y.size();
  if (n >= lookback && (!st.last_fit || p.sessions_since_fit >= config_.refit)) {
    p.sessions_since_fit = 0;
    st.last_fit = ctx.today();
    const std::span<const double> wy(p.log_y.data() + (n - lookback), lookback);
    const std::span<const double> wx(p.log_x.data() + (n - lookback), lookback);
    analytics::EngleGrangerOptions o;
    o.y_name = "ln " + universe_[p.iy];
    o.x_names = {"ln " + universe_[p.ix]};
    auto fit = analytics::engle_granger(wy, wx, o);
    if (fit) {
      st.beta = fit->hedge_ratios[0];
      st.intercept = fit->intercept;
      st.p_value = fit->p_value;
    } else {
      st.p_value.reset();
      ctx.log("pairs " + universe_[p.iy] + "/" + universe_[p.ix] + ": Engle-Granger fit failed (" +
              fit.error().message + "); the pair is flat until the next fit");
    }
  }
  if (!st.p_value) {
    st.z.reset();
    st.tradable = false;
    return ok_status();
  }
  const auto w = static_cast<std::size_t>(config_.z_window);
  std::vector<double> spread(w);
  for (std::size_t k = 0; k < w; ++k) {
    const std::size_t j = n - w + k;
    spread[k] = p.log_y[j] - st.intercept - st.beta * p.log_x[j];
  }
  st.z = window_z(spread);
  st.tradable = *st.p_value <= config_.max_pvalue && st.beta > 0.0;
  return ok_status();
}

Status PairsStrategy::on_session(Context& ctx, bool) {
  const bool trading = !ctx.warming_up();
  const double equity = ctx.portfolio().equity().to_double();
  for (Pair& p : pairs_) {
    const auto& cy = close_today_[p.iy];
    const auto& cx = close_today_[p.ix];
    if (!cy || !cx || !(*cy > 0.0) || !(*cx > 0.0)) continue;
    p.log_y.push_back(std::log(*cy));
    p.log_x.push_back(std::log(*cx));
    KEEL_TRY_STATUS(update_signal(ctx, p));
    // Only the EG window is needed; trim in blocks so the copy is rare.
    const auto keep = static_cast<std::size_t>(config_.lookback);
    if (p.log_y.size() > 2 * keep) {
      p.log_y.erase(p.log_y.begin(), p.log_y.end() - static_cast<std::ptrdiff_t>(keep));
      p.log_x.erase(p.log_x.begin(), p.log_x.end() - static_cast<std::ptrdiff_t>(keep));
    }
    PairState& st = p.state;
    if (st.position.side != 0) ++st.position.held;
    if (!trading) continue;
    const PairPosition before = st.position;
    st.position = pairs_step(config_, before, st.z, st.tradable);
    const std::string pair = universe_[p.iy] + "/" + universe_[p.ix];
    if (before.side != 0 && st.position.side == 0) {
      st.target = {};
      const char* why = !st.tradable ? "hedge not tradable (p-value/beta gate)"
                        : st.position.locked ? "stop" : "exit";
      ctx.log("pairs " + pair + ": " + why + " at z " + (st.z ? detail::short_num(*st.z) : std::string("n/a")) + " after " +
              std::to_string(before.held) + " sessions");
    } else if (before.side == 0 && st.position.side != 0) {
      st.target = pair_shares(st.position.side, config_.capital * equity, st.beta, *cy, *cx);
      if (st.target.y == 0) {
        ctx.log("pairs " + pair + ": entry skipped, capital too small for one share of each leg");
        st.position = PairPosition{0, 0, false};
      } else {
        ctx.log("pairs " + pair + ": " + (st.position.side > 0 ? "long" : "short") + " the spread at z " +
                detail::short_num(*st.z) + ", beta " + detail::short_num(st.beta) + ": " + std::to_string(st.target.y) + " " + universe_[p.iy] +
                ", " + std::to_string(st.target.x) + " " + universe_[p.ix]);
      }
    }
  }
  for (auto& c : close_today_) c.reset();
  if (!trading) return ok_status();

  // Trade every leg to its target: working orders on the legs canceled, sells first, then buys.
  struct Leg {
    InstrumentId id;
    std::string symbol;
    std::int64_t delta = 0;
    std::int64_t target = 0;
  };
  std::vector<Leg> legs;
  std::set<std::int64_t> ids;
  const portfolio::Portfolio& pf = ctx.portfolio();
  for (const Pair& p : pairs_) {
    for (int leg = 0; leg < 2; ++leg) {
      const std::string& sym = universe_[leg == 0 ? p.iy : p.ix];
      const Instrument* inst = ctx.find_instrument(sym);
      if (inst == nullptr) continue;
      ids.insert(inst->id.value());
      const std::int64_t target = leg == 0 ? p.state.target.y : p.state.target.x;
      const std::int64_t held = pf.quantity(inst->id).raw() / kFixedScale;
      if (target != held) legs.push_back(Leg{inst->id, sym, target - held, target});
    }
  }
  for (const execution::Order& o : ctx.open_orders()) {
    if (!o.is_combo() && ids.count(o.instrument.value())) KEEL_TRY_STATUS(ctx.cancel(o.id));
  }
  std::stable_sort(legs.begin(), legs.end(), [](const Leg& a, const Leg& b) { return a.delta < 0 && b.delta > 0; });
  for (const Leg& l : legs) {
    OrderRequest r;
    r.instrument = l.id;
    r.side = l.delta > 0 ? execution::OrderSide::kBuy : execution::OrderSide::kSell;
    r.type = execution::OrderType::kMarket;
    r.tif = execution::TimeInForce::kDay;
    KEEL_TRY(q, Quantity::from_int(l.delta > 0 ? l.delta : -l.delta, 0));
    r.quantity = q;
    r.reason = "pairs: " + l.symbol + " to " + std::to_string(l.target) + " shares";
    auto id = ctx.submit(r);
    if (!id) ctx.log(l.symbol + ": order refused (" + r.reason + "): " + id.error().message);
  }
  return ok_status();
}

}  // namespace keel::strategy
