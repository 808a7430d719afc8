"""Plumbing shared by the reproduction scripts: threads, arguments, data, JSON results.

Not part of the library: these scripts only *call* ``vae_from_scratch``. Imported first by each
script, so that one BLAS thread is set before NumPy loads (TECH_NOTES: faster for these small
matrices, and the numbers are reproducible only with the thread count they were made with).
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import vae_from_scratch  # noqa: E402
from vae_from_scratch import data  # noqa: E402
from vae_from_scratch.models.vae import init_vae_params  # noqa: E402
from vae_from_scratch.models.wake_sleep import fit_wake_sleep  # noqa: E402
from vae_from_scratch.optim import make_optimizer  # noqa: E402
from vae_from_scratch.train import fit  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
METHODS = ("aevb", "wake-sleep")
DEQUANTIZATION_STREAM = 7  # the seeded stream of the uniform noise added to the grey-level digits


# ----------------------------------------------------------------------------- arguments

def parse_arguments(description, default_out, argv=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true",
                        help="a tiny smoke run (seconds): proves the script works, reproduces nothing")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"where to write the JSON results (default {default_out.relative_to(RESULTS.parent.parent)}; "
                             "--quick has no default and needs --out)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing results file")
    args = parser.parse_args(argv)
    if args.out is None:
        if args.quick:
            parser.error("--quick needs --out PATH, so that a smoke run never replaces the real results")
        args.out = default_out
    if args.out.exists() and not args.force:
        parser.error(f"{args.out} already exists; pass --force to overwrite it")
    if not args.out.parent.is_dir():
        parser.error(f"the folder {args.out.parent} does not exist")
    return args


def merged(defaults, overrides):
    config = copy.deepcopy(defaults)
    for key, value in overrides.items():
        if isinstance(value, dict):
            config[key] = merged(config[key], value)
        else:
            config[key] = value
    return config


# ----------------------------------------------------------------------------- data and models

def dequantize(x, seed):
    """Grey levels 0, 1/16, …, 1 → a continuous density: (16·x + u) / 17 with u ~ U(0, 1).

    The 8×8 digits take 17 values only, and some pixels are 0 in every image; a Gaussian
    decoder could then shrink its variance without limit and its log-density would grow without
    bound. Spreading each level uniformly over its own bin of width 1/17 gives data with a
    proper density on (0, 1) (each value stays in its bin, so the image is unchanged to the eye).
    """
    u = np.random.default_rng([seed, DEQUANTIZATION_STREAM]).random(x.shape)
    return ((16.0 * x + u) / 17.0).astype(x.dtype)


def load(setting):
    """(x_train, x_test) for a setting's ``dataset``, in its dtype, subsetted as the setting says."""
    dtype = np.dtype(setting["dtype"])
    if setting["dataset"] == "mnist-subset":
        d = data.load_mnist_subset(dtype=dtype)
    elif setting["dataset"] == "digits":
        d = data.load_digits(dtype=dtype)
    else:
        raise ValueError(f"unknown dataset {setting['dataset']!r}")
    x_train, x_test = d.x_train, d.x_test
    if setting.get("dequantize"):
        x_train = dequantize(x_train, setting["seed"])
        x_test = dequantize(x_test, setting["seed"] + 1)
    if setting.get("n_test"):
        x_test = random_subset(x_test, setting["n_test"], setting["seed"])
    return x_train, x_test


def random_subset(x, n, seed):
    """``n`` rows of ``x`` chosen by a seeded permutation, in their original order.

    At random, not the first ``n``: the shipped data are sorted by class.
    """
    if n > len(x):
        raise ValueError(f"asked for {n} points, the data have {len(x)}")
    return x[np.sort(np.random.default_rng([seed, n]).permutation(len(x))[:n])]


def new_params(setting, x_dim, latent_dim):
    """Fresh weights; the same for AEVB and wake-sleep, so that both start from one point."""
    rng = np.random.default_rng([setting["seed"], latent_dim])
    return init_vae_params(x_dim, latent_dim, (setting["hidden"],), setting["likelihood"], rng,
                           setting["init"], np.dtype(setting["dtype"]))


def train(method, params, x_train, x_test, setting, epochs, callbacks=()):
    """Train ``params`` in place by AEVB or wake-sleep; returns the library's History."""
    common = dict(epochs=epochs, batch_size=setting["batch_size"], likelihood=setting["likelihood"],
                  binarization=setting["binarization"], seed=setting["seed"], progress=False,
                  callbacks=callbacks)
    if method == "aevb":
        return fit(params, x_train, x_test, optimizer=make_optimizer(setting["optimizer"], setting["lr"]),
                   **common)
    if method == "wake-sleep":
        return fit_wake_sleep(params, x_train, x_test, optimizer=setting["optimizer"], lr=setting["lr"],
                              **common)
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


# ----------------------------------------------------------------------------- results

def rounded(values, digits=3):
    return [None if v is None or not np.isfinite(v) else round(float(v), digits) for v in values]


def environment(argv=None):
    """What made a result: versions, BLAS threads, and the command (``argv`` when main() was given one)."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    return {"python": platform.python_version(), "numpy": np.__version__,
            "vae_from_scratch": getattr(vae_from_scratch, "__version__", "unknown"),
            "machine": platform.machine(),
            "blas_threads": {v: os.environ.get(v) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                                           "MKL_NUM_THREADS")},
            "command": " ".join([Path(sys.argv[0]).name] + arguments)}


def dumps(result):
    """JSON with one key per line but every list of numbers on one line (small, diffable)."""
    text = json.dumps(result, indent=1, allow_nan=False)
    return re.sub(r"\[[^\[\]{}\"]*\]", lambda m: re.sub(r"\s+", "", m.group(0)).replace(",", ", "), text) + "\n"


def finish(args, argv, figure, script, config, runs, start, cpu):
    """The result of a figure's runs with its provenance and times, written to ``args.out``; returned."""
    result = {"figure": figure, "script": script, "quick": args.quick, "config": config,
              "environment": environment(argv),
              "runtime_seconds": round(time.perf_counter() - start, 1),
              "cpu_seconds": round(time.process_time() - cpu, 1), "runs": runs}
    write_json(result, args.out, force=args.force)
    print(f"wrote {args.out} after {result['runtime_seconds']:.0f} s ({result['cpu_seconds']:.0f} s of CPU time)")
    return result


def write_json(result, path, force=False):
    """Write atomically (a temporary file renamed into place); refuse to overwrite unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists; pass --force to overwrite it")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(dumps(result))
        os.chmod(tmp, 0o644)  # mkstemp makes files private; results are for everyone to read
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path
