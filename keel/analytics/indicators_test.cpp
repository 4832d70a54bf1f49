#include "keel/analytics/indicators.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace keel::analytics {
namespace {

// A short hand-made series used by several hand-worked checks.
const std::vector<double> kX{10.0, 11.0, 12.0, 14.0, 13.0, 15.0};
// Six hand-made bars (high, low, close); bar 4 gaps above bar 3's close, bar 5 falls below bar 4's.
const std::vector<double> kHigh{10.0, 11.0, 12.0, 11.5, 13.0, 12.4};
const std::vector<double> kLow{9.0, 9.5, 10.0, 10.8, 12.0, 11.0};
const std::vector<double> kClose{9.5, 10.5, 11.0, 11.2, 12.5, 11.5};

void expect_warmup(const IndicatorSeries& s, std::size_t lookback) {
  ASSERT_GE(s.size(), lookback);
  for (std::size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s[i].has_value(), i >= lookback) << "index " << i;
  }
}

void expect_values(const IndicatorSeries& s, std::size_t first, const std::vector<double>& want,
                   double tol) {
  ASSERT_EQ(s.size(), first + want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    ASSERT_TRUE(s[first + i].has_value()) << "index " << first + i;
    EXPECT_NEAR(*s[first + i], want[i], tol) << "index " << first + i;
  }
}

TEST(Indicators, SmaByHand) {
  // (10+11+12)/3 = 11; (11+12+14)/3 = 37/3; (12+14+13)/3 = 13; (14+13+15)/3 = 14.
  auto s = sma(kX, 3);
  ASSERT_TRUE(s.ok()) << s.error().message;
  expect_warmup(*s, 2);
  expect_values(*s, 2, {11.0, 37.0 / 3.0, 13.0, 14.0}, 1e-12);
}

TEST(Indicators, EmaByHand) {
  // k = 2/(3+1) = 0.5. Seed (TA-Lib): SMA of the first 3 = 11 at index 2.
  // t3: 11 + (14-11)·0.5 = 12.5; t4: 12.5 + (13-12.5)·0.5 = 12.75; t5: 12.75 + (15-12.75)·0.5 = 13.875.
  auto s = ema(kX, 3);
  ASSERT_TRUE(s.ok()) << s.error().message;
  expect_warmup(*s, 2);
  expect_values(*s, 2, {11.0, 12.5, 12.75, 13.875}, 0.0);  // all exact in binary
}

TEST(Indicators, WmaByHand) {
  // weights 1,2,3 over 6: (10+22+36)/6 = 68/6; (11+24+42)/6 = 77/6; (12+28+39)/6 = 79/6;
  // (14+26+45)/6 = 85/6.
  auto s = wma(kX, 3);
  ASSERT_TRUE(s.ok()) << s.error().message;
  expect_warmup(*s, 2);
  expect_values(*s, 2, {68.0 / 6, 77.0 / 6, 79.0 / 6, 85.0 / 6}, 1e-12);
}

TEST(Indicators, RsiByHand) {
  // closes 10, 11, 10.5, 11.5, 11, 12 → changes +1, -0.5, +1, -0.5, +1. n = 3.
  // t3: G = (1+0+1)/3 = 2/3, L = 0.5/3 = 1/6, RSI = 100·(2/3)/(5/6) = 80.
  // t4 (-0.5): G = (2/3·2 + 0)/3 = 4/9, L = (1/6·2 + 0.5)/3 = 5/18, RSI = 100·8/13 = 61.538…
  // t5 (+1):   G = (4/9·2 + 1)/3 = 17/27, L = (5/18·2)/3 = 5/27, RSI = 100·17/22 = 77.27…
  const std::vector<double> c{10.0, 11.0, 10.5, 11.5, 11.0, 12.0};
  auto s = rsi(c, 3);
  ASSERT_TRUE(s.ok()) << s.error().message;
  expect_warmup(*s, 3);
  expect_values(*s, 3, {80.0, 800.0 / 13.0, 1700.0 / 22.0}, 1e-11);
}

TEST(Indicators, RsiStockChartsWorksheet) {
  // StockCharts ChartSchool "Relative Strength Index (RSI)" worksheet (cs-rsi.xls, QQQQ closes
  // Dec 2009 – Feb 2010), 14-day RSI. The sheet displays closes to 2 decimals but computes from
  // 4-decimal closes (with the 2-decimal ones the first RSI is 70.46, not 70.53), so the
  // 4-decimal series is used, as reproduced in PyAlgoTrade's rsi test; the sheet prints RSI to
  // two decimals, hence the 0.01 tolerance.
  const std::vector<double> c{44.3389, 44.0902, 44.1497, 43.6124, 44.3278, 44.8264, 45.0955,
                              45.4245, 45.8433, 46.0826, 45.8931, 46.0328, 45.6140, 46.2820,
                              46.2820, 46.0028, 46.0328, 46.4116, 46.2222, 45.6439, 46.2122,
                              46.2521, 45.7137, 46.4515, 45.7835, 45.3548, 44.0288, 44.1783,
                              44.2181, 44.5672, 43.4205, 42.6628, 43.1314};
  const std::vector<double> want{70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93,
                                 63.26, 56.06, 62.38, 54.71, 50.42, 39.99, 41.46,
                                 41.87, 45.46, 37.30, 33.08, 37.77};
  auto s = rsi(c, 14);
  ASSERT_TRUE(s.ok()) << s.error().message;
  expect_warmup(*s, 14);
  expect_values(*s, 14, want, 0.01);
  // PyAlgoTrade (a second implementation) pins the first and last values to 8 decimals.
  EXPECT_NEAR(*(*s)[14], 70.53278948, 1e-8);
  EXPECT_NEAR(*(*s)[32], 37.77295211, 1e-8);
}

TEST(Indicators, RsiFlatWindowIsNeutral) {
  // Documented difference from TA-Lib (which gives 0): no gains and no losses → 50.
  auto s = rsi(std::vector<double>(6, 5.0), 3);
  ASSERT_TRUE(s.ok());
  expect_values(*s, 3, {50.0, 50.0, 50.0}, 0.0);
}

TEST(Indicators, MacdByHandWithTaLibAlignment) {
  // fast 2 (k = 2/3), slow 3 (k = 1/2), signal 2 (k = 2/3) on 1, 2, 4, 8, 16.
  // slow seed at t2: (1+2+4)/3 = 7/3. fast seed at t2 (TA-Lib: window ending at slow-1, i.e.
  // bars 1..2, not bars 0..1): (2+4)/2 = 3. line2 = 3 - 7/3 = 2/3.
  // (Seeding fast from bars 0..1 would give 1.5 + (4-1.5)·2/3 = 19/6 and line2 = 5/6.)
  // t3: slow = 7/3 + (8-7/3)/2 = 31/6; fast = 3 + (8-3)·2/3 = 19/3; line3 = 7/6.
  //     signal seed = (2/3 + 7/6)/2 = 11/12; hist = 7/6 - 11/12 = 1/4.
  // t4: slow = 31/6 + (16-31/6)/2 = 127/12; fast = 19/3 + (16-19/3)·2/3 = 115/9;
  //     line4 = 115/9 - 127/12 = 79/36; signal = 11/12 + (79/36 - 11/12)·2/3 = 191/108;
  //     hist = 79/36 - 191/108 = 23/54.
  const std::vector<double> x{1.0, 2.0, 4.0, 8.0, 16.0};
  auto m = macd(x, 2, 3, 2);
  ASSERT_TRUE(m.ok()) << m.error().message;
  expect_warmup(m->line, 3);
  expect_values(m->line, 3, {7.0 / 6, 79.0 / 36}, 1e-12);
  expect_values(m->signal, 3, {11.0 / 12, 191.0 / 108}, 1e-12);
  expect_values(m->histogram, 3, {0.25, 23.0 / 54}, 1e-12);
}

