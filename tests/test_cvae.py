import numpy as np
import pytest

from vae_from_scratch import data, nn
from vae_from_scratch.distributions import analytic_gaussian_kl, log_bernoulli
from vae_from_scratch.gradcheck import check_gradients
from vae_from_scratch.interactive import decode_mean
from vae_from_scratch.models import cvae
from vae_from_scratch.optim import SGD, Adam


def model(seed=0, D=6, K=3, J=2, hidden=(5,)):
    return cvae.init_cvae_params(D, K, J, hidden, np.random.default_rng(seed))


def binary(n, D=6, seed=1):
    return (np.random.default_rng(seed).random((n, D)) < 0.4).astype(float)


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


@pytest.fixture(scope="module")
def trained(digits):
    """A small CVAE trained briefly on 500 digits (a few seconds)."""
    params = cvae.init_cvae_params(64, 10, 2, (64,), np.random.default_rng(0))
    history = cvae.fit_cvae(params, digits.x_train[:500], digits.y_train[:500], epochs=25,
                            optimizer=Adam(5e-3), seed=0)
    return params, history


# ---- shapes, the one-hot code, the networks --------------------------------------------------------

def test_shapes_and_dims():
    params = model()
    assert cvae.dims(params) == (6, 3, 2)
    encoder, decoder = params
    assert encoder[0][0].shape == (6 + 3, 5) and decoder[0][0].shape == (2 + 3, 5)
    assert decoder[-1][0].shape == (5, 6)
    x, y = binary(4), np.array([0, 2, 1, 2])
    mean, log_var = cvae.posterior(params, x, y)
    assert mean.shape == log_var.shape == (4, 2)
    eps = np.random.default_rng(0).standard_normal((7, 4, 2))
    assert cvae.cvae_elbo(params, x, cvae.one_hot(y, 3), eps).shape == (4,)
    assert cvae.decode(params, np.zeros((5, 2)), 1).shape == (5, 6)
    images, z = cvae.sample(params, [0, 1, 2, 2], rng=0)
    assert images.shape == (4, 6) and z.shape == (4, 2)
    assert np.all((images > 0) & (images < 1))


