#include "keel/data/synthetic_market.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <span>
#include <tuple>
#include <utility>

#include "keel/analytics/black76.hpp"
#include "keel/analytics/normal.hpp"
#include "keel/core/assert.hpp"
#include "keel/core/calendar.hpp"
#include "keel/core/int128.hpp"
#include "keel/model/occ_symbol.hpp"

namespace keel::data {
namespace {

constexpr double kTradingDaysPerYear = 252.0;
constexpr std::int64_t kRawPerDollar = kFixedScale;  // 1e8
// Quoted prices are handled as integer counts of $0.005 ("units"): every valid bid and ask
// (cents below $3, nickels from $3) and every mid between two of them is a whole unit.
constexpr std::int64_t kRawPerUnit = 500'000;
constexpr double kDollarsPerUnit = 0.005;
constexpr std::int64_t kThreeDollars = 600;  // in units
constexpr std::int64_t kOsiStrikeRaw = 100'000;  // $0.001, the OSI strike resolution
constexpr std::int64_t kStandardMultiplier = 100;
constexpr double kFullSessionMinutes = 390.0;

std::string fmt(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

Error invalid(const std::string& field, const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, "synth config: " + field + " " + why);
}

// ---- Tick grid and no-arbitrage rounding of quotes ----

// A valid quoted price in units: a cent multiple below $3, a nickel multiple from $3.
bool on_tick(std::int64_t units) noexcept {
  return units >= 0 && (units < kThreeDollars ? units % 2 == 0 : units % 10 == 0);
}

// Mids live on one uniform grid of $0.025 (5 units), every point of which is the mid of a
// valid bid/ask pair at any price level. A uniform grid matters: with the finer $0.005 grid
// below $3, convexity and the slope cap could conflict where a chain crosses $3, and the
// conflict would then propagate through every deeper in-the-money strike.
constexpr std::int64_t kMidStep = 5;

std::int64_t ceil_mid(std::int64_t units) noexcept {
  if (units < kMidStep) return kMidStep;
  return (units + kMidStep - 1) / kMidStep * kMidStep;
}
std::int64_t floor_mid(std::int64_t units) noexcept {
  return std::max<std::int64_t>(units / kMidStep * kMidStep, kMidStep);
}
std::int64_t nearest_mid(double dollars) noexcept {
  return std::max<std::int64_t>(kMidStep * std::llround(dollars / (kMidStep * kDollarsPerUnit)), kMidStep);
}

std::int64_t ceil_div(i128 num, i128 den) noexcept {
  KEEL_ASSERT(num >= 0 && den > 0, "ceil_div: negative operand");
  return static_cast<std::int64_t>((num + den - 1) / den);
}

// Mids on the grid for one expiry, right and contract class, in processing order: from the
// far out-of-the-money end inwards (calls by descending strike, puts by ascending), so values
// rise along the order. gap_raw[j] is the strike distance between j-1 and j (OSI strikes, raw);
// dollar_gap_units[j] the same distance per deliverable share in units. Each mid is the grid
// point nearest the model value, pushed up where needed so that the increments per unit of
// strike never shrink (convexity), and capped so that they do not exceed the strike distance
// (a call or put spread worth more than its width) unless convexity forces it.
std::vector<std::int64_t> convex_mids(const std::vector<double>& value, const std::vector<std::int64_t>& gap_raw,
                                      const std::vector<std::int64_t>& dollar_gap_units) {
  const std::size_t n = value.size();
  std::vector<std::int64_t> m(n);
  for (std::size_t j = 0; j < n; ++j) {
    const std::int64_t target = nearest_mid(value[j]);
    if (j == 0) {
      m[0] = target;
      continue;
    }
    std::int64_t lower = m[j - 1];
    if (j >= 2) lower += ceil_div(static_cast<i128>(m[j - 1] - m[j - 2]) * gap_raw[j], gap_raw[j - 1]);
    lower = ceil_mid(lower);
    const std::int64_t upper = floor_mid(m[j - 1] + dollar_gap_units[j]);
    m[j] = lower <= upper ? std::clamp(target, lower, upper) : lower;
  }
  return m;
}

// Bid and ask in units, symmetric around `mid`, both on the tick grid, half-width at least
// `min_half` units where the bid can stay >= 0; otherwise the widest valid quote with bid >= 0.
std::pair<std::int64_t, std::int64_t> realize_quote(std::int64_t mid, std::int64_t min_half) {
  for (std::int64_t h = std::max<std::int64_t>(min_half, 1); h <= mid; ++h) {
    if (on_tick(mid - h) && on_tick(mid + h)) return {mid - h, mid + h};
  }
  for (std::int64_t h = std::min(mid, std::max<std::int64_t>(min_half, 1)); h >= 1; --h) {
    if (on_tick(mid - h) && on_tick(mid + h)) return {mid - h, mid + h};
  }
  KEEL_ASSERT(false, "realize_quote: no valid quote around a grid mid");
  return {0, 0};
}

// Nearest valid tick price (units) to a mid; it lies between the bid and ask around it.
std::int64_t round_to_tick(std::int64_t mid) noexcept {
  const std::int64_t step = mid < kThreeDollars ? 2 : 10;
  const std::int64_t r = (mid + step / 2) / step * step;
  return std::max<std::int64_t>(r, 2);
}

Price price_from_units(std::int64_t units) { return Price::from_raw(units * kRawPerUnit, 2); }

// ---- Config fingerprint (lineage) ----

std::uint64_t fnv1a(std::uint64_t h, const std::string& s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string describe(const SynthConfig& c) {
  std::string s = std::to_string(c.seed) + "|" + c.start.to_string() + "|" + c.end.to_string() + "|" +
                  fmt(c.risk_free_rate) + "|" + std::to_string(c.intraday_steps) + "|" + fmt(c.overnight_fraction) +
                  "|" + std::to_string(c.chain.weekly_horizon_days) + "|" + std::to_string(c.chain.monthly_min_days) +
                  "|" + fmt(c.chain.strike_coverage) + "|" + fmt(c.chain.atm_volume) + "|" + fmt(c.spread.min_width) +
                  "|" + fmt(c.spread.relative_width) + "|" + fmt(c.spread.wing_factor) + "|" + fmt(c.spread.max_z) +
                  "|" + fmt(c.spread.short_expiry_factor);
  for (const auto& u : c.underlyings) {
    s += "|" + u.symbol + "," + std::string(to_string(u.asset_class)) + "," + fmt(u.initial_price) + "," +
         fmt(u.drift) + "," + fmt(u.kappa) + "," + fmt(u.theta) + "," + fmt(u.xi) + "," + fmt(u.rho) + "," +
         fmt(u.v0) + "," + fmt(u.jump_intensity) + "," + fmt(u.jump_mean) + "," + fmt(u.jump_stdev) + "," +
         fmt(u.dividend.amount) + "," + std::to_string(u.dividend.ex_day) + "," + fmt(u.daily_volume) + "," +
         fmt(u.smile.rho) + "," + fmt(u.smile.eta) + "," + fmt(u.smile.gamma);
    for (int m : u.dividend.ex_months) s += ":" + std::to_string(m);
    if (u.split) {
      s += ",split " + u.split->ex_date.to_string() + " " + std::to_string(u.split->ratio_to) + ":" +
           std::to_string(u.split->ratio_from);
    }
    // Fields added with the stock-only universe appear only when set, so a config without
    // them keeps its earlier fingerprint.
    if (!u.list_options) s += ",stock-only";
    if (u.beta != 0.0) s += ",beta " + fmt(u.beta) + " market_vol " + fmt(c.market_vol);
    if (u.pair) {
      s += ",pair " + u.pair->leader + " " + fmt(u.pair->hedge_ratio) + " " + fmt(u.pair->half_life_days) + " " +
           fmt(u.pair->spread_vol);
    }
  }
  return s;
}

std::string source_uri(const SynthConfig& c) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(fnv1a(14695981039346656037ull, describe(c))));
  return "synth://market?seed=" + std::to_string(c.seed) + "&config=" + hex;
}

// Calendar days ahead that listing looks for expirations: monthly expirations are at most 35
// days apart, so the first one at least monthly_min_days ahead lies within 35 more days.
int listing_horizon_days(const ChainConfig& chain) {
  return std::max(chain.weekly_horizon_days, chain.monthly_min_days + 40);
}

// ---- Per-underlying generation ----

struct DividendEvent {
  Date ex_date;
  std::int64_t cents;  // per share on the scale in force on the ex-date
};

struct Contract {
  InstrumentId id;
  Date expiry;
  OptionRight right = OptionRight::kCall;
  std::int64_t strike_raw = 0;  // OSI strike
  std::int64_t multiplier = kStandardMultiplier;  // deliverable shares
  int group = 0;  // 0: standard contracts; 1: adjusted after a split
  std::int64_t open_interest = 0;
};

using ChainKey = std::tuple<int, std::int64_t, int>;  // group, strike raw, right (0 call, 1 put)

// One listed expiration. Its standard strikes are all multiples of one increment, fixed when
// the expiry is first listed (as exchanges add strikes in the series' interval), so the strikes
// of a chain are evenly spaced and the convex rounding of mids never meets uneven gaps.
struct ExpiryChain {
  std::int64_t increment_raw = 0;  // 0 until standard strikes are listed
  std::map<ChainKey, std::size_t> contracts;
};

struct TradingDays {
  std::vector<Date> dates;        // trading days from start to beyond the listing horizon
  std::vector<Timestamp> closes;  // their session closes
  std::vector<double> fraction;   // session length / 6.5 h
  std::size_t count_in_range = 0;  // dates[0, count_in_range) are the generated days

