"""The toy latent-variable models of Part I (vae_from_scratch.models.toy)."""
import math

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.stats import multivariate_normal

from vae_from_scratch.models import linear_gaussian as lg
from vae_from_scratch.models.toy import (
    CurveModel,
    fish_curve_decoder_params,
    fish_model,
    linear_gaussian_log_joint,
    mixture_log_density,
    prior_mc_relative_variance,
)
from vae_from_scratch.quadrature import grid_log_evidence


@pytest.fixture(scope="module")
def model():
    return fish_model(0.25)


def test_fish_curve_is_symmetric_and_crosses_itself(model):
    z = np.linspace(-3, 3, 13)[:, None]
    f, f_flip = model.decode(z), model.decode(-z)
    np.testing.assert_allclose(f[:, 0], f_flip[:, 0], atol=1e-12)  # f₁ even: the head at z = 0
    np.testing.assert_allclose(f[:, 1], -f_flip[:, 1], atol=1e-12)  # f₂ odd
    head = model.decode(np.zeros((1, 1)))[0]
    np.testing.assert_allclose(head, [1.8 * 2 * math.tanh(1.2) - 1.4, 0.0])
    # the ends swap sides: f₂ → ∓height·(twist − 1) = ∓1.2, so f₂ has a root z* > 0 where f(z*) = f(−z*)
    np.testing.assert_allclose(model.decode(np.array([[40.0], [-40.0]]))[:, 1], [-1.2, 1.2])
    z_star = brentq(lambda t: model.decode(np.array([[t]]))[0, 1], 0.5, 3.0)
    np.testing.assert_allclose(model.decode(np.array([[z_star]])), model.decode(np.array([[-z_star]])), atol=1e-12)
    assert 1.4 < z_star < 1.6
    assert model.latent_dim == 1 and model.data_dim == 2


def test_decode_accepts_leading_axes(model):
    z = np.random.default_rng(0).normal(size=(4, 3, 1))
    np.testing.assert_allclose(model.decode(z)[2, 1], model.decode(z[2, 1][None])[0])


def test_log_likelihood_is_an_isotropic_gaussian(model):
    rng = np.random.default_rng(1)
    x, z = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    expected = [multivariate_normal(model.decode(z[i:i + 1])[0], 0.25 ** 2 * np.eye(2)).logpdf(x[i]) for i in range(5)]
    np.testing.assert_allclose(model.log_likelihood(x, z), expected)


def test_sample_shapes_and_noise(model):
    z, x = model.sample(50000, np.random.default_rng(2))
    assert z.shape == (50000, 1) and x.shape == (50000, 2)
    residual = x - model.decode(z)
    np.testing.assert_allclose(residual.std(axis=0), 0.25, rtol=0.02)
    assert abs(z.mean()) < 5 / math.sqrt(50000)


def test_marginal_integrates_to_one_over_the_plane(model):
    g = np.linspace(-4.0, 4.0, 121)
    X1, X2 = np.meshgrid(g, g)
    density = np.exp(model.log_marginal(np.stack([X1.ravel(), X2.ravel()], axis=-1), n_grid=400, limit=7.0))
    assert density.sum() * (g[1] - g[0]) ** 2 == pytest.approx(1.0, abs=1e-4)


def test_marginal_matches_monte_carlo_within_standard_errors(model):
    x = np.array([[1.0, 0.3], [-0.17, 0.0], [0.0, 1.8]])
    z = np.random.default_rng(3).standard_normal((40000, 1))
    lik = np.exp(model.log_likelihood(x, z[:, None, :]))  # (S, 3)
    mc, se = lik.mean(axis=0), lik.std(axis=0) / math.sqrt(len(z))
    assert np.all(np.abs(np.exp(model.log_marginal(x)) - mc) < 4 * se)


def test_quadrature_is_a_gaussian_mixture(model):
    x = np.random.default_rng(4).normal(size=(7, 2))
    weights, means, stds = model.mixture_components(n_grid=300, limit=7.0)
    assert weights.sum() == pytest.approx(1.0, abs=1e-10)
    np.testing.assert_allclose(mixture_log_density(x, weights, means, stds), model.log_marginal(x, 300, 7.0), atol=1e-10)


def test_marginal_is_converged_in_the_grid(model):
    x = np.array([[1.0, 0.3], [-0.17, 0.0], [3.0, -3.0]])
    np.testing.assert_allclose(model.log_marginal(x, 300, 7.0), model.log_marginal(x, 3000, 9.0), atol=1e-8)


def test_posterior_is_bayes_rule(model):
    x = np.array([[1.6, 0.0], [1.0, 0.3]])
    nodes, post = model.posterior_on_grid(x)
    h = nodes[1] - nodes[0]
    np.testing.assert_allclose(post.sum(axis=1) * h, 1.0, atol=1e-12)
    log_joint = model.log_joint(x, nodes[:, None, None]).T
    np.testing.assert_allclose(np.log(post[:, 500]), log_joint[:, 500] - model.log_marginal(x), atol=1e-9)


