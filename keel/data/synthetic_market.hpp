// keel/data/synthetic_market.hpp — the seeded synthetic market behind `keel data synth`:
// underlyings on a stochastic-volatility-with-jumps path (Heston variance, Bates jumps), daily
// bars, daily option chains priced off an arbitrage-free SSVI smile tied to the variance state,
// bid/ask spreads, volume, open interest, cash dividends and splits. The model, its parameters,
// defaults and simplifications are documented in docs/SYNTHETIC_MARKET.md.
//
// Contract:
// - Deterministic: the same SynthConfig (seed included) writes bit-identical rows, on any
//   x86-64 machine: std::mt19937_64 streams per underlying (seeded through splitmix64), keel's
//   own normal (inverse cdf) and Poisson draws, no FP contraction, no wall clock.
// - generate_market() validates the config first (errors name the field, e.g.
//   "underlyings[1] (ZEPH).kappa -1 must be positive"), then writes everything in ONE
//   WriteTransaction: underlying instruments, daily bars on the exchange's trading days
//   (ts_event = 00:00 UTC of the date, ts_recv = session close), corporate actions, option
//   contracts and one OptionQuote per listed contract per trading day, taken at the close
//   (ts_event = ts_recv = session close). It commits only if every step succeeded.
// - Quotes: bid >= 0, ask > bid, prices on the tick grid ($0.01 below $3, $0.05 from $3, the
//   penny-pilot rule); for each expiry and right the quoted mids (bid+ask)/2 are monotone in
//   strike (calls non-increasing, puts non-decreasing) and convex in strike exactly, in integer
//   arithmetic; the model value lies within [bid, ask].
// - Chains: every trading day each underlying lists weekly expirations up to
//   chain.weekly_horizon_days ahead and the standard monthly expirations out to the first one
//   at least chain.monthly_min_days (default 60) calendar days ahead, with evenly spaced
//   strikes (interval by price level when the expiry is listed) covering at least
//   [S(1-c), S(1+c)], c = chain.strike_coverage, around the close; listed contracts stay
//   quoted until they expire (at discounted intrinsic value on the expiration date).
// - Splits (only those dated inside (start, end]): prices continue on the post-split scale
//   from the ex-date; new strikes are listed on the post-split scale; outstanding contracts are
//   adjusted the OCC way, per expiry (whole-number ratio whose divided strike interval is an
//   OSI strike: strike/ratio, open interest x ratio; otherwise adjusted series with root
//   SYMBOL+"1" and deliverable 100·to/from shares, quoted per deliverable share).
// - Validated by synthetic_market_test.cpp: model moments on a long path, OHLC invariants,
//   chain coverage, spreads, exact no-arbitrage of the mids, put–call parity within spreads,
//   dividends and splits, D8 QC, determinism, atomicity, SQLite vs in-memory store.
// Thread safety: generate_market() uses only its arguments; run one per store at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "keel/analytics/ssvi.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"
#include "keel/data/store.hpp"
#include "keel/model/instrument.hpp"

