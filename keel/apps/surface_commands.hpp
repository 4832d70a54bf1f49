// keel/apps/surface_commands.hpp — `keel surface fit`.
//
// Contract: reads one day's chain (store: --db/--symbol/--date; or a CSV with expiry, strike,
// right, bid, ask), derives each expiry's forward and discount from put–call parity, fits an
// SVI slice to out-of-the-money implied vols (analytics/chain_slice.hpp, vol_surface.hpp), and
// reports parameters, fit error, ATM vol, 25-delta risk reversal/butterfly, the butterfly and
// calendar arbitrage checks and, with --repair, the repair. Exit 1 with one line on bad input.
#pragma once

#include <CLI/CLI.hpp>

namespace keel::apps {

void register_surface_commands(CLI::App& app, int& exit_code);

}  // namespace keel::apps
