#include "keel/analytics/garch.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>

namespace keel::analytics {
namespace {

constexpr double kPi = 3.14159265358979323846264338328;
constexpr double kLn2Pi = 1.83787706640934548356065947281;  // ln 2π
// P is kept strictly below 1 so σ̄² stays finite; a fit that presses against it is flagged.
constexpr double kMaxPersistence = 1.0 - 1e-6;
constexpr double kNuMin = 2.0;
constexpr double kNuSpan = 498.0;  // ν in (2, 500]
constexpr double kBoundaryTol = 1e-6;
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

Error invalid(std::string message) { return make_error(ErrorCode::kInvalidArgument, std::move(message)); }

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double logit(double p) { return std::log(p / (1.0 - p)); }

// Positions of the free parameters in the natural parameter vector θ (scaled units).
struct Layout {
  bool vt = false, gjr = false, student = false;
  int omega = -1, alpha = -1, beta = -1, gamma = -1, nu = -1;
  int k = 0;

  explicit Layout(const GarchOptions& o)
      : vt(o.variance_targeting),
        gjr(o.model == GarchModel::kGjr),
        student(o.innovations == Innovations::kStudentT) {
    if (!vt) omega = k++;
    alpha = k++;
    beta = k++;
    if (gjr) gamma = k++;
    if (student) nu = k++;
  }

  // Scaled returns have unit second moment, so the variance-targeting ω is 1 - P.
  GarchParams params(const std::vector<double>& th) const {
    GarchParams p;
    p.alpha = th[alpha];
    p.beta = th[beta];
    p.gamma = gjr ? th[gamma] : 0.0;
    p.nu = student ? th[nu] : 0.0;
    p.omega = vt ? 1.0 - p.persistence() : th[omega];
    return p;
  }

  bool feasible(const std::vector<double>& th) const {
    const GarchParams p = params(th);
    if (!(p.omega > 0.0) || !(p.alpha >= 0.0) || !(p.beta >= 0.0) || !(p.gamma >= 0.0)) return false;
    if (!(p.persistence() < kMaxPersistence)) return false;
    if (student && !(p.nu > kNuMin && p.nu <= kNuMin + kNuSpan)) return false;
    return true;
  }

  // Unconstrained u → θ: ω = e^{u₀}; P = P_max·logistic(u_p); (α, β, γ/2) = P·softmax(0, u_b, u_g).
  std::vector<double> from_free(const std::vector<double>& u) const {
    std::vector<double> th(static_cast<std::size_t>(k));
    int j = 0;
    if (!vt) th[omega] = std::exp(u[j++]);
    const double pers = kMaxPersistence * logistic(u[j++]);
    const double eb = std::exp(u[j++]);
    const double eg = gjr ? std::exp(u[j++]) : 0.0;
    const double denom = 1.0 + eb + eg;
    th[alpha] = pers / denom;
    th[beta] = pers * eb / denom;
    if (gjr) th[gamma] = 2.0 * pers * eg / denom;
    if (student) th[nu] = kNuMin + kNuSpan * logistic(u[j++]);
    return th;
  }

