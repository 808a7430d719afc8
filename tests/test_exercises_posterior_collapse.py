"""The Chapter 17 checkers accept correct answers and name the usual mistakes."""
import numpy as np
import pytest

from vae_from_scratch.exercises import posterior_collapse as ex


def my_free_bits_kl(kl, free_bits):
    return np.sum(np.maximum(np.mean(kl, axis=0), free_bits))


def my_cyclical(step, period, ramp):
    return min(1.0, (step % period) / (ramp * period))


def test_reference_solutions_pass():
    for feedback in (ex.check_free_bits_kl(my_free_bits_kl), ex.check_cyclical_schedule(my_cyclical)):
        assert feedback.passed, feedback
        assert str(feedback).startswith("correct")


@pytest.mark.parametrize("wrong, words", [
    (lambda kl, lam: np.sum(np.mean(np.maximum(kl, lam), axis=0)), "FIRST"),
    (lambda kl, lam: np.sum(np.maximum(np.mean(kl, axis=0) - lam, 0.0)), "same gradient"),
    (lambda kl, lam: max(lam, np.sum(np.mean(kl, axis=0))), "each latent dimension"),
    (lambda kl, lam: np.sum(np.minimum(np.mean(kl, axis=0), lam)), "maximum, not the minimum"),
    (lambda kl, lam: np.sum(np.maximum(np.sum(kl, axis=0), lam)), "do not sum"),
])
def test_free_bits_mistakes_get_specific_hints(wrong, words):
    feedback = ex.check_free_bits_kl(wrong)
    assert not feedback.passed
    assert words in feedback.message, feedback.message


@pytest.mark.parametrize("wrong, words", [
    (lambda t, period, ramp: (t % period) / (ramp * period), "stop at 1"),
    (lambda t, period, ramp: min(1.0, t / (ramp * period)), "restart"),
    (lambda t, period, ramp: (t % period) / period, "ramp · period"),
    (lambda t, period, ramp: min(1.0, (t % period + 1) / (ramp * period)), "count steps from 0"),
])
def test_cyclical_mistakes_get_specific_hints(wrong, words):
    feedback = ex.check_cyclical_schedule(wrong)
    assert not feedback.passed
    assert words in feedback.message, feedback.message


def test_a_crash_is_feedback_and_a_non_function_is_an_error():
    assert "ZeroDivisionError" in ex.check_free_bits_kl(lambda kl, lam: 1 / 0).message
    with pytest.raises(TypeError):
        ex.check_cyclical_schedule(0.5)
