r"""Where gradient descent ends on a non-convex landscape: critical points, basins, restarts.

- ``classify_critical_point(hessian)``: minimum, maximum, saddle or degenerate, read off the
  signs of the Hessian's eigenvalues λ;
- ``critical_points(landscape)``: every point with ∇f = 0 in the window, found by Newton's
  method from a grid of guesses, each with its kind;
- ``descend_many(landscape, starts, lr, steps)``: plain gradient descent w ← w − η∇f(w) from
  many starts at once (a whole grid in one array), returning where each one ended;
- ``basin_map(landscape, lr)``: a grid of starts, each labelled by the minimum GD reaches
  from it, and ``random_restarts(landscape, n, lr)``: the same for n random starts;
- ``success_probability(p, k)``: the chance that at least one of k restarts succeeds;
- ``SharpAndFlat``: a 1-D loss with one sharp and one flat minimum of equal depth;
- ``numerical_hessian(f, w)``: the Hessian of any loss of a weight vector, by central
  differences of lesson 01's central-difference gradient.

A basin belongs to gradient descent with a given step size η, not to the landscape alone:
with a large η a start can jump over the ridge into the other basin, or diverge.
"""

import numbers
from dataclasses import dataclass

import numpy as np

from ... import plotting
from ...losses import numerical_gradient
from ...runs import runaway_limit, within_limit
from ...training import as_landscape
from ...validation import (
    as_float_array,
    in_range,
    nonnegative,
    nonnegative_int,
    positive,
    positive_int,
    real,
)

__all__ = [
    "KINDS",
    "NO_MINIMUM",
    "classify_critical_point",
    "critical_points",
    "descend_many",
    "nearest_minimum",
    "BasinMap",
    "basin_map",
    "Restarts",
    "random_restarts",
    "success_probability",
    "SharpAndFlat",
    "numerical_hessian",
]

KINDS = ("minimum", "maximum", "saddle", "degenerate")

# The label of a start from which GD reached no minimum (it diverged or is still travelling).
NO_MINIMUM = -1


def classify_critical_point(hessian, tol=1e-9):
    r"""What kind of critical point (∇f = 0) has this Hessian H = ∇²f: read the eigenvalues λ.

    - "minimum": every λ > tol (the loss curves up in every direction);
    - "maximum": every λ < −tol (down in every direction);
    - "saddle": some λ > tol and some λ < −tol (up one way, down another);
    - "degenerate": otherwise: some |λ| ≤ tol counts as zero and the second derivatives
      cannot decide (x⁴, −x⁴ and x³ all have f'' = 0 at 0).

    ``hessian`` is a symmetric n × n matrix (n ≥ 1); it is not modified.
    """
    hessian = as_float_array("hessian", hessian)
    if hessian.ndim != 2 or hessian.shape[0] != hessian.shape[1] or hessian.shape[0] == 0:
        raise ValueError(f"hessian must be a square n × n matrix, got shape {hessian.shape}")
    if not np.allclose(hessian, hessian.T, rtol=1e-10, atol=1e-12 * np.abs(hessian).max()):
        raise ValueError("hessian must be symmetric (a Hessian is: ∂²f/∂x∂y = ∂²f/∂y∂x)")
    tol = nonnegative("tol", tol)
    eigenvalues = np.linalg.eigvalsh(hessian.astype(np.float64))
    up, down = np.any(eigenvalues > tol), np.any(eigenvalues < -tol)
    if up and down:
        return "saddle"
    if np.any(np.abs(eigenvalues) <= tol):
        return "degenerate"
    return "minimum" if up else "maximum"


