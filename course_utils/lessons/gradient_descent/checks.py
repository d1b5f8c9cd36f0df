r"""The checks of lesson 02: the update ``sgd_update(w, grad, lr)`` and the loop
``gradient_descent(grad_fn, w0, lr, steps) -> path``.

``check_sgd_update(fn)`` compares the learner's rule with ``course_utils.optim.sgd_update`` on
11 seeded cases (see ``course_utils.rule_checks``).

The loop runs $w \leftarrow w - \eta\, \nabla L(w)$ for ``steps`` steps from $w_0$ and
returns every point it visits: ``path[0]`` is $w_0$ and ``path[k]`` the weights after k steps,
so ``path`` has shape ``(steps + 1, *w0.shape)``. The check runs the learner's loop on a round
bowl, an elongated bowl, Rosenbrock's valley (where the gradient changes from point to point),
three weights, a matrix of weights, float32, zero and one step, η = 0 and a start at the
minimum (where a loop that stops early on a zero gradient returns too few rows), and names the
usual mistakes: a flipped sign, a gradient computed once at the start, rows that all share one
array updated in place, a missing learning rate, and a path without its start or with a step
too many.

The lesson's other exercises are values:

- ``check_distance_after_100(answer)``, a prediction: what 100 steps with η = 1.05, just
  above 2/λmax = 1, do on the lesson's bowl (λ = 1 and 2). The check runs them.
- ``check_best_lr(answer)``, a derivation: the fixed η that makes the slower of the two
  factors |1 − ηλ| smallest on the narrow bowl (λmin = 1, λmax = 10): 2/11. The usual
  answers 1/λmax, 2/λmax and 1/λmin are named.
- ``check_chosen_lr(lr)``, a challenge on the learning-rate explorer: 50 steps on the narrow
  bowl must bring the loss within ``GOAL`` of its minimum. The check runs them and says
  which way to move η.
- ``check_below_one(answer)`` and ``check_why_zigzag(answer)``: the recall questions.
"""

import numbers

import numpy as np

from ... import landscapes, optim, training
from ...checks import (
    CheckFailed,
    Mutant,
    Shown,
    check_function,
    make_case,
    numeric,
    passed,
    question,
)
from ...rule_checks import check_rule
from ...validation import as_float_array, nonnegative, nonnegative_int

__all__ = [
    "check_sgd_update",
    "check_gradient_descent",
    "gradient_descent",
    "check_distance_after_100",
    "check_best_lr",
    "check_chosen_lr",
    "check_below_one",
    "check_why_zigzag",
    "GOAL",
]


def check_sgd_update(fn):
    r"""Check ``fn(w, grad, lr) -> w``: $w \leftarrow w - \eta\, g$."""
    __tracebackhide__ = True
    check_rule(fn, optim.sgd_update, _SGD_ROWS, seed=0)


# (label, shape, how to draw the arrays, how to call, hyperparameters): see rule_checks._cases
_SGD_ROWS = (
    ("a vector", (5,), "", "keyword", dict(lr=0.1)),
    ("lr by position", (3, 4), "", "positional", dict(lr=0.5)),
    ("float32", (3, 4), "float32", "keyword", dict(lr=0.01)),
    ("float32, lr by position", (1,), "float32", "positional", dict(lr=0.3)),
    ("a 0-d array", (), "", "keyword", dict(lr=0.2)),
    ("a 0-d array", (), "float32", "keyword", dict(lr=0.2)),
    ("zero gradient", (5,), "zero grad", "keyword", dict(lr=0.1)),
    ("zero weights", (2, 3), "zero w", "keyword", dict(lr=0.05)),
    ("large gradients", (4,), "large", "keyword", dict(lr=1e-3)),
    ("tiny gradients", (4,), "float32 tiny zero w", "keyword", dict(lr=0.1)),
    ("3-D arrays", (2, 3, 2), "", "keyword", dict(lr=0.1)),
)


