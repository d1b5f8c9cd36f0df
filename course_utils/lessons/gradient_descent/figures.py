r"""Lesson 02's key figures: the path in the weight plane, four step sizes, the zig-zag.

The figures use the lesson's landscapes: ``two_minima`` for the jump over a ridge, a mild bowl
(κ = 2) for the four step sizes and a narrow one (κ = 10) for the zig-zag, both bowls tilted
by 30° so that neither weight lines up with a principal axis.
"""

import numpy as np

from ... import landscapes, plotting
from ...figures import figure, new_figure
from ...training import descend
from ...validation import as_float_array, same_shape

# A start in the right-hand well of two_minima, lower than the ridge between the wells, and a
# step size that carries gradient descent through the ridge in one step.
RIDGE_START, RIDGE_LR = (1.25, 0.25), 0.5

# Four step sizes on the mild bowl (λmin = 1, λmax = 2): below 1/λmax (no overshoot), between
# 1/λmax and 2/λmax (a mild and a strong overshoot), and past 2/λmax.
LEARNING_RATES = {"too small": 0.05, "about right": 0.6, "too large": 0.95, "divergent": 1.2}


def mild_bowl():
    """½ wᵀAw with λmin = 1, λmax = 2 (κ = 2), tilted by 30°."""
    return landscapes.quadratic_bowl(condition_number=2.0, angle=np.pi / 6)


def narrow_bowl():
    """½ wᵀAw with λmin = 1, λmax = 10 (κ = 10), tilted by 30°."""
    return landscapes.quadratic_bowl(condition_number=10.0, angle=np.pi / 6)


def _two_panels(projection=None):
    """A wide figure with two axes, the second 3-D if asked."""
    fig = new_figure(15.0, 6.0)
    return fig, fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2, projection=projection)


@figure("02_plane_not_surface")
def plane_not_surface():
    """Two steps of gradient descent through a ridge that a rolling ball could never cross."""
    landscape = landscapes.two_minima()
    jump = descend(landscape, start=RIDGE_START, steps=2, lr=RIDGE_LR, label=f"η = {RIDGE_LR:g}")
    fig, ax_plane, ax_surface = _two_panels(projection="3d")
    plotting.contour(landscape, [jump], ax=ax_plane, title="What moves: the weights (x, y)")
    plotting.surface(
        landscape,
        ax=ax_surface,
        run=jump,
        window=((-1.7, 1.7), (-0.6, 0.6)),
        title="What you read off: the loss above them",
    )
    ax_surface.view_init(elev=12, azim=-95)  # look along y, across the ridge
    return fig


@figure("02_learning_rates")
def learning_rates():
    """Four step sizes on the mild bowl: the paths and their loss curves."""
    bowl = mild_bowl()
    runs = [
        descend(bowl, steps=40, lr=lr, on_divergence="stop", label=f"{name}: η = {lr:g}")
        for name, lr in LEARNING_RATES.items()
    ]
    fig, ax_paths, ax_losses = _two_panels()
    plotting.contour(bowl, runs, ax=ax_paths, title="Four step sizes")
    plotting.loss_curves(runs, ax=ax_losses, title="Their losses")
    return fig


@figure("02_ill_conditioned")
def ill_conditioned():
    """The narrow bowl: the zig-zag at η* = 2/(λmin + λmax), and the rate against η."""
    bowl = narrow_bowl()
    lam_min, lam_max = bowl.eigenvalues
    best_lr = 2 / (lam_min + lam_max)
    zigzag = descend(bowl, steps=30, lr=best_lr, label=f"η* = {best_lr:.3f}")
    lrs = np.linspace(0.01, 0.21, 201)
    fig, ax_path, ax_rates = _two_panels()
    plotting.contour(bowl, [zigzag], ax=ax_path, title="The zig-zag at η*")
    draw_rates(ax_rates, bowl, lrs, _last_contraction(bowl, lrs, steps=200))
    return fig


def _last_contraction(bowl, lrs, steps):
    """‖w_T‖/‖w_{T−1}‖ after T = ``steps`` steps w ← w − η∇L(w), for every η in lrs at once."""
    w = np.tile(bowl.start, (len(lrs), 1))
    for _ in range(steps):
        w_before, w = w, w - lrs[:, None] * bowl.grad(w)
    return np.linalg.norm(w, axis=1) / np.linalg.norm(w_before, axis=1)


