"""Multilayer perceptrons as plain lists of ``(W, b)`` pairs, and the paper's MLPs (App. C).

A layer maps ``h (batch, n_in)`` to ``h @ W + b`` with ``W (n_in, n_out)`` and ``b (n_out,)``.
Parameters are lists of tuples of arrays, so ``autograd.grad`` returns the same structure and an
optimizer can update every array in place.
"""
import math

import autograd.numpy as np

from .distributions import softplus


def relu(a):
    return np.maximum(a, 0.0)


def sigmoid(a):
    """1 / (1 + e^{−a}), written through tanh so that it never overflows."""
    return 0.5 * (np.tanh(0.5 * a) + 1.0)


ACTIVATIONS = {"tanh": np.tanh, "relu": relu, "softplus": softplus}


def init_mlp(layer_sizes, rng, init="paper", dtype=np.float64):
    """Random parameters ``[(W, b), ...]`` for an MLP with the given layer sizes.

    - ``init="paper"``: every weight and bias ~ N(0, 0.01²), as in Kingma & Welling §5
      ("initialized by random sampling from N(0, 0.01)"; we read 0.01 as the standard
      deviation, as the authors' code does).
    - ``init="glorot"``: W ~ N(0, 2 / (n_in + n_out)), b = 0 (Glorot & Bengio, 2010); trains faster.
    """
    if init not in ("paper", "glorot"):
        raise ValueError(f"init must be 'paper' or 'glorot', got {init!r}")
    sizes = [int(s) for s in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"layer sizes must be at least two positive integers, got {list(layer_sizes)!r}")
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        if init == "paper":
            W = 0.01 * rng.standard_normal((n_in, n_out))
            b = 0.01 * rng.standard_normal(n_out)
        else:
            W = math.sqrt(2.0 / (n_in + n_out)) * rng.standard_normal((n_in, n_out))
            b = np.zeros(n_out)
        params.append((W.astype(dtype), b.astype(dtype)))
    return params


def mlp(params, inputs, activation="tanh"):
    """Hidden layers with ``activation``, then a linear output layer."""
    act = ACTIVATIONS[activation]
    h = inputs
    for W, b in params[:-1]:
        h = act(h @ W + b)
    W, b = params[-1]
    return h @ W + b


def bernoulli_mlp(params, z, activation="tanh"):
    """Bernoulli MLP decoder (App. C.1): logits of p_θ(x|z), shape (batch, D).

    y = sigmoid(W₂ tanh(W₁ z + b₁) + b₂); we return the logits W₂ h + b₂ because the
    log-likelihood is stable in logits (:func:`~vae_from_scratch.distributions.log_bernoulli`).
    """
    return mlp(params, z, activation)


def gaussian_mlp(params, inputs, activation="tanh", sigmoid_mean=False):
    """Gaussian MLP (App. C.2): the mean and log-variance of a diagonal Gaussian.

    h = tanh(W₃ z + b₃),  μ = W₄ h + b₄,  log σ² = W₅ h + b₅.
    ``params`` is the hidden layers followed by the two heads ``(W₄, b₄)`` and ``(W₅, b₅)``.
    As the encoder q_φ(z|x) it is called with x; as the decoder of continuous data with z and
    ``sigmoid_mean=True``, which constrains μ to (0, 1) like pixel intensities (App. C.2).
    """
    act = ACTIVATIONS[activation]
    h = inputs
    for W, b in params[:-2]:
        h = act(h @ W + b)
    (W_mean, b_mean), (W_log_var, b_log_var) = params[-2], params[-1]
    mean = h @ W_mean + b_mean
    if sigmoid_mean:
        mean = sigmoid(mean)
    return mean, h @ W_log_var + b_log_var


def init_gaussian_mlp(n_in, hidden, n_out, rng, init="paper", dtype=np.float64):
    """Parameters for :func:`gaussian_mlp`: hidden layers plus a mean head and a log-variance head."""
    trunk = init_mlp([n_in, *hidden, n_out], rng, init, dtype)
    head = init_mlp([([n_in, *hidden])[-1], n_out], rng, init, dtype)
    return trunk + head
