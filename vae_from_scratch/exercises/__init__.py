"""Checkers for the book's exercises: pass your implementation, get "correct" or a specific hint.

One module per chapter (``vae_from_scratch.exercises.elbo`` for the ELBO chapter, ...). Each
checker compares the reader's function with the library's on cases chosen to catch the usual
mistakes, and returns a :class:`Feedback` that prints as a sentence::

    >>> from vae_from_scratch.exercises import elbo as ex
    >>> ex.check_analytic_kl(my_kl)
    correct: your KL matches the library's on 6 cases, including σ ≠ 1 and μ ≠ 0.

A checker never raises on a wrong answer (a wrong answer is the normal case while learning); it
raises only when the candidate cannot be called at all.
"""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Feedback:
    """The verdict of a checker: ``passed`` and a message that says what to try next."""

    passed: bool
    message: str

    def __bool__(self):
        return self.passed

    def __str__(self):
        return ("correct: " if self.passed else "not yet: ") + self.message

    __repr__ = __str__


def correct(message):
    return Feedback(True, message)


def hint(message):
    return Feedback(False, message)


def compare_on_cases(candidate, reference, cases, rtol=1e-6, atol=1e-8, diagnose=None, what="value"):
    """Run ``candidate(*case)`` and ``reference(*case)`` on every case and compare the results.

    ``diagnose(case, got, expected)`` may return a specific hint for a recognisable mistake
    (a missing ½, a sign, a variance used for a standard deviation, ...); otherwise the hint names
    the first failing case.
    """
    if not callable(candidate):
        raise TypeError(f"pass your function itself, not {type(candidate).__name__}")
    for i, case in enumerate(cases):
        expected = np.asarray(reference(*case))
        try:
            got = np.asarray(candidate(*case), dtype=float)
        except Exception as error:  # the reader's code failing is feedback, not a crash
            return hint(f"your function raised {type(error).__name__}: {error} on case {i + 1}")
        if got.shape != expected.shape:
            return hint(f"case {i + 1}: your {what} has shape {got.shape}, expected {expected.shape}")
        if not np.all(np.isfinite(got)):
            return hint(f"case {i + 1}: your {what} contains NaN or inf")
        if not np.allclose(got, expected, rtol=rtol, atol=atol):
            specific = diagnose(case, got, expected) if diagnose else None
            return hint(specific or f"case {i + 1}: got {np.round(got, 6)}, expected {np.round(expected, 6)}")
    n = len(cases)
    return correct(f"your {what} matches the library's on {n} case{'s' if n != 1 else ''}.")


def check_underflow_case(candidate, reference, case, where, advice, rtol=1e-6):
    """None if ``candidate(*case)`` is finite and equals ``reference(*case)``; otherwise a hint.

    For the cases where adding densities underflows (log 0 = −inf): ``where`` says what the case
    is ("for a datapoint far in the tail"), ``advice`` what to do when the answer is not finite.
    """
    try:
        got = np.asarray(candidate(*case), dtype=float)
    except Exception as error:  # the reader's code failing is feedback, not a crash
        return hint(f"your function raised {type(error).__name__}: {error} {where}")
    if not np.all(np.isfinite(got)):
        return hint(f"{where} {advice}")
    expected = reference(*case)
    if not np.allclose(got, expected, rtol=rtol):
        return hint(f"{where} you got {np.round(got, 3)}, expected {np.round(expected, 3)}.")
    return None
