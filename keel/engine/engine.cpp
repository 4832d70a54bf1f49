#include "keel/engine/engine.hpp"

#include <algorithm>
#include <cmath>
#include <charconv>
#include <cstdio>
#include <utility>

#include "keel/model/occ_symbol.hpp"

namespace keel::engine {

using execution::Order;
using execution::OrderEvent;
using execution::OrderSide;
using execution::VenueEvent;
using execution::VenueEventKind;
using strategy::OptionEvent;
using strategy::OptionEventKind;

// ---- Universe ---------------------------------------------------------------------------------

const Instrument* Universe::find(InstrumentId id) const {
  const Instrument* const* found = by_id.find(id.value());
  return found == nullptr ? nullptr : *found;
}

const Instrument* Universe::find(std::string_view symbol) const {
  auto it = by_symbol.find(symbol);
  return it == by_symbol.end() ? nullptr : it->second;
}

void Universe::add(const Instrument& instrument) {
  if (by_id.find(instrument.id.value()) != nullptr) return;
  instruments.push_back(instrument);
  const Instrument* p = &instruments.back();
  by_id.insert_or_assign(instrument.id.value(), p);
  by_symbol.emplace(instrument.symbol, p);
}

// ---- Config -----------------------------------------------------------------------------------

Status EngineConfig::validate() const {
  if (!capital.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument, "capital " + capital.to_string() + " must be positive");
  }
  if (!(rate > -0.5 && rate < 1.0)) return make_error(ErrorCode::kInvalidArgument, "rate must be in (-0.5, 1)");
  if (!(dividend_yield > -0.5 && dividend_yield < 1.0)) {
    return make_error(ErrorCode::kInvalidArgument, "dividend_yield must be in (-0.5, 1)");
  }
  if (history_limit == 0) return make_error(ErrorCode::kInvalidArgument, "history_limit must be at least 1");
  if (!(cash_rate >= 0.0 && cash_rate < 1.0)) return make_error(ErrorCode::kInvalidArgument, "cash_rate must be in [0, 1)");
  if (!(margin_rate >= 0.0 && margin_rate < 1.0)) {
    return make_error(ErrorCode::kInvalidArgument, "margin_rate must be in [0, 1)");
  }
  KEEL_TRY_STATUS(execution.validate());
  KEEL_TRY_STATUS(lifecycle.validate());
  return ok_status();
}

// ---- Construction -----------------------------------------------------------------------------

Engine::Engine(EngineConfig config, MarketFeed& feed, strategy::Strategy& strategy, EngineObserver* observer,
               std::shared_ptr<Universe> universe, execution::SimulatedVenue venue,
               execution::ClientOrderIdGenerator ids)
    : config_(std::move(config)),
      feed_(feed),
      strategy_(strategy),
      observer_(observer),
      clock_(config_.clock != nullptr ? config_.clock : &sim_clock_),
      portfolio_(config_.capital, config_.account),
      venue_(std::move(venue)),
      ids_(std::move(ids)),
      universe_(std::move(universe)) {
  first_counter_ = ids_.peek_counter();
  lookup_fn_ = [this](InstrumentId i) { return universe_->find(i); };
  estimate_fn_ = [this](InstrumentId i, OrderSide side) -> std::optional<Price> {
    const Instrument* inst = universe_->find(i);
    if (inst == nullptr) return std::nullopt;
    if (inst->is_option()) {
      const OptionQuote* q = last_option_quote_.find(i.value());
      if (q == nullptr) return std::nullopt;
      return side == OrderSide::kBuy ? q->ask : q->bid;
    }
    return last_close(i);
  };
  uprice_fn_ = [this](std::string_view u) { return underlying_price(u); };
}

Result<std::unique_ptr<Engine>> Engine::create(EngineConfig config, MarketFeed& feed, strategy::Strategy& strategy,
                                               EngineObserver* observer) {
  KEEL_TRY_STATUS(config.validate());
  auto universe = std::make_shared<Universe>();
  for (const Instrument& i : feed.universe()) universe->add(i);
  std::shared_ptr<const Universe> lookup = universe;
  KEEL_TRY(venue, execution::SimulatedVenue::create(
                      config.execution, [lookup](InstrumentId id) -> const Instrument* { return lookup->find(id); }));
  KEEL_TRY(ids, execution::ClientOrderIdGenerator::create(StrategyId(config.order_id_prefix)));
  // Sleeves: named, disjoint underlyings, weights in (0, 1] summing to at most 1; each ledger
  // starts with its weight of the capital (rounded to the cent; the account keeps the rest).
  std::vector<strategy::SleeveSpec> sleeves = strategy.sleeves();
  std::vector<portfolio::Portfolio> books;
  std::map<std::string, std::size_t, std::less<>> owner;
  Money allocated = Money::zero(2);
  for (std::size_t i = 0; i < sleeves.size(); ++i) {
    const strategy::SleeveSpec& sl = sleeves[i];
    const std::string name = "sleeve '" + sl.name + "'";
    if (sl.name.empty()) return make_error(ErrorCode::kInvalidArgument, "sleeve " + std::to_string(i + 1) + " has no name");
    for (std::size_t j = 0; j < i; ++j) {
      if (sleeves[j].name == sl.name) return make_error(ErrorCode::kInvalidArgument, name + " is named twice");
    }
    if (!(sl.weight > 0.0 && sl.weight <= 1.0)) {
      return make_error(ErrorCode::kInvalidArgument, name + ": weight " + std::to_string(sl.weight) + " is not in (0, 1]");
    }
    if (sl.underlyings.empty()) return make_error(ErrorCode::kInvalidArgument, name + " owns no underlying");
    for (const std::string& u : sl.underlyings) {
      auto [it, fresh] = owner.emplace(u, i);
      if (!fresh) {
        return make_error(ErrorCode::kInvalidArgument, u + " is owned by two sleeves ('" + sleeves[it->second].name +
                                                           "' and '" + sl.name + "'); sleeves' underlyings must be disjoint");
      }
    }
    KEEL_TRY(share, scale(config.capital, std::llround(sl.weight * 1e6), 1'000'000));
    allocated += share;
    if (allocated > config.capital) {
      return make_error(ErrorCode::kInvalidArgument, "sleeve weights add up to more than the capital");
    }
    if (!share.is_positive()) return make_error(ErrorCode::kInvalidArgument, name + ": its share of the capital is zero");
    books.emplace_back(share, config.account);
  }
  std::unique_ptr<Engine> engine(
      new Engine(std::move(config), feed, strategy, observer, std::move(universe), std::move(venue), std::move(ids)));
  engine->sleeves_ = std::move(sleeves);
  engine->books_ = std::move(books);
  engine->owner_ = std::move(owner);
  return engine;
}

