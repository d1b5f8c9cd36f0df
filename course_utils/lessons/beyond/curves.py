r"""A curved low-loss path between two solutions (Garipov et al., *Loss Surfaces, Mode
Connectivity, and Fast Ensembling of DNNs*, NeurIPS 2018).

The straight line between two networks trained from different seeds climbs over a barrier.
A quadratic Bézier curve with a free middle point $\theta$,

$$\phi_\theta(t) = (1 - t)^2\, w_a + 2t(1 - t)\,\theta + t^2\, w_b, \qquad t \in [0, 1],$$

runs from $w_a$ ($t = 0$) to $w_b$ ($t = 1$). Garipov et al. train $\theta$ to make the loss
low along the whole curve: each step draws $t$ uniformly from [0, 1] and takes an SGD step on
the mini-batch loss at $\phi_\theta(t)$, whose gradient with respect to $\theta$ is
$2t(1 - t)$ times the gradient with respect to the weights there.

The networks are ``network.mlp``: a ``torch.nn.Sequential`` of ``Linear`` and ``ReLU``
layers, evaluated here as a function of a list of weight tensors. Weights are lists of NumPy
arrays, one per parameter (``loss_slices.weights_of``). torch is imported inside the
functions.
"""

import numpy as np

from ...validation import nonnegative, nonnegative_int, positive, positive_int
from .loss_slices import _losses, _weight_list

__all__ = ["bezier_point", "train_bezier", "curve_losses"]


def bezier_point(weights_a, theta, weights_b, t):
    r"""$\phi_\theta(t) = (1 - t)^2 w_a + 2t(1 - t)\,\theta + t^2 w_b$, array by array."""
    return [
        (1 - t) ** 2 * a + 2 * t * (1 - t) * m + t**2 * b
        for a, m, b in zip(weights_a, theta, weights_b, strict=True)
    ]


def train_bezier(
    model, weights_a, weights_b, X, y, *, steps, lr, momentum=0.9, batch_size=64, seed=0
):
    r"""Train the middle point $\theta$ of the Bézier curve from $w_a$ to $w_b$.

    $\theta$ starts at the straight line's midpoint $(w_a + w_b)/2$. Each of ``steps`` steps
    draws a mini-batch of ``batch_size`` examples and $t \sim U(0, 1)$, and takes an SGD step
    with momentum on the mean cross-entropy of ``model``'s layers at $\phi_\theta(t)$.
    ``model`` (its layers, not its weights) must be a Sequential of Linear and ReLU layers.
    Returns $\theta$ as a list of arrays.
    """
    import torch

    layers = _layers(model)
    shapes = [tuple(p.shape) for p in model.parameters()]
    weights_a = _weight_list("weights_a", weights_a, shapes)
    weights_b = _weight_list("weights_b", weights_b, shapes)
    steps = positive_int("steps", steps)
    lr = positive("lr", lr)
    momentum = nonnegative("momentum", momentum)
    batch_size = positive_int("batch_size", batch_size)
    rng = np.random.default_rng(nonnegative_int("seed", seed))
    X = torch.as_tensor(np.asarray(X))
    y = torch.as_tensor(np.asarray(y), dtype=torch.long)
    ends = [
        (torch.from_numpy(a), torch.from_numpy(b))
        for a, b in zip(weights_a, weights_b, strict=True)
    ]
    theta = [((a + b) / 2).requires_grad_() for a, b in ends]
    velocity = [torch.zeros_like(m) for m in theta]
    for _ in range(steps):
        batch = torch.from_numpy(rng.choice(len(X), size=min(batch_size, len(X)), replace=False))
        t = float(rng.uniform())
        point = [
            (1 - t) ** 2 * a + 2 * t * (1 - t) * m + t**2 * b
            for (a, b), m in zip(ends, theta, strict=True)
        ]
        loss = torch.nn.functional.cross_entropy(_forward(layers, point, X[batch]), y[batch])
        gradients = torch.autograd.grad(loss, theta)
        with torch.no_grad():  # SGD with momentum, as torch.optim.SGD
            for m, v, g in zip(theta, velocity, gradients, strict=True):
                v.mul_(momentum).add_(g)
                m.sub_(lr * v)
    return [m.detach().numpy() for m in theta]


def curve_losses(model, weights_a, theta, weights_b, X, y, ts):
    r"""The mean cross-entropy of ``model`` at $\phi_\theta(t)$ for each t in ``ts``.

    The model's own weights are put back afterwards.
    """
    points = (bezier_point(weights_a, theta, weights_b, t) for t in np.asarray(ts, dtype=float))
    return _losses(model, points, X, y)


def _layers(model):
    """The layers of an MLP as ("linear", index) and ("relu", None) steps."""
    import torch

    if not isinstance(model, torch.nn.Sequential):
        raise TypeError(f"model must be a torch.nn.Sequential MLP, got {type(model).__name__}")
    layers, index = [], 0
    for layer in model:
        if isinstance(layer, torch.nn.Linear) and layer.bias is not None:
            layers.append(("linear", index))
            index += 2
        elif isinstance(layer, torch.nn.ReLU):
            layers.append(("relu", None))
        else:
            raise TypeError(
                f"model must hold only Linear (with bias) and ReLU layers, got {layer!r}"
            )
    return layers


def _forward(layers, weights, X):
    """The MLP's logits for X with its parameters taken from the tensor list ``weights``."""
    import torch

    for kind, index in layers:
        if kind == "linear":
            X = torch.nn.functional.linear(X, weights[index], weights[index + 1])
        else:
            X = torch.relu(X)
    return X
