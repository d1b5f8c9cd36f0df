"""Lesson 02's figures: the numbers behind them tell the lesson's story, and they render."""

import numpy as np
import pytest

import course_utils.figures
from course_utils import landscapes
from course_utils.lessons.gradient_descent import figures
from course_utils.training import descend


def test_the_ridge_start_is_below_the_ridge_and_one_step_crosses_it():
    wells = landscapes.two_minima()
    x_ridge = np.sort(np.roots([4, 0, -4, 0.3]).real)[1]  # ∂L/∂x = 0 between the wells
    ridge_height = float(wells([x_ridge, 0.0]))
    jump = descend(wells, start=figures.RIDGE_START, steps=1, lr=figures.RIDGE_LR)
    assert jump.points[0, 0] > x_ridge > jump.points[1, 0]
    assert max(jump.losses) < ridge_height  # a ball released at the start could never get over


def test_the_four_learning_rates_fall_on_either_side_of_the_thresholds():
    lam_min, lam_max = figures.mild_bowl().eigenvalues
    assert (lam_min, lam_max) == (1.0, 2.0)
    rates = figures.LEARNING_RATES
    assert rates["too small"] < 1 / lam_max < rates["about right"] < rates["too large"]
    assert rates["too large"] < 2 / lam_max < rates["divergent"]
    run = descend(figures.mild_bowl(), steps=40, lr=rates["divergent"], on_divergence="stop")
    assert run.status == "diverged" and run.ending.startswith("diverged at step")


def test_the_measured_contraction_follows_the_theory_and_is_best_at_eta_star():
    bowl = figures.narrow_bowl()
    lam_min, lam_max = bowl.eigenvalues
    lrs = np.linspace(0.01, 0.21, 201)
    rates = figures._last_contraction(bowl, lrs, steps=200)
    theory = np.maximum(np.abs(1 - lrs * lam_min), np.abs(1 - lrs * lam_max))
    np.testing.assert_allclose(rates, theory, rtol=0, atol=5e-3)
    best_lr = 2 / (lam_min + lam_max)
    assert abs(lrs[np.argmin(rates)] - best_lr) <= 1e-3
    at_best = figures._last_contraction(bowl, np.array([best_lr]), steps=50)
    np.testing.assert_allclose(
        at_best, (lam_max / lam_min - 1) / (lam_max / lam_min + 1), rtol=1e-9
    )


@pytest.mark.parametrize(
    "name, make, panels",
    [
        ("02_plane_not_surface", figures.plane_not_surface, ("What moves", "What you read off")),
        ("02_learning_rates", figures.learning_rates, ("Four step sizes", "Their losses")),
        ("02_ill_conditioned", figures.ill_conditioned, ("The zig-zag", "Rate against η")),
    ],
)
def test_each_figure_is_registered_and_has_its_two_titled_panels(name, make, panels):
    assert course_utils.figures._REGISTRY[name] is make
    fig = make()
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 2 and all(t.startswith(p) for t, p in zip(titles, panels, strict=True))
    assert all(ax.get_xlabel() for ax in fig.axes)


def test_draw_rates_plots_the_theory_it_names():
    import matplotlib.pyplot as plt

    bowl = figures.narrow_bowl()
    lrs = np.linspace(0.01, 0.21, 51)
    fig, ax = plt.subplots()
    try:
        figures.draw_rates(ax, bowl, lrs, np.ones_like(lrs))
        theory_line = ax.get_lines()[0]
        np.testing.assert_allclose(theory_line.get_xdata(), lrs)
        np.testing.assert_allclose(
            theory_line.get_ydata(), np.maximum(np.abs(1 - lrs), np.abs(1 - 10 * lrs))
        )
        assert ax.get_legend() is not None and "η*" in " ".join(
            t.get_text() for t in ax.get_legend().get_texts()
        )
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    "arguments, error, words",
    [
        ({"ax": "axes"}, TypeError, "ax must be matplotlib Axes"),
        ({"bowl": landscapes.rosenbrock()}, TypeError, "bowl must be a landscapes.quadratic_bowl"),
        ({"lrs": np.ones((2, 3)), "rates": np.ones((2, 3))}, ValueError, "lrs must be a 1-D"),
        ({"rates": np.ones(4)}, ValueError, "rates has shape"),
        ({"lrs": ["a", "b", "c"]}, TypeError, "lrs must hold real numbers"),
    ],
)
def test_draw_rates_refuses_bad_input(arguments, error, words):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        good = {"ax": ax, "bowl": figures.narrow_bowl(), "lrs": [0.1, 0.2, 0.3], "rates": [1, 1, 1]}
        with pytest.raises(error, match=words):
            figures.draw_rates(**(good | arguments))
    finally:
        plt.close(fig)


def test_the_notebooks_drawing_helpers_draw_what_their_cells_describe():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        ascent, descent = figures.draw_gradient_arrows(ax, np.array([1.0, 1.0]), [3.0, -4.0])
        np.testing.assert_allclose([ascent.U[0], ascent.V[0]], [0.6, -0.8])  # ∇L, length 1
        np.testing.assert_allclose([descent.U[0], descent.V[0]], [-0.6, 0.8])  # −∇L
        assert [t.get_text() for t in ax.get_legend().get_texts()][0].startswith("∇L")

        runs = [descend(landscapes.rosenbrock(), steps=steps, lr=1e-3) for steps in (3, 40)]
        figures.mark_where_stopped(ax, runs)
        marks = [line for line in ax.get_lines() if line.get_marker() == "X"]
        assert [tuple(m.get_xydata()[0]) for m in marks] == [
            (run.steps, run.losses[-1]) for run in runs
        ]
        assert ax.get_xscale() == "symlog" and "logarithmic" in ax.get_xlabel()
    finally:
        plt.close(fig)

    wells = landscapes.two_minima()
    jump = descend(wells, start=figures.RIDGE_START, steps=2, lr=figures.RIDGE_LR)
    fig = figures.draw_plane_not_surface(plt.figure(), wells, jump)
    try:
        titles = [ax.get_title() for ax in fig.axes]
        assert titles[0].startswith("What moves") and titles[1].startswith("What you read off")
    finally:
        plt.close(fig)
