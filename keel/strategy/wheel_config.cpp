#include "keel/strategy/wheel_config.hpp"

#include <array>
#include <string>
#include <utility>

#include "keel/strategy/config_reader.hpp"

namespace keel::strategy {
namespace {

constexpr std::array<std::string_view, 24> kKeys{
    "underlyings",       "put_selection",        "put_delta",          "put_probability_otm", "min_dte",
    "max_dte",           "target_dte",           "min_premium_yield",  "iv_rank_min",         "iv_rank_lookback",
    "contracts_max",     "capital_at_risk_limit", "cash_buffer",       "call_strike_policy",  "call_delta",
    "profit_take",       "stop_loss_multiple",   "roll_dte",           "roll_delta",          "roll_for_credit_only",
    "roll_min_credit",   "allow_roll_down_up",   "close_before_expiry", "min_call_premium"};

const std::array<std::pair<std::string_view, PutSelection>, 2> kPutSelections{
    {{"delta", PutSelection::kDelta}, {"probability", PutSelection::kProbability}}};
const std::array<std::pair<std::string_view, CallStrikePolicy>, 3> kCallPolicies{
    {{"adjusted_basis", CallStrikePolicy::kAdjustedBasis},
     {"plain_basis", CallStrikePolicy::kPlainBasis},
     {"delta_only", CallStrikePolicy::kDeltaOnly}}};

Status check_all(WheelConfig& c, const ConfigReader& f) {
  KEEL_TRY_STATUS(f.symbols("underlyings", c.underlyings, true));
  KEEL_TRY_STATUS(f.choice("put_selection", c.put_selection, kPutSelections));
  KEEL_TRY_STATUS(f.number("put_delta", c.put_delta, kOpenUnit));
  KEEL_TRY_STATUS(f.number("put_probability_otm", c.put_probability_otm, kOpenUnit));
  KEEL_TRY_STATUS(f.integer("min_dte", c.min_dte, 0, 730));
  KEEL_TRY_STATUS(f.integer("max_dte", c.max_dte, 0, 730));
  KEEL_TRY_STATUS(f.integer("target_dte", c.target_dte, 0, 730));
  KEEL_TRY_STATUS(f.number("min_premium_yield", c.min_premium_yield, Interval{0.0, 1.0, false, true}));
  KEEL_TRY_STATUS(f.number("iv_rank_min", c.iv_rank_min, Interval{0.0, 100.0, false, false}));
  KEEL_TRY_STATUS(f.integer("iv_rank_lookback", c.iv_rank_lookback, 2, 2520));
  KEEL_TRY_STATUS(f.integer("contracts_max", c.contracts_max, 1, 100000));
  KEEL_TRY_STATUS(f.number("capital_at_risk_limit", c.capital_at_risk_limit, Interval{0.0, 1.0, true, false}));
  KEEL_TRY_STATUS(f.number("cash_buffer", c.cash_buffer, Interval{0.0, 1.0, false, true}));
  KEEL_TRY_STATUS(f.choice("call_strike_policy", c.call_strike_policy, kCallPolicies));
  KEEL_TRY_STATUS(f.number("call_delta", c.call_delta, kOpenUnit));
  KEEL_TRY_STATUS(f.price("min_call_premium", c.min_call_premium, Interval{0.0, 1000.0, false, false}));
  KEEL_TRY_STATUS(f.number("profit_take", c.profit_take, Interval{0.0, 1.0, false, true}));
  KEEL_TRY_STATUS(f.number("stop_loss_multiple", c.stop_loss_multiple, Interval{1.0, 100.0, true, false, true}));
  KEEL_TRY_STATUS(f.integer("roll_dte", c.roll_dte, 0, 365));
  KEEL_TRY_STATUS(f.number("roll_delta", c.roll_delta, Interval{0.0, 1.0, true, false}));
  KEEL_TRY_STATUS(f.boolean("roll_for_credit_only", c.roll_for_credit_only));
  KEEL_TRY_STATUS(f.price("roll_min_credit", c.roll_min_credit, Interval{0.0, 1000.0, false, false}));
  KEEL_TRY_STATUS(f.boolean("allow_roll_down_up", c.allow_roll_down_up));
  KEEL_TRY_STATUS(f.boolean("close_before_expiry", c.close_before_expiry));

  // Pairs: reported at the line of the key that makes the pair inconsistent (the later one in
  // the rule), or the table's line when both are defaults.
  const toml::node* max_node = f.node("max_dte") ? f.node("max_dte") : f.node("min_dte");
  if (c.min_dte > c.max_dte) {
    return f.error_at(max_node, "wheel.min_dte = " + std::to_string(c.min_dte) +
                                    " is above wheel.max_dte = " + std::to_string(c.max_dte));
  }
  if (c.target_dte < c.min_dte || c.target_dte > c.max_dte) {
    const toml::node* n = f.node("target_dte") ? f.node("target_dte") : max_node;
    return f.error_at(n, "wheel.target_dte = " + std::to_string(c.target_dte) + " is outside the DTE window [" +
                             std::to_string(c.min_dte) + ", " + std::to_string(c.max_dte) + "]");
  }
  return ok_status();
}

}  // namespace

std::string_view to_string(PutSelection s) noexcept {
  switch (s) {
    case PutSelection::kDelta: return "delta";
    case PutSelection::kProbability: return "probability";
  }
  return "unknown";
}

std::string_view to_string(CallStrikePolicy p) noexcept {
  switch (p) {
    case CallStrikePolicy::kAdjustedBasis: return "adjusted_basis";
    case CallStrikePolicy::kPlainBasis: return "plain_basis";
    case CallStrikePolicy::kDeltaOnly: return "delta_only";
  }
  return "unknown";
}

Status WheelConfig::validate() const { return check_config(*this, "wheel", check_all); }

Result<WheelConfig> parse_wheel_config(const toml::table& wheel, std::string_view source_name) {
  return read_config<WheelConfig>(wheel, source_name, "wheel", kKeys, check_all);
}

}  // namespace keel::strategy
