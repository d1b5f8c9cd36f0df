"""Lesson 07's demo: the AdaGrad explorer draws the run and the effective learning rates."""

import numpy as np
import pytest

from course_utils import landscapes
from course_utils.lessons.adagrad import demos
from course_utils.runs import Run
from course_utils.training import descend


@pytest.fixture(scope="module")
def adagrad_demo():
    pytest.importorskip("ipywidgets")
    return demos.adagrad_explorer()


def _title(demo):
    return demo.figure._suptitle.get_text()


def test_adagrad_explorer_draws_the_run_its_sliders_ask_for(adagrad_demo):
    bowl = landscapes.quadratic_bowl(100.0)
    assert set(adagrad_demo.controls) == {"lr", "eps"}
    assert bytes(adagrad_demo.image.value).startswith(b"\x89PNG")
    adagrad_demo.set(lr=1.2, eps=1e-3)
    expected = descend(bowl, [-1.5, 1.5], "adagrad", 60, lr=1.2, eps=1e-3)
    assert isinstance(adagrad_demo.result, Run)
    np.testing.assert_array_equal(adagrad_demo.result.points, expected.points)
    assert "η = 1.2" in _title(adagrad_demo) and "ε = 0.001" in _title(adagrad_demo)
    assert adagrad_demo.error is None


def test_adagrad_explorer_plots_the_effective_learning_rates(adagrad_demo):
    adagrad_demo.set(lr=0.5, eps=1e-10)
    x_line, y_line = [a for a in adagrad_demo.animated if a.get_label().startswith("AdaGrad, w")]
    ratio = x_line.get_ydata() / y_line.get_ydata()
    np.testing.assert_allclose(ratio, 100.0, rtol=1e-6)  # the curvatures' ratio, lesson 07
    np.testing.assert_array_equal(x_line.get_xdata(), np.arange(1, 61))


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: demos.adagrad_explorer(lr=0.0), "lr"),
        (lambda: demos.adagrad_explorer(eps=100.0), "eps"),
        (lambda: demos.adagrad_explorer(steps=0), "steps"),
        (lambda: demos.adagrad_explorer(condition_number=0.5), "condition_number"),
    ],
)
def test_explorers_refuse_bad_settings(make, name):
    pytest.importorskip("ipywidgets")
    with pytest.raises(ValueError, match=name):
        make()


def test_best_losses_set_the_turned_bowl_beside_the_aligned_one():
    best = demos.best_losses()
    assert set(best) == {(b, m) for b in ("aligned", "turned") for m in ("GD", "AdaGrad")}
    # gradient descent does not notice the turn; AdaGrad, a diagonal preconditioner, does
    assert np.isclose(best["aligned", "GD"], best["turned", "GD"], rtol=1e-9)
    assert best["aligned", "AdaGrad"] < 1e-10 < best["turned", "GD"] < best["turned", "AdaGrad"]
    assert len(demos.TURN_LRS) == 11 and np.isclose(demos.TURN_LRS[[0, -1]], [0.01, 10**0.5]).all()


def test_best_losses_run_the_rule_they_are_given():
    def frozen(w, grad, sum_sq, lr):  # a rule that never moves
        return w, sum_sq

    best = demos.best_losses(frozen, steps=5)
    start_loss = landscapes.quadratic_bowl(100.0)(np.array([-1.5, 1.5]))
    assert np.isclose(best["aligned", "AdaGrad"], start_loss)
    assert np.isclose(best["turned", "AdaGrad"], start_loss)
