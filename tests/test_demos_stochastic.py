"""course_utils.demos.stochastic: the references, the example landscapes, SGD and the demos."""

import numpy as np
import pytest

from course_utils import models, training
from course_utils.demos import stochastic

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
    return stochastic.regression_landscape(*stochastic.regression_data(n=200))


@pytest.fixture(scope="module")
def autoencoder():
    return stochastic.autoencoder_landscape(stochastic.autoencoder_data(n=60))


# ---------------------------------------------------------------------------------------------
# The exercises' references
# ---------------------------------------------------------------------------------------------


def test_per_example_gradients_match_autograd_and_average_to_the_model_gradient():
    w, X, y = _problem(0)
    grads = stochastic.per_example_gradients(w, X, y)
    np.testing.assert_allclose(grads, _torch_example_grads(w, X, y), rtol=0, atol=1e-12)

    model = models.LinearRegression(n_features=2)
    model.params[0][:], model.params[1][:] = w[:2], w[2]
    _, (grad_w, grad_b) = model.loss_and_grads(X[:, :2], y)
    with_bias = np.column_stack([X[:, :2], np.ones(len(X))])
    np.testing.assert_allclose(
        stochastic.per_example_gradients(w, with_bias, y).mean(axis=0),
        np.concatenate([grad_w, grad_b]),
        rtol=1e-12,
    )


def test_minibatch_gradient_matches_autograd_and_counts_repeats():
    w, X, y = _problem(1, n=9, d=2)
    rows = np.array([4, 4, 0, 8, 2])
    w_t = torch.tensor(w, requires_grad=True)
    torch.mean((torch.tensor(X[rows]) @ w_t - torch.tensor(y[rows])) ** 2).backward()
    got = stochastic.minibatch_gradient(w, X, y, rows)
    np.testing.assert_allclose(got, w_t.grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        got, stochastic.per_example_gradients(w, X, y)[rows].mean(axis=0), rtol=1e-12
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
    got = stochastic.sgd_epoch(w, X, y, 0.07, rng)
    np.testing.assert_allclose(got, w_t.detach().numpy(), rtol=0, atol=1e-12)
    reference_rng = np.random.default_rng(5)
    reference_rng.permutation(len(X))
    assert rng.random() == reference_rng.random()  # exactly one permutation was drawn


def test_references_keep_float32_and_leave_inputs_alone():
    w, X, y = _problem(3, dtype=np.float32)
    copies = [a.copy() for a in (w, X, y)]
    results = [
        stochastic.per_example_gradients(w, X, y),
        stochastic.sgd_epoch(w, X, y, 0.1, np.random.default_rng(0)),
        stochastic.minibatch_gradient(w, X, y, np.array([0, 2])),
    ]
    assert all(result.dtype == np.float32 for result in results)
    for array, copy in zip((w, X, y), copies, strict=True):
        np.testing.assert_array_equal(array, copy)
    assert not np.shares_memory(results[1], w)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda w, X, y: stochastic.per_example_gradients(X, X, y), ValueError, "w must be a 1-D"),
        (lambda w, X, y: stochastic.per_example_gradients(w, X[:, :2], y), ValueError, "X must"),
        (lambda w, X, y: stochastic.per_example_gradients(w, X, y[:3]), ValueError, "y must"),
        (lambda w, X, y: stochastic.per_example_gradients(w, "X", y), TypeError, "X must"),
        (lambda w, X, y: stochastic.sgd_epoch(w, X, y, np.nan, None), ValueError, "lr"),
        (lambda w, X, y: stochastic.sgd_epoch(w, X, y, 0.1, 0), TypeError, "rng must"),
        (lambda w, X, y: stochastic.minibatch_gradient(w, X, y, [0, 7]), ValueError, "[0, 7)"),
        (lambda w, X, y: stochastic.minibatch_gradient(w, X, y, [-1]), ValueError, "indices"),
        (lambda w, X, y: stochastic.minibatch_gradient(w, X, y, []), ValueError, "non-empty"),
        (lambda w, X, y: stochastic.minibatch_gradient(w, X, y, [0.5]), TypeError, "integer"),
        (lambda w, X, y: stochastic.minibatch_gradient(w, X, y, [True]), TypeError, "integer"),
    ],
)
def test_bad_input_names_the_argument(call, error, words):
    with pytest.raises(error, match=words.replace("[", r"\[").replace(")", r"\)")):
        call(*_problem(4))


# ---------------------------------------------------------------------------------------------
# Landscapes that know their examples
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


def _torch_hessian(landscape, w):
    return torch.autograd.functional.hessian(
        landscape.torch_loss, torch.tensor(w, dtype=torch.float64)
    ).numpy()


