"""The minibatch training loop of AEVB (Algorithm 1 of Kingma & Welling), with its bookkeeping.

Algorithm 1:  repeat { X^M ← random minibatch of M points;  ε ← random samples of p(ε);
                       g ← ∇_{θ,φ} L̃^M(θ, φ; X^M, ε);  update θ, φ with g }  until convergence.

The minibatch estimator, eq. (8), estimates the bound on the whole dataset of N points,
L(θ, φ; X) ≈ (N / M) Σ_{i=1}^{M} L̃(θ, φ; x⁽ⁱ⁾). We optimise that divided by N — the minibatch
MEAN (1/M) Σ_i L̃(θ, φ; x⁽ⁱ⁾) — the same direction, with a step size that does not depend on N,
and the number every curve reports: "nats per datapoint".

MAP (the paper's weight decay): the paper maximises L(X) + log p(θ) with p(θ) = N(0, I), which
per datapoint is mean_batch L̃ + (1/N) log p(θ). ``weight_decay = λ`` adds (λ/N) · log p(θ)
(:func:`~vae_from_scratch.objectives.log_weight_prior`, −½ Σ w²); λ = 1 is exactly the paper's N(0, I) prior, and the
gradient adds −(λ/N) w to each weight's ascent direction. The reported bounds never include it.
"""
import math
import time
from dataclasses import asdict, dataclass, field

import autograd
import autograd.numpy as anp
import numpy as np
from tqdm.auto import tqdm

from .data import binarize, binarize_static, check_data
from .objectives import LIKELIHOODS, elbo_estimator_b, sample_eps
from .optim import Adam, Optimizer

BINARIZATIONS = ("dynamic", "static", None)
GRADIENTS = ("manual", "autograd")
# Independent random streams, derived from the seed, for what must not disturb training's stream.
EVAL_TRAIN_STREAM, EVAL_NOISE_STREAM, EVAL_TEST_STREAM = 1, 2, 3


class TrainingDiverged(FloatingPointError):
    """The bound became NaN or infinite during training."""


class Records:
    """Per-epoch records as lists of one entry per epoch; subclasses are dataclasses of list fields."""

    def __len__(self):
        return len(self.epoch)

    def as_dict(self):
        return {key: list(value) for key, value in asdict(self).items()}

    def append(self, **record):
        for key, value in record.items():
            getattr(self, key).append(value)


@dataclass
class History(Records):
    """Per-epoch records of a training run; every list has one entry per epoch.

    ``train_bound``/``test_bound``: estimator B (eq. 7, β = 1) averaged over the whole training /
    test set, in nats per datapoint, on the fixed evaluation copy of the data (NaN when there
    is no test set). ``running_bound``: the mean of the minibatch objectives during the epoch
    (cheap but stale). ``samples_seen``: training datapoints processed so far (Fig. 2's x-axis).
    """

    epoch: list = field(default_factory=list)
    train_bound: list = field(default_factory=list)
    test_bound: list = field(default_factory=list)
    running_bound: list = field(default_factory=list)
    samples_seen: list = field(default_factory=list)
    seconds: list = field(default_factory=list)


# ----------------------------------------------------------------------------- checks

def _check_count(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer ≥ {minimum}, got {value!r}")
    return int(value)


def _check_nonnegative(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) \
            or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")
    return float(value)


def checked_optimizer(optimizer, default_learning_rate):
    """``optimizer``, or Adam at ``default_learning_rate`` when it is None."""
    optimizer = Adam(default_learning_rate) if optimizer is None else optimizer
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an optimizer from vae_from_scratch.optim (SGD, Adagrad, Adam), "
                        f"got {type(optimizer).__name__}")
    return optimizer


def descend(params, optimizer, steps, loss_and_grads, record_every=1):
    """Minimise a loss in place by ``steps`` optimizer steps, each on its own random minibatch.

    ``loss_and_grads(step)`` draws the step's minibatch (and noise) and returns the loss there and
    its gradients with respect to ``params``. Returns the losses of every ``record_every``-th step
    (an array). Raises :class:`TrainingDiverged` naming the step where the loss stops being finite.
    """
    history = []
    for step in range(int(steps)):
        value, grads = loss_and_grads(step)
        if not math.isfinite(value):
            raise TrainingDiverged(f"the loss became {value} at step {step}; try a smaller learning rate")
        if step % record_every == 0:
            history.append(float(value))
        optimizer.step(params, grads)
    return np.array(history)


def resolve_binarization(binarization, likelihood):
    """"auto" means "dynamic" for Bernoulli data and None (raw intensities) for Gaussian data."""
    if likelihood not in LIKELIHOODS:
        raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {likelihood!r}")
    if binarization == "auto":
        return "dynamic" if likelihood == "bernoulli" else None
    if binarization not in BINARIZATIONS:
        raise ValueError(f"binarization must be 'dynamic', 'static', None or 'auto', got {binarization!r}")
    if likelihood == "gaussian" and binarization is not None:
        raise ValueError("binarization applies to Bernoulli data; use binarization=None with "
                         "likelihood='gaussian'")
    return binarization


