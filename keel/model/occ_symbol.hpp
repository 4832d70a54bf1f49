// keel/model/occ_symbol.hpp — OCC/OSI option symbology, strict parse and format.
//
// Forms (OCC "Options Symbology Initiative" specification, 2010):
// - OSI 21 characters: root left-justified and space-padded to 6, then YYMMDD, then C or P,
//   then the strike x 1000 as 8 digits: "AAPL  240119C00190000" (AAPL, 2024-01-19, call, 190).
// - Vendor form (Polygon and others): "O:" + root without padding + the same 15 characters:
//   "O:AAPL240119C00190000".
// Roots are 1..6 characters of A-Z, 0-9 (adjusted roots such as "AAPL1" carry a digit), and
// may contain no spaces inside. Years are 20YY. Strikes go up to 99,999.999 in steps of 0.001.
// Parsing rejects anything else with a kParse error that names the symbol and the field.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "keel/core/fixed_point.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"
#include "keel/model/instrument.hpp"

namespace keel {

struct OccSymbol {
  std::string root;  // e.g. "AAPL", "SPXW", "AAPL1"
  Date expiry;
  OptionRight right = OptionRight::kCall;
  Price strike;  // precision 3 at most

  friend bool operator==(const OccSymbol&, const OccSymbol&) = default;
};

Result<OccSymbol> parse_osi(std::string_view text);     // 21-character form
Result<OccSymbol> parse_vendor_option(std::string_view text);  // "O:AAPL240119C00190000"
// Accepts either form.
Result<OccSymbol> parse_option_symbol(std::string_view text);

Result<std::string> format_osi(const OccSymbol& s);     // errors when a field cannot be encoded
Result<std::string> format_vendor_option(const OccSymbol& s);

}  // namespace keel
