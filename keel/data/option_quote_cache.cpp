#include "keel/data/option_quote_cache.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>

namespace keel::data {
namespace {

constexpr char kMagic[8] = {'K', 'E', 'E', 'L', 'O', 'Q', 'T', 'C'};
constexpr std::size_t kColumns = 9;
constexpr std::size_t kIndexWords = 1 + kColumns;  // per block: first ts_event, a checksum per column

struct Header {
  char magic[8];
  std::uint32_t format_version;
  std::uint32_t header_bytes;
  std::int64_t as_of_ns;
  std::uint64_t data_version;
  std::uint64_t rows;
  std::uint64_t columns;
  std::uint64_t block_rows;
  std::uint64_t blocks;
  std::uint64_t name_bytes;
  std::uint64_t endian_marker;
  std::uint64_t reserved[5];
  std::uint64_t metadata_checksum;  // over the header before it, the padded name and the block index
};
static_assert(sizeof(Header) == OptionQuoteCache::kHeaderBytes);
static_assert(offsetof(Header, metadata_checksum) % 8 == 0);

constexpr std::size_t padded_words(std::size_t bytes) { return (bytes + 7) / 8; }

std::uint64_t metadata_checksum(const Header& h, const std::vector<std::int64_t>& name_and_index) {
  std::array<std::int64_t, offsetof(Header, metadata_checksum) / 8> words{};
  std::memcpy(words.data(), &h, offsetof(Header, metadata_checksum));
  Checksum64 c(0x4f515443);
  c.update(words.data(), words.size());
  c.update(name_and_index.data(), name_and_index.size());
  return c.digest();
}

// Columns in file order.
std::array<const std::vector<std::int64_t>*, kColumns> columns_of(const OptionQuoteColumns& q) {
  return {&q.ts_event, &q.instrument, &q.ts_recv, &q.bid, &q.ask, &q.last, &q.volume, &q.open_interest,
          &q.underlying_price};
}
std::array<std::vector<std::int64_t>*, kColumns> columns_of(OptionQuoteColumns& q) {
  return {&q.ts_event, &q.instrument, &q.ts_recv, &q.bid, &q.ask, &q.last, &q.volume, &q.open_interest,
          &q.underlying_price};
}

std::vector<std::int64_t> name_words(std::string_view name) {
  std::vector<std::int64_t> words(padded_words(name.size()), 0);
  if (!name.empty()) std::memcpy(words.data(), name.data(), name.size());
  return words;
}

// "quotes-<hex of the underlying's bytes>-": any ticker text gives a valid file name.
std::string file_prefix(std::string_view underlying) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name = "quotes-";
  for (const char c : underlying) {
    const auto b = static_cast<unsigned char>(c);
    name += kHex[b >> 4];
    name += kHex[b & 15];
  }
  return name + "-";
}

}  // namespace

void reserve_columns(OptionQuoteColumns& columns, std::size_t rows) {
  for (std::vector<std::int64_t>* col : columns_of(columns)) reserve_huge(*col, rows);
}

OptionQuoteCache::OptionQuoteCache(std::string directory) : directory_(std::move(directory)) {}

std::string OptionQuoteCache::file_path(std::string_view underlying, Timestamp as_of) const {
  return directory_ + "/" + file_prefix(underlying) + std::to_string(as_of.ns()) + ".kqc";
}

