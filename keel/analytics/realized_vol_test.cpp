#include "keel/analytics/realized_vol.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace keel::analytics {
namespace {

// Four hand-made daily bars. Every expected value below was worked with mpmath at 30 digits
// from the formulas in the header (the arithmetic is written out beside each check).
const std::vector<double> kOpen{100.0, 101.5, 101.0, 104.0};
const std::vector<double> kHigh{102.0, 103.0, 104.0, 105.0};
const std::vector<double> kLow{99.0, 100.0, 100.5, 102.0};
const std::vector<double> kClose{101.0, 102.0, 103.5, 102.5};
const OhlcSpan kBars{kOpen, kHigh, kLow, kClose};

TEST(RealizedVol, CloseToCloseByHand) {
  // r = ln(102/101), ln(103.5/102), ln(102.5/103.5)
  //   = 0.0098522964430116, 0.0145987994211527, -0.0097088141269609
  // r̄ = 0.0049140939123345; Σ(r-r̄)² / 2 = 1.66004402276104587e-4
  // √(252 · 1.66004402276e-4) = 0.204531438594604218
  auto v = realized_vol(VolEstimator::kCloseToClose, OhlcSpan{{}, {}, {}, kClose});
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_NEAR(*v, 0.204531438594604218, 1e-15);

  // Window of 2 returns, per-period (A = 1): at bar 2 {r1, r2}: |r2 - r1|/√2 = 0.0033562844427657;
  // at bar 3 {r2, r3}: |r3 - r2|/√2 = 0.0171880783743331.
  auto s = rolling_realized_vol(VolEstimator::kCloseToClose, kBars, 2, 1.0);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->size(), 4u);
  EXPECT_FALSE((*s)[0].has_value());
  EXPECT_FALSE((*s)[1].has_value());
  EXPECT_NEAR(*(*s)[2], 0.00335628444276568169, 1e-16);
  EXPECT_NEAR(*(*s)[3], 0.0171880783743331061, 1e-16);
}

TEST(RealizedVol, ParkinsonByHand) {
  // u = ln(H/L) = ln(102/99), ln(103/100), ln(104/100.5), ln(105/102)
  //   = 0.0298529631496812, 0.0295588022415444, 0.0342331716422422, 0.0289875368732523
  // σ² = Σu² / (4 ln2 · 4) = 3.40576074548938687e-4; √(252 σ²) = 0.29295933299066024
  auto v = realized_vol(VolEstimator::kParkinson, OhlcSpan{{}, kHigh, kLow, {}});
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_NEAR(*v, 0.292959332990660240, 1e-15);
  // Window 2, A = 1: √((u0² + u1²)/(8 ln 2)) = 0.0178404193606880 at bar 1, then
  // 0.0192068488443797 (bars 1-2) and 0.0190491885951257 (bars 2-3).
  auto s = rolling_realized_vol(VolEstimator::kParkinson, kBars, 2, 1.0);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_FALSE((*s)[0].has_value());
  EXPECT_NEAR(*(*s)[1], 0.0178404193606880247, 1e-16);
  EXPECT_NEAR(*(*s)[2], 0.0192068488443796735, 1e-16);
  EXPECT_NEAR(*(*s)[3], 0.0190491885951256535, 1e-16);
}

TEST(RealizedVol, GarmanKlassByHand) {
  // c = ln(C/O) = 0.0099503308531681, 0.0049140148024291, 0.0244510958641643, -0.0145281005629098
  // terms ½u² - (2ln2 - 1)c² = 4.07353053525461e-4, 4.27533335869315e-4, 3.55006584417728e-4,
  //   3.38605154948618e-4; mean 3.82124532190280468e-4; √(252 ·) = 0.310314972426324731
  auto v = realized_vol(VolEstimator::kGarmanKlass, kBars);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_NEAR(*v, 0.310314972426324731, 1e-15);
}

TEST(RealizedVol, RogersSatchellByHand) {
  // terms ln(H/C)ln(H/O) + ln(L/C)ln(L/O) = 3.96114772168410e-4, 4.37958581832160e-4,
  //   2.87037272406373e-4, 3.25554493727565e-4; mean 3.61666280033626981e-4;
  // √(252 ·) = 0.301893859772725419
  auto v = realized_vol(VolEstimator::kRogersSatchell, kBars);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_NEAR(*v, 0.301893859772725419, 1e-15);
}

