"""The Chapter 4 checkers accept the library's own functions and name the usual mistakes."""
import numpy as np

from vae_from_scratch import gradient_estimators as ge
from vae_from_scratch.exercises import gradient_estimators as ex


def reference_score(z, mean, log_sigma):
    sigma2 = np.exp(2 * log_sigma)
    return (z - mean) / sigma2, (z - mean) ** 2 / sigma2 - 1.0


def reference_estimator(f, mean, log_sigma, eps):
    z = mean + np.exp(log_sigma) * eps
    score_mean, score_log_sigma = reference_score(z, mean, log_sigma)
    fz = f(z)[:, None]
    return np.mean(fz * score_mean, axis=0), np.mean(fz * score_log_sigma, axis=0)


def test_score_reference_solutions_pass():
    for candidate in (reference_score, ge.gaussian_score):
        feedback = ex.check_gaussian_score(candidate)
        assert feedback.passed, feedback


def test_score_derivative_with_respect_to_sigma():
    def d_sigma(z, mean, log_sigma):
        sigma = np.exp(log_sigma)
        return (z - mean) / sigma ** 2, (z - mean) ** 2 / sigma ** 3 - 1 / sigma

    feedback = ex.check_gaussian_score(d_sigma)
    assert not feedback.passed and "chain rule" in feedback.message


def test_score_missing_minus_one():
    feedback = ex.check_gaussian_score(lambda z, m, s: (reference_score(z, m, s)[0], reference_score(z, m, s)[1] + 1))
    assert not feedback.passed and "−1" in feedback.message


def test_score_divides_by_sigma_not_variance():
    feedback = ex.check_gaussian_score(
        lambda z, m, s: ((z - m) / np.exp(s), reference_score(z, m, s)[1]))
    assert not feedback.passed and "σ²" in feedback.message


def test_score_wrong_sign_of_mean_part():
    feedback = ex.check_gaussian_score(lambda z, m, s: (-reference_score(z, m, s)[0], reference_score(z, m, s)[1]))
    assert not feedback.passed and "sign" in feedback.message


def test_estimator_reference_solutions_pass():
    for candidate in (reference_estimator, ge.score_function_gradient):
        feedback = ex.check_score_function_estimator(candidate)
        assert feedback.passed, feedback


def test_estimator_summed_not_averaged():
    def summed(f, mean, log_sigma, eps):
        g_mean, g_log_sigma = reference_estimator(f, mean, log_sigma, eps)
        return len(eps) * g_mean, len(eps) * g_log_sigma

    feedback = ex.check_score_function_estimator(summed)
    assert not feedback.passed and "divide by S" in feedback.message


def test_estimator_pathwise_instead():
    feedback = ex.check_score_function_estimator(ge.pathwise_gradient)
    assert not feedback.passed and "pathwise" in feedback.message


def test_estimator_without_f():
    def no_f(f, mean, log_sigma, eps):
        return reference_estimator(lambda z: np.ones(z.shape[:-1]), mean, log_sigma, eps)

    feedback = ex.check_score_function_estimator(no_f)
    assert not feedback.passed and "weighted by f" in feedback.message


def test_estimator_gradient_with_respect_to_sigma():
    def d_sigma(f, mean, log_sigma, eps):
        g_mean, g_log_sigma = reference_estimator(f, mean, log_sigma, eps)
        return g_mean, g_log_sigma / np.exp(log_sigma)

    feedback = ex.check_score_function_estimator(d_sigma)
    assert not feedback.passed and "chain rule" in feedback.message


def test_estimator_that_raises_is_feedback_not_a_crash():
    def broken(f, mean, log_sigma, eps):
        raise RuntimeError("not written yet")

    feedback = ex.check_score_function_estimator(broken)
    assert not feedback.passed and "RuntimeError" in feedback.message
