r"""The course's plots, in one style: colour-blind-safe, readable when projected, always labelled.

- ``contour(landscape, runs)``: the loss as contour lines over the two weights, with the
  minima, the start points and the paths of runs (``runs.Run``, from ``training.descend``);
- ``surface(landscape, run=...)``: the same loss as a 3-D surface; the path lies in the
  weight plane (drawn on the floor) and its loss is lifted onto the surface;
- ``loss_curves({label: losses or run})`` and ``schedule_curves({label: lr_fn}, steps)``;
- ``animate(landscape, runs)``: the paths growing step by step, as HTML for a notebook;
- ``save(fig, name)``: a PNG in the repository's figures/ folder, byte-for-byte reproducible;
- ``alt_text(fig)``: what a figure shows, in words, from its titles, axis labels and legends
  (or the text ``describe(fig, text)`` gave it); after ``use_style()`` a notebook's figures
  carry it as the ``alt`` of their PNG output, which the course site writes on the image.

Each function draws on ``ax`` when given one (so you can combine plots) and returns the axes.
Colours are the Okabe–Ito palette, which stays distinguishable with every common colour-vision
deficiency; contour lines use viridis, which is also perceptually uniform in grey.
matplotlib is imported inside the functions, so importing this module costs nothing.
"""

import re
import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .runs import Run
from .training import as_landscape
from .validation import positive, positive_int

__all__ = [
    "OKABE_ITO",
    "COLORS",
    "STYLE",
    "DPI",
    "use_style",
    "course_style",
    "describe",
    "alt_text",
    "load_matplotlib",
    "new_axes",
    "nan_for_inf",
    "PATH_STYLE",
    "start_marker",
    "contour",
    "surface",
    "loss_curves",
    "schedule_curves",
    "animate",
    "save",
]

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
# The order lines take their colours in: strongest contrast on white first, yellow last.
COLORS = tuple(
    OKABE_ITO[name]
    for name in (
        "blue",
        "orange",
        "bluish green",
        "vermillion",
        "reddish purple",
        "sky blue",
        "black",
        "yellow",
    )
)

# Curves of one plot differ in dash pattern as well as colour, so they can be told apart
# without colour (in grey print, by a colour-blind reader).
LINESTYLES = ("-", "--", ":", "-.")

# Large type and thick lines: a plot must be readable from the back of a lecture hall.
STYLE = {
    "figure.figsize": (8.0, 5.5),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "font.size": 14,
    "axes.titlesize": 17,
    # A fixed title height: matplotlib otherwise measures every tick label at each draw to
    # lift the title over any that stick out above the axes, a fifth of a figure's drawing
    # time. Only lesson 13's slice curves put labels there, and they lift their title by hand.
    "axes.titley": 1.0,
    "axes.labelsize": 15,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "legend.fontsize": 12,
    "legend.framealpha": 0.9,
    "lines.linewidth": 2.5,
    "lines.markersize": 7,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.cmap": "viridis",
}

DPI = 150  # for saved figures: sharp on a projector and in the README

_CONTOUR_CMAP = "viridis"
_MINIMUM_COLOR = OKABE_ITO["black"]


def load_matplotlib():
    """matplotlib, with a non-interactive backend when nobody has chosen one.

    In Jupyter the kernel has already picked its inline backend; in a script or a test run
    without one, Agg draws to files without trying to open windows.
    """
    import matplotlib

    if matplotlib.get_backend(auto_select=False) is None and "ipykernel" not in sys.modules:
        matplotlib.use("Agg")
    return matplotlib


def _rc():
    from cycler import cycler

    return {**STYLE, "axes.prop_cycle": cycler(color=COLORS)}


def use_style():
    """Make the course style the default for every later plot in this session.

    In IPython it also makes figures display as PNGs with a text alternative (``alt_text``)
    in their output's metadata.
    """
    load_matplotlib().rcParams.update(_rc())
    _register_png_formatter()


def describe(fig, text):
    """Give ``fig`` (a Figure or Axes) the text alternative ``text``; returns the figure."""
    fig = _figure_of(fig)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must say what the figure shows, got {text!r}")
    fig._course_alt_text = " ".join(text.split())
    return fig


