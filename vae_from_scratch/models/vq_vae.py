"""VQ-VAE: discrete latent codes by nearest-neighbour quantization (van den Oord et al., 2017).

The image is cut into T non-overlapping patches ("positions", in raster order). A small encoder
MLP, shared by all patches, maps each patch to a continuous vector z_e of dimension d — the
fully-connected version of the paper's convolutional encoder, whose kernel equals its stride.
Each z_e is replaced by its nearest entry of a learned codebook e_1, …, e_K, and a decoder MLP
reconstructs the whole image from the T quantized vectors z_q. The latent code of an image is
the tuple of T integers k = (k_1, …, k_T), one per patch.

Shapes: x (batch, D); ``patches`` (T, P) integer pixel indices (:func:`patch_indices`);
z_e and z_q (batch, T, d); codes (batch, T) integers in [0, K); the codebook (K, d) is shared by
all positions; the decoder reads z_q flattened to (batch, T·d) and returns Bernoulli logits.

``params = (encoder_params, decoder_params, codebook)``: two MLPs as lists of ``(W, b)`` with tanh
hidden layers (:mod:`vae_from_scratch.nn`) and the (K, d) codebook array.

The loss per datapoint (to minimise; the paper's eq. 3 with sg = stop-gradient):

    −log p_θ(x | z_q)  +  ‖sg[z_e] − e_k‖²  +  β ‖z_e − sg[e_k]‖²,       summed over the T positions,

and the decoder's gradient at z_q is copied unchanged to z_e (the straight-through estimator,
Bengio et al., 2013), written ``z_e + sg[z_q − z_e]``. Stop-gradient in autograd is
``autograd.tracer.getval``: it returns the value without the trace, so no gradient flows through it.
"""
import math
from dataclasses import dataclass, field

import autograd
import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from ..data import binarize
from ..distributions import log_bernoulli
from ..nn import init_mlp, mlp, sigmoid
from ..train import Records, checked_optimizer


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def patch_indices(image_shape, patch_shape):
    """Pixel indices of the non-overlapping patches of a row-major image, (T, P), raster order.

    ``patch_indices((8, 8), (2, 2))`` cuts an 8×8 image into a 4×4 grid of T = 16 patches of
    P = 4 pixels; row t lists the flat indices of patch t, so ``x[:, patches]`` is (batch, T, P).
    """
    (height, width), (ph, pw) = image_shape, patch_shape
    for name, value in (("image height", height), ("image width", width), ("patch height", ph),
                        ("patch width", pw)):
        _positive_int(name, value)
    if height % ph or width % pw:
        raise ValueError(f"patches of {ph}×{pw} do not tile an image of {height}×{width}")
    pixels = np.arange(height * width).reshape(height, width)
    return np.stack([pixels[r:r + ph, c:c + pw].ravel()
                     for r in range(0, height, ph) for c in range(0, width, pw)])


def init_vq_vae(patches, x_dim, code_dim, n_codes, encoder_hidden, decoder_hidden, rng,
                dtype=np.float64):
    """``(encoder_params, decoder_params, codebook)`` with Glorot weights.

    Encoder P → encoder_hidden → d (applied to every patch), decoder T·d → decoder_hidden → D.
    The codebook starts as K draws of N(0, I) scaled by 1/√d (vectors of length about 1), near
    the encoder's first outputs; a codebook far from them leaves codes unused (see the chapter).
    """
    patches = np.asarray(patches)
    if patches.ndim != 2 or not np.issubdtype(patches.dtype, np.integer):
        raise ValueError(f"patches must be an integer array (T, P), e.g. from patch_indices; got "
                         f"{patches.dtype} {patches.shape}")
    x_dim, code_dim, n_codes = (_positive_int(n, v) for n, v in
                                (("x_dim", x_dim), ("code_dim", code_dim), ("n_codes", n_codes)))
    T, P = patches.shape
    encoder = init_mlp([P, *encoder_hidden, code_dim], rng, "glorot", dtype)
    decoder = init_mlp([T * code_dim, *decoder_hidden, x_dim], rng, "glorot", dtype)
    codebook = (rng.standard_normal((n_codes, code_dim)) / math.sqrt(code_dim)).astype(dtype)
    return (encoder, decoder, codebook)


