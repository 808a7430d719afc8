"""The Chapter 11 checkers accept correct log-mean-exp estimators and name the usual mistakes."""
import math

import numpy as np
from scipy.special import logsumexp

from vae_from_scratch.exercises import evaluation as ex


def reference_log_mean_exp(log_w):
    m = np.max(log_w, axis=0)
    return m + np.log(np.mean(np.exp(log_w - m), axis=0))


def reference_stderr(log_w):
    ratio = np.exp(log_w - reference_log_mean_exp(log_w))  # w / mean(w)
    return np.std(ratio, axis=0, ddof=1) / math.sqrt(log_w.shape[0])


def test_reference_solutions_pass():
    for candidate in (reference_log_mean_exp, lambda a: logsumexp(a, axis=0) - math.log(a.shape[0])):
        feedback = ex.check_log_mean_exp(candidate)
        assert feedback.passed, feedback
        assert str(feedback).startswith("correct")
    feedback = ex.check_log_mean_exp_stderr(reference_stderr)  # ddof=1 is accepted too
    assert feedback.passed, feedback


def test_naive_log_mean_exp_underflows():
    feedback = ex.check_log_mean_exp(lambda a: np.log(np.mean(np.exp(a), axis=0)))
    assert not feedback.passed and "largest log-weight" in feedback.message


def test_mean_of_logs_is_the_elbo():
    feedback = ex.check_log_mean_exp(lambda a: np.mean(a, axis=0))
    assert not feedback.passed and "ELBO" in feedback.message


def test_log_sum_exp_without_log_k():
    feedback = ex.check_log_mean_exp(lambda a: logsumexp(a, axis=0))
    assert not feedback.passed and "log K" in feedback.message


def test_wrong_axis_is_a_shape_hint():
    feedback = ex.check_log_mean_exp(lambda a: logsumexp(a, axis=-1) - math.log(a.shape[-1]))
    assert not feedback.passed and "shape" in feedback.message


def test_stderr_of_the_log_weights_is_named():
    feedback = ex.check_log_mean_exp_stderr(lambda a: np.std(a, axis=0) / math.sqrt(a.shape[0]))
    assert not feedback.passed and "delta method" in feedback.message


def test_stderr_without_root_k():
    feedback = ex.check_log_mean_exp_stderr(lambda a: reference_stderr(a) * math.sqrt(a.shape[0]))
    assert not feedback.passed and "√K" in feedback.message


def test_stderr_of_p_hat_not_of_its_log():
    def of_p_hat(a):
        return reference_stderr(a) * np.exp(reference_log_mean_exp(a))

    feedback = ex.check_log_mean_exp_stderr(of_p_hat)
    assert not feedback.passed and "derivative of log" in feedback.message


def test_naive_stderr_underflows():
    def naive(a):
        w = np.exp(a)
        return np.std(w, axis=0) / (math.sqrt(a.shape[0]) * np.mean(w, axis=0))

    feedback = ex.check_log_mean_exp_stderr(naive)
    assert not feedback.passed and "largest log-weight" in feedback.message


def test_a_crashing_candidate_is_feedback():
    def broken(a):
        raise RuntimeError("not written yet")

    feedback = ex.check_log_mean_exp(broken)
    assert not feedback.passed and "RuntimeError" in feedback.message
