"""Checkers for the exercises of Chapter 14, "Hierarchies of latents".

    >>> from vae_from_scratch.exercises import hierarchical as ex
    >>> print(ex.check_gaussian_entropy(my_entropy))
    >>> print(ex.check_active_units(my_active_units))

``check_gaussian_entropy`` expects ``my_entropy(log_var)`` → the entropy H[N(μ, diag σ²)] in nats,
summed over the last axis (one number per row; it does not depend on μ).
``check_active_units`` expects ``my_active_units(means, threshold)`` → the number of columns j of
``means`` (N, J), the posterior means of N datapoints, whose variance over the N rows exceeds
``threshold``.
"""
import math

import numpy as np

from ..models.hierarchical import active_units, gaussian_entropy
from . import compare_on_cases, correct, hint

LOG_2PI = math.log(2.0 * math.pi)


def _close(got, value):
    return np.allclose(got, value, rtol=1e-6, atol=1e-8)


# ---- the entropy of a diagonal Gaussian ------------------------------------------------------------


def _entropy_cases():
    rng = np.random.default_rng(0)
    return [
        (np.zeros((1, 1)),),  # N(0, 1): ½ (1 + log 2π) ≈ 1.4189
        (np.array([[0.5, -1.0, 2.0]]),),
        (rng.normal(size=(4, 3)),),
        (rng.normal(size=(2, 16)) - 2.0,),  # narrow: negative entropy
    ]


def _diagnose_entropy(case, got, expected):
    (log_var,) = case
    J = log_var.shape[-1]
    if _close(got, -expected):
        return "the sign is flipped: H = −E[log q(z)] = +½ Σ_j (1 + log 2π + log σ_j²)."
    if _close(got, expected - 0.5 * J * LOG_2PI):
        return "you are missing log 2π in each term: H = ½ Σ_j (1 + log 2π + log σ_j²)."
    if _close(got, expected - 0.5 * J):
        return "you are missing the 1 in each term: it is E[(z − μ)²/σ²] = 1, per dimension."
    if _close(got, 2.0 * expected):
        return "you are missing the ½ in front of the sum."
    if _close(got, gaussian_entropy(2.0 * log_var)) or _close(got, gaussian_entropy(np.exp(log_var))):
        return "log_var is already log σ²: use it as it is, H = ½ Σ_j (1 + log 2π + log_var_j)."
    if _close(got, gaussian_entropy(0.5 * log_var)):
        return "you used log σ = ½ log_var where the formula has log σ² = log_var."
    return None


def check_gaussian_entropy(candidate):
    """Check ``candidate(log_var)`` → ½ Σ_j (1 + log 2π + log σ_j²) per row."""
    return compare_on_cases(candidate, gaussian_entropy, _entropy_cases(), diagnose=_diagnose_entropy,
                            what="entropy")


# ---- active units ----------------------------------------------------------------------------------


def _active_cases():
    rng = np.random.default_rng(1)
    mixed = np.column_stack([rng.normal(0, 1.0, 200), rng.normal(3.0, 0.05, 200),
                             rng.normal(0, 0.5, 200), np.full(200, -1.0)])
    small_sd = np.column_stack([rng.normal(0, 0.2, 300), rng.normal(0, 0.08, 300), rng.normal(0, 0.3, 300)])
    # a few datapoints, many units: counting over the wrong axis gives another number
    wide = rng.normal(0, 1.0, (5, 12)) * np.array([1.0] * 3 + [0.01] * 9)
    return [(mixed, 0.01), (small_sd, 0.01), (wide, 0.01), (mixed, 0.5)]


def check_active_units(candidate):
    """Check ``candidate(means, threshold)`` → #{j : Var_n(means[n, j]) > threshold}."""
    cases = _active_cases()
    for i, (means, threshold) in enumerate(cases):
        expected = active_units(means, threshold)
        try:
            got = candidate(means, threshold)
        except Exception as error:  # the reader's code failing is feedback, not a crash
            return hint(f"your function raised {type(error).__name__}: {error} on case {i + 1}")
        if np.ndim(got) != 0:
            return hint(f"case {i + 1}: return one number (how many units are active), got shape {np.shape(got)}")
        if int(got) == expected and float(got) == expected:
            continue
        if got == int(np.sum(np.std(means, axis=0) > threshold)):
            return hint("you compared the standard deviation with the threshold; the statistic is "
                        "the variance over the data, Var_x(E_q[z_j|x]) > 0.01.")
        if got == int(np.sum(np.var(means, axis=1) > threshold)):
            return hint("you took the variance across units (axis 1); take it across datapoints, "
                        "down each column (axis 0).")
        if got == int(np.sum(np.mean(means, axis=0) ** 2 > threshold)) or got == int(np.sum(np.abs(np.mean(means, axis=0)) > threshold)):
            return hint("a unit whose mean is far from 0 but the same for every x carries no "
                        "information: measure how much the mean VARIES over the data.")
        return hint(f"case {i + 1}: got {got}, expected {expected}")
    return correct(f"your count matches the library's on {len(cases)} cases, including units with "
                   f"a large but constant mean.")
