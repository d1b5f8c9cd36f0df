"""The course plots: titled, labelled, in the palette, and saved byte-for-byte reproducibly."""

import base64
import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from course_utils import landscapes, plotting, schedules
from course_utils.runs import Run
from course_utils.training import descend

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROSENBROCK = landscapes.rosenbrock()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def runs():
    return [
        descend(ROSENBROCK, optimizer="adam", steps=40, lr=0.05),
        descend(ROSENBROCK, optimizer="sgd", steps=40, lr=0.01, on_divergence="stop"),
    ]


def _legend_labels(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def _is_titled_and_labelled(ax):
    return all(text.strip() for text in (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()))


def test_importing_plotting_or_widgets_does_not_import_matplotlib():
    code = (
        "import sys, course_utils.plotting, course_utils.widgets, course_utils.training; "
        "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'torch') if m in sys.modules))"
    )
    repository = Path(__file__).resolve().parents[1]
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=repository, capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"


def test_the_palette_is_okabe_ito():
    assert set(plotting.COLORS) == set(plotting.OKABE_ITO.values())
    assert len(plotting.COLORS) == 8 and plotting.COLORS[-1] == "#F0E442"  # yellow last


def test_contour_marks_minima_starts_and_paths(runs):
    ax = plotting.contour(ROSENBROCK, runs)
    assert _is_titled_and_labelled(ax) and ax.get_title() == "Rosenbrock"
    labels = _legend_labels(ax)
    assert "global minimum" in labels and "start" in labels
    assert "Adam, lr=0.05" in labels
    assert any(re.fullmatch(r"SGD, lr=0\.01 \(diverged at step \d+\)", label) for label in labels)
    assert ax.get_xlim() == ROSENBROCK.window[0] and ax.get_ylim() == ROSENBROCK.window[1]
    path = next(line for line in ax.lines if line.get_label() == "Adam, lr=0.05")
    np.testing.assert_array_equal(path.get_xydata(), runs[0].points)
    assert path.get_color() == plotting.COLORS[0]


def test_contour_tells_local_from_global_minima():
    ax = plotting.contour(landscapes.two_minima(), [np.array([[1.5, 1.5], [1.0, 0.5]])])
    labels = _legend_labels(ax)
    assert "global minimum" in labels and "local minimum" in labels and "path 1" in labels
    assert "global minima" in _legend_labels(plotting.contour(landscapes.himmelblau()))


def test_contour_levels_are_log_spaced_above_the_minimum():
    ax = plotting.contour(ROSENBROCK, levels=12)
    levels = ax.collections[0].levels - ROSENBROCK.min_value
    assert len(levels) == 12
    np.testing.assert_allclose(np.diff(np.log(levels)), np.log(levels[1] / levels[0]))
    linear = plotting.contour(ROSENBROCK, levels=12, log_levels=False).collections[0].levels
    np.testing.assert_allclose(np.diff(linear), linear[1] - linear[0])


def test_contour_draws_on_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    assert plotting.contour(ROSENBROCK, ax=right, title="mine") is right
    assert right.get_title() == "mine" and not left.collections


def test_surface_draws_the_path_in_the_plane_and_its_loss_on_the_surface(runs):
    ax = plotting.surface(ROSENBROCK, run=runs[0])
    assert ax.name == "3d" and _is_titled_and_labelled(ax) and ax.get_zlabel() == "loss"
    plane, lifted = (
        next(line for line in ax.lines if line.get_label() == label)
        for label in ("path in the weight plane", "its loss, on the surface")
    )
    floor = ax.get_zlim()[0]
    np.testing.assert_allclose(plane.get_data_3d()[2], floor)
    np.testing.assert_allclose(plane.get_data_3d()[0], runs[0].points[:, 0])
    np.testing.assert_allclose(lifted.get_data_3d()[2], runs[0].losses)


def test_surface_leaves_out_points_outside_the_window(runs):
    ax = plotting.surface(ROSENBROCK, run=runs[1])
    lifted = next(line for line in ax.lines if line.get_label() == "its loss, on the surface")
    z = np.asarray(lifted.get_data_3d()[2], dtype=float)
    assert np.isnan(z[-1]) and np.isfinite(z[0])


def test_surface_refuses_flat_axes_and_runs_without_points():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="3-D axes"):
        plotting.surface(ROSENBROCK, ax=ax)
    with pytest.raises(TypeError, match="run must be a Run with points"):
        plotting.surface(ROSENBROCK, run=Run(losses=np.ones(3)))


