"""Measuring how noisy an ELBO estimator is: the spread of its values and of its gradients.

Chapter 6 compares SGVB estimators A (eq. 6) and B (eq. 7) of Kingma & Welling. Both are
unbiased estimates of the same bound; what separates them is their variance, and what matters
for stochastic gradient ascent is the variance of the GRADIENT they produce. These helpers draw
many independent noise samples ε for a fixed model and fixed data and return every resulting
value or gradient, so that means, variances and standard errors are computed from the draws.

An estimator here is any function ``estimator(params, x, eps, likelihood)`` returning one value
per datapoint, shape ``(batch,)``, with ``eps`` of shape ``(L, batch, J)`` — the signature of
:func:`vae_from_scratch.objectives.elbo_estimator_a` and
:func:`vae_from_scratch.objectives.elbo_estimator_b`. Each draw uses ``n_samples`` = L samples
of ε per datapoint; the default L = 1 is what Algorithm 1 uses.
"""
import autograd
import autograd.numpy as anp
import numpy as np

from .objectives import sample_eps


def latent_dim(params):
    """J, the latent dimension of VAE parameters ``(encoder_params, decoder_params)``."""
    encoder_params, _ = params
    return encoder_params[-1][0].shape[1]


def flatten_params(net):
    """One flat vector of every array in a list of ``(W, b)`` pairs, in order."""
    return np.concatenate([np.ravel(a) for layer in net for a in layer])


def estimator_draws(estimator, params, x, n_draws, rng, likelihood="bernoulli", n_samples=1,
                    max_rows=50_000):
    """Values of ``estimator`` for ``n_draws`` independent draws of ε: shape ``(n_draws, batch)``.

    Row ``s`` holds the estimate for every datapoint of ``x`` under the s-th draw of ε; the
    draws are independent across rows and across datapoints. Computed by stacking ``x`` many
    times into one large batch (at most ``max_rows`` rows at a time), which is much faster than
    calling the estimator once per draw.
    """
    x = np.asarray(x)
    n_draws = int(n_draws)
    if n_draws < 1:
        raise ValueError(f"n_draws must be at least 1, got {n_draws}")
    batch, J = len(x), latent_dim(params)
    per_call = max(1, max_rows // (batch * n_samples))
    out = np.empty((n_draws, batch))
    for start in range(0, n_draws, per_call):
        k = min(per_call, n_draws - start)
        eps = sample_eps(rng, n_samples, k * batch, J, x.dtype)  # (L, k·batch, J)
        values = estimator(params, np.tile(x, (k, 1)), eps, likelihood)  # (k·batch,)
        out[start:start + k] = np.reshape(values, (k, batch))
    return out


def gradient_draws(estimator, params, x, n_draws, rng, likelihood="bernoulli", n_samples=1):
    """Gradients of the batch MEAN of ``estimator`` for ``n_draws`` independent draws of ε.

    Returns ``(encoder, decoder)``: arrays of shape ``(n_draws, P_φ)`` and ``(n_draws, P_θ)``,
    row s the flattened gradient (ascent direction) with respect to the encoder parameters φ and
    the decoder parameters θ under the s-th draw of ε (``n_samples`` = L fresh samples for every
    datapoint).
    Because the datapoints' noises are independent, the variance of this batch-mean gradient is
    (1/M²) times the sum of the per-datapoint gradient variances.
    """
    x = np.asarray(x)
    J = latent_dim(params)

    def batch_mean(params, eps):
        return anp.mean(estimator(params, x, eps, likelihood))

    grad = autograd.grad(batch_mean)
    encoder, decoder = [], []
    for _ in range(int(n_draws)):
        g_encoder, g_decoder = grad(params, sample_eps(rng, n_samples, len(x), J, x.dtype))
        encoder.append(flatten_params(g_encoder))
        decoder.append(flatten_params(g_decoder))
    return np.array(encoder), np.array(decoder)


def mean_and_standard_error(draws, axis=0):
    """The sample mean of ``draws`` along ``axis`` and its standard error, std / √n."""
    draws = np.asarray(draws)
    n = draws.shape[axis]
    if n < 2:
        raise ValueError("a standard error needs at least two draws")
    return np.mean(draws, axis=axis), np.std(draws, axis=axis, ddof=1) / np.sqrt(n)


def total_variance(draws):
    """Σ_k Var[draws[:, k]]: the trace of the covariance of a vector-valued estimator.

    ``draws`` is ``(n_draws, P)`` (one row per draw); the variances are unbiased (ddof = 1).
    For a gradient this is E‖g − E g‖², the expected squared distance of one stochastic
    gradient from the true one.
    """
    draws = np.asarray(draws)
    if draws.ndim != 2 or draws.shape[0] < 2:
        raise ValueError(f"draws must be (n_draws ≥ 2, P), got shape {draws.shape}")
    return float(np.sum(np.var(draws, axis=0, ddof=1)))
