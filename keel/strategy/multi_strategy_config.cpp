#include "keel/strategy/multi_strategy_config.hpp"

#include <array>
#include <memory>
#include <set>

#include "keel/core/assert.hpp"
#include "keel/strategy/config_reader.hpp"
#include "keel/strategy/hmm_regime.hpp"
#include "keel/strategy/multi_strategy.hpp"

namespace keel::strategy {
namespace {

constexpr std::array<std::string_view, 6> kSleeveKeys{"name",    "strategy",   "weight",
                                                      "regimes", "min_equity", "max_equity"};

struct SleeveConfig {
  SleeveSpec spec;
  SleeveGate gate;
  StrategyFactory child;
};

Result<SleeveConfig> parse_sleeve(const toml::table& t, std::size_t index, std::string_view source,
                                  portfolio::AccountType account) {
  const std::string label = "multi.sleeve[" + std::to_string(index + 1) + "]";
  const ConfigReader r(t, source, label);
  SleeveConfig s;
  KEEL_TRY_STATUS(r.text("name", s.spec.name, true));
  std::string strategy;
  KEEL_TRY_STATUS(r.text("strategy", strategy, true));
  if (strategy == "multi") return r.error_at("strategy", label + ".strategy: a sleeve cannot itself be \"multi\"");
  const std::array<std::string_view, 1> own{strategy};
  if (const toml::key* k = r.first_unknown(kSleeveKeys, own)) {
    return r.unknown_key(*k, is_strategy_name(k->str()) ? " (the sleeve's strategy is " + strategy + ")" : "");
  }
  KEEL_TRY_STATUS(r.required("weight"));
  KEEL_TRY_STATUS(r.number("weight", s.spec.weight, 0.0, 1.0, true));
  if (r.has("min_equity")) {
    double v = 0;
    KEEL_TRY_STATUS(r.number("min_equity", v, 0.0, 1e15));
    s.gate.min_equity = v;
  }
  if (r.has("max_equity")) {
    double v = 0;
    KEEL_TRY_STATUS(r.number("max_equity", v, 0.0, 1e15, true));
    s.gate.max_equity = v;
  }
  if (s.gate.min_equity && s.gate.max_equity && !(*s.gate.min_equity < *s.gate.max_equity)) {
    return r.error_at("max_equity", label + ": min_equity must be below max_equity");
  }
  if (const toml::node* n = t.get("regimes")) {
    const toml::array* a = n->as_array();
    if (a == nullptr || a->empty()) {
      return make_error(ErrorCode::kParse, r.where(n) + label + ".regimes must be a non-empty array of integers");
    }
    for (const toml::node& e : *a) {
      const auto v = e.value<std::int64_t>();
      if (!e.is_integer() || !v || *v < 0 || *v > 4) {
        return make_error(ErrorCode::kParse, r.where(n) + label + ".regimes: each must be an integer in 0..4");
      }
      s.gate.regimes.push_back(static_cast<int>(*v));
    }
  }
  KEEL_TRY(child, make_strategy_factory(strategy, t, source, account, r.where(r.node("strategy"))));
  s.child = std::move(child);
  s.spec.underlyings = s.child.underlyings;
  return s;
}

}  // namespace

Result<StrategyFactory> parse_multi_strategy(const toml::table& multi, std::string_view source,
                                             portfolio::AccountType account) {
  const ConfigReader r(multi, source, "multi");
  KEEL_TRY_STATUS(r.known({"sleeve", "regime"}, false));
  std::optional<HmmRegimeConfig> regime;
  if (const toml::node* n = multi.get("regime")) {
    if (!n->is_table()) return make_error(ErrorCode::kParse, r.where(n) + "multi.regime must be a table");
    KEEL_TRY(rc, parse_hmm_regime_config(*n->as_table(), source));
    regime = rc;
  }
  const toml::node* sn = multi.get("sleeve");
  const toml::array* arr = sn != nullptr ? sn->as_array() : nullptr;
  if (arr == nullptr || arr->empty() || !arr->is_array_of_tables()) {
    return r.error_at("sleeve", "multi needs at least one [[multi.sleeve]] table");
  }
  std::vector<SleeveConfig> sleeves;
  std::set<std::string, std::less<>> names, owned;
  double total = 0.0;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::table& t = *arr->get(i)->as_table();
    KEEL_TRY(s, parse_sleeve(t, i, source, account));
    const std::string where = r.where(&t) + "sleeve '" + s.spec.name + "'";
    if (!names.insert(s.spec.name).second) return make_error(ErrorCode::kInvalidArgument, where + " is named twice");
    for (const std::string& u : s.spec.underlyings) {
      if (!owned.insert(u).second) {
        return make_error(ErrorCode::kInvalidArgument, where + ": " + u + " is traded by another sleeve too");
      }
    }
    if (!s.gate.regimes.empty() && !regime) {
      return make_error(ErrorCode::kInvalidArgument, where + " lists regimes but there is no [multi.regime] table");
    }
    total += s.spec.weight;
    sleeves.push_back(std::move(s));
  }
  if (total > 1.0 + 1e-12) {
    return make_error(ErrorCode::kInvalidArgument, std::string(source) + ": the sleeves' weights add up to " +
                                                       std::to_string(total) + ", more than 1");
  }
  if (regime && owned.count(regime->symbol) != 0) {
    return make_error(ErrorCode::kInvalidArgument, std::string(source) + ": multi.regime.symbol " + regime->symbol +
                                                       " is traded by a sleeve; use a reference symbol no sleeve trades");
  }
  std::vector<std::string> underlyings(owned.begin(), owned.end());
  if (regime) underlyings.push_back(regime->symbol);
  auto make = [sleeves, regime]() -> std::unique_ptr<Strategy> {
    std::vector<Sleeve> built;
    for (const SleeveConfig& s : sleeves) built.push_back(Sleeve{s.spec, s.child.make(), s.gate});
    std::shared_ptr<RegimeSource> regime_source;
    if (regime) regime_source = std::make_shared<HmmRegime>(*regime);
    auto m = MultiStrategy::create(std::move(built), std::move(regime_source));
    KEEL_ASSERT(m.ok(), "multi: a parsed configuration must build");
    return std::move(*m);
  };
  return StrategyFactory{"multi", make, std::move(underlyings)};
}

}  // namespace keel::strategy
