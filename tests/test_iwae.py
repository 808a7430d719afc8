"""IWAE objectives, their gradients, L_K from one set of weights, and the gradient SNR."""
import autograd
import numpy as np
import pytest

from vae_from_scratch import data, iwae, optim, schedules
from vae_from_scratch.models.vae import init_vae_params
from vae_from_scratch.objectives import elbo_estimator_a, iwae_bound, log_importance_weights, log_mean_exp


def setup(seed=0, N=5, D=8, J=3, H=6):
    rng = np.random.default_rng(seed)
    params = init_vae_params(D, J, (H,), "bernoulli", rng)
    params = tuple([(1.5 * W, b + 0.2 * rng.standard_normal(b.shape)) for W, b in net] for net in params)
    x = (rng.random((N, D)) < 0.4).astype(float)
    return params, x, rng


def leaves(tree):
    if isinstance(tree, (list, tuple)):
        return [leaf for branch in tree for leaf in leaves(branch)]
    return [tree]


def test_with_one_sample_both_bounds_are_estimator_a():
    params, x, rng = setup()
    eps = rng.standard_normal((1, 5, 3))
    expected = np.mean(elbo_estimator_a(params, x, eps))
    assert iwae.mean_iwae_bound(params, x, eps) == pytest.approx(expected, rel=1e-12)
    assert iwae.mean_vae_bound(params, x, eps) == pytest.approx(expected, rel=1e-12)


def test_the_iwae_bound_is_never_below_the_k_sample_vae_bound():
    params, x, rng = setup(1)
    for K in (2, 5, 50):
        eps = rng.standard_normal((K, 5, 3))
        assert np.all(iwae_bound(params, x, eps) >= np.mean(log_importance_weights(params, x, eps), axis=0))


def test_iwae_gradient_is_weighted():
    params, x, rng = setup(2, N=1)
    K = 4
    eps = rng.standard_normal((K, 1, 3))
    grad = autograd.grad(lambda p: iwae.mean_iwae_bound(p, x, eps))(params)
    weights = iwae.normalized_weights(params, x, eps)[:, 0]
    assert weights.sum() == pytest.approx(1.0) and np.all(weights > 0)
    per_sample = [autograd.grad(lambda p, k=k: log_importance_weights(p, x, eps[k:k + 1])[0, 0])(params)
                  for k in range(K)]
    for i, g in enumerate(leaves(grad)):
        combined = sum(weights[k] * leaves(per_sample[k])[i] for k in range(K))
        np.testing.assert_allclose(g, combined, rtol=1e-9, atol=1e-12)


def test_make_value_and_grad():
    params, x, rng = setup(3)
    eps = rng.standard_normal((3, 5, 3))
    for name, bound in (("iwae", iwae.mean_iwae_bound), ("vae", iwae.mean_vae_bound)):
        value, grads = iwae.make_value_and_grad(name)(params, x, eps, step=0)
        assert value == pytest.approx(float(bound(params, x, eps)))
        assert len(leaves(grads)) == len(leaves(params))
    with pytest.raises(ValueError):
        iwae.make_value_and_grad("elbo")


def test_training_on_the_iwae_bound_raises_it():
    x = data.load_digits().x_train[:300]
    params = init_vae_params(64, 3, (20,), "bernoulli", np.random.default_rng(0))
    x_eval = data.binarize_static(x)
    eps = np.random.default_rng(1).standard_normal((5, 300, 3))
    before = iwae.mean_iwae_bound(params, x_eval, eps)
    record = schedules.train_loop(params, x, iwae.make_value_and_grad("iwae"), epochs=3,
                                  optimizer=optim.Adam(3e-3), n_samples=5)
    assert iwae.mean_iwae_bound(params, x_eval, eps) > before + 2
    assert len(record["value"]) == 9