def test_loss_curves_accept_arrays_and_runs(runs):
    per_epoch = Run(unit="epoch", losses=np.array([2.0, 1.0, 0.5]))
    ax = plotting.loss_curves({"array": [3.0, 2.0, 1.0], "run": runs[0], "epochs": per_epoch})
    assert _is_titled_and_labelled(ax) and ax.get_yscale() == "log"
    assert _legend_labels(ax) == ["array", "run", "epochs"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), runs[0].losses)
    # a list of runs is labelled by their labels; a diverged run says so
    ax = plotting.loss_curves(runs, log=True)
    assert _legend_labels(ax)[1].startswith("SGD, lr=0.01 (diverged at step")


def test_loss_curves_on_a_log_axis_need_positive_losses():
    with pytest.raises(ValueError, match="log=True needs positive losses.*min_value"):
        plotting.loss_curves({"saddle": [0.5, -0.2]})
    ax = plotting.loss_curves({"saddle": [0.5, -0.2]}, log=False)
    assert ax.get_yscale() == "linear" and ax.get_ylabel() == "loss"


def test_schedule_curves_plot_lr_of_t():
    cosine, step = schedules.cosine(0.1, T_max=50), schedules.step_decay(0.1, 20)
    ax = plotting.schedule_curves({"cosine": cosine, "step": step}, steps=50)
    assert _is_titled_and_labelled(ax) and ax.get_ylabel() == "learning rate"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [cosine(t) for t in range(50)])
    assert _legend_labels(plotting.schedule_curves([cosine, step], 10)) == ["cosine", "step_decay"]
    with pytest.raises(ValueError, match="steps"):
        plotting.schedule_curves([cosine], 0)


def test_animate_returns_html_with_at_most_60_frames(runs):
    html = plotting.animate(ROSENBROCK, runs, frames=8)
    assert "<script" in html.data
    assert len(re.findall(r"frames\[\d+\] = ", html.data)) == 8
    assert not plt.get_fignums()  # nothing left behind for the notebook to show twice
    with pytest.raises(ValueError, match=r"frames must be an integer in \[1, 60\]"):
        plotting.animate(ROSENBROCK, runs, frames=61)
    with pytest.raises(ValueError, match="empty"):
        plotting.animate(ROSENBROCK, [])


def _frames(html):
    from PIL import Image

    encoded = re.findall(r"data:image/jpeg;base64,([^\"]+)\"", html.data)
    return [
        np.asarray(Image.open(io.BytesIO(base64.b64decode(frame.replace("\\n", "")))))
        for frame in encoded
    ]


def test_animated_paths_grow_over_the_contours(runs):
    first, *_, last = _frames(plotting.animate(ROSENBROCK, runs, frames=5))
    changed = np.abs(last.astype(int) - first.astype(int)).max(axis=2) > 60
    assert changed.mean() > 0.005  # the paths are drawn on top, not hidden under the picture


def test_save_is_deterministic_and_carries_no_version(tmp_path, runs):
    ax = plotting.contour(ROSENBROCK, runs)
    first = plotting.save(ax, "paths", folder=tmp_path)
    first_bytes = first.read_bytes()
    second = plotting.save(ax.figure, "paths.png", folder=tmp_path)
    assert first == second == tmp_path / "paths.png"
    assert second.read_bytes() == first_bytes
    assert first_bytes.startswith(b"\x89PNG") and b"Software" not in first_bytes
    # a fresh figure of the same thing gives the same bytes too
    plt.close("all")
    again = plotting.save(plotting.contour(ROSENBROCK, runs), "again", folder=tmp_path)
    assert again.read_bytes() == first_bytes


def test_save_writes_to_the_repository_figures_folder_by_default():
    assert plotting.REPOSITORY_FIGURES == Path(__file__).resolve().parents[1] / "figures"


@pytest.mark.parametrize(
    ("fig", "name", "error"),
    [
        ("figure", "../escape", ValueError),
        ("figure", "with space", ValueError),
        ("figure", "", ValueError),
        ("figure", 3, TypeError),
        ("not a figure", "fine", TypeError),
    ],
)
def test_save_refuses_bad_names(tmp_path, fig, name, error):
    fig = plt.figure() if fig == "figure" else fig
    with pytest.raises(error, match="name|fig"):
        plotting.save(fig, name, folder=tmp_path)


