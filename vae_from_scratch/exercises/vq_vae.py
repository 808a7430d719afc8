"""Checkers for the exercises of Chapter 13, "Discrete latents: VQ-VAE".

    >>> from vae_from_scratch.exercises import vq_vae as ex
    >>> print(ex.check_nearest_codes(my_nearest_codes))
    >>> print(ex.check_perplexity(my_perplexity))

``check_nearest_codes`` expects ``my_nearest_codes(z_e, codebook)`` → the index of the nearest
codebook row (in Euclidean distance) for every vector of ``z_e``: ``z_e`` has shape (batch, T, d),
``codebook`` (K, d), the result (batch, T) integers. ``check_perplexity`` expects
``my_perplexity(codes, n_codes)`` → exp(−Σ_k p_k log p_k) of the code usage p (a float), with
``codes`` an integer array of any shape.
"""
import math

import numpy as np

from ..models.vq_vae import nearest_codes, perplexity
from . import compare_on_cases, correct, hint


# ---- nearest-neighbour quantization --------------------------------------------------------------


def _codes_cases():
    rng = np.random.default_rng(0)
    cases = []
    # Code vectors of very different lengths: the nearest by distance is not the one with the
    # largest dot product, and the argmax of distances is far from the argmin.
    for batch, T, d, K in ((3, 2, 2, 4), (5, 4, 3, 8), (2, 1, 5, 16)):
        codebook = rng.normal(size=(K, d)) * rng.uniform(0.2, 3.0, size=(K, 1))
        z_e = rng.normal(size=(batch, T, d)) * 1.5
        cases.append((z_e, codebook))
    cases.append((np.array([[[0.9, 0.0]]]), np.array([[1.0, 0.0], [3.0, 0.0]])))  # dot product picks 3
    return cases


def _diagnose_codes(case, got, expected):
    z_e, codebook = case
    distances = np.sum((z_e[..., None, :] - codebook) ** 2, axis=-1)  # (batch, T, K)
    if np.array_equal(got, np.argmax(distances, axis=-1)):
        return "you took the farthest code: the nearest is the argmin of the distances, not the argmax."
    if np.array_equal(got, np.argmax(z_e @ codebook.T, axis=-1)):
        return ("you picked the largest dot product z·e_j. ‖z − e_j‖² = ‖z‖² − 2 z·e_j + ‖e_j‖²: the "
                "‖e_j‖² term depends on j, so it cannot be dropped (only ‖z‖² can).")
    if np.array_equal(got, np.argmin(-2.0 * z_e @ codebook.T, axis=-1)):
        return "you dropped ‖e_j‖² from ‖z − e_j‖² = ‖z‖² − 2 z·e_j + ‖e_j‖²; it depends on j."
    if np.array_equal(got, np.argmin(np.sum(np.abs(z_e[..., None, :] - codebook), axis=-1), axis=-1)):
        return "that is the nearest code in L1 distance; VQ-VAE uses the Euclidean (L2) distance."
    return None


def check_nearest_codes(candidate):
    """Check ``candidate(z_e, codebook)`` → argmin_j ‖z_e − e_j‖² at every position, (batch, T)."""
    return compare_on_cases(candidate, nearest_codes, _codes_cases(), rtol=0, atol=0,
                            diagnose=_diagnose_codes, what="quantizer")


# ---- codebook perplexity ---------------------------------------------------------------------------


def _perplexity_cases():
    rng = np.random.default_rng(1)
    return [
        (np.arange(8).reshape(2, 4), 8),  # every code once: perplexity K
        (np.zeros((3, 5), dtype=int), 4),  # one code: perplexity 1
        (np.array([[0, 0, 0, 1]]), 4),  # skewed usage, two dead codes
        (rng.integers(0, 5, size=(50, 3)), 16),  # eleven dead codes
        (rng.choice(6, size=(40, 2), p=[0.5, 0.2, 0.1, 0.1, 0.05, 0.05]), 6),
    ]


def _usage(codes, n_codes):
    return np.bincount(np.asarray(codes).ravel(), minlength=n_codes) / np.asarray(codes).size


def _entropy(p):
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


def _diagnose_perplexity(case, got, expected):
    codes, n_codes = case
    p = _usage(codes, n_codes)
    H = _entropy(p)
    if math.isclose(got, H, rel_tol=1e-6, abs_tol=1e-9):
        return "that is the entropy H itself; the perplexity is exp(H), the effective number of codes."
    if math.isclose(got, 2.0 ** H, rel_tol=1e-6):
        return "you exponentiated a natural-log entropy with base 2: use exp(H) (or 2 ** H with H in bits)."
    if math.isclose(got, np.count_nonzero(p), rel_tol=1e-9):
        return ("that is the number of codes used. The perplexity also weighs how evenly they are used: "
                "exp(−Σ p_k log p_k).")
    counts = np.bincount(np.asarray(codes).ravel(), minlength=n_codes)
    c = counts[counts > 0]
    if math.isclose(got, math.exp(-np.sum(c * np.log(c))), rel_tol=1e-6):
        return "normalise the counts to frequencies p_k = count_k / (number of codes) first."
    return None


def check_perplexity(candidate):
    """Check ``candidate(codes, n_codes)`` → exp(H(code usage)), a number between 1 and K."""
    cases = _perplexity_cases()
    for i, (codes, n_codes) in enumerate(cases):
        expected = perplexity(codes, n_codes)
        try:
            got = float(candidate(codes, n_codes))
        except Exception as error:  # the reader's code failing is feedback, not a crash
            return hint(f"your function raised {type(error).__name__}: {error} on case {i + 1}")
        if not math.isfinite(got):
            return hint(f"case {i + 1}: your perplexity is {got}; skip unused codes (0 log 0 = 0)")
        if not math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-9):
            specific = _diagnose_perplexity((codes, n_codes), got, expected)
            return hint(specific or f"case {i + 1}: got {got:.6g}, expected {expected:.6g}")
    return correct(f"your perplexity matches the library's on {len(cases)} cases, from one code "
                   f"used to all K used equally.")
