// OptionQuoteCache file format: round trips, slice reads across block boundaries equal to a
// plain filter of the rows (the oracle), every key field making a file stale, and damage
// detected in every part of the file (never a wrong series returned).
#include "keel/data/option_quote_cache.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "keel/testkit/gzip_file.hpp"
#include "keel/testkit/temp_dir.hpp"

namespace keel::data {
namespace {

constexpr std::size_t B = OptionQuoteCache::kBlockRows;

// `days` sessions of `per_day` quotes each (contracts 1..per_day), ts_event = day number; every
// field is a distinct function of (day, contract) so a misplaced row cannot go unnoticed.
OptionQuoteColumns chain(std::int64_t days, std::int64_t per_day) {
  OptionQuoteColumns q;
  for (std::int64_t d = 0; d < days; ++d) {
    for (std::int64_t c = 1; c <= per_day; ++c) {
      q.ts_event.push_back(d * 10);
      q.instrument.push_back(c);
      q.ts_recv.push_back(d * 10 + 1);
      q.bid.push_back(d * 1000 + c);
      q.ask.push_back(d * 1000 + c + 5);
      q.last.push_back(-c);
      q.volume.push_back(d);
      q.open_interest.push_back(c * 7);
      q.underlying_price.push_back(d * 3 + c);
    }
  }
  return q;
}

// The oracle: a plain filter, row by row.
OptionQuoteColumns filter(const OptionQuoteColumns& q, std::int64_t from, std::int64_t to) {
  OptionQuoteColumns out;
  for (std::size_t i = 0; i < q.size(); ++i) {
    if (q.ts_event[i] < from || q.ts_event[i] > to) continue;
    out.ts_event.push_back(q.ts_event[i]);
    out.instrument.push_back(q.instrument[i]);
    out.ts_recv.push_back(q.ts_recv[i]);
    out.bid.push_back(q.bid[i]);
    out.ask.push_back(q.ask[i]);
    out.last.push_back(q.last[i]);
    out.volume.push_back(q.volume[i]);
    out.open_interest.push_back(q.open_interest[i]);
    out.underlying_price.push_back(q.underlying_price[i]);
  }
  return out;
}

const OptionQuoteCacheKey kKey{"ACME", Timestamp::from_ns(1234), 0xDEADBEEFCAFEF00DULL};
const Timestamp kMin = Timestamp::min(), kMax = Timestamp::max();
Timestamp ns(std::int64_t v) { return Timestamp::from_ns(v); }

TEST(OptionQuoteCache, RoundTripAndFileLayout) {
  testkit::TempDir dir;
  OptionQuoteCache cache(dir.file("cache"));  // created on the first write
  const OptionQuoteColumns q = chain(30, 100);  // 3,000 rows: one block
  OptionQuoteColumns out;
  EXPECT_EQ(cache.read(kKey, kMin, kMax, &out), CacheRead::kMissing);
  ASSERT_TRUE(cache.write(kKey, q).ok());
  // "ACME" = 0x41 0x43 0x4d 0x45.
  const std::string path = cache.file_path("ACME", kKey.as_of);
  EXPECT_EQ(path, dir.file("cache") + "/quotes-41434d45-1234.kqc");
  // 128-byte header + 8 bytes of name ("ACME" padded) + 1 block x 10 index words + 9 columns.
  const std::size_t payload = 128 + 8 + 80;
  EXPECT_EQ(std::filesystem::file_size(path), payload + 3000u * 9u * 8u);
  const std::string bytes = testkit::read_file(path);
  EXPECT_EQ(bytes.substr(0, 8), "KEELOQTC");
  EXPECT_EQ(bytes.substr(128, 4), "ACME");
  // The first word of the instrument column (the second column) is contract 1.
  std::int64_t w = 0;
  std::memcpy(&w, bytes.data() + payload + 3000 * 8, 8);
  EXPECT_EQ(w, 1);
  ASSERT_EQ(cache.read(kKey, kMin, kMax, &out), CacheRead::kHit);
  EXPECT_EQ(out, q);
  // Days 3..4 are ts 30 and 40: rows 300..499.
  ASSERT_EQ(cache.read(kKey, ns(30), ns(45), &out), CacheRead::kHit);
  ASSERT_EQ(out.size(), 200u);
  EXPECT_EQ(out.bid.front(), 3001);
  EXPECT_EQ(out.bid.back(), 4100);
  EXPECT_EQ(out, filter(q, 30, 45));
  // Nothing in range; from > to.
  ASSERT_EQ(cache.read(kKey, ns(1), ns(9), &out), CacheRead::kHit);
  EXPECT_EQ(out.size(), 0u);
  ASSERT_EQ(cache.read(kKey, ns(40), ns(30), &out), CacheRead::kHit);
  EXPECT_EQ(out.size(), 0u);
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.file("cache")), {}), 1);
  // An empty series round-trips too.
  OptionQuoteCacheKey empty_key = kKey;
  empty_key.as_of = ns(1);
  ASSERT_TRUE(cache.write(empty_key, OptionQuoteColumns{}).ok());
  ASSERT_EQ(cache.read(empty_key, kMin, kMax, &out), CacheRead::kHit);
  EXPECT_EQ(out, OptionQuoteColumns{});
}

