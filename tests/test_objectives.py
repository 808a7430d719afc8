"""Estimators A and B (eqs. 6, 7), the minibatch estimator (eq. 8), the IWAE bound, the MAP prior.

Claims checked statistically use many noise draws and a tolerance of 4 standard errors; the
"trained" model is 200 steps of plain gradient ascent (hand-written gradients) on binarized 8×8
digits, about a second of work.
"""
import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import load_digits

from vae_from_scratch import nn, objectives
from vae_from_scratch.backprop import elbo_b_value_and_grad
from vae_from_scratch.distributions import (
    analytic_gaussian_kl,
    log_bernoulli,
    log_normal,
    log_standard_normal,
)

J = 4


def leaves(tree):
    if isinstance(tree, (list, tuple)):
        return [leaf for branch in tree for leaf in leaves(branch)]
    return [tree]


def random_vae(rng, D=64, H=64, likelihood="bernoulli", dtype=np.float64):
    enc = nn.init_gaussian_mlp(D, [H], J, rng, init="glorot", dtype=dtype)
    if likelihood == "bernoulli":
        dec = nn.init_mlp([J, H, D], rng, init="glorot", dtype=dtype)
    else:
        dec = nn.init_gaussian_mlp(J, [H], D, rng, init="glorot", dtype=dtype)
    return (enc, dec)


@pytest.fixture(scope="module")
def digits():
    return (load_digits().data / 16.0 > 0.5).astype(np.float64)  # (1797, 64) binary


@pytest.fixture(scope="module")
def trained(digits):
    """A VAE after 200 minibatch steps of plain gradient ascent on eq. (7)."""
    rng = np.random.default_rng(0)
    params = random_vae(rng)
    for _ in range(200):
        batch = digits[rng.choice(len(digits), 100, replace=False)]
        _, grads = elbo_b_value_and_grad(params, batch, rng.standard_normal((1, 100, J)))
        for p, g in zip(leaves(params), leaves(grads)):
            p += 0.03 * g
    return params


def per_draw(estimator, params, x, eps):
    """One estimate per (draw, datapoint) with L = 1: the S draws go through as one big batch."""
    S, batch, _ = eps.shape
    values = estimator(params, np.tile(x, (S, 1)), eps.reshape(1, S * batch, J))
    return values.reshape(S, batch)


# ---- the definitions ---------------------------------------------------------------------------


def test_estimators_are_the_equations(digits):
    rng = np.random.default_rng(1)
    params = random_vae(rng)
    x, eps = digits[:5], rng.standard_normal((3, 5, J))
    mean, log_var = objectives.encode(params[0], x)
    z = mean + np.exp(0.5 * log_var) * eps
    log_lik = log_bernoulli(x, nn.bernoulli_mlp(params[1], z))  # (3, 5)
    # eq. (6): mean over l of log p(x, z_l) − log q(z_l|x)
    a = np.mean(log_lik + log_standard_normal(z) - log_normal(z, mean, log_var), axis=0)
    np.testing.assert_allclose(objectives.elbo_estimator_a(params, x, eps), a, rtol=1e-12)
    # eq. (7): −KL analytic + mean over l of log p(x|z_l)
    b = np.mean(log_lik, axis=0) - analytic_gaussian_kl(mean, log_var)
    np.testing.assert_allclose(objectives.elbo_estimator_b(params, x, eps), b, rtol=1e-12)
    np.testing.assert_allclose(objectives.elbo_estimator_b(params, x, eps, beta=0.25),
                               np.mean(log_lik, axis=0) - 0.25 * analytic_gaussian_kl(mean, log_var),
                               rtol=1e-12)
    # a single draw may come without the sample axis
    np.testing.assert_array_equal(objectives.elbo_estimator_b(params, x, eps[0]),
                                  objectives.elbo_estimator_b(params, x, eps[:1]))


def test_gaussian_decoder_log_likelihood():
    rng = np.random.default_rng(2)
    params = random_vae(rng, D=6, H=5, likelihood="gaussian")
    x, z = rng.random((4, 6)), rng.standard_normal((2, 4, J))
    mean, log_var = nn.gaussian_mlp(params[1], z, sigmoid_mean=True)
    expected = stats.norm.logpdf(x, mean, np.exp(0.5 * log_var)).sum(axis=-1)
    np.testing.assert_allclose(objectives.decoder_log_likelihood(params[1], x, z, "gaussian"),
                               expected, rtol=1e-12)
    with pytest.raises(ValueError, match="likelihood must be one of"):
        objectives.decoder_log_likelihood(params[1], x, z, "poisson")


