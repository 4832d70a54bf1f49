// Tests for keel/strategy/config_reader.hpp. Every expected message is written by hand from the
// header's contract; line numbers are counted in the TOML text of each test (line 1 = the first).
#include "keel/strategy/config_reader.hpp"

#include <array>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace keel::strategy {
namespace {

// A parsed document and its [t] table.
struct Parsed {
  toml::table root;
  const toml::table& t() const { return *root["t"].as_table(); }
};
Parsed parse(std::string_view text) { return Parsed{toml::parse(text, std::string_view("c.toml"))}; }

std::string message(const Status& st) { return st.ok() ? std::string("(ok)") : st.error().message; }

TEST(ConfigReader, UnknownKeyIsTheFirstInFileOrder) {
  // Line 1 "[t]", 2 "a", 3 "zz" (unknown), 4 "bb" (unknown, but later in the file though first
  // by name).
  const Parsed p = parse("[t]\na = 1\nzz = 2\nbb = 3\n");
  const ConfigReader r(p.t(), "c.toml", "t");
  EXPECT_EQ(message(r.known({"a"})), "c.toml:3: unknown key t.zz");
  EXPECT_EQ(r.known({"a"}).error().code, ErrorCode::kParse);
  const std::array<std::string_view, 2> keys{"a", "zz"};
  const std::array<std::string_view, 1> also{"bb"};
  EXPECT_EQ(message(r.known(keys)), "c.toml:4: unknown key t.bb");
  EXPECT_TRUE(r.known(keys, also).ok());
  // A sub-table is a key too, reported at its header's line (line 3).
  const Parsed sub = parse("[t]\na = 1\n[t.extra]\nx = 1\n");
  EXPECT_EQ(message(ConfigReader(sub.t(), "c.toml", "t").known({"a"})), "c.toml:3: unknown key t.extra");
}

TEST(ConfigReader, RebalanceKeysAreAdmittedOnRequest) {
  const Parsed p = parse("[t]\nsymbols = [\"A\"]\ncash_buffer = 0.1\n");
  const ConfigReader r(p.t(), "c.toml", "t");
  EXPECT_EQ(message(r.known({"symbols"})), "c.toml:3: unknown key t.cash_buffer");
  EXPECT_TRUE(r.known({"symbols"}, true).ok());
}

TEST(ConfigReader, MissingRequiredKeyNamesTheTableLine) {
  // The [t] header is on line 3.
  const Parsed p = parse("# c\n\n[t]\nx = 1\n");
  const ConfigReader r(p.t(), "c.toml", "t");
  EXPECT_EQ(message(r.required("name")), "c.toml:3: missing required key t.name");
  std::string s;
  EXPECT_EQ(message(r.text("name", s, true)), "c.toml:3: missing required key t.name");
  std::vector<std::string> v;
  EXPECT_EQ(message(r.symbols("symbols", v, true)), "c.toml:3: missing required key t.symbols");
  EXPECT_TRUE(r.symbols("symbols", v, false).ok());
  EXPECT_TRUE(r.required("x").ok());
}

TEST(ConfigReader, AbsentOptionalKeysKeepTheirDefaults) {
  const Parsed p = parse("[t]\n");
  const ConfigReader r(p.t(), "c.toml", "t");
  double d = 7.5;
  int i = 3;
  bool b = true;
  std::string s = "keep";
  Price px = *Price::parse("1.25");
  EXPECT_TRUE(r.number("d", d, 0.0, 1.0).ok());  // a default is not range-checked when parsing
  EXPECT_TRUE(r.integer("i", i, 0, 10).ok());
  EXPECT_TRUE(r.boolean("b", b).ok());
  EXPECT_TRUE(r.text("s", s).ok());
  EXPECT_TRUE(r.price("px", px, Interval{0.0, 10.0}).ok());
  EXPECT_EQ(d, 7.5);
  EXPECT_EQ(i, 3);
  EXPECT_TRUE(b);
  EXPECT_EQ(s, "keep");
  EXPECT_EQ(px.to_string(), "1.25");
}

TEST(ConfigReader, WrongTypesNameWhatWasExpectedAndGiven) {
  const Parsed p = parse("[t]\nn = \"0.3\"\ni = 7.5\nb = 1\ns = 2\nl = \"A\"\nd = true\nc = 3\n");
  const ConfigReader r(p.t(), "c.toml", "t");
  double d = 0;
  int i = 0;
  bool b = false;
  std::string s;
  std::vector<std::string> l;
  Date date;
  int c = 0;
  EXPECT_EQ(message(r.number("n", d, 0.0, 1.0)), "c.toml:2: t.n: expected a number, got a string");
  EXPECT_EQ(message(r.integer("i", i, 0, 10)), "c.toml:3: t.i: expected an integer, got a floating-point number");
  EXPECT_EQ(message(r.boolean("b", b)), "c.toml:4: t.b: expected a boolean (true or false), got an integer");
  EXPECT_EQ(message(r.text("s", s)), "c.toml:5: t.s: expected a string, got an integer");
  EXPECT_EQ(message(r.symbols("l", l, true)), "c.toml:6: t.l: expected an array of tickers, got a string");
  EXPECT_EQ(message(r.date("d", date)), "c.toml:7: t.d: expected a date (YYYY-MM-DD), got a boolean");
  EXPECT_EQ(message(r.choice("c", c, {"x", "y"})), "c.toml:8: t.c: expected a string, got an integer");
  EXPECT_EQ(r.number("n", d, 0.0, 1.0).error().code, ErrorCode::kParse);
}

TEST(ConfigReader, NumbersAndRanges) {
  const Parsed p = parse("[t]\nint_ok = 30\nhalf = 0.5\nzero = 0\nbig = 1.5\nneg = -3\n");
  const ConfigReader r(p.t(), "c.toml", "t");
  double d = 0;
  EXPECT_TRUE(r.number("int_ok", d, 0.0, 100.0).ok());  // an integer where a number is expected
  EXPECT_EQ(d, 30.0);
  EXPECT_TRUE(r.number("half", d, Interval{0.0, 1.0, true, true}).ok());
  EXPECT_EQ(d, 0.5);
  // 0 is outside (0, 1) but admitted by or_zero.
  EXPECT_EQ(message(r.number("zero", d, Interval{0.0, 1.0, true, true})), "c.toml:4: t.zero = 0 out of range (0, 1)");
  EXPECT_TRUE(r.number("zero", d, Interval{0.0, 1.0, true, true, true}).ok());
  EXPECT_EQ(message(r.number("big", d, Interval{0.0, 1.0, true, false, true})),
            "c.toml:5: t.big = 1.5 out of range 0 or (0, 1]");
  EXPECT_EQ(message(r.number("big", d, 0.0, 1.5, false, true)), "c.toml:5: t.big = 1.5 out of range [0, 1.5)");
  EXPECT_EQ(r.number("big", d, 0.0, 1.0).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(d, 0.0);  // a failed read leaves the field as it was (0 from the or_zero read)
  int i = 0;
  EXPECT_EQ(message(r.integer("neg", i, 0, 10)), "c.toml:6: t.neg = -3 out of range [0, 10]");
  std::int64_t wide = 0;
  EXPECT_TRUE(r.integer("int_ok", wide, 0, INT64_MAX).ok());
  EXPECT_EQ(wide, 30);
  // The interval's own text, open and closed ends (1e10 in shortest round-trip form).
  EXPECT_EQ((Interval{0.0, 1e10, true, false}).text(), "(0, 1e+10]");
  EXPECT_FALSE((Interval{0.0, 1.0}).contains(std::numeric_limits<double>::quiet_NaN()));
}

TEST(ConfigReader, ChoicesByIndexAndByValue) {
  enum class Side { kBuy, kSell };
  const std::array<std::pair<std::string_view, Side>, 2> sides{{{"buy", Side::kBuy}, {"sell", Side::kSell}}};
  const Parsed p = parse("[t]\nside = \"sell\"\nmode = \"fast\"\n");
  const ConfigReader r(p.t(), "c.toml", "t");
  Side s = Side::kBuy;
  EXPECT_TRUE(r.choice("side", s, sides).ok());
  EXPECT_EQ(s, Side::kSell);
  int index = 0;
  EXPECT_TRUE(r.choice("side", index, {"buy", "hold", "sell"}).ok());
  EXPECT_EQ(index, 2);
  EXPECT_EQ(message(r.choice("mode", index, {"slow", "steady"})),
            "c.toml:3: t.mode = \"fast\" is not one of \"slow\", \"steady\"");
  EXPECT_EQ(message(r.choice("mode", s, sides)), "c.toml:3: t.mode = \"fast\" is not one of \"buy\", \"sell\"");
  EXPECT_EQ(index, 2);
}

TEST(ConfigReader, TickersNameTheElementAndItsLine) {
  // The array spans lines 2-5; its elements are on lines 3 and 4.
  const Parsed p = parse("[t]\na = [\n  \"ACME\",\n  \"ACME\",\n]\nb = [\"ACME\", \"acme\"]\nc = []\nd = [\"A\", 5]\n"
                         "ok = [\"BRK.B\", \"X_1\"]\n");
  const ConfigReader r(p.t(), "c.toml", "t");
  std::vector<std::string> v;
  EXPECT_EQ(message(r.symbols("a", v, true)), "c.toml:4: t.a[1] = \"ACME\" repeats t.a[0]");
  EXPECT_EQ(message(r.symbols("b", v, true)),
            "c.toml:6: t.b[1] = \"acme\" is not a ticker (1-16 characters of A-Z, 0-9, '.', '-', '_')");
  EXPECT_EQ(message(r.symbols("c", v, false)), "c.toml:7: t.c is empty: name at least one ticker");
  EXPECT_EQ(message(r.symbols("d", v, true)), "c.toml:8: t.d[1]: expected a string, got an integer");
  EXPECT_TRUE(v.empty());  // nothing stored by a failed read
  ASSERT_TRUE(r.symbols("ok", v, true).ok());
  EXPECT_EQ(v, (std::vector<std::string>{"BRK.B", "X_1"}));
}

TEST(ConfigReader, PriceAndMoneyComeFromTheDecimalText) {
  const Parsed p = parse("[t]\np1 = 0.1\np2 = 1.005\np3 = 3\nm1 = 1000.25\nm2 = 1000.005\nm3 = 0.000000001\n");
  const ConfigReader r(p.t(), "c.toml", "t");
  Price px;
  ASSERT_TRUE(r.price("p1", px, Interval{0.0, 100.0}).ok());
  EXPECT_EQ(px.raw(), 10'000'000);  // exactly 0.1 x 1e8
  EXPECT_EQ(px.to_string(), "0.10");  // at least cents
  ASSERT_TRUE(r.price("p2", px, Interval{0.0, 100.0}).ok());
  EXPECT_EQ(px.raw(), 100'500'000);  // 1.005 kept exactly (a double-based cent rounding would give 1.00 or 1.01)
  EXPECT_EQ(px.to_string(), "1.005");
  ASSERT_TRUE(r.price("p3", px, Interval{0.0, 100.0}).ok());
  EXPECT_EQ(px.to_string(), "3.00");
  EXPECT_EQ(message(r.price("p3", px, Interval{0.0, 2.0})), "c.toml:4: t.p3 = 3 out of range [0, 2]");
  Money m;
  ASSERT_TRUE(r.money("m1", m, Interval{0.0, 1e10, true, false}).ok());
  EXPECT_EQ(m.raw(), 100'025'000'000);
  EXPECT_EQ(m.to_string(), "1000.25");
  EXPECT_EQ(message(r.money("m2", m, Interval{0.0, 1e10, true, false})),
            "c.toml:6: t.m2 = 1000.005 has more than 2 decimal places");
  EXPECT_EQ(m.to_string(), "1000.25");
  // Nine decimal places: more than the fixed-point type holds, an error rather than a rounding.
  const Status tiny = r.price("m3", px, Interval{0.0, 1.0});
  ASSERT_FALSE(tiny.ok());
  EXPECT_EQ(tiny.error().message.rfind("c.toml:7: t.m3 = 0.000000001: ", 0), 0u) << tiny.error().message;
}

TEST(ConfigReader, DatesFromTomlDatesOrText) {
  const Parsed p = parse("[t]\na = 2024-02-29\nb = \"2024-03-01\"\nc = \"2023-02-29\"\n");
  const ConfigReader r(p.t(), "c.toml", "t");
  Date d;
  ASSERT_TRUE(r.date("a", d).ok());
  EXPECT_EQ(d, Date::ymd(2024, 2, 29));
  ASSERT_TRUE(r.date("b", d).ok());
  EXPECT_EQ(d, Date::ymd(2024, 3, 1));
  const Status bad = r.date("c", d);  // 2023 is not a leap year
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.rfind("c.toml:4: t.c: ", 0), 0u) << bad.error().message;
  EXPECT_EQ(d, Date::ymd(2024, 3, 1));
}

TEST(ConfigReader, ErrorAtTheKeyOrTheTable) {
  const Parsed p = parse("\n[t]\nx = 1\n");
  const ConfigReader r(p.t(), "c.toml", "t");
  EXPECT_EQ(r.error_at("x", "t.x is odd").message, "c.toml:3: t.x is odd");
  EXPECT_EQ(r.error_at("y", "t needs y").message, "c.toml:2: t needs y");  // absent: the table's line
  EXPECT_EQ(r.error_at("x", "m").code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.name("x"), "t.x");
  EXPECT_TRUE(r.has("x"));
  EXPECT_FALSE(r.has("y"));
}

TEST(ConfigReader, CheckingModeAppliesTheRangesToTheFieldsWithoutLocation) {
  const ConfigReader r("wheel");
  EXPECT_FALSE(r.parsing());
  double d = 0.0;
  EXPECT_EQ(message(r.number("put_delta", d, Interval{0.0, 1.0, true, true})), "wheel.put_delta = 0 out of range (0, 1)");
  d = 0.3;
  EXPECT_TRUE(r.number("put_delta", d, Interval{0.0, 1.0, true, true}).ok());
  int i = 800;
  EXPECT_EQ(message(r.integer("max_dte", i, 0, 730)), "wheel.max_dte = 800 out of range [0, 730]");
  std::vector<std::string> v;
  EXPECT_EQ(message(r.symbols("underlyings", v, true)), "wheel.underlyings is empty: name at least one ticker");
  v = {"ACME", "acme"};
  EXPECT_EQ(message(r.symbols("underlyings", v, true)),
            "wheel.underlyings[1] = \"acme\" is not a ticker (1-16 characters of A-Z, 0-9, '.', '-', '_')");
  EXPECT_TRUE(r.required("underlyings").ok());  // nothing to be missing in a config built in code
  EXPECT_TRUE(r.known({}).ok());
  EXPECT_EQ(r.error_at("x", "wheel: bad pair").message, "wheel: bad pair");
}

}  // namespace
}  // namespace keel::strategy
