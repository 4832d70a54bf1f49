// keel/apps/analytics_commands.hpp — `keel price` and `keel iv`: one option from flags, or a CSV
// of many written to a CSV of results (or JSON).
//
// Contract: inputs are validated by the analytics layer; a bad flag gives exit 1 with one line
// naming it. In CSV mode each input row gives one output row; a row the pricer refuses keeps
// its inputs, leaves the results empty and carries the reason in the `error` column (never a
// NaN), the command reports "file:line: reason" on stderr for each and exits 1 if any failed.
#pragma once

#include <CLI/CLI.hpp>

namespace keel::apps {

void register_analytics_commands(CLI::App& app, int& exit_code);

}  // namespace keel::apps
