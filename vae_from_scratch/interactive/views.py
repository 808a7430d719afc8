"""Outputs drawn as static HTML by Python: bars, a line plot in SVG, a grey image as a PNG.

The table explorer's page uses :func:`bars_html` for its first paint (its script redraws the bars
from then on); the live ``table_widget`` draws every output with these functions on each change.
Colours follow the page (``currentColor``) as the page explorers do.
"""
import base64
import html
import math

import numpy as np

from .encoding import grey_levels
from .page_css import CSS
from .png import grey_png

ACCENT = "#3b82f6"


def bars_html(named_values, lo, hi, digits):
    """Horizontal bars on one shared scale [lo, hi] (which includes 0), each with its value."""
    span = (hi - lo) or 1.0
    zero = 100.0 * (0.0 - lo) / span
    rows = []
    for name, value in named_values:
        value = float(value)
        left, width = 100.0 * (min(value, 0.0) - lo) / span, 100.0 * abs(value) / span
        rows.append(
            '<div class="vfs-bar-row">'
            f'<span class="vfs-bar-name">{html.escape(name)}</span>'
            f'<span class="vfs-bar-track"><span class="vfs-bar-zero" style="left:{zero:.3f}%"></span>'
            f'<span class="vfs-bar" style="left:{left:.3f}%;width:{width:.3f}%"></span></span>'
            f"<output>{value:.{digits}f}</output>"
            "</div>"
        )
    return f'<div class="vfs-bars">{"".join(rows)}</div>'


def line_svg(name, x, y, box, size=(320, 160)):
    """A line plot of y against x as inline SVG, axes fixed to ``box = (x0, x1, y0, y1)``."""
    width, height = size
    left, right, top, bottom = 44, 8, 8, 20
    x0, x1, y0, y1 = box
    px = lambda v: left + (v - x0) / ((x1 - x0) or 1.0) * (width - left - right)  # noqa: E731
    py = lambda v: height - bottom - (v - y0) / ((y1 - y0) or 1.0) * (height - top - bottom)  # noqa: E731
    points = " ".join(f"{px(a):.2f},{py(b):.2f}" for a, b in zip(x, y))
    return (
        f'<figure><svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Line plot of {html.escape(name)}" font-size="11" font-family="sans-serif" fill="currentColor">'
        f'<path d="M{left} {top}V{height - bottom}H{width - right}" stroke="currentColor" fill="none"/>'
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{tick(y1, y0, y1)}</text>'
        f'<text x="{left - 4}" y="{height - bottom - 2}" text-anchor="end">{tick(y0, y0, y1)}</text>'
        f'<text x="{left}" y="{height - 4}">{tick(x0, x0, x1)}</text>'
        f'<text x="{width - right}" y="{height - 4}" text-anchor="end">{tick(x1, x0, x1)}</text>'
        f'<polyline points="{points}" stroke="{ACCENT}" stroke-width="2" fill="none"/>'
        f"</svg><figcaption>{html.escape(name)}</figcaption></figure>"
    )


def tick(value, lo, hi):
    """A tick label to three digits of the axis's span, so that 2e-107 on a 0..1 axis reads "0"."""
    span = abs(hi - lo) or abs(hi) or 1.0
    unit = 10.0 ** (math.floor(math.log10(span)) - 2)
    return format(float(f"{round(value / unit) * unit:.3g}"), "g")


def image_html(name, image, scale):
    """A grey image (values in [0, 1] or uint8) as an ``<img>`` holding its PNG."""
    levels = grey_levels(image)
    data = base64.b64encode(grey_png(levels, scale)).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(name)}" '
        f'width="{levels.shape[1] * scale}" height="{levels.shape[0] * scale}">'
        f"<figcaption>{html.escape(name)}</figcaption></figure>"
    )


def styled(body):
    """Body wrapped in an explorer-styled block, for an ``ipywidgets.HTML`` value."""
    return f'<div class="vfs-explorer" style="border:none;padding:0;margin:0"><style>{CSS}</style>{body}</div>'


def extent(values, previous=None):
    """(min, max) of ``values``, widened to include ``previous`` so that axes only ever grow."""
    lo, hi = float(np.min(values)), float(np.max(values))
    if previous is not None:
        lo, hi = min(lo, previous[0]), max(hi, previous[1])
    return lo, hi
