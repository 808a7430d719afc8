"""The latent explorer: one slider per latent dimension and the image the decoder draws there."""
import html

import numpy as np

from .decoder import check_z, checked_decoder, latent_size, pixel_scale
from .encoding import grey_levels, layers_for_page, uint8_base64
from .markup import Explorer, choice, controls, digits_for, explorer_html, image_canvas, number, slider, subscript_name

PANEL_SIZE = 200  # canvas pixels of the (z1, z2) plane


def latent_explorer(
    decoder_params,
    image_shape,
    likelihood="bernoulli",
    activation="tanh",
    z_range=3.0,
    z0=None,
    title="Move through the latent space",
    background=None,
    n_steps=200,
    pixel_size=None,
    conditions=None,
    condition=None,
    condition_name="label",
):
    """A static-page explorer of the decoder: sliders over z, the decoded image on a canvas.

    decoder_params: the decoder's ``[(W, b), ...]`` (``vae_params[1]``); its forward pass is
        inlined as base64 float32 and run in the browser, matching NumPy to about 1e-7.
    image_shape:    (height, width) of one image; height × width must equal the output size.
    likelihood:     "bernoulli" draws sigmoid(logits); "gaussian" draws the mean of
                    ``nn.gaussian_mlp(..., sigmoid_mean=True)``.
    z_range:        every slider runs over [−z_range, z_range] in ``n_steps`` steps.
    z0:             the starting z (J,), default the prior's mean 0.
    background:     only for a 2-D latent: an image (values in [0, 1] or uint8) drawn under the
                    clickable (z1, z2) plane, e.g. a decoded manifold grid. It must span
                    [−z_range, z_range]² with row 0 at the top (z2 = +z_range), as
                    ``imshow(..., extent=(-r, r, -r, r))`` shows it.
    conditions:     for a conditional decoder p(x|z, c) whose input is [z, c]: {name: c} with
                    vectors c of one length C (e.g. {"7": one-hot of 7} for a CVAE). The page
                    gets a drop-down list named ``condition_name`` next to the sliders, and a
                    slider for each of the first (input size − C) inputs only. ``condition``
                    is the name shown first (default: the first). A background image, which
                    would hold for one condition only, cannot be combined with them.

    Returns an :class:`Explorer`; end a notebook cell with it to show it. The page holds the
    weights, about 5.3 bytes per parameter: a 2-200-64 decoder gives an 82 kB explorer, a
    2-200-560 (Frey Face) one 614 kB, a 2-500-784 (MNIST) one 2.1 MB.

    >>> from vae_from_scratch import nn
    >>> import numpy as np
    >>> decoder = nn.init_mlp([2, 200, 64], np.random.default_rng(0), init="glorot")
    >>> latent_explorer(decoder, (8, 8))  # doctest: +ELLIPSIS
    <latent explorer: ... kB of self-contained HTML>
    """
    chain, image_shape = checked_decoder(decoder_params, image_shape, likelihood, activation)
    names, vectors, first = checked_conditions(conditions, condition, latent_size(chain), condition_name)
    n_latent = latent_size(chain) - len(vectors[0]) if names else latent_size(chain)
    z0, z_range, step = checked_sliders(z0, n_latent, z_range, n_steps)
    if background is not None and n_latent != 2:
        raise ValueError(f"a background image needs a 2-D latent space; this decoder takes {n_latent} latents")
    if background is not None and names:
        raise ValueError("a background image shows one condition only; pass conditions or a background, not both")
    digits = digits_for(step)
    rows = [
        slider(subscript_name("z", j + 1), -z_range, z_range, step, z0[j], f"{z0[j]:.{digits}f}")
        for j in range(n_latent)
    ]
    if names:
        rows.insert(0, choice(html.escape(condition_name), names, first))
    sliders = controls(rows, [f"z{n_latent}"] + ([condition_name] if names else []))
    views = image_canvas(
        "vfs-image", image_shape, pixel_scale(image_shape, pixel_size), "Decoded image", "Decoded image"
    )
    config = {
        "decoder": {"layers": layers_for_page(chain), "activation": activation},
        "digits": digits,
        "range": z_range,
    }
    if names:
        config["conditions"] = {"name": condition_name, "vectors": [[float(v) for v in c] for c in vectors]}
    if n_latent == 2:
        panel_label = (
            f"The latent plane: z1 across and z2 up, each from -{number(z_range)} to {number(z_range)}. "
            "Click or drag to move the marker; the sliders set the same values."
        )
        views = (
            f'<figure><canvas class="vfs-panel" width="{PANEL_SIZE}" height="{PANEL_SIZE}" '
            f'role="img" aria-label="{html.escape(panel_label)}"></canvas>'
            f"<figcaption>z<sub>1</sub> across, z<sub>2</sub> up, ±{number(z_range)}</figcaption></figure>"
        ) + views
        config["panel_label"] = panel_label
        config["background"] = background_for_page(background)
    body = f'{sliders}<div class="vfs-views">{views}</div>'
    return Explorer("latent", explorer_html("latent", title, body, config))


