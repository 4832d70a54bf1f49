#include "keel/analytics/vol_surface.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>

#include "keel/analytics/normal.hpp"
#include "keel/core/assert.hpp"

namespace keel::analytics {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string fmt(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

Error invalid(std::string msg) { return make_error(ErrorCode::kInvalidArgument, std::move(msg)); }

std::string slice_name(std::string_view label, double t) {
  std::string s = "SVI slice ";
  if (!label.empty()) s += "'" + std::string(label) + "' ";
  return s + "(t=" + fmt(t) + ")";
}

// ---- Nelder–Mead on a small fixed dimension ---------------------------------------------------
// Standard coefficients (reflection 1, expansion 2, contraction 1/2, shrink 1/2; Lagarias et al.,
// SIAM J. Optim. 9(1), 1998). +inf marks an infeasible point and is simply never accepted as
// better. Stops when the simplex fits in a box of side x_tol in every coordinate.
template <std::size_t N, class F>
int nelder_mead(F&& f, std::array<double, N>& x, const std::array<double, N>& step, int max_iter, double x_tol,
                double& fx) {
  using P = std::array<double, N>;
  std::array<P, N + 1> s;
  std::array<double, N + 1> v;
  s[0] = x;
  for (std::size_t i = 0; i < N; ++i) {
    s[i + 1] = x;
    s[i + 1][i] += step[i];
  }
  for (std::size_t i = 0; i <= N; ++i) v[i] = f(s[i]);
  int it = 0;
  for (; it < max_iter; ++it) {
    // Order: best first.
    std::array<std::size_t, N + 1> idx;
    for (std::size_t i = 0; i <= N; ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::array<P, N + 1> s2;
    std::array<double, N + 1> v2;
    for (std::size_t i = 0; i <= N; ++i) {
      s2[i] = s[idx[i]];
      v2[i] = v[idx[i]];
    }
    s = s2;
    v = v2;
    double size = 0.0;
    for (std::size_t i = 1; i <= N; ++i)
      for (std::size_t j = 0; j < N; ++j) size = std::max(size, std::fabs(s[i][j] - s[0][j]));
    if (size <= x_tol) break;

    P c{};
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t j = 0; j < N; ++j) c[j] += s[i][j] / static_cast<double>(N);
    auto along = [&](double coef) {
      P p;
      for (std::size_t j = 0; j < N; ++j) p[j] = c[j] + coef * (s[N][j] - c[j]);
      return p;
    };
    const P xr = along(-1.0);
    const double fr = f(xr);
    if (fr < v[0]) {
      const P xe = along(-2.0);
      const double fe = f(xe);
      if (fe < fr) {
        s[N] = xe;
        v[N] = fe;
      } else {
        s[N] = xr;
        v[N] = fr;
      }
      continue;
    }
    if (fr < v[N - 1]) {
      s[N] = xr;
      v[N] = fr;
      continue;
    }
    // Contraction: outside if the reflected point beats the worst, else inside.
    const bool outside = fr < v[N];
    const P xc = along(outside ? -0.5 : 0.5);
    const double fc = f(xc);
    if (fc < (outside ? fr : v[N])) {
      s[N] = xc;
      v[N] = fc;
      continue;
    }
    for (std::size_t i = 1; i <= N; ++i) {
      for (std::size_t j = 0; j < N; ++j) s[i][j] = s[0][j] + 0.5 * (s[i][j] - s[0][j]);
      v[i] = f(s[i]);
    }
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i <= N; ++i)
    if (v[i] < v[best]) best = i;
  x = s[best];
  fx = v[best];
  return it;
}

// Solves the n×n system A z = r (n <= 5) by Gaussian elimination with partial pivoting; false
// when a pivot is negligible against the matrix scale (a singular face of the QP).
template <std::size_t M>
bool solve_small(std::array<std::array<double, M + 1>, M>& A, std::size_t n, std::array<double, M>& z) {
  double scale = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) scale = std::max(scale, std::fabs(A[i][j]));
  if (!(scale > 0.0)) return false;
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t piv = col;
    for (std::size_t r = col + 1; r < n; ++r)
      if (std::fabs(A[r][col]) > std::fabs(A[piv][col])) piv = r;
    if (!(std::fabs(A[piv][col]) > 1e-14 * scale)) return false;
    std::swap(A[piv], A[col]);
    for (std::size_t r = col + 1; r < n; ++r) {
      const double f = A[r][col] / A[col][col];
      for (std::size_t j = col; j <= n; ++j) A[r][j] -= f * A[col][j];
    }
  }
  for (std::size_t i = n; i-- > 0;) {
    double acc = A[i][n];
    for (std::size_t j = i + 1; j < n; ++j) acc -= A[i][j] * z[j];
    z[i] = acc / A[i][i];
  }
  return true;
}

