#include "keel/apps/stats_commands.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "keel/analytics/adf.hpp"
#include "keel/analytics/cointegration.hpp"
#include "keel/analytics/hmm.hpp"
#include "keel/analytics/realized_vol.hpp"
#include "keel/apps/series_input.hpp"
#include "keel/apps/terminal.hpp"

namespace keel::apps {
namespace {

using nlohmann::json;

int usage_error(const std::string& message) {
  std::fprintf(stderr, "keel: usage error: %s\n", message.c_str());
  return 2;
}

std::string g(double v, const char* f = "%.6g") {
  char buf[48];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// "auto" or a non-negative integer.
CLI::Validator lags_validator() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        if (s == "auto") return "";
        if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 6) {
          return "--lags '" + s + "': expected a non-negative integer or auto";
        }
        return "";
      },
      "N|auto");
}

struct LagArgs {
  std::string lags = "auto";
  std::string ic = "aic";
};

void add_lag_options(CLI::App* cmd, LagArgs& a) {
  cmd->add_option("--lags", a.lags, "Lagged differences: a number, or auto (default: chosen by --ic)")
      ->check(lags_validator());
  cmd->add_option("--ic", a.ic, "Information criterion for --lags auto: aic (default) or bic")
      ->check(CLI::IsMember({"aic", "bic"}));
}

void apply_lags(const LagArgs& a, analytics::LagSelection& sel, std::size_t& lags) {
  if (a.lags == "auto") {
    sel = a.ic == "bic" ? analytics::LagSelection::kBic : analytics::LagSelection::kAic;
  } else {
    sel = analytics::LagSelection::kFixed;
    lags = static_cast<std::size_t>(std::stoul(a.lags));
  }
}

Result<std::vector<double>> maybe_log(const std::vector<double>& v, bool log, const std::string& name) {
  if (!log) return v;
  std::vector<double> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!(v[i] > 0.0)) {
      return make_error(ErrorCode::kInvalidArgument,
                        name + ": price " + g(v[i]) + " at row " + std::to_string(i) + " is not positive: cannot take --log");
    }
    out.push_back(std::log(v[i]));
  }
  return out;
}

json crit_json(const std::array<double, 3>& cv) { return {{"1%", cv[0]}, {"5%", cv[1]}, {"10%", cv[2]}}; }

// ---------------------------------------------------------------------------------------- adf

struct AdfArgs {
  SeriesSource source;
  std::string column;
  std::string regression = "c";
  LagArgs lag;
  bool log = false;
  bool json_out = false;
};

