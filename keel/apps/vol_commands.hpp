// keel/apps/vol_commands.hpp — `keel vol`: realized volatility (close-to-close, Parkinson,
// Garman–Klass, Rogers–Satchell, Yang–Zhang, EWMA) and a GARCH(1,1)/GJR fit with standard
// errors and a forecast term structure, for a daily series from the store or a CSV.
// Contract: exit 1 with one line naming the problem (unknown symbol, missing column, a series
// too short or constant for GARCH); estimators needing high/low are skipped, not faked, when
// the input has only closes.
#pragma once

#include <CLI/CLI.hpp>

namespace keel::apps {

void register_vol_commands(CLI::App& app, int& exit_code);

}  // namespace keel::apps
