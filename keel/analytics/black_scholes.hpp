// keel/analytics/black_scholes.hpp — European options: Black–Scholes–Merton with a continuous
// dividend yield and Black-76 on forwards; price, Greeks, probabilities, expected move.
//
// Contract:
// - Inputs are annualised: `time` in years (ACT/365 calendar time is the caller's choice),
//   `vol` per sqrt(year), `rate` and `dividend_yield` continuously compounded.
// - Supported domain (anything else is an error naming the input, never a NaN):
//   spot/forward and strike in [1e-12, 1e12]; vol in [1e-8, 100]; time in [1e-8, 100] years;
//   rate and dividend yield finite with |value| <= 5. NaN and +-inf are rejected.
// - Greeks are per unit of the input: vega and volga per 1.00 of vol (divide by 100 for "per vol
//   point"), rho per 1.00 of rate, theta per year (theta_per_day = theta / 365, calendar days).
//   theta = dV/dt (value change as time passes, usually negative); charm = dDelta/dt, per year.
//   BSM rho moves r with q fixed; Black-76 rho moves r with the forward fixed (rho = -T V).
//   Black-76 delta, gamma, vanna and charm are with respect to the forward.
// - prob_itm is the risk-neutral probability of finishing in the money (N(d2) for a call);
//   prob_touch the risk-neutral probability that the underlying touches the strike before
//   expiry (continuous monitoring, reflection formula for Brownian motion with drift
//   r - q - vol^2/2); it is 1 when spot is already at or beyond the strike.
// - Scalar and batch APIs share one kernel compiled without -march: the batch loop is written
//   for GCC's auto-vectorizer (SSE2 baseline; AVX2+FMA and AVX-512F+FMA versions are selected at
//   run time on CPUs that have them; the scalar API runs as one lane of the same dispatch). All
//   paths round identically (same IEEE operations in the same order; fused multiply-adds only
//   where the source says so, each rounded once: one vfmadd at the wide levels, the C library's
//   correctly rounded fma at the baseline, which is several times slower there), so batch
//   results are bit-identical to the scalar API and across instruction sets — tested.
// - Accuracy: exp, log and the normal CDF are evaluated by branch-free polynomial kernels with
//   relative error below ~2e-15 (tested against std::exp/std::log/norm_cdf); ln(S/K) without
//   rounding S/K first (within 2 ulps of the exact log, also for S ~ K). Prices carry an
//   absolute error of a few ulps of max(S, K); the relative error of a deep out-of-the-money
//   price with tiny total vol grows like eps * |ln(F/K)| / (vol^2 T) because the formula
//   subtracts two nearly equal terms there — use keel/analytics/implied_vol.hpp's
//   normalised_black() where such prices must be exact to the last digit.
// Validation (black_scholes_test.cpp): Hull's textbook examples (S=42, K=40: call 4.76, put
// 0.81; the S=49, K=50 Greeks example), Haug's Complete Guide examples (Merton and Black-76
// prices, delta, gamma, vega, theta, rho), put–call parity, every Greek against central finite
// differences of the price, the touch probability against the reflection principle,
// scalar/batch bit-identity over random inputs and across SIMD levels, and the fused math
// kernels against std::exp, std::log (long double log1p for ln(a/b)), std::sqrt and norm_cdf.
// Thread safety: pure functions, no state.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "keel/core/result.hpp"
#include "keel/model/instrument.hpp"

