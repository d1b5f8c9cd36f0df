r"""Slices through a network's loss landscape: lines between solutions, planes around one.

A network has thousands of weights, so its loss surface cannot be drawn; a line or a plane
through it can. The weights $w$ are a list of NumPy arrays, one per parameter tensor of a torch
model (``weights_of(model)``); a *direction* $d$ is a list of the same shapes.

- 1-D: the loss along the straight line $w(\alpha) = (1 - \alpha)\,w_a + \alpha\,w_b$ between
  two solutions, or from the initial weights to the trained ones (Goodfellow et al. 2015):
  ``interpolation_losses``.
- 2-D: the loss on the plane $w + \alpha\,d_x + \beta\,d_y$ spanned by two random directions
  around a trained $w$: ``loss_grid``.

A random direction must be scaled to the network, or the picture shows the scale of the
weights instead of the shape of the loss: ReLU networks compute the same function when one
layer's weights are multiplied by $c$ and the next's divided by $c$, yet a fixed-size step
barely moves large weights and wrecks small ones. Li et al. (*Visualizing the Loss Landscape
of Neural Nets*, NeurIPS 2018) rescale each *filter* of the direction to the norm of the
same filter of the weights,

$$d_{i} \leftarrow \frac{d_{i}}{\lVert d_{i} \rVert}\, \lVert w_{i} \rVert,$$

where a filter is one slice along the first axis: one output unit's incoming weights in a
``Linear`` layer (a row of its (out, in) matrix), one convolution filter in a ``Conv2d``.
Biases (one number per unit) get direction 0, as in all the paper's figures (the ``ignore=
'biasbn'`` option of their code). Then $\alpha = 1$ moves every filter by its own length,
whatever its scale, and slices of different networks can be compared.

Every function that evaluates the loss at other weights puts the model's own weights back
before it returns. torch is imported inside the functions.
"""

import numpy as np

from ...validation import as_float_array, real

__all__ = [
    "weights_of",
    "set_weights",
    "interpolate",
    "filter_normalize",
    "random_direction",
    "loss_at",
    "interpolation_losses",
    "loss_grid",
    "mean_rise",
]


def weights_of(model):
    """Copies of the model's parameters as NumPy arrays, in ``model.parameters()`` order."""
    return [parameter.detach().numpy().copy() for parameter in _parameters(model)]


def set_weights(model, weights):
    """Copy ``weights`` (a list of arrays shaped like the parameters) into ``model`` in place."""
    import torch

    parameters = _parameters(model)
    weights = _weight_list("weights", weights, [tuple(p.shape) for p in parameters])
    with torch.no_grad():
        for parameter, array in zip(parameters, weights, strict=True):
            parameter.copy_(torch.from_numpy(array))


def interpolate(weights_a, weights_b, alpha):
    r"""$w(\alpha) = (1 - \alpha)\,w_a + \alpha\,w_b$, array by array (α = 0 gives w_a, 1 w_b).

    α outside [0, 1] extends the line beyond the two ends. Returns new arrays.
    """
    alpha = real("alpha", alpha)
    weights_a = _weight_list("weights_a", weights_a)
    weights_b = _weight_list("weights_b", weights_b, [a.shape for a in weights_a])
    return [(1 - alpha) * a + alpha * b for a, b in zip(weights_a, weights_b, strict=True)]


def filter_normalize(direction, weights):
    r"""Li et al.'s filter normalization of one parameter's direction: a new array.

    For a weight array with two or more axes, each filter (slice along the first axis, e.g.
    row i of a Linear layer's (out, in) matrix) is rescaled to the norm of the same filter
    of the weights, $d_i \leftarrow d_i\,\lVert w_i\rVert / \lVert d_i\rVert$; a filter of
    the direction that is all zeros stays zero. A bias (one axis, or a scalar) gets zeros.
    """
    direction = as_float_array("direction", direction)
    weights = as_float_array("weights", weights)
    if direction.shape != weights.shape:
        raise ValueError(
            f"direction has shape {direction.shape} but weights has shape {weights.shape}; "
            "they must match"
        )
    if direction.ndim < 2:
        return np.zeros_like(direction)
    axes = tuple(range(1, direction.ndim))
    d_norms = np.sqrt(np.sum(direction * direction, axis=axes, keepdims=True))
    w_norms = np.sqrt(np.sum(weights * weights, axis=axes, keepdims=True))
    scale = np.divide(w_norms, d_norms, out=np.zeros_like(d_norms), where=d_norms > 0)
    return (direction * scale).astype(direction.dtype, copy=False)


