r"""Lesson 06's key figures: the zig-zag that momentum fixes, Nesterov's look-ahead, the rate map.

- ``06_zigzag``: gradient descent at its best step against heavy ball on a narrow valley;
- ``06_lookahead``: one heavy-ball step and one Nesterov step, drawn as arrows;
- ``06_rate_map``: how fast heavy ball converges for every (η, ρ), with the optimum marked.
"""

import numpy as np

from ... import landscapes, plotting
from ...figures import figure, new_figure
from ...training import descend
from .demos import convergence_rate, optimal_parameters

__all__ = ["zigzag", "lookahead", "rate_map"]


@figure("06_zigzag")
def zigzag(condition_number=100.0, steps=100):
    """GD at its best step 2/(λmin + λmax) zig-zags and crawls; heavy ball (ρ = 0.9) does not."""
    bowl = landscapes.quadratic_bowl(condition_number)
    lam_min, lam_max = bowl.eigenvalues
    gd_lr, lr = 2 / (lam_min + lam_max), 1 / lam_max
    runs = [
        descend(bowl, optimizer="sgd", steps=steps, lr=gd_lr, label=f"GD, η = {gd_lr:.3g}"),
        descend(
            bowl,
            optimizer="momentum",
            steps=steps,
            lr=lr,
            label=f"heavy ball, η = {lr:.3g}, ρ = 0.9",
        ),
    ]
    fig = new_figure(14.0, 5.0)
    ax_path, ax_loss = fig.subplots(1, 2)
    window = ((-2.0, 0.6), (-0.8, 0.8))
    title = f"A narrow valley, κ = {condition_number:g}"
    plotting.contour(bowl, runs, ax=ax_path, window=window, title=title, legend=False)
    plotting.loss_curves(runs, ax=ax_loss, title=f"Loss over {steps} steps")
    return fig


@figure("06_lookahead")
def lookahead(lr=0.1):
    r"""One step from the same w and v: heavy ball takes ∇f at w, Nesterov at w − ηρv."""
    bowl = landscapes.quadratic_bowl(10.0)
    w = np.array([-1.2, 0.25])
    momentum_step = np.array([0.4, -0.4])  # −ηρv for a velocity v heading across the valley
    ahead = w + momentum_step
    fig = new_figure(14.0, 5.6)
    axes = fig.subplots(1, 2)
    for ax, nesterov in zip(axes, (False, True), strict=True):
        where = ahead if nesterov else w
        gradient_step = -lr * bowl.grad(where)
        new_w = w + momentum_step + gradient_step
        title = (
            "Nesterov: the gradient at the look-ahead point"
            if nesterov
            else "Heavy ball: the gradient where you are"
        )
        window = ((-1.7, 0.3), (-0.7, 0.7))
        plotting.contour(bowl, ax=ax, window=window, levels=20, title=title, legend=False)
        _arrow(ax, w, ahead, plotting.COLORS[1], r"momentum step $-\eta\rho v$", ahead, (-8, -8))
        if nesterov:
            label, at, offset = r"$-\eta\nabla f(w - \eta\rho v)$", new_w, (10, -2)
        else:
            label, at, offset = r"$-\eta\nabla f(w)$", w + gradient_step, (-6, -2)
            # the two steps add up: the gradient step again, faintly, from the momentum step's tip
            _arrow(ax, ahead, new_w, plotting.COLORS[0], None, None, None, alpha=0.35)
        _arrow(ax, where, where + gradient_step, plotting.COLORS[0], label, at, offset)
        _arrow(ax, w, new_w, plotting.COLORS[6], "the step taken", new_w, (10, -22), dashed=True)
        ax.plot(*w, "o", color="black", markersize=9, zorder=6)
        ax.annotate("w", w, xytext=(-22, 4), textcoords="offset points", fontsize=17)
        ax.plot(*new_w, "o", color=plotting.COLORS[3], markersize=10, zorder=6)
        if nesterov:
            ax.plot(*ahead, "o", color=plotting.COLORS[1], markersize=9, zorder=6)
    return fig


