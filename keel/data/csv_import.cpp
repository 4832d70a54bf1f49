#include "keel/data/csv_import.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace keel::data {

namespace detail {

bool fast_fixed_raw(std::string_view text, std::int64_t& raw, int& precision) noexcept {
  static constexpr std::uint64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
  const char* p = text.data();
  const char* const e = p + text.size();
  if (p == e) return false;
  bool negative = false;
  if (*p == '-' || *p == '+') {
    negative = *p == '-';
    ++p;
  }
  // At most 11 integer digits: 99,999,999,999 x 1e8 < 2^64, so the sum below cannot wrap.
  std::uint64_t ip = 0;
  int idig = 0;
  while (p < e && static_cast<unsigned>(*p - '0') <= 9u) {
    if (idig == 11) return false;
    ip = ip * 10 + static_cast<unsigned>(*p - '0');
    ++idig;
    ++p;
  }
  std::uint64_t fp = 0;
  int fdig = 0;
  if (p < e && *p == '.') {
    ++p;
    while (p < e && static_cast<unsigned>(*p - '0') <= 9u) {
      if (fdig == 8) return false;
      fp = fp * 10 + static_cast<unsigned>(*p - '0');
      ++fdig;
      ++p;
    }
    if (fdig == 0) return false;
  }
  if (p != e || idig + fdig == 0) return false;
  const std::uint64_t mag = ip * 100000000ull + fp * kPow10[8 - fdig];
  const std::uint64_t limit = negative ? (1ull << 63) : (1ull << 63) - 1;
  if (mag > limit) return false;
  raw = negative ? static_cast<std::int64_t>(0 - mag) : static_cast<std::int64_t>(mag);
  precision = fdig;
  return true;
}

bool bar_is_valid(const Bar& b) noexcept {
  return b.open.is_positive() && b.high.is_positive() && b.low.is_positive() && b.close.is_positive() &&
         b.low <= b.high && b.low <= b.open && b.open <= b.high && b.low <= b.close && b.close <= b.high &&
         !b.volume.is_negative() && b.trade_count >= 0 && b.timeframe.count() > 0 && b.ts_event <= b.ts_recv;
}

}  // namespace detail

namespace {

constexpr std::int64_t kUnknownClose = INT64_MIN;
constexpr std::int64_t kNoSession = INT64_MIN + 1;
constexpr std::size_t kMaxDayIndex = 28000;  // more trading days than 1990–2099 holds

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Drops zeros after the 8th fractional digit ("96.76700000000000" → "96.76700000"): they carry
// no value. Any other text is returned unchanged for the exact parser to judge.
std::string_view drop_excess_zeros(std::string_view t) noexcept {
  const std::size_t dot = t.find('.');
  if (dot == std::string_view::npos || t.size() - dot - 1 <= 8) return t;
  for (std::size_t i = dot + 9; i < t.size(); ++i) {
    if (t[i] != '0') return t;
  }
  return t.substr(0, dot + 9);
}

template <class F>
Result<F> parse_fixed_field(std::string_view text) {
  const std::string_view t = trim(text);
  std::int64_t raw = 0;
  int precision = 0;
  if (detail::fast_fixed_raw(t, raw, precision)) return F::from_raw(raw, precision);
  const std::string_view u = drop_excess_zeros(t);
  if (u.size() != t.size() && detail::fast_fixed_raw(u, raw, precision)) return F::from_raw(raw, precision);
  return F::parse(u);
}

// Decimal integer with an optional sign; false on anything else or on int64 overflow.
bool parse_i64(std::string_view t, std::int64_t& out) noexcept {
  const char* p = t.data();
  const char* const e = p + t.size();
  bool negative = false;
  if (p < e && (*p == '-' || *p == '+')) {
    negative = *p == '-';
    ++p;
  }
  if (p == e) return false;
  std::uint64_t mag = 0;
  for (; p < e; ++p) {
    const unsigned d = static_cast<unsigned>(*p - '0');
    if (d > 9u) return false;
    if (mag > (UINT64_MAX - d) / 10) return false;
    mag = mag * 10 + d;
  }
  const std::uint64_t limit = negative ? (1ull << 63) : (1ull << 63) - 1;
  if (mag > limit) return false;
  out = negative ? static_cast<std::int64_t>(0 - mag) : static_cast<std::int64_t>(mag);
  return true;
}

bool all_digits(std::string_view t) noexcept {
  for (char c : t) {
    if (static_cast<unsigned>(c - '0') > 9u) return false;
  }
  return true;
}

// "YYYY-MM-DD" or "YYYYMMDD" with a valid month and day; false otherwise (the caller asks
// Date::parse for the error text).
bool fast_date(std::string_view t, Date& out) noexcept {
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (t[i] - '0');
    return v;
  };
  int y, m, d;
  if (t.size() == 10 && t[4] == '-' && t[7] == '-' && all_digits(t.substr(0, 4)) && all_digits(t.substr(5, 2)) &&
      all_digits(t.substr(8, 2))) {
    y = num(0, 4);
    m = num(5, 2);
    d = num(8, 2);
  } else if (t.size() == 8 && all_digits(t)) {
    y = num(0, 4);
    m = num(4, 2);
    d = num(6, 2);
  } else {
    return false;
  }
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return false;
  out = Date::ymd(y, m, d);
  return true;
}

