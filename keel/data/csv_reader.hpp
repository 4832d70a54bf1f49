// keel/data/csv_reader.hpp — a fast RFC 4180 CSV tokenizer over a plain or gzip file.
//
// Contract:
// - Records follow RFC 4180 §2: fields separated by the delimiter (',' by default), records
//   ended by CRLF or LF (a last record without a terminator counts), a field that starts with a
//   double quote is quoted and may hold delimiters, CR, LF and doubled quotes ("" stands for ").
//   Empty lines are skipped (they are counted for line numbers). A UTF-8 byte-order mark at the
//   start of the file is dropped.
// - Strict quoting: a quote inside an unquoted field, or anything but a delimiter or the end of
//   the record after a closing quote, makes the record malformed. So does a record whose field
//   count differs from the first record's (when uniform_field_count is on).
// - next() returns true with a record, false at the end, or an error. A kParse error is one bad
//   record: its message is "file:line: reason" (line = where the record starts), error_line()
//   gives the line, and the reader has already moved past it, so the caller may go on. An
//   unterminated quoted field (the file ends inside quotes, or the field grows past
//   max_record_bytes) is reported once and ends the reading. Any other error code (kIo: corrupt
//   gzip, read failure) is fatal and ends the reading too.
// - Line numbers are 1-based physical lines; record lines strictly increase.
// - Fields are string_views into the reader's buffer, valid until the next call to next(); the
//   reader allocates only when a record outgrows the buffer, never per field.
// Validated by csv_reader_test.cpp (edge cases, an RFC 4180 encode/decode round-trip property at
// tiny buffer sizes) and fuzz/csv_reader_fuzz.cpp.
// Thread safety: one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "keel/core/result.hpp"
#include "keel/data/line_reader.hpp"

namespace keel::data {

struct CsvOptions {
  char delimiter = ',';
  bool uniform_field_count = true;                // every record has as many fields as the first
  std::size_t block_size = 1 << 20;               // read size; the buffer grows for longer records
  std::size_t max_record_bytes = 64u << 20;       // a longer quoted record is an unterminated quote
};

struct CsvRecord {
  std::int64_t line = 0;  // 1-based line where the record starts
  std::vector<std::string_view> fields;

  std::size_t size() const noexcept { return fields.size(); }
  std::string_view operator[](std::size_t i) const noexcept { return fields[i]; }
};

class CsvReader {
 public:
  static Result<CsvReader> open(const std::string& path, CsvOptions options = {});
  explicit CsvReader(InputFile file, CsvOptions options = {});

  // The next record into `record` (its field vector is reused).
  Result<bool> next(CsvRecord& record);

  const std::string& name() const noexcept { return file_.path(); }
  // Field count of the first record (0 before it has been read).
  std::size_t expected_fields() const noexcept { return expected_fields_; }
  // Line of the record behind the last kParse error.
  std::int64_t error_line() const noexcept { return error_line_; }
  std::uint64_t bytes_done() const noexcept { return file_.raw_consumed(); }
  std::uint64_t bytes_total() const noexcept { return file_.raw_size(); }

 private:
  enum class Scan { kRecord, kNeedMore, kMalformed, kUnterminated };
  struct FieldSpan {
    std::size_t begin, end;  // offsets into buf_
    bool unescape;           // quoted field with doubled quotes to collapse
  };

  Status refill();
  Error malformed(std::int64_t line, const std::string& why);
  Scan scan_quoted(std::size_t& next_pos, std::int64_t& lines, std::string& why);

  InputFile file_;
  CsvOptions opt_;
  std::unique_ptr<char[]> buf_;
  std::size_t cap_ = 0, pos_ = 0, end_ = 0;
  bool eof_ = false;
  bool done_ = false;     // after an unterminated quote or a fatal error
  bool started_ = false;  // BOM check done
  std::int64_t line_ = 1;  // line number at pos_
  std::size_t expected_fields_ = 0;
  std::int64_t error_line_ = 0;
  std::vector<FieldSpan> spans_;
};

}  // namespace keel::data