def gradient_descent(grad_fn, w0, lr, steps):
    r"""Run $w \leftarrow w - \eta\, \nabla L(w)$ from $w_0$; return the path it takes.

    ``grad_fn(w)`` returns $\nabla L(w)$, an array shaped like w. The result has shape
    ``(steps + 1, *w0.shape)``: row 0 is $w_0$, row k the weights after k steps. ``w0`` is
    not modified. This is the reference solution of the exercise.
    """
    if not callable(grad_fn):
        raise TypeError(f"grad_fn must be a function w -> ∇L(w), got {grad_fn!r}")
    w = as_float_array("w0", w0)
    lr = nonnegative("lr", lr)
    steps = nonnegative_int("steps", steps)
    path = [w]
    for _ in range(steps):
        w = optim.sgd_update(w, grad_fn(w), lr)
        path.append(w)
    return np.stack(path)  # a new array: the caller's w0 and the path stay independent


def check_gradient_descent(fn):
    r"""Check ``fn(grad_fn, w0, lr, steps) -> path``: $w \leftarrow w - \eta\, \nabla L(w)$."""
    __tracebackhide__ = True
    check_function(
        fn,
        "gradient_descent",
        reference=gradient_descent,
        cases=_cases(),
        outputs=("path",),
        mutants=_MUTANTS,
        refuse=_row_count,
    )


# ---------------------------------------------------------------------------------------------
# Gradients to descend: named, so a failure message can say which one it used
# ---------------------------------------------------------------------------------------------


def _bowl(a, b):
    """∇ of L(w) = ½(a·x² + b·y²): the gradient (a·x, b·y), in w's dtype."""
    return Shown(f"grad_bowl_{a:g}_{b:g}", lambda w: w * np.asarray([a, b], dtype=w.dtype))


def _rosenbrock_grad(w):
    x, y = w[0], w[1]
    return np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


_ROUND = _bowl(1.0, 1.0)
_ELONGATED = _bowl(1.0, 10.0)
_ROSENBROCK = Shown("grad_rosenbrock", _rosenbrock_grad)
# L(w) = ½ Σ dᵢ wᵢ² for three weights, and ½ Σ wᵢⱼ² / (i + j + 1) for a 2 × 3 matrix of them.
_THREE = Shown("grad_three_weights", lambda w: w * np.asarray([0.5, 2.0, 4.0], dtype=w.dtype))
_MATRIX = Shown(
    "grad_matrix", lambda w: w / np.add.outer(np.arange(1, 3), np.arange(3)).astype(w.dtype)
)

# (label, gradient, w0, lr, steps, how to call); w0 is float64 unless the label says float32.
_ROWS = (
    ("an elongated bowl", _ELONGATED, [1.5, -0.8], 0.15, 6, "keyword"),
    ("a round bowl, by position", _ROUND, [-1.0, 2.0], 0.3, 4, "positional"),
    ("Rosenbrock's valley", _ROSENBROCK, [-1.2, 1.0], 1e-3, 5, "keyword"),
    ("three weights", _THREE, [1.0, -2.0, 0.5], 0.2, 3, "keyword"),
    ("a matrix of weights", _MATRIX, [[1.0, -1.0, 2.0], [0.5, 3.0, -2.5]], 0.5, 3, "keyword"),
    ("float32", _ELONGATED, [0.7, 1.3], 0.05, 5, "keyword"),
    ("zero steps", _ELONGATED, [0.3, -0.4], 0.1, 0, "keyword"),
    ("one step", _ROSENBROCK, [0.5, 0.5], 2e-3, 1, "keyword"),
    ("η = 0", _ROUND, [2.0, 1.0], 0.0, 3, "keyword"),
    ("starting at the minimum (zero gradient)", _ROUND, [0.0, 0.0], 0.1, 3, "keyword"),
    ("a large step on the elongated bowl", _ELONGATED, [1.0, 1.0], 0.19, 8, "positional"),
)


def _cases():
    return [
        make_case(
            label,
            gradient_descent,
            (grad_fn, np.asarray(w0, dtype=np.float32 if "float32" in label else np.float64)),
            {"lr": lr, "steps": steps},
            call,
        )
        for label, grad_fn, w0, lr, steps, call in _ROWS
    ]


def _row_count(path, arguments):
    """A path without its start, or with a step too many: said so, with the reason."""
    steps = arguments["steps"]
    too = {steps: "few", steps + 2: "many"}
    if not isinstance(path, np.ndarray) or path.ndim != np.ndim(arguments["w0"]) + 1:
        return None  # the answer's own checks say what is wrong
    if len(path) not in too:
        return None
    return (
        f"returned one row too {too[len(path)]}",
        f"For steps={steps} the path must have steps + 1 = {steps + 1} rows, the start w0 "
        f"first and then the weights after each of the {steps} steps, but it has {len(path)}.",
    )


