r"""Lesson 03's pictures and demo: which basin gradient descent falls into.

- ``plot_basin_map(basin_map)``: every start of a ``basins.BasinMap`` coloured by the minimum
  gradient descent reached from it, under the contour lines;
- ``plot_sharp_and_flat(train, test)``: a training loss with a sharp and a flat minimum,
  the shifted test loss, and how much the loss rises at each minimum;
- ``basin_explorer(basin_map)``: sliders for the start (x0, y0) over that map; the path is
  redrawn and the title says which minimum it fell into, with the loss curve beside it.

matplotlib and ipywidgets are imported inside the functions.
"""

import numpy as np

from ... import plotting, widgets
from ...runs import Run
from ...training import as_landscape, descender
from ...validation import positive, real
from .basins import NO_MINIMUM, BasinMap, SharpAndFlat, _nearest_minimum

__all__ = ["plot_basin_map", "plot_sharp_and_flat", "basin_explorer", "ending"]

_NO_MINIMUM_COLOR = "#D9D9D9"  # light grey: starts that diverged or reached no minimum
_BASIN_ALPHA = 0.35  # pale enough for the contour lines and the path to read on top


def _basin_colors(count):
    """RGBA colours: index i for minimum i, the last for NO_MINIMUM."""
    from matplotlib.colors import to_rgba

    colors = [
        to_rgba(plotting.COLORS[i % len(plotting.COLORS)], _BASIN_ALPHA) for i in range(count)
    ]
    return np.array([*colors, to_rgba(_NO_MINIMUM_COLOR)])


def _minimum_name(landscape, index):
    """'the global minimum (-1.04, 0.00)', 'a global minimum (3.00, 2.00)' (one of several),
    or 'a local minimum (0.96, 0.00)'."""
    values = landscape._loss(landscape.minima)
    is_global = np.abs(values - landscape.min_value) <= 1e-9 * max(1.0, abs(landscape.min_value))
    if not is_global[index]:
        kind = "a local minimum"
    else:
        kind = "the global minimum" if np.sum(is_global) == 1 else "a global minimum"
    x, y = landscape.minima[index]
    return f"{kind} ({x:.2f}, {y:.2f})"


def ending(landscape, run, tol=1e-3):
    """Where a run ended, in words: 'the global minimum (−1.04, 0.00)', 'diverged at step 3'.

    ``run`` is a ``Run`` from ``training.descend``; it reached a minimum if it ended within
    ``tol`` of it.
    """
    if not (isinstance(run, Run) and run.points is not None):
        raise TypeError(f"run must be a Run with points, from training.descend, got {run!r}")
    return _ending(as_landscape(landscape), run, positive("tol", tol))[0]


def _ending(landscape, run, tol):
    """(``ending``'s words, whether the run reached a minimum), for checked arguments."""
    if run.status == "diverged":
        return run.ending, False
    index = int(_nearest_minimum(landscape, run.points[-1], tol))
    if index == NO_MINIMUM:
        x, y = run.points[-1]
        return f"no minimum yet: still at ({x:.2f}, {y:.2f}) after {run.steps} steps", False
    return _minimum_name(landscape, index), True


def plot_basin_map(basin_map, ax=None, *, title=None, legend=True):
    """Each start coloured by the minimum gradient descent reached from it; returns the axes.

    Grey marks starts that diverged or reached no minimum. The contour lines and minima
    (filled stars: global, hollow: local) are drawn on top by ``plotting.contour``.
    """
    if not isinstance(basin_map, BasinMap):
        raise TypeError(f"basin_map must be a BasinMap from basins.basin_map, got {basin_map!r}")
    from matplotlib.patches import Patch

    landscape = basin_map.landscape
    window = ((basin_map.x[0], basin_map.x[-1]), (basin_map.y[0], basin_map.y[-1]))
    if title is None:
        title = f"Basins of GD, η = {basin_map.lr:g}"
    ax = plotting.contour(
        landscape, ax=ax, levels=20, window=window, resolution=120, title=title, legend=False
    )
    colors = _basin_colors(len(landscape.minima))
    ax.imshow(
        colors[basin_map.labels],  # label NO_MINIMUM (−1) picks the last colour: grey
        extent=(*window[0], *window[1]),
        origin="lower",
        interpolation="nearest",
        zorder=0,
    )
    ax.set_aspect("equal", adjustable="box")
    if legend:
        handles = [
            Patch(color=colors[i], label=f"→ {_minimum_name(landscape, i)}")
            for i in range(len(landscape.minima))
            if np.any(basin_map.labels == i)
        ]
        if np.any(basin_map.labels == NO_MINIMUM):
            handles.append(Patch(color=colors[-1], label="→ no minimum (diverged)"))
        ax.legend(handles=handles, loc="upper right", fontsize=10)
    return ax


