// keel/execution/sim_venue.cpp — see sim_venue.hpp for the contract, docs/EXECUTION.md for the
// models in words.
#include "keel/execution/sim_venue.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "keel/core/int128.hpp"

namespace keel::execution {

namespace {

constexpr std::int64_t kScale = kFixedScale;
constexpr std::int64_t kCent = 1'000'000;      // $0.01 in raw units
constexpr std::int64_t kNickel = 5'000'000;    // $0.05
constexpr std::int64_t kThree = 300'000'000;   // $3.00

// Floor and ceiling of n / d for d > 0.
i128 floor_div(i128 n, i128 d) {
  i128 q = n / d;
  if (n % d != 0 && n < 0) --q;
  return q;
}
i128 ceil_div(i128 n, i128 d) {
  i128 q = n / d;
  if (n % d != 0 && n > 0) ++q;
  return q;
}

bool is_buy(OrderSide s) { return s == OrderSide::kBuy; }
OrderSide opposite(OrderSide s) { return is_buy(s) ? OrderSide::kSell : OrderSide::kBuy; }

std::string order_name(const Order& o) { return "order " + o.id.value(); }

// Rounds to a multiple of `tick`: up for buys (the trader pays more), down for sells.
Price round_to_tick(Price p, Price tick, bool up) {
  const i128 t = tick.raw();
  const i128 q = up ? ceil_div(p.raw(), t) : floor_div(p.raw(), t);
  return Price::from_raw(static_cast<std::int64_t>(q * t), std::max(p.precision(), tick.precision()));
}

Quantity whole_shares_floor(i128 raw) {
  const i128 w = raw <= 0 ? 0 : floor_div(raw, kScale) * kScale;
  return Quantity::from_raw(static_cast<std::int64_t>(w), 0);
}

Quantity qmin(Quantity a, Quantity b) { return a < b ? a : b; }


VenueEvent make_event(VenueEventKind kind, const Order& o, Timestamp ts, std::string reason = {}) {
  VenueEvent e;
  e.kind = kind;
  e.order_id = o.id;
  e.ts = ts;
  e.reason = std::move(reason);
  return e;
}

// Appends an event built in place (no temporary moved in and destroyed: this runs for every
// acceptance and fill). Its reason stays empty (acceptances and fills have none).
VenueEvent& push_event(std::vector<VenueEvent>& out, VenueEventKind kind, const Order& o, Timestamp ts) {
  VenueEvent& e = out.emplace_back();
  e.kind = kind;
  e.order_id = o.id;
  e.ts = ts;
  return e;
}
VenueEvent& push_event(std::vector<VenueEvent>& out, VenueEventKind kind, const Order& o, Timestamp ts,
                       std::string reason) {
  VenueEvent& e = push_event(out, kind, o, ts);
  e.reason = std::move(reason);
  return e;
}

// floor(participation x volume) whole shares, as a raw quantity, for participation_e8 in
// [0, 1e8] (the cap on the 1e-8 grid) and a raw volume: floor(p x v / 1e16) x 1e8, the same as
// flooring p x v / 1e8 to a raw quantity and that to whole shares. In 64-bit pieces, without a
// 128-bit division: v = q x 1e8 + r gives floor(p x v / 1e16) = floor((p x q + floor(p x r /
// 1e8)) / 1e8), and p x q + p x r / 1e8 <= p x v / 1e8 <= v < 2^63.
Quantity participation_cap_shares(std::int64_t participation_e8, Quantity volume) {
  if (volume.raw() <= 0 || participation_e8 <= 0) return Quantity::from_raw(0, 0);
  const auto p = static_cast<std::uint64_t>(participation_e8);
  const auto v = static_cast<std::uint64_t>(volume.raw());
  const std::uint64_t scale = kScale;
  const std::uint64_t scaled = p * (v / scale) + p * (v % scale) / scale;  // floor(p x v / 1e8)
  return Quantity::from_raw(static_cast<std::int64_t>(scaled / scale * scale), 0);
}

// The single-leg fill of an event, written in place.
void add_fill(VenueEvent& ev, const Order& o, Quantity qty, Price price, const FeeBreakdown& fees, Timestamp ts) {
  Fill& f = ev.fills.emplace_back();
  f.order_id = o.id;
  f.instrument = o.instrument;
  f.side = o.side;
  f.quantity = qty;
  f.price = price;
  f.commission = fees.commission;
  f.regulatory_fees = fees.regulatory;
  f.ts = ts;
}

// Penny-pilot tick: $0.01 below $3.00, $0.05 at or above — unless the quote itself is off the
// nickel grid (a penny-quoted class), then $0.01.
std::int64_t option_tick(const OptionQuote& q, i128 price_raw) {
  if (price_raw < kThree) return kCent;
  const bool bid_on = q.bid.raw() % kNickel == 0;
  const bool ask_on = q.ask.raw() % kNickel == 0;
  return bid_on && ask_on ? kNickel : kCent;
}

bool has_limit(const Order& o) { return o.limit_price.has_value(); }

}  // namespace

std::string_view to_string(FillModel m) noexcept {
  switch (m) {
    case FillModel::kNextOpen: return "next_open";
    case FillModel::kBarClose: return "bar_close";
    case FillModel::kQuote: return "quote";
  }
  return "?";
}

Result<FillModel> parse_fill_model(std::string_view text) {
  if (text == "next_open") return FillModel::kNextOpen;
  if (text == "bar_close") return FillModel::kBarClose;
  if (text == "quote") return FillModel::kQuote;
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown fill model '" + std::string(text) + "' (known: next_open, bar_close, quote)");
}

std::string_view to_string(OptionPriceModel m) noexcept {
  switch (m) {
    case OptionPriceModel::kBidAsk: return "bid_ask";
    case OptionPriceModel::kMidPlusFraction: return "mid_plus_fraction";
  }
  return "?";
}

Result<OptionPriceModel> parse_option_price_model(std::string_view text) {
  if (text == "bid_ask") return OptionPriceModel::kBidAsk;
  if (text == "mid_plus_fraction") return OptionPriceModel::kMidPlusFraction;
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown option price model '" + std::string(text) + "' (known: bid_ask, mid_plus_fraction)");
}

std::string_view to_string(VenueEventKind k) noexcept {
  switch (k) {
    case VenueEventKind::kAccepted: return "accepted";
    case VenueEventKind::kRejected: return "rejected";
    case VenueEventKind::kFilled: return "filled";
    case VenueEventKind::kCanceled: return "canceled";
    case VenueEventKind::kExpired: return "expired";
  }
  return "?";
}

Status ExecutionConfig::validate() const {
  auto bad = [](const std::string& field, const std::string& rule, double v) {
    return make_error(ErrorCode::kInvalidArgument,
                      "execution config: " + field + " must be " + rule + ", got " + std::to_string(v));
  };
  if (static_cast<int>(fill_model) > static_cast<int>(FillModel::kQuote)) {
    return make_error(ErrorCode::kInvalidArgument, "execution config: fill_model out of range");
  }
  if (static_cast<int>(option_price) > static_cast<int>(OptionPriceModel::kMidPlusFraction)) {
    return make_error(ErrorCode::kInvalidArgument, "execution config: option_price out of range");
  }
  if (!std::isfinite(mid_fraction) || mid_fraction < 0.0 || mid_fraction > 1.0) {
    return bad("mid_fraction", "in [0, 1]", mid_fraction);
  }
  if (!std::isfinite(participation_cap) || participation_cap <= 0.0 || participation_cap > 1.0) {
    return bad("participation_cap", "in (0, 1]", participation_cap);
  }
  // 10,000 bps would take a sale's price to zero.
  if (!std::isfinite(slippage_bps) || slippage_bps < 0.0 || slippage_bps >= 10'000.0) {
    return bad("slippage_bps", "in [0, 10000)", slippage_bps);
  }
  if (!std::isfinite(impact_coefficient) || impact_coefficient < 0.0) {
    return bad("impact_coefficient", ">= 0", impact_coefficient);
  }
  auto fees_ok = execution::validate(fees);
  if (!fees_ok.ok()) return fees_ok.error().with_context("execution config: fees '" + fees.name + "'");
  return ok_status();
}

Result<SimulatedVenue> SimulatedVenue::create(ExecutionConfig config, InstrumentLookup instrument) {
  KEEL_TRY_STATUS(config.validate());
  if (!instrument) return make_error(ErrorCode::kInvalidArgument, "simulated venue: the instrument lookup is empty");
  return SimulatedVenue(std::move(config), std::move(instrument));
}

SimulatedVenue::SimulatedVenue(ExecutionConfig config, InstrumentLookup instrument)
    : config_(std::move(config)), instrument_(std::move(instrument)), fees_(config_.fees) {
  participation_e8_ = std::llround(config_.participation_cap * static_cast<double>(kScale));
  mid_fraction_e8_ = std::llround(config_.mid_fraction * static_cast<double>(kScale));
}

// ---------------------------------------------------------------------------------------------
// Submission and cancellation.

std::vector<VenueEvent> SimulatedVenue::submit(const Order& order, Timestamp now) {
  std::vector<VenueEvent> out;
  out.reserve(2);  // accepted, and often filled at once
  submit(order, now, out);
  return out;
}

void SimulatedVenue::submit(const Order& order, Timestamp now, std::vector<VenueEvent>& out, Validated validated) {
  auto reject = [&](const std::string& why) {
    out.push_back(make_event(VenueEventKind::kRejected, order, now, order_name(order) + ": " + why));
  };
  if (validated == Validated::kNo) {
    if (auto st = validate(order); !st.ok()) {
      out.push_back(make_event(VenueEventKind::kRejected, order, now, st.error().message));
      return;
    }
  }
  // An id is spent once the venue has seen it, whatever happens next (brokers refuse reuse).
  if (!seen_ids_.insert(order.id.value())) return reject("duplicate client order id");
  if (!order.filled_quantity.is_zero()) {
    return reject("filled_quantity must be 0 on submission, got " + order.filled_quantity.to_string());
  }
  const bool whole = order.quantity.is_multiple_of_precision(0);

  // Checked first, then the working record built.
  const Instrument* single = nullptr;
  std::vector<const Instrument*> leg_instruments;
  if (order.is_combo()) {
    std::int64_t multiplier = 0;
    for (std::size_t i = 0; i < order.legs.size(); ++i) {
      const std::string where = "legs[" + std::to_string(i) + "]";
      const Instrument* ins = instrument_(order.legs[i].instrument);
      if (ins == nullptr) return reject(where + ".instrument " + std::to_string(order.legs[i].instrument.value()) + " is unknown");
      if (!ins->is_option() || !ins->option) {
        return reject(where + " instrument " + ins->symbol + " is not an option (combos trade option legs only)");
      }
      if (i == 0) multiplier = ins->option->multiplier;
      if (ins->option->multiplier != multiplier) {
        return reject(where + " multiplier " + std::to_string(ins->option->multiplier) + " differs from legs[0]'s " +
                      std::to_string(multiplier) + " (a net price per unit needs one multiplier)");
      }
      leg_instruments.push_back(ins);
    }
    if (!whole) return reject("quantity " + order.quantity.to_string() + " is not a whole number of combo units");
  } else {
    const Instrument* ins = instrument_(order.instrument);
    if (ins == nullptr) return reject("instrument " + std::to_string(order.instrument.value()) + " is unknown");
    if (ins->asset_class == AssetClass::kIndex) return reject("instrument " + ins->symbol + " is an index (not tradable)");
    if (!ins->tick_size.is_positive()) {
      return reject("instrument " + ins->symbol + " has tick_size " + ins->tick_size.to_string() + " (must be > 0)");
    }
    if (ins->is_option()) {
      if (!ins->option) return reject("instrument " + ins->symbol + " is an option without an option spec");
      if (order.type == OrderType::kMarketOnOpen || order.type == OrderType::kMarketOnClose) {
        return reject("type " + std::string(to_string(order.type)) + " is for stock only, not option " + ins->symbol);
      }
      if (!whole) return reject("quantity " + order.quantity.to_string() + " is not a whole number of contracts");
    }
    single = ins;
  }

  // Matched as a local record first: it joins working_ only if still working afterwards (most
  // market orders fill at once).
  Working w(order);
  w.order.status = OrderStatus::kAccepted;
  w.order.fill_value = 0;
  w.order.avg_fill_price = Price{};
  w.order.ts_last = now;
  w.submitted = now;
  w.instrument = single;
  w.leg_instruments = std::move(leg_instruments);
  push_event(out, VenueEventKind::kAccepted, w.order, now);
  // The matching touches this order alone (the working ones were matched when their data came).
  if (config_.fill_model != FillModel::kNextOpen) match_at_submission(w, now, out);
  if (!w.done) {
    working_.push_back(std::move(w));
    last_bar_memo_->quiet = nullptr;  // something is working
  }
}

std::vector<VenueEvent> SimulatedVenue::cancel(const ClientOrderId& id, Timestamp now) {
  std::vector<VenueEvent> out;
  for (Working& w : working_) {
    if (!w.done && w.order.id == id) {
      cancel_order(w, now, "canceled on request", out);
      break;
    }
  }
  erase_done();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Market data.

std::vector<VenueEvent> SimulatedVenue::on_bar(const Bar& bar) {
  std::vector<VenueEvent> out;
  on_bar(bar, out);
  return out;
}

void SimulatedVenue::on_bar(const Bar& bar, std::vector<VenueEvent>& out) {
  // Every bar of the run comes through here, most with nothing working (orders that fill at
  // submission leave nothing behind): keeping the bar is then all there is to do, kept small
  // so that it needs no more than the memo's compare and the kept fields' copy; the lookup
  // and the matching are out of line.
  const std::int64_t key = bar.instrument.value();
  if (last_bar_memo_->key == key && last_bar_memo_->quiet != nullptr) {  // and so nothing is working
    last_bar_memo_->quiet->keep(bar);
    return;
  }
  match_bar(bar, out);
}

void SimulatedVenue::match_bar(const Bar& bar, std::vector<VenueEvent>& out) {
  const std::int64_t key = bar.instrument.value();
  BarMemo& memo = *last_bar_memo_;
  KeptBar* prev = memo.bar != nullptr && memo.key == key ? memo.bar : last_bar_.find(key);
  // A daily bar is a whole session; an intraday bar opens a session when the previous bar of
  // the instrument is from another UTC date (a US session never spans UTC midnight).
  const bool session_first =
      bar.timeframe >= kOneDay || prev == nullptr || prev->ts_event.utc_date() != bar.ts_event.utc_date();
  if (prev != nullptr) {
    prev->keep(bar);
  } else {
    memo = BarMemo{};  // a new slot may move the others
    prev = &last_bar_.insert_or_assign(key, KeptBar(bar));
  }
  memo.key = key;
  memo.bar = prev;  // and `quiet` when nothing is working (erase_done)
  for (Working& w : working_) {
    if (w.done || w.order.is_combo() || w.instrument->is_option() || w.order.instrument != bar.instrument) continue;
    match_stock_bar(w, bar, *prev, session_first, out);
  }
  erase_done();
}

std::vector<VenueEvent> SimulatedVenue::on_quote(const Quote& quote) {
  std::vector<VenueEvent> out;
  last_quote_.insert_or_assign(quote.instrument.value(), quote);
  if (config_.fill_model == FillModel::kQuote) {
    for (Working& w : working_) {
      if (w.done || w.order.is_combo() || w.instrument->is_option() || w.order.instrument != quote.instrument) continue;
      match_stock_quote(w, quote, quote.ts_recv, out);
    }
  }
  erase_done();
  return out;
}

std::vector<VenueEvent> SimulatedVenue::on_option_quotes(std::span<const OptionQuote> quotes, Timestamp ts) {
  std::vector<VenueEvent> out;
  const std::string* last_underlying = nullptr;
  for (const OptionQuote& q : quotes) {
    // A contract outside the universe cannot be named by any order: nothing to keep.
    const Instrument* ins = instrument_(q.instrument);
    if (ins == nullptr || !ins->option) continue;
    OptionState& st = last_option_quote_[q.instrument.value()];
    st.quote = q;
    st.snapshot = ts;
    st.used_bid = Quantity{};
    st.used_ask = Quantity{};
    // A snapshot is one underlying's chain: its timestamp is recorded once per underlying.
    if (last_underlying == nullptr || *last_underlying != ins->option->underlying) {
      last_underlying = &ins->option->underlying;
      snapshot_ts_.insert_or_assign(ins->option->underlying, ts);
    }
  }
  auto in_snapshot = [&](const Instrument& ins) {
    const OptionState* st = last_option_quote_.find(ins.id.value());
    return st != nullptr && st->snapshot == ts;
  };
  for (Working& w : working_) {
    if (w.done || ts <= w.submitted) continue;
    if (w.order.is_combo()) {
      bool any = false;
      bool all = true;
      for (const Instrument* leg : w.leg_instruments) {
        const bool in = in_snapshot(*leg);
        any = any || in;
        all = all && in;
      }
      if (!any) continue;
      w.attempted = true;
      if (all) match_combo(w, ts, out);
      finish_attempt(w, ts, out);
    } else if (w.instrument->is_option() && in_snapshot(*w.instrument)) {
      w.attempted = true;
      match_option(w, ts, out);
      finish_attempt(w, ts, out);
    }
  }
  erase_done();
  return out;
}

std::vector<VenueEvent> SimulatedVenue::on_session_close(Timestamp ts) {
  std::vector<VenueEvent> out;
  for (Working& w : working_) {
    if (w.done) continue;
    if (w.order.type == OrderType::kMarketOnClose) {
      // Intraday bars: the session's last bar is only known now. (Daily bars filled in on_bar.)
      if (KeptBar* last = last_bar_.find(w.order.instrument.value()); last != nullptr) {
        KeptBar& bar = *last;
        if (bar.ts_recv > w.submitted && bar.ts_recv <= ts && bar.ts_recv.utc_date() == ts.utc_date()) {
          fill_moc(w, bar, ts, out);
        }
      }
    }
    // An order submitted at or after the close belongs to the next session.
    if (!w.done && w.order.tif == TimeInForce::kDay && w.submitted < ts) {
      const Status st = apply_event(w.order, OrderEvent::kExpire, ts);
      KEEL_ASSERT(st.ok(), "venue: a working DAY order could not expire");
      out.push_back(make_event(VenueEventKind::kExpired, w.order, ts,
                               order_name(w.order) + ": DAY order expired at the session close with " +
                                   w.order.leaves_quantity().to_string() + " of " + w.order.quantity.to_string() +
                                   " unfilled"));
      w.done = true;
    }
  }
  erase_done();
  return out;
}

std::vector<VenueEvent> SimulatedVenue::on_split(InstrumentId underlying, std::string_view underlying_symbol,
                                                 std::int64_t ratio_to, std::int64_t ratio_from, Timestamp ts) {
  KEEL_ASSERT(ratio_to > 0 && ratio_from > 0, "on_split: ratios must be positive (validated corporate action)");
  std::vector<VenueEvent> out;
  const std::string ratio = std::to_string(ratio_to) + ":" + std::to_string(ratio_from);
  const std::string split_name = "split " + ratio + " of " + std::string(underlying_symbol);
  for (Working& w : working_) {
    if (w.done) continue;
    bool on_options = false;
    if (w.order.is_combo()) {
      for (const Instrument* leg : w.leg_instruments) on_options = on_options || leg->option->underlying == underlying_symbol;
    } else if (w.instrument->is_option()) {
      on_options = w.instrument->option->underlying == underlying_symbol;
    }
    if (on_options) {
      cancel_order(w, ts,
                   split_name + ": working option orders on " + std::string(underlying_symbol) +
                       " are canceled (OCC adjusts the contracts' deliverable and strike)",
                   out);
      continue;
    }
    if (w.order.is_combo() || w.order.instrument != underlying) continue;

    Order& o = w.order;
    const bool buy = is_buy(o.side);
    const i128 leaves = floor_div(static_cast<i128>(o.leaves_quantity().raw()) * ratio_to, ratio_from);
    const Quantity new_leaves = whole_shares_floor(leaves);
    if (!new_leaves.is_positive()) {
      cancel_order(w, ts,
                   split_name + ": the remaining " + o.leaves_quantity().to_string() +
                       " shares become less than one whole share",
                   out);
      continue;
    }
    const i128 filled = div_round(static_cast<i128>(o.filled_quantity.raw()) * ratio_to, ratio_from);
    const i128 quantity = filled + new_leaves.raw();
    // New price = old x from / to, on the tick grid, toward the less aggressive side: a buy
    // limit down, a sell limit up; a buy stop up (further above the market), a sell stop down.
    const i128 tick = w.instrument->tick_size.raw();
    auto adjust = [&](Price p, bool up) -> i128 {
      const i128 num = static_cast<i128>(p.raw()) * ratio_from;
      const i128 den = static_cast<i128>(ratio_to) * tick;
      return (up ? ceil_div(num, den) : floor_div(num, den)) * tick;
    };
    std::optional<i128> limit, stop;
    if (o.limit_price) limit = adjust(*o.limit_price, !buy);
    if (o.stop_price) stop = adjust(*o.stop_price, buy);
    if ((limit && *limit <= 0) || (stop && *stop <= 0)) {
      cancel_order(w, ts, split_name + ": the adjusted limit/stop price rounds to zero on the tick grid", out);
      continue;
    }
    const i128 avg = o.filled_quantity.is_zero()
                         ? 0
                         : div_round(static_cast<i128>(o.avg_fill_price.raw()) * ratio_from, ratio_to);
    if (!fits_i64(quantity) || !fits_i64(filled) || (limit && !fits_i64(*limit)) || (stop && !fits_i64(*stop))) {
      cancel_order(w, ts, split_name + ": the adjusted order is outside the fixed-point range", out);
      continue;
    }
    const int qprec = o.quantity.precision();
    o.quantity = Quantity::from_raw(static_cast<std::int64_t>(quantity), qprec);
    o.filled_quantity = Quantity::from_raw(static_cast<std::int64_t>(filled), qprec);
    o.avg_fill_price = Price::from_raw(static_cast<std::int64_t>(avg), o.avg_fill_price.precision());
    o.fill_value = avg * filled;
    if (limit) o.limit_price = Price::from_raw(static_cast<std::int64_t>(*limit), std::max(o.limit_price->precision(), w.instrument->tick_size.precision()));
    if (stop) o.stop_price = Price::from_raw(static_cast<std::int64_t>(*stop), std::max(o.stop_price->precision(), w.instrument->tick_size.precision()));
    o.ts_last = ts;
  }
  // Pre-split market state would price post-split orders: forget it until new data comes.
  *last_bar_memo_ = BarMemo{};
  last_bar_.erase(underlying.value());
  last_quote_.erase(underlying.value());
  snapshot_ts_.erase(std::string(underlying_symbol));
  erase_done();
  return out;
}

std::vector<Order> SimulatedVenue::working_orders() const {
  std::vector<Order> orders;
  orders.reserve(working_.size());
  for (const Working& w : working_) {
    if (!w.done) orders.push_back(w.order);
  }
  return orders;
}

// ---------------------------------------------------------------------------------------------
// Matching.

void SimulatedVenue::match_at_submission(Working& w, Timestamp now, std::vector<VenueEvent>& out) {
  const Order& o = w.order;
  if (o.is_combo()) {
    for (const Instrument* leg : w.leg_instruments) {
      if (!option_quote_current(*leg)) return;  // waits for a snapshot with every leg
    }
    w.attempted = true;
    match_combo(w, now, out);
    finish_attempt(w, now, out);
    return;
  }
  if (w.instrument->is_option()) {
    if (!option_quote_current(*w.instrument)) return;
    w.attempted = true;
    match_option(w, now, out);
    finish_attempt(w, now, out);
    return;
  }
  // Stock: only market and limit orders can execute at submission; stops and auction orders
  // need a later bar.
  if (o.type != OrderType::kMarket && o.type != OrderType::kLimit) return;
  KeptBar* bit = last_bar_.find(o.instrument.value());
  if (bit == nullptr) return;  // no data yet: waits (not a rejection)
  KeptBar& bar = *bit;
  const bool buy = is_buy(o.side);
  Price base = bar.close();
  if (config_.fill_model == FillModel::kQuote) {
    const Quote* qit = last_quote_.find(o.instrument.value());
    if (qit != nullptr && qit->ts_recv >= bar.ts_recv) base = buy ? qit->ask : qit->bid;
  }
  w.attempted = true;
  const bool priced = base.is_positive() && (!has_limit(o) || (buy ? base <= *o.limit_price : base >= *o.limit_price));
  if (priced) fill_stock(w, o.leaves_quantity(), base, bar, now, out);
  finish_attempt(w, now, out);
}

void SimulatedVenue::match_stock_bar(Working& w, const Bar& bar, KeptBar& kept, bool session_first_bar,
                                     std::vector<VenueEvent>& out) {
  const Order& o = w.order;
  if (o.type == OrderType::kMarketOnClose) {
    if (bar.timeframe >= kOneDay && bar.ts_recv > w.submitted) fill_moc(w, kept, bar.ts_recv, out);
    return;
  }
  // No look-ahead: a bar that began before the order existed never fills it.
  if (bar.ts_event < w.submitted) return;
  const Timestamp ts = bar.ts_recv;
  const bool buy = is_buy(o.side);
  const Quantity leaves = o.leaves_quantity();
  // Limit rule: trade-through only; a bar that merely touches the limit does not fill.
  auto limit_rule = [&](Price limit) {
    if (buy && bar.low < limit) fill_stock(w, leaves, std::min(bar.open, limit), kept, ts, out);
    if (!buy && bar.high > limit) fill_stock(w, leaves, std::max(bar.open, limit), kept, ts, out);
  };
  w.attempted = true;
  switch (o.type) {
    case OrderType::kMarket:
      fill_stock(w, leaves, bar.open, kept, ts, out);
      break;
    case OrderType::kLimit:
      limit_rule(*o.limit_price);
      break;
    case OrderType::kMarketOnOpen:
      if (session_first_bar) fill_stock(w, leaves, bar.open, kept, ts, out);
      break;
    case OrderType::kStop: {
      if (w.triggered) {
        fill_stock(w, leaves, bar.open, kept, ts, out);
        break;
      }
      const Price stop = *o.stop_price;
      if (buy ? bar.high >= stop : bar.low <= stop) {
        w.triggered = true;
        fill_stock(w, leaves, buy ? std::max(bar.open, stop) : std::min(bar.open, stop), kept, ts, out);
      }
      break;
    }
    case OrderType::kStopLimit: {
      const Price limit = *o.limit_price;
      if (w.triggered) {
        limit_rule(limit);
        break;
      }
      const Price stop = *o.stop_price;
      if (!(buy ? bar.high >= stop : bar.low <= stop)) break;
      w.triggered = true;
      const bool gap = buy ? bar.open >= stop : bar.open <= stop;
      if (gap) {
        limit_rule(limit);  // triggered at the open: the whole bar is after the trigger
      } else if (buy ? stop < limit : stop > limit) {
        // Triggered inside the bar at the stop price, which is strictly inside the limit. A
        // limit beyond the stop needs a later bar: the order of the bar's high and low is
        // unknown.
        fill_stock(w, leaves, stop, kept, ts, out);
      }
      break;
    }
    case OrderType::kMarketOnClose:
      break;  // handled above
  }
  finish_attempt(w, ts, out);
}

void SimulatedVenue::match_stock_quote(Working& w, const Quote& quote, Timestamp ts, std::vector<VenueEvent>& out) {
  const Order& o = w.order;
  if (quote.ts_recv <= w.submitted) return;
  if (o.type == OrderType::kMarketOnOpen || o.type == OrderType::kMarketOnClose) return;
  const bool stop_type = o.type == OrderType::kStop || o.type == OrderType::kStopLimit;
  if (stop_type && !w.triggered) return;  // stops trigger on bars
  KeptBar* bit = last_bar_.find(o.instrument.value());
  if (bit == nullptr) return;  // participation needs a bar's volume
  const bool buy = is_buy(o.side);
  const Price base = buy ? quote.ask : quote.bid;
  w.attempted = true;
  const bool priced = base.is_positive() && (!has_limit(o) || (buy ? base <= *o.limit_price : base >= *o.limit_price));
  if (priced) fill_stock(w, o.leaves_quantity(), base, *bit, ts, out);
  finish_attempt(w, ts, out);
}

void SimulatedVenue::fill_moc(Working& w, KeptBar& bar, Timestamp ts, std::vector<VenueEvent>& out) {
  fill_stock(w, w.order.leaves_quantity(), bar.close(), bar, ts, out);
}

void SimulatedVenue::fill_stock(Working& w, Quantity qty_wanted, Price base, KeptBar& bar, Timestamp ts,
                                std::vector<VenueEvent>& out) {
  if (w.done) return;
  Order& o = w.order;
  if (bar.use_bar != bar.ts_event) {  // the first fill on this bar
    bar.use_bar = bar.ts_event;
    bar.used = Quantity{};
  }
  // Participation: floor(cap x volume) whole shares per bar, shared by every order on it.
  const Quantity cap = participation_cap_shares(participation_e8_, bar.volume());
  const Quantity available = cap > bar.used ? cap - bar.used : Quantity{};
  const Quantity qty = qmin(qty_wanted, available);
  if (!qty.is_positive()) return;
  const bool all_or_none = o.all_or_none || o.tif == TimeInForce::kFok;
  if (all_or_none && qty < o.leaves_quantity()) return;

  const Result<Price> priced = stock_price_with_costs(w, base, qty, bar);
  if (!priced) {
    cancel_order(w, ts, priced.error().message, out);
    return;
  }
  auto fees = charge_fees(w, *w.instrument, o.side, qty, *priced, ts);
  if (!fees) {
    cancel_order(w, ts, "fees: " + fees.error().message, out);
    return;
  }
  const Status st = apply_fill(o, qty, *priced, ts);
  KEEL_ASSERT(st.ok(), "venue: a checked stock fill was refused by apply_fill");
  bar.used += qty;

  VenueEvent& ev = push_event(out, VenueEventKind::kFilled, o, ts);
  ev.order_quantity = qty;
  ev.order_price = *priced;
  add_fill(ev, o, qty, *priced, *fees, ts);
  if (o.status == OrderStatus::kFilled) w.done = true;
}

Result<Price> SimulatedVenue::stock_price_with_costs(const Working& w, Price base, Quantity qty,
                                                     const KeptBar& bar) const {
  const Order& o = w.order;
  const bool buy = is_buy(o.side);
  double fraction = config_.slippage_bps / 10'000.0;
  if (config_.impact_coefficient > 0.0 && bar.close_raw > 0 && bar.volume_raw > 0) {
    // Square-root impact: k x sigma x sqrt(q / V), sigma = the bar's range over its close.
    const double sigma = (Price::from_raw(bar.high_raw).to_double() - Price::from_raw(bar.low_raw).to_double()) /
                         bar.close().to_double();
    fraction += config_.impact_coefficient * sigma * std::sqrt(qty.to_double() / bar.volume().to_double());
  }
  Price price = base;
  if (fraction > 0.0) {
    auto delta = Price::from_double(base.to_double() * fraction, kFixedMaxPrecision);
    if (!delta) return make_error(ErrorCode::kOutOfRange, order_name(o) + ": cost model: " + delta.error().message);
    auto moved = buy ? base.checked_add(*delta) : base.checked_sub(*delta);
    if (!moved) return make_error(ErrorCode::kOutOfRange, order_name(o) + ": cost model: price out of range");
    price = round_to_tick(*moved, w.instrument->tick_size, buy);
  }
  // A limit order never trades through its own limit: costs stop at the limit.
  if (o.limit_price) price = buy ? std::min(price, *o.limit_price) : std::max(price, *o.limit_price);
  if (!price.is_positive()) {
    return make_error(ErrorCode::kOutOfRange, order_name(o) + ": slippage and impact take the sale price of " +
                                                  base.to_string() + " to " + price.to_string() + " (<= 0); order canceled");
  }
  return price;
}

std::optional<Price> SimulatedVenue::option_price(const OptionQuote& q, OrderSide side) const {
  const bool buy = is_buy(side);
  if (buy && !q.ask.is_positive()) return std::nullopt;
  if (!buy && !q.bid.is_positive()) return std::nullopt;  // nobody bids: a sale cannot fill
  if (config_.option_price == OptionPriceModel::kBidAsk) return buy ? q.ask : q.bid;
  // mid +/- f x half-spread = ((ask + bid) +/- f x (ask - bid)) / 2, kept as a fraction over
  // 2 x 1e8 so the only rounding is the final one to the tick, against the trader.
  const i128 a = q.ask.raw();
  const i128 b = q.bid.raw();
  const i128 f = mid_fraction_e8_;
  const i128 num = buy ? (a + b) * kScale + f * (a - b) : (a + b) * kScale - f * (a - b);
  const i128 den = 2 * static_cast<i128>(kScale);
  const i128 tick = option_tick(q, num / den);
  i128 raw = buy ? ceil_div(num, den * tick) * tick : floor_div(num, den * tick) * tick;
  // Never beyond the touch (possible only when the touch is off the tick grid).
  if (buy && raw > a) raw = a;
  if (!buy && raw < b) raw = b;
  const int precision = std::max({2, q.ask.precision(), q.bid.precision()});
  return Price::from_raw(static_cast<std::int64_t>(raw), precision);
}

bool SimulatedVenue::option_quote_current(const Instrument& option) const {
  const OptionState* st = last_option_quote_.find(option.id.value());
  if (st == nullptr || !option.option) return false;
  auto s = snapshot_ts_.find(option.option->underlying);
  return s != snapshot_ts_.end() && st->snapshot == s->second;
}

void SimulatedVenue::match_option(Working& w, Timestamp ts, std::vector<VenueEvent>& out) {
  if (w.done) return;
  Order& o = w.order;
  OptionState* found = last_option_quote_.find(o.instrument.value());
  if (found == nullptr) return;
  OptionState& st = *found;
  const OptionQuote& q = st.quote;
  const bool buy = is_buy(o.side);
  if ((o.type == OrderType::kStop || o.type == OrderType::kStopLimit) && !w.triggered) {
    // Option stops trigger on the quote: a buy stop when the ask reaches it, a sell stop when
    // the bid falls to it.
    const bool hit = buy ? (q.ask.is_positive() && q.ask >= *o.stop_price) : q.bid <= *o.stop_price;
    if (!hit) return;
    w.triggered = true;
  }
  const auto p = option_price(q, o.side);
  if (!p) return;
  if (o.limit_price && (buy ? *p > *o.limit_price : *p < *o.limit_price)) return;
  const Quantity leaves = o.leaves_quantity();
  Quantity qty = leaves;
  Quantity& used = buy ? st.used_ask : st.used_bid;
  if (config_.cap_options_at_displayed_size) {
    const Quantity size = buy ? q.ask_size : q.bid_size;
    if (size.is_positive()) {
      const Quantity avail = size > used ? whole_shares_floor(size.raw() - used.raw()) : Quantity{};
      qty = qmin(qty, avail);
    }
  }
  if (!qty.is_positive()) return;
  if ((o.all_or_none || o.tif == TimeInForce::kFok) && qty < leaves) return;
  auto fees = charge_fees(w, *w.instrument, o.side, qty, *p, ts);
  if (!fees) {
    cancel_order(w, ts, "fees: " + fees.error().message, out);
    return;
  }
  const Status s = apply_fill(o, qty, *p, ts);
  KEEL_ASSERT(s.ok(), "venue: a checked option fill was refused by apply_fill");
  used += qty;
  VenueEvent& ev = push_event(out, VenueEventKind::kFilled, o, ts);
  ev.order_quantity = qty;
  ev.order_price = *p;
  add_fill(ev, o, qty, *p, *fees, ts);
  if (o.status == OrderStatus::kFilled) w.done = true;
}

void SimulatedVenue::match_combo(Working& w, Timestamp ts, std::vector<VenueEvent>& out) {
  if (w.done) return;
  Order& o = w.order;
  const Quantity units = o.leaves_quantity();
  struct LegFill {
    OptionState* state;
    OrderSide side;  // executed direction
    Quantity qty;
    Price price;
  };
  std::vector<LegFill> legs;
  legs.reserve(o.legs.size());
  i128 net = 0;
  int precision = 2;
  for (std::size_t i = 0; i < o.legs.size(); ++i) {
    const ComboLeg& leg = o.legs[i];
    OptionState* found = last_option_quote_.find(leg.instrument.value());
    if (found == nullptr) return;
    OptionState& st = *found;
    // A bought combo executes its legs as written, a sold one reverses them.
    const OrderSide side = is_buy(o.side) ? leg.side : opposite(leg.side);
    const auto p = option_price(st.quote, side);
    if (!p) return;
    const auto leg_qty = units.checked_mul(leg.ratio);
    if (!leg_qty) return;
    if (config_.cap_options_at_displayed_size) {
      const Quantity size = is_buy(side) ? st.quote.ask_size : st.quote.bid_size;
      const Quantity used = is_buy(side) ? st.used_ask : st.used_bid;
      if (size.is_positive() && *leg_qty > size - used) return;  // all-or-none: the whole combo or nothing
    }
    // Net as written (order.hpp): + for legs written as buys, - for legs written as sells.
    net += (is_buy(leg.side) ? 1 : -1) * static_cast<i128>(leg.ratio) * p->raw();
    precision = std::max(precision, p->precision());
    legs.push_back(LegFill{&st, side, *leg_qty, *p});
  }
  if (!fits_i64(net)) return;
  const Price net_price = Price::from_raw(static_cast<std::int64_t>(net), precision);
  if (o.limit_price && (is_buy(o.side) ? net_price > *o.limit_price : net_price < *o.limit_price)) return;

  VenueEvent ev = make_event(VenueEventKind::kFilled, o, ts);
  ev.order_quantity = units;
  ev.order_price = net_price;
  for (std::size_t i = 0; i < legs.size(); ++i) {
    auto fees = charge_fees(w, *w.leg_instruments[i], legs[i].side, legs[i].qty, legs[i].price, ts);
    if (!fees) {
      cancel_order(w, ts, "fees: " + fees.error().message, out);
      return;
    }
    ev.fills.push_back(Fill{o.id, o.legs[i].instrument, legs[i].side, legs[i].qty, legs[i].price, fees->commission,
                            fees->regulatory, ts});
  }
  const Status s = apply_fill(o, units, net_price, ts);
  KEEL_ASSERT(s.ok(), "venue: a checked combo fill was refused by apply_fill");
  for (LegFill& lf : legs) {
    Quantity& used = is_buy(lf.side) ? lf.state->used_ask : lf.state->used_bid;
    used += lf.qty;
  }
  out.push_back(std::move(ev));
  w.done = true;
}

int SimulatedVenue::month_of(Timestamp ts) {
  // YYYYMM of the fill's UTC date; the civil conversion runs once per month of fills.
  const std::int32_t day = ts.utc_date().days();
  if (day < month_first_day_ || day >= month_end_day_) {
    const Date d = Date::from_days(day);
    const int y = d.year(), m = d.month();
    month_yyyymm_ = y * 100 + m;
    month_first_day_ = Date::ymd(y, m, 1).days();
    month_end_day_ = (m == 12 ? Date::ymd(y + 1, 1, 1) : Date::ymd(y, m + 1, 1)).days();
  }
  return month_yyyymm_;
}

Result<FeeBreakdown> SimulatedVenue::charge_fees(Working& w, const Instrument& instrument, OrderSide side,
                                                 Quantity qty, Price price, Timestamp ts) {
  FeeInput in;
  in.asset_class = instrument.asset_class;
  in.side = side;
  in.quantity = qty;
  in.price = price;
  in.multiplier = instrument.option ? instrument.option->multiplier : 1;
  in.commission_already_charged = w.commission_charged;
  in.base_commission_already = w.base_commission_charged;
  in.value_already = w.value_charged;
  auto f = fees_.charge(in, month_of(ts));
  if (!f) return f.error().with_context(order_name(w.order));
  w.commission_charged += f->commission;
  w.base_commission_charged += f->base_commission;
  w.value_charged += f->trade_value;
  return f;
}

void SimulatedVenue::finish_attempt(Working& w, Timestamp ts, std::vector<VenueEvent>& out) {
  if (w.done || !w.attempted) return;
  const Order& o = w.order;
  if (o.tif == TimeInForce::kIoc) {
    cancel_order(w, ts, "IOC remainder of " + o.leaves_quantity().to_string() + " canceled after the first matching attempt",
                 out);
  } else if (o.tif == TimeInForce::kFok) {
    cancel_order(w, ts, "FOK not filled in full (" + o.quantity.to_string() + ") at the first matching attempt", out);
  }
}

void SimulatedVenue::cancel_order(Working& w, Timestamp ts, std::string reason, std::vector<VenueEvent>& out) {
  if (w.done) return;
  const Status st = apply_event(w.order, OrderEvent::kCancel, ts);
  KEEL_ASSERT(st.ok(), "venue: a working order could not be canceled");
  if (reason.rfind("order ", 0) != 0) reason = order_name(w.order) + ": " + reason;
  push_event(out, VenueEventKind::kCanceled, w.order, ts, std::move(reason));
  w.done = true;
}

void SimulatedVenue::erase_done() {
  std::erase_if(working_, [](const Working& w) { return w.done; });
  if (working_.empty()) last_bar_memo_->quiet = last_bar_memo_->bar;
}

}  // namespace keel::execution