def _arrow(ax, start, end, color, label, at, offset, *, alpha=1.0, dashed=False):
    """An arrow from ``start`` to ``end``, with ``label`` at ``at`` shifted by ``offset`` points."""
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={
            "arrowstyle": "-|>",
            "color": color,
            "lw": 3,
            "alpha": alpha,
            "linestyle": "--" if dashed else "-",
            "mutation_scale": 22,
            "shrinkA": 0,
            "shrinkB": 0,
        },
        zorder=5,
    )
    if label:
        ax.annotate(
            label,
            at,
            xytext=offset,
            textcoords="offset points",
            color=color,
            fontsize=15,
            ha="right" if offset[0] < 0 else "left",
            va="top",
            zorder=7,
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"},
        )


@figure("06_rate_map")
def rate_map(condition_number=100.0, resolution=300):
    r"""Steps heavy ball needs to shrink the error 10×, for every η (log scale) and ρ.

    Between the two dashed curves, (1 − √ρ)² ≤ ηλ ≤ (1 + √ρ)² for every curvature λ, so every
    mode oscillates and the rate is exactly √ρ, whatever η; where they meet is the optimum.
    """
    from matplotlib.colors import LogNorm

    bowl = landscapes.quadratic_bowl(condition_number)
    lam_min, lam_max = bowl.eigenvalues
    lr = np.geomspace(1e-4, 4 / lam_max, resolution)
    momentum = np.linspace(0.0, 0.99, resolution)
    rate = convergence_rate(lr[None, :], momentum[:, None], bowl.eigenvalues)
    with np.errstate(divide="ignore"):
        steps_per_digit = np.where(rate < 1, -1 / np.log10(rate), np.nan)

    fig = new_figure(10.0, 6.5)
    ax = fig.subplots()
    cmap = plotting.load_matplotlib().colormaps["viridis_r"].with_extremes(bad="0.85")
    mesh = ax.pcolormesh(
        lr, momentum, steps_per_digit, cmap=cmap, norm=LogNorm(5, 2000), shading="auto"
    )
    fig.colorbar(mesh, ax=ax, label="steps to shrink the error 10×")
    root_rho = np.sqrt(momentum)
    for edge, text, at, va in (
        ((1 - root_rho) ** 2 / lam_min, "ηλmin = (1 − √ρ)² ", 0.8, "top"),
        ((1 + root_rho) ** 2 / lam_max, "ηλmax = (1 + √ρ)² ", 0.3, "bottom"),
    ):
        ax.plot(edge, momentum, "--", color="white", linewidth=1.8)
        index = np.searchsorted(momentum, at)
        ax.text(edge[index], at, text, color="white", fontsize=12, ha="right", va=va)
    best_lr, best_momentum = optimal_parameters(lam_min, lam_max)
    gd_lr = 2 / (lam_min + lam_max)
    for x, y, marker, label in (
        (best_lr, best_momentum, "*", "optimal heavy ball"),
        (gd_lr, 0.0, "s", "GD at its best η"),
        (1 / lam_max, 0.9, "o", "η = 1/λmax, ρ = 0.9"),
    ):
        steps = -1 / np.log10(convergence_rate(x, y, bowl.eigenvalues))
        ax.plot(
            x,
            y,
            marker,
            color=plotting.COLORS[3],
            markeredgecolor="white",
            markersize=16 if marker == "*" else 11,
            clip_on=False,
            zorder=5,
            label=f"{label}: {steps:.0f} steps",
        )
    ax.text(0.8 * lr[-1], 0.08, "diverges", fontsize=13, rotation=90)
    ax.set_xscale("log")
    ax.set_xlim(lr[0], lr[-1])
    ax.set_ylim(0, 0.99)
    ax.set_xlabel("learning rate η (log scale)")
    ax.set_ylabel("momentum ρ")
    ax.set_title(f"Heavy ball on the narrow valley, κ = {condition_number:g}")
    ax.grid(False)
    ax.legend(loc="lower left", fontsize=11)
    return fig