def checked_sliders(z0, n_latent, z_range, n_steps):
    """The starting z, the range and the step of the z sliders, or a ValueError naming the problem."""
    z_range = float(z_range)
    if not np.isfinite(z_range) or z_range <= 0:
        raise ValueError(f"z_range must be a positive number, got {z_range!r}")
    z0 = np.zeros(n_latent) if z0 is None else check_z(z0, n_latent, "z0")
    outside = np.flatnonzero(np.abs(z0) > z_range)
    if outside.size:
        j = int(outside[0])
        raise ValueError(f"z0[{j}] = {z0[j]:g} lies outside the sliders' range ±{z_range:g}; pass a larger z_range")
    if int(n_steps) < 2:
        raise ValueError(f"n_steps must be at least 2, got {n_steps!r}")
    return z0, z_range, 2 * z_range / int(n_steps)


def checked_conditions(conditions, condition, input_size, condition_name):
    """(names, vectors, index of the first shown) for a conditional decoder; ([], [], 0) without one."""
    if conditions is None:
        if condition is not None:
            raise ValueError("condition names the starting condition; pass conditions={name: vector} too")
        return [], [], 0
    if not isinstance(conditions, dict) or not conditions:
        raise ValueError("conditions must be a non-empty dict {name: vector}, e.g. {str(k): np.eye(10)[k] for k in range(10)}")
    names = [str(name) for name in conditions]
    if len(set(names)) != len(names):
        raise ValueError(f"conditions has names that print alike: {names}")
    vectors = [np.asarray(c, dtype=np.float64) for c in conditions.values()]
    size = vectors[0].shape
    for name, c in zip(names, vectors):
        if c.ndim != 1 or c.shape != size:
            raise ValueError(f"condition {name!r} has shape {c.shape}; every condition must be a vector of one length")
        if not np.all(np.isfinite(c)):
            raise ValueError(f"condition {name!r} holds NaN or infinite values")
    if size[0] >= input_size:
        raise ValueError(
            f"the conditions have {size[0]} entries but the decoder takes {input_size} inputs in all; "
            "its input must be [z, c] with at least one latent"
        )
    if not str(condition_name).strip():
        raise ValueError("condition_name must be a non-empty label, e.g. 'digit'")
    first = 0 if condition is None else (names.index(str(condition)) if str(condition) in names else None)
    if first is None:
        raise ValueError(f"condition {condition!r} is not one of the conditions {names}")
    return names, vectors, first


def background_for_page(background):
    if background is None:
        return None
    image = np.asarray(background)
    if image.ndim != 2 or min(image.shape) < 1:
        raise ValueError(f"background must be a 2-D grey image (height, width), got shape {image.shape}")
    if image.dtype != np.uint8 and not np.all(np.isfinite(image)):
        raise ValueError("background must be finite grey levels in [0, 1] (or uint8)")
    height, width = image.shape
    return {"height": int(height), "width": int(width), "data": uint8_base64(grey_levels(image))}
