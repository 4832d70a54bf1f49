#include "keel/model/instrument.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "keel/core/int128.hpp"
#include "keel/model/occ_symbol.hpp"

namespace keel {
namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}
}  // namespace

std::string_view to_string(AssetClass v) noexcept {
  switch (v) {
    case AssetClass::kEquity: return "equity";
    case AssetClass::kEtf: return "etf";
    case AssetClass::kIndex: return "index";
    case AssetClass::kOption: return "option";
  }
  return "?";
}
std::string_view to_string(OptionRight v) noexcept { return v == OptionRight::kCall ? "call" : "put"; }
std::string_view to_string(ExerciseStyle v) noexcept { return v == ExerciseStyle::kAmerican ? "american" : "european"; }
std::string_view to_string(Settlement v) noexcept { return v == Settlement::kPhysical ? "physical" : "cash"; }

Result<AssetClass> parse_asset_class(std::string_view text) {
  const std::string t = lower(text);
  if (t == "equity" || t == "stock") return AssetClass::kEquity;
  if (t == "etf") return AssetClass::kEtf;
  if (t == "index") return AssetClass::kIndex;
  if (t == "option") return AssetClass::kOption;
  return make_error(ErrorCode::kParse, "unknown asset class '" + std::string(text) + "'");
}
Result<OptionRight> parse_option_right(std::string_view text) {
  const std::string t = lower(text);
  if (t == "c" || t == "call") return OptionRight::kCall;
  if (t == "p" || t == "put") return OptionRight::kPut;
  return make_error(ErrorCode::kParse, "unknown option right '" + std::string(text) + "' (expected C, P, call or put)");
}
Result<ExerciseStyle> parse_exercise_style(std::string_view text) {
  const std::string t = lower(text);
  if (t == "american") return ExerciseStyle::kAmerican;
  if (t == "european") return ExerciseStyle::kEuropean;
  return make_error(ErrorCode::kParse, "unknown exercise style '" + std::string(text) + "'");
}
Result<Settlement> parse_settlement(std::string_view text) {
  const std::string t = lower(text);
  if (t == "physical") return Settlement::kPhysical;
  if (t == "cash") return Settlement::kCash;
  return make_error(ErrorCode::kParse, "unknown settlement '" + std::string(text) + "'");
}

const Instrument& InstrumentRef::empty() noexcept {
  static const Instrument none;
  return none;
}

InstrumentRef::InstrumentRef(Instrument instrument) : p_(std::make_shared<const Instrument>(std::move(instrument))) {}

Status Instrument::validate() const {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument, "instrument '" + symbol + "': " + why);
  };
  if (symbol.empty()) return make_error(ErrorCode::kInvalidArgument, "instrument: empty symbol");
  // ISO 4217 codes are three upper-case letters ("USD"); "usd" would be a second key for USD.
  if (currency.size() != 3 || !std::all_of(currency.begin(), currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return bad("currency '" + currency + "' is not a 3-letter upper-case code");
  if (!tick_size.is_positive()) return bad("tick_size must be positive");
  if (is_option() != option.has_value()) return bad(is_option() ? "option without an option spec" : "option spec on a non-option");
  if (option) {
    if (option->underlying.empty()) return bad("empty underlying");
    if (!option->strike.is_positive()) return bad("strike " + option->strike.to_string() + " must be positive");
    if (option->multiplier <= 0) return bad("multiplier " + std::to_string(option->multiplier) + " must be positive");
  }
  return ok_status();
}

Result<Instrument> make_option_instrument(const OptionSpec& spec) {
  KEEL_TRY(symbol, format_osi(OccSymbol{spec.underlying, spec.expiry, spec.right, spec.strike}));
  Instrument inst;
  inst.symbol = std::move(symbol);
  inst.asset_class = AssetClass::kOption;
  inst.option = spec;
  KEEL_TRY_STATUS(inst.validate());
  return inst;
}

Price deliverable_strike(const OptionSpec& spec) {
  KEEL_ASSERT(spec.multiplier > 0, "deliverable_strike: multiplier must be positive");
  if (spec.multiplier == kStrikeShares) return spec.strike;
  const i128 q = div_round(static_cast<i128>(spec.strike.raw()) * kStrikeShares, spec.multiplier);
  return Price::from_raw(static_cast<std::int64_t>(q), 8);
}

}  // namespace keel
