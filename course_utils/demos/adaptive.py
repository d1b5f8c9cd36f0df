r"""Lessons 07 and 08: the step sizes AdaGrad and RMSProp give each weight, and two live demos.

- ``adagrad_effective_lr(grads, lr, eps)`` and ``rmsprop_effective_lr(grads, lr, alpha, eps)``:
  for a run's gradients, the learning rate each weight effectively had at each step,
  $\eta / (\sqrt{G_t} + \varepsilon)$: the η that plain gradient descent would need to take
  the same step;
- ``torch_path(landscape, make_optimizer, steps)``: the path a torch.optim optimizer takes on
  a landscape, in float64, to hold the course's optimizers against;
- ``adagrad_explorer()``: sliders for η and ε over AdaGrad's path on a badly scaled bowl,
  next to gradient descent at η = 1/λmax, and both weights' effective learning rates;
- ``rmsprop_explorer()``: sliders for α and η over RMSProp's path on Rosenbrock's valley,
  next to AdaGrad's, and their effective learning rates over the steps.

Notation as in the notebooks: g the gradient, G the running sum (AdaGrad) or moving average
(RMSProp) of g², η the learning rate, α the decay rate, ε the small constant, t the step (1
first). matplotlib and ipywidgets are imported inside the functions.
"""

import numpy as np

from .. import landscapes, plotting, widgets
from ..training import as_landscape, descend, start_point
from ..validation import as_float_array, in_range, nonnegative, positive, positive_int, real

__all__ = [
    "adagrad_effective_lr",
    "rmsprop_effective_lr",
    "torch_path",
    "adagrad_explorer",
    "rmsprop_explorer",
]


def _gradients(grads):
    grads = as_float_array("grads", grads)
    if grads.ndim not in (1, 2) or len(grads) == 0:
        raise ValueError(
            "grads must have shape (steps,) or (steps, weights), one row per step, "
            f"got shape {grads.shape}"
        )
    return grads


def adagrad_effective_lr(grads, lr=1e-2, eps=1e-10):
    r"""Each weight's effective learning rate at each step of an AdaGrad run.

    ``grads[t - 1]`` is the gradient of step t; row t − 1 of the result is
    $\eta / (\sqrt{G_t} + \varepsilon)$ with $G_t = g_1^2 + \dots + g_t^2$, so that step t
    was $w_t = w_{t-1} - (\text{that}) \cdot g_t$. It only ever shrinks.
    """
    grads = _gradients(grads)
    lr = nonnegative("lr", lr)
    eps = nonnegative("eps", eps)
    sum_sq = np.cumsum(grads**2, axis=0)
    return lr / (np.sqrt(sum_sq) + eps)


def rmsprop_effective_lr(grads, lr=1e-2, alpha=0.99, eps=1e-8):
    r"""Each weight's effective learning rate at each step of an RMSProp run.

    Row t − 1 is $\eta / (\sqrt{G_t} + \varepsilon)$ with $G_t = \alpha G_{t-1} + (1 - \alpha)
    g_t^2$ and $G_0 = 0$: it shrinks when the recent gradients are large and grows back when
    they get small.
    """
    grads = _gradients(grads)
    lr = nonnegative("lr", lr)
    alpha = in_range("alpha", alpha, 0.0, 1.0)
    eps = nonnegative("eps", eps)
    sq_avg = np.zeros_like(grads)
    running = np.zeros_like(grads[0])
    for t, grad in enumerate(grads):
        running = alpha * running + (1 - alpha) * grad**2  # as torch orders it, to the last bit
        sq_avg[t] = running
    return lr / (np.sqrt(sq_avg) + eps)


