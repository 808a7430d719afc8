"""Each reparameterized sampler draws from the distribution it names (KS test against
scipy.stats) and is differentiable in its parameters with the gradient its formula predicts."""
import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from scipy import special, stats

from vae_from_scratch import samplers

N = 20_000  # samples per KS test: a wrong parameter of ~5% is rejected (see the control below)
P_MIN = 0.01


def uniform(seed, shape=(N,)):
    return np.random.default_rng(seed).uniform(size=shape)


def normal(seed, shape=(N,)):
    return np.random.default_rng(seed).standard_normal(shape)


def ks_p(sample, cdf, *args):
    return stats.kstest(sample, cdf, args=args).pvalue


# (name, sample, scipy distribution), one per sampler; seeds fixed.
CASES = [
    ("exponential", lambda: samplers.exponential(2.5, uniform(0)), stats.expon(scale=1 / 2.5)),
    ("logistic", lambda: samplers.logistic(1.0, 0.7, uniform(1)), stats.logistic(1.0, 0.7)),
    ("cauchy", lambda: samplers.cauchy(-2.0, 0.5, uniform(2)), stats.cauchy(-2.0, 0.5)),
    ("gumbel", lambda: samplers.gumbel(0.3, 1.7, uniform(3)), stats.gumbel_r(0.3, 1.7)),
    ("gaussian", lambda: samplers.gaussian(1.5, 0.3, normal(4)), stats.norm(1.5, 0.3)),
    ("laplace", lambda: samplers.laplace(-1.0, 2.0, np.random.default_rng(5).laplace(size=N)),
     stats.laplace(-1.0, 2.0)),
    ("student_t", lambda: samplers.student_t(0.5, 1.5, np.random.default_rng(6).standard_t(3.0, N)),
     stats.t(3.0, 0.5, 1.5)),
    ("log_normal", lambda: samplers.log_normal(0.2, 0.6, normal(7)),
     stats.lognorm(s=0.6, scale=np.exp(0.2))),
    ("gamma", lambda: samplers.gamma_integer_shape(3.0, uniform(8, (4, N))),
     stats.gamma(a=4, scale=1 / 3.0)),
    ("chi_squared", lambda: samplers.chi_squared(normal(9, (5, N))), stats.chi2(5)),
    ("beta", lambda: samplers.beta_integer_shapes(uniform(10, (2, N)), uniform(11, (5, N))),
     stats.beta(2, 5)),
]


@pytest.mark.parametrize("name,draw,dist", CASES, ids=[c[0] for c in CASES])
def test_sampler_matches_scipy(name, draw, dist):
    sample = draw()
    assert sample.shape == (N,)
    assert ks_p(sample, dist.cdf) > P_MIN


def test_ks_test_has_the_power_to_see_a_wrong_parameter():
    # The control: the same exponential sample against a rate 5 % off is rejected.
    sample = samplers.exponential(2.5, uniform(0))
    assert ks_p(sample, stats.expon(scale=1 / 2.625).cdf) < P_MIN


def test_relaxed_bernoulli_has_the_binary_concrete_distribution():
    logit, tau = 0.8, 0.5
    y = samplers.relaxed_bernoulli(logit, uniform(12), tau)
    assert np.all((y > 0.0) & (y < 1.0))

    # P(Y ≤ y) = P(L ≤ τ logit(y) − log α) with L standard logistic (Maddison et al., 2017).
    def cdf(v):
        return special.expit(tau * special.logit(v) - logit)

    assert ks_p(y, cdf) > P_MIN
    # Thresholded at ½ it is Bernoulli(sigmoid(logit)) at any temperature.
    hits = int(np.sum(y > 0.5))
    assert stats.binomtest(hits, N, special.expit(logit)).pvalue > P_MIN


def test_gumbel_softmax_lies_on_the_simplex_and_its_argmax_is_categorical():
    logits = np.log(np.array([0.5, 0.3, 0.15, 0.05]))
    y = samplers.gumbel_softmax(logits, uniform(13, (N, 4)), temperature=2.0)
    assert np.all(y > 0.0)
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-12)
    # argmax(softmax((log α + g)/τ)) = argmax(log α + g) for any τ: the Gumbel-max trick.
    counts = np.bincount(np.argmax(y, axis=-1), minlength=4)
    assert stats.chisquare(counts, N * special.softmax(logits)).pvalue > P_MIN


def test_gumbel_softmax_hardens_as_the_temperature_falls():
    logits = np.zeros(5)
    u = uniform(14, (2000, 5))
    largest = [np.mean(samplers.gumbel_softmax(logits, u, t).max(axis=-1)) for t in (5.0, 1.0, 0.1)]
    assert largest[0] < largest[1] < largest[2]
    assert largest[2] > 0.9  # nearly one-hot (the mean largest coordinate is 0.947 here)
    assert largest[0] < 0.4  # nearly uniform (1/5 at τ → ∞)


