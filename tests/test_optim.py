import math

import numpy as np
import pytest

from vae_from_scratch.optim import SGD, Adagrad, Adam, make_optimizer


def one_weight(value=1.0, dtype=np.float64):
    return [(np.array([value], dtype=dtype), np.zeros(1, dtype=dtype))]


def weight(params):
    return float(params[0][0][0])


def step_with(opt, params, *gradient_values):
    for g in gradient_values:
        opt.step(params, [(np.array([g]), np.zeros(1))])
    return weight(params)


def test_sgd_update_by_hand():
    assert step_with(SGD(0.1), one_weight(), 0.5) == pytest.approx(1.0 - 0.1 * 0.5)


def test_sgd_momentum_by_hand():
    # v1 = 0.5, w1 = 1 − 0.1·0.5 = 0.95;  v2 = 0.9·0.5 + 0.2 = 0.65, w2 = 0.95 − 0.065 = 0.885
    assert step_with(SGD(0.1, momentum=0.9), one_weight(), 0.5, 0.2) == pytest.approx(0.885)


def test_adagrad_update_by_hand():
    # G1 = 0.25, w1 = 1 − 0.1·0.5/0.5 = 0.9;  G2 = 0.25 + 0.04, w2 = 0.9 − 0.1·0.2/√0.29
    expected = 0.9 - 0.1 * 0.2 / math.sqrt(0.29)
    assert step_with(Adagrad(0.1, eps=1e-12), one_weight(), 0.5, 0.2) == pytest.approx(expected, abs=1e-10)


def test_adam_update_by_hand():
    lr, b1, b2 = 0.1, 0.9, 0.999
    w, m, v = 1.0, 0.0, 0.0
    for t, g in enumerate([0.5, 0.2], start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w -= lr * (m / (1 - b1 ** t)) / (math.sqrt(v / (1 - b2 ** t)) + 1e-8)
    assert step_with(Adam(lr), one_weight(), 0.5, 0.2) == pytest.approx(w, abs=1e-12)
    # the first Adam step has length lr whatever the gradient's scale
    assert step_with(Adam(lr), one_weight(), 1e-3) == pytest.approx(1.0 - lr, abs=1e-6)


@pytest.mark.parametrize("opt", [SGD(0.1), SGD(0.05, momentum=0.9), Adagrad(0.5), Adam(0.05)],
                         ids=["sgd", "momentum", "adagrad", "adam"])
def test_each_optimizer_minimises_a_quadratic(opt):
    # f = ½ Σ a (w − c)² over a nested (list of (W, b)) structure like a VAE's parameters
    rng = np.random.default_rng(0)
    params = ([(rng.standard_normal((3, 2)), rng.standard_normal(2))],
              [(rng.standard_normal((2, 4)), rng.standard_normal(4))])
    targets = [[(np.full((3, 2), 1.0), np.full(2, -1.0))], [(np.full((2, 4), 0.5), np.full(4, 2.0))]]
    curvature = 2.0

    def distance():
        return max(float(np.max(np.abs(p - c))) for net_p, net_c in zip(params, targets)
                   for pair_p, pair_c in zip(net_p, net_c) for p, c in zip(pair_p, pair_c))

    start = distance()
    for _ in range(500):
        grads = [[tuple(curvature * (p - c) for p, c in zip(pair_p, pair_c))
                  for pair_p, pair_c in zip(net_p, net_c)] for net_p, net_c in zip(params, targets)]
        opt.step(params, grads)
    assert start > 1.0
    assert distance() < 1e-2


@pytest.mark.parametrize("make", [lambda: SGD(0.1, momentum=0.5), lambda: Adagrad(0.1), lambda: Adam(0.1)])
def test_float32_stays_float32_and_update_is_in_place(make):
    opt = make()
    params = one_weight(dtype=np.float32)
    W = params[0][0]
    opt.step(params, [(np.array([0.5], np.float32), np.zeros(1, np.float32))])
    assert params[0][0] is W and W.dtype == np.float32 and W[0] < 1.0
    state = [s for s in opt.state if s is not None]
    for s in state:
        for arr in (s if isinstance(s, tuple) else (s,)):
            assert arr.dtype == np.float32


@pytest.mark.parametrize("bad", [0, -0.1, float("nan"), float("inf"), "0.1", True])
def test_bad_learning_rates_are_refused(bad):
    for cls in (SGD, Adagrad, Adam):
        with pytest.raises(ValueError, match="lr"):
            cls(bad)


def test_bad_hyperparameters_are_refused():
    with pytest.raises(ValueError, match="momentum"):
        SGD(0.1, momentum=1.0)
    with pytest.raises(ValueError, match="b1"):
        Adam(b1=1.0)
    with pytest.raises(ValueError, match="eps"):
        Adagrad(0.1, eps=0.0)


def test_mismatched_gradients_are_refused():
    opt = Adam()
    with pytest.raises(ValueError, match="structure"):
        opt.step(one_weight(), [(np.ones(1),)])
    with pytest.raises(ValueError, match="shape"):
        opt.step(one_weight(), [(np.ones(2), np.ones(1))])


def test_make_optimizer():
    assert isinstance(make_optimizer("adagrad"), Adagrad) and make_optimizer("adagrad").lr == 0.02
    assert make_optimizer("sgd", 0.5).lr == 0.5
    with pytest.raises(ValueError, match="adam"):
        make_optimizer("rmsprop")
