#include "keel/analytics/adf.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "keel/analytics/normal.hpp"
#include "keel/analytics/regression.hpp"

namespace keel::analytics {
namespace {

Error invalid(std::string message) { return make_error(ErrorCode::kInvalidArgument, std::move(message)); }

constexpr double kInf = std::numeric_limits<double>::infinity();

// MacKinnon (1994), Table 3, τ statistics, N = 1..6 (rows). Cut-offs and polynomial
// coefficients γ0 + γ1 τ + γ2 τ² (small p) and γ0 + γ1 τ + γ2 τ² + γ3 τ³ (large p); the
// published scalings (γ2·10⁻² small; γ1, γ2·10⁻¹, γ3·10⁻² large) are applied here.
struct PTable {
  double tau_star[6], tau_min[6], tau_max[6];
  double small[6][3];
  double large[6][4];
};

constexpr PTable kPNone = {
    {-1.04, -1.53, -2.68, -3.09, -3.07, -3.77},
    {-19.04, -19.62, -21.21, -23.25, -21.63, -25.74},
    {kInf, 1.51, 0.86, 0.88, 1.05, 1.24},
    {{0.6344, 1.2378, 3.2496e-2},
     {1.9129, 1.3857, 3.5322e-2},
     {2.7648, 1.4502, 3.4186e-2},
     {3.4336, 1.4835, 3.19e-2},
     {4.0999, 1.5533, 3.59e-2},
     {4.5388, 1.5344, 2.9807e-2}},
    {{0.4797, 9.3557e-1, -0.6999e-1, 3.3066e-2},
     {1.5578, 8.558e-1, -2.083e-1, -3.3549e-2},
     {2.2268, 6.8093e-1, -3.2362e-1, -5.4448e-2},
     {2.7654, 6.4502e-1, -3.0811e-1, -4.4946e-2},
     {3.2684, 6.8051e-1, -2.6778e-1, -3.4972e-2},
     {3.7268, 7.167e-1, -2.3648e-1, -2.8288e-2}}};

constexpr PTable kPConstant = {
    {-1.61, -2.62, -3.13, -3.47, -3.78, -3.93},
    {-18.83, -18.86, -23.48, -28.07, -25.96, -23.27},
    {2.74, 0.92, 0.55, 0.61, 0.79, 1.0},
    {{2.1659, 1.4412, 3.8269e-2},
     {2.92, 1.5012, 3.9796e-2},
     {3.4699, 1.4856, 3.164e-2},
     {3.9673, 1.4777, 2.6315e-2},
     {4.5509, 1.5338, 2.9545e-2},
     {5.1399, 1.6036, 3.4445e-2}},
    {{1.7339, 9.3202e-1, -1.2745e-1, -1.0368e-2},
     {2.1945, 6.4695e-1, -2.9198e-1, -4.2377e-2},
     {2.5893, 4.5168e-1, -3.6529e-1, -5.0074e-2},
     {3.0387, 4.5452e-1, -3.3666e-1, -4.1921e-2},
     {3.5049, 5.2098e-1, -2.9158e-1, -3.3468e-2},
     {3.9489, 5.8933e-1, -2.5359e-1, -2.721e-2}}};

constexpr PTable kPTrend = {
    {-2.89, -3.19, -3.50, -3.65, -3.80, -4.36},
    {-16.18, -21.15, -25.37, -26.63, -26.53, -26.18},
    {0.7, 0.63, 0.71, 0.93, 1.19, 1.42},
    {{3.2512, 1.6047, 4.9588e-2},
     {3.6646, 1.5419, 3.6448e-2},
     {4.0983, 1.5173, 2.9898e-2},
     {4.5844, 1.5338, 2.8796e-2},
     {5.0722, 1.5634, 2.9472e-2},
     {5.53, 1.5914, 3.0392e-2}},
    {{2.5261, 6.1654e-1, -3.7956e-1, -6.0285e-2},
     {2.85, 5.272e-1, -3.6622e-1, -5.1695e-2},
     {3.221, 5.255e-1, -3.2685e-1, -4.1501e-2},
     {3.652, 5.9758e-1, -2.7483e-1, -3.2081e-2},
     {4.0712, 6.6428e-1, -2.3464e-1, -2.546e-2},
     {4.4735, 7.1757e-1, -2.0681e-1, -2.1196e-2}}};

// MacKinnon (2010), Table 2: β∞, β1, β2, β3 at 1%, 5%, 10%, for N = 1..6.
using CritRow = std::array<double, 4>;
using CritN = std::array<CritRow, 3>;

constexpr std::array<CritN, 6> kCritConstant = {{
    {{{-3.43035, -6.5393, -16.786, -79.433}, {-2.86154, -2.8903, -4.234, -40.040}, {-2.56677, -1.5384, -2.809, 0}}},
    {{{-3.89644, -10.9519, -33.527, 0}, {-3.33613, -6.1101, -6.823, 0}, {-3.04445, -4.2412, -2.720, 0}}},
    {{{-4.29374, -14.4354, -33.195, 47.433}, {-3.74066, -8.5632, -10.852, 27.982}, {-3.45218, -6.2143, -3.718, 0}}},
    {{{-4.64332, -18.1031, -37.972, 0}, {-4.09600, -11.2349, -11.175, 0}, {-3.81020, -8.3931, -4.137, 0}}},
    {{{-4.95756, -21.8883, -45.142, 0}, {-4.41519, -14.0405, -12.575, 0}, {-4.13157, -10.7417, -3.784, 0}}},
    {{{-5.24568, -25.6688, -57.737, 88.639}, {-4.70693, -16.9178, -17.492, 60.007},
      {-4.42501, -13.1875, -5.104, 27.877}}},
}};

constexpr std::array<CritN, 6> kCritTrend = {{
    {{{-3.95877, -9.0531, -28.428, -134.155}, {-3.41049, -4.3904, -9.036, -45.374},
      {-3.12705, -2.5856, -3.925, -22.380}}},
    {{{-4.32762, -15.4387, -35.679, 0}, {-3.78057, -9.5106, -12.074, 0}, {-3.49631, -7.0815, -7.538, 21.892}}},
    {{{-4.66305, -18.7688, -49.793, 104.244}, {-4.11890, -11.8922, -19.031, 77.332},
      {-3.83511, -9.0723, -8.504, 35.403}}},
    {{{-4.96940, -22.4694, -52.599, 51.314}, {-4.42871, -14.5876, -18.228, 39.647},
      {-4.14633, -11.2500, -9.873, 54.109}}},
    {{{-5.25276, -26.2183, -59.631, 50.646}, {-4.71537, -17.3569, -22.660, 91.359},
      {-4.43422, -13.6078, -10.238, 76.781}}},
    {{{-5.51727, -29.9760, -75.222, 202.253}, {-4.98228, -20.3050, -25.224, 132.03},
      {-4.70233, -16.1253, -9.836, 94.272}}},
}};

// No constant, N = 1 (MacKinnon 1996).
constexpr CritN kCritNone = {{{-2.56574, -2.2358, -3.627, 0}, {-1.94100, -0.2686, -3.365, 31.223},
                              {-1.61682, 0.2656, -2.714, 25.364}}};

std::size_t deterministic_terms(AdfRegression r) {
  switch (r) {
    case AdfRegression::kNone: return 0;
    case AdfRegression::kConstant: return 1;
    case AdfRegression::kConstantTrend: return 2;
  }
  return 0;
}

struct LagFit {
  double tau = 0.0, gamma = 0.0, ic = 0.0;
  std::size_t nobs = 0;
};

// OLS of Δy_t on [const][trend] y_{t−1} and p lagged differences for t = t0..n−1.
Result<LagFit> fit_lag(std::span<const double> y, AdfRegression reg, std::size_t p, std::size_t t0,
                       LagSelection ic_kind, const std::string& name) {
  const std::size_t n = y.size();
  const std::size_t T = n - t0;
  std::vector<double> dy(T);
  std::vector<std::vector<double>> x;
  x.emplace_back(T);  // y_{t−1}
  if (reg == AdfRegression::kConstantTrend) x.emplace_back(T);
  for (std::size_t i = 0; i < p; ++i) x.emplace_back(T);
  for (std::size_t r = 0; r < T; ++r) {
    const std::size_t t = t0 + r;
    dy[r] = y[t] - y[t - 1];
    std::size_t c = 0;
    x[c++][r] = y[t - 1];
    if (reg == AdfRegression::kConstantTrend) x[c++][r] = static_cast<double>(t);
    for (std::size_t i = 1; i <= p; ++i) x[c++][r] = y[t - i] - y[t - i - 1];
  }
  OlsOptions o;
  o.intercept = reg != AdfRegression::kNone;
  o.robust = false;
  o.response_name = "diff(" + name + ")";
  o.names.push_back("lag(" + name + ")");
  if (reg == AdfRegression::kConstantTrend) o.names.push_back("trend");
  for (std::size_t i = 1; i <= p; ++i) o.names.push_back("lag" + std::to_string(i) + "(diff(" + name + "))");
  auto fit = fit_ols(dy, x, o);
  if (!fit) return fit.error().with_context(name + ": ADF regression with " + std::to_string(p) + " lags");
  const std::size_t gi = o.intercept ? 1 : 0;
  LagFit lf;
  lf.gamma = fit->coefficients[gi];
  lf.tau = fit->t_stats[gi];
  lf.nobs = T;
  const double k = static_cast<double>(fit->num_parameters);
  const double penalty = ic_kind == LagSelection::kBic ? std::log(static_cast<double>(T)) : 2.0;
  lf.ic = k * penalty - 2.0 * fit->log_likelihood;
  return lf;
}

std::string fmt(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::string_view to_string(AdfRegression r) noexcept {
  switch (r) {
    case AdfRegression::kNone: return "n";
    case AdfRegression::kConstant: return "c";
    case AdfRegression::kConstantTrend: return "ct";
  }
  return "?";
}

std::string_view to_string(LagSelection s) noexcept {
  switch (s) {
    case LagSelection::kFixed: return "fixed";
    case LagSelection::kAic: return "aic";
    case LagSelection::kBic: return "bic";
  }
  return "?";
}

Result<AdfResult> adf_statistic(std::span<const double> y, const AdfOptions& options) {
  const std::string& name = options.series_name;
  const std::size_t n = y.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(y[i])) return invalid(name + ": value at index " + std::to_string(i) + " is not finite (" + fmt(y[i]) + ")");
  }
  const std::size_t d = deterministic_terms(options.regression);
  // A regression with p lags has T = n − 1 − p rows and k = 1 + d + p parameters; keep T ≥ k + 1.
  auto min_length = [d](std::size_t p) { return 2 * p + d + 3; };
  const bool automatic = options.lag_selection != LagSelection::kFixed;
  std::size_t max_lags = options.lags;
  if (automatic) {
    if (options.max_lags) {
      max_lags = *options.max_lags;
    } else {
      max_lags = static_cast<std::size_t>(std::floor(12.0 * std::pow(static_cast<double>(n) / 100.0, 0.25)));
      // Cap so that the largest candidate still leaves degrees of freedom: 2p + d + 3 ≤ n.
      const std::size_t cap = n >= d + 3 ? (n - d - 3) / 2 : 0;
      if (max_lags > cap) max_lags = cap;
    }
  }
  if (n < min_length(max_lags)) {
    return invalid(name + ": " + std::to_string(n) + " values are too few for an ADF regression with " +
                   std::to_string(max_lags) + " lags and " + std::to_string(d) +
                   " deterministic terms (need at least " + std::to_string(min_length(max_lags)) + ")");
  }
  bool constant = true;
  for (std::size_t i = 1; i < n; ++i) constant = constant && y[i] == y[0];
  if (constant) return invalid(name + ": constant series (every value " + fmt(y[0]) + "): the ADF test is undefined");

