"""Checkers for the exercises of Chapter 6, "The SGVB estimators and AEVB".

    >>> from vae_from_scratch.exercises import sgvb as ex
    >>> print(ex.check_estimator_b(my_estimator_b))
    >>> print(ex.check_gaussian_kl(my_kl))

``check_estimator_b`` expects ``my_estimator_b(params, x, eps)`` → SGVB estimator B (eq. 7) of a
Bernoulli-MLP VAE with ``params = (encoder_params, decoder_params)``, ``x`` of shape (batch, D) and
``eps`` of shape (L, batch, J); one value per datapoint, shape (batch,). ``check_gaussian_kl``
expects ``my_kl(mean_q, log_var_q, mean_p, log_var_p)`` → KL(N(μ_q, diag σ_q²) ‖ N(μ_p, diag σ_p²)),
summed over the last axis.
"""
import numpy as np

from .. import nn
from ..distributions import analytic_gaussian_kl, gaussian_kl, log_bernoulli
from ..objectives import elbo_estimator_a, elbo_estimator_b, encode
from . import compare_on_cases


def _close(got, value):
    with np.errstate(all="ignore"):
        return np.allclose(got, value, rtol=1e-6, atol=1e-8)


# ---- estimator B from the pieces ---------------------------------------------------------------


def _vae(rng, D, H, J):
    return (nn.init_gaussian_mlp(D, [H], J, rng, "glorot"), nn.init_mlp([J, H, D], rng, "glorot"))


def _estimator_b_cases():
    rng = np.random.default_rng(0)
    cases = []
    for D, H, J, batch, L in ((5, 4, 2, 3, 1), (6, 3, 3, 4, 5), (4, 5, 1, 2, 2)):
        params = _vae(rng, D, H, J)
        x = (rng.random((batch, D)) < 0.5).astype(float)
        cases.append((params, x, rng.standard_normal((L, batch, J))))
    return cases


def _pieces(params, x, eps, scale_of):
    """log p(x|z) for each sample, and the KL, with z = μ + scale_of(log σ²) · ε."""
    encoder_params, decoder_params = params
    mean, log_var = encode(encoder_params, x)
    z = mean + scale_of(log_var) * eps
    reconstruction = log_bernoulli(x, nn.bernoulli_mlp(decoder_params, z))  # (L, batch)
    return reconstruction, analytic_gaussian_kl(mean, log_var)


def _diagnose_estimator_b(case, got, expected):
    params, x, eps = case
    if _close(got, elbo_estimator_a(params, x, eps)):
        return ("that is estimator A (eq. 6): it samples log p(z) − log q(z|x). Estimator B keeps "
                "only log p(x|z) sampled and subtracts the analytic KL of App. B.")
    reconstruction, kl = _pieces(params, x, eps, lambda log_var: np.exp(0.5 * log_var))
    mean_rec = reconstruction.mean(axis=0)
    if _close(got, mean_rec + kl):
        return "the KL enters with a minus sign: L̃ᴮ = −KL(q‖p) + (1/L) Σ_l log p(x|z_l)."
    if _close(got, mean_rec):
        return "the −KL(q_φ(z|x) ‖ p(z)) term is missing; only the reconstruction term is sampled."
    if _close(got, mean_rec - 2.0 * kl) or _close(got, mean_rec - 0.5 * kl):
        return "the KL has a wrong factor: App. B gives KL = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²)."
    if eps.shape[0] > 1 and _close(got, reconstruction.sum(axis=0) - kl):
        return "average the L reconstruction terms, (1/L) Σ_l, do not sum them."
    for scale_of, what in ((np.exp, "exp(log_var) = σ²"), (lambda v: v, "log_var itself")):
        rec, kl_ = _pieces(params, x, eps, scale_of)
        if _close(got, rec.mean(axis=0) - kl_):
            return (f"you multiplied ε by {what}; the reparameterization is z = μ + σ ⊙ ε with "
                    f"σ = exp(½ log_var).")
    return None


def check_estimator_b(candidate):
    """Check ``candidate(params, x, eps)`` → estimator B (eq. 7) per datapoint, shape (batch,)."""
    return compare_on_cases(candidate, elbo_estimator_b, _estimator_b_cases(),
                            diagnose=_diagnose_estimator_b, what="estimate")


# ---- the KL divergence between two diagonal Gaussians ------------------------------------------


def _kl_cases():
    rng = np.random.default_rng(1)
    return [
        (np.array([[0.3, -1.0]]), np.array([[0.2, -0.4]]), np.array([[0.3, -1.0]]), np.array([[0.2, -0.4]])),  # q = p
        (rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), np.zeros((3, 2)), np.zeros((3, 2))),  # App. B
        (np.zeros((1, 3)), np.zeros((1, 3)), np.array([[1.0, -2.0, 0.5]]), np.zeros((1, 3))),  # means differ
        (np.zeros((1, 2)), np.array([[0.5, -1.5]]), np.zeros((1, 2)), np.array([[1.0, 2.0]])),  # variances differ
        (rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), rng.normal(size=(4, 3))),
    ]


def _diagnose_kl(case, got, expected):
    mean_q, log_var_q, mean_p, log_var_p = case
    if _close(got, 2.0 * expected):
        return "you are missing the ½ in front of the sum."
    if _close(got, -expected):
        return "the sign is flipped: a KL divergence is never negative."
    if _close(got, gaussian_kl(mean_p, log_var_p, mean_q, log_var_q)):
        return ("you computed KL(p ‖ q): the KL is not symmetric. Here the expectation is under q, so "
                "the variance ratio is σ_q²/σ_p² and the squared mean difference is divided by σ_p².")
    if _close(got, expected + 0.5 * mean_q.shape[-1]):
        return "you are missing the −1 in each term: the KL of a distribution to itself is 0."
    if _close(got, gaussian_kl(mean_q, 2.0 * log_var_q, mean_p, 2.0 * log_var_p)):
        return "log_var is log σ², not log σ: the variance is exp(log_var)."
    undivided = 0.5 * np.sum(log_var_p - log_var_q + np.exp(log_var_q - log_var_p)
                             + (mean_q - mean_p) ** 2 - 1.0, axis=-1)
    if _close(got, undivided):
        return "divide the squared mean difference (μ_q − μ_p)² by σ_p², like σ_q²."
    return None


def check_gaussian_kl(candidate):
    """Check ``candidate(mean_q, log_var_q, mean_p, log_var_p)`` → KL(q ‖ p) per row."""
    return compare_on_cases(candidate, gaussian_kl, _kl_cases(), diagnose=_diagnose_kl, what="KL")
