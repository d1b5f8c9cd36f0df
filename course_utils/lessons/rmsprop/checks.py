r"""The check of lesson 08: RMSProp, G ← αG + (1 − α)·g², w ← w − η·g / (√G + ε).

``check_rmsprop_update(fn)`` compares ``fn(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8) ->
(w, sq_avg)`` with ``course_utils.optim.rmsprop_update`` on seeded cases (see
``course_utils.rule_checks``), and names the seed's errors (αG + (1 − α) + g, no square root,
ε in the wrong place) and the other mistakes learners make with the moving average.
"""

import numpy as np

from ... import optim
from ...checks import Mutant
from ...rule_checks import DOUBLED, adaptive_mutant, check_rule, state_mutants, step_mutants

__all__ = ["check_rmsprop_update"]


def check_rmsprop_update(fn):
    """Check ``fn(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8) -> (w, sq_avg)``."""
    __tracebackhide__ = True
    check_rule(fn, optim.rmsprop_update, _ROWS, states=("sq_avg",), seed=3, mutants=_MUTANTS)


# (label, shape, how to draw the arrays, how to call, hyperparameters): see rule_checks._cases
_ROWS = (
    ("", (3, 4), "run 5", "keyword", dict(lr=0.01, alpha=0.9, eps=1e-8)),
    ("defaults, tiny gradients", (5,), "tiny zero w", "defaults", dict()),
    ("first step, defaults", (4,), "float32 zero state", "defaults", dict()),
    ("by position", (1,), "", "positional", dict(lr=0.3, alpha=0.5, eps=1e-6)),
    ("a 0-d array", (), "", "keyword", dict(lr=0.1, alpha=0.95)),
    ("a 0-d array", (), "float32", "keyword", dict(lr=0.1, alpha=0.9, eps=0.1)),
    ("large ε", (3, 4), "", "keyword", dict(lr=0.1, alpha=0.9, eps=0.1)),
    ("float32", (3, 4), "float32", "keyword", dict(lr=0.05, alpha=0.8, eps=1e-7)),
    ("large ε, by position", (4,), "float32", "positional", dict(lr=0.1, alpha=0.99, eps=0.1)),
    ("zero gradient", (5,), "zero grad", "keyword", dict(lr=0.1, alpha=0.9)),
    ("all zero", (5,), "zero grad zero state", "keyword", dict(lr=0.1)),
    ("large gradients", (2, 3), "large", "keyword", dict(lr=0.1, alpha=0.7, eps=1e-8)),
    ("3-D arrays", (2, 3, 2), "", "keyword", dict(lr=0.1, alpha=0.9, eps=1e-6)),
)


def _rmsprop(update=lambda sq_avg, grad, alpha: alpha * sq_avg + (1 - alpha) * grad**2, **wrong):
    """RMSProp with its moving average (``update``), its step or the state it returns wrong."""
    return adaptive_mutant("sq_avg", update, **wrong)


def _started_at_square(sq_avg, grad, alpha):
    return grad**2 if not np.any(sq_avg) else alpha * sq_avg + (1 - alpha) * grad**2


_MUTANTS = (
    Mutant(
        _rmsprop(update=lambda sq_avg, grad, alpha: alpha * sq_avg + (1 - alpha) + grad),
        "G ← αG + (1 − α) + g is a widely copied typo: the average is G ← αG + (1 − α)·g².",
    ),
    Mutant(
        _rmsprop(update=lambda sq_avg, grad, alpha: alpha * sq_avg + (1 - alpha) + grad**2),
        "(1 − α) is added, not multiplied (the copied typo, half fixed): G ← αG + (1 − α)·g².",
    ),
    Mutant(
        _rmsprop(update=lambda sq_avg, grad, alpha: (1 - alpha) * sq_avg + alpha * grad**2),
        "α and 1 − α are swapped: G ← αG + (1 − α)·g² keeps the fraction α (0.99 by default) "
        "of the old average.",
    ),
    Mutant(
        _rmsprop(update=lambda sq_avg, grad, alpha: alpha * sq_avg + (1 - alpha) * grad),
        "the gradient is not squared: G ← αG + (1 − α)·g², i.e. grad**2, not grad.",
    ),
    Mutant(
        _rmsprop(update=lambda sq_avg, grad, alpha: alpha * sq_avg + (1 - alpha) * np.abs(grad)),
        "G averages |g|: RMSProp averages the square, G ← αG + (1 − α)·g² (grad**2).",
    ),
    Mutant(
        _rmsprop(update=lambda sq_avg, grad, alpha: alpha * sq_avg + (1 - alpha) * grad * 2),
        DOUBLED,
    ),
    Mutant(
        _rmsprop(update=lambda sq_avg, grad, alpha: sq_avg + grad**2),
        "G ← G + g² is AdaGrad's sum; RMSProp keeps a moving average, G ← αG + (1 − α)·g².",
    ),
    Mutant(
        _rmsprop(update=lambda sq_avg, grad, alpha: alpha * sq_avg + grad**2),
        "the factor 1 − α is missing: G ← αG + (1 − α)·g², not αG + g².",
    ),
    Mutant(
        _rmsprop(update=lambda sq_avg, grad, alpha: grad**2),
        "G ← g² forgets the past: RMSProp keeps a moving average, G ← αG + (1 − α)·g².",
    ),
    Mutant(
        _rmsprop(update=lambda sq_avg, grad, alpha: (1 - alpha) * grad**2),
        "the term αG is missing: G ← αG + (1 − α)·g² keeps a fraction α of the old average.",
    ),
    Mutant(
        _rmsprop(update=_started_at_square),
        "you start G at g² when it is all zero: G ← αG + (1 − α)·g² holds on every step, the "
        "first too (G starts at 0).",
    ),
    Mutant(
        _rmsprop(
            update=lambda sq_avg, grad, alpha: alpha * sq_avg + (1 - alpha) * np.mean(grad**2)
        ),
        "G is one number for all weights (np.mean of g²): RMSProp keeps a G per weight, "
        "with grad**2 elementwise.",
    ),
    *step_mutants(_rmsprop, "G", "g"),
    *state_mutants(_rmsprop, "the average"),
)
