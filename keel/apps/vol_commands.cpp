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
#include "keel/apps/series_input.hpp"
#include "keel/apps/terminal.hpp"

namespace keel::apps {
namespace {

using nlohmann::json;

struct VolArgs {
  SeriesSource source;
  std::size_t window = 21;
  std::string model = "garch";
  std::string dist = "normal";
  bool json_out = false;
};

int run_vol(const VolArgs& a) {
  auto series = load_series(a.source);
  if (!series) return user_error(series.error().message);
  const PriceSeries& s = *series;
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
  add_series_options(vol, st->source);
  vol->add_option("--window", st->window, "Rolling window in days (default 21)");
  vol->add_option("--model", st->model, "garch (default) or gjr");
  vol->add_option("--dist", st->dist, "GARCH innovations: normal (default) or t");
  vol->add_flag("--json", st->json_out, "Print JSON");
  vol->callback([&exit_code, st] { exit_code = run_vol(*st); });
}

}  // namespace keel::apps
