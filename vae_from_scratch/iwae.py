"""Importance-weighted autoencoders (Burda et al., 2016): training on L_K, and the SNR of its gradients.

The bound itself is :func:`vae_from_scratch.objectives.iwae_bound`,

    L_K(x) = E[ log (1/K) Σ_k w_k ],   w_k = p_θ(x, z_k) / q_φ(z_k|x),   z_k ~ q_φ(z|x) independently,

with L_1 the ELBO and L_K ↑ log p_θ(x) as K grows. This module trains on it (its gradient by
autograd, through the reparameterized z_k = μ + σ ⊙ ε_k) and measures what Rainforth et al. (2018)
showed about that gradient: as K grows, the signal-to-noise ratio of the gradient with respect to
the decoder's θ grows like √K, and with respect to the encoder's φ it *falls* like 1/√K.

Functions that train return or take the ``f(params, x, eps, step)`` of
:func:`vae_from_scratch.schedules.train_loop`; ``eps`` is (K, M, J).
"""
import math
from dataclasses import dataclass

import autograd
import autograd.numpy as anp
import numpy as np

from .distributions import log_normal, log_standard_normal
from .objectives import (
    decoder_log_likelihood,
    encode,
    iwae_bound,
    log_importance_weights,
    log_mean_exp,
)

OBJECTIVES = ("iwae", "vae")


def mean_iwae_bound(params, x, eps, likelihood="bernoulli"):
    """The minibatch mean of L_K (:func:`~vae_from_scratch.objectives.iwae_bound`), K = eps.shape[0]."""
    return anp.mean(iwae_bound(params, x, eps, likelihood))


def mean_vae_bound(params, x, eps, likelihood="bernoulli"):
    """The minibatch mean of (1/K) Σ_k log w_k: the ELBO estimated with K samples (estimator A).

    The same K samples and the same weights as :func:`mean_iwae_bound`; only the order of the
    average and the log differs (Jensen: this one is never larger).
    """
    return anp.mean(log_importance_weights(params, x, eps, likelihood))