TEST(Indicators, BollingerByHand) {
  // n = 3, k = 2, population σ. t2: mean 11, σ² = (1+0+1)/3 = 2/3 → 11 ± 2·0.816496580927726.
  // t3: 11,12,14: mean 37/3, deviations -4/3,-1/3,5/3 → σ² = (16+1+25)/27 = 14/9, σ = √14/3.
  auto b = bollinger(kX, 3, 2.0);
  ASSERT_TRUE(b.ok()) << b.error().message;
  expect_warmup(b->middle, 2);
  expect_values(b->upper, 2,
                {12.632993161855453, 14.827771591182628, 13.0 + 2 * std::sqrt(2.0 / 3),
                 14.0 + 2 * std::sqrt(2.0 / 3)},
                1e-9);
  expect_values(b->lower, 2,
                {11.0 - 2 * std::sqrt(2.0 / 3), 9.83889507548404, 13.0 - 2 * std::sqrt(2.0 / 3),
                 14.0 - 2 * std::sqrt(2.0 / 3)},
                1e-9);
  expect_values(b->middle, 2, {11.0, 37.0 / 3, 13.0, 14.0}, 1e-12);
}

TEST(Indicators, AtrAndNatrByHand) {
  // TR1 = max(11-9.5, |11-9.5|, |9.5-9.5|) = 1.5; TR2 = max(2, |12-10.5|, |10-10.5|) = 2;
  // TR3 = max(0.7, |11.5-11|, |10.8-11|) = 0.7 → ATR3 = (1.5+2+0.7)/3 = 1.4.
  // TR4 = max(1, |13-11.2| = 1.8, |12-11.2|) = 1.8 (the gap counts) → ATR4 = (1.4·2+1.8)/3 = 4.6/3.
  // TR5 = max(1.4, |12.4-12.5|, |11-12.5| = 1.5) = 1.5 → ATR5 = (4.6/3·2+1.5)/3 = 13.7/9.
  // NATR5 = 100·(13.7/9)/11.5 = 13.236714975845409.
  auto a = atr(kHigh, kLow, kClose, 3);
  ASSERT_TRUE(a.ok()) << a.error().message;
  expect_warmup(*a, 3);
  expect_values(*a, 3, {1.4, 4.6 / 3, 13.7 / 9}, 1e-12);
  auto na = natr(kHigh, kLow, kClose, 3);
  ASSERT_TRUE(na.ok()) << na.error().message;
  expect_warmup(*na, 3);
  EXPECT_NEAR(*(*na)[5], 13.236714975845409, 1e-10);
  EXPECT_NEAR(*(*na)[3], 1.4 / 11.2 * 100, 1e-10);
}

TEST(Indicators, ZScoreByHand) {
  // n = 3, sample σ. t2: mean 11, s = 1, z = 1. t3: mean 37/3, s² = (42/9)/2 = 7/3,
  // z = (5/3)/√(7/3) = 1.0910894511799618. t4: 12,14,13: mean 13, s = 1, z = 0. t5: z = 1.
  auto z = rolling_zscore(kX, 3);
  ASSERT_TRUE(z.ok()) << z.error().message;
  expect_warmup(*z, 2);
  expect_values(*z, 2, {1.0, 1.0910894511799618, 0.0, 1.0}, 1e-12);
}

TEST(Indicators, RollingVolatilityByHand) {
  // prices 100, 110, 99, 108.9 → r = ln 1.1, ln 0.9, ln 1.1. With n = 2 and two values a, b the
  // sample σ = |a-b|/√2 = (0.0953101798 + 0.1053605157)/√2 = 0.14189560954670766 at t2 and t3.
  const std::vector<double> p{100.0, 110.0, 99.0, 108.9};
  auto v = rolling_volatility(p, 2, 1.0);
  ASSERT_TRUE(v.ok()) << v.error().message;
  expect_warmup(*v, 2);
  expect_values(*v, 2, {0.14189560954670766, 0.14189560954670766}, 1e-12);
  auto ann = rolling_volatility(p, 2, 252.0);
  ASSERT_TRUE(ann.ok());
  EXPECT_NEAR(*(*ann)[3], 0.14189560954670766 * std::sqrt(252.0), 1e-11);
}

TEST(Indicators, MomentumAndRocByHand) {
  // n = 2: MOM = 12-10, 14-11, 13-12, 15-14; ROC = 100·(12/10-1) = 20, 100·3/11, 100/12, 100/14.
  auto m = momentum(kX, 2);
  ASSERT_TRUE(m.ok());
  expect_warmup(*m, 2);
  expect_values(*m, 2, {2.0, 3.0, 1.0, 1.0}, 0.0);
  auto r = roc(kX, 2);
  ASSERT_TRUE(r.ok());
  expect_warmup(*r, 2);
  expect_values(*r, 2, {20.0, 300.0 / 11, 100.0 / 12, 100.0 / 14}, 1e-12);
}

TEST(Indicators, WilliamsRAndDonchianByHand) {
  // n = 3. t2: HH = 12, LL = 9, C = 11 → -100·1/3. t3: HH 12, LL 9.5, C 11.2 → -100·0.8/2.5 = -32.
  // t4: HH 13, LL 10, C 12.5 → -100·0.5/3. t5: HH 13, LL 10.8, C 11.5 → -100·1.5/2.2.
  auto w = williams_r(kHigh, kLow, kClose, 3);
  ASSERT_TRUE(w.ok()) << w.error().message;
  expect_warmup(*w, 2);
  expect_values(*w, 2, {-100.0 / 3, -32.0, -50.0 / 3, -150.0 / 2.2}, 1e-12);
  auto d = donchian(kHigh, kLow, 3);
  ASSERT_TRUE(d.ok()) << d.error().message;
  expect_warmup(d->upper, 2);
  expect_values(d->upper, 2, {12.0, 12.0, 13.0, 13.0}, 0.0);
  expect_values(d->lower, 2, {9.0, 9.5, 10.0, 10.8}, 0.0);
  expect_values(d->middle, 2, {10.5, 10.75, 11.5, 11.9}, 1e-12);
}

