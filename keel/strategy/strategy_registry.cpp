#include "keel/strategy/strategy_registry.hpp"

#include <array>
#include <utility>

#include "keel/strategy/delta_hedged_vol.hpp"
#include "keel/strategy/mean_reversion.hpp"
#include "keel/strategy/multi_strategy_config.hpp"
#include "keel/strategy/option_income.hpp"
#include "keel/strategy/pairs.hpp"
#include "keel/strategy/target_weights.hpp"
#include "keel/strategy/ts_momentum.hpp"
#include "keel/strategy/wheel.hpp"
#include "keel/strategy/xs_momentum.hpp"

namespace keel::strategy {
namespace {

using Parse = Result<StrategyFactory> (*)(const toml::table&, std::string_view, portfolio::AccountType);

struct Entry {
  std::string_view name;
  Parse parse;
};

Result<StrategyFactory> parse_wheel(const toml::table& t, std::string_view source, portfolio::AccountType) {
  KEEL_TRY(c, parse_wheel_config(t, source));
  std::vector<std::string> u = c.underlyings;
  return StrategyFactory{"wheel", [c] { return std::unique_ptr<Strategy>(std::make_unique<WheelStrategy>(c)); },
                         std::move(u)};
}

Result<StrategyFactory> parse_income(const toml::table& t, std::string_view source, portfolio::AccountType account) {
  KEEL_TRY(c, parse_option_income_config(t, source, account));
  std::vector<std::string> u = c.underlyings;
  return StrategyFactory{
      "option_income",
      [c, account] { return std::unique_ptr<Strategy>(std::make_unique<OptionIncomeStrategy>(c, account)); },
      std::move(u)};
}

Result<StrategyFactory> parse_vol(const toml::table& t, std::string_view source, portfolio::AccountType account) {
  KEEL_TRY(c, parse_delta_hedged_vol_config(t, source, account));
  std::vector<std::string> u = c.underlyings;
  return StrategyFactory{"delta_hedged_vol",
                         [c] { return std::unique_ptr<Strategy>(std::make_unique<DeltaHedgedVolStrategy>(c)); },
                         std::move(u)};
}

// The equity strategies (docs/EQUITY_STRATEGIES.md): a config parser and a strategy class per
// name; their short side needs a margin account.
template <class S, class C, Result<C> (*Parse)(const toml::table&, std::string_view)>
Result<StrategyFactory> parse_equity(const toml::table& t, std::string_view source, portfolio::AccountType account,
                                     std::string_view name) {
  KEEL_TRY(c, Parse(t, source));
  if (c.rules.allow_short && account == portfolio::AccountType::kCash) {
    return make_error(ErrorCode::kInvalidArgument, std::string(source) + ": [" + std::string(name) +
                                                       "] trades short, which needs backtest.account = \"margin\"");
  }
  std::vector<std::string> u = c.symbols;
  return StrategyFactory{std::string(name), [c] { return std::unique_ptr<Strategy>(std::make_unique<S>(c)); },
                         std::move(u)};
}

Result<StrategyFactory> parse_ts(const toml::table& t, std::string_view source, portfolio::AccountType account) {
  return parse_equity<TsMomentumStrategy, TsMomentumConfig, &parse_ts_momentum_config>(t, source, account,
                                                                                        "ts_momentum");
}
Result<StrategyFactory> parse_xs(const toml::table& t, std::string_view source, portfolio::AccountType account) {
  return parse_equity<XsMomentumStrategy, XsMomentumConfig, &parse_xs_momentum_config>(t, source, account,
                                                                                        "xs_momentum");
}
Result<StrategyFactory> parse_mr(const toml::table& t, std::string_view source, portfolio::AccountType account) {
  return parse_equity<MeanReversionStrategy, MeanReversionConfig, &parse_mean_reversion_config>(t, source, account,
                                                                                                 "mean_reversion");
}
Result<StrategyFactory> parse_tw(const toml::table& t, std::string_view source, portfolio::AccountType account) {
  return parse_equity<TargetWeightsStrategy, TargetWeightsConfig, &parse_target_weights_config>(t, source, account,
                                                                                                 "target_weights");
}

Result<StrategyFactory> parse_pairs(const toml::table& t, std::string_view source, portfolio::AccountType account) {
  return parse_equity<PairsStrategy, PairsConfig, &parse_pairs_config>(t, source, account, "pairs");
}

constexpr std::array<Entry, 9> kEntries{{
    {"wheel", &parse_wheel},
    {"option_income", &parse_income},
    {"delta_hedged_vol", &parse_vol},
    {"ts_momentum", &parse_ts},
    {"xs_momentum", &parse_xs},
    {"mean_reversion", &parse_mr},
    {"target_weights", &parse_tw},
    {"pairs", &parse_pairs},
    {"multi", &parse_multi_strategy},
}};

}  // namespace

std::vector<std::string_view> strategy_names() {
  std::vector<std::string_view> out;
  for (const Entry& e : kEntries) out.push_back(e.name);
  return out;
}

bool is_strategy_name(std::string_view name) {
  for (const Entry& e : kEntries) {
    if (e.name == name) return true;
  }
  return false;
}

Result<StrategyFactory> make_strategy_factory(std::string_view name, const toml::table& root, std::string_view source,
                                              portfolio::AccountType account, std::string_view name_where) {
  for (const Entry& e : kEntries) {
    if (e.name != name) continue;
    const toml::table* t = root[name].as_table();
    if (t == nullptr) {
      return make_error(ErrorCode::kParse, std::string(source) + ": backtest.strategy = \"" + std::string(name) +
                                               "\" needs a [" + std::string(name) + "] table");
    }
    return e.parse(*t, source, account);
  }
  std::string known;
  for (const Entry& e : kEntries) known += (known.empty() ? "" : ", ") + std::string(e.name);
  return make_error(ErrorCode::kInvalidArgument, std::string(name_where) + "backtest.strategy '" + std::string(name) +
                                                     "' is not known (known: " + known + ")");
}

}  // namespace keel::strategy
