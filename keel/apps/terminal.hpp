// keel/apps/terminal.hpp — human-facing output helpers for the CLI: aligned tables, a progress
// bar on stderr (only when stderr is a terminal), and the one-line error convention.
// Thread safety: single-threaded CLI use.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace keel::apps {

// Prints rows as left-aligned columns separated by two spaces; the first row is the header.
void print_table(const std::vector<std::vector<std::string>>& rows);

// The store path when no --db is given: $KEEL_DB, else ./keel.db.
std::string default_db();
// Adds --db to a command, defaulting `db` to default_db().
void add_db_option(CLI::App* cmd, std::string& db);

// "keel: error: <message>" on stderr; returns exit code 1 for `return user_error(...)`.
int user_error(const std::string& message);

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();
  void update(std::int64_t done, std::int64_t total);
  void finish();

 private:
  std::string label_;
  bool enabled_;
  int last_percent_ = -1;
  bool finished_ = false;
};

}  // namespace keel::apps
