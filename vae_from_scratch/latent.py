"""Tools for looking at a trained latent space: grids, paths, the aggregate posterior, smoothness.

The paper's Fig. 4 decodes a grid of latent points; :func:`vae_from_scratch.plotting.manifold_latents`
makes that grid (the unit square through the inverse Gaussian CDF). This module adds what the
chapter on the latent space measures:

* :func:`linear_grid_latents` — an evenly spaced grid on the square [−r, r]², the background of a
  clickable latent plane;
* :func:`lerp` and :func:`slerp` — straight and great-circle paths between two latent points;
* :func:`aggregate_posterior_moments` — mean and covariance of the aggregate posterior
  q(z) = (1/N) Σᵢ q_φ(z|xᵢ), to compare with the prior N(0, I);
* :func:`grid_neighbour_distances` and :func:`random_pair_distances` — how far apart decoded
  images are for neighbouring grid points and for random pairs (is the decoder smooth?).
"""
import numpy as np


def _as_vector(z, name):
    z = np.asarray(z, dtype=float)
    if z.ndim != 1 or z.size == 0:
        raise ValueError(f"{name} must be a 1-D latent vector (J,), got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return z


def _as_fractions(t):
    t = np.atleast_1d(np.asarray(t, dtype=float))
    if t.ndim != 1:
        raise ValueError(f"t must be a number or a 1-D array of numbers, got shape {t.shape}")
    if not np.all(np.isfinite(t)):
        raise ValueError("t contains NaN or infinite values")
    return t


def _check_pair(z_start, z_end):
    z_start, z_end = _as_vector(z_start, "z_start"), _as_vector(z_end, "z_end")
    if z_start.shape != z_end.shape:
        raise ValueError(f"z_start and z_end must have the same length, got {z_start.size} and {z_end.size}")
    return z_start, z_end


def linear_grid_latents(n, z_range=3.0):
    """An n × n grid of cell midpoints on [−z_range, z_range]², (n·n, 2), in tiled-image order.

    Row by row from the top: z₂ decreases down the rows, z₁ increases along each row — the order
    of :func:`vae_from_scratch.plotting.tile_images`, so the decoded images tiled with ``pad=0``
    form a picture of the square with row 0 at z₂ = +z_range (what an ``imshow`` with
    ``extent=(−r, r, −r, r)`` expects).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    z_range = float(z_range)
    if not np.isfinite(z_range) or z_range <= 0:
        raise ValueError(f"z_range must be a positive number, got {z_range!r}")
    coords = -z_range + (np.arange(n) + 0.5) * (2 * z_range / n)
    z1, z2 = np.meshgrid(coords, coords[::-1])
    return np.stack([z1.ravel(), z2.ravel()], axis=1)


def lerp(z_start, z_end, t):
    """Points on the straight line (1 − t) z_start + t z_end, one row per value of t: (len(t), J)."""
    z_start, z_end = _check_pair(z_start, z_end)
    t = _as_fractions(t)[:, None]
    return (1.0 - t) * z_start + t * z_end


def slerp(z_start, z_end, t):
    """Spherical linear interpolation (Shoemake, 1985; White, 2016): (len(t), J).

    With Ω the angle between the two vectors (cos Ω = z₀·z₁ / (‖z₀‖ ‖z₁‖)),

        slerp(z₀, z₁; t) = sin((1 − t) Ω) / sin Ω · z₀ + sin(t Ω) / sin Ω · z₁.

    For vectors of equal length the path keeps that length (it follows a great circle), so it
    stays on the shell where a high-dimensional Gaussian puts its mass, where a straight line cuts
    inside it. Falls back to :func:`lerp` when the vectors are (anti)parallel or one is zero, where
    the great circle is not defined.
    """
    z_start, z_end = _check_pair(z_start, z_end)
    t = _as_fractions(t)[:, None]
    norms = np.linalg.norm(z_start) * np.linalg.norm(z_end)
    if norms == 0.0:
        return lerp(z_start, z_end, t[:, 0])
    cos_omega = np.clip(np.dot(z_start, z_end) / norms, -1.0, 1.0)
    omega = np.arccos(cos_omega)
    sin_omega = np.sin(omega)
    if sin_omega < 1e-8:
        return lerp(z_start, z_end, t[:, 0])
    return (np.sin((1.0 - t) * omega) * z_start + np.sin(t * omega) * z_end) / sin_omega


def aggregate_posterior_moments(mean, log_var):
    """Mean (J,) and covariance (J, J) of the aggregate posterior q(z) = (1/N) Σᵢ N(μᵢ, diag σᵢ²).

    A mixture's mean is the average of its components' means, and its covariance is the
    average within-component covariance plus the covariance of the component means (the law of
    total variance):

        E[z] = (1/N) Σᵢ μᵢ,        Cov[z] = (1/N) Σᵢ diag σᵢ² + (1/N) Σᵢ (μᵢ − E[z])(μᵢ − E[z])ᵀ.

    ``mean`` and ``log_var`` are the encoder's outputs for N datapoints, each (N, J). If the
    encoder matched the true posterior exactly and the data came from the model, the aggregate
    posterior would equal the prior: mean 0, covariance I.
    """
    mean, log_var = np.asarray(mean, dtype=float), np.asarray(log_var, dtype=float)
    if mean.ndim != 2 or mean.shape != log_var.shape:
        raise ValueError(f"mean and log_var must both have shape (N, J), got {mean.shape} and {log_var.shape}")
    centre = mean.mean(axis=0)
    deviations = mean - centre
    covariance = deviations.T @ deviations / len(mean) + np.diag(np.exp(log_var).mean(axis=0))
    return centre, covariance


def _check_images(images):
    images = np.asarray(images, dtype=float)
    if images.ndim != 2:
        raise ValueError(f"images must have shape (N, D), one image per row, got {images.shape}")
    return images


def grid_neighbour_distances(images, n):
    """Euclidean distances between the decoded images of horizontally and vertically adjacent
    cells of an n × n grid, e.g. of :func:`vae_from_scratch.plotting.manifold_latents`.

    ``images`` is (n·n, D) in row-major grid order. Returns the 2 n (n − 1) distances.
    """
    images = _check_images(images)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer ≥ 2, got {n!r}")
    if len(images) != n * n:
        raise ValueError(f"an {n} × {n} grid needs {n * n} images, got {len(images)}")
    grid = images.reshape(n, n, -1)
    across = np.linalg.norm(grid[:, 1:] - grid[:, :-1], axis=-1).ravel()
    down = np.linalg.norm(grid[1:, :] - grid[:-1, :], axis=-1).ravel()
    return np.concatenate([across, down])


def random_pair_distances(images, rng, n_pairs=1000):
    """Euclidean distances between the images of ``n_pairs`` random pairs of distinct rows."""
    images = _check_images(images)
    if len(images) < 2:
        raise ValueError("need at least two images to form a pair")
    rng = np.random.default_rng(rng)
    first = rng.integers(0, len(images), n_pairs)
    offset = rng.integers(1, len(images), n_pairs)  # never 0: the two rows differ
    second = (first + offset) % len(images)
    return np.linalg.norm(images[first] - images[second], axis=-1)
