// keel/data/line_reader.hpp — reading a plain or gzip-compressed text file as bytes or lines.
//
// Contract:
// - InputFile opens a file and yields its (decompressed) bytes. Compression is detected by the
//   gzip magic bytes 1f 8b (RFC 1952 §2.3.1), never by the file name, so "x.csv" holding gzip
//   data and "x.csv.gz" holding plain text both read correctly. Concatenated gzip members
//   (RFC 1952 §2.2, what `cat a.gz b.gz` or pigz produce) are read as one stream.
// - Errors name the file: a missing file is kNotFound, an unreadable one (permissions, a
//   directory, a read failure) kIo; a corrupt gzip stream (bad header, bad deflate data, CRC or
//   length mismatch), a truncated one (the file ends inside a member) or non-gzip bytes after
//   the last member are kIo. Once read() has returned an error the file stays failed.
// - raw_size()/raw_consumed() count bytes of the file on disk (compressed bytes for gzip), so a
//   progress bar over them reaches 100% exactly at the end whether or not it is compressed.
// - LineReader splits the bytes into lines ended by "\n" or "\r\n" (the terminator is not part
//   of the line); a last line without a terminator is still a line; lines are numbered from 1.
//   A line's view stays valid until the next call to next().
// Validated by line_reader_test.cpp: plain and gzip round trips (written with zlib in the test),
// multi-member streams, flipped and truncated bytes, missing and unreadable files.
// Thread safety: an InputFile or LineReader is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "keel/core/result.hpp"

namespace keel::data {

class InputFile {
 public:
  // Opens `path` and sniffs its first bytes for the gzip magic.
  static Result<InputFile> open(const std::string& path);
  // The same reader over bytes in memory (tests and fuzzing); `name` appears in errors.
  static InputFile from_memory(std::string bytes, std::string name);

  InputFile(InputFile&&) noexcept;
  InputFile& operator=(InputFile&&) noexcept;
  ~InputFile();

  // Reads up to `capacity` bytes of content into `dst`; returns the count, 0 only at the end of
  // the content. Never returns fewer than 1 byte unless at the end.
  Result<std::size_t> read(char* dst, std::size_t capacity);

  const std::string& path() const noexcept;
  bool compressed() const noexcept;
  std::uint64_t raw_size() const noexcept;      // bytes of the file (0 when unknown, e.g. a pipe)
  std::uint64_t raw_consumed() const noexcept;  // bytes of the file consumed so far

 private:
  struct Impl;
  explicit InputFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class LineReader {
 public:
  static Result<LineReader> open(const std::string& path, std::size_t block_size = 1 << 20);
  explicit LineReader(InputFile file, std::size_t block_size = 1 << 20);

  // Sets `line` to the next line and returns true; false at the end of the file.
  Result<bool> next(std::string_view& line);
  // 1-based number of the line last returned by next() (0 before the first).
  std::int64_t line_number() const noexcept { return line_number_; }
  const InputFile& file() const noexcept { return file_; }

 private:
  InputFile file_;
  std::unique_ptr<char[]> buf_;
  std::size_t cap_ = 0, pos_ = 0, end_ = 0;
  bool eof_ = false;
  std::int64_t line_number_ = 0;
};

}  // namespace keel::data
