r"""The check for lesson 03's exercise: what kind of critical point a Hessian describes.

``check_classify_critical_point(fn)`` calls a learner's ``classify_critical_point(hessian,
tol=1e-9)`` on 2 × 2 Hessians and compares the answer, one of "minimum", "maximum",
"saddle", "degenerate", with the reference in ``course_utils.basins``. The cases tell apart
the mistakes learners make: minimum and maximum swapped (a sign mistake); the determinant
alone (det > 0 holds at a maximum too); the diagonal alone (a cross term can make a saddle of
positive f_xx and f_yy); no "degenerate" answer for a zero eigenvalue; eigenvalues compared
with 0 exactly (rounding leaves 1e-17 where the true value is 0), ``tol`` ignored, |λ| < tol
instead of |λ| ≤ tol, and |det| ≤ tol instead of |λ| ≤ tol. The answer is a label; a failure
shows the Hessian and its eigenvalues.

The lesson's other exercises are values:

- ``check_big_step_ends(answer)``, a prediction: where gradient descent with η = 0.2 ends
  from (−1.6, 0), far out on the global minimum's steep wall. The check runs it.
- ``check_restart_plan(n_restarts, n_steps, restart_lr)``, a challenge: find the global
  minimum of ``two_minima`` in at least ``TARGET`` of ``TRIALS`` seeded trials, each of
  ``n_restarts`` random starts run for ``n_steps`` steps with η = ``restart_lr``, within
  ``BUDGET`` gradients per trial. The check runs the trials and says what to change.
- ``check_small_gradient(answer)`` and ``check_sharpness_verdict(answer)``: the recap's
  questions.
"""

import numbers

import numpy as np

from ... import landscapes
from ...checks import Case, CheckFailed, Label, Mutant, check_function, passed, question
from .basins import KINDS, NO_MINIMUM, classify_critical_point, descend_many, nearest_minimum

__all__ = [
    "check_classify_critical_point",
    "check_big_step_ends",
    "check_restart_plan",
    "check_small_gradient",
    "check_sharpness_verdict",
    "BUDGET",
    "TARGET",
    "TRIALS",
]


def _rotated(angle, eigenvalues):
    """R diag(λ) Rᵀ, symmetrised: a Hessian whose eigenvalues are known exactly on paper."""
    c, s = np.cos(angle), np.sin(angle)
    rotation = np.array([[c, -s], [s, c]])
    hessian = rotation @ np.diag(eigenvalues) @ rotation.T
    return (hessian + hessian.T) / 2


def _h(rows, dtype=np.float64):
    return np.array(rows, dtype=dtype)


# (label, hessian, tol or None for the default)
_CASES = (
    ("the global minimum of two_minima", _h([[8.869079, 0.0], [0.0, 2.0]]), None),
    ("a tilted bowl", _h([[3.0, 1.0], [1.0, 2.0]]), None),
    ("a maximum (det > 0 here too)", _h([[-4.0, 1.0], [1.0, -3.0]]), None),
    ("the saddle of landscapes.saddle", _h([[2.0, 0.0], [0.0, -1.0]]), None),
    ("a saddle with positive f_xx and f_yy", _h([[1.0, 2.0], [2.0, 1.0]]), None),
    ("a saddle with negative f_xx and f_yy", _h([[-1.0, 3.0], [3.0, -2.0]]), None),
    ("a steep maximum", _h([[-100.0, 30.0], [30.0, -20.0]]), None),
    ("a zero eigenvalue", _h([[2.0, 0.0], [0.0, 0.0]]), None),
    ("a zero eigenvalue, the other negative", _h([[-3.0, 0.0], [0.0, 0.0]]), None),
    ("the zero Hessian (f = x⁴ + y⁴ at 0)", _h([[0.0, 0.0], [0.0, 0.0]]), None),
    ("eigenvalues 0 and 2, rotated (rounding leaves λ ≈ −6e-17)", _rotated(0.7, [0.0, 2.0]), None),
    ("eigenvalues 0 and 5, rotated (det ≈ 3e-16 after rounding)", _rotated(0.3, [0.0, 5.0]), None),
    ("a very flat but real minimum (λ = 1e-6, 3e-6)", _h([[1e-6, 0.0], [0.0, 3e-6]]), None),
    ("a small eigenvalue under a larger tol", _h([[0.05, 0.0], [0.0, 3.0]]), 0.1),
    ("a saddle under a larger tol", _h([[-0.2, 0.0], [0.0, 0.5]]), 0.1),
    ("an eigenvalue exactly equal to tol", _h([[0.25, 0.0], [0.0, 1.0]]), 0.25),
    ("a float32 saddle", _h([[2.0, 0.5], [0.5, -1.0]], np.float32), None),
    ("a float32 maximum", _h([[-2.0, 0.5], [0.5, -1.0]], np.float32), None),
)


