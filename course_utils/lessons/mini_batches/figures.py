r"""Lesson 05's key figures: the σ/√B law, and batches taken in sorted order."""

import numpy as np

from ... import regression
from ...figures import figure, new_figure
from . import demos


@figure("05_batch_error")
def batch_error():
    """RMS error of g_B against B on log-log axes: measured points on the line σ/√B."""
    big = regression.regression_landscape(*regression.regression_data(n=100_000, seed=1))
    w = big.start
    sigma = np.sqrt(np.mean(np.sum((big.example_grads(w) - big.grad(w)) ** 2, axis=1)))
    sizes = 2 ** np.arange(11)
    errors = demos.batch_gradient_errors(big, w, sizes, batches=500, seed=0)
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
    x, y = regression.regression_data(n=1000)
    by_target = np.argsort(y)
    landscape = regression.regression_landscape(x[by_target], y[by_target])
    w = landscape.start
    rng = np.random.default_rng(0)
    in_order = landscape.batch_grad(w, np.arange(landscape.n).reshape(-1, 50))
    at_random = landscape.batch_grad(w, demos.random_batches(landscape.n, 50, 200, rng))
    fig = new_figure(9.0, 6.0)
    demos.gradient_estimates(
        {"20 batches in sorted order": in_order, "200 random batches": at_random},
        landscape.grad(w),
        ax=fig.add_subplot(),
        connect=["20 batches in sorted order"],
        title="Gradients of batches of 50",
    )
    return fig
