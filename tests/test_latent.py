"""Latent-space tools: grids, straight and spherical paths, aggregate-posterior moments, smoothness."""
import numpy as np
import pytest

from vae_from_scratch import latent
from vae_from_scratch.plotting import manifold_latents, tile_images


def test_linear_grid_is_evenly_spaced_midpoints_in_tiled_order():
    z = latent.linear_grid_latents(4, z_range=2.0)
    assert z.shape == (16, 2)
    np.testing.assert_allclose(z[:4, 0], [-1.5, -0.5, 0.5, 1.5])  # z1 increases along a row
    np.testing.assert_allclose(z[::4, 1], [1.5, 0.5, -0.5, -1.5])  # z2 decreases down the rows
    np.testing.assert_allclose(z[:4, 1], 1.5)


def test_linear_grid_has_manifold_latents_order():
    # Same ordering convention as plotting.manifold_latents: sort keys agree.
    a, b = latent.linear_grid_latents(5), manifold_latents(5)
    np.testing.assert_array_equal(np.argsort(a[:, 0], kind="stable"), np.argsort(b[:, 0], kind="stable"))
    np.testing.assert_array_equal(np.argsort(-a[:, 1], kind="stable"), np.argsort(-b[:, 1], kind="stable"))


def test_linear_grid_tiles_into_a_picture_of_the_square():
    # Decode z -> an 1x1 "image" holding z1: the tiled picture increases left to right.
    z = latent.linear_grid_latents(3)
    picture = tile_images(z[:, :1], (1, 1), ncols=3, pad=0)
    assert np.all(np.diff(picture, axis=1) > 0)
    picture2 = tile_images(z[:, 1:], (1, 1), ncols=3, pad=0)
    assert np.all(np.diff(picture2, axis=0) < 0)  # z2 decreases downwards


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_linear_grid_rejects_bad_n(bad):
    with pytest.raises(ValueError, match="n must be"):
        latent.linear_grid_latents(bad)


def test_linear_grid_rejects_bad_range():
    with pytest.raises(ValueError, match="z_range"):
        latent.linear_grid_latents(3, z_range=0.0)


def test_lerp_ends_and_midpoint():
    a, b = np.array([1.0, -2.0, 0.5]), np.array([3.0, 2.0, -0.5])
    path = latent.lerp(a, b, [0.0, 0.5, 1.0])
    assert path.shape == (3, 3)
    np.testing.assert_allclose(path[0], a)
    np.testing.assert_allclose(path[1], (a + b) / 2)
    np.testing.assert_allclose(path[2], b)
    np.testing.assert_allclose(latent.lerp(a, b, 0.25), [0.75 * a + 0.25 * b])


def test_slerp_ends_and_constant_norm_for_equal_lengths():
    rng = np.random.default_rng(0)
    a = rng.normal(size=10)
    b = rng.normal(size=10)
    b *= np.linalg.norm(a) / np.linalg.norm(b)
    t = np.linspace(0, 1, 11)
    path = latent.slerp(a, b, t)
    np.testing.assert_allclose(path[0], a, atol=1e-12)
    np.testing.assert_allclose(path[-1], b, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), np.linalg.norm(a), rtol=1e-12)
    # whereas the straight line dips inside the sphere in the middle
    assert np.linalg.norm(latent.lerp(a, b, 0.5)) < np.linalg.norm(a)


def test_slerp_angles_advance_uniformly():
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    path = latent.slerp(a, b, [0.0, 1 / 3, 2 / 3, 1.0])
    angles = np.arctan2(path[:, 1], path[:, 0])
    np.testing.assert_allclose(angles, [0, np.pi / 6, np.pi / 3, np.pi / 2], atol=1e-12)


def test_slerp_falls_back_to_lerp_when_undefined():
    a = np.array([1.0, 2.0])
    np.testing.assert_allclose(latent.slerp(a, 2 * a, [0.3]), latent.lerp(a, 2 * a, [0.3]))
    np.testing.assert_allclose(latent.slerp(np.zeros(2), a, [0.3]), latent.lerp(np.zeros(2), a, [0.3]))


def test_paths_reject_mismatched_or_bad_inputs():
    with pytest.raises(ValueError, match="same length"):
        latent.lerp(np.zeros(2), np.zeros(3), 0.5)
    with pytest.raises(ValueError, match="1-D"):
        latent.slerp(np.zeros((2, 2)), np.zeros(2), 0.5)
    with pytest.raises(ValueError, match="NaN"):
        latent.lerp(np.array([np.nan, 0.0]), np.zeros(2), 0.5)
    with pytest.raises(ValueError, match="t contains"):
        latent.lerp(np.zeros(2), np.ones(2), [np.inf])


def test_aggregate_moments_match_samples_from_the_mixture():
    rng = np.random.default_rng(1)
    N, J = 50, 3
    mean = rng.normal(size=(N, J)) * [1.0, 0.5, 2.0]
    log_var = rng.normal(size=(N, J)) - 1.0
    centre, cov = latent.aggregate_posterior_moments(mean, log_var)
    # Monte Carlo: pick a component uniformly, then sample from it.
    k = rng.integers(0, N, 400_000)
    z = mean[k] + np.exp(0.5 * log_var[k]) * rng.standard_normal((len(k), J))
    np.testing.assert_allclose(centre, z.mean(axis=0), atol=0.02)
    np.testing.assert_allclose(cov, np.cov(z.T), atol=0.03)


def test_aggregate_moments_of_prior_copies_are_the_prior():
    centre, cov = latent.aggregate_posterior_moments(np.zeros((5, 2)), np.zeros((5, 2)))
    np.testing.assert_allclose(centre, 0.0)
    np.testing.assert_allclose(cov, np.eye(2))


def test_aggregate_moments_reject_shape_mismatch():
    with pytest.raises(ValueError, match="shape"):
        latent.aggregate_posterior_moments(np.zeros((5, 2)), np.zeros((5, 3)))


def test_grid_neighbour_distances_on_a_known_grid():
    # "images" = their grid coordinates: neighbours are exactly 1 apart.
    n = 4
    rows, cols = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    images = np.stack([rows.ravel(), cols.ravel()], axis=1).astype(float)
    d = latent.grid_neighbour_distances(images, n)
    assert d.shape == (2 * n * (n - 1),)
    np.testing.assert_allclose(d, 1.0)
    r = latent.random_pair_distances(images, 0, 500)
    assert r.shape == (500,) and np.all(r > 0)  # pairs are of distinct cells
    assert r.mean() > 1.5


def test_grid_neighbour_distances_checks_size():
    with pytest.raises(ValueError, match="needs 9 images"):
        latent.grid_neighbour_distances(np.zeros((8, 4)), 3)
    with pytest.raises(ValueError, match="at least two"):
        latent.random_pair_distances(np.zeros((1, 4)), 0)