// Per-quote data of a prepared slice.
struct Prepared {
  std::vector<double> k, w, lam;  // log-moneyness, market total variance, objective weight
  std::vector<double> y, z;       // workspace for (k - m)/σ and √(y² + 1)
  double t = 0.0;
  double k_min = 0.0, k_max = 0.0;
};

Status prepare_quotes(std::span<const SliceQuote> quotes, double t, SliceWeighting weighting,
                      const std::string& name, Prepared& out) {
  for (std::size_t i = 0; i < quotes.size(); ++i) {
    const SliceQuote& q = quotes[i];
    const std::string where = name + " quote " + std::to_string(i) + " (k=" + fmt(q.k) + "): ";
    if (!std::isfinite(q.k)) return invalid(where + "k is not finite");
    if (!std::isfinite(q.vol) || !(q.vol > 0.0)) return invalid(where + "vol " + fmt(q.vol) + " must be finite and > 0");
    double omega = 1.0;
    const double w = q.vol * q.vol * t;
    switch (weighting) {
      case SliceWeighting::kEqual:
        break;
      case SliceWeighting::kVega: {
        const double sw = std::sqrt(w);
        omega = norm_pdf(-q.k / sw + 0.5 * sw) * std::sqrt(t);
        if (!(omega > 0.0)) {
          return invalid(where + "vega weight underflows to 0 (quote too far from the money for vega weighting)");
        }
        break;
      }
      case SliceWeighting::kInverseSpread:
        if (!std::isfinite(q.bid_vol) || !std::isfinite(q.ask_vol) || !(q.bid_vol > 0.0) || !(q.ask_vol > q.bid_vol)) {
          return invalid(where + "inverse-spread weighting needs 0 < bid_vol < ask_vol, got bid_vol " +
                         fmt(q.bid_vol) + ", ask_vol " + fmt(q.ask_vol));
        }
        omega = 1.0 / (q.ask_vol - q.bid_vol);
        break;
      case SliceWeighting::kUser:
        if (!std::isfinite(q.weight) || !(q.weight > 0.0)) {
          return invalid(where + "weight " + fmt(q.weight) + " must be finite and > 0");
        }
        omega = q.weight;
        break;
    }
    out.k.push_back(q.k);
    out.w.push_back(w);
    // dσ = dw/(2σt): λ = ω/(2σt)² turns squared variance errors into squared vol errors.
    const double den = 2.0 * q.vol * t;
    out.lam.push_back(omega / (den * den));
  }
  out.t = t;
  out.y.resize(out.k.size());
  out.z.resize(out.k.size());
  out.k_min = *std::min_element(out.k.begin(), out.k.end());
  out.k_max = *std::max_element(out.k.begin(), out.k.end());
  return ok_status();
}

struct Inner {
  double a = 0.0, d = 0.0, c = 0.0;
  double obj = kInf;  // Σ λ (model - w)², computed from residuals
};