// ---- Sleeves ----------------------------------------------------------------------------------

const portfolio::Portfolio& Engine::book(std::string_view underlying) const {
  auto it = owner_.find(underlying);
  return it == owner_.end() ? portfolio_ : books_[it->second];
}

portfolio::Portfolio* Engine::sleeve_book(std::string_view underlying) {
  auto it = owner_.find(underlying);
  return it == owner_.end() ? nullptr : &books_[it->second];
}

Status Engine::mirror_into(std::string_view underlying, const std::function<Status(portfolio::Portfolio&)>& booking) {
  portfolio::Portfolio* b = sleeve_book(underlying);
  if (b == nullptr) return ok_status();
  Status st = booking(*b);
  if (!st) {
    return make_error(ErrorCode::kInternal, "sleeve '" + sleeves_[owner_.find(underlying)->second].name +
                                                "' could not book what the account booked: " + st.error().message);
  }
  return ok_status();
}

Status Engine::check_sleeve(const Order& order, const std::vector<Order>& working,
                            const portfolio::PriceEstimate& estimate, const portfolio::UnderlyingPrice& uprice) const {
  if (books_.empty()) return ok_status();
  auto owner_of = [this](InstrumentId i) -> std::optional<std::size_t> {
    const Instrument* inst = universe_->find(i);
    auto it = inst == nullptr ? owner_.end() : owner_.find(underlying_symbol(*inst));
    if (it == owner_.end()) return std::nullopt;
    return it->second;
  };
  std::optional<std::size_t> sleeve;
  auto claim = [&](InstrumentId i) -> Status {
    const std::optional<std::size_t> o = owner_of(i);
    if (!o) {
      return make_error(ErrorCode::kRejected,
                        "order " + order.id.value() + ": no sleeve owns " + universe_->find(i)->symbol);
    }
    if (sleeve && *sleeve != *o) {
      return make_error(ErrorCode::kRejected, "order " + order.id.value() + " spans sleeves '" + sleeves_[*sleeve].name +
                                                  "' and '" + sleeves_[*o].name + "'");
    }
    sleeve = o;
    return ok_status();
  };
  if (order.is_combo()) {
    for (const auto& leg : order.legs) KEEL_TRY_STATUS(claim(leg.instrument));
  } else {
    KEEL_TRY_STATUS(claim(order.instrument));
  }
  // The sleeve's own working orders (every leg of an order belongs to one sleeve).
  std::vector<Order> mine;
  for (const Order& w : working) {
    const InstrumentId first = w.is_combo() ? w.legs.front().instrument : w.instrument;
    if (owner_of(first) == sleeve) mine.push_back(w);
  }
  Status st = books_[*sleeve].check_order(order, mine, lookup_fn_, estimate, uprice, execution::Validated::kYes);
  if (!st) return make_error(st.error().code, "sleeve '" + sleeves_[*sleeve].name + "': " + st.error().message);
  return ok_status();
}

// ---- Context ----------------------------------------------------------------------------------

void Engine::advance_clock(Timestamp t) {
  if (clock_ == &sim_clock_) sim_clock_.advance_to(t);
}

const Instrument* Engine::instrument(InstrumentId id) const { return universe_->find(id); }
const Instrument* Engine::find_instrument(std::string_view symbol) const { return universe_->find(symbol); }

std::span<const Bar> Engine::history(InstrumentId id, std::size_t n) const {
  const BarHistory* found = history_.find(id.value());
  if (found == nullptr) return {};
  // At most history_limit bars (strategy.hpp's contract), whatever the ring keeps beyond it.
  return found->recent(std::min(n, config_.history_limit));
}

const strategy::OptionChain* Engine::chain(std::string_view underlying) const {
  auto it = chains_.find(underlying);
  return it == chains_.end() ? nullptr : &it->second;
}

std::vector<Order> Engine::open_orders() const {
  std::vector<Order> out;
  copy_working_orders(out);
  return out;
}

