// The `keel` binary: parses argv and hands over to keel/apps/cli.hpp.
#include "keel/apps/cli.hpp"

int main(int argc, char** argv) { return keel::apps::run_cli(argc, argv); }
