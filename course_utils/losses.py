"""Loss functions L(ŷ, y), their gradients with respect to the prediction ŷ, and a gradient check.

Every loss is a mean over examples and returns a Python float; every ``*_grad`` returns an
array shaped like ŷ. They equal ``torch.nn.functional``'s ``mse_loss``, ``l1_loss``,
``cross_entropy``, ``softmax`` and ``log_softmax`` (and their autograd gradients).

``numerical_gradient`` estimates any gradient by central differences, which is how you check
a hand-written gradient:

    >>> import numpy as np
    >>> w, y = np.array([1.0, -2.0]), np.zeros(2)
    >>> mse_grad(w, y), numerical_gradient(lambda w: mse(w, y), w)
    (array([ 1., -2.]), array([ 1., -2.]))
"""

import numpy as np

from .validation import as_float_array, positive, same_shape

__all__ = [
    "mse",
    "mse_grad",
    "mae",
    "mae_grad",
    "log_softmax",
    "softmax",
    "cross_entropy",
    "cross_entropy_grad",
    "numerical_gradient",
]


def _predictions_and_targets(y_pred, y):
    y_pred = as_float_array("y_pred", y_pred)
    y = as_float_array("y", y)
    same_shape("y_pred", y_pred, y=y)
    if y_pred.size == 0:
        raise ValueError("y_pred and y are empty; a mean over no examples is undefined")
    return y_pred, y


def mse(y_pred, y):
    """Mean squared error, L = (1/n) Σᵢ (ŷᵢ − yᵢ)², n = number of entries."""
    y_pred, y = _predictions_and_targets(y_pred, y)
    return float(np.mean((y_pred - y) ** 2))


def mse_grad(y_pred, y):
    """∂L/∂ŷ of the mean squared error: 2(ŷ − y)/n."""
    y_pred, y = _predictions_and_targets(y_pred, y)
    return 2 * (y_pred - y) / y_pred.size


def mae(y_pred, y):
    """Mean absolute error, L = (1/n) Σᵢ |ŷᵢ − yᵢ|."""
    y_pred, y = _predictions_and_targets(y_pred, y)
    return float(np.mean(np.abs(y_pred - y)))


def mae_grad(y_pred, y):
    """∂L/∂ŷ of the mean absolute error: sign(ŷ − y)/n.

    |·| has no derivative at a tie ŷᵢ = yᵢ; like torch we use the subgradient 0 there.
    """
    y_pred, y = _predictions_and_targets(y_pred, y)
    return np.sign(y_pred - y) / y_pred.size


def _logits(logits):
    logits = as_float_array("logits", logits)
    if logits.ndim == 0 or logits.shape[-1] == 0:
        raise ValueError(
            f"logits must have at least one axis with at least one class in the last axis, "
            f"got shape {logits.shape}"
        )
    return logits


def log_softmax(logits):
    """log softmax over the last axis: zⱼ − log Σₖ exp(zₖ), computed without overflow.

    Subtracting m = maxₖ zₖ first changes nothing mathematically, but keeps every exp(zₖ − m)
    in (0, 1], so logits like 1000 or −1000 are fine.
    """
    logits = _logits(logits)
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def softmax(logits):
    """softmax over the last axis: pⱼ = exp(zⱼ) / Σₖ exp(zₖ), computed without overflow."""
    return np.exp(log_softmax(logits))


def _labels(labels, logits):
    """Class indices: integers in [0, k), one per row of the (n, k) logits."""
    if logits.ndim != 2 or logits.shape[0] == 0:
        raise ValueError(
            f"logits must have shape (n, k) with n ≥ 1 examples, got shape {logits.shape}"
        )
    if isinstance(labels, (str, bytes)) or labels is None:
        raise TypeError(f"labels must be an array of integer class indices, got {labels!r}")
    labels = np.asarray(labels)
    if labels.dtype == bool or labels.dtype.kind not in "iu":
        raise TypeError(
            f"labels must hold integer class indices, got an array of dtype {labels.dtype}"
        )
    n, k = logits.shape
    if labels.shape != (n,):
        raise ValueError(
            f"labels must have shape ({n},), one class index per row of logits, "
            f"got shape {labels.shape}"
        )
    if np.any(labels < 0) or np.any(labels >= k):
        raise ValueError(
            f"labels must be class indices in [0, {k}) for logits with {k} classes, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return labels


def cross_entropy(logits, labels):
    """Mean cross-entropy of integer labels under softmax(logits).

    L = −(1/n) Σᵢ log softmax(zᵢ)[yᵢ], for logits z of shape (n, k) and labels y in [0, k).
    """
    logits = _logits(logits)
    labels = _labels(labels, logits)
    log_probs = log_softmax(logits)
    return float(-np.mean(log_probs[np.arange(len(labels)), labels]))


def cross_entropy_grad(logits, labels):
    """∂L/∂z of the mean cross-entropy: (softmax(z) − onehot(y)) / n."""
    logits = _logits(logits)
    labels = _labels(labels, logits)
    grad = softmax(logits)
    grad[np.arange(len(labels)), labels] -= 1
    return grad / len(labels)


def numerical_gradient(f, w, h=1e-5):
    """Central-difference estimate of the gradient of a scalar function f at w.

    For each entry wᵢ:  ∂f/∂wᵢ ≈ (f(w + h·eᵢ) − f(w − h·eᵢ)) / 2h,  error O(h²).

    w may have any shape; it is copied to float64 (so h is not lost to float32 rounding) and
    never modified. Returns a float64 array of w's shape. Costs 2·w.size calls of f.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of an array, got {f!r}")
    w = as_float_array("w", w).astype(np.float64)
    h = positive("h", h)
    grad = np.zeros_like(w)
    for i in range(w.size):
        w_plus, w_minus = w.copy(), w.copy()
        w_plus.flat[i] += h
        w_minus.flat[i] -= h
        grad.flat[i] = (_scalar(f(w_plus)) - _scalar(f(w_minus))) / (2 * h)
    return grad


def _scalar(value):
    if np.ndim(value) != 0:
        raise TypeError(f"f must return a scalar, got a value of shape {np.shape(value)}")
    return float(value)