_PANEL_PLACES = {(1, 2): ("Left", "Right"), (2, 1): ("Top", "Bottom")}
_COUNTS = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six"}


def alt_text(fig):
    """What ``fig`` (a Figure or Axes) shows, in words: the text ``describe`` gave it, else
    one built from its suptitle, each panel's title, axis labels and legend entries."""
    fig = _figure_of(fig)
    explicit = getattr(fig, "_course_alt_text", None)
    if explicit:
        return explicit
    panels = [ax for ax in fig.axes if ax.get_visible() and not _is_colorbar(ax)]
    parts = []
    suptitle = _plain(fig._suptitle.get_text()) if fig._suptitle is not None else ""
    if suptitle:
        parts.append(f"{suptitle}.")
    legend = _legend_entries(fig.legends)
    if legend:
        parts.append(f"Legend: {legend}.")
    if len(panels) == 1:
        parts.append(f"A plot: {_panel(panels[0])}.")
    elif panels:
        places = _PANEL_PLACES.get(_grid_shape(panels))
        parts.append(f"{_COUNTS.get(len(panels), len(panels))} panels.")
        for index, ax in enumerate(panels):
            place = places[index] if places else f"Panel {index + 1}"
            parts.append(f"{place}: {_panel(ax)}.")
    text = " ".join(parts)
    return text or "A figure without titles or labels."


def _figure_of(fig):
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(fig, Axes):
        fig = fig.get_figure(root=True)
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure or Axes, got {fig!r}")
    return fig


def _is_colorbar(ax):
    return ax.get_label() == "<colorbar>"


def _grid_shape(panels):
    spec = panels[0].get_subplotspec()
    return spec.get_geometry()[:2] if spec is not None else None


_TEX_COMMAND = re.compile(r"\\(?:mathrm|mathbf|mathit|text|rm|left|right)\b|\\[,;!]")


def _plain(text):
    """``text`` without mathtext markup: "$\\eta_t$" becomes "eta_t"."""
    text = _TEX_COMMAND.sub("", text)
    return " ".join(re.sub(r"[$\\{}]", "", text).split())


def _legend_entries(legends):
    names = [
        _plain(entry.get_text())
        for legend in legends
        if legend is not None
        for entry in legend.get_texts()
    ]
    return ", ".join(name for name in names if name)


def _panel(ax):
    title = _plain(ax.get_title()) or _plain(ax.get_title("left"))
    pieces = [f"'{title}'"] if title else []
    labels = [("x", ax.get_xlabel()), ("y", ax.get_ylabel())]
    if hasattr(ax, "get_zlabel"):
        labels.append(("z", ax.get_zlabel()))
    axes = ", ".join(f"{name}: {_plain(label)}" for name, label in labels if _plain(label))
    if axes:
        pieces.append(axes)
    text = ", ".join(pieces)
    legend = _legend_entries([ax.get_legend()])
    if legend:
        text = f"{text}; lines: {legend}" if text else f"lines: {legend}"
    return text or "no title or labels"


def _png_with_alt(fig):
    """IPython's PNG formatter for Figures: the inline backend's PNG, and the alt text."""
    from IPython.core.pylabtools import print_figure

    png = print_figure(fig, "png", bbox_inches="tight")
    if png is None:
        return None
    return png, {"alt": alt_text(fig)}


def _register_png_formatter():
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    from matplotlib.figure import Figure

    def register(*_):
        shell.display_formatter.formatters["image/png"].for_type(Figure, _png_with_alt)

    def again_after_the_cell(*_):
        # The inline backend, loaded during this cell, may set its own formatter after it.
        register()
        shell.events.unregister("post_run_cell", again_after_the_cell)

    load_matplotlib()
    import matplotlib.pyplot as plt

    # Load the backend now: the inline backend sets its own formatter when it loads.
    getattr(plt, "_get_backend_mod", lambda: None)()
    register()
    shell.events.register("post_run_cell", again_after_the_cell)


def course_style():
    """A context in which new figures and artists take the course style."""
    return load_matplotlib().rc_context(_rc())


def new_axes(ax, **subplot_kw):
    """``ax`` itself, or a new pyplot figure's axes when ``ax`` is None."""
    if ax is not None:
        return ax
    load_matplotlib()
    import matplotlib.pyplot as plt

    return plt.figure().add_subplot(**subplot_kw)


