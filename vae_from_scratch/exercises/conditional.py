"""Checkers for the exercises of Chapter 19, "Conditional VAEs".

    >>> from vae_from_scratch.exercises import conditional as ex
    >>> print(ex.check_conditional_elbo(my_cvae_elbo))
    >>> print(ex.check_decoder_for_label(my_decoder_for_label))

``check_conditional_elbo`` expects ``my_cvae_elbo(params, x, y_onehot, eps)`` → estimator B of the
conditional ELBO, one number per datapoint (batch,):
(1/L) Σ_l log p_θ(x | z_l, y) − KL(q_φ(z|x, y) ‖ N(0, I)), z_l = μ + σ ⊙ ε_l, where the encoder
(a Gaussian MLP, :func:`vae_from_scratch.nn.gaussian_mlp`) reads [x, onehot(y)] and the decoder
(a Bernoulli MLP giving logits, :func:`vae_from_scratch.nn.bernoulli_mlp`) reads [z, onehot(y)];
``eps`` has shape (L, batch, J).

``check_decoder_for_label`` expects ``my_decoder_for_label(decoder_params, label, latent_dim)`` →
the parameters ``[(W, b), ...]`` of a decoder of z alone that computes what the CVAE's decoder
computes for that label (the label folded into the first layer's bias).
"""
import numpy as np

from .. import nn
from ..distributions import analytic_gaussian_kl, log_bernoulli
from ..models import cvae
from . import correct, hint

CONCATENATION = ("both networks take the label: the encoder reads np.concatenate([x, y_onehot], axis=-1) "
                 "(D + K numbers) and the decoder [z, onehot(y)] (J + K numbers; with L samples, "
                 "broadcast the one-hot to shape (L, batch, K) first)")


def _close(got, value):
    return got.shape == np.shape(value) and np.allclose(got, value, rtol=1e-6, atol=1e-8)


# ---- the conditional ELBO --------------------------------------------------------------------------


def _elbo_cases():
    cases = []
    for seed, (D, K, J, L, batch) in enumerate([(6, 3, 2, 1, 4), (5, 4, 3, 3, 5), (8, 2, 1, 2, 3)]):
        rng = np.random.default_rng(seed)
        params = cvae.init_cvae_params(D, K, J, (7,), rng)
        x = (rng.random((batch, D)) < 0.5).astype(float)
        y_onehot = cvae.one_hot(rng.integers(0, K, batch), K)
        eps = rng.standard_normal((L, batch, J))
        cases.append((params, x, y_onehot, eps))
    return cases


def _pieces(params, x, y_onehot, eps, sigma_power=0.5):
    """(reconstruction per sample (L, batch), KL (batch,)) with σ = exp(sigma_power · log_var)."""
    mean, log_var = cvae.encode(params[0], x, y_onehot)
    z = mean + np.exp(sigma_power * log_var) * eps
    return log_bernoulli(x, cvae.decoder_logits(params[1], z, y_onehot)), analytic_gaussian_kl(mean, log_var)


def _diagnose_elbo(case, got):
    params, x, y_onehot, eps = case
    per_sample, kl = _pieces(*case)
    reconstruction = per_sample.mean(axis=0)
    if _close(got, reconstruction + kl):
        return "the KL has the wrong sign: the bound is the reconstruction MINUS KL(q ‖ p)."
    if _close(got, reconstruction):
        return "the KL term is missing: subtract KL(q(z|x, y) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²)."
    if _close(got, reconstruction - 2.0 * kl):
        return "your KL is twice too large: it carries a ½, KL = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²)."
    if _close(got, per_sample.sum(axis=0) - kl):
        return "you summed the L samples of log p(x|z_l, y); average them (1/L) Σ_l."
    if _close(got, _pieces(params, x, y_onehot, np.zeros_like(eps))[0].mean(axis=0) - kl):
        return "you decoded the mean μ; decode the sample z = μ + σ ⊙ ε with the eps you are given."
    if _close(got, _pieces(*case, sigma_power=1.0)[0].mean(axis=0) - kl):
        return "σ = exp(½ log σ²): you used exp(log_var), the variance, as the standard deviation."
    if _close(got, _label_first(*case)):
        return ("the order of the concatenation matters: the networks were built for [x, onehot(y)] "
                "and [z, onehot(y)], data first and label last.")
    return None


def _label_first(params, x, y_onehot, eps):
    """The bound with the label placed BEFORE the data in both concatenations (a wrong order)."""
    mean, log_var = nn.gaussian_mlp(params[0], np.concatenate([y_onehot, x], axis=-1))
    z = mean + np.exp(0.5 * log_var) * eps
    labels = np.broadcast_to(y_onehot, z.shape[:-1] + y_onehot.shape[-1:])
    logits = nn.bernoulli_mlp(params[1], np.concatenate([labels, z], axis=-1))
    return log_bernoulli(x, logits).mean(axis=0) - analytic_gaussian_kl(mean, log_var)


