#include "keel/analytics/feature_pipeline.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "keel/analytics/labels.hpp"

namespace keel::analytics {
namespace {

Timestamp at(int y, int m, int d, int hour = 20, int minute = 0) { return Timestamp::from_utc(y, m, d, hour, minute).value(); }

TEST(Frame, RejectsBadClocksAndColumns) {
  auto bad = Frame::create({at(2024, 1, 3), at(2024, 1, 2)});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("frame ts[1]"), std::string::npos) << bad.error().message;
  auto f = Frame::create({at(2024, 1, 2), at(2024, 1, 3)});
  ASSERT_TRUE(f.ok());
  const std::vector<double> x{1, 2}, nan{1, NAN}, shorter{1};
  ASSERT_TRUE(f->add("x", x).ok());
  EXPECT_FALSE(f->add("x", x).ok());
  EXPECT_EQ(f->add("y", nan).error().message, "frame: column 'y' row 1 is not finite");
  EXPECT_FALSE(f->add("z", shorter).ok());
  EXPECT_EQ(f->index_of("nope").error().message, "frame has no column 'nope'");
}

TEST(Pipeline, LagIsEnforcedByTheView) {
  std::vector<Timestamp> ts;
  std::vector<double> x;
  for (int i = 0; i < 6; ++i) ts.push_back(at(2024, 1, 2 + i)), x.push_back(10.0 * i);
  auto frame = Frame::create(ts);
  ASSERT_TRUE(frame.ok());
  ASSERT_TRUE(frame->add("x", x).ok());
  FeaturePipeline p;
  ASSERT_TRUE(p.add(lagged("x", 2, "x_lag2")).ok());
  // A feature that reports the last timestamp it could see, to show the view ends at t - lag.
  Feature seen;
  seen.outputs = {"seen_rows"};
  seen.inputs = {"x"};
  seen.lag = 1;
  seen.make_step = [] {
    return [](const FrameView& v, std::span<std::optional<double>> out) -> Status {
      out[0] = static_cast<double>(v.rows());
      return ok_status();
    };
  };
  ASSERT_TRUE(p.add(seen).ok());
  Feature negative = lagged("x", -1, "bad");
  EXPECT_EQ(p.add(negative).error().message, "pipeline: feature 'bad' lag -1 is negative");
  EXPECT_FALSE(p.add(lagged("x", 0, "x_lag2")).ok());  // output name repeats
  auto out = p.run(*frame);
  ASSERT_TRUE(out.ok()) << out.error().message;
  const auto& lag2 = out->columns()[0];
  EXPECT_FALSE(lag2[0]);
  EXPECT_FALSE(lag2[1]);
  for (std::size_t t = 2; t < 6; ++t) EXPECT_EQ(*lag2[t], x[t - 2]);
  const auto& rows = out->columns()[1];
  EXPECT_FALSE(rows[0]);
  for (std::size_t t = 1; t < 6; ++t) EXPECT_EQ(*rows[t], static_cast<double>(t));  // rows 0..t-1 visible
  // A missing input is named.
  FeaturePipeline q;
  ASSERT_TRUE(q.add(lagged("nope", 0, "y")).ok());
  EXPECT_EQ(q.run(*frame).error().message, "feature 'y': frame has no column 'nope'");
}

TEST(Pipeline, SpecFeatureEqualsBatchAndShiftsByItsLag) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> z(0.0, 0.01);
  std::vector<Timestamp> ts;
  std::vector<double> close;
  double px = 50;
  for (int i = 0; i < 120; ++i) {
    ts.push_back(Timestamp::from_ns(kNanosPerDay * (19000 + i)));
    close.push_back(px *= std::exp(z(rng)));
  }
  auto frame = Frame::create(ts);
  ASSERT_TRUE(frame.ok());
  ASSERT_TRUE(frame->add("close", close).ok());
  auto spec = parse_feature_spec("rsi:14,macd:12:26:9,zscore:20");
  ASSERT_TRUE(spec.ok());
  OhlcvInput in;
  in.close = close;
  auto batch = compute_features(*spec, in);
  ASSERT_TRUE(batch.ok());
  FeaturePipeline p;
  auto f0 = spec_feature(*spec, 0);
  auto f1 = spec_feature(*spec, 1, {}, "l1_");
  ASSERT_TRUE(f0.ok() && f1.ok());
  ASSERT_TRUE(p.add(*f0).ok());
  ASSERT_TRUE(p.add(*f1).ok());
  auto out = p.run(*frame);
  ASSERT_TRUE(out.ok()) << out.error().message;
  const std::size_t w = batch->columns.size();
  for (std::size_t k = 0; k < w; ++k) {
    for (std::size_t t = 0; t < close.size(); ++t) {
      EXPECT_EQ(out->columns()[k][t], batch->columns[k][t]) << batch->names[k] << " row " << t;
      EXPECT_EQ(out->columns()[w + k][t], t == 0 ? std::nullopt : batch->columns[k][t - 1]);
    }
  }
  EXPECT_EQ(out->names()[w], "l1_rsi_14");
  // A spec needing high/low on a frame without them: the missing column is named.
  auto atr = parse_feature_spec("atr:3");
  ASSERT_TRUE(atr.ok());
  FeaturePipeline q;
  ASSERT_TRUE(q.add(*spec_feature(*atr, 0)).ok());
  EXPECT_EQ(q.run(*frame).error().message, "feature 'atr_3': frame has no column 'high'");
}

