// keel/data/quality_check.hpp — D8 data quality control over what a Store holds.
//
// Contract: check_quality reads (never writes) and reports every problem it finds, grouped by
// kind, each with a count and up to `max_examples` concrete examples naming the symbol and the
// date or timestamp. Checks:
// - daily bars: gaps (trading days of the exchange calendar with no bar between a series' first
//   and last bar), bars on non-trading days, duplicate or out-of-order timestamps, non-positive
//   prices, high < low or open/close outside [low, high], negative volume, stale runs (close
//   unchanged for `stale_run` or more consecutive bars), outliers (|daily log return| above
//   `outlier_sigmas` robust standard deviations — median absolute deviation x 1.4826 — and
//   above `outlier_min_move`);
// - option quotes: crossed (bid > ask), locked (bid == ask > 0), zero or negative ask, quotes
//   dated after the contract's expiration, negative volume or open interest.
// A Store never holds NaN (fixed point), so "NaN prices" are caught at import time.
// Thread safety: uses the Store from the calling thread only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "keel/core/calendar.hpp"
#include "keel/core/result.hpp"
#include "keel/data/store.hpp"

namespace keel::data {

struct QualityOptions {
  std::string symbol;  // empty: every underlying in the store
  int max_examples = 5;
  int stale_run = 5;
  double outlier_sigmas = 10.0;
  double outlier_min_move = 0.15;
};

struct QualityIssue {
  std::string kind;  // "gap", "duplicate", "crossed_quote", ...
  std::int64_t count = 0;
  std::vector<std::string> examples;
};

struct QualityReport {
  std::int64_t series_checked = 0;
  std::int64_t bars_checked = 0;
  std::int64_t option_quotes_checked = 0;
  std::map<std::string, QualityIssue> issues;  // by kind, sorted for stable output

  std::int64_t total_issues() const;
  bool clean() const { return total_issues() == 0; }
};

Result<QualityReport> check_quality(Store& store, const QualityOptions& options,
                                    const ExchangeCalendar& calendar = ExchangeCalendar::us_equities());

}  // namespace keel::data