def test_posterior_at_the_crossing_has_two_modes(model):
    z_star = brentq(lambda t: model.decode(np.array([[t]]))[0, 1], 0.5, 3.0)
    x_star = model.decode(np.array([[z_star]]))
    nodes, post = model.posterior_on_grid(x_star)
    np.testing.assert_allclose(post[0], post[0][::-1], atol=1e-9)  # symmetric in z
    assert post[0][np.argmin(np.abs(nodes))] < 0.01 * post[0].max()  # a deep gap at z = 0
    assert abs(abs(nodes[np.argmax(post[0])]) - z_star) < 0.05


def test_posterior_moments_match_monte_carlo_of_the_joint(model):
    # E[z|x] = E_p(z)[z p(x|z)] / p(x): check the grid moments against prior Monte Carlo at a typical x
    x = np.array([[1.6, 0.0], [0.5, 1.0]])
    mean, std = model.posterior_moments(x)
    z = np.random.default_rng(9).standard_normal((200000, 1))
    w = np.exp(model.log_likelihood(x, z[:, None, :]))  # (S, 2)
    mc_mean = (w * z).sum(axis=0) / w.sum(axis=0)
    mc_var = (w * z ** 2).sum(axis=0) / w.sum(axis=0) - mc_mean ** 2
    np.testing.assert_allclose(mean, mc_mean, atol=0.01)
    np.testing.assert_allclose(std, np.sqrt(mc_var), rtol=0.03)
    assert abs(mean[0]) < 1e-9  # the head x = (1.6, 0) is symmetric: E[z|x] = 0


def test_mixture_log_density_matches_scipy_and_survives_underflow():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4, 3))
    weights, means, stds = np.array([0.2, 0.5, 0.3]), rng.normal(size=(3, 3)), np.array([0.5, 1.0, 2.0])
    expected = np.log(sum(w * multivariate_normal(m, s ** 2 * np.eye(3)).pdf(x) for w, m, s in zip(weights, means, stds)))
    np.testing.assert_allclose(mixture_log_density(x, weights, means, stds), expected)
    far = mixture_log_density(np.array([[80.0, 0.0, 0.0]]), weights, means, stds)
    assert np.isfinite(far).all()


def test_curve_model_accepts_any_mlp_decoder():
    rng = np.random.default_rng(6)
    params = [(rng.normal(size=(1, 5)), rng.normal(size=5)), (rng.normal(size=(5, 3)), rng.normal(size=3))]
    m = CurveModel(params, noise_std=0.5)
    assert m.data_dim == 3
    x = rng.normal(size=(2, 3))
    weights, means, stds = m.mixture_components(600, 8.0)
    np.testing.assert_allclose(m.log_marginal(x, 600, 8.0), mixture_log_density(x, weights, means, stds), atol=1e-10)


def test_fish_curve_params_are_a_1_3_2_mlp():
    (W1, b1), (W2, b2) = fish_curve_decoder_params()
    assert W1.shape == (1, 3) and b1.shape == (3,) and W2.shape == (3, 2) and b2.shape == (2,)


def test_linear_gaussian_joint_integrates_to_the_exact_evidence():
    rng = np.random.default_rng(7)
    W, b, x = rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=(2, 3))
    log_joint = lambda z: linear_gaussian_log_joint(x, z[:, None, :], W, b, 0.4)  # noqa: E731
    np.testing.assert_allclose(grid_log_evidence(log_joint, 2, 60, 7.0), lg.log_marginal(x, W, b, 0.4), atol=1e-8)


def test_relative_variance_matches_the_second_moment_by_quadrature():
    rng = np.random.default_rng(8)
    W, b, x = rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=(1, 2))
    log_lik = lambda z: linear_gaussian_log_joint(x, z[:, None, :], W, b, 0.3)[:, 0] + 0.5 * np.sum(z ** 2 + math.log(2 * math.pi), axis=-1)  # noqa: E731
    log_prior = lambda z: -0.5 * np.sum(z ** 2 + math.log(2 * math.pi), axis=-1)  # noqa: E731
    log_second = grid_log_evidence(lambda z: 2 * log_lik(z) + log_prior(z), 2, 200, 8.0)
    expected = math.expm1(log_second - 2 * lg.log_marginal(x, W, b, 0.3)[0])
    assert prior_mc_relative_variance(x, W, b, 0.3)[0] == pytest.approx(expected, rel=1e-6)


def test_relative_variance_grows_with_distance_and_dimension():
    far = [prior_mc_relative_variance(np.array([[a]]), np.eye(1), np.zeros(1), 0.25)[0] for a in (0, 1, 2, 3, 4)]
    assert np.all(np.diff(far) > 0)
    dims = [prior_mc_relative_variance(np.ones((1, J)), np.eye(J), np.zeros(J), 0.25)[0] for J in (1, 2, 4, 8)]
    assert np.all(np.diff(dims) > 0)
