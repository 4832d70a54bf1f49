// keel/model/columns.hpp — columnar in-memory series handed to the backtester and analytics.
//
// Contract: structure-of-arrays, one std::vector per field, all of equal length, sorted by
// (ts_event) for bars and by (ts_event, instrument) for option quotes. Prices and sizes are the
// raw int64 fixed-point values (see fixed_point.hpp: value = raw / 1e8), so bulk loads are plain
// memory copies with no per-row object construction.
// Thread safety: plain value types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "keel/core/ids.hpp"
#include "keel/core/time.hpp"
#include "keel/model/market_data.hpp"

namespace keel {

struct BarColumns {
  InstrumentId instrument;
  Duration timeframe = kOneDay;
  std::vector<std::int64_t> ts_event, ts_recv;
  std::vector<std::int64_t> open, high, low, close, volume;  // raw fixed point

  std::size_t size() const noexcept { return ts_event.size(); }
  void reserve(std::size_t n);
  void push_back(const Bar& bar);
  Bar row(std::size_t i) const;  // assembles one Bar (precision 2 prices, 0 volume)
  // The rows with from <= ts_event <= to (binary search: ts_event must be sorted).
  BarColumns between(Timestamp from, Timestamp to) const;
  friend bool operator==(const BarColumns&, const BarColumns&) = default;
};

struct OptionQuoteColumns {
  std::vector<std::int64_t> instrument;  // InstrumentId values
  std::vector<std::int64_t> ts_event, ts_recv;
  std::vector<std::int64_t> bid, ask, last, volume, open_interest, underlying_price;  // raw

  std::size_t size() const noexcept { return ts_event.size(); }
  void reserve(std::size_t n);
  void push_back(const OptionQuote& q);
  OptionQuote row(std::size_t i) const;
  friend bool operator==(const OptionQuoteColumns&, const OptionQuoteColumns&) = default;
};

}  // namespace keel
