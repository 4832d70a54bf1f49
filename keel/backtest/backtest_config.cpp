#include "keel/backtest/backtest_config.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "keel/execution/fees.hpp"
#include "keel/strategy/strategy_registry.hpp"

namespace keel::backtest {
namespace {

std::string where(std::string_view source, const toml::node& node) {
  return std::string(source) + ":" + std::to_string(node.source().begin.line) + ": ";
}

Status unknown_keys(const toml::table& table, std::string_view source, std::string_view prefix,
                    const std::set<std::string, std::less<>>& known) {
  for (const auto& [key, node] : table) {
    if (known.count(key.str()) == 0) {
      return make_error(ErrorCode::kParse, where(source, node) + "unknown key " + std::string(prefix) + "." +
                                               std::string(key.str()));
    }
  }
  return ok_status();
}

// Typed readers: absent -> keep the default; wrong type or range -> error naming key and line.
struct Reader {
  const toml::table& table;
  std::string_view source;
  std::string prefix;
  int table_line;

  std::string name(std::string_view key) const { return prefix + "." + std::string(key); }

  Result<std::optional<std::string>> string(std::string_view key) const {
    const toml::node* n = table.get(key);
    if (n == nullptr) return std::optional<std::string>();
    if (!n->is_string()) return make_error(ErrorCode::kParse, where(source, *n) + name(key) + " must be a string");
    return std::optional<std::string>(std::string(*n->value<std::string_view>()));
  }
  Result<std::optional<double>> number(std::string_view key, double lo, double hi, bool lo_open = false) const {
    const toml::node* n = table.get(key);
    if (n == nullptr) return std::optional<double>();
    std::optional<double> v;
    if (n->is_floating_point()) v = *n->value<double>();
    if (n->is_integer()) v = static_cast<double>(*n->value<std::int64_t>());
    if (!v) return make_error(ErrorCode::kParse, where(source, *n) + name(key) + " must be a number");
    if (!std::isfinite(*v) || *v > hi || (lo_open ? *v <= lo : *v < lo)) {
      std::ostringstream os;
      os << where(source, *n) << name(key) << " = " << *v << " out of range " << (lo_open ? "(" : "[") << lo << ", "
         << hi << "]";
      return make_error(ErrorCode::kInvalidArgument, os.str());
    }
    return v;
  }
  Result<std::optional<std::int64_t>> integer(std::string_view key, std::int64_t lo, std::int64_t hi) const {
    const toml::node* n = table.get(key);
    if (n == nullptr) return std::optional<std::int64_t>();
    if (!n->is_integer()) return make_error(ErrorCode::kParse, where(source, *n) + name(key) + " must be an integer");
    const std::int64_t v = *n->value<std::int64_t>();
    if (v < lo || v > hi) {
      return make_error(ErrorCode::kInvalidArgument, where(source, *n) + name(key) + " = " + std::to_string(v) +
                                                         " out of range [" + std::to_string(lo) + ", " +
                                                         std::to_string(hi) + "]");
    }
    return std::optional<std::int64_t>(v);
  }
  Result<std::optional<bool>> boolean(std::string_view key) const {
    const toml::node* n = table.get(key);
    if (n == nullptr) return std::optional<bool>();
    if (!n->is_boolean()) return make_error(ErrorCode::kParse, where(source, *n) + name(key) + " must be true or false");
    return std::optional<bool>(*n->value<bool>());
  }
  Result<std::optional<Date>> date(std::string_view key) const {
    const toml::node* n = table.get(key);
    if (n == nullptr) return std::optional<Date>();
    if (n->is_date()) {
      const toml::date d = *n->value<toml::date>();
      KEEL_TRY(v, Date::from_ymd(d.year, d.month, d.day));
      return std::optional<Date>(v);
    }
    if (n->is_string()) {
      auto v = Date::parse(*n->value<std::string_view>());
      if (!v) return make_error(ErrorCode::kParse, where(source, *n) + name(key) + ": " + v.error().message);
      return std::optional<Date>(*v);
    }
    return make_error(ErrorCode::kParse, where(source, *n) + name(key) + " must be a date (YYYY-MM-DD)");
  }
  Error missing(std::string_view key) const {
    return Error{ErrorCode::kParse, std::string(source) + ":" + std::to_string(table_line) + ": [" + prefix +
                                        "] is missing the required key " + name(key)};
  }
};

Result<Money> money_from(double v, const std::string& what) {
  auto m = Money::from_double(v, 2);
  if (!m) return make_error(ErrorCode::kInvalidArgument, what + ": " + m.error().message);
  return *m;
}

}  // namespace

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
  for (const auto& [key, node] : root) {
    const std::string k(key.str());
    if (k != "backtest" && k != "lifecycle" && !strategy::is_strategy_name(k)) {
      std::string known = "[backtest], [lifecycle]";
      for (std::string_view n : strategy::strategy_names()) known += ", [" + std::string(n) + "]";
      return make_error(ErrorCode::kParse, where(source_name, node) + "unknown table or key '" + k +
                                               "' (known: " + known + ")");
    }
    if (!node.is_table()) {
      return make_error(ErrorCode::kParse, where(source_name, node) + "'" + k + "' must be a table ([" + k + "])");
    }
  }
  const toml::table* bt = root["backtest"].as_table();
  if (bt == nullptr) return make_error(ErrorCode::kParse, std::string(source_name) + ": missing the [backtest] table");
  KEEL_TRY_STATUS(unknown_keys(*bt, source_name, "backtest",
                               {"strategy", "start", "end", "capital", "warmup_days", "fill_model", "option_price",
                                "mid_fraction", "participation_cap", "slippage_bps", "impact_coefficient", "fees",
                                "account", "rate", "dividend_yield", "benchmark", "seed", "db", "cash_rate", "margin_rate",
                                "cap_options_at_displayed_size"}));
  const Reader r{*bt, source_name, "backtest", static_cast<int>(bt->source().begin.line)};

