#include "keel/apps/backtest_commands.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "keel/apps/terminal.hpp"
#include "keel/backtest/metrics.hpp"
#include "keel/backtest/report.hpp"
#include "keel/backtest/runner.hpp"
#include "keel/data/sqlite_store.hpp"

namespace keel::apps {
namespace {

struct BacktestArgs {
  std::string config;
  std::string db;
  std::string start, end, capital, fill_model, out = "out/backtest";
  std::int64_t seed = -1;
  bool json_out = false;
};

// An optional override: empty text leaves `out` unset; bad text is an error naming the flag.
template <class T, class Parse>
Status parse_flag(const std::string& text, const char* flag, Parse parse, std::optional<T>& out) {
  if (text.empty()) return ok_status();
  auto v = parse(text);
  if (!v) return make_error(ErrorCode::kParse, std::string(flag) + ": " + v.error().message);
  out = *v;
  return ok_status();
}

Result<int> run(const BacktestArgs& a) {
  KEEL_TRY(config, backtest::load_backtest_config(a.config));
  backtest::RunOverrides o;
  KEEL_TRY_STATUS(parse_flag(a.start, "--start", Date::parse, o.start));
  KEEL_TRY_STATUS(parse_flag(a.end, "--end", Date::parse, o.end));
  KEEL_TRY_STATUS(parse_flag(a.capital, "--capital", Money::parse, o.capital));
  KEEL_TRY_STATUS(parse_flag(a.fill_model, "--fill-model", execution::parse_fill_model, o.fill_model));
  if (a.seed >= 0) o.seed = static_cast<std::uint64_t>(a.seed);
  KEEL_TRY_STATUS(backtest::apply_overrides(config, o));

  const std::string db = !a.db.empty() ? a.db : !config.db.empty() ? config.db : default_db();
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) {
    return make_error(ErrorCode::kNotFound, db + ": no such database (create one with `keel data synth` or `keel data import`)");
  }
  KEEL_TRY(store, data::SqliteStore::open(db));
  ProgressBar bar("backtest");
  KEEL_TRY(run, backtest::run_backtest(config, *store, [&bar](std::int64_t done, std::int64_t total) {
    bar.update(done, total);
  }));
  bar.finish();
  KEEL_TRY(metrics, backtest::compute_metrics(run, run.risk_free_rate));
  KEEL_TRY(html, backtest::write_report(run, metrics, a.out));
  if (a.json_out) {
    auto j = backtest::summary_json(run, metrics);
    j["report"] = html.string();
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("%s", backtest::summary_text(run, metrics).c_str());
    std::printf("tear sheet: %s\n", html.string().c_str());
  }
  return 0;
}

}  // namespace

void register_backtest_commands(CLI::App& app, int& exit_code) {
  auto st = std::make_shared<BacktestArgs>();
  CLI::App* cmd = app.add_subcommand("backtest", "Run a strategy over stored data and write a tear sheet");
  cmd->add_option("--config", st->config, "Backtest TOML file (see examples/wheel.toml)")->required();
  cmd->add_option("--db", st->db, "SQLite database (default: the config's backtest.db, $KEEL_DB, ./keel.db)");
  cmd->add_option("--start", st->start, "First date (YYYY-MM-DD), overrides the config");
  cmd->add_option("--end", st->end, "Last date (YYYY-MM-DD), overrides the config");
  cmd->add_option("--capital", st->capital, "Starting cash, overrides the config");
  cmd->add_option("--fill-model", st->fill_model, "bar_close | next_open | quote, overrides the config");
  cmd->add_option("--out", st->out, "Report directory (default out/backtest)");
  cmd->add_option("--seed", st->seed, "Seed recorded with the run (the simulation itself draws no random numbers)");
  cmd->add_flag("--json", st->json_out, "Print the summary as JSON");
  cmd->callback([&exit_code, st] {
    auto r = run(*st);
    exit_code = r ? *r : user_error(r.error().message);
  });
}

}  // namespace keel::apps
