// keel/testkit/store_contract_tests.hpp — the Store contract (data/store.hpp and the details in
// data/store_util.hpp) as value-parametrized GoogleTest cases that every backend runs.
//
// Usage, in a backend's *_test.cpp:
//   std::unique_ptr<keel::data::Store> make(const std::string& dir) { ... }
//   INSTANTIATE_TEST_SUITE_P(MyBackend, StoreContractTest, ::testing::Values(&make));
// The factory gets a fresh, empty scratch directory per test. Expected values are worked out by
// hand in the comments (prices in cents, so 100.25 is raw 10'025'000'000).
// Header-only on purpose: keel_testkit does not link GoogleTest.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "keel/data/store.hpp"
#include "keel/testkit/store_samples.hpp"
#include "keel/testkit/temp_dir.hpp"

namespace keel::testkit {

using StoreFactory = std::unique_ptr<data::Store> (*)(const std::string& dir);

class StoreContractTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam()(dir_.path());
    ASSERT_NE(store_, nullptr);
  }
  data::Store& store() { return *store_; }

  static constexpr std::int64_t kT1 = 1'700'000'000'000'000'000;  // ingestion times
  static constexpr std::int64_t kT2 = kT1 + 1'000'000'000;
  static constexpr std::int64_t kT3 = kT2 + 1'000'000'000;
  static Timestamp day(int d) { return Timestamp::from_date(Date::ymd(2024, 1, d)); }

  // Inserts AAPL (id 1) and MSFT (id 2) at kT1 and returns their ids.
  std::pair<InstrumentId, InstrumentId> two_equities() {
    auto tx = store().begin(sample_lineage(kT1));
    EXPECT_TRUE(tx.ok());
    auto a = (*tx)->upsert_instrument(sample_equity("AAPL"));
    auto m = (*tx)->upsert_instrument(sample_equity("MSFT"));
    EXPECT_TRUE(a.ok() && m.ok());
    EXPECT_TRUE((*tx)->commit().ok());
    return {*a, *m};
  }

  data::WriteCounts write_bars(std::int64_t t, const std::vector<Bar>& bars) {
    auto tx = store().begin(sample_lineage(t));
    EXPECT_TRUE(tx.ok());
    auto c = (*tx)->put_bars(bars);
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    EXPECT_TRUE((*tx)->commit().ok());
    return c.ok() ? *c : data::WriteCounts{-1, -1, -1};
  }

  TempDir dir_;
  std::unique_ptr<data::Store> store_;
};

inline void expect_counts(const data::WriteCounts& c, std::int64_t added, std::int64_t unchanged, std::int64_t revised) {
  EXPECT_EQ(c.added, added);
  EXPECT_EQ(c.unchanged, unchanged);
  EXPECT_EQ(c.revised, revised);
}

TEST_P(StoreContractTest, InstrumentsGetSequentialIdsAndUpsertIsIdempotent) {
  auto [aapl, msft] = two_equities();
  EXPECT_EQ(aapl.value(), 1);
  EXPECT_EQ(msft.value(), 2);
  auto tx = store().begin(sample_lineage(kT2));
  ASSERT_TRUE(tx.ok());
  auto again = (*tx)->upsert_instrument(sample_equity("AAPL"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->value(), 1);
  Instrument changed = sample_equity("AAPL");
  changed.currency = "EUR";
  auto conflict = (*tx)->upsert_instrument(changed);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
  EXPECT_NE(conflict.error().message.find("AAPL"), std::string::npos);
  auto invalid = (*tx)->upsert_instrument(sample_equity(""));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE((*tx)->commit().ok());

  auto found = store().find_instrument("MSFT");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id.value(), 2);
  EXPECT_EQ((*found)->symbol, "MSFT");
  auto missing = store().find_instrument("IBM");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  auto by_id = store().instrument(InstrumentId(1));
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->symbol, "AAPL");
  EXPECT_EQ(store().instrument(InstrumentId(99)).error().code, ErrorCode::kNotFound);
  auto all = store().instruments();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].symbol, "AAPL");
  EXPECT_EQ((*all)[1].symbol, "MSFT");
}

