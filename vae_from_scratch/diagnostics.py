"""What a trained VAE does with its latent: rate, distortion, KL per dimension, active units.

The ELBO averaged over a dataset splits into two terms (Alemi et al., 2018):

    rate        R = (1/N) Σ_i KL( q_φ(z|x_i) ‖ p(z) )              nats the code spends per datapoint
    distortion  D = −(1/N) Σ_i E_{q_φ(z|x_i)}[ log p_θ(x_i|z) ]     nats of reconstruction error
    ELBO        = −(R + D)

The KL of a diagonal Gaussian q against N(0, I) is a sum over latent dimensions, so R is too:
R = Σ_j R_j with R_j the dataset average of ½ (μ_j² + σ_j² − 1 − log σ_j²). A dimension whose
R_j is near zero has q(z_j|x) ≈ N(0, 1) for every x: it carries no information about x.

Active units (Burda et al., 2016): unit j is active if its posterior mean moves with the data,
A_j = Var_x( E_{q(z|x)}[z_j] ) > 0.01. An inactive unit has the same mean for every x.

``likelihood`` is "bernoulli" or "gaussian" (the MLP decoders of App. C) or a function
``log_likelihood(decoder_params, x, z)`` for another decoder (e.g.
:func:`vae_from_scratch.models.autoregressive.log_likelihood_function`).
"""
from dataclasses import dataclass

import numpy as np

from .distributions import reparameterize
from .objectives import encode, sample_eps
from .schedules import kl_per_dimension, log_likelihood_function

ACTIVE_THRESHOLD = 0.01  # Burda et al. (2016)


@dataclass(frozen=True)
class RateDistortion:
    """Rate and distortion of a model on a dataset, in nats per datapoint; ``elbo`` = −(R + D).

    ``rate_per_dimension`` (J,): the share R_j of each latent dimension, summing to ``rate``.
    """

    rate: float
    distortion: float
    rate_per_dimension: np.ndarray

    @property
    def elbo(self):
        return -(self.rate + self.distortion)

    def __str__(self):
        return f"R = {self.rate:.2f}, D = {self.distortion:.2f}, ELBO = {self.elbo:.2f} nats"


def kl_per_datapoint_and_dimension(encoder_params, x):
    """KL( q_φ(z_j|x_i) ‖ N(0, 1) ) for every datapoint i and latent dimension j: (N, J)."""
    mean, log_var = encode(encoder_params, x)
    return kl_per_dimension(mean, log_var)


def rate_per_dimension(encoder_params, x):
    """R_j: the KL of each latent dimension averaged over the data, (J,) nats; Σ_j R_j = R."""
    return np.mean(kl_per_datapoint_and_dimension(encoder_params, x), axis=0)


def rate_distortion(params, x, likelihood="bernoulli", n_samples=10, rng=0, batch_size=500):
    """:class:`RateDistortion` of ``params = (encoder_params, decoder_params)`` on ``x`` (N, D).

    R is exact (the analytic KL); D is estimated with ``n_samples`` draws of z per datapoint from
    ``rng`` (a seed or a Generator).
    """
    encoder_params, decoder_params = params
    log_likelihood = log_likelihood_function(likelihood)
    rng = np.random.default_rng(rng)
    J = encoder_params[-1][0].shape[1]
    kl_total = np.zeros(J)
    reconstruction = 0.0
    for start in range(0, len(x), batch_size):
        batch = x[start:start + batch_size]
        mean, log_var = encode(encoder_params, batch)
        kl_total += np.sum(kl_per_dimension(mean, log_var), axis=0)
        z = reparameterize(mean, log_var, sample_eps(rng, n_samples, len(batch), J, batch.dtype))
        reconstruction += float(np.sum(np.mean(log_likelihood(decoder_params, batch, z), axis=0)))
    per_dimension = kl_total / len(x)
    return RateDistortion(float(np.sum(per_dimension)), -reconstruction / len(x), per_dimension)


def prior_distortion(params, x, likelihood="bernoulli", n_samples=10, rng=0, batch_size=500):
    """The distortion with codes drawn from the prior instead of the encoder, nats per datapoint:

        D_prior = −(1/N) Σ_i E_{p(z)}[ log p_θ(x_i | z) ].

    ``D_prior − D`` is what the decoder gains from being told an image's own code rather than a
    random one; it is near zero for a decoder that ignores z. Estimated with ``n_samples`` draws
    z ~ N(0, I) per datapoint.
    """
    encoder_params, decoder_params = params
    log_likelihood = log_likelihood_function(likelihood)
    rng = np.random.default_rng(rng)
    J = encoder_params[-1][0].shape[1]
    total = 0.0
    for start in range(0, len(x), batch_size):
        batch = x[start:start + batch_size]
        z = sample_eps(rng, n_samples, len(batch), J, batch.dtype)  # z ~ N(0, I) directly
        total += float(np.sum(np.mean(log_likelihood(decoder_params, batch, z), axis=0)))
    return -total / len(x)


def unit_activity(encoder_params, x):
    """A_j = Var_x( E_q[z_j|x] ) = the variance over the data of the encoder's mean μ_j(x): (J,)."""
    mean, _ = encode(encoder_params, x)
    return np.var(mean, axis=0)


def active_units(activity, threshold=ACTIVE_THRESHOLD):
    """How many units have activity A_j above ``threshold`` (Burda et al.: 0.01).

    ``activity`` (J,) from :func:`unit_activity`.
    """
    return int(np.sum(np.asarray(activity) > threshold))
