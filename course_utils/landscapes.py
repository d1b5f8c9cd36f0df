"""Two-weight loss landscapes: the terrain that every optimizer in the course walks on.

Each landscape is a function f(x, y) of two weights w = (x, y), written out by hand next to
its gradient ∇f and its Hessian ∇²f, so you can read the math and its derivatives side by
side. The ``Landscape`` object does the bookkeeping: it accepts one point of shape (2,) or a
whole grid of shape (..., 2), checks it, and stacks the pieces into arrays.

    >>> from course_utils import landscapes
    >>> f = landscapes.rosenbrock()
    >>> f([0.0, 0.0]), f.grad([0.0, 0.0]), f.minima
    (np.float64(1.0), array([-2.,  0.]), array([[1., 1.]]))

The formulas use only + − × and powers, so the very same code also runs on torch tensors:
that is ``torch_loss``, which lets autograd check every hand-written derivative.
"""

from dataclasses import dataclass, field

import numpy as np

from .validation import as_float_array, choice, in_range, positive, real

__all__ = [
    "Landscape",
    "QuadraticBowl",
    "quadratic_bowl",
    "rosenbrock",
    "himmelblau",
    "beale",
    "saddle",
    "two_minima",
    "by_name",
    "names",
    "ALL",
]


def as_points(w):
    """Validate weights: a float array whose last axis holds the two weights (x, y)."""
    w = as_float_array("w", w)
    if w.ndim == 0 or w.shape[-1] != 2:
        raise ValueError(
            f"w must have shape (2,) or (..., 2) (the weights x, y in the last axis), "
            f"got shape {w.shape}"
        )
    return w


def read_only_copy(array):
    array = np.array(array, dtype=np.float64)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False, kw_only=True)
class Landscape:
    """A loss f(w) over two weights w = (x, y), with its exact gradient and Hessian.

    Built from three plain functions of the coordinates x and y (arrays of any shape):
    ``f(x, y)``, ``df(x, y) -> (∂f/∂x, ∂f/∂y)`` and ``d2f(x, y) -> (f_xx, f_xy, f_yy)``.
    ``minima`` lists every minimum, the global one first.
    """

    name: str
    formula: str
    f: object = field(repr=False)
    df: object = field(repr=False)
    d2f: object = field(repr=False)
    minima: np.ndarray
    window: tuple
    start: np.ndarray
    global_minimum: np.ndarray = field(init=False)
    min_value: float = field(init=False)

    def __post_init__(self):
        # Frozen: set the stored arrays once, read-only, so no demo can move a minimum.
        set_field = object.__setattr__
        set_field(self, "minima", read_only_copy(self.minima).reshape(-1, 2))
        set_field(self, "start", read_only_copy(self.start))
        set_field(self, "global_minimum", self.minima[0])
        set_field(self, "min_value", float(self(self.global_minimum)))

    def __call__(self, w):
        """The loss f(w); shape () for one point, (...) for a grid of shape (..., 2)."""
        return self._loss(as_points(w))

    def grad(self, w):
        """The gradient ∇f(w) = (∂f/∂x, ∂f/∂y), shape (..., 2)."""
        return self._grad(as_points(w))

    def _loss(self, w):
        """f(w) for weights w that are already checked: the formula, and nothing else.

        ``__call__`` checks w, then calls this; so does a loop that checked its starts once
        (a basin map steps ten thousand runs at a time, and the checks cost five times the
        loss itself at one point). A loop over one point calls ``f(x, y)`` itself.
        """
        loss = np.asarray(self.f(w[..., 0], w[..., 1]), dtype=w.dtype)
        return loss[()]  # [()] turns a 0-d array into a NumPy scalar, leaves others alone

    def _grad(self, w):
        """∇f(w) for weights w that are already checked (see ``_loss``)."""
        return _gradient(self.df, w[..., 0], w[..., 1])

    def hessian(self, w):
        """The Hessian ∇²f(w) = [[f_xx, f_xy], [f_xy, f_yy]], shape (..., 2, 2)."""
        w = as_points(w)
        return _hessian(self.d2f, w[..., 0], w[..., 1])

    def torch_loss(self, w):
        """f(w) for a torch tensor w of shape (2,) or (..., 2), differentiable by autograd.

        The formula is the one ``__call__`` uses; on tensors its arithmetic runs as torch ops.
        """
        import torch

        if not isinstance(w, torch.Tensor) or not w.is_floating_point():
            raise TypeError(f"w must be a floating-point torch tensor, got {w!r}")
        if w.ndim == 0 or w.shape[-1] != 2:
            raise ValueError(
                f"w must have shape (2,) or (..., 2) (the weights x, y in the last axis), "
                f"got shape {tuple(w.shape)}"
            )
        if not bool(torch.isfinite(w).all()):
            raise ValueError("w contains NaN or inf; it must hold finite numbers")
        return self.f(w[..., 0], w[..., 1])

    def __repr__(self):
        return f"<Landscape {self.name}: {self.formula}>"


