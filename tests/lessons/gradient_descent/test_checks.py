"""check_gradient_descent and check_sgd_update: pass correct code however written, catch and
name wrong code."""

import numpy as np
import pytest

from course_utils import landscapes, optim, training
from course_utils.checks import CheckFailed
from course_utils.lessons.gradient_descent import (
    GOAL,
    check_below_one,
    check_best_lr,
    check_chosen_lr,
    check_distance_after_100,
    check_gradient_descent,
    check_sgd_update,
    check_why_zigzag,
    gradient_descent,
)

from ..checking import check_tests, fails, number_tests, passes, question_tests

# ---------------------------------------------------------------------------------------------
# The reference
# ---------------------------------------------------------------------------------------------


def test_reference_follows_the_update_rule_on_rosenbrock():
    f = landscapes.rosenbrock()
    path = gradient_descent(f.grad, [-1.2, 1.0], 1e-3, 50)
    assert path.shape == (51, 2)
    np.testing.assert_array_equal(path[0], [-1.2, 1.0])
    for k in range(50):
        np.testing.assert_allclose(path[k + 1], path[k] - 1e-3 * f.grad(path[k]), rtol=0, atol=0)


def test_reference_matches_torch_sgd_in_float64():
    torch = pytest.importorskip("torch")
    bowl = landscapes.quadratic_bowl(condition_number=10.0, angle=0.4)
    w = torch.tensor([1.5, -0.7], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.15)
    torch_path = [w.detach().numpy().copy()]
    for _ in range(20):
        opt.zero_grad()
        bowl.torch_loss(w).backward()
        opt.step()
        torch_path.append(w.detach().numpy().copy())
    path = gradient_descent(bowl.grad, [1.5, -0.7], 0.15, 20)
    np.testing.assert_allclose(path, np.array(torch_path), rtol=0, atol=1e-12)


def test_reference_keeps_float32_and_does_not_touch_w0():
    w0 = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    path = gradient_descent(lambda w: 2 * w, w0, 0.1, 3)
    assert path.dtype == np.float32 and path.shape == (4, 2, 2)
    np.testing.assert_array_equal(w0, [[1.0, 2.0], [3.0, 4.0]])
    assert not np.shares_memory(path, w0)
    np.testing.assert_allclose(path[-1], w0 * 0.8**3, rtol=1e-6)


def test_reference_with_zero_steps_is_just_the_start():
    path = gradient_descent(lambda w: w, [1.0, 2.0], 0.5, 0)
    np.testing.assert_array_equal(path, [[1.0, 2.0]])


@pytest.mark.parametrize(
    "arguments, error, words",
    [
        ({"grad_fn": "not a function"}, TypeError, "grad_fn"),
        ({"w0": "x"}, TypeError, "w0"),
        ({"w0": [np.nan, 1.0]}, ValueError, "w0"),
        ({"lr": -0.1}, ValueError, "lr must be ≥ 0"),
        ({"steps": 2.5}, TypeError, "steps must be an integer"),
        ({"steps": -1}, ValueError, "steps must be an integer ≥ 0"),
    ],
)
def test_reference_refuses_bad_input(arguments, error, words):
    good = {"grad_fn": lambda w: w, "w0": [1.0, 2.0], "lr": 0.1, "steps": 3}
    with pytest.raises(error, match=words):
        gradient_descent(**(good | arguments))


# ---------------------------------------------------------------------------------------------
# Correct implementations, written differently, all pass
# ---------------------------------------------------------------------------------------------


def loop_with_a_list(grad_fn, w0, lr, steps):
    w = w0
    path = [w]
    for _ in range(steps):
        w = w - lr * grad_fn(w)
        path.append(w)
    return np.array(path)


def preallocated(grad_fn, w0, lr, steps):
    path = np.empty((steps + 1, *np.shape(w0)), dtype=np.asarray(w0).dtype)
    path[0] = w0
    for k in range(steps):
        path[k + 1] = path[k] - lr * grad_fn(path[k])
    return path


def with_sgd_update_and_copies(grad_fn, w0, lr, steps):
    w = w0.copy()
    path = [w.copy()]
    for _ in range(steps):
        w -= lr * grad_fn(w)  # in place on a private copy, appended as a copy: fine
        path.append(w.copy())
    return np.stack([optim.sgd_update(p, np.zeros_like(p), lr) for p in path])


