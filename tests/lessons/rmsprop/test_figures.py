"""Lesson 08's figure: registered, titled and labelled."""


def test_the_lessons_figure_is_registered_titled_and_labelled():
    import course_utils.figures
    from course_utils.lessons.rmsprop import figures

    assert course_utils.figures._REGISTRY["08_step_sizes"] is figures.step_sizes
    fig = figures.step_sizes()
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
