"""Lesson 10's figure: the gallery of schedules."""

from course_utils.lessons.learning_rate_schedules import figures


def test_gallery_shows_four_families():
    fig = figures.gallery()
    assert [ax.get_title() for ax in fig.axes][:2] == ["Decay", "Warm restarts (SGDR)"]
    assert sum(len(ax.lines) for ax in fig.axes) == 10
