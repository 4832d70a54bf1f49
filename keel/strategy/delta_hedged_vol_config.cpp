#include "keel/strategy/delta_hedged_vol_config.hpp"

#include <array>
#include <utility>

#include "keel/strategy/config_reader.hpp"

namespace keel::strategy {
namespace {

constexpr std::array<std::string_view, 14> kKeys{
    "underlyings",   "direction",       "structure",       "strangle_delta", "min_dte",
    "max_dte",       "target_dte",      "contracts_max",   "capital_at_risk", "hedge",
    "hedge_threshold", "exit_dte",      "profit_target",   "loss_limit"};

const std::array<std::pair<std::string_view, VolDirection>, 2> kDirections{
    {{"long", VolDirection::kLong}, {"short", VolDirection::kShort}}};
const std::array<std::pair<std::string_view, VolStructure>, 2> kStructures{
    {{"straddle", VolStructure::kStraddle}, {"strangle", VolStructure::kStrangle}}};
const std::array<std::pair<std::string_view, HedgeMode>, 2> kHedges{
    {{"daily", HedgeMode::kDaily}, {"threshold", HedgeMode::kThreshold}}};

Status check_all(DeltaHedgedVolConfig& c, const ConfigReader& f, portfolio::AccountType account) {
  KEEL_TRY_STATUS(f.symbols("underlyings", c.underlyings, true));
  if (f.parsing() && f.node("direction") == nullptr) {
    return f.error_at(nullptr, "missing required key delta_hedged_vol.direction (\"long\" or \"short\")");
  }
  KEEL_TRY_STATUS(f.choice("direction", c.direction, kDirections));
  KEEL_TRY_STATUS(f.choice("structure", c.structure, kStructures));
  KEEL_TRY_STATUS(f.number("strangle_delta", c.strangle_delta, Interval{0.0, 0.5, true, true}));
  if (f.node("strangle_delta") != nullptr && c.structure != VolStructure::kStrangle) {
    return f.error_at("strangle_delta", "delta_hedged_vol.strangle_delta is only for structure = \"strangle\"");
  }
  KEEL_TRY_STATUS(f.integer("min_dte", c.min_dte, 0, 730));
  KEEL_TRY_STATUS(f.integer("max_dte", c.max_dte, 0, 730));
  KEEL_TRY_STATUS(f.integer("target_dte", c.target_dte, 0, 730));
  if (c.min_dte > c.max_dte) {
    return f.error_at("max_dte", "delta_hedged_vol.max_dte = " + std::to_string(c.max_dte) +
                                     " is below min_dte = " + std::to_string(c.min_dte));
  }
  if (c.target_dte < c.min_dte || c.target_dte > c.max_dte) {
    return f.error_at("target_dte", "delta_hedged_vol.target_dte = " + std::to_string(c.target_dte) + " is outside [" +
                                        std::to_string(c.min_dte) + ", " + std::to_string(c.max_dte) + "]");
  }
  KEEL_TRY_STATUS(f.integer("contracts_max", c.contracts_max, 1, 100000));
  KEEL_TRY_STATUS(f.number("capital_at_risk", c.capital_at_risk, Interval{0.0, 1.0, true, false}));
  KEEL_TRY_STATUS(f.choice("hedge", c.hedge, kHedges));
  KEEL_TRY_STATUS(f.number("hedge_threshold", c.hedge_threshold, Interval{0.0, 1e6, true, false}));
  if (f.node("hedge_threshold") != nullptr && c.hedge != HedgeMode::kThreshold) {
    return f.error_at("hedge_threshold", "delta_hedged_vol.hedge_threshold is only for hedge = \"threshold\"");
  }
  KEEL_TRY_STATUS(f.integer("exit_dte", c.exit_dte, -1, 730));
  KEEL_TRY_STATUS(f.number("profit_target", c.profit_target, Interval{0.0, 100.0, true, false, true}));
  KEEL_TRY_STATUS(f.number("loss_limit", c.loss_limit, Interval{0.0, 100.0, true, false, true}));
  if (account == portfolio::AccountType::kCash) {
    return f.error_at(
        "direction",
        "delta_hedged_vol needs backtest.account = \"margin\": its hedge sells shares short "
        "when the options' delta is positive" +
            std::string(c.direction == VolDirection::kShort ? ", and a short straddle/strangle has undefined risk"
                                                            : ""));
  }
  return ok_status();
}

}  // namespace

std::string_view to_string(VolDirection d) noexcept { return d == VolDirection::kLong ? "long" : "short"; }
std::string_view to_string(VolStructure s) noexcept { return s == VolStructure::kStraddle ? "straddle" : "strangle"; }
std::string_view to_string(HedgeMode m) noexcept { return m == HedgeMode::kDaily ? "daily" : "threshold"; }

Status DeltaHedgedVolConfig::validate(portfolio::AccountType account) const {
  return check_config(*this, "delta_hedged_vol", [account](auto& c, const auto& f) { return check_all(c, f, account); });
}

Result<DeltaHedgedVolConfig> parse_delta_hedged_vol_config(const toml::table& table, std::string_view source_name,
                                                           portfolio::AccountType account) {
  return read_config<DeltaHedgedVolConfig>(table, source_name, "delta_hedged_vol", kKeys,
                                           [account](auto& c, const auto& f) { return check_all(c, f, account); });
}

}  // namespace keel::strategy
