// keel/model/corporate_action.hpp — splits, cash dividends, symbol changes and delistings.
//
// Contract:
// - A split is new_shares : old_shares (ratio_to : ratio_from); a 3-for-2 split is 3:2, a
//   1-for-7 reverse split is 1:7. It takes effect at the open of ex_date.
// - A cash dividend pays `amount` per share: owners of record on record_date (i.e. holders at
//   the close before ex_date) receive it on pay_date; short holders pay it. Distributions of
//   25% or more of the price follow the due-bill convention: ex_date is the business day
//   after pay_date, and whoever holds through pay_date's close gets it.
// - A symbol change renames the instrument from ex_date; a delisting ends trading after
//   ex_date's session (kept in the universe: no survivorship bias).
// - ts_recv is when the action was announced (known); point-in-time reads respect it.
// Thread safety: plain value types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "keel/core/fixed_point.hpp"
#include "keel/core/ids.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"

namespace keel {

enum class CorporateActionKind : std::uint8_t { kSplit, kCashDividend, kSymbolChange, kDelisting };

std::string_view to_string(CorporateActionKind v) noexcept;
Result<CorporateActionKind> parse_corporate_action_kind(std::string_view text);

struct CorporateAction {
  InstrumentId instrument;
  CorporateActionKind kind = CorporateActionKind::kCashDividend;
  Date ex_date;
  Date record_date;  // dividends; equal to ex_date otherwise
  Date pay_date;     // dividends; equal to ex_date otherwise
  Money amount;      // dividend per share
  std::int64_t ratio_to = 1;    // split: new shares
  std::int64_t ratio_from = 1;  // split: old shares
  std::string new_symbol;       // symbol change
  Timestamp ts_recv;            // announcement time

  Status validate() const;
  friend bool operator==(const CorporateAction&, const CorporateAction&) = default;
};

}  // namespace keel