  // Inverse of from_free for an interior θ (α, γ > 0).
  std::vector<double> to_free(const std::vector<double>& th) const {
    std::vector<double> u;
    if (!vt) u.push_back(std::log(th[omega]));
    const GarchParams p = params(th);
    u.push_back(logit(p.persistence() / kMaxPersistence));
    u.push_back(std::log(p.beta / p.alpha));
    if (gjr) u.push_back(std::log(0.5 * p.gamma / p.alpha));
    if (student) u.push_back(logit((p.nu - kNuMin) / kNuSpan));
    return u;
  }
};

// The variance recursion and log-likelihood on scaled residuals (unit second moment, so
// σ²_1 = 1). No constraint is imposed beyond σ²_t > 0, so finite differences may step just past
// a boundary; returns -inf where the recursion breaks down. Writes ℓ_t and σ²_t when asked.
double log_likelihood_scaled(const std::vector<double>& e, const GarchParams& p, bool student,
                             std::vector<double>* per_obs, std::vector<double>* variance) {
  const std::size_t n = e.size();
  double c = 0.0, half_nu1 = 0.0, nu2 = 0.0;
  if (student) {
    if (!(p.nu > 2.0)) return -kInf;
    nu2 = p.nu - 2.0;
    half_nu1 = 0.5 * (p.nu + 1.0);
    c = std::lgamma(half_nu1) - std::lgamma(0.5 * p.nu) - 0.5 * std::log(kPi * nu2);
  }
  double s2 = 1.0;
  double sum = 0.0;
  for (std::size_t t = 0; t < n; ++t) {
    if (t > 0) {
      const double prev = e[t - 1];
      const double a = prev < 0.0 ? p.alpha + p.gamma : p.alpha;
      s2 = p.omega + a * prev * prev + p.beta * s2;
    }
    if (!(s2 > 0.0) || !std::isfinite(s2)) return -kInf;
    const double z2 = e[t] * e[t] / s2;
    const double lt = student ? c - 0.5 * std::log(s2) - half_nu1 * std::log1p(z2 / nu2)
                              : -0.5 * (kLn2Pi + std::log(s2) + z2);
    sum += lt;
    if (per_obs != nullptr) (*per_obs)[t] = lt;
    if (variance != nullptr) (*variance)[t] = s2;
  }
  return std::isfinite(sum) ? sum : -kInf;
}

// Nelder–Mead (Lagarias et al. 1998 coefficients: reflection 1, expansion 2, contraction ½,
// shrink ½) minimizing f from x0 with an initial simplex of axis steps `step`.
struct NmResult {
  std::vector<double> x;
  double f = kInf;
  int evals = 0;
};

NmResult nelder_mead(const std::function<double(const std::vector<double>&)>& f,
                     const std::vector<double>& x0, double step, int max_evals, double ftol) {
  const std::size_t k = x0.size();
  std::vector<std::vector<double>> pts(k + 1, x0);
  std::vector<double> fv(k + 1);
  int evals = 0;
  auto eval = [&](const std::vector<double>& x) {
    ++evals;
    const double v = f(x);
    return std::isfinite(v) ? v : kInf;
  };
  for (std::size_t i = 0; i < k; ++i) pts[i + 1][i] += step;
  for (std::size_t i = 0; i <= k; ++i) fv[i] = eval(pts[i]);
  if (std::all_of(fv.begin(), fv.end(), [](double v) { return v == kInf; })) return {x0, kInf, evals};
  std::vector<std::size_t> order(k + 1);
  while (evals < max_evals) {
    for (std::size_t i = 0; i <= k; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return fv[a] < fv[b]; });
    const std::size_t best = order[0], worst = order[k], second = order[k - 1];
    // Converged on the spread of f alone: an optimum on a boundary of the constrained space
    // sits at infinity in u, where the simplex never shrinks; the Newton polish that follows
    // refines interior optima.
    if (std::isfinite(fv[worst]) && fv[worst] - fv[best] <= ftol * (std::abs(fv[best]) + ftol)) {
      break;
    }
    std::vector<double> centroid(k, 0.0);
    for (std::size_t i = 0; i < k; ++i) {
      for (std::size_t j = 0; j < k; ++j) centroid[j] += pts[order[i]][j] / static_cast<double>(k);
    }
    auto along = [&](double t) {
      std::vector<double> x(k);
      for (std::size_t j = 0; j < k; ++j) x[j] = centroid[j] + t * (pts[worst][j] - centroid[j]);
      return x;
    };
    const std::vector<double> xr = along(-1.0);
    const double fr = eval(xr);
    if (fr < fv[best]) {
      const std::vector<double> xe = along(-2.0);
      const double fe = eval(xe);
      if (fe < fr) {
        pts[worst] = xe;
        fv[worst] = fe;
      } else {
        pts[worst] = xr;
        fv[worst] = fr;
      }
      continue;
    }
    if (fr < fv[second]) {
      pts[worst] = xr;
      fv[worst] = fr;
      continue;
    }
    const bool outside = fr < fv[worst];
    const std::vector<double> xc = along(outside ? -0.5 : 0.5);
    const double fc = eval(xc);
    if (fc < (outside ? fr : fv[worst])) {
      pts[worst] = xc;
      fv[worst] = fc;
      continue;
    }
    for (std::size_t i = 1; i <= k; ++i) {
      const std::size_t idx = order[i];
      for (std::size_t j = 0; j < k; ++j) pts[idx][j] = pts[best][j] + 0.5 * (pts[idx][j] - pts[best][j]);
      fv[idx] = eval(pts[idx]);
    }
  }
  const std::size_t b = static_cast<std::size_t>(std::min_element(fv.begin(), fv.end()) - fv.begin());
  return {pts[b], fv[b], evals};
}

// Inverse of a symmetric positive-definite k×k matrix (row-major) by Cholesky; false if the
// matrix is not positive definite.
bool spd_inverse(const std::vector<double>& a, std::size_t k, std::vector<double>& inv) {
  std::vector<double> l(k * k, 0.0);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double s = a[i * k + j];
      for (std::size_t m = 0; m < j; ++m) s -= l[i * k + m] * l[j * k + m];
      if (i == j) {
        if (!(s > 0.0) || !std::isfinite(s)) return false;
        l[i * k + i] = std::sqrt(s);
      } else {
        l[i * k + j] = s / l[j * k + j];
      }
    }
  }
  // Solve L Lᵀ X = I column by column.
  inv.assign(k * k, 0.0);
  std::vector<double> y(k);
  for (std::size_t c = 0; c < k; ++c) {
    for (std::size_t i = 0; i < k; ++i) {
      double s = i == c ? 1.0 : 0.0;
      for (std::size_t m = 0; m < i; ++m) s -= l[i * k + m] * y[m];
      y[i] = s / l[i * k + i];
    }
    for (std::size_t ii = k; ii-- > 0;) {
      double s = y[ii];
      for (std::size_t m = ii + 1; m < k; ++m) s -= l[m * k + ii] * inv[m * k + c];
      inv[ii * k + c] = s / l[ii * k + ii];
    }
  }
  return true;
}