void Engine::copy_working_orders(std::vector<Order>& out) const {
  out.clear();
  out.reserve(working_.size());
  for (const BookEntry* entry : working_) out.push_back(entry->order);
}

Engine::BookEntry* Engine::find_entry(std::string_view id) {
  return const_cast<BookEntry*>(std::as_const(*this).find_entry(id));
}

const Engine::BookEntry* Engine::find_entry(std::string_view id) const {
  const std::size_t dash = id.rfind('-');
  if (dash == std::string_view::npos) return nullptr;
  std::uint64_t counter = 0;
  const char* end = id.data() + id.size();
  const auto [p, ec] = std::from_chars(id.data() + dash + 1, end, counter);
  if (ec != std::errc{} || p != end || counter < first_counter_ || counter - first_counter_ >= by_counter_.size()) {
    return nullptr;
  }
  const std::uint32_t seq = by_counter_[counter - first_counter_];
  if (seq == kNoEntry) return nullptr;
  const BookEntry& e = book_[seq];
  return e.order.id.value() == id ? &e : nullptr;  // the whole id, prefix and padding included
}

Engine::BookEntry& Engine::add_entry(Order&& order, const std::string& reason, bool working) {
  // ids_ has issued counters first_counter_ .. peek_counter() - 1; this order has the last one.
  const std::uint64_t issued = ids_.peek_counter() - first_counter_;
  by_counter_.resize(issued, kNoEntry);
  by_counter_[issued - 1] = static_cast<std::uint32_t>(book_.size());
  BookEntry& entry = book_.emplace_back(std::move(order), reason, working);  // built in place
  if (working) working_.push_back(&entry);
  return entry;
}

void Engine::track(BookEntry& entry) {
  if (entry.working && execution::is_terminal(entry.order.status)) {
    working_.erase(std::find(working_.begin(), working_.end(), &entry));
    entry.working = false;
  }
}

const Order* Engine::order(const ClientOrderId& id) const {
  const BookEntry* e = find_entry(id.value());
  return e == nullptr ? nullptr : &e->order;
}

std::optional<Price> Engine::last_close(InstrumentId id) const {
  const BarHistory* h = history_.find(id.value());
  if (h == nullptr || h->empty()) return std::nullopt;
  return h->last().close;
}

std::optional<Price> Engine::option_mid(InstrumentId id) const {
  const OptionQuote* q = last_option_quote_.find(id.value());
  if (q == nullptr) return std::nullopt;
  return q->mid();
}

const Instrument* Engine::underlying_of(const Instrument& option) const {
  return option.option ? universe_->find(option.option->underlying) : nullptr;
}

std::optional<Price> Engine::underlying_price(std::string_view underlying) const {
  const Instrument* u = universe_->find(underlying);
  if (u == nullptr) return std::nullopt;
  return last_close(u->id);
}

void Engine::log(std::string_view message) {
  if (observer_ != nullptr) observer_->on_log(now(), message);
}

Status Engine::set_timer(Timestamp at, std::string tag) {
  if (at <= now()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "timer '" + tag + "' at " + at.to_string() + " is not after now " + now().to_string());
  }
  timers_.push(PendingTimer{at, timer_seq_++, std::move(tag)});
  return ok_status();
}

Result<ClientOrderId> Engine::submit(const strategy::OrderRequest& request) {
  if (warming_up()) {
    return make_error(ErrorCode::kRejected, "order refused during warm-up (trading starts " +
                                                config_.start.to_string() + ", now " + today_.to_string() + ")");
  }
  Order order;
  KEEL_TRY(issued, ids_.next());
  order.id = std::move(issued);  // moved, not copied: every copy of a short id is a memcpy call
  order.instrument = request.instrument;
  order.legs = request.legs;
  order.side = request.side;
  order.type = request.type;
  order.tif = request.tif;
  order.quantity = request.quantity;
  order.limit_price = request.limit_price;
  order.stop_price = request.stop_price;
  order.all_or_none = request.all_or_none;
  order.ts_init = now();
  order.ts_last = now();
  KEEL_TRY_STATUS(execution::validate(order));
  // Unknown contracts are a programming or data error of the strategy: refuse, naming them.
  auto known = [&](InstrumentId i) -> Status {
    if (universe_->find(i) == nullptr) {
      return make_error(ErrorCode::kNotFound,
                        "order " + order.id.value() + ": unknown instrument id " + std::to_string(i.value()));
    }
    return ok_status();
  };
  if (order.is_combo()) {
    for (const auto& leg : order.legs) KEEL_TRY_STATUS(known(leg.instrument));
  } else {
    KEEL_TRY_STATUS(known(order.instrument));
  }
  // An option past its expiry cannot be traded.
  auto expired = [&](InstrumentId i) {
    const Instrument* inst = universe_->find(i);
    return inst->option && inst->option->expiry < today_;
  };
  const bool any_expired = order.is_combo()
                               ? std::any_of(order.legs.begin(), order.legs.end(),
                                             [&](const auto& leg) { return expired(leg.instrument); })
                               : expired(order.instrument);

  // The working orders and the pre-trade lookups go through members built once (no allocation
  // or std::function construction per order).
  std::vector<Order>& working = working_orders_;
  copy_working_orders(working);
  const portfolio::PriceEstimate& estimate = estimate_fn_;
  const std::function<const Instrument*(InstrumentId)>& lookup = lookup_fn_;
  const portfolio::UnderlyingPrice& uprice = uprice_fn_;
  Status check = any_expired ? Status(make_error(ErrorCode::kRejected, "order " + order.id.value() +
                                                                           ": the option has expired"))
                             : check_sleeve(order, working, estimate, uprice);
  if (check) check = portfolio_.check_order(order, working, lookup, estimate, uprice, execution::Validated::kYes);
  if (!check) {
    KEEL_TRY_STATUS(execution::apply_event(order, OrderEvent::kReject, now()));
    BookEntry& entry = add_entry(std::move(order), request.reason, false);
    pending_.emplace_back(&entry.order);
    KEEL_TRY_STATUS(drain());
    return check.error();
  }
  KEEL_TRY_STATUS(execution::apply_event(order, OrderEvent::kSubmit, now()));
  BookEntry& entry = add_entry(std::move(order), request.reason, true);
  // The events go through a reused buffer (apply_events calls no strategy code, so nothing can
  // submit again before it is consumed).
  submit_events_.clear();
  venue_.submit(entry.order, now(), submit_events_, execution::Validated::kYes);  // validated above
  if (!submit_events_.empty()) KEEL_TRY_STATUS(apply_events(submit_events_, &entry));
  KEEL_TRY_STATUS(drain());
  return entry.order.id;
}

