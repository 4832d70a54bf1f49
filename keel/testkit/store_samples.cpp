#include "keel/testkit/store_samples.hpp"

namespace keel::testkit {
namespace {
constexpr std::int64_t kCent = kFixedScale / 100;
}

Instrument sample_equity(const std::string& symbol) {
  Instrument inst;
  inst.symbol = symbol;
  inst.asset_class = AssetClass::kEquity;
  return inst;
}

Instrument sample_option(const std::string& underlying, Date expiry, std::int64_t strike_dollars, OptionRight right) {
  OptionSpec spec;
  spec.underlying = underlying;
  spec.expiry = expiry;
  spec.strike = Price::from_raw(strike_dollars * kFixedScale, 2);
  spec.right = right;
  auto inst = make_option_instrument(spec);
  KEEL_ASSERT(inst.ok(), "sample_option: invalid spec");
  return *inst;
}

Bar sample_bar(InstrumentId id, Duration timeframe, Timestamp ts_event, std::int64_t open_c, std::int64_t high_c,
               std::int64_t low_c, std::int64_t close_c, std::int64_t volume, std::int64_t trade_count) {
  Bar b;
  b.instrument = id;
  b.timeframe = timeframe;
  b.ts_event = ts_event;
  b.ts_recv = ts_event + timeframe;
  b.open = Price::from_raw(open_c * kCent, 2);
  b.high = Price::from_raw(high_c * kCent, 2);
  b.low = Price::from_raw(low_c * kCent, 2);
  b.close = Price::from_raw(close_c * kCent, 2);
  b.volume = Quantity::from_raw(volume * kFixedScale, 0);
  b.trade_count = trade_count;
  return b;
}

OptionQuote sample_quote(InstrumentId id, Timestamp ts_event, std::int64_t bid_c, std::int64_t ask_c,
                         std::int64_t volume, std::int64_t open_interest, std::int64_t underlying_c) {
  OptionQuote q;
  q.instrument = id;
  q.ts_event = ts_event;
  q.ts_recv = ts_event;
  q.bid = Price::from_raw(bid_c * kCent, 2);
  q.ask = Price::from_raw(ask_c * kCent, 2);
  q.last = Price::from_raw((bid_c + ask_c) / 2 * kCent, 2);
  q.bid_size = Quantity::from_raw(10 * kFixedScale, 0);
  q.ask_size = Quantity::from_raw(10 * kFixedScale, 0);
  q.volume = Quantity::from_raw(volume * kFixedScale, 0);
  q.open_interest = Quantity::from_raw(open_interest * kFixedScale, 0);
  q.underlying_price = Price::from_raw(underlying_c * kCent, 2);
  return q;
}

CorporateAction sample_dividend(InstrumentId id, Date ex_date, std::int64_t amount_c) {
  CorporateAction a;
  a.instrument = id;
  a.kind = CorporateActionKind::kCashDividend;
  a.ex_date = ex_date;
  a.record_date = ex_date + 1;
  a.pay_date = ex_date + 14;
  a.amount = Money::from_raw(amount_c * kCent, 2);
  a.ts_recv = Timestamp::from_date(ex_date - 30);
  return a;
}

CorporateAction sample_split(InstrumentId id, Date ex_date, std::int64_t ratio_to, std::int64_t ratio_from) {
  CorporateAction a;
  a.instrument = id;
  a.kind = CorporateActionKind::kSplit;
  a.ex_date = ex_date;
  a.record_date = ex_date;
  a.pay_date = ex_date;
  a.ratio_to = ratio_to;
  a.ratio_from = ratio_from;
  a.ts_recv = Timestamp::from_date(ex_date - 20);
  return a;
}

data::Lineage sample_lineage(std::int64_t ingested_at_ns, const std::string& source) {
  return data::Lineage{Timestamp::from_ns(ingested_at_ns), source, "test/1"};
}

}  // namespace keel::testkit
