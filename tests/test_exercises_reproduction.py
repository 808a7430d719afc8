"""The Chapter 12 checkers accept correct answers and name the usual mistakes."""
import math

import autograd.numpy as anp
import numpy as np

from vae_from_scratch.exercises import reproduction as ex
from vae_from_scratch.models.wake_sleep import sleep_loss
from vae_from_scratch.objectives import encode


def paired(a, b):
    d = np.asarray(a) - np.asarray(b)
    return d.mean(), d.std(ddof=1) / math.sqrt(len(d))


def test_paired_reference_solutions_pass():
    for candidate in (paired, ex.reference_paired_difference,
                      lambda a, b: (np.mean(a - b), np.std(a - b) / math.sqrt(len(a)))):  # ddof=0 too
        feedback = ex.check_paired_difference(candidate)
        assert feedback.passed, feedback
        assert str(feedback).startswith("correct")


def test_unpaired_standard_error_is_named():
    def unpaired(a, b):
        n = len(a)
        return np.mean(a - b), math.sqrt(np.var(a, ddof=1) / n + np.var(b, ddof=1) / n)

    feedback = ex.check_paired_difference(unpaired)
    assert not feedback.passed and "INDEPENDENT" in feedback.message


def test_missing_root_n():
    feedback = ex.check_paired_difference(lambda a, b: (np.mean(a - b), np.std(a - b, ddof=1)))
    assert not feedback.passed and "√N" in feedback.message


def test_flipped_sign():
    feedback = ex.check_paired_difference(lambda a, b: paired(b, a))
    assert not feedback.passed and "sign" in feedback.message


def test_sleep_loss_reference_passes():
    def mine(encoder_params, x, z):
        mean, log_var = encode(encoder_params, x)
        log_q = -0.5 * anp.sum(anp.log(2 * anp.pi) + log_var + (z - mean) ** 2 / anp.exp(log_var), axis=-1)
        return -anp.mean(log_q)

    for candidate in (sleep_loss, mine):
        feedback = ex.check_sleep_loss(candidate)
        assert feedback.passed, feedback


def test_sleep_loss_sign():
    feedback = ex.check_sleep_loss(lambda e, x, z: -sleep_loss(e, x, z))
    assert not feedback.passed and "MAXIMISES" in feedback.message


def test_sleep_loss_sum_instead_of_mean():
    feedback = ex.check_sleep_loss(lambda e, x, z: len(x) * sleep_loss(e, x, z))
    assert not feedback.passed and "mean" in feedback.message


def test_sleep_loss_log_sigma_confusion():
    def log_sigma(e, x, z):
        mean, log_var = encode(e, x)
        return np.mean(0.5 * np.sum(np.log(2 * np.pi) + 2 * log_var + (z - mean) ** 2 / np.exp(2 * log_var), axis=-1))

    feedback = ex.check_sleep_loss(log_sigma)
    assert not feedback.passed and "log σ²" in feedback.message


def test_sleep_loss_crash_is_feedback():
    feedback = ex.check_sleep_loss(lambda e, x, z: undefined_name)  # noqa: F821
    assert not feedback.passed and "NameError" in feedback.message
