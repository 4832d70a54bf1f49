#include "keel/data/cache_file.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <utility>

namespace keel::data {
namespace {

// xxHash64 primes (xxhash_spec.md, "Prime constants").
constexpr std::uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr std::uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t kP3 = 0x165667B19E3779F9ULL;
constexpr std::uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;

inline std::uint64_t round64(std::uint64_t acc, std::uint64_t w) noexcept {
  acc += w * kP2;
  acc = std::rotl(acc, 31);
  return acc * kP1;
}

constexpr std::size_t kWriteChunkWords = std::size_t{1} << 19;  // 4 MiB per write call

}  // namespace

Checksum64::Checksum64(std::uint64_t seed) noexcept
    : lanes_{seed + kP1 + kP2, seed + kP2, seed, seed - kP1} {}

void Checksum64::update(std::uint64_t word) noexcept {
  std::uint64_t& lane = lanes_[count_ & 3];
  lane = round64(lane, word);
  ++count_;
}

void Checksum64::update(const std::int64_t* words, std::size_t n) noexcept {
  std::size_t i = 0;
  while (i < n && (count_ & 3) != 0) update(static_cast<std::uint64_t>(words[i++]));
  std::uint64_t a = lanes_[0], b = lanes_[1], c = lanes_[2], d = lanes_[3];
  for (; i + 4 <= n; i += 4) {
    a = round64(a, static_cast<std::uint64_t>(words[i]));
    b = round64(b, static_cast<std::uint64_t>(words[i + 1]));
    c = round64(c, static_cast<std::uint64_t>(words[i + 2]));
    d = round64(d, static_cast<std::uint64_t>(words[i + 3]));
    count_ += 4;
  }
  lanes_[0] = a;
  lanes_[1] = b;
  lanes_[2] = c;
  lanes_[3] = d;
  while (i < n) update(static_cast<std::uint64_t>(words[i++]));
}

std::uint64_t Checksum64::digest() const noexcept {
  // Merge as xxHash64 does for inputs of 32 bytes or more, then add the length and avalanche.
  std::uint64_t h = std::rotl(lanes_[0], 1) + std::rotl(lanes_[1], 7) + std::rotl(lanes_[2], 12) +
                    std::rotl(lanes_[3], 18);
  for (std::uint64_t lane : lanes_) {
    h ^= round64(0, lane);
    h = h * kP1 + kP4;
  }
  h += count_ * 8;
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

void reserve_huge(std::vector<std::int64_t>& column, std::size_t rows) {
  column.reserve(rows);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<std::uintptr_t>(column.data());
  const std::uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t last = (begin + rows * sizeof(std::int64_t)) & ~(kHuge - 1);
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#endif
}

// ---------------------------------------------------------------------------------------------
ReadFile::ReadFile(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
  if (fd_ < 0) error_ = std::strerror(errno);
}

ReadFile::~ReadFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::int64_t ReadFile::size() {
  struct stat st{};
  if (::fstat(fd_, &st) != 0) {
    error_ = std::string("fstat: ") + std::strerror(errno);
    return -1;
  }
  return static_cast<std::int64_t>(st.st_size);
}

bool ReadFile::read_at(void* buf, std::size_t n, std::int64_t offset) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    const ssize_t r = ::pread(fd_, p, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      error_ = std::string("read failed: ") + std::strerror(errno);
      return false;
    }
    if (r == 0) {
      error_ = "read failed: end of file";
      return false;
    }
    p += r;
    n -= static_cast<std::size_t>(r);
    offset += r;
  }
  return true;
}

bool ReadFile::read_words(std::int64_t offset, std::size_t words, std::span<std::int64_t> buffer, Checksum64& sum,
                          std::vector<std::int64_t>& dest, std::size_t keep_begin, std::size_t keep_end) {
  KEEL_ASSERT(!buffer.empty() && keep_begin <= keep_end && keep_end <= words, "read_words: bad arguments");
  for (std::size_t done = 0; done < words;) {
    const std::size_t n = std::min(buffer.size(), words - done);
    if (!read_at(buffer.data(), n * 8, offset)) return false;
    sum.update(buffer.data(), n);
    const std::size_t lo = std::clamp(keep_begin, done, done + n);
    const std::size_t hi = std::clamp(keep_end, done, done + n);
    if (hi > lo) {
      dest.insert(dest.end(), buffer.begin() + static_cast<std::ptrdiff_t>(lo - done),
                  buffer.begin() + static_cast<std::ptrdiff_t>(hi - done));
    }
    done += n;
    offset += static_cast<std::int64_t>(n * 8);
  }
  return true;
}

void ReadFile::advise_sequential() { ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL); }

// ---------------------------------------------------------------------------------------------
Result<AtomicFile> AtomicFile::create(const std::string& directory, const std::string& path, const std::string& what) {
  if (::mkdir(directory.c_str(), 0755) != 0 && errno != EEXIST) {
    return make_error(ErrorCode::kIo, directory + ": cannot create the " + what + " directory: " + std::strerror(errno));
  }
  // pid and a per-process sequence number: two stores of one process writing the same file
  // from two threads each get their own temporary file.
  static std::atomic<std::uint64_t> sequence{0};
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(sequence.fetch_add(1));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(ErrorCode::kIo, tmp + ": cannot create: " + std::strerror(errno));
  return AtomicFile(fd, std::move(tmp), path);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), tmp_(std::move(other.tmp_)), path_(std::move(other.path_)) {
  other.tmp_.clear();
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
}

Error AtomicFile::fail(const std::string& what) {
  const std::string text = tmp_ + ": " + what + ": " + std::strerror(errno);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(tmp_.c_str());
  tmp_.clear();
  return make_error(ErrorCode::kIo, text);
}

Status AtomicFile::write_at(const void* buf, std::size_t n, std::int64_t offset) {
  KEEL_ASSERT(fd_ >= 0, "AtomicFile::write_at after commit or failure");
  const auto* p = static_cast<const char*>(buf);
  while (n > 0) {
    const ssize_t r = ::pwrite(fd_, p, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return fail("write failed");
    }
    p += r;
    n -= static_cast<std::size_t>(r);
    offset += r;
  }
  return ok_status();
}

Status AtomicFile::write_words(const std::int64_t* words, std::size_t n, std::int64_t offset, Checksum64* sum) {
  for (std::size_t done = 0; done < n;) {
    const std::size_t k = std::min(kWriteChunkWords, n - done);
    if (sum != nullptr) sum->update(words + done, k);
    KEEL_TRY_STATUS(write_at(words + done, k * 8, offset));
    done += k;
    offset += static_cast<std::int64_t>(k * 8);
  }
  return ok_status();
}

Status AtomicFile::commit() {
  KEEL_ASSERT(fd_ >= 0, "AtomicFile::commit twice or after a failure");
  if (::close(std::exchange(fd_, -1)) != 0) return fail("close failed");
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) return fail("rename to " + path_ + " failed");
  tmp_.clear();
  return ok_status();
}

}  // namespace keel::data
