// keel/model/market_data.hpp — bars, quotes, trades and option quotes.
//
// Contract:
// - Every record carries ts_event (when it happened at the venue) and ts_recv (when keel could
//   first have known it). The backtester delivers a record at ts_recv, never earlier: that is
//   the no-look-ahead rule in data form.
// - Bar: ts_event is the start of the bar's interval. For daily bars (timeframe 1 day) ts_event
//   is 00:00 UTC of the trading date and ts_recv the session close of that date (16:00 or 13:00
//   New York time, as a UTC instant). For intraday bars ts_recv = ts_event + timeframe.
// - Prices and sizes are fixed point; volumes and open interest are Quantity (shares or
//   contracts). Invariants checked by validate(): prices positive, low <= open/close <= high,
//   volume >= 0, bid <= ask where both are present (a zero bid is allowed for options: nobody
//   bids for far out-of-the-money contracts).
// Thread safety: plain value types.
#pragma once

#include <cstdint>

#include "keel/core/fixed_point.hpp"
#include "keel/core/ids.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"

namespace keel {

inline constexpr Duration kOneDay = std::chrono::hours(24);
inline constexpr Duration kOneMinute = std::chrono::minutes(1);

struct Bar {
  InstrumentId instrument;
  Duration timeframe = kOneDay;
  Timestamp ts_event;  // interval start
  Timestamp ts_recv;   // when the completed bar became known
  Price open, high, low, close;
  Quantity volume;
  std::int64_t trade_count = 0;  // 0 when the source does not say

  Status validate() const;
  friend bool operator==(const Bar&, const Bar&) = default;
};

struct Quote {
  InstrumentId instrument;
  Timestamp ts_event;
  Timestamp ts_recv;
  Price bid, ask;
  Quantity bid_size, ask_size;

  Status validate() const;
  friend bool operator==(const Quote&, const Quote&) = default;
};

struct Trade {
  InstrumentId instrument;
  Timestamp ts_event;
  Timestamp ts_recv;
  Price price;
  Quantity size;

  Status validate() const;
  friend bool operator==(const Trade&, const Trade&) = default;
};

// (bid + ask) / 2 for non-negative quotes, rounded half up on the 1e-8 grid, with one digit more
// than the finer of the two (a half-cent mid of cent quotes shows as x.xx5). The one mid keel
// uses: option chains, marks and the ex-dividend assignment rule.
Price mid_price(Price bid, Price ask);

// One option contract's end-of-day (or intraday snapshot) market.
struct OptionQuote {
  InstrumentId instrument;  // the option contract
  Timestamp ts_event;
  Timestamp ts_recv;
  Price bid, ask;  // bid may be zero; ask > 0
  Price last;      // zero when it did not trade
  Quantity bid_size, ask_size;
  Quantity volume;         // contracts traded in the session
  Quantity open_interest;  // contracts open at the start of the session (OCC publishes it overnight)
  Price underlying_price;  // the underlying's price at the snapshot, zero when unknown

  Price mid() const { return mid_price(bid, ask); }
  Status validate() const;
  friend bool operator==(const OptionQuote&, const OptionQuote&) = default;
};

}  // namespace keel
