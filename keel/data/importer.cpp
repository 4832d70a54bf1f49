#include "keel/data/importer.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <unordered_map>

namespace keel::data {

namespace {

constexpr ImportFormat kAllFormats[] = {ImportFormat::kCsv, ImportFormat::kYahoo, ImportFormat::kPolygonStocksDay,
                                        ImportFormat::kPolygonStocksMinute, ImportFormat::kPolygonOptionsDay};

std::optional<PolygonDataset> polygon_dataset(ImportFormat f) {
  switch (f) {
    case ImportFormat::kPolygonStocksDay: return PolygonDataset::kStocksDay;
    case ImportFormat::kPolygonStocksMinute: return PolygonDataset::kStocksMinute;
    case ImportFormat::kPolygonOptionsDay: return PolygonDataset::kOptionsDay;
    default: return std::nullopt;
  }
}

bool is_row_level(ErrorCode code) {
  return code == ErrorCode::kInvalidArgument || code == ErrorCode::kConflict || code == ErrorCode::kNotFound ||
         code == ErrorCode::kOutOfRange || code == ErrorCode::kParse || code == ErrorCode::kOverflow;
}

// The import proper; `report` is filled as it goes.
class Importer {
 public:
  Importer(Store& store, const ImportSpec& spec, const ImportOptions& options, ImportReport& report)
      : store_(store), spec_(spec), opt_(options), rep_(report) {}

  Status run() {
    if (opt_.ingested_at == Timestamp::min()) {
      return make_error(ErrorCode::kInvalidArgument, "import of '" + spec_.path + "': ingested_at not set");
    }
    KEEL_TRY(cfg, parser_config(spec_));
    cfg.calendar = opt_.calendar;
    KEEL_TRY(parser, BarFileParser::open(std::move(cfg)));
    KEEL_TRY(txn, store_.begin(Lineage{opt_.ingested_at, spec_.path, rep_.transform_id}));
    txn_ = txn.get();

    std::vector<ParsedBar> rows;
    std::vector<RowError> rejected;
    std::vector<Bar> bars;
    std::vector<std::int64_t> lines;
    const std::size_t batch = opt_.batch_rows == 0 ? 1 : opt_.batch_rows;
    for (bool more = true; more;) {
      rejected.clear();
      KEEL_TRY(m, parser.next_batch(rows, batch, rejected));
      more = m;
      bars.clear();
      lines.clear();
      for (const ParsedBar& row : rows) {
        auto id = resolve(parser, row.symbol);
        if (!id) {
          rejected.push_back(RowError{row.line, make_error(id.error().code, parser.path() + ":" + std::to_string(row.line) +
                                                                              ": " + id.error().message)});
          continue;
        }
        bars.push_back(row.bar);
        bars.back().instrument = *id;
        lines.push_back(row.line);
      }
      // Under all-or-nothing, writing stops at the first rejection (the transaction is doomed);
      // reading goes on so that every bad row is reported.
      if (!bars.empty() && (opt_.skip_bad_rows || (rep_.rejected == 0 && rejected.empty()))) {
        KEEL_TRY_STATUS(write(parser.path(), bars, lines, rejected));
      }
      for (const std::string& w : parser.take_warnings()) warn(w);
      std::stable_sort(rejected.begin(), rejected.end(),
                       [](const RowError& a, const RowError& b) { return a.line < b.line; });
      for (RowError& r : rejected) reject(std::move(r.error));
      rep_.rows_read = parser.rows_read();
      if (opt_.progress) opt_.progress(parser.bytes_done(), parser.bytes_total());
    }
    if (opt_.progress) opt_.progress(parser.bytes_total(), parser.bytes_total());

    if (rep_.rejected > 0 && !opt_.skip_bad_rows) {
      clear_counts();
      return make_error(first_error_.code, spec_.path + ": " + std::to_string(rep_.rejected) + " of " +
                                               std::to_string(rep_.rows_read) +
                                               " rows rejected, nothing imported (first: " + first_error_.message + ")");
    }
    if (opt_.dry_run) return ok_status();
    if (Status c = txn->commit(); !c) {
      clear_counts();
      return c.error();
    }
    rep_.committed = true;
    return ok_status();
  }

