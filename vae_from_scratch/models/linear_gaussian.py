"""The linear-Gaussian latent model (probabilistic PCA), where every quantity of AEVB is exact.

    p(z) = N(0, I_J),    p_θ(x|z) = N(x; W z + b, σ² I_D),    W (D, J), b (D,).

Here the things a VAE can only estimate have closed forms: the marginal likelihood
p(x) = N(x; b, W Wᵀ + σ² I), the true posterior p(z|x) (Gaussian), the ELBO of any Gaussian q,
and KL(q ‖ p(z|x)). So the identity at the heart of the paper (eq. 1),

    log p(x) = L(θ, φ; x) + KL(q_φ(z|x) ‖ p_θ(z|x)),

can be checked to rounding error, and with q the exact posterior the bound is tight.
Shapes: x is (batch, D) (or (D,)); q_mean and q_log_var are (batch, J); covariances (J, J) or
(batch, J, J). Written with autograd.numpy, so every function can be differentiated.
"""
import math

import autograd.numpy as np

from ..distributions import analytic_gaussian_kl

LOG_2PI = math.log(2.0 * math.pi)


def _check_shapes(x, W, b, sigma2):
    if np.ndim(W) != 2:
        raise ValueError(f"W must be a (D, J) matrix, got shape {np.shape(W)}")
    D = np.shape(W)[0]
    if np.shape(x)[-1] != D or np.shape(b) != (D,):
        raise ValueError(f"x (…, D) and b (D,) must match W's D = {D}; "
                         f"got x {np.shape(x)}, b {np.shape(b)}")
    if not np.all(sigma2 > 0.0):
        raise ValueError(f"sigma2 is a variance and must be positive, got {sigma2!r}")


def sample(W, b, sigma2, n, rng):
    """n draws of x from the model: z ~ N(0, I), x = W z + b + σ ε, ε ~ N(0, I). Returns (n, D)."""
    D, J = W.shape
    z = rng.standard_normal((n, J))
    return z @ W.T + b + math.sqrt(sigma2) * rng.standard_normal((n, D))


def log_marginal(x, W, b, sigma2):
    """log p(x) = log N(x; b, C),  C = W Wᵀ + σ² I  (z integrated out exactly). Shape (batch,)."""
    _check_shapes(x, W, b, sigma2)
    D = W.shape[0]
    cov = W @ W.T + sigma2 * np.eye(D, dtype=W.dtype)  # (D, D)
    resid = x - b  # (batch, D)
    _, log_det = np.linalg.slogdet(cov)
    mahalanobis = np.sum(resid * np.linalg.solve(cov, resid.T).T, axis=-1)
    return -0.5 * (D * LOG_2PI + log_det + mahalanobis)


def exact_posterior(x, W, b, sigma2):
    """p(z|x) = N(mean, cov) with  cov = (I + WᵀW/σ²)⁻¹  and  mean = cov Wᵀ (x − b)/σ².

    Returns ``mean`` (batch, J) and ``cov`` (J, J): the covariance does not depend on x.
    """
    _check_shapes(x, W, b, sigma2)
    J = W.shape[1]
    cov = np.linalg.inv(np.eye(J, dtype=W.dtype) + W.T @ W / sigma2)  # (J, J)
    mean = (x - b) @ W @ cov / sigma2  # (batch, J); cov is symmetric
    return mean, cov


def _expected_sq_residual(x, W, b, q_mean, W_cov_W):
    # E_q ‖x − W z − b‖² = ‖x − W m − b‖² + tr(Wᵀ W S), with the trace term passed in.
    resid = x - q_mean @ W.T - b  # (batch, D)
    return np.sum(resid ** 2, axis=-1) + W_cov_W


