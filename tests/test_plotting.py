import matplotlib

matplotlib.use("Agg")  # no display in tests

import matplotlib.image  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.stats import norm  # noqa: E402

from vae_from_scratch import plotting  # noqa: E402
from vae_from_scratch.train import History  # noqa: E402


def test_tile_images_places_each_image():
    images = np.arange(5)[:, None] * np.ones((5, 6)) / 10  # five 2×3 images, constant values
    canvas = plotting.tile_images(images, (2, 3), ncols=2, pad=1, pad_value=1.0)
    assert canvas.shape == (3 * 3 + 1, 2 * 4 + 1)
    assert np.all(canvas[1:3, 1:4] == 0.0) and np.all(canvas[1:3, 5:8] == 0.1)
    assert np.all(canvas[4:6, 1:4] == 0.2) and np.all(canvas[7:9, 1:4] == 0.4)
    assert np.all(canvas[7:9, 5:8] == 1.0)  # the unused cell stays blank
    with pytest.raises(ValueError, match=r"\(N, 6\)"):
        plotting.tile_images(np.zeros((2, 5)), (2, 3))


def test_manifold_latents_are_gaussian_quantiles():
    z = plotting.manifold_latents(4)
    assert z.shape == (16, 2)
    quantiles = norm.ppf([0.125, 0.375, 0.625, 0.875])
    np.testing.assert_allclose(z[:4, 0], quantiles)  # along the top row z₁ increases
    np.testing.assert_allclose(z[::4, 1], quantiles[::-1])  # down the rows z₂ decreases
    np.testing.assert_allclose(z.sum(axis=0), 0.0, atol=1e-12)  # symmetric about the origin
    with pytest.raises(ValueError, match="positive"):
        plotting.manifold_latents(0)


def test_save_image_grid_writes_a_png(tmp_path):
    path = tmp_path / "grid.png"
    images = np.random.default_rng(0).random((10, 64))
    plotting.save_image_grid(images, (8, 8), path, ncols=5)
    picture = matplotlib.image.imread(path)
    assert picture.shape[:2] == ((2 * 9 + 1) * 7, (5 * 9 + 1) * 7)  # 8×8 images scaled ×7
    with pytest.raises(FileExistsError, match="overwrite"):
        plotting.save_image_grid(images, (8, 8), path)
    plotting.save_image_grid(images, (8, 8), path, ncols=5, scale=1, overwrite=True)
    assert matplotlib.image.imread(path).shape[:2] == (19, 46)


def test_plots_draw_into_axes():
    fig, axes = plt.subplots(1, 3)
    calls = []

    def decode(z):
        calls.append(z.shape)
        return np.full((len(z), 4), 0.5)

    plotting.plot_manifold(decode, (2, 2), n=5, ax=axes[0], title="manifold")
    assert calls == [(25, 2)] and axes[0].get_title() == "manifold"
    assert axes[0].images[0].get_array().shape == (5 * 3 + 1, 5 * 3 + 1)
    plotting.plot_image_grid(np.zeros((3, 4)), (2, 2), ax=axes[1])
    h = History()
    for e in (1, 2):
        h.append(epoch=e, train_bound=-30.0 + e, test_bound=-31.0 + e, running_bound=-30.0,
                 samples_seen=100 * e, seconds=0.1)
    ax = plotting.plot_learning_curves(h, ax=axes[2], label="AEVB")
    assert [line.get_label() for line in ax.lines] == ["AEVB test", "AEVB train"]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [-30.0, -29.0])
    assert ax.get_xscale() == "log" and "nats" in ax.get_ylabel()
    plt.close(fig)
