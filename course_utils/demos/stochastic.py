r"""Lessons 04 and 05: stochastic gradient descent and mini-batches.

A model's loss on n examples is a mean, L(w) = (1/n) Σᵢ ℓᵢ(w), so its gradient is the mean of
the per-example gradients, ∇L(w) = (1/n) Σᵢ ∇ℓᵢ(w). SGD steps along one of them (or along the
mean g_B over a mini-batch of B of them) instead of waiting for all n.

- The exercises' reference solutions, for linear regression ŷ = Xw with the mean squared
  error L(w) = (1/n) Σᵢ (xᵢᵀw − yᵢ)² (no ½): ``per_example_gradients``, ``sgd_epoch`` and
  ``minibatch_gradient``. A bias is a column of ones in X.
- ``ExampleLandscape``: a two-weight landscape that also holds its examples, so you can take
  the gradient of one example or a batch. Made by ``regression_landscape(x, y)`` (ŷ = w·x + b)
  and ``autoencoder_landscape(X)`` (ŷ = u uᵀx, which has saddle points).
- ``sgd(landscape, ...)``: SGD with mini-batches on such a landscape, a ``Trajectory``.
- ``random_batches``, ``batch_gradient_errors``, ``gradient_throughput``: the measurements
  of lesson 05 (error of g_B against B, examples per second against B).
- ``gradient_cloud``, ``loss_gap_curves``, ``gradient_estimates``: plots used by the notebooks
  and by the figures.
- ``sgd_explorer()`` (lesson 04) and ``batch_cloud_explorer()`` (lesson 05): live demos.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from .. import data, landscapes, plotting, widgets
from ..training import DivergenceError, Trajectory, descend, divergence_message
from ..validation import as_float_array, nonnegative_int, positive, positive_int, real

__all__ = [
    "per_example_gradients",
    "sgd_epoch",
    "minibatch_gradient",
    "ExampleLandscape",
    "regression_landscape",
    "autoencoder_landscape",
    "sgd",
    "random_batches",
    "batch_gradient_errors",
    "gradient_throughput",
    "gradient_cloud",
    "loss_gap_curves",
    "gradient_estimates",
    "sgd_explorer",
    "batch_cloud_explorer",
]


# ---------------------------------------------------------------------------------------------
# The exercises' reference solutions: linear regression with the mean squared error
# ---------------------------------------------------------------------------------------------


def _regression_inputs(w, X, y):
    """w (d,), X (n, d), y (n,) as float arrays; float32 only if all three are float32."""
    w, X, y = as_float_array("w", w), as_float_array("X", X), as_float_array("y", y)
    if w.ndim != 1:
        raise ValueError(f"w must be a 1-D array of d weights, got shape {w.shape}")
    if X.ndim != 2 or X.shape[1] != len(w):
        raise ValueError(
            f"X must have shape (n, {len(w)}): one row of {len(w)} features per example, "
            f"got shape {X.shape}"
        )
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},), one target per row of X, got {y.shape}")
    dtype = np.result_type(w, X, y)
    return w.astype(dtype, copy=False), X.astype(dtype, copy=False), y.astype(dtype, copy=False)


def _rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a np.random.Generator, e.g. np.random.default_rng(0), got {rng!r}"
        )
    return rng


def per_example_gradients(w, X, y):
    r"""Row i is ∇ℓᵢ(w) = 2(xᵢᵀw − yᵢ) xᵢ, the gradient of ℓᵢ(w) = (xᵢᵀw − yᵢ)²; shape (n, d).

    Their mean over the rows is the gradient of L(w) = (1/n) Σᵢ ℓᵢ(w).
    """
    return _per_example_gradients(*_regression_inputs(w, X, y))


def _per_example_gradients(w, X, y):
    """The formula, unchecked, for examples with any leading shape: X (..., d), y (...)."""
    residual = X @ w - y
    return 2 * residual[..., None] * X


def sgd_epoch(w, X, y, lr, rng):
    r"""One epoch of SGD: for i in ``rng.permutation(n)``: w ← w − η ∇ℓᵢ(w).

    Every example is used exactly once, in a random order (one call of ``rng.permutation``),
    and each step starts from the weights the previous step produced. Returns the new w;
    the caller's w is not modified.
    """
    w, X, y = _regression_inputs(w, X, y)
    lr = real("lr", lr)
    for i in _rng(rng).permutation(len(X)):
        w = w - lr * 2 * (X[i] @ w - y[i]) * X[i]
    return w


def _indices(indices, n):
    indices = np.asarray(indices)
    if indices.size == 0:
        raise ValueError("indices must be a non-empty 1-D array of row numbers, got none")
    if indices.dtype == bool or indices.dtype.kind not in "iu":
        raise TypeError(f"indices must be an array of integer row numbers, got {indices.dtype}")
    if indices.ndim != 1 or len(indices) == 0:
        raise ValueError(
            f"indices must be a non-empty 1-D array of row numbers, got shape {indices.shape}"
        )
    if indices.min() < 0 or indices.max() >= n:
        raise ValueError(
            f"indices must be row numbers in [0, {n}), got {indices.min()} to {indices.max()}"
        )
    return indices


def minibatch_gradient(w, X, y, indices):
    r"""g_B = (2/B) X_Bᵀ(X_B w − y_B): the gradient of the batch's mean squared error.

    X_B and y_B are the rows ``indices`` (B of them, repeats counted as often as they
    appear); g_B is the mean of their per-example gradients, shape (d,).
    """
    w, X, y = _regression_inputs(w, X, y)
    return _minibatch_gradient(w, X, y, _indices(indices, len(X)))


def _minibatch_gradient(w, X, y, indices):
    """The formula, unchecked."""
    X_batch, y_batch = X[indices], y[indices]
    return 2 / len(indices) * X_batch.T @ (X_batch @ w - y_batch)


# ---------------------------------------------------------------------------------------------
# Landscapes that know their examples
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class ExampleLandscape(landscapes.Landscape):
    r"""A two-weight loss that is a mean over examples, f(w) = (1/n) Σᵢ ℓᵢ(w).

    Besides everything a ``Landscape`` has, it holds its examples (``X``, ``y``) and their
    gradients: ``example_grads(w, indices)`` returns ∇ℓᵢ(w) for the chosen examples and
    ``batch_grad(w, indices)`` their mean g_B. ``example_grad(w, X, y)`` is the formula,
    for a batch of examples of any leading shape. f, ∇f and ∇²f are the exact mean.
    """

    X: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    example_grad: object = field(repr=False)

    def __post_init__(self):
        set_field = object.__setattr__
        set_field(self, "X", landscapes.read_only_copy(self.X))
        set_field(self, "y", landscapes.read_only_copy(self.y))
        super().__post_init__()

    @property
    def n(self):
        """The number of examples."""
        return len(self.X)

    def example_grads(self, w, indices=None):
        """∇ℓᵢ(w) for each example in ``indices`` (all by default), shape (*indices.shape, 2)."""
        w = landscapes.as_points(w)
        if w.shape != (2,):
            raise ValueError(f"w must be one point, shape (2,), got shape {w.shape}")
        if indices is None:
            return self.example_grad(w, self.X, self.y)
        indices = np.asarray(indices)
        if indices.dtype == bool or indices.dtype.kind not in "iu" or indices.size == 0:
            raise TypeError(f"indices must be a non-empty integer array, got {indices!r}")
        if indices.min() < 0 or indices.max() >= self.n:
            raise ValueError(
                f"indices must be in [0, {self.n}), got {indices.min()} to {indices.max()}"
            )
        return self.example_grad(w, self.X[indices], self.y[indices])

    def batch_grad(self, w, indices):
        """g_B = (1/B) Σ_{i ∈ batch} ∇ℓᵢ(w); for indices of shape (..., B), shape (..., 2)."""
        return self.example_grads(w, indices).mean(axis=-2)


def regression_landscape(x, y, start=None):
    r"""The loss of ŷ = w₁x + w₂ on the examples (x, y), over the weights w = (slope, bias).

    L(w) = (1/n) Σᵢ (w₁xᵢ + w₂ − yᵢ)², the mean squared error of ``models.LinearRegression``
    with one feature. Each example's gradient is ``per_example_gradients`` with the features
    (xᵢ, 1). The gradient ∇L goes through all n examples (so full-batch gradient descent pays
    for every one); the loss itself uses the data's moments, so a contour plot is cheap.
    ``start`` defaults to the minimum moved by (−2, +2): the slope too small, the bias too large.
    """
    x = as_float_array("x", x).astype(np.float64)
    y = as_float_array("y", y).astype(np.float64)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]  # the (n, 1) X of data.make_regression
    if x.ndim != 1 or x.shape != y.shape or len(x) < 2:
        raise ValueError(
            f"x and y must be 1-D arrays of the same length ≥ 2 (one feature, one target per "
            f"example), got shapes {x.shape} and {y.shape}"
        )
    if np.ptp(x) == 0:
        raise ValueError("x must not be constant: then the slope and the bias cannot be told apart")
    features = np.column_stack([x, np.ones_like(x)])
    sxx, sx, sy, sxy, syy = (float(np.mean(m)) for m in (x * x, x, y, x * y, y * y))

    def f(slope, bias):
        return (
            sxx * slope**2 + 2 * sx * slope * bias + bias**2 - 2 * sxy * slope - 2 * sy * bias + syy
        )

    def df(slope, bias):
        residual = slope[..., None] * x + bias[..., None] - y
        return 2 * np.mean(residual * x, axis=-1), 2 * np.mean(residual, axis=-1)

    def d2f(slope, bias):
        return 2 * sxx, 2 * sx, 2.0

    minimum = np.linalg.solve([[sxx, sx], [sx, 1.0]], [sxy, sy])
    start = minimum + [-2.0, 2.0] if start is None else _pair("start", start)
    return ExampleLandscape(
        name="Linear regression",
        formula=r"L(w) = \frac{1}{n}\sum_i (w_1 x_i + w_2 - y_i)^2",
        f=f,
        df=df,
        d2f=d2f,
        minima=[minimum],
        window=_window_around(minimum, start),
        start=start,
        X=features,
        y=y,
        example_grad=_per_example_gradients,
    )


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


def _pair(name, value):
    value = as_float_array(name, value).astype(np.float64)
    if value.shape != (2,):
        raise ValueError(f"{name} must be a pair of weights, got shape {value.shape}")
    return value


def _window_around(minimum, start):
    """A square window centred on the minimum that shows the start with a margin."""
    half = 1.3 * float(np.max(np.abs(start - minimum))) or 1.0
    return tuple((float(c - half), float(c + half)) for c in minimum)


# ---------------------------------------------------------------------------------------------
# SGD on an ExampleLandscape
# ---------------------------------------------------------------------------------------------


def _learning_rate(lr):
    """A schedule η(t): a number becomes a constant one."""
    if callable(lr):
        return lr
    lr = positive("lr", lr)
    return lambda t: lr


def sgd(
    landscape,
    start=None,
    lr=0.05,
    epochs=1,
    batch_size=1,
    seed=0,
    *,
    shuffle=True,
    label=None,
    on_divergence="raise",
):
    r"""Mini-batch SGD on an ``ExampleLandscape``; returns a ``training.Trajectory``.

    Each epoch visits every example exactly once, in a fresh random order drawn from
    ``seed`` (``shuffle=False``: in the stored order), in batches of ``batch_size`` (the last
    one holds the leftovers); each step is w ← w − η g_B with g_B the batch's mean gradient.
    ``lr`` is a number η or a schedule η(t) of the step count t = 0, 1, .... The trajectory's
    ``losses`` are the full loss L(w) after each step, for plotting: SGD itself never needs it.
    A run whose loss explodes stops as in ``training.descend``.
    """
    if not isinstance(landscape, ExampleLandscape):
        raise TypeError(
            "landscape must be an ExampleLandscape such as regression_landscape(x, y), "
            f"got {landscape!r}"
        )
    w = landscape.start.copy() if start is None else _pair("start", start)
    schedule = _learning_rate(lr)
    epochs = positive_int("epochs", epochs)
    batch_size = positive_int("batch_size", batch_size)
    rng = np.random.default_rng(nonnegative_int("seed", seed))
    if on_divergence not in ("raise", "stop"):
        raise ValueError(f"on_divergence must be 'raise' or 'stop', got {on_divergence!r}")
    X, y, n = landscape.X, landscape.y, landscape.n

    initial_loss = float(landscape.f(*w))
    points, losses, lrs = [w], [initial_loss], []
    diverged = None
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(epochs):
            if shuffle:
                batches = data.minibatches(X, y, batch_size, rng)
            else:
                batches = (
                    (X[s : s + batch_size], y[s : s + batch_size]) for s in range(0, n, batch_size)
                )
            for X_batch, y_batch in batches:
                step_lr = schedule(len(lrs))
                # The loop's hot path: the formula without re-validating w on every step.
                w = w - step_lr * landscape.example_grad(w, X_batch, y_batch).mean(axis=0)
                loss = float(landscape.f(*w))  # inf or nan once the weights overflow
                points.append(w)
                losses.append(loss)
                lrs.append(step_lr)
                diverged = divergence_message(f"step {len(lrs)}", loss, initial_loss, step_lr)
                if diverged:
                    break
            if diverged:
                break
    if label is None:
        label = f"SGD, B = {batch_size}" + (f", η = {lr:g}" if not callable(lr) else "")
    trajectory = Trajectory(np.array(points), np.array(losses), np.array(lrs), label, diverged)
    if diverged and on_divergence == "raise":
        raise DivergenceError(diverged, trajectory)
    return trajectory


# ---------------------------------------------------------------------------------------------
# The lessons' data sets
# ---------------------------------------------------------------------------------------------


def regression_data(n=1000, noise=0.5, seed=0):
    """One feature x and targets y = w·x + b + noise, from ``data.make_regression``.

    The feature is centred at 1 rather than 0, as raw features usually are; that tilts and
    stretches the loss's bowl over (slope, bias), which makes the paths worth looking at.
    """
    X, y = data.make_regression(n=n, n_features=1, noise=noise, seed=seed)
    return X[:, 0] + 1.0, y


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


# ---------------------------------------------------------------------------------------------
# Lesson 05's measurements
# ---------------------------------------------------------------------------------------------


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
    count = positive_int("count", count)
    rng = _rng(rng)
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


# ---------------------------------------------------------------------------------------------
# Plots shared by the notebooks and figures/stochastic.py
# ---------------------------------------------------------------------------------------------


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
        shown = steps[:arrows]
        ax.quiver(
            np.full(len(shown), w[0]),
            np.full(len(shown), w[1]),
            shown[:, 0],
            shown[:, 1],
            angles="xy",
            scale_units="xy",
            scale=1,
            color=color,
            alpha=0.5,
            width=0.003,
            zorder=3,
        )
        ax.plot(
            *(w + steps).T,
            ".",
            color=color,
            markersize=4,
            alpha=0.6,
            zorder=3,
            label="one example's step  w − η∇ℓᵢ",
        )
        ax.quiver(
            w[0],
            w[1],
            full_step[0],
            full_step[1],
            angles="xy",
            scale_units="xy",
            scale=1,
            color=mean_color,
            width=0.012,
            zorder=5,
        )
        ax.plot(
            *(w + full_step),
            "o",
            color=mean_color,
            markersize=9,
            zorder=6,
            label="their mean: the GD step  w − η∇L",
        )
        ax.plot(
            *w,
            "o",
            markersize=11,
            markerfacecolor="white",
            markeredgecolor="black",
            markeredgewidth=2,
            zorder=6,
            label="w",
        )
        ax.legend(loc="lower left", fontsize=10)
    return ax


def loss_gap_curves(
    curves, ax=None, *, xlabel="step", title="Loss above the minimum", log_x=False, smooth=1
):
    r"""L − L* against x for each entry of ``{label: (x, gap)}``, on a log axis.

    ``gap`` is the loss minus the minimum loss L*. With ``smooth=k`` each curve is the mean
    over the last k points (a moving average), which shows the level a noisy run hovers at;
    values ≤ 0 (exactly at the minimum) are left out, as a log axis cannot show them.
    """
    smooth = positive_int("smooth", smooth)
    with plotting.course_style():
        ax = plotting.new_axes(ax)
        for index, (label, (x, gap)) in enumerate(curves.items()):
            gap = plotting.nan_for_inf(gap)
            if smooth > 1:
                gap = np.convolve(gap, np.ones(smooth) / smooth, mode="valid")
                x = np.asarray(x)[smooth - 1 :]
            gap[gap <= 0] = np.nan
            color = plotting.COLORS[index % len(plotting.COLORS)]
            ax.plot(x, gap, color=color, label=label, linewidth=1.5 if len(gap) > 200 else 2.5)
        ax.set_yscale("log")
        if log_x:
            ax.set_xscale("log")
        ax.set_xlabel(xlabel)
        ylabel = "L − L*" if smooth == 1 else f"L − L*, mean of the last {smooth}"
        ax.set_ylabel(f"{ylabel} (log scale)")
        ax.set_title(title)
        ax.legend()
    return ax


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


# ---------------------------------------------------------------------------------------------
# Live demos
# ---------------------------------------------------------------------------------------------


def sgd_explorer(lr=0.05, seed=0, n=40, epochs=10):
    r"""Sliders for η and the shuffling seed over GD's and SGD's paths on a regression loss.

    Both get the same budget, ``epochs`` passes over n examples: GD takes ``epochs`` steps of
    n example-gradients each, SGD n·``epochs`` steps of one. The left panel shows the paths
    over the loss L(w) = L(slope, bias); the right one L − L* against the examples processed.
    """
    import ipywidgets
    from matplotlib.ticker import LogLocator, NullLocator

    lr = positive("lr", lr)
    seed = nonnegative_int("seed", seed)
    n, epochs = positive_int("n", n), positive_int("epochs", epochs)
    landscape = regression_landscape(*regression_data(n, seed=0))
    lr_range = (1e-3, 0.5)
    if not lr_range[0] <= lr <= lr_range[1]:
        raise ValueError(f"lr must be in [{lr_range[0]}, {lr_range[1]}], got {lr}")
    initial_gap = float(landscape(landscape.start)) - landscape.min_value

    fig, (ax_path, ax_loss) = widgets.demo_figure(1, 2, figsize=(9.5, 4.0))
    plotting.contour(landscape, ax=ax_path, levels=20, resolution=120, title="", legend=False)
    _regression_axes(ax_path, landscape)
    ax_path.plot(
        *landscape.start,
        "o",
        markersize=11,
        markerfacecolor="white",
        markeredgecolor="black",
        markeredgewidth=2,
        zorder=4,
    )
    gd_color, sgd_color = plotting.COLORS[0], plotting.COLORS[1]
    (sgd_path,) = ax_path.plot(
        [], [], "-", color=sgd_color, linewidth=1, label="SGD: 1 example a step"
    )
    (gd_path,) = ax_path.plot(
        [], [], "-o", color=gd_color, markersize=5, label=f"GD: all {n} a step"
    )
    ax_path.legend(loc="lower left", fontsize=9)
    (sgd_curve,) = ax_loss.plot([], [], color=sgd_color, linewidth=1)
    (gd_curve,) = ax_loss.plot([], [], "-o", color=gd_color, markersize=5)
    ax_loss.set_yscale("log")
    ax_loss.yaxis.set_major_locator(LogLocator(numticks=5))
    ax_loss.yaxis.set_minor_locator(NullLocator())
    ax_loss.set_xlim(0, n * epochs)
    ax_loss.set_ylim(1e-5, 3 * initial_gap)
    ax_loss.set_xlabel("examples processed")
    ax_loss.set_ylabel("L − L* (log scale)")
    title = fig.suptitle("", fontsize=13)

    def update(lr, seed):
        gd = descend(landscape, None, "sgd", steps=epochs, lr=lr, on_divergence="stop")
        stochastic = sgd(landscape, lr=lr, epochs=epochs, seed=seed, on_divergence="stop")
        for path, curve, run, per_step in (
            (gd_path, gd_curve, gd, n),
            (sgd_path, sgd_curve, stochastic, 1),
        ):
            points = plotting.nan_for_inf(run.points)
            path.set_data(points[:, 0], points[:, 1])
            gap = plotting.nan_for_inf(run.losses - landscape.min_value)
            curve.set_data(np.arange(len(gap)) * per_step, np.clip(gap, 1e-16, None))
        ends = [
            run.diverged.split(":")[0]
            if run.diverged
            else f"{run.losses[-1] - landscape.min_value:.2g}"
            for run in (gd, stochastic)
        ]
        title.set_text(
            f"η = {lr:.3g}, after {n * epochs} example-gradients, "
            f"L − L*:  GD {ends[0]},  SGD {ends[1]}"
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
        fig, update, controls, animated=[sgd_path, gd_path, sgd_curve, gd_curve, title]
    )


BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


def batch_cloud_explorer(batch_size=8, count=200, n=5000, seed=0):
    r"""A batch-size slider over the cloud of mini-batch gradients g_B around the true ∇L.

    Each dot is one batch's gradient g_B at the same weights; the star is ∇L, the circle has
    the predicted RMS radius σ/√B. The right panel shows the measured RMS error against B
    (log-log, slope −½) with the current B marked.
    """
    import ipywidgets
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
        rng = np.random.default_rng(seed)
        estimates = landscape.batch_grad(w, random_batches(n, batch_size, count, rng))
        cloud.set_offsets(estimates)
        circle.set_radius(sigma / np.sqrt(batch_size))
        rms = float(np.sqrt(np.mean(np.sum((estimates - exact) ** 2, axis=1))))
        marker.set_data([batch_size], [rms])
        title.set_text(
            f"B = {batch_size}: RMS error {rms:.3g}, "
            f"predicted σ/√B = {sigma / np.sqrt(batch_size):.3g}"
        )
        return estimates

    slider = ipywidgets.SelectionSlider(
        options=list(BATCH_SIZES),
        value=batch_size,
        description="batch size B",
        style={"description_width": "initial"},
        layout=ipywidgets.Layout(width="420px"),
    )
    return widgets.Demo(
        fig, update, {"batch_size": slider}, animated=[cloud, circle, star, marker, title]
    )
