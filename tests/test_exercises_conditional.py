import numpy as np
import pytest

from vae_from_scratch import nn
from vae_from_scratch.distributions import log_bernoulli
from vae_from_scratch.exercises import conditional as ex
from vae_from_scratch.models import cvae


# ---- reference solutions, as the chapter's dropdowns give them ---------------------------------

def my_cvae_elbo(params, x, y_onehot, eps):
    encoder, decoder = params
    mean, log_var = nn.gaussian_mlp(encoder, np.concatenate([x, y_onehot], axis=-1))
    z = mean + np.exp(0.5 * log_var) * eps  # (L, batch, J)
    labels = np.broadcast_to(y_onehot, z.shape[:-1] + y_onehot.shape[-1:])
    logits = nn.bernoulli_mlp(decoder, np.concatenate([z, labels], axis=-1))
    reconstruction = log_bernoulli(x, logits).mean(axis=0)
    kl = 0.5 * np.sum(mean ** 2 + np.exp(log_var) - 1.0 - log_var, axis=-1)
    return reconstruction - kl


def my_decoder_for_label(decoder_params, label, latent_dim):
    (W, b), *rest = decoder_params
    return [(W[:latent_dim], b + W[latent_dim + label])] + list(rest)


def test_reference_solutions_and_library_pass():
    for candidate in (my_cvae_elbo, cvae.cvae_elbo):
        feedback = ex.check_conditional_elbo(candidate)
        assert feedback.passed, feedback
    for candidate in (my_decoder_for_label, cvae.decoder_for_label):
        feedback = ex.check_decoder_for_label(candidate)
        assert feedback.passed, feedback


def _variant(sign=-1.0, kl_factor=1.0, reduce="mean", sigma_power=0.5, noise=True, label_first=False):
    def elbo(params, x, y_onehot, eps):
        encoder, decoder = params
        first = [y_onehot, x] if label_first else [x, y_onehot]
        mean, log_var = nn.gaussian_mlp(encoder, np.concatenate(first, axis=-1))
        z = mean + np.exp(sigma_power * log_var) * (eps if noise else 0.0 * eps)
        labels = np.broadcast_to(y_onehot, z.shape[:-1] + y_onehot.shape[-1:])
        second = [labels, z] if label_first else [z, labels]
        per_sample = log_bernoulli(x, nn.bernoulli_mlp(decoder, np.concatenate(second, axis=-1)))
        reconstruction = per_sample.mean(axis=0) if reduce == "mean" else per_sample.sum(axis=0)
        kl = 0.5 * np.sum(mean ** 2 + np.exp(log_var) - 1.0 - log_var, axis=-1)
        return reconstruction + sign * kl_factor * kl
    return elbo


def decoder_without_label(params, x, y_onehot, eps):
    encoder, decoder = params
    mean, log_var = nn.gaussian_mlp(encoder, np.concatenate([x, y_onehot], axis=-1))
    z = mean + np.exp(0.5 * log_var) * eps
    return log_bernoulli(x, nn.bernoulli_mlp(decoder, z)).mean(axis=0)


@pytest.mark.parametrize("wrong, words", [
    (_variant(sign=+1.0), "wrong sign"),
    (_variant(kl_factor=0.0), "KL term is missing"),
    (_variant(kl_factor=2.0), "twice too large"),
    (_variant(reduce="sum"), "average them"),
    (_variant(noise=False), "decoded the mean"),
    (_variant(sigma_power=1.0), "standard deviation"),
    (_variant(label_first=True), "order of the concatenation"),
    (decoder_without_label, "both networks take the label"),
    (lambda p, x, y, eps: my_cvae_elbo(p, x, y, eps) * np.ones((eps.shape[0], 1)), "average over the L samples"),
])
def test_elbo_mistakes_get_a_specific_hint(wrong, words):
    feedback = ex.check_conditional_elbo(wrong)
    assert not feedback.passed
    assert words in feedback.message, feedback.message


def _in_place(decoder_params, label, latent_dim):
    (W, b), *rest = decoder_params
    b += W[latent_dim + label]
    return [(W[:latent_dim], b)] + list(rest)


@pytest.mark.parametrize("wrong, words", [
    (lambda d, y, J: [(d[0][0][:J], d[0][1] + d[0][0][y])] + list(d[1:]), "W[J + y], not W[y]"),
    (lambda d, y, J: [(d[0][0][:J], d[0][0][J + y])] + list(d[1:]), "do not replace the bias"),
    (lambda d, y, J: [(d[0][0][:J], d[0][1])] + list(d[1:]), "first bias must change"),
    (lambda d, y, J: [(d[0][0], d[0][1] + d[0][0][J + y])] + list(d[1:]), "keep the rows of z"),
    (lambda d, y, J: [(d[0][0][:J], d[0][1] + d[0][0][J + y])], "keep the others"),
    (_in_place, "changed the model's own arrays"),
])
def test_fold_mistakes_get_a_specific_hint(wrong, words):
    feedback = ex.check_decoder_for_label(wrong)
    assert not feedback.passed
    assert words in feedback.message, feedback.message


def test_a_crashing_candidate_is_feedback_and_a_non_function_is_an_error():
    assert "raised" in ex.check_decoder_for_label(lambda d, y, J: 1 / 0).message
    with pytest.raises(TypeError):
        ex.check_conditional_elbo("my_cvae_elbo")
