r"""Lesson 08's key figure: step sizes that fade (AdaGrad) or not (RMSProp).

``08_step_sizes``: under a steady gradient AdaGrad's steps shrink like η/√t while RMSProp's
settle at η, and how much each past g² counts in RMSProp's average, α^k (1 − α).
"""

import numpy as np

from ... import plotting
from ...adaptive import adagrad_effective_lr, rmsprop_effective_lr
from ...figures import figure, new_figure


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
