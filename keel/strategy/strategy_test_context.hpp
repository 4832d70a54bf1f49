// keel/strategy/strategy_test_context.hpp — the test double of the engine's Context used by
// wheel_test.cpp, option_income_test.cpp and delta_hedged_vol_test.cpp (tests only): a universe, chains built
// by build_chain from hand-set quotes (or BSM prices at a known vol, +-0.05), bars served as of
// now() by history(), a real
// portfolio::Portfolio that test fills go through, and the orders a strategy submitted (not
// filled: a test fills what it wants by hand).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "keel/analytics/black_scholes.hpp"
#include "keel/core/calendar.hpp"
#include "keel/strategy/strategy.hpp"

namespace keel::strategy::testing {

using execution::OrderSide;
using execution::OrderType;
constexpr OptionRight kCall = OptionRight::kCall;
constexpr OptionRight kPut = OptionRight::kPut;
constexpr double kRate = 0.03;

inline Price px(double v) { return Price::from_double(v, 8).value(); }
inline Quantity qty(std::int64_t n) { return Quantity::from_raw(n * kFixedScale, 0); }
inline Money usd(std::int64_t n) { return Money::from_raw(n * kFixedScale, 2); }
inline Timestamp close_of(Date d) { return ExchangeCalendar::us_equities().session(d).value().close; }
inline const Date kContextDate = Date::ymd(2024, 6, 3);  // a Monday: the context's default "today"

class FakeContext final : public Context {
 public:
  enum class OptionSide { kBuy, kSell };
  explicit FakeContext(Money cash, portfolio::AccountType account = portfolio::AccountType::kCash) : pf(cash, account) {}

  Timestamp now() const override { return now_; }
  Date today() const override { return today_; }
  const ExchangeCalendar& calendar() const override { return ExchangeCalendar::us_equities(); }
  bool warming_up() const override { return warm; }
  const Instrument* instrument(InstrumentId id) const override {
    for (const Instrument& i : universe) {
      if (i.id == id) return &i;
    }
    return nullptr;
  }
  const Instrument* find_instrument(std::string_view symbol) const override {
    for (const Instrument& i : universe) {
      if (i.symbol == symbol) return &i;
    }
    return nullptr;
  }
  // As of now(): the last n bars of `id` in `bars` received at or before now() (bars in time order).
  std::span<const Bar> history(InstrumentId id, std::size_t n) const override {
    const auto it = bars.find(id.value());
    if (it == bars.end()) return {};
    const std::vector<Bar>& v = it->second;
    const auto end = std::upper_bound(v.begin(), v.end(), now_, [](Timestamp t, const Bar& b) { return t < b.ts_recv; });
    const auto known = static_cast<std::size_t>(end - v.begin());
    const std::size_t k = std::min(n, known);
    return std::span<const Bar>(v.data() + (known - k), k);
  }
  const OptionChain* chain(std::string_view underlying) const override {
    const auto it = chains.find(std::string(underlying));
    return it == chains.end() ? nullptr : &it->second;
  }
  const portfolio::Portfolio& portfolio() const override { return pf; }
  std::vector<execution::Order> open_orders() const override { return working; }
  const execution::Order* order(const ClientOrderId&) const override { return nullptr; }
  Result<ClientOrderId> submit(const OrderRequest& request) override {
    if (warm) return make_error(ErrorCode::kRejected, "warming up");
    submitted.push_back(request);
    return ClientOrderId("T-" + std::to_string(submitted.size()));
  }
  Status cancel(const ClientOrderId&) override { return {}; }
  Status set_timer(Timestamp, std::string) override { return {}; }
  void log(std::string_view message) override { logs.emplace_back(message); }

  // Test helpers.
  const Instrument& add_stock(const std::string& symbol) {
    Instrument s;
    s.id = InstrumentId(next_id++);
    s.symbol = symbol;
    universe.push_back(s);
    return universe.back();
  }
  const Instrument& add_option(const std::string& underlying, Date expiry, OptionRight right, double strike) {
    OptionSpec spec;
    spec.underlying = underlying;
    spec.expiry = expiry;
    spec.right = right;
    spec.strike = px(strike);
    Instrument inst = make_option_instrument(spec).value();
    if (const Instrument* known = find_instrument(inst.symbol)) return *known;
    inst.id = InstrumentId(next_id++);
    universe.push_back(inst);
    return universe.back();
  }
  void fill(const Instrument& inst, OptionSide side, std::int64_t n, double price) {
    execution::Fill f;
    f.order_id = ClientOrderId("F-" + std::to_string(++fills));
    f.instrument = inst.id;
    f.side = side == OptionSide::kBuy ? OrderSide::kBuy : OrderSide::kSell;
    f.quantity = qty(n);
    f.price = px(price);
    f.commission = Money::zero(2);
    f.regulatory_fees = Money::zero(2);
    f.ts = now_;
    const Status st = pf.apply_fill(f, inst, "test");
    ASSERT_TRUE(st.ok()) << st.error().message;
  }
  void set_time(Date d) {
    today_ = d;
    now_ = close_of(d);
  }
  bool logged(const std::string& text) const {
    for (const auto& l : logs) {
      if (l.find(text) != std::string::npos) return true;
    }
    return false;
  }

  bool warm = false;
  std::deque<Instrument> universe;
  std::map<std::string, OptionChain> chains;
  std::map<std::int64_t, std::vector<Bar>> bars;  // by instrument id, in ts_recv order (history())
  std::vector<OrderRequest> submitted;
  std::vector<execution::Order> working;
  std::vector<std::string> logs;
  portfolio::Portfolio pf;

 private:
  Timestamp now_ = close_of(kContextDate);
  Date today_ = kContextDate;
  std::int64_t next_id = 1;
  int fills = 0;
};
using Side = FakeContext::OptionSide;

// Builds the chain of `underlying` at the close of `date` and stores it in the context.
struct ChainBuilder {
  ChainBuilder(FakeContext& c, std::string u, double s, Date d = kContextDate)
      : ctx(c), underlying(std::move(u)), spot(s), date(d) {}
  FakeContext& ctx;
  std::string underlying;
  double spot;
  Date date;
  std::vector<Instrument> instruments;
  std::vector<OptionQuote> quotes;

  // Quoted at the BSM price for `vol` +- 0.05 (a zero bid when the price is below 0.05).
  ChainBuilder& priced(Date expiry, OptionRight right, double strike, double vol) {
    const double t = static_cast<double>(expiry - date) / 365.0;
    const Price mid = px(analytics::bsm_price({right, spot, strike, t, vol, kRate, 0.0}).value());
    const Price half = Price::parse("0.05").value();
    return quoted(expiry, right, strike, mid > half ? mid - half : Price::zero(), mid + half);
  }
  ChainBuilder& quoted(Date expiry, OptionRight right, double strike, Price bid, Price ask) {
    const Instrument& inst = ctx.add_option(underlying, expiry, right, strike);
    OptionQuote q;
    q.instrument = inst.id;
    q.bid = bid;
    q.ask = ask;
    instruments.push_back(inst);
    quotes.push_back(q);
    return *this;
  }
  ChainBuilder& quoted(Date expiry, OptionRight right, double strike, double bid, double ask) {
    return quoted(expiry, right, strike, px(bid), px(ask));
  }
  const OptionChain& build() {
    auto c = build_chain(underlying, close_of(date), date, px(spot), instruments, quotes, kRate, 0.0);
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    ctx.chains.insert_or_assign(underlying, std::move(c).value());
    ctx.set_time(date);
    return ctx.chains.at(underlying);
  }
};


}  // namespace keel::strategy::testing
