// keel/apps/stats_commands.hpp — `keel stats adf|coint|hmm`: the augmented Dickey–Fuller test,
// the Engle–Granger cointegration test (with hedge ratio and half-life) and a Gaussian HMM
// regime fit, for daily closes from the store (--symbol) or a CSV (--in FILE --column NAME).
// Contract: exit 0 on success; 1 with one line naming the problem for data errors (unknown
// symbol or column, a series too short or constant, a date in one series of a pair but not the
// other); 2 for usage errors (no or both sources, --states outside 2..5, an unknown
// --regression, a --lags that is neither a number nor "auto"). Pairs are joined on their row
// keys (dates): a key present in one series only is an error naming it, never dropped.
#pragma once

#include <CLI/CLI.hpp>

namespace keel::apps {

void register_stats_commands(CLI::App& app, int& exit_code);

}  // namespace keel::apps