namespace keel::data {

struct SplitSpec {
  Date ex_date;                 // a trading day in (start, end]
  std::int64_t ratio_to = 2;    // new shares
  std::int64_t ratio_from = 1;  // old shares (3:2 is to = 3, from = 2)
};

struct DividendSpec {
  double amount = 0.0;        // cash per share on the initial share scale; 0 = no dividends
  std::vector<int> ex_months;  // months (1..12) with an ex-date, e.g. {2, 5, 8, 11}
  int ex_day = 10;             // ex-date: the first trading day on or after this day (1..28)
};

// A cointegrated follower: log S_t = a + hedge_ratio·log L_t + X_t, with L the leader's price
// and X an Ornstein–Uhlenbeck spread dX = -κX dt + spread_vol dW (time in trading years),
// κ = ln 2 / (half_life_days / 252), X_0 = 0 and a = ln(initial_price) - hedge_ratio·ln(L_0),
// so the follower starts at its initial_price. X is sampled exactly at every simulation step of
// the leader: X' = X e^{-κh} + spread_vol·√((1 - e^{-2κh}) / 2κ)·Z. Leader and follower pay no
// dividends and do not split (the log-price relation would break on an ex-date).
struct PairSpec {
  std::string leader;            // an underlying listed before this one
  double hedge_ratio = 1.0;      // b, in (0, 10]
  double half_life_days = 10.0;  // trading days, in [0.5, 2520]
  double spread_vol = 0.15;      // σ of the OU spread per √(trading year), in [0, 5]
};

struct UnderlyingSpec {
  std::string symbol;  // OSI root rules: 1..6 of A-Z, 0-9 (1..5 when a split needs root+"1")
  AssetClass asset_class = AssetClass::kEquity;
  double initial_price = 100.0;  // the close before the first generated session
  double drift = 0.07;           // μ, real-world expected return per year
  // Heston variance dv = κ(θ - v)dt + ξ√v dW_v, d⟨W_S, W_v⟩ = ρ dt; time in trading years.
  double kappa = 2.0;
  double theta = 0.04;
  double xi = 0.3;
  double rho = -0.7;
  double v0 = 0.04;
  // Bates jumps: Poisson intensity per year, log jump size ~ N(jump_mean, jump_stdev²).
  double jump_intensity = 0.0;
  double jump_mean = 0.0;
  double jump_stdev = 0.0;
  DividendSpec dividend;
  std::optional<SplitSpec> split;
  double daily_volume = 2'000'000.0;  // mean shares per day (initial share scale)
  // Smile shape: SSVI power law; must meet Gatheral–Jacquier Remark 4.4 (γ <= 1/2,
  // η(1+|ρ|) <= 2) so every chain is free of static arbitrage.
  analytics::SsviPowerLaw smile{-0.6, 1.2, 0.4};
  // false: a stock-only underlying (bars and corporate actions, no option contracts or quotes).
  bool list_options = true;
  // One-factor model: loading on the common market factor (SynthConfig::market_vol). The
  // Heston variance v is then the idiosyncratic part: d ln S = (μ - λk - v/2 - β²σ_m²/2) dt
  // + √v dW + β σ_m dW_m + jumps, so μ stays the expected return. 0: no market factor.
  double beta = 0.0;
  // Set: this underlying follows `pair->leader` (PairSpec); its Heston, jump and beta fields are
  // then unused (beta and jump_intensity must be 0).
  std::optional<PairSpec> pair;
};

struct ChainConfig {
  int weekly_horizon_days = 35;  // list Friday (weekly) expirations up to this many days ahead
  int monthly_min_days = 60;     // list monthly expirations out to the first >= this many days ahead
  double strike_coverage = 0.30;  // strikes cover at least [S(1-c), S(1+c)] every day
  double atm_volume = 400.0;      // mean contracts/day for an at-the-money front contract
};

// width = max(min_width, relative_width·V) · (1 + wing_factor·min(z, max_z))
//         · (1 + short_expiry_factor·√(5 / max(n, 1)))
// with V the model value, z = |ln(K/F)|/√θ the moneyness in standard deviations, and n the
// trading days to expiry; quotes are then snapped outwards onto the tick grid.
struct SpreadModel {
  double min_width = 0.05;
  double relative_width = 0.03;
  double wing_factor = 0.5;
  double max_z = 6.0;
  double short_expiry_factor = 0.5;
};

struct SynthConfig {
  std::uint64_t seed = 20240101;
  Date start = Date::ymd(2019, 1, 2);
  Date end = Date::ymd(2023, 12, 29);
  std::vector<UnderlyingSpec> underlyings;
  ChainConfig chain;
  SpreadModel spread;
  double risk_free_rate = 0.03;       // continuously compounded, flat
  int intraday_steps = 26;            // simulation steps per session (15 minutes each)
  double overnight_fraction = 0.2;    // share of a day's variance accrued from close to open
  // σ_m of the common market factor (a driftless Brownian motion, one shock per simulation
  // step from its own random stream), per √(trading year); used by underlyings with beta != 0.
  double market_vol = 0.16;

  // Over 2019-01-02..2023-12-29: ACME ($120, quarterly $0.60 dividend, 2:1 split on
  // 2021-06-01) and ZEPH ($45, more volatile and jumpier, quarterly $0.15 dividend, 3:2 split on
  // 2022-09-06) with option chains; then stock-only underlyings for equity strategies: eight on
  // the one-factor model with different drifts, vols and betas (ARGO BOLT CRUX DYNA ELMO FERN
  // GLYX HALO), and one cointegrated pair, KILN (factor stock) and KOLA (follower, hedge ratio
  // 0.8, half-life 10 sessions). All tickers are fictitious; the table is in
  // docs/SYNTHETIC_MARKET.md. ACME and ZEPH come first and each underlying has its own random
  // streams, so their rows are the same as when they were the whole default market.
  static SynthConfig default_config();
  // Every field in its domain; the error names the field and the value.
  Status validate() const;
};

struct SynthUnderlyingReport {
  std::string symbol;
  InstrumentId id;
  std::int64_t bars = 0;
  std::int64_t option_contracts = 0;
  std::int64_t option_quotes = 0;
  std::int64_t dividends = 0;
  std::int64_t splits = 0;
  double first_close = 0.0;
  double last_close = 0.0;
  double min_close = 0.0;
  double max_close = 0.0;
  // Largest |quoted mid - model value| in dollars per deliverable share: what snapping the
  // mids onto the tick grid while keeping them monotone and convex cost (docs/SYNTHETIC_MARKET.md).
  double max_mid_deviation = 0.0;
};

struct SynthReport {
  std::string source_uri;  // "synth://market?seed=...&config=<fingerprint>"
  std::uint64_t seed = 0;
  Date start, end;
  std::int64_t trading_days = 0;
  std::vector<SynthUnderlyingReport> underlyings;
  WriteCounts bars, option_quotes, corporate_actions;
  std::int64_t instruments = 0;  // underlyings + option contracts upserted