# ---------------------------------------------------------------------------------------------
# Mutants: the known mistakes
# ---------------------------------------------------------------------------------------------


def _uphill(grad_fn, w0, lr, steps):
    path = [w0]
    for _ in range(steps):
        path.append(path[-1] + lr * grad_fn(path[-1]))
    return np.stack(path)


def _stale_gradient(grad_fn, w0, lr, steps):
    grad = grad_fn(w0)
    return np.stack([w0 - k * lr * grad for k in range(steps + 1)])


def _rows_share_one_array(grad_fn, w0, lr, steps):
    final = gradient_descent(grad_fn, w0, lr, steps)[-1]
    return np.stack([final] * (steps + 1))


def _without_lr(grad_fn, w0, lr, steps):
    return gradient_descent(grad_fn, w0, 1.0, steps)


def _shifted_by_one_step(grad_fn, w0, lr, steps):
    return gradient_descent(grad_fn, w0, lr, steps + 1)[1:]


_MUTANTS = (
    Mutant(_uphill, "the sign is flipped: step downhill, w ← w − η∇L(w), not w + η∇L(w)."),
    Mutant(
        _stale_gradient,
        "the gradient is computed once, at w0; compute it again at every step, at the current w.",
    ),
    Mutant(
        _rows_share_one_array,
        "every row holds the final weights: you update one array in place (w -= ...) and "
        "append that same array each step. Write w = w - lr * grad_fn(w), or append w.copy().",
    ),
    Mutant(_without_lr, "the learning rate is missing: the step is η∇L(w), not ∇L(w)."),
    Mutant(
        _shifted_by_one_step,
        "row 0 must be the start w0 and row k the weights after k steps; your rows are one "
        "step ahead (record w before you update it).",
    ),
)


# ---------------------------------------------------------------------------------------------
# Predict, derive, challenge and the recall questions
# ---------------------------------------------------------------------------------------------


def _just_above_edge():
    """100 steps with η = 1.05 on the lesson's bowl (λ = 1 and 2, so 2/λmax = 1)."""
    bowl = landscapes.quadratic_bowl(condition_number=2.0, angle=np.pi / 6)
    run = training.descend(bowl, steps=100, lr=1.05, on_divergence="stop")
    if run.status == "diverged":
        return "c", f"The run diverged at step {run.diverged_at}."
    distance = np.linalg.norm(run.points[[0, -1]] - bowl.global_minimum, axis=1)
    return ("a" if distance[1] < distance[0] else "c"), (
        f"After 100 steps the distance was {distance[1] / distance[0]:.3g} times the start's."
    )


check_distance_after_100 = question(
    "distance_after_100",
    correct=_just_above_edge,
    why="Each step multiplies the steep component by 1 − 1.05·2 = −1.1: "
    "10 % more every step, whatever the start (unless it lies exactly on the flat axis).",
    wrong={
        "a": "η = 1.05 is only 5 % above 2/λmax, but that is enough: along the steep direction "
        "each step multiplies by |1 − 1.05·2| = 1.1 > 1, and 1.1¹⁰⁰ ≈ 14 000.",
        "b": "A factor of exactly −1 would bounce at the same size forever; here it is −1.1, "
        "so each bounce is 10 % wider than the last.",
    },
)

_NARROW = (1.0, 10.0)  # λmin, λmax of the narrow bowl, κ = 10

check_best_lr = numeric(
    "best_lr",
    value=2 / (_NARROW[0] + _NARROW[1]),
    why="Setting 1 − η·1 = −(1 − η·10) gives η* = 2/(1 + 10) = 2/11: both factors are then "
    "9/11 in size, and any other η makes one of them larger.",
    mistakes=(
        (
            0.1,
            "η = 1/λmax removes the steep direction in one step, but leaves the flat one "
            "shrinking by 1 − 0.1 = 0.9; a larger η helps the flat one more than it hurts the "
            "steep one, up to where the two factors are equal in size.",
        ),
        (
            0.2,
            "η = 2/λmax is the edge of divergence: there |1 − ηλmax| = 1, so the steep "
            "direction never shrinks.",
        ),
        (
            1.0,
            "η = 1/λmin would send the steep direction to |1 − 10| = 9: it diverges. The "
            "steep direction limits η.",
        ),
        (
            1 / 11,
            "you have 1/(λmin + λmax); balancing 1 − ηλmin = −(1 − ηλmax) gives 2/(λmin + λmax).",
        ),
    ),
    rtol=1e-3,
    hint="The flat factor 1 − η falls as η grows; the steep one |1 − 10η| rises past "
    "η = 0.1. Find the η where they are equal in size.",
)

