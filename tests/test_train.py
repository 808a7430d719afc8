import math
import warnings

import numpy as np
import pytest

from vae_from_scratch import data, nn
from vae_from_scratch.optim import SGD, Adam
from vae_from_scratch.train import History, TrainingDiverged, checked_optimizer, dataset_bound, descend, fit, run_epochs


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


def init(x_dim=64, hidden=(32,), latent=2, likelihood="bernoulli", seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    encoder = nn.init_gaussian_mlp(x_dim, hidden, latent, rng, "glorot", dtype)
    if likelihood == "bernoulli":
        decoder = nn.init_mlp([latent, *hidden, x_dim], rng, "glorot", dtype)
    else:
        decoder = nn.init_gaussian_mlp(latent, hidden, x_dim, rng, "glorot", dtype)
    return (encoder, decoder)


def flat(params):
    return np.concatenate([a.ravel() for net in params for pair in net for a in pair])


def quiet_fit(params, x, x_test=None, **kw):
    kw.setdefault("epochs", 2)
    return fit(params, x, x_test, progress=False, **kw)


def test_training_raises_the_bound(digits):
    params = init()
    before = dataset_bound(params, data.binarize_static(digits.x_test))
    history = quiet_fit(params, digits.x_train, digits.x_test, epochs=8, binarization="static",
                        optimizer=Adam(3e-3))
    assert history.test_bound[-1] > before + 15.0  # measured: from −45.5 to −25.5 nats
    assert history.train_bound[-1] > history.train_bound[0]
    assert history.test_bound[-1] == pytest.approx(dataset_bound(params, data.binarize_static(digits.x_test)))


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_manual_and_autograd_gradients_train_identically(digits, likelihood):
    x = digits.x_train[:250]
    a, b = init(likelihood=likelihood), init(likelihood=likelihood)
    kw = dict(epochs=2, batch_size=50, likelihood=likelihood, n_samples=2, beta=0.5, weight_decay=1.0)
    quiet_fit(a, x, gradients="manual", optimizer=Adam(1e-2), **kw)
    quiet_fit(b, x, gradients="autograd", optimizer=Adam(1e-2), **kw)
    moved = np.max(np.abs(flat(a) - flat(init(likelihood=likelihood))))
    assert moved > 0.05  # ten Adam steps of 1e-2 really changed the weights
    np.testing.assert_allclose(flat(a), flat(b), rtol=0, atol=1e-8)


def test_same_seed_gives_bitwise_identical_weights(digits):
    x = digits.x_train[:300]
    runs = []
    for seed in (3, 3, 4):
        params = init()
        quiet_fit(params, x, seed=seed)
        runs.append(flat(params))
    assert np.array_equal(runs[0], runs[1])
    assert not np.allclose(runs[0], runs[2])


def test_history_records_every_epoch(digits):
    x = digits.x_train[:230]
    seen = []
    history = quiet_fit(init(), x, digits.x_test[:50], epochs=3, batch_size=100,
                        callbacks=[lambda epoch, params, h: seen.append((epoch, len(h)))])
    d = history.as_dict()
    assert set(d) == {"epoch", "train_bound", "test_bound", "running_bound", "samples_seen", "seconds"}
    assert d["epoch"] == [1, 2, 3] and d["samples_seen"] == [230, 460, 690]
    assert all(len(v) == 3 for v in d.values())
    assert seen == [(1, 1), (2, 2), (3, 3)]
    assert all(b < 0 for b in d["test_bound"])


def test_callback_can_stop_and_history_continues(digits):
    x = digits.x_train[:200]
    params = init()
    history = quiet_fit(params, x, epochs=10, callbacks=[lambda epoch, p, h: epoch == 2])
    assert len(history) == 2 and math.isnan(history.test_bound[0])
    quiet_fit(params, x, epochs=1, history=history)
    assert history.epoch == [1, 2, 3] and history.samples_seen[-1] == 600


def test_weight_decay_is_the_prior_scaled_per_datapoint(digits):
    # One SGD step: with λ the update differs by exactly −lr · (λ/N) · w (the MAP term).
    x = digits.x_train[:100]
    lr, lam, n = 0.1, 5.0, len(x)
    plain, decayed, start = init(), init(), init()
    quiet_fit(plain, x, epochs=1, batch_size=100, optimizer=SGD(lr))
    quiet_fit(decayed, x, epochs=1, batch_size=100, optimizer=SGD(lr), weight_decay=lam)
    np.testing.assert_allclose(flat(decayed) - flat(plain), -lr * lam / n * flat(start), atol=1e-12)


def test_float32_training_stays_float32(digits):
    params = init(dtype=np.float32)
    history = quiet_fit(params, digits.x_train[:200], epochs=1)
    assert all(a.dtype == np.float32 for net in params for pair in net for a in pair)
    assert np.isfinite(history.train_bound[0])


def test_divergence_is_reported_with_advice(digits):
    with pytest.raises(TrainingDiverged, match=r"epoch 1, step \d+ .*smaller learning rate"):
        quiet_fit(init(), digits.x_train[:300], optimizer=SGD(1e8), binarization=None)


def test_divergence_found_by_the_epochs_evaluation_is_reported_without_numpy_warnings(digits):
    def step_to_huge_weights(params, batch, rng):  # finite minibatch objectives, then an overflowing model
        for W, b in params[1]:
            W[...] = 1e307  # sums of 32 such products overflow float64
        return -1.0

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning from deep inside NumPy would fail here
        with pytest.raises(TrainingDiverged, match="diverged in epoch 1: the training bound is"):
            run_epochs(init(), digits.x_train[:50], None, step_to_huge_weights, epochs=1, batch_size=50,
                       likelihood="bernoulli", binarization=None, seed=0, progress=False, callbacks=(),
                       history=None, eval_batch_size=1000, advice="try a smaller learning rate")


def test_bad_arguments_are_refused(digits):
    x = digits.x_train[:50]
    with pytest.raises(ValueError, match="D = 64"):
        quiet_fit(init(), x[:, :10])
    with pytest.raises(ValueError, match="NaN"):
        quiet_fit(init(), np.where(x == 0, np.nan, x))
    with pytest.raises(ValueError, match="epochs"):
        quiet_fit(init(), x, epochs=0)
    with pytest.raises(ValueError, match="batch_size"):
        quiet_fit(init(), x, batch_size=-1)
    with pytest.raises(ValueError, match="binarization=None"):
        quiet_fit(init(likelihood="gaussian"), x, likelihood="gaussian", binarization="dynamic")
    with pytest.raises(ValueError, match="gradients"):
        quiet_fit(init(), x, gradients="numeric")
    with pytest.raises(TypeError, match="optimizer"):
        quiet_fit(init(), x, optimizer="adam")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        quiet_fit(init(), x * 2.0)


def test_history_object():
    h = History()
    h.append(epoch=1, train_bound=-3.0, test_bound=-4.0, running_bound=-3.5, samples_seen=10, seconds=0.1)
    assert len(h) == 1 and h.as_dict()["test_bound"] == [-4.0]


def test_descend_takes_the_optimizers_steps_and_records_every_kth_loss():
    # f(w) = ½‖w − 3‖²: plain SGD with rate η multiplies the distance to 3 by (1 − η) each step
    target = np.full(2, 3.0)
    params = [np.zeros(2)]
    draws = []

    def loss_and_grads(step):
        draws.append(step)
        return 0.5 * float(np.sum((params[0] - target) ** 2)), [params[0] - target]

    history = descend(params, SGD(0.5), 7, loss_and_grads, record_every=3)
    assert draws == list(range(7))
    np.testing.assert_allclose(params[0], 3.0 * (1 - 0.5**7))
    np.testing.assert_allclose(history, [0.5 * 2 * (3.0 * 0.5**k) ** 2 for k in (0, 3, 6)])


def test_descend_names_the_step_where_the_loss_stops_being_finite():
    losses = iter([1.0, 0.5, math.inf])
    with pytest.raises(TrainingDiverged, match="at step 2; try a smaller learning rate"):
        descend([np.zeros(1)], SGD(0.1), 5, lambda step: (next(losses), [np.zeros(1)]))


def test_checked_optimizer_defaults_to_adam_and_refuses_others():
    adam = checked_optimizer(None, 3e-3)
    assert isinstance(adam, Adam) and adam.lr == 3e-3
    sgd = SGD(0.1)
    assert checked_optimizer(sgd, 3e-3) is sgd
    with pytest.raises(TypeError, match=r"optimizer must be an optimizer from vae_from_scratch.optim .*got str"):
        checked_optimizer("adam", 1e-3)
