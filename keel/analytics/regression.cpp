#include "keel/analytics/regression.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <cstdio>
#include <limits>

namespace keel::analytics {
namespace {

constexpr double kLn2Pi = 1.83787706640934548356065947281;
// A pivot of the column-scaled R this small relative to the largest marks a column as a linear
// combination of the ones before it.
constexpr double kRankTolerance = 1e-10;

Error invalid(std::string message) { return make_error(ErrorCode::kInvalidArgument, std::move(message)); }

std::string fmt(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

struct Design {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  std::vector<std::string> names;
};

std::vector<std::string> regressor_names(std::size_t p, const std::vector<std::string>& given) {
  std::vector<std::string> names;
  for (std::size_t j = 0; j < p; ++j) {
    names.push_back(j < given.size() && !given[j].empty() ? given[j] : "x" + std::to_string(j + 1));
  }
  return names;
}

// Checks lengths and finiteness of rows [begin, end) and builds the design matrix.
Result<Design> build_design(std::span<const double> y, std::span<const std::vector<double>> x, bool intercept,
                            const std::vector<std::string>& given_names, const std::string& response) {
  if (y.empty()) return invalid(response + ": no observations");
  const std::vector<std::string> xn = regressor_names(x.size(), given_names);
  for (std::size_t j = 0; j < x.size(); ++j) {
    if (x[j].size() != y.size()) {
      return invalid("regressor '" + xn[j] + "' has " + std::to_string(x[j].size()) + " rows but " + response +
                     " has " + std::to_string(y.size()));
    }
  }
  const std::size_t n = y.size();
  const std::size_t k = x.size() + (intercept ? 1 : 0);
  if (k == 0) return invalid("no parameters: no regressors and no intercept");
  Design d;
  d.X.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
  d.y.resize(static_cast<Eigen::Index>(n));
  if (intercept) d.names.push_back("const");
  d.names.insert(d.names.end(), xn.begin(), xn.end());
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(y[i])) return invalid(response + " row " + std::to_string(i) + " is not finite (" + fmt(y[i]) + ")");
    d.y(static_cast<Eigen::Index>(i)) = y[i];
  }
  Eigen::Index c = 0;
  if (intercept) d.X.col(c++).setOnes();
  for (std::size_t j = 0; j < x.size(); ++j, ++c) {
    for (std::size_t i = 0; i < n; ++i) {
      const double v = x[j][i];
      if (!std::isfinite(v)) {
        return invalid("regressor '" + xn[j] + "' row " + std::to_string(i) + " is not finite (" + fmt(v) + ")");
      }
      d.X(static_cast<Eigen::Index>(i), c) = v;
    }
  }
  return d;
}

struct QrSolution {
  Eigen::VectorXd beta;
  Eigen::MatrixXd xtx_inv;  // (X'X)⁻¹ in the original column order and scale
};

// Least squares by column-pivoting QR on unit-length columns; names the dependent columns.
Result<QrSolution> qr_solve(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const std::vector<std::string>& names) {
  const Eigen::Index n = X.rows(), k = X.cols();
  if (n <= k) {
    return invalid(std::to_string(n) + " rows for " + std::to_string(k) +
                   " parameters: need more rows than parameters (residual degrees of freedom for the errors)");
  }
  Eigen::VectorXd scale(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const double norm = X.col(j).norm();
    if (norm == 0.0) {
      return invalid("singular design: column '" + names[static_cast<std::size_t>(j)] + "' is all zeros");
    }
    scale(j) = 1.0 / norm;
  }
  const Eigen::MatrixXd Xs = X * scale.asDiagonal();
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(Xs);
  qr.setThreshold(kRankTolerance);
  if (qr.rank() < k) {
    std::string dependent;
    const auto& perm = qr.colsPermutation().indices();
    for (Eigen::Index j = qr.rank(); j < k; ++j) {
      if (!dependent.empty()) dependent += ", ";
      dependent += "'" + names[static_cast<std::size_t>(perm(j))] + "'";
    }
    return invalid("singular design (collinear columns): " + dependent +
                   " is a linear combination of the other columns (a constant regressor with an intercept, or "
                   "duplicated/collinear regressors)");
  }
  QrSolution s;
  s.beta = scale.asDiagonal() * qr.solve(y);
  // (Xs'Xs)⁻¹ = P R⁻¹ R⁻ᵀ Pᵀ, then undo the column scaling.
  const Eigen::MatrixXd R = qr.matrixR().topLeftCorner(k, k).triangularView<Eigen::Upper>();
  const Eigen::MatrixXd Rinv = R.triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(k, k));
  const Eigen::MatrixXd inner = Rinv * Rinv.transpose();
  Eigen::MatrixXd unperm(k, k);
  const auto& perm = qr.colsPermutation().indices();
  for (Eigen::Index a = 0; a < k; ++a) {
    for (Eigen::Index b = 0; b < k; ++b) unperm(perm(a), perm(b)) = inner(a, b);
  }
  s.xtx_inv = scale.asDiagonal() * unperm * scale.asDiagonal();
  return s;
}

