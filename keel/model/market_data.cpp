#include "keel/model/market_data.hpp"

namespace keel {
namespace {
Error invalid(const char* what, const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, std::string(what) + ": " + why);
}
}  // namespace

Status Bar::validate() const {
  if (!open.is_positive()) return invalid("bar", "open " + open.to_string() + " is not positive");
  if (!high.is_positive()) return invalid("bar", "high " + high.to_string() + " is not positive");
  if (!low.is_positive()) return invalid("bar", "low " + low.to_string() + " is not positive");
  if (!close.is_positive()) return invalid("bar", "close " + close.to_string() + " is not positive");
  if (high < low) return invalid("bar", "high " + high.to_string() + " < low " + low.to_string());
  if (open < low || open > high) return invalid("bar", "open " + open.to_string() + " outside [low, high]");
  if (close < low || close > high) return invalid("bar", "close " + close.to_string() + " outside [low, high]");
  if (volume.is_negative()) return invalid("bar", "negative volume " + volume.to_string());
  if (timeframe.count() <= 0) return invalid("bar", "timeframe must be positive");
  if (ts_recv < ts_event) return invalid("bar", "ts_recv before ts_event");
  return ok_status();
}

Status Quote::validate() const {
  if (bid.is_negative()) return invalid("quote", "negative bid " + bid.to_string());
  if (!ask.is_positive()) return invalid("quote", "ask " + ask.to_string() + " is not positive");
  if (bid > ask) return invalid("quote", "crossed: bid " + bid.to_string() + " > ask " + ask.to_string());
  if (bid_size.is_negative() || ask_size.is_negative()) return invalid("quote", "negative size");
  return ok_status();
}

Status Trade::validate() const {
  if (!price.is_positive()) return invalid("trade", "price " + price.to_string() + " is not positive");
  if (!size.is_positive()) return invalid("trade", "size " + size.to_string() + " is not positive");
  return ok_status();
}

Status OptionQuote::validate() const {
  if (bid.is_negative()) return invalid("option quote", "negative bid " + bid.to_string());
  if (!ask.is_positive()) return invalid("option quote", "ask " + ask.to_string() + " is not positive");
  if (bid > ask) return invalid("option quote", "crossed: bid " + bid.to_string() + " > ask " + ask.to_string());
  if (last.is_negative()) return invalid("option quote", "negative last " + last.to_string());
  if (volume.is_negative()) return invalid("option quote", "negative volume");
  if (open_interest.is_negative()) return invalid("option quote", "negative open interest");
  if (underlying_price.is_negative()) return invalid("option quote", "negative underlying price");
  return ok_status();
}

}  // namespace keel
