"""check_classify_critical_point: correct versions pass, each known mistake gets its diagnosis."""

import numpy as np
import pytest

from course_utils import landscapes
from course_utils.checks import CheckFailed
from course_utils.lessons.local_minima_and_saddle_points import (
    basins,
    check_big_step_ends,
    check_classify_critical_point,
    check_restart_plan,
    check_sharpness_verdict,
    check_small_gradient,
)
from course_utils.lessons.local_minima_and_saddle_points.basins import classify_critical_point

from ..checking import check_tests, fails, passes, question_tests

# --- differently written correct solutions ----------------------------------------------------


def by_eigenvalues(hessian, tol=1e-9):
    lam = np.linalg.eigvalsh(hessian)
    if np.any(np.abs(lam) <= tol):
        return "degenerate"
    if np.all(lam > 0):
        return "minimum"
    if np.all(lam < 0):
        return "maximum"
    return "saddle"


def by_closed_form(hessian, tol=1e-9):
    """λ = tr/2 ± √((tr/2)² − det), the eigenvalues of a symmetric 2 × 2 matrix by hand."""
    a, b, c = float(hessian[0, 0]), float(hessian[0, 1]), float(hessian[1, 1])
    half_trace, det = (a + c) / 2, a * c - b * b
    root = np.sqrt(max(half_trace**2 - det, 0.0))
    low, high = half_trace - root, half_trace + root
    if min(abs(low), abs(high)) <= tol:
        return "degenerate"
    if low > 0:
        return "minimum"
    return "maximum" if high < 0 else "saddle"


def by_general_eigvals(hessian, tol=1e-9):
    lam = np.sort(np.linalg.eigvals(np.asarray(hessian, dtype=float)).real)
    kinds = {(True, False): "minimum", (False, True): "maximum", (True, True): "saddle"}
    has_up, has_down = bool(lam[-1] > tol), bool(lam[0] < -tol)
    if has_up and has_down:
        return "saddle"
    if np.min(np.abs(lam)) <= tol:
        return "degenerate"
    return kinds[(has_up, has_down)]


def with_a_copy_and_a_list(hessian, tol=1e-9):
    h = hessian.copy()
    h += 0.0  # in place, but on a copy
    signs = [int(np.sign(v)) if abs(v) > tol else 0 for v in np.linalg.eigvalsh(h).tolist()]
    if 0 in signs:
        return "degenerate"
    return {2: "minimum", -2: "maximum", 0: "saddle"}[sum(signs)]


CORRECT = [
    classify_critical_point,
    by_eigenvalues,
    by_closed_form,
    by_general_eigvals,
    with_a_copy_and_a_list,
]


# --- known mistakes, each with the diagnosis it must get -------------------------------------


def swapped(hessian, tol=1e-9):
    kind = by_eigenvalues(hessian, tol)
    return {"minimum": "maximum", "maximum": "minimum"}.get(kind, kind)


def determinant_only(hessian, tol=1e-9):
    det = np.linalg.det(hessian)
    if abs(det) <= tol:
        return "degenerate"
    return "minimum" if det > 0 else "saddle"


def diagonal_only(hessian, tol=1e-9):
    a, c = hessian[0, 0], hessian[1, 1]
    if abs(a) <= tol or abs(c) <= tol:
        return "degenerate"
    if a > 0 and c > 0:
        return "minimum"
    return "maximum" if a < 0 and c < 0 else "saddle"


def no_degenerate_answer(hessian, tol=1e-9):
    lam = np.linalg.eigvalsh(hessian)
    if np.all(lam >= 0):
        return "minimum"
    return "maximum" if np.all(lam <= 0) else "saddle"


def zero_is_a_saddle(hessian, tol=1e-9):
    lam = np.linalg.eigvalsh(hessian)
    if np.all(lam > tol):
        return "minimum"
    return "maximum" if np.all(lam < -tol) else "saddle"


def exact_zero(hessian, tol=1e-9):
    lam = np.linalg.eigvalsh(hessian)
    if np.any(lam == 0):
        return "degenerate"
    if np.all(lam > 0):
        return "minimum"
    return "maximum" if np.all(lam < 0) else "saddle"


def determinant_exactly_zero(hessian, tol=1e-9):
    det = hessian[0, 0] * hessian[1, 1] - hessian[0, 1] ** 2
    if det == 0:
        return "degenerate"
    if det < 0:
        return "saddle"
    return "minimum" if hessian[0, 0] > 0 else "maximum"


def ignores_tol(hessian, tol=1e-9):
    return by_eigenvalues(hessian)


def strict_tol(hessian, tol=1e-9):
    lam = np.linalg.eigvalsh(hessian)
    if np.any(np.abs(lam) < tol):
        return "degenerate"
    return by_eigenvalues(hessian, 0.0)


def determinant_with_tol(hessian, tol=1e-9):
    det = hessian[0, 0] * hessian[1, 1] - hessian[0, 1] * hessian[1, 0]
    if abs(det) <= tol:
        return "degenerate"
    if det < 0:
        return "saddle"
    return "minimum" if hessian[0, 0] + hessian[1, 1] > 0 else "maximum"


MISTAKES = [
    (swapped, "minimum and maximum are swapped"),
    (determinant_only, "you used the determinant alone"),
    (diagonal_only, "you looked only at the diagonal"),
    (no_degenerate_answer, "an eigenvalue of (almost) 0 must give 'degenerate'"),
    (zero_is_a_saddle, "you return 'saddle' when an eigenvalue is 0"),
    (exact_zero, "you compared the eigenvalues with 0 exactly"),
    (determinant_exactly_zero, "you tested det == 0 exactly"),
    (ignores_tol, "your function ignores its argument tol"),
    (
        strict_tol,
        "an eigenvalue exactly equal to tol counts as zero: test |λ| ≤ tol, not |λ| < tol",
    ),
    (determinant_with_tol, "you compared the determinant with tol"),
    (
        lambda hessian, tol=1e-6: classify_critical_point(hessian, tol),
        "your default for `tol` is 1e-06 but the exercise's is 1e-09",
    ),
]

