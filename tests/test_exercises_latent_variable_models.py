"""The checkers of Chapter 1: the reference passes, typical mistakes get their specific hint."""
import math

import numpy as np
import pytest
from scipy.special import logsumexp

from vae_from_scratch.exercises import latent_variable_models as ex
from vae_from_scratch.models.toy import mixture_log_density


def _log_components(x, means, stds, D_constant=None):
    D = means.shape[1] if D_constant is None else D_constant
    sq = np.sum((x[None] - means[:, None]) ** 2, axis=-1)
    return -0.5 * D * np.log(2 * math.pi * stds ** 2)[:, None] - 0.5 * sq / stds[:, None] ** 2


def test_reference_mixture_passes():
    feedback = ex.check_mixture_log_density(mixture_log_density)
    assert feedback.passed, feedback
    assert str(feedback).startswith("correct")


def test_log_space_solution_passes():
    def mine(x, weights, means, stds):
        return logsumexp(np.log(weights)[:, None] + _log_components(x, means, stds), axis=0)
    assert ex.check_mixture_log_density(mine).passed


def test_summing_densities_underflows():
    def naive(x, weights, means, stds):
        with np.errstate(divide="ignore"):
            return np.log(np.sum(weights[:, None] * np.exp(_log_components(x, means, stds)), axis=0))
    feedback = ex.check_mixture_log_density(naive)
    assert not feedback.passed
    assert "logsumexp" in feedback.message and "underflow" in feedback.message


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda x, w, m, s: logsumexp(_log_components(x, m, s), axis=0), "mixing weights"),
        (lambda x, w, m, s: mixture_log_density(x, w, m, np.sqrt(s)), "standard deviation"),
        (lambda x, w, m, s: logsumexp(np.log(w)[:, None] + _log_components(x, m, s, D_constant=1), axis=0), "one dimension"),
        (lambda x, w, m, s: np.max(np.log(w)[:, None] + _log_components(x, m, s), axis=0), "max"),
    ],
)
def test_typical_mixture_mistakes_get_specific_hints(wrong, words):
    feedback = ex.check_mixture_log_density(wrong)
    assert not feedback.passed
    assert words in feedback.message, feedback.message


def test_reference_sampler_passes():
    feedback = ex.check_ancestral_sampler(lambda model, n, rng: model.sample(n, rng))
    assert feedback.passed, feedback


def _sampler(noise_scale):
    def sample(model, n, rng):
        z = rng.standard_normal((n, 1))
        return z, model.decode(z) + noise_scale(model.noise_std) * rng.standard_normal((n, 2))
    return sample


@pytest.mark.parametrize(
    "wrong, words",
    [
        (_sampler(lambda s: 0.0), "decoder's mean"),
        (_sampler(lambda s: s ** 2), "not by the variance"),
        (lambda model, n, rng: (rng.standard_normal((n, 1)), model.noise_std * rng.standard_normal((n, 2))), "added to f(z)"),
        (lambda model, n, rng: (rng.standard_normal((n, 2)), rng.standard_normal((n, 2))), "shape"),
        (lambda model, n, rng: (rng.uniform(-1, 1, (n, 1)),) * 1 + (np.zeros((n, 2)),), "prior"),
    ],
)
def test_typical_sampler_mistakes_get_specific_hints(wrong, words):
    feedback = ex.check_ancestral_sampler(wrong)
    assert not feedback.passed
    assert words in feedback.message, feedback.message


def test_sampler_that_decodes_a_different_z_is_caught():
    def mismatched(model, n, rng):
        z = rng.standard_normal((n, 1))
        other = rng.standard_normal((n, 1))
        return z, model.decode(other) + model.noise_std * rng.standard_normal((n, 2))
    feedback = ex.check_ancestral_sampler(mismatched)
    assert not feedback.passed and "same z" in feedback.message
