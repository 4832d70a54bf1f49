// keel/analytics/vol_surface.hpp — implied volatility surfaces: calibration of one SVI slice to
// option quotes, SSVI calibration of a whole surface, a surface object over several expiries
// with butterfly/calendar arbitrage checks and a repair step, interpolation in strike and expiry,
// ATM vol, 25-delta risk reversal and butterfly, term-structure slope.
//
// Contract:
// - Coordinates: k = ln(K/F_t) (log-moneyness against the forward of each expiry), t in years,
//   w(k, t) = σ_BS(k, t)²·t total implied variance. Callers map strikes with their forwards
//   (log_moneyness()).
// - One-slice fit (fit_svi_slice): the quasi-explicit method of Zeliade Systems ("Quasi-explicit
//   calibration of Gatheral's SVI model", 2009; De Marco & Martini). With y = (k - m)/σ the raw
//   smile is w = a + d·y + c·√(y² + 1), d = ρbσ, c = bσ, linear in (a, d, c). For fixed (m, σ) the
//   weighted least-squares problem in (a, d, c) subject to |d| <= c (|ρ| <= 1, b >= 0) and, by
//   default, c + |d| <= 2σ (Roger Lee's wing bound b(1 + |ρ|) <= 2) is a 3-variable convex QP
//   over a polygon; it is solved exactly by enumerating the interior, the 4 edges and the 4
//   vertices (equality-constrained normal equations) and keeping the best feasible candidate.
//   Candidates whose minimum variance a + √(c² - d²) is negative are rejected. An optimum on
//   the |ρ| = 1 face is returned with |ρ| = 1 - 1e-12 (SviRaw needs |ρ| < 1). The outer 2-D
//   problem in (m, ln σ) is solved by Nelder–Mead from the best point of a 5×5 start grid.
// - Objective: Σ λ_i (w(k_i) - w_i)², λ_i = ω_i/(2σ_i t)², which to first order is Σ ω_i
//   (σ_model(k_i) - σ_i)²: implied-vol errors weighted by ω_i. ω_i: kEqual 1; kVega the Black
//   vega φ(d1)√t of the quote (forward 1; favours near-the-money quotes); kInverseSpread
//   1/(ask_vol - bid_vol); kUser the quote's own weight.
// - A slice needs at least 5 quotes with 5 distinct k (5 SVI parameters); fewer is an error
//   naming the slice. Every quote is checked (finite k, vol > 0, bid < ask where used, weight
//   > 0) and an error names the slice, the quote index and the field.
// - SSVI surface (fit_ssvi_surface, ssvi.hpp power law): θ_t per expiry is the market ATM total
//   variance, w at k = 0 interpolated linearly in k between the two quotes around 0 (exact when
//   a k = 0 quote exists; error if k = 0 is not bracketed); θ must be non-decreasing in t (else
//   an error naming both expiries). Global (ρ, η, γ) minimise the same weighted objective over
//   all quotes by Nelder–Mead in unconstrained coordinates; by default within Remark 4.4's
//   region (γ <= 1/2, η(1 + |ρ|) <= 2), so the fitted surface is free of static arbitrage.
// - VolSurface: SVI raw slices at strictly increasing expiries. Strike interpolation is the SVI
//   formula itself. Expiry interpolation is linear in total variance at constant log-moneyness k
//   (k relative to each expiry's forward): w(k, t) = w_i(k) + (w_{i+1}(k) - w_i(k))(t - t_i)/
//   (t_{i+1} - t_i); before the first expiry w_1(k)·t/t_1, after the last w_N(k)·t/t_N (constant
//   implied vol along k). This keeps calendar-arbitrage freedom of the slices (w is increasing
//   in t at every k when the slices are), not necessarily butterfly freedom between slices.
// - Calendar check: w_{i+1}(k) >= w_i(k) on a k grid (refined by golden section), plus the wing
//   condition b_{i+1}(1 ± ρ_{i+1}) >= b_i(1 ± ρ_i) without which the slices cross beyond any grid.
// - Repair: butterfly first (each slice with g < 0 on the grid gets the Gatheral–Jacquier JW
//   repair of svi.hpp, c' = p + 2ψ, ṽ' = 4pc'v/(p + c')²), then calendar, earliest first: a later
//   slice that dips below the one before is lifted by the smallest constant Δa that removes the
//   crossing on the grid. The report lists every change and the checks after repair; a wing
//   crossing cannot be removed by a lift and stays reported.
// - Smile figures at expiry t: ATM vol σ(0, t) (ATM = forward); the Δ-strike solves
//   D_q·N(d1(k)) = Δ (call) or D_q·(N(d1(k)) - 1) = -Δ (put), d1 = -k/√w(k) + √w(k)/2, with
//   D_q = 1 for forward (undiscounted Black) delta or D_q = e^{-qt} for BSM spot delta — by
//   bisection, so it is exact to ~1e-14 in k. RR = σ_call - σ_put; BF = (σ_call + σ_put)/2 -
//   σ_ATM (the "smile" butterfly, not the broker strangle). Term-structure slope = (σ_ATM(t2) -
//   σ_ATM(t1))/(t2 - t1), per year.
// Validated (vol_surface_test.cpp): recovery of known SVI parameters from exact and noisy
// quotes, of the SVI form of SSVI slices (Gatheral–Jacquier Lemma 3.3) and of SSVI (ρ, η, γ);
// errors for short slices and bad quotes; hand-worked calendar lifts and interpolation; the
// paper's JW repair through the surface; Δ-strikes checked with bsm_greeks' delta.
// Thread safety: pure functions; VolSurface is an immutable value after construction.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keel/analytics/ssvi.hpp"
#include "keel/analytics/svi.hpp"
#include "keel/core/result.hpp"
#include "keel/model/instrument.hpp"

