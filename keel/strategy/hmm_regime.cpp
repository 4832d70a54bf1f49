#include "keel/strategy/hmm_regime.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "keel/core/assert.hpp"
#include "keel/strategy/config_reader.hpp"

namespace keel::strategy {

Status HmmRegimeConfig::validate() const {
  auto bad = [](const std::string& m) { return make_error(ErrorCode::kInvalidArgument, "regime: " + m); };
  if (symbol.empty()) return bad("symbol is required");
  if (states < 2 || states > 5) return bad("states must be in 2..5, got " + std::to_string(states));
  if (lookback < 50) return bad("lookback must be >= 50, got " + std::to_string(lookback));
  if (min_observations < 20 || min_observations > lookback) {
    return bad("min_observations must be in [20, lookback], got " + std::to_string(min_observations));
  }
  if (refit_every < 1) return bad("refit_every must be >= 1, got " + std::to_string(refit_every));
  if (restarts < 1 || restarts > 50) return bad("restarts must be in 1..50, got " + std::to_string(restarts));
  if (!(switch_probability >= 0.5 && switch_probability < 1.0)) {
    return bad("switch_probability must be in [0.5, 1), got " + std::to_string(switch_probability));
  }
  return ok_status();
}

Result<HmmRegimeConfig> parse_hmm_regime_config(const toml::table& table, std::string_view source) {
  const ConfigReader r(table, source, "regime");
  KEEL_TRY_STATUS(r.known({"symbol", "states", "lookback", "min_observations", "refit_every", "restarts", "seed",
                            "switch_probability"}));
  HmmRegimeConfig c;
  KEEL_TRY_STATUS(r.text("symbol", c.symbol, true));
  KEEL_TRY_STATUS(r.integer("states", c.states, 2, 5));
  KEEL_TRY_STATUS(r.integer("lookback", c.lookback, 50, 100'000));
  c.min_observations = std::min(c.min_observations, c.lookback);
  KEEL_TRY_STATUS(r.integer("min_observations", c.min_observations, 20, c.lookback));
  KEEL_TRY_STATUS(r.integer("refit_every", c.refit_every, 1, 10'000));
  KEEL_TRY_STATUS(r.integer("restarts", c.restarts, 1, 50));
  int seed = 1;
  KEEL_TRY_STATUS(r.integer("seed", seed, 0, 2'147'483'647));
  c.seed = static_cast<std::uint64_t>(seed);
  KEEL_TRY_STATUS(r.number("switch_probability", c.switch_probability, 0.5, 1.0, false, true));
  KEEL_TRY_STATUS(c.validate());
  return c;
}

HmmRegime::HmmRegime(HmmRegimeConfig config) : config_(std::move(config)) {
  const Status st = config_.validate();
  KEEL_ASSERT(st.ok(), "HmmRegime: invalid config (parse_hmm_regime_config validates it)");
}

std::optional<int> HmmRegime::regime(Context& ctx) {
  if (asked_at_ && *asked_at_ == ctx.now()) return answer_;
  asked_at_ = ctx.now();
  answer_.reset();
  ++sessions_since_fit_;

  const Instrument* ref = ctx.find_instrument(config_.symbol);
  if (ref == nullptr) return answer_;
  const std::span<const Bar> bars = ctx.history(ref->id, static_cast<std::size_t>(config_.lookback) + 1);
  std::vector<double> returns;
  returns.reserve(bars.size());
  for (std::size_t i = 1; i < bars.size(); ++i) {
    const double a = bars[i - 1].close.to_double(), b = bars[i].close.to_double();
    if (a > 0.0 && b > 0.0) returns.push_back(std::log(b / a));
  }
  if (returns.size() < static_cast<std::size_t>(config_.min_observations)) return answer_;
  const std::vector<std::vector<double>> rows = analytics::as_rows(returns);

  if (!model_ || sessions_since_fit_ >= config_.refit_every) {
    analytics::HmmOptions o;
    o.states = static_cast<std::size_t>(config_.states);
    o.restarts = static_cast<std::size_t>(config_.restarts);
    o.seed = config_.seed;
    auto fit = analytics::fit_hmm(std::span<const std::vector<double>>(rows), o);
    sessions_since_fit_ = 0;
    if (!fit) {
      ctx.log("regime: HMM fit on " + config_.symbol + " failed (" + fit.error().message + "); regime unknown");
      model_.reset();
      return answer_;
    }
    ++fits_;
    model_ = fit->model;
    // Label states by the variance of their returns: 0 = calmest.
    std::vector<std::size_t> order(model_->states);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return model_->covariances[a][0] < model_->covariances[b][0];
    });
    label_.assign(model_->states, 0);
    for (std::size_t rank = 0; rank < order.size(); ++rank) label_[order[rank]] = static_cast<int>(rank);
  }
  if (!model_) return answer_;
  auto filtered = analytics::hmm_filtered_probabilities(*model_, rows);
  if (!filtered || filtered->empty()) return answer_;
  const std::vector<double>& last = filtered->back();
  const auto best = static_cast<std::size_t>(std::max_element(last.begin(), last.end()) - last.begin());
  // Hysteresis: keep the previous regime unless the new one is probable enough.
  if (previous_ && label_[best] != *previous_ && last[best] < config_.switch_probability) {
    answer_ = previous_;
  } else {
    answer_ = label_[best];
  }
  previous_ = answer_;
  return answer_;
}

}  // namespace keel::strategy
