// Tests for keel/strategy/option_chain.hpp. Quotes are priced by the analytics layer's
// bsm_price at known volatilities, so the chain must give the vols back (round trip) and its
// Greeks must equal bsm_greeks at those vols (another code path: the scalar API). Selections are
// checked against a brute-force scan written here, and the ATM interpolation against arithmetic
// worked by hand in the comments.
#include "keel/strategy/option_chain.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "keel/analytics/black_scholes.hpp"
#include "keel/core/calendar.hpp"

namespace keel::strategy {
namespace {

constexpr OptionRight kCall = OptionRight::kCall;
constexpr OptionRight kPut = OptionRight::kPut;

// Snapshot at the close of Monday 2024-06-03. Expiries 2024-06-21 (18 days) and 2024-07-19
// (46 days) are monthly expirations; all three dates are in EDT, so every close is 20:00 UTC and
// the time to expiry is exactly dte/365 years (ACT/365 on whole days).
const Date kDate = Date::ymd(2024, 6, 3);
const Date kExp1 = Date::ymd(2024, 6, 21);
const Date kExp2 = Date::ymd(2024, 7, 19);
constexpr double kRate = 0.05;
constexpr double kDiv = 0.01;

Timestamp close_of(Date d) { return ExchangeCalendar::us_equities().session(d).value().close; }

Price px(double v) { return Price::from_double(v, 8).value(); }

struct Contract {
  Date expiry;
  OptionRight right;
  double strike;
  double bid;
  double ask;
};

struct ChainInput {
  std::vector<Instrument> instruments;
  std::vector<OptionQuote> quotes;
  std::int64_t next_id = 1000;

