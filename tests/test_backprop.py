"""The hand-written backward pass equals autograd (to rounding) and finite differences."""
import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from vae_from_scratch import nn, objectives
from vae_from_scratch.backprop import elbo_b_value_and_grad
from vae_from_scratch.distributions import analytic_gaussian_kl, log_bernoulli, log_normal
from vae_from_scratch.gradcheck import check_gradients

D, J, B = 5, 2, 3  # tiny: finite differences cost two evaluations per parameter


def make_vae(rng, hidden, likelihood, D=D, J=J, dtype=np.float64):
    """A small VAE with weights large enough, and biases random, so no gradient is trivially 0."""
    enc = nn.init_gaussian_mlp(D, hidden, J, rng, init="glorot", dtype=dtype)
    if likelihood == "bernoulli":
        dec = nn.init_mlp([J, *hidden[::-1], D], rng, init="glorot", dtype=dtype)
    else:
        dec = nn.init_gaussian_mlp(J, hidden[::-1], D, rng, init="glorot", dtype=dtype)

    def perturb(net):
        return [(1.5 * W, (b + 0.3 * rng.standard_normal(b.shape)).astype(dtype)) for W, b in net]

    return (perturb(enc), perturb(dec))


def make_data(rng, likelihood, L, dtype=np.float64):
    if likelihood == "bernoulli":
        x = (rng.random((B, D)) < 0.5).astype(dtype)
    else:
        x = rng.random((B, D)).astype(dtype)
    return x, rng.standard_normal((L, B, J)).astype(dtype)


def leaves(tree):
    if isinstance(tree, (list, tuple)):
        return [leaf for branch in tree for leaf in leaves(branch)]
    return [tree]


def reference_mean_elbo_b(params, x, eps, likelihood, beta=1.0, activation="tanh"):
    """Eq. (7) assembled from nn/distributions with a choice of activation, for autograd."""
    encoder_params, decoder_params = params
    mean, log_var = nn.gaussian_mlp(encoder_params, x, activation)
    z = mean + anp.exp(0.5 * log_var) * eps
    if likelihood == "bernoulli":
        log_lik = log_bernoulli(x, nn.mlp(decoder_params, z, activation))
    else:
        dec_mean, dec_log_var = nn.gaussian_mlp(decoder_params, z, activation, sigmoid_mean=True)
        log_lik = log_normal(x, dec_mean, dec_log_var)
    return anp.mean(anp.mean(log_lik, axis=0) - beta * analytic_gaussian_kl(mean, log_var))


CASES = [(lik, hidden, L) for lik in ("bernoulli", "gaussian") for hidden in ([4], [4, 3])
         for L in (1, 3)]