# ---- A and B: same expectation, different variance ---------------------------------------------


@pytest.mark.parametrize("model", ["random", "trained"])
def test_estimators_a_and_b_agree_in_expectation(model, digits, request):
    rng = np.random.default_rng(3)
    params = random_vae(rng) if model == "random" else request.getfixturevalue("trained")
    x = digits[:20]
    eps = rng.standard_normal((2000, 20, J))
    # Paired on the same noise: A − B = log p(z) − log q(z|x) + KL, which has mean 0.
    diff = per_draw(objectives.elbo_estimator_a, params, x, eps) - per_draw(
        objectives.elbo_estimator_b, params, x, eps)
    se = diff.std(axis=0) / np.sqrt(len(diff))
    assert np.all(np.abs(diff.mean(axis=0)) < 4.0 * se)
    assert np.all(se > 0.0) and np.all(se < 0.1)  # sharp: a bias of 0.4 nats would show


def encoder_gradient_variance(estimator, params, x, rng, draws=100):
    """Total variance (trace of the covariance) of the encoder gradient of the batch mean."""
    enc, dec = params

    def f(enc_params, eps):
        return anp.mean(estimator((enc_params, dec), x, eps))

    grad = autograd.grad(f)
    samples = np.array([np.concatenate([g.ravel() for g in leaves(
        grad(enc, rng.standard_normal((1, len(x), J))))]) for _ in range(draws)])
    return samples.var(axis=0).sum()


@pytest.mark.parametrize("model", ["random", "trained"])
def test_estimator_b_gradient_has_lower_variance_than_a(model, digits, request):
    # The decoder's gradient is the same for both (only log p(x|z) depends on θ); the encoder's
    # differs: B differentiates the KL exactly, A through sampled log p(z) − log q(z|x).
    params = random_vae(np.random.default_rng(4)) if model == "random" else request.getfixturevalue(
        "trained")
    x = digits[100:120]
    var_a = encoder_gradient_variance(objectives.elbo_estimator_a, params, x, np.random.default_rng(5))
    var_b = encoder_gradient_variance(objectives.elbo_estimator_b, params, x, np.random.default_rng(5))
    assert var_b < 0.7 * var_a  # measured: 0.09 (random), 0.5 (trained)


def test_estimator_values_variance_at_init_and_after_training(digits, trained):
    # At initialisation B's value has lower variance than A's. After training it is the other way
    # round: as q(z|x) approaches the posterior, log p(x, z) − log q(z|x) tends to the constant
    # log p(x), so A's value settles, while B's sampled reconstruction term keeps its spread.
    # "B typically has less variance" is a statement about the gradient (test above).
    rng = np.random.default_rng(6)
    x = digits[:30]
    eps = rng.standard_normal((300, 30, J))
    for params, b_lower in ((random_vae(np.random.default_rng(7)), True), (trained, False)):
        var_a = per_draw(objectives.elbo_estimator_a, params, x, eps).var(axis=0).mean()
        var_b = per_draw(objectives.elbo_estimator_b, params, x, eps).var(axis=0).mean()
        assert (var_b < var_a) == b_lower


def test_training_raised_the_bound(digits, trained):
    rng = np.random.default_rng(8)
    x, eps = digits[:300], rng.standard_normal((10, 300, J))
    before = objectives.elbo_estimator_b(random_vae(np.random.default_rng(0)), x, eps).mean()
    after = objectives.elbo_estimator_b(trained, x, eps).mean()
    assert after > before + 10.0  # nats per digit


# ---- the importance-weighted bound -------------------------------------------------------------


def test_iwae_with_one_sample_is_estimator_a(digits):
    rng = np.random.default_rng(9)
    params = random_vae(rng)
    x, eps = digits[:10], rng.standard_normal((1, 10, J))
    np.testing.assert_allclose(objectives.iwae_bound(params, x, eps),
                               objectives.elbo_estimator_a(params, x, eps), rtol=1e-12)


def test_iwae_is_at_least_estimator_a_on_the_same_samples(digits):
    # log mean_k w_k ≥ mean_k log w_k (Jensen), draw by draw, not only on average.
    rng = np.random.default_rng(10)
    params = random_vae(rng)
    x, eps = digits[:10], rng.standard_normal((7, 10, J))
    assert np.all(objectives.iwae_bound(params, x, eps)
                  >= objectives.elbo_estimator_a(params, x, eps) - 1e-12)