def check_conditional_elbo(candidate):
    """Check ``candidate(params, x, y_onehot, eps)`` → estimator B of the conditional ELBO, (batch,)."""
    if not callable(candidate):
        raise TypeError(f"pass your function itself, not {type(candidate).__name__}")
    cases = _elbo_cases()
    for i, case in enumerate(cases):
        expected = cvae.cvae_elbo(*case)
        try:
            got = np.asarray(candidate(*case), dtype=float)
        except Exception as error:  # the reader's code failing is feedback, not a crash
            shape_error = "shape" in str(error) or "dimension" in str(error) or "align" in str(error)
            return hint(f"your function raised {type(error).__name__}: {error} on case {i + 1}"
                        + (f". Remember that {CONCATENATION}." if shape_error else "."))
        if got.shape != expected.shape:
            extra = " (average over the L samples: axis 0)" if got.shape == case[3].shape[:2] else ""
            return hint(f"case {i + 1}: your bound has shape {got.shape}, expected one number per "
                        f"datapoint, {expected.shape}{extra}")
        if not np.all(np.isfinite(got)):
            return hint(f"case {i + 1}: your bound contains NaN or inf")
        if not _close(got, expected):
            return hint(_diagnose_elbo(case, got)
                        or f"case {i + 1}: got {np.round(got, 6)}, expected {np.round(expected, 6)}")
    return correct(f"your conditional ELBO matches the library's on {len(cases)} cases, with L = 1, 2 "
                   f"and 3 samples and 2 to 4 classes.")


# ---- folding the label into the bias -----------------------------------------------------------------


def _fold_cases():
    cases = []
    for seed, (K, J, hidden, label) in enumerate([(3, 2, (5,), 1), (4, 2, (6, 4), 3), (5, 1, (3,), 0)]):
        rng = np.random.default_rng(10 + seed)
        decoder = cvae.init_cvae_params(4, K, J, hidden, rng)[1]
        decoder = [(W, b + 0.3 * rng.standard_normal(b.shape)) for W, b in decoder]  # non-zero biases
        cases.append((decoder, label, J, rng.standard_normal((6, J))))
    return cases


def _wrong_fold(decoder, label, J, first_bias):
    (W, _), *rest = decoder
    return [(W[:J], first_bias)] + list(rest)


def check_decoder_for_label(candidate):
    """Check ``candidate(decoder_params, label, latent_dim)`` → a decoder of z alone for that label."""
    if not callable(candidate):
        raise TypeError(f"pass your function itself, not {type(candidate).__name__}")
    cases = _fold_cases()
    for i, (decoder, label, J, z) in enumerate(cases):
        before = [(W.copy(), b.copy()) for W, b in decoder]
        try:
            folded = candidate(decoder, label, J)
        except Exception as error:  # the reader's code failing is feedback, not a crash
            return hint(f"your function raised {type(error).__name__}: {error} on case {i + 1}")
        if any(not (np.array_equal(W, W0) and np.array_equal(b, b0)) for (W, b), (W0, b0) in zip(decoder, before)):
            return hint("your function changed the model's own arrays (e.g. b += ...); build new ones, "
                        "b + W[J + y], and leave decoder_params as it was.")
        try:
            layers = [(np.asarray(W, dtype=float), np.asarray(b, dtype=float)) for W, b in folded]
        except (TypeError, ValueError):
            return hint("return a list of (W, b) pairs, like decoder_params itself.")
        if len(layers) != len(decoder):
            return hint(f"case {i + 1}: the decoder has {len(decoder)} layers and yours {len(layers)}; "
                        f"only the first layer changes, keep the others as they are.")
        if layers[0][0].shape[0] != J:
            return hint(f"case {i + 1}: your first W has {layers[0][0].shape[0]} rows; a decoder of z alone "
                        f"takes J = {J} inputs: keep the rows of z, W_z = W[:J], and move the label's "
                        f"row into the bias.")
        expected = nn.sigmoid(nn.bernoulli_mlp(cvae.decoder_for_label(decoder, label, J), z))
        try:
            got = nn.sigmoid(nn.bernoulli_mlp(layers, z))
        except ValueError as error:
            return hint(f"case {i + 1}: your layers do not chain ({error})")
        if np.allclose(got, expected, rtol=1e-9, atol=1e-12):
            continue
        W, b = decoder[0]
        wrong = {
            "the label's rows come after the J rows of z: the row for label y is W[J + y], not W[y].":
                _wrong_fold(decoder, label, J, b + W[label]),
            "add the label's row to the bias, b + W[J + y]; do not replace the bias with it.":
                _wrong_fold(decoder, label, J, W[J + label]),
            "the first bias must change: onehot(y) picks the row W[J + y], which adds to b.":
                _wrong_fold(decoder, label, J, b),
        }
        for message, layers_wrong in wrong.items():
            if np.allclose(got, nn.sigmoid(nn.bernoulli_mlp(layers_wrong, z)), rtol=1e-9, atol=1e-12):
                return hint(message)
        return hint(f"case {i + 1} (label {label}): your decoder's images differ from the CVAE's by up to "
                    f"{np.abs(got - expected).max():.3g}")
    return correct(f"your folded decoder draws exactly what the CVAE draws on {len(cases)} cases, "
                   f"including two hidden layers and a one-dimensional z.")
