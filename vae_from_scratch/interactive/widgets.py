"""Live-kernel twins of the explorers, built from ipywidgets (Binder, Colab, JupyterLab).

They call the package's NumPy code on every change, so a reader who retrains or edits the model
in Python sees the change at the next slider move. They need a running kernel; the static site
uses the HTML explorers instead. Each returns an ``ipywidgets.VBox``: a title, the sliders, then
the view (an ``Image`` of PNG bytes, or an ``HTML`` of bars, images and plots).
"""
import html

import ipywidgets as widgets
import numpy as np

from .decoder import checked_decoder, decode_mean, latent_size, pixel_scale
from .encoding import grey_levels
from .grid import check_sliders, evaluate, value_label
from .interpolation import checked_line
from .latent import checked_conditions, checked_sliders
from .markup import digits_for
from .png import grey_png
from .table import checked_options
from .views import bars_html, extent, image_html, line_svg, styled

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def latent_explorer_widget(
    decoder_params,
    image_shape,
    likelihood="bernoulli",
    activation="tanh",
    z_range=3.0,
    z0=None,
    title="Move through the latent space",
    n_steps=200,
    pixel_size=None,
    conditions=None,
    condition=None,
    condition_name="label",
):
    """Sliders over z and the decoded image, redrawn by NumPy (:func:`~vae_from_scratch.interactive.decode_mean`).

    Arguments as for :func:`latent_explorer`; there is no clickable plane here. With
    ``conditions``, a drop-down list above the sliders chooses the c in the decoder's input [z, c].
    """
    chain, image_shape = checked_decoder(decoder_params, image_shape, likelihood, activation)
    names, vectors, first = checked_conditions(conditions, condition, latent_size(chain), condition_name)
    n_latent = latent_size(chain) - len(vectors[0]) if names else latent_size(chain)
    z0, z_range, step = checked_sliders(z0, n_latent, z_range, n_steps)
    sliders = [
        widgets.FloatSlider(
            value=float(z0[j]), min=-z_range, max=z_range, step=step,
            description="z" + str(j + 1).translate(SUBSCRIPTS), readout_format=f".{digits_for(step)}f",
        )
        for j in range(n_latent)
    ]
    chooser = (widgets.Dropdown(options=[(name, k) for k, name in enumerate(names)], value=first,
                                description=condition_name) if names else None)
    scale = pixel_scale(image_shape, pixel_size)
    image = decoded_image_widget(image_shape, scale)

    def redraw(change=None):
        z = np.array([s.value for s in sliders])
        if chooser is not None:
            z = np.concatenate([z, vectors[chooser.value]])  # the decoder's input [z, c]
        image.value = decoded_png(decoder_params, z, image_shape, likelihood, activation, scale)

    controls = sliders if chooser is None else [chooser, *sliders]
    for control in controls:
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([title_widget(title), widgets.HBox([widgets.VBox(controls), image])])


def interpolation_widget(
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
    """A slider t ∈ [0, 1] and the decoded (1 − t) z_start + t z_end, between its two ends."""
    chain, image_shape = checked_decoder(decoder_params, image_shape, likelihood, activation)
    n_latent = latent_size(chain)
    z_start, z_end, t0, step = checked_line(z_start, z_end, n_latent, t0, n_steps)
    slider = widgets.FloatSlider(value=t0, min=0.0, max=1.0, step=step, description="t",
                                 readout_format=f".{digits_for(step)}f")
    scale = pixel_scale(image_shape, pixel_size)
    start, middle, end = (decoded_image_widget(image_shape, scale) for _ in range(3))
    start.value = decoded_png(decoder_params, z_start, image_shape, likelihood, activation, scale)
    end.value = decoded_png(decoder_params, z_end, image_shape, likelihood, activation, scale)

    def redraw(change=None):
        t = slider.value
        z = (1 - t) * z_start + t * z_end
        middle.value = decoded_png(decoder_params, z, image_shape, likelihood, activation, scale)

    slider.observe(redraw, names="value")
    redraw()
    captioned = [widgets.VBox([image, widgets.Label(caption)]) for image, caption in
                 ((start, "t = 0"), (middle, "t on the slider"), (end, "t = 1"))]
    return widgets.VBox([title_widget(title), slider, widgets.HBox(captioned)])


def table_widget(sliders, compute, title="Explore", initial=None, slider_labels=None, digits=3, pixel_size=None):
    """Sliders over settings and ``compute``'s outputs, computed live at each change.

    Arguments as for :func:`table_explorer`, but nothing is precomputed: ``compute`` runs for
    the current setting only. Bars share a scale and line plots their axes with every setting
    seen so far, so they only ever grow and a change on screen is a change in the numbers.
    """
    checked = check_sliders(sliders)
    start, labels, digits = checked_options(checked, initial, slider_labels, digits)
    controls = [
        widgets.SelectionSlider(
            options=[(value_label(v), v) for v in values], value=values[start[k]],
            description=labels.get(name, name),
        )
        for k, (name, values) in enumerate(checked)
    ]
    view = widgets.HTML()
    extents = {}  # output name -> (lo, hi) or (x0, x1, y0, y1), widened as settings are seen

    def redraw(change=None):
        settings = {name: control.value for (name, _), control in zip(checked, controls)}
        where = "at " + ", ".join(f"{k}={value_label(v)}" for k, v in settings.items())
        outputs = evaluate(compute, settings, where)
        bars = [(o.name, float(o.value)) for o in outputs if o.kind == "bar"]
        parts = []
        if bars:
            extents["bars"] = extent([0.0] + [v for _, v in bars], extents.get("bars"))
            parts.append(bars_html(bars, *extents["bars"], digits))
        for o in outputs:
            if o.kind == "image":
                parts.append(image_html(o.name, o.value, pixel_scale(o.value.shape, pixel_size)))
            elif o.kind == "line":
                x, y = o.value
                seen = extents.get(o.name)
                extents[o.name] = extent(x, seen and seen[:2]) + extent(y, seen and seen[2:])
                parts.append(line_svg(o.name, x, y, extents[o.name]))
        view.value = styled(f'<div class="vfs-views">{"".join(parts)}</div>')

    for control in controls:
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([title_widget(title), widgets.VBox(controls), view])


def decoded_image_widget(image_shape, scale):
    height, width = image_shape
    return widgets.Image(format="png", width=width * scale, height=height * scale)


def decoded_png(decoder_params, z, image_shape, likelihood, activation, scale):
    """The decoded mean at z, from the package's NumPy decoder, as PNG bytes."""
    pixels = decode_mean(decoder_params, np.asarray(z, dtype=np.float64)[None, :], likelihood, activation)
    return grey_png(grey_levels(np.reshape(pixels, image_shape)), scale)


def title_widget(title):
    return widgets.HTML(f"<strong>{html.escape(title)}</strong>")