def critical_points(landscape, resolution=25, window=None, classify=None):
    r"""Every critical point in the window, and its kind: ``(points (k, 2), kinds)``.

    Newton's method w ← w − (∇²f)⁻¹∇f from a resolution × resolution grid of guesses finds
    the points where ∇f = 0, whatever their kind (gradient descent only finds minima). Those
    that converge inside the window are kept once each, sorted by loss. ``classify(hessian)``
    names each one's kind (default: ``classify_critical_point``; the lesson passes the
    learner's).
    """
    classify = classify_critical_point if classify is None else classify
    if not callable(classify):
        raise TypeError(f"classify must be a function hessian -> kind, got {classify!r}")
    landscape = as_landscape(landscape)
    resolution = positive_int("resolution", resolution)
    (x_min, x_max), (y_min, y_max) = _window(landscape, window)
    x, y = np.meshgrid(np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution))
    w = np.stack([x.ravel(), y.ravel()], axis=-1)
    for _ in range(60):  # quadratic convergence: a handful of steps once close
        hessian = landscape.hessian(w)
        # det scales like the entries squared: compare it with that, so units do not matter
        solvable = np.abs(np.linalg.det(hessian)) > 1e-12 * np.abs(hessian).max(axis=(1, 2)) ** 2
        w, hessian = w[solvable], hessian[solvable]
        w = w - np.linalg.solve(hessian, landscape.grad(w)[..., None])[..., 0]
        w = w[np.all(np.isfinite(w), axis=-1) & (np.abs(w).max(axis=-1) < 1e6)]
    scale = max(1.0, float(np.abs(landscape(w)).max(initial=0.0)))
    converged = np.linalg.norm(landscape.grad(w), axis=-1) <= 1e-9 * scale
    inside = (w[:, 0] >= x_min) & (w[:, 0] <= x_max) & (w[:, 1] >= y_min) & (w[:, 1] <= y_max)
    found = []
    for point in w[converged & inside]:
        if all(np.linalg.norm(point - other) > 1e-6 for other in found):
            found.append(point)
    points = np.array(sorted(found, key=lambda p: (float(landscape(p)), *p))).reshape(-1, 2)
    kinds = tuple(classify(h) for h in landscape.hessian(points))
    return points, kinds


def _window(landscape, window):
    """((x_min, x_max), (y_min, y_max)), checked; the landscape's own window by default."""
    window = plotting._window(window, landscape)
    if not np.all(np.isfinite(window)):
        raise ValueError(f"window must hold finite numbers, got {window!r}")
    return window


def descend_many(landscape, starts, lr, steps):
    r"""Gradient descent w ← w − η∇f(w) for ``steps`` steps from every start at once.

    ``starts`` has shape (..., 2), e.g. a whole grid; the result has the same shape and
    holds where each run ended. A run diverges by the rule of every run in the course
    (``runs.within_limit``): its loss becomes inf or nan or grows past
    ``runs.RUNAWAY_FACTOR`` × max(1, |its starting loss|); it ends as (nan, nan).

    It returns end points, not a ``runs.Run`` per start: a basin map runs ten thousand
    descents in one array, a step for all of them at a time, and needs only where each ended;
    ``training.descend`` gives the whole ``Run`` of one of them.
    """
    landscape = as_landscape(landscape)
    w = as_float_array("starts", starts).astype(np.float64)
    if w.ndim == 0 or w.shape[-1] != 2:
        raise ValueError(f"starts must have shape (2,) or (..., 2), got shape {w.shape}")
    lr = nonnegative("lr", lr)
    steps = nonnegative_int("steps", steps)
    shape = w.shape
    w = w.reshape(-1, 2).copy()
    limit = runaway_limit(landscape._loss(w))
    running = np.arange(len(w))  # the runs that have not diverged
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            # the starts were checked above and a run stops with its first non-finite weight,
            # so the formulas need no checks in here
            moved = w[running] - lr * landscape._grad(w[running])
            finite = np.all(np.isfinite(moved), axis=-1)
            loss = np.full(len(moved), np.inf)
            loss[finite] = landscape._loss(moved[finite])
            w[running] = moved
            running = running[within_limit(loss, limit[running])]
    ended = np.full_like(w, np.nan)
    ended[running] = w[running]
    return ended.reshape(shape)


