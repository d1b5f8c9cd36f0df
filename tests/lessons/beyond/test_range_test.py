"""The range test on a torch network equals the same test written with torch.optim alone."""

import numpy as np
import pytest
import torch

from course_utils import data, network
from course_utils.lessons.beyond.range_test import lr_range_test_torch


@pytest.fixture(scope="module")
def digits():
    X_train, _, y_train, _ = data.load_digits(dtype=np.float64)
    return X_train[:400], y_train[:400]


def _torch_range_test(model, X, y, lrs, batch_size, seed, make_optimizer):
    """Step s at lrs[s] on the mini-batches ``data.minibatches`` draws: the losses seen."""
    rng = np.random.default_rng(seed)
    opt = make_optimizer(model.parameters())
    losses = []
    batches = (b for _ in range(100) for b in data.minibatches(X, y, batch_size, rng))
    for lr, (X_batch, y_batch) in zip(lrs, batches, strict=False):
        opt.param_groups[0]["lr"] = lr
        loss = torch.nn.functional.cross_entropy(
            model(torch.tensor(X_batch)), torch.tensor(y_batch)
        )
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    return np.array(losses)


@pytest.mark.parametrize(
    ("name", "make_optimizer"),
    [
        ("sgd", lambda p: torch.optim.SGD(p, lr=1.0)),
        ("momentum", lambda p: torch.optim.SGD(p, lr=1.0, momentum=0.9)),
        ("adam", lambda p: torch.optim.Adam(p, lr=1.0)),
    ],
)
def test_range_test_on_a_torch_net_is_torch_optims_run(digits, name, make_optimizer):
    model = network.mlp(64, (16,), 10, seed=0, dtype=torch.float64)
    before = [p.detach().clone() for p in model.parameters()]
    result = lr_range_test_torch(model, *digits, name, min_lr=1e-4, max_lr=30.0, steps=60)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    expected = _torch_range_test(model, *digits, result.lrs, 32, 0, make_optimizer)
    np.testing.assert_allclose(result.losses, expected, rtol=1e-10)
    assert 5 < len(result.lrs) <= 60  # stopped when the loss blew up, not before
    assert result.lrs[0] == 1e-4 and result.suggested_lr < result.lrs[-1]


def test_the_suggested_rate_trains_the_network(digits):
    model = network.mlp(64, (32,), 10, seed=1)
    result = lr_range_test_torch(model, *digits, "sgd", min_lr=1e-5, max_lr=10.0, steps=100)
    assert 1e-3 < result.suggested_lr < 1.0
    X, y = digits
    optimizer = torch.optim.SGD(model.parameters(), lr=result.suggested_lr)
    run = network.fit(
        model, optimizer, X[:300], y[:300], X[300:], y[300:], epochs=5, progress=False
    )
    assert run.val_accuracies[-1] > 0.85


def test_bad_models_and_options_are_refused(digits):
    with pytest.raises(TypeError, match="torch.nn.Module"):
        lr_range_test_torch("net", *digits)
    model = network.mlp(64, (8,), 10)
    with pytest.raises(ValueError, match="max_lr"):
        lr_range_test_torch(model, *digits, min_lr=1.0, max_lr=0.1)
