"""Integrating the evidence p(x) = ∫ p(x, z) dz numerically: a grid over z, or samples of the prior.

Both are exact in the limit and both fail in the way chapter 2 of the book measures:

- **Grid quadrature** (:func:`grid_log_evidence`) puts ``G`` midpoint nodes on each of the ``J``
  latent axes and sums the joint over the tensor grid. It is superbly accurate for ``J = 1`` and
  costs ``G**J`` evaluations of the joint (:func:`grid_size`): exponential in the latent dimension.
- **Naive Monte Carlo** (:func:`prior_monte_carlo_log_evidence`) averages p(x|z) over z drawn from
  the prior N(0, I). It costs what you give it, but its variance explodes when few prior draws land
  where the posterior is, i.e. when x is unlikely or J is large.

Everything is done in log space (``logsumexp``), because a joint density of a 784-pixel image is
far below the smallest positive float64.

``log_joint`` callables take latent points ``z`` of shape ``(P, J)`` and return the log joint
``log p(x, z)`` at those points, shape ``(P,)`` for one datapoint or ``(P, batch)`` for a batch.
"""
import math

import numpy as np
from scipy.special import logsumexp


def midpoint_nodes(n_per_dim, limit):
    """The ``G`` midpoints of ``G`` equal cells tiling [−limit, limit], and the cell width h = 2·limit/G."""
    n_per_dim = int(n_per_dim)
    if n_per_dim < 1:
        raise ValueError(f"n_per_dim must be a positive integer, got {n_per_dim}")
    if not limit > 0:
        raise ValueError(f"limit must be positive, got {limit}")
    h = 2.0 * limit / n_per_dim
    return -limit + h * (np.arange(n_per_dim) + 0.5), h


def grid_size(n_per_dim, latent_dim):
    """Number of nodes of the tensor grid, G**J: the number of evaluations of the joint it costs."""
    return int(n_per_dim) ** int(latent_dim)


def grid_points(n_per_dim, latent_dim, limit, start=0, stop=None):
    """Nodes ``start`` … ``stop − 1`` of the J-dimensional tensor grid, shape (stop − start, J).

    Nodes are numbered in C order (the last coordinate varies fastest), so the whole grid can be
    walked in chunks without ever holding its G**J × J coordinates in memory.
    """
    nodes, _ = midpoint_nodes(n_per_dim, limit)
    total = grid_size(n_per_dim, latent_dim)
    stop = total if stop is None else min(int(stop), total)
    index = np.arange(int(start), stop)
    digits = np.unravel_index(index, (int(n_per_dim),) * int(latent_dim))
    return np.stack([nodes[d] for d in digits], axis=-1)


def grid_log_evidence(log_joint, latent_dim, n_per_dim, limit=6.0, chunk_size=65536):
    """log p(x) ≈ log Σ_k p(x, z_k) h^J over the midpoint tensor grid on [−limit, limit]^J.

    The midpoint rule: each node z_k stands for a cell of volume h^J, so the integral is the sum of
    the integrand at the nodes times h^J. Computed in chunks of ``chunk_size`` nodes with
    ``logsumexp``; returns shape ``()`` for a single datapoint or ``(batch,)``.
    """
    _, h = midpoint_nodes(n_per_dim, limit)
    total = grid_size(n_per_dim, latent_dim)
    chunk_size = max(1, int(chunk_size))
    partial = []
    for start in range(0, total, chunk_size):
        z = grid_points(n_per_dim, latent_dim, limit, start, start + chunk_size)
        partial.append(logsumexp(np.asarray(log_joint(z), dtype=np.float64), axis=0))
    return logsumexp(np.stack(partial), axis=0) + latent_dim * math.log(h)


def grid_posterior(log_joint_values, h, axis=0):
    """Bayes' rule on a grid: p(z_k|x) = p(x, z_k) / p(x), with p(x) ≈ Σ_j p(x, z_j) h from the same grid.

    ``log_joint_values`` holds log p(x, z_k) at nodes spaced h apart along ``axis`` (one cell of
    volume h per node; pass h^J for a J-dimensional grid). The densities returned satisfy
    Σ_k p(z_k|x) h = 1. Subtracting the logsumexp before exponentiating keeps them finite even
    when every p(x, z_k) underflows.
    """
    log_joint_values = np.asarray(log_joint_values, dtype=np.float64)
    log_evidence = logsumexp(log_joint_values, axis=axis, keepdims=True) + math.log(h)
    return np.exp(log_joint_values - log_evidence)


def prior_monte_carlo_log_evidence(log_likelihood, latent_dim, n_samples, rng):
    """log p̂(x) = log (1/S) Σ_s p(x|z_s), z_s ~ N(0, I_J): naive Monte Carlo from the prior.

    ``log_likelihood(z)`` maps samples of shape (S, J) to log p(x|z_s), shape (S,) or (S, batch).
    The average of p(x|z_s) is unbiased for p(x); its logarithm is biased low (Jensen), badly so
    when the average is dominated by rare samples.
    """
    z = rng.standard_normal((int(n_samples), int(latent_dim)))
    return logsumexp(np.asarray(log_likelihood(z), dtype=np.float64), axis=0) - math.log(n_samples)