TEST(Indicators, ObvByHand) {
  // 100; up → 100+200; equal → 300; down → 300-400; up → -100+500.
  auto o = obv(std::vector<double>{10, 11, 11, 10.5, 12}, std::vector<double>{100, 200, 300, 400, 500});
  ASSERT_TRUE(o.ok());
  expect_values(*o, 0, {100, 300, 300, -100, 400}, 0.0);
}

TEST(Indicators, StochasticByHand) {
  // raw %K (n = 3) on kHigh/kLow/kClose: t2: (11-9)/(12-9) → 200/3; t3: (11.2-9.5)/(12-9.5) → 68;
  // t4: (12.5-10)/(13-10) → 250/3; t5: (11.5-10.8)/(13-10.8) → 350/11.
  // Fast (3, 1, 2): lookback 2+0+1 = 3; %K = raw, %D = mean of the last two raw.
  auto f = stochastic(kHigh, kLow, kClose, 3, 1, 2);
  ASSERT_TRUE(f.ok()) << f.error().message;
  expect_warmup(f->k, 3);
  expect_values(f->k, 3, {68.0, 250.0 / 3, 350.0 / 11}, 1e-12);
  expect_values(f->d, 3, {(200.0 / 3 + 68.0) / 2, (68.0 + 250.0 / 3) / 2, (250.0 / 3 + 350.0 / 11) / 2},
                1e-12);
  // Slow (3, 2, 2): lookback 2+1+1 = 4; %K3 = 202/3, %K4 = 227/3, %K5 = 1900/33;
  // %D4 = (202/3 + 227/3)/2 = 71.5; %D5 = (227/3 + 1900/33)/2 = 4397/66.
  auto s = stochastic(kHigh, kLow, kClose, 3, 2, 2);
  ASSERT_TRUE(s.ok()) << s.error().message;
  expect_warmup(s->k, 4);
  expect_warmup(s->d, 4);
  expect_values(s->k, 4, {227.0 / 3, 1900.0 / 33}, 1e-12);
  expect_values(s->d, 4, {71.5, 4397.0 / 66}, 1e-12);
}

TEST(Indicators, DemaTemaByHand) {
  // n = 2, k = 2/3 on 10, 11, 12, 14, 13, 15.
  // e1: t1 10.5; t2 11.5; t3 11.5 + 2.5·2/3 = 79/6; t4 79/6 - (1/6)(2/3) = 235/18.
  // e2: seed t2 = (10.5+11.5)/2 = 11; t3 11 + (13/6)(2/3) = 112/9; t4 112/9 + (11/18)(2/3) = 347/27.
  // e3: seed t3 = (11 + 112/9)/2 = 211/18; t4 211/18 + (61/54)(2/3) = 2021/162.
  // DEMA: t2 2·11.5 - 11 = 12; t3 79/3 - 112/9 = 125/9; t4 235/9 - 347/27 = 358/27.
  // TEMA: t3 211/18 + 3·79/6 - 3·112/9 = 125/9; t4 2021/162 + 235/6 - 347/9 = 1060/81.
  auto d = dema(kX, 2);
  ASSERT_TRUE(d.ok()) << d.error().message;
  expect_warmup(*d, 2);
  EXPECT_NEAR(*(*d)[2], 12.0, 1e-12);
  EXPECT_NEAR(*(*d)[3], 125.0 / 9, 1e-12);
  EXPECT_NEAR(*(*d)[4], 358.0 / 27, 1e-12);
  auto t = tema(kX, 2);
  ASSERT_TRUE(t.ok()) << t.error().message;
  expect_warmup(*t, 3);
  EXPECT_NEAR(*(*t)[3], 125.0 / 9, 1e-12);
  EXPECT_NEAR(*(*t)[4], 1060.0 / 81, 1e-12);
  EXPECT_EQ(Dema::create(30)->lookback(), 58);  // TA-Lib DEMA(30) lookback
  EXPECT_EQ(Tema::create(30)->lookback(), 87);  // TA-Lib TEMA(30) lookback
}

TEST(Indicators, KeltnerByHand) {
  // EMA(2) of close 9.5, 10.5, 11, 11.2, 12.5: seed t1 10; t2 10 + 1·2/3 = 32/3;
  // t3 32/3 + (11.2 - 32/3)·2/3 = 99.2/9; t4 99.2/9 + (12.5 - 99.2/9)·2/3 = 324.2/27.
  // ATR(3) from AtrAndNatrByHand: t3 1.4, t4 4.6/3. m = 2; lookback max(1, 3) = 3.
  auto k = keltner(kHigh, kLow, kClose, 2, 3, 2.0);
  ASSERT_TRUE(k.ok()) << k.error().message;
  expect_warmup(k->middle, 3);
  EXPECT_NEAR(*k->middle[3], 99.2 / 9, 1e-12);
  EXPECT_NEAR(*k->upper[3], 99.2 / 9 + 2.8, 1e-12);
  EXPECT_NEAR(*k->lower[4], 324.2 / 27 - 2 * 4.6 / 3, 1e-12);
}

TEST(Indicators, MfiByHand) {
  // TP = (H+L+C)/3: 9.5, 31/3, 11, 33.5/3, 12.5, 34.9/3; volumes 100..600.
  // Flows: t1 up 6200/3, t2 up 3300, t3 up 13400/3, t4 up 6250, t5 down 34.9/3·600 = 6980.
  // n = 2: t2..t4 all positive → 100; t5: 100·6250/(6250+6980) = 47.2411…
  const std::vector<double> v{100, 200, 300, 400, 500, 600};
  auto m = mfi(kHigh, kLow, kClose, v, 2);
  ASSERT_TRUE(m.ok()) << m.error().message;
  expect_warmup(*m, 2);
  expect_values(*m, 2, {100.0, 100.0, 100.0, 625000.0 / 13230}, 1e-10);
  auto bad = mfi(kHigh, kLow, kClose, std::vector<double>{1, 2, -3, 4, 5, 6}, 2);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("volume[2]"), std::string::npos);
}

