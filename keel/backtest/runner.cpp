#include "keel/backtest/runner.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "keel/engine/engine.hpp"
#include "keel/engine/market_feed.hpp"

namespace keel::backtest {
namespace {

Money to_money(double v) {
  auto m = Money::from_double(v, 2);
  return m ? *m : Money::from_raw(0, 2);
}

// Turns engine callbacks into the RunRecord.
class Recorder final : public engine::EngineObserver {
 public:
  Recorder(RunRecord& run, InstrumentId benchmark_id, const engine::MarketFeed& feed, std::int64_t total,
           const ProgressFn& progress)
      : run_(run), benchmark_id_(benchmark_id), feed_(feed), total_(total), progress_(progress) {}

  Status on_session_end(const engine::Engine& e, Date date) override {
    const portfolio::Portfolio& p = e.portfolio();
    DailyRecord d;
    d.date = date;
    // Every account figure is a whole number of cents; show it as such.
    d.equity = p.equity().rounded(2);
    d.cash = p.cash().rounded(2);
    d.receivables = (p.dividends_receivable() + p.interest_accrued()).rounded(2);
    d.premium_collected = p.premium_collected().rounded(2);
    d.fees_paid = p.fees_paid().rounded(2);
    // Benchmark: buy at the first close, then follow splits and dividends.
    if (auto close = e.last_close(benchmark_id_)) {
      apply_benchmark_actions(date);
      if (!bench_started_) {
        bench_started_ = true;
        bench_shares_ = run_.starting_capital.to_double() / close->to_double();
      }
      d.benchmark_equity = to_money(bench_shares_ * close->to_double() + bench_cash_);
    } else {
      d.benchmark_equity = run_.starting_capital;
    }
    Money gross = Money::from_raw(0, 2);
    int open = 0;
    for (const auto& [id, pos] : p.positions()) {
      ++open;
      const Money mv = pos.market_value();
      gross = gross + (mv.is_negative() ? Money::zero() - mv : mv);
      PositionSnapshot s;
      s.date = date;
      s.symbol = pos.instrument->symbol;
      s.underlying = std::string(underlying_symbol(pos.instrument));
      s.quantity = pos.quantity;
      s.mark = pos.mark;
      s.market_value = mv.rounded(2);
      s.unrealized_pnl = pos.unrealized_pnl().rounded(2);
      const double q = pos.quantity.to_double();
      if (pos.instrument->is_option()) {
        const strategy::OptionChain* ch = e.chain(s.underlying);
        const strategy::OptionRow* row = ch != nullptr ? ch->find(pos.instrument->id) : nullptr;
        const double spot = ch != nullptr ? ch->underlying_price().to_double() : 0.0;
        const double mult = static_cast<double>(pos.instrument->option->multiplier);
        if (row != nullptr) {
          s.delta = row->delta;
          d.delta_dollars += q * mult * row->delta * spot;
          d.gamma_dollars += q * mult * row->gamma * spot * spot / 100.0;
          d.vega_dollars += q * mult * row->vega / 100.0;
          d.theta_dollars += q * mult * row->theta_per_day;
        }
      } else {
        s.delta = 1.0;
        d.delta_dollars += q * pos.mark.to_double();
      }
      run_.positions.push_back(std::move(s));
    }
    d.gross_exposure = gross.rounded(2);
    d.open_positions = open;
    auto uprice = [&e](std::string_view u) -> std::optional<Price> {
      const Instrument* inst = e.find_instrument(u);
      return inst != nullptr ? e.last_close(inst->id) : std::nullopt;
    };
    const Money bp = p.buying_power(uprice);
    d.cash_reserved =
        (p.account_type() == portfolio::AccountType::kCash ? p.cash() - bp : Money::from_raw(0, 2)).rounded(2);
    run_.days.push_back(d);
    ++done_;
    if (progress_) progress_(done_, total_);
    return ok_status();
  }

