"""The checks of lesson 13: right answers pass, wrong ones are named."""

import numpy as np
import pytest

from course_utils.checks import CheckFailed
from course_utils.lessons.beyond import (
    check_curved_path,
    check_filter_normalize,
    check_midpoint_loss,
    check_swa_or_ensemble,
    check_update_average,
)
from course_utils.lessons.beyond.averaging import update_average

from ..checking import question_tests


def _row_norms(a):
    return np.sqrt(np.sum(a * a, axis=tuple(range(1, a.ndim)), keepdims=True))


def normalize_textbook(direction, weights):
    if direction.ndim < 2:
        return np.zeros_like(direction)
    d_norm, w_norm = _row_norms(direction), _row_norms(weights)
    safe = np.where(d_norm > 0, d_norm, 1)
    return direction / safe * w_norm


def normalize_loop(direction, weights):
    out = np.zeros_like(direction)
    if direction.ndim >= 2:
        for i in range(direction.shape[0]):
            norm = np.linalg.norm(direction[i])
            if norm > 0:
                out[i] = direction[i] * (np.linalg.norm(weights[i]) / norm)
    return out


def normalize_reshaped(direction, weights):
    if direction.ndim < 2:
        return direction * 0
    d = direction.reshape(len(direction), -1)
    w = weights.reshape(len(weights), -1)
    d_norm = np.linalg.norm(d, axis=1, keepdims=True)
    scale = np.divide(
        np.linalg.norm(w, axis=1, keepdims=True),
        d_norm,
        where=d_norm != 0,
        out=np.zeros_like(d_norm),
    )
    return (d * scale).reshape(direction.shape)


@pytest.mark.parametrize("fn", [normalize_textbook, normalize_loop, normalize_reshaped])
def test_correct_filter_normalizations_pass(fn, capsys):
    check_filter_normalize(fn)
    assert capsys.readouterr().out.startswith("✔ filter_normalize matches")


def _norm_all(d, w):
    return d * (np.linalg.norm(w) / np.linalg.norm(d)) if d.ndim > 1 else np.zeros_like(d)


def _columns(d, w):
    if d.ndim < 2:
        return np.zeros_like(d)
    return d * np.linalg.norm(w, axis=0, keepdims=True) / np.linalg.norm(d, axis=0, keepdims=True)


def _unit(d, w):
    return d / _row_norms(d) if d.ndim > 1 else np.zeros_like(d)


def _upside_down(d, w):
    return d * _row_norms(d) / _row_norms(w) if d.ndim > 1 else np.zeros_like(d)


def _squared(d, w):
    return d * _row_norms(w) ** 2 / _row_norms(d) ** 2 if d.ndim > 1 else np.zeros_like(d)


def _elementwise(d, w):
    return d * w if d.ndim > 1 else np.zeros_like(d)


def _bias_kept(d, w):
    return d * _row_norms(w) / _row_norms(d) if d.ndim > 1 else d.copy()


def _bias_rescaled(d, w):
    if d.ndim > 1:
        return d * _row_norms(w) / _row_norms(d)
    return d * np.linalg.norm(w) / np.linalg.norm(d)


def _nan_on_zero_filters(d, w):
    return d / _row_norms(d) * _row_norms(w) if d.ndim > 1 else np.zeros_like(d)


def _in_place(d, w):
    if d.ndim < 2:
        d[...] = 0
        return d
    d *= _row_norms(w) / np.where(_row_norms(d) > 0, _row_norms(d), 1)
    return d


def _float64(d, w):
    return normalize_textbook(d.astype(np.float64), w.astype(np.float64))


def _scalar_rescaled(d, w):
    if d.ndim == 1:  # a bias; but a scalar (ndim 0) must get zero too
        return np.zeros_like(d)
    return normalize_textbook(d, w) if d.ndim > 1 else d * np.abs(w) / np.abs(d)


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (_norm_all, "whole array at once"),
        (_columns, "along the first axis .columns."),
        (_unit, "did not multiply by ‖w_i‖"),
        (_upside_down, "upside down"),
        (_squared, "squared norms"),
        (_elementwise, "entry by entry"),
        (_bias_kept, "zeros, not d itself"),
        (_bias_rescaled, "not be rescaled"),
        (_nan_on_zero_filters, "NaN"),
        (_in_place, "changed its input `direction` in place"),
        (_float64, "float64 instead of float32"),
        (_scalar_rescaled, "case 10 of 10, a scalar parameter, shape"),
    ],
)
def test_wrong_filter_normalizations_are_caught_and_named(fn, message):
    with np.errstate(all="ignore"), pytest.raises(CheckFailed, match=message):
        check_filter_normalize(fn)


# ---------------------------------------------------------------------------------------------
# SWA's running mean
# ---------------------------------------------------------------------------------------------


def average_as_sum(average, weights, n):
    return (n * average + weights) / (n + 1)


def average_in_two_steps(average, weights, n):
    share = 1 / (n + 1)
    return (1 - share) * average + share * weights


@pytest.mark.parametrize("fn", [update_average, average_as_sum, average_in_two_steps])
def test_correct_running_means_pass(fn, capsys):
    check_update_average(fn)
    assert capsys.readouterr().out.startswith("✔ update_average matches")


def _average_in_place(average, weights, n):
    average += (weights - average) / (n + 1)
    return average


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (lambda a, w, n: a + (w - a) / n if n else w.copy(), "you divided by n"),
        (lambda a, w, n: (a + w) / 2, "older ones fade away"),
        (lambda a, w, n: 0.9 * a + 0.1 * w, "exponential moving average"),
        (lambda a, w, n: a - (w - a) / (n + 1), "sign is flipped"),
        (lambda a, w, n: (n * a + w) / n if n else w.copy(), "holds n \\+ 1 snapshots"),
        (lambda a, w, n: a + w / (n + 1), "without taking the mean's share away"),
        (lambda a, w, n: w.copy(), "case 2 of 6"),
        (_average_in_place, "changed its input `average` in place"),
        (lambda a, w, n: (a + (w - a) / (n + 1)).astype(np.float64), "float64 instead of float32"),
    ],
)
def test_wrong_running_means_are_caught_and_named(fn, message):
    with np.errstate(all="ignore"), pytest.raises(CheckFailed, match=message):
        check_update_average(fn)


# ---------------------------------------------------------------------------------------------
# The questions: the right answer passes, each wrong one gets its own feedback
# ---------------------------------------------------------------------------------------------

QUESTIONS = [
    (check_midpoint_loss, "c", {"a": "not flat", "b": "rise is larger", "d": "not a better"}),
    (check_swa_or_ensemble, "b", {"a": "on the barrier", "c": "only for snapshots", "d": "can be"}),
    (
        check_curved_path,
        "d",
        {"a": "straight line is what climbs", "b": "replace", "c": "was found"},
    ),
]

test_questions_pass_the_right_option_and_explain_each_wrong_one = question_tests(QUESTIONS)
