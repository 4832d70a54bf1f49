// keel/strategy/option_chain.hpp — one option chain snapshot as a strategy sees it: every
// quoted contract of one underlying at one instant, with days to expiry, implied volatility and
// Greeks computed by the analytics layer, and the queries strategies ask (by expiry, DTE
// window, delta, strike, moneyness).
//
// Contract:
// - Rows are sorted by (expiry, right [call first], strike) and hold only contracts quoted in the
//   snapshot (ask > 0) that have not expired before the snapshot's date.
// - dte = calendar days from the snapshot's date to the expiry date; time = years to the
//   expiry session's close (ACT/365 on nanosecond timestamps), at least one hour so that
//   expiration-day rows still price.
// - iv: Black–Scholes–Merton implied vol of the quote's mid with the chain's rate and dividend
//   yield (continuous; a documented simplification for American equity options: it is what
//   brokers display); nullopt when the mid is outside the no-arbitrage bounds (e.g. a deep ITM
//   American put quoted below the European bound). Greeks: BSM at that iv; when iv is
//   nullopt, delta falls back to the intrinsic delta (+-1 in the money, 0 out) and the other
//   Greeks are 0, flagged by greeks_from_iv = false. Never NaN.
// - Prices are per deliverable share; multiply by instrument.option->multiplier for a contract.
// Thread safety: logically immutable after build_chain, but implied vols and Greeks are
// computed per expiry on first use, so one chain must not be read from two threads at once.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "keel/core/fixed_point.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"
#include "keel/model/instrument.hpp"
#include "keel/model/market_data.hpp"

namespace keel::strategy {

struct OptionRow {
  Instrument instrument;  // option; instrument.option is set
  Price bid, ask, last;
  Quantity bid_size, ask_size, volume, open_interest;
  int dte = 0;
  double time = 0.0;  // years
  std::optional<double> iv;
  bool greeks_from_iv = false;
  double delta = 0.0, gamma = 0.0, vega = 0.0, theta_per_day = 0.0;
  double prob_itm = 0.0;

  const OptionSpec& spec() const { return *instrument.option; }
  Price mid() const;  // mid_price(bid, ask) (model/market_data.hpp)
  OptionRight right() const { return instrument.option->right; }
  Price strike() const { return instrument.option->strike; }
  Date expiry() const { return instrument.option->expiry; }
};

struct ChainFilter {
  std::optional<OptionRight> right;
  int min_dte = 0;
  int max_dte = 100000;
  std::optional<double> min_abs_delta, max_abs_delta;
  std::optional<Price> min_strike, max_strike;
  std::optional<double> min_moneyness, max_moneyness;  // strike / underlying price
  bool require_bid = true;                              // skip rows nobody bids for
  bool standard_only = true;                            // skip adjusted (non-100 multiplier) series
};

class OptionChain {
 public:
  const std::string& underlying() const noexcept { return underlying_; }
  Timestamp ts() const noexcept { return ts_; }
  Date date() const noexcept { return date_; }
  Price underlying_price() const noexcept { return underlying_price_; }
  double rate() const noexcept { return rate_; }
  double dividend_yield() const noexcept { return dividend_yield_; }
  // Every row, with implied vols and Greeks (computing those of expiries not priced yet).
  std::span<const OptionRow> rows() const;
  bool empty() const noexcept { return rows_.empty(); }

  std::vector<Date> expiries() const;  // ascending, distinct
  const OptionRow* find(InstrumentId id) const;
  const OptionRow* find(Date expiry, OptionRight right, Price strike) const;  // standard series
  std::vector<const OptionRow*> select(const ChainFilter& filter) const;
  // Among rows passing `filter` (right must be set), the one whose |delta| is closest to
  // target_abs_delta; ties go to the nearer expiry, then the lower strike. nullptr when none.
  const OptionRow* closest_delta(const ChainFilter& filter, double target_abs_delta) const;
  // ATM implied vol interpolated in total variance to `days` calendar days from the two
  // expiries around it (the nearest one alone at the ends); the ATM vol of one expiry is the
  // mean of the call and put IVs at the strike nearest the underlying price. nullopt when no
  // expiry has a usable IV.
  std::optional<double> atm_iv(int days) const;

  // Quotes left out of rows(): listed but unquoted (bid and ask both 0), and contracts whose
  // expiry is before date(). Reported so a caller can tell a thin chain from a filtered one.
  std::size_t skipped_unquoted() const noexcept { return skipped_unquoted_; }
  std::size_t skipped_expired() const noexcept { return skipped_expired_; }

 private:
  friend Result<OptionChain> build_chain(std::string underlying, Timestamp ts, Date date, Price underlying_price,
                                         std::span<const Instrument* const> instruments,
                                         std::span<const OptionQuote> quotes, double rate, double dividend_yield);
  std::string underlying_;
  Timestamp ts_;
  Date date_;
  Price underlying_price_;
  double rate_ = 0.0;
  double dividend_yield_ = 0.0;
  // Rows are built eagerly; implied vols and Greeks per expiry group on first use (a strategy
  // asking for a 7-45 DTE window never pays for the 90-day expiries). Hence `mutable`.
  mutable std::vector<OptionRow> rows_;
  std::vector<std::uint32_t> expiry_begin_;     // row index where each expiry starts, + size()
  mutable std::vector<std::uint8_t> priced_;    // per expiry
  void price_expiry(std::size_t e) const;
  void price_all() const;
  std::size_t expiry_of_row(std::size_t row) const;
  bool dte_in(std::size_t e, const ChainFilter& filter) const;
  // Implementation state (filled by build_chain).
  struct AtmPoint {
    int dte = 0;
    double time = 0.0;
    double vol = 0.0;
  };
  bool passes(const OptionRow& row, const ChainFilter& filter) const;
  std::optional<AtmPoint> atm_point(Date expiry) const;
  std::vector<std::pair<std::int64_t, std::uint32_t>> by_id_;  // (instrument id, row), sorted
  std::vector<Date> expiries_;                                 // ascending, distinct
  std::size_t skipped_unquoted_ = 0;
  std::size_t skipped_expired_ = 0;
};

// instruments[i] is the contract of quotes[i]. Errors: sizes differ, an instrument that is not
// an option on `underlying`, a non-positive underlying price, an invalid quote (named).
// `ts` is the snapshot's time, `date` its trading date; expiry closes come from the exchange
// calendar (ExchangeCalendar::us_equities()).
Result<OptionChain> build_chain(std::string underlying, Timestamp ts, Date date, Price underlying_price,
                                std::span<const Instrument> instruments, std::span<const OptionQuote> quotes,
                                double rate, double dividend_yield);
// The same over pointers (none null), so a feed can hand its contracts over without copying.
Result<OptionChain> build_chain(std::string underlying, Timestamp ts, Date date, Price underlying_price,
                                std::span<const Instrument* const> instruments, std::span<const OptionQuote> quotes,
                                double rate, double dividend_yield);

}  // namespace keel::strategy