// The inner QP for fixed (m, σ); see the header.
Inner solve_inner(Prepared& p, double m, double sigma, bool lee) {
  const std::size_t n = p.k.size();
  // Normal equations of min Σ λ (a + d y + c z - w)² in x = (a, d, c).
  double H[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
  double g[3] = {0, 0, 0};
  const double inv_sigma = 1.0 / sigma;
  for (std::size_t i = 0; i < n; ++i) {
    const double y = (p.k[i] - m) * inv_sigma;
    const double z = std::sqrt(y * y + 1.0);
    p.y[i] = y;
    p.z[i] = z;
    const double l = p.lam[i];
    const double ly = l * y, lz = l * z;
    H[0][0] += l;
    H[0][1] += ly;
    H[0][2] += lz;
    H[1][1] += ly * y;
    H[1][2] += ly * z;
    H[2][2] += lz * z;
    g[0] += l * p.w[i];
    g[1] += ly * p.w[i];
    g[2] += lz * p.w[i];
  }
  H[1][0] = H[0][1];
  H[2][0] = H[0][2];
  H[2][1] = H[1][2];

  // Constraints on (d, c) as e_d·d + e_c·c <= h: d - c <= 0, -d - c <= 0, d + c <= 2σ, -d + c <= 2σ.
  constexpr double kE[4][2] = {{1, -1}, {-1, -1}, {1, 1}, {-1, 1}};
  const double h[4] = {0.0, 0.0, 2.0 * sigma, 2.0 * sigma};
  const int n_con = lee ? 4 : 2;
  auto feasible = [&](double d, double c, double a) {
    const double tol = 1e-13 * (1.0 + sigma);
    for (int j = 0; j < n_con; ++j)
      if (kE[j][0] * d + kE[j][1] * c > h[j] + tol) return false;
    // Non-negative minimum variance a + bσ√(1-ρ²) = a + √(c² - d²).
    return a + std::sqrt(std::max(0.0, c * c - d * d)) >= 0.0;
  };
  auto quad = [&](const double x[3]) {
    double q = 0.0;
    for (int i = 0; i < 3; ++i) {
      q -= 2.0 * g[i] * x[i];
      for (int j = 0; j < 3; ++j) q += x[i] * H[i][j] * x[j];
    }
    return q;
  };

  Inner best;
  double best_q = kInf;
  auto consider = [&](const double x[3]) {
    if (!std::isfinite(x[0]) || !std::isfinite(x[1]) || !std::isfinite(x[2])) return;
    if (!feasible(x[1], x[2], x[0])) return;
    const double q = quad(x);
    if (q < best_q) {
      best_q = q;
      best.a = x[0];
      best.d = x[1];
      best.c = x[2];
    }
  };
  // Active sets: none, each single constraint (edges), and the non-parallel pairs (vertices);
  // constraints 0 and 3, and 1 and 2, are parallel, leaving the pairs 0-1, 0-2, 1-3, 2-3.
  auto solve_active = [&](const int* act, std::size_t na) {
    constexpr std::size_t M = 5;
    std::array<std::array<double, M + 1>, M> A{};
    const std::size_t dim = 3 + na;
    for (std::size_t i = 0; i < 3; ++i) {
      for (std::size_t j = 0; j < 3; ++j) A[i][j] = H[i][j];
      A[i][dim] = g[i];
    }
    for (std::size_t r = 0; r < na; ++r) {
      const int j = act[r];
      // Row of the constraint, and its column (symmetric KKT matrix).
      A[3 + r][1] = kE[j][0];
      A[3 + r][2] = kE[j][1];
      A[1][3 + r] = kE[j][0];
      A[2][3 + r] = kE[j][1];
      A[3 + r][dim] = h[j];
    }
    std::array<double, M> zsol{};
    if (!solve_small<M>(A, dim, zsol)) return;
    const double x[3] = {zsol[0], zsol[1], zsol[2]};
    consider(x);
  };
  solve_active(nullptr, 0);
  // Convexity: a feasible unconstrained minimiser is the constrained one; otherwise the optimum
  // lies on the boundary, i.e. on an edge or a vertex.
  if (best_q == kInf) {
    for (int j = 0; j < n_con; ++j) solve_active(&j, 1);
    const int pairs[4][2] = {{0, 1}, {0, 2}, {1, 3}, {2, 3}};
    for (const auto& pr : pairs) {
      if (!lee && (pr[0] >= n_con || pr[1] >= n_con)) continue;
      solve_active(pr, 2);
    }
  }
  if (best_q == kInf) return best;

  double obj = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = best.a + best.d * p.y[i] + best.c * p.z[i] - p.w[i];
    obj += p.lam[i] * r * r;
  }
  best.obj = obj;
  return best;
}

SviRaw to_raw(const Inner& in, double m, double sigma) {
  SviRaw s;
  s.m = m;
  s.sigma = sigma;
  s.a = in.a;
  s.b = in.c / sigma;
  s.rho = in.c > 0.0 ? std::clamp(in.d / in.c, -1.0, 1.0) : 0.0;
  // |ρ| = 1 exactly is a face of the feasible set; validate() needs |ρ| < 1.
  const double lim = 1.0 - 1e-12;
  s.rho = std::clamp(s.rho, -lim, lim);
  return s;
}

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

