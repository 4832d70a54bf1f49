// keel/analytics/implied_vol.hpp — implied volatility from a European option price, to full
// double precision, after P. Jäckel, "Let's Be Rational" (Wilmott, January 2015).
//
// Contract:
// - Works in Jäckel's normalised coordinates: x = ln(F/K), s = vol sqrt(T), and the normalised
//   undiscounted price b = price / (D sqrt(F K)). An in-the-money price is mapped to the
//   out-of-the-money one by put–call parity and every case to an out-of-the-money call (x <= 0).
// - The initial guess comes from rational cubic interpolations (Delbourgo & Gregory) on four
//   branches separated by the inflection point s_c = sqrt(2|x|) and the two points where its
//   tangent meets 0 and the upper bound; the outer branches interpolate transformed variables
//   (the lower map f ~ Phi(-|x|/(sqrt(3) s))^3, the upper map f = Phi(-s/2)). Then at most two
//   Householder steps of order 3 on the branch's objective (ln b on the lowest branch,
//   ln(b_max - b) on the highest, b elsewhere); the second is skipped when the first step's size
//   bounds the remaining price error (order-4 convergence) below 1e-13 (see solve_otm_call).
//   No loop runs until convergence.
// - b itself is evaluated without cancellation: with u = -x/s, t = s/2,
//   b = e^{-(u^2+t^2)/2}/sqrt(2 pi) [M(u-t) - M(u+t)], M the Mills ratio Phi(-z)/phi(z), and the
//   difference is taken as a divided difference of M's polynomial approximation, so small
//   s and deep out-of-the-money prices keep full relative precision (where Jäckel uses a small-t
//   Taylor series and an asymptotic expansion).
// - Batches (implied_vol_bsm_batch, implied_total_vol_batch) run the same method branch-free in
//   SIMD lanes (SSE2, AVX2 or AVX-512F, chosen at run time): the guess's common part with
//   per-lane selects, then lanes grouped by branch so that each runs its own branch's formulas
//   (on the lowest branch corrected by one Householder(3) step on ln b with a cheap b), one
//   Householder step of order 5, then a check |b(s) - beta| <= 2e-13 beta on an
//   exact evaluation; a lane that fails (~1e-4 of random cases) takes a second step and is checked
//   again, and a lane that fails that (extreme wings, ~2e-5) is solved by the scalar method. So
//   every batch result meets the same 1e-12 round-trip bound, but a batch and a scalar call may
//   differ in the last bits of the vol (both are correct to the bound: where the price hardly
//   depends on vol, deep in the money, the vols themselves may differ more). A batch result is
//   bit-identical whatever its neighbours, its position in the batch, the batch length and the
//   instruction set (tested).
// - Bounds: a price below the intrinsic value, equal to it (the implied vol is zero, or not
//   determined by a double: the time value is below the price's rounding), or at/above the upper
//   bound (F D for a call, K D for a put) is an error value saying which; never NaN, never a
//   clamp. Inputs outside the domain of black_scholes.hpp are errors naming the field.
// Validation (implied_vol_test.cpp): round trips price -> vol -> price with relative price error
// <= 1e-12 over |ln(F/K)| <= 3, vol 1%..500%, expiry 1 day..5 years (rapidcheck and a grid),
// normalised_black() against 40-digit mpmath values, out-of-bounds prices -> errors; the batches
// against the same round-trip bounds (rapidcheck, 200,000 random cases, through the BSM pricer),
// against the scalar API's statuses, for bit-identity across positions and SIMD levels, and for
// the share of lanes that need more than one step (detail::implied_total_vol_batch_lane_counts).
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "keel/analytics/black_scholes.hpp"  // SimdLevel
#include "keel/core/result.hpp"
#include "keel/model/instrument.hpp"