def test_one_hot():
    np.testing.assert_array_equal(cvae.one_hot([2, 0, 1], 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert cvae.one_hot(np.array([1.0, 0.0]), 2).dtype == np.float64  # whole floats are labels
    assert cvae.one_hot([1], 2, np.float32).dtype == np.float32


def test_the_networks_read_the_concatenation():
    params = model(seed=3)
    x, y = binary(3), np.array([1, 0, 2])
    onehot = cvae.one_hot(y, 3)
    mean, log_var = cvae.encode(params[0], x, onehot)
    expected = nn.gaussian_mlp(params[0], np.concatenate([x, onehot], axis=1))
    np.testing.assert_array_equal(mean, expected[0])
    np.testing.assert_array_equal(log_var, expected[1])
    z = np.random.default_rng(1).standard_normal((4, 3, 2))  # sample axis in front
    logits = cvae.decoder_logits(params[1], z, onehot)
    for l in range(4):
        np.testing.assert_allclose(logits[l], nn.bernoulli_mlp(params[1], np.concatenate([z[l], onehot], 1)))


def test_estimator_b_by_hand():
    params = model(seed=4)
    x, y = binary(5), np.array([0, 1, 2, 0, 1])
    onehot = cvae.one_hot(y, 3)
    eps = np.random.default_rng(2).standard_normal((3, 5, 2))
    mean, log_var = cvae.encode(params[0], x, onehot)
    z = mean + np.exp(0.5 * log_var) * eps
    reconstruction = np.mean([log_bernoulli(x, nn.bernoulli_mlp(params[1], np.concatenate([z[l], onehot], 1)))
                              for l in range(3)], axis=0)
    kl = 0.5 * np.sum(mean ** 2 + np.exp(log_var) - 1 - log_var, axis=1)
    np.testing.assert_allclose(cvae.cvae_elbo(params, x, onehot, eps), reconstruction - kl, rtol=1e-12)
    np.testing.assert_allclose(cvae.cvae_elbo(params, x, onehot, eps, beta=0.3), reconstruction - 0.3 * kl,
                               rtol=1e-12)
    terms = cvae.cvae_terms(params, x, onehot, eps[0])  # (batch, J) is L = 1
    np.testing.assert_allclose(terms["kl"], analytic_gaussian_kl(mean, log_var))


# ---- gradients ---------------------------------------------------------------------------------------

def test_gradients_match_finite_differences():
    params = model(seed=5, hidden=(4,))
    x, y = binary(4), np.array([2, 0, 1, 1])
    onehot = cvae.one_hot(y, 3)
    eps = np.random.default_rng(3).standard_normal((2, 4, 2))
    value, grads = cvae.loss_and_grad(params, x, onehot, eps)
    assert value == pytest.approx(-np.mean(cvae.cvae_elbo(params, x, onehot, eps)))
    errors = check_gradients(lambda p: -np.mean(cvae.cvae_elbo(p, x, onehot, eps)), params, grads)
    assert max(errors.values()) < 1e-5
    # the decoder's label rows get a gradient only through the labels present in the batch
    absent = binary(2)
    _, grads = cvae.loss_and_grad(params, absent, cvae.one_hot([0, 0], 3), eps[:, :2])
    W_grad = grads[1][0][0]
    assert np.all(W_grad[2 + 1] == 0) and np.all(W_grad[2 + 2] == 0) and np.any(W_grad[2 + 0] != 0)


# ---- the bound and its gap, by quadrature -------------------------------------------------------------

def test_elbo_plus_gap_is_the_log_likelihood():
    params = model(seed=6, hidden=(8,))
    x, y = binary(4), np.array([0, 1, 2, 1])
    q = cvae.quadrature_terms(params, x, y, n_per_dim=200, limit=10.0)  # q is wide: cover its tails
    np.testing.assert_allclose(q["log_likelihood"], q["elbo"] + q["gap_kl"], atol=1e-8)
    assert np.all(q["gap_kl"] > 0) and np.all(q["elbo"] < q["log_likelihood"])
    coarse = cvae.quadrature_terms(params, x, y, n_per_dim=100, limit=10.0)
    np.testing.assert_allclose(coarse["log_likelihood"], q["log_likelihood"], atol=1e-6)
    # estimator B is unbiased for the grid's ELBO
    eps = np.random.default_rng(4).standard_normal((20_000, 4, 2))
    estimates = np.stack([cvae.cvae_elbo(params, x, cvae.one_hot(y, 3), eps[l:l + 1]) for l in range(0, 20_000, 50)])
    draws = cvae.cvae_elbo(params, x, cvae.one_hot(y, 3), eps)
    assert np.all(np.abs(draws - q["elbo"]) < 4 * estimates.std(axis=0) / np.sqrt(20_000) + 1e-9)
    with pytest.raises(ValueError, match="J = 3 is too many"):
        cvae.quadrature_terms(model(J=3), x, y)


def test_marginal_bound_lies_below_log_p_x():
    params = model(seed=7, hidden=(8,))
    x = binary(3)
    log_prior = np.log([0.5, 0.3, 0.2])
    eps = np.random.default_rng(5).standard_normal((4000, 3, 2))
    bounds = cvae.class_bounds(params, x, eps)
    assert bounds.shape == (3, 3)
    exact = np.stack([cvae.quadrature_terms(params, x, np.full(3, k), 80, 6.0)["log_likelihood"]
                      for k in range(3)])
    log_p_x = np.log(np.sum(np.exp(exact + log_prior[:, None]), axis=0))
    marginal = cvae.marginal_bound(params, x, log_prior, eps)
    assert np.all(marginal < log_p_x)
    assert np.all(marginal >= np.max(bounds + log_prior[:, None], axis=0))
    with pytest.raises(ValueError, match="log-probabilities"):
        cvae.marginal_bound(params, x, np.log([0.5, 0.5, 0.5]), eps)


# ---- training --------------------------------------------------------------------------------------------

def test_training_improves_the_bound_and_is_reproducible(digits, trained):
    params, history = trained
    assert len(history) == 25 and history.epoch == list(range(1, 26))
    assert history.train_bound[-1] > history.train_bound[0] + 3.0
    assert history.train_bound[-1] > -30.0
    assert all(np.isnan(history.test_bound))  # no test set given
    again = cvae.init_cvae_params(64, 10, 2, (64,), np.random.default_rng(0))
    short = cvae.fit_cvae(again, digits.x_train[:500], digits.y_train[:500], epochs=2, optimizer=Adam(5e-3), seed=0)
    repeat = cvae.init_cvae_params(64, 10, 2, (64,), np.random.default_rng(0))
    cvae.fit_cvae(repeat, digits.x_train[:500], digits.y_train[:500], epochs=2, optimizer=Adam(5e-3), seed=0)
    for (W1, b1), (W2, b2) in zip(again[0] + again[1], repeat[0] + repeat[1]):
        np.testing.assert_array_equal(W1, W2)
        np.testing.assert_array_equal(b1, b2)
    more = cvae.fit_cvae(again, digits.x_train[:500], digits.y_train[:500], digits.x_test[:100],
                         digits.y_test[:100], epochs=1, optimizer=Adam(5e-3), seed=1, history=short)
    assert more.epoch == [1, 2, 3] and np.isfinite(more.test_bound[-1])


def test_callback_stops_training(digits):
    params = cvae.init_cvae_params(64, 10, 2, (16,), np.random.default_rng(0))
    history = cvae.fit_cvae(params, digits.x_train[:200], digits.y_train[:200], epochs=10,
                            callbacks=[lambda epoch, p, h: epoch == 3])
    assert len(history) == 3


def test_divergence_is_reported(digits):
    params = cvae.init_cvae_params(64, 10, 2, (16,), np.random.default_rng(0))
    with pytest.raises(FloatingPointError, match="smaller learning rate"):
        with np.errstate(all="ignore"):
            cvae.fit_cvae(params, digits.x_train[:200], digits.y_train[:200], epochs=5, optimizer=SGD(1e6))


# ---- the label changes the output --------------------------------------------------------------------------

def test_the_label_conditions_the_output(digits, trained):
    params, _ = trained
    z = np.random.default_rng(0).standard_normal((50, 2))
    images = np.stack([cvae.decode(params, z, k) for k in range(10)])  # (10, 50, 64)
    differences = [np.abs(images[j] - images[k]).mean() for j in range(10) for k in range(j + 1, 10)]
    assert min(differences) > 0.05
    # a nearest-class-mean classifier on pixels recognises the requested class in most samples
    recognised = [np.mean(cvae.nearest_centroid(digits.x_train, digits.y_train, images[k]) == k) for k in range(10)]
    assert np.mean(recognised) > 0.8
    # transfer: encode with the true label, decode with another
    moved = cvae.transfer(params, digits.x_test[:40], digits.y_test[:40], 7)
    assert np.mean(cvae.nearest_centroid(digits.x_train, digits.y_train, moved) == 7) > 0.8


def test_decoder_for_label_is_exact():
    params = model(seed=8, hidden=(7, 5))
    z = np.random.default_rng(6).standard_normal((9, 2))
    for label in range(3):
        folded = cvae.decoder_for_label(params[1], label, latent_dim=2)
        assert folded[0][0].shape == (2, 7) and len(folded) == len(params[1])
        np.testing.assert_allclose(decode_mean(folded, z), cvae.decode(params, z, label), atol=1e-14)
    folded[0][1][:] = 0.0  # a copy: the model is untouched
    assert np.any(cvae.decoder_for_label(params[1], 2, 2)[0][1] != 0.0)


# ---- bad labels and bad arguments give clear errors ---------------------------------------------------------

@pytest.mark.parametrize("labels, error, words", [
    ([0, 3, 1], ValueError, "label 3 is out of range"),
    ([0, -1, 1], ValueError, "out of range"),
    ([0, 1.5, 1], ValueError, "whole-number"),
    ([0, np.nan, 1], ValueError, "whole-number"),
    ([[1, 0, 0], [0, 1, 0], [0, 0, 1]], ValueError, "one-hot"),
    ([0, 1], ValueError, "one label per image"),
    (["a", "b", "c"], TypeError, "integer class labels"),
    (np.zeros((3, 2), dtype=int), ValueError, "1-D"),
])
def test_bad_labels(labels, error, words):
    params = model()
    with pytest.raises(error, match=words):
        cvae.posterior(params, binary(3), np.array(labels))


def test_other_bad_arguments():
    params = model()
    x, y = binary(4), np.array([0, 1, 2, 0])
    with pytest.raises(ValueError, match="x_test and y_test"):
        cvae.fit_cvae(params, x, y, x, None)
    with pytest.raises(ValueError, match="binarization"):
        cvae.fit_cvae(params, x, y, binarization="static")
    with pytest.raises(TypeError, match="optimizer"):
        cvae.fit_cvae(params, x, y, optimizer="adam")
    with pytest.raises(ValueError, match="columns"):
        cvae.fit_cvae(params, binary(4, D=5), y)
    with pytest.raises(ValueError, match="shape"):
        cvae.decode(params, np.zeros((3, 4)), 0)
    with pytest.raises(ValueError, match="out of range"):
        cvae.sample(params, [3])
    with pytest.raises(ValueError, match="out of range"):
        cvae.decoder_for_label(params[1], 5, 2)
    with pytest.raises(ValueError, match="positive integer"):
        cvae.init_cvae_params(6, 0, 2, (4,), np.random.default_rng(0))


# ---- the measurements of the chapter ------------------------------------------------------------------------

def test_label_information_limits():
    rng = np.random.default_rng(7)
    labels = np.repeat(np.arange(4), 100)
    noise = rng.standard_normal((400, 2))
    log_var = np.full((400, 2), np.log(0.25))
    assert abs(cvae.label_information(noise, log_var, labels, rng=0, n_samples=3)) < 0.05  # independent
    separated = noise * 0.01 + 20.0 * np.stack([labels, -labels], axis=1)
    tight = np.full((400, 2), np.log(1e-4))
    assert cvae.label_information(separated, tight, labels, rng=0) == pytest.approx(np.log(4), abs=1e-6)


def test_nearest_centroid():
    features = np.array([[0.0, 0.0], [0.0, 2.0], [10.0, 0.0], [10.0, 2.0]])
    labels = np.array([0, 0, 1, 1])
    np.testing.assert_array_equal(cvae.nearest_centroid(features, labels, np.array([[1.0, 1.0], [8.0, 5.0]])), [0, 1])
    # absent classes are never predicted
    np.testing.assert_array_equal(cvae.nearest_centroid(features, labels + 2, np.array([[1.0, 1.0]])), [2])


def test_image_moments():
    image = np.zeros((8, 8))
    for r in range(8):  # a stroke from bottom-left to top-right, like "/": one column per row
        image[r, 7 - r] = 1.0
    m = cvae.image_moments(image.reshape(1, -1), (8, 8))
    assert m["slant"][0] == pytest.approx(1.0)
    assert m["column"][0] == pytest.approx(3.5) and m["row"][0] == pytest.approx(3.5)
    assert m["ink"][0] == pytest.approx(8 / 64)
    mirrored = cvae.image_moments(image[:, ::-1].reshape(1, -1), (8, 8))
    assert mirrored["slant"][0] == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="no ink"):
        cvae.image_moments(np.zeros((1, 64)), (8, 8))
