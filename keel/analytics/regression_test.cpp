// OLS, ridge and rolling OLS against independent values: NIST StRD Longley certified results,
// a hand-worked three-point HC0 case, the ridge closed form solved here by Gaussian
// elimination, and OLS refitted on each rolling window.
#include "keel/analytics/regression.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace keel::analytics {
namespace {

// NIST StRD, Longley (1967), https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml:
// y = Employed; x1 GNP deflator, x2 GNP, x3 Unemployed, x4 Armed Forces, x5 Population, x6 Year.
const std::vector<double> kLongleyY = {60323, 61122, 60171, 61187, 63221, 63639, 64989, 63761,
                                       66019, 67857, 68169, 66513, 68655, 69564, 69331, 70551};
const std::vector<std::vector<double>> kLongleyX = {
    {83.0, 88.5, 88.2, 89.5, 96.2, 98.1, 99.0, 100.0, 101.2, 104.6, 108.4, 110.8, 112.6, 114.2, 115.7, 116.9},
    {234289, 259426, 258054, 284599, 328975, 346999, 365385, 363112, 397469, 419180, 442769, 444546, 482704,
     502601, 518173, 554894},
    {2356, 2325, 3682, 3351, 2099, 1932, 1870, 3578, 2904, 2822, 2936, 4681, 3813, 3931, 4806, 4007},
    {1590, 1456, 1616, 1650, 3099, 3594, 3547, 3350, 3048, 2857, 2798, 2637, 2552, 2514, 2572, 2827},
    {107608, 108632, 109773, 110929, 112075, 113270, 115094, 116219, 117388, 118734, 120445, 121950, 123366,
     125368, 127852, 130081},
    {1947, 1948, 1949, 1950, 1951, 1952, 1953, 1954, 1955, 1956, 1957, 1958, 1959, 1960, 1961, 1962}};

TEST(Ols, LongleyMatchesNistCertifiedValues) {
  auto fit = fit_ols(kLongleyY, kLongleyX);
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  // Certified values (NIST StRD, Longley, "Certified Regression Statistics").
  const std::vector<double> b = {-3482258.63459582, 15.0618722713733,  -0.358191792925910E-01, -2.02022980381683,
                                 -1.03322686717359, -0.511041056535807E-01, 1829.15146461355};
  const std::vector<double> se = {890420.383607373,  84.9149257747669,  0.334910077722432E-01, 0.488399681651699,
                                  0.214274163161675, 0.226073200069370, 455.478499142212};
  ASSERT_EQ(fit->coefficients.size(), 7u);
  for (std::size_t j = 0; j < 7; ++j) {
    // Longley's condition number is ~1e9 (raw): 8 significant digits is what QR in double keeps.
    EXPECT_NEAR(fit->coefficients[j] / b[j], 1.0, 1e-8) << j;
    EXPECT_NEAR(fit->std_errors[j] / se[j], 1.0, 1e-8) << j;
  }
  EXPECT_NEAR(fit->sigma, 304.854073561965, 1e-7);
  EXPECT_NEAR(fit->r_squared, 0.995479004577296, 1e-12);
  EXPECT_NEAR(fit->rss, 836424.055505915, 1e-4);
  EXPECT_EQ(fit->dof_resid, 9u);
  // Adjusted R² from the certified R²: 1 − (1 − R²)(16 − 1)/(16 − 7).
  EXPECT_NEAR(fit->adj_r_squared, 1.0 - (1.0 - 0.995479004577296) * 15.0 / 9.0, 1e-12);
  EXPECT_EQ(fit->names[0], "const");
}

// x = 0, 1, 2; y = 0, 2, 1. By hand: x̄ = ȳ = 1, Sxx = 2, Sxy = 1 → slope 0.5, intercept 0.5;
// fitted 0.5, 1.0, 1.5; residuals −0.5, 1.0, −0.5; RSS 1.5, σ² = 1.5/(3−2) = 1.5.
// (X'X)⁻¹ = (1/6)[[5, −3], [−3, 3]] → classical var(a) = 1.5·5/6 = 1.25, var(b) = 1.5·3/6 = 0.75.
// Rows of X(X'X)⁻¹: [5/6, −1/2], [1/3, 0], [−1/6, 1/2]; HC0 = Σ m_i m_iᵀ e_i²:
// var(a) = (25/36·0.25 + 4/36·1 + 1/36·0.25) = 10.5/36, var(b) = (0.25·0.25 + 0 + 0.25·0.25) = 0.125.
// HC1 = n/(n−k) HC0 = 3·HC0.
TEST(Ols, HandWorkedHc0AndHc1) {
  const std::vector<double> y = {0, 2, 1};
  const std::vector<std::vector<double>> x = {{0, 1, 2}};
  auto fit = fit_ols(y, x);
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  EXPECT_NEAR(fit->coefficients[0], 0.5, 1e-14);
  EXPECT_NEAR(fit->coefficients[1], 0.5, 1e-14);
  EXPECT_NEAR(fit->residuals[1], 1.0, 1e-14);
  EXPECT_NEAR(fit->std_errors[0], std::sqrt(1.25), 1e-14);
  EXPECT_NEAR(fit->std_errors[1], std::sqrt(0.75), 1e-14);
  EXPECT_NEAR(fit->hc0_std_errors[0], std::sqrt(10.5 / 36.0), 1e-14);
  EXPECT_NEAR(fit->hc0_std_errors[1], std::sqrt(0.125), 1e-14);
  EXPECT_NEAR(fit->hc1_std_errors[0], std::sqrt(3 * 10.5 / 36.0), 1e-14);
  EXPECT_NEAR(fit->hc1_std_errors[1], std::sqrt(3 * 0.125), 1e-14);
  EXPECT_NEAR(fit->t_stats[1], 0.5 / std::sqrt(0.75), 1e-14);
  // TSS = Σ(y − 1)² = 2 → R² = 1 − 1.5/2 = 0.25.
  EXPECT_NEAR(fit->r_squared, 0.25, 1e-14);
}

TEST(Ols, NoInterceptUsesUncentredR2) {
  // y = 2x exactly plus one deviation: x = 1, 2, 3; y = 2, 4, 7. β = Σxy/Σx² = 31/14.
  const std::vector<double> y = {2, 4, 7};
  const std::vector<std::vector<double>> x = {{1, 2, 3}};
  OlsOptions o;
  o.intercept = false;
  auto fit = fit_ols(y, x, o);
  ASSERT_TRUE(fit.ok());
  const double beta = 31.0 / 14.0;
  EXPECT_NEAR(fit->coefficients[0], beta, 1e-14);
  double rss = 0;
  for (int i = 0; i < 3; ++i) rss += std::pow(y[i] - beta * x[0][i], 2);
  EXPECT_NEAR(fit->r_squared, 1.0 - rss / (4 + 16 + 49), 1e-14);
  EXPECT_NEAR(fit->std_errors[0], std::sqrt(rss / 2 / 14.0), 1e-14);
}

TEST(Ols, ErrorsNameTheProblem) {
  const std::vector<double> y = {1, 2, 3, 4};
  {
    const std::vector<std::vector<double>> x = {{1, 2, 3}};
    auto f = fit_ols(y, x, OlsOptions{true, {"spy"}, "y", true});
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.error().message.find("'spy' has 3 rows"), std::string::npos) << f.error().message;
  }
  {
    const std::vector<std::vector<double>> x = {{1, 2, NAN, 4}};
    auto f = fit_ols(y, x, OlsOptions{true, {"spy"}, "y", true});
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.error().message.find("'spy' row 2 is not finite"), std::string::npos) << f.error().message;
  }
  {
    const std::vector<double> yb = {1, INFINITY, 3, 4};
    const std::vector<std::vector<double>> x = {{1, 2, 3, 4}};
    auto f = fit_ols(yb, x);
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.error().message.find("y row 1"), std::string::npos) << f.error().message;
  }
  {
    const std::vector<std::vector<double>> x = {{1, 2, 3, 4}, {2, 4, 6, 8}};
    auto f = fit_ols(y, x, OlsOptions{true, {"a", "b"}, "y", true});
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.error().message.find("collinear"), std::string::npos) << f.error().message;
    EXPECT_TRUE(f.error().message.find("'a'") != std::string::npos ||
                f.error().message.find("'b'") != std::string::npos)
        << f.error().message;
  }
  {
    const std::vector<std::vector<double>> x = {{5, 5, 5, 5}};  // constant with an intercept
    auto f = fit_ols(y, x, OlsOptions{true, {"flat"}, "y", true});
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.error().message.find("singular"), std::string::npos) << f.error().message;
  }
  {
    const std::vector<std::vector<double>> x = {{1, 2, 3, 5}, {1, 0, 3, 1}, {0, 1, 1, 2}, {3, 1, 2, 2}};
    auto f = fit_ols(y, x);  // 4 rows, 5 parameters
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.error().message.find("4 rows for 5 parameters"), std::string::npos) << f.error().message;
  }
}

