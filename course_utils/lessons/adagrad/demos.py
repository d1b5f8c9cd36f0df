r"""Lesson 07's demos: AdaGrad's per-weight steps on a badly scaled bowl, beside gradient descent.

- ``adagrad_explorer()``: sliders for η and ε over AdaGrad's path next to gradient descent at
  η = 1/λmax, and both weights' effective learning rates;
- ``best_losses()``: gradient descent and AdaGrad, each at its best η, on ½(x² + 100y²) and on
  the same bowl turned by 45°, where a diagonal preconditioner cannot help.
"""

from functools import partial

import numpy as np

from ... import landscapes, optim, plotting, widgets
from ...adaptive import RunView, _adagrad_effective_lr, lr_axes, pair_of_lines, run_rule
from ...training import descend, descender
from ...validation import in_range, positive_int
from ...widgets import path_line, set_path, start_marker

__all__ = ["adagrad_explorer", "TURN_LRS", "best_losses"]

# The grid of learning rates both methods choose from on the two bowls: 10⁻² to 10^0.5.
TURN_LRS = 10.0 ** np.arange(-2, 0.75, 0.25)


def best_losses(adagrad_update=optim.adagrad_update, steps=60, start=(-1.5, 1.5)):
    r"""The lowest loss after ``steps`` steps over ``TURN_LRS``, for gradient descent and for
    AdaGrad (the rule ``adagrad_update``), on ½(x² + 100y²) ("aligned") and on the same bowl
    turned by 45° ("turned"), started from the same point of each bowl (``start``, turned).

    Returns ``{(bowl, method): loss}`` with bowl "aligned" or "turned" and method "GD" or
    "AdaGrad". Gradient descent does not notice the turn; AdaGrad, a diagonal preconditioner,
    does: the turned bowl's curvatures lie along the diagonals, not along the weights.
    """
    aligned = landscapes.quadratic_bowl(100.0)
    turned = landscapes.quadratic_bowl(100.0, angle=np.pi / 4)
    turn = np.array([[1.0, -1.0], [1.0, 1.0]]) / np.sqrt(2)  # the rotation by 45°
    best = {}
    for shape, bowl, begin in (("aligned", aligned, start), ("turned", turned, turn @ start)):
        gd = [descend(bowl, begin, "sgd", steps, lr, on_divergence="stop") for lr in TURN_LRS]
        best[shape, "GD"] = min(run.losses[-1] for run in gd)
        paths = [run_rule(adagrad_update, bowl.grad, begin, steps, lr=lr) for lr in TURN_LRS]
        best[shape, "AdaGrad"] = min(bowl(path[-1]) for path in paths)
    return best


def adagrad_explorer(condition_number=100.0, lr=0.5, eps=1e-10, steps=60, start=(-1.5, 1.5)):
    r"""Sliders for AdaGrad's η and ε on a badly scaled bowl, beside gradient descent.

    The bowl is ``landscapes.quadratic_bowl(condition_number)``: curvature 1 along x and κ
    along y. Gradient descent runs at η = 1/λmax, which settles y in one step (above 2/λmax,
    y diverges), and then crawls along x. AdaGrad divides each weight's gradient by the root
    of its own G, so both weights move at the same pace. The right panel shows both weights'
    effective learning rates η/(√G_t + ε): AdaGrad's settle κ apart, each weight getting a
    rate in proportion to 1/curvature, where gradient descent has one η for both. A large ε
    swamps √G and turns AdaGrad back into gradient descent with learning rate about η/ε.
    """
    bowl = landscapes.quadratic_bowl(condition_number)
    lr = in_range("lr", lr, 1e-3, 3.0, high_closed=True)
    eps = in_range("eps", eps, 1e-10, 10.0, high_closed=True)
    steps = positive_int("steps", steps)
    gd_lr = 1 / bowl.eigenvalues[1]  # settles y in one step; above 2/λmax, y diverges
    gd = descend(bowl, start, "sgd", steps, lr=gd_lr, on_divergence="stop")
    adagrad_at = descender(bowl, gd.points[0], "adagrad", steps)

    fig, (ax_path, ax_lr) = widgets.demo_figure(1, 2, figsize=(10.5, 4.4))
    plotting.contour(bowl, ax=ax_path, levels=20, resolution=120, title="", legend=False)
    gd_color, ada_color = plotting.COLORS[3], plotting.COLORS[0]
    set_path(path_line(ax_path, gd_color, f"GD, η = 1/λmax = {gd_lr:.3g}", "-o"), gd)
    path = path_line(ax_path, ada_color, "AdaGrad", zorder=5)
    start_marker(ax_path, gd.points[0], edge_width=1.0, zorder=2)
    ax_path.legend(loc="lower right", fontsize=10)
    ax_path.set_title(f"{bowl.name}", fontsize=13)
    ax_lr.axhline(gd_lr, color=gd_color, linewidth=2, label="GD: the same η for both")
    lr_lines = pair_of_lines(ax_lr, ada_color, "AdaGrad")
    lr_axes(ax_lr, steps, "Each weight's effective learning rate")
    ax_lr.legend(loc="upper right", fontsize=9)
    title = fig.suptitle("", fontsize=14)
    view = RunView(bowl, steps, path, lr_lines, title, "GD", gd)

    def update(lr, eps):
        run = adagrad_at(lr=lr, eps=eps)
        effective_lr = partial(_adagrad_effective_lr, lr=lr, eps=eps)
        view.show(run, f"AdaGrad (η = {lr:.3g}, ε = {eps:.2g})", effective_lr)
        return run

    controls = {
        "lr": widgets.log_slider("learning rate η", lr, 1e-3, 3.0, width="360px"),
        "eps": widgets.log_slider("ε", eps, 1e-10, 10.0, width="360px"),
    }
    return widgets.Demo(fig, update, controls, animated=[*path, *lr_lines, title])