@pytest.mark.parametrize("name", ["regression", "autoencoder"])
def test_landscape_derivatives_match_autograd(name, lesson_landscape, autoencoder):
    landscape = lesson_landscape if name == "regression" else autoencoder
    for w in ([0.3, -1.2], [-1.1, 0.6], [0.0, 1.0]):
        w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        landscape.torch_loss(w_t).backward()
        np.testing.assert_allclose(landscape.grad(w), w_t.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(landscape.hessian(w), _torch_hessian(landscape, w), atol=1e-10)
        # the loss is the mean of the per-example losses: check through the example gradients
        np.testing.assert_allclose(
            landscape.example_grads(w).mean(axis=0), landscape.grad(w), rtol=1e-10, atol=1e-12
        )


def test_autoencoder_example_gradients_match_autograd(autoencoder):
    u = np.array([0.4, -0.8])
    for x in autoencoder.X[:5]:
        u_t = torch.tensor(u, requires_grad=True)
        x_t = torch.tensor(x)
        torch.sum((u_t * (u_t @ x_t) - x_t) ** 2).backward()
        index = int(np.flatnonzero(np.all(autoencoder.X == x, axis=1))[0])
        np.testing.assert_allclose(
            autoencoder.example_grads(u, [index])[0], u_t.grad.numpy(), rtol=1e-12
        )


def test_autoencoder_has_minima_on_the_top_direction_and_saddles_on_the_other(autoencoder):
    X = autoencoder.X
    assert np.mean(X[:, 0] * X[:, 1]) == 0.0  # the mirrored pairs cancel exactly
    np.testing.assert_array_equal(autoencoder.minima, [[1.0, 0.0], [-1.0, 0.0]])
    for minimum in autoencoder.minima:
        np.testing.assert_allclose(autoencoder.grad(minimum), 0, atol=1e-12)
        assert np.all(np.linalg.eigvalsh(autoencoder.hessian(minimum)) > 0)
    for saddle in ([0.0, 1.0], [0.0, -1.0]):
        np.testing.assert_array_equal(autoencoder.grad(saddle), [0.0, 0.0])
        low, high = np.linalg.eigvalsh(autoencoder.hessian(saddle))
        assert low < 0 < high
    np.testing.assert_array_equal(autoencoder.start, [0.0, 0.3])


def test_gd_on_the_stable_axis_never_leaves_it_but_sgd_does(autoencoder):
    gd = training.descend(autoencoder, [0.0, 0.3], steps=300, lr=0.05)
    assert np.all(gd.points[:, 0] == 0.0)
    np.testing.assert_allclose(gd.points[-1], [0.0, 1.0], atol=1e-9)
    sgd = stochastic.sgd(autoencoder, [0.0, 1.0], lr=0.05, epochs=5, seed=0)
    assert abs(sgd.points[-1, 0]) > 0.8


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
    with pytest.raises(ValueError, match="indices must be in"):
        lesson_landscape.example_grads(w, [200])
    with pytest.raises(TypeError, match="integer"):
        lesson_landscape.example_grads(w, [0.5])
    with pytest.raises(ValueError, match="one point"):
        lesson_landscape.example_grads(np.zeros((3, 2)), [0])


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: stochastic.regression_landscape([1.0, 2.0], [1.0]), ValueError, "same length"),
        (lambda: stochastic.regression_landscape([1.0, 1.0], [1.0, 2.0]), ValueError, "constant"),
        (lambda: stochastic.regression_landscape("x", [1.0]), TypeError, "x must"),
        (lambda: stochastic.autoencoder_landscape(np.ones((4, 3))), ValueError, r"\(n, 2\)"),
        (lambda: stochastic.autoencoder_landscape(np.ones((4, 2))), ValueError, "spread more"),
        (lambda: stochastic.autoencoder_data(n=5), ValueError, "even"),
        (lambda: stochastic.autoencoder_data(spread=(1.0, -1.0)), ValueError, "spread"),
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
    run = stochastic.sgd(lesson_landscape, start, lr=0.01, epochs=2, seed=3)
    rng = np.random.default_rng(3)
    w = start
    for _ in range(2):
        w = stochastic.sgd_epoch(w, lesson_landscape.X, lesson_landscape.y, 0.01, rng)
    np.testing.assert_allclose(run.points[-1], w, rtol=1e-12)
    assert run.steps == 2 * lesson_landscape.n
    np.testing.assert_allclose(run.losses, lesson_landscape(run.points), rtol=1e-12)


def test_sgd_with_the_whole_set_as_one_batch_is_gradient_descent(lesson_landscape):
    run = stochastic.sgd(lesson_landscape, lr=0.1, epochs=5, batch_size=lesson_landscape.n)
    gd = training.descend(lesson_landscape, steps=5, lr=0.1)
    np.testing.assert_allclose(run.points, gd.points, rtol=1e-12, atol=1e-12)


def test_sgd_in_stored_order_and_with_a_schedule(lesson_landscape):
    seen = []

    def schedule(t):
        seen.append(t)
        return 0.02 / (1 + t)

    run = stochastic.sgd(lesson_landscape, lr=schedule, batch_size=64, shuffle=False)
    assert seen == [0, 1, 2, 3]  # 200 examples in batches of 64: the last holds 8
    np.testing.assert_allclose(run.lrs, [0.02, 0.01, 0.02 / 3, 0.005])
    w = lesson_landscape.start
    for t, start in enumerate(range(0, 200, 64)):
        rows = np.arange(start, min(start + 64, 200))
        w = w - 0.02 / (1 + t) * lesson_landscape.batch_grad(w, rows)
    np.testing.assert_allclose(run.points[-1], w, rtol=1e-12)