TEST(Indicators, AdxByHand) {
  // n = 2 on kHigh/kLow/kClose. (up, down, DM, TR) per bar:
  // b1: up 1, down -0.5 → +DM 1; TR 1.5.   b2: up 1, down -0.5 → +DM 1; TR 2.
  // b3: up -0.5, down -0.8 → none; TR 0.7. b4: up 1.5, down -1.2 → +DM 1.5; TR 1.8.
  // b5: up -0.6, down 1 → -DM 1; TR 1.5.
  // Seed (bars 1..n-1 = bar 1): S+ = 1, S- = 0, S_TR = 1.5.
  // b2: S+ = 1 - 0.5 + 1 = 1.5, S_TR = 1.5 - 0.75 + 2 = 2.75 → +DI = 600/11, -DI 0, DX 100.
  // b3: S+ = 0.75, S_TR = 2.075 → DX 100; ADX3 = (100+100)/2 = 100 (bar 2n-1 = 3).
  // b4: S+ = 1.875, S_TR = 2.8375 → DX 100, ADX 100.
  // b5: S+ = 0.9375, S- = 1, S_TR = 2.91875 → +DI = 93.75/2.91875, -DI = 100/2.91875,
  //     DX = 100·0.0625/1.9375 = 100/31, ADX5 = (100 + 100/31)/2 = 1600/31.
  auto d = adx(kHigh, kLow, kClose, 2);
  ASSERT_TRUE(d.ok()) << d.error().message;
  expect_warmup(d->plus_di, 2);
  expect_warmup(d->minus_di, 2);
  expect_warmup(d->adx, 3);
  EXPECT_NEAR(*d->plus_di[2], 600.0 / 11, 1e-12);
  EXPECT_NEAR(*d->plus_di[3], 75.0 / 2.075, 1e-12);
  EXPECT_NEAR(*d->plus_di[5], 93.75 / 2.91875, 1e-12);
  EXPECT_NEAR(*d->minus_di[5], 100.0 / 2.91875, 1e-12);
  EXPECT_NEAR(*d->minus_di[4], 0.0, 0.0);
  expect_values(d->adx, 3, {100.0, 100.0, 1600.0 / 31}, 1e-12);
  EXPECT_EQ(Adx::create(14)->lookback(), 27);     // TA-Lib ADX(14)
  EXPECT_EQ(Adx::create(14)->di_lookback(), 14);  // TA-Lib PLUS_DI/MINUS_DI(14)
  EXPECT_FALSE(Adx::create(1).ok());
}

TEST(Indicators, VwapByHand) {
  // Session 1: (10·100)/100 = 10; (10·100 + 11·300)/400 = 4300/400 = 10.75.
  // Session 2 restarts: a bar with no volume is not ready; then (12·50)/50 = 12;
  // (12·50 + 13·150)/200 = 2550/200 = 12.75.
  const std::vector<double> p{10, 11, 20, 12, 13};
  const std::vector<double> v{100, 300, 0, 50, 150};
  const std::vector<std::int64_t> sess{1, 1, 2, 2, 2};
  auto w = vwap(p, v, sess);
  ASSERT_TRUE(w.ok()) << w.error().message;
  ASSERT_EQ(w->size(), 5u);
  EXPECT_EQ(*(*w)[0], 10.0);
  EXPECT_EQ(*(*w)[1], 10.75);
  EXPECT_FALSE((*w)[2].has_value());
  EXPECT_EQ(*(*w)[3], 12.0);
  EXPECT_EQ(*(*w)[4], 12.75);
  auto bad = vwap(p, std::vector<double>{1, 1, -1, 1, 1}, sess);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("volume[2]"), std::string::npos);
  auto mis = vwap(p, v, std::vector<std::int64_t>{1, 1});
  ASSERT_FALSE(mis.ok());
  EXPECT_NE(mis.error().message.find("session has 2 values"), std::string::npos);
}

TEST(Indicators, CoMovementByHand) {
  // n = 3. Window 1: x = 1, 2, 3 (mean 2, dx -1,0,1), y = 2, 4, 7 (mean 13/3, dy -7/3,-1/3,8/3):
  // C_xx = 2, C_xy = 7/3 + 0 + 8/3 = 5, C_yy = (49+1+64)/9 = 38/3. cov = 5/2, beta = 5/2,
  // corr = 5/√(2·38/3) = 5/√(76/3).
  // Window 2 (after 4, 5): x = 2, 3, 4 (dx -1,0,1), y = 4, 7, 5 (mean 16/3, dy -4/3,5/3,-1/3):
  // C_xy = 4/3 - 1/3 = 1, C_yy = (16+25+1)/9 = 14/3 → beta 1/2, corr 1/√(28/3).
  // Window 3 (after 5, 5): x = 3, 4, 5, y = 7, 5, 5 (mean 17/3, dy 4/3,-2/3,-2/3):
  // C_xy = -4/3 - 2/3 = -2, C_yy = (16+4+4)/9 = 8/3 → beta -1, corr -2/√(16/3).
  const std::vector<double> x{1, 2, 3, 4, 5};
  const std::vector<double> y{2, 4, 7, 5, 5};
  auto c = rolling_comovement(x, y, 3);
  ASSERT_TRUE(c.ok()) << c.error().message;
  expect_warmup(c->beta, 2);
  expect_values(c->covariance, 2, {2.5, 0.5, -1.0}, 1e-12);
  expect_values(c->beta, 2, {2.5, 0.5, -1.0}, 1e-12);
  expect_values(c->correlation, 2,
                {5.0 / std::sqrt(76.0 / 3), 1.0 / std::sqrt(28.0 / 3), -2.0 / std::sqrt(16.0 / 3)},
                1e-12);
  // A constant y: no measurable co-movement.
  auto flat = rolling_comovement(x, std::vector<double>(5, 1.0), 3);
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ(*flat->correlation[4], 0.0);
  EXPECT_EQ(*flat->beta[4], 0.0);
  EXPECT_FALSE(RollingCoMovement::create(1).ok());
}

TEST(Indicators, TaLibLookbacks) {
  // TA-Lib lookbacks: SMA/EMA/WMA/BBANDS/WILLR n-1, RSI/ATR/NATR/MOM/ROC n, MACD
  // (slow-1)+(signal-1) = 33 for 12/26/9, OBV 0.
  EXPECT_EQ(Sma::create(30)->lookback(), 29);
  EXPECT_EQ(Ema::create(30)->lookback(), 29);
  EXPECT_EQ(Wma::create(30)->lookback(), 29);
  EXPECT_EQ(Bollinger::create(20)->lookback(), 19);
  EXPECT_EQ(WilliamsR::create(14)->lookback(), 13);
  EXPECT_EQ(Rsi::create(14)->lookback(), 14);
  EXPECT_EQ(Atr::create(14)->lookback(), 14);
  EXPECT_EQ(Natr::create(14)->lookback(), 14);
  EXPECT_EQ(Momentum::create(10)->lookback(), 10);
  EXPECT_EQ(Roc::create(10)->lookback(), 10);
  EXPECT_EQ(Macd::create(12, 26, 9)->lookback(), 33);
  EXPECT_EQ(Obv{}.lookback(), 0);
  std::vector<double> x(60);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 100.0 + std::sin(0.3 * i) * 5.0;
  auto m = macd(x);
  ASSERT_TRUE(m.ok());
  expect_warmup(m->line, 33);
  expect_warmup(m->histogram, 33);
}

