import autograd
import numpy as np
import pytest

from vae_from_scratch import sequences as sq
from vae_from_scratch.models import wavenet as wn


def test_dilations_and_receptive_field_formula():
    assert wn.dilations(4) == (1, 2, 4, 8)
    assert wn.dilations(3, 2) == (1, 2, 4, 1, 2, 4)
    for L in range(1, 8):
        assert wn.receptive_field(wn.dilations(L)) == 2 ** L
        assert wn.receptive_field(wn.dilations(L, 3)) == 3 * (2 ** L - 1) + 1
    assert wn.receptive_field((1, 1, 1)) == 4  # no dilation: one step per layer
    assert wn.receptive_field((1, 2, 4), kernel_size=3) == 15


@pytest.mark.parametrize("dilation_list", [(1, 2, 4), (1, 2, 4, 8), (1, 2, 1, 2), (1, 1, 3)])
def test_network_depends_on_exactly_the_receptive_field(dilation_list):
    """Perturb one input code at a time: exactly the R codes before the last step change its output."""
    n, T = 16, 40
    params = wn.init_wavenet(n, dilation_list, 0, channels=8, skip_channels=32, hidden=32)  # wide: no dead ReLU path
    codes = np.random.default_rng(0).integers(0, n, size=(1, T))
    base = wn.logits(params, codes, dilation_list)[0, -1]
    influence = []
    for s in range(T):
        changed = codes.copy()
        changed[0, s] = (changed[0, s] + 5) % n
        influence.append(not np.allclose(wn.logits(params, changed, dilation_list)[0, -1], base))
    R = wn.receptive_field(dilation_list)
    assert influence == [False] * (T - 1 - R) + [True] * R + [False]  # q_{T−1} itself never counts
    graph = wn.dependency_graph(dilation_list)
    assert graph.shape == (len(dilation_list) + 1, R) and graph[-1].all()


def test_dependency_graph_of_one_stack_is_a_binary_tree():
    graph = wn.dependency_graph((1, 2, 4))
    assert list(graph.sum(axis=1)) == [1, 2, 4, 8]
    assert wn.dependency_graph((1, 2, 4), width=12).shape == (4, 12)


def test_causal_shift_gradient():
    h = np.random.default_rng(0).standard_normal((2, 7, 3))
    w = np.random.default_rng(1).standard_normal((2, 7, 3))
    g = autograd.grad(lambda a: np.sum(wn.causal_shift(a, 2) * w))(h)
    expected = np.zeros_like(w)
    expected[:, :5] = w[:, 2:]
    assert np.allclose(g, expected)
    assert np.array_equal(wn.causal_shift(h, 9), np.zeros_like(h))


def test_untrained_network_scores_about_log_n_and_training_helps():
    dil = wn.dilations(3)
    codes = sq.mu_law_encode(sq.sine_mixtures(64, 40, 0), 4)
    params = wn.init_wavenet(16, dil, 0, channels=4, skip_channels=8, hidden=8)
    before = float(wn.nats_per_sample(params, codes, dil))
    assert abs(before - np.log(16)) < 1.0
    history = wn.fit(params, codes, dil, steps=80, batch_size=8, seed=0)
    after = float(wn.nats_per_sample(params, codes, dil))
    assert after < wn.unigram_nats(codes, codes, 16) < np.log(16)
    assert after < before - 0.5 and len(history) == 4


def test_sample_shapes_and_prime():
    dil = wn.dilations(2)
    params = wn.init_wavenet(8, dil, 0, channels=2, skip_channels=2, hidden=2)
    out = wn.sample(params, dil, 3, 10, 0)
    assert out.shape == (3, 10) and out.min() >= 0 and out.max() < 8
    prime = np.array([[1, 2], [3, 4], [5, 6]])
    primed = wn.sample(params, dil, 3, 10, 0, prime=prime)
    assert np.array_equal(primed[:, :2], prime)
    assert np.array_equal(out, wn.sample(params, dil, 3, 10, 0))


def test_unigram_baseline_equals_the_entropy_of_the_frequencies():
    codes = np.array([[0, 0, 1, 1, 2, 2, 3, 3]])
    # add-one smoothing over 4 levels: every frequency is 3/12
    assert wn.unigram_nats(codes, codes, 4) == pytest.approx(np.log(4))
