// keel/analytics/american.hpp — American options: Barone-Adesi–Whaley (1987) and
// Bjerksund–Stensland (2002) approximations, CRR and Leisen–Reimer binomial lattices with
// discrete cash dividends, American implied volatility, and the early-exercise boundary.
//
// Contract:
// - Inputs as in black_scholes.hpp (annualised time, vol, continuously compounded rate and
//   dividend yield) plus optional discrete cash dividends {time in years, amount}; dividends at
//   or before 0 or with negative/non-finite amounts are errors, those after expiry are ignored.
// - Discrete dividends use the escrowed-dividend model (Hull, "Options, Futures, and Other
//   Derivatives", sec. 21.3): the uncertain part S* = S - PV(dividends before expiry) follows
//   geometric Brownian motion with the given vol; at a lattice node at time t the stock is
//   S* + PV(dividends still to be paid after t), and exercise is decided on that price. The
//   closed-form approximations take the same S* as their spot (a standard approximation that
//   ignores exercise just before an ex-date; use the lattice where that matters).
// - baw_price: Barone-Adesi & Whaley, J. Finance 42 (1987) 301-320; the critical price by
//   Halley's method (analytic first and second derivatives of the critical-price equation) to a
//   residual below 1e-13 X, seeded for calls by Bjerksund–Stensland's trigger price and for puts
//   by BAW's own seed. bjerksund_stensland_price: Bjerksund & Stensland,
//   "Closed form valuation of American options", NHH discussion paper 2002:9 (two-step flat
//   boundary, a lower bound of the true value); puts via the put–call transformation
//   P(S, K, r, b) = C(K, S, r - b, -b). Both approximations return at least max(exercise value,
//   European value): where their estimated boundary is too low (deep in the money, short
//   expiry) the raw formula would fall below those bounds. Its bivariate normal is Genz's (2004)
//   Gauss–Legendre form of the Drezner–Wesolowsky integral; for Bjerksund–Stensland's fixed
//   correlation 10 Gauss–Legendre nodes in tau, theta = pi/2 - (pi/2 - asin rho) e^tau
//   (absolute error < 1.2e-14 measured against 40 nodes in theta, price error < 5.6e-14 of the
//   strike measured against Genz's 20 nodes on 200,000 random options; bivariate_normal_cdf
//   keeps Genz's 20; the node terms, with the logarithm of the formula's factor (I/S)^kappa
//   added to their exponents, through a base-2 exponential with a degree-10 polynomial by fused
//   Horner steps, relative error < 7.4e-16, exponents below -1017 taken as -1017, i.e. terms
//   below 2e-307 raised to it); the formula's 20 bivariate normals, 40 distinct normal CDFs (the
//   bivariate normals' Phi(-h) Phi(-k) factors and the phi terms share theirs; those multiplied by
//   a factor are computed times it, F Phi(x), from a density with log F in its exponent; six of
//   these take that density from another CDF's by the reflection identities
//   (I1/S)^kappa phi(e3) = phi(e1), (I2/S)^kappa phi(d') = phi(d)) and 19 distinct exponential
//   factors run through vectorised lane kernels.
// - Scalar and batch share one implementation: a per-option setup, lane kernels (vectorised
//   across the 20 bivariate normals of one option for the scalar API, across options for the
//   batch API; BAW's Halley iteration runs lane-wise with each lane frozen by bit masks once its
//   own iteration ends) and a per-option finish, all branch-free inline code that performs the
//   same IEEE operations in the same order, so batch prices are bit-identical to scalar ones
//   whatever the batch size or position. The lane code of both methods (Bjerksund–Stensland's
//   setup and finish too; the scalar API as one-lane loops) runs on vector_math.hpp's for_lanes
//   levels (SSE2, AVX2 + FMA, AVX-512F + FMA) and uses fused multiply-add where the source says
//   so (one instruction at the FMA levels, the C library's correctly rounded fma at the
//   baseline), so every level gives the same bits (tested: batch = scalar, every level =
//   baseline).
// - Lattices: CRR (Cox, Ross & Rubinstein 1979) and Leisen & Reimer (1996, Peizer–Pratt
//   inversion method 2; the step count is rounded up to an odd number). Steps in [2, 100000].
//   Greeks delta and gamma come from the first two time steps.
// - exercise_boundary: for each lattice time step, the stock price S*(t) at which early
//   exercise starts (put: exercise when S <= S*(t); call: when S >= S*(t)), read from the
//   lattice (so it is resolved to the node spacing); `exercise` is false at times where no node
//   exercises. The backtester's assignment model uses it.
// - american_implied_vol: a bracketed solver (Brent's method, bracket from the European
//   implied vol, which bounds the American one from above) on the chosen pricer; prices below
//   the intrinsic value or at/above the upper bound (S for a call, K for a put) are errors.
// Validation (american_test.cpp, american_slow_test.cpp): Haug's BAW table ("Option Pricing
// Formulas", 1998, p. 24), Hull's lattice examples (American put 4.49 on a 5-step tree and
// 4.283 at 500 steps; the discrete-dividend put 4.44), BAW, Bjerksund–Stensland 2002 and a
// 5,000-step lattice agreeing, put–call transformation, bivariate normal against closed forms,
// Bjerksund–Stensland against a term-by-term statement of the formula with std::exp/std::log and
// 20-node bivariate normals, IV round trips, batch = scalar bit for bit over random inputs.
// Bjerksund–Stensland at a vol small for the carry (kappa = 2 b / v^2 + 2 gamma - 1 in the
// hundreds): the formula multiplies factors (I/S)^kappa, up to e^700, into probabilities far below
// the smallest double. The kernel adds the factors' logarithms to the exponents of the normal
// densities and of the bivariate normals' node terms instead (reflection identities give the rest),
// so no floor of an exponential is ever multiplied by a factor; when the trigger I1 lies at least
// 40 standard deviations above the spot after the formula's largest drift, every term involving it
// carries a probability below 1e-349 and the price is the European value (the floor below); where
// a factor would still pass e^650 (a vol tiny for the carry over the expiry, b sqrt(T) / v in the
// tens: e.g. vol 1%, carry 7%, five years) double precision cannot evaluate the formula and the
// price is an error (batch: PricingStatus::kNotComputable, price 0), never a NaN. Validated
// against the term-by-term reference over 60,000 options at vol 2-12% and expiry 0.002-0.08
// (worst 5.1e-15 of the strike; before session 7 the kernel erred by up to 0.046 of the strike
// there) and against 60-digit values (mpmath) where the double reference fails.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "keel/analytics/black_scholes.hpp"
#include "keel/core/result.hpp"
#include "keel/model/instrument.hpp"