Status Engine::cancel(const ClientOrderId& id) {
  BookEntry* found = find_entry(id.value());
  if (found == nullptr) return make_error(ErrorCode::kNotFound, "cancel: unknown order " + id.value());
  if (execution::is_terminal(found->order.status)) {
    return make_error(ErrorCode::kInvalidArgument, "cancel: order " + id.value() + " is already " +
                                                       std::string(execution::to_string(found->order.status)));
  }
  KEEL_TRY_STATUS(execution::apply_event(found->order, OrderEvent::kRequestCancel, now()));
  KEEL_TRY_STATUS(apply_venue_events(venue_.cancel(id, now())));
  KEEL_TRY_STATUS(drain());
  return ok_status();
}

// ---- Venue events -----------------------------------------------------------------------------

Status Engine::apply_events(std::vector<VenueEvent>& events, BookEntry* known) {
  // Consecutive events usually concern one order (a submission's all do: its caller passes the
  // entry): the id is compared, and looked up only when it changes.
  BookEntry* last = known;
  for (VenueEvent& ev : events) {
    if (last == nullptr || last->order.id != ev.order_id) {
      last = find_entry(ev.order_id.value());
      if (last == nullptr) {
        return make_error(ErrorCode::kInternal, "venue reported on unknown order " + ev.order_id.value());
      }
    }
    BookEntry& entry = *last;
    Order& order = entry.order;
    switch (ev.kind) {
      case VenueEventKind::kAccepted:
        KEEL_TRY_STATUS(execution::apply_event(order, OrderEvent::kAccept, ev.ts));
        break;
      case VenueEventKind::kRejected:
        KEEL_TRY_STATUS(execution::apply_event(order, OrderEvent::kReject, ev.ts));
        log("order " + order.id.value() + " rejected by the venue: " + ev.reason);
        pending_.emplace_back(&order);
        break;
      case VenueEventKind::kCanceled:
        KEEL_TRY_STATUS(execution::apply_event(order, OrderEvent::kCancel, ev.ts));
        pending_.emplace_back(&order);
        break;
      case VenueEventKind::kExpired:
        KEEL_TRY_STATUS(execution::apply_event(order, OrderEvent::kExpire, ev.ts));
        pending_.emplace_back(&order);
        break;
      case VenueEventKind::kFilled: {
        KEEL_TRY_STATUS(execution::apply_fill(order, ev.order_quantity, ev.order_price, ev.ts));
        const std::string& reason = entry.reason;
        for (execution::Fill& f : ev.fills) {  // moved into the notification queue once booked
          const Instrument* inst = universe_->find(f.instrument);
          if (inst == nullptr) {
            return make_error(ErrorCode::kInternal, "fill of order " + order.id.value() + " on unknown instrument");
          }
          Status booked = portfolio_.apply_fill(f, *inst, reason);
          if (!booked) {
            return make_error(booked.error().code, "order " + order.id.value() + ": fill of " +
                                                       f.quantity.to_string() + " " + inst->symbol + " at " +
                                                       f.price.to_string() + " could not be booked: " +
                                                       booked.error().message);
          }
          KEEL_TRY_STATUS(mirror(underlying_symbol(*inst),
                                 [&](portfolio::Portfolio& b) { return b.apply_fill(f, *inst, reason); }));
          pending_.emplace_back(std::move(f));  // the event is spent: its caller only clears it
        }
        pending_.emplace_back(&order);
        break;
      }
    }
    track(entry);
  }
  return ok_status();
}

Status Engine::strategy_error(const Status& status, std::string_view what) const {
  return make_error(status.error().code, now().to_string() + ": strategy " + std::string(strategy_.name()) + " " +
                                             std::string(what) + ": " + status.error().message);
}

