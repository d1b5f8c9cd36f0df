"""The NumPy models: losses and gradients against torch.autograd and finite differences."""

import re

import numpy as np
import pytest
import torch

from course_utils.losses import numerical_gradient
from course_utils.models import LinearRegression, SoftmaxRegression


def _random_weights(model, rng, dtype=np.float64):
    for param in model.params:
        param[...] = rng.normal(size=param.shape).astype(dtype)


@pytest.fixture
def regression():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(17, 3)), rng.normal(size=17)
    model = LinearRegression(3)
    _random_weights(model, rng)
    return model, X, y


@pytest.fixture
def classification():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(13, 4)), rng.integers(0, 5, size=13)
    model = SoftmaxRegression(4, 5)
    _random_weights(model, rng)
    return model, X, y


def _torch_params(model):
    return [torch.tensor(param, dtype=torch.float64, requires_grad=True) for param in model.params]


def test_linear_regression_matches_torch(regression):
    model, X, y = regression
    loss, grads = model.loss_and_grads(X, y)
    w, b = _torch_params(model)
    torch_loss = torch.nn.functional.mse_loss(torch.from_numpy(X) @ w + b, torch.from_numpy(y))
    torch_loss.backward()
    assert loss == pytest.approx(torch_loss.item(), rel=1e-12)
    np.testing.assert_allclose(grads[0], w.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grads[1], b.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(model.predict(X), X @ model.params[0] + model.params[1][0])


def test_softmax_regression_matches_torch(classification):
    model, X, y = classification
    loss, grads = model.loss_and_grads(X, y)
    W, b = _torch_params(model)
    logits = torch.from_numpy(X) @ W + b
    torch_loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(y))
    torch_loss.backward()
    assert loss == pytest.approx(torch_loss.item(), rel=1e-12)
    np.testing.assert_allclose(grads[0], W.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grads[1], b.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(model.predict_proba(X), torch.softmax(logits, 1).detach().numpy())
    np.testing.assert_array_equal(model.predict(X), logits.argmax(1).numpy())


@pytest.mark.parametrize("make", ["regression", "classification"])
def test_gradients_match_finite_differences(make, request):
    model, X, y = request.getfixturevalue(make)
    _, grads = model.loss_and_grads(X, y)
    for param, grad in zip(model.params, grads, strict=True):
        original = param.copy()

        def loss_at(value, param=param):
            param[...] = value
            return model.loss(X, y)

        numerical = numerical_gradient(loss_at, original)
        param[...] = original
        assert grad.shape == param.shape
        np.testing.assert_allclose(grad, numerical, rtol=1e-6, atol=1e-9)


def test_loss_and_grads_leave_the_weights_and_data_alone(classification):
    model, X, y = classification
    before = [param.copy() for param in model.params]
    X_before, y_before = X.copy(), y.copy()
    model.loss_and_grads(X, y)
    for param, original in zip(model.params, before, strict=True):
        np.testing.assert_array_equal(param, original)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_models_start_at_zero_with_the_documented_shapes():
    linear, softmax = LinearRegression(3), SoftmaxRegression(4, 5)
    assert [p.shape for p in linear.params] == [(3,), (1,)]
    assert [p.shape for p in softmax.params] == [(4, 5), (5,)]
    assert all(np.all(p == 0) for p in linear.params + softmax.params)
    # Zero weights: every class equally likely, so the loss is log k.
    X, y = np.ones((6, 4)), np.arange(6) % 5
    assert softmax.loss(X, y) == pytest.approx(np.log(5))


def test_float32_models_compute_in_float32():
    rng = np.random.default_rng(2)
    model = SoftmaxRegression(3, 2, dtype=np.float32)
    X, y = rng.normal(size=(8, 3)), rng.integers(0, 2, size=8)
    _random_weights(model, rng, np.float32)
    _, grads = model.loss_and_grads(X, y)
    assert all(p.dtype == np.float32 for p in model.params)
    assert all(g.dtype == np.float32 for g in grads)
    linear = LinearRegression(3, dtype=np.float32)
    assert linear.predict(X).dtype == np.float32


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: LinearRegression(0), ValueError, "n_features"),
        (lambda: LinearRegression(2.5), TypeError, "n_features"),
        (lambda: SoftmaxRegression(3, 1), ValueError, "n_classes"),
        (lambda: LinearRegression(3, dtype=np.int64), ValueError, "dtype"),
        (lambda: LinearRegression(3).predict(np.ones((4, 2))), ValueError, "X must have shape"),
        (lambda: LinearRegression(3).predict(np.ones(3)), ValueError, "X must have shape"),
        (lambda: LinearRegression(3).predict([[np.nan] * 3]), ValueError, "X contains NaN"),
        (lambda: LinearRegression(3).loss(np.ones((4, 3)), np.ones(5)), ValueError, "y must"),
        (lambda: SoftmaxRegression(3, 2).loss(np.ones((4, 3)), np.ones(4)), TypeError, "labels"),
        (lambda: SoftmaxRegression(3, 2).loss(np.ones((4, 3)), [0, 1, 2, 0]), ValueError, "[0, 2)"),
    ],
)
def test_bad_input_is_refused_by_name(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()
