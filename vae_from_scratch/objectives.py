"""The objectives of AEVB: SGVB estimators A and B, the minibatch estimator, IWAE, MAP.

Parameters of a VAE are a pair ``(encoder_params, decoder_params)`` of MLP parameter lists
(:mod:`vae_from_scratch.nn`). Every estimator takes the noise ``eps`` explicitly, shape
``(L, batch, J)`` (``L`` samples per datapoint), so that it is a deterministic function of the
parameters that ``autograd.grad`` can differentiate — the reparameterization trick, eq. (4).
Each returns one value per datapoint, shape ``(batch,)``; average them for a loss.
"""

import autograd.numpy as np

from .distributions import (
    analytic_gaussian_kl,
    log_bernoulli,
    log_normal,
    log_standard_normal,
    reparameterize,
)
from .nn import bernoulli_mlp, gaussian_mlp

LIKELIHOODS = ("bernoulli", "gaussian")


def encode(encoder_params, x):
    """q_φ(z|x) = N(z; μ, diag σ²): the encoder's mean and log-variance, each (batch, J)."""
    return gaussian_mlp(encoder_params, x)


def decoder_log_likelihood(decoder_params, x, z, likelihood="bernoulli"):
    """log p_θ(x|z) for x (batch, D) and z (..., batch, J); returns (..., batch).

    "bernoulli": the Bernoulli MLP of App. C.1 (binary or grey-level images).
    "gaussian":  the Gaussian MLP of App. C.2 with its mean squashed into (0, 1).
    """
    if likelihood == "bernoulli":
        return log_bernoulli(x, bernoulli_mlp(decoder_params, z))
    if likelihood == "gaussian":
        mean, log_var = gaussian_mlp(decoder_params, z, sigmoid_mean=True)
        return log_normal(x, mean, log_var)
    raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {likelihood!r}")


def _samples_first(eps):
    # A single draw (batch, J) is the L = 1 case of (L, batch, J).
    return eps[None] if np.ndim(eps) == 2 else eps


def elbo_estimator_a(params, x, eps, likelihood="bernoulli"):
    """SGVB estimator A, eq. (6): the generic estimator of the ELBO.

    L̃ᴬ(θ, φ; x) = (1/L) Σ_l [ log p_θ(x, z_l) − log q_φ(z_l|x) ],  z_l = μ + σ ⊙ ε_l.
    """
    encoder_params, decoder_params = params
    eps = _samples_first(eps)
    mean, log_var = encode(encoder_params, x)  # (batch, J) each
    z = reparameterize(mean, log_var, eps)  # (L, batch, J)
    log_joint = decoder_log_likelihood(decoder_params, x, z, likelihood) + log_standard_normal(z)
    log_q = log_normal(z, mean, log_var)  # (L, batch)
    return np.mean(log_joint - log_q, axis=0)


def elbo_estimator_b(params, x, eps, likelihood="bernoulli", beta=1.0):
    """SGVB estimator B, eq. (7): the KL term analytic, only the reconstruction sampled.

    L̃ᴮ(θ, φ; x) = −β · KL(q_φ(z|x) ‖ p(z)) + (1/L) Σ_l log p_θ(x|z_l).
    β = 1 is the paper's estimator; β ≠ 1 is the β-VAE objective (Higgins et al., 2017).
    """
    encoder_params, decoder_params = params
    eps = _samples_first(eps)
    mean, log_var = encode(encoder_params, x)  # (batch, J) each
    z = reparameterize(mean, log_var, eps)  # (L, batch, J)
    reconstruction = np.mean(decoder_log_likelihood(decoder_params, x, z, likelihood), axis=0)
    return reconstruction - beta * analytic_gaussian_kl(mean, log_var)


def log_importance_weights(params, x, eps, likelihood="bernoulli"):
    """log w_k = log p_θ(x, z_k) − log q_φ(z_k|x) for z_k ~ q_φ(z|x); shape (K, batch)."""
    encoder_params, decoder_params = params
    eps = _samples_first(eps)
    mean, log_var = encode(encoder_params, x)
    z = reparameterize(mean, log_var, eps)  # (K, batch, J)
    log_joint = decoder_log_likelihood(decoder_params, x, z, likelihood) + log_standard_normal(z)
    return log_joint - log_normal(z, mean, log_var)


def log_mean_exp(a, axis=0):
    """log( (1/K) Σ_k exp(a_k) ) along ``axis``, without overflow: shift by the maximum first.

    (Written here rather than imported from autograd.scipy, which would load all of scipy.stats.)
    """
    shift = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(shift, axis) + np.log(np.mean(np.exp(a - shift), axis=axis))


def iwae_bound(params, x, eps, likelihood="bernoulli"):
    """The importance-weighted bound (Burda et al., 2016) with K = eps.shape[0] samples.

    L_K = log (1/K) Σ_k w_k,  w_k = p_θ(x, z_k) / q_φ(z_k|x).
    L_1 is the ELBO; L_K increases with K and tends to log p_θ(x).
    """
    log_w = log_importance_weights(params, x, eps, likelihood)  # (K, batch)
    return log_mean_exp(log_w, axis=0)


def minibatch_estimator(per_datapoint, dataset_size):
    """Eq. (8): L(θ, φ; X) ≈ (N / M) Σ_{i=1}^{M} L̃(θ, φ; x⁽ⁱ⁾) for a minibatch of M points.

    The estimate of the bound on the whole dataset of N points. Training divides it by N,
    which is the minibatch mean; the gradient's direction is the same.
    """
    return dataset_size / per_datapoint.shape[0] * np.sum(per_datapoint)


def log_weight_prior(params):
    """log p(θ, φ) up to a constant under a N(0, I) prior on every parameter: −½ Σ w².

    The paper's "weight decay corresponding to a prior p(θ) = N(0, I)"; adding it to eq. (8)
    turns maximum likelihood into MAP estimation.
    """
    total = 0.0
    for net in params:
        for W, b in net:
            total = total + 0.5 * (np.sum(W ** 2) + np.sum(b ** 2))
    return -total


def sample_eps(rng, n_samples, batch, latent_dim, dtype=np.float64):
    """ε ~ N(0, I) of shape (n_samples, batch, latent_dim), in the parameters' dtype."""
    return rng.standard_normal((n_samples, batch, latent_dim)).astype(dtype, copy=False)
