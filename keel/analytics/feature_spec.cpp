#include "keel/analytics/feature_spec.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <type_traits>

namespace keel::analytics {
namespace {

enum class Arg : std::uint8_t { kPeriod, kNumber };

struct IndicatorInfo {
  std::string_view name;
  std::vector<Arg> args;       // required arguments
  std::vector<Arg> optional;   // trailing optional arguments
  std::string_view meaning;    // for the argument-count message
  std::vector<std::string_view> outputs;  // column stems; the argument suffix is appended
  bool high_low = false;
  bool volume = false;
};

const std::vector<IndicatorInfo>& indicator_table() {
  using enum Arg;
  static const std::vector<IndicatorInfo> table{
      {"rsi", {kPeriod}, {}, "period", {"rsi"}},
      {"macd", {kPeriod, kPeriod, kPeriod}, {}, "fast:slow:signal", {"macd", "macd_signal", "macd_hist"}},
      {"bbands", {kPeriod, kNumber}, {}, "period:k", {"bb_upper", "bb_middle", "bb_lower", "bb_pctb", "bb_width"}},
      {"atr", {kPeriod}, {}, "period", {"atr"}, true},
      {"natr", {kPeriod}, {}, "period", {"natr"}, true},
      {"sma", {kPeriod}, {}, "period", {"sma"}},
      {"ema", {kPeriod}, {}, "period", {"ema"}},
      {"wma", {kPeriod}, {}, "period", {"wma"}},
      {"dema", {kPeriod}, {}, "period", {"dema"}},
      {"tema", {kPeriod}, {}, "period", {"tema"}},
      {"roc", {kPeriod}, {}, "period", {"roc"}},
      {"mom", {kPeriod}, {}, "period", {"mom"}},
      {"zscore", {kPeriod}, {}, "period", {"zscore"}},
      {"vol", {kPeriod}, {}, "period", {"vol"}},
      {"adx", {kPeriod}, {}, "period", {"adx", "plus_di", "minus_di"}, true},
      {"stoch", {kPeriod, kPeriod, kPeriod}, {}, "k_period:k_slowing:d_period", {"stoch_k", "stoch_d"}, true},
      {"cci", {kPeriod}, {}, "period", {"cci"}, true},
      {"mfi", {kPeriod}, {}, "period", {"mfi"}, true, true},
      {"obv", {}, {}, "no arguments", {"obv"}, false, true},
      {"vwap", {}, {}, "no arguments", {"vwap"}, true, true},
      {"willr", {kPeriod}, {}, "period", {"willr"}, true},
      {"donchian", {kPeriod}, {}, "period", {"donchian_upper", "donchian_middle", "donchian_lower"}, true},
      {"keltner", {kPeriod, kNumber}, {kPeriod}, "period:multiplier[:atr_period]",
       {"keltner_upper", "keltner_middle", "keltner_lower"}, true},
      {"skew", {kPeriod}, {}, "period", {"skew"}},
      {"kurt", {kPeriod}, {}, "period", {"kurt"}},
  };
  return table;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto pos = s.find(sep);
    out.push_back(trim(s.substr(0, pos)));
    if (pos == std::string_view::npos) return out;
    s.remove_prefix(pos + 1);
  }
}

Error item_error(const FeatureItem& item, const std::string& message) {
  return make_error(ErrorCode::kInvalidArgument,
                    "spec item " + std::to_string(item.position) + " '" + item.text + "': " + message);
}

int period(const FeatureItem& item, std::size_t i) { return static_cast<int>(item.args[i]); }

// The streaming state of one item (also validates its parameters).
using State = detail::FeatureState;

template <class T>
Result<State> wrap(Result<T> r) {
  if (!r) return r.error();
  return State(std::move(r).value());
}

Result<State> make_state(const FeatureItem& it) {
  const std::string& n = it.indicator;
  auto p = [&](std::size_t i) { return period(it, i); };
  if (n == "rsi") return wrap(Rsi::create(p(0)));
  if (n == "macd") return wrap(Macd::create(p(0), p(1), p(2)));
  if (n == "bbands") return wrap(Bollinger::create(p(0), it.args[1]));
  if (n == "atr") return wrap(Atr::create(p(0)));
  if (n == "natr") return wrap(Natr::create(p(0)));
  if (n == "sma") return wrap(Sma::create(p(0)));
  if (n == "ema") return wrap(Ema::create(p(0)));
  if (n == "wma") return wrap(Wma::create(p(0)));
  if (n == "dema") return wrap(Dema::create(p(0)));
  if (n == "tema") return wrap(Tema::create(p(0)));
  if (n == "roc") return wrap(Roc::create(p(0)));
  if (n == "mom") return wrap(Momentum::create(p(0)));
  if (n == "zscore") return wrap(RollingZScore::create(p(0)));
  if (n == "vol") return wrap(RollingVolatility::create(p(0), 252.0));
  if (n == "adx") return wrap(Adx::create(p(0)));
  if (n == "stoch") return wrap(Stochastic::create(p(0), p(1), p(2)));
  if (n == "cci") return wrap(Cci::create(p(0)));
  if (n == "mfi") return wrap(Mfi::create(p(0)));
  if (n == "obv") return State(Obv{});
  if (n == "vwap") return State(Vwap{});
  if (n == "willr") return wrap(WilliamsR::create(p(0)));
  if (n == "donchian") return wrap(Donchian::create(p(0)));
  if (n == "keltner") return wrap(Keltner::create(p(0), it.args.size() > 2 ? p(2) : 10, it.args[1]));
  if (n == "skew" || n == "kurt") return wrap(RollingMoments::create(p(0)));
  return make_error(ErrorCode::kInternal, "no streaming state for '" + n + "'");
}

// Bollinger's derived columns: %b and bandwidth, undefined (nullopt) where their divisor is 0.
std::optional<double> percent_b(double close, double upper, double lower) {
  const double width = upper - lower;
  if (width == 0.0) return std::nullopt;
  return (close - lower) / width;
}
std::optional<double> bandwidth(double upper, double middle, double lower) {
  if (middle == 0.0) return std::nullopt;
  return (upper - lower) / middle;
}

Status missing(const FeatureItem& item, const char* column) {
  return item_error(item, std::string("needs column '") + column + "', which the input lacks");
}

}  // namespace

