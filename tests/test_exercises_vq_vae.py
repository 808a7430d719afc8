import math

import numpy as np
import pytest

from vae_from_scratch.exercises import vq_vae as ex
from vae_from_scratch.models import vq_vae as vq


# ---- reference solutions, as the chapter's dropdowns give them ---------------------------------

def nearest_codes(z_e, codebook):
    distances = (np.sum(z_e ** 2, axis=-1, keepdims=True) - 2.0 * z_e @ codebook.T
                 + np.sum(codebook ** 2, axis=-1))
    return np.argmin(distances, axis=-1)


def perplexity(codes, n_codes):
    p = np.bincount(np.ravel(codes), minlength=n_codes) / np.size(codes)
    p = p[p > 0]
    return math.exp(-np.sum(p * np.log(p)))


def test_reference_solutions_and_library_pass():
    for candidate in (nearest_codes, vq.nearest_codes):
        feedback = ex.check_nearest_codes(candidate)
        assert feedback.passed, feedback
    for candidate in (perplexity, vq.perplexity):
        feedback = ex.check_perplexity(candidate)
        assert feedback.passed, feedback


@pytest.mark.parametrize("wrong, words", [
    (lambda z, e: np.argmax(np.sum((z[..., None, :] - e) ** 2, axis=-1), axis=-1), "argmin"),
    (lambda z, e: np.argmax(z @ e.T, axis=-1), "dot product"),
    (lambda z, e: np.argmin(np.sum(np.abs(z[..., None, :] - e), axis=-1), axis=-1), "L1"),
])
def test_nearest_codes_mistakes_get_a_specific_hint(wrong, words):
    feedback = ex.check_nearest_codes(wrong)
    assert not feedback.passed
    assert words in feedback.message


def _entropy(codes, n_codes):
    return math.log(perplexity(codes, n_codes))


@pytest.mark.parametrize("wrong, words", [
    (_entropy, "entropy H itself"),
    (lambda c, K: 2.0 ** _entropy(c, K), "base 2"),
    (lambda c, K: np.count_nonzero(np.bincount(np.ravel(c), minlength=K)), "number of codes used"),
])
def test_perplexity_mistakes_get_a_specific_hint(wrong, words):
    feedback = ex.check_perplexity(wrong)
    assert not feedback.passed
    assert words in feedback.message


def test_a_crashing_candidate_is_feedback_not_an_error():
    feedback = ex.check_perplexity(lambda codes, n_codes: 1 / 0)
    assert not feedback.passed and "ZeroDivisionError" in feedback.message
