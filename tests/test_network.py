"""The torch training loop: torch.optim and course_utils.optim give the same run."""

import numpy as np
import pytest
import torch

from course_utils import data, network, optim, schedules
from course_utils.runs import Run
from course_utils.training import DivergenceError


@pytest.fixture(scope="module")
def digits():
    small = data.load_digits(dtype=np.float64).head(300, 100)
    return (*small.train, *small.val)


def _pair(seed=0):
    make = lambda: network.mlp(64, (16,), 10, seed=seed, dtype=torch.float64)  # noqa: E731
    return make(), make()


def _fit(model, optimizer, digits, **options):
    """``network.fit`` without a progress bar, for 2 epochs unless told otherwise."""
    return network.fit(model, optimizer, *digits, **{"epochs": 2, "progress": False, **options})


def _sgd(model, lr=0.1):
    return torch.optim.SGD(model.parameters(), lr=lr)


def _max_difference(model_a, model_b):
    pairs = zip(network.numpy_parameters(model_a), network.numpy_parameters(model_b), strict=True)
    return max(np.abs(a - b).max() for a, b in pairs)


@pytest.mark.parametrize(
    ("torch_cls", "ours_cls", "hyper"),
    [
        (torch.optim.SGD, optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
        (torch.optim.RMSprop, optim.RMSprop, {"lr": 1e-3, "centered": True}),
        (torch.optim.AdamW, optim.AdamW, {"lr": 1e-3, "weight_decay": 0.1}),
    ],
)
def test_course_optimizer_on_a_torch_model_reproduces_torch_optim(
    digits, torch_cls, ours_cls, hyper
):
    theirs, ours = _pair()
    run_torch = _fit(theirs, torch_cls(theirs.parameters(), **hyper), digits)
    run_ours = _fit(ours, ours_cls(network.numpy_parameters(ours), **hyper), digits)
    assert _max_difference(theirs, ours) < 1e-10
    np.testing.assert_allclose(run_ours.val_losses, run_torch.val_losses, rtol=1e-10)
    np.testing.assert_allclose(run_ours.step_losses, run_torch.step_losses, rtol=1e-10)


@pytest.mark.parametrize("per", ["step", "epoch"])
def test_course_schedule_equals_torch_scheduler(digits, per):
    theirs, ours = _pair()
    steps = 3 * 10 if per == "step" else 3
    torch_opt = torch.optim.Adam(theirs.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        torch_opt, max_lr=0.01, total_steps=steps, cycle_momentum=False
    )
    options = {"epochs": 3, "batch_size": 30, "per": per}
    run_torch = _fit(theirs, torch_opt, digits, schedule=scheduler, **options)
    our_opt = optim.Adam(network.numpy_parameters(ours), lr=1e-3)
    run_ours = _fit(ours, our_opt, digits, schedule=schedules.one_cycle(0.01, steps), **options)
    assert _max_difference(theirs, ours) < 1e-10
    np.testing.assert_allclose(run_ours.step_lrs, run_torch.step_lrs, rtol=1e-12)
    np.testing.assert_array_equal(run_ours.lrs, run_ours.step_lrs[::10])  # each epoch's first


def test_a_fit_is_a_run_that_records_every_epoch_and_the_time_to_an_accuracy(digits):
    model = network.mlp(64, (32,), 10, seed=1)
    run = _fit(model, torch.optim.Adam(model.parameters(), lr=1e-2), digits, epochs=4)
    assert isinstance(run, Run) and run.unit == "epoch" and run.epochs == 4
    for field in ("losses", "accuracies", "val_losses", "val_accuracies", "seconds"):
        assert len(getattr(run, field)) == 5, field
    assert run.lrs.shape == (4,) and run.steps == len(run.step_losses) == 4 * 10
    assert run.val_accuracies[0] < 0.3 < 0.8 < run.best_accuracy
    X_train, y_train = torch.tensor(digits[0], dtype=torch.float32), torch.tensor(digits[1])
    assert (run.losses[-1], run.accuracies[-1]) == network.evaluate(model, X_train, y_train)
    assert run.seconds[0] == 0 and np.all(np.diff(run.seconds) > 0)
    assert run.seconds_to(0.8) is not None and run.seconds_to(1.01) is None
    assert run.status == "finished" and "validation accuracy" in repr(run)


def test_same_seed_same_run(digits):
    runs = []
    for _ in range(2):
        model = network.mlp(64, (16,), 10, seed=3)
        runs.append(_fit(model, _sgd(model), digits, seed=5))
    np.testing.assert_array_equal(runs[0].val_losses, runs[1].val_losses)


def test_divergence_names_the_step_and_the_fix(digits):
    model = network.mlp(64, (16,), 10, seed=0)
    with pytest.raises(DivergenceError, match=r"diverged at step \d+ .*smaller learning rate"):
        _fit(model, _sgd(model, lr=1e6), digits, epochs=3)
    model = network.mlp(64, (16,), 10, seed=0)
    run = _fit(model, _sgd(model, lr=1e6), digits, epochs=3, on_divergence="stop")
    assert run.status == "diverged" and run.diverged_at == run.steps - 1
    assert not np.isfinite(run.step_losses[-1]) or run.step_losses[-1] > 1e6 * run.losses[0]


def test_fit_mlp_trains_a_fresh_network_from_the_seed(digits):
    split = data.load_digits(dtype=np.float64).head(300, 100, 50)
    options = {"hidden": (16,), "seed": 3, "epochs": 2, "progress": False}
    model, run = network.fit_mlp(split, lambda m: (_sgd(m), None), **options)
    again = network.mlp(64, (16,), 10, seed=3)
    by_hand = _fit(again, _sgd(again), digits, seed=3)
    np.testing.assert_array_equal(run.val_losses, by_hand.val_losses)
    assert _max_difference(model, again) == 0


def test_bad_optimizers_and_schedules_are_refused(digits):
    model = network.mlp(64, (16,), 10)
    with pytest.raises(TypeError, match="optimizer"):
        _fit(model, "adam", digits)
    detached = [p.detach().numpy().copy() for p in model.parameters()]
    with pytest.raises(ValueError, match="numpy_parameters"):
        _fit(model, optim.Adam(detached), digits)
    with pytest.raises(TypeError, match="schedule"):
        _fit(model, _sgd(model), digits, schedule=0.1)
    with pytest.raises(ValueError, match="epochs"):
        _fit(model, _sgd(model), digits, epochs=0)
    with pytest.raises(ValueError, match="on_divergence"):
        _fit(model, _sgd(model), digits, on_divergence="ignore")
    with pytest.raises(ValueError, match="hidden"):
        network.mlp(64, (0,), 10)
    with pytest.raises(TypeError, match="make_optimizer must be a function"):
        network.fit_mlp(digits, "adam", epochs=1)
    with pytest.raises(TypeError, match=r"digits must be a data.Digits.*got tuple"):
        network.fit_mlp(digits, lambda model: (_sgd(model), None), epochs=1)
