#include "keel/backtest/backtest_config.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "keel/execution/fees.hpp"
#include "keel/strategy/config_reader.hpp"
#include "keel/strategy/strategy_registry.hpp"

namespace keel::backtest {

Result<BacktestConfig> parse_backtest_config(std::string_view text, std::string_view source_name) {
  // toml++ is used in its default (exceptions) mode; a syntax error becomes a Result here.
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& err) {
    return make_error(ErrorCode::kParse, std::string(source_name) + ":" + std::to_string(err.source().begin.line) +
                                             ": " + std::string(err.description()));
  }
  BacktestConfig cfg;
  cfg.path = std::string(source_name);
  cfg.text = std::string(text);
  const strategy::ConfigReader top(root, source_name, "");  // locations of top-level nodes only
  for (const auto& [key, node] : root) {
    const std::string k(key.str());
    if (k != "backtest" && k != "lifecycle" && !strategy::is_strategy_name(k)) {
      std::string known = "[backtest], [lifecycle]";
      for (std::string_view n : strategy::strategy_names()) known += ", [" + std::string(n) + "]";
      return make_error(ErrorCode::kParse,
                        top.where(&node) + "unknown table or key '" + k + "' (known: " + known + ")");
    }
    if (!node.is_table()) {
      return make_error(ErrorCode::kParse, top.where(&node) + "'" + k + "' must be a table ([" + k + "])");
    }
  }
  const toml::table* bt = root["backtest"].as_table();
  if (bt == nullptr) return make_error(ErrorCode::kParse, std::string(source_name) + ": missing the [backtest] table");
  const strategy::ConfigReader r(*bt, source_name, "backtest");
  KEEL_TRY_STATUS(r.known({"strategy", "start", "end", "capital", "warmup_days", "fill_model", "option_price",
                           "mid_fraction", "participation_cap", "slippage_bps", "impact_coefficient", "fees", "account",
                           "rate", "dividend_yield", "benchmark", "seed", "db", "cash_rate", "margin_rate",
                           "cap_options_at_displayed_size"}));

  KEEL_TRY_STATUS(r.text("strategy", cfg.strategy, true));
  if (!strategy::is_strategy_name(cfg.strategy)) {
    // The registry's message lists the known names.
    return strategy::make_strategy_factory(cfg.strategy, root, source_name, cfg.engine.account,
                                           r.where(r.node("strategy")))
        .error();
  }
  KEEL_TRY_STATUS(r.required("start"));
  KEEL_TRY_STATUS(r.date("start", cfg.start));
  KEEL_TRY_STATUS(r.required("end"));
  KEEL_TRY_STATUS(r.date("end", cfg.end));
  if (cfg.start > cfg.end) {
    return r.error_at("end", "backtest.end " + cfg.end.to_string() + " is before start " + cfg.start.to_string());
  }
  cfg.engine.start = cfg.start;
  KEEL_TRY_STATUS(r.required("capital"));
  KEEL_TRY_STATUS(r.money("capital", cfg.engine.capital, strategy::Interval{0.0, 1e10, true, false}, 2));
  KEEL_TRY_STATUS(r.integer("warmup_days", cfg.warmup_days, 0, 3660));

