r"""Two ways to average networks: their weights, or their predictions.

- **Weight averaging** (SWA, Izmailov et al. 2018) keeps *one* network: the running mean of
  the weights one run visits at a constant or cyclic high learning rate. After $n$ snapshots
  the mean $\bar w_n$ takes the next one as
  $\bar w_{n+1} = \bar w_n + (w - \bar w_n)/(n + 1)$, so no snapshot is stored
  (``update_average``). Predicting costs one forward pass.
- **Prediction ensembling** keeps *several* networks and averages their predicted class
  probabilities (``ensemble_probabilities``): K forward passes per prediction. Snapshot
  ensembles (Huang et al. 2017) and fast geometric ensembling (Garipov et al. 2018) take the
  members from one run with a cyclic rate; independent runs from different seeds work too.

Weights are lists of NumPy arrays, one per parameter (``loss_slices.weights_of``). torch is
imported inside the functions.
"""

import numpy as np

from .loss_slices import set_weights, weights_of

__all__ = ["update_average", "average_weights", "probabilities", "ensemble_probabilities", "scores"]


def update_average(average, weights, n):
    r"""The mean of n + 1 snapshots from the mean of the first n and the next one: a new array.

    $\bar w \leftarrow \bar w + (w - \bar w)/(n + 1)$; with n = 0 the result is a copy of
    ``weights`` (``average`` is then ignored).
    """
    return average + (weights - average) / (n + 1)


def average_weights(weight_lists):
    """The plain mean of several weight lists (one array per parameter), array by array."""
    return [np.mean(arrays, axis=0) for arrays in zip(*weight_lists, strict=True)]


def probabilities(model, weights, X):
    """The class probabilities (softmax of the logits) of ``model`` with ``weights`` on X.

    The model's own weights are put back afterwards. Returns an (n, classes) array.
    """
    import torch

    saved = weights_of(model)
    try:
        set_weights(model, weights)
        with torch.no_grad():
            logits = model(torch.as_tensor(X))
            return torch.softmax(logits, dim=1).numpy()
    finally:
        set_weights(model, saved)


def ensemble_probabilities(model, weight_lists, X):
    """The mean of the members' class probabilities: one forward pass per member."""
    return np.mean([probabilities(model, weights, X) for weights in weight_lists], axis=0)


def scores(probs, y):
    """``(mean cross-entropy, accuracy)`` of predicted probabilities ``probs`` for labels y."""
    y = np.asarray(y)
    picked = probs[np.arange(len(y)), y]
    loss = float(-np.mean(np.log(np.maximum(picked, np.finfo(probs.dtype).tiny))))
    return loss, float(np.mean(np.argmax(probs, axis=1) == y))
