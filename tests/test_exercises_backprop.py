"""The Chapter 8 checkers accept the reference pieces, name the usual mistakes, and the backward
pass assembled from the pieces equals the package's hand-written one and finite differences."""
import numpy as np
import pytest

from vae_from_scratch import nn, objectives
from vae_from_scratch.backprop import elbo_b_value_and_grad
from vae_from_scratch.exercises import backprop as ex
from vae_from_scratch.gradcheck import check_gradients


def leaves(tree):
    if isinstance(tree, (list, tuple)):
        return [leaf for branch in tree for leaf in leaves(branch)]
    return [tree]


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


# ---- the logits gradient ---------------------------------------------------------------------------

def test_logits_reference_passes():
    feedback = ex.check_logits_gradient(ex.logits_gradient)
    assert feedback.passed and str(feedback).startswith("correct")


def test_logits_naive_sigmoid_with_overflow_warning_still_passes():
    # 1 / (1 + e^{1000}) = 1/inf = 0 is exact; an overflow warning is not a wrong answer
    assert ex.check_logits_gradient(lambda x, a: x - sigmoid(a)).passed


def test_logits_wrong_sign():
    feedback = ex.check_logits_gradient(lambda x, a: ex.logits_gradient(x, a) * -1.0)
    assert not feedback.passed and "sign" in feedback.message


def test_logits_extra_sigmoid_derivative():
    def extra(x, a):
        s = ex._sigmoid(a)
        return (x - s) * s * (1 - s)

    feedback = ex.check_logits_gradient(extra)
    assert not feedback.passed and "cancels" in feedback.message


def test_logits_forgot_x():
    feedback = ex.check_logits_gradient(lambda x, a: -ex._sigmoid(a))
    assert not feedback.passed and "x_d" in feedback.message


def test_logits_overflowing_sigmoid_is_named():
    feedback = ex.check_logits_gradient(lambda x, a: x - np.exp(a) / (1.0 + np.exp(a)))
    assert not feedback.passed and "overflow" in feedback.message


# ---- the reparameterization ------------------------------------------------------------------------

def test_reparam_reference_passes():
    assert ex.check_reparameterization_backward(ex.reparameterization_backward).passed


def test_reparam_missing_half():
    def no_half(dz, eps, lv):
        return dz.sum(0), np.exp(0.5 * lv) * np.sum(eps * dz, axis=0)

    feedback = ex.check_reparameterization_backward(no_half)
    assert not feedback.passed and "½" in feedback.message


def test_reparam_gradient_wrt_sigma():
    feedback = ex.check_reparameterization_backward(lambda dz, eps, lv: (dz.sum(0), np.sum(eps * dz, axis=0)))
    assert not feedback.passed and "with respect to σ" in feedback.message


def test_reparam_variance_for_std():
    def var(dz, eps, lv):
        return dz.sum(0), 0.5 * np.exp(lv) * np.sum(eps * dz, axis=0)

    feedback = ex.check_reparameterization_backward(var)
    assert not feedback.passed and "exp(½ log σ²)" in feedback.message


def test_reparam_not_summed_over_samples():
    def per_sample(dz, eps, lv):
        return dz, 0.5 * np.exp(0.5 * lv) * eps * dz

    feedback = ex.check_reparameterization_backward(per_sample)
    assert not feedback.passed and "sum over the sample axis" in feedback.message


def test_reparam_averaged_over_samples():
    def averaged(dz, eps, lv):
        return dz.mean(0), 0.5 * np.exp(0.5 * lv) * np.mean(eps * dz, axis=0)

    feedback = ex.check_reparameterization_backward(averaged)
    assert not feedback.passed and "do not average" in feedback.message


def test_reparam_not_a_pair():
    feedback = ex.check_reparameterization_backward(lambda dz, eps, lv: dz.sum(0))
    assert not feedback.passed and "pair" in feedback.message


# ---- the KL ---------------------------------------------------------------------------------------

def test_kl_reference_passes():
    assert ex.check_kl_gradient(ex.kl_gradient).passed


def test_kl_gradient_of_minus_kl():
    feedback = ex.check_kl_gradient(lambda m, lv: (-m, -0.5 * (np.exp(lv) - 1)))
    assert not feedback.passed and "signs are flipped" in feedback.message


def test_kl_missing_half():
    feedback = ex.check_kl_gradient(lambda m, lv: (m, np.exp(lv) - 1))
    assert not feedback.passed and "missing the ½" in feedback.message


def test_kl_forgot_the_log_term():
    feedback = ex.check_kl_gradient(lambda m, lv: (m, 0.5 * np.exp(lv)))
    assert not feedback.passed and "−½" in feedback.message


# ---- the assembled backward pass -------------------------------------------------------------------

@pytest.mark.parametrize("L", [1, 3])
def test_assembled_equals_package_backprop_and_finite_differences(L):
    rng = np.random.default_rng(L)
    D, H, J, B = 6, 4, 2, 3
    params = (nn.init_gaussian_mlp(D, [H], J, rng, init="glorot"), nn.init_mlp([J, H, D], rng, init="glorot"))
    x = (rng.random((B, D)) < 0.5).astype(float)
    eps = rng.standard_normal((L, B, J))
    value, grads = ex.assembled_value_and_grad(params, x, eps)
    ref_value, ref_grads = elbo_b_value_and_grad(params, x, eps)
    assert value == pytest.approx(ref_value, rel=1e-12)
    for g, r in zip(leaves(grads), leaves(ref_grads), strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-13)

    def f(p):
        return np.mean(objectives.elbo_estimator_b(p, x, eps))

    check_gradients(f, params, grads)


def test_a_wrong_piece_fails_the_gradient_check():
    rng = np.random.default_rng(9)
    params = (nn.init_gaussian_mlp(5, [3], 2, rng, init="glorot"), nn.init_mlp([2, 3, 5], rng, init="glorot"))
    x = (rng.random((4, 5)) < 0.5).astype(float)
    eps = rng.standard_normal((1, 4, 2))

    def no_half(dz, e, lv):
        return dz.sum(0), np.exp(0.5 * lv) * np.sum(e * dz, axis=0)

    _, grads = ex.assembled_value_and_grad(params, x, eps, reparameterization_backward=no_half)
    with pytest.raises(AssertionError, match="encoder layer 3"):
        check_gradients(lambda p: np.mean(objectives.elbo_estimator_b(p, x, eps)), params, grads)
