r"""Lessons 07 and 08's key figures: AdaGrad on a badly scaled bowl, step sizes that fade or not.

- ``07_adagrad_vs_gd``: on ½(x² + 100y²), gradient descent settles y and crawls along x while
  AdaGrad moves both weights at the same pace, each with its own effective learning rate;
- ``08_step_sizes``: under a steady gradient AdaGrad's steps shrink like η/√t while RMSProp's
  settle at η, and how much each past g² counts in RMSProp's average, α^k (1 − α).
"""

import numpy as np

from .. import landscapes, plotting
from ..demos.adaptive import adagrad_effective_lr, rmsprop_effective_lr
from ..training import descend
from . import figure, new_figure

# The bowl of lesson 07, its start (equally far out along both axes) and the two runs.
CONDITION_NUMBER = 100.0
START = (-1.5, 1.5)
ADAGRAD_LR = 0.5
STEPS = 60


@figure("07_adagrad_vs_gd")
def adagrad_vs_gd():
    """GD (η = 1/λmax) and AdaGrad on a bowl with curvatures 1 and 100; their learning rates."""
    bowl = landscapes.quadratic_bowl(CONDITION_NUMBER)
    gd_lr = 1 / bowl.eigenvalues[1]
    gd = descend(bowl, START, "sgd", STEPS, lr=gd_lr, label=f"GD, η = 1/λmax = {gd_lr:g}")
    adagrad = descend(
        bowl, START, "adagrad", STEPS, lr=ADAGRAD_LR, label=f"AdaGrad, η = {ADAGRAD_LR:g}"
    )
    effective_lr = adagrad_effective_lr(bowl.grad(adagrad.points[:-1]), ADAGRAD_LR)
    steps = np.arange(1, STEPS + 1)
    fig = new_figure(15.0, 6.0)
    plotting.contour(
        bowl,
        [gd, adagrad],
        ax=fig.add_subplot(1, 2, 1),
        title=f"{STEPS} steps on ½(x² + 100y²)",
    )
    ax = fig.add_subplot(1, 2, 2)
    ax.axhline(gd_lr, color=plotting.COLORS[0], label="GD: one η for both weights")
    for column, style in ((0, "-"), (1, "--")):
        ax.plot(
            steps,
            effective_lr[:, column],
            style,
            color=plotting.COLORS[1],
            label=f"AdaGrad, weight {'xy'[column]}: η/(√G + ε)",
        )
    ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel("effective learning rate (log scale)")
    ax.set_title("AdaGrad gives each weight its own")
    ax.legend()
    return fig


@figure("08_step_sizes")
def step_sizes():
    """Step sizes under a steady gradient, and the weights of RMSProp's moving average."""
    lr, steps = 0.01, 2000
    t = np.arange(1, steps + 1)
    steady = np.ones(steps)  # any constant gradient gives the same steps: |g| cancels out
    fig = new_figure(15.0, 6.0)
    ax = fig.add_subplot(1, 2, 1)
    ax.plot(t, adagrad_effective_lr(steady, lr), label="AdaGrad: η/√t")
    for alpha in (0.9, 0.99):
        ax.plot(t, rmsprop_effective_lr(steady, lr, alpha), label=f"RMSProp, α = {alpha:g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("step t (log scale)")
    ax.set_ylabel("step size |Δw| (log scale)")
    ax.set_title(f"A steady gradient, η = {lr:g}")
    ax.legend()

    ax = fig.add_subplot(1, 2, 2)
    ages = np.arange(400)
    for index, alpha in enumerate((0.9, 0.99), start=1):
        ax.plot(
            ages,
            alpha**ages * (1 - alpha),
            color=plotting.COLORS[index],
            label=f"α = {alpha:g}: about the last {1 / (1 - alpha):.0f} steps",
        )
    ax.set_yscale("log")
    ax.set_ylim(1e-6, 0.2)
    ax.set_xlabel("age k of a squared gradient (steps ago)")
    ax.set_ylabel(r"its weight $\alpha^k (1 - \alpha)$ (log scale)")
    ax.set_title("What RMSProp's average remembers")
    ax.legend()
    return fig
