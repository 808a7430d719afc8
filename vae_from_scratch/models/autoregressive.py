"""A VAE whose decoder also sees the previous pixels: a MADE decoder conditioned on z.

An autoregressive decoder writes the likelihood as a product of conditionals in a fixed pixel
order (raster order here),

    p_θ(x|z) = Π_{d=1}^{D} Bern( x_d ; sigmoid(a_d) ),   a_d = a_d(z, x_1, …, x_{d−1}),

and a MADE (Germain et al., 2015) computes every a_d in one pass with masked weight matrices:

    h = tanh( z W_z + x (W_x ⊙ M_in) + b_h )              (B, H)
    a = h (W_o ⊙ M_out) + x (A ⊙ M_direct) + b_o          (B, D)

Hidden unit k has a degree m_k ∈ {1, …, D−1}; it may see pixels 1 … m_k (M_in) and may feed
pixels m_k + 1 … D (M_out); M_direct lets pixel d see pixels 1 … d−1 linearly. So a_d depends
on x only through x_1 … x_{d−1}: the product is a normalised distribution over binary images for
every z, however the weights are set. Such a decoder can model the data without z at all.

With ``autoregressive=False`` every mask that touches x is zero and the decoder is the Bernoulli
MLP of App. C, ``a = tanh(z W_z + b_h) W_o + b_o`` — the same network minus the connections from
previous pixels, which makes the comparison of the two a controlled experiment.

Parameters are ``(encoder_params, decoder_params)``: the Gaussian MLP encoder of
:mod:`vae_from_scratch.nn` (one hidden layer) and ``decoder_params = [W_z, W_x, b_h, W_o, A, b_o]``.
:func:`value_and_grad` is a hand-written backward pass of the free-bits objective of
:mod:`vae_from_scratch.schedules` (about five times faster than autograd on these small nets);
``tests/test_autoregressive.py`` checks it against autograd.
"""
import math
from dataclasses import dataclass

import autograd.numpy as anp
import numpy as np

from ..distributions import log_bernoulli
from ..nn import init_gaussian_mlp, sigmoid


@dataclass(frozen=True)
class Masks:
    """The 0/1 masks of a MADE decoder: ``inputs`` (D, H), ``outputs`` (H, D), ``direct`` (D, D)."""

    inputs: np.ndarray
    outputs: np.ndarray
    direct: np.ndarray

    @property
    def autoregressive(self):
        return bool(self.direct.any() or self.inputs.any())


def made_masks(x_dim, hidden, autoregressive=True):
    """Masks for pixels in raster order and ``hidden`` units of degrees m_k = 1 + (k mod (D − 1)).

    inputs[d, k] = 1 if pixel d + 1 ≤ m_k;  outputs[k, d] = 1 if pixel d + 1 > m_k;
    direct[d′, d] = 1 if d′ < d. All zero where they touch x if ``autoregressive`` is False.
    """
    D, H = int(x_dim), int(hidden)
    if D < 2 or H < 1:
        raise ValueError(f"need x_dim ≥ 2 and hidden ≥ 1, got {x_dim!r} and {hidden!r}")
    degrees = 1 + np.arange(H) % (D - 1)  # (H,)
    pixel = np.arange(1, D + 1)  # pixel numbers 1 … D
    inputs = (pixel[:, None] <= degrees[None, :]).astype(np.float64)
    outputs = (pixel[None, :] > degrees[:, None]).astype(np.float64)
    direct = np.triu(np.ones((D, D)), 1)
    if not autoregressive:
        inputs, outputs, direct = np.zeros_like(inputs), np.ones_like(outputs), np.zeros_like(direct)
    return Masks(inputs, outputs, direct)


