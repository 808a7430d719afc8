"""The Chapter 3 checkers accept the library's own functions and name the usual mistakes."""
import math

import autograd.numpy as anp
import numpy as np

from vae_from_scratch.distributions import analytic_gaussian_kl
from vae_from_scratch.exercises import elbo as ex
from vae_from_scratch.models import linear_gaussian as lg


def reference_kl(mean, log_var):
    return 0.5 * np.sum(mean ** 2 + np.exp(log_var) - 1.0 - log_var, axis=-1)


def reference_elbo(x, W, b, sigma2, q_mean, q_log_var):
    D = W.shape[0]
    resid = x - q_mean @ W.T - b
    expected_sq = np.sum(resid ** 2, axis=-1) + np.exp(q_log_var) @ np.sum(W ** 2, axis=0)
    expected_log_lik = -0.5 * (D * math.log(2 * math.pi * sigma2) + expected_sq / sigma2)
    return expected_log_lik - reference_kl(q_mean, q_log_var)


def test_kl_reference_solutions_pass():
    for candidate in (reference_kl, analytic_gaussian_kl):
        feedback = ex.check_analytic_kl(candidate)
        assert feedback.passed, feedback
        assert str(feedback).startswith("correct")


def test_kl_missing_half():
    feedback = ex.check_analytic_kl(lambda m, lv: 2 * reference_kl(m, lv))
    assert not feedback.passed and "½" in feedback.message


def test_kl_wrong_sign():
    feedback = ex.check_analytic_kl(lambda m, lv: -reference_kl(m, lv))
    assert not feedback.passed and "sign" in feedback.message


def test_kl_missing_minus_one():
    feedback = ex.check_analytic_kl(lambda m, lv: 0.5 * np.sum(m ** 2 + np.exp(lv) - lv, axis=-1))
    assert not feedback.passed and "−1" in feedback.message


def test_kl_log_var_read_as_log_sigma():
    feedback = ex.check_analytic_kl(lambda m, lv: 0.5 * np.sum(m ** 2 + np.exp(2 * lv) - 1 - 2 * lv, axis=-1))
    assert not feedback.passed and "log σ²" in feedback.message


def test_kl_std_for_variance():
    feedback = ex.check_analytic_kl(lambda m, lv: 0.5 * np.sum(m ** 2 + np.exp(lv / 2) - 1 - lv / 2, axis=-1))
    assert not feedback.passed and "σ²" in feedback.message


def test_kl_forgotten_sum_is_a_shape_hint():
    feedback = ex.check_analytic_kl(lambda m, lv: 0.5 * (m ** 2 + np.exp(lv) - 1 - lv))
    assert not feedback.passed and "shape" in feedback.message


def test_elbo_reference_solutions_pass():
    for candidate in (reference_elbo, lg.elbo_gaussian_q):
        feedback = ex.check_linear_gaussian_elbo(candidate)
        assert feedback.passed, feedback


def test_elbo_missing_variance_term():
    def no_trace(x, W, b, sigma2, q_mean, q_log_var):
        D = W.shape[0]
        resid = x - q_mean @ W.T - b
        expected_log_lik = -0.5 * (D * math.log(2 * math.pi * sigma2) + np.sum(resid ** 2, axis=-1) / sigma2)
        return expected_log_lik - reference_kl(q_mean, q_log_var)

    feedback = ex.check_linear_gaussian_elbo(no_trace)
    assert not feedback.passed and "variance term" in feedback.message


def test_elbo_kl_added():
    def plus_kl(x, W, b, sigma2, q_mean, q_log_var):
        return reference_elbo(x, W, b, sigma2, q_mean, q_log_var) + 2 * reference_kl(q_mean, q_log_var)

    feedback = ex.check_linear_gaussian_elbo(plus_kl)
    assert not feedback.passed and "minus sign" in feedback.message


def test_elbo_kl_missing():
    def no_kl(x, W, b, sigma2, q_mean, q_log_var):
        return reference_elbo(x, W, b, sigma2, q_mean, q_log_var) + reference_kl(q_mean, q_log_var)

    feedback = ex.check_linear_gaussian_elbo(no_kl)
    assert not feedback.passed and "missing" in feedback.message


def test_elbo_missing_constant():
    def no_constant(x, W, b, sigma2, q_mean, q_log_var):
        D = W.shape[0]
        return reference_elbo(x, W, b, sigma2, q_mean, q_log_var) + 0.5 * D * math.log(2 * math.pi * sigma2)

    feedback = ex.check_linear_gaussian_elbo(no_constant)
    assert not feedback.passed and "normalising constant" in feedback.message


def test_elbo_log_marginal_instead():
    feedback = ex.check_linear_gaussian_elbo(lambda x, W, b, s2, m, lv: lg.log_marginal(x, W, b, s2))
    assert not feedback.passed and "log p(x) itself" in feedback.message


def test_elbo_unrecognised_mistake_names_the_case():
    feedback = ex.check_linear_gaussian_elbo(lambda *case: reference_elbo(*case) + 0.123)
    assert not feedback.passed and feedback.message.startswith("case 1")


def test_autograd_numpy_candidates_work():
    feedback = ex.check_analytic_kl(lambda m, lv: 0.5 * anp.sum(m ** 2 + anp.exp(lv) - 1.0 - lv, axis=-1))
    assert feedback.passed
