r"""Lesson 08's demo: RMSProp's moving average on Rosenbrock's valley, beside AdaGrad.

``rmsprop_explorer()``: sliders for α and η over RMSProp's path next to AdaGrad's, and their
effective learning rates over the steps.
"""

from functools import partial

from ... import landscapes, plotting, widgets
from ...adaptive import (
    RunView,
    _rmsprop_effective_lr,
    adagrad_effective_lr,
    lr_axes,
    pair_of_lines,
    show_lrs,
)
from ...training import descend, descender
from ...validation import in_range, positive, positive_int, real
from ...widgets import path_line, set_path

__all__ = ["rmsprop_explorer"]


_ALPHAS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)


def rmsprop_explorer(alpha=0.99, lr=0.01, adagrad_lr=0.5, steps=1000):
    r"""Sliders for RMSProp's decay rate α and η on Rosenbrock's valley, beside AdaGrad.

    Both start high on the valley's steep wall, where the gradient is about 150, and then
    walk along its flat floor, where it is about 1. AdaGrad's sum G remembers the wall for
    ever, so its effective learning rates η/(√G_t + ε) freeze; RMSProp's moving average
    forgets it within about 1/(1 − α) steps, so its effective learning rates grow back and
    it keeps walking. With α close to 1 the first steps are large: G starts at 0 and has
    only the weight 1 − α^t, so the first step is η/√(1 − α).
    """
    valley = landscapes.rosenbrock()
    alpha = real("alpha", alpha)
    if alpha not in _ALPHAS:
        raise ValueError(f"alpha must be one of {', '.join(map(str, _ALPHAS))}; got {alpha!r}")
    lr = in_range("lr", lr, 1e-4, 0.1, high_closed=True)
    adagrad_lr = positive("adagrad_lr", adagrad_lr)
    steps = positive_int("steps", steps)
    adagrad = descend(valley, None, "adagrad", steps, lr=adagrad_lr, on_divergence="stop")
    adagrad_lrs = adagrad_effective_lr(valley.grad(adagrad.points[:-1]), adagrad_lr)
    rmsprop_at = descender(valley, None, "rmsprop", steps)

    fig, (ax_path, ax_lr) = widgets.demo_figure(1, 2, figsize=(10.5, 4.4))
    plotting.contour(valley, ax=ax_path, levels=20, resolution=120, title="", legend=False)
    ada_color, rms_color = plotting.COLORS[6], plotting.COLORS[1]
    path = path_line(ax_path, rms_color, "RMSProp")
    # Drawn after RMSProp's on every redraw, so the shorter AdaGrad path stays visible.
    adagrad_path = path_line(ax_path, ada_color, f"AdaGrad, η = {adagrad_lr:g}", "--")
    set_path(adagrad_path, adagrad)
    ax_path.legend(loc="lower right", fontsize=10)
    ax_path.set_title(valley.name, fontsize=13)
    show_lrs(pair_of_lines(ax_lr, ada_color, "AdaGrad"), adagrad_lrs)
    lr_lines = pair_of_lines(ax_lr, rms_color, "RMSProp")
    lr_axes(ax_lr, steps, "Each weight's effective learning rate")
    ax_lr.legend(loc="upper left", fontsize=9, ncols=2)
    title = fig.suptitle("", fontsize=14)
    view = RunView(valley, steps, path, lr_lines, title, "AdaGrad", adagrad)

    def update(alpha, lr):
        run = rmsprop_at(lr=lr, alpha=alpha)
        memory = f"memory ≈ {1 / (1 - alpha):.0f} steps"
        name = f"RMSProp (α = {alpha:g}, {memory}, η = {lr:.3g})"
        view.show(run, name, partial(_rmsprop_effective_lr, lr=lr, alpha=alpha))
        return run

    controls = {
        "alpha": widgets.selection_slider("decay rate α", _ALPHAS, alpha, width="360px"),
        "lr": widgets.log_slider("learning rate η", lr, 1e-4, 0.1, width="360px"),
    }
    return widgets.Demo(fig, update, controls, animated=[*path, *adagrad_path, *lr_lines, title])
