// Tests of InputFile and LineReader: plain and gzip content (gzip written by zlib itself, the
// reference implementation), multi-member streams, corrupt and truncated streams, missing and
// unreadable files, and a line-splitting property at tiny buffer sizes.
#include "keel/data/line_reader.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "keel/testkit/gzip_file.hpp"
#include "keel/testkit/temp_dir.hpp"

namespace keel::data {
namespace {

using testkit::gzip_bytes;
using testkit::TempDir;
using testkit::write_file;

// Reads everything through read() with a small destination to exercise partial reads.
Result<std::string> slurp(InputFile& f, std::size_t chunk = 7) {
  std::string out;
  std::string buf(chunk, '\0');
  for (;;) {
    KEEL_TRY(n, f.read(buf.data(), buf.size()));
    if (n == 0) return out;
    out.append(buf.data(), n);
  }
}

std::vector<std::string> lines_of(LineReader& r) {
  std::vector<std::string> out;
  std::string_view line;
  for (;;) {
    auto more = r.next(line);
    EXPECT_TRUE(more.ok()) << (more.ok() ? "" : more.error().message);
    if (!more.ok() || !*more) return out;
    out.emplace_back(line);
    EXPECT_EQ(r.line_number(), static_cast<std::int64_t>(out.size()));
  }
}

// Deterministic text with varied line lengths, enough to span several 256 KiB input blocks.
std::string sample_text(std::size_t lines) {
  std::string s;
  for (std::size_t i = 0; i < lines; ++i) {
    s += "row " + std::to_string(i) + "," + std::string(i % 37, static_cast<char>('a' + i % 26)) + "\n";
  }
  return s;
}

TEST(InputFile, ReadsPlainFile) {
  TempDir dir;
  write_file(dir.file("a.csv"), "hello\nworld\n");
  auto f = InputFile::open(dir.file("a.csv"));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_FALSE(f->compressed());
  EXPECT_EQ(f->raw_size(), 12u);
  auto all = slurp(*f);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, "hello\nworld\n");
  EXPECT_EQ(f->raw_consumed(), 12u);
}

TEST(InputFile, DetectsGzipByMagicNotByName) {
  TempDir dir;
  const std::string text = sample_text(40000);  // ~1 MB, several input blocks
  const std::string gz = gzip_bytes(text);
  ASSERT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  ASSERT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  write_file(dir.file("data.csv"), gz);  // no .gz suffix on purpose
  auto f = InputFile::open(dir.file("data.csv"));
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->compressed());
  auto all = slurp(*f, 4096);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(*all, text);
  EXPECT_EQ(f->raw_consumed(), gz.size());
  EXPECT_EQ(f->raw_size(), gz.size());
}

TEST(InputFile, ReadsConcatenatedGzipMembers) {
  // RFC 1952 §2.2: a gzip file is a series of members; `cat a.gz b.gz` is valid gzip.
  const std::string a = "first,1\nsecond,2\n", b = "third,3\n";
  InputFile f = InputFile::from_memory(gzip_bytes(a) + gzip_bytes(b, 9), "two.gz");
  auto all = slurp(f);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(*all, a + b);
}

TEST(InputFile, EmptyGzipMemberGivesNoBytes) {
  InputFile f = InputFile::from_memory(gzip_bytes(""), "empty.gz");
  EXPECT_TRUE(f.compressed());
  auto all = slurp(f);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, "");
}

TEST(InputFile, CorruptGzipIsAnIoErrorNamingTheFile) {
  TempDir dir;
  std::string gz = gzip_bytes(sample_text(2000));
  // Flip bytes in the middle of the deflate data: either the deflate decoder or the CRC-32
  // check in the trailer must notice.
  for (std::size_t i = gz.size() / 2; i < gz.size() / 2 + 4; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5a);
  write_file(dir.file("bad.csv.gz"), gz);
  auto f = InputFile::open(dir.file("bad.csv.gz"));
  ASSERT_TRUE(f.ok());
  auto all = slurp(*f, 1 << 16);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().code, ErrorCode::kIo);
  EXPECT_NE(all.error().message.find(dir.file("bad.csv.gz")), std::string::npos) << all.error().message;
  EXPECT_NE(all.error().message.find("corrupt gzip"), std::string::npos) << all.error().message;
  // Stays failed.
  char c;
  EXPECT_FALSE(f->read(&c, 1).ok());
}

TEST(InputFile, FlippedCrcTrailerIsDetected) {
  std::string gz = gzip_bytes("a,b\n1,2\n");
  gz[gz.size() - 6] = static_cast<char>(gz[gz.size() - 6] ^ 1);  // CRC-32 is bytes -8..-5
  InputFile f = InputFile::from_memory(gz, "crc.gz");
  auto all = slurp(f);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().code, ErrorCode::kIo);
  EXPECT_NE(all.error().message.find("crc.gz"), std::string::npos);
}

