// bench/csv_parse.cpp — parse + validate throughput of the CSV bar importer, without a store.
//
// Generates once a 5,000,000-row OHLCV CSV (2,000 symbols x 2,500 trading days from 2010-01-04,
// long format "symbol,date,open,high,low,close,volume", prices with 2 decimals from a seeded
// random walk) in a temporary file, then measures:
//   BM_TokenizeOnly   — CsvReader alone: records and fields, no number parsing (the floor);
//   BM_ParseValidate  — BarFileParser: tokenize, exact fixed-point parse, date → session close
//                       via the calendar, Bar::validate, per-symbol duplicate check.
// items/s is rows/s. Goal (issue 2): >= 3 M rows/s on one core for BM_ParseValidate.
// Run: build/<dir>/bench/bench_csv_parse --benchmark_min_time=... (see docs/PERFORMANCE.md).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "keel/core/calendar.hpp"
#include "keel/data/csv_import.hpp"
#include "keel/data/csv_reader.hpp"

namespace {

constexpr int kSymbols = 2000;
constexpr int kDays = 2500;
constexpr std::int64_t kRows = static_cast<std::int64_t>(kSymbols) * kDays;

class GeneratedCsv {
 public:
  GeneratedCsv() {
    char tmpl[] = "/tmp/keel-bench-csv-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    if (fd < 0) std::abort();
    path_ = tmpl;
    FILE* f = ::fdopen(fd, "wb");
    if (f == nullptr) std::abort();
    auto days = keel::ExchangeCalendar::us_equities().trading_days(keel::Date::ymd(2010, 1, 4),
                                                                    keel::Date::ymd(2030, 1, 1));
    if (!days.ok() || days->size() < static_cast<std::size_t>(kDays)) std::abort();
    std::vector<std::string> dates;
    for (int d = 0; d < kDays; ++d) dates.push_back((*days)[static_cast<std::size_t>(d)].to_string());
    std::mt19937_64 rng(20240102);
    std::string buf;
    buf.reserve(1 << 22);
    buf += "symbol,date,open,high,low,close,volume\n";
    char line[128];
    for (int s = 0; s < kSymbols; ++s) {
      char sym[8];
      std::snprintf(sym, sizeof sym, "S%04d", s);
      std::int64_t close_c = 2000 + static_cast<std::int64_t>(rng() % 50000);  // cents
      for (int d = 0; d < kDays; ++d) {
        const std::int64_t open_c = close_c;
        close_c += static_cast<std::int64_t>(rng() % 201) - 100;
        if (close_c < 100) close_c = 100 + static_cast<std::int64_t>(rng() % 100);
        const std::int64_t hi = (open_c > close_c ? open_c : close_c) + static_cast<std::int64_t>(rng() % 50);
        std::int64_t lo = (open_c < close_c ? open_c : close_c) - static_cast<std::int64_t>(rng() % 50);
        if (lo < 1) lo = 1;
        const auto vol = static_cast<long long>(rng() % 10'000'000);
        const int n = std::snprintf(line, sizeof line, "%s,%s,%lld.%02lld,%lld.%02lld,%lld.%02lld,%lld.%02lld,%lld\n", sym,
                                    dates[static_cast<std::size_t>(d)].c_str(), static_cast<long long>(open_c / 100),
                                    static_cast<long long>(open_c % 100), static_cast<long long>(hi / 100),
                                    static_cast<long long>(hi % 100), static_cast<long long>(lo / 100),
                                    static_cast<long long>(lo % 100), static_cast<long long>(close_c / 100),
                                    static_cast<long long>(close_c % 100), vol);
        buf.append(line, static_cast<std::size_t>(n));
        if (buf.size() > (1 << 22) - 256) {
          std::fwrite(buf.data(), 1, buf.size(), f);
          buf.clear();
        }
      }
    }
    std::fwrite(buf.data(), 1, buf.size(), f);
    std::fclose(f);
  }
  ~GeneratedCsv() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const GeneratedCsv& data() {
  static const GeneratedCsv csv;  // generated on first use, removed at exit
  return csv;
}

void BM_TokenizeOnly(benchmark::State& state) {
  const std::string& path = data().path();
  for (auto _ : state) {
    auto reader = keel::data::CsvReader::open(path);
    if (!reader.ok()) state.SkipWithError(reader.error().message.c_str());
    keel::data::CsvRecord rec;
    std::int64_t rows = -1;  // the header
    std::size_t fields = 0;
    for (;;) {
      auto more = reader->next(rec);
      if (!more.ok() || !*more) break;
      ++rows;
      fields += rec.size();
    }
    benchmark::DoNotOptimize(fields);
    if (rows != kRows) state.SkipWithError("wrong row count");
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}

void BM_ParseValidate(benchmark::State& state) {
  const std::string& path = data().path();
  for (auto _ : state) {
    keel::data::BarParserConfig cfg;
    cfg.path = path;
    cfg.mapping.symbol = "symbol";
    auto parser = keel::data::BarFileParser::open(cfg);
    if (!parser.ok()) {
      state.SkipWithError(parser.error().message.c_str());
      break;
    }
    std::vector<keel::data::ParsedBar> rows;
    std::vector<keel::data::RowError> rejected;
    std::int64_t n = 0, checksum = 0;
    for (bool more = true; more;) {
      auto m = parser->next_batch(rows, 1 << 16, rejected);
      if (!m.ok()) {
        state.SkipWithError(m.error().message.c_str());
        break;
      }
      more = *m;
      n += static_cast<std::int64_t>(rows.size());
      for (const auto& r : rows) checksum += r.bar.close.raw();
    }
    benchmark::DoNotOptimize(checksum);
    if (n != kRows || !rejected.empty()) state.SkipWithError("rows rejected or missing");
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}

BENCHMARK(BM_TokenizeOnly)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_ParseValidate)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
