"""A two-level Clockwork VAE (Saxena, Ba & Hafner, 2021), reduced to what two CPU cores can train.

A sequence of frames x_0 … x_{T−1} (each a vector of P pixels) is cut into blocks of k frames,
j(t) = ⌊t / k⌋. Level 2 ticks once per block, level 1 once per frame:

    generative   z²_j ~ p(z²_j | z²_{j−1})                       slow: one latent per block
                 z¹_t ~ p(z¹_t | z¹_{t−1}, z²_{j(t)})             fast: its prior reads the level above
                 x_t  ~ N(d_θ(z¹_t, z²_{j(t)}), s² I)             the frame
    inference    z²_j ~ q(z²_j | x_{jk}, …, x_{jk+k−1})          the slow posterior sees its whole block
                 z¹_t ~ q(z¹_t | x_t)                            the fast posterior sees one frame

with z¹_{−1} = 0 and z²_{−1} = 0; every p and q is a diagonal Gaussian whose mean and log-variance
come from a Gaussian MLP (:func:`vae_from_scratch.nn.gaussian_mlp`). The ELBO is reconstruction
minus one KL per level and tick:

    L = Σ_t E_q[log p(x_t | z¹_t, z²_{j(t)})]
        − Σ_j E_q[KL(q(z²_j | x_block j) ‖ p(z²_j | z²_{j−1}))]
        − Σ_t E_q[KL(q(z¹_t | x_t) ‖ p(z¹_t | z¹_{t−1}, z²_{j(t)}))]

Each KL is analytic given the sampled conditioning latents (:func:`vae_from_scratch.distributions.gaussian_kl`),
so one reparameterized draw of every z gives an unbiased estimate of L. A factor that stays
constant over a block is paid for once per block at level 2, but k times at level 1 if the fast
prior cannot predict it: the ELBO pushes slow factors up the hierarchy.

What is left out of the paper's model: its levels are recurrent state-space models with
deterministic GRU states and its posteriors read the past through them; here each level's memory
is its previous latent only, and the posteriors read the present (frame or block) only. The decoder
reads both levels, where the paper's decoder reads level 1, whose state carries the context from
above. The hierarchy of clocks — the point of the paper — is kept.

``params = [slow encoder, fast encoder, slow prior, fast prior, decoder]``, each an MLP parameter list.
:func:`sample` draws from the generative model, with the slow latents drawn or given.
"""
import math

import autograd
import autograd.numpy as anp
import numpy as np

from ..distributions import LOG_2PI, gaussian_kl, reparameterize
from ..nn import gaussian_mlp, init_gaussian_mlp, init_mlp, mlp
from ..train import checked_optimizer, descend


def init_clockwork_vae(width, block_length, rng, z1_dim=1, z2_dim=1, hidden=32):
    """Glorot-initialised parameters for frames of ``width`` pixels and blocks of ``block_length`` frames."""
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    h = [int(hidden)]
    return [
        init_gaussian_mlp(width * block_length, h, z2_dim, rng, "glorot"),  # q(z²_j | block j)
        init_gaussian_mlp(width, h, z1_dim, rng, "glorot"),  # q(z¹_t | x_t)
        init_gaussian_mlp(z2_dim, h, z2_dim, rng, "glorot"),  # p(z²_j | z²_{j−1})
        init_gaussian_mlp(z1_dim + z2_dim, h, z1_dim, rng, "glorot"),  # p(z¹_t | z¹_{t−1}, z²_j)
        init_mlp([z1_dim + z2_dim, *h, width], rng, "glorot"),  # mean of p(x_t | z¹_t, z²_j)
    ]


def _previous(z):
    """z_{t−1} along axis 1, with z_{−1} = 0."""
    return anp.concatenate([anp.zeros((z.shape[0], 1, z.shape[2])), z[:, :-1]], axis=1)


def _per_step(z2, block_length):
    """(batch, n_blocks, J) → (batch, n_blocks · k, J): each block's latent repeated for its k steps."""
    b, n, J = z2.shape
    return anp.reshape(z2[:, :, None, :] * np.ones((1, 1, block_length, 1)), (b, n * block_length, J))


