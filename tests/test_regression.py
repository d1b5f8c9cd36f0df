"""course_utils.regression: the exercises' references, the regression landscape and SGD."""

import numpy as np
import pytest

from course_utils import models, regression, training

torch = pytest.importorskip("torch")


def _problem(seed, n=7, d=3, dtype=np.float64):
    rng = np.random.default_rng(seed)
    w, X, y = rng.normal(size=d), rng.normal(size=(n, d)), rng.normal(size=n)
    return w.astype(dtype), X.astype(dtype), y.astype(dtype)


def _torch_example_grads(w, X, y):
    grads = []
    for x_i, y_i in zip(X, y, strict=True):
        w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        ((torch.tensor(x_i) @ w_t - float(y_i)) ** 2).backward()
        grads.append(w_t.grad.numpy())
    return np.array(grads)


@pytest.fixture(scope="module")
def lesson_landscape():
    return regression.regression_landscape(*regression.regression_data(n=200))


# ---------------------------------------------------------------------------------------------
# The exercises' references
# ---------------------------------------------------------------------------------------------


def test_per_example_gradients_match_autograd_and_average_to_the_model_gradient():
    w, X, y = _problem(0)
    grads = regression.per_example_gradients(w, X, y)
    np.testing.assert_allclose(grads, _torch_example_grads(w, X, y), rtol=0, atol=1e-12)

    model = models.LinearRegression(n_features=2)
    model.params[0][:], model.params[1][:] = w[:2], w[2]
    _, (grad_w, grad_b) = model.loss_and_grads(X[:, :2], y)
    with_bias = np.column_stack([X[:, :2], np.ones(len(X))])
    np.testing.assert_allclose(
        regression.per_example_gradients(w, with_bias, y).mean(axis=0),
        np.concatenate([grad_w, grad_b]),
        rtol=1e-12,
    )


def test_minibatch_gradient_matches_autograd_and_counts_repeats():
    w, X, y = _problem(1, n=9, d=2)
    rows = np.array([4, 4, 0, 8, 2])
    w_t = torch.tensor(w, requires_grad=True)
    torch.mean((torch.tensor(X[rows]) @ w_t - torch.tensor(y[rows])) ** 2).backward()
    got = regression.minibatch_gradient(w, X, y, rows)
    np.testing.assert_allclose(got, w_t.grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        got, regression.per_example_gradients(w, X, y)[rows].mean(axis=0), rtol=1e-12
    )


def test_sgd_epoch_is_a_torch_sgd_loop_over_one_permutation():
    w, X, y = _problem(2, n=6, d=2)
    order = np.random.default_rng(5).permutation(len(X))
    w_t = torch.tensor(w, requires_grad=True)
    opt = torch.optim.SGD([w_t], lr=0.07)
    for i in order:
        opt.zero_grad()
        ((torch.tensor(X[i]) @ w_t - float(y[i])) ** 2).backward()
        opt.step()
    rng = np.random.default_rng(5)
    got = regression.sgd_epoch(w, X, y, 0.07, rng)
    np.testing.assert_allclose(got, w_t.detach().numpy(), rtol=0, atol=1e-12)
    reference_rng = np.random.default_rng(5)
    reference_rng.permutation(len(X))
    assert rng.random() == reference_rng.random()  # exactly one permutation was drawn


def test_references_keep_float32_and_leave_inputs_alone():
    w, X, y = _problem(3, dtype=np.float32)
    copies = [a.copy() for a in (w, X, y)]
    results = [
        regression.per_example_gradients(w, X, y),
        regression.sgd_epoch(w, X, y, 0.1, np.random.default_rng(0)),
        regression.minibatch_gradient(w, X, y, np.array([0, 2])),
    ]
    assert all(result.dtype == np.float32 for result in results)
    for array, copy in zip((w, X, y), copies, strict=True):
        np.testing.assert_array_equal(array, copy)
    assert not np.shares_memory(results[1], w)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda w, X, y: regression.per_example_gradients(X, X, y), ValueError, "w must be a 1-D"),
        (lambda w, X, y: regression.per_example_gradients(w, X[:, :2], y), ValueError, "X must"),
        (lambda w, X, y: regression.per_example_gradients(w, X, y[:3]), ValueError, "y must"),
        (lambda w, X, y: regression.per_example_gradients(w, "X", y), TypeError, "X must"),
        (lambda w, X, y: regression.sgd_epoch(w, X, y, np.nan, None), ValueError, "lr"),
        (lambda w, X, y: regression.sgd_epoch(w, X, y, 0.1, 0), TypeError, "rng must"),
        (lambda w, X, y: regression.minibatch_gradient(w, X, y, [0, 7]), ValueError, "[0, 7)"),
        (lambda w, X, y: regression.minibatch_gradient(w, X, y, [-1]), ValueError, "indices"),
        (lambda w, X, y: regression.minibatch_gradient(w, X, y, []), ValueError, "non-empty"),
        (lambda w, X, y: regression.minibatch_gradient(w, X, y, [0.5]), TypeError, "integer"),
        (lambda w, X, y: regression.minibatch_gradient(w, X, y, [True]), TypeError, "integer"),
    ],
)
def test_bad_input_names_the_argument(call, error, words):
    with pytest.raises(error, match=words.replace("[", r"\[").replace(")", r"\)")):
        call(*_problem(4))


# ---------------------------------------------------------------------------------------------
# The regression landscape: a landscape that knows its examples
# ---------------------------------------------------------------------------------------------


