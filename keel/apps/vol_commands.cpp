#include "keel/apps/vol_commands.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "keel/analytics/garch.hpp"
#include "keel/analytics/realized_vol.hpp"
#include "keel/apps/terminal.hpp"
#include "keel/data/csv_reader.hpp"
#include "keel/data/sqlite_store.hpp"

namespace keel::apps {
namespace {

using nlohmann::json;

struct VolArgs {
  std::string db;
  std::string symbol, from, to;
  std::string in, close_col = "close", open_col, high_col, low_col;
  std::size_t window = 21;
  std::string model = "garch";
  std::string dist = "normal";
  bool json_out = false;
};

struct Series {
  std::string name;
  std::vector<double> open, high, low, close;  // open/high/low empty when only closes are known
};

Result<Series> series_from_store(const VolArgs& a) {
  KEEL_TRY(store, data::SqliteStore::open(a.db));
  KEEL_TRY(inst, store->find_instrument(a.symbol));
  if (!inst) return make_error(ErrorCode::kNotFound, "no instrument '" + a.symbol + "' in " + a.db);
  Timestamp from = Timestamp::min(), to = Timestamp::max();
  if (!a.from.empty()) {
    KEEL_TRY(d, Date::parse(a.from));
    from = Timestamp::from_date(d);
  }
  if (!a.to.empty()) {
    KEEL_TRY(d, Date::parse(a.to));
    to = Timestamp::from_date(d);
  }
  KEEL_TRY(bars, store->load_bars(inst->id, kOneDay, from, to));
  Series s;
  s.name = a.symbol;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const double k = static_cast<double>(kFixedScale);
    s.open.push_back(static_cast<double>(bars.open[i]) / k);
    s.high.push_back(static_cast<double>(bars.high[i]) / k);
    s.low.push_back(static_cast<double>(bars.low[i]) / k);
    s.close.push_back(static_cast<double>(bars.close[i]) / k);
  }
  // Prices across a split are on two scales; returns through it would be a fake -50% day.
  KEEL_TRY(actions, store->corporate_actions(inst->id));
  for (const auto& act : actions) {
    if (act.kind == CorporateActionKind::kSplit && Timestamp::from_date(act.ex_date) > from &&
        Timestamp::from_date(act.ex_date) <= to) {
      return make_error(ErrorCode::kUnsupported, a.symbol + " splits on " + act.ex_date.to_string() +
                                                     " inside the range: pass --from/--to on one side of it");
    }
  }
  return s;
}

Result<Series> series_from_csv(const VolArgs& a) {
  KEEL_TRY(reader, data::CsvReader::open(a.in));
  data::CsvRecord rec;
  KEEL_TRY(has, reader.next(rec));
  if (!has) return make_error(ErrorCode::kInvalidArgument, a.in + ": empty file (expected a header row)");
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < rec.size(); ++i) col[std::string(rec[i])] = i;
  auto index = [&](const std::string& name) -> Result<std::size_t> {
    if (!col.count(name)) return make_error(ErrorCode::kInvalidArgument, a.in + ": no column '" + name + "'");
    return col.at(name);
  };
  KEEL_TRY(ci, index(a.close_col));
  const bool ohlc = !a.open_col.empty() || !a.high_col.empty() || !a.low_col.empty();
  std::size_t oi = 0, hi = 0, li = 0;
  if (ohlc) {
    KEEL_TRY(o, index(a.open_col));
    KEEL_TRY(h, index(a.high_col));
    KEEL_TRY(l, index(a.low_col));
    oi = o, hi = h, li = l;
  }
  Series s;
  s.name = a.close_col;
  for (;;) {
    KEEL_TRY(more, reader.next(rec));
    if (!more) break;
    const std::string where = a.in + ":" + std::to_string(rec.line);
    auto num = [&](std::size_t i, const std::string& what) -> Result<double> {
      auto p = Price::parse(rec[i]);
      if (!p) return p.error().with_context(where + ": " + what);
      return p->to_double();
    };
    KEEL_TRY(c, num(ci, a.close_col));
    s.close.push_back(c);
    if (ohlc) {
      KEEL_TRY(o, num(oi, a.open_col));
      KEEL_TRY(h, num(hi, a.high_col));
      KEEL_TRY(l, num(li, a.low_col));
      s.open.push_back(o);
      s.high.push_back(h);
      s.low.push_back(l);
    }
  }
  return s;
}

