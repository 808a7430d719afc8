"""Log-densities, the analytic Gaussian KL and the reparameterized Gaussian sample.

Every log-density sums over the last axis (the event axis): a batch of vectors of shape
``(batch, D)`` gives one number per datapoint, shape ``(batch,)``. Leading sample axes
(``(L, batch, D)``) broadcast through unchanged.

All constants are Python floats so that a float32 input stays float32 (NumPy 2 treats
Python scalars as "weak" and does not upcast; a NumPy float64 scalar would).
"""
import math

import autograd.numpy as np

LOG_2PI = math.log(2.0 * math.pi)


def softplus(a):
    """log(1 + e^a), computed without overflow for any finite a."""
    return np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))


def log_normal(x, mean, log_var):
    """log N(x; mean, diag(exp(log_var))), summed over the last axis.

    log N(x; μ, σ²) = -½ Σ_d [ log 2π + log σ_d² + (x_d − μ_d)² / σ_d² ]
    """
    return -0.5 * np.sum(LOG_2PI + log_var + (x - mean) ** 2 * np.exp(-log_var), axis=-1)


def log_standard_normal(z):
    """log N(z; 0, I), summed over the last axis: the prior p_θ(z) of the paper."""
    return -0.5 * np.sum(LOG_2PI + z ** 2, axis=-1)


def log_bernoulli(x, logits):
    """log Bern(x; p = sigmoid(logits)), summed over the last axis.

    Written in logits so that it stays finite for logits of ±1000:
    x log p + (1 − x) log(1 − p) = x·a − log(1 + e^a),  with a the logit.
    Targets x may be any value in [0, 1] (grey levels give the cross-entropy).
    """
    return np.sum(x * logits - softplus(logits), axis=-1)


def analytic_gaussian_kl(mean, log_var):
    """KL( N(mean, diag exp(log_var)) ‖ N(0, I) ), summed over the last axis.

    Kingma & Welling, Appendix B:  −KL = ½ Σ_j (1 + log σ_j² − μ_j² − σ_j²).
    Returned with a positive sign (a KL is ≥ 0); estimator B subtracts it.
    """
    return 0.5 * np.sum(mean ** 2 + np.exp(log_var) - 1.0 - log_var, axis=-1)


def gaussian_kl(mean_q, log_var_q, mean_p, log_var_p):
    """KL( N(mean_q, σ_q²) ‖ N(mean_p, σ_p²) ) for diagonal Gaussians, summed over the last axis.

    KL = ½ Σ_j [ log σ_p²/σ_q² + (σ_q² + (μ_q − μ_p)²) / σ_p² − 1 ].
    With mean_p = 0 and log_var_p = 0 it equals :func:`analytic_gaussian_kl`.
    """
    return 0.5 * np.sum(
        log_var_p - log_var_q + (np.exp(log_var_q) + (mean_q - mean_p) ** 2) * np.exp(-log_var_p) - 1.0,
        axis=-1,
    )


def reparameterize(mean, log_var, eps):
    """z = μ + σ ⊙ ε with ε ~ N(0, I): the reparameterization trick, paper eq. (4) and §2.4.

    ``eps`` may carry leading sample axes, e.g. ``(L, batch, J)`` against ``(batch, J)`` moments.
    """
    return mean + np.exp(0.5 * log_var) * eps
