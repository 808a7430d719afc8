"""Chapter 15's models trained longer and over several seeds: Clockwork RNN vs RNN, WaveNet, learned
boundaries, Clockwork VAE.

The chapter trains each model once, small, in a few seconds. This script trains

- the *live* configuration of every section (exactly what the notebook runs) over several seeds,
  so that the chapter can show that its single run is typical and check that its live numbers equal
  the stored seed-0 numbers;
- a *long* configuration (more steps, a bigger WaveNet) that shows where the small runs are heading.

Usage (from the repository root; one BLAS thread is set here, before NumPy loads):

    python experiments/temporal.py                   # writes experiments/results/temporal.json
    python experiments/temporal.py --force           # overwrite it
    python experiments/temporal.py --quick --out /tmp/t.json   # smoke test, seconds

Results are JSON: every configuration, every seed's metrics, thinned learning curves, CPU seconds.
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as common  # noqa: E402  (first: it sets one BLAS thread before NumPy loads)

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vae_from_scratch import sequences as sq  # noqa: E402
from vae_from_scratch.models import boundaries as bd  # noqa: E402
from vae_from_scratch.models import clockwork_rnn as cw  # noqa: E402
from vae_from_scratch.models import clockwork_vae as cv  # noqa: E402
from vae_from_scratch.models import wavenet as wn  # noqa: E402
from vae_from_scratch.optim import Adam  # noqa: E402

DEFAULT_OUT = ROOT / "experiments" / "results" / "temporal.json"

# ---- configurations: "live" is what the chapter runs, cell for cell ------------------------------

CLOCKWORK = {
    "live": {"n_steps": 320, "data_seed": 0, "n_modules": 8, "module_size": 4, "lr": 0.01, "steps": 500},
    "long": {"n_steps": 320, "data_seed": 0, "n_modules": 8, "module_size": 4, "lr": 0.01, "steps": 3000},
}
WAVENET = {
    "live": {"bits": 6, "n_layers": 5, "n_stacks": 1, "channels": 8, "length": 64, "batch_size": 8,
             "steps": 300, "lr": 0.01, "n_train": 500, "n_test": 100, "data_seed": 0},
    "long": {"bits": 6, "n_layers": 5, "n_stacks": 2, "channels": 16, "length": 127, "batch_size": 16,
             "steps": 2000, "lr": 0.003, "n_train": 500, "n_test": 100, "data_seed": 0},
}
BOUNDARIES = {
    "live": {"n_train": 300, "n_test": 200, "length": 48, "steps": 150, "batch_size": 16, "lr": 0.03,
             "prior_rate": 0.1, "obs_std": 0.2, "temperatures": [1.0, 0.3]},
    "no_sparsity": {"n_train": 300, "n_test": 200, "length": 48, "steps": 150, "batch_size": 16, "lr": 0.03,
                    "prior_rate": 0.5, "obs_std": 0.2, "temperatures": [1.0, 0.3]},
}
CWVAE = {
    "live": {"n_train": 512, "n_test": 128, "n_blocks": 4, "block_length": 8, "width": 16, "z1_dim": 1,
             "z2_dim": 1, "hidden": 32, "steps": 400, "batch_size": 16, "lr": 0.01, "obs_std": 0.05},
    "long": {"n_train": 512, "n_test": 128, "n_blocks": 4, "block_length": 8, "width": 16, "z1_dim": 1,
             "z2_dim": 1, "hidden": 32, "steps": 1000, "batch_size": 32, "lr": 0.003, "obs_std": 0.05},
}
CWVAE["one_clock"] = {**CWVAE["live"], "clock": 1}  # the slow level ticks at every frame: no slower clock
CONFIGS = {"clockwork": CLOCKWORK, "wavenet": WAVENET, "boundaries": BOUNDARIES, "cwvae": CWVAE}
SEEDS = {"clockwork": [0, 1, 2], "wavenet_live": [0, 1, 2], "wavenet_long": [0],
         "boundaries": [0, 1, 2, 3, 4, 5, 6, 7], "boundaries_no_sparsity": [0, 1, 2],
         "cwvae_live": [0, 1, 2, 3, 4], "cwvae_long": [0, 1, 2], "cwvae_one_clock": [0, 1, 2]}


# ---- one run of each experiment ------------------------------------------------------------------

def run_clockwork(config, seed):
    """NMSE curves of the CW-RNN and of the plain RNN with the same hidden units."""
    target = sq.waveform(config["n_steps"], config["data_seed"])
    out = {}
    for name, periods in (("cw_rnn", cw.module_periods(config["n_modules"])),
                          ("rnn", np.ones(config["n_modules"], dtype=int))):
        params = cw.init_clockwork_rnn(periods, config["module_size"], seed)
        curve = cw.fit(params, target, periods, config["module_size"], steps=config["steps"],
                       optimizer=Adam(config["lr"]), record_every=10)
        out[name] = {"nmse": float(curve[-1]), "curve_every_10_steps": [float(v) for v in curve]}
    return out


def wavenet_data(config):
    dil = wn.dilations(config["n_layers"], config["n_stacks"])
    x = sq.sine_mixtures(config["n_train"] + config["n_test"], config["length"], config["data_seed"])
    codes = sq.mu_law_encode(x, config["bits"])
    return dil, codes[:config["n_train"]], codes[config["n_train"]:]


def run_wavenet(config, seed):
    dil, train, test = wavenet_data(config)
    n = 2 ** config["bits"]
    C = config["channels"]
    params = wn.init_wavenet(n, dil, seed, channels=C, skip_channels=2 * C, hidden=2 * C)
    curve = wn.fit(params, train, dil, steps=config["steps"], batch_size=config["batch_size"],
                   optimizer=Adam(config["lr"]), seed=seed)
    return {"test_nats": float(wn.nats_per_sample(params, test, dil)),
            "unigram_nats": wn.unigram_nats(train, test, n), "uniform_nats": float(np.log(n)),
            "receptive_field": wn.receptive_field(dil), "train_curve_every_20_steps": [float(v) for v in curve]}


def boundary_data(config):
    x, _ = sq.piecewise_constant(config["n_train"], config["length"], 0)
    x_test, true = sq.piecewise_constant(config["n_test"], config["length"], 1)
    return x, x_test, true


def run_boundaries(config, seed):
    x, x_test, true = boundary_data(config)
    params = bd.init_boundary_model(seed, prior_rate=config["prior_rate"])
    curve = bd.fit(params, x, steps=config["steps"], batch_size=config["batch_size"],
                   optimizer=Adam(config["lr"]), temperatures=tuple(config["temperatures"]),
                   prior_rate=config["prior_rate"], obs_std=config["obs_std"], seed=seed)
    predicted = bd.predict_boundaries(params, x_test)
    precision, recall = bd.precision_recall(predicted, true)
    return {"precision": precision, "recall": recall, "boundary_rate": float(predicted[:, 1:].mean()),
            "true_rate": float(true[:, 1:].mean()), "loss_curve_every_10_steps": [float(v) for v in curve]}


def cwvae_data(config):
    shape = dict(n_blocks=config["n_blocks"], block_length=config["block_length"], width=config["width"])
    frames, _, _ = sq.moving_blob(config["n_train"], rng=0, **shape)
    test, amplitude, centre = sq.moving_blob(config["n_test"], rng=1, **shape)
    return frames, test, amplitude, centre


def trained_cwvae(config, frames, block_length, seed):
    """A clockwork VAE whose top level ticks every ``block_length`` frames, trained: (params, loss curve)."""
    params = cv.init_clockwork_vae(config["width"], block_length, seed, z1_dim=config["z1_dim"],
                                   z2_dim=config["z2_dim"], hidden=config["hidden"])
    curve = cv.fit(params, frames, block_length, steps=config["steps"], batch_size=config["batch_size"],
                   optimizer=Adam(config["lr"]), obs_std=config["obs_std"], seed=seed)
    return params, curve


def run_cwvae(config, seed):
    frames, test, amplitude, centre = cwvae_data(config)
    params, curve = trained_cwvae(config, frames, config["block_length"], seed)
    return {**cwvae_metrics(params, config, test, amplitude, centre),
            "loss_curve_every_20_steps": [float(v) for v in curve]}


def run_cwvae_one_clock(config, seed):
    """The same data (height constant over 8 frames) and model, but the top level ticks every frame.

    Which level holds which factor, by R² of a cubic fit of each level's posterior mean.
    """
    frames, test, amplitude, centre = cwvae_data(config)
    clock = config["clock"]
    params, curve = trained_cwvae(config, frames, clock, seed)
    top, bottom = cv.posterior_means(params, test, clock)
    height = np.repeat(amplitude, config["block_length"], axis=1).ravel()
    top_per_step = np.repeat(top, clock, axis=1)
    return {"r2_top_height_cubic": cv.r_squared(cubic(top_per_step), height),
            "r2_bottom_height_cubic": cv.r_squared(cubic(bottom), height),
            "r2_top_centre_cubic": cv.r_squared(cubic(top_per_step), centre.ravel()),
            "r2_bottom_centre_cubic": cv.r_squared(cubic(bottom), centre.ravel()),
            "loss_curve_every_20_steps": [float(v) for v in curve]}


def cubic(features):
    """[f, f², f³] of each feature: enough to catch a monotone nonlinear code of a factor."""
    f = np.asarray(features).reshape(-1, np.shape(features)[-1])
    return np.column_stack([f, f ** 2, f ** 3])


def block_heights(frames, n_blocks):
    """The peak of every frame, (n, n_blocks, k): the blob's height as it appears in the pixels."""
    return frames.max(axis=-1).reshape(len(frames), n_blocks, -1)


