#include "keel/apps/data_commands.hpp"

#include <algorithm>
#include <cstdio>
#include <tuple>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "keel/apps/terminal.hpp"
#include "keel/data/quality_check.hpp"
#include "keel/data/sqlite_store.hpp"

namespace keel::apps {
namespace {

using nlohmann::json;

struct Common {
  std::string db;
  bool json_out = false;
};

Result<std::unique_ptr<data::SqliteStore>> open_store(const std::string& path) { return data::SqliteStore::open(path); }

std::string series_range(const data::SeriesSummary& s) {
  const bool daily = s.kind.find(":1d") != std::string::npos || s.kind.rfind("corporate_actions", 0) == 0 ||
                     s.kind.rfind("option_quotes", 0) == 0;
  auto fmt = [&](Timestamp t) { return daily ? t.utc_date().to_string() : t.to_string(); };
  return fmt(s.first) + " .. " + fmt(s.last);
}

// ---- list -------------------------------------------------------------------------------------

// Option contracts are summarized per underlying and series kind unless --contracts asks for one
// line each: a chain store holds tens of thousands of contracts.
std::vector<data::SeriesSummary> group_option_series(const std::vector<data::SeriesSummary>& in) {
  std::vector<data::SeriesSummary> out;
  std::map<std::pair<std::string, std::string>, std::size_t> index;  // (underlying, kind) -> out
  for (const auto& s : in) {
    if (!s.instrument.is_option()) {
      out.push_back(s);
      continue;
    }
    const auto key = std::make_pair(s.instrument.option->underlying, s.kind);
    auto it = index.find(key);
    if (it == index.end()) {
      data::SeriesSummary g = s;
      g.instrument.symbol = s.instrument.option->underlying + " options";
      g.kind = s.kind + " (1 contract)";
      index.emplace(key, out.size());
      out.push_back(g);
      continue;
    }
    data::SeriesSummary& g = out[it->second];
    g.rows += s.rows;
    g.first = std::min(g.first, s.first);
    g.last = std::max(g.last, s.last);
    const std::size_t contracts = std::stoul(g.kind.substr(g.kind.rfind('(') + 1)) + 1;
    g.kind = s.kind + " (" + std::to_string(contracts) + " contracts)";
  }
  return out;
}

int run_list(const Common& common, bool contracts) {
  auto store = open_store(common.db);
  if (!store) return user_error(store.error().message);
  auto all = (*store)->summary();
  if (!all) return user_error(all.error().message);
  const std::vector<data::SeriesSummary> summary = contracts ? *all : group_option_series(*all);
  if (common.json_out) {
    json out = json::array();
    for (const auto& s : summary) {
      out.push_back({{"symbol", s.instrument.symbol},
                     {"asset_class", std::string(to_string(s.instrument.asset_class))},
                     {"kind", s.kind},
                     {"rows", s.rows},
                     {"first", s.first.to_string()},
                     {"last", s.last.to_string()}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> rows{{"SYMBOL", "CLASS", "SERIES", "ROWS", "RANGE"}};
  std::int64_t total = 0;
  for (const auto& s : summary) {
    rows.push_back({s.instrument.symbol, std::string(to_string(s.instrument.asset_class)), s.kind,
                    std::to_string(s.rows), series_range(s)});
    total += s.rows;
  }
  print_table(rows);
  std::printf("%zu series of %zu instruments, %lld rows in %s\n", summary.size(), all->size(),
              static_cast<long long>(total), common.db.c_str());
  return 0;
}

// ---- show -------------------------------------------------------------------------------------

struct ShowArgs {
  std::string symbol;
  std::string from, to, chain;
  std::string timeframe = "1d";
  int limit = 20;
};

Result<Timestamp> parse_bound(const std::string& text, Timestamp fallback, bool end_of_day) {
  if (text.empty()) return fallback;
  KEEL_TRY(ts, Timestamp::parse(text));
  if (end_of_day && text.size() == 10) return ts + std::chrono::hours(24) - std::chrono::nanoseconds(1);
  return ts;
}

int show_chain(data::Store& store, const Instrument& underlying, const ShowArgs& args, const Common& common) {
  auto date = Date::parse(args.chain);
  if (!date) return user_error("--chain: " + date.error().message);
  const Timestamp from = Timestamp::from_date(*date);
  auto quotes = store.load_option_quotes(underlying.symbol, from, from + std::chrono::hours(24) - std::chrono::nanoseconds(1));
  if (!quotes) return user_error(quotes.error().message);
  if (quotes->size() == 0) return user_error("no option quotes for " + underlying.symbol + " on " + date->to_string());
  json out = json::array();
  std::vector<std::vector<std::string>> rows{{"CONTRACT", "EXPIRY", "RIGHT", "STRIKE", "BID", "ASK", "LAST", "VOLUME", "OI"}};
  const std::size_t n = quotes->size();
  // A trader reads a chain by expiry, then strike, calls before puts.
  std::vector<std::pair<Instrument, OptionQuote>> chain;
  chain.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const OptionQuote q = quotes->row(i);
    auto inst = store.instrument(q.instrument);
    if (!inst) return user_error(inst.error().message);
    chain.emplace_back(std::move(*inst), q);
  }
  std::stable_sort(chain.begin(), chain.end(), [](const auto& a, const auto& b) {
    const OptionSpec& x = *a.first.option;
    const OptionSpec& y = *b.first.option;
    return std::tie(x.expiry, x.strike, x.right) < std::tie(y.expiry, y.strike, y.right);
  });
  const std::size_t shown = args.limit > 0 ? std::min<std::size_t>(n, static_cast<std::size_t>(args.limit)) : n;
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& [instrument, q] = chain[i];
    const Instrument* inst = &instrument;
    const OptionSpec& o = *inst->option;
    if (common.json_out) {
      out.push_back({{"contract", inst->symbol}, {"expiry", o.expiry.to_string()}, {"right", std::string(to_string(o.right))},
                     {"strike", o.strike.to_string()}, {"bid", q.bid.to_string()}, {"ask", q.ask.to_string()},
                     {"last", q.last.to_string()}, {"volume", q.volume.raw() / kFixedScale},
                     {"open_interest", q.open_interest.raw() / kFixedScale}});
    } else {
      rows.push_back({inst->symbol, o.expiry.to_string(), std::string(to_string(o.right)), o.strike.to_string(),
                      q.bid.to_string(), q.ask.to_string(), q.last.to_string(), q.volume.to_string(),
                      q.open_interest.to_string()});
    }
  }
  if (common.json_out) {
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    print_table(rows);
    std::printf("%zu of %zu quotes for %s on %s\n", shown, n, underlying.symbol.c_str(), date->to_string().c_str());
  }
  return 0;
}

int run_show(const ShowArgs& args, const Common& common) {
  auto store = open_store(common.db);
  if (!store) return user_error(store.error().message);
  auto inst = (*store)->find_instrument(args.symbol);
  if (!inst) return user_error(inst.error().message);
  if (!inst->has_value()) return user_error("no instrument '" + args.symbol + "' in " + common.db);
  const Instrument& instrument = **inst;
  if (!args.chain.empty()) return show_chain(**store, instrument, args, common);

  auto timeframe = parse_duration(args.timeframe);
  if (!timeframe) return user_error("--timeframe: " + timeframe.error().message);
  auto from = parse_bound(args.from, Timestamp::min(), false);
  if (!from) return user_error("--from: " + from.error().message);
  auto to = parse_bound(args.to, Timestamp::max(), true);
  if (!to) return user_error("--to: " + to.error().message);
  auto bars = (*store)->load_bars(instrument.id, *timeframe, *from, *to);
  if (!bars) return user_error(bars.error().message);
  const std::size_t n = bars->size();
  const std::size_t shown = args.limit > 0 ? std::min<std::size_t>(n, static_cast<std::size_t>(args.limit)) : n;
  const bool daily = *timeframe == kOneDay;
  auto when = [&](std::size_t i) {
    const Timestamp t = Timestamp::from_ns(bars->ts_event[i]);
    return daily ? t.utc_date().to_string() : t.to_string();
  };
  if (common.json_out) {
    json out = json::array();
    for (std::size_t i = 0; i < shown; ++i) {
      const Bar b = bars->row(i);
      out.push_back({{"ts_event", when(i)}, {"open", b.open.to_string()}, {"high", b.high.to_string()},
                     {"low", b.low.to_string()}, {"close", b.close.to_string()}, {"volume", b.volume.to_string()}});
    }
    std::printf("%s\n", json{{"symbol", instrument.symbol}, {"timeframe", args.timeframe}, {"bars", out}}.dump(2).c_str());
    return 0;
  }
  std::printf("%s (%s)", instrument.symbol.c_str(), std::string(to_string(instrument.asset_class)).c_str());
  if (instrument.option) {
    const OptionSpec& o = *instrument.option;
    std::printf(": %s %s %s strike %s x%lld %s, %s settlement", o.underlying.c_str(), o.expiry.to_string().c_str(),
                std::string(to_string(o.right)).c_str(), o.strike.to_string().c_str(),
                static_cast<long long>(o.multiplier), std::string(to_string(o.exercise)).c_str(),
                std::string(to_string(o.settlement)).c_str());
  }
  std::printf("\n");
  std::vector<std::vector<std::string>> rows{{daily ? "DATE" : "TIME", "OPEN", "HIGH", "LOW", "CLOSE", "VOLUME"}};
  for (std::size_t i = 0; i < shown; ++i) {
    const Bar b = bars->row(i);
    rows.push_back({when(i), b.open.to_string(), b.high.to_string(), b.low.to_string(), b.close.to_string(),
                    b.volume.to_string()});
  }
  print_table(rows);
  std::printf("%zu of %zu %s bars\n", shown, n, args.timeframe.c_str());
  auto actions = (*store)->corporate_actions(instrument.id);
  if (actions && !actions->empty()) {
    std::printf("corporate actions:\n");
    for (const auto& a : *actions) {
      std::string what = std::string(to_string(a.kind));
      if (a.kind == CorporateActionKind::kSplit) what += " " + std::to_string(a.ratio_to) + ":" + std::to_string(a.ratio_from);
      if (a.kind == CorporateActionKind::kCashDividend) what += " " + a.amount.to_string() + " per share, paid " + a.pay_date.to_string();
      if (a.kind == CorporateActionKind::kSymbolChange) what += " to " + a.new_symbol;
      std::printf("  %s  %s\n", a.ex_date.to_string().c_str(), what.c_str());
    }
  }
  return 0;
}

// ---- check ------------------------------------------------------------------------------------

int run_check(const data::QualityOptions& options, const Common& common, bool strict) {
  auto store = open_store(common.db);
  if (!store) return user_error(store.error().message);
  auto report = data::check_quality(**store, options);
  if (!report) return user_error(report.error().message);
  if (common.json_out) {
    json issues = json::object();
    for (const auto& [kind, issue] : report->issues) issues[kind] = {{"count", issue.count}, {"examples", issue.examples}};
    std::printf("%s\n", json{{"series_checked", report->series_checked},
                             {"bars_checked", report->bars_checked},
                             {"option_quotes_checked", report->option_quotes_checked},
                             {"issues", issues}}
                            .dump(2)
                            .c_str());
  } else {
    std::printf("checked %lld series: %lld bars, %lld option quotes\n", static_cast<long long>(report->series_checked),
                static_cast<long long>(report->bars_checked), static_cast<long long>(report->option_quotes_checked));
    if (report->clean()) std::printf("no issues found\n");
    for (const auto& [kind, issue] : report->issues) {
      std::printf("%-32s %lld\n", kind.c_str(), static_cast<long long>(issue.count));
      for (const auto& ex : issue.examples) std::printf("    e.g. %s\n", ex.c_str());
    }
  }
  // Findings are the command's result, not its failure: exit 0 unless --strict asks otherwise.
  if (strict && !report->clean()) {
    return user_error(std::to_string(report->total_issues()) + " data quality issues found");
  }
  return 0;
}

}  // namespace

void register_data_commands(CLI::App& app, int& exit_code) {
  CLI::App* data = app.add_subcommand("data", "Market data: synthesize, import, list, show and check");
  data->require_subcommand(1);

  // The options' storage lives as long as the App: the callbacks share ownership of it.
  struct State {
    Common list_common, show_common, check_common;
    ShowArgs show_args;
    data::QualityOptions check_options;
    bool check_strict = false;
    bool list_contracts = false;
  };
  auto st = std::make_shared<State>();

  CLI::App* list = data->add_subcommand("list", "List the series the store holds");
  add_db_option(list, st->list_common.db);
  list->add_flag("--json", st->list_common.json_out, "Print JSON");
  list->add_flag("--contracts", st->list_contracts, "One line per option contract instead of one per underlying");
  list->callback([&exit_code, st] { exit_code = run_list(st->list_common, st->list_contracts); });

  CLI::App* show = data->add_subcommand("show", "Show an instrument's bars, or an underlying's option chain on a date");
  add_db_option(show, st->show_common.db);
  show->add_option("symbol", st->show_args.symbol, "Ticker or OSI option symbol")->required();
  show->add_option("--from", st->show_args.from, "First date or timestamp (inclusive)");
  show->add_option("--to", st->show_args.to, "Last date or timestamp (inclusive)");
  show->add_option("--timeframe", st->show_args.timeframe, "Bar timeframe: 1d (default), 1m, 5m, 1h ...");
  show->add_option("--chain", st->show_args.chain, "Show the option chain of this underlying on DATE instead of bars");
  show->add_option("--limit", st->show_args.limit, "Rows to print (0 = all; default 20)");
  show->add_flag("--json", st->show_common.json_out, "Print JSON");
  show->callback([&exit_code, st] { exit_code = run_show(st->show_args, st->show_common); });

  CLI::App* check = data->add_subcommand("check", "Quality control: gaps, duplicates, crossed quotes, outliers ...");
  add_db_option(check, st->check_common.db);
  check->add_option("--symbol", st->check_options.symbol, "Check only this underlying (default: all)");
  check->add_option("--examples", st->check_options.max_examples, "Examples shown per kind of issue (default 5)");
  check->add_option("--outlier-sigmas", st->check_options.outlier_sigmas, "Robust z-score above which a return is an outlier");
  check->add_flag("--strict", st->check_strict, "Exit with code 1 when any issue is found");
  check->add_flag("--json", st->check_common.json_out, "Print JSON");
  check->callback([&exit_code, st] { exit_code = run_check(st->check_options, st->check_common, st->check_strict); });

  register_synth_and_import(data, exit_code);
}

}  // namespace keel::apps
