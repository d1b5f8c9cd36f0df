"""Lesson 09's figures draw."""

import pytest


@pytest.mark.parametrize("name", ["bias_correction", "adamw_vs_l2"])
def test_figures_draw(name):
    from matplotlib.figure import Figure

    from course_utils.lessons.adam import figures

    fig = getattr(figures, name)()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert all(ax.get_title() for ax in fig.axes)
