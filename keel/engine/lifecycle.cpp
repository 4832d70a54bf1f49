#include "keel/engine/lifecycle.hpp"

#include <cmath>
#include <cstdio>

#include "keel/analytics/american.hpp"

namespace keel::engine {

Status LifecycleConfig::validate() const {
  if (exercise_threshold.is_negative()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "lifecycle.exercise_threshold " + exercise_threshold.to_string() + " must be >= 0");
  }
  if (!(pin_band >= 0.0) || !std::isfinite(pin_band) || pin_band > 0.5) {
    return make_error(ErrorCode::kInvalidArgument, "lifecycle.pin_band must be in [0, 0.5]");
  }
  return ok_status();
}

Price intrinsic_value(const OptionSpec& spec, Price underlying) {
  const Price k = deliverable_strike(spec);
  const Price v = spec.right == OptionRight::kCall ? underlying - k : k - underlying;
  return v.is_negative() ? Price::from_raw(0, 2) : v;
}

ExpiryDecision decide_expiry(const OptionSpec& spec, bool long_position, Price underlying_close,
                             const LifecycleConfig& config) {
  ExpiryDecision d;
  d.intrinsic = intrinsic_value(spec, underlying_close);
  const Price k = deliverable_strike(spec);
  const Price distance = underlying_close >= k ? underlying_close - k : k - underlying_close;
  if (!long_position) {
    const double band = config.pin_band * k.to_double();
    d.pin_risk = distance.to_double() <= band;
  }
  const std::string s_text = "close " + underlying_close.to_string() + " vs strike " + k.to_string();
  if (spec.settlement == Settlement::kCash) {
    if (d.intrinsic.is_positive()) {
      d.action = ExpiryAction::kCashSettle;
      d.rule = "cash settlement at intrinsic " + d.intrinsic.to_string() + " (" + s_text + ")";
    } else {
      d.rule = "expired out of the money (" + s_text + ")";
    }
    return d;
  }
  if (d.intrinsic >= config.exercise_threshold && d.intrinsic.is_positive()) {
    if (long_position) {
      if (config.auto_exercise) {
        d.action = ExpiryAction::kExercise;
        d.rule = "auto-exercise: in the money by " + d.intrinsic.to_string() + " >= " +
                 config.exercise_threshold.to_string() + " (" + s_text + ")";
      } else {
        d.rule = "expired unexercised: auto-exercise off (" + s_text + ")";
      }
    } else {
      d.action = ExpiryAction::kAssign;
      d.rule = "assigned at expiry: in the money by " + d.intrinsic.to_string() + " (" + s_text + ")";
    }
    return d;
  }
  d.rule = d.intrinsic.is_positive() ? "expired: in the money by less than " + config.exercise_threshold.to_string() +
                                           " (" + s_text + ")"
                                     : "expired out of the money (" + s_text + ")";
  return d;
}

std::optional<std::string> dividend_early_assignment(const OptionSpec& spec, Price underlying_close, Price option_mid,
                                                     Money dividend_per_share, const LifecycleConfig& config) {
  if (!config.early_assignment_dividend) return std::nullopt;
  if (spec.right != OptionRight::kCall || spec.exercise != ExerciseStyle::kAmerican ||
      spec.settlement != Settlement::kPhysical) {
    return std::nullopt;
  }
  const Price intrinsic = intrinsic_value(spec, underlying_close);
  if (!intrinsic.is_positive()) return std::nullopt;
  const Price time_value = option_mid - intrinsic;
  if (time_value.raw() >= dividend_per_share.raw()) return std::nullopt;
  return "early assignment before ex-dividend: time value " + time_value.to_string() + " < dividend " +
         dividend_per_share.to_string();
}

Result<std::optional<std::string>> put_early_assignment(const OptionSpec& spec, Price underlying_close, double vol,
                                                        double time, double rate, double dividend_yield,
                                                        const LifecycleConfig& config) {
  if (!config.early_assignment_deep_itm_put) return std::optional<std::string>();
  if (spec.right != OptionRight::kPut || spec.exercise != ExerciseStyle::kAmerican ||
      spec.settlement != Settlement::kPhysical) {
    return std::optional<std::string>();
  }
  const Price intrinsic = intrinsic_value(spec, underlying_close);
  if (!intrinsic.is_positive()) return std::optional<std::string>();
  analytics::AmericanInput in;
  in.right = OptionRight::kPut;
  in.spot = underlying_close.to_double();
  in.strike = deliverable_strike(spec).to_double();
  in.time = time;
  in.vol = vol;
  in.rate = rate;
  in.dividend_yield = dividend_yield;
  analytics::LatticeOptions options;
  options.kind = analytics::LatticeKind::kLeisenReimer;
  options.steps = 101;
  KEEL_TRY(boundary, analytics::exercise_boundary(in, {}, options));
  if (boundary.empty() || !boundary.front().exercise) return std::optional<std::string>();
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "early assignment of a deep in-the-money put: exercise optimal at S=%.2f (vol %.4f, %.4f y)", in.spot,
                vol, time);
  return std::optional<std::string>(std::string(buf));
}

}  // namespace keel::engine
