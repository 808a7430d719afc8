"""Stochastic gradient optimizers on nested lists of arrays: SGD, Adagrad, Adam.

Parameters are what the rest of the package uses: nested lists and tuples of NumPy arrays,
e.g. ``(encoder_params, decoder_params)`` with each a list of ``(W, b)``. ``grads`` has the same
structure (what ``autograd.grad`` returns). ``step(params, grads)`` performs one DESCENT update
``w ← w − (step)`` on every array in place — tuples cannot be reassigned, but the arrays they hold
can be written into — so the caller's parameter structure is updated without being rebuilt.

AEVB ascends the lower bound; hand these optimizers the gradient of the LOSS (the negative bound).

State (running sums, moments) is allocated on the first step, one array per parameter, in the
parameter's dtype: float32 parameters stay float32 (all constants are Python floats).
Updating array by array is about twice as fast as flattening every parameter into one vector.
"""
import math
import numbers

import numpy as np


def _leaves(tree):
    """The arrays of a nested list/tuple structure, depth first, in a fixed order."""
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _leaves(item)]
    return [tree]


def _check_positive(name, value):
    if isinstance(value, bool) or not (isinstance(value, numbers.Real) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def _check_unit_interval(name, value):
    if isinstance(value, bool) or not (isinstance(value, numbers.Real) and 0.0 <= value < 1.0):
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


class Optimizer:
    """Shared bookkeeping: pairs parameters with gradients and allocates state on first use."""

    def __init__(self, lr):
        self.lr = _check_positive("lr (the learning rate)", lr)
        self.t = 0  # number of steps taken
        self.state = None  # list of per-parameter state, allocated by the first step

    def _pairs(self, params, grads):
        ps, gs = _leaves(params), _leaves(grads)
        if len(ps) != len(gs):
            raise ValueError(f"grads must have the structure of params: {len(ps)} parameter "
                             f"arrays but {len(gs)} gradient arrays")
        for i, (p, g) in enumerate(zip(ps, gs)):
            if getattr(p, "shape", None) != getattr(g, "shape", None):
                raise ValueError(f"gradient {i} has shape {getattr(g, 'shape', None)}, "
                                 f"its parameter {getattr(p, 'shape', None)}")
        if self.state is not None and len(self.state) != len(ps):
            raise ValueError("this optimizer was used with different parameters; "
                             "make a new optimizer for a new model")
        return ps, gs

    def step(self, params, grads):
        ps, gs = self._pairs(params, grads)
        if self.state is None:
            self.state = [self._init_state(p) for p in ps]
        self.t += 1
        for p, g, s in zip(ps, gs, self.state):
            self._update(p, g, s)
        return params

    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k not in ("t", "state"))
        return f"{type(self).__name__}({fields})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (heavy-ball) momentum.

        v ← μ v + g
        w ← w − η v

    With μ = 0 this is plain SGD, w ← w − η g. (The momentum form is PyTorch's.)
    """

    def __init__(self, lr, momentum=0.0):
        super().__init__(lr)
        self.momentum = _check_unit_interval("momentum", momentum)

    def _init_state(self, p):
        return p * 0.0 if self.momentum else None  # zeros in p's dtype

    def _update(self, p, g, v):
        if v is None:
            p -= self.lr * g
            return
        v *= self.momentum
        v += g
        p -= self.lr * v


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer, 2011), the optimizer of Kingma & Welling §5.

        G ← G + g ⊙ g                 (running sum of squared gradients, per weight)
        w ← w − η g / (√G + ε)

    Each weight's step shrinks with the total gradient it has seen; the paper picks the global
    step size η from {0.01, 0.02, 0.1}.
    """

    def __init__(self, lr, eps=1e-8):
        super().__init__(lr)
        self.eps = _check_positive("eps", eps)

    def _init_state(self, p):
        return p * 0.0

    def _update(self, p, g, G):
        G += g * g
        step = np.sqrt(G)
        step += self.eps
        np.divide(g, step, out=step)
        step *= self.lr
        p -= step


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), the default for the book's experiments.

        m ← β₁ m + (1 − β₁) g              (first moment)
        v ← β₂ v + (1 − β₂) g ⊙ g          (second moment)
        m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)   (bias corrections, t = step number from 1)
        w ← w − η m̂ / (√v̂ + ε)
    """

    def __init__(self, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
        super().__init__(lr)
        self.b1 = _check_unit_interval("b1", b1)
        self.b2 = _check_unit_interval("b2", b2)
        self.eps = _check_positive("eps", eps)

    def _init_state(self, p):
        # m, v, and a scratch array: every pass below writes into memory that already exists,
        # because allocating fresh temporaries each step costs more than the arithmetic here.
        return p * 0.0, p * 0.0, p * 0.0

    def _update(self, p, g, state):
        m, v, scratch = state
        m *= self.b1
        np.multiply(g, 1.0 - self.b1, out=scratch)
        m += scratch  # m ← β₁ m + (1 − β₁) g
        v *= self.b2
        np.multiply(g, g, out=scratch)
        scratch *= 1.0 - self.b2
        v += scratch  # v ← β₂ v + (1 − β₂) g²
        np.divide(v, 1.0 - self.b2 ** self.t, out=scratch)
        np.sqrt(scratch, out=scratch)  # √v̂
        scratch += self.eps
        np.divide(m, scratch, out=scratch)
        scratch *= self.lr / (1.0 - self.b1 ** self.t)  # η m̂ / (√v̂ + ε)
        p -= scratch


OPTIMIZERS = {"sgd": SGD, "adagrad": Adagrad, "adam": Adam}
DEFAULT_LR = {"sgd": 0.01, "adagrad": 0.02, "adam": 1e-3}


def make_optimizer(name, lr=None):
    """An optimizer by name ("sgd", "adagrad", "adam"); ``lr=None`` uses DEFAULT_LR[name]."""
    if isinstance(name, Optimizer):
        if lr is not None:
            raise ValueError("pass lr either to the optimizer object or here, not both")
        return name
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)} or an Optimizer, got {name!r}")
    return OPTIMIZERS[name](DEFAULT_LR[name] if lr is None else lr)