// Central-difference step for parameter value v: about ε^{1/4} relative, which balances the
// truncation and rounding errors of the second difference.
double fd_step(double v) { return 1e-4 * std::max(std::abs(v), 1e-2); }

struct Derivs {
  std::vector<double> grad;  // k
  std::vector<double> hess;  // k×k
  bool ok = true;
};

Derivs numeric_derivs(const std::function<double(const std::vector<double>&)>& f,
                      const std::vector<double>& x) {
  const std::size_t k = x.size();
  Derivs d;
  d.grad.assign(k, 0.0);
  d.hess.assign(k * k, 0.0);
  const double f0 = f(x);
  std::vector<double> h(k);
  for (std::size_t i = 0; i < k; ++i) h[i] = fd_step(x[i]);
  auto at = [&](std::size_t i, double si, std::size_t j, double sj) {
    std::vector<double> y = x;
    y[i] += si * h[i];
    y[j] += sj * h[j];
    return f(y);
  };
  for (std::size_t i = 0; i < k; ++i) {
    std::vector<double> yp = x, ym = x;
    yp[i] += h[i];
    ym[i] -= h[i];
    const double fp = f(yp), fm = f(ym);
    d.grad[i] = (fp - fm) / (2.0 * h[i]);
    d.hess[i * k + i] = (fp - 2.0 * f0 + fm) / (h[i] * h[i]);
    for (std::size_t j = 0; j < i; ++j) {
      const double v = (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) /
                       (4.0 * h[i] * h[j]);
      d.hess[i * k + j] = v;
      d.hess[j * k + i] = v;
    }
  }
  for (double v : d.grad) d.ok = d.ok && std::isfinite(v);
  for (double v : d.hess) d.ok = d.ok && std::isfinite(v);
  return d;
}

