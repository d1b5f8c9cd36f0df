r"""The checks of lesson 05: the gradient of a mini-batch, and four questions.

For linear regression ŷ = Xw with the mean squared error without ½, L(w) = (1/n) Σᵢ (xᵢᵀw −
yᵢ)², ``check_minibatch_gradient(fn)`` compares ``fn(w, X, y, indices)`` with
``course_utils.regression.minibatch_gradient``, the mean gradient over the batch's rows,
g_B = (2/B) X_Bᵀ(X_B w − y_B). The first case is a square batch (as many rows as features),
where a wrong transpose gives wrong numbers instead of a shape error, so the check can say
which mistake it was; one case repeats a row (a batch drawn with replacement counts it twice).

The questions, each checked by the engine's ``question`` or ``numeric``:

- ``check_batch_factor`` (derive): how many times larger B must be to halve the RMS error σ/√B;
- ``check_ordered_error`` (predict): how far off batches cut in order from sorted data are,
  against random ones; graded on the experiment (``demos.sorted_batches``);
- ``check_bigger_batch`` and ``check_scaled_lr`` (concept, the two recall questions before the
  recap): what a larger batch buys once the hardware is busy, and the linear scaling rule.
"""

import numpy as np

from ... import regression
from ...checks import Case, Mutant, check_function, numeric, question
from . import demos

__all__ = [
    "check_minibatch_gradient",
    "check_batch_factor",
    "check_ordered_error",
    "check_bigger_batch",
    "check_scaled_lr",
]


def check_minibatch_gradient(fn):
    r"""Check ``fn(w, X, y, indices) -> g``: $g_B = \frac{2}{B} X_B^\top (X_B w - y_B)$."""
    __tracebackhide__ = True
    check_function(
        fn,
        "minibatch_gradient",
        reference=regression.minibatch_gradient,
        cases=_batch_cases(seed=42),
        outputs=("g",),
        mutants=_BATCH_MUTANTS,
    )


def _regression(rng, n, d, dtype=np.float64):
    """Random w (d,), X (n, d), y (n,), rounded to two decimals so the numbers read easily."""
    return tuple(np.round(rng.normal(size=size), 2).astype(dtype) for size in (d, (n, d), n))


def _batch_cases(seed):
    rng = np.random.default_rng(seed)
    cases = [
        ("square batch: B = 3 rows of 3 features", 6, 3, [4, 0, 2]),
        ("B = 4 of 10 examples", 10, 2, [7, 2, 9, 0]),
        ("one example", 5, 3, [3]),
        ("a repeated row counts twice", 6, 2, [1, 1, 4]),
        ("every row, shuffled", 5, 2, [3, 0, 4, 1, 2]),
        ("one feature", 8, 1, [6, 5, 0, 2]),
    ]
    made = [Case(label, (*_regression(rng, n, d), np.array(rows))) for label, n, d, rows in cases]
    made.append(Case("float32", (*_regression(rng, 9, 3, np.float32), np.array([8, 3, 5, 1, 6]))))
    return made


# ---------------------------------------------------------------------------------------------
# Mutants: the mistakes learners make
# ---------------------------------------------------------------------------------------------

_NO_HALF = (
    "the factor 2 is missing. The loss here is the mean squared error without ½, so "
    "∂/∂w (xᵀw − y)² = 2(xᵀw − y)x."
)
_SIGN = "the sign is flipped: the residual is xᵀw − y (prediction minus target), not y − xᵀw."


def _batch(X, y, indices):
    return X[indices], y[indices]


def _batch_residual(w, X, y, indices):
    X_batch, y_batch = _batch(X, y, indices)
    return X_batch, X_batch @ w - y_batch


def _sum_not_mean(w, X, y, indices):
    X_batch, r = _batch_residual(w, X, y, indices)
    return 2 * X_batch.T @ r


def _over_n(w, X, y, indices):
    X_batch, r = _batch_residual(w, X, y, indices)
    return 2 / len(X) * X_batch.T @ r


def _no_half_batch(w, X, y, indices):
    X_batch, r = _batch_residual(w, X, y, indices)
    return X_batch.T @ r / len(indices)


def _wrong_transpose(w, X, y, indices):
    X_batch, r = _batch_residual(w, X, y, indices)
    return 2 / len(indices) * X_batch @ r


def _sign_batch(w, X, y, indices):
    X_batch, r = _batch_residual(w, X, y, indices)
    return -2 / len(indices) * X_batch.T @ r


def _whole_set(w, X, y, indices):
    return 2 / len(X) * X.T @ (X @ w - y)


def _unique_rows(w, X, y, indices):
    rows = np.unique(indices)
    return 2 / len(rows) * X[rows].T @ (X[rows] @ w - y[rows])