def within_block_share(frames, n_blocks):
    """The share of the variance of the frame peaks that lies within blocks (0: constant per block)."""
    peaks = block_heights(frames, n_blocks)
    return float(peaks.var(axis=-1).mean() / peaks.var())


def cwvae_metrics(params, config, test, amplitude, centre):
    """R² of the slow factor from each level, the nats each level spends (test set, fixed noise),
    and generation with the test sequences' slow latents (fast latents drawn from their prior)."""
    k = config["block_length"]
    slow, fast = cv.posterior_means(params, test, k)
    per_step_amplitude = np.repeat(amplitude, k, axis=1).ravel()
    generated, _, _ = cv.sample(params, len(test), config["n_blocks"], k, np.random.default_rng(54321), z2=slow)
    generated_heights = block_heights(generated, config["n_blocks"]).mean(axis=-1)
    rng = np.random.default_rng(12345)
    eps2 = rng.standard_normal(slow.shape)
    eps1 = rng.standard_normal(fast.shape)
    terms = cv.elbo_terms(params, test, k, eps2, eps1, config["obs_std"])
    T = test.shape[1]
    return {
        "r2_slow_amplitude": cv.r_squared(slow.reshape(-1, slow.shape[-1]), amplitude.ravel()),
        "r2_fast_amplitude": cv.r_squared(fast.reshape(-1, fast.shape[-1]), per_step_amplitude),
        "r2_fast_amplitude_cubic": cv.r_squared(cubic(fast), per_step_amplitude),
        "r2_fast_centre": cv.r_squared(fast.reshape(-1, fast.shape[-1]), centre.ravel()),
        "r2_fast_centre_cubic": cv.r_squared(cubic(fast), centre.ravel()),
        "generated_height_corr": float(np.corrcoef(generated_heights.ravel(), amplitude.ravel())[0, 1]),
        "generated_within_block_share": within_block_share(generated, config["n_blocks"]),
        "data_within_block_share": within_block_share(test, config["n_blocks"]),
        "kl_slow_per_block": float(np.mean(terms["kl_slow"]) / config["n_blocks"]),
        "kl_fast_per_frame": float(np.mean(terms["kl_fast"]) / T),
        "elbo_per_frame": float(np.mean(terms["reconstruction"] - terms["kl_slow"] - terms["kl_fast"]) / T),
    }


