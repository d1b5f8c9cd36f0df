"""Loss-landscape slices: filter normalization (Li et al. 2018), lines and planes on a torch net."""

import numpy as np
import pytest
import torch
from torch.func import functional_call

from course_utils.lessons.beyond import loss_slices


def _net(seed=0, dtype=torch.float64):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.ReLU(), torch.nn.Linear(7, 3)).to(
        dtype
    )


def _data(seed=0, n=40):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 5)), rng.integers(0, 3, size=n)


def _torch_loss(model, weights, X, y):
    """The loss at ``weights`` computed by torch alone, without touching the model."""
    names = [name for name, _ in model.named_parameters()]
    params = {name: torch.tensor(w) for name, w in zip(names, weights, strict=True)}
    logits = functional_call(model, params, (torch.tensor(X),))
    return torch.nn.functional.cross_entropy(logits, torch.tensor(y)).item()


def _same(weights_a, weights_b):
    return all(np.array_equal(a, b) for a, b in zip(weights_a, weights_b, strict=True))


# -- weights in and out ------------------------------------------------------------------------


def test_weights_of_copies_and_set_weights_writes_in_place():
    model = _net()
    weights = loss_slices.weights_of(model)
    assert [w.shape for w in weights] == [(7, 5), (7,), (3, 7), (3,)]
    weights[0][0, 0] += 1.0  # a copy: the model does not change
    assert model[0].weight[0, 0].item() == weights[0][0, 0] - 1.0
    loss_slices.set_weights(model, weights)
    assert model[0].weight[0, 0].item() == weights[0][0, 0]
    with pytest.raises(ValueError, match="shapes"):
        loss_slices.set_weights(model, weights[:3])
    with pytest.raises(TypeError, match="list of arrays"):
        loss_slices.set_weights(model, weights[0])
    with pytest.raises(TypeError, match="torch.nn.Module"):
        loss_slices.weights_of(weights)


def test_interpolate_is_the_straight_line_and_leaves_its_inputs_alone():
    a, b = loss_slices.weights_of(_net(0)), loss_slices.weights_of(_net(1))
    kept_a, kept_b = [x.copy() for x in a], [x.copy() for x in b]
    assert _same(loss_slices.interpolate(a, b, 0.0), a) and _same(
        loss_slices.interpolate(a, b, 1.0), b
    )
    for alpha in (0.25, -0.5, 1.5):
        for got, x, z in zip(loss_slices.interpolate(a, b, alpha), a, b, strict=True):
            np.testing.assert_allclose(got, x + alpha * (z - x), rtol=1e-13, atol=1e-15)
    assert _same(a, kept_a) and _same(b, kept_b)
    with pytest.raises(TypeError, match="alpha"):
        loss_slices.interpolate(a, b, "half")
    with pytest.raises(ValueError, match="weights_b"):
        loss_slices.interpolate(a, b[::-1], 0.5)


# -- filter normalization ------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(4, 6), (3, 2, 3, 3), (5, 1)])
def test_each_filter_gets_the_norm_of_its_weights_filter_and_keeps_its_direction(shape):
    rng = np.random.default_rng(1)
    direction, weights = rng.normal(size=shape), 3.0 * rng.normal(size=shape)
    kept = direction.copy()
    normalized = loss_slices.filter_normalize(direction, weights)
    flat_d, flat_n, flat_w = (x.reshape(shape[0], -1) for x in (direction, normalized, weights))
    np.testing.assert_allclose(
        np.linalg.norm(flat_n, axis=1), np.linalg.norm(flat_w, axis=1), rtol=1e-13
    )
    scale = np.linalg.norm(flat_n, axis=1) / np.linalg.norm(flat_d, axis=1)
    np.testing.assert_allclose(flat_n, scale[:, None] * flat_d, rtol=1e-13)
    assert np.array_equal(direction, kept)