namespace keel::analytics {

enum class SliceWeighting { kEqual, kVega, kInverseSpread, kUser };

struct SliceQuote {
  double k = 0.0;        // ln(K/F)
  double vol = 0.0;      // mid implied vol (fitted)
  double bid_vol = 0.0;  // optional; both bid and ask are needed for kInverseSpread
  double ask_vol = 0.0;
  double weight = 1.0;   // used with kUser
};

// k = ln(strike/forward); error naming the field for non-positive or non-finite input.
Result<double> log_moneyness(double strike, double forward);
// A quote from bid/ask implied vols: vol = (bid + ask)/2; error unless 0 < bid < ask, finite.
Result<SliceQuote> quote_from_bid_ask(double k, double bid_vol, double ask_vol);

struct SviFitOptions {
  SliceWeighting weighting = SliceWeighting::kVega;
  bool enforce_lee_bound = true;  // c + |d| <= 2σ, i.e. b(1 + |ρ|) <= 2
  int max_iterations = 500;       // Nelder–Mead iterations
  double x_tolerance = 1e-10;     // simplex size in (m, ln σ) at which to stop
};

struct SviFit {
  SviRaw params;
  double t = 0.0;
  double rmse_vol = 0.0;           // unweighted RMS of σ_model - σ_mid
  double max_abs_vol_error = 0.0;  // max |σ_model - σ_mid|
  int iterations = 0;
  std::size_t quotes = 0;
};

// `label` names the slice in error messages (e.g. an expiry date); may be empty.
Result<SviFit> fit_svi_slice(std::span<const SliceQuote> quotes, double t, const SviFitOptions& opt = {},
                             std::string_view label = {});

struct ExpiryQuotes {
  double t = 0.0;
  std::span<const SliceQuote> quotes;
  std::string_view label;
};

struct SsviFitOptions {
  SliceWeighting weighting = SliceWeighting::kVega;
  bool arbitrage_free_region = true;  // γ in (0, 1/2], η(1 + |ρ|) <= 2 (Remark 4.4)
  int max_iterations = 2000;
  double x_tolerance = 1e-10;
};

struct SsviFit {
  SsviPowerLaw params;
  std::vector<double> t;
  std::vector<double> theta;  // ATM total variance per expiry
  double rmse_vol = 0.0;
  double max_abs_vol_error = 0.0;
  int iterations = 0;
};

// Expiries must have strictly increasing t.
Result<SsviFit> fit_ssvi_surface(std::span<const ExpiryQuotes> expiries, const SsviFitOptions& opt = {});

struct SurfaceSlice {
  double t = 0.0;
  SviRaw svi;
};

struct CalendarCheckOptions {
  double k_min = -3.0;
  double k_max = 3.0;
  std::size_t points = 601;
};

struct CalendarReport {
  bool arbitrage_free = true;  // no crossing on the grid and wings ordered
  double worst_dw = 0.0;       // min over pairs and k of w_{i+1}(k) - w_i(k) (>= 0 when free)
  double worst_k = 0.0;
  std::size_t worst_slice = 0;  // index i+1 of the later slice of the worst pair
  bool wings_ok = true;
  std::size_t wing_crossing_slice = 0;  // first later slice whose wing slope is below the earlier's
};

struct RepairReport {
  std::vector<std::size_t> butterfly_repaired;  // slice indices that got the JW repair
  std::vector<double> calendar_lift;            // Δa added to each slice (0 where untouched)
  std::vector<ButterflyReport> butterfly_after;
  CalendarReport calendar_after;
  bool arbitrage_free = false;  // every check passes after repair
};

struct SmileFigures {
  double atm_vol = 0.0;
  double call_vol = 0.0;  // σ at the Δ call strike
  double put_vol = 0.0;   // σ at the Δ put strike
  double k_call = 0.0;
  double k_put = 0.0;
  double risk_reversal = 0.0;  // call_vol - put_vol
  double butterfly = 0.0;      // (call_vol + put_vol)/2 - atm_vol
};

class VolSurface {
 public:
  // Slices must have finite, strictly increasing t > 0 and valid parameters (errors name the
  // slice index and field).
  static Result<VolSurface> make(std::vector<SurfaceSlice> slices);
  static Result<VolSurface> from_ssvi(const SsviFit& fit);

