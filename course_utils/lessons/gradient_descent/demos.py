r"""Lesson 02's demo: one learning-rate slider over gradient descent's path and loss curve.

``learning_rate_explorer(landscape)``: drag η from crawling through converging and
zig-zagging to diverging, on any landscape and with any optimizer of ``training.descend``.
"""

import numpy as np

from ... import plotting, widgets
from ...training import as_landscape, descender, optimizer_class, start_point
from ...validation import positive, positive_int

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
    landscape = as_landscape(landscape)
    cls, _, name = optimizer_class(optimizer)
    steps = positive_int("steps", steps)
    start = start_point(start, landscape)
    low, high = _lr_range(lr_range, landscape, cls)
    lr = float(np.sqrt(low * high)) if lr is None else positive("lr", lr)
    if not low <= lr <= high:
        raise ValueError(f"lr must lie in lr_range [{low:g}, {high:g}], got {lr:g}")
    descend_at = descender(landscape, start, optimizer, steps, **hyperparameters)

    with plotting.course_style():
        fig, (ax_path, ax_loss) = widgets.demo_figure(1, 2, figsize=(10.0, 4.2))
        plotting.contour(landscape, ax=ax_path, title="Path in the weight plane", legend=False)
        color = plotting.COLORS[0]
        widgets.start_marker(ax_path, start, color)
        path = widgets.path_line(ax_path, color)
        (curve,) = ax_loss.plot([], [], color=color)
        widgets.loss_panel(ax_loss, steps, minor=True)
        ax_loss.set_title("Loss")
        title = fig.suptitle("")

    def update(lr):
        run = descend_at(lr=lr)
        widgets.set_path(path, run)
        gap = widgets.set_loss(curve, run, landscape.min_value)
        shown = gap[np.isfinite(gap)]
        ax_loss.set_ylim(shown.min() / 3, shown.max() * 3)
        ending = f" — {run.ending}" if run.status == "diverged" else ""
        widgets.show_status(title, f"{name} on {landscape.name}, lr = {lr:.3g}{ending}", run)
        return run

    slider = widgets.log_slider("learning rate η", lr, low, high, width="560px")
    # Only the loss axis's y ticks move with η: the rest of that panel stays in the background.
    animated = [*path, ax_loss.yaxis, curve, title]
    return widgets.Demo(fig, update, {"lr": slider}, animated=animated)


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
