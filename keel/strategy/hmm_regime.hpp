// keel/strategy/hmm_regime.hpp — the market regime from a Gaussian HMM over a reference
// symbol's daily log returns (SPEC M5/S5): the RegimeSource behind sleeve gates.
//
// Contract:
// - At each new session it is asked about, the source takes the reference symbol's last
//   `lookback` + 1 closes known at ctx.now() (Context::history: as-of only), refits the HMM
//   (analytics/hmm.hpp: Baum-Welch, `restarts` seeded restarts) when `refit_every` sessions have
//   passed since the last fit (or there is none), and returns the most probable state of the
//   FILTERED probabilities P(s_t | returns up to t) — a forward pass, never the smoothed ones,
//   so the regime at t uses nothing after t. Hysteresis: the regime changes only when the new
//   state's filtered probability reaches `switch_probability` (0.5 = plain argmax); below it the
//   previous regime stands, so a market sitting between two states does not flip the gate daily.
// - Regimes are numbered by volatility: 0 is the state whose returns have the smallest variance
//   (calm), states - 1 the largest (turbulent), whatever order the fit found them in.
// - Not ready (nullopt) until `min_observations` returns are known, or while the fit fails (for
//   example a flat price window); the failure is remembered and retried at the next refit.
// - Deterministic: the same closes and settings give the same regimes bit for bit.
// Validated by hmm_regime_test.cpp: a simulated calm/turbulent series is labelled by its true
// regime (accuracy stated there), no look-ahead (closes after T changed -> regimes up to T
// identical), config errors.
// Thread safety: one instance per run, used on the engine's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "keel/analytics/hmm.hpp"
#include "keel/strategy/multi_strategy.hpp"

namespace keel::strategy {

struct HmmRegimeConfig {
  std::string symbol;              // the reference (an index or a broad ETF), required
  int states = 2;                  // 2..5
  int lookback = 500;              // returns in each fit and filter window, >= 50
  int min_observations = 120;      // returns known before the first regime, in [20, lookback]
  int refit_every = 21;            // sessions between fits, >= 1
  int restarts = 3;                // Baum-Welch restarts, 1..50
  std::uint64_t seed = 1;
  double switch_probability = 0.8; // [0.5, 1): filtered probability needed to change regime
  Status validate() const;         // errors name the field
};

// [regime] table keys: symbol, states, lookback, min_observations, refit_every, restarts, seed,
// switch_probability.
// Unknown keys and out-of-range values are errors naming the file, line and key.
Result<HmmRegimeConfig> parse_hmm_regime_config(const toml::table& table, std::string_view source);

class HmmRegime final : public RegimeSource {
 public:
  explicit HmmRegime(HmmRegimeConfig config);  // config must validate (KEEL_ASSERT)

  std::vector<std::string> symbols() const override { return {config_.symbol}; }
  std::optional<int> regime(Context& ctx) override;

  const HmmRegimeConfig& config() const noexcept { return config_; }
  // The model of the last successful fit (empty before), and the fits made so far.
  const std::optional<analytics::GaussianHmm>& model() const noexcept { return model_; }
  int fits() const noexcept { return fits_; }

 private:
  HmmRegimeConfig config_;
  std::optional<analytics::GaussianHmm> model_;
  std::vector<int> label_;  // fitted state -> regime (by variance)
  std::optional<Timestamp> asked_at_;
  std::optional<int> answer_;
  std::optional<int> previous_;  // the last regime given (hysteresis)
  int sessions_since_fit_ = 0;
  int fits_ = 0;
};

}  // namespace keel::strategy
