#include "keel/data/line_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

namespace keel::data {

namespace {
constexpr std::size_t kInputBlock = 256 * 1024;
}  // namespace

struct InputFile::Impl {
  std::string path;
  int fd = -1;
  bool in_memory = false;
  std::string memory;
  std::size_t memory_pos = 0;

  std::uint64_t raw_size = 0;
  std::uint64_t raw_read = 0;  // bytes taken from the file so far (into `in` or straight out)
  bool raw_eof = false;

  // Bytes read from the file but not yet handed on: the sniffed prefix for plain files, the
  // compressed input for gzip.
  std::unique_ptr<unsigned char[]> in;
  std::size_t in_cap = 0, in_pos = 0, in_len = 0;

  bool gzip = false;
  bool zs_init = false;
  bool member_done = false;  // inflate reached the end of a member; more may follow
  bool finished = false;
  z_stream zs{};

  bool failed = false;
  Error failure;

  ~Impl() {
    if (zs_init) inflateEnd(&zs);
    if (fd >= 0) ::close(fd);
  }

  Error fail(ErrorCode code, const std::string& why) {
    failed = true;
    failure = make_error(code, path + ": " + why);
    return failure;
  }

  // Reads up to n bytes of the underlying file; 0 at its end.
  Result<std::size_t> raw(unsigned char* dst, std::size_t n) {
    if (raw_eof) return std::size_t{0};
    if (in_memory) {
      const std::size_t k = std::min(n, memory.size() - memory_pos);
      std::memcpy(dst, memory.data() + memory_pos, k);
      memory_pos += k;
      raw_read += k;
      if (k == 0) raw_eof = true;
      return k;
    }
    for (;;) {
      const ssize_t k = ::read(fd, dst, n);
      if (k < 0) {
        if (errno == EINTR) continue;
        return fail(ErrorCode::kIo, std::string("read failed: ") + std::strerror(errno));
      }
      if (k == 0) raw_eof = true;
      raw_read += static_cast<std::uint64_t>(k);
      return static_cast<std::size_t>(k);
    }
  }

  Status sniff() {
    // A small file needs no full-size input block (raw_size is 0 when unknown).
    in_cap = raw_size > 0 && raw_size < kInputBlock ? static_cast<std::size_t>(raw_size) + 2 : kInputBlock;
    in = std::make_unique_for_overwrite<unsigned char[]>(in_cap);
    // Two bytes decide the format; keep reading until we have them or the file ends.
    while (in_len < 2 && !raw_eof) {
      auto k = raw(in.get() + in_len, in_cap - in_len);
      if (!k) return k.error();
      in_len += *k;
    }
    gzip = in_len >= 2 && in[0] == 0x1f && in[1] == 0x8b;
    if (gzip) {
      // 16 + MAX_WBITS: expect a gzip wrapper and check its CRC-32 and ISIZE trailer (zlib.h).
      if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return fail(ErrorCode::kInternal, "zlib inflateInit2 failed");
      zs_init = true;
    }
    return ok_status();
  }

  Result<std::size_t> read_plain(char* dst, std::size_t cap) {
    if (in_pos < in_len) {
      const std::size_t k = std::min(cap, in_len - in_pos);
      std::memcpy(dst, in.get() + in_pos, k);
      in_pos += k;
      return k;
    }
    return raw(reinterpret_cast<unsigned char*>(dst), cap);
  }

