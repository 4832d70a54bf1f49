// fuzz/csv_reader_fuzz.cpp — libFuzzer target for the CSV tokenizer (and the bar parser on top).
//
// Input: byte 0 picks the options (delimiter, uniform field count, time format, timeframe); the
// rest is the file content, plain or (when it starts with 1f 8b) gzip.
// Invariants checked, beyond "no crash, no sanitizer report":
// - record and error lines strictly increase; every kParse message starts "name:line: ";
// - with uniform field counts, every record has expected_fields() fields, and a count error
//   names that count and a different one;
// - the item sequence (records and errors) is identical at the default buffer size and at a
//   4-byte buffer (block boundaries must not change the result) unless a fatal error ends it;
// - BarFileParser over the same bytes: every bar passes Bar::validate(), and rows read = bars +
//   rejected rows.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "keel/data/csv_import.hpp"
#include "keel/data/csv_reader.hpp"

namespace {

using keel::ErrorCode;
using keel::data::CsvOptions;
using keel::data::CsvReader;
using keel::data::CsvRecord;
using keel::data::InputFile;

void check(bool ok) {
  if (!ok) std::abort();
}

struct Item {
  bool record;
  std::int64_t line;
  std::vector<std::string> fields;
  std::string error;
  bool operator==(const Item&) const = default;
};

std::vector<Item> tokenize(const std::string& bytes, CsvOptions opt) {
  CsvReader reader(InputFile::from_memory(bytes, "f.csv"), opt);
  std::vector<Item> items;
  CsvRecord rec;
  std::int64_t last_line = 0;
  for (;;) {
    auto more = reader.next(rec);
    if (!more.ok()) {
      const auto& e = more.error();
      if (e.code != ErrorCode::kParse) {
        check(e.message.rfind("f.csv", 0) == 0);
        items.push_back(Item{false, 0, {}, e.message});
        break;
      }
      const std::int64_t line = reader.error_line();
      check(line > last_line);
      last_line = line;
      const std::string prefix = "f.csv:" + std::to_string(line) + ": ";
      check(e.message.rfind(prefix, 0) == 0);
      const std::string count_msg = prefix + "expected ";
      if (e.message.rfind(count_msg, 0) == 0) {
        check(opt.uniform_field_count);
        const std::size_t expected = std::strtoull(e.message.c_str() + count_msg.size(), nullptr, 10);
        check(expected == reader.expected_fields());
        const std::size_t found_at = e.message.find(", found ");
        check(found_at != std::string::npos);
        check(std::strtoull(e.message.c_str() + found_at + 8, nullptr, 10) != expected);
      }
      items.push_back(Item{false, line, {}, e.message});
      continue;
    }
    if (!*more) break;
    check(rec.line > last_line);
    last_line = rec.line;
    check(!rec.fields.empty());
    if (opt.uniform_field_count) check(rec.fields.size() == reader.expected_fields());
    Item it{true, rec.line, {}, {}};
    for (auto f : rec.fields) it.fields.emplace_back(f);
    items.push_back(std::move(it));
  }
  // After the end, the reader stays at the end.
  auto again = reader.next(rec);
  check(again.ok() && !*again);
  return items;
}

void parse_bars(const std::string& bytes, char delimiter, std::uint8_t sel) {
  using keel::data::TimeFormat;
  keel::data::BarParserConfig cfg;
  cfg.path = "f.csv";
  cfg.mapping.has_header = false;
  cfg.mapping.delimiter = delimiter;
  cfg.mapping.symbol = "#1";
  cfg.mapping.time = "#2";
  cfg.mapping.open = "#3";
  cfg.mapping.high = "#4";
  cfg.mapping.low = "#5";
  cfg.mapping.close = "#6";
  cfg.mapping.volume = "#7";
  static constexpr TimeFormat kFormats[] = {TimeFormat::kDate,        TimeFormat::kIso,        TimeFormat::kEpochSeconds,
                                            TimeFormat::kEpochMillis, TimeFormat::kEpochNanos, TimeFormat::kTradingDayIndex};
  cfg.mapping.time_format = kFormats[(sel >> 3) % 6];
  cfg.mapping.day_index_origin = keel::Date::ymd(2020, 1, 2);
  const bool intraday = (sel & 0x80) != 0 && cfg.mapping.time_format != TimeFormat::kDate &&
                        cfg.mapping.time_format != TimeFormat::kTradingDayIndex;
  cfg.timeframe = intraday ? keel::kOneMinute : keel::kOneDay;
  auto parser = keel::data::BarFileParser::open(cfg, InputFile::from_memory(bytes, "f.csv"));
  check(parser.ok());
  std::vector<keel::data::ParsedBar> rows;
  std::vector<keel::data::RowError> rejected;
  std::int64_t bars = 0;
  for (bool more = true; more;) {
    auto m = parser->next_batch(rows, 7, rejected);
    if (!m.ok()) return;  // a corrupt gzip stream: fatal, nothing more to check
    more = *m;
    for (const auto& r : rows) {
      check(r.bar.validate().ok());
      check(r.symbol < parser->symbols().size());
    }
    bars += static_cast<std::int64_t>(rows.size());
  }
  check(parser->rows_read() == bars + static_cast<std::int64_t>(rejected.size()));
  for (const auto& r : rejected) check(r.error.message.rfind("f.csv:" + std::to_string(r.line) + ": ", 0) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t sel = data[0];
  static constexpr char kDelims[] = {',', ';', '\t', '|'};
  CsvOptions opt;
  opt.delimiter = kDelims[sel & 3];
  opt.uniform_field_count = (sel & 4) == 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto big = tokenize(bytes, opt);
  CsvOptions tiny = opt;
  tiny.block_size = 4;
  const auto small = tokenize(bytes, tiny);
  // A fatal error (corrupt gzip) surfaces after more or fewer records depending on how far the
  // reader had read ahead, so only error-free or parse-error-only runs must match exactly.
  auto fatal = [](const std::vector<Item>& items) { return !items.empty() && !items.back().record && items.back().line == 0; };
  if (!fatal(big) && !fatal(small)) check(small == big);
  parse_bars(bytes, opt.delimiter, sel);
  return 0;
}
