#include "keel/model/occ_symbol.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>

namespace keel {
namespace {

// Layout of the 15 characters that follow the root in both forms (OSI plan, "Symbology Key"):
// YYMMDD, then C/P, then the strike in thousandths of a dollar as 8 digits.
constexpr std::size_t kOsiLength = 21;
constexpr std::size_t kRootWidth = 6;
constexpr std::size_t kTailLength = 15;
constexpr std::string_view kVendorPrefix = "O:";
// The strike field counts 0.001 units; a Price counts 1e-8 units.
constexpr std::int64_t kRawPerMill = kFixedScale / 1000;
constexpr std::int64_t kMaxStrikeMills = 99'999'999;  // 99,999.999

bool is_root_char(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// The symbol as it appears in an error message: one line, printable, bounded. Fuzzed or
// corrupt input may hold control bytes or be megabytes long; the message must stay readable.
std::string shown(std::string_view text) {
  constexpr std::size_t kMaxShown = 64;
  std::string out;
  out.reserve(text.size() < kMaxShown ? text.size() + 2 : kMaxShown + 24);
  out += '\'';
  const std::size_t n = text.size() < kMaxShown ? text.size() : kMaxShown;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  out += '\'';
  if (n < text.size()) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

Error parse_failure(std::string_view form, std::string_view text, const std::string& why) {
  return make_error(ErrorCode::kParse, "invalid " + std::string(form) + " option symbol " + shown(text) + ": " + why);
}

// Root characters [A-Z0-9], 1..6 of them (OSI: "may contain digits"; adjusted roots like AAPL1).
Result<std::string> check_root(std::string_view form, std::string_view text, std::string_view root) {
  if (root.empty()) return parse_failure(form, text, "root is empty");
  if (root.size() > kRootWidth) {
    return parse_failure(form, text, "root " + shown(root) + " is " + std::to_string(root.size()) +
                                         " characters, at most 6 allowed");
  }
  for (const char c : root) {
    if (c == ' ') return parse_failure(form, text, "root " + shown(root) + " contains a space");
    if (!is_root_char(c)) {
      return parse_failure(form, text, "root " + shown(root) + " has character " + shown(std::string_view(&c, 1)) +
                                           " outside A-Z, 0-9");
    }
  }
  return std::string(root);
}

// The 15 characters after the root: expiry, right and strike. Fills everything but the root.
Status parse_tail(std::string_view form, std::string_view text, std::string_view tail, OccSymbol& out) {
  KEEL_ASSERT(tail.size() == kTailLength, "OCC tail must be 15 characters");
  const std::string_view expiry = tail.substr(0, 6);
  for (const char c : expiry) {
    if (!is_digit(c)) return parse_failure(form, text, "expiry " + shown(expiry) + " is not 6 digits YYMMDD");
  }
  const int yy = (expiry[0] - '0') * 10 + (expiry[1] - '0');
  const int mm = (expiry[2] - '0') * 10 + (expiry[3] - '0');
  const int dd = (expiry[4] - '0') * 10 + (expiry[5] - '0');
  // Two-digit years are 20YY: OSI began in 2010 and keel's data starts in 2000.
  auto date = Date::from_ymd(2000 + yy, mm, dd);
  if (!date) {
    return parse_failure(form, text, "expiry " + shown(expiry) + " is not a calendar date (month " +
                                         std::to_string(mm) + ", day " + std::to_string(dd) + " of year " +
                                         std::to_string(2000 + yy) + ")");
  }

  const char right = tail[6];
  OptionRight parsed_right;
  if (right == 'C') {
    parsed_right = OptionRight::kCall;
  } else if (right == 'P') {
    parsed_right = OptionRight::kPut;
  } else {
    return parse_failure(form, text, "right " + shown(tail.substr(6, 1)) + " is not C or P");
  }

  const std::string_view strike = tail.substr(7, 8);
  std::int64_t mills = 0;
  for (const char c : strike) {
    if (!is_digit(c)) return parse_failure(form, text, "strike " + shown(strike) + " is not 8 digits");
    mills = mills * 10 + (c - '0');
  }
  if (mills == 0) return parse_failure(form, text, "strike " + shown(strike) + " is zero");

  out.expiry = *date;
  out.right = parsed_right;
  // Display precision: cents unless the strike has a non-zero thousandth (e.g. 7.125 after an
  // adjustment), so 19.5 shows as "19.50" and 7.125 as "7.125".
  out.strike = Price::from_raw(mills * kRawPerMill, mills % 10 == 0 ? 2 : 3);
  return ok_status();
}

Error format_failure(ErrorCode code, const OccSymbol& s, const std::string& why) {
  return make_error(code, "cannot encode option symbol (root " + shown(s.root) + ", expiry " + s.expiry.to_string() +
                              ", strike " + s.strike.to_string() + "): " + why);
}

// Whether every field fits the symbol: the formatters refuse what a parser would reject.
Status check_encodable(const OccSymbol& s) {
  if (s.root.empty()) return format_failure(ErrorCode::kInvalidArgument, s, "root is empty");
  if (s.root.size() > kRootWidth) {
    return format_failure(ErrorCode::kInvalidArgument, s,
                          "root is " + std::to_string(s.root.size()) + " characters, at most 6 allowed");
  }
  for (const char c : s.root) {
    if (!is_root_char(c)) {
      return format_failure(ErrorCode::kInvalidArgument, s,
                            "root has character " + shown(std::string_view(&c, 1)) + " outside A-Z, 0-9");
    }
  }
  const int y = s.expiry.year();
  if (y < 2000 || y > 2099) {
    return format_failure(ErrorCode::kOutOfRange, s, "expiry year " + std::to_string(y) + " outside 2000..2099");
  }
  if (s.right != OptionRight::kCall && s.right != OptionRight::kPut) {
    return format_failure(ErrorCode::kInvalidArgument, s,
                          "right has invalid value " + std::to_string(static_cast<int>(s.right)));
  }
  if (!s.strike.is_positive()) return format_failure(ErrorCode::kInvalidArgument, s, "strike must be positive");
  if (s.strike.raw() % kRawPerMill != 0) {
    return format_failure(ErrorCode::kInvalidArgument, s, "strike is not a multiple of 0.001");
  }
  if (s.strike.raw() / kRawPerMill > kMaxStrikeMills) {
    return format_failure(ErrorCode::kOutOfRange, s, "strike above 99999.999");
  }
  return ok_status();
}

// Appends YYMMDD, C/P and the 8-digit strike of an encodable symbol.
void append_tail(const OccSymbol& s, std::string& out) {
  int y = 0, m = 0, d = 0;
  s.expiry.to_ymd(y, m, d);
  for (const int f : {y - 2000, m, d}) {
    out += static_cast<char>('0' + f / 10);
    out += static_cast<char>('0' + f % 10);
  }
  out += s.right == OptionRight::kCall ? 'C' : 'P';
  char digits[8];
  std::int64_t rest = s.strike.raw() / kRawPerMill;
  for (int i = 7; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + rest % 10);
    rest /= 10;
  }
  out.append(digits, 8);
}

}  // namespace

Result<OccSymbol> parse_osi(std::string_view text) {
  constexpr std::string_view kForm = "OSI";
  if (text.size() != kOsiLength) {
    return parse_failure(kForm, text, "length " + std::to_string(text.size()) + ", expected 21");
  }
  // The root is left-justified: characters, then only padding spaces up to column 6.
  const std::string_view field = text.substr(0, kRootWidth);
  if (field[0] == ' ') {
    return parse_failure(kForm, text, "root field " + shown(field) + " starts with a space (roots are left-justified)");
  }
  std::size_t len = 1;
  while (len < kRootWidth && field[len] != ' ') ++len;
  for (std::size_t i = len; i < kRootWidth; ++i) {
    if (field[i] != ' ') return parse_failure(kForm, text, "root field " + shown(field) + " has a space inside the root");
  }
  OccSymbol out;
  KEEL_TRY(root, check_root(kForm, text, field.substr(0, len)));
  out.root = std::move(root);
  KEEL_TRY_STATUS(parse_tail(kForm, text, text.substr(kRootWidth), out));
  return out;
}

Result<OccSymbol> parse_vendor_option(std::string_view text) {
  constexpr std::string_view kForm = "vendor";
  if (text.substr(0, kVendorPrefix.size()) != kVendorPrefix) {
    return parse_failure(kForm, text, "does not start with \"O:\"");
  }
  const std::string_view body = text.substr(kVendorPrefix.size());
  if (body.size() <= kTailLength) {
    return parse_failure(kForm, text, "length " + std::to_string(text.size()) +
                                          ", expected \"O:\" + 1..6 root characters + 15 (YYMMDD, C/P, 8-digit strike)");
  }
  // The root has no padding and may end in a digit (adjusted roots such as "AAPL1"), so it is
  // whatever precedes the fixed 15-character tail.
  OccSymbol out;
  KEEL_TRY(root, check_root(kForm, text, body.substr(0, body.size() - kTailLength)));
  out.root = std::move(root);
  KEEL_TRY_STATUS(parse_tail(kForm, text, body.substr(body.size() - kTailLength), out));
  return out;
}

Result<OccSymbol> parse_option_symbol(std::string_view text) {
  if (text.substr(0, kVendorPrefix.size()) == kVendorPrefix) return parse_vendor_option(text);
  if (text.size() == kOsiLength) return parse_osi(text);
  return make_error(ErrorCode::kParse, "invalid option symbol " + shown(text) + ": length " +
                                           std::to_string(text.size()) +
                                           ", expected the 21-character OSI form or \"O:\" + root + 15 characters");
}

Result<std::string> format_osi(const OccSymbol& s) {
  KEEL_TRY_STATUS(check_encodable(s));
  std::string out = s.root;
  out.append(kRootWidth - s.root.size(), ' ');
  append_tail(s, out);
  return out;
}

Result<std::string> format_vendor_option(const OccSymbol& s) {
  KEEL_TRY_STATUS(check_encodable(s));
  std::string out(kVendorPrefix);
  out += s.root;
  append_tail(s, out);
  return out;
}

}  // namespace keel
