"""Small, seeded data sets and a mini-batch iterator.

Everything is offline and reproducible: the synthetic sets come from
``np.random.default_rng(seed)``, and the handwritten digits ship inside scikit-learn.
Features are float64 unless you pass ``dtype=np.float32`` (torch's default float type);
labels are int64 class indices.
"""

import math
from typing import NamedTuple

import numpy as np

from .validation import in_range, nonnegative, nonnegative_int, positive, positive_int

__all__ = [
    "make_regression",
    "make_classification",
    "Digits",
    "load_digits",
    "minibatches",
    "batch_indices",
]


def _float_dtype(dtype):
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r}") from None
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be np.float32 or np.float64, got {dtype}")
    return dtype


def make_regression(n=200, n_features=1, noise=0.1, seed=0, dtype=np.float64, return_params=False):
    """A linear regression problem y = X·w + b + noise.

    X has shape (n, n_features) with standard-normal entries; the true weights w are drawn
    uniformly from [−2, 2] and the bias b from [−1, 1]; the noise is normal with standard
    deviation ``noise``. Returns (X, y), or (X, y, w, b) with ``return_params=True`` so you can
    compare what a model learns with the truth.
    """
    n = positive_int("n", n)
    n_features = positive_int("n_features", n_features)
    noise = nonnegative("noise", noise)
    seed = nonnegative_int("seed", seed)
    dtype = _float_dtype(dtype)
    rng = np.random.default_rng(seed)
    weights = rng.uniform(-2.0, 2.0, size=n_features)
    bias = rng.uniform(-1.0, 1.0)
    X = rng.normal(size=(n, n_features))
    y = X @ weights + bias + noise * rng.normal(size=n)
    X, y = X.astype(dtype), y.astype(dtype)
    return (X, y, weights, bias) if return_params else (X, y)


def make_classification(
    n=300, n_classes=2, n_features=2, spread=1.0, separation=2.0, seed=0, dtype=np.float64
):
    """Gaussian blobs, one per class: a classification problem you can plot.

    The class centres sit evenly spaced on a circle of radius ``separation`` in the plane of
    the first two features (the other features are pure noise); every feature gets normal
    noise with standard deviation ``spread``. Classes are balanced (sizes differ by at most
    one) and the examples come in random order. Returns X (n, n_features) and int64 labels y.
    """
    n = positive_int("n", n)
    n_classes = positive_int("n_classes", n_classes)
    if n_classes < 2:
        raise ValueError(f"n_classes must be an integer ≥ 2, got {n_classes}")
    n_features = positive_int("n_features", n_features)
    if n_features < 2:
        raise ValueError(f"n_features must be an integer ≥ 2, got {n_features}")
    spread = positive("spread", spread)
    separation = nonnegative("separation", separation)
    seed = nonnegative_int("seed", seed)
    dtype = _float_dtype(dtype)
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = np.zeros((n_classes, n_features))
    centres[:, 0], centres[:, 1] = separation * np.cos(angles), separation * np.sin(angles)
    y = rng.permutation(np.arange(n) % n_classes)
    X = centres[y] + spread * rng.normal(size=(n, n_features))
    return X.astype(dtype), y.astype(np.int64)


class Digits(NamedTuple):
    """The digits split three ways: fit on train, choose on validation, report test once.

    Read the parts by name (``digits.X_val``) or as (X, y) pairs (``digits.train``,
    ``digits.val``, ``digits.test``), e.g. ``network.fit(model, opt, *digits.train,
    *digits.val, ...)``.
    """

    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_val: np.ndarray
    y_test: np.ndarray

    @property
    def train(self):
        """``(X_train, y_train)``: what the network learns from."""
        return self.X_train, self.y_train

    @property
    def val(self):
        """``(X_val, y_val)``: what every choice (η, schedule, epochs, best run) is made on."""
        return self.X_val, self.y_val

    @property
    def test(self):
        """``(X_test, y_test)``: looked at once, at the end, to report the chosen model."""
        return self.X_test, self.y_test

    @property
    def n_features(self):
        """Pixels per image: 64."""
        return self.X_train.shape[1]

    @property
    def n_classes(self):
        """Classes: 10."""
        return int(max(y.max() for y in (self.y_train, self.y_val, self.y_test) if len(y))) + 1

    def head(self, n_train, n_val, n_test=0):
        """The first ``n_train``, ``n_val`` and ``n_test`` examples of each part: a smaller
        Digits for quick experiments and tests."""
        sizes = (positive_int("n_train", n_train), positive_int("n_val", n_val))
        n_test = nonnegative_int("n_test", n_test)
        n_train, n_val = sizes
        return Digits(
            self.X_train[:n_train],
            self.X_val[:n_val],
            self.X_test[:n_test],
            self.y_train[:n_train],
            self.y_val[:n_val],
            self.y_test[:n_test],
        )


