#include "keel/strategy/multi_strategy_config.hpp"

#include <memory>
#include <set>

#include "keel/core/assert.hpp"

#include "keel/strategy/hmm_regime.hpp"
#include "keel/strategy/multi_strategy.hpp"
#include "keel/strategy/rebalance_config.hpp"

namespace keel::strategy {
namespace {

struct SleeveConfig {
  SleeveSpec spec;
  SleeveGate gate;
  StrategyFactory child;
};

std::string line_of(std::string_view source, const toml::node& n) {
  return std::string(source) + ":" + std::to_string(n.source().begin.line) + ": ";
}

Result<SleeveConfig> parse_sleeve(const toml::table& t, std::size_t index, std::string_view source,
                                  portfolio::AccountType account) {
  const std::string label = "multi.sleeve[" + std::to_string(index + 1) + "]";
  const ConfigReader r(t, source, label);
  SleeveConfig s;
  KEEL_TRY_STATUS(r.text("name", s.spec.name, true));
  std::string strategy;
  KEEL_TRY_STATUS(r.text("strategy", strategy, true));
  if (strategy == "multi") return r.error_at("strategy", label + ".strategy: a sleeve cannot itself be \"multi\"");
  for (const auto& [k, node] : t) {
    const std::string_view key = k.str();
    if (key == "name" || key == "strategy" || key == "weight" || key == "regimes" || key == "min_equity" ||
        key == "max_equity" || key == strategy) {
      continue;
    }
    return make_error(ErrorCode::kParse, line_of(source, node) + "unknown key " + label + "." + std::string(key) +
                                             (is_strategy_name(key) ? " (the sleeve's strategy is " + strategy + ")" : ""));
  }
  KEEL_TRY_STATUS(r.number("weight", s.spec.weight, 0.0, 1.0, true));
  if (!r.has("weight")) return r.error_at("weight", label + ".weight is required");
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
      return make_error(ErrorCode::kParse, line_of(source, *n) + label + ".regimes must be a non-empty array of integers");
    }
    for (const toml::node& e : *a) {
      const auto v = e.value<std::int64_t>();
      if (!e.is_integer() || !v || *v < 0 || *v > 4) {
        return make_error(ErrorCode::kParse, line_of(source, *n) + label + ".regimes: each must be an integer in 0..4");
      }
      s.gate.regimes.push_back(static_cast<int>(*v));
    }
  }
  KEEL_TRY(child, make_strategy_factory(strategy, t, source, account, line_of(source, *t.get("strategy"))));
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
    if (!n->is_table()) return make_error(ErrorCode::kParse, line_of(source, *n) + "multi.regime must be a table");
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
    const std::string where = line_of(source, t) + "sleeve '" + s.spec.name + "'";
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
