#include "keel/data/csv_reader.hpp"

#include <algorithm>
#include <cstring>

namespace keel::data {

Result<CsvReader> CsvReader::open(const std::string& path, CsvOptions options) {
  KEEL_TRY(file, InputFile::open(path));
  return CsvReader(std::move(file), options);
}

CsvReader::CsvReader(InputFile file, CsvOptions options) : file_(std::move(file)), opt_(options) {
  if (opt_.block_size < 4) opt_.block_size = 4;
  if (opt_.max_record_bytes < opt_.block_size) opt_.max_record_bytes = opt_.block_size;
  cap_ = opt_.block_size;
  // A small plain file needs no full block (decompressed sizes are unknown, so gzip keeps it).
  if (!file_.compressed() && file_.raw_size() > 0 && file_.raw_size() + 1 < cap_) {
    cap_ = std::max<std::size_t>(static_cast<std::size_t>(file_.raw_size()) + 1, 4);
  }
  buf_ = std::make_unique_for_overwrite<char[]>(cap_);
}

Status CsvReader::refill() {
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
  auto k = file_.read(buf_.get() + end_, cap_ - end_);
  if (!k) {
    done_ = true;
    return k.error();
  }
  if (*k == 0) eof_ = true;
  end_ += *k;
  return ok_status();
}

Error CsvReader::malformed(std::int64_t line, const std::string& why) {
  error_line_ = line;
  return make_error(ErrorCode::kParse, file_.path() + ":" + std::to_string(line) + ": " + why);
}

// Scans one record that contains a quote, starting at pos_, into spans_. Pure: the buffer is not
// modified, so a kNeedMore scan can be repeated after a refill.
CsvReader::Scan CsvReader::scan_quoted(std::size_t& next_pos, std::int64_t& lines, std::string& why) {
  const char* b = buf_.get();
  const char delim = opt_.delimiter;
  spans_.clear();
  std::size_t i = pos_;
  auto finish = [&](std::size_t next) {
    next_pos = next;
    lines = std::count(b + pos_, b + next, '\n');
    return Scan::kRecord;
  };
  // After an error, resume after the end of the physical line where it was found.
  auto bad = [&](std::size_t at, std::string reason) {
    const void* nl = std::memchr(b + at, '\n', end_ - at);
    if (nl == nullptr && !eof_) return Scan::kNeedMore;
    next_pos = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - b) + 1 : end_;
    lines = std::count(b + pos_, b + next_pos, '\n');
    why = std::move(reason);
    return Scan::kMalformed;
  };
  for (;;) {
    const std::size_t field_no = spans_.size() + 1;
    if (i < end_ && b[i] == '"') {
      std::size_t j = i + 1;
      bool esc = false;
      std::size_t close;
      for (;;) {
        const void* q = std::memchr(b + j, '"', end_ - j);
        if (q == nullptr) return eof_ ? Scan::kUnterminated : Scan::kNeedMore;
        const std::size_t k = static_cast<std::size_t>(static_cast<const char*>(q) - b);
        if (k + 1 == end_ && !eof_) return Scan::kNeedMore;  // "" or a closing quote? unknown yet
        if (k + 1 < end_ && b[k + 1] == '"') {
          esc = true;
          j = k + 2;
          continue;
        }
        close = k;
        break;
      }
      spans_.push_back(FieldSpan{i + 1, close, esc});
      const std::size_t after = close + 1;
      if (after == end_) return finish(end_);  // eof_ holds here (checked above)
      const char c = b[after];
      if (c == delim) {
        i = after + 1;
        continue;
      }
      if (c == '\n') return finish(after + 1);
      if (c == '\r') {
        if (after + 1 == end_) return eof_ ? finish(end_) : Scan::kNeedMore;
        if (b[after + 1] == '\n') return finish(after + 2);
      }
      return bad(after, "field " + std::to_string(field_no) + ": unexpected character after a closing quote");
    }
    std::size_t j = i;
    while (j < end_ && b[j] != delim && b[j] != '\n' && b[j] != '"') ++j;
    if (j == end_) {
      if (!eof_) return Scan::kNeedMore;
      std::size_t e = end_;
      if (e > i && b[e - 1] == '\r') --e;
      spans_.push_back(FieldSpan{i, e, false});
      return finish(end_);
    }
    if (b[j] == '"') return bad(j, "field " + std::to_string(field_no) + ": quote inside an unquoted field");
    if (b[j] == delim) {
      spans_.push_back(FieldSpan{i, j, false});
      i = j + 1;
      continue;
    }
    std::size_t e = j;
    if (e > i && b[e - 1] == '\r') --e;
    spans_.push_back(FieldSpan{i, e, false});
    return finish(j + 1);
  }
}

