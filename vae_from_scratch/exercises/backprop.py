"""Checkers for the exercises of Chapter 8, "Backpropagation by hand", and a backward pass in parts.

    >>> from vae_from_scratch.exercises import backprop as ex
    >>> print(ex.check_logits_gradient(my_logits_gradient))
    >>> print(ex.check_reparameterization_backward(my_backward))
    >>> print(ex.check_kl_gradient(my_kl_gradient))

The three pieces of the backward pass of estimator B (eq. 7) that are specific to the VAE:

- ``my_logits_gradient(x, logits)`` → ∂/∂a of Σ_d log Bern(x_d; sigmoid(a_d)), one entry per
  logit (same shape as ``logits``): x − sigmoid(a).
- ``my_backward(delta_z, eps, log_var)`` → ``(delta_mu, delta_log_var)``: given ∂F/∂z for the
  L samples z_l = μ + σ ⊙ ε_l (``delta_z`` and ``eps`` of shape (L, B, J), ``log_var`` = log σ² of
  shape (B, J)), the gradients ∂F/∂μ and ∂F/∂log σ² (each (B, J)) through the sample only:
  Σ_l δz_l and ½ σ ⊙ Σ_l ε_l ⊙ δz_l.
- ``my_kl_gradient(mean, log_var)`` → ``(∂KL/∂μ, ∂KL/∂log σ²)`` of KL(N(μ, diag σ²) ‖ N(0, I)):
  μ and ½ (σ² − 1).

:func:`assembled_value_and_grad` runs the whole backward pass of the one-hidden-layer tanh VAE
with a Bernoulli decoder with these three pieces as arguments, so a piece (yours, or a wrong one)
can be tested in context with :func:`vae_from_scratch.gradcheck.check_gradients`. It is written
for reading, one equation of Chapter 8 per line; the package's training path is
:func:`vae_from_scratch.backprop.elbo_b_value_and_grad`, which it equals to rounding error.
"""
import numpy as np

from ..distributions import analytic_gaussian_kl, log_bernoulli
from . import compare_on_cases, correct, hint


def _sigmoid(a):
    return 0.5 * (np.tanh(0.5 * a) + 1.0)  # never overflows


# ---- the three pieces, reference solutions -------------------------------------------------------


def logits_gradient(x, logits):
    """∂/∂a_d of Σ_d [x_d a_d − softplus(a_d)] = x_d − sigmoid(a_d)."""
    return x - _sigmoid(logits)


def reparameterization_backward(delta_z, eps, log_var):
    """Through z_l = μ + σ ⊙ ε_l: ∂z/∂μ = 1 and ∂z/∂log σ² = ½ σ ε, summed over the L samples."""
    std = np.exp(0.5 * log_var)
    return delta_z.sum(axis=0), 0.5 * std * np.sum(eps * delta_z, axis=0)


def kl_gradient(mean, log_var):
    """∂KL/∂μ = μ and ∂KL/∂log σ² = ½ (σ² − 1), for KL = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²)."""
    return mean, 0.5 * (np.exp(log_var) - 1.0)


# ---- the whole backward pass, in parts -----------------------------------------------------------


def assembled_value_and_grad(params, x, eps, logits_gradient=logits_gradient,
                             reparameterization_backward=reparameterization_backward,
                             kl_gradient=kl_gradient):
    """Batch mean of estimator B and its gradient (ascent direction) for the one-hidden-layer VAE.

    ``params = ([(W3, b3), (W4, b4), (W5, b5)], [(W1, b1), (W2, b2)])`` in the package's layout
    (a layer is ``h @ W + b``), ``x`` (B, D), ``eps`` (L, B, J). The three keyword arguments are
    the pieces of Chapter 8; pass your own (or a wrong one) to see what the gradient check says.
    Returns ``(value, grads)`` with ``grads`` shaped like ``params``.
    """
    ((W3, b3), (W4, b4), (W5, b5)), ((W1, b1), (W2, b2)) = params
    if np.ndim(eps) == 2:
        eps = eps[None]
    L, B, J = eps.shape
    # forward
    h_e = np.tanh(x @ W3 + b3)                       # encoder hidden layer, (B, H)
    mu, log_var = h_e @ W4 + b4, h_e @ W5 + b5       # (B, J) each
    z = mu + np.exp(0.5 * log_var) * eps             # (L, B, J), the reparameterization
    h_d = np.tanh(z @ W1 + b1)                       # decoder hidden layer, (L, B, H)
    a = h_d @ W2 + b2                                # logits, (L, B, D)
    value = np.mean(np.mean(log_bernoulli(x, a), axis=0) - analytic_gaussian_kl(mu, log_var))
    # backward: the decoder (every sample's log-likelihood has weight 1/(L·B) in the mean)
    delta_a = logits_gradient(x, a) / (L * B)                  # ∂F/∂a
    grad_W2 = np.einsum("lbh,lbd->hd", h_d, delta_a)           # Σ over samples and rows of h_d δ_aᵀ
    grad_b2 = delta_a.sum(axis=(0, 1))
    delta_u_d = (delta_a @ W2.T) * (1.0 - h_d ** 2)            # through W₂, then tanh
    grad_W1 = np.einsum("lbj,lbh->jh", z, delta_u_d)
    grad_b1 = delta_u_d.sum(axis=(0, 1))
    delta_z = delta_u_d @ W1.T                                 # (L, B, J)
    # through z = μ + σ ⊙ ε, and the analytic KL (weight 1/B in the mean)
    delta_mu, delta_log_var = reparameterization_backward(delta_z, eps, log_var)
    kl_mu, kl_log_var = kl_gradient(mu, log_var)
    delta_mu = delta_mu - kl_mu / B
    delta_log_var = delta_log_var - kl_log_var / B
    # the encoder
    grad_W4, grad_b4 = h_e.T @ delta_mu, delta_mu.sum(axis=0)
    grad_W5, grad_b5 = h_e.T @ delta_log_var, delta_log_var.sum(axis=0)
    delta_u_e = (delta_mu @ W4.T + delta_log_var @ W5.T) * (1.0 - h_e ** 2)
    grad_W3, grad_b3 = x.T @ delta_u_e, delta_u_e.sum(axis=0)
    grads = ([(grad_W3, grad_b3), (grad_W4, grad_b4), (grad_W5, grad_b5)],
             [(grad_W1, grad_b1), (grad_W2, grad_b2)])
    return value, grads