  void on_option_event(const engine::Engine& e, const strategy::OptionEvent& ev, bool called_away) override {
    LifecycleRecord r;
    r.date = e.today();
    r.kind = called_away ? "called_away" : std::string(strategy::to_string(ev.kind));
    r.symbol = ev.option.symbol;
    r.underlying = ev.option.option ? ev.option.option->underlying : std::string();
    r.contracts = ev.contracts;
    r.strike = ev.option.option ? ev.option.option->strike : Price();
    r.underlying_price = ev.underlying_price;
    r.rule = ev.rule;
    run_.lifecycle.push_back(std::move(r));
  }

  void on_log(Timestamp ts, std::string_view message) override {
    run_.log.push_back(ts.to_string() + " " + std::string(message));
  }

 private:
  void apply_benchmark_actions(Date date) {
    if (!bench_started_) {
      // Actions before the purchase do not concern the benchmark.
      while (action_pos_ < feed_.announcements().size() && feed_.announcements()[action_pos_].ex_date <= date) {
        ++action_pos_;
      }
      return;
    }
    const auto& actions = feed_.announcements();
    while (action_pos_ < actions.size() && actions[action_pos_].ex_date <= date) {
      const CorporateAction& a = actions[action_pos_++];
      if (a.instrument != benchmark_id_) continue;
      if (a.kind == CorporateActionKind::kSplit) {
        bench_shares_ *= static_cast<double>(a.ratio_to) / static_cast<double>(a.ratio_from);
      } else if (a.kind == CorporateActionKind::kCashDividend) {
        bench_cash_ += bench_shares_ * a.amount.to_double();
      }
    }
  }

  RunRecord& run_;
  InstrumentId benchmark_id_;
  const engine::MarketFeed& feed_;
  std::int64_t total_;
  const ProgressFn& progress_;
  std::int64_t done_ = 0;
  bool bench_started_ = false;
  double bench_shares_ = 0.0;
  double bench_cash_ = 0.0;
  std::size_t action_pos_ = 0;
};

}  // namespace

std::vector<PnlAttribution> attribute_pnl(const AppendLog<portfolio::Booking>& bookings,
                                          const std::map<std::int64_t, portfolio::Position>& open, Money interest) {
  std::map<std::pair<std::string, std::string>, PnlAttribution> rows;
  auto row = [&rows](const Instrument& inst) -> PnlAttribution& {
    const bool option = inst.is_option();
    const std::string u(underlying_symbol(inst));
    const std::string kind = option ? "option" : "stock";
    auto [it, inserted] = rows.try_emplace({u, kind}, PnlAttribution{u, kind, Money::zero(2), Money::zero(2), Money::zero(2)});
    return it->second;
  };
  for (const portfolio::Booking& b : bookings) {
    if (b.kind == portfolio::BookingKind::kInterest) continue;  // accrued daily: the total below
    PnlAttribution& r = row(b.instrument);
    const Money fees = b.commission + b.regulatory_fees;
    r.fees += fees;
    r.realized += b.realized_pnl + fees;  // a booking's realized P&L has its fees deducted
  }
  for (const auto& [id, pos] : open) row(pos.instrument).unrealized += pos.unrealized_pnl();
  if (!interest.is_zero()) {
    rows.try_emplace({"USD", "interest"}, PnlAttribution{"USD", "interest", interest, Money::zero(2), Money::zero(2)});
  }
  std::vector<PnlAttribution> out;
  for (auto& [key, r] : rows) out.push_back(std::move(r));
  return out;
}

Status apply_overrides(BacktestConfig& config, const RunOverrides& o) {
  if (o.start) config.start = *o.start;
  if (o.end) config.end = *o.end;
  if (config.start > config.end) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--start " + config.start.to_string() + " is after --end " + config.end.to_string());
  }
  config.engine.start = config.start;
  if (o.capital) {
    if (!o.capital->is_positive()) {
      return make_error(ErrorCode::kInvalidArgument, "--capital " + o.capital->to_string() + " must be positive");
    }
    config.engine.capital = *o.capital;
  }
  if (o.fill_model) config.engine.execution.fill_model = *o.fill_model;
  if (o.seed) config.seed = *o.seed;
  return ok_status();
}