Status Engine::drain_pending() {
  while (pending_head_ < pending_.size()) {
    // Moved out first: the callback may queue more (and the vector may reallocate).
    Notification n = std::move(pending_[pending_head_++]);
    if (pending_head_ == pending_.size()) {
      pending_.clear();
      pending_head_ = 0;
    }
    in_callback_ = true;
    Status st;
    if (const auto* fill = std::get_if<execution::Fill>(&n)) {
      st = strategy_call(strategy_.on_fill(*this, *fill), "on_fill");
    } else if (const auto* order = std::get_if<const Order*>(&n)) {
      st = strategy_call(strategy_.on_order_update(*this, **order), "on_order_update");
    } else {
      st = strategy_call(strategy_.on_option_event(*this, std::get<OptionEvent>(n)), "on_option_event");
    }
    in_callback_ = false;
    KEEL_TRY_STATUS(st);
  }
  return ok_status();
}

// ---- Run loop ---------------------------------------------------------------------------------

Status Engine::deliver_due_timers(Timestamp up_to, bool inclusive) {
  while (!timers_.empty() && (timers_.top().at < up_to || (inclusive && timers_.top().at == up_to))) {
    PendingTimer t = timers_.top();
    timers_.pop();
    advance_clock(t.at);
    in_callback_ = true;
    Status st = strategy_call(strategy_.on_timer(*this, strategy::Timer{t.at, t.tag}), "on_timer");
    in_callback_ = false;
    KEEL_TRY_STATUS(st);
    KEEL_TRY_STATUS(drain());
  }
  return ok_status();
}

Status Engine::run() {
  bool started = false;
  MarketSlice& slice = slice_;
  while (true) {
    KEEL_TRY(more, feed_.next(slice));
    if (!more) break;
    KEEL_TRY_STATUS(deliver_timers(slice.ts, false));
    advance_clock(slice.ts);
    today_ = slice.date;
    if (!started) {
      started = true;
      in_callback_ = true;
      Status st = strategy_call(strategy_.on_start(*this), "on_start");
      in_callback_ = false;
      KEEL_TRY_STATUS(st);
      KEEL_TRY_STATUS(drain());
    }
    if (slice.phase == SlicePhase::kOpen) {
      KEEL_TRY_STATUS(process_open(slice));
    } else {
      KEEL_TRY_STATUS(process_close(slice));
    }
  }
  if (!started) return make_error(ErrorCode::kNotFound, "the market feed delivered no data");
  in_callback_ = true;
  Status st = strategy_call(strategy_.on_end(*this), "on_end");
  in_callback_ = false;
  KEEL_TRY_STATUS(st);
  return drain();
}

Status Engine::process_open(const MarketSlice& slice) {
  for (const CorporateAction& a : slice.actions) {
    const Instrument* stock = universe_->find(a.instrument);
    if (stock == nullptr) continue;
    switch (a.kind) {
      case CorporateActionKind::kSplit:
        KEEL_TRY_STATUS(apply_split(a));
        break;
      case CorporateActionKind::kCashDividend:
        KEEL_TRY_STATUS(portfolio_.dividend_ex_date(*stock, a.amount, a.pay_date, slice.ts));
        KEEL_TRY_STATUS(mirror(stock->symbol, [&](portfolio::Portfolio& b) {
          return b.dividend_ex_date(*stock, a.amount, a.pay_date, slice.ts);
        }));
        break;
      case CorporateActionKind::kSymbolChange:
        log(stock->symbol + ": symbol change to " + a.new_symbol + " (positions keep their instrument)");
        break;
      case CorporateActionKind::kDelisting:
        if (!portfolio_.quantity(stock->id).is_zero()) {
          return make_error(ErrorCode::kUnsupported, slice.date.to_string() + ": " + stock->symbol +
                                                         " is delisted while a position is held; keel's backtester "
                                                         "does not model delisting proceeds yet");
        }
        break;
    }
  }
  portfolio_.settle_dividends(slice.date, slice.ts);
  for (portfolio::Portfolio& b : books_) b.settle_dividends(slice.date, slice.ts);
  return drain();
}

Result<portfolio::SplitMapping> Engine::map_option_on_split(const Instrument& old, std::int64_t to,
                                                            std::int64_t from) const {
  const OptionSpec& spec = *old.option;
  // OCC practice, as the data shows it: an adjusted series for this exact contract (root + "1",
  // same strike, deliverable x to/from) when one was listed; otherwise the standard contract at
  // strike / ratio for a whole-number ratio.
  if ((spec.multiplier * to) % from == 0) {
    auto adjusted = format_osi(OccSymbol{spec.underlying + "1", spec.expiry, spec.right, spec.strike});
    if (adjusted) {
      if (const Instrument* inst = universe_->find(*adjusted);
          inst != nullptr && inst->option && inst->option->multiplier == spec.multiplier * to / from) {
        return portfolio::SplitMapping{*inst, 1};
      }
    }
  }
  if (to % from == 0) {
    const std::int64_t r = to / from;
    if (spec.strike.raw() % r == 0) {
      OptionSpec s = spec;
      s.strike = Price::from_raw(spec.strike.raw() / r, 3);
      auto standard = make_option_instrument(s);
      if (standard) {
        if (const Instrument* inst = universe_->find(standard->symbol); inst != nullptr) {
          return portfolio::SplitMapping{*inst, r};
        }
      }
    }
  }
  return make_error(ErrorCode::kNotFound, "split " + std::to_string(to) + ":" + std::to_string(from) + " of " +
                                              spec.underlying + ": the data lists no post-split contract for " +
                                              old.symbol + " (neither an adjusted " + spec.underlying +
                                              "1 series nor the standard contract at strike/ratio)");
}

