"""A conditional VAE: q_φ(z|x, y) and p_θ(x|z, y), with the label y given to both networks.

The model of Sohn, Lee & Yan (2015) with their prior network replaced by the unconditional prior
N(0, I) (the choice of Kingma et al. 2014's model M2, which Sohn et al. mention as a valid
relaxation):

    generative   y given,  z ~ N(0, I)  (independent of y),
                 x ~ Bernoulli(sigmoid(f_θ([z, onehot(y)])))      a Bernoulli MLP of (z, y)
    inference    z ~ N(μ_φ([x, onehot(y)]), diag σ²_φ([x, onehot(y)]))   a Gaussian MLP of (x, y)

``params = (encoder_params, decoder_params)``, each an MLP parameter list of
:mod:`vae_from_scratch.nn` (lists of ``(W, b)``). The networks are those of the VAE
(:func:`vae_from_scratch.models.vae.init_vae_params`) with K more inputs each: the encoder reads
the concatenation [x, onehot(y)] (D + K numbers), the decoder [z, onehot(y)] (J + K numbers).
Labels are integers 0, …, K − 1.

The conditional ELBO, estimator B (the paper's eq. 7 with y carried along):

    L(θ, φ; x, y) = E_{q_φ(z|x,y)}[log p_θ(x|z, y)] − KL(q_φ(z|x, y) ‖ N(0, I))  ≤  log p_θ(x|y).

Because the first layer is linear, W·[z, onehot(y)] + b = W_z z + (b + W_y[y]): fixing the label
gives an ordinary decoder of z alone with the same weights, :func:`decoder_for_label`, which is
what the book's latent explorer runs for each class.
"""
import math

import autograd
import autograd.numpy as anp
import numpy as np

from scipy.special import logsumexp

from ..data import binarize, check_data
from ..distributions import (analytic_gaussian_kl, log_bernoulli, log_normal,
                             log_standard_normal, reparameterize, softplus)
from ..nn import bernoulli_mlp, gaussian_mlp, init_gaussian_mlp, init_mlp, sigmoid
from ..quadrature import grid_points, midpoint_nodes
from ..train import EVAL_NOISE_STREAM, EVAL_TEST_STREAM, EVAL_TRAIN_STREAM, History, TrainingDiverged, checked_optimizer

__all__ = ["check_labels", "one_hot", "init_cvae_params", "dims", "encode", "decoder_logits", "cvae_terms",
           "cvae_elbo", "posterior", "decode", "sample", "transfer", "decoder_for_label", "dataset_bound",
           "loss_and_grad", "fit_cvae", "class_bounds", "marginal_bound", "quadrature_terms",
           "nearest_centroid", "label_information", "image_moments"]


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


# ----------------------------------------------------------------------------- labels

def check_labels(y, n_classes, n=None, name="y"):
    """``y`` as a 1-D int64 array of labels in {0, …, n_classes − 1}, or an error saying what is wrong.

    ``n``: the number of rows the labels must match (one label per image), if given.
    """
    n_classes = _positive_int("n_classes", n_classes)
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == n_classes and np.all((y == 0) | (y == 1)):
        raise ValueError(f"{name} looks one-hot encoded (shape {y.shape}); pass the integer labels "
                         f"0..{n_classes - 1} instead, e.g. y.argmax(axis=1)")
    if y.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of integer labels, one per image, got shape {y.shape}")
    if y.size == 0:
        raise ValueError(f"{name} is empty")
    if not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.floating)):
        raise TypeError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    if np.issubdtype(y.dtype, np.floating):
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            bad = y[~np.isfinite(y) | (y != np.round(y))][0].item()
            raise ValueError(f"{name} must hold whole-number class labels, found {bad!r}")
    if y.min() < 0 or y.max() >= n_classes:
        bad = y[(y < 0) | (y >= n_classes)][0].item()
        raise ValueError(f"label {bad!r} is out of range: this model has n_classes = {n_classes}, "
                         f"so labels run from 0 to {n_classes - 1}")
    if n is not None and len(y) != n:
        raise ValueError(f"{name} has {len(y)} labels but there are {n} images; give one label per image")
    return y.astype(np.int64)