def pyplot_figure(width, height):
    """A new pyplot figure of ``width`` × ``height`` inches, with constrained layout."""
    load_matplotlib()
    import matplotlib.pyplot as plt

    return plt.figure(figsize=(width, height), layout="constrained")


def _paths(runs):
    """A list of (label, points (n, 2), Run or None) from what the caller passed."""
    if isinstance(runs, Run) or (isinstance(runs, np.ndarray) and runs.ndim == 2):
        runs = [runs]
    items = []
    for index, item in enumerate(runs):
        if isinstance(item, Run) and item.points is not None:
            items.append((item.label or f"path {index + 1}", item.points, item))
            continue
        points = None if isinstance(item, Run) else np.asarray(item, dtype=np.float64)
        if points is None or points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(
                f"runs[{index}] must be a Run with points (from training.descend) or an array "
                f"of points of shape (n, 2), got {item!r}"
            )
        items.append((f"path {index + 1}", points, None))
    return items


def _with_ending(label, run):
    """The label, plus "(diverged at step N)" when the run diverged."""
    if run is not None and run.status == "diverged":
        return f"{label} ({run.ending})"
    return label


# How a path is drawn on the contours: small dots at each step, joined.
PATH_STYLE = {"markersize": 3, "linewidth": 2, "zorder": 3}


def start_marker(ax, point, color="black", *, size=11, edge_width=2.5, zorder=4, label=None):
    """The hollow dot where a run starts: white inside, ringed in its run's colour."""
    (marker,) = ax.plot(
        *point,
        "o",
        markersize=size,
        markerfacecolor="white",
        markeredgecolor=color,
        markeredgewidth=edge_width,
        zorder=zorder,
        label=label,
    )
    return marker


def nan_for_inf(values):
    """A float copy with inf replaced by nan, which matplotlib leaves out of lines and limits."""
    values = np.array(values, dtype=np.float64)
    values[~np.isfinite(values)] = np.nan
    return values


def _grid(landscape, window, resolution):
    (x_min, x_max), (y_min, y_max) = window
    x, y = np.meshgrid(np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution))
    return x, y, landscape(np.stack([x, y], axis=-1))


def _window(window, landscape):
    window = landscape.window if window is None else window
    try:
        (x_min, x_max), (y_min, y_max) = ((float(a), float(b)) for a, b in window)
    except (TypeError, ValueError):
        raise TypeError(
            f"window must be ((x_min, x_max), (y_min, y_max)), got {window!r}"
        ) from None
    if not (x_min < x_max and y_min < y_max):
        raise ValueError(f"window must have x_min < x_max and y_min < y_max, got {window!r}")
    return (x_min, x_max), (y_min, y_max)


def _levels(z, min_value, count, log_levels):
    """Contour heights: even steps, or even steps in log(f − f_min) to show a valley floor."""
    floor = min(float(np.min(z)), min_value)
    span = float(np.max(z)) - floor
    if log_levels:
        return floor + np.geomspace(span * 1e-4, span, count)
    return floor + np.linspace(0, span, count + 2)[1:-1]


def _contour_lines(ax, x, y, z, levels, **kwargs):
    """Contour lines coloured by rank, so log-spaced levels still span the whole colour map."""
    from matplotlib import colormaps

    colors = colormaps[_CONTOUR_CMAP](np.linspace(0.0, 0.9, len(levels)))  # skip pale yellow
    return ax.contour(x, y, z, levels=levels, colors=colors, linewidths=1.0, alpha=0.7, **kwargs)


