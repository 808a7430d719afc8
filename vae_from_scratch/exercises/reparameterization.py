"""Checkers for the exercises of Chapter 5, "Reparameterizable distributions".

    >>> from vae_from_scratch.exercises import reparameterization as ex
    >>> print(ex.check_laplace_from_uniform(my_laplace))
    >>> print(ex.check_gumbel_softmax(my_gumbel_softmax))

``check_laplace_from_uniform`` expects ``my_laplace(loc, scale, u)`` → a Laplace(μ = loc,
b = scale) sample made from a uniform ``u`` in (0, 1) by the inverse CDF (elementwise, any
broadcastable shapes). ``check_gumbel_softmax`` expects ``my_gumbel_softmax(logits, u,
temperature)`` → the Gumbel-softmax (concrete) relaxation over the last axis, from uniforms ``u``
of the logits' shape.
"""
import numpy as np
from scipy import stats

from ..samplers import gumbel_softmax
from . import compare_on_cases, correct, hint


def _close(got, value):
    with np.errstate(all="ignore"):
        return np.allclose(got, value, rtol=1e-6, atol=1e-8)


# ---- the Laplace distribution by its inverse CDF -------------------------------------------------


def laplace_inverse_cdf(loc, scale, u):
    """The reference: F⁻¹(u) of Laplace(μ, b), as SciPy computes it."""
    return stats.laplace.ppf(u, loc=loc, scale=scale)


def _laplace_cases():
    rng = np.random.default_rng(0)
    return [
        (0.0, 1.0, np.array([0.1, 0.3, 0.5, 0.7, 0.9])),     # the standard Laplace, both halves
        (2.0, 0.5, np.array([1e-6, 0.25, 0.75, 1 - 1e-6])),   # a shift, a narrow scale, far tails
        (-1.0, 3.0, rng.uniform(0.01, 0.99, size=(3, 4))),    # a 2-D batch
        (np.array([0.0, 1.0, -2.0]), np.array([1.0, 0.2, 4.0]), rng.uniform(0.01, 0.99, size=(5, 3))),
    ]


def _diagnose_laplace(case, got, expected):
    loc, scale, u = (np.asarray(a, dtype=float) for a in case)
    centred = expected - loc
    if _close(got, loc - centred):
        return ("the two halves are swapped: F⁻¹ increases with u, so u > ½ must give a sample above "
                "μ and u < ½ one below it.")
    if np.all(got >= loc - 1e-12) and np.any(expected < loc):
        return ("every sample of yours is ≥ μ: that is an exponential, which is one-sided. The Laplace "
                "has two exponential halves; use the sign of u − ½ to choose the side.")
    with np.errstate(all="ignore"):
        half = loc - scale * np.sign(u - 0.5) * np.log(1.0 - np.abs(u - 0.5))
    if _close(got, half):
        return ("inside the logarithm: each half holds probability ½, so the tail probability is "
                "2·min(u, 1 − u) = 1 − 2|u − ½|, not 1 − |u − ½|.")
    if _close(got, loc + scale * centred):
        return "scale is b itself (the standard deviation is √2·b): multiply by b once, not by b²."
    return None


def check_laplace_from_uniform(candidate):
    """Check ``candidate(loc, scale, u)`` → the Laplace(loc, scale) sample F⁻¹(u), elementwise."""
    return compare_on_cases(candidate, laplace_inverse_cdf, _laplace_cases(),
                            diagnose=_diagnose_laplace, what="sample")


# ---- the Gumbel-softmax (concrete) relaxation ------------------------------------------------------


def _gumbel_softmax_cases():
    rng = np.random.default_rng(1)
    return [
        (np.log(np.array([[0.1, 0.2, 0.3, 0.4]])), rng.uniform(size=(1, 4)), 1.0),
        (rng.normal(size=(5, 3)), rng.uniform(size=(5, 3)), 0.5),
        (rng.normal(size=(2, 6)), rng.uniform(size=(2, 6)), 2.0),
        (rng.normal(size=(3, 4, 5)), rng.uniform(size=(3, 4, 5)), 0.1),
    ]


def _softmax(a, axis=-1):
    a = a - np.max(a, axis=axis, keepdims=True)
    w = np.exp(a)
    return w / np.sum(w, axis=axis, keepdims=True)


def _diagnose_gumbel_softmax(case, got, expected):
    logits, u, temperature = case
    if temperature != 1.0 and _close(got, gumbel_softmax(logits, u, 1.0)):
        return "the temperature is missing: divide (logits + g) by τ before the softmax."
    if _close(got, gumbel_softmax(logits, u, 1.0 / temperature)):
        return "divide by the temperature τ, do not multiply: small τ must make the sample sharper."
    if _close(got, _softmax((logits + np.log(-np.log(u))) / temperature)):
        return "the Gumbel noise is g = −log(−log u): its sign is wrong in your sum."
    if _close(got, _softmax((logits - np.log(u)) / temperature)):
        return "g = −log(−log u) takes two logarithms; −log u alone is an exponential variable."
    hard = np.argmax(logits - np.log(-np.log(u)), axis=-1)
    one_hot = np.eye(logits.shape[-1])[hard]
    if _close(got, one_hot):
        return ("you returned the one-hot Gumbel-max sample; the relaxation replaces that argmax by a "
                "softmax at temperature τ, which is differentiable in the logits.")
    if got.ndim > 1 and _close(got, _softmax((logits - np.log(-np.log(u))) / temperature, axis=0)):
        return "normalise over the last axis (the K categories), not the first."
    return None


def check_gumbel_softmax(candidate):
    """Check ``candidate(logits, u, temperature)`` → softmax((logits − log(−log u)) / τ), last axis."""
    feedback = compare_on_cases(candidate, gumbel_softmax, _gumbel_softmax_cases(),
                                diagnose=_diagnose_gumbel_softmax, what="relaxed sample")
    if not feedback.passed:
        return feedback
    # Large logits at a low temperature: exp((100 + g) / 0.1) overflows unless the maximum is
    # subtracted first (softmax is unchanged by a shift).
    logits = np.array([[100.0, 0.0, -100.0]])
    u = np.array([[0.5, 0.5, 0.5]])
    try:
        with np.errstate(all="ignore"):
            got = np.asarray(candidate(logits, u, 0.1), dtype=float)
    except Exception as error:
        return hint(f"your function raised {type(error).__name__}: {error} for logits (100, 0, −100)")
    if got.shape != (1, 3) or not np.allclose(got, gumbel_softmax(logits, u, 0.1), atol=1e-8):
        return hint("your function overflows for logits (100, 0, −100) at τ = 0.1: subtract the largest "
                    "entry of (logits + g) / τ before exponentiating; the softmax does not change.")
    return correct("your relaxed sample matches the library's on 5 cases, including a low "
                   "temperature and logits of ±100.")
