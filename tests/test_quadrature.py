"""Grid quadrature and naive Monte Carlo of the evidence (vae_from_scratch.quadrature)."""
import math

import numpy as np
import pytest

from vae_from_scratch.models import linear_gaussian as lg
from vae_from_scratch.models.toy import linear_gaussian_log_joint, prior_mc_relative_variance
from vae_from_scratch.quadrature import (
    grid_log_evidence,
    grid_points,
    grid_posterior,
    grid_size,
    midpoint_nodes,
    prior_monte_carlo_log_evidence,
)


def test_midpoint_nodes_tile_the_interval():
    nodes, h = midpoint_nodes(4, 2.0)
    assert h == 1.0
    np.testing.assert_allclose(nodes, [-1.5, -0.5, 0.5, 1.5])


@pytest.mark.parametrize("bad", [dict(n_per_dim=0, limit=1.0), dict(n_per_dim=3, limit=0.0)])
def test_midpoint_nodes_reject_bad_input(bad):
    with pytest.raises(ValueError):
        midpoint_nodes(**bad)


def test_grid_size_is_g_to_the_j():
    assert [grid_size(10, J) for J in range(1, 5)] == [10, 100, 1000, 10000]
    assert grid_size(16, 20) == 16 ** 20  # exact Python integer, no overflow


def test_grid_points_in_c_order_and_chunkable():
    full = grid_points(3, 2, 1.5)
    nodes, _ = midpoint_nodes(3, 1.5)
    assert full.shape == (9, 2)
    np.testing.assert_allclose(full[:3], [[nodes[0], nodes[0]], [nodes[0], nodes[1]], [nodes[0], nodes[2]]])
    chunks = np.concatenate([grid_points(3, 2, 1.5, s, s + 4) for s in range(0, 9, 4)])
    np.testing.assert_array_equal(chunks, full)


def test_one_dimensional_gaussian_integrates_to_one():
    log_density = lambda z: -0.5 * (z[:, 0] ** 2 + math.log(2 * math.pi))  # noqa: E731
    assert abs(grid_log_evidence(log_density, 1, 200, 8.0)) < 1e-12


def _linear_gaussian(J, D, seed=0):
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(D, J)), rng.normal(size=D)
    x = rng.normal(size=(1, D))
    return x, W, b


@pytest.mark.parametrize("J", [1, 2, 3])
def test_grid_matches_exact_linear_gaussian_evidence(J):
    x, W, b = _linear_gaussian(J, 3, seed=J)
    calls = []

    def log_joint(z):
        calls.append(len(z))
        return linear_gaussian_log_joint(x, z[:, None, :], W, b, 0.5)[:, 0]

    estimate = grid_log_evidence(log_joint, J, 60, 7.0, chunk_size=5000)
    assert sum(calls) == grid_size(60, J)  # every node evaluated exactly once
    assert abs(estimate - lg.log_marginal(x, W, b, 0.5)[0]) < 1e-6


def test_grid_is_independent_of_chunking_and_handles_batches():
    x, W, b = _linear_gaussian(2, 2)
    xs = np.concatenate([x, x + 1.0, x - 2.0])
    log_joint = lambda z: linear_gaussian_log_joint(xs, z[:, None, :], W, b, 0.3)  # noqa: E731
    a = grid_log_evidence(log_joint, 2, 25, 6.0)
    b_ = grid_log_evidence(log_joint, 2, 25, 6.0, chunk_size=7)
    assert a.shape == (3,)
    np.testing.assert_allclose(a, b_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a, lg.log_marginal(xs, W, b, 0.3), atol=1e-6)


def test_grid_survives_underflow():
    # log joint ≈ −5000: exp() is 0, the log-space sum is not
    value = grid_log_evidence(lambda z: -5000.0 - 0.5 * np.sum(z ** 2, axis=-1), 2, 50, 8.0)
    assert value == pytest.approx(-5000.0 + math.log(2 * math.pi), abs=1e-9)


def test_grid_posterior_is_bayes_rule_and_normalised():
    nodes, h = midpoint_nodes(400, 8.0)
    log_joint = -2000.0 - 0.5 * (nodes - 1.0) ** 2 / 0.25  # p(x, z) ∝ N(z; 1, 0.5²), far below float range
    post = grid_posterior(log_joint, h)
    assert np.all(np.isfinite(post))
    assert np.sum(post) * h == pytest.approx(1.0, abs=1e-12)
    gauss = np.exp(-0.5 * (nodes - 1.0) ** 2 / 0.25) / math.sqrt(2 * math.pi * 0.25)
    np.testing.assert_allclose(post, gauss, atol=1e-10)


def test_prior_monte_carlo_is_consistent_within_standard_errors():
    x, W, b = _linear_gaussian(2, 2, seed=5)
    S = 20000
    exact = lg.log_marginal(x, W, b, 0.5)[0]
    estimate = prior_monte_carlo_log_evidence(
        lambda z: linear_gaussian_log_joint(x, z[:, None, :], W, b, 0.5)[:, 0] + 0.5 * np.sum(z ** 2 + math.log(2 * math.pi), axis=-1),
        2, S, np.random.default_rng(0))
    rel_std = math.sqrt(prior_mc_relative_variance(x, W, b, 0.5)[0] / S)
    assert abs(math.exp(estimate - exact) - 1.0) < 4.0 * rel_std