# ---- checkers ------------------------------------------------------------------------------------


def _close(got, value):
    return np.shape(got) == np.shape(value) and np.allclose(got, value, rtol=1e-7, atol=1e-10)


def _logits_cases():
    rng = np.random.default_rng(3)
    return [
        (np.array([[1.0, 0.0, 1.0]]), np.array([[0.5, -2.0, 0.0]])),
        ((rng.random((3, 4)) < 0.5).astype(float), rng.normal(0, 2, (3, 4))),
        (rng.random((2, 5)), rng.normal(0, 2, (2, 5))),                        # grey levels
        (np.array([[1.0, 0.0, 1.0, 0.0]]), np.array([[1000.0, -1000.0, -1000.0, 1000.0]])),
        ((rng.random((2, 3, 4)) < 0.5).astype(float), rng.normal(0, 1, (2, 3, 4))),             # a sample axis
    ]


def _diagnose_logits(case, got, expected):
    x, a = case
    x = np.asarray(x, dtype=float)
    s = _sigmoid(a)
    if _close(got, -expected):
        return ("the sign is flipped: that is the gradient of the loss (the negative "
                "log-likelihood). Raising the logit of a pixel that is on (x = 1) must raise log p.")
    if _close(got, x - s * (1 - s)) or _close(got, (x - s) * s * (1 - s)):
        return ("no sigmoid derivative is needed: d/da softplus(a) = sigmoid(a), so the gradient is "
                "simply x − sigmoid(a) (the sigmoid's derivative cancels against 1/(p(1−p))).")
    if _close(got, x / np.clip(s, 1e-300, None) - (1 - x) / np.clip(1 - s, 1e-300, None)):
        return ("that is the derivative with respect to the probability p = sigmoid(a); multiply by "
                "dp/da = p(1 − p), which simplifies to x − sigmoid(a).")
    if _close(got, -s):
        return "the term x_d·a_d contributes x_d: the gradient is x − sigmoid(a)."
    return None


def check_logits_gradient(candidate):
    """Check ``candidate(x, logits)`` → x − sigmoid(logits), the gradient of the Bernoulli
    log-likelihood with respect to each logit (finite at logits of ±1000)."""
    cases = _logits_cases()
    with np.errstate(all="ignore"):
        feedback = compare_on_cases(candidate, logits_gradient, cases, rtol=1e-9, atol=1e-12,
                                    diagnose=_diagnose_logits, what="gradient")
    if not feedback.passed and "NaN or inf" in feedback.message:
        return hint(feedback.message + ". At logits of ±1000, e^a overflows: compute sigmoid(a) "
                    "without overflow, e.g. 0.5·(tanh(a/2) + 1).")
    if feedback.passed:
        return correct(f"your gradient matches x − sigmoid(a) on {len(cases)} cases, including "
                       "grey-level targets and logits of ±1000.")
    return feedback


def _reparam_cases():
    rng = np.random.default_rng(4)
    cases = []
    for L, B, J in ((1, 1, 1), (1, 3, 2), (4, 2, 3), (2, 5, 1)):
        cases.append((rng.normal(size=(L, B, J)), rng.normal(size=(L, B, J)),
                      rng.normal(0, 1, size=(B, J))))
    return cases