  AdfResult r;
  r.regression = options.regression;
  r.lag_selection = options.lag_selection;
  r.max_lags = max_lags;
  std::size_t lags = options.lags;
  if (automatic) {
    double best = kInf;
    for (std::size_t p = 0; p <= max_lags; ++p) {
      KEEL_TRY(lf, fit_lag(y, options.regression, p, 1 + max_lags, options.lag_selection, name));
      if (lf.ic < best) {  // strict: ties keep the smaller lag
        best = lf.ic;
        lags = p;
      }
    }
    r.information_criterion = best;
  }
  KEEL_TRY(fit, fit_lag(y, options.regression, lags, 1 + lags, options.lag_selection, name));
  r.statistic = fit.tau;
  r.gamma = fit.gamma;
  r.lags = lags;
  r.num_observations = fit.nobs;
  return r;
}

Result<AdfResult> adf_test(std::span<const double> y, const AdfOptions& options) {
  KEEL_TRY(r, adf_statistic(y, options));
  KEEL_TRY(p, mackinnon_p_value(r.statistic, options.regression, 1));
  KEEL_TRY(cv, mackinnon_critical_values(options.regression, 1, r.num_observations));
  r.p_value = p;
  r.critical_values = cv;
  return r;
}

Result<double> mackinnon_p_value(double tau, AdfRegression regression, int num_series) {
  if (num_series < 1 || num_series > 6) {
    return invalid("MacKinnon p-values: number of series " + std::to_string(num_series) + " outside 1..6");
  }
  if (std::isnan(tau)) return invalid("MacKinnon p-values: statistic is NaN");
  const PTable& t = regression == AdfRegression::kNone       ? kPNone
                    : regression == AdfRegression::kConstant ? kPConstant
                                                             : kPTrend;
  const int i = num_series - 1;
  if (tau > t.tau_max[i]) return 1.0;
  if (tau < t.tau_min[i]) return 0.0;
  double z = 0.0;
  if (tau <= t.tau_star[i]) {
    const auto& c = t.small[i];
    z = c[0] + tau * (c[1] + tau * c[2]);
  } else {
    const auto& c = t.large[i];
    z = c[0] + tau * (c[1] + tau * (c[2] + tau * c[3]));
  }
  return norm_cdf(z);
}

Result<std::array<double, 3>> mackinnon_critical_values(AdfRegression regression, int num_series,
                                                         std::size_t num_observations) {
  if (num_series < 1 || num_series > 6) {
    return invalid("MacKinnon critical values: number of series " + std::to_string(num_series) + " outside 1..6");
  }
  if (regression == AdfRegression::kNone && num_series != 1) {
    return invalid("MacKinnon critical values: the no-constant case is tabulated for one series only");
  }
  const CritN& table = regression == AdfRegression::kNone       ? kCritNone
                       : regression == AdfRegression::kConstant ? kCritConstant[static_cast<std::size_t>(num_series - 1)]
                                                                : kCritTrend[static_cast<std::size_t>(num_series - 1)];
  std::array<double, 3> out{};
  const double inv_t = num_observations == 0 ? 0.0 : 1.0 / static_cast<double>(num_observations);
  for (std::size_t j = 0; j < 3; ++j) {
    const CritRow& b = table[j];
    out[j] = b[0] + inv_t * (b[1] + inv_t * (b[2] + inv_t * b[3]));
  }
  return out;
}

}  // namespace keel::analytics
