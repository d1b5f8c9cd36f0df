r"""Lesson 05's measurements and demo: how a mini-batch's gradient error and cost grow with B.

- ``random_batches``, ``batch_gradient_errors``, ``gradient_throughput``: the error of g_B
  against B, and examples per second against B;
- ``sorted_batches``: the gradients of batches cut in order from data sorted by target, and of
  random batches, at the same weights;
- ``gradient_estimates``: a cloud of batch gradients around the exact one;
- ``batch_cloud_explorer()``: the live demo.
"""

import time
from typing import NamedTuple

import numpy as np

from ... import plotting, widgets
from ...regression import (
    ExampleLandscape,
    _minibatch_gradient,
    _pair,
    _regression_inputs,
    _rng,
    regression_data,
    regression_landscape,
)
from ...validation import nonnegative_int, positive, positive_int

__all__ = [
    "random_batches",
    "batch_gradient_errors",
    "gradient_throughput",
    "SortedBatches",
    "sorted_batches",
    "gradient_estimates",
    "batch_cloud_explorer",
]


def random_batches(n, batch_size, count, rng):
    """``count`` batches of ``batch_size`` row numbers in [0, n); shape (count, batch_size).

    Each batch is drawn without replacement (no example twice in one batch), independently of
    the others.
    """
    n = positive_int("n", n)
    batch_size = positive_int("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(
            f"batch_size must be at most n = {n} (drawn without replacement), got {batch_size}"
        )
    return _random_batches(n, batch_size, positive_int("count", count), _rng(rng))


def _random_batches(n, batch_size, count, rng):
    """``random_batches`` for arguments already checked (a demo's)."""
    return np.stack([rng.choice(n, batch_size, replace=False) for _ in range(count)])


def batch_gradient_errors(landscape, w, batch_sizes, batches=500, seed=0):
    r"""For each B: the RMS error √(mean ‖g_B − ∇L(w)‖²) over ``batches`` random batches.

    The batches are drawn without replacement from the landscape's n examples, so the error
    is σ/√B · √((n − B)/(n − 1)) on average, with σ² = (1/n) Σᵢ ‖∇ℓᵢ(w) − ∇L(w)‖²; the last
    factor (the finite-population correction) is ≈ 1 while B ≪ n.
    """
    if not isinstance(landscape, ExampleLandscape):
        raise TypeError(f"landscape must be an ExampleLandscape, got {landscape!r}")
    sizes = [positive_int("batch_sizes[...]", size) for size in np.atleast_1d(batch_sizes)]
    rng = np.random.default_rng(nonnegative_int("seed", seed))
    exact = landscape.grad(w)
    errors = []
    for size in sizes:
        estimates = landscape.batch_grad(w, random_batches(landscape.n, size, batches, rng))
        errors.append(np.sqrt(np.mean(np.sum((estimates - exact) ** 2, axis=-1))))
    return np.array(errors)


def gradient_throughput(X, y, batch_sizes, seconds=0.05, seed=0):
    """Examples per second that the vectorised g_B = (2/B) X_Bᵀ(X_B w − y_B) gets through.

    One rate per batch size, each timed for about ``seconds`` of wall time on random batches
    of (X, y) (the formula of ``minibatch_gradient``, without its input checks, which would
    scan all of X on every call). Every call pays a fixed cost (Python, NumPy's dispatch)
    however small its batch, so the rate grows with B until the arithmetic dominates.
    """
    w, X, y = _regression_inputs(np.zeros(np.shape(X)[-1]), X, y)
    seconds = positive("seconds", seconds)
    rng = np.random.default_rng(nonnegative_int("seed", seed))
    rates = []
    for size in np.atleast_1d(batch_sizes):
        batches = random_batches(len(X), int(size), 16, rng)
        calls, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            _minibatch_gradient(w, X, y, batches[calls % len(batches)])
            calls += 1
        rates.append(calls * int(size) / elapsed)
    return np.array(rates)


class SortedBatches(NamedTuple):
    """The gradients of ``sorted_batches``: the exact one and two kinds of batch estimate."""

    landscape: ExampleLandscape  # the regression on the examples sorted by their target
    w: np.ndarray  # the weights where every gradient is taken (the landscape's start)
    exact: np.ndarray  # ∇L(w)
    in_order: np.ndarray  # (n/B, 2): batch k holds the examples kB … kB + B − 1 of the sorted data
    at_random: np.ndarray  # (count, 2): batches drawn at random

    def rms_errors(self):
        """The RMS of ‖g_B − ∇L‖ over the batches in order and over the random ones."""
        return tuple(
            float(np.sqrt(np.mean(np.sum((estimates - self.exact) ** 2, axis=1))))
            for estimates in (self.in_order, self.at_random)
        )


def sorted_batches(n=1000, batch_size=50, count=200, seed=0):
    """Batch gradients on ``regression_data(n)`` sorted by target, as a file sorted by date or
    price would arrive: the n/B batches cut in the stored order, and ``count`` random ones.

    Every batch holds ``batch_size`` examples (which must divide n); the random ones are drawn
    without replacement with ``np.random.default_rng(seed)``.
    """
    n, batch_size = positive_int("n", n), positive_int("batch_size", batch_size)
    if n % batch_size:
        raise ValueError(f"batch_size must divide n = {n}, got {batch_size}")
    x, y = regression_data(n)
    by_target = np.argsort(y)
    landscape = regression_landscape(x[by_target], y[by_target])
    w = landscape.start
    rng = np.random.default_rng(nonnegative_int("seed", seed))
    return SortedBatches(
        landscape,
        w,
        landscape.grad(w),
        landscape.batch_grad(w, np.arange(n).reshape(-1, batch_size)),
        landscape.batch_grad(w, random_batches(n, batch_size, positive_int("count", count), rng)),
    )