// Solves A z = b by Gaussian elimination with partial pivoting (the test's own oracle).
std::vector<double> gauss_solve(std::vector<std::vector<double>> A, std::vector<double> b) {
  const std::size_t n = b.size();
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t p = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::abs(A[r][c]) > std::abs(A[p][c])) p = r;
    std::swap(A[c], A[p]);
    std::swap(b[c], b[p]);
    for (std::size_t r = c + 1; r < n; ++r) {
      const double f = A[r][c] / A[c][c];
      for (std::size_t k = c; k < n; ++k) A[r][k] -= f * A[c][k];
      b[r] -= f * b[c];
    }
  }
  std::vector<double> z(n);
  for (std::size_t i = n; i-- > 0;) {
    double s = b[i];
    for (std::size_t k = i + 1; k < n; ++k) s -= A[i][k] * z[k];
    z[i] = s / A[i][i];
  }
  return z;
}

struct Sim {
  std::vector<double> y;
  std::vector<std::vector<double>> x;
};

Sim simulate(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 1.0);
  Sim s;
  s.x.assign(3, std::vector<double>(n));
  for (std::size_t i = 0; i < n; ++i) {
    s.x[0][i] = 10 + 2 * z(rng);
    s.x[1][i] = 0.5 * s.x[0][i] + z(rng);  // correlated with x1
    s.x[2][i] = -3 + 0.1 * z(rng);
    s.y.push_back(1.0 + 0.8 * s.x[0][i] - 1.5 * s.x[1][i] + 4.0 * s.x[2][i] + z(rng));
  }
  return s;
}

