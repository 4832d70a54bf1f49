// keel/engine/lifecycle.hpp — the option lifecycle rules the engine applies to positions:
// expiry, automatic exercise, assignment, cash settlement, early assignment and pin risk.
// Pure functions of the contract, the position and the market, so each rule is tested alone.
//
// Rules (docs/LIFECYCLE.md; each has a switch in LifecycleConfig):
// - Expiry at the close of the expiration date, against the underlying's closing price S.
//   Intrinsic per deliverable share: S - K' (call) or K' - S (put), K' = deliverable_strike.
//   Physically settled: intrinsic >= exercise_threshold ($0.01, the OCC exercise-by-exception
//   threshold) -> a long is exercised, a short is assigned; otherwise it expires worthless.
//   Cash settled (index options): intrinsic > 0 -> settled in cash at intrinsic, else expires.
//   With auto_exercise off, long options expire unexercised (the holder's choice to let them
//   lapse); shorts are still assigned (the counterparty decides, not us).
// - Pin risk: a short option whose |S - K'| <= pin_band x K' on its expiration date is reported
//   (it still follows the rule above: the close decides).
// - Early assignment of a short American call on the last session before an ex-dividend date:
//   when the call is in the money and its time value (snapshot mid - intrinsic) is below the
//   dividend per share, the holder exercises to capture the dividend (Hull, "Options, Futures
//   and Other Derivatives", early exercise of American calls on dividend-paying stocks), so
//   it is assigned at that close.
// - Early assignment of a short American put when immediate exercise is optimal for the
//   holder: the Leisen–Reimer lattice (analytics/american.hpp, exercise_boundary) at the
//   contract's implied vol exercises at the root node, i.e. S is at or below the early-exercise
//   boundary S*(now).
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "keel/core/fixed_point.hpp"
#include "keel/core/result.hpp"
#include "keel/model/instrument.hpp"

namespace keel::engine {

struct LifecycleConfig {
  bool auto_exercise = true;
  Price exercise_threshold = Price::from_raw(1'000'000, 2);  // $0.01
  bool early_assignment_dividend = true;
  bool early_assignment_deep_itm_put = true;
  double pin_band = 0.01;  // fraction of the strike, >= 0
  Status validate() const;
};

enum class ExpiryAction : std::uint8_t { kExpireWorthless, kExercise, kAssign, kCashSettle };

struct ExpiryDecision {
  ExpiryAction action = ExpiryAction::kExpireWorthless;
  bool pin_risk = false;
  Price intrinsic;   // per deliverable share, >= 0
  std::string rule;  // human-readable reason
};

// `long_position`: true when we hold the option, false when we are short it.
ExpiryDecision decide_expiry(const OptionSpec& spec, bool long_position, Price underlying_close,
                             const LifecycleConfig& config);

// Intrinsic value per deliverable share (>= 0).
Price intrinsic_value(const OptionSpec& spec, Price underlying);

// The ex-dividend rule for one short call on the last cum-dividend session. Returns the rule
// text when it assigns, nullopt otherwise.
std::optional<std::string> dividend_early_assignment(const OptionSpec& spec, Price underlying_close,
                                                     Price option_mid, Money dividend_per_share,
                                                     const LifecycleConfig& config);

// The deep-in-the-money put rule. `vol` is the contract's implied vol, `time` years to expiry.
// Returns the rule text when immediate exercise is optimal, nullopt otherwise; an error when the
// lattice rejects the inputs (named).
Result<std::optional<std::string>> put_early_assignment(const OptionSpec& spec, Price underlying_close, double vol,
                                                        double time, double rate, double dividend_yield,
                                                        const LifecycleConfig& config);

}  // namespace keel::engine
