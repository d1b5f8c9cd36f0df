"""course_utils.adaptive: the effective learning rates of AdaGrad and RMSProp, and the seed's
errors in them."""

from functools import partial

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


# ---------------------------------------------------------------------------------------------
# The seed's errors, one at a time, and short runs of any update rule
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "reference"), [("adagrad", optim.adagrad_update), ("rmsprop", optim.rmsprop_update)]
)
def test_seed_variant_without_errors_is_the_rule(rule, reference, grads):
    ours = adaptive.run_rule(
        adaptive.seed_variant(rule), lambda w: w + grads[0], np.ones(3), 20, lr=0.1
    )
    theirs = adaptive.run_rule(reference, lambda w: w + grads[0], np.ones(3), 20, lr=0.1)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)  # the order of operations
    assert adaptive.seed_variant(rule).__name__ == f"{rule}_update"


def test_seed_variant_makes_each_error_as_the_seed_writes_it():
    w, g, G = np.array([1.0, 2.0]), np.array([0.5, -3.0]), np.array([4.0, 9.0])
    lr, eps, alpha = 0.1, 1e-7, 0.9
    ada, rms = partial(adaptive.seed_variant, "adagrad"), partial(adaptive.seed_variant, "rmsprop")
    cases = [
        (ada("accumulator"), G + g, lambda s: w - lr * g / (np.sqrt(s) + eps)),
        (ada("root"), G + g**2, lambda s: w - lr * g / (s + eps)),
        (ada("eps"), G + g**2, lambda s: w - lr * g / np.sqrt(s) + eps),
        (ada("accumulator", "root", "eps"), G + g, lambda s: w - lr * g / s + eps),
        (
            rms("accumulator"),
            alpha * G + (1 - alpha) + g,
            lambda s: w - lr * g / (np.sqrt(s) + eps),
        ),
        (rms("root", "eps"), alpha * G + (1 - alpha) * g**2, lambda s: w - lr * g / s + eps),
    ]
    for update, state, step in cases:
        with np.errstate(invalid="ignore"):
            new_w, new_state = update(w, g, G, lr=lr, eps=eps, alpha=alpha)
            np.testing.assert_array_equal(new_state, state)
            np.testing.assert_array_equal(new_w, step(state))


def test_seed_variant_refuses_unknown_rules_and_errors():
    with pytest.raises(ValueError, match="rule"):
        adaptive.seed_variant("adam")
    with pytest.raises(ValueError, match="errors"):
        adaptive.seed_variant("adagrad", "sqrt")


def test_run_rule_stops_at_the_first_nan_and_keeps_it():
    path = adaptive.run_rule(adaptive.seed_variant("adagrad", "eps"), lambda w: w, [0.0, 1.0], 10)
    assert path.shape == (2, 2) and np.isnan(path[1, 0]) and path[1, 1] < 1
    path = adaptive.run_rule(optim.adagrad_update, lambda w: w, [0.0, 1.0], 10, lr=0.1)
    assert path.shape == (11, 2) and np.isfinite(path).all() and (np.diff(path[:, 1]) < 0).all()
