"""Learned COPY/UPDATE boundaries: the idea of the HM-RNN (Chung et al., 2017) and VTA (Kim et al., 2019).

An *abstract state* z_t summarises the current segment of a sequence x_0, x_1, …. At every step a
binary boundary m_t decides what happens to it:

    z_t = m_t · u_t + (1 − m_t) · z_{t−1}          m_t = 1: UPDATE from u_t = e(x_t);  m_t = 0: COPY

with m_0 = 1 (the first step always starts a segment). The boundary is a latent variable with a
posterior q(m_t = 1 | x) = σ(ℓ_t), ℓ_t from a small MLP of the change |x_t − x_{t−1}|, and a sparse prior
Bernoulli(ρ). The observation is reconstructed from the state alone, x̂_t = d(z_t), so a segment
that is COPIED must be explained by what the state took in at its first step. The loss per
sequence (a relaxed negative ELBO, in nats):

    Σ_t (x_t − x̂_t)² / (2 s²)  +  Σ_{t≥1} KL( Bernoulli(σ(ℓ_t)) ‖ Bernoulli(ρ) )      (+ const.)

Each UPDATE costs about log(1/ρ) nats of KL; each COPY across a true change costs a large
reconstruction error; so the optimum updates exactly where the sequence changes.

Training needs a gradient through m. We use the relaxed Bernoulli (binary concrete) of
:func:`vae_from_scratch.samplers.relaxed_bernoulli`: m_t = σ(a_t), a_t = (ℓ_t + L_t)/τ with
logistic noise L_t, the temperature τ annealed from 1 towards 0.3, and a sparse initial bias
ℓ ≈ log(ρ/(1 − ρ)). (A hard 0/1 boundary with a straight-through gradient tends to collapse to
"update at every step", where reconstruction is perfect.)

The recurrence is solved in closed form so that a whole batch is one array computation:

    z_t = Σ_{s≤t} A_{ts} u_s,     A_{ts} = m_s Π_{r=s+1}^{t} (1 − m_r),

evaluated in the log domain (log m = −softplus(−a), log(1 − m) = −softplus(a)), which stays finite
even when m rounds to exactly 0 or 1. :func:`copy_update` is the step-by-step loop it equals.

``params = [boundary MLP [(W, b), …], encoder MLP [(W, b), …], decoder [(W, b)]]``.
"""
import math

import autograd
import autograd.numpy as anp
import numpy as np

from ..distributions import softplus
from ..nn import init_mlp, mlp, sigmoid
from ..samplers import logistic
from ..train import checked_optimizer, descend

NEVER = -1e3  # a log-weight that stands for "no connection" (exp(−1000) = 0)


def copy_update(m, u):
    """The COPY/UPDATE recurrence step by step: z_t = m_t u_t + (1 − m_t) z_{t−1}, z_{−1} = 0.

    m: (batch, T) boundaries in [0, 1] (hard or relaxed); u: (batch, T, S) candidate states.
    Returns z (batch, T, S). The reference for :func:`copy_update_weights`.
    """
    m = np.asarray(m, dtype=np.float64)
    u = np.asarray(u, dtype=np.float64)
    z = np.zeros_like(u)
    previous = np.zeros(u.shape[::2])
    for t in range(u.shape[1]):
        previous = m[:, t, None] * u[:, t] + (1.0 - m[:, t, None]) * previous
        z[:, t] = previous
    return z


def copy_update_weights(log_m, log_keep):
    """A (batch, T, T) with A[t, s] = m_s Π_{r=s+1}^{t} (1 − m_r) for s ≤ t, and 0 for s > t.

    From the logs of m and of 1 − m, each (batch, T): with c_t = Σ_{r≤t} log(1 − m_r),
    log A[t, s] = log m_s + c_t − c_s. Differentiable with autograd. z = A @ u.
    """
    T = log_m.shape[1]
    c = anp.cumsum(log_keep, axis=1)
    log_a = log_m[:, None, :] + c[:, :, None] - c[:, None, :]
    causal = np.tril(np.ones((T, T), dtype=bool))
    return anp.exp(anp.where(causal, log_a, NEVER))


def init_boundary_model(rng, hidden=16, state_size=2, prior_rate=0.1):
    """Random parameters; the boundary MLP's output bias starts at log(ρ/(1 − ρ)) (sparse boundaries)."""
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    detector = init_mlp([1, hidden, 1], rng, "glorot")
    W, _ = detector[-1]
    detector[-1] = (W, np.full(1, math.log(prior_rate / (1.0 - prior_rate))))
    encoder = init_mlp([1, hidden, state_size], rng, "glorot")
    decoder = init_mlp([state_size, 1], rng, "glorot")
    return [detector, encoder, decoder]


def boundary_logits(params, x):
    """ℓ_t (batch, T), an MLP of the size of the change |x_t − x_{t−1}|; ℓ_0 is never used (m_0 = 1).

    The detector is told *what* to look at, not *how large* a change makes a boundary: that
    threshold comes out of the trade-off in :func:`loss`. (In trial runs, given the pair
    (x_{t−1}, x_t) instead, training often settled in a local optimum that fired on some levels
    rather than on changes; given the signed change, it collapsed to updating at every step.)
    """
    change = x - anp.concatenate([x[:, :1], x[:, :-1]], axis=1)
    return mlp(params[0], anp.abs(change)[..., None])[..., 0]


