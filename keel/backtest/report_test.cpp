// Tests for keel/backtest/report.hpp: every file is written, parses back to the record's sizes
// and values, the JSON holds the metrics, the HTML has every section and no network reference,
// strings from the data are escaped, and writing twice gives the same bytes.
#include "keel/backtest/report.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "keel/testkit/gzip_file.hpp"
#include "keel/testkit/temp_dir.hpp"

namespace keel::backtest {
namespace {

Money money(const char* t) { return *Money::parse(t); }
Price px(const char* t) { return *Price::parse(t); }
Quantity qty(const char* t) { return *Quantity::parse(t); }
Timestamp close_of(Date d) { return Timestamp::from_date(d) + std::chrono::hours(21); }

Instrument stock() {
  Instrument i;
  i.id = InstrumentId(1);
  i.symbol = "ACME";
  return i;
}

Instrument put_option() {
  OptionSpec s;
  s.underlying = "ACME";
  s.expiry = Date::ymd(2024, 2, 16);
  s.strike = px("95");
  s.right = OptionRight::kPut;
  auto i = make_option_instrument(s);
  EXPECT_TRUE(i.ok());
  i->id = InstrumentId(2);
  return *i;
}

// Four sessions over a month boundary: sell a put (reason holding a script tag, a comma and a
// quote), get assigned, hold the shares, sell them.
RunRecord sample_run() {
  RunRecord r;
  r.strategy = "wheel";
  r.config_path = "examples/wheel.toml";
  r.config_text = "[backtest]\nstrategy = \"wheel\" # A&B <test>\n";
  r.fill_model = "bar_close";
  r.fee_schedule = "retail";
  r.account_type = "cash";
  r.seed = 7;
  r.start = Date::ymd(2024, 1, 30);
  r.end = Date::ymd(2024, 2, 2);
  r.starting_capital = money("10000.00");
  r.benchmark = "ACME";
  const Date dates[] = {Date::ymd(2024, 1, 30), Date::ymd(2024, 1, 31), Date::ymd(2024, 2, 1), Date::ymd(2024, 2, 2)};
  const char* equity[] = {"10010.00", "9990.50", "10100.25", "10200.00"};
  const char* bench[] = {"10000.00", "10050.00", "9950.00", "10100.00"};
  for (int k = 0; k < 4; ++k) {
    DailyRecord d;
    d.date = dates[k];
    d.equity = money(equity[k]);
    d.cash = money(equity[k]);
    d.benchmark_equity = money(bench[k]);
    d.premium_collected = money("150.00");
    d.fees_paid = money(k == 0 ? "0.65" : "1.30");
    d.gross_exposure = money(k < 2 ? "140.00" : "9500.00");
    d.cash_reserved = money(k < 2 ? "9500.00" : "0");
    d.delta_dollars = k < 2 ? 3000.5 : 9500.0;
    d.gamma_dollars = -12.25;
    d.vega_dollars = -8.0;
    d.theta_dollars = k < 2 ? 4.75 : 0.0;
    d.open_positions = 1;
    r.days.push_back(d);
  }
  portfolio::Booking sell;
  sell.ts = close_of(dates[0]);
  sell.order_id = "W-1";
  sell.instrument = put_option();
  sell.side = execution::OrderSide::kSell;
  sell.quantity = qty("1");
  sell.price = px("1.50");
  sell.commission = money("0.65");
  sell.regulatory_fees = money("0.02");
  sell.cash_change = money("149.33");
  sell.realized_pnl = money("-0.67");
  sell.reason = "open put <script>alert(1)</script>, \"delta\" 0.30";
  portfolio::Booking assign;
  assign.ts = close_of(dates[1]);
  assign.kind = portfolio::BookingKind::kAssignment;
  assign.instrument = stock();
  assign.side = execution::OrderSide::kBuy;
  assign.quantity = qty("100");
  assign.price = px("95");
  assign.cash_change = money("-9500.00");
  assign.reason = "assigned at expiry";
  portfolio::Booking sale = assign;
  sale.ts = close_of(dates[3]);
  sale.kind = portfolio::BookingKind::kFill;
  sale.order_id = "W-2";
  sale.side = execution::OrderSide::kSell;
  sale.price = px("97.00");
  sale.cash_change = money("9700.00");
  sale.realized_pnl = money("200.00");
  sale.reason = "exit";
  r.bookings = {sell, assign, sale};

  portfolio::ClosedTrade put_trade;
  put_trade.instrument = put_option();
  put_trade.opened = sell.ts;
  put_trade.closed = assign.ts;
  put_trade.max_quantity = qty("1");
  put_trade.pnl = money("149.33");
  put_trade.closed_by = portfolio::BookingKind::kAssignment;
  portfolio::ClosedTrade stock_trade;
  stock_trade.instrument = stock();
  stock_trade.opened = assign.ts;
  stock_trade.closed = sale.ts;
  stock_trade.max_quantity = qty("100");
  stock_trade.pnl = money("200.00");
  r.closed_trades = {put_trade, stock_trade};

  for (int k = 0; k < 4; ++k) {
    PositionSnapshot p;
    p.date = dates[k];
    p.symbol = k < 2 ? put_option().symbol : "ACME";
    p.underlying = "ACME";
    p.quantity = qty(k < 2 ? "-1" : "100");
    p.mark = px(k < 2 ? "1.40" : "95.00");
    p.market_value = money(k < 2 ? "-140.00" : "9500.00");
    p.unrealized_pnl = money(k < 2 ? "10.00" : "0");
    p.delta = k < 2 ? -0.31 : 1.0;
    r.positions.push_back(p);
  }
  LifecycleRecord lr;
  lr.date = dates[1];
  lr.kind = "assigned";
  lr.symbol = put_option().symbol;
  lr.underlying = "ACME";
  lr.contracts = qty("1");
  lr.strike = px("95");
  lr.underlying_price = px("94.10");
  lr.rule = "in the money by 0.90 <ITM>";
  r.lifecycle = {lr};
  r.log = {"2024-01-30 21:00:00 sold put & waited"};
  r.data_warnings = {"ACME: no bar on 2024-01-29 <gap>"};
  r.traded_notional = money("9850.00");
  return r;
}

// A small RFC 4180 reader (quoted fields, "" inside quotes) to parse the CSVs back.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
    } else {
      field += c;
    }
  }
  EXPECT_TRUE(field.empty() && row.empty()) << "CSV does not end with a newline";
  return rows;
}

