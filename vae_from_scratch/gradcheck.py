"""Finite-difference gradient checks: the test every hand-written backward pass has to pass.

The central difference
    ∂f/∂w ≈ ( f(w + h) − f(w − h) ) / 2h
has error O(h²) from the Taylor series plus O(δ·|f|/h) from rounding (δ the machine epsilon),
so h = 1e-6 in float64 gives about 1e-9 absolute: enough to catch any wrong sign, missing factor
or forgotten term, and far too coarse to tell two correct implementations apart (compare those
with each other directly, to 1e-10). Check in float64; in float32 rounding swamps the difference.

Parameters are any nesting of lists and tuples of arrays, e.g. the VAE's ``(encoder_params,
decoder_params)`` of ``[(W, b), ...]``; gradients come back with the same structure.
"""
import numpy as np


def _leaves(tree, path=()):
    """(path, array) for every array in a nesting of lists and tuples, depth first."""
    if isinstance(tree, (list, tuple)):
        for i, branch in enumerate(tree):
            yield from _leaves(branch, path + (i,))
    else:
        yield path, tree


def _rebuild(tree, leaves):
    """The nesting of ``tree`` with its arrays replaced, in order, by those of ``leaves``."""
    if isinstance(tree, (list, tuple)):
        return type(tree)(_rebuild(branch, leaves) for branch in tree)
    return next(leaves)


def _is_layer_list(tree):
    """A list of (W, b) pairs of arrays?"""
    return isinstance(tree, (list, tuple)) and all(
        isinstance(layer, (list, tuple)) and len(layer) == 2
        and not any(isinstance(part, (list, tuple)) for part in layer)
        for layer in tree)


def parameter_names(params):
    """A readable name per array, in depth-first order of the nested lists and tuples.

    ``(encoder, decoder)`` of (W, b) lists gives "encoder layer 1 W", …; a single (W, b) list
    gives "layer 1 W", …; anything else "params[0][1]". Layers count from 1, input side first.
    """
    paths = [path for path, _ in _leaves(params)]
    wb = ("W", "b")
    if (isinstance(params, (list, tuple)) and len(params) == 2
            and all(_is_layer_list(net) and net for net in params)):
        return [f"{('encoder', 'decoder')[n]} layer {k + 1} {wb[i]}" for n, k, i in paths]
    if _is_layer_list(params) and params:
        return [f"layer {k + 1} {wb[i]}" for k, i in paths]
    return ["params" + "".join(f"[{i}]" for i in path) for path in paths]


def finite_difference_gradient(f, params, eps=1e-6):
    """∂f/∂params by central differences, one entry at a time; same structure as ``params``.

    ``f(params)`` must return a scalar. ``params`` is not modified (we perturb a copy). Costs
    two evaluations of f per parameter entry: for small networks only.
    """
    work = [np.array(array, copy=True) for _, array in _leaves(params)]
    trial = _rebuild(params, iter(work))
    grads = []
    for name, array in zip(parameter_names(params), work):
        grad = np.zeros_like(array)
        flat, flat_grad = array.reshape(-1), grad.reshape(-1)  # views of the same memory
        for i in range(flat.size):
            original = flat[i]
            flat[i] = original + eps
            w_plus = flat[i]  # the step as stored, after rounding to the array's dtype
            f_plus = f(trial)
            flat[i] = original - eps
            w_minus = flat[i]
            f_minus = f(trial)
            flat[i] = original
            if w_plus == w_minus:
                raise ValueError(f"eps={eps:g} vanishes next to {name} = {original!r} in "
                                 f"{array.dtype}; check gradients in float64 or use a larger eps")
            flat_grad[i] = (f_plus - f_minus) / (w_plus - w_minus)
        grads.append(grad)
    return _rebuild(params, iter(grads))


def check_gradients(f, params, grads, rtol=1e-5, atol=1e-7, eps=1e-6):
    """Compare ``grads`` with finite differences of ``f`` at ``params``, every array.

    The error of an entry is |g − g_fd| / max(|g|, |g_fd|, atol / rtol): relative for gradients
    larger than atol/rtol, absolute (scaled) for smaller ones, whose finite differences are mostly
    rounding noise. Every entry must have error ≤ rtol, i.e. |g − g_fd| ≤ max(rtol·|g|, atol).

    Returns ``{name: max error}`` (names from :func:`parameter_names`). Raises AssertionError
    naming the worst array and entry if any entry fails, ValueError if the structures differ.
    """
    names = parameter_names(params)
    analytic = [np.asarray(g) for _, g in _leaves(grads)]
    arrays = [a for _, a in _leaves(params)]
    if len(analytic) != len(arrays):
        raise ValueError(f"grads hold {len(analytic)} arrays but params hold {len(arrays)}; "
                         "grads must have the structure of params")
    for name, g, a in zip(names, analytic, arrays):
        if g.shape != np.shape(a):
            raise ValueError(f"gradient of {name} has shape {g.shape}, the parameter {np.shape(a)}")
    numeric = [g for _, g in _leaves(finite_difference_gradient(f, params, eps))]

    errors, worst = {}, None
    floor = atol / rtol
    for name, g, g_fd in zip(names, analytic, numeric):
        err = np.abs(g - g_fd) / np.maximum(np.maximum(np.abs(g), np.abs(g_fd)), floor)
        k = int(np.argmax(err)) if err.size else 0
        errors[name] = float(err.reshape(-1)[k]) if err.size else 0.0
        if worst is None or errors[name] > worst[1]:
            worst = (name, errors[name], np.unravel_index(k, g.shape) if g.shape else (),
                     g.reshape(-1)[k] if g.size else 0.0, g_fd.reshape(-1)[k] if g.size else 0.0)
    if worst is not None and not worst[1] <= rtol:  # `not <=` also catches NaN
        name, err, index, g, g_fd = worst
        raise AssertionError(
            f"gradient check failed worst at {name} entry {tuple(int(i) for i in index)}: "
            f"analytic {g:.10g}, finite difference {g_fd:.10g}, error {err:.3g} > rtol {rtol:g} "
            f"(atol {atol:g}). Max error per array: "
            + ", ".join(f"{n}: {e:.2g}" for n, e in errors.items()))
    return errors
