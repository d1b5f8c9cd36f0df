"""Lesson 03's figures: registered and drawn."""

import pytest

pytest.importorskip("matplotlib")


def test_the_lesson_figures_are_registered_and_drawn():
    from matplotlib.figure import Figure

    import course_utils.figures
    from course_utils.lessons.local_minima_and_saddle_points import figures

    assert {"03_basins", "03_saddle", "03_sharp_flat"} <= set(course_utils.figures._REGISTRY)
    for make in (
        figures.saddle_stalls_gradient_descent,
        figures.sharp_and_flat_minima,
    ):
        assert isinstance(make(), Figure)