TEST(RealizedVol, YangZhangByHand) {
  // Periods are bars 1..3 (n = 3): overnight o = ln(101.5/101), ln(101/102), ln(104/103.5)
  //   = 0.0049382816405826, -0.0098522964430116, 0.0048192864359489; sample var 7.23384506799718e-5
  // open-to-close c = bars 1..3 above, sample var 3.79845190065398e-4
  // RS mean over bars 1..3 = 3.50183449322033e-4
  // k = 0.34 / (1.34 + 4/2) = 0.101796407185628743
  // σ² = 7.2338450679972e-5 + k·3.79845190065398e-4 + (1-k)·3.50183449322033e-4
  //    = 4.25541358640550661e-4; √(252 σ²) = 0.327469727421358395
  auto v = realized_vol(VolEstimator::kYangZhang, kBars);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_NEAR(*v, 0.327469727421358395, 1e-15);
  auto s = rolling_realized_vol(VolEstimator::kYangZhang, kBars, 3);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_FALSE((*s)[2].has_value());  // the window of 3 periods needs bar 0's close first
  EXPECT_NEAR(*(*s)[3], 0.327469727421358395, 1e-15);
}

TEST(RealizedVol, EwmaRecursionByHand) {
  // Seed window 2: s² = (r1² + r2²)/2, r1 = 0.0098522964430116, r2 = 0.0145987994211527
  //   → s = 0.0124537682999971 at bar 2.
  // Bar 3: s² = 0.94 · s² + 0.06 · r3², r3 = -0.0097088141269609 → s = 0.0123063491126705,
  //   annualized √252 · s = 0.195357235795598874.
  auto s = rolling_ewma_vol(kClose, 2, 0.94, 1.0);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->size(), 4u);
  EXPECT_FALSE((*s)[0].has_value());
  EXPECT_FALSE((*s)[1].has_value());
  EXPECT_NEAR(*(*s)[2], 0.0124537682999971446, 1e-16);
  EXPECT_NEAR(*(*s)[3], 0.0123063491126704783, 1e-16);
  auto v = ewma_vol(kClose, 2);  // λ = 0.94 and A = 252 by default
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_NEAR(*v, 0.195357235795598874, 1e-15);
}

TEST(RealizedVol, EwmaOfConstantSquaredReturnsStaysPut) {
  // Closes growing by the same factor every day: every r² is the same, so the seed equals r²
  // and the recursion λ s² + (1-λ) r² keeps it there; the vol is |ln 1.01| for every λ.
  std::vector<double> close{100.0};
  for (int i = 0; i < 30; ++i) close.push_back(close.back() * 1.01);
  for (double lambda : {0.5, 0.94, 0.99}) {
    auto s = rolling_ewma_vol(close, 5, lambda, 1.0);
    ASSERT_TRUE(s.ok());
    for (std::size_t t = 5; t < close.size(); ++t) {
      EXPECT_NEAR(*(*s)[t], std::log(1.01), 1e-15) << t;
    }
  }
}

TEST(RealizedVol, RollingLastWindowEqualsWholeSample) {
  for (auto e : {VolEstimator::kCloseToClose, VolEstimator::kParkinson, VolEstimator::kGarmanKlass,
                 VolEstimator::kRogersSatchell, VolEstimator::kYangZhang}) {
    auto whole = realized_vol(e, kBars);
    const std::size_t periods = e == VolEstimator::kCloseToClose || e == VolEstimator::kYangZhang ? 3 : 4;
    auto s = rolling_realized_vol(e, kBars, periods);
    ASSERT_TRUE(whole.ok() && s.ok()) << to_string(e);
    EXPECT_DOUBLE_EQ(*s->back(), *whole) << to_string(e);
    // Exactly the entries before the first full window are empty.
    for (std::size_t t = 0; t < s->size(); ++t) {
      EXPECT_EQ((*s)[t].has_value(), t + 1 >= 4) << to_string(e) << " bar " << t;
    }
  }
}

// ---- Bad input: each an error naming the value ----

bool mentions(const Error& e, std::string_view what) {
  return e.message.find(what) != std::string::npos;
}

