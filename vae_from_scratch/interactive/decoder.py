"""The decoder an explorer runs: checked once in Python, then decoded by NumPy or by the page's JS.

Both likelihoods reduce to the same chain for display: hidden layers with an activation, one
linear output layer, then a sigmoid. For the Bernoulli decoder (App. C.1) that output layer gives
the logits and the sigmoid gives the pixel probabilities; for the Gaussian decoder (App. C.2,
``gaussian_mlp(..., sigmoid_mean=True)``) it is the mean head, and the log-variance head is not
needed to draw the mean image, so it is left out of the page.
"""
import math

import numpy as np

from .. import nn

LIKELIHOODS = ("bernoulli", "gaussian")
# Activations the page's JavaScript implements; each is also in ``nn.ACTIVATIONS``.
JS_ACTIVATIONS = ("tanh", "relu", "softplus")


def check_choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; use one of {', '.join(map(repr, allowed))}")


def as_layers(decoder_params):
    """``decoder_params`` as a list of float64 ``(W, b)`` pairs whose shapes chain, or a ValueError."""
    if isinstance(decoder_params, tuple) and len(decoder_params) == 2 and all(
        isinstance(part, list) for part in decoder_params
    ):
        raise ValueError(
            "decoder_params looks like the VAE pair (encoder_params, decoder_params); "
            "pass only the decoder, e.g. vae_params[1]"
        )
    layers = []
    for k, pair in enumerate(decoder_params):
        try:
            W, b = pair
        except (TypeError, ValueError):
            raise ValueError(f"decoder_params[{k}] must be a pair (W, b) as made by nn.init_mlp") from None
        W, b = np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(
                f"decoder_params[{k}] has W {W.shape} and b {b.shape}; "
                "expected W (n_in, n_out) and b (n_out,)"
            )
        if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
            raise ValueError(f"decoder_params[{k}] holds NaN or infinite values; has training diverged?")
        layers.append((W, b))
    if not layers:
        raise ValueError("decoder_params is empty; pass a list of (W, b) pairs")
    return layers


def checked_decoder(decoder_params, image_shape, likelihood, activation):
    """The layers of the display chain (hidden layers, then the output layer) and the image shape.

    Raises a ValueError naming the problem if the shapes do not chain, the output size does not
    match ``image_shape``, or the likelihood or activation is unknown.
    """
    check_choice("likelihood", likelihood, LIKELIHOODS)
    check_choice("activation", activation, JS_ACTIVATIONS)
    layers = as_layers(decoder_params)
    if likelihood == "gaussian":
        if len(layers) < 2:
            raise ValueError(
                "a Gaussian decoder needs its hidden layers plus a mean head and a log-variance head "
                "(nn.init_gaussian_mlp); got a single layer. Is it a Bernoulli decoder? "
                "Then pass likelihood='bernoulli'"
            )
        (W_mean, _), (W_log_var, _) = layers[-2], layers[-1]
        if W_mean.shape != W_log_var.shape:
            raise ValueError(
                f"the Gaussian decoder's mean head {W_mean.shape} and log-variance head "
                f"{W_log_var.shape} differ in shape; is it a Bernoulli decoder? "
                "Then pass likelihood='bernoulli'"
            )
        chain = layers[:-1]
    else:
        chain = layers
    for k in range(1, len(chain)):
        if chain[k][0].shape[0] != chain[k - 1][0].shape[1]:
            raise ValueError(
                f"decoder layer {k} expects {chain[k][0].shape[0]} inputs but layer {k - 1} "
                f"gives {chain[k - 1][0].shape[1]}"
            )
    shape = check_image_shape(image_shape)
    n_out = chain[-1][0].shape[1]
    if math.prod(shape) != n_out:
        raise ValueError(
            f"image_shape {shape} has {math.prod(shape)} pixels but the decoder outputs {n_out} "
            "values; pass the (height, width) of one image"
        )
    return chain, shape


def check_image_shape(image_shape):
    try:
        shape = tuple(int(n) for n in image_shape)
    except TypeError:
        raise ValueError(f"image_shape must be (height, width), got {image_shape!r}") from None
    if len(shape) != 2 or min(shape) < 1:
        raise ValueError(f"image_shape must be two positive integers (height, width), got {image_shape!r}")
    return shape


def latent_size(chain):
    return chain[0][0].shape[0]


def check_z(z, n_latent, name):
    """``z`` as a float64 vector of length ``n_latent``, or a ValueError saying what was expected."""
    z = np.asarray(z, dtype=np.float64)
    if z.shape != (n_latent,):
        raise ValueError(f"{name} must have shape ({n_latent},) to match the decoder's input, got {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{name} must be finite, got {z}")
    return z


def decode_mean(decoder_params, z, likelihood="bernoulli", activation="tanh"):
    """The image the explorers draw for latent ``z`` (J,) or (batch, J), values in (0, 1).

    Bernoulli: sigmoid of ``nn.bernoulli_mlp``; Gaussian: the mean of
    ``nn.gaussian_mlp(..., sigmoid_mean=True)``. This is the NumPy reference the page's JS matches.
    """
    check_choice("likelihood", likelihood, LIKELIHOODS)
    z = np.asarray(z, dtype=np.float64)
    if likelihood == "bernoulli":
        return nn.sigmoid(nn.bernoulli_mlp(decoder_params, z, activation))
    mean, _ = nn.gaussian_mlp(decoder_params, z, activation, sigmoid_mean=True)
    return mean


def pixel_scale(image_shape, pixel_size):
    """Screen pixels per image pixel: about 192 px across unless ``pixel_size`` says otherwise."""
    if pixel_size is not None:
        if int(pixel_size) < 1:
            raise ValueError(f"pixel_size must be a positive integer, got {pixel_size!r}")
        return int(pixel_size)
    return max(1, round(192 / max(image_shape)))
