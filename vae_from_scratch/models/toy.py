"""Toy latent-variable models small enough that the evidence p(x) is known exactly or by quadrature.

Part I of the book studies the generative model p_θ(x) = ∫ p_θ(x|z) p_θ(z) dz on examples where
every quantity can be checked:

- :class:`CurveModel`: a one-dimensional latent z ~ N(0, 1) mapped by a tiny tanh MLP (the
  *decoder*) onto a curve f_θ(z) in the plane, plus isotropic Gaussian noise,
  x | z ~ N(f_θ(z), σ² I). Its evidence and posterior are computed on a grid over z
  (:mod:`vae_from_scratch.quadrature`). :func:`fish_curve_decoder_params` gives the hand-set weights of
  the book's running example, a fish-shaped curve that crosses itself.
- :func:`mixture_log_density`: a finite mixture of isotropic Gaussians — a discrete latent. A grid
  over a continuous latent turns :class:`CurveModel` into exactly such a mixture
  (:meth:`CurveModel.mixture_components`): a continuous latent is an infinite mixture.
- The joint of the linear-Gaussian model (:func:`linear_gaussian_log_joint`), whose exact
  evidence is :func:`vae_from_scratch.models.linear_gaussian.log_marginal`, and the exact variance
  of naive Monte Carlo from the prior on it (:func:`prior_mc_relative_variance`).

Shapes follow the package: a batch of data is ``(batch, D)``, latents ``(..., batch, J)``, and
log-densities sum over the last axis.
"""
import math
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from ..distributions import log_normal, log_standard_normal
from ..nn import mlp
from ..quadrature import grid_log_evidence, grid_posterior, midpoint_nodes
from .linear_gaussian import log_marginal


def fish_curve_decoder_params(spread=1.2, depth=1.8, height=3.0, twist=1.4, shift=1.4):
    """Weights ``[(W₁, b₁), (W₂, b₂)]`` of a 1-3-2 tanh MLP whose output traces a fish (or an α).

    The three hidden units are h₁ = tanh(z + spread), h₂ = tanh(z − spread), h₃ = tanh(z). The
    outputs are

    - f₁ = depth·(h₁ − h₂) − shift, a bump: largest at z = 0 (the fish's head, on the right) and
      falling to −shift as |z| grows (the tail, on the left);
    - f₂ = height·(h₃ − twist·(h₁ + h₂)/2), which climbs through 0 at z = 0 and tends to
      ∓height·(twist − 1) as z → ±∞. With twist > 1 the two ends swap sides, so the curve crosses
      itself on the axis x₂ = 0: two different latents, ±z*, are decoded to the same point.
    """
    W1 = np.array([[1.0, 1.0, 1.0]])
    b1 = np.array([spread, -spread, 0.0])
    W2 = np.array([[depth, -0.5 * height * twist], [-depth, -0.5 * height * twist], [0.0, height]])
    b2 = np.array([-shift, 0.0])
    return [(W1, b1), (W2, b2)]


@dataclass(frozen=True)
class CurveModel:
    """p(z) = N(0, 1),  p(x|z) = N(x; f_θ(z), σ² I) with f_θ a tanh MLP from R to R^D.

    ``decoder_params`` are the MLP's ``[(W, b), ...]`` (see :mod:`vae_from_scratch.nn`);
    ``noise_std`` is σ. The latent is one-dimensional (J = 1), so its evidence is a 1-D integral
    that a fine grid computes to many digits.
    """

    decoder_params: list
    noise_std: float = 0.25

    @property
    def latent_dim(self):
        return int(self.decoder_params[0][0].shape[0])

    @property
    def data_dim(self):
        return int(self.decoder_params[-1][0].shape[1])

    def decode(self, z):
        """The decoder f_θ(z): the mean of p(x|z). z has shape (..., 1); returns (..., D)."""
        z = np.asarray(z, dtype=np.float64)
        return mlp(self.decoder_params, z.reshape(-1, z.shape[-1])).reshape(z.shape[:-1] + (self.data_dim,))

    def log_prior(self, z):
        """log p(z) = log N(z; 0, 1), shape (...)."""
        return log_standard_normal(np.asarray(z, dtype=np.float64))

    def log_likelihood(self, x, z):
        """log p(x|z) = log N(x; f_θ(z), σ² I); x (batch, D) and z (..., batch, 1) broadcast."""
        log_var = 2.0 * math.log(self.noise_std)
        return log_normal(np.asarray(x, dtype=np.float64), self.decode(z), log_var)

    def log_joint(self, x, z):
        """log p(x, z) = log p(x|z) + log p(z)."""
        return self.log_likelihood(x, z) + self.log_prior(z)

    def sample(self, n, rng):
        """Ancestral sampling: z_i ~ p(z), then x_i ~ p(x|z_i). Returns (z (n, 1), x (n, D))."""
        z = rng.standard_normal((int(n), self.latent_dim))
        x = self.decode(z) + self.noise_std * rng.standard_normal((int(n), self.data_dim))
        return z, x

    def log_marginal(self, x, n_grid=1200, limit=8.0, block=512):
        """log p(x) = log ∫ p(x|z) p(z) dz by midpoint quadrature over z ∈ [−limit, limit].

        Delegates to :func:`vae_from_scratch.quadrature.grid_log_evidence`; the datapoints are
        processed ``block`` at a time to bound memory. Returns shape (batch,).
        """
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        out = []
        for start in range(0, len(x), block):
            xb = x[start:start + block]
            out.append(
                grid_log_evidence(
                    lambda z: self.log_joint(xb, z[:, None, :]), self.latent_dim, n_grid, limit, chunk_size=4096
                )
            )
        return np.concatenate(out)

    def posterior_on_grid(self, x, n_grid=1200, limit=8.0):
        """p(z|x) = p(x|z) p(z) / p(x) at the midpoint nodes: returns (z nodes (G,), density (batch, G)).

        The density is normalised on the grid, Σ_k p(z_k|x) h = 1, which is Bayes' rule with
        p(x) from the same quadrature.
        """
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        nodes, h = midpoint_nodes(n_grid, limit)
        log_joint = self.log_joint(x, nodes[:, None, None])  # (G, batch)
        return nodes, grid_posterior(log_joint, h, axis=0).T

    def posterior_moments(self, x, n_grid=1200, limit=8.0):
        """Mean and standard deviation of p(z|x) from the grid posterior, each shape (batch,).

        E[z|x] ≈ Σ_k z_k p(z_k|x) h and Var[z|x] ≈ Σ_k (z_k − E[z|x])² p(z_k|x) h: the two numbers
        a Gaussian approximation q(z|x) = N(μ, s²) would try to match.
        """
        nodes, post = self.posterior_on_grid(x, n_grid, limit)
        h = nodes[1] - nodes[0] if n_grid > 1 else 2.0 * limit
        mean = post @ nodes * h
        var = np.sum(post * (nodes[None, :] - mean[:, None]) ** 2, axis=1) * h
        return mean, np.sqrt(var)

    def mixture_components(self, n_grid=1200, limit=8.0):
        """The grid as a Gaussian mixture: weights p(z_k) h, means f_θ(z_k), one std σ.

        The midpoint rule writes p(x) ≈ Σ_k p(z_k) h · N(x; f_θ(z_k), σ² I): a mixture of G
        Gaussians. Returns ``(weights (G,), means (G, D), stds (G,))`` for
        :func:`mixture_log_density`.
        """
        nodes, h = midpoint_nodes(n_grid, limit)
        weights = np.exp(self.log_prior(nodes[:, None])) * h
        return weights, self.decode(nodes[:, None]), np.full(n_grid, float(self.noise_std))


