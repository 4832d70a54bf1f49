// Tests for keel/strategy/wheel_config.hpp: a full example, the defaults (the seeds'
// positions.json wheel section: min_premium_yield 0.01, min_DTE 7, max_DTE 45,
// capital_at_risk_limit 0.25), and every error kind with the source, line and key it names.
#include "keel/strategy/wheel_config.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

namespace keel::strategy {
namespace {

// Parses `text` as a whole file named examples/wheel.toml and hands its [wheel] table over.
Result<WheelConfig> parse(const std::string& text) {
  const toml::table doc = toml::parse(std::string_view(text), std::string_view("examples/wheel.toml"));
  const toml::table* wheel = doc["wheel"].as_table();
  EXPECT_NE(wheel, nullptr);
  if (wheel == nullptr) return make_error(ErrorCode::kNotFound, "no [wheel]");
  return parse_wheel_config(*wheel, "examples/wheel.toml");
}

std::string error_of(const std::string& text) {
  auto r = parse(text);
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : r.error().message;
}

TEST(WheelConfig, DefaultsFollowTheSeeds) {
  auto c = parse("[wheel]\nunderlyings = [\"ACME\"]\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->underlyings, std::vector<std::string>{"ACME"});
  EXPECT_EQ(c->put_selection, PutSelection::kDelta);
  EXPECT_EQ(c->put_delta, 0.30);
  EXPECT_EQ(c->put_probability_otm, 0.70);
  EXPECT_EQ(c->min_dte, 7);
  EXPECT_EQ(c->max_dte, 45);
  EXPECT_EQ(c->target_dte, 30);
  EXPECT_EQ(c->min_premium_yield, 0.01);
  EXPECT_EQ(c->iv_rank_min, 0.0);
  EXPECT_EQ(c->iv_rank_lookback, 252);
  EXPECT_EQ(c->contracts_max, 10);
  EXPECT_EQ(c->capital_at_risk_limit, 0.25);
  EXPECT_EQ(c->cash_buffer, 0.05);
  EXPECT_EQ(c->call_strike_policy, CallStrikePolicy::kAdjustedBasis);
  EXPECT_EQ(c->call_delta, 0.30);
  EXPECT_EQ(c->profit_take, 0.50);
  EXPECT_EQ(c->stop_loss_multiple, 2.0);
  EXPECT_EQ(c->roll_dte, 5);
  EXPECT_EQ(c->roll_delta, 0.50);
  EXPECT_TRUE(c->roll_for_credit_only);
  EXPECT_TRUE(c->roll_min_credit.is_zero());
  EXPECT_TRUE(c->allow_roll_down_up);
  EXPECT_FALSE(c->close_before_expiry);
  EXPECT_EQ(c->min_call_premium, *Price::parse("0.05"));
  EXPECT_TRUE(c->validate().ok());
}

TEST(WheelConfig, MinCallPremiumIsAPricePerShare) {
  auto c = parse("[wheel]\nunderlyings = [\"ACME\"]\nmin_call_premium = 0.10\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->min_call_premium, *Price::parse("0.10"));
  EXPECT_NE(error_of("[wheel]\nunderlyings = [\"ACME\"]\nmin_call_premium = -1\n").find("examples/wheel.toml:3"),
            std::string::npos);
}

TEST(WheelConfig, FullExample) {
  const std::string text = R"([backtest]
start = 2020-01-02

[wheel]
underlyings = ["ACME", "BRK.B"]
put_selection = "probability"
put_delta = 0.25
put_probability_otm = 0.8
min_dte = 14
max_dte = 60
target_dte = 35
min_premium_yield = 0.005
iv_rank_min = 30
iv_rank_lookback = 126
contracts_max = 3
capital_at_risk_limit = 0.2
cash_buffer = 0.1
call_strike_policy = "plain_basis"
call_delta = 0.2
profit_take = 0.75
stop_loss_multiple = 0
roll_dte = 7
roll_delta = 0.6
roll_for_credit_only = false
roll_min_credit = 0.15
allow_roll_down_up = false
close_before_expiry = true
)";
  auto c = parse(text);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->underlyings, (std::vector<std::string>{"ACME", "BRK.B"}));
  EXPECT_EQ(c->put_selection, PutSelection::kProbability);
  EXPECT_EQ(c->put_delta, 0.25);
  EXPECT_EQ(c->put_probability_otm, 0.8);
  EXPECT_EQ(c->min_dte, 14);
  EXPECT_EQ(c->max_dte, 60);
  EXPECT_EQ(c->target_dte, 35);
  EXPECT_EQ(c->min_premium_yield, 0.005);
  EXPECT_EQ(c->iv_rank_min, 30.0);  // an integer where a number is expected
  EXPECT_EQ(c->iv_rank_lookback, 126);
  EXPECT_EQ(c->contracts_max, 3);
  EXPECT_EQ(c->capital_at_risk_limit, 0.2);
  EXPECT_EQ(c->cash_buffer, 0.1);
  EXPECT_EQ(c->call_strike_policy, CallStrikePolicy::kPlainBasis);
  EXPECT_EQ(c->call_delta, 0.2);
  EXPECT_EQ(c->profit_take, 0.75);
  EXPECT_EQ(c->stop_loss_multiple, 0.0);  // 0 switches the stop off
  EXPECT_EQ(c->roll_dte, 7);
  EXPECT_EQ(c->roll_delta, 0.6);
  EXPECT_FALSE(c->roll_for_credit_only);
  EXPECT_EQ(c->roll_min_credit, Price::parse("0.15").value());
  EXPECT_EQ(c->roll_min_credit.to_string(), "0.15");
  EXPECT_FALSE(c->allow_roll_down_up);
  EXPECT_TRUE(c->close_before_expiry);
  EXPECT_TRUE(c->validate().ok());
}

TEST(WheelConfig, OutOfRangeNamesSourceLineAndKey) {
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\n\nput_delta = 1.4\n"),
            "examples/wheel.toml:4: wheel.put_delta = 1.4 out of range (0, 1)");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\nmin_dte = -1\n"),
            "examples/wheel.toml:3: wheel.min_dte = -1 out of range [0, 730]");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\niv_rank_min = 101\n"),
            "examples/wheel.toml:3: wheel.iv_rank_min = 101 out of range [0, 100]");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\ncapital_at_risk_limit = 0.0\n"),
            "examples/wheel.toml:3: wheel.capital_at_risk_limit = 0 out of range (0, 1]");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\nstop_loss_multiple = 0.5\n"),
            "examples/wheel.toml:3: wheel.stop_loss_multiple = 0.5 out of range 0 or (1, 100]");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\nprofit_take = 1\n"),
            "examples/wheel.toml:3: wheel.profit_take = 1 out of range [0, 1)");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\nroll_min_credit = -0.05\n"),
            "examples/wheel.toml:3: wheel.roll_min_credit = -0.05 out of range [0, 1000]");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\ncontracts_max = 0\n"),
            "examples/wheel.toml:3: wheel.contracts_max = 0 out of range [1, 100000]");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\nput_delta = nan\n"),
            "examples/wheel.toml:3: wheel.put_delta = nan out of range (0, 1)");
}

