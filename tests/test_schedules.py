"""KL schedules, the free-bits objective and its gradient, and the training loop that uses them."""
import math

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from vae_from_scratch import data, optim, schedules, train
from vae_from_scratch.diagnostics import rate_per_dimension
from vae_from_scratch.distributions import analytic_gaussian_kl
from vae_from_scratch.models.vae import init_vae_params
from vae_from_scratch.objectives import elbo_estimator_b, encode


def small_vae(seed=0, D=8, J=3, H=6):
    return init_vae_params(D, J, (H,), "bernoulli", np.random.default_rng(seed))


def flat(params):
    return np.concatenate([a.ravel() for net in params for pair in net for a in pair])


# ----------------------------------------------------------------------------- schedules


def test_constant_schedule():
    assert [schedules.constant(0.3)(t) for t in (0, 5, 10_000)] == [0.3, 0.3, 0.3]
    assert schedules.as_schedule(2.0)(7) == 2.0


def test_linear_warmup():
    schedule = schedules.linear_warmup(100)
    assert [schedule(t) for t in (0, 25, 50, 100, 1000)] == [0.0, 0.25, 0.5, 1.0, 1.0]
    assert schedules.linear_warmup(10, start=0.5, end=1.5)(5) == pytest.approx(1.0)


def test_sigmoid_warmup_is_half_at_its_midpoint_and_monotone():
    schedule = schedules.sigmoid_warmup(200, 20)
    values = [schedule(t) for t in range(0, 1000, 10)]
    assert schedule(200) == pytest.approx(0.5)
    assert np.all(np.diff(values) >= 0)
    assert values[0] < 1e-4 and values[-1] > 1 - 1e-9
    assert schedule(240) == pytest.approx(1 / (1 + math.exp(-2)))


def test_cyclical_repeats_the_warmup():
    schedule = schedules.cyclical(100, ramp=0.5)
    assert [schedule(t) for t in (0, 25, 50, 99, 100, 125)] == [0.0, 0.5, 1.0, 1.0, 0.0, 0.5]


@pytest.mark.parametrize("make", [
    lambda: schedules.linear_warmup(0), lambda: schedules.linear_warmup(10, start=-1),
    lambda: schedules.sigmoid_warmup(10, 0), lambda: schedules.constant(-0.1),
    lambda: schedules.constant(float("nan")), lambda: schedules.cyclical(100, ramp=1.5),
    lambda: schedules.constant(True),
])
def test_schedules_refuse_bad_settings(make):
    with pytest.raises(ValueError):
        make()


# ----------------------------------------------------------------------------- the objective


def test_kl_per_dimension_sums_to_the_analytic_kl():
    rng = np.random.default_rng(1)
    mean, log_var = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    per_dim = schedules.kl_per_dimension(mean, log_var)
    assert per_dim.shape == (5, 4) and np.all(per_dim >= 0)
    np.testing.assert_allclose(per_dim.sum(axis=1), analytic_gaussian_kl(mean, log_var), rtol=1e-12)


def test_free_bits_kl_charges_lambda_below_and_the_kl_above():
    kl = np.array([[0.1, 2.0, 0.0], [0.3, 4.0, 0.2]])  # dimension averages 0.2, 3.0, 0.1
    assert schedules.free_bits_kl(kl, 0.0) == pytest.approx(3.3)
    assert schedules.free_bits_kl(kl, 0.5) == pytest.approx(0.5 + 3.0 + 0.5)
    assert schedules.free_bits_kl(kl, 0.15) == pytest.approx(0.2 + 3.0 + 0.15)


def test_free_bits_gradient():
    rng = np.random.default_rng(2)
    mean = rng.normal(scale=[[0.1, 2.0, 0.05]], size=(6, 3))
    log_var = rng.normal(scale=0.1, size=(6, 3))

    def term(m, free_bits):
        return schedules.free_bits_kl(schedules.kl_per_dimension(m, log_var), free_bits)

    free = autograd.grad(term)(mean, 0.5)
    plain = autograd.grad(term)(mean, 0.0)
    below = np.mean(schedules.kl_per_dimension(mean, log_var), axis=0) < 0.5
    assert below.tolist() == [True, False, True]
    assert np.all(free[:, below] == 0.0)
    np.testing.assert_allclose(free[:, ~below], plain[:, ~below], rtol=1e-12)
    np.testing.assert_allclose(plain, mean / 6, rtol=1e-12)  # ∂(mean_i ½ μ²)/∂μ = μ / B