void expect_rectangular(const std::vector<std::vector<std::string>>& rows, const std::string& name) {
  ASSERT_FALSE(rows.empty()) << name;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    EXPECT_EQ(rows[k].size(), rows[0].size()) << name << " row " << k;
  }
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t k = 0; k < header.size(); ++k) {
    if (header[k] == name) return k;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

const char* const kFiles[] = {"equity.csv", "trades.csv", "closed_trades.csv", "positions.csv", "summary.json",
                              "tearsheet.html"};

TEST(Report, WritesEveryFileAndTheyParseBack) {
  const RunRecord run = sample_run();
  auto m = compute_metrics(run);
  ASSERT_TRUE(m.ok()) << m.error().message;
  testkit::TempDir tmp;
  const std::filesystem::path dir = std::filesystem::path(tmp.path()) / "nested" / "report";
  auto html = write_report(run, *m, dir);
  ASSERT_TRUE(html.ok()) << html.error().message;
  EXPECT_EQ(*html, dir / "tearsheet.html");
  for (const char* f : kFiles) {
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / f)) << f;
    EXPECT_FALSE(std::filesystem::exists(dir / (std::string(f) + ".tmp"))) << f;
  }

  const auto equity = parse_csv(testkit::read_file((dir / "equity.csv").string()));
  expect_rectangular(equity, "equity.csv");
  ASSERT_EQ(equity.size(), run.days.size() + 1);
  EXPECT_EQ(equity[0].size(), 17u);
  EXPECT_EQ(equity[1][column(equity[0], "date")], "2024-01-30");
  EXPECT_EQ(equity[2][column(equity[0], "equity")], "9990.50");
  EXPECT_EQ(equity[1][column(equity[0], "delta_dollars")], "3000.5");
  EXPECT_EQ(equity[1][column(equity[0], "fees_paid")], "0.65");
  EXPECT_EQ(equity[4][column(equity[0], "cash_reserved")], "0.00");
  // First return from the capital: 10010 / 10000 - 1 = 0.001 (shortest text of the double).
  double r0 = 0.0;
  const std::string& r0_text = equity[1][column(equity[0], "daily_return")];
  std::from_chars(r0_text.data(), r0_text.data() + r0_text.size(), r0);
  EXPECT_NEAR(r0, 0.001, 1e-15);

  const auto trades = parse_csv(testkit::read_file((dir / "trades.csv").string()));
  expect_rectangular(trades, "trades.csv");
  ASSERT_EQ(trades.size(), run.bookings.size() + 1);
  EXPECT_EQ(trades[1][column(trades[0], "reason")], run.bookings[0].reason);  // quoted and read back
  EXPECT_EQ(trades[1][column(trades[0], "symbol")], put_option().symbol);
  EXPECT_EQ(trades[1][column(trades[0], "right")], "put");
  EXPECT_EQ(trades[1][column(trades[0], "strike")], "95");
  EXPECT_EQ(trades[1][column(trades[0], "multiplier")], "100");
  EXPECT_EQ(trades[1][column(trades[0], "cash_change")], "149.33");
  EXPECT_EQ(trades[2][column(trades[0], "kind")], "assignment");
  EXPECT_EQ(trades[2][column(trades[0], "right")], "");
  EXPECT_EQ(trades[3][column(trades[0], "realized_pnl")], "200.00");

  const auto closed = parse_csv(testkit::read_file((dir / "closed_trades.csv").string()));
  expect_rectangular(closed, "closed_trades.csv");
  EXPECT_EQ(closed.size(), run.closed_trades.size() + 1);
  EXPECT_EQ(closed[1][column(closed[0], "closed_by")], "assignment");

  const auto positions = parse_csv(testkit::read_file((dir / "positions.csv").string()));
  expect_rectangular(positions, "positions.csv");
  ASSERT_EQ(positions.size(), run.positions.size() + 1);
  EXPECT_EQ(positions[1][column(positions[0], "delta")], "-0.31");
  EXPECT_EQ(positions[4][column(positions[0], "market_value")], "9500.00");

  const auto j = nlohmann::json::parse(testkit::read_file((dir / "summary.json").string()));
  // Total return 10200 / 10000 - 1 = 0.02; benchmark 10100 / 10000 - 1 = 0.01.
  EXPECT_NEAR(j["strategy"]["total_return"].get<double>(), 0.02, 1e-15);
  EXPECT_NEAR(j["benchmark"]["total_return"].get<double>(), 0.01, 1e-15);
  EXPECT_EQ(j["strategy"]["final_value"], "10200.00");
  EXPECT_EQ(j["strategy"]["net_pnl"], "200.00");
  EXPECT_EQ(j["run"]["starting_capital"], "10000.00");
  EXPECT_EQ(j["run"]["sessions"], 4);
  EXPECT_EQ(j["run"]["seed"], 7);
  EXPECT_EQ(j["trades"]["closed_trades"], 2);
  EXPECT_EQ(j["trades"]["win_rate"], 1.0);
  EXPECT_TRUE(j["trades"]["profit_factor"].is_null());  // no losing trade
  EXPECT_EQ(j["trades"]["average_trade"], "174.665");   // (149.33 + 200) / 2
  EXPECT_EQ(j["activity"]["assignments"], 1);
  EXPECT_EQ(j["activity"]["premium_collected"], "150.00");
  EXPECT_EQ(j["strategy"]["monthly_returns"].size(), 2u);
  // 2024-01: 9990.50 / 10000 - 1 = -0.00095.
  EXPECT_NEAR(j["strategy"]["monthly_returns"]["2024-01"].get<double>(), -0.00095, 1e-15);
  // Max drawdown: peak 10010.00 (01-30), trough 9990.50 (01-31): 19.5 / 10010.
  EXPECT_NEAR(j["strategy"]["max_drawdown"]["depth"].get<double>(), 19.5 / 10010.0, 1e-15);
  EXPECT_EQ(j["strategy"]["max_drawdown"]["recovery"], "2024-02-01");
  EXPECT_TRUE(j["notes"].is_array());
}

