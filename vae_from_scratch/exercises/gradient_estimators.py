"""Checkers for the exercises of Chapter 4, "Gradient estimators".

    >>> from vae_from_scratch.exercises import gradient_estimators as ex
    >>> print(ex.check_gaussian_score(my_score))
    >>> print(ex.check_score_function_estimator(my_estimator))

Your functions follow the conventions of :mod:`vae_from_scratch.gradient_estimators`: a Gaussian
q = N(μ, diag σ²) with parameters φ = (μ, log σ), each of shape (J,), and a gradient returned as
the pair (gradient with respect to μ, gradient with respect to log σ).
"""
import numpy as np

from .. import gradient_estimators as ge
from . import compare_on_cases


def _close(got, value):
    return np.allclose(got, value, rtol=1e-6, atol=1e-8)


def _stacked(function):
    """Call ``function`` and stack its pair of gradients into one vector, so cases compare as arrays."""
    def stacked(*case):
        grad_mean, grad_log_sigma = function(*case)
        return np.concatenate([np.ravel(grad_mean), np.ravel(grad_log_sigma)])
    return stacked


# ---- the score of a Gaussian ------------------------------------------------------------------


def _score_cases():
    rng = np.random.default_rng(0)
    cases = []
    for J, log_sigma_value in ((1, 0.0), (1, 0.7), (3, -0.4), (2, 1.1)):
        mean = rng.normal(size=J)
        log_sigma = np.full(J, log_sigma_value) + 0.1 * rng.normal(size=J)
        z = mean + np.exp(log_sigma) * rng.normal(size=J)
        cases.append((z, mean, log_sigma))
    return cases


def _diagnose_score(case, got, expected):
    z, mean, log_sigma = case
    J = len(mean)
    sigma = np.exp(log_sigma)
    got_mean, got_log_sigma = got[:J], got[J:]
    exp_mean, exp_log_sigma = expected[:J], expected[J:]
    if _close(got_mean, -exp_mean):
        return "the μ part has the wrong sign: d/dμ of −(z − μ)²/(2σ²) is +(z − μ)/σ²."
    if _close(got_mean, exp_mean * sigma):
        return "the μ part divides by σ, not σ²: d/dμ log q = (z − μ)/σ²."
    if not _close(got_mean, exp_mean):
        return "the μ part is off: differentiate −(z − μ)²/(2σ²) with respect to μ."
    if _close(got_log_sigma, exp_log_sigma / sigma):
        return ("this is the derivative with respect to σ; the parameter is log σ, so multiply by "
                "dσ/dlog σ = σ (chain rule).")
    if _close(got_log_sigma, exp_log_sigma + 1.0):
        return "the log σ part misses the −1 that comes from the normaliser −log σ of the density."
    if _close(got_log_sigma, -exp_log_sigma):
        return "the log σ part has the wrong sign: it is (z − μ)²/σ² − 1."
    return "the log σ part is off: write log q = −log σ − (z − μ)² e^{−2 log σ}/2 + const and differentiate."


def check_gaussian_score(candidate):
    """Check ``candidate(z, mean, log_sigma)`` → (∂ log q/∂μ, ∂ log q/∂log σ), each (J,)."""
    return compare_on_cases(
        _stacked(candidate), _stacked(ge.gaussian_score), _score_cases(),
        diagnose=_diagnose_score, what="score")


# ---- the score-function estimator ---------------------------------------------------------------


def _estimator_cases():
    rng = np.random.default_rng(1)
    cases = []
    for f, J, S in ((ge.square, 1, 5), (ge.square, 2, 8), (ge.gaussian_bump, 3, 4), (ge.step, 2, 10)):
        mean = rng.normal(size=J)
        log_sigma = 0.3 * rng.normal(size=J)
        eps = rng.standard_normal((S, J))
        cases.append((f, mean, log_sigma, eps))
    return cases


def _diagnose_estimator(case, got, expected):
    f, mean, log_sigma, eps = case
    S = eps.shape[0]
    if _close(got, S * expected):
        return "you summed the S terms; the estimator averages them (divide by S)."
    if _close(got, _stacked(ge.pathwise_gradient)(*case)):
        return ("that is the pathwise (reparameterization) estimator; this exercise asks for the "
                "score-function one, (1/S) Σ f(z_s) ∇_φ log q_φ(z_s), with no derivative of f.")
    z = ge.gaussian_sample(mean, log_sigma, eps)
    score_mean, score_log_sigma = ge.gaussian_score(z, mean, log_sigma)
    mean_score = np.concatenate([score_mean.mean(axis=0), score_log_sigma.mean(axis=0)])
    if _close(got, mean_score):
        return "you averaged the score alone; each term is weighted by f(z_s)."
    sigma = np.exp(log_sigma)
    J = len(mean)
    if _close(got[:J], expected[:J]) and _close(got[J:], expected[J:] / sigma):
        return "the log σ part is the gradient with respect to σ; multiply by σ (chain rule)."
    if _close(got, -expected):
        return "the sign is flipped: the estimator is +(1/S) Σ f(z_s) ∇_φ log q_φ(z_s)."
    return None


def check_score_function_estimator(candidate):
    """Check ``candidate(f, mean, log_sigma, eps)`` → the plain score-function estimate (no baseline).

    ``eps`` has shape (S, J): your samples must be z_s = μ + σ ε_s, so that the check is exact.
    """
    return compare_on_cases(
        _stacked(candidate), _stacked(ge.score_function_gradient), _estimator_cases(),
        diagnose=_diagnose_estimator, what="gradient estimate")
