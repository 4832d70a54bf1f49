// keel/data/bar_cache.hpp — the columnar cache of bar series (SPEC D3): one binary file per
// (instrument, timeframe, as-of) series holding the BarColumns arrays, read back with a few
// large reads instead of one SQLite step per row.
//
// Contract:
// - The cache is disposable: the SQLite store stays the source of truth. A file is used only if
//   its header matches the requested key exactly (instrument, timeframe, as-of, data_version),
//   its size matches its row count and the payload checksum matches; otherwise read() reports
//   kMissing/kStale/kDamaged and the caller reloads from SQLite and rewrites. Wrong data is
//   never returned short of a 64-bit checksum collision on a damaged file.
// - data_version is the store's per-series content version (SqliteStore chains a Checksum64
//   over every added or revised row), so any write to the series, a rolled-back history or a
//   different database at the same path makes old files stale.
// - write() is atomic and read() copies the file through a small buffer that stays in the CPU
//   cache into columns reserved up front (AtomicFile and ReadFile::read_words, cache_file.hpp).
// - File format v1 (native little-endian int64, checked by an endianness marker): a 96-byte
//   header (magic "KEELBARC", format version, header size, instrument, timeframe ns, as-of ns,
//   data_version, rows, column count 7, payload checksum, endianness marker, reserved, header
//   checksum) followed by the columns ts_event, ts_recv, open, high, low, close, volume, each
//   rows x int64.
// Thread safety: a BarCache holds no mutable state; concurrent writers of one file each rename a
// complete file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "keel/core/result.hpp"
#include "keel/core/time.hpp"
#include "keel/data/cache_file.hpp"
#include "keel/model/columns.hpp"

namespace keel::data {

// Reserves `rows` in every column of `columns` (reserve_huge, cache_file.hpp).
void reserve_columns(BarColumns& columns, std::size_t rows);

struct BarCacheKey {
  InstrumentId instrument;
  Duration timeframe{};
  Timestamp as_of;  // the canonical knowledge time the series was read at
  std::uint64_t data_version = 0;
};

using BarCacheRead = CacheRead;

class BarCache {
 public:
  static constexpr std::uint32_t kFormatVersion = 1;
  static constexpr std::size_t kHeaderBytes = 96;

  explicit BarCache(std::string directory);

  const std::string& directory() const noexcept { return directory_; }
  std::string file_path(InstrumentId instrument, Duration timeframe, Timestamp as_of) const;

  // kHit fills *out (instrument and timeframe set, all rows of the series); any other outcome
  // leaves *out untouched. `detail` (optional) receives why a file was not used.
  BarCacheRead read(const BarCacheKey& key, BarColumns* out, std::string* detail = nullptr) const;
  // Writes the series atomically, creating the directory (one level) if needed. Errors are kIo
  // and name the file.
  Status write(const BarCacheKey& key, const BarColumns& columns) const;

 private:
  std::string directory_;
};

}  // namespace keel::data