def init_params(x_dim, latent_dim, hidden, rng, autoregressive=True):
    """``((encoder_params, decoder_params), masks)`` with Glorot-initialised weights, zero biases.

    The weights that masks remove start at zero, and so do A and (without autoregression) W_x.
    The random numbers are drawn in the order of
    :func:`vae_from_scratch.models.vae.init_vae_params` (encoder, W_z, W_o), W_x last: with
    ``autoregressive=False`` and the same ``rng`` the network starts exactly as the book's VAE.
    """
    D, J, H = int(x_dim), int(latent_dim), int(hidden)
    masks = made_masks(D, H, autoregressive)
    encoder = init_gaussian_mlp(D, (H,), J, rng, "glorot")

    def glorot(n_in, n_out):
        return math.sqrt(2.0 / (n_in + n_out)) * rng.standard_normal((n_in, n_out))

    W_z, W_o = glorot(J, H), glorot(H, D) * masks.outputs
    W_x = glorot(D, H) * masks.inputs if autoregressive else np.zeros((D, H))
    decoder = [W_z, W_x, np.zeros(H), W_o, np.zeros((D, D)), np.zeros(D)]
    return (encoder, decoder), masks


def decoder_logits(decoder_params, x, z, masks):
    """Logits a (…, B, D) of every pixel, from z (…, B, J) and x (B, D).

    The masks make a_d depend on x only through the pixels before d.
    """
    W_z, W_x, b_h, W_o, A, b_o = decoder_params
    pre = anp.dot(z, W_z) + anp.dot(x, W_x * masks.inputs) + b_h
    h = anp.tanh(pre)  # (…, B, H)
    return (anp.dot(h, W_o * masks.outputs)
            + anp.dot(x, A * masks.direct) + b_o)


def log_likelihood(decoder_params, x, z, masks):
    """log p_θ(x|z) = Σ_d log Bern(x_d; sigmoid(a_d)) for x (B, D), z (…, B, J); returns (…, B)."""
    return log_bernoulli(x, decoder_logits(decoder_params, x, z, masks))


def log_likelihood_function(masks):
    """``log p_θ(x|z)`` as a function ``(decoder_params, x, z)``, for the generic code of
    :mod:`vae_from_scratch.schedules` and :mod:`vae_from_scratch.diagnostics`."""

    def f(decoder_params, x, z):
        return log_likelihood(decoder_params, x, z, masks)

    return f


def sample(decoder_params, z, masks, rng):
    """Binary images x ~ p_θ(x|z), one per row of z (n, J), drawn pixel by pixel in raster order.

    ``rng`` is a seed or a Generator; the uniform numbers compared with each pixel's probability
    are drawn up front, so two calls with the same seed share them: with the same noise, a change
    of z is the only reason two samples differ.
    """
    z = np.asarray(z, dtype=np.float64)
    D = decoder_params[5].shape[0]
    u = np.random.default_rng(rng).random((len(z), D))
    x = np.zeros((len(z), D))
    for d in range(D):  # a_d ignores pixels d, d+1, …: the zeros there do not matter
        p = sigmoid(decoder_logits(decoder_params, x, z, masks)[:, d])
        x[:, d] = (u[:, d] < p).astype(np.float64)
    return x


