#include "keel/analytics/hmm.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <random>
#include <string>

namespace keel::analytics {
namespace {

constexpr double kLn2Pi = 1.83787706640934548356065947281;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();
// Below this total responsibility a state is treated as empty in the M-step.
constexpr double kMinStateWeight = 1e-10;

Error invalid(std::string message) { return make_error(ErrorCode::kInvalidArgument, std::move(message)); }

using Mat = Eigen::MatrixXd;
using Vec = Eigen::VectorXd;

// Uniform in [0, 1) from the top 53 bits of one mt19937_64 draw (portable across libraries).
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

Result<Mat> to_matrix(std::span<const std::vector<double>> obs) {
  if (obs.empty()) return invalid("HMM: no observations");
  const std::size_t d = obs[0].size();
  if (d == 0) return invalid("HMM: observation row 0 has no features");
  Mat X(static_cast<Eigen::Index>(obs.size()), static_cast<Eigen::Index>(d));
  for (std::size_t t = 0; t < obs.size(); ++t) {
    if (obs[t].size() != d) {
      return invalid("HMM: observation row " + std::to_string(t) + " has " + std::to_string(obs[t].size()) +
                     " features, row 0 has " + std::to_string(d));
    }
    for (std::size_t j = 0; j < d; ++j) {
      if (!std::isfinite(obs[t][j])) {
        return invalid("HMM: observation row " + std::to_string(t) + " column " + std::to_string(j) + " is not finite");
      }
      X(static_cast<Eigen::Index>(t), static_cast<Eigen::Index>(j)) = obs[t][j];
    }
  }
  return X;
}

// The model in Eigen form with each state's Cholesky factor, for densities.
struct Params {
  std::size_t K = 0, d = 0;
  bool full = false;
  Vec pi;
  Mat A;
  std::vector<Vec> mu;
  std::vector<Mat> cov;
  std::vector<Mat> chol_l;      // lower Cholesky factor of cov
  std::vector<double> log_det;  // ln |cov|
};

bool factorize(Params& p) {
  p.chol_l.resize(p.K);
  p.log_det.resize(p.K);
  for (std::size_t k = 0; k < p.K; ++k) {
    Eigen::LLT<Mat> llt(p.cov[k]);
    if (llt.info() != Eigen::Success) return false;
    p.chol_l[k] = llt.matrixL();
    double ld = 0.0;
    for (Eigen::Index j = 0; j < p.chol_l[k].rows(); ++j) {
      const double v = p.chol_l[k](j, j);
      if (!(v > 0.0)) return false;
      ld += 2.0 * std::log(v);
    }
    p.log_det[k] = ld;
  }
  return true;
}

Params from_model(const GaussianHmm& m) {
  Params p;
  p.K = m.states;
  p.d = m.dim;
  p.full = m.covariance == HmmCovariance::kFull;
  const auto K = static_cast<Eigen::Index>(m.states), d = static_cast<Eigen::Index>(m.dim);
  p.pi = Eigen::Map<const Vec>(m.initial.data(), K);
  p.A = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(m.transition.data(), K, K);
  for (std::size_t k = 0; k < m.states; ++k) {
    p.mu.push_back(Eigen::Map<const Vec>(m.means[k].data(), d));
    p.cov.push_back(Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        m.covariances[k].data(), d, d));
  }
  return p;
}

GaussianHmm to_model(const Params& p) {
  GaussianHmm m;
  m.states = p.K;
  m.dim = p.d;
  m.covariance = p.full ? HmmCovariance::kFull : HmmCovariance::kDiagonal;
  m.initial.assign(p.pi.data(), p.pi.data() + p.pi.size());
  for (std::size_t i = 0; i < p.K; ++i)
    for (std::size_t j = 0; j < p.K; ++j) m.transition.push_back(p.A(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)));
  for (std::size_t k = 0; k < p.K; ++k) {
    m.means.emplace_back(p.mu[k].data(), p.mu[k].data() + p.mu[k].size());
    std::vector<double> c;
    for (std::size_t a = 0; a < p.d; ++a)
      for (std::size_t b = 0; b < p.d; ++b) c.push_back(p.cov[k](static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)));
    m.covariances.push_back(std::move(c));
  }
  return m;
}