def test_filter_normalize_matches_li_et_al_written_in_torch():
    # net_plotter.normalize_direction(norm="filter"): d.mul_(w.norm() / d.norm()) per filter.
    rng = np.random.default_rng(2)
    direction, weights = rng.normal(size=(8, 3, 3, 3)), rng.normal(size=(8, 3, 3, 3))
    expected = torch.tensor(direction)
    for d, w in zip(expected, torch.tensor(weights), strict=True):
        d.mul_(w.norm() / d.norm())
    np.testing.assert_allclose(
        loss_slices.filter_normalize(direction, weights), expected.numpy(), rtol=1e-12
    )


def test_biases_get_zero_direction_and_zero_filters_stay_zero():
    rng = np.random.default_rng(3)
    assert np.array_equal(
        loss_slices.filter_normalize(rng.normal(size=5), rng.normal(size=5)), np.zeros(5)
    )
    assert loss_slices.filter_normalize(2.0, 3.0) == 0.0
    direction = rng.normal(size=(3, 4))
    direction[1] = 0.0
    normalized = loss_slices.filter_normalize(direction, rng.normal(size=(3, 4)))
    assert np.array_equal(normalized[1], np.zeros(4)) and np.all(np.isfinite(normalized))


def test_filter_normalize_keeps_float32_and_refuses_bad_input():
    rng = np.random.default_rng(4)
    d, w = rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=(3, 4)).astype(np.float32)
    assert loss_slices.filter_normalize(d, w).dtype == np.float32
    with pytest.raises(ValueError, match="shape"):
        loss_slices.filter_normalize(d, w.T)
    with pytest.raises(ValueError, match="NaN"):
        loss_slices.filter_normalize(np.full((2, 2), np.nan), np.ones((2, 2)))
    with pytest.raises(TypeError, match="direction"):
        loss_slices.filter_normalize("up", w)


def test_random_direction_is_seeded_filter_normalized_and_zero_on_biases():
    weights = loss_slices.weights_of(_net())
    first = loss_slices.random_direction(weights, np.random.default_rng(5))
    assert _same(first, loss_slices.random_direction(weights, np.random.default_rng(5)))
    assert not _same(first, loss_slices.random_direction(weights, np.random.default_rng(6)))
    for d, w in zip(first, weights, strict=True):
        assert d.shape == w.shape and d.dtype == w.dtype
        if w.ndim == 1:
            assert np.array_equal(d, np.zeros_like(w))
        else:
            np.testing.assert_allclose(
                np.linalg.norm(d, axis=1), np.linalg.norm(w, axis=1), rtol=1e-12
            )
    with pytest.raises(TypeError, match="rng"):
        loss_slices.random_direction(weights, 5)


# -- losses along lines and planes ---------------------------------------------------------------


def test_loss_at_and_interpolation_losses_agree_with_torch_and_restore_the_model():
    model, X, y = _net(), *_data()
    a, b = loss_slices.weights_of(_net(1)), loss_slices.weights_of(_net(2))
    own = loss_slices.weights_of(model)
    assert loss_slices.loss_at(model, a, X, y) == pytest.approx(
        _torch_loss(model, a, X, y), rel=1e-12
    )
    alphas = np.array([-0.5, 0.0, 0.3, 1.0, 1.5])
    losses = loss_slices.interpolation_losses(model, a, b, X, y, alphas)
    expected = [_torch_loss(model, loss_slices.interpolate(a, b, alpha), X, y) for alpha in alphas]
    np.testing.assert_allclose(losses, expected, rtol=1e-12)
    assert losses.shape == alphas.shape
    assert _same(loss_slices.weights_of(model), own)


