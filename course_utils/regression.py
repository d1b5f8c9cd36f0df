r"""A loss that is a mean over examples: the ground of lessons 04 (SGD) and 05 (mini-batches).

A model's loss on n examples is a mean, L(w) = (1/n) Σᵢ ℓᵢ(w), so its gradient is the mean of
the per-example gradients, ∇L(w) = (1/n) Σᵢ ∇ℓᵢ(w). SGD steps along one of them (or along the
mean g_B over a mini-batch of B of them) instead of waiting for all n.

- The exercises' reference solutions, for linear regression ŷ = Xw with the mean squared
  error L(w) = (1/n) Σᵢ (xᵢᵀw − yᵢ)² (no ½): ``per_example_gradients``, ``sgd_epoch`` and
  ``minibatch_gradient``. A bias is a column of ones in X.
- ``ExampleLandscape``: a two-weight landscape that also holds its examples, so you can take
  the gradient of one example or a batch; ``regression_landscape(x, y)`` (ŷ = w·x + b) makes one
  from ``regression_data``.
- ``sgd(landscape, ...)``: SGD with mini-batches on such a landscape, a ``runs.Run``.
- ``loss_gap_curves``: how far each run's loss stays above the minimum, step by step.
"""

from dataclasses import dataclass, field

import numpy as np

from . import data, landscapes, plotting
from .runs import ON_DIVERGENCE, runaway_ending, runaway_limit
from .training import descent_run, start_point
from .validation import as_float_array, choice, nonnegative_int, positive, positive_int, real

__all__ = [
    "per_example_gradients",
    "sgd_epoch",
    "minibatch_gradient",
    "ExampleLandscape",
    "regression_landscape",
    "regression_data",
    "sgd",
    "loss_gap_curves",
]


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


def _indices(indices, n, ndim=1):
    """Row numbers in [0, n): a non-empty integer array with ``ndim`` axes (None: any)."""
    indices = np.asarray(indices)
    axes = "an" if ndim is None else f"a {ndim}-D"
    if indices.size == 0 or (ndim is not None and indices.ndim != ndim):
        raise ValueError(
            f"indices must be {axes} non-empty array of row numbers, got shape {indices.shape}"
        )
    if indices.dtype == bool or indices.dtype.kind not in "iu":
        raise TypeError(f"indices must be an array of integer row numbers, got {indices.dtype}")
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
        if indices is not None:
            indices = _indices(indices, self.n, ndim=None)
        return self._example_grads(w, indices)

    def _example_grads(self, w, indices=None):
        """``example_grads`` for a w and indices already checked: the formula alone."""
        if indices is None:
            return self.example_grad(w, self.X, self.y)
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


def _pair(name, value):
    value = as_float_array(name, value).astype(np.float64)
    if value.shape != (2,):
        raise ValueError(f"{name} must be a pair of weights, got shape {value.shape}")
    return value


def _window_around(minimum, start):
    """A square window centred on the minimum that shows the start with a margin."""
    half = 1.3 * float(np.max(np.abs(start - minimum))) or 1.0
    return tuple((float(c - half), float(c + half)) for c in minimum)


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
    r"""Mini-batch SGD on an ``ExampleLandscape``; returns the ``runs.Run``, with its points.

    Each epoch visits every example exactly once, in a fresh random order drawn from
    ``seed`` (``shuffle=False``: in the stored order), in batches of ``batch_size`` (the last
    one holds the leftovers); each step is w ← w − η g_B with g_B the batch's mean gradient.
    ``lr`` is a number η or a schedule η(t) of the step count t = 0, 1, .... The run counts
    steps; its ``losses`` are the full loss L(w) after each step, for plotting: SGD itself
    never needs it. A run whose loss explodes stops as in ``training.descend``.
    """
    if not isinstance(landscape, ExampleLandscape):
        raise TypeError(
            "landscape must be an ExampleLandscape such as regression_landscape(x, y), "
            f"got {landscape!r}"
        )
    w = start_point(start, landscape)
    schedule = _learning_rate(lr)
    epochs = positive_int("epochs", epochs)
    batch_size = positive_int("batch_size", batch_size)
    rng = np.random.default_rng(nonnegative_int("seed", seed))
    choice("on_divergence", on_divergence, ON_DIVERGENCE)
    if label is None:
        label = f"SGD, B = {batch_size}" + (f", η = {lr:g}" if not callable(lr) else "")
    return _sgd(landscape, w, schedule, epochs, rng, batch_size, shuffle, label, on_divergence)


def _sgd(
    landscape,
    w,
    schedule,
    epochs,
    rng,
    batch_size=1,
    shuffle=True,
    label=None,
    on_divergence="stop",
):
    """The loop of ``sgd``, on arguments already checked (``sgd``'s, or a demo's)."""
    X, y, n = landscape.X, landscape.y, landscape.n
    initial_loss = float(landscape.f(*w))
    limit = runaway_limit(initial_loss)
    points, losses, lrs = [w], [initial_loss], []
    ending = None
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
                w = w - step_lr * landscape.example_grad(w, X_batch, y_batch).mean(axis=0)
                loss = float(landscape.f(*w))  # inf or nan once the weights overflow
                points.append(w)
                losses.append(loss)
                lrs.append(step_lr)
                ending = runaway_ending(loss, limit, step_lr, len(lrs))
                if ending:
                    break
            if ending:
                break
    return descent_run(label, points, losses, lrs, ending, on_divergence)


def regression_data(n=1000, noise=0.5, seed=0):
    """One feature x and targets y = w·x + b + noise, from ``data.make_regression``.

    The feature is centred at 1 rather than 0, as raw features usually are; that tilts and
    stretches the loss's bowl over (slope, bias), which makes the paths worth looking at.
    """
    X, y = data.make_regression(n=n, n_features=1, noise=noise, seed=seed)
    return X[:, 0] + 1.0, y


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
