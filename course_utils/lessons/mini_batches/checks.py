r"""The check of lesson 05: the gradient of a mini-batch.

For linear regression ŷ = Xw with the mean squared error without ½, L(w) = (1/n) Σᵢ (xᵢᵀw −
yᵢ)², ``check_minibatch_gradient(fn)`` compares ``fn(w, X, y, indices)`` with
``course_utils.regression.minibatch_gradient``, the mean gradient over the batch's rows,
g_B = (2/B) X_Bᵀ(X_B w − y_B). The first case is a square batch (as many rows as features),
where a wrong transpose gives wrong numbers instead of a shape error, so the check can say
which mistake it was; one case repeats a row (a batch drawn with replacement counts it twice).
"""

import numpy as np

from ... import regression
from ...checks import Case, Mutant, check_function

__all__ = ["check_minibatch_gradient"]


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
