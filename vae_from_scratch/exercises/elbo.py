"""Checkers for the exercises of Chapter 3, "The evidence lower bound".

    >>> from vae_from_scratch.exercises import elbo as ex
    >>> print(ex.check_analytic_kl(my_kl))
    >>> print(ex.check_linear_gaussian_elbo(my_elbo))

``check_analytic_kl`` expects ``my_kl(mean, log_var)`` → KL(N(μ, diag σ²) ‖ N(0, I)), summed over
the last axis (one number per row). ``check_linear_gaussian_elbo`` expects
``my_elbo(x, W, b, sigma2, q_mean, q_log_var)`` → the ELBO of the linear-Gaussian model
(:mod:`vae_from_scratch.models.linear_gaussian`) in closed form, one number per row of x.
"""
import math

import numpy as np

from ..distributions import analytic_gaussian_kl
from ..models import linear_gaussian as lg
from . import compare_on_cases


def _close(got, value):
    return np.allclose(got, value, rtol=1e-6, atol=1e-8)


# ---- the KL of a diagonal Gaussian to the standard normal ---------------------------------------


def _kl_cases():
    rng = np.random.default_rng(0)
    return [
        (np.zeros((1, 2)), np.zeros((1, 2))),                    # q = prior: KL = 0
        (np.array([[1.5, -0.5]]), np.zeros((1, 2))),             # μ ≠ 0, σ = 1
        (np.zeros((1, 3)), np.array([[0.8, -1.2, 0.3]])),        # μ = 0, σ ≠ 1
        (rng.normal(size=(4, 3)), rng.normal(size=(4, 3))),      # a batch, both
        (rng.normal(size=(2, 1)), 2.0 * rng.normal(size=(2, 1))),
        (rng.normal(size=(3, 5)), rng.normal(size=(3, 5))),
    ]


def _diagnose_kl(case, got, expected):
    mean, log_var = case
    J = mean.shape[-1]
    if _close(got, 2.0 * expected):
        return "you are missing the ½ in front of the sum: KL = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²)."
    if _close(got, -expected):
        return ("the sign is flipped: App. B gives −KL = ½ Σ (1 + log σ² − μ² − σ²); the KL itself "
                "is ≥ 0.")
    if _close(got, expected + 0.5 * J):
        return "you are missing the −1 in each term: at q = N(0, I) the KL must be 0."
    if _close(got, analytic_gaussian_kl(mean, 2.0 * log_var)):
        return ("log_var is log σ², not log σ: the variance is exp(log_var), and log σ² is log_var "
                "itself.")
    if _close(got, analytic_gaussian_kl(mean, 0.5 * log_var)):
        return "you took exp(log_var / 2) = σ where the formula needs σ² = exp(log_var)."
    return None


def check_analytic_kl(candidate):
    """Check ``candidate(mean, log_var)`` → KL(N(mean, diag exp(log_var)) ‖ N(0, I)) per row."""
    return compare_on_cases(candidate, analytic_gaussian_kl, _kl_cases(), diagnose=_diagnose_kl, what="KL")


# ---- the closed-form ELBO of the linear-Gaussian model -------------------------------------------


def _elbo_cases():
    rng = np.random.default_rng(1)
    cases = []
    for D, J, batch, sigma2 in ((2, 1, 1, 0.5), (3, 1, 4, 1.0), (4, 2, 3, 0.2), (5, 3, 2, 2.0)):
        W = rng.normal(size=(D, J))
        b = rng.normal(size=D)
        x = rng.normal(size=(batch, D))
        q_mean = rng.normal(size=(batch, J))
        q_log_var = rng.normal(size=(batch, J)) - 0.5
        cases.append((x, W, b, sigma2, q_mean, q_log_var))
    return cases


def _diagnose_elbo(case, got, expected):
    x, W, b, sigma2, q_mean, q_log_var = case
    D = W.shape[0]
    kl = analytic_gaussian_kl(q_mean, q_log_var)
    trace = np.exp(q_log_var) @ np.sum(W ** 2, axis=0)
    if _close(got, expected + 0.5 * trace / sigma2):
        return ("E_q‖x − Wz − b‖² also has a variance term: add Σ_j σ_j² ‖W_{:,j}‖² to the squared "
                "residual at the mean (z is random under q, not fixed at μ).")
    if _close(got, expected + 2.0 * kl):
        return "the KL enters with a minus sign: 𝓛 = E_q[log p(x|z)] − KL(q ‖ p(z))."
    if _close(got, expected + kl):
        return "the KL term is missing: 𝓛 = E_q[log p(x|z)] − KL(q ‖ p(z))."
    if _close(got, expected + 0.5 * D * math.log(2.0 * math.pi * sigma2)):
        return "the normalising constant −(D/2) log 2πσ² of the Gaussian likelihood is missing."
    if _close(got, lg.log_marginal(x, W, b, sigma2)):
        return ("that is log p(x) itself; the ELBO of a given q is below it by KL(q ‖ p(z|x)). Use "
                "q_mean and q_log_var.")
    return None


def check_linear_gaussian_elbo(candidate):
    """Check ``candidate(x, W, b, sigma2, q_mean, q_log_var)`` → the closed-form ELBO per row of x."""
    return compare_on_cases(candidate, lg.elbo_gaussian_q, _elbo_cases(), diagnose=_diagnose_elbo, what="ELBO")
