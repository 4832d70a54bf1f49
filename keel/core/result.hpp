// keel/core/result.hpp — Result<T>: a value or an Error, for expected failures.
//
// Contract: every fallible operation that can fail because of its input, the file system, the
// network or a risk rule returns Result<T> (or Status = Result<void>). The Error's message names
// what failed — file:line, field, order id — in one line a user can act on. Accessing value()
// of an error (or error() of a value) is a programming error and aborts via KEEL_ASSERT.
// Thread safety: a plain value type.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "keel/core/assert.hpp"

namespace keel {

enum class ErrorCode {
  kInvalidArgument,  // a value out of its domain (negative strike, unknown preset, ...)
  kParse,            // text that does not parse (CSV field, OCC symbol, timestamp, ...)
  kNotFound,         // a file, instrument or record that does not exist
  kIo,               // read/write failure, corrupt compressed stream
  kOverflow,         // fixed-point or integer overflow
  kOutOfRange,       // a value outside the supported range (dates, precision)
  kConflict,         // duplicates, version mismatches
  kCorrupt,          // a database or file that is not ours or is damaged
  kUnsupported,      // a valid request keel does not implement
  kRejected,         // a risk or venue rule refused an order
  kInternal,         // an external library failed unexpectedly (SQLite, zlib)
};

std::string_view to_string(ErrorCode code) noexcept;

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  // Prepends context, "file.csv:12: " + message, keeping the code.
  Error with_context(std::string_view context) const {
    return Error{code, std::string(context) + ": " + message};
  }
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  // A value, built in place from what T is built from: one construction, where a T taken by
  // value and moved in cost two more (for a short std::string each is a memcpy call).
  // Implicit by design; U = T by default so that `return {...};` builds a T.
  template <class U = T>
    requires(std::is_convertible_v<U &&, T> && !std::is_same_v<std::remove_cvref_t<U>, Result> &&
             !std::is_same_v<std::remove_cvref_t<U>, Error>)
  Result(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    KEEL_ASSERT(ok(), "Result::value() on an error");
    return std::get<0>(v_);
  }
  const T& value() const& {
    KEEL_ASSERT(ok(), "Result::value() on an error");
    return std::get<0>(v_);
  }
  T&& value() && {
    KEEL_ASSERT(ok(), "Result::value() on an error");
    return std::get<0>(std::move(v_));
  }
  const Error& error() const {
    KEEL_ASSERT(!ok(), "Result::error() on a value");
    return std::get<1>(v_);
  }
  T value_or(T fallback) const { return ok() ? std::get<0>(v_) : std::move(fallback); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> v_;
};

// A success holds nothing but a null pointer, so that the ok path — every callback and booking
// of the event loop returns a Status — costs a store and a test, not a std::string's
// construction and destruction. Copies are deep; a moved-from Status is ok.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() noexcept = default;
  Result(Error error) : error_(std::make_unique<Error>(std::move(error))) {}  // NOLINT
  Result(const Result& o) : error_(o.error_ ? std::make_unique<Error>(*o.error_) : nullptr) {}
  Result(Result&&) noexcept = default;
  Result& operator=(const Result& o) {
    if (this != &o) error_ = o.error_ ? std::make_unique<Error>(*o.error_) : nullptr;
    return *this;
  }
  Result& operator=(Result&&) noexcept = default;
  ~Result() = default;

  bool ok() const noexcept { return error_ == nullptr; }
  explicit operator bool() const noexcept { return ok(); }
  const Error& error() const {
    KEEL_ASSERT(!ok(), "Status::error() on success");
    return *error_;
  }

 private:
  std::unique_ptr<Error> error_;
};

using Status = Result<void>;

inline Status ok_status() { return Status{}; }

}  // namespace keel

// KEEL_TRY(var, expr): evaluates a Result-returning expr; on error returns the Error from the
// enclosing function, otherwise names its value `var` (a reference into the Result, which lives
// to the end of the enclosing scope: no move of the value).
#define KEEL_CONCAT_INNER(a, b) a##b
#define KEEL_CONCAT(a, b) KEEL_CONCAT_INNER(a, b)
#define KEEL_TRY(var, expr)                                   \
  auto KEEL_CONCAT(keel_try_, __LINE__) = (expr);             \
  if (!KEEL_CONCAT(keel_try_, __LINE__).ok())                 \
    return KEEL_CONCAT(keel_try_, __LINE__).error();          \
  auto&& var = std::move(KEEL_CONCAT(keel_try_, __LINE__)).value()

// KEEL_TRY_STATUS(expr): for a Status-returning expr.
#define KEEL_TRY_STATUS(expr)                                 \
  do {                                                        \
    auto keel_status_ = (expr);                               \
    if (!keel_status_.ok()) return keel_status_.error();      \
  } while (false)