Result<bool> CsvReader::next(CsvRecord& record) {
  if (done_) return false;
  if (!started_) {
    while (end_ - pos_ < 3 && !eof_) KEEL_TRY_STATUS(refill());
    if (end_ - pos_ >= 3 && std::memcmp(buf_.get() + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
    started_ = true;
  }
  const char delim = opt_.delimiter;
  for (;;) {
    if (pos_ == end_) {
      if (eof_) return false;
      KEEL_TRY_STATUS(refill());
      continue;
    }
    char* b = buf_.get();
    char* p = b + pos_;
    char* nl = static_cast<char*>(std::memchr(p, '\n', end_ - pos_));
    if (nl == nullptr && !eof_) {
      if (end_ - pos_ >= opt_.max_record_bytes) {
        done_ = true;
        const bool quoted = std::memchr(p, '"', end_ - pos_) != nullptr;
        return malformed(line_, std::string(quoted ? "unterminated quoted field (" : "") + "record longer than " +
                                    std::to_string(opt_.max_record_bytes) + " bytes" + (quoted ? ")" : ""));
      }
      KEEL_TRY_STATUS(refill());
      continue;
    }
    char* line_end = nl ? nl : b + end_;
    if (std::memchr(p, '"', static_cast<std::size_t>(line_end - p)) == nullptr) {
      // Fast path: a physical line without quotes is one record.
      char* content_end = line_end;
      if (content_end > p && content_end[-1] == '\r') --content_end;
      const std::int64_t rec_line = line_;
      ++line_;
      pos_ = nl ? static_cast<std::size_t>(nl - b) + 1 : end_;
      if (content_end == p) continue;  // empty line
      auto& fields = record.fields;
      fields.clear();
      const char* f = p;
      for (;;) {
        const char* d = static_cast<const char*>(std::memchr(f, delim, static_cast<std::size_t>(content_end - f)));
        if (d == nullptr) {
          fields.emplace_back(f, static_cast<std::size_t>(content_end - f));
          break;
        }
        fields.emplace_back(f, static_cast<std::size_t>(d - f));
        f = d + 1;
      }
      record.line = rec_line;
      if (opt_.uniform_field_count) {
        if (expected_fields_ == 0) {
          expected_fields_ = fields.size();
        } else if (fields.size() != expected_fields_) {
          return malformed(rec_line, "expected " + std::to_string(expected_fields_) + " fields, found " +
                                         std::to_string(fields.size()));
        }
      }
      return true;
    }
    // Slow path: quoted fields, which may span lines.
    std::size_t next_pos = 0;
    std::int64_t lines = 0;
    std::string why;
    const Scan scan = scan_quoted(next_pos, lines, why);
    if (scan == Scan::kNeedMore) {
      if (end_ - pos_ >= opt_.max_record_bytes) {
        done_ = true;
        return malformed(line_, "unterminated quoted field (record longer than " +
                                    std::to_string(opt_.max_record_bytes) + " bytes)");
      }
      KEEL_TRY_STATUS(refill());
      continue;
    }
    const std::int64_t rec_line = line_;
    if (scan == Scan::kUnterminated) {
      done_ = true;
      pos_ = end_;
      return malformed(rec_line, "unterminated quoted field (the file ends inside quotes)");
    }
    line_ += lines;
    pos_ = next_pos;
    if (scan == Scan::kMalformed) return malformed(rec_line, why);
    auto& fields = record.fields;
    fields.clear();
    for (const FieldSpan& s : spans_) {
      std::size_t e = s.end;
      if (s.unescape) {
        // Collapse each "" to ": the scan guaranteed quotes come in pairs inside the field.
        std::size_t w = s.begin;
        for (std::size_t r = s.begin; r < s.end; ++r) {
          b[w++] = b[r];
          if (b[r] == '"') ++r;
        }
        e = w;
      }
      fields.emplace_back(b + s.begin, e - s.begin);
    }
    record.line = rec_line;
    if (opt_.uniform_field_count) {
      if (expected_fields_ == 0) {
        expected_fields_ = fields.size();
      } else if (fields.size() != expected_fields_) {
        return malformed(rec_line, "expected " + std::to_string(expected_fields_) + " fields, found " +
                                       std::to_string(fields.size()));
      }
    }
    return true;
  }
}

}  // namespace keel::data