TEST(Indicators, BadPeriodsNameIndicatorAndParameter) {
  auto e1 = sma(kX, 0);
  ASSERT_FALSE(e1.ok());
  EXPECT_EQ(e1.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(e1.error().message, "sma: period must be >= 1, got 0");
  auto e2 = Ema::create(-3);
  ASSERT_FALSE(e2.ok());
  EXPECT_EQ(e2.error().message, "ema: period must be >= 1, got -3");
  auto e3 = macd(kX, 12, 0, 9);
  ASSERT_FALSE(e3.ok());
  EXPECT_NE(e3.error().message.find("slow period"), std::string::npos);
  auto e4 = Macd::create(26, 12, 9);
  ASSERT_FALSE(e4.ok());
  EXPECT_NE(e4.error().message.find("fast period 26"), std::string::npos);
  auto e5 = rolling_zscore(kX, 1);
  ASSERT_FALSE(e5.ok());
  EXPECT_NE(e5.error().message.find("rolling_zscore: period must be >= 2"), std::string::npos);
  auto e6 = rsi(kX, 7);
  ASSERT_FALSE(e6.ok());
  EXPECT_EQ(e6.error().message, "rsi: period 7 is longer than the 6 bars given");
  EXPECT_FALSE(Bollinger::create(20, -1.0).ok());
  EXPECT_FALSE(atr(kHigh, kLow, kClose, 0).ok());
  EXPECT_FALSE(williams_r(kHigh, kLow, kClose, -1).ok());
  EXPECT_FALSE(donchian(kHigh, kLow, 0).ok());
  EXPECT_FALSE(RollingVolatility::create(10, 0.0).ok());
}

TEST(Indicators, BadInputsNameTheIndex) {
  std::vector<double> x = kX;
  x[4] = std::numeric_limits<double>::quiet_NaN();
  auto e1 = sma(x, 3);
  ASSERT_FALSE(e1.ok());
  EXPECT_EQ(e1.error().message, "sma: x[4] is NaN");
  auto e2 = rsi(x, 2);
  ASSERT_FALSE(e2.ok());
  EXPECT_EQ(e2.error().message, "rsi: close[4] is NaN");
  std::vector<double> h = kHigh;
  h[2] = std::numeric_limits<double>::infinity();
  auto e3 = atr(h, kLow, kClose, 3);
  ASSERT_FALSE(e3.ok());
  EXPECT_EQ(e3.error().message, "atr: high[2] is infinite");
  auto e4 = atr(kHigh, std::span<const double>(kLow).first(5), kClose, 3);
  ASSERT_FALSE(e4.ok());
  EXPECT_NE(e4.error().message.find("low has 5 values but close has 6"), std::string::npos);
  auto e5 = roc(std::vector<double>{1, 0, 2, 3}, 2);
  ASSERT_FALSE(e5.ok());
  EXPECT_NE(e5.error().message.find("x[1] is 0"), std::string::npos);
  auto e6 = rolling_volatility(std::vector<double>{1, 2, -1, 3}, 2);
  ASSERT_FALSE(e6.ok());
  EXPECT_NE(e6.error().message.find("price[2]"), std::string::npos);
  std::vector<double> l = kLow;
  l[1] = 20.0;
  auto e7 = williams_r(kHigh, l, kClose, 3);
  ASSERT_FALSE(e7.ok());
  EXPECT_NE(e7.error().message.find("high[1]"), std::string::npos);
}

// ---- properties on random data

struct RandomBars {
  std::vector<double> high, low, close, volume;
};

// A geometric random walk from a rapidcheck-chosen seed; uniforms built from raw mt19937_64 bits
// so the data are the same on every platform.
RandomBars random_bars(std::uint64_t seed, std::size_t n) {
  std::mt19937_64 rng(seed);
  auto u = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  RandomBars b;
  double c = 100.0;
  for (std::size_t i = 0; i < n; ++i) {
    // Some flat steps so ties (equal closes, equal highs) occur.
    const double step = u() < 0.1 ? 0.0 : (u() - 0.5) * 0.04;
    c *= std::exp(step);
    const double hi = c * (1.0 + 0.01 * u());
    const double lo = c * (1.0 - 0.01 * u());
    b.high.push_back(hi);
    b.low.push_back(lo);
    b.close.push_back(c);
    b.volume.push_back(std::floor(1000.0 * u()));
  }
  return b;
}

TEST(Indicators, RollingMomentsByHand) {
  // Population moments (m_k = Σ(x - mean)^k / n), period 5 over {1, 2, 3, 4, 10, 4, 4}; values
  // agree with scipy.stats.skew / scipy.stats.kurtosis (defaults bias=True, fisher=True).
  // Window {1,2,3,4,10}: mean 4, deviations -3,-2,-1,0,6.
  //   m2 = (9+4+1+0+36)/5 = 10, m3 = (-27-8-1+0+216)/5 = 36, m4 = (81+16+1+0+1296)/5 = 278.8
  //   skew = 36/10^1.5 = 1.13841995766..., kurt = 278.8/100 - 3 = -0.212
  // Window {2,3,4,10,4} (first sliding step): mean 4.6, deviations -2.6,-1.6,-0.6,5.4,-0.6.
  //   m2 = (6.76+2.56+0.36+29.16+0.36)/5 = 7.84, m3 = (-17.576-4.096-0.216+157.464-0.216)/5
  //   = 27.072, m4 = (45.6976+6.5536+0.1296+850.3056+0.1296)/5 = 180.5632
  //   skew = 27.072/7.84^1.5 = 27.072/21.952 = 1.23323615160..., kurt = 180.5632/61.4656 - 3
  //   = -0.06236984589...
  // Window {3,4,10,4,4}: mean 5, deviations -2,-1,5,-1,-1.
  //   m2 = 32/5 = 6.4, m3 = 114/5 = 22.8, m4 = 644/5 = 128.8
  //   skew = 22.8/6.4^1.5 = 1.40820177054..., kurt = 128.8/40.96 - 3 = 0.14453125
  const std::vector<double> x{1, 2, 3, 4, 10, 4, 4};
  auto r = rolling_moments(x, 5);
  ASSERT_TRUE(r.ok()) << r.error().message;
  expect_warmup(r->skewness, 4);
  expect_warmup(r->kurtosis, 4);
  expect_values(r->skewness, 4, {36.0 / std::pow(10.0, 1.5), 27.072 / 21.952, 22.8 / std::pow(6.4, 1.5)},
                1e-12);
  expect_values(r->kurtosis, 4, {-0.212, 180.5632 / 61.4656 - 3.0, 0.14453125}, 1e-12);
  // Symmetric window {1,2,3}: m3 = 0; m2 = 2/3, m4 = 2/3, kurt = (2/3)/(4/9) - 3 = -1.5.
  // A constant window has no measurable shape: both 0.
  auto sym = rolling_moments(std::vector<double>{1, 2, 3, 5, 5, 5}, 3);
  ASSERT_TRUE(sym.ok());
  EXPECT_NEAR(*sym->skewness[2], 0.0, 1e-15);
  EXPECT_NEAR(*sym->kurtosis[2], -1.5, 1e-12);
  EXPECT_EQ(*sym->skewness[5], 0.0);
  EXPECT_EQ(*sym->kurtosis[5], 0.0);
  auto bad = RollingMoments::create(2);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "rolling_moments: period must be >= 3, got 2");
  auto nan = rolling_moments(std::vector<double>{1, 2, std::nan(""), 4}, 3);
  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.error().message, "rolling_moments: x[2] is NaN");
}