def nearest_minimum(landscape, points, tol=1e-3):
    """The index in ``landscape.minima`` of the minimum each point lies within ``tol`` of.

    ``points`` has shape (..., 2); the result has shape (...), ``NO_MINIMUM`` (−1) where no
    minimum is that close (or the point is nan: a diverged run).
    """
    landscape = as_landscape(landscape)
    points = as_float_array("points", points, allow_nonfinite=True)
    if points.ndim == 0 or points.shape[-1] != 2:
        raise ValueError(f"points must have shape (2,) or (..., 2), got shape {points.shape}")
    return _nearest_minimum(landscape, points, positive("tol", tol))


def _nearest_minimum(landscape, points, tol):
    """The formula of ``nearest_minimum``, for arguments already checked (a demo's)."""
    distance = np.linalg.norm(points[..., None, :] - landscape.minima, axis=-1)
    with np.errstate(invalid="ignore"):
        close = distance <= tol
    return np.where(close.any(axis=-1), np.argmax(close, axis=-1), NO_MINIMUM)


@dataclass(frozen=True, repr=False)
class BasinMap:
    """A grid of starts, each labelled by the minimum gradient descent reached from it.

    ``labels[i, j]`` belongs to the start (``x[j]``, ``y[i]``) (rows are y, as in an image):
    an index into ``landscape.minima`` or ``NO_MINIMUM``.
    """

    landscape: object
    x: np.ndarray
    y: np.ndarray
    labels: np.ndarray
    lr: float
    steps: int

    def fraction(self, index=0):
        """The fraction of the grid whose starts reach minimum ``index`` (0: the global one)."""
        index = _minimum_index(index, len(self.landscape.minima))
        return float(np.mean(self.labels == index))

    def __repr__(self):
        shares = ", ".join(f"{self.fraction(i):.1%}" for i in range(-1, len(self.landscape.minima)))
        return (
            f"<BasinMap {self.landscape.name}, lr={self.lr:g}, {self.steps} steps, "
            f"{self.labels.shape[1]}×{self.labels.shape[0]} starts; "
            f"share (none, minimum 0, 1, ...): {shares}>"
        )


def _minimum_index(index, count):
    """``index``, checked to be a minimum's index in [0, count) or NO_MINIMUM (−1)."""
    if isinstance(index, bool) or not isinstance(index, numbers.Integral):
        raise TypeError(f"index must be an integer, got {type(index).__name__} {index!r}")
    if not NO_MINIMUM <= index < count:
        raise ValueError(
            f"index must be in [{NO_MINIMUM}, {count - 1}] (a minimum, or {NO_MINIMUM} for "
            f"runs that reached none), got {index}"
        )
    return int(index)


def basin_map(landscape, lr, steps=300, resolution=101, window=None, tol=1e-3):
    """Run gradient descent from every point of a grid over ``window``; return a ``BasinMap``.

    ``window`` defaults to the landscape's; a run counts as reaching a minimum when it ends
    within ``tol`` of it.
    """
    landscape = as_landscape(landscape)
    resolution = positive_int("resolution", resolution)
    (x_min, x_max), (y_min, y_max) = _window(landscape, window)
    x, y = np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution)
    starts = np.stack(np.meshgrid(x, y), axis=-1)
    ends = descend_many(landscape, starts, lr, steps)
    labels = nearest_minimum(landscape, ends, tol)
    return BasinMap(landscape, x, y, labels, float(lr), int(steps))


@dataclass(frozen=True, repr=False)
class Restarts:
    """Gradient descent from n random starts: ``starts``, ``ends`` (n, 2) and ``labels`` (n,).

    ``labels[i]`` is the index in ``landscape.minima`` that run i reached, or ``NO_MINIMUM``.
    """

    landscape: object
    starts: np.ndarray
    ends: np.ndarray
    labels: np.ndarray

    def fraction(self, index=0):
        """The fraction of restarts that reached minimum ``index`` (0: the global one)."""
        index = _minimum_index(index, len(self.landscape.minima))
        return float(np.mean(self.labels == index))

    def __repr__(self):
        return f"<Restarts: {len(self.labels)} runs, {self.fraction(0):.1%} reached minimum 0>"


