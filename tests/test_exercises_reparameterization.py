import numpy as np
import pytest
from scipy import stats

from vae_from_scratch import samplers
from vae_from_scratch.exercises import reparameterization as ex


# ---- reference solutions, as the chapter's dropdowns give them ---------------------------------

def laplace_from_uniform(loc, scale, u):
    return loc - scale * np.sign(u - 0.5) * np.log1p(-2.0 * np.abs(u - 0.5))


def gumbel_softmax(logits, u, temperature):
    a = (logits - np.log(-np.log(u))) / temperature
    a = a - a.max(axis=-1, keepdims=True)
    w = np.exp(a)
    return w / w.sum(axis=-1, keepdims=True)


def test_reference_laplace_is_a_laplace_sample():
    u = np.random.default_rng(0).uniform(size=20_000)
    assert stats.kstest(laplace_from_uniform(1.0, 2.0, u), stats.laplace(1.0, 2.0).cdf).pvalue > 0.01


def test_laplace_reference_solution_passes():
    feedback = ex.check_laplace_from_uniform(laplace_from_uniform)
    assert feedback.passed, feedback
    assert str(feedback).startswith("correct")


@pytest.mark.parametrize("wrong, words", [
    (lambda m, b, u: m + b * np.sign(u - 0.5) * np.log1p(-2.0 * np.abs(u - 0.5)), "swapped"),
    (lambda m, b, u: m - b * np.log1p(-u), "exponential"),
    (lambda m, b, u: m - b * np.sign(u - 0.5) * np.log(1.0 - np.abs(u - 0.5)), "2·min(u, 1 − u)"),
    (lambda m, b, u: m - b ** 2 * np.sign(u - 0.5) * np.log1p(-2.0 * np.abs(u - 0.5)), "b²"),
])
def test_laplace_typical_mistakes_get_a_specific_hint(wrong, words):
    feedback = ex.check_laplace_from_uniform(wrong)
    assert not feedback.passed
    assert words in feedback.message


def test_laplace_checker_reports_errors_without_raising():
    def broken(loc, scale, u):
        raise RuntimeError("not written yet")

    feedback = ex.check_laplace_from_uniform(broken)
    assert not feedback.passed and "RuntimeError" in feedback.message
    with pytest.raises(TypeError):
        ex.check_laplace_from_uniform(3.0)


def test_gumbel_softmax_reference_solution_and_library_pass():
    for candidate in (gumbel_softmax, samplers.gumbel_softmax):
        feedback = ex.check_gumbel_softmax(candidate)
        assert feedback.passed, feedback


def _softmax(a, axis=-1):
    w = np.exp(a - a.max(axis=axis, keepdims=True))
    return w / w.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("wrong, words", [
    (lambda l, u, t: _softmax(l - np.log(-np.log(u))), "temperature is missing"),
    (lambda l, u, t: _softmax((l - np.log(-np.log(u))) * t), "do not multiply"),
    (lambda l, u, t: _softmax((l + np.log(-np.log(u))) / t), "sign"),
    (lambda l, u, t: _softmax((l - np.log(u)) / t), "two logarithms"),
    (lambda l, u, t: np.eye(l.shape[-1])[np.argmax(l - np.log(-np.log(u)), axis=-1)], "Gumbel-max"),
    (lambda l, u, t: _softmax((l - np.log(-np.log(u))) / t, axis=0), "last axis"),
])
def test_gumbel_softmax_typical_mistakes_get_a_specific_hint(wrong, words):
    feedback = ex.check_gumbel_softmax(wrong)
    assert not feedback.passed
    assert words in feedback.message


def test_gumbel_softmax_overflow_gets_a_specific_hint():
    def naive(logits, u, temperature):
        w = np.exp((logits - np.log(-np.log(u))) / temperature)
        return w / w.sum(axis=-1, keepdims=True)

    feedback = ex.check_gumbel_softmax(naive)
    assert not feedback.passed
    assert "overflows" in feedback.message
