#include "keel/apps/series_input.hpp"

#include <map>

#include "keel/apps/terminal.hpp"
#include "keel/core/fixed_point.hpp"
#include "keel/data/csv_reader.hpp"
#include "keel/data/sqlite_store.hpp"

namespace keel::apps {
namespace {

Result<PriceSeries> series_from_store(const SeriesSource& a) {
  KEEL_TRY(store, data::SqliteStore::open(a.db));
  KEEL_TRY(inst, store->find_instrument(a.symbol));
  if (!inst) return make_error(ErrorCode::kNotFound, "no instrument '" + a.symbol + "' in " + a.db);
  Timestamp from = Timestamp::min(), to = Timestamp::max();
  if (!a.from.empty()) {
    KEEL_TRY(d, Date::parse(a.from));
    from = Timestamp::from_date(d);
  }
  if (!a.to.empty()) {
    KEEL_TRY(d, Date::parse(a.to));
    to = Timestamp::from_date(d + 1) - Duration(1);
  }
  KEEL_TRY(bars, store->load_bars(inst->id, kOneDay, from, to));
  PriceSeries s;
  s.name = a.symbol;
  const double k = static_cast<double>(kFixedScale);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    s.keys.push_back(Timestamp::from_ns(bars.ts_event[i]).utc_date().to_string());
    s.open.push_back(static_cast<double>(bars.open[i]) / k);
    s.high.push_back(static_cast<double>(bars.high[i]) / k);
    s.low.push_back(static_cast<double>(bars.low[i]) / k);
    s.close.push_back(static_cast<double>(bars.close[i]) / k);
    s.volume.push_back(static_cast<double>(bars.volume[i]) / k);
  }
  // Prices across a split are on two scales; returns through it would be a fake -50% day.
  KEEL_TRY(actions, store->corporate_actions(inst->id));
  for (const auto& act : actions) {
    if (act.kind == CorporateActionKind::kSplit && Timestamp::from_date(act.ex_date) > from &&
        Timestamp::from_date(act.ex_date) <= to) {
      return make_error(ErrorCode::kUnsupported, a.symbol + " splits on " + act.ex_date.to_string() +
                                                     " inside the range: pass --from/--to on one side of it");
    }
  }
  return s;
}

Result<PriceSeries> series_from_csv(const SeriesSource& a) {
  KEEL_TRY(reader, data::CsvReader::open(a.in));
  data::CsvRecord rec;
  KEEL_TRY(has, reader.next(rec));
  if (!has) return make_error(ErrorCode::kInvalidArgument, a.in + ": empty file (expected a header row)");
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < rec.size(); ++i) col[std::string(rec[i])] = i;
  auto index = [&](const std::string& name) -> Result<std::size_t> {
    if (!col.count(name)) return make_error(ErrorCode::kInvalidArgument, a.in + ": no column '" + name + "'");
    return col.at(name);
  };
  std::size_t key_i = 0;
  if (!a.key_col.empty()) {
    KEEL_TRY(k, index(a.key_col));
    key_i = k;
  }
  KEEL_TRY(ci, index(a.close_col));
  const bool ohlc = !a.open_col.empty() || !a.high_col.empty() || !a.low_col.empty();
  std::size_t oi = 0, hi = 0, li = 0, vi = 0;
  if (ohlc) {
    KEEL_TRY(o, index(a.open_col));
    KEEL_TRY(h, index(a.high_col));
    KEEL_TRY(l, index(a.low_col));
    oi = o, hi = h, li = l;
  }
  if (!a.volume_col.empty()) {
    KEEL_TRY(v, index(a.volume_col));
    vi = v;
  }
  PriceSeries s;
  s.name = a.close_col;
  std::map<std::string, std::int64_t> seen;  // key -> line
  for (;;) {
    KEEL_TRY(more, reader.next(rec));
    if (!more) break;
    const std::string where = a.in + ":" + std::to_string(rec.line);
    auto num = [&](std::size_t i, const std::string& what) -> Result<double> {
      auto p = Price::parse(rec[i]);
      if (!p) return p.error().with_context(where + ": " + what);
      return p->to_double();
    };
    std::string key(rec[key_i]);
    if (auto [it, fresh] = seen.emplace(key, rec.line); !fresh) {
      return make_error(ErrorCode::kInvalidArgument,
                        where + ": key '" + key + "' repeats line " + std::to_string(it->second));
    }
    s.keys.push_back(std::move(key));
    KEEL_TRY(c, num(ci, a.close_col));
    s.close.push_back(c);
    if (ohlc) {
      KEEL_TRY(o, num(oi, a.open_col));
      KEEL_TRY(h, num(hi, a.high_col));
      KEEL_TRY(l, num(li, a.low_col));
      s.open.push_back(o);
      s.high.push_back(h);
      s.low.push_back(l);
    }
    if (!a.volume_col.empty()) {
      KEEL_TRY(v, num(vi, a.volume_col));
      s.volume.push_back(v);
    }
  }
  return s;
}

}  // namespace

void add_series_options(CLI::App* cmd, SeriesSource& s) {
  add_db_option(cmd, s.db);
  cmd->add_option("--symbol", s.symbol, "Instrument whose daily bars to use (from the store)");
  cmd->add_option("--from", s.from, "First date (store)");
  cmd->add_option("--to", s.to, "Last date (store)");
  cmd->add_option("--in", s.in, "CSV with a header row instead of the store");
  cmd->add_option("--key", s.key_col, "CSV row key column (default: the first column)");
  cmd->add_option("--close", s.close_col, "CSV close column (default close)");
  cmd->add_option("--open", s.open_col, "CSV open column (with --high and --low)");
  cmd->add_option("--high", s.high_col, "CSV high column");
  cmd->add_option("--low", s.low_col, "CSV low column");
  cmd->add_option("--volume", s.volume_col, "CSV volume column");
}

Status check_series_source(const SeriesSource& s) {
  if (s.in.empty() == s.symbol.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "give either --symbol (with --db) or --in FILE");
  }
  return ok_status();
}

Result<PriceSeries> load_series(const SeriesSource& source) {
  KEEL_TRY_STATUS(check_series_source(source));
  return source.in.empty() ? series_from_store(source) : series_from_csv(source);
}

}  // namespace keel::apps
