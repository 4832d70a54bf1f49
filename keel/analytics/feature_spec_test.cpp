#include "keel/analytics/feature_spec.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace keel::analytics {
namespace {

constexpr const char* kExample =
    "rsi:14,macd:12:26:9,bbands:20:2,atr:14,sma:50,ema:20,roc:10,zscore:20,vol:21,adx:14,"
    "stoch:14:3:3,cci:20,mfi:14,obv,vwap,willr:14,donchian:20,keltner:20:2,natr:14,wma:10,"
    "dema:10,tema:10,mom:10,skew:20,kurt:20";

struct Bars {
  std::vector<double> open, high, low, close, volume;
  std::vector<std::int64_t> session;
  OhlcvInput input() const { return {open, high, low, close, volume, session}; }
};

// A random walk with consistent OHLC bars (low <= open, close <= high) and positive volumes.
Bars random_bars(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 0.01);
  std::uniform_real_distribution<double> u(0.0, 0.01);
  Bars b;
  double px = 100.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double open = px;
    px *= std::exp(z(rng));
    b.open.push_back(open);
    b.close.push_back(px);
    b.high.push_back(std::max(open, px) * (1.0 + u(rng)));
    b.low.push_back(std::min(open, px) * (1.0 - u(rng)));
    b.volume.push_back(1000.0 + std::floor(1e5 * u(rng)));
    b.session.push_back(static_cast<std::int64_t>(i / 7));
  }
  return b;
}

bool same_bits(const IndicatorSeries& a, const IndicatorSeries& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].has_value() != b[i].has_value()) return false;
    if (a[i] && std::bit_cast<std::uint64_t>(*a[i]) != std::bit_cast<std::uint64_t>(*b[i])) return false;
  }
  return true;
}

std::string error_of(std::string_view spec) {
  auto r = parse_feature_spec(spec);
  return r ? std::string("(parsed)") : r.error().message;
}

TEST(FeatureSpec, ParsesTheExampleSpecIntoNamedColumns) {
  auto spec = parse_feature_spec(kExample);
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->items.size(), 25u);
  const auto cols = spec->columns();
  // 25 items: macd 3, bbands 5, adx 3, stoch 2, donchian 3, keltner 3, the other 19 one each.
  EXPECT_EQ(cols.size(), 19u + 3 + 5 + 3 + 2 + 3 + 3);
  const std::vector<std::string> head{"rsi_14", "macd_12_26_9", "macd_signal_12_26_9", "macd_hist_12_26_9",
                                      "bb_upper_20_2", "bb_middle_20_2", "bb_lower_20_2", "bb_pctb_20_2",
                                      "bb_width_20_2", "atr_14"};
  EXPECT_EQ(std::vector<std::string>(cols.begin(), cols.begin() + 10), head);
  EXPECT_EQ(spec->items[9].columns, (std::vector<std::string>{"adx_14", "plus_di_14", "minus_di_14"}));
  EXPECT_EQ(spec->items[13].columns, std::vector<std::string>{"obv"});
  EXPECT_EQ(spec->items[14].columns, std::vector<std::string>{"vwap"});
  EXPECT_TRUE(spec->needs_high_low());
  EXPECT_TRUE(spec->needs_volume());
  // Blanks around items and arguments are ignored.
  auto spaced = parse_feature_spec(" sma : 5 , ema:3 ");
  ASSERT_TRUE(spaced.ok()) << spaced.error().message;
  EXPECT_EQ(spaced->columns(), (std::vector<std::string>{"sma_5", "ema_3"}));
}

