#include "keel/strategy/option_chain.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

#include "keel/analytics/black_scholes.hpp"
#include "keel/analytics/implied_vol.hpp"
#include "keel/core/assert.hpp"
#include "keel/core/calendar.hpp"

namespace keel::strategy {
namespace {

// Expiration-day rows still need a positive time to price (black_scholes.hpp rejects t < 1e-8);
// one hour keeps their Greeks finite and their value close to intrinsic.
constexpr double kMinTimeYears = 1.0 / (365.0 * 24.0);

std::string fmt(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

bool standard(const OptionRow& r) { return r.spec().multiplier == kStrikeShares; }

// Row order of the contract: (expiry, right [call first], strike), then multiplier and symbol so
// that adjusted series sharing a strike sort deterministically.
bool spec_less(const Instrument& a, const Instrument& b) {
  const OptionSpec& x = *a.option;
  const OptionSpec& y = *b.option;
  if (x.expiry != y.expiry) return x.expiry < y.expiry;
  if (x.right != y.right) return x.right == OptionRight::kCall;
  if (x.strike != y.strike) return x.strike < y.strike;
  if (x.multiplier != y.multiplier) return x.multiplier < y.multiplier;
  return a.symbol < b.symbol;
}

// Close of the expiry session. An expiry that is not a trading day (the Saturday expirations of
// OSI symbols before 2015, or a data error) expires with the last session before it.
Result<Timestamp> expiry_close(Date expiry) {
  const ExchangeCalendar& cal = ExchangeCalendar::us_equities();
  Date d = expiry;
  if (!cal.is_trading_day(d)) {
    KEEL_TRY(prev, cal.previous_trading_day(d));
    d = prev;
  }
  KEEL_TRY(session, cal.session(d));
  return session.close;
}

double intrinsic_delta(OptionRight right, double spot, double strike) {
  if (right == OptionRight::kCall) return spot > strike ? 1.0 : 0.0;
  return spot < strike ? -1.0 : 0.0;
}

}  // namespace

Price OptionRow::mid() const { return mid_price(bid, ask); }

// Implied vols and Greeks of one expiry's rows through the analytics batch kernels
// (element-wise and bit-identical to the scalar API, so pricing a group at a time gives the same
// bits as pricing the whole chain at once). Adjusted series quote per deliverable share, so
// they price at the deliverable strike.
void OptionChain::price_expiry(std::size_t e) const {
  if (priced_[e] != 0) return;
  priced_[e] = 1;
  const std::size_t b = expiry_begin_[e], n = expiry_begin_[e + 1] - b;
  std::vector<OptionRight> right(n);
  std::vector<double> price(n), spot(n, underlying_price_.to_double()), strike(n), time(n), r_col(n, rate_),
      q_col(n, dividend_yield_), vol(n);
  std::vector<analytics::IvStatus> iv_status(n);
  for (std::size_t i = 0; i < n; ++i) {
    const OptionRow& row = rows_[b + i];
    right[i] = row.right();
    price[i] = row.mid().to_double();
    strike[i] = deliverable_strike(row.spec()).to_double();
    time[i] = row.time;
  }
  analytics::implied_vol_bsm_batch(analytics::BsmIvColumns{right, price, spot, strike, time, r_col, q_col}, vol,
                                   iv_status);
  std::vector<double> g_price(n), delta(n), gamma(n), vega(n), theta(n), rho(n), vanna(n), volga(n), charm(n),
      prob_itm(n);
  std::vector<analytics::PricingStatus> g_status(n);
  analytics::bsm_batch(analytics::BsmColumns{right, spot, strike, time, vol, r_col, q_col},
                       analytics::GreeksColumns{g_price, delta, gamma, vega, theta, rho, vanna, volga, charm, prob_itm,
                                                {}, g_status});
  for (std::size_t i = 0; i < n; ++i) {
    OptionRow& row = rows_[b + i];
    // An IV outside the pricer's domain (e.g. above 10,000%) has no Greeks: treated like a quote
    // outside the no-arbitrage bounds.
    if (iv_status[i] == analytics::IvStatus::kOk && g_status[i] == analytics::PricingStatus::kOk) {
      row.iv = vol[i];
      row.greeks_from_iv = true;
      row.delta = delta[i];
      row.gamma = gamma[i];
      row.vega = vega[i];
      row.theta_per_day = theta[i] / 365.0;
      row.prob_itm = prob_itm[i];
    } else {
      row.delta = intrinsic_delta(row.right(), spot[i], strike[i]);
      row.prob_itm = std::fabs(row.delta);
    }
  }
}

void OptionChain::price_all() const {
  for (std::size_t e = 0; e < expiries_.size(); ++e) price_expiry(e);
}

std::size_t OptionChain::expiry_of_row(std::size_t row) const {
  return static_cast<std::size_t>(std::upper_bound(expiry_begin_.begin(), expiry_begin_.end(), row) -
                                  expiry_begin_.begin()) -
         1;
}

std::span<const OptionRow> OptionChain::rows() const {
  price_all();
  return rows_;
}

std::vector<Date> OptionChain::expiries() const { return expiries_; }

const OptionRow* OptionChain::find(InstrumentId id) const {
  const auto it = std::lower_bound(by_id_.begin(), by_id_.end(), id.value(),
                                   [](const std::pair<std::int64_t, std::uint32_t>& e, std::int64_t v) {
                                     return e.first < v;
                                   });
  if (it == by_id_.end() || it->first != id.value()) return nullptr;
  price_expiry(expiry_of_row(it->second));
  return &rows_[it->second];
}

const OptionRow* OptionChain::find(Date expiry, OptionRight right, Price strike) const {
  // Rows are sorted by (expiry, right, strike): binary search to the first row not before the
  // key, then step over adjusted series sharing it.
  auto key_less = [&](const OptionRow& r) {
    const OptionSpec& s = r.spec();
    if (s.expiry != expiry) return s.expiry < expiry;
    if (s.right != right) return s.right == OptionRight::kCall;
    return s.strike < strike;
  };
  auto it = std::partition_point(rows_.begin(), rows_.end(), key_less);
  for (; it != rows_.end(); ++it) {
    const OptionSpec& s = it->spec();
    if (s.expiry != expiry || s.right != right || s.strike != strike) break;
    if (standard(*it)) {
      price_expiry(expiry_of_row(static_cast<std::size_t>(it - rows_.begin())));
      return &*it;
    }
  }
  return nullptr;
}

bool OptionChain::passes(const OptionRow& r, const ChainFilter& f) const {
  if (f.right && r.right() != *f.right) return false;
  if (r.dte < f.min_dte || r.dte > f.max_dte) return false;
  if (f.require_bid && !r.bid.is_positive()) return false;
  if (f.standard_only && !standard(r)) return false;
  const double abs_delta = std::fabs(r.delta);
  if (f.min_abs_delta && abs_delta < *f.min_abs_delta) return false;
  if (f.max_abs_delta && abs_delta > *f.max_abs_delta) return false;
  if (f.min_strike && r.strike() < *f.min_strike) return false;
  if (f.max_strike && r.strike() > *f.max_strike) return false;
  if (f.min_moneyness || f.max_moneyness) {
    const double m = r.strike().to_double() / underlying_price_.to_double();
    if (f.min_moneyness && m < *f.min_moneyness) return false;
    if (f.max_moneyness && m > *f.max_moneyness) return false;
  }
  return true;
}

std::vector<const OptionRow*> OptionChain::select(const ChainFilter& filter) const {
  std::vector<const OptionRow*> out;
  for (std::size_t e = 0; e < expiries_.size(); ++e) {
    if (!dte_in(e, filter)) continue;  // the whole group fails the DTE test: no need to price it
    price_expiry(e);
    for (std::size_t i = expiry_begin_[e]; i < expiry_begin_[e + 1]; ++i) {
      if (passes(rows_[i], filter)) out.push_back(&rows_[i]);
    }
  }
  return out;
}

bool OptionChain::dte_in(std::size_t e, const ChainFilter& filter) const {
  const int dte = rows_[expiry_begin_[e]].dte;
  return dte >= filter.min_dte && dte <= filter.max_dte;
}

const OptionRow* OptionChain::closest_delta(const ChainFilter& filter, double target_abs_delta) const {
  KEEL_ASSERT(filter.right.has_value(), "OptionChain::closest_delta: the filter must name a right");
  const OptionRow* best = nullptr;
  double best_distance = std::numeric_limits<double>::infinity();
  // Rows come in (expiry, strike) order within a right, so keeping only strictly closer rows
  // leaves ties with the nearer expiry, then the lower strike.
  for (std::size_t e = 0; e < expiries_.size(); ++e) {
    if (!dte_in(e, filter)) continue;
    price_expiry(e);
    for (std::size_t i = expiry_begin_[e]; i < expiry_begin_[e + 1]; ++i) {
      const OptionRow& r = rows_[i];
      if (!passes(r, filter)) continue;
      const double distance = std::fabs(std::fabs(r.delta) - target_abs_delta);
      if (distance < best_distance) {
        best = &r;
        best_distance = distance;
      }
    }
  }
  return best;
}

std::optional<OptionChain::AtmPoint> OptionChain::atm_point(Date expiry) const {
  // Strike nearest the underlying among standard rows of this expiry with an IV (ties: the lower
  // strike), then the mean of the call and put IVs there (the one present if only one is).
  const OptionRow* nearest = nullptr;
  const auto e = static_cast<std::size_t>(std::lower_bound(expiries_.begin(), expiries_.end(), expiry) - expiries_.begin());
  if (e < expiries_.size() && expiries_[e] == expiry) price_expiry(e);
  const auto first = std::partition_point(rows_.begin(), rows_.end(), [&](const OptionRow& r) { return r.expiry() < expiry; });
  const auto last = std::partition_point(first, rows_.end(), [&](const OptionRow& r) { return r.expiry() == expiry; });
  for (auto it = first; it != last; ++it) {
    const OptionRow& r = *it;
    if (!standard(r) || !r.iv) continue;
    if (nearest == nullptr) {
      nearest = &r;
      continue;
    }
    const Price d_new = r.strike() > underlying_price_ ? r.strike() - underlying_price_ : underlying_price_ - r.strike();
    const Price d_old = nearest->strike() > underlying_price_ ? nearest->strike() - underlying_price_
                                                              : underlying_price_ - nearest->strike();
    if (d_new < d_old || (d_new == d_old && r.strike() < nearest->strike())) nearest = &r;
  }
  if (nearest == nullptr) return std::nullopt;
  const OptionRow* call = find(expiry, OptionRight::kCall, nearest->strike());
  const OptionRow* put = find(expiry, OptionRight::kPut, nearest->strike());
  double sum = 0.0;
  int n = 0;
  for (const OptionRow* r : {call, put}) {
    if (r != nullptr && r->iv) {
      sum += *r->iv;
      ++n;
    }
  }
  KEEL_ASSERT(n > 0, "atm_point: the nearest strike has an IV by construction");
  return AtmPoint{nearest->dte, nearest->time, sum / n};
}

std::optional<double> OptionChain::atm_iv(int days) const {
  // Only the two expiries bracketing `days` that have an ATM vol are priced: the last one with
  // dte < days (searching down) and the first with dte >= days (searching up). Expiries share
  // their dte across rows, and expiries_ ascends, so dte ascends with the index.
  std::size_t split = 0;
  while (split < expiries_.size() && rows_[expiry_begin_[split]].dte < days) ++split;
  std::optional<AtmPoint> lo, hi;
  for (std::size_t e = split; e-- > 0;) {
    if ((lo = atm_point(expiries_[e]))) break;
  }
  for (std::size_t e = split; e < expiries_.size(); ++e) {
    if ((hi = atm_point(expiries_[e]))) break;
  }
  if (!lo && !hi) return std::nullopt;
  if (!hi) return lo->vol;  // every usable expiry is nearer than `days`: the farthest one
  if (!lo) return hi->vol;  // `days` is at or before the nearest usable expiry
  // Total variance w = vol^2 t is linear in calendar days between the two bracketing expiries;
  // the time to the target interpolates the same way, so the target's vol is sqrt(w / t) and an
  // expiry's own vol comes back exactly at its own DTE.
  const AtmPoint& a = *lo;
  const AtmPoint& b = *hi;
  if (b.dte == days) return b.vol;
  const double alpha = static_cast<double>(days - a.dte) / static_cast<double>(b.dte - a.dte);
  const double wa = a.vol * a.vol * a.time;
  const double wb = b.vol * b.vol * b.time;
  const double w = wa + alpha * (wb - wa);
  const double t = a.time + alpha * (b.time - a.time);
  // Calendar arbitrage (wb < wa) could make w negative only by extrapolation; inside [a, b] w is
  // a convex combination of two non-negative values.
  return std::sqrt(w / t);
}

Result<OptionChain> build_chain(std::string underlying, Timestamp ts, Date date, Price underlying_price,
                                std::span<const Instrument* const> instruments, std::span<const OptionQuote> quotes,
                                double rate, double dividend_yield) {
  const std::string where = "chain " + underlying + " " + date.to_string();
  if (instruments.size() != quotes.size()) {
    return make_error(ErrorCode::kInvalidArgument, where + ": " + std::to_string(instruments.size()) +
                                                       " instruments but " + std::to_string(quotes.size()) +
                                                       " quotes");
  }
  if (!underlying_price.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument,
                      where + ": underlying price " + underlying_price.to_string() + " is not positive");
  }
  if (!std::isfinite(rate) || std::fabs(rate) > 5.0) {
    return make_error(ErrorCode::kInvalidArgument, where + ": rate " + fmt(rate) + " must be finite with |rate| <= 5");
  }
  if (!std::isfinite(dividend_yield) || std::fabs(dividend_yield) > 5.0) {
    return make_error(ErrorCode::kInvalidArgument,
                      where + ": dividend yield " + fmt(dividend_yield) + " must be finite with |q| <= 5");
  }