  std::size_t index(Date d) const {
    const auto it = std::lower_bound(dates.begin(), dates.end(), d);
    KEEL_ASSERT(it != dates.end() && *it == d, "trading-day index of a non-trading day");
    return static_cast<std::size_t>(it - dates.begin());
  }
};

Result<TradingDays> load_trading_days(const SynthConfig& config) {
  const auto& cal = ExchangeCalendar::us_equities();
  TradingDays td;
  KEEL_TRY(dates, cal.trading_days(config.start, config.end + listing_horizon_days(config.chain) + 10));
  td.dates = std::move(dates);
  td.closes.reserve(td.dates.size());
  td.fraction.reserve(td.dates.size());
  for (const Date d : td.dates) {
    KEEL_TRY(session, cal.session(d));
    td.closes.push_back(session.close);
    td.fraction.push_back(static_cast<double>((session.close - session.open).count()) /
                          (kFullSessionMinutes * 60.0 * static_cast<double>(kNanosPerSecond)));
    if (d <= config.end) ++td.count_in_range;
  }
  return td;
}

// New York 16:30 on a calendar date: when a corporate action announced that day became known.
Timestamp announcement_time(Date d) { return new_york_to_utc(d, 16, 30); }

// The market factor's stream: far from the per-underlying streams 3i, 3i+1, 3i+2.
constexpr std::uint64_t kMarketFactorStream = 0x4D4B5446ull;  // "MKTF"

const UnderlyingSpec* find_spec(const SynthConfig& c, const std::string& symbol) {
  for (const auto& u : c.underlyings) {
    if (u.symbol == symbol) return &u;
  }
  return nullptr;
}

// Long-run variance of daily log returns per trading year (sets the volume's move scale).
double long_run_variance(const SynthConfig& c, const UnderlyingSpec& u) {
  if (u.pair) {
    const UnderlyingSpec* leader = find_spec(c, u.pair->leader);
    const double lv = leader != nullptr ? long_run_variance(c, *leader) : 0.0;
    return u.pair->hedge_ratio * u.pair->hedge_ratio * lv + u.pair->spread_vol * u.pair->spread_vol;
  }
  if (u.beta == 0.0) return u.theta;
  return u.theta + u.beta * u.beta * c.market_vol * c.market_vol;
}

// Per trading day, ln S at the open and after each intraday step of the underlyings that lead
// a pair (filled while the leader is generated, read by its follower).
using Traces = std::map<std::string, std::vector<double>, std::less<>>;

class UnderlyingGenerator {
 public:
  UnderlyingGenerator(const SynthConfig& config, std::size_t index, const TradingDays& days, WriteTransaction& tx,
                      std::vector<OptionQuote>& quote_buffer, const std::vector<double>& market_z, Traces& traces)
      : config_(config),
        spec_(config.underlyings[index]),
        days_(days),
        tx_(tx),
        quotes_(quote_buffer),
        market_z_(market_z),
        traces_(traces),
        option_rng_(stream_seed(config.seed, 3 * index + 1)),
        volume_rng_(stream_seed(config.seed, 3 * index + 2)),
        path_(spec_, stream_seed(config.seed, 3 * index), config.intraday_steps, config.overnight_fraction,
              config.market_vol) {
    report_.symbol = spec_.symbol;
    // A split scheduled outside the generated window does not happen in it.
    if (spec_.split && spec_.split->ex_date > config.start && spec_.split->ex_date <= config.end) split_ = spec_.split;
    if (spec_.pair) {
      const UnderlyingSpec* leader = find_spec(config, spec_.pair->leader);
      KEEL_ASSERT(leader != nullptr, "pair leader validated to exist");
      follower_.emplace(*spec_.pair, spec_.initial_price, leader->initial_price, stream_seed(config.seed, 3 * index),
                        config.intraday_steps, config.overnight_fraction);
    }
    for (const auto& u : config.underlyings) {
      if (u.pair && u.pair->leader == spec_.symbol) {
        trace_ = &traces_[spec_.symbol];
        trace_->reserve(days.count_in_range * static_cast<std::size_t>(config.intraday_steps + 1));
      }
    }
    sigma_day_ = std::sqrt(long_run_variance(config, spec_) / kTradingDaysPerYear);
  }

