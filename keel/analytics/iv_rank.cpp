#include "keel/analytics/iv_rank.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "keel/core/assert.hpp"

namespace keel::analytics {
namespace {

std::string fmt(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

Status check_lookback(std::size_t lookback) {
  if (lookback < 2) {
    return make_error(ErrorCode::kInvalidArgument, "IV rank: lookback " + std::to_string(lookback) + " must be >= 2");
  }
  return ok_status();
}

}  // namespace

IvRankTracker::IvRankTracker(std::size_t lookback) : lookback_(lookback) {
  KEEL_ASSERT(lookback >= 2, "IvRankTracker: lookback must be >= 2");
  sorted_.reserve(lookback);
}

Result<IvRankTracker> IvRankTracker::make(std::size_t lookback) {
  KEEL_TRY_STATUS(check_lookback(lookback));
  return IvRankTracker(lookback);
}

Result<std::optional<IvRankValue>> IvRankTracker::push(double iv) {
  if (!std::isfinite(iv) || !(iv >= 0.0)) {
    return make_error(ErrorCode::kInvalidArgument, "IV rank: implied vol " + fmt(iv) + " must be finite and >= 0");
  }
  if (window_.size() == lookback_) {
    const double oldest = window_.front();
    window_.pop_front();
    sorted_.erase(std::lower_bound(sorted_.begin(), sorted_.end(), oldest));
  }
  window_.push_back(iv);
  const auto below = std::lower_bound(sorted_.begin(), sorted_.end(), iv);
  const std::size_t n_below = static_cast<std::size_t>(below - sorted_.begin());
  sorted_.insert(below, iv);
  if (window_.size() < lookback_) return std::optional<IvRankValue>{};

  IvRankValue out;
  out.current = iv;
  out.min = sorted_.front();
  out.max = sorted_.back();
  if (out.max > out.min) out.rank = (iv - out.min) / (out.max - out.min);
  out.percentile = static_cast<double>(n_below) / static_cast<double>(lookback_ - 1);
  return std::optional<IvRankValue>{out};
}

Result<std::vector<IvRankValue>> iv_rank_batch(std::span<const double> series, std::size_t lookback) {
  KEEL_TRY_STATUS(check_lookback(lookback));
  if (series.size() < lookback) {
    return make_error(ErrorCode::kInvalidArgument, "IV rank: series of " + std::to_string(series.size()) +
                                                       " values is shorter than the lookback " +
                                                       std::to_string(lookback));
  }
  IvRankTracker tracker(lookback);
  std::vector<IvRankValue> out;
  out.reserve(series.size() - lookback + 1);
  for (std::size_t i = 0; i < series.size(); ++i) {
    auto r = tracker.push(series[i]);
    if (!r.ok()) return r.error().with_context("IV rank: series index " + std::to_string(i));
    if (r->has_value()) out.push_back(**r);
  }
  return out;
}

}  // namespace keel::analytics
