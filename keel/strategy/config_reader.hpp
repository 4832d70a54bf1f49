// keel/strategy/config_reader.hpp — the one checked reader for a table of a keel TOML config:
// [backtest], [lifecycle], every strategy's table, [multi], its sleeves and [multi.regime].
//
// Contract:
// - Two modes. Parsing (built on a table): each method reads its key when present, checks its
//   type and value and stores it in the caller's field; an absent key leaves the field (its
//   default) as it is, unchecked. Checking (built from a table name only, for a config made in
//   code): nothing is read; the range and ticker checks apply to the fields' current values and
//   messages carry no location.
// - Every message names the table and key as "<table>.<key>" and, when parsing, starts with
//   "<source>:<line>: " — the key's line, or the table's line for a missing key:
//     unknown key   "<where>unknown key <table>.<key>"  (the first one in file order)
//     missing key   "<where>missing required key <table>.<key>"
//     wrong type    "<where><table>.<key>: expected a number, got a string"  (an integer, a
//                   boolean (true or false), a string, an array of tickers, a date (YYYY-MM-DD))
//     out of range  "<where><table>.<key> = 1.5 out of range (0, 1]"  (brackets by openness,
//                   "0 or " in front when 0 is admitted as a switch-off; numbers in their
//                   shortest round-trip form)
//     choice        "<where><table>.<key> = \"x\" is not one of \"a\", \"b\""
//     tickers       "<table>.<key>[i] = \"x\" is not a ticker (1-16 characters of A-Z, 0-9, '.',
//                   '-', '_')", "... repeats <table>.<key>[j]", "<table>.<key>[i]: expected a
//                   string, got ...", "<table>.<key> is empty: name at least one ticker"
//     price, money  "<where><table>.<key> = 0.001 has more than 2 decimal places" (money), or the
//                   fixed-point parser's reason after "<table>.<key> = <text>: "
//     date          "<where><table>.<key>: <why the text is not a date>"
//   Error codes: kParse for the structure (unknown or missing key, wrong type), kInvalidArgument
//   for a value (range, choice, ticker, digits) and for error_at().
// - Integers are accepted where a number is expected, never the other way round. Nothing is
//   clamped or rounded: Price and Money come from the number's decimal text (its shortest
//   round-trip form), so 0.1 is exactly 0.10, and a value the type cannot hold exactly is an error.
// Validated by config_reader_test.cpp (every message above, hand-written) and the config tests
// of its users (wheel_config_test.cpp, option_income_test.cpp, ts_momentum_test.cpp, ...).
// Thread safety: a reader is used by one thread; it only reads the table.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "keel/core/fixed_point.hpp"
#include "keel/core/result.hpp"
#include "keel/core/time.hpp"

namespace keel::strategy {

// [lo, hi] with open ends as flagged; `or_zero` also admits exactly 0 (a switch-off value).
struct Interval {
  double lo = 0.0;
  double hi = 0.0;
  bool lo_open = false;
  bool hi_open = false;
  bool or_zero = false;

  bool contains(double v) const;
  std::string text() const;  // "[0, 1)", "0 or (1, 100]"
};

// A ticker as configs name one: 1-16 characters of A-Z, 0-9, '.', '-', '_'.
bool is_ticker(std::string_view s);

// The open unit interval (0, 1): deltas, probabilities.
inline constexpr Interval kOpenUnit{0.0, 1.0, true, true};

class ConfigReader {
 public:
  // Parsing `table`, named `table_name` in messages ("wheel", "multi.sleeve[2]").
  ConfigReader(const toml::table& table, std::string_view source, std::string table_name);
  // Checking a config built in code.
  explicit ConfigReader(std::string table_name);

  bool parsing() const { return table_ != nullptr; }
  const toml::node* node(std::string_view key) const { return table_ != nullptr ? table_->get(key) : nullptr; }
  bool has(std::string_view key) const { return node(key) != nullptr; }
  std::string name(std::string_view key) const { return table_name_ + "." + std::string(key); }
  // "<source>:<line>: " of `n` (of the table when null); empty when checking.
  std::string where(const toml::node* n) const;