def bernoulli_kl(logits, rate):
    """KL( Bernoulli(σ(ℓ)) ‖ Bernoulli(ρ) ) = π log(π/ρ) + (1 − π) log((1 − π)/(1 − ρ)), elementwise.

    Written with log π = −softplus(−ℓ) and log(1 − π) = −softplus(ℓ), finite for any ℓ.
    """
    p = sigmoid(logits)
    return (p * (-softplus(-logits) - math.log(rate))
            + (1.0 - p) * (-softplus(logits) - math.log1p(-rate)))


def _logs_with_first_update(a):
    """log m and log(1 − m) of m = σ(a), with m_0 forced to 1 (log m_0 = 0, log(1 − m_0) = −∞ unused)."""
    zero = anp.zeros((a.shape[0], 1))
    log_m = anp.concatenate([zero, -softplus(-a[:, 1:])], axis=1)
    log_keep = anp.concatenate([zero, -softplus(a[:, 1:])], axis=1)  # c_t starts after step 0
    return log_m, log_keep


def reconstruct(params, x, a):
    """x̂ (batch, T) from boundary pre-activations a (m = σ(a)), through z = A u."""
    log_m, log_keep = _logs_with_first_update(a)
    u = mlp(params[1], x[..., None])  # (batch, T, S): the state an UPDATE would take in
    z = anp.matmul(copy_update_weights(log_m, log_keep), u)
    return mlp(params[2], z)[..., 0]


def loss(params, x, noise_u, temperature, prior_rate=0.1, obs_std=0.2):
    """The relaxed negative ELBO per sequence, averaged over the batch (nats).

    ``noise_u`` (batch, T) uniforms give the logistic noise of the relaxed Bernoulli samples;
    ``obs_std`` is s, the standard deviation of the Gaussian p(x_t | z_t).
    """
    logits = boundary_logits(params, x)
    a = (logits + logistic(0.0, 1.0, noise_u)) / temperature  # m = σ(a) ~ RelaxedBernoulli(σ(ℓ), τ)
    x_hat = reconstruct(params, x, a)
    reconstruction = anp.sum((x - x_hat) ** 2, axis=1) / (2.0 * obs_std ** 2)
    kl = anp.sum(bernoulli_kl(logits[:, 1:], prior_rate), axis=1)
    return anp.mean(reconstruction + kl)


def predict_boundaries(params, x):
    """Hard boundaries (batch, T): q(m_t = 1 | x) > ½, i.e. ℓ_t > 0; always True at t = 0."""
    m = np.asarray(boundary_logits(params, np.asarray(x, dtype=np.float64))) > 0.0
    m[:, 0] = True
    return m


def reconstruct_hard(params, x, m):
    """x̂ (batch, T) with hard boundaries ``m`` (batch, T), through the loop :func:`copy_update`."""
    x = np.asarray(x, dtype=np.float64)
    u = mlp(params[1], x[..., None])
    return mlp(params[2], copy_update(m, u))[..., 0]


def precision_recall(predicted, true):
    """Precision and recall of predicted boundaries against the true ones, exact positions, t ≥ 1.

    precision = (correct predicted boundaries) / (predicted boundaries),
    recall    = (correct predicted boundaries) / (true boundaries).
    """
    predicted, true = np.asarray(predicted, bool)[:, 1:], np.asarray(true, bool)[:, 1:]
    hits = np.sum(predicted & true)
    return float(hits / max(predicted.sum(), 1)), float(hits / max(true.sum(), 1))


def temperature_schedule(steps, start=1.0, end=0.3):
    """τ for each step: geometric from ``start`` to ``end``."""
    return start * (end / start) ** (np.arange(int(steps)) / max(int(steps) - 1, 1))


def fit(params, x_train, steps=150, batch_size=16, optimizer=None, temperatures=(1.0, 0.3), prior_rate=0.1,
        obs_std=0.2, seed=0, record_every=10):
    """Train ``params`` in place on minibatches of sequences; returns the loss every ``record_every`` steps.

    Adam (default learning rate 3·10⁻²), τ annealed geometrically over ``temperatures``.
    Deterministic given ``seed``.
    """
    optimizer = checked_optimizer(optimizer, 3e-2)
    x_train = np.asarray(x_train, dtype=np.float64)
    rng = np.random.default_rng(seed)
    value_and_grad = autograd.value_and_grad(loss)
    taus = temperature_schedule(steps, *temperatures)

    def on_a_minibatch(step):
        batch = x_train[rng.integers(0, len(x_train), size=int(batch_size))]
        noise_u = rng.uniform(1e-6, 1.0 - 1e-6, size=batch.shape)
        return value_and_grad(params, batch, noise_u, taus[step], prior_rate, obs_std)

    return descend(params, optimizer, steps, on_a_minibatch, record_every)