  void clear_counts() {
    rep_.added = rep_.unchanged = rep_.revised = rep_.instruments_created = 0;
  }

 private:
  void reject(Error e) {
    if (rep_.rejected == 0) first_error_ = e;
    ++rep_.rejected;
    if (opt_.on_reject) opt_.on_reject(e.message);
    if (rep_.messages.size() < opt_.max_messages) rep_.messages.push_back(std::move(e.message));
  }

  void warn(const std::string& w) {
    if (rep_.warnings.size() < opt_.max_messages) rep_.warnings.push_back(w);
  }

  // The store id of an instrument: the stored definition if the symbol is known, else created.
  Result<InstrumentId> find_or_create(const Instrument& def) {
    KEEL_TRY(found, store_.find_instrument(def.symbol));
    if (found) return found->id;
    KEEL_TRY(id, txn_->upsert_instrument(def));
    ++rep_.instruments_created;
    return id;
  }

  Result<InstrumentId> resolve(const BarFileParser& parser, std::uint32_t symbol) {
    if (symbol >= ids_.size()) ids_.resize(parser.symbols().size());
    if (ids_[symbol].value() != 0) return ids_[symbol];
    if (auto f = failed_.find(symbol); f != failed_.end()) return f->second;
    const FileSymbol& def = parser.symbols()[symbol];
    auto fail = [&](Error e) -> Result<InstrumentId> {
      failed_.emplace(symbol, e);
      return e;
    };
    if (def.underlying >= 0) {
      const auto u = static_cast<std::size_t>(def.underlying);
      if (u >= underlying_ids_.size()) underlying_ids_.resize(parser.underlyings().size());
      if (!underlying_ids_[u]) {
        const Instrument& under = parser.underlyings()[u];
        auto r = find_or_create(under);
        if (!r) r = Error{r.error().code, "underlying " + under.symbol + ": " + r.error().message};
        underlying_ids_[u] = std::move(r);
      }
      if (!*underlying_ids_[u]) return fail(underlying_ids_[u]->error());
    }
    auto id = find_or_create(def.instrument);
    if (!id) return fail(Error{id.error().code, "instrument " + def.instrument.symbol + ": " + id.error().message});
    ids_[symbol] = *id;
    return *id;
  }

  // put_bars for one batch. If the store refuses the batch, the rows go one by one to find the
  // refused ones: a failed put changes nothing (store_util.hpp), so the others still land.
  Status write(const std::string& path, const std::vector<Bar>& bars, const std::vector<std::int64_t>& lines,
               std::vector<RowError>& rejected) {
    auto counts = txn_->put_bars(bars);
    if (counts) {
      add(*counts);
      return ok_status();
    }
    if (!is_row_level(counts.error().code)) return counts.error();
    for (std::size_t i = 0; i < bars.size(); ++i) {
      if (!opt_.skip_bad_rows && (!rejected.empty() || rep_.rejected > 0)) break;
      auto one = txn_->put_bars(std::span<const Bar>(&bars[i], 1));
      if (one) {
        add(*one);
        continue;
      }
      if (!is_row_level(one.error().code)) return one.error();
      rejected.push_back(RowError{lines[i], make_error(one.error().code, path + ":" + std::to_string(lines[i]) +
                                                                             ": store refused the row: " + one.error().message)});
    }
    return ok_status();
  }

  void add(const WriteCounts& c) {
    rep_.added += c.added;
    rep_.unchanged += c.unchanged;
    rep_.revised += c.revised;
  }

