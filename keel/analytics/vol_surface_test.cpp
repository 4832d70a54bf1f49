#include "keel/analytics/vol_surface.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "keel/analytics/black_scholes.hpp"
#include "keel/analytics/normal.hpp"
#include "keel/analytics/ssvi.hpp"

namespace keel::analytics {
namespace {

// Portable standard normal draws: Box–Muller on mt19937_64's 53-bit uniforms (std::
// normal_distribution is implementation-defined).
struct Normal {
  std::mt19937_64 rng;
  explicit Normal(std::uint64_t seed) : rng(seed) {}
  double uniform() { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; }
  double operator()() {
    const double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
};

std::vector<SliceQuote> quotes_from(const SviRaw& s, double t, double k_lo, double k_hi, int n) {
  std::vector<SliceQuote> q;
  for (int i = 0; i < n; ++i) {
    const double k = k_lo + (k_hi - k_lo) * i / (n - 1);
    q.push_back(SliceQuote{k, svi_implied_vol(s, k, t)});
  }
  return q;
}

// A typical equity slice: negative skew, b(1+|ρ|) = 0.6 within Lee's bound.
const SviRaw kTrue{0.02, 0.4, 0.1, -0.5, 0.2};

TEST(SviFit, RecoversExactParameters) {
  const double t = 0.5;
  const auto q = quotes_from(kTrue, t, -1.0, 0.6, 50);
  for (SliceWeighting wt : {SliceWeighting::kEqual, SliceWeighting::kVega}) {
    auto fit = fit_svi_slice(q, t, SviFitOptions{wt});
    ASSERT_TRUE(fit.ok()) << fit.error().message;
    EXPECT_NEAR(fit->params.a, kTrue.a, 1e-7);
    EXPECT_NEAR(fit->params.b, kTrue.b, 1e-7);
    EXPECT_NEAR(fit->params.m, kTrue.m, 1e-7);
    EXPECT_NEAR(fit->params.rho, kTrue.rho, 1e-7);
    EXPECT_NEAR(fit->params.sigma, kTrue.sigma, 1e-7);
    EXPECT_LT(fit->max_abs_vol_error, 1e-9);
  }
}

TEST(SviFit, RecoversParametersUnderNoise) {
  // Mid vols with N(0, 0.002²) noise (20 bp of vol, a typical half-spread); the fitted smile must
  // stay within a few noise standard errors of the truth and the RMSE near the noise level.
  const double t = 0.25, noise = 0.002;
  auto q = quotes_from(kTrue, t, -1.0, 0.6, 50);
  Normal z(7);
  for (auto& x : q) x.vol += noise * z();
  auto fit = fit_svi_slice(q, t, SviFitOptions{SliceWeighting::kEqual});
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  EXPECT_GT(fit->rmse_vol, 0.5 * noise);
  EXPECT_LT(fit->rmse_vol, 1.5 * noise);
  for (double k = -0.9; k <= 0.5; k += 0.1) {
    EXPECT_NEAR(svi_implied_vol(fit->params, k, t), svi_implied_vol(kTrue, k, t), 3.0 * noise) << k;
  }
  EXPECT_NEAR(fit->params.rho, kTrue.rho, 0.15);
  EXPECT_NEAR(fit->params.m, kTrue.m, 0.1);
}

TEST(SviFit, SsviSliceGivesItsSviForm) {
  // Quotes from ssvi.hpp (the synthetic-market smile); the SVI fit must find the raw form of
  // Gatheral–Jacquier Lemma 3.3: a = θ(1-ρ²)/2, b = θφ/2, m = -ρ/φ, σ = √(1-ρ²)/φ.
  const SsviPowerLaw pl{-0.6, 1.0, 0.4};
  const double t = 0.75, theta = 0.2 * 0.2 * t;
  std::vector<SliceQuote> q;
  for (int i = 0; i < 40; ++i) {
    const double k = -0.8 + 1.2 * i / 39.0;
    q.push_back(SliceQuote{k, ssvi_implied_vol(k, theta, t, pl)});
  }
  auto fit = fit_svi_slice(q, t);
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  const double phi = pl.phi(theta), rho = pl.rho;
  EXPECT_NEAR(fit->params.a, theta * (1 - rho * rho) / 2, 1e-8);
  EXPECT_NEAR(fit->params.b, theta * phi / 2, 1e-7);
  EXPECT_NEAR(fit->params.m, -rho / phi, 1e-7);
  EXPECT_NEAR(fit->params.rho, rho, 1e-7);
  EXPECT_NEAR(fit->params.sigma, std::sqrt(1 - rho * rho) / phi, 1e-7);
}

TEST(SviFit, InverseSpreadWeightingDownweightsWideQuotes) {
  // Exact mids everywhere except three wide quotes whose mids are off by 2 vol points: with
  // inverse-spread weights (spread 40x wider there) the fit stays close to the truth; with equal
  // weights it is pulled away.
  const double t = 0.5;
  auto q = quotes_from(kTrue, t, -1.0, 0.6, 30);
  for (std::size_t i = 0; i < q.size(); ++i) {
    const bool wide = i == 3 || i == 15 || i == 26;
    const double half = wide ? 0.02 : 0.0005;
    if (wide) q[i].vol += 0.02;
    q[i].bid_vol = q[i].vol - half;
    q[i].ask_vol = q[i].vol + half;
  }
  auto by_spread = fit_svi_slice(q, t, SviFitOptions{SliceWeighting::kInverseSpread});
  auto equal = fit_svi_slice(q, t, SviFitOptions{SliceWeighting::kEqual});
  ASSERT_TRUE(by_spread.ok() && equal.ok());
  double e_spread = 0.0, e_equal = 0.0;
  for (double k = -0.9; k <= 0.5; k += 0.05) {
    const double v = svi_implied_vol(kTrue, k, t);
    e_spread = std::max(e_spread, std::fabs(svi_implied_vol(by_spread->params, k, t) - v));
    e_equal = std::max(e_equal, std::fabs(svi_implied_vol(equal->params, k, t) - v));
  }
  EXPECT_LT(e_spread, 0.5 * e_equal);
  EXPECT_LT(e_spread, 0.003);
}

TEST(SviFit, Errors) {
  const double t = 0.5;
  auto q = quotes_from(kTrue, t, -0.5, 0.5, 4);
  auto few = fit_svi_slice(q, t, {}, "2026-03-20");
  ASSERT_FALSE(few.ok());
  EXPECT_NE(few.error().message.find("'2026-03-20'"), std::string::npos) << few.error().message;
  EXPECT_NE(few.error().message.find("4 quotes, fewer than the 5 SVI parameters"), std::string::npos);

  auto dup = quotes_from(kTrue, t, -0.5, 0.5, 4);
  dup.push_back(dup[0]);
  dup.push_back(dup[1]);
  auto d = fit_svi_slice(dup, t);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("4 distinct strikes"), std::string::npos);

