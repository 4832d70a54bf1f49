#include "keel/apps/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>

namespace keel::apps {

int run_cli(int argc, char** argv) {
  CLI::App app{"keel — systematic options and equities trading engine"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "keel 0.1.0");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return 0;
}

}  // namespace keel::apps
