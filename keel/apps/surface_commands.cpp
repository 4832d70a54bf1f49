// `keel surface fit`: fit an SVI smile per expiry to an option chain from the store or a CSV,
// then check the surface for butterfly and calendar arbitrage (optionally repairing it) and
// print parameters, fit errors, ATM vol, 25-delta risk reversal and butterfly, and the term
// structure slope.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "keel/analytics/chain_slice.hpp"
#include "keel/analytics/vol_surface.hpp"
#include "keel/apps/surface_commands.hpp"
#include "keel/apps/terminal.hpp"
#include "keel/data/csv_reader.hpp"
#include "keel/data/sqlite_store.hpp"

namespace keel::apps {
namespace {

using nlohmann::json;
using analytics::StrikeQuotes;

struct SurfaceArgs {
  std::string db;
  std::string symbol;
  std::string date;
  std::string in;
  std::string weighting = "vega";
  std::string model = "svi";
  int min_dte = 7;
  bool repair = false;
  bool json_out = false;
};

// Expiry -> strike -> call/put quotes.
using Chain = std::map<Date, std::map<double, StrikeQuotes>>;

void add_quote(Chain& chain, Date expiry, double strike, OptionRight right, double bid, double ask) {
  StrikeQuotes& s = chain[expiry][strike];
  s.strike = strike;
  if (right == OptionRight::kCall) {
    s.call_bid = bid;
    s.call_ask = ask;
  } else {
    s.put_bid = bid;
    s.put_ask = ask;
  }
}

Result<Chain> chain_from_store(const SurfaceArgs& args, Date date) {
  KEEL_TRY(store, data::SqliteStore::open(args.db));
  const Timestamp from = Timestamp::from_date(date);
  KEEL_TRY(quotes, store->load_option_quotes(args.symbol, from, from + std::chrono::hours(24) - std::chrono::nanoseconds(1)));
  if (quotes.size() == 0) {
    return make_error(ErrorCode::kNotFound, "no option quotes for " + args.symbol + " on " + date.to_string() + " in " + args.db);
  }
  Chain chain;
  for (std::size_t i = 0; i < quotes.size(); ++i) {
    KEEL_TRY(inst, store->instrument(InstrumentId(quotes.instrument[i])));
    const OptionSpec& o = *inst.option;
    // Adjusted contracts (root "ZEPH1", non-standard deliverable) are priced in other terms.
    std::string root = inst.symbol.substr(0, 6);
    root.erase(root.find_last_not_of(' ') + 1);
    if (root != o.underlying || o.multiplier != 100) continue;
    const OptionQuote q = quotes.row(i);
    add_quote(chain, o.expiry, o.strike.to_double(), o.right, q.bid.to_double(), q.ask.to_double());
  }
  return chain;
}

Result<double> csv_number(std::string_view text, const std::string& where) {
  auto p = Price::parse(text);
  if (!p) return p.error().with_context(where);
  return p->to_double();
}

// CSV columns: expiry (YYYY-MM-DD), strike, right (C/P/call/put), bid, ask.
Result<Chain> chain_from_csv(const std::string& path) {
  KEEL_TRY(reader, data::CsvReader::open(path));
  data::CsvRecord rec;
  KEEL_TRY(has_header, reader.next(rec));
  if (!has_header) return make_error(ErrorCode::kInvalidArgument, path + ": empty file (expected a header row)");
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < rec.size(); ++i) col[std::string(rec[i])] = i;
  for (const char* need : {"expiry", "strike", "right", "bid", "ask"}) {
    if (!col.count(need)) return make_error(ErrorCode::kInvalidArgument, path + ": missing column '" + need + "'");
  }
  Chain chain;
  for (;;) {
    KEEL_TRY(more, reader.next(rec));
    if (!more) break;
    const std::string where = path + ":" + std::to_string(rec.line);
    auto expiry = Date::parse(rec[col["expiry"]]);
    if (!expiry) return expiry.error().with_context(where);
    auto right = parse_option_right(rec[col["right"]]);
    if (!right) return right.error().with_context(where);
    KEEL_TRY(strike, csv_number(rec[col["strike"]], where + ": strike"));
    KEEL_TRY(bid, csv_number(rec[col["bid"]], where + ": bid"));
    KEEL_TRY(ask, csv_number(rec[col["ask"]], where + ": ask"));
    if (!(strike > 0) || bid < 0 || ask < bid) {
      return make_error(ErrorCode::kInvalidArgument, where + ": need strike > 0 and 0 <= bid <= ask");
    }
    add_quote(chain, *expiry, strike, *right, bid, ask);
  }
  return chain;
}

Result<analytics::SliceWeighting> parse_weighting(const std::string& w) {
  if (w == "vega") return analytics::SliceWeighting::kVega;
  if (w == "spread") return analytics::SliceWeighting::kInverseSpread;
  if (w == "equal") return analytics::SliceWeighting::kEqual;
  return make_error(ErrorCode::kInvalidArgument, "--weighting '" + w + "': expected vega, spread or equal");
}

struct FittedSlice {
  Date expiry;
  int dte = 0;
  analytics::ChainSlice slice;
  analytics::SviFit fit;
};

int run_surface_fit(const SurfaceArgs& args) {
  if (args.in.empty() == args.symbol.empty()) return user_error("give either --symbol (with --db) or --in FILE");
  auto date = Date::parse(args.date);
  if (!date) return user_error("--date: " + date.error().message);
  auto weighting = parse_weighting(args.weighting);
  if (!weighting) return user_error(weighting.error().message);
  auto chain = args.in.empty() ? chain_from_store(args, *date) : chain_from_csv(args.in);
  if (!chain) return user_error(chain.error().message);

  std::vector<FittedSlice> fitted;
  std::vector<std::string> skipped;
  analytics::SviFitOptions opt;
  opt.weighting = *weighting;
  for (const auto& [expiry, strikes] : *chain) {
    const int dte = expiry - *date;
    if (dte < args.min_dte) continue;
    std::vector<StrikeQuotes> row;
    for (const auto& [k, s] : strikes) row.push_back(s);
    const std::string label = expiry.to_string();
    const double t = dte / 365.0;
    auto slice = analytics::chain_slice(row, t, label);
    if (!slice) {
      skipped.push_back(slice.error().message);
      continue;
    }
    if (args.model == "ssvi") {  // fitted jointly below; a thin slice still informs the surface
      analytics::SviFit joint;
      joint.t = t;
      joint.quotes = slice->quotes.size();
      fitted.push_back({expiry, dte, std::move(*slice), joint});
      continue;
    }
    auto fit = analytics::fit_svi_slice(slice->quotes, t, opt, label);
    if (!fit) {
      skipped.push_back(fit.error().message);
      continue;
    }
    fitted.push_back({expiry, dte, std::move(*slice), *fit});
  }
  if (fitted.empty()) {
    return user_error("no expiry with enough quotes to fit" + (skipped.empty() ? std::string() : ": " + skipped.front()));
  }
  Result<analytics::VolSurface> surface = make_error(ErrorCode::kInternal, "no surface");
  if (args.model == "ssvi") {
    // One SSVI surface (3 global parameters + ATM variance per expiry): robust where slices are
    // thin, and free of static arbitrage by construction in the default parameter region.
    std::vector<std::string> labels;
    for (const auto& f : fitted) labels.push_back(f.expiry.to_string());
    std::vector<analytics::ExpiryQuotes> expiries;
    for (std::size_t i = 0; i < fitted.size(); ++i) expiries.push_back({fitted[i].fit.t, fitted[i].slice.quotes, labels[i]});
    analytics::SsviFitOptions sopt;
    sopt.weighting = *weighting;
    auto ssvi = analytics::fit_ssvi_surface(expiries, sopt);
    if (!ssvi) return user_error(ssvi.error().message);
    surface = analytics::VolSurface::from_ssvi(*ssvi);
    if (!surface) return user_error(surface.error().message);
    // Report each slice's error under the joint fit.
    for (auto& f : fitted) {
      double sum = 0, worst = 0;
      for (const auto& q : f.slice.quotes) {
        auto v = surface->implied_vol(q.k, f.fit.t);
        const double e = v ? *v - q.vol : 0.0;
        sum += e * e;
        worst = std::max(worst, std::fabs(e));
      }
      f.fit.rmse_vol = std::sqrt(sum / static_cast<double>(f.slice.quotes.size()));
      f.fit.max_abs_vol_error = worst;
    }
  } else if (args.model == "svi") {
    std::vector<analytics::SurfaceSlice> slices;
    for (const auto& f : fitted) slices.push_back({f.fit.t, f.fit.params});
    surface = analytics::VolSurface::make(slices);
    if (!surface) return user_error(surface.error().message);
  } else {
    return user_error("--model '" + args.model + "': expected svi or ssvi");
  }
  const auto butterflies = surface->butterfly_check();
  const auto calendar = surface->calendar_check();
  analytics::RepairReport repair;
  std::optional<analytics::VolSurface> repaired;
  if (args.repair) {
    auto r = surface->repaired(&repair);
    if (!r) return user_error(r.error().message);
    repaired = std::move(*r);
  }
  const analytics::VolSurface& final_surface = repaired ? *repaired : *surface;

  json out;
  out["date"] = date->to_string();
  out["model"] = args.model;
  out["source"] = args.in.empty() ? args.db + ":" + args.symbol : args.in;
  json jslices = json::array();
  std::vector<std::vector<std::string>> rows{{"EXPIRY", "DTE", "FORWARD", "N", "a", "b", "m", "rho", "sigma", "RMSE",
                                              "ATM", "RR25", "BF25", "BUTTERFLY"}};
  auto f6 = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return std::string(buf);
  };
  auto pct = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", 100 * v);
    return std::string(buf);
  };
  for (std::size_t i = 0; i < fitted.size(); ++i) {
    const FittedSlice& f = fitted[i];
    const analytics::SviRaw& p = final_surface.slices()[i].svi;
    auto smile = final_surface.smile_figures(f.fit.t);
    const auto& bf = butterflies[i];
    const std::string bf_text = bf.arbitrage_free ? "ok" : "g<0 at k=" + f6(bf.worst_k);
    jslices.push_back({{"expiry", f.expiry.to_string()}, {"dte", f.dte}, {"t", f.fit.t},
                       {"forward", f.slice.parity.forward}, {"discount", f.slice.parity.discount},
                       {"quotes", f.fit.quotes}, {"skipped_strikes", f.slice.skipped},
                       {"svi", {{"a", p.a}, {"b", p.b}, {"m", p.m}, {"rho", p.rho}, {"sigma", p.sigma}}},
                       {"rmse_vol", f.fit.rmse_vol}, {"max_abs_vol_error", f.fit.max_abs_vol_error},
                       {"butterfly_free", bf.arbitrage_free}, {"worst_g", bf.worst_g}, {"worst_k", bf.worst_k},
                       {"atm_vol", smile ? smile->atm_vol : 0.0},
                       {"risk_reversal_25d", smile ? smile->risk_reversal : 0.0},
                       {"butterfly_25d", smile ? smile->butterfly : 0.0}});
    rows.push_back({f.expiry.to_string(), std::to_string(f.dte), f6(f.slice.parity.forward).substr(0, 8),
                    std::to_string(f.fit.quotes), f6(p.a), f6(p.b), f6(p.m), f6(p.rho), f6(p.sigma), pct(f.fit.rmse_vol),
                    smile ? pct(smile->atm_vol) : "-", smile ? pct(smile->risk_reversal) : "-",
                    smile ? pct(smile->butterfly) : "-", bf_text});
  }
  out["slices"] = jslices;
  out["calendar"] = {{"arbitrage_free", calendar.arbitrage_free}, {"worst_dw", calendar.worst_dw},
                     {"worst_k", calendar.worst_k}, {"wings_ok", calendar.wings_ok}};
  double slope = 0;
  if (fitted.size() >= 2) {
    auto s = final_surface.term_structure_slope(fitted.front().fit.t, fitted.back().fit.t);
    if (s) slope = *s;
    out["term_structure_slope"] = slope;
  }
  if (args.repair) {
    out["repair"] = {{"butterfly_repaired", repair.butterfly_repaired},
                     {"calendar_lift", repair.calendar_lift},
                     {"arbitrage_free", repair.arbitrage_free}};
  }
  out["skipped_expiries"] = skipped;
  if (args.json_out) {
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%s surface for %s on %s (%zu expiries%s)\n", args.model == "ssvi" ? "SSVI" : "SVI",
              out["source"].get<std::string>().c_str(),
              date->to_string().c_str(), fitted.size(), args.repair ? ", repaired" : "");
  print_table(rows);
  std::printf("calendar arbitrage: %s", calendar.arbitrage_free ? "none" : "FOUND");
  if (!calendar.arbitrage_free) std::printf(" (worst dw %.3g at k=%.3f, slice %zu)", calendar.worst_dw, calendar.worst_k, calendar.worst_slice);
  std::printf("\n");
  if (fitted.size() >= 2) std::printf("term structure slope (ATM vol per year, first to last expiry): %.4f\n", slope);
  if (args.repair) {
    std::printf("repair: %zu slices butterfly-repaired, calendar lifts applied; after repair %s\n",
                repair.butterfly_repaired.size(), repair.arbitrage_free ? "arbitrage-free" : "STILL NOT arbitrage-free");
  }
  for (const auto& s : skipped) std::printf("skipped: %s\n", s.c_str());
  return 0;
}

}  // namespace

