// keel/execution/fees.cpp — see fees.hpp for the contract.
#include "keel/execution/fees.hpp"

#include <cmath>
#include <string>

#include "keel/core/int128.hpp"

namespace keel::execution {

namespace {

Money money(std::int64_t raw) { return Money::from_raw(raw, 8); }
Money cents(std::int64_t c) { return Money::from_raw(c * 1'000'000, 2); }
// Rates below a cent, written as raw 1e-8 units: usd_e8(35'0000) = $0.0035.
Money usd_e8(std::int64_t raw) { return Money::from_raw(raw, 8); }
Price price_e8(std::int64_t raw) { return Price::from_raw(raw, 8); }


// ---------------------------------------------------------------------------------------------
// Published rates. Each constant names where it comes from and the date it applies to.
//
// SEC Section 31 fee: $27.80 per million dollars of covered sales, "Order Making Fiscal Year
// 2024 Annual Adjustments to Transaction Fee Rates", SEC Release 34-99973 (April 17, 2024),
// 89 FR 29402, effective May 22, 2024. It applies to sales of exchange-listed stock AND options
// (IBKR's options page lists the same "Value of Aggregate Sales" fee). Note: the SEC set the
// rate to $0.00 per million from May 14, 2025 for the rest of fiscal 2025 (it had collected its
// appropriation); set sec_fee_rate = 0 to model that period.
constexpr double kSecFeeRate2024 = 27.80 / 1'000'000.0;
// FINRA Trading Activity Fee, By-Laws Schedule A Section 1(b), rates in force from January 1,
// 2024: $0.000166 per share sold, at most $8.30 per trade; $0.00279 per option contract sold
// (confirmed against IBKR's stock commission page, "USD 0.000166 * Quantity Sold", and
// brokerage-review.com's TAF page, both read 2025). No maximum is applied to the option TAF.
Money taf_per_share_2024() { return usd_e8(16'600); }        // $0.000166
Money taf_max_per_trade_2024() { return cents(830); }        // $8.30
Money taf_per_contract_2024() { return usd_e8(279'000); }    // $0.00279
// Options Regulatory Fee: $0.02685 per contract, the sum of the exchanges' ORFs as published
// on IBKR's US options commission page in 2024 (IBKR's knowledge base gives $0.02815 from
// March 3, 2025; both are charged on buys and sells).
Money orf_per_contract_2024() { return usd_e8(2'685'000); }  // $0.02685
// OCC clearing fee as IBKR passes it through: $0.02 per contract for trades of 1-2,750
// contracts, $55.00 per trade above (i.e. a $55.00 cap) — IBKR US options page, 2024.
Money occ_per_contract_2024() { return cents(2); }
Money occ_max_per_trade_2024() { return cents(5500); }

// IBKR Pro US options, tiered, per contract (IBKR US options commission page, 2024-2025):
//   <= 10,000 contracts/month: premium < $0.05: $0.25; $0.05 <= premium < $0.10: $0.50;
//                               premium >= $0.10: $0.65
//   10,001 - 50,000:           premium < $0.05: $0.25; premium >= $0.05: $0.50
//   50,001 - 100,000:          $0.25
//   > 100,000:                 $0.15
//   minimum $1.00 per order. "< $0.05" is "<= $0.04999999" on keel's 1e-8 grid.
std::vector<PremiumTier> ibkr_option_tiers(bool volume_discounts) {
  const Price below_5c = price_e8(4'999'999);
  const Price below_10c = price_e8(9'999'999);
  const Price any = Price::from_raw(INT64_MAX, 2);
  if (!volume_discounts) {
    return {{below_5c, cents(25)}, {below_10c, cents(50)}, {any, cents(65)}};
  }
  return {
      {below_5c, cents(25), 10'000},  {below_10c, cents(50), 10'000}, {any, cents(65), 10'000},
      {below_5c, cents(25), 50'000},  {any, cents(50), 50'000},
      {any, cents(25), 100'000},
      {any, cents(15), INT64_MAX},
  };
}

FeeSchedule preset_zero() {
  FeeSchedule s;
  s.name = "zero";
  return s;
}

// The fees on sales every US broker passes through: SEC Section 31 and FINRA TAF.
void pass_through_sale_fees_2024(FeeSchedule& s) {
  s.sec_fee_rate = kSecFeeRate2024;
  s.finra_taf_per_share = taf_per_share_2024();
  s.finra_taf_max_per_trade = taf_max_per_trade_2024();
  s.finra_taf_per_contract = taf_per_contract_2024();
}

// The per-contract option fees IBKR passes through: ORF and OCC clearing (with its cap).
void pass_through_option_fees_2024(FeeSchedule& s) {
  s.option_orf_per_contract = orf_per_contract_2024();
  s.occ_clearing_per_contract = occ_per_contract_2024();
  s.occ_clearing_max_per_trade = occ_max_per_trade_2024();
}

// A US zero-commission stock broker (Schwab, Fidelity, E*TRADE style, 2024): $0 stock
// commission, $0.65 per option contract with no minimum. The SEC fee and FINRA TAF are passed
// through on sales (these brokers list them on confirmations); the ORF and OCC clearing fee are
// taken to be included in the $0.65 (keel's choice, docs/EXECUTION.md: brokers differ, and a
// user who wants them separately can start from ibkr_tiered's values).
FeeSchedule preset_retail() {
  FeeSchedule s;
  s.name = "retail";
  s.option_per_contract = {{INT64_MAX, cents(65)}};
  pass_through_sale_fees_2024(s);
  return s;
}

// IBKR Pro tiered, US stocks (IBKR US stock commission page, 2024-2025):
//   <= 300,000 shares/month $0.0035; 300,001 - 3,000,000 $0.0020; 3,000,001 - 20,000,000
//   $0.0015; 20,000,001 - 100,000,000 $0.0010; > 100,000,000 $0.0005; minimum $0.35 per order,
//   maximum 1% of trade value. Exchange, clearing (NSCC/DTC $0.00020/share) and pass-through
//   fees are not modeled (venue-dependent; docs/EXECUTION.md).
FeeSchedule preset_ibkr_tiered() {
  FeeSchedule s;
  s.name = "ibkr_tiered";
  s.stock_per_share = {{300'000, usd_e8(350'000)},
                       {3'000'000, usd_e8(200'000)},
                       {20'000'000, usd_e8(150'000)},
                       {100'000'000, usd_e8(100'000)},
                       {INT64_MAX, usd_e8(50'000)}};
  s.stock_min_per_order = cents(35);
  s.stock_max_fraction_of_value = 0.01;
  s.option_premium_tiers = ibkr_option_tiers(true);
  s.option_min_per_order = cents(100);
  pass_through_sale_fees_2024(s);
  pass_through_option_fees_2024(s);
  return s;
}

// IBKR Pro fixed, US stocks: $0.005 per share, minimum $1.00, maximum 1% of trade value,
// exchange and most regulatory fees included, the SEC fee and FINRA TAF passed through on sales
// (IBKR US stock commission page, 2024-2025; its worked examples are in fees_test.cpp). Options:
// the premium-tiered $0.25/$0.50/$0.65 schedule without volume discounts, minimum $1.00, with
// ORF, OCC, SEC fee and TAF passed through (IBKR: "transaction, regulatory and clearing fees
// are passed through").
FeeSchedule preset_ibkr_fixed() {
  FeeSchedule s;
  s.name = "ibkr_fixed";
  s.stock_per_share = {{INT64_MAX, usd_e8(500'000)}};
  s.stock_min_per_order = cents(100);
  s.stock_max_fraction_of_value = 0.01;
  s.option_premium_tiers = ibkr_option_tiers(false);
  s.option_min_per_order = cents(100);
  pass_through_sale_fees_2024(s);
  pass_through_option_fees_2024(s);
  return s;
}

Status check_money(const Money& m, const std::string& field) {
  if (m.is_negative()) {
    return make_error(ErrorCode::kInvalidArgument, "fee schedule: " + field + " must be >= 0, got " + m.to_string());
  }
  return ok_status();
}

Status check_volume_tiers(const std::vector<VolumeTier>& tiers, const std::string& field) {
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    const std::string where = field + "[" + std::to_string(i) + "]";
    KEEL_TRY_STATUS(check_money(tiers[i].rate, where + ".rate"));
    if (tiers[i].up_to <= 0) {
      return make_error(ErrorCode::kInvalidArgument,
                        "fee schedule: " + where + ".up_to must be > 0, got " + std::to_string(tiers[i].up_to));
    }
    if (i > 0 && tiers[i].up_to <= tiers[i - 1].up_to) {
      return make_error(ErrorCode::kInvalidArgument, "fee schedule: " + where + ".up_to " +
                                                         std::to_string(tiers[i].up_to) + " not above the previous tier's " +
                                                         std::to_string(tiers[i - 1].up_to));
    }
  }
  if (!tiers.empty() && tiers.back().up_to != INT64_MAX) {
    return make_error(ErrorCode::kInvalidArgument,
                      "fee schedule: " + field + ": the last tier must be open-ended (up_to = INT64_MAX)");
  }
  return ok_status();
}

Status check_fraction(double v, const std::string& field, double upper) {
  if (!std::isfinite(v) || v < 0.0 || v >= upper) {
    return make_error(ErrorCode::kInvalidArgument,
                      "fee schedule: " + field + " must be finite and in [0, " + std::to_string(upper) + "), got " +
                          std::to_string(v));
  }
  return ok_status();
}

// rate x quantity (both 1e-8 raw) -> Money raw at 1e-8, half away from zero.
i128 per_unit_amount(Money rate, Quantity qty) {
  return div_round(static_cast<i128>(rate.raw()) * qty.raw(), kFixedScale);
}

// Rounds a 1e-8 raw amount to the cent, half away from zero.
i128 to_cents_raw(i128 raw) { return div_round(raw, 1'000'000) * 1'000'000; }

}  // namespace

Result<FeeSchedule> fee_preset(std::string_view name) {
  if (name == "zero") return preset_zero();
  if (name == "retail") return preset_retail();
  if (name == "ibkr_tiered") return preset_ibkr_tiered();
  if (name == "ibkr_fixed") return preset_ibkr_fixed();
  std::string known;
  for (const std::string& n : fee_preset_names()) known += (known.empty() ? "" : ", ") + n;
  return make_error(ErrorCode::kNotFound, "unknown fee preset '" + std::string(name) + "' (known: " + known + ")");
}

std::vector<std::string> fee_preset_names() { return {"zero", "retail", "ibkr_tiered", "ibkr_fixed"}; }

Status validate(const FeeSchedule& s) {
  KEEL_TRY_STATUS(check_volume_tiers(s.stock_per_share, "stock_per_share"));
  KEEL_TRY_STATUS(check_money(s.stock_min_per_order, "stock_min_per_order"));
  KEEL_TRY_STATUS(check_fraction(s.stock_max_fraction_of_value, "stock_max_fraction_of_value", 1.0));
  KEEL_TRY_STATUS(check_volume_tiers(s.option_per_contract, "option_per_contract"));
  for (std::size_t i = 0; i < s.option_premium_tiers.size(); ++i) {
    const PremiumTier& t = s.option_premium_tiers[i];
    const std::string where = "option_premium_tiers[" + std::to_string(i) + "]";
    KEEL_TRY_STATUS(check_money(t.per_contract, where + ".per_contract"));
    if (t.max_premium.is_negative()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "fee schedule: " + where + ".max_premium must be >= 0, got " + t.max_premium.to_string());
    }
    if (t.volume_up_to <= 0) {
      return make_error(ErrorCode::kInvalidArgument, "fee schedule: " + where + ".volume_up_to must be > 0");
    }
  }
  if (!s.option_premium_tiers.empty()) {
    const PremiumTier& last = s.option_premium_tiers.back();
    if (last.volume_up_to != INT64_MAX || last.max_premium.raw() != INT64_MAX) {
      return make_error(ErrorCode::kInvalidArgument,
                        "fee schedule: option_premium_tiers: the last row must cover every premium and volume "
                        "(max_premium = the largest price, volume_up_to = INT64_MAX)");
    }
  }
  KEEL_TRY_STATUS(check_money(s.option_min_per_order, "option_min_per_order"));
  // A Section 31 rate of 1% would be 400x any rate ever set: a typo, most likely "27.80".
  KEEL_TRY_STATUS(check_fraction(s.sec_fee_rate, "sec_fee_rate", 0.01));
  KEEL_TRY_STATUS(check_money(s.finra_taf_per_share, "finra_taf_per_share"));
  KEEL_TRY_STATUS(check_money(s.finra_taf_max_per_trade, "finra_taf_max_per_trade"));
  KEEL_TRY_STATUS(check_money(s.finra_taf_per_contract, "finra_taf_per_contract"));
  KEEL_TRY_STATUS(check_money(s.option_orf_per_contract, "option_orf_per_contract"));
  KEEL_TRY_STATUS(check_money(s.occ_clearing_per_contract, "occ_clearing_per_contract"));
  KEEL_TRY_STATUS(check_money(s.occ_clearing_max_per_trade, "occ_clearing_max_per_trade"));
  return ok_status();
}

bool FeeCalculator::charges_nothing(const FeeSchedule& s) {
  return s.stock_per_share.empty() && s.stock_min_per_order.is_zero() && s.stock_max_fraction_of_value == 0.0 &&
         s.option_per_contract.empty() && s.option_premium_tiers.empty() && s.option_min_per_order.is_zero() &&
         s.sec_fee_rate == 0.0 && s.finra_taf_per_share.is_zero() && s.finra_taf_max_per_trade.is_zero() &&
         s.finra_taf_per_contract.is_zero() && s.option_orf_per_contract.is_zero() &&
         s.occ_clearing_per_contract.is_zero() && s.occ_clearing_max_per_trade.is_zero();
}

Status FeeCalculator::check_fill(const FeeInput& in, int month) const {
  const int year = month / 100;
  const int mon = month % 100;
  if (year < 1 || year > 9999 || mon < 1 || mon > 12) {
    return make_error(ErrorCode::kInvalidArgument, "fees: month " + std::to_string(month) + " is not YYYYMM");
  }
  if (month < month_) {
    return make_error(ErrorCode::kInvalidArgument, "fees: fill in month " + std::to_string(month) +
                                                       " after fills in month " + std::to_string(month_) +
                                                       " (fills must come in time order)");
  }
  if (!in.quantity.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument, "fees: fill quantity must be > 0, got " + in.quantity.to_string());
  }
  const bool option = in.asset_class == AssetClass::kOption;
  if (option ? in.price.is_negative() : !in.price.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument, std::string("fees: fill price must be ") + (option ? ">= 0" : "> 0") +
                                                       ", got " + in.price.to_string());
  }
  if (in.multiplier <= 0) {
    return make_error(ErrorCode::kInvalidArgument, "fees: multiplier must be > 0, got " + std::to_string(in.multiplier));
  }
  if (option && !in.quantity.is_multiple_of_precision(0)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "fees: option fills are whole contracts, got " + in.quantity.to_string());
  }
  return ok_status();
}

Result<FeeBreakdown> FeeCalculator::charge(const FeeInput& in, int month) {
  KEEL_TRY_STATUS(check_fill(in, month));
  const bool option = in.asset_class == AssetClass::kOption;
  const bool new_month = month != month_;
  const i128 shares_before = new_month ? 0 : month_shares_raw_;
  const std::int64_t contracts_before = new_month ? 0 : month_contracts_;
  const std::int64_t contracts = option ? in.quantity.raw() / kFixedScale : 0;

  // Trade value, exact.
  KEEL_TRY(value, notional(in.price, in.quantity, option ? in.multiplier : 1));

  i128 base = 0, commission = 0, regulatory = 0;
  // A schedule of zeros (fee_preset("zero"), the default) charges nothing: every component below
  // comes to exactly 0 and none of its checks can fail unless earlier fills were charged, so the
  // computation is skipped (it ran on every simulated fill).
  if (!zero_ || !in.base_commission_already.is_zero() || !in.commission_already_charged.is_zero()) {
    // Per-unit commission of this fill.
    Money minimum;
    double max_fraction = 0.0;
    if (option) {
      minimum = schedule_.option_min_per_order;
      Money rate;
      if (!schedule_.option_premium_tiers.empty()) {
        bool found = false;
        for (const PremiumTier& t : schedule_.option_premium_tiers) {
          if (contracts_before < t.volume_up_to && in.price <= t.max_premium) {
            rate = t.per_contract;
            found = true;
            break;
          }
        }
        if (!found) {
          return make_error(ErrorCode::kInvalidArgument, "fees: schedule '" + schedule_.name +
                                                             "': no option_premium_tiers row covers premium " +
                                                             in.price.to_string());
        }
      } else {
        for (const VolumeTier& t : schedule_.option_per_contract) {
          if (contracts_before < t.up_to) {
            rate = t.rate;
            break;
          }
        }
      }
      base = static_cast<i128>(rate.raw()) * contracts;
    } else {
      minimum = schedule_.stock_min_per_order;
      max_fraction = schedule_.stock_max_fraction_of_value;
      for (const VolumeTier& t : schedule_.stock_per_share) {
        if (shares_before < static_cast<i128>(t.up_to) * kFixedScale) {
          base = per_unit_amount(t.rate, in.quantity);
          break;
        }
      }
    }

    // Order-level commission so far: clamp(sum of per-unit amounts, minimum, fraction x value),
    // rounded to the cent; this fill pays the increase.
    const i128 cum_base = static_cast<i128>(in.base_commission_already.raw()) + base;
    const i128 cum_value = static_cast<i128>(in.value_already.raw()) + value.raw();
    i128 order_total = cum_base > minimum.raw() ? cum_base : static_cast<i128>(minimum.raw());
    if (max_fraction > 0.0) {
      // The fraction on the 1e-8 grid (0.01 -> 1,000,000): exact from here on.
      const i128 frac = static_cast<i128>(std::llround(max_fraction * static_cast<double>(kFixedScale)));
      const i128 cap = div_round(cum_value * frac, kFixedScale);
      if (cap < order_total) order_total = cap;
    }
    order_total = to_cents_raw(order_total);
    commission = order_total - in.commission_already_charged.raw();
    if (commission < 0) {
      return make_error(ErrorCode::kInvalidArgument,
                        "fees: commission_already_charged " + in.commission_already_charged.to_string() +
                            " exceeds the order's commission so far " + money(static_cast<std::int64_t>(order_total)).to_string() +
                            " (pass base_commission_already and value_already of the earlier fills)");
    }

    // Regulatory fees, each rounded to the cent.
    const bool sell = in.side == OrderSide::kSell;
    if (sell && schedule_.sec_fee_rate > 0.0) {
      // Rate on a 1e-12 grid: $27.80 per million = 27,800,000 exactly.
      const i128 rate_e12 = static_cast<i128>(std::llround(schedule_.sec_fee_rate * 1e12));
      regulatory += to_cents_raw(div_round(static_cast<i128>(value.raw()) * rate_e12, static_cast<i128>(1'000'000'000'000)));
    }
    if (option) {
      if (sell) regulatory += to_cents_raw(static_cast<i128>(schedule_.finra_taf_per_contract.raw()) * contracts);
      regulatory += to_cents_raw(static_cast<i128>(schedule_.option_orf_per_contract.raw()) * contracts);
      i128 occ = static_cast<i128>(schedule_.occ_clearing_per_contract.raw()) * contracts;
      if (schedule_.occ_clearing_max_per_trade.is_positive() && occ > schedule_.occ_clearing_max_per_trade.raw()) {
        occ = schedule_.occ_clearing_max_per_trade.raw();
      }
      regulatory += to_cents_raw(occ);
    } else if (sell) {
      i128 t = per_unit_amount(schedule_.finra_taf_per_share, in.quantity);
      if (schedule_.finra_taf_max_per_trade.is_positive() && t > schedule_.finra_taf_max_per_trade.raw()) {
        t = schedule_.finra_taf_max_per_trade.raw();
      }
      regulatory += to_cents_raw(t);
    }
  }

  if (!fits_i64(commission) || !fits_i64(regulatory) || !fits_i64(base)) {
    return make_error(ErrorCode::kOverflow, "fees: amounts of a fill of " + in.quantity.to_string() + " @ " +
                                                in.price.to_string() + " out of the Money range");
  }
  i128 shares_after = shares_before;
  std::int64_t contracts_after = contracts_before;
  if (option) {
    if (__builtin_add_overflow(contracts_before, contracts, &contracts_after)) contracts_after = INT64_MAX;
  } else {
    shares_after += in.quantity.raw();
    if (shares_after > INT64_MAX) shares_after = INT64_MAX;  // beyond every tier bound already
  }

  FeeBreakdown out;
  out.commission = Money::from_raw(static_cast<std::int64_t>(commission), 2);
  out.regulatory = Money::from_raw(static_cast<std::int64_t>(regulatory), 2);
  out.base_commission = money(static_cast<std::int64_t>(base));
  out.trade_value = value;

  // Commit (strong guarantee: nothing above changed the counters).
  month_ = month;
  month_shares_raw_ = static_cast<std::int64_t>(shares_after);
  month_contracts_ = contracts_after;
  return out;
}

}  // namespace keel::execution