def fish_model(noise_std=0.25):
    """The book's running example: the fish-shaped curve of :func:`fish_curve_decoder_params`, noise σ."""
    return CurveModel(fish_curve_decoder_params(), noise_std)


def mixture_log_density(x, weights, means, stds):
    """log p(x) of a mixture of isotropic Gaussians, Σ_k π_k N(x; m_k, s_k² I).

    x (n, D), weights π (K,) summing to 1 (or to the quadrature's total), means (K, D), stds (K,).
    Each component's log-density is computed in log space and combined with ``logsumexp``:
    log p(x) = logsumexp_k [ log π_k + log N(x; m_k, s_k² I) ]. Returns shape (n,).
    """
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    means = np.asarray(means, dtype=np.float64)
    stds = np.asarray(stds, dtype=np.float64)
    log_var = np.broadcast_to(2.0 * np.log(stds)[:, None], means.shape)
    log_components = log_normal(x[None, :, :], means[:, None, :], log_var[:, None, :])  # (K, n)
    return logsumexp(np.log(np.asarray(weights, dtype=np.float64))[:, None] + log_components, axis=0)


def linear_gaussian_log_joint(x, z, W, b, sigma2):
    """log p(x, z) = log N(x; W z + b, σ² I) + log N(z; 0, I) of the linear-Gaussian model.

    The model of :mod:`vae_from_scratch.models.linear_gaussian`, whose ``log_marginal`` gives the
    exact evidence; here the joint, which grid quadrature and Monte Carlo integrate.
    x (batch, D), z (..., batch, J), W (D, J), b (D,); returns (..., batch).
    """
    z = np.asarray(z, dtype=np.float64)
    mean = z @ np.asarray(W, dtype=np.float64).T + b
    return log_normal(np.asarray(x, dtype=np.float64), mean, math.log(sigma2)) + log_standard_normal(z)


def prior_mc_relative_variance(x, W, b, sigma2):
    """Var[p(x|z)] / p(x)² for z ~ N(0, I): the relative variance of ONE naive Monte Carlo sample.

    The estimator p̂(x) = (1/S) Σ_s p(x|z_s), z_s ~ p(z), has relative variance this / S. In the
    linear-Gaussian model it is exact: squaring a Gaussian density halves its variance,
    N(x; m, σ² I)² = (4πσ²)^(−D/2) N(x; m, ½σ² I), so

        E_z[p(x|z)²] = (4πσ²)^(−D/2) N(x; b, W Wᵀ + ½σ² I),

    and the relative variance is E_z[p(x|z)²] / p(x)² − 1, with p(x) = N(x; b, W Wᵀ + σ² I).
    It grows exponentially with the dimension and with how far x lies from the data's bulk.
    """
    D = np.shape(W)[0]
    log_second_moment = -0.5 * D * math.log(4.0 * math.pi * sigma2) + log_marginal(x, W, b, 0.5 * sigma2)
    return np.expm1(log_second_moment - 2.0 * log_marginal(x, W, b, sigma2))
