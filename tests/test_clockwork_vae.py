import numpy as np
import pytest

from vae_from_scratch import sequences as sq
from vae_from_scratch.distributions import log_normal
from vae_from_scratch.nn import gaussian_mlp
from vae_from_scratch.optim import Adam
from vae_from_scratch.models import clockwork_vae as cv


def test_elbo_terms_match_a_sampled_estimate_on_average():
    """The analytic per-level KLs equal E_q[log q − log p] estimated by Monte Carlo."""
    frames, _, _ = sq.moving_blob(2, n_blocks=2, block_length=3, width=8, rng=0)
    params = cv.init_clockwork_vae(8, 3, 0, z1_dim=2, z2_dim=2, hidden=8)
    rng = np.random.default_rng(0)
    (m2, lv2), (m1, lv1) = cv.posterior(params, frames, 3)
    kl_slow, kl_fast, sampled_slow, sampled_fast = [], [], [], []
    for _ in range(4000):
        eps2, eps1 = rng.standard_normal(m2.shape), rng.standard_normal(m1.shape)
        t = cv.elbo_terms(params, frames, 3, eps2, eps1)
        kl_slow.append(t["kl_slow"])
        kl_fast.append(t["kl_fast"])
        z2, z1 = m2 + np.exp(0.5 * lv2) * eps2, m1 + np.exp(0.5 * lv1) * eps1
        pm2, plv2 = gaussian_mlp(params[2], cv._previous(z2))
        pm1, plv1 = gaussian_mlp(params[3], np.concatenate([cv._previous(z1), cv._per_step(z2, 3)], -1))
        sampled_slow.append(np.sum(log_normal(z2, m2, lv2) - log_normal(z2, pm2, plv2), axis=1))
        sampled_fast.append(np.sum(log_normal(z1, m1, lv1) - log_normal(z1, pm1, plv1), axis=1))
    for analytic, sampled in ((kl_slow, sampled_slow), (kl_fast, sampled_fast)):
        diff = np.array(sampled) - np.array(analytic)
        assert np.all(np.abs(diff.mean(axis=0)) < 4 * diff.std(axis=0) / np.sqrt(len(diff)) + 1e-9)


def test_per_step_repeats_each_block():
    z2 = np.arange(6.0).reshape(1, 3, 2)
    out = cv._per_step(z2, 2)
    assert out.shape == (1, 6, 2) and np.array_equal(out[0, :, 0], [0, 0, 2, 2, 4, 4])


def test_loss_gradient_is_finite_and_fit_is_deterministic():
    frames, _, _ = sq.moving_blob(16, n_blocks=2, block_length=4, width=8, rng=0)
    runs = []
    for _ in range(2):
        params = cv.init_clockwork_vae(8, 4, 0, hidden=8)
        runs.append(cv.fit(params, frames, 4, steps=10, batch_size=4, record_every=5))
    assert np.array_equal(*runs) and np.all(np.isfinite(runs[0]))
    with pytest.raises(ValueError, match="multiple"):
        cv.fit(params, frames[:, :7], 4, steps=1)


def test_slow_latent_learns_the_slow_factor():
    frames, _, _ = sq.moving_blob(256, 4, 8, 16, 0)
    test, amplitude, centre = sq.moving_blob(64, 4, 8, 16, 1)
    params = cv.init_clockwork_vae(16, 8, 0)
    cv.fit(params, frames, 8, steps=200, batch_size=16, seed=0, optimizer=Adam(1e-2))
    slow, fast = cv.posterior_means(params, test, 8)
    assert cv.r_squared(slow.reshape(-1, 1), amplitude.ravel()) > 0.9
    assert cv.r_squared(fast.reshape(-1, 1), np.repeat(amplitude, 8, axis=1).ravel()) < 0.2
    generated, _, _ = cv.sample(params, len(test), 4, 8, 0, z2=slow)  # the test sequences' slow latents
    heights = generated.max(axis=-1).reshape(len(test), 4, 8).mean(axis=-1)
    assert np.corrcoef(heights.ravel(), amplitude.ravel())[0, 1] > 0.8


def test_sample_shapes_and_given_slow_latents():
    params = cv.init_clockwork_vae(8, 4, 0, z1_dim=2, z2_dim=3, hidden=8)
    frames, z1, z2 = cv.sample(params, 5, 3, 4, 0)
    assert frames.shape == (5, 12, 8) and z1.shape == (5, 12, 2) and z2.shape == (5, 3, 3)
    given = np.ones((5, 3, 3))
    _, _, z2_given = cv.sample(params, 5, 3, 4, 0, z2=given)
    assert np.array_equal(z2_given, given)


def test_r_squared():
    x = np.linspace(0, 1, 50)
    assert cv.r_squared(x, 3 * x + 1) == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    assert cv.r_squared(rng.standard_normal(2000), rng.standard_normal(2000)) < 0.01
