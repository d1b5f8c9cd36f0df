"""Landscapes: hand-written derivatives against torch autograd, minima checked exactly."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_utils import landscapes
from course_utils.landscapes import Landscape

torch = pytest.importorskip("torch")

VARIANTS = {
    **{name: landscapes.by_name(name) for name in landscapes.names()},
    "bowl_rotated": landscapes.quadratic_bowl(condition_number=25.0, lambda_min=0.3, angle=0.7),
    "rosenbrock_shifted": landscapes.rosenbrock(a=-1.7, b=3.0),
}


@pytest.fixture(params=list(VARIANTS), ids=list(VARIANTS))
def landscape(request):
    return VARIANTS[request.param]


def points_in_window(landscape, n=25, seed=0):
    (x_low, x_high), (y_low, y_high) = landscape.window
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(x_low, x_high, n), rng.uniform(y_low, y_high, n)])


def inside(window, point):
    (x_low, x_high), (y_low, y_high) = window
    return x_low < point[0] < x_high and y_low < point[1] < y_high


# --- the derivatives ---------------------------------------------------------------------------


def test_torch_loss_matches_the_numpy_loss(landscape):
    w = points_in_window(landscape)
    loss = landscape.torch_loss(torch.tensor(w, dtype=torch.float64))
    np.testing.assert_allclose(loss.numpy(), landscape(w), rtol=1e-14, atol=0)


def test_gradient_matches_autograd(landscape):
    w = torch.tensor(points_in_window(landscape), dtype=torch.float64, requires_grad=True)
    landscape.torch_loss(w).sum().backward()  # points are independent: one backward gives all
    expected = w.grad.numpy()
    np.testing.assert_allclose(
        landscape.grad(w.detach().numpy()), expected, rtol=1e-12, atol=1e-12 * abs(expected).max()
    )


def test_hessian_matches_autograd(landscape):
    for point in points_in_window(landscape, n=10):
        expected = torch.autograd.functional.hessian(
            landscape.torch_loss, torch.tensor(point, dtype=torch.float64)
        ).numpy()
        np.testing.assert_allclose(
            landscape.hessian(point), expected, rtol=1e-12, atol=1e-12 * abs(expected).max()
        )


def test_grid_evaluation_is_pointwise(landscape):
    (x_low, x_high), (y_low, y_high) = landscape.window
    X, Y = np.meshgrid(np.linspace(x_low, x_high, 7), np.linspace(y_low, y_high, 5))
    grid = np.stack([X, Y], axis=-1)
    losses, grads, hessians = landscape(grid), landscape.grad(grid), landscape.hessian(grid)
    assert losses.shape == (5, 7) and grads.shape == (5, 7, 2) and hessians.shape == (5, 7, 2, 2)
    for i, j in [(0, 0), (2, 3), (4, 6)]:
        assert losses[i, j] == landscape(grid[i, j])
        np.testing.assert_array_equal(grads[i, j], landscape.grad(grid[i, j]))
        np.testing.assert_array_equal(hessians[i, j], landscape.hessian(grid[i, j]))


def test_the_checked_methods_are_their_formulas_after_the_checks(landscape):
    # training.descend's inner loop calls the formulas alone, once it has checked its start.
    points = points_in_window(landscape, n=20)
    for w in [*points, *points.astype(np.float32), points]:
        loss, grad = landscape._loss(w), landscape._grad(w)
        assert loss.dtype == grad.dtype == w.dtype and grad.flags.writeable
        np.testing.assert_array_equal(loss, landscape(w))
        np.testing.assert_array_equal(grad, landscape.grad(w))
    with pytest.raises(ValueError, match="NaN"):
        landscape.grad([np.nan, 0.0])


def test_one_point_gives_a_scalar_and_float32_stays_float32(landscape):
    point = landscape.start
    assert np.shape(landscape(point)) == ()
    assert landscape(list(point)) == landscape(point)
    single = point.astype(np.float32)
    assert landscape(single).dtype == np.float32
    assert landscape.grad(single).dtype == np.float32
    assert landscape.hessian(single).dtype == np.float32
    np.testing.assert_allclose(landscape.grad(single), landscape.grad(point), rtol=1e-5)


# --- the minima --------------------------------------------------------------------------------


def test_every_listed_minimum_is_a_strict_minimum(landscape):
    assert landscape.minima.ndim == 2 and landscape.minima.shape[1] == 2
    for minimum in landscape.minima:
        assert np.abs(landscape.grad(minimum)).max() <= 1e-12
        assert np.all(np.linalg.eigvalsh(landscape.hessian(minimum)) > 0)
        assert inside(landscape.window, minimum)


def test_global_minimum_is_the_lowest(landscape):
    values = landscape(landscape.minima)
    np.testing.assert_array_equal(landscape.global_minimum, landscape.minima[0])
    assert landscape.min_value == landscape(landscape.global_minimum)
    assert isinstance(landscape.min_value, float)
    assert np.all(landscape.min_value <= values + 1e-14)


def test_local_searches_find_only_the_listed_minima(landscape):
    """Minimise from a grid of starts inside the window: every strict interior minimum found
    must be listed, and every listed minimum must be found."""
    from scipy.optimize import minimize

    (x_low, x_high), (y_low, y_high) = landscape.window
    found = set()
    # An odd offset keeps starts off symmetry lines such as the saddle's y = 0.
    for x in np.linspace(x_low, x_high, 8)[1:-1] + 0.0123:
        for y in np.linspace(y_low, y_high, 8)[1:-1] + 0.0456:
            result = minimize(
                landscape,
                [x, y],
                jac=landscape.grad,
                method="L-BFGS-B",
                bounds=landscape.window,
                options={"gtol": 1e-10, "ftol": 1e-15},
            )
            point = result.x
            if not inside(landscape.window, point):
                continue
            if np.any(np.linalg.eigvalsh(landscape.hessian(point)) <= 0):
                continue  # stalled at a saddle point: not a minimum
            distances = np.linalg.norm(landscape.minima - point, axis=1)
            assert distances.min() < 1e-3, f"unlisted minimum near {point}"
            found.add(int(distances.argmin()))
    assert found == set(range(len(landscape.minima)))


def test_start_lies_in_the_window_away_from_every_minimum(landscape):
    assert inside(landscape.window, landscape.start)
    assert np.linalg.norm(landscape.minima - landscape.start, axis=1).min() > 0.5
    (x_low, x_high), (y_low, y_high) = landscape.window
    assert x_low < x_high and y_low < y_high


def test_minima_are_exact_to_high_precision():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    for landscape in (landscapes.himmelblau(), landscapes.two_minima()):
        for minimum in landscape.minima:
            exact = mpmath.findroot(
                lambda x, y, df=landscape.df: df(x, y), tuple(mpmath.mpf(v) for v in minimum)
            )
            assert np.abs(np.array(exact.tolist(), dtype=float).ravel() - minimum).max() < 1e-12


def test_formula_renders_as_mathtext(landscape):
    import io

    from matplotlib.mathtext import math_to_image

    math_to_image(f"${landscape.formula}$", io.BytesIO(), format="png")
    assert isinstance(landscape.name, str) and landscape.name


# --- the individual landscapes -----------------------------------------------------------------


@pytest.mark.parametrize("kappa, lam, angle", [(1.0, 1.0, 0.0), (10.0, 0.5, 0.3), (100.0, 2, -2)])
def test_quadratic_bowl_has_the_requested_eigenvalues(kappa, lam, angle):
    bowl = landscapes.quadratic_bowl(condition_number=kappa, lambda_min=lam, angle=angle)
    assert bowl.eigenvalues == (lam, kappa * lam)
    eigenvalues, eigenvectors = np.linalg.eigh(bowl.A)
    np.testing.assert_allclose(eigenvalues, [lam, kappa * lam], rtol=1e-13)
    if kappa > 1:  # the shallow direction is the x-axis turned by `angle`
        shallow = eigenvectors[:, 0]
        assert abs(shallow @ [np.cos(angle), np.sin(angle)]) == pytest.approx(1.0, abs=1e-13)
    w = points_in_window(bowl)
    np.testing.assert_allclose(bowl(w), 0.5 * np.einsum("ni,ij,nj->n", w, bowl.A, w), rtol=1e-13)
    np.testing.assert_allclose(bowl.hessian(w), np.broadcast_to(bowl.A, (len(w), 2, 2)))
    np.testing.assert_array_equal(bowl.global_minimum, [0.0, 0.0])
    assert isinstance(bowl, Landscape)


def test_rosenbrock_minimum_is_a_a_squared():
    f = landscapes.rosenbrock(a=-1.7, b=3.0)
    np.testing.assert_array_equal(f.global_minimum, [-1.7, 1.7**2])
    assert f.min_value == 0.0
    assert "100" in landscapes.rosenbrock().formula


def test_himmelblau_has_four_global_minima():
    f = landscapes.himmelblau()
    assert f.minima.shape == (4, 2)
    assert np.all(f(f.minima) < 1e-25)
    np.testing.assert_array_equal(f.global_minimum, [3.0, 2.0])


def test_beale_minimum():
    f = landscapes.beale()
    np.testing.assert_array_equal(f.minima, [[3.0, 0.5]])
    assert f.min_value == 0.0


def gradient_descent(landscape, start, lr=0.05, steps=2000):
    w = np.array(start, dtype=float)
    for _ in range(steps):
        w = w - lr * landscape.grad(w)
    return w


def test_saddle_traps_descent_on_the_axis_and_a_nudge_escapes():
    f = landscapes.saddle()
    np.testing.assert_array_equal(f.grad([0.0, 0.0]), [0.0, 0.0])
    assert sorted(np.linalg.eigvalsh(f.hessian([0.0, 0.0]))) == [-1.0, 2.0]  # indefinite
    assert f.min_value == -0.25
    assert f.start[1] == 0.0
    stuck = gradient_descent(f, f.start)
    assert np.linalg.norm(stuck) < 1e-12
    escaped = gradient_descent(f, f.start + [0.0, 1e-6])
    np.testing.assert_allclose(escaped, [0.0, 1.0], atol=1e-9)


def test_two_minima_start_decides_the_basin():
    f = landscapes.two_minima()
    global_minimum, local_minimum = f.minima
    assert f(global_minimum) < f(local_minimum)
    np.testing.assert_allclose(gradient_descent(f, f.start), local_minimum, atol=1e-10)
    mirrored = f.start * [-1, 1]
    np.testing.assert_allclose(gradient_descent(f, mirrored), global_minimum, atol=1e-10)
    # The x-coordinates are the two outer roots of 4x³ − 4x + 0.3; the middle one is the ridge.
    roots = np.sort(np.roots([4.0, 0.0, -4.0, 0.3]).real)
    np.testing.assert_allclose(f.minima[:, 0], roots[[0, 2]], rtol=1e-13)
    ridge = [roots[1], 0.0]
    assert np.linalg.eigvalsh(f.hessian(ridge))[0] < 0 < np.linalg.eigvalsh(f.hessian(ridge))[1]


# --- registry, immutability, bad input -----------------------------------------------------------


def test_by_name_covers_every_landscape_the_module_exports():
    assert landscapes.names() == landscapes.ALL
    exported = {name for name in landscapes.__all__ if name.islower()}
    assert set(landscapes.ALL) == exported - {"by_name", "names"}
    for name in landscapes.ALL:
        assert isinstance(landscapes.by_name(name), Landscape)
        assert type(landscapes.by_name(name)) is type(getattr(landscapes, name)())
    assert landscapes.by_name("quadratic_bowl", condition_number=50).eigenvalues == (1.0, 50.0)
    with pytest.raises(ValueError, match="name must be one of"):
        landscapes.by_name("Rosenbrock")


def test_landscape_cannot_be_changed():
    f = landscapes.rosenbrock()
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.start = np.zeros(2)
    for array in (f.minima, f.start, f.global_minimum):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 5.0
    with pytest.raises(ValueError, match="read-only"):
        landscapes.quadratic_bowl().A[0, 0] = 5.0


@pytest.mark.parametrize(
    "w, error",
    [
        ([1.0, 2.0, 3.0], ValueError),
        (1.0, ValueError),
        (np.zeros((4, 3)), ValueError),
        ([np.nan, 1.0], ValueError),
        ([np.inf, 1.0], ValueError),
        ("1, 2", TypeError),
        (["a", "b"], TypeError),
        (None, TypeError),
        ([True, False], TypeError),
    ],
)
def test_bad_points_are_refused(w, error):
    f = landscapes.himmelblau()
    for method in (f, f.grad, f.hessian):
        with pytest.raises(error, match="w "):
            method(w)


@given(st.integers(0, 4).filter(lambda n: n != 2), st.integers(0, 3))
def test_any_last_axis_but_two_is_refused(size, batch):
    with pytest.raises(ValueError, match=r"w must have shape \(2,\)"):
        landscapes.saddle().grad(np.zeros((batch, size)))


def test_torch_loss_refuses_bad_tensors():
    f = landscapes.beale()
    with pytest.raises(TypeError, match="w must be a floating-point torch tensor"):
        f.torch_loss(np.zeros(2))
    with pytest.raises(TypeError, match="w must be a floating-point torch tensor"):
        f.torch_loss(torch.zeros(2, dtype=torch.int64))
    with pytest.raises(ValueError, match="w must have shape"):
        f.torch_loss(torch.zeros(3))
    with pytest.raises(ValueError, match="NaN"):
        f.torch_loss(torch.tensor([float("nan"), 0.0]))
    assert f.torch_loss(torch.ones(2, dtype=torch.float32)).dtype == torch.float32


@pytest.mark.parametrize(
    "factory, arguments, error, argument",
    [
        (landscapes.quadratic_bowl, {"condition_number": 0.0}, ValueError, "condition_number"),
        (landscapes.quadratic_bowl, {"condition_number": -5}, ValueError, "condition_number"),
        (landscapes.quadratic_bowl, {"condition_number": 0.5}, ValueError, "condition_number"),
        (landscapes.quadratic_bowl, {"condition_number": np.nan}, ValueError, "condition_number"),
        (landscapes.quadratic_bowl, {"condition_number": "10"}, TypeError, "condition_number"),
        (landscapes.quadratic_bowl, {"condition_number": True}, TypeError, "condition_number"),
        (landscapes.quadratic_bowl, {"lambda_min": 0.0}, ValueError, "lambda_min"),
        (landscapes.quadratic_bowl, {"angle": np.inf}, ValueError, "angle"),
        (landscapes.rosenbrock, {"b": 0.0}, ValueError, "b"),
        (landscapes.rosenbrock, {"a": None}, TypeError, "a"),
        (landscapes.rosenbrock, {"a": np.nan}, ValueError, "a"),
    ],
)
def test_bad_parameters_are_refused(factory, arguments, error, argument):
    with pytest.raises(error, match=f"^{argument} must"):
        factory(**arguments)


def test_docstring_examples_run():
    import doctest

    assert doctest.testmod(landscapes).failed == 0


def test_import_pulls_in_no_heavy_library(imports_no_heavy_library):
    imports_no_heavy_library("course_utils.landscapes")
