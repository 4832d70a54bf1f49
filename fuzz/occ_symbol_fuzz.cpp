// libFuzzer target for the OCC/OSI option-symbol parser (keel/model/occ_symbol.hpp).
//
// Property checked on every input: whatever parse_option_symbol accepts must (1) format back in
// both forms, (2) re-parse from either form to the same OccSymbol, and (3) format back to the
// exact input text in its own form (the strict grammar has one spelling per contract). Any
// violation aborts, which libFuzzer reports as a crash with the input saved as a reproducer.
// Rejected inputs must carry a kParse error with a non-empty message.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "keel/model/occ_symbol.hpp"

namespace {

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "occ_symbol_fuzz: %s (input %zu bytes)\n", what, input.size());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parsed = keel::parse_option_symbol(input);
  if (!parsed.ok()) {
    if (parsed.error().code != keel::ErrorCode::kParse || parsed.error().message.empty()) {
      fail("rejection is not a kParse error with a message", input);
    }
    return 0;
  }
  const keel::OccSymbol& sym = *parsed;

  const auto osi = keel::format_osi(sym);
  const auto vendor = keel::format_vendor_option(sym);
  if (!osi.ok() || !vendor.ok()) fail("a parsed symbol does not format", input);

  const auto from_osi = keel::parse_osi(*osi);
  const auto from_vendor = keel::parse_vendor_option(*vendor);
  if (!from_osi.ok() || !from_vendor.ok()) fail("a formatted symbol does not parse", input);
  if (!(*from_osi == sym) || !(*from_vendor == sym)) fail("re-parse gives a different OccSymbol", input);

  const bool vendor_form = input.substr(0, 2) == "O:";
  if (input != (vendor_form ? *vendor : *osi)) fail("format does not give the input text back", input);
  return 0;
}
