// keel/analytics/feature_spec.hpp — a feature spec string ("rsi:14,macd:12:26:9,bbands:20:2")
// parsed into indicator features over one OHLCV series, each producing named output columns, and
// computed by the indicator batch forms (indicators.hpp) or, bar by bar, by their streaming twins.
//
// Contract:
// - Grammar: items separated by ',', each NAME[:ARG]*, blanks around items and arguments ignored.
//   Every indicator takes a fixed number of arguments (keltner 2 or 3); periods are positive
//   integers written as such ("14", not "14.0"); multipliers are finite numbers >= 0.
//   docs/FEATURES.md lists every indicator, its arguments, output columns and warm-up.
// - Column names are the indicator name and its arguments as written joined by '_' (rsi:14 ->
//   rsi_14; macd:12:26:9 -> macd_12_26_9, macd_signal_12_26_9, macd_hist_12_26_9). Two items
//   producing the same column are an error.
// - Errors (kInvalidArgument) name the item by its 1-based position and text: an unknown
//   indicator ("unknown indicator 'rsx' in spec at item 2"), a wrong argument count (naming the
//   expected count and meaning), a non-integer or non-positive period, a parameter the indicator
//   rejects (its own message), an empty item. Computing names the missing input column ("spec item
//   4 'atr:14' needs column 'high', which the input lacks") and a non-finite input value (the
//   batch forms' message, naming column and index).
// - Values: entry t of a column is std::nullopt while the indicator is not ready (warm-up), and
//   for the two derived Bollinger columns also where they are undefined (%b when upper = lower,
//   bandwidth when middle = 0); never NaN or a zero placeholder. compute_features (batch forms)
//   and FeatureStream (streaming classes) give bit-identical values (feature_spec_test.cpp).
// - VWAP is session-anchored on input.session (a key per bar; a new session wherever it
//   changes); with no session keys the whole input is one session (VWAP anchored at bar 0).
//   Its price is the typical price (H+L+C)/3.
// Thread safety: FeatureSpec is a plain value; FeatureStream is one object per thread;
// compute_features is pure.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "keel/analytics/indicators.hpp"
#include "keel/core/result.hpp"

namespace keel::analytics {

namespace detail {
// The streaming indicator behind one spec item.
using FeatureState = std::variant<Rsi, Macd, Bollinger, Atr, Natr, Sma, Ema, Wma, Dema, Tema, Roc, Momentum,
                                  RollingZScore, RollingVolatility, Adx, Stochastic, Cci, Mfi, Obv, Vwap,
                                  WilliamsR, Donchian, Keltner, RollingMoments>;
}  // namespace detail

struct FeatureItem {
  std::string indicator;             // "macd"
  std::vector<std::string> arg_text;  // the arguments as written: {"12", "26", "9"}
  std::vector<double> args;          // the same, parsed
  std::string text;                  // the item as written (trimmed): "macd:12:26:9"
  int position = 0;                  // 1-based position in the spec
  std::vector<std::string> columns;  // output column names, in output order
  bool needs_high_low = false;
  bool needs_volume = false;
};

struct FeatureSpec {
  std::vector<FeatureItem> items;
  // Every item's columns, in spec order.
  std::vector<std::string> columns() const;
  bool needs_high_low() const noexcept;
  bool needs_volume() const noexcept;
};

Result<FeatureSpec> parse_feature_spec(std::string_view spec);

// One OHLCV series, oldest first. close is required; high/low (and open) may be empty when not
// known, volume likewise; session is optional (see VWAP above).
struct OhlcvInput {
  std::span<const double> open;
  std::span<const double> high;
  std::span<const double> low;
  std::span<const double> close;
  std::span<const double> volume;
  std::span<const std::int64_t> session;
};

struct FeatureTable {
  std::vector<std::string> names;
  std::vector<IndicatorSeries> columns;  // one per name, each one entry per bar
};

// Checks that the input holds every column the spec needs, with matching lengths.
Status check_feature_input(const FeatureSpec& spec, const OhlcvInput& input);

// All of the spec's columns over the series, by the indicator batch forms.
Result<FeatureTable> compute_features(const FeatureSpec& spec, const OhlcvInput& input);

// The same features bar by bar (the streaming classes): for use where bars arrive one at a time
// and by the point-in-time pipeline. update() writes spec.columns().size() values.
class FeatureStream {
 public:
  // has_high_low / has_volume say which columns the bars will carry (errors as check_feature_input).
  static Result<FeatureStream> create(const FeatureSpec& spec, bool has_high_low, bool has_volume);
  std::size_t width() const noexcept { return width_; }
  // One bar. high/low/volume are read only by items that need them; new_session starts a new VWAP
  // session (the first bar always does). The bar is checked before any state changes (values
  // finite, high >= low, volume >= 0, close > 0 for vol, close != 0 for natr and roc): a bad bar
  // is an error naming the column and leaves the stream unchanged. out.size() must equal width().
  Status update(double high, double low, double close, double volume, bool new_session,
                std::span<std::optional<double>> out);

 private:
  struct Slot {
    detail::FeatureState state;
    std::size_t first_column;
    bool kurtosis = false;  // RollingMoments: this item outputs kurtosis rather than skewness
  };
  std::vector<Slot> slots_;
  std::size_t width_ = 0;
  bool started_ = false;
  bool uses_high_low_ = false;
  bool uses_volume_ = false;
  bool close_positive_ = false;  // vol: log returns need close > 0
  bool close_nonzero_ = false;   // natr, roc divide by close
};

}  // namespace keel::analytics
