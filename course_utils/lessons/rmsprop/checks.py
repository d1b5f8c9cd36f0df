r"""The checks of lesson 08: RMSProp, G ← αG + (1 − α)·g², w ← w − η·g / (√G + ε).

- ``check_rmsprop_update(fn)`` (debug: the learner starts from the seed's broken line)
  compares ``fn(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8) -> (w, sq_avg)`` with
  ``course_utils.optim.rmsprop_update`` on seeded cases (see ``course_utils.rule_checks``),
  and names the seed's errors still in it (αG + (1 − α) + g, no square root, ε added to the
  weight, alone or together) and the other mistakes learners make with the moving average;
- ``check_first_step`` (predict): the length of RMSProp's first step, graded on the step itself;
- ``check_memory_of_alpha`` and ``check_steady_steps``: the two recall questions before the recap.
"""

import numpy as np

from ... import optim
from ...checks import Mutant, question
from ...rule_checks import DOUBLED, adaptive_mutant, adaptive_mutants, check_rule

__all__ = [
    "check_rmsprop_update",
    "check_first_step",
    "check_memory_of_alpha",
    "check_steady_steps",
]


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
    # the seed's `d*sq_avg + (1 - d) + grad` and `w - lr * grad / sq_avg + 1e-7`: three errors
    *adaptive_mutants(
        _rmsprop,
        "the average",
        seed_update=lambda sq_avg, grad, alpha: alpha * sq_avg + (1 - alpha) + grad,
        seed_error="the average is αG + (1 − α) + g, not αG + (1 − α)·g² "
        "(alpha * sq_avg + (1 - alpha) * grad**2)",
        code="sq_avg",
    ),
)


# The options of the prediction: RMSProp's first step (η = 0.01, α = 0.96, g = 3), by length.
_FIRST_STEPS = {"a": 0.01, "b": 0.05, "c": 0.002, "d": 0.03}


def _first_step():
    """Take the step: which option is its length."""
    w, _ = optim.rmsprop_update(np.zeros(1), np.array([3.0]), np.zeros(1), lr=0.01, alpha=0.96)
    length = float(abs(w[0]))
    option = min(_FIRST_STEPS, key=lambda k: abs(np.log(_FIRST_STEPS[k] / length)))
    return option, f"The first step is {length:.4g} long."


check_first_step = question(
    "first_step",
    correct=_first_step,
    why="G starts at 0, so after one step G = (1 − α)·g² = 0.04·g² and √G = 0.2·|g|: "
    "√(1 − 0.96) = 0.2, so the step is η/0.2 = 5η, whatever g is.",
    wrong={
        "a": "η is where the steps settle once G has caught up with g²; on the first step G is "
        "only (1 − α)·g², too small, so the step is η/√(1 − α).",
        "c": "The step divides by √G, and G = (1 − α)·g² is small on the first step: the step "
        "is larger than η, not smaller.",
        "d": "RMSProp divides g by √G, so the size of g cancels: the first step is "
        "η·|g| / √((1 − α)·g²) = η/√(1 − α), whatever g is.",
    },
)


check_memory_of_alpha = question(
    "memory_of_alpha",
    correct="b",
    why="The squared gradient from k steps ago weighs α^k(1 − α): the weights fade with age, "
    "and the last 1/(1 − α) = 10 steps carry nearly two thirds of the total.",
    wrong={
        "a": "That is AdaGrad's sum, where every step counts alike for ever; RMSProp's weights "
        "α^k(1 − α) fade with the age k.",
        "c": "The weights α^k(1 − α) sum to 1 and fade: the last 1/(1 − α) steps carry nearly "
        "two thirds of them, so the memory is about 1/(1 − 0.9) = 10 steps, not 90.",
        "d": "G remembers more than the last step whenever α > 0: the old average keeps the "
        "fraction α = 0.9 at every step.",
    },
)


check_steady_steps = question(
    "steady_steps",
    correct="c",
    why="G settles at g², so the step settles at η·|g|/|g| = η, and stays there.",
    wrong={
        "a": "That is AdaGrad, whose sum only grows; RMSProp's average settles at g², so its "
        "steps settle at η.",
        "b": "The step is η·g/√G; with G settled at g² the size of g cancels, so the step is "
        "η whatever g is.",
        "d": "The first steps are too large (η/√(1 − α) at first), but G catches up with g² "
        "within a few times 1/(1 − α) steps and the steps settle at η.",
    },
)