  const std::vector<SurfaceSlice>& slices() const noexcept { return slices_; }

  // Interpolated total variance and implied vol (see the contract). Errors: k or t not finite,
  // t <= 0, or a negative interpolated variance.
  Result<double> total_variance(double k, double t) const;
  Result<double> implied_vol(double k, double t) const;

  std::vector<ButterflyReport> butterfly_check(const ButterflyCheckOptions& opt = {}) const;
  CalendarReport calendar_check(const CalendarCheckOptions& opt = {}) const;
  // Returns the repaired surface; `report` (if not null) says what changed and what remains.
  Result<VolSurface> repaired(RepairReport* report, const ButterflyCheckOptions& bopt = {},
                              const CalendarCheckOptions& copt = {}) const;

  Result<double> atm_vol(double t) const;
  // Log-moneyness of the strike whose delta is `delta` (in (0, 1), sign implied by `right`:
  // 0.25 means a +0.25 call or a -0.25 put); delta_discount = 1 for forward delta or e^{-qt}
  // for BSM spot delta.
  Result<double> strike_for_delta(double delta, OptionRight right, double t, double delta_discount = 1.0) const;
  Result<SmileFigures> smile_figures(double t, double delta = 0.25, double delta_discount = 1.0) const;
  Result<double> term_structure_slope(double t1, double t2) const;

 private:
  explicit VolSurface(std::vector<SurfaceSlice> slices) : slices_(std::move(slices)) {}
  double w_unchecked(double k, double t) const noexcept;
  std::vector<SurfaceSlice> slices_;
};

}  // namespace keel::analytics
