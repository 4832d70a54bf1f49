// Tests of the RFC 4180 tokenizer: edge cases with hand-written expectations, every malformed
// form with its exact "file:line: reason", and an encode/decode round-trip property (RFC 4180
// §2 rules 5–7 applied by an independent encoder) at buffer sizes down to a few bytes.
#include "keel/data/csv_reader.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "keel/testkit/gzip_file.hpp"
#include "keel/testkit/temp_dir.hpp"

namespace keel::data {
namespace {

struct Row {
  std::int64_t line;
  std::vector<std::string> fields;
  friend bool operator==(const Row&, const Row&) = default;
};

// Either a record or an error message, in reading order.
struct Item {
  bool ok;
  Row row;
  std::string error;
};

std::vector<Item> read_all(std::string text, CsvOptions opt = {}, const char* name = "t.csv") {
  CsvReader r(InputFile::from_memory(std::move(text), name), opt);
  std::vector<Item> out;
  CsvRecord rec;
  for (int guard = 0; guard < 100000; ++guard) {
    auto more = r.next(rec);
    if (!more.ok()) {
      out.push_back(Item{false, {}, more.error().message});
      if (more.error().code != ErrorCode::kParse) break;
      continue;
    }
    if (!*more) break;
    Row row{rec.line, {}};
    for (auto f : rec.fields) row.fields.emplace_back(f);
    out.push_back(Item{true, row, {}});
  }
  return out;
}

std::vector<Row> rows_of(const std::vector<Item>& items) {
  std::vector<Row> rows;
  for (const auto& i : items) {
    EXPECT_TRUE(i.ok) << i.error;
    if (i.ok) rows.push_back(i.row);
  }
  return rows;
}

using V = std::vector<std::string>;

TEST(CsvReader, SimpleRecordsWithLineNumbers) {
  EXPECT_EQ(rows_of(read_all("a,b,c\n1,2,3\n4,5,6\n")),
            (std::vector<Row>{{1, V{"a", "b", "c"}}, {2, V{"1", "2", "3"}}, {3, V{"4", "5", "6"}}}));
}

TEST(CsvReader, CrlfAndMissingFinalNewline) {
  EXPECT_EQ(rows_of(read_all("a,b\r\n1,2\r\n3,4")),
            (std::vector<Row>{{1, V{"a", "b"}}, {2, V{"1", "2"}}, {3, V{"3", "4"}}}));
}

TEST(CsvReader, EmptyFieldsAndTrailingDelimiter) {
  EXPECT_EQ(rows_of(read_all("a,,c\n,,\nx,y,\n")),
            (std::vector<Row>{{1, V{"a", "", "c"}}, {2, V{"", "", ""}}, {3, V{"x", "y", ""}}}));
}

TEST(CsvReader, EmptyLinesAreSkippedButCounted) {
  EXPECT_EQ(rows_of(read_all("\na,b\n\r\n\n1,2\n\n")), (std::vector<Row>{{2, V{"a", "b"}}, {5, V{"1", "2"}}}));
}

TEST(CsvReader, Utf8BomIsDropped) {
  EXPECT_EQ(rows_of(read_all("\xEF\xBB\xBF" "Date,Close\n2024-01-02,1\n")),
            (std::vector<Row>{{1, V{"Date", "Close"}}, {2, V{"2024-01-02", "1"}}}));
}

TEST(CsvReader, QuotedFields) {
  // RFC 4180 §2 rule 6 (delimiters, quotes and line breaks inside quotes) and rule 7 ("" → ").
  const std::string text =
      "name,note\n"
      "\"a,b\",\"say \"\"hi\"\"\"\n"
      "\"two\nlines\",\"\"\n"
      "\"crlf\r\ninside\",x\r\n"
      "last,\"q\"";
  EXPECT_EQ(rows_of(read_all(text)), (std::vector<Row>{{1, V{"name", "note"}},
                                                        {2, V{"a,b", "say \"hi\""}},
                                                        {3, V{"two\nlines", ""}},
                                                        {5, V{"crlf\r\ninside", "x"}},
                                                        {7, V{"last", "q"}}}));
}

TEST(CsvReader, QuotedFieldFollowedByCrlfAndEndOfFile) {
  EXPECT_EQ(rows_of(read_all("\"a\",\"b\"\r\n\"c\",\"d\"\r")), (std::vector<Row>{{1, V{"a", "b"}}, {2, V{"c", "d"}}}));
}

TEST(CsvReader, OtherDelimiter) {
  CsvOptions opt;
  opt.delimiter = '\t';
  EXPECT_EQ(rows_of(read_all("a\tb,c\n\"x\ty\"\tz\n", opt)), (std::vector<Row>{{1, V{"a", "b,c"}}, {2, V{"x\ty", "z"}}}));
}

TEST(CsvReader, WrongFieldCountIsReportedPerLineAndReadingGoesOn) {
  const auto items = read_all("a,b,c\n1,2,3\n1,2\n4,5,6\n1,2,3,4\n");
  ASSERT_EQ(items.size(), 5u);
  EXPECT_TRUE(items[1].ok);
  EXPECT_FALSE(items[2].ok);
  EXPECT_EQ(items[2].error, "t.csv:3: expected 3 fields, found 2");
  EXPECT_EQ(items[3].row, (Row{4, V{"4", "5", "6"}}));
  EXPECT_EQ(items[4].error, "t.csv:5: expected 3 fields, found 4");
}

TEST(CsvReader, RaggedRecordsAllowedWhenAsked) {
  CsvOptions opt;
  opt.uniform_field_count = false;
  EXPECT_EQ(rows_of(read_all("a\nb,c\n", opt)), (std::vector<Row>{{1, V{"a"}}, {2, V{"b", "c"}}}));
}

TEST(CsvReader, QuoteInsideUnquotedFieldIsMalformed) {
  const auto items = read_all("a,b\n1,x\"y\n2,3\n");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1].error, "t.csv:2: field 2: quote inside an unquoted field");
  EXPECT_EQ(items[2].row, (Row{3, V{"2", "3"}}));
}

