// keel/data/cache_file.hpp — what the columnar cache files (bar_cache.hpp,
// option_quote_cache.hpp) share: the Checksum64 digest, the read outcomes, atomic file
// writes, and chunked checksummed reads and writes of int64 columns.
//
// Contract:
// - Checksum64 is deterministic: the same words in the same order give the same digest however
//   they are split between update() calls.
// - AtomicFile writes "<file>.tmp.<pid>.<n>" and renames it over the file in commit(), so a reader
//   (or a crash) sees the old file, the new file or no file, never a half-written one; an
//   AtomicFile destroyed without commit() removes its temporary file.
// - read_words() copies file words through a caller-supplied buffer small enough to stay in the
//   CPU cache: each chunk is checksummed and the wanted part appended to the destination, so the
//   data crosses memory once and nothing is zero-filled first.
// - Files are native little-endian int64 words; each format checks an endianness marker.
// Thread safety: no shared state; an AtomicFile or ReadFile belongs to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "keel/core/result.hpp"

namespace keel::data {

// A streaming 64-bit checksum: four lanes of the xxHash64 round (acc += w * P2; acc = rotl(acc,
// 31); acc *= P1) over 64-bit words, merged and avalanched as in the xxHash64 specification
// (Y. Collet, "xxHash fast digest algorithm", doc/xxhash_spec.md). Not cryptographic: it
// detects damage, not tampering. Words fed in any chunking give the same digest.
class Checksum64 {
 public:
  explicit Checksum64(std::uint64_t seed = 0) noexcept;
  void update(const std::int64_t* words, std::size_t n) noexcept;
  void update(std::uint64_t word) noexcept;
  std::uint64_t digest() const noexcept;

 private:
  std::uint64_t lanes_[4];
  std::uint64_t count_ = 0;
};

// Why a cache file was or was not used. Anything but kHit leaves the caller's output untouched;
// the caller reloads from the store and rewrites the file.
enum class CacheRead {
  kHit,
  kMissing,  // no file
  kStale,    // a file for another data version, key or format version
  kDamaged,  // a file that fails its size or checksum checks
};

constexpr std::uint64_t kCacheEndianMarker = 0x0102030405060708ULL;

// Reserves `rows` in `column` and, on Linux, asks the kernel to back a large buffer with
// transparent huge pages (madvise MADV_HUGEPAGE): filling 80 MB columns then takes 512x fewer
// page faults, and freeing them is as cheap. Advice only: the result is the same without it.
void reserve_huge(std::vector<std::int64_t>& column, std::size_t rows);

// A cache file opened for reading. ok() is false (errno kept in error_text()) when it could not
// be opened.
class ReadFile {
 public:
  explicit ReadFile(const std::string& path);
  ~ReadFile();
  ReadFile(const ReadFile&) = delete;
  ReadFile& operator=(const ReadFile&) = delete;
  bool ok() const noexcept { return fd_ >= 0; }
  const std::string& error_text() const noexcept { return error_; }
  // The file's size in bytes, or -1 (error_text() says why).
  std::int64_t size();
  // Reads exactly n bytes at offset; false on an error or end of file (error_text() says which).
  bool read_at(void* buf, std::size_t n, std::int64_t offset);
  // Reads `words` int64 words at `offset` through `buffer`, feeding every word to `sum` and
  // appending the words with index in [keep_begin, keep_end) (relative to the first word read)
  // to *dest.
  bool read_words(std::int64_t offset, std::size_t words, std::span<std::int64_t> buffer, Checksum64& sum,
                  std::vector<std::int64_t>& dest, std::size_t keep_begin, std::size_t keep_end);
  // Tells the kernel the file will be read sequentially (read-ahead); advice only.
  void advise_sequential();

 private:
  int fd_ = -1;
  std::string error_;
};

// A file written to "<path>.tmp.<pid>.<n>" and renamed over `path` by commit().
class AtomicFile {
 public:
  // Creates `directory` (one level) if needed and the temporary file; errors are kIo and name
  // the directory or file (`what` names the cache in the message, e.g. "bar cache").
  static Result<AtomicFile> create(const std::string& directory, const std::string& path, const std::string& what);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();

  Status write_at(const void* buf, std::size_t n, std::int64_t offset);
  // Writes n words at offset in large chunks, feeding them to *sum when it is not null.
  Status write_words(const std::int64_t* words, std::size_t n, std::int64_t offset, Checksum64* sum);
  // Closes the file and renames it over the target.
  Status commit();

 private:
  AtomicFile(int fd, std::string tmp, std::string path) : fd_(fd), tmp_(std::move(tmp)), path_(std::move(path)) {}
  Error fail(const std::string& what);

  int fd_ = -1;
  std::string tmp_, path_;
};

}  // namespace keel::data