int run_adf(AdfArgs a) {
  if (!a.column.empty()) a.source.close_col = a.column;
  if (auto st = check_series_source(a.source); !st) return usage_error(st.error().message);
  auto series = load_series(a.source);
  if (!series) return user_error(series.error().message);
  auto values = maybe_log(series->close, a.log, series->name);
  if (!values) return user_error(values.error().message);
  analytics::AdfOptions o;
  o.regression = a.regression == "n"    ? analytics::AdfRegression::kNone
                 : a.regression == "ct" ? analytics::AdfRegression::kConstantTrend
                                        : analytics::AdfRegression::kConstant;
  apply_lags(a.lag, o.lag_selection, o.lags);
  o.series_name = series->name;
  auto r = analytics::adf_test(*values, o);
  if (!r) return user_error(r.error().message);
  const bool reject = r->statistic < r->critical_values[1];
  if (a.json_out) {
    json out = {{"test", "adf"},
                {"series", series->name},
                {"transform", a.log ? "log" : "level"},
                {"regression", std::string(analytics::to_string(r->regression))},
                {"statistic", r->statistic},
                {"p_value", r->p_value},
                {"critical_values", crit_json(r->critical_values)},
                {"lags", r->lags},
                {"lag_selection", std::string(analytics::to_string(r->lag_selection))},
                {"max_lags", r->max_lags},
                {"observations", r->num_observations},
                {"gamma", r->gamma},
                {"reject_unit_root_5pct", reject}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("ADF test on %s%s (%zu values), regression '%s', %zu lags (%s), %zu observations\n",
              a.log ? "log " : "", series->name.c_str(), values->size(), std::string(analytics::to_string(r->regression)).c_str(),
              r->lags, std::string(analytics::to_string(r->lag_selection)).c_str(), r->num_observations);
  print_table({{"STATISTIC", "P-VALUE", "1%", "5%", "10%"},
               {g(r->statistic, "%.4f"), g(r->p_value, "%.4f"), g(r->critical_values[0], "%.3f"),
                g(r->critical_values[1], "%.3f"), g(r->critical_values[2], "%.3f")}});
  std::printf("%s\n", reject ? "unit root rejected at 5%" : "unit root not rejected at 5%");
  return 0;
}

// -------------------------------------------------------------------------------------- coint

struct CointArgs {
  SeriesSource source;
  std::string symbol2;
  std::string y_col, x_col;
  LagArgs lag;
  bool log = false;
  bool json_out = false;
};

struct AlignedPair {
  std::string y_name, x_name;
  std::vector<std::string> keys;
  std::vector<double> y, x;
};

// Joins two series on their keys; a key in one but not the other is an error naming it.
Result<AlignedPair> join(const PriceSeries& y, const PriceSeries& x) {
  std::map<std::string, std::size_t> xi;
  for (std::size_t i = 0; i < x.keys.size(); ++i) xi.emplace(x.keys[i], i);
  AlignedPair p{y.name, x.name, {}, {}, {}};
  std::map<std::string, bool> in_y;
  for (std::size_t i = 0; i < y.keys.size(); ++i) {
    in_y.emplace(y.keys[i], true);
    auto it = xi.find(y.keys[i]);
    if (it == xi.end()) {
      return make_error(ErrorCode::kInvalidArgument, "misaligned pair: " + y.keys[i] + " is in " + y.name +
                                                         " but not in " + x.name + " (no row is dropped silently)");
    }
    p.keys.push_back(y.keys[i]);
    p.y.push_back(y.close[i]);
    p.x.push_back(x.close[it->second]);
  }
  for (const auto& k : x.keys) {
    if (!in_y.count(k)) {
      return make_error(ErrorCode::kInvalidArgument, "misaligned pair: " + k + " is in " + x.name + " but not in " +
                                                         y.name + " (no row is dropped silently)");
    }
  }
  return p;
}

int run_coint(CointArgs a) {
  const bool csv = !a.source.in.empty();
  const bool store = !a.source.symbol.empty();
  if (csv == store) return usage_error("give either --symbol A --symbol2 B (with --db) or --in FILE --y A --x B");
  if (store && a.symbol2.empty()) return usage_error("coint from the store needs --symbol2");
  if (csv && (a.y_col.empty() || a.x_col.empty())) return usage_error("coint from a CSV needs --y and --x columns");
  SeriesSource sy = a.source, sx = a.source;
  if (csv) {
    sy.close_col = a.y_col;
    sx.close_col = a.x_col;
  } else {
    sx.symbol = a.symbol2;
  }
  auto ys = load_series(sy);
  if (!ys) return user_error(ys.error().message);
  auto xs = load_series(sx);
  if (!xs) return user_error(xs.error().message);
  auto pair = join(*ys, *xs);
  if (!pair) return user_error(pair.error().message);
  auto y = maybe_log(pair->y, a.log, pair->y_name);
  if (!y) return user_error(y.error().message);
  auto x = maybe_log(pair->x, a.log, pair->x_name);
  if (!x) return user_error(x.error().message);
  analytics::EngleGrangerOptions o;
  apply_lags(a.lag, o.lag_selection, o.lags);
  o.y_name = pair->y_name;
  o.x_names = {pair->x_name};
  auto r = analytics::engle_granger(*y, *x, o);
  if (!r) return user_error(r.error().message);
  const bool reject = r->statistic < r->critical_values[1];
  const auto& hl = r->half_life;
  if (a.json_out) {
    json out = {{"test", "engle-granger"},
                {"y", pair->y_name},
                {"x", pair->x_name},
                {"transform", a.log ? "log" : "level"},
                {"observations", pair->y.size()},
                {"hedge_ratio", r->hedge_ratios[0]},
                {"intercept", r->intercept},
                {"r_squared", r->r_squared},
                {"statistic", r->statistic},
                {"p_value", r->p_value},
                {"critical_values", crit_json(r->critical_values)},
                {"lags", r->lags},
                {"adf_observations", r->num_observations},
                {"spread_ar1", hl.phi},
                {"half_life", hl.half_life ? json(*hl.half_life) : json(nullptr)},
                {"last_spread", r->spread.back()},
                {"reject_no_cointegration_5pct", reject}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("Engle-Granger: %s%s on %s%s, %zu aligned rows\n", a.log ? "log " : "", pair->y_name.c_str(),
              a.log ? "log " : "", pair->x_name.c_str(), pair->y.size());
  std::printf("hedge ratio %s, intercept %s, R^2 %s\n", g(r->hedge_ratios[0]).c_str(), g(r->intercept).c_str(),
              g(r->r_squared, "%.4f").c_str());
  print_table({{"STATISTIC", "P-VALUE", "1%", "5%", "10%", "LAGS"},
               {g(r->statistic, "%.4f"), g(r->p_value, "%.4f"), g(r->critical_values[0], "%.3f"),
                g(r->critical_values[1], "%.3f"), g(r->critical_values[2], "%.3f"), std::to_string(r->lags)}});
  std::printf("spread AR(1) %s, half-life %s\n", g(hl.phi, "%.4f").c_str(),
              hl.half_life ? (g(*hl.half_life, "%.1f") + " days").c_str() : "none (no mean reversion)");
  std::printf("%s\n", reject ? "no-cointegration rejected at 5%" : "no-cointegration not rejected at 5%");
  return 0;
}

// ---------------------------------------------------------------------------------------- hmm

struct HmmArgs {
  SeriesSource source;
  std::string column;
  std::size_t states = 2;
  std::size_t restarts = 10;
  std::uint64_t seed = 1;
  std::size_t vol_window = 0;
  std::string covariance = "diag";
  bool json_out = false;
};

int run_hmm(HmmArgs a) {
  if (!a.column.empty()) a.source.close_col = a.column;
  if (auto st = check_series_source(a.source); !st) return usage_error(st.error().message);
  auto series = load_series(a.source);
  if (!series) return user_error(series.error().message);
  const auto& c = series->close;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (!(c[i] > 0.0)) return user_error(series->name + ": price " + g(c[i]) + " at row " + std::to_string(i) + " is not positive");
  }
  if (c.size() < 3) return user_error(series->name + ": " + std::to_string(c.size()) + " prices, too few");
  // Row i is the return into bar i + 1; the optional volatility uses returns up to that bar only.
  std::vector<std::vector<double>> rows;
  std::vector<std::string> keys;
  analytics::VolSeries vol;
  if (a.vol_window > 0) {
    const analytics::OhlcSpan close_only{c, c, c, c};
    auto v = analytics::rolling_realized_vol(analytics::VolEstimator::kCloseToClose, close_only, a.vol_window, 1.0);
    if (!v) return user_error(v.error().message);
    vol = std::move(*v);
  }
  for (std::size_t i = 1; i < c.size(); ++i) {
    const double r = std::log(c[i] / c[i - 1]);
    if (a.vol_window > 0) {
      if (!vol[i]) continue;
      rows.push_back({r, *vol[i]});
    } else {
      rows.push_back({r});
    }
    keys.push_back(series->keys[i]);
  }
  analytics::HmmOptions o;
  o.states = a.states;
  o.restarts = a.restarts;
  o.seed = a.seed;
  o.covariance = a.covariance == "full" ? analytics::HmmCovariance::kFull : analytics::HmmCovariance::kDiagonal;
  auto fit = analytics::fit_hmm(std::span<const std::vector<double>>(rows), o);
  if (!fit) return user_error(series->name + ": " + fit.error().message);
  const auto& m = fit->model;
  auto filtered = analytics::hmm_filtered_probabilities(m, rows);
  if (!filtered) return user_error(filtered.error().message);
  auto path = analytics::hmm_viterbi(m, rows);
  if (!path) return user_error(path.error().message);
  auto next = analytics::hmm_predict_next(m, filtered->back());
  if (!next) return user_error(next.error().message);
  const std::size_t K = m.states;
  std::vector<std::size_t> occupancy(K, 0);
  for (auto s : *path) ++occupancy[s];
  const std::vector<std::string> features =
      a.vol_window > 0 ? std::vector<std::string>{"log_return", "rolling_vol_" + std::to_string(a.vol_window)}
                       : std::vector<std::string>{"log_return"};
  if (a.json_out) {
    json states = json::array();
    for (std::size_t k = 0; k < K; ++k) {
      const double stay = m.transition_at(k, k);
      states.push_back({{"mean", m.means[k]},
                        {"covariance", m.covariances[k]},
                        {"return_vol", std::sqrt(m.covariances[k][0])},
                        {"annualized_vol", std::sqrt(252.0 * m.covariances[k][0])},
                        {"expected_duration", stay < 1.0 ? json(1.0 / (1.0 - stay)) : json(nullptr)},
                        {"viterbi_share", static_cast<double>(occupancy[k]) / static_cast<double>(rows.size())}});
    }
    json trans = json::array();
    for (std::size_t i = 0; i < K; ++i) {
      std::vector<double> row(m.transition.begin() + static_cast<std::ptrdiff_t>(i * K),
                              m.transition.begin() + static_cast<std::ptrdiff_t>((i + 1) * K));
      trans.push_back(row);
    }
    json out = {{"model", "gaussian-hmm"},
                {"series", series->name},
                {"features", features},
                {"covariance", std::string(analytics::to_string(m.covariance))},
                {"observations", rows.size()},
                {"states", K},
                {"seed", a.seed},
                {"restarts", a.restarts},
                {"best_restart", fit->best_restart},
                {"converged", fit->converged},
                {"iterations", fit->iterations},
                {"variance_floored", fit->variance_floored},
                {"log_likelihood", fit->log_likelihood},
                {"aic", fit->aic},
                {"bic", fit->bic},
                {"parameters", fit->num_parameters},
                {"state", states},
                {"transition", trans},
                {"last_date", keys.back()},
                {"filtered_last", filtered->back()},
                {"next_state_probabilities", *next},
                {"viterbi_last", path->back()}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("Gaussian HMM on %s: %zu states, %zu observations (%s), %s covariance\n", series->name.c_str(), K,
              rows.size(), a.vol_window > 0 ? "log return, rolling vol" : "log return",
              std::string(analytics::to_string(m.covariance)).c_str());
  std::printf("log-likelihood %.3f, AIC %.3f, BIC %.3f, best of %zu restarts (seed %llu)%s%s\n", fit->log_likelihood,
              fit->aic, fit->bic, a.restarts, static_cast<unsigned long long>(a.seed),
              fit->converged ? "" : ", NOT converged", fit->variance_floored ? ", variance floor active" : "");
  std::vector<std::vector<std::string>> table{{"STATE", "MEAN RET", "VOL (ANN.)", "STAY PROB", "DURATION", "SHARE",
                                               "P(NOW)", "P(NEXT)"}};
  for (std::size_t k = 0; k < K; ++k) {
    const double stay = m.transition_at(k, k);
    table.push_back({std::to_string(k), g(m.means[k][0], "%.5f"), g(100 * std::sqrt(252.0 * m.covariances[k][0]), "%.1f%%"),
                     g(stay, "%.3f"), stay < 1.0 ? g(1.0 / (1.0 - stay), "%.1f") + "d" : "inf",
                     g(100.0 * static_cast<double>(occupancy[k]) / static_cast<double>(rows.size()), "%.1f%%"),
                     g(filtered->back()[k], "%.3f"), g((*next)[k], "%.3f")});
  }
  print_table(table);
  std::printf("P(NOW) is filtered (data up to %s only); states ordered by mean return\n", keys.back().c_str());
  return 0;
}

}  // namespace

void register_stats_commands(CLI::App& app, int& exit_code) {
  CLI::App* stats = app.add_subcommand("stats", "Time-series statistics: unit roots, cointegration, regimes");
  stats->require_subcommand(1);

  auto adf = std::make_shared<AdfArgs>();
  CLI::App* adf_cmd = stats->add_subcommand("adf", "Augmented Dickey-Fuller unit-root test on closes");
  add_series_options(adf_cmd, adf->source);
  adf_cmd->add_option("--column", adf->column, "CSV column to test (same as --close)");
  adf_cmd->add_option("--regression", adf->regression, "Deterministic terms: c (default), ct or n")
      ->check(CLI::IsMember({"c", "ct", "n"}));
  add_lag_options(adf_cmd, adf->lag);
  adf_cmd->add_flag("--log", adf->log, "Test log prices instead of price levels");
  adf_cmd->add_flag("--json", adf->json_out, "Print JSON");
  adf_cmd->callback([&exit_code, adf] { exit_code = run_adf(*adf); });

  auto co = std::make_shared<CointArgs>();
  CLI::App* co_cmd = stats->add_subcommand("coint", "Engle-Granger cointegration test of y on x, hedge ratio, half-life");
  add_series_options(co_cmd, co->source);
  co_cmd->add_option("--symbol2", co->symbol2, "Second instrument (x) from the store; --symbol is y");
  co_cmd->add_option("--y", co->y_col, "CSV column of y (dependent)");
  co_cmd->add_option("--x", co->x_col, "CSV column of x (regressor)");
  add_lag_options(co_cmd, co->lag);
  co_cmd->add_flag("--log", co->log, "Use log prices");
  co_cmd->add_flag("--json", co->json_out, "Print JSON");
  co_cmd->callback([&exit_code, co] { exit_code = run_coint(*co); });

  auto hmm = std::make_shared<HmmArgs>();
  CLI::App* hmm_cmd = stats->add_subcommand("hmm", "Gaussian hidden Markov regimes of daily log returns");
  add_series_options(hmm_cmd, hmm->source);
  hmm_cmd->add_option("--column", hmm->column, "CSV price column (same as --close)");
  hmm_cmd->add_option("--states", hmm->states, "Number of regimes, 2..5 (default 2)")->check(CLI::Range(2, 5));
  hmm_cmd->add_option("--restarts", hmm->restarts, "EM restarts (default 10)")->check(CLI::Range(1, 1000));
  hmm_cmd->add_option("--seed", hmm->seed, "Seed of the restarts' random starts (default 1)");
  hmm_cmd->add_option("--vol-window", hmm->vol_window, "Add the rolling W-day return volatility as a second feature")
      ->check(CLI::Range(2, 10000));
  hmm_cmd->add_option("--covariance", hmm->covariance, "diag (default) or full (with --vol-window)")
      ->check(CLI::IsMember({"diag", "full"}));
  hmm_cmd->add_flag("--json", hmm->json_out, "Print JSON");
  hmm_cmd->callback([&exit_code, hmm] { exit_code = run_hmm(*hmm); });
}

}  // namespace keel::apps
