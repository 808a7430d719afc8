"""Checkers for the exercises of Chapter 7, "Building the VAE".

    >>> from vae_from_scratch.exercises import building_the_vae as ex
    >>> print(ex.check_parameter_count(my_count))
    >>> print(ex.check_log_bernoulli(my_log_bernoulli))

``check_parameter_count`` expects ``my_count(D, hidden, J, likelihood)`` → the number of scalar
parameters (every weight and bias) of a VAE with a Gaussian MLP encoder and a Bernoulli or
Gaussian MLP decoder whose hidden layer sizes are the tuple ``hidden`` (the layout of
:func:`vae_from_scratch.models.vae.init_vae_params`). ``check_log_bernoulli`` expects
``my_log_bernoulli(x, logits)`` → log p(x | logits) of independent Bernoulli pixels, summed over
the last axis, finite for logits of ±1000.
"""
import numpy as np

from ..distributions import log_bernoulli
from ..models.vae import init_vae_params
from . import compare_on_cases, correct, hint

# ---- counting parameters -------------------------------------------------------------------------


def _dense(sizes):
    """Weights and biases of a chain of fully connected layers with these sizes."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def parameter_count(D, hidden, J, likelihood="bernoulli"):
    """Scalars in a VAE: a Gaussian MLP encoder D → hidden → (μ, log σ²), each J, and a decoder
    J → hidden → D logits (Bernoulli) or D → (mean, log-variance) (Gaussian)."""
    hidden = tuple(hidden)
    last = ([D, *hidden])[-1]
    encoder = _dense([D, *hidden]) + 2 * (last * J + J)
    trunk = _dense([J, *hidden])
    top = ([J, *hidden])[-1]
    heads = (1 if likelihood == "bernoulli" else 2) * (top * D + D)
    return encoder + trunk + heads


def count_arrays(D, hidden, J, likelihood):
    """The same number counted from the arrays of a freshly initialised package VAE."""
    params = init_vae_params(D, J, tuple(hidden), likelihood, np.random.default_rng(0))
    return sum(W.size + b.size for net in params for W, b in net)


def _count_cases():
    return [
        (64, (200,), 8, "bernoulli"),
        (784, (500,), 20, "bernoulli"),
        (560, (200,), 2, "gaussian"),
        (64, (100, 50), 3, "bernoulli"),
        (10, (7, 5, 3), 2, "gaussian"),
        (5, (), 2, "bernoulli"),
        (5, (), 2, "gaussian"),
    ]


def _diagnose_count(case, got, expected):
    D, hidden, J, likelihood = case
    sizes_enc, sizes_dec = [D, *hidden], [J, *hidden]
    n_heads = 1 if likelihood == "bernoulli" else 2
    weights_only = (sum(a * b for a, b in zip(sizes_enc[:-1], sizes_enc[1:])) + 2 * sizes_enc[-1] * J
                    + sum(a * b for a, b in zip(sizes_dec[:-1], sizes_dec[1:]))
                    + n_heads * sizes_dec[-1] * D)
    one_encoder_head = expected - (sizes_enc[-1] * J + J)
    decoder_heads_swapped = expected + (1 if likelihood == "bernoulli" else -1) * (sizes_dec[-1] * D + D)
    if got == weights_only:
        return "you counted the weights but not the biases: every layer has one bias per output unit."
    if got == one_encoder_head:
        return ("the encoder has two output heads, μ = W₄h + b₄ AND log σ² = W₅h + b₅, each with J "
                "outputs: count both.")
    if got == decoder_heads_swapped:
        return ("the Bernoulli decoder has one output layer (the logits); the Gaussian decoder has "
                "two (mean and log-variance), each with D outputs.")
    return None


def check_parameter_count(candidate):
    """Check ``candidate(D, hidden, J, likelihood)`` → number of scalar parameters of the VAE."""
    cases = _count_cases()
    feedback = compare_on_cases(candidate, parameter_count, cases, rtol=0.0, atol=0.0,
                                diagnose=_diagnose_count, what="count")
    if feedback.passed:
        return correct(f"your count matches the arrays of the package's VAE on {len(cases)} "
                       "architectures, with 0 to 3 hidden layers and both decoders.")
    return feedback


# ---- the Bernoulli log-likelihood from logits ------------------------------------------------------


def _bernoulli_cases():
    rng = np.random.default_rng(7)
    return [
        (np.array([[1.0, 0.0, 1.0]]), np.array([[0.3, -1.2, 2.0]])),              # moderate logits
        ((rng.random((4, 6)) < 0.5).astype(float), rng.normal(0, 3, (4, 6))),     # a batch
        (rng.random((3, 5)), rng.normal(0, 2, (3, 5))),                           # grey levels
        (np.array([[1.0, 0.0, 1.0, 0.0]]), np.array([[1000.0, -1000.0, -1000.0, 1000.0]])),
        (np.array([[0.0, 1.0, 0.25]]), np.array([[40.0, -40.0, 60.0]])),          # saturated
    ]


def _diagnose_bernoulli(case, got, expected):
    x, logits = case
    if np.allclose(got, -expected):
        return "the sign is flipped: a log-likelihood of a probability ≤ 1 is ≤ 0."
    if np.allclose(got, expected / x.shape[-1]):
        return "sum over the pixels (the last axis); you took the mean."
    if np.allclose(got, np.sum(x * logits - logits, axis=-1)) or np.allclose(got, np.sum(x * logits, axis=-1)):
        return "the normaliser is softplus(a) = log(1 + e^a), not a: log p = Σ_d x_d a_d − log(1 + e^{a_d})."
    return None


def _finite_everywhere(candidate):
    x, logits = _bernoulli_cases()[3]
    with np.errstate(all="ignore"):
        try:
            got = np.asarray(candidate(x, logits), dtype=float)
        except Exception:
            return None  # compare_on_cases reports the error
    if got.shape == (1,) and not np.all(np.isfinite(got)):
        return hint("at logits of ±1000 your result is not finite. Write the likelihood in the "
                    "logits: x log σ(a) + (1 − x) log(1 − σ(a)) = x·a − softplus(a), with "
                    "softplus(a) = max(a, 0) + log1p(exp(−|a|)), which never overflows.")
    return None


def check_log_bernoulli(candidate):
    """Check ``candidate(x, logits)`` → Σ_d log Bern(x_d; sigmoid(a_d)) per row, stable at ±1000."""
    unstable = _finite_everywhere(candidate)
    if unstable is not None:
        return unstable
    with np.errstate(all="ignore"):
        feedback = compare_on_cases(candidate, log_bernoulli, _bernoulli_cases(), rtol=1e-9, atol=1e-9,
                                    diagnose=_diagnose_bernoulli, what="log-likelihood")
    if feedback.passed:
        return correct("your log-likelihood matches the library's on 5 cases, including grey-level "
                       "targets and logits of ±1000.")
    return feedback
