// keel/testkit/trading_fixtures.hpp — terse builders for trading tests: fixed-point values from
// decimal text (a test's expected figures stay readable decimal arithmetic) and stock and option
// instruments with a chosen id. Header-only; tests only.
//
// Contract: every builder aborts the test binary through KEEL_ASSERT-free dereference of a parse
// that cannot fail for the literals tests pass; option_contract returns a validated OSI
// instrument (make_option_instrument) whose id is then set.
#pragma once

#include <cstdint>

#include "keel/core/fixed_point.hpp"
#include "keel/core/time.hpp"
#include "keel/model/instrument.hpp"

namespace keel::testkit {

inline Money money(const char* text) { return *Money::parse(text); }
inline Price px(const char* text) { return *Price::parse(text); }
inline Quantity qty(const char* text) { return *Quantity::parse(text); }
// An instant on a UTC date, 15:00 by default (inside the US session).
inline Timestamp at(int y, int m, int d, int h = 15) { return *Timestamp::from_utc(y, m, d, h); }

inline Instrument stock(std::int64_t id, const char* symbol = "ACME") {
  Instrument i;
  i.id = InstrumentId(id);
  i.symbol = symbol;
  i.asset_class = AssetClass::kEquity;
  return i;
}

// American and physically settled, or European when cash settled (index options).
inline Instrument option_contract(std::int64_t id, OptionRight right, const char* strike, Date expiry,
                                  const char* underlying = "ACME", std::int64_t multiplier = 100,
                                  Settlement settlement = Settlement::kPhysical) {
  OptionSpec s;
  s.underlying = underlying;
  s.expiry = expiry;
  s.strike = px(strike);
  s.right = right;
  s.multiplier = multiplier;
  s.settlement = settlement;
  s.exercise = settlement == Settlement::kCash ? ExerciseStyle::kEuropean : ExerciseStyle::kAmerican;
  Instrument inst = *make_option_instrument(s);
  inst.id = InstrumentId(id);
  return inst;
}

}  // namespace keel::testkit
