"""Checkers for the exercises of Chapter 9, "Training".

    >>> from vae_from_scratch.exercises import training as ex
    >>> print(ex.check_adagrad_step(my_adagrad_step))
    >>> print(ex.check_map_objective(my_map_objective))

``check_adagrad_step`` expects ``my_adagrad_step(w, g, G, lr, eps)`` → ``(w_new, G_new)``: one
Adagrad DESCENT step on the weights ``w`` given the gradient ``g`` of the loss and the running sum of
squared gradients ``G`` (all arrays of one shape), returning new arrays (the library's
:class:`vae_from_scratch.optim.Adagrad` updates in place; yours need not).

``check_map_objective`` expects ``my_map_objective(bounds, params, N, weight_decay)`` → one number:
the per-datapoint MAP objective that :func:`vae_from_scratch.train.fit` ascends, the minibatch mean
of the per-datapoint bounds ``bounds`` (M,) plus (λ/N) log p(θ) with p(θ) = N(0, I) on every weight
and bias of ``params = (encoder_params, decoder_params)`` (λ = ``weight_decay``, N = the number of
training points). Drop the constant −(P/2) log 2π of log p(θ): it has no gradient.
"""
import numpy as np

from ..nn import init_gaussian_mlp, init_mlp
from ..objectives import log_weight_prior
from ..optim import Adagrad
from . import compare_on_cases


def _close(got, value):
    return np.allclose(got, value, rtol=1e-6, atol=1e-8)


# ---- one Adagrad step ---------------------------------------------------------------------------


def _library_adagrad_step(w, g, G, lr, eps):
    """The reference: the library's Adagrad, run for one step on copies, as (w_new, G_new)."""
    w_new = np.array(w, dtype=float)
    optimizer = Adagrad(lr, eps)
    optimizer.state = [np.array(G, dtype=float)]
    optimizer.step([w_new], [np.asarray(g, dtype=float)])
    return np.stack([w_new, optimizer.state[0]])


def _stacked(candidate):
    def stacked(w, g, G, lr, eps):
        w_new, G_new = candidate(w.copy(), g.copy(), G.copy(), lr, eps)
        return np.stack([np.asarray(w_new, dtype=float), np.asarray(G_new, dtype=float)])
    return stacked


def _adagrad_cases():
    rng = np.random.default_rng(0)
    cases = []
    for shape, lr, first in (((3,), 0.02, True), ((2, 3), 0.1, False), ((4,), 0.01, False), ((5,), 0.02, False)):
        w = rng.normal(size=shape)
        g = rng.normal(size=shape)
        G = np.zeros(shape) if first else rng.uniform(0.5, 3.0, size=shape)
        cases.append((w, g, G, lr, 1e-8))
    return cases


def _diagnose_adagrad(case, got, expected):
    w, g, G, lr, eps = case
    got_w, got_G = got
    exp_w, exp_G = expected
    if _close(got_G, G + np.abs(g)):
        return "G accumulates the SQUARED gradients: G ← G + g ⊙ g, not |g|."
    if np.any(G != 0) and _close(got_G, g * g):
        return ("G must keep a running SUM over all steps (G ← G + g²); you replaced it with this "
                "step's g² alone, which forgets the past (that is closer to RMSprop without averaging).")
    if not _close(got_G, exp_G):
        return "G_new is off: Adagrad accumulates G ← G + g ⊙ g, element by element."
    if _close(got_w, 2 * w - exp_w):
        return ("the step has the wrong sign: g is the gradient of the LOSS (the negative bound), so "
                "descend, w ← w − η g / (√G + ε).")
    if _close(got_w, w - lr * g / (exp_G + eps)):
        return "divide by the square root of G: w ← w − η g / (√G + ε)."
    if _close(got_w, w - lr * g / (np.sqrt(G) + eps)):
        return ("update G first, then take the step with the NEW G (which includes this g²); with the "
                "old G the very first step divides by ε.")
    if _close(got_w, w - lr * g):
        return "this is a plain SGD step; Adagrad divides each weight's step by √G + ε."
    return None


def check_adagrad_step(candidate):
    """Check ``candidate(w, g, G, lr, eps)`` → (w_new, G_new), one Adagrad descent step."""
    if not callable(candidate):
        raise TypeError(f"pass your function itself, not {type(candidate).__name__}")
    return compare_on_cases(_stacked(candidate), _library_adagrad_step, _adagrad_cases(),
                            diagnose=_diagnose_adagrad, what="(w_new, G_new)")


# ---- the MAP objective (eq. 8 plus log p(θ), per datapoint) --------------------------------------


def reference_map_objective(bounds, params, N, weight_decay):
    """mean_i L̃(x⁽ⁱ⁾) + (λ/N) log p(θ): what :func:`vae_from_scratch.train.fit` ascends."""
    return float(np.mean(bounds)) + weight_decay / N * float(log_weight_prior(params))


def _small_params(rng, D=6, H=4, J=2):
    """Small VAE parameters with NONZERO biases (Glorot starts them at 0), so biases count."""
    encoder = init_gaussian_mlp(D, (H,), J, rng, "glorot")
    decoder = init_mlp([J, H, D], rng, "glorot")
    return tuple([(W, b + rng.normal(size=b.shape)) for W, b in net] for net in (encoder, decoder))


def _map_cases():
    rng = np.random.default_rng(1)
    cases = []
    for M, N, weight_decay in ((5, 100, 1.0), (3, 50, 2.0), (8, 1000, 1.0), (4, 20, 0.5)):
        bounds = -20.0 + rng.normal(size=M)
        cases.append((bounds, _small_params(rng), N, weight_decay))
    return cases


def _diagnose_map(case, got, expected):
    bounds, params, N, weight_decay = case
    log_prior = float(log_weight_prior(params))
    mean = float(np.mean(bounds))
    M = len(bounds)
    if _close(got, mean):
        return "the prior term is missing: add (λ/N) log p(θ), with log p(θ) = −½ Σ w² over all weights."
    if _close(got, mean - weight_decay / N * log_prior):
        return "the prior term has the wrong sign: log p(θ) = −½ Σ w² is negative, so it lowers the objective."
    if _close(got, mean + weight_decay * log_prior):
        return ("divide the prior term by N: eq. (8) plus log p(θ) is N · mean L̃ + log p(θ); per "
                "datapoint that is mean L̃ + (1/N) log p(θ).")
    if _close(got, mean + 2 * weight_decay / N * log_prior):
        return "log p(θ) under N(0, I) is −½ Σ w² (plus a constant): you are missing the ½."
    if _close(got, N * mean + weight_decay * log_prior):
        return ("that is eq. (8) plus log p(θ) on the whole dataset; the library reports it per "
                "datapoint: divide everything by N.")
    if _close(got, N / M * np.sum(bounds) + weight_decay * log_prior):
        return "that is the dataset-level objective; divide by N to get nats per datapoint."
    params_without_biases = tuple([(W, np.zeros_like(b)) for W, b in net] for net in params)
    if _close(got, mean + weight_decay / N * float(log_weight_prior(params_without_biases))):
        return "the prior N(0, I) is on every parameter: include the biases b as well as the weights W."
    return None


def check_map_objective(candidate):
    """Check ``candidate(bounds, params, N, weight_decay)`` → the per-datapoint MAP objective."""
    return compare_on_cases(candidate, reference_map_objective, _map_cases(),
                            diagnose=_diagnose_map, what="MAP objective")