def _eigenvalues(hessian):
    return np.linalg.eigvalsh(np.asarray(hessian, dtype=np.float64))


def _determinant(hessian):
    return hessian[0, 0] * hessian[1, 1] - hessian[0, 1] * hessian[1, 0]


def _by_determinant(hessian, tol):
    det, trace = _determinant(hessian), hessian[0, 0] + hessian[1, 1]
    if abs(det) <= tol:
        return "degenerate"
    if det < 0:
        return "saddle"
    return "minimum" if trace > 0 else "maximum"


def _no_degenerate(fallback):
    """Eigenvalue signs with no "degenerate" answer: a zero eigenvalue falls to ``fallback``."""

    def classify(hessian, tol):
        lam = _eigenvalues(hessian)
        if np.all(lam > tol):
            return "minimum"
        if np.all(lam < -tol):
            return "maximum"
        if np.any(lam > tol) and np.any(lam < -tol):
            return "saddle"
        return fallback(lam)

    return classify


def _with_zero_test(is_zero):
    """The reference's logic, with "λ counts as zero" decided by ``is_zero(λ, tol)``."""

    def classify(hessian, tol):
        lam = _eigenvalues(hessian)
        zero = is_zero(lam, tol)
        if np.any(lam[~zero] > 0) and np.any(lam[~zero] < 0):
            return "saddle"
        if np.any(zero):
            return "degenerate"
        return "minimum" if np.all(lam > 0) else "maximum"

    return classify


def _swap(hessian, tol):
    kind = classify_critical_point(hessian, tol)
    return {"minimum": "maximum", "maximum": "minimum"}.get(kind, kind)


_MUTANTS = (
    Mutant(
        _swap,
        "minimum and maximum are swapped. Positive eigenvalues mean the loss curves UP in "
        "every direction around the point: that is a minimum.",
    ),
    Mutant(
        lambda hessian, tol: (
            "degenerate"
            if abs(_determinant(hessian)) <= tol
            else "minimum"
            if _determinant(hessian) > 0
            else "saddle"
        ),
        "you used the determinant alone. det = λ1·λ2 > 0 when both eigenvalues are positive "
        "(a minimum) AND when both are negative (a maximum); look at their signs (or at the "
        "trace λ1 + λ2) to tell the two apart.",
    ),
    Mutant(
        lambda hessian, tol: _no_degenerate(lambda lam: "saddle")(np.diag(np.diag(hessian)), tol),
        "you looked only at the diagonal f_xx, f_yy. The cross term f_xy matters: "
        "[[1, 2], [2, 1]] has eigenvalues 3 and −1, a saddle. Use the eigenvalues.",
    ),
    Mutant(
        _no_degenerate(lambda lam: "minimum" if np.all(lam >= 0) else "maximum"),
        "an eigenvalue of (almost) 0 must give 'degenerate': the second derivatives cannot "
        "tell a minimum from a saddle there (x⁴ and x³ both have f'' = 0 at 0).",
    ),
    Mutant(
        _no_degenerate(lambda lam: "saddle"),
        "you return 'saddle' when an eigenvalue is 0; that case is 'degenerate' (the second "
        "derivatives cannot decide).",
    ),
    Mutant(
        _with_zero_test(lambda lam, tol: lam == 0),
        "you compared the eigenvalues with 0 exactly. Rounding leaves about 1e-16 where the "
        "true value is 0, so treat |λ| ≤ tol as zero.",
    ),
    Mutant(
        lambda hessian, tol: _by_determinant(hessian, 0.0),
        "you tested det == 0 exactly. Rounding leaves about 1e-16 where the true value is 0; "
        "treat an eigenvalue with |λ| ≤ tol as zero.",
    ),
    Mutant(
        lambda hessian, tol: classify_critical_point(hessian, 1e-9),
        "your function ignores its argument tol (it always uses 1e-9); use the tol it is given.",
    ),
    Mutant(
        _with_zero_test(lambda lam, tol: np.abs(lam) < tol),
        "an eigenvalue exactly equal to tol counts as zero: test |λ| ≤ tol, not |λ| < tol.",
    ),
    Mutant(
        _by_determinant,
        "you compared the determinant with tol, but det = λ1·λ2 is tiny whenever both "
        "eigenvalues are small (1e-6 · 3e-6 = 3e-12) even though neither is zero. Compare each "
        "eigenvalue with tol: |λ| ≤ tol.",
    ),
)


