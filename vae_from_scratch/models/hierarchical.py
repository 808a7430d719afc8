"""A two-level VAE: p(z₂) p_θ(z₁|z₂) p_θ(x|z₁), inferred bottom-up by q_φ(z₁|x) q_φ(z₂|z₁).

The hierarchy of Shen et al. (2019)'s multi-level VAE, written with MLPs for images:

    generative   z₂ ~ N(0, I)                     (J₂ dimensions, the top level)
                 z₁ ~ N(μ_θ(z₂), diag σ²_θ(z₂))    (J₁ dimensions, a Gaussian MLP of z₂)
                 x  ~ Bernoulli(sigmoid(f_θ(z₁)))   (a Bernoulli MLP of z₁)
    inference    z₁ ~ N(μ_φ(x), diag σ²_φ(x))       (a Gaussian MLP of x)
                 z₂ ~ N(μ_φ(z₁), diag σ²_φ(z₁))     (a Gaussian MLP of the SAMPLED z₁)

``params = (encoder_1, encoder_2, decoder_2, decoder_1)``, each an MLP parameter list of
:mod:`vae_from_scratch.nn`: encoder_1 x → z₁ and encoder_2 z₁ → z₂ are Gaussian MLPs
(:func:`~vae_from_scratch.nn.gaussian_mlp`, two heads), decoder_2 z₂ → z₁ is a Gaussian MLP,
decoder_1 z₁ → x a Bernoulli MLP (logits). All hidden layers are tanh (App. C).

The ELBO per datapoint, with z₁ ~ q(z₁|x) and z₂ ~ q(z₂|z₁) reparameterized by ε₁ and ε₂:

    L = E[log p(x|z₁)] + H[q(z₁|x)] + E[log p(z₁|z₂)] − E_{q(z₁|x)}[KL(q(z₂|z₁) ‖ p(z₂))].

The entropy H and the top KL (given z₁) are analytic; log p(x|z₁) and log p(z₁|z₂) are sampled.
The middle level has no analytic KL: z₂ is computed from the sampled z₁, so given z₂ the value of
z₁ is not distributed as q(z₁|x) (see the chapter on hierarchies).
"""
import math
from dataclasses import dataclass, field

import autograd
import autograd.numpy as anp
import numpy as np

from .. import diagnostics
from ..data import binarize
from ..diagnostics import ACTIVE_THRESHOLD
from ..distributions import (LOG_2PI, analytic_gaussian_kl, gaussian_kl, log_bernoulli,
                             log_normal, log_standard_normal, reparameterize)
from ..nn import bernoulli_mlp, gaussian_mlp, init_gaussian_mlp, init_mlp, sigmoid
from ..objectives import log_mean_exp
from ..train import Records, checked_optimizer


