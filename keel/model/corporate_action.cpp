#include "keel/model/corporate_action.hpp"

namespace keel {

std::string_view to_string(CorporateActionKind v) noexcept {
  switch (v) {
    case CorporateActionKind::kSplit: return "split";
    case CorporateActionKind::kCashDividend: return "dividend";
    case CorporateActionKind::kSymbolChange: return "symbol_change";
    case CorporateActionKind::kDelisting: return "delisting";
  }
  return "?";
}

Result<CorporateActionKind> parse_corporate_action_kind(std::string_view text) {
  if (text == "split") return CorporateActionKind::kSplit;
  if (text == "dividend") return CorporateActionKind::kCashDividend;
  if (text == "symbol_change") return CorporateActionKind::kSymbolChange;
  if (text == "delisting") return CorporateActionKind::kDelisting;
  return make_error(ErrorCode::kParse, "unknown corporate action '" + std::string(text) +
                                           "' (expected split, dividend, symbol_change or delisting)");
}

Status CorporateAction::validate() const {
  const std::string where = std::string(to_string(kind)) + " on " + ex_date.to_string();
  switch (kind) {
    case CorporateActionKind::kSplit:
      if (ratio_to <= 0 || ratio_from <= 0 || ratio_to == ratio_from)
        return make_error(ErrorCode::kInvalidArgument, where + ": split ratio " + std::to_string(ratio_to) + ":" +
                                                           std::to_string(ratio_from) + " is not a split");
      break;
    case CorporateActionKind::kCashDividend:
      if (!amount.is_positive()) return make_error(ErrorCode::kInvalidArgument, where + ": amount must be positive");
      if (record_date < ex_date - 7 || pay_date < ex_date)
        return make_error(ErrorCode::kInvalidArgument, where + ": record/pay dates inconsistent with the ex-date");
      break;
    case CorporateActionKind::kSymbolChange:
      if (new_symbol.empty()) return make_error(ErrorCode::kInvalidArgument, where + ": empty new symbol");
      break;
    case CorporateActionKind::kDelisting: break;
  }
  return ok_status();
}

}  // namespace keel
