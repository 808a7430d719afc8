import math

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from vae_from_scratch import data
from vae_from_scratch.distributions import log_bernoulli
from vae_from_scratch.models import vq_vae as vq
from vae_from_scratch.optim import Adam

PATCHES = vq.patch_indices((8, 8), (4, 2))


def small_model(seed=0, K=8, d=3):
    rng = np.random.default_rng(seed)
    return vq.init_vq_vae(PATCHES, 64, d, K, [10], [20], rng)


def binary_images(n, seed=1):
    return (np.random.default_rng(seed).random((n, 64)) < 0.3).astype(float)


def test_patch_indices_tile_the_image_in_raster_order():
    patches = vq.patch_indices((8, 8), (4, 2))
    assert patches.shape == (8, 8)
    assert sorted(patches.ravel()) == list(range(64))  # every pixel exactly once
    np.testing.assert_array_equal(patches[0], [0, 1, 8, 9, 16, 17, 24, 25])  # top-left 4×2 patch
    np.testing.assert_array_equal(patches[1], patches[0] + 2)  # its right neighbour
    np.testing.assert_array_equal(patches[4], patches[0] + 32)  # the patch below it
    with pytest.raises(ValueError, match="do not tile"):
        vq.patch_indices((8, 8), (3, 2))


def test_shapes():
    params = small_model()
    x = binary_images(5)
    assert vq.sizes(params, PATCHES) == (64, 8, 3, 8)
    z_e = vq.encode(params, x, PATCHES)
    assert z_e.shape == (5, 8, 3)
    z_q, codes = vq.quantize(z_e, params[2])
    assert z_q.shape == (5, 8, 3) and codes.shape == (5, 8)
    assert vq.decode_codes(params, codes).shape == (5, 64)
    with pytest.raises(ValueError, match="integer array"):
        vq.init_vq_vae(np.zeros((2, 2)), 64, 3, 8, [10], [20], np.random.default_rng(0))


def test_nearest_codes_is_the_brute_force_argmin():
    rng = np.random.default_rng(2)
    z_e, codebook = rng.normal(size=(6, 4, 3)), rng.normal(size=(9, 3)) * rng.uniform(0.1, 3, (9, 1))
    brute = np.array([[np.argmin([np.sum((z - e) ** 2) for e in codebook]) for z in row] for row in z_e])
    np.testing.assert_array_equal(vq.nearest_codes(z_e, codebook), brute)
    np.testing.assert_allclose(vq.squared_distances(z_e, codebook),
                               np.sum((z_e[..., None, :] - codebook) ** 2, axis=-1), atol=1e-12)


def test_straight_through_copies_the_decoder_gradient_to_z_e():
    params = small_model()
    x = binary_images(4)
    z_e = vq.encode(params, x, PATCHES)
    z_q, _ = vq.quantize(z_e, params[2])
    decoder = params[1]

    def through(z_e):
        return anp.sum(log_bernoulli(x, vq.decode_logits(decoder, vq.straight_through(z_e, z_q))))

    def at_z_q(z):
        return anp.sum(log_bernoulli(x, vq.decode_logits(decoder, z)))

    np.testing.assert_allclose(vq.straight_through(z_e, z_q), z_q, atol=1e-14)  # forward: z_q
    np.testing.assert_allclose(autograd.grad(through)(z_e), autograd.grad(at_z_q)(z_q), rtol=1e-10, atol=1e-12)


def test_each_loss_term_moves_only_its_own_parameters():
    params = small_model()
    x = binary_images(6)
    z_e = vq.encode(params, x, PATCHES)
    z_q, codes = vq.quantize(z_e, params[2])

    def term(index):
        return lambda p: anp.mean(vq.loss_terms(p, x, PATCHES)[index])

    g_rec, g_book, g_commit = (autograd.grad(term(i))(params) for i in range(3))
    # reconstruction: no gradient to the codebook (z_q enters only through sg[z_q − z_e])
    assert np.all(g_rec[2] == 0) and any(np.any(W != 0) for W, _ in g_rec[0])
    # codebook loss: gradient to the codebook only, 2 Σ (e_k − z_e) / batch over the assigned slots
    assert all(np.all(W == 0) and np.all(b == 0) for net in g_book[:2] for W, b in net)
    expected = np.zeros_like(params[2])
    np.add.at(expected, codes.ravel(), (2.0 * (z_q - z_e) / len(x)).reshape(-1, z_e.shape[-1]))
    np.testing.assert_allclose(g_book[2], expected, atol=1e-12)
    # commitment: gradient to the encoder only
    assert np.all(g_commit[2] == 0)
    assert all(np.all(W == 0) for W, _ in g_commit[1])
    assert any(np.any(W != 0) for W, _ in g_commit[0])


def test_elbo_with_the_uniform_prior_subtracts_T_log_K():
    params = small_model()
    x = binary_images(7)
    reconstruction = vq.reconstruction_log_likelihood(params, x, PATCHES)
    np.testing.assert_allclose(vq.elbo(params, x, PATCHES), reconstruction - 8 * math.log(8))
    flat = vq.elbo(params, x, PATCHES, log_prior=lambda codes: np.full(len(codes), -1.5))
    np.testing.assert_allclose(flat, reconstruction - 1.5)


def test_usage_and_perplexity():
    assert vq.perplexity(np.arange(16), 16) == pytest.approx(16.0)
    assert vq.perplexity(np.zeros(10, dtype=int), 16) == pytest.approx(1.0)
    codes = np.array([[0, 0, 1, 3]])
    usage = vq.code_usage(codes, 5)
    np.testing.assert_allclose(usage, [0.5, 0.25, 0, 0.25, 0])
    assert vq.perplexity(codes, 5) == pytest.approx(math.exp(-(0.5 * math.log(0.5) + 0.5 * math.log(0.25))))


def test_training_lowers_the_loss_and_is_reproducible():
    digits = data.load_digits()
    x = digits.x_train[:300]
    runs = []
    for _ in range(2):
        params = vq.init_vq_vae(PATCHES, 64, 4, 16, [16], [50], np.random.default_rng(3))
        history = vq.fit_vq_vae(params, x, PATCHES, epochs=6, optimizer=Adam(3e-3), seed=3)
        runs.append((params, history))
    (params, history), (params2, _) = runs
    assert history.reconstruction[-1] > history.reconstruction[0] + 3.0
    assert history.codes_used[-1] >= 8
    assert 1.0 <= history.perplexity[-1] <= 16.0
    np.testing.assert_array_equal(params[2], params2[2])
    np.testing.assert_array_equal(params[1][0][0], params2[1][0][0])


def test_fit_rejects_bad_input():
    params = small_model()
    with pytest.raises(ValueError, match="shape"):
        vq.fit_vq_vae(params, np.zeros((4, 63)), PATCHES, epochs=1)
    with pytest.raises(ValueError, match="binarization"):
        vq.fit_vq_vae(params, np.zeros((4, 64)), PATCHES, epochs=1, binarization="static")