// log N(x_t; μ_k, Σ_k) for every t, k (T×K).
Mat log_emissions(const Params& p, const Mat& X) {
  const Eigen::Index T = X.rows();
  Mat L(T, static_cast<Eigen::Index>(p.K));
  const double c0 = -0.5 * static_cast<double>(p.d) * kLn2Pi;
  for (std::size_t k = 0; k < p.K; ++k) {
    const auto kk = static_cast<Eigen::Index>(k);
    for (Eigen::Index t = 0; t < T; ++t) {
      const Vec diff = X.row(t).transpose() - p.mu[k];
      const Vec z = p.chol_l[k].triangularView<Eigen::Lower>().solve(diff);
      L(t, kk) = c0 - 0.5 * p.log_det[k] - 0.5 * z.squaredNorm();
    }
  }
  return L;
}

struct Forward {
  Mat alpha;  // T×K, each row normalized (the filtered probabilities)
  Mat b;      // T×K, scaled emissions exp(logb − m_t)
  Vec c;      // scaling constants
  double log_likelihood = 0.0;
  Eigen::Index failed_at = -1;  // first t with zero total density
};

Forward forward(const Params& p, const Mat& logb) {
  const Eigen::Index T = logb.rows(), K = logb.cols();
  Forward f;
  f.alpha.resize(T, K);
  f.b.resize(T, K);
  f.c.resize(T);
  double ll = 0.0;
  for (Eigen::Index t = 0; t < T; ++t) {
    const double m = logb.row(t).maxCoeff();
    for (Eigen::Index k = 0; k < K; ++k) f.b(t, k) = std::exp(logb(t, k) - m);
    Eigen::RowVectorXd a = t == 0 ? Eigen::RowVectorXd(p.pi.transpose()) : Eigen::RowVectorXd(f.alpha.row(t - 1) * p.A);
    a = a.cwiseProduct(f.b.row(t));
    const double s = a.sum();
    if (!(s > 0.0) || !std::isfinite(m)) {
      f.failed_at = t;
      f.log_likelihood = kNegInf;
      return f;
    }
    f.c(t) = s;
    f.alpha.row(t) = a / s;
    ll += std::log(s) + m;
  }
  f.log_likelihood = ll;
  return f;
}

// Scaled backward pass: β̂_t with γ_t = α̂_t ⊙ β̂_t.
Mat backward(const Params& p, const Forward& f) {
  const Eigen::Index T = f.alpha.rows(), K = f.alpha.cols();
  Mat beta(T, K);
  beta.row(T - 1).setOnes();
  for (Eigen::Index t = T - 2; t >= 0; --t) {
    const Vec w = f.b.row(t + 1).transpose().cwiseProduct(beta.row(t + 1).transpose());
    beta.row(t) = (p.A * w).transpose() / f.c(t + 1);
  }
  return beta;
}

Vec feature_variances(const Mat& X) {
  const Eigen::RowVectorXd mean = X.colwise().mean();
  const Mat c = X.rowwise() - mean;
  return (c.array().square().colwise().sum() / static_cast<double>(X.rows())).transpose();
}

Mat pooled_covariance(const Mat& X, bool full) {
  const Eigen::RowVectorXd mean = X.colwise().mean();
  const Mat c = X.rowwise() - mean;
  Mat S = c.transpose() * c / static_cast<double>(X.rows());
  if (!full) S = Mat(S.diagonal().asDiagonal());
  return S;
}

// Raises variances below the floor; returns whether any was raised.
bool apply_floor(Mat& cov, const Vec& floor, bool full) {
  bool hit = false;
  if (!full) {
    const Vec dg = cov.diagonal();
    cov.setZero();
    cov.diagonal() = dg;
  }
  for (Eigen::Index j = 0; j < cov.rows(); ++j) {
    if (!(cov(j, j) >= floor(j))) {
      cov(j, j) = floor(j);
      hit = true;
    }
  }
  return hit;
}

