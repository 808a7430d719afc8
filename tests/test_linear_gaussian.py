"""In the linear-Gaussian model everything is exact: log p(x) = ELBO + KL(q ‖ posterior) (eq. 1)."""
import numpy as np
import pytest
from scipy import stats

from vae_from_scratch.distributions import log_normal, log_standard_normal
from vae_from_scratch.models import linear_gaussian as lg

D, J = 6, 3


@pytest.fixture
def model():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((D, J))
    b = rng.standard_normal(D)
    sigma2 = 0.4
    x = lg.sample(W, b, sigma2, 8, rng)
    return W, b, sigma2, x


def random_q(rng, batch):
    return rng.standard_normal((batch, J)), rng.uniform(-2.0, 1.0, (batch, J))


def test_log_marginal_matches_scipy(model):
    W, b, sigma2, x = model
    expected = stats.multivariate_normal(b, W @ W.T + sigma2 * np.eye(D)).logpdf(x)
    np.testing.assert_allclose(lg.log_marginal(x, W, b, sigma2), expected, rtol=1e-12)


def test_exact_posterior_is_bayes_rule(model):
    # log p(z|x) = log p(x|z) + log p(z) − log p(x) at any z: check at two random z per point.
    W, b, sigma2, x = model
    mean, cov = lg.exact_posterior(x, W, b, sigma2)
    assert mean.shape == (len(x), J) and cov.shape == (J, J)
    z = np.random.default_rng(1).standard_normal((2, len(x), J))
    log_lik = log_normal(x, z @ W.T + b, np.full(D, np.log(sigma2)))
    bayes = log_lik + log_standard_normal(z) - lg.log_marginal(x, W, b, sigma2)
    for k in range(2):
        post = [stats.multivariate_normal(mean[i], cov).logpdf(z[k, i]) for i in range(len(x))]
        np.testing.assert_allclose(post, bayes[k], rtol=1e-10, atol=1e-10)


def test_elbo_is_below_log_marginal_by_exactly_the_kl(model):
    W, b, sigma2, x = model
    rng = np.random.default_rng(2)
    log_px = lg.log_marginal(x, W, b, sigma2)
    for _ in range(50):  # many random diagonal q
        q_mean, q_log_var = random_q(rng, len(x))
        elbo = lg.elbo_gaussian_q(x, W, b, sigma2, q_mean, q_log_var)
        kl = lg.kl_q_to_posterior(x, W, b, sigma2, q_mean, q_log_var)
        assert np.all(elbo < log_px)
        assert np.all(kl > 0.0)
        np.testing.assert_allclose(log_px - elbo, kl, rtol=1e-10, atol=1e-10)


def test_full_covariance_elbo_gap_is_the_kl(model):
    W, b, sigma2, x = model
    rng = np.random.default_rng(3)
    log_px = lg.log_marginal(x, W, b, sigma2)
    for _ in range(20):
        A = rng.standard_normal((len(x), J, J))
        q_cov = A @ np.swapaxes(A, -1, -2) + 0.1 * np.eye(J)  # (batch, J, J), positive definite
        q_mean = rng.standard_normal((len(x), J))
        elbo = lg.elbo_full_gaussian_q(x, W, b, sigma2, q_mean, q_cov)
        kl = lg.kl_full_q_to_posterior(x, W, b, sigma2, q_mean, q_cov)
        np.testing.assert_allclose(log_px - elbo, kl, rtol=1e-10, atol=1e-10)


def test_diagonal_and_full_elbo_agree_on_a_diagonal_q(model):
    W, b, sigma2, x = model
    q_mean, q_log_var = random_q(np.random.default_rng(4), len(x))
    q_cov = np.exp(q_log_var)[:, :, None] * np.eye(J)
    np.testing.assert_allclose(lg.elbo_gaussian_q(x, W, b, sigma2, q_mean, q_log_var),
                               lg.elbo_full_gaussian_q(x, W, b, sigma2, q_mean, q_cov), rtol=1e-12)