# ---- the script ------------------------------------------------------------------------------------

def quick(config, **changes):
    return {**config, **changes}


def plan(is_quick):
    """(section, configuration name, config, seeds, runner) for every block of runs."""
    if is_quick:
        return [
            ("clockwork", "live", quick(CLOCKWORK["live"], n_steps=40, n_modules=4, steps=5), [0], run_clockwork),
            ("wavenet", "live", quick(WAVENET["live"], steps=3, n_train=16, n_test=4, length=40), [0], run_wavenet),
            ("boundaries", "live", quick(BOUNDARIES["live"], steps=3, n_train=16, n_test=8), [0], run_boundaries),
            ("cwvae", "live", quick(CWVAE["live"], steps=3, n_train=16, n_test=8), [0], run_cwvae),
            ("cwvae", "one_clock", quick(CWVAE["one_clock"], steps=3, n_train=16, n_test=8), [0], run_cwvae_one_clock),
        ]
    return [
        ("clockwork", "live", CLOCKWORK["live"], SEEDS["clockwork"], run_clockwork),
        ("clockwork", "long", CLOCKWORK["long"], SEEDS["clockwork"], run_clockwork),
        ("wavenet", "live", WAVENET["live"], SEEDS["wavenet_live"], run_wavenet),
        ("wavenet", "long", WAVENET["long"], SEEDS["wavenet_long"], run_wavenet),
        ("boundaries", "live", BOUNDARIES["live"], SEEDS["boundaries"], run_boundaries),
        ("boundaries", "no_sparsity", BOUNDARIES["no_sparsity"], SEEDS["boundaries_no_sparsity"], run_boundaries),
        ("cwvae", "live", CWVAE["live"], SEEDS["cwvae_live"], run_cwvae),
        ("cwvae", "long", CWVAE["long"], SEEDS["cwvae_long"], run_cwvae),
        ("cwvae", "one_clock", CWVAE["one_clock"], SEEDS["cwvae_one_clock"], run_cwvae_one_clock),
    ]


