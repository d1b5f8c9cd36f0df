"""The Bézier path between two solutions (Garipov et al. 2018): its formula, its training."""

import numpy as np
import pytest
import torch

from course_utils import network
from course_utils.lessons.beyond import curves, loss_slices

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _weights(seed):
    return loss_slices.weights_of(network.mlp(5, (7,), 3, seed=seed))


def _data(seed=0, n=48):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)


def test_the_curve_starts_and_ends_at_the_two_solutions_and_bends_towards_theta():
    a, theta, b = _weights(0), _weights(1), _weights(2)
    for got, want in zip(curves.bezier_point(a, theta, b, 0.0), a, strict=True):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(curves.bezier_point(a, theta, b, 1.0), b, strict=True):
        np.testing.assert_array_equal(got, want)
    middle = curves.bezier_point(a, theta, b, 0.5)  # ¼ a + ½ θ + ¼ b
    for got, wa, wt, wb in zip(middle, a, theta, b, strict=True):
        np.testing.assert_allclose(got, wa / 4 + wt / 2 + wb / 4, rtol=1e-6)


def test_one_step_is_sgd_on_the_loss_at_the_drawn_point_of_the_curve():
    X, y = _data()
    model = network.mlp(5, (7,), 3)
    a, b = _weights(1), _weights(2)
    theta = curves.train_bezier(
        model, a, b, X, y, steps=1, lr=0.1, momentum=0.0, batch_size=16, seed=4
    )
    rng = np.random.default_rng(4)  # the same draws as train_bezier's
    batch, t = rng.choice(len(X), size=16, replace=False), rng.uniform()
    start = [(wa + wb) / 2 for wa, wb in zip(a, b, strict=True)]
    loss_slices.set_weights(model, curves.bezier_point(a, start, b, t))
    loss = torch.nn.functional.cross_entropy(model(torch.tensor(X[batch])), torch.tensor(y[batch]))
    loss.backward()
    for got, m, p in zip(theta, start, model.parameters(), strict=True):
        expected = m - 0.1 * 2 * t * (1 - t) * p.grad.numpy()  # chain rule: dφ/dθ = 2t(1 − t)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_training_lowers_the_loss_in_the_middle_and_leaves_the_model_alone():
    X, y = _data(n=96)
    model = network.mlp(5, (7,), 3)
    own = loss_slices.weights_of(model)
    a, b = _weights(1), _weights(2)
    theta = curves.train_bezier(model, a, b, X, y, steps=60, lr=0.1, batch_size=32)
    ts = np.linspace(0, 1, 5)
    before = curves.curve_losses(
        model, a, [(wa + wb) / 2 for wa, wb in zip(a, b, strict=True)], b, X, y, ts
    )
    after = curves.curve_losses(model, a, theta, b, X, y, ts)
    np.testing.assert_allclose(after[[0, -1]], before[[0, -1]], rtol=1e-6)  # the ends stay
    assert after[2] < before[2]
    assert all(
        np.array_equal(p, q) for p, q in zip(loss_slices.weights_of(model), own, strict=True)
    )


def test_train_bezier_refuses_what_it_cannot_evaluate():
    X, y = _data()
    a, b = _weights(1), _weights(2)
    with pytest.raises(TypeError, match="Sequential"):
        curves.train_bezier(torch.nn.Linear(5, 3), a, b, X, y, steps=1, lr=0.1)
    with pytest.raises(TypeError, match="only Linear"):
        odd = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 3))
        curves.train_bezier(odd, a, b, X, y, steps=1, lr=0.1)
    with pytest.raises(ValueError, match="shapes"):
        curves.train_bezier(network.mlp(5, (6,), 3), a, b, X, y, steps=1, lr=0.1)
