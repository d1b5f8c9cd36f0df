r"""The checks of lesson 07: AdaGrad, G ← G + g², w ← w − η·g / (√G + ε).

- ``check_adagrad_update(fn)`` (debug: the learner starts from the seed's broken line)
  compares ``fn(w, grad, sum_sq, lr=1e-2, eps=1e-10) -> (w, sum_sq)`` with
  ``course_utils.optim.adagrad_update`` on seeded cases (see ``course_utils.rule_checks``),
  and names the seed's errors still in it (G + g, no square root, ε added to the weight,
  alone or together) and the other mistakes learners make with the sum;
- ``check_turned_bowl`` (predict): how AdaGrad does on the bowl turned by 45°, graded on the
  run itself (``demos.best_losses``);
- ``check_why_steps_shrink`` and ``check_where_adagrad_helps``: the two recall questions
  before the recap.
"""

import numpy as np

from ... import optim
from ...checks import Mutant, question
from ...rule_checks import DOUBLED, adaptive_mutant, adaptive_mutants, check_rule
from . import demos

__all__ = [
    "check_adagrad_update",
    "check_turned_bowl",
    "check_why_steps_shrink",
    "check_where_adagrad_helps",
]


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
    # the seed's `sum_sq + grad` and `w - lr * grad / sum_sq + 1e-7`: three errors
    *adaptive_mutants(
        _adagrad,
        "the sum",
        seed_update=lambda sum_sq, grad: sum_sq + grad,
        seed_error="G adds g, not g² (sum_sq + grad**2)",
        code="sum_sq",
    ),
)


def _turned_bowl():
    """Run the experiment: which option describes AdaGrad's best run on the turned bowl."""
    best = demos.best_losses()
    ada, gd = best["turned", "AdaGrad"], best["turned", "GD"]
    option = "c" if not np.isfinite(ada) else "a" if ada < 0.01 * gd else "b"
    return option, (
        f"On the turned bowl AdaGrad's best loss after 60 steps is {ada:.2g}, gradient "
        f"descent's {gd:.2g} (on the aligned bowl AdaGrad's was {best['aligned', 'AdaGrad']:.0e})."
    )


check_turned_bowl = question(
    "turned_bowl",
    correct=_turned_bowl,
    why="AdaGrad scales each weight on its own. On the turned bowl each gradient mixes both "
    "curvatures, both weights see gradients of the same size, and no scaling of the weights "
    "one by one can pull the two directions apart.",
    wrong={
        "a": "AdaGrad cancelled the curvature on the aligned bowl because each curvature "
        "belonged to one weight; turned, each weight's gradient mixes both, and the "
        "cancellation is gone.",
        "c": "AdaGrad's steps are at most about η and only shrink, so on a bowl it does not "
        "diverge; it just cannot undo the turned curvatures.",
    },
)


check_why_steps_shrink = question(
    "why_steps_shrink",
    correct="b",
    why="G is a sum of squares: it only grows, so η/(√G + ε) only falls, like η/√t under a "
    "steady gradient.",
    wrong={
        "a": "AdaGrad's η is fixed (torch's lr_decay is 0 by default); the shrinking is in √G, "
        "which never stops growing.",
        "c": "Under a steady gradient g never gets smaller, yet the steps fell like η/√t "
        "(section 4): the cause is the sum G.",
        "d": "ε is a constant (1e-10) that only keeps the division safe while G is 0.",
    },
)


check_where_adagrad_helps = question(
    "where_adagrad_helps",
    correct="a",
    why="A diagonal preconditioner rescales each weight on its own; that undoes the curvature "
    "only when the bowl's axes are the weights' axes.",
    wrong={
        "b": "On the rotated bowl each gradient mixes both curvatures, so both weights see "
        "gradients of the same size, and scaling them one by one cannot pull the two "
        "directions apart (section 6: no better than gradient descent).",
        "c": "A round bowl has one curvature: gradient descent with η = 1/λ reaches its "
        "minimum in one step, and there is nothing for AdaGrad to undo.",
        "d": "It helps only where the curvature lies along the weights' axes: on the rotated "
        "bowl it did no better than gradient descent (section 6).",
    },
)