# Each mistake's message shows the call and the right answer, then the likely cause.
test_correct_solutions_pass, test_each_mistake_is_caught_with_its_diagnosis = check_tests(
    check_classify_critical_point,
    CORRECT,
    [(mistake, "Likely cause: " + diagnosis) for mistake, diagnosis in MISTAKES],
    line="✔ classify_critical_point matches the reference on 18 cases.\n",
    shown=("it should be", "classify_critical_point([["),
)


def test_a_mistake_the_check_cannot_name_still_fails_without_a_wrong_cause():
    def always_minimum(hessian, tol=1e-9):
        return "minimum"

    with pytest.raises(CheckFailed) as failure:
        check_classify_critical_point(always_minimum)
    message = str(failure.value)
    assert "case 3 of 18, a maximum" in message and "it should be 'maximum'" in message


# --- malformed answers and misbehaving functions ---------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Minimum", "Return exactly one of 'minimum', 'maximum', 'saddle', 'degenerate'"),
        ("min", "returned 'min'"),
        (None, "returned None on case 1 of 18"),
        (np.array([2.0, 8.9]), "returned a ndarray"),
        (1, "returned an int"),
    ],
)
def test_an_answer_that_is_not_one_of_the_four_labels(answer, expected):
    with pytest.raises(CheckFailed, match="Did you forget|Return") as failure:
        check_classify_critical_point(lambda hessian, tol=1e-9: answer)
    assert expected in str(failure.value)


def test_changing_the_hessian_in_place_is_caught():
    def symmetrises_in_place(hessian, tol=1e-9):
        hessian[1, 0] = hessian[0, 1] = 0.0
        return by_eigenvalues(hessian, tol)

    with pytest.raises(CheckFailed, match="changed its input `hessian` in place"):
        check_classify_critical_point(symmetrises_in_place)


def test_the_stub_is_called_not_written_and_an_error_is_reported_with_the_learners_line():
    def unfinished(hessian, tol=1e-9):
        raise NotImplementedError()

    with pytest.raises(CheckFailed) as failure:
        check_classify_critical_point(unfinished)
    assert str(failure.value) == (
        "classify_critical_point is not written yet: "
        "replace `raise NotImplementedError()` with your code."
    )

    def unfinished_differently(hessian, tol=1e-9):
        return {"kind": "saddle"}[hessian]

    with pytest.raises(CheckFailed) as failure:
        check_classify_critical_point(unfinished_differently)
    assert "raised TypeError" in str(failure.value)
    assert "(line " in str(failure.value) and '`return {"kind": "saddle"}[hessian]`' in str(
        failure.value
    )


def test_a_missing_tol_parameter_is_explained():
    def no_tol(hessian):
        return by_eigenvalues(hessian)

    with pytest.raises(CheckFailed) as failure:
        check_classify_critical_point(no_tol)
    assert "classify_critical_point(hessian, tol=1e-09)" in str(failure.value)


def test_the_check_refuses_what_is_not_a_function():
    with pytest.raises(TypeError, match="fn must be your function itself"):
        check_classify_critical_point("minimum")


# ---------------------------------------------------------------------------------------------
# The predict, derive, challenge and concept exercises
# ---------------------------------------------------------------------------------------------


# (check, right option, wrong options[, what the prediction's run found, in every message])
QUESTIONS = [
    (check_big_step_ends, "local", ["global", "nowhere"], "to x = 0.34, over the ridge"),
    (check_small_gradient, "c", ["a", "b", "d"]),
    (check_sharpness_verdict, "b", ["a", "c", "d"]),
]

test_questions_pass_the_right_option_and_explain_each_wrong_one = question_tests(QUESTIONS)


def _check_plan(plan):
    __tracebackhide__ = True
    check_restart_plan(*plan)


def test_the_restart_plans_that_fit_the_budget_pass(capsys):
    for plan in [(6, 33, 0.15), (5, 40, 0.15), (8, 25, 0.18)]:
        assert "found the global minimum in" in passes(_check_plan, plan, capsys)


@pytest.mark.parametrize(
    ("plan", "words"),
    [
        ((1, 300, 0.05), "over the budget of 200"),
        ((10, 20, 0.1), "had not settled after 20 steps"),
        ((6, 33, 0.22), "had not settled after 33 steps"),
        ((4, 50, 0.1), "more restarts"),
        ((6.0, 33, 0.15), "Set n_restarts to a whole number"),
        ((200 / 40, 40, 0.15), "use int(...) or //, e.g. 200 // 40); it is 5.0."),
        ((5, 40.0, 0.15), "Set n_steps to a whole number (a count must be an int"),
        ((6, 0, 0.15), "Set n_steps to at least 1"),
        ((6, 33, -0.1), "Set restart_lr to one positive number"),
        ((None, None, None), "Set n_restarts to a whole number"),
    ],
)
def test_a_failing_restart_plan_says_what_to_change(plan, words):
    fails(_check_plan, plan, words)


def test_the_restart_trials_agree_with_the_basin_share():
    from course_utils.lessons.local_minima_and_saddle_points.checks import _trial_labels

    labels = _trial_labels(1, 300, 0.05, trials=2000)
    p = basins.basin_map(landscapes.two_minima(), lr=0.05, resolution=41).fraction(0)
    assert abs(np.mean(labels == 0) - p) < 0.05  # one run per trial succeeds with p
