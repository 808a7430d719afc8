import math

import numpy as np
import pytest

from vae_from_scratch import sequences as sq


@pytest.mark.parametrize("bits", [4, 6, 8])
def test_mu_law_round_trip_within_the_derived_bound(bits):
    x = np.linspace(-1.0, 1.0, 20001)
    codes = sq.mu_law_encode(x, bits)
    assert codes.min() == 0 and codes.max() == 2 ** bits - 1
    error = np.abs(sq.mu_law_decode(codes, bits) - x)
    bound = sq.mu_law_error_bound(x, bits)
    assert np.all(error <= bound + 1e-12)
    assert np.max(error / bound) > 0.5  # the bound is not loose by orders of magnitude


def test_mu_law_compress_and_expand_are_inverse_and_odd():
    x = np.linspace(-1.0, 1.0, 101)
    assert np.allclose(sq.mu_law_expand(sq.mu_law_compress(x, 63.0), 63.0), x, atol=1e-12)
    assert np.allclose(sq.mu_law_compress(-x, 255.0), -sq.mu_law_compress(x, 255.0))
    assert sq.mu_law_compress(1.0, 255.0) == pytest.approx(1.0)
    # f(x) = sign(x) ln(1 + μ|x|) / ln(1 + μ), checked at one point by hand
    assert sq.mu_law_compress(0.5, 255.0) == pytest.approx(math.log(1 + 127.5) / math.log(256))


def test_mu_law_spends_levels_on_small_amplitudes():
    codes = np.unique(sq.mu_law_encode(np.linspace(-1, 1, 100001), 6))
    amplitudes = sq.mu_law_decode(codes, 6)
    assert np.sum(np.abs(amplitudes) < 0.1) > 0.4 * len(codes)  # 10 % of the range, > 40 % of the levels


def test_mu_law_rejects_out_of_range_codes():
    with pytest.raises(ValueError, match="codes"):
        sq.mu_law_decode([0, 64], 6)
    with pytest.raises(ValueError, match="bits"):
        sq.mu_law_encode([0.0], 0)


def test_waveform_is_normalised_and_reproducible():
    x = sq.waveform(320, 0)
    assert x.shape == (320,) and np.max(np.abs(x)) == pytest.approx(1.0)
    assert np.array_equal(x, sq.waveform(320, 0)) and not np.array_equal(x, sq.waveform(320, 1))


def test_sine_mixtures_shape_and_range():
    x = sq.sine_mixtures(7, 50, 0)
    assert x.shape == (7, 50) and np.all(np.abs(x) <= 1.0)
    clean = sq.sine_mixtures(3, 200, 1, noise=0.0)
    assert np.max(np.abs(clean)) <= 0.9 + 1e-12


def test_piecewise_constant_boundaries_mark_the_jumps():
    x, boundaries = sq.piecewise_constant(20, 60, 0, noise=0.0)
    assert x.shape == boundaries.shape == (20, 60)
    assert boundaries[:, 0].all()
    jumps = np.abs(np.diff(x, axis=1)) > 0
    assert np.array_equal(jumps, boundaries[:, 1:])
    assert np.all(np.abs(np.diff(x, axis=1))[jumps] >= 0.4)
    starts = [np.flatnonzero(row) for row in boundaries]
    lengths = np.concatenate([np.diff(s) for s in starts])
    assert lengths.min() >= 4 and lengths.max() <= 12


def test_moving_blob_slow_factor_is_constant_within_blocks():
    frames, amplitude, centre = sq.moving_blob(5, n_blocks=3, block_length=4, width=12, rng=0, noise=0.0)
    assert frames.shape == (5, 12, 12) and amplitude.shape == (5, 3) and centre.shape == (5, 12)
    peak = frames.max(axis=2)  # the bump's height is at most the block's amplitude
    assert np.all(peak <= np.repeat(amplitude, 4, axis=1) + 1e-12)
    assert np.all(np.abs(np.diff(centre, axis=1)) > 0.01)  # the centre moves every step
    assert np.all((centre >= 2.0 - 1e-9) & (centre <= 9.0 + 1e-9))
