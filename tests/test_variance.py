import numpy as np
import pytest

from vae_from_scratch import nn, objectives, variance

D, H, J = 6, 5, 2


def small_vae(seed=0):
    rng = np.random.default_rng(seed)
    return (nn.init_gaussian_mlp(D, [H], J, rng, "glorot"), nn.init_mlp([J, H, D], rng, "glorot"))


def binary_data(n, seed=1):
    return (np.random.default_rng(seed).random((n, D)) < 0.4).astype(float)


def test_latent_dim_and_flatten():
    params = small_vae()
    assert variance.latent_dim(params) == J
    flat = variance.flatten_params(params[1])
    assert flat.shape == (J * H + H + H * D + D,)
    np.testing.assert_array_equal(flat[: J * H], params[1][0][0].ravel())


@pytest.mark.parametrize("max_rows", [50_000, 7])  # one call, and chunks that split the draws
def test_estimator_draws_equal_one_call_per_draw(max_rows):
    params, x = small_vae(), binary_data(4)
    draws = variance.estimator_draws(objectives.elbo_estimator_b, params, x, 5,
                                     np.random.default_rng(2), max_rows=max_rows)
    rng = np.random.default_rng(2)
    expected = [objectives.elbo_estimator_b(params, x, objectives.sample_eps(rng, 1, 4, J))
                for _ in range(5)]
    assert draws.shape == (5, 4)
    np.testing.assert_allclose(draws, expected, rtol=1e-12)


def test_estimator_draws_have_the_moments_of_the_noise():
    # A toy "estimator" Σ_j ε_j has mean 0 and variance J per datapoint.
    params, x = small_vae(), binary_data(3)

    def toy(params, x, eps, likelihood):
        return np.sum(eps[0], axis=-1)

    draws = variance.estimator_draws(toy, params, x, 20_000, np.random.default_rng(3))
    mean, se = variance.mean_and_standard_error(draws)
    assert np.all(np.abs(mean) < 4 * se)
    np.testing.assert_allclose(draws.var(axis=0, ddof=1), J, rtol=0.05)


def test_estimator_draws_rejects_zero_draws():
    with pytest.raises(ValueError, match="n_draws"):
        variance.estimator_draws(objectives.elbo_estimator_b, small_vae(), binary_data(2), 0,
                                 np.random.default_rng(0))


def test_gradient_draws_decoder_parts_of_a_and_b_are_identical():
    # Only log p_θ(x|z) depends on θ, and it is the same term in both estimators.
    params, x = small_vae(), binary_data(8)
    enc_a, dec_a = variance.gradient_draws(objectives.elbo_estimator_a, params, x, 20, np.random.default_rng(4))
    enc_b, dec_b = variance.gradient_draws(objectives.elbo_estimator_b, params, x, 20, np.random.default_rng(4))
    n_enc = variance.flatten_params(params[0]).size
    assert enc_a.shape == (20, n_enc) and dec_a.shape == (20, variance.flatten_params(params[1]).size)
    np.testing.assert_allclose(dec_a, dec_b, rtol=1e-10, atol=1e-12)
    assert not np.allclose(enc_a, enc_b)
    assert variance.total_variance(enc_b) < variance.total_variance(enc_a)  # at a random init


def test_total_variance_is_the_trace_of_the_covariance():
    draws = np.random.default_rng(5).normal(size=(50, 3)) * np.array([1.0, 2.0, 3.0])
    assert variance.total_variance(draws) == pytest.approx(np.trace(np.cov(draws, rowvar=False)))
    with pytest.raises(ValueError):
        variance.total_variance(draws[:1])


def test_mean_and_standard_error():
    mean, se = variance.mean_and_standard_error(np.array([[1.0, 2.0], [3.0, 6.0]]))
    np.testing.assert_allclose(mean, [2.0, 4.0])
    np.testing.assert_allclose(se, [np.sqrt(2.0) / np.sqrt(2.0), np.sqrt(8.0) / np.sqrt(2.0)])
    with pytest.raises(ValueError):
        variance.mean_and_standard_error(np.ones((1, 3)))


def test_more_samples_per_draw_divide_the_gradient_variance():
    # L independent samples average L independent gradients: the variance falls by 1/L.
    params, x = small_vae(), binary_data(6)
    v1 = variance.total_variance(variance.gradient_draws(
        objectives.elbo_estimator_b, params, x, 400, np.random.default_rng(6))[0])
    v4 = variance.total_variance(variance.gradient_draws(
        objectives.elbo_estimator_b, params, x, 400, np.random.default_rng(7), n_samples=4)[0])
    assert v1 / v4 == pytest.approx(4.0, rel=0.3)


def test_estimator_draws_with_several_samples_equal_one_call_per_draw():
    # max_rows = L · batch: one draw per call, so the noise comes out in the same order.
    params, x = small_vae(), binary_data(3)
    draws = variance.estimator_draws(objectives.elbo_estimator_a, params, x, 4,
                                     np.random.default_rng(8), n_samples=3, max_rows=9)
    rng = np.random.default_rng(8)
    expected = [objectives.elbo_estimator_a(params, x, objectives.sample_eps(rng, 3, 3, J))
                for _ in range(4)]
    np.testing.assert_allclose(draws, expected, rtol=1e-12)
