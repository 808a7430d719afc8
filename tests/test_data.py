import gzip
import hashlib
import struct

import numpy as np
import pytest

from vae_from_scratch import data


def test_digits_split_is_fixed_stratified_and_scaled():
    d = data.load_digits()
    assert d.name == "digits" and d.image_shape == (8, 8)
    assert d.x_train.shape == (1438, 64) and d.x_test.shape == (359, 64)
    assert d.x_train.dtype == np.float64
    assert d.x_train.min() == 0.0 and d.x_train.max() == 1.0
    # every class keeps its share (20 %) of the test set, to within rounding
    counts = np.bincount(d.y_test, minlength=10) / np.bincount(np.concatenate([d.y_train, d.y_test]))
    assert np.all(np.abs(counts - 0.2) < 0.01)
    again = data.load_digits(dtype=np.float32)
    assert again.x_test.dtype == np.float32
    np.testing.assert_array_equal(again.y_test, d.y_test)
    np.testing.assert_allclose(again.x_test, d.x_test, atol=1e-7)


def test_digits_are_sklearns_digits():
    from sklearn.datasets import load_digits

    sk = load_digits()
    train, test = data.stratified_split(sk.target)
    np.testing.assert_array_equal(data.load_digits().x_test, sk.data[test] / 16.0)


def test_mnist_subset():
    d = data.load_mnist_subset(dtype=np.float32)
    assert d.x_train.shape == (4000, 784) and d.x_test.shape == (1000, 784)
    assert d.image_shape == (28, 28) and d.x_train.dtype == np.float32
    assert 0.0 <= d.x_train.min() and d.x_train.max() == 1.0
    np.testing.assert_array_equal(np.bincount(d.y_test), np.full(10, 100))


def test_stratified_split_disjoint_and_complete():
    y = np.repeat(np.arange(3), [10, 20, 30])
    train, test = data.stratified_split(y, 0.2, seed=5)
    assert set(train) | set(test) == set(range(60)) and not set(train) & set(test)
    np.testing.assert_array_equal(np.bincount(y[test]), [2, 4, 6])


def test_binarize_dynamic_and_static():
    rng = np.random.default_rng(0)
    x = np.full((200, 50), 0.3, dtype=np.float32)
    b = data.binarize(x, rng)
    assert b.dtype == np.float32 and set(np.unique(b)) <= {0.0, 1.0}
    assert abs(b.mean() - 0.3) < 0.01  # 10 000 draws: standard error 0.005
    s = data.binarize_static(np.array([[0.2, 0.5, 0.51, 1.0]]))
    np.testing.assert_array_equal(s, [[0.0, 0.0, 1.0, 1.0]])


def test_check_data_messages():
    ok = data.check_data(np.zeros((3, 4)), x_dim=4, bernoulli=True)
    assert ok.shape == (3, 4)
    with pytest.raises(TypeError, match="255"):
        data.check_data(np.zeros((3, 4), dtype=np.uint8))
    with pytest.raises(ValueError, match="D = 64"):
        data.check_data(np.zeros((3, 4)), x_dim=64)
    with pytest.raises(ValueError, match="flatten"):
        data.check_data(np.zeros((3, 8, 8)))
    with pytest.raises(ValueError, match="NaN"):
        data.check_data(np.array([[0.0, np.nan]]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        data.check_data(np.array([[0.0, 2.0]]), bernoulli=True)
    assert data.check_data(np.array([[0.0, 2.0]])).max() == 2.0  # fine for a Gaussian


def write_idx(path, array):
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def fake_idx_folder(folder, n_train=6, n_test=4):
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte": np.arange(n_train) % 10,
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte": np.arange(n_test) % 10,
    }
    for stem, array in arrays.items():
        write_idx(folder / f"{stem}.gz", array)
    return arrays


def test_read_idx_roundtrip_and_fashion_mnist_loader(tmp_path):
    arrays = fake_idx_folder(tmp_path)
    np.testing.assert_array_equal(data.read_idx(tmp_path / "train-labels-idx1-ubyte.gz"), arrays["train-labels-idx1-ubyte"])
    d = data.load_fashion_mnist(root=tmp_path)
    assert d.x_train.shape == (6, 784) and d.image_shape == (28, 28)
    np.testing.assert_allclose(d.x_test[1], arrays["t10k-images-idx3-ubyte"][1].ravel() / 255.0)


def test_missing_fashion_mnist_names_the_debian_package(tmp_path):
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        data.load_fashion_mnist(root=tmp_path)


def sha(payload):
    return hashlib.sha256(payload).hexdigest()


def test_download_verifies_caches_and_refuses_mismatch(tmp_path):
    source = tmp_path / "source" / "blob.bin"
    source.parent.mkdir()
    payload = b"the data " * 1000
    source.write_bytes(payload)
    url = source.as_uri()  # file://…, no network
    cache = tmp_path / "cache"

    path = data.download(url, sha(payload), cache)
    assert path == cache / "blob.bin" and path.read_bytes() == payload
    source.unlink()  # a second call must use the cache, not the URL
    assert data.download(url, sha(payload).upper(), cache) == path

    path.write_bytes(b"tampered")
    with pytest.raises(ValueError, match="delete it"):
        data.download(url, sha(payload), cache)


def test_download_with_wrong_checksum_saves_nothing(tmp_path):
    source = tmp_path / "blob.bin"
    source.write_bytes(b"abc")
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="refusing"):
        data.download(source.as_uri(), "0" * 64, cache)
    assert list(cache.iterdir()) == []  # neither the file nor a temporary remains


def test_download_demands_a_real_checksum(tmp_path):
    with pytest.raises(ValueError, match="SHA-256"):
        data.download((tmp_path / "x").as_uri(), None, tmp_path)
    with pytest.raises(ValueError, match="SHA-256"):
        data.download((tmp_path / "x").as_uri(), "abc", tmp_path)


def test_download_failure_says_where_to_put_the_file(tmp_path):
    with pytest.raises(OSError, match="copy the file"):
        data.download((tmp_path / "absent.bin").as_uri(), "0" * 64, tmp_path / "cache")


def test_load_mnist_from_a_local_mirror(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    fake_idx_folder(mirror)
    checksums = {p.name: sha(p.read_bytes()) for p in mirror.iterdir()}
    d = data.load_mnist(cache_dir=tmp_path / "cache", base_url=mirror.as_uri() + "/",
                        checksums=checksums, dtype=np.float32)
    assert d.name == "mnist" and d.x_train.shape == (6, 784) and d.x_train.dtype == np.float32
    assert set(data.MNIST_SHA256) == set(checksums)


def test_load_frey_face_from_a_local_file(tmp_path):
    from scipy.io import savemat

    faces = np.random.default_rng(0).integers(0, 256, (560, 1965)).astype(np.uint8)
    source = tmp_path / "frey_rawface.mat"
    savemat(source, {"ff": faces})
    d = data.load_frey_face(sha(source.read_bytes()), cache_dir=tmp_path / "cache", url=source.as_uri())
    assert d.x_train.shape == (1600, 560) and d.x_test.shape == (365, 560)
    assert d.image_shape == (28, 20) and d.y_train is None
    assert d.x_train.max() <= 1.0
    with pytest.raises(ValueError, match="SHA-256"):
        data.load_frey_face(None)


def test_bad_dtype_and_unknown_name():
    with pytest.raises(TypeError, match="floating"):
        data.load_digits(dtype=np.int32)
    with pytest.raises(ValueError, match="digits"):
        data.load_dataset("cifar")
