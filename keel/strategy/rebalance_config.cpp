#include "keel/strategy/rebalance_config.hpp"

#include <array>

namespace keel::strategy {
namespace {

constexpr std::array<std::string_view, 6> kRebalanceKeys{"rebalance",  "rebalance_on",    "cash_buffer",
                                                         "drift_band", "min_trade_value", "max_gross"};

}  // namespace

std::span<const std::string_view> rebalance_keys() { return kRebalanceKeys; }

Status parse_rebalance_keys(const ConfigReader& r, Schedule& schedule, RebalanceRules& rules) {
  int f = static_cast<int>(schedule.frequency);
  KEEL_TRY_STATUS(r.choice("rebalance", f, {"daily", "weekly", "monthly"}));
  schedule.frequency = static_cast<RebalanceFrequency>(f);
  int s = static_cast<int>(schedule.session);
  KEEL_TRY_STATUS(r.choice("rebalance_on", s, {"first", "last"}));
  schedule.session = static_cast<RebalanceSession>(s);
  KEEL_TRY_STATUS(r.number("cash_buffer", rules.cash_buffer, 0.0, 1.0, false, true));
  KEEL_TRY_STATUS(r.number("drift_band", rules.drift_band, 0.0, 1.0, false, true));
  KEEL_TRY_STATUS(r.number("min_trade_value", rules.min_trade_value, 0.0, 1e9));
  KEEL_TRY_STATUS(r.number("max_gross", rules.max_gross, 0.0, 10.0, true, false));
  return ok_status();
}

}  // namespace keel::strategy
