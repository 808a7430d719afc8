"""Rate, distortion, KL per dimension and active units add up to what they claim."""
import numpy as np
import pytest

from vae_from_scratch import diagnostics
from vae_from_scratch.distributions import analytic_gaussian_kl
from vae_from_scratch.models import autoregressive as ar
from vae_from_scratch.models.vae import init_vae_params
from vae_from_scratch.objectives import elbo_estimator_b, encode, sample_eps


def setup(seed=0, N=40, D=10, J=4):
    rng = np.random.default_rng(seed)
    params = init_vae_params(D, J, (7,), "bernoulli", rng)
    x = (rng.random((N, D)) < 0.4).astype(float)
    return params, x


def test_rate_is_the_mean_analytic_kl_and_splits_over_dimensions():
    params, x = setup()
    result = diagnostics.rate_distortion(params, x)
    mean, log_var = encode(params[0], x)
    assert result.rate == pytest.approx(np.mean(analytic_gaussian_kl(mean, log_var)), rel=1e-12)
    assert result.rate_per_dimension.shape == (4,)
    assert np.sum(result.rate_per_dimension) == pytest.approx(result.rate, rel=1e-12)
    np.testing.assert_allclose(diagnostics.rate_per_dimension(params[0], x), result.rate_per_dimension)


def test_elbo_is_minus_rate_plus_distortion():
    params, x = setup(1)
    result = diagnostics.rate_distortion(params, x, n_samples=5, rng=3)
    eps = sample_eps(np.random.default_rng(3), 5, len(x), 4)
    assert result.elbo == pytest.approx(np.mean(elbo_estimator_b(params, x, eps)), rel=1e-12)
    assert result.elbo == -(result.rate + result.distortion)
    assert result.distortion > 0 and "ELBO" in str(result)


def test_batches_do_not_change_the_rate():
    params, x = setup(2)
    whole = diagnostics.rate_distortion(params, x, batch_size=1000)
    pieces = diagnostics.rate_distortion(params, x, batch_size=7)
    assert pieces.rate == pytest.approx(whole.rate, rel=1e-12)
    assert pieces.distortion == pytest.approx(whole.distortion, rel=0.05)


def test_unit_activity_is_the_variance_of_the_posterior_mean():
    params, x = setup(3)
    mean, _ = encode(params[0], x)
    np.testing.assert_allclose(diagnostics.unit_activity(params[0], x), np.var(mean, axis=0))


def test_ignored_unit_is_inactive():
    params, x = setup(4)
    W_mu, b_mu = params[0][1]
    W_mu[:, 2] = 0.0  # unit 3's mean is the constant b_mu[2] for every x
    activity = diagnostics.unit_activity(params[0], x)
    assert activity[2] == pytest.approx(0.0, abs=1e-20)
    assert diagnostics.active_units(activity, threshold=0.0) == 3
    assert diagnostics.active_units(np.array([0.5, 0.011, 0.009, 0.0])) == 2
    assert diagnostics.ACTIVE_THRESHOLD == 0.01


def test_rate_distortion_of_an_autoregressive_decoder():
    rng = np.random.default_rng(5)
    params, masks = ar.init_params(6, 2, 5, rng)
    x = (rng.random((30, 6)) < 0.5).astype(float)
    result = diagnostics.rate_distortion(params, x, ar.log_likelihood_function(masks), n_samples=3, rng=1)
    eps = sample_eps(np.random.default_rng(1), 3, 30, 2)
    mean, log_var = encode(params[0], x)
    z = mean + np.exp(0.5 * log_var) * eps
    assert result.distortion == pytest.approx(-np.mean(ar.log_likelihood(params[1], x, z, masks)), rel=1e-12)


def test_prior_distortion_uses_codes_from_the_prior():
    params, x = setup(6)
    got = diagnostics.prior_distortion(params, x, n_samples=4, rng=2)
    z = sample_eps(np.random.default_rng(2), 4, len(x), 4)
    from vae_from_scratch.objectives import decoder_log_likelihood
    assert got == pytest.approx(-np.mean(decoder_log_likelihood(params[1], x, z)), rel=1e-12)


def test_ignored_code_saves_nothing():
    params, x = setup(7)
    W, b = params[1][0]
    W[:] = 0.0  # the decoder's first layer no longer sees z
    own = diagnostics.rate_distortion(params, x, n_samples=3).distortion
    assert diagnostics.prior_distortion(params, x, n_samples=3) == pytest.approx(own, rel=1e-12)