@pytest.mark.parametrize("likelihood,hidden,L", CASES)
def test_manual_equals_autograd_and_finite_differences(likelihood, hidden, L):
    rng = np.random.default_rng(len(hidden) + 10 * L + (likelihood == "gaussian"))
    params = make_vae(rng, hidden, likelihood)
    x, eps = make_data(rng, likelihood, L)

    def f(p):
        return np.mean(objectives.elbo_estimator_b(p, x, eps, likelihood))

    value, grads = elbo_b_value_and_grad(params, x, eps, likelihood)
    ag_value, ag_grads = autograd.value_and_grad(f)(params)
    np.testing.assert_allclose(value, ag_value, rtol=1e-12, atol=1e-10)
    for g, g_ag in zip(leaves(grads), leaves(ag_grads), strict=True):
        assert g.shape == g_ag.shape
        np.testing.assert_allclose(g, g_ag, rtol=1e-10, atol=1e-12)
        assert np.any(g != 0.0)  # every array really is exercised

    # Both against the definition of a derivative, every parameter array.
    errors = check_gradients(f, params, grads, rtol=1e-5, atol=1e-8)
    assert len(errors) == len(leaves(params))
    assert "decoder layer 1 W" in errors and "encoder layer 1 b" in errors
    check_gradients(f, params, ag_grads, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_no_hidden_layers(likelihood):
    # Linear encoder and decoder: z feeds the output layer directly.
    rng = np.random.default_rng(3)
    params = make_vae(rng, [], likelihood)
    x, eps = make_data(rng, likelihood, 2)
    f = lambda p: np.mean(objectives.elbo_estimator_b(p, x, eps, likelihood))  # noqa: E731
    value, grads = elbo_b_value_and_grad(params, x, eps, likelihood)
    assert value == pytest.approx(f(params), rel=1e-12)
    check_gradients(f, params, grads, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_activation_and_beta_match_autograd(likelihood, activation):
    rng = np.random.default_rng(4)
    params = make_vae(rng, [6, 5], likelihood)
    x, eps = make_data(rng, likelihood, 2)
    beta = 0.35

    def f(p):
        return reference_mean_elbo_b(p, x, eps, likelihood, beta, activation)

    value, grads = elbo_b_value_and_grad(params, x, eps, likelihood, beta=beta, activation=activation)
    ag_value, ag_grads = autograd.value_and_grad(f)(params)
    assert value == pytest.approx(ag_value, rel=1e-12)
    for g, g_ag in zip(leaves(grads), leaves(ag_grads), strict=True):
        np.testing.assert_allclose(g, g_ag, rtol=1e-10, atol=1e-12)


def test_beta_weights_only_the_kl():
    rng = np.random.default_rng(5)
    params = make_vae(rng, [4], "bernoulli")
    x, eps = make_data(rng, "bernoulli", 1)
    v0, _ = elbo_b_value_and_grad(params, x, eps, beta=0.0)
    v1, _ = elbo_b_value_and_grad(params, x, eps, beta=1.0)
    v3, _ = elbo_b_value_and_grad(params, x, eps, beta=3.0)
    mean, log_var = objectives.encode(params[0], x)
    kl = np.mean(analytic_gaussian_kl(mean, log_var))
    assert v0 - v1 == pytest.approx(kl, rel=1e-10)
    assert v0 - v3 == pytest.approx(3.0 * kl, rel=1e-10)


def test_single_draw_of_eps_may_drop_the_sample_axis():
    rng = np.random.default_rng(6)
    params = make_vae(rng, [4], "gaussian")
    x, eps = make_data(rng, "gaussian", 1)
    v3, g3 = elbo_b_value_and_grad(params, x, eps, "gaussian")
    v2, g2 = elbo_b_value_and_grad(params, x, eps[0], "gaussian")
    assert v2 == v3
    for a, b in zip(leaves(g2), leaves(g3), strict=True):
        np.testing.assert_array_equal(a, b)


def test_grads_have_the_structure_of_params_and_inputs_are_untouched():
    rng = np.random.default_rng(7)
    params = make_vae(rng, [4, 3], "bernoulli")
    x, eps = make_data(rng, "bernoulli", 2)
    before = [a.copy() for a in leaves(params)] + [x.copy(), eps.copy()]
    _, grads = elbo_b_value_and_grad(params, x, eps)
    assert isinstance(grads, tuple) and len(grads) == 2
    for net, gnet in zip(params, grads, strict=True):
        assert isinstance(gnet, list) and len(gnet) == len(net)
        for (W, b), layer in zip(net, gnet, strict=True):
            assert isinstance(layer, tuple)
            assert layer[0].shape == W.shape and layer[1].shape == b.shape
    for a, b in zip(leaves(params) + [x, eps], before, strict=True):
        np.testing.assert_array_equal(a, b)  # in-place tricks stay on our own temporaries
    _, grads_list = elbo_b_value_and_grad(list(params), x, eps)
    assert isinstance(grads_list, list)


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_float32_stays_float32_and_agrees_with_float64(likelihood):
    rng = np.random.default_rng(8)
    params64 = make_vae(rng, [16], likelihood, D=30, J=4)
    x64 = (rng.random((20, 30)) < 0.4).astype(np.float64)
    eps64 = rng.standard_normal((2, 20, 4))
    params32 = tuple([(W.astype(np.float32), b.astype(np.float32)) for W, b in net] for net in params64)
    v32, g32 = elbo_b_value_and_grad(params32, x64.astype(np.float32), eps64.astype(np.float32),
                                     likelihood)
    v64, g64 = elbo_b_value_and_grad(params64, x64, eps64, likelihood)
    assert v32.dtype == np.float32
    assert all(g.dtype == np.float32 for g in leaves(g32))
    assert v32 == pytest.approx(v64, rel=1e-5)
    for a, b in zip(leaves(g32), leaves(g64), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5 * np.abs(b).max())


def test_saturated_logits_stay_finite_and_exact():
    # Logits of ±1000: sigmoid and softplus must not overflow; the gradient is then x − 0 or x − 1.
    rng = np.random.default_rng(9)
    params = make_vae(rng, [4], "bernoulli")
    enc, dec = params
    W, b = dec[-1]
    dec = dec[:-1] + [(np.zeros_like(W), np.array([1000.0, -1000.0, 1000.0, -1000.0, 0.0]))]
    params = (enc, dec)
    x = np.array([[1.0, 0.0, 0.0, 1.0, 1.0]] * B)
    eps = rng.standard_normal((1, B, J))
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        value, grads = elbo_b_value_and_grad(params, x, eps)
    f = lambda p: np.mean(objectives.elbo_estimator_b(p, x, eps))  # noqa: E731
    assert np.isfinite(value) and value == pytest.approx(f(params), rel=1e-12)
    # ∂/∂b_out = mean over the batch of x − sigmoid(logit): 0, 0, −1, +1, ½
    np.testing.assert_allclose(grads[1][-1][1], [0.0, 0.0, -1.0, 1.0, 0.5], atol=1e-12)
    assert all(np.all(np.isfinite(g)) for g in leaves(grads))


def test_bad_options_are_rejected_with_the_fix():
    rng = np.random.default_rng(10)
    params = make_vae(rng, [4], "bernoulli")
    x, eps = make_data(rng, "bernoulli", 1)
    with pytest.raises(ValueError, match="likelihood must be one of"):
        elbo_b_value_and_grad(params, x, eps, likelihood="poisson")
    with pytest.raises(ValueError, match="use autograd"):
        elbo_b_value_and_grad(params, x, eps, activation="softplus")


def test_gradient_ascent_with_manual_gradients_raises_the_bound():
    # The end use: a few full-batch ascent steps on fixed noise increase eq. (7) every time.
    rng = np.random.default_rng(11)
    params = make_vae(rng, [8], "bernoulli", D=12, J=2)
    x = (rng.random((40, 12)) < 0.3).astype(np.float64)
    eps = rng.standard_normal((1, 40, 2))
    values = []
    for _ in range(20):
        value, grads = elbo_b_value_and_grad(params, x, eps)
        values.append(value)
        for p, g in zip(leaves(params), leaves(grads)):
            p += 0.05 * g
    assert np.all(np.diff(values) > 0.0)