double interp_atm_w(std::span<const SliceQuote> quotes, double t, bool& ok) {
  // Nearest quotes at or below and at or above k = 0.
  double k_lo = -kInf, w_lo = 0.0, k_hi = kInf, w_hi = 0.0;
  for (const SliceQuote& q : quotes) {
    const double w = q.vol * q.vol * t;
    if (q.k <= 0.0 && q.k > k_lo) {
      k_lo = q.k;
      w_lo = w;
    }
    if (q.k >= 0.0 && q.k < k_hi) {
      k_hi = q.k;
      w_hi = w;
    }
  }
  ok = std::isfinite(k_lo) && std::isfinite(k_hi);
  if (!ok) return 0.0;
  if (k_hi == k_lo) return w_lo;
  return w_lo + (w_hi - w_lo) * (0.0 - k_lo) / (k_hi - k_lo);
}

// Golden-section minimum of f on [lo, hi].
template <class F>
std::pair<double, double> golden_min(F&& f, double lo, double hi) {
  const double r = 0.6180339887498949;
  double x1 = hi - r * (hi - lo), x2 = lo + r * (hi - lo);
  double f1 = f(x1), f2 = f(x2);
  for (int it = 0; it < 80 && hi - lo > 1e-13; ++it) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - r * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + r * (hi - lo);
      f2 = f(x2);
    }
  }
  return f1 < f2 ? std::pair{x1, f1} : std::pair{x2, f2};
}

// min over the grid (refined) of f(k) on [k_min, k_max].
template <class F>
std::pair<double, double> grid_min(F&& f, double k_min, double k_max, std::size_t points) {
  const double h = (k_max - k_min) / static_cast<double>(points - 1);
  std::size_t bi = 0;
  double bv = kInf;
  for (std::size_t i = 0; i < points; ++i) {
    const double v = f(k_min + h * static_cast<double>(i));
    if (v < bv) {
      bv = v;
      bi = i;
    }
  }
  const double lo = k_min + h * static_cast<double>(bi == 0 ? 0 : bi - 1);
  const double hi = std::min(k_max, k_min + h * static_cast<double>(bi + 1));
  auto [kr, vr] = golden_min(f, lo, hi);
  if (vr < bv) return {kr, vr};
  return {k_min + h * static_cast<double>(bi), bv};
}

}  // namespace

Result<double> log_moneyness(double strike, double forward) {
  if (!std::isfinite(strike) || !(strike > 0.0)) return invalid("strike " + fmt(strike) + " must be finite and > 0");
  if (!std::isfinite(forward) || !(forward > 0.0)) return invalid("forward " + fmt(forward) + " must be finite and > 0");
  return std::log(strike / forward);
}

Result<SliceQuote> quote_from_bid_ask(double k, double bid_vol, double ask_vol) {
  if (!std::isfinite(k)) return invalid("quote k " + fmt(k) + " is not finite");
  if (!std::isfinite(bid_vol) || !(bid_vol > 0.0)) return invalid("bid_vol " + fmt(bid_vol) + " must be finite and > 0");
  if (!std::isfinite(ask_vol) || !(ask_vol > bid_vol)) {
    return invalid("ask_vol " + fmt(ask_vol) + " must be finite and above bid_vol " + fmt(bid_vol));
  }
  return SliceQuote{k, 0.5 * (bid_vol + ask_vol), bid_vol, ask_vol, 1.0};
}

