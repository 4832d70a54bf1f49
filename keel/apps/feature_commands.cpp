#include "keel/apps/feature_commands.hpp"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keel/analytics/feature_pipeline.hpp"
#include "keel/analytics/feature_spec.hpp"
#include "keel/analytics/labels.hpp"
#include "keel/apps/series_input.hpp"
#include "keel/apps/option_days.hpp"
#include "keel/apps/terminal.hpp"
#include "keel/data/sqlite_store.hpp"
#include "keel/data/csv_reader.hpp"

namespace keel::apps {
namespace {

struct FeatureArgs {
  SeriesSource source;
  std::string spec;
  std::string out;
  bool calendar = false;
  bool options = false;
  double rate = 0.03;
};

struct LabelArgs {
  SeriesSource source;
  std::string horizons = "1,5,20";
  std::string barrier;  // PT:SL:H
  int vol_window = 20;
  std::string side_col;
  std::string out;
};

// Shortest round-trip text of a double ("" for not ready).
std::string cell(const std::optional<double>& v) {
  if (!v) return "";
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, *v);
  return std::string(buf, r.ptr);
}

std::string quote(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

// Writes the table to --out, or to stdout without it.
int write_csv(const std::string& path, const std::vector<std::string>& header,
              const std::vector<std::vector<std::string>>& rows) {
  std::string text;
  auto line = [&](const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) text += (i ? "," : "") + quote(fields[i]);
    text += '\n';
  };
  line(header);
  for (const auto& r : rows) line(r);
  if (path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  std::ofstream f(path, std::ios::binary);
  if (!f || !(f << text) || !f.flush()) return user_error("cannot write " + path);
  std::fprintf(stderr, "wrote %zu rows to %s\n", rows.size(), path.c_str());
  return 0;
}

Result<std::vector<int>> parse_int_list(const std::string& flag, const std::string& text) {
  std::vector<int> out;
  std::size_t start = 0, item = 0;
  for (;;) {
    const auto pos = text.find(',', start);
    const std::string part = text.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
    ++item;
    int v = 0;
    const auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || p != part.data() + part.size() || v <= 0) {
      return make_error(ErrorCode::kInvalidArgument, flag + " item " + std::to_string(item) + " '" + part +
                                                         "' is not a positive integer");
    }
    out.push_back(v);
    if (pos == std::string::npos) return out;
    start = pos + 1;
  }
}

Result<std::vector<Date>> key_dates(const PriceSeries& s) {
  std::vector<Date> dates;
  for (std::size_t i = 0; i < s.keys.size(); ++i) {
    auto d = Date::parse(s.keys[i]);
    if (!d) {
      return make_error(ErrorCode::kInvalidArgument, "--calendar needs date keys (YYYY-MM-DD): row " +
                                                         std::to_string(i + 1) + " key '" + s.keys[i] + "' is not a date");
    }
    dates.push_back(*d);
  }
  return dates;
}

int run_features(const FeatureArgs& a) {
  auto spec = analytics::parse_feature_spec(a.spec);
  if (!spec) return user_error("--spec: " + spec.error().message);
  auto series = load_series(a.source);
  if (!series) return user_error(series.error().message);
  const PriceSeries& s = *series;
  analytics::OhlcvInput in;
  in.close = s.close;
  in.open = s.open;
  in.high = s.high;
  in.low = s.low;
  in.volume = s.volume;
  auto table = analytics::compute_features(*spec, in);
  if (!table) {
    std::string hint;
    if (!s.has_ohlc() && spec->needs_high_low()) hint = " (CSV: name them with --open --high --low)";
    else if (s.volume.empty() && spec->needs_volume()) hint = " (CSV: name it with --volume)";
    return user_error(s.name + ": " + table.error().message + hint);
  }
  std::vector<std::string> header{"key", "close"};
  header.insert(header.end(), table->names.begin(), table->names.end());
  std::vector<analytics::FeatureColumn> extra;
  if (a.calendar) {
    auto dates = key_dates(s);
    if (!dates) return user_error(dates.error().message);
    auto cal = analytics::calendar_features(*dates);
    if (!cal) return user_error(cal.error().message);
    const auto& names = analytics::CalendarFeatures::names();
    header.insert(header.end(), names.begin(), names.end());
    extra = std::move(cal->columns);
  }
  if (a.options) {
    if (a.source.symbol.empty()) return user_error("--options needs --symbol (option chains come from the store)");
    auto dates = key_dates(s);
    if (!dates) return user_error(dates.error().message);
    auto store = data::SqliteStore::open(a.source.db);
    if (!store) return user_error(store.error().message);
    auto days = option_days_from_store(**store, a.source.symbol, *dates, s.close, a.rate, 0.0);
    if (!days) return user_error(a.source.symbol + ": " + days.error().message);
    auto opt = analytics::option_features(*days, s.close);
    if (!opt) return user_error(a.source.symbol + ": " + opt.error().message);
    const auto& names = analytics::OptionFeatures::names();
    header.insert(header.end(), names.begin(), names.end());
    for (auto& col : opt->columns) extra.push_back(std::move(col));
  }
  std::vector<std::vector<std::string>> rows(s.close.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].push_back(s.keys[i]);
    rows[i].push_back(cell(s.close[i]));
    for (const auto& col : table->columns) rows[i].push_back(cell(col[i]));
    for (const auto& col : extra) rows[i].push_back(cell(col[i]));
  }
  return write_csv(a.out, header, rows);
}