_BATCH_MUTANTS = [
    Mutant(
        _sum_not_mean,
        "this is the sum of the batch's gradients, B times too large; the batch loss is a "
        "mean, so divide by B = len(indices).",
    ),
    Mutant(
        _over_n,
        "this divides by n, the size of the whole data set; the mean is over the batch, so "
        "divide by B = len(indices).",
    ),
    Mutant(_no_half_batch, _NO_HALF),
    Mutant(
        _wrong_transpose,
        "`X_B @ r` is the wrong product (it only has the right shape when B = d): the gradient "
        "is X_Bᵀ r, `X_B.T @ r`.",
    ),
    Mutant(_sign_batch, _SIGN),
    Mutant(
        _whole_set,
        "this is the gradient over the whole data set: use only the rows in `indices`, "
        "`X[indices]` and `y[indices]`.",
    ),
    Mutant(
        _unique_rows,
        "a repeated row is counted once; a batch drawn with replacement can hold the same "
        "example twice, and then it counts twice: index with `X[indices]` as given.",
    ),
]


# ---------------------------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------------------------

check_batch_factor = numeric(
    "batch_factor",
    value=4,
    why="The RMS error is σ/√B: to halve it, √B must double, so B must be four times as large.",
    mistakes=(
        (
            2,
            "doubling B halves the variance σ²/B, but the error is its square root, σ/√B: "
            "doubling B divides the error only by √2 ≈ 1.41.",
        ),
        (
            np.sqrt(2),
            "B enters under a square root, so a factor k on B is a factor √k on the "
            "error's denominator: solve √k = 2 for k.",
        ),
        (
            0.25,
            "a smaller batch makes the error larger: B/4 doubles it. Halving the error "
            "takes a larger batch.",
        ),
        (0.5, "a smaller batch makes the error larger: B/2 multiplies it by √2."),
    ),
    hint="The error is σ/√B: solve σ/√(k·B) = ½·σ/√B for k.",
)


def _ordered_outcome():
    """The experiment of the prediction: batches of 50 from the data sorted by target."""
    in_order, at_random = demos.sorted_batches().rms_errors()
    ratio = in_order / at_random
    option = "c" if ratio > 2 else "b" if ratio < 0.8 else "a"
    return option, (
        f"The batches in sorted order were off by {in_order:.2f} (RMS), random ones by "
        f"{at_random:.2f}: {ratio:.1f} times as far."
    )


check_ordered_error = question(
    "ordered_error",
    correct=_ordered_outcome,
    why=(
        "Each batch in order holds only similar examples, so it estimates the gradient of its "
        "own slice of the data, not of L; a random batch is a fair sample of all of them."
    ),
    wrong={
        "a": (
            "The same B gives the same error only when every batch is a random sample. A batch "
            "cut from sorted data holds one slice of the targets, and its gradient is that "
            "slice's gradient, which can be far from ∇L."
        ),
        "b": (
            "Similar examples agree with each other, but not with the whole data set: a batch "
            "of large targets pulls the bias up, one of small targets pulls it down, both far "
            "from ∇L."
        ),
    },
)

check_bigger_batch = question(
    "bigger_batch",
    correct="c",
    why=(
        "The error of g_B is σ/√B, and once the hardware is busy a step costs time in "
        "proportion to B: twice the time for an RMS error divided by √2."
    ),
    wrong={
        "a": (
            "Doubling B halves the variance σ²/B, but the RMS error is its square root, σ/√B: "
            "it falls only by √2. Halving it takes four times the batch."
        ),
        "b": (
            "That holds only while the hardware has room to spare. Once it is saturated, a "
            "batch twice as large takes about twice as long."
        ),
        "d": (
            "A mini-batch gradient is an unbiased estimate at every B; a larger batch only "
            "makes it less noisy."
        ),
    },
)

check_scaled_lr = question(
    "scaled_lr",
    correct="b",
    why=(
        "Four times the batch means four times fewer steps per epoch, each with a quarter of "
        "the gradient's variance; a 4× larger η makes each step count for four, so the progress "
        "per example stays the same, until 4η comes close to the stability edge 2/λmax."
    ),
    wrong={
        "a": (
            "With the same η, a batch four times as large takes four times fewer steps of the "
            "same length per epoch: it needs about four times as many examples to get as far."
        ),
        "c": (
            "The square-root rule keeps the noise per step the same, but not the progress per "
            "example; the rule measured in this lesson scales η with B."
        ),
        "d": (
            "A smaller η with fewer steps per epoch makes training slower twice over: the "
            "larger batch already has less noise, so it can afford a larger η, not a smaller one."
        ),
    },
)
