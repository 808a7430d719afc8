import itertools

import numpy as np
import pytest

from vae_from_scratch.models import code_prior as cp


def test_parent_structures():
    assert cp.independent_parents(3) == ((), (), ())
    assert cp.chain_parents(3) == ((), (0,), (1,))
    assert cp.grid_parents(2, 3) == ((), (0,), (1,), (0,), (3, 1), (4, 2))


def test_parents_must_be_earlier_positions():
    codes = np.zeros((4, 3), dtype=int)
    with pytest.raises(ValueError, match="autoregressive"):
        cp.fit_code_prior(codes, 2, ((), (2,), ()))
    with pytest.raises(ValueError, match="codes must be integers"):
        cp.fit_code_prior(codes + 5, 2, cp.chain_parents(3))


@pytest.mark.parametrize("parents", [cp.independent_parents(3), cp.chain_parents(3), ((), (0,), (0, 1))])
def test_the_prior_is_a_normalised_distribution_over_all_tuples(parents):
    rng = np.random.default_rng(0)
    K = 3
    prior = cp.fit_code_prior(rng.integers(0, K, (50, 3)), K, parents, alpha=0.3)
    every_tuple = np.array(list(itertools.product(range(K), repeat=3)))
    assert np.exp(cp.code_log_prob(prior, every_tuple)).sum() == pytest.approx(1.0)


def test_counts_without_smoothing_are_maximum_likelihood():
    codes = np.array([[0, 1], [0, 1], [0, 0], [1, 1]])
    prior = cp.fit_code_prior(codes, 2, cp.chain_parents(2), alpha=0.0)
    np.testing.assert_allclose(np.exp(prior.log_tables[0]), [0.75, 0.25])
    np.testing.assert_allclose(np.exp(prior.log_tables[1]), [[1 / 3, 2 / 3], [0.0, 1.0]])
    assert prior.n_parameters == 1 + 2


def test_independent_prior_is_the_product_of_marginals():
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 4, (100, 2))
    prior = cp.fit_code_prior(codes, 4, cp.independent_parents(2), alpha=0.0)
    marginals = [np.bincount(codes[:, t], minlength=4) / 100 for t in range(2)]
    np.testing.assert_allclose(cp.code_log_prob(prior, codes),
                               np.log(marginals[0][codes[:, 0]] * marginals[1][codes[:, 1]]))


def test_ancestral_samples_follow_the_prior():
    rng = np.random.default_rng(2)
    K = 3
    prior = cp.fit_code_prior(rng.integers(0, K, (30, 2)) * np.array([1, 0]) + np.array([0, 1]), K,
                              cp.chain_parents(2), alpha=0.5)
    samples = cp.sample_codes(prior, 60_000, rng=3)
    every_tuple = list(itertools.product(range(K), repeat=2))
    frequencies = np.array([np.mean(np.all(samples == t, axis=1)) for t in every_tuple])
    probabilities = np.exp(cp.code_log_prob(prior, np.array(every_tuple)))
    np.testing.assert_allclose(frequencies, probabilities, atol=0.01)
    np.testing.assert_array_equal(samples[:10], cp.sample_codes(prior, 60_000, rng=3)[:10])
