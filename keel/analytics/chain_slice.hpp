// keel/analytics/chain_slice.hpp — from one expiry's option quotes to a volatility slice: the
// forward and discount factor implied by put–call parity, and out-of-the-money implied vols.
//
// Contract:
// - Parity: for European options C − P = D·(F − K). Over strikes quoted on both sides, a
//   least-squares line of the mid difference (C − P) against K gives slope −D and intercept D·F
//   (weighted by the inverse of the combined spread, so tight near-the-money pairs dominate).
//   Needs at least 3 strikes with two-sided call and put markets; D must come out in (0, 1.5]
//   and F > 0, else an error naming the slice. For American equity options parity is only an
//   inequality; the estimate is then a near-the-money approximation (documented limitation).
// - Vols: for each strike the out-of-the-money side (puts below F, calls at or above) with a
//   positive bid gives bid, mid and ask implied vols by Black-76 on (F, D); when that side has
//   no bid or a price outside the no-arbitrage bounds, the in-the-money side is tried (same vol
//   for European options by parity). A strike with neither is skipped and counted, never
//   clamped.
// Validated by chain_slice_test.cpp: a chain priced by Black-76 from known F, D and a known SVI
// smile gives back F, D and the smile.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "keel/analytics/vol_surface.hpp"
#include "keel/core/result.hpp"

namespace keel::analytics {

// One strike of one expiry: call and put bid/ask (0 bid = no bid; 0 ask = no quote).
struct StrikeQuotes {
  double strike = 0.0;
  double call_bid = 0.0, call_ask = 0.0;
  double put_bid = 0.0, put_ask = 0.0;
};

struct ParityFit {
  double forward = 0.0;
  double discount = 1.0;
  std::size_t pairs = 0;  // strikes used
};

Result<ParityFit> implied_forward(std::span<const StrikeQuotes> strikes, std::string_view label = {});

struct ChainSlice {
  double t = 0.0;
  ParityFit parity;
  std::vector<SliceQuote> quotes;  // sorted by k
  std::vector<double> strikes;     // strike of each quote
  std::size_t skipped = 0;         // strikes without a usable OTM bid, or outside the bounds
};

Result<ChainSlice> chain_slice(std::span<const StrikeQuotes> strikes, double t, std::string_view label = {});

}  // namespace keel::analytics