Params initial_params(const Mat& X, const HmmOptions& o, std::size_t restart, std::mt19937_64& rng, const Vec& floor) {
  const std::size_t K = o.states;
  const auto T = X.rows(), d = X.cols();
  const bool full = o.covariance == HmmCovariance::kFull;
  Params p;
  p.K = K;
  p.d = static_cast<std::size_t>(d);
  p.full = full;
  p.pi = Vec::Constant(static_cast<Eigen::Index>(K), 1.0 / static_cast<double>(K));
  p.A.resize(static_cast<Eigen::Index>(K), static_cast<Eigen::Index>(K));
  if (restart == 0) {
    std::vector<Eigen::Index> order(static_cast<std::size_t>(T));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return X(a, 0) < X(b, 0); });
    for (std::size_t k = 0; k < K; ++k) {
      const auto lo = static_cast<Eigen::Index>(k) * T / static_cast<Eigen::Index>(K);
      const auto hi = static_cast<Eigen::Index>(k + 1) * T / static_cast<Eigen::Index>(K);
      Mat G(hi - lo, d);
      for (Eigen::Index r = lo; r < hi; ++r) G.row(r - lo) = X.row(order[static_cast<std::size_t>(r)]);
      p.mu.push_back(G.colwise().mean().transpose());
      Mat c = pooled_covariance(G, full);
      apply_floor(c, floor, full);
      p.cov.push_back(c);
    }
    const double off = 0.1 / static_cast<double>(K - 1);
    p.A.setConstant(off);
    p.A.diagonal().setConstant(0.9);
  } else {
    std::vector<Eigen::Index> picked;
    while (picked.size() < K) {
      const auto idx = static_cast<Eigen::Index>(rng() % static_cast<std::uint64_t>(T));
      if (std::find(picked.begin(), picked.end(), idx) == picked.end()) picked.push_back(idx);
    }
    Mat c = pooled_covariance(X, full);
    apply_floor(c, floor, full);
    for (std::size_t k = 0; k < K; ++k) {
      p.mu.push_back(X.row(picked[k]).transpose());
      p.cov.push_back(c);
    }
    for (std::size_t i = 0; i < K; ++i) {
      const double stay = 0.5 + 0.49 * uniform01(rng);
      Vec w(static_cast<Eigen::Index>(K));
      for (std::size_t j = 0; j < K; ++j) w(static_cast<Eigen::Index>(j)) = i == j ? 0.0 : 0.05 + uniform01(rng);
      w *= (1.0 - stay) / w.sum();
      w(static_cast<Eigen::Index>(i)) = stay;
      p.A.row(static_cast<Eigen::Index>(i)) = w.transpose();
    }
  }
  return p;
}

struct EmRun {
  Params params;
  double log_likelihood = kNegInf;
  std::size_t iterations = 0;
  bool converged = false;
  bool floored = false;
};

