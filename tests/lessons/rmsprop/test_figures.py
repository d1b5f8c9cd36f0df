"""Lesson 08's figure: registered, titled and labelled."""

from ..checking import registered_titled_and_labelled


def test_the_lessons_figure_is_registered_titled_and_labelled():
    from course_utils.lessons.rmsprop import figures

    registered_titled_and_labelled("08_step_sizes", figures.step_sizes, panels=2)