def recursive(grad_fn, w0, lr, steps):
    if steps == 0:
        return w0[None].copy()
    earlier = recursive(grad_fn, w0, lr, steps - 1)
    return np.concatenate([earlier, (earlier[-1] - lr * grad_fn(earlier[-1]))[None]])


CORRECT_DESCENTS = [
    gradient_descent,
    loop_with_a_list,
    preallocated,
    with_sgd_update_and_copies,
    recursive,
]


# ---------------------------------------------------------------------------------------------
# Wrong implementations, each caught with the right diagnosis
# ---------------------------------------------------------------------------------------------


def uphill(grad_fn, w0, lr, steps):
    return gradient_descent(lambda w: -grad_fn(w), w0, lr, steps)  # w − η(−∇L) = w + η∇L


def stale_gradient(grad_fn, w0, lr, steps):
    g = grad_fn(w0)
    path = [w0]
    for _ in range(steps):
        path.append(path[-1] - lr * g)
    return np.array(path)


def appends_one_array(grad_fn, w0, lr, steps):
    w = w0.copy()
    path = [w]
    for _ in range(steps):
        w -= lr * grad_fn(w)
        path.append(w)
    return np.array(path)


def modifies_w0(grad_fn, w0, lr, steps):
    path = [w0.copy()]
    for _ in range(steps):
        w0 -= lr * grad_fn(w0)
        path.append(w0.copy())
    return np.array(path)


def no_learning_rate(grad_fn, w0, lr, steps):
    path = [w0]
    for _ in range(steps):
        path.append(path[-1] - grad_fn(path[-1]))
    return np.array(path)


def without_the_start(grad_fn, w0, lr, steps):
    w, path = w0, []
    for _ in range(steps):
        w = w - lr * grad_fn(w)
        path.append(w)
    return np.array(path)


def a_step_too_many(grad_fn, w0, lr, steps):
    return gradient_descent(grad_fn, w0, lr, steps + 1)


def one_step_ahead(grad_fn, w0, lr, steps):
    w, path = w0, []
    for _ in range(steps + 1):
        w = w - lr * grad_fn(w)
        path.append(w)
    return np.array(path)


def returns_a_list(grad_fn, w0, lr, steps):
    return list(gradient_descent(grad_fn, w0, lr, steps))


def only_the_final_point(grad_fn, w0, lr, steps):
    return gradient_descent(grad_fn, w0, lr, steps)[-1]


def float64_always(grad_fn, w0, lr, steps):
    return gradient_descent(grad_fn, w0, lr, steps).astype(np.float64)


def forgets_return(grad_fn, w0, lr, steps):
    gradient_descent(grad_fn, w0, lr, steps)


def assumes_two_weights(grad_fn, w0, lr, steps):
    path = [w0]
    for _ in range(steps):
        x, y = path[-1]
        gx, gy = grad_fn(path[-1])
        path.append(np.array([x - lr * gx, y - lr * gy]))
    return np.array(path)


def wrong_at_zero_steps_only(grad_fn, w0, lr, steps):
    return gradient_descent(grad_fn, w0, lr, max(steps, 1))


def stops_at_a_zero_gradient(grad_fn, w0, lr, steps):
    path = [w0]
    for _ in range(steps):
        grad = grad_fn(path[-1])
        if np.linalg.norm(grad) < 1e-8:  # "converged": but the exercise asks for every step
            break
        path.append(path[-1] - lr * grad)
    return np.array(path)


WRONG_DESCENTS = [
    (uphill, "Likely cause: the sign is flipped"),
    (stale_gradient, "Likely cause: the gradient is computed once, at w0"),
    (appends_one_array, "Likely cause: every row holds the final weights"),
    (modifies_w0, "changed its input `w0` in place"),
    (no_learning_rate, "Likely cause: the learning rate is missing"),
    (without_the_start, "one row too few"),
    (a_step_too_many, "one row too many"),
    (one_step_ahead, "Likely cause: row 0 must be the start w0"),
    (returns_a_list, "returned a list as `path`"),
    (only_the_final_point, "returned `path` with shape (2,) instead of (7, 2)"),
    (float64_always, "returned `path` as float64 instead of float32"),
    (forgets_return, "returned None"),
    (assumes_two_weights, "raised ValueError"),
    (wrong_at_zero_steps_only, "zero steps"),
    (stops_at_a_zero_gradient, "shape (1, 2) instead of (4, 2) on case 10 of 11, starting"),
]

