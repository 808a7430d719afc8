"""Checkers for the exercises of Chapter 1, "Latent variable models".

    >>> from vae_from_scratch.exercises import latent_variable_models as ex
    >>> print(ex.check_mixture_log_density(my_log_density))
    >>> print(ex.check_ancestral_sampler(my_sampler))

The references are :func:`vae_from_scratch.models.toy.mixture_log_density` and
:meth:`vae_from_scratch.models.toy.CurveModel.sample`.
"""
import math

import numpy as np
from scipy.special import logsumexp

from ..distributions import log_normal
from ..models.toy import fish_model, mixture_log_density
from . import check_underflow_case, compare_on_cases, correct, hint

# ---- log p(x) of a mixture of isotropic Gaussians ---------------------------------------------


def _mixture_cases():
    rng = np.random.default_rng(0)
    cases = [
        # the preface's two-component example, p(x) = 0.7 N(x; 0, 1) + 0.3 N(x; 2, 1)
        (np.array([[-1.0], [0.5], [2.0], [3.5]]), np.array([0.7, 0.3]), np.array([[0.0], [2.0]]), np.array([1.0, 1.0])),
    ]
    for D, K in ((2, 3), (3, 4), (2, 1)):
        x = rng.normal(size=(5, D))
        weights = rng.dirichlet(np.ones(K))
        means = rng.normal(size=(K, D))
        stds = rng.uniform(0.4, 1.8, size=K)
        cases.append((x, weights, means, stds))
    return cases


def _far_case():
    # x 60 standard deviations from every component: each N(x; m_k, 1) is about e^{-1800} = 0.0 in float64
    return np.array([[60.0, 0.0]]), np.array([0.5, 0.5]), np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([1.0, 1.0])


def _diagnose_mixture(case, got, expected):
    x, weights, means, stds = case
    close = lambda a: np.allclose(got, a, rtol=1e-6, atol=1e-8)  # noqa: E731
    K, D = means.shape
    if close(mixture_log_density(x, np.ones(K), means, stds)):
        return "the mixing weights are missing: add log π_k to each component's log-density before the logsumexp."
    if close(mixture_log_density(x, weights, means, np.sqrt(stds))):
        return "you used s_k as the variance; s_k is the standard deviation, the variance is s_k²."
    if close(mixture_log_density(x, weights, means, stds ** 2)):
        return "your variance is s_k⁴: s_k is already the standard deviation, square it once."
    sq_dist = np.sum((x[None] - means[:, None]) ** 2, axis=-1)  # (K, n)
    one_constant = -0.5 * np.log(2 * math.pi * stds ** 2)[:, None] - 0.5 * sq_dist / stds[:, None] ** 2
    if D > 1 and close(logsumexp(np.log(weights)[:, None] + one_constant, axis=0)):
        return "the normalising constant is that of one dimension; in D dimensions it is (2π s_k²)^(−D/2)."
    log_components = log_normal(x[None], means[:, None], 2 * np.log(stds)[:, None, None])
    if close(np.max(np.log(weights)[:, None] + log_components, axis=0)):
        return "you took the largest component (a max); the mixture sums them: use logsumexp, not max."
    if close(logsumexp(np.log(weights)[:, None] + log_components, axis=1)):
        return "you summed over the datapoints; sum over the K components (axis 0 of a (K, n) array)."
    return None


def check_mixture_log_density(candidate):
    """Check ``candidate(x, weights, means, stds)`` → log Σ_k π_k N(x; m_k, s_k² I), shape (n,).

    x (n, D), weights (K,), means (K, D), stds (K,). One case puts x far from every component,
    where adding up densities underflows to log 0 = −inf: work in log space.
    """
    feedback = compare_on_cases(
        candidate, mixture_log_density, _mixture_cases(), diagnose=_diagnose_mixture, what="log-density"
    )
    if not feedback.passed:
        return feedback
    underflow = check_underflow_case(
        candidate, mixture_log_density, _far_case(), "for x far from every component",
        "each density underflows to 0 and log 0 = −inf: compute log π_k + log N(x; m_k, s_k² I) and "
        "combine them with scipy.special.logsumexp.",
    )
    if underflow is not None:
        return underflow
    return correct(f"your log-density matches the library's on {len(_mixture_cases()) + 1} mixtures, including one "
                   "where adding densities would underflow.")


# ---- ancestral sampling of the fish model --------------------------------------------------


def check_ancestral_sampler(candidate, n=20000, seed=0):
    """Check ``candidate(model, n, rng)`` → ``(z (n, 1), x (n, 2))`` drawn from p(z) p(x|z).

    Sampling is random, so the check is statistical: z must look like N(0, 1) and the residuals
    x − f_θ(z) like independent N(0, σ²) noise, within five standard errors at n = 20 000.
    """
    model = fish_model()
    try:
        z, x = candidate(model, n, np.random.default_rng(seed))
    except Exception as error:
        return hint(f"your function raised {type(error).__name__}: {error}")
    z, x = np.asarray(z, dtype=float), np.asarray(x, dtype=float)
    if z.shape != (n, 1) or x.shape != (n, 2):
        return hint(f"expected z of shape ({n}, 1) and x of shape ({n}, 2), got {z.shape} and {x.shape}")
    se = 5.0 / math.sqrt(n)  # five standard errors of a mean of unit-variance draws
    if abs(z.mean()) > se or abs(z.var() - 1.0) > 5.0 * math.sqrt(2.0 / n):
        return hint(f"z should be N(0, 1) draws from the prior; yours have mean {z.mean():.3f} and variance {z.var():.3f}.")
    residual = x - model.decode(z)
    sigma = model.noise_std
    std = residual.std(axis=0)
    if np.all(std < 1e-12):
        return hint("x equals f(z) exactly: you returned the decoder's mean; add the noise σ·ε, ε ~ N(0, I).")
    if np.allclose(std, sigma ** 2, rtol=0.05):
        return hint(f"the noise has std {std.mean():.4f} = σ²; multiply ε by σ = {sigma}, not by the variance.")
    if not np.allclose(std, sigma, rtol=0.05):
        if np.allclose(x.std(axis=0), sigma, rtol=0.05):
            return hint("x looks like noise around 0: the noise must be added to f(z), the decoder's output.")
        return hint(f"x − f(z) should have std σ = {sigma} in each coordinate; yours has {np.round(std, 4)}. "
                    "Did you decode the same z that you return?")
    if np.max(np.abs(residual.mean(axis=0))) > 5.0 * sigma / math.sqrt(n):
        return hint(f"x − f(z) should have mean 0; yours has mean {np.round(residual.mean(axis=0), 4)}.")
    corr = np.corrcoef(z[:, 0], residual[:, 0])[0, 1]
    if abs(corr) > 5.0 / math.sqrt(n):
        return hint("the noise is correlated with z: x must be f(z) plus fresh noise, drawn after z.")
    return correct(f"z looks N(0, 1) and x − f(z) looks like N(0, {sigma}² I) noise on {n} draws.")
