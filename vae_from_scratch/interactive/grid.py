"""A Python callable evaluated on every combination of slider values, its outputs sorted by kind.

The table explorer's page only looks results up, so whatever the callable computes (an ELBO, a
KL gap, a decoded image, a curve) is computed once, here, by the package. What the callable
returns for each output decides how it is drawn:

- a number                       → a bar with its value printed,
- a 2-D array, values in [0, 1]  → a grey image (or uint8 0..255),
- a 1-D array ``y``              → a line plot of y against 0, 1, 2, …,
- a tuple ``(x, y)`` of 1-D arrays of one length → a line plot of y against x.
"""
import itertools
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Output:
    """One named output at one grid point: kind is "bar", "image" or "line"; value its array(s)."""

    name: str
    kind: str
    value: object


def check_sliders(sliders):
    """``sliders`` as a list of (name, values); each needs at least one value."""
    if not isinstance(sliders, dict) or not sliders:
        raise ValueError("sliders must be a non-empty dict {name: sequence of values}, e.g. {'beta': [0.5, 1, 2]}")
    checked = []
    for name, values in sliders.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"slider name {name!r} must be a Python identifier: it is passed as a keyword argument")
        values = list(values.tolist() if isinstance(values, np.ndarray) else values)
        if not values:
            raise ValueError(f"slider {name!r} has no values; give it at least one")
        checked.append((name, values))
    return checked


def value_label(value):
    """How a slider value is shown: strings as given, numbers to four significant digits."""
    if isinstance(value, str):
        return value
    return f"{float(value):.4g}"


def classify(name, result, where):
    """The :class:`Output` for one value returned by the callable, or a ValueError saying why not."""
    if isinstance(result, tuple):
        if len(result) != 2:
            raise ValueError(
                f"output {name!r} {where}: a tuple must be (x, y) for a line plot, got {len(result)} items"
            )
        x, y = (np.asarray(part, dtype=np.float64) for part in result)
        if x.ndim != 1 or x.shape != y.shape or x.size < 2:
            raise ValueError(
                f"output {name!r} {where}: a line (x, y) needs two 1-D arrays of one length ≥ 2, "
                f"got shapes {x.shape} and {y.shape}"
            )
        return Output(name, "line", (finite(name, x, where), finite(name, y, where)))
    array = np.asarray(result)
    if array.ndim == 0:
        return Output(name, "bar", finite(name, array.astype(np.float64), where))
    if array.ndim == 1:
        if array.size < 2:
            raise ValueError(f"output {name!r} {where}: a line plot needs at least 2 points")
        y = finite(name, array.astype(np.float64), where)
        return Output(name, "line", (np.arange(y.size, dtype=np.float64), y))
    if array.ndim == 2:
        if array.dtype == np.uint8:
            return Output(name, "image", array)
        image = finite(name, array.astype(np.float64), where)
        if image.min() < 0.0 or image.max() > 1.0:
            raise ValueError(
                f"output {name!r} {where}: image values must lie in [0, 1] (or be uint8), "
                f"got [{image.min():g}, {image.max():g}]; rescale it first"
            )
        return Output(name, "image", image)
    raise ValueError(
        f"output {name!r} {where}: got an array of shape {array.shape}; return a number, a 1-D curve, "
        "an (x, y) tuple or a 2-D grey image"
    )


def finite(name, array, where):
    if not np.all(np.isfinite(array)):
        raise ValueError(f"output {name!r} {where} is not finite: {array}")
    return array


def evaluate(compute, settings, where):
    """The callable's outputs at one setting ``{name: value}``, classified, in the callable's order."""
    results = compute(**settings)
    if not isinstance(results, dict) or not results:
        raise ValueError(
            f"compute must return a non-empty dict {{name: output}}; {where} it returned {type(results).__name__}"
        )
    return [classify(str(name), value, where) for name, value in results.items()]


@dataclass(frozen=True)
class Grid:
    """Every output at every grid point, points in C order over the sliders (last slider fastest)."""

    sliders: list  # [(name, values)]
    outputs: list  # per point, a list of Output, same names, kinds and shapes at every point

    @property
    def shape(self):
        return tuple(len(values) for _, values in self.sliders)


def evaluate_grid(sliders, compute):
    """Call ``compute(**setting)`` at every combination of slider values; check outputs agree."""
    sliders = check_sliders(sliders)
    names = [name for name, _ in sliders]
    points = []
    for combination in itertools.product(*(values for _, values in sliders)):
        settings = dict(zip(names, combination))
        where = "at " + ", ".join(f"{k}={value_label(v)}" for k, v in settings.items())
        outputs = evaluate(compute, settings, where)
        if points:
            check_same_layout(points[0], outputs, where)
        points.append(outputs)
    return Grid(sliders, points)


def check_same_layout(first, outputs, where):
    layout = lambda outs: [(o.name, o.kind, shape_of(o)) for o in outs]  # noqa: E731
    if layout(first) != layout(outputs):
        raise ValueError(
            f"compute returned {layout(outputs)} {where} but {layout(first)} at the first point; "
            "every grid point must return the same names, kinds and shapes"
        )


def shape_of(output):
    return output.value[0].shape if output.kind == "line" else np.shape(output.value)