// US clock around Independence Day 2024: Mon 07-01, Tue 07-02, Wed 07-03 (early close),
// Fri 07-05, Mon 07-08 (Thu 07-04 closed), stamped 20:00 UTC (16:00 New York, EDT).
std::vector<Timestamp> us_clock() {
  return {at(2024, 7, 1), at(2024, 7, 2), at(2024, 7, 3, 17), at(2024, 7, 5), at(2024, 7, 8)};
}

TEST(AsofJoin, OtherInstrumentWithOtherHolidays) {
  // A European index closing 15:30 UTC; it trades on 07-04 (a US holiday) and is closed 07-03.
  const std::vector<Timestamp> ev{at(2024, 7, 1, 15, 30), at(2024, 7, 2, 15, 30), at(2024, 7, 4, 15, 30),
                                  at(2024, 7, 5, 15, 30)};
  const std::vector<double> v{1, 2, 4, 5};
  auto j = asof_join(ev, {}, v, us_clock());
  ASSERT_TRUE(j.ok()) << j.error().message;
  // 07-01 -> 1, 07-02 -> 2, 07-03 -> 2 (its 07-03 is missing), 07-05 -> 5 (07-04 and 07-05 known;
  // the later wins), 07-08 -> 5.
  EXPECT_EQ(*j, (FeatureColumn{1.0, 2.0, 2.0, 5.0, 5.0}));
  // Max staleness 2 days: on 07-08 20:00 the 07-05 15:30 value is 3 d 4.5 h old: not ready.
  auto s = asof_join(ev, {}, v, us_clock(), {Duration(2 * kNanosPerDay)});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, (FeatureColumn{1.0, 2.0, 2.0, 5.0, std::nullopt}));
}