def contour(
    landscape,
    runs=(),
    ax=None,
    levels=30,
    log_levels=True,
    *,
    window=None,
    resolution=200,
    title=None,
    legend=True,
):
    """Contour lines of the loss over the weights (x, y), with minima, starts and paths.

    ``runs`` holds ``Run`` objects (from ``training.descend``) or arrays of points of shape
    (n, 2). With ``log_levels`` the contour heights are spaced evenly in
    log(f − f_min), so the flat floor of a valley gets as many lines as its steep walls.
    The axes have equal scales, so the gradient meets every contour at a right angle.
    """
    landscape = as_landscape(landscape)
    levels = positive_int("levels", levels)
    resolution = positive_int("resolution", resolution)
    window = _window(window, landscape)
    paths = _paths(runs)
    with course_style():
        ax = new_axes(ax)
        x, y, z = _grid(landscape, window, resolution)
        _contour_lines(ax, x, y, z, _levels(z, landscape.min_value, levels, log_levels))
        _mark_minima(ax, landscape)
        for index, (label, points, run) in enumerate(paths):
            color = COLORS[index % len(COLORS)]
            points = nan_for_inf(points)
            ax.plot(*points.T, "-o", color=color, label=_with_ending(label, run), **PATH_STYLE)
            start_marker(ax, points[0], color, label="start" if index == 0 else None)
        ax.set_xlim(window[0])
        ax.set_ylim(window[1])
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("weight x")
        ax.set_ylabel("weight y")
        ax.set_title(landscape.name if title is None else title)
        ax.grid(False)
        if legend:
            # Inside the axes: constrained layout cannot place a legend beside equal-aspect axes.
            ax.legend(loc="best", fontsize="small")
    return ax


def _mark_minima(ax, landscape):
    """Stars on the minima: filled for the global ones, hollow for the merely local ones."""
    values = landscape(landscape.minima)
    tolerance = 1e-9 * max(1.0, abs(landscape.min_value))
    is_global = np.abs(values - landscape.min_value) <= tolerance
    for kind, mask, face in (("global", is_global, _MINIMUM_COLOR), ("local", ~is_global, "white")):
        if np.any(mask):
            ax.plot(
                landscape.minima[mask, 0],
                landscape.minima[mask, 1],
                "*",
                markersize=18,
                markerfacecolor=face,
                markeredgecolor=_MINIMUM_COLOR,
                markeredgewidth=1.5,
                linestyle="none",
                label=f"{kind} minim{'a' if np.sum(mask) > 1 else 'um'}",
                zorder=5,
            )


def surface(landscape, ax=None, run=None, *, window=None, resolution=80, title=None):
    """The loss as a 3-D surface over the weight plane, contour lines on the floor.

    The weights live in the plane: a path (``run``, a ``Run`` from ``training.descend``) is
    drawn there, on the floor, and its loss values are lifted onto the surface above it, each
    labelled.
    Points outside the window are left out, so a diverged run does not wreck the view.
    """
    landscape = as_landscape(landscape)
    resolution = positive_int("resolution", resolution)
    window = _window(window, landscape)
    if run is not None and not (isinstance(run, Run) and run.points is not None):
        raise TypeError(f"run must be a Run with points, from training.descend, got {run!r}")
    if ax is not None and getattr(ax, "name", None) != "3d":
        raise ValueError("ax must be 3-D axes, e.g. fig.add_subplot(projection='3d')")
    from matplotlib.ticker import MaxNLocator

    with course_style():
        ax = new_axes(ax, projection="3d")
        x, y, z = _grid(landscape, window, resolution)
        floor = float(np.min(z)) - 0.15 * float(np.ptp(z))
        ax.plot_surface(x, y, z, cmap=_CONTOUR_CMAP, alpha=0.75, linewidth=0, zorder=1)
        _contour_lines(
            ax, x, y, z, _levels(z, landscape.min_value, 15, True), zdir="z", offset=floor
        )
        if run is not None:
            points, losses = nan_for_inf(run.points), nan_for_inf(run.losses)
            (x_min, x_max), (y_min, y_max) = window
            outside = ~(
                (points[:, 0] >= x_min)
                & (points[:, 0] <= x_max)
                & (points[:, 1] >= y_min)
                & (points[:, 1] <= y_max)
            )
            points[outside], losses[outside] = np.nan, np.nan
            path_color, lifted_color = COLORS[3], COLORS[1]
            ax.plot(
                points[:, 0],
                points[:, 1],
                np.full(len(points), floor),
                "-o",
                color=path_color,
                markersize=3,
                label="path in the weight plane",
                zorder=3,
            )
            ax.plot(
                points[:, 0],
                points[:, 1],
                losses,
                "-o",
                color=lifted_color,
                markersize=3,
                label="its loss, on the surface",
                zorder=4,
            )
            for index in (0, len(points) - 1):  # drop lines join the two pictures of one point
                ax.plot(
                    [points[index, 0]] * 2,
                    [points[index, 1]] * 2,
                    [floor, losses[index]],
                    ":",
                    color=_MINIMUM_COLOR,
                    linewidth=1.5,
                )
            ax.legend(loc="upper right")
        ax.set_zlim(floor, float(np.max(z)))
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.set_major_locator(MaxNLocator(5))
        ax.set_xlabel("weight x", labelpad=10)
        ax.set_ylabel("weight y", labelpad=10)
        ax.set_zlabel("loss", labelpad=16)
        ax.set_title(landscape.name if title is None else title)
    return ax


