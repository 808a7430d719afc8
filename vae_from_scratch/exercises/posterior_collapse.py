"""Checkers for the exercises of Chapter 17, "Posterior collapse and the β knob".

    >>> from vae_from_scratch.exercises import posterior_collapse as ex
    >>> print(ex.check_free_bits_kl(my_free_bits_kl))
    >>> print(ex.check_cyclical_schedule(my_cyclical))

``check_free_bits_kl`` expects ``my_free_bits_kl(kl, free_bits)`` → one number: the KL term of the
free-bits objective, Σ_j max(λ, (1/B) Σ_i KL_ij), for ``kl`` (B, J) the KL of every datapoint i
and latent dimension j and λ = ``free_bits`` (:func:`vae_from_scratch.schedules.free_bits_kl`).

``check_cyclical_schedule`` expects ``my_cyclical(step, period, ramp)`` → β at that step:
min(1, (step mod period) / (ramp · period)) (:func:`vae_from_scratch.schedules.cyclical`).
"""
import numpy as np

from ..schedules import cyclical, free_bits_kl
from . import compare_on_cases


def _close(got, value):
    return np.allclose(got, value, rtol=1e-6, atol=1e-8)


# ---- free bits ------------------------------------------------------------------------------------


def _free_bits_cases():
    rng = np.random.default_rng(0)
    cases = []
    for B, J, free_bits in ((5, 4, 0.0), (6, 3, 0.5), (8, 6, 0.25), (4, 5, 1.0)):
        scale = rng.uniform(0.05, 2.0, size=J)  # some dimensions below λ on average, some above
        cases.append((rng.exponential(scale, size=(B, J)), free_bits))
    return cases


def _diagnose_free_bits(case, got, expected):
    kl, lam = case
    B, J = kl.shape
    per_dim = kl.mean(axis=0)
    if _close(got, np.sum(np.mean(np.maximum(kl, lam), axis=0))):
        return ("average each dimension's KL over the minibatch FIRST, then compare the average with λ: "
                "Σ_j max(λ, (1/B) Σ_i KL_ij). Taking the maximum per datapoint charges λ to every "
                "datapoint whose KL happens to be small.")
    if _close(got, expected - J * lam):
        return ("yours is Σ_j max(0, KL_j − λ): the same gradient, but a value J·λ lower. The free-bits "
                "term is Σ_j max(λ, KL_j) — a dimension below λ is charged λ, not 0.")
    if _close(got, max(lam, per_dim.sum())) or _close(got, max(J * lam, per_dim.sum())):
        return ("free bits apply to each latent dimension separately: compare every dimension's average "
                "KL with λ and sum, Σ_j max(λ, KL_j), not the total KL with one threshold.")
    if _close(got, np.sum(np.minimum(per_dim, lam))):
        return "use the maximum, not the minimum: a dimension is charged at least λ, max(λ, KL_j)."
    if _close(got, np.sum(np.maximum(kl.sum(axis=0), lam))):
        return "average the KL over the B datapoints of the minibatch, do not sum it."
    return None


def check_free_bits_kl(candidate):
    """Check ``candidate(kl, free_bits)`` → Σ_j max(λ, mean_i KL_ij)."""
    return compare_on_cases(candidate, free_bits_kl, _free_bits_cases(), diagnose=_diagnose_free_bits,
                            what="free-bits KL term")


# ---- cyclical annealing --------------------------------------------------------------------------


def _cyclical_reference(step, period, ramp):
    return np.asarray(cyclical(period, ramp)(step))


def _cyclical_cases():
    return [(step, period, ramp) for period, ramp in ((100, 0.5), (40, 0.25), (30, 1.0))
            for step in (0, 7, period // 4, period // 2, period - 1, period, period + 3, 3 * period + 11)]


def _diagnose_cyclical(case, got, expected):
    step, period, ramp = case
    position = step % period
    if got > 1.0 + 1e-9:
        return "β must stop at 1: once the ramp is over, β = 1 until the cycle ends (take min(1, …))."
    if _close(got, min(1.0, step / (ramp * period))):
        return "the schedule must restart every `period` steps: use the position step mod period."
    if _close(got, position / period):
        return "β reaches 1 after ramp · period steps of each cycle, not after the whole period."
    if _close(got, min(1.0, (position + 1) / (ramp * period))):
        return "count steps from 0: β = 0 at the first step of every cycle."
    return None


def check_cyclical_schedule(candidate):
    """Check ``candidate(step, period, ramp)`` → min(1, (step mod period) / (ramp · period))."""
    return compare_on_cases(candidate, _cyclical_reference, _cyclical_cases(), diagnose=_diagnose_cyclical,
                            what="β")