EmRun run_em(const Mat& X, Params p, const HmmOptions& o, const Vec& floor) {
  EmRun run;
  const Eigen::Index T = X.rows(), K = static_cast<Eigen::Index>(p.K), d = X.cols();
  if (!factorize(p)) return run;
  double prev = kNegInf;
  bool floored = false;
  for (std::size_t it = 0; it < o.max_iterations; ++it) {
    const Mat logb = log_emissions(p, X);
    const Forward f = forward(p, logb);
    if (!std::isfinite(f.log_likelihood)) return run;
    run.params = p;
    run.log_likelihood = f.log_likelihood;
    run.iterations = it;
    run.floored = floored;
    if (std::isfinite(prev) && f.log_likelihood - prev < o.tolerance * (1.0 + std::abs(prev))) {
      run.converged = true;
      return run;
    }
    prev = f.log_likelihood;
    // E-step.
    const Mat beta = backward(p, f);
    Mat gamma = f.alpha.cwiseProduct(beta);
    for (Eigen::Index t = 0; t < T; ++t) gamma.row(t) /= gamma.row(t).sum();
    Mat xi_sum = Mat::Zero(K, K);
    for (Eigen::Index t = 0; t + 1 < T; ++t) {
      const Eigen::RowVectorXd w = f.b.row(t + 1).cwiseProduct(beta.row(t + 1)) / f.c(t + 1);
      xi_sum += (f.alpha.row(t).transpose() * w).cwiseProduct(p.A);
    }
    // M-step.
    Params n = p;
    n.pi = gamma.row(0).transpose();
    floored = false;
    for (Eigen::Index i = 0; i < K; ++i) {
      const double row = xi_sum.row(i).sum();
      if (row > kMinStateWeight) n.A.row(i) = xi_sum.row(i) / row;
      const double w = gamma.col(i).sum();
      if (w <= kMinStateWeight) continue;  // an empty state keeps its parameters
      const Vec mu = (X.transpose() * gamma.col(i)) / w;
      const Mat c = X.rowwise() - mu.transpose();
      Mat S = (c.transpose() * gamma.col(i).asDiagonal() * c) / w;
      if (d == 1 || !p.full) {
        floored = apply_floor(S, floor, false) || floored;
      } else {
        S = 0.5 * (S + S.transpose());
        floored = apply_floor(S, floor, true) || floored;
      }
      n.mu[static_cast<std::size_t>(i)] = mu;
      n.cov[static_cast<std::size_t>(i)] = S;
    }
    if (!factorize(n)) {
      // A full covariance that lost definiteness: fall back to its diagonal (floored).
      for (auto& S : n.cov) {
        const Vec dg = S.diagonal();
        S = Mat(dg.asDiagonal());
        floored = apply_floor(S, floor, false) || floored;
      }
      if (!factorize(n)) return run;
    }
    p = std::move(n);
  }
  // Out of iterations: evaluate the last update.
  const Forward f = forward(p, log_emissions(p, X));
  if (std::isfinite(f.log_likelihood) && f.log_likelihood >= run.log_likelihood) {
    run.params = p;
    run.log_likelihood = f.log_likelihood;
    run.floored = floored;
  }
  run.iterations = o.max_iterations;
  return run;
}

void order_states(Params& p) {
  std::vector<std::size_t> idx(p.K);
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return p.mu[a](0) < p.mu[b](0); });
  Params q = p;
  for (std::size_t a = 0; a < p.K; ++a) {
    const auto ia = static_cast<Eigen::Index>(idx[a]);
    q.pi(static_cast<Eigen::Index>(a)) = p.pi(ia);
    q.mu[a] = p.mu[idx[a]];
    q.cov[a] = p.cov[idx[a]];
    for (std::size_t b = 0; b < p.K; ++b) q.A(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) = p.A(ia, static_cast<Eigen::Index>(idx[b]));
  }
  p = std::move(q);
}

// Checks the model and the observations against each other.
Result<std::pair<Params, Mat>> prepare(const GaussianHmm& model, std::span<const std::vector<double>> obs) {
  KEEL_TRY_STATUS(model.validate());
  KEEL_TRY(X, to_matrix(obs));
  if (static_cast<std::size_t>(X.cols()) != model.dim) {
    return invalid("HMM: observations have " + std::to_string(X.cols()) + " features, the model " + std::to_string(model.dim));
  }
  Params p = from_model(model);
  if (!factorize(p)) return invalid("HMM: a covariance matrix is not positive definite");
  return std::make_pair(std::move(p), std::move(X));
}

Result<Forward> checked_forward(const Params& p, const Mat& X) {
  Forward f = forward(p, log_emissions(p, X));
  if (f.failed_at >= 0) {
    return invalid("HMM: observation row " + std::to_string(f.failed_at) +
                   " has zero density under every state reachable there");
  }
  return f;
}

std::vector<std::vector<double>> rows_of(const Mat& M) {
  std::vector<std::vector<double>> out(static_cast<std::size_t>(M.rows()));
  for (Eigen::Index t = 0; t < M.rows(); ++t) {
    out[static_cast<std::size_t>(t)].assign(M.cols(), 0.0);
    for (Eigen::Index k = 0; k < M.cols(); ++k) out[static_cast<std::size_t>(t)][static_cast<std::size_t>(k)] = M(t, k);
  }
  return out;
}

Status check_distribution(std::span<const double> v, const std::string& what) {
  double s = 0.0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i]) || v[i] < 0.0) return invalid("HMM: " + what + " entry " + std::to_string(i) + " is not a probability");
    s += v[i];
  }
  if (std::abs(s - 1.0) > 1e-9) return invalid("HMM: " + what + " sums to " + std::to_string(s) + ", not 1");
  return ok_status();
}

}  // namespace

