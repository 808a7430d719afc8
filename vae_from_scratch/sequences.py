"""Generated sequences for the chapter on time, and μ-law companding.

Every generator takes a NumPy ``Generator`` (or a seed) and returns float64 arrays; nothing is
downloaded. Each sequence family isolates one temporal structure:

    waveform              one fixed 1-D signal with structure on many time scales (Clockwork RNN)
    sine_mixtures         short sums of sinusoids, a batch of them (WaveNet's autoregression)
    piecewise_constant    noisy levels that jump at random times, with the true jump times
                          (learned COPY/UPDATE boundaries)
    moving_blob           1-D frames of a bump that moves every step and whose height changes
                          only every k steps (a fast and a slow factor, for the Clockwork VAE)

μ-law companding (ITU-T G.711; used by WaveNet, van den Oord et al. 2016) squeezes amplitudes in
[−1, 1] logarithmically before quantizing them to 2^bits levels, so that quiet samples, which are
the common ones in audio, get most of the levels:

    f(x) = sign(x) · ln(1 + μ|x|) / ln(1 + μ),        f⁻¹(y) = sign(y) · ((1 + μ)^{|y|} − 1) / μ,

with μ = 2^bits − 1 by default.
"""
import math

import numpy as np


def _rng(rng):
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _positive_int(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer ≥ {minimum}, got {value!r}")
    return int(value)


# ---- μ-law companding -------------------------------------------------------------------------


def _mu(bits, mu):
    bits = _positive_int("bits", bits)
    mu = float(2 ** bits - 1) if mu is None else float(mu)
    if not mu > 0:
        raise ValueError(f"mu must be positive, got {mu!r}")
    return bits, mu


def mu_law_compress(x, mu=255.0):
    """f(x) = sign(x) ln(1 + μ|x|) / ln(1 + μ): [−1, 1] → [−1, 1], steep near 0, flat near ±1."""
    x = np.asarray(x, dtype=np.float64)
    return np.sign(x) * np.log1p(mu * np.abs(x)) / math.log1p(mu)


def mu_law_expand(y, mu=255.0):
    """f⁻¹(y) = sign(y) ((1 + μ)^{|y|} − 1) / μ, the inverse of :func:`mu_law_compress`."""
    y = np.asarray(y, dtype=np.float64)
    return np.sign(y) * np.expm1(np.abs(y) * math.log1p(mu)) / mu


def mu_law_encode(x, bits=8, mu=None):
    """Integer codes 0 … 2^bits − 1 of amplitudes ``x`` (clipped to [−1, 1]).

    The compressed value y = f(x) is mapped linearly from [−1, 1] onto [0, n − 1], n = 2^bits,
    and rounded to the nearest integer: q = round((y + 1)(n − 1) / 2). Neighbouring codes are
    2/(n − 1) apart in y, so rounding moves y by at most 1/(n − 1).
    """
    bits, mu = _mu(bits, mu)
    n = 2 ** bits
    y = mu_law_compress(np.clip(x, -1.0, 1.0), mu)
    return np.rint((y + 1.0) * (n - 1) / 2.0).astype(np.int64)


def mu_law_decode(codes, bits=8, mu=None):
    """Amplitudes of integer codes: y = 2q/(n − 1) − 1, then x = f⁻¹(y)."""
    bits, mu = _mu(bits, mu)
    n = 2 ** bits
    codes = np.asarray(codes)
    if codes.size and (codes.min() < 0 or codes.max() > n - 1):
        raise ValueError(f"codes must lie in 0 … {n - 1} for bits={bits}")
    return mu_law_expand(2.0 * codes / (n - 1) - 1.0, mu)


def mu_law_error_bound(x, bits=8, mu=None):
    """An upper bound on |x − decode(encode(x))| for amplitudes ``x`` in [−1, 1].

    Rounding moves y = f(x) by at most h = 1/(n − 1). On that interval the slope of f⁻¹ is at most
    ln(1 + μ)(1 + μ)^{|y| + h} / μ, and (1 + μ)^{|y|} = 1 + μ|x|, so (mean-value theorem)

        |x − x̂| ≤ h · ln(1 + μ) · (1 + μ)^h · (|x| + 1/μ).

    The error grows in proportion to |x|: μ-law spends its precision on small amplitudes.
    """
    bits, mu = _mu(bits, mu)
    h = 1.0 / (2 ** bits - 1)
    return h * math.log1p(mu) * (1.0 + mu) ** h * (np.abs(np.asarray(x, dtype=np.float64)) + 1.0 / mu)


# ---- sequences ---------------------------------------------------------------------------------


def waveform(n_steps=320, rng=0, periods=(160.0, 53.0, 17.0, 6.0), amplitudes=(1.0, 0.6, 0.4, 0.25)):
    """One 1-D signal of ``n_steps`` samples with structure on several time scales, max |x| = 1.

    A sum of sinusoids with the given periods (in steps) and amplitudes and random phases, times a
    slow envelope that rises and falls once over the whole sequence, so that no stretch repeats
    another exactly: to reproduce it, a network has to know *where* in the sequence it is.
    Returns shape (n_steps,).
    """
    n_steps = _positive_int("n_steps", n_steps, 2)
    rng = _rng(rng)
    t = np.arange(n_steps, dtype=np.float64)
    phases = rng.uniform(0.0, 2.0 * math.pi, size=len(periods))
    x = sum(a * np.sin(2.0 * math.pi * t / p + phi) for a, p, phi in zip(amplitudes, periods, phases))
    envelope = 0.6 + 0.4 * np.sin(math.pi * t / n_steps)
    x = envelope * x
    return x / np.max(np.abs(x))


def sine_mixtures(n_sequences, n_steps, rng=0, n_components=2, period_range=(6.0, 40.0), noise=0.01):
    """A batch of sums of ``n_components`` sinusoids, shape (n_sequences, n_steps), in [−1, 1].

    Each sequence draws its own periods (log-uniform in ``period_range``, in steps), phases and
    amplitudes (uniform in [0.2, 1]); the sum is scaled so that its largest possible value is 0.9,
    and Gaussian noise of standard deviation ``noise`` is added. A sum of K sinusoids obeys a linear
    recurrence of order 2K, so a model that sees enough of the past can predict the next sample.
    """
    n_sequences = _positive_int("n_sequences", n_sequences)
    n_steps = _positive_int("n_steps", n_steps)
    rng = _rng(rng)
    t = np.arange(n_steps, dtype=np.float64)
    log_lo, log_hi = np.log(period_range[0]), np.log(period_range[1])
    periods = np.exp(rng.uniform(log_lo, log_hi, size=(n_sequences, n_components, 1)))
    phases = rng.uniform(0.0, 2.0 * math.pi, size=(n_sequences, n_components, 1))
    amplitudes = rng.uniform(0.2, 1.0, size=(n_sequences, n_components, 1))
    x = np.sum(amplitudes * np.sin(2.0 * math.pi * t / periods + phases), axis=1)
    x = 0.9 * x / np.sum(amplitudes, axis=1)
    x = x + noise * rng.standard_normal(x.shape)
    return np.clip(x, -1.0, 1.0)


def piecewise_constant(n_sequences, n_steps, rng=0, min_length=4, max_length=12, min_jump=0.4, noise=0.05):
    """Noisy sequences of constant levels, and where each level starts.

    Segment lengths are uniform integers in [min_length, max_length]; each level is uniform in
    [−1, 1] and differs from the previous one by at least ``min_jump``; Gaussian noise of standard
    deviation ``noise`` is added to every step. Returns ``(x, boundaries)``, both
    (n_sequences, n_steps): ``boundaries[i, t]`` is True when a new segment starts at step t (always
    at t = 0), and ``x`` holds the observations.
    """
    n_sequences = _positive_int("n_sequences", n_sequences)
    n_steps = _positive_int("n_steps", n_steps)
    min_length = _positive_int("min_length", min_length)
    if max_length < min_length:
        raise ValueError(f"max_length ({max_length}) must be ≥ min_length ({min_length})")
    if not 0 <= min_jump < 1:
        raise ValueError(f"min_jump must be in [0, 1), got {min_jump!r}")
    rng = _rng(rng)
    levels = np.empty((n_sequences, n_steps))
    boundaries = np.zeros((n_sequences, n_steps), dtype=bool)
    for i in range(n_sequences):
        t, level = 0, None
        while t < n_steps:
            new = rng.uniform(-1.0, 1.0)
            while level is not None and abs(new - level) < min_jump:
                new = rng.uniform(-1.0, 1.0)
            level = new
            length = int(rng.integers(min_length, max_length + 1))
            levels[i, t:t + length] = level
            boundaries[i, t] = True
            t += length
    return levels + noise * rng.standard_normal(levels.shape), boundaries


def moving_blob(n_sequences, n_blocks=4, block_length=8, width=16, rng=0, blob_width=1.5, noise=0.02,
                amplitude_range=(0.2, 1.0)):
    """1-D frames of a bump that moves every step and changes height only every ``block_length`` steps.

    Frame t of sequence i is  a_{i,j(t)} · exp(−(p − c_{i,t})² / (2 · blob_width²)) + noise  over pixels
    p = 0 … width − 1, with j(t) = t // block_length the block of step t:

    - the *fast* factor, the centre c_t = (width − 1)/2 + r sin(ω t + φ), moves every step
      (ω uniform in [0.6, 1.2] radians per step, r = (width − 1)/2 − 2);
    - the *slow* factor, the height a_j, is uniform in ``amplitude_range`` and constant within a block.

    Returns ``(frames (n, T, width), amplitude (n, n_blocks), centre (n, T))`` with
    T = n_blocks · block_length.
    """
    n_sequences = _positive_int("n_sequences", n_sequences)
    n_blocks = _positive_int("n_blocks", n_blocks)
    block_length = _positive_int("block_length", block_length)
    width = _positive_int("width", width, 5)
    rng = _rng(rng)
    n_steps = n_blocks * block_length
    t = np.arange(n_steps, dtype=np.float64)
    omega = rng.uniform(0.6, 1.2, size=(n_sequences, 1))
    phase = rng.uniform(0.0, 2.0 * math.pi, size=(n_sequences, 1))
    radius = (width - 1) / 2.0 - 2.0
    centre = (width - 1) / 2.0 + radius * np.sin(omega * t + phase)
    amplitude = rng.uniform(*amplitude_range, size=(n_sequences, n_blocks))
    height = np.repeat(amplitude, block_length, axis=1)  # (n, T)
    pixels = np.arange(width, dtype=np.float64)
    bump = np.exp(-((pixels - centre[..., None]) ** 2) / (2.0 * blob_width ** 2))
    frames = height[..., None] * bump + noise * rng.standard_normal((n_sequences, n_steps, width))
    return frames, amplitude, centre