(
    test_correct_implementations_pass,
    test_wrong_implementations_are_caught_and_explained,
) = check_tests(
    check_gradient_descent,
    CORRECT_DESCENTS,
    WRONG_DESCENTS,
    line="✔ gradient_descent matches the reference on 11 cases.\n",
)


def test_a_failure_names_the_gradient_used():
    with pytest.raises(CheckFailed, match=r"gradient_descent\(grad_bowl_1_10, w0, lr=0.15"):
        check_gradient_descent(uphill)


def test_check_refuses_a_non_function():
    with pytest.raises(TypeError, match="check_gradient_descent"):
        check_gradient_descent("gradient_descent")


# =============================================================================================
# check_sgd_update. The wrong rules below are written here, independently of the check's own
# mutant list, the way a learner would write them; the check's cases and mutants themselves are
# tested with every update rule's, in tests/test_rule_checks.py.
# =============================================================================================

# ---------------------------------------------------------------------------------------------
# Right rules, written in different ways, pass
# ---------------------------------------------------------------------------------------------


def sgd_in_place_on_a_copy(params, g, lr):
    params = params.copy()
    params -= lr * g
    return params


def sgd_with_ufuncs(w, grad, lr):
    return np.subtract(w, np.multiply(lr, grad, dtype=w.dtype))


RIGHT = [optim.sgd_update, sgd_in_place_on_a_copy, sgd_with_ufuncs]


# ---------------------------------------------------------------------------------------------
# Wrong rules fail, and the message names the mistake
# ---------------------------------------------------------------------------------------------


def sgd_uphill(w, grad, lr):
    return w + lr * grad


def sgd_without_lr(w, grad, lr):
    return w - grad


def sgd_in_place(w, grad, lr):
    w -= lr * grad
    return w


def sgd_forgot_return(w, grad, lr):
    w = w - lr * grad  # noqa: F841


def sgd_always_float64(w, grad, lr):
    return np.asarray(w, dtype=float) - lr * grad


def sgd_flattens(w, grad, lr):
    return (w - lr * grad).ravel()


WRONG = [
    (sgd_uphill, "the sign is flipped"),
    (sgd_without_lr, "the learning rate is missing"),
    (sgd_in_place, "changed its input `w` in place"),
    (sgd_forgot_return, "returned None on case 1 of 11, a vector"),
    (sgd_always_float64, "returned `w` as float64 instead of float32"),
    (sgd_flattens, "returned `w` with shape (12,) instead of (3, 4)"),
]


# ---------------------------------------------------------------------------------------------
# More wrong rules: a student's slips and an adversarial grader's probes. Each must fail; the
# diagnosis is asserted where the check names one, else the start of the message.
# ---------------------------------------------------------------------------------------------


def sgd_divides_by_lr(w, grad, lr):
    return w - grad / lr


def sgd_subtract_out_w(w, grad, lr):
    return np.subtract(w, lr * grad, out=w)


def sgd_scales_grad_in_place(w, grad, lr):
    grad *= lr
    return w - grad


def sgd_python_float_for_scalars(w, grad, lr):
    new_w = w - lr * grad
    return float(new_w) if new_w.ndim == 0 else new_w


def sgd_at_least_1d(w, grad, lr):
    return np.atleast_1d(w - lr * grad)


def sgd_lr_as_a_one_element_array(w, grad, lr):
    return w - np.array([lr]) * grad  # shape (1,) broadcasts, but float32 becomes float64


def sgd_integer_result(w, grad, lr):
    new_w = np.zeros(w.shape, dtype=int)
    new_w[...] = w - lr * grad
    return new_w


def sgd_zero_gradient_shortcut(w, grad, lr):
    return w if not grad.any() else w - lr * grad


def sgd_clips_the_gradient(w, grad, lr):
    return w - lr * np.clip(grad, -1, 1)


def sgd_in_float32(w, grad, lr):
    return (w.astype(np.float32) - np.float32(lr) * grad.astype(np.float32)).astype(w.dtype)


