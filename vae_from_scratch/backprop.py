"""The backward pass of SGVB estimator B (eq. 7) for the MLP VAE, derived by hand.

This is what ``autograd.grad`` computes for us everywhere else, written out: a forward pass that
keeps every layer's output, then the chain rule applied layer by layer from the log-likelihood
back to the encoder's first weight matrix. It exists for two reasons: to show that nothing in
AEVB needs magic (only the chain rule through z = μ + σ ⊙ ε), and speed: this is the training
path of the MLP VAE. ``tests/test_backprop.py`` checks it against autograd and finite differences.

The objective is the batch mean of eq. (7), for a minibatch of B points with L samples each:

    F(θ, φ) = (1/B) Σ_i [ (1/L) Σ_l log p_θ(x_i | z_il)  −  β · KL(q_φ(z|x_i) ‖ N(0, I)) ],
    z_il = μ_i + σ_i ⊙ ε_il,

the batch mean of :func:`vae_from_scratch.objectives.elbo_estimator_b`. We return F and ∂F/∂params,
the ASCENT direction (an optimizer that descends must be handed −grads).

Notation of the comments: a "delta" is ∂F/∂(that array); ``h`` are layer outputs; every matrix
product runs on (L·B, ·) rows, the L samples stacked on the batch, so one BLAS call per layer.
"""
import math

import numpy as np

LOG_2PI = math.log(2.0 * math.pi)
ACTIVATIONS = ("tanh", "relu")
LIKELIHOODS = ("bernoulli", "gaussian")


def _activate(pre, activation):
    if activation == "tanh":
        return np.tanh(pre, out=pre)  # pre-activations are not needed again: overwrite them
    return np.maximum(pre, 0.0, out=pre)


def _through_activation(delta_out, h, activation):
    """delta w.r.t. the pre-activation, from delta w.r.t. the output h = act(pre). In place."""
    if activation == "tanh":
        delta_out *= 1.0 - h * h  # tanh' = 1 − tanh²
    else:
        delta_out *= h > 0.0  # relu' = 1 where the unit is on
    return delta_out


def _sum_log(one_plus_e, e):
    """Σ log(1 + e) for e in (0, 1]. NumPy's float32 log1p is 4x slower than its log, and
    log(1 + e) loses only what is below one rounding error of the sum; float64 log1p is fast."""
    if one_plus_e.dtype == np.float32:
        return np.sum(np.log(one_plus_e))
    return np.sum(np.log1p(e))


def _sigmoid(a):
    """1 / (1 + e^{−a}) in place, from e^{−|a|} so that nothing overflows (and fast in float64)."""
    e = np.exp(-np.abs(a))
    s = np.divide(e, e + 1.0, out=e)  # sigmoid(−|a|)
    np.copysign(np.subtract(0.5, s, out=s), a, out=a)  # sigmoid(a) − ½
    a += 0.5
    return a


def _linear_grads(h_in, delta):
    """A layer h_in @ W + b with output delta: ∂F/∂W = h_inᵀ delta, ∂F/∂b = Σ_rows delta."""
    return h_in.T @ delta, delta.sum(axis=0)


def _backward_through_hidden(layers, inputs, delta_h, activation, need_input_delta):
    """Walk the hidden layers from the top down; returns their grads and delta w.r.t. inputs[0].

    ``inputs[k]`` is the input of hidden layer k and ``inputs[k + 1]`` its output.
    """
    grads = [None] * len(layers)
    for k in range(len(layers) - 1, -1, -1):
        W, _ = layers[k]
        delta_pre = _through_activation(delta_h, inputs[k + 1], activation)
        grads[k] = _linear_grads(inputs[k], delta_pre)
        if k > 0 or need_input_delta:
            delta_h = delta_pre @ W.T
    return grads, (delta_h if need_input_delta else None)


