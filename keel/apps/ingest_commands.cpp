// `keel data import` and `keel data synth`: the commands that write into the store.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "keel/apps/data_commands.hpp"
#include "keel/apps/terminal.hpp"
#include "keel/core/clock.hpp"
#include "keel/data/importer.hpp"
#include "keel/data/sqlite_store.hpp"
#include "keel/data/synthetic_market.hpp"

namespace keel::apps {
namespace {

using nlohmann::json;

// The lineage time of a write: --ingested-at when given, else now (the one wall-clock read).
Result<Timestamp> ingestion_time(const std::string& flag) {
  if (flag.empty()) return WallClock{}.now();
  auto t = Timestamp::parse(flag);
  if (!t) return t.error().with_context("--ingested-at");
  return *t;
}

// ---- import -----------------------------------------------------------------------------------

struct ImportArgs {
  std::string db;
  std::string format = "csv";
  std::string symbol;
  std::string asset_class = "equity";
  std::string timeframe = "1d";
  std::string preset;                 // csv mapping preset
  std::vector<std::string> mappings;  // field=column
  std::string time_format;
  std::string day_origin;
  bool no_header = false;
  std::string delimiter;
  bool skip_bad_rows = false;
  bool dry_run = false;
  bool json_out = false;
  std::string ingested_at;
  std::vector<std::string> files;
};

Status apply_mapping(data::CsvMapping& m, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    return make_error(ErrorCode::kInvalidArgument, "--map '" + assignment + "': expected field=column");
  }
  const std::string field = assignment.substr(0, eq);
  const std::string column = assignment.substr(eq + 1);
  if (field == "symbol") m.symbol = column;
  else if (field == "time" || field == "date") m.time = column;
  else if (field == "open") m.open = column;
  else if (field == "high") m.high = column;
  else if (field == "low") m.low = column;
  else if (field == "close") m.close = column;
  else if (field == "volume") m.volume = column;
  else if (field == "trades") m.trade_count = column;
  else
    return make_error(ErrorCode::kInvalidArgument, "--map: unknown field '" + field +
                                                       "' (fields: symbol, time, open, high, low, close, volume, trades)");
  return ok_status();
}

Result<data::ImportSpec> build_spec(const ImportArgs& args) {
  data::ImportSpec spec;
  KEEL_TRY(format, data::parse_import_format(args.format));
  spec.format = format;
  spec.symbol = args.symbol;
  KEEL_TRY(asset_class, parse_asset_class(args.asset_class));
  spec.asset_class = asset_class;
  KEEL_TRY(timeframe, parse_duration(args.timeframe));
  spec.timeframe = timeframe;
  if (!args.preset.empty()) {
    KEEL_TRY(preset, data::csv_preset(args.preset));
    spec.mapping = preset;
  }
  for (const auto& m : args.mappings) KEEL_TRY_STATUS(apply_mapping(spec.mapping, m));
  if (!args.time_format.empty()) {
    KEEL_TRY(tf, data::parse_time_format(args.time_format));
    spec.mapping.time_format = tf;
  }
  if (!args.day_origin.empty()) {
    auto origin = Date::parse(args.day_origin);
    if (!origin) return make_error(ErrorCode::kInvalidArgument, "--day-origin: " + origin.error().message);
    spec.mapping.day_index_origin = *origin;
  }
  if (args.no_header) spec.mapping.has_header = false;
  if (!args.delimiter.empty()) {
    if (args.delimiter.size() != 1) return make_error(ErrorCode::kInvalidArgument, "--delimiter must be one character");
    spec.mapping.delimiter = args.delimiter[0];
  }
  return spec;
}

int run_import(const ImportArgs& args) {
  auto spec = build_spec(args);
  if (!spec) return user_error(spec.error().message);
  auto ingested = ingestion_time(args.ingested_at);
  if (!ingested) return user_error(ingested.error().message);
  const Timestamp ingested_at = *ingested;
  auto store = data::SqliteStore::open(args.db);
  if (!store) return user_error(store.error().message);

  json reports = json::array();
  for (const std::string& file : args.files) {
    spec->path = file;
    data::ImportOptions options;
    options.ingested_at = ingested_at;
    options.skip_bad_rows = args.skip_bad_rows;
    options.dry_run = args.dry_run;
    ProgressBar bar("import " + file);
    options.progress = [&bar](std::uint64_t done, std::uint64_t total) {
      bar.update(static_cast<std::int64_t>(done), static_cast<std::int64_t>(total));
    };
    // Every rejected row goes to stderr as "file:line: reason" the moment it is found.
    options.on_reject = [&bar](const std::string& message) {
      bar.finish();
      std::fprintf(stderr, "%s\n", message.c_str());
    };
    data::ImportReport report;
    const Status status = data::import_file(**store, *spec, options, report);
    bar.finish();
    if (args.json_out) {
      reports.push_back({{"file", file},
                         {"rows_read", report.rows_read},
                         {"added", report.added},
                         {"unchanged", report.unchanged},
                         {"revised", report.revised},
                         {"rejected", report.rejected},
                         {"instruments_created", report.instruments_created},
                         {"committed", report.committed},
                         {"warnings", report.warnings},
                         {"error", status.ok() ? "" : status.error().message}});
    } else {
      std::printf("%s\n", report.summary().c_str());
      for (const auto& w : report.warnings) std::printf("  warning: %s\n", w.c_str());
    }
    if (!status.ok()) {
      if (args.json_out) std::printf("%s\n", reports.dump(2).c_str());
      return user_error(status.error().message);
    }
  }
  if (args.json_out) std::printf("%s\n", reports.dump(2).c_str());
  return 0;
}

// ---- synth ------------------------------------------------------------------------------------

struct SynthArgs {
  std::string db;
  std::uint64_t seed = 0;
  bool seed_set = false;
  std::string start, end;
  std::string ingested_at;
  bool json_out = false;
};

int run_synth(const SynthArgs& args) {
  data::SynthConfig config = data::SynthConfig::default_config();
  if (args.seed_set) config.seed = args.seed;
  if (!args.start.empty()) {
    auto d = Date::parse(args.start);
    if (!d) return user_error("--start: " + d.error().message);
    config.start = *d;
  }
  if (!args.end.empty()) {
    auto d = Date::parse(args.end);
    if (!d) return user_error("--end: " + d.error().message);
    config.end = *d;
  }
  auto ingested = ingestion_time(args.ingested_at);
  if (!ingested) return user_error(ingested.error().message);
  const Timestamp ingested_at = *ingested;
  auto store = data::SqliteStore::open(args.db);
  if (!store) return user_error(store.error().message);
  auto report = data::generate_market(config, **store, ingested_at);
  if (!report) return user_error(report.error().message);
  if (args.json_out) {
    std::printf("%s\n", json{{"db", args.db}, {"summary", report->summary()}}.dump(2).c_str());
  } else {
    std::printf("%s\nstored in %s\n", report->summary().c_str(), args.db.c_str());
  }
  return 0;
}

}  // namespace