def test_extreme_logits_do_not_overflow():
    with np.errstate(over="raise", invalid="raise"):
        y = samplers.gumbel_softmax(np.array([800.0, -800.0, 0.0]), uniform(15, (10, 3)), 0.1)
        r = samplers.relaxed_bernoulli(np.array([1000.0, -1000.0]), uniform(16, (2,)), 0.1)
    np.testing.assert_allclose(y[:, 0], 1.0)
    np.testing.assert_allclose(r, [1.0, 0.0])


# ---- gradients: reparameterized means d sample / d parameter with the noise held fixed -------


def grad_of_sum(sampler, argnum, *args):
    return autograd.grad(lambda *a: anp.sum(sampler(*a)), argnum)(*args)


@pytest.mark.parametrize("sampler,noise", [
    (samplers.gaussian, normal(20, (50,))),
    (samplers.laplace, np.random.default_rng(21).laplace(size=50)),
    (samplers.student_t, np.random.default_rng(22).standard_t(4.0, 50)),
    (samplers.logistic, uniform(23, (50,))),
    (samplers.cauchy, uniform(24, (50,))),
    (samplers.gumbel, uniform(25, (50,))),
])
def test_location_scale_gradients(sampler, noise):
    loc, scale = 0.4, 1.3
    d_loc = grad_of_sum(sampler, 0, loc, scale, noise)
    d_scale = grad_of_sum(sampler, 1, loc, scale, noise)
    assert d_loc == pytest.approx(noise.size)  # ∂z/∂μ = 1 for every sample
    standard = (sampler(loc, scale, noise) - loc) / scale  # the standard draw
    assert np.isfinite(d_scale) and d_scale == pytest.approx(np.sum(standard))  # ∂z/∂s = ε


def test_inverse_cdf_and_composition_gradients():
    u, eps = uniform(26, (50,)), normal(27, (50,))
    rate = 2.0
    z = samplers.exponential(rate, u)
    assert grad_of_sum(samplers.exponential, 0, rate, u) == pytest.approx(-np.sum(z) / rate)
    uk = uniform(28, (3, 50))
    g = samplers.gamma_integer_shape(rate, uk)
    assert grad_of_sum(samplers.gamma_integer_shape, 0, rate, uk) == pytest.approx(-np.sum(g) / rate)
    mu, sigma = 0.1, 0.5
    ln = samplers.log_normal(mu, sigma, eps)
    assert grad_of_sum(samplers.log_normal, 0, mu, sigma, eps) == pytest.approx(np.sum(ln))
    assert grad_of_sum(samplers.log_normal, 1, mu, sigma, eps) == pytest.approx(np.sum(ln * eps))


def test_relaxation_gradients():
    tau = 0.7
    logits = np.array([0.3, -1.2])
    u = uniform(29, (2,))
    y = samplers.relaxed_bernoulli(logits, u, tau)
    g = autograd.grad(lambda a: anp.sum(samplers.relaxed_bernoulli(a, u, tau)))(logits)
    np.testing.assert_allclose(g, y * (1.0 - y) / tau, rtol=1e-10)  # sigmoid'(a/τ)/τ
    logits = np.array([0.5, -0.2, 1.0])
    u = uniform(30, (3,))
    # The outputs sum to 1 whatever the logits, so the gradient of their sum is zero...
    g_sum = autograd.grad(lambda a: anp.sum(samplers.gumbel_softmax(a, u, tau)))(logits)
    np.testing.assert_allclose(g_sum, 0.0, atol=1e-12)
    # ...while one coordinate moves: ∂y_0/∂a_0 = y_0 (1 − y_0) / τ.
    y = samplers.gumbel_softmax(logits, u, tau)
    g0 = autograd.grad(lambda a: samplers.gumbel_softmax(a, u, tau)[0])(logits)
    assert g0[0] == pytest.approx(y[0] * (1.0 - y[0]) / tau)


def test_float32_stays_float32():
    u = uniform(31, (3, 10)).astype(np.float32)
    eps = normal(32, (3, 10)).astype(np.float32)
    one = np.float32(1.0)
    outputs = [
        samplers.exponential(one, u), samplers.logistic(one, one, u), samplers.cauchy(one, one, u),
        samplers.gumbel(one, one, u), samplers.gaussian(one, one, eps),
        samplers.laplace(one, one, eps), samplers.student_t(one, one, eps),
        samplers.log_normal(one, one, eps), samplers.gamma_integer_shape(one, u),
        samplers.chi_squared(eps), samplers.beta_integer_shapes(u, u),
        samplers.gumbel_softmax(eps, u, 0.5), samplers.relaxed_bernoulli(eps, u, 0.5),
    ]
    assert all(out.dtype == np.float32 for out in outputs)
