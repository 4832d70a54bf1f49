#include "keel/apps/terminal.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace keel::apps {

void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    if (row.size() > width.size()) width.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

std::string default_db() {
  const char* env = std::getenv("KEEL_DB");
  return env != nullptr && *env != '\0' ? env : "keel.db";
}

void add_db_option(CLI::App* cmd, std::string& db) {
  db = default_db();
  cmd->add_option("--db", db, "SQLite database file (default: $KEEL_DB or ./keel.db)");
}

int user_error(const std::string& message) {
  std::fprintf(stderr, "keel: error: %s\n", message.c_str());
  return 1;
}

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)), enabled_(isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::int64_t done, std::int64_t total) {
  if (!enabled_ || total <= 0) return;
  const int percent = static_cast<int>(std::min<std::int64_t>(100, done * 100 / total));
  if (percent == last_percent_) return;
  last_percent_ = percent;
  constexpr int kWidth = 40;
  const int filled = percent * kWidth / 100;
  std::fprintf(stderr, "\r%s [%s%s] %3d%%", label_.c_str(), std::string(static_cast<std::size_t>(filled), '#').c_str(),
               std::string(static_cast<std::size_t>(kWidth - filled), '.').c_str(), percent);
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (enabled_ && last_percent_ >= 0 && !finished_) std::fprintf(stderr, "\n");
  finished_ = true;
}

}  // namespace keel::apps