def torch_path(landscape, make_optimizer, steps, start=None):
    """The points (steps + 1, 2) that a torch optimizer visits on ``landscape``, in float64.

    ``make_optimizer`` builds it from a list of parameters, e.g.
    ``lambda params: torch.optim.Adagrad(params, lr=0.5)``; each step is torch's usual
    ``zero_grad()``, ``backward()`` through ``landscape.torch_loss``, ``step()``. ``start``
    defaults to the landscape's.
    """
    import torch

    landscape = as_landscape(landscape)
    if not callable(make_optimizer):
        raise TypeError(
            "make_optimizer must be a function of the parameters, e.g. "
            f"lambda params: torch.optim.Adagrad(params, lr=0.5), got {make_optimizer!r}"
        )
    steps = positive_int("steps", steps)
    w = torch.tensor(start_point(start, landscape), dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([w])
    points = [w.detach().numpy().copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        landscape.torch_loss(w).backward()
        optimizer.step()
        points.append(w.detach().numpy().copy())
    return np.array(points)


# ---------------------------------------------------------------------------------------------
# Demos
# ---------------------------------------------------------------------------------------------

_LR_AXIS_LIMITS = (1e-5, 10.0)  # fixed, so curves for different settings stay comparable


def _lr_axes(ax, steps, title):
    """A log-scale axes for effective learning rates over the steps."""
    from matplotlib.ticker import LogLocator, NullLocator

    ax.set_yscale("log")
    ax.set_xlim(1, steps)
    ax.set_ylim(*_LR_AXIS_LIMITS)
    # A few decades labelled, no minor ticks: tick text is most of the cost of a redraw.
    ax.yaxis.set_major_locator(LogLocator(numticks=7))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("step t")
    ax.set_ylabel("effective learning rate (log)")
    ax.set_title(title, fontsize=13)


def _pair_of_lines(ax, color, label):
    """Lines for weight x (solid) and weight y (dashed) of one optimizer."""
    (x_line,) = ax.plot([], [], "-", color=color, linewidth=2, label=f"{label}, weight x")
    (y_line,) = ax.plot([], [], "--", color=color, linewidth=2, label=f"{label}, weight y")
    return x_line, y_line


def _show_lrs(lines, effective_lr):
    t = np.arange(1, len(effective_lr) + 1)
    for line, column in zip(lines, np.atleast_2d(effective_lr.T), strict=True):
        line.set_data(t, plotting.nan_for_inf(column))


def _path_line(ax, color, label, style="-o", zorder=3):
    """A path and a large dot where it ends (its head)."""
    (line,) = ax.plot(
        [], [], style, color=color, markersize=3, linewidth=2, label=label, zorder=zorder
    )
    (head,) = ax.plot([], [], "o", color=color, markersize=9, zorder=zorder + 1)
    return line, head


def _set_path(path, trajectory):
    line, head = path
    points = plotting.nan_for_inf(trajectory.points)
    line.set_data(points[:, 0], points[:, 1])
    head.set_data(points[-1:, 0], points[-1:, 1])


def _outcome(trajectory, landscape):
    if trajectory.diverged:
        return trajectory.diverged.split(":")[0]
    return f"loss {trajectory.losses[-1] - landscape.min_value:.2g}"


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
    start = as_float_array("start", start)
    gd_lr = 1 / bowl.eigenvalues[1]  # settles y in one step; above 2/λmax, y diverges
    gd = descend(bowl, start, "sgd", steps, lr=gd_lr, on_divergence="stop")

    fig, (ax_path, ax_lr) = widgets.demo_figure(1, 2, figsize=(10.5, 4.4))
    plotting.contour(bowl, ax=ax_path, levels=20, resolution=120, title="", legend=False)
    gd_color, ada_color = plotting.COLORS[3], plotting.COLORS[0]
    _set_path(_path_line(ax_path, gd_color, f"GD, η = 1/λmax = {gd_lr:.3g}", "-o"), gd)
    path = _path_line(ax_path, ada_color, "AdaGrad", zorder=5)
    ax_path.plot(*start, "o", markersize=11, markerfacecolor="white", markeredgecolor="black")
    ax_path.legend(loc="lower right", fontsize=10)
    ax_path.set_title(f"{bowl.name}", fontsize=13)
    ax_lr.axhline(gd_lr, color=gd_color, linewidth=2, label="GD: the same η for both")
    lr_lines = _pair_of_lines(ax_lr, ada_color, "AdaGrad")
    _lr_axes(ax_lr, steps, "Each weight's effective learning rate")
    ax_lr.legend(loc="upper right", fontsize=9)
    title = fig.suptitle("", fontsize=14)

    def update(lr, eps):
        trajectory = descend(
            bowl, start, "adagrad", steps, lr=lr, eps=eps, on_divergence="stop", label="AdaGrad"
        )
        _set_path(path, trajectory)
        grads = bowl.grad(trajectory.points[:-1])
        _show_lrs(lr_lines, adagrad_effective_lr(grads, lr, eps))
        title.set_text(
            f"After {steps} steps — AdaGrad (η = {lr:.3g}, ε = {eps:.2g}): "
            f"{_outcome(trajectory, bowl)}; GD: {_outcome(gd, bowl)}"
        )
        return trajectory

    controls = {
        "lr": widgets.log_slider("learning rate η", lr, 1e-3, 3.0, width="360px"),
        "eps": widgets.log_slider("ε", eps, 1e-10, 10.0, width="360px"),
    }
    return widgets.Demo(fig, update, controls, animated=[*path, *lr_lines, title])


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
    import ipywidgets

    valley = landscapes.rosenbrock()
    alpha = real("alpha", alpha)
    if alpha not in _ALPHAS:
        raise ValueError(f"alpha must be one of {', '.join(map(str, _ALPHAS))}; got {alpha!r}")
    lr = in_range("lr", lr, 1e-4, 0.1, high_closed=True)
    adagrad_lr = positive("adagrad_lr", adagrad_lr)
    steps = positive_int("steps", steps)
    adagrad = descend(valley, None, "adagrad", steps, lr=adagrad_lr, on_divergence="stop")
    adagrad_lrs = adagrad_effective_lr(valley.grad(adagrad.points[:-1]), adagrad_lr)

    fig, (ax_path, ax_lr) = widgets.demo_figure(1, 2, figsize=(10.5, 4.4))
    plotting.contour(valley, ax=ax_path, levels=20, resolution=120, title="", legend=False)
    ada_color, rms_color = plotting.COLORS[6], plotting.COLORS[1]
    path = _path_line(ax_path, rms_color, "RMSProp")
    # Drawn after RMSProp's on every redraw, so the shorter AdaGrad path stays visible.
    adagrad_path = _path_line(ax_path, ada_color, f"AdaGrad, η = {adagrad_lr:g}", "--")
    _set_path(adagrad_path, adagrad)
    ax_path.legend(loc="lower right", fontsize=10)
    ax_path.set_title(valley.name, fontsize=13)
    _show_lrs(_pair_of_lines(ax_lr, ada_color, "AdaGrad"), adagrad_lrs)
    lr_lines = _pair_of_lines(ax_lr, rms_color, "RMSProp")
    _lr_axes(ax_lr, steps, "Each weight's effective learning rate")
    ax_lr.legend(loc="upper left", fontsize=9, ncols=2)
    title = fig.suptitle("", fontsize=14)

    def update(alpha, lr):
        trajectory = descend(
            valley, None, "rmsprop", steps, lr=lr, alpha=alpha, on_divergence="stop"
        )
        _set_path(path, trajectory)
        grads = valley.grad(trajectory.points[:-1])
        _show_lrs(lr_lines, rmsprop_effective_lr(grads, lr, alpha))
        title.set_text(
            f"After {steps} steps — RMSProp (α = {alpha:g}, memory ≈ {1 / (1 - alpha):.0f} "
            f"steps, η = {lr:.3g}): {_outcome(trajectory, valley)}; "
            f"AdaGrad: {_outcome(adagrad, valley)}"
        )
        return trajectory

    controls = {
        "alpha": ipywidgets.SelectionSlider(
            options=_ALPHAS,
            value=alpha,
            description="decay rate α",
            style={"description_width": "initial"},
            layout=ipywidgets.Layout(width="360px"),
        ),
        "lr": widgets.log_slider("learning rate η", lr, 1e-4, 0.1, width="360px"),
    }
    return widgets.Demo(fig, update, controls, animated=[*path, *adagrad_path, *lr_lines, title])
