"""The wake-sleep algorithm (Hinton, Dayan, Frey & Neal, 1995): the baseline of the paper's Fig. 2.

Same networks as the VAE — a Gaussian MLP recognition model q_φ(z|x) and a Bernoulli or Gaussian
MLP generative model p_θ(x|z) with prior N(0, I) — trained by two alternating phases:

    wake:   z ~ q_φ(z|x) for a minibatch of data x;   ascend  ∇_θ log p_θ(x, z)
            (z is held fixed: no gradient flows into φ)
    sleep:  z ~ p(z), x ~ p_θ(x|z)  ("dreams");       ascend  ∇_φ log q_φ(z|x)

The wake gradient is exactly the ELBO's gradient with respect to θ. The sleep phase instead
minimises KL(p_θ(z|x) ‖ q_φ(z|x)) averaged over the model's own dreams — the other direction of
the KL, on the wrong data. So wake-sleep optimises no single objective and bounds nothing;
we REPORT the ELBO (estimator B, eq. 7) of its networks on the training and test sets each
epoch, with the very code AEVB uses, so that Fig. 2's comparison is like for like.
"""
import copy

import autograd
import autograd.numpy as anp
import numpy as np

from ..distributions import analytic_gaussian_kl, log_normal, reparameterize
from ..nn import bernoulli_mlp, gaussian_mlp, sigmoid
from ..objectives import decoder_log_likelihood, encode
from ..optim import make_optimizer
from ..train import check_fit_arguments, param_dims, run_epochs


def wake_loss(decoder_params, x, z, likelihood="bernoulli"):
    """−(1/M) Σ_i log p_θ(x_i | z_i): the wake phase's loss (log p(z) has no parameters)."""
    return -anp.mean(decoder_log_likelihood(decoder_params, x, z, likelihood))


def sleep_loss(encoder_params, x_dream, z_dream):
    """−(1/M) Σ_i log q_φ(z_i | x_i) on dreamt pairs (z_i, x_i) ~ p_θ(z) p_θ(x|z)."""
    mean, log_var = encode(encoder_params, x_dream)
    return -anp.mean(log_normal(z_dream, mean, log_var))


def dream(decoder_params, n, latent_dim, rng, likelihood="bernoulli", dtype=np.float64):
    """n pairs (z, x) from the generative model: z ~ N(0, I), x ~ p_θ(x|z)."""
    z = rng.standard_normal((n, latent_dim)).astype(dtype)  # (n, J)
    if likelihood == "bernoulli":
        probabilities = sigmoid(bernoulli_mlp(decoder_params, z))  # (n, D)
        x = (rng.random(probabilities.shape) < probabilities).astype(dtype)
    else:
        mean, log_var = gaussian_mlp(decoder_params, z, sigmoid_mean=True)
        x = (mean + np.exp(0.5 * log_var) * rng.standard_normal(mean.shape)).astype(dtype)
    return z, x


wake_value_and_grad = autograd.value_and_grad(wake_loss)
sleep_value_and_grad = autograd.value_and_grad(sleep_loss)


def fit_wake_sleep(params, x_train, x_test=None, *, epochs=10, batch_size=100, optimizer="adam",
                   lr=None, likelihood="bernoulli", binarization="auto", seed=0, progress=True,
                   callbacks=(), history=None, eval_batch_size=1000):
    """Train VAE-shaped ``params = (encoder_params, decoder_params)`` in place by wake-sleep.

    Every minibatch runs one wake step (decoder) and one sleep step on as many dreams
    (encoder), each with its own optimizer of kind ``optimizer`` (a name, with ``lr``, or an
    optimizer object, copied for the encoder). Shuffling, binarization, evaluation, History,
    callbacks and the divergence check are those of :func:`vae_from_scratch.train.fit`; the
    recorded ``running_bound`` is the minibatch ELBO before each step.
    """
    x_train, x_test, binarization = check_fit_arguments(
        params, x_train, x_test, epochs=epochs, batch_size=batch_size, likelihood=likelihood,
        binarization=binarization)
    decoder_optimizer = make_optimizer(optimizer, lr)
    encoder_optimizer = copy.deepcopy(decoder_optimizer)  # its own state, same settings
    _, J = param_dims(params)

    def step(params, x, rng):
        encoder_params, decoder_params = params
        # wake: infer z for real data, then improve the generative model on the pairs (x, z)
        mean, log_var = encode(encoder_params, x)  # (M, J) each
        z = reparameterize(mean, log_var, rng.standard_normal(mean.shape).astype(x.dtype))
        loss, decoder_grads = wake_value_and_grad(decoder_params, x, z, likelihood)
        elbo = -loss - float(np.mean(analytic_gaussian_kl(mean, log_var)))  # estimator B, L = 1
        decoder_optimizer.step(decoder_params, decoder_grads)
        # sleep: dream pairs from the (updated) generative model, improve recognition on them
        z_dream, x_dream = dream(decoder_params, len(x), J, rng, likelihood, x.dtype)
        _, encoder_grads = sleep_value_and_grad(encoder_params, x_dream, z_dream)
        encoder_optimizer.step(encoder_params, encoder_grads)
        return float(elbo)

    advice = (f"Try a smaller learning rate (now {decoder_optimizer.lr:g}), "
              f"e.g. {decoder_optimizer.lr / 10:g}.")
    return run_epochs(params, x_train, x_test, step, epochs=epochs, batch_size=batch_size,
                      likelihood=likelihood, binarization=binarization, seed=seed,
                      progress=progress, callbacks=callbacks, history=history,
                      eval_batch_size=eval_batch_size, advice=advice, desc="wake-sleep")