def elbo_gaussian_q(x, W, b, sigma2, q_mean, q_log_var):
    """The ELBO of q(z|x) = N(q_mean, diag exp(q_log_var)) in closed form, shape (batch,).

    L = E_q[log p(x|z)] − KL(q ‖ N(0, I)), with
    E_q[log p(x|z)] = −½ [ D log 2πσ² + ( ‖x − W m − b‖² + Σ_j s_j² ‖W_{:,j}‖² ) / σ² ]
    and the KL of App. B: the same split as estimator B (eq. 7), with no sampling at all.
    """
    _check_shapes(x, W, b, sigma2)
    D = W.shape[0]
    trace = np.exp(q_log_var) @ np.sum(W ** 2, axis=0)  # Σ_j s_j² ‖W_:j‖², (batch,)
    expected_log_lik = -0.5 * (D * math.log(2.0 * math.pi * sigma2)
                               + _expected_sq_residual(x, W, b, q_mean, trace) / sigma2)
    return expected_log_lik - analytic_gaussian_kl(q_mean, q_log_var)


def elbo_full_gaussian_q(x, W, b, sigma2, q_mean, q_cov):
    """The ELBO of q(z|x) = N(q_mean, q_cov) with a full covariance, shape (batch,).

    E_q[log p(x|z)] = −½ [ D log 2πσ² + ( ‖x − W m − b‖² + tr(WᵀW S) ) / σ² ],
    KL(N(m, S) ‖ N(0, I)) = ½ [ tr S + mᵀm − J − log det S ].
    At q = :func:`exact_posterior` it equals :func:`log_marginal`.
    """
    _check_shapes(x, W, b, sigma2)
    D, J = W.shape
    trace = np.sum((W.T @ W) * q_cov, axis=(-2, -1))  # tr(WᵀW S) for symmetric S
    expected_log_lik = -0.5 * (D * math.log(2.0 * math.pi * sigma2)
                               + _expected_sq_residual(x, W, b, q_mean, trace) / sigma2)
    _, log_det = np.linalg.slogdet(q_cov)
    kl_to_prior = 0.5 * (np.trace(q_cov, axis1=-2, axis2=-1) + np.sum(q_mean ** 2, axis=-1)
                         - J - log_det)
    return expected_log_lik - kl_to_prior


def kl_full_gaussians(mean_q, cov_q, mean_p, cov_p):
    """KL(N(m_q, S_q) ‖ N(m_p, S_p)) = ½ [ tr(S_p⁻¹ S_q) + (m_p − m_q)ᵀ S_p⁻¹ (m_p − m_q) − J
    + log det S_p − log det S_q ]. Means (batch, J); covariances (J, J) or (batch, J, J)."""
    J = np.shape(mean_q)[-1]
    diff = mean_p - mean_q  # (batch, J)
    precision_p = np.linalg.inv(cov_p)
    trace = np.sum(precision_p * cov_q, axis=(-2, -1))  # tr(S_p⁻¹ S_q), both symmetric
    mahalanobis = np.sum((diff @ precision_p) * diff, axis=-1)
    _, log_det_p = np.linalg.slogdet(cov_p)
    _, log_det_q = np.linalg.slogdet(cov_q)
    return 0.5 * (trace + mahalanobis - J + log_det_p - log_det_q)


def kl_full_q_to_posterior(x, W, b, sigma2, q_mean, q_cov):
    """KL(q(z|x) ‖ p(z|x)) for a full-covariance Gaussian q: the gap log p(x) − ELBO."""
    post_mean, post_cov = exact_posterior(x, W, b, sigma2)
    return kl_full_gaussians(q_mean, q_cov, post_mean, post_cov)


def kl_q_to_posterior(x, W, b, sigma2, q_mean, q_log_var):
    """KL(q(z|x) ‖ p(z|x)) for q = N(q_mean, diag exp(q_log_var)): the gap log p(x) − ELBO.

    A diagonal q cannot match a posterior whose covariance (I + WᵀW/σ²)⁻¹ is not diagonal, so
    this stays above zero unless the columns of W are orthogonal (or J = 1).
    """
    q_var = np.exp(q_log_var)  # (batch, J)
    q_cov = q_var[..., :, None] * np.eye(q_var.shape[-1], dtype=q_var.dtype)  # (batch, J, J)
    return kl_full_q_to_posterior(x, W, b, sigma2, q_mean, q_cov)
