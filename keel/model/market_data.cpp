#include "keel/model/market_data.hpp"

#include <algorithm>
#include <string>

namespace keel {
namespace {
Error invalid(const char* what, const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, std::string(what) + ": " + why);
}
// A record known before it happened would let the backtester look ahead (header contract).
std::string recv_before_event(Timestamp ts_event, Timestamp ts_recv) {
  return "ts_recv " + ts_recv.to_string() + " before ts_event " + ts_event.to_string();
}
}  // namespace

Status Bar::validate() const {
  if (!open.is_positive()) return invalid("bar", "open " + open.to_string() + " is not positive");
  if (!high.is_positive()) return invalid("bar", "high " + high.to_string() + " is not positive");
  if (!low.is_positive()) return invalid("bar", "low " + low.to_string() + " is not positive");
  if (!close.is_positive()) return invalid("bar", "close " + close.to_string() + " is not positive");
  if (high < low) return invalid("bar", "high " + high.to_string() + " < low " + low.to_string());
  // The message is built only on failure: validate() runs on every imported row.
  auto range = [&] { return " outside [low " + low.to_string() + ", high " + high.to_string() + "]"; };
  if (open < low || open > high) return invalid("bar", "open " + open.to_string() + range());
  if (close < low || close > high) return invalid("bar", "close " + close.to_string() + range());
  if (volume.is_negative()) return invalid("bar", "negative volume " + volume.to_string());
  if (trade_count < 0) return invalid("bar", "negative trade_count " + std::to_string(trade_count));
  if (timeframe.count() <= 0) return invalid("bar", "timeframe " + std::to_string(timeframe.count()) + " ns is not positive");
  if (ts_recv < ts_event) return invalid("bar", recv_before_event(ts_event, ts_recv));
  return ok_status();
}

Status Quote::validate() const {
  if (bid.is_negative()) return invalid("quote", "negative bid " + bid.to_string());
  if (!ask.is_positive()) return invalid("quote", "ask " + ask.to_string() + " is not positive");
  if (bid > ask) return invalid("quote", "crossed: bid " + bid.to_string() + " > ask " + ask.to_string());
  if (bid_size.is_negative()) return invalid("quote", "negative bid_size " + bid_size.to_string());
  if (ask_size.is_negative()) return invalid("quote", "negative ask_size " + ask_size.to_string());
  if (ts_recv < ts_event) return invalid("quote", recv_before_event(ts_event, ts_recv));
  return ok_status();
}

Status Trade::validate() const {
  if (!price.is_positive()) return invalid("trade", "price " + price.to_string() + " is not positive");
  if (!size.is_positive()) return invalid("trade", "size " + size.to_string() + " is not positive");
  if (ts_recv < ts_event) return invalid("trade", recv_before_event(ts_event, ts_recv));
  return ok_status();
}

Status OptionQuote::validate() const {
  if (bid.is_negative()) return invalid("option quote", "negative bid " + bid.to_string());
  if (!ask.is_positive()) return invalid("option quote", "ask " + ask.to_string() + " is not positive");
  if (bid > ask) return invalid("option quote", "crossed: bid " + bid.to_string() + " > ask " + ask.to_string());
  if (last.is_negative()) return invalid("option quote", "negative last " + last.to_string());
  if (bid_size.is_negative()) return invalid("option quote", "negative bid_size " + bid_size.to_string());
  if (ask_size.is_negative()) return invalid("option quote", "negative ask_size " + ask_size.to_string());
  if (volume.is_negative()) return invalid("option quote", "negative volume " + volume.to_string());
  if (open_interest.is_negative()) return invalid("option quote", "negative open_interest " + open_interest.to_string());
  if (underlying_price.is_negative()) {
    return invalid("option quote", "negative underlying_price " + underlying_price.to_string());
  }
  if (ts_recv < ts_event) return invalid("option quote", recv_before_event(ts_event, ts_recv));
  return ok_status();
}

Price mid_price(Price bid, Price ask) {
  // Both sides are >= 0, so (b + a + 1) / 2 is the half-up rounding of the exact mid at 1e-8,
  // computed without overflowing on the sum.
  const std::int64_t raw = bid.raw() / 2 + ask.raw() / 2 + (bid.raw() % 2 + ask.raw() % 2 + 1) / 2;
  const int precision = std::min(kFixedMaxPrecision, std::max(bid.precision(), ask.precision()) + 1);
  return Price::from_raw(raw, precision);
}

}  // namespace keel
