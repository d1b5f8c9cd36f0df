r"""Lesson 07's key figure: AdaGrad on a badly scaled bowl.

``07_adagrad_vs_gd``: on ½(x² + 100y²), gradient descent settles y and crawls along x while
AdaGrad moves both weights at the same pace, each with its own effective learning rate.
"""

import numpy as np

from ... import landscapes, plotting
from ...adaptive import adagrad_effective_lr
from ...figures import figure, new_figure
from ...training import descend

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
