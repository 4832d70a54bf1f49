#include "keel/analytics/cointegration.hpp"

#include <cmath>

#include "keel/analytics/regression.hpp"

namespace keel::analytics {
namespace {

Error invalid(std::string message) { return make_error(ErrorCode::kInvalidArgument, std::move(message)); }

}  // namespace

Result<HalfLife> spread_half_life(std::span<const double> spread, const std::string& name) {
  if (spread.size() < 3) return invalid(name + ": " + std::to_string(spread.size()) + " values, need at least 3 for a half-life");
  std::vector<double> ds, lag;
  for (std::size_t t = 1; t < spread.size(); ++t) {
    ds.push_back(spread[t] - spread[t - 1]);
    lag.push_back(spread[t - 1]);
  }
  OlsOptions o;
  o.robust = false;
  o.response_name = "diff(" + name + ")";
  o.names = {"lag(" + name + ")"};
  const std::vector<std::vector<double>> x{lag};
  auto fit = fit_ols(ds, x, o);
  if (!fit) return fit.error().with_context(name + ": half-life regression");
  HalfLife h;
  h.phi = 1.0 + fit->coefficients[1];
  if (h.phi > 0.0 && h.phi < 1.0) h.half_life = -std::log(2.0) / std::log(h.phi);
  return h;
}

Result<EngleGrangerResult> engle_granger(std::span<const double> y, std::span<const std::vector<double>> x,
                                         const EngleGrangerOptions& options) {
  if (x.empty() || x.size() > 5) {
    return invalid("Engle-Granger: " + std::to_string(x.size()) +
                   " regressors; MacKinnon's tables cover 1..5 (N = 2..6 variables)");
  }
  OlsOptions o;
  o.intercept = true;
  o.robust = false;
  o.names = options.x_names;
  o.response_name = options.y_name;
  for (std::size_t j = 0; j < x.size(); ++j) {
    if (x[j].size() != y.size()) {
      const std::string xn = j < options.x_names.size() ? options.x_names[j] : "x" + std::to_string(j + 1);
      return invalid("Engle-Granger: series '" + options.y_name + "' has " + std::to_string(y.size()) +
                     " values but '" + xn + "' has " + std::to_string(x[j].size()) + ": align them first");
    }
  }
  KEEL_TRY(fit, fit_ols(y, x, o));
  EngleGrangerResult r;
  r.intercept = fit.coefficients[0];
  r.hedge_ratios.assign(fit.coefficients.begin() + 1, fit.coefficients.end());
  r.hedge_ratio_std_errors.assign(fit.std_errors.begin() + 1, fit.std_errors.end());
  r.r_squared = fit.r_squared;
  r.spread = fit.residuals;
  r.num_series = static_cast<int>(x.size()) + 1;

  AdfOptions ao;
  ao.regression = AdfRegression::kNone;
  ao.lag_selection = options.lag_selection;
  ao.lags = options.lags;
  ao.max_lags = options.max_lags;
  ao.series_name = "spread of " + options.y_name;
  KEEL_TRY(adf, adf_statistic(r.spread, ao));
  r.statistic = adf.statistic;
  r.lags = adf.lags;
  r.num_observations = adf.num_observations;
  KEEL_TRY(p, mackinnon_p_value(adf.statistic, AdfRegression::kConstant, r.num_series));
  KEEL_TRY(cv, mackinnon_critical_values(AdfRegression::kConstant, r.num_series, adf.num_observations));
  r.p_value = p;
  r.critical_values = cv;
  KEEL_TRY(hl, spread_half_life(r.spread, ao.series_name));
  r.half_life = hl;
  return r;
}

Result<EngleGrangerResult> engle_granger(std::span<const double> y, std::span<const double> x,
                                         const EngleGrangerOptions& options) {
  const std::vector<std::vector<double>> cols{std::vector<double>(x.begin(), x.end())};
  return engle_granger(y, cols, options);
}

}  // namespace keel::analytics
