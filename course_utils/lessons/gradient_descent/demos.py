r"""Lesson 02's demo: one learning-rate slider over gradient descent's path and loss curve.

``learning_rate_explorer(landscape)``: drag η from crawling through converging and
zig-zagging to diverging, on any landscape and with any optimizer of ``training.descend``.
"""

import numpy as np

from ... import plotting
from ...training import as_landscape, descend, optimizer_class, start_point
from ...validation import positive, positive_int
from ...widgets import Demo, demo_figure, log_slider

__all__ = ["learning_rate_explorer"]


def _default_lr_range(landscape, cls):
    """A slider range that spans crawling, converging and diverging for this landscape.

    Gradient descent is stable near a minimum while η < 2/λmax (λmax the largest Hessian
    eigenvalue there); the range runs from a thousandth of that edge to four times it, past
    the momentum edge 2(1 + ρ)/λmax too. Adaptive methods take steps of about η in weight
    units instead, so their range follows the size of the plotting window.
    """
    from ... import optim

    if cls is optim.SGD:
        curvature = np.max(np.linalg.eigvalsh(landscape.hessian(landscape.global_minimum)))
        edge = 2.0 / curvature
        return edge / 1000, 4 * edge
    (x_min, x_max), (y_min, y_max) = landscape.window
    size = max(x_max - x_min, y_max - y_min)
    return size * 1e-4, size


def learning_rate_explorer(
    landscape,
    optimizer="sgd",
    lr=None,
    lr_range=None,
    steps=50,
    *,
    start=None,
    **hyperparameters,
):
    """A learning-rate slider (log scale) over the path on the contours and the loss curve.

    Drag it to see η too small (crawling), about right, too large (zig-zag) and divergent:
    a diverging run says "diverged at step N" in the title instead of raising. ``optimizer``
    and ``hyperparameters`` are as in ``training.descend``; ``lr_range`` defaults to a range
    that spans all four behaviours for this landscape, ``lr`` to its geometric middle. The
    loss curve shows f(w) − f(w*), the distance to the minimum value, on a log axis, where a
    steady convergence rate is a straight line.
    """
    from matplotlib.ticker import LogLocator, NullFormatter

    landscape = as_landscape(landscape)
    cls, _, name = optimizer_class(optimizer)
    steps = positive_int("steps", steps)
    low, high = _lr_range(lr_range, landscape, cls)
    lr = float(np.sqrt(low * high)) if lr is None else positive("lr", lr)
    if not low <= lr <= high:
        raise ValueError(f"lr must lie in lr_range [{low:g}, {high:g}], got {lr:g}")

    with plotting.course_style():
        fig, (ax_path, ax_loss) = demo_figure(1, 2, figsize=(10.0, 4.2))
        plotting.contour(landscape, ax=ax_path, title="Path in the weight plane", legend=False)
        color = plotting.COLORS[0]
        ax_path.plot(
            *start_point(start, landscape),
            "o",
            markersize=11,
            markerfacecolor="white",
            markeredgecolor=color,
            markeredgewidth=2.5,
            zorder=4,
        )
        (path,) = ax_path.plot([], [], "-o", color=color, markersize=3, linewidth=2, zorder=3)
        (head,) = ax_path.plot([], [], "o", color=color, markersize=9, zorder=4)
        (curve,) = ax_loss.plot([], [], color=color)
        ax_loss.set_yscale("log")
        # A few decades labelled, minor ticks unlabelled: tick text is most of a redraw's cost.
        ax_loss.yaxis.set_major_locator(LogLocator(numticks=5))
        ax_loss.yaxis.set_minor_formatter(NullFormatter())
        ax_loss.set_xlim(0, steps)
        ax_loss.set_xlabel("step")
        ax_loss.set_ylabel("loss − minimum (log)")
        ax_loss.set_title("Loss")
        title = fig.suptitle("")

    def update(lr):
        trajectory = descend(
            landscape, start, optimizer, steps, lr=lr, on_divergence="stop", **hyperparameters
        )
        points = plotting.nan_for_inf(trajectory.points)
        path.set_data(points[:, 0], points[:, 1])
        head.set_data(points[-1:, 0], points[-1:, 1])
        gap = plotting.nan_for_inf(trajectory.losses - landscape.min_value)
        gap[gap <= 0] = 1e-16  # exactly at the minimum: show it at the floor of the log axis
        curve.set_data(np.arange(len(gap)), gap)
        shown = gap[np.isfinite(gap)]
        ax_loss.set_ylim(max(shown.min(), 1e-16) / 3, shown.max() * 3)
        ending = trajectory.diverged.split(":")[0] if trajectory.diverged else None
        title.set_text(
            f"{name} on {landscape.name}, lr = {lr:.3g}" + (f" — {ending}" if ending else "")
        )
        title.set_color(plotting.OKABE_ITO["vermillion"] if ending else plotting.OKABE_ITO["black"])
        return trajectory

    slider = log_slider("learning rate η", lr, low, high, width="560px")
    # Only the loss axis's y ticks move with η: the rest of that panel stays in the background.
    animated = [path, head, ax_loss.yaxis, curve, title]
    return Demo(fig, update, {"lr": slider}, animated=animated)


def _lr_range(lr_range, landscape, cls):
    if lr_range is None:
        return _default_lr_range(landscape, cls)
    try:
        low, high = lr_range
    except (TypeError, ValueError):
        raise TypeError(f"lr_range must be a pair (min, max), got {lr_range!r}") from None
    low, high = positive("lr_range[0]", low), positive("lr_range[1]", high)
    if not low < high:
        raise ValueError(f"lr_range must be (min, max) with min < max, got {lr_range!r}")
    return low, high