TEST(OptionQuoteCache, SlicesAcrossBlockBoundariesEqualAFilter) {
  testkit::TempDir dir;
  OptionQuoteCache cache(dir.path());
  // 977 quotes a day: sessions straddle the 16,384-row blocks at ragged offsets; 60 days =
  // 58,620 rows = 3 full blocks and a partial fourth.
  const OptionQuoteColumns q = chain(60, 977);
  ASSERT_GT(q.size(), 3 * B);
  ASSERT_TRUE(cache.write(kKey, q).ok());
  // Every (from, to) on and around session boundaries, including the sessions that hold each
  // block's first row (block b starts in session b*16384/977).
  std::vector<std::int64_t> edges = {-5, 0, 1, 9, 10, 11};
  for (std::size_t b = 1; b * B < q.size(); ++b) {
    const std::int64_t t = q.ts_event[b * B];
    for (std::int64_t e : {t - 10, t - 1, t, t + 1, t + 10}) edges.push_back(e);
  }
  for (std::int64_t e : {589, 590, 591, 600}) edges.push_back(e);
  for (std::int64_t from : edges) {
    for (std::int64_t to : edges) {
      OptionQuoteColumns out;
      ASSERT_EQ(cache.read(kKey, ns(from), ns(to), &out), CacheRead::kHit) << from << " " << to;
      ASSERT_EQ(out, from <= to ? filter(q, from, to) : OptionQuoteColumns{}) << from << " " << to;
    }
  }
}

TEST(OptionQuoteCache, AnyKeyFieldMismatchIsStale) {
  testkit::TempDir dir;
  OptionQuoteCache cache(dir.path());
  ASSERT_TRUE(cache.write(kKey, chain(3, 4)).ok());
  OptionQuoteColumns out = chain(1, 1);
  const OptionQuoteColumns untouched = out;
  OptionQuoteCacheKey other = kKey;
  other.data_version ^= 1;
  std::string why;
  EXPECT_EQ(cache.read(other, kMin, kMax, &out, &why), CacheRead::kStale);
  EXPECT_NE(why.find("data version"), std::string::npos) << why;
  EXPECT_EQ(out, untouched);
  // Underlying and as-of are in the file name and in the header: a file copied to another
  // key's name is stale, not used.
  for (int field = 0; field < 2; ++field) {
    OptionQuoteCacheKey k = kKey;
    if (field == 0) k.underlying = "ACMF";
    if (field == 1) k.as_of = ns(99);
    std::filesystem::copy_file(cache.file_path(kKey.underlying, kKey.as_of), cache.file_path(k.underlying, k.as_of));
    EXPECT_EQ(cache.read(k, kMin, kMax, &out), CacheRead::kStale) << field;
    EXPECT_EQ(out, untouched);
  }
  // Any bytes make a valid file name; names over the limit are refused.
  EXPECT_EQ(cache.file_path(std::string("A/B.\x01", 5), ns(7)), dir.path() + "/quotes-412f422e01-7.kqc");
  OptionQuoteCacheKey longer = kKey;
  longer.underlying.assign(OptionQuoteCache::kMaxUnderlyingBytes + 1, 'X');
  EXPECT_EQ(cache.write(longer, chain(1, 1)).error().code, ErrorCode::kInvalidArgument);
}

TEST(OptionQuoteCache, DamageIsDetectedWhereverItIsRead) {
  testkit::TempDir dir;
  OptionQuoteCache cache(dir.path());
  const OptionQuoteColumns q = chain(40, 977);  // 39,080 rows: 3 blocks
  ASSERT_TRUE(cache.write(kKey, q).ok());
  const std::string path = cache.file_path(kKey.underlying, kKey.as_of);
  const std::string good = testkit::read_file(path);
  const std::size_t meta = 128 + 8 + 3 * 80;
  // Damage in the header, the name or the block index is caught by any read; damage in a
  // column block by any read whose rows come from that block.
  std::vector<std::size_t> positions;
  for (std::size_t pos = 0; pos < meta; pos += 3) positions.push_back(pos);
  for (std::size_t pos = meta; pos < good.size(); pos += 4099) positions.push_back(pos);
  for (std::size_t pos : positions) {
    std::string bad = good;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x10);
    testkit::write_file(path, bad);
    OptionQuoteColumns out;
    ASSERT_NE(cache.read(kKey, kMin, kMax, &out), CacheRead::kHit) << "byte " << pos;
    if (pos >= meta) {
      // The damaged row: column (pos - meta) / 8 / rows, row (pos - meta) / 8 % rows.
      const std::size_t row = (pos - meta) / 8 % q.size();
      const std::int64_t t = q.ts_event[row];
      ASSERT_NE(cache.read(kKey, ns(t), ns(t), &out), CacheRead::kHit) << "byte " << pos;
    }
  }
  for (std::size_t len : {std::size_t{0}, std::size_t{50}, std::size_t{128}, meta - 1, meta, good.size() - 1}) {
    testkit::write_file(path, good.substr(0, len));
    OptionQuoteColumns out;
    EXPECT_EQ(cache.read(kKey, kMin, kMax, &out), CacheRead::kDamaged) << len;
  }
  testkit::write_file(path, good + "x");
  OptionQuoteColumns out;
  EXPECT_EQ(cache.read(kKey, kMin, kMax, &out), CacheRead::kDamaged);
  testkit::write_file(path, good);
  EXPECT_EQ(cache.read(kKey, kMin, kMax, &out), CacheRead::kHit);
  EXPECT_EQ(out, q);
}

