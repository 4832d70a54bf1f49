#include "keel/apps/analytics_commands.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "keel/analytics/american.hpp"
#include "keel/analytics/black_scholes.hpp"
#include "keel/analytics/implied_vol.hpp"
#include "keel/apps/terminal.hpp"
#include "keel/data/csv_reader.hpp"

namespace keel::apps {
namespace {

using nlohmann::json;

enum class Model { kBsm, kBlack76, kBaw, kBjs, kLattice };

Result<Model> parse_model(const std::string& name) {
  if (name == "bsm") return Model::kBsm;
  if (name == "black76") return Model::kBlack76;
  if (name == "baw") return Model::kBaw;
  if (name == "bjs") return Model::kBjs;
  if (name == "lattice") return Model::kLattice;
  return make_error(ErrorCode::kInvalidArgument, "unknown model '" + name + "' (expected bsm, black76, baw, bjs or lattice)");
}

// One option's inputs, from flags or from a CSV row. `underlying` is the spot for BSM and the
// American models and the forward for Black-76.
struct OptionArgs {
  std::string right = "call";
  double underlying = 0, strike = 0, time = 0, vol = 0, rate = 0, dividend_yield = 0, price = 0;
  std::string expiry, date;  // alternative to time: ACT/365 from date to expiry
  int steps = 501;
};

Result<double> parse_number(std::string_view text, const std::string& field) {
  double v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) {
    return make_error(ErrorCode::kParse, field + " '" + std::string(text) + "' is not a finite number");
  }
  return v;
}

Status resolve_time(OptionArgs& a) {
  if (a.expiry.empty()) return ok_status();
  KEEL_TRY(expiry, Date::parse(a.expiry));
  if (a.date.empty()) return make_error(ErrorCode::kInvalidArgument, "--expiry needs --date (the valuation date)");
  KEEL_TRY(date, Date::parse(a.date));
  a.time = static_cast<double>(expiry - date) / 365.0;
  return ok_status();
}

struct PriceResult {
  analytics::Greeks greeks;
  bool full_greeks = true;  // false for the American approximations (price, and lattice delta/gamma)
};

Result<PriceResult> price_one(const OptionArgs& a, Model model) {
  KEEL_TRY(right, parse_option_right(a.right));
  PriceResult out;
  switch (model) {
    case Model::kBsm: {
      KEEL_TRY(g, analytics::bsm_greeks({right, a.underlying, a.strike, a.time, a.vol, a.rate, a.dividend_yield}));
      out.greeks = g;
      return out;
    }
    case Model::kBlack76: {
      KEEL_TRY(g, analytics::black76_greeks({right, a.underlying, a.strike, a.time, a.vol, a.rate}));
      out.greeks = g;
      return out;
    }
    case Model::kBaw:
    case Model::kBjs: {
      const analytics::AmericanInput in{right, a.underlying, a.strike, a.time, a.vol, a.rate, a.dividend_yield};
      KEEL_TRY(p, model == Model::kBaw ? analytics::baw_price(in) : analytics::bjerksund_stensland_price(in));
      out.greeks.price = p;
      out.full_greeks = false;
      return out;
    }
    case Model::kLattice: {
      const analytics::AmericanInput in{right, a.underlying, a.strike, a.time, a.vol, a.rate, a.dividend_yield};
      analytics::LatticeOptions opt;
      opt.steps = a.steps;
      KEEL_TRY(r, analytics::lattice_price(in, {}, opt));
      out.greeks.price = r.price;
      out.greeks.delta = r.delta;
      out.greeks.gamma = r.gamma;
      out.full_greeks = false;
      return out;
    }
  }
  return make_error(ErrorCode::kInternal, "unknown model");
}

Result<double> iv_one(const OptionArgs& a, Model model) {
  KEEL_TRY(right, parse_option_right(a.right));
  switch (model) {
    case Model::kBsm:
      return analytics::implied_vol_bsm({right, a.price, a.underlying, a.strike, a.time, a.rate, a.dividend_yield});
    case Model::kBlack76:
      return analytics::implied_vol_black({right, a.price, a.underlying, a.strike, a.time, a.rate});
    case Model::kBaw:
    case Model::kBjs:
    case Model::kLattice: {
      analytics::AmericanIvOptions opt;
      opt.model = model == Model::kBaw   ? analytics::AmericanModel::kBaroneAdesiWhaley
                  : model == Model::kBjs ? analytics::AmericanModel::kBjerksundStensland
                                         : analytics::AmericanModel::kLattice;
      opt.lattice.steps = a.steps;
      return analytics::american_implied_vol({right, a.underlying, a.strike, a.time, 0.0, a.rate, a.dividend_yield},
                                             a.price, {}, opt);
    }
  }
  return make_error(ErrorCode::kInternal, "unknown model");
}

const std::vector<std::string> kGreekNames = {"price", "delta", "gamma", "vega", "theta", "theta_per_day",
                                              "rho", "vanna", "volga", "charm", "prob_itm", "prob_touch"};

std::vector<double> greek_values(const analytics::Greeks& g) {
  return {g.price, g.delta, g.gamma, g.vega, g.theta, g.theta_per_day, g.rho, g.vanna, g.volga, g.charm, g.prob_itm, g.prob_touch};
}

// How many of kGreekNames a model computes: all for the European models, price/delta/gamma for
// the lattice, the price alone for the approximations.
std::size_t computed_outputs(const PriceResult& r, Model model) {
  if (r.full_greeks) return kGreekNames.size();
  return model == Model::kLattice ? 3 : 1;
}

std::string fmt(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// ---- CSV batch mode ---------------------------------------------------------------------------

struct BatchArgs {
  std::string in, out;
};

// Columns read from the input: right, strike, time (or expiry + date), rate, dividend_yield,
// spot or forward, vol (price) or price (iv). Missing optional columns take the flag values.
int run_batch(const BatchArgs& batch, const OptionArgs& defaults, Model model, bool iv_mode) {
  auto reader = data::CsvReader::open(batch.in);
  if (!reader) return user_error(reader.error().message);
  data::CsvRecord rec;
  auto first = reader->next(rec);
  if (!first) return user_error(first.error().message);
  if (!*first) return user_error(batch.in + ": empty file (expected a header row)");
  std::map<std::string, std::size_t> col;
  std::vector<std::string> header;
  for (std::size_t i = 0; i < rec.size(); ++i) {
    header.emplace_back(rec[i]);
    col[std::string(rec[i])] = i;
  }
  const std::string under_name = model == Model::kBlack76 ? "forward" : "spot";
  for (const std::string& need : {std::string("strike"), under_name, std::string(iv_mode ? "price" : "vol")}) {
    if (!col.count(need)) return user_error(batch.in + ": missing column '" + need + "'");
  }
  if (!col.count("time") && !(col.count("expiry") && col.count("date"))) {
    return user_error(batch.in + ": missing column 'time' (or 'expiry' and 'date')");
  }
  std::ofstream out(batch.out, std::ios::binary | std::ios::trunc);
  if (!out) return user_error("cannot write " + batch.out);
  std::string head;
  for (const auto& h : header) head += csv_escape(h) + ",";
  if (iv_mode) {
    head += "implied_vol,error\n";
  } else {
    for (const auto& g : kGreekNames) head += g + ",";
    head += "error\n";
  }
  out << head;
  std::int64_t rows = 0, failed = 0;
  for (;;) {
    auto more = reader->next(rec);
    if (!more) {
      if (more.error().code != ErrorCode::kParse) return user_error(more.error().message);
      std::fprintf(stderr, "%s\n", more.error().message.c_str());
      ++failed;
      continue;
    }
    if (!*more) break;
    ++rows;
    OptionArgs a = defaults;
    Status status = ok_status();
    auto field = [&](const std::string& name, double& target) {
      if (!status.ok() || !col.count(name)) return;
      auto v = parse_number(rec[col.at(name)], name);
      if (v) {
        target = *v;
      } else {
        status = v.error();
      }
    };
    if (col.count("right")) a.right = std::string(rec[col.at("right")]);
    field("strike", a.strike);
    field(under_name, a.underlying);
    field("time", a.time);
    field("vol", a.vol);
    field("price", a.price);
    field("rate", a.rate);
    field("dividend_yield", a.dividend_yield);
    if (status.ok() && !col.count("time")) {
      a.expiry = std::string(rec[col.at("expiry")]);
      a.date = std::string(rec[col.at("date")]);
      status = resolve_time(a);
    }
    std::string line;
    for (const auto& f : rec.fields) line += csv_escape(std::string(f)) + ",";
    std::string error;
    if (iv_mode) {
      Result<double> v = status.ok() ? iv_one(a, model) : Result<double>(status.error());
      if (v) {
        line += fmt(*v) + ",";
      } else {
        error = v.error().message;
        line += ",";
      }
    } else {
      Result<PriceResult> r = status.ok() ? price_one(a, model) : Result<PriceResult>(status.error());
      if (r) {
        const auto values = greek_values(r->greeks);
        const std::size_t computed = computed_outputs(*r, model);
        for (std::size_t i = 0; i < values.size(); ++i) line += i < computed ? fmt(values[i]) + "," : ",";
      } else {
        error = r.error().message;
        line += std::string(kGreekNames.size(), ',');
      }
    }
    if (!error.empty()) {
      ++failed;
      std::fprintf(stderr, "%s:%lld: %s\n", batch.in.c_str(), static_cast<long long>(rec.line), error.c_str());
    }
    out << line << csv_escape(error) << "\n";
  }
  out.close();
  if (!out) return user_error("failed writing " + batch.out);
  std::fprintf(stderr, "%lld rows, %lld failed; results in %s\n", static_cast<long long>(rows),
               static_cast<long long>(failed), batch.out.c_str());
  return failed == 0 ? 0 : 1;
}

void add_option_flags(CLI::App* cmd, OptionArgs& a, bool iv_mode) {
  cmd->add_option("--right", a.right, "call or put (default call)");
  cmd->add_option("--spot,--forward", a.underlying, "Spot price (bsm, American models) or forward (black76)");
  cmd->add_option("--strike", a.strike, "Strike");
  cmd->add_option("--time", a.time, "Years to expiry");
  cmd->add_option("--expiry", a.expiry, "Expiration date (with --date, instead of --time; ACT/365)");
  cmd->add_option("--date", a.date, "Valuation date (with --expiry)");
  if (iv_mode) {
    cmd->add_option("--price", a.price, "Option price");
  } else {
    cmd->add_option("--vol", a.vol, "Annualized volatility, e.g. 0.2");
  }
  cmd->add_option("--rate", a.rate, "Continuously compounded risk-free rate (default 0)");
  cmd->add_option("--div", a.dividend_yield, "Continuously compounded dividend yield (default 0)");
  cmd->add_option("--steps", a.steps, "Lattice steps (model lattice; default 501)");
}

int run_single(OptionArgs a, Model model, bool iv_mode, bool json_out) {
  if (auto s = resolve_time(a); !s.ok()) return user_error(s.error().message);
  if (iv_mode) {
    auto v = iv_one(a, model);
    if (!v) return user_error(v.error().message);
    if (json_out) std::printf("%s\n", json{{"implied_vol", *v}}.dump(2).c_str());
    else std::printf("implied_vol  %.10g\n", *v);
    return 0;
  }
  auto r = price_one(a, model);
  if (!r) return user_error(r.error().message);
  const auto values = greek_values(r->greeks);
  const std::size_t shown = computed_outputs(*r, model);
  if (json_out) {
    json out;
    for (std::size_t i = 0; i < shown; ++i) out[kGreekNames[i]] = values[i];
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    for (std::size_t i = 0; i < shown; ++i) std::printf("%-14s %.10g\n", kGreekNames[i].c_str(), values[i]);
  }
  return 0;
}

}  // namespace

void register_analytics_commands(CLI::App& app, int& exit_code) {
  for (const bool iv_mode : {false, true}) {
    struct State {
      OptionArgs args;
      BatchArgs batch;
      std::string model_name = "bsm";
      bool json_out = false;
    };
    auto st = std::make_shared<State>();  // owned by the callback, so as long as the App
    CLI::App* cmd = iv_mode ? app.add_subcommand("iv", "Implied volatility of one option (flags) or of a CSV of options")
                            : app.add_subcommand("price", "Price and Greeks of one option (flags) or of a CSV of options");
    add_option_flags(cmd, st->args, iv_mode);
    cmd->add_option("--model", st->model_name,
                    "bsm (default; European, continuous yield), black76 (on a forward), baw, bjs or lattice (American)");
    cmd->add_option("--in", st->batch.in,
                    std::string("CSV with a header: strike, spot (or forward), time (or expiry and date), ") +
                        (iv_mode ? "price" : "vol") + "; optional right, rate, dividend_yield");
    cmd->add_option("--out", st->batch.out, "Result CSV (with --in)");
    cmd->add_flag("--json", st->json_out, "Print JSON (single option)");
    cmd->callback([&exit_code, st, iv_mode] {
      auto model = parse_model(st->model_name);
      if (!model) {
        exit_code = user_error(model.error().message);
        return;
      }
      if (!st->batch.in.empty()) {
        if (st->batch.out.empty()) {
          exit_code = user_error("--in needs --out");
          return;
        }
        exit_code = run_batch(st->batch, st->args, *model, iv_mode);
        return;
      }
      exit_code = run_single(st->args, *model, iv_mode, st->json_out);
    });
  }
}

}  // namespace keel::apps