struct SvHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// Duplicate detection for one symbol's timestamps within the file. Files are nearly always
// sorted per symbol (ascending or descending), where a repeat can only be the previous row; the
// history is kept so that the first out-of-order row can switch to a hash map of every
// timestamp seen. A symbol seen once (one row per contract in an options day file) allocates
// nothing.
class SeriesTimes {
 public:
  // 0 when `ts` is new (and records it), else the line of the earlier row with the same ts.
  std::int64_t check(std::int64_t ts, std::int64_t line) {
    if (count_ == 0) {
      first_ts_ = ts;
      first_line_ = line;
      count_ = 1;
      return 0;
    }
    if (!hist_) {
      if (ts == first_ts_) return first_line_;
      hist_ = std::make_unique<History>();
      hist_->times = {first_ts_};
      hist_->lines = {first_line_};
    }
    History& h = *hist_;
    if (!h.unordered) {
      if (ts == h.times.back()) return h.lines.back();
      const int d = ts > h.times.back() ? 1 : -1;
      if (h.dir == 0 || d == h.dir) {
        h.dir = d;
        h.times.push_back(ts);
        h.lines.push_back(line);
        ++count_;
        return 0;
      }
      h.unordered = true;
      h.seen.reserve(h.times.size() * 2 + 16);
      for (std::size_t i = 0; i < h.times.size(); ++i) h.seen.emplace(h.times[i], h.lines[i]);
      std::vector<std::int64_t>().swap(h.times);
      std::vector<std::int64_t>().swap(h.lines);
    }
    auto [it, inserted] = h.seen.emplace(ts, line);
    if (inserted) ++count_;
    return inserted ? 0 : it->second;
  }

 private:
  struct History {
    int dir = 0;
    bool unordered = false;
    std::vector<std::int64_t> times, lines;
    std::unordered_map<std::int64_t, std::int64_t> seen;
  };
  std::int64_t first_ts_ = 0, first_line_ = 0;
  std::int64_t count_ = 0;
  std::unique_ptr<History> hist_;
};

bool valid_ticker_char(unsigned char c) noexcept { return c > 0x20 && c != 0x7f; }

}  // namespace

std::string_view to_string(TimeFormat f) noexcept {
  switch (f) {
    case TimeFormat::kDate: return "date";
    case TimeFormat::kIso: return "iso";
    case TimeFormat::kEpochSeconds: return "epoch-s";
    case TimeFormat::kEpochMillis: return "epoch-ms";
    case TimeFormat::kEpochNanos: return "epoch-ns";
    case TimeFormat::kTradingDayIndex: return "trading-day-index";
  }
  return "?";
}

Result<TimeFormat> parse_time_format(std::string_view text) {
  for (TimeFormat f : {TimeFormat::kDate, TimeFormat::kIso, TimeFormat::kEpochSeconds, TimeFormat::kEpochMillis,
                       TimeFormat::kEpochNanos, TimeFormat::kTradingDayIndex}) {
    if (text == to_string(f)) return f;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown time format '" + std::string(text) +
                        "' (known: date, iso, epoch-s, epoch-ms, epoch-ns, trading-day-index)");
}

std::vector<std::string_view> csv_preset_names() { return {"yahoo"}; }

