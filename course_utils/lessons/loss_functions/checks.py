r"""Checks for the loss exercises of lesson 01: the mean squared error and the cross-entropy.

``check_mse(fn)`` compares ``fn(y_pred, y)`` with L = (1/n) Σᵢ (ŷᵢ − yᵢ)² (n = the number of
entries, as in torch's ``mse_loss``) on vectors, a matrix (where dividing by the number of
rows goes wrong), a column, float32, a perfect prediction and large errors.

``check_cross_entropy(fn)`` compares ``fn(logits, labels)`` with
L = −(1/n) Σᵢ log softmax(zᵢ)[yᵢ] on ordinary logits and on extreme ones (±1000), where a
softmax that does not subtract the max overflows to nan and log(softmax(z)) underflows to
log 0 = −inf; also more classes than examples (where indexing the wrong axis goes wrong),
float32, one example and int32 labels. Subtracting one max for the whole array, not each row's,
gives −inf on the huge equal logits and is named.

Both must return one number, a Python float or a NumPy scalar; float32 inputs may give a
float32 or a float64 result (a loss is compared at the precision of its inputs).

The lesson's other exercises are values, not functions:

- ``check_outlier_effect(answer)``, a prediction: which loss of the best line one outlier
  multiplies by the larger factor. The check reruns the lesson's experiment (the same seeded
  data, one target moved 20 up) and says what happened.
- ``check_slope_by_hand(answer)``, a derivation: ∂L/∂w₁ of the MSE of a line through two
  points at w = (0, 0); the usual slips (no factor 2, the sign, a sum, ∂L/∂w₂) are named.
- ``check_why_log_softmax(answer)`` and ``check_gradient_check_verdict(answer)``: the recap's
  retrieval questions, with feedback for every wrong option.
"""

import numpy as np

from ... import losses
from ...checks import Mutant, Number, check_function, make_case, numeric, question

__all__ = [
    "check_mse",
    "check_cross_entropy",
    "check_outlier_effect",
    "check_slope_by_hand",
    "check_why_log_softmax",
    "check_gradient_check_verdict",
    "outlier_ratios",
]


def check_mse(fn):
    """Check ``fn(y_pred, y) -> float``: the mean of (ŷ − y)² over all entries."""
    __tracebackhide__ = True
    check_function(
        fn,
        "mse",
        reference=losses.mse,
        cases=_mse_cases(),
        answer=Number("Average the squared errors over all entries (np.mean).", tolerances=_TOL),
        mutants=_MSE_MUTANTS,
    )


def check_cross_entropy(fn):
    """Check ``fn(logits, labels) -> float``: −mean over examples of log softmax(z)[label]."""
    __tracebackhide__ = True
    check_function(
        fn,
        "cross_entropy",
        reference=losses.cross_entropy,
        cases=_cross_entropy_cases(),
        answer=Number(
            "Average the n per-example losses −log softmax(zᵢ)[yᵢ] (np.mean).", tolerances=_TOL
        ),
        mutants=_CROSS_ENTROPY_MUTANTS,
    )


# A loss is one number, compared at the precision of its inputs (float32 inputs may give a
# float32 or a float64 result); a loss of float64 inputs is held to float64 precision, as the
# graders' hidden tests hold it: a loss computed or returned in float32 (about 1e-7 off) fails.
_TOL = {np.float64: (1e-10, 1e-12)}


# ---------------------------------------------------------------------------------------------
# MSE
# ---------------------------------------------------------------------------------------------


def _mse_cases():
    rng = np.random.default_rng(10)

    def pair(shape, dtype=np.float64, scale=1.0):
        return tuple((scale * rng.standard_normal(shape)).astype(dtype) for _ in range(2))

    same = rng.standard_normal(4)
    rows = (
        ("a vector", pair(5)),
        ("a matrix (the mean is over all 12 entries)", pair((3, 4))),
        ("float32", pair(6, np.float32)),
        ("one entry", pair(1)),
        ("a perfect prediction", (same, same.copy())),
        ("large errors", pair(5, scale=1e3)),
        ("a column of shape (4, 1)", pair((4, 1))),
    )
    return [make_case(label, losses.mse, inputs, {}) for label, inputs in rows]