  Result<std::size_t> read_gzip(char* dst, std::size_t cap) {
    zs.next_out = reinterpret_cast<Bytef*>(dst);
    zs.avail_out = static_cast<uInt>(std::min<std::size_t>(cap, 1u << 30));
    const uInt want = zs.avail_out;
    while (zs.avail_out == want && !finished) {
      if (in_pos == in_len && !raw_eof) {
        auto k = raw(in.get(), in_cap);
        if (!k) return k.error();
        in_pos = 0;
        in_len = *k;
      }
      if (member_done) {
        if (in_pos == in_len && raw_eof) {
          finished = true;
          break;
        }
        if (in_pos == in_len) continue;  // the refill above read nothing yet; try again
        if (in[in_pos] != 0x1f) return fail(ErrorCode::kIo, "corrupt gzip stream: non-gzip bytes after the end of the compressed data");
        if (inflateReset(&zs) != Z_OK) return fail(ErrorCode::kInternal, "zlib inflateReset failed");
        member_done = false;
      }
      zs.next_in = in.get() + in_pos;
      zs.avail_in = static_cast<uInt>(in_len - in_pos);
      const int ret = inflate(&zs, Z_NO_FLUSH);
      in_pos = in_len - zs.avail_in;
      switch (ret) {
        case Z_OK:
          break;
        case Z_STREAM_END:
          member_done = true;
          break;
        case Z_BUF_ERROR:
          // No progress was possible: more input is needed, and there is none left.
          if (in_pos == in_len && raw_eof) return fail(ErrorCode::kIo, "truncated gzip stream: the file ends inside the compressed data");
          break;
        case Z_NEED_DICT:
        case Z_DATA_ERROR:
          return fail(ErrorCode::kIo, std::string("corrupt gzip stream (zlib: ") + (zs.msg ? zs.msg : "data error") + ")");
        case Z_MEM_ERROR:
          return fail(ErrorCode::kInternal, "zlib ran out of memory");
        default:
          return fail(ErrorCode::kInternal, "zlib inflate failed with code " + std::to_string(ret));
      }
      if (ret == Z_OK && zs.avail_out == want && in_pos == in_len && raw_eof) {
        return fail(ErrorCode::kIo, "truncated gzip stream: the file ends inside the compressed data");
      }
    }
    return static_cast<std::size_t>(want - zs.avail_out);
  }
};

InputFile::InputFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
InputFile::InputFile(InputFile&&) noexcept = default;
InputFile& InputFile::operator=(InputFile&&) noexcept = default;
InputFile::~InputFile() = default;

Result<InputFile> InputFile::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (impl->fd < 0) {
    const int e = errno;
    const ErrorCode code = (e == ENOENT || e == ENOTDIR) ? ErrorCode::kNotFound : ErrorCode::kIo;
    return make_error(code, "cannot open '" + path + "': " + std::strerror(e));
  }
  struct stat st {};
  if (::fstat(impl->fd, &st) != 0) return make_error(ErrorCode::kIo, "cannot stat '" + path + "': " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return make_error(ErrorCode::kIo, "cannot read '" + path + "': it is a directory");
  if (S_ISREG(st.st_mode)) impl->raw_size = static_cast<std::uint64_t>(st.st_size);
  KEEL_TRY_STATUS(impl->sniff());
  return InputFile(std::move(impl));
}

InputFile InputFile::from_memory(std::string bytes, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->path = std::move(name);
  impl->in_memory = true;
  impl->memory = std::move(bytes);
  impl->raw_size = impl->memory.size();
  // Memory never fails to read, and a failing zlib init is reported by the first read().
  (void)impl->sniff();
  return InputFile(std::move(impl));
}

Result<std::size_t> InputFile::read(char* dst, std::size_t capacity) {
  Impl& s = *impl_;
  if (s.failed) return s.failure;
  if (capacity == 0) return std::size_t{0};
  return s.gzip ? s.read_gzip(dst, capacity) : s.read_plain(dst, capacity);
}

const std::string& InputFile::path() const noexcept { return impl_->path; }
bool InputFile::compressed() const noexcept { return impl_->gzip; }
std::uint64_t InputFile::raw_size() const noexcept { return impl_->raw_size; }
std::uint64_t InputFile::raw_consumed() const noexcept {
  return impl_->raw_read - static_cast<std::uint64_t>(impl_->in_len - impl_->in_pos);
}

Result<LineReader> LineReader::open(const std::string& path, std::size_t block_size) {
  KEEL_TRY(file, InputFile::open(path));
  return LineReader(std::move(file), block_size);
}

LineReader::LineReader(InputFile file, std::size_t block_size)
    : file_(std::move(file)), buf_(std::make_unique_for_overwrite<char[]>(block_size == 0 ? 1 : block_size)),
      cap_(block_size == 0 ? 1 : block_size) {}

Result<bool> LineReader::next(std::string_view& line) {
  for (;;) {
    const char* base = buf_.get();
    if (const void* nl = std::memchr(base + pos_, '\n', end_ - pos_)) {
      const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
      std::size_t len = at - pos_;
      if (len > 0 && base[pos_ + len - 1] == '\r') --len;
      line = std::string_view(base + pos_, len);
      pos_ = at + 1;
      ++line_number_;
      return true;
    }
    if (eof_) {
      if (pos_ == end_) return false;
      std::size_t len = end_ - pos_;
      if (base[pos_ + len - 1] == '\r') --len;
      line = std::string_view(base + pos_, len);
      pos_ = end_;
      ++line_number_;
      return true;
    }
    // Keep the partial line, make room (doubling when one line fills the buffer), read more.
    if (pos_ > 0) {
      std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
    }
    if (end_ == cap_) {
      auto bigger = std::make_unique_for_overwrite<char[]>(cap_ * 2);
      std::memcpy(bigger.get(), buf_.get(), end_);
      buf_ = std::move(bigger);
      cap_ *= 2;
    }
    KEEL_TRY(k, file_.read(buf_.get() + end_, cap_ - end_));
    if (k == 0) eof_ = true;
    end_ += k;
  }
}

}  // namespace keel::data