GOAL = 1e-8  # the challenge: loss − minimum below this after 50 steps on the narrow bowl


def check_chosen_lr(lr):
    """Run 50 steps of gradient descent on the narrow bowl with η = ``lr``; pass if the loss
    ends within ``GOAL`` of the minimum, else say which way to move η."""
    __tracebackhide__ = True
    if isinstance(lr, (bool, np.bool_)) or not isinstance(lr, numbers.Real) or not lr > 0:
        raise CheckFailed(f"Set chosen_lr to one positive number; it is {lr!r}.")
    narrow = landscapes.quadratic_bowl(condition_number=10.0, angle=np.pi / 6)
    run = training.descend(narrow, steps=50, lr=float(lr), on_divergence="stop")
    best = 2 / sum(narrow.eigenvalues)
    if run.status == "diverged":
        raise CheckFailed(
            f"With η = {lr:.4g} the run diverged at step {run.diverged_at}: above "
            f"2/λmax = 0.2 the steep direction grows every step. Try a smaller η."
        )
    gap = run.losses[-1] - narrow.min_value
    if gap < GOAL:
        passed(f"η = {lr:.4g} brings the loss to {gap:.2g} above its minimum in 50 steps.")
        return
    flat, steep = (abs(1 - lr * lam) for lam in narrow.eigenvalues)
    edge = 2 / max(narrow.eigenvalues)
    if steep > 1 + 1e-6:  # past the edge, though not yet flagged as diverged after 50 steps
        why = (
            f"η is past the stability edge 2/λmax = {edge:g}, so the steep direction grows: "
            f"each step multiplies it by |1 − η·10| = {steep:.7g}. Try a smaller η."
        )
    elif steep >= 1 - 1e-6:  # at the edge, to rounding
        why = (
            f"η is the stability edge 2/λmax = {edge:g}: |1 − η·10| = 1, so the steep "
            "direction bounces from side to side and never shrinks. Try a smaller η."
        )
    elif lr < best:
        why = (
            f"the flat direction shrinks only by a factor 1 − η·1 = {flat:.7g} per step. "
            "Try a larger η."
        )
    else:
        why = (
            "the steep direction zig-zags: it shrinks only by a factor "
            f"|1 − η·10| = {steep:.7g} per step. Try a smaller η."
        )
    raise CheckFailed(
        f"With η = {lr:.4g} the loss is still {gap:.2g} above its minimum after 50 steps, "
        f"not below {GOAL:g}: {why}"
    )


check_below_one = question(
    "below_one",
    correct="c",
    why="The scale of η is 1/λmax, not 1: here 2/λmax = 2/50 = 0.04 < 0.05, so the steep "
    "direction is multiplied by |1 − 0.05·50| = 1.5 every step.",
    wrong={
        "a": '"Below 1" is no rule: what matters is η against 2/λmax = 0.04, and 0.05 is above it.',
        "b": "Each step multiplies the steep direction by 1 − 0.05·50 = −1.5: it grows, it "
        "cannot converge.",
        "d": "Whatever the start (unless it lies exactly on the flat axis), the steep "
        "component grows by 1.5 per step.",
    },
)

check_why_zigzag = question(
    "why_zigzag",
    correct="b",
    why="On a narrow valley −∇L points mostly down the steep walls; an η large enough to make "
    "progress along the valley overshoots across it, so the steep component changes sign.",
    wrong={
        "a": "The gradient is exact here (∇L = Aw); the zig-zag is what exact gradients do on "
        "a narrow valley.",
        "c": "A small η (below 1/λmax) never overshoots: the path slides in without a "
        "zig-zag, slowly. The zig-zag comes with η above 1/λmax.",
        "d": "Rounding errors are about 1e-16; the zig-zag is as large as the valley is wide.",
    },
)