TEST(Report, HtmlHasEverySectionNoNetworkAndEscapesData) {
  const RunRecord run = sample_run();
  auto m = compute_metrics(run);
  ASSERT_TRUE(m.ok());
  auto html = tear_sheet_html(run, *m);
  ASSERT_TRUE(html.ok()) << html.error().message;
  const std::string& h = *html;
  for (const char* id : {"header", "metrics", "equity", "drawdown", "monthly-returns", "premium", "lifecycle",
                         "exposure", "trades", "closed-trades", "warnings", "config", "log"}) {
    EXPECT_NE(h.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
  EXPECT_EQ(h.find("http://"), std::string::npos);
  EXPECT_EQ(h.find("https://"), std::string::npos);
  EXPECT_EQ(h.find("<script"), std::string::npos);
  EXPECT_EQ(h.find("<link"), std::string::npos);
  EXPECT_EQ(h.find("<img"), std::string::npos);
  EXPECT_NE(h.find("open put &lt;script&gt;alert(1)&lt;/script&gt;, &quot;delta&quot; 0.30"), std::string::npos);
  EXPECT_NE(h.find("A&amp;B &lt;test&gt;"), std::string::npos);             // config text
  EXPECT_NE(h.find("no bar on 2024-01-29 &lt;gap&gt;"), std::string::npos);  // data warning
  EXPECT_NE(h.find("sold put &amp; waited"), std::string::npos);            // log
  EXPECT_NE(h.find("in the money by 0.90 &lt;ITM&gt;</title>"), std::string::npos);  // timeline tooltip
  EXPECT_EQ(h.find("<ITM>"), std::string::npos);
  // Charts are inline SVG; the monthly heatmap has both months of the run.
  EXPECT_GE(count(h, "<svg"), 6);
  EXPECT_NE(h.find("<th>Jan</th>"), std::string::npos);
  for (const char* bad : {"nan", "NaN", ">inf", "\"inf", " inf", "-inf"}) {
    EXPECT_EQ(h.find(bad), std::string::npos) << bad;
  }
}

TEST(Report, WritingTwiceGivesTheSameBytes) {
  const RunRecord run = sample_run();
  auto m = compute_metrics(run, 0.03);
  ASSERT_TRUE(m.ok());
  testkit::TempDir tmp;
  const std::filesystem::path a = std::filesystem::path(tmp.path()) / "a", b = std::filesystem::path(tmp.path()) / "b";
  ASSERT_TRUE(write_report(run, *m, a).ok());
  ASSERT_TRUE(write_report(run, *m, b).ok());
  // A second write into the same directory replaces the files with the same bytes.
  const std::string first_html = testkit::read_file((a / "tearsheet.html").string());
  ASSERT_TRUE(write_report(run, *m, a).ok());
  EXPECT_EQ(testkit::read_file((a / "tearsheet.html").string()), first_html);
  // Metrics recomputed from the same record: same bytes too.
  auto m2 = compute_metrics(run, 0.03);
  ASSERT_TRUE(m2.ok());
  const std::filesystem::path c = std::filesystem::path(tmp.path()) / "c";
  ASSERT_TRUE(write_report(run, *m2, c).ok());
  for (const char* f : kFiles) {
    const std::string text = testkit::read_file((a / f).string());
    EXPECT_FALSE(text.empty()) << f;
    EXPECT_EQ(text, testkit::read_file((b / f).string())) << f;
    EXPECT_EQ(text, testkit::read_file((c / f).string())) << f;
  }
}

TEST(Report, SummaryTextShowsTheKeyFigures) {
  const RunRecord run = sample_run();
  auto m = compute_metrics(run);
  ASSERT_TRUE(m.ok());
  const std::string t = summary_text(run, *m);
  EXPECT_NE(t.find("wheel  2024-01-30 .. 2024-02-02  (4 sessions, 0.01 years)"), std::string::npos) << t;
  EXPECT_NE(t.find("capital 10000.00  final equity 10200.00  net P&L 200.00"), std::string::npos) << t;
  EXPECT_NE(t.find("benchmark ACME"), std::string::npos) << t;
  // total return 2.00% against 1.00%.
  EXPECT_NE(t.find("total return"), std::string::npos);
  EXPECT_NE(t.find("2.00%"), std::string::npos) << t;
  EXPECT_NE(t.find("1.00%"), std::string::npos) << t;
  EXPECT_NE(t.find("win rate 100.00%, profit factor n/a, average trade 174.67"), std::string::npos) << t;
  EXPECT_NE(t.find("assignments 1, called away 0"), std::string::npos) << t;
  EXPECT_EQ(t.back(), '\n');
}

TEST(Report, BadInputsAreErrorsAndWriteNothing) {
  RunRecord run = sample_run();
  auto m = compute_metrics(run);
  ASSERT_TRUE(m.ok());
  testkit::TempDir tmp;
  // Metrics of another run.
  RunRecord shorter = run;
  shorter.days.pop_back();
  auto other = write_report(shorter, *m, std::filesystem::path(tmp.path()) / "x");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(other.error().message.find("another run"), std::string::npos);
  // A non-finite Greek names the day and field; no file is written.
  run.days[2].theta_dollars = std::nan("");
  const std::filesystem::path dir = std::filesystem::path(tmp.path()) / "y";
  auto nan = write_report(run, *m, dir);
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.error().message.find("days[2] 2024-02-01: theta_dollars is not finite"), std::string::npos)
      << nan.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir / "equity.csv"));
  // A directory that cannot be created (a file is in the way) is kIo naming the path.
  const std::filesystem::path blocker = std::filesystem::path(tmp.path()) / "file";
  std::ofstream(blocker) << "x";
  auto io = write_report(sample_run(), *m, blocker / "sub");
  ASSERT_FALSE(io.ok());
  EXPECT_EQ(io.error().code, ErrorCode::kIo);
  EXPECT_NE(io.error().message.find(blocker.string()), std::string::npos) << io.error().message;
}

