import autograd
import numpy as np
import pytest

from vae_from_scratch import samplers
from vae_from_scratch import sequences as sq
from vae_from_scratch.models import boundaries as bd


def _relaxed(rng, shape):
    a = rng.normal(0.0, 3.0, size=shape)
    return a, 1.0 / (1.0 + np.exp(-a))


def test_closed_form_equals_the_loop_and_rows_sum_to_one():
    rng = np.random.default_rng(0)
    a, m = _relaxed(rng, (3, 15))
    m[:, 0] = 1.0
    u = rng.standard_normal((3, 15, 2))
    log_m, log_keep = bd._logs_with_first_update(a)
    A = bd.copy_update_weights(log_m, log_keep)
    assert np.allclose(A @ u, bd.copy_update(m, u), atol=1e-12)
    assert np.allclose(A.sum(axis=-1), 1.0)  # m_0 = 1: z_t is a convex combination of u_0 … u_t
    assert np.all(np.triu(A[0], 1) == 0.0)  # nothing from the future


def test_hard_boundaries_copy_and_update():
    m = np.array([[1, 0, 0, 1, 0]], dtype=float)
    u = np.arange(5, dtype=float).reshape(1, 5, 1)
    assert list(bd.copy_update(m, u)[0, :, 0]) == [0, 0, 0, 3, 3]


def test_closed_form_is_finite_when_m_saturates():
    a = np.array([[0.0, 800.0, -800.0, 50.0]])  # σ(±800) rounds to exactly 1 and 0
    log_m, log_keep = bd._logs_with_first_update(a)
    A = bd.copy_update_weights(log_m, log_keep)
    assert np.all(np.isfinite(A)) and np.allclose(A.sum(axis=-1), 1.0)


def test_bernoulli_kl():
    assert bd.bernoulli_kl(np.log(0.1 / 0.9), 0.1) == pytest.approx(0.0, abs=1e-12)
    p, rho = 0.7, 0.2
    expected = p * np.log(p / rho) + (1 - p) * np.log((1 - p) / (1 - rho))
    assert bd.bernoulli_kl(np.log(p / (1 - p)), rho) == pytest.approx(expected)
    assert np.isfinite(bd.bernoulli_kl(np.array([-1e4, 1e4]), 0.1)).all()


def test_the_relaxed_sample_is_the_samplers_relaxed_bernoulli():
    rng = np.random.default_rng(0)
    logits, u = rng.normal(size=20), rng.uniform(size=20)
    a = (logits + samplers.logistic(0.0, 1.0, u)) / 0.5
    assert np.allclose(1.0 / (1.0 + np.exp(-a)), samplers.relaxed_bernoulli(logits, u, 0.5))


def test_loss_is_differentiable_and_finite():
    x, _ = sq.piecewise_constant(4, 20, 0)
    params = bd.init_boundary_model(0)
    u = np.random.default_rng(0).uniform(0.01, 0.99, size=x.shape)
    value, grads = autograd.value_and_grad(bd.loss)(params, x, u, 0.5)
    assert np.isfinite(value)
    assert all(np.all(np.isfinite(g)) for layer in grads for pair in layer for g in pair)


def test_training_finds_the_boundaries():
    x, _ = sq.piecewise_constant(300, 48, 0)
    x_test, true = sq.piecewise_constant(100, 48, 1)
    params = bd.init_boundary_model(0)
    bd.fit(params, x, steps=150, seed=0)
    precision, recall = bd.precision_recall(bd.predict_boundaries(params, x_test), true)
    assert precision > 0.9 and recall > 0.9


def test_precision_recall_and_schedule():
    true = np.array([[1, 0, 1, 0, 1, 0]], dtype=bool)
    predicted = np.array([[1, 1, 1, 0, 0, 0]], dtype=bool)
    assert bd.precision_recall(predicted, true) == (0.5, 0.5)
    taus = bd.temperature_schedule(5, 1.0, 0.25)
    assert taus[0] == 1.0 and taus[-1] == pytest.approx(0.25) and np.all(np.diff(taus) < 0)
