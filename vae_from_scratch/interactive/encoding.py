"""Arrays and settings written into a page: base64 of little-endian float32 or uint8, and JSON.

The same arrays always give the same bytes, so a notebook's stored HTML output does not change
when it is run again.
"""
import base64
import json

import numpy as np


def float32_base64(array):
    """Little-endian float32 bytes of ``array`` (C order), base64: 4 bytes per number, 1e-7 relative."""
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def uint8_base64(array):
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.uint8).tobytes()).decode("ascii")


def grey_levels(image):
    """An image with values in [0, 1] (or already uint8) as uint8 grey levels 0..255."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    return np.round(np.clip(image.astype(np.float64), 0.0, 1.0) * 255.0).astype(np.uint8)


def layers_for_page(chain):
    """The decoder chain as plain JSON: sizes and base64 weights, W stored row-major (n_in, n_out)."""
    return [
        {"n_in": int(W.shape[0]), "n_out": int(W.shape[1]), "W": float32_base64(W), "b": float32_base64(b)}
        for W, b in chain
    ]


def script_json(value):
    """``value`` as compact, key-sorted JSON that is safe to place inside a ``<script>`` element.

    JSON is a JavaScript literal; writing ``<`` as ``\\u003c`` (still valid JSON) keeps a string
    such as ``"</script>"`` from closing the element early.
    """
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return text.replace("<", "\\u003c")