void register_synth_and_import(CLI::App* data, int& exit_code) {
  struct State {
    ImportArgs import_args;
    SynthArgs synth_args;
  };
  auto st = std::make_shared<State>();  // owned by the callbacks, so as long as the App
  CLI::App* imp = data->add_subcommand("import", "Import bar files (CSV, Yahoo, Polygon flat files; plain or .gz)");
  imp->add_option("files", st->import_args.files, "Files to import, each in one transaction")->required();
  add_db_option(imp, st->import_args.db);
  std::string formats;
  for (auto f : data::import_format_names()) formats += (formats.empty() ? "" : ", ") + std::string(f);
  imp->add_option("--format", st->import_args.format, "File format: " + formats + " (default csv)");
  imp->add_option("--symbol", st->import_args.symbol, "Symbol of every row (yahoo; csv without a symbol column)");
  imp->add_option("--asset-class", st->import_args.asset_class, "equity, etf, index or option (default equity)");
  imp->add_option("--timeframe", st->import_args.timeframe, "Bar timeframe for csv: 1d (default), 1m, 5m, 1h ...");
  std::string presets;
  for (auto p : data::csv_preset_names()) presets += (presets.empty() ? "" : ", ") + std::string(p);
  imp->add_option("--preset", st->import_args.preset, "csv column-mapping preset: " + presets);
  imp->add_option("--map", st->import_args.mappings, "csv column mapping field=column (repeatable), e.g. --map close=DAX");
  imp->add_option("--time-format", st->import_args.time_format,
                  "csv time column format: date, iso, epoch-s, epoch-ms, epoch-ns, trading-day-index");
  imp->add_option("--day-origin", st->import_args.day_origin,
                  "csv with --time-format trading-day-index: the date of day 1 (its first trading day on or after)");
  imp->add_flag("--no-header", st->import_args.no_header, "csv file has no header row (columns named #1, #2 ...)");
  imp->add_option("--delimiter", st->import_args.delimiter, "csv field delimiter (default ,)");
  imp->add_flag("--skip-bad-rows", st->import_args.skip_bad_rows, "Commit the good rows; still report every rejected one");
  imp->add_flag("--dry-run", st->import_args.dry_run, "Validate and count, then roll back");
  imp->add_option("--ingested-at", st->import_args.ingested_at, "Lineage time of the rows (default: now)");
  imp->add_flag("--json", st->import_args.json_out, "Print JSON");
  imp->callback([&exit_code, st] { exit_code = run_import(st->import_args); });

  CLI::App* synth = data->add_subcommand("synth", "Generate the seeded synthetic market (docs/SYNTHETIC_MARKET.md) into the store");
  add_db_option(synth, st->synth_args.db);
  synth->add_option("--seed", st->synth_args.seed, "Random seed (default: the default config's)")->each([st](const std::string&) {
    st->synth_args.seed_set = true;
  });
  synth->add_option("--start", st->synth_args.start, "First date (default: the default config's)");
  synth->add_option("--end", st->synth_args.end, "Last date (default: the default config's)");
  synth->add_option("--ingested-at", st->synth_args.ingested_at, "Lineage time of the rows (default: now)");
  synth->add_flag("--json", st->synth_args.json_out, "Print JSON");
  synth->callback([&exit_code, st] { exit_code = run_synth(st->synth_args); });
}

}  // namespace keel::apps