def draw_rates(ax, bowl, lrs, rates):
    """Measured contraction per step against η, over the theory max(|1 − ηλmin|, |1 − ηλmax|).

    ``bowl`` is a quadratic bowl, ``rates[i]`` the contraction measured with η = ``lrs[i]``.
    Marks the best step η* = 2/(λmin + λmax), its rate (κ − 1)/(κ + 1) and the edge 2/λmax.
    """
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be matplotlib Axes, e.g. from plt.subplots(), got {ax!r}")
    if not isinstance(bowl, landscapes.QuadraticBowl):
        raise TypeError(f"bowl must be a landscapes.quadratic_bowl(...), got {bowl!r}")
    lrs = as_float_array("lrs", lrs)
    rates = as_float_array("rates", rates, allow_nonfinite=True)  # a diverged run may overflow
    if lrs.ndim != 1:
        raise ValueError(f"lrs must be a 1-D array of learning rates, got shape {lrs.shape}")
    same_shape("lrs", lrs, rates=rates)
    lam_min, lam_max = bowl.eigenvalues
    kappa = lam_max / lam_min
    theory = np.maximum(np.abs(1 - lrs * lam_min), np.abs(1 - lrs * lam_max))
    every = max(1, len(lrs) // 25)  # about 25 dots, so the theory line stays visible
    blue, orange, green, vermillion = plotting.COLORS[:4]
    ax.plot(lrs, theory, color=blue, label="theory: max(|1 − ηλmin|, |1 − ηλmax|)")
    ax.plot(lrs[::every], rates[::every], "o", color=orange, label="measured")
    ax.axvline(2 / (lam_min + lam_max), color=green, linestyle="--", label="η* = 2/(λmin + λmax)")
    ax.axvline(2 / lam_max, color=vermillion, linestyle=":", label="2/λmax: diverges beyond")
    ax.axhline((kappa - 1) / (kappa + 1), color="gray", linewidth=1, label="(κ − 1)/(κ + 1)")
    ax.set_xlabel("learning rate η")
    ax.set_ylabel(r"contraction per step $\|w_{t+1}\| / \|w_t\|$")
    ax.set_title(f"Rate against η (κ = {kappa:g})")
    ax.legend(loc="upper center")
    return ax


def draw_gradient_arrows(ax, w, grad):
    """Unit arrows at w along ∇L (steepest ascent) and −∇L (steepest descent), with a legend."""
    arrow = {"angles": "xy", "scale_units": "xy", "scale": 1, "width": 0.012, "zorder": 6}
    unit = np.asarray(grad, dtype=float) / np.linalg.norm(grad)
    ascent = ax.quiver(*w, *unit, color=plotting.COLORS[3], label="∇L: steepest ascent", **arrow)
    descent = ax.quiver(
        *w, *-unit, color=plotting.COLORS[0], label="−∇L: steepest descent", **arrow
    )
    ax.legend(handles=[ascent, descent], loc="upper right")
    return ascent, descent


def draw_plane_not_surface(fig, landscape, run):
    """The run's points in the weight plane (left) and lifted to their losses (right), seen
    along y, across two_minima's ridge."""
    plotting.contour(
        landscape, [run], ax=fig.add_subplot(1, 2, 1), title="What moves: the weights (x, y)"
    )
    ax = plotting.surface(
        landscape,
        ax=fig.add_subplot(1, 2, 2, projection="3d"),
        run=run,
        window=((-1.7, 1.7), (-0.6, 0.6)),
        title="What you read off: the loss above them",
    )
    ax.view_init(elev=12, azim=-95)  # look along y, across the ridge
    return fig


def mark_where_stopped(ax, runs):
    """A ✕ at each run's last loss, in the colours of ``plotting.loss_curves``, and a step axis
    that is linear up to 10 and logarithmic beyond."""
    for run, color in zip(runs, plotting.COLORS, strict=False):
        ax.plot(run.steps, run.losses[-1], "X", color=color, markersize=14)
    ax.set_xscale("symlog", linthresh=10)  # linear up to step 10, logarithmic beyond
    ax.set_xlabel("step (logarithmic beyond 10)")
    return ax