Result<SviFit> fit_svi_slice(std::span<const SliceQuote> quotes, double t, const SviFitOptions& opt,
                             std::string_view label) {
  const std::string name = slice_name(label, t);
  if (!std::isfinite(t) || !(t > 0.0)) return invalid(name + ": expiry t must be finite and > 0");
  if (quotes.size() < 5) {
    return invalid(name + ": " + std::to_string(quotes.size()) + " quotes, fewer than the 5 SVI parameters");
  }
  Prepared p;
  p.k.reserve(quotes.size());
  p.w.reserve(quotes.size());
  p.lam.reserve(quotes.size());
  KEEL_TRY_STATUS(prepare_quotes(quotes, t, opt.weighting, name, p));
  {
    std::vector<double> ks = p.k;
    std::sort(ks.begin(), ks.end());
    const auto distinct = static_cast<std::size_t>(std::unique(ks.begin(), ks.end()) - ks.begin());
    if (distinct < 5) {
      return invalid(name + ": " + std::to_string(distinct) + " distinct strikes, fewer than the 5 SVI parameters");
    }
  }
  const double range = p.k_max - p.k_min;
  const double m_lo = p.k_min - range, m_hi = p.k_max + range;
  const double ls_lo = std::log(1e-4), ls_hi = std::log(10.0);
  auto objective = [&](const std::array<double, 2>& x) {
    if (!(x[0] >= m_lo && x[0] <= m_hi && x[1] >= ls_lo && x[1] <= ls_hi)) return kInf;
    return solve_inner(p, x[0], std::exp(x[1]), opt.enforce_lee_bound).obj;
  };
  // Start grid: m across the quoted range, σ from 1% to 100% of a unit of log-moneyness (scaled
  // by the range so short-dated narrow slices start sensibly).
  std::array<double, 2> x0{0.5 * (p.k_min + p.k_max), std::log(0.1 * range)};
  double f0 = kInf;
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 5; ++j) {
      const std::array<double, 2> x{p.k_min + range * (0.1 + 0.2 * i), std::log(range * 0.02 * std::pow(3.0, j))};
      const double f = objective(x);
      if (f < f0) {
        f0 = f;
        x0 = x;
      }
    }
  }
  if (!(f0 < kInf)) return invalid(name + ": no feasible SVI slice found on the start grid");
  double fx = f0;
  const int iters = nelder_mead<2>(objective, x0, {0.05 * range, 0.3}, opt.max_iterations, opt.x_tolerance, fx);
  const double sigma = std::exp(x0[1]);
  const Inner in = solve_inner(p, x0[0], sigma, opt.enforce_lee_bound);
  if (!(in.obj < kInf)) return invalid(name + ": calibration found no feasible SVI slice");
  SviFit out;
  out.params = to_raw(in, x0[0], sigma);
  if (auto st = out.params.validate(); !st.ok()) return st.error().with_context(name + ": fitted parameters");
  out.t = t;
  out.iterations = iters;
  out.quotes = quotes.size();
  double ss = 0.0;
  for (std::size_t i = 0; i < quotes.size(); ++i) {
    const double e = std::fabs(svi_implied_vol(out.params, quotes[i].k, t) - quotes[i].vol);
    ss += e * e;
    out.max_abs_vol_error = std::max(out.max_abs_vol_error, e);
  }
  out.rmse_vol = std::sqrt(ss / static_cast<double>(quotes.size()));
  return out;
}

Result<SsviFit> fit_ssvi_surface(std::span<const ExpiryQuotes> expiries, const SsviFitOptions& opt) {
  if (expiries.empty()) return invalid("SSVI: no expiries to fit");
  SsviFit out;
  std::vector<Prepared> prep(expiries.size());
  std::size_t total = 0;
  for (std::size_t e = 0; e < expiries.size(); ++e) {
    const ExpiryQuotes& ex = expiries[e];
    const std::string name = "SSVI expiry " + std::to_string(e) + " " + slice_name(ex.label, ex.t);
    if (!std::isfinite(ex.t) || !(ex.t > 0.0)) return invalid(name + ": expiry t must be finite and > 0");
    if (e > 0 && !(ex.t > expiries[e - 1].t)) {
      return invalid(name + ": expiries must be strictly increasing (previous t=" + fmt(expiries[e - 1].t) + ")");
    }
    if (ex.quotes.empty()) return invalid(name + ": no quotes");
    KEEL_TRY_STATUS(prepare_quotes(ex.quotes, ex.t, opt.weighting, name, prep[e]));
    bool ok = false;
    const double theta = interp_atm_w(ex.quotes, ex.t, ok);
    if (!ok) return invalid(name + ": no quotes on both sides of k = 0 to fix the ATM total variance theta");
    if (!(theta > 0.0)) return invalid(name + ": ATM total variance " + fmt(theta) + " must be > 0");
    if (e > 0 && theta < out.theta.back()) {
      return invalid(name + ": ATM total variance " + fmt(theta) + " is below " + fmt(out.theta.back()) +
                     " at the previous expiry t=" + fmt(expiries[e - 1].t) + " (calendar arbitrage in the ATM quotes)");
    }
    out.t.push_back(ex.t);
    out.theta.push_back(theta);
    total += ex.quotes.size();
  }
  if (total < 3) return invalid("SSVI: " + std::to_string(total) + " quotes, fewer than the 3 parameters (rho, eta, gamma)");

  const bool cons = opt.arbitrage_free_region;
  auto decode = [&](const std::array<double, 3>& x) {
    SsviPowerLaw pl;
    pl.rho = 0.999 * std::tanh(x[0]);
    pl.gamma = cons ? 0.5 * logistic(x[2]) : logistic(x[2]);
    pl.eta = cons ? 2.0 / (1.0 + std::fabs(pl.rho)) * logistic(x[1]) : std::exp(x[1]);
    return pl;
  };
  auto objective = [&](const std::array<double, 3>& x) {
    const SsviPowerLaw pl = decode(x);
    if (!(pl.eta > 0.0 && pl.gamma > 0.0 && pl.gamma < 1.0)) return kInf;
    double obj = 0.0;
    for (std::size_t e = 0; e < prep.size(); ++e) {
      const double theta = out.theta[e];
      const double phi = pl.phi(theta);
      const Prepared& p = prep[e];
      for (std::size_t i = 0; i < p.k.size(); ++i) {
        const double r = ssvi_total_variance(p.k[i], theta, pl.rho, phi) - p.w[i];
        obj += p.lam[i] * r * r;
      }
    }
    return obj;
  };
  std::array<double, 3> x0{0.0, 0.0, 0.0};
  double f0 = kInf;
  for (double rho : {-0.8, -0.5, -0.2, 0.2, 0.5}) {
    for (double u : {-1.5, 0.0, 1.5}) {
      for (double gz : {-1.0, 1.0}) {
        const std::array<double, 3> x{std::atanh(rho / 0.999), u, gz};
        const double f = objective(x);
        if (f < f0) {
          f0 = f;
          x0 = x;
        }
      }
    }
  }
  double fx = f0;
  // Restart once from the result: Nelder–Mead can stall on a collapsed simplex in 3-D.
  out.iterations = nelder_mead<3>(objective, x0, {0.3, 0.5, 0.5}, opt.max_iterations, opt.x_tolerance, fx);
  out.iterations += nelder_mead<3>(objective, x0, {0.05, 0.05, 0.05}, opt.max_iterations, opt.x_tolerance, fx);
  out.params = decode(x0);
  KEEL_TRY_STATUS(out.params.validate());
  double ss = 0.0;
  for (std::size_t e = 0; e < expiries.size(); ++e) {
    for (const SliceQuote& q : expiries[e].quotes) {
      const double err = std::fabs(ssvi_implied_vol(q.k, out.theta[e], expiries[e].t, out.params) - q.vol);
      ss += err * err;
      out.max_abs_vol_error = std::max(out.max_abs_vol_error, err);
    }
  }
  out.rmse_vol = std::sqrt(ss / static_cast<double>(total));
  return out;
}

