"""Lesson 05's figures are made."""


def test_figures_are_made():
    from matplotlib.figure import Figure

    from course_utils.lessons.mini_batches import figures

    assert isinstance(figures.ordered_batches(), Figure)
