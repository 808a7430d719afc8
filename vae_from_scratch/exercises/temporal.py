"""Checkers for the chapter on time: clock schedules, receptive fields, μ-law codes, COPY/UPDATE.

    >>> from vae_from_scratch.exercises import temporal as ex
    >>> ex.check_receptive_field(my_receptive_field)
"""
import numpy as np

from ..models import boundaries, clockwork_rnn, wavenet
from ..sequences import mu_law_compress, mu_law_encode
from . import compare_on_cases

# ---- the Clockwork RNN's schedule ---------------------------------------------------------------

SCHEDULE_CASES = [
    (9, np.array([1, 2, 4, 8])),
    (20, np.array([1, 2, 4, 8, 16])),
    (12, np.array([1, 3, 4])),  # periods need not be powers of two
    (5, np.array([1, 1])),  # the plain RNN: everything every step
]


def check_clock_schedule(candidate):
    """``candidate(n_steps, periods)`` → boolean (n_steps, n_modules): does module i update at step t?"""

    def diagnose(case, got, expected):
        n_steps, periods = case
        t = np.arange(n_steps)[:, None]
        if np.array_equal(got, (t + 1) % periods == 0):
            return "you count steps from 1: with t = 0, 1, 2, …, every module updates at t = 0 (0 mod T = 0)."
        if np.array_equal(got, t % periods != 0):
            return "the condition is reversed: module i UPDATES when t mod T_i = 0 and keeps its state otherwise."
        if np.array_equal(got, t % (np.arange(len(periods)) + 1) == 0):
            return "use the module's period T_i (1, 2, 4, …), not its index i."
        return None

    return compare_on_cases(candidate, clockwork_rnn.schedule, SCHEDULE_CASES, diagnose=diagnose,
                            what="schedule")


# ---- WaveNet's receptive field ------------------------------------------------------------------

RECEPTIVE_FIELD_CASES = [
    ((1, 2, 4, 8), 2),
    ((1, 2, 4, 8, 16, 1, 2, 4, 8, 16), 2),
    ((1, 1, 1), 2),
    ((1, 2, 4), 3),
    ((3, 5), 2),
]


def check_receptive_field(candidate):
    """``candidate(dilations, kernel_size)`` → R, the number of past samples one prediction depends on."""

    def diagnose(case, got, expected):
        dil, K = case
        got = float(got)
        if got == (K - 1) * sum(dil):
            return "one short: the sum counts how far back the layers reach; add 1 for the newest input itself."
        if got == 1 + sum(dil) and K != 2:
            return "a width-K convolution reaches (K − 1)·d steps back, not d: multiply the sum by K − 1."
        if got == 2 ** len(dil):
            return "2^L holds for ONE stack of dilations 1, 2, 4, …; sum the dilations instead."
        if got == 1 + (K - 1) * max(dil) or got == K * max(dil):
            return "every layer adds its own reach: sum over the layers, not just the largest dilation."
        return None

    return compare_on_cases(candidate, wavenet.receptive_field, RECEPTIVE_FIELD_CASES, diagnose=diagnose,
                            what="receptive field")


# ---- μ-law codes ----------------------------------------------------------------------------------

MU_LAW_CASES = [
    (np.linspace(-1.0, 1.0, 41), 8),
    (np.array([0.0, 0.001, -0.001, 0.02, -0.5, 0.9]), 6),
    (np.array([-1.0, -0.3, 0.0, 0.3, 1.0]), 4),
]


def check_mu_law_encode(candidate):
    """``candidate(x, bits)`` → integer codes 0 … 2^bits − 1 (μ = 2^bits − 1, round to the nearest level)."""

    def diagnose(case, got, expected):
        x, bits = case
        n = 2 ** bits
        if np.array_equal(got, np.rint((x + 1.0) * (n - 1) / 2.0)):
            return "this is uniform quantization: compress x with f(x) = sign(x) ln(1 + μ|x|)/ln(1 + μ) first."
        if np.array_equal(got, np.rint((mu_law_compress(x, 255.0) + 1.0) * (n - 1) / 2.0)) and bits != 8:
            return "μ must match the number of levels: μ = 2^bits − 1, not always 255."
        if np.array_equal(got, np.floor((mu_law_compress(x, n - 1.0) + 1.0) * (n - 1) / 2.0)):
            return "round to the NEAREST level (np.rint), not down: flooring shifts every code by up to one level."
        if np.array_equal(got, np.rint((np.abs(mu_law_compress(x, n - 1.0)) + 1.0) * (n - 1) / 2.0)):
            return "keep the sign: f(x) = sign(x) · ln(1 + μ|x|) / ln(1 + μ)."
        return None

    return compare_on_cases(candidate, mu_law_encode, MU_LAW_CASES, atol=0, rtol=0, diagnose=diagnose, what="encoder")


# ---- COPY / UPDATE ------------------------------------------------------------------------------


def _copy_update_cases():
    rng = np.random.default_rng(15)
    hard = np.array([[1, 0, 0, 1, 0, 1, 1, 0]], dtype=float)
    soft = rng.uniform(size=(2, 6))
    soft[:, 0] = 1.0
    return [
        (hard, np.arange(8.0).reshape(1, 8, 1)),
        (hard, rng.standard_normal((1, 8, 3))),
        (soft, rng.standard_normal((2, 6, 2))),
    ]


def check_copy_update(candidate):
    """``candidate(m, u)`` → z with z_t = m_t u_t + (1 − m_t) z_{t−1}, z_{−1} = 0; m (batch, T), u (batch, T, S)."""

    def diagnose(case, got, expected):
        m, u = case
        if np.allclose(got, boundaries.copy_update(1.0 - m, u)):
            return "the roles of m are swapped: m_t = 1 means UPDATE (take u_t), m_t = 0 means COPY (keep z_{t−1})."
        if np.allclose(got, np.broadcast_to(m[..., None] * u, u.shape)):
            return "on a COPY step z_t must keep z_{t−1}, not become 0: add (1 − m_t) z_{t−1}."
        return None

    return compare_on_cases(candidate, boundaries.copy_update, _copy_update_cases(), diagnose=diagnose,
                            what="recurrence")