namespace keel::analytics {

// One input to a Black–Scholes–Merton pricing.
struct BsmInput {
  OptionRight right = OptionRight::kCall;
  double spot = 0.0;
  double strike = 0.0;
  double time = 0.0;            // years to expiry
  double vol = 0.0;             // annualised volatility
  double rate = 0.0;            // continuously compounded risk-free rate
  double dividend_yield = 0.0;  // continuously compounded dividend (or foreign-rate) yield
};

// One input to a Black-76 pricing (option on a forward or future, discounted at `rate`).
struct Black76Input {
  OptionRight right = OptionRight::kCall;
  double forward = 0.0;
  double strike = 0.0;
  double time = 0.0;
  double vol = 0.0;
  double rate = 0.0;
};

struct Greeks {
  double price = 0.0;
  double delta = 0.0;
  double gamma = 0.0;
  double vega = 0.0;
  double theta = 0.0;          // per year
  double theta_per_day = 0.0;  // per calendar day (theta / 365)
  double rho = 0.0;
  double vanna = 0.0;          // d delta / d vol
  double volga = 0.0;          // d vega / d vol
  double charm = 0.0;          // d delta / dt, per year
  double prob_itm = 0.0;       // risk-neutral P(finish in the money)
  double prob_touch = 0.0;     // risk-neutral P(touch the strike before expiry)
};

Result<Greeks> bsm_greeks(const BsmInput& in);
Result<double> bsm_price(const BsmInput& in);
Result<Greeks> black76_greeks(const Black76Input& in);

// Expected move implied by a volatility over `time` years: one_sigma = spot * vol * sqrt(time)
// (the traders' "expected move"); lower/upper are the one-standard-deviation bounds of the
// lognormal, spot * exp(-+vol sqrt(time)).
struct ExpectedMove {
  double one_sigma = 0.0;
  double lower = 0.0;
  double upper = 0.0;
};
Result<ExpectedMove> expected_move(double spot, double vol, double time);

// ---- Batch API over structure-of-arrays columns -------------------------------------------
// Per-element outcome. An element that is not kOk gets 0.0 in every output column.
enum class PricingStatus : std::uint8_t {
  kOk = 0,
  kBadRight,     // neither kCall nor kPut
  kBadSpot,      // spot (or forward) NaN, inf, or outside [1e-12, 1e12]
  kBadStrike,    // strike NaN, inf, or outside [1e-12, 1e12]
  kBadTime,      // time NaN, inf, or outside [1e-8, 100]
  kBadVol,       // vol NaN, inf, or outside [1e-8, 100]
  kBadRate,      // rate NaN, inf, or |rate| > 5
  kBadDividend,  // dividend yield NaN, inf, or |q| > 5
  kNotComputable,  // valid inputs the method cannot evaluate in double precision (american.hpp:
                   // Bjerksund–Stensland at a vol far too low for the carry over the expiry)
};
std::string_view to_string(PricingStatus status) noexcept;

struct BsmColumns {
  std::span<const OptionRight> right;
  std::span<const double> spot;  // forward for black76_batch
  std::span<const double> strike;
  std::span<const double> time;
  std::span<const double> vol;
  std::span<const double> rate;
  std::span<const double> dividend_yield;  // ignored (may be empty) for black76_batch
};

// Output columns; every span must be as long as the inputs, except that prob_touch may be empty
// (it costs as much again as the price and is skipped then).
struct GreeksColumns {
  std::span<double> price;
  std::span<double> delta;
  std::span<double> gamma;
  std::span<double> vega;
  std::span<double> theta;  // per year; per day is theta / 365
  std::span<double> rho;
  std::span<double> vanna;
  std::span<double> volga;
  std::span<double> charm;
  std::span<double> prob_itm;
  std::span<double> prob_touch;
  std::span<PricingStatus> status;
};

// Returns the number of elements with status kOk. Mismatched column lengths are a programming
// error (KEEL_ASSERT).
std::size_t bsm_batch(const BsmColumns& in, const GreeksColumns& out);
std::size_t black76_batch(const BsmColumns& in, const GreeksColumns& out);
// Prices only (the cheapest path); `status` as above.
std::size_t bsm_price_batch(const BsmColumns& in, std::span<double> price, std::span<PricingStatus> status);

// Price and the first-order Greeks only (the outputs of QuantLib's BlackCalculator: price,
// delta, gamma, vega, theta per year, rho), for risk systems that revalue whole books; it skips
// vanna, volga, charm and P(ITM) (about 20% of bsm_batch's time, measured in bench_pricing). Same
// kernel as bsm_batch and bsm_greeks, so the same inputs give the same bits in these six fields
// (tested). Every span as long as the inputs.
struct FirstOrderColumns {
  std::span<double> price;
  std::span<double> delta;
  std::span<double> gamma;
  std::span<double> vega;
  std::span<double> theta;  // per year
  std::span<double> rho;
  std::span<PricingStatus> status;
};
std::size_t bsm_first_order_batch(const BsmColumns& in, const FirstOrderColumns& out);

// The instruction sets the batch loops are compiled for; the batch APIs use the widest one the
// CPU supports (chosen at run time). All levels give identical bits (same IEEE operations per
// lane, no FP contraction); the detail:: entry points let tests run each level and compare.
// A level the CPU lacks is lowered to the best one it has.
enum class SimdLevel : std::uint8_t { kBaseline = 0, kAvx2 = 1, kAvx512 = 2 };
SimdLevel best_simd_level() noexcept;

namespace detail {
std::size_t bsm_batch_at(SimdLevel level, const BsmColumns& in, const GreeksColumns& out);
std::size_t bsm_first_order_batch_at(SimdLevel level, const BsmColumns& in, const FirstOrderColumns& out);
std::size_t bsm_price_batch_at(SimdLevel level, const BsmColumns& in, std::span<double> price,
                               std::span<PricingStatus> status);
}  // namespace detail

}  // namespace keel::analytics