  // Every key must be in `keys` or `also`; the first other key in file order is the error.
  Status known(std::span<const std::string_view> keys, std::span<const std::string_view> also = {}) const;
  // The same for a list; `with_rebalance_keys` admits the equity strategies' shared rebalancing
  // keys (rebalance_keys() in rebalance_config.hpp).
  Status known(std::initializer_list<std::string_view> keys, bool with_rebalance_keys = false) const;
  const toml::key* first_unknown(std::span<const std::string_view> keys,
                                 std::span<const std::string_view> also = {}) const;
  Error unknown_key(const toml::key& key, std::string_view note = {}) const;  // note follows the message

  // An absent key is the error "missing required key".
  Status required(std::string_view key) const;

  Status number(std::string_view key, double& field, Interval range) const;
  Status number(std::string_view key, double& field, double lo, double hi, bool lo_open = false,
                bool hi_open = false) const {
    return number(key, field, Interval{lo, hi, lo_open, hi_open});
  }
  Status integer(std::string_view key, int& field, std::int64_t lo, std::int64_t hi) const;
  Status integer(std::string_view key, std::int64_t& field, std::int64_t lo, std::int64_t hi) const;
  Status boolean(std::string_view key, bool& field) const;
  Status text(std::string_view key, std::string& field, bool required = false) const;
  Status date(std::string_view key, Date& field) const;
  // A per-share dollar amount, kept exactly with at least 2 digits (0.1 -> 0.10).
  Status price(std::string_view key, Price& field, Interval range) const;
  // An amount of money with at most `digits` decimal places, stored at that precision.
  Status money(std::string_view key, Money& field, Interval range, int digits = 2) const;

  // One of `choices`; `index` receives its position.
  Status choice(std::string_view key, int& index, std::initializer_list<std::string_view> choices) const;
  // One of the named values of `options`.
  template <class E, std::size_t N>
  Status choice(std::string_view key, E& field, const std::array<std::pair<std::string_view, E>, N>& options) const {
    std::array<std::string_view, N> names;
    for (std::size_t i = 0; i < N; ++i) names[i] = options[i].first;
    int index = -1;
    KEEL_TRY_STATUS(pick(key, index, names));
    if (index >= 0) field = options[static_cast<std::size_t>(index)].second;
    return ok_status();
  }

  // An array of distinct tickers (1-16 characters of A-Z, 0-9, '.', '-', '_'); non-empty when
  // present, and present when `required`.
  Status symbols(std::string_view key, std::vector<std::string>& field, bool required) const;

  // "<where of key>message" (the table's line when the key is absent). kInvalidArgument.
  Error error_at(std::string_view key, const std::string& message) const { return error_at(node(key), message); }
  Error error_at(const toml::node* n, const std::string& message) const;

 private:
  Status pick(std::string_view key, int& index, std::span<const std::string_view> choices) const;
  Error type_error(const toml::node& n, std::string_view key, std::string_view expected) const;
  Status check_ticker(const toml::node* n, const std::vector<std::string>& list, std::size_t i,
                      std::string_view key) const;
  // The value of a number node (an integer or a float), or a type error.
  Status read_number(std::string_view key, const toml::node& n, double& out) const;
  // Reads `n` (when not null) into `v`, then checks `v` against `range`.
  Status in_range(std::string_view key, const toml::node* n, double& v, const Interval& range) const;

  const toml::table* table_ = nullptr;
  std::string source_;
  std::string table_name_;
};

// The two entry points of a config whose fields one function reads and checks,
// `check(Config&, const ConfigReader&) -> Status` (the wheel, option_income, delta_hedged_vol):
// parse `table` (unknown keys first, so a typo is reported as such rather than as a missing or
// defaulted key), or check a config built in code (on a copy: `check` may set defaults).
template <class Config, class Check>
Result<Config> read_config(const toml::table& table, std::string_view source, std::string table_name,
                           std::span<const std::string_view> keys, const Check& check) {
  const ConfigReader reader(table, source, std::move(table_name));
  KEEL_TRY_STATUS(reader.known(keys));
  Config config;
  KEEL_TRY_STATUS(check(config, reader));
  return config;
}
template <class Config, class Check>
Status check_config(const Config& config, std::string table_name, const Check& check) {
  Config copy = config;
  return check(copy, ConfigReader(std::move(table_name)));
}

// Shortest round-trip text of `v` ("0.3", "1e+10"), as the messages print numbers.
std::string number_text(double v);

}  // namespace keel::strategy