  Instrument& add(const Contract& c, std::string underlying = "ACME", std::int64_t multiplier = 100) {
    return add_prices(c.expiry, c.right, c.strike, px(c.bid), px(c.ask), std::move(underlying), multiplier);
  }
  Instrument& add_prices(Date expiry, OptionRight right, double strike, Price bid, Price ask,
                         std::string underlying = "ACME", std::int64_t multiplier = 100) {
    OptionSpec spec;
    spec.underlying = std::move(underlying);
    spec.expiry = expiry;
    spec.strike = px(strike);
    spec.right = right;
    spec.multiplier = multiplier;
    Instrument inst = make_option_instrument(spec).value();
    inst.id = InstrumentId(next_id++);
    OptionQuote q;
    q.instrument = inst.id;
    q.bid = bid;
    q.ask = ask;
    q.bid_size = Quantity::from_int(10).value();
    q.ask_size = Quantity::from_int(10).value();
    instruments.push_back(inst);
    quotes.push_back(q);
    return instruments.back();
  }
  // A quote whose mid is the BSM price at `vol` rounded to 1e-8 (bid and ask 0.05 around it).
  Instrument& add_priced(Date expiry, OptionRight right, double strike, double vol, double spot = 100.0) {
    const double t = static_cast<double>(expiry - kDate) / 365.0;
    const Price mid = px(analytics::bsm_price({right, spot, strike, t, vol, kRate, kDiv}).value());
    const Price half = Price::parse("0.05").value();
    if (mid > half) return add_prices(expiry, right, strike, mid - half, mid + half);
    return add_prices(expiry, right, strike, Price::zero(), mid + mid);
  }
  Result<OptionChain> build(double spot = 100.0, Date date = kDate) const {
    return build_chain("ACME", close_of(date), date, px(spot), instruments, quotes, kRate, kDiv);
  }
};

double vol_of(OptionRight right, double strike, Date expiry) {
  // A smile that differs by right and expiry so a mixed-up row would show.
  const double base = expiry == kExp1 ? 0.25 : 0.30;
  return base + 0.002 * std::fabs(strike - 100.0) + (right == kPut ? 0.01 : 0.0);
}

ChainInput grid() {
  ChainInput in;
  for (Date e : {kExp2, kExp1}) {  // deliberately out of order: build_chain sorts
    for (OptionRight r : {kPut, kCall}) {
      for (double k = 90.0; k <= 110.0; k += 5.0) in.add_priced(e, r, k, vol_of(r, k, e));
    }
  }
  return in;
}

TEST(OptionChain, SortedRowsDteAndTime) {
  auto chain = grid().build();
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  ASSERT_EQ(chain->rows().size(), 20u);
  EXPECT_EQ(chain->underlying(), "ACME");
  EXPECT_EQ(chain->date(), kDate);
  EXPECT_EQ(chain->expiries(), (std::vector<Date>{kExp1, kExp2}));
  // (expiry, call first, strike ascending).
  const auto rows = chain->rows();
  EXPECT_EQ(rows[0].expiry(), kExp1);
  EXPECT_EQ(rows[0].right(), kCall);
  EXPECT_EQ(rows[0].strike(), px(90));
  EXPECT_EQ(rows[4].strike(), px(110));
  EXPECT_EQ(rows[5].right(), kPut);
  EXPECT_EQ(rows[5].strike(), px(90));
  EXPECT_EQ(rows[10].expiry(), kExp2);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& a = rows[i - 1].spec();
    const auto& b = rows[i].spec();
    EXPECT_TRUE(a.expiry < b.expiry || (a.expiry == b.expiry && (a.right < b.right || (a.right == b.right && a.strike < b.strike))));
  }
  // 2024-06-03 -> 06-21 is 18 calendar days, -> 07-19 is 46 (30 days in June).
  EXPECT_EQ(rows[0].dte, 18);
  EXPECT_EQ(rows[10].dte, 46);
  EXPECT_EQ(rows[0].time, 18.0 / 365.0);
  EXPECT_EQ(rows[10].time, 46.0 / 365.0);
}

TEST(OptionChain, ImpliedVolRoundTripAndGreeksMatchAnalytics) {
  auto chain = grid().build();
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  for (const OptionRow& r : chain->rows()) {
    const double k = r.strike().to_double();
    const double true_vol = vol_of(r.right(), k, r.expiry());
    ASSERT_TRUE(r.iv.has_value()) << r.instrument.symbol;
    ASSERT_TRUE(r.greeks_from_iv);
    // The mid carries the price rounded to 1e-8; with vega >= ~5 here that moves the vol by
    // < 2e-9, inside the 1e-8 relative round-trip tolerance.
    EXPECT_NEAR(*r.iv, true_vol, 1e-8 * true_vol) << r.instrument.symbol;
    const auto g = analytics::bsm_greeks({r.right(), 100.0, k, r.time, true_vol, kRate, kDiv}).value();
    EXPECT_NEAR(r.delta, g.delta, 1e-7) << r.instrument.symbol;
    EXPECT_NEAR(r.gamma, g.gamma, 1e-7);
    EXPECT_NEAR(r.vega, g.vega, 1e-6);
    EXPECT_NEAR(r.theta_per_day, g.theta_per_day, 1e-8);
    EXPECT_NEAR(r.prob_itm, g.prob_itm, 1e-7);
    // At the recovered vol the chain's Greeks are the scalar API's, bit for bit (the batch
    // kernel's contract).
    const auto h = analytics::bsm_greeks({r.right(), 100.0, k, r.time, *r.iv, kRate, kDiv}).value();
    EXPECT_EQ(r.delta, h.delta);
    EXPECT_EQ(r.theta_per_day, h.theta_per_day);
    // Signs: call delta in (0, 1), put delta in (-1, 0).
    if (r.right() == kCall) {
      EXPECT_GT(r.delta, 0.0);
      EXPECT_LT(r.delta, 1.0);
    } else {
      EXPECT_LT(r.delta, 0.0);
      EXPECT_GT(r.delta, -1.0);
    }
  }
}

TEST(OptionChain, MidRoundsHalfUp) {
  OptionRow r;
  r.bid = Price::from_raw(1, 8);
  r.ask = Price::from_raw(2, 8);
  EXPECT_EQ(r.mid().raw(), 2);  // 1.5e-8 -> 2e-8
  r.bid = Price::parse("1.00").value();
  r.ask = Price::parse("1.05").value();
  EXPECT_EQ(r.mid(), Price::parse("1.025").value());
  EXPECT_EQ(r.mid().to_string(), "1.025");
}

TEST(OptionChain, FindByIdAndByContract) {
  ChainInput in = grid();
  const Instrument put95 = in.instruments[1];  // kExp2 puts come first in grid(): 90, 95, ...
  ASSERT_EQ(put95.option->right, kPut);
  ASSERT_EQ(put95.option->strike, px(95));
  auto chain = in.build();
  ASSERT_TRUE(chain.ok());
  const OptionRow* r = chain->find(put95.id);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->instrument, put95);
  EXPECT_EQ(chain->find(kExp2, kPut, px(95)), r);
  EXPECT_EQ(chain->find(InstrumentId(1)), nullptr);
  EXPECT_EQ(chain->find(kExp2, kPut, px(96)), nullptr);
  EXPECT_EQ(chain->find(Date::ymd(2024, 6, 28), kPut, px(95)), nullptr);
}

