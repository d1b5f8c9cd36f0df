r"""The checks of the last lesson, beyond: averaging, paths between minima, filter normalization.

``check_update_average(fn)`` compares ``fn(average, weights, n)``, the running mean of SWA,
with ``averaging.update_average`` and names the usual mistakes (dividing by n, a fixed
exponential moving average, the sign).

``check_filter_normalize(fn)`` compares ``fn(direction, weights)`` with the lesson's
``loss_slices.filter_normalize`` on matrices, convolution filters, biases, float32 and a filter
of zeros, and names the usual mistakes (the whole array rescaled at once, columns instead of
rows, the weights' norm left out, biases or scalars not zeroed, ...).

The questions, each checked by the engine's ``question``:

- ``check_midpoint_loss`` (predict): the training loss halfway along the straight line
  between two solutions from different seeds, against the loss at the two ends;
- ``check_swa_or_ensemble`` and ``check_curved_path`` (concept, the retrieval questions
  before the recap): what averaging the weights of independent runs does, and what the
  Bézier path showed.
"""

import numpy as np

from ...checks import Case, Mutant, check_function, question
from .averaging import update_average
from .loss_slices import filter_normalize

__all__ = [
    "check_update_average",
    "check_midpoint_loss",
    "check_filter_normalize",
    "check_swa_or_ensemble",
    "check_curved_path",
]


# ---------------------------------------------------------------------------------------------
# The running mean of SWA
# ---------------------------------------------------------------------------------------------


def check_update_average(fn):
    r"""Check ``fn(average, weights, n) -> average``: the mean of n + 1 snapshots from the mean
    of the first n and the next one, $\bar w + (w - \bar w)/(n + 1)$."""
    __tracebackhide__ = True
    check_function(
        fn,
        "update_average",
        reference=update_average,
        cases=_average_cases(seed=130),
        outputs=("average",),
        mutants=_AVERAGE_MUTANTS,
    )


def _average_cases(seed):
    rng = np.random.default_rng(seed)

    def arrays(shape, dtype=np.float64):
        # one decimal, far apart: the messages show values that are easy to tell apart
        return tuple(np.round(rng.uniform(-3, 3, size=shape), 1).astype(dtype) for _ in range(2))

    cases = [
        Case("the second snapshot (n = 1), shape (3,)", (*arrays(3), 1)),
        Case("the fourth snapshot (n = 3), a (2, 3) matrix", (*arrays((2, 3)), 3)),
        Case("the tenth snapshot (n = 9), shape (4,)", (*arrays(4), 9)),
        Case("the 101st snapshot (n = 100), shape (2, 2)", (*arrays((2, 2)), 100)),
        Case("float32, n = 4, shape (5,)", (*arrays(5, np.float32), 4)),
    ]
    _, weights = arrays(3)
    cases.insert(0, Case("the first snapshot (n = 0): the mean of one", (np.zeros(3), weights, 0)))
    return cases


def _stays(dtype_of, value):
    return np.asarray(value).astype(dtype_of.dtype, copy=False)


_AVERAGE_MUTANTS = [
    Mutant(
        lambda average, weights, n: _stays(weights, average + (weights - average) / n),
        "you divided by n, the snapshots already in the mean; with the new one there are "
        "n + 1, and each of them must count 1/(n + 1).",
    ),
    Mutant(
        lambda average, weights, n: _stays(weights, (average + weights) / 2),
        "you took (average + weights)/2 every time: the newest snapshot then counts 1/2 and the "
        "older ones fade away. The mean of n + 1 snapshots gives each of them 1/(n + 1).",
    ),
    Mutant(
        lambda average, weights, n: _stays(weights, 0.9 * average + 0.1 * weights),
        "that is an exponential moving average with a fixed rate: it forgets old snapshots. "
        "SWA's mean weighs every snapshot equally, so the rate 1/(n + 1) shrinks as n grows.",
    ),
    Mutant(
        lambda average, weights, n: _stays(weights, average - (weights - average) / (n + 1)),
        "the sign is flipped: the mean moves towards the new snapshot, by (weights − average) "
        "divided by the number of snapshots.",
    ),
    Mutant(
        lambda average, weights, n: _stays(weights, (n * average + weights) / n),
        "you divided n·average + weights by n; that sum holds n + 1 snapshots.",
    ),
    Mutant(
        lambda average, weights, n: _stays(weights, average + weights / (n + 1)),
        "the new snapshot is added without taking the mean's share away: add "
        "(weights − average)/(n + 1), not weights/(n + 1).",
    ),
]


# ---------------------------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------------------------

check_midpoint_loss = question(
    "midpoint_loss",
    correct="c",
    why="Two runs from different seeds end in different minima; halfway along the straight "
    "line between them the loss is many times higher than at either end: a barrier.",
    wrong={
        "a": "The straight line between two solutions from different seeds is not flat: the "
        "networks store their hidden units in different orders, and mixing them halfway "
        "makes the training loss many times higher than at the ends.",
        "b": "The rise is larger than that: halfway, the training loss is many times the "
        "ends' (the lesson measures more than 5 times).",
        "d": "The midpoint of two minima is not a better minimum here: the loss rises between "
        "them, far above both ends.",
    },
)

check_swa_or_ensemble = question(
    "swa_or_ensemble",
    correct="b",
    why="Networks from different seeds lie in different valleys, with a barrier between "
    "them: average their predictions (an ensemble, one forward pass per network). SWA "
    "averages the weights of one run, which stay in one valley.",
    wrong={
        "a": "Averaging the weights of independent runs lands between their valleys, on the "
        "barrier of the straight line: a network worse than either. SWA works because its "
        "snapshots come from one run, in one valley.",
        "c": "Weight and prediction averages agree only for snapshots close together in one "
        "valley; networks from different seeds are far apart, and the weight average sits on "
        "the barrier between them.",
        "d": "Different minima can be combined: averaging their predicted probabilities is an "
        "ensemble, and it beats the average member.",
    },
)

check_curved_path = question(
    "curved_path",
    correct="d",
    why="The straight line crosses a barrier, but a trained curve stays low all the way: "
    "minima of a network's loss are not isolated points but connected valleys (Garipov et "
    "al. 2018).",
    wrong={
        "a": "The straight line is what climbs: its midpoint's loss is many times the ends'. "
        "The low path is curved.",
        "b": "The curve's middle point was trained, but the curve still starts and ends at "
        "the two solutions: the low path joins them, it does not replace them.",
        "c": "A low path was found: along the trained Bézier curve the training loss stays "
        "within a small factor of the ends, all the way.",
    },
)


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