  // A few lines for people: the window, one line per underlying, the write counts.
  std::string summary() const;
};

inline constexpr const char* kSynthTransformId = "synth/1";

Result<SynthReport> generate_market(const SynthConfig& config, Store& store, Timestamp ingested_at);

// ---- Model pieces, public for tests and for documentation of the model ----

// E[∫_0^τ v_s ds | v_0 = v] for the Heston variance: θτ + (v - θ)(1 - e^{-κτ})/κ. It is
// non-decreasing in τ for v >= 0 (its derivative θ + (v - θ)e^{-κτ} is a convex combination
// of θ and v), so SSVI slices built on it are free of calendar arbitrage.
double expected_integrated_variance(double v, double theta, double kappa, double tau) noexcept;

// Strike increment at a price level (documented grid): $0.50 below $5, $1 below $50, $2.50
// below $200, $5 below $500, $10 from $500.
Price strike_increment(double price) noexcept;

// Seeded random streams: splitmix64 turns (seed, stream) into a mt19937_64 seed.
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream) noexcept;
double uniform_open01(std::mt19937_64& rng) noexcept;   // in (0, 1), 53 bits
double standard_normal(std::mt19937_64& rng) noexcept;  // inverse-cdf method
std::int64_t poisson(std::mt19937_64& rng, double mean) noexcept;  // exact below mean 30, normal approx above

// The underlying's price path, one session at a time. Per session of length f trading days
// (1 for a full session, 3.5/6.5 on an early close), time dt = f/252 is split into an
// overnight step (overnight_fraction of dt, ending at the open) and intraday_steps equal steps;
// each step is log-Euler for S with full-truncation Euler for v (Lord, Koekkoek & van Dijk
// 2010) and exact Poisson jump counts. High/low are the extremes of the step prices.
class UnderlyingPathSimulator {
 public:
  struct Day {
    double open = 0, high = 0, low = 0, close = 0;
    double variance = 0;  // v at the close (may be slightly negative: full truncation)
    int jumps = 0;
  };
  // market_vol: σ_m of the market factor (used only when spec.beta != 0).
  UnderlyingPathSimulator(const UnderlyingSpec& spec, std::uint64_t rng_seed, int intraday_steps,
                          double overnight_fraction, double market_vol = 0.0);
  // Before the session's first step the price is divided by split_divisor (to/from on a
  // split's ex-date, else 1) and the cash dividend (on the post-split scale) is subtracted;
  // kInvalidArgument if that leaves no positive price. market_z: the market factor's standard
  // normal shocks for this session (1 + intraday_steps: the overnight step's first; entry 0 is
  // unused without an overnight step), empty when beta is 0. trace: when given, receives ln S
  // at the open and after each intraday step (1 + intraday_steps values).
  Result<Day> next_session(double session_fraction, double cash_dividend = 0.0, double split_divisor = 1.0,
                           std::span<const double> market_z = {}, std::vector<double>* trace = nullptr);
  double price() const noexcept { return s_; }
  double variance() const noexcept { return v_; }

 private:
  void step(double dt, double& log_s, int& jumps, const double* market_z);

  UnderlyingSpec spec_;
  std::mt19937_64 rng_;
  int intraday_steps_;
  double overnight_fraction_;
  double s_;
  double v_;
  double jump_compensator_;  // λ·(E[e^J] - 1)
  double market_vol_;
};

// The follower of a PairSpec, driven by its leader's trace (UnderlyingPathSimulator::next_session).
class PairFollowerSimulator {
 public:
  PairFollowerSimulator(const PairSpec& pair, double initial_price, double leader_initial_price, std::uint64_t rng_seed,
                        int intraday_steps, double overnight_fraction);
  // leader_trace: the leader's ln S at the open and after each intraday step of this session.
  UnderlyingPathSimulator::Day next_session(double session_fraction, std::span<const double> leader_trace);
  double spread() const noexcept { return x_; }
  double intercept() const noexcept { return a_; }

 private:
  double step(double dt);  // advances X by dt (trading years), returns it

  PairSpec pair_;
  std::mt19937_64 rng_;
  int intraday_steps_;
  double overnight_fraction_;
  double kappa_;
  double a_;
  double x_ = 0.0;
};

}  // namespace keel::data