Result<CsvMapping> csv_preset(std::string_view name) {
  if (name == "yahoo") {
    CsvMapping m;
    m.symbol.clear();
    m.time = "Date";
    m.time_format = TimeFormat::kDate;
    m.open = "Open";
    m.high = "High";
    m.low = "Low";
    m.close = "Close";
    m.volume = "Volume";
    return m;
  }
  std::string known;
  for (std::string_view n : csv_preset_names()) known += (known.empty() ? "" : ", ") + std::string(n);
  return make_error(ErrorCode::kInvalidArgument, "unknown CSV preset '" + std::string(name) + "' (known: " + known + ")");
}

SymbolDefiner plain_symbol_definer(AssetClass asset_class) {
  return [asset_class](std::string_view symbol) -> Result<SymbolDefinition> {
    if (symbol.empty()) return make_error(ErrorCode::kInvalidArgument, "empty symbol");
    for (char c : symbol) {
      if (!valid_ticker_char(static_cast<unsigned char>(c))) {
        return make_error(ErrorCode::kInvalidArgument, "invalid symbol '" + std::string(symbol) + "': spaces or control characters");
      }
    }
    if (asset_class == AssetClass::kOption) {
      return make_error(ErrorCode::kInvalidArgument, "option symbols need the option symbol definer");
    }
    SymbolDefinition def;
    def.instrument.symbol = std::string(symbol);
    def.instrument.asset_class = asset_class;
    KEEL_TRY_STATUS(def.instrument.validate());
    return def;
  };
}

struct BarFileParser::Impl {
  BarParserConfig cfg;
  CsvReader reader;
  CsvRecord rec;

  struct Column {
    int index = -1;    // 0-based field index; -1 = not mapped
    std::string name;  // for messages: the header text or "#N"
  };
  Column c_symbol, c_time, c_open, c_high, c_low, c_close, c_volume, c_count;
  std::size_t min_fields = 0;
  bool daily = true;
  const ExchangeCalendar* cal = nullptr;
  Date cal_first, cal_last;

  std::vector<FileSymbol> symbols;
  std::vector<Instrument> underlyings;
  std::unordered_map<std::string, std::int32_t, SvHash, std::equal_to<>> underlying_index;
  std::vector<std::string> warnings;
  std::vector<SeriesTimes> series;
  std::unordered_map<std::string, std::uint32_t, SvHash, std::equal_to<>> symbol_index;
  std::string last_symbol;
  std::uint32_t last_index = 0;
  bool have_last = false;

  std::vector<std::int64_t> close_by_day;  // session close ns per day from cal_first, or a sentinel
  std::vector<Date> index_dates;           // trading-day-index N → index_dates[N-1]
  std::int64_t rows_read = 0;
  bool exhausted = false;

  Impl(BarParserConfig c, InputFile in) : cfg(std::move(c)), reader(std::move(in), cfg.csv) {}

  // "file:line: why", kept on one printable line: field text can hold any byte.
  Error row_error(ErrorCode code, std::int64_t line, std::string_view why) const {
    constexpr std::size_t kMaxWhy = 400;
    std::string msg = reader.name();
    msg += ':';
    msg += std::to_string(line);
    msg += ": ";
    const std::size_t n = std::min(why.size(), kMaxWhy);
    for (std::size_t i = 0; i < n; ++i) {
      const auto c = static_cast<unsigned char>(why[i]);
      if (c < 0x20 || c == 0x7f) {
        static constexpr char kHex[] = "0123456789abcdef";
        msg += "\\x";
        msg += kHex[c >> 4];
        msg += kHex[c & 0xf];
      } else {
        msg += static_cast<char>(c);
      }
    }
    if (n < why.size()) msg += "...";
    return make_error(code, std::move(msg));
  }