def load_digits(val_size=0.2, test_size=0.2, seed=0, dtype=np.float64):
    """scikit-learn's bundled 8×8 handwritten digits (1797 images, classes 0–9), split into
    training, validation and test sets: a ``Digits``.

    ``val_size`` and ``test_size`` are fractions of all 1797 images (the defaults give 1077 /
    360 / 360). Both splits are stratified (every digit in the same proportion in each part).
    The pixels are then standardised with the training set's statistics only,
    x ← (x − μ_train) / σ_train, so nothing leaks from validation or test into training. A few
    border pixels are always 0 in training (σ = 0); they are only centred, not divided.
    Features are ``dtype``, labels int64.
    """
    val_size = in_range("val_size", val_size, 0.0, 1.0, low_closed=False)
    test_size = in_range("test_size", test_size, 0.0, 1.0, low_closed=False)
    if val_size + test_size >= 1.0:
        raise ValueError(
            f"val_size must leave some training data (val_size + test_size < 1), got {val_size} + "
            f"{test_size}"
        )
    seed = nonnegative_int("seed", seed)
    dtype = _float_dtype(dtype)
    from sklearn.datasets import load_digits as sklearn_load_digits
    from sklearn.model_selection import train_test_split

    digits = sklearn_load_digits()
    n = len(digits.target)
    n_test, n_val = math.ceil(test_size * n), math.ceil(val_size * n)
    X_rest, X_test, y_rest, y_test = train_test_split(
        digits.data, digits.target, test_size=n_test, random_state=seed, stratify=digits.target
    )
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=n_val, random_state=seed, stratify=y_rest
    )
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1.0
    X_train, X_val, X_test = ((X - mean) / std for X in (X_train, X_val, X_test))
    return Digits(
        *(X.astype(dtype) for X in (X_train, X_val, X_test)),
        *(y.astype(np.int64) for y in (y_train, y_val, y_test)),
    )


def _examples(name, value):
    """An array-like with a first axis of examples; NumPy arrays and torch tensors pass as is."""
    array = value if hasattr(value, "shape") else np.asarray(value)
    if len(array.shape) == 0:
        raise ValueError(f"{name} must have a first axis of examples, got a scalar {value!r}")
    return array


def minibatches(X, y, batch_size, rng):
    """One epoch of shuffled mini-batches (X_batch, y_batch).

    The examples are drawn without replacement in a fresh random order, so each one appears
    exactly once; the last batch holds the n mod batch_size leftovers (if any). Pass the same
    generator every epoch to get a new order each time::

        rng = np.random.default_rng(0)
        for epoch in range(10):
            for X_batch, y_batch in minibatches(X, y, batch_size=32, rng=rng):
                ...
    """
    X = _examples("X", X)
    y = _examples("y", y)
    if len(X) != len(y):
        raise ValueError(
            f"X and y must hold the same number of examples, got {len(X)} and {len(y)}"
        )
    if len(X) == 0:
        raise ValueError("X and y are empty; there is nothing to batch")
    # Shuffle now, not on first use, so bad arguments fail at the call, not inside the loop.
    batches = batch_indices(len(X), batch_size, rng)
    return ((X[batch], y[batch]) for batch in batches)


def batch_indices(n, batch_size, rng):
    """The example indices of one epoch's mini-batches: a fresh permutation of range(n), cut
    into batches of ``batch_size`` (the last one holds the leftovers)."""
    n = positive_int("n", n)
    batch_size = positive_int("batch_size", batch_size)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a np.random.Generator, e.g. np.random.default_rng(0), got {rng!r}"
        )
    order = rng.permutation(n)
    return [order[start : start + batch_size] for start in range(0, n, batch_size)]