namespace keel::analytics {

// Jäckel's normalised Black function b(x, s) = price / (D sqrt(F K)) for x = ln(F/K), s = vol
// sqrt(T) >= 0, full relative precision. Preconditions (KEEL_ASSERT): x finite, s >= 0 finite.
double normalised_black(double x, double s, OptionRight right);

// Implied total volatility s = vol sqrt(T) from a normalised price beta (see above).
enum class IvStatus : std::uint8_t {
  kOk = 0,
  kBadRight,
  kBadPrice,         // NaN, inf or negative
  kBadForward,       // spot/forward NaN, inf or outside [1e-12, 1e12]
  kBadStrike,        // NaN, inf or outside [1e-12, 1e12]
  kBadTime,          // NaN, inf or outside [1e-8, 100]
  kBadRate,          // rate / dividend / discount factor NaN, inf or out of range
  kBelowIntrinsic,   // price < intrinsic value
  kAtIntrinsic,      // price == intrinsic value (no time value left in double precision)
  kAboveUpperBound,  // price >= F D (call) or K D (put)
};
std::string_view to_string(IvStatus status) noexcept;

struct IvResult {
  double vol = 0.0;
  IvStatus status = IvStatus::kOk;
};

// beta = undiscounted price / sqrt(F K); returns s = vol sqrt(T).
IvResult implied_total_vol(double beta, double x, OptionRight right);

// Black-76: option on a forward, price discounted by the factor `discount` in (0, 1e3].
struct BlackIvInput {
  OptionRight right = OptionRight::kCall;
  double price = 0.0;
  double forward = 0.0;
  double strike = 0.0;
  double time = 0.0;
  double discount = 1.0;
};
Result<double> implied_vol_black(const BlackIvInput& in);

// Black–Scholes–Merton: forward S e^{(r-q)T}, discount e^{-rT} (as in black_scholes.hpp).
struct BsmIvInput {
  OptionRight right = OptionRight::kCall;
  double price = 0.0;
  double spot = 0.0;
  double strike = 0.0;
  double time = 0.0;
  double rate = 0.0;
  double dividend_yield = 0.0;
};
Result<double> implied_vol_bsm(const BsmIvInput& in);

// Batch over columns (all the same length, KEEL_ASSERT). Writes vol (0.0 where the status is not
// kOk) and a status per element; returns the number of kOk elements. Vectorized (see above):
// ~4x the scalar API's throughput. For Black-76 on futures pass dividend_yield = rate (then the
// forward equals the spot column).
struct BsmIvColumns {
  std::span<const OptionRight> right;
  std::span<const double> price;
  std::span<const double> spot;
  std::span<const double> strike;
  std::span<const double> time;
  std::span<const double> rate;
  std::span<const double> dividend_yield;
};
std::size_t implied_vol_bsm_batch(const BsmIvColumns& in, std::span<double> vol, std::span<IvStatus> status);

// implied_total_vol over columns (normalised price beta, x = ln(F/K), right; all the same length,
// KEEL_ASSERT): writes s = vol sqrt(T) (0.0 where the status is not kOk) and a status per
// element; returns the number of kOk elements.
std::size_t implied_total_vol_batch(std::span<const double> beta, std::span<const double> x,
                                   std::span<const OptionRight> right, std::span<double> total_vol,
                                   std::span<IvStatus> status);

namespace detail {
// The batches at a given instruction-set level (see black_scholes.hpp's SimdLevel); for tests,
// which check that every level gives the same bits.
std::size_t implied_vol_bsm_batch_at(SimdLevel level, const BsmIvColumns& in, std::span<double> vol,
                                     std::span<IvStatus> status);
std::size_t implied_total_vol_batch_at(SimdLevel level, std::span<const double> beta, std::span<const double> x,
                                       std::span<const OptionRight> right, std::span<double> total_vol,
                                       std::span<IvStatus> status);

// How the normalised batch's lanes fare, for tests and benchmarks (the batch itself keeps no
// counts): problems solved (in bounds), those whose check after one step failed (they took the
// second step), and those whose check failed after that too (solved by the scalar method).
struct BatchLaneCounts {
  std::size_t solved = 0, second_step = 0, scalar = 0;
};
BatchLaneCounts implied_total_vol_batch_lane_counts(SimdLevel level, std::span<const double> beta,
                                                    std::span<const double> x, std::span<const OptionRight> right);
}  // namespace detail

}  // namespace keel::analytics
