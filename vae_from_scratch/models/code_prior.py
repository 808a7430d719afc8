"""An autoregressive prior over the discrete codes of a VQ-VAE, fitted after the VQ-VAE.

A VQ-VAE is trained with a uniform prior over its T codes (van den Oord et al., 2017); to
generate, one then fits a better prior p(k_1, …, k_T) to the codes of the training images and
samples from it. The paper fits a PixelCNN over the grid of codes. Here the positions are taken
in raster order and each code depends on a few earlier ones, its *parents* pa(t) ⊂ {1, …, t−1}:

    p(k) = Π_{t=1}^{T} p(k_t | k_{pa(t)}),

each factor a categorical table with one row per combination of parent codes (K^{|pa(t)|} rows
of K probabilities). With no parents this is an independent categorical per position; with
pa(t) = {t − 1} a Markov chain; on a grid of positions, with the left and upper neighbours as
parents (:func:`grid_parents`), a miniature PixelCNN whose "receptive field" is two codes.

The maximum-likelihood tables are normalised counts. Adding ``alpha`` to every count (additive,
or Laplace, smoothing; the posterior mean under a symmetric Dirichlet(α) prior on each row) gives
every combination a non-zero probability, so code tuples never seen in training keep a finite
log-probability on test data.
"""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CodePrior:
    """``parents[t]``: the earlier positions code t depends on; ``log_tables[t]``: an array of
    shape (K,) * (len(parents[t]) + 1), log p(k_t = j | parent codes = (i_1, …)) at [i_1, …, j]."""

    parents: tuple
    log_tables: tuple

    @property
    def n_codes(self):
        return self.log_tables[0].shape[-1]

    @property
    def n_positions(self):
        return len(self.parents)

    @property
    def n_parameters(self):
        """Free parameters: (K − 1) per row of every table."""
        return int(sum(table.size // table.shape[-1] * (table.shape[-1] - 1) for table in self.log_tables))


def independent_parents(n_positions):
    """No parents: p(k) = Π_t p_t(k_t), one categorical per position."""
    return tuple(() for _ in range(n_positions))


def chain_parents(n_positions):
    """Each code depends on the one before it: p(k) = p(k_1) Π_{t≥2} p(k_t | k_{t−1})."""
    return tuple(() if t == 0 else (t - 1,) for t in range(n_positions))


def grid_parents(rows, cols):
    """Positions on a rows × cols grid in raster order; parents are the left and upper neighbours."""
    parents = []
    for r in range(rows):
        for c in range(cols):
            here = r * cols + c
            parents.append(tuple(p for p, ok in ((here - 1, c > 0), (here - cols, r > 0)) if ok))
    return tuple(parents)


def _check_parents(parents, n_positions):
    parents = tuple(tuple(int(p) for p in pa) for pa in parents)
    if len(parents) != n_positions:
        raise ValueError(f"parents lists {len(parents)} positions, the codes have {n_positions}")
    for t, pa in enumerate(parents):
        if any(p < 0 or p >= t for p in pa) or len(set(pa)) != len(pa):
            raise ValueError(f"the parents of position {t} must be distinct earlier positions "
                             f"(in 0..{t - 1}), got {pa}: the prior must be autoregressive")
    return parents


def _check_codes(codes, n_codes):
    codes = np.asarray(codes)
    if codes.ndim != 2 or codes.shape[0] < 1 or codes.shape[1] < 1:
        raise ValueError(f"codes must have shape (N, T), one tuple of T codes per row, got {codes.shape}")
    if not np.issubdtype(codes.dtype, np.integer) or codes.min() < 0 or codes.max() >= n_codes:
        raise ValueError(f"codes must be integers in [0, {n_codes}), got {codes.dtype} "
                         f"in [{codes.min()}, {codes.max()}]")
    return codes


def fit_code_prior(codes, n_codes, parents, alpha=0.5):
    """Fit the tables to training codes (N, T) by smoothed counting (closed form, no iterations).

    p(k_t = j | k_{pa(t)} = i) = (#{k_{pa(t)} = i, k_t = j} + α) / (#{k_{pa(t)} = i} + K α).
    α = 0 is maximum likelihood: an unseen combination then has probability 0 (log p = −∞),
    and a parent combination never seen at all gets a uniform row.
    """
    if not (isinstance(alpha, (int, float, np.floating)) and alpha >= 0):
        raise ValueError(f"alpha must be a number ≥ 0, got {alpha!r}")
    codes = _check_codes(codes, n_codes)
    parents = _check_parents(parents, codes.shape[1])
    log_tables = []
    for t, pa in enumerate(parents):
        counts = np.zeros((n_codes,) * (len(pa) + 1))
        np.add.at(counts, tuple(codes[:, p] for p in pa) + (codes[:, t],), 1.0)
        counts += alpha
        rows = counts.sum(axis=-1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            table = np.where(rows > 0, np.log(counts) - np.log(rows), -np.log(n_codes))
        log_tables.append(table)
    return CodePrior(parents, tuple(log_tables))


def code_log_prob(prior, codes):
    """log p(k) of each row of codes (N, T): Σ_t log p(k_t | k_{pa(t)}), shape (N,), in nats."""
    codes = _check_codes(codes, prior.n_codes)
    if codes.shape[1] != prior.n_positions:
        raise ValueError(f"the prior has T = {prior.n_positions} positions, the codes {codes.shape[1]}")
    total = np.zeros(len(codes))
    for t, (pa, table) in enumerate(zip(prior.parents, prior.log_tables)):
        total += table[tuple(codes[:, p] for p in pa) + (codes[:, t],)]
    return total


def sample_codes(prior, n, rng):
    """n code tuples (n, T) drawn ancestrally, position by position in order:
    k_t ~ p(k_t | k_{pa(t)}) given the codes already drawn (inverse-CDF sampling of each row)."""
    rng = np.random.default_rng(rng)
    codes = np.empty((n, prior.n_positions), dtype=np.int64)
    for t, (pa, table) in enumerate(zip(prior.parents, prior.log_tables)):
        probabilities = np.exp(table[tuple(codes[:, p] for p in pa)])  # (n, K), or (K,) with no parents
        cumulative = np.cumsum(np.broadcast_to(probabilities, (n, prior.n_codes)), axis=-1)
        u = rng.random((n, 1)) * cumulative[:, -1:]
        codes[:, t] = np.minimum(np.sum(cumulative < u, axis=-1), prior.n_codes - 1)
    return codes
