"""Lesson 08's demo: the RMSProp explorer draws the run and the effective learning rates."""

import numpy as np
import pytest

from course_utils import adaptive, landscapes
from course_utils.lessons.rmsprop import demos
from course_utils.training import descend


@pytest.fixture(scope="module")
def rmsprop_demo():
    pytest.importorskip("ipywidgets")
    return demos.rmsprop_explorer(steps=300)


def _title(demo):
    return demo.figure._suptitle.get_text()


def test_rmsprop_explorer_draws_the_run_its_sliders_ask_for(rmsprop_demo):
    assert set(rmsprop_demo.controls) == {"alpha", "lr"}
    rmsprop_demo.set(alpha=0.9, lr=0.02)
    expected = descend(landscapes.rosenbrock(), None, "rmsprop", 300, lr=0.02, alpha=0.9)
    np.testing.assert_array_equal(rmsprop_demo.result.points, expected.points)
    assert "α = 0.9" in _title(rmsprop_demo) and "memory ≈ 10 steps" in _title(rmsprop_demo)
    lines = [a for a in rmsprop_demo.animated if a.get_label().startswith("RMSProp, w")]
    grads = landscapes.rosenbrock().grad(expected.points[:-1])
    rates = adaptive.rmsprop_effective_lr(grads, 0.02, 0.9)
    np.testing.assert_allclose(np.column_stack([line.get_ydata() for line in lines]), rates)


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: demos.rmsprop_explorer(alpha=0.42), "alpha"),
        (lambda: demos.rmsprop_explorer(lr=1.0), "lr"),
        (lambda: demos.rmsprop_explorer(adagrad_lr=-1.0), "adagrad_lr"),
    ],
)
def test_explorers_refuse_bad_settings(make, name):
    pytest.importorskip("ipywidgets")
    with pytest.raises(ValueError, match=name):
        make()
