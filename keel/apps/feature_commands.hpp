// keel/apps/feature_commands.hpp — `keel features` and `keel labels`: indicator features (a
// feature spec, docs/FEATURES.md) and supervised-learning labels (forward returns, triple
// barrier, meta-labels, uniqueness weights) for a daily series from the store or a CSV, written
// as CSV.
// Contract: a header row (key, close, then the columns); a value that is not ready (warm-up) or
// not available (a label past the end) is an EMPTY cell, never 0 or NaN; numbers are printed in
// the shortest form that reads back to the same double. Exit 0 ok, 1 for runtime and data errors
// (one line naming the spec item, column, key or line), 2 for usage errors (CLI11).
#pragma once

#include <CLI/CLI.hpp>

namespace keel::apps {

void register_feature_commands(CLI::App& app, int& exit_code);

}  // namespace keel::apps
