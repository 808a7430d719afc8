"""The β knob while training: KL annealing, β schedules, free bits, and a loop that uses them.

The objective of every function here is the ELBO with its KL term modified, per minibatch of B
points and L samples of z per point (L = 1 in the book's runs):

    F(θ, φ) = (1/(L·B)) Σ_{l,i} log p_θ(x_i | z_il)  −  β_t · Σ_j max( λ, (1/B) Σ_i KL_ij ),

where KL_ij = KL( q_φ(z_j|x_i) ‖ N(0, 1) ) = ½ (μ_ij² + σ_ij² − 1 − log σ_ij²) is the KL of one
latent dimension (App. B, one term of the sum), β_t the weight at step t, and λ ≥ 0 the
*free bits* (Kingma et al., 2016, with one group per latent dimension). With β = 1 and
λ = 0 it is the minibatch mean of estimator B (eq. 7): max(0, KL) = KL.

- **β-VAE** (Higgins et al., 2017): a constant β ≠ 1 (``train.fit`` already takes one).
- **KL annealing** (Bowman et al., 2016): β_t grows from 0 to 1 over the first steps, so that the
  decoder learns to use z before the KL term pushes q_φ towards the prior.
- **Free bits**: a dimension whose minibatch-average KL is below λ is charged λ, a constant, so
  the objective's gradient of its KL is exactly zero — nothing pushes it further towards the
  prior; above λ it is charged its KL as usual. The objective is still a lower bound on
  log p_θ(x) only for λ = 0; report the bound at β = 1, λ = 0.

``train.fit`` takes a constant β and no λ, so this module has its own small loop,
:func:`train_loop`, that accepts any ``value_and_grad(params, x, eps, step)``: the autograd
gradient of :func:`objective` (:func:`autograd_value_and_grad`), the hand-written one of
:mod:`vae_from_scratch.models.autoregressive`, or the IWAE bound's (:mod:`vae_from_scratch.iwae`).
The hook ``fit`` would need for the same: ``beta`` accepting a function of the step number, and a
``free_bits`` argument passed to the gradient.
"""
import math
import numbers

import autograd
import autograd.numpy as anp
import numpy as np

from .data import binarize, binarize_static, check_data
from .distributions import reparameterize
from .objectives import decoder_log_likelihood, encode, sample_eps
from .train import checked_optimizer

# ----------------------------------------------------------------------------- schedules


