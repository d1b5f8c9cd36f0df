"""The torch training loop: torch.optim and course_utils.optim give the same run."""

import numpy as np
import pytest
import torch

from course_utils import data, network, optim, schedules
from course_utils.training import DivergenceError


@pytest.fixture(scope="module")
def digits():
    X_train, X_test, y_train, y_test = data.load_digits(dtype=np.float64)
    return X_train[:300], y_train[:300], X_test[:100], y_test[:100]


def _pair(seed=0):
    make = lambda: network.mlp(64, (16,), 10, seed=seed, dtype=torch.float64)  # noqa: E731
    return make(), make()


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
    run_torch = network.fit(
        theirs, torch_cls(theirs.parameters(), **hyper), *digits, epochs=2, progress=False
    )
    run_ours = network.fit(
        ours, ours_cls(network.numpy_parameters(ours), **hyper), *digits, epochs=2, progress=False
    )
    assert _max_difference(theirs, ours) < 1e-10
    np.testing.assert_allclose(run_ours.test_loss, run_torch.test_loss, rtol=1e-10)


@pytest.mark.parametrize("per", ["step", "epoch"])
def test_course_schedule_equals_torch_scheduler(digits, per):
    theirs, ours = _pair()
    steps = 3 * 10 if per == "step" else 3
    torch_opt = torch.optim.Adam(theirs.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        torch_opt, max_lr=0.01, total_steps=steps, cycle_momentum=False
    )
    kwargs = {"epochs": 3, "batch_size": 30, "per": per, "progress": False}
    run_torch = network.fit(theirs, torch_opt, *digits, schedule=scheduler, **kwargs)
    run_ours = network.fit(
        ours,
        optim.Adam(network.numpy_parameters(ours), lr=1e-3),
        *digits,
        schedule=schedules.one_cycle(0.01, steps),
        **kwargs,
    )
    assert _max_difference(theirs, ours) < 1e-10
    np.testing.assert_allclose(run_ours.lr, run_torch.lr, rtol=1e-12)


def test_history_records_every_epoch_and_the_time_to_an_accuracy(digits):
    model = network.mlp(64, (32,), 10, seed=1)
    history = network.fit(
        model, torch.optim.Adam(model.parameters(), lr=1e-2), *digits, epochs=4, progress=False
    )
    assert history.epochs == 4 and len(history.test_accuracy) == 5
    assert history.test_accuracy[0] < 0.3 < 0.8 < history.best_accuracy
    assert history.seconds[0] == 0 and np.all(np.diff(history.seconds) > 0)
    assert history.seconds_to(0.8) is not None and history.seconds_to(1.01) is None


def test_same_seed_same_run(digits):
    runs = []
    for _ in range(2):
        model = network.mlp(64, (16,), 10, seed=3)
        runs.append(
            network.fit(
                model,
                torch.optim.SGD(model.parameters(), lr=0.1),
                *digits,
                epochs=2,
                seed=5,
                progress=False,
            ).test_loss
        )
    assert runs[0] == runs[1]


def test_divergence_names_the_step_and_the_fix(digits):
    model = network.mlp(64, (16,), 10, seed=0)
    with pytest.raises(DivergenceError, match=r"diverged at step \d+ .*smaller learning rate"):
        network.fit(
            model, torch.optim.SGD(model.parameters(), lr=1e6), *digits, epochs=3, progress=False
        )


def test_bad_optimizers_and_schedules_are_refused(digits):
    model = network.mlp(64, (16,), 10)
    with pytest.raises(TypeError, match="optimizer"):
        network.fit(model, "adam", *digits, epochs=1, progress=False)
    detached = [p.detach().numpy().copy() for p in model.parameters()]
    with pytest.raises(ValueError, match="numpy_parameters"):
        network.fit(model, optim.Adam(detached), *digits, epochs=1, progress=False)
    with pytest.raises(TypeError, match="schedule"):
        network.fit(
            model,
            torch.optim.SGD(model.parameters(), lr=0.1),
            *digits,
            epochs=1,
            schedule=0.1,
            progress=False,
        )
    with pytest.raises(ValueError, match="epochs"):
        network.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), *digits, epochs=0)
    with pytest.raises(ValueError, match="hidden"):
        network.mlp(64, (0,), 10)
