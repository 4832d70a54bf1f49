#include "keel/analytics/svi.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>

#include "keel/analytics/ssvi.hpp"

namespace keel::analytics {
namespace {

// Gatheral & Jacquier (2014), section 3.3 / Example 5.1: the "Vogt" slice at t = 1.
const SviRaw kVogt{-0.0410, 0.1331, 0.3586, 0.3060, 0.4153};

TEST(Svi, VogtJwMatchesPaper) {
  // Paper: (v, ψ, p, c, ṽ) = (0.01742625, -0.1752111, 0.6997381, 1.316798, 0.0116249), printed
  // to 7 significant digits, so each must agree within half a unit of the last printed digit.
  auto jw = svi_raw_to_jw(kVogt, 1.0);
  ASSERT_TRUE(jw.ok()) << jw.error().message;
  EXPECT_NEAR(jw->v, 0.01742625, 5e-9);
  EXPECT_NEAR(jw->psi, -0.1752111, 5e-8);
  EXPECT_NEAR(jw->p, 0.6997381, 5e-8);
  EXPECT_NEAR(jw->c, 1.316798, 5e-7);
  EXPECT_NEAR(jw->v_tilde, 0.0116249, 5e-8);
}

TEST(Svi, PublishedJwMapsBackToVogtRaw) {
  // The printed JW values are rounded, so the raw parameters come back to ~1e-5, well inside
  // the 4 printed decimals of (a, b, m, ρ, σ).
  auto raw = svi_jw_to_raw(SviJw{0.01742625, -0.1752111, 0.6997381, 1.316798, 0.0116249, 1.0});
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  EXPECT_NEAR(raw->a, -0.0410, 5e-5);
  EXPECT_NEAR(raw->b, 0.1331, 5e-5);
  EXPECT_NEAR(raw->m, 0.3586, 5e-5);
  EXPECT_NEAR(raw->rho, 0.3060, 5e-5);
  EXPECT_NEAR(raw->sigma, 0.4153, 5e-5);
}

TEST(Svi, VogtSliceHasButterflyArbitrage) {
  // Paper figure 2 (g(k) for the Vogt slice): g dips below zero on the right, around
  // k ≈ 0.7–1.0, and is positive at the money and on the left.
  auto rep = svi_butterfly_check(kVogt, ButterflyCheckOptions{-1.5, 1.5, 301});
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_FALSE(rep->arbitrage_free);
  EXPECT_LT(rep->worst_g, 0.0);
  EXPECT_GE(rep->worst_k, 0.7);
  EXPECT_LE(rep->worst_k, 1.0);
  EXPECT_TRUE(rep->wings_ok);  // the arbitrage is not in the wings: b(1+|ρ|) = 0.174 < 2
  EXPECT_GT(svi_density_g(kVogt, 0.0), 0.0);
  EXPECT_GT(svi_density_g(kVogt, -1.0), 0.0);
  EXPECT_LT(svi_density_g(kVogt, 0.85), 0.0);
  // The refined minimum is a local minimum of g: neighbours on either side are not lower.
  EXPECT_LE(rep->worst_g, svi_density_g(kVogt, rep->worst_k - 1e-4));
  EXPECT_LE(rep->worst_g, svi_density_g(kVogt, rep->worst_k + 1e-4));
}

TEST(Svi, JwRepairReproducesPaper) {
  // Paper section 5.2: c' = p + 2ψ = 0.3493158, ṽ' = 4pc'/(p + c')²·v = 0.01548182.
  auto jw = svi_raw_to_jw(kVogt, 1.0);
  ASSERT_TRUE(jw.ok());
  auto fixed = svi_jw_butterfly_repair(*jw);
  ASSERT_TRUE(fixed.ok()) << fixed.error().message;
  EXPECT_NEAR(fixed->c, 0.3493158, 5e-8);
  EXPECT_NEAR(fixed->v_tilde, 0.01548182, 5e-9);
  EXPECT_EQ(fixed->v, jw->v);
  EXPECT_EQ(fixed->psi, jw->psi);
  EXPECT_EQ(fixed->p, jw->p);
  // From the printed (rounded) JW inputs: p + 2ψ = 0.6997381 - 0.3504222 = 0.3493159 by hand.
  auto fixed2 = svi_jw_butterfly_repair(SviJw{0.01742625, -0.1752111, 0.6997381, 1.316798, 0.0116249, 1.0});
  ASSERT_TRUE(fixed2.ok());
  EXPECT_NEAR(fixed2->c, 0.3493159, 1e-12);
  EXPECT_NEAR(fixed2->v_tilde, 0.01548182, 5e-9);

  // The repaired slice is free of butterfly arbitrage, keeps the ATM variance and skew.
  auto raw = svi_jw_to_raw(*fixed);
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  auto rep = svi_butterfly_check(*raw, ButterflyCheckOptions{-6.0, 6.0, 1201});
  ASSERT_TRUE(rep.ok());
  EXPECT_TRUE(rep->arbitrage_free) << "worst g " << rep->worst_g << " at k " << rep->worst_k;
  EXPECT_NEAR(svi_total_variance(*raw, 0.0), svi_total_variance(kVogt, 0.0), 1e-15);
  const SviPoint p0 = svi_point(*raw, 0.0), q0 = svi_point(kVogt, 0.0);
  EXPECT_NEAR(p0.dw_dk, q0.dw_dk, 1e-14);
}

TEST(Svi, DerivativesMatchFiniteDifferences) {
  const double h = 1e-4;
  for (double k : {-2.0, -0.7, 0.0, 0.3586, 0.9, 2.5}) {
    const double wp = svi_total_variance(kVogt, k + h), wm = svi_total_variance(kVogt, k - h);
    const double w0 = svi_total_variance(kVogt, k);
    const SviPoint p = svi_point(kVogt, k);
    EXPECT_DOUBLE_EQ(p.w, w0);
    EXPECT_NEAR(p.dw_dk, (wp - wm) / (2 * h), 1e-8) << k;
    EXPECT_NEAR(p.d2w_dk2, (wp - 2 * w0 + wm) / (h * h), 1e-5) << k;
  }
  // Hand-worked: at k = m, w = a + bσ = -0.0410 + 0.1331·0.4153 = 0.01427643.
  EXPECT_NEAR(svi_total_variance(kVogt, 0.3586), 0.01427643, 1e-15);
  EXPECT_NEAR(svi_implied_vol(kVogt, 0.3586, 0.25), std::sqrt(0.01427643 / 0.25), 1e-15);
  EXPECT_NEAR(kVogt.min_total_variance(), 0.0116249, 5e-8);
}

TEST(Svi, SsviSliceIsAnSviSlice) {
  // Gatheral–Jacquier Lemma 3.3: SSVI(θ, ρ, φ) is raw SVI with a = θ(1-ρ²)/2, b = θφ/2,
  // m = -ρ/φ, σ = √(1-ρ²)/φ. Compared against ssvi.hpp's independent formula.
  for (double rho : {-0.7, -0.2, 0.0, 0.4}) {
    const double theta = 0.09, phi = 2.3;
    const SviRaw s = svi_from_ssvi_slice(theta, rho, phi);
    ASSERT_TRUE(s.validate().ok());
    for (double k = -2.0; k <= 2.0; k += 0.25) {
      EXPECT_NEAR(svi_total_variance(s, k), ssvi_total_variance(k, theta, rho, phi), 1e-15);
      EXPECT_NEAR(svi_density_g(s, k), ssvi_density_g(k, theta, rho, phi), 1e-12);
    }
  }
}

TEST(Svi, ValidationNamesTheField) {
  auto msg = [](const Status& st) { return st.ok() ? std::string() : st.error().message; };
  EXPECT_NE(msg(SviRaw{0.01, -0.1, 0.0, 0.0, 0.1}.validate()).find("b -0.1"), std::string::npos);
  EXPECT_NE(msg(SviRaw{0.01, 0.1, 0.0, 1.0, 0.1}.validate()).find("rho"), std::string::npos);
  EXPECT_NE(msg(SviRaw{0.01, 0.1, 0.0, 0.0, 0.0}.validate()).find("sigma"), std::string::npos);
  EXPECT_NE(msg(SviRaw{NAN, 0.1, 0.0, 0.0, 0.1}.validate()).find("a nan"), std::string::npos);
  EXPECT_NE(msg(SviRaw{-0.5, 0.1, 0.0, 0.0, 0.1}.validate()).find("minimum total variance"), std::string::npos);
  EXPECT_NE(msg(SviJw{0.02, 0.5, 0.7, 0.9, 0.01, 1.0}.validate()).find("psi"), std::string::npos);
  EXPECT_NE(msg(SviJw{0.02, 0.0, 0.7, 0.9, 0.03, 1.0}.validate()).find("v_tilde"), std::string::npos);
  EXPECT_NE(msg(SviJw{0.02, 0.0, 0.7, 0.9, 0.01, 0.0}.validate()).find("t 0"), std::string::npos);
  auto r = svi_raw_to_jw(kVogt, -1.0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("t -1"), std::string::npos);
  auto bc = svi_butterfly_check(kVogt, ButterflyCheckOptions{1.0, -1.0, 10});
  ASSERT_FALSE(bc.ok());
  EXPECT_NE(bc.error().message.find("k range"), std::string::npos);
}

TEST(Svi, DegenerateJwCases) {
  // m = 0 (β = 0) with ρ ≠ 0: σ = (v - ṽ)t/(b(1 - √(1-ρ²))). Round trip through raw.
  const SviRaw s{0.01, 0.2, 0.0, -0.5, 0.3};
  auto jw = svi_raw_to_jw(s, 0.5);
  ASSERT_TRUE(jw.ok());
  auto back = svi_jw_to_raw(*jw);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_NEAR(back->m, 0.0, 1e-12);
  EXPECT_NEAR(back->sigma, 0.3, 1e-12);
  EXPECT_NEAR(back->a, 0.01, 1e-12);
  // m = 0 and ρ = 0: w(0) = a + bσ is the minimum, so v = ṽ and σ cannot be recovered.
  const SviRaw flat{0.01, 0.2, 0.0, 0.0, 0.3};
  auto jw2 = svi_raw_to_jw(flat, 1.0);
  ASSERT_TRUE(jw2.ok());
  auto back2 = svi_jw_to_raw(*jw2);
  ASSERT_FALSE(back2.ok());
  EXPECT_NE(back2.error().message.find("undetermined"), std::string::npos);
}

RC_GTEST_PROP(SviProp, RawJwRoundTrip, ()) {
  // a is set from a drawn minimum total variance so every draw is a valid slice.
  SviRaw s{0.0, *rc::gen::inRange(10, 2000) * 1e-4, *rc::gen::inRange(-1000, 1000) * 1e-3,
           *rc::gen::inRange(-950, 951) * 1e-3, *rc::gen::inRange(20, 1500) * 1e-3};
  s.a = *rc::gen::inRange(1, 2000) * 1e-4 - s.b * s.sigma * std::sqrt(1.0 - s.rho * s.rho);
  RC_PRE(std::fabs(s.m) > 1e-3);
  const double t = *rc::gen::inRange(1, 3000) * 1e-3;
  auto jw = svi_raw_to_jw(s, t);
  RC_ASSERT(jw.ok());
  // When the minimum of w sits at k ≈ 0, v - ṽ is quadratic in the offset and JW carries m and
  // σ only to ~√eps (Lemma 3.2 divides two vanishing quantities); such draws are left out.
  RC_PRE(jw->v - jw->v_tilde > 1e-3 * jw->v);
  auto back = svi_jw_to_raw(*jw);
  RC_ASSERT(back.ok());
  // Compare the smiles (the invariant object) and the parameters.
  for (double k = -2.0; k <= 2.0; k += 0.5) {
    RC_ASSERT(std::fabs(svi_total_variance(*back, k) - svi_total_variance(s, k)) <= 1e-12);
  }
  RC_ASSERT(std::fabs(back->b - s.b) <= 1e-10);
  RC_ASSERT(std::fabs(back->rho - s.rho) <= 1e-10);
  RC_ASSERT(std::fabs(back->m - s.m) <= 1e-7 * (1.0 + std::fabs(s.m)) / std::sqrt(1.0 - std::fabs(s.rho)));
  RC_ASSERT(std::fabs(back->sigma - s.sigma) <= 1e-7 * (1.0 + s.sigma) / std::sqrt(1.0 - std::fabs(s.rho)));
  // And JW -> raw -> JW.
  auto jw2 = svi_raw_to_jw(*back, t);
  RC_ASSERT(jw2.ok());
  RC_ASSERT(std::fabs(jw2->v - jw->v) <= 1e-12 * (1.0 + jw->v));
  RC_ASSERT(std::fabs(jw2->psi - jw->psi) <= 1e-10);
  RC_ASSERT(std::fabs(jw2->p - jw->p) <= 1e-10 * (1.0 + jw->p));
  RC_ASSERT(std::fabs(jw2->c - jw->c) <= 1e-10 * (1.0 + jw->c));
  RC_ASSERT(std::fabs(jw2->v_tilde - jw->v_tilde) <= 1e-12 * (1.0 + jw->v));
}

RC_GTEST_PROP(SviProp, RepairGivesTheSsviSliceAndNoArbitrageUnderTheorem42, ()) {
  SviRaw s{0.0, *rc::gen::inRange(100, 6000) * 1e-4, *rc::gen::inRange(-1000, 1000) * 1e-3,
           *rc::gen::inRange(-900, 901) * 1e-3, *rc::gen::inRange(20, 1000) * 1e-3};
  s.a = *rc::gen::inRange(10, 2000) * 1e-4 - s.b * s.sigma * std::sqrt(1.0 - s.rho * s.rho);
  auto jw = svi_raw_to_jw(s, 1.0);
  RC_ASSERT(jw.ok());
  RC_PRE(jw->psi > -0.5 * jw->p);  // c' = p + 2ψ must stay positive for a repair to exist
  auto fixed = svi_jw_butterfly_repair(*jw);
  RC_ASSERT(fixed.ok());
  // ṽ' = v(1 - ρ'²): ρ' ≈ 0 puts the minimum at k = 0, the ill-conditioned case noted above.
  RC_PRE(fixed->v - fixed->v_tilde > 1e-3 * fixed->v);
  auto raw = svi_jw_to_raw(*fixed);
  RC_ASSERT(raw.ok());
  // The repaired smile is SSVI with θ = v, ρ = (c'-p)/(c'+p), φ = (p+c')/√θ (paper section 5.2),
  // compared against ssvi.hpp's formula.
  const double theta = fixed->v, rho = (fixed->c - fixed->p) / (fixed->c + fixed->p);
  const double phi = (fixed->p + fixed->c) / std::sqrt(theta);
  for (double k = -2.0; k <= 2.0; k += 0.25) {
    RC_ASSERT(std::fabs(svi_total_variance(*raw, k) - ssvi_total_variance(k, theta, rho, phi)) <= 1e-12);
  }
  if (ssvi_butterfly_condition(theta, rho, phi)) {
    auto rep = svi_butterfly_check(*raw, ButterflyCheckOptions{-4.0, 4.0, 401});
    RC_ASSERT(rep.ok());
    RC_ASSERT(rep->worst_g >= -1e-12);
  }
}

}  // namespace
}  // namespace keel::analytics
