"""The Chapter 9 checkers accept correct answers and name the usual mistakes."""
import numpy as np
import pytest

from vae_from_scratch.exercises import training as ex
from vae_from_scratch.objectives import log_weight_prior


def reference_adagrad_step(w, g, G, lr, eps):
    G_new = G + g * g
    return w - lr * g / (np.sqrt(G_new) + eps), G_new


def reference_map_objective(bounds, params, N, weight_decay):
    squares = sum(np.sum(W ** 2) + np.sum(b ** 2) for net in params for W, b in net)
    return np.mean(bounds) - weight_decay / N * 0.5 * squares


def test_adagrad_reference_passes():
    feedback = ex.check_adagrad_step(reference_adagrad_step)
    assert feedback.passed, feedback
    assert str(feedback).startswith("correct")


def test_adagrad_in_place_solution_passes():
    def in_place(w, g, G, lr, eps):
        G += g ** 2
        w -= lr * g / (np.sqrt(G) + eps)
        return w, G
    assert ex.check_adagrad_step(in_place).passed


@pytest.mark.parametrize("wrong, words", [
    (lambda w, g, G, lr, eps: (w + lr * g / (np.sqrt(G + g * g) + eps), G + g * g), "wrong sign"),
    (lambda w, g, G, lr, eps: (w - lr * g / (G + g * g + eps), G + g * g), "square root"),
    (lambda w, g, G, lr, eps: (w - lr * g / (np.sqrt(G) + eps), G + g * g), "NEW G"),
    (lambda w, g, G, lr, eps: (w - lr * g, G + g * g), "plain SGD"),
    (lambda w, g, G, lr, eps: (w - lr * g / (np.abs(g) + eps), g * g), "running SUM"),
    (lambda w, g, G, lr, eps: (w - lr * g / (G + np.abs(g) + eps), G + np.abs(g)), "SQUARED"),
])
def test_adagrad_typical_mistakes_get_specific_hints(wrong, words):
    feedback = ex.check_adagrad_step(wrong)
    assert not feedback.passed
    assert words in feedback.message, feedback.message


def test_adagrad_checker_reports_a_crash_as_a_hint():
    feedback = ex.check_adagrad_step(lambda w, g, G, lr, eps: 1 / 0)
    assert not feedback.passed and "ZeroDivisionError" in feedback.message


def test_adagrad_checker_needs_a_function():
    with pytest.raises(TypeError):
        ex.check_adagrad_step(3)


def test_map_reference_passes():
    for candidate in (reference_map_objective, ex.reference_map_objective):
        feedback = ex.check_map_objective(candidate)
        assert feedback.passed, feedback


def _with_prior(scale):
    return lambda bounds, params, N, lam: np.mean(bounds) + scale(N, lam, len(bounds)) * log_weight_prior(params)


@pytest.mark.parametrize("wrong, words", [
    (lambda bounds, params, N, lam: np.mean(bounds), "missing"),
    (_with_prior(lambda N, lam, M: -lam / N), "wrong sign"),
    (_with_prior(lambda N, lam, M: lam), "divide the prior term by N"),
    (_with_prior(lambda N, lam, M: 2 * lam / N), "½"),
    (lambda bounds, params, N, lam: N * np.mean(bounds) + lam * log_weight_prior(params), "per datapoint"),
    (lambda bounds, params, N, lam: np.mean(bounds) - lam / N * 0.5 * sum(
        np.sum(W ** 2) for net in params for W, _ in net), "biases"),
])
def test_map_typical_mistakes_get_specific_hints(wrong, words):
    feedback = ex.check_map_objective(wrong)
    assert not feedback.passed
    assert words in feedback.message, feedback.message
