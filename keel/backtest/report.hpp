// keel/backtest/report.hpp — the report of a backtest: equity.csv, trades.csv,
// closed_trades.csv, positions.csv, summary.json and one self-contained tearsheet.html, plus
// the CLI's plain-text summary. docs/REPORTS.md lists every column and key.
//
// Contract:
// - Pure functions of (RunRecord, Metrics): the same inputs give byte-identical files. No wall
//   clock, no locale (numbers go through std::to_chars or fixed-point to_string), no
//   unordered containers, no environment.
// - Money is written exactly (fixed-point decimal, at least 2 digits); doubles in CSV as the
//   shortest text that reads back to the same double; an n/a figure is an empty CSV cell, JSON
//   null, or "n/a" in text and HTML. A non-finite double in the record is an error naming the
//   day and field, never written.
// - The HTML needs no network: inline CSS, charts as inline SVG drawn here, no script, font or
//   image from elsewhere. Every string from the data (symbols, reasons, rules, config text,
//   log and warnings) is HTML-escaped.
// - write_report writes each file to <name>.tmp and renames it over <name>, so a reader never
//   sees half a file; it creates `dir` (and parents) when missing. An I/O failure is a kIo
//   error naming the path; metrics computed for another run (series lengths differ) are
//   kInvalidArgument.
// Validated by report_test.cpp: files parse back to the record's sizes, the JSON holds the
// metrics, each HTML section is present, data strings are escaped, writing twice gives the
// same bytes.
// Thread safety: pure functions; write_report touches only `dir`.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "keel/backtest/metrics.hpp"
#include "keel/backtest/run_record.hpp"
#include "keel/core/result.hpp"

namespace keel::backtest {

// Writes the report files into `dir`; returns the path of tearsheet.html.
Result<std::filesystem::path> write_report(const RunRecord& run, const Metrics& m, const std::filesystem::path& dir);

// The CLI's summary table (plain text, ends with a newline).
std::string summary_text(const RunRecord& run, const Metrics& m);
// summary.json's content (keys sorted: nlohmann::json's default object is a std::map).
nlohmann::json summary_json(const RunRecord& run, const Metrics& m);

// Each file's content. Errors: a non-finite double in the record, metrics of another run.
Result<std::string> equity_csv(const RunRecord& run, const Metrics& m);
std::string trades_csv(const RunRecord& run);
std::string closed_trades_csv(const RunRecord& run);
Result<std::string> positions_csv(const RunRecord& run);
Result<std::string> tear_sheet_html(const RunRecord& run, const Metrics& m);

// Text helpers used by the writers (exposed for their tests).
// &, <, >, " and ' as entities; everything else unchanged (UTF-8 passes through).
std::string html_escape(std::string_view text);
// RFC 4180: quoted (with "" for ") when the field holds a comma, quote, CR or LF.
std::string csv_field(std::string_view text);
// Fixed notation with `decimals` digits, locale-free; "-0.00" is written "0.00". v finite.
std::string fixed_text(double v, int decimals);
// Shortest text that parses back to the same double (std::to_chars). v finite.
std::string shortest_text(double v);
// Exact decimal of a Money with at least 2 fractional digits ("100000.00", "0.12345678").
std::string money_text(Money m);

}  // namespace keel::backtest