struct Prepared {
  std::vector<double> e;  // scaled residuals, (1/n) Σ e² = 1
  double mean = 0.0;
  double scale2 = 0.0;  // (1/n) Σ (r - μ)², the unscaled second moment
};

Result<Prepared> prepare(std::span<const double> r, const GarchOptions& o) {
  const std::string& name = o.series_name;
  if (r.size() < o.min_observations) {
    return invalid(name + ": " + std::to_string(r.size()) + " observations; GARCH needs at least " +
                   std::to_string(o.min_observations));
  }
  if (r.size() < 2) return invalid(name + ": fewer than 2 observations");
  double sum = 0.0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (!std::isfinite(r[i])) return invalid(name + "[" + std::to_string(i) + "] = " + fmt(r[i]) + ": not finite");
    sum += r[i];
  }
  const double n = static_cast<double>(r.size());
  const double sample_mean = sum / n;
  // Constant to rounding: the sample mean of a constant series need not equal its value
  // exactly, so compare the spread with the rounding of the largest magnitude.
  double ss = 0.0, max_abs = 0.0;
  for (double v : r) {
    ss += (v - sample_mean) * (v - sample_mean);
    max_abs = std::max(max_abs, std::abs(v));
  }
  const double rounding = 64.0 * std::numeric_limits<double>::epsilon() * max_abs;
  if (!(ss > n * rounding * rounding)) {
    return invalid(name + ": constant series (zero variance); GARCH needs variation");
  }
  Prepared p;
  p.mean = o.mean == MeanModel::kSampleMean ? sample_mean : 0.0;
  double m2 = 0.0;
  for (double v : r) m2 += (v - p.mean) * (v - p.mean);
  p.scale2 = m2 / n;
  const double s = std::sqrt(p.scale2);
  p.e.resize(r.size());
  for (std::size_t i = 0; i < r.size(); ++i) p.e[i] = (r[i] - p.mean) / s;
  return p;
}

GarchParams to_original(GarchParams p, double scale2) {
  p.omega *= scale2;
  return p;
}

std::array<std::string_view, 5> kNames{"omega", "alpha", "beta", "gamma", "nu"};

}  // namespace

Status GarchParams::validate(Innovations innovations) const {
  auto bad = [](std::string_view field, double v, std::string_view rule) {
    return invalid(std::string(field) + " = " + fmt(v) + ": " + std::string(rule));
  };
  if (!std::isfinite(omega) || omega <= 0.0) return bad("omega", omega, "must be finite and > 0");
  if (!std::isfinite(alpha) || alpha < 0.0) return bad("alpha", alpha, "must be finite and >= 0");
  if (!std::isfinite(beta) || beta < 0.0) return bad("beta", beta, "must be finite and >= 0");
  if (!std::isfinite(gamma) || gamma < 0.0) return bad("gamma", gamma, "must be finite and >= 0");
  if (!(persistence() < 1.0)) {
    return bad("alpha + beta + gamma/2", persistence(), "must be < 1 (covariance stationarity)");
  }
  if (innovations == Innovations::kStudentT && !(nu > 2.0 && std::isfinite(nu))) {
    return bad("nu", nu, "Student-t degrees of freedom must be finite and > 2");
  }
  return ok_status();
}