  KEEL_TRY(strategy_name, r.string("strategy"));
  if (!strategy_name) return r.missing("strategy");
  if (!strategy::is_strategy_name(*strategy_name)) {
    // The registry's message lists the known names.
    return strategy::make_strategy_factory(*strategy_name, root, source_name, cfg.engine.account,
                                           where(source_name, *bt->get("strategy")))
        .error();
  }
  cfg.strategy = *strategy_name;
  KEEL_TRY(start, r.date("start"));
  if (!start) return r.missing("start");
  KEEL_TRY(end, r.date("end"));
  if (!end) return r.missing("end");
  if (*start > *end) {
    return make_error(ErrorCode::kInvalidArgument, where(source_name, *bt->get("end")) + "backtest.end " +
                                                       end->to_string() + " is before start " + start->to_string());
  }
  cfg.start = *start;
  cfg.end = *end;
  cfg.engine.start = *start;
  KEEL_TRY(capital, r.number("capital", 0.0, 1e10, true));
  if (!capital) return r.missing("capital");
  KEEL_TRY(cap_money, money_from(*capital, "backtest.capital"));
  cfg.engine.capital = cap_money;
  KEEL_TRY(warmup, r.integer("warmup_days", 0, 3660));
  if (warmup) cfg.warmup_days = static_cast<int>(*warmup);

