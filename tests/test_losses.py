"""Losses and their gradients against torch.nn.functional (float64) and central differences."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils import losses

torch = pytest.importorskip("torch")
F = torch.nn.functional

RNG_SEED = 0


def regression_pair(shape, seed=RNG_SEED):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape), rng.normal(size=shape)


def torch_value_and_grad(torch_loss, y_pred, *rest):
    """torch's loss and its autograd gradient with respect to the first argument."""
    y_pred = torch.tensor(y_pred, dtype=torch.float64, requires_grad=True)
    loss = torch_loss(y_pred, *(torch.as_tensor(r) for r in rest))
    loss.backward()
    return loss.item(), y_pred.grad.numpy()


SHAPES = [(1,), (7,), (5, 3), (2, 3, 4)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    "loss, loss_grad, torch_loss",
    [(losses.mse, losses.mse_grad, F.mse_loss), (losses.mae, losses.mae_grad, F.l1_loss)],
    ids=["mse", "mae"],
)
def test_regression_losses_match_torch(shape, loss, loss_grad, torch_loss):
    y_pred, y = regression_pair(shape)
    expected_loss, expected_grad = torch_value_and_grad(torch_loss, y_pred, y)
    value = loss(y_pred, y)
    assert isinstance(value, float)
    assert value == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_allclose(loss_grad(y_pred, y), expected_grad, rtol=1e-12, atol=1e-15)
    numerical = losses.numerical_gradient(lambda p: loss(p, y), y_pred)
    np.testing.assert_allclose(loss_grad(y_pred, y), numerical, rtol=1e-6, atol=1e-9)


def test_mae_gradient_is_zero_at_ties_like_torch():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    y_pred = np.array([1.0, 2.5, 3.0, 3.0])  # two ties
    _, expected = torch_value_and_grad(F.l1_loss, y_pred, y)
    np.testing.assert_array_equal(losses.mae_grad(y_pred, y), expected)
    np.testing.assert_array_equal(losses.mae_grad(y_pred, y), [0.0, 0.25, 0.0, -0.25])


def test_regression_losses_by_hand():
    assert losses.mse([1.0, 2.0], [0.0, 0.0]) == 2.5
    assert losses.mae([1.0, -3.0], [0.0, 0.0]) == 2.0
    np.testing.assert_array_equal(losses.mse_grad([1.0, 2.0], [0.0, 0.0]), [1.0, 2.0])


@pytest.mark.parametrize("shape", [(1,), (4,), (3, 5), (2, 3, 6)])
def test_softmax_and_log_softmax_match_torch(shape):
    logits = 3 * np.random.default_rng(RNG_SEED).normal(size=shape)
    t = torch.tensor(logits)
    np.testing.assert_allclose(losses.softmax(logits), F.softmax(t, dim=-1), rtol=1e-13, atol=0)
    np.testing.assert_allclose(
        losses.log_softmax(logits), F.log_softmax(t, dim=-1), rtol=1e-13, atol=1e-15
    )
    np.testing.assert_allclose(losses.softmax(logits).sum(axis=-1), 1.0, rtol=1e-15)