def test_regression_landscape_is_the_models_loss(lesson_landscape):
    x, y = lesson_landscape.X[:, 0], lesson_landscape.y
    model = models.LinearRegression(n_features=1)
    w = np.array([-0.7, 0.4])
    model.params[0][:], model.params[1][:] = w
    loss, grads = model.loss_and_grads(x[:, None], y)
    assert lesson_landscape(w) == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(lesson_landscape.grad(w), np.concatenate(grads), rtol=1e-12)
    np.testing.assert_allclose(
        lesson_landscape.example_grads(w).mean(axis=0), lesson_landscape.grad(w), rtol=1e-12
    )
    solution = np.linalg.lstsq(lesson_landscape.X, y, rcond=None)[0]
    np.testing.assert_allclose(lesson_landscape.global_minimum, solution, rtol=1e-10)
    np.testing.assert_allclose(lesson_landscape.grad(solution), 0, atol=1e-12)


def test_regression_landscape_derivatives_match_autograd(
    lesson_landscape, example_landscape_matches_autograd
):
    example_landscape_matches_autograd(lesson_landscape, ([0.3, -1.2], [-1.1, 0.6], [0.0, 1.0]))


def test_example_grads_takes_any_shape_of_indices(lesson_landscape):
    w = lesson_landscape.start
    rows = np.array([[0, 3, 3], [5, 1, 2]])
    grads = lesson_landscape.example_grads(w, rows)
    assert grads.shape == (2, 3, 2)
    all_grads = lesson_landscape.example_grads(w)
    np.testing.assert_array_equal(grads[1, 0], all_grads[5])
    np.testing.assert_allclose(
        lesson_landscape.batch_grad(w, rows), all_grads[rows].mean(axis=1), rtol=1e-14
    )
    with pytest.raises(ValueError, match=r"indices must be row numbers in \[0, 200\)"):
        lesson_landscape.example_grads(w, [200])
    with pytest.raises(TypeError, match="integer"):
        lesson_landscape.example_grads(w, [0.5])
    with pytest.raises(ValueError, match="one point"):
        lesson_landscape.example_grads(np.zeros((3, 2)), [0])


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: regression.regression_landscape([1.0, 2.0], [1.0]), ValueError, "same length"),
        (lambda: regression.regression_landscape([1.0, 1.0], [1.0, 2.0]), ValueError, "constant"),
        (lambda: regression.regression_landscape("x", [1.0]), TypeError, "x must"),
    ],
)
def test_bad_landscape_input_names_the_problem(call, error, words):
    with pytest.raises(error, match=words):
        call()


# ---------------------------------------------------------------------------------------------
# SGD
# ---------------------------------------------------------------------------------------------


def test_sgd_with_one_example_per_step_is_sgd_epoch(lesson_landscape):
    start = np.array([0.5, 0.5])
    run = regression.sgd(lesson_landscape, start, lr=0.01, epochs=2, seed=3)
    rng = np.random.default_rng(3)
    w = start
    for _ in range(2):
        w = regression.sgd_epoch(w, lesson_landscape.X, lesson_landscape.y, 0.01, rng)
    np.testing.assert_allclose(run.points[-1], w, rtol=1e-12)
    assert run.steps == 2 * lesson_landscape.n
    np.testing.assert_allclose(run.losses, lesson_landscape(run.points), rtol=1e-12)


def test_sgd_with_the_whole_set_as_one_batch_is_gradient_descent(lesson_landscape):
    run = regression.sgd(lesson_landscape, lr=0.1, epochs=5, batch_size=lesson_landscape.n)
    gd = training.descend(lesson_landscape, steps=5, lr=0.1)
    np.testing.assert_allclose(run.points, gd.points, rtol=1e-12, atol=1e-12)


def test_sgd_in_stored_order_and_with_a_schedule(lesson_landscape):
    seen = []

    def schedule(t):
        seen.append(t)
        return 0.02 / (1 + t)

    run = regression.sgd(lesson_landscape, lr=schedule, batch_size=64, shuffle=False)
    assert seen == [0, 1, 2, 3]  # 200 examples in batches of 64: the last holds 8
    np.testing.assert_allclose(run.lrs, [0.02, 0.01, 0.02 / 3, 0.005])
    w = lesson_landscape.start
    for t, start in enumerate(range(0, 200, 64)):
        rows = np.arange(start, min(start + 64, 200))
        w = w - 0.02 / (1 + t) * lesson_landscape.batch_grad(w, rows)
    np.testing.assert_allclose(run.points[-1], w, rtol=1e-12)


def test_sgd_divergence_is_reported(lesson_landscape):
    with pytest.raises(training.DivergenceError, match="diverged at step"):
        regression.sgd(lesson_landscape, lr=5.0)
    stopped = regression.sgd(lesson_landscape, lr=5.0, on_divergence="stop")
    assert stopped.status == "diverged" and stopped.diverged_at == stopped.steps < 200
    assert stopped.reason.endswith("try a smaller learning rate (lr=5 now)")


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"lr": -0.1}, ValueError, "lr must be > 0"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"batch_size": 1.5}, TypeError, "batch_size"),
        ({"start": [1.0, 2.0, 3.0]}, ValueError, "start"),
        ({"on_divergence": "ignore"}, ValueError, "on_divergence"),
    ],
)
def test_sgd_bad_input(kwargs, error, words, lesson_landscape):
    with pytest.raises(error, match=words):
        regression.sgd(lesson_landscape, **kwargs)
    with pytest.raises(TypeError, match="ExampleLandscape"):
        regression.sgd("rosenbrock")


# ---------------------------------------------------------------------------------------------
# Plots
# ---------------------------------------------------------------------------------------------


def test_loss_gap_curves_draws_on_the_given_axes():
    from matplotlib.figure import Figure

    axes = Figure().subplots()
    gap = np.array([1.0, 0.5, 0.0, 0.25])
    ax = regression.loss_gap_curves({"run": (np.arange(4), gap)}, ax=axes, smooth=2)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.75, 0.25, 0.125])