def test_bad_runs_and_windows_are_refused():
    with pytest.raises(ValueError, match=r"runs\[0\] must be a Run with points"):
        plotting.contour(ROSENBROCK, [np.zeros((3, 3))])
    with pytest.raises(ValueError, match=r"runs\[1\] must be a Run with points"):
        plotting.contour(ROSENBROCK, [np.zeros((3, 2)), Run(losses=np.ones(3))])
    with pytest.raises(ValueError, match="x_min < x_max"):
        plotting.contour(ROSENBROCK, window=((1, -1), (0, 1)))
    with pytest.raises(TypeError, match="window"):
        plotting.contour(ROSENBROCK, window=(1, 2))
    with pytest.raises(ValueError, match="levels"):
        plotting.contour(ROSENBROCK, levels=0)


def test_use_style_sets_the_course_defaults():
    with matplotlib.rc_context():
        plotting.use_style()
        assert matplotlib.rcParams["font.size"] == plotting.STYLE["font.size"]
        colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        assert tuple(colors) == plotting.COLORS


# --- Text alternatives: what a figure shows, in words --------------------------------------


def _two_panels():
    fig, (left, right) = plt.subplots(1, 2)
    fig.suptitle("SGD against Adam")
    left.plot([0, 1], [0, 1], label="SGD")
    left.plot([0, 1], [1, 0], label="Adam")
    left.legend()
    left.set(title="Path in the weight plane", xlabel="$w_1$", ylabel="$w_2$")
    right.set(title=r"Loss, $\eta = 0.1$", xlabel="step")
    return fig


def test_alt_text_describes_titles_labels_and_legends():
    fig = _two_panels()
    assert plotting.alt_text(fig) == (
        "SGD against Adam. Two panels. "
        "Left: 'Path in the weight plane', x: w_1, y: w_2; lines: SGD, Adam. "
        "Right: 'Loss, eta = 0.1', x: step."
    )
    assert plotting.alt_text(fig.axes[1]) == plotting.alt_text(fig)
    plt.close(fig)
    single, ax = plt.subplots()
    ax.set_ylabel("loss")
    assert plotting.alt_text(single) == "A plot: y: loss."
    assert plotting.alt_text(plt.figure()) == "A figure without titles or labels."
    plt.close("all")


def test_describe_sets_an_explicit_alt_text():
    fig = _two_panels()
    assert plotting.describe(fig.axes[0], "  Two paths\n to the minimum ") is fig
    assert plotting.alt_text(fig) == "Two paths to the minimum"
    with pytest.raises(ValueError, match="what the figure shows"):
        plotting.describe(fig, " ")
    with pytest.raises(TypeError, match="Figure or Axes"):
        plotting.alt_text("a figure")
    plt.close(fig)


class _Shell:
    """Just enough of an IPython shell for ``use_style`` to register its formatter."""

    def __init__(self):
        from IPython.core.formatters import DisplayFormatter

        self.display_formatter = DisplayFormatter()
        self.events = self
        self.callbacks = []

    def register(self, event, callback):
        self.callbacks.append((event, callback))

    def unregister(self, event, callback):
        self.callbacks.remove((event, callback))


def test_use_style_makes_figures_display_as_png_with_alt_text(monkeypatch):
    import IPython

    shell = _Shell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    with matplotlib.rc_context():
        plotting.use_style()
    fig = _two_panels()
    data, metadata = shell.display_formatter.format(fig)
    assert data["image/png"].startswith(b"\x89PNG")
    assert metadata["image/png"]["alt"] == plotting.alt_text(fig)
    # After the cell, in case the inline backend set its own formatter meanwhile: again, once.
    ((event, callback),) = shell.callbacks
    assert event == "post_run_cell"
    callback(None)
    assert shell.callbacks == []
    assert shell.display_formatter.format(fig)[1]["image/png"]["alt"].startswith("SGD against")
    plt.close(fig)


def test_curves_of_one_plot_differ_in_dash_pattern_not_only_in_colour():
    ax = plotting.loss_curves({"a": [3.0, 2.0], "b": [3.0, 1.0], "c": [2.0, 1.0]})
    assert len({line.get_linestyle() for line in ax.get_lines()}) == 3
    ax = plotting.schedule_curves({"one": lambda t: 1.0, "two": lambda t: 2.0}, steps=3)
    assert len({line.get_linestyle() for line in ax.get_lines()}) == 2