TEST(Indicators, RollingMomentsStayExactOnLongSeries) {
  // The shifted power sums are re-centred and recomputed every n bars: after 200 000 bars the
  // moments must still agree with a two-pass recomputation of each window.
  const RandomBars b = random_bars(11, 200000);
  const int n = 20;
  auto r = rolling_moments(b.close, n);
  ASSERT_TRUE(r.ok());
  for (std::size_t t = b.close.size() - 200; t < b.close.size(); ++t) {
    double sum = 0.0;
    for (std::size_t i = t + 1 - n; i <= t; ++i) sum += b.close[i];
    const double mean = sum / n;
    double m2 = 0.0, m3 = 0.0, m4 = 0.0;
    for (std::size_t i = t + 1 - n; i <= t; ++i) {
      const double d = b.close[i] - mean;
      m2 += d * d / n;
      m3 += d * d * d / n;
      m4 += d * d * d * d / n;
    }
    const double skew = m3 / std::pow(m2, 1.5);
    const double kurt = m4 / (m2 * m2) - 3.0;
    EXPECT_NEAR(*r->skewness[t], skew, 1e-7 * (1.0 + std::fabs(skew))) << "t = " << t;
    EXPECT_NEAR(*r->kurtosis[t], kurt, 1e-7 * (1.0 + std::fabs(kurt))) << "t = " << t;
  }
}

TEST(Indicators, CciByHand) {
  // Period 3. TP = (H+L+C)/3: (3+1+2)/3 = 2, (5+3+4)/3 = 4, (9+6+6)/3 = 7, (8+5+5)/3 = 6.
  // Bar 2, window {2,4,7}: mean 13/3, MD = (7/3 + 1/3 + 8/3)/3 = 16/9,
  //   CCI = (7 - 13/3)/(0.015·16/9) = (8/3)/(0.24/9) = 100.
  // Bar 3, window {4,7,6}: mean 17/3, MD = (5/3 + 4/3 + 1/3)/3 = 10/9,
  //   CCI = (6 - 17/3)/(0.015·10/9) = (1/3)/(0.15/9) = 20.
  const std::vector<double> h{3, 5, 9, 8}, l{1, 3, 6, 5}, c{2, 4, 6, 5};
  auto r = cci(h, l, c, 3);
  ASSERT_TRUE(r.ok()) << r.error().message;
  expect_warmup(*r, 2);
  expect_values(*r, 2, {100.0, 20.0}, 1e-9);
  // A flat window (MD = 0) gives 0, as TA-Lib.
  const std::vector<double> f{5, 5, 5};
  auto flat = cci(f, f, f, 2);
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ(*(*flat)[1], 0.0);
  EXPECT_EQ(*(*flat)[2], 0.0);
  EXPECT_EQ(Cci::create(14)->lookback(), 13);  // TA-Lib CCI lookback n-1
  auto bad = Cci::create(1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "cci: period must be >= 2, got 1");
  auto inverted = cci(std::vector<double>{3, 2}, std::vector<double>{1, 4}, std::vector<double>{2, 3}, 2);
  ASSERT_FALSE(inverted.ok());
  EXPECT_NE(inverted.error().message.find("high[1]"), std::string::npos) << inverted.error().message;
}

TEST(Indicators, IntoFormsLeaveWarmupUntouchedAndCheckBuffers) {
  // SMA(3) of kX = {10,11,12,14,13,15}: 11, 37/3, 13, 14 from index 2; out[0..2) untouched.
  const double sentinel = -12345.0;
  std::vector<double> out(kX.size(), sentinel);
  auto first = sma_into(kX, 3, out);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(*first, 2u);
  EXPECT_EQ(out[0], sentinel);
  EXPECT_EQ(out[1], sentinel);
  EXPECT_NEAR(out[2], 11.0, 1e-12);
  EXPECT_NEAR(out[3], 37.0 / 3.0, 1e-12);
  EXPECT_NEAR(out[4], 13.0, 1e-12);
  EXPECT_NEAR(out[5], 14.0, 1e-12);
  std::vector<double> up(kX.size(), sentinel), mid(kX.size(), sentinel), lo(kX.size(), sentinel);
  auto bf = bollinger_into(kX, 4, 2.0, up, mid, lo);
  ASSERT_TRUE(bf.ok());
  EXPECT_EQ(*bf, 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(up[i] == sentinel && mid[i] == sentinel && lo[i] == sentinel);
  std::vector<double> e(kX.size(), sentinel);
  EXPECT_EQ(*ema_into(kX, 1, e), 0u);
  EXPECT_EQ(e[0], 10.0);  // EMA(1): k = 1, the input itself
  std::vector<double> shortbuf(kX.size() - 1);
  auto r = sma_into(kX, 3, shortbuf);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "sma_into: out has 5 values but x has 6");
  auto rl = bollinger_into(kX, 3, 2.0, up, mid, shortbuf);
  ASSERT_FALSE(rl.ok());
  EXPECT_EQ(rl.error().message, "bollinger_into: lower has 5 values but x has 6");
  const std::vector<double> withnan{1.0, 2.0, std::nan(""), 4.0};
  std::vector<double> o4(4);
  auto rn = ema_into(withnan, 2, o4);
  ASSERT_FALSE(rn.ok());
  EXPECT_EQ(rn.error().message, "ema_into: x[2] is NaN");
  auto rp = sma_into(kX, 0, out);
  ASSERT_FALSE(rp.ok());
  EXPECT_EQ(rp.error().message, "sma_into: period must be >= 1, got 0");
  auto rlong = sma_into(kX, 7, out);
  ASSERT_FALSE(rlong.ok());
  EXPECT_NE(rlong.error().message.find("longer than the 6 bars"), std::string::npos);
}

template <class Ind, class F>
void check_stream_equals_batch(Ind ind, const IndicatorSeries& batch, F update) {
  std::size_t first_ready = batch.size();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const std::optional<double> s = update(ind, i);
    RC_ASSERT(s.has_value() == batch[i].has_value());
    if (s) {
      RC_ASSERT(*s == *batch[i]);  // bit-identical
      if (first_ready == batch.size()) first_ready = i;
    }
  }
  RC_ASSERT(static_cast<int>(first_ready) == ind.lookback());
}