Status Engine::apply_split(const CorporateAction& a) {
  const Instrument& stock = *universe_->find(a.instrument);
  KEEL_TRY_STATUS(apply_venue_events(
      venue_.on_split(stock.id, stock.symbol, a.ratio_to, a.ratio_from, now())));
  // The venue adjusted the working stock orders' quantity and prices; mirror them in the book.
  for (const Order& w : venue_.working_orders()) {
    BookEntry* e = find_entry(w.id.value());
    if (e == nullptr || e->order.is_combo() || e->order.instrument != stock.id) continue;
    Order& mine = e->order;
    mine.quantity = w.quantity;
    mine.filled_quantity = w.filled_quantity;
    mine.limit_price = w.limit_price;
    mine.stop_price = w.stop_price;
    mine.avg_fill_price = w.avg_fill_price;
    mine.fill_value = w.fill_value;
  }
  // Cash in lieu of fractional shares at the last close on the new scale.
  Price reference = Price::from_raw(0, 2);
  if (auto close = last_close(stock.id)) {
    KEEL_TRY(scaled, scale(Money::from_raw(close->raw(), 8), a.ratio_from, a.ratio_to));
    reference = Price::from_raw(scaled.raw(), 8);
  }
  auto mapper = [this, &a](const Instrument& old) { return map_option_on_split(old, a.ratio_to, a.ratio_from); };
  KEEL_TRY_STATUS(portfolio_.apply_split(stock, a.ratio_to, a.ratio_from, reference, mapper, now()));
  KEEL_TRY_STATUS(mirror(stock.symbol, [&](portfolio::Portfolio& b) {
    return b.apply_split(stock, a.ratio_to, a.ratio_from, reference, mapper, now());
  }));
  log(stock.symbol + ": split " + std::to_string(a.ratio_to) + ":" + std::to_string(a.ratio_from) + " applied");
  return drain();
}

std::optional<Price> Engine::option_mark(std::int64_t id) const {
  const OptionQuote* q = last_option_quote_.find(id);
  if (q == nullptr || q->ts_recv != now()) return std::nullopt;
  return q->mid();
}

void Engine::mark_positions() {
  // Options at the mid of a quote from this instant's snapshot, stock at its last close.
  auto price_of = [this](std::int64_t id, const Instrument& inst) -> std::optional<Price> {
    return inst.is_option() ? option_mark(id) : last_close(InstrumentId(id));
  };
  portfolio_.mark_each(price_of);
  for (portfolio::Portfolio& b : books_) b.mark_each(price_of);  // a sleeve's positions are the account's
}

void Engine::mark_changed(const MarketSlice& slice) {
  // mark_positions() gives a position a new mark only when its price source changed in this
  // slice — a stock's bar (history's last close), an option's quote stamped now — or when it was
  // never marked (it then keeps its average price until a price is known). So once every
  // position is marked, marking the slice's bars and, when it has chains, the option positions
  // gives the same marks at the cost of the slice, not of every position. One difference: after
  // a corporate action adjusted a stock's mark (ex-dividend, split), an intraday slice without a
  // bar of that stock leaves the adjusted mark, where the full pass would put back the unadjusted
  // last close; the session-end pass (process_close's last step) is still a full one.
  bool all_marked = portfolio_.all_marked();
  for (const portfolio::Portfolio& b : books_) all_marked = all_marked && b.all_marked();
  if (!all_marked) return mark_positions();
  if (!portfolio_.positions().empty()) {
    for (const Bar& bar : slice.bars) {  // bar.close is history's last close: just appended
      portfolio_.mark_if_not_option(bar.instrument, bar.close);
      for (portfolio::Portfolio& b : books_) b.mark_if_not_option(bar.instrument, bar.close);
    }
  }
  if (slice.chains.empty()) return;
  auto option_price = [this](std::int64_t id, const Instrument& inst) -> std::optional<Price> {
    return inst.is_option() ? option_mark(id) : std::nullopt;
  };
  portfolio_.mark_each(option_price);
  for (portfolio::Portfolio& b : books_) b.mark_each(option_price);
}

