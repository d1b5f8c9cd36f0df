r"""The check of lesson 07: AdaGrad, G ← G + g², w ← w − η·g / (√G + ε).

``check_adagrad_update(fn)`` compares ``fn(w, grad, sum_sq, lr=1e-2, eps=1e-10) -> (w,
sum_sq)`` with ``course_utils.optim.adagrad_update`` on seeded cases (see
``course_utils.rule_checks``), and names the seed's errors (G + g, no square root, ε in the
wrong place) and the other mistakes learners make with the sum.
"""

import numpy as np

from ... import optim
from ...checks import Mutant
from ...rule_checks import DOUBLED, adaptive_mutant, check_rule, state_mutants, step_mutants

__all__ = ["check_adagrad_update"]


def check_adagrad_update(fn):
    """Check ``fn(w, grad, sum_sq, lr=1e-2, eps=1e-10) -> (w, sum_sq)``."""
    __tracebackhide__ = True
    check_rule(fn, optim.adagrad_update, _ROWS, states=("sum_sq",), seed=2, mutants=_MUTANTS)


# (label, shape, how to draw the arrays, how to call, hyperparameters): see rule_checks._cases
_ROWS = (
    ("", (3, 4), "run 5", "keyword", dict(lr=0.1, eps=1e-10)),
    ("defaults, tiny gradients", (5,), "tiny zero w", "defaults", dict()),
    ("first step, defaults", (4,), "float32 zero state", "defaults", dict()),
    ("by position", (1,), "", "positional", dict(lr=0.3, eps=1e-6)),
    ("a 0-d array", (), "", "keyword", dict(lr=0.1, eps=1e-10)),
    ("a 0-d array", (), "float32", "keyword", dict(lr=0.1, eps=0.1)),
    ("large ε", (3, 4), "", "keyword", dict(lr=0.1, eps=0.1)),
    ("float32", (3, 4), "float32", "keyword", dict(lr=0.05, eps=1e-7)),
    ("large ε, by position", (4,), "float32", "positional", dict(lr=0.1, eps=0.1)),
    ("zero gradient", (5,), "zero grad", "keyword", dict(lr=0.1, eps=1e-10)),
    ("all zero", (5,), "zero grad zero state", "keyword", dict(lr=0.1)),
    ("large gradients", (2, 3), "large", "keyword", dict(lr=0.1, eps=1e-10)),
    ("3-D arrays", (2, 3, 2), "", "keyword", dict(lr=0.1, eps=1e-6)),
)


def _adagrad(update=lambda sum_sq, grad: sum_sq + grad**2, **wrong):
    """AdaGrad with its sum (``update``), its step or the state it returns gone wrong."""
    return adaptive_mutant("sum_sq", update, **wrong)


_MUTANTS = (
    Mutant(
        _adagrad(update=lambda sum_sq, grad: sum_sq + grad),
        "the gradient is not squared: G ← G + g², i.e. sum_sq + grad**2, not sum_sq + grad.",
    ),
    Mutant(
        _adagrad(update=lambda sum_sq, grad: grad**2),
        "G ← g² forgets the past: AdaGrad sums the squares, G ← G + g².",
    ),
    Mutant(
        _adagrad(update=lambda sum_sq, grad: sum_sq + np.abs(grad)),
        "G adds |g|: AdaGrad adds the square, G ← G + g² (grad**2).",
    ),
    Mutant(_adagrad(update=lambda sum_sq, grad: sum_sq + grad * 2), DOUBLED),
    Mutant(
        _adagrad(update=lambda sum_sq, grad: sum_sq + np.sum(grad**2)),
        "G is one number for all weights (np.sum of g²): AdaGrad keeps a G per weight, "
        "sum_sq + grad**2 elementwise.",
    ),
    *step_mutants(_adagrad, "G", "g"),
    *state_mutants(_adagrad, "the sum"),
)
