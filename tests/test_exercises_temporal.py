import math

import numpy as np
import pytest

from vae_from_scratch.exercises import temporal as ex
from vae_from_scratch.models import boundaries, clockwork_rnn, wavenet
from vae_from_scratch.sequences import mu_law_encode


# ---- reference solutions, as the chapter's dropdowns give them ---------------------------------

def schedule(n_steps, periods):
    return np.arange(n_steps)[:, None] % np.asarray(periods)[None, :] == 0


def receptive_field(dilations, kernel_size=2):
    return 1 + (kernel_size - 1) * sum(dilations)


def mu_law(x, bits):
    n = 2 ** bits
    mu = n - 1
    y = np.sign(x) * np.log1p(mu * np.abs(x)) / math.log1p(mu)
    return np.rint((y + 1) * (n - 1) / 2).astype(int)


def copy_update(m, u):
    z = np.zeros_like(u)
    previous = np.zeros((u.shape[0], u.shape[2]))
    for t in range(u.shape[1]):
        previous = m[:, t, None] * u[:, t] + (1 - m[:, t, None]) * previous
        z[:, t] = previous
    return z


@pytest.mark.parametrize("check, candidates", [
    (ex.check_clock_schedule, [schedule, clockwork_rnn.schedule]),
    (ex.check_receptive_field, [receptive_field, wavenet.receptive_field]),
    (ex.check_mu_law_encode, [mu_law, mu_law_encode]),
    (ex.check_copy_update, [copy_update, boundaries.copy_update]),
])
def test_reference_solutions_pass(check, candidates):
    for candidate in candidates:
        feedback = check(candidate)
        assert feedback.passed, feedback
        assert str(feedback).startswith("correct")


@pytest.mark.parametrize("wrong, words", [
    (lambda n, p: (np.arange(n)[:, None] + 1) % np.asarray(p) == 0, "from 1"),
    (lambda n, p: np.arange(n)[:, None] % np.asarray(p) != 0, "reversed"),
    (lambda n, p: np.arange(n)[:, None] % (np.arange(len(p)) + 1) == 0, "period"),
])
def test_schedule_mistakes(wrong, words):
    feedback = ex.check_clock_schedule(wrong)
    assert not feedback.passed and words in feedback.message


@pytest.mark.parametrize("wrong, words", [
    (lambda d, K=2: (K - 1) * sum(d), "add 1"),
    (lambda d, K=2: 1 + sum(d), "K − 1"),
    (lambda d, K=2: 2 ** len(d), "ONE stack"),
    (lambda d, K=2: 1 + (K - 1) * max(d), "sum over the layers"),
])
def test_receptive_field_mistakes(wrong, words):
    feedback = ex.check_receptive_field(wrong)
    assert not feedback.passed and words in feedback.message, feedback


def _mu_variant(mu_of=lambda n: n - 1, rounding=np.rint, keep_sign=True, compand=True):
    def wrong(x, bits):
        n = 2 ** bits
        mu = mu_of(n)
        if compand:
            y = np.log1p(mu * np.abs(x)) / math.log1p(mu)
            y = np.sign(x) * y if keep_sign else y
        else:
            y = x
        return rounding((y + 1) * (n - 1) / 2).astype(int)
    return wrong


@pytest.mark.parametrize("wrong, words", [
    (_mu_variant(compand=False), "uniform quantization"),
    (_mu_variant(mu_of=lambda n: 255), "μ must match"),
    (_mu_variant(rounding=np.floor), "NEAREST"),
    (_mu_variant(keep_sign=False), "sign"),
])
def test_mu_law_mistakes(wrong, words):
    feedback = ex.check_mu_law_encode(wrong)
    assert not feedback.passed and words in feedback.message, feedback


def test_copy_update_mistakes():
    swapped = ex.check_copy_update(lambda m, u: copy_update(1 - m, u))
    assert not swapped.passed and "swapped" in swapped.message
    forgetful = ex.check_copy_update(lambda m, u: m[..., None] * u)
    assert not forgetful.passed and "(1 − m_t) z_{t−1}" in forgetful.message
    shape = ex.check_copy_update(lambda m, u: u[..., 0])
    assert not shape.passed and "shape" in shape.message


def test_a_function_that_raises_is_feedback_not_a_crash():
    feedback = ex.check_receptive_field(lambda d, K: 1 / 0)
    assert not feedback.passed and "ZeroDivisionError" in feedback.message
