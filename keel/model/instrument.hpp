// keel/model/instrument.hpp — what can be traded: equities, ETFs, indexes and option contracts.
//
// Contract:
// - An Instrument is data only (QuantLib's instrument/engine split): pricers live in analytics.
// - `symbol` is the canonical, unique key: the ticker for an underlying ("AAPL"), the OSI
//   21-character symbol for an option ("AAPL  240119C00190000", see occ_symbol.hpp).
// - An option carries its OptionSpec: underlying ticker, expiration date, strike, right,
//   multiplier (shares per contract, 100 for standard US equity options; adjusted contracts after
//   an odd split may deliver e.g. 150), exercise style and settlement.
// - validate() checks the invariants (positive strike and multiplier, option fields present
//   exactly for options, non-empty symbol) and names the offending field.
// Thread safety: plain value types.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "keel/core/fixed_point.hpp"
#include "keel/core/ids.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"

namespace keel {

enum class AssetClass : std::uint8_t { kEquity, kEtf, kIndex, kOption };
enum class OptionRight : std::uint8_t { kCall, kPut };
enum class ExerciseStyle : std::uint8_t { kAmerican, kEuropean };
enum class Settlement : std::uint8_t { kPhysical, kCash };

std::string_view to_string(AssetClass v) noexcept;
std::string_view to_string(OptionRight v) noexcept;
std::string_view to_string(ExerciseStyle v) noexcept;
std::string_view to_string(Settlement v) noexcept;
Result<AssetClass> parse_asset_class(std::string_view text);
Result<OptionRight> parse_option_right(std::string_view text);  // "C"/"P"/"call"/"put"
Result<ExerciseStyle> parse_exercise_style(std::string_view text);
Result<Settlement> parse_settlement(std::string_view text);

struct OptionSpec {
  std::string underlying;  // ticker of the underlying instrument, e.g. "AAPL" or "SPX"
  Date expiry;             // last trading / expiration date (exchange-local)
  Price strike;
  OptionRight right = OptionRight::kCall;
  std::int64_t multiplier = 100;
  ExerciseStyle exercise = ExerciseStyle::kAmerican;
  Settlement settlement = Settlement::kPhysical;

  friend bool operator==(const OptionSpec&, const OptionSpec&) = default;
};

struct Instrument {
  InstrumentId id;  // 0 until the store assigns one
  std::string symbol;
  AssetClass asset_class = AssetClass::kEquity;
  std::string currency = "USD";
  Price tick_size = Price::from_raw(1'000'000, 2);  // 0.01
  std::optional<OptionSpec> option;                 // set iff asset_class == kOption

  bool is_option() const noexcept { return asset_class == AssetClass::kOption; }
  Status validate() const;
  friend bool operator==(const Instrument&, const Instrument&) = default;
};

// An immutable instrument shared by the records that name it (a position, its bookings and its
// closed trade): copying a record copies a pointer, not the instrument and its strings (the
// ledger keeps one booking per fill for the whole run; docs/PERFORMANCE.md, session 6).
// - Implicitly made from an Instrument (one allocation, a private copy); default: the empty
//   Instrument (no allocation, no reference count: records are default-made on hot paths).
// - Read through `->`, `*` or get(); converts to `const Instrument&` for functions taking one.
// - == compares the instruments (a shared pointer short-cuts it).
// Thread safety: the instrument is immutable; copies may be made and dropped on any thread.
class InstrumentRef {
 public:
  InstrumentRef() = default;  // the empty instrument, without touching a reference count
  InstrumentRef(Instrument instrument);  // NOLINT(google-explicit-constructor): records take values
  const Instrument& get() const noexcept { return p_ ? *p_ : empty(); }
  const Instrument& operator*() const noexcept { return get(); }
  const Instrument* operator->() const noexcept { return &get(); }
  operator const Instrument&() const noexcept { return get(); }  // NOLINT(google-explicit-constructor)
  friend bool operator==(const InstrumentRef& a, const InstrumentRef& b) { return a.p_ == b.p_ || a.get() == b.get(); }

 private:
  static const Instrument& empty() noexcept;
  std::shared_ptr<const Instrument> p_;  // null: the empty instrument
};

// The strike is quoted per share of a 100-share unit: true for standard US equity and index
// options and for OCC-adjusted series, whose deliverable (`multiplier`, e.g. 150 after a 3:2
// split) changes while the strike and its 100-share basis stay. Exercise pays or receives
// strike x kStrikeShares per contract; per deliverable share that is deliverable_strike().
inline constexpr std::int64_t kStrikeShares = 100;
// strike x 100 / multiplier, rounded half away from zero to 1e-8 (the strike itself for a
// standard contract). Quotes of adjusted series are per deliverable share, so intrinsic value per
// deliverable share is S - deliverable_strike (calls) or deliverable_strike - S (puts).
Price deliverable_strike(const OptionSpec& spec);

// The ticker an instrument's risk belongs to: an option's underlying, else its own symbol. A view
// into `instrument`, valid while it lives.
inline std::string_view underlying_symbol(const Instrument& instrument) {
  return instrument.option ? std::string_view(instrument.option->underlying) : std::string_view(instrument.symbol);
}

// Builds an option instrument whose symbol is the OSI form of the spec; validates it.
Result<Instrument> make_option_instrument(const OptionSpec& spec);

}  // namespace keel