  execution::ExecutionConfig& ex = cfg.engine.execution;
  KEEL_TRY(fill, r.string("fill_model"));
  if (fill) {
    auto m = execution::parse_fill_model(*fill);
    if (!m) return make_error(ErrorCode::kInvalidArgument, where(source_name, *bt->get("fill_model")) + m.error().message);
    ex.fill_model = *m;
  }
  KEEL_TRY(oprice, r.string("option_price"));
  if (oprice) {
    auto m = execution::parse_option_price_model(*oprice);
    if (!m) {
      return make_error(ErrorCode::kInvalidArgument, where(source_name, *bt->get("option_price")) + m.error().message);
    }
    ex.option_price = *m;
  }
  KEEL_TRY(midf, r.number("mid_fraction", 0.0, 1.0));
  if (midf) ex.mid_fraction = *midf;
  KEEL_TRY(pcap, r.number("participation_cap", 0.0, 1.0, true));
  if (pcap) ex.participation_cap = *pcap;
  KEEL_TRY(slip, r.number("slippage_bps", 0.0, 1000.0));
  if (slip) ex.slippage_bps = *slip;
  KEEL_TRY(impact, r.number("impact_coefficient", 0.0, 100.0));
  if (impact) ex.impact_coefficient = *impact;
  KEEL_TRY(capsize, r.boolean("cap_options_at_displayed_size"));
  if (capsize) ex.cap_options_at_displayed_size = *capsize;
  KEEL_TRY(fees, r.string("fees"));
  if (fees) cfg.fee_preset = *fees;
  {
    auto schedule = execution::fee_preset(cfg.fee_preset);
    if (!schedule) {
      const toml::node* n = bt->get("fees");
      return make_error(ErrorCode::kInvalidArgument,
                        (n != nullptr ? where(source_name, *n) : std::string(source_name) + ": ") + schedule.error().message);
    }
    ex.fees = *schedule;
  }
  KEEL_TRY(account, r.string("account"));
  if (account) {
    auto a = portfolio::parse_account_type(*account);
    if (!a) return make_error(ErrorCode::kInvalidArgument, where(source_name, *bt->get("account")) + a.error().message);
    cfg.engine.account = *a;
  }
  KEEL_TRY(rate, r.number("rate", -0.1, 0.5));
  if (rate) cfg.engine.rate = *rate;
  // Interest on cash: by default the risk-free rate less 0.5% on credit balances and plus 1.5%
  // on debit balances (an IBKR-like benchmark spread), never below 0. 0 turns either off.
  cfg.engine.cash_rate = std::max(0.0, cfg.engine.rate - 0.005);
  cfg.engine.margin_rate = std::max(0.0, cfg.engine.rate + 0.015);
  KEEL_TRY(cash_rate, r.number("cash_rate", 0.0, 0.5));
  if (cash_rate) cfg.engine.cash_rate = *cash_rate;
  KEEL_TRY(margin_rate, r.number("margin_rate", 0.0, 0.5));
  if (margin_rate) cfg.engine.margin_rate = *margin_rate;
  KEEL_TRY(q, r.number("dividend_yield", -0.1, 0.5));
  if (q) cfg.engine.dividend_yield = *q;
  KEEL_TRY(bench, r.string("benchmark"));
  if (bench) cfg.benchmark = *bench;
  KEEL_TRY(seed, r.integer("seed", 0, INT64_MAX));
  if (seed) cfg.seed = static_cast<std::uint64_t>(*seed);
  KEEL_TRY(db, r.string("db"));
  if (db) cfg.db = *db;

  if (const toml::table* lc = root["lifecycle"].as_table()) {
    KEEL_TRY_STATUS(unknown_keys(*lc, source_name, "lifecycle",
                                 {"auto_exercise", "exercise_threshold", "early_assignment_dividend",
                                  "early_assignment_deep_itm_put", "pin_band"}));
    const Reader l{*lc, source_name, "lifecycle", static_cast<int>(lc->source().begin.line)};
    engine::LifecycleConfig& c = cfg.engine.lifecycle;
    KEEL_TRY(ae, l.boolean("auto_exercise"));
    if (ae) c.auto_exercise = *ae;
    KEEL_TRY(th, l.number("exercise_threshold", 0.0, 100.0));
    if (th) {
      auto p = Price::from_double(*th, 2);
      if (!p) return make_error(ErrorCode::kInvalidArgument, "lifecycle.exercise_threshold: " + p.error().message);
      c.exercise_threshold = *p;
    }
    KEEL_TRY(ed, l.boolean("early_assignment_dividend"));
    if (ed) c.early_assignment_dividend = *ed;
    KEEL_TRY(ep, l.boolean("early_assignment_deep_itm_put"));
    if (ep) c.early_assignment_deep_itm_put = *ep;
    KEEL_TRY(pb, l.number("pin_band", 0.0, 0.5));
    if (pb) c.pin_band = *pb;
  }

  // A table of another strategy is not silently ignored.
  for (const auto& [key, node] : root) {
    if (strategy::is_strategy_name(key.str()) && key.str() != cfg.strategy) {
      return make_error(ErrorCode::kParse, where(source_name, node) + "[" + std::string(key.str()) +
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