// A one-session run: most ratios are n/a; every file is still written, with "n/a" / null /
// empty cells and no NaN anywhere.
TEST(Report, OneSessionRunWritesNotAvailableFigures) {
  RunRecord run = sample_run();
  run.days.resize(1);
  run.positions.resize(1);
  auto m = compute_metrics(run);
  ASSERT_TRUE(m.ok()) << m.error().message;
  testkit::TempDir tmp;
  auto html = write_report(run, *m, tmp.path());
  ASSERT_TRUE(html.ok()) << html.error().message;
  const auto j = nlohmann::json::parse(testkit::read_file(tmp.file("summary.json")));
  EXPECT_TRUE(j["strategy"]["cagr"].is_null());
  EXPECT_TRUE(j["strategy"]["sharpe"].is_null());
  EXPECT_TRUE(j["strategy"]["volatility"].is_null());
  EXPECT_NEAR(j["strategy"]["total_return"].get<double>(), 0.001, 1e-15);  // 10010 / 10000 - 1
  EXPECT_FALSE(j["notes"].empty());
  const std::string h = testkit::read_file((*html).string());
  EXPECT_NE(h.find("n/a"), std::string::npos);
  for (const char* bad : {"nan", "NaN", ">inf", "-inf"}) EXPECT_EQ(h.find(bad), std::string::npos) << bad;
  const auto equity = parse_csv(testkit::read_file(tmp.file("equity.csv")));
  EXPECT_EQ(equity.size(), 2u);
}