Status Engine::process_close(MarketSlice& slice) {
  portfolio_.settle_dividends(slice.date, slice.ts);
  for (portfolio::Portfolio& b : books_) b.settle_dividends(slice.date, slice.ts);
  for (ChainSnapshot& snap : slice.chains) {
    for (const Instrument* i : snap.instruments) universe_->add(*i);
  }
  for (const Bar& bar : slice.bars) {
    // Bounded history (bar_history.hpp: a ring once full, so a bar is written once and moved
    // only when a reader needs the ring in order).
    BarHistory* known = history_.find(bar.instrument.value());
    BarHistory& h = known != nullptr ? *known
                                     : history_.insert_or_assign(bar.instrument.value(), BarHistory(config_.history_limit));
    venue_.on_bar(bar, bar_events_);  // into a reused buffer, empty between bars
    h.push(bar);
    if (!bar_events_.empty()) {  // apply_events runs no strategy code: nothing refills it meanwhile
      Status applied = apply_events(bar_events_);
      bar_events_.clear();
      KEEL_TRY_STATUS(applied);
    }
  }
  for (ChainSnapshot& snap : slice.chains) {
    for (const OptionQuote& q : snap.quotes) last_option_quote_.insert_or_assign(q.instrument.value(), q);
    KEEL_TRY_STATUS(apply_venue_events(venue_.on_option_quotes(snap.quotes, slice.ts)));
    std::optional<Price> spot = underlying_price(snap.underlying);
    const Instrument* u = universe_->find(snap.underlying);
    const bool bar_today = u != nullptr && !slice.bars.empty() &&
                           std::any_of(slice.bars.begin(), slice.bars.end(),
                                       [&](const Bar& b) { return b.instrument == u->id; });
    if (!bar_today) {
      // No bar today (a gap, reported by the feed): the snapshot's own underlying price if any.
      spot.reset();
      for (const OptionQuote& q : snap.quotes) {
        if (q.underlying_price.is_positive()) {
          spot = q.underlying_price;
          break;
        }
      }
    }
    if (!spot) {
      chains_.erase(snap.underlying);
      continue;
    }
    KEEL_TRY(chain, strategy::build_chain(snap.underlying, slice.ts, slice.date, *spot, snap.instruments, snap.quotes,
                                          config_.rate, config_.dividend_yield));
    chains_.insert_or_assign(snap.underlying, std::move(chain));
  }
  if (slice.session_end) KEEL_TRY_STATUS(apply_venue_events(venue_.on_session_close(slice.ts)));
  mark_changed(slice);
  KEEL_TRY_STATUS(drain());

  for (const Bar& bar : slice.bars) {
    in_callback_ = true;
    Status st = strategy_call(strategy_.on_bar(*this, bar), "on_bar");
    in_callback_ = false;
    KEEL_TRY_STATUS(st);
    KEEL_TRY_STATUS(drain());
  }
  for (const ChainSnapshot& snap : slice.chains) {
    auto it = chains_.find(snap.underlying);
    if (it == chains_.end()) continue;
    in_callback_ = true;
    Status st = strategy_call(strategy_.on_chain(*this, it->second), "on_chain");
    in_callback_ = false;
    KEEL_TRY_STATUS(st);
    KEEL_TRY_STATUS(drain());
  }
  KEEL_TRY_STATUS(deliver_timers(slice.ts, true));
  if (!slice.session_end) return ok_status();
  if (!warming_up()) KEEL_TRY_STATUS(run_lifecycle());
  if (!warming_up()) KEEL_TRY_STATUS(accrue_interest());
  mark_positions();
  if (!warming_up() && observer_ != nullptr) KEEL_TRY_STATUS(observer_->on_session_end(*this, slice.date));
  return ok_status();
}

// ---- Interest on cash -------------------------------------------------------------------------

Status Engine::accrue_interest() {
  if (config_.cash_rate == 0.0 && config_.margin_rate == 0.0) return ok_status();
  if (last_accrual_ && (last_accrual_->year() != today_.year() || last_accrual_->month() != today_.month())) {
    const std::string reason = "interest on cash to " + last_accrual_->to_string();
    portfolio_.post_interest(now(), reason);
    for (portfolio::Portfolio& b : books_) b.post_interest(now(), reason);
  }
  // The balance at today's close earns (or costs) interest until the next session.
  const auto next = calendar().next_trading_day(today_);
  const int days = next ? (*next - today_) : 1;
  KEEL_TRY_STATUS(portfolio_.accrue_interest(days, config_.cash_rate, config_.margin_rate, now()));
  for (portfolio::Portfolio& b : books_) {
    KEEL_TRY_STATUS(b.accrue_interest(days, config_.cash_rate, config_.margin_rate, now()));
  }
  last_accrual_ = today_;
  return ok_status();
}

// ---- Lifecycle --------------------------------------------------------------------------------

Status Engine::cancel_orders_on(InstrumentId id, std::string_view reason) {
  const std::vector<BookEntry*> entries = working_;  // cancelling changes working_
  for (BookEntry* entry : entries) {
    Order& o = entry->order;
    if (execution::is_terminal(o.status)) continue;
    const bool touches = o.is_combo() ? std::any_of(o.legs.begin(), o.legs.end(),
                                                    [&](const auto& leg) { return leg.instrument == id; })
                                      : o.instrument == id;
    if (!touches) continue;
    if (o.status != execution::OrderStatus::kPendingCancel) {
      KEEL_TRY_STATUS(execution::apply_event(o, OrderEvent::kRequestCancel, now()));
    }
    auto events = venue_.cancel(o.id, now());
    for (auto& ev : events) {
      if (ev.reason.empty()) ev.reason = std::string(reason);
    }
    KEEL_TRY_STATUS(apply_venue_events(std::move(events)));
  }
  return ok_status();
}

