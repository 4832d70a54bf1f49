#include "keel/strategy/config_reader.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>

#include "keel/core/assert.hpp"
#include "keel/strategy/rebalance_config.hpp"

namespace keel::strategy {
namespace {

std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

// The shortest text in plain decimal notation that reads back as `v` (what the user wrote, for
// any number written with up to 17 significant digits): 0.1 -> "0.1", 1e3 -> "1000".
std::string decimal_text(double v) {
  char buf[400];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  KEEL_ASSERT(r.ec == std::errc(), "decimal_text: buffer too small for a range-checked value");
  return std::string(buf, r.ptr);
}

// A fixed-point value from the decimal text of `v` (a number read from node `n`), exactly.
template <class F>
Result<F> exact(const ConfigReader& r, const toml::node& n, std::string_view key, double v) {
  const std::string text = decimal_text(v);
  auto f = F::parse(text);
  if (!f) return r.error_at(&n, r.name(key) + " = " + text + ": " + f.error().message);
  return *f;
}

}  // namespace

std::string number_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

bool Interval::contains(double v) const {
  if (or_zero && v == 0.0) return true;
  if (!std::isfinite(v)) return false;
  if (lo_open ? !(v > lo) : !(v >= lo)) return false;
  return hi_open ? v < hi : v <= hi;
}

std::string Interval::text() const {
  return std::string(or_zero ? "0 or " : "") + (lo_open ? "(" : "[") + number_text(lo) + ", " + number_text(hi) +
         (hi_open ? ")" : "]");
}

ConfigReader::ConfigReader(const toml::table& table, std::string_view source, std::string table_name)
    : table_(&table), source_(source), table_name_(std::move(table_name)) {}

ConfigReader::ConfigReader(std::string table_name) : table_name_(std::move(table_name)) {}

std::string ConfigReader::where(const toml::node* n) const {
  if (table_ == nullptr) return {};
  const auto line = (n != nullptr ? n : table_)->source().begin.line;
  return line > 0 ? source_ + ":" + std::to_string(line) + ": " : source_ + ": ";
}

Error ConfigReader::error_at(const toml::node* n, const std::string& message) const {
  return make_error(ErrorCode::kInvalidArgument, where(n) + message);
}

Error ConfigReader::type_error(const toml::node& n, std::string_view key, std::string_view expected) const {
  return make_error(ErrorCode::kParse, where(&n) + name(key) + ": expected " + std::string(expected) + ", got " +
                                           std::string(type_name(n.type())));
}

const toml::key* ConfigReader::first_unknown(std::span<const std::string_view> keys,
                                             std::span<const std::string_view> also) const {
  if (table_ == nullptr) return nullptr;
  const toml::key* first = nullptr;
  for (const auto& [key, n] : *table_) {
    const std::string_view k = key.str();
    if (std::find(keys.begin(), keys.end(), k) != keys.end() || std::find(also.begin(), also.end(), k) != also.end()) {
      continue;
    }
    // The table is ordered by name: report the unknown key written first.
    const auto& at = key.source().begin;
    if (first == nullptr || at.line < first->source().begin.line ||
        (at.line == first->source().begin.line && at.column < first->source().begin.column)) {
      first = &key;
    }
  }
  return first;
}

Error ConfigReader::unknown_key(const toml::key& key, std::string_view note) const {
  const auto line = key.source().begin.line;
  const std::string at = line > 0 ? source_ + ":" + std::to_string(line) + ": " : source_ + ": ";
  return make_error(ErrorCode::kParse, at + "unknown key " + name(key.str()) + std::string(note));
}

Status ConfigReader::known(std::span<const std::string_view> keys, std::span<const std::string_view> also) const {
  if (const toml::key* k = first_unknown(keys, also)) return unknown_key(*k);
  return ok_status();
}

Status ConfigReader::known(std::initializer_list<std::string_view> keys, bool with_rebalance_keys) const {
  return known(std::span<const std::string_view>(keys.begin(), keys.size()),
               with_rebalance_keys ? rebalance_keys() : std::span<const std::string_view>());
}

Status ConfigReader::required(std::string_view key) const {
  if (table_ == nullptr || has(key)) return ok_status();
  return make_error(ErrorCode::kParse, where(nullptr) + "missing required key " + name(key));
}

Status ConfigReader::read_number(std::string_view key, const toml::node& n, double& out) const {
  if (auto i = n.as_integer()) {
    out = static_cast<double>(i->get());
  } else if (auto f = n.as_floating_point()) {
    out = f->get();
  } else {
    return type_error(n, key, "a number");
  }
  return ok_status();
}

Status ConfigReader::in_range(std::string_view key, const toml::node* n, double& v, const Interval& range) const {
  if (n != nullptr) KEEL_TRY_STATUS(read_number(key, *n, v));
  if (!range.contains(v)) {
    return make_error(ErrorCode::kInvalidArgument,
                      where(n) + name(key) + " = " + number_text(v) + " out of range " + range.text());
  }
  return ok_status();
}

Status ConfigReader::number(std::string_view key, double& field, Interval range) const {
  const toml::node* n = node(key);
  if (parsing() && n == nullptr) return ok_status();
  double v = field;
  KEEL_TRY_STATUS(in_range(key, n, v, range));
  field = v;
  return ok_status();
}

Status ConfigReader::integer(std::string_view key, std::int64_t& field, std::int64_t lo, std::int64_t hi) const {
  const toml::node* n = node(key);
  if (parsing() && n == nullptr) return ok_status();
  std::int64_t v = field;
  if (n != nullptr) {
    auto i = n->as_integer();
    if (!i) return type_error(*n, key, "an integer");
    v = i->get();
  }
  if (v < lo || v > hi) {
    return make_error(ErrorCode::kInvalidArgument, where(n) + name(key) + " = " + std::to_string(v) + " out of range [" +
                                                       std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  field = v;
  return ok_status();
}

Status ConfigReader::integer(std::string_view key, int& field, std::int64_t lo, std::int64_t hi) const {
  KEEL_ASSERT(lo >= INT_MIN && hi <= INT_MAX, "ConfigReader::integer: bounds outside int for an int field");
  std::int64_t v = field;
  KEEL_TRY_STATUS(integer(key, v, lo, hi));
  field = static_cast<int>(v);
  return ok_status();
}

Status ConfigReader::boolean(std::string_view key, bool& field) const {
  const toml::node* n = node(key);
  if (n == nullptr) return ok_status();
  auto b = n->as_boolean();
  if (!b) return type_error(*n, key, "a boolean (true or false)");
  field = b->get();
  return ok_status();
}

Status ConfigReader::text(std::string_view key, std::string& field, bool required_key) const {
  if (required_key) KEEL_TRY_STATUS(required(key));
  const toml::node* n = node(key);
  if (n == nullptr) return ok_status();
  auto s = n->as_string();
  if (!s) return type_error(*n, key, "a string");
  field = s->get();
  return ok_status();
}

Status ConfigReader::date(std::string_view key, Date& field) const {
  const toml::node* n = node(key);
  if (n == nullptr) return ok_status();
  if (!n->is_date() && !n->is_string()) return type_error(*n, key, "a date (YYYY-MM-DD)");
  const Result<Date> v = [n]() {
    if (auto d = n->as_date()) return Date::from_ymd(d->get().year, d->get().month, d->get().day);
    return Date::parse(n->as_string()->get());
  }();
  if (!v) return make_error(ErrorCode::kInvalidArgument, where(n) + name(key) + ": " + v.error().message);
  field = *v;
  return ok_status();
}

Status ConfigReader::price(std::string_view key, Price& field, Interval range) const {
  const toml::node* n = node(key);
  double v = field.to_double();
  if (n == nullptr) return parsing() ? ok_status() : in_range(key, nullptr, v, range);
  KEEL_TRY_STATUS(in_range(key, n, v, range));
  KEEL_TRY(p, exact<Price>(*this, *n, key, v));
  field = p.rounded(std::max(2, p.precision()));
  return ok_status();
}

Status ConfigReader::money(std::string_view key, Money& field, Interval range, int digits) const {
  KEEL_ASSERT(digits >= 0 && digits <= kFixedMaxPrecision, "ConfigReader::money: digits out of 0..8");
  const toml::node* n = node(key);
  double v = field.to_double();
  if (n == nullptr) return parsing() ? ok_status() : in_range(key, nullptr, v, range);
  KEEL_TRY_STATUS(in_range(key, n, v, range));
  KEEL_TRY(m, exact<Money>(*this, *n, key, v));
  if (!m.is_multiple_of_precision(digits)) {
    return error_at(n, name(key) + " = " + m.to_string() + " has more than " + std::to_string(digits) +
                           " decimal places");
  }
  field = m.rounded(digits);
  return ok_status();
}

Status ConfigReader::pick(std::string_view key, int& index, std::span<const std::string_view> choices) const {
  const toml::node* n = node(key);
  if (n == nullptr) return ok_status();
  auto s = n->as_string();
  if (!s) return type_error(*n, key, "a string");
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] == s->get()) {
      index = static_cast<int>(i);
      return ok_status();
    }
  }
  std::string list;
  for (std::string_view c : choices) list += (list.empty() ? "\"" : ", \"") + std::string(c) + "\"";
  return make_error(ErrorCode::kInvalidArgument,
                    where(n) + name(key) + " = \"" + s->get() + "\" is not one of " + list);
}

