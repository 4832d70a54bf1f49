#include "keel/analytics/realized_vol.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace keel::analytics {
namespace {

constexpr double kLn2 = 0.693147180559945309417232121458;

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

Error invalid(std::string message) { return make_error(ErrorCode::kInvalidArgument, std::move(message)); }

// Which columns an estimator reads.
struct Needs {
  bool open = false, high = false, low = false, close = false;
};

Needs needs_of(VolEstimator e) {
  switch (e) {
    case VolEstimator::kCloseToClose: return {false, false, false, true};
    case VolEstimator::kParkinson: return {false, true, true, false};
    case VolEstimator::kGarmanKlass:
    case VolEstimator::kRogersSatchell:
    case VolEstimator::kYangZhang: return {true, true, true, true};
  }
  return {true, true, true, true};
}

// Periods before the first one that a window can use: close-to-close and Yang–Zhang need the
// previous bar's close.
std::size_t lag_of(VolEstimator e) {
  return e == VolEstimator::kCloseToClose || e == VolEstimator::kYangZhang ? 1 : 0;
}

Status check_prices(std::span<const double> col, std::string_view name) {
  for (std::size_t i = 0; i < col.size(); ++i) {
    if (!std::isfinite(col[i]) || col[i] <= 0.0) {
      return invalid(std::string(name) + "[" + std::to_string(i) + "] = " + fmt(col[i]) +
                     ": prices must be finite and > 0");
    }
  }
  return ok_status();
}

// Validates the columns the estimator reads; returns the number of bars.
Result<std::size_t> check_bars(VolEstimator e, const OhlcSpan& b) {
  const Needs need = needs_of(e);
  struct Col {
    bool used;
    std::span<const double> data;
    std::string_view name;
  };
  const Col cols[] = {{need.open, b.open, "open"},
                      {need.high, b.high, "high"},
                      {need.low, b.low, "low"},
                      {need.close, b.close, "close"}};
  std::size_t n = 0;
  std::string_view first_name;
  for (const Col& c : cols) {
    if (!c.used) continue;
    if (c.data.empty()) {
      return invalid(std::string(to_string(e)) + " needs the " + std::string(c.name) +
                     " column, which is empty");
    }
    if (first_name.empty()) {
      n = c.data.size();
      first_name = c.name;
    } else if (c.data.size() != n) {
      return invalid(std::string(c.name) + " has " + std::to_string(c.data.size()) +
                     " values but " + std::string(first_name) + " has " + std::to_string(n));
    }
    KEEL_TRY_STATUS(check_prices(c.data, c.name));
  }
  if (need.high && need.low) {
    for (std::size_t i = 0; i < n; ++i) {
      if (b.high[i] < b.low[i]) {
        return invalid("bar " + std::to_string(i) + ": high " + fmt(b.high[i]) + " < low " +
                       fmt(b.low[i]));
      }
      if (need.open && (b.open[i] > b.high[i] || b.open[i] < b.low[i])) {
        return invalid("bar " + std::to_string(i) + ": open " + fmt(b.open[i]) +
                       " outside [low, high] = [" + fmt(b.low[i]) + ", " + fmt(b.high[i]) + "]");
      }
      if (need.close && (b.close[i] > b.high[i] || b.close[i] < b.low[i])) {
        return invalid("bar " + std::to_string(i) + ": close " + fmt(b.close[i]) +
                       " outside [low, high] = [" + fmt(b.low[i]) + ", " + fmt(b.high[i]) + "]");
      }
    }
  }
  return n;
}

Status check_window(std::size_t window, std::size_t periods, std::string_view what) {
  if (window <= 1) {
    return invalid("window = " + std::to_string(window) + ": " + std::string(what) +
                   " needs a window of at least 2 periods");
  }
  if (window > periods) {
    return invalid("window = " + std::to_string(window) + " is longer than the " +
                   std::to_string(periods) + " periods the data provide for " + std::string(what));
  }
  return ok_status();
}

Status check_annualization(double a) {
  if (!std::isfinite(a) || a <= 0.0) {
    return invalid("annualization = " + fmt(a) + ": must be finite and > 0");
  }
  return ok_status();
}

// Per-period terms: x[i] for bar i (entries before the estimator's lag are unused). For
// close-to-close x = ln(C_i/C_{i-1}); Parkinson ln²(H/L); Garman–Klass its bracket;
// Rogers–Satchell its bracket; Yang–Zhang uses three columns (overnight, open-to-close, RS).
struct Terms {
  std::vector<double> a, b, c;
};

Terms make_terms(VolEstimator e, const OhlcSpan& bars, std::size_t n) {
  Terms t;
  t.a.assign(n, 0.0);
  auto rs = [&](std::size_t i) {
    const double h = bars.high[i], l = bars.low[i], o = bars.open[i], c = bars.close[i];
    return std::log(h / c) * std::log(h / o) + std::log(l / c) * std::log(l / o);
  };
  switch (e) {
    case VolEstimator::kCloseToClose:
      for (std::size_t i = 1; i < n; ++i) t.a[i] = std::log(bars.close[i] / bars.close[i - 1]);
      break;
    case VolEstimator::kParkinson:
      for (std::size_t i = 0; i < n; ++i) {
        const double u = std::log(bars.high[i] / bars.low[i]);
        t.a[i] = u * u;
      }
      break;
    case VolEstimator::kGarmanKlass:
      for (std::size_t i = 0; i < n; ++i) {
        const double u = std::log(bars.high[i] / bars.low[i]);
        const double c = std::log(bars.close[i] / bars.open[i]);
        t.a[i] = 0.5 * u * u - (2.0 * kLn2 - 1.0) * c * c;
      }
      break;
    case VolEstimator::kRogersSatchell:
      for (std::size_t i = 0; i < n; ++i) t.a[i] = rs(i);
      break;
    case VolEstimator::kYangZhang:
      t.b.assign(n, 0.0);
      t.c.assign(n, 0.0);
      for (std::size_t i = 1; i < n; ++i) {
        t.a[i] = std::log(bars.open[i] / bars.close[i - 1]);
        t.b[i] = std::log(bars.close[i] / bars.open[i]);
        t.c[i] = rs(i);
      }
      break;
  }
  return t;
}

double mean_of(const std::vector<double>& x, std::size_t first, std::size_t n) {
  double s = 0.0;
  for (std::size_t i = first; i < first + n; ++i) s += x[i];
  return s / static_cast<double>(n);
}

// Two-pass sample variance (divisor n-1): no cancellation between Σx² and (Σx)².
double sample_variance(const std::vector<double>& x, std::size_t first, std::size_t n) {
  const double m = mean_of(x, first, n);
  double s = 0.0;
  for (std::size_t i = first; i < first + n; ++i) s += (x[i] - m) * (x[i] - m);
  return s / static_cast<double>(n - 1);
}

// Per-period variance of the window of n periods whose first period is bar `first`.
double window_var(VolEstimator e, const Terms& t, std::size_t first, std::size_t n) {
  switch (e) {
    case VolEstimator::kCloseToClose: return sample_variance(t.a, first, n);
    case VolEstimator::kParkinson: return mean_of(t.a, first, n) / (4.0 * kLn2);
    case VolEstimator::kGarmanKlass:
    case VolEstimator::kRogersSatchell: return mean_of(t.a, first, n);
    case VolEstimator::kYangZhang: {
      const double nn = static_cast<double>(n);
      const double k = 0.34 / (1.34 + (nn + 1.0) / (nn - 1.0));
      return sample_variance(t.a, first, n) + k * sample_variance(t.b, first, n) +
             (1.0 - k) * mean_of(t.c, first, n);
    }
  }
  return 0.0;
}

// Every term above is a sum of squares or of products of same-signed logs, so the variance is
// >= 0 up to rounding; a rounding residue below zero is a zero variance, not a NaN.
double annualize(double var, double a) { return std::sqrt(a * (var > 0.0 ? var : 0.0)); }

}  // namespace