def test_log_weights_and_bounds_by_k():
    params, x, _ = setup(4, N=30)
    log_w = iwae.log_weights(params, x, 200, rng=0, max_chunk=500)
    assert log_w.shape == (200, 30)
    means, stderrs = iwae.bounds_by_k(log_w, [1, 10, 200])
    assert means[0] == pytest.approx(np.mean(log_w))
    assert means[2] == pytest.approx(np.mean(log_mean_exp(log_w, axis=0)))
    assert means[0] < means[1] < means[2]
    assert np.all(stderrs > 0)
    with pytest.raises(ValueError):
        iwae.bounds_by_k(log_w, [0])


def test_copies_compute_the_library_bound():
    params, x, rng = setup(5, N=1)
    eps = rng.standard_normal((4, 6, 3))  # 4 copies, K = 6
    expected = [iwae_bound(params, x, eps[c][:, None, :])[0] for c in range(4)]
    for tiled in ((iwae.tile_params(params[0], 4), params[1]), (params[0], iwae.tile_params(params[1], 4))):
        np.testing.assert_allclose(iwae.iwae_bound_copies(*tiled, x[0], eps), expected, rtol=1e-12)


@pytest.mark.parametrize("network", ["encoder", "decoder"])
def test_each_draw_is_its_own_gradient(network):
    params, x, _ = setup(6, N=1)
    K, n = 3, 5
    draws = iwae.gradient_draws(params, x[0], K, n, network, rng=7, chunk=2)
    rng = np.random.default_rng(7)
    eps = np.concatenate([rng.standard_normal((c, K, 3)) for c in (2, 2, 1)])
    which = 0 if network == "encoder" else 1
    for c in range(n):
        g = autograd.grad(lambda p: iwae_bound(p, x, eps[c][:, None, :])[0])(params)
        np.testing.assert_allclose(draws[c], np.concatenate([a.ravel() for a in leaves(g[which])]),
                                   rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError):
        iwae.gradient_draws(params, x[0], K, n, "both")


def test_signal_to_noise_recovers_a_known_ratio():
    rng = np.random.default_rng(8)
    mean = np.array([0.3, -0.4, 0.0])  # ‖E g‖ = 0.5
    scale = np.array([1.0, 2.0, 2.0])  # E‖g − E g‖² = 9
    draws = mean + scale * rng.standard_normal((40_000, 3))
    assert iwae.signal_to_noise(draws) == pytest.approx(0.5 / 3.0, rel=0.05)
    noise_only = rng.standard_normal((100, 50))
    assert iwae.signal_to_noise(noise_only) < 0.05  # the uncorrected ratio would be ≈ 0.1
    with pytest.raises(ValueError):
        iwae.signal_to_noise(np.ones((1, 3)))


def test_snr_curve_slopes():
    curve = iwae.SNRCurve(np.array([1.0, 4.0, 16.0]), np.array([0.4, 0.2, 0.1]), np.array([1.0, 2.0, 4.0]))
    assert curve.slopes == pytest.approx((-0.5, 0.5))
    unresolved = iwae.SNRCurve(np.array([1.0, 4.0, 16.0]), np.array([0.4, 0.2, 0.0]), np.array([1.0, 2.0, 0.0]))
    assert unresolved.slopes == pytest.approx((-0.5, 0.5))  # the zero estimates are left out
    assert np.isnan(iwae.SNRCurve(np.array([1.0, 4.0]), np.array([0.4, 0.0]), np.array([1.0, 2.0])).slopes[0])


def test_snr_trends_on_a_small_model():
    # On this random model the weights are far from one another, so the large-K regime comes late:
    # compare K = 1 with K = 256.
    params, x, _ = setup(9, N=1)
    curve = iwae.snr_curve(params, x[0], [1, 256], n_encoder=100, n_decoder=200, rng=0)
    assert curve.decoder[1] > 2 * curve.decoder[0]
    assert curve.encoder[1] < 0.5 * curve.encoder[0]
