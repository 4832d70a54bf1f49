// BarCache file format and Checksum64: round trips, every key field making a file stale, and
// every kind of damage detected (never a wrong series returned).
#include "keel/data/bar_cache.hpp"

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

BarColumns series(std::int64_t n, std::int64_t salt = 0) {
  BarColumns b;
  b.instrument = InstrumentId(7);
  b.timeframe = kOneMinute;
  for (std::int64_t i = 0; i < n; ++i) {
    b.ts_event.push_back(i * 60'000'000'000);
    b.ts_recv.push_back((i + 1) * 60'000'000'000);
    b.open.push_back(100 + i + salt);
    b.high.push_back(110 + i);
    b.low.push_back(90 + i);
    b.close.push_back(105 + i);
    b.volume.push_back(i * 3);
  }
  return b;
}

const BarCacheKey kKey{InstrumentId(7), kOneMinute, Timestamp::from_ns(1234), 0xDEADBEEFCAFEF00DULL};

TEST(Checksum64, SameDigestForAnyChunking) {
  std::vector<std::int64_t> words(37);
  for (std::size_t i = 0; i < words.size(); ++i) words[i] = static_cast<std::int64_t>(i * 0x9E3779B97F4A7C15ULL);
  Checksum64 whole;
  whole.update(words.data(), words.size());
  for (std::size_t cut1 = 0; cut1 <= words.size(); cut1 += 3) {
    for (std::size_t cut2 = cut1; cut2 <= words.size(); cut2 += 5) {
      Checksum64 parts;
      parts.update(words.data(), cut1);
      for (std::size_t i = cut1; i < cut2; ++i) parts.update(static_cast<std::uint64_t>(words[i]));
      parts.update(words.data() + cut2, words.size() - cut2);
      EXPECT_EQ(parts.digest(), whole.digest()) << cut1 << " " << cut2;
    }
  }
}

TEST(Checksum64, EverySingleBitFlipChangesTheDigest) {
  std::vector<std::int64_t> words(64, 0x0123456789ABCDEF);
  Checksum64 base;
  base.update(words.data(), words.size());
  for (std::size_t w = 0; w < words.size(); ++w) {
    for (int bit = 0; bit < 64; ++bit) {
      std::vector<std::int64_t> flipped = words;
      flipped[w] ^= static_cast<std::int64_t>(std::uint64_t{1} << bit);
      Checksum64 c;
      c.update(flipped.data(), flipped.size());
      ASSERT_NE(c.digest(), base.digest()) << "word " << w << " bit " << bit;
    }
  }
  // Length matters: appending a zero word or swapping two words changes it too.
  Checksum64 longer;
  longer.update(words.data(), words.size());
  longer.update(std::uint64_t{0});
  EXPECT_NE(longer.digest(), base.digest());
  std::vector<std::int64_t> ab = {1, 2, 3, 4, 5}, ba = {2, 1, 3, 4, 5};
  Checksum64 x, y;
  x.update(ab.data(), ab.size());
  y.update(ba.data(), ba.size());
  EXPECT_NE(x.digest(), y.digest());
}

TEST(BarCache, RoundTripAndFileLayout) {
  testkit::TempDir dir;
  BarCache cache(dir.file("cache"));  // created on the first write
  const BarColumns s = series(1000);
  BarColumns out;
  EXPECT_EQ(cache.read(kKey, &out), BarCacheRead::kMissing);
  ASSERT_TRUE(cache.write(kKey, s).ok());
  const std::string path = cache.file_path(kKey.instrument, kKey.timeframe, kKey.as_of);
  EXPECT_EQ(path, dir.file("cache") + "/bars-7-60000000000-1234.kbc");
  EXPECT_EQ(std::filesystem::file_size(path), 96u + 1000u * 56u);
  const std::string bytes = testkit::read_file(path);
  EXPECT_EQ(bytes.substr(0, 8), "KEELBARC");
  // The first payload word is ts_event[0] = 0, the 1001st is ts_recv[0] = 60e9 (little endian).
  std::int64_t w = 0;
  std::memcpy(&w, bytes.data() + 96 + 1000 * 8, 8);
  EXPECT_EQ(w, 60'000'000'000);
  ASSERT_EQ(cache.read(kKey, &out), BarCacheRead::kHit);
  EXPECT_EQ(out, s);
  // No temporary file is left behind.
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.file("cache"))) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u);
  // An empty series round-trips too.
  BarCacheKey empty_key = kKey;
  empty_key.as_of = Timestamp::from_ns(1);
  BarColumns empty;
  empty.instrument = kKey.instrument;
  empty.timeframe = kKey.timeframe;
  ASSERT_TRUE(cache.write(empty_key, empty).ok());
  BarColumns back;
  ASSERT_EQ(cache.read(empty_key, &back), BarCacheRead::kHit);
  EXPECT_EQ(back, empty);
}

