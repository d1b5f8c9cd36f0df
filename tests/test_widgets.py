"""Demos, headless: a control change runs the update and changes the PNG in the Image widget."""

import io

import numpy as np
import pytest

from course_utils import landscapes, plotting, widgets
from course_utils.runs import Run
from course_utils.training import descend

ipywidgets = pytest.importorskip("ipywidgets")
Image = pytest.importorskip("PIL.Image")

BOWL = landscapes.quadratic_bowl(condition_number=10.0)


def _pixels(png):
    return np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGBA"))


def _sine_demo(animated):
    """A demo whose update moves one line and retitles one axes; counts its calls."""
    fig, ax = widgets.demo_figure()
    ax.contour(*np.meshgrid(np.linspace(-1, 1, 50), np.linspace(-1, 1, 50)), np.ones((50, 50)))
    x = np.linspace(0, 2 * np.pi, 100)
    (line,) = ax.plot(x, np.sin(x), zorder=5)
    ax.set_xlim(0, 2 * np.pi)
    ax.set_ylim(-3, 3)
    title = ax.set_title("")
    calls = []

    def update(amplitude, phase):
        calls.append((amplitude, phase))
        line.set_ydata(amplitude * np.sin(x + phase))
        title.set_text(f"amplitude {amplitude:.2f}")
        return amplitude * phase

    controls = {
        "amplitude": ipywidgets.FloatSlider(value=1.0, min=0.0, max=3.0),
        "phase": ipywidgets.FloatSlider(value=0.0, min=0.0, max=3.0),
    }
    demo = widgets.Demo(fig, update, controls, animated=[line, title] if animated else None)
    return demo, calls


@pytest.mark.parametrize("animated", [False, True])
def test_a_control_change_runs_the_update_and_changes_the_image(animated):
    demo, calls = _sine_demo(animated)
    assert calls == [(1.0, 0.0)]  # drawn once at creation, with the defaults
    first = bytes(demo.image.value)
    assert first.startswith(b"\x89PNG") and demo.image.format == "png"

    demo.controls["amplitude"].value = 2.5
    assert calls[-1] == (2.5, 0.0)
    assert demo.image.value != first
    assert demo.result == 0.0 and demo.error is None
    assert len(demo.redraw_ms) == 2 and demo.last_redraw_ms > 0

    demo.set(amplitude=1.0, phase=0.0)  # back to the start: the same picture
    assert len(calls) == 3  # set() redraws once for both values
    np.testing.assert_array_equal(_pixels(demo.image.value), _pixels(first))


def test_blitting_paints_the_same_pixels_as_a_full_draw():
    full, _ = _sine_demo(animated=False)
    blitted, _ = _sine_demo(animated=True)
    for values in ({"amplitude": 2.0, "phase": 1.0}, {"amplitude": 0.3, "phase": 2.5}):
        full.set(**values)
        blitted.set(**values)
        difference = np.abs(
            _pixels(full.image.value).astype(int) - _pixels(blitted.image.value).astype(int)
        )
        assert difference.max() <= 1, "blitted frame differs from a full redraw"


def test_an_error_while_dragging_is_shown_not_lost():
    fig, ax = widgets.demo_figure()

    def update(n):
        if n > 5:
            raise ValueError(f"n must be at most 5, got {n}")

    demo = widgets.Demo(fig, update, {"n": ipywidgets.IntSlider(value=1, max=10)})
    picture = demo.image.value
    demo.controls["n"].value = 7
    assert isinstance(demo.error, ValueError)
    assert "n must be at most 5, got 7" in demo.status.value
    assert demo.image.value == picture
    demo.controls["n"].value = 2
    assert demo.error is None and demo.status.value == ""


def test_the_first_draw_raises_normally():
    fig, _ = widgets.demo_figure()

    def update(n):
        raise RuntimeError("broken demo")

    with pytest.raises(RuntimeError, match="broken demo"):
        widgets.Demo(fig, update, {"n": ipywidgets.IntSlider()})


