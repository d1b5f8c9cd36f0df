"""Lesson 02's demo, headless: the learning-rate explorer redraws, and shows divergence."""

import numpy as np
import pytest

from course_utils import landscapes, plotting
from course_utils.lessons.gradient_descent import demos

ipywidgets = pytest.importorskip("ipywidgets")

BOWL = landscapes.quadratic_bowl(condition_number=10.0)


def test_the_explorer_shows_divergence_in_the_title_instead_of_raising():
    demo = demos.learning_rate_explorer(BOWL, steps=40)
    slider = demo.controls["lr"]
    assert isinstance(slider, ipywidgets.FloatLogSlider)
    # the default range spans 2/λmax = 0.2, the edge of stability
    assert 10**slider.min < 0.2 < 10**slider.max
    assert demo.result.status == "finished"
    title = demo.figure._suptitle
    calm = demo.image.value

    demo.set(lr=0.5)
    assert demo.result.status == "diverged" and demo.error is None
    assert "diverged at step" in title.get_text() and "lr = 0.5" in title.get_text()
    assert title.get_color() == plotting.OKABE_ITO["vermillion"]
    assert demo.image.value != calm

    demo.set(lr=0.1)
    assert demo.result.status == "finished" and "diverged" not in title.get_text()
    assert demo.result.steps == 40 and demo.result.lrs[0] == pytest.approx(0.1)


def test_the_explorer_takes_any_optimizer_and_a_landscape_name():
    demo = demos.learning_rate_explorer("rosenbrock", "adam", lr=0.05, lr_range=(1e-3, 1.0))
    assert demo.result.label == "Adam, lr=0.05"
    demo = demos.learning_rate_explorer(BOWL, "momentum", momentum=0.5, start=[1.0, 1.0])
    np.testing.assert_array_equal(demo.result.points[0], [1.0, 1.0])


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        ({"lr": 5.0, "lr_range": (0.01, 1.0)}, ValueError, "lr must lie in lr_range"),
        ({"lr_range": (1.0, 0.1)}, ValueError, "min < max"),
        ({"lr_range": (0.0, 0.1)}, ValueError, "lr_range[0]"),
        ({"lr_range": 0.1}, TypeError, "lr_range must be a pair"),
        ({"steps": 0}, ValueError, "steps"),
        ({"optimizer": "lbfgs"}, ValueError, "optimizer must be one of"),
    ],
)
def test_the_explorer_refuses_bad_input(arguments, error, words):
    with pytest.raises(error, match=words.replace("[", r"\[").replace("]", r"\]")):
        demos.learning_rate_explorer(BOWL, **arguments)


def test_redraw_time_is_measured(capsys):
    """The budget is 100 ms per redraw; measured here and reported, not asserted."""
    demo = demos.learning_rate_explorer(landscapes.rosenbrock(), steps=50)
    slider = demo.controls["lr"]
    for exponent in np.linspace(slider.min, slider.max, 15):
        slider.value = 10**exponent
    times = np.array(demo.redraw_ms[1:])
    assert len(times) == 15 and np.all(times > 0)
    with capsys.disabled():
        print(
            f"\nlearning_rate_explorer redraw: median {np.median(times):.0f} ms, "
            f"max {times.max():.0f} ms (first draw {demo.redraw_ms[0]:.0f} ms)"
        )
