import io
import subprocess
import sys

import matplotlib.image
import pytest

from vae_from_scratch.cli import main
from vae_from_scratch.models import VAE


def run(args):
    out = io.StringIO()
    return main([str(a) for a in args], out=out), out.getvalue()


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "model.npz"
    status, text = run(["train", "--data", "digits", "--latent", 2, "--hidden", 32, "--epochs", 3,
                        "--lr", 3e-3, "--out", path, "--quiet"])
    assert status == 0 and "epoch    3" in text and "saved" in text
    return path


def test_train_saves_a_model_with_its_data(model_path):
    vae = VAE.load(model_path)
    assert vae.latent_dim == 2 and vae.hidden == (32,) and len(vae.history) == 3
    assert vae.metadata["data"] == "digits" and vae.metadata["image_shape"] == [8, 8]
    assert vae.history.test_bound[-1] > vae.history.test_bound[0]


def test_train_refuses_to_overwrite_without_force(model_path, capsys):
    before = model_path.read_bytes()
    status, _ = run(["train", "--epochs", 1, "--hidden", 8, "--out", model_path, "--quiet"])
    assert status == 2 and "--force" in capsys.readouterr().err
    assert model_path.read_bytes() == before
    forced = model_path.with_name("forced.npz")
    forced.write_bytes(b"old")
    status, _ = run(["train", "--epochs", 1, "--hidden", 8, "--out", forced, "--quiet", "--force"])
    assert status == 0 and VAE.load(forced).hidden == (8,)


def test_evaluate_prints_bound_and_log_likelihood(model_path):
    status, text = run(["evaluate", "--model", model_path, "-K", 100, "--limit", 20, "--app-d"])
    assert status == 0
    numbers = {}
    for line in text.splitlines():
        if "nats" in line:
            numbers[line.split(":")[0]] = float(line.split(":")[1].split()[0])
    elbo, is_ll, app_d = numbers.values()  # ELBO with L = 10 draws per datapoint
    assert elbo < is_ll and abs(is_ll - app_d) < 0.5
    assert "digits test set, 20 datapoints" in text


def test_sample_and_manifold_pngs(model_path, tmp_path):
    status, _ = run(["sample", "--model", model_path, "--n", 16, "--out", tmp_path / "s.png"])
    assert status == 0
    assert matplotlib.image.imread(tmp_path / "s.png").shape[:2] == (4 * 9 * 7 + 7, 4 * 9 * 7 + 7)
    status, _ = run(["sample", "--model", model_path, "--manifold", 5, "--out", tmp_path / "m.png"])
    assert status == 0 and matplotlib.image.imread(tmp_path / "m.png").shape[0] == (5 * 9 + 1) * 7
    status, _ = run(["sample", "--model", model_path, "--out", tmp_path / "s.png"])
    assert status == 2  # exists, no --force


def test_errors_are_one_line_messages(model_path, tmp_path, capsys):
    status, _ = run(["evaluate", "--model", tmp_path / "absent.npz"])
    assert status == 2 and "no model file" in capsys.readouterr().err
    status, _ = run(["sample", "--model", model_path, "--shape", "7x7", "--out", tmp_path / "x.png"])
    assert status == 2 and "D = 64" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--data", "cifar", "--out", str(tmp_path / "y.npz")])
    with pytest.raises(SystemExit):
        main(["train", "--hidden", "200,-3", "--out", str(tmp_path / "y.npz")])


def test_module_help_runs_in_a_subprocess():
    result = subprocess.run([sys.executable, "-m", "vae_from_scratch", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for word in ("train", "evaluate", "sample", "Kingma"):
        assert word in result.stdout