def check_classify_critical_point(fn):
    """Check ``fn(hessian, tol=1e-9) -> str``: "minimum", "maximum", "saddle" or "degenerate"."""
    __tracebackhide__ = True
    check_function(
        fn,
        "classify_critical_point",
        reference=classify_critical_point,
        cases=[Case(label, (h,), {} if tol is None else {"tol": tol}) for label, h, tol in _CASES],
        answer=Label(KINDS),
        mutants=_MUTANTS,
        describe=_describe,
    )


def _describe(case):
    """'classify_critical_point([[-4, 1], [1, -3]]) (eigenvalues −4.62 and −2.38)'."""
    hessian = case.args[0]
    rows = "], [".join(", ".join(f"{value:.7g}" for value in row) for row in hessian)
    tol = "".join(f", tol={value!r}" for value in case.kwargs.values())
    lam = _eigenvalues(hessian)
    dtype = " (float32)" if hessian.dtype == np.float32 else ""
    return (
        f"classify_critical_point([[{rows}]]{dtype}{tol}) "
        f"(eigenvalues {lam[0]:.3g} and {lam[1]:.3g})"
    )


# ---------------------------------------------------------------------------------------------
# Predict, challenge and the recall questions
# ---------------------------------------------------------------------------------------------

_BIG_STEP_START = (-1.6, 0.0)


def _big_step():
    """Gradient descent with η = 0.2 from (−1.6, 0) on ``two_minima``: where does it end?"""
    two = landscapes.two_minima()
    start = np.array(_BIG_STEP_START)
    first = start - 0.2 * two.grad(start)
    end = descend_many(two, start, 0.2, 300)
    index = int(nearest_minimum(two, end))
    outcome = {0: "global", 1: "local", NO_MINIMUM: "nowhere"}[index]
    return outcome, (
        f"The first step went from x = {start[0]:g} to x = {first[0]:.2f}, over the ridge at "
        f"x ≈ 0.075, and the run ended at ({end[0]:.2f}, {end[1]:.2f})."
    )


check_big_step_ends = question(
    "big_step_ends",
    correct=_big_step,
    why="The wall is steep there (∂f/∂x ≈ −9.7), so one step of η = 0.2 moves x by about "
    "+1.9: past the global minimum and over the ridge, into the local basin, where η = 0.2 "
    "is stable (2/λmax ≈ 0.28 there).",
    wrong={
        "global": "The start lies in the global minimum's basin for small steps, but the "
        "first step is η·|∂f/∂x| ≈ 0.2 · 9.7 ≈ 1.9 long: it overshoots the well and the ridge.",
        "nowhere": "η = 0.2 is below 2/λmax at both minima (0.2255 and 0.28), so the run "
        "settles in one of them; the question is which.",
    },
)

BUDGET = 200  # gradients per trial: restarts × steps
TARGET = 0.97  # the fraction of trials that must find the global minimum
TRIALS = 1000


def _trial_labels(restarts, steps, lr, trials=TRIALS, seed=0):
    """Which minimum each run of each trial reached: an array (trials, restarts)."""
    two = landscapes.two_minima()
    rng = np.random.default_rng(seed)
    (x_min, x_max), (y_min, y_max) = two.window
    n = restarts * trials
    starts = np.column_stack([rng.uniform(x_min, x_max, n), rng.uniform(y_min, y_max, n)])
    ends = descend_many(two, starts, lr, steps)
    return nearest_minimum(two, ends).reshape(trials, restarts)