std::vector<std::string> FeatureSpec::columns() const {
  std::vector<std::string> out;
  for (const auto& it : items) out.insert(out.end(), it.columns.begin(), it.columns.end());
  return out;
}

bool FeatureSpec::needs_high_low() const noexcept {
  for (const auto& it : items) {
    if (it.needs_high_low) return true;
  }
  return false;
}

bool FeatureSpec::needs_volume() const noexcept {
  for (const auto& it : items) {
    if (it.needs_volume) return true;
  }
  return false;
}

Result<FeatureSpec> parse_feature_spec(std::string_view spec) {
  if (trim(spec).empty()) return make_error(ErrorCode::kInvalidArgument, "empty feature spec");
  FeatureSpec out;
  std::map<std::string, int> seen;  // column -> item position
  int position = 0;
  for (std::string_view raw : split(spec, ',')) {
    ++position;
    FeatureItem item;
    item.text = std::string(raw);
    item.position = position;
    if (raw.empty()) return item_error(item, "empty item");
    const std::vector<std::string_view> parts = split(raw, ':');
    item.indicator = std::string(parts[0]);
    const IndicatorInfo* info = nullptr;
    for (const auto& candidate : indicator_table()) {
      if (candidate.name == parts[0]) info = &candidate;
    }
    if (info == nullptr) {
      return make_error(ErrorCode::kInvalidArgument, "unknown indicator '" + item.indicator +
                                                         "' in spec at item " + std::to_string(position));
    }
    const std::size_t given = parts.size() - 1;
    const std::size_t need = info->args.size();
    const std::size_t most = need + info->optional.size();
    if (given < need || given > most) {
      std::string expected = need == most ? std::to_string(need) : std::to_string(need) + " or " + std::to_string(most);
      return item_error(item, item.indicator + " takes " + expected + " argument" + (most == 1 ? "" : "s") + " (" +
                                  std::string(info->meaning) + "), got " + std::to_string(given));
    }
    for (std::size_t i = 0; i < given; ++i) {
      const std::string_view a = parts[i + 1];
      const Arg kind = i < need ? info->args[i] : info->optional[i - need];
      item.arg_text.emplace_back(a);
      if (kind == Arg::kPeriod) {
        int v = 0;
        const auto [ptr, ec] = std::from_chars(a.data(), a.data() + a.size(), v);
        if (a.empty() || ec != std::errc() || ptr != a.data() + a.size() || v <= 0) {
          return item_error(item, "argument " + std::to_string(i + 1) + " must be a positive integer period, got '" +
                                      std::string(a) + "'");
        }
        item.args.push_back(v);
      } else {
        double v = 0;
        const auto [ptr, ec] = std::from_chars(a.data(), a.data() + a.size(), v);
        if (a.empty() || ec != std::errc() || ptr != a.data() + a.size() || !std::isfinite(v) || v < 0.0) {
          return item_error(item, "argument " + std::to_string(i + 1) + " must be a finite number >= 0, got '" +
                                      std::string(a) + "'");
        }
        item.args.push_back(v);
      }
    }
    item.needs_high_low = info->high_low;
    item.needs_volume = info->volume;
    std::string suffix;
    for (const auto& a : item.arg_text) suffix += "_" + a;
    for (std::string_view stem : info->outputs) {
      std::string col = std::string(stem) + suffix;
      if (auto [at, fresh] = seen.emplace(col, position); !fresh) {
        return item_error(item, "column '" + col + "' repeats the one of item " + std::to_string(at->second));
      }
      item.columns.push_back(std::move(col));
    }
    auto state = make_state(item);
    if (!state) return item_error(item, state.error().message);
    out.items.push_back(std::move(item));
  }
  return out;
}

