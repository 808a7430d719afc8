"""The Chapter 7 checkers accept reference solutions and name the usual mistakes."""
import numpy as np
import pytest

from vae_from_scratch.distributions import log_bernoulli
from vae_from_scratch.exercises import building_the_vae as ex


# ---- parameter counts ----------------------------------------------------------------------------

@pytest.mark.parametrize("case", ex._count_cases())
def test_reference_count_equals_the_package_arrays(case):
    assert ex.parameter_count(*case) == ex.count_arrays(*case)


def test_count_references_pass():
    assert ex.check_parameter_count(ex.parameter_count).passed
    assert ex.check_parameter_count(ex.count_arrays).passed


def reader_count(D, hidden, J, likelihood):
    """What a reader might write: layer by layer."""
    sizes = [D, *hidden]
    n = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])) + 2 * (sizes[-1] * J + J)
    sizes = [J, *hidden]
    n += sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    return n + (1 if likelihood == "bernoulli" else 2) * (sizes[-1] * D + D)


def test_count_reader_solution_passes():
    feedback = ex.check_parameter_count(reader_count)
    assert feedback.passed and str(feedback).startswith("correct")


def test_count_forgot_biases():
    def weights_only(D, hidden, J, likelihood):
        sizes = [D, *hidden]
        n = sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + 2 * sizes[-1] * J
        sizes = [J, *hidden]
        n += sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        return n + (1 if likelihood == "bernoulli" else 2) * sizes[-1] * D

    feedback = ex.check_parameter_count(weights_only)
    assert not feedback.passed and "biases" in feedback.message


def test_count_one_encoder_head():
    def one_head(D, hidden, J, likelihood):
        last = ([D, *hidden])[-1]
        return reader_count(D, hidden, J, likelihood) - (last * J + J)

    feedback = ex.check_parameter_count(one_head)
    assert not feedback.passed and "two output heads" in feedback.message


def test_count_gaussian_decoder_with_one_head():
    def one_decoder_head(D, hidden, J, likelihood):
        return reader_count(D, hidden, J, "bernoulli")

    feedback = ex.check_parameter_count(one_decoder_head)
    assert not feedback.passed and "Gaussian decoder has two" in feedback.message


# ---- the Bernoulli log-likelihood ----------------------------------------------------------------

def stable(x, a):
    return np.sum(x * a - (np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))), axis=-1)


def test_bernoulli_references_pass():
    for candidate in (stable, log_bernoulli, lambda x, a: np.sum(x * a - np.logaddexp(0, a), axis=-1)):
        feedback = ex.check_log_bernoulli(candidate)
        assert feedback.passed, feedback


def test_bernoulli_naive_formula_is_told_about_logits():
    def naive(x, a):
        p = 1 / (1 + np.exp(-a))
        return np.sum(x * np.log(p) + (1 - x) * np.log(1 - p), axis=-1)

    feedback = ex.check_log_bernoulli(naive)
    assert not feedback.passed and "softplus" in feedback.message and "±1000" in feedback.message


def test_bernoulli_mean_instead_of_sum():
    feedback = ex.check_log_bernoulli(lambda x, a: np.mean(x * a - np.logaddexp(0, a), axis=-1))
    assert not feedback.passed and "sum over the pixels" in feedback.message


def test_bernoulli_sign():
    feedback = ex.check_log_bernoulli(lambda x, a: -stable(x, a))
    assert not feedback.passed and "sign" in feedback.message


def test_bernoulli_missing_softplus():
    feedback = ex.check_log_bernoulli(lambda x, a: np.sum(x * a - np.maximum(a, 0) * 0 - a, axis=-1))
    assert not feedback.passed and "softplus" in feedback.message


def test_bernoulli_forgot_to_sum_is_a_shape_hint():
    feedback = ex.check_log_bernoulli(lambda x, a: x * a - np.logaddexp(0, a))
    assert not feedback.passed and "shape" in feedback.message
