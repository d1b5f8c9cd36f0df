"""course_utils.adaptive: the effective learning rates of AdaGrad and RMSProp."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import adaptive, optim


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
