// keel/apps/option_days.hpp — per-session option vol inputs (analytics::OptionDay) for
// `keel features --options`, built from the store's option chains of an underlying.
//
// Contract: for each session date d of `dates` (with the underlying's close on d), the chain of
// the quotes stamped on d is built by strategy::build_chain (implied vols from the mids at
// `rate`/`dividend_yield`); each expiry with time > 0 contributes an ExpiryVols: the ATM vol is
// the mean implied vol of the call and put at the strike closest to the close (one of them when
// only one has a vol), the 25-delta put/call vols those of the standard rows whose |delta| is
// closest to 0.25 (Greeks from an implied vol only). An expiry without an ATM vol is left out;
// a date without quotes gets an empty OptionDay (its features are not ready, never zero).
// Only data stamped on d is used for d. Errors: a store failure, naming the underlying.
// Thread safety: plain function.
#pragma once

#include <string>
#include <vector>

#include "keel/analytics/feature_pipeline.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"
#include "keel/data/store.hpp"

namespace keel::apps {

Result<std::vector<analytics::OptionDay>> option_days_from_store(data::Store& store, const std::string& underlying,
                                                                 const std::vector<Date>& dates,
                                                                 const std::vector<double>& closes, double rate,
                                                                 double dividend_yield);

}  // namespace keel::apps
