"""The VAE object: parameters plus configuration, delegating every computation to pure functions.

    vae = VAE(latent_dim=2, hidden=(200,))
    history = vae.fit(digits.x_train, digits.x_test, epochs=20)
    mean, log_var = vae.encode(x)          # q_φ(z|x)
    images = vae.sample(64)                # decoder means of z ~ p(z)
    vae.save("digits.npz"); same = VAE.load("digits.npz")

``vae.params`` is the pair ``(encoder_params, decoder_params)`` that every function of
:mod:`vae_from_scratch.objectives` takes: the object holds no state the pure functions do not
see. It exists to validate inputs (so mistakes give a clear message, not a NaN), to remember
the configuration, and to save and load.
"""
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ..data import check_data
from ..evaluate import importance_sampled_log_likelihood
from ..nn import bernoulli_mlp, gaussian_mlp, init_gaussian_mlp, init_mlp, sigmoid
from ..objectives import LIKELIHOODS, elbo_estimator_b, encode, sample_eps
from ..optim import make_optimizer
from ..train import History, fit

FORMAT_VERSION = 1
FORMAT_NAME = "vae_from_scratch.VAE"


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def init_vae_params(x_dim, latent_dim, hidden, likelihood, rng, init="glorot", dtype=np.float64):
    """``(encoder_params, decoder_params)``: a Gaussian MLP encoder and a Bernoulli or Gaussian
    MLP decoder, each with the hidden layer sizes ``hidden`` (App. C)."""
    encoder = init_gaussian_mlp(x_dim, hidden, latent_dim, rng, init, dtype)
    if likelihood == "bernoulli":
        decoder = init_mlp([latent_dim, *hidden, x_dim], rng, init, dtype)
    else:
        decoder = init_gaussian_mlp(latent_dim, hidden, x_dim, rng, init, dtype)
    return (encoder, decoder)


