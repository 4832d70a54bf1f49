// keel/apps/data_commands.hpp — `keel data synth|import|list|show|check`.
//
// Contract: each subcommand opens the store given by --db (default: $KEEL_DB, else ./keel.db),
// does its work through keel/data, and sets the exit code in `exit_code`: 0 on success, 1 on a
// user error (one line on stderr). Machine-readable output with --json where a script would
// want it.
#pragma once

#include <CLI/CLI.hpp>

namespace keel::apps {

void register_data_commands(CLI::App& app, int& exit_code);
// `data synth` and `data import` (keel/apps/ingest_commands.cpp).
void register_synth_and_import(CLI::App* data, int& exit_code);

}  // namespace keel::apps