RC_GTEST_PROP(IndicatorsProperty, StreamingEqualsBatchAndWarmupIsLookback, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const int n = *rc::gen::inRange(1, 25);
  const std::size_t len = static_cast<std::size_t>(*rc::gen::inRange(3 * n + 40, 3 * n + 200));
  const RandomBars b = random_bars(seed, len);
  const auto& c = b.close;

  auto single = [&](auto ind, const IndicatorSeries& batch) {
    check_stream_equals_batch(ind, batch, [&](auto& s, std::size_t i) { return s.update(c[i]); });
  };
  auto hlc = [&](auto ind, const IndicatorSeries& batch) {
    check_stream_equals_batch(ind, batch,
                              [&](auto& s, std::size_t i) { return s.update(b.high[i], b.low[i], c[i]); });
  };
  single(*Sma::create(n), *sma(c, n));
  single(*Ema::create(n), *ema(c, n));
  single(*Wma::create(n), *wma(c, n));
  single(*Rsi::create(n), *rsi(c, n));
  single(*Momentum::create(n), *momentum(c, n));
  single(*Roc::create(n), *roc(c, n));
  hlc(*Atr::create(n), *atr(b.high, b.low, c, n));
  hlc(*Natr::create(n), *natr(b.high, b.low, c, n));
  hlc(*WilliamsR::create(n), *williams_r(b.high, b.low, c, n));
  if (n >= 2) {
    single(*RollingZScore::create(n), *rolling_zscore(c, n));
    single(*RollingVolatility::create(n), *rolling_volatility(c, n));
  }
  // Multi-output indicators: compare each component.
  const auto bb = *bollinger(c, n, 2.0);
  auto bbs = *Bollinger::create(n, 2.0);
  const auto dc = *donchian(b.high, b.low, n);
  auto dcs = *Donchian::create(n);
  for (std::size_t i = 0; i < len; ++i) {
    const auto v = bbs.update(c[i]);
    RC_ASSERT(v.has_value() == bb.middle[i].has_value());
    RC_ASSERT(v.has_value() == (i >= static_cast<std::size_t>(n - 1)));
    if (v) RC_ASSERT(v->upper == *bb.upper[i] && v->middle == *bb.middle[i] && v->lower == *bb.lower[i]);
    const auto d = dcs.update(b.high[i], b.low[i]);
    RC_ASSERT(d.has_value() == dc.upper[i].has_value());
    RC_ASSERT(d.has_value() == (i >= static_cast<std::size_t>(n - 1)));
    if (d) RC_ASSERT(d->upper == *dc.upper[i] && d->middle == *dc.middle[i] && d->lower == *dc.lower[i]);
  }
  const int fast = *rc::gen::inRange(1, 15);
  const int slow = fast + *rc::gen::inRange(1, 20);
  const int sig = *rc::gen::inRange(1, 12);
  const auto mb = *macd(c, fast, slow, sig);
  auto ms = *Macd::create(fast, slow, sig);
  for (std::size_t i = 0; i < len; ++i) {
    const auto v = ms.update(c[i]);
    RC_ASSERT(v.has_value() == (static_cast<int>(i) >= ms.lookback()));
    RC_ASSERT(v.has_value() == mb.line[i].has_value());
    if (v) RC_ASSERT(v->line == *mb.line[i] && v->signal == *mb.signal[i] && v->histogram == *mb.histogram[i]);
  }
  single(*Dema::create(n), *dema(c, n));
  single(*Tema::create(n), *tema(c, n));
  check_stream_equals_batch(*Mfi::create(n), *mfi(b.high, b.low, c, b.volume, n),
                            [&](auto& s, std::size_t i) { return s.update(b.high[i], b.low[i], c[i], b.volume[i]); });
  const int slowing = *rc::gen::inRange(1, 5);
  const int dp = *rc::gen::inRange(1, 5);
  const auto sb = *stochastic(b.high, b.low, c, n, slowing, dp);
  auto ss = *Stochastic::create(n, slowing, dp);
  const auto kb = *keltner(b.high, b.low, c, n, dp, 1.5);
  auto ks = *Keltner::create(n, dp, 1.5);
  for (std::size_t i = 0; i < len; ++i) {
    const auto v = ss.update(b.high[i], b.low[i], c[i]);
    RC_ASSERT(v.has_value() == (static_cast<int>(i) >= ss.lookback()));
    RC_ASSERT(v.has_value() == sb.k[i].has_value());
    if (v) RC_ASSERT(v->k == *sb.k[i] && v->d == *sb.d[i]);
    const auto kv = ks.update(b.high[i], b.low[i], c[i]);
    RC_ASSERT(kv.has_value() == (static_cast<int>(i) >= ks.lookback()));
    RC_ASSERT(kv.has_value() == kb.middle[i].has_value());
    if (kv) RC_ASSERT(kv->upper == *kb.upper[i] && kv->middle == *kb.middle[i] && kv->lower == *kb.lower[i]);
  }
  {
    const int an = std::max(2, n);
    const auto ab = *adx(b.high, b.low, c, an);
    auto as = *Adx::create(an);
    for (std::size_t i = 0; i < len; ++i) {
      const auto v = as.update(b.high[i], b.low[i], c[i]);
      RC_ASSERT(v.has_value() == (static_cast<int>(i) >= as.di_lookback()));
      RC_ASSERT(ab.adx[i].has_value() == (static_cast<int>(i) >= as.lookback()));
      if (v) {
        RC_ASSERT(v->plus_di == *ab.plus_di[i] && v->minus_di == *ab.minus_di[i]);
        RC_ASSERT(v->adx == ab.adx[i]);
      }
    }
  }
  {
    // VWAP with sessions of random length: streaming == batch.
    std::vector<std::int64_t> sess(len);
    std::int64_t id = 0;
    for (std::size_t i = 0; i < len; ++i) {
      if (i % static_cast<std::size_t>(n + 3) == 0) ++id;
      sess[i] = id;
    }
    const auto vb = *vwap(c, b.volume, sess);
    Vwap vs;
    for (std::size_t i = 0; i < len; ++i) {
      RC_ASSERT(vs.update(c[i], b.volume[i], i == 0 || sess[i] != sess[i - 1]) == vb[i]);
    }
  }
  {
    const int cn = std::max(2, n);
    const auto cb = *rolling_comovement(c, b.high, cn);
    auto cs = *RollingCoMovement::create(cn);
    for (std::size_t i = 0; i < len; ++i) {
      const auto v = cs.update(c[i], b.high[i]);
      RC_ASSERT(v.has_value() == (static_cast<int>(i) >= cs.lookback()));
      if (v) RC_ASSERT(v->covariance == *cb.covariance[i] && v->correlation == *cb.correlation[i] && v->beta == *cb.beta[i]);
    }
  }
  {
    const int mn = std::max(3, n);
    const auto mb2 = *rolling_moments(c, mn);
    auto msr = *RollingMoments::create(mn);
    const auto cb = *cci(b.high, b.low, c, std::max(2, n));
    auto cs = *Cci::create(std::max(2, n));
    for (std::size_t i = 0; i < len; ++i) {
      const auto v = msr.update(c[i]);
      RC_ASSERT(v.has_value() == (static_cast<int>(i) >= msr.lookback()));
      RC_ASSERT(v.has_value() == mb2.skewness[i].has_value());
      if (v) RC_ASSERT(v->skewness == *mb2.skewness[i] && v->kurtosis == *mb2.kurtosis[i]);
    }
    check_stream_equals_batch(cs, cb, [&](auto& s, std::size_t i) { return s.update(b.high[i], b.low[i], c[i]); });
  }
  {
    // "_into" forms: bit-identical to the optional-returning batch forms from the lookback on.
    std::vector<double> o(len), up(len), mid(len), lo(len);
    const auto sb2 = *sma(c, n);
    RC_ASSERT(*sma_into(c, n, o) == static_cast<std::size_t>(n - 1));
    for (std::size_t i = static_cast<std::size_t>(n - 1); i < len; ++i) RC_ASSERT(o[i] == *sb2[i]);
    const auto eb = *ema(c, n);
    RC_ASSERT(*ema_into(c, n, o) == static_cast<std::size_t>(n - 1));
    for (std::size_t i = static_cast<std::size_t>(n - 1); i < len; ++i) RC_ASSERT(o[i] == *eb[i]);
    RC_ASSERT(*bollinger_into(c, n, 2.0, up, mid, lo) == static_cast<std::size_t>(n - 1));
    for (std::size_t i = static_cast<std::size_t>(n - 1); i < len; ++i) {
      RC_ASSERT(up[i] == *bb.upper[i] && mid[i] == *bb.middle[i] && lo[i] == *bb.lower[i]);
    }
  }
  Obv os;
  const auto ob = *obv(c, b.volume);
  for (std::size_t i = 0; i < len; ++i) RC_ASSERT(os.update(c[i], b.volume[i]) == ob[i]);
}

