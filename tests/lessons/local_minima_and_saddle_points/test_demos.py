"""Lesson 03's demos: the start picker agrees with the basin map it is drawn on."""

import numpy as np
import pytest

from course_utils import landscapes, training
from course_utils.lessons.local_minima_and_saddle_points import basins, demos

pytest.importorskip("ipywidgets")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(scope="module")
def two_minima_map():
    return basins.basin_map(landscapes.two_minima(), lr=0.05, steps=150, resolution=21)


def test_the_picker_says_which_basin_each_grid_start_falls_into(two_minima_map):
    demo = demos.basin_explorer(two_minima_map)
    landscape = two_minima_map.landscape
    for i, j in [(3, 2), (10, 10), (17, 14), (0, 20), (20, 0)]:
        demo.set(x0=two_minima_map.x[j], y0=two_minima_map.y[i])
        run = demo.result
        np.testing.assert_allclose(run.points[0], [two_minima_map.x[j], two_minima_map.y[i]])
        assert run.steps == two_minima_map.steps
        label = two_minima_map.labels[i, j]
        assert basins.nearest_minimum(landscape, run.points[-1]) == label
        expected = "the global minimum (-1.04, 0.00)" if label == 0 else "a local minimum (0.96"
        assert expected in demo.figure.get_suptitle()
    assert demo.error is None and len(demo.redraw_ms) == 6  # one draw when made, one per set


def test_the_picker_starts_at_the_landscape_start_and_reports_a_start_on_the_ridge(
    two_minima_map,
):
    demo = demos.basin_explorer(two_minima_map)
    assert (demo.controls["x0"].value, demo.controls["y0"].value) == (1.5, 1.5)
    assert bytes(demo.image.value).startswith(b"\x89PNG")
    ridge = basins.critical_points(two_minima_map.landscape)[0][2]
    demo.set(x0=ridge[0], y0=0.0)  # exactly on the saddle: GD never moves
    assert "no minimum yet: still at (0.08, 0.00) after 150 steps" in (demo.figure.get_suptitle())


def test_a_diverging_start_is_reported_in_the_title():
    basin_map = basins.basin_map(landscapes.two_minima(), lr=0.2, steps=50, resolution=11)
    demo = demos.basin_explorer(basin_map, start=(-2.0, 0.0))
    assert demo.result.status == "diverged"
    assert "diverged at step" in demo.figure.get_suptitle()


def test_ending_describes_where_a_run_ended():
    landscape = landscapes.himmelblau()
    run = training.descend(landscape, [0.0, 0.0], "sgd", 200, lr=0.01)
    assert demos.ending(landscape, run) == "a global minimum (3.00, 2.00)"
    short = training.descend(landscape, [0.0, 0.0], "sgd", 2, lr=0.01)
    assert demos.ending(landscape, short).startswith("no minimum yet")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"start": (5.0, 0.0)}, ValueError, "start must lie in the map's window"),
        ({"start": ("a", 0.0)}, TypeError, r"start\[0\] must be a real number"),
    ],
)
def test_the_picker_refuses_bad_input(two_minima_map, kwargs, error, match):
    with pytest.raises(error, match=match):
        demos.basin_explorer(two_minima_map, **kwargs)
    with pytest.raises(TypeError, match="basin_map must be a BasinMap"):
        demos.basin_explorer(landscapes.two_minima())


def test_plot_basin_map_colours_every_start_and_names_the_basins(two_minima_map):
    ax = demos.plot_basin_map(two_minima_map)
    (image,) = ax.get_images()
    rgba = image.get_array()
    assert rgba.shape == (21, 21, 4)
    left, right = rgba[:, 0], rgba[:, -1]  # columns are x: global on the left, local right
    assert np.all(left == left[0]) and np.all(right == right[0]) and not np.allclose(left, right)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["→ the global minimum (-1.04, 0.00)", "→ a local minimum (0.96, 0.00)"]
    with pytest.raises(TypeError, match="basin_map must be a BasinMap"):
        demos.plot_basin_map(np.zeros((3, 3)))


def test_plot_basin_map_shows_diverged_starts_in_the_legend():
    basin_map = basins.basin_map(landscapes.two_minima(), lr=0.2, steps=50, resolution=11)
    ax = demos.plot_basin_map(basin_map, title="big steps")
    assert ax.get_title() == "big steps"
    assert ax.get_legend().get_texts()[-1].get_text() == "→ no minimum (diverged)"


def test_plot_sharp_and_flat_marks_the_rise_at_each_minimum():
    ax = demos.plot_sharp_and_flat(basins.SharpAndFlat(), basins.SharpAndFlat(shift=0.1))
    notes = [text.get_text() for text in ax.texts]
    assert notes == ["sharp minimum:\ntest loss +0.393", "flat minimum:\ntest loss +0.020"]
    with pytest.raises(TypeError, match="test must be a basins.SharpAndFlat"):
        demos.plot_sharp_and_flat(basins.SharpAndFlat(), lambda w: w)