  Store& store_;
  const ImportSpec& spec_;
  const ImportOptions& opt_;
  ImportReport& rep_;
  WriteTransaction* txn_ = nullptr;
  std::vector<InstrumentId> ids_;                                  // by symbol index; 0 = not yet
  std::unordered_map<std::uint32_t, Error> failed_;                // symbols the store refused
  std::vector<std::optional<Result<InstrumentId>>> underlying_ids_;  // by underlying index
  Error first_error_;
};

}  // namespace

std::string_view to_string(ImportFormat format) noexcept {
  switch (format) {
    case ImportFormat::kCsv: return "csv";
    case ImportFormat::kYahoo: return "yahoo";
    case ImportFormat::kPolygonStocksDay: return "polygon-stocks-day";
    case ImportFormat::kPolygonStocksMinute: return "polygon-stocks-minute";
    case ImportFormat::kPolygonOptionsDay: return "polygon-options-day";
  }
  return "?";
}

std::vector<std::string_view> import_format_names() {
  std::vector<std::string_view> names;
  for (ImportFormat f : kAllFormats) names.push_back(to_string(f));
  return names;
}

Result<ImportFormat> parse_import_format(std::string_view name) {
  for (ImportFormat f : kAllFormats) {
    if (name == to_string(f)) return f;
  }
  std::string known;
  for (std::string_view n : import_format_names()) known += (known.empty() ? "" : ", ") + std::string(n);
  return make_error(ErrorCode::kInvalidArgument, "unknown import format or preset '" + std::string(name) + "' (known: " + known + ")");
}

std::string_view transform_id(ImportFormat format) noexcept {
  switch (format) {
    case ImportFormat::kCsv: return "csv/1";
    case ImportFormat::kYahoo: return "csv-yahoo/1";
    case ImportFormat::kPolygonStocksDay: return transform_id(PolygonDataset::kStocksDay);
    case ImportFormat::kPolygonStocksMinute: return transform_id(PolygonDataset::kStocksMinute);
    case ImportFormat::kPolygonOptionsDay: return transform_id(PolygonDataset::kOptionsDay);
  }
  return "?";
}

Result<BarParserConfig> parser_config(const ImportSpec& spec) {
  if (spec.path.empty()) return make_error(ErrorCode::kInvalidArgument, "import: no file given");
  if (auto ds = polygon_dataset(spec.format)) {
    if (!spec.symbol.empty()) {
      return make_error(ErrorCode::kInvalidArgument, std::string(to_string(spec.format)) +
                                                         " takes symbols from the ticker column; do not give a symbol");
    }
    return polygon_parser_config(*ds, spec.path);
  }
  BarParserConfig cfg;
  cfg.path = spec.path;
  cfg.fixed_symbol = spec.symbol;
  cfg.define_symbol =
      spec.asset_class == AssetClass::kOption ? option_symbol_definer() : plain_symbol_definer(spec.asset_class);
  if (spec.format == ImportFormat::kYahoo) {
    if (spec.symbol.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "the yahoo preset needs a symbol (Yahoo files have no symbol column)");
    }
    if (spec.timeframe != kOneDay) return make_error(ErrorCode::kInvalidArgument, "the yahoo preset reads daily bars (1d) only");
    KEEL_TRY(m, csv_preset("yahoo"));
    cfg.mapping = std::move(m);
    cfg.timeframe = kOneDay;
    return cfg;
  }
  cfg.mapping = spec.mapping;
  cfg.timeframe = spec.timeframe;
  return cfg;
}

std::string ImportReport::summary() const {
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f", std::chrono::duration<double>(elapsed).count());
  std::string s = source_uri + ": " + std::to_string(rows_read) + " rows read, " + std::to_string(added) + " added, " +
                  std::to_string(unchanged) + " unchanged, " + std::to_string(revised) + " revised, " +
                  std::to_string(rejected) + " rejected";
  if (instruments_created > 0) s += ", " + std::to_string(instruments_created) + " new instruments";
  s += committed ? "; committed in " : "; nothing committed, ";
  s += secs;
  s += " s";
  return s;
}

Status import_file(Store& store, const ImportSpec& spec, const ImportOptions& options, ImportReport& report) {
  const auto start = std::chrono::steady_clock::now();
  report = ImportReport{};
  report.source_uri = spec.path;
  report.transform_id = std::string(transform_id(spec.format));
  Importer importer(store, spec, options, report);
  Status s = importer.run();
  if (!s) {
    report.committed = false;
    if (!options.dry_run) importer.clear_counts();
  }
  report.elapsed = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - start);
  return s;
}

Result<ImportReport> import_file(Store& store, const ImportSpec& spec, const ImportOptions& options) {
  ImportReport report;
  KEEL_TRY_STATUS(import_file(store, spec, options, report));
  return report;
}

}  // namespace keel::data
