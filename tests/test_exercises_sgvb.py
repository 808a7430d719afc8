import numpy as np
import pytest

from vae_from_scratch import distributions, nn, objectives
from vae_from_scratch.exercises import sgvb as ex


# ---- reference solutions, as the chapter's dropdowns give them ---------------------------------

def estimator_b(params, x, eps):
    encoder_params, decoder_params = params
    mean, log_var = nn.gaussian_mlp(encoder_params, x)
    z = mean + np.exp(0.5 * log_var) * eps  # (L, batch, J)
    reconstruction = distributions.log_bernoulli(x, nn.bernoulli_mlp(decoder_params, z))
    kl = 0.5 * np.sum(mean ** 2 + np.exp(log_var) - 1.0 - log_var, axis=-1)
    return reconstruction.mean(axis=0) - kl


def gaussian_kl(mean_q, log_var_q, mean_p, log_var_p):
    return 0.5 * np.sum(log_var_p - log_var_q + (np.exp(log_var_q) + (mean_q - mean_p) ** 2)
                        / np.exp(log_var_p) - 1.0, axis=-1)


def test_estimator_b_reference_and_library_pass():
    for candidate in (estimator_b, objectives.elbo_estimator_b):
        feedback = ex.check_estimator_b(candidate)
        assert feedback.passed, feedback


def _variant(kl_factor=1.0, reduce=np.mean, scale_of=lambda v: np.exp(0.5 * v)):
    def wrong(params, x, eps):
        encoder_params, decoder_params = params
        mean, log_var = nn.gaussian_mlp(encoder_params, x)
        z = mean + scale_of(log_var) * eps
        reconstruction = distributions.log_bernoulli(x, nn.bernoulli_mlp(decoder_params, z))
        return reduce(reconstruction, axis=0) - kl_factor * distributions.analytic_gaussian_kl(mean, log_var)
    return wrong


@pytest.mark.parametrize("wrong, words", [
    (objectives.elbo_estimator_a, "estimator A"),
    (_variant(kl_factor=-1.0), "minus sign"),
    (_variant(kl_factor=0.0), "missing"),
    (_variant(kl_factor=2.0), "factor"),
    (_variant(reduce=np.sum), "average"),
    (_variant(scale_of=np.exp), "σ²"),
])
def test_estimator_b_typical_mistakes_get_a_specific_hint(wrong, words):
    feedback = ex.check_estimator_b(wrong)
    assert not feedback.passed
    assert words in feedback.message


def test_estimator_b_wrong_shape_is_reported():
    feedback = ex.check_estimator_b(lambda p, x, e: np.mean(objectives.elbo_estimator_b(p, x, e)))
    assert not feedback.passed and "shape" in feedback.message


def test_gaussian_kl_reference_and_library_pass():
    for candidate in (gaussian_kl, distributions.gaussian_kl):
        feedback = ex.check_gaussian_kl(candidate)
        assert feedback.passed, feedback


@pytest.mark.parametrize("wrong, words", [
    (lambda mq, vq, mp, vp: 2.0 * gaussian_kl(mq, vq, mp, vp), "½"),
    (lambda mq, vq, mp, vp: -gaussian_kl(mq, vq, mp, vp), "sign"),
    (lambda mq, vq, mp, vp: gaussian_kl(mp, vp, mq, vq), "KL(p ‖ q)"),
    (lambda mq, vq, mp, vp: gaussian_kl(mq, vq, mp, vp) + 0.5 * mq.shape[-1], "−1"),
    (lambda mq, vq, mp, vp: gaussian_kl(mq, 2 * vq, mp, 2 * vp), "log σ²"),
    (lambda mq, vq, mp, vp: 0.5 * np.sum(vp - vq + np.exp(vq - vp) + (mq - mp) ** 2 - 1.0, axis=-1),
     "divide the squared mean difference"),
])
def test_gaussian_kl_typical_mistakes_get_a_specific_hint(wrong, words):
    feedback = ex.check_gaussian_kl(wrong)
    assert not feedback.passed
    assert words in feedback.message
