"""The table explorer: sliders over a grid that Python evaluated; the page only looks results up."""
import html
import math

import numpy as np

from .decoder import pixel_scale
from .encoding import float32_base64, grey_levels, uint8_base64
from .grid import check_sliders, evaluate_grid, value_label
from .markup import Explorer, controls, explorer_html, image_canvas, slider
from .views import bars_html

LINE_SIZE = (320, 160)  # canvas pixels (width, height) of a line plot


def table_explorer(sliders, compute, title="Explore", initial=None, slider_labels=None, digits=3, pixel_size=None):
    """A static-page explorer of any function of a few settings, exact at every grid point.

    sliders:  {name: values}; each slider steps through its values (numbers or strings), in order.
    compute:  called as ``compute(**{name: value})`` at every combination of slider values; it
              returns a dict {output name: output}, drawn by kind:
                a number → a bar with its value (all bars share one scale, which includes 0);
                a 2-D array in [0, 1] (or uint8) → a grey image;
                a 1-D array y, or a tuple (x, y) → a line plot, axes fixed over the whole grid.
              Every call must return the same names, kinds and shapes.
    initial:  {name: value} to start from; by default each slider starts at its middle value.
    slider_labels: {name: text} shown instead of a slider's name, e.g. {"log_sigma": "log σ"}.
    digits:   decimals printed for bar values.

    The page holds every grid point, so its size grows with the product of the slider lengths
    (a 21 × 16 grid with three numbers is about 20 kB; an 8×8 image adds 64 bytes a point).

    Example, the ELBO-gap slider (x and p(x) fixed, q = N(mu, exp(log_sigma)²)):

    >>> import numpy as np
    >>> def gap(mu, log_sigma):
    ...     # a toy model p(z) = N(0, 1), p(x|z) = N(x; z, 1) at x = 1: exact log p(x) and ELBO
    ...     x, s2 = 1.0, np.exp(2 * log_sigma)
    ...     log_px = -0.5 * np.log(2 * np.pi * 2) - x**2 / 4
    ...     expected_loglik = -0.5 * np.log(2 * np.pi) - 0.5 * ((x - mu) ** 2 + s2)
    ...     kl_prior = 0.5 * (mu**2 + s2 - 1 - 2 * log_sigma)
    ...     elbo = expected_loglik - kl_prior
    ...     return {"ELBO": elbo, "log p(x)": log_px, "KL gap": log_px - elbo}
    >>> explorer = table_explorer(
    ...     {"mu": np.linspace(-1, 2, 13), "log_sigma": np.linspace(-2, 0.5, 11)}, gap,
    ...     title="The ELBO gap", slider_labels={"mu": "μ", "log_sigma": "log σ"})
    >>> explorer  # doctest: +ELLIPSIS
    <table explorer: ... kB of self-contained HTML>
    """
    checked = check_sliders(sliders)
    start, labels, digits = checked_options(checked, initial, slider_labels, digits)  # before the long part
    grid = evaluate_grid(dict(checked), compute)
    first = grid.outputs[start_point(grid, start)]
    shown = [labels.get(name, name) for name, _ in grid.sliders]
    sliders_html = controls(
        [
            slider(html.escape(shown[k]), 0, len(values) - 1, 1, start[k], value_label(values[start[k]]))
            for k, (_, values) in enumerate(grid.sliders)
        ],
        shown,
    )
    config = {
        "sliders": [
            {"name": shown[k], "labels": [value_label(v) for v in values]}
            for k, (_, values) in enumerate(grid.sliders)
        ],
        "strides": strides(grid.shape),
        "bars": bars_config(grid, digits),
        "images": images_config(grid),
        "lines": lines_config(grid),
    }
    body = sliders_html + views_html(first, config, pixel_size)
    return Explorer("table", explorer_html("table", title, body, config))


