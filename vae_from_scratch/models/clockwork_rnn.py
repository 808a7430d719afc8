"""The Clockwork RNN (Koutník, Greff, Gomez & Schmidhuber, 2014), and the plain RNN as its special case.

The hidden units are split into ``n_modules`` modules of ``module_size`` units; module i has a
period T_i (by default T_i = 2^(i−1): 1, 2, 4, …). With no input, the network is a free-running
generator of an output sequence y_0, y_1, …:

    a_t = (W ⊙ M) h_{t−1} + b                   the recurrent drive, h_{−1} = 0
    h_t[i] = tanh(a_t[i])  if t mod T_i = 0      module i ticks: it UPDATES
    h_t[i] = h_{t−1}[i]    otherwise             it keeps its state
    y_t = V h_t + c

The mask M is block-triangular: a unit of module i receives from a unit of module j only if
T_j ≥ T_i, so information flows from slow modules to fast ones and never back. A slow module
changes rarely; its state is a clock, and the fast modules read the time off it.

With every period equal to 1 the mask is full and every unit updates at every step: the plain
(Elman) RNN with the same number of hidden units, ``periods=[1] * n_modules``.

Parameters are the list ``[W (H, H), b (H,), V (H, n_out), c (n_out,)]``, H = n_modules · module_size,
so :mod:`vae_from_scratch.optim` updates them in place. :func:`loss_and_grad` is backpropagation
through time written out by hand (autograd's per-operation overhead would dominate a step of a
1 × H recurrence); :func:`run` is the same forward pass in ``autograd.numpy``, and the tests check
that ``autograd.grad`` of its loss equals the hand-written gradient.
"""
import math

import autograd.numpy as anp
import numpy as np

from ..train import checked_optimizer, descend


def module_periods(n_modules):
    """T_i = 2^(i−1) for i = 1 … n_modules: 1, 2, 4, 8, …"""
    if isinstance(n_modules, bool) or not isinstance(n_modules, (int, np.integer)) or n_modules < 1:
        raise ValueError(f"n_modules must be a positive integer, got {n_modules!r}")
    return 2 ** np.arange(int(n_modules))


def _periods(periods):
    periods = np.asarray(periods)
    if periods.ndim != 1 or periods.size == 0 or not np.issubdtype(periods.dtype, np.integer) or periods.min() < 1:
        raise ValueError(f"periods must be a non-empty 1-D array of positive integers, got {periods!r}")
    return periods


def unit_periods(periods, module_size):
    """The period of every hidden unit, shape (H,): each module's period repeated ``module_size`` times."""
    return np.repeat(_periods(periods), int(module_size))


def recurrent_mask(periods, module_size):
    """M (H, H) with M[u, v] = 1 when unit u may receive from unit v, i.e. T(v) ≥ T(u).

    With periods sorted from fast to slow the nonzero blocks lie on and above the diagonal:
    block-(upper-)triangular, slow → fast.
    """
    tu = unit_periods(periods, module_size)
    return (tu[None, :] >= tu[:, None]).astype(np.float64)


def schedule(n_steps, periods):
    """Which modules update at which step: a boolean (n_steps, n_modules) array, t mod T_i == 0."""
    t = np.arange(int(n_steps))[:, None]
    return t % _periods(periods)[None, :] == 0


def init_clockwork_rnn(periods, module_size, rng, n_out=1, recurrent_scale=1.0, bias_scale=1.0):
    """Random ``[W, b, V, c]``: W ~ N(0, recurrent_scale²/H) (then masked), b ~ N(0, bias_scale²),
    V ~ N(0, 1/H), c = 0.

    The biases must not all be zero: with no input and h_{−1} = 0 they are the only drive.
    """
    periods = _periods(periods)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    H = len(periods) * int(module_size)
    W = recurrent_scale / math.sqrt(H) * rng.standard_normal((H, H)) * recurrent_mask(periods, module_size)
    b = bias_scale * rng.standard_normal(H)
    V = rng.standard_normal((H, int(n_out))) / math.sqrt(H)
    return [W, b, V, np.zeros(int(n_out))]


def n_weights(periods, module_size, n_out=1):
    """The number of trainable weights: the unmasked recurrent weights plus b, V and c."""
    H = len(_periods(periods)) * int(module_size)
    return int(recurrent_mask(periods, module_size).sum()) + H + H * int(n_out) + int(n_out)


