"""HTML building blocks shared by the explorers, and the object a notebook cell displays.

Every slider is a native ``<input type="range">`` inside its ``<label>`` (keyboard-operable and
named without ids), followed by an ``<output>`` showing its value; a choice among named settings
is a native ``<select>`` inside its ``<label>``. Canvases carry ``role="img"``
and an ``aria-label`` that the script keeps up to date.
"""
import html
import math
from dataclasses import dataclass

from .encoding import script_json
from .page_css import CSS
from .page_js import explorer_script


@dataclass(frozen=True)
class Explorer:
    """A self-contained HTML explorer: sliders, canvases and the script that draws them.

    A notebook cell that ends with it shows it (``_repr_html_``); ``.html`` is the markup, the
    same bytes for the same inputs. It needs no kernel, no network and no other file.
    """

    kind: str
    html: str

    def _repr_html_(self):
        return self.html

    def __repr__(self):
        # Deterministic, so a notebook's stored text/plain output does not change between runs.
        return f"<{self.kind} explorer: {len(self.html.encode()) / 1000:.1f} kB of self-contained HTML>"


def explorer_html(kind, title, body, config):
    """The root ``<div>``: title, body, and last the script, whose parent is this root."""
    script = explorer_script(kind, script_json(config))
    return (
        f'<div class="vfs-explorer vfs-{kind}" role="group" aria-label="{html.escape(title)}">'
        f"<style>{CSS}</style>"
        f'<div class="vfs-title">{html.escape(title)}</div>'
        f'<div class="vfs-body">{body}</div>'
        f"<script>{script}</script>"
        "</div>"
    )


def controls(sliders_html, names):
    """The column of sliders; names get one width so that the sliders line up."""
    width = max(3, *(len(name) for name in names)) + 1
    return f'<div class="vfs-controls" style="--vfs-name-width:{width}ch">{"".join(sliders_html)}</div>'


def slider(name_html, minimum, maximum, step, value, value_text):
    """A labelled range input and the ``<output>`` that shows its value."""
    return (
        '<div class="vfs-slider">'
        f'<label><span class="vfs-name">{name_html}</span>'
        f'<input class="vfs-range" type="range" min="{number(minimum)}" max="{number(maximum)}" '
        f'step="{number(step)}" value="{number(value)}"></label>'
        f'<output class="vfs-value">{html.escape(value_text)}</output>'
        "</div>"
    )


def choice(name_html, options, selected):
    """A labelled drop-down list (``<select>``) of ``options``, ``options[selected]`` chosen."""
    items = "".join(
        f'<option value="{k}"{" selected" if k == selected else ""}>{html.escape(option)}</option>'
        for k, option in enumerate(options)
    )
    return (
        '<div class="vfs-slider vfs-choice">'
        f'<label><span class="vfs-name">{name_html}</span><select class="vfs-select">{items}</select></label>'
        "</div>"
    )


def image_canvas(css_class, image_shape, scale, label, caption):
    """A canvas of one image pixel per canvas pixel, shown ``scale`` times larger."""
    height, width = image_shape
    return (
        f'<figure><canvas class="vfs-pixels {css_class}" width="{width}" height="{height}" '
        f'style="width:{width * scale}px;height:{height * scale}px" role="img" '
        f'aria-label="{html.escape(label)}"></canvas>'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def number(value):
    """A float as HTML attribute text: shortest round-trip form, no trailing '.0'."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"slider bounds must be finite, got {value}")
    return f"{int(value)}" if value.is_integer() else repr(value)


def digits_for(step):
    """Decimals needed to tell neighbouring slider positions apart."""
    return max(0, math.ceil(-math.log10(step) - 1e-9))


def subscript_name(symbol, index):
    return f"{html.escape(symbol)}<sub>{index}</sub>"