def checked_options(sliders, initial, slider_labels, digits):
    """The start index of each slider, the labels shown for them and the bars' decimals, checked.

    ``sliders`` is :func:`~vae_from_scratch.interactive.grid.check_sliders`'s list of (name, values);
    a ValueError names any option that does not fit them.
    """
    start = start_indices(sliders, initial)
    labels = dict(slider_labels or {})
    unknown = set(labels) - {name for name, _ in sliders}
    if unknown:
        raise ValueError(f"slider_labels names {sorted(unknown)}, which are not sliders")
    if int(digits) < 0:
        raise ValueError(f"digits must be a non-negative integer, got {digits!r}")
    return start, labels, int(digits)


def start_indices(sliders, initial):
    initial = dict(initial or {})
    names = [name for name, _ in sliders]
    unknown = set(initial) - set(names)
    if unknown:
        raise ValueError(f"initial names {sorted(unknown)}, which are not sliders ({names})")
    indices = []
    for name, values in sliders:
        if name not in initial:
            indices.append(len(values) // 2)
            continue
        matches = [k for k, v in enumerate(values) if same_value(v, initial[name])]
        if not matches:
            raise ValueError(f"initial {name}={initial[name]!r} is not one of the slider's values {values}")
        indices.append(matches[0])
    return indices


def same_value(a, b):
    """Equal, or for numbers equal up to rounding (``np.linspace`` values are rarely exact)."""
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


def strides(shape):
    """Offsets of one step along each slider in the C-ordered list of grid points."""
    return [math.prod(shape[k + 1:]) for k in range(len(shape))]


def start_point(grid, indices):
    return sum(i * s for i, s in zip(indices, strides(grid.shape)))


def of_kind(grid, kind):
    """Names of the outputs of ``kind`` and, for each, its value at every grid point."""
    names = [o.name for o in grid.outputs[0] if o.kind == kind]
    return [(name, [next(o.value for o in point if o.name == name) for point in grid.outputs]) for name in names]


def bars_config(grid, digits):
    bars = of_kind(grid, "bar")
    if not bars:
        return None
    # (points, bars), so that one grid point's bars sit side by side
    values = np.stack([np.asarray(v, dtype=np.float64) for _, v in bars], axis=-1)
    return {
        "names": [name for name, _ in bars],
        "data": float32_base64(values),
        "lo": float(min(0.0, values.min())),
        "hi": float(max(0.0, values.max())),
        "digits": digits,
    }


def images_config(grid):
    return [
        {
            "name": name,
            "height": int(images[0].shape[0]),
            "width": int(images[0].shape[1]),
            "data": uint8_base64(np.stack([grey_levels(image) for image in images])),
        }
        for name, images in of_kind(grid, "image")
    ]


def lines_config(grid):
    configs = []
    for name, curves in of_kind(grid, "line"):
        xs = np.stack([x for x, _ in curves])
        ys = np.stack([y for _, y in curves])
        x_per_point = bool(np.any(xs != xs[0]))
        configs.append(
            {
                "name": name,
                "n": int(xs.shape[1]),
                "x_per_point": x_per_point,
                "x": float32_base64(xs if x_per_point else xs[0]),
                "y": float32_base64(ys),
                "box": {"x0": float(xs.min()), "x1": float(xs.max()), "y0": float(ys.min()), "y1": float(ys.max())},
            }
        )
    return configs


def views_html(first, config, pixel_size):
    """Bars, images and line plots, the bars filled in for the starting point (before any script)."""
    parts = []
    if config["bars"]:
        bars = [(o.name, o.value) for o in first if o.kind == "bar"]
        parts.append(bars_html(bars, config["bars"]["lo"], config["bars"]["hi"], config["bars"]["digits"]))
    for spec in config["images"]:
        shape = (spec["height"], spec["width"])
        parts.append(image_canvas("vfs-table-image", shape, pixel_scale(shape, pixel_size), spec["name"], spec["name"]))
    width, height = LINE_SIZE
    for spec in config["lines"]:
        parts.append(
            f'<figure><canvas class="vfs-line" width="{width}" height="{height}" role="img" '
            f'aria-label="Line plot of {html.escape(spec["name"])}"></canvas>'
            f'<figcaption>{html.escape(spec["name"])}</figcaption></figure>'
        )
    return f'<div class="vfs-views">{"".join(parts)}</div>'