def random_restarts(landscape, n, lr, steps=300, rng=0, window=None, tol=1e-3):
    """Gradient descent from ``n`` starts drawn uniformly over ``window``; return ``Restarts``.

    ``rng`` is a ``np.random.Generator`` or an integer seed.
    """
    landscape = as_landscape(landscape)
    n = positive_int("n", n)
    (x_min, x_max), (y_min, y_max) = _window(landscape, window)
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(nonnegative_int("rng", rng))
    starts = np.column_stack([rng.uniform(x_min, x_max, n), rng.uniform(y_min, y_max, n)])
    ends = descend_many(landscape, starts, lr, steps)
    return Restarts(landscape, starts, ends, nearest_minimum(landscape, ends, tol))


def success_probability(p, k):
    r"""The chance that at least one of k independent restarts succeeds: 1 − (1 − p)^k.

    Each restart succeeds with probability p; all k fail with probability (1 − p)^k.
    """
    p = in_range("p", p, 0.0, 1.0, high_closed=True)
    k = positive_int("k", k)
    return 1.0 - (1.0 - p) ** k


@dataclass(frozen=True)
class SharpAndFlat:
    r"""A 1-D loss with a sharp and a flat minimum of (almost exactly) the same depth.

    L(w) = 1 − exp(−(w − δ − c_s)² / (2 s_s²)) − exp(−(w − δ − c_f)² / (2 s_f²)),

    two Gaussian wells: the sharp one at c_s = −1 with width s_s = 0.1, the flat one at
    c_f = 1.5 with width s_f = 0.5. ``shift`` δ moves the whole curve, which is how the
    lesson pictures a test loss slightly different from the training loss.
    """

    shift: float = 0.0
    SHARP = (-1.0, 0.1)  # (centre c, width s) of each well; not fields: the same for all
    FLAT = (1.5, 0.5)

    def __post_init__(self):
        object.__setattr__(self, "shift", real("shift", self.shift))

    def _wells(self, w):
        w = as_float_array("w", w)
        for centre, width in (self.SHARP, self.FLAT):
            u = (w - self.shift - centre) / width
            yield u, width, np.exp(-0.5 * u * u)

    def __call__(self, w):
        """L(w), for one weight or an array of them."""
        return 1.0 - sum(bump for _, _, bump in self._wells(w))

    def grad(self, w):
        """L'(w) = Σ (u / s) · exp(−u²/2), with u = (w − δ − c) / s for each well."""
        return sum(u / width * bump for u, width, bump in self._wells(w))

    def curvature(self, w):
        """L''(w) = Σ (1 − u²) / s² · exp(−u²/2): about 1/s² at the bottom of a well."""
        return sum((1 - u * u) / width**2 * bump for u, width, bump in self._wells(w))

    @property
    def minima(self):
        """The (sharp, flat) minima, Newton-polished: the wells' tails shift them slightly."""
        w = np.array([self.SHARP[0], self.FLAT[0]]) + self.shift
        for _ in range(20):
            w = w - self.grad(w) / self.curvature(w)
        return w


def numerical_hessian(f, w):
    r"""The Hessian of ``f`` at ``w`` (a 1-D array of weights): row i is the central-difference
    gradient (``losses.numerical_gradient``) of ∂f/∂wᵢ, itself a central difference."""
    w = as_float_array("w", w).astype(np.float64)
    if w.ndim != 1:
        raise ValueError(f"w must be a 1-D array of weights, got shape {w.shape}")
    if not callable(f):
        raise TypeError(f"f must be a function of the weights, got {f!r}")
    slopes = [lambda v, i=i: numerical_gradient(f, v)[i] for i in range(w.size)]
    return np.array([numerical_gradient(slope, w) for slope in slopes])