def run(params, n_steps, periods, module_size):
    """Hidden states (n_steps, H) and outputs (n_steps, n_out) of the free-running network.

    Written in ``autograd.numpy``: differentiable, and the reference for :func:`loss_and_grad`.
    """
    W, b, V, c = params
    mask = recurrent_mask(periods, module_size)
    tu = unit_periods(periods, module_size)
    Wm = W * mask
    h = anp.zeros(len(b))
    states = []
    for t in range(int(n_steps)):
        h = anp.where(t % tu == 0, anp.tanh(anp.dot(Wm, h) + b), h)
        states.append(h)
    states = anp.stack(states)
    return states, anp.dot(states, V) + c


def mse(params, target, periods, module_size):
    """Mean squared error of the outputs against ``target`` (n_steps,) or (n_steps, n_out)."""
    target = np.asarray(target, dtype=np.float64).reshape(len(target), -1)
    _, y = run(params, len(target), periods, module_size)
    return anp.mean((y - target) ** 2)


def nmse(prediction, target):
    """Normalised mean squared error, mean((y − x)²) / Var(x): 1 for predicting the mean, 0 for a perfect fit."""
    prediction = np.asarray(prediction, dtype=np.float64).reshape(np.shape(target))
    target = np.asarray(target, dtype=np.float64)
    return float(np.mean((prediction - target) ** 2) / np.var(target))


def loss_and_grad(params, target, periods, module_size):
    """The mean squared error and its gradient ``[dW, db, dV, dc]`` by backpropagation through time.

    Forward as in :func:`run`, keeping every state. Backward, with g_t = ∂loss/∂h_t (from y_t and
    from h_{t+1}) and A_t the units that updated at step t:

        δ_t = g_t[A_t] ⊙ (1 − h_t[A_t]²)          through the tanh of the updating units
        dW[A_t] += δ_t h_{t−1}ᵀ,   db[A_t] += δ_t
        g_{t−1} = ∂loss/∂y_{t−1} V ᵀ + Wm[A_t]ᵀ δ_t + (g_t on the units that kept their state)

    A unit that kept its state passes its gradient back unchanged: the copy is the identity. This
    is why a slow module carries gradient over long spans with few multiplications by W.
    """
    W, b, V, c = params
    target = np.asarray(target, dtype=np.float64).reshape(len(target), -1)
    n_steps, H = len(target), len(b)
    mask = recurrent_mask(periods, module_size)
    tu = unit_periods(periods, module_size)
    Wm = W * mask
    WmT = np.ascontiguousarray(Wm.T)
    ticks = (np.arange(n_steps)[:, None] % tu[None, :] == 0)  # (n_steps, H): A_t as a mask
    keeps = ~ticks
    states = np.zeros((n_steps + 1, H))  # states[t + 1] = h_t, states[0] = h_{−1} = 0
    h = states[0]
    for t in range(n_steps):
        h = np.where(ticks[t], np.tanh(Wm @ h + b), h)
        states[t + 1] = h
    hidden = states[1:]
    error = hidden @ V + c - target
    loss = float(np.mean(error ** 2))
    d_y = 2.0 * error / error.size
    dV = hidden.T @ d_y
    dc = d_y.sum(axis=0)
    d_hidden = d_y @ V.T
    deltas = np.zeros((n_steps, H))  # δ_t, zero on the units that kept their state
    slope = np.where(ticks, 1.0 - hidden ** 2, 0.0)  # ∂h_t/∂a_t on the updating units
    g = np.zeros(H)
    for t in range(n_steps - 1, -1, -1):
        g += d_hidden[t]
        delta = g * slope[t]
        deltas[t] = delta
        # the updated units' old values reach h_{t−1} only through W; the others are copied
        g = np.where(keeps[t], g, 0.0) + WmT @ delta
    dW = (deltas.T @ states[:-1]) * mask
    db = deltas.sum(axis=0)
    return loss, [dW, db, dV, dc]


def fit(params, target, periods, module_size, steps=1000, optimizer=None, clip_norm=1.0, record_every=10):
    """Train ``params`` in place to reproduce ``target``; returns the NMSE every ``record_every`` steps.

    Full-batch (one sequence) gradient descent with Adam (default learning rate 3·10⁻³); the
    gradient is rescaled to norm ``clip_norm`` when it is longer (``None``: no clipping), which keeps
    the occasional large BPTT gradient from throwing the generator off. Deterministic: same inputs,
    same result.
    """
    optimizer = checked_optimizer(optimizer, 3e-3)
    variance = float(np.var(target))

    def nmse_and_clipped_grads(step):
        loss, grads = loss_and_grad(params, target, periods, module_size)
        if clip_norm is not None:
            norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
            if norm > clip_norm:
                for g in grads:
                    g *= clip_norm / norm
        return loss / variance, grads

    history = descend(params, optimizer, steps, nmse_and_clipped_grads, record_every)
    loss, _ = loss_and_grad(params, target, periods, module_size)
    return np.append(history, loss / variance)
