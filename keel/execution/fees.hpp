// keel/execution/fees.hpp — commission schedules and regulatory fees for simulated fills.
//
// Contract:
// - A FeeSchedule is data: a per-share stock commission (with a per-order minimum and a
//   maximum as a fraction of trade value), a per-contract option commission (optionally tiered
//   by premium and monthly volume), a per-order option minimum, and regulatory fees: SEC
//   Section 31 fee on the notional of SALES (stock and options: Section 31 covers both),
//   FINRA Trading Activity Fee per share SOLD (capped per trade) and per option contract SOLD,
//   options Regulatory Fee (ORF) and OCC clearing fee per contract (OCC capped per trade).
// - Presets by name: "zero" (nothing at all, for tests), "retail" (zero-commission stock broker:
//   $0 stock, $0.65 per option contract, SEC fee and TAF passed through on sales, ORF/OCC
//   included in the $0.65), "ibkr_tiered" (Interactive Brokers Pro tiered-like: per-share stock
//   tiers by monthly volume, premium- and volume-tiered option commission, minimums, regulatory
//   fees), "ibkr_fixed". Each preset's rates and the date they were taken from are cited in
//   fees.cpp; docs/EXECUTION.md lists them.
// - FeeCalculator computes the fees of one fill exactly in fixed point (double rates are turned
//   into exact integers once: the SEC rate to 1e-12, fractions to 1e-8), given what the same
//   order has already been charged. Minimums and maximums apply per ORDER, not per fill: the
//   order's commission after a fill is clamp(sum of per-unit commission so far, minimum,
//   maximum fraction x value so far) rounded to the cent, and the fill pays that minus what
//   earlier fills paid — so the first fill pays the minimum, later fills pay only what exceeds
//   it, and the order as a whole pays exactly what one fill of its size would. When the
//   maximum falls below the minimum the maximum wins (IBKR's rule). Tiers use the account's
//   month-to-date volume BEFORE the fill (the whole fill at one tier). Regulatory amounts are
//   rounded to the cent, half away from zero, once per component (brokers often round the SEC
//   fee and TAF up; the difference is under one cent per component).
// - charge() has the strong guarantee: on error the month-to-date counters are unchanged.
// Thread safety: FeeCalculator is a value; one per venue.
// Validated by fees_test.cpp against IBKR's published worked examples and hand arithmetic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "keel/core/fixed_point.hpp"
#include "keel/core/result.hpp"
#include "keel/execution/order.hpp"
#include "keel/model/instrument.hpp"

namespace keel::execution {

// One tier: applies while the month-to-date volume (shares or contracts) is below `up_to`
// (the last tier has up_to = INT64_MAX).
struct VolumeTier {
  std::int64_t up_to = INT64_MAX;
  Money rate;  // per share or per contract
};

// Option commission by premium per share and monthly volume: the first row with
// month-to-date contracts < volume_up_to and premium <= max_premium applies. Rows are listed
// by volume band, then by premium within a band.
struct PremiumTier {
  Price max_premium;  // per-share option price bound (inclusive); last row: a very large value
  Money per_contract;
  std::int64_t volume_up_to = INT64_MAX;  // month-to-date contracts bound (exclusive)
};

struct FeeSchedule {
  std::string name;
  // Stock commission.
  std::vector<VolumeTier> stock_per_share;  // empty = no per-share commission
  Money stock_min_per_order;                // 0 = none
  double stock_max_fraction_of_value = 0.0; // cap as a fraction of trade value; 0 = none
  // Option commission.
  std::vector<VolumeTier> option_per_contract;  // by monthly contracts; empty = none
  std::vector<PremiumTier> option_premium_tiers; // when non-empty, overrides option_per_contract
  Money option_min_per_order;
  // Regulatory / clearing.
  double sec_fee_rate = 0.0;        // x notional of sales, stock and options (e.g. 27.80 / 1e6)
  Money finra_taf_per_share;        // per share sold
  Money finra_taf_max_per_trade;    // cap per fill (stock TAF); 0 = none
  Money finra_taf_per_contract;     // per option contract sold
  Money option_orf_per_contract;    // options regulatory fee, every option contract traded
  Money occ_clearing_per_contract;  // OCC clearing fee, every option contract
  Money occ_clearing_max_per_trade; // cap per fill; 0 = none
};

// kNotFound naming the preset and listing the known ones.
Result<FeeSchedule> fee_preset(std::string_view name);
std::vector<std::string> fee_preset_names();
// Rates >= 0 and finite, fractions in [0, 1), tiers with increasing bounds; names the field.
Status validate(const FeeSchedule& schedule);

struct FeeInput {
  AssetClass asset_class = AssetClass::kEquity;  // kOption uses the option schedule
  OrderSide side = OrderSide::kBuy;
  Quantity quantity;            // of this fill, > 0 (shares or whole contracts)
  Price price;                  // per share (option premium per deliverable share)
  std::int64_t multiplier = 1;  // shares per contract for options
  Money commission_already_charged;  // by earlier fills of the same order
  // Earlier fills of the same order: their per-unit commission before the order minimum and
  // maximum (the sum of FeeBreakdown::base_commission) and their trade value (the sum of
  // FeeBreakdown::trade_value). Both 0 for a first fill.
  Money base_commission_already;
  Money value_already;
};

struct FeeBreakdown {
  Money commission;  // broker commission for this fill
  Money regulatory;  // SEC + TAF + ORF + OCC
  Money total() const { return commission + regulatory; }
  // For the caller's per-order bookkeeping (see FeeInput).
  Money base_commission;  // per-unit commission of this fill before minimum/maximum (1e-8)
  Money trade_value;      // price x quantity x multiplier of this fill
};

class FeeCalculator {
 public:
  explicit FeeCalculator(FeeSchedule schedule) : schedule_(std::move(schedule)), zero_(charges_nothing(schedule_)) {}
  const FeeSchedule& schedule() const noexcept { return schedule_; }

  // Fees of one fill; records its volume into the month-to-date counters of `month` (YYYYMM;
  // the counters reset when the month changes; an earlier month than the current one is an
  // error). Error on non-positive quantity, fractional option contracts, multiplier <= 0,
  // price <= 0 for stock or < 0 for options (option premium may be 0 only at expiry, which is
  // not a fill), or an amount outside the Money range.
  Result<FeeBreakdown> charge(const FeeInput& in, int month);

  int month() const noexcept { return month_; }
  // Month-to-date volume recorded so far (shares as a Quantity, contracts as a count).
  Quantity month_shares() const noexcept { return Quantity::from_raw(month_shares_raw_, 8); }
  std::int64_t month_contracts() const noexcept { return month_contracts_; }

 private:
  // No commission tier, minimum, maximum or regulatory rate: every fill costs exactly 0.
  static bool charges_nothing(const FeeSchedule& s);
  // The month and the fill's inputs checked (the error naming the first failure).
  Status check_fill(const FeeInput& in, int month) const;
  FeeSchedule schedule_;
  bool zero_;  // charges_nothing(schedule_)
  int month_ = 0;
  std::int64_t month_shares_raw_ = 0;  // 1e-8 shares
  std::int64_t month_contracts_ = 0;
};

}  // namespace keel::execution