def _labelled(curves, name, label_of):
    """(label, item) pairs from a {label: item} mapping or a sequence of labelled items."""
    if isinstance(curves, Mapping):
        return list(curves.items())
    if isinstance(curves, (str, bytes)) or not hasattr(curves, "__iter__"):
        raise TypeError(f"{name} must be a dict {{label: ...}} or a list, got {curves!r}")
    return [(label_of(item), item) for item in curves]


def loss_curves(curves, ax=None, log=True, *, xlabel="step", title="Loss"):
    """One loss curve per entry of ``{label: losses}``, against the step (or epoch).

    A value may be an array or a ``Run`` (its ``losses``: per epoch for a run that counts
    epochs; pass ``xlabel="epoch"``); a list of Runs is labelled by their labels. A diverged
    run ends in a cross. ``log`` puts the loss on a log axis, where a
    steady linear convergence rate shows as a straight line.
    """
    items = _labelled(curves, "curves", lambda item: getattr(item, "label", ""))
    with course_style():
        ax = new_axes(ax)
        for index, (label, item) in enumerate(items):
            run = item if isinstance(item, Run) else None
            values = nan_for_inf(item if run is None else run.losses)
            if values.ndim != 1:
                raise ValueError(f"the losses of {label!r} must be 1-D, got shape {values.shape}")
            if log and np.any(values[np.isfinite(values)] <= 0):
                raise ValueError(
                    f"log=True needs positive losses, but {label!r} reaches "
                    f"{np.nanmin(values):.3g}; plot losses − landscape.min_value, or pass "
                    "log=False"
                )
            color = COLORS[index % len(COLORS)]
            dashes = LINESTYLES[index % len(LINESTYLES)]
            ax.plot(values, color=color, linestyle=dashes, label=_with_ending(label, run))
            if run is not None and run.status == "diverged":
                last = np.flatnonzero(np.isfinite(values))[-1]
                ax.plot(last, values[last], "X", color=color, markersize=12)
        if log:
            ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("loss (log scale)" if log else "loss")
        ax.set_title(title)
        if items:
            ax.legend()
    return ax


def schedule_curves(schedules, steps, ax=None, log=False, *, title="Learning-rate schedules"):
    """The learning rate lr(t) of each schedule in ``{label: lr_fn}`` for t = 0, …, steps − 1.

    A list of schedules from ``course_utils.schedules`` is labelled by their names.
    """
    steps = positive_int("steps", steps)
    items = _labelled(schedules, "schedules", lambda lr_fn: getattr(lr_fn, "__name__", repr(lr_fn)))
    with course_style():
        ax = new_axes(ax)
        for index, (label, lr_fn) in enumerate(items):
            if not callable(lr_fn):
                raise TypeError(f"the schedule {label!r} must be a function lr(t), got {lr_fn!r}")
            lrs = [lr_fn(t) for t in range(steps)]
            ax.plot(
                lrs,
                color=COLORS[index % len(COLORS)],
                linestyle=LINESTYLES[index % len(LINESTYLES)],
                label=str(label),
            )
        if log:
            ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("learning rate")
        ax.set_title(title)
        if items:
            ax.legend()
    return ax