TEST_P(StoreContractTest, OptionInstrumentRoundTripsEveryField) {
  Instrument opt = sample_option("AAPL", Date::ymd(2024, 1, 19), 190, OptionRight::kPut);
  opt.option->multiplier = 150;  // an adjusted contract after an odd split
  opt.option->exercise = ExerciseStyle::kEuropean;
  opt.option->settlement = Settlement::kCash;
  opt.tick_size = Price::from_raw(5'000'000, 2);  // 0.05
  auto tx = store().begin(sample_lineage(kT1));
  ASSERT_TRUE(tx.ok());
  auto id = (*tx)->upsert_instrument(opt);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE((*tx)->commit().ok());
  auto back = store().find_instrument("AAPL  240119P00190000");
  ASSERT_TRUE(back.ok() && back->has_value());
  Instrument expected = opt;
  expected.id = *id;
  EXPECT_EQ(**back, expected);
  EXPECT_EQ((*back)->tick_size.precision(), 2);
  EXPECT_EQ((*back)->option->strike.to_string(), "190.00");
}

TEST_P(StoreContractTest, BarsRoundTripWithInclusiveRange) {
  auto [aapl, msft] = two_equities();
  // 2024-01-02..04, prices in cents.
  const std::vector<Bar> bars = {sample_bar(aapl, kOneDay, day(2), 18500, 18700, 18400, 18600, 1000, 7),
                                 sample_bar(aapl, kOneDay, day(3), 18600, 18900, 18500, 18800, 2000),
                                 sample_bar(aapl, kOneDay, day(4), 18800, 18800, 18100, 18200, 3000)};
  expect_counts(write_bars(kT2, bars), 3, 0, 0);
  auto all = store().load_bars(aapl, kOneDay, Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(all.ok());
  BarColumns expected;
  expected.instrument = aapl;
  expected.timeframe = kOneDay;
  for (const Bar& b : bars) expected.push_back(b);
  EXPECT_EQ(*all, expected);
  EXPECT_EQ(all->close[2], std::int64_t{18200} * 1'000'000);  // 182.00 at 1e-8

  // [day 3, day 4] inclusive on both ends: two bars.
  auto sub = store().load_bars(aapl, kOneDay, day(3), day(4));
  ASSERT_TRUE(sub.ok());
  ASSERT_EQ(sub->size(), 2u);
  EXPECT_EQ(sub->ts_event[0], day(3).ns());
  EXPECT_EQ(sub->ts_event[1], day(4).ns());
  auto none = store().load_bars(aapl, kOneDay, day(4), day(3));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->size(), 0u);
  // Another timeframe and another instrument are other series.
  auto minute = store().load_bars(aapl, kOneMinute, Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(minute.ok());
  EXPECT_EQ(minute->size(), 0u);
  auto other = store().load_bars(msft, kOneDay, Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->size(), 0u);
  EXPECT_EQ(store().load_bars(InstrumentId(42), kOneDay, day(1), day(9)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().load_bars(aapl, Duration(0), day(1), day(9)).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(StoreContractTest, RewritingIdenticalBarsAddsNothing) {
  auto [aapl, msft] = two_equities();
  const std::vector<Bar> bars = {sample_bar(aapl, kOneDay, day(2), 100, 110, 90, 105, 10),
                                 sample_bar(aapl, kOneDay, day(3), 105, 120, 100, 115, 20)};
  expect_counts(write_bars(kT2, bars), 2, 0, 0);
  expect_counts(write_bars(kT3, bars), 0, 2, 0);
  // Unchanged rows add no revision: the view as of kT2 is already the full series.
  auto at_t2 = store().load_bars(aapl, kOneDay, Timestamp::min(), Timestamp::max(), data::AsOf::at(Timestamp::from_ns(kT2)));
  auto latest = store().load_bars(aapl, kOneDay, Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(at_t2.ok() && latest.ok());
  EXPECT_EQ(*at_t2, *latest);
  EXPECT_EQ(latest->size(), 2u);
}

TEST_P(StoreContractTest, RevisionsAndAsOfReads) {
  auto [aapl, msft] = two_equities();
  expect_counts(write_bars(kT1, {sample_bar(aapl, kOneDay, day(2), 100, 110, 90, 100, 10)}), 1, 0, 0);
  // A vendor correction: close 100 -> 101 known from kT2; a new bar for day 3 at the same time.
  expect_counts(write_bars(kT2, {sample_bar(aapl, kOneDay, day(2), 100, 110, 90, 101, 10),
                                 sample_bar(aapl, kOneDay, day(3), 101, 102, 99, 100, 10)}),
                1, 0, 1);
  auto load = [&](std::int64_t t) {
    auto r = store().load_bars(aapl, kOneDay, Timestamp::min(), Timestamp::max(), data::AsOf::at(Timestamp::from_ns(t)));
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : BarColumns{};
  };
  const std::int64_t cent = 1'000'000;
  EXPECT_EQ(load(kT1 - 1).size(), 0u);  // before anything was known
  ASSERT_EQ(load(kT1).size(), 1u);      // as of kT1 exactly: the first revision
  EXPECT_EQ(load(kT1).close[0], 100 * cent);
  ASSERT_EQ(load(kT2 - 1).size(), 1u);
  EXPECT_EQ(load(kT2 - 1).close[0], 100 * cent);
  ASSERT_EQ(load(kT2).size(), 2u);
  EXPECT_EQ(load(kT2).close[0], 101 * cent);
  auto latest = store().load_bars(aapl, kOneDay, Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(*latest, load(kT2));
}

TEST_P(StoreContractTest, ConflictingValuesAtOneKnowledgeTimeAreRejected) {
  auto [aapl, msft] = two_equities();
  expect_counts(write_bars(kT2, {sample_bar(aapl, kOneDay, day(2), 100, 110, 90, 100, 10)}), 1, 0, 0);
  for (std::int64_t t : {kT2, kT2 - 5}) {  // same ingestion time, then an earlier one
    auto tx = store().begin(sample_lineage(t));
    ASSERT_TRUE(tx.ok());
    std::vector<Bar> changed = {sample_bar(aapl, kOneDay, day(2), 100, 110, 90, 102, 10)};
    auto c = (*tx)->put_bars(changed);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, ErrorCode::kConflict);
    EXPECT_NE(c.error().message.find("row 0"), std::string::npos) << c.error().message;
  }
  // Within one call: the same key twice, identical → 1 added + 1 unchanged; different → conflict.
  auto tx = store().begin(sample_lineage(kT3));
  ASSERT_TRUE(tx.ok());
  const Bar b = sample_bar(aapl, kOneDay, day(5), 100, 110, 90, 100, 10);
  std::vector<Bar> twice = {b, b};
  auto ok = (*tx)->put_bars(twice);
  ASSERT_TRUE(ok.ok());
  expect_counts(*ok, 1, 1, 0);
  std::vector<Bar> differ = {sample_bar(aapl, kOneDay, day(8), 100, 110, 90, 100, 10),
                             sample_bar(aapl, kOneDay, day(8), 100, 110, 90, 101, 10)};
  auto bad = (*tx)->put_bars(differ);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kConflict);
  EXPECT_NE(bad.error().message.find("row 1"), std::string::npos) << bad.error().message;
}

TEST_P(StoreContractTest, TransactionDestroyedWithoutCommitLeavesNoTrace) {
  auto [aapl, msft] = two_equities();
  expect_counts(write_bars(kT1, {sample_bar(aapl, kOneDay, day(2), 100, 110, 90, 100, 10)}), 1, 0, 0);
  auto before = store().load_bars(aapl, kOneDay, Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(before.ok());
  {
    auto tx = store().begin(sample_lineage(kT2));
    ASSERT_TRUE(tx.ok());
    auto ibm = (*tx)->upsert_instrument(sample_equity("IBM"));
    ASSERT_TRUE(ibm.ok());
    std::vector<Bar> bars = {sample_bar(aapl, kOneDay, day(2), 100, 110, 90, 105, 10),
                             sample_bar(*ibm, kOneDay, day(2), 100, 110, 90, 105, 10)};
    ASSERT_TRUE((*tx)->put_bars(bars).ok());
    std::vector<CorporateAction> acts = {sample_dividend(aapl, Date::ymd(2024, 2, 9), 24)};
    ASSERT_TRUE((*tx)->put_corporate_actions(acts).ok());
    // Reads inside the open transaction see its writes.
    auto inside = store().find_instrument("IBM");
    ASSERT_TRUE(inside.ok());
    EXPECT_TRUE(inside->has_value());
  }  // no commit
  auto ibm = store().find_instrument("IBM");
  ASSERT_TRUE(ibm.ok());
  EXPECT_FALSE(ibm->has_value());
  auto after = store().load_bars(aapl, kOneDay, Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *before);
  auto acts = store().corporate_actions(aapl);
  ASSERT_TRUE(acts.ok());
  EXPECT_TRUE(acts->empty());
  auto all = store().instruments();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  // The next new instrument reuses id 3: the rolled-back one never existed.
  auto tx = store().begin(sample_lineage(kT3));
  ASSERT_TRUE(tx.ok());
  auto id = (*tx)->upsert_instrument(sample_equity("IBM"));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->value(), 3);
}

TEST_P(StoreContractTest, FailedCallChangesNothingAndTransactionStaysUsable) {
  auto [aapl, msft] = two_equities();
  auto tx = store().begin(sample_lineage(kT2));
  ASSERT_TRUE(tx.ok());
  Bar bad = sample_bar(aapl, kOneDay, day(3), 100, 110, 90, 100, 10);
  bad.low = Price::from_raw(200 * 1'000'000, 2);  // low 2.00 > high 1.10
  std::vector<Bar> mixed = {sample_bar(aapl, kOneDay, day(2), 100, 110, 90, 100, 10), bad};
  auto r = (*tx)->put_bars(mixed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("row 1"), std::string::npos) << r.error().message;
  std::vector<Bar> unknown = {sample_bar(InstrumentId(77), kOneDay, day(2), 100, 110, 90, 100, 10)};
  auto u = (*tx)->put_bars(unknown);
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code, ErrorCode::kNotFound);
  std::vector<Bar> good = {sample_bar(aapl, kOneDay, day(2), 100, 110, 90, 100, 10)};
  auto g = (*tx)->put_bars(good);
  ASSERT_TRUE(g.ok());
  expect_counts(*g, 1, 0, 0);  // row 0 of the failed call was never applied
  ASSERT_TRUE((*tx)->commit().ok());
  EXPECT_EQ((*tx)->commit().error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ((*tx)->put_bars(good).error().code, ErrorCode::kInvalidArgument);
  auto loaded = store().load_bars(aapl, kOneDay, Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->size(), 1u);
}

TEST_P(StoreContractTest, BeginChecksLineageAndRefusesASecondOpenTransaction) {
  EXPECT_EQ(store().begin(data::Lineage{Timestamp::from_ns(kT1), "", "x/1"}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store().begin(data::Lineage{Timestamp::from_ns(kT1), "file:///a.csv", ""}).error().code,
            ErrorCode::kInvalidArgument);
  auto first = store().begin(sample_lineage(kT1));
  ASSERT_TRUE(first.ok());
  auto second = store().begin(sample_lineage(kT1));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  first = make_error(ErrorCode::kInternal, "drop");  // destroys the first transaction
  auto third = store().begin(sample_lineage(kT1));
  EXPECT_TRUE(third.ok());
}

TEST_P(StoreContractTest, OptionQuotesSortedByTimeThenContract) {
  auto tx = store().begin(sample_lineage(kT1));
  ASSERT_TRUE(tx.ok());
  auto aapl = (*tx)->upsert_instrument(sample_equity("AAPL"));                                        // id 1
  auto put = (*tx)->upsert_instrument(sample_option("AAPL", Date::ymd(2024, 2, 16), 180, OptionRight::kPut));   // 2
  auto call = (*tx)->upsert_instrument(sample_option("AAPL", Date::ymd(2024, 1, 19), 190, OptionRight::kCall));  // 3
  auto msft = (*tx)->upsert_instrument(sample_option("MSFT", Date::ymd(2024, 1, 19), 400, OptionRight::kCall));  // 4
  ASSERT_TRUE(aapl.ok() && put.ok() && call.ok() && msft.ok());
  // Written contract by contract; read back by (ts_event, instrument).
  std::vector<OptionQuote> quotes = {sample_quote(*call, day(3), 250, 260), sample_quote(*call, day(2), 240, 250),
                                     sample_quote(*put, day(2), 300, 320, 7, 900, 18500),
                                     sample_quote(*msft, day(2), 500, 520)};
  auto c = (*tx)->put_option_quotes(quotes);
  ASSERT_TRUE(c.ok());
  expect_counts(*c, 4, 0, 0);
  std::vector<OptionQuote> on_equity = {sample_quote(*aapl, day(2), 1, 2)};
  EXPECT_EQ((*tx)->put_option_quotes(on_equity).error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE((*tx)->commit().ok());

  auto loaded = store().load_option_quotes("AAPL", Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(loaded.ok());
  OptionQuoteColumns expected;
  expected.push_back(quotes[2]);  // day 2, id 2
  expected.push_back(quotes[1]);  // day 2, id 3
  expected.push_back(quotes[0]);  // day 3, id 3
  EXPECT_EQ(*loaded, expected);
  auto day3 = store().load_option_quotes("AAPL", day(3), day(3));
  ASSERT_TRUE(day3.ok());
  ASSERT_EQ(day3->size(), 1u);
  EXPECT_EQ(day3->bid[0], 250 * 1'000'000);
  auto none = store().load_option_quotes("IBM", Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->size(), 0u);

  auto chain = store().option_contracts("AAPL", Date::ymd(2024, 1, 1));
  ASSERT_TRUE(chain.ok());
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ((*chain)[0].id, *call);  // Jan expiry first
  EXPECT_EQ((*chain)[1].id, *put);
  auto later = store().option_contracts("AAPL", Date::ymd(2024, 1, 20));
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].id, *put);
  auto on_expiry = store().option_contracts("AAPL", Date::ymd(2024, 2, 16));  // expiry >= from, inclusive
  ASSERT_TRUE(on_expiry.ok());
  EXPECT_EQ(on_expiry->size(), 1u);
}

TEST_P(StoreContractTest, OptionQuoteRevisionKeepsSizesAndAsOf) {
  auto tx = store().begin(sample_lineage(kT1));
  ASSERT_TRUE(tx.ok());
  auto call = (*tx)->upsert_instrument(sample_option("SPY", Date::ymd(2024, 3, 15), 480, OptionRight::kCall));
  ASSERT_TRUE(call.ok());
  std::vector<OptionQuote> q1 = {sample_quote(*call, day(2), 500, 510)};
  ASSERT_TRUE((*tx)->put_option_quotes(q1).ok());
  ASSERT_TRUE((*tx)->commit().ok());
  auto tx2 = store().begin(sample_lineage(kT2));
  ASSERT_TRUE(tx2.ok());
  std::vector<OptionQuote> q2 = q1;
  q2[0].bid_size = Quantity::from_raw(3 * kFixedScale, 0);  // only a size differs: still a revision
  auto c = (*tx2)->put_option_quotes(q2);
  ASSERT_TRUE(c.ok());
  expect_counts(*c, 0, 0, 1);
  auto c2 = (*tx2)->put_option_quotes(q2);
  ASSERT_TRUE(c2.ok());
  expect_counts(*c2, 0, 1, 0);
  ASSERT_TRUE((*tx2)->commit().ok());
  auto old = store().load_option_quotes("SPY", Timestamp::min(), Timestamp::max(), data::AsOf::at(Timestamp::from_ns(kT1)));
  auto now = store().load_option_quotes("SPY", Timestamp::min(), Timestamp::max());
  ASSERT_TRUE(old.ok() && now.ok());
  ASSERT_EQ(old->size(), 1u);
  ASSERT_EQ(now->size(), 1u);
  EXPECT_EQ(old->row(0), now->row(0));  // the columns carry no sizes, so the views look alike
}

TEST_P(StoreContractTest, CorporateActionsRoundTripRevisionAndOrder) {
  auto [aapl, msft] = two_equities();
  // Apple's 4-for-1 split, ex-date 2020-08-31, and a dividend of 0.82 ex 2020-08-07.
  std::vector<CorporateAction> acts = {sample_split(aapl, Date::ymd(2020, 8, 31), 4, 1),
                                       sample_dividend(aapl, Date::ymd(2020, 8, 7), 82)};
  acts[0].ts_recv = Timestamp::from_date(Date::ymd(2020, 7, 30));
  auto tx = store().begin(sample_lineage(kT1));
  ASSERT_TRUE(tx.ok());
  auto c = (*tx)->put_corporate_actions(acts);
  ASSERT_TRUE(c.ok());
  expect_counts(*c, 2, 0, 0);
  CorporateAction rename;
  rename.instrument = msft;
  rename.kind = CorporateActionKind::kSymbolChange;
  rename.ex_date = rename.record_date = rename.pay_date = Date::ymd(2020, 8, 7);
  rename.new_symbol = "MSFT2";
  std::vector<CorporateAction> r = {rename};
  ASSERT_TRUE((*tx)->put_corporate_actions(r).ok());
  ASSERT_TRUE((*tx)->commit().ok());

  auto got = store().corporate_actions(aapl);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0], acts[1]);  // 2020-08-07 before 2020-08-31
  EXPECT_EQ((*got)[1], acts[0]);
  EXPECT_EQ((*got)[0].amount.to_string(), "0.82");
  auto msft_acts = store().corporate_actions(msft);
  ASSERT_TRUE(msft_acts.ok());
  ASSERT_EQ(msft_acts->size(), 1u);
  EXPECT_EQ((*msft_acts)[0], rename);

  // The dividend is corrected to 0.205 at kT2 (a revision); as of kT1 the old amount shows.
  std::vector<CorporateAction> fix = {acts[1]};
  fix[0].amount = Money::from_raw(20'500'000, 3);
  auto tx2 = store().begin(sample_lineage(kT2));
  ASSERT_TRUE(tx2.ok());
  auto c2 = (*tx2)->put_corporate_actions(fix);
  ASSERT_TRUE(c2.ok());
  expect_counts(*c2, 0, 0, 1);
  ASSERT_TRUE((*tx2)->commit().ok());
  auto now = store().corporate_actions(aapl);
  auto then = store().corporate_actions(aapl, data::AsOf::at(Timestamp::from_ns(kT1)));
  ASSERT_TRUE(now.ok() && then.ok());
  EXPECT_EQ((*now)[0].amount.raw(), 20'500'000);
  EXPECT_EQ((*now)[0].amount.to_string(), "0.205");
  EXPECT_EQ((*then)[0].amount.raw(), 82'000'000);
  EXPECT_EQ(store().corporate_actions(InstrumentId(9)).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, SummaryListsSeriesPerInstrument) {
  auto [aapl, msft] = two_equities();
  expect_counts(write_bars(kT2, {sample_bar(aapl, kOneMinute, day(2), 100, 110, 90, 100, 1),
                                 sample_bar(aapl, kOneDay, day(3), 100, 110, 90, 100, 1),
                                 sample_bar(aapl, kOneDay, day(2), 100, 110, 90, 100, 1),
                                 sample_bar(msft, kOneDay, day(5), 100, 110, 90, 100, 1)}),
                4, 0, 0);
  // A revision adds no row to the summary.
  expect_counts(write_bars(kT3, {sample_bar(aapl, kOneDay, day(3), 100, 110, 90, 101, 1)}), 0, 0, 1);
  auto tx = store().begin(sample_lineage(kT3 + 1));
  ASSERT_TRUE(tx.ok());
  std::vector<CorporateAction> acts = {sample_dividend(msft, Date::ymd(2024, 2, 14), 75),
                                       sample_split(msft, Date::ymd(2003, 2, 18), 2, 1)};
  ASSERT_TRUE((*tx)->put_corporate_actions(acts).ok());
  ASSERT_TRUE((*tx)->commit().ok());

  auto s = store().summary();
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 4u);
  EXPECT_EQ((*s)[0].instrument.symbol, "AAPL");
  EXPECT_EQ((*s)[0].kind, "bars:1m");
  EXPECT_EQ((*s)[0].rows, 1);
  EXPECT_EQ((*s)[1].kind, "bars:1d");
  EXPECT_EQ((*s)[1].rows, 2);
  EXPECT_EQ((*s)[1].first, day(2));
  EXPECT_EQ((*s)[1].last, day(3));
  EXPECT_EQ((*s)[2].instrument.symbol, "MSFT");
  EXPECT_EQ((*s)[2].kind, "bars:1d");
  EXPECT_EQ((*s)[3].kind, "corporate_actions");
  EXPECT_EQ((*s)[3].rows, 2);
  EXPECT_EQ((*s)[3].first, Timestamp::from_date(Date::ymd(2003, 2, 18)));
  EXPECT_EQ((*s)[3].last, Timestamp::from_date(Date::ymd(2024, 2, 14)));
}

}  // namespace keel::testkit
