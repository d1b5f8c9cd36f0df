r"""Lesson 04's demos: one example's step at a time, and SGD near a saddle point.

- ``autoencoder_landscape(X)`` (ŷ = u uᵀx, which has saddle points) on ``autoencoder_data``;
- ``gradient_cloud``: every example's proposed step from one point, and their mean;
- ``examples_to_reach``: how many examples single-example SGD reads before it gets near the
  minimum (the same on a data set and on ten copies of it);
- ``noise_floors``: the level constant-η SGD settles at, for a few η;
- ``sgd_explorer()``: the live demo of SGD against gradient descent.
"""

import functools
from typing import NamedTuple

import numpy as np

from ... import plotting, widgets
from ...regression import ExampleLandscape, _pair, _sgd, regression_data, regression_landscape
from ...training import descender
from ...validation import as_float_array, nonnegative_int, positive, positive_int

__all__ = [
    "autoencoder_landscape",
    "autoencoder_data",
    "gradient_cloud",
    "examples_to_reach",
    "NoiseFloors",
    "noise_floors",
    "sgd_explorer",
]


def autoencoder_landscape(X, start=None):
    r"""The loss of a linear autoencoder with one hidden unit and tied weights, over u ∈ ℝ².

    The model squeezes each 2-D example through one number h = uᵀx and rebuilds it as
    x̂ = u h = u uᵀx; the loss is L(u) = (1/n) Σᵢ ‖u uᵀxᵢ − xᵢ‖². With C = (1/n) Σᵢ xᵢxᵢᵀ,
    L(u) = tr C − 2 uᵀCu + (uᵀu)(uᵀCu): its minima are ±v₁ (the top principal direction),
    ±v₂ are saddle points and u = 0 is a maximum (Baldi & Hornik, 1989). ``start`` defaults
    to 0.3·v₂, on the saddle's stable axis.
    """
    X = as_float_array("X", X).astype(np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) < 2:
        raise ValueError(f"X must have shape (n, 2) with n ≥ 2 examples, got shape {X.shape}")
    c11, c12, c22 = (float(np.mean(m)) for m in (X[:, 0] ** 2, X[:, 0] * X[:, 1], X[:, 1] ** 2))
    eigenvalues, eigenvectors = np.linalg.eigh([[c11, c12], [c12, c22]])
    if not eigenvalues[1] > eigenvalues[0] > 0:
        raise ValueError(
            "X must spread more along one direction than the other (distinct, nonzero "
            f"variances), got second moments with eigenvalues {eigenvalues}"
        )
    top, second = eigenvectors[:, 1], eigenvectors[:, 0]

    # q = uᵀCu, s = uᵀu, Cu = (p, r); written out in x, y so torch tensors work too.
    def f(x, y):
        q = c11 * x**2 + 2 * c12 * x * y + c22 * y**2
        return c11 + c22 - 2 * q + (x**2 + y**2) * q

    def df(x, y):
        q, s = c11 * x**2 + 2 * c12 * x * y + c22 * y**2, x**2 + y**2
        p, r = c11 * x + c12 * y, c12 * x + c22 * y
        return 2 * q * x + 2 * (s - 2) * p, 2 * q * y + 2 * (s - 2) * r

    def d2f(x, y):
        # ∇²L = 2(s − 2)C + 2q I + 4(u (Cu)ᵀ + Cu uᵀ)
        q, s = c11 * x**2 + 2 * c12 * x * y + c22 * y**2, x**2 + y**2
        p, r = c11 * x + c12 * y, c12 * x + c22 * y
        return (
            2 * (s - 2) * c11 + 2 * q + 8 * x * p,
            2 * (s - 2) * c12 + 4 * (x * r + p * y),
            2 * (s - 2) * c22 + 2 * q + 8 * y * r,
        )

    def example_grad(u, X, Y):
        # ℓ = ‖u h − y‖² with h = uᵀx: ∇ℓ = 2(h·r + (rᵀu)·x), r = u h − y (the target y is x)
        hidden = X @ u
        residual = hidden[..., None] * u - Y
        return 2 * (hidden[..., None] * residual + (residual @ u)[..., None] * X)

    start = 0.3 * second if start is None else _pair("start", start)
    return ExampleLandscape(
        name="Linear autoencoder",
        formula=r"L(u) = \frac{1}{n}\sum_i \lVert u\,u^\top x_i - x_i \rVert^2",
        f=f,
        df=df,
        d2f=d2f,
        minima=[top, -top],
        window=((-1.6, 1.6), (-1.6, 1.6)),
        start=start,
        X=X,
        y=X,
        example_grad=example_grad,
    )