def test_softmax_does_not_overflow():
    logits = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1001.0], [1e300, 1e300, 0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        log_probs = losses.log_softmax(logits)
        probs = losses.softmax(logits)
    expected = F.log_softmax(torch.tensor(logits), dim=-1).numpy()
    np.testing.assert_allclose(log_probs, expected, rtol=1e-13)
    np.testing.assert_allclose(probs[0], [1.0, 0.0, 0.0], atol=1e-300)
    np.testing.assert_allclose(probs[1], np.array([np.e, np.e, 1]) / (2 * np.e + 1), rtol=1e-15)
    expected_loss = (0 + (1 + np.log(2 + np.exp(-1))) + np.log(2)) / 3
    assert losses.cross_entropy(logits, [0, 2, 1]) == pytest.approx(expected_loss, rel=1e-15)


@pytest.mark.parametrize("n, k", [(1, 1), (1, 3), (6, 4), (20, 10)])
def test_cross_entropy_matches_torch(n, k):
    rng = np.random.default_rng(RNG_SEED)
    logits = 4 * rng.normal(size=(n, k))
    labels = rng.integers(0, k, size=n)
    expected_loss, expected_grad = torch_value_and_grad(F.cross_entropy, logits, labels)
    assert losses.cross_entropy(logits, labels) == pytest.approx(
        expected_loss, rel=1e-12, abs=1e-15
    )
    np.testing.assert_allclose(
        losses.cross_entropy_grad(logits, labels), expected_grad, rtol=1e-11, atol=1e-15
    )
    numerical = losses.numerical_gradient(lambda z: losses.cross_entropy(z, labels), logits)
    np.testing.assert_allclose(
        losses.cross_entropy_grad(logits, labels), numerical, rtol=1e-6, atol=1e-9
    )


def test_cross_entropy_accepts_lists_and_float32():
    logits32 = np.array([[2.0, 1.0], [0.5, 3.0]], dtype=np.float32)
    grad = losses.cross_entropy_grad(logits32, [0, 1])
    assert grad.dtype == np.float32
    assert losses.cross_entropy(logits32.tolist(), [0, 1]) == pytest.approx(
        F.cross_entropy(torch.tensor(logits32, dtype=torch.float64), torch.tensor([0, 1])).item()
    )


# --- numerical_gradient -------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 2, 2)])
def test_numerical_gradient_of_a_known_function(shape):
    w = np.random.default_rng(RNG_SEED).normal(size=shape)
    before = w.copy()
    grad = losses.numerical_gradient(lambda v: np.sum(np.sin(v) * v**2), w)
    assert grad.shape == w.shape and grad.dtype == np.float64
    np.testing.assert_allclose(grad, np.cos(w) * w**2 + 2 * w * np.sin(w), rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(w, before)


def test_numerical_gradient_works_in_float64_for_float32_input():
    w = np.array([0.3, -1.2], dtype=np.float32)
    grad = losses.numerical_gradient(lambda v: float(np.sum(v**3)), w)
    assert grad.dtype == np.float64 and w.dtype == np.float32
    np.testing.assert_allclose(grad, 3 * w.astype(np.float64) ** 2, rtol=1e-9)


def test_numerical_gradient_uses_h():
    # For f(w) = w³ the central difference is exactly 3w² + h²: the error term shows h.
    grad = losses.numerical_gradient(lambda v: v[0] ** 3, np.array([2.0]), h=0.1)
    assert grad[0] == pytest.approx(12.0 + 0.01, rel=1e-12)


def test_numerical_gradient_rejects_bad_arguments():
    with pytest.raises(TypeError, match="f must be a function"):
        losses.numerical_gradient("sum", np.zeros(2))
    with pytest.raises(TypeError, match="f must return a scalar"):
        losses.numerical_gradient(lambda v: v, np.zeros(2))
    with pytest.raises(ValueError, match="h must be > 0"):
        losses.numerical_gradient(np.sum, np.zeros(2), h=0.0)
    with pytest.raises(ValueError, match="h must be > 0"):
        losses.numerical_gradient(np.sum, np.zeros(2), h=-1e-5)
    with pytest.raises(ValueError, match="w contains NaN"):
        losses.numerical_gradient(np.sum, [np.nan])
    with pytest.raises(TypeError, match="w must"):
        losses.numerical_gradient(np.sum, "abc")


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [losses.mse, losses.mse_grad, losses.mae, losses.mae_grad])
def test_regression_losses_reject_bad_input(fn):
    with pytest.raises(ValueError, match="y has shape .* but y_pred has shape"):
        fn(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="y_pred contains NaN"):
        fn([np.nan, 1.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="y contains NaN"):
        fn([0.0, 1.0], [0.0, np.inf])
    with pytest.raises(TypeError, match="y_pred must"):
        fn("1.0", 1.0)
    with pytest.raises(ValueError, match="empty"):
        fn([], [])


@pytest.mark.parametrize("fn", [losses.cross_entropy, losses.cross_entropy_grad])
@pytest.mark.parametrize(
    "logits, labels, error, message",
    [
        (np.zeros((2, 3)), [0, 3], ValueError, r"labels must be class indices in \[0, 3\)"),
        (np.zeros((2, 3)), [0, -1], ValueError, r"labels must be class indices in \[0, 3\)"),
        (np.zeros((2, 3)), [0.0, 1.0], TypeError, "labels must hold integer"),
        (np.zeros((2, 3)), [True, False], TypeError, "labels must hold integer"),
        (np.zeros((2, 3)), "01", TypeError, "labels must be an array"),
        (np.zeros((2, 3)), [0, 1, 2], ValueError, r"labels must have shape \(2,\)"),
        (np.zeros((2, 3)), [[0], [1]], ValueError, r"labels must have shape \(2,\)"),
        (np.zeros(3), [0], ValueError, r"logits must have shape \(n, k\)"),
        (np.zeros((0, 3)), [], ValueError, r"logits must have shape \(n, k\)"),
        (np.zeros((2, 0)), [0, 0], ValueError, "logits must have at least one"),
        ([[np.nan, 0.0]], [0], ValueError, "logits contains NaN"),
    ],
)
def test_cross_entropy_rejects_bad_input(fn, logits, labels, error, message):
    with pytest.raises(error, match=message):
        fn(logits, labels)


@given(
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3), elements=st.floats(-50, 50))
)
def test_softmax_is_a_distribution_for_any_finite_logits(logits):
    probs = losses.softmax(logits)
    assert probs.shape == logits.shape
    assert np.all(probs >= 0)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-12)


def test_docstring_examples_run():
    import doctest

    assert doctest.testmod(losses).failed == 0


def test_import_pulls_in_no_heavy_library(imports_no_heavy_library):
    imports_no_heavy_library("course_utils.losses")
