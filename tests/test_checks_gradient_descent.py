"""check_gradient_descent: passes correct loops however written, catches and names wrong ones."""

import numpy as np
import pytest

from course_utils import landscapes, optim
from course_utils.checks.feedback import CheckFailed
from course_utils.checks.gradient_descent import check_gradient_descent, gradient_descent

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


@pytest.mark.parametrize(
    "correct", [loop_with_a_list, preallocated, with_sgd_update_and_copies, recursive]
)
def test_correct_implementations_pass(correct, capsys):
    check_gradient_descent(correct)
    assert capsys.readouterr().out.strip() == (
        "✔ gradient_descent matches the reference on 11 cases."
    )


def test_the_reference_passes_its_own_check(capsys):
    check_gradient_descent(gradient_descent)
    assert "✔" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# Wrong implementations, each caught with the right diagnosis
# ---------------------------------------------------------------------------------------------


def uphill(grad_fn, w0, lr, steps):
    path = [w0]
    for _ in range(steps):
        path.append(path[-1] + lr * grad_fn(path[-1]))
    return np.array(path)


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


@pytest.mark.parametrize(
    "wrong, words",
    [
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
    ],
)
def test_wrong_implementations_are_caught_and_explained(wrong, words):
    with pytest.raises(CheckFailed) as caught:
        check_gradient_descent(wrong)
    assert words in str(caught.value), str(caught.value)


def test_a_failure_names_the_gradient_used():
    with pytest.raises(CheckFailed, match=r"gradient_descent\(grad_bowl_1_10, w0, lr=0.15"):
        check_gradient_descent(uphill)


def test_check_refuses_a_non_function():
    with pytest.raises(TypeError, match="check_gradient_descent"):
        check_gradient_descent("gradient_descent")