def test_iwae_bound_increases_with_k_on_average(digits, trained):
    rng = np.random.default_rng(11)
    x = digits[:200]
    bounds = []  # per K, the bound of every datapoint averaged over 20 independent draws
    for K in (1, 5, 50):
        draws = [objectives.iwae_bound(trained, x, rng.standard_normal((K, 200, J)))
                 for _ in range(20)]
        bounds.append(np.mean(draws, axis=0))  # (batch,)
    for k in range(2):
        gain = bounds[k + 1] - bounds[k]  # paired by datapoint; measured 0.2 and 0.05 nats
        assert gain.mean() > 4.0 * gain.std() / np.sqrt(gain.size)


def test_log_importance_weights_shape_and_definition(digits):
    rng = np.random.default_rng(12)
    params = random_vae(rng)
    x, eps = digits[:4], rng.standard_normal((6, 4, J))
    log_w = objectives.log_importance_weights(params, x, eps)
    assert log_w.shape == (6, 4)
    np.testing.assert_allclose(log_w.mean(axis=0), objectives.elbo_estimator_a(params, x, eps),
                               rtol=1e-12)


# ---- minibatch estimator, MAP prior, noise ----------------------------------------------------


def test_minibatch_estimator_scales_by_n_over_m():
    per_point = np.array([-3.0, -5.0, -4.0, -8.0])
    assert objectives.minibatch_estimator(per_point, 4) == pytest.approx(-20.0)  # N = M: the sum
    assert objectives.minibatch_estimator(per_point, 1000) == pytest.approx(1000 * -5.0)  # N·mean
    assert objectives.minibatch_estimator(per_point, 60000) == pytest.approx(
        60.0 * objectives.minibatch_estimator(per_point, 1000))


def test_minibatch_estimator_is_unbiased_for_the_dataset_total():
    rng = np.random.default_rng(13)
    values = rng.normal(-100.0, 10.0, 1000)  # per-datapoint bounds of a "dataset"
    estimates = [objectives.minibatch_estimator(values[rng.choice(1000, 50, replace=False)], 1000)
                 for _ in range(4000)]
    se = np.std(estimates) / np.sqrt(len(estimates))
    assert abs(np.mean(estimates) - values.sum()) < 4.0 * se


def test_log_weight_prior_is_a_standard_normal_up_to_a_constant():
    rng = np.random.default_rng(14)
    params = random_vae(rng, D=5, H=3)
    arrays = leaves(params)
    n = sum(a.size for a in arrays)
    log_density = sum(stats.norm.logpdf(a).sum() for a in arrays)
    assert objectives.log_weight_prior(params) == pytest.approx(
        log_density + 0.5 * n * np.log(2.0 * np.pi), rel=1e-12)
    grads = autograd.grad(objectives.log_weight_prior)(params)
    for g, a in zip(leaves(grads), arrays, strict=True):
        np.testing.assert_allclose(g, -a)  # weight decay: the gradient pulls every weight to 0


def test_sample_eps():
    eps = objectives.sample_eps(np.random.default_rng(15), 3, 2000, J, dtype=np.float32)
    assert eps.shape == (3, 2000, J) and eps.dtype == np.float32
    assert abs(eps.mean()) < 0.02 and abs(eps.std() - 1.0) < 0.02


def test_float32_in_float32_out(digits):
    rng = np.random.default_rng(16)
    params = random_vae(rng, dtype=np.float32)
    gparams = random_vae(rng, likelihood="gaussian", dtype=np.float32)
    x = digits[:8].astype(np.float32)
    eps = objectives.sample_eps(rng, 3, 8, J, dtype=np.float32)
    outputs = [
        objectives.elbo_estimator_a(params, x, eps), objectives.elbo_estimator_b(params, x, eps),
        objectives.elbo_estimator_a(gparams, x, eps, "gaussian"),
        objectives.elbo_estimator_b(gparams, x, eps, "gaussian", beta=0.5),
        objectives.log_importance_weights(params, x, eps), objectives.iwae_bound(params, x, eps),
        objectives.minibatch_estimator(objectives.elbo_estimator_b(params, x, eps), 1797),
        objectives.log_weight_prior(params),
    ]
    assert [np.asarray(out).dtype for out in outputs] == [np.float32] * len(outputs)
    # and autograd's gradient of the loss stays float32 too
    loss = lambda p: -anp.mean(objectives.elbo_estimator_b(p, x, eps))  # noqa: E731
    assert all(g.dtype == np.float32 for g in leaves(autograd.grad(loss)(params)))