  OptionChain chain;
  chain.underlying_ = std::move(underlying);
  chain.ts_ = ts;
  chain.date_ = date;
  chain.underlying_price_ = underlying_price;
  chain.rate_ = rate;
  chain.dividend_yield_ = dividend_yield;
  chain.rows_.reserve(quotes.size());

  // Validate every pair and keep the indices of the rows; the rows themselves are built once,
  // in sorted order (copying Instruments, with their strings, is the expensive part).
  auto contract_of = [&](std::size_t i) {
    return "contract " + (instruments[i]->symbol.empty() ? "#" + std::to_string(i) : instruments[i]->symbol);
  };
  std::vector<std::uint32_t> keep;
  keep.reserve(quotes.size());
  for (std::size_t i = 0; i < quotes.size(); ++i) {
    const Instrument& inst = *instruments[i];
    const OptionQuote& q = quotes[i];
    if (!inst.is_option() || !inst.option) {
      return make_error(ErrorCode::kInvalidArgument, where + ": " + contract_of(i) + " is not an option");
    }
    if (inst.option->underlying != chain.underlying_) {
      return make_error(ErrorCode::kInvalidArgument, where + ": " + contract_of(i) + " is an option on " +
                                                         inst.option->underlying + ", not " + chain.underlying_);
    }
    if (auto st = inst.validate(); !st) return st.error().with_context(where + ": " + contract_of(i));
    if (q.instrument != inst.id) {
      return make_error(ErrorCode::kInvalidArgument, where + ": " + contract_of(i) + " (id " +
                                                         std::to_string(inst.id.value()) + ") paired with a quote for id " +
                                                         std::to_string(q.instrument.value()));
    }
    // No market at all (0 bid, 0 ask) means the contract is listed but not quoted: it is not part
    // of the snapshot. Any other invalid quote is an error.
    if (q.ask.is_zero() && q.bid.is_zero()) {
      ++chain.skipped_unquoted_;
      continue;
    }
    if (auto st = q.validate(); !st) return st.error().with_context(where + ": " + contract_of(i));
    if (inst.option->expiry < date) {
      ++chain.skipped_expired_;
      continue;
    }
    keep.push_back(static_cast<std::uint32_t>(i));
  }
  // Feeds usually deliver a snapshot already in contract order: check before sorting.
  auto by_spec = [&](std::uint32_t a, std::uint32_t b) { return spec_less(*instruments[a], *instruments[b]); };
  if (!std::is_sorted(keep.begin(), keep.end(), by_spec)) std::sort(keep.begin(), keep.end(), by_spec);