std::vector<double> to_vec(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

Result<OlsFit> ols_on(const Design& d, bool intercept, bool robust) {
  const Eigen::Index n = d.X.rows(), k = d.X.cols();
  KEEL_TRY(s, qr_solve(d.X, d.y, d.names));
  OlsFit f;
  f.names = d.names;
  f.num_observations = static_cast<std::size_t>(n);
  f.num_parameters = static_cast<std::size_t>(k);
  f.dof_resid = static_cast<std::size_t>(n - k);
  const Eigen::VectorXd fitted = d.X * s.beta;
  const Eigen::VectorXd e = d.y - fitted;
  f.rss = e.squaredNorm();
  if (intercept) {
    f.tss = (d.y.array() - d.y.mean()).matrix().squaredNorm();
  } else {
    f.tss = d.y.squaredNorm();
  }
  const double dof = static_cast<double>(n - k);
  const double sigma2 = n > k ? f.rss / dof : 0.0;
  f.sigma = std::sqrt(sigma2);
  f.r_squared = f.tss > 0.0 ? 1.0 - f.rss / f.tss : 0.0;
  const double i = intercept ? 1.0 : 0.0;
  f.adj_r_squared = n > k ? 1.0 - (1.0 - f.r_squared) * (static_cast<double>(n) - i) / dof : f.r_squared;
  const double nn = static_cast<double>(n);
  f.log_likelihood = f.rss > 0.0 ? -0.5 * nn * (kLn2Pi + std::log(f.rss / nn) + 1.0)
                                 : std::numeric_limits<double>::infinity();
  const Eigen::MatrixXd cov = sigma2 * s.xtx_inv;
  f.coefficients = to_vec(s.beta);
  f.covariance.assign(cov.data(), cov.data() + cov.size());  // symmetric: order irrelevant
  for (Eigen::Index j = 0; j < k; ++j) {
    const double se = std::sqrt(cov(j, j));
    f.std_errors.push_back(se);
    f.t_stats.push_back(se > 0.0 ? s.beta(j) / se : std::numeric_limits<double>::infinity());
  }
  if (robust) {
    // M = X (X'X)⁻¹; HC0 = Mᵀ diag(e²) M.
    const Eigen::MatrixXd M = d.X * s.xtx_inv;
    const Eigen::MatrixXd hc0 = M.transpose() * e.array().square().matrix().asDiagonal() * M;
    const double hc1_scale = n > k ? nn / dof : 1.0;
    for (Eigen::Index j = 0; j < k; ++j) {
      f.hc0_std_errors.push_back(std::sqrt(hc0(j, j)));
      f.hc1_std_errors.push_back(std::sqrt(hc1_scale * hc0(j, j)));
    }
  }
  f.residuals = to_vec(e);
  f.fitted = to_vec(fitted);
  return f;
}

}  // namespace

Result<OlsFit> fit_ols(std::span<const double> y, std::span<const std::vector<double>> x, const OlsOptions& options) {
  KEEL_TRY(d, build_design(y, x, options.intercept, options.names, options.response_name));
  return ols_on(d, options.intercept, options.robust);
}

