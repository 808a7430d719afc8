"""Explorers of a trained model: HTML + JS that works on the static site, ipywidgets twins for kernels.

Static page (no kernel, no network; end a notebook cell with one to show it):
    latent_explorer(decoder_params, image_shape, ...)           sliders over z, the decoded image
                                                                 (conditions=: a list of c for p(x|z, c))
    interpolation_explorer(decoder_params, z_start, z_end, ...)  t ∈ [0, 1] along a line in z
    table_explorer(sliders, compute, ...)                        anything Python computes on a grid

Live kernel (Binder, Colab, JupyterLab; NumPy redraws on each change):
    latent_explorer_widget, interpolation_widget, table_widget

``decode_mean`` is the NumPy reference that the page's JavaScript decoder reproduces.
"""
from .decoder import decode_mean
from .interpolation import interpolation_explorer
from .latent import latent_explorer
from .markup import Explorer
from .table import table_explorer
from .widgets import interpolation_widget, latent_explorer_widget, table_widget

__all__ = [
    "Explorer",
    "decode_mean",
    "interpolation_explorer",
    "interpolation_widget",
    "latent_explorer",
    "latent_explorer_widget",
    "table_explorer",
    "table_widget",
]