def test_a_demo_displays_as_its_widget():
    demo, _ = _sine_demo(animated=True)
    assert isinstance(demo.widget, ipywidgets.VBox)
    assert demo.image in demo.widget.children and demo.status in demo.widget.children
    bundle = demo._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == demo.widget.model_id


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        ({"figure": "fig"}, TypeError, "figure must be a matplotlib Figure"),
        ({"update": 3}, TypeError, "update must be a function"),
        ({"controls": {}}, TypeError, "controls must be a non-empty dict"),
        ({"controls": {"n": 3}}, TypeError, "controls['n'] must be an ipywidget"),
        ({"animated": ["line"]}, ValueError, "animated[0] must be an artist of this figure"),
    ],
)
def test_demo_refuses_bad_input(arguments, error, words):
    fig, _ = widgets.demo_figure()
    defaults = {"figure": fig, "update": lambda n: None, "controls": {"n": ipywidgets.IntSlider()}}
    with pytest.raises(error, match=words.replace("[", r"\[").replace("]", r"\]")):
        widgets.Demo(**{**defaults, **arguments})
    demo = widgets.Demo(**defaults)
    with pytest.raises(ValueError, match="no control called m"):
        demo.set(m=1)


# ---------------------------------------------------------------------------------------------
# Pieces of a path panel
# ---------------------------------------------------------------------------------------------


def test_set_path_shows_the_whole_path_and_its_head_on_a_path_line():
    _, ax = widgets.demo_figure()
    path = widgets.path_line(ax, "black", "GD", zorder=4)
    line, head = path
    assert line.get_label() == "GD" and line.get_data()[0].size == 0
    assert (line.get_zorder(), head.get_zorder()) == (4, 5)  # the head is drawn on top
    run = descend(BOWL, [1.0, 1.0], "sgd", 5, lr=0.05)
    widgets.set_path(path, run)
    np.testing.assert_array_equal(np.column_stack(line.get_data()), run.points)
    np.testing.assert_array_equal(np.column_stack(head.get_data()), run.points[-1:])


def test_set_path_leaves_out_points_that_ran_off_to_infinity():
    _, ax = widgets.demo_figure()
    line, head = path = widgets.path_line(ax, "black", "GD")
    points = np.array([[1.0, 1.0], [2.0, -np.inf]])
    widgets.set_path(path, Run(points=points, losses=np.array([1.0, np.inf])))
    np.testing.assert_array_equal(line.get_data()[1], [1.0, np.nan])
    assert np.isnan(head.get_data()[1][0])


def test_a_path_without_a_head_and_a_start_marker():
    _, ax = widgets.demo_figure()
    (line,) = path = widgets.path_line(ax, "black", head=None)
    widgets.set_path(path, descend(BOWL, [1.0, 1.0], "sgd", 3, lr=0.05))
    assert len(line.get_xdata()) == 4
    marker = widgets.start_marker(ax, (1.0, 1.0), plotting.COLORS[0])
    assert marker.get_markerfacecolor() == "white" and marker.get_markersize() == 11
    assert marker.get_markeredgecolor() == plotting.COLORS[0]


def test_set_loss_draws_the_gap_above_the_minimum_on_a_log_loss_panel():
    _, ax = widgets.demo_figure()
    widgets.loss_panel(ax, 10)
    assert ax.get_yscale() == "log" and ax.get_xlim() == (0, 10) and ax.get_xlabel() == "step"
    (curve,) = ax.plot([], [])
    run = Run(losses=np.array([3.0, 1.0, 1.0 - 1e-20, np.inf]))
    gap = widgets.set_loss(curve, run, minimum=1.0, spacing=5)
    np.testing.assert_array_equal(gap, [2.0, 1e-16, 1e-16, np.nan])
    np.testing.assert_array_equal(curve.get_xdata(), [0, 5, 10, 15])


