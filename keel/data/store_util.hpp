// keel/data/store_util.hpp — the details of the Store contract (store.hpp) that every backend
// follows, and the small pure helpers backends share so that they agree on them.
//
// Rules beyond store.hpp, kept identical by keel::testkit::MemoryStore (the oracle) and
// keel::data::SqliteStore (property-tested against each other):
// - begin(): source_uri and transform_id must be non-empty (kInvalidArgument); one transaction
//   at a time per store (a second begin() while one is open is kConflict); a transaction stops
//   being open when commit() returns or when it is destroyed.
// - upsert_instrument(): validate() first; a new symbol gets id = (largest id so far) + 1, the
//   first being 1; the id field of the argument is ignored.
// - put_*(): rows are checked in order: validate() (kInvalidArgument), the instrument exists
//   (kNotFound; for option quotes it must be an option, kInvalidArgument), then the row is
//   compared with the key's latest revision, including revisions written earlier in the same
//   transaction or call: none → added; equal by operator== → unchanged; different and the
//   transaction's ingested_at is later than that revision's → a new revision (revised);
//   different otherwise → kConflict (two values for one key at one knowledge time, or a
//   revision that would land before what keel already knew). Errors name the row index and key.
//   A put_*() call that fails changes nothing; the transaction stays usable.
// - After commit() (successful or not) every call on the transaction is kInvalidArgument.
// - Reads made while a transaction is open see its uncommitted writes (as SQLite's
//   same-connection reads do).
// - load_bars()/corporate_actions() of an unknown instrument id: kNotFound. load_bars() with a
//   non-positive timeframe: kInvalidArgument. from > to gives an empty series.
// - corporate_actions(): sorted by (ex_date, kind in enum order). option_contracts(): sorted by
//   (expiry, strike, right with calls first, symbol). instruments(): sorted by id.
// - summary(): for each instrument by ascending id, its bar series by ascending timeframe
//   ("bars:" + timeframe_label), then "option_quotes", then "corporate_actions" (first/last =
//   midnight UTC of the earliest/latest ex_date); rows counts keys (not revisions) in the
//   latest view; kinds without rows are left out.
//
// Helpers: pure functions, no state. timeframe_label() names a bar timeframe with the largest
// unit that divides it exactly ("1d", "4h", "1m", "30s", "250ms", "10us", "7ns"); summary()
// kinds are "bars:" + that label. same_definition() compares two instruments on everything
// except the store-assigned id (Price equality compares raw values, so a tick size written
// "0.01" and "0.010" is the same definition).
// Thread safety: pure functions.
#pragma once

#include <string>

#include "keel/core/time.hpp"
#include "keel/model/corporate_action.hpp"
#include "keel/model/instrument.hpp"
#include "keel/model/market_data.hpp"

namespace keel::data {

std::string timeframe_label(Duration timeframe);
// A row's key as error messages name it: "instrument 3, timeframe 1d, ts_event ...".
std::string bar_key_text(const Bar& b);
std::string quote_key_text(const OptionQuote& q);
std::string action_key_text(const CorporateAction& a);

bool same_definition(const Instrument& a, const Instrument& b);

}  // namespace keel::data
