"""Checkers for the exercises of Chapter 10, "Exploring the latent space".

    >>> from vae_from_scratch.exercises import latent_space as ex
    >>> print(ex.check_aggregate_moments(my_moments))
    >>> print(ex.check_slerp(my_slerp))

``check_aggregate_moments`` expects ``my_moments(mean, log_var)`` → ``(centre, covariance)``: the
mean (J,) and covariance (J, J) of the aggregate posterior q(z) = (1/N) Σᵢ N(μᵢ, diag σᵢ²), given
the encoder's outputs ``mean`` and ``log_var`` (each (N, J), log_var = log σ²).

``check_slerp`` expects ``my_slerp(z_start, z_end, t)`` → (len(t), J): spherical linear
interpolation between two latent vectors (J,) at the fractions ``t`` (a 1-D array in [0, 1]).
"""
import numpy as np

from .. import latent
from . import compare_on_cases, hint


def _close(got, value):
    return np.allclose(got, value, rtol=1e-6, atol=1e-8)


# ---- the aggregate posterior's mean and covariance ----------------------------------------------


def _flat_moments(function):
    def flat(mean, log_var):
        centre, covariance = function(mean, log_var)
        return np.concatenate([np.ravel(centre), np.ravel(covariance)])
    return flat


def _shape_hint(candidate):
    """A hint if ``candidate`` does not return (centre (J,), covariance (J, J)); None otherwise."""
    mean, log_var = _moment_cases()[2]
    J = mean.shape[1]
    try:
        centre, covariance = candidate(mean.copy(), log_var.copy())
        shapes = np.shape(centre), np.shape(covariance)
    except Exception:  # crashes are reported by compare_on_cases with the case number
        return None
    if shapes != ((J,), (J, J)):
        return hint(f"return the pair (centre, covariance) with shapes ({J},) and ({J}, {J}) — a full "
                    f"covariance matrix, not just the variances; got shapes {shapes[0]} and {shapes[1]}.")
    return None


def _moment_cases():
    rng = np.random.default_rng(0)
    cases = []
    for N, J in ((6, 1), (8, 2), (5, 3), (20, 2)):
        mean = rng.normal(size=(N, J)) * rng.uniform(0.5, 2.0, size=J)
        log_var = rng.normal(size=(N, J)) - 1.0
        cases.append((mean, log_var))
    return cases


def _diagnose_moments(case, got, expected):
    mean, log_var = case
    N, J = mean.shape
    got_centre, got_cov = got[:J], got[J:].reshape(J, J)
    exp_centre, exp_cov = expected[:J], expected[J:].reshape(J, J)
    if not _close(got_centre, exp_centre):
        return "the centre is the average of the component means: (1/N) Σᵢ μᵢ."
    between = exp_cov - np.diag(np.exp(log_var).mean(axis=0))
    if _close(got_cov, between):
        return ("that is the covariance of the means alone; each component also spreads by its own "
                "σᵢ²: add (1/N) Σᵢ diag σᵢ² (the law of total variance).")
    if _close(got_cov, np.diag(np.exp(log_var).mean(axis=0))):
        return "that is only the average within-component variance; add the covariance of the means μᵢ."
    if _close(got_cov, between + np.diag(np.exp(0.5 * log_var).mean(axis=0))):
        return "log_var is log σ²: the variance is exp(log_var), not exp(log_var / 2) (that is σ)."
    if _close(got_cov, between * N / (N - 1) + np.diag(np.exp(log_var).mean(axis=0))):
        return ("the mixture's covariance averages over its N components with weight 1/N each, not "
                "1/(N − 1): use np.cov(..., bias=True) or divide by N.")
    return None


def check_aggregate_moments(candidate):
    """Check ``candidate(mean, log_var)`` → (centre (J,), covariance (J, J)) of the aggregate posterior."""
    if not callable(candidate):
        raise TypeError(f"pass your function itself, not {type(candidate).__name__}")
    wrong_shape = _shape_hint(candidate)
    if wrong_shape is not None:
        return wrong_shape
    return compare_on_cases(_flat_moments(candidate), _flat_moments(latent.aggregate_posterior_moments),
                            _moment_cases(), diagnose=_diagnose_moments, what="(centre, covariance)")


# ---- spherical interpolation ---------------------------------------------------------------------


def _slerp_cases():
    rng = np.random.default_rng(1)
    t = np.linspace(0.0, 1.0, 7)
    cases = [(np.array([1.0, 0.0]), np.array([0.0, 1.0]), t)]  # a quarter circle
    for J in (2, 5, 10):
        cases.append((rng.normal(size=J), rng.normal(size=J), t))
    cases.append((rng.normal(size=3), 3.0 * rng.normal(size=3), np.array([0.25, 0.5])))  # unequal lengths
    return cases


def _diagnose_slerp(case, got, expected):
    z_start, z_end, t = case
    if _close(got, latent.lerp(z_start, z_end, t)):
        return ("that is the straight line (1 − t) z₀ + t z₁; weight the ends by sin((1 − t)Ω)/sin Ω and "
                "sin(tΩ)/sin Ω, with cos Ω = z₀·z₁ / (‖z₀‖ ‖z₁‖).")
    if _close(got, latent.slerp(z_end, z_start, t)):
        return "the path runs backwards: at t = 0 it must be z_start, at t = 1 z_end."
    if _close(got[0], z_start) and _close(got[-1], z_end) and not _close(got, expected):
        unit = expected / np.linalg.norm(expected, axis=1, keepdims=True)
        if _close(got / np.linalg.norm(got, axis=1, keepdims=True), unit):
            return "the direction is right but the length is not: do not renormalise; the weights alone fix the length."
        return ("the ends are right but the middle is not: the angle is Ω = arccos(z₀·z₁ / (‖z₀‖ ‖z₁‖)), "
                "using the normalised vectors.")
    return None


def check_slerp(candidate):
    """Check ``candidate(z_start, z_end, t)`` → (len(t), J), spherical linear interpolation."""
    return compare_on_cases(candidate, latent.slerp, _slerp_cases(), diagnose=_diagnose_slerp, what="path")
