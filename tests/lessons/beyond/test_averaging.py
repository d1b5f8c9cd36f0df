"""Weights or predictions: SWA's running mean against torch's AveragedModel, and ensembles."""

import numpy as np
import pytest
import torch
from torch.optim.swa_utils import AveragedModel

from course_utils import network
from course_utils.lessons.beyond import averaging, loss_slices


def _snapshots(seed=0, count=4):
    """Weights of the same small network from different seeds: stand-ins for snapshots."""
    return [loss_slices.weights_of(network.mlp(5, (7,), 3, seed=seed + k)) for k in range(count)]


def test_the_running_mean_is_the_plain_mean_and_torchs_averaged_model():
    snapshots = _snapshots()
    mean = [np.zeros_like(w) for w in snapshots[0]]
    model = network.mlp(5, (7,), 3)
    swa = AveragedModel(model)
    for n, weights in enumerate(snapshots):
        mean = [averaging.update_average(a, w, n) for a, w in zip(mean, weights, strict=True)]
        loss_slices.set_weights(model, weights)
        swa.update_parameters(model)
    for got, plain, torchs in zip(
        mean,
        averaging.average_weights(snapshots),
        loss_slices.weights_of(swa.module),
        strict=True,
    ):
        np.testing.assert_allclose(got, plain, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(got, torchs, rtol=1e-5, atol=1e-6)
    assert mean[0].dtype == np.float32


def test_the_first_snapshot_replaces_whatever_the_mean_held():
    weights = np.array([1.5, -2.0])
    np.testing.assert_array_equal(
        averaging.update_average(np.array([9.0, 9.0]), weights, 0), weights
    )


def test_probabilities_and_scores_agree_with_torch_and_restore_the_model():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 5)).astype(np.float32)
    y = rng.integers(0, 3, size=30)
    model = network.mlp(5, (7,), 3, seed=9)
    own = loss_slices.weights_of(model)
    weights = _snapshots()[0]
    probs = averaging.probabilities(model, weights, X)
    loss, accuracy = averaging.scores(probs, y)
    twin = network.mlp(5, (7,), 3, seed=0)  # the network `weights` came from
    expected_loss, expected_accuracy = network.evaluate(twin, torch.tensor(X), torch.tensor(y))
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert accuracy == pytest.approx(expected_accuracy)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)
    assert all(
        np.array_equal(a, b) for a, b in zip(loss_slices.weights_of(model), own, strict=True)
    )


def test_an_ensemble_averages_its_members_probabilities():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(12, 5)).astype(np.float32)
    model = network.mlp(5, (7,), 3)
    members = _snapshots(count=3)
    each = [averaging.probabilities(model, w, X) for w in members]
    np.testing.assert_allclose(
        averaging.ensemble_probabilities(model, members, X), np.mean(each, axis=0), rtol=1e-6
    )
    # averaging the weights is something else: a different network, different predictions
    weight_mean = averaging.probabilities(model, averaging.average_weights(members), X)
    assert not np.allclose(weight_mean, np.mean(each, axis=0), atol=1e-3)


def test_scores_of_a_certain_right_answer_are_zero_loss_and_full_accuracy():
    probs = np.array([[1.0, 0.0], [0.0, 1.0], [0.3, 0.7]])
    loss, accuracy = averaging.scores(probs, [0, 1, 0])
    assert loss == pytest.approx(-np.log(0.3) / 3) and accuracy == pytest.approx(2 / 3)
