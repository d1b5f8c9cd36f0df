"""Lesson 01's drawing helpers: each draws what its cell's text says it shows."""

import matplotlib.pyplot as plt
import numpy as np

from course_utils.lessons.loss_functions import figures


def test_draw_guesses_plots_the_data_and_one_line_per_guess():
    x, y = figures.line_fit_data()
    fig, ax = plt.subplots()
    try:
        figures.draw_guesses(ax, x, y, lambda t, w1, w2: w1 * t + w2, {"A": (0.5, 1.0)})
        data, line = ax.get_lines()
        np.testing.assert_array_equal(data.get_xdata(), x)
        np.testing.assert_allclose(line.get_xydata(), [[0.0, 1.0], [3.0, 2.5]])
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["data", "A"]
    finally:
        plt.close(fig)


def test_draw_contour_and_surface_labels_both_panels_with_the_weights():
    landscape = figures.line_fit_landscape(*figures.line_fit_data())
    fig = figures.draw_contour_and_surface(plt.figure(), landscape)
    try:
        assert [ax.get_title() for ax in fig.axes][:2] == [
            "Contours: the loss over (w₁, w₂)",
            "The same loss as a surface",
        ]
        assert all(ax.get_xlabel() == "w₁ (slope)" for ax in fig.axes[:2])
    finally:
        plt.close(fig)


def test_draw_difference_errors_is_log_log_with_the_slopes_in_the_legend():
    steps = np.logspace(-4, -1, 10)
    forward, central = figures.difference_errors(steps)
    fig, ax = plt.subplots()
    try:
        figures.draw_difference_errors(ax, steps, forward, central, 1.0, 2.0)
        assert ax.get_xscale() == ax.get_yscale() == "log"
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == ["forward: slope 1.00", "central: slope 2.00"]
    finally:
        plt.close(fig)
