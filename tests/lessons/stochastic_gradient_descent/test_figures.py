"""Lesson 04's figures are made."""


def test_figures_are_made():
    from matplotlib.figure import Figure

    from course_utils.lessons.stochastic_gradient_descent import figures

    for make in (figures.gradient_cloud, figures.saddle_escape):
        assert isinstance(make(), Figure)