def sgd_rounds(w, grad, lr):
    return np.round(w - lr * grad, 6)


def sgd_drops_a_dimension(w, grad, lr):
    new_w = w - lr * grad
    return new_w.reshape(new_w.shape[0], -1) if new_w.ndim > 2 else new_w


MORE_WRONG = [
    (sgd_divides_by_lr, "the step is divided by η"),
    (sgd_subtract_out_w, "changed its input `w` in place"),
    (sgd_scales_grad_in_place, "changed its input `grad` in place"),
    (sgd_python_float_for_scalars, "float(...) and .item() give a Python float"),
    (sgd_at_least_1d, "returned `w` with shape (1,) instead of ()"),
    (sgd_lr_as_a_one_element_array, "as float64 instead of float32"),
    (sgd_integer_result, "returned `w` as int64 instead of float64"),
    (sgd_zero_gradient_shortcut, "returned its input `w` itself as the new `w`"),
    (sgd_clips_the_gradient, "returned a wrong `w` on case 1 of 11"),
    (sgd_in_float32, "right to only about 7 digits"),
    (sgd_rounds, "returned a wrong `w` on case 1 of 11"),
    (sgd_drops_a_dimension, "shape (2, 6) instead of (2, 3, 2)"),
]

test_right_rules_pass_with_one_line, test_wrong_rules_fail_with_the_right_diagnosis = check_tests(
    check_sgd_update, RIGHT, WRONG + MORE_WRONG
)


# ---------------------------------------------------------------------------------------------
# The predict, derive, challenge and concept exercises
# ---------------------------------------------------------------------------------------------


# (check, right option, wrong options[, what the prediction's run found, in every message])
QUESTIONS = [
    (check_distance_after_100, "c", ["a", "b"], "The run diverged at step 82."),
    (check_below_one, "c", ["a", "b", "d"]),
    (check_why_zigzag, "b", ["a", "c", "d"]),
]

test_questions_pass_the_right_option_and_explain_each_wrong_one = question_tests(QUESTIONS)

BEST_LR_WRONG = [
    (0.1, "η = 1/λmax removes the steep direction"),
    (0.2, "the edge of divergence"),
    (1.0, "η = 1/λmin"),
    (1 / 11, "you have 1/(λmin + λmax)"),
    (0.15, "is too small"),
    (0.5, "is too large"),
    (None, "Set best_lr to one number"),
]

# the balance point 2/(λmin + λmax), and to four digits: enough
test_best_lr_passes_the_balance_point, test_best_lr_names_each_mistake = number_tests(
    check_best_lr, [2 / 11, 0.1818], BEST_LR_WRONG
)


def _reaches_goal(lr):
    narrow = landscapes.quadratic_bowl(condition_number=10.0, angle=np.pi / 6)
    run = training.descend(narrow, steps=50, lr=lr, on_divergence="stop")
    return run.status == "finished" and run.losses[-1] - narrow.min_value < GOAL


@pytest.mark.parametrize("lr", [0.1, 0.16, 0.172, 0.175, 0.18, 2 / 11, 0.183, 0.19, 0.21, 0.3])
def test_chosen_lr_passes_exactly_where_50_steps_reach_the_goal(lr, capsys):
    if _reaches_goal(lr):
        assert "in 50 steps" in passes(check_chosen_lr, lr, capsys)
    else:
        fails(check_chosen_lr, lr, f"η = {lr:.4g}")


@pytest.mark.parametrize(
    ("lr", "words"),
    [
        (0.1, "Try a larger η"),
        (0.19, "Try a smaller η"),
        (0.19, "it shrinks only by a factor |1 − η·10| = 0.9 per step"),
        (0.1, "shrinks only by a factor 1 − η·1 = 0.9 per step"),
        (0.2, "η is the stability edge 2/λmax = 0.2: |1 − η·10| = 1, so the steep direction"),
        (0.21, "past the stability edge 2/λmax = 0.2, so the steep direction grows"),
        (0.21, "multiplies it by |1 − η·10| = 1.1. Try a smaller η."),
        (0.25, "diverged at step"),
        (-0.1, "one positive number"),
        (True, "one positive number"),
        ("0.18", "one positive number"),
    ],
)
def test_chosen_lr_says_which_way_to_move(lr, words):
    fails(check_chosen_lr, lr, words)