// ---- VolSurface --------------------------------------------------------------------------------

Result<VolSurface> VolSurface::make(std::vector<SurfaceSlice> slices) {
  if (slices.empty()) return invalid("vol surface: no slices");
  for (std::size_t i = 0; i < slices.size(); ++i) {
    const std::string name = "vol surface slice " + std::to_string(i);
    if (!std::isfinite(slices[i].t) || !(slices[i].t > 0.0)) {
      return invalid(name + ": t " + fmt(slices[i].t) + " must be finite and > 0");
    }
    if (i > 0 && !(slices[i].t > slices[i - 1].t)) {
      return invalid(name + ": t " + fmt(slices[i].t) + " must exceed the previous slice's t " + fmt(slices[i - 1].t));
    }
    if (auto st = slices[i].svi.validate(); !st.ok()) return st.error().with_context(name);
  }
  return VolSurface(std::move(slices));
}

Result<VolSurface> VolSurface::from_ssvi(const SsviFit& fit) {
  KEEL_TRY_STATUS(fit.params.validate());
  if (fit.t.size() != fit.theta.size()) return invalid("vol surface from SSVI: t and theta differ in length");
  std::vector<SurfaceSlice> slices;
  for (std::size_t i = 0; i < fit.t.size(); ++i) {
    if (!(fit.theta[i] > 0.0)) return invalid("vol surface from SSVI: theta[" + std::to_string(i) + "] must be > 0");
    slices.push_back({fit.t[i], svi_from_ssvi_slice(fit.theta[i], fit.params.rho, fit.params.phi(fit.theta[i]))});
  }
  return make(std::move(slices));
}

double VolSurface::w_unchecked(double k, double t) const noexcept {
  const auto& s = slices_;
  if (t <= s.front().t) return svi_total_variance(s.front().svi, k) * (t / s.front().t);
  if (t >= s.back().t) return svi_total_variance(s.back().svi, k) * (t / s.back().t);
  const auto it = std::upper_bound(s.begin(), s.end(), t, [](double x, const SurfaceSlice& sl) { return x < sl.t; });
  const SurfaceSlice& hi = *it;
  const SurfaceSlice& lo = *(it - 1);
  const double w0 = svi_total_variance(lo.svi, k), w1 = svi_total_variance(hi.svi, k);
  return w0 + (w1 - w0) * ((t - lo.t) / (hi.t - lo.t));
}