class VAE:
    """A variational auto-encoder with MLP encoder and decoder (Kingma & Welling, App. C).

    latent_dim:  J, the dimension of z (≥ 1).
    hidden:      hidden layer sizes of both networks (the paper uses one layer, the same width).
    likelihood:  "bernoulli" (binary or grey-level images in [0, 1]) or "gaussian".
    init:        "glorot" (trains faster) or "paper" (N(0, 0.01²)).
    activation:  "tanh", the paper's (the estimators of objectives.py use tanh MLPs).
    x_dim:       D, the data dimension; None infers it from the first ``fit``.
    """

    def __init__(self, latent_dim=2, hidden=(200,), likelihood="bernoulli", init="glorot",
                 activation="tanh", dtype=np.float64, seed=0, x_dim=None):
        self.latent_dim = _positive_int("latent_dim", latent_dim)
        if isinstance(hidden, (int, np.integer)):
            hidden = (hidden,)
        self.hidden = tuple(_positive_int("every hidden layer size", h) for h in hidden)
        if likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {likelihood!r}")
        self.likelihood = likelihood
        if init not in ("glorot", "paper"):
            raise ValueError(f"init must be 'glorot' or 'paper', got {init!r}")
        self.init = init
        if activation != "tanh":
            raise ValueError(f"activation must be 'tanh' (App. C; the estimators in objectives.py "
                             f"use tanh MLPs), got {activation!r}")
        self.activation = activation
        self.dtype = np.dtype(dtype)
        if not np.issubdtype(self.dtype, np.floating):
            raise TypeError(f"dtype must be np.float32 or np.float64, got {self.dtype}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        self.x_dim = None
        self.params = None
        self.history = History()
        self.metadata = {}  # free-form, JSON-able notes saved with the model (data, image shape, …)
        if x_dim is not None:
            self.initialize(x_dim)

    # ------------------------------------------------------------------ configuration

    @property
    def config(self):
        return {"latent_dim": self.latent_dim, "hidden": list(self.hidden),
                "likelihood": self.likelihood, "init": self.init, "activation": self.activation,
                "dtype": self.dtype.name, "seed": self.seed, "x_dim": self.x_dim}

    def __repr__(self):
        d = "?" if self.x_dim is None else self.x_dim
        sizes = "-".join(str(s) for s in (d, *self.hidden, self.latent_dim))
        return (f"VAE({sizes}, likelihood={self.likelihood!r}, trained {len(self.history)} epochs)")

    def initialize(self, x_dim):
        """Draw fresh parameters for data of dimension D = ``x_dim`` (from ``seed``)."""
        self.x_dim = _positive_int("x_dim", x_dim)
        rng = np.random.default_rng(self.seed)
        self.params = init_vae_params(self.x_dim, self.latent_dim, self.hidden, self.likelihood,
                                      rng, self.init, self.dtype)
        self.history = History()
        return self

    def _require_params(self):
        if self.params is None:
            raise RuntimeError("this VAE has no parameters yet: call fit(x) first, or create it "
                               "with x_dim=D, or load a saved model with VAE.load(path)")

    def _check_x(self, x, name="x"):
        self._require_params()
        return check_data(x, name, self.x_dim, self.likelihood == "bernoulli").astype(self.dtype, copy=False)

    def _check_z(self, z):
        z = np.asarray(z)
        if not np.issubdtype(z.dtype, np.floating) and not np.issubdtype(z.dtype, np.integer):
            raise TypeError(f"z must be a numeric array, got dtype {z.dtype}")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (N, {self.latent_dim}) for this model "
                             f"(latent_dim = {self.latent_dim}), got shape {z.shape}")
        if not np.all(np.isfinite(z)):
            raise ValueError("z contains NaN or infinite values")
        return z.astype(self.dtype, copy=False)

    # ------------------------------------------------------------------ training

    def fit(self, x_train, x_test=None, *, epochs=10, batch_size=100, optimizer="adam", lr=None,
            n_samples=1, beta=1.0, weight_decay=0.0, binarization="auto", gradients="manual",
            seed=None, progress=True, callbacks=()):
        """Train by AEVB (:func:`vae_from_scratch.train.fit`); returns the cumulative History.

        optimizer: "adam" (default lr 1e-3), "adagrad" (the paper's; default lr 0.02), "sgd"
        (default lr 0.01), or an optimizer object. A second call continues training (a fresh
        optimizer state, the epoch count going on). ``seed`` defaults to the model's seed.
        """
        if self.params is None:  # D is inferred from the data: check it before building networks
            self.initialize(check_data(x_train, "x_train", bernoulli=self.likelihood == "bernoulli").shape[1])
        optimizer = make_optimizer(optimizer, lr)
        return fit(self.params, x_train, x_test, epochs=epochs, batch_size=batch_size,
                   optimizer=optimizer, likelihood=self.likelihood, n_samples=n_samples, beta=beta,
                   weight_decay=weight_decay, binarization=binarization, gradients=gradients,
                   activation=self.activation, seed=self.seed if seed is None else seed,
                   progress=progress, callbacks=callbacks, history=self.history)

    # ------------------------------------------------------------------ the two networks

    def encode(self, x):
        """q_φ(z|x) = N(mean, diag exp(log_var)): returns ``(mean, log_var)``, each (N, J)."""
        x = self._check_x(x)
        return encode(self.params[0], x)

    def decode(self, z):
        """The decoder's mean for each row of z: Bernoulli probabilities, or the Gaussian mean."""
        self._require_params()
        z = self._check_z(z)
        if self.likelihood == "bernoulli":
            return sigmoid(bernoulli_mlp(self.params[1], z))
        return gaussian_mlp(self.params[1], z, sigmoid_mean=True)[0]

    def sample(self, n, rng=None):
        """Decoder means of n draws z ~ p(z) = N(0, I): (n, D), what the paper's Fig. 5 shows."""
        self._require_params()
        n = _positive_int("n", n)
        rng = np.random.default_rng(self.seed if rng is None else rng)
        return self.decode(rng.standard_normal((n, self.latent_dim)))

    def reconstruct(self, x):
        """Decode the posterior mean: x → μ_φ(x) → decoder mean, (N, D)."""
        mean, _ = self.encode(x)
        return self.decode(mean)

    # ------------------------------------------------------------------ bounds and likelihoods

    def elbo(self, x, n_samples=1, rng=None, max_chunk=4_000_000):
        """Estimator B of the ELBO (eq. 7) for each row of x: (N,) nats, ``n_samples`` draws each.

        Rows are processed in chunks so that no array holds more than ``max_chunk`` numbers.
        """
        x = self._check_x(x)
        n_samples = _positive_int("n_samples", n_samples)
        rng = np.random.default_rng(self.seed if rng is None else rng)
        rows = max(1, max_chunk // (n_samples * self.x_dim))
        values = []
        for start in range(0, len(x), rows):
            batch = x[start:start + rows]
            eps = sample_eps(rng, n_samples, len(batch), self.latent_dim, self.dtype)  # (L, B, J)
            values.append(elbo_estimator_b(self.params, batch, eps, self.likelihood))
        return np.concatenate(values)

    def log_likelihood(self, x, K=1000, rng=None, batch_size=100):
        """Importance-sampled log p_θ(x) (:func:`~vae_from_scratch.evaluate.importance_sampled_log_likelihood`)."""
        x = self._check_x(x)
        return importance_sampled_log_likelihood(
            self.params, x, K, self.likelihood, self.seed if rng is None else rng, batch_size)

    # ------------------------------------------------------------------ saving and loading

    def save(self, path, overwrite=False):
        """Write the model to ``path`` (.npz, no pickles): arrays, config as JSON, format version.

        Also saved, as JSON: the training history and ``self.metadata`` (a dict of your notes).

        Written to a temporary file beside ``path`` and renamed into place (atomic: a crash
        never leaves half a model). Refuses an existing path unless ``overwrite=True``.
        """
        self._require_params()
        path = Path(path)
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} already exists; pass overwrite=True to replace it")
        if not path.parent.exists():
            raise FileNotFoundError(f"the folder {path.parent} does not exist")
        arrays = {"format": np.array(FORMAT_NAME), "format_version": np.array(FORMAT_VERSION),
                  "config": np.array(json.dumps(self.config)),
                  "history": np.array(json.dumps(self.history.as_dict())),
                  "metadata": np.array(json.dumps(self.metadata))}
        for net_name, net in zip(("encoder", "decoder"), self.params):
            for i, (W, b) in enumerate(net):
                arrays[f"{net_name}/{i}/W"] = W
                arrays[f"{net_name}/{i}/b"] = b
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        return path

    @classmethod
    def load(cls, path):
        """A VAE saved by :meth:`save`, with its parameters, configuration and history."""
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"no model file at {path}")
        try:
            with np.load(path, allow_pickle=False) as f:
                stored = {key: f[key] for key in f.files}
        except (zipfile.BadZipFile, ValueError, OSError) as err:
            raise ValueError(f"{path} is not a model file saved by VAE.save ({err})") from None
        if "format" not in stored or str(stored["format"]) != FORMAT_NAME:
            raise ValueError(f"{path} is not a model file saved by VAE.save (no '{FORMAT_NAME}' marker)")
        version = int(stored.get("format_version", -1))
        if version != FORMAT_VERSION:
            raise ValueError(f"{path} has model format version {version}; this version of "
                             f"vae_from_scratch reads version {FORMAT_VERSION}")
        config = json.loads(str(stored["config"]))
        x_dim = config.pop("x_dim")
        vae = cls(**{**config, "hidden": tuple(config["hidden"]), "dtype": np.dtype(config["dtype"])})
        vae.x_dim = x_dim
        vae.params = tuple(
            [(stored[f"{net}/{i}/W"], stored[f"{net}/{i}/b"])
             for i in range(sum(1 for k in stored if k.startswith(f"{net}/") and k.endswith("/W")))]
            for net in ("encoder", "decoder"))
        vae.history = History(**json.loads(str(stored["history"])))  # NaN survives Python's json
        vae.metadata = json.loads(str(stored["metadata"]))
        return vae