// Closed form b = (X̃'X̃ + λI)⁻¹ X̃'ỹ on the centred (and scaled) data, intercept ȳ − x̄'b.
std::vector<double> ridge_closed_form(const Sim& s, double lambda, bool intercept, bool standardize) {
  const std::size_t n = s.y.size(), p = s.x.size();
  std::vector<double> xbar(p, 0.0), sd(p, 1.0);
  double ybar = 0;
  if (intercept) {
    for (std::size_t i = 0; i < n; ++i) ybar += s.y[i] / static_cast<double>(n);
    for (std::size_t j = 0; j < p; ++j)
      for (std::size_t i = 0; i < n; ++i) xbar[j] += s.x[j][i] / static_cast<double>(n);
  }
  if (standardize) {
    for (std::size_t j = 0; j < p; ++j) {
      double m = 0, v = 0;
      for (double xi : s.x[j]) m += xi / static_cast<double>(n);
      for (double xi : s.x[j]) v += (xi - m) * (xi - m) / static_cast<double>(n - 1);
      sd[j] = std::sqrt(v);
    }
  }
  std::vector<std::vector<double>> A(p, std::vector<double>(p, 0.0));
  std::vector<double> rhs(p, 0.0);
  for (std::size_t a = 0; a < p; ++a) {
    for (std::size_t i = 0; i < n; ++i) rhs[a] += (s.x[a][i] - xbar[a]) / sd[a] * (s.y[i] - ybar);
    for (std::size_t b = 0; b < p; ++b)
      for (std::size_t i = 0; i < n; ++i) A[a][b] += (s.x[a][i] - xbar[a]) / sd[a] * (s.x[b][i] - xbar[b]) / sd[b];
    A[a][a] += lambda;
  }
  std::vector<double> b = gauss_solve(A, rhs);
  std::vector<double> out;
  double a0 = ybar;
  for (std::size_t j = 0; j < p; ++j) {
    b[j] /= sd[j];
    a0 -= xbar[j] * b[j];
  }
  if (intercept) out.push_back(a0);
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

TEST(Ridge, MatchesClosedForm) {
  const Sim s = simulate(60, 7);
  for (bool intercept : {false, true}) {
    for (bool standardize : {false, true}) {
      for (double lambda : {0.5, 3.0, 40.0}) {
        RidgeOptions o;
        o.lambda = lambda;
        o.intercept = intercept;
        o.standardize = standardize;
        auto fit = fit_ridge(s.y, s.x, o);
        ASSERT_TRUE(fit.ok()) << fit.error().message;
        const auto want = ridge_closed_form(s, lambda, intercept, standardize);
        ASSERT_EQ(fit->coefficients.size(), want.size());
        for (std::size_t j = 0; j < want.size(); ++j) {
          EXPECT_NEAR(fit->coefficients[j], want[j], 1e-9 * (1 + std::abs(want[j])))
              << "intercept " << intercept << " standardize " << standardize << " lambda " << lambda << " j " << j;
        }
      }
    }
  }
}

TEST(Ridge, SandwichStdErrorsMatchClosedForm) {
  // No intercept, no scaling: Var(b) = σ² A⁻¹ X'X A⁻¹, A = X'X + λI, σ² = RSS/(n − tr(A⁻¹X'X)).
  const Sim s = simulate(40, 11);
  const double lambda = 5.0;
  RidgeOptions o;
  o.lambda = lambda;
  o.intercept = false;
  auto fit = fit_ridge(s.y, s.x, o);
  ASSERT_TRUE(fit.ok());
  const std::size_t p = 3, n = s.y.size();
  std::vector<std::vector<double>> xtx(p, std::vector<double>(p, 0.0));
  for (std::size_t a = 0; a < p; ++a)
    for (std::size_t b = 0; b < p; ++b)
      for (std::size_t i = 0; i < n; ++i) xtx[a][b] += s.x[a][i] * s.x[b][i];
  auto A = xtx;
  for (std::size_t a = 0; a < p; ++a) A[a][a] += lambda;
  // M = A⁻¹ X'X column by column.
  std::vector<std::vector<double>> M(p, std::vector<double>(p));
  for (std::size_t c = 0; c < p; ++c) {
    std::vector<double> col(p);
    for (std::size_t r = 0; r < p; ++r) col[r] = xtx[r][c];
    const auto z = gauss_solve(A, col);
    for (std::size_t r = 0; r < p; ++r) M[r][c] = z[r];
  }
  double df = 0;
  for (std::size_t j = 0; j < p; ++j) df += M[j][j];
  EXPECT_NEAR(fit->effective_dof, df, 1e-10);
  double rss = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double f = 0;
    for (std::size_t j = 0; j < p; ++j) f += fit->coefficients[j] * s.x[j][i];
    rss += (s.y[i] - f) * (s.y[i] - f);
  }
  const double sigma2 = rss / (static_cast<double>(n) - df);
  // Var = σ² A⁻¹X'X A⁻¹ = σ² M A⁻¹.
  for (std::size_t j = 0; j < p; ++j) {
    std::vector<double> e(p, 0.0);
    e[j] = 1;
    const auto ainv_col = gauss_solve(A, e);  // column j of A⁻¹
    double v = 0;
    for (std::size_t k = 0; k < p; ++k) v += M[j][k] * ainv_col[k];
    EXPECT_NEAR(fit->std_errors[j], std::sqrt(sigma2 * v), 1e-9 * std::sqrt(sigma2 * v)) << j;
  }
}

