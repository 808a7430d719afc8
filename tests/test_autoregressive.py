"""The MADE decoder is autoregressive and normalised; its hand-written gradient is autograd's."""
import itertools

import autograd
import numpy as np
import pytest

from vae_from_scratch import data, optim, schedules, train
from vae_from_scratch.models import autoregressive as ar
from vae_from_scratch.models.vae import init_vae_params


def perturbed(params, rng, masks):
    """Random weights and biases everywhere a mask allows, so that no gradient is trivially zero."""
    encoder = [(1.5 * W, b + 0.3 * rng.standard_normal(b.shape)) for W, b in params[0]]
    W_z, W_x, b_h, W_o, A, b_o = params[1]
    decoder = [W_z, rng.standard_normal(W_x.shape) * masks.inputs, rng.standard_normal(b_h.shape),
               W_o, 0.5 * rng.standard_normal(A.shape) * masks.direct, rng.standard_normal(b_o.shape)]
    return (encoder, decoder)


def test_masks_give_each_pixel_only_the_previous_ones():
    masks = ar.made_masks(6, 9)
    assert masks.autoregressive
    # pixel d (0-based) reaches output d' only through paths that pass pixels < d'
    reach = (masks.inputs @ masks.outputs > 0) | (masks.direct > 0)
    assert np.array_equal(reach, np.triu(np.ones((6, 6), dtype=bool), 1))
    plain = ar.made_masks(6, 9, autoregressive=False)
    assert not plain.autoregressive and plain.outputs.all()


def test_pixel_d_sees_only_earlier_pixels():
    rng = np.random.default_rng(0)
    params, masks = ar.init_params(7, 2, 12, rng)
    params = perturbed(params, rng, masks)
    x = (rng.random((1, 7)) < 0.5).astype(float)
    z = rng.standard_normal((1, 2))
    logits = ar.decoder_logits(params[1], x, z, masks)
    for d in range(7):
        changed = x.copy()
        changed[:, d:] = 1.0 - changed[:, d:]
        np.testing.assert_allclose(ar.decoder_logits(params[1], changed, z, masks)[:, :d + 1],
                                   logits[:, :d + 1], rtol=1e-12)


def test_likelihood_sums_to_one():
    rng = np.random.default_rng(1)
    params, masks = ar.init_params(4, 2, 5, rng)
    params = perturbed(params, rng, masks)
    images = np.array(list(itertools.product([0.0, 1.0], repeat=4)))  # all 16
    for z in rng.standard_normal((3, 1, 2)):
        total = np.exp(ar.log_likelihood(params[1], images, np.repeat(z, 16, axis=0), masks)).sum()
        assert total == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("autoregressive, L, beta, free_bits", [
    (True, 1, 1.0, 0.0), (True, 3, 0.7, 0.0), (True, 2, 1.0, 0.3), (False, 1, 2.0, 0.0),
    (False, 3, 1.0, 0.3),
])
def test_hand_written_gradient_is_autograds(autoregressive, L, beta, free_bits):
    rng = np.random.default_rng(2)
    params, masks = ar.init_params(6, 3, 5, rng, autoregressive)
    params = perturbed(params, rng, masks) if autoregressive else params
    x = (rng.random((4, 6)) < 0.5).astype(float)
    eps = rng.standard_normal((L, 4, 3))
    value, grads = ar.value_and_grad(params, x, eps, masks, beta, free_bits)

    def objective(p):
        return schedules.objective(p, x, eps, beta, free_bits, ar.log_likelihood_function(masks))

    expected_value, expected = autograd.value_and_grad(objective)(params)
    assert value == pytest.approx(float(expected_value), rel=1e-12)
    for (g, e) in zip(grads[0], expected[0]):
        for a, b in zip(g, e):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    for a, b in zip(grads[1], expected[1]):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_free_bits_hold_dimensions_below_lambda():
    rng = np.random.default_rng(3)
    params, masks = ar.init_params(6, 3, 5, rng)
    x = (rng.random((4, 6)) < 0.5).astype(float)
    eps = rng.standard_normal((1, 4, 3))
    _, free = ar.value_and_grad(params, x, eps, masks, free_bits=100.0)   # every dimension below λ
    _, none = ar.value_and_grad(params, x, eps, masks, beta=0.0)           # no KL term at all
    for g, h in zip(free[0], none[0]):
        for a, b in zip(g, h):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_without_pixels_it_is_the_books_vae():
    x = data.load_digits().x_train[:300]
    book = init_vae_params(64, 4, (10,), "bernoulli", np.random.default_rng(3))
    params, masks = ar.init_params(64, 4, 10, np.random.default_rng(3), autoregressive=False)
    assert np.array_equal(book[1][0][0], params[1][0]) and np.array_equal(book[1][1][0], params[1][3])
    train.fit(book, x, epochs=2, optimizer=optim.Adam(3e-3), seed=5, progress=False)
    schedules.train_loop(params, x, ar.make_value_and_grad(masks), epochs=2, optimizer=optim.Adam(3e-3), seed=5)
    pairs = [(book[0][i][k], params[0][i][k]) for i in range(3) for k in range(2)]
    pairs += [(book[1][0][0], params[1][0]), (book[1][0][1], params[1][2]),
              (book[1][1][0], params[1][3]), (book[1][1][1], params[1][5])]
    for a, b in pairs:
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    assert not params[1][1].any() and not params[1][4].any()  # no pixel weights were learned


def test_samples_follow_the_likelihood():
    rng = np.random.default_rng(4)
    params, masks = ar.init_params(3, 2, 4, rng)
    params = perturbed(params, rng, masks)
    z = np.array([[0.5, -1.0]])
    draws = ar.sample(params[1], np.repeat(z, 20_000, axis=0), masks, rng=5)
    assert set(np.unique(draws)) <= {0.0, 1.0}
    images = np.array(list(itertools.product([0.0, 1.0], repeat=3)))
    exact = np.exp(ar.log_likelihood(params[1], images, np.repeat(z, 8, axis=0), masks))
    codes = draws @ np.array([4.0, 2.0, 1.0])
    observed = np.bincount(codes.astype(int), minlength=8) / len(draws)
    assert np.max(np.abs(observed - exact)) < 4 * np.sqrt(0.25 / len(draws))


def test_same_seed_same_noise():
    rng = np.random.default_rng(6)
    params, masks = ar.init_params(5, 2, 4, rng)
    z = rng.standard_normal((3, 2))
    np.testing.assert_array_equal(ar.sample(params[1], z, masks, 7), ar.sample(params[1], z, masks, 7))


def test_bad_sizes_and_free_bits_are_refused():
    with pytest.raises(ValueError):
        ar.made_masks(1, 4)
    with pytest.raises(ValueError):
        ar.make_value_and_grad(ar.made_masks(4, 3), free_bits=-0.1)
