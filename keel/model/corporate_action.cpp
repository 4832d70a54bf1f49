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
  auto bad = [&](const std::string& why) { return make_error(ErrorCode::kInvalidArgument, where + ": " + why); };
  switch (kind) {
    case CorporateActionKind::kSplit:
      if (ratio_to <= 0 || ratio_from <= 0 || ratio_to == ratio_from)
        return bad("split ratio " + std::to_string(ratio_to) + ":" + std::to_string(ratio_from) + " is not a split");
      return ok_status();
    case CorporateActionKind::kCashDividend:
      if (!amount.is_positive()) return bad("amount " + amount.to_string() + " must be positive");
      // Record date: the ex-date itself under T+1 settlement, one or two business days later
      // under T+2/T+3; a week of slack before the ex-date tolerates vendor conventions.
      // Large distributions (25% or more of the share price) follow the due-bill convention:
      // the ex-date is the first business day after the payable date (FINRA Rule 11140(b)(1)),
      // so the pay date precedes the ex-date and the record date can be weeks earlier.
      if (pay_date >= ex_date && record_date < ex_date - 7)
        return bad("record_date " + record_date.to_string() + " more than 7 days before the ex-date");
      // Payment goes to holders of record, so it cannot precede the record date.
      if (pay_date < record_date)
        return bad("pay_date " + pay_date.to_string() + " before record_date " + record_date.to_string());
      return ok_status();
    case CorporateActionKind::kSymbolChange:
      if (new_symbol.empty()) return bad("empty new symbol");
      return ok_status();
    case CorporateActionKind::kDelisting:
      return ok_status();
  }
  return make_error(ErrorCode::kInvalidArgument, "corporate action on " + ex_date.to_string() + ": unknown kind " +
                                                     std::to_string(static_cast<int>(kind)));
}

}  // namespace keel