TEST(OptionChain, ClosestDeltaMatchesBruteForce) {
  auto chain = grid().build();
  ASSERT_TRUE(chain.ok());
  for (OptionRight right : {kCall, kPut}) {
    for (double target : {0.05, 0.16, 0.30, 0.50, 0.70}) {
      for (auto [lo, hi] : {std::pair{0, 100}, std::pair{0, 20}, std::pair{30, 60}}) {
        ChainFilter f;
        f.right = right;
        f.min_dte = lo;
        f.max_dte = hi;
        // Brute force over the known vols with the scalar pricer.
        std::string expected;
        double best = 1e9;
        for (Date e : {kExp1, kExp2}) {
          const int dte = e - kDate;
          if (dte < lo || dte > hi) continue;
          for (double k = 90.0; k <= 110.0; k += 5.0) {
            const double d = analytics::bsm_greeks({right, 100.0, k, dte / 365.0, vol_of(right, k, e), kRate, kDiv})
                                 .value()
                                 .delta;
            if (std::fabs(std::fabs(d) - target) < best) {
              best = std::fabs(std::fabs(d) - target);
              OptionSpec s{"ACME", e, px(k), right};
              expected = make_option_instrument(s).value().symbol;
            }
          }
        }
        const OptionRow* got = chain->closest_delta(f, target);
        ASSERT_NE(got, nullptr);
        EXPECT_EQ(got->instrument.symbol, expected) << "target " << target << " window " << lo << ".." << hi;
      }
    }
  }
  ChainFilter none;
  none.right = kPut;
  none.min_dte = 19;
  none.max_dte = 45;  // between the two expiries
  EXPECT_EQ(chain->closest_delta(none, 0.3), nullptr);
}

TEST(OptionChain, ClosestDeltaTiesGoToNearerExpiryThenLowerStrike) {
  // Deep in-the-money puts quoted below intrinsic have no IV and an intrinsic delta of exactly
  // -1, so |delta| ties exactly at 1. Spot 100: puts 130, 140 (expiry 1) and 120 (expiry 2),
  // each quoted 1.00 under intrinsic.
  ChainInput in;
  in.add({kExp2, kPut, 120, 18.90, 19.10});
  in.add({kExp1, kPut, 140, 38.90, 39.10});
  in.add({kExp1, kPut, 130, 28.90, 29.10});
  auto chain = in.build();
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  ChainFilter f;
  f.right = kPut;
  const OptionRow* r = chain->closest_delta(f, 1.0);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->expiry(), kExp1);
  EXPECT_EQ(r->strike(), px(130));
  f.min_dte = 30;
  r = chain->closest_delta(f, 1.0);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->expiry(), kExp2);
  EXPECT_EQ(r->strike(), px(120));
}

