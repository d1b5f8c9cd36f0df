r"""Key figures of lessons 04 (stochastic gradient descent) and 05 (mini-batches).

They redraw the notebooks' central plots from the same seeded data, with the helpers of
``course_utils.demos.stochastic``: the cloud of one-example steps, GD against SGD per example
processed, SGD leaving a saddle point, the σ/√B law and batches taken in sorted order.
"""

import numpy as np

from .. import plotting
from ..demos import stochastic
from ..training import descend
from . import figure, new_figure


def _lesson_landscape():
    return stochastic.regression_landscape(*stochastic.regression_data(n=1000))


@figure("04_gradient_cloud")
def gradient_cloud():
    """Every example's proposed SGD step from the start, and their mean: the GD step."""
    landscape = _lesson_landscape()
    fig = new_figure(7.0, 6.5)
    stochastic.gradient_cloud(
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
    sgd = stochastic.sgd(landscape, lr=0.02, epochs=3)
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
    stochastic.loss_gap_curves(
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
    autoencoder = stochastic.autoencoder_landscape(stochastic.autoencoder_data(n=200))
    start = [0.0, 0.3]
    gd = descend(autoencoder, start, steps=500, lr=0.05, label="GD")
    runs = [
        stochastic.sgd(autoencoder, start, lr=0.05, epochs=2, seed=seed, label=f"SGD, seed {seed}")
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


@figure("05_batch_error")
def batch_error():
    """RMS error of g_B against B on log-log axes: measured points on the line σ/√B."""
    big = stochastic.regression_landscape(*stochastic.regression_data(n=100_000, seed=1))
    w = big.start
    sigma = np.sqrt(np.mean(np.sum((big.example_grads(w) - big.grad(w)) ** 2, axis=1)))
    sizes = 2 ** np.arange(11)
    errors = stochastic.batch_gradient_errors(big, w, sizes, batches=500, seed=0)
    slope = np.polyfit(np.log(sizes), np.log(errors), 1)[0]
    fig = new_figure(8.0, 5.5)
    ax = fig.add_subplot()
    ax.loglog(sizes, sigma / np.sqrt(sizes), "--", label="σ/√B (slope −½)")
    ax.loglog(sizes, errors, "o", label=f"measured, 500 batches each (slope {slope:.3f})")
    ax.set_xlabel("batch size B (log scale)")
    ax.set_ylabel("RMS of ‖g_B − ∇L‖ (log scale)")
    ax.set_title("Quadruple the batch, halve the noise")
    ax.legend()
    return fig


@figure("05_ordered_batches")
def ordered_batches():
    """Gradients of batches taken in order from data sorted by target, against random ones."""
    x, y = stochastic.regression_data(n=1000)
    by_target = np.argsort(y)
    landscape = stochastic.regression_landscape(x[by_target], y[by_target])
    w = landscape.start
    rng = np.random.default_rng(0)
    in_order = landscape.batch_grad(w, np.arange(landscape.n).reshape(-1, 50))
    at_random = landscape.batch_grad(w, stochastic.random_batches(landscape.n, 50, 200, rng))
    fig = new_figure(9.0, 6.0)
    stochastic.gradient_estimates(
        {"20 batches in sorted order": in_order, "200 random batches": at_random},
        landscape.grad(w),
        ax=fig.add_subplot(),
        connect=["20 batches in sorted order"],
        title="Gradients of batches of 50",
    )
    return fig