Status check_feature_input(const FeatureSpec& spec, const OhlcvInput& in) {
  const std::size_t n = in.close.size();
  auto same = [&](std::span<const double> col, const char* name) -> Status {
    if (!col.empty() && col.size() != n) {
      return make_error(ErrorCode::kInvalidArgument, std::string("features: column '") + name + "' has " +
                                                         std::to_string(col.size()) + " values, close has " +
                                                         std::to_string(n));
    }
    return ok_status();
  };
  KEEL_TRY_STATUS(same(in.open, "open"));
  KEEL_TRY_STATUS(same(in.high, "high"));
  KEEL_TRY_STATUS(same(in.low, "low"));
  KEEL_TRY_STATUS(same(in.volume, "volume"));
  if (!in.session.empty() && in.session.size() != n) {
    return make_error(ErrorCode::kInvalidArgument, "features: " + std::to_string(in.session.size()) +
                                                       " session keys for " + std::to_string(n) + " bars");
  }
  for (const auto& it : spec.items) {
    if (it.needs_high_low && in.high.empty()) return missing(it, "high");
    if (it.needs_high_low && in.low.empty()) return missing(it, "low");
    if (it.needs_volume && in.volume.empty()) return missing(it, "volume");
  }
  return ok_status();
}

Result<FeatureTable> compute_features(const FeatureSpec& spec, const OhlcvInput& in) {
  KEEL_TRY_STATUS(check_feature_input(spec, in));
  FeatureTable out;
  const auto h = in.high, l = in.low, c = in.close, v = in.volume;
  auto add = [&](IndicatorSeries s) { out.columns.push_back(std::move(s)); };
  for (const auto& it : spec.items) {
    const std::string& n = it.indicator;
    auto p = [&](std::size_t i) { return period(it, i); };
    auto wrap_err = [&](const Error& e) { return item_error(it, e.message); };
#define KEEL_FEATURE_TRY(var, expr)            \
  auto var##_r = (expr);                       \
  if (!var##_r) return wrap_err(var##_r.error()); \
  auto& var = *var##_r
    if (n == "rsi") {
      KEEL_FEATURE_TRY(s, rsi(c, p(0)));
      add(std::move(s));
    } else if (n == "macd") {
      KEEL_FEATURE_TRY(s, macd(c, p(0), p(1), p(2)));
      add(std::move(s.line));
      add(std::move(s.signal));
      add(std::move(s.histogram));
    } else if (n == "bbands") {
      KEEL_FEATURE_TRY(s, bollinger(c, p(0), it.args[1]));
      IndicatorSeries pctb(c.size()), width(c.size());
      for (std::size_t i = 0; i < c.size(); ++i) {
        if (!s.middle[i]) continue;
        pctb[i] = percent_b(c[i], *s.upper[i], *s.lower[i]);
        width[i] = bandwidth(*s.upper[i], *s.middle[i], *s.lower[i]);
      }
      add(std::move(s.upper));
      add(std::move(s.middle));
      add(std::move(s.lower));
      add(std::move(pctb));
      add(std::move(width));
    } else if (n == "atr") {
      KEEL_FEATURE_TRY(s, atr(h, l, c, p(0)));
      add(std::move(s));
    } else if (n == "natr") {
      KEEL_FEATURE_TRY(s, natr(h, l, c, p(0)));
      add(std::move(s));
    } else if (n == "sma") {
      KEEL_FEATURE_TRY(s, sma(c, p(0)));
      add(std::move(s));
    } else if (n == "ema") {
      KEEL_FEATURE_TRY(s, ema(c, p(0)));
      add(std::move(s));
    } else if (n == "wma") {
      KEEL_FEATURE_TRY(s, wma(c, p(0)));
      add(std::move(s));
    } else if (n == "dema") {
      KEEL_FEATURE_TRY(s, dema(c, p(0)));
      add(std::move(s));
    } else if (n == "tema") {
      KEEL_FEATURE_TRY(s, tema(c, p(0)));
      add(std::move(s));
    } else if (n == "roc") {
      KEEL_FEATURE_TRY(s, roc(c, p(0)));
      add(std::move(s));
    } else if (n == "mom") {
      KEEL_FEATURE_TRY(s, momentum(c, p(0)));
      add(std::move(s));
    } else if (n == "zscore") {
      KEEL_FEATURE_TRY(s, rolling_zscore(c, p(0)));
      add(std::move(s));
    } else if (n == "vol") {
      KEEL_FEATURE_TRY(s, rolling_volatility(c, p(0), 252.0));
      add(std::move(s));
    } else if (n == "adx") {
      KEEL_FEATURE_TRY(s, adx(h, l, c, p(0)));
      add(std::move(s.adx));
      add(std::move(s.plus_di));
      add(std::move(s.minus_di));
    } else if (n == "stoch") {
      KEEL_FEATURE_TRY(s, stochastic(h, l, c, p(0), p(1), p(2)));
      add(std::move(s.k));
      add(std::move(s.d));
    } else if (n == "cci") {
      KEEL_FEATURE_TRY(s, cci(h, l, c, p(0)));
      add(std::move(s));
    } else if (n == "mfi") {
      KEEL_FEATURE_TRY(s, mfi(h, l, c, v, p(0)));
      add(std::move(s));
    } else if (n == "obv") {
      KEEL_FEATURE_TRY(s, obv(c, v));
      add(std::move(s));
    } else if (n == "vwap") {
      std::vector<double> tp(c.size());
      for (std::size_t i = 0; i < c.size(); ++i) tp[i] = (h[i] + l[i] + c[i]) / 3.0;
      std::vector<std::int64_t> one_session;
      std::span<const std::int64_t> session = in.session;
      if (session.empty()) {
        one_session.assign(c.size(), 0);
        session = one_session;
      }
      KEEL_FEATURE_TRY(s, vwap(tp, v, session));
      add(std::move(s));
    } else if (n == "willr") {
      KEEL_FEATURE_TRY(s, williams_r(h, l, c, p(0)));
      add(std::move(s));
    } else if (n == "donchian") {
      KEEL_FEATURE_TRY(s, donchian(h, l, p(0)));
      add(std::move(s.upper));
      add(std::move(s.middle));
      add(std::move(s.lower));
    } else if (n == "keltner") {
      KEEL_FEATURE_TRY(s, keltner(h, l, c, p(0), it.args.size() > 2 ? p(2) : 10, it.args[1]));
      add(std::move(s.upper));
      add(std::move(s.middle));
      add(std::move(s.lower));
    } else if (n == "skew") {
      KEEL_FEATURE_TRY(s, rolling_moments(c, p(0)));
      add(std::move(s.skewness));
    } else if (n == "kurt") {
      KEEL_FEATURE_TRY(s, rolling_moments(c, p(0)));
      add(std::move(s.kurtosis));
    } else {
      return item_error(it, "no batch form");  // unreachable: parse_feature_spec knows the table
    }
#undef KEEL_FEATURE_TRY
    out.names.insert(out.names.end(), it.columns.begin(), it.columns.end());
  }
  return out;
}

Result<FeatureStream> FeatureStream::create(const FeatureSpec& spec, bool has_high_low, bool has_volume) {
  FeatureStream out;
  for (const auto& it : spec.items) {
    if (it.needs_high_low && !has_high_low) return missing(it, "high").error();
    if (it.needs_volume && !has_volume) return missing(it, "volume").error();
    KEEL_TRY(state, make_state(it));
    out.slots_.push_back(Slot{std::move(state), out.width_, it.indicator == "kurt"});
    out.width_ += it.columns.size();
  }
  for (const auto& slot : out.slots_) {
    // Checks applied before any state changes: a bad bar leaves every indicator untouched.
    if (std::holds_alternative<RollingVolatility>(slot.state)) out.close_positive_ = true;
    if (std::holds_alternative<Natr>(slot.state) || std::holds_alternative<Roc>(slot.state)) out.close_nonzero_ = true;
    if (std::holds_alternative<Vwap>(slot.state) || std::holds_alternative<Mfi>(slot.state) ||
        std::holds_alternative<Obv>(slot.state)) {
      out.uses_volume_ = true;
    }
  }
  out.uses_high_low_ = spec.needs_high_low();
  return out;
}

Status FeatureStream::update(double high, double low, double close, double volume, bool new_session,
                             std::span<std::optional<double>> out) {
  KEEL_ASSERT(out.size() == width_, "FeatureStream::update: output width mismatch");
  auto bad = [](const std::string& what) { return make_error(ErrorCode::kInvalidArgument, what); };
  if (!std::isfinite(close)) return bad("close is not finite");
  if (uses_high_low_) {
    if (!std::isfinite(high)) return bad("high is not finite");
    if (!std::isfinite(low)) return bad("low is not finite");
    if (high < low) return bad("high " + std::to_string(high) + " < low " + std::to_string(low));
  }
  if (uses_volume_ && !(std::isfinite(volume) && volume >= 0.0)) {
    return bad("volume " + std::to_string(volume) + " is not finite and >= 0");
  }
  if (close_positive_ && !(close > 0.0)) return bad("close " + std::to_string(close) + " is not > 0 (vol)");
  if (close_nonzero_ && close == 0.0) return bad("close is 0 (natr/roc)");
  const bool session_start = new_session || !started_;
  started_ = true;
  for (auto& slot : slots_) {
    std::optional<double>* o = out.data() + slot.first_column;
    std::visit(
        [&](auto& ind) {
          using T = std::decay_t<decltype(ind)>;
          if constexpr (std::is_same_v<T, Rsi> || std::is_same_v<T, Sma> || std::is_same_v<T, Ema> ||
                        std::is_same_v<T, Wma> || std::is_same_v<T, Dema> || std::is_same_v<T, Tema> ||
                        std::is_same_v<T, Roc> || std::is_same_v<T, Momentum> ||
                        std::is_same_v<T, RollingZScore> || std::is_same_v<T, RollingVolatility>) {
            o[0] = ind.update(close);
          } else if constexpr (std::is_same_v<T, Macd>) {
            const auto v = ind.update(close);
            o[0] = o[1] = o[2] = std::nullopt;
            if (v) o[0] = v->line, o[1] = v->signal, o[2] = v->histogram;
          } else if constexpr (std::is_same_v<T, Bollinger>) {
            const auto v = ind.update(close);
            for (int i = 0; i < 5; ++i) o[i] = std::nullopt;
            if (v) {
              o[0] = v->upper, o[1] = v->middle, o[2] = v->lower;
              o[3] = percent_b(close, v->upper, v->lower);
              o[4] = bandwidth(v->upper, v->middle, v->lower);
            }
          } else if constexpr (std::is_same_v<T, Atr> || std::is_same_v<T, Natr> || std::is_same_v<T, Cci> ||
                               std::is_same_v<T, WilliamsR>) {
            o[0] = ind.update(high, low, close);
          } else if constexpr (std::is_same_v<T, Adx>) {
            const auto v = ind.update(high, low, close);
            o[0] = o[1] = o[2] = std::nullopt;
            if (v) o[0] = v->adx, o[1] = v->plus_di, o[2] = v->minus_di;
          } else if constexpr (std::is_same_v<T, Stochastic>) {
            const auto v = ind.update(high, low, close);
            o[0] = o[1] = std::nullopt;
            if (v) o[0] = v->k, o[1] = v->d;
          } else if constexpr (std::is_same_v<T, Mfi>) {
            o[0] = ind.update(high, low, close, volume);
          } else if constexpr (std::is_same_v<T, Obv>) {
            o[0] = ind.update(close, volume);
          } else if constexpr (std::is_same_v<T, Vwap>) {
            o[0] = ind.update((high + low + close) / 3.0, volume, session_start);
          } else if constexpr (std::is_same_v<T, Donchian>) {
            const auto v = ind.update(high, low);
            o[0] = o[1] = o[2] = std::nullopt;
            if (v) o[0] = v->upper, o[1] = v->middle, o[2] = v->lower;
          } else if constexpr (std::is_same_v<T, Keltner>) {
            const auto v = ind.update(high, low, close);
            o[0] = o[1] = o[2] = std::nullopt;
            if (v) o[0] = v->upper, o[1] = v->middle, o[2] = v->lower;
          } else if constexpr (std::is_same_v<T, RollingMoments>) {
            const auto v = ind.update(close);
            o[0] = std::nullopt;
            if (v) o[0] = slot.kurtosis ? v->kurtosis : v->skewness;
          } else {
            static_assert(std::is_same_v<T, void>, "every streaming state needs an update");
          }
        },
        slot.state);
  }
  return ok_status();
}

}  // namespace keel::analytics