Result<RidgeFit> fit_ridge(std::span<const double> y, std::span<const std::vector<double>> x,
                           const RidgeOptions& options) {
  if (!std::isfinite(options.lambda) || options.lambda < 0.0) {
    return invalid("ridge lambda " + fmt(options.lambda) + " must be finite and >= 0");
  }
  if (x.empty()) return invalid("ridge regression needs at least one regressor");
  KEEL_TRY(d, build_design(y, x, false, options.names, options.response_name));
  const Eigen::Index n = d.X.rows(), p = d.X.cols();
  const std::size_t k = static_cast<std::size_t>(p) + (options.intercept ? 1 : 0);
  // Without a penalty the fit is OLS and needs n >= k; with one it needs a residual to exist.
  if ((options.lambda == 0.0 && static_cast<std::size_t>(n) <= k) || static_cast<std::size_t>(n) < 2) {
    return invalid(std::to_string(n) + " rows for " + std::to_string(k) + " parameters: need at least as many rows");
  }
  Eigen::RowVectorXd xbar = Eigen::RowVectorXd::Zero(p);
  double ybar = 0.0;
  Eigen::MatrixXd Xc = d.X;
  Eigen::VectorXd yc = d.y;
  if (options.intercept) {
    xbar = d.X.colwise().mean();
    ybar = d.y.mean();
    Xc.rowwise() -= xbar;
    yc.array() -= ybar;
  }
  Eigen::VectorXd scale = Eigen::VectorXd::Ones(p);
  if (options.standardize) {
    for (Eigen::Index j = 0; j < p; ++j) {
      const Eigen::VectorXd c = d.X.col(j).array() - d.X.col(j).mean();
      const double sd = n > 1 ? std::sqrt(c.squaredNorm() / static_cast<double>(n - 1)) : 0.0;
      if (!(sd > 0.0)) {
        return invalid("regressor '" + d.names[static_cast<std::size_t>(j)] + "' has zero variance: cannot standardize");
      }
      scale(j) = 1.0 / sd;
    }
    Xc = Xc * scale.asDiagonal();
  }
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(Xc, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd dv = svd.singularValues();
  const double lambda = options.lambda;
  if (lambda == 0.0) {
    // Without a penalty the fit is OLS and needs a full-rank design.
    const double dmax = dv.size() > 0 ? dv(0) : 0.0;
    for (Eigen::Index j = 0; j < dv.size(); ++j) {
      if (!(dv(j) > kRankTolerance * dmax)) {
        return invalid("singular design (collinear columns) with lambda = 0: use lambda > 0 or drop a regressor");
      }
    }
  }
  Eigen::VectorXd shrink(dv.size()), var_factor(dv.size());
  double df = 0.0;
  for (Eigen::Index j = 0; j < dv.size(); ++j) {
    const double d2 = dv(j) * dv(j);
    const double denom = d2 + lambda;
    shrink(j) = denom > 0.0 ? dv(j) / denom : 0.0;
    var_factor(j) = denom > 0.0 ? d2 / (denom * denom) : 0.0;
    df += denom > 0.0 ? d2 / denom : 0.0;
  }
  const Eigen::VectorXd b_scaled = svd.matrixV() * (shrink.asDiagonal() * (svd.matrixU().transpose() * yc));
  const Eigen::VectorXd b = scale.asDiagonal() * b_scaled;
  const Eigen::VectorXd e = yc - Xc * b_scaled;
  RidgeFit f;
  f.num_observations = static_cast<std::size_t>(n);
  f.effective_dof = df;
  f.rss = e.squaredNorm();
  const double i = options.intercept ? 1.0 : 0.0;
  const double resid_dof = static_cast<double>(n) - i - df;
  if (!(resid_dof > 0.0)) {
    return invalid("ridge: no residual degrees of freedom (n - intercept - df(lambda) = " + fmt(resid_dof) +
                   "): raise lambda or add rows");
  }
  const double sigma2 = f.rss / resid_dof;
  f.sigma = std::sqrt(sigma2);
  const double tss = options.intercept ? yc.squaredNorm() : d.y.squaredNorm();
  f.r_squared = tss > 0.0 ? 1.0 - f.rss / tss : 0.0;
  const Eigen::MatrixXd V = svd.matrixV();
  const Eigen::MatrixXd cov_scaled = sigma2 * V * var_factor.asDiagonal() * V.transpose();
  const Eigen::MatrixXd cov = scale.asDiagonal() * cov_scaled * scale.asDiagonal();
  if (options.intercept) {
    f.names.push_back("const");
    f.coefficients.push_back(ybar - xbar.dot(b));
    const double var_a = sigma2 / static_cast<double>(n) + (xbar * cov * xbar.transpose())(0, 0);
    f.std_errors.push_back(std::sqrt(var_a));
  }
  for (Eigen::Index j = 0; j < p; ++j) {
    f.names.push_back(d.names[static_cast<std::size_t>(j)]);
    f.coefficients.push_back(b(j));
    f.std_errors.push_back(std::sqrt(cov(j, j)));
  }
  f.residuals = to_vec(e);
  return f;
}

Result<std::vector<std::optional<RollingOlsPoint>>> rolling_ols(std::span<const double> y,
                                                                std::span<const std::vector<double>> x,
                                                                std::size_t window, const OlsOptions& options) {
  KEEL_TRY(d, build_design(y, x, options.intercept, options.names, options.response_name));
  const std::size_t n = y.size();
  const std::size_t k = static_cast<std::size_t>(d.X.cols());
  if (window <= k) {
    return invalid("rolling window " + std::to_string(window) + " must exceed the " + std::to_string(k) +
                   " parameters");
  }
  if (window > n) {
    return invalid("rolling window " + std::to_string(window) + " is longer than the " + std::to_string(n) + " rows");
  }
  std::vector<std::optional<RollingOlsPoint>> out(n);
  for (std::size_t t = window - 1; t < n; ++t) {
    const Eigen::Index first = static_cast<Eigen::Index>(t + 1 - window);
    Design w;
    w.X = d.X.middleRows(first, static_cast<Eigen::Index>(window));
    w.y = d.y.segment(first, static_cast<Eigen::Index>(window));
    w.names = d.names;
    auto fit = ols_on(w, options.intercept, false);
    if (!fit) {
      return fit.error().with_context("rolling window rows " + std::to_string(first) + ".." + std::to_string(t));
    }
    out[t] = RollingOlsPoint{fit->coefficients, fit->std_errors, fit->r_squared, fit->sigma};
  }
  return out;
}

}  // namespace keel::analytics