TEST(CsvReader, CharacterAfterClosingQuoteIsMalformed) {
  const auto items = read_all("a,b\n\"x\"y,1\n\"ok\",2\n");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1].error, "t.csv:2: field 1: unexpected character after a closing quote");
  EXPECT_EQ(items[2].row, (Row{3, V{"ok", "2"}}));
}

TEST(CsvReader, MalformedQuotedRecordSpanningLinesResumesAfterTheBadLine) {
  // The record starts on line 2, its quoted field closes on line 3 and is followed by junk; the
  // reader reports line 2 and resumes on line 4.
  const auto items = read_all("a,b\n\"x\ny\"z,1\n5,6\n");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1].error, "t.csv:2: field 1: unexpected character after a closing quote");
  EXPECT_EQ(items[2].row, (Row{4, V{"5", "6"}}));
}

TEST(CsvReader, UnterminatedQuoteEndsTheReading) {
  const auto items = read_all("a,b\n1,2\n3,\"never closed\n4,5\n");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1].row, (Row{2, V{"1", "2"}}));
  EXPECT_EQ(items[2].error, "t.csv:3: unterminated quoted field (the file ends inside quotes)");
}

TEST(CsvReader, OverlongQuotedRecordIsUnterminated) {
  CsvOptions opt;
  opt.block_size = 8;
  opt.max_record_bytes = 64;
  const auto items = read_all("a\n\"" + std::string(200, 'x') + "\"\n", opt);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].error, "t.csv:2: unterminated quoted field (record longer than 64 bytes)");
}

TEST(CsvReader, ErrorLineIsExposed) {
  CsvReader r(InputFile::from_memory("a,b\n1\n", "e.csv"));
  CsvRecord rec;
  ASSERT_TRUE(*r.next(rec));
  auto bad = r.next(rec);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kParse);
  EXPECT_EQ(r.error_line(), 2);
  EXPECT_EQ(r.expected_fields(), 2u);
}

