#include "keel/strategy/option_income_config.hpp"

#include <array>
#include <utility>

#include "keel/strategy/config_reader.hpp"

namespace keel::strategy {
namespace {

constexpr std::array<std::string_view, 25> kKeys{
    "underlyings",   "structure",     "right",          "min_dte",           "max_dte",
    "target_dte",    "far_min_dte",   "far_max_dte",    "far_target_dte",    "short_delta",
    "wing_width",    "wing_strikes",  "long_delta",     "min_credit",        "min_credit_to_width",
    "max_debit",     "iv_rank_min",   "iv_rank_lookback", "contracts_max",   "capital_at_risk",
    "profit_target", "loss_limit",    "exit_dte",       "exit_when_tested",  "tested_band"};

const std::array<std::pair<std::string_view, IncomeStructure>, 9> kStructures{{
    {"covered_call", IncomeStructure::kCoveredCall},
    {"cash_secured_put", IncomeStructure::kCashSecuredPut},
    {"bull_put", IncomeStructure::kBullPut},
    {"bear_call", IncomeStructure::kBearCall},
    {"iron_condor", IncomeStructure::kIronCondor},
    {"short_strangle", IncomeStructure::kShortStrangle},
    {"short_straddle", IncomeStructure::kShortStraddle},
    {"calendar", IncomeStructure::kCalendar},
    {"diagonal", IncomeStructure::kDiagonal},
}};
const std::array<std::pair<std::string_view, OptionRight>, 2> kRights{
    {{"put", OptionRight::kPut}, {"call", OptionRight::kCall}}};

Status dte_window(const ConfigReader& f, const char* lo_key, const char* hi_key, const char* target_key, int lo, int hi,
                  int target) {
  if (lo > hi) {
    return f.error_at(hi_key, f.name(hi_key) + " = " + std::to_string(hi) + " is below " + f.name(lo_key) + " = " +
                                  std::to_string(lo));
  }
  if (target < lo || target > hi) {
    return f.error_at(target_key, f.name(target_key) + " = " + std::to_string(target) + " is outside [" +
                                      f.name(lo_key) + ", " + f.name(hi_key) + "] = [" + std::to_string(lo) + ", " +
                                      std::to_string(hi) + "]");
  }
  return ok_status();
}

Status check_all(OptionIncomeConfig& c, const ConfigReader& f, portfolio::AccountType account) {
  KEEL_TRY_STATUS(f.symbols("underlyings", c.underlyings, true));
  if (f.parsing() && f.node("structure") == nullptr) {
    return f.error_at(nullptr,
                      "missing required key option_income.structure (one of \"covered_call\", "
                      "\"cash_secured_put\", \"bull_put\", \"bear_call\", \"iron_condor\", \"short_strangle\", "
                      "\"short_straddle\", \"calendar\", \"diagonal\")");
  }
  KEEL_TRY_STATUS(f.choice("structure", c.structure, kStructures));
  const std::string structure(to_string(c.structure));
  if (f.node("right") != nullptr && !is_two_expiry(c.structure)) {
    return f.error_at("right", "option_income.right is only for calendar and diagonal (structure = \"" + structure +
                                   "\" fixes its rights)");
  }
  KEEL_TRY_STATUS(f.choice("right", c.right, kRights));
  KEEL_TRY_STATUS(f.integer("min_dte", c.min_dte, 0, 730));
  KEEL_TRY_STATUS(f.integer("max_dte", c.max_dte, 0, 730));
  KEEL_TRY_STATUS(f.integer("target_dte", c.target_dte, 0, 730));
  KEEL_TRY_STATUS(dte_window(f, "min_dte", "max_dte", "target_dte", c.min_dte, c.max_dte, c.target_dte));
  KEEL_TRY_STATUS(f.integer("far_min_dte", c.far_min_dte, 1, 1095));
  KEEL_TRY_STATUS(f.integer("far_max_dte", c.far_max_dte, 1, 1095));
  KEEL_TRY_STATUS(f.integer("far_target_dte", c.far_target_dte, 1, 1095));
  if (is_two_expiry(c.structure)) {
    KEEL_TRY_STATUS(dte_window(f, "far_min_dte", "far_max_dte", "far_target_dte", c.far_min_dte, c.far_max_dte,
                               c.far_target_dte));
    if (c.far_max_dte <= c.min_dte) {
      return f.error_at("far_max_dte",
                        "option_income.far_max_dte = " + std::to_string(c.far_max_dte) +
                            " leaves no far expiry after the near window's min_dte = " + std::to_string(c.min_dte));
    }
  } else {
    for (const char* k : {"far_min_dte", "far_max_dte", "far_target_dte"}) {
      if (f.node(k) != nullptr) {
        return f.error_at(k, f.name(k) + " is only for calendar and diagonal (structure = \"" + structure + "\")");
      }
    }
  }
  KEEL_TRY_STATUS(f.number("short_delta", c.short_delta, kOpenUnit));
  KEEL_TRY_STATUS(f.price("wing_width", c.wing_width, Interval{0.0, 10000.0, true, false, true}));
  KEEL_TRY_STATUS(f.integer("wing_strikes", c.wing_strikes, 0, 50));
  KEEL_TRY_STATUS(f.number("long_delta", c.long_delta, Interval{0.0, 1.0, true, true, true}));
  const int wings = (c.wing_width.is_positive() ? 1 : 0) + (c.wing_strikes > 0 ? 1 : 0) + (c.long_delta > 0.0 ? 1 : 0);
  if (has_wings(c.structure) && wings != 1) {
    const char* k = c.wing_width.is_positive() ? "wing_width" : c.wing_strikes > 0 ? "wing_strikes" : "long_delta";
    return f.error_at(wings == 0 ? nullptr : f.node(k),
                      "option_income: structure = \"" + structure +
                          "\" needs exactly one of wing_width, wing_strikes, long_delta to place its long leg (" +
                          std::to_string(wings) + " given)");
  }
  if (!has_wings(c.structure) && wings != 0) {
    const char* k = c.wing_width.is_positive() ? "wing_width" : c.wing_strikes > 0 ? "wing_strikes" : "long_delta";
    return f.error_at(k, f.name(k) + " is not used by structure = \"" + structure + "\" (it has no long wing)");
  }
  KEEL_TRY_STATUS(f.price("min_credit", c.min_credit, Interval{0.0, 10000.0, false, false}));
  KEEL_TRY_STATUS(f.number("min_credit_to_width", c.min_credit_to_width, Interval{0.0, 1.0, false, true}));
  const bool vertical = c.structure == IncomeStructure::kBullPut || c.structure == IncomeStructure::kBearCall ||
                        c.structure == IncomeStructure::kIronCondor;
  if (c.min_credit_to_width > 0.0 && !vertical) {
    return f.error_at("min_credit_to_width",
                      "option_income.min_credit_to_width is only for bull_put, bear_call and "
                      "iron_condor (structure = \"" +
                          structure + "\")");
  }
  KEEL_TRY_STATUS(f.price("max_debit", c.max_debit, Interval{0.0, 10000.0, false, false}));
  if (c.max_debit.is_positive() && !is_debit_structure(c.structure)) {
    return f.error_at("max_debit", "option_income.max_debit is only for calendar and diagonal (structure = \"" +
                                       structure + "\" is opened for a credit)");
  }
  KEEL_TRY_STATUS(f.number("iv_rank_min", c.iv_rank_min, Interval{0.0, 100.0, false, false}));
  KEEL_TRY_STATUS(f.integer("iv_rank_lookback", c.iv_rank_lookback, 2, 2520));
  KEEL_TRY_STATUS(f.integer("contracts_max", c.contracts_max, 1, 100000));
  KEEL_TRY_STATUS(f.number("capital_at_risk", c.capital_at_risk, Interval{0.0, 1.0, true, false}));
  const bool debit = is_debit_structure(c.structure);
  // A debit structure can lose at most its debit: its loss_limit default is half of it.
  if (debit && f.parsing() && f.node("loss_limit") == nullptr) c.loss_limit = 0.5;
  KEEL_TRY_STATUS(f.number("profit_target", c.profit_target, Interval{0.0, debit ? 100.0 : 1.0, true, false, true}));
  KEEL_TRY_STATUS(f.number("loss_limit", c.loss_limit, Interval{0.0, debit ? 1.0 : 100.0, true, false, true}));
  KEEL_TRY_STATUS(f.integer("exit_dte", c.exit_dte, -1, 730));
  KEEL_TRY_STATUS(f.boolean("exit_when_tested", c.exit_when_tested));
  KEEL_TRY_STATUS(f.number("tested_band", c.tested_band, Interval{0.0, 0.5, false, false}));
  if (c.exit_when_tested && c.structure == IncomeStructure::kShortStraddle) {
    return f.error_at("exit_when_tested",
                      "option_income.exit_when_tested does not apply to short_straddle (its short "
                      "strikes are at the money: one is always tested)");
  }
  if (c.tested_band > 0.0 && !c.exit_when_tested) {
    return f.error_at("tested_band", "option_income.tested_band is set but exit_when_tested is false");
  }
  if (account == portfolio::AccountType::kCash) {
    if (is_undefined_risk(c.structure)) {
      return f.error_at("structure", "option_income.structure = \"" + structure +
                                         "\" has undefined risk (a naked short call) and needs backtest.account = "
                                         "\"margin\"; the cash account cannot hold it");
    }
    if (is_two_expiry(c.structure) && c.right == OptionRight::kCall) {
      return f.error_at(
          f.node("right") != nullptr ? "right" : "structure",
          "option_income: a call " + structure +
              " needs backtest.account = \"margin\": the cash account pairs only same-expiry verticals, so "
              "its near short call would be uncovered (use right = \"put\" in a cash account)");
    }
  }
  return ok_status();
}

}  // namespace

std::string_view to_string(IncomeStructure s) noexcept {
  for (const auto& [name, value] : kStructures) {
    if (value == s) return name;
  }
  return "unknown";
}
bool has_wings(IncomeStructure s) noexcept {
  return s == IncomeStructure::kBullPut || s == IncomeStructure::kBearCall || s == IncomeStructure::kIronCondor ||
         s == IncomeStructure::kDiagonal;
}
bool is_undefined_risk(IncomeStructure s) noexcept {
  return s == IncomeStructure::kShortStrangle || s == IncomeStructure::kShortStraddle;
}
bool is_two_expiry(IncomeStructure s) noexcept {
  return s == IncomeStructure::kCalendar || s == IncomeStructure::kDiagonal;
}
bool is_debit_structure(IncomeStructure s) noexcept { return is_two_expiry(s); }

Status OptionIncomeConfig::validate(portfolio::AccountType account) const {
  return check_config(*this, "option_income", [account](auto& c, const auto& f) { return check_all(c, f, account); });
}

Result<OptionIncomeConfig> parse_option_income_config(const toml::table& table, std::string_view source_name,
                                                      portfolio::AccountType account) {
  return read_config<OptionIncomeConfig>(table, source_name, "option_income", kKeys,
                                         [account](auto& c, const auto& f) { return check_all(c, f, account); });
}

}  // namespace keel::strategy
