"""A minimal PNG encoder for grey images, so the live widgets need no imaging library.

The bytes depend only on the pixels (no timestamps or software tags), which keeps widget
state reproducible.
"""
import struct
import zlib

import numpy as np


def grey_png(levels, scale=1):
    """PNG bytes of a uint8 grey image (height, width), each pixel drawn as a scale × scale block."""
    levels = np.asarray(levels)
    if levels.ndim != 2 or levels.dtype != np.uint8:
        raise ValueError(f"grey_png needs a 2-D uint8 image, got {levels.dtype} of shape {levels.shape}")
    scale = int(scale)
    if scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    pixels = np.repeat(np.repeat(levels, scale, axis=0), scale, axis=1)
    height, width = pixels.shape
    # Each row starts with filter type 0 (none).
    rows = np.concatenate([np.zeros((height, 1), np.uint8), pixels], axis=1)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 9))
        + chunk(b"IEND", b"")
    )


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
