"""MLPs as lists of (W, b): shapes, the App. C formulas, initialisers, errors and dtypes."""
import warnings

import numpy as np
import pytest
from scipy import special

from vae_from_scratch import nn


def test_init_mlp_shapes_and_paper_scale():
    rng = np.random.default_rng(0)
    params = nn.init_mlp([300, 200, 10], rng)
    assert [(W.shape, b.shape) for W, b in params] == [((300, 200), (200,)), ((200, 10), (10,))]
    weights = np.concatenate([W.ravel() for W, _ in params] + [b for _, b in params])
    # "N(0, 0.01)" read as a standard deviation of 0.01 (App. C / §5)
    assert np.std(weights) == pytest.approx(0.01, rel=0.02)
    assert abs(np.mean(weights)) < 1e-3


def test_init_mlp_glorot_scale_and_zero_biases():
    rng = np.random.default_rng(1)
    (W, b), = nn.init_mlp([400, 600], rng, init="glorot")
    assert np.std(W) == pytest.approx(np.sqrt(2.0 / 1000.0), rel=0.02)
    np.testing.assert_array_equal(b, 0.0)


def test_init_mlp_dtype_and_reproducibility():
    a = nn.init_mlp([3, 4, 2], np.random.default_rng(2), dtype=np.float32)
    b = nn.init_mlp([3, 4, 2], np.random.default_rng(2), dtype=np.float32)
    for (Wa, ba), (Wb, bb) in zip(a, b):
        assert Wa.dtype == ba.dtype == np.float32
        np.testing.assert_array_equal(Wa, Wb)
        np.testing.assert_array_equal(ba, bb)


@pytest.mark.parametrize("sizes", [[784], [], [784, 0], [3, -1, 2]])
def test_init_mlp_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError, match="layer sizes must be at least two positive integers"):
        nn.init_mlp(sizes, np.random.default_rng(0))


def test_init_mlp_rejects_an_unknown_scheme():
    with pytest.raises(ValueError, match="init must be 'paper' or 'glorot'"):
        nn.init_mlp([3, 2], np.random.default_rng(0), init="xavier")


@pytest.mark.parametrize("activation", ["tanh", "relu", "softplus"])
def test_mlp_is_hidden_activations_then_linear(activation):
    rng = np.random.default_rng(3)
    params = nn.init_mlp([5, 4, 3, 2], rng, init="glorot")
    x = rng.standard_normal((2, 6, 5))  # leading sample axis broadcasts through
    act = {"tanh": np.tanh, "relu": lambda a: np.maximum(a, 0.0),
           "softplus": lambda a: np.logaddexp(0.0, a)}[activation]
    (W1, b1), (W2, b2), (W3, b3) = params
    expected = act(act(x @ W1 + b1) @ W2 + b2) @ W3 + b3
    got = nn.mlp(params, x, activation)
    assert got.shape == (2, 6, 2)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_bernoulli_mlp_returns_the_logits_of_app_c1():
    rng = np.random.default_rng(4)
    (W1, b1), (W2, b2) = params = nn.init_mlp([2, 7, 9], rng, init="glorot")
    z = rng.standard_normal((3, 2))
    logits = nn.bernoulli_mlp(params, z)
    # y = sigmoid(W₂ tanh(W₁ z + b₁) + b₂)
    np.testing.assert_allclose(nn.sigmoid(logits), special.expit(np.tanh(z @ W1 + b1) @ W2 + b2),
                               rtol=1e-12)


def test_gaussian_mlp_heads_and_sigmoid_mean():
    rng = np.random.default_rng(5)
    params = nn.init_gaussian_mlp(6, [8, 5], 3, rng, init="glorot")
    assert [W.shape for W, _ in params] == [(6, 8), (8, 5), (5, 3), (5, 3)]
    x = rng.standard_normal((4, 6))
    mean, log_var = nn.gaussian_mlp(params, x)
    h = np.tanh(np.tanh(x @ params[0][0] + params[0][1]) @ params[1][0] + params[1][1])
    np.testing.assert_allclose(mean, h @ params[2][0] + params[2][1], rtol=1e-12)
    np.testing.assert_allclose(log_var, h @ params[3][0] + params[3][1], rtol=1e-12)
    np.testing.assert_allclose(nn.gaussian_mlp(params, x, sigmoid_mean=True)[0],
                               special.expit(mean), rtol=1e-12)
    loud = params[:2] + [(100.0 * params[2][0], params[2][1]), params[3]]  # a mean head of ±50
    squashed, _ = nn.gaussian_mlp(loud, x, sigmoid_mean=True)
    assert np.all((squashed >= 0.0) & (squashed <= 1.0))
    assert squashed.min() < 0.01 and squashed.max() > 0.99  # the squashing is really exercised


def test_init_gaussian_mlp_without_hidden_layers_is_two_linear_heads():
    params = nn.init_gaussian_mlp(4, [], 2, np.random.default_rng(6))
    assert [W.shape for W, _ in params] == [(4, 2), (4, 2)]
    mean, log_var = nn.gaussian_mlp(params, np.ones((1, 4)))
    np.testing.assert_allclose(mean, np.ones((1, 4)) @ params[0][0] + params[0][1])


def test_sigmoid_matches_expit_and_never_overflows():
    a = np.array([-1000.0, -50.0, -1.0, 0.0, 2.0, 50.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = nn.sigmoid(a)
    np.testing.assert_allclose(s, special.expit(a), rtol=1e-12, atol=1e-15)
    assert s[0] == 0.0 and s[-1] == 1.0


def test_relu():
    np.testing.assert_array_equal(nn.relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])


def test_float32_in_float32_out():
    rng = np.random.default_rng(7)
    params = nn.init_mlp([4, 3, 2], rng, dtype=np.float32)
    gparams = nn.init_gaussian_mlp(4, [3], 2, rng, dtype=np.float32)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    mean, log_var = nn.gaussian_mlp(gparams, x, sigmoid_mean=True)
    outputs = [nn.mlp(params, x), nn.mlp(params, x, "relu"), nn.mlp(params, x, "softplus"),
               mean, log_var, nn.sigmoid(x), nn.relu(x)]
    assert all(out.dtype == np.float32 for out in outputs)
