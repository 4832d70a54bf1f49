// keel/testkit/store_samples.hpp — small, hand-checkable records for store tests.
//
// Contract: every builder returns a record that passes validate(); prices are given in cents
// (integers) so a test's expected values are plain arithmetic. Pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "keel/data/store.hpp"

namespace keel::testkit {

Instrument sample_equity(const std::string& symbol);
// An American physical call or put on `underlying` (OSI symbol), strike in dollars.
Instrument sample_option(const std::string& underlying, Date expiry, std::int64_t strike_dollars, OptionRight right);

// A bar whose prices are cents: open, high, low, close; ts_recv = ts_event + timeframe.
Bar sample_bar(InstrumentId id, Duration timeframe, Timestamp ts_event, std::int64_t open_c, std::int64_t high_c,
               std::int64_t low_c, std::int64_t close_c, std::int64_t volume, std::int64_t trade_count = 0);
// A quote with bid/ask in cents; last = mid rounded down, sizes 10, volume and open interest.
OptionQuote sample_quote(InstrumentId id, Timestamp ts_event, std::int64_t bid_c, std::int64_t ask_c,
                         std::int64_t volume = 5, std::int64_t open_interest = 100, std::int64_t underlying_c = 0);
CorporateAction sample_dividend(InstrumentId id, Date ex_date, std::int64_t amount_c);
CorporateAction sample_split(InstrumentId id, Date ex_date, std::int64_t ratio_to, std::int64_t ratio_from);

data::Lineage sample_lineage(std::int64_t ingested_at_ns, const std::string& source = "synth://test");

}  // namespace keel::testkit
