// Tests for AppendLog: the same appends as a std::vector give the same sequence through every
// access path, element addresses never change as chunks are added, and copies are deep.
#include "keel/core/append_log.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <array>
#include <numeric>
#include <string>
#include <vector>

namespace keel {
namespace {

struct Big {
  std::array<char, 1000> pad{};
  std::string name;
  int value = 0;
};

TEST(AppendLog, MatchesVectorAcrossChunkBoundaries) {
  AppendLog<Big> log;
  std::vector<Big> ref;
  ASSERT_EQ(AppendLog<Big>::kPerChunk, 65536u / sizeof(Big));
  const int n = static_cast<int>(3 * AppendLog<Big>::kPerChunk + 7);
  std::vector<const Big*> addresses;
  for (int i = 0; i < n; ++i) {
    Big b;
    b.name = "record number " + std::to_string(i) + " with a name too long for the small-string buffer";
    b.value = i * 7 - 3;
    ref.push_back(b);
    const Big& added = (i % 2 == 0) ? log.emplace_back(b) : (log.push_back(b), log.back());
    addresses.push_back(&added);
  }
  ASSERT_EQ(log.size(), ref.size());
  EXPECT_FALSE(log.empty());
  EXPECT_EQ(log.front().value, ref.front().value);
  EXPECT_EQ(log.back().name, ref.back().name);
  for (std::size_t i = 0; i < ref.size(); ++i) {
    EXPECT_EQ(log[i].value, ref[i].value) << i;
    EXPECT_EQ(log[i].name, ref[i].name) << i;
    EXPECT_EQ(&log[i], addresses[i]) << "element " << i << " moved";
  }
  // Iteration (range-for, const iterators, reverse, random-access arithmetic, std algorithms).
  std::size_t k = 0;
  for (const Big& b : log) EXPECT_EQ(b.value, ref[k++].value);
  EXPECT_EQ(k, ref.size());
  const AppendLog<Big>& clog = log;
  EXPECT_EQ(clog.end() - clog.begin(), static_cast<std::ptrdiff_t>(ref.size()));
  EXPECT_EQ((clog.begin() + 100)->value, ref[100].value);
  EXPECT_EQ(std::prev(clog.end())->value, ref.back().value);
  const long sum = std::accumulate(clog.begin(), clog.end(), 0L, [](long s, const Big& b) { return s + b.value; });
  const long ref_sum = std::accumulate(ref.begin(), ref.end(), 0L, [](long s, const Big& b) { return s + b.value; });
  EXPECT_EQ(sum, ref_sum);
  auto it = std::find_if(log.begin(), log.end(), [](const Big& b) { return b.value == 7 * 150 - 3; });
  ASSERT_NE(it, log.end());
  EXPECT_EQ(it - log.begin(), 150);
  std::vector<int> backwards;
  for (auto r = clog.end(); r != clog.begin();) backwards.push_back((--r)->value);
  EXPECT_EQ(backwards.front(), ref.back().value);
  EXPECT_EQ(backwards.back(), ref.front().value);
}

TEST(AppendLog, CopyIsDeepAndKeepsAppendingWithoutMovingOriginals) {
  AppendLog<std::string> a;
  for (int i = 0; i < 5000; ++i) a.push_back(std::to_string(i));
  AppendLog<std::string> b = a;
  a[0] = "changed";
  EXPECT_EQ(b[0], "0");
  const std::string* last = &b.back();
  for (int i = 0; i < 5000; ++i) b.push_back("more");
  EXPECT_EQ(last, &b[4999]);  // appends after a copy do not move the copy's elements
  EXPECT_EQ(b.size(), 10000u);
  AppendLog<std::string> c = std::move(b);
  EXPECT_EQ(&c[4999], last);  // a move keeps addresses
  c.clear();
  EXPECT_TRUE(c.empty());
  c.push_back("x");
  EXPECT_EQ(c.size(), 1u);
  EXPECT_EQ(c.front(), "x");
}

TEST(AppendLog, ChunksFromHugePageBlocksKeepAddressesAndValues) {
  // Past the first 16 chunks the storage comes from 2 MiB blocks: 100 chunks of 2,048 strings
  // (64 KiB each) span the plain chunks and four blocks.
  AppendLog<std::string> log;
  ASSERT_EQ(AppendLog<std::string>::kPerChunk, 2048u);
  const std::size_t n = 100 * 2048 + 5;
  std::vector<const std::string*> where;
  where.reserve(n);
  for (std::size_t i = 0; i < n; ++i) where.push_back(&log.emplace_back("value " + std::to_string(i) + " padded past SSO"));
  ASSERT_EQ(log.size(), n);
  for (std::size_t i = 0; i < n; i += 997) {
    EXPECT_EQ(&log[i], where[i]);
    EXPECT_EQ(log[i], "value " + std::to_string(i) + " padded past SSO");
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(&log[i]) % alignof(std::string), 0u);
  }
  AppendLog<std::string> moved;
  moved = std::move(log);
  EXPECT_EQ(&moved[n - 1], where[n - 1]);
  EXPECT_EQ(log.size(), 0u);  // NOLINT(bugprone-use-after-move): a moved-from log is empty
  log.push_back("reused");
  EXPECT_EQ(log.back(), "reused");
}

}  // namespace
}  // namespace keel
