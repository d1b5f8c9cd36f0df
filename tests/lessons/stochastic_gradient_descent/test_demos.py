"""Lesson 04's demos: the autoencoder landscape, where SGD escapes a saddle; the plots."""

import numpy as np
import pytest

from course_utils import regression, training
from course_utils.lessons.stochastic_gradient_descent import demos

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def lesson_landscape():
    return regression.regression_landscape(*regression.regression_data(n=200))


@pytest.fixture(scope="module")
def autoencoder():
    return demos.autoencoder_landscape(demos.autoencoder_data(n=60))


# ---------------------------------------------------------------------------------------------
# The autoencoder landscape
# ---------------------------------------------------------------------------------------------


def test_autoencoder_landscape_derivatives_match_autograd(
    autoencoder, example_landscape_matches_autograd
):
    example_landscape_matches_autograd(autoencoder, ([0.3, -1.2], [-1.1, 0.6], [0.0, 1.0]))


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
    sgd = regression.sgd(autoencoder, [0.0, 1.0], lr=0.05, epochs=5, seed=0)
    assert abs(sgd.points[-1, 0]) > 0.8


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: demos.autoencoder_landscape(np.ones((4, 3))), ValueError, r"\(n, 2\)"),
        (lambda: demos.autoencoder_landscape(np.ones((4, 2))), ValueError, "spread more"),
        (lambda: demos.autoencoder_data(n=5), ValueError, "even"),
        (lambda: demos.autoencoder_data(spread=(1.0, -1.0)), ValueError, "spread"),
    ],
)
def test_bad_landscape_input_names_the_problem(call, error, words):
    with pytest.raises(error, match=words):
        call()


# ---------------------------------------------------------------------------------------------
# Plots and demos
# ---------------------------------------------------------------------------------------------


def test_gradient_cloud_draws_on_the_given_axes(lesson_landscape):
    from matplotlib.figure import Figure

    axes = Figure().subplots()
    w = lesson_landscape.start
    assert demos.gradient_cloud(lesson_landscape, w, lr=0.05, ax=axes) is axes


def test_sgd_explorer_redraws_and_shows_sgd_diverging_first():
    demo = demos.sgd_explorer(lr=0.05, n=40, epochs=10)
    gd, sgd = demo.result
    assert gd.steps == 10 and sgd.steps == 400
    demo.set(lr=0.4)
    gd, sgd = demo.result
    assert sgd.status == "diverged" and gd.status == "finished"
    assert "SGD diverged at step" in demo.figure._suptitle.get_text()
    assert demo.error is None and len(demo.redraw_ms) == 2
    with pytest.raises(ValueError, match="lr must be in"):
        demos.sgd_explorer(lr=2.0)


# ---------------------------------------------------------------------------------------------
# Redundant data and the noise floor
# ---------------------------------------------------------------------------------------------


def test_ten_copies_cost_gd_per_step_and_not_sgd_per_example(lesson_landscape):
    x, y = lesson_landscape.X[:, 0], lesson_landscape.y
    copies = regression.regression_landscape(np.tile(x, 10), np.tile(y, 10))
    assert np.allclose(copies.grad(copies.start), lesson_landscape.grad(copies.start), atol=1e-12)
    seeds = range(30)
    original = demos.examples_to_reach(lesson_landscape, 0.02, 0.05, seeds)
    tenfold = demos.examples_to_reach(copies, 0.02, 0.05, seeds)
    assert np.all(original > 0) and np.all(tenfold > 0)
    assert 0.75 < tenfold.mean() / original.mean() < 1.33


def test_examples_to_reach_counts_steps_and_marks_a_miss(lesson_landscape):
    # a target below the noise floor is never reached within one epoch: -1
    assert demos.examples_to_reach(lesson_landscape, 0.05, 1e-9, seeds=[0]).tolist() == [-1]
    with pytest.raises(TypeError, match="ExampleLandscape"):
        demos.examples_to_reach(object(), 0.02, 0.05)


def test_noise_floors_are_cached_by_value_and_read_only():
    first = demos.noise_floors(lrs=[0.02], epochs=3, settle=1, n=200)
    again = demos.noise_floors((0.02,), 3, 1, 1, 200)
    assert again is first and not first.gaps[0.02].flags.writeable
    run = regression.sgd(first.landscape, lr=0.02, epochs=3, seed=1)
    assert np.array_equal(first.gaps[0.02], run.losses - first.landscape.min_value)
    assert first.floors[0.02] == pytest.approx(first.gaps[0.02][200:].mean())
    with pytest.raises(ValueError, match="settle"):
        demos.noise_floors(epochs=2, settle=2)