TEST(InputFile, TruncatedGzipIsAnIoError) {
  const std::string gz = gzip_bytes(sample_text(3000));
  for (std::size_t keep : {std::size_t{2}, std::size_t{10}, gz.size() / 2, gz.size() - 1}) {
    InputFile f = InputFile::from_memory(gz.substr(0, keep), "cut.gz");
    auto all = slurp(f, 1 << 12);
    ASSERT_FALSE(all.ok()) << "kept " << keep;
    EXPECT_EQ(all.error().code, ErrorCode::kIo);
    EXPECT_NE(all.error().message.find("cut.gz"), std::string::npos);
  }
}

TEST(InputFile, TrailingGarbageAfterGzipIsAnIoError) {
  InputFile f = InputFile::from_memory(gzip_bytes("x\n") + "garbage", "tail.gz");
  auto all = slurp(f);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().code, ErrorCode::kIo);
  EXPECT_NE(all.error().message.find("tail.gz"), std::string::npos);
}

TEST(InputFile, MissingFileIsNotFound) {
  TempDir dir;
  auto f = InputFile::open(dir.file("nope.csv"));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, ErrorCode::kNotFound);
  EXPECT_NE(f.error().message.find(dir.file("nope.csv")), std::string::npos);
}

TEST(InputFile, DirectoryIsAnIoError) {
  TempDir dir;
  auto f = InputFile::open(dir.path());
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, ErrorCode::kIo);
  EXPECT_NE(f.error().message.find(dir.path()), std::string::npos);
}

TEST(InputFile, UnreadableFileIsAnIoError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  TempDir dir;
  write_file(dir.file("secret.csv"), "a\n");
  ASSERT_EQ(::chmod(dir.file("secret.csv").c_str(), 0), 0);
  auto f = InputFile::open(dir.file("secret.csv"));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, ErrorCode::kIo);
  EXPECT_NE(f.error().message.find("secret.csv"), std::string::npos);
}

TEST(InputFile, ReadFailureIsAnIoError) {
  // Reading /proc/self/mem at offset 0 fails with EIO (nothing is mapped at address 0): a read
  // error that even root gets.
  auto f = InputFile::open("/proc/self/mem");
  if (f.ok()) GTEST_SKIP() << "this kernel let us read /proc/self/mem at 0";
  EXPECT_EQ(f.error().code, ErrorCode::kIo);
  EXPECT_NE(f.error().message.find("/proc/self/mem"), std::string::npos) << f.error().message;
}

TEST(LineReader, SplitsOnLfAndCrlfAndKeepsALastUnterminatedLine) {
  LineReader r(InputFile::from_memory("a\nbb\r\n\nccc", "m"), 16);
  EXPECT_EQ(lines_of(r), (std::vector<std::string>{"a", "bb", "", "ccc"}));
}

TEST(LineReader, EmptyInputHasNoLines) {
  LineReader r(InputFile::from_memory("", "m"));
  EXPECT_TRUE(lines_of(r).empty());
}

TEST(LineReader, LinesLongerThanTheBlockGrowTheBuffer) {
  const std::string long_line(1000, 'x');
  LineReader r(InputFile::from_memory(long_line + "\nshort\n", "m"), 16);
  EXPECT_EQ(lines_of(r), (std::vector<std::string>{long_line, "short"}));
}

TEST(LineReader, ReadsGzipFile) {
  TempDir dir;
  const std::string text = sample_text(50000);
  write_file(dir.file("t.gz"), gzip_bytes(text));
  auto r = LineReader::open(dir.file("t.gz"));
  ASSERT_TRUE(r.ok());
  const auto lines = lines_of(*r);
  ASSERT_EQ(lines.size(), 50000u);
  EXPECT_EQ(lines[0], "row 0,");
  EXPECT_EQ(lines[49999], "row 49999," + std::string(49999 % 37, static_cast<char>('a' + 49999 % 26)));
}

RC_GTEST_PROP(LineReader, MatchesASimpleSplitAtAnyBlockSize, ()) {
  // Lines drawn from a small alphabet including CR, joined by LF or CRLF.
  const auto lines = *rc::gen::container<std::vector<std::string>>(
      rc::gen::container<std::string>(rc::gen::element('a', 'b', ',', '\r', ' ')));
  const bool crlf = *rc::gen::arbitrary<bool>();
  const bool final_terminator = *rc::gen::arbitrary<bool>();
  const std::size_t block = *rc::gen::inRange<std::size_t>(1, 40);
  std::string text;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    text += lines[i];
    if (i + 1 < lines.size() || final_terminator) text += crlf ? "\r\n" : "\n";
  }
  // Expected: split at LF, then drop one CR before each LF.
  std::vector<std::string> expected;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::string l = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!l.empty() && l.back() == '\r') l.pop_back();
    expected.push_back(l);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  const bool gz = *rc::gen::arbitrary<bool>();
  LineReader r(InputFile::from_memory(gz ? gzip_bytes(text) : text, "p"), block);
  std::vector<std::string> got;
  std::string_view line;
  for (;;) {
    auto more = r.next(line);
    RC_ASSERT(more.ok());
    if (!*more) break;
    got.emplace_back(line);
  }
  RC_ASSERT(got == expected);
}

}  // namespace
}  // namespace keel::data
