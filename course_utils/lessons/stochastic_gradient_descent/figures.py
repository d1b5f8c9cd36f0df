r"""Lesson 04's key figures: the cloud of one-example steps, GD against SGD per example
processed, and SGD leaving a saddle point."""

import numpy as np

from ... import plotting, regression
from ...figures import figure, new_figure
from ...training import descend
from . import demos


def _lesson_landscape():
    return regression.regression_landscape(*regression.regression_data(n=1000))


@figure("04_gradient_cloud")
def gradient_cloud():
    """Every example's proposed SGD step from the start, and their mean: the GD step."""
    landscape = _lesson_landscape()
    fig = new_figure(7.0, 6.5)
    demos.gradient_cloud(
        landscape,
        landscape.start,
        lr=0.05,
        ax=fig.add_subplot(),
        title="One SGD step, example by example",
    )
    return fig


@figure("04_gd_vs_sgd")
def gd_vs_sgd():
    """L − L* against example-gradients spent: GD at its best η, SGD with η = 0.02."""
    landscape = _lesson_landscape()
    lam_min, lam_max = np.linalg.eigvalsh(landscape.hessian(landscape.global_minimum))
    gd = descend(landscape, steps=30, lr=2 / (lam_min + lam_max))
    sgd = regression.sgd(landscape, lr=0.02, epochs=3)
    curves = {
        "GD, best η (1000 example-gradients a step)": (
            landscape.n * np.arange(1, len(gd.losses)),
            gd.losses[1:] - landscape.min_value,
        ),
        "SGD, η = 0.02 (one a step)": (
            np.arange(1, len(sgd.losses)),
            sgd.losses[1:] - landscape.min_value,
        ),
    }
    fig = new_figure(9.0, 5.5)
    regression.loss_gap_curves(
        curves,
        ax=fig.add_subplot(),
        xlabel="example-gradients spent (log scale)",
        log_x=True,
        title="Progress per example processed",
    )
    return fig


@figure("04_saddle_escape")
def saddle_escape():
    """A linear autoencoder's loss: GD slides into a saddle, SGD from the same start leaves."""
    autoencoder = demos.autoencoder_landscape(demos.autoencoder_data(n=200))
    start = [0.0, 0.3]
    gd = descend(autoencoder, start, steps=500, lr=0.05, label="GD")
    runs = [
        regression.sgd(autoencoder, start, lr=0.05, epochs=2, seed=seed, label=f"SGD, seed {seed}")
        for seed in (0, 1)
    ]
    fig = new_figure(7.0, 6.5)
    ax = plotting.contour(
        autoencoder, [gd, *runs], ax=fig.add_subplot(), title="GD stays on the axis; SGD leaves"
    )
    ax.plot([0, 0], [1, -1], "X", color="black", markersize=12, linestyle="none", label="saddles")
    ax.set_xlabel("weight u₁")
    ax.set_ylabel("weight u₂")
    ax.legend(loc="lower right", fontsize=10)
    return fig