  Result<Column> resolve(const std::string& spec, const std::vector<std::string>& header, const char* role) {
    Column col;
    if (spec.empty()) return col;
    if (spec[0] == '#') {
      std::int64_t n = 0;
      if (!parse_i64(std::string_view(spec).substr(1), n) || n < 1 || n > 100000) {
        return make_error(ErrorCode::kInvalidArgument, std::string(role) + " column '" + spec + "': expected #N with N >= 1");
      }
      if (cfg.mapping.has_header && static_cast<std::size_t>(n) > header.size()) {
        return make_error(ErrorCode::kInvalidArgument, reader.name() + ":1: " + role + " column " + spec + " but the header has " +
                                                           std::to_string(header.size()) + " columns");
      }
      col.index = static_cast<int>(n - 1);
      col.name = cfg.mapping.has_header ? header[static_cast<std::size_t>(n - 1)] : spec;
      return col;
    }
    if (!cfg.mapping.has_header) {
      return make_error(ErrorCode::kInvalidArgument, std::string(role) + " column '" + spec +
                                                         "' is named, but the file has no header: use #N");
    }
    const std::string want = lower(trim(spec));
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (lower(trim(header[i])) == want) {
        col.index = static_cast<int>(i);
        col.name = header[i];
        return col;
      }
    }
    std::string cols;
    for (const auto& h : header) cols += (cols.empty() ? "" : ", ") + h;
    return make_error(ErrorCode::kInvalidArgument, reader.name() + ":1: no " + role + " column '" + spec +
                                                       "' in the header (columns: " + cols + ")");
  }

  Status init() {
    const CsvMapping& m = cfg.mapping;
    if (cfg.timeframe.count() <= 0) return make_error(ErrorCode::kInvalidArgument, "timeframe must be positive");
    if (cfg.timeframe > kOneDay) {
      return make_error(ErrorCode::kUnsupported, "timeframes longer than a day are not importable (daily or intraday bars only)");
    }
    daily = cfg.timeframe == kOneDay;
    if (!daily && (m.time_format == TimeFormat::kDate || m.time_format == TimeFormat::kTradingDayIndex)) {
      return make_error(ErrorCode::kInvalidArgument, "time format '" + std::string(to_string(m.time_format)) +
                                                         "' gives dates: it needs the 1d timeframe");
    }
    if (m.delimiter == '"' || m.delimiter == '\n' || m.delimiter == '\r') {
      return make_error(ErrorCode::kInvalidArgument, "invalid CSV delimiter");
    }
    const int ohl = !m.open.empty() + !m.high.empty() + !m.low.empty();
    if (ohl != 0 && ohl != 3) {
      return make_error(ErrorCode::kInvalidArgument, "map open, high and low together, or none of them (close-only data)");
    }
    if (m.time.empty()) return make_error(ErrorCode::kInvalidArgument, "no time column mapped");
    if (m.close.empty()) return make_error(ErrorCode::kInvalidArgument, "no close column mapped");
    if (m.symbol.empty() && cfg.fixed_symbol.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "no symbol: map a symbol column or give a fixed symbol");
    }
    if (!m.symbol.empty() && !cfg.fixed_symbol.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "give a symbol column or a fixed symbol, not both");
    }
    if (!cfg.define_symbol) cfg.define_symbol = plain_symbol_definer(AssetClass::kEquity);
    cal = cfg.calendar ? cfg.calendar : &ExchangeCalendar::us_equities();
    cal_first = Date::ymd(ExchangeCalendar::kFirstYear, 1, 1);
    cal_last = Date::ymd(ExchangeCalendar::kLastYear, 12, 31);
    if (m.time_format == TimeFormat::kTradingDayIndex) {
      if (m.day_index_origin < cal_first || m.day_index_origin > cal_last) {
        return make_error(ErrorCode::kOutOfRange, "trading-day-index origin " + m.day_index_origin.to_string() +
                                                      " outside the exchange calendar");
      }
      KEEL_TRY(first, cal->this_or_next_trading_day(m.day_index_origin));
      index_dates.push_back(first);
    }

    std::vector<std::string> header;
    if (m.has_header) {
      auto r = reader.next(rec);
      if (!r) return r.error();
      if (!*r) return make_error(ErrorCode::kParse, reader.name() + ": empty file (no header line)");
      for (std::string_view f : rec.fields) header.emplace_back(f);
    }
    KEEL_TRY(sym, resolve(m.symbol, header, "symbol"));
    KEEL_TRY(tim, resolve(m.time, header, "time"));
    KEEL_TRY(opn, resolve(m.open, header, "open"));
    KEEL_TRY(hig, resolve(m.high, header, "high"));
    KEEL_TRY(low, resolve(m.low, header, "low"));
    KEEL_TRY(cls, resolve(m.close, header, "close"));
    KEEL_TRY(vol, resolve(m.volume, header, "volume"));
    KEEL_TRY(cnt, resolve(m.trade_count, header, "trade count"));
    c_symbol = sym;
    c_time = tim;
    c_open = opn;
    c_high = hig;
    c_low = low;
    c_close = cls;
    c_volume = vol;
    c_count = cnt;
    for (const Column* c : {&c_symbol, &c_time, &c_open, &c_high, &c_low, &c_close, &c_volume, &c_count}) {
      min_fields = std::max(min_fields, static_cast<std::size_t>(c->index + 1));
    }

    if (m.symbol.empty()) {
      auto def = cfg.define_symbol(cfg.fixed_symbol);
      if (!def) return make_error(ErrorCode::kInvalidArgument, "symbol '" + cfg.fixed_symbol + "': " + def.error().message);
      intern(std::move(*def));
    }
    return ok_status();
  }

  std::uint32_t intern(SymbolDefinition def) {
    FileSymbol fs{std::move(def.instrument), -1};
    if (def.underlying) {
      auto it = underlying_index.find(def.underlying->symbol);
      if (it == underlying_index.end()) {
        it = underlying_index.emplace(def.underlying->symbol, static_cast<std::int32_t>(underlyings.size())).first;
        underlyings.push_back(std::move(*def.underlying));
      }
      fs.underlying = it->second;
    }
    if (!def.warning.empty()) warnings.push_back(std::move(def.warning));
    symbols.push_back(std::move(fs));
    series.emplace_back();
    return static_cast<std::uint32_t>(symbols.size() - 1);
  }

  // Index of the row's symbol, interning (and defining) it on first sight.
  bool symbol_of(std::string_view text, std::int64_t line, std::uint32_t& out, Error& err) {
    if (c_symbol.index < 0) {
      out = 0;
      return true;
    }
    const std::string_view s = trim(text);
    if (have_last && s == last_symbol) {
      out = last_index;
      return true;
    }
    auto it = symbol_index.find(s);
    if (it == symbol_index.end()) {
      auto def = cfg.define_symbol(s);
      if (!def) {
        err = row_error(def.error().code, line, c_symbol.name + " '" + std::string(s) + "': " + def.error().message);
        return false;
      }
      it = symbol_index.emplace(std::string(s), intern(std::move(*def))).first;
    }
    last_symbol.assign(s);
    last_index = it->second;
    have_last = true;
    out = it->second;
    return true;
  }

  // The session close of a daily bar's date (cached), or a row error.
  bool session_close(Date d, std::int64_t line, std::int64_t& close, Error& err) {
    if (d < cal_first || d > cal_last) {
      err = row_error(ErrorCode::kOutOfRange, line, "date " + d.to_string() + " outside the exchange calendar (" +
                                                        cal_first.to_string() + ".." + cal_last.to_string() + ")");
      return false;
    }
    if (close_by_day.empty()) close_by_day.assign(static_cast<std::size_t>(cal_last - cal_first + 1), kUnknownClose);
    std::int64_t& slot = close_by_day[static_cast<std::size_t>(d - cal_first)];
    if (slot == kUnknownClose) {
      auto s = cal->session(d);
      slot = s ? s->close.ns() : kNoSession;
    }
    if (slot == kNoSession) {
      err = row_error(ErrorCode::kInvalidArgument, line, d.to_string() + " is not a trading day");
      return false;
    }
    close = slot;
    return true;
  }

  bool day_from_index(std::string_view t, std::int64_t line, Date& out, Error& err) {
    std::int64_t n = 0;
    if (!parse_i64(t, n) || n < 1) {
      err = row_error(ErrorCode::kParse, line, c_time.name + ": invalid trading-day index '" + std::string(t) + "'");
      return false;
    }
    if (static_cast<std::size_t>(n) > kMaxDayIndex) {
      err = row_error(ErrorCode::kOutOfRange, line, c_time.name + ": trading-day index " + std::to_string(n) + " out of range");
      return false;
    }
    while (index_dates.size() < static_cast<std::size_t>(n)) {
      auto nx = cal->next_trading_day(index_dates.back());
      if (!nx) {
        err = row_error(ErrorCode::kOutOfRange, line, c_time.name + ": trading-day index " + std::to_string(n) + ": " + nx.error().message);
        return false;
      }
      index_dates.push_back(*nx);
    }
    out = index_dates[static_cast<std::size_t>(n - 1)];
    return true;
  }

  // The row's time: for daily bars a date, for intraday bars an instant.
  bool time_of(std::string_view text, std::int64_t line, Date& date, Timestamp& ts, Error& err) {
    const std::string_view t = trim(text);
    const TimeFormat fmt = cfg.mapping.time_format;
    if (fmt == TimeFormat::kDate) {
      if (fast_date(t, date)) return true;
      auto d = Date::parse(t);
      if (!d) {
        err = row_error(d.error().code, line, c_time.name + ": " + d.error().message);
        return false;
      }
      date = *d;
      return true;
    }
    if (fmt == TimeFormat::kTradingDayIndex) return day_from_index(t, line, date, err);
    if (fmt == TimeFormat::kIso) {
      auto r = Timestamp::parse(t);
      if (!r) {
        err = row_error(r.error().code, line, c_time.name + ": " + r.error().message);
        return false;
      }
      ts = *r;
    } else {
      std::int64_t v = 0;
      if (!parse_i64(t, v)) {
        const bool digits = !t.empty() && all_digits(t[0] == '-' ? t.substr(1) : t) && t != "-";
        err = row_error(digits ? ErrorCode::kOutOfRange : ErrorCode::kParse, line,
                        c_time.name + ": " + (digits ? "out-of-range " : "invalid ") + std::string(to_string(fmt)) +
                            " time '" + std::string(t) + "'");
        return false;
      }
      Result<Timestamp> r = fmt == TimeFormat::kEpochSeconds  ? Timestamp::from_unix_seconds(v)
                            : fmt == TimeFormat::kEpochMillis ? Timestamp::from_unix_millis(v)
                                                              : Result<Timestamp>(Timestamp::from_ns(v));
      if (!r) {
        err = row_error(r.error().code, line, c_time.name + ": " + r.error().message);
        return false;
      }
      ts = *r;
    }
    if (!daily) return true;
    // A daily bar's instant must name a date: midnight UTC, or midnight in New York.
    if (ts.ns_of_day() == 0) {
      date = ts.utc_date();
      return true;
    }
    const Date ny = new_york_date(ts);
    if (ny >= cal_first && ny <= cal_last && new_york_to_utc(ny, 0, 0) == ts) {
      date = ny;
      return true;
    }
    err = row_error(ErrorCode::kInvalidArgument, line, c_time.name + ": daily bar time " + ts.to_string() +
                                                           " is neither midnight UTC nor midnight New York time");
    return false;
  }

  template <class F>
  bool number(const Column& c, std::int64_t line, F& out, Error& err) {
    auto r = parse_fixed_field<F>(rec.fields[static_cast<std::size_t>(c.index)]);
    if (!r) {
      err = row_error(r.error().code, line, c.name + ": " + r.error().message);
      return false;
    }
    out = *r;
    return true;
  }

  bool parse_row(ParsedBar& out, Error& err) {
    const std::int64_t line = rec.line;
    const auto& f = rec.fields;
    if (f.size() < min_fields) {
      err = row_error(ErrorCode::kParse, line, "expected at least " + std::to_string(min_fields) + " fields, found " +
                                                   std::to_string(f.size()));
      return false;
    }
    out.line = line;
    if (!symbol_of(c_symbol.index >= 0 ? f[static_cast<std::size_t>(c_symbol.index)] : std::string_view(), line,
                   out.symbol, err)) {
      return false;
    }
    Bar& bar = out.bar;
    bar.instrument = InstrumentId{};
    bar.timeframe = cfg.timeframe;
    Date date;
    Timestamp ts;
    if (!time_of(f[static_cast<std::size_t>(c_time.index)], line, date, ts, err)) return false;
    if (daily) {
      std::int64_t close_ns = 0;
      if (!session_close(date, line, close_ns, err)) return false;
      bar.ts_event = Timestamp::from_date(date);
      bar.ts_recv = Timestamp::from_ns(close_ns);
    } else {
      if (ts.ns() > INT64_MAX - cfg.timeframe.count()) {
        err = row_error(ErrorCode::kOutOfRange, line, c_time.name + ": bar end after " + ts.to_string() + " out of range");
        return false;
      }
      bar.ts_event = ts;
      bar.ts_recv = ts + cfg.timeframe;
    }
    if (!number(c_close, line, bar.close, err)) return false;
    if (c_open.index >= 0) {
      if (!number(c_open, line, bar.open, err) || !number(c_high, line, bar.high, err) || !number(c_low, line, bar.low, err)) {
        return false;
      }
    } else {
      bar.open = bar.high = bar.low = bar.close;
    }
    bar.volume = Quantity::zero();
    if (c_volume.index >= 0 && !number(c_volume, line, bar.volume, err)) return false;
    bar.trade_count = 0;
    if (c_count.index >= 0) {
      const std::string_view t = trim(f[static_cast<std::size_t>(c_count.index)]);
      if (!parse_i64(t, bar.trade_count) || bar.trade_count < 0) {
        err = row_error(ErrorCode::kParse, line, c_count.name + ": invalid trade count '" + std::string(t) + "'");
        return false;
      }
    }
    if (!detail::bar_is_valid(bar)) {
      Status v = bar.validate();
      KEEL_ASSERT(!v.ok(), "detail::bar_is_valid disagrees with Bar::validate");
      err = row_error(v.error().code, line, v.error().message);
      return false;
    }
    const FileSymbol& def = symbols[out.symbol];
    if (def.instrument.option) {
      const Date day = daily ? date : new_york_date(bar.ts_event);
      if (day > def.instrument.option->expiry) {
        err = row_error(ErrorCode::kInvalidArgument, line, "bar on " + day.to_string() + " after the expiry " +
                                                               def.instrument.option->expiry.to_string() + " of " +
                                                               def.instrument.symbol);
        return false;
      }
    }
    if (const std::int64_t first = series[out.symbol].check(bar.ts_event.ns(), line); first != 0) {
      err = row_error(ErrorCode::kConflict, line, "duplicate " + (daily ? date.to_string() : bar.ts_event.to_string()) +
                                                      " for " + def.instrument.symbol + " (first at line " +
                                                      std::to_string(first) + ")");
      return false;
    }
    return true;
  }
};

