"""Lesson 11's demos: the optimizer × schedule grid, its table and its curves."""

import pytest
import torch
from matplotlib.figure import Figure

from course_utils import network
from course_utils.lessons.training_a_network import demos

pytestmark = pytest.mark.usefixtures("one_torch_thread")


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
    assert len({run.losses[0] for run in runs.values()}) == 1
    assert all(run.epochs == 1 for run in runs.values())
    table = demos.results_table(runs).splitlines()
    assert len(table) == 16 and "final acc" in table[0] and any("◀" in row for row in table)
    fig = demos.comparison_curves(runs, fig=Figure())
    assert len(fig.axes) == 6 and fig.axes[0].get_yscale() == "log"
