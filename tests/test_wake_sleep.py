import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from vae_from_scratch import data, objectives
from vae_from_scratch.models.vae import init_vae_params
from vae_from_scratch.models.wake_sleep import dream, fit_wake_sleep, sleep_loss, wake_loss
from vae_from_scratch.optim import Adam
from vae_from_scratch.train import dataset_bound


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


def small_params(seed=0, likelihood="bernoulli"):
    return init_vae_params(64, 2, (32,), likelihood, np.random.default_rng(seed))


def test_wake_sleep_improves_the_bound(digits):
    params = small_params()
    x_test = data.binarize_static(digits.x_test)
    before = dataset_bound(params, x_test)
    history = fit_wake_sleep(params, digits.x_train, digits.x_test, epochs=6, lr=3e-3,
                             binarization="static", progress=False)
    # measured: −45.5 before, −26.0 after six epochs
    assert history.test_bound[-1] > before + 12.0
    assert history.test_bound[-1] == pytest.approx(dataset_bound(params, x_test))
    assert len(history.running_bound) == 6 and history.samples_seen[-1] == 6 * len(digits.x_train)


def test_wake_gradient_is_the_elbo_gradient_in_theta(digits):
    # With z = μ + σ ε fixed, −∇_θ mean L̃ᴮ = ∇_θ wake_loss: the KL term has no θ in it.
    params = small_params()
    x = data.binarize_static(digits.x_train[:20])
    eps = np.random.default_rng(0).standard_normal((1, 20, 2))
    mean, log_var = objectives.encode(params[0], x)
    z = mean + np.exp(0.5 * log_var) * eps[0]
    wake = autograd.grad(wake_loss)(params[1], x, z)
    elbo = autograd.grad(lambda dec: -anp.mean(objectives.elbo_estimator_b((params[0], dec), x, eps)))(params[1])
    for (a, b), (c, d) in zip(wake, elbo):
        np.testing.assert_allclose(a, c, atol=1e-12)
        np.testing.assert_allclose(b, d, atol=1e-12)


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_dreams_and_sleep_steps(likelihood):
    params = small_params(likelihood=likelihood)
    z, x = dream(params[1], 500, 2, np.random.default_rng(1), likelihood)
    assert z.shape == (500, 2) and x.shape == (500, 64)
    if likelihood == "bernoulli":
        assert set(np.unique(x)) <= {0.0, 1.0}
    # a few sleep steps on fixed dreams make the recognition model fit them better
    opt = Adam(1e-2)
    start = sleep_loss(params[0], x, z)
    for _ in range(20):
        opt.step(params[0], autograd.grad(sleep_loss)(params[0], x, z))
    assert sleep_loss(params[0], x, z) < start - 0.1


def test_reproducible_and_validated(digits):
    a, b = small_params(), small_params()
    for p in (a, b):
        fit_wake_sleep(p, digits.x_train[:200], epochs=1, seed=4, progress=False)
    assert all(np.array_equal(u, v) for na, nb in zip(a, b) for pa, pb in zip(na, nb) for u, v in zip(pa, pb))
    with pytest.raises(ValueError, match="D = 64"):
        fit_wake_sleep(small_params(), digits.x_train[:, :10], progress=False)
    with pytest.raises(ValueError, match="lr"):
        fit_wake_sleep(small_params(), digits.x_train, lr=0.0, progress=False)