  auto bad = quotes_from(kTrue, t, -0.5, 0.5, 8);
  bad[5].vol = -0.1;
  auto b = fit_svi_slice(bad, t);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("quote 5"), std::string::npos);
  EXPECT_NE(b.error().message.find("vol -0.1"), std::string::npos);

  auto nospread = quotes_from(kTrue, t, -0.5, 0.5, 8);
  auto ns = fit_svi_slice(nospread, t, SviFitOptions{SliceWeighting::kInverseSpread});
  ASSERT_FALSE(ns.ok());
  EXPECT_NE(ns.error().message.find("quote 0"), std::string::npos);
  EXPECT_NE(ns.error().message.find("bid_vol"), std::string::npos);

  EXPECT_FALSE(fit_svi_slice(nospread, 0.0).ok());
  EXPECT_FALSE(quote_from_bid_ask(0.0, 0.3, 0.2).ok());
  EXPECT_NEAR(quote_from_bid_ask(0.0, 0.2, 0.3)->vol, 0.25, 1e-16);
  EXPECT_NEAR(*log_moneyness(110.0, 100.0), std::log(1.1), 1e-16);
  EXPECT_FALSE(log_moneyness(-1.0, 100.0).ok());
}

RC_GTEST_PROP(SviFitProp, RecoversRandomSlices, ()) {
  SviRaw s{0.0, *rc::gen::inRange(5, 60) * 0.01, *rc::gen::inRange(-30, 31) * 0.01,
           *rc::gen::inRange(-80, 81) * 0.01, *rc::gen::inRange(5, 60) * 0.01};
  s.a = *rc::gen::inRange(5, 80) * 1e-3 - s.b * s.sigma * std::sqrt(1 - s.rho * s.rho);
  RC_PRE(s.b * (1 + std::fabs(s.rho)) <= 1.9);
  const double t = *rc::gen::inRange(10, 200) * 0.01;
  const auto q = quotes_from(s, t, -1.2, 0.8, 50);
  auto fit = fit_svi_slice(q, t, SviFitOptions{SliceWeighting::kEqual});
  RC_ASSERT(fit.ok());
  // The smile is identified by the data; compare it (parameters can be weakly identified when
  // σ is small against the quote spacing).
  RC_ASSERT(fit->max_abs_vol_error < 1e-7);
}

// ---- SSVI surface ------------------------------------------------------------------------------

std::vector<std::vector<SliceQuote>> ssvi_chain(const SsviPowerLaw& pl, const std::vector<double>& ts,
                                                const std::vector<double>& thetas) {
  std::vector<std::vector<SliceQuote>> out;
  for (std::size_t e = 0; e < ts.size(); ++e) {
    std::vector<SliceQuote> q;
    const double width = 0.4 + std::sqrt(ts[e]);
    for (int i = -10; i <= 10; ++i) {  // includes k = 0 exactly
      const double k = width * i / 10.0;
      q.push_back(SliceQuote{k, ssvi_implied_vol(k, thetas[e], ts[e], pl)});
    }
    out.push_back(q);
  }
  return out;
}

TEST(SsviFit, RecoversPowerLaw) {
  const SsviPowerLaw pl{-0.65, 1.1, 0.35};
  const std::vector<double> ts{0.1, 0.25, 0.5, 1.0, 2.0};
  const std::vector<double> thetas{0.2 * 0.2 * 0.1, 0.19 * 0.19 * 0.25, 0.185 * 0.185 * 0.5, 0.18 * 0.18 * 1.0,
                                   0.18 * 0.18 * 2.0};
  const auto chain = ssvi_chain(pl, ts, thetas);
  std::vector<ExpiryQuotes> ex;
  for (std::size_t e = 0; e < ts.size(); ++e) ex.push_back(ExpiryQuotes{ts[e], chain[e], {}});
  auto fit = fit_ssvi_surface(ex);
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  EXPECT_NEAR(fit->params.rho, pl.rho, 1e-6);
  EXPECT_NEAR(fit->params.eta, pl.eta, 1e-6);
  EXPECT_NEAR(fit->params.gamma, pl.gamma, 1e-6);
  for (std::size_t e = 0; e < ts.size(); ++e) EXPECT_NEAR(fit->theta[e], thetas[e], 1e-15);
  EXPECT_LT(fit->max_abs_vol_error, 1e-7);

  // The surface built from it is free of static arbitrage (Remark 4.4 region).
  auto surf = VolSurface::from_ssvi(*fit);
  ASSERT_TRUE(surf.ok());
  EXPECT_TRUE(surf->calendar_check().arbitrage_free);
  for (const auto& r : surf->butterfly_check()) EXPECT_TRUE(r.arbitrage_free);
}

TEST(SsviFit, Errors) {
  const SsviPowerLaw pl{-0.5, 1.0, 0.4};
  auto chain = ssvi_chain(pl, {0.5, 1.0}, {0.02, 0.01});  // θ decreasing
  std::vector<ExpiryQuotes> ex{{0.5, chain[0], "Jun"}, {1.0, chain[1], "Dec"}};
  auto fit = fit_ssvi_surface(ex);
  ASSERT_FALSE(fit.ok());
  EXPECT_NE(fit.error().message.find("'Dec'"), std::string::npos) << fit.error().message;
  EXPECT_NE(fit.error().message.find("calendar arbitrage"), std::string::npos);
  // No quote at or above k = 0.
  std::vector<SliceQuote> left(chain[0].begin(), chain[0].begin() + 8);
  std::vector<ExpiryQuotes> ex2{{0.5, left, "Jun"}};
  auto f2 = fit_ssvi_surface(ex2);
  ASSERT_FALSE(f2.ok());
  EXPECT_NE(f2.error().message.find("both sides of k = 0"), std::string::npos);
}

// ---- Surface object ----------------------------------------------------------------------------

TEST(VolSurface, InterpolationIsLinearInTotalVariance) {
  const SviRaw s1{0.01, 0.1, 0.0, -0.3, 0.2}, s2{0.03, 0.15, 0.05, -0.4, 0.25};
  auto surf = VolSurface::make({{0.5, s1}, {1.5, s2}});
  ASSERT_TRUE(surf.ok()) << surf.error().message;
  for (double k : {-0.5, 0.0, 0.3}) {
    const double w1 = svi_total_variance(s1, k), w2 = svi_total_variance(s2, k);
    // t = 1.0 is halfway: w = (w1 + w2)/2; t = 0.25 scales the first slice: w1/2; t = 3 keeps
    // the last slice's vol: w2·2.
    EXPECT_NEAR(*surf->total_variance(k, 1.0), 0.5 * (w1 + w2), 1e-16);
    EXPECT_NEAR(*surf->total_variance(k, 0.25), 0.5 * w1, 1e-16);
    EXPECT_NEAR(*surf->total_variance(k, 3.0), 2.0 * w2, 1e-15);
    EXPECT_NEAR(*surf->implied_vol(k, 1.5), std::sqrt(w2 / 1.5), 1e-15);
  }
  EXPECT_FALSE(surf->total_variance(0.0, 0.0).ok());
  EXPECT_FALSE(surf->implied_vol(NAN, 1.0).ok());
  auto bad = VolSurface::make({{1.0, s1}, {0.5, s2}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("slice 1"), std::string::npos);
}

TEST(VolSurface, CalendarCheckAndLift) {
  // Slice 2 is slice 1 with a lowered by 0.004 and t later: w2 - w1 = -0.004 everywhere, so the
  // lift must be exactly 0.004 (to a few ulps) and leave w2 == w1, which is allowed.
  const SviRaw s1{0.02, 0.3, 0.0, -0.4, 0.2};
  SviRaw s2 = s1;
  s2.a -= 0.004;
  auto surf = VolSurface::make({{0.5, s1}, {1.0, s2}});
  ASSERT_TRUE(surf.ok());
  const CalendarReport cr = surf->calendar_check();
  EXPECT_FALSE(cr.arbitrage_free);
  EXPECT_NEAR(cr.worst_dw, -0.004, 1e-15);
  EXPECT_EQ(cr.worst_slice, 1u);
  RepairReport rep;
  auto fixed = surf->repaired(&rep);
  ASSERT_TRUE(fixed.ok()) << fixed.error().message;
  EXPECT_NEAR(rep.calendar_lift[1], 0.004, 1e-15);
  EXPECT_EQ(rep.calendar_lift[0], 0.0);
  EXPECT_TRUE(rep.calendar_after.arbitrage_free);
  EXPECT_TRUE(rep.arbitrage_free);
  EXPECT_TRUE(rep.butterfly_repaired.empty());

  // Wing crossing: a later slice with flatter wings crosses far out and a lift on [-3, 3] cannot
  // fix it everywhere; the check says so.
  const SviRaw s3{0.05, 0.1, 0.0, 0.0, 0.2};
  auto wings = VolSurface::make({{0.5, s1}, {1.0, s3}});
  ASSERT_TRUE(wings.ok());
  EXPECT_FALSE(wings->calendar_check().wings_ok);
  EXPECT_EQ(wings->calendar_check().wing_crossing_slice, 1u);
}

TEST(VolSurface, ButterflyRepairReproducesPaper) {
  // The Vogt slice (t = 1) inside a surface: repair applies Gatheral–Jacquier 5.2, giving
  // c' = 0.3493158, ṽ' = 0.01548182 (the paper's values).
  const SviRaw vogt{-0.0410, 0.1331, 0.3586, 0.3060, 0.4153};
  auto surf = VolSurface::make({{1.0, vogt}});
  ASSERT_TRUE(surf.ok());
  EXPECT_FALSE(surf->butterfly_check()[0].arbitrage_free);
  RepairReport rep;
  auto fixed = surf->repaired(&rep);
  ASSERT_TRUE(fixed.ok()) << fixed.error().message;
  ASSERT_EQ(rep.butterfly_repaired.size(), 1u);
  auto jw = svi_raw_to_jw(fixed->slices()[0].svi, 1.0);
  ASSERT_TRUE(jw.ok());
  EXPECT_NEAR(jw->c, 0.3493158, 5e-8);
  EXPECT_NEAR(jw->v_tilde, 0.01548182, 5e-9);
  EXPECT_TRUE(rep.arbitrage_free);
}

TEST(VolSurface, FlatSmileFigures) {
  // Flat 20% vol at t = 1 (b = 0, a = 0.04): RR = BF = 0 and the 25-delta call strike is the
  // closed form k = -N⁻¹(0.25)·σ√t + σ²t/2 (from N(d1) = 0.25, d1 = -k/(σ√t) + σ√t/2).
  auto surf = VolSurface::make({{1.0, SviRaw{0.04, 0.0, 0.0, 0.0, 0.1}}});
  ASSERT_TRUE(surf.ok());
  auto f = surf->smile_figures(1.0);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_NEAR(f->atm_vol, 0.2, 1e-15);
  EXPECT_NEAR(f->risk_reversal, 0.0, 1e-15);
  EXPECT_NEAR(f->butterfly, 0.0, 1e-15);
  // N⁻¹(0.25) = -0.674489750196081743 (Abramowitz & Stegun 26.2 / mpmath).
  EXPECT_NEAR(f->k_call, 0.674489750196081743 * 0.2 + 0.02, 1e-13);
  EXPECT_NEAR(f->k_put, -0.674489750196081743 * 0.2 + 0.02, 1e-13);
}

TEST(VolSurface, DeltaStrikesAgreeWithBlackScholesDelta) {
  // Skewed SSVI surface; the strikes found for ±25Δ (BSM spot delta with q = 2%) must give a
  // BSM delta of exactly ±0.25 when priced with black_scholes.hpp at the surface's vol there.
  const SsviPowerLaw pl{-0.7, 1.2, 0.4};
  SsviFit fit;
  fit.params = pl;
  fit.t = {0.25, 1.0};
  fit.theta = {0.22 * 0.22 * 0.25, 0.2 * 0.2 * 1.0};
  auto surf = VolSurface::from_ssvi(fit);
  ASSERT_TRUE(surf.ok());
  const double S = 100.0, r = 0.04, q = 0.02;
  for (double t : {0.25, 0.6, 1.0}) {
    const double F = S * std::exp((r - q) * t);
    const double dq = std::exp(-q * t);
    for (OptionRight right : {OptionRight::kCall, OptionRight::kPut}) {
      auto k = surf->strike_for_delta(0.25, right, t, dq);
      ASSERT_TRUE(k.ok()) << k.error().message;
      const double vol = *surf->implied_vol(*k, t);
      auto g = bsm_greeks(BsmInput{right, S, F * std::exp(*k), t, vol, r, q});
      ASSERT_TRUE(g.ok());
      EXPECT_NEAR(g->delta, right == OptionRight::kCall ? 0.25 : -0.25, 1e-12) << t;
    }
    auto fig = surf->smile_figures(t, 0.25, dq);
    ASSERT_TRUE(fig.ok());
    EXPECT_LT(fig->risk_reversal, 0.0);  // ρ < 0: puts richer than calls
    EXPECT_GT(fig->butterfly, 0.0);      // convex smile
    EXPECT_LT(fig->k_put, 0.0);
    EXPECT_GT(fig->k_call, 0.0);
  }
  // Term-structure slope between the two expiries: (√(θ2/t2) - √(θ1/t1))/(t2 - t1)
  // = (0.20 - 0.22)/0.75 by hand.
  auto slope = surf->term_structure_slope(0.25, 1.0);
  ASSERT_TRUE(slope.ok());
  EXPECT_NEAR(*slope, (0.20 - 0.22) / 0.75, 1e-14);
  EXPECT_FALSE(surf->term_structure_slope(1.0, 0.5).ok());
  EXPECT_FALSE(surf->strike_for_delta(1.5, OptionRight::kCall, 1.0).ok());
}

}  // namespace
}  // namespace keel::analytics
