#include "keel/strategy/xs_momentum.hpp"

#include <algorithm>
#include <cmath>

#include "keel/core/assert.hpp"
#include "keel/strategy/rebalance_config.hpp"

namespace keel::strategy {

Status XsMomentumConfig::validate() const {
  auto bad = [](const std::string& m) { return make_error(ErrorCode::kInvalidArgument, "xs_momentum." + m); };
  if (symbols.size() < 2) return bad("symbols needs at least 2 tickers");
  if (lookback < 2 || lookback > 2520) return bad("lookback out of range [2, 2520]");
  if (skip < 0 || skip >= lookback) return bad("skip must lie in [0, lookback)");
  if (top_n < 0 || top_n > 1000) return bad("top_n out of range [0, 1000]");
  if (!(quantile > 0.0 && quantile <= 0.5)) return bad("quantile out of range (0, 0.5]");
  if (vol_lookback < 2 || vol_lookback > 2520) return bad("vol_lookback out of range [2, 2520]");
  if (short_bottom && !rules.allow_short) return bad("short_bottom needs rules.allow_short");
  return rules.validate();
}

Result<XsMomentumConfig> parse_xs_momentum_config(const toml::table& table, std::string_view source) {
  ConfigReader r(table, source, "xs_momentum");
  KEEL_TRY_STATUS(r.known({"symbols", "lookback", "skip", "top_n", "quantile", "short_bottom", "weighting", "vol_lookback"},
                          true));
  XsMomentumConfig c;
  KEEL_TRY_STATUS(r.symbols("symbols", c.symbols, true));
  if (c.symbols.size() < 2) return r.error_at("symbols", r.name("symbols") + " needs at least 2 tickers to rank");
  KEEL_TRY_STATUS(r.integer("lookback", c.lookback, 2, 2520));
  KEEL_TRY_STATUS(r.integer("skip", c.skip, 0, 2519));
  if (c.skip >= c.lookback) {
    return r.error_at("skip", r.name("skip") + " = " + std::to_string(c.skip) + " must be below lookback " +
                                  std::to_string(c.lookback));
  }
  KEEL_TRY_STATUS(r.integer("top_n", c.top_n, 0, 1000));
  KEEL_TRY_STATUS(r.number("quantile", c.quantile, 0.0, 0.5, true, false));
  KEEL_TRY_STATUS(r.boolean("short_bottom", c.short_bottom));
  c.rules.allow_short = c.short_bottom;
  int weighting = 0;
  KEEL_TRY_STATUS(r.choice("weighting", weighting, {"equal", "inverse_vol"}));
  c.inverse_vol = weighting == 1;
  KEEL_TRY_STATUS(r.integer("vol_lookback", c.vol_lookback, 2, 2520));
  KEEL_TRY_STATUS(parse_rebalance_keys(r, c.schedule, c.rules));
  KEEL_TRY_STATUS(c.validate());
  return c;
}

std::map<std::string, double, std::less<>> xs_momentum_weights(const XsMomentumConfig& c,
                                                               const std::vector<std::span<const Bar>>& history) {
  KEEL_ASSERT(history.size() == c.symbols.size(), "xs_momentum_weights: one history per symbol");
  struct Ranked {
    double r;
    std::size_t i;
  };
  std::vector<Ranked> ranked;
  for (std::size_t i = 0; i < c.symbols.size(); ++i) {
    if (auto r = momentum_return(history[i], c.lookback, c.skip)) ranked.push_back({*r, i});
  }
  std::sort(ranked.begin(), ranked.end(), [&c](const Ranked& a, const Ranked& b) {
    return a.r != b.r ? a.r > b.r : c.symbols[a.i] < c.symbols[b.i];
  });
  const std::size_t n = ranked.size();
  std::size_t k = c.top_n > 0 ? static_cast<std::size_t>(c.top_n)
                              : std::max<std::size_t>(1, static_cast<std::size_t>(std::floor(c.quantile * static_cast<double>(n))));
  std::map<std::string, double, std::less<>> w;
  if (n == 0) return w;
  k = std::min(k, n);
  const bool shorts = c.short_bottom && 2 * k <= n;
  const double leg_gross = shorts ? c.rules.max_gross / 2.0 : c.rules.max_gross;
  auto leg = [&](std::size_t from, std::size_t to, double sign) {
    std::vector<std::pair<std::size_t, double>> raw;  // symbol index, raw weight
    double total = 0.0;
    for (std::size_t j = from; j < to; ++j) {
      double x = 1.0;
      if (c.inverse_vol) {
        const auto vol = realized_vol(history[ranked[j].i], c.vol_lookback);
        if (!vol || !(*vol > 0.0)) continue;
        x = 1.0 / *vol;
      }
      raw.emplace_back(ranked[j].i, x);
      total += x;
    }
    for (const auto& [i, x] : raw) w[c.symbols[i]] = sign * leg_gross * x / total;
  };
  leg(0, k, 1.0);
  if (shorts) leg(n - k, n, -1.0);
  return w;
}

XsMomentumStrategy::XsMomentumStrategy(XsMomentumConfig config)
    : ScheduledStrategy(config.symbols, config.schedule), config_(std::move(config)) {
  const Status st = config_.validate();
  KEEL_ASSERT(st.ok(), st.ok() ? "" : st.error().message.c_str());
}

Status XsMomentumStrategy::on_session(Context& ctx, bool rebalance_day) {
  if (!rebalance_day || ctx.warming_up()) return ok_status();
  const std::size_t need = static_cast<std::size_t>(std::max(config_.lookback, config_.vol_lookback)) + 1;
  std::vector<std::span<const Bar>> history;
  for (std::size_t i = 0; i < universe_.size(); ++i) history.push_back(bars(ctx, i, need));
  KEEL_TRY(n, rebalance(ctx, xs_momentum_weights(config_, history), universe_, config_.rules, "xs_momentum"));
  (void)n;
  return ok_status();
}

}  // namespace keel::strategy
