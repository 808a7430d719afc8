"""Log-densities against scipy.stats, the analytic KL against Monte Carlo, stability, dtypes."""
import warnings

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from scipy import special, stats

from vae_from_scratch.distributions import (
    analytic_gaussian_kl,
    gaussian_kl,
    log_bernoulli,
    log_normal,
    log_standard_normal,
    reparameterize,
    softplus,
)


def test_log_normal_matches_scipy_with_leading_sample_axes():
    rng = np.random.default_rng(0)
    mean, log_var = rng.standard_normal((4, 3)), rng.uniform(-3.0, 2.0, (4, 3))
    x = rng.standard_normal((5, 4, 3))  # (L, batch, D) against (batch, D) moments
    expected = stats.norm.logpdf(x, mean, np.exp(0.5 * log_var)).sum(axis=-1)
    got = log_normal(x, mean, log_var)
    assert got.shape == (5, 4)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_log_standard_normal_matches_scipy():
    z = np.random.default_rng(1).standard_normal((6, 2))
    np.testing.assert_allclose(log_standard_normal(z), stats.norm.logpdf(z).sum(axis=-1),
                               rtol=1e-12)
    np.testing.assert_allclose(log_standard_normal(z), log_normal(z, 0.0, np.zeros(2)), rtol=1e-12)


def test_log_bernoulli_matches_scipy_for_binary_and_cross_entropy_for_grey():
    rng = np.random.default_rng(2)
    logits = rng.normal(0.0, 3.0, (5, 7))
    x = (rng.random((5, 7)) < 0.5).astype(float)
    expected = stats.bernoulli.logpmf(x, special.expit(logits)).sum(axis=-1)
    np.testing.assert_allclose(log_bernoulli(x, logits), expected, rtol=1e-12)
    grey = rng.random((5, 7))
    p = special.expit(logits)
    cross_entropy = np.sum(grey * np.log(p) + (1.0 - grey) * np.log1p(-p), axis=-1)
    np.testing.assert_allclose(log_bernoulli(grey, logits), cross_entropy, rtol=1e-10)


def test_log_bernoulli_is_finite_and_exact_at_logits_of_1000():
    logits = np.array([[1000.0, 1000.0, -1000.0, -1000.0]])
    x = np.array([[1.0, 0.0, 1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning either
        per_pixel = [log_bernoulli(x[:, k:k + 1], logits[:, k:k + 1])[0] for k in range(4)]
        grad = autograd.grad(lambda a: anp.sum(log_bernoulli(x, a)))(logits)
    # log p = 0 when the confident guess is right, −1000 when it is wrong.
    np.testing.assert_allclose(per_pixel, [0.0, -1000.0, -1000.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(grad, [[0.0, -1.0, 1.0, 0.0]], atol=1e-12)  # x − sigmoid(a)


def test_softplus_is_stable_and_matches_logaddexp():
    a = np.array([-1000.0, -30.0, -1.0, 0.0, 1e-8, 2.5, 30.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = softplus(a)
    np.testing.assert_allclose(got, np.logaddexp(0.0, a), rtol=1e-14, atol=1e-300)


def test_analytic_kl_matches_monte_carlo_within_4_standard_errors():
    # KL(q ‖ p) = E_q[log q(z) − log p(z)], estimated with 200 000 draws from each q.
    rng = np.random.default_rng(3)
    mean, log_var = rng.normal(0.0, 1.0, (4, 3)), rng.uniform(-2.0, 1.5, (4, 3))
    z = reparameterize(mean, log_var, rng.standard_normal((200_000, 4, 3)))
    samples = log_normal(z, mean, log_var) - log_standard_normal(z)  # (S, 4)
    mc, se = samples.mean(axis=0), samples.std(axis=0) / np.sqrt(samples.shape[0])
    kl = analytic_gaussian_kl(mean, log_var)
    assert np.all(np.abs(mc - kl) < 4.0 * se)
    assert np.all(se < 0.02 * kl)  # sharp enough to catch a missing ½ or a wrong sign


def test_general_gaussian_kl_matches_monte_carlo_and_the_standard_case():
    rng = np.random.default_rng(4)
    mq, lvq = rng.normal(size=(3, 2)), rng.uniform(-1.0, 1.0, (3, 2))
    mp, lvp = rng.normal(size=(3, 2)), rng.uniform(-1.0, 1.0, (3, 2))
    z = reparameterize(mq, lvq, rng.standard_normal((200_000, 3, 2)))
    samples = log_normal(z, mq, lvq) - log_normal(z, mp, lvp)
    mc, se = samples.mean(axis=0), samples.std(axis=0) / np.sqrt(samples.shape[0])
    assert np.all(np.abs(mc - gaussian_kl(mq, lvq, mp, lvp)) < 4.0 * se)
    # with p = N(0, I) it is App. B's formula
    np.testing.assert_allclose(gaussian_kl(mq, lvq, 0.0, 0.0), analytic_gaussian_kl(mq, lvq),
                               rtol=1e-12)
    np.testing.assert_allclose(gaussian_kl(mq, lvq, mq, lvq), 0.0, atol=1e-12)
    assert np.all(gaussian_kl(mq, lvq, mp, lvp) > 0.0)


def test_kl_is_zero_only_at_the_prior():
    assert analytic_gaussian_kl(np.zeros((1, 5)), np.zeros((1, 5)))[0] == 0.0
    assert analytic_gaussian_kl(np.full((1, 5), 0.1), np.zeros((1, 5)))[0] > 0.0
    assert analytic_gaussian_kl(np.zeros((1, 5)), np.full((1, 5), -0.1))[0] > 0.0


def test_reparameterize_is_mu_plus_sigma_eps_with_the_right_moments():
    rng = np.random.default_rng(5)
    mean, log_var = np.array([[1.0, -2.0]]), np.array([[0.5, -1.0]])
    eps = rng.standard_normal((100_000, 1, 2))
    z = reparameterize(mean, log_var, eps)
    assert z.shape == (100_000, 1, 2)
    np.testing.assert_array_equal(z, mean + np.exp(0.5 * log_var) * eps)
    np.testing.assert_allclose(z.mean(axis=0), mean, atol=0.01)
    np.testing.assert_allclose(z.var(axis=0), np.exp(log_var), rtol=0.02)


def test_float32_in_float32_out():
    rng = np.random.default_rng(6)
    f = lambda *shape: rng.standard_normal(shape).astype(np.float32)  # noqa: E731
    x, m, lv = f(4, 3), f(4, 3), f(4, 3)
    outputs = [softplus(x), log_normal(x, m, lv), log_standard_normal(x),
               log_bernoulli((x > 0).astype(np.float32), m), analytic_gaussian_kl(m, lv),
               gaussian_kl(m, lv, x, lv), reparameterize(m, lv, f(2, 4, 3))]
    assert all(out.dtype == np.float32 for out in outputs)


def test_densities_sum_over_the_last_axis_only():
    x = np.zeros((2, 3, 4))
    assert log_normal(x, 0.0, np.zeros(4)).shape == (2, 3)
    assert log_bernoulli(x, x).shape == (2, 3)
    assert analytic_gaussian_kl(x, x).shape == (2, 3)
    assert log_bernoulli(x, x)[0, 0] == pytest.approx(-4.0 * np.log(2.0))