std::string_view to_string(VolEstimator estimator) noexcept {
  switch (estimator) {
    case VolEstimator::kCloseToClose: return "close-to-close";
    case VolEstimator::kParkinson: return "Parkinson";
    case VolEstimator::kGarmanKlass: return "Garman-Klass";
    case VolEstimator::kRogersSatchell: return "Rogers-Satchell";
    case VolEstimator::kYangZhang: return "Yang-Zhang";
  }
  return "unknown";
}

Result<VolSeries> rolling_realized_vol(VolEstimator estimator, const OhlcSpan& bars,
                                       std::size_t window, double annualization) {
  KEEL_TRY_STATUS(check_annualization(annualization));
  KEEL_TRY(n, check_bars(estimator, bars));
  const std::size_t lag = lag_of(estimator);
  const std::size_t periods = n - lag;
  KEEL_TRY_STATUS(check_window(window, periods, to_string(estimator)));
  const Terms terms = make_terms(estimator, bars, n);
  VolSeries out(n);
  // The window ending at bar t covers bars t-window+1..t; it must start at or after `lag`.
  for (std::size_t t = lag + window - 1; t < n; ++t) {
    out[t] = annualize(window_var(estimator, terms, t + 1 - window, window), annualization);
  }
  return out;
}

Result<double> realized_vol(VolEstimator estimator, const OhlcSpan& bars, double annualization) {
  KEEL_TRY_STATUS(check_annualization(annualization));
  KEEL_TRY(n, check_bars(estimator, bars));
  const std::size_t lag = lag_of(estimator);
  const std::size_t periods = n - lag;
  KEEL_TRY_STATUS(check_window(periods, periods, to_string(estimator)));
  const Terms terms = make_terms(estimator, bars, n);
  return annualize(window_var(estimator, terms, lag, periods), annualization);
}

Result<VolSeries> rolling_ewma_vol(std::span<const double> close, std::size_t seed_window,
                                   double lambda, double annualization) {
  KEEL_TRY_STATUS(check_annualization(annualization));
  if (!(lambda > 0.0 && lambda < 1.0)) {
    return invalid("lambda = " + fmt(lambda) + ": the EWMA decay must lie in (0, 1)");
  }
  if (close.empty()) return invalid("EWMA needs the close column, which is empty");
  KEEL_TRY_STATUS(check_prices(close, "close"));
  const std::size_t n = close.size();
  KEEL_TRY_STATUS(check_window(seed_window, n - 1, "EWMA seed"));
  VolSeries out(n);
  double s2 = 0.0;
  for (std::size_t i = 1; i <= seed_window; ++i) {
    const double r = std::log(close[i] / close[i - 1]);
    s2 += r * r;
  }
  s2 /= static_cast<double>(seed_window);
  out[seed_window] = annualize(s2, annualization);
  for (std::size_t t = seed_window + 1; t < n; ++t) {
    const double r = std::log(close[t] / close[t - 1]);
    s2 = lambda * s2 + (1.0 - lambda) * r * r;
    out[t] = annualize(s2, annualization);
  }
  return out;
}

Result<double> ewma_vol(std::span<const double> close, std::size_t seed_window, double lambda,
                        double annualization) {
  KEEL_TRY(series, rolling_ewma_vol(close, seed_window, lambda, annualization));
  return *series.back();
}

}  // namespace keel::analytics