def test_loss_grid_puts_alpha_along_columns_and_beta_along_rows():
    model, X, y = _net(), *_data()
    w = loss_slices.weights_of(model)
    dx = loss_slices.random_direction(w, np.random.default_rng(0))
    dy = loss_slices.random_direction(w, np.random.default_rng(1))
    alphas, betas = np.array([-1.0, 0.0, 0.5, 1.0]), np.array([0.0, 0.75, -0.25])
    grid = loss_slices.loss_grid(model, w, dx, dy, X, y, alphas, betas)
    assert grid.shape == (3, 4)
    for j, beta in enumerate(betas):
        for i, alpha in enumerate(alphas):
            point = [p + alpha * u + beta * v for p, u, v in zip(w, dx, dy, strict=True)]
            assert grid[j, i] == pytest.approx(_torch_loss(model, point, X, y), rel=1e-12)
    assert grid[0, 1] == pytest.approx(loss_slices.loss_at(model, w, X, y), rel=1e-14)
    assert loss_slices.loss_grid(model, w, dx, dy, X, y, alphas).shape == (4, 4)
    assert _same(loss_slices.weights_of(model), w)


def test_slices_along_filter_normalized_directions_ignore_how_relu_layers_are_scaled():
    # Li et al.'s point: w1·c, b1·c, w2/c computes the same function; a raw random direction
    # sees a different landscape, a filter-normalized one sees the same.
    model, X, y = _net(), *_data()
    w = loss_slices.weights_of(model)
    c = 4.0
    rescaled = [w[0] * c, w[1] * c, w[2] / c, w[3]]
    alphas = np.linspace(-1, 1, 5)

    def slice_through(weights, normalize):
        rng = np.random.default_rng(7)
        raw = [rng.standard_normal(p.shape) for p in weights]
        d = (
            [loss_slices.filter_normalize(r, p) for r, p in zip(raw, weights, strict=True)]
            if normalize
            else raw
        )
        end = [p + q for p, q in zip(weights, d, strict=True)]
        return loss_slices.interpolation_losses(model, weights, end, X, y, alphas)

    np.testing.assert_allclose(slice_through(rescaled, True), slice_through(w, True), rtol=1e-10)
    assert not np.allclose(slice_through(rescaled, False), slice_through(w, False), rtol=1e-3)


def test_slices_refuse_bad_input_and_restore_weights_when_they_fail():
    model, X, y = _net(), *_data()
    w = loss_slices.weights_of(model)
    with pytest.raises(ValueError, match="alphas"):
        loss_slices.interpolation_losses(model, w, w, X, y, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="X must have shape"):
        loss_slices.loss_at(model, w, X[:, :, None], y)
    with pytest.raises(ValueError, match="direction_y"):
        loss_slices.loss_grid(model, w, w, w[:2], X, y, [0.0])
    with pytest.raises(RuntimeError):  # the network cannot take 4 features
        loss_slices.loss_at(model, [p * 0 for p in w], X[:, :4], y)
    assert _same(loss_slices.weights_of(model), w)


def test_float32_models_are_evaluated_in_float32():
    model, X, y = _net(dtype=torch.float32), *_data()
    w = loss_slices.weights_of(model)
    assert all(p.dtype == np.float32 for p in w)
    expected = torch.nn.functional.cross_entropy(
        model(torch.tensor(X, dtype=torch.float32)), torch.tensor(y)
    ).item()
    assert loss_slices.loss_at(model, w, X, y) == expected


def test_mean_rise_is_the_mean_loss_on_a_circle_minus_the_centre():
    model, X, y = _net(), *_data()
    w = loss_slices.weights_of(model)
    dx, dy = (loss_slices.random_direction(w, np.random.default_rng(s)) for s in (1, 2))
    angles = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    on_circle = [
        _torch_loss(
            model,
            [p + 0.3 * (np.cos(a) * u + np.sin(a) * v) for p, u, v in zip(w, dx, dy, strict=True)],
            X,
            y,
        )
        for a in angles
    ]
    expected = np.mean(on_circle) - _torch_loss(model, w, X, y)
    assert loss_slices.mean_rise(model, w, dx, dy, X, y, radius=0.3, n=8) == pytest.approx(
        expected, rel=1e-9
    )
    zero = [np.zeros_like(p) for p in w]
    assert loss_slices.mean_rise(model, w, zero, zero, X, y) == pytest.approx(0, abs=1e-12)
