"""Lessons 07–08 helpers: effective learning rates, the torch path, both demos, the figures."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import landscapes, optim
from course_utils.demos import adaptive
from course_utils.training import Trajectory, descend


def _run(rule, grads, **hyperparameters):
    """Per-step multipliers (w_{t−1} − w_t) / g_t of a pure update rule fed ``grads``."""
    w, state, multipliers = np.zeros(grads.shape[1]), np.zeros(grads.shape[1]), []
    for grad in grads:
        new_w, state = rule(w, grad, state, **hyperparameters)
        multipliers.append((w - new_w) / grad)
        w = new_w
    return np.array(multipliers)


@pytest.fixture
def grads():
    return np.random.default_rng(0).normal(scale=[0.01, 1.0, 100.0], size=(200, 3))


# ---------------------------------------------------------------------------------------------
# Effective learning rates
# ---------------------------------------------------------------------------------------------


def test_adagrad_effective_lr_is_the_multiplier_of_each_step(grads):
    expected = _run(optim.adagrad_update, grads, lr=0.3, eps=1e-6)
    np.testing.assert_allclose(adaptive.adagrad_effective_lr(grads, 0.3, 1e-6), expected, rtol=1e-9)


@pytest.mark.parametrize("alpha", [0.0, 0.5, 0.9, 0.99])
def test_rmsprop_effective_lr_is_the_multiplier_of_each_step(grads, alpha):
    expected = _run(optim.rmsprop_update, grads, lr=0.02, alpha=alpha, eps=1e-8)
    np.testing.assert_allclose(
        adaptive.rmsprop_effective_lr(grads, 0.02, alpha, 1e-8), expected, rtol=1e-9
    )


def test_under_a_steady_gradient_adagrad_fades_and_rmsprop_settles():
    t = np.arange(1, 3001)
    steady = np.full(3000, -4.0)
    np.testing.assert_allclose(
        adaptive.adagrad_effective_lr(steady, lr=0.1, eps=0.0), 0.1 / (4 * np.sqrt(t)), rtol=1e-12
    )
    rms = adaptive.rmsprop_effective_lr(steady, lr=0.1, alpha=0.99, eps=0.0)
    np.testing.assert_allclose(rms, 0.1 / (4 * np.sqrt(1 - 0.99**t)), rtol=1e-9)
    assert rms[0] == pytest.approx(0.1 / (4 * np.sqrt(0.01)))  # the start-up: η/√(1 − α)


def test_effective_lr_keeps_shape_and_float32():
    grads = np.ones((5, 2), dtype=np.float32)
    for result in (adaptive.adagrad_effective_lr(grads), adaptive.rmsprop_effective_lr(grads)):
        assert result.shape == (5, 2) and result.dtype == np.float32
    assert adaptive.adagrad_effective_lr([1.0, 2.0, 3.0]).shape == (3,)


def test_a_weight_that_never_had_a_gradient_keeps_lr_over_eps():
    zero = np.zeros((4, 1))
    assert np.all(adaptive.adagrad_effective_lr(zero, lr=0.1, eps=1e-10) == 0.1 / 1e-10)


@pytest.mark.parametrize(
    "call, error, name",
    [
        (lambda: adaptive.adagrad_effective_lr([]), ValueError, "grads"),
        (lambda: adaptive.adagrad_effective_lr(np.ones((2, 2, 2))), ValueError, "grads"),
        (lambda: adaptive.adagrad_effective_lr([1.0, np.nan]), ValueError, "grads"),
        (lambda: adaptive.adagrad_effective_lr("steep"), TypeError, "grads"),
        (lambda: adaptive.adagrad_effective_lr([1.0], eps=-1.0), ValueError, "eps"),
        (lambda: adaptive.rmsprop_effective_lr([1.0], alpha=1.0), ValueError, "alpha"),
        (lambda: adaptive.rmsprop_effective_lr([1.0], alpha=-0.1), ValueError, "alpha"),
        (lambda: adaptive.rmsprop_effective_lr([1.0], lr="0.1"), TypeError, "lr"),
    ],
)
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()


@settings(max_examples=25, deadline=None)
@given(lr=st.floats(max_value=-1e-12, allow_nan=False, allow_infinity=False))
def test_a_negative_learning_rate_is_refused(lr):
    for effective_lr in (adaptive.adagrad_effective_lr, adaptive.rmsprop_effective_lr):
        with pytest.raises(ValueError, match="lr must be ≥ 0"):
            effective_lr([1.0, 2.0], lr=lr)


# ---------------------------------------------------------------------------------------------
# torch_path
# ---------------------------------------------------------------------------------------------


def test_torch_path_matches_the_course_optimizers():
    torch = pytest.importorskip("torch")
    valley = landscapes.rosenbrock()
    for name, make, settings_ in [
        ("adagrad", lambda p: torch.optim.Adagrad(p, lr=0.5), {"lr": 0.5}),
        (
            "rmsprop",
            lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9),
            {"lr": 0.01, "alpha": 0.9},
        ),
    ]:
        theirs = adaptive.torch_path(valley, make, steps=40, start=[0.5, -0.5])
        ours = descend(valley, [0.5, -0.5], name, 40, **settings_).points
        assert theirs.shape == (41, 2) and theirs.dtype == np.float64
        np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(
        adaptive.torch_path("rosenbrock", lambda p: torch.optim.SGD(p, lr=0.0), 3)[-1], valley.start
    )


def test_torch_path_bad_input():
    with pytest.raises(TypeError, match="make_optimizer"):
        adaptive.torch_path(landscapes.rosenbrock(), "adam", steps=3)
    with pytest.raises(ValueError, match="steps"):
        adaptive.torch_path(landscapes.rosenbrock(), lambda p: None, steps=0)
    with pytest.raises(TypeError, match="landscape"):
        adaptive.torch_path(42, lambda p: None, steps=3)


# ---------------------------------------------------------------------------------------------
# The demos
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def adagrad_demo():
    pytest.importorskip("ipywidgets")
    return adaptive.adagrad_explorer()


@pytest.fixture(scope="module")
def rmsprop_demo():
    pytest.importorskip("ipywidgets")
    return adaptive.rmsprop_explorer(steps=300)


def _title(demo):
    return demo.figure._suptitle.get_text()


def test_adagrad_explorer_draws_the_run_its_sliders_ask_for(adagrad_demo):
    bowl = landscapes.quadratic_bowl(100.0)
    assert set(adagrad_demo.controls) == {"lr", "eps"}
    assert bytes(adagrad_demo.image.value).startswith(b"\x89PNG")
    adagrad_demo.set(lr=1.2, eps=1e-3)
    expected = descend(bowl, [-1.5, 1.5], "adagrad", 60, lr=1.2, eps=1e-3)
    assert isinstance(adagrad_demo.result, Trajectory)
    np.testing.assert_array_equal(adagrad_demo.result.points, expected.points)
    assert "η = 1.2" in _title(adagrad_demo) and "ε = 0.001" in _title(adagrad_demo)
    assert adagrad_demo.error is None


def test_adagrad_explorer_plots_the_effective_learning_rates(adagrad_demo):
    adagrad_demo.set(lr=0.5, eps=1e-10)
    x_line, y_line = [a for a in adagrad_demo.animated if a.get_label().startswith("AdaGrad, w")]
    ratio = x_line.get_ydata() / y_line.get_ydata()
    np.testing.assert_allclose(ratio, 100.0, rtol=1e-6)  # the curvatures' ratio, lesson 07
    np.testing.assert_array_equal(x_line.get_xdata(), np.arange(1, 61))


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
        (lambda: adaptive.adagrad_explorer(lr=0.0), "lr"),
        (lambda: adaptive.adagrad_explorer(eps=100.0), "eps"),
        (lambda: adaptive.adagrad_explorer(steps=0), "steps"),
        (lambda: adaptive.adagrad_explorer(condition_number=0.5), "condition_number"),
        (lambda: adaptive.rmsprop_explorer(alpha=0.42), "alpha"),
        (lambda: adaptive.rmsprop_explorer(lr=1.0), "lr"),
        (lambda: adaptive.rmsprop_explorer(adagrad_lr=-1.0), "adagrad_lr"),
    ],
)
def test_explorers_refuse_bad_settings(make, name):
    pytest.importorskip("ipywidgets")
    with pytest.raises(ValueError, match=name):
        make()


# ---------------------------------------------------------------------------------------------
# The figures
# ---------------------------------------------------------------------------------------------


def test_the_lessons_figures_are_registered_titled_and_labelled():
    from course_utils import figures
    from course_utils.figures import adaptive as adaptive_figures

    for name, make in [
        ("07_adagrad_vs_gd", adaptive_figures.adagrad_vs_gd),
        ("08_step_sizes", adaptive_figures.step_sizes),
    ]:
        assert figures._REGISTRY[name] is make
        fig = make()
        assert len(fig.axes) == 2
        for ax in fig.axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
