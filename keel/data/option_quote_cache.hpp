// keel/data/option_quote_cache.hpp — the columnar cache of option quotes (SPEC D3): one binary
// file per (underlying, canonical as-of) holding every quote of every contract on the
// underlying, sorted by (ts_event, instrument), read back with a few large reads instead of one
// SQLite index seek per contract and one step per row.
//
// Contract:
// - The cache is disposable: the SQLite store stays the source of truth. A file is used only if
//   its header matches the requested key exactly (underlying, as-of, data_version), its size
//   matches its row count and every block it reads matches its checksum; otherwise read()
//   reports kMissing/kStale/kDamaged (cache_file.hpp) and the caller reloads from SQLite and
//   rewrites. Wrong data is never returned short of a 64-bit checksum collision on a damaged
//   file.
// - data_version is the store's per-underlying content version (SqliteStore chains a Checksum64
//   over every added or revised quote of the underlying's contracts), so any write to the
//   underlying's quotes, a rolled-back history or a different database at the same path makes
//   old files stale.
// - read() of [from, to] reads only the blocks of kBlockRows rows that can hold such rows (found
//   by binary search on the blocks' first ts_event in the checksummed block index), checks each
//   block's checksum and cuts the exact range by binary search on ts_event: a one-year slice of
//   a ten-year file reads about a tenth of it. The result equals whole-file-then-slice exactly.
// - write() is atomic (AtomicFile, cache_file.hpp).
// - File format v1 (native little-endian int64, checked by an endianness marker): a 128-byte
//   fixed header (magic "KEELOQTC", format version, header size, as-of ns, data_version, rows,
//   column count 9, block rows, block count, underlying length, endianness marker, reserved,
//   metadata checksum), the underlying's bytes zero-padded to 8, the block index (per block: its
//   first ts_event, then one Checksum64 per column over the block's words), then the columns
//   ts_event, instrument, ts_recv, bid, ask, last, volume, open_interest, underlying_price, each
//   rows x int64. The metadata checksum covers the fixed header before it, the name and the
//   block index.
// - Old versions are deleted: after writing a file the store calls remove_other_versions(), so
//   the directory holds at most one file per canonical as-of of the current version.
// - File names hex-encode the underlying ("quotes-<hex>-<as_of ns>.kqc"), so any ticker text
//   makes a valid name; underlyings longer than kMaxUnderlyingBytes are not cached.
// Thread safety: an OptionQuoteCache holds no mutable state; concurrent writers of one file each
// rename a complete file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "keel/core/result.hpp"
#include "keel/core/time.hpp"
#include "keel/data/cache_file.hpp"
#include "keel/model/columns.hpp"

namespace keel::data {

// Reserves `rows` in every column of `columns` (reserve_huge).
void reserve_columns(OptionQuoteColumns& columns, std::size_t rows);

struct OptionQuoteCacheKey {
  std::string underlying;
  Timestamp as_of;  // the canonical knowledge time the quotes were read at
  std::uint64_t data_version = 0;
};

using OptionQuoteCacheRead = CacheRead;

class OptionQuoteCache {
 public:
  static constexpr std::uint32_t kFormatVersion = 1;
  static constexpr std::size_t kHeaderBytes = 128;
  static constexpr std::size_t kBlockRows = 16384;  // 128 KiB per column block: stays in L2
  static constexpr std::size_t kMaxUnderlyingBytes = 100;

  explicit OptionQuoteCache(std::string directory);

  const std::string& directory() const noexcept { return directory_; }
  std::string file_path(std::string_view underlying, Timestamp as_of) const;

  // kHit fills *out with the cached rows with from <= ts_event <= to, sorted by (ts_event,
  // instrument); any other outcome leaves *out untouched. `detail` (optional) receives why a
  // file was not used.
  OptionQuoteCacheRead read(const OptionQuoteCacheKey& key, Timestamp from, Timestamp to, OptionQuoteColumns* out,
                            std::string* detail = nullptr) const;
  // Writes the underlying's whole series atomically, creating the directory (one level) if
  // needed. `columns` must be sorted by (ts_event, instrument) (asserted). Errors are kIo and
  // name the file; an underlying longer than kMaxUnderlyingBytes is kInvalidArgument.
  Status write(const OptionQuoteCacheKey& key, const OptionQuoteColumns& columns) const;
  // Deletes the underlying's files (any as-of) whose header is not for `data_version`, or is
  // unreadable: the store's version of an underlying changes with every write, so such files
  // can never be used again, and each holds the whole series. Files being written (".tmp.")
  // and other underlyings' files are left alone. Returns how many were deleted; best effort.
  std::int64_t remove_other_versions(std::string_view underlying, std::uint64_t data_version) const;

 private:
  std::string directory_;
};

}  // namespace keel::data
