#include "keel/strategy/target_weights.hpp"

#include <algorithm>
#include <cmath>

#include "keel/core/assert.hpp"
#include "keel/data/csv_reader.hpp"
#include "keel/strategy/rebalance_config.hpp"

namespace keel::strategy {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

Status TargetWeightsConfig::validate() const {
  auto bad = [](const std::string& m) { return make_error(ErrorCode::kInvalidArgument, "target_weights." + m); };
  if (symbols.empty()) return bad("symbols is empty");
  if (window < 1 || window > 2520) return bad("window out of range [1, 2520]");
  if (vol_window < 2 || vol_window > 2520) return bad("vol_window out of range [2, 2520]");
  if (!long_only && !rules.allow_short) return bad("long_only = false needs rules.allow_short");
  for (const ScoreRow& r : scores) {
    if (std::find(symbols.begin(), symbols.end(), r.symbol) == symbols.end()) {
      return bad("csv scores name " + r.symbol + " (" + r.date.to_string() + "), which is not in symbols");
    }
  }
  return rules.validate();
}

namespace {

// The rows of a score file through the project's CSV reader (quoting, gzip, uniform field
// counts); errors name the file and line.
Result<std::vector<ScoreRow>> read_score_rows(data::CsvReader& reader, const std::string& name) {
  std::vector<ScoreRow> rows;
  data::CsvRecord rec;
  auto err = [&](const std::string& m) {
    return make_error(ErrorCode::kParse, name + ":" + std::to_string(rec.line) + ": " + m);
  };
  KEEL_TRY(has, reader.next(rec));
  if (!has) return make_error(ErrorCode::kParse, name + ": empty (header date,symbol,score expected)");
  if (rec.size() != 3 || trim(rec[0]) != "date" || trim(rec[1]) != "symbol" ||
      trim(rec[2]) != "score") {
    return err("header must be date,symbol,score");
  }
  for (;;) {
    auto more = reader.next(rec);
    if (!more) return make_error(ErrorCode::kParse, name + ":" + std::to_string(reader.error_line()) + ": " +
                                                        more.error().message);
    if (!*more) break;
    const std::string date = trim(rec[0]), symbol = trim(rec[1]),
                      score = trim(rec[2]);
    auto d = Date::parse(date);
    if (!d) return err("date '" + date + "' is not YYYY-MM-DD");
    char* stop = nullptr;
    const double v = std::strtod(score.c_str(), &stop);
    if (score.empty() || stop != score.c_str() + score.size() || !std::isfinite(v)) {
      return err("score '" + score + "' is not a finite number");
    }
    if (symbol.empty()) return err("symbol is empty");
    rows.push_back(ScoreRow{*d, symbol, v});
  }
  return rows;
}

// Sorted by (date, symbol); one score per symbol and date.
Result<std::vector<ScoreRow>> sorted_scores(std::vector<ScoreRow> rows, const std::string& name) {
  std::stable_sort(rows.begin(), rows.end(), [](const ScoreRow& a, const ScoreRow& b) {
    return a.date != b.date ? a.date < b.date : a.symbol < b.symbol;
  });
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].date == rows[i - 1].date && rows[i].symbol == rows[i - 1].symbol) {
      return make_error(ErrorCode::kParse, std::string(name) + ": two scores for " + rows[i].symbol + " on " +
                                               rows[i].date.to_string());
    }
  }
  return rows;
}

Result<std::vector<ScoreRow>> read_scores(data::InputFile file, const std::string& name) {
  data::CsvReader reader(std::move(file));
  KEEL_TRY(rows, read_score_rows(reader, name));
  return sorted_scores(std::move(rows), name);
}

}  // namespace

Result<std::vector<ScoreRow>> parse_score_csv(std::string_view text, std::string_view name) {
  return read_scores(data::InputFile::from_memory(std::string(text), std::string(name)), std::string(name));
}

