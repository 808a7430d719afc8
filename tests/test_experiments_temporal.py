"""experiments/temporal.py: the smoke mode runs every section, and results are never overwritten by accident."""
import importlib.util
import json
import pathlib

import pytest

SCRIPT = pathlib.Path(__file__).resolve().parent.parent / "experiments" / "temporal.py"


def _load():
    spec = importlib.util.spec_from_file_location("temporal_experiments", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_run_writes_every_section(tmp_path):
    out = tmp_path / "t.json"
    results = _load().main(["--quick", "--out", str(out)])
    stored = json.loads(out.read_text())
    assert stored["quick"] is True and stored == json.loads(json.dumps(results))
    assert "r2_top_height_cubic" in stored["cwvae"]["one_clock"]["runs"]["0"]
    for section in ("clockwork", "wavenet", "boundaries", "cwvae"):
        run = stored[section]["live"]["runs"]["0"]
        assert run["cpu_seconds"] >= 0
    assert set(stored["clockwork"]["live"]["runs"]["0"]) >= {"cw_rnn", "rnn"}
    assert 0 <= stored["boundaries"]["live"]["runs"]["0"]["precision"] <= 1


def test_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "t.json"
    out.write_text("{}")
    with pytest.raises(SystemExit):
        _load().main(["--quick", "--out", str(out)])
    assert out.read_text() == "{}"


def test_quick_needs_an_explicit_output():
    with pytest.raises(SystemExit):
        _load().main(["--quick"])


def test_live_configurations_are_the_chapters():
    """The notebook compares its live runs with these entries; their settings must not drift."""
    module = _load()
    assert module.CLOCKWORK["live"]["steps"] == 500 and module.CLOCKWORK["long"]["steps"] == 3000
    assert module.WAVENET["live"]["bits"] == 6
    assert module.BOUNDARIES["live"]["prior_rate"] == 0.1 and module.BOUNDARIES["no_sparsity"]["prior_rate"] == 0.5
    assert module.CWVAE["live"]["block_length"] == 8


def test_stored_results_were_made_with_the_scripts_configurations():
    """Provenance: every stored block used the script's configuration and seeds, not a quick run."""
    module = _load()
    stored = json.loads(module.DEFAULT_OUT.read_text())
    assert stored["quick"] is False
    blocks = [(section, name, seeds) for section, name, _, seeds, _ in module.plan(False)]
    for section, name, seeds in blocks:
        assert stored[section][name]["config"] == module.CONFIGS[section][name]
        assert stored[section][name]["seeds"] == seeds
    assert module.DEFAULT_OUT.stat().st_size < 200_000
