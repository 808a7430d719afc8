import numpy as np
import pytest
from scipy import stats

from vae_from_scratch import data
from vae_from_scratch.models import hierarchical as hv
from vae_from_scratch.models.vae import init_vae_params
from vae_from_scratch.optim import Adam


def model(seed=0, J1=5, J2=2):
    return hv.init_two_level(12, J1, J2, [8], [6], np.random.default_rng(seed))


def binary(n, D=12, seed=1):
    return (np.random.default_rng(seed).random((n, D)) < 0.4).astype(float)


def test_shapes_and_the_one_level_networks():
    params = model()
    assert hv.dims(params) == (12, 5, 2)
    one_level = init_vae_params(12, 5, [8], "bernoulli", np.random.default_rng(0))
    shapes = lambda net: [(W.shape, b.shape) for W, b in net]
    assert shapes(params[0]) == shapes(one_level[0]) and shapes(params[3]) == shapes(one_level[1])
    x = binary(4)
    eps1, eps2 = hv.sample_noise(np.random.default_rng(0), 3, 4, params)
    terms = hv.two_level_terms(params, x, eps1, eps2)
    assert terms["reconstruction"].shape == (3, 4) and terms["entropy_z1"].shape == (4,)
    assert hv.two_level_elbo(params, x, eps1, eps2).shape == (4,)
    images, z1, z2 = hv.sample(params, 6, rng=0)
    assert images.shape == (6, 12) and z1.shape == (6, 5) and z2.shape == (6, 2)


def test_gaussian_entropy_matches_scipy():
    log_var = np.array([[0.3, -1.2, 2.0]])
    expected = sum(stats.norm(0, np.exp(0.5 * v)).entropy() for v in log_var[0])
    assert hv.gaussian_entropy(log_var)[0] == pytest.approx(expected)


def test_analytic_and_sampled_estimators_agree_in_mean():
    params = model(seed=2)
    x = binary(3)
    eps1, eps2 = hv.sample_noise(np.random.default_rng(4), 20_000, 3, params)
    t = hv.two_level_terms(params, x, eps1, eps2)
    analytic = t["reconstruction"] + t["entropy_z1"] + t["log_p_z1"] - t["kl_top"]
    sampled = t["reconstruction"] + t["log_p_z1"] + t["log_p_z2"] - t["log_q_z1"] - t["log_q_z2"]
    se = np.sqrt((analytic.var(0) + sampled.var(0)) / len(analytic))
    assert np.all(np.abs(analytic.mean(0) - sampled.mean(0)) < 4 * se)
    # (Which varies less depends on the model: no variance claim here; the chapter measures it.)
    np.testing.assert_allclose(hv.two_level_elbo(params, x, eps1, eps2, "analytic"), analytic.mean(0))
    np.testing.assert_allclose(hv.two_level_elbo(params, x, eps1, eps2, "sampled"), sampled.mean(0))
    with pytest.raises(ValueError, match="estimator"):
        hv.two_level_elbo(params, x, eps1, eps2, "exact")


def test_rates_add_up_to_the_bound():
    params = model(seed=3)
    x = binary(5)
    eps1, eps2 = hv.sample_noise(np.random.default_rng(5), 7, 5, params)
    r = hv.rates(params, x, eps1, eps2)
    np.testing.assert_allclose(r["reconstruction"] - r["middle"] - r["top"],
                               hv.two_level_elbo(params, x, eps1, eps2), rtol=1e-12)
    assert np.all(r["top"] >= 0)


def test_importance_sampling_lies_above_the_elbo():
    params = model(seed=4)
    x = binary(6)
    eps1, eps2 = hv.sample_noise(np.random.default_rng(6), 2000, 6, params)
    elbo = hv.two_level_elbo(params, x, eps1, eps2).mean()
    ll = hv.log_likelihood(params, x, K=2000, rng=7).mean()
    assert ll > elbo


def test_posterior_means_and_active_units():
    params = model(seed=5)
    x = binary(40)
    m1, m2 = hv.posterior_means(params, x, n_samples=10)
    assert m1.shape == (40, 5) and m2.shape == (40, 2)
    means = np.column_stack([np.linspace(-1, 1, 50), np.full(50, 3.0), 0.05 * np.linspace(-1, 1, 50)])
    assert hv.active_units(means) == 1  # var 0.35 > 0.01; a constant 3; var 0.0009
    assert hv.active_units(means, threshold=0.0005) == 2


def test_training_raises_the_bound_with_warmup_and_is_reproducible():
    x = data.load_digits().x_train[:300]
    runs = []
    for _ in range(2):
        params = hv.init_two_level(64, 6, 2, [30], [10], np.random.default_rng(6))
        runs.append((params, hv.fit_two_level(params, x, epochs=6, optimizer=Adam(3e-3), seed=6,
                                              warmup_epochs=3)))
    (params, history), (params2, _) = runs
    assert history.kl_weight == [1 / 3, 2 / 3, 1.0, 1.0, 1.0, 1.0]
    assert history.bound[-1] > history.bound[0] + 3.0
    np.testing.assert_allclose(history.bound, np.array(history.reconstruction) - history.rate_middle
                               - history.rate_top)
    np.testing.assert_array_equal(params[2][0][0], params2[2][0][0])
    with pytest.raises(ValueError, match="warmup"):
        hv.fit_two_level(params, x, epochs=1, warmup_epochs=-1)


def test_kl_given_z2_is_the_kl_against_a_fresh_z1():
    params = model(seed=7)
    x = binary(2)
    eps1, eps2 = hv.sample_noise(np.random.default_rng(8), 1, 2, params)
    kl = hv.kl_middle_given_z2(params, x, eps1, eps2)
    assert kl.shape == (1, 2) and np.all(kl >= 0)
    # Monte Carlo: average log q(z₁'|x) − log p(z₁'|z₂) over fresh z₁' ~ q(z₁|x), z₂ held fixed
    from vae_from_scratch.nn import gaussian_mlp
    from vae_from_scratch.distributions import log_normal, reparameterize
    mean_1, log_var_1 = gaussian_mlp(params[0], x)
    mean_2, log_var_2 = gaussian_mlp(params[1], reparameterize(mean_1, log_var_1, eps1[0]))
    prior_mean, prior_log_var = gaussian_mlp(params[2], reparameterize(mean_2, log_var_2, eps2[0]))
    fresh = reparameterize(mean_1, log_var_1, np.random.default_rng(9).standard_normal((100_000, 2, 5)))
    mc = np.mean(log_normal(fresh, mean_1, log_var_1) - log_normal(fresh, prior_mean, prior_log_var), axis=0)
    np.testing.assert_allclose(kl[0], mc, rtol=0.02, atol=0.02)