TEST(RealizedVol, BadInputNamesTheProblem) {
  {
    std::vector<double> c = kClose;
    c[2] = 0.0;
    auto v = realized_vol(VolEstimator::kCloseToClose, OhlcSpan{{}, {}, {}, c});
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(mentions(v.error(), "close[2]")) << v.error().message;
  }
  {
    std::vector<double> l = kLow;
    l[1] = -3.0;
    auto v = realized_vol(VolEstimator::kParkinson, OhlcSpan{{}, kHigh, l, {}});
    ASSERT_FALSE(v.ok());
    EXPECT_TRUE(mentions(v.error(), "low[1]")) << v.error().message;
  }
  {
    std::vector<double> h = kHigh;
    h[3] = NAN;
    auto v = realized_vol(VolEstimator::kGarmanKlass, OhlcSpan{kOpen, h, kLow, kClose});
    ASSERT_FALSE(v.ok());
    EXPECT_TRUE(mentions(v.error(), "high[3]")) << v.error().message;
  }
  {
    std::vector<double> h = kHigh;
    h[2] = 100.0;  // below the low of 100.5
    auto v = realized_vol(VolEstimator::kParkinson, OhlcSpan{{}, h, kLow, {}});
    ASSERT_FALSE(v.ok());
    EXPECT_TRUE(mentions(v.error(), "bar 2: high 100 < low 100.5")) << v.error().message;
  }
  {
    std::vector<double> c = kClose;
    c[0] = 98.0;  // below the low of 99
    auto v = realized_vol(VolEstimator::kRogersSatchell, OhlcSpan{kOpen, kHigh, kLow, c});
    ASSERT_FALSE(v.ok());
    EXPECT_TRUE(mentions(v.error(), "bar 0: close 98 outside")) << v.error().message;
  }
  {
    auto v = rolling_realized_vol(VolEstimator::kParkinson, kBars, 5);
    ASSERT_FALSE(v.ok());
    EXPECT_TRUE(mentions(v.error(), "window = 5 is longer than the 4 periods")) << v.error().message;
    auto w = rolling_realized_vol(VolEstimator::kCloseToClose, kBars, 4);
    ASSERT_FALSE(w.ok());
    EXPECT_TRUE(mentions(w.error(), "window = 4 is longer than the 3 periods")) << w.error().message;
  }
  for (std::size_t window : {0u, 1u}) {
    auto v = rolling_realized_vol(VolEstimator::kGarmanKlass, kBars, window);
    ASSERT_FALSE(v.ok());
    EXPECT_TRUE(mentions(v.error(), "window = " + std::to_string(window))) << v.error().message;
  }
  {
    auto v = realized_vol(VolEstimator::kCloseToClose, OhlcSpan{{}, {}, {}, std::span(kClose).first(1)});
    ASSERT_FALSE(v.ok());
    EXPECT_TRUE(mentions(v.error(), "window = 0")) << v.error().message;
  }
  {
    auto v = realized_vol(VolEstimator::kYangZhang, OhlcSpan{kOpen, kHigh, {}, kClose});
    ASSERT_FALSE(v.ok());
    EXPECT_TRUE(mentions(v.error(), "low column")) << v.error().message;
    auto w = realized_vol(VolEstimator::kGarmanKlass,
                          OhlcSpan{kOpen, kHigh, kLow, std::span(kClose).first(3)});
    ASSERT_FALSE(w.ok());
    EXPECT_TRUE(mentions(w.error(), "close has 3 values but open has 4")) << w.error().message;
  }
  {
    auto v = realized_vol(VolEstimator::kParkinson, kBars, 0.0);
    ASSERT_FALSE(v.ok());
    EXPECT_TRUE(mentions(v.error(), "annualization = 0")) << v.error().message;
  }
  for (double lambda : {0.0, 1.0, -0.1, std::nan("")}) {
    auto v = ewma_vol(kClose, 2, lambda);
    ASSERT_FALSE(v.ok());
    EXPECT_TRUE(mentions(v.error(), "lambda")) << v.error().message;
  }
  {
    auto v = ewma_vol(kClose, 4);
    ASSERT_FALSE(v.ok());
    EXPECT_TRUE(mentions(v.error(), "window = 4 is longer than the 3 periods")) << v.error().message;
  }
}

// ---- Simulated geometric Brownian motion with known σ ----

// Deterministic normals: Box–Muller on mt19937_64 (std::normal_distribution is not portable).
class Normals {
 public:
  explicit Normals(std::uint64_t seed) : rng_(seed) {}
  double uniform() {  // in (0, 1), never 0
    return (static_cast<double>(rng_() >> 11) + 0.5) * 0x1.0p-53;
  }
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(uniform()));
    const double th = 6.283185307179586477 * uniform();
    spare_ = r * std::sin(th);
    has_spare_ = true;
    return r * std::cos(th);
  }

 private:
  std::mt19937_64 rng_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

struct Bars {
  std::vector<double> open, high, low, close;
  OhlcSpan span() const { return {open, high, low, close}; }
};