def test_show_status_turns_the_title_vermillion_when_the_run_diverged():
    fig, _ = widgets.demo_figure()
    title = fig.suptitle("")
    calm = descend(BOWL, [1.0, 1.0], "sgd", 5, lr=0.05)
    widgets.show_status(title, "calm", calm)
    assert title.get_text() == "calm" and title.get_color() == plotting.OKABE_ITO["black"]
    widgets.show_status(title, "alarm", calm, alarm=True)
    assert title.get_color() == plotting.OKABE_ITO["vermillion"]
    diverged = descend(BOWL, [1.0, 1.0], "sgd", 100, lr=0.5, on_divergence="stop")
    widgets.show_status(title, "diverged", diverged)
    assert title.get_color() == plotting.OKABE_ITO["vermillion"]


def test_outcome_says_where_a_run_diverged_or_how_far_above_the_minimum_it_ended():
    run = descend(BOWL, [1.0, 1.0], "sgd", 5, lr=0.05)
    assert widgets.outcome(run, BOWL) == f"loss {run.losses[-1] - BOWL.min_value:.2g}"
    diverged = descend(BOWL, [1.0, 1.0], "sgd", 100, lr=0.5, on_divergence="stop")
    assert widgets.outcome(diverged, BOWL) == "diverged at step 6"


def test_log_slider_spans_its_range_in_even_log_steps():
    slider = widgets.log_slider("η", 0.01, 1e-4, 1.0)
    assert (slider.min, slider.max, slider.value) == (-4.0, 0.0, 0.01)
    assert slider.step == pytest.approx(4.0 / 200)
    assert slider.description == "η"


@pytest.mark.parametrize(
    ("low", "high", "error", "words"),
    [
        (0.0, 1.0, ValueError, "low"),
        (1.0, 0.1, ValueError, "low < high"),
        ("a", 1, TypeError, "low"),
    ],
)
def test_log_slider_refuses_a_range_it_cannot_draw(low, high, error, words):
    with pytest.raises(error, match=words):
        widgets.log_slider("η", 0.5, low, high)


def test_a_demo_keeps_a_text_alternative_of_its_picture_up_to_date():
    demo, _ = _sine_demo(animated=True)
    assert demo.alt in demo.widget.children
    assert "downhill-alt" in demo.alt._dom_classes
    assert "Picture: A plot: &#x27;amplitude 1.00&#x27;." in demo.alt.value
    assert "clip:rect(0,0,0,0)" in demo.alt.value  # read by screen readers, not shown
    demo.controls["amplitude"].value = 2.0
    assert "amplitude 2.00" in demo.alt.value


def test_every_slider_a_demo_shows_has_a_visible_name():
    slider = widgets.log_slider("learning rate η", 0.1, 1e-3, 1.0)
    choice = widgets.selection_slider("β", [0.9, 0.99], 0.9)
    for control in (slider, choice):
        assert control.description and not control.description_allow_html
        assert control.style.description_width == "initial"


# Every lesson's demo with its arguments (lesson 03's basin explorer takes a map: lesson tests).
LESSON_DEMOS = [
    ("adagrad", "adagrad_explorer", ()),
    ("adam", "adam_explorer", ()),
    ("choosing_the_learning_rate", "patience_explorer", ()),
    ("gradient_descent", "learning_rate_explorer", (BOWL,)),
    ("learning_rate_schedules", "schedule_explorer", ()),
    ("mini_batches", "batch_cloud_explorer", ()),
    ("momentum", "momentum_explorer", ()),
    ("rmsprop", "rmsprop_explorer", ()),
    ("stochastic_gradient_descent", "sgd_explorer", ()),
]


@pytest.mark.parametrize(("lesson", "explorer", "arguments"), LESSON_DEMOS)
def test_every_control_of_a_lesson_demo_has_a_label(lesson, explorer, arguments):
    import importlib

    module = importlib.import_module(f"course_utils.lessons.{lesson}.demos")
    demo = getattr(module, explorer)(*arguments)
    for name, control in demo.controls.items():
        assert control.description.strip(), f"{explorer}: control {name!r} has no label"
        assert not control.description_allow_html
    assert demo.alt.value.startswith("<span") and "Picture: " in demo.alt.value
