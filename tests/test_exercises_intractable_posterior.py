"""The checkers of Chapter 2: the reference passes, typical mistakes get their specific hint."""
import itertools
import math

import numpy as np
import pytest
from scipy.special import logsumexp

from vae_from_scratch.exercises import intractable_posterior as ex
from vae_from_scratch.quadrature import grid_log_evidence, grid_posterior


def _nodes(G, limit):
    h = 2 * limit / G
    return -limit + h * (np.arange(G) + 0.5), h


def _grid(nodes, J):
    return np.array(list(itertools.product(nodes, repeat=J)))


def test_reference_grid_passes():
    feedback = ex.check_grid_log_evidence(grid_log_evidence)
    assert feedback.passed, feedback


def test_plain_itertools_solution_passes():
    def mine(log_joint, J, G, limit):
        nodes, h = _nodes(G, limit)
        return logsumexp(log_joint(_grid(nodes, J))) + J * math.log(h)
    assert ex.check_grid_log_evidence(mine).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda lj, J, G, L: logsumexp(lj(_grid(_nodes(G, L)[0], J))), "volume of a cell"),
        (lambda lj, J, G, L: logsumexp(lj(_grid(_nodes(G, L)[0], J))) - J * math.log(G), "averaged"),
        (lambda lj, J, G, L: logsumexp(lj(_grid(_nodes(G, L)[0], J))) + math.log(_nodes(G, L)[1]), "h^J, not h"),
        (lambda lj, J, G, L: logsumexp(lj(_grid(np.linspace(-L, L, G), J))) + J * math.log(2 * L / (G - 1)), "midpoints"),
    ],
)
def test_typical_grid_mistakes_get_specific_hints(wrong, words):
    feedback = ex.check_grid_log_evidence(wrong)
    assert not feedback.passed
    assert words in feedback.message, feedback.message


def test_grid_without_log_space_underflows():
    def naive(log_joint, J, G, limit):
        nodes, h = _nodes(G, limit)
        with np.errstate(divide="ignore"):
            return np.log(np.sum(np.exp(log_joint(_grid(nodes, J))))) + J * math.log(h)
    feedback = ex.check_grid_log_evidence(naive)
    assert not feedback.passed and "logsumexp" in feedback.message


def test_reference_posterior_passes():
    feedback = ex.check_posterior_on_grid(grid_posterior)
    assert feedback.passed, feedback


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda lj, h: np.exp(lj - logsumexp(lj)), "integrates to 1"),
        (lambda lj, h: np.exp(lj - logsumexp(lj)) * h, "divide"),
    ],
)
def test_typical_posterior_mistakes_get_specific_hints(wrong, words):
    feedback = ex.check_posterior_on_grid(wrong)
    assert not feedback.passed
    assert words in feedback.message, feedback.message


def test_posterior_without_log_space_underflows():
    def naive(log_joint, h):
        p = np.exp(log_joint)
        with np.errstate(invalid="ignore"):
            return p / (p.sum() * h)
    feedback = ex.check_posterior_on_grid(naive)
    assert not feedback.passed and "logsumexp" in feedback.message


def test_joint_instead_of_posterior_is_named():
    feedback = ex.check_posterior_on_grid(lambda lj, h: np.exp(lj))
    assert not feedback.passed and "joint" in feedback.message