def plot_sharp_and_flat(train, test, ax=None):
    """The training loss, the shifted test loss, and the rise test − train at each minimum."""
    for name, loss in (("train", train), ("test", test)):
        if not isinstance(loss, SharpAndFlat):
            raise TypeError(f"{name} must be a basins.SharpAndFlat, got {loss!r}")
    w = np.linspace(-3.5, 3.5, 701)
    with plotting.course_style():
        ax = plotting.new_axes(ax)
        ax.plot(w, train(w), color=plotting.COLORS[0], label="training loss")
        shift = test.shift - train.shift
        ax.plot(w, test(w), "--", color=plotting.COLORS[1], label=f"test loss (shifted {shift:g})")
        for w_star, name in zip(train.minima, ("sharp", "flat"), strict=True):
            low, high = float(train(w_star)), float(test(w_star))
            ax.plot([w_star, w_star], [low, high], color=plotting.COLORS[3], linewidth=3)
            ax.plot(w_star, low, "o", color="black")
            ax.annotate(
                f"{name} minimum:\ntest loss +{high - low:.3f}",
                (w_star, high),
                xytext=(24, 28),
                textcoords="offset points",
                va="bottom",
                fontsize=12,
            )
        ax.set_xlabel("weight w")
        ax.set_ylabel("loss")
        ax.set_title("The same shift costs more at a sharp minimum")
        ax.legend(loc="lower left")
    return ax


def basin_explorer(basin_map, *, start=None):
    """Two sliders pick the start (x0, y0); the path and the basin it falls into redraw.

    The runs are gradient descent with the map's step size and number of steps, so the
    verdict in the title agrees with the colour of the map under the start. The right panel
    shows the loss against the step: a run that ends in a local minimum levels off above the
    global minimum's loss (the dashed line). ``demo.result`` is the latest ``Run``.
    """
    import ipywidgets

    if not isinstance(basin_map, BasinMap):
        raise TypeError(f"basin_map must be a BasinMap from basins.basin_map, got {basin_map!r}")
    landscape = basin_map.landscape
    (x_min, x_max), (y_min, y_max) = (basin_map.x[[0, -1]], basin_map.y[[0, -1]])
    x0, y0 = landscape.start if start is None else start
    x0, y0 = real("start[0]", x0), real("start[1]", y0)
    if not (x_min <= x0 <= x_max and y_min <= y0 <= y_max):
        raise ValueError(
            f"start must lie in the map's window x ∈ [{x_min:g}, {x_max:g}], "
            f"y ∈ [{y_min:g}, {y_max:g}], got ({x0:g}, {y0:g})"
        )

    descend_from = descender(landscape, None, "sgd", basin_map.steps, lr=basin_map.lr)
    fig, (ax_map, ax_loss) = widgets.demo_figure(1, 2, figsize=(10.0, 4.4))
    plot_basin_map(basin_map, ax=ax_map, title="", legend=False)
    path = widgets.path_line(ax_map, "black", zorder=6, linewidth=1.8, head=None)
    first = widgets.start_marker(ax_map, (x0, y0), size=10, edge_width=1.0, zorder=7)
    # The loss above the global minimum, on a log axis with fixed limits (so only the curve
    # is redrawn): a run into the global minimum falls to the floor, one into a local
    # minimum levels off at that minimum's gap (dotted).
    floor = 1e-10
    grid = np.stack(np.meshgrid(basin_map.x, basin_map.y), axis=-1)
    ceiling = 10 * float(np.max(landscape(grid) - landscape.min_value))
    for index, minimum in enumerate(landscape.minima):
        gap = float(landscape(minimum) - landscape.min_value)
        if gap > floor:
            color = _basin_colors(len(landscape.minima))[index]
            ax_loss.axhline(gap, color=color[:3], linestyle=":", linewidth=2)
    (curve,) = ax_loss.plot([], [], color="black")
    widgets.loss_panel(ax_loss, basin_map.steps, ylabel="loss − global minimum (log)", decades=None)
    ax_loss.set_ylim(floor, ceiling)
    ax_loss.set_title("Loss (dotted: a local minimum)", fontsize=13)
    title = fig.suptitle("", fontsize=14)

    def update(x0, y0):
        run = descend_from([x0, y0])
        widgets.set_path(path, run)
        first.set_data([x0], [y0])
        widgets.set_loss(curve, run, landscape.min_value, floor=floor)
        verdict, reached = _ending(landscape, run, 1e-3)
        text = f"GD from ({x0:.2f}, {y0:.2f}), η = {basin_map.lr:g} → {verdict}"
        widgets.show_status(title, text, run, alarm=not reached)
        return run

    def slider(name, value, low, high):
        return ipywidgets.FloatSlider(
            value=value,
            min=low,
            max=high,
            step=(high - low) / 200,
            description=name,
            readout_format=".2f",
            continuous_update=True,
            layout=ipywidgets.Layout(width="380px"),
        )

    controls = {
        "x0": slider("start x0", x0, x_min, x_max),
        "y0": slider("start y0", y0, y_min, y_max),
    }
    return widgets.Demo(fig, update, controls, animated=[*path, first, curve, title])