_MSE_MUTANTS = (
    Mutant(
        lambda y_pred, y: np.mean(np.abs(y_pred - y)),
        "you took |ŷ − y|, which is the mean absolute error (MAE); square the differences.",
    ),
    Mutant(
        lambda y_pred, y: np.sum((y_pred - y) ** 2),
        "you summed the squared errors; divide by their number (take the mean).",
    ),
    Mutant(
        lambda y_pred, y: 0.5 * np.mean((y_pred - y) ** 2),
        "you have ½·mean((ŷ − y)²), a form some texts use to tidy the derivative; the MSE here, "
        "like torch's mse_loss, has no ½.",
    ),
    Mutant(
        lambda y_pred, y: np.sqrt(np.mean((y_pred - y) ** 2)),
        "you took the square root of the mean: that is the root-mean-square error (RMSE).",
    ),
    Mutant(
        lambda y_pred, y: np.sum((y_pred - y) ** 2) / len(y),
        "you divided by len(y), the number of rows; divide by the number of entries, y.size "
        "(np.mean does).",
    ),
    Mutant(
        lambda y_pred, y: np.sum((y_pred - y) ** 2) / (y.size - 1),
        "you divided by n − 1 (as for a sample variance); the MSE divides by n.",
    ),
    Mutant(
        lambda y_pred, y: np.mean(y_pred - y) ** 2,
        "you squared the mean error; average the squared errors instead: positive and negative "
        "errors must not cancel.",
    ),
)


# ---------------------------------------------------------------------------------------------
# Cross-entropy
# ---------------------------------------------------------------------------------------------


def _cross_entropy_cases():
    rng = np.random.default_rng(11)

    def random(n, k, dtype=np.float64, scale=2.0):
        logits = (scale * rng.standard_normal((n, k))).astype(dtype)
        return logits, rng.integers(0, k, size=n)

    huge = np.array([[1000.0, 999.0, -1000.0], [0.0, 1000.0, -1000.0]])
    rows = (
        ("4 examples, 3 classes", random(4, 3)),
        ("more classes than examples", random(2, 5)),
        ("huge logits, the true class the largest", (huge, np.array([0, 1]))),
        ("huge logits, the true class far below the largest", (huge, np.array([2, 0]))),
        (
            "huge equal logits",
            (np.array([[1000.0] * 3, [-1000.0] * 3]), np.array([1, 2])),
        ),
        ("float32", random(5, 4, np.float32)),
        ("one example", (np.array([[2.0, -1.0]]), np.array([1]))),
        ("every label the same", (random(6, 4)[0], np.full(6, 3))),
        ("int32 labels", (random(3, 3)[0], np.array([2, 0, 1], dtype=np.int32))),
    )
    return [make_case(label, losses.cross_entropy, inputs, {}) for label, inputs in rows]


def _picked(log_probs, labels):
    """log_probs[i, labels[i]] for every example i."""
    return log_probs[np.arange(len(labels)), labels]


def _log_sum_exp(z, axis=-1):
    return np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def _shifted(logits):
    """z − m with m = maxₖ zₖ, row by row."""
    return logits - np.max(logits, axis=-1, keepdims=True)


def _wrong_cross_entropy(log_probs_of):
    """The mean cross-entropy with log-probabilities computed by ``log_probs_of(logits)``."""
    return lambda logits, labels: -np.mean(_picked(log_probs_of(logits), labels))


def _shifted_globally(logits):
    """z − m with m = the largest logit of the whole array: one max for every row."""
    return logits - np.max(logits)


def _unshifted_softmax(z):
    """exp(z) / Σₖ exp(zₖ) as written, subtracting nothing (losses.softmax subtracts the max)."""
    return np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)


