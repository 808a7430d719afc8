"""A small WaveNet (van den Oord et al., 2016): p(x) = Π_t p(x_t | x_<t) with dilated causal convolutions.

The sequence is a list of integer codes q_0, q_1, … in 0 … n − 1 (μ-law levels, see
:mod:`vae_from_scratch.sequences`). The network reads the past as amplitudes y = 2q/(n − 1) − 1 and
outputs, for every t at once, the logits of a categorical distribution over q_t:

    s_t = y_{t−1}  (s_0 = 0)                            shift by one: position t never sees q_t
    h⁰_t = s_t w_in + b_in                              (C channels)
    for each layer ℓ with dilation d_ℓ:
        f = h_t W_f + h_{t−d} W_f' + b_f                 a causal convolution of width 2, dilated by d
        g = h_t W_g + h_{t−d} W_g' + b_g                 and another one for the gate
        u = tanh(f) ⊙ σ(g)                              the gated unit
        skip += u W_skip + b_skip,    h ← h + u W_res + b_res      (residual connection)
    logits_t = relu(relu(skip) W₁ + b₁) W₂ + b₂         (n values)

h_{t−d} is zero for t < d (zero padding on the left), so nothing flows from the future. Stacking
layers with dilations 1, 2, 4, … doubles the span each layer: the output at t depends on
x_{t−R} … x_{t−1} with the **receptive field** R = 1 + (K − 1) Σ_ℓ d_ℓ for convolutions of width K
(here K = 2), so R = 2^L for one stack of L layers (:func:`receptive_field`).

``params = [input (w_in, b_in), layers [(W_f, W_f', b_f, W_g, W_g', b_g, W_res, b_res, W_skip, b_skip), …],
output [(W₁, b₁), (W₂, b₂)]]``, nested lists and tuples of arrays for :mod:`vae_from_scratch.optim`.
The dilations are not parameters; every function takes them.
"""
import math

import autograd
import autograd.extend
import autograd.numpy as anp
import numpy as np

from ..nn import sigmoid
from ..train import checked_optimizer, descend


def dilations(n_layers, n_stacks=1):
    """(1, 2, 4, …, 2^(n_layers − 1)) repeated ``n_stacks`` times, as in WaveNet."""
    for name, value in (("n_layers", n_layers), ("n_stacks", n_stacks)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return tuple(int(2 ** i) for _ in range(int(n_stacks)) for i in range(int(n_layers)))


def receptive_field(dilation_list, kernel_size=2):
    """R = 1 + (K − 1) Σ_ℓ d_ℓ: how many consecutive inputs one output depends on.

    A width-K convolution dilated by d reaches (K − 1) d steps further back than its input did;
    the spans add up layer by layer, and the 1 counts the newest input itself.
    """
    if kernel_size < 1:
        raise ValueError(f"kernel_size must be ≥ 1, got {kernel_size!r}")
    return 1 + (int(kernel_size) - 1) * int(sum(dilation_list))


def dependency_graph(dilation_list, kernel_size=2, width=None):
    """Which nodes of the stack the newest output depends on: a 0/1 array (1 + L, width).

    Row 0 is the top (the output layer, only its last node, at position ``width − 1``, is marked);
    row ℓ below it is the input of layer L − ℓ + 1 …, the last row is the input. Node (layer, t)
    feeds (layer + 1, t + k d) for k = 0 … K − 1. Pure index arithmetic, for drawing; the chapter
    checks it against the network by perturbation. ``width`` defaults to the receptive field.
    """
    width = receptive_field(dilation_list, kernel_size) if width is None else int(width)
    n = len(dilation_list)
    graph = np.zeros((n + 1, width))
    graph[0, width - 1] = 1.0
    for row, d in enumerate(reversed(dilation_list)):  # from the top layer down
        for t in np.flatnonzero(graph[row]):
            for k in range(int(kernel_size)):
                if t - k * d >= 0:
                    graph[row + 1, t - k * d] = 1.0
    return graph


def init_wavenet(n_levels, dilation_list, rng, channels=16, skip_channels=32, hidden=32):
    """Random parameters (Glorot-style normal weights, zero biases); see the module docstring."""
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)

    def normal(n_in, n_out):
        return math.sqrt(2.0 / (n_in + n_out)) * rng.standard_normal((n_in, n_out))

    C, S = int(channels), int(skip_channels)
    layers = []
    for _ in dilation_list:
        layers.append((normal(C, C), normal(C, C), np.zeros(C),  # filter f: current, previous, bias
                       normal(C, C), normal(C, C), np.zeros(C),  # gate g
                       normal(C, C), np.zeros(C), normal(C, S), np.zeros(S)))  # residual, skip
    return [
        (normal(1, C), np.zeros(C)),
        layers,
        [(normal(S, hidden), np.zeros(hidden)), (normal(hidden, int(n_levels)), np.zeros(int(n_levels)))],
    ]


def n_levels_of(params):
    return params[2][-1][1].shape[0]


@autograd.extend.primitive
def causal_shift(h, d):
    """h_{t−d} along axis 1 of a (batch, T, C) array, with zeros for t < d.

    An autograd primitive with its own gradient (the gradient shifted the other way), because the
    generic gradient of a slice scatters with ``np.add.at``, which is slow.
    """
    out = np.zeros_like(h)
    if d < h.shape[1]:
        out[:, d:] = h[:, :h.shape[1] - d]
    return out