def _diagnose_reparam(case, got, expected):
    delta_z, eps, log_var = case
    d_mu, d_lv = expected
    if got.shape != expected.shape:
        return None
    g_mu, g_lv = got
    sum_eps_dz = np.sum(eps * delta_z, axis=0)
    if not _close(g_mu, d_mu):
        if _close(g_mu, delta_z.mean(axis=0)):
            return ("sum over the L samples, do not average: each sample's log-likelihood already "
                    "carries its 1/L in F, so its δz does too.")
        return "∂z/∂μ = 1: the gradient with respect to μ is δz, summed over the L samples."
    if _close(g_lv, 2.0 * d_lv):
        return ("you are missing the ½: σ = exp(½ log σ²), so ∂σ/∂log σ² = ½σ and ∂z/∂log σ² = ½ σ ε.")
    if _close(g_lv, sum_eps_dz):
        return ("that is the gradient with respect to σ (∂z/∂σ = ε); the network outputs log σ², "
                "so multiply by ∂σ/∂log σ² = ½σ.")
    if _close(g_lv, 0.5 * np.exp(log_var) * sum_eps_dz):
        return "σ = exp(½ log σ²), not exp(log σ²) (that is σ²): ∂z/∂log σ² = ½ σ ε."
    if _close(g_lv, np.exp(0.5 * log_var) * sum_eps_dz / 2.0 / delta_z.shape[0]):
        return "sum over the L samples, do not average."
    return None


def check_reparameterization_backward(candidate):
    """Check ``candidate(delta_z, eps, log_var)`` → ``(delta_mu, delta_log_var)`` through
    z_l = μ + σ ⊙ ε_l (summed over the L samples; the KL is not included)."""
    cases = _reparam_cases()
    for i, case in enumerate(cases):
        try:
            out = candidate(*case)
        except Exception as error:
            return hint(f"your function raised {type(error).__name__}: {error} on case {i + 1}")
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            return hint("return a pair (delta_mu, delta_log_var)")
        B, J = case[2].shape
        shapes = [np.shape(o) for o in out]
        if any(s == case[0].shape and s != (B, J) for s in shapes):
            return hint(f"case {i + 1}: your gradients have shape {case[0].shape}, one per sample; "
                        f"μ and log σ² have shape {(B, J)}: the L samples share them, so sum over "
                        "the sample axis (axis 0).")
    feedback = compare_on_cases(candidate, reparameterization_backward, cases, rtol=1e-9, atol=1e-12,
                                diagnose=_diagnose_reparam, what="(delta_mu, delta_log_var)")
    if feedback.passed:
        return correct("your backward pass through z = μ + σ ⊙ ε matches on 4 cases, with 1 to 4 "
                       "samples per datapoint.")
    return feedback


def _kl_cases():
    rng = np.random.default_rng(5)
    return [
        (np.zeros((1, 2)), np.zeros((1, 2))),                    # q = prior: both gradients 0
        (np.array([[1.0, -2.0]]), np.array([[0.5, -1.0]])),
        (rng.normal(size=(3, 4)), rng.normal(size=(3, 4))),
    ]


def _diagnose_kl(case, got, expected):
    mean, log_var = case
    if got.shape != expected.shape:
        return None
    g_mu, g_lv = got
    d_mu, d_lv = expected
    if _close(g_mu, -d_mu) and _close(g_lv, -d_lv):
        return ("both signs are flipped: that is the gradient of −KL (the term in the ELBO). The KL "
                "itself grows with μ², so ∂KL/∂μ = +μ.")
    if not _close(g_mu, d_mu):
        if _close(g_mu, 2.0 * d_mu):
            return "the KL has a ½ in front: ∂/∂μ of ½ μ² is μ."
        return "∂KL/∂μ = μ (from the ½ μ² term)."
    if _close(g_lv, 2.0 * d_lv):
        return "you are missing the ½: KL = ½ Σ (μ² + σ² − 1 − log σ²), so ∂KL/∂log σ² = ½ (σ² − 1)."
    if _close(g_lv, 0.5 * np.exp(log_var)):
        return ("the −log σ² term contributes −½: ∂KL/∂log σ² = ½ (σ² − 1), which is 0 at σ = 1.")
    if _close(g_lv, 0.5 * (np.exp(0.5 * log_var) - 1.0)):
        return "σ² = exp(log σ²), not exp(½ log σ²): ∂σ²/∂log σ² = σ²."
    return None


def check_kl_gradient(candidate):
    """Check ``candidate(mean, log_var)`` → ``(∂KL/∂μ, ∂KL/∂log σ²)`` of KL(q ‖ N(0, I))."""
    with np.errstate(all="ignore"):
        feedback = compare_on_cases(candidate, kl_gradient, _kl_cases(), rtol=1e-9, atol=1e-12,
                                    diagnose=_diagnose_kl, what="(∂KL/∂μ, ∂KL/∂log σ²)")
    if feedback.passed:
        return correct("your KL gradient matches μ and ½ (σ² − 1) on 3 cases, including q = prior.")
    return feedback
