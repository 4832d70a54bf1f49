#include "keel/strategy/mean_reversion.hpp"

#include <cmath>

#include "keel/core/assert.hpp"
#include "keel/strategy/rebalance_config.hpp"

namespace keel::strategy {

Status MeanReversionConfig::validate() const {
  auto bad = [](const std::string& m) { return make_error(ErrorCode::kInvalidArgument, "mean_reversion." + m); };
  if (symbols.empty()) return bad("symbols is empty");
  if (rsi_period < 2 || rsi_period > 500) return bad("rsi_period out of range [2, 500]");
  if (!(rsi_entry > 0.0 && rsi_entry < 50.0)) return bad("rsi_entry out of range (0, 50)");
  if (!(rsi_exit > rsi_entry && rsi_exit < 100.0)) return bad("rsi_exit must lie in (rsi_entry, 100)");
  if (bollinger_period < 2 || bollinger_period > 500) return bad("bollinger_period out of range [2, 500]");
  if (!(bollinger_k > 0.0 && bollinger_k <= 10.0)) return bad("bollinger_k out of range (0, 10]");
  if (max_hold < 0 || max_hold > 2520) return bad("max_hold out of range [0, 2520]");
  if (!(position_weight > 0.0 && position_weight <= 1.0)) return bad("position_weight out of range (0, 1]");
  return rules.validate();
}

Result<MeanReversionConfig> parse_mean_reversion_config(const toml::table& table, std::string_view source) {
  ConfigReader r(table, source, "mean_reversion");
  KEEL_TRY_STATUS(r.known({"symbols", "signal", "rsi_period", "rsi_entry", "rsi_exit", "bollinger_period", "bollinger_k",
                           "max_hold", "position_weight", "allow_short"},
                          true));
  MeanReversionConfig c;
  KEEL_TRY_STATUS(r.symbols("symbols", c.symbols, true));
  int signal = 0;
  KEEL_TRY_STATUS(r.choice("signal", signal, {"rsi", "bollinger", "either"}));
  c.signal = static_cast<ReversionSignal>(signal);
  KEEL_TRY_STATUS(r.integer("rsi_period", c.rsi_period, 2, 500));
  KEEL_TRY_STATUS(r.number("rsi_entry", c.rsi_entry, 0.0, 50.0, true, true));
  KEEL_TRY_STATUS(r.number("rsi_exit", c.rsi_exit, 0.0, 100.0, true, true));
  if (!(c.rsi_exit > c.rsi_entry)) {
    return r.error_at("rsi_exit", r.name("rsi_exit") + " must be above rsi_entry " + std::to_string(c.rsi_entry));
  }
  KEEL_TRY_STATUS(r.integer("bollinger_period", c.bollinger_period, 2, 500));
  KEEL_TRY_STATUS(r.number("bollinger_k", c.bollinger_k, 0.0, 10.0, true, false));
  KEEL_TRY_STATUS(r.integer("max_hold", c.max_hold, 0, 2520));
  KEEL_TRY_STATUS(r.number("position_weight", c.position_weight, 0.0, 1.0, true, false));
  KEEL_TRY_STATUS(r.boolean("allow_short", c.rules.allow_short));
  KEEL_TRY_STATUS(parse_rebalance_keys(r, c.schedule, c.rules));
  KEEL_TRY_STATUS(c.validate());
  return c;
}

int mean_reversion_step(const MeanReversionConfig& c, int side, int held, const ReversionInputs& in) {
  const bool use_rsi = c.signal != ReversionSignal::kBollinger;
  const bool use_bands = c.signal != ReversionSignal::kRsi;
  const bool rsi_ok = use_rsi && in.rsi.has_value();
  const bool bands_ok = use_bands && in.bands.has_value();
  if (side != 0) {
    if (c.max_hold > 0 && held >= c.max_hold) return 0;
    if (side > 0) {
      if (rsi_ok && *in.rsi > c.rsi_exit) return 0;
      if (bands_ok && in.close >= in.bands->middle) return 0;
    } else {
      if (rsi_ok && *in.rsi < 100.0 - c.rsi_exit) return 0;
      if (bands_ok && in.close <= in.bands->middle) return 0;
    }
    return side;
  }
  if ((rsi_ok && *in.rsi < c.rsi_entry) || (bands_ok && in.close < in.bands->lower)) return 1;
  if (c.rules.allow_short &&
      ((rsi_ok && *in.rsi > 100.0 - c.rsi_entry) || (bands_ok && in.close > in.bands->upper))) {
    return -1;
  }
  return 0;
}

MeanReversionStrategy::MeanReversionStrategy(MeanReversionConfig config)
    : ScheduledStrategy(config.symbols, config.schedule), config_(std::move(config)) {
  const Status st = config_.validate();
  KEEL_ASSERT(st.ok(), st.ok() ? "" : st.error().message.c_str());
  for (std::size_t i = 0; i < config_.symbols.size(); ++i) {
    states_.push_back(State{*analytics::Rsi::create(config_.rsi_period),
                            *analytics::Bollinger::create(config_.bollinger_period, config_.bollinger_k), {}, false, 0, 0});
  }
}

int MeanReversionStrategy::side(std::string_view symbol) const {
  for (std::size_t i = 0; i < universe_.size(); ++i) {
    if (universe_[i] == symbol) return states_[i].side;
  }
  return 0;
}

Status MeanReversionStrategy::on_symbol_bar(Context&, std::size_t i, const Bar& bar) {
  State& s = states_[i];
  const double close = bar.close.to_double();
  s.last.close = close;
  s.last.rsi = s.rsi.update(close);
  s.last.bands = s.bands.update(close);
  s.fresh = true;
  return ok_status();
}

Status MeanReversionStrategy::on_session(Context& ctx, bool rebalance_day) {
  for (State& s : states_) {
    if (!s.fresh) continue;
    s.fresh = false;
    if (s.side != 0) ++s.held;
    if (!rebalance_day || ctx.warming_up()) continue;
    const int next = mean_reversion_step(config_, s.side, s.held, s.last);
    if (next != s.side) {
      s.side = next;
      s.held = 0;
    }
  }
  if (!rebalance_day || ctx.warming_up()) return ok_status();
  std::map<std::string, double, std::less<>> w;
  double gross = 0.0;
  for (std::size_t i = 0; i < states_.size(); ++i) {
    if (states_[i].side == 0) continue;
    w[universe_[i]] = states_[i].side * config_.position_weight;
    gross += config_.position_weight;
  }
  if (gross > config_.rules.max_gross) {
    for (auto& [k, x] : w) x *= config_.rules.max_gross / gross;
  }
  // Held positions drift; rebalance() only trades them past the drift band.
  KEEL_TRY(n, rebalance(ctx, w, universe_, config_.rules, "mean_reversion"));
  (void)n;
  return ok_status();
}

}  // namespace keel::strategy