TEST(Ridge, LambdaZeroIsOls) {
  const Sim s = simulate(50, 3);
  auto ols = fit_ols(s.y, s.x);
  RidgeOptions o;
  o.lambda = 0.0;
  o.standardize = true;
  auto ridge = fit_ridge(s.y, s.x, o);
  ASSERT_TRUE(ols.ok() && ridge.ok());
  for (std::size_t j = 0; j < 4; ++j) {
    EXPECT_NEAR(ridge->coefficients[j], ols->coefficients[j], 1e-9 * (1 + std::abs(ols->coefficients[j]))) << j;
    EXPECT_NEAR(ridge->std_errors[j], ols->std_errors[j], 1e-8 * ols->std_errors[j]) << j;
  }
  EXPECT_NEAR(ridge->effective_dof, 3.0, 1e-12);
  // A tiny penalty moves the fit continuously away from OLS.
  o.lambda = 1e-8;
  auto tiny = fit_ridge(s.y, s.x, o);
  ASSERT_TRUE(tiny.ok());
  for (std::size_t j = 0; j < 4; ++j) EXPECT_NEAR(tiny->coefficients[j], ols->coefficients[j], 1e-6) << j;
}

TEST(Ridge, RejectsBadLambdaAndFlatStandardizedRegressor) {
  const Sim s = simulate(20, 5);
  RidgeOptions o;
  o.lambda = -1;
  EXPECT_NE(fit_ridge(s.y, s.x, o).error().message.find("lambda"), std::string::npos);
  o.lambda = NAN;
  EXPECT_FALSE(fit_ridge(s.y, s.x, o).ok());
  o.lambda = 1;
  o.standardize = true;
  std::vector<std::vector<double>> x = s.x;
  x[1].assign(20, 2.0);
  o.names = {"a", "flat", "c"};
  auto f = fit_ridge(s.y, x, o);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("'flat' has zero variance"), std::string::npos) << f.error().message;
}