namespace keel::analytics {

struct AmericanInput {
  OptionRight right = OptionRight::kPut;
  double spot = 0.0;
  double strike = 0.0;
  double time = 0.0;
  double vol = 0.0;
  double rate = 0.0;
  double dividend_yield = 0.0;
};

struct CashDividend {
  double time = 0.0;    // years from now
  double amount = 0.0;  // per share, in price units
};

Result<double> baw_price(const AmericanInput& in, std::span<const CashDividend> dividends = {});
Result<double> bjerksund_stensland_price(const AmericanInput& in, std::span<const CashDividend> dividends = {});

// Batch forms over structure-of-arrays columns (black_scholes.hpp's BsmColumns; continuous
// dividend yield, no discrete dividends). price[i] is bit-identical to the scalar function on the
// same inputs (whatever the batch size and position); an option that fails validation gets
// price 0.0 and a status naming the input (PricingStatus), never a NaN. Returns the number of
// options priced. Columns of different lengths are a programming error (KEEL_ASSERT).
std::size_t baw_price_batch(const BsmColumns& in, std::span<double> price, std::span<PricingStatus> status);
std::size_t bjerksund_stensland_price_batch(const BsmColumns& in, std::span<double> price,
                                            std::span<PricingStatus> status);

namespace detail {
// Barone-Adesi–Whaley and Bjerksund–Stensland at a given instruction-set level (black_scholes.hpp's SimdLevel; a level the
// CPU lacks is lowered to the best one it has), for tests: every level gives the same bits.
std::size_t baw_price_batch_at(SimdLevel level, const BsmColumns& in, std::span<double> price,
                               std::span<PricingStatus> status);
Result<double> baw_price_at(SimdLevel level, const AmericanInput& in);
std::size_t bjerksund_stensland_price_batch_at(SimdLevel level, const BsmColumns& in, std::span<double> price,
                                               std::span<PricingStatus> status);
Result<double> bjerksund_stensland_price_at(SimdLevel level, const AmericanInput& in);
}  // namespace detail

enum class LatticeKind : std::uint8_t { kCrr, kLeisenReimer };

struct LatticeOptions {
  LatticeKind kind = LatticeKind::kLeisenReimer;
  int steps = 201;
  bool american = true;  // false: European exercise (for tests and comparisons)
};

struct LatticeResult {
  double price = 0.0;
  double delta = 0.0;
  double gamma = 0.0;
};

Result<LatticeResult> lattice_price(const AmericanInput& in, std::span<const CashDividend> dividends = {},
                                    const LatticeOptions& options = {});

struct BoundaryPoint {
  double time = 0.0;      // years from now
  double spot = 0.0;      // S*(t); 0 when exercise is false
  bool exercise = false;  // some node exercises at this time
};

Result<std::vector<BoundaryPoint>> exercise_boundary(const AmericanInput& in,
                                                     std::span<const CashDividend> dividends = {},
                                                     const LatticeOptions& options = {});

enum class AmericanModel : std::uint8_t { kBaroneAdesiWhaley, kBjerksundStensland, kLattice };

struct AmericanIvOptions {
  AmericanModel model = AmericanModel::kBaroneAdesiWhaley;
  LatticeOptions lattice = {};
  double price_tolerance = 1e-10;  // relative to the price
};

// in.vol is ignored. Returns the vol at which the chosen pricer reproduces `price`.
Result<double> american_implied_vol(const AmericanInput& in, double price,
                                    std::span<const CashDividend> dividends = {},
                                    const AmericanIvOptions& options = {});

// Bivariate standard normal CDF P(X < a, Y < b) for correlation |rho| < 0.925 (Genz 2004,
// 20-point Gauss–Legendre). Exposed for tests; a |rho| outside that range is KEEL_ASSERTed.
double bivariate_normal_cdf(double a, double b, double rho);

}  // namespace keel::analytics
