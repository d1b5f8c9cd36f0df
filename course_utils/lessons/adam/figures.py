r"""Lesson 09's key figures: the race, bias correction, and weight decay done two ways.

- ``09_race``: six optimizers, each at its tuned η, on Rosenbrock, Beale and the saddle: their
  paths and their losses;
- ``09_bias_correction``: under a constant gradient, m and √v without correction start near 0;
  the first steps Adam takes with and without each half of the correction;
- ``09_adamw_vs_l2``: Adam + L2 and AdamW on a badly scaled bowl end in different places.
"""

import numpy as np

from ... import plotting
from ...figures import figure, new_figure
from ...training import as_landscape, descend
from . import demos

__all__ = ["race", "bias_correction", "adamw_vs_l2", "WEIGHT_DECAY_RUN"]

# The weight-decay run of lesson 09: Adam + L2 (weight_decay) and AdamW on weight_decay_bowl().
WEIGHT_DECAY_RUN = {"start": (0.0, 0.0), "steps": 2000, "lr": 0.01, "weight_decay": 1.0}


@figure("09_race")
def race():
    """Each optimizer at its tuned η on each race landscape: paths above, losses below."""
    fig = new_figure(16.0, 10.0)
    axes = fig.subplots(2, len(demos.RACES), squeeze=False)
    for column, name in enumerate(demos.RACES):
        runs = list(demos.race(name).values())
        minimum = as_landscape(name).min_value
        plotting.contour(name, runs, ax=axes[0, column], levels=15, legend=False)
        # name only: each landscape has its own tuned η (they are in the notebook's table)
        gaps = {
            run.label.split(",")[0]: np.maximum(run.losses - minimum, demos.FLOOR) for run in runs
        }
        title = f"{runs[0].steps} steps, each at its tuned η"
        ax = plotting.loss_curves(gaps, ax=axes[1, column], title=title)
        ax.set_ylabel("loss − minimum (log scale)")
        if column > 0:  # one legend is enough: the colours are the same in every panel
            ax.get_legend().remove()
    return fig


@figure("09_bias_correction")
def bias_correction(beta1=0.9, beta2=0.999, steps=30):
    r"""m and √v without correction under a constant gradient, and the steps that follow."""
    fig = new_figure(15.0, 5.8)
    ax_moments, ax_steps = fig.subplots(1, 2)
    t = np.arange(1, 10_001)
    ax_moments.plot(t, 1 - beta1**t, label=f"m / g = 1 − β1ᵗ  (β1 = {beta1:g})")
    ax_moments.plot(t, np.sqrt(1 - beta2**t), label=f"√v / |g| = √(1 − β2ᵗ)  (β2 = {beta2:g})")
    ax_moments.axhline(
        1.0, color=plotting.OKABE_ITO["black"], linestyle="--", label="m̂ / g = √v̂ / |g|"
    )
    ax_moments.set_xscale("log")
    ax_moments.set_xlabel("step t (log scale)")
    ax_moments.set_ylabel("fraction of the true value")
    ax_moments.set_title("Averages that start at 0 start too small")
    ax_moments.legend(loc="lower right")

    gradient = np.full(steps, 2.5)  # any constant gradient gives the same picture
    for label, switches in demos.BIAS_CORRECTIONS.items():
        sizes = -demos.step_sizes(
            demos.AdamVariant, gradient, lr=1.0, betas=(beta1, beta2), **switches
        )
        ax_steps.plot(np.arange(1, steps + 1), sizes, "-o", markersize=4, label=label)
    ax_steps.set_yscale("log")
    ax_steps.set_xlabel("step t")
    ax_steps.set_ylabel("step size / η (log scale)")
    ax_steps.set_title("The first steps under a constant gradient")
    ax_steps.legend(loc="upper right")
    return fig


@figure("09_adamw_vs_l2")
def adamw_vs_l2():
    r"""Adam + L2 and AdamW on ½(x − 1.5)² + 50(y − 1.5)² with weight decay λ = 1.

    The dotted square is max(|x|, |y|) ≤ 1/λ, where full-batch AdamW ends when it converges.
    """
    bowl = demos.weight_decay_bowl()
    settings = dict(WEIGHT_DECAY_RUN)
    start, steps = settings.pop("start"), settings.pop("steps")
    runs = [
        descend(bowl, start, "adam", steps, label="Adam + L2", **settings),
        descend(bowl, start, "adamw", steps, label="AdamW", **settings),
    ]
    fig = new_figure(15.0, 6.0)
    ax_path, ax_weights = fig.subplots(1, 2)
    plotting.contour(bowl, runs, ax=ax_path, levels=20, title="Where each ends", legend=False)
    decay = settings["weight_decay"]
    box = 1 / decay
    ax_path.plot([-box, box, box, -box, -box], [-box, -box, box, box, -box], ":", color="black")
    ax_path.text(box, -0.45, "  max(|x|, |y|) ≤ 1/λ", fontsize=12, va="bottom")
    ax_path.plot(
        *_l2_minimum(bowl, decay), "P", color=plotting.COLORS[0], markersize=14, label="L2 minimum"
    )
    ax_path.legend(loc="upper left", fontsize=11)
    t = np.arange(steps + 1)
    for color, run in zip(plotting.COLORS, runs, strict=False):
        ax_weights.plot(t, run.points[:, 0], "-", color=color, label=f"{run.label}: x")
        ax_weights.plot(t, run.points[:, 1], "--", color=color, label=f"{run.label}: y")
    ax_weights.set_xlabel("step")
    ax_weights.set_ylabel("weight")
    ax_weights.set_title("The two weights over the run")
    ax_weights.legend(loc="lower right")
    return fig


def _l2_minimum(bowl, weight_decay):
    """The minimum of f(w) + ½λ‖w‖² for a diagonal bowl: w_i = a_i c_i / (a_i + λ)."""
    curvatures = np.diag(bowl.hessian(bowl.global_minimum))
    return curvatures * bowl.global_minimum / (curvatures + weight_decay)
