// keel/apps/cli.hpp — the `keel` command line (CLI11).
//
// Contract: run_cli returns the process exit code: 0 on success, 1 on a user error (bad input,
// missing file, rejected data) after printing one clear line to stderr, 2 on a usage error
// (unknown command or option, missing argument). It is the only place in keel that parses argv
// and prints for humans.
#pragma once

namespace keel::apps {
int run_cli(int argc, char** argv);
}  // namespace keel::apps