def _unshift(g, d):
    out = np.zeros_like(g)
    if d < g.shape[1]:
        out[:, :g.shape[1] - d] = g[:, d:]
    return out


autograd.extend.defvjp(causal_shift, lambda ans, h, d: lambda g: _unshift(g, d))


def codes_to_inputs(codes, n_levels):
    """y = 2q/(n − 1) − 1: the codes as amplitudes in [−1, 1], linear in q (the μ-law domain)."""
    return 2.0 * np.asarray(codes, dtype=np.float64) / (n_levels - 1) - 1.0


def logits(params, codes, dilation_list, start=0):
    """Logits (batch, T − start, n) of p(q_t | q_<t) for every t ≥ ``start``, from codes (batch, T).

    All steps are computed in one pass; the output layers run only on steps t ≥ ``start``.
    """
    (w_in, b_in), layers, ((W1, b1), (W2, b2)) = params
    n = W2.shape[1]
    y = codes_to_inputs(codes, n)
    s = anp.concatenate([anp.zeros((y.shape[0], 1)), y[:, :-1]], axis=1)  # s_t = y_{t−1}
    h = s[:, :, None] * w_in[0] + b_in
    skip = 0.0
    for (Wf, Wf_prev, bf, Wg, Wg_prev, bg, W_res, b_res, W_skip, b_skip), d in zip(layers, dilation_list):
        previous = causal_shift(h, d)  # h_{t−d}
        u = anp.tanh(h @ Wf + previous @ Wf_prev + bf) * sigmoid(h @ Wg + previous @ Wg_prev + bg)
        skip = skip + u @ W_skip + b_skip
        h = h + u @ W_res + b_res
    if start:
        skip = skip[:, int(start):]
    hidden = anp.maximum(anp.maximum(skip, 0.0) @ W1 + b1, 0.0)
    return hidden @ W2 + b2


def log_softmax(a):
    a = a - anp.max(a, axis=-1, keepdims=True)
    return a - anp.log(anp.sum(anp.exp(a), axis=-1, keepdims=True))


def nats_per_sample(params, codes, dilation_list, start=None):
    """−(1/#) Σ_t log p(q_t | q_<t), averaged over sequences and over steps t ≥ ``start``.

    ``start`` defaults to the receptive field R, the first step whose whole context lies inside
    the sequence. Uniform guessing over n levels scores log n.
    """
    codes = np.asarray(codes)
    start = receptive_field(dilation_list) if start is None else int(start)
    log_p = log_softmax(logits(params, codes, dilation_list, start))
    one_hot = codes[:, start:, None] == np.arange(log_p.shape[-1])
    return -anp.sum(log_p * one_hot) / one_hot[..., 0].size


def unigram_nats(train_codes, test_codes, n_levels):
    """The cross-entropy of a model that ignores the past: the frequencies of the training codes
    (add-one smoothed) scored on the test codes. The baseline a sequence model must beat."""
    counts = np.bincount(np.ravel(train_codes), minlength=n_levels) + 1.0
    log_p = np.log(counts / counts.sum())
    return float(-np.mean(log_p[np.ravel(test_codes)]))


def sample(params, dilation_list, n_sequences, n_steps, rng, prime=None):
    """Ancestral sampling: q_t ~ p(q_t | q_<t), one step at a time; returns codes (n_sequences, T).

    ``prime`` (n_sequences, P): codes to start from (kept as the first P outputs). Each step runs
    the network on the last R codes only, which is all that the output depends on.
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    R = receptive_field(dilation_list)
    n = n_levels_of(params)
    codes = np.full((n_sequences, R), n // 2, dtype=np.int64)  # a silent past: amplitude ≈ 0
    if prime is not None:
        codes = np.concatenate([codes, np.asarray(prime, dtype=np.int64)], axis=1)
    n_prime = 0 if prime is None else np.shape(prime)[1]
    for _ in range(int(n_steps) - n_prime):
        window = np.concatenate([codes[:, -R:], np.zeros((n_sequences, 1), dtype=np.int64)], axis=1)
        p = np.exp(log_softmax(logits(params, window, dilation_list)[:, -1]))
        u = rng.random((n_sequences, 1))
        nxt = np.minimum((np.cumsum(p, axis=1) < u).sum(axis=1), n - 1)
        codes = np.concatenate([codes, nxt[:, None]], axis=1)
    return codes[:, R:]


def fit(params, train_codes, dilation_list, steps=400, batch_size=16, optimizer=None, seed=0, record_every=20):
    """Train ``params`` in place by descending :func:`nats_per_sample` on random minibatches of sequences.

    Returns the training nats per sample of the minibatch every ``record_every`` steps.
    Deterministic given ``seed``.
    """
    optimizer = checked_optimizer(optimizer, 3e-3)
    train_codes = np.asarray(train_codes)
    rng = np.random.default_rng(seed)
    value_and_grad = autograd.value_and_grad(lambda p, batch: nats_per_sample(p, batch, dilation_list))

    def on_a_minibatch(step):
        return value_and_grad(params, train_codes[rng.integers(0, len(train_codes), size=int(batch_size))])

    return descend(params, optimizer, steps, on_a_minibatch, record_every)