def _count(name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        hint = ""
        if isinstance(value, numbers.Real):  # 200 / 40 is the float 5.0, not the int 5
            hint = " (a count must be an int: use int(...) or //, e.g. 200 // 40)"
        raise CheckFailed(f"Set {name} to a whole number{hint}; it is {value!r}.")
    if value < 1:
        raise CheckFailed(f"Set {name} to at least 1; it is {value}.")
    return int(value)


def check_restart_plan(n_restarts, n_steps, restart_lr):
    """Run ``TRIALS`` seeded trials of ``n_restarts`` random starts × ``n_steps`` steps of GD
    with η = ``restart_lr`` on ``two_minima``; pass if at least ``TARGET`` of them find the
    global minimum within ``BUDGET`` gradients each, else say what to change."""
    __tracebackhide__ = True
    restarts, steps = _count("n_restarts", n_restarts), _count("n_steps", n_steps)
    lr = restart_lr
    if isinstance(lr, (bool, np.bool_)) or not isinstance(lr, numbers.Real) or not lr > 0:
        raise CheckFailed(f"Set restart_lr to one positive number; it is {lr!r}.")
    if restarts * steps > BUDGET:
        raise CheckFailed(
            f"{restarts} restarts × {steps} steps = {restarts * steps} gradients per trial, "
            f"over the budget of {BUDGET}. Fewer steps each, or fewer restarts."
        )
    labels = _trial_labels(restarts, steps, float(lr))
    found = float(np.mean(np.any(labels == 0, axis=1)))
    unfinished = float(np.mean(labels == NO_MINIMUM))
    if found >= TARGET:
        passed(
            f"{restarts} restarts × {steps} steps with η = {lr:g} found the global minimum in "
            f"{found:.1%} of {TRIALS} trials."
        )
        return
    said = (
        f"{restarts} restarts × {steps} steps with η = {lr:g} found the global minimum in "
        f"only {found:.1%} of {TRIALS} trials (the goal: {TARGET:.0%})."
    )
    if unfinished > 0.05:
        raise CheckFailed(
            f"{said} {unfinished:.0%} of the runs ended at no minimum: they had not settled "
            f"after {steps} steps. At the global minimum the curvatures are 2 and 8.87, so a "
            f"step shrinks the distance by the larger |1 − ηλ|: smallest near η = 2/(2 + 8.87) "
            f"≈ 0.18; above 2/8.87 ≈ 0.2255 runs there never settle."
        )
    raise CheckFailed(
        f"{said} The runs settle, but each finds the global basin only about half the time: "
        f"more restarts, each with fewer steps (k restarts succeed with 1 − (1 − p)^k)."
    )


check_small_gradient = question(
    "small_gradient",
    correct="c",
    why="The gradient vanishes at every critical point: a saddle stalls GD just as a minimum "
    "does, and even a minimum may be a local one. Only more evidence (the Hessian, the loss, "
    "a nudge) tells.",
    wrong={
        "a": "‖∇f‖ is small near a saddle too: section 5's run fell to ‖∇f‖ ≈ 1e-4 near "
        "the saddle, with the loss still ¼ above the minimum.",
        "b": "A small gradient says nothing about the other minima: a local minimum has "
        "‖∇f‖ = 0 as well.",
        "d": "GD near a saddle does not climb; it slows down, because the gradient is small, "
        "and leaves only along the direction of negative curvature.",
    },
)

check_sharpness_verdict = question(
    "sharpness_verdict",
    correct="b",
    why="Flat minima lose less when the loss shifts, and large-batch training tends to find "
    "sharper ones (Keskar et al.), but sharpness depends on how the weights are written "
    "(Dinh et al.): a useful picture, not a law.",
    wrong={
        "a": "Dinh et al. rescaled a ReLU net's weights (αw₁, w₂/α): the same function and "
        "test loss, with a Hessian as sharp as you like. Sharpness alone cannot decide.",
        "c": "Two minima of the same training loss can differ in test loss: the shift picture "
        "shows how, and experiments (Keskar et al.) found it in real networks.",
        "d": "The Hessian's largest eigenvalue is what sharpness means here; the lesson "
        "computed it at three rescalings of one minimum.",
    },
)
