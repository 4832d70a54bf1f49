#include "keel/core/result.hpp"

namespace keel {
std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kParse: return "parse error";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kIo: return "I/O error";
    case ErrorCode::kOverflow: return "overflow";
    case ErrorCode::kOutOfRange: return "out of range";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kCorrupt: return "corrupt";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kRejected: return "rejected";
    case ErrorCode::kInternal: return "internal error";
  }
  return "unknown error";
}
}  // namespace keel