def param_dims(params):
    """(D, J): data and latent dimensions of VAE parameters ``(encoder_params, decoder_params)``."""
    encoder_params, _ = params
    return encoder_params[0][0].shape[0], encoder_params[-1][0].shape[1]


# ----------------------------------------------------------------------------- evaluation

def evaluation_copy(x, binarization, seed, stream=EVAL_TRAIN_STREAM):
    """The fixed version of ``x`` that bounds are reported on, the same at every epoch.

    Dynamic binarization samples ONE binary copy (from its own seeded stream) so that the
    per-epoch numbers differ only because the model changed.
    """
    if binarization == "dynamic":
        return binarize(x, np.random.default_rng([seed, stream]))
    if binarization == "static":
        return binarize_static(x)
    return x


def dataset_bound(params, x, likelihood="bernoulli", seed=0, batch_size=1000, n_samples=1):
    """Estimator B of the ELBO (eq. 7, β = 1) averaged over all of ``x``: nats per datapoint.

    The noise comes from ``default_rng([seed, 2])``: the same ε at every call, so successive
    evaluations of a changing model are compared on equal terms.
    """
    _, J = param_dims(params)
    rng = np.random.default_rng([seed, EVAL_NOISE_STREAM])
    total = 0.0
    for start in range(0, len(x), batch_size):
        batch = x[start:start + batch_size]
        eps = sample_eps(rng, n_samples, len(batch), J, batch.dtype)
        total += float(np.sum(elbo_estimator_b(params, batch, eps, likelihood)))
    return total / len(x)


# ----------------------------------------------------------------------------- gradients

def _add_weight_decay(descent_grads, params, scale):
    # d/dw of −(λ/N)·(−½ Σ w²) = (λ/N) w, added to the gradient of the loss.
    for net_g, net_p in zip(descent_grads, params):
        for (gW, gb), (W, b) in zip(net_g, net_p):
            gW += scale * W
            gb += scale * b


def make_loss_and_grad(likelihood="bernoulli", beta=1.0, gradients="manual", activation="tanh"):
    """``f(params, x, eps) -> (mean bound, gradient of the loss)``: the loss is −mean L̃ᴮ.

    gradients="manual": the hand-derived backward pass of :mod:`vae_from_scratch.backprop`
    (faster); "autograd": ``autograd.value_and_grad`` of ``−mean(elbo_estimator_b)``.
    Both give the same numbers to rounding error.
    """
    if gradients not in GRADIENTS:
        raise ValueError(f"gradients must be one of {GRADIENTS}, got {gradients!r}")
    if gradients == "manual":
        from .backprop import elbo_b_value_and_grad  # lazy: the autograd path needs none of it

        def manual(params, x, eps):
            value, grads = elbo_b_value_and_grad(params, x, eps, likelihood, beta, activation)
            for net in grads:  # the backward pass returns the ascent direction: negate in place
                for gW, gb in net:
                    np.negative(gW, out=gW)
                    np.negative(gb, out=gb)
            return float(value), grads

        return manual
    if activation != "tanh":
        raise ValueError("gradients='autograd' goes through objectives.elbo_estimator_b, whose MLPs "
                         "use tanh (App. C); use gradients='manual' for other activations")

    def loss(params, x, eps):
        return -anp.mean(elbo_estimator_b(params, x, eps, likelihood, beta))

    loss_and_grad = autograd.value_and_grad(loss)

    def automatic(params, x, eps):
        value, grads = loss_and_grad(params, x, eps)
        return -float(value), grads

    return automatic


# ----------------------------------------------------------------------------- the loop