def _like(x, value):
    """``value`` as an array of x's shape and dtype (a constant derivative becomes a field)."""
    value = np.asarray(value, dtype=x.dtype)
    # broadcast_to costs more than the derivative itself at one point: only where needed
    return value if value.shape == x.shape else np.broadcast_to(value, x.shape)


def _gradient(df, x, y):
    if x.ndim == 0:  # one point, as a descent's every step asks: stacking costs 3× the formula
        return np.array(df(x, y), dtype=x.dtype)
    return np.stack([_like(x, d) for d in df(x, y)], axis=-1)


def _hessian(d2f, x, y):
    f_xx, f_xy, f_yy = (_like(x, d) for d in d2f(x, y))
    return np.stack([np.stack([f_xx, f_xy], -1), np.stack([f_xy, f_yy], -1)], -2)


def _newton(df, d2f, guesses, steps=30):
    """Polish approximate minima with Newton's method, w ← w − (∇²f)⁻¹ ∇f.

    Quadratic convergence takes a guess good to 3 digits to machine precision in a few steps;
    the rest are harmless no-ops.
    """
    w = np.array(guesses, dtype=np.float64)
    for _ in range(steps):
        x, y = w[:, 0], w[:, 1]
        newton_step = np.linalg.solve(_hessian(d2f, x, y), _gradient(df, x, y)[..., None])
        w = w - newton_step[..., 0]
    return w


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class QuadraticBowl(Landscape):
    """A quadratic bowl ½ wᵀAw; also knows its matrix ``A`` and ``eigenvalues`` (λmin, λmax)."""

    A: np.ndarray
    eigenvalues: tuple

    def __post_init__(self):
        object.__setattr__(self, "A", read_only_copy(self.A))
        super().__post_init__()


def quadratic_bowl(condition_number=10.0, lambda_min=1.0, angle=0.0):
    """f(w) = ½ wᵀAw, with A = R diag(λmin, κ·λmin) Rᵀ and R a rotation by ``angle`` radians.

    The condition number κ = λmax/λmin sets how elongated the bowl is: gradient descent
    zig-zags across the steep direction while it crawls along the shallow one.
    The minimum is the origin, f = 0.
    """
    kappa = in_range("condition_number", condition_number, 1.0, np.inf)
    lam_min = positive("lambda_min", lambda_min)
    angle = real("angle", angle)
    lam_max = kappa * lam_min
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    A = rotation @ np.diag([lam_min, lam_max]) @ rotation.T
    a, b, c = float(A[0, 0]), float(A[0, 1]), float(A[1, 1])

    def f(x, y):
        return 0.5 * (a * x * x + 2 * b * x * y + c * y * y)

    def df(x, y):
        return a * x + b * y, b * x + c * y

    def d2f(x, y):
        return a, b, c

    return QuadraticBowl(
        name=f"Quadratic bowl (κ = {kappa:g})",
        formula=r"f(w) = \frac{1}{2} w^T A w",
        f=f,
        df=df,
        d2f=d2f,
        minima=[[0.0, 0.0]],
        window=((-2.0, 2.0), (-2.0, 2.0)),
        # Far out along the shallow axis, a little off it along the steep one: the zig-zag start.
        start=rotation @ [-1.8, 0.6],
        A=A,
        eigenvalues=(lam_min, lam_max),
    )


def rosenbrock(a=1.0, b=100.0):
    """f(x, y) = (a − x)² + b(y − x²)²: a long, curved, flat-bottomed valley.

    Finding the valley is easy; following it to the minimum (a, a²), f = 0, is hard.
    """
    a = real("a", a)
    b = positive("b", b)

    def f(x, y):
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def df(x, y):
        return -2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)

    def d2f(x, y):
        return 2 - 4 * b * (y - 3 * x**2), -4 * b * x, 2 * b

    scale = max(1.0, abs(a))  # keep the valley and (a, a²) in view for any a
    return Landscape(
        name="Rosenbrock",
        formula=f"f(x, y) = ({a:g} - x)^2 + {b:g}(y - x^2)^2",
        f=f,
        df=df,
        d2f=d2f,
        minima=[[a, a * a]],
        window=((-2 * scale, 2 * scale), (-scale, 3 * scale**2)),
        start=[-1.5 * scale, 2 * scale**2],
    )


def himmelblau():
    """f(x, y) = (x² + y − 11)² + (x + y² − 7)²: four minima, all global (f = 0)."""

    def f(x, y):
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def df(x, y):
        u, v = x**2 + y - 11, x + y**2 - 7
        return 4 * x * u + 2 * v, 2 * u + 4 * y * v

    def d2f(x, y):
        u, v = x**2 + y - 11, x + y**2 - 7
        return 4 * u + 8 * x**2 + 2, 4 * x + 4 * y, 2 + 4 * v + 8 * y**2

    # (3, 2) is exact; the other three are roots of a quartic, polished to machine precision.
    guesses = [[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]]
    return Landscape(
        name="Himmelblau",
        formula=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        f=f,
        df=df,
        d2f=d2f,
        minima=_newton(df, d2f, guesses),
        window=((-5.0, 5.0), (-5.0, 5.0)),
        start=[0.0, 0.0],
    )


