"""The capstone's demos: the fair race, weight decay, scikit-learn, initialisation, clipping,
the scaling rule and the one look at the test set."""

import numpy as np
import pytest
import torch

from course_utils import data, network
from course_utils.lessons.training_a_network import demos, loop

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SMALL = {"epochs": 1, "batch_size": 50, "hidden": (8,)}


@pytest.fixture(scope="module")
def digits(small_digits):
    return demos.as_tensors(small_digits)


def test_as_tensors_keeps_the_split(small_digits, digits):
    assert isinstance(digits, data.Digits)
    assert digits.X_train.dtype == torch.float32 and digits.y_val.dtype == torch.int64
    np.testing.assert_array_equal(digits.X_val.numpy(), small_digits.X_val)


def test_train_mlp_starts_from_the_seed_and_uses_the_loop_given(digits):
    calls = []

    def spy(*args):
        calls.append(args)
        return loop.train(*args)

    make = demos.optimizer("SGD", lr=0.1)
    model, accuracies = demos.train_mlp(spy, digits, make, seed=3, **SMALL)
    again, same = demos.train_mlp(loop.train, digits, make, seed=3, **SMALL)
    assert len(calls) == 1 and calls[0][7:9] == (1, 50)  # epochs, batch_size
    np.testing.assert_array_equal(accuracies, same)
    assert all(
        torch.equal(a, b) for a, b in zip(model.parameters(), again.parameters(), strict=True)
    )
    with pytest.raises(ValueError, match="schedule"):
        demos.train_mlp(loop.train, digits, make, schedule="linear", **SMALL)


def test_init_scale_multiplies_the_initial_weights(digits):
    usual = network.mlp(64, (8,), 10, seed=0)
    recorded = []

    def record(model, *args):
        recorded.append([p.detach().clone() for p in model.parameters()])
        return [0.0]

    demos.train_mlp(record, digits, demos.optimizer("SGD", lr=0.1), init_scale=10, **SMALL)
    for scaled, plain in zip(recorded[0], usual.parameters(), strict=True):
        torch.testing.assert_close(scaled, 10 * plain.detach())


@pytest.mark.parametrize("schedule", ["one-cycle", "cosine"])
def test_schedules_change_the_rate_only_and_end_low(digits, schedule):
    lrs = []

    def record(model, optimizer, scheduler, *rest):
        for _ in range(10):  # 200 images in batches of 50, for 1 epoch: 4 steps; look further
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step() if len(lrs) < 4 else None
        return [0.0]

    make = demos.optimizer("SGD", lr=0.1)
    demos.train_mlp(record, digits, make, schedule=schedule, **SMALL)
    if schedule == "one-cycle":
        assert lrs[0] == pytest.approx(0.1 / 25)
    else:
        assert lrs[0] == pytest.approx(0.1) and lrs[3] < lrs[0]


def test_the_race_gives_every_optimizer_the_same_budget_and_picks_on_validation(digits):
    race = {"SGD": ("SGD", {}, (0.01, 0.1)), "Adam": ("Adam", {}, (1e-3, 1e-2))}
    runs = demos.tune(loop.train, digits, race, epochs=2, batch_size=50)
    assert list(runs) == [("SGD", 0.01), ("SGD", 0.1), ("Adam", 0.001), ("Adam", 0.01)]
    best = demos.best_rates(runs)
    for name, (lr, accuracy) in best.items():
        assert accuracy == max(runs[name, rate][-1] for rate in race[name][2])
        assert runs[name, lr][-1] == accuracy
    table = demos.race_table(runs).splitlines()
    assert len(table) == 3 and table[1].startswith("SGD") and table[1].count("*") == 1
    # every default grid has three rates
    assert all(len(grid) == 3 for _, _, grid in demos.RACE.values())


def test_best_rates_prefers_the_smaller_rate_on_a_tie():
    runs = {("SGD", 0.1): np.array([0.9]), ("SGD", 0.3): np.array([0.9])}
    assert demos.best_rates(runs) == {"SGD": (0.1, 0.9)}


