"""Lesson 05's demos: batches, their gradient errors and throughput, the plots and demo."""

import numpy as np
import pytest

from course_utils import regression
from course_utils.lessons.mini_batches import demos


@pytest.fixture(scope="module")
def lesson_landscape():
    return regression.regression_landscape(*regression.regression_data(n=200))


# ---------------------------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------------------------


def test_random_batches_draw_without_replacement():
    batches = demos.random_batches(20, 7, 50, np.random.default_rng(0))
    assert batches.shape == (50, 7)
    assert all(len(set(row)) == 7 for row in batches)
    assert batches.min() >= 0 and batches.max() < 20
    with pytest.raises(ValueError, match="at most n"):
        demos.random_batches(5, 6, 1, np.random.default_rng(0))


def test_batch_gradient_errors_follow_one_over_root_b():
    landscape = regression.regression_landscape(*regression.regression_data(n=20_000, seed=2))
    w = landscape.start
    sizes = np.array([1, 4, 16, 64, 256])
    errors = demos.batch_gradient_errors(landscape, w, sizes, batches=300, seed=0)
    sigma = np.sqrt(np.mean(np.sum((landscape.example_grads(w) - landscape.grad(w)) ** 2, 1)))
    np.testing.assert_allclose(errors, sigma / np.sqrt(sizes), rtol=0.2)
    assert np.polyfit(np.log(sizes), np.log(errors), 1)[0] == pytest.approx(-0.5, abs=0.06)
    # the whole set as the batch is the full gradient: no error at all
    whole = demos.batch_gradient_errors(landscape, w, [landscape.n], batches=2)
    assert whole[0] < 1e-10


def test_gradient_throughput_is_positive_per_batch_size():
    x, y = regression.regression_data(n=2000)
    rates = demos.gradient_throughput(np.column_stack([x, np.ones_like(x)]), y, [1, 256], 0.01)
    assert rates.shape == (2,) and np.all(rates > 0)
    assert rates[1] > rates[0]


# ---------------------------------------------------------------------------------------------
# Plots and demos
# ---------------------------------------------------------------------------------------------


def test_gradient_estimates_draws_on_the_given_axes(lesson_landscape):
    from matplotlib.figure import Figure

    axes = Figure().subplots()
    w = lesson_landscape.start
    estimates = lesson_landscape.batch_grad(w, np.arange(200).reshape(-1, 50))
    ax = demos.gradient_estimates(
        {"ordered": estimates}, lesson_landscape.grad(w), ax=axes, connect=["ordered"]
    )
    assert ax.get_title() == "Gradient estimates"


def test_batch_cloud_explorer_shrinks_the_cloud_like_one_over_root_b():
    demo = demos.batch_cloud_explorer(batch_size=1, count=100, n=5000)
    spread_1 = np.std(demo.result, axis=0)
    demo.set(batch_size=256)
    assert demo.result.shape == (100, 2)
    np.testing.assert_allclose(np.std(demo.result, axis=0), spread_1 / 16, rtol=0.4)
    with pytest.raises(ValueError, match="batch_size must be one of"):
        demos.batch_cloud_explorer(batch_size=3)


def test_sorted_batches_are_unbiased_over_an_epoch_but_far_off_one_by_one():
    batches = demos.sorted_batches(n=200, batch_size=20, count=50, seed=3)
    assert batches.in_order.shape == (10, 2) and batches.at_random.shape == (50, 2)
    assert np.all(np.diff(batches.landscape.y) >= 0)  # sorted by target
    assert np.allclose(batches.in_order.mean(axis=0), batches.exact, rtol=1e-12, atol=1e-12)
    in_order, at_random = batches.rms_errors()
    assert in_order > 2 * at_random
    with pytest.raises(ValueError, match="must divide"):
        demos.sorted_batches(n=200, batch_size=30)