def one_hot(y, n_classes, dtype=np.float64):
    """onehot(y): (N, K) with a 1 in column y_n of row n and 0 elsewhere; labels checked."""
    y = check_labels(y, n_classes)
    out = np.zeros((len(y), n_classes), dtype=dtype)
    out[np.arange(len(y)), y] = 1.0
    return out


# ----------------------------------------------------------------------------- parameters

def init_cvae_params(x_dim, n_classes, latent_dim, hidden, rng, init="glorot", dtype=np.float64):
    """``(encoder_params, decoder_params)``: a Gaussian MLP (D + K) → J and a Bernoulli MLP (J + K) → D.

    hidden: the hidden layer sizes of both networks (tanh, App. C).
    """
    x_dim = _positive_int("x_dim", x_dim)
    n_classes = _positive_int("n_classes", n_classes)
    latent_dim = _positive_int("latent_dim", latent_dim)
    if isinstance(hidden, (int, np.integer)):
        hidden = (hidden,)
    hidden = [_positive_int("every hidden layer size", h) for h in hidden]
    encoder = init_gaussian_mlp(x_dim + n_classes, hidden, latent_dim, rng, init, dtype)
    decoder = init_mlp([latent_dim + n_classes, *hidden, x_dim], rng, init, dtype)
    return (encoder, decoder)


def dims(params):
    """(D, K, J): data dimension, number of classes and latent dimension of CVAE ``params``."""
    encoder, decoder = params
    J = encoder[-1][0].shape[1]
    K = decoder[0][0].shape[0] - J
    D = encoder[0][0].shape[0] - K
    if K < 1 or D < 1 or decoder[-1][0].shape[1] != D:
        raise ValueError("params are not a CVAE's (encoder, decoder): the encoder must take D + K "
                         "inputs and the decoder J + K inputs and give D outputs")
    return D, K, J


# ----------------------------------------------------------------------------- the two networks

def encode(encoder_params, x, y_onehot):
    """q_φ(z|x, y) = N(mean, diag exp(log_var)): the encoder read on [x, onehot(y)]; each (batch, J)."""
    return gaussian_mlp(encoder_params, anp.concatenate([x, y_onehot], axis=-1))


def decoder_logits(decoder_params, z, y_onehot):
    """Logits of p_θ(x|z, y) for z (..., batch, J) and onehot(y) (batch, K): (..., batch, D).

    Leading sample axes of z broadcast: the label is the same for every sample of one datapoint.
    """
    y_onehot = np.broadcast_to(y_onehot, anp.shape(z)[:-1] + (np.shape(y_onehot)[-1],))
    return bernoulli_mlp(decoder_params, anp.concatenate([z, y_onehot], axis=-1))


def cvae_terms(params, x, y_onehot, eps):
    """The two terms of the conditional ELBO, each of shape (batch,).

    "reconstruction":  (1/L) Σ_l log p_θ(x | z_l, y),  z_l = μ + σ ⊙ ε_l
    "kl":              KL(q_φ(z|x, y) ‖ N(0, I)), analytic (App. B)
    ``eps`` holds the L draws of ε, shape (L, batch, J).
    """
    encoder_params, decoder_params = params
    if anp.ndim(eps) == 2:  # (batch, J) is the L = 1 case of (L, batch, J)
        eps = eps[None]
    mean, log_var = encode(encoder_params, x, y_onehot)  # [x, onehot(y)] in
    z = reparameterize(mean, log_var, eps)  # (L, batch, J)
    logits = decoder_logits(decoder_params, z, y_onehot)  # [z, onehot(y)] in
    reconstruction = anp.mean(log_bernoulli(x, logits), axis=0)
    kl = analytic_gaussian_kl(mean, log_var)
    return {"reconstruction": reconstruction, "kl": kl}


def cvae_elbo(params, x, y_onehot, eps, beta=1.0):
    """Estimator B of the conditional ELBO for each datapoint, (batch,) nats:

        L̃(θ, φ; x, y) = (1/L) Σ_l log p_θ(x | z_l, y) − β · KL(q_φ(z|x, y) ‖ N(0, I)),

    a lower bound on log p_θ(x|y) in expectation when β = 1. ``eps`` (L, batch, J) or (batch, J).
    """
    t = cvae_terms(params, x, y_onehot, eps)
    return t["reconstruction"] - beta * t["kl"]


