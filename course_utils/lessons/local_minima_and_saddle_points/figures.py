"""Lesson 03's key figures: basins of attraction, a saddle that stalls GD, sharp vs flat.

Each function returns a matplotlib Figure; ``figures.regenerate`` saves it as
``figures/<name>.png``. The numbers behind them are asserted in the lesson's notebook.
"""

import numpy as np

from ... import landscapes, plotting, training
from ...figures import figure, new_figure
from . import basins
from .demos import plot_basin_map, plot_sharp_and_flat


@figure("03_basins")
def basins_of_two_landscapes():
    """Where GD ends depends on where it starts: basins on two_minima and on Himmelblau."""
    fig = new_figure(13.0, 6.0)
    left, right = fig.subplots(1, 2)
    two = landscapes.two_minima()
    plot_basin_map(basins.basin_map(two, lr=0.05, resolution=161), ax=left)
    for start in ([0.3, 1.6], [-0.2, -1.6]):
        run = training.descend(two, start, "sgd", 60, lr=0.05)
        left.plot(*run.points.T, "-o", color="black", markersize=3, linewidth=1.8)
        plotting.start_marker(left, start, size=10, edge_width=1.0, zorder=2)
    left.set_title("Two minima, GD with η = 0.05")
    plot_basin_map(basins.basin_map(landscapes.himmelblau(), lr=0.01, resolution=161), ax=right)
    right.set_title("Himmelblau, GD with η = 0.01")
    return fig


@figure("03_saddle")
def saddle_stalls_gradient_descent():
    """GD on the stable axis y = 0 converges to the saddle; a nudge of 1e-6 escapes."""
    saddle = landscapes.saddle()
    runs = [
        training.descend(saddle, start, "sgd", 250, lr=0.1, label=label)
        for start, label in (
            ([1.5, 0.0], "start (1.5, 0): stays on y = 0"),
            ([1.5, 1e-6], "start (1.5, 1e-6): escapes"),
        )
    ]
    fig = new_figure(13.0, 5.5)
    left, right = fig.subplots(1, 2)
    plotting.contour(saddle, runs, ax=left, legend=False, title="GD with η = 0.1")
    left.plot(0, 0, "X", color="black", markersize=13, linestyle="none", label="saddle")
    left.legend(handles=left.get_lines()[-1:], loc="upper right", fontsize=11)
    for color, run in zip(plotting.COLORS, runs, strict=False):
        gradient_norm = np.linalg.norm(saddle.grad(run.points), axis=-1)
        right.semilogy(gradient_norm, color=color, label=run.label)
    right.set_xlabel("step")
    right.set_ylabel("‖∇f(w)‖ (log scale)")
    right.set_title("The gradient vanishes at the saddle too")
    right.legend(fontsize=11)
    return fig


@figure("03_sharp_flat")
def sharp_and_flat_minima():
    """The same shift of the loss costs far more at a sharp minimum than at a flat one."""
    fig = new_figure(9.0, 5.0)
    ax = fig.subplots()
    plot_sharp_and_flat(basins.SharpAndFlat(), basins.SharpAndFlat(shift=0.1), ax=ax)
    return fig
