// Tests for keel/model/corporate_action.hpp.
//
// Real actions used as valid cases (dates from the companies' announcements):
// - Apple's 4-for-1 split, effective (ex-date) 2020-08-31 (Apple press release, 2020-07-30).
// - Apple's quarterly dividend of $0.24, ex-date 2024-02-09, record 2024-02-12, payable
//   2024-02-15 (Apple Q1 FY24 results release, 2024-02-01).
// - Facebook's ticker change FB -> META, effective 2022-06-09 (Meta press release).
// - General Electric's 1-for-8 reverse split, effective 2021-08-02 (GE press release).
#include "keel/model/corporate_action.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

namespace keel {
namespace {

void expect_invalid(const Status& s, std::string_view needle) {
  ASSERT_FALSE(s.ok()) << "accepted; expected an error naming " << needle;
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(s.error().message.find(needle), std::string::npos) << s.error().message;
}

CorporateAction split(std::int64_t to, std::int64_t from, Date ex) {
  CorporateAction a;
  a.instrument = InstrumentId(1);
  a.kind = CorporateActionKind::kSplit;
  a.ex_date = a.record_date = a.pay_date = ex;
  a.ratio_to = to;
  a.ratio_from = from;
  return a;
}

CorporateAction aapl_dividend() {
  CorporateAction a;
  a.instrument = InstrumentId(1);
  a.kind = CorporateActionKind::kCashDividend;
  a.ex_date = Date::ymd(2024, 2, 9);
  a.record_date = Date::ymd(2024, 2, 12);
  a.pay_date = Date::ymd(2024, 2, 15);
  a.amount = Money::parse("0.24").value();
  a.ts_recv = Timestamp::from_utc(2024, 2, 1, 21, 30).value();
  return a;
}

TEST(CorporateAction, RealActionsValidate) {
  EXPECT_TRUE(split(4, 1, Date::ymd(2020, 8, 31)).validate().ok());  // AAPL 4:1
  EXPECT_TRUE(split(1, 8, Date::ymd(2021, 8, 2)).validate().ok());   // GE 1:8 reverse
  EXPECT_TRUE(split(3, 2, Date::ymd(2021, 8, 2)).validate().ok());   // a 3-for-2
  EXPECT_TRUE(aapl_dividend().validate().ok());

  CorporateAction rename;
  rename.kind = CorporateActionKind::kSymbolChange;
  rename.ex_date = rename.record_date = rename.pay_date = Date::ymd(2022, 6, 9);
  rename.new_symbol = "META";
  EXPECT_TRUE(rename.validate().ok());

  CorporateAction delist;
  delist.kind = CorporateActionKind::kDelisting;
  delist.ex_date = delist.record_date = delist.pay_date = Date::ymd(2023, 5, 1);
  EXPECT_TRUE(delist.validate().ok());
}

TEST(CorporateAction, SameDayRecordUnderTPlusOne) {
  // Since 2024-05-28 (T+1 settlement) the record date equals the ex-date.
  CorporateAction a = aapl_dividend();
  a.ex_date = a.record_date = Date::ymd(2024, 8, 12);
  a.pay_date = Date::ymd(2024, 8, 15);
  EXPECT_TRUE(a.validate().ok());
}

TEST(CorporateAction, RejectsBadSplitRatios) {
  for (const auto& [to, from] : std::initializer_list<std::pair<std::int64_t, std::int64_t>>{
           {1, 1}, {2, 2}, {0, 1}, {1, 0}, {-2, 1}, {2, -1}}) {
    const CorporateAction a = split(to, from, Date::ymd(2020, 8, 31));
    expect_invalid(a.validate(),
                   "split on 2020-08-31: split ratio " + std::to_string(to) + ":" + std::to_string(from) + " is not a split");
  }
}

TEST(CorporateAction, RejectsBadDividends) {
  CorporateAction a = aapl_dividend();
  a.amount = Money::zero(2);
  expect_invalid(a.validate(), "dividend on 2024-02-09: amount 0.00 must be positive");
  a.amount = Money::parse("-0.24").value();
  expect_invalid(a.validate(), "amount -0.24");

  a = aapl_dividend();
  a.pay_date = Date::ymd(2024, 2, 8);
  expect_invalid(a.validate(), "pay_date 2024-02-08 before record_date 2024-02-12");

  // Costco's $15 special dividend (announced 2023-12-14): record 2024-01-02, payable
  // 2024-01-12, ex-dividend 2024-01-16 — the due-bill convention for distributions of 25% or
  // more puts the ex-date after the payable date (FINRA Rule 11140(b)(1)).
  a = aapl_dividend();
  a.amount = Money::parse("15.00").value();
  a.record_date = Date::ymd(2024, 1, 2);
  a.pay_date = Date::ymd(2024, 1, 12);
  a.ex_date = Date::ymd(2024, 1, 16);
  EXPECT_TRUE(a.validate().ok()) << a.validate().error().message;

  a = aapl_dividend();
  a.record_date = Date::ymd(2024, 2, 1);
  expect_invalid(a.validate(), "record_date 2024-02-01 more than 7 days before the ex-date");

  a = aapl_dividend();
  a.record_date = Date::ymd(2024, 2, 16);  // after the payment
  expect_invalid(a.validate(), "pay_date 2024-02-15 before record_date 2024-02-16");
}

TEST(CorporateAction, RejectsEmptyNewSymbolAndUnknownKind) {
  CorporateAction a;
  a.kind = CorporateActionKind::kSymbolChange;
  a.ex_date = Date::ymd(2022, 6, 9);
  expect_invalid(a.validate(), "symbol_change on 2022-06-09: empty new symbol");
  a.kind = static_cast<CorporateActionKind>(9);
  expect_invalid(a.validate(), "unknown kind 9");
}

TEST(CorporateAction, KindTextRoundTrip) {
  for (auto k : {CorporateActionKind::kSplit, CorporateActionKind::kCashDividend, CorporateActionKind::kSymbolChange,
                 CorporateActionKind::kDelisting}) {
    EXPECT_EQ(parse_corporate_action_kind(to_string(k)).value(), k);
  }
  EXPECT_EQ(to_string(CorporateActionKind::kCashDividend), "dividend");
  const auto bad = parse_corporate_action_kind("merger");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kParse);
  EXPECT_NE(bad.error().message.find("'merger'"), std::string::npos);
  EXPECT_FALSE(parse_corporate_action_kind("Split").ok());  // exact spelling only
}

// Any positive ratio pair validates exactly when the two sides differ.
RC_GTEST_PROP(CorporateActionProp, SplitValidIffRatiosPositiveAndDistinct, ()) {
  const auto to = *rc::gen::inRange<std::int64_t>(-5, 50);
  const auto from = *rc::gen::inRange<std::int64_t>(-5, 50);
  const bool valid = split(to, from, Date::ymd(2020, 1, 2)).validate().ok();
  RC_ASSERT(valid == (to > 0 && from > 0 && to != from));
}

}  // namespace
}  // namespace keel