TEST(RollingOls, EachWindowEqualsOlsOnThatWindow) {
  const Sim s = simulate(40, 9);
  const std::size_t w = 12;
  auto roll = rolling_ols(s.y, s.x, w);
  ASSERT_TRUE(roll.ok()) << roll.error().message;
  ASSERT_EQ(roll->size(), 40u);
  for (std::size_t t = 0; t < 40; ++t) {
    if (t + 1 < w) {
      EXPECT_FALSE((*roll)[t].has_value()) << t;
      continue;
    }
    ASSERT_TRUE((*roll)[t].has_value()) << t;
    const std::size_t first = t + 1 - w;
    std::vector<double> yw(s.y.begin() + first, s.y.begin() + t + 1);
    std::vector<std::vector<double>> xw;
    for (const auto& c : s.x) xw.emplace_back(c.begin() + first, c.begin() + t + 1);
    auto ref = fit_ols(yw, xw);
    ASSERT_TRUE(ref.ok());
    for (std::size_t j = 0; j < 4; ++j) {
      EXPECT_DOUBLE_EQ((*roll)[t]->coefficients[j], ref->coefficients[j]);
      EXPECT_DOUBLE_EQ((*roll)[t]->std_errors[j], ref->std_errors[j]);
    }
  }
}

TEST(RollingOls, NoLookAheadAndErrors) {
  Sim s = simulate(30, 2);
  auto before = rolling_ols(s.y, s.x, 10);
  s.y[20] += 100.0;  // change row 20: outputs for t < 20 must not move
  auto after = rolling_ols(s.y, s.x, 10);
  ASSERT_TRUE(before.ok() && after.ok());
  for (std::size_t t = 9; t < 20; ++t) EXPECT_EQ((*before)[t]->coefficients, (*after)[t]->coefficients) << t;
  EXPECT_NE((*before)[20]->coefficients, (*after)[20]->coefficients);
  EXPECT_FALSE(rolling_ols(s.y, s.x, 4).ok());   // 4 rows for 4 parameters: no dof
  EXPECT_FALSE(rolling_ols(s.y, s.x, 31).ok());  // longer than the data
}

}  // namespace
}  // namespace keel::analytics
