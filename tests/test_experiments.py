"""The reproduction scripts of experiments/ run, record their provenance, and protect their results.

Each script runs here with --quick (tiny networks, a few hundred images, seconds), which proves the
code path the full runs take; the full runs are too long for a unit test (experiments/README.md).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = ROOT / "experiments"
sys.path.insert(0, str(EXPERIMENTS))

import reproduce_figure2 as fig2  # noqa: E402
import reproduce_figure3 as fig3  # noqa: E402

SCRIPTS = {"figure2": fig2, "figure3": fig3}
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory):
    """Both scripts run once from the command line with --quick."""
    folder = tmp_path_factory.mktemp("experiments")
    results = {}
    for name in SCRIPTS:
        out = folder / f"{name}.json"
        run = subprocess.run([sys.executable, str(EXPERIMENTS / f"reproduce_{name}.py"), "--quick", "--out", str(out)],
                             capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=120)
        assert run.returncode == 0, run.stderr
        assert f"wrote {out}" in run.stdout
        results[name] = (out, json.loads(out.read_text()))
    return results


@pytest.mark.parametrize("name", SCRIPTS)
def test_quick_run_records_its_config_and_environment(quick_results, name):
    _, result = quick_results[name]
    assert result["quick"] is True
    assert result["config"] == SCRIPTS[name].default_config(quick=True)
    assert result["environment"]["blas_threads"]["OPENBLAS_NUM_THREADS"] == "1"
    assert result["runtime_seconds"] > 0 and result["cpu_seconds"] >= 0


def test_figure2_quick_curves(quick_results):
    _, result = quick_results["figure2"]
    for name, setting in result["config"].items():
        runs = result["runs"][name]
        assert {(r["method"], r["latent_dim"]) for r in runs} == {
            (m, J) for m in ("aevb", "wake-sleep") for J in setting["latent_dims"]}
        for run in runs:
            assert len(run["test_bound"]) == len(run["train_bound"]) == setting["epochs"]
            assert run["samples_seen"] == [setting["n_train"] * (e + 1) for e in range(setting["epochs"])]


def test_figure3_quick_checkpoints(quick_results):
    _, result = quick_results["figure3"]
    config = result["config"]
    for run in result["runs"]:
        assert len(run["test_log_likelihood"]) == len(config["checkpoints"])
        assert run["samples_seen"] == config["checkpoints"]  # the quick sizes divide them exactly
        assert len(run["final_K_test_per_datapoint"]) == config["n_eval"]
        # importance sampling with K ≥ 1 is never far below the ELBO of the same images
        assert run["test_log_likelihood"][-1] > run["test_bound"][-1] - 1.0


def test_a_shorter_run_reproduces_the_first_points(quick_results):
    # training is deterministic given the seed: one epoch reproduces the stored first epoch
    _, result = quick_results["figure2"]
    setting = result["config"]["mnist"]
    run = fig2.run_one(setting, "aevb", setting["latent_dims"][0], epochs=1)
    stored = next(r for r in result["runs"]["mnist"] if r["method"] == "aevb")
    assert run["test_bound"] == stored["test_bound"][:1]
    _, result3 = quick_results["figure3"]
    config = result3["config"]
    run3 = fig3.run_one(config, "wake-sleep", config["train_sizes"][0], samples=config["checkpoints"][0])
    stored3 = next(r for r in result3["runs"] if r["method"] == "wake-sleep")
    assert run3["test_log_likelihood"] == stored3["test_log_likelihood"][:1]


@pytest.mark.parametrize("name", SCRIPTS)
def test_refuses_to_overwrite_without_force(quick_results, name, capsys):
    out, _ = quick_results[name]
    before = out.read_bytes()
    with pytest.raises(SystemExit) as stop:
        SCRIPTS[name].main(["--quick", "--out", str(out)])
    assert stop.value.code == 2 and "--force" in capsys.readouterr().err
    assert out.read_bytes() == before


def test_force_overwrites(tmp_path):
    out = tmp_path / "figure3.json"
    out.write_text("old")
    fig3.main(["--quick", "--out", str(out), "--force"])
    assert json.loads(out.read_text())["quick"] is True


@pytest.mark.parametrize("name", SCRIPTS)
def test_quick_needs_an_explicit_output(name, capsys):
    with pytest.raises(SystemExit):
        SCRIPTS[name].main(["--quick"])
    assert "--out" in capsys.readouterr().err


@pytest.mark.parametrize("name", SCRIPTS)
def test_stored_results_match_the_scripts_defaults(name):
    path = EXPERIMENTS / "results" / f"{name}.json"
    if not path.exists():
        pytest.skip(f"{path.name} not produced yet")
    assert path.stat().st_size < 200_000
    result = json.loads(path.read_text())
    assert result["quick"] is False
    assert result["config"] == SCRIPTS[name].default_config(), (
        f"{path.name} was made with other settings than the script's defaults; re-run the script with --force")