TEST(OptionChain, SelectFilters) {
  ChainInput in = grid();
  in.add({kExp1, kPut, 80, 0.0, 0.05});  // nobody bids
  in.add({kExp1, kPut, 85, 0.01, 0.06}, "ACME", 150);  // adjusted series
  auto chain = in.build();
  ASSERT_TRUE(chain.ok()) << chain.error().message;

  ChainFilter window;
  window.min_dte = 20;
  window.max_dte = 50;
  auto rows = chain->select(window);
  ASSERT_EQ(rows.size(), 10u);
  for (auto* r : rows) EXPECT_EQ(r->dte, 46);

  // Moneyness strike / 100 in [0.95, 1.05] -> strikes 95, 100, 105 of each right and expiry.
  ChainFilter money;
  money.min_moneyness = 0.95;
  money.max_moneyness = 1.05;
  rows = chain->select(money);
  ASSERT_EQ(rows.size(), 12u);
  for (auto* r : rows) {
    EXPECT_GE(r->strike(), px(95));
    EXPECT_LE(r->strike(), px(105));
  }

  ChainFilter puts;
  puts.right = kPut;
  puts.max_dte = 18;
  EXPECT_EQ(chain->select(puts).size(), 5u);  // no-bid 80 and adjusted 85 left out
  puts.require_bid = false;
  EXPECT_EQ(chain->select(puts).size(), 6u);
  puts.standard_only = false;
  EXPECT_EQ(chain->select(puts).size(), 7u);

  ChainFilter strikes;
  strikes.right = kCall;
  strikes.min_strike = px(100);
  strikes.max_strike = px(105);
  EXPECT_EQ(chain->select(strikes).size(), 4u);

  // |delta| band: OTM calls only have |delta| < 0.5; compare with the rows' own deltas.
  ChainFilter band;
  band.right = kCall;
  band.min_abs_delta = 0.2;
  band.max_abs_delta = 0.5;
  std::size_t expected = 0;
  for (const OptionRow& r : chain->rows()) {
    if (r.right() == kCall && std::fabs(r.delta) >= 0.2 && std::fabs(r.delta) <= 0.5 && r.bid.is_positive()) ++expected;
  }
  EXPECT_GT(expected, 0u);
  EXPECT_EQ(chain->select(band).size(), expected);
}

TEST(OptionChain, AtmIvInterpolatesInTotalVariance) {
  // Spot 100 on the 100 strike. Expiry 1 (18 days): call 0.18, put 0.22 -> ATM 0.20.
  // Expiry 2 (46 days): call and put 0.30 -> ATM 0.30. Other strikes carry other vols that must
  // not leak in.
  ChainInput in;
  in.add_priced(kExp1, kCall, 100, 0.18);
  in.add_priced(kExp1, kPut, 100, 0.22);
  in.add_priced(kExp1, kCall, 105, 0.50);
  in.add_priced(kExp1, kPut, 95, 0.50);
  in.add_priced(kExp2, kCall, 100, 0.30);
  in.add_priced(kExp2, kPut, 100, 0.30);
  in.add_priced(kExp2, kPut, 90, 0.60);
  auto chain = in.build();
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  // 30 days: alpha = (30 - 18) / (46 - 18) = 3/7;
  // w = [0.2^2 x 18 + 3/7 (0.3^2 x 46 - 0.2^2 x 18)] / 365 = [0.72 + 3/7 x 3.42] / 365
  //   = 2.1857142857 / 365; t = 30 / 365; vol = sqrt(2.1857142857 / 30) = 0.26992062325.
  EXPECT_NEAR(*chain->atm_iv(30), 0.2699206232527, 1e-8);
  // At an expiry's own DTE: its ATM vol; before the first / after the last: flat.
  EXPECT_NEAR(*chain->atm_iv(18), 0.20, 1e-8);
  EXPECT_NEAR(*chain->atm_iv(46), 0.30, 1e-8);
  EXPECT_NEAR(*chain->atm_iv(1), 0.20, 1e-8);
  EXPECT_NEAR(*chain->atm_iv(365), 0.30, 1e-8);
  // Total variance is linear in days: at 32 days (alpha = 1/2) w = (0.72 + 4.14)/2/365 = 2.43/365,
  // vol = sqrt(2.43 / 32) = 0.27556759606.
  EXPECT_NEAR(*chain->atm_iv(32), 0.2755675960631, 1e-8);
}