void register_surface_commands(CLI::App& app, int& exit_code) {
  CLI::App* surface = app.add_subcommand("surface", "Volatility surfaces");
  surface->require_subcommand(1);
  auto st = std::make_shared<SurfaceArgs>();
  CLI::App* fit = surface->add_subcommand("fit", "Fit SVI per expiry to a chain (store or CSV) and check arbitrage");
  add_db_option(fit, st->db);
  fit->add_option("--symbol", st->symbol, "Underlying whose chain to fit (from the store)");
  fit->add_option("--date", st->date, "Quote date (and valuation date)")->required();
  fit->add_option("--in", st->in, "CSV chain instead of the store: expiry,strike,right,bid,ask");
  fit->add_option("--model", st->model, "svi (one raw SVI slice per expiry, default) or ssvi (one SSVI surface)");
  fit->add_option("--weighting", st->weighting, "Fit weights: vega (default), spread (inverse bid/ask vol spread), equal");
  fit->add_option("--min-dte", st->min_dte, "Skip expiries closer than this many days (default 7)");
  fit->add_flag("--repair", st->repair, "Repair butterfly (JW) and calendar arbitrage and report what changed");
  fit->add_flag("--json", st->json_out, "Print JSON");
  fit->callback([&exit_code, st] { exit_code = run_surface_fit(*st); });
}

}  // namespace keel::apps
