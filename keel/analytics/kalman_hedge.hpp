// keel/analytics/kalman_hedge.hpp — a Kalman filter for a time-varying hedge ratio, streaming.
//
// Model (Chan 2013, "Algorithmic Trading", §3.3; Durbin & Koopman 2012, ch. 4): state
// θ_t = [β_t, α_t]ᵀ follows a random walk θ_t = θ_{t−1} + w_t, w_t ~ N(0, Q), Q = δ/(1 − δ)·I;
// observation y_t = β_t x_t + α_t + e_t, e_t ~ N(0, V_e). Each update, with F_t = [x_t, 1]:
//   predict   R_t = P_{t−1} + Q,            ŷ_t = F_t θ_{t−1}          (data < t, and x_t)
//   innovate  e_t = y_t − ŷ_t,              S_t = F_t R_t F_tᵀ + V_e
//   update    K_t = R_t F_tᵀ / S_t,         θ_t = θ_{t−1} + K_t e_t,   P_t = R_t − S_t K_t K_tᵀ
// The filtered [β_t, α_t] uses data ≤ t only; the spread e_t (the one-step forecast error) and
// its predicted standard deviation √S_t use θ_{t−1}, so z_t = e_t/√S_t is a causal z-score.
// Prior: θ_0 = [initial_beta, initial_alpha], P_0 = initial_variance·I (a large value is a
// near-diffuse prior; with δ = 0 the filter is recursive least squares and θ_t the posterior
// mean (P_0⁻¹ + X'X/V_e)⁻¹(P_0⁻¹θ_0 + X'y/V_e)). Each update is O(1) (2×2 arithmetic).
// Batch (kalman_hedge) runs the same updates in order, so it equals streaming bit for bit.
// Errors (kInvalidArgument): δ outside [0, 1), V_e or initial_variance not finite and > 0, a
// non-finite initial state; in update, a non-finite x or y (naming the observation index);
// in the batch form, y and x of different lengths.
// Validated (kalman_hedge_test.cpp): δ = 0 against the recursive-least-squares closed form;
// tiny δ with a diffuse prior converges to the OLS β; streaming equals batch; outputs up to t
// do not change when data after t changes; a step change in β is tracked.
// Thread safety: a KalmanHedge is a value; one instance is not for concurrent use.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "keel/core/result.hpp"

namespace keel::analytics {

struct KalmanHedgeOptions {
  double delta = 1e-4;                 // Q = δ/(1 − δ)·I
  double observation_variance = 1e-3;  // V_e
  double initial_beta = 0.0;
  double initial_alpha = 0.0;
  double initial_variance = 1.0;  // P_0 = initial_variance·I
};

struct KalmanHedgeStep {
  double beta = 0.0;        // filtered β_t (data ≤ t)
  double alpha = 0.0;       // filtered α_t
  double beta_std = 0.0;    // √P_t[0][0]
  double alpha_std = 0.0;   // √P_t[1][1]
  double forecast = 0.0;    // ŷ_t = β_{t−1} x_t + α_{t−1}
  double spread = 0.0;      // e_t = y_t − ŷ_t
  double spread_std = 0.0;  // √S_t
  double z_score = 0.0;     // e_t/√S_t
};

class KalmanHedge {
 public:
  static Result<KalmanHedge> create(const KalmanHedgeOptions& options = {});

  // Consumes observation (x_t, y_t) and returns the filtered state and the spread at t.
  Result<KalmanHedgeStep> update(double x, double y);

  std::size_t observations() const noexcept { return count_; }
  double beta() const noexcept { return beta_; }
  double alpha() const noexcept { return alpha_; }

 private:
  explicit KalmanHedge(const KalmanHedgeOptions& o);
  double q_ = 0.0, ve_ = 0.0;
  double beta_ = 0.0, alpha_ = 0.0;
  double p00_ = 0.0, p01_ = 0.0, p11_ = 0.0;  // P is symmetric
  std::size_t count_ = 0;
};

// The streaming filter over whole series (same results as calling update in order).
Result<std::vector<KalmanHedgeStep>> kalman_hedge(std::span<const double> y, std::span<const double> x,
                                                  const KalmanHedgeOptions& options = {});

}  // namespace keel::analytics
