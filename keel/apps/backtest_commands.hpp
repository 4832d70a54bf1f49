// keel/apps/backtest_commands.hpp — `keel backtest --config FILE [--db --start --end --capital
// --fill-model --out DIR --seed --json]`: runs the configured strategy over the store's data,
// writes the report directory (tearsheet.html, equity.csv, trades.csv, positions.csv,
// summary.json) and prints the summary and the tear sheet's path.
// Contract: exit 0 on success; 1 with one line naming the problem (config key and line, date
// range outside the data, an order the account refused that the strategy did not handle, ...).
// The store path: --db, else the config's backtest.db, else $KEEL_DB, else ./keel.db.
#pragma once

#include <CLI/CLI.hpp>

namespace keel::apps {

void register_backtest_commands(CLI::App& app, int& exit_code);

}  // namespace keel::apps