TEST(AsofJoin, PublicationDelay) {
  // A weekly series: the week ending Sat 06-22 (10) is published Thu 06-27 12:30 UTC, the week
  // ending 06-29 (20) on Wed 07-03 12:30 (early, before the holiday), the week ending 07-06 (30)
  // on Thu 07-11. Before publication a value is unknown, whatever its event time.
  const std::vector<Timestamp> ev{at(2024, 6, 22, 0), at(2024, 6, 29, 0), at(2024, 7, 6, 0)};
  const std::vector<Timestamp> known{at(2024, 6, 27, 12, 30), at(2024, 7, 3, 12, 30), at(2024, 7, 11, 12, 30)};
  const std::vector<double> v{10, 20, 30};
  auto j = asof_join(ev, known, v, us_clock());
  ASSERT_TRUE(j.ok()) << j.error().message;
  EXPECT_EQ(*j, (FeatureColumn{10.0, 10.0, 20.0, 20.0, 20.0}));
  // Event time 06-29 with no delay would already show on 07-01: the join must not use it.
  auto no_delay = asof_join(ev, {}, v, us_clock());
  EXPECT_EQ((*no_delay)[0], 20.0);
  // Irregular delays: event A (07-01) known 07-05, event B (07-02) known 07-03. On 07-03 B is
  // the only known value; on 07-05 both are known and B, the later event, is the value.
  const std::vector<Timestamp> ev2{at(2024, 7, 1, 12), at(2024, 7, 2, 12)};
  const std::vector<Timestamp> known2{at(2024, 7, 5, 12), at(2024, 7, 3, 12)};
  const std::vector<double> v2{1, 2};
  auto k = asof_join(ev2, known2, v2, us_clock());
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(*k, (FeatureColumn{std::nullopt, std::nullopt, 2.0, 2.0, 2.0}));
  // Known before the event: an error naming the index.
  const std::vector<Timestamp> early{at(2024, 6, 21, 0), at(2024, 7, 3, 12), at(2024, 7, 11)};
  EXPECT_NE(asof_join(ev, early, v, us_clock()).error().message.find("known_at[0]"), std::string::npos);
}

