"""Lesson 07's figure: registered, titled and labelled."""

from ..checking import registered_titled_and_labelled


def test_the_lessons_figure_is_registered_titled_and_labelled():
    from course_utils.lessons.adagrad import figures

    registered_titled_and_labelled("07_adagrad_vs_gd", figures.adagrad_vs_gd, panels=2)