// Driftless log-price Brownian motion, daily vol sigma_d intraday and an overnight jump of vol
// sigma_night. Each day is `steps` Gaussian steps; the high and low of the continuous path
// between two grid points are drawn exactly from the Brownian bridge's extremum law
// (max = (a + b + √((b-a)² - 2σ²Δt ln U))/2), so H and L carry no discrete-monitoring bias.
Bars simulate_gbm(std::size_t days, double sigma_d, double sigma_night, std::uint64_t seed) {
  Normals g(seed);
  const int steps = 50;
  const double dt = 1.0 / steps;
  const double var_step = sigma_d * sigma_d * dt;
  Bars b;
  double x = std::log(100.0);
  for (std::size_t d = 0; d < days; ++d) {
    if (d > 0) x += sigma_night * g.normal();
    const double open = x;
    double hi = x, lo = x;
    for (int s = 0; s < steps; ++s) {
      const double next = x + std::sqrt(var_step) * g.normal();
      const double diff2 = (next - x) * (next - x);
      const double mx = 0.5 * (x + next + std::sqrt(diff2 - 2.0 * var_step * std::log(g.uniform())));
      const double mn = 0.5 * (x + next - std::sqrt(diff2 - 2.0 * var_step * std::log(g.uniform())));
      hi = std::max(hi, mx);
      lo = std::min(lo, mn);
      x = next;
    }
    b.open.push_back(std::exp(open));
    b.high.push_back(std::exp(hi));
    b.low.push_back(std::exp(lo));
    b.close.push_back(std::exp(x));
  }
  return b;
}

double sd_over_sqrt_n(const std::vector<double>& x) {
  double m = 0.0;
  for (double v : x) m += v;
  m /= static_cast<double>(x.size());
  double s = 0.0;
  for (double v : x) s += (v - m) * (v - m);
  return std::sqrt(s / static_cast<double>(x.size() - 1) / static_cast<double>(x.size()));
}

TEST(RealizedVol, AllEstimatorsRecoverGbmSigma) {
  const double sigma_annual = 0.25;
  const double sigma_d = sigma_annual / std::sqrt(252.0);
  const std::size_t days = 4000;
  const Bars b = simulate_gbm(days, sigma_d, 0.0, 20260101);

  // Statistical bands from the per-period terms the estimators average (their standard error
  // of the mean, in variance units), converted to vol by δσ ≈ δσ²/(2σ) — computed here, in the
  // test, from the simulated bars.
  std::vector<double> cc, pk, gk, rs;
  for (std::size_t i = 0; i < days; ++i) {
    const double u = std::log(b.high[i] / b.low[i]), c = std::log(b.close[i] / b.open[i]);
    pk.push_back(u * u / (4.0 * std::log(2.0)));
    gk.push_back(0.5 * u * u - (2.0 * std::log(2.0) - 1.0) * c * c);
    rs.push_back(std::log(b.high[i] / b.close[i]) * std::log(b.high[i] / b.open[i]) +
                 std::log(b.low[i] / b.close[i]) * std::log(b.low[i] / b.open[i]));
    if (i > 0) {
      const double r = std::log(b.close[i] / b.close[i - 1]);
      cc.push_back(r * r);
    }
  }
  const double var_to_vol = std::sqrt(252.0) / (2.0 * sigma_d);
  struct Case {
    VolEstimator e;
    double band;
  };
  const Case cases[] = {
      {VolEstimator::kCloseToClose, 4.0 * sd_over_sqrt_n(cc) * var_to_vol},
      {VolEstimator::kParkinson, 4.0 * sd_over_sqrt_n(pk) * var_to_vol},
      {VolEstimator::kGarmanKlass, 4.0 * sd_over_sqrt_n(gk) * var_to_vol},
      {VolEstimator::kRogersSatchell, 4.0 * sd_over_sqrt_n(rs) * var_to_vol},
      // Yang–Zhang without overnight moves is k·(open-to-close variance) + (1-k)·RS: its band
      // is at most the larger of the two.
      {VolEstimator::kYangZhang, 4.0 * std::max(sd_over_sqrt_n(cc), sd_over_sqrt_n(rs)) * var_to_vol},
  };
  for (const Case& c : cases) {
    auto v = realized_vol(c.e, b.span());
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_NEAR(*v, sigma_annual, c.band) << to_string(c.e);
    // The bands themselves must be tight enough to mean something (CC: about 4·σ/√(2N)).
    EXPECT_LT(c.band, 0.025) << to_string(c.e);
  }
  // EWMA with λ = 0.94 has an effective sample of (1+λ)/(1-λ) ≈ 32 days: its relative
  // sampling error is about 1/√32 ≈ 18%; check it lands within 4 of those.
  auto ewma = ewma_vol(b.close, 20);
  ASSERT_TRUE(ewma.ok());
  EXPECT_NEAR(*ewma, sigma_annual, 4.0 * 0.18 * sigma_annual);
}