def _checked_xy(params, x, y, name="x"):
    D, K, _ = dims(params)
    dtype = params[0][0][0].dtype
    x = check_data(x, name, D, bernoulli=True).astype(dtype, copy=False)
    y = check_labels(y, K, len(x), "y" if name == "x" else name.replace("x", "y"))
    return x, y, one_hot(y, K, dtype)


def _checked_z(params, z):
    _, _, J = dims(params)
    z = np.asarray(z, dtype=params[0][0][0].dtype)
    if z.ndim != 2 or z.shape[1] != J:
        raise ValueError(f"z must have shape (N, {J}) for this model (latent_dim = {J}), got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("z contains NaN or infinite values")
    return z


def posterior(params, x, y):
    """``(mean, log_var)`` of q_φ(z|x, y) for images x (N, D) with labels y (N,): each (N, J)."""
    x, _, y_onehot = _checked_xy(params, x, y)
    return encode(params[0], x, y_onehot)


def decode(params, z, y):
    """Pixel probabilities sigmoid(f_θ([z, onehot(y)])) for z (N, J) and labels y (N,) or one label."""
    D, K, _ = dims(params)
    z = _checked_z(params, z)
    y = np.full(len(z), y) if np.ndim(y) == 0 else np.asarray(y)
    y = check_labels(y, K, len(z))
    return sigmoid(decoder_logits(params[1], z, one_hot(y, K, z.dtype)))


def sample(params, y, rng=0):
    """Class-conditional samples: z ~ N(0, I) for each label in ``y`` (n,), decoded with that label.

    Returns ``(images (n, D), z (n, J))``; the images are decoder means.
    """
    _, K, J = dims(params)
    y = np.atleast_1d(np.asarray(y))
    y = check_labels(y, K)
    z = np.random.default_rng(rng).standard_normal((len(y), J))
    return decode(params, z, y), z


def transfer(params, x, y, target):
    """Style transfer: encode x with its label y (posterior mean), decode with the label ``target``.

    ``target`` is one label or (N,) labels. Returns the decoder means (N, D).
    """
    mean, _ = posterior(params, x, y)
    return decode(params, mean, target)


def decoder_for_label(decoder_params, label, latent_dim):
    """The decoder of z alone for one fixed label: ``[(W_z, b + W_y[label]), later layers...]``.

    The first layer sees [z, onehot(y)]; splitting its weights W = [W_z; W_y] (rows for z, then
    for the K label inputs) gives W·[z, onehot(y)] + b = W_z z + (b + W_y[y]). The result is a
    plain MLP of z (what :func:`vae_from_scratch.interactive.latent_explorer` takes) that computes
    exactly what the CVAE's decoder computes for that label.
    """
    latent_dim = _positive_int("latent_dim", latent_dim)
    (W, b), *rest = decoder_params
    n_classes = W.shape[0] - latent_dim
    label = int(check_labels(np.array([label]), n_classes, name="label")[0])
    W_z, W_y = W[:latent_dim], W[latent_dim:]
    return [(W_z.copy(), b + W_y[label])] + [(Wk.copy(), bk.copy()) for Wk, bk in rest]


# ----------------------------------------------------------------------------- training

def dataset_bound(params, x, y, seed=0, batch_size=1000, n_samples=1):
    """Estimator B of the conditional ELBO averaged over all of (x, y): nats per datapoint.

    Uses the noise stream ``default_rng([seed, 2])``, the same at every call (as
    :func:`vae_from_scratch.train.dataset_bound` does for the VAE).
    """
    x, _, y_onehot = _checked_xy(params, x, y)
    _, _, J = dims(params)
    rng = np.random.default_rng([seed, EVAL_NOISE_STREAM])
    total = 0.0
    for start in range(0, len(x), batch_size):
        batch, labels = x[start:start + batch_size], y_onehot[start:start + batch_size]
        eps = rng.standard_normal((n_samples, len(batch), J)).astype(x.dtype)
        total += float(np.sum(cvae_elbo(params, batch, labels, eps)))
    return total / len(x)


def _loss(params, x, y_onehot, eps, beta):
    return -anp.mean(cvae_elbo(params, x, y_onehot, eps, beta))


_loss_and_grad = autograd.value_and_grad(_loss)


def loss_and_grad(params, x, y_onehot, eps, beta=1.0):
    """``(loss, gradient)`` of the loss −mean L̃ (the negative conditional ELBO), by autograd.

    The gradient has the structure of ``params``; hand it to an optimizer's ``step``.
    """
    return _loss_and_grad(params, x, y_onehot, eps, beta)


def fit_cvae(params, x_train, y_train, x_test=None, y_test=None, *, epochs=10, batch_size=100,
             optimizer=None, beta=1.0, binarization="dynamic", seed=0, callbacks=(), history=None):
    """Train CVAE ``params`` in place by ascending the conditional ELBO (estimator B, L = 1).

    Algorithm 1 of the paper with the labels carried along: each step draws a minibatch of
    (image, label) pairs, ε ~ N(0, I), and takes an optimizer step on the gradient of
    −mean L̃(θ, φ; x, y) (autograd). ``binarization``: "dynamic" (fresh binary pixels every
    minibatch; the bounds are then reported on one fixed binarized copy) or None.
    ``callbacks``: functions ``callback(epoch, params, history)``; one returning True stops.

    Returns a :class:`vae_from_scratch.train.History` (train and test bounds per epoch, nats).
    Same seed and inputs → identical weights. Raises TrainingDiverged on a NaN objective.
    """
    epochs = _positive_int("epochs", epochs)
    batch_size = _positive_int("batch_size", batch_size)
    if binarization not in ("dynamic", None):
        raise ValueError(f"binarization must be 'dynamic' or None, got {binarization!r}")
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not math.isfinite(beta) or beta < 0:
        raise ValueError(f"beta must be a finite number ≥ 0, got {beta!r}")
    x_train, y_train, onehot_train = _checked_xy(params, x_train, y_train, "x_train")
    if (x_test is None) != (y_test is None):
        raise ValueError("pass both x_test and y_test, or neither")
    if x_test is not None:
        x_test, y_test, _ = _checked_xy(params, x_test, y_test, "x_test")
    optimizer = checked_optimizer(optimizer, 1e-3)
    _, _, J = dims(params)
    dtype = x_train.dtype
    dynamic = binarization == "dynamic"
    train_eval = binarize(x_train, np.random.default_rng([seed, EVAL_TRAIN_STREAM])) if dynamic else x_train
    test_eval = None if x_test is None else (
        binarize(x_test, np.random.default_rng([seed, EVAL_TEST_STREAM])) if dynamic else x_test)

    history = History() if history is None else history
    rng = np.random.default_rng(seed)
    n = len(x_train)
    first_epoch = history.epoch[-1] + 1 if len(history) else 1
    seen = history.samples_seen[-1] if len(history) else 0
    for epoch in range(first_epoch, first_epoch + epochs):
        order = rng.permutation(n)
        running = 0.0
        for start in range(0, n, batch_size):
            rows = order[start:start + batch_size]
            batch = binarize(x_train[rows], rng) if dynamic else x_train[rows]
            eps = rng.standard_normal((1, len(rows), J)).astype(dtype)
            value, grads = _loss_and_grad(params, batch, onehot_train[rows], eps, beta)
            if not math.isfinite(value):
                raise TrainingDiverged(f"training diverged in epoch {epoch}: the minibatch objective "
                                       f"became {-value}. Try a smaller learning rate (now {optimizer.lr:g}).")
            optimizer.step(params, grads)
            running -= float(value) * len(rows)
        seen += n
        test_bound = math.nan if x_test is None else dataset_bound(params, test_eval, y_test, seed)
        history.append(epoch=epoch, train_bound=dataset_bound(params, train_eval, y_train, seed),
                       test_bound=test_bound, running_bound=running / n, samples_seen=seen, seconds=0.0)
        if any([callback(epoch, params, history) for callback in callbacks]):
            break
    return history


# ----------------------------------------------------------------------------- bounds for every label

def class_bounds(params, x, eps):
    """Estimator B of L(θ, φ; x, y) for every image and EVERY label y = 0, …, K − 1: (K, N) nats.

    ``eps`` (L, N, J) is shared by all labels (common random numbers: differences between labels
    are not blurred by independent noise).
    """
    D, K, _ = dims(params)
    x = check_data(x, "x", D, bernoulli=True).astype(params[0][0][0].dtype, copy=False)
    return np.stack([cvae_elbo(params, x, one_hot(np.full(len(x), k), K, x.dtype), eps)
                     for k in range(K)])


def marginal_bound(params, x, class_log_prior, eps):
    """A lower bound on log p(x) = log Σ_y p(y) p_θ(x|y) from the CVAE, (N,) nats:

        log p(x) ≥ log Σ_y p(y) exp L(θ, φ; x, y),

    since each L(θ, φ; x, y) ≤ log p_θ(x|y). ``class_log_prior`` (K,) holds log p(y). With the
    Monte Carlo estimates of :func:`class_bounds` in place of L the bound holds up to their noise.
    """
    _, K, _ = dims(params)
    class_log_prior = np.asarray(class_log_prior, dtype=np.float64)
    if class_log_prior.shape != (K,) or not np.isclose(logsumexp(class_log_prior), 0.0, atol=1e-9):
        raise ValueError(f"class_log_prior must be K = {K} log-probabilities that sum to 1 after exp, "
                         f"e.g. np.log(np.bincount(y_train) / len(y_train))")
    return logsumexp(class_bounds(params, x, eps) + class_log_prior[:, None], axis=0)


def quadrature_terms(params, x, y, n_per_dim=100, limit=5.0):
    """Exact (grid) values of the terms of eq. ``log p(x|y) = L + KL(q ‖ p(z|x, y))`` for J ≤ 2.

    On the midpoint grid of :mod:`vae_from_scratch.quadrature` over [−limit, limit]^J (h the cell
    width, n_per_dim^J nodes z_k), for each image x with label y:

      "log_likelihood"  log p_θ(x|y) = log Σ_k h^J p_θ(x|z_k, y) p(z_k)
      "elbo"            Σ_k h^J q(z_k) log p_θ(x|z_k, y) − KL(q ‖ N(0, I))   (KL analytic)
      "gap_kl"          KL(q(z|x, y) ‖ p_θ(z|x, y)) = Σ_k h^J q(z_k) [log q(z_k) − log p_θ(z_k|x, y)]

    Returns a dict of (N,) arrays. Costs n_per_dim^J decoder evaluations per label present.
    """
    x, y, y_onehot = _checked_xy(params, x, y)
    _, K, J = dims(params)
    if J > 2:
        raise ValueError(f"quadrature needs n_per_dim^J decoder evaluations; J = {J} is too many "
                         f"(use J ≤ 2, or an importance-sampled estimate)")
    z = grid_points(n_per_dim, J, limit)  # (P, J)
    _, h = midpoint_nodes(n_per_dim, limit)
    log_cell = J * math.log(h)
    mean, log_var = encode(params[0], x, y_onehot)
    out = {key: np.empty(len(x)) for key in ("log_likelihood", "elbo", "gap_kl")}
    log_prior = log_standard_normal(z)  # (P,)
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        logits = decoder_logits(params[1], z, one_hot(np.full(len(z), label), K, z.dtype))  # (P, D)
        log_lik = logits @ x[rows].T - np.sum(softplus(logits), axis=1)[:, None]  # (P, n) log p(x|z, y)
        log_joint = log_lik + log_prior[:, None]
        log_evidence = logsumexp(log_joint, axis=0) + log_cell  # (n,)
        log_q = log_normal(z[:, None, :], mean[rows], log_var[rows])  # (P, n)
        weights = np.exp(log_q + log_cell)  # q(z_k) h^J, sums to ≈ 1
        out["log_likelihood"][rows] = log_evidence
        out["elbo"][rows] = (np.sum(weights * log_lik, axis=0)
                             - analytic_gaussian_kl(mean[rows], log_var[rows]))
        out["gap_kl"][rows] = np.sum(weights * (log_q - (log_joint - log_evidence)), axis=0)
    return out


# ----------------------------------------------------------------------------- what z knows about y

def nearest_centroid(features, labels, queries, n_classes=None):
    """Labels of ``queries`` (M, F) by the nearest class mean of ``features`` (N, F) (Euclidean).

    The simplest classifier there is: one mean per class, no parameters to tune. Used on pixels
    (to recognise a generated digit) and on latent codes (to measure how much z tells about y).
    """
    features, queries = np.asarray(features, dtype=float), np.asarray(queries, dtype=float)
    K = int(np.max(labels)) + 1 if n_classes is None else int(n_classes)
    labels = check_labels(labels, K, len(features), "labels")
    if features.ndim != 2 or queries.ndim != 2 or features.shape[1] != queries.shape[1]:
        raise ValueError(f"features (N, F) and queries (M, F) must share F, got {features.shape} "
                         f"and {queries.shape}")
    present = np.unique(labels)
    centroids = np.stack([features[labels == k].mean(axis=0) for k in present])
    distances = ((queries[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=-1)
    return present[np.argmin(distances, axis=1)]


def label_information(mean, log_var, labels, rng, n_samples=1):
    """I_q(y; z) in nats: the mutual information between label and code under the encoder.

    The data (x_n, y_n), n = 1…N, and the encoder define q(z|y) = (1/N_y) Σ_{n: y_n = y} q(z|x_n, ·)
    and q(z) = (1/N) Σ_n q(z|x_n, ·), mixtures of the N posteriors N(mean_n, diag exp(log_var_n)).
    Then I_q(y; z) = E_{q(y, z)}[log q(z|y) − log q(z)], estimated without bias by drawing
    ``n_samples`` codes z ~ q(z|x_n, ·) for every n. It lies between 0 (z tells nothing about y)
    and the label entropy H(y) (z determines y). Costs N² Gaussian densities per sample.
    """
    mean, log_var = np.asarray(mean, dtype=float), np.asarray(log_var, dtype=float)
    if mean.ndim != 2 or mean.shape != log_var.shape:
        raise ValueError(f"mean and log_var must both be (N, J), got {mean.shape} and {log_var.shape}")
    labels = check_labels(labels, int(np.max(labels)) + 1, len(mean), "labels")
    rng = np.random.default_rng(rng)
    n = len(mean)
    estimates = []
    for _ in range(_positive_int("n_samples", n_samples)):
        z = reparameterize(mean, log_var, rng.standard_normal(mean.shape))  # one code per datapoint
        log_densities = log_normal(z[:, None, :], mean[None, :, :], log_var[None, :, :])  # (N, N)
        log_q_z = logsumexp(log_densities, axis=1) - math.log(n)
        log_q_z_given_y = np.empty(n)
        for k in np.unique(labels):
            members = labels == k
            log_q_z_given_y[members] = (logsumexp(log_densities[np.ix_(members, members)], axis=1)
                                        - math.log(members.sum()))
        estimates.append(np.mean(log_q_z_given_y - log_q_z))
    return float(np.mean(estimates))


def image_moments(images, image_shape):
    """Simple style statistics of grey images from their first and second moments, each (N,):

      "ink"     mean intensity (how much is drawn: thickness and size together)
      "column"  horizontal centre of mass c̄, in pixels from the left edge
      "row"     vertical centre of mass r̄, in pixels from the top
      "slant"   −Σ I (r − r̄)(c − c̄) / Σ I (r − r̄)²: the least-squares shift in columns per row
                upwards, > 0 for a stroke leaning right (like /), < 0 leaning left (like \\)
    """
    height, width = image_shape
    images = np.asarray(images, dtype=float).reshape(-1, height, width)
    rows, cols = np.mgrid[0:height, 0:width]
    mass = images.sum(axis=(1, 2))
    if np.any(mass <= 0):
        raise ValueError("an image has no ink (all pixels 0): its moments are undefined")
    r_bar = (images * rows).sum(axis=(1, 2)) / mass
    c_bar = (images * cols).sum(axis=(1, 2)) / mass
    dr, dc = rows[None] - r_bar[:, None, None], cols[None] - c_bar[:, None, None]
    slant = -(images * dr * dc).sum(axis=(1, 2)) / (images * dr ** 2).sum(axis=(1, 2))
    return {"ink": mass / (height * width), "column": c_bar, "row": r_bar, "slant": slant}
