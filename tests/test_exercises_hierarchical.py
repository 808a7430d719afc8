import numpy as np
import pytest

from vae_from_scratch.exercises import hierarchical as ex
from vae_from_scratch.models import hierarchical as hv


# ---- reference solutions, as the chapter's dropdowns give them ---------------------------------

def gaussian_entropy(log_var):
    return 0.5 * np.sum(1.0 + np.log(2 * np.pi) + log_var, axis=-1)


def active_units(means, threshold=0.01):
    return int(np.sum(np.var(means, axis=0) > threshold))


def test_reference_solutions_and_library_pass():
    for candidate in (gaussian_entropy, hv.gaussian_entropy):
        feedback = ex.check_gaussian_entropy(candidate)
        assert feedback.passed, feedback
    for candidate in (active_units, hv.active_units):
        feedback = ex.check_active_units(candidate)
        assert feedback.passed, feedback


@pytest.mark.parametrize("wrong, words", [
    (lambda lv: -gaussian_entropy(lv), "sign"),
    (lambda lv: 0.5 * np.sum(1.0 + lv, axis=-1), "log 2π"),
    (lambda lv: 0.5 * np.sum(np.log(2 * np.pi) + lv, axis=-1), "the 1"),
    (lambda lv: gaussian_entropy(np.exp(lv)), "already log σ²"),
    (lambda lv: gaussian_entropy(0.5 * lv), "log σ"),
])
def test_entropy_mistakes_get_a_specific_hint(wrong, words):
    feedback = ex.check_gaussian_entropy(wrong)
    assert not feedback.passed
    assert words in feedback.message


@pytest.mark.parametrize("wrong, words", [
    (lambda m, t: int(np.sum(np.std(m, axis=0) > t)), "standard deviation"),
    (lambda m, t: int(np.sum(np.var(m, axis=1) > t)), "across units"),
    (lambda m, t: int(np.sum(np.abs(np.mean(m, axis=0)) > t)), "VARIES"),
    (lambda m, t: np.var(m, axis=0) > t, "one number"),
])
def test_active_units_mistakes_get_a_specific_hint(wrong, words):
    feedback = ex.check_active_units(wrong)
    assert not feedback.passed
    assert words in feedback.message