TEST(FeatureSpec, ErrorsNameTheItem) {
  EXPECT_EQ(error_of("rsi:14,rsx:3"), "unknown indicator 'rsx' in spec at item 2");
  EXPECT_EQ(error_of("macd:12:26"),
            "spec item 1 'macd:12:26': macd takes 3 arguments (fast:slow:signal), got 2");
  EXPECT_EQ(error_of("sma:5,obv:3"), "spec item 2 'obv:3': obv takes 0 arguments (no arguments), got 1");
  EXPECT_EQ(error_of("keltner:20"),
            "spec item 1 'keltner:20': keltner takes 2 or 3 arguments (period:multiplier[:atr_period]), got 1");
  EXPECT_EQ(error_of("rsi:0"), "spec item 1 'rsi:0': argument 1 must be a positive integer period, got '0'");
  EXPECT_EQ(error_of("rsi:14.5"), "spec item 1 'rsi:14.5': argument 1 must be a positive integer period, got '14.5'");
  EXPECT_EQ(error_of("sma:-3"), "spec item 1 'sma:-3': argument 1 must be a positive integer period, got '-3'");
  EXPECT_EQ(error_of("sma:"), "spec item 1 'sma:': argument 1 must be a positive integer period, got ''");
  EXPECT_EQ(error_of("bbands:20:x"), "spec item 1 'bbands:20:x': argument 2 must be a finite number >= 0, got 'x'");
  EXPECT_EQ(error_of("sma:5,,ema:3"), "spec item 2 '': empty item");
  EXPECT_EQ(error_of(""), "empty feature spec");
  EXPECT_EQ(error_of("sma:10,ema:5,sma:10"), "spec item 3 'sma:10': column 'sma_10' repeats the one of item 1");
  // A parameter the indicator itself rejects: its own message, behind the item.
  EXPECT_NE(error_of("zscore:1").find("spec item 1 'zscore:1': "), std::string::npos) << error_of("zscore:1");
  EXPECT_NE(error_of("macd:26:12:9").find("spec item 1 'macd:26:12:9': macd"), std::string::npos);
}

TEST(FeatureSpec, MissingColumnsAreNamed) {
  const std::vector<double> close{1, 2, 3, 4, 5, 6};
  OhlcvInput in;
  in.close = close;
  auto atr = parse_feature_spec("sma:2,atr:3");
  ASSERT_TRUE(atr.ok());
  auto r = compute_features(*atr, in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "spec item 2 'atr:3': needs column 'high', which the input lacks");
  auto obv = parse_feature_spec("obv");
  ASSERT_TRUE(obv.ok());
  auto o = compute_features(*obv, in);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().message, "spec item 1 'obv': needs column 'volume', which the input lacks");
  auto s = FeatureStream::create(*obv, false, false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "spec item 1 'obv': needs column 'volume', which the input lacks");
}

TEST(FeatureSpec, NonFiniteInputIsNamedByIndex) {
  std::vector<double> close{1, 2, 3, NAN, 5, 6};
  OhlcvInput in;
  in.close = close;
  auto spec = parse_feature_spec("sma:2");
  ASSERT_TRUE(spec.ok());
  auto r = compute_features(*spec, in);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("spec item 1 'sma:2'"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("[3]"), std::string::npos) << r.error().message;
}