TEST(OptionChain, AtmIvNearestStrikeTieTakesLowerAndNoIvGivesNullopt) {
  // Spot 102.5 sits halfway between 100 (vol 0.20) and 105 (vol 0.40): the lower strike wins.
  ChainInput in;
  in.add_priced(kExp1, kCall, 100, 0.20, 102.5);
  in.add_priced(kExp1, kCall, 105, 0.40, 102.5);
  auto chain = in.build(102.5);
  ASSERT_TRUE(chain.ok());
  EXPECT_NEAR(*chain->atm_iv(30), 0.20, 1e-8);

  ChainInput bad;
  bad.add({kExp1, kPut, 130, 28.90, 29.10});  // below intrinsic: no IV
  auto c2 = bad.build();
  ASSERT_TRUE(c2.ok());
  EXPECT_FALSE(c2->atm_iv(30).has_value());
}

TEST(OptionChain, BelowIntrinsicQuoteHasNoIvAndIntrinsicDelta) {
  ChainInput in;
  in.add({kExp1, kPut, 120, 19.40, 19.60});   // put intrinsic 20, mid 19.50
  in.add({kExp1, kCall, 80, 18.90, 19.10});   // call intrinsic 20, mid 19.00
  in.add({kExp1, kPut, 50, 60.00, 61.00});    // OTM put priced above the strike: above the bound
  auto chain = in.build();
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  const OptionRow* put = chain->find(kExp1, kPut, px(120));
  ASSERT_NE(put, nullptr);
  EXPECT_FALSE(put->iv.has_value());
  EXPECT_FALSE(put->greeks_from_iv);
  EXPECT_EQ(put->delta, -1.0);
  EXPECT_EQ(put->gamma, 0.0);
  EXPECT_EQ(put->vega, 0.0);
  EXPECT_EQ(put->theta_per_day, 0.0);
  EXPECT_EQ(put->prob_itm, 1.0);
  const OptionRow* call = chain->find(kExp1, kCall, px(80));
  ASSERT_NE(call, nullptr);
  EXPECT_FALSE(call->iv.has_value());
  EXPECT_EQ(call->delta, 1.0);
  const OptionRow* otm = chain->find(kExp1, kPut, px(50));
  ASSERT_NE(otm, nullptr);
  EXPECT_FALSE(otm->iv.has_value());
  EXPECT_EQ(otm->delta, 0.0);
  EXPECT_EQ(otm->prob_itm, 0.0);
  for (const OptionRow& r : chain->rows()) {
    EXPECT_FALSE(std::isnan(r.delta));
    EXPECT_FALSE(std::isnan(r.gamma));
  }
}

TEST(OptionChain, ExpiredAndUnquotedContractsAreLeftOut) {
  ChainInput in;
  in.add_priced(kExp1, kCall, 100, 0.2);
  in.add({Date::ymd(2024, 5, 31), kCall, 100, 0.0, 0.01});  // expired on the Friday before
  in.add({kExp1, kCall, 150, 0.0, 0.0});                    // listed, not quoted
  auto chain = in.build();
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  EXPECT_EQ(chain->rows().size(), 1u);
  EXPECT_EQ(chain->skipped_expired(), 1u);
  EXPECT_EQ(chain->skipped_unquoted(), 1u);
}

TEST(OptionChain, ExpirationDayRowsPriceWithOneHourLeft) {
  ChainInput in;
  in.add({kExp1, kCall, 100, 0.50, 0.60});
  // Snapshot at the close of the expiry day itself: dte 0, time floored at one hour.
  auto chain = build_chain("ACME", close_of(kExp1), kExp1, px(100), in.instruments, in.quotes, kRate, kDiv);
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  ASSERT_EQ(chain->rows().size(), 1u);
  EXPECT_EQ(chain->rows()[0].dte, 0);
  EXPECT_EQ(chain->rows()[0].time, 1.0 / (365.0 * 24.0));
  EXPECT_TRUE(chain->rows()[0].iv.has_value());
}

