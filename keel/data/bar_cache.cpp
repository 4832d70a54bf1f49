#include "keel/data/bar_cache.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cstring>

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

constexpr char kMagic[8] = {'K', 'E', 'E', 'L', 'B', 'A', 'R', 'C'};
constexpr std::uint64_t kEndianMarker = 0x0102030405060708ULL;
constexpr std::uint64_t kColumns = 7;
constexpr std::size_t kChunkWords = std::size_t{1} << 19;  // 4 MiB per write call
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

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

// Full-length pread/pwrite: false with errno set on failure, errno 0 on a short read (EOF).
bool read_all(int fd, void* buf, std::size_t n, off_t offset) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    const ssize_t r = ::pread(fd, p, n, offset);
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (r == 0) {
      errno = 0;
      return false;
    }
    p += r;
    n -= static_cast<std::size_t>(r);
    offset += r;
  }
  return true;
}

bool write_all(int fd, const void* buf, std::size_t n, off_t offset) {
  const auto* p = static_cast<const char*>(buf);
  while (n > 0) {
    const ssize_t r = ::pwrite(fd, p, n, offset);
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += r;
    n -= static_cast<std::size_t>(r);
    offset += r;
  }
  return true;
}

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

void reserve_columns(BarColumns& columns, std::size_t rows) {
  for (std::vector<std::int64_t>* col : columns_of(columns)) {
    col->reserve(rows);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
    const auto begin = reinterpret_cast<std::uintptr_t>(col->data());
    const std::uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1);
    const std::uintptr_t last = (begin + rows * sizeof(std::int64_t)) & ~(kHuge - 1);
    if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#endif
  }
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
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return why(BarCacheRead::kMissing, path + ": " + std::strerror(errno));
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) return why(BarCacheRead::kDamaged, path + ": fstat: " + std::strerror(errno));
  Header h{};
  if (static_cast<std::size_t>(st.st_size) < sizeof h || !read_all(fd.get(), &h, sizeof h, 0)) {
    return why(BarCacheRead::kDamaged, path + ": shorter than the header");
  }
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) return why(BarCacheRead::kDamaged, path + ": bad magic");
  if (h.header_checksum != header_checksum(h)) return why(BarCacheRead::kDamaged, path + ": header checksum mismatch");
  if (h.format_version != kFormatVersion || h.header_bytes != kHeaderBytes || h.endian_marker != kEndianMarker ||
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
  if (h.rows > max_rows ||
      static_cast<std::uint64_t>(st.st_size) != kHeaderBytes + h.rows * kColumns * 8) {
    return why(BarCacheRead::kDamaged, path + ": size " + std::to_string(st.st_size) + " does not match " +
                                           std::to_string(h.rows) + " rows");
  }
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  BarColumns cols;
  cols.instrument = key.instrument;
  cols.timeframe = key.timeframe;
  const std::size_t rows = static_cast<std::size_t>(h.rows);
  reserve_columns(cols, rows);
  std::vector<std::int64_t> chunk(std::min(kReadChunkWords, std::max<std::size_t>(rows, 1)));
  Checksum64 sum;
  off_t offset = kHeaderBytes;
  for (std::vector<std::int64_t>* col : columns_of(cols)) {
    for (std::size_t done = 0; done < rows;) {
      const std::size_t n = std::min(chunk.size(), rows - done);
      if (!read_all(fd.get(), chunk.data(), n * 8, offset)) {
        return why(BarCacheRead::kDamaged, path + ": read failed: " + (errno ? std::strerror(errno) : "end of file"));
      }
      sum.update(chunk.data(), n);
      col->insert(col->end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
      done += n;
      offset += static_cast<off_t>(n * 8);
    }
  }
  if (sum.digest() != h.payload_checksum) return why(BarCacheRead::kDamaged, path + ": payload checksum mismatch");
  *out = std::move(cols);
  return BarCacheRead::kHit;
}

Status BarCache::write(const BarCacheKey& key, const BarColumns& columns) const {
  if (::mkdir(directory_.c_str(), 0755) != 0 && errno != EEXIST) {
    return make_error(ErrorCode::kIo, directory_ + ": cannot create the bar cache directory: " + std::strerror(errno));
  }
  const std::string path = file_path(key.instrument, key.timeframe, key.as_of);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  auto fail = [&](const std::string& what) {
    const std::string text = tmp + ": " + what + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return make_error(ErrorCode::kIo, text);
  };
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return fail("cannot create");
  const std::size_t rows = columns.size();
  Checksum64 sum;
  off_t offset = kHeaderBytes;
  for (const std::vector<std::int64_t>* col : columns_of(columns)) {
    KEEL_ASSERT(col->size() == rows, "BarColumns with columns of different lengths");
    for (std::size_t done = 0; done < rows;) {
      const std::size_t n = std::min(kChunkWords, rows - done);
      sum.update(col->data() + done, n);
      if (!write_all(fd.get(), col->data() + done, n * 8, offset)) return fail("write failed");
      done += n;
      offset += static_cast<off_t>(n * 8);
    }
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
  h.endian_marker = kEndianMarker;
  h.header_checksum = header_checksum(h);
  if (!write_all(fd.get(), &h, sizeof h, 0)) return fail("write failed");
  if (::close(fd.release()) != 0) return fail("close failed");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename to " + path + " failed");
  return ok_status();
}

}  // namespace keel::data
