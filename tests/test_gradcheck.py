"""Finite differences recover known gradients, and a wrong gradient is caught and named."""
import numpy as np
import pytest

from vae_from_scratch.gradcheck import check_gradients, finite_difference_gradient, parameter_names


def cubic(params):
    """f = Σ over arrays of Σ c·w³ + Σ w: gradient 3c·w² + 1, with c different per array."""
    total = 0.0
    for k, (W, b) in enumerate(params):
        total = total + (k + 1.0) * np.sum(W ** 3) + np.sum(W) + np.sum(b ** 3)
    return total


def cubic_grad(params):
    return [(3.0 * (k + 1.0) * W ** 2 + 1.0, 3.0 * b ** 2) for k, (W, b) in enumerate(params)]


def small_layers(rng):
    return [(rng.standard_normal((3, 2)), rng.standard_normal(2)),
            (rng.standard_normal((2, 4)), rng.standard_normal(4))]


def test_central_differences_recover_a_known_gradient():
    rng = np.random.default_rng(0)
    params = small_layers(rng)
    numeric = finite_difference_gradient(cubic, params)
    for (gW, gb), (nW, nb) in zip(cubic_grad(params), numeric, strict=True):
        np.testing.assert_allclose(nW, gW, rtol=1e-8, atol=1e-8)
        np.testing.assert_allclose(nb, gb, rtol=1e-8, atol=1e-8)


def test_structure_kept_and_params_not_modified():
    rng = np.random.default_rng(1)
    params = (small_layers(rng), small_layers(rng))
    copies = [[(W.copy(), b.copy()) for W, b in net] for net in params]

    def f(p):
        return cubic(p[0]) - 2.0 * cubic(p[1])

    numeric = finite_difference_gradient(f, params)
    assert isinstance(numeric, tuple) and all(isinstance(net, list) for net in numeric)
    assert all(isinstance(layer, tuple) for net in numeric for layer in net)
    for net, copy in zip(params, copies):
        for (W, b), (W0, b0) in zip(net, copy):
            np.testing.assert_array_equal(W, W0)
            np.testing.assert_array_equal(b, b0)
    np.testing.assert_allclose(numeric[1][0][0], -2.0 * cubic_grad(params[1])[0][0], rtol=1e-7)


def test_check_gradients_passes_a_correct_gradient_and_reports_every_array():
    rng = np.random.default_rng(2)
    params = small_layers(rng)
    errors = check_gradients(cubic, params, cubic_grad(params), rtol=1e-6, atol=1e-8)
    assert list(errors) == ["layer 1 W", "layer 1 b", "layer 2 W", "layer 2 b"]
    assert max(errors.values()) < 1e-6


def test_a_wrong_entry_is_caught_and_named():
    rng = np.random.default_rng(3)
    params = (small_layers(rng), small_layers(rng))

    def f(p):
        return cubic(p[0]) + cubic(p[1])

    grads = (cubic_grad(params[0]), cubic_grad(params[1]))
    grads[1][1][1][2] *= 1.001  # one entry of the decoder's second bias, off by 0.1 %
    with pytest.raises(AssertionError, match=r"decoder layer 2 b entry \(2,\)"):
        check_gradients(f, params, grads, rtol=1e-5, atol=1e-8)
    # A loose tolerance lets the same error through, and reports its size.
    errors = check_gradients(f, params, grads, rtol=1e-2, atol=1e-8)
    assert errors["decoder layer 2 b"] == pytest.approx(1e-3, rel=0.05)
    assert errors["encoder layer 1 W"] < 1e-6


def test_a_wrong_sign_is_caught_even_for_tiny_gradients():
    params = [(np.array([[1e-3, 2.0]]), np.array([0.5]))]

    def f(p):
        return np.sum(p[0][0] ** 2) + np.sum(p[0][1])

    grads = [(np.array([[-2e-3, 4.0]]), np.array([1.0]))]  # 2w, with the first sign flipped
    with pytest.raises(AssertionError, match="layer 1 W"):
        check_gradients(f, params, grads, rtol=1e-5, atol=1e-7)


def test_nan_gradient_fails():
    params = [(np.ones((1, 2)), np.ones(1))]
    grads = [(np.array([[np.nan, 2.0]]), np.zeros(1))]
    with pytest.raises(AssertionError, match="layer 1 W"):
        check_gradients(lambda p: np.sum(p[0][0] ** 2), params, grads)


def test_mismatched_structure_is_a_value_error():
    rng = np.random.default_rng(4)
    params = small_layers(rng)
    with pytest.raises(ValueError, match="structure of params"):
        check_gradients(cubic, params, cubic_grad(params)[:1])
    bad = cubic_grad(params)
    bad[0] = (bad[0][0].T, bad[0][1])
    with pytest.raises(ValueError, match="layer 1 W has shape"):
        check_gradients(cubic, params, bad)


def test_float32_step_that_vanishes_is_a_clear_error():
    params = [(np.array([[1000.0]], dtype=np.float32), np.zeros(1, np.float32))]
    with pytest.raises(ValueError, match="float64"):
        finite_difference_gradient(lambda p: np.sum(p[0][0]), params, eps=1e-6)


def test_parameter_names():
    W, b = np.zeros((2, 2)), np.zeros(2)
    assert parameter_names(([(W, b)], [(W, b), (W, b)])) == [
        "encoder layer 1 W", "encoder layer 1 b", "decoder layer 1 W", "decoder layer 1 b",
        "decoder layer 2 W", "decoder layer 2 b"]
    assert parameter_names([(W, b)]) == ["layer 1 W", "layer 1 b"]
    assert parameter_names([W, [W, b, W]]) == ["params[0]", "params[1][0]", "params[1][1]",
                                              "params[1][2]"]