Status Engine::settle_option(const Instrument& option, Quantity position, ExpiryAction action, Price underlying_px,
                             OptionEventKind kind, const std::string& rule) {
  const bool is_long = position.is_positive();
  const Quantity contracts = is_long ? position : Quantity::zero() - position;
  bool called_away = false;
  if (action == ExpiryAction::kExpireWorthless) {
    KEEL_TRY_STATUS(portfolio_.expire_worthless(option.id, now(), rule));
    KEEL_TRY_STATUS(mirror(option.option->underlying,
                           [&](portfolio::Portfolio& b) { return b.expire_worthless(option.id, now(), rule); }));
  } else {
    const Instrument* u = underlying_of(option);
    if (u == nullptr) {
      return make_error(ErrorCode::kNotFound,
                        option.symbol + ": underlying '" + option.option->underlying + "' is not in the universe");
    }
    called_away = !is_long && option.option->right == OptionRight::kCall && portfolio_.quantity(u->id).is_positive();
    KEEL_TRY_STATUS(portfolio_.exercise_or_assign(option.id, contracts, *u, underlying_px, now(), rule));
    KEEL_TRY_STATUS(mirror(option.option->underlying, [&](portfolio::Portfolio& b) {
      return b.exercise_or_assign(option.id, contracts, *u, underlying_px, now(), rule);
    }));
  }
  report_option_event(kind, option, contracts, underlying_px, rule, called_away);
  return ok_status();
}

void Engine::report_option_event(OptionEventKind kind, const Instrument& option, Quantity contracts,
                                 Price underlying_px, std::string rule, bool called_away) {
  OptionEvent ev;
  ev.kind = kind;
  ev.ts = now();
  ev.option = option;
  ev.contracts = contracts;
  ev.underlying_price = underlying_px;
  ev.rule = std::move(rule);
  if (observer_ != nullptr) observer_->on_option_event(*this, ev, called_away);
  pending_.emplace_back(std::move(ev));
}

Status Engine::run_lifecycle() {
  const ExchangeCalendar& cal = calendar();
  const LifecycleConfig& lc = config_.lifecycle;
  // Snapshot the option positions first: settling changes the map.
  std::vector<std::pair<Instrument, Quantity>> options;
  for (const auto& [id, pos] : portfolio_.positions()) {
    if (pos.instrument->is_option()) options.emplace_back(pos.instrument, pos.quantity);
  }
  auto next_day = cal.next_trading_day(today_);
  for (const auto& [opt, qty] : options) {
    const OptionSpec& spec = *opt.option;
    const Instrument* u = underlying_of(opt);
    if (u == nullptr) continue;
    const std::optional<Price> s = last_close(u->id);
    if (spec.expiry <= today_) {
      // Expiry at today's close (or a missed expiry after a data gap: no option outlives it).
      if (!s) {
        return make_error(ErrorCode::kNotFound, today_.to_string() + ": no closing price of " + u->symbol +
                                                    " to settle " + opt.symbol + " at expiry");
      }
      KEEL_TRY_STATUS(cancel_orders_on(opt.id, "the option expires"));
      const ExpiryDecision d = decide_expiry(spec, qty.is_positive(), *s, lc);
      if (d.pin_risk) {
        report_option_event(OptionEventKind::kPinRisk, opt, qty.is_positive() ? qty : Quantity::zero() - qty, *s,
                            "pin risk: close " + s->to_string() + " within " + std::to_string(lc.pin_band * 100.0) +
                                "% of the strike " + deliverable_strike(spec).to_string(),
                            false);
      }
      OptionEventKind kind = OptionEventKind::kExpiredWorthless;
      switch (d.action) {
        case ExpiryAction::kExpireWorthless: kind = OptionEventKind::kExpiredWorthless; break;
        case ExpiryAction::kExercise: kind = OptionEventKind::kExercised; break;
        case ExpiryAction::kAssign: kind = OptionEventKind::kAssigned; break;
        case ExpiryAction::kCashSettle: kind = OptionEventKind::kCashSettled; break;
      }
      KEEL_TRY_STATUS(settle_option(opt, qty, d.action, *s, kind, d.rule));
      continue;
    }
    if (!qty.is_negative() || !s) continue;
    // Early assignment of short options.
    if (spec.right == OptionRight::kCall && next_day) {
      for (const CorporateAction& a : feed_.announcements()) {
        if (a.kind != CorporateActionKind::kCashDividend || a.instrument != u->id || a.ex_date != *next_day ||
            a.ts_recv > now()) {
          continue;
        }
        const std::optional<Price> mid = option_mid(opt.id);
        if (!mid) continue;
        if (auto rule = dividend_early_assignment(spec, *s, *mid, a.amount, lc)) {
          KEEL_TRY_STATUS(cancel_orders_on(opt.id, "early assignment"));
          KEEL_TRY_STATUS(settle_option(opt, qty, ExpiryAction::kAssign, *s, OptionEventKind::kEarlyAssigned, *rule));
        }
        break;
      }
    } else if (spec.right == OptionRight::kPut && lc.early_assignment_deep_itm_put) {
      const strategy::OptionChain* ch = chain(spec.underlying);
      const strategy::OptionRow* row = ch != nullptr ? ch->find(opt.id) : nullptr;
      if (row == nullptr || !intrinsic_value(spec, *s).is_positive()) continue;
      std::optional<double> vol = row->iv;
      if (!vol) vol = ch->atm_iv(std::max(row->dte, 1));
      if (!vol) continue;
      KEEL_TRY(rule, put_early_assignment(spec, *s, *vol, row->time, config_.rate, config_.dividend_yield, lc));
      if (rule) {
        KEEL_TRY_STATUS(cancel_orders_on(opt.id, "early assignment"));
        KEEL_TRY_STATUS(settle_option(opt, qty, ExpiryAction::kAssign, *s, OptionEventKind::kEarlyAssigned, *rule));
      }
    }
  }
  return drain();
}

}  // namespace keel::engine