def sizes(params, patches):
    """(D, T, d, K): data dimension, positions, code dimension, codebook size."""
    _, decoder_params, codebook = params
    return decoder_params[-1][0].shape[1], len(patches), codebook.shape[1], codebook.shape[0]


def encode(params, x, patches):
    """z_e: the encoder applied to each of the T patches of each image, shape (batch, T, d)."""
    return mlp(params[0], x[:, patches])  # (batch, T, P) → (batch, T, d)


def squared_distances(z_e, codebook):
    """‖z_e − e_j‖² for every position and code: (batch, T, K), via ‖z‖² − 2 z·e + ‖e‖²."""
    return (anp.sum(z_e ** 2, axis=-1, keepdims=True) - 2.0 * anp.dot(z_e, codebook.T)
            + anp.sum(codebook ** 2, axis=-1))


def nearest_codes(z_e, codebook):
    """k = argmin_j ‖z_e − e_j‖² at every position: integer codes, shape (batch, T).

    An argmin has no useful derivative (it is piecewise constant), so it is computed on values.
    """
    return np.argmin(squared_distances(getval(z_e), getval(codebook)), axis=-1)


def quantize(z_e, codebook):
    """``(z_q, codes)``: z_q = e_k with k the nearest code, (batch, T, d); codes (batch, T)."""
    codes = nearest_codes(z_e, codebook)
    return codebook[codes], codes


def straight_through(z_e, z_q):
    """z_e + sg[z_q − z_e]: equals z_q in the forward pass; its gradient flows to z_e unchanged."""
    return z_e + getval(z_q - z_e)


def decode_logits(decoder_params, z_q):
    """Bernoulli logits of p_θ(x | z_q) from the T quantized vectors, (batch, D)."""
    return mlp(decoder_params, anp.reshape(z_q, (z_q.shape[0], -1)))


def decode_codes(params, codes):
    """Decoder means (pixel probabilities) for integer codes of shape (batch, T): (batch, D)."""
    _, decoder_params, codebook = params
    codes = np.asarray(codes)
    return sigmoid(decode_logits(decoder_params, codebook[codes]))


def loss_terms(params, x, patches):
    """The three terms of the VQ-VAE loss per datapoint, and the codes.

    Returns ``(reconstruction, codebook_loss, commitment, codes)``:
      reconstruction  log p_θ(x | z_q)            (batch,)  gradient to decoder, and to the
                                                            encoder straight through z_q → z_e
      codebook_loss   Σ_t ‖sg[z_e] − e_k‖²        (batch,)  gradient to the codebook only
      commitment      Σ_t ‖z_e − sg[e_k]‖²        (batch,)  gradient to the encoder only
    """
    _, decoder_params, codebook = params
    z_e = encode(params, x, patches)
    z_q, codes = quantize(z_e, codebook)
    logits = decode_logits(decoder_params, straight_through(z_e, z_q))
    reconstruction = log_bernoulli(x, logits)
    codebook_loss = anp.sum((getval(z_e) - z_q) ** 2, axis=(1, 2))
    commitment = anp.sum((z_e - getval(z_q)) ** 2, axis=(1, 2))
    return reconstruction, codebook_loss, commitment, codes


def vq_vae_loss(params, x, patches, beta=0.25):
    """The minibatch mean of −log p(x|z_q) + ‖sg[z_e] − e‖² + β ‖z_e − sg[e]‖² (to minimise)."""
    reconstruction, codebook_loss, commitment, _ = loss_terms(params, x, patches)
    return anp.mean(-reconstruction + codebook_loss + beta * commitment)


vq_vae_loss_and_grad = autograd.value_and_grad(vq_vae_loss)


def reconstruction_log_likelihood(params, x, patches):
    """log p_θ(x | z_q(x)) for each image, (batch,): the deterministic reconstruction term."""
    _, decoder_params, codebook = params
    z_q, _ = quantize(encode(params, x, patches), codebook)
    return log_bernoulli(x, decode_logits(decoder_params, z_q))


def encode_codes(params, x, patches):
    """The integer code tuple k(x) of each image, (batch, T)."""
    return nearest_codes(encode(params, x, patches), params[2])


