"""Reparameterized samplers of the three families of §2.4, and two relaxations of discrete ones.

The paper's condition for the SGVB estimator is a differentiable map z = g_φ(ε) from parameter-
free noise ε to a sample of q_φ. Each function here IS such a map: a pure function of the
distribution's parameters and of standard noise passed in explicitly, so ``autograd.grad``
differentiates a sample with respect to its parameters (the noise is held fixed).

Three families (Kingma & Welling, §2.4):
  1. tractable inverse CDF:  z = F⁻¹(u; φ),  u ~ U(0, 1)      exponential, logistic, Cauchy, Gumbel
  2. location–scale:         z = μ + s·ε,  ε from the standard member   Gaussian, Laplace, Student-t
  3. composition:            z = a function of other variables    log-normal, gamma, chi², beta
and the continuous relaxations of categorical and Bernoulli variables (Jang et al., 2017;
Maddison et al., 2017), which have no g of their own.

Draw the noise with NumPy: ``u = rng.uniform(size=shape)``, ``eps = rng.standard_normal(shape)``.
Constants are Python floats, so float32 parameters and noise give float32 samples.
"""
import math

import autograd.numpy as np

# ---- 1. tractable inverse CDF: z = F⁻¹(u), u ~ U(0, 1) --------------------------------------


def exponential(rate, u):
    """Exponential(λ):  F(z) = 1 − e^{−λz},  so  z = −log(1 − u) / λ."""
    return -np.log1p(-u) / rate


def logistic(loc, scale, u):
    """Logistic(μ, s):  F(z) = 1 / (1 + e^{−(z−μ)/s}),  so  z = μ + s · log(u / (1 − u))."""
    return loc + scale * (np.log(u) - np.log1p(-u))


def cauchy(loc, scale, u):
    """Cauchy(μ, γ):  F(z) = ½ + arctan((z − μ)/γ) / π,  so  z = μ + γ · tan(π (u − ½))."""
    return loc + scale * np.tan(math.pi * (u - 0.5))


def gumbel(loc, scale, u):
    """Gumbel(μ, β) (of maxima):  F(z) = exp(−e^{−(z−μ)/β}),  so  z = μ − β · log(−log u)."""
    return loc - scale * np.log(-np.log(u))


# ---- 2. location–scale: z = location + scale · (a draw of the standard member) --------------


def location_scale(loc, scale, eps):
    """z = μ + s · ε: the whole family in one line; ε is a draw of its standard member."""
    return loc + scale * eps


def gaussian(loc, scale, eps):
    """N(μ, σ²):  z = μ + σ ε,  ε ~ N(0, 1)  (``rng.standard_normal``). The VAE's own sampler."""
    return location_scale(loc, scale, eps)


def laplace(loc, scale, eps):
    """Laplace(μ, b):  z = μ + b ε,  ε ~ Laplace(0, 1)  (``rng.laplace(size=…)``)."""
    return location_scale(loc, scale, eps)


def student_t(loc, scale, eps):
    """Student-t(ν, μ, s):  z = μ + s ε,  ε ~ t_ν  (``rng.standard_t(ν, size=…)``).

    Location and scale are reparameterized; the degrees of freedom ν are not (they shape ε).
    """
    return location_scale(loc, scale, eps)


# ---- 3. composition: z a differentiable function of variables we can already sample ---------


def log_normal(mu, sigma, eps):
    """LogNormal(μ, σ²):  z = exp(μ + σ ε),  ε ~ N(0, 1)  (the exponential of a Gaussian)."""
    return np.exp(mu + sigma * eps)


def gamma_integer_shape(rate, u):
    """Gamma(k, λ) for integer k:  z = Σ_{i=1}^{k} −log(u_i) / λ,  a sum of k exponentials.

    ``u`` has shape (k, …): one uniform per exponential; k is read from ``u.shape[0]``.
    The rate λ is reparameterized; the integer shape k is not.
    """
    return -np.sum(np.log(u), axis=0) / rate


def chi_squared(eps):
    """χ²_k:  z = Σ_{i=1}^{k} ε_i²,  ε_i ~ N(0, 1);  ``eps`` has shape (k, …)."""
    return np.sum(eps ** 2, axis=0)


def beta_integer_shapes(u_a, u_b):
    """Beta(a, b) for integer a, b:  z = X / (X + Y),  X ~ Gamma(a, 1),  Y ~ Gamma(b, 1).

    ``u_a`` is (a, …) and ``u_b`` is (b, …), uniforms as for :func:`gamma_integer_shape`.
    """
    x = gamma_integer_shape(1.0, u_a)
    return x / (x + gamma_integer_shape(1.0, u_b))


# ---- relaxations of discrete variables ------------------------------------------------------


def gumbel_softmax(logits, u, temperature):
    """Gumbel-softmax / concrete(α, τ) on the last axis (Jang et al., 2017; Maddison et al., 2017).

    y = softmax((log α + g) / τ),  g_k = −log(−log u_k),  u ~ U(0, 1) of the logits' shape.
    As τ → 0, y tends to the one-hot argmax_k(log α_k + g_k), which is exactly a draw of
    Categorical(softmax(log α)) (the Gumbel-max trick); for τ > 0 it is a point of the simplex
    that is differentiable in the logits.
    """
    a = (logits - np.log(-np.log(u))) / temperature
    a = a - np.max(a, axis=-1, keepdims=True)  # softmax is unchanged by a shift: avoid overflow
    w = np.exp(a)
    return w / np.sum(w, axis=-1, keepdims=True)


def relaxed_bernoulli(logits, u, temperature):
    """Binary concrete / relaxed Bernoulli(α, τ) (Maddison et al., 2017, §3.3).

    y = sigmoid((log α + log u − log(1 − u)) / τ),  u ~ U(0, 1): a logistic sample L = log u −
    log(1 − u) added to the logit. y > ½ exactly when log α + L > 0, which has probability
    sigmoid(log α): the hard threshold of y is Bernoulli(sigmoid(logits)) at any τ.
    """
    a = (logits + np.log(u) - np.log1p(-u)) / temperature
    return 0.5 * (np.tanh(0.5 * a) + 1.0)  # sigmoid, without overflow
