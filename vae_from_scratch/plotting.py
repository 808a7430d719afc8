"""Figures the chapters share: image grids, the 2-D latent manifold of Fig. 4, learning curves.

The only module of the package that imports matplotlib. Plotting functions draw into an
``ax`` you pass (or a new one) and return it; :func:`save_image_grid` writes a PNG without
pyplot or a display (what the command line uses).
"""
from pathlib import Path

import matplotlib.image
import numpy as np
from scipy.special import ndtri


def tile_images(images, image_shape, ncols=None, pad=1, pad_value=1.0):
    """One 2-D array holding ``images`` (N, D) as a grid, row by row, ``pad`` pixels apart.

    ``image_shape`` is (height, width) with height · width = D; ``ncols`` defaults to ⌈√N⌉.
    Unused cells of the last row are left at ``pad_value``.
    """
    images = np.asarray(images)
    height, width = image_shape
    if images.ndim != 2 or images.shape[1] != height * width:
        raise ValueError(f"images must have shape (N, {height * width}) for image_shape "
                         f"{tuple(image_shape)}, got {images.shape}")
    n = len(images)
    ncols = int(np.ceil(np.sqrt(n))) if ncols is None else int(ncols)
    if ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols}")
    nrows = int(np.ceil(n / ncols))
    canvas = np.full((nrows * (height + pad) + pad, ncols * (width + pad) + pad), pad_value,
                     dtype=float)
    for k, image in enumerate(images):
        r, c = divmod(k, ncols)
        top, left = pad + r * (height + pad), pad + c * (width + pad)
        canvas[top:top + height, left:left + width] = image.reshape(height, width)
    return canvas


def manifold_latents(n=20):
    """The latent points of Fig. 4: an n × n grid, (n·n, 2), in the order of a tiled image.

    "Linearly spaced coordinates on the unit square were transformed through the inverse CDF
    of the Gaussian": we use the cell midpoints (i + ½)/n, so that no point maps to ±∞.
    Row by row from the top: z₂ decreases down the rows, z₁ increases along each row.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    u = (np.arange(n) + 0.5) / n
    coords = ndtri(u)  # Φ⁻¹, increasing
    z1, z2 = np.meshgrid(coords, coords[::-1])  # (n, n) each; top row has the largest z₂
    return np.stack([z1.ravel(), z2.ravel()], axis=1)


def _axes(ax, figsize=(5, 5)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_image_grid(images, image_shape, ncols=None, ax=None, title=None, cmap="gray"):
    """Show images (N, D) as a grid; intensities 0 (black) to 1 (white)."""
    ax = _axes(ax)
    ax.imshow(tile_images(images, image_shape, ncols), cmap=cmap, vmin=0.0, vmax=1.0,
              interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_manifold(decode, image_shape, n=20, ax=None, title=None, cmap="gray"):
    """Fig. 4: the decoder's mean at each point of :func:`manifold_latents` (2-D latent only).

    ``decode`` maps z (n·n, 2) to images (n·n, D), e.g. ``vae.decode``.
    """
    images = decode(manifold_latents(n))
    return plot_image_grid(images, image_shape, ncols=n, ax=ax, title=title, cmap=cmap)


def plot_learning_curves(history, ax=None, label="", x="samples_seen", log_x=True):
    """Train (dashed) and test (solid) bound per epoch against training samples seen (Fig. 2).

    ``history`` is a :class:`vae_from_scratch.train.History` or its ``as_dict()``.
    """
    h = history.as_dict() if hasattr(history, "as_dict") else history
    ax = _axes(ax, figsize=(6, 4))
    steps = np.asarray(h[x], dtype=float)
    line, = ax.plot(steps, h["test_bound"], "-", label=f"{label} test".strip())
    ax.plot(steps, h["train_bound"], "--", color=line.get_color(), label=f"{label} train".strip())
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel("training samples evaluated" if x == "samples_seen" else x)
    ax.set_ylabel("lower bound (nats per datapoint)")
    ax.legend()
    return ax


def save_image_grid(images, image_shape, path, ncols=None, scale=None, overwrite=False):
    """Write images (N, D) as one grey-level PNG; no pyplot, no display needed.

    Each pixel becomes a ``scale`` × ``scale`` block (default: images at least 56 pixels
    high). Refuses an existing ``path`` unless ``overwrite=True``.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists; pass overwrite=True (or --force) to replace it")
    canvas = tile_images(np.clip(images, 0.0, 1.0), image_shape, ncols)
    scale = max(1, int(np.ceil(56 / image_shape[0]))) if scale is None else int(scale)
    canvas = np.kron(canvas, np.ones((scale, scale)))
    matplotlib.image.imsave(path, canvas, cmap="gray", vmin=0.0, vmax=1.0, format="png")
    return path