def elbo(params, x, patches, log_prior=None):
    """The ELBO of each image, (batch,): log p_θ(x | z_q) + log p(k(x)).

    q(k|x) puts all its mass on the nearest codes k(x), so its entropy is 0 and
    −KL(q ‖ p) = log p(k(x)). ``log_prior(codes) -> (batch,)`` is the prior over code tuples;
    None means the uniform prior of the paper's training, log p(k) = −T log K for every k.
    """
    T, K = len(patches), params[2].shape[0]
    codes = encode_codes(params, x, patches)
    prior = np.full(len(x), -T * math.log(K)) if log_prior is None else np.asarray(log_prior(codes))
    return reconstruction_log_likelihood(params, x, patches) + prior


def code_usage(codes, n_codes):
    """The fraction of all code slots (images × positions) that use each code, shape (K,)."""
    codes = np.asarray(codes)
    return np.bincount(codes.ravel(), minlength=n_codes) / codes.size


def perplexity(codes, n_codes):
    """exp(H) of the code usage, H = −Σ_k p_k log p_k: the "effective number" of codes used.

    Between 1 (one code does everything) and K (every code used equally often).
    """
    p = code_usage(codes, n_codes)
    p = p[p > 0]
    return float(math.exp(-np.sum(p * np.log(p))))


@dataclass
class VQHistory(Records):
    """Per-epoch records of :func:`fit_vq_vae`, on the fixed evaluation copy of the training data.

    ``loss``: the mean training loss; ``reconstruction``: mean log p(x|z_q) in nats;
    ``commitment``: mean Σ_t ‖z_e − e_k‖²; ``codes_used``: how many of the K codes some image
    uses; ``perplexity``: exp of the entropy of the code usage.
    """

    epoch: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    reconstruction: list = field(default_factory=list)
    commitment: list = field(default_factory=list)
    codes_used: list = field(default_factory=list)
    perplexity: list = field(default_factory=list)


def evaluate(params, x, patches, beta=0.25):
    """Dataset averages: ``{"loss", "reconstruction", "commitment", "codes_used", "perplexity"}``."""
    reconstruction, codebook_loss, commitment, codes = loss_terms(params, x, patches)
    K = params[2].shape[0]
    return {
        "loss": float(np.mean(-reconstruction + codebook_loss + beta * commitment)),
        "reconstruction": float(np.mean(reconstruction)),
        "commitment": float(np.mean(commitment)),
        "codes_used": int(np.count_nonzero(code_usage(codes, K))),
        "perplexity": perplexity(codes, K),
    }


def fit_vq_vae(params, x_train, patches, *, epochs=30, batch_size=100, optimizer=None, beta=0.25,
               binarization="dynamic", seed=0, callbacks=()):
    """Train ``params`` in place on images in [0, 1] by Adam on :func:`vq_vae_loss`; a VQHistory.

    binarization: "dynamic" resamples binary pixels for every minibatch (as the book's VAEs do);
    None trains on the grey levels as Bernoulli targets. The history is evaluated every epoch on
    one fixed binarized copy of ``x_train`` (seeded by ``seed``). ``callbacks(epoch, params,
    history)`` run after every epoch; one returning True stops training.
    Same seed and inputs → identical weights.
    """
    if binarization not in ("dynamic", None):
        raise ValueError(f"binarization must be 'dynamic' or None, got {binarization!r}")
    beta = float(beta)
    if not (math.isfinite(beta) and beta >= 0):
        raise ValueError(f"beta must be a finite number ≥ 0, got {beta!r}")
    x_train = np.asarray(x_train, dtype=params[2].dtype)
    D = sizes(params, patches)[0]
    if x_train.ndim != 2 or x_train.shape[1] != D:
        raise ValueError(f"x_train must have shape (N, {D}), got {x_train.shape}")
    optimizer = checked_optimizer(optimizer, 1e-3)
    rng = np.random.default_rng(seed)
    x_eval = binarize(x_train, np.random.default_rng([seed, 1])) if binarization else x_train
    n = len(x_train)
    history = VQHistory()
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = x_train[order[start:start + batch_size]]
            if binarization:
                batch = binarize(batch, rng)
            value, grads = vq_vae_loss_and_grad(params, batch, patches, beta)
            if not math.isfinite(value):
                raise FloatingPointError(f"the VQ-VAE loss became {value} in epoch {epoch}; "
                                         f"try a smaller learning rate")
            optimizer.step(params, grads)
        record = evaluate(params, x_eval, patches, beta)
        history.epoch.append(epoch)
        for key, value in record.items():
            getattr(history, key).append(value)
        if any([callback(epoch, params, history) for callback in callbacks]):
            break
    return history
