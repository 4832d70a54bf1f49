#include "keel/strategy/strategy.hpp"

namespace keel::strategy {

std::string_view to_string(OptionEventKind k) noexcept {
  switch (k) {
    case OptionEventKind::kExpiredWorthless: return "expired_worthless";
    case OptionEventKind::kExercised: return "exercised";
    case OptionEventKind::kAssigned: return "assigned";
    case OptionEventKind::kEarlyAssigned: return "early_assigned";
    case OptionEventKind::kCashSettled: return "cash_settled";
    case OptionEventKind::kPinRisk: return "pin_risk";
  }
  return "unknown";
}

}  // namespace keel::strategy