std::string_view to_string(HmmCovariance c) noexcept { return c == HmmCovariance::kFull ? "full" : "diagonal"; }

std::vector<std::vector<double>> as_rows(std::span<const double> series) {
  std::vector<std::vector<double>> rows;
  rows.reserve(series.size());
  for (double v : series) rows.push_back({v});
  return rows;
}

Status GaussianHmm::validate() const {
  if (states < 1) return invalid("HMM: no states");
  if (dim < 1) return invalid("HMM: dimension 0");
  if (initial.size() != states) return invalid("HMM: initial has " + std::to_string(initial.size()) + " entries, expected " + std::to_string(states));
  if (transition.size() != states * states) return invalid("HMM: transition has " + std::to_string(transition.size()) + " entries, expected K*K");
  if (means.size() != states || covariances.size() != states) return invalid("HMM: means/covariances need one entry per state");
  KEEL_TRY_STATUS(check_distribution(initial, "initial"));
  for (std::size_t i = 0; i < states; ++i) {
    KEEL_TRY_STATUS(check_distribution(std::span<const double>(transition).subspan(i * states, states),
                                       "transition row " + std::to_string(i)));
    if (means[i].size() != dim) return invalid("HMM: mean of state " + std::to_string(i) + " has the wrong dimension");
    if (covariances[i].size() != dim * dim) return invalid("HMM: covariance of state " + std::to_string(i) + " is not d×d");
    for (double v : means[i])
      if (!std::isfinite(v)) return invalid("HMM: mean of state " + std::to_string(i) + " is not finite");
    for (double v : covariances[i])
      if (!std::isfinite(v)) return invalid("HMM: covariance of state " + std::to_string(i) + " is not finite");
  }
  return ok_status();
}

Result<HmmFit> fit_hmm(std::span<const std::vector<double>> observations, const HmmOptions& o) {
  if (o.states < 2 || o.states > 5) return invalid("HMM: states " + std::to_string(o.states) + " outside 2..5");
  if (o.restarts == 0) return invalid("HMM: restarts must be at least 1");
  if (o.max_iterations == 0) return invalid("HMM: max_iterations must be at least 1");
  if (!(o.tolerance >= 0.0) || !(o.variance_floor > 0.0) || !std::isfinite(o.variance_floor)) {
    return invalid("HMM: tolerance must be >= 0 and variance_floor finite and > 0");
  }
  KEEL_TRY(X, to_matrix(observations));
  const std::size_t T = static_cast<std::size_t>(X.rows()), d = static_cast<std::size_t>(X.cols()), K = o.states;
  const bool full = o.covariance == HmmCovariance::kFull && d > 1;
  const std::size_t params = (K - 1) + K * (K - 1) + K * d + (full ? K * d * (d + 1) / 2 : K * d);
  if (T < 5 * params) {
    return invalid("HMM: " + std::to_string(T) + " observations for " + std::to_string(params) +
                   " free parameters; need at least " + std::to_string(5 * params) + " (5 per parameter)");
  }
  const Vec var = feature_variances(X);
  for (std::size_t j = 0; j < d; ++j) {
    if (!(var(static_cast<Eigen::Index>(j)) > 0.0)) return invalid("HMM: feature " + std::to_string(j) + " is constant");
  }
  const Vec floor = o.variance_floor * var;
  HmmOptions eff = o;
  eff.covariance = full ? HmmCovariance::kFull : HmmCovariance::kDiagonal;
  std::mt19937_64 rng(o.seed);
  EmRun best;
  std::size_t best_restart = 0;
  for (std::size_t r = 0; r < o.restarts; ++r) {
    EmRun run = run_em(X, initial_params(X, eff, r, rng, floor), eff, floor);
    if (run.log_likelihood > best.log_likelihood) {
      best = std::move(run);
      best_restart = r;
    }
  }
  if (!std::isfinite(best.log_likelihood)) return invalid("HMM: every restart failed (degenerate data?)");
  order_states(best.params);
  HmmFit fit;
  fit.model = to_model(best.params);
  fit.log_likelihood = best.log_likelihood;
  fit.num_parameters = params;
  fit.num_observations = T;
  fit.aic = 2.0 * static_cast<double>(params) - 2.0 * best.log_likelihood;
  fit.bic = static_cast<double>(params) * std::log(static_cast<double>(T)) - 2.0 * best.log_likelihood;
  fit.iterations = best.iterations;
  fit.converged = best.converged;
  fit.best_restart = best_restart;
  fit.variance_floored = best.floored;
  return fit;
}