// The side column (-1, 0, 1 per row) read from the same CSV the series came from.
Result<std::vector<int>> read_side(const std::string& path, const std::string& col, std::size_t rows) {
  KEEL_TRY(reader, data::CsvReader::open(path));
  data::CsvRecord rec;
  KEEL_TRY(has, reader.next(rec));
  if (!has) return make_error(ErrorCode::kInvalidArgument, path + ": empty file");
  std::optional<std::size_t> idx;
  for (std::size_t i = 0; i < rec.size(); ++i) {
    if (rec[i] == col) idx = i;
  }
  if (!idx) return make_error(ErrorCode::kInvalidArgument, path + ": no column '" + col + "' (--side-col)");
  std::vector<int> side;
  for (;;) {
    KEEL_TRY(more, reader.next(rec));
    if (!more) break;
    const std::string_view f = rec[*idx];
    int v = 0;
    const auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    if (f.empty() || ec != std::errc() || p != f.data() + f.size() || v < -1 || v > 1) {
      return make_error(ErrorCode::kInvalidArgument, path + ":" + std::to_string(rec.line) + ": " + col + " '" +
                                                         std::string(f) + "' is not -1, 0 or 1");
    }
    side.push_back(v);
  }
  if (side.size() != rows) return make_error(ErrorCode::kInternal, path + ": side rows differ from series rows");
  return side;
}