def animate(
    landscape,
    runs,
    frames=40,
    *,
    interval=100,
    window=None,
    figsize=(6.0, 5.0),
    dpi=72,
    title=None,
):
    """The paths of ``runs`` growing step by step over the contours, as notebook HTML.

    At most 60 frames: each frame is an image inside the HTML, so more frames only make the
    notebook slow and large. Long runs are sampled evenly, always ending at the last step.
    ``interval`` is the delay between frames in milliseconds.
    """
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation
    from matplotlib.figure import Figure

    frames = positive_int("frames", frames)
    if frames > 60:
        raise ValueError(
            f"frames must be an integer in [1, 60] (each one is an image), got {frames}"
        )
    interval = positive("interval", interval)
    paths = _paths(runs)
    if not paths:
        raise ValueError("runs is empty: give at least one path to animate")
    matplotlib = load_matplotlib()
    with course_style():
        still = Figure(figsize=figsize, dpi=dpi)
        ax = still.add_subplot()
        contour(landscape, (), ax=ax, window=window, title=title, legend=False)
        colors = []
        for index, (label, points, run) in enumerate(paths):
            color = COLORS[index % len(COLORS)]
            start_marker(ax, points[0], color, size=10, edge_width=1.0, zorder=2)
            ax.plot([], [], "-o", color=color, markersize=3, label=_with_ending(label, run))
            colors.append(color)
        ax.legend(loc="upper right")
    fig, lines = _over_still_picture(still, ax, colors, dpi)
    paths = [nan_for_inf(points) for _, points, _ in paths]
    longest = max(len(points) for points in paths)
    shown = np.unique(np.linspace(1, longest, frames).round().astype(int))

    def draw_frame(count):
        for line, points in zip(lines, paths, strict=True):
            line.set_data(points[:count, 0], points[:count, 1])
        return lines

    animation = FuncAnimation(fig, draw_frame, frames=shown, interval=interval, blit=False)
    # JPEG frames are a quarter the size of PNG ones for contour plots, at no visible cost.
    # The overlay is placed by hand: with the course style's constrained layout, which
    # savefig switches back on after each frame, every frame would warn about gridspecs.
    settings = {
        "animation.frame_format": "jpeg",
        "savefig.dpi": dpi,
        "figure.constrained_layout.use": False,
    }
    with matplotlib.rc_context(settings):
        return HTML(animation.to_jshtml(default_mode="once"))


def _over_still_picture(still, ax, colors, dpi):
    """A figure showing ``still`` as a picture, with an empty path line per colour on top.

    Every frame of an animation redraws its whole figure, and nearly all of that time goes to
    the parts that never change (contours, ticks, labels, legend). Drawn once into pixels they
    cost one image copy per frame; the paths are drawn on a bare axes placed exactly over
    ``ax``, with its limits, so they land where they would have.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    canvas = FigureCanvasAgg(still)
    canvas.draw()
    picture = np.asarray(canvas.buffer_rgba()).copy()
    fig = Figure(figsize=still.get_size_inches(), dpi=dpi, layout="none")  # placed by hand
    fig.figimage(picture, origin="upper")
    overlay = fig.add_axes(ax.get_position(original=False), zorder=1)  # above the picture
    overlay.set(xlim=ax.get_xlim(), ylim=ax.get_ylim(), aspect="auto")
    overlay.set_axis_off()
    lines = [overlay.plot([], [], "-o", color=color, markersize=3)[0] for color in colors]
    return fig, lines


REPOSITORY_FIGURES = Path(__file__).resolve().parent.parent / "figures"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def save(fig, name, folder=None, dpi=DPI):
    """Write ``fig`` (a Figure or Axes) to ``<folder>/<name>.png``; return the path.

    ``folder`` defaults to the repository's figures/. The PNG carries no software version or
    date, so saving the same figure again gives the same bytes (and a clean git diff).
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(fig, Axes):
        fig = fig.figure
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure or Axes, got {fig!r}")
    if not isinstance(name, str):
        raise TypeError(f"name must be a file name such as 'gd_paths', got {name!r}")
    stem = name.removesuffix(".png")
    if not _NAME.fullmatch(stem):
        raise ValueError(
            f"name must be letters, digits, '_' and '-' (optionally ending in .png), got {name!r}"
        )
    dpi = positive_int("dpi", dpi)
    folder = REPOSITORY_FIGURES if folder is None else Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.png"
    fig.savefig(path, format="png", dpi=dpi, metadata={"Software": None}, facecolor="white")
    return path
