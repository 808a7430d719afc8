"""The two Monte Carlo gradient estimators of Chapter 4: exact pieces, unbiasedness, variance."""
import warnings

import numpy as np
import pytest
from autograd import grad
from scipy import stats

from vae_from_scratch import gradient_estimators as ge

MEAN = np.array([1.0, -0.5])
LOG_SIGMA = np.array([0.0, -0.3])

TEST_FUNCTIONS = [
    (ge.square, ge.expected_square),
    (ge.gaussian_bump, ge.expected_gaussian_bump),
    (ge.step, ge.expected_step),
]


def test_gaussian_sample_is_location_scale():
    eps = np.array([[0.0, 0.0], [1.0, -2.0]])
    z = ge.gaussian_sample(MEAN, LOG_SIGMA, eps)
    np.testing.assert_allclose(z[0], MEAN)
    np.testing.assert_allclose(z[1], MEAN + np.exp(LOG_SIGMA) * eps[1])


def test_gaussian_log_density_matches_scipy():
    z = np.random.default_rng(0).normal(size=(5, 2))
    expected = stats.norm.logpdf(z, MEAN, np.exp(LOG_SIGMA)).sum(axis=-1)
    np.testing.assert_allclose(ge.gaussian_log_density(z, MEAN, LOG_SIGMA), expected, rtol=1e-12)


def test_gaussian_score_is_the_gradient_of_the_log_density():
    z = np.array([0.3, 0.7])
    by_autograd = grad(lambda phi: ge.gaussian_log_density(z, phi[0], phi[1]))((MEAN, LOG_SIGMA))
    by_hand = ge.gaussian_score(z, MEAN, LOG_SIGMA)
    np.testing.assert_allclose(by_hand[0], by_autograd[0], rtol=1e-12)
    np.testing.assert_allclose(by_hand[1], by_autograd[1], rtol=1e-12)


def test_score_has_mean_zero_under_q():
    eps = np.random.default_rng(1).standard_normal((400_000, 2))
    z = ge.gaussian_sample(MEAN, LOG_SIGMA, eps)
    for part in ge.gaussian_score(z, MEAN, LOG_SIGMA):
        se = part.std(axis=0) / np.sqrt(len(part))
        assert np.all(np.abs(part.mean(axis=0)) < 5 * se)


def test_exact_gradient_of_the_square_by_hand():
    # E‖z‖² = Σ μ² + σ²:  ∂/∂μ = 2μ,  ∂/∂log σ = 2σ²
    grad_mean, grad_log_sigma = ge.exact_gradient(ge.expected_square, MEAN, LOG_SIGMA)
    np.testing.assert_allclose(grad_mean, 2 * MEAN)
    np.testing.assert_allclose(grad_log_sigma, 2 * np.exp(2 * LOG_SIGMA))


@pytest.mark.parametrize("f, expectation", TEST_FUNCTIONS, ids=lambda f: getattr(f, "__name__", ""))
def test_closed_form_expectations_match_monte_carlo(f, expectation):
    eps = np.random.default_rng(2).standard_normal((400_000, 2))
    values = f(ge.gaussian_sample(MEAN, LOG_SIGMA, eps))
    se = values.std() / np.sqrt(len(values))
    assert abs(values.mean() - expectation(MEAN, LOG_SIGMA)) < 5 * se


@pytest.mark.parametrize("baseline", [0.0, 1.7, "leave-one-out"])
@pytest.mark.parametrize("f, expectation", TEST_FUNCTIONS, ids=lambda f: getattr(f, "__name__", ""))
def test_score_function_estimator_is_unbiased(f, expectation, baseline):
    eps = np.random.default_rng(3).standard_normal((200_000, 2))
    terms = ge.score_function_terms(f, MEAN, LOG_SIGMA, eps, baseline)
    exact = ge.exact_gradient(expectation, MEAN, LOG_SIGMA)
    for part, truth in zip(terms, exact):
        se = part.std(axis=0) / np.sqrt(len(part))
        assert np.all(np.abs(part.mean(axis=0) - truth) < 5 * se), (part.mean(axis=0), truth, se)


@pytest.mark.parametrize("f, expectation", TEST_FUNCTIONS[:2], ids=lambda f: getattr(f, "__name__", ""))
def test_pathwise_estimator_is_unbiased_for_smooth_f(f, expectation):
    eps = np.random.default_rng(4).standard_normal((200_000, 2))
    terms = ge.pathwise_terms(f, MEAN, LOG_SIGMA, eps)
    exact = ge.exact_gradient(expectation, MEAN, LOG_SIGMA)
    for part, truth in zip(terms, exact):
        se = part.std(axis=0) / np.sqrt(len(part))
        assert np.all(np.abs(part.mean(axis=0) - truth) < 5 * se)