TEST(CrossSection, HandWorkedRankAndZScoreWithTiesAndAMissingValue) {
  // Row 0: values 3, 1, 3, (missing), 2. Present m = 4, sorted 1 (j1), 2 (j4), 3 (j0), 3 (j2):
  // ranks 1, 2, 3.5, 3.5 -> scaled (r - 1)/3: j1 0, j4 1/3, j0 = j2 = 2.5/3.
  // Mean 9/4 = 2.25, deviations 0.75, -1.25, 0.75, -0.25, Σd² = 2.75, s = √(2.75/3).
  // Row 1: only j0 present -> not ready for all. Row 2: all four present and equal 7 -> rank
  // average 2.5 -> 0.5 each; s = 0 -> z = 0.
  const std::vector<FeatureColumn> panel{
      {3.0, 5.0, 7.0}, {1.0, std::nullopt, 7.0}, {3.0, std::nullopt, 7.0},
      {std::nullopt, std::nullopt, std::nullopt}, {2.0, std::nullopt, 7.0}};
  auto r = cross_sectional_rank(panel);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(*(*r)[1][0], 0.0);
  EXPECT_DOUBLE_EQ(*(*r)[4][0], 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(*(*r)[0][0], 2.5 / 3.0);
  EXPECT_DOUBLE_EQ(*(*r)[2][0], 2.5 / 3.0);
  EXPECT_FALSE((*r)[3][0]);
  for (const auto& col : *r) EXPECT_FALSE(col[1]);
  EXPECT_DOUBLE_EQ(*(*r)[0][2], 0.5);
  auto z = cross_sectional_zscore(panel);
  ASSERT_TRUE(z.ok());
  const double s = std::sqrt(2.75 / 3.0);
  EXPECT_NEAR(*(*z)[0][0], 0.75 / s, 1e-15);
  EXPECT_NEAR(*(*z)[1][0], -1.25 / s, 1e-15);
  EXPECT_NEAR(*(*z)[2][0], 0.75 / s, 1e-15);
  EXPECT_NEAR(*(*z)[4][0], -0.25 / s, 1e-15);
  EXPECT_FALSE((*z)[3][0]);
  EXPECT_FALSE((*z)[0][1]);
  EXPECT_EQ(*(*z)[2][2], 0.0);
  const std::vector<FeatureColumn> ragged{{1.0, 2.0}, {1.0}};
  EXPECT_FALSE(cross_sectional_rank(ragged).ok());
}

TEST(Calendar, KnownDates) {
  const std::vector<Date> d{Date::ymd(2024, 3, 15), Date::ymd(2024, 3, 14), Date::ymd(2024, 3, 18),
                            Date::ymd(2024, 2, 26), Date::ymd(2024, 2, 29), Date::ymd(2024, 7, 2),
                            Date::ymd(2024, 7, 3),  Date::ymd(2024, 7, 5),  Date::ymd(2024, 7, 8),
                            Date::ymd(2024, 1, 16), Date::ymd(2024, 11, 27)};
  auto f = calendar_features(d);
  ASSERT_TRUE(f.ok()) << f.error().message;
  const auto& c = f->columns;
  enum { kDow, kMonth, kDay, kToMonthEnd, kToExp, kSincePrev, kEarly, kNextEarly };
  // 2024-03-15 is a Friday, the third of March: the monthly expiration itself.
  EXPECT_EQ(*c[kDow][0], 5.0);
  EXPECT_EQ(*c[kMonth][0], 3.0);
  EXPECT_EQ(*c[kDay][0], 15.0);
  EXPECT_EQ(*c[kToExp][0], 0.0);
  EXPECT_EQ(*c[kToExp][1], 1.0);
  // From 2024-03-18 the next is 2024-04-19: March 19-22, 25-28 (8; Good Friday 03-29 closed) and
  // April 1-5, 8-12, 15-19 (15) = 23 sessions.
  EXPECT_EQ(*c[kToExp][2], 23.0);
  // 2024-02-26 (Mon): 27, 28, 29 Feb remain = 3; on 2024-02-29 none.
  EXPECT_EQ(*c[kToMonthEnd][3], 3.0);
  EXPECT_EQ(*c[kToMonthEnd][4], 0.0);
  // 2024-07-03 closes at 13:00; on 07-02 the next session is that early close.
  EXPECT_EQ(*c[kEarly][6], 1.0);
  EXPECT_EQ(*c[kEarly][5], 0.0);
  EXPECT_EQ(*c[kNextEarly][5], 1.0);
  EXPECT_EQ(*c[kNextEarly][6], 0.0);
  // 07-05 follows 07-03 (July 4 closed): 2 days; Monday 07-08: 3; Tue 2024-01-16 after MLK: 4.
  EXPECT_EQ(*c[kSincePrev][7], 2.0);
  EXPECT_EQ(*c[kSincePrev][8], 3.0);
  EXPECT_EQ(*c[kSincePrev][9], 4.0);
  // 2024-11-27: the next session (11-29, after Thanksgiving) closes early.
  EXPECT_EQ(*c[kNextEarly][10], 1.0);
  const std::vector<Date> out_of_range{Date::ymd(1980, 1, 2)};
  EXPECT_FALSE(calendar_features(out_of_range).ok());
}

// Two expiries, 20 and 50 days, ATM 20% and 30%; 25-delta puts 25%, 33%, calls 18%, 27%.
// Total variances (×365): ATM 0.04·20 = 0.8 and 0.09·50 = 4.5; at 30 days w·365 = 0.8 + (4.5 -
// 0.8)·10/30 = 2.0333..., IV30 = √(2.0333/30) = 0.260342...
// Put: 0.0625·20 = 1.25, 0.1089·50 = 5.445 -> 1.25 + 4.195/3 = 2.648333 -> √(2.648333/30).
// Call: 0.0324·20 = 0.648, 0.0729·50 = 3.645 -> 0.648 + 2.997/3 = 1.647 -> √(1.647/30).
const OptionDay kTwoExpiries{{{20.0 / 365, 0.20, 0.25, 0.18}, {50.0 / 365, 0.30, 0.33, 0.27}}};

TEST(OptionFeaturesTest, ConstantMaturityByHand) {
  auto iv = constant_maturity_iv(kTwoExpiries.expiries, 30.0 / 365);
  ASSERT_TRUE(iv.ok());
  EXPECT_NEAR(**iv, std::sqrt((0.8 + 3.7 / 3.0) / 30.0), 1e-14);
  EXPECT_NEAR(**iv, 0.260342, 1e-6);
  // At an expiry exactly: its own IV. Outside the expiries: not ready.
  EXPECT_EQ(**constant_maturity_iv(kTwoExpiries.expiries, 20.0 / 365), 0.20);
  EXPECT_FALSE(*constant_maturity_iv(kTwoExpiries.expiries, 10.0 / 365));
  EXPECT_FALSE(*constant_maturity_iv(kTwoExpiries.expiries, 90.0 / 365));
}

TEST(OptionFeaturesTest, SkewSlopeRankAndVrp) {
  // Five days: closes growing by a constant log return (trailing realized variance 0), the same
  // two expiries plus a 120-day one at 32% so that 90 days is bracketed. rv_window 2, rank
  // lookback 3.
  OptionDay day = kTwoExpiries;
  day.expiries.push_back({120.0 / 365, 0.32, std::nullopt, std::nullopt});
  std::vector<OptionDay> days(5, day);
  days[3].expiries[0].atm_iv = 0.10;  // a lower IV30 on day 3
  std::vector<double> close;
  for (int i = 0; i < 5; ++i) close.push_back(100.0 * std::exp(0.01 * i));
  OptionFeatureOptions o;
  o.rank_lookback = 3;
  o.rv_window = 2;
  auto f = option_features(days, close, o);
  ASSERT_TRUE(f.ok()) << f.error().message;
  const auto& c = f->columns;
  const double iv30 = std::sqrt((0.8 + 3.7 / 3.0) / 30.0);
  const double put = std::sqrt((1.25 + 4.195 / 3.0) / 30.0), call = std::sqrt(1.647 / 30.0);
  EXPECT_NEAR(*c[0][0], iv30, 1e-14);
  EXPECT_NEAR(*c[3][0], call - put, 1e-14);
  EXPECT_NEAR(*c[4][0], (call + put) / 2.0 - iv30, 1e-14);
  // 90 days between 50 (0.09·50 = 4.5) and 120 (0.1024·120 = 12.288): 4.5 + 7.788·40/70.
  const double iv90 = std::sqrt((4.5 + 7.788 * 40.0 / 70.0) / 90.0);
  EXPECT_NEAR(*c[5][0], iv90 - iv30, 1e-14);
  // Rank needs 3 observations; day 2's window is three equal IVs: rank undefined, percentile 0.
  EXPECT_FALSE(c[1][1]);
  EXPECT_FALSE(c[1][2]);
  EXPECT_EQ(*c[2][2], 0.0);
  // Day 3: IV30 falls (ATM 10% at 20 days), the window minimum: rank 0, percentile 0. Day 4:
  // back to iv30, the maximum of {iv30, low, iv30}: rank 1, one of two others below: 1/2.
  EXPECT_EQ(*c[1][3], 0.0);
  EXPECT_EQ(*c[1][4], 1.0);
  EXPECT_EQ(*c[2][4], 0.5);
  // VRP = IV30² - 0 once two returns are known (day 2 on); before, not ready.
  EXPECT_FALSE(c[6][1]);
  EXPECT_NEAR(*c[6][2], iv30 * iv30, 1e-12);
  // A day without a chain: nothing is ready that day, and the rank window skips it.
  days[4].expiries.clear();
  auto g = option_features(days, close, o);
  ASSERT_TRUE(g.ok());
  for (const auto& col : g->columns) EXPECT_FALSE(col[4]);
  days[1].expiries[1].years = 10.0 / 365;
  EXPECT_EQ(option_features(days, close, o).error().message,
            "option features: day 1 expiry 1: expiries must be in increasing years");
}

// ---- The no-look-ahead test. A full feature set (indicators at lag 0 and 1, an as-of joined
// second instrument with other holidays and a publication delay, a cross-sectional rank over
// four instruments, calendar features, option features) over random data; then every input
// stamped after T is replaced by different random values and everything is recomputed. Every
// feature value at t <= T must be bit-identical.
struct World {
  std::vector<Date> dates;          // US sessions
  std::vector<Timestamp> ts;        // their 16:00 New York closes
  std::vector<std::vector<double>> close, high, low, volume;  // 4 instruments on the US clock
  std::vector<Timestamp> other_event, other_known;  // a foreign instrument, published with a delay
  std::vector<double> other_value;
  std::vector<OptionDay> options;
};

World make_world(std::uint64_t seed) {
  World w;
  const auto& cal = ExchangeCalendar::us_equities();
  w.dates = cal.trading_days(Date::ymd(2023, 1, 3), Date::ymd(2023, 12, 29)).value();
  for (Date d : w.dates) w.ts.push_back(cal.session(d).value().close);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 0.015);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  w.close.resize(4), w.high.resize(4), w.low.resize(4), w.volume.resize(4);
  for (int j = 0; j < 4; ++j) {
    double px = 50.0 + 10 * j;
    for (std::size_t i = 0; i < w.dates.size(); ++i) {
      const double open = px;
      px *= std::exp(z(rng));
      w.close[j].push_back(px);
      w.high[j].push_back(std::max(open, px) * (1 + 0.01 * u(rng)));
      w.low[j].push_back(std::min(open, px) * (1 - 0.01 * u(rng)));
      w.volume[j].push_back(1e5 * (1 + u(rng)));
    }
  }
  // The foreign instrument trades every weekday (other holidays), closes 15:30 UTC, and its
  // value is published 1-3 days later at random.
  for (Date d = Date::ymd(2023, 1, 2); d <= Date::ymd(2023, 12, 29); d = d + 1) {
    if (d.is_weekend()) continue;
    const Timestamp e = Timestamp::from_date(d) + Duration(15 * 3600 * kNanosPerSecond + 1800 * kNanosPerSecond);
    w.other_event.push_back(e);
    w.other_known.push_back(e + Duration((1 + static_cast<int>(3 * u(rng))) * kNanosPerDay));
    w.other_value.push_back(100 + 10 * z(rng));
  }
  for (std::size_t i = 0; i < w.dates.size(); ++i) {
    OptionDay day;
    const double base = 0.15 + 0.1 * u(rng);
    day.expiries = {{7.0 / 365, base, base + 0.03, base - 0.01},
                    {35.0 / 365, base + 0.01 * u(rng), base + 0.04, base},
                    {100.0 / 365, base + 0.02, base + 0.05, base + 0.01}};
    w.options.push_back(day);
  }
  return w;
}