TEST(RealizedVol, RangeEstimatorsAreMoreEfficientThanCloseToClose) {
  // Rolling 20-day estimates over a long path: the root-mean-square error around the true σ is
  // smaller for Parkinson (efficiency ≈ 5.2 in variance, Parkinson 1980) and Garman–Klass
  // (≈ 7.4, Garman & Klass 1980) than for close-to-close; √5.2 ≈ 2.3, so a factor 1.5 is safe.
  const double sigma_annual = 0.30;
  const Bars b = simulate_gbm(3000, sigma_annual / std::sqrt(252.0), 0.0, 777);
  auto rmse = [&](VolEstimator e) {
    auto s = rolling_realized_vol(e, b.span(), 20);
    EXPECT_TRUE(s.ok());
    double sum = 0.0;
    int n = 0;
    for (const auto& v : *s) {
      if (!v) continue;
      sum += (*v - sigma_annual) * (*v - sigma_annual);
      ++n;
    }
    return std::sqrt(sum / n);
  };
  const double cc = rmse(VolEstimator::kCloseToClose);
  const double pk = rmse(VolEstimator::kParkinson);
  const double gk = rmse(VolEstimator::kGarmanKlass);
  const double yz = rmse(VolEstimator::kYangZhang);
  EXPECT_LT(pk * 1.5, cc);
  EXPECT_LT(gk * 1.5, cc);
  EXPECT_LT(gk, pk * 1.05);  // GK at least about as efficient as Parkinson
  EXPECT_LT(yz * 1.5, cc);
}

TEST(RealizedVol, OvernightJumpsSeenByCloseToCloseAndYangZhangOnly) {
  // Intraday σ_d and an overnight jump of σ_n = σ_d: the total daily variance is 2σ_d².
  // Close-to-close and Yang–Zhang estimate the total, √2 · 0.2; Rogers–Satchell sees only the
  // open-to-close part, 0.2 (bands: 4 sampling standard errors, ≤ 0.02 here).
  const double sd = 0.2 / std::sqrt(252.0);
  const Bars b = simulate_gbm(5000, sd, sd, 4242);
  auto cc = realized_vol(VolEstimator::kCloseToClose, b.span());
  auto yz = realized_vol(VolEstimator::kYangZhang, b.span());
  auto rs = realized_vol(VolEstimator::kRogersSatchell, b.span());
  ASSERT_TRUE(cc.ok() && yz.ok() && rs.ok());
  EXPECT_NEAR(*cc, 0.2 * std::sqrt(2.0), 0.02);
  EXPECT_NEAR(*yz, 0.2 * std::sqrt(2.0), 0.015);
  EXPECT_NEAR(*rs, 0.2, 0.01);
}

RC_GTEST_PROP(RealizedVol, NeverNaNAndScaleFree, ()) {
  // Random valid bars: every estimate is finite and non-negative, and multiplying every price
  // by the same factor leaves it unchanged (only log ratios enter).
  const auto n = *rc::gen::inRange<std::size_t>(3, 40);
  std::vector<double> o, h, l, c;
  for (std::size_t i = 0; i < n; ++i) {
    const double a = 1.0 + *rc::gen::inRange(0, 100000) / 100.0;
    const double z = 1.0 + *rc::gen::inRange(0, 100000) / 100.0;
    const double lo = std::min(a, z) * (1.0 - *rc::gen::inRange(0, 100) / 1000.0);
    const double hi = std::max(a, z) * (1.0 + *rc::gen::inRange(0, 100) / 1000.0);
    o.push_back(a);
    c.push_back(z);
    l.push_back(lo);
    h.push_back(hi);
  }
  const double f = 1.0 + *rc::gen::inRange(1, 1000) / 7.0;
  std::vector<double> o2, h2, l2, c2;
  for (std::size_t i = 0; i < n; ++i) {
    o2.push_back(o[i] * f);
    h2.push_back(h[i] * f);
    l2.push_back(l[i] * f);
    c2.push_back(c[i] * f);
  }
  for (auto e : {VolEstimator::kCloseToClose, VolEstimator::kParkinson, VolEstimator::kGarmanKlass,
                 VolEstimator::kRogersSatchell, VolEstimator::kYangZhang}) {
    auto v = realized_vol(e, OhlcSpan{o, h, l, c});
    auto w = realized_vol(e, OhlcSpan{o2, h2, l2, c2});
    RC_ASSERT(v.ok());
    RC_ASSERT(w.ok());
    RC_ASSERT(std::isfinite(*v));
    RC_ASSERT(*v >= 0.0);
    RC_ASSERT(std::abs(*v - *w) <= 1e-9 * (1.0 + *v));
  }
}

}  // namespace
}  // namespace keel::analytics
