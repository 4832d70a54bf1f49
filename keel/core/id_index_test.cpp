#include "keel/core/id_index.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <unordered_map>

namespace keel {
namespace {

TEST(IdIndex, SlotsAreDenseInFirstInsertionOrder) {
  IdIndex idx;
  EXPECT_EQ(idx.find(7), IdIndex::kNone);
  EXPECT_EQ(idx.insert(7), 0u);
  EXPECT_EQ(idx.insert(-3), 1u);
  EXPECT_EQ(idx.insert(0), 2u);
  EXPECT_EQ(idx.insert(7), 0u);  // known: same slot, nothing added
  EXPECT_EQ(idx.size(), 3u);
  EXPECT_EQ(idx.find(-3), 1u);
  EXPECT_EQ(idx.find(0), 2u);
  EXPECT_EQ(idx.find(8), IdIndex::kNone);
}

// The reference is std::unordered_map assigning slots in insertion order.
void check_against_map(const std::vector<std::int64_t>& ids) {
  IdIndex idx;
  std::unordered_map<std::int64_t, std::uint32_t> ref;
  for (std::int64_t id : ids) {
    auto [it, fresh] = ref.emplace(id, static_cast<std::uint32_t>(ref.size()));
    ASSERT_EQ(idx.insert(id), it->second) << id;
    (void)fresh;
  }
  ASSERT_EQ(idx.size(), ref.size());
  for (const auto& [id, slot] : ref) ASSERT_EQ(idx.find(id), slot) << id;
}

TEST(IdIndex, MatchesAMapOverRandomIds) {
  std::mt19937_64 rng(20261207);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 20'000; ++i) ids.push_back(static_cast<std::int64_t>(rng() % 5'000) - 2'500);
  for (int i = 0; i < 20'000; ++i) ids.push_back(static_cast<std::int64_t>(rng()));
  check_against_map(ids);
}

TEST(IdIndex, MatchesAMapOverCollidingIds) {
  // Multiples of a large power of two share their low bits; extremes of the range too.
  std::vector<std::int64_t> ids;
  for (std::int64_t k = 0; k < 4'000; ++k) ids.push_back(k << 40);
  ids.push_back(INT64_MIN);
  ids.push_back(INT64_MAX);
  ids.push_back(-1);
  for (std::int64_t k = 0; k < 4'000; ++k) ids.push_back(k << 40);  // all known again
  check_against_map(ids);
}

TEST(IdMap, InsertFindEraseLikeAMap) {
  IdMap<std::string> m;
  EXPECT_EQ(m.find(5), nullptr);
  m.insert_or_assign(5, "five");
  m[9] += "nine";
  ASSERT_NE(m.find(5), nullptr);
  EXPECT_EQ(*m.find(5), "five");
  EXPECT_EQ(*m.find(9), "nine");
  m.insert_or_assign(5, "FIVE");
  EXPECT_EQ(*m.find(5), "FIVE");
  m.erase(5);
  EXPECT_EQ(m.find(5), nullptr);
  EXPECT_EQ(m[5], "");  // default-constructed again after an erase
  m.erase(42);          // unknown: nothing happens
  EXPECT_EQ(m.find(42), nullptr);
}

TEST(StringSet, InsertReportsNewStringsLikeStdSet) {
  StringSet set;
  std::unordered_map<std::string, int> ref;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 30'000; ++i) {
    // Order-id-like strings, many repeated, and some longer than the small-string buffer.
    const std::string s = (i % 3 == 0 ? "a-rather-long-prefix-for-the-heap-" : "BT-") + std::to_string(rng() % 20'000);
    const bool fresh = ref.emplace(s, 0).second;
    ASSERT_EQ(set.insert(s), fresh) << s;
    ASSERT_FALSE(set.insert(s)) << s;  // now present
  }
  EXPECT_EQ(set.size(), ref.size());
  EXPECT_TRUE(set.insert("BT-20000"));  // never drawn (rng() % 20'000 < 20'000)
  EXPECT_TRUE(set.insert(""));
  EXPECT_FALSE(set.insert(""));
}

TEST(StringSet, CounterIdsAndTheirLookalikesStayDistinct) {
  // The first counter string fixes the bitmap's prefix and width ("BT-" and 6 digits, as the
  // engine's ids); every lookalike below must still be a distinct string: other widths (leading
  // zeros or none), other prefixes, counters past the bitmap's range, digits only.
  StringSet set;
  std::unordered_map<std::string, int> ref;
  std::vector<std::string> all = {"BT-000001", "BT-0000001", "BT-00001", "BT-1", "BT-01", "BT-001", "BT-0", "BT-00", "BT-", "BT", "1", "01", "0",
                                  "XX-1", "bt-1", "BT-16777215", "BT-16777216", "BT-99999999", "BT-123456789",
                                  "BT-1a", "BT-1-2", "BT--1", "ZZ-BT-1",
                                  // the bitmap's prefix and width with a non-digit among the six
                                  // (':' and '/' border the digits in ASCII)
                                  "BT-00001a", "BT-0000a1", "BT-a00001", "BT-12345:", "BT-/12345", "BT-12 345",
                                  "BT-000:01"};
  std::mt19937_64 rng(11);
  for (int i = 0; i < 50'000; ++i) {
    const std::string n = std::to_string(rng() % 70'000);
    all.push_back("BT-" + std::string(6 - std::min<std::size_t>(6, n.size()), '0') + n);  // the engine's form
    if (i % 5 == 0) all.push_back("BT-" + n);
  }
  for (int i = 0; i < 2'000; ++i) all.push_back("LIVE-" + std::to_string(rng() % 1'000));
  for (int round = 0; round < 2; ++round) {
    for (const std::string& s : all) {
      const bool fresh = ref.emplace(s, 0).second;
      ASSERT_EQ(set.insert(s), fresh) << s;
    }
  }
  EXPECT_EQ(set.size(), ref.size());
}

}  // namespace
}  // namespace keel