def make_value_and_grad(objective="iwae", likelihood="bernoulli"):
    """``f(params, x, eps, step) -> (value, ascent gradient)`` of the IWAE or K-sample VAE bound.

    The gradient is autograd's; ``objective`` is "iwae" (L_K) or "vae" (the mean of the K log
    weights). ``step`` is ignored (no schedule).
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    bound = mean_iwae_bound if objective == "iwae" else mean_vae_bound
    value_and_grad = autograd.value_and_grad(bound)

    def f(params, x, eps, step):
        value, grads = value_and_grad(params, x, eps, likelihood)
        return float(value), grads

    return f


def normalized_weights(params, x, eps, likelihood="bernoulli"):
    """w̃_k = w_k / Σ_j w_j for every datapoint: (K, batch), each column sums to 1.

    The gradient of L_K is Σ_k w̃_k ∇ log w_k: the K-sample VAE's gradient with the uniform
    weights 1/K replaced by these.
    """
    log_w = log_importance_weights(params, x, eps, likelihood)
    log_w = log_w - np.max(log_w, axis=0, keepdims=True)
    w = np.exp(log_w)
    return w / np.sum(w, axis=0, keepdims=True)


# ----------------------------------------------------------------------------- L_K for many K


def log_weights(params, x, K, rng=0, likelihood="bernoulli", max_chunk=2_000_000):
    """K log importance weights log w_k = log p_θ(x, z_k) − log q_φ(z_k|x) per datapoint: (K, N).

    The z_k ~ q_φ(z|x) are independent; ``rng`` is a seed or a Generator. Computed in chunks of
    datapoints so that no array holds more than ``max_chunk`` numbers.
    """
    rng = np.random.default_rng(rng)
    J = params[0][-1][0].shape[1]
    rows = max(1, max_chunk // (K * x.shape[1]))
    chunks = []
    for start in range(0, len(x), rows):
        batch = x[start:start + rows]
        eps = rng.standard_normal((K, len(batch), J)).astype(x.dtype, copy=False)
        chunks.append(log_importance_weights(params, batch, eps, likelihood))
    return np.concatenate(chunks, axis=1)


def bounds_by_k(log_w, Ks):
    """Estimates of L_K for every K in ``Ks`` from one set of log weights (K_max, N).

    The K_max weights of each datapoint are split into ⌊K_max / K⌋ disjoint groups of K; each
    group's log (1/K) Σ w is one unbiased draw of that datapoint's L_K. Returns ``(means, stderrs)``,
    each (len(Ks),): the average over datapoints and groups, and its standard error over datapoints
    (the groups of one datapoint are averaged first).
    """
    log_w = np.asarray(log_w)
    K_max, N = log_w.shape
    means, stderrs = [], []
    for K in Ks:
        K = int(K)
        if not 1 <= K <= K_max:
            raise ValueError(f"every K must be between 1 and {K_max}, got {K}")
        groups = K_max // K
        grouped = log_w[:groups * K].reshape(groups, K, N)
        per_datapoint = np.mean(log_mean_exp(grouped, axis=1), axis=0)  # (N,)
        means.append(float(np.mean(per_datapoint)))
        stderrs.append(float(np.std(per_datapoint, ddof=1) / math.sqrt(N)) if N > 1 else math.nan)
    return np.array(means), np.array(stderrs)


# ----------------------------------------------------------------------------- gradient SNR

NETWORKS = ("encoder", "decoder")


def tile_params(params, copies):
    """``copies`` stacked copies of every array: W (n_in, n_out) → (C, n_in, n_out), b (n,) → (C, 1, n).

    With these, ``h @ W + b`` on h of shape (C, K, n_in) runs C independent copies of a network at
    once, so one call of autograd gives C independent gradient estimates, one per copy.
    """
    if isinstance(params, (list, tuple)):
        return type(params)(tile_params(p, copies) for p in params)
    p = np.asarray(params)
    if p.ndim == 1:
        return np.broadcast_to(p, (copies, 1, p.shape[0])).copy()
    return np.broadcast_to(p, (copies,) + p.shape).copy()


def iwae_bound_copies(encoder_params, decoder_params, x, eps, likelihood="bernoulli"):
    """L_K of one datapoint ``x`` (D,) for C sets of K samples, ``eps`` (C, K, J): returns (C,).

    Either network may be tiled (:func:`tile_params`, C copies) or shared. The computation is
    :func:`~vae_from_scratch.objectives.iwae_bound`'s with the K samples on the second axis.
    """
    C, K, J = eps.shape
    x = x[None, None, :]  # (1, 1, D)
    mean, log_var = encode(encoder_params, x)  # (C, 1, J), or (1, 1, J) if shared
    z = mean + anp.exp(0.5 * log_var) * eps  # (C, K, J)
    if anp.ndim(decoder_params[0][0]) == 2:  # a shared decoder: one matrix product for all C·K rows
        log_lik = anp.reshape(decoder_log_likelihood(decoder_params, x[0], anp.reshape(z, (C * K, J)),
                                                     likelihood), (C, K))
    else:
        log_lik = decoder_log_likelihood(decoder_params, x, z, likelihood)
    log_w = log_lik + log_standard_normal(z) - log_normal(z, mean, log_var)  # (C, K)
    return log_mean_exp(log_w, axis=1)


def _flatten(grads, copies):
    if isinstance(grads, (list, tuple)):
        return np.concatenate([_flatten(g, copies) for g in grads], axis=1)
    return np.reshape(grads, (copies, -1))


def gradient_draws(params, x, K, n_draws, network, rng=0, likelihood="bernoulli", chunk=500):
    """``n_draws`` independent estimates of ∇ L_K(x) with respect to one network's parameters.

    ``network`` is "encoder" (φ) or "decoder" (θ); ``x`` one datapoint (D,). Each estimate uses
    its own K samples z_k = μ + σ ⊙ ε_k (the reparameterization trick, as in training). Returns
    (n_draws, P), P the number of that network's parameters (weights and biases, flattened).
    The draws are computed ``chunk`` at a time as copies of that network (:func:`tile_params`)
    while the other network is shared, so memory stays about chunk · K · H numbers.
    """
    if network not in NETWORKS:
        raise ValueError(f"network must be one of {NETWORKS}, got {network!r}")
    rng = np.random.default_rng(rng)
    encoder_params, decoder_params = params
    J = encoder_params[-1][0].shape[1]
    if network == "encoder":
        def total(tiled, eps):
            return anp.sum(iwae_bound_copies(tiled, decoder_params, x, eps, likelihood))
        own = encoder_params
    else:
        def total(tiled, eps):
            return anp.sum(iwae_bound_copies(encoder_params, tiled, x, eps, likelihood))
        own = decoder_params
    grad = autograd.grad(total)
    draws = []
    for start in range(0, n_draws, chunk):
        copies = min(chunk, n_draws - start)
        eps = rng.standard_normal((copies, K, J))
        draws.append(_flatten(grad(tile_params(own, copies), eps), copies))
    return np.concatenate(draws)


def signal_to_noise(draws):
    """‖E g‖ / √(E‖g − E g‖²) of a gradient g from its draws (n, P), ‖E g‖² estimated without bias.

    Per parameter, Rainforth et al.'s SNR is |E g_i| / σ(g_i). Pooled over the P parameters of a
    network, the signal is ‖E g‖² = Σ_i (E g_i)² and the noise E‖g − E g‖² = Σ_i σ²(g_i). The mean
    ḡ of n draws has E‖ḡ‖² = ‖E g‖² + Σ_i σ²(g_i)/n, so ‖ḡ‖² − Σ_i s_i²/n (s_i² the sample
    variances) is an unbiased estimate of ‖E g‖²; without the correction the ratio could never
    fall below about 1/√n, however weak the signal. Returns 0 if the corrected signal is negative.
    """
    draws = np.asarray(draws, dtype=np.float64)
    n = draws.shape[0]
    if draws.ndim != 2 or n < 2:
        raise ValueError(f"draws must be (n, P) with n ≥ 2, got shape {draws.shape}")
    noise = np.sum(np.var(draws, axis=0, ddof=1))
    signal = np.sum(np.mean(draws, axis=0) ** 2) - noise / n
    return math.sqrt(max(signal, 0.0) / noise)


@dataclass(frozen=True)
class SNRCurve:
    """SNR of the gradient of L_K with respect to the encoder (φ) and decoder (θ), for each K.

    ``slopes``: least-squares slopes of log SNR against log K, (encoder, decoder), over the K whose
    SNR estimate is positive (NaN if fewer than two are: a signal too weak for the draws to resolve
    is estimated as 0). Rainforth et al. (2018) prove SNR = O(1/√K) for φ and O(√K) for θ: slopes
    → −½ and +½ as K grows.
    """

    K: np.ndarray
    encoder: np.ndarray
    decoder: np.ndarray

    @property
    def slopes(self):
        return (_log_log_slope(self.K, self.encoder), _log_log_slope(self.K, self.decoder))


def _log_log_slope(K, snr):
    positive = np.asarray(snr) > 0
    if np.sum(positive) < 2:
        return math.nan
    return float(np.polyfit(np.log(np.asarray(K)[positive]), np.log(np.asarray(snr)[positive]), 1)[0])


def snr_curve(params, x, Ks, n_encoder=2000, n_decoder=200, rng=0, likelihood="bernoulli", chunk=500):
    """:class:`SNRCurve` of ∇ L_K(x) for one datapoint x and every K in ``Ks``.

    The encoder's SNR is small (its signal vanishes like 1/K), so it gets ``n_encoder`` draws per
    K; the decoder's is large and ``n_decoder`` draws measure it well.
    """
    rng = np.random.default_rng(rng)
    encoder, decoder = [], []
    for K in Ks:
        encoder.append(signal_to_noise(gradient_draws(params, x, int(K), n_encoder, "encoder", rng,
                                                      likelihood, chunk)))
        decoder.append(signal_to_noise(gradient_draws(params, x, int(K), n_decoder, "decoder", rng,
                                                      likelihood, chunk)))
    return SNRCurve(np.asarray(Ks, dtype=np.float64), np.array(encoder), np.array(decoder))