int run_labels(const LabelArgs& a) {
  auto horizons = parse_int_list("--horizons", a.horizons);
  if (!horizons) return user_error(horizons.error().message);
  std::optional<analytics::BarrierOptions> barrier;
  if (!a.barrier.empty()) {
    // PT:SL:H
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
      const auto pos = a.barrier.find(':', start);
      parts.push_back(a.barrier.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
      if (pos == std::string::npos) break;
      start = pos + 1;
    }
    auto number = [](const std::string& t, double& v) {
      const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      return !t.empty() && ec == std::errc() && p == t.data() + t.size();
    };
    analytics::BarrierOptions o;
    double h = 0;
    if (parts.size() != 3 || !number(parts[0], o.profit_take) || !number(parts[1], o.stop_loss) || !number(parts[2], h) ||
        h != static_cast<double>(static_cast<int>(h))) {
      return user_error("--barrier '" + a.barrier + "': expected PT:SL:H (profit-take and stop-loss multiples of "
                        "the trailing volatility, horizon in bars), e.g. 2:1:10");
    }
    o.horizon = static_cast<int>(h);
    barrier = o;
  }
  if (!a.side_col.empty() && !barrier) return user_error("--side-col needs --barrier (meta-labels are triple-barrier labels)");
  if (!a.side_col.empty() && a.source.in.empty()) return user_error("--side-col needs --in (a CSV holding the side column)");
  auto series = load_series(a.source);
  if (!series) return user_error(series.error().message);
  const PriceSeries& s = *series;
  auto fwd = analytics::forward_returns(s.close, *horizons);
  if (!fwd) return user_error(s.name + ": " + fwd.error().message);
  std::vector<std::string> header{"key", "close"};
  for (int h : *horizons) header.push_back("fwd_ret_" + std::to_string(h));
  const std::size_t n = s.close.size();
  std::vector<std::vector<std::string>> rows(n);
  for (std::size_t i = 0; i < n; ++i) {
    rows[i].push_back(s.keys[i]);
    rows[i].push_back(cell(s.close[i]));
    for (const auto& col : *fwd) rows[i].push_back(cell(col[i]));
  }
  if (barrier) {
    auto vol = analytics::trailing_volatility(s.close, a.vol_window);
    if (!vol) return user_error("--vol-window: " + vol.error().message);
    std::vector<int> side;
    if (!a.side_col.empty()) {
      auto sd = read_side(a.source.in, a.side_col, n);
      if (!sd) return user_error(sd.error().message);
      side = std::move(*sd);
    }
    auto labels = analytics::triple_barrier(s.close, *vol, *barrier, side);
    if (!labels) return user_error(s.name + ": " + labels.error().message);
    const auto spans = analytics::label_spans(*labels);
    auto uniq = analytics::average_uniqueness(spans, n);
    if (!uniq) return user_error(uniq.error().message);
    auto weight = analytics::return_attribution_weights(spans, s.close);
    if (!weight) return user_error(weight.error().message);
    const auto meta = analytics::meta_labels(*labels);
    for (const char* h : {"tb_vol", "tb_label", "tb_barrier", "tb_touch", "tb_return", "tb_uniqueness", "tb_weight"}) {
      header.push_back(h);
    }
    if (!side.empty()) header.insert(header.end(), {"side", "meta_label"});
    std::size_t k = 0;  // index into spans / uniqueness / weights
    for (std::size_t i = 0; i < n; ++i) {
      const auto& lab = (*labels)[i];
      rows[i].push_back(cell((*vol)[i]));
      if (lab) {
        rows[i].push_back(std::to_string(lab->label));
        rows[i].push_back(analytics::to_string(lab->barrier));
        rows[i].push_back(s.keys[lab->touch]);
        rows[i].push_back(cell(lab->ret));
        rows[i].push_back(cell((*uniq)[k]));
        rows[i].push_back(cell((*weight)[k]));
        ++k;
      } else {
        rows[i].insert(rows[i].end(), 6, "");
      }
      if (!side.empty()) {
        rows[i].push_back(std::to_string(side[i]));
        rows[i].push_back(meta[i] ? std::to_string(*meta[i]) : "");
      }
    }
  }
  return write_csv(a.out, header, rows);
}

}  // namespace

void register_feature_commands(CLI::App& app, int& exit_code) {
  auto fa = std::make_shared<FeatureArgs>();
  CLI::App* f = app.add_subcommand("features", "Indicator features of a daily series as CSV (docs/FEATURES.md)");
  add_series_options(f, fa->source);
  f->add_option("--spec", fa->spec, "Feature spec, e.g. rsi:14,macd:12:26:9,bbands:20:2,atr:14")->required();
  f->add_option("--out", fa->out, "Output CSV (default: stdout)");
  f->add_flag("--calendar", fa->calendar, "Add exchange-calendar features (keys must be dates)");
  f->add_flag("--options", fa->options,
              "Add option features (30-day IV, IV rank/percentile, 25-delta RR/BF, term slope, VRP) from the store's chains");
  f->add_option("--rate", fa->rate, "Risk-free rate for the implied vols of --options (default 0.03)");
  f->callback([&exit_code, fa] { exit_code = run_features(*fa); });

  auto la = std::make_shared<LabelArgs>();
  CLI::App* l = app.add_subcommand("labels", "Forward-return and triple-barrier labels of a daily series as CSV");
  add_series_options(l, la->source);
  l->add_option("--horizons", la->horizons, "Forward-return horizons in bars (default 1,5,20)");
  l->add_option("--barrier", la->barrier, "Triple barrier PT:SL:H (multiples of the trailing vol; horizon in bars)");
  l->add_option("--vol-window", la->vol_window, "Trailing volatility window in returns (default 20)");
  l->add_option("--side-col", la->side_col, "CSV column with the primary side (-1/0/1) for meta-labels");
  l->add_option("--out", la->out, "Output CSV (default: stdout)");
  l->callback([&exit_code, la] { exit_code = run_labels(*la); });
}

}  // namespace keel::apps