int run_vol(const VolArgs& a) {
  if (a.in.empty() == a.symbol.empty()) return user_error("give either --symbol (with --db) or --in FILE");
  auto series = a.in.empty() ? series_from_store(a) : series_from_csv(a);
  if (!series) return user_error(series.error().message);
  const Series& s = *series;
  if (s.close.size() < 3) return user_error(s.name + ": " + std::to_string(s.close.size()) + " prices, too few");
  json out;
  out["series"] = s.name;
  out["observations"] = s.close.size();
  std::vector<std::vector<std::string>> rows{{"ESTIMATOR", "WHOLE SAMPLE", "LAST " + std::to_string(a.window) + "D"}};
  auto pct = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", 100 * v);
    return std::string(buf);
  };
  const bool ohlc = !s.high.empty();
  const analytics::OhlcSpan bars{s.open, s.high, s.low, s.close};
  // Close-only input: the range estimators need high/low and are left out, not faked.
  std::vector<analytics::VolEstimator> estimators{analytics::VolEstimator::kCloseToClose};
  if (ohlc) {
    estimators.insert(estimators.end(), {analytics::VolEstimator::kParkinson, analytics::VolEstimator::kGarmanKlass,
                                         analytics::VolEstimator::kRogersSatchell, analytics::VolEstimator::kYangZhang});
  }
  const analytics::OhlcSpan close_only{s.close, s.close, s.close, s.close};
  for (auto e : estimators) {
    const analytics::OhlcSpan& input = ohlc ? bars : close_only;
    auto whole = analytics::realized_vol(e, input);
    if (!whole) return user_error(whole.error().message);
    auto rolling = analytics::rolling_realized_vol(e, input, a.window);
    if (!rolling) return user_error(rolling.error().message);
    const bool has_last = !rolling->empty() && rolling->back().has_value();
    const double last = has_last ? rolling->back().value() : 0.0;
    out["realized"][std::string(analytics::to_string(e))] = {{"whole_sample", *whole},
                                                             {"last_window", has_last ? json(last) : json(nullptr)}};
    rows.push_back({std::string(analytics::to_string(e)), pct(*whole), has_last ? pct(last) : "-"});
  }
  auto ewma = analytics::ewma_vol(s.close, a.window);
  if (!ewma) return user_error(ewma.error().message);
  out["realized"]["ewma_0.94"] = {{"last", *ewma}};
  rows.push_back({"ewma (lambda 0.94)", "-", pct(*ewma)});

  std::vector<double> returns;
  for (std::size_t i = 1; i < s.close.size(); ++i) returns.push_back(std::log(s.close[i] / s.close[i - 1]));
  analytics::GarchOptions opt;
  opt.series_name = s.name + " log returns";
  if (a.model == "gjr") opt.model = analytics::GarchModel::kGjr;
  else if (a.model != "garch") return user_error("--model '" + a.model + "': expected garch or gjr");
  if (a.dist == "t") opt.innovations = analytics::Innovations::kStudentT;
  else if (a.dist != "normal") return user_error("--dist '" + a.dist + "': expected normal or t");
  auto fit = analytics::fit_garch(returns, opt);
  if (!fit) return user_error(fit.error().message);
  // Near a unit root the unconditional variance omega / (1 - persistence) is meaningless.
  constexpr double kMaxStationaryPersistence = 0.999;
  analytics::GarchParams params;
  for (const auto& e : fit->estimates) {
    if (e.name == "omega") params.omega = e.value;
    if (e.name == "alpha") params.alpha = e.value;
    if (e.name == "beta") params.beta = e.value;
    if (e.name == "gamma") params.gamma = e.value;
    if (e.name == "nu") params.nu = e.value;
  }
  const std::vector<std::size_t> horizons{1, 5, 10, 21, 63, 126, 252};
  auto term = analytics::garch_vol_term_structure(params, fit->next_variance, horizons);
  if (!term) return user_error(term.error().message);

  json jest = json::array();
  for (const auto& e : fit->estimates) {
    jest.push_back({{"name", std::string(e.name)}, {"value", e.value},
                    {"std_error", e.std_error ? json(*e.std_error) : json(nullptr)},
                    {"robust_std_error", e.robust_std_error ? json(*e.robust_std_error) : json(nullptr)}});
  }
  out["garch"] = {{"model", a.model}, {"innovations", a.dist}, {"estimates", jest},
                  {"log_likelihood", fit->log_likelihood}, {"aic", fit->aic}, {"bic", fit->bic},
                  {"persistence", params.persistence()},
                  {"unconditional_vol", params.persistence() < kMaxStationaryPersistence
                                            ? json(std::sqrt(252 * params.unconditional_variance()))
                                            : json(nullptr)},
                  {"at_boundary", fit->at_boundary}};
  json jterm = json::array();
  for (std::size_t i = 0; i < horizons.size(); ++i) jterm.push_back({{"days", horizons[i]}, {"vol", (*term)[i]}});
  out["garch"]["forecast"] = jterm;
  if (a.json_out) {
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%s: %zu prices\n", s.name.c_str(), s.close.size());
  print_table(rows);
  std::printf("\n%s(1,1), %s innovations, %zu returns: log-likelihood %.3f, AIC %.3f, BIC %.3f%s\n",
              a.model == "gjr" ? "GJR-GARCH" : "GARCH", a.dist.c_str(), fit->num_observations, fit->log_likelihood,
              fit->aic, fit->bic, fit->at_boundary ? " (at a parameter bound)" : "");
  std::vector<std::vector<std::string>> prow{{"PARAM", "VALUE", "STD ERR", "ROBUST SE"}};
  auto g = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return std::string(buf);
  };
  for (const auto& e : fit->estimates) {
    prow.push_back({std::string(e.name), g(e.value), e.std_error ? g(*e.std_error) : "-",
                    e.robust_std_error ? g(*e.robust_std_error) : "-"});
  }
  print_table(prow);
  std::printf("persistence %.4f, unconditional vol %s\n", params.persistence(),
              params.persistence() < kMaxStationaryPersistence ? pct(std::sqrt(252 * params.unconditional_variance())).c_str()
                                                               : "undefined (persistence at the unit-root bound)");
  std::printf("forecast (annualized vol over the next h days):");
  for (std::size_t i = 0; i < horizons.size(); ++i) std::printf(" %zud %s", horizons[i], pct((*term)[i]).c_str());
  std::printf("\n");
  return 0;
}

}  // namespace

void register_vol_commands(CLI::App& app, int& exit_code) {
  auto st = std::make_shared<VolArgs>();
  CLI::App* vol = app.add_subcommand("vol", "Realized volatility and a GARCH fit for a daily series (store or CSV)");
  add_db_option(vol, st->db);
  vol->add_option("--symbol", st->symbol, "Instrument whose daily bars to use (from the store)");
  vol->add_option("--from", st->from, "First date");
  vol->add_option("--to", st->to, "Last date");
  vol->add_option("--in", st->in, "CSV instead of the store");
  vol->add_option("--close", st->close_col, "CSV close column (default close)");
  vol->add_option("--open", st->open_col, "CSV open column (with --high, --low: enables the range estimators)");
  vol->add_option("--high", st->high_col, "CSV high column");
  vol->add_option("--low", st->low_col, "CSV low column");
  vol->add_option("--window", st->window, "Rolling window in days (default 21)");
  vol->add_option("--model", st->model, "garch (default) or gjr");
  vol->add_option("--dist", st->dist, "GARCH innovations: normal (default) or t");
  vol->add_flag("--json", st->json_out, "Print JSON");
  vol->callback([&exit_code, st] { exit_code = run_vol(*st); });
}

}  // namespace keel::apps
