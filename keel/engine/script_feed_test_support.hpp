// keel/engine/script_feed_test_support.hpp — for tests only: a MarketFeed that replays slices a
// test builds by hand, and the session times (US equities calendar) they are stamped with.
// Tests derive from ScriptFeed to add their own session builders.
// Thread safety: single-threaded, like the engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "keel/core/calendar.hpp"
#include "keel/engine/market_feed.hpp"

namespace keel::engine::test_support {

inline Timestamp close_of(Date d) { return ExchangeCalendar::us_equities().session(d)->close; }
inline Timestamp open_of(Date d) { return ExchangeCalendar::us_equities().session(d)->open; }

class ScriptFeed : public MarketFeed {
 public:
  std::vector<Instrument> instruments;
  std::vector<CorporateAction> actions;  // announcements (what the lifecycle may look ahead to)
  std::vector<std::string> no_warnings;
  std::vector<MarketSlice> slices;
  std::size_t pos = 0;

  // A daily bar of `id` in close slice `s`: open = high = low = close, known at the close.
  static void add_bar(MarketSlice& s, std::int64_t id, Price close, Quantity volume) {
    Bar b;
    b.instrument = InstrumentId(id);
    b.ts_event = Timestamp::from_date(s.date);
    b.ts_recv = s.ts;
    b.open = b.high = b.low = b.close = close;
    b.volume = volume;
    s.bars.push_back(b);
  }
  // An open slice on `d` carrying `acts` (taking effect then).
  void open_actions(Date d, std::vector<CorporateAction> acts) {
    MarketSlice s;
    s.reset(open_of(d), d, SlicePhase::kOpen);
    s.actions = std::move(acts);
    slices.push_back(std::move(s));
  }

  Result<bool> next(MarketSlice& out) override {
    if (pos >= slices.size()) return false;
    out = slices[pos++];
    return true;
  }
  const std::vector<Instrument>& universe() const override { return instruments; }
  const std::vector<CorporateAction>& announcements() const override { return actions; }
  const std::vector<std::string>& warnings() const override { return no_warnings; }
};

}  // namespace keel::engine::test_support