def run_epochs(params, x_train, x_test, step, *, epochs, batch_size, likelihood, binarization,
               seed, progress, callbacks, history, eval_batch_size, advice, desc="training"):
    """The loop shared by AEVB and wake-sleep: shuffle, minibatch, ``step``, evaluate, record.

    ``step(params, x_batch, rng) -> float`` updates ``params`` in place and returns the batch's
    objective (used for the running bound and the divergence check). ``x_train``/``x_test`` are
    already checked; ``binarization`` already resolved.
    """
    history = History() if history is None else history
    rng = np.random.default_rng(seed)
    n = len(x_train)
    batch_size = min(batch_size, n)
    steps = math.ceil(n / batch_size)
    train_fixed = binarize_static(x_train) if binarization == "static" else x_train
    train_eval = evaluation_copy(x_train, binarization, seed)
    test_eval = None if x_test is None else evaluation_copy(x_test, binarization, seed, EVAL_TEST_STREAM)
    first_epoch = history.epoch[-1] + 1 if len(history) else 1
    seen = history.samples_seen[-1] if len(history) else 0

    bar = tqdm(total=epochs * steps, disable=not progress, unit="batch", desc=desc, leave=True)
    try:
        for epoch in range(first_epoch, first_epoch + epochs):
            start_time = time.perf_counter()
            order = rng.permutation(n)
            running = 0.0
            for s in range(steps):
                batch = train_fixed[order[s * batch_size:(s + 1) * batch_size]]  # (M, D)
                if binarization == "dynamic":
                    batch = binarize(batch, rng)
                with np.errstate(over="ignore", invalid="ignore"):  # divergence is checked below
                    value = step(params, batch, rng)
                if not math.isfinite(value):
                    raise TrainingDiverged(
                        f"training diverged at epoch {epoch}, step {s + 1} of {steps}: the minibatch "
                        f"objective became {value}. {advice}")
                running += value * len(batch)
                bar.update(1)
            seen += n
            with np.errstate(over="ignore", invalid="ignore"):  # a diverged model is reported just below
                train_bound = dataset_bound(params, train_eval, likelihood, seed, eval_batch_size)
                test_bound = (math.nan if test_eval is None
                              else dataset_bound(params, test_eval, likelihood, seed, eval_batch_size))
            if not math.isfinite(train_bound):
                raise TrainingDiverged(f"training diverged in epoch {epoch}: the training bound "
                                       f"is {train_bound}. {advice}")
            history.append(epoch=epoch, train_bound=train_bound, test_bound=test_bound,
                           running_bound=running / n, samples_seen=seen,
                           seconds=time.perf_counter() - start_time)
            bar.set_postfix(train=f"{train_bound:.2f}", test=f"{test_bound:.2f}")
            if any([callback(epoch, params, history) for callback in callbacks]):
                break
    finally:
        bar.close()
    return history


def check_fit_arguments(params, x_train, x_test, *, epochs, batch_size, likelihood, binarization):
    """Validate what every training entry point takes; returns (x_train, x_test, binarization)."""
    epochs = _check_count("epochs", epochs)
    _check_count("batch_size", batch_size)
    binarization = resolve_binarization(binarization, likelihood)
    D, _ = param_dims(params)
    dtype = params[0][0][0].dtype
    bernoulli = likelihood == "bernoulli"
    x_train = check_data(x_train, "x_train", D, bernoulli).astype(dtype, copy=False)
    if x_test is not None:
        x_test = check_data(x_test, "x_test", D, bernoulli).astype(dtype, copy=False)
    return x_train, x_test, binarization


def fit(params, x_train, x_test=None, *, epochs=10, batch_size=100, optimizer=None,
        likelihood="bernoulli", n_samples=1, beta=1.0, weight_decay=0.0, binarization="auto",
        gradients="manual", activation="tanh", seed=0, progress=True, callbacks=(), history=None,
        eval_batch_size=1000):
    """Train VAE ``params = (encoder_params, decoder_params)`` in place by AEVB; returns a History.

    Each step draws a minibatch of ``batch_size`` points (a fresh shuffle every epoch), ε of
    shape (n_samples, M, J), and ascends the minibatch mean of estimator B (eq. 7; β-weighted KL
    if ``beta`` ≠ 1), plus the MAP term if ``weight_decay`` > 0 (see the module docstring).

    optimizer:    an :mod:`vae_from_scratch.optim` optimizer; default ``Adam(1e-3)``.
    binarization: "dynamic" (resample binary pixels every minibatch), "static" (threshold 0.5),
                  None (train on the intensities as given), or "auto" (dynamic for Bernoulli,
                  None for Gaussian).
    gradients:    "manual" (hand-derived backprop, faster) or "autograd".
    callbacks:    functions ``callback(epoch, params, history)`` called after every epoch;
                  one returning True stops training.
    history:      a History to append to (epochs continue its numbering).

    Same ``seed`` and inputs → bitwise-identical weights. Raises :class:`TrainingDiverged` if the
    objective becomes NaN or infinite.
    """
    x_train, x_test, binarization = check_fit_arguments(
        params, x_train, x_test, epochs=epochs, batch_size=batch_size, likelihood=likelihood,
        binarization=binarization)
    n_samples = _check_count("n_samples", n_samples)
    beta = _check_nonnegative("beta", beta)
    weight_decay = _check_nonnegative("weight_decay", weight_decay)
    optimizer = checked_optimizer(optimizer, 1e-3)
    loss_and_grad = make_loss_and_grad(likelihood, beta, gradients, activation)
    _, J = param_dims(params)
    decay_scale = weight_decay / len(x_train)

    def step(params, batch, rng):
        eps = sample_eps(rng, n_samples, len(batch), J, batch.dtype)  # (L, M, J)
        value, grads = loss_and_grad(params, batch, eps)
        if decay_scale:
            _add_weight_decay(grads, params, decay_scale)
        optimizer.step(params, grads)
        return value

    advice = (f"Try a smaller learning rate (now {optimizer.lr:g}), e.g. {optimizer.lr / 10:g}.")
    return run_epochs(params, x_train, x_test, step, epochs=epochs, batch_size=batch_size,
                      likelihood=likelihood, binarization=binarization, seed=seed,
                      progress=progress, callbacks=callbacks, history=history,
                      eval_batch_size=eval_batch_size, advice=advice)