_CROSS_ENTROPY_MUTANTS = (
    Mutant(
        _wrong_cross_entropy(lambda z: _shifted_globally(z) - _log_sum_exp(_shifted_globally(z))),
        "you subtracted the largest logit of the whole array (logits.max()); subtract each "
        "row's own max, logits.max(axis=1, keepdims=True). A row far below the global max has "
        "every exp(zₖ − m) underflow to 0, and log 0 = −inf.",
    ),
    Mutant(
        _wrong_cross_entropy(lambda z: np.log(_unshifted_softmax(_shifted_globally(z)))),
        "two things: you subtracted the largest logit of the whole array (logits.max()) where "
        "each row needs its own (axis=1, keepdims=True), and log(softmax(z)) gives −inf when a "
        "probability underflows to 0: compute (z − m) − log Σₖ exp(zₖ − m) directly.",
    ),
    Mutant(
        _wrong_cross_entropy(lambda z: np.log(_unshifted_softmax(z))),
        "softmax without subtracting the largest logit first: exp(1000) overflows to inf and "
        "inf/inf is nan. Subtract each row's max, m = maxₖ zₖ, before exponentiating.",
    ),
    Mutant(
        _wrong_cross_entropy(lambda z: z - _log_sum_exp(z)),
        "you computed log Σₖ exp(zₖ) without subtracting the max first, so exp(1000) overflows "
        "to inf. Use m + log Σₖ exp(zₖ − m) with m = maxₖ zₖ.",
    ),
    Mutant(
        _wrong_cross_entropy(lambda z: np.log(losses.softmax(z))),
        "you took log(softmax(z)): when the true class's probability underflows to 0, log gives "
        "−inf. Compute log-softmax directly: (z − m) − log Σₖ exp(zₖ − m), m = maxₖ zₖ.",
    ),
    Mutant(
        _wrong_cross_entropy(lambda z: _shifted(z) + _log_sum_exp(_shifted(z))),
        "a sign error in log-softmax: it is (z − m) − log Σₖ exp(zₖ − m), with a minus before "
        "the log.",
    ),
    Mutant(
        _wrong_cross_entropy(lambda z: losses.log_softmax(z.T).T),
        "you normalized over the examples (axis 0); softmax normalizes each row over the "
        "classes (axis=-1).",
    ),
    Mutant(
        _wrong_cross_entropy(lambda z: z),
        "you used the raw logit z_y; the loss needs its log-probability, z_y − log Σₖ exp(zₖ).",
    ),
    Mutant(
        lambda logits, labels: np.mean(_picked(losses.log_softmax(logits), labels)),
        "the sign is flipped: the loss is minus the mean log-probability (a log-probability is "
        "≤ 0, so the loss is ≥ 0).",
    ),
    Mutant(
        lambda logits, labels: -np.sum(_picked(losses.log_softmax(logits), labels)),
        "you summed over the examples; divide by their number n (take the mean).",
    ),
    Mutant(
        lambda logits, labels: (
            -np.mean(np.eye(logits.shape[1])[labels] * losses.log_softmax(logits))
        ),
        "you averaged onehot(y)·log softmax(z) over all n·k entries; sum over the k classes "
        "first, then average over the n examples (or pick one entry per row: no one-hot needed).",
    ),
    Mutant(
        lambda logits, labels: -np.mean(losses.log_softmax(logits)[:, labels]),
        "log_probs[:, labels] takes every example's log-probability of every label (an n×n "
        "table); pick one entry per row: log_probs[np.arange(n), labels].",
    ),
)


# ---------------------------------------------------------------------------------------------
# Predict, derive and the recall questions
# ---------------------------------------------------------------------------------------------