def main(argv=None):
    args = common.parse_arguments(__doc__.splitlines()[0], DEFAULT_OUT, argv)
    results = {"script": "experiments/temporal.py", "quick": bool(args.quick),
               "environment": common.environment(argv)}
    start, wall_start = time.process_time(), time.perf_counter()
    for section, name, config, seeds, runner in plan(args.quick):
        runs = {}
        for seed in seeds:
            t0 = time.process_time()
            runs[str(seed)] = {**runner(config, seed), "cpu_seconds": round(time.process_time() - t0, 2)}
            print(f"{section:10s} {name:12s} seed {seed}: {summary(runs[str(seed)])}", flush=True)
        results.setdefault(section, {})[name] = {"config": config, "seeds": seeds, "runs": runs}
    results["total_cpu_seconds"] = round(time.process_time() - start, 1)
    results["total_wall_seconds"] = round(time.perf_counter() - wall_start, 1)
    common.write_json(results, args.out, force=args.force)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1000:.0f} kB): {results['total_cpu_seconds']} s of CPU, "
          f"{results['total_wall_seconds']} s on the clock")
    return results


def summary(run):
    keys = ("nmse", "test_nats", "precision", "recall", "r2_slow_amplitude", "r2_fast_amplitude_cubic",
            "generated_height_corr", "r2_top_height_cubic", "r2_bottom_height_cubic", "r2_top_centre_cubic")
    parts = []
    for key, value in run.items():
        if isinstance(value, dict) and "nmse" in value:
            parts.append(f"{key} NMSE {value['nmse']:.4f}")
        elif key in keys:
            parts.append(f"{key} {value:.3f}")
    return ", ".join(parts) + f" ({run['cpu_seconds']} s)"


if __name__ == "__main__":
    main()