Status ConfigReader::choice(std::string_view key, int& index, std::initializer_list<std::string_view> choices) const {
  return pick(key, index, std::span<const std::string_view>(choices.begin(), choices.size()));
}

Status ConfigReader::check_ticker(const toml::node* n, const std::vector<std::string>& list, std::size_t i,
                                  std::string_view key) const {
  const std::string item = name(key) + "[" + std::to_string(i) + "]";
  if (!is_ticker(list[i])) {
    return error_at(n, item + " = \"" + list[i] + "\" is not a ticker (1-16 characters of A-Z, 0-9, '.', '-', '_')");
  }
  for (std::size_t j = 0; j < i; ++j) {
    if (list[j] == list[i]) {
      return error_at(n, item + " = \"" + list[i] + "\" repeats " + name(key) + "[" + std::to_string(j) + "]");
    }
  }
  return ok_status();
}

Status ConfigReader::symbols(std::string_view key, std::vector<std::string>& field, bool required_key) const {
  const toml::node* n = node(key);
  if (parsing()) {
    if (n == nullptr) return required_key ? required(key) : ok_status();
    const toml::array* arr = n->as_array();
    if (arr == nullptr) return type_error(*n, key, "an array of tickers");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const toml::node& e = *arr->get(i);
      auto s = e.as_string();
      if (!s) return type_error(e, std::string(key) + "[" + std::to_string(i) + "]", "a string");
      out.push_back(s->get());
      KEEL_TRY_STATUS(check_ticker(&e, out, i, key));
    }
    if (out.empty()) return error_at(n, name(key) + " is empty: name at least one ticker");
    field = std::move(out);
    return ok_status();
  }
  for (std::size_t i = 0; i < field.size(); ++i) KEEL_TRY_STATUS(check_ticker(nullptr, field, i, key));
  if (required_key && field.empty()) return error_at(nullptr, name(key) + " is empty: name at least one ticker");
  return ok_status();
}

bool is_ticker(std::string_view s) {
  if (s.empty() || s.size() > 16) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  });
}

}  // namespace keel::strategy