  // Expiry closes, once per distinct expiry (rows arrive grouped by expiry after the sort).
  std::optional<Date> close_date;
  Timestamp close_ts;
  for (std::uint32_t i : keep) {
    const Instrument& inst = *instruments[i];
    const OptionQuote& q = quotes[i];
    if (!close_date || *close_date != inst.option->expiry) {
      auto close = expiry_close(inst.option->expiry);
      if (!close) return close.error().with_context(where + ": " + contract_of(i) + ": expiry");
      close_date = inst.option->expiry;
      close_ts = *close;
    }
    OptionRow& row = chain.rows_.emplace_back();
    row.instrument = inst;
    row.bid = q.bid;
    row.ask = q.ask;
    row.last = q.last;
    row.bid_size = q.bid_size;
    row.ask_size = q.ask_size;
    row.volume = q.volume;
    row.open_interest = q.open_interest;
    row.dte = inst.option->expiry - date;
    row.time = std::max(year_fraction_act365(ts, close_ts), kMinTimeYears);
  }

  // Duplicate contracts would make find() ambiguous.
  chain.by_id_.reserve(chain.rows_.size());
  for (std::size_t i = 0; i < chain.rows_.size(); ++i) {
    chain.by_id_.emplace_back(chain.rows_[i].instrument.id.value(), static_cast<std::uint32_t>(i));
  }
  if (!std::is_sorted(chain.by_id_.begin(), chain.by_id_.end())) std::sort(chain.by_id_.begin(), chain.by_id_.end());
  for (std::size_t i = 1; i < chain.by_id_.size(); ++i) {
    if (chain.by_id_[i].first == chain.by_id_[i - 1].first) {
      return make_error(ErrorCode::kConflict, where + ": contract " + chain.rows_[chain.by_id_[i].second].instrument.symbol +
                                                  " (id " + std::to_string(chain.by_id_[i].first) +
                                                  ") quoted twice");
    }
  }

  // Expiry groups; implied vols and Greeks are computed per group on first use (price_expiry).
  for (std::size_t i = 0; i < chain.rows_.size(); ++i) {
    if (chain.expiries_.empty() || chain.expiries_.back() != chain.rows_[i].expiry()) {
      chain.expiries_.push_back(chain.rows_[i].expiry());
      chain.expiry_begin_.push_back(static_cast<std::uint32_t>(i));
    }
  }
  chain.expiry_begin_.push_back(static_cast<std::uint32_t>(chain.rows_.size()));
  chain.priced_.assign(chain.expiries_.size(), 0);
  return chain;
}

Result<OptionChain> build_chain(std::string underlying, Timestamp ts, Date date, Price underlying_price,
                                std::span<const Instrument> instruments, std::span<const OptionQuote> quotes,
                                double rate, double dividend_yield) {
  std::vector<const Instrument*> pointers;
  pointers.reserve(instruments.size());
  for (const Instrument& i : instruments) pointers.push_back(&i);
  return build_chain(std::move(underlying), ts, date, underlying_price, pointers, quotes, rate, dividend_yield);
}

}  // namespace keel::strategy