Result<RunRecord> run_backtest(const BacktestConfig& config, data::Store& store, strategy::Strategy& strategy,
                               const ProgressFn& progress) {
  std::vector<std::string> symbols = strategy.symbols();
  if (symbols.empty()) return make_error(ErrorCode::kInvalidArgument, "strategy " + std::string(strategy.name()) + " trades no symbols");
  const std::string benchmark = config.benchmark.empty() ? symbols.front() : config.benchmark;
  if (std::find(symbols.begin(), symbols.end(), benchmark) == symbols.end()) symbols.push_back(benchmark);
  const ExchangeCalendar& cal = ExchangeCalendar::us_equities();
  KEEL_TRY(first_day, cal.this_or_next_trading_day(config.start));
  if (first_day > config.end) {
    return make_error(ErrorCode::kInvalidArgument, "no trading session between start " + config.start.to_string() +
                                                       " and end " + config.end.to_string());
  }
  const Date feed_from = config.warmup_days > 0 ? config.start - config.warmup_days : config.start;
  auto feed_or = engine::StoreFeed::create(store, symbols, feed_from, config.end, data::AsOf::latest(),
                                           strategy.option_symbols());
  if (!feed_or) {
    Error e = feed_or.error();
    if (config.warmup_days > 0 && e.code == ErrorCode::kOutOfRange) {
      e.message += " (the run starts " + config.start.to_string() + "; its warm-up of " +
                   std::to_string(config.warmup_days) + " calendar days reaches back to " + feed_from.to_string() + ")";
    }
    return e;
  }
  auto& feed = *feed_or;
  KEEL_TRY(run_days, cal.trading_days(first_day, config.end));

  RunRecord run;
  run.strategy = std::string(strategy.name());
  run.config_path = config.path;
  run.config_text = config.text;
  run.fill_model = std::string(execution::to_string(config.engine.execution.fill_model));
  run.fee_schedule = config.fee_preset;
  run.account_type = std::string(portfolio::to_string(config.engine.account));
  run.seed = config.seed;
  run.start = first_day;
  run.end = feed->last_date();
  run.starting_capital = config.engine.capital;
  run.benchmark = benchmark;
  const Instrument* bench = nullptr;
  for (const Instrument& i : feed->universe()) {
    if (i.symbol == benchmark) bench = &i;
  }
  if (bench == nullptr) return make_error(ErrorCode::kNotFound, "benchmark '" + benchmark + "' is not in the data");

  Recorder recorder(run, bench->id, *feed, static_cast<std::int64_t>(run_days.size()), progress);
  engine::EngineConfig ec = config.engine;
  ec.start = first_day;
  KEEL_TRY(eng, engine::Engine::create(ec, *feed, strategy, &recorder));
  KEEL_TRY_STATUS(eng->run());

  const portfolio::Portfolio& p = eng->portfolio();
  run.bookings.assign(p.bookings().begin(), p.bookings().end());
  run.closed_trades.assign(p.closed_trades().begin(), p.closed_trades().end());
  run.data_warnings = feed->warnings();
  Money traded = Money::from_raw(0, 2);
  for (const portfolio::Booking& b : run.bookings) {
    if (b.kind != portfolio::BookingKind::kFill) continue;
    const std::int64_t mult = b.instrument->option ? b.instrument->option->multiplier : 1;
    KEEL_TRY(n, notional(b.price, b.quantity, mult));
    traded = traded + (n.is_negative() ? Money::zero() - n : n);
  }
  run.traded_notional = traded;
  run.attribution = attribute_pnl(p.bookings(), p.positions(), p.interest());
  for (std::size_t i = 0; i < eng->sleeves().size(); ++i) {
    const strategy::SleeveSpec& spec = eng->sleeves()[i];
    const portfolio::Portfolio& b = eng->sleeve_books()[i];
    run.sleeves.push_back(SleeveRecord{spec.name, spec.underlyings, spec.weight, b.starting_cash(), b.equity(), b.cash(),
                                       b.interest(), b.fees_paid(), b.premium_collected()});
  }
  run.final_equity = p.equity();
  run.interest = p.interest();
  run.risk_free_rate = config.engine.rate;
  return run;
}

Result<RunRecord> run_backtest(const BacktestConfig& config, data::Store& store, const ProgressFn& progress) {
  KEEL_TRY(strategy, config.make_strategy());
  return run_backtest(config, store, *strategy, progress);
}

}  // namespace keel::backtest