bool mentions(const Result<OptionChain>& r, const std::string& text) {
  return !r.ok() && r.error().message.find(text) != std::string::npos;
}

TEST(OptionChain, InvalidInputErrorsNameTheContract) {
  {
    ChainInput in;
    const std::string sym = in.add({kExp1, kPut, 95, 1.20, 1.10}).symbol;  // crossed
    auto r = in.build();
    EXPECT_TRUE(mentions(r, sym)) << (r.ok() ? "" : r.error().message);
    EXPECT_TRUE(mentions(r, "crossed"));
  }
  {
    ChainInput in;
    const std::string sym = in.add({kExp1, kPut, 95, 1.0, 1.1}, "OTHER").symbol;
    auto r = in.build();
    EXPECT_TRUE(mentions(r, sym));
    EXPECT_TRUE(mentions(r, "option on OTHER"));
  }
  {
    ChainInput in;
    in.add({kExp1, kPut, 95, 1.0, 1.1});
    in.instruments[0].asset_class = AssetClass::kEquity;
    in.instruments[0].option.reset();
    auto r = in.build();
    EXPECT_TRUE(mentions(r, "is not an option"));
  }
  {
    ChainInput in;
    in.add({kExp1, kPut, 95, 1.0, 1.1});
    in.quotes.pop_back();
    EXPECT_TRUE(mentions(in.build(), "1 instruments but 0 quotes"));
  }
  {
    ChainInput in;
    const std::string sym = in.add({kExp1, kPut, 95, 1.0, 1.1}).symbol;
    in.quotes[0].instrument = InstrumentId(7);
    auto r = in.build();
    EXPECT_TRUE(mentions(r, sym));
    EXPECT_TRUE(mentions(r, "quote for id 7"));
  }
  {
    ChainInput in;
    const std::string sym = in.add({kExp1, kPut, 95, 1.0, 1.1}).symbol;
    in.instruments.push_back(in.instruments[0]);
    in.quotes.push_back(in.quotes[0]);
    auto r = in.build();
    EXPECT_TRUE(mentions(r, sym));
    EXPECT_TRUE(mentions(r, "quoted twice"));
  }
  {
    ChainInput in;
    in.add({kExp1, kPut, 95, 1.0, 1.1});
    EXPECT_TRUE(mentions(in.build(0.0), "underlying price 0"));
    EXPECT_TRUE(mentions(build_chain("ACME", close_of(kDate), kDate, px(100), in.instruments, in.quotes,
                                     std::nan(""), 0.0),
                         "rate nan"));
  }
}

RC_GTEST_PROP(OptionChain, RoundTripOverRandomSmiles, ()) {
  // Any vol in [0.15, 1.0] on strikes within +-10% of spot at either expiry comes back to 1e-8
  // relative, plus what the quote's rounding to 1e-8 itself moves the vol by: half a unit in
  // the last place of the price over vega (far from the money vega is small).
  const double vol = *rc::gen::inRange(150, 1000) / 1000.0;
  const double k = *rc::gen::inRange(90, 111);
  const bool put = *rc::gen::arbitrary<bool>();
  const Date e = *rc::gen::arbitrary<bool>() ? kExp1 : kExp2;
  ChainInput in;
  in.add_priced(e, put ? kPut : kCall, k, vol);
  auto chain = in.build();
  RC_ASSERT(chain.ok());
  RC_ASSERT(chain->rows().size() == 1u);
  const OptionRow& r = chain->rows()[0];
  RC_ASSERT(r.iv.has_value());
  const double vega = analytics::bsm_greeks({r.right(), 100.0, k, r.time, vol, kRate, kDiv}).value().vega;
  RC_ASSERT(std::fabs(*r.iv - vol) <= 1e-8 * vol + 0.5e-8 / vega);
}

}  // namespace
}  // namespace keel::strategy