// Every column equals the indicator batch form it wraps (those are tested against TA-Lib's
// definitions in indicators_test.cpp), bit for bit.
TEST(FeatureSpec, ColumnsEqualTheIndicatorBatchForms) {
  const Bars b = random_bars(400, 7);
  auto spec = parse_feature_spec(kExample);
  ASSERT_TRUE(spec.ok());
  auto t = compute_features(*spec, b.input());
  ASSERT_TRUE(t.ok()) << t.error().message;
  auto col = [&](const std::string& name) -> const IndicatorSeries& {
    for (std::size_t i = 0; i < t->names.size(); ++i) {
      if (t->names[i] == name) return t->columns[i];
    }
    ADD_FAILURE() << "no column " << name;
    return t->columns[0];
  };
  const auto &h = b.high, &l = b.low, &c = b.close, &v = b.volume;
  EXPECT_TRUE(same_bits(col("rsi_14"), *rsi(c, 14)));
  EXPECT_TRUE(same_bits(col("macd_signal_12_26_9"), macd(c, 12, 26, 9)->signal));
  EXPECT_TRUE(same_bits(col("macd_hist_12_26_9"), macd(c, 12, 26, 9)->histogram));
  EXPECT_TRUE(same_bits(col("bb_lower_20_2"), bollinger(c, 20, 2.0)->lower));
  EXPECT_TRUE(same_bits(col("atr_14"), *atr(h, l, c, 14)));
  EXPECT_TRUE(same_bits(col("sma_50"), *sma(c, 50)));
  EXPECT_TRUE(same_bits(col("ema_20"), *ema(c, 20)));
  EXPECT_TRUE(same_bits(col("roc_10"), *roc(c, 10)));
  EXPECT_TRUE(same_bits(col("zscore_20"), *rolling_zscore(c, 20)));
  EXPECT_TRUE(same_bits(col("vol_21"), *rolling_volatility(c, 21, 252.0)));
  EXPECT_TRUE(same_bits(col("adx_14"), adx(h, l, c, 14)->adx));
  EXPECT_TRUE(same_bits(col("minus_di_14"), adx(h, l, c, 14)->minus_di));
  EXPECT_TRUE(same_bits(col("stoch_d_14_3_3"), stochastic(h, l, c, 14, 3, 3)->d));
  EXPECT_TRUE(same_bits(col("cci_20"), *cci(h, l, c, 20)));
  EXPECT_TRUE(same_bits(col("mfi_14"), *mfi(h, l, c, v, 14)));
  EXPECT_TRUE(same_bits(col("obv"), *obv(c, v)));
  EXPECT_TRUE(same_bits(col("willr_14"), *williams_r(h, l, c, 14)));
  EXPECT_TRUE(same_bits(col("donchian_middle_20"), donchian(h, l, 20)->middle));
  EXPECT_TRUE(same_bits(col("keltner_upper_20_2"), keltner(h, l, c, 20, 10, 2.0)->upper));
  EXPECT_TRUE(same_bits(col("natr_14"), *natr(h, l, c, 14)));
  EXPECT_TRUE(same_bits(col("wma_10"), *wma(c, 10)));
  EXPECT_TRUE(same_bits(col("dema_10"), *dema(c, 10)));
  EXPECT_TRUE(same_bits(col("tema_10"), *tema(c, 10)));
  EXPECT_TRUE(same_bits(col("mom_10"), *momentum(c, 10)));
  EXPECT_TRUE(same_bits(col("skew_20"), rolling_moments(c, 20)->skewness));
  EXPECT_TRUE(same_bits(col("kurt_20"), rolling_moments(c, 20)->kurtosis));
  // VWAP over the session keys (a new session every 7 bars), price (H+L+C)/3.
  std::vector<double> tp(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) tp[i] = (h[i] + l[i] + c[i]) / 3.0;
  EXPECT_TRUE(same_bits(col("vwap"), *vwap(tp, v, b.session)));
  // Warm-up: leading not-ready rows equal TA-Lib's lookbacks (rsi 14, macd 33, sma 49, adx 27).
  auto leading = [](const IndicatorSeries& s) {
    std::size_t k = 0;
    while (k < s.size() && !s[k]) ++k;
    return k;
  };
  EXPECT_EQ(leading(col("rsi_14")), 14u);
  EXPECT_EQ(leading(col("macd_12_26_9")), 33u);
  EXPECT_EQ(leading(col("sma_50")), 49u);
  EXPECT_EQ(leading(col("adx_14")), 27u);
  EXPECT_EQ(leading(col("plus_di_14")), 14u);
}