TEST(OptionQuoteCache, RemovesOnlyThisUnderlyingsOtherVersions) {
  testkit::TempDir dir;
  OptionQuoteCache cache(dir.path());
  auto key = [](const char* u, std::int64_t as_of, std::uint64_t v) { return OptionQuoteCacheKey{u, ns(as_of), v}; };
  ASSERT_TRUE(cache.write(key("AB", 1, 1), chain(2, 2)).ok());
  ASSERT_TRUE(cache.write(key("AB", 2, 2), chain(2, 2)).ok());
  ASSERT_TRUE(cache.write(key("AB", -3, 2), chain(2, 2)).ok());
  ASSERT_TRUE(cache.write(key("ABC", 1, 1), chain(2, 2)).ok());  // hex 414243 starts with AB's 4142
  testkit::write_file(cache.file_path("AB", ns(4)), "garbage");
  testkit::write_file(cache.file_path("AB", ns(5)) + ".tmp.77", "being written");
  testkit::write_file(dir.file("notes.txt"), "x");
  EXPECT_EQ(cache.remove_other_versions("AB", 2), 2);  // AB@1 (version 1) and the garbage
  EXPECT_FALSE(std::filesystem::exists(cache.file_path("AB", ns(1))));
  EXPECT_FALSE(std::filesystem::exists(cache.file_path("AB", ns(4))));
  for (const std::string& kept : {cache.file_path("AB", ns(2)), cache.file_path("AB", ns(-3)),
                                  cache.file_path("ABC", ns(1)), cache.file_path("AB", ns(5)) + ".tmp.77",
                                  dir.file("notes.txt")}) {
    EXPECT_TRUE(std::filesystem::exists(kept)) << kept;
  }
  EXPECT_EQ(cache.remove_other_versions("AB", 2), 0);
  EXPECT_EQ(OptionQuoteCache(dir.file("missing")).remove_other_versions("AB", 2), 0);
}

TEST(OptionQuoteCache, WriteIntoAnImpossibleDirectoryIsAnIoError) {
  testkit::TempDir dir;
  testkit::write_file(dir.file("blocker"), "x");
  OptionQuoteCache cache(dir.file("blocker") + "/sub");
  const Status s = cache.write(kKey, chain(1, 2));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_NE(s.error().message.find("blocker"), std::string::npos) << s.error().message;
}

RC_GTEST_PROP(OptionQuoteCacheProperty, AnySliceOfAnySeriesEqualsAFilter, ()) {
  // Random sorted series large enough to span several blocks, random ranges.
  const auto rows = *rc::gen::inRange<std::size_t>(0, 3 * B + 100);
  const auto step = *rc::gen::inRange<std::int64_t>(1, 3000);
  OptionQuoteColumns q;
  std::int64_t ts = 0, id = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    if (i % static_cast<std::size_t>(step) == 0) {  // a new session every `step` rows
      ts += 1 + static_cast<std::int64_t>(i % 3);
      id = 0;
    }
    ++id;
    q.ts_event.push_back(ts);
    q.instrument.push_back(id);
    std::int64_t salt = 0;
    for (auto* col : {&q.ts_recv, &q.bid, &q.ask, &q.last, &q.volume, &q.open_interest, &q.underlying_price}) {
      col->push_back(static_cast<std::int64_t>(i) * 31 + salt++);
    }
  }
  testkit::TempDir dir;
  OptionQuoteCache cache(dir.path());
  RC_ASSERT(cache.write(kKey, q).ok());
  for (int k = 0; k < 5; ++k) {
    const std::int64_t from = *rc::gen::inRange<std::int64_t>(-2, ts + 3);
    const std::int64_t to = *rc::gen::inRange<std::int64_t>(from, ts + 3);
    OptionQuoteColumns out;
    RC_ASSERT(cache.read(kKey, ns(from), ns(to), &out) == CacheRead::kHit);
    RC_ASSERT(out == filter(q, from, to));
  }
}

}  // namespace
}  // namespace keel::data