def posterior(params, frames, block_length):
    """Means and log-variances of q(z² | blocks) (batch, n_blocks, J₂) and q(z¹ | frames) (batch, T, J₁)."""
    b, T, P = frames.shape
    blocks = anp.reshape(frames, (b, T // block_length, block_length * P))
    return gaussian_mlp(params[0], blocks), gaussian_mlp(params[1], frames)


def elbo_terms(params, frames, block_length, eps2, eps1, obs_std=0.05):
    """The three parts of the ELBO per sequence, each (batch,), in nats, from one draw of the noise.

    ``eps2`` (batch, n_blocks, J₂) and ``eps1`` (batch, T, J₁) are standard normal.
    Returns ``{"reconstruction": Σ_t log p(x_t|·), "kl_slow": Σ_j KL₂, "kl_fast": Σ_t KL₁}``.
    """
    (m2, lv2), (m1, lv1) = posterior(params, frames, block_length)
    z2 = reparameterize(m2, lv2, eps2)
    z1 = reparameterize(m1, lv1, eps1)
    z2_t = _per_step(z2, block_length)
    pm2, plv2 = gaussian_mlp(params[2], _previous(z2))
    pm1, plv1 = gaussian_mlp(params[3], anp.concatenate([_previous(z1), z2_t], axis=-1))
    mean = mlp(params[4], anp.concatenate([z1, z2_t], axis=-1))
    log_var_x = 2.0 * math.log(obs_std)
    log_lik = -0.5 * anp.sum(LOG_2PI + log_var_x + (frames - mean) ** 2 / obs_std ** 2, axis=(1, 2))
    return {
        "reconstruction": log_lik,
        "kl_slow": anp.sum(gaussian_kl(m2, lv2, pm2, plv2), axis=1),
        "kl_fast": anp.sum(gaussian_kl(m1, lv1, pm1, plv1), axis=1),
    }


def loss(params, frames, block_length, eps2, eps1, obs_std=0.05):
    """−ELBO per frame, averaged over the batch (nats): −(reconstruction − KL_slow − KL_fast) / T."""
    t = elbo_terms(params, frames, block_length, eps2, eps1, obs_std)
    return -anp.mean(t["reconstruction"] - t["kl_slow"] - t["kl_fast"]) / frames.shape[1]


def _noise(rng, params, batch, T, block_length):
    J2 = params[0][-1][0].shape[1]
    J1 = params[1][-1][0].shape[1]
    return rng.standard_normal((batch, T // block_length, J2)), rng.standard_normal((batch, T, J1))


def fit(params, frames, block_length, steps=400, batch_size=32, optimizer=None, obs_std=0.05, seed=0,
        record_every=20):
    """Train ``params`` in place on minibatches of sequences (one draw of the noise per step).

    Returns the loss (−ELBO per frame, nats) every ``record_every`` steps. Adam (default learning
    rate 3·10⁻³). Deterministic given ``seed``.
    """
    optimizer = checked_optimizer(optimizer, 3e-3)
    frames = np.asarray(frames, dtype=np.float64)
    if frames.ndim != 3 or frames.shape[1] % block_length:
        raise ValueError(f"frames must be (n, T, P) with T a multiple of block_length={block_length}, "
                         f"got {frames.shape}")
    rng = np.random.default_rng(seed)
    value_and_grad = autograd.value_and_grad(loss)

    def on_a_minibatch(step):
        batch = frames[rng.integers(0, len(frames), size=int(batch_size))]
        eps2, eps1 = _noise(rng, params, len(batch), batch.shape[1], block_length)
        return value_and_grad(params, batch, block_length, eps2, eps1, obs_std)

    return descend(params, optimizer, steps, on_a_minibatch, record_every)


def posterior_means(params, frames, block_length):
    """E_q[z²_j] (n, n_blocks, J₂) and E_q[z¹_t] (n, T, J₁): the encoders' means."""
    (m2, _), (m1, _) = posterior(params, np.asarray(frames, dtype=np.float64), block_length)
    return m2, m1


def decode(params, z1, z2, block_length):
    """Frame means (n, T, P) from z¹ (n, T, J₁) and z² (n, n_blocks, J₂)."""
    return mlp(params[4], np.concatenate([z1, _per_step(np.asarray(z2), block_length)], axis=-1))


def r_squared(features, target):
    """R² of the least-squares linear prediction of ``target`` (n,) from ``features`` (n, k) plus a constant.

    With one feature it is the squared correlation coefficient.
    """
    X = np.column_stack([np.asarray(features).reshape(len(target), -1), np.ones(len(target))])
    coef, *_ = np.linalg.lstsq(X, target, rcond=None)
    residual = target - X @ coef
    return float(1.0 - residual.var() / np.var(target))


def sample(params, n_sequences, n_blocks, block_length, rng, z2=None):
    """Ancestral sampling from the generative model: frame means (n, T, P), z¹ (n, T, J₁), z² (n, n_blocks, J₂).

    z²_j ~ p(z²_j | z²_{j−1}) block by block, unless ``z2`` (n, n_blocks, J₂) is given (e.g. the
    slow posterior means of real sequences); then z¹_t ~ p(z¹_t | z¹_{t−1}, z²_{j(t)}) step by step.
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    J2 = params[2][-1][0].shape[1]
    J1 = params[3][-1][0].shape[1]
    if z2 is None:
        z2 = np.zeros((n_sequences, n_blocks, J2))
        previous = np.zeros((n_sequences, J2))
        for j in range(n_blocks):
            mean, log_var = gaussian_mlp(params[2], previous)
            previous = reparameterize(mean, log_var, rng.standard_normal((n_sequences, J2)))
            z2[:, j] = previous
    z2 = np.asarray(z2, dtype=np.float64)
    T = n_blocks * block_length
    z1 = np.zeros((n_sequences, T, J1))
    previous = np.zeros((n_sequences, J1))
    for t in range(T):
        mean, log_var = gaussian_mlp(params[3], np.concatenate([previous, z2[:, t // block_length]], axis=-1))
        previous = reparameterize(mean, log_var, rng.standard_normal((n_sequences, J1)))
        z1[:, t] = previous
    return np.asarray(decode(params, z1, z2, block_length)), z1, z2
