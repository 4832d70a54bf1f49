#include "keel/apps/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "keel/apps/analytics_commands.hpp"
#include "keel/apps/backtest_commands.hpp"
#include "keel/apps/data_commands.hpp"
#include "keel/apps/feature_commands.hpp"
#include "keel/apps/stats_commands.hpp"
#include "keel/apps/surface_commands.hpp"
#include "keel/apps/vol_commands.hpp"

namespace keel::apps {

int run_cli(int argc, char** argv) {
  CLI::App app{"keel — systematic options and equities trading engine"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "keel 0.1.0");
  int exit_code = 0;
  register_data_commands(app, exit_code);
  register_analytics_commands(app, exit_code);
  register_surface_commands(app, exit_code);
  register_vol_commands(app, exit_code);
  register_stats_commands(app, exit_code);
  register_feature_commands(app, exit_code);
  register_backtest_commands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints help or the usage error
    return rc == 0 ? 0 : 2;
  }
  return exit_code;
}

}  // namespace keel::apps
