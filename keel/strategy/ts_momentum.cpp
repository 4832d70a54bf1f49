#include "keel/strategy/ts_momentum.hpp"

#include <algorithm>
#include <cmath>

#include "keel/core/assert.hpp"
#include "keel/strategy/rebalance_config.hpp"

namespace keel::strategy {

Status TsMomentumConfig::validate() const {
  auto bad = [](const std::string& m) { return make_error(ErrorCode::kInvalidArgument, "ts_momentum." + m); };
  if (symbols.empty()) return bad("symbols is empty");
  if (lookback < 2 || lookback > 2520) return bad("lookback " + std::to_string(lookback) + " out of range [2, 2520]");
  if (skip < 0 || skip >= lookback) return bad("skip " + std::to_string(skip) + " must lie in [0, lookback)");
  if (!(vol_target >= 0.0 && vol_target <= 5.0)) return bad("vol_target out of range [0, 5]");
  if (vol_lookback < 2 || vol_lookback > 2520) return bad("vol_lookback out of range [2, 2520]");
  if (!(max_leverage > 0.0 && max_leverage <= 10.0)) return bad("max_leverage out of range (0, 10]");
  if (short_negative && !rules.allow_short) return bad("negative = \"short\" needs rules.allow_short");
  return rules.validate();
}

Result<TsMomentumConfig> parse_ts_momentum_config(const toml::table& table, std::string_view source) {
  ConfigReader r(table, source, "ts_momentum");
  KEEL_TRY_STATUS(r.known({"symbols", "lookback", "skip", "negative", "vol_target", "vol_lookback", "max_leverage"}, true));
  TsMomentumConfig c;
  KEEL_TRY_STATUS(r.symbols("symbols", c.symbols, true));
  KEEL_TRY_STATUS(r.integer("lookback", c.lookback, 2, 2520));
  KEEL_TRY_STATUS(r.integer("skip", c.skip, 0, 2519));
  if (c.skip >= c.lookback) {
    return r.error_at("skip", r.name("skip") + " = " + std::to_string(c.skip) + " must be below lookback " +
                                  std::to_string(c.lookback));
  }
  int negative = 0;
  KEEL_TRY_STATUS(r.choice("negative", negative, {"flat", "short"}));
  c.short_negative = negative == 1;
  c.rules.allow_short = c.short_negative;
  KEEL_TRY_STATUS(r.number("vol_target", c.vol_target, 0.0, 5.0));
  KEEL_TRY_STATUS(r.integer("vol_lookback", c.vol_lookback, 2, 2520));
  KEEL_TRY_STATUS(r.number("max_leverage", c.max_leverage, 0.0, 10.0, true, false));
  KEEL_TRY_STATUS(parse_rebalance_keys(r, c.schedule, c.rules));
  KEEL_TRY_STATUS(c.validate());
  return c;
}

std::map<std::string, double, std::less<>> ts_momentum_weights(const TsMomentumConfig& c,
                                                               const std::vector<std::span<const Bar>>& history) {
  KEEL_ASSERT(history.size() == c.symbols.size(), "ts_momentum_weights: one history per symbol");
  const double base = c.rules.max_gross / static_cast<double>(c.symbols.size());
  std::map<std::string, double, std::less<>> w;
  double gross = 0.0;
  for (std::size_t i = 0; i < c.symbols.size(); ++i) {
    const auto r = momentum_return(history[i], c.lookback, c.skip);
    if (!r) continue;
    double sign = *r > 0.0 ? 1.0 : (c.short_negative ? -1.0 : 0.0);
    if (sign == 0.0) continue;
    double size = base;
    if (c.vol_target > 0.0) {
      const auto vol = realized_vol(history[i], c.vol_lookback);
      if (!vol || !(*vol > 0.0)) continue;
      size = base * std::min(c.vol_target / *vol, c.max_leverage);
    }
    w[c.symbols[i]] = sign * size;
    gross += size;
  }
  if (gross > c.rules.max_gross) {
    for (auto& [s, x] : w) x *= c.rules.max_gross / gross;
  }
  return w;
}

TsMomentumStrategy::TsMomentumStrategy(TsMomentumConfig config)
    : ScheduledStrategy(config.symbols, config.schedule), config_(std::move(config)) {
  const Status st = config_.validate();
  KEEL_ASSERT(st.ok(), st.ok() ? "" : st.error().message.c_str());
}

Status TsMomentumStrategy::on_session(Context& ctx, bool rebalance_day) {
  if (!rebalance_day || ctx.warming_up()) return ok_status();
  const std::size_t need = static_cast<std::size_t>(std::max(config_.lookback, config_.vol_lookback)) + 1;
  std::vector<std::span<const Bar>> history;
  for (std::size_t i = 0; i < universe_.size(); ++i) history.push_back(bars(ctx, i, need));
  const auto weights = ts_momentum_weights(config_, history);
  KEEL_TRY(n, rebalance(ctx, weights, universe_, config_.rules, "ts_momentum"));
  (void)n;
  return ok_status();
}

}  // namespace keel::strategy