def _check_number(name, value, minimum=None, strictly=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if minimum is not None and (value < minimum or (strictly and value == minimum)):
        raise ValueError(f"{name} must be {'>' if strictly else '≥'} {minimum}, got {value!r}")
    return float(value)


def constant(beta=1.0):
    """β_t = β at every step (β = 1: the ELBO; β ≠ 1: the β-VAE objective)."""
    beta = _check_number("beta", beta, minimum=0.0)

    def schedule(step):
        return beta

    return schedule


def linear_warmup(warmup_steps, start=0.0, end=1.0):
    """β_t rises linearly from ``start`` at step 0 to ``end`` at step ``warmup_steps``, then stays.

        β_t = start + (end − start) · min(1, t / warmup_steps)

    The usual form of KL annealing (Bowman et al., 2016 used a sigmoid-shaped ramp; see
    :func:`sigmoid_warmup`).
    """
    warmup_steps = _check_number("warmup_steps", warmup_steps, minimum=0.0, strictly=True)
    start = _check_number("start", start, minimum=0.0)
    end = _check_number("end", end, minimum=0.0)

    def schedule(step):
        return start + (end - start) * min(1.0, step / warmup_steps)

    return schedule


def sigmoid_warmup(midpoint, width):
    """β_t = 1 / (1 + exp(−(t − midpoint) / width)): a smooth ramp from ≈ 0 to 1, ½ at ``midpoint``.

    The shape of Bowman et al.'s (2016) KL annealing. ``width`` sets the steepness: β goes from
    0.12 to 0.88 between midpoint ± 2·width.
    """
    midpoint = _check_number("midpoint", midpoint, minimum=0.0)
    width = _check_number("width", width, minimum=0.0, strictly=True)

    def schedule(step):
        return 0.5 * (math.tanh(0.5 * (step - midpoint) / width) + 1.0)  # the logistic, overflow-free

    return schedule


def cyclical(period, ramp=0.5):
    """Cyclical annealing (Fu et al., 2019): the linear warm-up repeated every ``period`` steps.

        β_t = min(1, (t mod period) / (ramp · period))

    Within each cycle β rises from 0 to 1 over the first ``ramp`` fraction, then stays at 1.
    """
    period = _check_number("period", period, minimum=0.0, strictly=True)
    ramp = _check_number("ramp", ramp, minimum=0.0, strictly=True)
    if ramp > 1:
        raise ValueError(f"ramp must be in (0, 1], got {ramp!r}")

    def schedule(step):
        return min(1.0, (step % period) / (ramp * period))

    return schedule


def as_schedule(beta):
    """A schedule from a number (constant β) or a function of the step (returned as it is)."""
    if callable(beta):
        return beta
    return constant(beta)


# ----------------------------------------------------------------------------- the objective


def kl_per_dimension(mean, log_var):
    """KL( N(μ_j, σ_j²) ‖ N(0, 1) ) for every latent dimension j: ½ (μ² + σ² − 1 − log σ²).

    Same shape as ``mean``; summed over the last axis it is
    :func:`~vae_from_scratch.distributions.analytic_gaussian_kl`.
    """
    return 0.5 * (mean ** 2 + anp.exp(log_var) - 1.0 - log_var)


def free_bits_kl(kl, free_bits=0.0):
    """The KL term of the free-bits objective: Σ_j max(λ, (1/B) Σ_i KL_ij) for KL (B, J).

    λ = ``free_bits`` in nats per latent dimension. With λ = 0 it is the minibatch mean of the
    total KL. A dimension below λ contributes the constant λ: its gradient is zero.
    """
    per_dimension = anp.mean(kl, axis=0)  # (J,): the minibatch average of each dimension's KL
    if free_bits == 0:
        return anp.sum(per_dimension)
    return anp.sum(anp.maximum(per_dimension, free_bits))


def objective(params, x, eps, beta=1.0, free_bits=0.0, likelihood="bernoulli"):
    """F = mean reconstruction − β · Σ_j max(λ, mean KL_j): one number for the minibatch, to MAXIMISE.

    ``params = (encoder_params, decoder_params)``; ``eps`` (L, B, J) or (B, J); ``likelihood``
    is "bernoulli" or "gaussian" (the MLP decoders of App. C) or a function
    ``log_likelihood(decoder_params, x, z) -> (L, B)`` for any other decoder. β = 1, λ = 0 gives
    the minibatch mean of :func:`~vae_from_scratch.objectives.elbo_estimator_b`.
    """
    encoder_params, decoder_params = params
    eps = eps[None] if anp.ndim(eps) == 2 else eps
    mean, log_var = encode(encoder_params, x)  # (B, J) each
    z = reparameterize(mean, log_var, eps)  # (L, B, J)
    reconstruction = anp.mean(log_likelihood_function(likelihood)(decoder_params, x, z))
    return reconstruction - beta * free_bits_kl(kl_per_dimension(mean, log_var), free_bits)


def log_likelihood_function(likelihood):
    """``log p_θ(x|z)`` as a function ``(decoder_params, x, z)``: a callable is used as it is."""
    if callable(likelihood):
        return likelihood

    def mlp_decoder(decoder_params, x, z):
        return decoder_log_likelihood(decoder_params, x, z, likelihood)

    return mlp_decoder


def autograd_value_and_grad(beta=1.0, free_bits=0.0, likelihood="bernoulli"):
    """``f(params, x, eps, step) -> (F, ∂F/∂params)`` for :func:`train_loop`, by autograd.

    ``beta`` is a number or a schedule (a function of the step); ``free_bits`` λ ≥ 0 in nats per
    dimension. The gradient is the ASCENT direction of :func:`objective`.
    """
    schedule = as_schedule(beta)
    free_bits = _check_number("free_bits", free_bits, minimum=0.0)
    value_and_grad = autograd.value_and_grad(objective)

    def f(params, x, eps, step):
        value, grads = value_and_grad(params, x, eps, schedule(step), free_bits, likelihood)
        return float(value), grads

    return f


# ----------------------------------------------------------------------------- the loop


def _negate(tree):
    if isinstance(tree, (list, tuple)):
        return type(tree)(_negate(branch) for branch in tree)
    return -tree


def train_loop(params, x_train, value_and_grad, *, epochs, batch_size=100, optimizer=None,
               n_samples=1, binarization="dynamic", seed=0, callback=None):
    """Algorithm 1 with any objective: shuffle, minibatch, ε, ascend ``value_and_grad``'s gradient.

    value_and_grad: ``f(params, x_batch, eps, step) -> (value, ascent gradient)``, with ``eps``
                    of shape (n_samples, M, J) and ``step`` the number of updates made so far.
    binarization:   "dynamic" (a fresh binary sample of every minibatch), "static" (threshold
                    0.5) or None (the data as given).
    callback:       ``callback(epoch, params)`` after every epoch (epochs count from 1).

    Updates ``params`` in place; returns a dict of per-step lists ``"value"`` (the objective of
    each minibatch). The random stream is ``default_rng(seed)``, consumed in the order of
    :func:`vae_from_scratch.train.fit` (permutation, binarization, ε), so the same seed gives the
    same minibatches and noise as ``fit``.
    """
    epochs = int(_check_number("epochs", epochs, minimum=1))
    batch_size = int(_check_number("batch_size", batch_size, minimum=1))
    n_samples = int(_check_number("n_samples", n_samples, minimum=1))
    if binarization not in ("dynamic", "static", None):
        raise ValueError(f"binarization must be 'dynamic', 'static' or None, got {binarization!r}")
    optimizer = checked_optimizer(optimizer, 1e-3)
    encoder_params = params[0]
    D, J = encoder_params[0][0].shape[0], encoder_params[-1][0].shape[1]
    x_train = check_data(x_train, "x_train", D, bernoulli=True).astype(encoder_params[0][0].dtype, copy=False)
    if binarization == "static":
        x_train = binarize_static(x_train)
    rng = np.random.default_rng(seed)
    n = len(x_train)
    batch_size = min(batch_size, n)
    steps_per_epoch = math.ceil(n / batch_size)
    values, step = [], 0
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        for s in range(steps_per_epoch):
            batch = x_train[order[s * batch_size:(s + 1) * batch_size]]
            if binarization == "dynamic":
                batch = binarize(batch, rng)
            eps = sample_eps(rng, n_samples, len(batch), J, batch.dtype)
            value, grads = value_and_grad(params, batch, eps, step)
            if not math.isfinite(value):
                raise FloatingPointError(f"the objective became {value} at epoch {epoch}, step {step}; "
                                         f"try a smaller learning rate (now {optimizer.lr:g})")
            optimizer.step(params, _negate(grads))  # optimizers descend: hand them −(ascent)
            values.append(value)
            step += 1
        if callback is not None:
            callback(epoch, params)
    return {"value": values}