def random_direction(weights, rng):
    """A standard-normal direction shaped like ``weights``, filter-normalized to them.

    ``rng`` is a ``np.random.Generator``; the draws keep the weights' dtype.
    """
    weights = _weight_list("weights", weights)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a np.random.Generator, e.g. np.random.default_rng(0), got {rng!r}"
        )
    return [filter_normalize(rng.standard_normal(w.shape).astype(w.dtype), w) for w in weights]


def loss_at(model, weights, X, y):
    """The mean cross-entropy of ``model`` on (X, y) with its weights set to ``weights``.

    The model's own weights are put back afterwards.
    """
    return float(_losses(model, [weights], X, y)[0])


def interpolation_losses(model, weights_a, weights_b, X, y, alphas):
    r"""The loss at $w(\alpha) = (1 - \alpha)\,w_a + \alpha\,w_b$ for each α in ``alphas``.

    Returns an array shaped like ``alphas``. The model's own weights are put back afterwards.
    """
    alphas = _coordinates("alphas", alphas)
    points = (interpolate(weights_a, weights_b, alpha) for alpha in alphas)
    return _losses(model, points, X, y)


def loss_grid(model, weights, direction_x, direction_y, X, y, alphas, betas=None):
    r"""The loss on the plane $w + \alpha\,d_x + \beta\,d_y$: an array Z of shape (len(betas),
    len(alphas)) with Z[j, i] at (alphas[i], betas[j]).

    That is the layout ``matplotlib``'s ``contour(alphas, betas, Z)`` expects. ``betas``
    defaults to ``alphas``. The model's own weights are put back afterwards.
    """
    alphas = _coordinates("alphas", alphas)
    betas = alphas if betas is None else _coordinates("betas", betas)
    weights = _weight_list("weights", weights)
    shapes = [w.shape for w in weights]
    direction_x = _weight_list("direction_x", direction_x, shapes)
    direction_y = _weight_list("direction_y", direction_y, shapes)
    points = (
        [
            w + alpha * dx + beta * dy
            for w, dx, dy in zip(weights, direction_x, direction_y, strict=True)
        ]
        for beta in betas
        for alpha in alphas
    )
    return _losses(model, points, X, y).reshape(len(betas), len(alphas))


def mean_rise(model, weights, direction_x, direction_y, X, y, radius=0.5, n=16):
    r"""How much the loss rises, on average, on a circle around ``weights``.

    The mean loss at the ``n`` points $w + r(\cos a\, d_x + \sin a\, d_y)$, equally spaced in
    the angle $a$, minus the loss at $w$: a measure of sharpness in the units of the two
    directions. The model's own weights are put back afterwards.
    """
    radius = real("radius", radius)
    weights = _weight_list("weights", weights)
    shapes = [w.shape for w in weights]
    direction_x = _weight_list("direction_x", direction_x, shapes)
    direction_y = _weight_list("direction_y", direction_y, shapes)
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    points = (
        [
            w + radius * (np.cos(a) * dx + np.sin(a) * dy)
            for w, dx, dy in zip(weights, direction_x, direction_y, strict=True)
        ]
        for a in angles
    )
    return float(np.mean(_losses(model, points, X, y)) - loss_at(model, weights, X, y))


# ---------------------------------------------------------------------------------------------


def _parameters(model):
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    parameters = list(model.parameters())
    if not parameters:
        raise ValueError("model has no parameters")
    return parameters


def _weight_list(name, weights, shapes=None):
    """A list of float arrays (one per parameter), with the given shapes if any."""
    if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)):
        raise TypeError(
            f"{name} must be a list of arrays, one per parameter (like weights_of(model)), "
            f"got {type(weights).__name__}"
        )
    arrays = [as_float_array(f"{name}[{k}]", array) for k, array in enumerate(weights)]
    if shapes is not None:
        got = [a.shape for a in arrays]
        if got != [tuple(s) for s in shapes]:
            raise ValueError(
                f"{name} must hold arrays of shapes {[tuple(s) for s in shapes]}, got {got}"
            )
    return arrays


def _coordinates(name, values):
    values = as_float_array(name, values)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-D array of numbers, got shape {values.shape}"
        )
    return values


def _losses(model, points, X, y):
    """The loss at each weight list in ``points``; the model's weights are restored after."""
    import torch

    parameters = _parameters(model)
    dtype = parameters[0].dtype
    X = torch.as_tensor(as_float_array("X", X), dtype=dtype)
    y = torch.as_tensor(np.asarray(y), dtype=torch.long)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(
            f"X must have shape (n, features) and y shape (n,), got {tuple(X.shape)} and "
            f"{tuple(y.shape)}"
        )
    saved = weights_of(model)
    losses = []
    try:
        with torch.no_grad():
            for point in points:
                set_weights(model, point)
                losses.append(torch.nn.functional.cross_entropy(model(X), y).item())
    finally:
        set_weights(model, saved)
    return np.array(losses)
