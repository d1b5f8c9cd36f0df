"""Lesson 11's demos: the optimizer × schedule grid, its table and its curves."""

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from course_utils import data, network
from course_utils.lessons.training_a_network import demos


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    # Tiny matrices: a second thread costs more than it saves, and much more on a busy machine.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def small_digits():
    X_train, X_test, y_train, y_test = data.load_digits(dtype=np.float32)
    return X_train[:200], X_test[:100], y_train[:200], y_test[:100]


@pytest.mark.parametrize("name", list(demos.OPTIMIZERS))
def test_schedules_change_the_rate_only(name):
    model = network.mlp(64, (8,), 10, seed=0)
    cls, hyperparameters = demos.OPTIMIZERS[name]
    untouched = getattr(torch.optim, cls)(model.parameters(), **hyperparameters).param_groups[0]
    for schedule in demos.SCHEDULES:
        optimizer, scheduler = demos.make_optimizer(name, model, 50, schedule)
        group = optimizer.param_groups[0]
        assert type(optimizer).__name__ == cls
        for key in ("momentum", "betas", "weight_decay"):
            assert group.get(key) == untouched.get(key)  # cycle_momentum=False keeps them
        if schedule == "constant":
            assert scheduler is None and group["lr"] == hyperparameters["lr"]
        elif schedule == "one-cycle":
            assert group["lr"] == pytest.approx(hyperparameters["lr"] / 25)
        else:
            assert scheduler.T_max == 50 and group["lr"] == hyperparameters["lr"]
    with pytest.raises(ValueError, match="schedule"):
        demos.make_optimizer(name, model, 50, "linear")


def test_compare_starts_every_run_from_the_same_weights(small_digits):
    runs = demos.compare(small_digits, epochs=1, batch_size=50, hidden=(8,), progress=False)
    assert list(runs) == [(o, s) for o in demos.OPTIMIZERS for s in demos.SCHEDULES]
    assert len({history.train_loss[0] for history in runs.values()}) == 1
    assert all(history.epochs == 1 for history in runs.values())
    table = demos.results_table(runs).splitlines()
    assert len(table) == 16 and "final acc" in table[0] and any("◀" in row for row in table)
    fig = demos.comparison_curves(runs, fig=Figure())
    assert len(fig.axes) == 6 and fig.axes[0].get_yscale() == "log"
