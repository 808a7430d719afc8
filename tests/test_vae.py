import json
import zipfile

import numpy as np
import pytest

from vae_from_scratch import data
from vae_from_scratch.models import VAE
from vae_from_scratch.models import vae as vae_module


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


@pytest.fixture(scope="module")
def trained(digits):
    """64-200-2, Adam 1e-3, 20 epochs, dynamic binarization: the book's first model."""
    model = VAE(latent_dim=2, hidden=(200,), seed=0)
    model.fit(digits.x_train, digits.x_test, epochs=20, progress=False)
    return model


def test_training_raises_the_test_bound_a_lot(trained):
    h = trained.history
    # measured for seeds 0-3: epoch 1 ≈ −39.0 to −39.9, epoch 20 ≈ −26.7 to −27.2 nats
    assert h.test_bound[-1] > -28.0
    assert h.test_bound[-1] > h.test_bound[0] + 10.0
    assert len(h) == 20 and trained.x_dim == 64


def test_networks_and_shapes(trained, digits):
    x = digits.x_test[:7]
    mean, log_var = trained.encode(x)
    assert mean.shape == log_var.shape == (7, 2)
    probabilities = trained.decode(mean)
    assert probabilities.shape == (7, 64) and probabilities.min() >= 0 and probabilities.max() <= 1
    np.testing.assert_allclose(trained.reconstruct(x), probabilities)
    samples = trained.sample(5, rng=1)
    assert samples.shape == (5, 64)
    np.testing.assert_array_equal(samples, trained.sample(5, rng=1))
    # reconstructions resemble their inputs more than a random other digit does
    err_own = np.mean((trained.reconstruct(x) - x) ** 2)
    err_other = np.mean((trained.reconstruct(x) - x[::-1]) ** 2)
    assert err_own < err_other


def test_elbo_and_log_likelihood(trained, digits):
    x = data.binarize_static(digits.x_test[:40])
    elbo = trained.elbo(x, n_samples=50)
    assert elbo.shape == (40,) and np.all(elbo < 0)
    chunked = trained.elbo(x, n_samples=50, max_chunk=1)  # one row at a time, other noise
    assert chunked.shape == (40,) and abs(chunked.mean() - elbo.mean()) < 0.2
    ll = trained.log_likelihood(x, K=200)
    assert ll.per_datapoint.shape == (40,)
    assert ll.mean > elbo.mean()  # the bound lies below log p(x)
    assert ll.mean - elbo.mean() < 5.0  # … and not absurdly far below


def test_save_and_load_roundtrip(trained, digits, tmp_path):
    path = tmp_path / "model.npz"
    trained.metadata = {"data": "digits", "image_shape": [8, 8]}
    trained.save(path)
    loaded = VAE.load(path)
    assert loaded.config == trained.config and loaded.metadata == trained.metadata
    assert loaded.history.as_dict() == trained.history.as_dict()
    for a, b in zip(*(np.concatenate([w.ravel() for net in m.params for pair in net for w in pair])
                      for m in (trained, loaded))):
        assert a == b
    np.testing.assert_array_equal(loaded.encode(digits.x_test[:3])[0], trained.encode(digits.x_test[:3])[0])
    with np.load(path, allow_pickle=False) as f:  # a plain .npz anyone can read
        assert json.loads(str(f["config"]))["latent_dim"] == 2


def test_save_refuses_to_overwrite(trained, tmp_path):
    path = tmp_path / "model.npz"
    path.write_text("precious")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        trained.save(path)
    assert path.read_text() == "precious"
    trained.save(path, overwrite=True)
    assert VAE.load(path).latent_dim == 2
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temporary left behind


def test_load_errors(trained, tmp_path):
    with pytest.raises(FileNotFoundError, match="no model file"):
        VAE.load(tmp_path / "absent.npz")
    text = tmp_path / "notes.npz"
    text.write_text("not a zip")
    with pytest.raises(ValueError, match="not a model file"):
        VAE.load(text)
    other = tmp_path / "other.npz"
    np.savez(other, a=np.zeros(3))
    with pytest.raises(ValueError, match="not a model file"):
        VAE.load(other)
    good = tmp_path / "good.npz"
    trained.save(good)
    with np.load(good) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["format_version"] = np.array(99)
    future = tmp_path / "future.npz"
    np.savez(future, **arrays)
    with pytest.raises(ValueError, match="version 99.*reads version 1"):
        VAE.load(future)
    assert zipfile.is_zipfile(good)


def test_constructor_validation():
    with pytest.raises(ValueError, match="latent_dim"):
        VAE(latent_dim=0)
    with pytest.raises(ValueError, match="hidden"):
        VAE(hidden=(200, -1))
    with pytest.raises(ValueError, match="likelihood"):
        VAE(likelihood="poisson")
    with pytest.raises(ValueError, match="tanh"):
        VAE(activation="relu")
    with pytest.raises(TypeError, match="dtype"):
        VAE(dtype=np.int32)


def test_input_validation(trained, digits):
    with pytest.raises(ValueError, match="D = 64"):
        trained.encode(np.zeros((2, 784)))
    with pytest.raises(ValueError, match="NaN"):
        trained.encode(np.full((2, 64), np.nan))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        trained.elbo(digits.x_test[:2] * 16.0)
    with pytest.raises(TypeError, match="floating"):
        trained.encode((digits.x_test[:2] * 16).astype(np.int64))
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        trained.decode(np.zeros((3, 5)))
    with pytest.raises(RuntimeError, match="call fit"):
        VAE().encode(digits.x_test[:2])
    with pytest.raises(ValueError, match="lr"):
        VAE().fit(digits.x_train, lr=-1.0, epochs=1, progress=False)
    with pytest.raises(ValueError, match="epochs"):
        VAE().fit(digits.x_train, epochs=0, progress=False)


def test_gaussian_float32_model_and_continued_training(digits):
    model = VAE(latent_dim=3, hidden=(32,), likelihood="gaussian", dtype=np.float32, x_dim=64)
    h = model.fit(digits.x_train, digits.x_test, epochs=2, optimizer="adam", lr=3e-3, progress=False)
    model.fit(digits.x_train, epochs=1, progress=False)
    assert h.epoch == [1, 2, 3] and h.test_bound[1] > h.test_bound[0]
    assert model.params[0][0][0].dtype == np.float32
    assert model.decode(np.zeros((1, 3))).dtype == np.float32
    assert "64-32-3" in repr(model)


def test_same_seed_same_model(digits):
    a, b = (VAE(hidden=(16,), seed=5) for _ in range(2))
    for m in (a, b):
        m.fit(digits.x_train[:200], epochs=1, progress=False)
    assert all(np.array_equal(p, q) for net_a, net_b in zip(a.params, b.params)
               for pa, pb in zip(net_a, net_b) for p, q in zip(pa, pb))
    assert vae_module.FORMAT_VERSION == 1
