"""Monte Carlo estimators of the gradient of an expectation, ∇_φ E_{q_φ(z)}[f(z)].

The problem of §2.2 of the paper: the distribution the expectation is taken over depends on the
parameters φ we differentiate with respect to, so "sample, then differentiate f" is not allowed.
Two unbiased estimators, for a diagonal Gaussian q_φ(z) = N(z; μ, diag σ²) with φ = (μ, log σ).
The score-function estimator (REINFORCE, the log-derivative trick; Williams, 1992)::

    ∇_φ E_q[f(z)] = E_q[ (f(z) − b) ∇_φ log q_φ(z) ]
                  ≈ (1/S) Σ_s (f(z_s) − b) ∇_φ log q_φ(z_s),      z_s ~ q_φ,

for any baseline b that does not depend on z_s (b = 0 is the plain estimator). The pathwise
estimator (reparameterization, paper eq. 4–5)::

    ∇_φ E_q[f(z)] = E_{p(ε)}[ ∇_φ f(g_φ(ε)) ]  ≈ (1/S) Σ_s ∇_φ f(g_φ(ε_s)),
    g_φ(ε) = μ + σ ⊙ ε,  ε_s ~ N(0, I).

The score-function estimator needs only values of f; the pathwise estimator needs f to be
differentiable in z (autograd differentiates f(g_φ(ε)) here).

Conventions. ``mean`` and ``log_sigma`` have shape (J,). The noise ``eps`` has shape (..., S, J):
S samples along axis −2, and any leading axes (e.g. R independent repetitions) broadcast through.
``f`` maps an array (..., J) of latents to an array (...) of values, one per latent vector, and
must be written with ``autograd.numpy`` for the pathwise estimator. Every estimator returns the
pair (gradient with respect to μ, gradient with respect to log σ), each of shape (..., J).
The ``*_terms`` functions return the S per-sample terms before averaging, shape (..., S, J).
"""
import math
import warnings

import autograd.numpy as np
from autograd import grad
from autograd.scipy.stats import norm

LOG_2PI = math.log(2.0 * math.pi)


# ---- the Gaussian q_φ: sampler g_φ, log-density and score -----------------------------------


def gaussian_sample(mean, log_sigma, eps):
    """z = g_φ(ε) = μ + σ ⊙ ε with σ = exp(log σ): a draw of N(μ, diag σ²) when ε ~ N(0, I)."""
    return mean + np.exp(log_sigma) * eps


def gaussian_log_density(z, mean, log_sigma):
    """log q_φ(z) = −½ Σ_j [ log 2π + 2 log σ_j + (z_j − μ_j)² / σ_j² ], summed over the last axis."""
    return -0.5 * np.sum(LOG_2PI + 2.0 * log_sigma + (z - mean) ** 2 * np.exp(-2.0 * log_sigma), axis=-1)


def gaussian_score(z, mean, log_sigma):
    """The score ∇_φ log q_φ(z) of N(μ, diag σ²) with respect to φ = (μ, log σ), per coordinate.

    ∂ log q / ∂μ_j     = (z_j − μ_j) / σ_j²
    ∂ log q / ∂log σ_j = (z_j − μ_j)² / σ_j² − 1
    Both have expectation zero under q, which is why a constant baseline adds no bias.
    """
    standardized = (z - mean) * np.exp(-log_sigma)  # (z − μ)/σ, a draw of N(0, 1) when z ~ q
    return standardized * np.exp(-log_sigma), standardized ** 2 - 1.0


# ---- the score-function (REINFORCE) estimator ------------------------------------------------


def leave_one_out_baseline(values):
    """b_s = mean of the other S − 1 values of f, along axis −1 (needs S ≥ 2).

    b_s does not depend on z_s (the samples are independent), so subtracting it keeps the
    estimator unbiased, and it is close to E_q[f] when S is large.
    """
    S = values.shape[-1]
    if S < 2:
        raise ValueError("the leave-one-out baseline needs at least 2 samples")
    return (np.sum(values, axis=-1, keepdims=True) - values) / (S - 1)


def score_function_terms(f, mean, log_sigma, eps, baseline=0.0):
    """The S terms (f(z_s) − b) ∇_φ log q_φ(z_s), z_s = μ + σ ε_s; each (..., S, J).

    ``baseline`` is a number (a constant b; 0 for the plain estimator)
    or ``"leave-one-out"``.
    """
    z = gaussian_sample(mean, log_sigma, eps)  # z_s ~ q_φ; only f's values are used
    values = f(z)  # (..., S)
    if isinstance(baseline, str):
        if baseline != "leave-one-out":
            raise ValueError(
                f'baseline must be a number or "leave-one-out", got {baseline!r}')
        baseline = leave_one_out_baseline(values)
    weight = (values - baseline)[..., None]  # (..., S, 1)
    score_mean, score_log_sigma = gaussian_score(z, mean, log_sigma)
    return weight * score_mean, weight * score_log_sigma


