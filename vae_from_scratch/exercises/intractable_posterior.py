"""Checkers for the exercises of Chapter 2, "The intractable posterior".

    >>> from vae_from_scratch.exercises import intractable_posterior as ex
    >>> print(ex.check_grid_log_evidence(my_grid_log_evidence))
    >>> print(ex.check_posterior_on_grid(my_posterior))

The references are :func:`vae_from_scratch.quadrature.grid_log_evidence` and the grid posterior of
:func:`vae_from_scratch.quadrature.grid_posterior`.
"""
import math

import numpy as np
from scipy.special import logsumexp

from ..models.toy import linear_gaussian_log_joint
from ..quadrature import grid_log_evidence, grid_posterior, midpoint_nodes
from . import check_underflow_case, compare_on_cases, correct, hint

# ---- grid quadrature of the evidence ----------------------------------------------------------


class _LogJoint:
    """log p(x, z) of a linear-Gaussian model at one x, as a callable of z (P, J) → (P,)."""

    def __init__(self, x, W, b, sigma2):
        self.x, self.W, self.b, self.sigma2 = np.asarray(x, float), np.asarray(W, float), np.asarray(b, float), sigma2

    def __call__(self, z):
        z = np.asarray(z, dtype=float)
        return linear_gaussian_log_joint(self.x[None, :], z[:, None, :], self.W, self.b, self.sigma2)[:, 0]

    def __repr__(self):
        return f"log p(x, z) at x = {np.round(self.x, 2).tolist()}"


def _grid_cases():
    rng = np.random.default_rng(1)
    cases = []
    for J, D, G, limit in ((1, 1, 41, 6.0), (1, 2, 9, 4.0), (2, 2, 15, 5.0), (3, 2, 8, 4.5)):
        W = rng.normal(size=(D, J))
        b = rng.normal(size=D)
        x = rng.normal(size=D)
        cases.append((_LogJoint(x, W, b, 0.5), J, G, limit))
    return cases


def _far_grid_case():
    # x far in the tail: log p(x, z) is about −2000 everywhere, so exp() underflows to 0
    return _LogJoint(np.array([60.0, -40.0]), np.eye(2), np.zeros(2), 0.5), 2, 12, 5.0


def _diagnose_grid(case, got, expected):
    log_joint, J, G, limit = case
    close = lambda a: np.allclose(got, a, rtol=1e-6, atol=1e-6)  # noqa: E731
    _, h = midpoint_nodes(G, limit)
    if close(expected - J * math.log(h)):
        return f"you summed p(x, z_k) but forgot the volume of a cell: multiply by h^J (add J·log h, h = 2·limit/G = {h:.4g})."
    if close(expected - J * math.log(h) - J * math.log(G)):
        return "you averaged p(x, z_k) over the nodes: the integral is the sum times the cell volume h^J, not the mean."
    if close(expected - (J - 1) * math.log(h)) and J > 1:
        return "the cell volume of a J-dimensional grid is h^J, not h."
    # the nodes of np.linspace(−limit, limit, G) with spacing 2·limit/(G − 1)
    nodes = np.linspace(-limit, limit, G)
    grid = np.stack([a.ravel() for a in np.meshgrid(*([nodes] * J), indexing="ij")], axis=-1)
    if close(logsumexp(log_joint(grid)) + J * math.log(nodes[1] - nodes[0])):
        return ("your nodes include the end points (np.linspace); this exercise uses the midpoints "
                "z = −limit + (k + ½)h, k = 0 … G − 1, of G cells of width h = 2·limit/G.")
    return None


def check_grid_log_evidence(candidate):
    """Check ``candidate(log_joint, latent_dim, n_per_dim, limit)`` → log ∫ p(x, z) dz, a number.

    ``log_joint`` maps latent points of shape (P, J) to log p(x, z), shape (P,). Use the midpoint
    rule: G nodes −limit + (k + ½)h per axis, h = 2·limit/G, all G^J combinations, each weighted
    by h^J. One case has log p(x, z) ≈ −2000: sum the exponentials in log space.
    """
    feedback = compare_on_cases(
        candidate, grid_log_evidence, _grid_cases(), rtol=1e-6, atol=1e-6, diagnose=_diagnose_grid, what="log evidence"
    )
    if not feedback.passed:
        return feedback
    underflow = check_underflow_case(
        candidate, grid_log_evidence, _far_grid_case(), "for a datapoint far in the tail",
        "every p(x, z_k) underflows to 0 and log 0 = −inf: keep the log joint values and combine them "
        "with scipy.special.logsumexp.",
    )
    if underflow is not None:
        return underflow
    return correct(
        f"your grid quadrature matches the library's for J = 1, 2 and 3 ({len(_grid_cases())} cases), and stays "
        "finite where the joint density underflows."
    )


# ---- the posterior on a grid ------------------------------------------------------------------


def _posterior_cases():
    rng = np.random.default_rng(2)
    cases = []
    for G, h, offset in ((50, 0.1, 0.0), (7, 0.5, -3.0), (200, 0.03, -1000.0)):
        z = h * (np.arange(G) - G / 2)
        log_joint = offset - 0.5 * (z - rng.normal()) ** 2 / rng.uniform(0.2, 1.0) + 0.3 * np.sin(3 * z)
        cases.append((log_joint, h))
    return cases


def _diagnose_posterior(case, got, expected):
    log_joint, h = case
    close = lambda a: np.allclose(got, a, rtol=1e-6, atol=1e-10)  # noqa: E731
    if close(expected * h):
        return "your values sum to 1, but a density integrates to 1: Σ_k p(z_k|x) h = 1, so divide by h as well."
    if close(np.exp(log_joint)):
        return "this is the joint p(x, z_k), not yet the posterior: divide by the evidence p(x) ≈ Σ_k p(x, z_k) h."
    if close(expected * h * h):
        return "you multiplied by h where you should divide: p(z_k|x) = p(x, z_k) / (Σ_j p(x, z_j) h)."
    return None


def check_posterior_on_grid(candidate):
    """Check ``candidate(log_joint_values, h)`` → the posterior density p(z_k|x) at equally spaced nodes.

    ``log_joint_values`` are log p(x, z_k) on nodes h apart, shape (G,). Return densities (G,)
    with Σ_k p(z_k|x) h = 1. One case has log p(x, z) ≈ −1000, where exp() alone underflows.
    """
    cases = _posterior_cases()
    feedback = compare_on_cases(
        candidate, grid_posterior, cases, rtol=1e-6, atol=1e-10, diagnose=_diagnose_posterior,
        what="posterior density",
    )
    if feedback.passed:
        return correct(f"your posterior matches Bayes' rule on {len(cases)} grids, including one where exp() underflows.")
    if "NaN or inf" in feedback.message:
        return hint(
            "the joint densities underflow (log p(x, z) ≈ −1000): subtract logsumexp of the log joint "
            "before exponentiating, p(z_k|x) = exp(log p(x, z_k) − logsumexp_j log p(x, z_j) − log h)."
        )
    return feedback