def test_weight_decay_race_gives_adam_and_adamw_the_same_grid(digits, monkeypatch):
    built = []
    real = demos.optimizer

    def spy(cls, **hyperparameters):
        built.append((cls, hyperparameters))
        return real(cls, **hyperparameters)

    monkeypatch.setattr(demos, "optimizer", spy)
    runs = demos.weight_decay_race(loop.train, digits, lr=0.01, decays=(0.0, 0.1), epochs=1)
    assert list(runs) == [("Adam + L2", 0.0), ("Adam + L2", 0.1), ("AdamW", 0.0), ("AdamW", 0.1)]
    assert built == [
        ("Adam", {"lr": 0.01, "weight_decay": 0.0}),
        ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
        ("AdamW", {"lr": 0.01, "weight_decay": 0.0}),
        ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ]
    # with no decay AdamW is Adam: the same run
    np.testing.assert_array_equal(runs["Adam + L2", 0.0], runs["AdamW", 0.0])


def test_sklearn_is_trained_one_epoch_at_a_time_on_the_settings_given(small_digits):
    accuracies = demos.sklearn_accuracies(small_digits, lr=0.01, batch_size=50, epochs=3)
    assert accuracies.shape == (3,) and np.all((0 <= accuracies) & (accuracies <= 1))
    assert accuracies[-1] > 0.5


@pytest.mark.parametrize(
    ("accuracies", "target", "epoch"),
    [([0.5, 0.95, 0.97], 0.95, 2), ([0.96], 0.95, 1), ([0.5, 0.6], 0.95, None)],
)
def test_epochs_to_counts_from_one(accuracies, target, epoch):
    assert demos.epochs_to(accuracies, target) == epoch


def test_a_large_initialisation_starts_with_a_large_loss_and_gradient(digits):
    small_loss, small_norm = demos.initial_loss_and_gradient(digits, 0.1, hidden=(8,))
    usual_loss, usual_norm = demos.initial_loss_and_gradient(digits, 1.0, hidden=(8,))
    large_loss, large_norm = demos.initial_loss_and_gradient(digits, 10.0, hidden=(8,))
    assert small_loss == pytest.approx(np.log(10), abs=0.01)
    assert small_norm < usual_norm < large_norm and large_loss > 5 * usual_loss


def test_clipping_caps_the_gradient_norm_before_the_step():
    model = torch.nn.Linear(3, 2)
    inner = torch.optim.SGD(model.parameters(), lr=1.0)
    clipped = demos.ClipGradNorm(inner, max_norm=0.5)
    before = [p.detach().clone() for p in model.parameters()]
    clipped.zero_grad()
    (1000 * model(torch.ones(1, 3)).sum()).backward()
    clipped.step()
    step = torch.cat(
        [(b - p.detach()).ravel() for b, p in zip(before, model.parameters(), strict=True)]
    )
    assert clipped.norms[0] > 1000 and step.norm().item() == pytest.approx(0.5, rel=1e-5)
    assert clipped.param_groups is inner.param_groups
    with pytest.raises(ValueError, match="max_norm"):
        demos.ClipGradNorm(inner, 0.0)


def test_clipping_passes_a_small_gradient_unchanged():
    model = torch.nn.Linear(3, 2)
    clipped = demos.ClipGradNorm(torch.optim.SGD(model.parameters(), lr=1.0), max_norm=1e6)
    clipped.zero_grad()
    model(torch.ones(1, 3)).sum().backward()
    expected = [p.detach() - p.grad for p in model.parameters()]
    clipped.step()
    for got, want in zip(model.parameters(), expected, strict=True):
        torch.testing.assert_close(got.detach(), want)


def test_the_scaling_rule_scales_the_rate_with_the_batch(digits):
    result = demos.scaling_rule(loop.train, digits, (25, 100), base_lr=0.1, base_batch=25, epochs=1)
    assert [lr for lr, _, _ in result.values()] == [0.1, 0.4]
    assert all(np.isfinite(loss) and 0 <= accuracy <= 1 for _, loss, accuracy in result.values())


def test_test_accuracy_reads_the_test_set_in_eval_mode(digits):
    model = network.mlp(64, (8,), 10, seed=0)
    accuracy = demos.test_accuracy(model, digits)
    with torch.no_grad():
        expected = (model(digits.X_test).argmax(1) == digits.y_test).double().mean().item()
    assert accuracy == pytest.approx(expected) and not model.training


def test_race_curves_draw_one_line_per_run():
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    demos.race_curves({"a": [0.5, 0.6], "b": [0.4, 0.7]}, "title", ax=ax)
    assert len(ax.lines) == 2 and ax.get_title() == "title"