def autoencoder_data(n=200, spread=(1.5, 0.7), seed=0):
    """n two-dimensional examples, wide along the first axis, in mirror-image pairs.

    Each normal draw z (scaled by ``spread``) comes with its mirror image (−z₁, z₂), so the
    sample's cross moment (1/n) Σᵢ xᵢ₁xᵢ₂ is exactly zero, not merely close to it: the
    principal directions are exactly the axes, in floating point too. n must be even.
    """
    n = positive_int("n", n)
    if n % 2:
        raise ValueError(f"n must be an even integer (the examples come in pairs), got {n}")
    spread = _pair("spread", spread)
    if np.any(spread <= 0):
        raise ValueError(f"spread must hold two positive standard deviations, got {spread}")
    draws = np.random.default_rng(nonnegative_int("seed", seed)).normal(size=(n // 2, 2)) * spread
    X = np.empty((n, 2))
    X[0::2], X[1::2] = draws, draws * [-1.0, 1.0]
    return X


def _regression_axes(ax, landscape):
    if landscape.name == "Linear regression":
        ax.set_xlabel("slope w₁")
        ax.set_ylabel("bias w₂")


def gradient_cloud(landscape, w, lr, ax=None, *, arrows=60, window=None, title=None):
    r"""Where one SGD step from w could land, example by example, and where GD lands.

    Each example i proposes the step w − η∇ℓᵢ(w) (thin arrows, for the first ``arrows``
    examples; a dot for every example); their mean is exactly the full-batch step w − η∇L(w)
    (thick arrow). Drawn on the landscape's contours, in a window around w that holds 95% of
    the proposed steps (or ``window``).
    """
    lr = positive("lr", lr)
    w = _pair("w", w)
    steps = -lr * landscape.example_grads(w)
    full_step = -lr * landscape.grad(w)
    if window is None:
        half = 1.2 * float(np.quantile(np.linalg.norm(steps, axis=1), 0.95))
        window = tuple((float(c - half), float(c + half)) for c in w)
    with plotting.course_style():
        ax = plotting.contour(
            landscape, ax=ax, legend=False, levels=25, resolution=150, window=window, title=title
        )
        _regression_axes(ax, landscape)
        color, mean_color = plotting.COLORS[1], plotting.COLORS[3]
        _arrows(ax, w, steps[:arrows], color=color, alpha=0.5, width=0.003, zorder=3)
        ax.plot(
            *(w + steps).T,
            ".",
            color=color,
            markersize=4,
            alpha=0.6,
            zorder=3,
            label="one example's step  w − η∇ℓᵢ",
        )
        _arrows(ax, w, full_step[None], color=mean_color, width=0.012, zorder=5)
        ax.plot(
            *(w + full_step),
            "o",
            color=mean_color,
            markersize=9,
            zorder=6,
            label="their mean: the GD step  w − η∇L",
        )
        widgets.start_marker(ax, w, edge_width=2, zorder=6, label="w")
        ax.legend(loc="lower left", fontsize=10)
    return ax


def _arrows(ax, w, steps, **style):
    """An arrow from w along each row of ``steps`` (k, 2), to scale in the weight plane."""
    start_x, start_y = np.full(len(steps), w[0]), np.full(len(steps), w[1])
    ax.quiver(start_x, start_y, *steps.T, angles="xy", scale_units="xy", scale=1, **style)


def examples_to_reach(landscape, lr, target, seeds=range(10)):
    r"""For each seed, the examples single-example SGD reads until L − L* ≤ ``target``.

    Each run starts at the landscape's start and steps w ← w − η∇ℓᵢ(w) through one shuffled
    epoch (``np.random.default_rng(seed).permutation(n)``), stopping as soon as the loss gap
    reaches ``target``; a run that does not within the epoch counts as -1. Returns an int array,
    one entry per seed.
    """
    if not isinstance(landscape, ExampleLandscape):
        raise TypeError(f"landscape must be an ExampleLandscape, got {landscape!r}")
    lr, target = positive("lr", lr), positive("target", target)
    counts = []
    for seed in seeds:
        rng = np.random.default_rng(nonnegative_int("seeds[...]", seed))
        w, count = landscape.start, -1
        for k, i in enumerate(rng.permutation(landscape.n), 1):
            w = w - lr * landscape.example_grad(w, landscape.X[i], landscape.y[i])
            if landscape.f(*w) - landscape.min_value <= target:
                count = k
                break
        counts.append(count)
    return np.array(counts)


class NoiseFloors(NamedTuple):
    """Constant-η SGD runs and the level each settles at (``noise_floors``)."""

    landscape: ExampleLandscape  # the regression on regression_data(n)
    gaps: dict  # {η: L − L* after each step, a read-only array}
    floors: dict  # {η: the mean of L − L* after the first ``settle`` epochs}


def noise_floors(lrs=(0.04, 0.02, 0.01), epochs=6, settle=2, seed=1, n=1000):
    r"""SGD with each constant η of ``lrs`` on ``regression_landscape(*regression_data(n))``,
    one example a step for ``epochs`` epochs (shuffled by ``seed``), from the landscape's start.

    The noise floor of a run is the mean loss gap L − L* after its first ``settle`` epochs.
    The result is cached: the lesson's prediction check and its cell share one computation.
    """
    lrs = tuple(positive("lrs[...]", lr) for lr in lrs)
    epochs, settle, n = positive_int("epochs", epochs), nonnegative_int("settle", settle), n
    if settle >= epochs:
        raise ValueError(f"settle must be fewer than epochs = {epochs} epochs, got {settle}")
    return _noise_floors(lrs, epochs, settle, nonnegative_int("seed", seed), positive_int("n", n))


@functools.lru_cache(maxsize=4)
def _noise_floors(lrs, epochs, settle, seed, n):
    """``noise_floors`` for arguments already checked, cached by their values."""
    landscape = regression_landscape(*regression_data(n))
    gaps, floors = {}, {}
    for lr in lrs:
        run = _sgd(
            landscape,
            landscape.start,
            functools.partial(_constant, lr),
            epochs,
            np.random.default_rng(seed),
            on_divergence="raise",
        )
        gap = run.losses - landscape.min_value
        gap.flags.writeable = False
        gaps[lr], floors[lr] = gap, float(gap[settle * n :].mean())
    return NoiseFloors(landscape, gaps, floors)


def _constant(lr, t):
    return lr


def sgd_explorer(lr=0.05, seed=0, n=40, epochs=10):
    r"""Sliders for η and the shuffling seed over GD's and SGD's paths on a regression loss.

    Both get the same budget, ``epochs`` passes over n examples: GD takes ``epochs`` steps of
    n example-gradients each, SGD n·``epochs`` steps of one. The left panel shows the paths
    over the loss L(w) = L(slope, bias); the right one L − L* against the examples processed.
    """
    import ipywidgets

    lr = positive("lr", lr)
    seed = nonnegative_int("seed", seed)
    n, epochs = positive_int("n", n), positive_int("epochs", epochs)
    landscape = regression_landscape(*regression_data(n, seed=0))
    lr_range = (1e-3, 0.5)
    if not lr_range[0] <= lr <= lr_range[1]:
        raise ValueError(f"lr must be in [{lr_range[0]}, {lr_range[1]}], got {lr}")
    initial_gap = float(landscape(landscape.start)) - landscape.min_value
    gd_at = descender(landscape, None, "sgd", steps=epochs)

    fig, (ax_path, ax_loss) = widgets.demo_figure(1, 2, figsize=(9.5, 4.0))
    plotting.contour(landscape, ax=ax_path, levels=20, resolution=120, title="", legend=False)
    _regression_axes(ax_path, landscape)
    widgets.start_marker(ax_path, landscape.start, edge_width=2)
    gd_color, sgd_color = plotting.COLORS[0], plotting.COLORS[1]
    sgd_label, gd_label = "SGD: 1 example a step", f"GD: all {n} a step"
    sgd_path = widgets.path_line(ax_path, sgd_color, sgd_label, "-", 2, linewidth=1, head=None)
    gd_path = widgets.path_line(
        ax_path, gd_color, gd_label, zorder=2, markersize=5, linewidth=None, head=None
    )
    ax_path.legend(loc="lower left", fontsize=9)
    (sgd_curve,) = ax_loss.plot([], [], color=sgd_color, linewidth=1)
    (gd_curve,) = ax_loss.plot([], [], "-o", color=gd_color, markersize=5)
    widgets.loss_panel(
        ax_loss, n * epochs, ylabel="L − L* (log scale)", xlabel="examples processed"
    )
    ax_loss.set_ylim(1e-5, 3 * initial_gap)
    title = fig.suptitle("", fontsize=13)

    def update(lr, seed):
        gd = gd_at(lr=lr)
        stochastic = _sgd(
            landscape, landscape.start, lambda t: lr, epochs, np.random.default_rng(seed)
        )
        ends = []
        for path, curve, run, per_step in (
            (gd_path, gd_curve, gd, n),
            (sgd_path, sgd_curve, stochastic, 1),
        ):
            widgets.set_path(path, run)
            gap = widgets.set_loss(curve, run, landscape.min_value, spacing=per_step)
            ends.append(run.ending if run.status == "diverged" else f"{gap[-1]:.2g}")
        text = (
            f"η = {lr:.3g}, after {n * epochs} example-gradients, "
            f"L − L*:  GD {ends[0]},  SGD {ends[1]}"
        )
        widgets.show_status(
            title, text, stochastic, alarm="diverged" in (gd.status, stochastic.status)
        )
        return gd, stochastic

    controls = {
        "lr": widgets.log_slider("learning rate η", lr, *lr_range, width="420px"),
        "seed": ipywidgets.IntSlider(
            value=seed,
            min=0,
            max=9,
            description="shuffle seed",
            style={"description_width": "initial"},
        ),
    }
    return widgets.Demo(
        fig, update, controls, animated=[*sgd_path, *gd_path, sgd_curve, gd_curve, title]
    )