def gradient_estimates(clouds, exact, ax=None, *, title="Gradient estimates", connect=()):
    r"""Clouds of gradient estimates (e.g. g_B for many batches) around the exact gradient.

    ``clouds`` maps a label to an array of estimates, shape (k, 2), drawn in the gradient
    plane (∂L/∂w₁, ∂L/∂w₂); the exact gradient is a star. Clouds whose label is in
    ``connect`` are also joined by a thin line in their order (batch 1, 2, …), with the first
    estimate circled: that shows a drift from one batch to the next.
    """
    exact = _pair("exact", exact)
    with plotting.course_style():
        ax = plotting.new_axes(ax)
        for index, (label, estimates) in enumerate(clouds.items()):
            estimates = np.asarray(estimates, dtype=np.float64).reshape(-1, 2)
            color = plotting.COLORS[(index + 1) % len(plotting.COLORS)]
            ax.plot(*estimates.T, "o", color=color, markersize=4, alpha=0.6, label=label)
            if label in connect:
                ax.plot(*estimates.T, "-", color=color, linewidth=1, alpha=0.8)
                ax.plot(
                    *estimates[0],
                    "o",
                    markersize=12,
                    markerfacecolor="none",
                    markeredgecolor=color,
                    markeredgewidth=2,
                    label=f"{label}: first",
                )
        ax.plot(*exact, "*", color="black", markersize=18, label="exact gradient ∇L", zorder=5)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel("∂L/∂w₁ (slope)")
        ax.set_ylabel("∂L/∂w₂ (bias)")
        ax.set_title(title)
        ax.legend(fontsize=10)
    return ax


BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


def batch_cloud_explorer(batch_size=8, count=200, n=5000, seed=0):
    r"""A batch-size slider over the cloud of mini-batch gradients g_B around the true ∇L.

    Each dot is one batch's gradient g_B at the same weights; the star is ∇L, the circle has
    the predicted RMS radius σ/√B. The right panel shows the measured RMS error against B
    (log-log, slope −½) with the current B marked.
    """
    from matplotlib.patches import Circle

    batch_size = positive_int("batch_size", batch_size)
    if batch_size not in BATCH_SIZES:
        raise ValueError(f"batch_size must be one of {BATCH_SIZES}, got {batch_size}")
    count, n, seed = (
        positive_int("count", count),
        positive_int("n", n),
        nonnegative_int("seed", seed),
    )
    landscape = regression_landscape(*regression_data(n, seed=0))
    w = landscape.start
    exact = landscape.grad(w)
    sigma = float(np.sqrt(np.mean(np.sum((landscape.example_grads(w) - exact) ** 2, axis=1))))
    sizes = np.array(BATCH_SIZES)
    measured = batch_gradient_errors(landscape, w, sizes, batches=count, seed=seed)

    fig, (ax_cloud, ax_error) = widgets.demo_figure(1, 2, figsize=(10.0, 4.4))
    with plotting.course_style():
        span = 1.5 * sigma
        ax_cloud.set_xlim(exact[0] - span, exact[0] + span)
        ax_cloud.set_ylim(exact[1] - span, exact[1] + span)
        ax_cloud.set_aspect("equal", adjustable="box")
        ax_cloud.set_xlabel("∂L/∂w₁ (slope)")
        ax_cloud.set_ylabel("∂L/∂w₂ (bias)")
        ax_cloud.set_title(f"{count} mini-batch gradients g_B", fontsize=13)
        cloud = ax_cloud.scatter([], [], s=10, color=plotting.COLORS[1], alpha=0.6, zorder=2)
        circle = Circle(exact, sigma, fill=False, color=plotting.COLORS[0], linewidth=2, zorder=3)
        ax_cloud.add_patch(circle)
        (star,) = ax_cloud.plot(
            *exact, "*", color="black", markersize=16, zorder=4, label="true gradient ∇L"
        )
        ax_cloud.plot([], [], color=plotting.COLORS[0], label="radius σ/√B")
        ax_cloud.legend(loc="upper right", fontsize=10)
        ax_error.loglog(sizes, sigma / np.sqrt(sizes), "--", color=plotting.COLORS[0], label="σ/√B")
        ax_error.loglog(sizes, measured, "o", color=plotting.COLORS[1], label="measured RMS")
        (marker,) = ax_error.plot(
            [],
            [],
            "o",
            markersize=16,
            markerfacecolor="none",
            markeredgecolor="black",
            markeredgewidth=2,
        )
        ax_error.set_xlabel("batch size B")
        ax_error.set_ylabel("RMS of ‖g_B − ∇L‖")
        ax_error.set_title("Error of the mean", fontsize=13)
        ax_error.legend(loc="upper right", fontsize=10)
        title = fig.suptitle("", fontsize=13)

    def update(batch_size):
        batches = _random_batches(n, batch_size, count, np.random.default_rng(seed))
        estimates = landscape._example_grads(w, batches).mean(axis=-2)
        cloud.set_offsets(estimates)
        circle.set_radius(sigma / np.sqrt(batch_size))
        rms = float(np.sqrt(np.mean(np.sum((estimates - exact) ** 2, axis=1))))
        marker.set_data([batch_size], [rms])
        title.set_text(
            f"B = {batch_size}: RMS error {rms:.3g}, "
            f"predicted σ/√B = {sigma / np.sqrt(batch_size):.3g}"
        )
        return estimates

    slider = widgets.selection_slider("batch size B", list(BATCH_SIZES), batch_size, "420px")
    return widgets.Demo(
        fig, update, {"batch_size": slider}, animated=[cloud, circle, star, marker, title]
    )
