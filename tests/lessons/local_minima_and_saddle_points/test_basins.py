"""Basins: critical points against torch autograd, GD from many starts against training.descend."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_utils import landscapes, training
from course_utils.lessons.local_minima_and_saddle_points import basins
from course_utils.lessons.local_minima_and_saddle_points.basins import (
    NO_MINIMUM,
    classify_critical_point,
)

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[3]


def rotated(angle, eigenvalues):
    c, s = np.cos(angle), np.sin(angle)
    rotation = np.array([[c, -s], [s, c]])
    return rotation @ np.diag(eigenvalues) @ rotation.T


# --- classify_critical_point ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("eigenvalues", "expected"),
    [
        ([1.0, 3.0], "minimum"),
        ([-1.0, -3.0], "maximum"),
        ([-1.0, 3.0], "saddle"),
        ([0.0, 3.0], "degenerate"),
        ([-2.0, 0.0], "degenerate"),
        ([0.0, 0.0], "degenerate"),
        ([1e-6, 3e-6], "minimum"),  # small is not zero: only |λ| ≤ tol is
    ],
)
@pytest.mark.parametrize("angle", [0.0, 0.3, 0.7, 2.0])
def test_classify_by_the_signs_of_the_eigenvalues(eigenvalues, expected, angle):
    assert classify_critical_point(rotated(angle, eigenvalues)) == expected


def test_tol_decides_what_counts_as_zero():
    hessian = np.diag([0.25, 1.0])
    assert classify_critical_point(hessian, tol=0.25) == "degenerate"  # |λ| ≤ tol
    assert classify_critical_point(hessian, tol=0.2499) == "minimum"
    assert classify_critical_point(np.diag([-0.2, 0.5]), 0.1) == "saddle"
    assert classify_critical_point(np.diag([-0.2, 0.5]), 0.3) == "degenerate"


def test_higher_dimensions_an_indefinite_hessian_is_a_saddle_even_with_a_zero_eigenvalue():
    assert classify_critical_point(np.diag([-1.0, 0.0, 2.0])) == "saddle"
    assert classify_critical_point(np.diag([1.0, 0.0, 2.0])) == "degenerate"
    assert classify_critical_point(np.diag([1.0, 5.0, 2.0])) == "minimum"
    assert classify_critical_point([[-4.0]]) == "maximum"


def test_classify_leaves_its_input_alone_and_takes_float32():
    hessian = np.array([[2.0, 0.5], [0.5, -1.0]], dtype=np.float32)
    before = hessian.copy()
    assert classify_critical_point(hessian) == "saddle"
    np.testing.assert_array_equal(hessian, before)


@pytest.mark.parametrize(
    ("hessian", "tol", "error", "match"),
    [
        (np.ones((2, 3)), 1e-9, ValueError, "hessian must be a square"),
        (np.ones(2), 1e-9, ValueError, "hessian must be a square"),
        (np.zeros((0, 0)), 1e-9, ValueError, "hessian must be a square"),
        ([[1.0, 2.0], [0.0, 1.0]], 1e-9, ValueError, "hessian must be symmetric"),
        ([[1.0, np.nan], [np.nan, 1.0]], 1e-9, ValueError, "hessian contains NaN"),
        ("[[1, 0], [0, 1]]", 1e-9, TypeError, "hessian must be"),
        (np.eye(2), -1.0, ValueError, "tol must be ≥ 0"),
        (np.eye(2), "small", TypeError, "tol must be a real number"),
    ],
)
def test_classify_refuses_bad_input(hessian, tol, error, match):
    with pytest.raises(error, match=match):
        classify_critical_point(hessian, tol)


# --- critical_points -------------------------------------------------------------------------


def test_himmelblau_has_four_minima_four_saddles_and_a_maximum():
    himmelblau = landscapes.himmelblau()
    points, kinds = basins.critical_points(himmelblau)
    assert sorted(kinds) == ["maximum"] + ["minimum"] * 4 + ["saddle"] * 4
    minima = points[[kind == "minimum" for kind in kinds]]
    for minimum in himmelblau.minima:  # the landscape's own minima, found again
        assert np.min(np.linalg.norm(minima - minimum, axis=1)) < 1e-9
    np.testing.assert_allclose(points[-1], [-0.270845, -0.923039], atol=1e-6)  # the maximum


@pytest.mark.parametrize("name", ["himmelblau", "saddle", "two_minima"])
def test_critical_points_have_zero_gradient_and_the_kind_torch_hessian_gives(name):
    landscape = landscapes.by_name(name)
    points, kinds = basins.critical_points(landscape)
    values = landscape(points)
    assert np.all(np.diff(values) >= 0)  # sorted by loss
    for point, kind in zip(points, kinds, strict=True):
        w = torch.tensor(point, dtype=torch.float64, requires_grad=True)
        (grad,) = torch.autograd.grad(landscape.torch_loss(w), w)
        assert grad.norm().item() < 1e-9
        hessian = torch.autograd.functional.hessian(landscape.torch_loss, w.detach()).numpy()
        assert classify_critical_point(hessian) == kind


def test_critical_points_of_the_saddle_and_two_minima():
    _, kinds = basins.critical_points(landscapes.saddle())
    assert kinds == ("minimum", "minimum", "saddle")
    points, kinds = basins.critical_points(landscapes.two_minima())
    assert kinds == ("minimum", "minimum", "saddle")
    np.testing.assert_allclose(4 * points[2, 0] ** 3 - 4 * points[2, 0] + 0.3, 0.0, atol=1e-14)


def test_critical_points_names_each_kind_with_the_classifier_it_is_given():
    seen = []

    def learners(hessian):
        seen.append(hessian)
        return classify_critical_point(hessian).upper()

    points, kinds = basins.critical_points(landscapes.two_minima(), classify=learners)
    assert kinds == ("MINIMUM", "MINIMUM", "SADDLE") and len(seen) == len(points) == 3
    with pytest.raises(TypeError, match="classify must be a function"):
        basins.critical_points(landscapes.two_minima(), classify="minimum")


def test_critical_points_keeps_only_those_inside_the_window():
    points, kinds = basins.critical_points(landscapes.himmelblau(), window=((0, 5), (0, 5)))
    assert kinds == ("minimum", "saddle", "saddle")
    assert np.all(points >= 0)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"resolution": 0}, ValueError, "resolution must be an integer ≥ 1"),
        ({"window": ((1, 0), (0, 1))}, ValueError, "window must have x_min < x_max"),
        ({"window": "everywhere"}, TypeError, "window must be"),
        ({"window": ((0, np.inf), (0, 1))}, ValueError, "window must hold finite numbers"),
    ],
)
def test_critical_points_refuses_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        basins.critical_points(landscapes.saddle(), **kwargs)


def test_critical_points_refuses_what_is_not_a_landscape():
    with pytest.raises(TypeError, match="landscape must be a Landscape"):
        basins.critical_points(lambda w: w @ w)


# --- descend_many ----------------------------------------------------------------------------


def test_descend_many_ends_where_descend_ends():
    landscape = landscapes.himmelblau()
    starts = np.array([[0.0, 0.0], [-4.0, 4.0], [1.0, -3.0], [4.5, 4.5]])
    ends = basins.descend_many(landscape, starts, lr=0.01, steps=80)
    for start, end in zip(starts, ends, strict=True):
        expected = training.descend(landscape, start, "sgd", 80, lr=0.01).points[-1]
        np.testing.assert_allclose(end, expected, rtol=0, atol=1e-12)


def test_descend_many_keeps_the_shape_of_a_grid_and_leaves_it_alone():
    starts = np.stack(np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-1, 1, 3)), axis=-1)
    before = starts.copy()
    ends = basins.descend_many(landscapes.two_minima(), starts, lr=0.05, steps=5)
    assert ends.shape == (3, 4, 2)
    np.testing.assert_array_equal(starts, before)
    one = basins.descend_many(landscapes.two_minima(), starts[1, 2], lr=0.05, steps=5)
    np.testing.assert_array_equal(one, ends[1, 2])


def test_descend_many_with_no_steps_or_no_step_size_stays_put():
    starts = np.array([[0.3, 0.4], [1.0, -1.0]])
    for lr, steps in [(0.1, 0), (0.0, 10)]:
        ends = basins.descend_many(landscapes.two_minima(), starts, lr=lr, steps=steps)
        np.testing.assert_array_equal(ends, starts)


def test_descend_many_marks_diverged_runs_as_nan_and_carries_on_with_the_rest():
    starts = np.array([[-1.0, 0.0], [2.5, 2.5], [0.5, 0.5]])
    ends = basins.descend_many(landscapes.two_minima(), starts, lr=0.15, steps=50)
    with pytest.raises(training.DivergenceError):
        training.descend(landscapes.two_minima(), starts[1], "sgd", 50, lr=0.15)
    assert np.all(np.isnan(ends[1]))
    assert np.all(np.isfinite(ends[[0, 2]]))


@pytest.mark.parametrize(
    ("starts", "lr", "steps", "error", "match"),
    [
        ([1.0, 2.0, 3.0], 0.1, 5, ValueError, "starts must have shape"),
        ([[np.nan, 0.0]], 0.1, 5, ValueError, "starts contains NaN"),
        ([[0.0, 0.0]], -0.1, 5, ValueError, "lr must be ≥ 0"),
        ([[0.0, 0.0]], 0.1, 2.5, TypeError, "steps must be an integer"),
        ([[0.0, 0.0]], 0.1, -1, ValueError, "steps must be an integer ≥ 0"),
    ],
)
def test_descend_many_refuses_bad_input(starts, lr, steps, error, match):
    with pytest.raises(error, match=match):
        basins.descend_many(landscapes.two_minima(), starts, lr, steps)


# --- nearest_minimum, basin_map, random_restarts -----------------------------------------------


def test_nearest_minimum_labels_points_by_the_minimum_they_are_at():
    landscape = landscapes.two_minima()
    points = np.vstack([landscape.minima[::-1], [[0.0, 0.0], [np.nan, np.nan]]])
    points[0, 1] += 5e-4  # within tol
    np.testing.assert_array_equal(basins.nearest_minimum(landscape, points), [1, 0, -1, -1])
    assert basins.nearest_minimum(landscape, points[0], tol=1e-4) == NO_MINIMUM
    with pytest.raises(ValueError, match="tol must be > 0"):
        basins.nearest_minimum(landscape, points, tol=0)
    with pytest.raises(ValueError, match="points must have shape"):
        basins.nearest_minimum(landscape, [1.0, 2.0, 3.0])


def test_the_basins_of_two_minima_are_split_by_the_ridge():
    landscape = landscapes.two_minima()
    basin_map = basins.basin_map(landscape, lr=0.05, steps=200, resolution=41)
    ridge = basins.critical_points(landscape)[0][2, 0]
    assert basin_map.labels.shape == (41, 41)
    assert np.all(basin_map.labels[:, basin_map.x < ridge] == 0)  # columns are x
    assert np.all(basin_map.labels[:, basin_map.x > ridge] == 1)
    share = np.sum(basin_map.x < ridge) / 41
    assert basin_map.fraction(0) == pytest.approx(share)
    assert basin_map.fraction(0) + basin_map.fraction(1) == pytest.approx(1.0)
    assert "Two minima, lr=0.05" in repr(basin_map)


def test_rows_of_a_basin_map_are_y():
    # Himmelblau's basins are not symmetric in x ↔ y: the top-left start goes to (−2.81, 3.13).
    landscape = landscapes.himmelblau()
    basin_map = basins.basin_map(landscape, lr=0.01, steps=200, resolution=11)
    top_left = basin_map.labels[-1, 0]  # y = 5, x = −5
    np.testing.assert_allclose(landscape.minima[top_left], [-2.805118, 3.131313], atol=1e-5)
    ends = basins.descend_many(landscape, [basin_map.x[0], basin_map.y[-1]], 0.01, 200)
    assert basins.nearest_minimum(landscape, ends) == top_left


def test_a_large_step_size_changes_the_basins_and_diverges_at_the_edges():
    landscape = landscapes.two_minima()
    small = basins.basin_map(landscape, lr=0.05, steps=200, resolution=41)
    large = basins.basin_map(landscape, lr=0.2, steps=200, resolution=41)
    assert large.fraction(NO_MINIMUM) > 0 == small.fraction(NO_MINIMUM)
    assert np.any(large.labels[:, small.x < -1.2] == 1)  # jumped over the ridge


def test_random_restarts_estimate_the_area_of_the_global_basin():
    landscape = landscapes.two_minima()
    restarts = basins.random_restarts(landscape, n=2000, lr=0.05, steps=200, rng=1)
    ridge = basins.critical_points(landscape)[0][2, 0]
    p = (ridge + 2) / 4  # the share of the window left of the ridge
    assert abs(restarts.fraction(0) - p) < 3 * np.sqrt(p * (1 - p) / 2000)
    assert restarts.starts.shape == restarts.ends.shape == (2000, 2)
    np.testing.assert_array_equal(restarts.labels == 0, restarts.starts[:, 0] < ridge)


def test_random_restarts_are_seeded():
    landscape = landscapes.two_minima()
    first = basins.random_restarts(landscape, 50, lr=0.05, steps=20, rng=3)
    again = basins.random_restarts(landscape, 50, lr=0.05, rng=np.random.default_rng(3), steps=20)
    np.testing.assert_array_equal(first.starts, again.starts)
    np.testing.assert_array_equal(first.labels, again.labels)
    inside = basins.random_restarts(landscape, 50, lr=0.05, steps=1, window=((0, 1), (2, 3)))
    assert np.all((inside.starts >= [0, 2]) & (inside.starts <= [1, 3]))


@pytest.mark.parametrize(
    ("index", "error", "match"),
    [
        (2, ValueError, r"index must be in \[-1, 1\]"),
        (-2, ValueError, "index"),
        (0.5, TypeError, "integer"),
    ],
)
def test_fraction_refuses_an_index_that_is_not_a_minimum(index, error, match):
    landscape = landscapes.two_minima()
    basin_map = basins.basin_map(landscape, lr=0.05, steps=1, resolution=3)
    restarts = basins.random_restarts(landscape, 5, lr=0.05, steps=1)
    for result in (basin_map, restarts):
        with pytest.raises(error, match=match):
            result.fraction(index)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n": 0}, ValueError, "n must be an integer ≥ 1"),
        ({"rng": -1}, ValueError, "rng must be an integer ≥ 0"),
        ({"rng": "seed"}, TypeError, "rng must be an integer"),
        ({"tol": 0.0}, ValueError, "tol must be > 0"),
    ],
)
def test_random_restarts_refuses_bad_input(kwargs, error, match):
    arguments = {"n": 5, "lr": 0.05, "steps": 1} | kwargs
    with pytest.raises(error, match=match):
        basins.random_restarts(landscapes.two_minima(), **arguments)


# --- success_probability ----------------------------------------------------------------------


@given(st.floats(0.0, 1.0), st.integers(1, 50))
def test_success_probability_is_one_minus_all_failing(p, k):
    expected = 1.0 - (1.0 - p) ** k
    assert basins.success_probability(p, k) == pytest.approx(expected, abs=1e-15)
    assert p - 1e-15 <= basins.success_probability(p, k) <= 1.0


def test_success_probability_matches_simulated_restarts():
    rng = np.random.default_rng(0)
    p, k, groups = 0.3, 4, 20000
    measured = np.mean(np.any(rng.random((groups, k)) < p, axis=1))
    predicted = basins.success_probability(p, k)
    assert abs(measured - predicted) < 4 * np.sqrt(predicted * (1 - predicted) / groups)


@pytest.mark.parametrize(
    ("p", "k", "error", "match"),
    [(1.5, 2, ValueError, r"p must be in \[0.0, 1.0\]"), (0.5, 0, ValueError, "k must be"),
     (0.5, 2.0, TypeError, "k must be an integer")],
)  # fmt: skip
def test_success_probability_refuses_bad_input(p, k, error, match):
    with pytest.raises(error, match=match):
        basins.success_probability(p, k)


# --- SharpAndFlat -----------------------------------------------------------------------------


def torch_sharp_and_flat(w, shift):
    total = 1.0
    for centre, width in (basins.SharpAndFlat.SHARP, basins.SharpAndFlat.FLAT):
        total = total - torch.exp(-0.5 * ((w - shift - centre) / width) ** 2)
    return total


@pytest.mark.parametrize("shift", [0.0, 0.1, -0.37])
def test_sharp_and_flat_derivatives_match_autograd(shift):
    loss = basins.SharpAndFlat(shift=shift)
    w = np.linspace(-3, 3, 41)
    tensor = torch.tensor(w, requires_grad=True)
    value = torch_sharp_and_flat(tensor, shift)
    (first,) = torch.autograd.grad(value.sum(), tensor, create_graph=True)
    (second,) = torch.autograd.grad(first.sum(), tensor)
    np.testing.assert_allclose(loss(w), value.detach().numpy(), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(loss.grad(w), first.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(loss.curvature(w), second.numpy(), rtol=1e-12, atol=1e-10)


def test_sharp_and_flat_minima_are_equally_deep_with_curvature_100_and_4():
    loss = basins.SharpAndFlat()
    sharp, flat = loss.minima
    np.testing.assert_allclose(loss.grad(loss.minima), 0.0, atol=1e-13)
    assert loss.curvature(sharp) == pytest.approx(100, rel=1e-4)
    assert loss.curvature(flat) == pytest.approx(4, rel=1e-4)
    assert abs(loss(sharp) - loss(flat)) < 1e-5
    shifted = basins.SharpAndFlat(shift=0.25)
    np.testing.assert_allclose(shifted.minima, loss.minima + 0.25, atol=1e-12)


def test_a_shift_raises_the_loss_far_more_at_the_sharp_minimum():
    train, test = basins.SharpAndFlat(), basins.SharpAndFlat(shift=0.05)
    sharp, flat = train.minima
    rise_sharp, rise_flat = test(sharp) - train(sharp), test(flat) - train(flat)
    assert rise_sharp / rise_flat == pytest.approx(25, rel=0.1)  # the curvature ratio, ~½L''δ²


def test_sharp_and_flat_refuses_bad_input():
    with pytest.raises(TypeError, match="shift must be a real number"):
        basins.SharpAndFlat(shift="a little")
    with pytest.raises(ValueError, match="w contains NaN"):
        basins.SharpAndFlat()(np.nan)


def test_importing_the_lesson_modules_loads_neither_torch_nor_matplotlib():
    code = (
        "import sys\n"
        "import course_utils.lessons.local_minima_and_saddle_points.basins\n"
        "import course_utils.lessons.local_minima_and_saddle_points.demos\n"
        "import course_utils.lessons.local_minima_and_saddle_points.checks\n"
        "import course_utils.lessons.local_minima_and_saddle_points.figures\n"
        "print(sorted({'matplotlib', 'torch', 'ipywidgets'} & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"


def test_numerical_hessian_matches_the_landscapes_own():
    two = landscapes.two_minima()
    for w in ([0.3, -0.2], [-1.0, 0.5]):
        np.testing.assert_allclose(
            basins.numerical_hessian(two, np.array(w)), two.hessian(np.array(w)), atol=1e-4
        )
    with pytest.raises(ValueError, match="1-D array"):
        basins.numerical_hessian(two, np.zeros((2, 2)))
    with pytest.raises(TypeError, match="f must be a function"):
        basins.numerical_hessian("two", np.zeros(2))