TEST(ReportText, EscapingAndNumberFormats) {
  EXPECT_EQ(html_escape("a<b>&\"c\"'d'"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
  EXPECT_EQ(html_escape("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 passes through
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(fixed_text(-0.0001, 2), "0.00");
  EXPECT_EQ(fixed_text(-0.005, 2), "-0.01");  // -0.005 is -0.00500000000000000010408... in binary
  EXPECT_EQ(fixed_text(1234.5, 1), "1234.5");
  EXPECT_EQ(fixed_text(1e20, 0), "100000000000000000000");
  EXPECT_EQ(shortest_text(0.1), "0.1");
  EXPECT_EQ(shortest_text(-0.0), "0");
  EXPECT_EQ(shortest_text(3000.5), "3000.5");
  EXPECT_EQ(money_text(Money::from_raw(100 * kFixedScale, 0)), "100.00");
  EXPECT_EQ(money_text(*Money::parse("0.12345678")), "0.12345678");
  EXPECT_EQ(money_text(*Money::parse("-5.1")), "-5.10");
}

// shortest_text reads back to the same double, for any finite double (std::from_chars as the
// independent reader).
RC_GTEST_PROP(ReportProperties, ShortestTextRoundTrips, ()) {
  const auto bits = *rc::gen::arbitrary<std::uint64_t>();
  double v;
  std::memcpy(&v, &bits, sizeof v);
  RC_PRE(std::isfinite(v));
  const std::string t = shortest_text(v);
  double back = 1.0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), back);
  RC_ASSERT(r.ec == std::errc());
  RC_ASSERT(back == v);
}

// Any string survives csv_field + the RFC 4180 reader above, and html_escape leaves no raw
// markup character.
RC_GTEST_PROP(ReportProperties, CsvFieldRoundTripsAndEscapeRemovesMarkup, (const std::string& s)) {
  const auto rows = parse_csv(csv_field(s) + "," + csv_field(s) + "\n");
  RC_ASSERT(rows.size() == 1u);
  RC_ASSERT(rows[0].size() == 2u);
  RC_ASSERT(rows[0][0] == s);
  const std::string e = html_escape(s);
  RC_ASSERT(e.find_first_of("<>\"'") == std::string::npos);
}

}  // namespace
}  // namespace keel::backtest