TEST(BarCache, AnyKeyFieldMismatchIsStale) {
  testkit::TempDir dir;
  BarCache cache(dir.path());
  ASSERT_TRUE(cache.write(kKey, series(10)).ok());
  BarCacheKey other = kKey;
  other.data_version ^= 1;
  BarColumns out = series(3, 99);
  const BarColumns untouched = out;
  std::string why;
  EXPECT_EQ(cache.read(other, &out, &why), BarCacheRead::kStale);
  EXPECT_NE(why.find("data version"), std::string::npos) << why;
  EXPECT_EQ(out, untouched);
  // Instrument, timeframe and as-of are in the file name and in the header: a file copied to
  // another key's name is stale, not used.
  for (int field = 0; field < 3; ++field) {
    BarCacheKey k = kKey;
    if (field == 0) k.instrument = InstrumentId(8);
    if (field == 1) k.timeframe = kOneDay;
    if (field == 2) k.as_of = Timestamp::from_ns(99);
    std::filesystem::copy_file(cache.file_path(kKey.instrument, kKey.timeframe, kKey.as_of),
                               cache.file_path(k.instrument, k.timeframe, k.as_of));
    EXPECT_EQ(cache.read(k, &out), BarCacheRead::kStale) << field;
  }
}

TEST(BarCache, DamageIsDetected) {
  testkit::TempDir dir;
  BarCache cache(dir.path());
  const BarColumns s = series(100);
  ASSERT_TRUE(cache.write(kKey, s).ok());
  const std::string path = cache.file_path(kKey.instrument, kKey.timeframe, kKey.as_of);
  const std::string good = testkit::read_file(path);
  // Every single-byte change anywhere in the file is caught (header fields, payload).
  for (std::size_t pos = 0; pos < good.size(); pos += 7) {
    std::string bad = good;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x10);
    testkit::write_file(path, bad);
    BarColumns out;
    const BarCacheRead r = cache.read(kKey, &out);
    ASSERT_NE(r, BarCacheRead::kHit) << "byte " << pos;
  }
  for (std::size_t len : {std::size_t{0}, std::size_t{50}, std::size_t{96}, good.size() - 1}) {
    testkit::write_file(path, good.substr(0, len));
    BarColumns out;
    EXPECT_EQ(cache.read(kKey, &out), BarCacheRead::kDamaged) << len;
  }
  testkit::write_file(path, good);
  BarColumns out;
  EXPECT_EQ(cache.read(kKey, &out), BarCacheRead::kHit);
}

TEST(BarCache, WriteIntoAnImpossibleDirectoryIsAnIoError) {
  testkit::TempDir dir;
  testkit::write_file(dir.file("blocker"), "x");
  BarCache cache(dir.file("blocker") + "/sub");
  const Status s = cache.write(kKey, series(3));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_NE(s.error().message.find("blocker"), std::string::npos) << s.error().message;
}

RC_GTEST_PROP(BarCacheProperty, RoundTripsAnySeries, (const std::vector<std::int64_t>& values)) {
  testkit::TempDir dir;
  BarCache cache(dir.path());
  BarColumns s;
  s.instrument = InstrumentId(1);
  s.timeframe = kOneDay;
  for (std::int64_t v : values) {
    for (auto* col : {&s.ts_event, &s.ts_recv, &s.open, &s.high, &s.low, &s.close, &s.volume}) col->push_back(v);
  }
  const BarCacheKey key{InstrumentId(1), kOneDay, Timestamp::from_ns(static_cast<std::int64_t>(values.size())), 42};
  RC_ASSERT(cache.write(key, s).ok());
  BarColumns out;
  RC_ASSERT(cache.read(key, &out) == BarCacheRead::kHit);
  RC_ASSERT(out == s);
}

}  // namespace
}  // namespace keel::data
