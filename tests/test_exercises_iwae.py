"""The Chapter 18 checkers accept correct answers and name the usual mistakes."""
import math

import numpy as np
import pytest

from vae_from_scratch.exercises import iwae as ex


def my_iwae(log_w):
    m = np.max(log_w, axis=0)
    return m + np.log(np.mean(np.exp(log_w - m), axis=0))


def my_snr(draws):
    n = draws.shape[0]
    noise = np.sum(np.var(draws, axis=0, ddof=1))
    signal = np.sum(np.mean(draws, axis=0) ** 2) - noise / n
    return math.sqrt(max(signal, 0.0) / noise)


def test_reference_solutions_pass():
    for feedback in (ex.check_iwae_from_log_weights(my_iwae), ex.check_signal_to_noise(my_snr)):
        assert feedback.passed, feedback
        assert str(feedback).startswith("correct")


@pytest.mark.parametrize("wrong, words", [
    (lambda log_w: np.mean(log_w, axis=0), "K-sample ELBO"),
    (lambda log_w: np.log(np.sum(np.exp(log_w), axis=0)), "divide by K"),
    (lambda log_w: np.log(np.mean(np.exp(log_w), axis=0)), "Subtract the largest"),
    (lambda log_w: my_iwae(log_w.T), "axis 0"),
    (lambda log_w: np.log(np.mean(np.exp(log_w - log_w.max(axis=0)), axis=0)), "add it back"),
    (lambda log_w: np.log(np.mean(np.exp(log_w - log_w.max()), axis=0)) + log_w.max()
     if log_w.max() > -100 else np.zeros(log_w.shape[1]), "near −900"),
])
def test_iwae_mistakes_get_specific_hints(wrong, words):
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        feedback = ex.check_iwae_from_log_weights(wrong)
    assert not feedback.passed
    assert words in feedback.message, feedback.message


@pytest.mark.parametrize("wrong, words", [
    (lambda d: math.sqrt(np.sum(d.mean(0) ** 2) / np.sum(d.var(0, ddof=1))), "overestimates"),
    (lambda d: math.sqrt(max(np.sum(d.mean(0) ** 2) - np.sum(d.var(0)) / len(d), 0) / np.sum(d.var(0))), "ddof = 1"),
    (lambda d: np.mean(np.abs(d.mean(0)) / d.std(0, ddof=1)), "pool over the parameters"),
])
def test_snr_mistakes_get_specific_hints(wrong, words):
    feedback = ex.check_signal_to_noise(wrong)
    assert not feedback.passed
    assert words in feedback.message, feedback.message


def test_a_crash_is_feedback_and_a_non_function_is_an_error():
    assert "ZeroDivisionError" in ex.check_signal_to_noise(lambda d: 1 / 0).message
    with pytest.raises(TypeError):
        ex.check_iwae_from_log_weights("log_mean_exp")
