"""Lesson 06's figures: the zig-zag, the look-ahead and the rate map."""


def test_the_lessons_figures_are_registered_titled_and_labelled():
    import course_utils.figures
    from course_utils.lessons.momentum import figures

    for name, make, panels in (
        ("06_zigzag", figures.zigzag, 2),
        ("06_lookahead", figures.lookahead, 2),
        ("06_rate_map", figures.rate_map, 2),  # the map and its colour bar
    ):
        assert course_utils.figures._REGISTRY[name] is make
        fig = make()
        assert len(fig.axes) == panels
        plots = [ax for ax in fig.axes if ax.get_title()]
        assert plots and all(ax.get_xlabel() and ax.get_ylabel() for ax in plots)


def test_the_rate_map_marks_the_optimum_with_its_step_count():
    from course_utils.lessons.momentum import figures

    ax = figures.rate_map(resolution=60).axes[0]
    labels = ax.get_legend_handles_labels()[1]
    # steps to shrink the error 10×: −1/log10 r for r = 9/11 (optimum) and 99/101 (GD)
    assert "optimal heavy ball: 11 steps" in labels and "GD at its best η: 115 steps" in labels