def test_sgd_divergence_is_reported(lesson_landscape):
    with pytest.raises(training.DivergenceError, match="diverged at step"):
        stochastic.sgd(lesson_landscape, lr=5.0)
    stopped = stochastic.sgd(lesson_landscape, lr=5.0, on_divergence="stop")
    assert stopped.diverged.startswith("diverged at step") and stopped.steps < 200


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
        stochastic.sgd(lesson_landscape, **kwargs)
    with pytest.raises(TypeError, match="ExampleLandscape"):
        stochastic.sgd("rosenbrock")


# ---------------------------------------------------------------------------------------------
# Lesson 05's measurements
# ---------------------------------------------------------------------------------------------


def test_random_batches_draw_without_replacement():
    batches = stochastic.random_batches(20, 7, 50, np.random.default_rng(0))
    assert batches.shape == (50, 7)
    assert all(len(set(row)) == 7 for row in batches)
    assert batches.min() >= 0 and batches.max() < 20
    with pytest.raises(ValueError, match="at most n"):
        stochastic.random_batches(5, 6, 1, np.random.default_rng(0))


def test_batch_gradient_errors_follow_one_over_root_b():
    landscape = stochastic.regression_landscape(*stochastic.regression_data(n=20_000, seed=2))
    w = landscape.start
    sizes = np.array([1, 4, 16, 64, 256])
    errors = stochastic.batch_gradient_errors(landscape, w, sizes, batches=300, seed=0)
    sigma = np.sqrt(np.mean(np.sum((landscape.example_grads(w) - landscape.grad(w)) ** 2, 1)))
    np.testing.assert_allclose(errors, sigma / np.sqrt(sizes), rtol=0.2)
    assert np.polyfit(np.log(sizes), np.log(errors), 1)[0] == pytest.approx(-0.5, abs=0.06)
    # the whole set as the batch is the full gradient: no error at all
    whole = stochastic.batch_gradient_errors(landscape, w, [landscape.n], batches=2)
    assert whole[0] < 1e-10


def test_gradient_throughput_is_positive_per_batch_size():
    x, y = stochastic.regression_data(n=2000)
    rates = stochastic.gradient_throughput(np.column_stack([x, np.ones_like(x)]), y, [1, 256], 0.01)
    assert rates.shape == (2,) and np.all(rates > 0)
    assert rates[1] > rates[0]


# ---------------------------------------------------------------------------------------------
# Plots and demos
# ---------------------------------------------------------------------------------------------


def test_plots_draw_on_the_given_axes(lesson_landscape):
    from matplotlib.figure import Figure

    fig = Figure()
    axes = fig.subplots(1, 3)
    w = lesson_landscape.start
    assert stochastic.gradient_cloud(lesson_landscape, w, lr=0.05, ax=axes[0]) is axes[0]
    gap = np.array([1.0, 0.5, 0.0, 0.25])
    ax = stochastic.loss_gap_curves({"run": (np.arange(4), gap)}, ax=axes[1], smooth=2)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.75, 0.25, 0.125])
    estimates = lesson_landscape.batch_grad(w, np.arange(200).reshape(-1, 50))
    ax = stochastic.gradient_estimates(
        {"ordered": estimates}, lesson_landscape.grad(w), ax=axes[2], connect=["ordered"]
    )
    assert ax.get_title() == "Gradient estimates"


def test_sgd_explorer_redraws_and_shows_sgd_diverging_first():
    demo = stochastic.sgd_explorer(lr=0.05, n=40, epochs=10)
    gd, sgd = demo.result
    assert gd.steps == 10 and sgd.steps == 400
    demo.set(lr=0.4)
    gd, sgd = demo.result
    assert sgd.diverged and not gd.diverged
    assert demo.error is None and len(demo.redraw_ms) == 2
    with pytest.raises(ValueError, match="lr must be in"):
        stochastic.sgd_explorer(lr=2.0)


def test_batch_cloud_explorer_shrinks_the_cloud_like_one_over_root_b():
    demo = stochastic.batch_cloud_explorer(batch_size=1, count=100, n=5000)
    spread_1 = np.std(demo.result, axis=0)
    demo.set(batch_size=256)
    assert demo.result.shape == (100, 2)
    np.testing.assert_allclose(np.std(demo.result, axis=0), spread_1 / 16, rtol=0.4)
    with pytest.raises(ValueError, match="batch_size must be one of"):
        stochastic.batch_cloud_explorer(batch_size=3)


def test_figures_are_made():
    from matplotlib.figure import Figure

    from course_utils.figures import stochastic as figures

    for make in (figures.gradient_cloud, figures.saddle_escape, figures.ordered_batches):
        assert isinstance(make(), Figure)
