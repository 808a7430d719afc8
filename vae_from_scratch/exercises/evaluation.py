"""Checkers for the exercises of Chapter 11, "Evaluating a generative model".

    >>> from vae_from_scratch.exercises import evaluation as ex
    >>> print(ex.check_log_mean_exp(my_log_mean_exp))
    >>> print(ex.check_log_mean_exp_stderr(my_stderr))

``check_log_mean_exp`` expects ``my_log_mean_exp(log_w)`` → log (1/K) Σ_k exp(log_w[k]) along the
FIRST axis (the K samples), one number per column: the log of the importance-sampling estimate
p̂_K of p(x) from log-weights of shape (K,) or (K, N). It must work for log-weights around −1000,
where exp underflows to 0.

``check_log_mean_exp_stderr`` expects ``my_stderr(log_w)`` → the delta-method standard error of
that estimate, std(w) / (√K · mean(w)), again along the first axis.
"""
import math

import numpy as np

from ..evaluate import _log_mean_exp_with_error
from . import compare_on_cases, hint


def _reference_estimate(log_w):
    return _log_mean_exp_with_error(np.asarray(log_w, dtype=float))[0]


def _reference_stderr(log_w):
    return _log_mean_exp_with_error(np.asarray(log_w, dtype=float))[1]


def _cases():
    rng = np.random.default_rng(0)
    return [
        (np.log(np.array([0.5, 1.0, 2.0, 4.0])),),                 # small, exact: log 1.875
        (rng.normal(-3.0, 1.0, size=(2000, 3)),),                  # K = 2000 samples, 3 datapoints
        (rng.normal(-1000.0, 2.0, size=(1000, 2)),),               # exp underflows to 0
        (np.stack([rng.gumbel(-25.0, 1.5, size=1500), rng.normal(-80.0, 4.0, size=1500)], axis=1),),
        (rng.normal(700.0, 3.0, size=(1000,)),),                   # exp overflows to inf
    ]


def _naive_fails(candidate, what, overflow=True):
    """A specific hint if the candidate under- (or over-) flows on log-weights near −1000 (+710)."""
    tests = [np.array([[-1000.0, -999.0], [-1001.0, -1000.5], [-999.5, -1002.0], [-1000.2, -998.0]])]
    if overflow:
        tests.append(np.array([710.0, 711.0, 709.5, 712.0]))
    for log_w in tests:
        try:
            with np.errstate(all="ignore"):
                got = np.asarray(candidate(log_w), dtype=float)
        except Exception:  # compare_on_cases reports exceptions with the case number
            return None
        if got.shape == _reference_estimate(log_w).shape and not np.all(np.isfinite(got)):
            return hint(f"your {what} is not finite for log-weights of {log_w.flat[0]:g}: exp() "
                        f"under- or overflows there. Subtract the largest log-weight m first: "
                        f"log (1/K) Σ exp(a_k) = m + log (1/K) Σ exp(a_k − m).")
    return None


def _diagnose_estimate(case, got, expected):
    (log_w,) = case
    log_w = np.asarray(log_w, dtype=float)
    K = log_w.shape[0]
    if np.allclose(got, np.mean(log_w, axis=0), rtol=1e-6, atol=1e-8):
        return ("you averaged the log-weights: that is the mean of log w, an estimate of the ELBO "
                "(𝓛₁), not of log p(x). Average the weights themselves, then take the log.")
    if np.allclose(got, expected + math.log(K), rtol=1e-6, atol=1e-8):
        return "that is log Σ_k w_k, the log of the SUM: subtract log K to get the log of the mean."
    if np.allclose(got, np.exp(expected), rtol=1e-6, atol=1e-300):
        return "that is the mean weight p̂_K itself; return its logarithm (and compute it in log space)."
    return None


def check_log_mean_exp(candidate):
    """Check ``candidate(log_w)`` → log of the mean of exp(log_w) along axis 0, computed stably."""
    naive = _naive_fails(candidate, "log-mean-exp")
    if naive is not None:
        return naive
    with np.errstate(all="ignore"):
        return compare_on_cases(candidate, _reference_estimate, _cases(), rtol=1e-9, atol=1e-9,
                                diagnose=_diagnose_estimate, what="log-mean-exp")


def _diagnose_stderr(case, got, expected):
    (log_w,) = case
    log_w = np.asarray(log_w, dtype=float)
    K = log_w.shape[0]
    if np.allclose(got, np.std(log_w, axis=0) / math.sqrt(K), rtol=2e-3):
        return ("that is std(log w) / √K, the standard error of the ELBO estimate (the mean of the "
                "log-weights). The estimate here is the log of the mean weight: its error is "
                "std(w) / (√K · mean(w)) by the delta method.")
    if np.allclose(got, expected * math.sqrt(K), rtol=2e-3):
        return "that is the spread of one weight (relative to the mean); divide by √K for the error of a mean of K."
    if np.allclose(got, expected ** 2, rtol=2e-3):
        return "that looks like a variance; the standard error is its square root."
    if np.allclose(got, expected * np.exp(_reference_estimate(log_w)), rtol=2e-3):
        return ("that is the standard error of p̂_K itself, std(w)/√K; the error of log p̂_K is that "
                "divided by p̂_K (the derivative of log at p̂_K is 1/p̂_K).")
    return None


def check_log_mean_exp_stderr(candidate):
    """Check ``candidate(log_w)`` → the delta-method standard error of log p̂_K, along axis 0.

    Either convention for the standard deviation (ddof = 0 or 1) is accepted: with K ≥ 1000 they
    differ by less than 0.1 %.
    """
    naive = _naive_fails(candidate, "standard error", overflow=False)
    if naive is not None:
        return naive
    cases = _cases()[1:]  # K ≥ 1000 samples in each
    with np.errstate(all="ignore"):
        return compare_on_cases(candidate, _reference_stderr, cases, rtol=2e-3, atol=1e-12,
                                diagnose=_diagnose_stderr, what="standard error")

