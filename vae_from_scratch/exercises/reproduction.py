"""Checkers for the exercises of Chapter 12, "Reproducing AEVB".

    >>> from vae_from_scratch.exercises import reproduction as ex
    >>> print(ex.check_paired_difference(my_paired_difference))
    >>> print(ex.check_sleep_loss(my_sleep_loss))

``check_paired_difference`` expects ``my_paired_difference(a, b)`` → ``(mean, stderr)``: the mean
of the per-datapoint differences a − b between two models' estimates on the SAME test points, and
the standard error of that mean, std(a − b) / √N (ddof = 1).

``check_sleep_loss`` expects ``my_sleep_loss(encoder_params, x_dream, z_dream)`` → the sleep
phase's loss of wake-sleep, −(1/M) Σ_i log q_φ(z_i | x_i) on dreamt pairs, as
:func:`vae_from_scratch.models.wake_sleep.sleep_loss` computes it.
"""
import math

import numpy as np

from ..models.vae import init_vae_params
from ..models.wake_sleep import dream, sleep_loss
from ..objectives import encode
from . import compare_on_cases

# ---- comparing two models on the same test points -----------------------------------------------


def reference_paired_difference(a, b):
    """(mean of a − b, its standard error std(a − b, ddof=1) / √N)."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    return np.array([d.mean(), d.std(ddof=1) / math.sqrt(len(d))])


def _paired_cases():
    rng = np.random.default_rng(0)
    cases = []
    for n, spread, shift, noise in ((200, 20.0, 1.0, 0.5), (400, 15.0, -0.3, 1.0), (1000, 25.0, 2.0, 3.0)):
        common = rng.normal(-100.0, spread, size=n)  # what both models share: how hard each image is
        a = common + shift + rng.normal(0.0, noise, size=n)
        b = common + rng.normal(0.0, noise, size=n)
        cases.append((a, b))
    return cases


def _diagnose_paired(case, got, expected):
    a, b = (np.asarray(v, dtype=float) for v in case)
    n = len(a)
    unpaired = math.sqrt(a.var(ddof=1) / n + b.var(ddof=1) / n)
    if np.isclose(got[0], -expected[0], rtol=1e-6) and not np.isclose(got[0], expected[0], rtol=1e-6):
        return "the sign of the difference is flipped: return the mean of a − b."
    if not np.isclose(got[0], expected[0], rtol=1e-6, atol=1e-9):
        return None
    if np.isclose(got[1], unpaired, rtol=1e-3):
        return ("that is the standard error of two INDEPENDENT means, √(s_a²/N + s_b²/N). The two models "
                "were scored on the same images, so most of the spread (how hard each image is) is shared "
                "and cancels: take the standard deviation of the differences a − b instead.")
    d = a - b
    if np.isclose(got[1], d.std(ddof=1), rtol=1e-3) or np.isclose(got[1], d.std(ddof=0), rtol=1e-3):
        return "that is the spread of one difference; the standard error of their mean divides it by √N."
    if np.isclose(got[1], d.var(ddof=1) / n, rtol=1e-3):
        return "that is a variance (of the mean); the standard error is its square root."
    return None


def check_paired_difference(candidate):
    """Check ``candidate(a, b)`` → (mean of a − b, standard error of that mean) for paired estimates.

    Either ddof convention is accepted (the cases have N ≥ 200: they differ by < 0.3 %).
    """
    return compare_on_cases(lambda a, b: np.asarray(candidate(a, b), dtype=float).reshape(-1),
                            reference_paired_difference, _paired_cases(), rtol=5e-3, atol=1e-9,
                            diagnose=_diagnose_paired, what="(mean, standard error)")


# ---- the sleep phase of wake-sleep ---------------------------------------------------------------


def _sleep_cases():
    cases = []
    for seed, (D, J, hidden, M) in enumerate(((6, 2, 5, 4), (10, 3, 8, 7), (8, 1, 4, 3))):
        rng = np.random.default_rng(seed)
        encoder, decoder = init_vae_params(D, J, (hidden,), "bernoulli", rng, init="glorot")
        z, x = dream(decoder, M, J, rng)
        cases.append((encoder, x, z))
    return cases


def _diagnose_sleep(case, got, expected):
    encoder, x, z = case
    if np.isclose(got, -expected, rtol=1e-6):
        return ("the sign is flipped: the sleep phase MAXIMISES log q_φ(z|x) on dreams, so its loss is "
                "−(1/M) Σ log q_φ(z_i|x_i).")
    if np.isclose(got, expected * len(x), rtol=1e-6):
        return "you summed over the dreams; the library's loss is their mean (divide by M)."
    mean, log_var = encode(encoder, x)
    wrong_scale = 0.5 * np.sum(np.log(2 * np.pi) + 2 * log_var + (z - mean) ** 2 / np.exp(2 * log_var), axis=-1)
    if np.isclose(got, np.mean(wrong_scale), rtol=1e-6):
        return "log_var is log σ², not log σ: the variance is exp(log_var)."
    no_constant = 0.5 * np.sum(log_var + (z - mean) ** 2 / np.exp(log_var), axis=-1)
    if np.isclose(got, np.mean(no_constant), rtol=1e-6):
        return "the constant ½ log 2π per latent dimension is missing from the Gaussian log-density."
    return None


def check_sleep_loss(candidate):
    """Check ``candidate(encoder_params, x_dream, z_dream)`` → −mean log q_φ(z|x) over the dreams."""
    return compare_on_cases(candidate, sleep_loss, _sleep_cases(), rtol=1e-6, atol=1e-9,
                            diagnose=_diagnose_sleep, what="sleep loss")
