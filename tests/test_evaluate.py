"""The log-likelihood estimators against the truth, computed by quadrature for a 2-D latent."""
import math

import numpy as np
import pytest
from scipy.special import logsumexp

from vae_from_scratch import data, nn, objectives
from vae_from_scratch.evaluate import app_d_log_likelihood, importance_sampled_log_likelihood
from vae_from_scratch.optim import Adam
from vae_from_scratch.train import fit


@pytest.fixture(scope="module")
def model_and_truth():
    """A 64-32-2 VAE trained 5 epochs on statically binarized digits, and log p(x) of 20 test
    images by a Riemann sum of p(z) p(x|z) on a 241 × 241 grid over [−6, 6]².

    The posteriors have standard deviations ≥ 0.4, eight grid steps or more, so the sum is
    exact to ~1e-7 nats (checked once against a 1401² grid over [−7, 7]²).
    """
    d = data.load_digits()
    rng = np.random.default_rng(0)
    params = (nn.init_gaussian_mlp(64, (32,), 2, rng, "glorot"), nn.init_mlp([2, 32, 64], rng, "glorot"))
    fit(params, d.x_train, epochs=5, binarization="static", optimizer=Adam(3e-3), progress=False)
    x = data.binarize_static(d.x_test[:20])

    grid = np.linspace(-6.0, 6.0, 241)
    z = np.stack(np.meshgrid(grid, grid, indexing="ij"), axis=-1).reshape(-1, 2)  # (G, 2)
    logits = nn.mlp(params[1], z)  # (G, 64)
    # log p(x|z) = x·a − Σ softplus(a) for every grid point and datapoint at once: (G, 20)
    log_lik = logits @ x.T - np.sum(np.logaddexp(0.0, logits), axis=1, keepdims=True)
    log_prior = -0.5 * np.sum(z ** 2, axis=1, keepdims=True) - math.log(2.0 * math.pi)
    truth = logsumexp(log_lik + log_prior, axis=0) + 2.0 * math.log(grid[1] - grid[0])
    return params, x, truth


def test_importance_sampling_matches_quadrature(model_and_truth):
    params, x, truth = model_and_truth
    est = importance_sampled_log_likelihood(params, x, K=2000, rng=0, batch_size=7)
    diff = est.per_datapoint - truth
    # the mean over datapoints within 3 Monte Carlo standard errors of the mean
    assert abs(diff.mean()) < 3.0 * np.sqrt(np.sum(est.mc_stderr ** 2)) / len(x)
    # each datapoint: the delta-method error is approximate (heavy-tailed weights), so allow
    # a few beyond 3 standard errors but none beyond 5
    assert np.mean(np.abs(diff) < 3.0 * est.mc_stderr) >= 0.9
    assert np.all(np.abs(diff) < 5.0 * est.mc_stderr)
    assert est.mean == pytest.approx(diff.mean() + truth.mean())
    assert est.stderr == pytest.approx(np.std(est.per_datapoint, ddof=1) / math.sqrt(len(x)))


def test_importance_sampling_lies_above_the_elbo(model_and_truth):
    params, x, truth = model_and_truth
    eps = objectives.sample_eps(np.random.default_rng(1), 200, len(x), 2)
    elbo = objectives.elbo_estimator_b(params, x, eps)  # (20,), averaged over 200 draws
    est = importance_sampled_log_likelihood(params, x, K=500, rng=2)
    gap = est.per_datapoint - elbo  # ≈ KL(q(z|x) ‖ p(z|x)) ≥ 0
    assert gap.mean() > 0.1 and np.mean(gap > 0) >= 0.9
    assert np.all(truth - elbo > 0)  # the ELBO is a lower bound


def test_importance_sampling_chunks_give_the_same_answer(model_and_truth):
    params, x, _ = model_and_truth
    whole = importance_sampled_log_likelihood(params, x[:5], K=100, rng=3)
    chunked = importance_sampled_log_likelihood(params, x[:5], K=100, rng=3, max_chunk=64 * 5 * 7)
    np.testing.assert_allclose(chunked.per_datapoint, whole.per_datapoint, atol=1e-12)


def test_appendix_d_estimator_matches_quadrature(model_and_truth):
    params, x, truth = model_and_truth
    est = app_d_log_likelihood(params, x, rng=0, n_chains=10, n_burnin=100, n_samples=50)
    diff = est.per_datapoint - truth
    # measured over seeds 0-2: max |diff| 0.05-0.08 nats, mean within 0.008 nats
    assert np.max(np.abs(diff)) < 0.15
    assert abs(np.mean(diff)) < 0.03
    assert 0.8 < est.details["acceptance_rate"] < 0.97  # step size tuned towards 90 %


def test_bad_arguments(model_and_truth):
    params, x, _ = model_and_truth
    with pytest.raises(ValueError, match="K"):
        importance_sampled_log_likelihood(params, x, K=0)
    with pytest.raises(ValueError, match="D = 64"):
        importance_sampled_log_likelihood(params, x[:, :10])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        app_d_log_likelihood(params, x * 3.0)