  execution::ExecutionConfig& ex = cfg.engine.execution;
  std::string fill;
  KEEL_TRY_STATUS(r.text("fill_model", fill));
  if (r.has("fill_model")) {
    auto m = execution::parse_fill_model(fill);
    if (!m) return r.error_at("fill_model", m.error().message);
    ex.fill_model = *m;
  }
  std::string oprice;
  KEEL_TRY_STATUS(r.text("option_price", oprice));
  if (r.has("option_price")) {
    auto m = execution::parse_option_price_model(oprice);
    if (!m) return r.error_at("option_price", m.error().message);
    ex.option_price = *m;
  }
  KEEL_TRY_STATUS(r.number("mid_fraction", ex.mid_fraction, 0.0, 1.0));
  KEEL_TRY_STATUS(r.number("participation_cap", ex.participation_cap, 0.0, 1.0, true));
  KEEL_TRY_STATUS(r.number("slippage_bps", ex.slippage_bps, 0.0, 1000.0));
  KEEL_TRY_STATUS(r.number("impact_coefficient", ex.impact_coefficient, 0.0, 100.0));
  KEEL_TRY_STATUS(r.boolean("cap_options_at_displayed_size", ex.cap_options_at_displayed_size));
  KEEL_TRY_STATUS(r.text("fees", cfg.fee_preset));
  {
    auto schedule = execution::fee_preset(cfg.fee_preset);
    if (!schedule) return r.error_at("fees", schedule.error().message);
    ex.fees = *schedule;
  }
  std::string account;
  KEEL_TRY_STATUS(r.text("account", account));
  if (r.has("account")) {
    auto a = portfolio::parse_account_type(account);
    if (!a) return r.error_at("account", a.error().message);
    cfg.engine.account = *a;
  }
  KEEL_TRY_STATUS(r.number("rate", cfg.engine.rate, -0.1, 0.5));
  // Interest on cash: by default the risk-free rate less 0.5% on credit balances and plus 1.5%
  // on debit balances (an IBKR-like benchmark spread), never below 0. 0 turns either off.
  cfg.engine.cash_rate = std::max(0.0, cfg.engine.rate - 0.005);
  cfg.engine.margin_rate = std::max(0.0, cfg.engine.rate + 0.015);
  KEEL_TRY_STATUS(r.number("cash_rate", cfg.engine.cash_rate, 0.0, 0.5));
  KEEL_TRY_STATUS(r.number("margin_rate", cfg.engine.margin_rate, 0.0, 0.5));
  KEEL_TRY_STATUS(r.number("dividend_yield", cfg.engine.dividend_yield, -0.1, 0.5));
  KEEL_TRY_STATUS(r.text("benchmark", cfg.benchmark));
  std::int64_t seed = static_cast<std::int64_t>(cfg.seed);
  KEEL_TRY_STATUS(r.integer("seed", seed, 0, INT64_MAX));
  cfg.seed = static_cast<std::uint64_t>(seed);
  KEEL_TRY_STATUS(r.text("db", cfg.db));

  if (const toml::table* lc = root["lifecycle"].as_table()) {
    const strategy::ConfigReader l(*lc, source_name, "lifecycle");
    KEEL_TRY_STATUS(l.known({"auto_exercise", "exercise_threshold", "early_assignment_dividend",
                             "early_assignment_deep_itm_put", "pin_band"}));
    engine::LifecycleConfig& c = cfg.engine.lifecycle;
    KEEL_TRY_STATUS(l.boolean("auto_exercise", c.auto_exercise));
    KEEL_TRY_STATUS(l.price("exercise_threshold", c.exercise_threshold, strategy::Interval{0.0, 100.0}));
    KEEL_TRY_STATUS(l.boolean("early_assignment_dividend", c.early_assignment_dividend));
    KEEL_TRY_STATUS(l.boolean("early_assignment_deep_itm_put", c.early_assignment_deep_itm_put));
    KEEL_TRY_STATUS(l.number("pin_band", c.pin_band, 0.0, 0.5));
  }

  // A table of another strategy is not silently ignored.
  for (const auto& [key, node] : root) {
    if (strategy::is_strategy_name(key.str()) && key.str() != cfg.strategy) {
      return make_error(ErrorCode::kParse, top.where(&node) + "[" + std::string(key.str()) +
                                               "] is not used: backtest.strategy = \"" + cfg.strategy + "\"");
    }
  }
  KEEL_TRY(factory, strategy::make_strategy_factory(cfg.strategy, root, source_name, cfg.engine.account));
  cfg.factory = std::move(factory);
  KEEL_TRY_STATUS(cfg.engine.validate());
  return cfg;
}

Result<BacktestConfig> load_backtest_config(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kNotFound, path.string() + ": cannot open the backtest config");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return make_error(ErrorCode::kIo, path.string() + ": read error");
  return parse_backtest_config(text.str(), path.string());
}

Result<std::unique_ptr<strategy::Strategy>> BacktestConfig::make_strategy() const {
  if (factory && factory->make) return factory->make();
  return make_error(ErrorCode::kInvalidArgument, path + ": no strategy configured");
}

std::vector<std::string> BacktestConfig::symbols() const {
  if (factory) return factory->underlyings;
  return {};
}

}  // namespace keel::backtest
