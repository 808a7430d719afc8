"""Checkers for the exercises of Chapter 18, "Tighter bounds: importance-weighted autoencoders".

    >>> from vae_from_scratch.exercises import iwae as ex
    >>> print(ex.check_iwae_from_log_weights(my_iwae))
    >>> print(ex.check_signal_to_noise(my_snr))

``check_iwae_from_log_weights`` expects ``my_iwae(log_w)`` → (B,): for log weights ``log_w``
(K, B), log w_k = log p_θ(x, z_k) − log q_φ(z_k|x) for K samples of each of B datapoints, the
estimate log (1/K) Σ_k w_k of L_K for every datapoint, computed without overflow or underflow
(log weights of images are hundreds of nats below zero).

``check_signal_to_noise`` expects ``my_snr(draws)`` → one number: for ``draws`` (n, P), n
independent draws of a P-dimensional gradient, the pooled ratio ‖E g‖ / √(Σ_i Var g_i) with
‖E g‖² estimated without bias as ‖ḡ‖² − Σ_i s_i² / n (s_i² the sample variances, ddof = 1),
and 0 when that estimate is negative (:func:`vae_from_scratch.iwae.signal_to_noise`).
"""
import math

import numpy as np

from ..iwae import signal_to_noise
from ..objectives import log_mean_exp
from . import compare_on_cases, correct, hint


def _close(got, value, rtol=1e-6):
    return np.allclose(got, value, rtol=rtol, atol=1e-8)


# ---- L_K from log weights ------------------------------------------------------------------------


def _iwae_reference(log_w):
    return log_mean_exp(np.asarray(log_w, dtype=float), axis=0)


def _iwae_cases():
    rng = np.random.default_rng(0)
    return [(rng.normal(-3.0, 1.5, size=(K, B)),) for K, B in ((1, 4), (5, 3), (50, 6), (7, 2))]


def _diagnose_iwae(case, got, expected):
    (log_w,) = case
    K = log_w.shape[0]
    if _close(got, np.mean(log_w, axis=0)):
        return ("that is the mean of the log weights — the K-sample ELBO. L_K averages the weights "
                "themselves, then takes the log: log (1/K) Σ_k w_k.")
    if _close(got, expected + math.log(K)):
        return "divide by K inside the log: log (1/K) Σ_k w_k = log Σ_k w_k − log K."
    if _close(got, expected - np.max(log_w, axis=0)):
        return ("after subtracting the largest log weight m, add it back outside the log: "
                "m + log (1/K) Σ_k exp(log w_k − m).")
    return None


def check_iwae_from_log_weights(candidate):
    """Check ``candidate(log_w)`` → log (1/K) Σ_k exp(log_w[k]) for every column, computed stably."""
    if not callable(candidate):
        raise TypeError(f"pass your function itself, not {type(candidate).__name__}")
    cases = _iwae_cases()
    for (log_w,) in cases:
        K, B = log_w.shape
        try:
            shape = np.shape(candidate(log_w.copy()))
        except Exception:
            break  # compare_on_cases reports the error
        if K != B and shape == (K,):
            return hint("you averaged over the datapoints: the K samples of datapoint b are the "
                        "column log_w[:, b]; average over axis 0.")
    feedback = compare_on_cases(candidate, _iwae_reference, cases, diagnose=_diagnose_iwae,
                                what="L_K estimate")
    if not feedback.passed:
        return feedback
    rng = np.random.default_rng(1)
    extreme = rng.normal(-900.0, 2.0, size=(20, 3))  # a 784-pixel image: log weights near −900
    got = np.asarray(candidate(extreme.copy()), dtype=float)
    if got.shape != (3,) or not np.all(np.isfinite(got)):
        return hint("with log weights near −900, exp(log w) underflows to 0 and the log gives −inf. "
                    "Subtract the largest log weight m first: log (1/K) Σ_k w_k = m + log (1/K) Σ_k "
                    "exp(log w_k − m).")
    if not _close(got, _iwae_reference(extreme)):
        return hint("correct on small log weights but not on log weights near −900: compute "
                    "m + log (1/K) Σ_k exp(log w_k − m) with m the largest log weight of each datapoint.")
    return correct(f"your L_K matches the library's on {len(cases)} cases and stays finite for log "
                   f"weights near −900.")


# ---- the gradient's signal-to-noise ratio --------------------------------------------------------


def _snr_cases():
    rng = np.random.default_rng(2)
    cases = []
    for n, P, signal in ((10, 4, 1.0), (50, 20, 0.3), (200, 7, 0.1), (30, 3, 2.0)):
        mean = signal * rng.normal(size=P)
        cases.append((mean + rng.normal(scale=rng.uniform(0.5, 2.0, size=P), size=(n, P)),))
    cases.append((rng.normal(size=(40, 30)),))  # pure noise: the corrected signal is negative
    return cases


def _diagnose_snr(case, got, expected):
    (draws,) = case
    n = draws.shape[0]
    mean = draws.mean(axis=0)
    var1, var0 = draws.var(axis=0, ddof=1), draws.var(axis=0, ddof=0)
    if _close(got, math.sqrt(np.sum(mean ** 2) / np.sum(var1))):
        return ("‖ḡ‖² overestimates ‖E g‖²: its expectation is ‖E g‖² + Σ_i σ_i²/n. Subtract "
                "Σ_i s_i²/n before taking the square root (and return 0 if the result is negative).")
    if _close(got, math.sqrt(max(np.sum(mean ** 2) - np.sum(var0) / n, 0.0) / np.sum(var0))):
        return "use the sample variance with ddof = 1 (divide by n − 1), as np.var(draws, axis=0, ddof=1)."
    if _close(got, np.mean(np.abs(mean) / np.sqrt(var1))):
        return ("that is the average of the per-parameter ratios |ḡ_i|/s_i; pool over the parameters "
                "instead: the square root of (Σ_i ḡ_i² − Σ_i s_i²/n) / Σ_i s_i².")
    return None


def check_signal_to_noise(candidate):
    """Check ``candidate(draws)`` → the pooled, bias-corrected SNR of a gradient's draws."""
    return compare_on_cases(candidate, signal_to_noise, _snr_cases(), diagnose=_diagnose_snr,
                            what="signal-to-noise ratio")
