// Runs the Store contract suite (testkit/store_contract_tests.hpp) on the in-memory oracle, plus
// checks of the oracle's own test helpers.
#include "keel/testkit/memory_store.hpp"

#include <gtest/gtest.h>

#include "keel/data/store_util.hpp"
#include "keel/testkit/store_contract_tests.hpp"

namespace keel::testkit {
namespace {

std::unique_ptr<data::Store> make_memory_store(const std::string&) { return std::make_unique<MemoryStore>(); }

INSTANTIATE_TEST_SUITE_P(Memory, StoreContractTest, ::testing::Values(&make_memory_store));

TEST(MemoryStore, KeepsLineagePerRevision) {
  MemoryStore store;
  auto tx = store.begin(data::Lineage{Timestamp::from_ns(10), "file:///v1.csv", "csv-yahoo/1"});
  ASSERT_TRUE(tx.ok());
  auto id = (*tx)->upsert_instrument(sample_equity("AAPL"));
  ASSERT_TRUE(id.ok());
  const Timestamp d = Timestamp::from_date(Date::ymd(2024, 1, 2));
  std::vector<Bar> v1 = {sample_bar(*id, kOneDay, d, 100, 110, 90, 100, 1)};
  ASSERT_TRUE((*tx)->put_bars(v1).ok());
  ASSERT_TRUE((*tx)->commit().ok());
  auto tx2 = store.begin(data::Lineage{Timestamp::from_ns(20), "file:///v2.csv", "csv-yahoo/2"});
  ASSERT_TRUE(tx2.ok());
  std::vector<Bar> v2 = {sample_bar(*id, kOneDay, d, 100, 110, 90, 101, 1)};
  ASSERT_TRUE((*tx2)->put_bars(v2).ok());
  ASSERT_TRUE((*tx2)->put_bars(v2).ok());  // unchanged: no third revision
  ASSERT_TRUE((*tx2)->commit().ok());
  EXPECT_EQ(store.revision_count(), 2);
  auto now = store.bar_lineage(*id, kOneDay, d);
  ASSERT_TRUE(now.has_value());
  EXPECT_EQ(now->source_uri, "file:///v2.csv");
  EXPECT_EQ(now->transform_id, "csv-yahoo/2");
  EXPECT_EQ(now->ingested_at.ns(), 20);
  auto then = store.bar_lineage(*id, kOneDay, d, data::AsOf::at(Timestamp::from_ns(19)));
  ASSERT_TRUE(then.has_value());
  EXPECT_EQ(then->source_uri, "file:///v1.csv");
  EXPECT_FALSE(store.bar_lineage(*id, kOneDay, d, data::AsOf::at(Timestamp::from_ns(9))).has_value());
}

TEST(StoreUtil, TimeframeLabels) {
  EXPECT_EQ(data::timeframe_label(kOneDay), "1d");
  EXPECT_EQ(data::timeframe_label(std::chrono::hours(4)), "4h");
  EXPECT_EQ(data::timeframe_label(std::chrono::minutes(60)), "1h");
  EXPECT_EQ(data::timeframe_label(std::chrono::minutes(90)), "90m");
  EXPECT_EQ(data::timeframe_label(std::chrono::seconds(30)), "30s");
  EXPECT_EQ(data::timeframe_label(std::chrono::milliseconds(250)), "250ms");
  EXPECT_EQ(data::timeframe_label(std::chrono::microseconds(10)), "10us");
  EXPECT_EQ(data::timeframe_label(Duration(7)), "7ns");
  EXPECT_EQ(data::timeframe_label(Duration(0)), "0ns");
}

}  // namespace
}  // namespace keel::testkit
