// The tear sheet: one HTML file with inline CSS and inline SVG charts drawn here, so that it
// opens anywhere without a network or a script. Layout and section ids: docs/REPORTS.md.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "keel/backtest/report.hpp"
#include "keel/execution/order.hpp"
#include "keel/model/instrument.hpp"

namespace keel::backtest {
namespace {

// ---------------------------------------------------------------------------------------------
// Number display (locale-free; see report.hpp).

std::string with_thousands(const std::string& s) {
  // s is "[-]digits[.digits]"; commas go into the integer digits only.
  const std::size_t sign = !s.empty() && s[0] == '-' ? 1 : 0;
  const std::size_t dot = s.find('.');
  const std::size_t int_end = dot == std::string::npos ? s.size() : dot;
  std::string out = s.substr(0, sign);
  const std::size_t digits = int_end - sign;
  for (std::size_t i = 0; i < digits; ++i) {
    if (i > 0 && (digits - i) % 3 == 0) out += ',';
    out += s[sign + i];
  }
  out += s.substr(int_end);
  return out;
}

std::string money_cell(Money m) { return with_thousands(m.rounded(2).to_string()); }
std::string pct(const std::optional<double>& v, int decimals = 2) {
  return v ? fixed_text(*v * 100.0, decimals) + "%" : "n/a";
}
std::string ratio(const std::optional<double>& v) { return v ? fixed_text(*v, 2) : "n/a"; }
std::string num(double v) { return fixed_text(v, 1); }  // SVG coordinates

// ---------------------------------------------------------------------------------------------
// Charts.

constexpr double kWidth = 960.0;
constexpr double kLeft = 80.0, kRight = 16.0, kTop = 30.0, kBottom = 28.0;

enum class Unit { kMoney, kPercent, kCount };

// "Nice numbers for graph labels", P. Heckbert, Graphics Gems (1990): steps of 1, 2 or 5 x 10^k.
double nice_number(double x, bool round) {
  const double e = std::floor(std::log10(x));
  const double f = x / std::pow(10.0, e);
  double nf;
  if (round) {
    nf = f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0;
  } else {
    nf = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 5.0 ? 5.0 : 10.0;
  }
  return nf * std::pow(10.0, e);
}

struct Ticks {
  double lo = 0.0, hi = 1.0, step = 1.0;
  std::vector<double> values;
};

Ticks nice_ticks(double lo, double hi, double min_step) {
  if (!(hi > lo)) {
    const double pad = lo == 0.0 ? 1.0 : std::fabs(lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  Ticks t;
  const double range = nice_number(hi - lo, false);
  t.step = std::max(nice_number(range / 4.0, true), min_step);
  t.lo = std::floor(lo / t.step) * t.step;
  t.hi = std::ceil(hi / t.step) * t.step;
  const int count = static_cast<int>(std::lround((t.hi - t.lo) / t.step));
  for (int i = 0; i <= count; ++i) t.values.push_back(t.lo + t.step * i);
  return t;
}

int decimals_for(double step) {
  if (step >= 1.0) return 0;
  return std::min(6, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
}

std::string axis_label(double v, const Ticks& t, Unit unit) {
  if (v == 0.0) return unit == Unit::kPercent ? "0%" : "0";
  switch (unit) {
    case Unit::kPercent:
      return fixed_text(v * 100.0, decimals_for(t.step * 100.0)) + "%";
    case Unit::kCount:
      return fixed_text(v, decimals_for(t.step));
    case Unit::kMoney: {
      const double big = std::max(std::fabs(t.lo), std::fabs(t.hi));
      double div = 1.0;
      const char* suffix = "";
      if (big >= 1e9) {
        div = 1e9;
        suffix = "B";
      } else if (big >= 1e6) {
        div = 1e6;
        suffix = "M";
      } else if (big >= 1e4) {
        div = 1e3;
        suffix = "k";
      }
      return with_thousands(fixed_text(v / div, decimals_for(t.step / div))) + suffix;
    }
  }
  return fixed_text(v, 2);
}

struct XAxis {
  Date first, last;
  double left = kLeft;
  double x(Date d) const {
    const double plot_w = kWidth - left - kRight;
    const int span = last - first;
    if (span <= 0) return left + plot_w / 2.0;
    return left + plot_w * static_cast<double>(d - first) / static_cast<double>(span);
  }
};

struct XTick {
  Date date;
  std::string label;
};

// Ticks on the first days of months (every k months, k from 1, 2, 3, 6 or whole years), or on
// days for short runs; at most about ten.
std::vector<XTick> date_ticks(Date first, Date last) {
  std::vector<XTick> out;
  const int span = last - first;
  std::vector<Date> month_starts;
  int y = first.year(), mo = first.month();
  for (;;) {
    const Date d = Date::ymd(y, mo, 1);
    if (d > last) break;
    if (d >= first) month_starts.push_back(d);
    if (++mo > 12) {
      mo = 1;
      ++y;
    }
  }
  if (month_starts.size() >= 3) {
    for (int k : {1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200}) {
      out.clear();
      for (Date d : month_starts) {
        const bool pick = k < 12 ? (d.month() - 1) % k == 0 : d.month() == 1 && d.year() % (k / 12) == 0;
        if (pick) out.push_back({d, k < 12 ? d.to_string().substr(0, 7) : d.to_string().substr(0, 4)});
      }
      if (out.size() <= 10) break;
    }
    if (!out.empty()) return out;
  }
  int step = 1;
  for (int s : {1, 2, 5, 7, 14, 30}) {
    step = s;
    if (span / s <= 8) break;
  }
  for (int k = 0; k <= span; k += step) out.push_back({first + k, (first + k).to_string()});
  return out;
}

std::string x_axis_svg(const XAxis& ax, double y_base, double y_top) {
  std::string out = "<g class=\"xaxis\" font-size=\"11\" fill=\"#555\">";
  for (const XTick& t : date_ticks(ax.first, ax.last)) {
    const std::string x = num(ax.x(t.date));
    out += "<line x1=\"" + x + "\" y1=\"" + num(y_top) + "\" x2=\"" + x + "\" y2=\"" + num(y_base) +
           "\" stroke=\"#eee\"/>";
    out += "<text x=\"" + x + "\" y=\"" + num(y_base + 16.0) + "\" text-anchor=\"middle\">" + html_escape(t.label) +
           "</text>";
  }
  out += "</g>";
  return out;
}

struct Series {
  std::string name;
  std::string color;
  std::vector<std::optional<double>> y;
  bool step = false;
};

std::vector<std::optional<double>> wrap(const std::vector<double>& v) {
  return std::vector<std::optional<double>>(v.begin(), v.end());
}

std::string legend_svg(const std::vector<Series>& series) {
  std::string out = "<g class=\"legend\" font-size=\"12\" fill=\"#333\">";
  double x = kLeft;
  for (const Series& s : series) {
    out += "<rect x=\"" + num(x) + "\" y=\"9\" width=\"14\" height=\"4\" fill=\"" + s.color + "\"/>";
    out += "<text x=\"" + num(x + 18.0) + "\" y=\"15\">" + html_escape(s.name) + "</text>";
    x += 30.0 + 7.0 * static_cast<double>(s.name.size());
  }
  out += "</g>";
  return out;
}

// A line chart of `series` over `dates`, with the y axis from nice ticks around the data (and
// 0 when `with_zero`). Missing points break the line.
std::string line_chart(const std::string& title, const std::vector<Date>& dates, const std::vector<Series>& series,
                       Unit unit, bool with_zero, double height = 260.0) {
  if (dates.empty()) return "<p class=\"empty\">No data.</p>";
  double lo = with_zero ? 0.0 : INFINITY, hi = with_zero ? 0.0 : -INFINITY;
  for (const Series& s : series) {
    for (const auto& v : s.y) {
      if (!v) continue;
      lo = std::min(lo, *v);
      hi = std::max(hi, *v);
    }
  }
  if (!std::isfinite(lo)) lo = hi = 0.0;
  const Ticks t = nice_ticks(lo, hi, unit == Unit::kCount ? 1.0 : 0.0);
  const double y_top = kTop, y_base = height - kBottom;
  auto y_of = [&](double v) { return y_base - (y_base - y_top) * (v - t.lo) / (t.hi - t.lo); };
  const XAxis ax{dates.front(), dates.back()};

  std::string out = "<svg class=\"chart\" viewBox=\"0 0 " + num(kWidth) + " " + num(height) +
                    "\" width=\"100%\" role=\"img\" aria-label=\"" + html_escape(title) + "\"><title>" +
                    html_escape(title) + "</title>";
  out += "<g class=\"yaxis\" font-size=\"11\" fill=\"#555\">";
  for (double v : t.values) {
    const std::string y = num(y_of(v));
    const bool zero = std::fabs(v) < t.step * 1e-9;
    out += "<line x1=\"" + num(kLeft) + "\" y1=\"" + y + "\" x2=\"" + num(kWidth - kRight) + "\" y2=\"" + y +
           "\" stroke=\"" + (zero ? "#999" : "#e5e5e5") + "\"/>";
    out += "<text x=\"" + num(kLeft - 6.0) + "\" y=\"" + num(y_of(v) + 4.0) + "\" text-anchor=\"end\">" +
           axis_label(zero ? 0.0 : v, t, unit) + "</text>";
  }
  out += "</g>";
  out += x_axis_svg(ax, y_base, y_top);
  for (const Series& s : series) {
    std::string d;
    bool pen = false;
    std::string prev_y;
    for (std::size_t k = 0; k < s.y.size() && k < dates.size(); ++k) {
      if (!s.y[k]) {
        pen = false;
        continue;
      }
      const std::string x = num(ax.x(dates[k])), y = num(y_of(*s.y[k]));
      if (!pen) {
        d += "M" + x + " " + y;
      } else if (s.step) {
        d += "H" + x + "V" + y;
      } else {
        d += "L" + x + " " + y;
      }
      pen = true;
    }
    if (d.empty()) continue;
    out += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + s.color +
           "\" stroke-width=\"1.5\" stroke-linejoin=\"round\"><title>" + html_escape(s.name) + "</title></path>";
  }
  out += legend_svg(series);
  out += "</svg>";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Monthly heatmap colours: white at 0, green for gains and red for losses, full colour at the
// largest absolute monthly return of the run (a calm strategy's months would all look white on
// a fixed scale); the cell shows the value itself.

std::string heat_colour(double r, double saturation) {
  const double t = std::min(std::fabs(r) / saturation, 1.0);
  const int to_r = r >= 0.0 ? 26 : 215, to_g = r >= 0.0 ? 152 : 48, to_b = r >= 0.0 ? 80 : 39;
  auto mix = [t](int to) { return static_cast<int>(std::lround(255.0 + (to - 255.0) * t)); };
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", mix(to_r), mix(to_g), mix(to_b));
  return buf;
}

const char* const kMonthNames[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string heatmap(const CurveSeries& s) {
  if (s.monthly.empty()) return "<p class=\"empty\">No data.</p>";
  std::string out = "<table class=\"heatmap\"><thead><tr><th>Year</th>";
  for (const char* m : kMonthNames) out += std::string("<th>") + m + "</th>";
  out += "<th>Year</th></tr></thead><tbody>";
  double month_max = 0.0, year_max = 0.0;
  for (const MonthlyReturn& mr : s.monthly) month_max = std::max(month_max, mr.value ? std::fabs(*mr.value) : 0.0);
  for (const YearlyReturn& yr : s.yearly) year_max = std::max(year_max, yr.value ? std::fabs(*yr.value) : 0.0);
  const double month_sat = month_max > 0.0 ? month_max : 1.0, year_sat = year_max > 0.0 ? year_max : 1.0;
  std::size_t mi = 0;
  for (const YearlyReturn& yr : s.yearly) {
    out += "<tr><th>" + std::to_string(yr.year) + "</th>";
    for (int month = 1; month <= 12; ++month) {
      if (mi < s.monthly.size() && s.monthly[mi].year == yr.year && s.monthly[mi].month == month) {
        const MonthlyReturn& mr = s.monthly[mi++];
        const std::string label = std::to_string(yr.year) + " " + kMonthNames[month - 1] + ": " + pct(mr.value);
        if (mr.value) {
          out += "<td style=\"background:" + heat_colour(*mr.value, month_sat) + "\" title=\"" + label + "\">" +
                 pct(mr.value, 1) + "</td>";
        } else {
          out += "<td title=\"" + label + "\">n/a</td>";
        }
      } else {
        out += "<td class=\"nodata\"></td>";
      }
    }
    out += "<td class=\"year\"" +
           (yr.value ? " style=\"background:" + heat_colour(*yr.value, year_sat) + "\"" : std::string()) + ">" +
           pct(yr.value, 1) + "</td></tr>";
  }
  out += "</tbody></table>";
  out += "<p class=\"note\">Each month: its last equity over the previous month's last (the starting capital for the "
         "first month), minus 1. Full colour at the largest move: " +
         pct(month_max) + " a month, " + pct(year_max) + " a year.</p>";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle timeline: one lane per event kind, a marker per event, its details in <title>.

const char* kind_colour(const std::string& kind) {
  if (kind == "assigned") return "#d73027";
  if (kind == "early_assigned") return "#fc8d59";
  if (kind == "called_away") return "#4575b4";
  if (kind == "exercised") return "#91bfdb";
  if (kind == "expired_worthless") return "#1a9850";
  if (kind == "cash_settled") return "#984ea3";
  if (kind == "pin_risk") return "#999999";
  return "#555555";
}

std::string timeline(const RunRecord& run) {
  if (run.lifecycle.empty() || run.days.empty()) return "<p class=\"empty\">No expiries, exercises or assignments.</p>";
  // Known kinds in a fixed order, then any others alphabetically (deterministic).
  std::vector<std::string> lanes;
  for (const char* k : {"assigned", "early_assigned", "called_away", "exercised", "expired_worthless", "cash_settled",
                        "pin_risk"}) {
    for (const LifecycleRecord& r : run.lifecycle) {
      if (r.kind == k) {
        lanes.emplace_back(k);
        break;
      }
    }
  }
  std::vector<std::string> other;
  for (const LifecycleRecord& r : run.lifecycle) {
    if (std::string(kind_colour(r.kind)) == "#555555" &&
        std::find(other.begin(), other.end(), r.kind) == other.end()) {
      other.push_back(r.kind);
    }
  }
  std::sort(other.begin(), other.end());
  lanes.insert(lanes.end(), other.begin(), other.end());

  const double lane_h = 26.0;
  const double y_top = 12.0;
  const double height = y_top + lane_h * static_cast<double>(lanes.size()) + kBottom;
  const double y_base = height - kBottom;
  Date first = run.days.front().date, last = run.days.back().date;
  for (const LifecycleRecord& r : run.lifecycle) {
    first = std::min(first, r.date);
    last = std::max(last, r.date);
  }
  const double left = 130.0;  // room for the longest kind, "expired_worthless"
  const XAxis ax{first, last, left};
  std::string out = "<svg class=\"chart timeline\" viewBox=\"0 0 " + num(kWidth) + " " + num(height) +
                    "\" width=\"100%\" role=\"img\" aria-label=\"Lifecycle events over time\">"
                    "<title>Lifecycle events over time</title>";
  out += x_axis_svg(ax, y_base, y_top);
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const double y = y_top + lane_h * (static_cast<double>(i) + 0.5);
    out += "<line x1=\"" + num(left) + "\" y1=\"" + num(y) + "\" x2=\"" + num(kWidth - kRight) + "\" y2=\"" + num(y) +
           "\" stroke=\"#ddd\"/>";
    out += "<text x=\"" + num(left - 6.0) + "\" y=\"" + num(y + 4.0) +
           "\" text-anchor=\"end\" font-size=\"11\" fill=\"#333\">" + html_escape(lanes[i]) + "</text>";
  }
  for (const LifecycleRecord& r : run.lifecycle) {
    const std::size_t lane = static_cast<std::size_t>(std::find(lanes.begin(), lanes.end(), r.kind) - lanes.begin());
    const double y = y_top + lane_h * (static_cast<double>(lane) + 0.5);
    const std::string tip = r.date.to_string() + " " + r.kind + ": " + r.contracts.to_string() + " x " + r.symbol +
                            " (strike " + r.strike.to_string() + ", " + r.underlying + " at " +
                            r.underlying_price.to_string() + ") " + r.rule;
    out += "<circle cx=\"" + num(ax.x(r.date)) + "\" cy=\"" + num(y) + "\" r=\"5\" fill=\"" + kind_colour(r.kind) +
           "\" fill-opacity=\"0.8\" stroke=\"#333\" stroke-width=\"0.5\"><title>" + html_escape(tip) +
           "</title></circle>";
  }
  out += "</svg>";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tables.

std::string td(const std::string& escaped, const char* cls = nullptr) {
  return cls != nullptr ? std::string("<td class=\"") + cls + "\">" + escaped + "</td>" : "<td>" + escaped + "</td>";
}
std::string num_td(const std::string& text) { return td(text, "num"); }
std::string signed_td(Money m) {
  return td(money_cell(m), m.is_negative() ? "num neg" : "num");
}

std::string bookings_table(const RunRecord& run) {
  if (run.bookings.empty()) return "<p class=\"empty\">No bookings.</p>";
  std::string out =
      "<div class=\"scroll\"><table class=\"list\"><thead><tr><th>date</th><th>kind</th><th>symbol</th><th>side</th>"
      "<th>qty</th><th>price</th><th>commission</th><th>fees</th><th>cash change</th><th>realized P&amp;L</th>"
      "<th>reason</th></tr></thead><tbody>";
  for (const portfolio::Booking& b : run.bookings) {
    out += "<tr>";
    out += "<td title=\"" + html_escape(b.ts.to_string()) + "\">" + b.ts.utc_date().to_string() + "</td>";
    out += td(html_escape(portfolio::to_string(b.kind)));
    out += td(html_escape(b.instrument->symbol), "sym");
    out += td(html_escape(execution::to_string(b.side)));
    out += num_td(html_escape(b.quantity.to_string()));
    out += num_td(html_escape(b.price.to_string()));
    out += num_td(money_cell(b.commission));
    out += num_td(money_cell(b.regulatory_fees));
    out += signed_td(b.cash_change);
    out += signed_td(b.realized_pnl);
    out += td(html_escape(b.reason));
    out += "</tr>";
  }
  out += "</tbody></table></div>";
  return out;
}

std::string closed_trades_table(const RunRecord& run) {
  if (run.closed_trades.empty()) return "<p class=\"empty\">No closed trades.</p>";
  std::string out =
      "<div class=\"scroll\"><table class=\"list\"><thead><tr><th>symbol</th><th>opened</th><th>closed</th>"
      "<th>max qty</th><th>P&amp;L</th><th>closed by</th></tr></thead><tbody>";
  for (const portfolio::ClosedTrade& t : run.closed_trades) {
    out += "<tr>";
    out += td(html_escape(t.instrument->symbol), "sym");
    out += "<td title=\"" + html_escape(t.opened.to_string()) + "\">" + t.opened.utc_date().to_string() + "</td>";
    out += "<td title=\"" + html_escape(t.closed.to_string()) + "\">" + t.closed.utc_date().to_string() + "</td>";
    out += num_td(html_escape(t.max_quantity.to_string()));
    out += signed_td(t.pnl);
    out += td(html_escape(portfolio::to_string(t.closed_by)));
    out += "</tr>";
  }
  out += "</tbody></table></div>";
  return out;
}

// P&L by instrument kind per underlying: the options' P&L apart from the stock's (a hedge, shares
// held for covered calls or left by an assignment), each realized before fees, fees, unrealized.
std::string attribution_table(const RunRecord& run) {
  std::string out =
      "<table class=\"list\"><thead><tr><th>underlying</th><th>kind</th><th>realized (before fees)</th>"
      "<th>fees</th><th>unrealized</th><th>total</th></tr></thead><tbody>\n";
  Money total = Money::zero(2);
  for (const PnlAttribution& p : run.attribution) {
    out += "<tr>" + td(html_escape(p.underlying)) + td(html_escape(p.kind)) + signed_td(p.realized) +
           signed_td(Money::zero(2) - p.fees) + signed_td(p.unrealized) + signed_td(p.total()) +
           "</tr>\n";
    total += p.total();
  }
  out += "<tr><th colspan=\"5\">net P&amp;L</th>" + signed_td(total) + "</tr>\n</tbody></table>\n";
  return out;
}

// Sleeves of a multi-strategy run (empty otherwise), each from its own ledger.
std::string sleeves_table(const RunRecord& run) {
  std::string out =
      "<table class=\"list\"><thead><tr><th>sleeve</th><th>underlyings</th><th>weight</th><th>start</th>"
      "<th>equity</th><th>net P&amp;L</th><th>interest</th><th>fees</th></tr></thead><tbody>\n";
  for (const SleeveRecord& s : run.sleeves) {
    std::string names;
    for (const std::string& u : s.underlyings) names += (names.empty() ? "" : " ") + u;
    out += "<tr>" + td(html_escape(s.name)) + td(html_escape(names)) + num_td(fixed_text(s.weight * 100.0, 1) + "%") +
           num_td(html_escape(s.starting_cash.rounded(2).to_string())) +
           num_td(html_escape(s.final_equity.rounded(2).to_string())) + signed_td(s.final_equity - s.starting_cash) +
           signed_td(s.interest) + signed_td(Money::zero(2) - s.fees) + "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string lifecycle_table(const RunRecord& run) {
  if (run.lifecycle.empty()) return "";
  std::string out =
      "<details><summary>All " + std::to_string(run.lifecycle.size()) +
      " events</summary><div class=\"scroll\"><table class=\"list\"><thead><tr><th>date</th><th>kind</th>"
      "<th>symbol</th><th>contracts</th><th>strike</th><th>underlying</th><th>underlying price</th><th>rule</th>"
      "</tr></thead><tbody>";
  for (const LifecycleRecord& r : run.lifecycle) {
    out += "<tr>" + td(r.date.to_string()) + td(html_escape(r.kind)) + td(html_escape(r.symbol), "sym") +
           num_td(html_escape(r.contracts.to_string())) + num_td(html_escape(r.strike.to_string())) +
           td(html_escape(r.underlying)) + num_td(html_escape(r.underlying_price.to_string())) +
           td(html_escape(r.rule)) + "</tr>";
  }
  out += "</tbody></table></div></details>";
  return out;
}

std::string metric_row(const std::string& name, const std::string& s, const std::string& b, bool has_bench) {
  std::string out = "<tr><th>" + name + "</th>" + num_td(s);
  if (has_bench) out += num_td(b);
  return out + "</tr>";
}

std::string date_text(const std::optional<Date>& d, const char* none) { return d ? d->to_string() : none; }

std::string metrics_section(const RunRecord& run, const Metrics& m) {
  const bool hb = m.benchmark.has_value();
  const ReturnRisk none;
  const ReturnRisk& b = hb ? *m.benchmark : none;
  const ReturnRisk& s = m.strategy;
  std::string out = "<div class=\"cols\"><table class=\"metrics\"><thead><tr><th></th><th>strategy</th>";
  if (hb) out += "<th>benchmark " + html_escape(run.benchmark) + "</th>";
  out += "</tr></thead><tbody>";
  out += metric_row("Final value", money_cell(s.final_value), money_cell(b.final_value), hb);
  out += metric_row("Total return", pct(s.total_return), pct(b.total_return), hb);
  out += metric_row("CAGR", pct(s.cagr), pct(b.cagr), hb);
  out += metric_row("Volatility (annual)", pct(s.volatility), pct(b.volatility), hb);
  out += metric_row("Sharpe (rf " + fixed_text(m.risk_free_rate * 100.0, 2) + "%)", ratio(s.sharpe), ratio(b.sharpe),
                    hb);
  out += metric_row("Sortino", ratio(s.sortino), ratio(b.sortino), hb);
  out += metric_row("Calmar", ratio(s.calmar), ratio(b.calmar), hb);
  out += metric_row("Max drawdown", fixed_text(-s.max_drawdown.depth * 100.0, 2) + "%",
                    fixed_text(-b.max_drawdown.depth * 100.0, 2) + "%", hb);
  out += metric_row("Drawdown peak", date_text(s.max_drawdown.peak, "-"), date_text(b.max_drawdown.peak, "-"), hb);
  out += metric_row("Drawdown trough", date_text(s.max_drawdown.trough, "-"), date_text(b.max_drawdown.trough, "-"),
                    hb);
  const char* s_rec = s.max_drawdown.depth > 0.0 ? "not recovered" : "-";
  const char* b_rec = b.max_drawdown.depth > 0.0 ? "not recovered" : "-";
  out += metric_row("Recovered", date_text(s.max_drawdown.recovery, s_rec), date_text(b.max_drawdown.recovery, b_rec),
                    hb);
  out += metric_row("Drawdown length (days)", std::to_string(s.max_drawdown.duration_days),
                    std::to_string(b.max_drawdown.duration_days), hb);
  out += "</tbody></table>";

  out += "<table class=\"metrics\"><thead><tr><th>Trading</th><th></th></tr></thead><tbody>";
  auto row = [&out](const std::string& name, const std::string& v) {
    out += "<tr><th>" + name + "</th>" + num_td(v) + "</tr>";
  };
  row("Net P&amp;L", money_cell(m.net_pnl));
  row("Closed trades", std::to_string(m.closed_trades));
  row("Won / lost", std::to_string(m.winning_trades) + " / " + std::to_string(m.losing_trades));
  row("Win rate", pct(m.win_rate, 1));
  row("Profit factor", ratio(m.profit_factor));
  row("Average trade", m.average_trade ? money_cell(*m.average_trade) : "n/a");
  row("Gross wins / losses", money_cell(m.gross_wins) + " / " + money_cell(m.gross_losses));
  row("Turnover (per year)", m.turnover ? fixed_text(*m.turnover, 2) + "&#215;" : "n/a");
  row("Average exposure", pct(m.average_exposure, 1));
  row("Time in market", pct(m.time_in_market, 1));
  row("Premium collected", money_cell(m.premium_collected));
  row("Fees paid", money_cell(m.fees_paid));
  row("Traded notional", money_cell(m.traded_notional));
  row("Assignments", std::to_string(m.assignments));
  row("Called away", std::to_string(m.called_away));
  out += "</tbody></table></div>";
  if (!m.notes.empty()) {
    out += "<ul class=\"notes\">";
    for (const std::string& n : m.notes) out += "<li>" + html_escape(n) + "</li>";
    out += "</ul>";
  }
  return out;
}

constexpr const char* kCss = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0 auto;max-width:1000px;padding:16px 20px 40px;color:#222;background:#fff;font-size:14px}
h1{font-size:22px;margin:4px 0 8px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
nav{font-size:12px;margin:6px 0 10px}nav a{margin-right:10px;color:#1f5fa8;text-decoration:none}
table{border-collapse:collapse}th,td{padding:3px 8px;text-align:left;vertical-align:top}
table.kv th{color:#555;font-weight:normal;padding-left:0}
.cols{display:flex;flex-wrap:wrap;gap:28px;align-items:flex-start}
table.metrics th{font-weight:normal;color:#444}table.metrics thead th{font-weight:bold;color:#222;border-bottom:1px solid #ccc}
table.metrics td{border-bottom:1px solid #f0f0f0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.neg{color:#b2182b}td.sym{white-space:pre;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
table.list{font-size:12px;width:100%}table.list thead th{position:sticky;top:0;background:#f7f7f7;border-bottom:1px solid #ccc}
table.list tbody tr:nth-child(even){background:#fafafa}
.scroll{max-height:480px;overflow:auto;border:1px solid #eee}
table.heatmap{font-size:12px}table.heatmap td{text-align:right;min-width:44px;border:1px solid #fff;font-variant-numeric:tabular-nums}
table.heatmap td.nodata{background:#fafafa}table.heatmap td.year{font-weight:bold}
svg.chart{display:block;margin:4px 0 12px;background:#fff}
.note,.empty{color:#666;font-size:12px}ul.notes{color:#666;font-size:12px}
pre{background:#f7f7f7;border:1px solid #eee;padding:8px;overflow:auto;font-size:12px;max-height:480px}
)";

}  // namespace

Result<std::string> tear_sheet_html(const RunRecord& run, const Metrics& m) {
  if (m.sessions != static_cast<int>(run.days.size()) || m.strategy_series.drawdown.size() != run.days.size() ||
      m.strategy_series.returns.size() != run.days.size() ||
      (m.benchmark_series && m.benchmark_series->drawdown.size() != run.days.size())) {
    return make_error(ErrorCode::kInvalidArgument, "tear sheet: the metrics were computed for another run (" +
                                                       std::to_string(m.sessions) + " sessions, the run has " +
                                                       std::to_string(run.days.size()) + ")");
  }
  std::vector<Date> dates;
  dates.reserve(run.days.size());
  for (std::size_t k = 0; k < run.days.size(); ++k) {
    const DailyRecord& d = run.days[k];
    for (double v : {d.delta_dollars, d.gamma_dollars, d.vega_dollars, d.theta_dollars}) {
      if (!std::isfinite(v)) {
        return make_error(ErrorCode::kInvalidArgument, "tear sheet: days[" + std::to_string(k) + "] " +
                                                           d.date.to_string() + ": a dollar Greek is not finite");
      }
    }
    dates.push_back(d.date);
  }
  auto column = [&run](auto field) {
    std::vector<std::optional<double>> out;
    out.reserve(run.days.size());
    for (const DailyRecord& d : run.days) out.emplace_back(field(d));
    return out;
  };
  const std::string first = run.days.empty() ? "-" : run.days.front().date.to_string();
  const std::string last = run.days.empty() ? "-" : run.days.back().date.to_string();
  const std::string strategy = html_escape(run.strategy);

  std::string h;
  h.reserve(1 << 16);
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>keel backtest: " + strategy + " " + first + " .. " + last + "</title>\n";
  h += "<style>" + std::string(kCss) + "</style>\n</head>\n<body>\n";

  // Header.
  h += "<header id=\"header\">\n<h1>keel backtest: " + strategy + "</h1>\n";
  h += "<nav><a href=\"#metrics\">metrics</a><a href=\"#equity\">equity</a><a href=\"#drawdown\">drawdown</a>"
       "<a href=\"#monthly-returns\">monthly returns</a><a href=\"#premium\">premium</a>"
       "<a href=\"#lifecycle\">lifecycle</a><a href=\"#exposure\">exposure</a><a href=\"#trades\">trades</a>"
       "<a href=\"#closed-trades\">closed trades</a><a href=\"#warnings\">data warnings</a>"
       "<a href=\"#config\">config</a><a href=\"#log\">log</a></nav>\n";
  h += "<table class=\"kv\"><tbody>";
  auto kv = [&h](const std::string& k, const std::string& escaped_v) {
    h += "<tr><th>" + k + "</th><td>" + escaped_v + "</td></tr>";
  };
  kv("Strategy", strategy);
  kv("Config", html_escape(run.config_path));
  kv("Period", first + " .. " + last + " (" + std::to_string(m.sessions) + " sessions, " + fixed_text(m.years, 2) +
                   " years; requested " + run.start.to_string() + " .. " + run.end.to_string() + ")");
  kv("Starting capital", money_cell(run.starting_capital));
  kv("Final equity", money_cell(m.strategy.final_value));
  kv("Fill model", html_escape(run.fill_model));
  kv("Fees", html_escape(run.fee_schedule));
  kv("Account", html_escape(run.account_type));
  kv("Benchmark", run.benchmark.empty() ? "none" : html_escape(run.benchmark) + " (buy and hold)");
  kv("Seed", std::to_string(run.seed));
  h += "</tbody></table>\n</header>\n";

  h += "<section id=\"metrics\">\n<h2>Key metrics</h2>\n" + metrics_section(run, m) + "\n</section>\n";

  // Equity against the benchmark.
  std::vector<Series> eq{{"equity", "#1f77b4", column([](const DailyRecord& d) { return d.equity.to_double(); })}};
  if (m.benchmark) {
    eq.push_back({"benchmark " + run.benchmark, "#8c8c8c",
                  column([](const DailyRecord& d) { return d.benchmark_equity.to_double(); })});
  }
  h += "<section id=\"equity\">\n<h2>Equity against the benchmark</h2>\n" +
       line_chart("Equity and benchmark", dates, eq, Unit::kMoney, false) + "\n</section>\n";

  // Drawdown.
  std::vector<Series> dd{{"strategy drawdown", "#d62728", wrap(m.strategy_series.drawdown)}};
  if (m.benchmark_series) dd.push_back({"benchmark drawdown", "#8c8c8c", wrap(m.benchmark_series->drawdown)});
  h += "<section id=\"drawdown\">\n<h2>Drawdown</h2>\n" + line_chart("Drawdown from the running peak", dates, dd,
                                                                     Unit::kPercent, true, 220.0) +
       "\n</section>\n";

  h += "<section id=\"monthly-returns\">\n<h2>Monthly returns</h2>\n" + heatmap(m.strategy_series) + "\n</section>\n";

  // Premium collected and fees (cumulative).
  std::vector<Series> prem{
      {"premium collected", "#2ca02c", column([](const DailyRecord& d) { return d.premium_collected.to_double(); })},
      {"fees paid", "#d62728", column([](const DailyRecord& d) { return d.fees_paid.to_double(); })}};
  h += "<section id=\"premium\">\n<h2>Premium collected</h2>\n" +
       line_chart("Cumulative premium collected and fees", dates, prem, Unit::kMoney, true, 220.0) +
       "<p class=\"note\">Cumulative gross credits from selling options, and cumulative commissions and fees.</p>"
       "\n</section>\n";

  h += "<section id=\"attribution\">\n<h2>P&amp;L by instrument</h2>\n" + attribution_table(run) + "</section>\n";
  if (!run.sleeves.empty()) {
    h += "<section id=\"sleeves\">\n<h2>Sleeves</h2>\n<p>Each strategy's own ledger: its share of the capital, its "
         "fills, fees and interest.</p>\n" + sleeves_table(run) + "</section>\n";
  }
  h += "<section id=\"lifecycle\">\n<h2>Assignments, called-away events and expiries</h2>\n" + timeline(run) +
       lifecycle_table(run) + "\n</section>\n";

  // Positions and Greeks.
  std::vector<Series> ex{
      {"gross exposure", "#1f77b4", column([](const DailyRecord& d) { return d.gross_exposure.to_double(); })},
      {"delta dollars", "#ff7f0e", column([](const DailyRecord& d) { return d.delta_dollars; })},
      {"cash reserved", "#8c8c8c", column([](const DailyRecord& d) { return d.cash_reserved.to_double(); })}};
  // Theta alone: gamma dollars are typically two orders of magnitude larger and would flatten it.
  std::vector<Series> theta{
      {"theta dollars per day", "#2ca02c", column([](const DailyRecord& d) { return d.theta_dollars; })}};
  std::vector<Series> greeks{
      {"vega dollars per vol point", "#9467bd", column([](const DailyRecord& d) { return d.vega_dollars; })},
      {"gamma dollars per 1% move", "#e377c2", column([](const DailyRecord& d) { return d.gamma_dollars; })}};
  std::vector<Series> open{{"open positions", "#17becf",
                            column([](const DailyRecord& d) { return static_cast<double>(d.open_positions); }),
                            true}};
  h += "<section id=\"exposure\">\n<h2>Positions and Greeks exposure</h2>\n" +
       line_chart("Gross exposure, delta dollars and cash reserved", dates, ex, Unit::kMoney, true, 240.0) +
       line_chart("Theta dollars per day", dates, theta, Unit::kMoney, true, 200.0) +
       line_chart("Vega and gamma dollars", dates, greeks, Unit::kMoney, true, 220.0) +
       line_chart("Open positions", dates, open, Unit::kCount, true, 160.0) +
       "<p class=\"note\">Dollar Greeks at each close: delta = sum qty &#215; multiplier &#215; delta &#215; S; "
       "gamma per 1% move; vega per vol point; theta per calendar day.</p>\n</section>\n";

  h += "<section id=\"trades\">\n<h2>Trade log (" + std::to_string(run.bookings.size()) + " bookings)</h2>\n" +
       bookings_table(run) + "\n</section>\n";
  h += "<section id=\"closed-trades\">\n<h2>Closed trades (" + std::to_string(run.closed_trades.size()) + ")</h2>\n" +
       closed_trades_table(run) + "\n</section>\n";

  h += "<section id=\"warnings\">\n<h2>Data warnings (" + std::to_string(run.data_warnings.size()) + ")</h2>\n";
  if (run.data_warnings.empty()) {
    h += "<p class=\"empty\">None.</p>";
  } else {
    h += "<ul>";
    for (const std::string& w : run.data_warnings) h += "<li>" + html_escape(w) + "</li>";
    h += "</ul>";
  }
  h += "\n</section>\n";

  h += "<section id=\"config\">\n<h2>Configuration</h2>\n<pre>" + html_escape(run.config_text) + "</pre>\n</section>\n";
  h += "<section id=\"log\">\n<h2>Strategy log (" + std::to_string(run.log.size()) + " lines)</h2>\n";
  if (run.log.empty()) {
    h += "<p class=\"empty\">Empty.</p>";
  } else {
    h += "<details><summary>Show</summary><pre>";
    for (const std::string& line : run.log) h += html_escape(line) + "\n";
    h += "</pre></details>";
  }
  h += "\n</section>\n";
  h += "<footer class=\"note\">Written by keel from the run record alone; metrics are defined in docs/REPORTS.md."
       "</footer>\n</body>\n</html>\n";
  return h;
}

}  // namespace keel::backtest
