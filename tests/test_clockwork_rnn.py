import autograd
import numpy as np
import pytest

from vae_from_scratch import sequences as sq
from vae_from_scratch.models import clockwork_rnn as cw
from vae_from_scratch.optim import Adam


def test_periods_and_schedule():
    assert list(cw.module_periods(4)) == [1, 2, 4, 8]
    s = cw.schedule(9, cw.module_periods(4))
    assert s[0].all()  # every module starts at t = 0
    assert list(s[:, 3]) == [True] + [False] * 7 + [True]
    assert list(s.sum(axis=0)) == [9, 5, 3, 2]


def test_mask_is_block_triangular_slow_to_fast():
    mask = cw.recurrent_mask([1, 2, 4], 2)
    assert mask.shape == (6, 6)
    expected_blocks = np.array([[1, 1, 1], [0, 1, 1], [0, 0, 1]])
    assert np.array_equal(mask, np.kron(expected_blocks, np.ones((2, 2))))
    assert cw.recurrent_mask([1, 1, 1], 2).all()  # the plain RNN


def test_weight_count():
    # 4 modules of 3 units: masked recurrent weights 9 · (4 + 3 + 2 + 1) = 90, plus b 12, V 12, c 1
    assert cw.n_weights(cw.module_periods(4), 3) == 90 + 12 + 12 + 1
    assert cw.n_weights([1, 1, 1, 1], 3) == 144 + 12 + 12 + 1


@pytest.mark.parametrize("periods", [[1, 2, 4, 8], [1, 1, 1, 1], [1, 3, 5]])
def test_hand_written_bptt_equals_autograd(periods):
    periods = np.array(periods)
    params = cw.init_clockwork_rnn(periods, 3, 0, n_out=2)
    target = np.random.default_rng(1).standard_normal((37, 2))
    loss, grads = cw.loss_and_grad(params, target, periods, 3)
    assert loss == pytest.approx(float(cw.mse(params, target, periods, 3)), rel=1e-12)
    expected = autograd.grad(lambda p: cw.mse(p, target, periods, 3))(params)
    for g, e in zip(grads, expected):
        assert np.allclose(g, e, atol=1e-12)


def test_slow_modules_hold_their_state_between_ticks():
    periods = cw.module_periods(3)
    params = cw.init_clockwork_rnn(periods, 2, 0)
    states, _ = cw.run(params, 12, periods, 2)
    slow = states[:, 4:]  # period 4
    for t in range(12):
        if t % 4:
            assert np.array_equal(slow[t], slow[t - 1])


def test_clockwork_learns_the_waveform_better_than_a_plain_rnn():
    x = sq.waveform(96, 0)
    results = {}
    for name, periods in (("cw", cw.module_periods(5)), ("rnn", np.ones(5, dtype=int))):
        params = cw.init_clockwork_rnn(periods, 4, 0)
        history = cw.fit(params, x, periods, 4, steps=300, optimizer=Adam(3e-3))
        results[name] = history[-1]
        assert history[-1] < history[0]
    assert results["cw"] < 0.5 * results["rnn"]


def test_fit_is_deterministic_and_rejects_bad_optimizer():
    x = sq.waveform(40, 0)
    runs = []
    for _ in range(2):
        params = cw.init_clockwork_rnn(cw.module_periods(3), 2, 0)
        runs.append(cw.fit(params, x, cw.module_periods(3), 2, steps=20))
    assert np.array_equal(*runs)
    with pytest.raises(TypeError):
        cw.fit(params, x, cw.module_periods(3), 2, steps=1, optimizer="adam")
    with pytest.raises(ValueError):
        cw.module_periods(0)


def test_nmse_of_the_mean_is_one():
    x = sq.waveform(50, 0)
    assert cw.nmse(np.full_like(x, x.mean()), x) == pytest.approx(1.0)