def test_pathwise_terms_of_the_square_by_hand():
    # f(μ + σε) = Σ (μ + σε)²:  ∂/∂μ = 2z,  ∂/∂log σ = 2z·σε
    eps = np.random.default_rng(5).standard_normal((7, 2))
    z = ge.gaussian_sample(MEAN, LOG_SIGMA, eps)
    terms_mean, terms_log_sigma = ge.pathwise_terms(ge.square, MEAN, LOG_SIGMA, eps)
    np.testing.assert_allclose(terms_mean, 2 * z, rtol=1e-12)
    np.testing.assert_allclose(terms_log_sigma, 2 * z * np.exp(LOG_SIGMA) * eps, rtol=1e-12)


def test_score_function_terms_of_the_square_by_hand():
    eps = np.random.default_rng(6).standard_normal((7, 2))
    z = ge.gaussian_sample(MEAN, LOG_SIGMA, eps)
    f = np.sum(z ** 2, axis=-1, keepdims=True)
    terms_mean, terms_log_sigma = ge.score_function_terms(ge.square, MEAN, LOG_SIGMA, eps, baseline=0.5)
    np.testing.assert_allclose(terms_mean, (f - 0.5) * eps / np.exp(LOG_SIGMA), rtol=1e-12)
    np.testing.assert_allclose(terms_log_sigma, (f - 0.5) * (eps ** 2 - 1), rtol=1e-12)


def test_pathwise_gradient_of_a_step_is_zero_and_wrong():
    eps = np.random.default_rng(7).standard_normal((1000, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # autograd's "independent of input" warning must not escape
        grad_mean, grad_log_sigma = ge.pathwise_gradient(ge.step, MEAN, LOG_SIGMA, eps)
    assert np.all(grad_mean == 0.0) and np.all(grad_log_sigma == 0.0)
    exact_mean, _ = ge.exact_gradient(ge.expected_step, MEAN, LOG_SIGMA)
    assert np.all(exact_mean > 0.2)


def test_leave_one_out_baseline_by_hand():
    values = np.array([[1.0, 2.0, 6.0]])
    np.testing.assert_allclose(ge.leave_one_out_baseline(values), [[4.0, 3.5, 1.5]])
    with pytest.raises(ValueError, match="at least 2"):
        ge.leave_one_out_baseline(np.array([1.0]))


def test_unknown_baseline_is_refused():
    with pytest.raises(ValueError, match="leave-one-out"):
        ge.score_function_gradient(ge.square, MEAN, LOG_SIGMA, np.zeros((3, 2)), baseline="mean")


def test_leading_axes_broadcast_and_average_over_samples():
    rng = np.random.default_rng(8)
    eps = rng.standard_normal((4, 5, 2))
    for estimator in (ge.score_function_gradient, ge.pathwise_gradient):
        batched = estimator(ge.square, MEAN, LOG_SIGMA, eps)
        for r in range(4):
            single = estimator(ge.square, MEAN, LOG_SIGMA, eps[r])
            np.testing.assert_allclose(batched[0][r], single[0], rtol=1e-12)
            np.testing.assert_allclose(batched[1][r], single[1], rtol=1e-12)


def test_variance_falls_as_one_over_s_and_pathwise_beats_score_on_the_square():
    rng = np.random.default_rng(9)
    mean, log_sigma = np.array([1.0]), np.array([0.0])
    variances = {}
    for S in (4, 64):
        for name, estimator in (("score", ge.score_function_gradient), ("pathwise", ge.pathwise_gradient)):
            estimates = ge.repeated_estimates(estimator, ge.square, mean, log_sigma, rng, S, 4000)
            assert estimates[0].shape == (4000, 1)
            variances[name, S] = estimates[0].var()
    # exact single-sample variances at μ = 1, σ = 1: score 30, pathwise 4σ² = 4
    for S in (4, 64):
        assert variances["score", S] == pytest.approx(30 / S, rel=0.2)
        assert variances["pathwise", S] == pytest.approx(4 / S, rel=0.1)


def test_leave_one_out_baseline_reduces_variance_on_the_square():
    rng = np.random.default_rng(10)
    mean, log_sigma = np.array([1.0]), np.array([0.0])
    plain = ge.repeated_estimates(ge.score_function_gradient, ge.square, mean, log_sigma, rng, 16, 4000)
    loo = ge.repeated_estimates(ge.score_function_gradient, ge.square, mean, log_sigma, rng, 16, 4000,
                                baseline="leave-one-out")
    assert plain[0].var() / loo[0].var() > 1.3