Result<double> VolSurface::total_variance(double k, double t) const {
  if (!std::isfinite(k)) return invalid("vol surface: k " + fmt(k) + " is not finite");
  if (!std::isfinite(t) || !(t > 0.0)) return invalid("vol surface: t " + fmt(t) + " must be finite and > 0");
  const double w = w_unchecked(k, t);
  if (!(w >= 0.0)) return invalid("vol surface: negative total variance " + fmt(w) + " at k " + fmt(k) + ", t " + fmt(t));
  return w;
}

Result<double> VolSurface::implied_vol(double k, double t) const {
  KEEL_TRY(w, total_variance(k, t));
  return std::sqrt(w / t);
}

std::vector<ButterflyReport> VolSurface::butterfly_check(const ButterflyCheckOptions& opt) const {
  std::vector<ButterflyReport> out;
  for (const SurfaceSlice& s : slices_) {
    auto r = svi_butterfly_check(s.svi, opt);
    KEEL_ASSERT(r.ok(), "vol surface: butterfly check options invalid");
    out.push_back(*r);
  }
  return out;
}

CalendarReport VolSurface::calendar_check(const CalendarCheckOptions& opt) const {
  KEEL_ASSERT(std::isfinite(opt.k_min) && std::isfinite(opt.k_max) && opt.k_min < opt.k_max && opt.points >= 3,
              "calendar check: invalid k range");
  CalendarReport r;
  r.worst_dw = kInf;
  for (std::size_t i = 1; i < slices_.size(); ++i) {
    const SviRaw& a = slices_[i - 1].svi;
    const SviRaw& b = slices_[i].svi;
    auto diff = [&](double k) { return svi_total_variance(b, k) - svi_total_variance(a, k); };
    const auto [k, v] = grid_min(diff, opt.k_min, opt.k_max, opt.points);
    if (v < r.worst_dw) {
      r.worst_dw = v;
      r.worst_k = k;
      r.worst_slice = i;
    }
    const bool wings = b.b * (1.0 - b.rho) >= a.b * (1.0 - a.rho) && b.b * (1.0 + b.rho) >= a.b * (1.0 + a.rho);
    if (!wings && r.wings_ok) {
      r.wings_ok = false;
      r.wing_crossing_slice = i;
    }
  }
  if (slices_.size() < 2) r.worst_dw = 0.0;
  r.arbitrage_free = r.worst_dw >= 0.0 && r.wings_ok;
  return r;
}

Result<VolSurface> VolSurface::repaired(RepairReport* report, const ButterflyCheckOptions& bopt,
                                        const CalendarCheckOptions& copt) const {
  if (!(copt.k_min < copt.k_max) || copt.points < 3 || !std::isfinite(copt.k_min) || !std::isfinite(copt.k_max)) {
    return invalid("vol surface repair: calendar k range [" + fmt(copt.k_min) + ", " + fmt(copt.k_max) + "] invalid");
  }
  RepairReport rep;
  std::vector<SurfaceSlice> s = slices_;
  for (std::size_t i = 0; i < s.size(); ++i) {
    KEEL_TRY(bf, svi_butterfly_check(s[i].svi, bopt));
    if (bf.arbitrage_free) continue;
    const std::string name = "vol surface repair: slice " + std::to_string(i) + " (t=" + fmt(s[i].t) + ")";
    auto jw = svi_raw_to_jw(s[i].svi, s[i].t);
    if (!jw.ok()) return jw.error().with_context(name);
    auto fixed = svi_jw_butterfly_repair(*jw);
    if (!fixed.ok()) return fixed.error().with_context(name);
    auto raw = svi_jw_to_raw(*fixed);
    if (!raw.ok()) return raw.error().with_context(name);
    s[i].svi = *raw;
    rep.butterfly_repaired.push_back(i);
  }
  rep.calendar_lift.assign(s.size(), 0.0);
  for (std::size_t i = 1; i < s.size(); ++i) {
    const SviRaw prev = s[i - 1].svi;
    const SviRaw cur = s[i].svi;
    auto diff = [&](double k) { return svi_total_variance(cur, k) - svi_total_variance(prev, k); };
    const auto [k, v] = grid_min(diff, copt.k_min, copt.k_max, copt.points);
    (void)k;
    if (v < 0.0) {
      // Lift by the deficit plus a few ulps of w so rounding cannot leave a hair of crossing.
      const double lift = -v + 4.0 * std::numeric_limits<double>::epsilon() * (1.0 + std::fabs(cur.a));
      s[i].svi.a += lift;
      rep.calendar_lift[i] = lift;
    }
  }
  KEEL_TRY(out, make(std::move(s)));
  rep.butterfly_after = out.butterfly_check(bopt);
  rep.calendar_after = out.calendar_check(copt);
  rep.arbitrage_free = rep.calendar_after.arbitrage_free;
  for (const ButterflyReport& b : rep.butterfly_after) rep.arbitrage_free = rep.arbitrage_free && b.arbitrage_free;
  if (report != nullptr) *report = std::move(rep);
  return out;
}