const GarchEstimate* GarchFit::find(std::string_view name) const {
  for (const GarchEstimate& e : estimates) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

Result<double> garch_log_likelihood(std::span<const double> returns, const GarchParams& params,
                                    const GarchOptions& options) {
  KEEL_TRY_STATUS(params.validate(options.innovations));
  if (options.model == GarchModel::kGarch && params.gamma != 0.0) {
    return invalid("gamma = " + fmt(params.gamma) + ": plain GARCH has no leverage term (use kGjr)");
  }
  KEEL_TRY(prep, prepare(returns, options));
  GarchParams scaled = params;
  scaled.omega /= prep.scale2;
  const double ll = log_likelihood_scaled(prep.e, scaled, options.innovations == Innovations::kStudentT,
                                          nullptr, nullptr);
  if (!std::isfinite(ll)) return invalid(options.series_name + ": log-likelihood not finite at these parameters");
  return ll - 0.5 * static_cast<double>(returns.size()) * std::log(prep.scale2);
}

Result<GarchFit> fit_garch(std::span<const double> returns, const GarchOptions& options) {
  KEEL_TRY(prep, prepare(returns, options));
  const Layout lay(options);
  const bool student = lay.student;
  const std::size_t k = static_cast<std::size_t>(lay.k);
  const double n = static_cast<double>(prep.e.size());
  int evals = 0;

  // Mean log-likelihood per observation in the natural (scaled) parameters.
  auto ll_theta = [&](const std::vector<double>& th) {
    ++evals;
    return log_likelihood_scaled(prep.e, lay.params(th), student, nullptr, nullptr) / n;
  };
  auto neg_ll_free = [&](const std::vector<double>& u) { return -ll_theta(lay.from_free(u)); };

  // Starting points: typical daily-equity persistence, a faster-decaying one, a near-integrated
  // one and a weakly clustered one.
  struct Start {
    double a, b, g;
  };
  const Start starts[] = {{0.05, 0.90, 0.05}, {0.10, 0.80, 0.08}, {0.03, 0.94, 0.02}, {0.15, 0.50, 0.10}};
  NmResult best;
  for (const Start& s : starts) {
    std::vector<double> th(k);
    th[lay.alpha] = s.a;
    th[lay.beta] = s.b;
    if (lay.gjr) th[lay.gamma] = s.g;
    if (student) th[lay.nu] = 8.0;
    if (!lay.vt) th[lay.omega] = 1.0 - lay.params(th).persistence();
    KEEL_ASSERT(lay.feasible(th), "GARCH starting point outside the constraints");
    NmResult r = nelder_mead(neg_ll_free, lay.to_free(th), 0.5, 3000, 1e-12);
    // One restart from the best vertex guards against a collapsed simplex.
    NmResult r2 = nelder_mead(neg_ll_free, r.x, 0.1, 2000, 1e-13);
    if (r2.f <= r.f) r = r2;
    if (r.f < best.f) best = r;
  }
  if (!std::isfinite(best.f)) {
    return make_error(ErrorCode::kInternal, options.series_name + ": GARCH likelihood could not be evaluated at any start");
  }
  std::vector<double> theta = lay.from_free(best.x);

  // Newton polish in the natural parameters (the free-space map flattens near boundaries).
  for (int it = 0; it < 30; ++it) {
    const Derivs d = numeric_derivs(ll_theta, theta);
    if (!d.ok) break;
    std::vector<double> neg_h(k * k), inv;
    for (std::size_t i = 0; i < k * k; ++i) neg_h[i] = -d.hess[i];
    if (!spd_inverse(neg_h, k, inv)) break;
    std::vector<double> step(k, 0.0);
    double decrement = 0.0;
    for (std::size_t i = 0; i < k; ++i) {
      for (std::size_t j = 0; j < k; ++j) step[i] += inv[i * k + j] * d.grad[j];
      decrement += step[i] * d.grad[i];
    }
    if (decrement < 1e-15) break;
    const double f0 = ll_theta(theta);
    bool moved = false;
    for (double t = 1.0; t > 1e-6; t *= 0.5) {
      std::vector<double> cand = theta;
      for (std::size_t i = 0; i < k; ++i) cand[i] += t * step[i];
      if (!lay.feasible(cand)) continue;
      if (ll_theta(cand) > f0) {
        theta = cand;
        moved = true;
        break;
      }
    }
    if (!moved) break;
  }

  GarchFit fit;
  fit.options = options;
  fit.mean = prep.mean;
  fit.num_observations = prep.e.size();
  const GarchParams ps = lay.params(theta);
  fit.params = to_original(ps, prep.scale2);
  if (!student) fit.params.nu = 0.0;

  std::vector<double> per_obs(prep.e.size()), var(prep.e.size());
  const double ll_s = log_likelihood_scaled(prep.e, ps, student, &per_obs, &var);
  fit.log_likelihood = ll_s - 0.5 * n * std::log(prep.scale2);
  fit.conditional_variance.resize(var.size());
  for (std::size_t t = 0; t < var.size(); ++t) fit.conditional_variance[t] = var[t] * prep.scale2;
  {
    const double last = prep.e.back();
    const double a = last < 0.0 ? ps.alpha + ps.gamma : ps.alpha;
    fit.next_variance = (ps.omega + a * last * last + ps.beta * var.back()) * prep.scale2;
  }
  fit.num_parameters = k + (lay.vt ? 1 : 0) + (options.mean == MeanModel::kSampleMean ? 1 : 0);
  const double kk = static_cast<double>(fit.num_parameters);
  fit.aic = 2.0 * kk - 2.0 * fit.log_likelihood;
  fit.bic = kk * std::log(n) - 2.0 * fit.log_likelihood;
  fit.at_boundary = ps.alpha < kBoundaryTol || ps.beta < kBoundaryTol ||
                    (lay.gjr && ps.gamma < kBoundaryTol) ||
                    ps.persistence() > kMaxPersistence - kBoundaryTol;

  // Covariances. Hessian of the total ℓ (not the mean), in scaled units.
  auto ll_total = [&](const std::vector<double>& th) {
    return log_likelihood_scaled(prep.e, lay.params(th), student, nullptr, nullptr);
  };
  const Derivs d = numeric_derivs(ll_total, theta);
  std::vector<double> cov_h, cov_opg, cov_bw;
  bool have_h = false, have_opg = false;
  if (d.ok) {
    std::vector<double> neg_h(k * k);
    for (std::size_t i = 0; i < k * k; ++i) neg_h[i] = -d.hess[i];
    have_h = spd_inverse(neg_h, k, cov_h);
  }
  // Per-observation scores by central differences: J = Σ_t s_t s_tᵀ.
  {
    std::vector<std::vector<double>> scores(k, std::vector<double>(prep.e.size()));
    std::vector<double> lp(prep.e.size()), lm(prep.e.size());
    bool ok = true;
    for (std::size_t i = 0; i < k && ok; ++i) {
      const double h = fd_step(theta[i]);
      std::vector<double> tp = theta, tm = theta;
      tp[i] += h;
      tm[i] -= h;
      ok = std::isfinite(log_likelihood_scaled(prep.e, lay.params(tp), student, &lp, nullptr)) &&
           std::isfinite(log_likelihood_scaled(prep.e, lay.params(tm), student, &lm, nullptr));
      for (std::size_t t = 0; t < prep.e.size(); ++t) scores[i][t] = (lp[t] - lm[t]) / (2.0 * h);
    }
    if (ok) {
      std::vector<double> j(k * k, 0.0);
      for (std::size_t a = 0; a < k; ++a) {
        for (std::size_t b = 0; b <= a; ++b) {
          double s = 0.0;
          for (std::size_t t = 0; t < prep.e.size(); ++t) s += scores[a][t] * scores[b][t];
          j[a * k + b] = s;
          j[b * k + a] = s;
        }
      }
      have_opg = spd_inverse(j, k, cov_opg);
      if (have_h) {
        // H⁻¹ J H⁻¹ (with -H⁻¹ on both sides the signs cancel).
        std::vector<double> tmp(k * k, 0.0);
        cov_bw.assign(k * k, 0.0);
        for (std::size_t a = 0; a < k; ++a)
          for (std::size_t b = 0; b < k; ++b)
            for (std::size_t m = 0; m < k; ++m) tmp[a * k + b] += cov_h[a * k + m] * j[m * k + b];
        for (std::size_t a = 0; a < k; ++a)
          for (std::size_t b = 0; b < k; ++b)
            for (std::size_t m = 0; m < k; ++m) cov_bw[a * k + b] += tmp[a * k + m] * cov_h[m * k + b];
      }
    }
  }
  // Standard errors in the original units: ω scales by the second moment, the rest are unitless.
  auto se = [&](bool have, const std::vector<double>& cov, int idx) -> std::optional<double> {
    if (!have || idx < 0) return std::nullopt;
    const double v = cov[static_cast<std::size_t>(idx) * k + static_cast<std::size_t>(idx)];
    if (!(v > 0.0) || !std::isfinite(v)) return std::nullopt;
    return std::sqrt(v) * (idx == lay.omega ? prep.scale2 : 1.0);
  };
  auto add = [&](std::size_t name_idx, double value, int idx) {
    fit.estimates.push_back(GarchEstimate{kNames[name_idx], value, se(have_h, cov_h, idx),
                                          se(have_h && have_opg, cov_bw, idx),
                                          se(have_opg, cov_opg, idx)});
  };
  add(0, fit.params.omega, lay.omega);
  add(1, fit.params.alpha, lay.alpha);
  add(2, fit.params.beta, lay.beta);
  if (lay.gjr) add(3, fit.params.gamma, lay.gamma);
  if (student) add(4, fit.params.nu, lay.nu);
  fit.function_evaluations = evals;
  return fit;
}

Result<std::vector<double>> garch_variance_forecast(const GarchParams& params, double next_variance,
                                                    std::size_t horizon) {
  KEEL_TRY_STATUS(params.validate());
  if (!std::isfinite(next_variance) || next_variance <= 0.0) {
    return invalid("next_variance = " + fmt(next_variance) + ": must be finite and > 0");
  }
  if (horizon == 0) return invalid("horizon = 0: must be at least 1");
  const double p = params.persistence();
  const double bar = params.unconditional_variance();
  std::vector<double> out(horizon);
  double pw = 1.0;  // P^{h-1}
  for (std::size_t h = 0; h < horizon; ++h) {
    out[h] = bar + pw * (next_variance - bar);
    pw *= p;
  }
  return out;
}

Result<std::vector<double>> garch_vol_term_structure(const GarchParams& params, double next_variance,
                                                     std::span<const std::size_t> horizons,
                                                     double annualization) {
  KEEL_TRY_STATUS(params.validate());
  if (!std::isfinite(next_variance) || next_variance <= 0.0) {
    return invalid("next_variance = " + fmt(next_variance) + ": must be finite and > 0");
  }
  if (!std::isfinite(annualization) || annualization <= 0.0) {
    return invalid("annualization = " + fmt(annualization) + ": must be finite and > 0");
  }
  const double p = params.persistence();
  const double bar = params.unconditional_variance();
  std::vector<double> out;
  out.reserve(horizons.size());
  for (std::size_t i = 0; i < horizons.size(); ++i) {
    const std::size_t h = horizons[i];
    if (h == 0) return invalid("horizons[" + std::to_string(i) + "] = 0: must be at least 1");
    const double hd = static_cast<double>(h);
    // Σ_{i=1..h} σ²_{T+i} = h σ̄² + (σ²_{T+1} - σ̄²)(1 - P^h)/(1 - P)
    const double total = hd * bar + (next_variance - bar) * (1.0 - std::pow(p, hd)) / (1.0 - p);
    out.push_back(std::sqrt(annualization * total / hd));
  }
  return out;
}

}  // namespace keel::analytics
