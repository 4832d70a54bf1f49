#include "keel/analytics/chain_slice.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "keel/analytics/implied_vol.hpp"

namespace keel::analytics {
namespace {
std::string name(std::string_view label) { return label.empty() ? std::string("slice") : "slice '" + std::string(label) + "'"; }
}  // namespace

Result<ParityFit> implied_forward(std::span<const StrikeQuotes> strikes, std::string_view label) {
  // Weighted least squares of y = C_mid - P_mid on x = K: y = alpha + beta x, D = -beta, F = alpha / D.
  double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  std::size_t n = 0;
  for (const StrikeQuotes& s : strikes) {
    if (!(s.strike > 0) || !(s.call_bid > 0) || !(s.put_bid > 0) || !(s.call_ask >= s.call_bid) || !(s.put_ask >= s.put_bid)) {
      continue;
    }
    const double spread = (s.call_ask - s.call_bid) + (s.put_ask - s.put_bid);
    const double w = 1.0 / std::max(spread, 1e-4);
    const double y = 0.5 * (s.call_bid + s.call_ask) - 0.5 * (s.put_bid + s.put_ask);
    sw += w;
    sx += w * s.strike;
    sy += w * y;
    sxx += w * s.strike * s.strike;
    sxy += w * s.strike * y;
    ++n;
  }
  if (n < 3) {
    return make_error(ErrorCode::kInvalidArgument, name(label) + ": " + std::to_string(n) +
                                                       " strikes with two-sided call and put markets, need 3 for the parity forward");
  }
  const double var = sxx / sw - (sx / sw) * (sx / sw);
  if (!(var > 0)) return make_error(ErrorCode::kInvalidArgument, name(label) + ": parity pairs all at one strike");
  const double beta = (sxy / sw - (sx / sw) * (sy / sw)) / var;
  const double alpha = sy / sw - beta * sx / sw;
  const double discount = -beta;
  if (!(discount > 0 && discount <= 1.5)) {
    return make_error(ErrorCode::kInvalidArgument, name(label) + ": parity gives discount factor " + std::to_string(discount) +
                                                       " outside (0, 1.5]");
  }
  const double forward = alpha / discount;
  if (!(forward > 0)) {
    return make_error(ErrorCode::kInvalidArgument, name(label) + ": parity gives non-positive forward " + std::to_string(forward));
  }
  return ParityFit{forward, discount, n};
}

Result<ChainSlice> chain_slice(std::span<const StrikeQuotes> strikes, double t, std::string_view label) {
  if (!(t > 0) || !std::isfinite(t)) {
    return make_error(ErrorCode::kInvalidArgument, name(label) + ": time " + std::to_string(t) + " must be positive");
  }
  KEEL_TRY(parity, implied_forward(strikes, label));
  ChainSlice out;
  out.t = t;
  out.parity = parity;
  for (const StrikeQuotes& s : strikes) {
    // Out-of-the-money side first; when it has no bid (far wings of a thin chain), the
    // in-the-money side, which for European options carries the same vol (parity).
    const bool otm_call = s.strike >= parity.forward;
    bool used = false;
    for (const bool call : {otm_call, !otm_call}) {
      const double bid = call ? s.call_bid : s.put_bid;
      const double ask = call ? s.call_ask : s.put_ask;
      if (!(bid > 0) || !(ask >= bid)) continue;
      const OptionRight right = call ? OptionRight::kCall : OptionRight::kPut;
      auto iv = [&](double price) {
        return implied_vol_black(BlackIvInput{right, price, parity.forward, s.strike, t, parity.discount});
      };
      auto bid_vol = iv(bid);
      auto ask_vol = iv(ask);
      auto mid_vol = iv(0.5 * (bid + ask));
      if (!bid_vol || !ask_vol || !mid_vol) continue;
      KEEL_TRY(k, log_moneyness(s.strike, parity.forward));
      SliceQuote q;
      q.k = k;
      q.vol = *mid_vol;
      q.bid_vol = *bid_vol;
      q.ask_vol = *ask_vol;
      out.quotes.push_back(q);
      out.strikes.push_back(s.strike);
      used = true;
      break;
    }
    if (!used) ++out.skipped;
  }
  // Sort quotes and strikes together by k.
  std::vector<std::size_t> order(out.quotes.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return out.quotes[a].k < out.quotes[b].k; });
  std::vector<SliceQuote> q2;
  std::vector<double> k2;
  for (std::size_t i : order) {
    q2.push_back(out.quotes[i]);
    k2.push_back(out.strikes[i]);
  }
  out.quotes = std::move(q2);
  out.strikes = std::move(k2);
  return out;
}

}  // namespace keel::analytics
