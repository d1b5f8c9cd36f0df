r"""Small NumPy models to train with mini-batches: linear and softmax regression.

Every model offers the three things a training loop needs, the parts that torch splits
between an ``nn.Module``, a loss and ``backward()``:

- ``model.params``: the list of weight arrays, which an optimizer updates in place::

      opt = Adam(model.params, lr=1e-2)

- ``model.loss_and_grads(X, y) -> (loss, grads)``: the mean loss over a batch and its
  gradient with respect to each array in ``params``, in the same order;
- ``model.predict(X)``: the model's output ŷ = M(x); ``model.loss(X, y)`` the loss alone.

Notation: X is an (n, d) batch of inputs, one example per row; W and b are the weights and
the bias. The gradients come from the chain rule through the loss's own gradient
(``course_utils.losses``): with ∂L/∂ŷ for a batch, ∂L/∂W = Xᵀ ∂L/∂ŷ and ∂L/∂b = Σᵢ ∂L/∂ŷᵢ.
Both models start at W = 0, b = 0: their losses are convex, so the start only sets how far
there is to go.
"""

import numpy as np

from . import losses
from .data import _float_dtype  # one dtype check for the package; see the report
from .validation import as_float_array, positive_int

__all__ = ["LinearRegression", "SoftmaxRegression"]


class _Model:
    """The input checks and the ``loss`` shortcut the models share."""

    n_features: int
    params: list

    def _inputs(self, X):
        X = as_float_array("X", X)
        if X.ndim != 2 or X.shape[1] != self.n_features or X.shape[0] == 0:
            raise ValueError(
                f"X must have shape (n, {self.n_features}): n ≥ 1 examples of "
                f"{self.n_features} features, got shape {X.shape}"
            )
        return X.astype(self.params[0].dtype, copy=False)

    def loss(self, X, y):
        """The mean loss over the examples (X, y), without the gradients."""
        return self.loss_and_grads(X, y)[0]

    def __repr__(self):
        return f"{type(self).__name__}(n_features={self.n_features})"


class LinearRegression(_Model):
    r"""ŷ = Xw + b with the mean squared error L = (1/n) Σᵢ (ŷᵢ − yᵢ)².

    ``params`` is ``[w, b]`` with w of shape (d,) and b of shape (1,);
    the gradients are ∂L/∂w = Xᵀ r and ∂L/∂b = Σᵢ rᵢ with r = ∂L/∂ŷ = 2(ŷ − y)/n.
    """

    def __init__(self, n_features, dtype=np.float64):
        self.n_features = positive_int("n_features", n_features)
        dtype = _float_dtype(dtype)
        self.params = [np.zeros(self.n_features, dtype), np.zeros(1, dtype)]

    def predict(self, X):
        """ŷ = Xw + b, shape (n,)."""
        w, b = self.params
        return self._inputs(X) @ w + b

    def loss_and_grads(self, X, y):
        """(L, [∂L/∂w, ∂L/∂b]) for the mean squared error on the batch (X, y)."""
        X = self._inputs(X)
        y = as_float_array("y", y).astype(X.dtype, copy=False)
        if y.shape != (len(X),):
            raise ValueError(
                f"y must have shape ({len(X)},), one target per row of X, got {y.shape}"
            )
        w, b = self.params
        y_pred = X @ w + b
        residual_grad = losses.mse_grad(y_pred, y)
        return losses.mse(y_pred, y), [X.T @ residual_grad, residual_grad.sum(keepdims=True)]


class SoftmaxRegression(_Model):
    r"""Logits z = XW + b, class probabilities softmax(z), mean cross-entropy loss.

    L = −(1/n) Σᵢ log softmax(zᵢ)[yᵢ] for integer labels yᵢ in [0, k).
    ``params`` is ``[W, b]`` with W of shape (d, k) and b of shape (k,); the gradients are
    ∂L/∂W = Xᵀ δ and ∂L/∂b = Σᵢ δᵢ with δ = ∂L/∂z = (softmax(z) − onehot(y))/n.
    """

    def __init__(self, n_features, n_classes, dtype=np.float64):
        self.n_features = positive_int("n_features", n_features)
        self.n_classes = positive_int("n_classes", n_classes)
        if self.n_classes < 2:
            raise ValueError(f"n_classes must be an integer ≥ 2, got {self.n_classes}")
        dtype = _float_dtype(dtype)
        self.params = [
            np.zeros((self.n_features, self.n_classes), dtype),
            np.zeros(self.n_classes, dtype),
        ]

    def logits(self, X):
        """z = XW + b, shape (n, k)."""
        W, b = self.params
        return self._inputs(X) @ W + b

    def predict_proba(self, X):
        """softmax(z): each row holds the k class probabilities."""
        return losses.softmax(self.logits(X))

    def predict(self, X):
        """The most likely class of each example, argmaxⱼ zⱼ, shape (n,)."""
        return np.argmax(self.logits(X), axis=1)

    def loss_and_grads(self, X, y):
        """(L, [∂L/∂W, ∂L/∂b]) for the mean cross-entropy on the batch (X, y)."""
        X = self._inputs(X)
        logits = X @ self.params[0] + self.params[1]
        logits_grad = losses.cross_entropy_grad(logits, y)  # also checks the labels
        return losses.cross_entropy(logits, y), [X.T @ logits_grad, logits_grad.sum(axis=0)]

    def __repr__(self):
        return f"SoftmaxRegression(n_features={self.n_features}, n_classes={self.n_classes})"
