#include "keel/model/columns.hpp"

#include <algorithm>
#include <utility>

namespace keel {

void BarColumns::reserve(std::size_t n) {
  for (auto* v : {&ts_event, &ts_recv, &open, &high, &low, &close, &volume}) v->reserve(n);
}

void BarColumns::push_back(const Bar& bar) {
  ts_event.push_back(bar.ts_event.ns());
  ts_recv.push_back(bar.ts_recv.ns());
  open.push_back(bar.open.raw());
  high.push_back(bar.high.raw());
  low.push_back(bar.low.raw());
  close.push_back(bar.close.raw());
  volume.push_back(bar.volume.raw());
}

Bar BarColumns::row(std::size_t i) const {
  Bar b;
  b.instrument = instrument;
  b.timeframe = timeframe;
  b.ts_event = Timestamp::from_ns(ts_event[i]);
  b.ts_recv = Timestamp::from_ns(ts_recv[i]);
  b.open = Price::from_raw(open[i], 2);
  b.high = Price::from_raw(high[i], 2);
  b.low = Price::from_raw(low[i], 2);
  b.close = Price::from_raw(close[i], 2);
  b.volume = Quantity::from_raw(volume[i], 0);
  return b;
}

void OptionQuoteColumns::reserve(std::size_t n) {
  for (auto* v : {&instrument, &ts_event, &ts_recv, &bid, &ask, &last, &volume, &open_interest, &underlying_price})
    v->reserve(n);
}

void OptionQuoteColumns::push_back(const OptionQuote& q) {
  instrument.push_back(q.instrument.value());
  ts_event.push_back(q.ts_event.ns());
  ts_recv.push_back(q.ts_recv.ns());
  bid.push_back(q.bid.raw());
  ask.push_back(q.ask.raw());
  last.push_back(q.last.raw());
  volume.push_back(q.volume.raw());
  open_interest.push_back(q.open_interest.raw());
  underlying_price.push_back(q.underlying_price.raw());
}

BarColumns BarColumns::between(Timestamp from, Timestamp to) const {
  const auto lo = std::lower_bound(ts_event.begin(), ts_event.end(), from.ns()) - ts_event.begin();
  const auto hi = std::max(lo, std::upper_bound(ts_event.begin(), ts_event.end(), to.ns()) - ts_event.begin());
  BarColumns out;
  out.instrument = instrument;
  out.timeframe = timeframe;
  for (auto [src, dst] : {std::pair{&ts_event, &out.ts_event}, std::pair{&ts_recv, &out.ts_recv},
                          std::pair{&open, &out.open}, std::pair{&high, &out.high}, std::pair{&low, &out.low},
                          std::pair{&close, &out.close}, std::pair{&volume, &out.volume}}) {
    dst->assign(src->begin() + lo, src->begin() + hi);
  }
  return out;
}

OptionQuote OptionQuoteColumns::row(std::size_t i) const {
  OptionQuote q;
  q.instrument = InstrumentId(instrument[i]);
  q.ts_event = Timestamp::from_ns(ts_event[i]);
  q.ts_recv = Timestamp::from_ns(ts_recv[i]);
  q.bid = Price::from_raw(bid[i], 2);
  q.ask = Price::from_raw(ask[i], 2);
  q.last = Price::from_raw(last[i], 2);
  q.volume = Quantity::from_raw(volume[i], 0);
  q.open_interest = Quantity::from_raw(open_interest[i], 0);
  q.underlying_price = Price::from_raw(underlying_price[i], 2);
  return q;
}

}  // namespace keel