Result<TargetWeightsConfig> parse_target_weights_config(const toml::table& table, std::string_view source) {
  ConfigReader r(table, source, "target_weights");
  KEEL_TRY_STATUS(r.known({"symbols", "source", "indicator", "window", "vol_window", "csv", "weighting", "long_only"}, true));
  TargetWeightsConfig c;
  KEEL_TRY_STATUS(r.symbols("symbols", c.symbols, true));
  int src = 0;
  KEEL_TRY_STATUS(r.choice("source", src, {"indicator", "csv"}));
  int ind = 1;
  KEEL_TRY_STATUS(r.choice("indicator", ind, {"return", "zscore_return"}));
  c.source = src == 1 ? ScoreSource::kCsv : static_cast<ScoreSource>(ind);
  KEEL_TRY_STATUS(r.integer("window", c.window, 1, 2520));
  KEEL_TRY_STATUS(r.integer("vol_window", c.vol_window, 2, 2520));
  KEEL_TRY_STATUS(r.text("csv", c.csv_path, c.source == ScoreSource::kCsv));
  if (c.source != ScoreSource::kCsv && r.has("csv")) {
    return r.error_at("csv", r.name("csv") + " is only read with source = \"csv\"");
  }
  if (c.source == ScoreSource::kCsv) {
    auto file = data::InputFile::open(c.csv_path);
    if (!file) return r.error_at("csv", r.name("csv") + " = \"" + c.csv_path + "\": cannot open the file");
    KEEL_TRY(rows, read_scores(std::move(*file), c.csv_path));
    c.scores = std::move(rows);
  }
  int weighting = 0;
  KEEL_TRY_STATUS(r.choice("weighting", weighting, {"proportional", "rank"}));
  c.weighting = static_cast<ScoreWeighting>(weighting);
  KEEL_TRY_STATUS(r.boolean("long_only", c.long_only));
  c.rules.allow_short = !c.long_only;
  KEEL_TRY_STATUS(parse_rebalance_keys(r, c.schedule, c.rules));
  auto st = c.validate();
  if (!st.ok()) return r.error_at("symbols", st.error().message);
  return c;
}

std::map<std::string, double, std::less<>> scores_as_of(const std::vector<ScoreRow>& rows, Date d) {
  std::map<std::string, double, std::less<>> out;
  for (const ScoreRow& r : rows) {
    if (r.date > d) break;  // sorted by date: later rows are not known yet
    out[r.symbol] = r.score;
  }
  return out;
}

std::map<std::string, double, std::less<>> weights_from_scores(const std::map<std::string, double, std::less<>>& scores,
                                                               ScoreWeighting weighting, bool long_only, double gross) {
  std::map<std::string, double, std::less<>> w;
  if (weighting == ScoreWeighting::kProportional) {
    double total = 0.0;
    for (const auto& [s, x] : scores) total += long_only ? std::max(x, 0.0) : std::fabs(x);
    if (!(total > 0.0)) return w;
    for (const auto& [s, x] : scores) {
      if (long_only && !(x > 0.0)) continue;
      if (x != 0.0) w[s] = gross * x / total;
    }
    return w;
  }
  std::vector<std::pair<double, std::string>> ranked;
  for (const auto& [s, x] : scores) ranked.emplace_back(x, s);
  std::sort(ranked.begin(), ranked.end());  // ascending score, ties by symbol
  const double n = static_cast<double>(ranked.size());
  double total = 0.0;
  std::vector<double> raw;
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    const double rank = static_cast<double>(i + 1);
    raw.push_back(long_only ? rank : rank - (n + 1.0) / 2.0);
    total += std::fabs(raw.back());
  }
  if (!(total > 0.0)) return w;
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    if (raw[i] != 0.0) w[ranked[i].second] = gross * raw[i] / total;
  }
  return w;
}

TargetWeightsStrategy::TargetWeightsStrategy(TargetWeightsConfig config)
    : ScheduledStrategy(config.symbols, config.schedule), config_(std::move(config)) {
  const Status st = config_.validate();
  KEEL_ASSERT(st.ok(), st.ok() ? "" : st.error().message.c_str());
}

Status TargetWeightsStrategy::on_session(Context& ctx, bool rebalance_day) {
  if (!rebalance_day || ctx.warming_up()) return ok_status();
  std::map<std::string, double, std::less<>> scores;
  if (config_.source == ScoreSource::kCsv) {
    // Known at this session's close: rows dated today or earlier.
    for (const auto& [s, x] : scores_as_of(config_.scores, ctx.today())) scores.emplace(s, x);
  } else {
    const std::size_t need = static_cast<std::size_t>(std::max(config_.window, config_.vol_window)) + 1;
    for (std::size_t i = 0; i < universe_.size(); ++i) {
      const auto h = bars(ctx, i, need);
      const auto r = momentum_return(h, config_.window, 0);
      if (!r) continue;
      if (config_.source == ScoreSource::kReturn) {
        scores[universe_[i]] = *r;
        continue;
      }
      const auto vol = realized_vol(h, config_.vol_window);
      if (!vol || !(*vol > 0.0)) continue;
      scores[universe_[i]] = *r / (*vol / std::sqrt(252.0) * std::sqrt(static_cast<double>(config_.window)));
    }
  }
  last_ = weights_from_scores(scores, config_.weighting, config_.long_only, config_.rules.max_gross);
  KEEL_TRY(n, rebalance(ctx, last_, universe_, config_.rules, "target_weights"));
  (void)n;
  return ok_status();
}

}  // namespace keel::strategy