// Replaces every input stamped after T (bars after T, foreign values known after T, option days
// after T) with fresh random values.
void perturb_after(World& w, Timestamp T, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.5, 2.0);
  for (std::size_t i = 0; i < w.ts.size(); ++i) {
    if (w.ts[i] <= T) continue;
    for (int j = 0; j < 4; ++j) {
      const double c = w.close[j][i] * u(rng);
      w.close[j][i] = c;
      w.high[j][i] = c * 1.01;
      w.low[j][i] = c * 0.99;
      w.volume[j][i] *= u(rng);
    }
    for (auto& e : w.options[i].expiries) e.atm_iv *= u(rng), e.put25_iv = *e.put25_iv * u(rng);
  }
  for (std::size_t i = 0; i < w.other_value.size(); ++i) {
    if (w.other_known[i] > T) w.other_value[i] *= u(rng);
  }
}

std::vector<FeatureColumn> all_features(const World& w) {
  std::vector<FeatureColumn> out;
  auto take = [&](std::vector<FeatureColumn> cols) {
    for (auto& c : cols) out.push_back(std::move(c));
  };
  auto spec = parse_feature_spec(
      "rsi:14,macd:12:26:9,bbands:20:2,atr:14,roc:10,zscore:20,vol:21,adx:14,stoch:14:3:3,cci:20,mfi:14,"
      "obv,vwap,willr:14,donchian:20,keltner:20:2,natr:14,dema:10,tema:10,skew:20,kurt:20");
  EXPECT_TRUE(spec.ok());
  auto roc = parse_feature_spec("roc:10");
  std::vector<FeatureColumn> roc_panel;
  for (int j = 0; j < 4; ++j) {
    auto frame = Frame::create(w.ts).value();
    EXPECT_TRUE(frame.add("close", w.close[j]).ok());
    EXPECT_TRUE(frame.add("high", w.high[j]).ok());
    EXPECT_TRUE(frame.add("low", w.low[j]).ok());
    EXPECT_TRUE(frame.add("volume", w.volume[j]).ok());
    auto joined = asof_join(w.other_event, w.other_known, w.other_value, w.ts, {Duration(5 * kNanosPerDay)});
    EXPECT_TRUE(joined.ok());
    EXPECT_TRUE(frame.add("other", *joined).ok());
    FeaturePipeline p;
    EXPECT_TRUE(p.add(*spec_feature(*spec, 0)).ok());
    EXPECT_TRUE(p.add(*spec_feature(*spec, 1, {}, "lag1_")).ok());
    EXPECT_TRUE(p.add(*spec_feature(*roc, 0, {}, "x_")).ok());
    EXPECT_TRUE(p.add(lagged("other", 0, "other")).ok());
    auto res = p.run(frame);
    EXPECT_TRUE(res.ok()) << res.error().message;
    auto cols = res->columns();
    roc_panel.push_back(cols[res->index_of("x_roc_10").value()]);
    take(std::move(cols));
  }
  take(cross_sectional_rank(roc_panel).value());
  take(cross_sectional_zscore(roc_panel).value());
  take(calendar_features(w.dates).value().columns);
  OptionFeatureOptions o;
  o.rank_lookback = 20;
  take(option_features(w.options, w.close[0], o).value().columns);
  return out;
}

