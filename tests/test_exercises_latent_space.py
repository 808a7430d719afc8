"""The Chapter 10 checkers accept correct answers and name the usual mistakes."""
import numpy as np
import pytest

from vae_from_scratch import latent
from vae_from_scratch.exercises import latent_space as ex


def reference_moments(mean, log_var):
    centre = mean.mean(axis=0)
    return centre, np.cov(mean.T, bias=True).reshape(mean.shape[1], -1) + np.diag(np.exp(log_var).mean(axis=0))


def reference_slerp(z0, z1, t):
    t = np.asarray(t)[:, None]
    omega = np.arccos(np.dot(z0, z1) / (np.linalg.norm(z0) * np.linalg.norm(z1)))
    return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


def test_moments_reference_solutions_pass():
    for candidate in (reference_moments, latent.aggregate_posterior_moments):
        feedback = ex.check_aggregate_moments(candidate)
        assert feedback.passed, feedback


def _between(mean):
    return np.cov(mean.T, bias=True).reshape(mean.shape[1], -1)


@pytest.mark.parametrize("wrong, words", [
    (lambda m, lv: (m.mean(0), _between(m)), "law of total variance"),
    (lambda m, lv: (m.mean(0), np.diag(np.exp(lv).mean(0))), "covariance of the means"),
    (lambda m, lv: (m.mean(0), _between(m) + np.diag(np.exp(0.5 * lv).mean(0))), "exp(log_var)"),
    (lambda m, lv: (m.mean(0), np.cov(m.T).reshape(m.shape[1], -1) + np.diag(np.exp(lv).mean(0))), "1/(N − 1)"),
    (lambda m, lv: (np.median(m, 0), reference_moments(m, lv)[1]), "centre"),
    (lambda m, lv: (m.mean(0), m.var(0) + np.exp(lv).mean(0)), "full covariance matrix"),
])
def test_moments_typical_mistakes_get_specific_hints(wrong, words):
    feedback = ex.check_aggregate_moments(wrong)
    assert not feedback.passed
    assert words in feedback.message, feedback.message


def test_moments_checker_reports_a_crash_as_a_hint():
    feedback = ex.check_aggregate_moments(lambda m, lv: 1 / 0)
    assert not feedback.passed and "ZeroDivisionError" in feedback.message


def test_slerp_reference_solutions_pass():
    for candidate in (reference_slerp, latent.slerp):
        feedback = ex.check_slerp(candidate)
        assert feedback.passed, feedback


def _renormalised(z0, z1, t):
    # the straight line pushed out to the interpolated length: right ends, wrong middle
    path = latent.lerp(z0, z1, t)
    lengths = (1 - np.asarray(t)[:, None]) * np.linalg.norm(z0) + np.asarray(t)[:, None] * np.linalg.norm(z1)
    return path / np.linalg.norm(path, axis=1, keepdims=True) * lengths


def _rescaled_slerp(z0, z1, t):
    path = latent.slerp(z0, z1, t)
    t = np.asarray(t)[:, None]
    lengths = (1 - t) * np.linalg.norm(z0) + t * np.linalg.norm(z1)
    return path / np.linalg.norm(path, axis=1, keepdims=True) * lengths


@pytest.mark.parametrize("wrong, words", [
    (latent.lerp, "straight line"),
    (lambda z0, z1, t: latent.slerp(z1, z0, t), "backwards"),
    (_renormalised, "the middle is not"),
])
def test_slerp_typical_mistakes_get_specific_hints(wrong, words):
    feedback = ex.check_slerp(wrong)
    assert not feedback.passed
    assert words in feedback.message, feedback.message


def test_slerp_length_mistake_hint():
    # On the quarter circle both ends have length 1, so the rescaled slerp is right there;
    # on unequal lengths its direction is right and its length wrong.
    feedback = ex.check_slerp(_rescaled_slerp)
    assert not feedback.passed
    assert "length" in feedback.message, feedback.message
