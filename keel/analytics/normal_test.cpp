#include "keel/analytics/normal.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>

namespace keel::analytics {
namespace {

// Relative error in units of DBL_EPSILON.
double rel_eps(double got, double want) { return std::fabs(got - want) / std::fabs(want) / DBL_EPSILON; }

struct Pair {
  double x;
  double value;
};

// Φ(x): 40-digit values computed with mpmath 1.3 (`mpmath.ncdf` at mp.dps = 40), rounded to
// double. The central ones agree with Abramowitz & Stegun table 26.1 to its 15 printed digits
// (e.g. Φ(1) = 0.841344746068543, Φ(1.96) = 0.975002104851780).
constexpr Pair kCdf[] = {
    {-37.5, 4.6053530095819548438e-308}, {-30.0, 4.9067139271481870595e-198}, {-20.0, 2.7536241186062336951e-89},
    {-10.0, 7.619853024160526066e-24},   {-5.0, 2.8665157187919391167e-7},    {-3.0, 0.0013498980316300945267},
    {-1.96, 0.024997895148220436213},    {-1.0, 0.15865525393145705141},      {-0.5, 0.30853753872598689636},
    {-1e-8, 0.49999999601057719599},     {0.0, 0.5},                          {0.3, 0.61791142218895263307},
    {1.0, 0.84134474606854294859},       {1.5, 0.933192798731141934},         {1.96, 0.97500210485177956379},
    {2.5, 0.99379033467422386483},       {5.0, 0.99999971334842812081},
};

TEST(NormalCdf, MatchesHighPrecisionValues) {
  for (const auto& [x, want] : kCdf) {
    EXPECT_LE(rel_eps(norm_cdf(x), want), 4.0) << "x = " << x;
  }
}

TEST(NormalCdf, TailsAndSymmetry) {
  EXPECT_EQ(norm_cdf(-40.0), 0.0);  // Φ(-40) ≈ 3.7e-350 underflows
  EXPECT_EQ(norm_cdf(9.0), 1.0);    // 1 - Φ(9) ≈ 1.1e-19 < ulp(1)/2
  EXPECT_TRUE(std::isnan(norm_cdf(std::numeric_limits<double>::quiet_NaN())));
  for (double x = 0.0; x < 8.0; x += 0.37) {
    EXPECT_NEAR(norm_cdf(x) + norm_cdf(-x), 1.0, 2e-16) << x;
  }
}

TEST(NormalPdf, MatchesHighPrecisionValues) {
  // mpmath.npdf at 40 digits.
  EXPECT_LE(rel_eps(norm_pdf(0.0), 0.3989422804014326779399), 1.0);
  EXPECT_LE(rel_eps(norm_pdf(1.0), 0.2419707245191433497978), 2.0);
  EXPECT_LE(rel_eps(norm_pdf(-2.5), 0.01752830049356853736), 2.0);
  EXPECT_LE(rel_eps(norm_pdf(10.0), 7.694598626706420e-23), 16.0);  // exp(-50): x² error amplified
}

// Φ⁻¹(p): Wichura's AS 241 (Applied Statistics 37, 1988) prints PPND16 test values
// Φ⁻¹(0.25) = -0.6744897501960817, Φ⁻¹(0.001) = -3.090232306167814,
// Φ⁻¹(1e-20) = -9.262340089798408; the others are mpmath roots of Φ(x) = p at 60 digits for the
// exact double p.
constexpr Pair kInv[] = {
    {4.9406564584124654e-324, -38.467405617144346251},  // smallest subnormal
    {1e-300, -37.047096299361199237},
    {1e-100, -21.273453560965324294},
    {1e-20, -9.2623400897984075796},
    {1e-10, -6.3613409024040561991},
    {0.001, -3.0902323061678135354},
    {0.025, -1.9599639845400542118},
    {0.25, -0.6744897501960817432},
    {0.4, -0.25334710313579974132},
    {0.5, 0.0},
    {0.9, 1.2815515655446005935},
    {0.975, 1.9599639845400538556},
    {0.99, 2.3263478740408407676},
    {0.999, 3.0902323061678132778},
};

TEST(NormalInvCdf, MatchesPublishedAndHighPrecisionValues) {
  for (const auto& [p, want] : kInv) {
    const double got = norm_inv_cdf(p);
    if (want == 0.0) {
      EXPECT_EQ(got, 0.0);
    } else {
      EXPECT_LE(rel_eps(got, want), 4.0) << "p = " << p;
    }
  }
  // AS 241's printed 16-digit values.
  EXPECT_NEAR(norm_inv_cdf(0.25), -0.6744897501960817, 2e-16);
  EXPECT_NEAR(norm_inv_cdf(0.001), -3.090232306167814, 1e-15);
  EXPECT_NEAR(norm_inv_cdf(1e-20), -9.262340089798408, 3e-15);
}

// Acklam (2003) states a relative error below 1.15e-9 for the unrefined approximation; checked
// against the same high-precision values (the subnormal end excepted: its q = sqrt(-2 ln p)
// stays in range, but the paper's bound is stated for normal doubles).
TEST(NormalInvCdfApprox, WithinAcklamsPublishedBound) {
  for (const auto& [p, want] : kInv) {
    if (p < 1e-300) continue;
    const double got = norm_inv_cdf_approx(p);
    if (want == 0.0) {
      EXPECT_EQ(got, 0.0);
    } else {
      EXPECT_LE(std::fabs(got - want), 1.15e-9 * std::fabs(want)) << "p = " << p;
    }
  }
}

TEST(NormalInvCdf, NearOneHalfKeepsRelativePrecision) {
  // Φ⁻¹(1/2 + r) = √(2π)·r·(1 + O(r²)); the double nearest 0.5 - 1e-12 is 0.5 - r with
  // r = 0.5 - p exact (Sterbenz), and the 60-digit root is -2.5065728237018604669e-12.
  EXPECT_LE(rel_eps(norm_inv_cdf(0.5 - 1e-12), -2.5065728237018604669e-12), 4.0);
  EXPECT_LE(rel_eps(norm_inv_cdf(0.5 + 1e-12), 2.5065728237018604669e-12), 4.0);
}

TEST(NormalInvCdf, Endpoints) {
  EXPECT_EQ(norm_inv_cdf(0.0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(norm_inv_cdf(1.0), std::numeric_limits<double>::infinity());
  ASSERT_TRUE(checked_norm_inv_cdf(0.3).ok());
  EXPECT_EQ(*checked_norm_inv_cdf(0.3), norm_inv_cdf(0.3));
  for (double bad : {0.0, 1.0, -0.1, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
    auto r = checked_norm_inv_cdf(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("probability"), std::string::npos);
  }
  auto r = checked_norm_inv_cdf(1e-30);
  ASSERT_TRUE(r.ok());
}

TEST(NormalInvCdf, DeathOnInvalidProbability) {
  EXPECT_DEATH((void)norm_inv_cdf(1.5), "norm_inv_cdf");
}

// Round trip in x: Φ(x) = p is rounded by about eps·p, which moves Φ⁻¹ by eps·p/φ(x), so
// Φ⁻¹(Φ(x)) = x must hold to within a few times eps·(|x| + p/φ(x)).
RC_GTEST_PROP(NormalInvCdf, RoundTripInX, ()) {
  const double x = *rc::gen::map(rc::gen::inRange(-3700000, 800000), [](int i) { return i * 1e-5; });
  const double p = norm_cdf(x);
  RC_PRE(p > 0.0 && p < 1.0);
  const double back = norm_inv_cdf(p);
  const double tol = 8.0 * DBL_EPSILON * (std::fabs(x) + p / norm_pdf(x));
  RC_ASSERT(std::fabs(back - x) <= tol);
}

RC_GTEST_PROP(NormalInvCdf, MonotoneInP, ()) {
  const double a = *rc::gen::map(rc::gen::inRange(1, 1000000), [](int i) { return i * 1e-6; });
  const double b = std::nextafter(a, 1.0);
  RC_ASSERT(norm_inv_cdf(a) <= norm_inv_cdf(b));
}

}  // namespace
}  // namespace keel::analytics