def outlier_ratios(shift=20.0):
    """The lesson's experiment: (MSE ratio, MAE ratio) of the least-squares line when one
    target of the lesson's data (40 points around y = 1.5x − 0.5, seed 0) moves up by
    ``shift``."""
    rng = np.random.default_rng(0)  # the lesson's data, drawn as its setup and first cell do
    x = rng.uniform(0, 3, size=40)
    y = 1.5 * x - 0.5 + 0.5 * rng.normal(size=40)
    design = np.stack([x, np.ones_like(x)], axis=1)
    y_pred = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    moved = y.copy()
    moved[0] += shift
    return (
        losses.mse(y_pred, moved) / losses.mse(y_pred, y),
        losses.mae(y_pred, moved) / losses.mae(y_pred, y),
    )


def _outlier_experiment():
    mse_ratio, mae_ratio = outlier_ratios()
    answer = "a" if mse_ratio > mae_ratio else "b"
    return (
        answer,
        f"One outlier multiplied the MSE by {mse_ratio:.1f} and the MAE by {mae_ratio:.1f}.",
    )


check_outlier_effect = question(
    "outlier_effect",
    correct=_outlier_experiment,
    why="The outlier's error of about 20 enters the MSE squared (about 400) and the MAE once.",
    wrong={
        "b": "The MAE counts the outlier's error of about 20 once; the MSE counts its square, "
        "about 400, against squared errors of about 0.25 for the other points.",
        "c": "The two losses weigh a large error differently: the MSE squares it, the MAE does "
        "not, so one large error moves them by very different factors.",
    },
)

check_slope_by_hand = numeric(
    "slope_by_hand",
    value=-7.0,
    why="At w = (0, 0) the errors ŷ − y are (−1, −3), so ∂L/∂w₁ = ½(2·(−1)·1 + 2·(−3)·2) = −7.",
    mistakes=(
        (-3.5, "the factor 2 is missing: the derivative of (ŷ − y)² is 2(ŷ − y)·∂ŷ/∂w₁."),
        (7.0, "the sign is flipped: the error is ŷ − y = (0 − 1, 0 − 3), negative here."),
        (-14.0, "you summed over the two points; the MSE averages, so divide by n = 2."),
        (-4.0, "that is ∂L/∂w₂: for w₁ each term is multiplied by its input xᵢ."),
        (-13.0, "each term is multiplied by xᵢ once, not xᵢ²: ∂ŷᵢ/∂w₁ = xᵢ."),
    ),
    rtol=1e-6,
    hint="Compute the errors ŷᵢ − yᵢ at w = (0, 0) first, then average 2(ŷᵢ − yᵢ)·xᵢ.",
)

check_why_log_softmax = question(
    "why_log_softmax",
    correct="c",
    why="After subtracting m every exponent is ≤ 0, so exp cannot overflow, and the log is "
    "taken of the sum (at least 1), never of a probability that underflowed to 0.",
    wrong={
        "a": "Both forms do the same work; the difference is which numbers a float64 can hold "
        "(e¹⁰⁰⁰ is inf, e⁻¹⁰⁰⁰ is 0).",
        "b": "Subtracting m changes nothing mathematically: e⁻ᵐ cancels between the top and "
        "the bottom. Softmax sums to 1 either way; what changes is overflow and underflow.",
        "d": "torch accepts any logits; it computes the loss this way for the same reason "
        "you did: so that extreme logits give a finite, right loss.",
    },
)

check_gradient_check_verdict = question(
    "gradient_check_verdict",
    correct="b",
    why="A right gradient agrees with the central difference to about 1e-7 or better; 3e-2 "
    "is the size of a missing factor or a wrong term.",
    wrong={
        "a": "With h = 1e-5 the central difference errs by about h² ≈ 1e-10, far below 3e-2; "
        "and h = 1e-10 would make rounding, not the formula, dominate.",
        "c": "Below 1e-7 means right; 3e-2 is five orders of magnitude worse: a bug.",
        "d": "Forward differences are less accurate (error O(h)), not more; they cannot "
        "explain a gap of 3e-2 either.",
    },
)