def value_and_grad(params, x, eps, masks, beta=1.0, free_bits=0.0):
    """The free-bits objective of :func:`vae_from_scratch.schedules.objective` and its gradient.

        F = (1/(L·B)) Σ_{l,i} log p_θ(x_i|z_il) − β Σ_j max(λ, (1/B) Σ_i KL_ij),  z = μ + σ ⊙ ε

    with this module's decoder; ``eps`` (L, B, J) or (B, J); λ = ``free_bits``. Returns ``(F,
    grads)``, ``grads`` the ASCENT direction with the structure of ``params``. Written out by the
    chain rule, layer by layer, like :mod:`vae_from_scratch.backprop`.
    """
    (W1, b1), (W_mu, b_mu), (W_lv, b_lv) = params[0]
    W_z, W_x, b_h, W_o, A, b_o = params[1]
    eps = eps[None] if eps.ndim == 2 else eps
    L, B, J = eps.shape
    D = x.shape[1]

    # forward: the encoder and z = μ + σ ⊙ ε
    h1 = np.tanh(x @ W1 + b1)  # (B, H₁)
    mu = h1 @ W_mu + b_mu
    log_var = h1 @ W_lv + b_lv  # (B, J)
    std = np.exp(0.5 * log_var)
    z = (mu + std * eps).reshape(L * B, J)  # the L samples stacked on the batch

    # forward: the decoder
    W_x_m, W_o_m, A_m = W_x * masks.inputs, W_o * masks.outputs, A * masks.direct
    x_part = x @ W_x_m  # (B, H), shared by the L samples
    h = np.tanh((z @ W_z).reshape(L, B, -1) + x_part + b_h).reshape(L * B, -1)  # (L·B, H)
    logits = (h @ W_o_m).reshape(L, B, D) + (x @ A_m + b_o)  # (L, B, D)
    softplus = np.maximum(logits, 0.0) + np.log1p(np.exp(-np.abs(logits)))
    scale = 1.0 / (L * B)
    reconstruction = scale * np.sum(x * logits - softplus)

    # the KL term with free bits: a dimension below λ is charged the constant λ
    kl = 0.5 * (mu * mu + std * std - 1.0 - log_var)  # (B, J)
    kl_mean = kl.mean(axis=0)  # (J,)
    charged = kl_mean > free_bits if free_bits > 0 else np.ones(J, dtype=bool)
    kl_term = float(np.sum(np.where(charged, kl_mean, free_bits)))
    value = reconstruction - beta * kl_term

    # backward: the decoder. ∂ log Bern / ∂a = x − sigmoid(a).
    delta_logits = scale * (x - sigmoid(logits))  # (L, B, D)
    delta_over_samples = delta_logits.sum(axis=0)  # (B, D): what the x-paths see
    delta_flat = delta_logits.reshape(L * B, D)
    g_b_o = delta_over_samples.sum(axis=0)
    g_A = (x.T @ delta_over_samples) * masks.direct
    g_W_o = (h.T @ delta_flat) * masks.outputs
    delta_pre = (delta_flat @ W_o_m.T) * (1.0 - h * h)  # (L·B, H), through tanh
    g_b_h = delta_pre.sum(axis=0)
    g_W_z = z.T @ delta_pre
    g_W_x = (x.T @ delta_pre.reshape(L, B, -1).sum(axis=0)) * masks.inputs
    delta_z = (delta_pre @ W_z.T).reshape(L, B, J)

    # backward: through z = μ + σ ⊙ ε (∂z/∂log σ² = ½ σ ε) and the KL (∂KL/∂μ = μ, ∂KL/∂log σ² = ½(σ² − 1))
    kl_weight = (beta / B) * charged  # (J,): zero where free bits hold the dimension
    delta_mu = delta_z.sum(axis=0) - kl_weight * mu
    delta_log_var = 0.5 * std * (delta_z * eps).sum(axis=0) - kl_weight * 0.5 * (std * std - 1.0)

    # backward: the encoder
    delta_h1 = (delta_mu @ W_mu.T + delta_log_var @ W_lv.T) * (1.0 - h1 * h1)
    encoder_grads = [(x.T @ delta_h1, delta_h1.sum(axis=0)),
                     (h1.T @ delta_mu, delta_mu.sum(axis=0)),
                     (h1.T @ delta_log_var, delta_log_var.sum(axis=0))]
    decoder_grads = [g_W_z, g_W_x, g_b_h, g_W_o, g_A, g_b_o]
    return float(value), (encoder_grads, decoder_grads)


def make_value_and_grad(masks, beta=1.0, free_bits=0.0):
    """``f(params, x, eps, step)`` for :func:`vae_from_scratch.schedules.train_loop`.

    ``beta`` is a number or a schedule (a function of the step number); λ = ``free_bits``.
    """
    from ..schedules import as_schedule  # schedules imports nothing from here: no cycle

    schedule = as_schedule(beta)
    if free_bits < 0:
        raise ValueError(f"free_bits must be ≥ 0, got {free_bits!r}")

    def f(params, x, eps, step):
        return value_and_grad(params, x, eps, masks, schedule(step), free_bits)

    return f
