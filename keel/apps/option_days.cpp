#include "keel/apps/option_days.hpp"

#include <cmath>
#include <map>

#include "keel/core/calendar.hpp"
#include "keel/strategy/option_chain.hpp"

namespace keel::apps {
namespace {

// The implied vol of the standard row of `right` on `expiry` whose |delta| is closest to 0.25.
std::optional<double> wing_iv(const strategy::OptionChain& chain, Date expiry, OptionRight right) {
  const strategy::OptionRow* best = nullptr;
  for (const strategy::OptionRow& r : chain.rows()) {
    if (r.expiry() != expiry || r.right() != right || !r.iv || !r.greeks_from_iv || r.spec().multiplier != 100) continue;
    if (best == nullptr || std::abs(std::abs(r.delta) - 0.25) < std::abs(std::abs(best->delta) - 0.25)) best = &r;
  }
  return best != nullptr ? best->iv : std::nullopt;
}

// Mean IV of the call and put at the strike closest to `spot` on `expiry` (standard rows).
std::optional<double> atm_iv(const strategy::OptionChain& chain, Date expiry, double spot) {
  std::optional<double> best_distance;
  double sum = 0.0;
  int n = 0;
  for (const strategy::OptionRow& r : chain.rows()) {
    if (r.expiry() != expiry || !r.iv || r.spec().multiplier != 100) continue;
    const double d = std::abs(r.strike().to_double() - spot);
    if (!best_distance || d < *best_distance - 1e-12) {
      best_distance = d;
      sum = *r.iv;
      n = 1;
    } else if (std::abs(d - *best_distance) <= 1e-12) {
      sum += *r.iv;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

}  // namespace

Result<std::vector<analytics::OptionDay>> option_days_from_store(data::Store& store, const std::string& underlying,
                                                                 const std::vector<Date>& dates,
                                                                 const std::vector<double>& closes, double rate,
                                                                 double dividend_yield) {
  std::vector<analytics::OptionDay> days(dates.size());
  if (dates.empty()) return days;
  KEEL_TRY(contracts, store.option_contracts(underlying, dates.front()));
  std::map<std::int64_t, const Instrument*> by_id;
  for (const Instrument& c : contracts) by_id.emplace(c.id.value(), &c);
  const Timestamp from = Timestamp::from_date(dates.front());
  const Timestamp to = Timestamp::from_date(dates.back() + 1) - Duration(1);
  KEEL_TRY(quotes, store.load_option_quotes(underlying, from, to));
  const ExchangeCalendar& cal = ExchangeCalendar::us_equities();
  std::size_t q = 0;
  for (std::size_t i = 0; i < dates.size(); ++i) {
    const Date d = dates[i];
    std::vector<const Instrument*> instruments;
    std::vector<OptionQuote> day_quotes;
    while (q < quotes.size() && Timestamp::from_ns(quotes.ts_event[q]).utc_date() < d) ++q;
    for (; q < quotes.size() && Timestamp::from_ns(quotes.ts_event[q]).utc_date() == d; ++q) {
      auto it = by_id.find(quotes.instrument[q]);
      if (it == by_id.end()) continue;  // a contract expired before the first date: not in this run
      instruments.push_back(it->second);
      day_quotes.push_back(quotes.row(q));
    }
    if (day_quotes.empty() || !(closes[i] > 0.0)) continue;
    auto session = cal.session(d);
    const Timestamp ts = session ? session->close : Timestamp::from_date(d + 1) - Duration(1);
    KEEL_TRY(spot, Price::from_double(closes[i], 4));
    KEEL_TRY(chain, strategy::build_chain(underlying, ts, d, spot, std::span<const Instrument* const>(instruments),
                                          day_quotes, rate, dividend_yield));
    for (Date e : chain.expiries()) {
      const double years = static_cast<double>(e - d) / 365.0;
      if (!(years > 0.0)) continue;
      const auto atm = atm_iv(chain, e, closes[i]);
      if (!atm) continue;
      days[i].expiries.push_back(
          analytics::ExpiryVols{years, *atm, wing_iv(chain, e, OptionRight::kPut), wing_iv(chain, e, OptionRight::kCall)});
    }
  }
  return days;
}

}  // namespace keel::apps