TEST(CsvReader, ReadsGzipAndReportsBytes) {
  testkit::TempDir dir;
  std::string text = "sym,v\n";
  for (int i = 0; i < 20000; ++i) text += "S" + std::to_string(i % 7) + "," + std::to_string(i) + "\n";
  const std::string gz = testkit::gzip_bytes(text);
  testkit::write_file(dir.file("x.csv.gz"), gz);
  auto r = CsvReader::open(dir.file("x.csv.gz"));
  ASSERT_TRUE(r.ok());
  CsvRecord rec;
  int n = 0;
  while (*r->next(rec)) ++n;
  EXPECT_EQ(n, 20001);
  EXPECT_EQ(r->bytes_done(), gz.size());
  EXPECT_EQ(r->bytes_total(), gz.size());
}

TEST(CsvReader, MissingFileNamesIt) {
  auto r = CsvReader::open("/nonexistent/keel/x.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("/nonexistent/keel/x.csv"), std::string::npos);
}

TEST(CsvReader, CorruptGzipIsFatal) {
  std::string gz = testkit::gzip_bytes(std::string(5000, 'a') + "\n");
  gz[gz.size() / 2] = static_cast<char>(gz[gz.size() / 2] ^ 0xff);
  const auto items = read_all(gz, {}, "c.csv.gz");
  ASSERT_FALSE(items.empty());
  EXPECT_FALSE(items.back().ok);
  EXPECT_EQ(items.back().error.rfind("c.csv.gz: ", 0), 0u) << items.back().error;
}

// RFC 4180 encoder, written from the rules: quote a field that holds the delimiter, a quote,
// CR or LF (rule 6), doubling inner quotes (rule 7). A record of one empty field is quoted too,
// since an empty line is skipped.
std::string encode(const std::vector<std::vector<std::string>>& table, bool crlf, bool final_newline) {
  std::string out;
  for (std::size_t r = 0; r < table.size(); ++r) {
    for (std::size_t c = 0; c < table[r].size(); ++c) {
      const std::string& f = table[r][c];
      if (c > 0) out += ',';
      const bool quote = f.find_first_of(",\"\r\n") != std::string::npos || (table[r].size() == 1 && f.empty());
      if (quote) {
        out += '"';
        for (char ch : f) {
          if (ch == '"') out += '"';
          out += ch;
        }
        out += '"';
      } else {
        out += f;
      }
    }
    if (r + 1 < table.size() || final_newline) out += crlf ? "\r\n" : "\n";
  }
  return out;
}

RC_GTEST_PROP(CsvReader, DecodesWhatAnRfc4180EncoderWrote, ()) {
  const std::size_t cols = *rc::gen::inRange<std::size_t>(1, 5);
  const std::size_t nrows = *rc::gen::inRange<std::size_t>(1, 12);
  auto field = rc::gen::container<std::string>(rc::gen::element('a', '1', ',', '"', '\n', '\r', ' '));
  std::vector<std::vector<std::string>> table;
  for (std::size_t r = 0; r < nrows; ++r) {
    table.push_back(*rc::gen::container<std::vector<std::string>>(cols, field));
  }
  const bool crlf = *rc::gen::arbitrary<bool>();
  const bool final_newline = *rc::gen::arbitrary<bool>();
  CsvOptions opt;
  opt.block_size = *rc::gen::inRange<std::size_t>(4, 64);
  const std::string text = encode(table, crlf, final_newline);
  CsvReader reader(InputFile::from_memory(text, "p.csv"), opt);
  CsvRecord rec;
  std::int64_t expected_line = 1;
  for (std::size_t r = 0; r < nrows; ++r) {
    auto more = reader.next(rec);
    RC_ASSERT(more.ok());
    RC_ASSERT(*more);
    RC_ASSERT(rec.line == expected_line);
    std::vector<std::string> got(rec.fields.begin(), rec.fields.end());
    RC_ASSERT(got == table[r]);
    // Physical lines of this record: one plus every LF inside its fields.
    for (const auto& f : table[r]) expected_line += std::count(f.begin(), f.end(), '\n');
    ++expected_line;
  }
  auto end = reader.next(rec);
  RC_ASSERT(end.ok());
  RC_ASSERT(!*end);
}

}  // namespace
}  // namespace keel::data
