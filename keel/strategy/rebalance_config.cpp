#include "keel/strategy/rebalance_config.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace keel::strategy {
namespace {

std::string num_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

constexpr std::string_view kRebalanceKeys[] = {"rebalance", "rebalance_on", "cash_buffer", "drift_band",
                                               "min_trade_value", "max_gross"};

bool is_ticker(std::string_view s) {
  if (s.empty() || s.size() > 16) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  });
}

}  // namespace

ConfigReader::ConfigReader(const toml::table& table, std::string_view source, std::string table_name)
    : table_(table), source_(source), table_name_(std::move(table_name)) {}

std::string ConfigReader::at(const toml::node* node) const {
  const toml::node* n = node != nullptr ? node : &table_;
  const auto line = n->source().begin.line;
  std::string s = source_;
  if (line > 0) s += ":" + std::to_string(line);
  return s + ": ";
}

Error ConfigReader::error_at(std::string_view key, const std::string& message) const {
  return make_error(ErrorCode::kParse, at(table_.get(key)) + message);
}

Status ConfigReader::known(std::initializer_list<std::string_view> known, bool with_rebalance_keys) const {
  for (const auto& [k, node] : table_) {
    const std::string_view key = k.str();
    const bool ok = std::find(known.begin(), known.end(), key) != known.end() ||
                    (with_rebalance_keys && std::find(std::begin(kRebalanceKeys), std::end(kRebalanceKeys), key) !=
                                                std::end(kRebalanceKeys));
    if (!ok) return make_error(ErrorCode::kParse, at(&node) + "unknown key " + name(key));
  }
  return ok_status();
}

Status ConfigReader::number(std::string_view key, double& field, double lo, double hi, bool lo_open,
                            bool hi_open) const {
  const toml::node* n = table_.get(key);
  if (n == nullptr) return ok_status();
  double v = 0.0;
  if (auto i = n->as_integer()) {
    v = static_cast<double>(i->get());
  } else if (auto f = n->as_floating_point()) {
    v = f->get();
  } else {
    return make_error(ErrorCode::kParse, at(n) + name(key) + " must be a number");
  }
  const bool ok = std::isfinite(v) && (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
  if (!ok) {
    return make_error(ErrorCode::kInvalidArgument, at(n) + name(key) + " = " + num_text(v) + " out of range " +
                                                       (lo_open ? "(" : "[") + num_text(lo) + ", " + num_text(hi) +
                                                       (hi_open ? ")" : "]"));
  }
  field = v;
  return ok_status();
}

Status ConfigReader::integer(std::string_view key, int& field, int lo, int hi) const {
  const toml::node* n = table_.get(key);
  if (n == nullptr) return ok_status();
  auto i = n->as_integer();
  if (!i) return make_error(ErrorCode::kParse, at(n) + name(key) + " must be an integer");
  const std::int64_t v = i->get();
  if (v < lo || v > hi) {
    return make_error(ErrorCode::kInvalidArgument, at(n) + name(key) + " = " + std::to_string(v) + " out of range [" +
                                                       std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  field = static_cast<int>(v);
  return ok_status();
}

Status ConfigReader::boolean(std::string_view key, bool& field) const {
  const toml::node* n = table_.get(key);
  if (n == nullptr) return ok_status();
  auto b = n->as_boolean();
  if (!b) return make_error(ErrorCode::kParse, at(n) + name(key) + " must be a boolean (true or false)");
  field = b->get();
  return ok_status();
}

Status ConfigReader::text(std::string_view key, std::string& field, bool required) const {
  const toml::node* n = table_.get(key);
  if (n == nullptr) {
    if (required) return make_error(ErrorCode::kParse, at(nullptr) + "[" + table_name_ + "] needs " + name(key));
    return ok_status();
  }
  auto s = n->as_string();
  if (!s) return make_error(ErrorCode::kParse, at(n) + name(key) + " must be a string");
  field = s->get();
  return ok_status();
}

Status ConfigReader::choice(std::string_view key, int& index, std::initializer_list<std::string_view> choices) const {
  const toml::node* n = table_.get(key);
  if (n == nullptr) return ok_status();
  auto s = n->as_string();
  std::string list;
  for (std::string_view c : choices) list += (list.empty() ? "\"" : ", \"") + std::string(c) + "\"";
  if (!s) return make_error(ErrorCode::kParse, at(n) + name(key) + " must be one of " + list);
  int i = 0;
  for (std::string_view c : choices) {
    if (c == s->get()) {
      index = i;
      return ok_status();
    }
    ++i;
  }
  return make_error(ErrorCode::kInvalidArgument, at(n) + name(key) + " = \"" + s->get() + "\" is not one of " + list);
}

Status ConfigReader::symbols(std::string_view key, std::vector<std::string>& field, bool required) const {
  const toml::node* n = table_.get(key);
  if (n == nullptr) {
    if (required) return make_error(ErrorCode::kParse, at(nullptr) + "[" + table_name_ + "] needs " + name(key));
    return ok_status();
  }
  const toml::array* arr = n->as_array();
  if (arr == nullptr) return make_error(ErrorCode::kParse, at(n) + name(key) + " must be an array of tickers");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    auto s = (*arr)[i].as_string();
    if (!s || !is_ticker(s->get())) {
      return make_error(ErrorCode::kInvalidArgument,
                        at(n) + name(key) + "[" + std::to_string(i) + "] is not a ticker (A-Z, 0-9, '.', '-', '_')");
    }
    if (std::find(out.begin(), out.end(), s->get()) != out.end()) {
      return make_error(ErrorCode::kInvalidArgument, at(n) + name(key) + " lists " + s->get() + " twice");
    }
    out.push_back(s->get());
  }
  if (out.empty()) return make_error(ErrorCode::kInvalidArgument, at(n) + name(key) + " is empty");
  field = std::move(out);
  return ok_status();
}

Status parse_rebalance_keys(const ConfigReader& r, Schedule& schedule, RebalanceRules& rules) {
  int f = static_cast<int>(schedule.frequency);
  KEEL_TRY_STATUS(r.choice("rebalance", f, {"daily", "weekly", "monthly"}));
  schedule.frequency = static_cast<RebalanceFrequency>(f);
  int s = static_cast<int>(schedule.session);
  KEEL_TRY_STATUS(r.choice("rebalance_on", s, {"first", "last"}));
  schedule.session = static_cast<RebalanceSession>(s);
  KEEL_TRY_STATUS(r.number("cash_buffer", rules.cash_buffer, 0.0, 1.0, false, true));
  KEEL_TRY_STATUS(r.number("drift_band", rules.drift_band, 0.0, 1.0, false, true));
  KEEL_TRY_STATUS(r.number("min_trade_value", rules.min_trade_value, 0.0, 1e9));
  KEEL_TRY_STATUS(r.number("max_gross", rules.max_gross, 0.0, 10.0, true, false));
  return ok_status();
}

}  // namespace keel::strategy
