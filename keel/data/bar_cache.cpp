#include "keel/data/bar_cache.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace keel::data {
namespace {

constexpr char kMagic[8] = {'K', 'E', 'E', 'L', 'B', 'A', 'R', 'C'};
constexpr std::uint64_t kColumns = 7;
constexpr std::size_t kReadChunkWords = std::size_t{1} << 15;  // 256 KiB: stays in L2 between read, sum, copy

struct Header {
  char magic[8];
  std::uint32_t format_version;
  std::uint32_t header_bytes;
  std::int64_t instrument;
  std::int64_t timeframe_ns;
  std::int64_t as_of_ns;
  std::uint64_t data_version;
  std::uint64_t rows;
  std::uint64_t columns;
  std::uint64_t payload_checksum;
  std::uint64_t endian_marker;
  std::uint64_t reserved;
  std::uint64_t header_checksum;  // over every byte before it
};
static_assert(sizeof(Header) == BarCache::kHeaderBytes);

std::uint64_t header_checksum(const Header& h) {
  static_assert(offsetof(Header, header_checksum) % 8 == 0);
  std::array<std::int64_t, offsetof(Header, header_checksum) / 8> words{};
  std::memcpy(words.data(), &h, offsetof(Header, header_checksum));
  Checksum64 c(0x4b45454c);
  c.update(words.data(), words.size());
  return c.digest();
}

std::array<const std::vector<std::int64_t>*, kColumns> columns_of(const BarColumns& b) {
  return {&b.ts_event, &b.ts_recv, &b.open, &b.high, &b.low, &b.close, &b.volume};
}
std::array<std::vector<std::int64_t>*, kColumns> columns_of(BarColumns& b) {
  return {&b.ts_event, &b.ts_recv, &b.open, &b.high, &b.low, &b.close, &b.volume};
}

}  // namespace

void reserve_columns(BarColumns& columns, std::size_t rows) {
  for (std::vector<std::int64_t>* col : columns_of(columns)) reserve_huge(*col, rows);
}

BarCache::BarCache(std::string directory) : directory_(std::move(directory)) {}

std::string BarCache::file_path(InstrumentId instrument, Duration timeframe, Timestamp as_of) const {
  return directory_ + "/bars-" + std::to_string(instrument.value()) + "-" + std::to_string(timeframe.count()) + "-" +
         std::to_string(as_of.ns()) + ".kbc";
}

BarCacheRead BarCache::read(const BarCacheKey& key, BarColumns* out, std::string* detail) const {
  auto why = [&](BarCacheRead r, const std::string& text) {
    if (detail != nullptr) *detail = text;
    return r;
  };
  const std::string path = file_path(key.instrument, key.timeframe, key.as_of);
  ReadFile file(path);
  if (!file.ok()) return why(BarCacheRead::kMissing, path + ": " + file.error_text());
  const std::int64_t size = file.size();
  if (size < 0) return why(BarCacheRead::kDamaged, path + ": " + file.error_text());
  Header h{};
  if (static_cast<std::size_t>(size) < sizeof h || !file.read_at(&h, sizeof h, 0)) {
    return why(BarCacheRead::kDamaged, path + ": shorter than the header");
  }
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) return why(BarCacheRead::kDamaged, path + ": bad magic");
  if (h.header_checksum != header_checksum(h)) return why(BarCacheRead::kDamaged, path + ": header checksum mismatch");
  if (h.format_version != kFormatVersion || h.header_bytes != kHeaderBytes || h.endian_marker != kCacheEndianMarker ||
      h.columns != kColumns) {
    return why(BarCacheRead::kStale, path + ": format version " + std::to_string(h.format_version) + ", expected " +
                                         std::to_string(kFormatVersion));
  }
  if (h.instrument != key.instrument.value() || h.timeframe_ns != key.timeframe.count() ||
      h.as_of_ns != key.as_of.ns() || h.data_version != key.data_version) {
    return why(BarCacheRead::kStale, path + ": written for data version " + std::to_string(h.data_version) +
                                         ", the store is at " + std::to_string(key.data_version));
  }
  const std::uint64_t max_rows = (static_cast<std::uint64_t>(INT64_MAX) - kHeaderBytes) / (kColumns * 8);
  if (h.rows > max_rows || static_cast<std::uint64_t>(size) != kHeaderBytes + h.rows * kColumns * 8) {
    return why(BarCacheRead::kDamaged, path + ": size " + std::to_string(size) + " does not match " +
                                           std::to_string(h.rows) + " rows");
  }
  file.advise_sequential();
  BarColumns cols;
  cols.instrument = key.instrument;
  cols.timeframe = key.timeframe;
  const std::size_t rows = static_cast<std::size_t>(h.rows);
  reserve_columns(cols, rows);
  std::vector<std::int64_t> chunk(std::min(kReadChunkWords, std::max<std::size_t>(rows, 1)));
  Checksum64 sum;
  std::int64_t offset = kHeaderBytes;
  for (std::vector<std::int64_t>* col : columns_of(cols)) {
    if (!file.read_words(offset, rows, chunk, sum, *col, 0, rows)) {
      return why(BarCacheRead::kDamaged, path + ": " + file.error_text());
    }
    offset += static_cast<std::int64_t>(rows * 8);
  }
  if (sum.digest() != h.payload_checksum) return why(BarCacheRead::kDamaged, path + ": payload checksum mismatch");
  *out = std::move(cols);
  return BarCacheRead::kHit;
}

Status BarCache::write(const BarCacheKey& key, const BarColumns& columns) const {
  const std::string path = file_path(key.instrument, key.timeframe, key.as_of);
  KEEL_TRY(file, AtomicFile::create(directory_, path, "bar cache"));
  const std::size_t rows = columns.size();
  Checksum64 sum;
  std::int64_t offset = kHeaderBytes;
  for (const std::vector<std::int64_t>* col : columns_of(columns)) {
    KEEL_ASSERT(col->size() == rows, "BarColumns with columns of different lengths");
    KEEL_TRY_STATUS(file.write_words(col->data(), rows, offset, &sum));
    offset += static_cast<std::int64_t>(rows * 8);
  }
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format_version = kFormatVersion;
  h.header_bytes = kHeaderBytes;
  h.instrument = key.instrument.value();
  h.timeframe_ns = key.timeframe.count();
  h.as_of_ns = key.as_of.ns();
  h.data_version = key.data_version;
  h.rows = rows;
  h.columns = kColumns;
  h.payload_checksum = sum.digest();
  h.endian_marker = kCacheEndianMarker;
  h.header_checksum = header_checksum(h);
  KEEL_TRY_STATUS(file.write_at(&h, sizeof h, 0));
  return file.commit();
}

}  // namespace keel::data