def test_bound_is_tight_at_the_exact_posterior(model):
    W, b, sigma2, x = model
    mean, cov = lg.exact_posterior(x, W, b, sigma2)
    log_px = lg.log_marginal(x, W, b, sigma2)
    np.testing.assert_allclose(lg.elbo_full_gaussian_q(x, W, b, sigma2, mean, cov), log_px,
                               rtol=1e-12)
    np.testing.assert_allclose(lg.kl_full_q_to_posterior(x, W, b, sigma2, mean, cov), 0.0,
                               atol=1e-12)


def test_one_latent_dimension_diagonal_q_reaches_log_marginal():
    # With J = 1 the posterior is a 1-D Gaussian, which a "diagonal" q represents exactly.
    rng = np.random.default_rng(5)
    W, b, sigma2 = rng.standard_normal((4, 1)), rng.standard_normal(4), 0.25
    x = lg.sample(W, b, sigma2, 5, rng)
    mean, cov = lg.exact_posterior(x, W, b, sigma2)
    q_log_var = np.full((5, 1), np.log(cov[0, 0]))
    np.testing.assert_allclose(lg.elbo_gaussian_q(x, W, b, sigma2, mean, q_log_var),
                               lg.log_marginal(x, W, b, sigma2), rtol=1e-12)
    # ...and any other q is strictly worse.
    assert np.all(lg.elbo_gaussian_q(x, W, b, sigma2, mean + 0.1, q_log_var)
                  < lg.log_marginal(x, W, b, sigma2))


def test_diagonal_q_cannot_close_the_gap_when_the_posterior_is_correlated(model):
    # The best diagonal q (mean = posterior mean, precisions = diagonal of the posterior
    # precision) still leaves a positive KL: the price of the mean-field family.
    W, b, sigma2, x = model
    mean, cov = lg.exact_posterior(x, W, b, sigma2)
    precision = np.linalg.inv(cov)
    q_log_var = np.broadcast_to(-np.log(np.diag(precision)), mean.shape)
    kl = lg.kl_q_to_posterior(x, W, b, sigma2, mean, q_log_var)
    assert np.all(kl > 1e-3)
    log_det_ratio = np.sum(np.log(np.diag(precision))) - np.linalg.slogdet(precision)[1]
    np.testing.assert_allclose(kl, 0.5 * log_det_ratio, rtol=1e-10)  # ½ log(Π Λ_jj / det Λ)


def test_monte_carlo_elbo_agrees_with_the_closed_form(model):
    # Estimator A's average of log p(x, z) − log q(z|x) over z ~ q converges to the closed form.
    W, b, sigma2, x = model
    rng = np.random.default_rng(6)
    q_mean, q_log_var = random_q(rng, len(x))
    eps = rng.standard_normal((20_000, len(x), J))
    z = q_mean + np.exp(0.5 * q_log_var) * eps  # (S, batch, J)
    log_joint = log_normal(x, z @ W.T + b, np.full(D, np.log(sigma2))) + log_standard_normal(z)
    samples = log_joint - log_normal(z, q_mean, q_log_var)  # (S, batch)
    mc, se = samples.mean(axis=0), samples.std(axis=0) / np.sqrt(len(samples))
    closed = lg.elbo_gaussian_q(x, W, b, sigma2, q_mean, q_log_var)
    assert np.all(np.abs(mc - closed) < 4.0 * se)
    assert np.all(se < 0.05 * np.abs(closed))  # and the test is sharp enough to mean something


def test_bad_shapes_and_variance_are_rejected(model):
    W, b, sigma2, x = model
    with pytest.raises(ValueError, match="must match W"):
        lg.log_marginal(x[:, :-1], W, b, sigma2)
    with pytest.raises(ValueError, match="positive"):
        lg.exact_posterior(x, W, b, 0.0)
    with pytest.raises(ValueError, match=r"\(D, J\) matrix"):
        lg.log_marginal(x, W[:, 0], b, sigma2)