std::int64_t OptionQuoteCache::remove_other_versions(std::string_view underlying, std::uint64_t data_version) const {
  const std::string prefix = file_prefix(underlying);
  std::error_code ec;
  std::int64_t removed = 0;
  for (std::filesystem::directory_iterator it(directory_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // "<prefix><as_of ns>.kqc": the as-of part is an optional '-' and digits only, so another
    // underlying whose hex starts with this one's never matches.
    if (name.size() <= prefix.size() + 4 || name.compare(0, prefix.size(), prefix) != 0 ||
        name.compare(name.size() - 4, 4, ".kqc") != 0) {
      continue;
    }
    const std::string_view as_of(name.data() + prefix.size(), name.size() - prefix.size() - 4);
    const std::size_t digits = as_of.front() == '-' ? 1 : 0;
    if (as_of.size() == digits ||
        !std::all_of(as_of.begin() + static_cast<std::ptrdiff_t>(digits), as_of.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    ReadFile file(it->path().string());
    Header h{};
    const bool current = file.ok() && file.read_at(&h, sizeof h, 0) && std::memcmp(h.magic, kMagic, sizeof kMagic) == 0 &&
                         h.data_version == data_version;
    if (!current && ::unlink(it->path().c_str()) == 0) ++removed;
  }
  return removed;
}

OptionQuoteCacheRead OptionQuoteCache::read(const OptionQuoteCacheKey& key, Timestamp from, Timestamp to,
                                            OptionQuoteColumns* out, std::string* detail) const {
  auto why = [&](CacheRead r, const std::string& text) {
    if (detail != nullptr) *detail = text;
    return r;
  };
  const std::string path = file_path(key.underlying, key.as_of);
  ReadFile file(path);
  if (!file.ok()) return why(CacheRead::kMissing, path + ": " + file.error_text());
  const std::int64_t size = file.size();
  if (size < 0) return why(CacheRead::kDamaged, path + ": " + file.error_text());
  Header h{};
  if (static_cast<std::size_t>(size) < sizeof h || !file.read_at(&h, sizeof h, 0)) {
    return why(CacheRead::kDamaged, path + ": shorter than the header");
  }
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) return why(CacheRead::kDamaged, path + ": bad magic");
  // Another format version (or byte order) may lay out what follows differently: not checked.
  if (h.format_version != kFormatVersion || h.header_bytes != kHeaderBytes || h.endian_marker != kCacheEndianMarker) {
    return why(CacheRead::kStale, path + ": format version " + std::to_string(h.format_version) + ", expected " +
                                      std::to_string(kFormatVersion));
  }
  const std::uint64_t max_rows = static_cast<std::uint64_t>(INT64_MAX) / (kColumns * 8 * 2);
  if (h.columns != kColumns || h.block_rows != kBlockRows || h.name_bytes > kMaxUnderlyingBytes ||
      h.rows > max_rows || h.blocks != (h.rows + kBlockRows - 1) / kBlockRows) {
    return why(CacheRead::kDamaged, path + ": inconsistent header");
  }
  const std::size_t rows = static_cast<std::size_t>(h.rows);
  const std::size_t blocks = static_cast<std::size_t>(h.blocks);
  const std::size_t name_w = padded_words(static_cast<std::size_t>(h.name_bytes));
  const std::size_t meta_words = name_w + blocks * kIndexWords;
  const std::int64_t payload_offset = static_cast<std::int64_t>(kHeaderBytes + meta_words * 8);
  if (static_cast<std::uint64_t>(size) < static_cast<std::uint64_t>(payload_offset)) {
    return why(CacheRead::kDamaged, path + ": shorter than its block index");
  }
  std::vector<std::int64_t> meta(meta_words);
  if (meta_words > 0 && !file.read_at(meta.data(), meta_words * 8, kHeaderBytes)) {
    return why(CacheRead::kDamaged, path + ": " + file.error_text());
  }
  if (h.metadata_checksum != metadata_checksum(h, meta)) {
    return why(CacheRead::kDamaged, path + ": header checksum mismatch");
  }
  const std::string_view name(reinterpret_cast<const char*>(meta.data()), static_cast<std::size_t>(h.name_bytes));
  if (name != key.underlying || h.as_of_ns != key.as_of.ns() || h.data_version != key.data_version) {
    return why(CacheRead::kStale, path + ": written for '" + std::string(name) + "' at data version " +
                                      std::to_string(h.data_version) + ", the store is at " +
                                      std::to_string(key.data_version));
  }
  if (static_cast<std::uint64_t>(size) != static_cast<std::uint64_t>(payload_offset) + h.rows * kColumns * 8) {
    return why(CacheRead::kDamaged, path + ": size " + std::to_string(size) + " does not match " +
                                        std::to_string(h.rows) + " rows");
  }
  const std::int64_t* index = meta.data() + name_w;
  auto first_ts = [&](std::size_t b) { return index[b * kIndexWords]; };
  for (std::size_t b = 1; b < blocks; ++b) {
    if (first_ts(b) < first_ts(b - 1)) return why(CacheRead::kDamaged, path + ": block index out of order");
  }

  // Blocks [b_lo, b_hi) can hold rows with from <= ts_event <= to: rows at or after `from`
  // start in the last block whose first ts_event is before `from` (or block 0); rows up to `to`
  // end in the last block whose first ts_event is not after `to`.
  auto count_blocks = [&](auto starts_in_range) {  // blocks are ordered by first ts_event
    std::size_t lo = 0, hi = blocks;
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (starts_in_range(first_ts(mid))) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  };
  std::size_t b_lo = count_blocks([&](std::int64_t t) { return t < from.ns(); });
  const std::size_t b_hi = count_blocks([&](std::int64_t t) { return t <= to.ns(); });
  if (b_lo > 0) --b_lo;
  OptionQuoteColumns cols;
  if (from > to || b_hi <= b_lo) {
    *out = std::move(cols);
    return CacheRead::kHit;
  }
  const std::size_t row_lo = b_lo * kBlockRows;
  const std::size_t row_hi = std::min(rows, b_hi * kBlockRows);
  file.advise_sequential();
  std::vector<std::int64_t> buffer(kBlockRows);
  std::string problem;
  // Appends the rows [keep_lo, keep_hi) (absolute row numbers) of one column, reading and
  // checking whole blocks; blocks holding none of those rows are skipped.
  auto read_column = [&](std::size_t column, std::vector<std::int64_t>& dest, std::size_t keep_lo,
                         std::size_t keep_hi) -> bool {
    for (std::size_t b = b_lo; b < b_hi; ++b) {
      const std::size_t r0 = b * kBlockRows;
      const std::size_t n = std::min(kBlockRows, rows - r0);
      const std::size_t k0 = std::clamp(keep_lo, r0, r0 + n) - r0;
      const std::size_t k1 = std::clamp(keep_hi, r0, r0 + n) - r0;
      if (k0 == k1) continue;
      Checksum64 sum;
      const std::int64_t offset = payload_offset + static_cast<std::int64_t>((column * rows + r0) * 8);
      if (!file.read_words(offset, n, buffer, sum, dest, k0, k1)) {
        problem = file.error_text();
        return false;
      }
      if (sum.digest() != static_cast<std::uint64_t>(index[b * kIndexWords + 1 + column])) {
        problem = "payload checksum mismatch in block " + std::to_string(b) + " of column " + std::to_string(column);
        return false;
      }
    }
    return true;
  };
  // ts_event first: its checked blocks decide, by binary search, which rows are kept.
  std::vector<std::int64_t> ts;
  reserve_huge(ts, row_hi - row_lo);
  if (!read_column(0, ts, row_lo, row_hi)) return why(CacheRead::kDamaged, path + ": " + problem);
  const auto first = std::lower_bound(ts.begin(), ts.end(), from.ns());
  const auto last = std::upper_bound(first, ts.end(), to.ns());
  const std::size_t keep_lo = row_lo + static_cast<std::size_t>(first - ts.begin());
  const std::size_t keep_hi = row_lo + static_cast<std::size_t>(last - ts.begin());
  const auto targets = columns_of(cols);
  if (keep_lo == row_lo && keep_hi == row_hi) {
    cols.ts_event = std::move(ts);
  } else {
    cols.ts_event.assign(first, last);
  }
  for (std::size_t c = 1; c < kColumns; ++c) {
    reserve_huge(*targets[c], keep_hi - keep_lo);
    if (!read_column(c, *targets[c], keep_lo, keep_hi)) return why(CacheRead::kDamaged, path + ": " + problem);
  }
  *out = std::move(cols);
  return CacheRead::kHit;
}

Status OptionQuoteCache::write(const OptionQuoteCacheKey& key, const OptionQuoteColumns& columns) const {
  if (key.underlying.size() > kMaxUnderlyingBytes) {
    return make_error(ErrorCode::kInvalidArgument, "option quote cache: underlying of " +
                                                       std::to_string(key.underlying.size()) + " bytes is longer than " +
                                                       std::to_string(kMaxUnderlyingBytes));
  }
  const std::size_t rows = columns.size();
  const auto cols = columns_of(columns);
  for (const std::vector<std::int64_t>* col : cols) {
    KEEL_ASSERT(col->size() == rows, "OptionQuoteColumns with columns of different lengths");
  }
  for (std::size_t i = 1; i < rows; ++i) {
    KEEL_ASSERT(columns.ts_event[i - 1] < columns.ts_event[i] ||
                    (columns.ts_event[i - 1] == columns.ts_event[i] && columns.instrument[i - 1] < columns.instrument[i]),
                "OptionQuoteCache::write: rows not sorted by (ts_event, instrument)");
  }
  const std::string path = file_path(key.underlying, key.as_of);
  KEEL_TRY(file, AtomicFile::create(directory_, path, "option quote cache"));
  const std::size_t blocks = (rows + kBlockRows - 1) / kBlockRows;
  std::vector<std::int64_t> meta = name_words(key.underlying);
  const std::size_t name_w = meta.size();
  meta.resize(name_w + blocks * kIndexWords);
  std::int64_t* index = meta.data() + name_w;
  const std::int64_t payload_offset = static_cast<std::int64_t>(kHeaderBytes + meta.size() * 8);
  for (std::size_t c = 0; c < kColumns; ++c) {
    for (std::size_t b = 0; b < blocks; ++b) {
      const std::size_t r0 = b * kBlockRows;
      const std::size_t n = std::min(kBlockRows, rows - r0);
      if (c == 0) index[b * kIndexWords] = columns.ts_event[r0];
      Checksum64 sum;
      KEEL_TRY_STATUS(file.write_words(cols[c]->data() + r0, n,
                                       payload_offset + static_cast<std::int64_t>((c * rows + r0) * 8), &sum));
      index[b * kIndexWords + 1 + c] = static_cast<std::int64_t>(sum.digest());
    }
  }
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format_version = kFormatVersion;
  h.header_bytes = kHeaderBytes;
  h.as_of_ns = key.as_of.ns();
  h.data_version = key.data_version;
  h.rows = rows;
  h.columns = kColumns;
  h.block_rows = kBlockRows;
  h.blocks = blocks;
  h.name_bytes = key.underlying.size();
  h.endian_marker = kCacheEndianMarker;
  h.metadata_checksum = metadata_checksum(h, meta);
  KEEL_TRY_STATUS(file.write_at(&h, sizeof h, 0));
  KEEL_TRY_STATUS(file.write_at(meta.data(), meta.size() * 8, kHeaderBytes));
  return file.commit();
}

}  // namespace keel::data
