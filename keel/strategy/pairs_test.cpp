// Pairs: hand-worked z-scores, decisions and share counts; the Engle-Granger windows see only
// data <= t; the p-value gate flattens; the Kalman variant equals analytics::KalmanHedge driven
// by hand; config errors name file:line:key.
#include "keel/strategy/pairs.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "keel/analytics/cointegration.hpp"
#include "keel/strategy/strategy_registry.hpp"

namespace keel::strategy {
namespace {

// A Context over two stocks Y (id 1) and X (id 2) with one bar per session, the first `known`
// visible. Positions are marked at each session's close; a submitted order fills at once at
// that close with no fees (what fill_model = "bar_close" does, minus costs).
class PairContext final : public Context {
 public:
  PairContext(const std::vector<double>& ys, const std::vector<double>& xs)
      : pf(Money::from_raw(100'000 * kFixedScale, 2), portfolio::AccountType::kMargin) {
    y_.id = InstrumentId(1);
    y_.symbol = "Y";
    x_.id = InstrumentId(2);
    x_.symbol = "X";
    const ExchangeCalendar& cal = ExchangeCalendar::us_equities();
    Date d = Date::ymd(2020, 1, 2);
    for (std::size_t i = 0; i < ys.size(); ++i) {
      dates_.push_back(d);
      by_.push_back(bar(y_.id, d, ys[i]));
      bx_.push_back(bar(x_.id, d, xs[i]));
      d = *cal.next_trading_day(d);
    }
  }

  // Makes session k (0-based) the current one and delivers it to `s`.
  Status step(Strategy& s, std::size_t k) {
    known_ = k + 1;
    pf.mark(y_.id, by_[k].close);
    pf.mark(x_.id, bx_[k].close);
    return s.on_bar(*this, by_[k]);
  }

  Timestamp now() const override { return by_[known_ - 1].ts_recv; }
  Date today() const override { return dates_[known_ - 1]; }
  const ExchangeCalendar& calendar() const override { return ExchangeCalendar::us_equities(); }
  bool warming_up() const override { return false; }
  const Instrument* instrument(InstrumentId id) const override {
    return id == y_.id ? &y_ : id == x_.id ? &x_ : nullptr;
  }
  const Instrument* find_instrument(std::string_view s) const override {
    return s == "Y" ? &y_ : s == "X" ? &x_ : nullptr;
  }
  std::span<const Bar> history(InstrumentId id, std::size_t n) const override {
    const std::vector<Bar>& b = id == y_.id ? by_ : bx_;
    const std::size_t k = std::min(n, known_);
    return std::span<const Bar>(b.data() + (known_ - k), k);
  }
  const OptionChain* chain(std::string_view) const override { return nullptr; }
  const portfolio::Portfolio& portfolio() const override { return pf; }
  std::vector<execution::Order> open_orders() const override { return {}; }
  const execution::Order* order(const ClientOrderId&) const override { return nullptr; }
  Result<ClientOrderId> submit(const OrderRequest& r) override {
    submitted.push_back({known_ - 1, r});
    execution::Fill f;
    f.order_id = ClientOrderId("P-" + std::to_string(submitted.size()));
    f.instrument = r.instrument;
    f.side = r.side;
    f.quantity = r.quantity;
    f.price = (r.instrument == y_.id ? by_ : bx_)[known_ - 1].close;
    f.commission = Money::zero(2);
    f.regulatory_fees = Money::zero(2);
    f.ts = now();
    KEEL_TRY_STATUS(pf.apply_fill(f, *instrument(r.instrument), "test"));
    return f.order_id;
  }
  Status cancel(const ClientOrderId&) override { return ok_status(); }
  Status set_timer(Timestamp, std::string) override { return ok_status(); }
  void log(std::string_view m) override { logs.emplace_back(m); }

  std::int64_t shares(bool y) const { return pf.quantity(y ? y_.id : x_.id).raw() / kFixedScale; }

  struct Submitted {
    std::size_t session;
    OrderRequest request;
  };
  std::vector<Submitted> submitted;
  std::vector<std::string> logs;
  portfolio::Portfolio pf;

 private:
  static Bar bar(InstrumentId id, Date d, double close) {
    Bar b;
    b.instrument = id;
    b.ts_event = Timestamp::from_date(d);
    b.ts_recv = ExchangeCalendar::us_equities().session(d)->close;
    b.open = b.high = b.low = b.close = Price::from_double(close, 4).value();
    b.volume = Quantity::from_int(1000000, 0).value();
    return b;
  }
  Instrument y_, x_;
  std::vector<Date> dates_;
  std::vector<Bar> by_, bx_;
  std::size_t known_ = 0;
};

// A simulated pair with known parameters: ln x a random walk (1% daily), ln y = 0.2 + 0.8 ln x +
// s, s an AR(1) with phi = 2^(-1/5) (half-life 5 sessions) and 0.5% innovations. From session
// `break_at` on, s becomes a random walk with 3% steps (the cointegration breaks). Normals by
// Box-Muller from mt19937_64 bits (fixed by the standard). Prices rounded to 4 decimals, as the
// bars store them.
struct Path {
  std::vector<double> y, x;
};
Path simulate(std::size_t n, std::uint64_t seed, std::size_t break_at = SIZE_MAX) {
  std::mt19937_64 rng(seed);
  auto u = [&] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
  auto normal = [&] { return std::sqrt(-2.0 * std::log(u())) * std::cos(2.0 * M_PI * u()); };
  const double phi = std::pow(2.0, -1.0 / 5.0);
  Path p;
  double lx = std::log(40.0), s = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    lx += 0.01 * normal();
    s = i < break_at ? phi * s + 0.005 * normal() : s + 0.03 * normal();
    auto round4 = [](double v) { return std::round(v * 1e4) / 1e4; };
    p.x.push_back(round4(std::exp(lx)));
    p.y.push_back(round4(std::exp(0.2 + 0.8 * lx + s)));
  }
  return p;
}

PairsConfig eg_config() {
  PairsConfig c;
  c.pairs = {{"Y", "X"}};
  c.symbols = {"Y", "X"};
  c.lookback = 100;
  c.refit = 10;
  c.z_window = 20;
  return c;
}

TEST(Pairs, WindowZHandWorked) {
  // Spreads 1, 2, 3, 4, 10: mean 4; deviations -3, -2, -1, 0, 6; squares sum 50; sample
  // variance 50/4 = 12.5; z = 6 / sqrt(12.5) = 1.6970562748...
  const std::vector<double> s{1, 2, 3, 4, 10};
  ASSERT_TRUE(window_z(s).has_value());
  EXPECT_NEAR(*window_z(s), 6.0 / std::sqrt(12.5), 1e-15);
  EXPECT_NEAR(*window_z(s), 1.6970562748477141, 1e-15);
  // Mirror image: the last value below the mean by as much gives -z.
  const std::vector<double> m{-1, -2, -3, -4, -10};
  EXPECT_NEAR(*window_z(m), -1.6970562748477141, 1e-15);
  EXPECT_FALSE(window_z(std::vector<double>{3, 3, 3}).has_value());  // sd 0: no z
  EXPECT_FALSE(window_z(std::vector<double>{3}).has_value());
}

TEST(Pairs, DecisionsOnAHandBuiltZPath) {
  PairsConfig c = eg_config();
  c.entry_z = 2.0;
  c.exit_z = 0.5;
  c.stop_z = 4.0;
  c.max_hold = 0;
  // z path and the side after each session (-1 short the spread, +1 long):
  //  0.0 flat | 1.9 below entry | 2.1 >= 2: short | 1.0 hold | 0.4 <= 0.5: exit |
  // -2.5 <= -2: long | -4.2 |z| >= 4: stop, locked | -3.0 locked | -2.1 locked (|z| >= 2) |
  // -1.5 < 2: unlocked, no entry | -2.2 long | 1.5 crossed through 0 past -0.5: exit |
  //  4.5 >= stop while flat: no entry, locked | 3.9 locked | 1.9 unlocked | 2.0 short (= entry)
  const double z[] = {0.0, 1.9, 2.1, 1.0, 0.4, -2.5, -4.2, -3.0, -2.1, -1.5, -2.2, 1.5, 4.5, 3.9, 1.9, 2.0};
  const int side[] = {0, 0, -1, -1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1};
  const bool locked[] = {false, false, false, false, false, false, true, true, true, false,
                         false, false, true, true, false, false};
  PairPosition p;
  for (std::size_t i = 0; i < std::size(z); ++i) {
    if (p.side != 0) ++p.held;
    p = pairs_step(c, p, z[i], true);
    EXPECT_EQ(p.side, side[i]) << "session " << i << " z " << z[i];
    EXPECT_EQ(p.locked, locked[i]) << "session " << i << " z " << z[i];
  }
  // Max hold: entered at -2.5, still at -1.0 (not back within 0.5) after 3 sessions: out.
  c.max_hold = 3;
  p = pairs_step(c, PairPosition{}, -2.5, true);
  ASSERT_EQ(p.side, 1);
  for (int i = 1; i <= 3; ++i) {
    ++p.held;
    p = pairs_step(c, p, -1.0, true);
    EXPECT_EQ(p.side, i < 3 ? 1 : 0) << "held " << i;
  }
  EXPECT_FALSE(p.locked);
  // Not tradable (the p-value gate): a held position goes flat whatever z says; no z holds.
  EXPECT_EQ(pairs_step(c, PairPosition{-1, 1, false}, 3.0, false).side, 0);
  EXPECT_EQ(pairs_step(c, PairPosition{-1, 1, false}, std::nullopt, true).side, -1);
  EXPECT_EQ(pairs_step(c, PairPosition{}, 3.0, false).side, 0);
}

TEST(Pairs, DollarNeutralShareCountsByHand) {
  // Equity $100,000, capital 0.5 -> G = 50,000; beta 0.8, Y $60, X $40:
  // V_y = 50,000 / 1.8 = 27,777.78; n_y = floor(27,777.78 / 60 = 462.96) = 462;
  // n_x = round(0.8 x 462 x 60 / 40 = 554.4) = 554 (X value 22,160 = 0.7994 x Y's 27,720).
  PairShares s = pair_shares(-1, 50'000.0, 0.8, 60.0, 40.0);
  EXPECT_EQ(s.y, -462);  // short the spread: short y, long beta x
  EXPECT_EQ(s.x, 554);
  s = pair_shares(1, 50'000.0, 0.8, 60.0, 40.0);
  EXPECT_EQ(s.y, 462);
  EXPECT_EQ(s.x, -554);
  // Exact multiple: G 10,000, beta 1.5, Y $25, X $80: V_y = 4,000 -> 160 shares exactly;
  // n_x = 1.5 x 160 x 25 / 80 = 75.
  s = pair_shares(1, 10'000.0, 1.5, 25.0, 80.0);
  EXPECT_EQ(s.y, 160);
  EXPECT_EQ(s.x, -75);
  // A tie rounds away from zero: G 1,000, beta 1, Y $20, X $40: n_y = 500/20 = 25; n_x = 25 x
  // 20 / 40 = 12.5 -> 13.
  s = pair_shares(-1, 1'000.0, 1.0, 20.0, 40.0);
  EXPECT_EQ(s.y, -25);
  EXPECT_EQ(s.x, 13);
  // Too small for one share of Y: nothing.
  s = pair_shares(1, 50.0, 0.8, 60.0, 40.0);
  EXPECT_EQ(s.y, 0);
  EXPECT_EQ(s.x, 0);
}

struct Trace {
  std::vector<PairState> states;
};
Trace drive(const PairsConfig& c, const Path& p, std::size_t sessions) {
  PairContext ctx(p.y, p.x);
  PairsStrategy s(c);
  Trace t;
  for (std::size_t k = 0; k < sessions; ++k) {
    const Status st = ctx.step(s, k);
    EXPECT_TRUE(st.ok()) << st.error().message;
    t.states.push_back(s.state(0));
  }
  return t;
}

bool same(const PairState& a, const PairState& b) {
  return a.position.side == b.position.side && a.position.held == b.position.held &&
         a.position.locked == b.position.locked && a.target.y == b.target.y && a.target.x == b.target.x &&
         a.z == b.z && a.beta == b.beta && a.intercept == b.intercept && a.p_value == b.p_value &&
         a.tradable == b.tradable && a.last_fit == b.last_fit;
}

TEST(Pairs, EngleGrangerRefitUsesOnlyDataUpToT) {
  const PairsConfig c = eg_config();
  const Path p = simulate(300, 11);
  PairContext ctx(p.y, p.x);
  PairsStrategy s(c);
  std::vector<PairState> full;
  for (std::size_t k = 0; k < 300; ++k) {
    ASSERT_TRUE(ctx.step(s, k).ok());
    full.push_back(s.state(0));
    const PairState& st = full.back();
    // No fit before `lookback` sessions; then fits at sessions 99, 109, 119, ... (0-based).
    EXPECT_EQ(st.p_value.has_value(), k >= 99) << k;
    if (k < 99) continue;
    EXPECT_EQ(st.last_fit.has_value() && *st.last_fit == ctx.today(), (k - 99) % 10 == 0) << k;
    if ((k - 99) % 10 != 0) continue;
    // The fit at session k is Engle-Granger on the 100 log prices ending at k, nothing later.
    std::vector<double> ly, lx;
    for (std::size_t j = k - 99; j <= k; ++j) {
      ly.push_back(std::log(std::round(p.y[j] * 1e4) / 1e4));
      lx.push_back(std::log(std::round(p.x[j] * 1e4) / 1e4));
    }
    auto eg = analytics::engle_granger(ly, lx);
    ASSERT_TRUE(eg.ok());
    EXPECT_EQ(st.beta, eg->hedge_ratios[0]) << k;
    EXPECT_EQ(st.p_value, eg->p_value) << k;
    // The z-score over the last 20 spreads with that fit.
    std::vector<double> spread;
    for (std::size_t j = 80; j < 100; ++j) spread.push_back(ly[j] - eg->intercept - eg->hedge_ratios[0] * lx[j]);
    EXPECT_EQ(st.z, window_z(spread)) << k;
  }
  // The simulated beta is 0.8: the fits recover it (100 sessions, 1% steps: within 0.1). With
  // 100 sessions and phi = 0.87 the test's power is modest (6 of these 21 fits reject at 5%),
  // so only "some fit opens the gate" is asserted.
  EXPECT_NEAR(full.back().beta, 0.8, 0.1);
  int rejected = 0, fits = 0;
  for (std::size_t k = 99; k < 300; k += 10) {
    ++fits;
    if (*full[k].p_value <= 0.05) ++rejected;
  }
  EXPECT_GT(rejected, 0) << rejected << " of " << fits;
  // It trades: some session holds a position.
  EXPECT_TRUE(std::any_of(full.begin(), full.end(), [](const PairState& st) { return st.position.side != 0; }));

  // Perturb every price after session t = 204 (a different path, and a jump), t between two fits:
  // states up to t are identical bit for bit.
  const std::size_t t = 204;
  Path q = simulate(300, 99);
  for (std::size_t j = 0; j <= t; ++j) {
    q.y[j] = p.y[j];
    q.x[j] = p.x[j];
  }
  for (std::size_t j = t + 1; j < 300; ++j) q.y[j] *= 1.5;
  const Trace cut = drive(c, q, 300);
  for (std::size_t k = 0; k <= t; ++k) EXPECT_TRUE(same(full[k], cut.states[k])) << "session " << k;
  bool differs = false;
  for (std::size_t k = t + 1; k < 300; ++k) differs = differs || !same(full[k], cut.states[k]);
  EXPECT_TRUE(differs);  // the perturbation is seen after t
}

TEST(Pairs, EntryOrdersHaveTheHandComputedShareCounts) {
  const PairsConfig c = eg_config();
  const Path p = simulate(300, 11);
  PairContext ctx(p.y, p.x);
  PairsStrategy s(c);
  for (std::size_t k = 0; k < 300; ++k) {
    ASSERT_TRUE(ctx.step(s, k).ok());
    const PairState& st = s.state(0);
    if (st.position.side == 0 || st.position.held != 0) continue;
    // First entry: no position before, equity = the starting $100,000 -> G = 50,000.
    const double py = std::round(p.y[k] * 1e4) / 1e4, px = std::round(p.x[k] * 1e4) / 1e4;
    const auto ny = static_cast<std::int64_t>(std::floor(50'000.0 / (1.0 + st.beta) / py));
    const auto nx = static_cast<std::int64_t>(std::floor(st.beta * static_cast<double>(ny) * py / px + 0.5));
    EXPECT_EQ(ctx.shares(true), st.position.side * ny);
    EXPECT_EQ(ctx.shares(false), -st.position.side * nx);
    // Sells go first: the first order of the session is the short leg.
    ASSERT_EQ(ctx.submitted.size(), 2u);
    EXPECT_EQ(ctx.submitted[0].request.side, execution::OrderSide::kSell);
    EXPECT_EQ(ctx.submitted[1].request.side, execution::OrderSide::kBuy);
    return;
  }
  FAIL() << "no entry in 300 sessions";
}

TEST(Pairs, PValueGateFlattens) {
  // Cointegrated for 200 sessions, then the spread is a random walk: the fits after the break
  // stop rejecting a unit root and the gate (p <= 0.05) flattens the pair. Entry at |z| >= 0.5 so
  // the pair is nearly always in a position when the gate shuts.
  PairsConfig c = eg_config();
  c.entry_z = 0.5;
  c.exit_z = 0.0;
  c.stop_z = 50.0;
  c.max_hold = 0;
  const Path p = simulate(400, 5, 200);
  PairContext ctx(p.y, p.x);
  PairsStrategy s(c);
  int flattened = 0, gated = 0, held = 0;
  bool was_in = false;
  for (std::size_t k = 0; k < 400; ++k) {
    ASSERT_TRUE(ctx.step(s, k).ok());
    const PairState& st = s.state(0);
    if (st.position.side != 0) ++held;
    if (st.p_value && *st.p_value > c.max_pvalue) {
      ++gated;
      EXPECT_FALSE(st.tradable) << k;
      EXPECT_EQ(st.position.side, 0) << k;
      EXPECT_EQ(ctx.shares(true), 0) << k;  // the legs were closed at this close
      EXPECT_EQ(ctx.shares(false), 0) << k;
      if (was_in) ++flattened;
    }
    was_in = st.position.side != 0;
  }
  EXPECT_GT(held, 20);
  EXPECT_GT(gated, 0);
  EXPECT_GE(flattened, 1) << "the gate never shut on an open position";
}

TEST(Pairs, KalmanEqualsTheFilterDrivenByHand) {
  PairsConfig c = eg_config();
  c.method = HedgeMethod::kKalman;
  c.delta = 1e-7;
  c.observation_variance = 2e-4;
  c.burn_in = 15;
  c.entry_z = 1.5;
  const Path p = simulate(150, 3);
  PairContext ctx(p.y, p.x);
  PairsStrategy s(c);
  analytics::KalmanHedgeOptions o;
  o.delta = 1e-7;
  o.observation_variance = 2e-4;
  auto k = analytics::KalmanHedge::create(o);
  ASSERT_TRUE(k.ok());
  int entries = 0;
  for (std::size_t i = 0; i < 150; ++i) {
    ASSERT_TRUE(ctx.step(s, i).ok());
    const double py = std::round(p.y[i] * 1e4) / 1e4, px = std::round(p.x[i] * 1e4) / 1e4;
    auto step = k->update(std::log(px), std::log(py));
    ASSERT_TRUE(step.ok());
    const PairState& st = s.state(0);
    EXPECT_EQ(st.beta, step->beta) << i;
    EXPECT_EQ(st.intercept, step->alpha) << i;
    if (i < 15) {
      EXPECT_FALSE(st.z.has_value()) << i;  // burn-in: the first 15 observations only feed the filter
      EXPECT_EQ(st.position.side, 0);
    } else {
      ASSERT_TRUE(st.z.has_value()) << i;
      EXPECT_EQ(*st.z, step->z_score) << i;
    }
    if (st.position.side != 0 && st.position.held == 0) {
      ++entries;
      // The entry is the rule applied to the hand-driven z.
      EXPECT_GE(std::fabs(step->z_score), 1.5);
      EXPECT_EQ(st.position.side, step->z_score > 0 ? -1 : 1);
    }
  }
  EXPECT_GT(entries, 0);
}

Result<PairsConfig> parse(const std::string& text) { return parse_pairs_config(toml::parse(text), "p.toml"); }

TEST(Pairs, ConfigKeysAndErrorsNameFileLineAndKey) {
  const std::string pair = "[[pair]]\ny = \"KOLA\"\nx = \"KILN\"\n";
  auto ok = parse("method = \"kalman\"\ndelta = 1e-5\n" + pair);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->method, HedgeMethod::kKalman);
  EXPECT_EQ(ok->symbols, (std::vector<std::string>{"KOLA", "KILN"}));
  EXPECT_TRUE(ok->rules.allow_short);
  EXPECT_EQ(ok->entry_z, 2.0);

  EXPECT_EQ(parse("entry = 2\n" + pair).error().message, "p.toml:1: unknown key pairs.entry");
  EXPECT_EQ(parse("method = \"ols\"\n" + pair).error().message,
            "p.toml:1: pairs.method = \"ols\" is not one of \"engle_granger\", \"kalman\"");
  EXPECT_EQ(parse("entry_z = 1\nexit_z = 1.5\n" + pair).error().message,
            "p.toml:2: pairs.exit_z 1.5 must be below entry_z 1");
  EXPECT_EQ(parse("stop_z = 1.5\n" + pair).error().message, "p.toml:1: pairs.stop_z 1.5 must be above entry_z 2");
  EXPECT_EQ(parse("lookback = 50\nz_window = 60\n" + pair).error().message,
            "p.toml:2: pairs.z_window = 60 exceeds lookback 50");
  EXPECT_EQ(parse("max_pvalue = 0\n" + pair).error().message, "p.toml:1: pairs.max_pvalue = 0 out of range (0, 1]");
  EXPECT_EQ(parse("capital = 0.6\n" + pair + "[[pair]]\ny = \"A\"\nx = \"B\"\n").error().message,
            "p.toml:1: pairs.capital 0.6 x 2 pairs = 1.2 exceeds max_gross 1");
  EXPECT_EQ(parse("method = \"kalman\"\n").error().message,
            "p.toml:1: [pairs] needs at least one [[pairs.pair]] table (keys y, x)");
  EXPECT_EQ(parse("[[pair]]\ny = \"KOLA\"\n").error().message, "p.toml:1: missing required key pairs.pair[0].x");
  EXPECT_EQ(parse("[[pair]]\ny = \"kola\"\nx = \"KILN\"\n").error().message,
            "p.toml:2: pairs.pair[0].y = \"kola\" is not a ticker (A-Z, 0-9, '.', '-', '_')");
  EXPECT_EQ(parse(pair + "[[pair]]\ny = \"A\"\nx = \"A\"\n").error().message,
            "p.toml:6: pairs.pair[1].x = \"A\" is the same symbol as y");
  EXPECT_EQ(parse(pair + "[[pair]]\nhedge = 1\n").error().message, "p.toml:5: unknown key pairs.pair[1].hedge");
  EXPECT_EQ(parse(pair + "[[pair]]\ny = \"A\"\nx = \"KILN\"\n").error().message,
            "p.toml:6: pairs.pair[1].x = \"KILN\" is already in another pair (a symbol belongs to one pair)");

  // The registry: a cash account cannot hold the short leg.
  auto root = toml::parse("[pairs]\n[[pairs.pair]]\ny = \"KOLA\"\nx = \"KILN\"\n");
  auto cash = make_strategy_factory("pairs", root, "p.toml", portfolio::AccountType::kCash);
  ASSERT_FALSE(cash.ok());
  EXPECT_EQ(cash.error().message, "p.toml: [pairs] trades short, which needs backtest.account = \"margin\"");
  auto margin = make_strategy_factory("pairs", root, "p.toml", portfolio::AccountType::kMargin);
  ASSERT_TRUE(margin.ok()) << margin.error().message;
  EXPECT_EQ(margin->underlyings, (std::vector<std::string>{"KOLA", "KILN"}));
  EXPECT_TRUE(margin->make()->option_symbols().empty());
}

}  // namespace

}  // namespace keel::strategy
