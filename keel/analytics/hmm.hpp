// keel/analytics/hmm.hpp — Gaussian hidden Markov models (regimes): Baum–Welch fit with seeded
// restarts, filtered (causal) and smoothed (two-sided) state probabilities, Viterbi path,
// next-state prediction, AIC/BIC.
//
// Model: K = 2..5 hidden states s_t with initial law π and transition matrix A (A[i][j] =
// P(s_{t+1} = j | s_t = i)); observation x_t ∈ ℝ^d given s_t = k is N(μ_k, Σ_k), with Σ_k
// diagonal or full.
// Fit (Rabiner 1989, §III.C; Bishop 2006, §13.2): EM (Baum–Welch) with the scaled
// forward–backward recursions — each forward vector is normalized to sum to 1 and the emission
// densities are scaled by their per-time maximum, so log-likelihood ℓ = Σ_t (ln c_t + m_t) never
// underflows. Restart 0 starts from quantiles of the first feature (observations sorted by it,
// cut into K equal groups); restarts 1..R−1 from K distinct observations drawn as means with the
// pooled covariance and a random persistent transition matrix, drawn from std::mt19937_64(seed)
// (its output is fixed by the C++ standard; uniforms are built from its bits, not from
// std::uniform_real_distribution, whose algorithm is left to the library). Each run iterates
// until ℓ improves by less than tolerance·(1 + |ℓ|) or max_iterations; the run with the highest
// ℓ is kept (the earliest on a tie). States are then ordered by the mean of the first feature
// (ascending), so the same data, options and seed give the same model bit for bit.
// Degenerate variance: a variance below variance_floor × (the feature's sample variance) — a
// state collapsing onto a few points — is raised to that floor (for full covariances, the
// diagonal is raised); HmmFit::variance_floored reports whether the floor was active in the
// returned model. A state with (numerically) no weight keeps its previous parameters.
// Probabilities: hmm_filtered_probabilities gives P(s_t | x_1..x_t) by the forward pass only —
// row t uses no observation after t (no look-ahead; safe for trading signals).
// hmm_smoothed_probabilities gives P(s_t | x_1..x_T) and uses the whole sample: for analysis,
// never for a signal at t. hmm_predict_next gives P(s_{t+1} | x_1..x_t) = f_tᵀ A.
// hmm_viterbi gives the most likely path (log space; ties to the lower state index).
// Information criteria: AIC = 2p − 2ℓ, BIC = p ln T − 2ℓ, with p = (K − 1) + K(K − 1) + K·d
// + K·d (diagonal) or K·d(d+1)/2 (full).
// Errors (kInvalidArgument): K outside 2..5; restarts or max_iterations zero; rows of unequal
// length (naming the row); a non-finite value (naming row and column); fewer than 5
// observations per free parameter; a feature with zero variance; a model whose shapes or
// probabilities are inconsistent (validate names the field); an observation with zero density
// under every state reachable at t.
// Validated (hmm_test.cpp): forward likelihood, filtered and smoothed probabilities against
// brute-force enumeration of all 16 paths of a T = 4, 2-state model; parameters of simulated 2-
// and 3-state models (and a 2-feature full-covariance model) recovered within tolerances stated
// there; Viterbi accuracy on well-separated states; filtered probabilities up to T unchanged
// when observations after T change. Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "keel/core/result.hpp"

namespace keel::analytics {

enum class HmmCovariance { kDiagonal, kFull };
std::string_view to_string(HmmCovariance c) noexcept;  // "diagonal", "full"

struct GaussianHmm {
  std::size_t states = 0;
  std::size_t dim = 0;
  HmmCovariance covariance = HmmCovariance::kDiagonal;
  std::vector<double> initial;                    // π, K
  std::vector<double> transition;                 // A, K×K row-major
  std::vector<std::vector<double>> means;         // K × d
  std::vector<std::vector<double>> covariances;   // K × (d×d row-major); off-diagonal 0 if diagonal

  double transition_at(std::size_t i, std::size_t j) const { return transition[i * states + j]; }
  // Shapes, probabilities summing to 1 (within 1e-9), positive-definite covariances.
  Status validate() const;
};

struct HmmOptions {
  std::size_t states = 2;
  HmmCovariance covariance = HmmCovariance::kDiagonal;
  std::size_t restarts = 10;
  std::uint64_t seed = 1;
  std::size_t max_iterations = 500;
  double tolerance = 1e-9;       // relative improvement of ℓ that stops EM
  double variance_floor = 1e-6;  // × each feature's sample variance
};

struct HmmFit {
  GaussianHmm model;
  double log_likelihood = 0.0;
  double aic = 0.0;
  double bic = 0.0;
  std::size_t num_parameters = 0;
  std::size_t num_observations = 0;
  std::size_t iterations = 0;     // of the kept run
  bool converged = false;         // the kept run met the tolerance
  std::size_t best_restart = 0;
  bool variance_floored = false;
};

// Observations as rows x_t (each of length d).
Result<HmmFit> fit_hmm(std::span<const std::vector<double>> observations, const HmmOptions& options = {});
// Univariate convenience.
Result<HmmFit> fit_hmm(std::span<const double> observations, const HmmOptions& options = {});

Result<double> hmm_log_likelihood(const GaussianHmm& model, std::span<const std::vector<double>> observations);
// Row t: P(s_t = k | x_1..x_t). Forward pass only.
Result<std::vector<std::vector<double>>> hmm_filtered_probabilities(const GaussianHmm& model,
                                                                    std::span<const std::vector<double>> observations);
// Row t: P(s_t = k | x_1..x_T). Uses the whole sample (look-ahead by construction).
Result<std::vector<std::vector<double>>> hmm_smoothed_probabilities(const GaussianHmm& model,
                                                                    std::span<const std::vector<double>> observations);
Result<std::vector<std::size_t>> hmm_viterbi(const GaussianHmm& model, std::span<const std::vector<double>> observations);
// P(s_{t+1} = j | x_1..x_t) from a filtered row f_t.
Result<std::vector<double>> hmm_predict_next(const GaussianHmm& model, std::span<const double> filtered);

// Rows {x_t} for a univariate series.
std::vector<std::vector<double>> as_rows(std::span<const double> series);

}  // namespace keel::analytics
