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
"""

import numpy as np

from ... import optim
from ...checks import Mutant, Shown, check_function, make_case
from ...rule_checks import check_rule
from ...validation import as_float_array, nonnegative, nonnegative_int

__all__ = ["check_sgd_update", "check_gradient_descent", "gradient_descent"]


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
