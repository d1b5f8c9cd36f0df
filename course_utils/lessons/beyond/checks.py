r"""The check of the last lesson, beyond: Li et al.'s filter normalization of a direction.

``check_filter_normalize(fn)`` compares ``fn(direction, weights)`` with the lesson's
``loss_slices.filter_normalize`` on matrices, convolution filters, biases, float32 and a filter
of zeros, and names the usual mistakes (the whole array rescaled at once, columns instead of
rows, the weights' norm left out, biases or scalars not zeroed, ...).
"""

import numpy as np

from ...checks import Case, Mutant, check_function
from .loss_slices import filter_normalize

__all__ = ["check_filter_normalize"]


def check_filter_normalize(fn):
    r"""Check ``fn(direction, weights) -> direction``: $d_i \leftarrow d_i\,\lVert w_i\rVert /
    \lVert d_i\rVert$ for each filter (first-axis slice) i; zeros for a bias."""
    __tracebackhide__ = True
    check_function(
        fn,
        "filter_normalize",
        reference=filter_normalize,
        cases=_filter_cases(seed=120),
        outputs=("direction",),
        mutants=_FILTER_MUTANTS,
    )


def _filter_cases(seed):
    rng = np.random.default_rng(seed)

    def pair(shape, dtype=np.float64, scale=1.0):
        d = np.round(rng.normal(size=shape), 2).astype(dtype)
        w = np.round(scale * rng.normal(size=shape), 2).astype(dtype)
        return d, w

    cases = [
        Case("a Linear layer's (3, 4) weight matrix", pair((3, 4), scale=2.0)),
        Case("a tall (5, 2) matrix", pair((5, 2), scale=0.3)),
        Case("a (4, 4) matrix", pair((4, 4), scale=5.0)),
        Case("convolution filters (2, 3, 2, 2)", pair((2, 3, 2, 2))),
        Case("one filter (1, 6)", pair((1, 6), scale=3.0)),
        Case("a bias (4,)", pair((4,))),
        Case("float32 (3, 5)", pair((3, 5), np.float32, scale=2.0)),
        Case("float32 bias (3,)", pair((3,), np.float32)),
    ]
    d, w = pair((3, 3), scale=2.0)
    d[1] = 0.0
    cases.append(Case("a filter of the direction that is all zeros", (d, w)))
    cases.append(Case("a scalar parameter, shape ()", tuple(np.asarray(a) for a in pair(()))))
    return cases


def _filter_norms(array, axis=None):
    """Norms of the first-axis slices (axis=None) or along ``axis``, kept for broadcasting."""
    axes = tuple(range(1, array.ndim)) if axis is None else (axis,)
    return np.sqrt(np.sum(array * array, axis=axes, keepdims=True))


def _rescaled(direction, factor):
    with np.errstate(all="ignore"):
        return (direction * factor).astype(direction.dtype, copy=False)


def _normalize_with(scale, bias=None):
    """A mutant: matrices get ``scale(d, w)``, biases get ``bias(d, w)`` (reference's zeros)."""

    def normalize(direction, weights):
        if direction.ndim < 2:
            return np.zeros_like(direction) if bias is None else bias(direction, weights)
        return _rescaled(direction, scale(direction, weights))

    return normalize


_FILTER_MUTANTS = [
    Mutant(
        _normalize_with(lambda d, w: np.linalg.norm(w) / np.linalg.norm(d)),
        "you rescaled the whole array at once (‖d‖ and ‖w‖ over all entries); filter "
        "normalization gives each filter (each row, each slice along the first axis) the "
        "norm of the same filter of the weights.",
    ),
    Mutant(
        _normalize_with(lambda d, w: _filter_norms(w, axis=0) / _filter_norms(d, axis=0)),
        "you normalized along the first axis (columns); a filter is a slice along the first "
        "axis, so take the norms over all the other axes: axis=tuple(range(1, d.ndim)).",
    ),
    Mutant(
        _normalize_with(lambda d, w: 1 / _filter_norms(d)),
        "each filter has norm 1: you divided by ‖d_i‖ but did not multiply by ‖w_i‖.",
    ),
    Mutant(
        _normalize_with(lambda d, w: _filter_norms(d) / _filter_norms(w)),
        "the ratio is upside down: multiply by ‖w_i‖ / ‖d_i‖, not ‖d_i‖ / ‖w_i‖.",
    ),
    Mutant(
        _normalize_with(lambda d, w: _filter_norms(w) ** 2 / _filter_norms(d) ** 2),
        "you used squared norms (sums of squares) without the square root.",
    ),
    Mutant(
        _normalize_with(lambda d, w: w),
        "you multiplied d by w entry by entry; filter normalization rescales each filter as "
        "a whole, by the ratio of two norms.",
    ),
    Mutant(
        _normalize_with(lambda d, w: _filter_norms(w) / _filter_norms(d), bias=lambda d, w: d),
        "a bias (fewer than two axes, a scalar too) must get a direction of zeros, not d itself.",
    ),
    Mutant(
        _normalize_with(
            lambda d, w: _filter_norms(w) / _filter_norms(d),
            bias=lambda d, w: _rescaled(d, np.linalg.norm(w) / np.linalg.norm(d)),
        ),
        "a bias (fewer than two axes, a scalar too) must get a direction of zeros, not be rescaled "
        "like a filter.",
    ),
    Mutant(
        _normalize_with(lambda d, w: _filter_norms(w) / _filter_norms(d)),
        "a filter of zeros came out as NaN (0/0): leave filters whose norm is 0 at zero, "
        "e.g. with np.divide(..., where=norm > 0) or by skipping them.",
    ),
]
