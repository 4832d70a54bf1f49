#include "keel/strategy/wheel_config.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

namespace keel::strategy {
namespace {

std::string num_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  return std::string(buf, r.ptr);
}

// A closed or open interval; `or_zero` also admits exactly 0 (a switch-off value).
struct Range {
  double lo, hi;
  bool lo_open, hi_open;
  bool or_zero = false;

  bool contains(double v) const {
    if (or_zero && v == 0.0) return true;
    if (!std::isfinite(v)) return false;
    if (lo_open ? !(v > lo) : !(v >= lo)) return false;
    if (hi_open ? !(v < hi) : !(v <= hi)) return false;
    return true;
  }
  std::string text() const {
    std::string s = or_zero ? "0 or " : "";
    s += lo_open ? "(" : "[";
    s += num_text(lo) + ", " + num_text(hi);
    s += hi_open ? ")" : "]";
    return s;
  }
};

constexpr Range kOpenUnit{0.0, 1.0, true, true};

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

bool is_ticker(std::string_view s) {
  if (s.empty() || s.size() > 16) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// One pass over the fields, used both to parse a table (table_ set: values are read from it and
// errors carry the line) and to validate a config built in code (table_ null: only the ranges).
class Fields {
 public:
  Fields(const toml::table* table, std::string_view source) : table_(table), source_(source) {}

  // "<source>:<line>: " for a node (no line when the node has none, e.g. built in code).
  std::string at(const toml::node* node) const {
    if (table_ == nullptr) return {};
    const toml::node* n = node != nullptr ? node : table_;
    const auto line = n->source().begin.line;
    std::string s(source_);
    if (line > 0) s += ":" + std::to_string(line);
    return s + ": ";
  }
  const toml::node* node(std::string_view key) const { return table_ ? table_->get(key) : nullptr; }

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
    if (table_ != nullptr && n == nullptr) return ok_status();  // default: valid by construction
    if (!range.contains(field)) {
      return error(n, "wheel." + std::string(key) + " = " + num_text(field) + " out of range " + range.text());
    }
    return ok_status();
  }

  Status integer(std::string_view key, int& field, std::int64_t lo, std::int64_t hi) {
    const toml::node* n = node(key);
    std::int64_t v = field;
    if (n != nullptr) {
      auto i = n->as_integer();
      if (!i) return type_error(n, key, "an integer");
      v = i->get();
    } else if (table_ != nullptr) {
      return ok_status();
    }
    if (v < lo || v > hi) {
      return error(n, "wheel." + std::string(key) + " = " + std::to_string(v) + " out of range [" +
                          std::to_string(lo) + ", " + std::to_string(hi) + "]");
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
    } else if (table_ != nullptr) {
      return ok_status();
    }
    if (!range.contains(v)) {
      return error(n, "wheel." + std::string(key) + " = " + num_text(v) + " out of range " + range.text());
    }
    if (n != nullptr) {
      auto p = Price::from_double(v, kFixedMaxPrecision);
      if (!p) return error(n, "wheel." + std::string(key) + ": " + p.error().message);
      // Display with the fewest digits (at least cents) that hold the value exactly.
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
    for (const auto& [name, value] : options) {
      if (s->get() == name) {
        field = value;
        return ok_status();
      }
    }
    std::string list;
    for (const auto& [name, value] : options) list += (list.empty() ? "\"" : ", \"") + std::string(name) + "\"";
    return error(n, "wheel." + std::string(key) + " = \"" + s->get() + "\": expected one of " + list);
  }

  Status tickers(std::string_view key, std::vector<std::string>& field) {
    const toml::node* n = node(key);
    if (table_ != nullptr) {
      if (n == nullptr) return error(nullptr, "missing required key wheel." + std::string(key));
      auto arr = n->as_array();
      if (!arr) return type_error(n, key, "an array of tickers");
      field.clear();
      for (std::size_t i = 0; i < arr->size(); ++i) {
        const toml::node& e = *arr->get(i);
        auto s = e.as_string();
        const std::string name = "wheel." + std::string(key) + "[" + std::to_string(i) + "]";
        if (!s) return error(&e, name + ": expected a string, got " + std::string(type_name(e.type())));
        field.push_back(s->get());
        KEEL_TRY_STATUS(check_ticker(&e, field, i, key));
      }
    } else {
      for (std::size_t i = 0; i < field.size(); ++i) KEEL_TRY_STATUS(check_ticker(nullptr, field, i, key));
    }
    if (field.empty()) return error(n, "wheel." + std::string(key) + " is empty: name at least one ticker");
    return ok_status();
  }

  Status error(const toml::node* n, const std::string& what) const {
    return make_error(ErrorCode::kInvalidArgument, at(n) + what);
  }

 private:
  Status type_error(const toml::node* n, std::string_view key, std::string_view expected) const {
    return error(n, "wheel." + std::string(key) + ": expected " + std::string(expected) + ", got " +
                        std::string(type_name(n->type())));
  }
  Status check_ticker(const toml::node* n, const std::vector<std::string>& list, std::size_t i,
                      std::string_view key) const {
    const std::string name = "wheel." + std::string(key) + "[" + std::to_string(i) + "]";
    if (!is_ticker(list[i])) {
      return error(n, name + " = \"" + list[i] + "\" is not a ticker (1-16 characters of A-Z, 0-9, '.', '-', '_')");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (list[j] == list[i]) {
        return error(n, name + " = \"" + list[i] + "\" repeats wheel." + std::string(key) + "[" + std::to_string(j) + "]");
      }
    }
    return ok_status();
  }

  const toml::table* table_;
  std::string_view source_;
};

constexpr std::array<std::string_view, 24> kKeys{
    "underlyings",       "put_selection",        "put_delta",          "put_probability_otm", "min_dte",
    "max_dte",           "target_dte",           "min_premium_yield",  "iv_rank_min",         "iv_rank_lookback",
    "contracts_max",     "capital_at_risk_limit", "cash_buffer",       "call_strike_policy",  "call_delta",
    "profit_take",       "stop_loss_multiple",   "roll_dte",           "roll_delta",          "roll_for_credit_only",
    "roll_min_credit",   "allow_roll_down_up",   "close_before_expiry", "min_call_premium"};

const std::array<std::pair<std::string_view, PutSelection>, 2> kPutSelections{
    {{"delta", PutSelection::kDelta}, {"probability", PutSelection::kProbability}}};
const std::array<std::pair<std::string_view, CallStrikePolicy>, 3> kCallPolicies{
    {{"adjusted_basis", CallStrikePolicy::kAdjustedBasis},
     {"plain_basis", CallStrikePolicy::kPlainBasis},
     {"delta_only", CallStrikePolicy::kDeltaOnly}}};

Status check_all(WheelConfig& c, Fields& f) {
  KEEL_TRY_STATUS(f.tickers("underlyings", c.underlyings));
  KEEL_TRY_STATUS(f.choice("put_selection", c.put_selection, kPutSelections));
  KEEL_TRY_STATUS(f.number("put_delta", c.put_delta, kOpenUnit));
  KEEL_TRY_STATUS(f.number("put_probability_otm", c.put_probability_otm, kOpenUnit));
  KEEL_TRY_STATUS(f.integer("min_dte", c.min_dte, 0, 730));
  KEEL_TRY_STATUS(f.integer("max_dte", c.max_dte, 0, 730));
  KEEL_TRY_STATUS(f.integer("target_dte", c.target_dte, 0, 730));
  KEEL_TRY_STATUS(f.number("min_premium_yield", c.min_premium_yield, Range{0.0, 1.0, false, true}));
  KEEL_TRY_STATUS(f.number("iv_rank_min", c.iv_rank_min, Range{0.0, 100.0, false, false}));
  KEEL_TRY_STATUS(f.integer("iv_rank_lookback", c.iv_rank_lookback, 2, 2520));
  KEEL_TRY_STATUS(f.integer("contracts_max", c.contracts_max, 1, 100000));
  KEEL_TRY_STATUS(f.number("capital_at_risk_limit", c.capital_at_risk_limit, Range{0.0, 1.0, true, false}));
  KEEL_TRY_STATUS(f.number("cash_buffer", c.cash_buffer, Range{0.0, 1.0, false, true}));
  KEEL_TRY_STATUS(f.choice("call_strike_policy", c.call_strike_policy, kCallPolicies));
  KEEL_TRY_STATUS(f.number("call_delta", c.call_delta, kOpenUnit));
  KEEL_TRY_STATUS(f.price("min_call_premium", c.min_call_premium, Range{0.0, 1000.0, false, false}));
  KEEL_TRY_STATUS(f.number("profit_take", c.profit_take, Range{0.0, 1.0, false, true}));
  KEEL_TRY_STATUS(f.number("stop_loss_multiple", c.stop_loss_multiple, Range{1.0, 100.0, true, false, true}));
  KEEL_TRY_STATUS(f.integer("roll_dte", c.roll_dte, 0, 365));
  KEEL_TRY_STATUS(f.number("roll_delta", c.roll_delta, Range{0.0, 1.0, true, false}));
  KEEL_TRY_STATUS(f.boolean("roll_for_credit_only", c.roll_for_credit_only));
  KEEL_TRY_STATUS(f.price("roll_min_credit", c.roll_min_credit, Range{0.0, 1000.0, false, false}));
  KEEL_TRY_STATUS(f.boolean("allow_roll_down_up", c.allow_roll_down_up));
  KEEL_TRY_STATUS(f.boolean("close_before_expiry", c.close_before_expiry));

  // Pairs: reported at the line of the key that makes the pair inconsistent (the later one in
  // the rule), or the table's line when both are defaults.
  const toml::node* max_node = f.node("max_dte") ? f.node("max_dte") : f.node("min_dte");
  if (c.min_dte > c.max_dte) {
    return f.error(max_node, "wheel.min_dte = " + std::to_string(c.min_dte) + " is above wheel.max_dte = " +
                                 std::to_string(c.max_dte));
  }
  if (c.target_dte < c.min_dte || c.target_dte > c.max_dte) {
    const toml::node* n = f.node("target_dte") ? f.node("target_dte") : max_node;
    return f.error(n, "wheel.target_dte = " + std::to_string(c.target_dte) + " is outside the DTE window [" +
                          std::to_string(c.min_dte) + ", " + std::to_string(c.max_dte) + "]");
  }
  return ok_status();
}

}  // namespace

std::string_view to_string(PutSelection s) noexcept {
  switch (s) {
    case PutSelection::kDelta: return "delta";
    case PutSelection::kProbability: return "probability";
  }
  return "unknown";
}

std::string_view to_string(CallStrikePolicy p) noexcept {
  switch (p) {
    case CallStrikePolicy::kAdjustedBasis: return "adjusted_basis";
    case CallStrikePolicy::kPlainBasis: return "plain_basis";
    case CallStrikePolicy::kDeltaOnly: return "delta_only";
  }
  return "unknown";
}

Status WheelConfig::validate() const {
  WheelConfig copy = *this;
  Fields f(nullptr, {});
  return check_all(copy, f);
}

Result<WheelConfig> parse_wheel_config(const toml::table& wheel, std::string_view source_name) {
  Fields f(&wheel, source_name);
  // Unknown keys first, in file order, so a typo is reported as such rather than as a missing
  // or defaulted key.
  const toml::key* first_unknown = nullptr;
  for (const auto& [key, node] : wheel) {
    bool known = false;
    for (std::string_view k : kKeys) known = known || key.str() == k;
    if (known) continue;
    if (first_unknown == nullptr || key.source().begin.line < first_unknown->source().begin.line) first_unknown = &key;
  }
  if (first_unknown != nullptr) {
    const auto line = first_unknown->source().begin.line;
    std::string where(source_name);
    if (line > 0) where += ":" + std::to_string(line);
    return make_error(ErrorCode::kInvalidArgument, where + ": unknown key wheel." + std::string(first_unknown->str()));
  }
  WheelConfig c;
  KEEL_TRY_STATUS(check_all(c, f));
  return c;
}

}  // namespace keel::strategy