def init_two_level(x_dim, z1_dim, z2_dim, hidden, hidden_top, rng, dtype=np.float64):
    """Glorot-initialised ``(encoder_1, encoder_2, decoder_2, decoder_1)``.

    hidden:     hidden layer sizes of the networks between x and z₁ (encoder_1, decoder_1);
    hidden_top: hidden layer sizes of the networks between z₁ and z₂ (encoder_2, decoder_2).
    With the same ``hidden`` and J = z1_dim, encoder_1 and decoder_1 have exactly the shapes of
    a one-level VAE's networks (:func:`vae_from_scratch.models.vae.init_vae_params`).
    """
    for name, value in (("x_dim", x_dim), ("z1_dim", z1_dim), ("z2_dim", z2_dim)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    hidden, hidden_top = list(hidden), list(hidden_top)
    return (
        init_gaussian_mlp(x_dim, hidden, z1_dim, rng, "glorot", dtype),  # q(z₁|x)
        init_gaussian_mlp(z1_dim, hidden_top, z2_dim, rng, "glorot", dtype),  # q(z₂|z₁)
        init_gaussian_mlp(z2_dim, hidden_top, z1_dim, rng, "glorot", dtype),  # p(z₁|z₂)
        init_mlp([z1_dim, *hidden, x_dim], rng, "glorot", dtype),  # p(x|z₁)
    )


def dims(params):
    """(D, J₁, J₂): data, middle and top latent dimensions."""
    encoder_1, encoder_2, _, _ = params
    return encoder_1[0][0].shape[0], encoder_2[0][0].shape[0], encoder_2[-1][0].shape[1]


def gaussian_entropy(log_var):
    """H[N(μ, diag σ²)] = ½ Σ_j (1 + log 2π + log σ_j²), summed over the last axis (nats).

    It does not depend on μ. It is −E_q[log q(z)], the part of log q that is analytic.
    """
    return 0.5 * anp.sum(1.0 + LOG_2PI + log_var, axis=-1)


def sample_noise(rng, n_samples, batch, params, dtype=np.float64):
    """``(eps1, eps2)`` ~ N(0, I) of shapes (L, batch, J₁) and (L, batch, J₂)."""
    _, J1, J2 = dims(params)
    return (rng.standard_normal((n_samples, batch, J1)).astype(dtype, copy=False),
            rng.standard_normal((n_samples, batch, J2)).astype(dtype, copy=False))


def _latents(params, x, eps1, eps2):
    """The bottom-up pass: moments and samples of both levels, and the moments of p(z₁|z₂)."""
    encoder_1, encoder_2, decoder_2, _ = params
    mean_1, log_var_1 = gaussian_mlp(encoder_1, x)  # (batch, J₁)
    z1 = reparameterize(mean_1, log_var_1, eps1)  # (L, batch, J₁)
    mean_2, log_var_2 = gaussian_mlp(encoder_2, z1)  # (L, batch, J₂): q(z₂|z₁) per sample
    z2 = reparameterize(mean_2, log_var_2, eps2)  # (L, batch, J₂)
    prior_mean_1, prior_log_var_1 = gaussian_mlp(decoder_2, z2)  # p(z₁|z₂)
    return mean_1, log_var_1, z1, mean_2, log_var_2, z2, prior_mean_1, prior_log_var_1


def two_level_terms(params, x, eps1, eps2):
    """The pieces of the ELBO for each sample and datapoint, each (L, batch) (entropy (batch,)).

    Returns a dict:
      "reconstruction"  log p(x | z₁)                          sampled
      "log_p_z1"        log p(z₁ | z₂)                         sampled (z₁ and z₂ both drawn)
      "entropy_z1"      H[q(z₁|x)] = −E log q(z₁|x)            analytic, (batch,)
      "kl_top"          KL(q(z₂|z₁) ‖ N(0, I)) given z₁        analytic given the sampled z₁
      "log_q_z1", "log_q_z2", "log_p_z2"                       the sampled log-densities
    """
    mean_1, log_var_1, z1, mean_2, log_var_2, z2, prior_mean_1, prior_log_var_1 = _latents(
        params, x, eps1, eps2)
    return {
        "reconstruction": log_bernoulli(x, bernoulli_mlp(params[3], z1)),
        "log_p_z1": log_normal(z1, prior_mean_1, prior_log_var_1),
        "entropy_z1": gaussian_entropy(log_var_1),
        "kl_top": analytic_gaussian_kl(mean_2, log_var_2),
        "log_q_z1": log_normal(z1, mean_1, log_var_1),
        "log_q_z2": log_normal(z2, mean_2, log_var_2),
        "log_p_z2": log_standard_normal(z2),
    }


def two_level_elbo(params, x, eps1, eps2, estimator="analytic", kl_weight=1.0):
    """An unbiased estimate of the two-level ELBO for each datapoint, (batch,), averaged over L.

    estimator="analytic":  log p(x|z₁) + H[q(z₁|x)] + log p(z₁|z₂) − KL(q(z₂|z₁) ‖ p(z₂))
    estimator="sampled":   log p(x|z₁) + log p(z₁|z₂) + log p(z₂) − log q(z₁|x) − log q(z₂|z₁)
                           (every term sampled, like the paper's estimator A)
    Both have the same expectation. ``kl_weight`` β multiplies every term but the reconstruction
    (β < 1 during a KL warm-up, Sønderby et al. 2016); the ELBO is β = 1.
    """
    mean_1, log_var_1, z1, mean_2, log_var_2, z2, prior_mean_1, prior_log_var_1 = _latents(
        params, x, eps1, eps2)
    reconstruction = log_bernoulli(x, bernoulli_mlp(params[3], z1))
    log_p_z1 = log_normal(z1, prior_mean_1, prior_log_var_1)
    if estimator == "analytic":
        latent = gaussian_entropy(log_var_1) + log_p_z1 - analytic_gaussian_kl(mean_2, log_var_2)
    elif estimator == "sampled":
        latent = (log_p_z1 + log_standard_normal(z2) - log_normal(z1, mean_1, log_var_1)
                  - log_normal(z2, mean_2, log_var_2))
    else:
        raise ValueError(f"estimator must be 'analytic' or 'sampled', got {estimator!r}")
    return anp.mean(reconstruction + kl_weight * latent, axis=0)


def rates(params, x, eps1, eps2):
    """The nats each level spends, per datapoint (batch,), averaged over the L samples.

    "top":    E_{q(z₁|x)}[KL(q(z₂|z₁) ‖ p(z₂))]          ≥ 0, a KL for each z₁
    "middle": E[log q(z₁|x) − log p(z₁|z₂)] = −H − E log p(z₁|z₂), not a KL (it can be < 0)
    Their sum is KL(q(z₁, z₂|x) ‖ p(z₁, z₂)) and the ELBO is E log p(x|z₁) − top − middle.
    """
    t = two_level_terms(params, x, eps1, eps2)
    return {"top": np.mean(t["kl_top"], axis=0),
            "middle": -t["entropy_z1"] - np.mean(t["log_p_z1"], axis=0),
            "reconstruction": np.mean(t["reconstruction"], axis=0)}


def kl_middle_given_z2(params, x, eps1, eps2):
    """KL(q(z₁|x) ‖ p(z₁|z₂)) for each sampled z₂ (drawn bottom-up from eps1, eps2), (L, batch).

    The Gaussian–Gaussian KL one is tempted to use for the middle level. With bottom-up inference
    its expectation is NOT the middle rate E[log q(z₁|x) − log p(z₁|z₂)]: it averages over a fresh
    z₁ ~ q(z₁|x), independent of the z₁ from which z₂ was computed. So
    E log p(x|z₁) − E[this] − E[KL_top] is not the ELBO (the chapter measures the difference).
    It is the right term under top-down inference q(z₂|x) q(z₁|z₂, x), as in ladder VAEs.
    """
    mean_1, log_var_1, _, _, _, _, prior_mean_1, prior_log_var_1 = _latents(params, x, eps1, eps2)
    return gaussian_kl(mean_1, log_var_1, prior_mean_1, prior_log_var_1)


def log_importance_weights(params, x, eps1, eps2):
    """log p(x, z₁, z₂) − log q(z₁, z₂|x) for each sample, (K, batch)."""
    t = two_level_terms(params, x, eps1, eps2)
    return (t["reconstruction"] + t["log_p_z1"] + t["log_p_z2"] - t["log_q_z1"] - t["log_q_z2"])


def log_likelihood(params, x, K=500, rng=0, batch_size=100):
    """Importance-sampled log p(x) = log (1/K) Σ_k p(x, z₁ᵏ, z₂ᵏ) / q(z₁ᵏ, z₂ᵏ|x), (N,) nats.

    A stochastic lower bound on log p(x) that tightens as K grows (Burda et al., 2016).
    """
    rng = np.random.default_rng(rng)
    values = []
    for start in range(0, len(x), batch_size):
        batch = x[start:start + batch_size]
        eps1, eps2 = sample_noise(rng, K, len(batch), params, batch.dtype)
        values.append(log_mean_exp(log_importance_weights(params, batch, eps1, eps2), axis=0))
    return np.concatenate(values)


def posterior_means(params, x, n_samples=50, rng=0):
    """``(E_q[z₁|x], E_q[z₂|x])``: (N, J₁) and (N, J₂).

    E_q[z₁|x] = μ_φ(x) exactly; E_q[z₂|x] = E_{q(z₁|x)}[μ_φ(z₁)], averaged over ``n_samples``
    draws of z₁ (the top encoder sees a sampled z₁, not the mean).
    """
    encoder_1, encoder_2, _, _ = params
    mean_1, log_var_1 = gaussian_mlp(encoder_1, x)
    eps1 = np.random.default_rng(rng).standard_normal((n_samples, *mean_1.shape)).astype(x.dtype)
    mean_2, _ = gaussian_mlp(encoder_2, reparameterize(mean_1, log_var_1, eps1))
    return mean_1, np.mean(mean_2, axis=0)


def active_units(means, threshold=ACTIVE_THRESHOLD):
    """Number of latent units whose posterior mean varies over the data: Var_x(E_q[z_j|x]) > threshold.

    ``means`` (N, J): the posterior means of N datapoints (Burda et al., 2016's statistic); the
    count is :func:`vae_from_scratch.diagnostics.active_units` of their variances.
    """
    return diagnostics.active_units(np.var(means, axis=0), threshold)


def decode_z1(params, z1):
    """Pixel probabilities sigmoid(f_θ(z₁)) for z₁ (N, J₁): (N, D)."""
    return sigmoid(bernoulli_mlp(params[3], z1))


def sample(params, n, rng, eps1=None):
    """n images from the generative model, as decoder means: z₂ ~ N(0, I), z₁ ~ p(z₁|z₂).

    Returns ``(images (n, D), z1 (n, J₁), z2 (n, J₂))``. ``eps1`` (n, J₁) fixes the noise of z₁,
    z₁ = μ_θ(z₂) + σ_θ(z₂) ⊙ ε₁, to vary z₂ alone.
    """
    rng = np.random.default_rng(rng)
    _, J1, J2 = dims(params)
    z2 = rng.standard_normal((n, J2))
    eps1 = rng.standard_normal((n, J1)) if eps1 is None else eps1
    mean, log_var = gaussian_mlp(params[2], z2)
    z1 = reparameterize(mean, log_var, eps1)
    return decode_z1(params, z1), z1, z2


@dataclass
class TwoLevelHistory(Records):
    """Per-epoch records of :func:`fit_two_level` on a fixed binarized copy of the training data.

    ``bound``: the ELBO (analytic estimator, fixed noise) in nats per datapoint; ``rate_top`` and
    ``rate_middle``: the nats spent by each level (:func:`rates`); ``kl_weight``: β that epoch.
    """

    epoch: list = field(default_factory=list)
    bound: list = field(default_factory=list)
    reconstruction: list = field(default_factory=list)
    rate_middle: list = field(default_factory=list)
    rate_top: list = field(default_factory=list)
    kl_weight: list = field(default_factory=list)


def _loss(params, x, eps1, eps2, estimator, kl_weight):
    return -anp.mean(two_level_elbo(params, x, eps1, eps2, estimator, kl_weight))


_loss_and_grad = autograd.value_and_grad(_loss)


def fit_two_level(params, x_train, *, epochs=30, batch_size=100, optimizer=None, warmup_epochs=0,
                  estimator="analytic", binarization="dynamic", seed=0, callbacks=()):
    """Train ``params`` in place by ascending an estimator of the two-level ELBO (L = 1).

    estimator: "analytic" or "sampled" (:func:`two_level_elbo`).
    warmup_epochs: the KL weight β rises linearly from 1/warmup_epochs to 1 over that many epochs
    (0: β = 1 throughout, the plain ELBO). binarization: "dynamic" (fresh binary pixels every
    minibatch) or None. Same seed and inputs → identical weights. Returns a TwoLevelHistory.
    """
    if binarization not in ("dynamic", None):
        raise ValueError(f"binarization must be 'dynamic' or None, got {binarization!r}")
    if estimator not in ("analytic", "sampled"):
        raise ValueError(f"estimator must be 'analytic' or 'sampled', got {estimator!r}")
    if isinstance(warmup_epochs, bool) or not isinstance(warmup_epochs, (int, np.integer)) or warmup_epochs < 0:
        raise ValueError(f"warmup_epochs must be an integer ≥ 0, got {warmup_epochs!r}")
    dtype = params[0][0][0].dtype
    x_train = np.asarray(x_train, dtype=dtype)
    D, _, _ = dims(params)
    if x_train.ndim != 2 or x_train.shape[1] != D:
        raise ValueError(f"x_train must have shape (N, {D}), got {x_train.shape}")
    optimizer = checked_optimizer(optimizer, 1e-3)
    rng = np.random.default_rng(seed)
    x_eval = binarize(x_train, np.random.default_rng([seed, 1])) if binarization else x_train
    eval_noise = sample_noise(np.random.default_rng([seed, 2]), 1, len(x_eval), params, dtype)
    n = len(x_train)
    history = TwoLevelHistory()
    for epoch in range(1, epochs + 1):
        kl_weight = min(1.0, epoch / warmup_epochs) if warmup_epochs else 1.0
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = x_train[order[start:start + batch_size]]
            if binarization:
                batch = binarize(batch, rng)
            eps1, eps2 = sample_noise(rng, 1, len(batch), params, dtype)
            value, grads = _loss_and_grad(params, batch, eps1, eps2, estimator, kl_weight)
            if not math.isfinite(value):
                raise FloatingPointError(f"the two-level loss became {value} in epoch {epoch}; "
                                         f"try a smaller learning rate")
            optimizer.step(params, grads)
        r = rates(params, x_eval, *eval_noise)
        history.epoch.append(epoch)
        history.reconstruction.append(float(np.mean(r["reconstruction"])))
        history.rate_middle.append(float(np.mean(r["middle"])))
        history.rate_top.append(float(np.mean(r["top"])))
        history.bound.append(history.reconstruction[-1] - history.rate_middle[-1] - history.rate_top[-1])
        history.kl_weight.append(kl_weight)
        if any([callback(epoch, params, history) for callback in callbacks]):
            break
    return history
