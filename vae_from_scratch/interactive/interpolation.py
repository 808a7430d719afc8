"""The interpolation explorer: decode (1 − t) z_start + t z_end as a slider moves t over [0, 1]."""
from .decoder import check_z, checked_decoder, latent_size, pixel_scale
from .encoding import layers_for_page
from .markup import Explorer, controls, digits_for, explorer_html, image_canvas, slider


def interpolation_explorer(
    decoder_params,
    z_start,
    z_end,
    image_shape,
    likelihood="bernoulli",
    activation="tanh",
    t0=0.5,
    title="Walk in a straight line through the latent space",
    n_steps=100,
    pixel_size=None,
):
    """A static-page explorer of one straight line in latent space, its two ends shown beside it.

    The decoder runs in the browser (see :func:`latent_explorer` for ``decoder_params``,
    ``image_shape`` and ``likelihood``); the slider moves t from 0 to 1 in ``n_steps`` steps,
    starting at ``t0``.

    >>> from vae_from_scratch import nn
    >>> import numpy as np
    >>> decoder = nn.init_mlp([2, 200, 64], np.random.default_rng(0), init="glorot")
    >>> interpolation_explorer(decoder, [-2.0, 0.0], [2.0, 1.0], (8, 8))  # doctest: +ELLIPSIS
    <interpolation explorer: ... kB of self-contained HTML>
    """
    chain, image_shape = checked_decoder(decoder_params, image_shape, likelihood, activation)
    n_latent = latent_size(chain)
    z_start, z_end, t0, step = checked_line(z_start, z_end, n_latent, t0, n_steps)
    digits = digits_for(step)
    scale = pixel_scale(image_shape, pixel_size)
    views = (
        image_canvas("vfs-start", image_shape, scale, "Decoded image at t = 0, the start z", "t = 0")
        + image_canvas("vfs-image", image_shape, scale, "Decoded image along the line", "t on the slider")
        + image_canvas("vfs-end", image_shape, scale, "Decoded image at t = 1, the end z", "t = 1")
    )
    config = {
        "decoder": {"layers": layers_for_page(chain), "activation": activation},
        "digits": digits,
        "z_start": [float(v) for v in z_start],
        "z_end": [float(v) for v in z_end],
    }
    t_slider = slider("t", 0.0, 1.0, step, t0, f"{t0:.{digits}f}")
    body = controls([t_slider], ["t"]) + f'<div class="vfs-views">{views}</div>'
    return Explorer("interpolation", explorer_html("interpolation", title, body, config))


def checked_line(z_start, z_end, n_latent, t0, n_steps):
    """The line's two ends, the starting t and the slider's step, or a ValueError naming the problem."""
    z_start = check_z(z_start, n_latent, "z_start")
    z_end = check_z(z_end, n_latent, "z_end")
    if int(n_steps) < 1:
        raise ValueError(f"n_steps must be a positive integer, got {n_steps!r}")
    if not 0.0 <= float(t0) <= 1.0:
        raise ValueError(f"t0 must lie in [0, 1], got {t0!r}")
    return z_start, z_end, float(t0), 1.0 / int(n_steps)