Result<double> VolSurface::atm_vol(double t) const { return implied_vol(0.0, t); }

Result<double> VolSurface::strike_for_delta(double delta, OptionRight right, double t, double delta_discount) const {
  if (!std::isfinite(delta) || !(delta > 0.0 && delta < 1.0)) return invalid("delta " + fmt(delta) + " must lie in (0, 1)");
  if (!std::isfinite(delta_discount) || !(delta_discount > 0.0 && delta_discount <= 1.0)) {
    return invalid("delta_discount " + fmt(delta_discount) + " must lie in (0, 1]");
  }
  if (right != OptionRight::kCall && right != OptionRight::kPut) return invalid("strike_for_delta: right must be call or put");
  if (!std::isfinite(t) || !(t > 0.0)) return invalid("strike_for_delta: t " + fmt(t) + " must be finite and > 0");
  // Target for N(d1): call D N(d1) = Δ; put D (N(d1) - 1) = -Δ.
  const double target = right == OptionRight::kCall ? delta / delta_discount : 1.0 - delta / delta_discount;
  if (!(target > 0.0 && target < 1.0)) {
    return invalid("delta " + fmt(delta) + " is not reachable with delta_discount " + fmt(delta_discount));
  }
  auto f = [&](double k) {
    const double w = w_unchecked(k, t);
    if (!(w > 0.0)) return kInf;
    const double sw = std::sqrt(w);
    return norm_cdf(-k / sw + 0.5 * sw) - target;  // decreasing in k on an arbitrage-free smile
  };
  // Bracket the root: f > 0 at lo, f < 0 at hi.
  double lo = 0.0, hi = 0.0;
  double step = 0.25;
  bool found = false;
  for (int i = 0; i < 60 && !found; ++i) {
    const double fl = f(-step), fh = f(step);
    if (fl > 0.0 && fh < 0.0) {
      lo = -step;
      hi = step;
      found = true;
    }
    step *= 1.5;
    if (step > 50.0) break;
  }
  if (!found) {
    return invalid("strike_for_delta: no strike with delta " + fmt(delta) + " at t " + fmt(t) + " within |k| <= 50");
  }
  for (int i = 0; i < 200 && hi - lo > 1e-15 * (1.0 + std::fabs(lo)); ++i) {
    const double mid = 0.5 * (lo + hi);
    if (f(mid) > 0.0) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

Result<SmileFigures> VolSurface::smile_figures(double t, double delta, double delta_discount) const {
  SmileFigures out;
  KEEL_TRY(atm, atm_vol(t));
  KEEL_TRY(kc, strike_for_delta(delta, OptionRight::kCall, t, delta_discount));
  KEEL_TRY(kp, strike_for_delta(delta, OptionRight::kPut, t, delta_discount));
  KEEL_TRY(vc, implied_vol(kc, t));
  KEEL_TRY(vp, implied_vol(kp, t));
  out.atm_vol = atm;
  out.k_call = kc;
  out.k_put = kp;
  out.call_vol = vc;
  out.put_vol = vp;
  out.risk_reversal = vc - vp;
  out.butterfly = 0.5 * (vc + vp) - atm;
  return out;
}

Result<double> VolSurface::term_structure_slope(double t1, double t2) const {
  if (!(std::isfinite(t1) && std::isfinite(t2) && t1 > 0.0 && t2 > t1)) {
    return invalid("term structure slope: need 0 < t1 < t2, got t1 " + fmt(t1) + ", t2 " + fmt(t2));
  }
  KEEL_TRY(v1, atm_vol(t1));
  KEEL_TRY(v2, atm_vol(t2));
  return (v2 - v1) / (t2 - t1);
}

}  // namespace keel::analytics