BarFileParser::BarFileParser(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BarFileParser::BarFileParser(BarFileParser&&) noexcept = default;
BarFileParser& BarFileParser::operator=(BarFileParser&&) noexcept = default;
BarFileParser::~BarFileParser() = default;

Result<BarFileParser> BarFileParser::open(BarParserConfig config) {
  KEEL_TRY(input, InputFile::open(config.path));
  return open(std::move(config), std::move(input));
}

Result<BarFileParser> BarFileParser::open(BarParserConfig config, InputFile input) {
  config.csv.delimiter = config.mapping.delimiter;
  auto impl = std::make_unique<Impl>(std::move(config), std::move(input));
  KEEL_TRY_STATUS(impl->init());
  return BarFileParser(std::move(impl));
}

Result<bool> BarFileParser::next_batch(std::vector<ParsedBar>& out, std::size_t max_rows, std::vector<RowError>& rejected) {
  Impl& s = *impl_;
  out.clear();
  if (s.exhausted) return false;
  if (max_rows == 0) max_rows = 1;
  Error err;
  while (out.size() < max_rows) {
    auto r = s.reader.next(s.rec);
    if (!r) {
      if (r.error().code != ErrorCode::kParse) return r.error();
      ++s.rows_read;
      rejected.push_back(RowError{s.reader.error_line(), r.error()});
      continue;
    }
    if (!*r) {
      s.exhausted = true;
      return false;
    }
    ++s.rows_read;
    out.emplace_back();
    if (!s.parse_row(out.back(), err)) {
      rejected.push_back(RowError{s.rec.line, std::move(err)});
      out.pop_back();
    }
  }
  return true;
}

const std::vector<FileSymbol>& BarFileParser::symbols() const noexcept { return impl_->symbols; }
const std::vector<Instrument>& BarFileParser::underlyings() const noexcept { return impl_->underlyings; }
std::vector<std::string> BarFileParser::take_warnings() { return std::exchange(impl_->warnings, {}); }
std::int64_t BarFileParser::rows_read() const noexcept { return impl_->rows_read; }
std::uint64_t BarFileParser::bytes_done() const noexcept { return impl_->reader.bytes_done(); }
std::uint64_t BarFileParser::bytes_total() const noexcept { return impl_->reader.bytes_total(); }
const std::string& BarFileParser::path() const noexcept { return impl_->reader.name(); }

}  // namespace keel::data
