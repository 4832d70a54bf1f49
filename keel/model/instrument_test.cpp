// Tests for keel/model/instrument.hpp. Expected symbols are the OSI forms worked by hand from the
// OSI layout (root padded to 6, YYMMDD, C/P, strike x 1000 in 8 digits); contract terms follow
// the exchanges' product specifications: standard US equity options deliver 100 shares and are
// American-style, physically settled; SPX options are European-style and cash-settled (Cboe SPX
// contract specifications).
#include "keel/model/instrument.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

#include "keel/model/occ_symbol.hpp"

namespace keel {
namespace {

OptionSpec aapl_call() {
  OptionSpec s;
  s.underlying = "AAPL";
  s.expiry = Date::ymd(2024, 1, 19);
  s.strike = Price::parse("190").value();
  s.right = OptionRight::kCall;
  return s;
}

Instrument equity(std::string symbol) {
  Instrument i;
  i.symbol = std::move(symbol);
  return i;
}

void expect_invalid(const Status& s, std::string_view needle) {
  ASSERT_FALSE(s.ok()) << "accepted; expected an error naming " << needle;
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(s.error().message.find(needle), std::string::npos) << s.error().message;
}

TEST(Instrument, DefaultsAreAUsdEquityWithCentTicks) {
  const Instrument i = equity("AAPL");
  EXPECT_EQ(i.asset_class, AssetClass::kEquity);
  EXPECT_EQ(i.currency, "USD");
  EXPECT_EQ(i.tick_size, Price::parse("0.01").value());
  EXPECT_FALSE(i.is_option());
  EXPECT_TRUE(i.validate().ok());
  const OptionSpec spec;
  EXPECT_EQ(spec.multiplier, 100);
  EXPECT_EQ(spec.exercise, ExerciseStyle::kAmerican);
  EXPECT_EQ(spec.settlement, Settlement::kPhysical);
}

TEST(Instrument, MakeOptionInstrumentUsesTheOsiSymbol) {
  auto inst = make_option_instrument(aapl_call());
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  EXPECT_EQ(inst->symbol, "AAPL  240119C00190000");
  EXPECT_EQ(inst->asset_class, AssetClass::kOption);
  ASSERT_TRUE(inst->option.has_value());
  EXPECT_EQ(*inst->option, aapl_call());
  EXPECT_TRUE(inst->validate().ok());

  OptionSpec spx;
  spx.underlying = "SPX";
  spx.expiry = Date::ymd(2014, 11, 22);
  spx.strike = Price::parse("19.50").value();
  spx.right = OptionRight::kPut;
  spx.exercise = ExerciseStyle::kEuropean;
  spx.settlement = Settlement::kCash;
  auto put = make_option_instrument(spx);
  ASSERT_TRUE(put.ok()) << put.error().message;
  EXPECT_EQ(put->symbol, "SPX   141122P00019500");  // Wikipedia "Option symbol" example
  EXPECT_EQ(put->option->settlement, Settlement::kCash);
}

TEST(Instrument, MakeOptionInstrumentRejectsWhatOsiCannotCarry) {
  OptionSpec s = aapl_call();
  s.underlying = "aapl";
  EXPECT_FALSE(make_option_instrument(s).ok());
  s = aapl_call();
  s.underlying = "";
  EXPECT_FALSE(make_option_instrument(s).ok());
  s = aapl_call();
  s.strike = Price::parse("190.0001").value();  // finer than the 0.001 OSI grid
  EXPECT_FALSE(make_option_instrument(s).ok());
  s = aapl_call();
  s.strike = Price::zero(2);
  EXPECT_FALSE(make_option_instrument(s).ok());
  s = aapl_call();
  s.multiplier = 0;
  const auto r = make_option_instrument(s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("multiplier 0"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("AAPL  240119C00190000"), std::string::npos) << r.error().message;
}

TEST(Instrument, ValidateNamesTheBrokenField) {
  expect_invalid(equity("").validate(), "empty symbol");

  Instrument i = equity("AAPL");
  i.currency = "US";
  expect_invalid(i.validate(), "currency 'US'");
  i.currency = "usd";
  expect_invalid(i.validate(), "currency 'usd'");
  i.currency = "USDX";
  expect_invalid(i.validate(), "currency 'USDX'");

  i = equity("AAPL");
  i.tick_size = Price::zero(2);
  expect_invalid(i.validate(), "tick_size");
  i.tick_size = Price::parse("-0.01").value();
  expect_invalid(i.validate(), "tick_size");

  i = equity("AAPL  240119C00190000");
  i.asset_class = AssetClass::kOption;
  expect_invalid(i.validate(), "option without an option spec");

  i = equity("AAPL");
  i.option = aapl_call();
  expect_invalid(i.validate(), "option spec on a non-option");

  Instrument opt = make_option_instrument(aapl_call()).value();
  opt.option->underlying = "";
  expect_invalid(opt.validate(), "empty underlying");
  opt = make_option_instrument(aapl_call()).value();
  opt.option->strike = Price::parse("-190").value();
  expect_invalid(opt.validate(), "strike -190");
  opt = make_option_instrument(aapl_call()).value();
  opt.option->multiplier = -100;
  expect_invalid(opt.validate(), "multiplier -100");
  // Adjusted contracts deliver a non-standard number of shares (e.g. 150 after a 3:2 split).
  opt = make_option_instrument(aapl_call()).value();
  opt.option->multiplier = 150;
  EXPECT_TRUE(opt.validate().ok());
}

TEST(Instrument, EnumsRoundTripThroughText) {
  for (AssetClass v : {AssetClass::kEquity, AssetClass::kEtf, AssetClass::kIndex, AssetClass::kOption}) {
    EXPECT_EQ(parse_asset_class(to_string(v)).value(), v);
  }
  for (OptionRight v : {OptionRight::kCall, OptionRight::kPut}) EXPECT_EQ(parse_option_right(to_string(v)).value(), v);
  for (ExerciseStyle v : {ExerciseStyle::kAmerican, ExerciseStyle::kEuropean}) {
    EXPECT_EQ(parse_exercise_style(to_string(v)).value(), v);
  }
  for (Settlement v : {Settlement::kPhysical, Settlement::kCash}) EXPECT_EQ(parse_settlement(to_string(v)).value(), v);
  EXPECT_EQ(to_string(AssetClass::kEtf), "etf");
  EXPECT_EQ(to_string(OptionRight::kPut), "put");
}

TEST(Instrument, ParsersAcceptDocumentedSpellings) {
  EXPECT_EQ(parse_option_right("C").value(), OptionRight::kCall);
  EXPECT_EQ(parse_option_right("P").value(), OptionRight::kPut);
  EXPECT_EQ(parse_option_right("Call").value(), OptionRight::kCall);
  EXPECT_EQ(parse_option_right("PUT").value(), OptionRight::kPut);
  EXPECT_EQ(parse_asset_class("stock").value(), AssetClass::kEquity);
  EXPECT_EQ(parse_asset_class("ETF").value(), AssetClass::kEtf);
}

TEST(Instrument, ParsersRejectUnknownText) {
  for (const char* bad : {"", "x", "callput", " c", "c "}) {
    const auto r = parse_option_right(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kParse);
    EXPECT_NE(r.error().message.find("'" + std::string(bad) + "'"), std::string::npos) << r.error().message;
  }
  EXPECT_FALSE(parse_asset_class("bond").ok());
  EXPECT_FALSE(parse_exercise_style("bermudan").ok());
  EXPECT_FALSE(parse_settlement("").ok());
  EXPECT_NE(parse_settlement("futures").error().message.find("'futures'"), std::string::npos);
}

// For any encodable spec, the instrument's symbol parses back to the spec's own fields.
RC_GTEST_PROP(InstrumentProp, OptionSymbolAgreesWithSpec, ()) {
  OptionSpec s;
  const auto len = *rc::gen::inRange<std::size_t>(1, 7);
  s.underlying = *rc::gen::container<std::string>(len, rc::gen::elementOf(std::string("ABCDEFGHIJKLMNOPQRSTUVWXYZ")));
  s.expiry = Date::from_days(*rc::gen::inRange(Date::days_from_civil(2000, 1, 1), Date::days_from_civil(2100, 1, 1)));
  s.strike = Price::from_raw(*rc::gen::inRange<std::int64_t>(1, 100'000'000) * 100'000, 3);
  s.right = *rc::gen::element(OptionRight::kCall, OptionRight::kPut);
  s.multiplier = *rc::gen::inRange<std::int64_t>(1, 1001);
  const auto inst = make_option_instrument(s);
  RC_ASSERT(inst.ok());
  const auto sym = parse_osi(inst->symbol);
  RC_ASSERT(sym.ok());
  RC_ASSERT(sym->root == s.underlying);
  RC_ASSERT(sym->expiry == s.expiry);
  RC_ASSERT(sym->right == s.right);
  RC_ASSERT(sym->strike == s.strike);
}

// OCC adjusted series after a 3:2 split: strike 90 on a 100-share basis, deliverable 150 shares;
// per deliverable share 90 x 100 / 150 = 60 exactly. Standard contracts keep their strike.
TEST(DeliverableStrike, AdjustedSeriesDividesByTheDeliverable) {
  OptionSpec spec;
  spec.underlying = "ZEPH";
  spec.expiry = Date::ymd(2022, 10, 21);
  spec.strike = Price::from_raw(90'00000000, 2);
  spec.multiplier = 150;
  EXPECT_EQ(deliverable_strike(spec).raw(), 60'00000000);
  // 95 x 100 / 150 = 63.3333333333... -> 63.33333333 at 1e-8 (half away from zero).
  spec.strike = Price::from_raw(95'00000000, 2);
  EXPECT_EQ(deliverable_strike(spec).raw(), 63'33333333);
  spec.multiplier = 100;
  EXPECT_EQ(deliverable_strike(spec), spec.strike);
}

}  // namespace
}  // namespace keel
