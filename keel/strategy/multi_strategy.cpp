#include "keel/strategy/multi_strategy.hpp"

#include <algorithm>
#include <set>

#include "keel/strategy/option_strategy_support.hpp"  // detail::fixed

namespace keel::strategy {
namespace {

std::string list_text(const std::vector<int>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + "]";
}

constexpr char kTimerSeparator = '|';

}  // namespace

// The Context a child sees: the account's, except for its ledger, its orders and its timers.
class MultiStrategy::SleeveContext final : public Context {
 public:
  SleeveContext(MultiStrategy& owner, std::size_t index) : owner_(owner), index_(index) {}
  Context* parent = nullptr;  // the engine's Context, set before every routed callback

  Timestamp now() const override { return parent->now(); }
  Date today() const override { return parent->today(); }
  const ExchangeCalendar& calendar() const override { return parent->calendar(); }
  bool warming_up() const override { return parent->warming_up(); }
  const Instrument* instrument(InstrumentId id) const override { return parent->instrument(id); }
  const Instrument* find_instrument(std::string_view symbol) const override { return parent->find_instrument(symbol); }
  std::span<const Bar> history(InstrumentId id, std::size_t n) const override { return parent->history(id, n); }
  const OptionChain* chain(std::string_view underlying) const override { return parent->chain(underlying); }
  const portfolio::Portfolio& portfolio() const override { return parent->book(spec().underlyings.front()); }
  const portfolio::Portfolio& book(std::string_view underlying) const override { return parent->book(underlying); }
  std::vector<execution::Order> open_orders() const override {
    std::vector<execution::Order> mine;
    for (execution::Order& o : parent->open_orders()) {
      const InstrumentId first = o.is_combo() ? o.legs.front().instrument : o.instrument;
      if (owner_.owner_of(*parent, first) == index_) mine.push_back(std::move(o));
    }
    return mine;
  }
  const execution::Order* order(const ClientOrderId& id) const override { return parent->order(id); }

  Result<ClientOrderId> submit(const OrderRequest& request) override {
    if (!owner_.enabled(index_) && !reduces(request)) {
      return make_error(ErrorCode::kRejected, "sleeve '" + spec().name + "' is disabled (" +
                                                  *owner_.disabled_[index_] +
                                                  "): only orders that reduce its positions are accepted");
    }
    return parent->submit(request);
  }
  Status cancel(const ClientOrderId& id) override { return parent->cancel(id); }
  Status set_timer(Timestamp at, std::string tag) override {
    return parent->set_timer(at, spec().name + kTimerSeparator + tag);
  }
  void log(std::string_view message) override { parent->log("[" + spec().name + "] " + std::string(message)); }

 private:
  const SleeveSpec& spec() const { return owner_.sleeves_[index_].spec; }

  // Every leg sells what the sleeve is long, or buys back what it is short, no more.
  bool reduces(const OrderRequest& r) const {
    const portfolio::Portfolio& book = portfolio();
    auto leg_reduces = [&](InstrumentId id, execution::OrderSide side, Quantity qty) {
      const Quantity held = book.quantity(id);
      if (held.is_positive()) return side == execution::OrderSide::kSell && !(qty > held);
      if (held.is_negative()) return side == execution::OrderSide::kBuy && !(qty > Quantity::zero() - held);
      return false;
    };
    if (r.legs.empty()) return leg_reduces(r.instrument, r.side, r.quantity);
    for (const execution::ComboLeg& leg : r.legs) {
      // A combo sold reverses each leg's direction (order.hpp: legs are stated for a buy).
      const execution::OrderSide side =
          r.side == execution::OrderSide::kBuy
              ? leg.side
              : (leg.side == execution::OrderSide::kBuy ? execution::OrderSide::kSell : execution::OrderSide::kBuy);
      auto n = r.quantity.checked_mul(leg.ratio);
      if (!n || !leg_reduces(leg.instrument, side, *n)) return false;
    }
    return true;
  }