TEST(FeatureSpec, BollingerDerivedColumnsByHand) {
  // bbands:3:2 over 1, 2, 3: middle 2, population variance (1 + 0 + 1)/3 = 2/3, σ = √(2/3);
  // upper = 2 + 2σ, lower = 2 - 2σ. %b at close 3 = (3 - (2 - 2σ))/(4σ) = 1/(4σ) + 1/2
  // = 0.806186...; bandwidth = 4σ/2 = 2σ = 1.632993...
  const std::vector<double> close{1, 2, 3};
  OhlcvInput in;
  in.close = close;
  auto spec = parse_feature_spec("bbands:3:2");
  ASSERT_TRUE(spec.ok());
  auto t = compute_features(*spec, in);
  ASSERT_TRUE(t.ok()) << t.error().message;
  const double sigma = std::sqrt(2.0 / 3.0);
  ASSERT_TRUE(t->columns[3][2].has_value());
  EXPECT_NEAR(*t->columns[3][2], 1.0 / (4.0 * sigma) + 0.5, 1e-12);
  EXPECT_NEAR(*t->columns[4][2], 2.0 * sigma, 1e-12);
  EXPECT_FALSE(t->columns[3][1].has_value());
  // A flat window: upper = lower, %b undefined -> not a value (never NaN); bandwidth 0.
  const std::vector<double> flat{5, 5, 5};
  in.close = flat;
  auto f = compute_features(*spec, in);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->columns[3][2].has_value());
  EXPECT_EQ(*f->columns[4][2], 0.0);
}

TEST(FeatureSpec, VwapWithoutSessionsIsAnchoredAtTheFirstBar) {
  // Typical prices (H+L+C)/3: bar 0 (12+8+10)/3 = 10, bar 1 (23+19+21)/3 = 21; volumes 100, 300.
  // VWAP_0 = 10; VWAP_1 = (10·100 + 21·300)/400 = 7300/400 = 18.25.
  const std::vector<double> h{12, 23}, l{8, 19}, c{10, 21}, v{100, 300};
  OhlcvInput in{{}, h, l, c, v, {}};
  auto spec = parse_feature_spec("vwap");
  ASSERT_TRUE(spec.ok());
  auto t = compute_features(*spec, in);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_DOUBLE_EQ(*t->columns[0][0], 10.0);
  EXPECT_DOUBLE_EQ(*t->columns[0][1], 18.25);
}

TEST(FeatureSpec, StreamEqualsBatchBitForBit) {
  auto spec = parse_feature_spec(kExample);
  ASSERT_TRUE(spec.ok());
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const Bars b = random_bars(300, seed);
    auto t = compute_features(*spec, b.input());
    ASSERT_TRUE(t.ok()) << t.error().message;
    auto stream = FeatureStream::create(*spec, true, true);
    ASSERT_TRUE(stream.ok());
    std::vector<IndicatorSeries> got(stream->width(), IndicatorSeries(b.close.size()));
    std::vector<std::optional<double>> row(stream->width());
    for (std::size_t i = 0; i < b.close.size(); ++i) {
      const bool new_session = i == 0 || b.session[i] != b.session[i - 1];
      ASSERT_TRUE(stream->update(b.high[i], b.low[i], b.close[i], b.volume[i], new_session, row).ok());
      for (std::size_t j = 0; j < row.size(); ++j) got[j][i] = row[j];
    }
    for (std::size_t j = 0; j < got.size(); ++j) EXPECT_TRUE(same_bits(got[j], t->columns[j])) << t->names[j];
  }
}

TEST(FeatureStreamTest, BadBarIsAnErrorAndChangesNothing) {
  auto spec = parse_feature_spec("sma:2,atr:2");
  ASSERT_TRUE(spec.ok());
  auto s = FeatureStream::create(*spec, true, false);
  ASSERT_TRUE(s.ok());
  std::vector<std::optional<double>> row(2);
  ASSERT_TRUE(s->update(11, 9, 10, 0, false, row).ok());
  auto bad = s->update(9, 11, 10, 0, false, row);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "high 9.000000 < low 11.000000");
  EXPECT_FALSE(s->update(11, 9, NAN, 0, false, row).ok());
  // The stream still holds only bar 0: SMA(2) of 10, 20 = 15.
  ASSERT_TRUE(s->update(21, 19, 20, 0, false, row).ok());
  EXPECT_DOUBLE_EQ(*row[0], 15.0);
}

}  // namespace
}  // namespace keel::analytics