  Result<SynthUnderlyingReport> run(WriteCounts& bar_counts, WriteCounts& quote_counts, WriteCounts& action_counts,
                                    std::int64_t& instruments) {
    Instrument underlying;
    underlying.symbol = spec_.symbol;
    underlying.asset_class = spec_.asset_class;
    KEEL_TRY(id, tx_.upsert_instrument(underlying));
    id_ = id;
    report_.id = id;
    ++instruments;
    KEEL_TRY_STATUS(build_dividend_schedule());

    // Corporate actions inside the generated range.
    std::vector<CorporateAction> actions;
    for (const auto& ev : dividends_) {
      if (ev.ex_date > config_.end) break;
      KEEL_TRY(action, dividend_action(ev));
      actions.push_back(std::move(action));
      ++report_.dividends;
    }
    if (split_) {
      CorporateAction a;
      a.instrument = id_;
      a.kind = CorporateActionKind::kSplit;
      a.ex_date = a.record_date = a.pay_date = split_->ex_date;
      a.amount = Money::zero(2);
      a.ratio_to = split_->ratio_to;
      a.ratio_from = split_->ratio_from;
      a.ts_recv = announcement_time(split_->ex_date - 42);
      actions.push_back(std::move(a));
      ++report_.splits;
    }
    std::sort(actions.begin(), actions.end(), [](const CorporateAction& a, const CorporateAction& b) {
      return std::tie(a.ex_date, a.kind) < std::tie(b.ex_date, b.kind);
    });
    KEEL_TRY(ac, tx_.put_corporate_actions(actions));
    action_counts += ac;

    std::vector<Bar> bars;
    bars.reserve(days_.count_in_range);
    std::size_t next_dividend = 0;
    const auto per_day = static_cast<std::size_t>(config_.intraday_steps + 1);
    const std::vector<double>* leader_trace = nullptr;
    if (follower_) {
      const auto it = traces_.find(spec_.pair->leader);
      KEEL_ASSERT(it != traces_.end() && it->second.size() == days_.count_in_range * per_day,
                  "pair leader generated before its follower");
      leader_trace = &it->second;
    }
    double previous_close = spec_.initial_price;
    for (std::size_t i = 0; i < days_.count_in_range; ++i) {
      const Date d = days_.dates[i];
      double cash = 0.0;
      if (next_dividend < dividends_.size() && dividends_[next_dividend].ex_date == d) {
        cash = static_cast<double>(dividends_[next_dividend].cents) / 100.0;
        ++next_dividend;
      }
      double split_divisor = 1.0;
      if (split_ && split_->ex_date == d) {
        split_divisor = static_cast<double>(split_->ratio_to) / static_cast<double>(split_->ratio_from);
        share_scale_ *= split_divisor;
      }
      UnderlyingPathSimulator::Day day;
      double reference = previous_close;
      if (follower_) {
        day = follower_->next_session(days_.fraction[i], std::span<const double>(*leader_trace).subspan(i * per_day, per_day));
      } else {
        reference = path_.price() / split_divisor - cash;
        std::span<const double> mz;
        if (spec_.beta != 0.0) mz = std::span<const double>(market_z_).subspan(i * per_day, per_day);
        auto simulated = path_.next_session(days_.fraction[i], cash, split_divisor, mz, trace_);
        if (!simulated.ok()) return simulated.error().with_context(spec_.symbol + " on " + d.to_string());
        day = *simulated;
      }
      KEEL_TRY(bar, make_bar(i, day, reference));
      bars.push_back(bar);
      const double close = bar.close.to_double();
      previous_close = day.close;
      if (i == 0) {
        report_.first_close = report_.min_close = report_.max_close = close;
      }
      report_.last_close = close;
      report_.min_close = std::min(report_.min_close, close);
      report_.max_close = std::max(report_.max_close, close);

      if (!spec_.list_options) continue;
      if (split_ && split_->ex_date == d) KEEL_TRY_STATUS(adjust_for_split(instruments));
      KEEL_TRY_STATUS(list_contracts(i, close, instruments));
      KEEL_TRY_STATUS(quote_chains(i, close, bar.close, day.variance));
      if (quotes_.size() >= 200'000) KEEL_TRY_STATUS(flush_quotes(quote_counts));
    }
    KEEL_TRY_STATUS(flush_quotes(quote_counts));
    report_.bars = static_cast<std::int64_t>(bars.size());
    KEEL_TRY(bc, tx_.put_bars(bars));
    bar_counts += bc;
    return report_;
  }

 private:
  Status build_dividend_schedule() {
    if (spec_.dividend.amount <= 0.0) return ok_status();
    const auto& cal = ExchangeCalendar::us_equities();
    const Date last = days_.dates.back();
    const std::int64_t base_cents = std::llround(spec_.dividend.amount * 100.0);
    for (int year = config_.start.year(); year <= last.year(); ++year) {
      for (int month = 1; month <= 12; ++month) {
        if (std::find(spec_.dividend.ex_months.begin(), spec_.dividend.ex_months.end(), month) ==
            spec_.dividend.ex_months.end()) {
          continue;
        }
        KEEL_TRY(nominal, Date::from_ymd(year, month, spec_.dividend.ex_day));
        if (nominal > last) continue;
        KEEL_TRY(ex, cal.this_or_next_trading_day(nominal));
        if (ex <= config_.start || ex > last) continue;
        std::int64_t cents = base_cents;
        if (split_ && split_->ex_date <= ex) {
          // Per-share dividends follow the share count: amount·from/to, to the nearest cent.
          cents = (2 * base_cents * split_->ratio_from + split_->ratio_to) / (2 * split_->ratio_to);
        }
        if (cents > 0) dividends_.push_back(DividendEvent{ex, cents});
      }
    }
    return ok_status();
  }

  Result<CorporateAction> dividend_action(const DividendEvent& ev) const {
    const auto& cal = ExchangeCalendar::us_equities();
    // Record date from the settlement cycle in force: T+3 (ex = record - 2 business days)
    // before 2017-09-05, T+2 (ex = record - 1) until 2024-05-27, T+1 (ex = record) after.
    int lag = 0;
    if (ev.ex_date < Date::ymd(2017, 9, 5)) {
      lag = 2;
    } else if (ev.ex_date < Date::ymd(2024, 5, 28)) {
      lag = 1;
    }
    KEEL_TRY(record, cal.add_trading_days(ev.ex_date, lag));
    KEEL_TRY(pay, cal.this_or_next_trading_day(record + 14));
    CorporateAction a;
    a.instrument = id_;
    a.kind = CorporateActionKind::kCashDividend;
    a.ex_date = ev.ex_date;
    a.record_date = record;
    a.pay_date = pay;
    a.amount = Money::from_raw(ev.cents * (kFixedScale / 100), 2);
    a.ts_recv = announcement_time(ev.ex_date - 28);
    return a;
  }

  Result<Bar> make_bar(std::size_t i, const UnderlyingPathSimulator::Day& day, double reference) {
    Bar bar;
    bar.instrument = id_;
    bar.timeframe = kOneDay;
    bar.ts_event = Timestamp::from_date(days_.dates[i]);
    bar.ts_recv = days_.closes[i];
    KEEL_TRY(open, Price::from_double(day.open, 2));
    KEEL_TRY(high, Price::from_double(day.high, 2));
    KEEL_TRY(low, Price::from_double(day.low, 2));
    KEEL_TRY(close, Price::from_double(day.close, 2));
    bar.open = open;
    bar.high = high;
    bar.low = low;
    bar.close = close;
    // Volume: lognormal noise around the mean, higher on days that move more (in units of
    // the long-run daily standard deviation).
    const double move = std::fabs(std::log(day.close / reference)) / sigma_day_;
    const double shares = spec_.daily_volume * share_scale_ * days_.fraction[i] *
                          std::exp(0.3 * standard_normal(volume_rng_) - 0.045) * (0.6 + 0.4 * move);
    KEEL_TRY(volume, Quantity::from_int(std::llround(shares), 0));
    bar.volume = volume;
    return bar;
  }

  Result<InstrumentId> new_contract(Date expiry, OptionRight right, std::int64_t strike_raw, int group,
                                    std::int64_t multiplier, std::int64_t open_interest, std::int64_t& instruments) {
    OptionSpec spec;
    spec.underlying = spec_.symbol;
    spec.expiry = expiry;
    spec.strike = Price::from_raw(strike_raw, strike_raw % (kRawPerDollar / 100) == 0 ? 2 : 3);
    spec.right = right;
    spec.multiplier = multiplier;
    spec.exercise = ExerciseStyle::kAmerican;
    spec.settlement = Settlement::kPhysical;
    Instrument inst;
    if (group == 0) {
      KEEL_TRY(made, make_option_instrument(spec));
      inst = std::move(made);
    } else {
      // OCC adjusted series keep the strike under a new root (symbol + "1").
      KEEL_TRY(symbol, format_osi(OccSymbol{spec_.symbol + "1", expiry, right, spec.strike}));
      inst.symbol = std::move(symbol);
      inst.asset_class = AssetClass::kOption;
      inst.option = spec;
      KEEL_TRY_STATUS(inst.validate());
    }
    KEEL_TRY(id, tx_.upsert_instrument(inst));
    // A symbol can come back after a split (a strike retired on the ex-date listed again
    // later): same contract terms, so the same instrument; count it once.
    if (seen_ids_.insert(id.value()).second) {
      ++instruments;
      ++report_.option_contracts;
    }
    Contract c;
    c.id = id;
    c.expiry = expiry;
    c.right = right;
    c.strike_raw = strike_raw;
    c.multiplier = multiplier;
    c.group = group;
    c.open_interest = open_interest;
    contracts_.push_back(c);
    return id;
  }

  // OCC treatment of outstanding contracts on the split's ex-date, decided per expiry: a
  // whole-number ratio whose divided strike interval is representable in OSI (every strike is
  // a multiple of the interval, so all divide exactly) gives standard contracts at strike/ratio
  // with open interest x ratio; anything else gives adjusted contracts (root + "1", strike
  // unchanged, deliverable 100·to/from shares).
  Status adjust_for_split(std::int64_t& instruments) {
    const std::int64_t to = split_->ratio_to, from = split_->ratio_from;
    for (auto& [expiry, chain] : chains_) {
      const i128 scaled_inc = static_cast<i128>(chain.increment_raw) * from;
      const bool whole = to % from == 0 && chain.increment_raw > 0 && scaled_inc % to == 0 &&
                         (scaled_inc / to) % kOsiStrikeRaw == 0;
      std::map<ChainKey, std::size_t> adjusted;
      for (const auto& [key, index] : chain.contracts) {
        const Contract old = contracts_[index];
        if (whole) {
          const i128 scaled = static_cast<i128>(old.strike_raw) * from;
          KEEL_ASSERT(scaled % to == 0, "strike not a multiple of its chain's increment");
          const auto strike = static_cast<std::int64_t>(scaled / to);
          KEEL_TRY(id, new_contract(expiry, old.right, strike, 0, kStandardMultiplier, old.open_interest * (to / from),
                                    instruments));
          (void)id;
          adjusted[ChainKey{0, strike, std::get<2>(key)}] = contracts_.size() - 1;
        } else {
          KEEL_TRY(id, new_contract(expiry, old.right, old.strike_raw, 1, kStandardMultiplier * to / from,
                                    old.open_interest, instruments));
          (void)id;
          adjusted[ChainKey{1, old.strike_raw, std::get<2>(key)}] = contracts_.size() - 1;
        }
      }
      chain.contracts = std::move(adjusted);
      chain.increment_raw = whole ? static_cast<std::int64_t>(scaled_inc / to) : 0;
    }
    return ok_status();
  }

  Status list_contracts(std::size_t day_index, double spot, std::int64_t& instruments) {
    const auto& cal = ExchangeCalendar::us_equities();
    const Date d = days_.dates[day_index];
    if (config_.chain.weekly_horizon_days > 0) {
      KEEL_TRY(weeklies, cal.expirations(d + 1, d + config_.chain.weekly_horizon_days, {ExpirationKind::kWeekly}));
      for (const Date e : weeklies) chains_.try_emplace(e);
    }
    KEEL_TRY(monthlies, cal.expirations(d + 1, d + listing_horizon_days(config_.chain), {ExpirationKind::kMonthly}));
    bool reached = false;
    for (const Date e : monthlies) {
      chains_.try_emplace(e);
      if (e - d >= config_.chain.monthly_min_days) {
        reached = true;
        break;
      }
    }
    KEEL_ASSERT(reached, "listing horizon too short for monthly_min_days");

    for (auto& [expiry, chain] : chains_) {
      if (chain.increment_raw == 0) chain.increment_raw = strike_increment(spot).raw();
      const std::int64_t inc = chain.increment_raw;
      const double inc_dollars = static_cast<double>(inc) / static_cast<double>(kRawPerDollar);
      const std::int64_t lo = std::max<std::int64_t>(
          1, static_cast<std::int64_t>(std::floor(spot * (1.0 - config_.chain.strike_coverage) / inc_dollars)));
      const std::int64_t hi =
          static_cast<std::int64_t>(std::ceil(spot * (1.0 + config_.chain.strike_coverage) / inc_dollars));
      for (std::int64_t j = lo; j <= hi; ++j) {
        const std::int64_t strike = j * inc;
        for (int r = 0; r < 2; ++r) {
          const ChainKey key{0, strike, r};
          if (chain.contracts.count(key)) continue;
          KEEL_TRY(id, new_contract(expiry, r == 0 ? OptionRight::kCall : OptionRight::kPut, strike, 0,
                                    kStandardMultiplier, 0, instruments));
          (void)id;
          chain.contracts[key] = contracts_.size() - 1;
        }
      }
    }
    return ok_status();
  }

  // Present value at day d (in today's share scale) of the dividends going ex in (d, expiry].
  double dividend_pv(Date d, Date expiry) const {
    double pv = 0.0;
    for (const auto& ev : dividends_) {
      if (ev.ex_date <= d) continue;
      if (ev.ex_date > expiry) break;
      double amount = static_cast<double>(ev.cents) / 100.0;
      if (split_ && split_->ex_date > d && split_->ex_date <= ev.ex_date) {
        amount *= static_cast<double>(split_->ratio_to) / static_cast<double>(split_->ratio_from);
      }
      pv += amount * std::exp(-config_.risk_free_rate * static_cast<double>(ev.ex_date - d) / 365.0);
    }
    return pv;
  }

  double total_variance(double v, double tau) const {
    const double jump_var = spec_.jump_intensity * (spec_.jump_mean * spec_.jump_mean + spec_.jump_stdev * spec_.jump_stdev);
    return expected_integrated_variance(v, spec_.theta, spec_.kappa, tau) + jump_var * tau;
  }

  Status quote_chains(std::size_t day_index, double spot, Price spot_price, double variance) {
    const Date d = days_.dates[day_index];
    const Timestamp now = days_.closes[day_index];
    const double v = std::max(variance, 0.0);
    const double r = config_.risk_free_rate;
    const SpreadModel& sm = config_.spread;
    for (auto& [expiry, chain] : chains_) {
      const std::size_t expiry_index = days_.index(expiry);
      const auto n_days = static_cast<std::int64_t>(expiry_index - day_index);
      const double tau_var = static_cast<double>(n_days) / kTradingDaysPerYear;
      const double tau_cal = year_fraction_act365(now, days_.closes[expiry_index]);
      const double discount = std::exp(-r * tau_cal);
      const double pv = dividend_pv(d, expiry);
      if (!(spot - pv > 0.0)) {
        return make_error(ErrorCode::kInvalidArgument, spec_.symbol + " on " + d.to_string() + ": dividends worth " +
                                                           fmt(pv) + " before " + expiry.to_string() +
                                                           " exceed the price " + fmt(spot));
      }
      const double forward = (spot - pv) * std::exp(r * tau_cal);
      const double theta = n_days > 0 ? total_variance(v, tau_var) : 0.0;
      const double phi = theta > 0.0 ? spec_.smile.phi(theta) : 0.0;
      const double theta_floor = std::max(theta, total_variance(v, 1.0 / kTradingDaysPerYear));
      const double short_mult = 1.0 + sm.short_expiry_factor * std::sqrt(5.0 / static_cast<double>(std::max<std::int64_t>(n_days, 1)));

      // Buckets per (group, right), ascending strike (the map's order).
      std::array<std::array<std::vector<std::size_t>, 2>, 2> buckets;
      for (const auto& [key, index] : chain.contracts) buckets[static_cast<std::size_t>(std::get<0>(key))][static_cast<std::size_t>(std::get<2>(key))].push_back(index);
      for (int g = 0; g < 2; ++g) {
        for (int rr = 0; rr < 2; ++rr) {
          auto& bucket = buckets[static_cast<std::size_t>(g)][static_cast<std::size_t>(rr)];
          if (bucket.empty()) continue;
          if (rr == 0) std::reverse(bucket.begin(), bucket.end());  // calls: far OTM (high strike) first
          const std::size_t n = bucket.size();
          std::vector<double> value(n), log_moneyness(n);
          std::vector<std::int64_t> gap_raw(n, 0), gap_units(n, 0);
          for (std::size_t j = 0; j < n; ++j) {
            const Contract& c = contracts_[bucket[j]];
            const double strike = static_cast<double>(c.strike_raw) / static_cast<double>(kRawPerDollar) *
                                  static_cast<double>(kStandardMultiplier) / static_cast<double>(c.multiplier);
            const double k = std::log(strike / forward);
            log_moneyness[j] = k;
            if (theta > 0.0) {
              const double w = analytics::ssvi_total_variance(k, theta, spec_.smile.rho, phi);
              value[j] = analytics::black76_price(forward, strike, tau_var, std::sqrt(w / tau_var), discount, c.right);
            } else {
              value[j] = analytics::black76_price(forward, strike, 0.0, 0.0, discount, c.right);
            }
            if (j > 0) {
              const std::int64_t gap = std::llabs(c.strike_raw - contracts_[bucket[j - 1]].strike_raw);
              gap_raw[j] = gap;
              gap_units[j] = static_cast<std::int64_t>(static_cast<i128>(gap) * kStandardMultiplier /
                                                       (static_cast<i128>(c.multiplier) * kRawPerUnit));
            }
          }
          const std::vector<std::int64_t> mids = convex_mids(value, gap_raw, gap_units);
          for (std::size_t j = 0; j < n; ++j) {
            Contract& c = contracts_[bucket[j]];
            const double z = std::fabs(log_moneyness[j]) / std::sqrt(theta_floor);
            const double width = std::max(sm.min_width, sm.relative_width * value[j]) *
                                 (1.0 + sm.wing_factor * std::min(z, sm.max_z)) * short_mult;
            const double mid_dollars = static_cast<double>(mids[j]) * kDollarsPerUnit;
            const double deviation = std::fabs(mid_dollars - value[j]);
            report_.max_mid_deviation = std::max(report_.max_mid_deviation, deviation);
            const double half = std::max(0.5 * width, deviation);
            const auto [bid, ask] = realize_quote(mids[j], static_cast<std::int64_t>(std::ceil(half / kDollarsPerUnit - 1e-9)));
            KEEL_ASSERT(bid >= 0 && ask > bid, "synthetic quote must have 0 <= bid < ask");
            KEEL_ASSERT(static_cast<double>(bid) * kDollarsPerUnit <= value[j] + 1e-9 &&
                            value[j] <= static_cast<double>(ask) * kDollarsPerUnit + 1e-9,
                        "synthetic quote must contain the model value");

            // Activity: concentrated near the money and in the front expiries; adjusted
            // series trade less.
            const double z_now = std::min(z, 10.0);
            double mean_volume = config_.chain.atm_volume * std::exp(-0.5 * z_now * z_now) /
                                 (1.0 + static_cast<double>(n_days) / 20.0);
            if (c.group != 0) mean_volume *= 0.3;
            const std::int64_t volume = poisson(option_rng_, mean_volume);
            const std::int64_t bid_size = bid > 0 ? 1 + static_cast<std::int64_t>(uniform_open01(option_rng_) * 50.0) : 0;
            const std::int64_t ask_size = 1 + static_cast<std::int64_t>(uniform_open01(option_rng_) * 50.0);
            const double oi_share = uniform_open01(option_rng_) - 0.35;

            OptionQuote q;
            q.instrument = c.id;
            q.ts_event = now;
            q.ts_recv = now;
            q.bid = price_from_units(bid);
            q.ask = price_from_units(ask);
            q.last = volume > 0 ? price_from_units(round_to_tick(mids[j])) : Price::zero(2);
            KEEL_TRY(bs, Quantity::from_int(bid_size, 0));
            KEEL_TRY(as, Quantity::from_int(ask_size, 0));
            KEEL_TRY(vol, Quantity::from_int(volume, 0));
            KEEL_TRY(oi, Quantity::from_int(c.open_interest, 0));
            q.bid_size = bs;
            q.ask_size = as;
            q.volume = vol;
            q.open_interest = oi;
            q.underlying_price = spot_price;
            quotes_.push_back(q);
            ++report_.option_quotes;
            // Open interest published for the next session: some of today's trades open
            // positions, some close them; it never goes below zero.
            c.open_interest = std::max<std::int64_t>(0, c.open_interest + std::llround(static_cast<double>(volume) * oi_share));
          }
        }
      }
    }
    // Contracts expiring today were quoted for the last time.
    chains_.erase(chains_.begin(), chains_.upper_bound(d));
    return ok_status();
  }

  Status flush_quotes(WriteCounts& counts) {
    if (quotes_.empty()) return ok_status();
    KEEL_TRY(c, tx_.put_option_quotes(quotes_));
    counts += c;
    quotes_.clear();
    return ok_status();
  }

  const SynthConfig& config_;
  const UnderlyingSpec& spec_;
  const TradingDays& days_;
  WriteTransaction& tx_;
  std::vector<OptionQuote>& quotes_;
  const std::vector<double>& market_z_;
  Traces& traces_;
  std::mt19937_64 option_rng_;
  std::mt19937_64 volume_rng_;
  UnderlyingPathSimulator path_;
  std::optional<PairFollowerSimulator> follower_;
  std::vector<double>* trace_ = nullptr;  // set when this underlying leads a pair
  double sigma_day_ = 0.0;                // long-run daily standard deviation of log returns
  std::optional<SplitSpec> split_;
  InstrumentId id_;
  SynthUnderlyingReport report_;
  std::vector<DividendEvent> dividends_;
  std::vector<Contract> contracts_;
  std::map<Date, ExpiryChain> chains_;  // live expiries
  std::set<std::int64_t> seen_ids_;     // option instruments written by this run
  double share_scale_ = 1.0;
};

bool valid_root(const std::string& s, std::size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

}  // namespace

// ---- Public model pieces ----

double expected_integrated_variance(double v, double theta, double kappa, double tau) noexcept {
  // (1 - e^{-κτ})/κ via expm1 keeps precision for small κτ.
  return theta * tau + (v - theta) * (-std::expm1(-kappa * tau)) / kappa;
}

Price strike_increment(double price) noexcept {
  if (price < 5.0) return Price::from_raw(50'000'000, 2);
  if (price < 50.0) return Price::from_raw(100'000'000, 2);
  if (price < 200.0) return Price::from_raw(250'000'000, 2);
  if (price < 500.0) return Price::from_raw(500'000'000, 2);
  return Price::from_raw(1'000'000'000, 2);
}

std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream) noexcept {
  // splitmix64 (Steele, Lea & Flood 2014) of the seed advanced by `stream` golden-ratio steps.
  std::uint64_t z = seed + (stream + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double uniform_open01(std::mt19937_64& rng) noexcept {
  return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
}

double standard_normal(std::mt19937_64& rng) noexcept { return analytics::norm_inv_cdf(uniform_open01(rng)); }

std::int64_t poisson(std::mt19937_64& rng, double mean) noexcept {
  KEEL_ASSERT(mean >= 0.0 && std::isfinite(mean), "poisson: mean must be finite and non-negative");
  if (mean == 0.0) return 0;
  if (mean < 30.0) {
    // Inversion: walk the cdf until it passes a uniform draw.
    const double u = uniform_open01(rng);
    double p = std::exp(-mean);
    double cdf = p;
    std::int64_t k = 0;
    while (u > cdf && k < 1000) {
      ++k;
      p *= mean / static_cast<double>(k);
      cdf += p;
    }
    return k;
  }
  // Normal approximation with continuity correction (error in the cdf below 1% from mean 30).
  const double x = std::floor(mean + std::sqrt(mean) * standard_normal(rng) + 0.5);
  return x > 0.0 ? static_cast<std::int64_t>(x) : 0;
}

UnderlyingPathSimulator::UnderlyingPathSimulator(const UnderlyingSpec& spec, std::uint64_t rng_seed, int intraday_steps,
                                                 double overnight_fraction, double market_vol)
    : spec_(spec),
      rng_(rng_seed),
      intraday_steps_(intraday_steps),
      overnight_fraction_(overnight_fraction),
      s_(spec.initial_price),
      v_(spec.v0),
      jump_compensator_(spec.jump_intensity *
                        std::expm1(spec.jump_mean + 0.5 * spec.jump_stdev * spec.jump_stdev)),
      market_vol_(market_vol) {
  KEEL_ASSERT(intraday_steps >= 1, "UnderlyingPathSimulator: intraday_steps must be >= 1");
}

void UnderlyingPathSimulator::step(double dt, double& log_s, int& jumps, const double* market_z) {
  const double vp = v_ > 0.0 ? v_ : 0.0;
  const double z1 = standard_normal(rng_);
  const double z2 = standard_normal(rng_);
  const double root = std::sqrt(vp * dt);
  log_s += (spec_.drift - jump_compensator_ - 0.5 * vp) * dt + root * z1;
  if (market_z != nullptr) {
    // The factor's share of the return: its own Itô correction keeps E[S] growing at μ.
    const double loading = spec_.beta * market_vol_;
    log_s += -0.5 * loading * loading * dt + loading * std::sqrt(dt) * *market_z;
  }
  v_ += spec_.kappa * (spec_.theta - vp) * dt +
        spec_.xi * root * (spec_.rho * z1 + std::sqrt(1.0 - spec_.rho * spec_.rho) * z2);
  if (spec_.jump_intensity > 0.0) {
    const std::int64_t n = poisson(rng_, spec_.jump_intensity * dt);
    for (std::int64_t i = 0; i < n; ++i) log_s += spec_.jump_mean + spec_.jump_stdev * standard_normal(rng_);
    jumps += static_cast<int>(n);
  }
}

Result<UnderlyingPathSimulator::Day> UnderlyingPathSimulator::next_session(double session_fraction, double cash_dividend,
                                                                          double split_divisor,
                                                                          std::span<const double> market_z,
                                                                          std::vector<double>* trace) {
  KEEL_ASSERT(session_fraction > 0.0 && split_divisor > 0.0 && cash_dividend >= 0.0,
              "next_session: invalid session fraction, split divisor or dividend");
  KEEL_ASSERT(market_z.empty() || market_z.size() == static_cast<std::size_t>(intraday_steps_) + 1,
              "next_session: market_z needs 1 + intraday_steps shocks");
  auto shock = [&market_z](int k) { return market_z.empty() ? nullptr : &market_z[static_cast<std::size_t>(k)]; };
  s_ /= split_divisor;
  if (cash_dividend > 0.0) {
    if (!(s_ - cash_dividend > 0.0)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "cash dividend " + fmt(cash_dividend) + " is not below the price " + fmt(s_));
    }
    s_ -= cash_dividend;
  }
  const double dt = session_fraction / kTradingDaysPerYear;
  double log_s = std::log(s_);
  Day day;
  if (overnight_fraction_ > 0.0) step(dt * overnight_fraction_, log_s, day.jumps, shock(0));
  day.open = day.high = day.low = std::exp(log_s);
  if (trace != nullptr) trace->push_back(log_s);
  const double h = dt * (1.0 - overnight_fraction_) / intraday_steps_;
  double price = day.open;
  for (int i = 0; i < intraday_steps_; ++i) {
    step(h, log_s, day.jumps, shock(i + 1));
    if (trace != nullptr) trace->push_back(log_s);
    price = std::exp(log_s);
    day.high = std::max(day.high, price);
    day.low = std::min(day.low, price);
  }
  day.close = price;
  day.variance = v_;
  s_ = price;
  return day;
}

PairFollowerSimulator::PairFollowerSimulator(const PairSpec& pair, double initial_price, double leader_initial_price,
                                             std::uint64_t rng_seed, int intraday_steps, double overnight_fraction)
    : pair_(pair),
      rng_(rng_seed),
      intraday_steps_(intraday_steps),
      overnight_fraction_(overnight_fraction),
      kappa_(std::log(2.0) / (pair.half_life_days / kTradingDaysPerYear)),
      a_(std::log(initial_price) - pair.hedge_ratio * std::log(leader_initial_price)) {
  KEEL_ASSERT(intraday_steps >= 1 && pair.half_life_days > 0.0, "PairFollowerSimulator: invalid steps or half-life");
}

double PairFollowerSimulator::step(double dt) {
  // Exact OU transition over dt.
  const double decay = std::exp(-kappa_ * dt);
  const double sd = pair_.spread_vol * std::sqrt(-std::expm1(-2.0 * kappa_ * dt) / (2.0 * kappa_));
  x_ = x_ * decay + sd * standard_normal(rng_);
  return x_;
}

UnderlyingPathSimulator::Day PairFollowerSimulator::next_session(double session_fraction,
                                                                 std::span<const double> leader_trace) {
  KEEL_ASSERT(session_fraction > 0.0 && leader_trace.size() == static_cast<std::size_t>(intraday_steps_) + 1,
              "PairFollowerSimulator: invalid session fraction or leader trace");
  const double dt = session_fraction / kTradingDaysPerYear;
  if (overnight_fraction_ > 0.0) step(dt * overnight_fraction_);
  UnderlyingPathSimulator::Day day;
  day.open = day.high = day.low = std::exp(a_ + pair_.hedge_ratio * leader_trace[0] + x_);
  const double h = dt * (1.0 - overnight_fraction_) / intraday_steps_;
  double price = day.open;
  for (int i = 0; i < intraday_steps_; ++i) {
    step(h);
    price = std::exp(a_ + pair_.hedge_ratio * leader_trace[static_cast<std::size_t>(i) + 1] + x_);
    day.high = std::max(day.high, price);
    day.low = std::min(day.low, price);
  }
  day.close = price;
  day.variance = pair_.spread_vol * pair_.spread_vol;
  return day;
}

// ---- Config ----

SynthConfig SynthConfig::default_config() {
  SynthConfig c;
  UnderlyingSpec acme;
  acme.symbol = "ACME";
  acme.initial_price = 120.0;
  acme.drift = 0.08;
  acme.kappa = 2.0;
  acme.theta = 0.06;
  acme.xi = 0.45;  // Feller: 2κθ = 0.24 > ξ² = 0.2025
  acme.rho = -0.7;
  acme.v0 = 0.06;
  acme.jump_intensity = 1.0;
  acme.jump_mean = -0.05;
  acme.jump_stdev = 0.08;
  acme.dividend = DividendSpec{0.60, {2, 5, 8, 11}, 7};
  acme.split = SplitSpec{Date::ymd(2021, 6, 1), 2, 1};
  acme.daily_volume = 3'000'000.0;
  acme.smile = analytics::SsviPowerLaw{-0.6, 1.2, 0.4};  // η(1+|ρ|) = 1.92 <= 2
  UnderlyingSpec zeph;
  zeph.symbol = "ZEPH";
  zeph.initial_price = 45.0;
  zeph.drift = 0.05;
  zeph.kappa = 3.0;
  zeph.theta = 0.12;
  zeph.xi = 0.7;  // Feller: 2κθ = 0.72 > ξ² = 0.49
  zeph.rho = -0.5;
  zeph.v0 = 0.10;
  zeph.jump_intensity = 2.0;
  zeph.jump_mean = -0.02;
  zeph.jump_stdev = 0.10;
  zeph.dividend = DividendSpec{0.15, {3, 6, 9, 12}, 12};
  zeph.split = SplitSpec{Date::ymd(2022, 9, 6), 3, 2};
  zeph.daily_volume = 1'500'000.0;
  zeph.smile = analytics::SsviPowerLaw{-0.4, 1.3, 0.45};  // η(1+|ρ|) = 1.82 <= 2
  c.underlyings = {acme, zeph};

  // Stock-only universe on the one-factor model (market_vol 0.16). Total vol² = θ + β²σ_m²;
  // idiosyncratic variance mean-reverts (κ = 3, ξ = 0.2, ρ = -0.3; Feller 2κθ > ξ² for every θ
  // below). Drifts differ so that momentum and reversal strategies have something to find.
  struct Stock {
    const char* symbol;
    double price, drift, beta, theta, jumps, volume;
  };
  const Stock stocks[] = {
      {"ARGO", 50.0, 0.15, 1.3, 0.0900, 0.0, 1'500'000.0},  // idiosyncratic vol 30%
      {"BOLT", 80.0, 0.10, 1.1, 0.0400, 0.0, 1'200'000.0},  // 20%
      {"CRUX", 30.0, -0.05, 0.9, 0.0625, 0.0, 2'000'000.0},  // 25%
      {"DYNA", 120.0, 0.06, 0.8, 0.0225, 0.0, 800'000.0},   // 15%
      {"ELMO", 25.0, 0.00, 1.5, 0.1225, 0.0, 2'500'000.0},  // 35%
      {"FERN", 60.0, 0.08, 0.6, 0.0196, 0.0, 900'000.0},    // 14%
      {"GLYX", 15.0, 0.20, 1.6, 0.1600, 1.0, 3'000'000.0},  // 40%, one jump a year
      {"HALO", 200.0, 0.04, 0.5, 0.0144, 0.0, 600'000.0},   // 12%
      {"KILN", 40.0, 0.07, 1.0, 0.0400, 0.0, 1'000'000.0},  // 20%, the pair's leader
  };
  for (const Stock& st : stocks) {
    UnderlyingSpec u;
    u.symbol = st.symbol;
    u.initial_price = st.price;
    u.drift = st.drift;
    u.beta = st.beta;
    u.kappa = 3.0;
    u.theta = st.theta;
    u.v0 = st.theta;
    u.xi = 0.2;
    u.rho = -0.3;
    u.jump_intensity = st.jumps;
    u.jump_mean = st.jumps > 0.0 ? -0.05 : 0.0;
    u.jump_stdev = st.jumps > 0.0 ? 0.10 : 0.0;
    u.daily_volume = st.volume;
    u.list_options = false;
    c.underlyings.push_back(u);
  }
  // KOLA = e^a · KILN^0.8 · e^X: cointegrated with KILN, spread half-life 10 sessions, stationary
  // spread stdev 0.15/√(2κ) = 0.025 (κ = ln 2 / (10/252) = 17.5 per year).
  UnderlyingSpec kola;
  kola.symbol = "KOLA";
  kola.initial_price = 60.0;
  kola.daily_volume = 1'000'000.0;
  kola.list_options = false;
  kola.pair = PairSpec{"KILN", 0.8, 10.0, 0.15};
  c.underlyings.push_back(kola);
  return c;
}

Status SynthConfig::validate() const {
  const auto& cal = ExchangeCalendar::us_equities();
  if (!cal.in_range(start) || !cal.in_range(end)) {
    return invalid("dates", start.to_string() + ".." + end.to_string() + " must lie within " +
                                std::to_string(ExchangeCalendar::kFirstYear) + ".." +
                                std::to_string(ExchangeCalendar::kLastYear));
  }
  if (end < start) return invalid("end", end.to_string() + " is before start " + start.to_string());
  if (chain.weekly_horizon_days < 0 || chain.weekly_horizon_days > 366) {
    return invalid("chain.weekly_horizon_days", std::to_string(chain.weekly_horizon_days) + " must lie in 0..366");
  }
  if (chain.monthly_min_days < 1 || chain.monthly_min_days > 400) {
    return invalid("chain.monthly_min_days", std::to_string(chain.monthly_min_days) + " must lie in 1..400");
  }
  if (!cal.in_range(end + listing_horizon_days(chain) + 10)) {
    return invalid("end", end.to_string() + " leaves no room for option expirations before the calendar ends in " +
                              std::to_string(ExchangeCalendar::kLastYear));
  }
  if (!(chain.strike_coverage > 0.0 && chain.strike_coverage < 0.95)) {
    return invalid("chain.strike_coverage", fmt(chain.strike_coverage) + " must lie in (0, 0.95)");
  }
  if (!(chain.atm_volume >= 0.0 && chain.atm_volume < 1e7)) {
    return invalid("chain.atm_volume", fmt(chain.atm_volume) + " must lie in [0, 1e7)");
  }
  if (!(spread.min_width > 0.0 && spread.min_width < 100.0)) {
    return invalid("spread.min_width", fmt(spread.min_width) + " must lie in (0, 100)");
  }
  if (!(spread.relative_width >= 0.0 && spread.relative_width < 1.0)) {
    return invalid("spread.relative_width", fmt(spread.relative_width) + " must lie in [0, 1)");
  }
  if (!(spread.wing_factor >= 0.0 && spread.wing_factor < 100.0)) {
    return invalid("spread.wing_factor", fmt(spread.wing_factor) + " must lie in [0, 100)");
  }
  if (!(spread.max_z > 0.0 && spread.max_z < 100.0)) return invalid("spread.max_z", fmt(spread.max_z) + " must lie in (0, 100)");
  if (!(spread.short_expiry_factor >= 0.0 && spread.short_expiry_factor < 100.0)) {
    return invalid("spread.short_expiry_factor", fmt(spread.short_expiry_factor) + " must lie in [0, 100)");
  }
  if (!(std::fabs(risk_free_rate) <= 0.5)) return invalid("risk_free_rate", fmt(risk_free_rate) + " must lie in [-0.5, 0.5]");
  if (intraday_steps < 1 || intraday_steps > 390) {
    return invalid("intraday_steps", std::to_string(intraday_steps) + " must lie in 1..390");
  }
  if (!(overnight_fraction >= 0.0 && overnight_fraction < 1.0)) {
    return invalid("overnight_fraction", fmt(overnight_fraction) + " must lie in [0, 1)");
  }
  if (!(market_vol >= 0.0 && market_vol <= 2.0)) return invalid("market_vol", fmt(market_vol) + " must lie in [0, 2]");
  if (underlyings.empty()) return invalid("underlyings", "is empty");
  for (std::size_t i = 0; i < underlyings.size(); ++i) {
    const UnderlyingSpec& u = underlyings[i];
    const std::string f = "underlyings[" + std::to_string(i) + "] (" + u.symbol + ").";
    auto positive = [&](const char* name, double v) -> Status {
      if (!(v > 0.0) || !std::isfinite(v)) return invalid(f + name, fmt(v) + " must be positive");
      return ok_status();
    };
    auto non_negative = [&](const char* name, double v) -> Status {
      if (!(v >= 0.0) || !std::isfinite(v)) return invalid(f + name, fmt(v) + " must be non-negative");
      return ok_status();
    };
    const bool adjusted_root = u.split && u.split->ratio_to % u.split->ratio_from != 0;
    if (!valid_root(u.symbol, adjusted_root ? 5 : 6)) {
      return invalid(f + "symbol", "'" + u.symbol + "' must be 1.." + (adjusted_root ? "5" : "6") +
                                       " characters of A-Z, 0-9 (an OSI root" +
                                       (adjusted_root ? ", leaving room for the adjusted root's '1')" : ")"));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (underlyings[j].symbol == u.symbol) return invalid(f + "symbol", "'" + u.symbol + "' appears twice");
    }
    if (u.asset_class == AssetClass::kOption) return invalid(f + "asset_class", "must not be option");
    KEEL_TRY_STATUS(positive("initial_price", u.initial_price));
    if (!(std::fabs(u.drift) <= 2.0)) return invalid(f + "drift", fmt(u.drift) + " must lie in [-2, 2]");
    KEEL_TRY_STATUS(positive("kappa", u.kappa));
    KEEL_TRY_STATUS(positive("theta", u.theta));
    KEEL_TRY_STATUS(non_negative("xi", u.xi));
    KEEL_TRY_STATUS(non_negative("v0", u.v0));
    if (!(std::fabs(u.rho) <= 1.0)) return invalid(f + "rho", fmt(u.rho) + " must lie in [-1, 1]");
    KEEL_TRY_STATUS(non_negative("jump_intensity", u.jump_intensity));
    if (!(u.jump_intensity <= 252.0)) return invalid(f + "jump_intensity", fmt(u.jump_intensity) + " exceeds 252 per year");
    if (!(std::fabs(u.jump_mean) <= 1.0)) return invalid(f + "jump_mean", fmt(u.jump_mean) + " must lie in [-1, 1]");
    KEEL_TRY_STATUS(non_negative("jump_stdev", u.jump_stdev));
    KEEL_TRY_STATUS(non_negative("dividend.amount", u.dividend.amount));
    if (std::fabs(u.dividend.amount * 100.0 - std::round(u.dividend.amount * 100.0)) > 1e-6) {
      return invalid(f + "dividend.amount", fmt(u.dividend.amount) + " is not a whole number of cents");
    }
    if (u.dividend.amount > 0.0) {
      if (u.dividend.ex_months.empty()) return invalid(f + "dividend.ex_months", "is empty for a non-zero dividend");
      for (int m : u.dividend.ex_months) {
        if (m < 1 || m > 12) return invalid(f + "dividend.ex_months", std::to_string(m) + " is not a month 1..12");
      }
      if (u.dividend.ex_day < 1 || u.dividend.ex_day > 28) {
        return invalid(f + "dividend.ex_day", std::to_string(u.dividend.ex_day) + " must lie in 1..28");
      }
    }
    if (u.split) {
      const SplitSpec& s = *u.split;
      if (s.ratio_to <= 0 || s.ratio_from <= 0 || s.ratio_to == s.ratio_from || s.ratio_to > 1000 || s.ratio_from > 1000) {
        return invalid(f + "split", std::to_string(s.ratio_to) + ":" + std::to_string(s.ratio_from) + " is not a split ratio");
      }
      if ((kStandardMultiplier * s.ratio_to) % s.ratio_from != 0) {
        return invalid(f + "split", std::to_string(s.ratio_to) + ":" + std::to_string(s.ratio_from) +
                                        " gives adjusted options a fractional deliverable (100 x to/from shares)");
      }
      // A split outside (start, end] is allowed and simply does not happen in the window.
      if (!cal.is_trading_day(s.ex_date)) {
        return invalid(f + "split.ex_date", s.ex_date.to_string() + " is not a trading day");
      }
    }
    KEEL_TRY_STATUS(positive("daily_volume", u.daily_volume));
    if (!(std::fabs(u.beta) <= 10.0)) return invalid(f + "beta", fmt(u.beta) + " must lie in [-10, 10]");
    if (u.pair) {
      const PairSpec& p = *u.pair;
      std::size_t leader = i;
      for (std::size_t j = 0; j < i; ++j) {
        if (underlyings[j].symbol == p.leader) leader = j;
      }
      if (leader == i) {
        return invalid(f + "pair.leader", "'" + p.leader + "' is not an underlying listed before " + u.symbol);
      }
      if (underlyings[leader].pair) {
        return invalid(f + "pair.leader", "'" + p.leader + "' follows a pair itself; a leader must be simulated");
      }
      for (const UnderlyingSpec* s : {&u, &underlyings[leader]}) {
        if (s->dividend.amount > 0.0 || s->split) {
          return invalid(f + "pair", s->symbol + " pays dividends or splits; a pair's log-price relation needs neither");
        }
      }
      if (!(p.hedge_ratio > 0.0 && p.hedge_ratio <= 10.0)) {
        return invalid(f + "pair.hedge_ratio", fmt(p.hedge_ratio) + " must lie in (0, 10]");
      }
      if (!(p.half_life_days >= 0.5 && p.half_life_days <= 2520.0)) {
        return invalid(f + "pair.half_life_days", fmt(p.half_life_days) + " must lie in [0.5, 2520]");
      }
      if (!(p.spread_vol >= 0.0 && p.spread_vol <= 5.0)) {
        return invalid(f + "pair.spread_vol", fmt(p.spread_vol) + " must lie in [0, 5]");
      }
      if (u.beta != 0.0) return invalid(f + "beta", fmt(u.beta) + " must be 0 for a pair's follower (it moves with its leader)");
      if (u.jump_intensity != 0.0) {
        return invalid(f + "jump_intensity", fmt(u.jump_intensity) + " must be 0 for a pair's follower");
      }
    }
    auto smile = u.smile.validate_static_arbitrage_free();
    if (!smile.ok()) return invalid(f + "smile", smile.error().message);
  }
  return ok_status();
}

// ---- Generation ----

std::string SynthReport::summary() const {
  auto counts = [](const WriteCounts& c) {
    return std::to_string(c.added) + " added, " + std::to_string(c.unchanged) + " unchanged, " +
           std::to_string(c.revised) + " revised";
  };
  char line[512];
  std::snprintf(line, sizeof line, "synthetic market %s..%s, %lld trading days, seed %llu\n", start.to_string().c_str(),
                end.to_string().c_str(), static_cast<long long>(trading_days), static_cast<unsigned long long>(seed));
  std::string out = line;
  for (const auto& u : underlyings) {
    std::snprintf(line, sizeof line,
                  "  %-6s %lld bars, close %.2f -> %.2f (min %.2f, max %.2f); %lld option contracts, %lld quotes; "
                  "%lld dividends, %lld splits\n",
                  u.symbol.c_str(), static_cast<long long>(u.bars), u.first_close, u.last_close, u.min_close, u.max_close,
                  static_cast<long long>(u.option_contracts), static_cast<long long>(u.option_quotes),
                  static_cast<long long>(u.dividends), static_cast<long long>(u.splits));
    out += line;
  }
  out += "  bars: " + counts(bars) + "; option quotes: " + counts(option_quotes) + "; corporate actions: " +
         counts(corporate_actions) + "\n  source " + source_uri;
  return out;
}

Result<SynthReport> generate_market(const SynthConfig& config, Store& store, Timestamp ingested_at) {
  KEEL_TRY_STATUS(config.validate());
  KEEL_TRY(days, load_trading_days(config));
  SynthReport report;
  report.source_uri = source_uri(config);
  report.seed = config.seed;
  report.start = config.start;
  report.end = config.end;
  report.trading_days = static_cast<std::int64_t>(days.count_in_range);
  KEEL_TRY(tx, store.begin(Lineage{ingested_at, report.source_uri, kSynthTransformId}));
  std::vector<OptionQuote> buffer;
  buffer.reserve(210'000);
  // The market factor's shocks, one per simulation step of every session, drawn only when an
  // underlying loads on it (its own stream: the other underlyings' draws do not move).
  std::vector<double> market_z;
  if (std::any_of(config.underlyings.begin(), config.underlyings.end(), [](const UnderlyingSpec& u) { return u.beta != 0.0; })) {
    std::mt19937_64 rng(stream_seed(config.seed, kMarketFactorStream));
    market_z.resize(days.count_in_range * static_cast<std::size_t>(config.intraday_steps + 1));
    for (double& z : market_z) z = standard_normal(rng);
  }
  Traces traces;
  for (std::size_t i = 0; i < config.underlyings.size(); ++i) {
    UnderlyingGenerator gen(config, i, days, *tx, buffer, market_z, traces);
    KEEL_TRY(u, gen.run(report.bars, report.option_quotes, report.corporate_actions, report.instruments));
    report.underlyings.push_back(std::move(u));
  }
  KEEL_TRY_STATUS(tx->commit());
  return report;
}

}  // namespace keel::data