TEST(NoLookAhead, PerturbingTheFutureLeavesThePastBitIdentical) {
  const World base = make_world(42);
  const auto before = all_features(base);
  std::size_t checked = 0;
  for (std::size_t cut : {30u, 100u, 180u}) {
    const Timestamp T = base.ts[cut];
    World changed = base;
    perturb_after(changed, T, 1000 + cut);
    const auto after = all_features(changed);
    ASSERT_EQ(after.size(), before.size());
    std::size_t differing_after_T = 0;
    for (std::size_t k = 0; k < before.size(); ++k) {
      for (std::size_t t = 0; t < base.ts.size(); ++t) {
        const auto& a = before[k][t];
        const auto& b = after[k][t];
        const bool same = a.has_value() == b.has_value() &&
                          (!a || std::bit_cast<std::uint64_t>(*a) == std::bit_cast<std::uint64_t>(*b));
        if (base.ts[t] <= T) {
          ASSERT_TRUE(same) << "feature " << k << " row " << t << " changed with data after row " << cut;
          if (a) ++checked;
        } else if (!same) {
          ++differing_after_T;
        }
      }
    }
    // The perturbation is real: values after T do change.
    EXPECT_GT(differing_after_T, 1000u);
  }
  EXPECT_GT(checked, 10000u);
}

// The negative control: a label (a forward return) is not point-in-time, and the same check
// catches it — so the test above has the power to see a leak.
TEST(NoLookAhead, TheCheckCatchesALeak) {
  const World base = make_world(7);
  const std::size_t cut = 100;
  World changed = base;
  perturb_after(changed, base.ts[cut], 5);
  const std::vector<int> h{5};
  const auto a = forward_returns(base.close[0], h).value()[0];
  const auto b = forward_returns(changed.close[0], h).value()[0];
  EXPECT_NE(a[cut], b[cut]);  // the value at T used closes after T
}

}  // namespace
}  // namespace keel::analytics