def test_beta_objective_is_estimator_b():
    params = small_vae()
    rng = np.random.default_rng(3)
    x = (rng.random((5, 8)) < 0.5).astype(float)
    eps = rng.standard_normal((2, 5, 3))
    expected = np.mean(elbo_estimator_b(params, x, eps))
    assert schedules.objective(params, x, eps) == pytest.approx(expected, rel=1e-12)
    expected_beta = np.mean(elbo_estimator_b(params, x, eps, beta=0.3))
    assert schedules.objective(params, x, eps, beta=0.3) == pytest.approx(expected_beta, rel=1e-12)
    assert schedules.objective(params, x, eps[0]) == pytest.approx(
        np.mean(elbo_estimator_b(params, x, eps[0])), rel=1e-12)


def test_objective_accepts_a_decoder_function():
    params = small_vae()
    x = np.ones((2, 8))
    eps = np.zeros((1, 2, 3))

    def constant_decoder(decoder_params, x, z):
        return anp.zeros(z.shape[:-1]) - 1.0

    value = schedules.objective(params, x, eps, likelihood=constant_decoder)
    mean, log_var = encode(params[0], x)
    assert value == pytest.approx(-1.0 - np.mean(analytic_gaussian_kl(mean, log_var)))


# ----------------------------------------------------------------------------- the loop


def test_train_loop_with_the_plain_objective_is_fit():
    x = data.load_digits().x_train[:200]
    a, b = small_vae(4, D=64, J=3, H=10), small_vae(4, D=64, J=3, H=10)
    train.fit(a, x, epochs=2, batch_size=50, optimizer=optim.Adam(3e-3), gradients="autograd",
              seed=9, progress=False)
    record = schedules.train_loop(b, x, schedules.autograd_value_and_grad(), epochs=2,
                                  batch_size=50, optimizer=optim.Adam(3e-3), seed=9)
    np.testing.assert_allclose(flat(a), flat(b), rtol=0, atol=1e-12)
    assert len(record["value"]) == 2 * 4


def test_train_loop_passes_the_step_number_to_the_schedule():
    seen = []

    def spy(params, x, eps, step):
        seen.append((step, eps.shape))
        zeros = [[(np.zeros_like(W), np.zeros_like(b)) for W, b in net] for net in params]
        return -1.0, zeros

    params = small_vae(D=64)
    calls = []
    schedules.train_loop(params, data.load_digits().x_train[:90], spy, epochs=2, batch_size=40,
                         n_samples=2, callback=lambda epoch, p: calls.append(epoch))
    assert [s for s, _ in seen] == list(range(6))
    assert seen[0][1] == (2, 40, 3) and seen[2][1] == (2, 10, 3)
    assert calls == [1, 2]


def test_warmup_raises_the_rate_early_in_training():
    x = data.load_digits().x_train[:300]
    rates = {}
    for name, beta in (("plain", 1.0), ("warm-up", schedules.linear_warmup(1000))):
        params = small_vae(5, D=64, J=4, H=20)
        schedules.train_loop(params, x, schedules.autograd_value_and_grad(beta), epochs=3,
                             batch_size=50, optimizer=optim.Adam(3e-3))
        rates[name] = rate_per_dimension(params[0], x).sum()
    assert rates["warm-up"] > 2 * rates["plain"]


def test_train_loop_refuses_bad_arguments():
    params = small_vae(D=64)
    x = data.load_digits().x_train[:20]
    f = schedules.autograd_value_and_grad()
    with pytest.raises(ValueError, match="binarization"):
        schedules.train_loop(params, x, f, epochs=1, binarization="sometimes")
    with pytest.raises(TypeError, match="optimizer"):
        schedules.train_loop(params, x, f, epochs=1, optimizer="adam")
    with pytest.raises(ValueError, match="epochs"):
        schedules.train_loop(params, x, f, epochs=0)
    with pytest.raises(ValueError):
        schedules.autograd_value_and_grad(free_bits=-1.0)


def test_train_loop_stops_on_a_non_finite_objective():
    def broken(params, x, eps, step):
        return float("nan"), params

    with pytest.raises(FloatingPointError, match="learning rate"):
        schedules.train_loop(small_vae(D=64), data.load_digits().x_train[:20], broken, epochs=1)