Result<HmmFit> fit_hmm(std::span<const double> observations, const HmmOptions& options) {
  const auto rows = as_rows(observations);
  return fit_hmm(std::span<const std::vector<double>>(rows), options);
}

Result<double> hmm_log_likelihood(const GaussianHmm& model, std::span<const std::vector<double>> observations) {
  KEEL_TRY(pm, prepare(model, observations));
  KEEL_TRY(f, checked_forward(pm.first, pm.second));
  return f.log_likelihood;
}

Result<std::vector<std::vector<double>>> hmm_filtered_probabilities(const GaussianHmm& model,
                                                                    std::span<const std::vector<double>> observations) {
  KEEL_TRY(pm, prepare(model, observations));
  KEEL_TRY(f, checked_forward(pm.first, pm.second));
  return rows_of(f.alpha);
}

Result<std::vector<std::vector<double>>> hmm_smoothed_probabilities(const GaussianHmm& model,
                                                                    std::span<const std::vector<double>> observations) {
  KEEL_TRY(pm, prepare(model, observations));
  KEEL_TRY(f, checked_forward(pm.first, pm.second));
  Mat gamma = f.alpha.cwiseProduct(backward(pm.first, f));
  for (Eigen::Index t = 0; t < gamma.rows(); ++t) gamma.row(t) /= gamma.row(t).sum();
  return rows_of(gamma);
}

Result<std::vector<std::size_t>> hmm_viterbi(const GaussianHmm& model, std::span<const std::vector<double>> observations) {
  KEEL_TRY(pm, prepare(model, observations));
  const Params& p = pm.first;
  const Mat logb = log_emissions(p, pm.second);
  const Eigen::Index T = logb.rows(), K = logb.cols();
  const Mat logA = p.A.array().log();
  Mat delta(T, K);
  Eigen::Matrix<Eigen::Index, Eigen::Dynamic, Eigen::Dynamic> back(T, K);
  for (Eigen::Index k = 0; k < K; ++k) delta(0, k) = std::log(p.pi(k)) + logb(0, k);
  for (Eigen::Index t = 1; t < T; ++t) {
    for (Eigen::Index j = 0; j < K; ++j) {
      Eigen::Index arg = 0;
      double m = delta(t - 1, 0) + logA(0, j);
      for (Eigen::Index i = 1; i < K; ++i) {
        const double v = delta(t - 1, i) + logA(i, j);
        if (v > m) m = v, arg = i;
      }
      delta(t, j) = m + logb(t, j);
      back(t, j) = arg;
    }
  }
  Eigen::Index s = 0;
  for (Eigen::Index k = 1; k < K; ++k)
    if (delta(T - 1, k) > delta(T - 1, s)) s = k;
  if (!std::isfinite(delta(T - 1, s))) return invalid("HMM: no path has positive probability under the model");
  std::vector<std::size_t> path(static_cast<std::size_t>(T));
  for (Eigen::Index t = T - 1; t >= 0; --t) {
    path[static_cast<std::size_t>(t)] = static_cast<std::size_t>(s);
    if (t > 0) s = back(t, s);
  }
  return path;
}

Result<std::vector<double>> hmm_predict_next(const GaussianHmm& model, std::span<const double> filtered) {
  KEEL_TRY_STATUS(model.validate());
  if (filtered.size() != model.states) {
    return invalid("HMM: filtered row has " + std::to_string(filtered.size()) + " entries, the model " +
                   std::to_string(model.states) + " states");
  }
  KEEL_TRY_STATUS(check_distribution(filtered, "filtered row"));
  std::vector<double> next(model.states, 0.0);
  for (std::size_t i = 0; i < model.states; ++i)
    for (std::size_t j = 0; j < model.states; ++j) next[j] += filtered[i] * model.transition_at(i, j);
  return next;
}

}  // namespace keel::analytics
