"""Lesson 07's figure: registered, titled and labelled."""


def test_the_lessons_figure_is_registered_titled_and_labelled():
    import course_utils.figures
    from course_utils.lessons.adagrad import figures

    assert course_utils.figures._REGISTRY["07_adagrad_vs_gd"] is figures.adagrad_vs_gd
    fig = figures.adagrad_vs_gd()
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