TEST(Indicators, ZScoreStaysExactOnLongSeries) {
  // Regression for rounding drift in the sliding update (found by the naive-window property):
  // after 200 000 bars the z-scores must still agree with a two-pass recomputation.
  const RandomBars b = random_bars(7, 200000);
  const int n = 20;
  auto z = rolling_zscore(b.close, n);
  ASSERT_TRUE(z.ok());
  for (std::size_t t = b.close.size() - 200; t < b.close.size(); ++t) {
    double sum = 0.0;
    for (std::size_t i = t + 1 - n; i <= t; ++i) sum += b.close[i];
    const double mean = sum / n;
    double ss = 0.0;
    for (std::size_t i = t + 1 - n; i <= t; ++i) ss += (b.close[i] - mean) * (b.close[i] - mean);
    const double want = (b.close[t] - mean) / std::sqrt(ss / (n - 1));
    EXPECT_NEAR(*(*z)[t], want, 1e-8 * (1.0 + std::fabs(want))) << "t = " << t;
  }
}

// Independent oracle: each window recomputed from scratch (two-pass), against the O(1) forms.
RC_GTEST_PROP(IndicatorsProperty, MatchNaiveWindowRecomputation, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const int n = *rc::gen::inRange(2, 30);
  const std::size_t len = static_cast<std::size_t>(*rc::gen::inRange(n + 1, n + 300));
  const RandomBars b = random_bars(seed, len);
  const auto& c = b.close;
  const auto s = *sma(c, n);
  const auto w = *wma(c, n);
  const auto bb = *bollinger(c, n, 1.5);
  const auto z = *rolling_zscore(c, n);
  const auto dc = *donchian(b.high, b.low, n);
  const auto wr = *williams_r(b.high, b.low, c, n);
  const auto cm = *rolling_comovement(c, b.high, n);
  const auto mo = n >= 3 ? *rolling_moments(c, n) : MomentsSeries{};
  const auto cc = *cci(b.high, b.low, c, n);
  for (std::size_t t = static_cast<std::size_t>(n - 1); t < len; ++t) {
    const std::size_t lo = t + 1 - static_cast<std::size_t>(n);
    double sum = 0.0, wsum = 0.0, hh = b.high[lo], ll = b.low[lo];
    for (std::size_t i = lo; i <= t; ++i) {
      sum += c[i];
      wsum += c[i] * static_cast<double>(i - lo + 1);
      hh = std::max(hh, b.high[i]);
      ll = std::min(ll, b.low[i]);
    }
    const double mean = sum / n;
    double ss = 0.0;
    for (std::size_t i = lo; i <= t; ++i) ss += (c[i] - mean) * (c[i] - mean);
    RC_ASSERT(std::fabs(*s[t] - mean) < 1e-9);
    RC_ASSERT(std::fabs(*w[t] - wsum / (n * (n + 1) / 2.0)) < 1e-9);
    // σ² of prices near 100 from running Σx² (TA-Lib's method) carries an absolute rounding
    // error of order ε·Σx² ≈ 1e-10 here, which √ magnifies when σ² is near 0 (flat windows), so
    // compare σ² rather than σ.
    const double sd_ours = (*bb.upper[t] - *bb.middle[t]) / 1.5;
    RC_ASSERT(std::fabs(sd_ours * sd_ours - ss / n) < 1e-8);
    const double sd = std::sqrt(ss / (n - 1));
    // Sliding updates round at about ε·|x|·|Δx| per step (see the header): only windows with
    // σ well above that are compared, to a relative 1e-6.
    if (sd > 1e-3) {
      const double want = (c[t] - mean) / sd;
      RC_ASSERT(std::fabs(*z[t] - want) < 1e-6 * (1.0 + std::fabs(want)));
    }
    RC_ASSERT(*dc.upper[t] == hh && *dc.lower[t] == ll);
    // Co-movement of close and high on the same window, two-pass.
    {
      double sh = 0.0;
      for (std::size_t i = lo; i <= t; ++i) sh += b.high[i];
      const double mh = sh / n;
      double sxy = 0.0;
      for (std::size_t i = lo; i <= t; ++i) sxy += (c[i] - mean) * (b.high[i] - mh);
      RC_ASSERT(std::fabs(*cm.covariance[t] - sxy / (n - 1)) < 1e-9);
      if (ss > 1e-4) RC_ASSERT(std::fabs(*cm.beta[t] - sxy / ss) < 1e-6 * (1.0 + std::fabs(sxy / ss)));
    }
    // Moments two-pass; as for the z-score, only windows with σ well above the sliding rounding.
    if (n >= 3 && sd > 1e-2) {
      double m2 = 0.0, m3 = 0.0, m4 = 0.0;
      for (std::size_t i = lo; i <= t; ++i) {
        const double d = c[i] - mean;
        m2 += d * d / n;
        m3 += d * d * d / n;
        m4 += d * d * d * d / n;
      }
      const double skew = m3 / std::pow(m2, 1.5);
      const double kurt = m4 / (m2 * m2) - 3.0;
      RC_ASSERT(std::fabs(*mo.skewness[t] - skew) < 1e-6 * (1.0 + std::fabs(skew)));
      RC_ASSERT(std::fabs(*mo.kurtosis[t] - kurt) < 1e-6 * (1.0 + std::fabs(kurt)));
    }
    // CCI from its definition on the typical prices of the window.
    {
      double tsum = 0.0;
      for (std::size_t i = lo; i <= t; ++i) tsum += (b.high[i] + b.low[i] + c[i]) / 3.0;
      const double tmean = tsum / n;
      double md = 0.0;
      for (std::size_t i = lo; i <= t; ++i) md += std::fabs((b.high[i] + b.low[i] + c[i]) / 3.0 - tmean);
      md /= n;
      const double tp = (b.high[t] + b.low[t] + c[t]) / 3.0;
      if (md > 1e-6) {
        const double want = (tp - tmean) / (0.015 * md);
        RC_ASSERT(std::fabs(*cc[t] - want) < 1e-6 * (1.0 + std::fabs(want)));
      }
    }
    if (hh > ll) RC_ASSERT(std::fabs(*wr[t] - (hh - c[t]) / (hh - ll) * -100.0) < 1e-9);
  }
}

}  // namespace
}  // namespace keel::analytics
