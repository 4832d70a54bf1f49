// keel/analytics/black76.hpp — Black-76 price of a European option on a forward.
//
// Contract:
// - black76_price(F, K, T, σ, D, right) = D·(F·N(d1) - K·N(d2)) for a call and
//   D·(K·N(-d2) - F·N(-d1)) for a put, d1,2 = (ln(F/K) ± σ²T/2)/(σ√T) (Black 1976; Hull,
//   "Options, Futures, and Other Derivatives", ch. 18). D is the discount factor to the
//   payment date (e^{-rT} for a flat rate); T enters only through σ√T, so a caller may pass
//   time measured on a variance clock (trading days) different from the discounting clock.
//   Black–Scholes–Merton is the special case F = S·e^{(r-q)T}, D = e^{-rT}.
// - σ√T = 0 (expiry or zero volatility) gives the discounted intrinsic value D·max(±(F-K), 0).
// - Preconditions (programming errors if broken, KEEL_ASSERT): F > 0, K > 0, T >= 0, σ >= 0,
//   D > 0, all finite. Input from users is validated by the caller, which names the field.
// - Validated (black76_test.cpp) against Hull's worked examples, Haug's Black-76 example,
//   40-digit mpmath values, put–call parity C - P = D(F - K), bounds and monotonicity.
// Thread safety: pure function.
#pragma once

#include "keel/model/instrument.hpp"

namespace keel::analytics {

double black76_price(double forward, double strike, double T, double vol, double discount, OptionRight right);

}  // namespace keel::analytics