def score_function_gradient(f, mean, log_sigma, eps, baseline=0.0):
    """Score-function estimate of ∇_(μ, log σ) E_q[f(z)] from the S samples of ``eps``."""
    terms_mean, terms_log_sigma = score_function_terms(f, mean, log_sigma, eps, baseline)
    return np.mean(terms_mean, axis=-2), np.mean(terms_log_sigma, axis=-2)


# ---- the pathwise (reparameterization) estimator ----------------------------------------------


def pathwise_terms(f, mean, log_sigma, eps):
    """The S terms ∇_φ f(g_φ(ε_s)), computed by autograd; each (..., S, J).

    Each sample gets its own copy of φ, so one backward pass through
    Σ_s f(g_φ(ε_s)) yields every per-sample gradient. If f is flat wherever
    it is differentiable (a step function), every term is zero: autograd's
    warning "Output seems independent of input" is silenced here, because
    that zero is exactly the pathwise estimator's (wrong) answer.
    """
    copies = (mean + np.zeros_like(eps), log_sigma + np.zeros_like(eps))

    def total(phi):
        return np.sum(f(gaussian_sample(phi[0], phi[1], eps)))

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Output seems independent")
        terms_mean, terms_log_sigma = grad(total)(copies)
    return terms_mean, terms_log_sigma


def pathwise_gradient(f, mean, log_sigma, eps):
    """Pathwise (reparameterization) estimate of ∇_(μ, log σ) E_q[f(z)] from the S samples of ``eps``."""
    terms_mean, terms_log_sigma = pathwise_terms(f, mean, log_sigma, eps)
    return np.mean(terms_mean, axis=-2), np.mean(terms_log_sigma, axis=-2)


# ---- test functions whose Gaussian expectation has a closed form ------------------------------


def square(z):
    """f(z) = ‖z‖² = Σ_j z_j²."""
    return np.sum(z ** 2, axis=-1)


def expected_square(mean, log_sigma):
    """E_q‖z‖² = Σ_j (μ_j² + σ_j²)."""
    return np.sum(mean ** 2 + np.exp(2.0 * log_sigma), axis=-1)


def step(z):
    """f(z) = number of positive coordinates, Σ_j 1[z_j > 0]: piecewise constant in z."""
    return np.sum(z > 0.0, axis=-1) * 1.0


def expected_step(mean, log_sigma):
    """E_q Σ_j 1[z_j > 0] = Σ_j Φ(μ_j / σ_j), Φ the standard normal CDF."""
    return np.sum(norm.cdf(mean * np.exp(-log_sigma)), axis=-1)


def gaussian_bump(z, center=0.0, width=1.0):
    """f(z) = N(z; center, width² I), a smooth bump of height (2π width²)^(−J/2)."""
    return np.exp(-0.5 * np.sum(LOG_2PI + 2.0 * np.log(width) + ((z - center) / width) ** 2, axis=-1))


def expected_gaussian_bump(mean, log_sigma, center=0.0, width=1.0):
    """E_q N(z; c, w² I) = Π_j N(μ_j; c, σ_j² + w²): the convolution of two Gaussians."""
    var = np.exp(2.0 * log_sigma) + width ** 2
    return np.exp(-0.5 * np.sum(LOG_2PI + np.log(var) + (mean - center) ** 2 / var, axis=-1))


def exact_gradient(expectation, mean, log_sigma):
    """∇_(μ, log σ) of a closed-form expectation E_q[f] (e.g. :func:`expected_square`), by autograd."""
    grad_mean, grad_log_sigma = grad(lambda phi: expectation(phi[0], phi[1]))((mean, log_sigma))
    return grad_mean, grad_log_sigma


# ---- measuring an estimator -------------------------------------------------------------------


def repeated_estimates(estimator, f, mean, log_sigma, rng, n_samples, n_repeats, **options):
    """``n_repeats`` independent estimates, each from ``n_samples`` draws of ε; shapes (R, J).

    ``estimator`` is :func:`score_function_gradient` or :func:`pathwise_gradient`; ``options``
    are passed on (e.g. ``baseline="leave-one-out"``). The spread of the R estimates across
    repetitions is the estimator's sampling variability at this S.
    """
    eps = rng.standard_normal((n_repeats, n_samples, np.shape(mean)[-1]))
    return estimator(f, mean, log_sigma, eps, **options)