  MultiStrategy& owner_;
  std::size_t index_;
};

MultiStrategy::MultiStrategy(std::vector<Sleeve> sleeves, std::shared_ptr<RegimeSource> regime)
    : sleeves_(std::move(sleeves)), regime_(std::move(regime)) {
  for (std::size_t i = 0; i < sleeves_.size(); ++i) contexts_.push_back(std::make_unique<SleeveContext>(*this, i));
  disabled_.assign(sleeves_.size(), std::nullopt);
}

MultiStrategy::~MultiStrategy() = default;

Result<std::unique_ptr<MultiStrategy>> MultiStrategy::create(std::vector<Sleeve> sleeves,
                                                             std::shared_ptr<RegimeSource> regime) {
  if (sleeves.empty()) return make_error(ErrorCode::kInvalidArgument, "multi-strategy: no sleeve");
  for (const Sleeve& s : sleeves) {
    const std::string name = "sleeve '" + s.spec.name + "'";
    if (!s.strategy) return make_error(ErrorCode::kInvalidArgument, name + " has no strategy");
    for (const std::string& sym : s.strategy->symbols()) {
      if (std::find(s.spec.underlyings.begin(), s.spec.underlyings.end(), sym) == s.spec.underlyings.end()) {
        return make_error(ErrorCode::kInvalidArgument,
                          name + ": its strategy trades " + sym + ", which is not among the sleeve's underlyings");
      }
    }
    if (!s.gate.regimes.empty() && !regime) {
      return make_error(ErrorCode::kInvalidArgument, name + " lists regimes but no regime source is configured");
    }
    if (s.gate.min_equity && s.gate.max_equity && !(*s.gate.min_equity < *s.gate.max_equity)) {
      return make_error(ErrorCode::kInvalidArgument, name + ": min_equity must be below max_equity");
    }
  }
  // Disjoint underlyings, positive weights summing to <= 1 and names are checked by the engine,
  // which owns the ledgers (Engine::create).
  return std::unique_ptr<MultiStrategy>(new MultiStrategy(std::move(sleeves), std::move(regime)));
}

std::vector<std::string> MultiStrategy::symbols() const {
  std::vector<std::string> out;
  std::set<std::string, std::less<>> seen;
  auto add = [&](const std::string& s) {
    if (seen.insert(s).second) out.push_back(s);
  };
  for (const Sleeve& s : sleeves_) {
    for (const std::string& u : s.spec.underlyings) add(u);
  }
  if (regime_) {
    for (const std::string& u : regime_->symbols()) add(u);
  }
  return out;
}

std::vector<std::string> MultiStrategy::option_symbols() const {
  std::vector<std::string> out;
  for (const Sleeve& s : sleeves_) {
    for (std::string& u : s.strategy->option_symbols()) {
      if (std::find(out.begin(), out.end(), u) == out.end()) out.push_back(std::move(u));
    }
  }
  return out;
}

std::vector<SleeveSpec> MultiStrategy::sleeves() const {
  std::vector<SleeveSpec> out;
  for (const Sleeve& s : sleeves_) out.push_back(s.spec);
  return out;
}

std::optional<std::size_t> MultiStrategy::owner_of(std::string_view underlying) const {
  for (std::size_t i = 0; i < sleeves_.size(); ++i) {
    const auto& u = sleeves_[i].spec.underlyings;
    if (std::find(u.begin(), u.end(), underlying) != u.end()) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> MultiStrategy::owner_of(const Context& ctx, InstrumentId id) const {
  const Instrument* inst = ctx.instrument(id);
  if (inst == nullptr) return std::nullopt;
  return owner_of(underlying_symbol(*inst));
}

MultiStrategy::SleeveContext& MultiStrategy::enter(Context& ctx, std::size_t i, bool evaluate_gate) {
  SleeveContext& sc = *contexts_[i];
  sc.parent = &ctx;
  if (!evaluate_gate) return sc;
  const SleeveGate& gate = sleeves_[i].gate;
  bool open = true;
  std::string why;
  const double equity = ctx.portfolio().equity().to_double();
  if (gate.min_equity && equity < *gate.min_equity) {
    open = false;
    why = "account equity " + detail::fixed(equity, 2) + " is below min_equity " + detail::fixed(*gate.min_equity, 2);
  } else if (gate.max_equity && !(equity < *gate.max_equity)) {
    open = false;
    why = "account equity " + detail::fixed(equity, 2) + " is not below max_equity " + detail::fixed(*gate.max_equity, 2);
  } else if (!gate.regimes.empty()) {
    const std::optional<int> r = regime_->regime(ctx);
    if (!r) {
      open = false;
      why = "the regime is not known yet";
    } else if (std::find(gate.regimes.begin(), gate.regimes.end(), *r) == gate.regimes.end()) {
      open = false;
      why = "regime " + std::to_string(*r) + " is not in " + list_text(gate.regimes);
    }
  }
  // Logged when the state changes (the first evaluation counts as a change when it disables).
  if (open != enabled(i)) {
    ctx.log("sleeve '" + sleeves_[i].spec.name + "' " + (open ? std::string("enabled") : "disabled: " + why));
  }
  disabled_[i] = open ? std::nullopt : std::optional<std::string>(why);
  return sc;
}

Status MultiStrategy::on_start(Context& ctx) {
  for (std::size_t i = 0; i < sleeves_.size(); ++i) KEEL_TRY_STATUS(sleeves_[i].strategy->on_start(enter(ctx, i, false)));
  return ok_status();
}

Status MultiStrategy::on_bar(Context& ctx, const Bar& bar) {
  const auto i = owner_of(ctx, bar.instrument);
  if (!i) return ok_status();  // a regime reference: no sleeve trades it
  return sleeves_[*i].strategy->on_bar(enter(ctx, *i, true), bar);
}

Status MultiStrategy::on_chain(Context& ctx, const OptionChain& chain) {
  const auto i = owner_of(chain.underlying());
  if (!i) return ok_status();
  return sleeves_[*i].strategy->on_chain(enter(ctx, *i, true), chain);
}

Status MultiStrategy::on_fill(Context& ctx, const execution::Fill& fill) {
  const auto i = owner_of(ctx, fill.instrument);
  if (!i) return ok_status();
  return sleeves_[*i].strategy->on_fill(enter(ctx, *i, false), fill);
}

Status MultiStrategy::on_order_update(Context& ctx, const execution::Order& order) {
  const auto i = owner_of(ctx, order.is_combo() ? order.legs.front().instrument : order.instrument);
  if (!i) return ok_status();
  return sleeves_[*i].strategy->on_order_update(enter(ctx, *i, false), order);
}

Status MultiStrategy::on_timer(Context& ctx, const Timer& timer) {
  const std::size_t cut = timer.tag.find(kTimerSeparator);
  if (cut == std::string::npos) return ok_status();
  const std::string_view name = std::string_view(timer.tag).substr(0, cut);
  for (std::size_t i = 0; i < sleeves_.size(); ++i) {
    if (sleeves_[i].spec.name != name) continue;
    return sleeves_[i].strategy->on_timer(enter(ctx, i, true), Timer{timer.ts, timer.tag.substr(cut + 1)});
  }
  return ok_status();
}

Status MultiStrategy::on_option_event(Context& ctx, const OptionEvent& event) {
  const auto i = owner_of(underlying_symbol(event.option));
  if (!i) return ok_status();
  return sleeves_[*i].strategy->on_option_event(enter(ctx, *i, false), event);
}

Status MultiStrategy::on_end(Context& ctx) {
  for (std::size_t i = 0; i < sleeves_.size(); ++i) KEEL_TRY_STATUS(sleeves_[i].strategy->on_end(enter(ctx, i, false)));
  return ok_status();
}

}  // namespace keel::strategy