def elbo_b_value_and_grad(params, x, eps, likelihood="bernoulli", beta=1.0, activation="tanh"):
    """Batch-mean SGVB estimator B, eq. (7), and its gradient, by hand-written backpropagation.

    Parameters are those of :mod:`vae_from_scratch.objectives`: ``params = (encoder_params,
    decoder_params)``; the encoder is a Gaussian MLP (hidden layers, a mean head, a log-variance
    head); the decoder a Bernoulli MLP (``likelihood="bernoulli"``, returns logits) or a Gaussian
    MLP with a sigmoid-constrained mean (``"gaussian"``). ``x`` is (B, D); ``eps`` is (L, B, J)
    or (B, J). Any number of hidden layers (``activation`` "tanh" or "relu").

    Returns ``(value, grads)``: the mean over the batch of ``elbo_estimator_b`` and its gradient,
    ``grads`` with exactly the structure of ``params`` (ascent direction). float32 stays float32.
    """
    if likelihood not in LIKELIHOODS:
        raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {likelihood!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS} for the manual backward pass, "
                         f"got {activation!r}; use autograd for other activations")
    encoder_params, decoder_params = params
    if eps.ndim == 2:
        eps = eps[None]
    L, B, J = eps.shape
    D = x.shape[1]
    # Every log p(x_i|z_il) enters F with weight 1/(L·B); every KL_i with weight β/B.
    scale = 1.0 / (L * B)
    kl_scale = float(beta) / B

    # ---------------- forward: the encoder q_φ(z|x) = N(μ, diag σ²) -------------------------
    enc_inputs = [x]  # enc_inputs[k] is the input of hidden layer k, and its output is [k + 1]
    h = x
    for W, b in encoder_params[:-2]:
        pre = h @ W
        pre += b
        h = _activate(pre, activation)  # (B, H)
        enc_inputs.append(h)
    (W_mu, b_mu), (W_lv, b_lv) = encoder_params[-2], encoder_params[-1]
    mu = h @ W_mu + b_mu  # (B, J)
    log_var = h @ W_lv + b_lv  # (B, J)
    std = np.exp(0.5 * log_var)  # σ, (B, J)
    var = std * std  # σ² = exp(log σ²)

    # The reparameterization trick, eq. (4): z = μ + σ ⊙ ε, a differentiable function of φ.
    z = (mu + std * eps).reshape(L * B, J)  # (L·B, J), the L samples stacked on the batch

    # ---------------- forward: the decoder p_θ(x|z) ------------------------------------------
    n_heads = 1 if likelihood == "bernoulli" else 2
    dec_hidden = decoder_params[:-n_heads]
    dec_inputs = [z]
    h = z
    for W, b in dec_hidden:
        pre = h @ W
        pre += b
        h = _activate(pre, activation)  # (L·B, H)
        dec_inputs.append(h)

    if likelihood == "bernoulli":
        # log p(x|z) = Σ_d x_d a_d − softplus(a_d), a the logits (App. C.1, written stably).
        W_out, b_out = decoder_params[-1]
        logits = h @ W_out
        logits += b_out  # a, (L·B, D)
        e = np.abs(logits)
        sum_abs = np.sum(e)
        e = np.exp(np.negative(e, out=e), out=e)  # e^{−|a|} in (0, 1]: never overflows
        one_plus_e = e + 1.0
        # Σ softplus(a) = Σ max(a, 0) + Σ log(1 + e^{−|a|}),  with Σ max(a, 0) = ½ (Σ a + Σ |a|)
        softplus_sum = 0.5 * (np.sum(logits) + sum_abs) + _sum_log(one_plus_e, e)
        logits_over_samples = logits if L == 1 else logits.reshape(L, B, D).sum(axis=0)
        x_dot_logits = np.vdot(x, logits_over_samples)  # Σ_l Σ_i x_i · a_il
        log_lik_sum = x_dot_logits - softplus_sum
        # ∂ log p / ∂a = x − sigmoid(a). With s = e^{−|a|}/(1 + e^{−|a|}) = sigmoid(−|a|),
        # sigmoid(a) is 1 − s for a ≥ 0 and s for a < 0, that is ½ + sign(a)·(½ − s).
        s = np.divide(e, one_plus_e, out=e)
        delta_logits = np.copysign(np.subtract(0.5, s, out=s), logits, out=s)  # sigmoid(a) − ½
        delta_logits *= -scale
        delta_logits = delta_logits.reshape(L, B, D)
        delta_logits += scale * (x - 0.5)  # (x − ½) − (sigmoid(a) − ½), broadcast over L
        delta_logits = delta_logits.reshape(L * B, D)
        dec_head_grads = [_linear_grads(h, delta_logits)]
        delta_h = delta_logits @ W_out.T  # (L·B, H)
    else:
        # log p(x|z) = −½ Σ_d [ log 2π + ℓ_d + (x_d − m_d)² e^{−ℓ_d} ]  (App. C.2),
        # with m = sigmoid(m̃) the constrained mean and ℓ = log σ² the log-variance head.
        (W_m, b_m), (W_l, b_l) = decoder_params[-2], decoder_params[-1]
        mean = h @ W_m
        mean += b_m  # m̃, (L·B, D)
        mean = _sigmoid(mean)  # m
        dec_log_var = h @ W_l
        dec_log_var += b_l  # ℓ, (L·B, D)
        precision = np.exp(-dec_log_var)  # 1/σ²
        resid = (x - mean.reshape(L, B, D)).reshape(L * B, D)  # x − m, broadcast over L
        weighted = np.multiply(resid, precision, out=precision)  # (x − m)/σ²
        sq = np.multiply(weighted, resid, out=resid)  # (x − m)²/σ²
        log_lik_sum = -0.5 * (L * B * D * LOG_2PI + np.sum(dec_log_var) + np.sum(sq))
        # ∂/∂m̃ = (x − m)/σ² · m (1 − m)   (the sigmoid's derivative is m (1 − m))
        delta_mean = weighted
        delta_mean *= scale * mean * (1.0 - mean)
        # ∂/∂ℓ = −½ + ½ (x − m)²/σ²
        delta_dec_log_var = np.subtract(sq, 1.0, out=sq)
        delta_dec_log_var *= 0.5 * scale
        dec_head_grads = [_linear_grads(h, delta_mean), _linear_grads(h, delta_dec_log_var)]
        delta_h = delta_mean @ W_m.T
        delta_h += delta_dec_log_var @ W_l.T  # (L·B, H)

    # ---------------- backward: the decoder, top down, to ∂F/∂z ------------------------------
    if dec_hidden:
        dec_hidden_grads, delta_z = _backward_through_hidden(
            dec_hidden, dec_inputs, delta_h, activation, need_input_delta=True)
    else:
        dec_hidden_grads, delta_z = [], delta_h  # z feeds the output layer directly
    delta_z = delta_z.reshape(L, B, J)

    # ---------------- backward: through z = μ + σ ⊙ ε and the analytic KL --------------------
    # −KL = ½ Σ_j (1 + log σ_j² − μ_j² − σ_j²)   (App. B), weighted by β/B in F, so
    #   ∂(−β KL/B)/∂μ      = −(β/B) μ
    #   ∂(−β KL/B)/∂log σ² = −(β/B) ½ (σ² − 1)
    # and through the sample: ∂z/∂μ = 1, ∂z/∂log σ² = ½ σ ε (because σ = exp(½ log σ²)),
    # summed over the L samples that share μ and σ.
    if L == 1:
        delta_mu = delta_z[0] - kl_scale * mu
        delta_log_var = 0.5 * std * (delta_z[0] * eps[0])
    else:
        delta_mu = delta_z.sum(axis=0) - kl_scale * mu
        delta_log_var = 0.5 * std * (delta_z * eps).sum(axis=0)
    delta_log_var -= (0.5 * kl_scale) * (var - 1.0)

    kl_sum = 0.5 * np.sum(mu * mu + var - 1.0 - log_var)
    value = scale * log_lik_sum - kl_scale * kl_sum

    # ---------------- backward: the encoder heads and hidden layers ---------------------------
    h = enc_inputs[-1]
    enc_head_grads = [_linear_grads(h, delta_mu), _linear_grads(h, delta_log_var)]
    enc_hidden = encoder_params[:-2]
    if enc_hidden:
        delta_h = delta_mu @ W_mu.T + delta_log_var @ W_lv.T  # (B, H)
        enc_hidden_grads, _ = _backward_through_hidden(
            enc_hidden, enc_inputs, delta_h, activation, need_input_delta=False)
    else:
        enc_hidden_grads = []

    grads = (enc_hidden_grads + enc_head_grads, dec_hidden_grads + dec_head_grads)
    return value, (grads if isinstance(params, tuple) else list(grads))
