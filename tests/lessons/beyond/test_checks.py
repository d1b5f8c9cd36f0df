"""check_filter_normalize: right filter normalizations pass, wrong ones are named."""

import numpy as np
import pytest

from course_utils.checks import CheckFailed
from course_utils.lessons.beyond import check_filter_normalize


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
