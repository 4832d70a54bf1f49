// keel/strategy/option_income_fields.hpp — the typed key reader shared by the option_income and
// delta_hedged_vol config parsers (internal to keel/strategy).
//
// Contract: one pass over a config's fields serves both parsing (a table is given: values are
// read from it, an absent key keeps the default, errors carry "<source>:<line>: <prefix>.<key>")
// and validation of a config built in code (no table: only the ranges are checked, messages
// name "<prefix>.<key>"). Integers are accepted where a number is expected, never the other way
// round. Nothing is clamped: out of range is an error naming the key, the value and the range.
// Thread safety: one instance per parse.
#pragma once

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "keel/core/fixed_point.hpp"
#include "keel/core/result.hpp"

namespace keel::strategy::detail {

inline std::string num_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// [lo, hi] with open ends as flagged; `or_zero` admits exactly 0 as a switch-off value.
struct Range {
  double lo, hi;
  bool lo_open, hi_open;
  bool or_zero = false;
  bool contains(double v) const {
    if (or_zero && v == 0.0) return true;
    if (!std::isfinite(v)) return false;
    if (lo_open ? !(v > lo) : !(v >= lo)) return false;
    return hi_open ? v < hi : v <= hi;
  }
  std::string text() const {
    return std::string(or_zero ? "0 or " : "") + (lo_open ? "(" : "[") + num_text(lo) + ", " + num_text(hi) +
           (hi_open ? ")" : "]");
  }
};

inline std::string_view toml_type_name(toml::node_type t) {
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

class ConfigFields {
 public:
  ConfigFields(const toml::table* table, std::string_view source, std::string prefix)
      : table_(table), source_(source), prefix_(std::move(prefix)) {}

  bool parsing() const { return table_ != nullptr; }
  const toml::node* node(std::string_view key) const { return table_ ? table_->get(key) : nullptr; }
  std::string name(std::string_view key) const { return prefix_ + "." + std::string(key); }

  std::string at(const toml::node* n) const {
    if (table_ == nullptr) return {};
    const toml::node* where = n != nullptr ? n : table_;
    const auto line = where->source().begin.line;
    std::string s(source_);
    if (line > 0) s += ":" + std::to_string(line);
    return s + ": ";
  }
  Status error(const toml::node* n, const std::string& what) const {
    return make_error(ErrorCode::kInvalidArgument, at(n) + what);
  }
  Status error(std::string_view key, const std::string& what) const { return error(node(key), what); }

  // Every key of the table must be in `known`; the first unknown one (in file order) is named.
  template <std::size_t N>
  Status only(const std::array<std::string_view, N>& known) const {
    if (table_ == nullptr) return ok_status();
    const toml::key* first = nullptr;
    for (const auto& [key, n] : *table_) {
      bool ok = false;
      for (std::string_view k : known) ok = ok || key.str() == k;
      if (!ok && (first == nullptr || key.source().begin.line < first->source().begin.line)) first = &key;
    }
    if (first == nullptr) return ok_status();
    std::string where(source_);
    if (first->source().begin.line > 0) where += ":" + std::to_string(first->source().begin.line);
    return make_error(ErrorCode::kInvalidArgument, where + ": unknown key " + name(first->str()));
  }

  Status number(std::string_view key, double& field, Range range) {
    const toml::node* n = node(key);
    if (n != nullptr) {
      if (auto i = n->as_integer()) {
        field = static_cast<double>(i->get());
      } else if (auto f = n->as_floating_point()) {
        field = f->get();
      } else {
        return type_error(n, key, "a number");
      }
    }
    if (!range.contains(field)) return error(n, name(key) + " = " + num_text(field) + " out of range " + range.text());
    return ok_status();
  }

  Status integer(std::string_view key, int& field, std::int64_t lo, std::int64_t hi) {
    const toml::node* n = node(key);
    std::int64_t v = field;
    if (n != nullptr) {
      auto i = n->as_integer();
      if (!i) return type_error(n, key, "an integer");
      v = i->get();
    }
    if (v < lo || v > hi) {
      return error(n, name(key) + " = " + std::to_string(v) + " out of range [" + std::to_string(lo) + ", " +
                          std::to_string(hi) + "]");
    }
    field = static_cast<int>(v);
    return ok_status();
  }

  Status boolean(std::string_view key, bool& field) {
    const toml::node* n = node(key);
    if (n == nullptr) return ok_status();
    auto b = n->as_boolean();
    if (!b) return type_error(n, key, "a boolean (true or false)");
    field = b->get();
    return ok_status();
  }

  // A per-share dollar amount read as a decimal and stored exactly in fixed point.
  Status price(std::string_view key, Price& field, Range range) {
    const toml::node* n = node(key);
    double v = field.to_double();
    if (n != nullptr) {
      if (auto i = n->as_integer()) {
        v = static_cast<double>(i->get());
      } else if (auto f = n->as_floating_point()) {
        v = f->get();
      } else {
        return type_error(n, key, "a number");
      }
    }
    if (!range.contains(v)) return error(n, name(key) + " = " + num_text(v) + " out of range " + range.text());
    if (n != nullptr) {
      auto p = Price::from_double(v, kFixedMaxPrecision);
      if (!p) return error(n, name(key) + ": " + p.error().message);
      int digits = 2;
      while (digits < kFixedMaxPrecision && !p->is_multiple_of_precision(digits)) ++digits;
      field = p->rounded(digits);
    }
    return ok_status();
  }

  template <class E, std::size_t N>
  Status choice(std::string_view key, E& field, const std::array<std::pair<std::string_view, E>, N>& options) {
    const toml::node* n = node(key);
    if (n == nullptr) return ok_status();
    auto s = n->as_string();
    if (!s) return type_error(n, key, "a string");
    for (const auto& [text, value] : options) {
      if (s->get() == text) {
        field = value;
        return ok_status();
      }
    }
    std::string list;
    for (const auto& [text, value] : options) list += (list.empty() ? "\"" : ", \"") + std::string(text) + "\"";
    return error(n, name(key) + " = \"" + s->get() + "\": expected one of " + list);
  }

  // A required, non-empty array of distinct tickers.
  Status tickers(std::string_view key, std::vector<std::string>& field) {
    const toml::node* n = node(key);
    if (table_ != nullptr) {
      if (n == nullptr) return error(nullptr, "missing required key " + name(key));
      auto arr = n->as_array();
      if (!arr) return type_error(n, key, "an array of tickers");
      field.clear();
      for (std::size_t i = 0; i < arr->size(); ++i) {
        const toml::node& e = *arr->get(i);
        auto s = e.as_string();
        if (!s) {
          return error(&e, name(key) + "[" + std::to_string(i) + "]: expected a string, got " +
                               std::string(toml_type_name(e.type())));
        }
        field.push_back(s->get());
        KEEL_TRY_STATUS(check_ticker(&e, field, i, key));
      }
    } else {
      for (std::size_t i = 0; i < field.size(); ++i) KEEL_TRY_STATUS(check_ticker(nullptr, field, i, key));
    }
    if (field.empty()) return error(n, name(key) + " is empty: name at least one ticker");
    return ok_status();
  }

 private:
  Status type_error(const toml::node* n, std::string_view key, std::string_view expected) const {
    return error(n, name(key) + ": expected " + std::string(expected) + ", got " +
                        std::string(toml_type_name(n->type())));
  }
  Status check_ticker(const toml::node* n, const std::vector<std::string>& list, std::size_t i,
                      std::string_view key) const {
    const std::string item = name(key) + "[" + std::to_string(i) + "]";
    const std::string& s = list[i];
    bool ok = !s.empty() && s.size() <= 16;
    for (char c : s) ok = ok && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_');
    if (!ok) return error(n, item + " = \"" + s + "\" is not a ticker (1-16 characters of A-Z, 0-9, '.', '-', '_')");
    for (std::size_t j = 0; j < i; ++j) {
      if (list[j] == s) return error(n, item + " = \"" + s + "\" repeats " + name(key) + "[" + std::to_string(j) + "]");
    }
    return ok_status();
  }

  const toml::table* table_;
  std::string_view source_;
  std::string prefix_;
};

}  // namespace keel::strategy::detail