def beale():
    """f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)².

    One minimum, (3, 0.5) with f = 0, in a narrow curved valley; sharp walls and a flat
    plateau near x = 0 make the step size hard to choose.
    """
    # f = Σ_k r_k², with residuals r_k = c_k − x + x·y^k for k = 1, 2, 3.
    c1, c2, c3 = 1.5, 2.25, 2.625

    def f(x, y):
        return (c1 - x + x * y) ** 2 + (c2 - x + x * y**2) ** 2 + (c3 - x + x * y**3) ** 2

    def df(x, y):
        r1, r2, r3 = c1 - x + x * y, c2 - x + x * y**2, c3 - x + x * y**3
        f_x = 2 * r1 * (y - 1) + 2 * r2 * (y**2 - 1) + 2 * r3 * (y**3 - 1)
        f_y = 2 * r1 * x + 2 * r2 * 2 * x * y + 2 * r3 * 3 * x * y**2
        return f_x, f_y

    def d2f(x, y):
        # Gauss–Newton part Σ 2 ∇r_k ∇r_kᵀ plus the curvature of each residual, Σ 2 r_k ∇²r_k.
        r1, r2, r3 = c1 - x + x * y, c2 - x + x * y**2, c3 - x + x * y**3
        f_xx = 2 * (y - 1) ** 2 + 2 * (y**2 - 1) ** 2 + 2 * (y**3 - 1) ** 2
        f_xy = (
            2 * (y - 1) * x + 2 * r1
            + 2 * (y**2 - 1) * 2 * x * y + 2 * r2 * 2 * y
            + 2 * (y**3 - 1) * 3 * x * y**2 + 2 * r3 * 3 * y**2
        )  # fmt: skip
        f_yy = (
            2 * x**2
            + 2 * (2 * x * y) ** 2 + 2 * r2 * 2 * x
            + 2 * (3 * x * y**2) ** 2 + 2 * r3 * 6 * x * y
        )  # fmt: skip
        return f_xx, f_xy, f_yy

    return Landscape(
        name="Beale",
        formula=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        f=f,
        df=df,
        d2f=d2f,
        minima=[[3.0, 0.5]],
        window=((-4.5, 4.5), (-4.5, 4.5)),
        start=[1.0, 1.5],
    )


def saddle():
    """f(x, y) = x² + y⁴/4 − y²/2: a saddle point at the origin, minima at (0, ±1), f = −¼.

    Along y = 0 the gradient has no y-component, so gradient descent started on that axis
    slides into the saddle and stays there; the slightest nudge in y lets it escape.
    """

    def f(x, y):
        return x**2 + y**4 / 4 - y**2 / 2

    def df(x, y):
        return 2 * x, y**3 - y

    def d2f(x, y):
        return 2.0, 0.0, 3 * y**2 - 1

    return Landscape(
        name="Saddle",
        formula=r"f(x, y) = x^2 + \frac{y^4}{4} - \frac{y^2}{2}",
        f=f,
        df=df,
        d2f=d2f,
        minima=[[0.0, 1.0], [0.0, -1.0]],
        window=((-2.0, 2.0), (-2.0, 2.0)),
        start=[1.5, 0.0],
    )


def two_minima():
    """f(x, y) = (x² − 1)² + 0.3x + y²: a tilted double well.

    The tilt 0.3x makes the left well (x ≈ −1.04) the global minimum and the right one
    (x ≈ 0.96) a merely local one; a ridge near x = 0.08 separates them, so the start decides
    where gradient descent ends. The exact minima are roots of 4x³ − 4x + 0.3 = 0.
    """
    tilt = 0.3

    def f(x, y):
        return (x**2 - 1) ** 2 + tilt * x + y**2

    def df(x, y):
        return 4 * x * (x**2 - 1) + tilt, 2 * y

    def d2f(x, y):
        return 12 * x**2 - 4, 0.0, 2.0

    return Landscape(
        name="Two minima",
        formula=r"f(x, y) = (x^2 - 1)^2 + 0.3x + y^2",
        f=f,
        df=df,
        d2f=d2f,
        minima=_newton(df, d2f, [[-1.0, 0.0], [1.0, 0.0]]),
        window=((-2.0, 2.0), (-2.0, 2.0)),
        start=[1.5, 1.5],  # in the basin of the worse, local minimum
    )


_FACTORIES = {
    "quadratic_bowl": quadratic_bowl,
    "rosenbrock": rosenbrock,
    "himmelblau": himmelblau,
    "beale": beale,
    "saddle": saddle,
    "two_minima": two_minima,
}

ALL = tuple(_FACTORIES)


def names():
    """The lowercase names ``by_name`` accepts."""
    return ALL


def by_name(name, **parameters):
    """The landscape called ``name`` (see ``names()``), e.g. ``by_name("rosenbrock", b=10)``."""
    choice("name", name, ALL)
    return _FACTORIES[name](**parameters)