TEST(WheelConfig, UnknownKeyIsAnError) {
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\nput_delta = 0.3\n\n\n\n\n\nput_dleta = 0.3\n"),
            "examples/wheel.toml:9: unknown key wheel.put_dleta");
  // The first one in the file is reported even when a later key sorts before it.
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\nzzz = 1\naaa = 2\n"),
            "examples/wheel.toml:3: unknown key wheel.zzz");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\n[wheel.extra]\nx = 1\n"),
            "examples/wheel.toml:3: unknown key wheel.extra");
}

TEST(WheelConfig, MissingRequiredKeyNamesTheTableLine) {
  EXPECT_EQ(error_of("# comment\n\n[wheel]\nput_delta = 0.3\n"),
            "examples/wheel.toml:3: missing required key wheel.underlyings");
}

TEST(WheelConfig, WrongTypes) {
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\nput_delta = \"0.3\"\n"),
            "examples/wheel.toml:3: wheel.put_delta: expected a number, got a string");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\nmin_dte = 7.5\n"),
            "examples/wheel.toml:3: wheel.min_dte: expected an integer, got a floating-point number");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\nroll_for_credit_only = 1\n"),
            "examples/wheel.toml:3: wheel.roll_for_credit_only: expected a boolean (true or false), got an integer");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = \"ACME\"\n"),
            "examples/wheel.toml:2: wheel.underlyings: expected an array of tickers, got a string");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\", 5]\n"),
            "examples/wheel.toml:2: wheel.underlyings[1]: expected a string, got an integer");
}

TEST(WheelConfig, BadChoicesAndTickers) {
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\nput_selection = \"gamma\"\n"),
            "examples/wheel.toml:3: wheel.put_selection = \"gamma\" is not one of \"delta\", \"probability\"");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\ncall_strike_policy = \"basis\"\n"),
            "examples/wheel.toml:3: wheel.call_strike_policy = \"basis\" is not one of \"adjusted_basis\", "
            "\"plain_basis\", \"delta_only\"");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\", \"acme\"]\n"),
            "examples/wheel.toml:2: wheel.underlyings[1] = \"acme\" is not a ticker (1-16 characters of A-Z, 0-9, "
            "'.', '-', '_')");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\n  \"ACME\",\n  \"ACME\",\n]\n"),
            "examples/wheel.toml:4: wheel.underlyings[1] = \"ACME\" repeats wheel.underlyings[0]");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = []\n"),
            "examples/wheel.toml:2: wheel.underlyings is empty: name at least one ticker");
}

TEST(WheelConfig, InconsistentDteWindow) {
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\nmin_dte = 50\n"),
            "examples/wheel.toml:3: wheel.min_dte = 50 is above wheel.max_dte = 45");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\nmin_dte = 10\nmax_dte = 20\n"),
            "examples/wheel.toml:4: wheel.target_dte = 30 is outside the DTE window [10, 20]");
  EXPECT_EQ(error_of("[wheel]\nunderlyings = [\"ACME\"]\ntarget_dte = 60\n"),
            "examples/wheel.toml:3: wheel.target_dte = 60 is outside the DTE window [7, 45]");
}

TEST(WheelConfig, ValidateInCode) {
  WheelConfig c;
  EXPECT_FALSE(c.validate().ok());  // no underlyings
  c.underlyings = {"ACME"};
  EXPECT_TRUE(c.validate().ok());
  c.put_delta = 0.0;
  auto st = c.validate();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "wheel.put_delta = 0 out of range (0, 1)");
  c.put_delta = 0.3;
  c.max_dte = 5;
  EXPECT_EQ(c.validate().error().message, "wheel.min_dte = 7 is above wheel.max_dte = 5");
}

RC_GTEST_PROP(WheelConfig, AnyInRangeDeltaParsesBack, ()) {
  // put_delta in (0, 1) written with up to 4 decimals parses back to the same double.
  const int k = *rc::gen::inRange(1, 10000);
  const double v = k / 10000.0;
  char text[128];
  std::snprintf(text, sizeof text, "[wheel]\nunderlyings = [\"ACME\"]\nput_delta = %.4f\n", v);
  auto c = parse(text);
  RC_ASSERT(c.ok());
  RC_ASSERT(c->put_delta == v);
}

}  // namespace
}  // namespace keel::strategy
